/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The application lock count of this thread (lockcheck.h). */
#include "util/lockcheck.h"

#ifdef TAPIX_LOCK_CHECK
#include <stdio.h>
#include <stdlib.h>

/* Per thread: a condition wait releases and retakes a lock on the same
 * thread, which meanwhile calls nothing. */
static _Thread_local unsigned held;

void lockcheck_app_note(int delta)
{
	held = (unsigned)((int)held + delta);
}

unsigned lockcheck_app_held(void)
{
	return held;
}

_Noreturn void lockcheck_app_violation(const char *fn)
{
	fprintf(stderr,
	        "tapix: lock check failed: %s called with an application "
	        "runtime's lock held\n",
	        fn);
	abort();
}

_Noreturn void lockcheck_lock_violation(const char *fn)
{
	fprintf(stderr,
	        "tapix: lock check failed: %s called with %u libtapix locks "
	        "held\n",
	        fn, (unsigned)(log_held & ~LOG_HELD_WAITING));
	abort();
}
#else
/* (ISO C wants something in a translation unit) */
typedef int lockcheck_empty;
#endif
