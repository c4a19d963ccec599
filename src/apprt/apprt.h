/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The application runtime of libtapix's own TAPI applications: the RAS
 * connection manager (src/ras) and each TAPI 3 session (src/tapi3) are
 * applications of the line API, and this is what they share:
 *
 *  - their registration (lineInitializeEx with USEEVENT), a wake
 *    descriptor, and the engine thread that waits on both, runs what is
 *    due at the owner's deadlines and hands it the registration's
 *    messages;
 *  - the owner's lock, taken through apprt_lock/apprt_unlock, which count
 *    it for the debug check (util/lockcheck.h);
 *  - deferred callouts: line API actions (and other work that must not run
 *    under the lock) recorded under the lock and run after it is let go;
 *  - one table of pending requests: a request id, the owner's record and
 *    a deadline, matched on LINE_REPLY and expired by the engine;
 *  - the delivery of the owner's application callbacks (RAS notifiers,
 *    TAPI 3 events): posts queued under the lock and run, in the order
 *    posted and one at a time, on the runtime's delivery thread with no
 *    lock held (see "deliveries" below).
 *
 * Locking rules. Everything here is guarded by the owner's lock (@lock),
 * except where said. No line API function is ever called with an owner's
 * lock held (debug builds abort when one is: every exported line API
 * function checks on entry). Owner code that needs one either:
 *
 *  - defers it (apprt_defer_locked): the action names what it acts on by
 *    line API handle (a stale handle is refused by the line API, never
 *    taken for another object) and by the owner's cookie (an id, or a
 *    pointer the owner keeps alive with a reference of the action's own);
 *    it runs with no lock held when the lock is next let go by
 *    apprt_unlock (an entry point) or by the engine, in the order
 *    recorded, and its done callback then runs under the lock, where the
 *    owner must look again: the state may have changed meanwhile;
 *  - or, in an entry point that needs the result, lets go of the lock
 *    itself (apprt_unlock), calls, and takes it back (apprt_lock), then
 *    looks again at what it had seen. A request started so is announced
 *    first (apprt_req_begin_locked): a LINE_REPLY read meanwhile waits
 *    until apprt_req_started_locked gives its id.
 *
 * The owner's callbacks (on_tick, on_message, on_reply, done) run under
 * the lock on the engine's thread (or the one flushing the callouts), and
 * must neither call the line API nor let go of the lock.
 *
 * Deliveries. Application code never runs on the engine, nor under the
 * lock: the owner posts it (apprt_post_locked) and the delivery thread
 * (apprt_deliver_start_locked) takes each post in turn: under the lock
 * the post's begin looks again (false: skipped, e.g. the connection was
 * hung up meanwhile), then its call runs with no lock held (the lock is
 * let go by apprt_unlock: what was deferred runs first), then its end
 * runs under the lock (it may free the post, or post it again). Never two
 * at a time, even across a stop and a new start while the old thread
 * still runs its last call. apprt_deliver_wait_locked waits until what
 * was posted before it has ended (not on the delivery thread itself:
 * there it returns at once). apprt_deliver_stop_locked ends the
 * deliveries: the posts still queued end unrun (called false), later ones
 * are refused, and the thread ends after the call it runs, if any; then
 * apprt_deliver_join waits for it, unless called on it (from a callback:
 * the thread is detached and ends when the callback returns), so no
 * callback runs after it returns. Stopped from the engine (a callback
 * might be waiting for the lock), a detached delivery thread is not
 * waited for.
 */
#ifndef TAPIX_APPRT_H
#define TAPIX_APPRT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <tapi.h>

#include "util/list.h"

struct apprt_act;

/*
 * A request of the line API that the owner follows (one LINE_REPLY). The
 * owner embeds it in its own record and keeps the record until the
 * request is over: replied (on_reply), expired (on_reply), or cancelled
 * by the owner (apprt_req_cancel_locked: a later reply is dropped).
 */
struct apprt_req {
	struct list_node link;    /* apprt.reqs while tracked */
	int state;                /* APPRT_REQ_* (apprt.c) */
	LONG id;                  /* its request id, once started */
	struct timespec deadline; /* tv_sec 0: none */
	struct apprt_act *act;    /* a deferred action that starts it */
};

