/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registrations, notification mechanisms and device queries:
 * lineInitializeEx, lineInitialize, lineShutdown, lineGetMessage,
 * lineNegotiateAPIVersion, lineGetDevCaps, lineGetAddressCaps.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tapix/service.h>

#include "fx.h"

static int setup(void **state)
{
	(void)state;
	fx_config_esp(4);
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

static LONG init_ex(HLINEAPP *h, DWORD options, LINECALLBACK cb,
                    LINEINITIALIZEEXPARAMS *p)
{
	DWORD ndevs = 0, ver = 0x00020002;

	memset(p, 0, sizeof(*p));
	p->dwTotalSize = sizeof(*p);
	p->dwOptions = options;
	return lineInitializeEx(h, NULL, cb, "test", &ndevs, &ver, p);
}

/* spec: tapi-functions.md §0.3 step 1 — no registration: UNINITIALIZED */
static void test_every_function_uninitialized_without_registration(void **s)
{
	LINEMESSAGE m;
	LINEEXTENSIONID ext;
	LINEDEVCAPS caps;
	LINEADDRESSCAPS ac;
	LINECALLINFO ci;
	LINECALLSTATUS cs;
	LINECALLLIST cl;
	DWORD v;
	HLINE hl;
	HCALL hc;

	(void)s;
	assert_int_equal(lineShutdown(1), LINEERR_UNINITIALIZED);
	assert_int_equal(lineGetMessage(1, &m, 0), LINEERR_UNINITIALIZED);
	assert_int_equal(
		lineNegotiateAPIVersion(1, 0, 0x10004, 0x20002, &v, &ext),
		LINEERR_UNINITIALIZED);
	caps.dwTotalSize = sizeof(caps);
	assert_int_equal(lineGetDevCaps(1, 0, 0x20002, 0, &caps),
	                 LINEERR_UNINITIALIZED);
	ac.dwTotalSize = sizeof(ac);
	assert_int_equal(lineGetAddressCaps(1, 0, 0, 0x20002, 0, &ac),
	                 LINEERR_UNINITIALIZED);
	assert_int_equal(lineOpen(1, 0, &hl, 0x20002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_UNINITIALIZED);
	assert_int_equal(lineClose(1), LINEERR_UNINITIALIZED);
	assert_int_equal(lineSetStatusMessages(1, 0, 0), LINEERR_UNINITIALIZED);
	assert_int_equal(lineMakeCall(1, &hc, "101", 0, NULL),
	                 LINEERR_UNINITIALIZED);
	assert_int_equal(lineAnswer(1, NULL, 0), LINEERR_UNINITIALIZED);
	assert_int_equal(lineAccept(1, NULL, 0), LINEERR_UNINITIALIZED);
	assert_int_equal(lineDrop(1, NULL, 0), LINEERR_UNINITIALIZED);
	assert_int_equal(lineDeallocateCall(1), LINEERR_UNINITIALIZED);
	ci.dwTotalSize = sizeof(ci);
	assert_int_equal(lineGetCallInfo(1, &ci), LINEERR_UNINITIALIZED);
	cs.dwTotalSize = sizeof(cs);
	assert_int_equal(lineGetCallStatus(1, &cs), LINEERR_UNINITIALIZED);
	assert_int_equal(lineSetCallPrivilege(1, LINECALLPRIVILEGE_OWNER),
	                 LINEERR_UNINITIALIZED);
	cl.dwTotalSize = sizeof(cl);
	assert_int_equal(lineGetNewCalls(1, 0, LINECALLSELECT_LINE, &cl),
	                 LINEERR_UNINITIALIZED);
}

/* spec: tapi-functions.md §1 — the error table of lineInitializeEx */
static void test_initialize_ex_errors(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	DWORD ndevs = 77, ver = 0x00020002;
	HLINEAPP h = 77;
	char longname[300];
	int fds[2];

	(void)s;
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	assert_int_equal(
		lineInitializeEx(NULL, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPOINTER);
	assert_int_equal(lineInitializeEx(&h, NULL, NULL, "t", NULL, &ver, &p),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, NULL, &p),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, NULL),
		LINEERR_INVALPOINTER);
	p.dwTotalSize = sizeof(p) - 1;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_STRUCTURETOOSMALL);
	p.dwTotalSize = sizeof(p);
	p.dwOptions = 0;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPARAM);
	p.dwOptions = 4;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPARAM);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPOINTER);
	p.dwOptions = LINEINITIALIZEEXOPTION_USECOMPLETIONPORT;
	p.Handles.hCompletionPort = TAPIX_FD_TO_HANDLE(-1);
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPARAM);
	assert_int_equal(pipe(fds), 0);
	p.Handles.hCompletionPort = TAPIX_FD_TO_HANDLE(fds[0]); /* read end */
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPARAM);
	close(fds[0]);
	close(fds[1]);
	p.Handles.hCompletionPort = TAPIX_FD_TO_HANDLE(fds[1]); /* closed */
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "t", &ndevs, &ver, &p),
		LINEERR_INVALPARAM);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "bad\nname", &ndevs, &ver, &p),
		LINEERR_INVALAPPNAME);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, longname, &ndevs, &ver, &p),
		LINEERR_INVALAPPNAME);
	/* spec: §0.2 — outputs are written only on success */
	assert_int_equal(h, 77);
	assert_int_equal(ndevs, 77);
	assert_int_equal(ver, 0x00020002);
}

