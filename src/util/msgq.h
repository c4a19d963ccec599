/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One application's messages on their way to it (spec:
 * tapi-messages-and-states.md §1): a ring of queued messages and the three
 * ways they leave it: lineGetMessage with a pollable eventfd (USEEVENT),
 * callbacks on a delivery thread (USEHIDDENWINDOW), or records written to
 * the application's descriptor by a delivery thread (USECOMPLETIONPORT).
 * The core's registrations (src/core/app.c) and the client's
 * (src/client/client.c) both queue and deliver through it.
 *
 * Locking: the owner's lock (ops->lock) guards a queue; every _locked
 * function is called with it held. Waits release it (ops->unlock) and
 * take it back (ops->lock); the delivery thread takes it between messages
 * and never holds it while a callback runs or a record is written.
 */
#ifndef TAPIX_UTIL_MSGQ_H
#define TAPIX_UTIL_MSGQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <tapi.h>

#include "util/ulock.h"

/* A queued message. */
struct msgq_item {
	LINEMESSAGE m;
	uint32_t guard; /* a handle whose death voids the message, or 0 */
	uint32_t line;  /* the open of that handle, or 0 (the client's) */
};

struct msgq;

/* What a queue's owner provides. */
struct msgq_ops {
	/* take and release the owner's lock (waits release it too) */
	void (*lock)(void);
	void (*unlock)(void);
	/*
	 * Under the lock, for a message with a guard: false drops @it unseen
	 * (its handle died after it was queued, tapi-messages-and-states.md
	 * §2). NULL: all are delivered.
	 */
	bool (*deliverable)(const struct msgq_item *it);
	/*
	 * Under the lock, on the delivery thread as it ends: drops the
	 * reference taken for the thread before msgq_start_locked (may free
	 * the queue's owner).
	 */
	void (*thread_done)(struct msgq *q);
};

struct msgq {
	const struct msgq_ops *ops;
	uint32_t h;    /* the registration, for logs */
	uint32_t mode; /* LINEINITIALIZEEXOPTION_ value */
	LINECALLBACK cb;
	int evfd;   /* USEEVENT: readable exactly while messages wait */
	int portfd; /* USECOMPLETIONPORT: the application's descriptor */
	DWORD_PTR port_key;
	int wakefd; /* wakes the completion-port writer at the end */
	struct msgq_item *ring;
	uint32_t cap; /* a power of two */
	uint32_t head, count;
	struct ucond cond; /* a message, or the end (waiters counted) */
	pthread_t thread;
	bool has_thread;
	bool detach; /* ended from its own delivery thread */
	bool evfd_set;
	bool quiet; /* the eventfd is not signalled for now */
	bool dead;
};

/*
 * Prepares @q for a registration of @mode (LINEINITIALIZEEXOPTION_) with
 * callback @cb (USEHIDDENWINDOW), descriptor @portfd and key @port_key
 * (USECOMPLETIONPORT). Returns 0, -ENOMEM or another -errno (no eventfd);
 * on an error nothing is left to free.
 */
int msgq_init(struct msgq *q, const struct msgq_ops *ops, uint32_t mode,
              LINECALLBACK cb, int portfd, DWORD_PTR port_key);

/*
 * In a child of fork(): the delivery thread is the parent's, never
 * joined here, and so are the messages queued (dropped here) and the
 * eventfds' open files (the child gets eventfds of its own, on the same
 * descriptor numbers). Returns whether there was a thread (the owner
 * drops its reference for it, if it counts one).
 */
bool msgq_after_fork_locked(struct msgq *q);

/* Frees what msgq_init made; the delivery thread has ended. */
void msgq_fini(struct msgq *q);

/* Out of line parts of the two below (not called otherwise). */
bool msgq_grow_locked(struct msgq *q);
void msgq_first_locked(struct msgq *q);
void msgq_evfd_clear_locked(struct msgq *q);

