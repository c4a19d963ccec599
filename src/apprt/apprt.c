/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The application runtime of libtapix's own TAPI applications (apprt.h). */
#define LOG_MODULE "apprt"
#include "apprt/apprt.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "util/clock.h"
#include "util/lockcheck.h"
#include "util/log.h"
#include "util/loghold.h"
#include "util/mem.h"

enum {
	REQ_IDLE,     /* not tracked */
	REQ_QUEUED,   /* a deferred action will start it (req->act) */
	REQ_STARTING, /* its line API function runs: its id is unknown */
	REQ_PENDING,  /* in apprt.reqs, waiting for its LINE_REPLY */
};

void apprt_init(struct apprt *rt, pthread_mutex_t *lock, void *owner)
{
	memset(rt, 0, sizeof(*rt));
	rt->lock = lock;
	rt->owner = owner;
	rt->wake_fd = rt->line_fd = -1;
	pthread_cond_init(&rt->cond, NULL);
	list_init(&rt->acts);
	list_init(&rt->reqs);
	pthread_cond_init(&rt->deliver.cond, NULL);
	list_init(&rt->deliver.posts);
}

void apprt_destroy(struct apprt *rt)
{
	pthread_cond_destroy(&rt->deliver.cond);
	pthread_cond_destroy(&rt->cond);
}

/* ---- the owner's lock ---------------------------------------------------- */

void apprt_lock(struct apprt *rt)
{
	pthread_mutex_lock(rt->lock);
	log_hold();
	lockcheck_app_note(1);
}

static void unlock_only(struct apprt *rt)
{
	lockcheck_app_note(-1);
	pthread_mutex_unlock(rt->lock);
	log_release();
}

void apprt_unlock(struct apprt *rt)
{
	apprt_flush_locked(rt);
	unlock_only(rt);
}

/* ---- deferred callouts --------------------------------------------------- */

bool apprt_defer_locked(struct apprt *rt, apprt_act_fn *fn, uint32_t h,
                        struct apprt_req *q, apprt_done_fn *done,
                        uint64_t cookie)
{
	struct apprt_act *a = mem_zalloc(sizeof(*a));

	if (!a)
		return false;
	a->fn = fn;
	a->done = done;
	a->h = h;
	a->cookie = cookie;
	if (q) {
		q->state = REQ_QUEUED;
		q->act = a;
		q->id = 0;
		a->req = q;
	}
	list_add_tail(&rt->acts, &a->link);
	return true;
}

LONG apprt_do_drop(struct apprt_act *a)
{
	return lineDrop((HCALL)a->h, NULL, 0);
}

LONG apprt_do_close(struct apprt_act *a)
{
	return lineClose((HLINE)a->h);
}

LONG apprt_do_deallocate(struct apprt_act *a)
{
	return lineDeallocateCall((HCALL)a->h);
}

/* A request started by an action of this batch is settled (@r). */
static void settle_locked(struct apprt *rt, struct apprt_req *q, LONG r)
{
	q->act = NULL;
	if (r > 0) {
		q->state = REQ_PENDING;
		q->id = r;
		list_add_tail(&rt->reqs, &q->link);
		return;
	}
	q->state = REQ_IDLE;
	if (rt->on_reply)
		rt->on_reply(rt->owner, q, r, false);
}

void apprt_flush_locked(struct apprt *rt)
{
	struct list_node batch, *it, *tmp;

	while (!list_empty(&rt->acts) || rt->flushing) {
		if (rt->flushing) {
			/* another thread runs them, in order: wait until its
			 * batch (which may hold ours) is done */
			pthread_cond_wait(&rt->cond, rt->lock);
			continue;
		}
		rt->flushing = true;
		list_init(&batch);
		list_splice_tail(&batch, &rt->acts);
		list_foreach(it, &batch) {
			struct apprt_act *a =
				list_entry(it, struct apprt_act, link);

			if (a->req) {
				/* a LINE_REPLY read meanwhile waits for it */
				a->req->state = REQ_STARTING;
				a->counted = true;
				rt->starting++;
			}
		}
		/* no lock held: the line API is called here only */
		unlock_only(rt);
		list_foreach(it, &batch) {
			struct apprt_act *a =
				list_entry(it, struct apprt_act, link);

			a->result = a->fn(a);
		}
		apprt_lock(rt);
		list_foreach_safe(it, tmp, &batch) {
			struct apprt_act *a =
				list_entry(it, struct apprt_act, link);

			list_del(&a->link);
			if (a->counted)
				rt->starting--;
			/* (NULL: the owner cancelled the request meanwhile) */
			if (a->req)
				settle_locked(rt, a->req, a->result);
			if (a->done)
				a->done(rt->owner, a);
			mem_free(a);
		}
		rt->flushing = false;
		pthread_cond_broadcast(&rt->cond);
	}
}

