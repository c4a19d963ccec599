/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spec: tapi-functions.md §0.3 step 8 — "provider errors are passed
 * through unchanged": every provider-originated error of the in-scope
 * functions, synchronous and in LINE_REPLY, through the 'scripted' test
 * provider that fails on request.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "fx.h"

static int setup(void **state)
{
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

static void config_with(const char *rule)
{
	char text[256];

	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = scripted\n[scripted]\n%s\n", rule);
	fx_config(text);
}

static const LONG makecall_errors[] = {
	LINEERR_INUSE,           LINEERR_ADDRESSBLOCKED,
	LINEERR_INVALLINESTATE,  LINEERR_INVALCOUNTRYCODE,
	LINEERR_CALLUNAVAIL,     LINEERR_RESOURCEUNAVAIL,
	LINEERR_INVALPARAM,      LINEERR_OPERATIONFAILED,
	LINEERR_NOMEM,           LINEERR_INVALADDRESS,
	LINEERR_BILLINGREJECTED,
};

/* spec: tapi-functions.md §8 — lineMakeCall's provider errors */
static void test_make_call_errors_pass_through(void **s)
{
	unsigned i;
	char rule[64];

	(void)s;
	for (i = 0; i < sizeof(makecall_errors) / sizeof(LONG); i++) {
		struct fx_app a;
		HLINE l;
		HCALL c = 0;
		LONG req;
		struct tapix_live live;

		snprintf(rule, sizeof(rule), "fail.lineMakeCall = 0x%08x",
		         (unsigned)makecall_errors[i]);
		config_with(rule);
		fx_app_init(&a, "a");
		l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
		assert_int_equal(lineMakeCall(l, &c, "1", 0, NULL),
		                 makecall_errors[i]);
		/* a synchronous failure leaves no call behind (spec C3) */
		tapix_live_get(&live);
		assert_int_equal(live.calls, 0);
		fx_shutdown(&a);

		snprintf(rule, sizeof(rule), "async.lineMakeCall = 0x%08x",
		         (unsigned)makecall_errors[i]);
		config_with(rule);
		fx_app_init(&a, "a");
		l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
		req = lineMakeCall(l, &c, "1", 0, NULL);
		assert_true(req > 0);
		assert_int_equal(fx_reply(&a, req), makecall_errors[i]);
		assert_int_equal(c, 0);
		fx_shutdown(&a);
		fx_assert_nothing_alive(); /* the provider's call was closed */
	}
}

struct call_case {
	const char *rule;
	int op; /* 0 answer, 1 accept, 2 drop */
	LONG err;
	bool async;
};

/* spec: tapi-functions.md §9, §10, §11 */
static void test_call_control_errors_pass_through(void **s)
{
	static const struct call_case cases[] = {
		{"fail.lineAnswer = 0x8000000F", 0, LINEERR_INUSE, false},
		{"async.lineAnswer = 0x8000000F", 0, LINEERR_INUSE, true},
		{"fail.lineAnswer = 0x8000004B", 0, LINEERR_RESOURCEUNAVAIL,
	         false},
		{"async.lineAccept = 0x80000048", 1, LINEERR_OPERATIONFAILED,
	         true},
		{"fail.lineAccept = 0x80000044", 1, LINEERR_NOMEM, false},
		{"fail.lineDrop = 0x80000049", 2, LINEERR_OPERATIONUNAVAIL,
	         false},
		{"async.lineDrop = 0x8000001C", 2, LINEERR_INVALCALLSTATE,
	         true},
	};
	unsigned i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx_app a;
		HLINE l;
		HCALL in;
		LONG r;

		config_with(cases[i].rule);
		fx_app_init(&a, "a");
		l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
		            LINEMEDIAMODE_INTERACTIVEVOICE);
		in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
		fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_OFFERING);
		r = cases[i].op == 0   ? lineAnswer(in, NULL, 0)
		    : cases[i].op == 1 ? lineAccept(in, NULL, 0)
		                       : lineDrop(in, NULL, 0);
		if (cases[i].async) {
			assert_true(r > 0);
			assert_int_equal(fx_reply(&a, r), cases[i].err);
		} else {
			assert_int_equal(r, cases[i].err);
		}
		fx_shutdown(&a);
	}
}

