/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Allocation failure (STYLE §9): each allocating function is run with
 * allocation n failing, n = 0, 1, 2, ... until it succeeds; every failure
 * must be LINEERR_NOMEM and leave exactly what was alive before.
 */
#include <string.h>

#include "fx.h"
#include "testhooks.h"

static int setup(void **state)
{
	(void)state;
	fx_config_esp(2);
	return 0;
}

static int teardown(void **state)
{
	tapix_test_fail_alloc(-1);
	return fx_teardown(state);
}

static void live_equal(const struct tapix_live *a, const struct tapix_live *b)
{
	assert_int_equal(a->apps, b->apps);
	assert_int_equal(a->opens, b->opens);
	assert_int_equal(a->lines, b->lines);
	assert_int_equal(a->calls, b->calls);
	assert_int_equal(a->call_handles, b->call_handles);
	assert_int_equal(a->requests, b->requests);
	assert_int_equal(a->allocations, b->allocations);
	assert_int_equal(a->provider_objects, b->provider_objects);
}

/*
 * Runs @op with allocation n failing for growing n; returns the number of
 * failing runs before it succeeded. @op returns 0 or a request id on
 * success, a LINEERR_ otherwise.
 */
static unsigned torture(LONG (*op)(void *), void *arg)
{
	struct tapix_live before, after;
	unsigned n;

	for (n = 0; n < 1000; n++) {
		LONG r;

		tapix_live_get(&before);
		tapix_test_fail_alloc((long)n);
		r = op(arg);
		tapix_test_fail_alloc(-1);
		if (r >= 0)
			return n;
		assert_int_equal(r, LINEERR_NOMEM);
		tapix_live_get(&after);
		live_equal(&before, &after);
	}
	fail_msg("never succeeded");
	return n;
}

static LONG op_init(void *arg)
{
	return fx_app_try_init(arg, "oom", 0x00020002);
}

static void test_oom_initialize(void **s)
{
	struct fx_app a;

	(void)s;
	assert_true(torture(op_init, &a) > 3);
	fx_shutdown(&a);
}

struct ctx {
	struct fx_app a;
	HLINE l0, l1;
	HCALL c, in;
	struct {
		LINECALLPARAMS cp;
		char var[16];
	} params;
	union {
		LINECALLINFO ci;
		char buf[1024];
	} info;
	union {
		LINEDEVCAPS caps;
		char buf[1024];
	} caps;
	struct {
		LINECALLLIST cl;
		HCALL calls[4];
	} list;
	HCALL consult, conf;
	LONG req;
};

static LONG op_open(void *arg)
{
	struct ctx *x = arg;

	return lineOpen(x->a.h, 0, &x->l0, 0x00020002, 0, 0,
	                LINECALLPRIVILEGE_NONE, 0, NULL);
}

static LONG op_make_call(void *arg)
{
	struct ctx *x = arg;

	x->req = lineMakeCall(x->l0, &x->c, "101", 0, &x->params.cp);
	return x->req;
}

static LONG op_get_call_info(void *arg)
{
	struct ctx *x = arg;

	x->info.ci.dwTotalSize = sizeof(x->info);
	return lineGetCallInfo(x->c, &x->info.ci);
}

static LONG op_get_dev_caps(void *arg)
{
	struct ctx *x = arg;

	x->caps.caps.dwTotalSize = sizeof(x->caps);
	return lineGetDevCaps(x->a.h, 0, 0x00020002, 0, &x->caps.caps);
}

static LONG op_answer(void *arg)
{
	struct ctx *x = arg;

	x->req = lineAnswer(x->in, NULL, 0);
	return x->req;
}

static LONG op_get_new_calls(void *arg)
{
	struct ctx *x = arg;

	x->list.cl.dwTotalSize = sizeof(x->list);
	return lineGetNewCalls(x->l0, 0, LINECALLSELECT_LINE, &x->list.cl);
}

static LONG op_drop(void *arg)
{
	struct ctx *x = arg;

	x->req = lineDrop(x->c, "bye", 4);
	return x->req;
}

