/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Concurrency: apps on several threads, completions from the provider's
 * timer thread racing the functions that started them, callbacks that call
 * back into TAPI, and closes racing requests. Every loop is bounded; every
 * request must be answered exactly once (spec: tapi-functions.md §0.2).
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx.h"

#define THREADS 4
#define ROUNDS  150

static int setup(void **state)
{
	(void)state;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 10\n");
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

/* A thread's app: its own registration, waits without cmocka. */
struct worker {
	unsigned idx;
	HLINEAPP h;
	int fd;
	LINEMESSAGE q[256];
	unsigned nq;
	unsigned replies_bad;
	char err[160];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for a message matching (msg, hdev, p1); false after 5 s. */
static bool w_wait(struct worker *w, DWORD msg, DWORD hdev, DWORD_PTR p1,
                   LINEMESSAGE *out)
{
	long deadline = now_ms() + 5000;

	for (;;) {
		LINEMESSAGE m;
		unsigned i;

		for (i = 0; i < w->nq; i++) {
			if (w->q[i].dwMessageID == msg &&
			    (!hdev || w->q[i].hDevice == hdev) &&
			    (p1 == FX_ANY || w->q[i].dwParam1 == p1)) {
				if (out)
					*out = w->q[i];
				memmove(&w->q[i], &w->q[i + 1],
				        (w->nq - i - 1) * sizeof(w->q[0]));
				w->nq--;
				return true;
			}
		}
		if (now_ms() > deadline)
			return false;
		if (lineGetMessage(w->h, &m, 50) == 0) {
			if (w->nq == 256) /* drop the oldest unclaimed one */
				memmove(&w->q[0], &w->q[1],
				        255 * sizeof(w->q[0]));
			else
				w->nq++;
			w->q[w->nq - 1] = m;
		}
	}
}

/* Waits for the reply of @req and checks no second reply is queued. */
static LONG w_reply(struct worker *w, LONG req)
{
	LINEMESSAGE m;

	if (req <= 0)
		return req ? req : LINEERR_OPERATIONFAILED;
	if (!w_wait(w, LINE_REPLY, 0, (DWORD_PTR)req, &m))
		return 1;
	return (LONG)m.dwParam2;
}

#define FAIL(w, ...)                                               \
	do {                                                       \
		snprintf((w)->err, sizeof((w)->err), __VA_ARGS__); \
		return NULL;                                       \
	} while (0)

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	LINEINITIALIZEEXPARAMS p;
	DWORD ndevs, ver = 0x00020002;
	HLINE from, to;
	char dest[16];
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	if (lineInitializeEx(&w->h, NULL, NULL, "worker", &ndevs, &ver, &p))
		FAIL(w, "init");
	if (lineOpen(w->h, 2 * w->idx, &from, 0x20002, 0, 0,
	             LINECALLPRIVILEGE_NONE, 0, NULL) ||
	    lineOpen(w->h, 2 * w->idx + 1, &to, 0x20002, 0, 0,
	             LINECALLPRIVILEGE_OWNER, LINEMEDIAMODE_INTERACTIVEVOICE,
	             NULL))
		FAIL(w, "open");
	for (i = 0; i < ROUNDS; i++) {
		HCALL out = 0, in;
		LINEMESSAGE m;
		LONG r;

		/* every third call is slow: completions on esp's thread */
		snprintf(dest, sizeof(dest), "%s%u", i % 3 ? "" : "slow:1/",
		         101 + 2 * w->idx);
		r = w_reply(w, lineMakeCall(from, &out, dest, 0, NULL));
		if (r)
			FAIL(w, "round %u: make call: %x", i, (unsigned)r);
		if (!w_wait(w, LINE_APPNEWCALL, to, FX_ANY, &m))
			FAIL(w, "round %u: no new call", i);
		in = (HCALL)m.dwParam2;
		r = w_reply(w, lineAnswer(in, NULL, 0));
		if (r)
			FAIL(w, "round %u: answer: %x", i, (unsigned)r);
		if (!w_wait(w, LINE_CALLSTATE, out, LINECALLSTATE_CONNECTED,
		            NULL))
			FAIL(w, "round %u: not connected", i);
		if (w_reply(w, lineDrop(out, NULL, 0)) ||
		    !w_wait(w, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED,
		            NULL) ||
		    w_reply(w, lineDrop(in, NULL, 0)))
			FAIL(w, "round %u: drop", i);
		if (lineDeallocateCall(out) || lineDeallocateCall(in))
			FAIL(w, "round %u: deallocate", i);
		/* whatever is left of this call must be about these handles */
		while (w->nq) {
			DWORD h = w->q[0].hDevice;

			if (w->q[0].dwMessageID == LINE_REPLY)
				w->replies_bad++; /* a second reply */
			else if (h != out && h != in && h != to)
				FAIL(w, "round %u: stray message", i);
			memmove(&w->q[0], &w->q[1],
			        (w->nq - 1) * sizeof(w->q[0]));
			w->nq--;
		}
	}
	if (lineShutdown(w->h))
		FAIL(w, "shutdown");
	return NULL;
}

/* Several apps on several threads, completions from two threads. */
static void test_apps_on_many_threads(void **s)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct fx_app keep;
	unsigned i;

	(void)s;
	fx_app_init(&keep, "keep"); /* holds the session across workers */
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].idx = i;
		assert_int_equal(
			pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].err[0])
			fail_msg("worker %u: %s", i, w[i].err);
		assert_int_equal(w[i].replies_bad, 0);
	}
	fx_shutdown(&keep);
}