/*
 * Appends @it; false when the ring could not grow (the message is lost).
 * Inline, as msgq_pop_locked: every message passes through both.
 */
static inline bool msgq_push_locked(struct msgq *q, const struct msgq_item *it)
{
	if (q->dead)
		return true; /* nothing is delivered after the end */
	if (q->count == q->cap && !msgq_grow_locked(q))
		return false;
	q->ring[(q->head + q->count) & (q->cap - 1)] = *it;
	if (++q->count == 1)
		msgq_first_locked(q); /* the descriptor, the waiters */
	return true;
}

/*
 * msgq_push_locked in two steps, for a message written in place: the slot
 * it goes in (the queue has not ended: !q->dead), NULL when the ring
 * could not grow (the message is lost); then, once it is filled,
 * msgq_commit_locked appends it.
 */
static inline struct msgq_item *msgq_slot_locked(struct msgq *q)
{
	if (q->count == q->cap && !msgq_grow_locked(q))
		return NULL;
	return &q->ring[(q->head + q->count) & (q->cap - 1)];
}

static inline void msgq_commit_locked(struct msgq *q)
{
	if (++q->count == 1)
		msgq_first_locked(q); /* the descriptor, the waiters */
}

/*
 * msgq_pop_locked with the owner's check @ok (ops->deliverable, or NULL)
 * given directly, so that a caller who knows it has it inlined.
 */
static inline __attribute__((always_inline)) bool
msgq_pop_with_locked(struct msgq *q, LINEMESSAGE *out, uint32_t *guard,
                     bool (*ok)(const struct msgq_item *it))
{
	bool found = false;

	while (q->count) {
		const struct msgq_item *it = &q->ring[q->head];

		/* the slot stays as it is until the next push */
		q->head = (q->head + 1) & (q->cap - 1);
		q->count--;
		if (it->guard && ok && !ok(it))
			continue;
		*out = it->m;
		if (guard)
			*guard = it->guard;
		found = true;
		break;
	}
	if (!q->count && q->evfd_set)
		msgq_evfd_clear_locked(q);
	return found;
}

/* Takes the next deliverable message into *@out (and its guard into
 * *@guard if not NULL); false when none waits. */
static inline bool msgq_pop_locked(struct msgq *q, LINEMESSAGE *out,
                                   uint32_t *guard)
{
	return msgq_pop_with_locked(q, out, guard, q->ops->deliverable);
}

/* Drops every queued message for which @drop(item, @arg) is true. */
void msgq_purge_locked(struct msgq *q,
                       bool (*drop)(const struct msgq_item *it, void *arg),
                       void *arg);

/* While @quiet, a message queued does not signal the eventfd; ending it
 * signals it if messages wait. */
void msgq_quiet_locked(struct msgq *q, bool quiet);

/*
 * lineGetMessage's wait (spec: tapi-functions.md §7): the next message
 * into *@out, waiting up to @timeout ms (0: none, INFINITE: for ever, on
 * CLOCK_MONOTONIC). Returns 0, LINEERR_OPERATIONFAILED (none in time) or
 * LINEERR_INVALAPPHANDLE (the registration ended meanwhile). The caller
 * keeps @q alive across the wait.
 */
LONG msgq_wait_locked(struct msgq *q, LINEMESSAGE *out, DWORD timeout);

/*
 * Starts the delivery thread of a callback or completion-port queue (0
 * for USEEVENT, which has none). The caller has taken the reference
 * ops->thread_done drops. Returns 0 or a -errno (no thread: the caller
 * drops that reference).
 */
int msgq_start_locked(struct msgq *q);

/*
 * Ends the queue: nothing more is delivered, waiters return, the delivery
 * thread stops (detaching itself when this runs on it, from a callback).
 */
void msgq_kill_locked(struct msgq *q);

/* After msgq_kill_locked, without the lock: waits for the delivery thread
 * to end unless called from it, so no callback runs after this returns. */
void msgq_stop(struct msgq *q);

#endif /* TAPIX_UTIL_MSGQ_H */
