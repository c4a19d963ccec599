/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lineRedirect on esp: an OFFERING call deflected to another address
 * without being answered (Microsoft's lineRedirect and TSPI_lineRedirect:
 * "The call state of hCall must be offering"; "After the call has been
 * successfully redirected, the call typically transitions to idle"), and
 * its errors, each of which changes nothing. Runs embedded and, as
 * test_redirect_service, through tapixd.
 */
#include <string.h>

#include "fx.h"

#define IV      LINEMEDIAMODE_INTERACTIVEVOICE
#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE
#define S(x)    LINECALLSTATE_##x

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

/*
 * a on line 0 (address 100) calls 101: b owns line 1 and is offered the
 * call, m monitors line 1, c owns line 2 (102).
 */
struct rd_fx {
	struct fx_app a, b, c, m;
	HLINE la, lb, lc, lm;
	HCALL a1, b1, m1;
};

static HCALL new_call(struct fx_app *app, HLINE line)
{
	return (HCALL)fx_wait(app, LINE_APPNEWCALL, line, FX_ANY).dwParam2;
}

static void rd_setup(struct rd_fx *x)
{
	memset(x, 0, sizeof(*x));
	fx_app_init(&x->a, "a");
	fx_app_init(&x->b, "b");
	fx_app_init(&x->c, "c");
	fx_app_init(&x->m, "m");
	x->la = fx_open(&x->a, 0, NONE, 0);
	x->lb = fx_open(&x->b, 1, OWNER, IV);
	x->lc = fx_open(&x->c, 2, OWNER, IV);
	x->lm = fx_open(&x->m, 1, MONITOR, 0);
	assert_int_equal(
		fx_reply(&x->a, lineMakeCall(x->la, &x->a1, "101", 0, NULL)),
		0);
	x->b1 = new_call(&x->b, x->lb);
	x->m1 = new_call(&x->m, x->lm);
	fx_wait(&x->b, LINE_CALLSTATE, x->b1, S(OFFERING));
	fx_wait(&x->a, LINE_CALLSTATE, x->a1, S(RINGBACK));
	fx_consume_all(&x->a);
	fx_consume_all(&x->b);
	fx_consume_all(&x->c);
	fx_consume_all(&x->m);
}

static void rd_teardown(struct rd_fx *x)
{
	fx_shutdown(&x->a);
	fx_shutdown(&x->b);
	fx_shutdown(&x->c);
	fx_shutdown(&x->m);
}

union info {
	LINECALLINFO ci;
	char buf[1024];
};

static void get_info(HCALL h, union info *u)
{
	memset(u, 0, sizeof(*u));
	u->ci.dwTotalSize = sizeof(*u);
	assert_int_equal(lineGetCallInfo(h, &u->ci), 0);
}

static DWORD call_features(HCALL h)
{
	LINECALLSTATUS cs;

	memset(&cs, 0, sizeof(cs));
	cs.dwTotalSize = sizeof(cs);
	assert_int_equal(lineGetCallStatus(h, &cs), 0);
	return cs.dwCallFeatures;
}

/*
 * lineRedirect: LINE_REPLY 0, the redirecting side's call IDLE with no
 * DISCONNECTED before it (an offered call was never connected), its handle
 * still there until deallocated; 102 is offered the caller's call
 * (LINECALLINFO dwReason LINECALLREASON_REDIRECT, RedirectingID 101, the
 * caller 100), the caller still hears ringback (RedirectionID 102) and is
 * connected when 102 answers.
 */
static void test_redirect_moves_offer(void **s)
{
	struct rd_fx x;
	union info u;
	HCALL c1;
	LONG req;

	(void)s;
	rd_setup(&x);
	/* Microsoft's LINECALLSTATUS: REDIRECT is what may be asked now */
	assert_true(call_features(x.b1) & LINECALLFEATURE_REDIRECT);
	req = lineRedirect(x.b1, "102", 0);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&x.b, req), 0);
	fx_expect(&x.b, LINE_CALLSTATE, x.b1, S(IDLE), FX_ANY, FX_ANY);
	assert_int_equal(fx_state(x.b1), S(IDLE));
	fx_wait(&x.m, LINE_CALLSTATE, x.m1, S(IDLE));
	assert_false(call_features(x.b1) & LINECALLFEATURE_REDIRECT);

	c1 = new_call(&x.c, x.lc);
	fx_wait(&x.c, LINE_CALLSTATE, c1, S(OFFERING));
	get_info(c1, &u);
	assert_int_equal(u.ci.dwReason, LINECALLREASON_REDIRECT);
	assert_int_not_equal(u.ci.dwCallerIDSize, 0);
	assert_string_equal(u.buf + u.ci.dwCallerIDOffset, "100");
	assert_int_equal(u.ci.dwRedirectingIDFlags, LINECALLPARTYID_ADDRESS);
	assert_int_not_equal(u.ci.dwRedirectingIDSize, 0);
	assert_string_equal(u.buf + u.ci.dwRedirectingIDOffset, "101");

	assert_int_equal(fx_state(x.a1), S(RINGBACK));
	get_info(x.a1, &u);
	assert_int_equal(u.ci.dwRedirectionIDFlags, LINECALLPARTYID_ADDRESS);
	assert_int_not_equal(u.ci.dwRedirectionIDSize, 0);
	assert_string_equal(u.buf + u.ci.dwRedirectionIDOffset, "102");

	/* the caller now talks to 102; 101 hears nothing more of it */
	assert_int_equal(fx_reply(&x.c, lineAnswer(c1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	assert_int_equal(fx_reply(&x.a, lineDrop(x.a1, NULL, 0)), 0);
	fx_wait(&x.c, LINE_CALLSTATE, c1, S(DISCONNECTED));
	fx_expect_none(&x.b);
	assert_int_equal(fx_state(x.b1), S(IDLE));
	assert_int_equal(lineDeallocateCall(x.b1), 0);
	rd_teardown(&x);
}

/*
 * Errors, each returned at once with nothing changed: no call reaches
 * 102, b's call is still OFFERING and can still be answered. Microsoft's
 * lineRedirect error list; the order is tapi-functions.md §0.3's (handle,
 * pointer, OWNER, state, values).
 */
static void test_redirect_errors(void **s)
{
	struct rd_fx x;

	(void)s;
	rd_setup(&x);
	/* §0.3 step 2 */
	assert_int_equal(lineRedirect(0, "102", 0), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineRedirect(x.b1 ^ 0x00FF0000u, "102", 0),
	                 LINEERR_INVALCALLHANDLE);
	/* step 3: before OWNER, and on a handle that may not redirect */
	assert_int_equal(lineRedirect(x.b1, NULL, 0), LINEERR_INVALPOINTER);
	assert_int_equal(lineRedirect(x.m1, NULL, 0), LINEERR_INVALPOINTER);
	/* step 5: "The application must be an owner of the call" */
	assert_int_equal(lineRedirect(x.m1, "102", 0), LINEERR_NOTOWNER);
	/* step 6: the caller's own call is RINGBACK, not OFFERING */
	assert_int_equal(lineRedirect(x.a1, "102", 0), LINEERR_INVALCALLSTATE);
	/* step 7: no address; one esp cannot dial (a dial control) */
	assert_int_equal(lineRedirect(x.b1, "", 0), LINEERR_INVALADDRESS);
	assert_int_equal(lineRedirect(x.b1, "9W102", 0), LINEERR_INVALADDRESS);
	assert_int_equal(lineRedirect(x.b1, "10x", 0), LINEERR_INVALADDRESS);
	assert_int_equal(lineRedirect(x.b1,
	                              "1234567890123456789012345678901"
	                              "234567890",
	                              0),
	                 LINEERR_INVALADDRESS);

	/* nothing happened */
	assert_int_equal(fx_state(x.b1), S(OFFERING));
	assert_int_equal(fx_state(x.a1), S(RINGBACK));
	assert_true(call_features(x.b1) & LINECALLFEATURE_REDIRECT);
	fx_pump(&x.c);
	fx_expect_none(&x.c);
	fx_pump(&x.b);
	fx_expect_none(&x.b);

	/* CONNECTED is not OFFERING: refused, the call goes on */
	assert_int_equal(fx_reply(&x.b, lineAnswer(x.b1, NULL, 0)), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(CONNECTED));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	assert_false(call_features(x.b1) & LINECALLFEATURE_REDIRECT);
	assert_int_equal(lineRedirect(x.b1, "102", 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_state(x.b1), S(CONNECTED));
	assert_int_equal(fx_state(x.a1), S(CONNECTED));
	fx_pump(&x.c);
	fx_expect_none(&x.c);

	/* nor is IDLE; after deallocation the handle is gone */
	assert_int_equal(fx_reply(&x.b, lineDrop(x.b1, NULL, 0)), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(IDLE));
	assert_int_equal(lineRedirect(x.b1, "102", 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(lineDeallocateCall(x.b1), 0);
	assert_int_equal(lineRedirect(x.b1, "102", 0), LINEERR_INVALCALLHANDLE);
	rd_teardown(&x);
}

/*
 * The caller dials the destination as it would have: redirected to an
 * esp script it gets that script's outcome (busy: BUSY), to a number no
 * esp line has, DISCONNECTED/BADADDRESS; the redirect itself succeeded.
 */
static void test_redirect_to_script(void **s)
{
	struct rd_fx x;
	LINEMESSAGE msg;

	(void)s;
	rd_setup(&x);
	assert_int_equal(fx_reply(&x.b, lineRedirect(x.b1, "busy", 0)), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(BUSY));
	assert_int_equal(fx_reply(&x.a, lineDrop(x.a1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	assert_int_equal(lineDeallocateCall(x.a1), 0);
	assert_int_equal(lineDeallocateCall(x.b1), 0);

	assert_int_equal(
		fx_reply(&x.a, lineMakeCall(x.la, &x.a1, "101", 0, NULL)), 0);
	x.b1 = new_call(&x.b, x.lb);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(OFFERING));
	assert_int_equal(fx_reply(&x.b, lineRedirect(x.b1, "555", 0)), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(IDLE));
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(DISCONNECTED));
	assert_int_equal(msg.dwParam2, LINEDISCONNECTMODE_BADADDRESS);
	fx_pump(&x.c);
	fx_expect_none(&x.c);
	rd_teardown(&x);
}

/*
 * Redirect loops (esp, tapi.h's lineRedirect note): to the call's own
 * line is LINEERR_INVALADDRESS and the call still rings there; lines
 * that send a call to each other stop after 8 redirects with
 * LINEERR_OPERATIONFAILED, the call left offered where it is.
 */
static void test_redirect_loops_refused(void **s)
{
	struct rd_fx x;
	HCALL at;
	unsigned k;

	(void)s;
	rd_setup(&x);
	assert_int_equal(fx_reply(&x.b, lineRedirect(x.b1, "101", 0)),
	                 LINEERR_INVALADDRESS);
	assert_int_equal(fx_state(x.b1), S(OFFERING));
	/* 101 and 102 send it to each other */
	at = x.b1;
	for (k = 0; k < 8; k++) {
		bool on_b = k % 2 == 0;
		struct fx_app *from = on_b ? &x.b : &x.c;
		struct fx_app *to = on_b ? &x.c : &x.b;

		assert_int_equal(
			fx_reply(from,
		                 lineRedirect(at, on_b ? "102" : "101", 0)),
			0);
		fx_wait(from, LINE_CALLSTATE, at, S(IDLE));
		assert_int_equal(lineDeallocateCall(at), 0);
		at = new_call(to, on_b ? x.lc : x.lb);
		fx_wait(to, LINE_CALLSTATE, at, S(OFFERING));
	}
	/* the ninth is refused: the call stays offered on 101 */
	assert_int_equal(fx_reply(&x.b, lineRedirect(at, "102", 0)),
	                 LINEERR_OPERATIONFAILED);
	assert_int_equal(fx_state(at), S(OFFERING));
	fx_consume_all(&x.c);
	fx_expect_none(&x.c);
	rd_teardown(&x);
}

/*
 * Microsoft's lineRedirect: LINEERR_OPERATIONUNAVAIL — a provider that
 * exports no TSPI_lineRedirect (tspi.md §1: optional); and esp's bridged
 * appearance, where a station's offer is the appearance's: esp refuses,
 * and says so in LINECALLSTATUS (no LINECALLFEATURE_REDIRECT).
 */
static void test_redirect_unavail(void **s)
{
	struct fx_app a, b;
	HLINE l, la, lb;
	HCALL in, out;

	(void)s;
	fx_config("[tapix]\nproviders = bare\n");
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, OWNER, IV); /* bare offers a call now */
	in = new_call(&a, l);
	assert_int_equal(lineRedirect(in, "102", 0), LINEERR_OPERATIONUNAVAIL);
	/* the pointer is looked at first (§0.3 step 3) */
	assert_int_equal(lineRedirect(in, NULL, 0), LINEERR_INVALPOINTER);
	fx_shutdown(&a);

	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "bridged = 102 103\n");
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 2, OWNER, IV);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &out, "102", 0, NULL)),
	                 0);
	in = new_call(&b, lb);
	fx_wait(&b, LINE_CALLSTATE, in, S(OFFERING));
	assert_false(call_features(in) & LINECALLFEATURE_REDIRECT);
	assert_int_equal(lineRedirect(in, "101", 0), LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(fx_state(in), S(OFFERING));
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/* Microsoft's LINEADDRESSCAPS.dwCallFeatures: esp can redirect. */
static void test_redirect_in_caps(void **s)
{
	struct fx_app a;
	union {
		LINEADDRESSCAPS ac;
		char buf[2048];
	} u;

	(void)s;
	fx_app_init(&a, "a");
	memset(&u, 0, sizeof(u));
	u.ac.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetAddressCaps(a.h, 0, 0, 0x00020002, 0, &u.ac),
	                 0);
	assert_true(u.ac.dwCallFeatures & LINECALLFEATURE_REDIRECT);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_redirect_moves_offer,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_redirect_loops_refused,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_to_script, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_redirect_unavail, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_redirect_in_caps, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