/* ---- pending requests ------------------------------------------------------
 */

void apprt_req_init(struct apprt_req *q)
{
	memset(q, 0, sizeof(*q));
	list_init(&q->link);
	q->state = REQ_IDLE;
}

bool apprt_req_is_tracked(const struct apprt_req *q)
{
	return q->state != REQ_IDLE;
}

void apprt_req_begin_locked(struct apprt *rt, struct apprt_req *q,
                            uint32_t timeout_ms)
{
	q->state = REQ_STARTING;
	q->act = NULL;
	q->id = 0;
	q->deadline.tv_sec = 0;
	q->deadline.tv_nsec = 0;
	if (timeout_ms)
		clock_after_ms(CLOCK_MONOTONIC, timeout_ms, &q->deadline);
	rt->starting++;
}

bool apprt_req_started_locked(struct apprt *rt, struct apprt_req *q, LONG r)
{
	bool live = q->state == REQ_STARTING;

	rt->starting--;
	pthread_cond_broadcast(&rt->cond);
	if (!live || r <= 0) {
		q->state = REQ_IDLE;
		return false;
	}
	q->state = REQ_PENDING;
	q->id = r;
	list_add_tail(&rt->reqs, &q->link);
	return true;
}

void apprt_req_cancel_locked(struct apprt *rt, struct apprt_req *q)
{
	(void)rt;
	switch (q->state) {
	case REQ_QUEUED:
	case REQ_STARTING:
		/* the action (if any) forgets it; a direct start finds it
		 * idle (apprt_req_started_locked) */
		if (q->act)
			q->act->req = NULL;
		break;
	case REQ_PENDING:
		list_del(&q->link);
		break;
	default:
		return;
	}
	q->act = NULL;
	q->state = REQ_IDLE;
}

/* LINE_REPLY @id: to the request that waits for it. One being started may
 * be it: its starter gives its id first. */
static void reply_locked(struct apprt *rt, LONG id, LONG result)
{
	struct list_node *it;

	for (;;) {
		list_foreach(it, &rt->reqs) {
			struct apprt_req *q =
				list_entry(it, struct apprt_req, link);

			if (q->id != id)
				continue;
			list_del(&q->link);
			q->state = REQ_IDLE;
			if (rt->on_reply)
				rt->on_reply(rt->owner, q, result, false);
			return;
		}
		if (!rt->starting)
			break;
		pthread_cond_wait(&rt->cond, rt->lock);
	}
	log_debug("LINE_REPLY %08x: nobody waits for it", (unsigned)id);
}

static bool passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec ||
	       (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/* Makes *@next the earlier of itself and @ts (tv_sec 0: none). */
static void nearest(struct timespec *next, const struct timespec *ts)
{
	if (ts->tv_sec &&
	    (!next->tv_sec || ts->tv_sec < next->tv_sec ||
	     (ts->tv_sec == next->tv_sec && ts->tv_nsec < next->tv_nsec)))
		*next = *ts;
}

/* Requests whose deadline passed end (on_reply, expired); the nearest
 * deadline left goes into *@next. */
static void expire_locked(struct apprt *rt, struct timespec *next)
{
	struct list_node *it;

again:
	list_foreach(it, &rt->reqs) {
		struct apprt_req *q = list_entry(it, struct apprt_req, link);

		if (!q->deadline.tv_sec)
			continue;
		if (passed(&q->deadline)) {
			list_del(&q->link);
			q->state = REQ_IDLE;
			if (rt->on_reply)
				rt->on_reply(rt->owner, q,
				             LINEERR_OPERATIONFAILED, true);
			goto again; /* (it may have changed the table) */
		}
	}
	list_foreach(it, &rt->reqs)
		nearest(next,
		        &list_entry(it, struct apprt_req, link)->deadline);
}

/* ---- registration and engine --------------------------------------------- */

LONG apprt_register(struct apprt *rt, const char *name, DWORD *api)
{
	LINEINITIALIZEEXPARAMS ip;
	LONG r;

	rt->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rt->wake_fd < 0)
		return LINEERR_NOMEM;
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	rt->ndevs = 0;
	r = lineInitializeEx(&rt->app, NULL, NULL, name, &rt->ndevs, api, &ip);
	if (r != 0) {
		close(rt->wake_fd);
		rt->wake_fd = -1;
		return r;
	}
	rt->line_fd = TAPIX_HANDLE_TO_FD(ip.Handles.hEvent);
	rt->joinable = false;
	return 0;
}

