/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lock and a condition variable on Linux futexes, for the core's lock,
 * which every API call and provider event takes: uncontended, taking it is
 * one compare-and-exchange and releasing it one exchange; the kernel is
 * asked only when a thread has to sleep (U. Drepper, "Futexes Are Tricky",
 * mutex 2). ThreadSanitizer builds tell the sanitizer about each lock and
 * unlock, so that it checks races and lock order on the real lock.
 *
 * Neither the lock nor the condition's waits are cancellation points.
 */
#ifndef TAPIX_UTIL_ULOCK_H
#define TAPIX_UTIL_ULOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if defined(__SANITIZE_THREAD__)
#define ULOCK_TSAN
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ULOCK_TSAN
#endif
#endif

#ifdef ULOCK_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* A lock; ULOCK_INIT, or zeroed memory, is an unlocked one. */
struct ulock {
	uint32_t
		state; /* atomic: 0 free, 1 held, 2 held and maybe waited for */
};

#define ULOCK_INIT \
	{          \
		0  \
	}

/* Out of line: the contended halves of ulock_lock and ulock_unlock. */
void ulock_lock_slow(struct ulock *l, uint32_t seen);
void ulock_wake(struct ulock *l);

static inline void ulock_lock(struct ulock *l)
{
	uint32_t seen = 0;

#ifdef ULOCK_TSAN
	__tsan_mutex_pre_lock(l, 0);
#endif
	if (__builtin_expect(!__atomic_compare_exchange_n(
				     &l->state, &seen, 1, false,
				     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED),
	                     0))
		ulock_lock_slow(l, seen);
#ifdef ULOCK_TSAN
	__tsan_mutex_post_lock(l, 0, 0);
#endif
}

static inline void ulock_unlock(struct ulock *l)
{
#ifdef ULOCK_TSAN
	__tsan_mutex_pre_unlock(l, 0);
#endif
	/* 2: a thread may sleep on it, wake one */
	if (__builtin_expect(
		    __atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2,
		    0))
		ulock_wake(l);
#ifdef ULOCK_TSAN
	__tsan_mutex_post_unlock(l, 0);
#endif
}

/*
 * A condition: a sequence number that every signal moves on, and the
 * count of its waiters, so that a signal nobody waits for costs one load.
 * Signal and broadcast after changing the waited-for state under the
 * lock (with it held, or after releasing it). UCOND_INIT, or zeroed
 * memory, is a fresh one.
 */
struct ucond {
	uint32_t seq;     /* atomic: moved on by every signal */
	uint32_t waiters; /* atomic: threads between enter and leave */
};

#define UCOND_INIT   \
	{            \
		0, 0 \
	}

/*
 * A wait in three steps, for a lock that is not a struct ulock (a
 * queue's owner's, util/msgq.h): with the lock held, enter gives the
 * sequence number to sleep on; then the lock is released, sleep returns
 * when signalled, at the absolute CLOCK_MONOTONIC @deadline (NULL: none;
 * -ETIMEDOUT) or spuriously (0); then the lock is taken back and leave
 * is called. The caller checks its condition again in every case.
 */
static inline uint32_t ucond_enter(struct ucond *c)
{
	__atomic_fetch_add(&c->waiters, 1, __ATOMIC_RELAXED);
	return __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
}

int ucond_sleep(struct ucond *c, uint32_t seq, const struct timespec *deadline);

static inline void ucond_leave(struct ucond *c)
{
	__atomic_fetch_sub(&c->waiters, 1, __ATOMIC_RELAXED);
}

/* Waits on @c, releasing @l meanwhile (held on entry and on return);
 * returns 0 (signalled, or spuriously) or -ETIMEDOUT at @deadline
 * (absolute, CLOCK_MONOTONIC; NULL: none). */
static inline int ucond_timedwait(struct ucond *c, struct ulock *l,
                                  const struct timespec *deadline)
{
	uint32_t seq = ucond_enter(c);
	int r;

	ulock_unlock(l);
	r = ucond_sleep(c, seq, deadline);
	ulock_lock(l);
	ucond_leave(c);
	return r;
}

static inline void ucond_wait(struct ucond *c, struct ulock *l)
{
	(void)ucond_timedwait(c, l, NULL);
}

/* Out of line: moves the sequence on and wakes up to @n waiters. */
void ucond_wake(struct ucond *c, int n);

static inline void ucond_signal(struct ucond *c)
{
	if (__atomic_load_n(&c->waiters, __ATOMIC_RELAXED))
		ucond_wake(c, 1);
}

static inline void ucond_broadcast(struct ucond *c)
{
	if (__atomic_load_n(&c->waiters, __ATOMIC_RELAXED))
		ucond_wake(c, INT32_MAX);
}

#endif /* TAPIX_UTIL_ULOCK_H */
