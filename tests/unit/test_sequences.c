/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * End-to-end message sequences on the emulated switch: each reference
 * sequence of spec tapi-messages-and-states.md §5 that this layer covers,
 * the scripted far ends of esp, and the forced close of a line.
 */
#include <string.h>

#include "fx.h"

#define IV      LINEMEDIAMODE_INTERACTIVEVOICE
#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE
#define ANY     FX_ANY

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
 * spec: tapi-messages-and-states.md §5.1 — outgoing call with a monitor:
 * the monitor's LINE_APPNEWCALL + CS(UNKNOWN, MONITOR) come with the
 * creator's LINE_REPLY, then both see every state.
 */
static void test_seq1_outgoing_call_with_monitor(void **s)
{
	struct fx_app a, m;
	HLINE la, lm;
	HCALL c = 0, mc;
	LINEMESSAGE msg;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	la = fx_open(&a, 0, NONE, 0);
	lm = fx_open(&m, 0, MONITOR, 0);
	req = lineMakeCall(la, &c, "answer:30", 0, NULL);
	assert_true(req > 0);
	fx_expect(&a, LINE_REPLY, 0, (DWORD_PTR)req, 0, 0);
	fx_expect(&a, LINE_CALLSTATE, c, LINECALLSTATE_DIALING, 0, 0);
	fx_expect(&a, LINE_CALLSTATE, c, LINECALLSTATE_PROCEEDING, 0, 0);
	fx_expect(&a, LINE_CALLSTATE, c, LINECALLSTATE_RINGBACK, 0, 0);
	msg = fx_wait(&m, LINE_APPNEWCALL, lm, 0);
	mc = (HCALL)msg.dwParam2;
	assert_int_equal(msg.dwParam3, MONITOR);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_UNKNOWN, 0, MONITOR);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_DIALING, 0, 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_PROCEEDING, 0, 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_RINGBACK, 0, 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_state_mode(c), LINECONNECTEDMODE_ACTIVE);
	fx_expect_none(&a);
	fx_expect_none(&m);
	req = lineDrop(c, NULL, 0);
	assert_int_equal(fx_reply(&a, req), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE, 0, 0);
	fx_expect_none(&a);
	assert_int_equal(lineDeallocateCall(c), 0);
	/* after IDLE no LINE_CALLINFO for the deallocation (tapi-model §6.4) */
	fx_expect_none(&m);
	assert_int_equal(lineDeallocateCall(mc), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/*
 * spec: tapi-messages-and-states.md §5.2 — incoming call answered:
 * owner and monitor each get LINE_APPNEWCALL then CS(OFFERING, privilege).
 */
static void test_seq2_incoming_call_answered(void **s)
{
	struct fx_app caller, a, m;
	HLINE lc, la, lm;
	HCALL c, in, min;
	LINEMESSAGE msg;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lc = fx_open(&caller, 0, NONE, 0);
	la = fx_open(&a, 1, OWNER, IV);
	lm = fx_open(&m, 1, MONITOR, 0);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	msg = fx_wait(&a, LINE_APPNEWCALL, la, 0);
	assert_int_equal(msg.dwParam1, 0);
	assert_int_equal(msg.dwParam3, OWNER);
	in = (HCALL)msg.dwParam2;
	fx_expect(&a, LINE_CALLSTATE, in, LINECALLSTATE_OFFERING,
	          LINEOFFERINGMODE_ACTIVE, OWNER);
	msg = fx_wait(&m, LINE_APPNEWCALL, lm, 0);
	assert_int_equal(msg.dwParam3, MONITOR);
	min = (HCALL)msg.dwParam2;
	fx_expect(&m, LINE_CALLSTATE, min, LINECALLSTATE_OFFERING,
	          LINEOFFERINGMODE_ACTIVE, MONITOR);
	fx_wait(&caller, LINE_CALLSTATE, c, LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_CONNECTED);
	fx_expect(&m, LINE_CALLSTATE, min, LINECALLSTATE_CONNECTED,
	          LINECONNECTEDMODE_ACTIVE, 0);
	fx_wait(&caller, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	fx_shutdown(&caller);
	fx_shutdown(&a);
	fx_shutdown(&m);
}

/*
 * spec: tapi-messages-and-states.md §5.3, termination.md §2 — dropping an
 * OFFERING call rejects it: the caller sees DISCONNECTED/REJECT.
 */
static void test_seq3_incoming_call_rejected(void **s)
{
	struct fx_app caller, a;
	HLINE lc, la;
	HCALL c, in;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&a, "a");
	lc = fx_open(&caller, 0, NONE, 0);
	la = fx_open(&a, 1, OWNER, IV);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, la, 0).dwParam2;
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_OFFERING);
	assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	assert_int_equal(
		fx_wait(&caller, LINE_CALLSTATE, c, LINECALLSTATE_DISCONNECTED)
			.dwParam2,
		LINEDISCONNECTMODE_REJECT);
	fx_shutdown(&caller);
	fx_shutdown(&a);
}

