/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output parameters on error returns: a function that fails writes none
 * of its output parameters (STYLE.md §5), except the size field a
 * function documents as written on failure. Every output is filled with
 * a sentinel before the failing call and checked after it.
 */
#include <string.h>

#include <tapix/service.h>

#include "fx.h"
#include "testhooks.h"

#define SENTINEL 0xDEADBEEFu

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

/* spec: tapi-functions.md §5 — lineOpen's errors leave *lphLine alone */
static void test_line_open_errors_leave_handle(void **s)
{
	struct fx_app a;
	HLINE h = SENTINEL;

	(void)s;
	fx_app_init(&a, "a");
	assert_int_equal(lineOpen(a.h, 4, &h, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(h, SENTINEL);
	assert_int_equal(lineOpen(a.h, 0, &h, 0x00030000, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(h, SENTINEL);
	fx_shutdown(&a);
}

/*
 * STYLE.md §5, tapi-functions.md §0.2-§0.4 — a sweep of synchronous
 * errors with every output filled with a sentinel: lineInitializeEx
 * (§1: the handle, the device count, the version, the parameters' sizes
 * and event), lineNegotiateAPIVersion (§3), lineGetDevCaps,
 * lineGetAddressCaps, lineGetCallInfo, lineGetCallStatus,
 * lineGetLineDevStatus (§0.4: STRUCTURETOOSMALL writes nothing, nor does
 * any other error), lineMakeCall and lineSetupConference (§0.2, §8: no
 * handle on a synchronous failure) and lineGetMessage (§7: a timeout).
 */
static void test_sync_errors_leave_outputs(void **s)
{
	LINEINITIALIZEEXPARAMS ip, ipref;
	LINEEXTENSIONID ext, extref;
	LINECALLPARAMS cp;
	LINEMESSAGE msg, msgref;
	struct fx_app a;
	HLINEAPP happ = SENTINEL;
	DWORD ndevs = SENTINEL, ver = 0x00020002, got = SENTINEL;
	HCALL c = 0, h1 = SENTINEL, h2 = SENTINEL;
	HLINE l;
	union {
		LINEDEVCAPS dc;
		LINEADDRESSCAPS ac;
		LINECALLINFO ci;
		LINECALLSTATUS cs;
		LINEDEVSTATUS ds;
		uint8_t bytes[2048];
	} u, ref;

	(void)s;
	memset(&ip, 0x55, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	ipref = ip;
	assert_int_equal(lineInitializeEx(&happ, NULL, NULL, "bad\001name",
	                                  &ndevs, &ver, &ip),
	                 LINEERR_INVALAPPNAME);
	assert_int_equal(happ, SENTINEL);
	assert_int_equal(ndevs, SENTINEL);
	assert_int_equal(ver, 0x00020002);
	assert_memory_equal(&ip, &ipref, sizeof(ip));

	fx_app_init(&a, "a");
	memset(&ext, 0x55, sizeof(ext));
	extref = ext;
	assert_int_equal(lineNegotiateAPIVersion(a.h, 0, 0x00030000, 0x00030001,
	                                         &got, &ext),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(lineNegotiateAPIVersion(a.h, 4, 0x00010004, 0x00020002,
	                                         &got, &ext),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(got, SENTINEL);
	assert_memory_equal(&ext, &extref, sizeof(ext));

	memset(&u, 0x55, sizeof(u));
	u.dc.dwTotalSize = 100;
	ref = u;
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x00020002, 0, &u.dc),
	                 LINEERR_STRUCTURETOOSMALL);
	assert_memory_equal(&u, &ref, sizeof(u));
	u.dc.dwTotalSize = sizeof(u);
	ref = u;
	assert_int_equal(lineGetDevCaps(a.h, 0, 0x00020002, 1, &u.dc),
	                 LINEERR_INCOMPATIBLEEXTVERSION);
	assert_int_equal(lineGetAddressCaps(a.h, 0, 99, 0x00020002, 0, &u.ac),
	                 LINEERR_INVALADDRESSID);
	assert_memory_equal(&u, &ref, sizeof(u));

	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	u.ds.dwTotalSize = 20;
	ref = u;
	assert_int_equal(lineGetLineDevStatus(l, &u.ds),
	                 LINEERR_STRUCTURETOOSMALL);
	assert_memory_equal(&u, &ref, sizeof(u));

	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwBearerMode = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA;
	assert_int_equal(lineMakeCall(l, &h1, "answer", 0, &cp),
	                 LINEERR_INVALBEARERMODE);
	assert_int_equal(h1, SENTINEL);
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &c, "answer", 0, NULL)),
	                 0);
	assert_int_equal(lineSetupConference(c, 0, &h1, &h2, 3, &cp),
	                 LINEERR_INVALBEARERMODE);
	assert_int_equal(h1, SENTINEL);
	assert_int_equal(h2, SENTINEL);
	u.ci.dwTotalSize = 40;
	ref = u;
	assert_int_equal(lineGetCallInfo(c, &u.ci), LINEERR_STRUCTURETOOSMALL);
	assert_int_equal(lineGetCallStatus(c, &u.cs),
	                 LINEERR_STRUCTURETOOSMALL);
	assert_memory_equal(&u, &ref, sizeof(u));

	fx_consume_all(&a);
	assert_true(fx_reply(&a, lineDrop(c, NULL, 0)) == 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(c), 0);
	assert_int_equal(lineClose(l), 0);
	fx_consume_all(&a);
	memset(&msg, 0x55, sizeof(msg));
	msgref = msg;
	assert_int_equal(lineGetMessage(a.h, &msg, 0), LINEERR_OPERATIONFAILED);
	assert_memory_equal(&msg, &msgref, sizeof(msg));
	fx_shutdown(&a);
}

/*
 * tapi-functions.md §0.4 — lineTranslateAddress: an address that is not
 * valid (LINEERR_INVALADDRESS) leaves LINETRANSLATEOUTPUT as it was, the
 * current country included; the same address made valid fills it.
 */
static void test_translate_address_error_leaves_output(void **s)
{
	static const char *const bad[] = {"+1 (425 5550100", "+", "+1 ()",
	                                  "+0 555", "+1 (425) 55x"};
	union {
		LINETRANSLATEOUTPUT o;
		uint8_t bytes[512];
	} u, ref;
	struct fx_app a;
	size_t i;

	(void)s;
	fx_app_init(&a, "a");
	memset(&u, 0x55, sizeof(u));
	u.o.dwTotalSize = sizeof(u);
	ref = u;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lineTranslateAddress(a.h, 0, 0x00020002,
		                                      bad[i], 0, 0, &u.o),
		                 LINEERR_INVALADDRESS);
		assert_memory_equal(&u, &ref, sizeof(u));
	}
	assert_int_equal(lineTranslateAddress(a.h, 0, 0x00020002,
	                                      "+1 (425) 5550100", 0, 0, &u.o),
	                 0);
	assert_int_equal(u.o.dwCurrentCountry, 1);
	fx_shutdown(&a);
}