int apprt_open(struct apprt *rt)
{
	rt->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rt->wake_fd < 0)
		return -errno;
	rt->app = 0;
	rt->ndevs = 0;
	rt->line_fd = -1; /* (poll ignores it) */
	rt->joinable = false;
	return 0;
}

void apprt_adopt_locked(struct apprt *rt, const struct apprt *tmp)
{
	rt->app = tmp->app;
	rt->ndevs = tmp->ndevs;
	rt->line_fd = tmp->line_fd;
	rt->wake_fd = tmp->wake_fd;
	rt->joinable = false;
}

void apprt_wake(const struct apprt *rt)
{
	uint64_t one = 1;

	if (rt->wake_fd >= 0 && write(rt->wake_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("cannot wake an engine: %s", strerror(errno));
}

/* Milliseconds from now to @next (none: -1), at most a minute. */
static int wait_ms(const struct timespec *next)
{
	struct timespec now;
	long long d;

	if (!next->tv_sec)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (long long)(next->tv_sec - now.tv_sec) * 1000 +
	    (next->tv_nsec - now.tv_nsec) / 1000000 + 1;
	return d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
}

struct run {
	struct apprt *rt;
	bool detached;
};

static void *engine_main(void *arg)
{
	struct run run = *(struct run *)arg;
	struct apprt *rt = run.rt;
	void (*on_stopped)(void *owner);
	struct pollfd pfd[2];
	HLINEAPP app;
	void *owner;
	int wake_fd;

	mem_free(arg);
	apprt_lock(rt);
	/* a detached engine's registration is its own: the owner may make
	 * the next one in @rt before this one has ended */
	app = rt->app;
	wake_fd = rt->wake_fd;
	on_stopped = rt->on_stopped;
	owner = rt->owner;
	pfd[0].fd = rt->line_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = wake_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		struct timespec next = {0}, rnext = {0};
		LINEMESSAGE m;
		uint64_t v;
		int ms;

		expire_locked(rt, &rnext);
		if (!rt->on_tick(rt->owner, &next))
			break;
		nearest(&next, &rnext);
		/* what the tick deferred, before the wait */
		apprt_flush_locked(rt);
		unlock_only(rt);
		ms = wait_ms(&next);
		if (poll(pfd, 2, ms) < 0 && errno != EINTR)
			log_err("engine: poll: %s", strerror(errno));
		if ((pfd[1].revents & POLLIN) &&
		    read(wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_warn("engine: %s", strerror(errno));
		/* no call into the line API under the owner's lock; what a
		 * message deferred runs before the next one is read */
		while (app && lineGetMessage(app, &m, 0) == 0) {
			apprt_lock(rt);
			if (m.dwMessageID == LINE_REPLY)
				reply_locked(rt, (LONG)m.dwParam1,
				             (LONG)m.dwParam2);
			else
				rt->on_message(rt->owner, &m);
			apprt_unlock(rt);
		}
		apprt_lock(rt);
	}
	/* the actions left (the last teardown's), while registered */
	apprt_flush_locked(rt);
	if (run.detached && rt->wake_fd == wake_fd)
		rt->wake_fd = -1;
	unlock_only(rt);
	if (run.detached) {
		if (app)
			lineShutdown(app);
		close(wake_fd);
		if (on_stopped)
			on_stopped(owner);
	}
	return NULL;
}

int apprt_start(struct apprt *rt, bool detached)
{
	struct run *run = mem_alloc(sizeof(*run));
	pthread_attr_t attr;
	int e;

	if (!run)
		return -ENOMEM;
	run->rt = rt;
	run->detached = detached;
	pthread_attr_init(&attr);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&rt->thread, &attr, engine_main, run);
	pthread_attr_destroy(&attr);
	if (e) {
		mem_free(run);
		return -e;
	}
	rt->joinable = !detached;
	return 0;
}

void apprt_join(struct apprt *rt)
{
	if (!rt->joinable)
		return;
	pthread_join(rt->thread, NULL);
	rt->joinable = false;
}

void apprt_unregister(struct apprt *rt)
{
	apprt_lock(rt);
	apprt_flush_locked(rt);
	unlock_only(rt);
	lineShutdown(rt->app);
	if (rt->wake_fd >= 0)
		close(rt->wake_fd);
	rt->wake_fd = -1;
}
