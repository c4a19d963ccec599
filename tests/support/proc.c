/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Real peers for interop tests (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fx.h"

#define MAX_PROCS 16
#define MAX_ARGS  64

extern char **environ;

static pid_t procs[MAX_PROCS];
static bool registered;

static void forget(pid_t pid)
{
	unsigned i;

	for (i = 0; i < MAX_PROCS; i++)
		if (procs[i] == pid)
			procs[i] = 0;
}

static pid_t spawn(int out, const char *log, unsigned limit_s,
                   const char *const argv[]);

bool proc_tracked(pid_t pid)
{
	unsigned i;

	for (i = 0; pid > 0 && i < MAX_PROCS; i++)
		if (procs[i] == pid)
			return true;
	return false;
}

pid_t proc_start(const char *log, unsigned limit_s, const char *const argv[])
{
	return spawn(-1, log, limit_s, argv);
}

pid_t proc_start_pipe(int *out_fd, unsigned limit_s, const char *const argv[])
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = spawn(p[1], NULL, limit_s, argv);
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

bool proc_read_line(int fd, char *buf, size_t size, unsigned timeout_ms)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char c;

		if (poll(&p, 1, (int)timeout_ms) <= 0)
			return false;
		if (read(fd, &c, 1) != 1)
			return false;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

static pid_t spawn(int out, const char *log, unsigned limit_s,
                   const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	const char *args[MAX_ARGS + 4];
	char limit[16];
	unsigned i, n = 0;
	pid_t pid;
	int err;

	if (!registered) {
		atexit(proc_kill_all);
		registered = true;
	}
	snprintf(limit, sizeof(limit), "%u", limit_s);
	args[n++] = "timeout";
	args[n++] = "-s";
	args[n++] = "KILL";
	args[n++] = limit;
	for (i = 0; argv[i] && i < MAX_ARGS - 1; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	else
		posix_spawn_file_actions_addopen(
			&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	err = posix_spawnp(&pid, "timeout", &fa, &at, (char *const *)args,
	                   environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (err) {
		fprintf(stderr, "cannot start %s: %s\n", argv[0],
		        strerror(err));
		fail();
	}
	for (i = 0; i < MAX_PROCS; i++) {
		if (!procs[i]) {
			procs[i] = pid;
			break;
		}
	}
	return pid;
}

int proc_wait(pid_t pid, unsigned timeout_ms)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	unsigned waited = 0;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			forget(pid);
			return -1;
		}
		if (waited >= timeout_ms) {
			proc_kill(pid);
			return -1;
		}
		nanosleep(&step, NULL);
		waited += 10;
	}
	forget(pid);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

void proc_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	forget(pid);
}

void proc_kill_all(void)
{
	unsigned i;

	for (i = 0; i < MAX_PROCS; i++)
		if (procs[i])
			proc_kill(procs[i]);
}

bool proc_have(const char *name)
{
	const char *path = getenv("PATH");
	char buf[512];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name) <
		            (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

void proc_show_log(const char *log, unsigned lines)
{
	char buf[65536];
	FILE *f = fopen(log, "r");
	size_t n;
	unsigned seen = 0;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && seen <= lines)
		if (buf[--n] == '\n')
			seen++;
	fprintf(stderr, "---- %s ----\n%s\n----\n", log, buf + n);
}

bool proc_unix_listening(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}