/*
 * Runs lineGetNewCalls (@conf 0) or lineGetConfRelatedCalls (@conf) with
 * allocation n failing, n = 0, 1, ... until it succeeds: each failure is
 * LINEERR_NOMEM and leaves the list exactly as it was (§16 / §26: all or
 * nothing). Returns the number of entries of the successful call.
 */
static DWORD list_under_oom(HLINE line, HCALL conf, LINECALLLIST *cl,
                            size_t size)
{
	uint8_t ref[256];
	unsigned n;
	LONG r;

	assert_true(size <= sizeof(ref));
	memset(cl, 0x55, size);
	cl->dwTotalSize = (DWORD)size;
	memcpy(ref, cl, size);
	for (n = 0; n < 100; n++) {
		tapix_test_fail_alloc((long)n);
		r = conf ? lineGetConfRelatedCalls(conf, cl)
		         : lineGetNewCalls(line, 0, LINECALLSELECT_LINE, cl);
		tapix_test_fail_alloc(-1);
		if (r == 0)
			return cl->dwCallsNumEntries;
		assert_int_equal(r, LINEERR_NOMEM);
		assert_memory_equal(cl, ref, size);
	}
	fail_msg("never succeeded");
	return 0;
}

/*
 * tapi-functions.md §16 — lineGetNewCalls failing for memory creates no
 * handle and writes nothing into the list (dwNeededSize, the entries,
 * the handles); then it succeeds with the one call.
 */