static void test_initialize_ex_success(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	DWORD ndevs = 0, ver = 0x00020000;
	HLINEAPP h = 0;

	(void)s;
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, NULL, &ndevs, &ver, &p), 0);
	assert_int_not_equal(h, 0);
	assert_int_equal(ndevs, 4);
	assert_int_equal(ver, 0x00020002); /* TAPI's highest */
	assert_int_equal(p.dwNeededSize, sizeof(p));
	assert_int_equal(p.dwUsedSize, sizeof(p));
	assert_true(TAPIX_HANDLE_TO_FD(p.Handles.hEvent) > 2);
	/* spec: messages-and-states §1 — not readable while nothing queued */
	assert_false(fx_readable(TAPIX_HANDLE_TO_FD(p.Handles.hEvent)));
	assert_int_equal(lineShutdown(h), 0);
	/* spec: §2 — a second lineShutdown: the handle is dead */
	assert_int_equal(lineShutdown(h), LINEERR_UNINITIALIZED);
}

static void test_shutdown_errors(void **s)
{
	struct fx_app a, b;
	HLINEAPP old;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	assert_int_not_equal(a.h, b.h);
	assert_int_equal(lineShutdown(0), LINEERR_INVALAPPHANDLE);
	assert_int_equal(lineShutdown(0xDEADBEEF), LINEERR_INVALAPPHANDLE);
	old = a.h;
	fx_shutdown(&a);
	/* spec: tapi-functions.md §2 — second lineShutdown */
	assert_int_equal(lineShutdown(old), LINEERR_INVALAPPHANDLE);
	/* spec: STYLE §4.3 — a stale handle is never another object */
	assert_int_equal(lineGetMessage(old, &a.seen[0], 0),
	                 LINEERR_INVALAPPHANDLE);
	fx_shutdown(&b);
	assert_int_equal(lineShutdown(old), LINEERR_UNINITIALIZED);
}

