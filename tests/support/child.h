/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A test case run in a child process, for checks that abort (the lock
 * checks): its wait status and what it wrote to stderr.
 */
#ifndef TAPIX_TESTS_CHILD_H
#define TAPIX_TESTS_CHILD_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* What a child did: its wait status and what it wrote to stderr. */
struct outcome {
	int status;
	char err[1024];
};

/*
 * Runs @fn in a child process. A child that hangs (a lock taken twice
 * without the check would deadlock) is ended by SIGALRM after 20 s, so a
 * missing check fails the test instead of blocking it.
 */
static inline void run_child(void (*fn)(void), struct outcome *out)
{
	size_t len = 0;
	int fds[2];
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		alarm(20);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], out->err + len, sizeof(out->err) - 1 - len)) >
	               0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &out->status, 0), pid);
}

#endif /* TAPIX_TESTS_CHILD_H */
