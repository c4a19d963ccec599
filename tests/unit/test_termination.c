/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Termination (spec: termination.md): lineDrop with user-user information,
 * lineDeallocateCall and the "last monitor" rule, every row of the
 * lineClose decision table with pending requests, lineShutdown, forced
 * close and device removal, and the invariants of §1 checked with esp's
 * counters (TSPI_lineCloseCall exactly once per call, none for an unknown
 * call) and the log (no request completed twice).
 */
#include <string.h>

#include "fx.h"

#define IV      LINEMEDIAMODE_INTERACTIVEVOICE
#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE

static int setup(void **state)
{
	(void)state;
	fx_config_esp(4);
	fx_log_start();
	return 0;
}

static int teardown(void **state)
{
	/* spec: termination.md §1.5 — no request completed twice, no event
	 * for a call TAPI had closed, no TSPI call naming a dead call */
	unsigned twice = fx_log_count("second completion") +
	                 fx_log_count("for no pending request") +
	                 fx_log_count("unknown call");

	fx_log_stop();
	assert_int_equal(twice, 0);
	return fx_teardown(state);
}

static unsigned long closecalls(void)
{
	unsigned long n[4];

	fx_esp_counters(n);
	assert_int_equal(n[1], 0); /* no TSPI call named a dead call */
	assert_int_equal(n[3], 0); /* TAPI closed every call itself */
	return n[0];
}

/* A connected call from line 0 (app a) to line 1 (app b, owner). */
struct pair {
	struct fx_app *a, *b;
	HLINE la, lb;
	HCALL out, in;
};

static void connect_pair(struct pair *p, const char *dest)
{
	LONG req = lineMakeCall(p->la, &p->out, dest, 0, NULL);

	assert_int_equal(fx_reply(p->a, req), 0);
	p->in = (HCALL)fx_wait(p->b, LINE_APPNEWCALL, p->lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(p->b, lineAnswer(p->in, NULL, 0)), 0);
	fx_wait(p->a, LINE_CALLSTATE, p->out, LINECALLSTATE_CONNECTED);
}

/*
 * spec: termination.md §2 — UUI at drop reaches the far end: its
 * LINECALLINFO shows it, announced by LINE_CALLINFO(USERUSERINFO) before
 * its DISCONNECTED; past dwUUIDropSize: USERUSERINFOTOOBIG.
 */
static void test_drop_uui_reaches_far_end(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	union {
		LINECALLINFO ci;
		char buf[1024];
	} u;
	union {
		LINEDEVCAPS dc;
		char buf[1024];
	} caps;
	char big[300];

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	connect_pair(&p, "101");
	memset(&caps, 0, sizeof(caps));
	caps.dc.dwTotalSize = sizeof(caps);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x20002, 0, &caps.dc), 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(lineDrop(p.out, big, caps.dc.dwUUIDropSize + 1),
	                 LINEERR_USERUSERINFOTOOBIG);
	fx_consume_all(&b);
	assert_int_equal(fx_reply(&a, lineDrop(p.out, "goodbye", 8)), 0);
	fx_expect(&b, LINE_CALLINFO, p.in, LINECALLINFOSTATE_USERUSERINFO, 0,
	          0);
	fx_expect(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED,
	          LINEDISCONNECTMODE_NORMAL, 0);
	memset(&u, 0, sizeof(u));
	u.ci.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetCallInfo(p.in, &u.ci), 0);
	assert_int_equal(u.ci.dwUserUserInfoSize, 8);
	assert_string_equal(u.buf + u.ci.dwUserUserInfoOffset, "goodbye");
	/* spec: §2 — dropping a DISCONNECTED call clears it to IDLE */
	assert_int_equal(fx_reply(&b, lineDrop(p.in, NULL, 0)), 0);
	fx_expect(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_IDLE, 0, 0);
	/* the handles still answer until deallocated */
	assert_int_equal(fx_state(p.in), LINECALLSTATE_IDLE);
	assert_int_equal(fx_state(p.out), LINECALLSTATE_IDLE);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: tapi-functions.md §18, §19 — UUI sent during the call; received
 * UUI is never overwritten before the app releases it; the next one is
 * installed and announced at the release. UUI at answer and accept.
 */
