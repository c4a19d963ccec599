/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The application runtime's deliveries (src/apprt/deliver.c), on their
 * own: what RAS's notifiers and TAPI 3's event callbacks rely on. Posts
 * run in the order posted, one at a time, with no lock held; begin and
 * end run under the lock; apprt_deliver_wait_locked returns once what was
 * posted before it has ended; a stop drops what is queued, refuses what
 * comes after, and apprt_deliver_join returns once no callback runs;
 * stopped from inside a callback, the thread does not join itself and
 * ends once the callback returns; a new start after a stop waits for the
 * old thread's last callback. No timing: every wait is for an event.
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apprt/apprt.h"
#include "util/lockcheck.h"

/* ---- the line API, as far as the runtime's other half links it ---------- */

LONG WINAPI lineDrop(HCALL h, LPCSTR uui, DWORD size)
{
	(void)h;
	(void)uui;
	(void)size;
	return LINEERR_INVALCALLHANDLE;
}

LONG WINAPI lineClose(HLINE h)
{
	(void)h;
	return LINEERR_INVALLINEHANDLE;
}

LONG WINAPI lineDeallocateCall(HCALL h)
{
	(void)h;
	return LINEERR_INVALCALLHANDLE;
}

LONG WINAPI lineShutdown(HLINEAPP app)
{
	(void)app;
	return LINEERR_INVALAPPHANDLE;
}

LONG WINAPI lineGetMessage(HLINEAPP app, LPLINEMESSAGE m, DWORD timeout)
{
	(void)app;
	(void)m;
	(void)timeout;
	return LINEERR_INVALAPPHANDLE;
}

LONG WINAPI lineInitializeExA(LPHLINEAPP app, HINSTANCE inst, LINECALLBACK cb,
                              LPCSTR name, LPDWORD ndevs, LPDWORD api,
                              LPLINEINITIALIZEEXPARAMS ip)
{
	(void)app;
	(void)inst;
	(void)cb;
	(void)name;
	(void)ndevs;
	(void)api;
	(void)ip;
	return LINEERR_OPERATIONFAILED;
}

/* ---- the owner ------------------------------------------------------------
 */

#define MAX_LOG 64

struct owner {
	pthread_mutex_t lock;
	struct apprt rt;
	/* what happened, in order (guarded by lock) */
	int log[MAX_LOG]; /* the items called */
	unsigned nlog;
	unsigned ended, called_ended, skipped;
	unsigned threads_ended; /* on_end */
	bool lock_free_in_call; /* every call ran with the lock free */
	bool locked_in_end;     /* every begin and end ran under it */
	pthread_cond_t cond;    /* threads_ended moved */
};

struct item {
	struct apprt_post post;
	struct owner *o;
	int n;
	bool skip; /* begin says no */
	/* a call that waits: says it started, waits to be let go */
	sem_t *started, *go;
	/* stops the delivery from inside its call */
	bool stop_inside;
	bool inside_wait; /* what apprt_deliver_wait_locked returned there */
	bool inside_in_delivery;
	/* must not be called before this one ended */
	struct item *after;
	bool after_ok;
	bool ended, called;
};

/* How many runtime locks this thread holds (apprt_lock counts them: the
 * lock check is built into this test). */
static unsigned held(void)
{
	return lockcheck_app_held();
}

static bool item_begin(void *owner, struct apprt_post *p)
{
	struct owner *o = owner;
	struct item *it = container_of(p, struct item, post);

	o->locked_in_end &= held() == 1;
	return !it->skip;
}

static void item_call(struct apprt_post *p)
{
	struct item *it = container_of(p, struct item, post);
	struct owner *o = it->o;
	bool free_now = held() == 0;

	if (it->after) {
		apprt_lock(&o->rt);
		it->after_ok = it->after->ended;
		apprt_unlock(&o->rt);
	}
	if (it->started)
		sem_post(it->started);
	if (it->go)
		sem_wait(it->go);
	if (it->stop_inside) {
		apprt_lock(&o->rt);
		it->inside_in_delivery = apprt_in_delivery(&o->rt);
		apprt_deliver_stop_locked(&o->rt);
		it->inside_wait = apprt_deliver_wait_locked(&o->rt);
		apprt_unlock(&o->rt);
		apprt_deliver_join(&o->rt); /* (detached: returns at once) */
	}
	apprt_lock(&o->rt);
	o->lock_free_in_call &= free_now;
	if (o->nlog < MAX_LOG)
		o->log[o->nlog++] = it->n;
	apprt_unlock(&o->rt);
}

