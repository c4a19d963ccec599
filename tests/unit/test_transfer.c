/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transfer with consultation (lineSetupTransfer, lineCompleteTransfer;
 * termination.md §2 on dropping a consultation call) and drops with a
 * disconnect-mode hint (tapix_line_drop_ex, TSPIX_lineDropEx) on esp.
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

/* a on line 0 talks to b on line 1; c owns line 2; m monitors line 0. */
struct xfer_fx {
	struct fx_app a, b, c, m;
	HLINE la, lb, lc, lm;
	HCALL a1, b1, consult, c1, conf;
};

static HCALL new_call(struct fx_app *app, HLINE line)
{
	return (HCALL)fx_wait(app, LINE_APPNEWCALL, line, FX_ANY).dwParam2;
}

static void xfer_setup(struct xfer_fx *x)
{
	memset(x, 0, sizeof(*x));
	fx_app_init(&x->a, "a");
	fx_app_init(&x->b, "b");
	fx_app_init(&x->c, "c");
	fx_app_init(&x->m, "m");
	x->la = fx_open(&x->a, 0, NONE, 0);
	x->lb = fx_open(&x->b, 1, OWNER, IV);
	x->lc = fx_open(&x->c, 2, OWNER, IV);
	x->lm = fx_open(&x->m, 0, MONITOR, 0);
	assert_int_equal(
		fx_reply(&x->a, lineMakeCall(x->la, &x->a1, "101", 0, NULL)),
		0);
	x->b1 = new_call(&x->b, x->lb);
	assert_int_equal(fx_reply(&x->b, lineAnswer(x->b1, NULL, 0)), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->a1, S(CONNECTED));
	fx_consume_all(&x->a);
	fx_consume_all(&x->b);
}

static void xfer_teardown(struct xfer_fx *x)
{
	fx_shutdown(&x->a);
	fx_shutdown(&x->b);
	fx_shutdown(&x->c);
	fx_shutdown(&x->m);
}

/* lineSetupTransfer from a1, then the consultation call reaches c. */
static void consult_c(struct xfer_fx *x, bool answer)
{
	LONG req = lineSetupTransfer(x->a1, &x->consult, NULL);

	assert_true(req > 0);
	assert_int_equal(fx_reply(&x->a, req), 0);
	assert_int_not_equal(x->consult, 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->a1, S(ONHOLDPENDTRANSFER));
	fx_wait(&x->a, LINE_CALLSTATE, x->consult, S(DIALTONE));
	assert_int_equal(fx_reply(&x->a, lineDial(x->consult, "102", 0)), 0);
	x->c1 = new_call(&x->c, x->lc);
	fx_wait(&x->a, LINE_CALLSTATE, x->consult, S(RINGBACK));
	if (!answer) {
		fx_consume_all(&x->a);
		return;
	}
	assert_int_equal(fx_reply(&x->c, lineAnswer(x->c1, NULL, 0)), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->consult, S(CONNECTED));
	fx_consume_all(&x->a);
}

/*
 * lineSetupTransfer: the original ONHOLDPENDTRANSFER; the reply, with the
 * consultation handle written, before anything about the consultation
 * call (tapi-model.md §3: valid once LINE_REPLY(0) is delivered), which
 * is DIALTONE and owned by the app. lineCompleteTransfer(TRANSFER): both
 * calls IDLE, and the far ends now talk to each other.
 */