static void test_send_and_release_uui(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	union {
		LINECALLINFO ci;
		char buf[1024];
	} u;
	HCALL c;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	assert_int_equal(
		fx_reply(&a, lineMakeCall(p.la, &p.out, "101", 0, NULL)), 0);
	p.in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, p.lb, FX_ANY).dwParam2;
	/* UUI with the answer reaches the caller */
	assert_int_equal(fx_reply(&b, lineAnswer(p.in, "hello", 6)), 0);
	fx_wait(&a, LINE_CALLINFO, p.out, LINECALLINFOSTATE_USERUSERINFO);
	/* errors: §18 */
	assert_int_equal(lineSendUserUserInfo(p.out, NULL, 4),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineSendUserUserInfo(p.out, "x", 0),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineSendUserUserInfo(0, "x", 2),
	                 LINEERR_INVALCALLHANDLE);
	/* a second UUI waits: "hello" was not released */
	assert_int_equal(fx_reply(&b, lineSendUserUserInfo(p.in, "one", 4)), 0);
	assert_int_equal(fx_reply(&b, lineSendUserUserInfo(p.in, "two", 4)), 0);
	memset(&u, 0, sizeof(u));
	u.ci.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetCallInfo(p.out, &u.ci), 0);
	assert_string_equal(u.buf + u.ci.dwUserUserInfoOffset, "hello");
	fx_consume_all(&a);
	assert_int_equal(fx_reply(&a, lineReleaseUserUserInfo(p.out)), 0);
	fx_expect(&a, LINE_CALLINFO, p.out, LINECALLINFOSTATE_USERUSERINFO, 0,
	          0);
	assert_int_equal(lineGetCallInfo(p.out, &u.ci), 0);
	assert_string_equal(u.buf + u.ci.dwUserUserInfoOffset, "one");
	assert_int_equal(fx_reply(&a, lineReleaseUserUserInfo(p.out)), 0);
	fx_expect(&a, LINE_CALLINFO, p.out, LINECALLINFOSTATE_USERUSERINFO, 0,
	          0);
	assert_int_equal(lineGetCallInfo(p.out, &u.ci), 0);
	assert_string_equal(u.buf + u.ci.dwUserUserInfoOffset, "two");
	/* releasing when nothing waits succeeds; the next UUI then shows */
	assert_int_equal(fx_reply(&a, lineReleaseUserUserInfo(p.out)), 0);
	assert_int_equal(fx_reply(&b, lineSendUserUserInfo(p.in, "3", 2)), 0);
	fx_expect(&a, LINE_CALLINFO, p.out, LINECALLINFOSTATE_USERUSERINFO, 0,
	          0);
	/* a monitor may read UUI but not release it (§19) */
	{
		struct fx_app m;
		HLINE lm;
		struct {
			LINECALLLIST cl;
			HCALL h[2];
		} l;

		fx_app_init(&m, "m");
		lm = fx_open(&m, 0, NONE, 0);
		l.cl.dwTotalSize = sizeof(l);
		assert_int_equal(
			lineGetNewCalls(lm, 0, LINECALLSELECT_LINE, &l.cl), 0);
		assert_int_equal(lineReleaseUserUserInfo(l.h[0]),
		                 LINEERR_NOTOWNER);
		fx_shutdown(&m);
	}
	/* states: §18 — not in IDLE */
	assert_int_equal(fx_reply(&a, lineDrop(p.out, NULL, 0)), 0);
	assert_int_equal(lineSendUserUserInfo(p.out, "x", 2),
	                 LINEERR_INVALCALLSTATE);
	/* UUI with lineAccept */
	assert_int_equal(fx_reply(&a, lineMakeCall(p.la, &c, "101", 0, NULL)),
	                 0);
	p.in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, p.lb, FX_ANY).dwParam2;
	req = lineAccept(p.in, "acc", 4);
	assert_int_equal(fx_reply(&b, req), 0);
	fx_wait(&a, LINE_CALLINFO, c, LINECALLINFOSTATE_USERUSERINFO);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: termination.md §3.4 — TSPI_lineCloseCall exactly once, when the
 * last handle of any app is gone: the "last monitor" case.
 */
static void test_last_monitor_closes_the_call(void **s)
{
	struct fx_app a, m;
	HLINE la, lm;
	HCALL c, mc;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	la = fx_open(&a, 0, NONE, 0);
	lm = fx_open(&m, 0, MONITOR, 0);
	before = closecalls();
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(c), 0);
	assert_int_equal(closecalls(), before); /* the monitor still holds it */
	assert_int_equal(lineDeallocateCall(mc), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_shutdown(&a);
	fx_shutdown(&m);
	assert_int_equal(closecalls(), before + 1); /* and never again */
}

/*
 * spec: termination.md §3 (row "OWNER, sole owner, not IDLE, API >= 2.0"),
 * §3.4 — the sole owner of a connected call deallocates it: no handle is
 * left, so TAPI closes the call (TSPI_lineCloseCall, once) and esp drops
 * it (LINEDEVCAPFLAGS_CLOSEDROP): the far end sees it disconnected and
 * nothing of the call is left. Through tapixd with its Line and Call
 * objects, its own monitor handle changes none of this (DESIGN.md).
 */
static void test_deallocate_connected_sole_owner(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	struct tapix_live live;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	connect_pair(&p, "101");
	before = closecalls();
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(&b, lineDrop(p.in, NULL, 0)), 0);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(p.in), 0);
	assert_int_equal(closecalls(), before + 2);
	fx_live(&live);
	assert_int_equal(live.calls, 0);
	assert_int_equal(live.call_handles, 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
	assert_int_equal(closecalls(), before + 2);
}