/*
 * A deferred action. @fn runs with no lock held and returns the result
 * (a line API function's); then, under the lock, a request it started
 * (@req) is followed and @done runs. The action is apprt's: it is freed
 * after @done.
 */
typedef LONG apprt_act_fn(struct apprt_act *a);
typedef void apprt_done_fn(void *owner, const struct apprt_act *a);

struct apprt_act {
	struct list_node link; /* apprt.acts */
	apprt_act_fn *fn;
	apprt_done_fn *done;   /* may be NULL */
	struct apprt_req *req; /* NULL: none, or cancelled */
	uint32_t h;            /* the line API handle (or device id) */
	uint64_t cookie;       /* the owner's, for @done */
	LONG result;           /* what @fn returned */
	uint32_t out[2];       /* what @fn found, for @done */
	bool counted;          /* counted in apprt.starting */
};

/*
 * A delivery: @begin (may be NULL: always run) under the lock when its
 * turn comes, false to skip it; @call with no lock held; @end (may be
 * NULL) under the lock afterwards, @called false when skipped or dropped
 * by a stop. The post is the owner's (it may be embedded): apprt does not
 * touch it after @end.
 */
struct apprt_post;
typedef bool apprt_begin_fn(void *owner, struct apprt_post *p);
typedef void apprt_call_fn(struct apprt_post *p);
typedef void apprt_end_fn(void *owner, struct apprt_post *p, bool called);

struct apprt_post {
	struct list_node link; /* apprt_deliver.posts while queued */
	apprt_begin_fn *begin;
	apprt_call_fn *call;
	apprt_end_fn *end;
	uint64_t seq; /* its place (apprt_deliver.seq when posted) */
	int state;    /* APPRT_POST_* (deliver.c) */
};

/* The delivery of a runtime (guarded by the owner's lock). */
struct apprt_deliver {
	/*
	 * Set by the owner (may be NULL): run by a delivery thread as it
	 * ends, with no lock held, after its last use of the runtime (the
	 * owner may free it here).
	 */
	void (*on_end)(void *owner);
	pthread_cond_t cond;    /* a post queued or ended; a stop */
	struct list_node posts; /* struct apprt_post, queued */
	struct apprt_post *cur; /* the one begun, not ended yet */
	pthread_t thread;       /* the latest delivery thread */
	uint64_t seq;           /* of the latest post */
	unsigned gen;           /* the live thread's; a stop moves it on */
	bool live;              /* a thread takes posts (not stopped) */
	bool joinable;          /* its thread is apprt_deliver_join's */
};

struct apprt {
	/* set by the owner before apprt_register (or APPRT_INITIALIZER) */
	pthread_mutex_t *lock; /* the owner's */
	void *owner;
	/*
	 * Under *lock, before each wait: does what is due, puts the nearest
	 * deadline (CLOCK_MONOTONIC; tv_sec 0: none) in *@next, and returns
	 * false to stop the engine.
	 */
	bool (*on_tick)(void *owner, struct timespec *next);
	/* Under *lock: one message of the registration (not LINE_REPLY). */
	void (*on_message)(void *owner, const LINEMESSAGE *m);
	/*
	 * Under *lock: the outcome of request @q, no longer tracked: its
	 * LINE_REPLY's @result, or its deadline passed (@expired, @result
	 * LINEERR_OPERATIONFAILED), or a deferred action's line API function
	 * refused it at once (@result <= 0).
	 */
	void (*on_reply)(void *owner, struct apprt_req *q, LONG result,
	                 bool expired);
	/*
	 * A detached engine (apprt_start) that stopped has ended the
	 * registration; then this runs, on its thread, without the lock.
	 * May be NULL.
	 */
	void (*on_stopped)(void *owner);
	/* the registration (apprt_register) */
	HLINEAPP app;
	DWORD ndevs;
	int line_fd; /* its event descriptor */
	int wake_fd; /* eventfd: a new deadline, or stop */
	pthread_t thread;
	bool joinable; /* started, not detached, not joined yet */
	/* the runtime's own (guarded by *lock) */
	pthread_cond_t cond;   /* flushing ended; a request started */
	struct list_node acts; /* struct apprt_act, to run */
	struct list_node reqs; /* struct apprt_req, tracked */
	bool flushing;         /* a thread runs actions */
	unsigned starting;     /* requests being started, id unknown yet */
	struct apprt_deliver deliver; /* the application's callbacks */
};

