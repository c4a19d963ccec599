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
#include <unistd.h>

#include "fx.h"

/* The gate provider's test hooks (tests/providers/gate.c). */
#define GATE_GET_LINE_DEV_STATUS 1
#define GATE_OPEN                2
#define GATE_SET_MEDIA           3
#define GATE_CLOSE               4
#define GATE_MAKE_CALL           5
static void (*gate_close)(int fn, DWORD dev);
static int (*gate_wait_held)(unsigned ms);
static void (*gate_open)(void);
static void (*gate_complete)(LONG result);
static unsigned (*gate_closecalls)(void);
static int (*gate_is_open)(DWORD dev);
static void (*gate_remove)(DWORD dev);
static void (*gate_line_close)(DWORD dev);
static void *(*gate_new_call)(DWORD dev);
static void *gate;

#define UNWRITTEN ((HCALL)0x5eed5eedu)

static int group_setup(void **state)
{
	(void)state;
	/* the provider TAPI loads: the same object, its hooks */
	gate = dlopen(TAPIX_TEST_GATE, RTLD_NOW);
	if (!gate)
		return -1;
	*(void **)&gate_close = dlsym(gate, "gate_test_close");
	*(void **)&gate_wait_held = dlsym(gate, "gate_test_wait_held");
	*(void **)&gate_open = dlsym(gate, "gate_test_open");
	*(void **)&gate_complete = dlsym(gate, "gate_test_complete");
	*(void **)&gate_closecalls = dlsym(gate, "gate_test_closecalls");
	*(void **)&gate_is_open = dlsym(gate, "gate_test_is_open");
	*(void **)&gate_remove = dlsym(gate, "gate_test_remove");
	*(void **)&gate_line_close = dlsym(gate, "gate_test_line_close");
	*(void **)&gate_new_call = dlsym(gate, "gate_test_new_call");
	if (!gate_close || !gate_wait_held || !gate_open || !gate_complete ||
	    !gate_closecalls || !gate_is_open || !gate_remove ||
	    !gate_line_close || !gate_new_call)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (gate)
		dlclose(gate);
	gate = NULL;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fx_config("[tapix]\nproviders = gate\n");
	return 0;
}

/* Per test: cmocka does not count a failed group teardown as a failure,
 * and fx's checks (nothing left registered, nothing alive) must count. */
static int teardown(void **state)
{
	return fx_teardown(state);
}