static void test_transfer_connects_far_ends(void **s)
{
	struct xfer_fx x;
	LINEMESSAGE msg;
	LONG req;

	(void)s;
	xfer_setup(&x);
	req = lineSetupTransfer(x.a1, &x.consult, NULL);
	assert_true(req > 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(ONHOLDPENDTRANSFER));
	fx_expect(&x.a, LINE_REPLY, 0, (DWORD_PTR)req, 0, 0);
	assert_int_not_equal(x.consult, 0);
	assert_int_equal(fx_priv(x.consult), OWNER);
	fx_expect(&x.a, LINE_CALLSTATE, x.consult, S(DIALTONE), FX_ANY, FX_ANY);
	assert_int_equal(fx_reply(&x.a, lineDial(x.consult, "102", 0)), 0);
	x.c1 = new_call(&x.c, x.lc);
	assert_int_equal(fx_reply(&x.c, lineAnswer(x.c1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(CONNECTED));

	req = lineCompleteTransfer(x.a1, x.consult, NULL,
	                           LINETRANSFERMODE_TRANSFER);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&x.a, req), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	assert_int_equal(fx_state(x.b1), S(CONNECTED));
	assert_int_equal(fx_state(x.c1), S(CONNECTED));
	/* b and c are now each other's far end */
	assert_int_equal(fx_reply(&x.c, lineDrop(x.c1, NULL, 0)), 0);
	msg = fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	assert_int_equal(msg.dwParam2, LINEDISCONNECTMODE_NORMAL);
	/* the handles answer queries until deallocated */
	assert_int_equal(fx_state(x.a1), S(IDLE));
	assert_int_equal(lineDeallocateCall(x.a1), 0);
	assert_int_equal(lineDeallocateCall(x.consult), 0);
	xfer_teardown(&x);
}

/*
 * LINETRANSFERMODE_CONFERENCE: a new conference parent, its handle written
 * before the reply, both calls CONFERENCED with it (after the reply, as
 * for lineSetupConference: tapi-messages-and-states.md §5.7), and
 * dropping the conference drops every party (termination.md §2).
 */
static void test_transfer_as_conference(void **s)
{
	struct xfer_fx x;
	LINECALLLIST *list;
	LINEMESSAGE msg;
	uint8_t buf[256];
	LONG req;

	(void)s;
	xfer_setup(&x);
	consult_c(&x, true);
	req = lineCompleteTransfer(x.a1, x.consult, &x.conf,
	                           LINETRANSFERMODE_CONFERENCE);
	assert_true(req > 0);
	fx_expect(&x.a, LINE_REPLY, 0, (DWORD_PTR)req, 0, 0);
	assert_int_not_equal(x.conf, 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(CONNECTED));
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONFERENCED));
	assert_int_equal(msg.dwParam2, x.conf);
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(CONFERENCED));
	assert_int_equal(msg.dwParam2, x.conf);
	memset(buf, 0, sizeof(buf));
	list = (LINECALLLIST *)buf;
	list->dwTotalSize = sizeof(buf);
	assert_int_equal(lineGetConfRelatedCalls(x.conf, list), 0);
	assert_int_equal(list->dwCallsNumEntries, 3);

	assert_int_equal(fx_reply(&x.a, lineDrop(x.conf, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	xfer_teardown(&x);
}

/*
 * spec: termination.md §2 — dropping the consultation call reconnects the
 * call that was ONHOLDPENDTRANSFER; so does lineUnhold of that call (the
 * consultation call goes).
 */
static void test_drop_consult_reconnects(void **s)
{
	struct xfer_fx x;

	(void)s;
	xfer_setup(&x);
	consult_c(&x, true);
	assert_int_equal(fx_reply(&x.a, lineDrop(x.consult, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	assert_int_equal(lineDeallocateCall(x.consult), 0);

	/* again, ended by lineUnhold this time */
	assert_int_equal(fx_reply(&x.c, lineDrop(x.c1, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(x.c1), 0);
	consult_c(&x, false);
	assert_int_equal(fx_reply(&x.a, lineUnhold(x.a1)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	/* c was still ringing: the caller gave up, the offer is gone */
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(IDLE));
	xfer_teardown(&x);
}

/*
 * Completing while the destination still rings: b waits in RINGBACK and
 * is connected when c answers.
 */
static void test_transfer_while_ringing(void **s)
{
	struct xfer_fx x;

	(void)s;
	xfer_setup(&x);
	consult_c(&x, false);
	assert_int_equal(
		fx_reply(&x.a, lineCompleteTransfer(x.a1, x.consult, NULL,
	                                            LINETRANSFERMODE_TRANSFER)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(RINGBACK));
	assert_int_equal(fx_state(x.c1), S(OFFERING));
	assert_int_equal(fx_reply(&x.c, lineAnswer(x.c1, NULL, 0)), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(CONNECTED));
	xfer_teardown(&x);
}

/* A call put on hold with lineHold and another call made on the line. */
static void test_transfer_held_call(void **s)
{
	struct xfer_fx x;
	HCALL a2 = 0;

	(void)s;
	xfer_setup(&x);
	assert_int_equal(fx_reply(&x.a, lineHold(x.a1)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(ONHOLD));
	assert_int_equal(
		fx_reply(&x.a, lineMakeCall(x.la, &a2, "102", 0, NULL)), 0);
	x.c1 = new_call(&x.c, x.lc);
	assert_int_equal(fx_reply(&x.c, lineAnswer(x.c1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, a2, S(CONNECTED));
	assert_int_equal(
		fx_reply(&x.a, lineCompleteTransfer(x.a1, a2, NULL,
	                                            LINETRANSFERMODE_TRANSFER)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, a2, S(IDLE));
	assert_int_equal(fx_reply(&x.b, lineDrop(x.b1, NULL, 0)), 0);
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	xfer_teardown(&x);
}

/* Argument, privilege and state checks, in the documented order. */
static void test_transfer_errors(void **s)
{
	struct xfer_fx x;
	HCALL m1, h = 0;

	(void)s;
	xfer_setup(&x);
	m1 = (HCALL)fx_wait(&x.m, LINE_APPNEWCALL, x.lm, FX_ANY).dwParam2;
	assert_int_equal(lineSetupTransfer(0, &h, NULL),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineSetupTransfer(x.a1, NULL, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineSetupTransfer(m1, &h, NULL), LINEERR_NOTOWNER);
	consult_c(&x, true);
	/* the original is not CONNECTED any more */
	assert_int_equal(lineSetupTransfer(x.a1, &h, NULL),
	                 LINEERR_INVALCALLSTATE);
	assert_int_equal(lineCompleteTransfer(0, x.consult, NULL,
	                                      LINETRANSFERMODE_TRANSFER),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(
		lineCompleteTransfer(x.a1, 0, NULL, LINETRANSFERMODE_TRANSFER),
		LINEERR_INVALCONSULTCALLHANDLE);
	assert_int_equal(lineCompleteTransfer(x.a1, x.a1, NULL,
	                                      LINETRANSFERMODE_TRANSFER),
	                 LINEERR_INVALCONSULTCALLHANDLE);
	/* a call on another line cannot be the consultation call */
	assert_int_equal(lineCompleteTransfer(x.a1, x.c1, NULL,
	                                      LINETRANSFERMODE_TRANSFER),
	                 LINEERR_INVALCONSULTCALLHANDLE);
	assert_int_equal(lineCompleteTransfer(x.a1, x.consult, NULL, 0),
	                 LINEERR_INVALTRANSFERMODE);
	assert_int_equal(lineCompleteTransfer(x.a1, x.consult, NULL, 3),
	                 LINEERR_INVALTRANSFERMODE);
	assert_int_equal(lineCompleteTransfer(x.a1, x.consult, NULL,
	                                      LINETRANSFERMODE_CONFERENCE),
	                 LINEERR_INVALPOINTER);
	/* swapped: the consultation call is not on hold */
	assert_int_equal(lineCompleteTransfer(x.consult, x.a1, NULL,
	                                      LINETRANSFERMODE_TRANSFER),
	                 LINEERR_INVALCALLSTATE);
	assert_int_equal(lineCompleteTransfer(m1, x.consult, NULL,
	                                      LINETRANSFERMODE_TRANSFER),
	                 LINEERR_NOTOWNER);
	/* nothing changed */
	assert_int_equal(fx_state(x.a1), S(ONHOLDPENDTRANSFER));
	assert_int_equal(fx_state(x.consult), S(CONNECTED));
	fx_expect_none(&x.a);
	xfer_teardown(&x);
}

/* lineClose with a transfer pending: every call ends, nothing leaks. */
static void test_close_with_transfer_pending(void **s)
{
	struct xfer_fx x;

	(void)s;
	xfer_setup(&x);
	consult_c(&x, true);
	assert_int_equal(lineClose(x.la), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	xfer_teardown(&x);
}

/* An offered call on line 1 from a on line 0; returns b's handle. */
static HCALL offer_to_b(struct xfer_fx *x)
{
	assert_int_equal(
		fx_reply(&x->a, lineMakeCall(x->la, &x->a1, "101", 0, NULL)),
		0);
	return new_call(&x->b, x->lb);
}

/*
 * tapix_line_drop_ex: the hint reaches the provider (TSPIX_lineDropEx) and
 * esp tells the caller: an offered call declined (REJECT), not answered
 * (NOANSWER), busy (BUSY); NORMAL on an offered call is esp's usual
 * rejection. Bad hints are refused with nothing sent.
 */
static void test_drop_hint_reaches_far_end(void **s)
{
	static const DWORD hints[][2] = {
		{LINEDISCONNECTMODE_REJECT, LINEDISCONNECTMODE_REJECT},
		{LINEDISCONNECTMODE_NOANSWER, LINEDISCONNECTMODE_NOANSWER},
		{LINEDISCONNECTMODE_BUSY, LINEDISCONNECTMODE_BUSY},
		{LINEDISCONNECTMODE_NORMAL, LINEDISCONNECTMODE_REJECT},
	};
	struct xfer_fx x;
	LINEMESSAGE msg;
	unsigned i;

	(void)s;
	memset(&x, 0, sizeof(x));
	fx_app_init(&x.a, "a");
	fx_app_init(&x.b, "b");
	x.la = fx_open(&x.a, 0, NONE, 0);
	x.lb = fx_open(&x.b, 1, OWNER, IV);
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		x.b1 = offer_to_b(&x);
		fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(OFFERING));
		assert_int_equal(tapix_line_drop_ex(x.b1, NULL, 0, 0),
		                 LINEERR_INVALPARAM);
		assert_int_equal(tapix_line_drop_ex(x.b1, NULL, 0, 0x40000000),
		                 LINEERR_INVALPARAM);
		assert_int_equal(
			tapix_line_drop_ex(x.b1, NULL, 0,
		                           LINEDISCONNECTMODE_REJECT |
		                                   LINEDISCONNECTMODE_BUSY),
			LINEERR_INVALPARAM);
		assert_int_equal(fx_state(x.b1), S(OFFERING));
		assert_int_equal(
			fx_reply(&x.b, tapix_line_drop_ex(x.b1, "why", 3,
		                                          hints[i][0])),
			0);
		fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(IDLE));
		msg = fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(DISCONNECTED));
		assert_int_equal(msg.dwParam2, hints[i][1]);
		assert_int_equal(lineDeallocateCall(x.b1), 0);
		assert_int_equal(fx_reply(&x.a, lineDrop(x.a1, NULL, 0)), 0);
		assert_int_equal(lineDeallocateCall(x.a1), 0);
	}
	/* an established call ends normally whatever the hint */
	x.b1 = offer_to_b(&x);
	assert_int_equal(fx_reply(&x.b, lineAnswer(x.b1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	assert_int_equal(
		fx_reply(&x.b, tapix_line_drop_ex(x.b1, NULL, 0,
	                                          LINEDISCONNECTMODE_REJECT)),
		0);
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(DISCONNECTED));
	assert_int_equal(msg.dwParam2, LINEDISCONNECTMODE_NORMAL);
	/* the lineDrop rules: a stale handle, a monitor, an idle call */
	assert_int_equal(
		tapix_line_drop_ex(x.b1, NULL, 0, LINEDISCONNECTMODE_NORMAL),
		LINEERR_INVALCALLSTATE);
	assert_int_equal(lineDeallocateCall(x.b1), 0);
	assert_int_equal(
		tapix_line_drop_ex(x.b1, NULL, 0, LINEDISCONNECTMODE_NORMAL),
		LINEERR_INVALCALLHANDLE);
	fx_shutdown(&x.a);
	fx_shutdown(&x.b);
	assert_int_equal(
		tapix_line_drop_ex(x.b1, NULL, 0, LINEDISCONNECTMODE_NORMAL),
		LINEERR_UNINITIALIZED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transfer_connects_far_ends,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_as_conference,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_consult_reconnects,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_while_ringing,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_transfer_held_call, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_transfer_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_close_with_transfer_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_hint_reaches_far_end,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