/* A static initializer of @var (a struct apprt) with lock @lk. */
#define APPRT_INITIALIZER(var, lk)                                    \
	{                                                             \
		.lock = (lk), .wake_fd = -1, .line_fd = -1,           \
		.cond = PTHREAD_COND_INITIALIZER,                     \
		.acts = LIST_HEAD_INIT((var).acts),                   \
		.reqs = LIST_HEAD_INIT((var).reqs),                   \
		.deliver = {                                          \
			.cond = PTHREAD_COND_INITIALIZER,             \
			.posts = LIST_HEAD_INIT((var).deliver.posts), \
		},                                                    \
	}

/* Initialises @rt for lock @lock and @owner (the other way). */
void apprt_init(struct apprt *rt, pthread_mutex_t *lock, void *owner);

/* Frees what apprt_init made (nothing may be queued or tracked). */
void apprt_destroy(struct apprt *rt);

/* ---- the owner's lock ---------------------------------------------------- */

/* Takes the owner's lock (counted for the debug check). */
void apprt_lock(struct apprt *rt);

/*
 * Runs the deferred actions (letting go of the lock and taking it back
 * around them), then lets go of the lock. From an entry point, never from
 * a callback of the runtime's.
 */
void apprt_unlock(struct apprt *rt);

/*
 * Runs every deferred action recorded so far (by any thread) and their
 * done callbacks; returns with the lock held again (it was let go
 * meanwhile). From an entry point, never from a callback of the
 * runtime's.
 */
void apprt_flush_locked(struct apprt *rt);

/* ---- deferred callouts --------------------------------------------------- */

/*
 * Records action @fn on handle @h, with @done (may be NULL) and @cookie
 * for the owner, and request @q (may be NULL) that it starts: a result
 * > 0 is its request id (its LINE_REPLY comes to on_reply), a result
 * <= 0 goes to on_reply at once. Returns false when memory ran out
 * (nothing recorded; @q untouched).
 */
bool apprt_defer_locked(struct apprt *rt, apprt_act_fn *fn, uint32_t h,
                        struct apprt_req *q, apprt_done_fn *done,
                        uint64_t cookie);

/* Actions for apprt_defer_locked: lineDrop, lineClose, lineDeallocateCall
 * of the action's handle. */
LONG apprt_do_drop(struct apprt_act *a);
LONG apprt_do_close(struct apprt_act *a);
LONG apprt_do_deallocate(struct apprt_act *a);

/* ---- pending requests ------------------------------------------------------
 */

/* Makes @q ready for use (not tracked). */
void apprt_req_init(struct apprt_req *q);

/* Whether @q is tracked (starting, queued or waiting for its reply). */
bool apprt_req_is_tracked(const struct apprt_req *q);

/*
 * Announces that the caller is about to start request @q (then lets go of
 * the lock and calls the line API): until apprt_req_started_locked, the
 * engine keeps a LINE_REPLY it does not know. @timeout_ms: its deadline
 * once started (0: none).
 */
void apprt_req_begin_locked(struct apprt *rt, struct apprt_req *q,
                            uint32_t timeout_ms);

/*
 * The line API function that started @q returned @r (lock taken back):
 * > 0, @q waits for its LINE_REPLY (true); else, or when @q was cancelled
 * meanwhile, it is not tracked (false; on_reply is not called).
 */
bool apprt_req_started_locked(struct apprt *rt, struct apprt_req *q, LONG r);

/* Stops tracking @q (a reply still to come is dropped). No effect on one
 * not tracked. */
void apprt_req_cancel_locked(struct apprt *rt, struct apprt_req *q);

/* ---- deliveries ---------------------------------------------------------- */

