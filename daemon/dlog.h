/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd's own log lines, in the format of libtapix's (the service sets
 * the library's sink to the same output): one line per event to stderr,
 * which systemd's journal reads. Levels: module "tapixd" of TAPIX_LOG or
 * --log ("info,tapixd=debug").
 *
 * Issue 19 item 4 — a line that repeats (the same format of tapixd, the
 * same text of the library but for its numbers) is written at most
 * DLOG_BURST times a second; the rest are counted and told in one line
 * ("suppressed K lines like: ...") when the second is over. Debug lines
 * are never held back.
 */
#ifndef TAPIXD_DLOG_H
#define TAPIXD_DLOG_H

#include <stdbool.h>

#include <tapix/tapix.h>

#define DLOG_BURST 20 /* lines of one kind a second */

/* Sets the level from a spec like TAPIX_LOG's ("off" silences it); 0, or
 * -1 if unreadable. */
int dlog_set_levels(const char *spec);

void dlog_emit(enum tapix_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes one formatted line (also the library's sink). Threads: any. */
void dlog_line(enum tapix_log_level level, const char *module, const char *msg);

/* Writes the "suppressed" lines of seconds that are over; returns
 * whether lines of the current second are still held back (call again
 * after it). Threads: any. */
bool dlog_flush(void);

/*
 * An eventfd that dlog writes to when it starts holding lines back, so
 * that the service's loop, idle otherwise, wakes to call dlog_flush later
 * (-1: none). Set before the threads that log start.
 */
void dlog_set_waker(int fd);

#define log_err(...)   dlog_emit(TAPIX_LOG_ERR, __VA_ARGS__)
#define log_warn(...)  dlog_emit(TAPIX_LOG_WARN, __VA_ARGS__)
#define log_info(...)  dlog_emit(TAPIX_LOG_INFO, __VA_ARGS__)
#define log_debug(...) dlog_emit(TAPIX_LOG_DEBUG, __VA_ARGS__)

#endif /* TAPIXD_DLOG_H */
