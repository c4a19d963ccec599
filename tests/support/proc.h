/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real peers for interop tests: programs started on 127.0.0.1 under
 * timeout(1), waited for with a bound, and stopped by PID on every path
 * (proc_kill_all from the teardown, and at exit).
 */
#ifndef TAPIX_TESTS_PROC_H
#define TAPIX_TESTS_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Starts @argv (argv[0] looked up in PATH) under "timeout -s KILL
 * @limit_s", in its own process group, stdin from /dev/null, stdout and
 * stderr to @log. Returns its PID; fails the test if it cannot start.
 */
pid_t proc_start(const char *log, unsigned limit_s, const char *const argv[]);

/*
 * As proc_start, with stdout (and stderr) on a pipe whose read end is
 * *out_fd (close it when done).
 */
pid_t proc_start_pipe(int *out_fd, unsigned limit_s, const char *const argv[]);

/*
 * Reads one line from @fd into @buf (without its newline), waiting up to
 * @timeout_ms in all. Returns false on timeout or end of file.
 */
bool proc_read_line(int fd, char *buf, size_t size, unsigned timeout_ms);

/*
 * Waits up to @timeout_ms for @pid to exit. Returns its exit status
 * (0..255), 128 + signal if it was killed, or -1 if it was still running
 * (then it is killed).
 */
int proc_wait(pid_t pid, unsigned timeout_ms);

/* Kills @pid's process group and reaps it. */
void proc_kill(pid_t pid);

/* Whether @pid is a process proc_start started and nobody has waited for
 * or killed yet (so it is still ours to signal: not a reused pid). */
bool proc_tracked(pid_t pid);

/* Kills every process this file started that is still running. */
void proc_kill_all(void);

/* True if @name is an executable in PATH. */
bool proc_have(const char *name);

/* True once something accepts connections on the Unix socket @path (its
 * file exists from bind(), before listen(): not enough). */
bool proc_unix_listening(const char *path);

/* Prints the last lines of @log to stderr (for a failing test). */
void proc_show_log(const char *log, unsigned lines);

#endif /* TAPIX_TESTS_PROC_H */
