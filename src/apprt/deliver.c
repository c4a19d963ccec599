/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The delivery of a runtime's application callbacks: posts queued under
 * the owner's lock, run in order, one at a time, on the delivery thread
 * with no lock held (apprt.h, "Deliveries").
 */
#define LOG_MODULE "apprt"
#include <errno.h>
#include <stdint.h>

#include "apprt/apprt.h"
#include "util/log.h"
#include "util/mem.h"

enum {
	APPRT_POST_IDLE,    /* the owner's */
	APPRT_POST_QUEUED,  /* in apprt_deliver.posts */
	APPRT_POST_RUNNING, /* apprt_deliver.cur: begun, not ended */
};

/* The runtime whose delivery thread this is, or NULL. */
static __thread const struct apprt *delivering;

void apprt_post_init(struct apprt_post *p, apprt_begin_fn *begin,
                     apprt_call_fn *call, apprt_end_fn *end)
{
	list_init(&p->link);
	p->begin = begin;
	p->call = call;
	p->end = end;
	p->seq = 0;
	p->state = APPRT_POST_IDLE;
}

bool apprt_post_is_busy(const struct apprt_post *p)
{
	return p->state != APPRT_POST_IDLE;
}

bool apprt_in_delivery(const struct apprt *rt)
{
	return rt && delivering == rt;
}

/* @p is over: its end, and whoever waits for it. */
static void end_locked(struct apprt *rt, struct apprt_post *p, bool called)
{
	p->state = APPRT_POST_IDLE;
	if (p->end)
		p->end(rt->owner, p, called); /* (may free or post @p) */
	pthread_cond_broadcast(&rt->deliver.cond);
}

struct dstart {
	struct apprt *rt;
	unsigned gen;
};

static void *deliver_main(void *arg)
{
	struct dstart run = *(struct dstart *)arg;
	struct apprt *rt = run.rt;
	struct apprt_deliver *d = &rt->deliver;
	void (*on_end)(void *owner);
	void *owner;

	mem_free(arg);
	delivering = rt;
	apprt_lock(rt);
	for (;;) {
		struct apprt_post *p;
		bool called;

		/* one at a time: a stopped thread may still end its last */
		while (d->gen == run.gen && (list_empty(&d->posts) || d->cur))
			pthread_cond_wait(&d->cond, rt->lock);
		if (d->gen != run.gen)
			break;
		p = list_entry(d->posts.next, struct apprt_post, link);
		list_del(&p->link);
		p->state = APPRT_POST_RUNNING;
		d->cur = p;
		called = !p->begin || p->begin(rt->owner, p);
		if (called) {
			/* no lock held: the application's code */
			apprt_unlock(rt);
			p->call(p);
			apprt_lock(rt);
		}
		d->cur = NULL;
		end_locked(rt, p, called);
	}
	on_end = d->on_end;
	owner = rt->owner;
	apprt_unlock(rt);
	delivering = NULL;
	/* (the runtime may be freed from here on) */
	if (on_end)
		on_end(owner);
	return NULL;
}

int apprt_deliver_start_locked(struct apprt *rt, bool detached)
{
	struct apprt_deliver *d = &rt->deliver;
	struct dstart *run;
	pthread_attr_t attr;
	int e;

	if (d->live)
		return 0;
	if (d->joinable)
		return -EBUSY; /* the last one is not joined yet */
	run = mem_alloc(sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->rt = rt;
	run->gen = d->gen;
	pthread_attr_init(&attr);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&d->thread, &attr, deliver_main, run);
	pthread_attr_destroy(&attr);
	if (e) {
		mem_free(run);
		return -e;
	}
	d->live = true;
	d->joinable = !detached;
	return 0;
}

bool apprt_post_locked(struct apprt *rt, struct apprt_post *p)
{
	struct apprt_deliver *d = &rt->deliver;

	if (!d->live)
		return false;
	if (p->state != APPRT_POST_IDLE) {
		log_err("a delivery posted twice");
		return false;
	}
	p->seq = ++d->seq;
	p->state = APPRT_POST_QUEUED;
	list_add_tail(&d->posts, &p->link);
	pthread_cond_broadcast(&d->cond);
	return true;
}

/* Whether a post up to number @seq is queued or running. */
static bool due_locked(const struct apprt_deliver *d, uint64_t seq)
{
	if (d->cur && d->cur->seq <= seq)
		return true;
	/* (the queue is in the order posted) */
	return !list_empty(&d->posts) &&
	       list_entry(d->posts.next, struct apprt_post, link)->seq <= seq;
}

bool apprt_deliver_wait_locked(struct apprt *rt)
{
	struct apprt_deliver *d = &rt->deliver;
	uint64_t upto = d->seq;

	if (apprt_in_delivery(rt))
		return false;
	while (due_locked(d, upto))
		pthread_cond_wait(&d->cond, rt->lock);
	return true;
}

void apprt_deliver_stop_locked(struct apprt *rt)
{
	struct apprt_deliver *d = &rt->deliver;

	d->live = false;
	d->gen++; /* its thread ends after its current post */
	while (!list_empty(&d->posts)) {
		struct apprt_post *p =
			list_entry(d->posts.next, struct apprt_post, link);

		list_del(&p->link);
		end_locked(rt, p, false);
	}
	if (d->joinable && apprt_in_delivery(rt) &&
	    pthread_equal(d->thread, pthread_self())) {
		/* from a callback: it ends when the callback returns */
		pthread_detach(d->thread);
		d->joinable = false;
	}
	pthread_cond_broadcast(&d->cond);
}

void apprt_deliver_join(struct apprt *rt)
{
	struct apprt_deliver *d = &rt->deliver;

	if (!d->joinable)
		return;
	pthread_join(d->thread, NULL);
	d->joinable = false;
}