/* Makes @p ready for apprt_post_locked (not busy), with its functions. */
void apprt_post_init(struct apprt_post *p, apprt_begin_fn *begin,
                     apprt_call_fn *call, apprt_end_fn *end);

/* Whether @p is queued or being delivered (its end not run yet). */
bool apprt_post_is_busy(const struct apprt_post *p);

/*
 * Starts the delivery thread, if none takes posts: 0 or -errno (-EBUSY:
 * a joinable one stopped is not joined yet). @detached: nobody joins it
 * (the owner stops it from a thread that must not wait); else
 * apprt_deliver_join does, after apprt_deliver_stop_locked.
 */
int apprt_deliver_start_locked(struct apprt *rt, bool detached);

/*
 * Queues @p (not busy) after every post before it. false: no delivery
 * thread takes posts (never started, or stopped): @p is untouched, the
 * caller's again.
 */
bool apprt_post_locked(struct apprt *rt, struct apprt_post *p);

/*
 * Waits (letting go of the lock meanwhile) until every post queued before
 * this call has ended: delivered, skipped or dropped. false, at once, on
 * a delivery thread of @rt's (it cannot wait for itself).
 */
bool apprt_deliver_wait_locked(struct apprt *rt);

/*
 * Ends the deliveries: the posts queued end unrun (called false), later
 * ones are refused, the delivery thread ends after the call it runs (if
 * any). On that thread itself (from a callback), a joinable one is
 * detached. Then apprt_deliver_join, with no lock held.
 */
void apprt_deliver_stop_locked(struct apprt *rt);

/*
 * After apprt_deliver_stop_locked, with no lock held, by the thread that
 * stopped it: waits for a joinable delivery thread to end (no callback
 * runs after this returns), unless it was detached (stopped from it, or
 * started detached).
 */
void apprt_deliver_join(struct apprt *rt);

/* Whether this thread is a delivery thread of @rt's. Any lock. */
bool apprt_in_delivery(const struct apprt *rt);

/* ---- registration and engine --------------------------------------------- */

/*
 * Registers @rt as the application @name at API version *@api (in: the
 * highest it knows; out: the one agreed), with a wake descriptor. With no
 * lock held; it writes only the registration's fields (app, ndevs,
 * line_fd, wake_fd), so an owner whose @rt is shared registers a copy and
 * moves it in with apprt_adopt_locked. Returns 0 or the LINEERR_ of
 * lineInitializeEx (LINEERR_NOMEM when no descriptor could be made); on
 * an error nothing is left registered.
 */
LONG apprt_register(struct apprt *rt, const char *name, DWORD *api);

/*
 * Makes @rt a runtime without a registration: only its wake descriptor,
 * for an owner that is no application of the line API but wants the
 * rest (the engine running its deadlines, deferred actions and the
 * deliveries): RAS in client mode, whose connections are tapixd's
 * (src/ras/rclient.c). on_message and on_reply are then never called.
 * Returns 0 or -errno.
 */
int apprt_open(struct apprt *rt);

/* Moves the registration made in @tmp (apprt_register) into @rt. */
void apprt_adopt_locked(struct apprt *rt, const struct apprt *tmp);

/*
 * Starts the engine thread. @detached: when on_tick stops it, the engine
 * itself runs the actions left, ends the registration (lineShutdown,
 * descriptors closed) and runs on_stopped; otherwise the owner stops it
 * (on_tick returns false after apprt_wake), then calls apprt_join and
 * apprt_unregister. 0 or -errno (then the registration is the owner's to
 * end).
 */
int apprt_start(struct apprt *rt, bool detached);

/* Wakes the engine (a new deadline, or to stop). Any thread, any lock. */
void apprt_wake(const struct apprt *rt);

/* Waits for a joinable engine to end; never from the engine itself. */
void apprt_join(struct apprt *rt);

/*
 * Runs the actions left, then lineShutdown and the wake descriptor closed
 * (not after a detached engine, which does it itself). With no lock held,
 * after apprt_join.
 */
void apprt_unregister(struct apprt *rt);

#endif /* TAPIX_APPRT_H */