/* spec: tapi-functions.md §1, §3, §4, §5, §13, §14 */
static void test_line_and_query_errors_pass_through(void **s)
{
	struct fx_app a;
	LINEEXTENSIONID ext;
	union {
		LINEDEVCAPS caps;
		char buf[512];
	} u;
	union {
		LINEADDRESSCAPS ac;
		char buf[512];
	} ua;
	LINECALLINFO ci;
	LINECALLSTATUS cs;
	DWORD v;
	HLINE l;
	HCALL in;
	static const LONG open_errors[] = {
		LINEERR_ALLOCATED, LINEERR_RESOURCEUNAVAIL,
		LINEERR_NODRIVER,  LINEERR_OPERATIONFAILED,
		LINEERR_NOMEM,     LINEERR_OPERATIONUNAVAIL,
	};
	char rule[64];
	unsigned i;

	(void)s;
	/* session start: the provider refuses to start */
	config_with("fail.providerInit = 0x80000056");
	assert_int_equal(fx_app_try_init(&a, "a", 0x00020002),
	                 LINEERR_NOMULTIPLEINSTANCE);
	config_with("fail.providerEnumDevices = 0x80000044");
	assert_int_equal(fx_app_try_init(&a, "a", 0x00020002), LINEERR_NOMEM);
	fx_assert_nothing_alive();

	/* a line whose per-device negotiation fails: NODRIVER */
	config_with("fail.lineNegotiateTSPIVersion.dev = 0x80000043");
	fx_app_init(&a, "a");
	assert_int_equal(
		lineNegotiateAPIVersion(a.h, 0, 0x10004, 0x20002, &v, &ext),
		LINEERR_NODRIVER);
	u.caps.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x20002, 0, &u.caps),
	                 LINEERR_NODRIVER);
	assert_int_equal(lineOpen(a.h, 0, &l, 0x20002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_NODRIVER);
	fx_shutdown(&a);

	config_with("fail.lineGetDevCaps = 0x8000004B");
	fx_app_init(&a, "a");
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x20002, 0, &u.caps),
	                 LINEERR_RESOURCEUNAVAIL);
	fx_shutdown(&a);
	config_with("fail.lineGetAddressCaps = 0x80000048");
	fx_app_init(&a, "a");
	ua.ac.dwTotalSize = sizeof(ua);
	assert_int_equal(lineGetAddressCaps(a.h, 0, 0, 0x20002, 0, &ua.ac),
	                 LINEERR_OPERATIONFAILED);
	fx_shutdown(&a);

	for (i = 0; i < sizeof(open_errors) / sizeof(LONG); i++) {
		snprintf(rule, sizeof(rule), "fail.lineOpen = 0x%08x",
		         (unsigned)open_errors[i]);
		config_with(rule);
		fx_app_init(&a, "a");
		assert_int_equal(lineOpen(a.h, 0, &l, 0x20002, 0, 0,
		                          LINECALLPRIVILEGE_NONE, 0, NULL),
		                 open_errors[i]);
		fx_shutdown(&a);
	}
	/* spec: §5 — a rejected media union fails the open */
	config_with("fail.lineSetDefaultMediaDetection = 0x8000002F");
	fx_app_init(&a, "a");
	assert_int_equal(lineOpen(a.h, 0, &l, 0x20002, 0, 0,
	                          LINECALLPRIVILEGE_OWNER,
	                          LINEMEDIAMODE_INTERACTIVEVOICE, NULL),
	                 LINEERR_INVALMEDIAMODE);
	fx_shutdown(&a);
	fx_assert_nothing_alive();

	config_with("fail.lineGetCallInfo = 0x8000004B\n"
	            "fail.lineGetCallStatus = 0x80000044");
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
	memset(&ci, 0, sizeof(ci));
	ci.dwTotalSize = sizeof(ci);
	assert_int_equal(lineGetCallInfo(in, &ci), LINEERR_RESOURCEUNAVAIL);
	memset(&cs, 0, sizeof(cs));
	cs.dwTotalSize = sizeof(cs);
	assert_int_equal(lineGetCallStatus(in, &cs), LINEERR_NOMEM);
	fx_shutdown(&a);
}

/*
 * spec: termination.md §5.1 rule 1, tspi.md §6 — a provider that still
 * exports TSPI_lineDropOnClose gets it instead of TAPI's TSPI_lineDrop
 * when the sole owner closes its line; a monitor still sees IDLE.
 */
static void test_drop_on_close_when_exported(void **s)
{
	struct fx_app a, m;
	void (*counts)(unsigned *, unsigned *);
	unsigned drops, on_close;
	HLINE l, lm;
	HCALL in, min;
	char path[512];
	const char *dirs = TAPIX_TEST_PROVIDER_DIR;
	void *dl;

	(void)s;
	config_with("fail.none = 0");
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 0, LINECALLPRIVILEGE_MONITOR, 0);
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	(void)in;
	assert_int_equal(lineClose(l), 0);
	fx_wait(&m, LINE_CALLSTATE, min, LINECALLSTATE_IDLE);
	dirs = strchr(dirs, ':') + 1;
	snprintf(path, sizeof(path), "%s/scripted.so", dirs);
	dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(dl);
	*(void **)&counts = dlsym(dl, "scripted_drop_counts");
	assert_non_null(counts);
	counts(&drops, &on_close);
	dlclose(dl);
	assert_int_equal(on_close, 1);
	assert_int_equal(drops, 0);
	fx_shutdown(&a);
	fx_shutdown(&m);
}

/*
 * tapix.conf(5): a section [NAME.SUB] reaches provider NAME with its keys
 * named SUB.KEY, after the keys of [NAME]; too long a name is refused.
 */
static void test_sub_sections_reach_the_provider(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 0;

	(void)s;
	fx_config("[tapix]\nproviders = scripted\n[scripted]\n"
	          "[scripted.fail]\nlineMakeCall = 0x80000048\n"
	          "[scripted.other]\n[scriptedx.bogus]\nx = 1\n");
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(lineMakeCall(l, &c, "1", 0, NULL),
	                 LINEERR_OPERATIONFAILED);
	fx_shutdown(&a);

	/* a key the provider refuses, from a sub-section, fails the start */
	fx_config("[tapix]\nproviders = scripted\n[scripted.bogus]\n"
	          "x = 1\n");
	assert_int_equal(fx_app_try_init(&a, "a", TAPI_CURRENT_VERSION),
	                 LINEERR_INIFILECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_make_call_errors_pass_through, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_control_errors_pass_through, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_line_and_query_errors_pass_through, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_on_close_when_exported, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sub_sections_reach_the_provider, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