static void test_get_new_calls_nomem_leaves_list(void **s)
{
	struct {
		LINECALLLIST cl;
		HCALL calls[4];
	} u;
	struct fx_app a, b;
	HLINE la, lb;
	HCALL c;
	DWORD owners, monitors;

	(void)s;
	if (fx_service())
		skip(); /* the allocations that fail are tapixd's there */
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)),
	                 0);
	lb = fx_open(&b, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(list_under_oom(lb, 0, &u.cl, sizeof(u)), 1);
	fx_counts(c, &owners, &monitors);
	assert_int_equal(monitors, 1);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * tapi-functions.md §26 — lineGetConfRelatedCalls failing for memory
 * writes nothing into the list; then it lists the parent and the call
 * conferenced into it.
 */
static void test_get_conf_related_calls_nomem_leaves_list(void **s)
{
	struct {
		LINECALLLIST cl;
		HCALL calls[4];
	} u;
	struct fx_app a, b;
	HLINE la, lb;
	HCALL a1, b1, conf, consult;
	LONG req;

	(void)s;
	if (fx_service())
		skip(); /* the allocations that fail are tapixd's there */
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	lb = fx_open(&b, 1, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &a1, "101", 0, NULL)),
	                 0);
	b1 = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(b1, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, a1, LINECALLSTATE_CONNECTED);
	req = lineSetupConference(a1, 0, &conf, &consult, 3, NULL);
	assert_int_equal(fx_reply(&a, req), 0);
	fx_wait(&a, LINE_CALLSTATE, a1, LINECALLSTATE_CONFERENCED);
	assert_int_equal(list_under_oom(0, conf, &u.cl, sizeof(u)), 2);
	assert_int_equal(u.calls[0], conf);
	assert_int_equal(u.calls[1], a1);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/*
 * tapix_app_live (tapix/service.h): one registration's opens, call
 * handles and the lines only it has open; an invalid registration or a
 * NULL pointer leave the output alone. Embedded only: a service's
 * function, the registrations of client mode live in tapixd.
 */
static void test_app_live(void **s)
{
	struct tapix_live l, sentinel;
	struct fx_app a, b;
	HLINE la;
	HCALL c;

	(void)s;
	if (fx_service())
		skip();
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	memset(&sentinel, 0xA5, sizeof(sentinel));
	l = sentinel;
	assert_int_equal(tapix_app_live(a.h + 1000, &l),
	                 LINEERR_INVALAPPHANDLE);
	assert_memory_equal(&l, &sentinel, sizeof(l));
	assert_int_equal(tapix_app_live(a.h, NULL), LINEERR_INVALPOINTER);
	la = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	fx_open(&a, 1, LINECALLPRIVILEGE_MONITOR, 0);
	fx_open(&b, 1, LINECALLPRIVILEGE_MONITOR, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(la, &c, "101", 0, NULL)), 0);
	fx_wait(&a, LINE_APPNEWCALL, 0, FX_ANY); /* its monitor's of line 1 */
	assert_int_equal(tapix_app_live(a.h, &l), 0);
	assert_int_equal(l.opens, 2);
	assert_int_equal(l.call_handles, 2);
	assert_int_equal(l.lines, 1); /* line 0: line 1 is b's too */
	assert_int_equal(l.calls, 0);
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_app_live, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_line_open_errors_leave_handle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_errors_leave_outputs,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_translate_address_error_leaves_output, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_get_new_calls_nomem_leaves_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_get_conf_related_calls_nomem_leaves_list, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