static void item_end(void *owner, struct apprt_post *p, bool called)
{
	struct owner *o = owner;
	struct item *it = container_of(p, struct item, post);

	o->locked_in_end &= held() == 1;
	it->ended = true;
	it->called = called;
	o->ended++;
	if (called)
		o->called_ended++;
	else
		o->skipped++;
}

static void thread_ended(void *owner)
{
	struct owner *o = owner;

	pthread_mutex_lock(&o->lock);
	o->threads_ended++;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

static void owner_init(struct owner *o)
{
	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	apprt_init(&o->rt, &o->lock, o);
	o->rt.deliver.on_end = thread_ended;
	o->lock_free_in_call = true;
	o->locked_in_end = true;
}

/* Waits until @n delivery threads have ended (each says so last). */
static void owner_wait_threads(struct owner *o, unsigned n)
{
	pthread_mutex_lock(&o->lock);
	while (o->threads_ended < n)
		pthread_cond_wait(&o->cond, &o->lock);
	pthread_mutex_unlock(&o->lock);
}

static void owner_fini(struct owner *o)
{
	apprt_destroy(&o->rt);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
}

static void item_init(struct item *it, struct owner *o, int n)
{
	memset(it, 0, sizeof(*it));
	apprt_post_init(&it->post, item_begin, item_call, item_end);
	it->o = o;
	it->n = n;
}

/* ---- tests ----------------------------------------------------------------
 */

/* In the order posted, from several bursts; begin may skip; wait returns
 * once everything posted before it has ended; calls hold no lock, begin
 * and end hold it. */
static void test_order_skip_and_wait(void **s)
{
	struct owner o;
	struct item it[40];
	unsigned i, n = 0;

	(void)s;
	owner_init(&o);
	item_init(&it[0], &o, 0);
	apprt_lock(&o.rt);
	/* nobody takes posts yet */
	assert_false(apprt_post_locked(&o.rt, &it[0].post));
	assert_false(apprt_post_is_busy(&it[0].post));
	assert_int_equal(apprt_deliver_start_locked(&o.rt, false), 0);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, false), 0);
	for (i = 0; i < 40; i++) {
		item_init(&it[i], &o, (int)i);
		it[i].skip = i % 5 == 4;
		assert_true(apprt_post_locked(&o.rt, &it[i].post));
		assert_true(apprt_post_is_busy(&it[i].post));
		if (i % 10 == 9) { /* (the thread may start meanwhile) */
			apprt_unlock(&o.rt);
			apprt_lock(&o.rt);
		}
	}
	assert_true(apprt_deliver_wait_locked(&o.rt));
	assert_int_equal(o.ended, 40);
	assert_int_equal(o.skipped, 8);
	assert_int_equal(o.nlog, 32);
	for (i = 0; i < 40; i++) {
		assert_false(apprt_post_is_busy(&it[i].post));
		assert_true(it[i].ended);
		assert_int_equal(it[i].called, i % 5 != 4);
		if (i % 5 != 4)
			assert_int_equal(o.log[n++], (int)i);
	}
	assert_true(o.lock_free_in_call);
	assert_true(o.locked_in_end);
	assert_false(apprt_in_delivery(&o.rt));
	/* a post may be posted again once it ended */
	assert_true(apprt_post_locked(&o.rt, &it[0].post));
	assert_true(apprt_deliver_wait_locked(&o.rt));
	assert_int_equal(o.log[o.nlog - 1], 0);
	apprt_deliver_stop_locked(&o.rt);
	apprt_unlock(&o.rt);
	apprt_deliver_join(&o.rt);
	assert_int_equal(o.threads_ended, 1);
	owner_fini(&o);
}

/* The stop, from another thread, while a callback runs: the queued posts
 * end unrun, later ones are refused, and once join returns the running
 * callback has returned and no other ran. */
