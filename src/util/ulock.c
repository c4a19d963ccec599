/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The futex lock's and condition's system calls (see ulock.h). */
#include "util/ulock.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The raw system call: not a cancellation point, as syscall() is not. */
static long futex(uint32_t *addr, int op, uint32_t val,
                  const struct timespec *ts, uint32_t val3)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

void ulock_lock_slow(struct ulock *l, uint32_t seen)
{
	/*
	 * From here on the lock is marked as waited for (2), so that its
	 * release wakes a sleeper: perhaps one wake too many, never one
	 * too few.
	 */
	if (seen != 2)
		seen = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	while (seen != 0) {
		futex(&l->state, FUTEX_WAIT_PRIVATE, 2, NULL, 0);
		seen = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
	}
}

void ulock_wake(struct ulock *l)
{
	futex(&l->state, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
}

int ucond_sleep(struct ucond *c, uint32_t seq, const struct timespec *deadline)
{
	long r;

	/* (a signal since enter changed seq: the kernel returns at once) */
	if (!deadline)
		r = futex(&c->seq, FUTEX_WAIT_PRIVATE, seq, NULL, 0);
	else
		/* WAIT_BITSET: an absolute time, on CLOCK_MONOTONIC */
		r = futex(&c->seq, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, seq,
		          deadline, FUTEX_BITSET_MATCH_ANY);
	return r < 0 && errno == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void ucond_wake(struct ucond *c, int n)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	futex(&c->seq, FUTEX_WAKE_PRIVATE, (uint32_t)n, NULL, 0);
}