/*
 * spec: termination.md §5.1 row "OWNER, sole, others exist, not IDLE":
 * drop only; the monitor hears NUMOWNERDECR then IDLE, and its
 * deallocation closes the call.
 */
static void test_close_sole_owner_with_monitor(void **s)
{
	struct fx_app a, b, m;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	HLINE lm;
	HCALL mc;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&m, "m");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&p, "101");
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	fx_consume_all(&m);
	before = closecalls();
	assert_int_equal(lineClose(p.lb), 0);
	/* spec: §10 trace 1 */
	fx_expect(&m, LINE_CALLINFO, mc, LINECALLINFOSTATE_NUMOWNERDECR, 0, 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE, 0, 0);
	assert_int_equal(closecalls(), before);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(lineDeallocateCall(mc), 0);
	assert_int_equal(closecalls(), before + 1);
	/* the line's handles are gone */
	assert_int_equal(lineDrop(p.in, NULL, 0), LINEERR_INVALCALLHANDLE);
	fx_shutdown(&a);
	fx_shutdown(&b);
	fx_shutdown(&m);
}

/*
 * spec: termination.md §5.1 row "OWNER, sole, no others, not IDLE": drop,
 * then CloseCall right after the drop returned — without waiting: the
 * (slow) drop and a pending lineHold complete with OPERATIONFAILED inside
 * CloseCall, and the app gets no LINE_REPLY for either (§5.2.2, trace 2).
 */
static void test_close_sole_handle_pending_requests(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	unsigned long before;
	LONG hold;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	assert_int_equal(fx_reply(&a, lineMakeCall(p.la, &p.out, "slow:200/101",
	                                           0, NULL)),
	                 0);
	p.in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, p.lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(p.in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_CONNECTED);
	fx_consume_all(&a);
	hold = lineHold(p.out); /* pending for 200 ms */
	assert_true(hold > 0);
	before = closecalls();
	assert_int_equal(lineClose(p.la), 0);
	/* CloseCall already happened: nothing waited for the slow drop */
	assert_int_equal(closecalls(), before + 1);
	/* nor later, when the hold would have completed (200 ms; 1.5 s
	 * allowed for a busy machine) */
	assert_false(
		fx_wait_try(&a, LINE_REPLY, 0, (DWORD_PTR)hold, 1500, NULL));
	fx_expect_none(&a);
	/* CLOSEDROP: the far end sees the call end */
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/* spec: §5.1 rows "OWNER, sole, IDLE": CloseCall only, or nothing */
static void test_close_idle_calls(void **s)
{
	struct fx_app a, m;
	HLINE la, lm;
	HCALL c1, c2, mc;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	la = fx_open(&a, 0, NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c1, "reject", 0, NULL)),
	                 0);
	assert_int_equal(fx_reply(&a, lineDrop(c1, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c1, LINECALLSTATE_IDLE);
	lm = fx_open(&m, 0, MONITOR, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c2, "busy", 0, NULL)),
	                 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&a, lineDrop(c2, NULL, 0)), 0);
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE);
	before = closecalls();
	fx_consume_all(&m);
	assert_int_equal(lineClose(la), 0);
	/* c1: no other handle: CloseCall; c2: the monitor holds it */
	assert_int_equal(closecalls(), before + 1);
	fx_expect_none(&m); /* IDLE: no LINE_CALLINFO (tapi-model §6.4) */
	assert_int_equal(lineDeallocateCall(mc), 0);
	assert_int_equal(closecalls(), before + 2);
	fx_shutdown(&a);
	fx_shutdown(&m);
}

/*
 * spec: §5.1 rows "OWNER, other OWNER" and "MONITOR, others": nothing
 * towards the provider; the others hear the count change.
 */
static void test_close_with_other_owner(void **s)
{
	struct fx_app a, b;
	HLINE la, lb;
	HCALL c, bc;
	unsigned long before;
	struct {
		LINECALLLIST cl;
		HCALL h[2];
	} l;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 0, NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetNewCalls(lb, 0, LINECALLSELECT_LINE, &l.cl), 0);
	bc = l.h[0];
	assert_int_equal(lineSetCallPrivilege(bc, OWNER), 0);
	before = closecalls();
	fx_consume_all(&b);
	assert_int_equal(lineClose(la), 0);
	fx_expect(&b, LINE_CALLINFO, bc, LINECALLINFOSTATE_NUMOWNERDECR, 0, 0);
	assert_int_equal(fx_state(bc), LINECALLSTATE_CONNECTED);
	assert_int_equal(closecalls(), before);
	/* spec: §5.1 row "MONITOR, no others": CloseCall (and CLOSEDROP) */
	la = fx_open(&a, 0, NONE, 0);
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetNewCalls(la, 0, LINECALLSELECT_LINE, &l.cl), 0);
	assert_int_equal(lineClose(la), 0); /* monitor, others: nothing */
	assert_int_equal(closecalls(), before);
	assert_int_equal(lineSetCallPrivilege(bc, MONITOR),
	                 LINEERR_INVALCALLSTATE);    /* sole owner */
	assert_int_equal(lineDeallocateCall(bc), 0); /* API 2.0: allowed */
	assert_int_equal(closecalls(), before + 1);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: §5.1 row "MONITOR, no other handle": the line of the only handle
 * left, a monitor's, closes: TAPI closes the call (TSPI_lineCloseCall,
 * which drops it: CLOSEDROP) and nothing of it is left.
 */
