/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Long lifecycle loop, run under valgrind (or LeakSanitizer): calls made,
 * answered, dropped and deallocated; lines closed and apps shut down with
 * calls and pending requests in every state; sessions started and ended.
 * Everything must come back to nothing alive, with no leak and no error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

#define IV LINEMEDIAMODE_INTERACTIVEVOICE

static unsigned rounds = 300;

static void one_session(unsigned seed)
{
	struct fx_app a, b;
	HLINE a0, a1, b1;
	unsigned i;

	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	a0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	a1 = fx_open(&a, 1, LINECALLPRIVILEGE_OWNER, IV);
	b1 = fx_open(&b, 1, LINECALLPRIVILEGE_MONITOR, 0);
	for (i = 0; i < 10; i++) {
		HCALL out = 0, in;
		LONG r;

		r = lineMakeCall(a0, &out, "101", 0, NULL);
		assert_int_equal(fx_reply(&a, r), 0);
		in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, a1, FX_ANY).dwParam2;
		switch ((seed + i) % 5) {
		case 0: /* answered, hung up by the caller, cleared */
			assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)),
			                 0);
			assert_int_equal(fx_reply(&a, lineDrop(out, "x", 2)),
			                 0);
			fx_wait(&a, LINE_CALLSTATE, in,
			        LINECALLSTATE_DISCONNECTED);
			assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)),
			                 0);
			assert_int_equal(lineDeallocateCall(in), 0);
			assert_int_equal(lineDeallocateCall(out), 0);
			break;
		case 1: /* rejected */
			assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)),
			                 0);
			assert_int_equal(lineDeallocateCall(in), 0);
			assert_int_equal(lineDeallocateCall(out), 0);
			break;
		case 2: /* left connected: deallocation closes both */
			assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)),
			                 0);
			assert_int_equal(lineDeallocateCall(out), 0);
			assert_int_equal(lineDeallocateCall(in), 0);
			break;
		case 3: /* a slow request left pending */
			assert_true(lineAnswer(in, NULL, 0) > 0);
			assert_true(lineMakeCall(a0, &out, "slow:50/answer", 0,
			                         NULL) > 0);
			break;
		default: /* left ringing for the closes below */
			break;
		}
	}
	if (seed % 2) {
		assert_int_equal(lineClose(a0), 0);
		assert_int_equal(lineClose(b1), 0);
	}
	(void)a1;
	fx_shutdown(&b);
	fx_shutdown(&a);
	fx_assert_nothing_alive();
}

static void test_lifecycle_loop(void **s)
{
	unsigned i;

	(void)s;
	fx_config_esp(2);
	for (i = 0; i < rounds; i++)
		one_session(i);
	fx_config_cleanup();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_loop),
	};

	if (argc > 1)
		rounds = (unsigned)strtoul(argv[1], NULL, 10);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