/*
 * spec: tapi-messages-and-states.md §5.4, termination.md §2 — remote hang-up
 * with UUI: LINE_CALLINFO(USERUSERINFO) before DISCONNECTED/NORMAL; the
 * owner's lineDrop clears it to IDLE; the handles answer until freed.
 */
static void test_seq4_remote_hangup(void **s)
{
	struct fx_app caller, a, m;
	HLINE lc, la, lm;
	HCALL c, in, min;
	union {
		LINECALLINFO ci;
		char buf[1024];
	} u;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lc = fx_open(&caller, 0, NONE, 0);
	la = fx_open(&a, 1, OWNER, IV);
	lm = fx_open(&m, 1, MONITOR, 0);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, la, 0).dwParam2;
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, 0).dwParam2;
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&m, LINE_CALLSTATE, min, LINECALLSTATE_CONNECTED);
	fx_consume_all(&a);
	fx_consume_all(&m);
	assert_int_equal(fx_reply(&caller, lineDrop(c, "bye", 4)), 0);
	fx_expect(&a, LINE_CALLINFO, in, LINECALLINFOSTATE_USERUSERINFO, 0, 0);
	fx_expect(&a, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED,
	          LINEDISCONNECTMODE_NORMAL, 0);
	fx_expect(&m, LINE_CALLINFO, min, LINECALLINFOSTATE_USERUSERINFO, 0, 0);
	fx_expect(&m, LINE_CALLSTATE, min, LINECALLSTATE_DISCONNECTED,
	          LINEDISCONNECTMODE_NORMAL, 0);
	memset(&u, 0, sizeof(u));
	u.ci.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetCallInfo(min, &u.ci), 0);
	assert_int_equal(u.ci.dwUserUserInfoSize, 4);
	assert_string_equal(u.buf + u.ci.dwUserUserInfoOffset, "bye");
	assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	fx_expect(&m, LINE_CALLSTATE, min, LINECALLSTATE_IDLE, 0, 0);
	assert_int_equal(fx_state(in), LINECALLSTATE_IDLE);
	assert_int_equal(lineGetCallInfo(in, &u.ci), 0);
	assert_int_equal(lineDeallocateCall(in), 0);
	assert_int_equal(lineDeallocateCall(min), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_shutdown(&caller);
	fx_shutdown(&a);
	fx_shutdown(&m);
}

/*
 * spec: tapi-messages-and-states.md §5.5, termination.md §8 — no owner:
 * only the monitor gets a handle; it takes ownership and answers. Then a
 * second unowned call is abandoned by the caller: IDLE.
 */
static void test_seq5_no_owner_available(void **s)
{
	struct fx_app caller, m;
	HLINE lc, lm;
	HCALL c, mc;
	LINEMESSAGE msg;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&m, "m");
	lc = fx_open(&caller, 0, NONE, 0);
	lm = fx_open(&m, 1, MONITOR, 0);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	msg = fx_wait(&m, LINE_APPNEWCALL, lm, 0);
	mc = (HCALL)msg.dwParam2;
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_OFFERING, ANY, MONITOR);
	assert_int_equal(lineAnswer(mc, NULL, 0), LINEERR_NOTOWNER);
	assert_int_equal(lineSetCallPrivilege(mc, OWNER), 0);
	assert_int_equal(fx_reply(&m, lineAnswer(mc, NULL, 0)), 0);
	fx_wait(&caller, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&m, lineDrop(mc, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(mc), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_consume_all(&m);

	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, 0).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_OFFERING);
	assert_int_equal(fx_reply(&caller, lineDrop(c, NULL, 0)), 0);
	fx_expect(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE, 0, 0);
	fx_shutdown(&caller);
	fx_shutdown(&m);
}

