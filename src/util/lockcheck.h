/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lock check of libtapix's own applications of the line API (the RAS
 * manager, TAPI 3 sessions: src/apprt): how many of their locks this
 * thread holds. Their locks are taken through apprt_lock, which counts
 * here, and every exported line API function asserts on entry that the
 * count is zero (src/rpc/entry.c): no call into the line API with an
 * application's lock held (DESIGN.md, "no call into another layer while
 * holding a lock"). The same check asks that the thread holds no lock of
 * libtapix at all (util/loghold.h's count), which also finds a lock taken
 * without being counted or let go without (its count left behind would
 * hold the thread's log lines for ever). Debug and sanitizer builds
 * define TAPIX_LOCK_CHECK; otherwise everything here compiles to nothing.
 */
#ifndef TAPIX_UTIL_LOCKCHECK_H
#define TAPIX_UTIL_LOCKCHECK_H

#ifdef TAPIX_LOCK_CHECK
#include "util/loghold.h"

/* Adds @delta (+1 taken, -1 let go) to this thread's count. */
void lockcheck_app_note(int delta);
/* How many application locks this thread holds. */
unsigned lockcheck_app_held(void);
/* Says which function broke the rule, and aborts (as assert() does). */
_Noreturn void lockcheck_app_violation(const char *fn);
/* The same, for any lock of libtapix's (or a count gone wrong). */
_Noreturn void lockcheck_lock_violation(const char *fn);
#define lockcheck_assert_no_app_lock()                      \
	do {                                                \
		if (lockcheck_app_held())                   \
			lockcheck_app_violation(__func__);  \
		if (log_held & ~LOG_HELD_WAITING)           \
			lockcheck_lock_violation(__func__); \
	} while (0)
#else
#define lockcheck_app_note(delta)      ((void)(delta))
#define lockcheck_assert_no_app_lock() ((void)0)
#endif

#endif /* TAPIX_UTIL_LOCKCHECK_H */