/* spec: tapi-functions.md §1 — LINEERR_INIFILECORRUPT, NODRIVER */
static void test_configuration_errors(void **s)
{
	struct fx_app a;

	(void)s;
	/* through tapixd the service reads the file when it starts (its own
	 * tests cover that); lineInitializeEx never sees it */
	if (fx_service())
		skip();
	setenv("TAPIX_CONF", "/nonexistent/tapix.conf", 1);
	assert_int_equal(fx_app_try_init(&a, "t", 0x00020002),
	                 LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n[esp\n");
	assert_int_equal(fx_app_try_init(&a, "t", 0x00020002),
	                 LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = nosuchprovider\n");
	assert_int_equal(fx_app_try_init(&a, "t", 0x00020002),
	                 LINEERR_NODRIVER);
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = many\n");
	assert_int_equal(fx_app_try_init(&a, "t", 0x00020002),
	                 LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n[esp]\ncolour = blue\n");
	assert_int_equal(fx_app_try_init(&a, "t", 0x00020002),
	                 LINEERR_INIFILECORRUPT);
	fx_assert_nothing_alive();
	/* the configuration is read again when a new session starts */
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 7\n");
	fx_app_init(&a, "t");
	assert_int_equal(a.ndevs, 7);
	fx_shutdown(&a);
	/* no configuration at all: esp with 4 lines */
	fx_config(NULL);
	fx_app_init(&a, "t");
	assert_int_equal(a.ndevs, 4);
	fx_shutdown(&a);
}

/* spec: tapi-messages-and-states.md §1 USEEVENT — level-triggered fd */
static void test_event_fd_readable_exactly_while_queued(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l0;
	HCALL c = 0;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_false(fx_readable(a.fd));
	req = lineMakeCall(l0, &c, "answer", 0, NULL);
	assert_true(req > 0);
	assert_true(fx_readable(a.fd));
	while (lineGetMessage(a.h, &m, 0) == 0)
		assert_true(m.dwMessageID == LINE_REPLY ||
		            m.dwMessageID == LINE_CALLSTATE);
	assert_false(fx_readable(a.fd));
	assert_int_equal(lineGetMessage(a.h, &m, 0), LINEERR_OPERATIONFAILED);
	assert_int_equal(lineGetMessage(a.h, &m, 20), LINEERR_OPERATIONFAILED);
	fx_shutdown(&a);
}

/* Heap bytes in use (glibc's count). */
static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

/*
 * spec: termination.md §6 — the last lineShutdown ends the session; the
 * core's free lists of calls, call handles, requests and early events
 * (util/pool.h: up to 1,024 of each kept for reuse) go with it, so a
 * process that once held many calls keeps none of that memory once it
 * stops using TAPI. 1,100 calls held, then ended: about 290 KB wait in
 * the lists, and the shutdown must give back at least 150 KB (without
 * the lists' return it gives back about 50 KB: the apps, opens and the
 * provider's own state).
 */
static void test_session_end_returns_pooled_memory(void **s)
{
	enum {
		N = 1100
	};
	LINEINITIALIZEEXPARAMS p;
	static HCALL c[N];
	size_t before;
	LINEMESSAGE m;
	HLINEAPP h;
	HLINE l;
	unsigned i;

	(void)s;
	if (fx_service() || FX_SANITIZED)
		skip(); /* tapixd's session lasts; see FX_SANITIZED */
	assert_int_equal(init_ex(&h, LINEINITIALIZEEXOPTION_USEEVENT, NULL, &p),
	                 0);
	assert_int_equal(lineOpen(h, 0, &l, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	/* the messages fetched as they come: the queue's ring stays small */
	for (i = 0; i < N; i++) {
		assert_true(lineMakeCall(l, &c[i], "answer", 0, NULL) > 0);
		while (lineGetMessage(h, &m, 0) == 0)
			;
	}
	for (i = 0; i < N; i++) {
		assert_true(lineDrop(c[i], NULL, 0) > 0);
		while (lineGetMessage(h, &m, 0) == 0)
			;
		assert_int_equal(lineDeallocateCall(c[i]), 0);
	}
	while (lineGetMessage(h, &m, 0) == 0)
		;
	before = heap_in_use();
	assert_int_equal(lineShutdown(h), 0);
	assert_true(before > heap_in_use() + 150 * 1024);
}

/*
 * tapix_set_event_quiet (tapix/service.h, for tapixd's channel): while
 * quiet, queued messages leave the event descriptor unreadable (they are
 * fetched all the same); ending it makes it readable while messages wait.
 * Only for a USEEVENT registration of the embedded core.
 */
static void test_event_quiet(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	struct fx_app a;
	HLINEAPP cbapp;
	LINEMESSAGE m;
	DWORD guard;
	HLINE l0;
	HCALL c = 0;

	(void)s;
	if (fx_service())
		skip(); /* the embedded core's registrations only */
	fx_app_init(&a, "a");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(tapix_set_event_quiet(a.h + 1, TRUE),
	                 LINEERR_INVALAPPHANDLE);
	assert_int_equal(init_ex(&cbapp, LINEINITIALIZEEXOPTION_USEHIDDENWINDOW,
	                         (LINECALLBACK)(void (*)(void))abort, &p),
	                 0);
	assert_int_equal(tapix_set_event_quiet(cbapp, TRUE),
	                 LINEERR_INVALAPPHANDLE);
	assert_int_equal(lineShutdown(cbapp), 0);
	assert_int_equal(tapix_set_event_quiet(a.h, TRUE), 0);
	assert_true(lineMakeCall(l0, &c, "answer", 0, NULL) > 0);
	assert_false(fx_readable(a.fd)); /* queued, but quiet */
	/* one taken; the rest make it readable when quiet ends */
	assert_int_equal(tapix_get_message_guarded(a.h, &m, &guard), 0);
	assert_int_equal(tapix_set_event_quiet(a.h, FALSE), 0);
	assert_true(fx_readable(a.fd));
	while (lineGetMessage(a.h, &m, 0) == 0)
		;
	assert_false(fx_readable(a.fd));
	/* quiet, and all taken before it ends: nothing to say */
	assert_int_equal(tapix_set_event_quiet(a.h, TRUE), 0);
	assert_true(lineDrop(c, NULL, 0) > 0);
	while (tapix_get_message_guarded(a.h, &m, &guard) == 0)
		;
	assert_int_equal(tapix_set_event_quiet(a.h, FALSE), 0);
	assert_false(fx_readable(a.fd));
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_shutdown(&a);
	assert_int_equal(tapix_set_event_quiet(a.h, TRUE),
	                 LINEERR_UNINITIALIZED);
}

static void test_get_message_errors(void **s)
{
	struct fx_app a;
	LINEINITIALIZEEXPARAMS p;
	HLINEAPP cbapp;
	LINEMESSAGE m;

	(void)s;
	fx_app_init(&a, "a");
	assert_int_equal(lineGetMessage(a.h, NULL, 0), LINEERR_INVALPOINTER);
	assert_int_equal(lineGetMessage(a.h + 1, &m, 0),
	                 LINEERR_INVALAPPHANDLE);
	/* [proposal] — not a USEEVENT registration */
	assert_int_equal(init_ex(&cbapp, LINEINITIALIZEEXOPTION_USEHIDDENWINDOW,
	                         (LINECALLBACK)(void (*)(void))abort, &p),
	                 0);
	assert_int_equal(lineGetMessage(cbapp, &m, 0), LINEERR_INVALAPPHANDLE);
	assert_int_equal(lineShutdown(cbapp), 0);
	fx_shutdown(&a);
}

struct blocked {
	HLINEAPP h;
	LONG r;
};

static void *block_in_get_message(void *arg)
{
	struct blocked *b = arg;
	LINEMESSAGE m;

	b->r = lineGetMessage(b->h, &m, INFINITE);
	return NULL;
}

/* spec: tapi-functions.md §2, §7 — a blocked lineGetMessage returns */
static void test_shutdown_wakes_blocked_get_message(void **s)
{
	struct fx_app a, keep;
	struct blocked b;
	pthread_t t;

	(void)s;
	fx_app_init(&keep, "keep");
	fx_app_init(&a, "a");
	b.h = a.h;
	b.r = 1;
	assert_int_equal(pthread_create(&t, NULL, block_in_get_message, &b), 0);
	/* whether or not the thread is already waiting, it must return */
	fx_shutdown(&a);
	pthread_join(t, NULL);
	assert_int_equal(b.r, LINEERR_INVALAPPHANDLE);
	fx_shutdown(&keep);
}

/* ---- callback mode ----------------------------------------------------------
 */

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool same_thread;
	unsigned n, concurrent, inside;
	DWORD msgs[64];
	DWORD_PTR p1[64];
	HLINEAPP shutdown_me;
	LONG shutdown_result;
} cb = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void record(DWORD hDevice, DWORD dwMsg, DWORD_PTR inst, DWORD_PTR p1,
                   DWORD_PTR p2, DWORD_PTR p3)
{
	(void)hDevice;
	(void)inst;
	(void)p2;
	(void)p3;
	pthread_mutex_lock(&cb.lock);
	if (cb.inside)
		cb.concurrent++;
	cb.inside++;
	if (cb.n == 0)
		cb.thread = pthread_self();
	else if (!pthread_equal(cb.thread, pthread_self()))
		cb.same_thread = false;
	if (cb.n < 64) {
		cb.msgs[cb.n] = dwMsg;
		cb.p1[cb.n] = p1;
	}
	cb.n++;
	pthread_mutex_unlock(&cb.lock);
	if (__atomic_load_n(&cb.shutdown_me, __ATOMIC_ACQUIRE) &&
	    dwMsg == LINE_REPLY) {
		/* spec: messages-and-states §1 — lineShutdown in a callback */
		__atomic_store_n(&cb.shutdown_result,
		                 lineShutdown(cb.shutdown_me),
		                 __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&cb.lock);
	cb.inside--;
	pthread_mutex_unlock(&cb.lock);
}

static unsigned cb_count(void)
{
	unsigned n;

	pthread_mutex_lock(&cb.lock);
	n = cb.n;
	pthread_mutex_unlock(&cb.lock);
	return n;
}

static bool wait_cb(unsigned n)
{
	int i;

	for (i = 0; i < 5000 && cb_count() < n; i++)
		usleep(1000);
	return cb_count() >= n;
}

/* spec: tapi-messages-and-states.md §1 USEHIDDENWINDOW — one thread, order */
static void test_callback_mode_delivers_in_order_on_one_thread(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	HLINEAPP h;
	HLINE l0;
	HCALL c;
	LONG req;
	unsigned n;

	(void)s;
	memset(&cb.msgs, 0, sizeof(cb.msgs));
	cb.n = cb.concurrent = 0;
	cb.same_thread = true;
	__atomic_store_n(&cb.shutdown_me, 0, __ATOMIC_RELEASE);
	assert_int_equal(
		init_ex(&h, LINEINITIALIZEEXOPTION_USEHIDDENWINDOW, record, &p),
		0);
	assert_int_equal(lineOpen(h, 0, &l0, 0x00020002, 0, 0x1234,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	req = lineMakeCall(l0, &c, "answer", 0, NULL);
	assert_true(req > 0);
	/* LINE_REPLY, DIALING, PROCEEDING, CONNECTED */
	assert_true(wait_cb(4));
	assert_int_equal(cb.msgs[0], LINE_REPLY);
	assert_int_equal(cb.p1[0], (DWORD_PTR)req);
	assert_int_equal(cb.msgs[1], LINE_CALLSTATE);
	assert_int_equal(cb.p1[1], LINECALLSTATE_DIALING);
	assert_int_equal(cb.p1[2], LINECALLSTATE_PROCEEDING);
	assert_int_equal(cb.p1[3], LINECALLSTATE_CONNECTED);
	assert_true(cb.same_thread);
	assert_false(pthread_equal(cb.thread, pthread_self()));
	assert_int_equal(cb.concurrent, 0);
	assert_int_equal(lineShutdown(h), 0);
	/* spec: §2 — nothing is delivered after lineShutdown returns */
	n = cb_count();
	usleep(20000);
	assert_int_equal(cb_count(), n);
}

static void test_shutdown_from_inside_a_callback(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	HLINEAPP h;
	HLINE l0;
	HCALL c;
	int i;

	(void)s;
	cb.n = 0;
	cb.shutdown_result = 1;
	assert_int_equal(
		init_ex(&h, LINEINITIALIZEEXOPTION_USEHIDDENWINDOW, record, &p),
		0);
	cb.shutdown_me = h;
	assert_int_equal(lineOpen(h, 0, &l0, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	assert_true(lineMakeCall(l0, &c, "answer", 0, NULL) > 0);
	for (i = 0; i < 5000 &&
	            __atomic_load_n(&cb.shutdown_result, __ATOMIC_ACQUIRE) == 1;
	     i++)
		usleep(1000);
	__atomic_store_n(&cb.shutdown_me, 0, __ATOMIC_RELEASE);
	assert_int_equal(__atomic_load_n(&cb.shutdown_result, __ATOMIC_ACQUIRE),
	                 0);
	/* the delivery thread ends by itself; teardown then sees nothing */
	for (i = 0; i < 5000; i++) {
		struct tapix_live l;

		fx_live(&l);
		if (!l.allocations && !l.provider_objects)
			break;
		usleep(1000);
	}
	assert_int_equal(lineShutdown(h), LINEERR_UNINITIALIZED);
}

/* spec: tapi-functions.md §1 — lineInitialize (TAPI 1.x) is callback-only */
static void test_line_initialize(void **s)
{
	HLINEAPP h;
	DWORD ndevs = 0;

	(void)s;
	assert_int_equal(lineInitialize(&h, NULL, NULL, "old", &ndevs),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineInitialize(NULL, NULL, record, "old", &ndevs),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineInitialize(&h, NULL, record, "old", NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineInitialize(&h, NULL, record, "\x01", &ndevs),
	                 LINEERR_INVALAPPNAME);
	assert_int_equal(lineInitialize(&h, NULL, record, "old", &ndevs), 0);
	assert_int_equal(ndevs, 4);
	assert_int_equal(lineShutdown(h), 0);
}

/* spec: tapi-messages-and-states.md §1 USECOMPLETIONPORT — records */
static void test_completion_port_records(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	struct {
		DWORD_PTR key;
		LINEMESSAGE msg;
	} rec;
	int sv[2];
	HLINEAPP h;
	DWORD ndevs, ver = 0x00020002;
	HLINE l0;
	HCALL c;
	LONG req;

	(void)s;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USECOMPLETIONPORT;
	p.Handles.hCompletionPort = TAPIX_FD_TO_HANDLE(sv[1]);
	p.dwCompletionKey = 0xC0FFEE;
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "port", &ndevs, &ver, &p), 0);
	assert_int_equal(lineOpen(h, 0, &l0, 0x00020002, 0, 77,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	req = lineMakeCall(l0, &c, "busy", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(read(sv[0], &rec, sizeof(rec)), sizeof(rec));
	assert_int_equal(rec.key, 0xC0FFEE);
	assert_int_equal(rec.msg.dwMessageID, LINE_REPLY);
	assert_int_equal(rec.msg.dwParam1, (DWORD_PTR)req);
	assert_int_equal(rec.msg.dwCallbackInstance, 77);
	assert_int_equal(read(sv[0], &rec, sizeof(rec)), sizeof(rec));
	assert_int_equal(rec.msg.dwMessageID, LINE_CALLSTATE);
	assert_int_equal(rec.msg.hDevice, c);
	assert_int_equal(rec.msg.dwParam1, LINECALLSTATE_DIALING);
	assert_int_equal(lineShutdown(h), 0);
	close(sv[0]);
	close(sv[1]);
}

/* A full descriptor: records wait inside TAPI; shutdown still returns. */
static void test_completion_port_full_descriptor(void **s)
{
	LINEINITIALIZEEXPARAMS p;
	int fds[2];
	HLINEAPP h;
	DWORD ndevs, ver = 0x00020002;
	HLINE l0;
	HCALL c;
	int i;

	(void)s;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 0, 1);
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USECOMPLETIONPORT;
	p.Handles.hCompletionPort = TAPIX_FD_TO_HANDLE(fds[1]);
	assert_int_equal(
		lineInitializeEx(&h, NULL, NULL, "port", &ndevs, &ver, &p), 0);
	assert_int_equal(lineOpen(h, 0, &l0, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 0);
	for (i = 0; i < 60; i++) /* ~240 records: more than the pipe holds */
		assert_true(lineMakeCall(l0, &c, "busy", 0, NULL) > 0);
	assert_int_equal(lineShutdown(h), 0);
	close(fds[0]);
	close(fds[1]);
}

/* spec: tapi-functions.md §3 */
static void test_negotiate_api_version(void **s)
{
	struct fx_app a;
	LINEEXTENSIONID ext;
	DWORD v = 0;

	(void)s;
	fx_app_init(&a, "a");
	memset(&ext, 0xFF, sizeof(ext));
	assert_int_equal(lineNegotiateAPIVersion(a.h, 0, 0x00010004, 0x00030000,
	                                         &v, &ext),
	                 0);
	assert_int_equal(v, 0x00020002);
	assert_int_equal(ext.dwExtensionID0 | ext.dwExtensionID1 |
	                         ext.dwExtensionID2 | ext.dwExtensionID3,
	                 0);
	assert_int_equal(lineNegotiateAPIVersion(a.h, 1, 0x00010003, 0x00010004,
	                                         &v, &ext),
	                 0);
	assert_int_equal(v, 0x00010004);
	assert_int_equal(lineNegotiateAPIVersion(a.h, 0, 0x00020000, 0x00020000,
	                                         &v, &ext),
	                 0);
	assert_int_equal(v, 0x00020000);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h + 1, 0, 0x10004, 0x20002, &v, &ext),
		LINEERR_INVALAPPHANDLE);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 4, 0x10004, 0x20002, &v, &ext),
		LINEERR_BADDEVICEID);
	assert_int_equal(lineNegotiateAPIVersion(a.h, LINEMAPPER, 0x10004,
	                                         0x20002, &v, &ext),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x10004, 0x20002, NULL, &ext),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x10004, 0x20002, &v, NULL),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x10000, 0x10003, &v, &ext),
		LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x30000, 0x30001, &v, &ext),
		LINEERR_INCOMPATIBLEAPIVERSION);
	/* [proposal] — low above high */
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x20002, 0x10004, &v, &ext),
		LINEERR_INCOMPATIBLEAPIVERSION);
	fx_shutdown(&a);
}

union caps_buf {
	LINEDEVCAPS caps;
	char buf[2048];
};

/* spec: tapi-functions.md §4, §0.4 */
static void test_get_dev_caps(void **s)
{
	static const DWORD vers[] = {0x00010004, 0x00020000, 0x00020001,
	                             0x00020002};
	static const DWORD fixed[] = {240, 252, 252, 268};
	struct fx_app a;
	union caps_buf u;
	unsigned i;

	(void)s;
	fx_app_init(&a, "a");
	for (i = 0; i < 4; i++) {
		memset(&u, 0, sizeof(u));
		u.caps.dwTotalSize = fixed[i] - 1;
		assert_int_equal(lineGetDevCaps(a.h, 0, vers[i], 0, &u.caps),
		                 LINEERR_STRUCTURETOOSMALL);
		u.caps.dwTotalSize = sizeof(u);
		assert_int_equal(lineGetDevCaps(a.h, 0, vers[i], 0, &u.caps),
		                 0);
		assert_int_equal(u.caps.dwNeededSize, u.caps.dwUsedSize);
		assert_true(u.caps.dwUsedSize > fixed[i]);
		assert_true(u.caps.dwLineNameOffset >= fixed[i]);
		assert_string_equal(u.buf + u.caps.dwLineNameOffset,
		                    "esp line 0 (100)");
		assert_int_equal(u.caps.dwNumAddresses, 1);
		assert_true(u.caps.dwDevCapFlags & LINEDEVCAPFLAGS_CLOSEDROP);
		/* spec: §4 — TAPI adds these line states */
		assert_int_equal(u.caps.dwLineStates &
		                         (LINEDEVSTATE_OPEN |
		                          LINEDEVSTATE_CLOSE |
		                          LINEDEVSTATE_REINIT |
		                          LINEDEVSTATE_TRANSLATECHANGE),
		                 LINEDEVSTATE_OPEN | LINEDEVSTATE_CLOSE |
		                         LINEDEVSTATE_REINIT |
		                         LINEDEVSTATE_TRANSLATECHANGE);
	}
	/* fixed part only: parts are omitted, never truncated */
	memset(&u, 0, sizeof(u));
	u.caps.dwTotalSize = 268 + 10;
	assert_int_equal(lineGetDevCaps(a.h, 1, 0x00020002, 0, &u.caps), 0);
	assert_true(u.caps.dwNeededSize > u.caps.dwUsedSize);
	assert_true(u.caps.dwUsedSize <= 278);
	assert_int_equal(u.caps.dwProviderInfoSize, 0);
	assert_int_equal(u.caps.dwLineNameSize, 0);
	/* errors */
	u.caps.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetDevCaps(a.h + 1, 0, 0x20002, 0, &u.caps),
	                 LINEERR_INVALAPPHANDLE);
	assert_int_equal(lineGetDevCaps(a.h, 9, 0x20002, 0, &u.caps),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x20002, 0, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x10003, 0, &u.caps),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x30000, 0, &u.caps),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x20002, 1, &u.caps),
	                 LINEERR_INCOMPATIBLEEXTVERSION);
	fx_shutdown(&a);
}

