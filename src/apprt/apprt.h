/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The application runtime of libtapix's own TAPI applications: the RAS
 * connection manager (src/ras) and each TAPI 3 session (src/tapi3) are
 * applications of the line API, and this is what they share: their
 * registration (lineInitializeEx with LINEINITIALIZEEXOPTION_USEEVENT), a
 * wake descriptor, and the engine thread that waits on both, runs what is
 * due at the owner's deadlines and hands it the registration's messages.
 *
 * Locking: the engine takes the owner's lock (@lock) for each step and
 * never holds it across a call into the line API (lineGetMessage is
 * called unlocked); the owner's callbacks run under it and must not call
 * out either.
 */
#ifndef TAPIX_APPRT_H
#define TAPIX_APPRT_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include <tapi.h>

struct apprt {
	/* set by the owner before apprt_register */
	pthread_mutex_t *lock; /* the owner's */
	void *owner;
	/*
	 * Under *lock, before each wait: does what is due, puts the nearest
	 * deadline (CLOCK_MONOTONIC; tv_sec 0: none) in *@next, and returns
	 * false to stop the engine.
	 */
	bool (*on_tick)(void *owner, struct timespec *next);
	/* Under *lock: one message of the registration. */
	void (*on_message)(void *owner, const LINEMESSAGE *m);
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
};

/*
 * Registers @rt as the application @name at API version *@api (in: the
 * highest it knows; out: the one agreed), with a wake descriptor.
 * Returns 0 or the LINEERR_ of lineInitializeEx (LINEERR_NOMEM when no
 * descriptor could be made); on an error nothing is left registered.
 */
LONG apprt_register(struct apprt *rt, const char *name, DWORD *api);

/*
 * Starts the engine thread. @detached: when on_tick stops it, the engine
 * itself ends the registration (lineShutdown, descriptors closed) and runs
 * on_stopped; otherwise the owner stops it (on_tick returns false after
 * apprt_wake), then calls apprt_join and apprt_unregister. 0 or -errno
 * (then the registration is the owner's to end).
 */
int apprt_start(struct apprt *rt, bool detached);

/* Wakes the engine (a new deadline, or to stop). Any thread, any lock. */
void apprt_wake(const struct apprt *rt);

/* Waits for a joinable engine to end; never from the engine itself. */
void apprt_join(struct apprt *rt);

/* lineShutdown and the wake descriptor closed (not after a detached
 * engine, which does it itself). */
void apprt_unregister(struct apprt *rt);

#endif /* TAPIX_APPRT_H */
