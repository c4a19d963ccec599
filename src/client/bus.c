/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define LOG_MODULE "client"
#include "client/bus.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "core/config.h"
#include "util/log.h"

int client_bus_connect(const char *where, sd_bus **out)
{
	sd_bus *bus = NULL;
	int e;

	*out = NULL;
	if (strcmp(where, "system") == 0) {
		e = sd_bus_open_system(&bus);
	} else if (strcmp(where, "session") == 0) {
		e = sd_bus_open_user(&bus);
	} else {
		e = sd_bus_new(&bus);
		if (e >= 0)
			e = sd_bus_set_address(bus, where);
		if (e >= 0)
			e = sd_bus_set_bus_client(bus, 1);
		if (e >= 0)
			e = sd_bus_start(bus);
	}
	if (e < 0) {
		sd_bus_flush_close_unref(bus);
		return e;
	}
	*out = bus;
	return 0;
}

const char *tapix_service(char *buf, size_t size)
{
	const char *env = getenv("TAPIX_SERVICE");
	const char *r = NULL;
	struct conf c;

	if (!buf || !size)
		return NULL;
	buf[0] = '\0';
	if (env) {
		if (*env && strlen(env) < size) {
			snprintf(buf, size, "%s", env);
			r = buf;
		}
		return r;
	}
	memset(&c, 0, sizeof(c));
	if (conf_load(&c) == 0 && c.service && *c.service &&
	    strlen(c.service) < size) {
		snprintf(buf, size, "%s", c.service);
		r = buf;
	}
	conf_free(&c);
	return r;
}

int bus_caller_init(struct bus_caller *c)
{
	c->poller = c->away = false;
	c->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return c->wakefd < 0 ? -errno : 0;
}

void bus_caller_done(struct bus_caller *c)
{
	if (c->wakefd >= 0)
		close(c->wakefd);
	c->wakefd = -1;
}

/* A call's reply, once it came (on_reply). */
struct bus_wait {
	struct bus_caller *c;
	sd_bus_message *reply;
	bool done;
};

/* Wakes the poller from its poll(). */
static void wake(struct bus_caller *c)
{
	uint64_t one = 1;

	if (write(c->wakefd, &one, sizeof(one)) < 0)
		log_debug("cannot wake the poller: %s", strerror(errno));
}

/* Run by whoever dispatches the connection, the owner's lock held. */
static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct bus_wait *w = userdata;
	struct bus_caller *c = w->c;

	(void)e;
	w->reply = sd_bus_message_ref(m);
	w->done = true;
	/* the poller may be waiting for its own, read by us */
	if (c->away)
		wake(c);
	pthread_cond_broadcast(c->turn);
	return 0;
}

/* How long poll() waits for @bus's earliest reply time limit. */
static int poll_ms(sd_bus *bus)
{
	uint64_t until = UINT64_MAX, now;
	struct timespec ts;

	if (sd_bus_get_timeout(bus, &until) < 0 || until == UINT64_MAX)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
	if (until <= now)
		return 0;
	if (until - now > 3600000000u)
		return 3600000;
	return (int)((until - now + 999) / 1000);
}

/*
 * Waits for replies until *@done, or a while: as the poller if there is
 * none or it is this thread (*@mine: it stays the poller until its reply
 * came, poller_leave), else on the cond. sd-bus answers for the peer once
 * a reply's time is up. 0, or -errno when the connection cannot be read.
 */
static int wait_bus(struct bus_caller *c, sd_bus *bus, const bool *done,
                    bool *mine)
{
	struct pollfd pf[2];
	int e, n;

	if (c->poller && !*mine) {
		pthread_cond_wait(c->turn, c->mutex);
		return 0;
	}
	/* what was read already (by the owner's reader, say); the rest, once
	 * the reply is there, is the caller's to read (sd-bus may keep read
	 * messages back: the owner's reader wakes for the socket only) */
	while ((e = sd_bus_process(bus, NULL)) > 0)
		if (*done)
			return 0;
	if (e < 0)
		return e;
	e = sd_bus_get_events(bus);
	if (e < 0)
		return e;
	pf[0].fd = sd_bus_get_fd(bus);
	pf[0].events = (short)e;
	pf[1].fd = c->wakefd;
	pf[1].events = POLLIN;
	n = poll_ms(bus);
	if (!*mine) {
		c->poller = *mine = true;
		if (c->watch)
			c->watch(0);
	}
	c->away = true;
	c->unlock();
	e = poll(pf, 2, n);
	if (e < 0)
		e = errno == EINTR ? 0 : -errno; /* (a signal: again) */
	c->lock();
	c->away = false;
	if (e > 0 && (pf[1].revents & POLLIN)) {
		uint64_t v;

		if (read(c->wakefd, &v, sizeof(v)) < 0)
			log_debug("cannot clear the poller's wake");
	}
	return e < 0 ? e : 0;
}

/* The poller's reply came: another waiter reads the connection now. */
static void poller_leave(struct bus_caller *c, sd_bus *bus)
{
	int n = sd_bus_get_events(bus);

	c->poller = false;
	if (c->watch && n >= 0)
		c->watch(n);
	pthread_cond_broadcast(c->turn);
}

int bus_caller_call(struct bus_caller *c, sd_bus *bus, sd_bus_message *m,
                    uint64_t usec, sd_bus_message **reply)
{
	struct bus_wait w = {c, NULL, false};
	sd_bus_slot *slot = NULL;
	bool mine = false; /* this thread is the poller */
	int e;

	*reply = NULL;
	if (!m)
		e = -ENOMEM;
	else if (!bus || sd_bus_message_get_bus(m) != bus)
		e = -ENOTCONN; /* (built on a connection closed since) */
	else
		e = sd_bus_call_async(bus, &slot, m, on_reply, &w, usec);
	sd_bus_message_unref(m);
	/* the poller writes what did not fit into the socket now, and
	 * minds this one's time limit */
	if (e >= 0 && c->away)
		wake(c);
	while (e >= 0 && !w.done)
		e = wait_bus(c, bus, &w.done, &mine);
	if (mine)
		poller_leave(c, bus);
	/* (not answered: forgotten, its callback never runs) */
	sd_bus_slot_unref(slot);
	if (e >= 0 && sd_bus_message_is_method_error(w.reply, NULL)) {
		const sd_bus_error *err = sd_bus_message_get_error(w.reply);

		log_err("tapixd: %s", err && err->message ? err->message
		                      : err               ? err->name
		                                          : "an error");
		e = -EIO;
	} else if (e < 0) {
		log_err("tapixd: %s", strerror(-e));
	}
	if (e < 0) {
		sd_bus_message_unref(w.reply);
		return e;
	}
	*reply = w.reply;
	return 0;
}
