/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registrations and their message queues, and the three ways messages reach
 * an app (spec: tapi-messages-and-states.md §1): a pollable eventfd with
 * lineGetMessage, callbacks on a delivery thread, or records written to the
 * app's own descriptor by a delivery thread.
 */
#define LOG_MODULE "core"
#include "core/core.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"
#include "util/mem.h"

#define MSGQ_MIN 64u

int msgq_init(struct msgq *q)
{
	/* reserved up front: a burst of messages needs no allocation */
	q->ring = mem_alloc(MSGQ_MIN * sizeof(*q->ring));
	if (!q->ring)
		return -1;
	q->cap = MSGQ_MIN;
	q->head = q->count = 0;
	return 0;
}

void msgq_fini(struct msgq *q)
{
	mem_free(q->ring);
	memset(q, 0, sizeof(*q));
}

/* Appends @m; false only when the ring cannot grow (the message is lost). */
static bool msgq_push(struct msgq *q, const struct qmsg *m)
{
	if (q->count == q->cap) {
		uint32_t ncap = q->cap ? q->cap * 2 : MSGQ_MIN;
		struct qmsg *nr = mem_alloc((size_t)ncap * sizeof(*nr));
		uint32_t i;

		if (!nr)
			return false;
		for (i = 0; i < q->count; i++)
			nr[i] = q->ring[(q->head + i) & (q->cap - 1)];
		mem_free(q->ring);
		q->ring = nr;
		q->cap = ncap;
		q->head = 0;
	}
	q->ring[(q->head + q->count) & (q->cap - 1)] = *m;
	q->count++;
	return true;
}

static bool msgq_pop(struct msgq *q, struct qmsg *out)
{
	if (q->count == 0)
		return false;
	*out = q->ring[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->count--;
	return true;
}

static void evfd_set(struct app *app, bool on)
{
	uint64_t v = 1;
	ssize_t n;

	if (app->evfd < 0 || app->evfd_set == on)
		return;
	if (on)
		n = write(app->evfd, &v, sizeof(v));
	else
		n = read(app->evfd, &v, sizeof(v));
	if (n != (ssize_t)sizeof(v) && !(n < 0 && errno == EAGAIN))
		log_warn("app %08x: event descriptor update failed", app->h);
	app->evfd_set = on;
}

void app_ref_locked(struct app *app)
{
	core_assert_locked();
	app->refs++;
}

void app_unref_locked(struct app *app)
{
	core_assert_locked();
	if (--app->refs > 0)
		return;
	if (app->evfd >= 0)
		close(app->evfd);
	if (app->wakefd >= 0)
		close(app->wakefd);
	msgq_fini(&app->q);
	pthread_cond_destroy(&app->cond);
	mem_free(app->name);
	mem_free(app->module);
	mem_free(app);
}

struct app *app_get_locked(uint32_t h)
{
	struct app *app;

	core_assert_locked();
	app = htab_get(&core.handles, h, OBJ_APP);
	return app && app->life == LIFE_ALIVE ? app : NULL;
}

void app_post_locked(struct app *app, uint32_t guard, uint32_t hdev,
                     uint32_t msg, DWORD_PTR cbinst, DWORD_PTR p1, DWORD_PTR p2,
                     DWORD_PTR p3)
{
	struct qmsg m;

	core_assert_locked();
	if (app->life != LIFE_ALIVE)
		return;
	m.m.hDevice = hdev;
	m.m.dwMessageID = msg;
	m.m.dwCallbackInstance = cbinst;
	m.m.dwParam1 = p1;
	m.m.dwParam2 = p2;
	m.m.dwParam3 = p3;
	m.guard = guard;
	if (!msgq_push(&app->q, &m)) {
		log_err("app %08x: out of memory, message %u lost", app->h,
		        (unsigned)msg);
		return;
	}
	if (app->q.count == 1) {
		if (!app->quiet)
			evfd_set(app, true);
		pthread_cond_broadcast(&app->cond);
	}
}

bool app_pop_locked(struct app *app, LINEMESSAGE *out)
{
	core_assert_locked();
	return app_pop_guarded_locked(app, out, NULL);
}

bool app_pop_guarded_locked(struct app *app, LINEMESSAGE *out, uint32_t *guard)
{
	struct qmsg m;
	bool found = false;

	core_assert_locked();
	while (msgq_pop(&app->q, &m)) {
		/*
		 * spec: tapi-messages-and-states.md §2 — nothing is delivered
		 * for a handle that died after the message was queued.
		 */
		if (m.guard && !htab_get(&core.handles, m.guard, 0))
			continue;
		*out = m.m;
		if (guard)
			*guard = m.guard;
		found = true;
		break;
	}
	if (app->q.count == 0)
		evfd_set(app, false);
	return found;
}

void app_quiet_locked(struct app *app, bool quiet)
{
	core_assert_locked();
	app->quiet = quiet;
	if (!quiet && app->q.count)
		evfd_set(app, true);
}

void app_kill_locked(struct app *app)
{
	core_assert_locked();
	app->life = LIFE_DEAD;
	app->q.count = 0;
	evfd_set(app, false);
	pthread_cond_broadcast(&app->cond);
	if (app->wakefd >= 0) {
		uint64_t v = 1;

		if (write(app->wakefd, &v, sizeof(v)) < 0)
			log_debug("app %08x: wake failed", app->h);
	}
}

/* Writes one record to the app's descriptor; false when the app died. */
static bool port_write(struct app *app, const LINEMESSAGE *m)
{
	struct {
		DWORD_PTR key;
		LINEMESSAGE msg;
	} rec;
	struct pollfd pfd[2];

	memset(&rec, 0, sizeof(rec));
	rec.key = app->port_key;
	rec.msg = *m;
	pfd[0].fd = app->portfd;
	pfd[0].events = POLLOUT;
	pfd[1].fd = app->wakefd;
	pfd[1].events = POLLIN;
	for (;;) {
		ssize_t n;

		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("app %08x: poll failed: %s", app->h,
			        strerror(errno));
			return false;
		}
		if (pfd[1].revents)
			return false; /* lineShutdown: nothing more is written
			               */
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			log_warn("app %08x: completion descriptor unusable",
			         app->h);
			return false;
		}
		n = write(app->portfd, &rec, sizeof(rec));
		if (n == (ssize_t)sizeof(rec))
			return true;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		log_warn("app %08x: completion descriptor write failed",
		         app->h);
		return false;
	}
}

