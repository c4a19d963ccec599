/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * No lock is held across a provider call (DESIGN.md): while one thread's
 * synchronous provider call is held at the gate provider's gate, other
 * threads' TAPI functions that do not need that call still return.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "fx.h"

/* The gate provider's test hooks (tests/providers/gate.c). */
#define GATE_GET_LINE_DEV_STATUS 1
static void (*gate_close)(int fn, DWORD dev);
static int (*gate_wait_held)(unsigned ms);
static void (*gate_open)(void);
static void *gate;

static int setup(void **state)
{
	(void)state;
	fx_config("[tapix]\nproviders = gate\n");
	/* the provider TAPI loads: the same object, its hooks */
	gate = dlopen(TAPIX_TEST_GATE, RTLD_NOW);
	if (!gate)
		return -1;
	*(void **)&gate_close = dlsym(gate, "gate_test_close");
	*(void **)&gate_wait_held = dlsym(gate, "gate_test_wait_held");
	*(void **)&gate_open = dlsym(gate, "gate_test_open");
	return gate_close && gate_wait_held && gate_open ? 0 : -1;
}

static int teardown(void **state)
{
	if (gate)
		dlclose(gate);
	gate = NULL;
	return fx_teardown(state);
}

/* A TAPI function run in a thread of its own, watched with a deadline. */
struct probe {
	struct fx_app *a;
	HLINE line;
	LONG (*fn)(struct probe *p);
	LONG r;
	bool done;
	pthread_t t;
	pthread_mutex_t m;
	pthread_cond_t c;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	LONG r = p->fn(p);

	pthread_mutex_lock(&p->m);
	p->r = r;
	p->done = true;
	pthread_cond_broadcast(&p->c);
	pthread_mutex_unlock(&p->m);
	return NULL;
}

static void probe_start(struct probe *p, struct fx_app *a, HLINE line,
                        LONG (*fn)(struct probe *p))
{
	p->a = a;
	p->line = line;
	p->fn = fn;
	p->done = false;
	pthread_mutex_init(&p->m, NULL);
	pthread_cond_init(&p->c, NULL);
	assert_int_equal(pthread_create(&p->t, NULL, probe_main, p), 0);
}

/* Whether @p returned within @ms. */
static bool probe_done_within(struct probe *p, unsigned ms)
{
	struct timespec t;
	bool done;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->m);
	while (!p->done)
		if (pthread_cond_timedwait(&p->c, &p->m, &t) == ETIMEDOUT)
			break;
	done = p->done;
	pthread_mutex_unlock(&p->m);
	return done;
}

static void probe_join(struct probe *p)
{
	pthread_join(p->t, NULL);
	pthread_cond_destroy(&p->c);
	pthread_mutex_destroy(&p->m);
}

static LONG dev_status(struct probe *p)
{
	LINEDEVSTATUS ds;

	memset(&ds, 0, sizeof(ds));
	ds.dwTotalSize = sizeof(ds);
	return lineGetLineDevStatus(p->line, &ds);
}

static LONG dev_caps(struct probe *p)
{
	LINEDEVCAPS dc;

	memset(&dc, 0, sizeof(dc));
	dc.dwTotalSize = sizeof(dc);
	return lineGetDevCaps(p->a->h, 1, 0x00020002, 0, &dc);
}

static LONG get_message(struct probe *p)
{
	LINEMESSAGE m;

	return lineGetMessage(p->a->h, &m, 0);
}

static LONG close_line(struct probe *p)
{
	return lineClose(p->line);
}

static void test_provider_call_holds_no_lock(void **s)
{
	struct probe held, caps, msg, cl;
	struct fx_app a;
	HLINE l0, l1;
	bool caps_ok, msg_ok, cl_ok;

	(void)s;
	fx_app_init(&a, "a");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_NONE, 0);
	fx_consume_all(&a);

	gate_close(GATE_GET_LINE_DEV_STATUS, 0);
	probe_start(&held, &a, l0, dev_status);
	assert_int_equal(gate_wait_held(10000), 0);
	/* the held call is in the provider: each of these must not wait */
	probe_start(&caps, &a, 0, dev_caps);
	caps_ok = probe_done_within(&caps, 5000);
	probe_start(&msg, &a, 0, get_message);
	msg_ok = probe_done_within(&msg, 5000);
	probe_start(&cl, &a, l1, close_line);
	cl_ok = probe_done_within(&cl, 5000);
	assert_false(held.done);
	gate_open();

	probe_join(&held);
	probe_join(&caps);
	probe_join(&msg);
	probe_join(&cl);
	assert_true(caps_ok);
	assert_true(msg_ok);
	assert_true(cl_ok);
	assert_int_equal(held.r, 0);
	assert_int_equal(caps.r, 0);
	assert_int_equal(cl.r, 0);
	assert_int_equal(lineClose(l0), 0);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_call_holds_no_lock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
