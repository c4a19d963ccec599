/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Log lines held back while a tapix lock is held. tapix.h promises that
 * the log sink, an application's function, is called with no tapix lock
 * held: a sink that takes a lock of its own, which another of the
 * application's threads holds while it calls tapix, would otherwise
 * deadlock. So every lock of libtapix is taken through a wrapper that
 * calls log_hold() once it has the lock and log_release() once it let go
 * (a condition wait, which lets go and takes back on the same thread,
 * counts nothing); a line logged in between waits in a list of the
 * thread's and reaches the sink, in order, when the thread lets go of its
 * last lock (log_flush_held). A line logged with no lock held reaches the
 * sink at once, as before.
 *
 * Inline and tiny: the core's lock counts here on every call. The count is
 * in the low 31 bits of log_held, bit 31 says lines wait.
 */
#ifndef TAPIX_UTIL_LOGHOLD_H
#define TAPIX_UTIL_LOGHOLD_H

#include <pthread.h>
#include <stdint.h>

#define LOG_HELD_WAITING 0x80000000u

/* initial-exec: one %fs-relative add, no __tls_get_addr, per lock */
extern _Thread_local uint32_t log_held
	__attribute__((tls_model("initial-exec")));

/* Out of line and cold: gives the thread's held lines to the sink. */
void log_flush_held(void) __attribute__((cold));

/* After taking a tapix lock. */
static inline void log_hold(void)
{
	log_held++;
}

/* After letting go of a tapix lock: the last one gives the lines out. */
static inline void log_release(void)
{
	if (__builtin_expect(--log_held == LOG_HELD_WAITING, 0))
		log_flush_held();
}

/* A pthread mutex of libtapix, counted. */
static inline void log_mutex_lock(pthread_mutex_t *m)
{
	pthread_mutex_lock(m);
	log_hold();
}

static inline void log_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	log_release();
}

#endif /* TAPIX_UTIL_LOGHOLD_H */