/* One app, one thread blocked in lineGetMessage, another calling. */
struct pump {
	HLINEAPP h;
	unsigned replies;
	unsigned states;
	bool stop;
};

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	LINEMESSAGE m;

	for (;;) {
		LONG r = lineGetMessage(p->h, &m, INFINITE);

		if (r == LINEERR_INVALAPPHANDLE)
			return NULL; /* lineShutdown */
		if (r)
			continue;
		if (m.dwMessageID == LINE_REPLY)
			__atomic_add_fetch(&p->replies, 1, __ATOMIC_RELAXED);
		else if (m.dwMessageID == LINE_CALLSTATE)
			__atomic_add_fetch(&p->states, 1, __ATOMIC_RELAXED);
	}
}

/*
 * spec: tapi-model.md §8 — a LINE_REPLY can reach a thread of the app
 * before the function that returned the request id has returned.
 */
static void test_blocked_reader_and_caller(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	struct pump pm;
	DWORD ndevs, ver = 0x00020002;
	pthread_t t;
	HLINE l;
	HCALL c[200];
	unsigned i, requests = 0;
	long deadline;

	(void)s;
	memset(&pm, 0, sizeof(pm));
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	assert_int_equal(
		lineInitializeEx(&pm.h, NULL, NULL, "pump", &ndevs, &ver, &p),
		0);
	assert_int_equal(lineOpen(pm.h, 0, &l, 0x20002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	assert_int_equal(pthread_create(&t, NULL, pump_main, &pm), 0);
	for (i = 0; i < 200; i++) {
		LONG r = lineMakeCall(l, &c[i], i % 2 ? "busy" : "slow:1/busy",
		                      0, NULL);

		assert_true(r > 0);
		requests++;
	}
	deadline = now_ms() + 10000;
	while (__atomic_load_n(&pm.replies, __ATOMIC_RELAXED) < requests &&
	       now_ms() < deadline)
		poll(NULL, 0, 5);
	assert_int_equal(__atomic_load_n(&pm.replies, __ATOMIC_RELAXED),
	                 requests);
	assert_int_equal(lineShutdown(pm.h), 0);
	pthread_join(t, NULL);
}

/* Callbacks that call TAPI: the callback drops and frees every call. */
static struct {
	unsigned idle;
	unsigned replies;
} cbs;

static void dropper(DWORD hDevice, DWORD msg, DWORD_PTR inst, DWORD_PTR p1,
                    DWORD_PTR p2, DWORD_PTR p3)
{
	(void)inst;
	(void)p2;
	(void)p3;
	if (msg == LINE_REPLY)
		__atomic_add_fetch(&cbs.replies, 1, __ATOMIC_RELAXED);
	if (msg != LINE_CALLSTATE)
		return;
	if (p1 == LINECALLSTATE_CONNECTED || p1 == LINECALLSTATE_BUSY)
		lineDrop(hDevice, NULL, 0);
	if (p1 == LINECALLSTATE_IDLE) {
		lineDeallocateCall(hDevice);
		__atomic_add_fetch(&cbs.idle, 1, __ATOMIC_RELAXED);
	}
}

/* spec: tapi-messages-and-states.md §1 — callbacks may call any function */
static void test_callbacks_calling_tapi(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	DWORD ndevs, ver = 0x00020002;
	HLINEAPP h;
	HLINE l;
	HCALL c;
	unsigned i;
	long deadline;

	(void)s;
	memset(&cbs, 0, sizeof(cbs));
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW;
	assert_int_equal(
		lineInitializeEx(&h, NULL, dropper, "cb", &ndevs, &ver, &p), 0);
	assert_int_equal(lineOpen(h, 0, &l, 0x20002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	for (i = 0; i < 100; i++)
		assert_true(lineMakeCall(l, &c,
		                         i % 2 ? "answer" : "slow:2/busy", 0,
		                         NULL) > 0);
	deadline = now_ms() + 10000;
	while (__atomic_load_n(&cbs.idle, __ATOMIC_RELAXED) < 100 &&
	       now_ms() < deadline)
		poll(NULL, 0, 5);
	assert_int_equal(__atomic_load_n(&cbs.idle, __ATOMIC_RELAXED), 100);
	assert_int_equal(lineShutdown(h), 0);
}

/*
 * Closing a line while another thread keeps making calls on it. Each
 * call's handle goes to a slot of its own; once the maker sees the line
 * invalid (its close has started), it copies them: termination.md §5.2
 * — nothing may be written into them from then on (a write after the
 * maker's thread ended landed in its stack, and a thread ending there
 * called a destructor through the overwritten pointer).
 */
#define MAKES 2000

struct maker {
	HLINE l;
	unsigned ok, invalid;
	unsigned other; /* refused otherwise: through tapixd, past a user's
	                   1,024 calls (docs/service.md) */
	HCALL calls[MAKES], seen[MAKES];
};

static void *maker_main(void *arg)
{
	struct maker *mk = arg;
	unsigned i, k;

	for (i = 0; i < MAKES; i++) {
		LONG r = lineMakeCall(mk->l, &mk->calls[i], "slow:1/answer", 0,
		                      NULL);

		if (r > 0) {
			__atomic_add_fetch(&mk->ok, 1, __ATOMIC_RELAXED);
		} else if (r == LINEERR_INVALLINEHANDLE) {
			for (k = 0; k < MAKES; k++)
				mk->seen[k] = __atomic_load_n(&mk->calls[k],
				                              __ATOMIC_RELAXED);
			mk->invalid++;
			break;
		} else {
			mk->other++;
		}
	}
	return NULL;
}

static void test_close_races_requests(void **s)
{
	struct maker *mk = calloc(1, sizeof(*mk));
	struct fx_app a;
	pthread_t t;
	unsigned k;

	(void)s;
	assert_non_null(mk);
	fx_app_init(&a, "a");
	mk->l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(pthread_create(&t, NULL, maker_main, mk), 0);
	{
		long deadline = now_ms() + 10000;

		while (__atomic_load_n(&mk->ok, __ATOMIC_RELAXED) < 20 &&
		       now_ms() < deadline)
			poll(NULL, 0, 1);
	}
	assert_int_equal(lineClose(mk->l), 0);
	pthread_join(t, NULL);
	/* closed while it made them, or after all of them */
	assert_true(mk->invalid == 1 || mk->ok + mk->other == MAKES);
	/* nothing written since the close started */
	if (mk->invalid)
		for (k = 0; k < MAKES; k++)
			assert_int_equal(__atomic_load_n(&mk->calls[k],
			                                 __ATOMIC_RELAXED),
			                 mk->seen[k]);
	fx_shutdown(&a);
	free(mk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apps_on_many_threads,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_reader_and_caller,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_callbacks_calling_tapi,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_races_requests,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