/* A TAPI function run in a thread of its own, watched with a deadline. */
struct probe {
	struct fx_app *a;
	HLINE line;
	HCALL call; /* lineMakeCall's */
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

/* Whether *@flag (guarded by @m, signalled on @c) is set within @ms. */
static bool set_within(pthread_mutex_t *m, pthread_cond_t *c, const bool *flag,
                       unsigned ms)
{
	struct timespec t;
	bool set;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(m);
	while (!*flag)
		if (pthread_cond_timedwait(c, m, &t) == ETIMEDOUT)
			break;
	set = *flag;
	pthread_mutex_unlock(m);
	return set;
}

/* Whether @p returned within @ms. */
static bool probe_done_within(struct probe *p, unsigned ms)
{
	return set_within(&p->m, &p->c, &p->done, ms);
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

static LONG make_call(struct probe *p)
{
	return lineMakeCall(p->line, &p->call, "1", 0, NULL);
}

static LONG close_line(struct probe *p)
{
	return lineClose(p->line);
}

/* lineOpen of device p->line (a number) by p->a; the handle into p->line */
static LONG open_line(struct probe *p)
{
	HLINE h = 0;
	LONG r = lineOpen(p->a->h, (DWORD)p->line, &h, 0x00020002, 0, 0,
	                  LINECALLPRIVILEGE_NONE, 0, NULL);

	p->line = r == 0 ? h : 0;
	return r;
}

static LONG set_status(struct probe *p)
{
	return lineSetStatusMessages(p->line, LINEDEVSTATE_OPEN, 0);
}

static LONG shutdown_of(struct probe *p)
{
	return lineShutdown(p->a->h);
}

/* What the provider has open (its live objects: the gate's opens). */
static size_t provider_opens(void)
{
	struct tapix_live l;

	tapix_live_get(&l);
	return l.provider_objects;
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

/*
 * A line's open holds no lock across its provider calls (DESIGN.md):
 * while TSPI_lineOpen of one device is held, another device opens, is
 * told its status messages, answers lineGetLineDevStatus and closes.
 */
static void test_line_open_holds_no_lock(void **s)
{
	struct probe held, op, st, ds, cl;
	struct fx_app a, b;
	bool op_ok, st_ok, ds_ok, cl_ok;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	gate_close(GATE_OPEN, 0);
	probe_start(&held, &a, 0, open_line);
	assert_int_equal(gate_wait_held(10000), 0);

	probe_start(&op, &b, 1, open_line);
	op_ok = probe_done_within(&op, 5000);
	st_ok = ds_ok = cl_ok = false;
	if (op_ok && op.r == 0) {
		probe_start(&st, &b, op.line, set_status);
		st_ok = probe_done_within(&st, 5000);
		probe_start(&ds, &b, op.line, dev_status);
		ds_ok = probe_done_within(&ds, 5000);
		probe_start(&cl, &b, op.line, close_line);
		cl_ok = probe_done_within(&cl, 5000);
	}
	assert_false(held.done);
	gate_open();

	probe_join(&held);
	probe_join(&op);
	assert_true(op_ok);
	assert_int_equal(op.r, 0);
	probe_join(&st);
	probe_join(&ds);
	probe_join(&cl);
	assert_true(st_ok);
	assert_true(ds_ok);
	assert_true(cl_ok);
	assert_int_equal(st.r, 0);
	assert_int_equal(ds.r, 0);
	assert_int_equal(cl.r, 0);
	assert_int_equal(held.r, 0);
	assert_int_equal(lineClose(held.line), 0);
	fx_shutdown(&b);
	fx_shutdown(&a);
}

/*
 * The same for a close (termination.md §5.2.5: TSPI_lineClose after the
 * last open's close): while it is held, the other device opens and
 * closes; an open of the closing device waits for the close (its claim)
 * and then opens the provider's line afresh.
 */
static void test_line_close_holds_no_lock(void **s)
{
	struct probe held, other, same;
	struct fx_app a, b;
	bool other_ok, same_waits;
	HLINE l0;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(provider_opens(), 1);
	gate_close(GATE_CLOSE, 0);
	probe_start(&held, &a, l0, close_line);
	assert_int_equal(gate_wait_held(10000), 0);

	probe_start(&other, &b, 1, open_line);
	other_ok = probe_done_within(&other, 5000);
	probe_start(&same, &b, 0, open_line);
	/* it cannot return while the close it must follow is held */
	same_waits = !probe_done_within(&same, 300);
	assert_false(held.done);
	gate_open();

	probe_join(&held);
	probe_join(&other);
	probe_join(&same);
	assert_int_equal(held.r, 0);
	assert_true(other_ok);
	assert_int_equal(other.r, 0);
	assert_true(same_waits);
	assert_int_equal(same.r, 0);
	assert_int_equal(provider_opens(), 2); /* line 0 opened again */
	assert_int_equal(lineClose(other.line), 0);
	assert_int_equal(lineClose(same.line), 0);
	assert_int_equal(provider_opens(), 0);
	fx_shutdown(&b);
	fx_shutdown(&a);
}

/*
 * termination.md §6 — lineShutdown closes each open by lineClose's rules
 * before it returns: also one another thread's lineClose is closing
 * (held here in TSPI_lineClose). Another app keeps the session, so that
 * the provider's line is seen closed when lineShutdown returns.
 */
static void test_shutdown_waits_for_a_close_in_flight(void **s)
{
	struct probe cl, sd;
	struct fx_app a, b;
	bool sd_waits;
	size_t opens_after;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	cl.line = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	gate_close(GATE_CLOSE, 0);
	probe_start(&cl, &a, cl.line, close_line);
	assert_int_equal(gate_wait_held(10000), 0);
	probe_start(&sd, &a, 0, shutdown_of);
	sd_waits = !probe_done_within(&sd, 300);
	gate_open();
	probe_join(&sd);
	opens_after = provider_opens();
	probe_join(&cl);
	assert_true(sd_waits);
	assert_int_equal(sd.r, 0);
	assert_int_equal(cl.r, 0);
	assert_int_equal(opens_after, 0);
	assert_int_equal(lineShutdown(a.h), LINEERR_INVALAPPHANDLE);
	fx_untrack(&a); /* (the probe shut it down) */
	fx_shutdown(&b);
}

/*
 * A lineOpen still in TSPI_lineOpen when its app shuts down: the shutdown
 * does not see the open, waits for the lineOpen to return (nothing of the
 * app is left when it returns), and the open undoes itself when the
 * provider returns (LINEERR_INVALAPPHANDLE, the provider's line closed
 * again). Another app keeps the session.
 */
static void test_open_in_flight_at_shutdown(void **s)
{
	struct probe op, sd;
	struct fx_app a, b;
	struct tapix_live l;
	bool sd_waits;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	gate_close(GATE_OPEN, 0);
	probe_start(&op, &a, 0, open_line);
	assert_int_equal(gate_wait_held(10000), 0);
	probe_start(&sd, &a, 0, shutdown_of);
	sd_waits = !probe_done_within(&sd, 300);
	gate_open();
	probe_join(&sd);
	tapix_live_get(&l); /* as lineShutdown returned */
	probe_join(&op);
	fx_untrack(&a);
	assert_true(sd_waits);
	assert_int_equal(sd.r, 0);
	assert_int_equal(op.r, LINEERR_INVALAPPHANDLE);
	assert_int_equal(l.provider_objects, 0);
	assert_int_equal(l.opens, 0);
	assert_int_equal(l.lines, 0);
	assert_int_equal(l.apps, 1);
	fx_shutdown(&b);
}

/*
 * A lineOpen waiting for its device (another open's provider call holds
 * it) when its app shuts down: it fails with LINEERR_INVALAPPHANDLE, and
 * the other app, which asked for LINEDEVSTATE_OPEN and _CLOSE, hears
 * neither: the open was never announced.
 */
static void test_open_of_a_shut_down_app_is_not_told(void **s)
{
	struct probe ds, op, sd;
	struct fx_app a, b;
	bool op_waits, sd_waits;
	HLINE lb;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	lb = fx_open(&b, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(lineSetStatusMessages(
				 lb, LINEDEVSTATE_OPEN | LINEDEVSTATE_CLOSE, 0),
	                 0);
	fx_consume_all(&b);
	gate_close(GATE_GET_LINE_DEV_STATUS, 0);
	probe_start(&ds, &b, lb, dev_status);
	assert_int_equal(gate_wait_held(10000), 0);
	probe_start(&op, &a, 0, open_line);
	op_waits = !probe_done_within(&op, 300); /* for the device */
	probe_start(&sd, &a, 0, shutdown_of);
	sd_waits = !probe_done_within(&sd, 300); /* for the lineOpen */
	gate_open();
	probe_join(&ds);
	probe_join(&op);
	probe_join(&sd);
	fx_untrack(&a);
	assert_true(op_waits);
	assert_true(sd_waits);
	assert_int_equal(ds.r, 0);
	assert_int_equal(op.r, LINEERR_INVALAPPHANDLE);
	assert_int_equal(sd.r, 0);
	fx_pump(&b);
	fx_expect_none(&b);
	assert_int_equal(lineClose(lb), 0);
	fx_shutdown(&b);
}

/* The callback app of the test below: the first message holds its
 * delivery thread until released; the count of those delivered. */
static struct {
	pthread_mutex_t m;
	pthread_cond_t c;
	unsigned n;
	bool release;
} cb_state = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};

static void CALLBACK held_cb(DWORD dev, DWORD msg, DWORD_PTR inst, DWORD_PTR p1,
                             DWORD_PTR p2, DWORD_PTR p3)
{
	(void)dev;
	(void)msg;
	(void)inst;
	(void)p1;
	(void)p2;
	(void)p3;
	pthread_mutex_lock(&cb_state.m);
	cb_state.n++;
	pthread_cond_broadcast(&cb_state.c);
	while (!cb_state.release)
		pthread_cond_wait(&cb_state.c, &cb_state.m);
	pthread_mutex_unlock(&cb_state.m);
}

/* Whether @n messages were delivered within @ms. */
static bool delivered_within(unsigned n, unsigned ms)
{
	struct timespec t;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000 + 1;
	pthread_mutex_lock(&cb_state.m);
	while (cb_state.n < n)
		if (pthread_cond_timedwait(&cb_state.c, &cb_state.m, &t) ==
		    ETIMEDOUT)
			break;
	ok = cb_state.n >= n;
	pthread_mutex_unlock(&cb_state.m);
	return ok;
}

static LONG shutdown_app(struct probe *p)
{
	return lineShutdown((HLINEAPP)p->line);
}

/*
 * termination.md §6 — once lineShutdown has begun, nothing more is
 * delivered to the app, not even what was queued before: here while its
 * shutdown waits in the provider (closing its open changes the line's
 * media union: TSPI_lineSetDefaultMediaDetection, held at the gate). The
 * queued message names the app's open (its guard dies with the open);
 * messages without a guard (LINE_CREATE, LINE_REMOVE) are held back the
 * same way (the app's queue ends first), which this provider cannot
 * show: it announces no devices.
 */
static void test_shutdown_delivers_nothing_while_it_closes(void **s)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ndevs = 0, ver = 0x00020002;
	HLINEAPP cb_app = 0;
	HLINE mine = 0, other, other2;
	struct probe sd;
	struct fx_app b;
	bool more;

	(void)s;
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW;
	assert_int_equal(lineInitializeEx(&cb_app, NULL, held_cb, "cb", &ndevs,
	                                  &ver, &ip),
	                 0);
	fx_app_init(&b, "b");
	assert_int_equal(lineOpen(cb_app, 0, &mine, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_OWNER,
	                          LINEMEDIAMODE_INTERACTIVEVOICE, NULL),
	                 0);
	assert_int_equal(lineSetStatusMessages(mine, LINEDEVSTATE_OPEN, 0), 0);
	/* two messages for the app: the first holds its delivery thread */
	other = fx_open(&b, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_true(delivered_within(1, 5000));
	other2 = fx_open(&b, 0, LINECALLPRIVILEGE_NONE, 0);

	gate_close(GATE_SET_MEDIA, 0);
	/* (the probe's line: the app's handle) */
	probe_start(&sd, NULL, (HLINE)cb_app, shutdown_app);
	assert_int_equal(gate_wait_held(10000), 0);
	/* the shutdown is in the provider: the queued message must not
	 * come now that the delivery thread is free */
	pthread_mutex_lock(&cb_state.m);
	cb_state.release = true;
	pthread_cond_broadcast(&cb_state.c);
	pthread_mutex_unlock(&cb_state.m);
	more = delivered_within(2, 1000);
	gate_open();
	probe_join(&sd);
	assert_int_equal(sd.r, 0);
	assert_false(more);
	assert_int_equal(cb_state.n, 1);
	assert_int_equal(lineClose(other), 0);
	assert_int_equal(lineClose(other2), 0);
	fx_shutdown(&b);
}

/*
 * The log sink is an application's function, called with no tapix lock
 * held (tapix.h). A sink that takes a lock of the application's must not
 * stop another application thread that holds that lock and calls TAPI:
 * here the sink waits for the application's lock while it gets lineOpen's
 * line ("open ... by app"), which the core logs with its lock held; the
 * application's other thread, holding that lock, calls lineGetMessage,
 * which needs the core's lock. Before lines were held back until the
 * core's lock was let go (util/loghold.h), that was a deadlock.
 */
static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sink_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sink_c = PTHREAD_COND_INITIALIZER;
static bool sink_entered;

static void locking_sink(enum tapix_log_level level, const char *module,
                         const char *line, void *arg)
{
	(void)level;
	(void)module;
	(void)arg;
	if (!strstr(line, ": open "))
		return;
	pthread_mutex_lock(&sink_m);
	sink_entered = true;
	pthread_cond_broadcast(&sink_c);
	pthread_mutex_unlock(&sink_m);
	pthread_mutex_lock(&app_lock); /* the application's own lock */
	pthread_mutex_unlock(&app_lock);
}

static void test_log_sink_called_with_no_lock_held(void **s)
{
	struct probe op, msg;
	struct fx_app a;
	bool entered, msg_ok;

	(void)s;
	fx_app_init(&a, "a");
	sink_entered = false;
	pthread_mutex_lock(&app_lock);
	tapix_log_set_sink(locking_sink, NULL);
	assert_int_equal(tapix_log_set_levels("warn,api=info"), 0);
	probe_start(&op, &a, 0, open_line);
	entered = set_within(&sink_m, &sink_c, &sink_entered, 10000);
	/* the sink waits for app_lock, which this thread holds */
	probe_start(&msg, &a, 0, get_message);
	msg_ok = probe_done_within(&msg, 5000);
	pthread_mutex_unlock(&app_lock);
	probe_join(&op);
	probe_join(&msg);
	tapix_log_set_sink(NULL, NULL);
	assert_int_equal(tapix_log_set_levels("err"), 0);

	assert_true(entered);
	assert_true(msg_ok);
	assert_int_equal(msg.r, LINEERR_OPERATIONFAILED); /* nothing queued */
	assert_int_equal(op.r, 0);
	assert_int_equal(lineClose(op.line), 0);
	fx_shutdown(&a);
}

/* lineGetLineDevStatus of @line (the gate does not hold it here). */
static LONG line_status(HLINE line)
{
	LINEDEVSTATUS ds;

	memset(&ds, 0, sizeof(ds));
	ds.dwTotalSize = sizeof(ds);
	return lineGetLineDevStatus(line, &ds);
}

/*
 * termination.md §5.1 last row, §5.2.6 — a lineClose while the provider
 * is still in TSPI_lineMakeCall of the open: the request is cancelled (no
 * LINE_REPLY, no handle written) and its call closed (TSPI_lineCloseCall)
 * when the function returns, without waiting for the completion. The
 * gate completes a call's creation only when it is closed, as a provider
 * may: before, lineClose waited for that completion for ever (the call
 * was left to "its creation's end").
 */
static void test_close_while_the_provider_makes_a_call(void **s)
{
	struct probe mk, cl;
	struct fx_app a;
	HLINE l;
	LONG st = 0;
	bool closed;
	unsigned i, closecalls = gate_closecalls();

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	mk.call = UNWRITTEN;
	gate_close(GATE_MAKE_CALL, 0);
	probe_start(&mk, &a, l, make_call);
	assert_int_equal(gate_wait_held(10000), 0);
	probe_start(&cl, &a, l, close_line);
	/* the handle dies as the close cancels the open's requests (one
	 * section of the core lock) */
	for (i = 0; i < 2000 && st != LINEERR_INVALLINEHANDLE; i++) {
		st = line_status(l);
		if (st != LINEERR_INVALLINEHANDLE)
			usleep(5000);
	}
	gate_open();
	probe_join(&mk);
	closed = probe_done_within(&cl, 10000);
	if (!closed)
		gate_complete(LINEERR_OPERATIONFAILED); /* lets it end */
	probe_join(&cl);
	fx_pump(&a);

	assert_int_equal(st, LINEERR_INVALLINEHANDLE);
	assert_true(mk.r > 0);
	assert_true(closed);
	assert_int_equal(cl.r, 0);
	assert_int_equal(gate_closecalls() - closecalls, 1);
	assert_true(mk.call == UNWRITTEN);
	assert_false(fx_has_reply(&a, mk.r));
	assert_int_equal(provider_opens(), 0);
	fx_shutdown(&a);
}

/*
 * Whether the provider's line 0 is closed within 10 s; if not, the
 * pending lineMakeCall is completed (with a failure), which lets the
 * close that waits for it end, so the test fails instead of hanging.
 */
static bool provider_closes_line_0(void)
{
	unsigned i;

	for (i = 0; i < 2000 && gate_is_open(0); i++)
		usleep(5000);
	if (!gate_is_open(0))
		return true;
	gate_complete(LINEERR_OPERATIONFAILED);
	return false;
}

/*
 * termination.md §7 — the provider's LINE_CLOSE while TSPI_lineMakeCall of
 * the line is still running: TAPI's worker closes the line, and closes the
 * call itself when the function returns (the close that call's end queues
 * for the worker is the worker's own wait). Before, the worker waited for
 * the completion, which this provider gives only on close: the line was
 * never closed, and nothing else queued for the worker ran.
 */
static void test_provider_closes_the_line_while_it_makes_a_call(void **s)
{
	struct probe mk;
	struct fx_app a;
	LINEMESSAGE m;
	bool told, closed;
	unsigned closecalls = gate_closecalls();

	(void)s;
	fx_app_init(&a, "a");
	fx_open(&a, 1, LINECALLPRIVILEGE_NONE, 0); /* keeps the session */
	mk.call = UNWRITTEN;
	mk.line = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	gate_close(GATE_MAKE_CALL, 0);
	probe_start(&mk, &a, mk.line, make_call);
	assert_int_equal(gate_wait_held(10000), 0);
	gate_line_close(0);
	/* the worker waits for the creation once the open is told */
	told = fx_wait_try(&a, LINE_CLOSE, (DWORD)mk.line, 0, 10000, &m);
	gate_open();
	probe_join(&mk);
	closed = provider_closes_line_0();

	assert_true(told);
	assert_true(mk.r > 0);
	assert_true(closed);
	assert_int_equal(gate_closecalls() - closecalls, 1);
	assert_true(mk.call == UNWRITTEN);
	fx_pump(&a);
	assert_false(fx_has_reply(&a, mk.r));
	fx_shutdown(&a);
}

/*
 * termination.md §7 — the provider's LINE_CLOSE while a lineMakeCall of
 * the line is pending (the provider returned, its completion to come):
 * the worker closes the call (TSPI_lineCloseCall), which this provider
 * needs to end the creation, then the line. Before, the worker waited
 * for the completion first, for ever.
 */
static void test_provider_closes_the_line_with_a_call_pending(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HCALL made = UNWRITTEN;
	HLINE l;
	LONG req;
	bool told, closed;
	unsigned closecalls = gate_closecalls();

	(void)s;
	fx_app_init(&a, "a");
	fx_open(&a, 1, LINECALLPRIVILEGE_NONE, 0); /* keeps the session */
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	req = lineMakeCall(l, &made, "1", 0, NULL);
	gate_line_close(0);
	told = fx_wait_try(&a, LINE_CLOSE, (DWORD)l, 0, 10000, &m);
	closed = provider_closes_line_0();

	assert_true(req > 0);
	assert_true(told);
	assert_true(closed);
	assert_int_equal(gate_closecalls() - closecalls, 1);
	assert_true(made == UNWRITTEN);
	fx_pump(&a);
	assert_false(fx_has_reply(&a, req));
	fx_shutdown(&a);
}

/*
 * termination.md §7 — LINE_REMOVE while the device's first lineOpen is in
 * TSPI_lineOpen: the open ends first, then TAPI closes the line (LINE_CLOSE
 * to that open, TSPI_lineClose) and tells LINE_REMOVE. Before, the worker
 * saw no line open, told LINE_REMOVE at once, and the open then succeeded
 * on the removed device with the provider's line left open.
 */
static void test_line_removed_while_it_opens(void **s)
{
	struct probe op;
	struct fx_app a;
	LINEMESSAGE m;
	bool early, removed = false;
	int still_open;

	(void)s;
	fx_app_init(&a, "a");
	gate_close(GATE_OPEN, 0);
	probe_start(&op, &a, 0, open_line);
	assert_int_equal(gate_wait_held(10000), 0);
	gate_remove(0);
	/* (the worker waits for the open now) */
	early = fx_wait_try(&a, LINE_REMOVE, 0, 0, 300, &m);
	gate_open();
	probe_join(&op);
	if (!early)
		removed = fx_wait_try(&a, LINE_REMOVE, 0, 0, 10000, &m);
	still_open = gate_is_open(0);

	assert_false(early);
	assert_true(removed);
	assert_int_equal(still_open, 0);
	assert_true(op.r == 0 || op.r == LINEERR_NODEVICE);
	if (op.r == 0) {
		/* its LINE_CLOSE came before the LINE_REMOVE */
		assert_true(
			fx_wait_try(&a, LINE_CLOSE, (DWORD)op.line, 0, 0, &m));
		assert_int_equal(lineClose(op.line), LINEERR_INVALLINEHANDLE);
	}
	assert_int_equal(provider_opens(), 0);
	fx_shutdown(&a);
}

/*
 * termination.md §6 — once lineShutdown began, no LINE_REPLY and no write
 * into app memory for the registration's requests. Here a lineMakeCall of
 * its second open completes with success while the shutdown closes its
 * first open (held in TSPI_lineClose). Before, the handle was written and
 * the call announced to the other app's monitor open (LINE_APPNEWCALL).
 */
static void test_creation_completed_during_shutdown_writes_nothing(void **s)
{
	struct probe sd;
	struct fx_app a, b;
	HCALL made = UNWRITTEN;
	HLINE l1;
	LONG req;
	unsigned i, closecalls = gate_closecalls();

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_NONE, 0);
	fx_open(&b, 1, LINECALLPRIVILEGE_MONITOR, 0);
	req = lineMakeCall(l1, &made, "1", 0, NULL);
	assert_true(req > 0);
	gate_close(GATE_CLOSE, 0);
	probe_start(&sd, &a, 0, shutdown_of);
	assert_int_equal(gate_wait_held(10000), 0);
	gate_complete(0); /* done, as the shutdown closes the first open */
	gate_open();
	probe_join(&sd);
	fx_untrack(&a);
	/* (the call nobody holds is closed by TAPI's worker: C3) */
	for (i = 0; i < 2000 && gate_closecalls() == closecalls; i++)
		usleep(5000);
	fx_pump(&b);

	assert_int_equal(sd.r, 0);
	assert_true(made == UNWRITTEN);
	fx_expect_none(&b);
	assert_int_equal(gate_closecalls() - closecalls, 1);
	fx_shutdown(&b);
}

/*
 * tspi.md §3 — TAPI writes the HTAPICALL of a LINE_NEWCALL, NULL when it
 * does not take the call: also for a line it has closed. Before, it wrote
 * nothing, and the provider read its own variable.
 */
static void test_new_call_on_a_closed_line_is_refused(void **s)
{
	struct fx_app a;
	HLINE l;

	(void)s;
	fx_app_init(&a, "a");
	fx_open(&a, 1, LINECALLPRIVILEGE_NONE, 0); /* keeps the session */
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(lineClose(l), 0);
	assert_null(gate_new_call(0));
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_provider_call_holds_no_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_open_holds_no_lock,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_close_holds_no_lock,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_waits_for_a_close_in_flight, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_open_of_a_shut_down_app_is_not_told, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_open_in_flight_at_shutdown,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_delivers_nothing_while_it_closes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_log_sink_called_with_no_lock_held, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_close_while_the_provider_makes_a_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_provider_closes_the_line_while_it_makes_a_call,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_provider_closes_the_line_with_a_call_pending,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_line_removed_while_it_opens, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_creation_completed_during_shutdown_writes_nothing,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_new_call_on_a_closed_line_is_refused, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