/* Every allocating function on one call's way, each tortured. */
static void test_oom_call_lifecycle(void **s)
{
	static struct ctx x;
	HLINE extra;

	(void)s;
	memset(&x, 0, sizeof(x));
	fx_app_init(&x.a, "oom");
	assert_true(torture(op_open, &x) > 0);
	x.l1 = fx_open(&x.a, 1, LINECALLPRIVILEGE_OWNER,
	               LINEMEDIAMODE_INTERACTIVEVOICE);
	x.params.cp.dwTotalSize = sizeof(x.params);
	x.params.cp.dwCommentSize = 4;
	x.params.cp.dwCommentOffset = sizeof(LINECALLPARAMS);
	memcpy(x.params.var, "abc", 4);
	assert_true(torture(op_make_call, &x) > 2);
	assert_int_equal(fx_reply(&x.a, x.req), 0);
	x.in = (HCALL)fx_wait(&x.a, LINE_APPNEWCALL, x.l1, FX_ANY).dwParam2;
	assert_true(torture(op_get_call_info, &x) > 0);
	assert_string_equal(x.info.buf + x.info.ci.dwCommentOffset, "abc");
	assert_true(torture(op_get_dev_caps, &x) > 0);
	assert_true(torture(op_answer, &x) > 0);
	assert_int_equal(fx_reply(&x.a, x.req), 0);
	/* a second open of line 0 picks the call up as a monitor */
	extra = x.l0;
	x.l0 = fx_open(&x.a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_true(torture(op_get_new_calls, &x) > 0);
	assert_int_equal(x.list.cl.dwCallsNumEntries, 1);
	x.l0 = extra;
	assert_true(torture(op_drop, &x) > 0);
	assert_int_equal(fx_reply(&x.a, x.req), 0);
	fx_shutdown(&x.a);
}

static LONG op_setup_transfer(void *arg)
{
	struct ctx *x = arg;

	x->req = lineSetupTransfer(x->c, &x->consult, &x->params.cp);
	return x->req;
}

static LONG op_complete_conference(void *arg)
{
	struct ctx *x = arg;

	x->req = lineCompleteTransfer(x->c, x->consult, &x->conf,
	                              LINETRANSFERMODE_CONFERENCE);
	return x->req;
}

/* The transfer functions that create calls (STYLE §9). */
static void test_oom_transfer(void **s)
{
	static struct ctx x;

	(void)s;
	memset(&x, 0, sizeof(x));
	fx_app_init(&x.a, "oom");
	x.l0 = fx_open(&x.a, 0, LINECALLPRIVILEGE_NONE, 0);
	x.l1 = fx_open(&x.a, 1, LINECALLPRIVILEGE_OWNER,
	               LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(
		fx_reply(&x.a, lineMakeCall(x.l0, &x.c, "101", 0, NULL)), 0);
	x.in = (HCALL)fx_wait(&x.a, LINE_APPNEWCALL, x.l1, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&x.a, lineAnswer(x.in, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.c, LINECALLSTATE_CONNECTED);
	x.params.cp.dwTotalSize = sizeof(x.params);
	x.params.cp.dwCommentSize = 4;
	x.params.cp.dwCommentOffset = sizeof(LINECALLPARAMS);
	memcpy(x.params.var, "xfr", 4);
	assert_true(torture(op_setup_transfer, &x) > 1);
	assert_int_equal(fx_reply(&x.a, x.req), 0);
	/*
	 * esp runs it at once: the state is there by the reply (the event
	 * itself may be one a failed allocation lost, logged by the core)
	 */
	assert_int_equal(fx_state(x.consult), LINECALLSTATE_DIALTONE);
	assert_int_equal(fx_reply(&x.a, lineDial(x.consult, "answer", 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, LINECALLSTATE_CONNECTED);
	assert_true(torture(op_complete_conference, &x) > 1);
	assert_int_equal(fx_reply(&x.a, x.req), 0);
	assert_int_equal(fx_state(x.c), LINECALLSTATE_CONFERENCED);
	assert_int_equal(fx_state(x.conf), LINECALLSTATE_CONNECTED);
	fx_shutdown(&x.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oom_initialize, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_oom_call_lifecycle, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_oom_transfer, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
