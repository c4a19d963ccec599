/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A provider that breaks the TSPI contract must not crash the core or
 * disturb other calls (issue: bad input from providers; spec: tspi.md §4,
 * §5; STYLE §4.6): double and unknown completions, events for closed or
 * unknown calls and lines, NULL pointers, invalid states, a request both
 * completed and failed, odd return values. Each is logged and ignored.
 */
#include <string.h>

#include "fx.h"

static int setup(void **state)
{
	(void)state;
	fx_config("[tapix]\nproviders = faulty\n");
	fx_log_start();
	return 0;
}

static int teardown(void **state)
{
	fx_log_stop();
	return fx_teardown(state);
}

/* How many LINE_REPLY for @req @a has received so far. */
static unsigned replies(struct fx_app *a, LONG req)
{
	unsigned i, n = 0;

	fx_pump(a);
	for (i = 0; i < a->nseen; i++)
		if (a->seen[i].dwMessageID == LINE_REPLY &&
		    a->seen[i].dwParam1 == (DWORD_PTR)req)
			n++;
	return n;
}

/* A well-behaved call still works afterwards. */
static void still_works(struct fx_app *a, HLINE l)
{
	HCALL c = 0;

	assert_int_equal(fx_reply(a, lineMakeCall(l, &c, "ok", 0, NULL)), 0);
	fx_wait(a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(a, lineDrop(c, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(c), 0);
}

static void test_double_and_unknown_completions(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	req = lineMakeCall(l, &c, "double", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&a, req), 0);
	assert_int_equal(replies(&a, req), 1); /* exactly one LINE_REPLY */
	assert_int_equal(fx_log_count("second completion"), 1);
	/* the first completion counts, whichever thread made the second */
	req = lineMakeCall(l, &c, "double-thread", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&a, req), 0);
	assert_int_equal(replies(&a, req), 1);
	assert_int_equal(fx_log_count("second completion"), 2);
	req = lineMakeCall(l, &c, "unknown", 0, NULL);
	assert_int_equal(fx_reply(&a, req), 0);
	assert_int_equal(replies(&a, req), 1);
	assert_int_equal(fx_log_count("for no pending request"), 1);
	still_works(&a, l);
	fx_shutdown(&a);
}

static void test_events_for_closed_calls_and_nulls(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c, old;
	unsigned mark;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &old, "ok", 0, NULL)), 0);
	assert_int_equal(lineDeallocateCall(old), 0); /* TAPI closes it */
	fx_consume_all(&a);
	mark = a.nseen;
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &c, "stale", 0, NULL)),
	                 0);
	assert_true(fx_log_count("unknown call") >= 1);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	for (unsigned i = mark; i < a.nseen; i++)
		assert_int_not_equal(a.seen[i].hDevice, old);
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &c, "nulls", 0, NULL)),
	                 0);
	assert_true(fx_log_count("without HTAPICALL") == 1);
	assert_true(fx_log_count("unknown or closed line") >= 2);
	assert_true(fx_log_count("LINE_REMOVE for unknown line") == 1);
	/* the good incoming call of the batch was offered normally */
	fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	still_works(&a, l);
	fx_shutdown(&a);
}

static void test_invalid_states(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c;
	LINEMESSAGE m;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(
		fx_reply(&a, lineMakeCall(l, &c, "badstates", 0, NULL)), 0);
	assert_int_equal(fx_log_count("invalid state"), 3);
	/* the CONFERENCED with no parent is kept, with no parent handle */
	m = fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONFERENCED);
	assert_int_equal(m.dwParam2, 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	still_works(&a, l);
	fx_shutdown(&a);
}

static void test_odd_returns(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 77;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	/* completed, then failed synchronously: the failure wins, no reply */
	assert_int_equal(lineMakeCall(l, &c, "failed-but-completed", 0, NULL),
	                 LINEERR_OPERATIONFAILED);
	assert_int_equal(c, 77);
	fx_expect_none(&a);
	assert_int_equal(fx_log_count("failed synchronously"), 1);
	/* a return value that is not the request id: the id still counts */
	req = lineMakeCall(l, &c, "odd-return", 0, NULL);
	assert_int_equal(fx_reply(&a, req), 0);
	assert_int_equal(fx_log_count("not the request id"), 1);
	/* 0 returned: taken as done (spec: tspi.md §4 [proposal]) */
	req = lineMakeCall(l, &c, "zero-return", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&a, req), 0);
	still_works(&a, l);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_double_and_unknown_completions, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_events_for_closed_calls_and_nulls, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_invalid_states, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_odd_returns, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