/* spec: tapi-functions.md §9 — accept: ACCEPTED, alerting as RINGING */
static void test_accept_then_answer(void **s)
{
	struct fx_app caller, a;
	HLINE lc, la;
	HCALL c, in;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&a, "a");
	lc = fx_open(&caller, 0, NONE, 0);
	la = fx_open(&a, 1, OWNER, IV);
	assert_int_equal(lineSetStatusMessages(la, LINEDEVSTATE_RINGING, 0), 0);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, la, 0).dwParam2;
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_OFFERING);
	fx_wait(&a, LINE_LINEDEVSTATE, la, LINEDEVSTATE_RINGING);
	fx_consume_all(&caller);
	assert_int_equal(fx_reply(&a, lineAccept(in, "ok", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_ACCEPTED);
	fx_wait(&a, LINE_LINEDEVSTATE, la, LINEDEVSTATE_RINGING);
	/* the accept's UUI reaches the caller */
	fx_expect(&caller, LINE_CALLINFO, c, LINECALLINFOSTATE_USERUSERINFO, 0,
	          0);
	assert_int_equal(fx_state(c), LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&caller, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	fx_shutdown(&caller);
	fx_shutdown(&a);
}

struct script_case {
	const char *dest;
	DWORD state; /* last state reached without waiting */
	DWORD mode;
};

/* The scripted far ends of esp (README: esp destinations). */
static void test_scripted_far_ends(void **s)
{
	static const struct script_case cases[] = {
		{"answer", LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE},
		{"busy", LINECALLSTATE_BUSY, LINEBUSYMODE_STATION},
		{"noanswer", LINECALLSTATE_RINGBACK, 0},
		{"reject", LINECALLSTATE_DISCONNECTED,
	         LINEDISCONNECTMODE_REJECT},
		{"555", LINECALLSTATE_DISCONNECTED,
	         LINEDISCONNECTMODE_BADADDRESS},
		{"", LINECALLSTATE_DIALTONE, LINEDIALTONEMODE_NORMAL},
		{"answer:20", LINECALLSTATE_CONNECTED,
	         LINECONNECTEDMODE_ACTIVE},
		{"hangup:20", LINECALLSTATE_DISCONNECTED,
	         LINEDISCONNECTMODE_NORMAL},
		{"slow:20/busy", LINECALLSTATE_BUSY, LINEBUSYMODE_STATION},
	};
	struct fx_app a;
	HLINE l;
	unsigned i;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		HCALL c = 0;
		LONG req = lineMakeCall(l, &c, cases[i].dest, 0, NULL);
		LINEMESSAGE m;

		assert_true(req > 0);
		assert_int_equal(fx_reply(&a, req), 0);
		m = fx_wait(&a, LINE_CALLSTATE, c, cases[i].state);
		assert_int_equal(m.dwParam2, cases[i].mode);
		assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
		fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
		assert_int_equal(lineDeallocateCall(c), 0);
	}
	/* NULL destination: DIALTONE too */
	{
		HCALL c = 0;

		assert_int_equal(
			fx_reply(&a, lineMakeCall(l, &c, NULL, 0, NULL)), 0);
		fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_DIALTONE);
		assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	}
	fx_shutdown(&a);
}

/*
 * slow:MS/ — every request on the call completes late: the reply is not
 * there when the function returns, and arrives after the delay.
 */
static void test_slow_requests_are_pending(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 0;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	req = lineMakeCall(l, &c, "slow:100/answer", 0, NULL);
	assert_true(req > 0);
	assert_false(fx_has_reply(&a, req));
	assert_int_equal(c, 0); /* written only with the successful reply */
	assert_int_equal(fx_reply(&a, req), 0);
	assert_int_not_equal(c, 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	req = lineDrop(c, NULL, 0);
	assert_true(req > 0);
	assert_false(fx_has_reply(&a, req));
	assert_int_equal(fx_state(c), LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, req), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	fx_shutdown(&a);
}

/* [esp] completion_delay_ms applies to every request */
static void test_completion_delay_setting(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 0;
	LONG req;

	(void)s;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 2\n"
	          "completion_delay_ms = 50\n");
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	req = lineMakeCall(l, &c, "busy", 0, NULL);
	assert_true(req > 0);
	assert_false(fx_has_reply(&a, req));
	assert_int_equal(fx_reply(&a, req), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_BUSY);
	fx_shutdown(&a);
}

/*
 * spec: tapi-messages-and-states.md §3 LINE_CLOSE, termination.md §7 — a
 * forced close: LINE_CLOSE to every app with the line open, all their
 * handles on it invalid, no LINE_REPLY for their requests on it.
 */
static void test_forced_close(void **s)
{
	struct fx_app a, b;
	HLINE la, lb, other;
	HCALL c, pending = 0, boom;
	struct tapix_live live;
	LONG slow;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 0, MONITOR, 0);
	other = fx_open(&a, 1, NONE, 0);
	c = (HCALL)0;
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	slow = lineMakeCall(la, &pending, "slow:5000/answer", 0, NULL);
	assert_true(slow > 0);
	assert_true(lineMakeCall(la, &boom, "outage", 0, NULL) > 0);
	fx_wait(&a, LINE_CLOSE, la, ANY);
	fx_wait(&b, LINE_CLOSE, lb, ANY);
	assert_int_equal(lineClose(la), LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineClose(lb), LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineDrop(c, NULL, 0), LINEERR_INVALCALLHANDLE);
	assert_int_equal(pending, 0);
	/* spec: termination.md §7 — nothing is kept for the requests that
	 * died with the line (through tapixd: what it kept for them too),
	 * once the close (TSPI_lineCloseCall, TSPI_lineClose) has ended */
	for (int i = 0; i < 1000; i++) {
		fx_live(&live);
		if (live.requests == 0 && live.calls == 0)
			break;
		fx_wait_try(&a, LINE_REPLY, 0, 0, 5, NULL);
	}
	assert_int_equal(live.requests, 0);
	assert_int_equal(live.calls, 0);
	/* the other line is unaffected; the device can be opened again */
	assert_true(lineMakeCall(other, &c, "busy", 0, NULL) > 0);
	la = fx_open(&a, 0, NONE, 0);
	assert_true(lineMakeCall(la, &c, "busy", 0, NULL) > 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_seq1_outgoing_call_with_monitor, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_seq2_incoming_call_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_seq3_incoming_call_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq4_remote_hangup, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_seq5_no_owner_available,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_then_answer, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_scripted_far_ends, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_slow_requests_are_pending,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_completion_delay_setting,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_close, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