static void test_close_sole_monitor_closes_the_call(void **s)
{
	struct fx_app a, m;
	HLINE la, lm;
	HCALL c, mc;
	struct tapix_live live;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	la = fx_open(&a, 0, NONE, 0);
	lm = fx_open(&m, 0, MONITOR, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	/* §3, API 2.0: the sole owner lets go, the call goes on ownerless */
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_wait(&m, LINE_CALLINFO, mc, LINECALLINFOSTATE_NUMOWNERDECR);
	before = closecalls();
	assert_int_equal(lineClose(lm), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_live(&live);
	assert_int_equal(live.calls, 0);
	assert_int_equal(live.call_handles, 0);
	fx_shutdown(&a);
	fx_shutdown(&m);
	assert_int_equal(closecalls(), before + 1);
}

/*
 * spec: termination.md §3 rows "OWNER, sole owner, not IDLE": an offered
 * call deallocated by its only handle holder. API < 2.0: refused with
 * INVALCALLSTATE (drop first); API >= 2.0: allowed, and with no handle
 * left (§3 effect 4) TAPI closes the call at once (TSPI_lineCloseCall,
 * CLOSEDROP): the caller sees it end and nothing of it is left.
 */
static void test_deallocate_offering_sole_owner(void **s)
{
	struct fx_app a, b, old;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	struct tapix_live live;
	unsigned long before;
	HCALL oc;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&old, "old");
	p.la = fx_open(&a, 0, NONE, 0);
	/* API 1.4 first: the offered call is refused its deallocation */
	fx_open_ver(&old, 1, 0x00010004, OWNER, IV);
	assert_int_equal(
		fx_reply(&a, lineMakeCall(p.la, &p.out, "101", 0, NULL)), 0);
	/* no LINE_APPNEWCALL before API 2.0: the call is the state's */
	oc = (HCALL)fx_wait(&old, LINE_CALLSTATE, 0, LINECALLSTATE_OFFERING)
	             .hDevice;
	assert_int_equal(fx_priv(oc), LINECALLPRIVILEGE_OWNER);
	before = closecalls();
	assert_int_equal(lineDeallocateCall(oc), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_state(oc), LINECALLSTATE_OFFERING);
	assert_int_equal(closecalls(), before);
	assert_int_equal(fx_reply(&old, lineDrop(oc, NULL, 0)), 0);
	fx_wait(&old, LINE_CALLSTATE, oc, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(oc), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	fx_shutdown(&old);
	/* API 2.2: allowed, and the call is closed with its last handle */
	p.lb = fx_open(&b, 1, OWNER, IV);
	assert_int_equal(
		fx_reply(&a, lineMakeCall(p.la, &p.out, "101", 0, NULL)), 0);
	p.in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, p.lb, FX_ANY).dwParam2;
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_OFFERING);
	before = closecalls();
	assert_int_equal(lineDeallocateCall(p.in), 0);
	assert_int_equal(closecalls(), before + 1);
	assert_int_equal(lineAnswer(p.in, NULL, 0), LINEERR_INVALCALLHANDLE);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(closecalls(), before + 2);
	fx_live(&live);
	assert_int_equal(live.calls, 0);
	assert_int_equal(live.call_handles, 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
	assert_int_equal(closecalls(), before + 2);
}

/*
 * spec: termination.md §5.1 rows "OWNER, sole, no others, not IDLE" for
 * the states other tests do not reach: an OFFERING call closed by its
 * owner's lineClose, and a DISCONNECTED one (the far end hung up, the app
 * had not dropped it yet). Each is dropped and closed (CloseCall once);
 * the far end of the offered call sees it end; nothing is left.
 */
static void test_close_offering_and_disconnected_calls(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	struct tapix_live live;
	unsigned long before;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	/* OFFERING */
	assert_int_equal(
		fx_reply(&a, lineMakeCall(p.la, &p.out, "101", 0, NULL)), 0);
	p.in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, p.lb, FX_ANY).dwParam2;
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_OFFERING);
	before = closecalls();
	assert_int_equal(lineClose(p.lb), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(closecalls(), before + 2);
	/* DISCONNECTED: b hangs up a connected call; a closes its line */
	p.lb = fx_open(&b, 1, OWNER, IV);
	connect_pair(&p, "101");
	assert_int_equal(fx_reply(&b, lineDrop(p.in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_state(p.out), LINECALLSTATE_DISCONNECTED);
	before = closecalls();
	assert_int_equal(lineClose(p.la), 0);
	assert_int_equal(closecalls(), before + 1);
	assert_int_equal(lineDeallocateCall(p.out), LINEERR_INVALCALLHANDLE);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(p.in), 0);
	assert_int_equal(closecalls(), before + 2);
	fx_live(&live);
	assert_int_equal(live.calls, 0);
	assert_int_equal(live.call_handles, 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: termination.md §6 with §5.1 row "MONITOR, others": an app that
 * only monitors a call shuts down: the provider hears nothing, the call
 * goes on, its owner hears NUMMONITORS; the owner's deallocation after
 * IDLE is then the one that closes it.
 */
static void test_shutdown_of_a_monitor_leaves_the_call(void **s)
{
	struct fx_app a, b, m;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	unsigned long before;
	DWORD owners, monitors;
	HLINE lm;
	HCALL mc;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&m, "m");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	lm = fx_open(&m, 0, MONITOR, 0);
	connect_pair(&p, "101");
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_counts(p.out, &owners, &monitors);
	assert_int_equal(monitors, 1);
	fx_consume_all(&a);
	before = closecalls();
	fx_shutdown(&m);
	fx_expect(&a, LINE_CALLINFO, p.out, LINECALLINFOSTATE_NUMMONITORS, 0,
	          0);
	assert_int_equal(closecalls(), before);
	assert_int_equal(fx_state(p.out), LINECALLSTATE_CONNECTED);
	fx_counts(p.out, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(monitors, 0);
	assert_int_equal(lineDeallocateCall(mc), LINEERR_INVALCALLHANDLE);
	assert_int_equal(fx_reply(&a, lineDrop(p.out, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: §8, §5.2.5 — a call no app holds a handle to (its line's only
 * open has no privilege) stays in TAPI's table until its line's last
 * open closes: then TAPI closes it (and esp drops it: the caller sees it
 * disconnected); or, variant, until it reports IDLE.
 */
static void test_unheld_call_closed_with_last_open(void **s)
{
	struct fx_app a, b;
	HLINE la, lb;
	HCALL c;
	struct tapix_live live;
	unsigned long before;
	int i;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 1, NONE, 0);
	before = closecalls();
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "101", 0, NULL)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_RINGBACK);
	assert_int_equal(lineClose(lb), 0);
	assert_int_equal(closecalls(), before + 1);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_DISCONNECTED);
	fx_live(&live);
	assert_int_equal(live.calls, 1); /* a's only */
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	assert_int_equal(closecalls(), before + 2);
	/* the IDLE variant: the unheld call closes when it reports IDLE */
	lb = fx_open(&b, 1, NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "101", 0, NULL)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	for (i = 0; i < 1000 && closecalls() != before + 4; i++)
		fx_wait_try(&b, LINE_REPLY, 0, 0, 5, NULL);
	assert_int_equal(closecalls(), before + 4);
	fx_live(&live);
	assert_int_equal(live.calls, 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: §3 effects 2 and 3, §9 C4 — the last handle goes with a request
 * of its app pending: the call is closed (TSPI_lineCloseCall fails the
 * request) and an API 2.0 app still gets its LINE_REPLY; an API 1.4
 * owner that deallocates (another owner keeps the call) gets none; a
 * monitor's deallocation tells the other holders NUMMONITORS.
 */
static void test_deallocate_with_pending_request(void **s)
{
	struct fx_app a, b, m;
	HLINE la, lb, lm, lm2;
	HCALL c, bc, mc, mc2;
	unsigned long before;
	LONG hold;
	struct {
		LINECALLLIST cl;
		HCALL h[2];
	} l;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&m, "m");
	la = fx_open(&a, 0, NONE, 0);
	assert_int_equal(
		fx_reply(&a, lineMakeCall(la, &c, "slow:300/answer", 0, NULL)),
		0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	before = closecalls();
	hold = lineHold(c);
	assert_true(hold > 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	assert_int_equal(closecalls(), before + 1);
	assert_int_equal(fx_reply(&a, hold), LINEERR_OPERATIONFAILED);
	/* API 1.4: another owner keeps the call; no reply for the 1.4 one */
	lb = fx_open_ver(&b, 0, 0x00010004, NONE, 0);
	assert_int_equal(
		fx_reply(&b, lineMakeCall(lb, &bc, "slow:300/answer", 0, NULL)),
		0);
	fx_wait(&b, LINE_CALLSTATE, bc, LINECALLSTATE_CONNECTED);
	lm = fx_open(&m, 0, MONITOR, 0);
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetNewCalls(lm, 0, LINECALLSELECT_LINE, &l.cl), 0);
	mc = l.h[0];
	assert_int_equal(lineSetCallPrivilege(mc, OWNER), 0);
	hold = lineHold(bc);
	assert_true(hold > 0);
	assert_int_equal(lineDeallocateCall(bc), 0);
	/* (the hold would complete in 300 ms; 1.5 s for a busy machine) */
	assert_false(
		fx_wait_try(&b, LINE_REPLY, 0, (DWORD_PTR)hold, 1500, NULL));
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_ONHOLD);
	/* two monitors: one deallocates, the other hears NUMMONITORS */
	lm2 = fx_open(&b, 0, MONITOR, 0);
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetNewCalls(lm2, 0, LINECALLSELECT_LINE, &l.cl),
	                 0);
	mc2 = l.h[0];
	assert_int_equal(lineSetCallPrivilege(mc, MONITOR),
	                 LINEERR_INVALCALLSTATE); /* m is the sole owner */
	fx_consume_all(&m);
	assert_int_equal(lineDeallocateCall(mc2), 0);
	fx_wait(&m, LINE_CALLINFO, mc, LINECALLINFOSTATE_NUMMONITORS);
	assert_int_equal(fx_reply(&m, lineDrop(mc, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(mc), 0);
	assert_int_equal(closecalls(), before + 2);
	fx_shutdown(&a);
	fx_shutdown(&b);
	fx_shutdown(&m);
}

/*
 * spec: §5.1 last row, §10 trace 5 — a creating request pending when the
 * line closes: no drop, CloseCall at once, the provider fails the request,
 * the app gets no reply and its LPHCALL is never written.
 */
static void test_close_with_pending_make_call(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 77, d = 77;
	unsigned long before;
	LONG req1, req2;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	before = closecalls();
	req1 = lineMakeCall(l, &c, "slow:5000/answer", 0, NULL);
	req2 = lineMakeCall(l, &d, "slow:5000/busy", 0, NULL);
	assert_true(req1 > 0 && req2 > 0);
	assert_int_equal(lineClose(l), 0);
	assert_int_equal(closecalls(), before + 2);
	assert_int_equal(c, 77);
	assert_int_equal(d, 77);
	fx_expect_none(&a);
	/* lineShutdown likewise (termination.md §6) */
	l = fx_open(&a, 0, NONE, 0);
	req1 = lineMakeCall(l, &c, "slow:5000/answer", 0, NULL);
	assert_true(req1 > 0);
	fx_shutdown(&a);
	assert_int_equal(closecalls(), before + 3);
	assert_int_equal(c, 77);
}

/*
 * spec: termination.md §6 — lineShutdown closes every line of the app as
 * lineClose would, with the other apps' handles and counts kept right.
 */
static void test_shutdown_applies_close_rules(void **s)
{
	struct fx_app a, b, m;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	HLINE lm;
	HCALL mc;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&m, "m");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	lm = fx_open(&m, 0, MONITOR, 0);
	connect_pair(&p, "101");
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	fx_consume_all(&m);
	fx_shutdown(&a); /* sole owner of out: dropped; m keeps its handle */
	fx_expect(&m, LINE_CALLINFO, mc, LINECALLINFOSTATE_NUMOWNERDECR, 0, 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE, 0, 0);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED);
	fx_shutdown(&b);
	fx_shutdown(&m);
}

/* spec: termination.md §2 — a held call can be dropped */
static void test_drop_held_call(void **s)
{
	struct fx_app a, b;
	struct pair p = {&a, &b, 0, 0, 0, 0};

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	connect_pair(&p, "101");
	assert_int_equal(lineUnhold(p.out), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineHold(p.out)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_ONHOLD);
	assert_int_equal(lineHold(p.out), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineUnhold(p.out)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineHold(p.out)), 0);
	assert_int_equal(fx_reply(&a, lineDrop(p.out, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_IDLE);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: tapi-functions.md §22 — a blind transfer: the call goes IDLE (its
 * handle stays), the far end now calls the new destination.
 */
static void test_blind_transfer(void **s)
{
	struct fx_app a, b, c;
	struct pair p = {&a, &b, 0, 0, 0, 0};
	HLINE lc;
	HCALL tc;
	union {
		LINECALLINFO ci;
		char buf[512];
	} u;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&c, "c");
	p.la = fx_open(&a, 0, NONE, 0);
	p.lb = fx_open(&b, 1, OWNER, IV);
	lc = fx_open(&c, 2, OWNER, IV);
	connect_pair(&p, "101");
	assert_int_equal(lineBlindTransfer(p.in, NULL, 0),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineBlindTransfer(p.in, "9W", 0),
	                 LINEERR_DIALDIALTONE);
	assert_int_equal(fx_reply(&b, lineBlindTransfer(p.in, "102", 0)), 0);
	fx_wait(&b, LINE_CALLSTATE, p.in, LINECALLSTATE_IDLE);
	assert_int_equal(fx_state(p.in), LINECALLSTATE_IDLE);
	tc = (HCALL)fx_wait(&c, LINE_APPNEWCALL, lc, FX_ANY).dwParam2;
	memset(&u, 0, sizeof(u));
	u.ci.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetCallInfo(tc, &u.ci), 0);
	assert_string_equal(u.buf + u.ci.dwCallerIDOffset, "100");
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&c, lineAnswer(tc, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_CONNECTED);
	fx_shutdown(&a);
	fx_shutdown(&b);
	fx_shutdown(&c);
}

/*
 * spec: tapi-functions.md §17, tapi-messages-and-states.md §5.6 — handoff
 * to a monitor app which then owns the call: LINE_CALLSTATE with
 * dwParam3 = OWNER to it, NUMOWNERINCR to the others, nothing to the
 * caller; it can then drop the call; TARGETSELF, TARGETNOTFOUND.
 */
static void test_handoff(void **s)
{
	struct fx_app a, m, x;
	HLINE la, lm, lx;
	HCALL c, mc;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	fx_app_init(&x, "x");
	la = fx_open(&a, 0, OWNER, IV);
	lm = fx_open(&m, 0, OWNER | MONITOR, LINEMEDIAMODE_DATAMODEM);
	lx = fx_open(&x, 0, MONITOR, 0);
	(void)lx;
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&x, LINE_CALLSTATE, 0, LINECALLSTATE_CONNECTED);
	fx_consume_all(&a);
	fx_consume_all(&m);
	fx_consume_all(&x);
	assert_int_equal(lineHandoff(mc, NULL, LINEMEDIAMODE_DATAMODEM),
	                 LINEERR_NOTOWNER);
	assert_int_equal(lineHandoff(c, NULL, 0), LINEERR_INVALMEDIAMODE);
	assert_int_equal(lineHandoff(c, NULL,
	                             LINEMEDIAMODE_INTERACTIVEVOICE |
	                                     LINEMEDIAMODE_DATAMODEM),
	                 LINEERR_INVALMEDIAMODE);
	assert_int_equal(lineHandoff(c, NULL, LINEMEDIAMODE_INTERACTIVEVOICE),
	                 LINEERR_TARGETSELF);
	assert_int_equal(lineHandoff(c, NULL, LINEMEDIAMODE_G3FAX),
	                 LINEERR_TARGETNOTFOUND);
	assert_int_equal(lineHandoff(c, "no-such-app", 0),
	                 LINEERR_TARGETNOTFOUND);
	/* indirect, by media mode: m registered for DATAMODEM */
	assert_int_equal(lineHandoff(c, NULL, LINEMEDIAMODE_DATAMODEM), 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED,
	          LINECONNECTEDMODE_ACTIVE, OWNER);
	fx_expect(&x, LINE_CALLINFO, FX_ANY_DEV,
	          LINECALLINFOSTATE_NUMOWNERINCR |
	                  LINECALLINFOSTATE_NUMMONITORS,
	          0, 0);
	fx_expect_none(&a);
	assert_int_equal(fx_priv(mc), OWNER);
	assert_int_equal(fx_priv(c), OWNER); /* the caller keeps its own */
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_expect(&x, LINE_CALLINFO, FX_ANY_DEV, LINECALLINFOSTATE_NUMOWNERDECR,
	          0, 0);
	/* the new owner ends the call */
	assert_int_equal(fx_reply(&m, lineDrop(mc, NULL, 0)), 0);
	fx_wait(&x, LINE_CALLSTATE, 0, LINECALLSTATE_IDLE);
	fx_shutdown(&a);
	fx_shutdown(&m);
	fx_shutdown(&x);
}

/* Directed handoff: by the target's module name (the executable's). */
static void test_directed_handoff(void **s)
{
	struct fx_app a, b;
	HLINE la, lb;
	HCALL c;
	LINEMESSAGE msg;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 0, OWNER, IV);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	/* both apps run in this program: the name is this test's */
	assert_int_equal(lineHandoff(c, "/usr/bin/test_termination", 0), 0);
	msg = fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY);
	assert_int_equal(msg.dwParam3, OWNER);
	fx_expect(&b, LINE_CALLSTATE, (HCALL)msg.dwParam2, FX_ANY, FX_ANY,
	          OWNER);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * spec: termination.md §7 — device removal: LINE_CLOSE to the apps that
 * had it open (LINE_LINEDEVSTATE(REMOVED) first for 1.4 opens), LINE_REMOVE
 * to every 2.0 registration, then LINEERR_NODEVICE for the id.
 */
static void test_device_removal(void **s)
{
	struct fx_app a, b;
	HLINE l0, l0old;
	HCALL c;
	LINEEXTENSIONID ext;
	DWORD v;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	l0 = fx_open(&a, 0, NONE, 0);
	l0old = fx_open_ver(&a, 0, 0x00010004, MONITOR, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "answer", 0, NULL)),
	                 0);
	assert_true(lineMakeCall(l0, &c, "remove", 0, NULL) > 0);
	fx_wait(&b, LINE_REMOVE, 0, 0);
	fx_wait(&a, LINE_LINEDEVSTATE, l0old, LINEDEVSTATE_REMOVED);
	fx_wait(&a, LINE_CLOSE, l0old, FX_ANY);
	fx_wait(&a, LINE_CLOSE, l0, FX_ANY);
	fx_wait(&a, LINE_REMOVE, 0, 0);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x10004, 0x20002, &v, &ext),
		LINEERR_NODEVICE);
	assert_int_equal(lineOpen(a.h, 0, &l0, 0x20002, 0, 0, NONE, 0, NULL),
	                 LINEERR_NODEVICE);
	assert_int_equal(lineClose(l0), LINEERR_INVALLINEHANDLE);
	/* the other lines still work */
	l0 = fx_open(&a, 1, NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "busy", 0, NULL)),
	                 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
	fx_app_init(&a, "a");
	if (fx_service()) {
		/* tapixd's session outlives its clients: gone until it
		 * restarts (docs/service.md) */
		assert_int_equal(
			lineOpen(a.h, 0, &l0, 0x00020002, 0, 0, NONE, 0, NULL),
			LINEERR_NODEVICE);
	} else {
		/* a new session has the line back */
		l0 = fx_open(&a, 0, NONE, 0);
	}
	fx_shutdown(&a);
}