static void *delivery_main(void *arg)
{
	struct app *app = arg;
	LINEMESSAGE m;

	core_lock();
	for (;;) {
		while (app->life == LIFE_ALIVE && !app_pop_locked(app, &m))
			pthread_cond_wait(&app->cond, &core.lock);
		if (app->life != LIFE_ALIVE)
			break;
		core_unlock();
		/* No lock held: the callback may call any TAPI function. */
		core_assert_unlocked();
		if (app->mode == LINEINITIALIZEEXOPTION_USEHIDDENWINDOW)
			app->cb(m.hDevice, m.dwMessageID, m.dwCallbackInstance,
			        m.dwParam1, m.dwParam2, m.dwParam3);
		else if (!port_write(app, &m)) {
			core_lock();
			continue;
		}
		core_lock();
	}
	if (app->detach)
		pthread_detach(pthread_self());
	app_unref_locked(app);
	core_unlock();
	return NULL;
}

LONG app_start_delivery(struct app *app)
{
	int err;

	if (app->mode == LINEINITIALIZEEXOPTION_USEEVENT)
		return 0;
	if (app->mode == LINEINITIALIZEEXOPTION_USECOMPLETIONPORT) {
		app->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (app->wakefd < 0)
			return LINEERR_RESOURCEUNAVAIL;
	}
	app->refs++; /* the delivery thread's reference */
	err = pthread_create(&app->thread, NULL, delivery_main, app);
	if (err) {
		app->refs--;
		return LINEERR_RESOURCEUNAVAIL;
	}
	app->has_thread = true;
	return 0;
}

void app_stop_delivery(struct app *app)
{
	/*
	 * Called after app_kill_locked, without locks. From the delivery
	 * thread itself (lineShutdown in a callback) the thread detaches
	 * when the callback returns; from any other thread we wait, so no
	 * callback runs after lineShutdown returns.
	 */
	if (!app->has_thread)
		return;
	if (pthread_equal(app->thread, pthread_self()))
		return;
	pthread_join(app->thread, NULL);
}