static void test_no_callback_after_stop(void **s)
{
	struct owner o;
	struct item a, b, c, late;
	sem_t started, go;

	(void)s;
	owner_init(&o);
	sem_init(&started, 0, 0);
	sem_init(&go, 0, 0);
	item_init(&a, &o, 1);
	item_init(&b, &o, 2);
	item_init(&c, &o, 3);
	item_init(&late, &o, 4);
	a.started = &started;
	a.go = &go;
	apprt_lock(&o.rt);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, false), 0);
	assert_true(apprt_post_locked(&o.rt, &a.post));
	assert_true(apprt_post_locked(&o.rt, &b.post));
	assert_true(apprt_post_locked(&o.rt, &c.post));
	apprt_unlock(&o.rt);
	sem_wait(&started); /* a's callback runs */
	apprt_lock(&o.rt);
	apprt_deliver_stop_locked(&o.rt);
	assert_true(b.ended && !b.called);
	assert_true(c.ended && !c.called);
	assert_false(a.ended);
	assert_false(apprt_post_locked(&o.rt, &late.post));
	assert_false(apprt_post_is_busy(&late.post));
	apprt_unlock(&o.rt);
	sem_post(&go);
	apprt_deliver_join(&o.rt);
	/* nothing runs any more: what ran is final */
	assert_true(a.ended && a.called);
	assert_int_equal(o.nlog, 1);
	assert_int_equal(o.log[0], 1);
	assert_int_equal(o.threads_ended, 1);
	/* a joined runtime starts again */
	apprt_lock(&o.rt);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, false), 0);
	assert_true(apprt_post_locked(&o.rt, &late.post));
	assert_true(apprt_deliver_wait_locked(&o.rt));
	assert_true(late.called);
	apprt_deliver_stop_locked(&o.rt);
	apprt_unlock(&o.rt);
	apprt_deliver_join(&o.rt);
	assert_int_equal(o.threads_ended, 2);
	sem_destroy(&started);
	sem_destroy(&go);
	owner_fini(&o);
}

/* Stopped from inside a callback: the thread does not join itself (its
 * join returns at once, its own wait too), the posts after it end unrun,
 * and the thread ends once the callback returned. */
static void test_stop_from_inside_a_callback(void **s)
{
	struct owner o;
	struct item a, b, c;

	(void)s;
	owner_init(&o);
	item_init(&a, &o, 1);
	item_init(&b, &o, 2);
	item_init(&c, &o, 3);
	b.stop_inside = true;
	apprt_lock(&o.rt);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, false), 0);
	assert_true(apprt_post_locked(&o.rt, &a.post));
	assert_true(apprt_post_locked(&o.rt, &b.post));
	assert_true(apprt_post_locked(&o.rt, &c.post));
	apprt_unlock(&o.rt);
	owner_wait_threads(&o, 1);
	/* detached by the stop: nothing to join */
	apprt_deliver_join(&o.rt);
	assert_true(b.inside_in_delivery);
	assert_false(b.inside_wait);
	assert_true(a.called && b.called);
	assert_true(c.ended && !c.called);
	assert_int_equal(o.nlog, 2);
	assert_int_equal(o.log[0], 1);
	assert_int_equal(o.log[1], 2);
	owner_fini(&o);
}

/* Detached threads (RAS): stopped with no wait while a callback runs,
 * started again at once; the new thread's first callback comes only after
 * the old one's returned, and a wait covers the old one's too. */
static void test_restart_keeps_one_at_a_time(void **s)
{
	struct owner o;
	struct item a, b;
	sem_t started, go;

	(void)s;
	owner_init(&o);
	sem_init(&started, 0, 0);
	sem_init(&go, 0, 0);
	item_init(&a, &o, 1);
	item_init(&b, &o, 2);
	a.started = &started;
	a.go = &go;
	b.after = &a;
	apprt_lock(&o.rt);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, true), 0);
	assert_true(apprt_post_locked(&o.rt, &a.post));
	apprt_unlock(&o.rt);
	sem_wait(&started);
	apprt_lock(&o.rt);
	apprt_deliver_stop_locked(&o.rt);
	assert_int_equal(apprt_deliver_start_locked(&o.rt, true), 0);
	assert_true(apprt_post_locked(&o.rt, &b.post));
	apprt_unlock(&o.rt);
	sem_post(&go);
	apprt_lock(&o.rt);
	assert_true(apprt_deliver_wait_locked(&o.rt));
	assert_true(a.called && b.called);
	assert_true(b.after_ok);
	assert_int_equal(o.log[0], 1);
	assert_int_equal(o.log[1], 2);
	apprt_deliver_stop_locked(&o.rt);
	apprt_unlock(&o.rt);
	owner_wait_threads(&o, 2);
	sem_destroy(&started);
	sem_destroy(&go);
	owner_fini(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_skip_and_wait),
		cmocka_unit_test(test_no_callback_after_stop),
		cmocka_unit_test(test_stop_from_inside_a_callback),
		cmocka_unit_test(test_restart_keeps_one_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