/*
 * spec: tspi.md "Dynamic devices", tapi-messages-and-states.md LINE_CREATE
 * — a line the provider adds while the session runs (esp's spare line,
 * announced by dialling "create") gets the next device id; every
 * registration hears LINE_CREATE with it, even with no line open; the new
 * device answers lineGetDevCaps, opens and calls like the others; a new
 * registration counts it.
 */
static void test_device_creation(void **s)
{
	union {
		LINEDEVCAPS dc;
		char buf[1024];
	} u;
	struct fx_app a, b;
	HLINE l0, l4;
	HCALL c;
	DWORD v;
	LINEEXTENSIONID ext;

	(void)s;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "spare_lines = 1\n");
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	assert_int_equal(a.ndevs, 4);
	l0 = fx_open(&a, 0, NONE, 0);
	/* a device id not yet given */
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 4, 0x10004, 0x20002, &v, &ext),
		LINEERR_BADDEVICEID);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "create", 0, NULL)),
	                 LINEERR_CALLUNAVAIL);
	fx_wait(&b, LINE_CREATE, 0, 4);
	fx_wait(&a, LINE_CREATE, 0, 4);
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 4, 0x10004, 0x20002, &v, &ext), 0);
	memset(&u, 0, sizeof(u));
	u.dc.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetDevCaps(b.h, 4, 0x20002, 0, &u.dc), 0);
	assert_string_equal(u.buf + u.dc.dwLineNameOffset, "esp line 4 (104)");
	/* it works: a call from it to line 1 */
	l4 = fx_open(&b, 4, NONE, 0);
	assert_int_equal(fx_reply(&b, lineMakeCall(l4, &c, "answer", 0, NULL)),
	                 0);
	fx_wait(&b, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&b, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	/* no spare left: nothing more comes */
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "create", 0, NULL)),
	                 LINEERR_CALLUNAVAIL);
	fx_shutdown(&b);
	/* a registration of this session sees five */
	fx_app_init(&b, "b2");
	assert_int_equal(b.ndevs, 5);
	fx_shutdown(&b);
	fx_pump(&a);
	for (v = 0; v < a.nseen; v++)
		assert_true(a.seen[v].dwMessageID != LINE_CREATE || a.used[v]);
	fx_shutdown(&a);
	/* tapixd's session keeps the line until it restarts: a new one,
	 * for the next test's counts (embedded, the session ended here) */
	if (fx_service())
		fx_config_esp(4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_creation, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_drop_uui_reaches_far_end,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_and_release_uui,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_last_monitor_closes_the_call, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_deallocate_connected_sole_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_sole_owner_with_monitor, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_sole_handle_pending_requests, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_close_idle_calls, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_close_with_other_owner,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_with_pending_make_call, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_sole_monitor_closes_the_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_unheld_call_closed_with_last_open, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_deallocate_offering_sole_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_offering_and_disconnected_calls, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_of_a_monitor_leaves_the_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_deallocate_with_pending_request, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_applies_close_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_held_call, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_blind_transfer, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_handoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directed_handoff, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_device_removal, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