static void test_get_address_caps(void **s)
{
	struct fx_app a;
	union {
		LINEADDRESSCAPS ac;
		char buf[1024];
	} u;

	(void)s;
	fx_app_init(&a, "a");
	memset(&u, 0, sizeof(u));
	u.ac.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetAddressCaps(a.h, 2, 0, 0x20002, 0, &u.ac), 0);
	assert_string_equal(u.buf + u.ac.dwAddressOffset, "102");
	assert_int_equal(u.ac.dwLineDeviceID, 2);
	assert_int_equal(lineGetAddressCaps(a.h, 2, 1, 0x20002, 0, &u.ac),
	                 LINEERR_INVALADDRESSID);
	assert_int_equal(lineGetAddressCaps(a.h, 2, 0, 0x20002, 0, NULL),
	                 LINEERR_INVALPOINTER);
	u.ac.dwTotalSize = 179;
	assert_int_equal(lineGetAddressCaps(a.h, 2, 0, 0x10004, 0, &u.ac),
	                 LINEERR_STRUCTURETOOSMALL);
	u.ac.dwTotalSize = 180;
	assert_int_equal(lineGetAddressCaps(a.h, 2, 0, 0x10004, 0, &u.ac), 0);
	assert_int_equal(u.ac.dwUsedSize, 180);
	assert_int_equal(u.ac.dwNeededSize, 184);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_every_function_uninitialized_without_registration,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialize_ex_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_initialize_ex_success,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_configuration_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_event_fd_readable_exactly_while_queued, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_event_quiet, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_session_end_returns_pooled_memory, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_get_message_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_wakes_blocked_get_message, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_callback_mode_delivers_in_order_on_one_thread,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_from_inside_a_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_initialize, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_completion_port_records,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_completion_port_full_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negotiate_api_version,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_dev_caps, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_get_address_caps, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
