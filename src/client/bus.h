/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reaching tapixd: which bus the process uses, and a connection to it.
 * Shared by the line API's client mode and the RAS client.
 */
#ifndef TAPIX_CLIENT_BUS_H
#define TAPIX_CLIENT_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

/*
 * Connects *@out to @where: "system", "session" or a D-Bus address.
 * 0 or a negative errno (nothing to free then).
 */
int client_bus_connect(const char *where, sd_bus **out);

/*
 * Method calls on a connection from several threads at once, with no lock
 * held while a call waits for its reply. The owner's lock guards the
 * connection (sd-bus is not thread-safe): a caller holds it to send, and
 * while callers wait one of them, the poller, reads the connection with
 * the lock released, the others sleep on @turn. Whoever dispatches the
 * connection meanwhile (sd_bus_process, the lock held) completes the
 * replies it reads, and wakes their callers.
 */
struct bus_caller {
	pthread_mutex_t *mutex; /* the owner's lock, for @turn's waits */
	void (*lock)(void);     /* takes it, as the owner does */
	void (*unlock)(void);   /* lets it go, as the owner does */
	/* optional: what the owner's reader thread may watch on the
	 * connection, sd_bus_get_events or 0 while the poller reads it */
	void (*watch)(int events);
	pthread_cond_t *turn; /* broadcast when a reply came or the poller
	                         left (the owner's, on @mutex) */
	int wakefd;           /* an eventfd: wakes the poller (its reply
	                         came, or a new call was sent) */
	bool poller;          /* a caller reads the connection */
	bool away;            /* ... in poll(), the lock released */
};

/* Its eventfd: 0 or -errno. */
int bus_caller_init(struct bus_caller *c);
void bus_caller_done(struct bus_caller *c);

/*
 * Sends @m (consumed) on @bus and waits for its reply, for @usec at most:
 * 0 and *@reply (unref it), or -errno (a D-Bus error: -EIO, logged). The
 * owner's lock held, released while waiting; @bus stays (the caller holds
 * a reference or the connection stays open meanwhile). What came after
 * the reply may be read and not yet dispatched: the caller dispatches it
 * (sd_bus_process until it returns 0) before it lets the lock go for
 * good, or the next call does.
 */
int bus_caller_call(struct bus_caller *c, sd_bus *bus, sd_bus_message *m,
                    uint64_t usec, sd_bus_message **reply);

#endif
