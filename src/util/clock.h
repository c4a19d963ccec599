/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deadlines for timed waits. */
#ifndef TAPIX_UTIL_CLOCK_H
#define TAPIX_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* *@ts = now on @clk plus @ms milliseconds (for pthread_cond_timedwait on
 * a condition using @clk, or a comparison with clock_gettime(@clk)). */
static inline void clock_after_ms(clockid_t clk, uint32_t ms,
                                  struct timespec *ts)
{
	clock_gettime(clk, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

#endif
