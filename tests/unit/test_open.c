/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Line opens: lineOpen (privileges, media modes, options, LINEMAPPER),
 * lineClose, lineSetStatusMessages and LINE_LINEDEVSTATE, lineGetNewCalls.
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
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

static LONG open_with(struct fx_app *a, DWORD dev, DWORD ver, DWORD priv,
                      DWORD media, LINECALLPARAMS *cp, HLINE *out)
{
	return lineOpen(a->h, dev, out, ver, 0, 0, priv, media, cp);
}

/* spec: tapi-functions.md §5 — the error table of lineOpen */
static void test_open_errors(void **s)
{
	struct fx_app a;
	LINECALLPARAMS cp;
	HLINE h = 99;

	(void)s;
	fx_app_init(&a, "a");
	assert_int_equal(lineOpen(a.h + 1, 0, &h, 0x20002, 0, 0, NONE, 0, NULL),
	                 LINEERR_INVALAPPHANDLE);
	assert_int_equal(open_with(&a, 4, 0x20002, NONE, 0, NULL, &h),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(open_with(&a, 0, 0x20002, NONE, 0, NULL, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(open_with(&a, 0, 0x10003, NONE, 0, NULL, &h),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(open_with(&a, 0, 0x30000, NONE, 0, NULL, &h),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(lineOpen(a.h, 0, &h, 0x20002, 1, 0, NONE, 0, NULL),
	                 LINEERR_INCOMPATIBLEEXTVERSION);
	/* [proposal, interpretation] — privilege combinations */
	assert_int_equal(open_with(&a, 0, 0x20002, 0, 0, NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x20002, 8, 0, NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x20002, NONE | OWNER, IV, NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x20002, NONE | MONITOR, 0, NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x10004,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           MONITOR | LINEOPENOPTION_SINGLEADDRESS, 0,
	                           NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS |
	                                   LINEOPENOPTION_PROXY,
	                           IV, NULL, &h),
	                 LINEERR_INVALPRIVSELECT);
	/* [proposal] — media modes of an owner */
	assert_int_equal(open_with(&a, 0, 0x20002, OWNER, 0, NULL, &h),
	                 LINEERR_INVALMEDIAMODE);
	assert_int_equal(open_with(&a, 0, 0x20002, OWNER, 1, NULL, &h),
	                 LINEERR_INVALMEDIAMODE);
	assert_int_equal(open_with(&a, 0, 0x20002, OWNER, 0x10000, NULL, &h),
	                 LINEERR_INVALMEDIAMODE);
	assert_int_equal(
		open_with(&a, 0, 0x20002, OWNER, LINEMEDIAMODE_G4FAX, NULL, &h),
		LINEERR_INVALMEDIAMODE);
	/* SINGLEADDRESS needs LINECALLPARAMS naming a valid address */
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           NULL, &h),
	                 LINEERR_INVALPOINTER);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = 100;
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           &cp, &h),
	                 LINEERR_STRUCTURETOOSMALL);
	cp.dwTotalSize = sizeof(cp);
	cp.dwAddressMode = LINEADDRESSMODE_DIALABLEADDR;
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           &cp, &h),
	                 LINEERR_INVALADDRESSID);
	cp.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	cp.dwAddressID = 1;
	assert_int_equal(open_with(&a, 0, 0x20002,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           &cp, &h),
	                 LINEERR_INVALADDRESSID);
	/* PROXY: the request list must be there */
	assert_int_equal(open_with(&a, 0, 0x20002, OWNER | LINEOPENOPTION_PROXY,
	                           IV, &cp, &h),
	                 LINEERR_INVALCALLPARAMS);
	assert_int_equal(h, 99); /* outputs written only on success */
	fx_shutdown(&a);
}

static void test_open_variants(void **s)
{
	struct fx_app a;
	LINECALLPARAMS cp;
	HLINE h1, h2, h3, h4;

	(void)s;
	fx_app_init(&a, "a");
	/* spec: tapi-model.md §2 — the same device opened twice */
	assert_int_equal(open_with(&a, 0, 0x20002, OWNER, IV, NULL, &h1), 0);
	assert_int_equal(
		open_with(&a, 0, 0x10004, OWNER | MONITOR, IV, NULL, &h2), 0);
	assert_int_not_equal(h1, h2);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	assert_int_equal(open_with(&a, 1, 0x20000,
	                           OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                           &cp, &h3),
	                 0);
	assert_int_equal(open_with(&a, 2, 0x20002, MONITOR, 0, NULL, &h4), 0);
	assert_int_equal(lineClose(h1), 0);
	/* spec: tapi-functions.md §6 — a closed handle */
	assert_int_equal(lineClose(h1), LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineClose(0), LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineClose(a.h), LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineClose(h2), 0);
	assert_int_equal(lineClose(h3), 0);
	fx_shutdown(&a); /* closes h4 */
}

/* spec: tapi-functions.md §5 — LINEMAPPER picks a matching device */
static void test_line_mapper(void **s)
{
	struct fx_app a;
	LINECALLPARAMS cp;
	HLINE h;

	(void)s;
	fx_app_init(&a, "a");
	assert_int_equal(
		lineOpen(a.h, LINEMAPPER, &h, 0x20002, 0, 0, NONE, 0, NULL),
		LINEERR_INVALPOINTER);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwBearerMode = LINEBEARERMODE_DATA;
	cp.dwMediaMode = LINEMEDIAMODE_DATAMODEM;
	assert_int_equal(
		lineOpen(a.h, LINEMAPPER, &h, 0x20002, 0, 0, NONE, 0, &cp), 0);
	cp.dwMediaMode = LINEMEDIAMODE_G4FAX;
	assert_int_equal(
		lineOpen(a.h, LINEMAPPER, &h, 0x20002, 0, 0, NONE, 0, &cp),
		LINEERR_LINEMAPPERFAILED);
	cp.dwMediaMode = LINEMEDIAMODE_DATAMODEM;
	cp.dwMinRate = 1000000;
	cp.dwMaxRate = 2000000;
	assert_int_equal(
		lineOpen(a.h, LINEMAPPER, &h, 0x20002, 0, 0, NONE, 0, &cp),
		LINEERR_LINEMAPPERFAILED);
	cp.dwTotalSize = 50;
	assert_int_equal(
		lineOpen(a.h, LINEMAPPER, &h, 0x20002, 0, 0, NONE, 0, &cp),
		LINEERR_STRUCTURETOOSMALL);
	fx_shutdown(&a);
}

/*
 * spec: tapi-messages-and-states.md §3 LINE_LINEDEVSTATE — OPEN/CLOSE come
 * from TAPI, only to other opens that enabled them.
 */
static void test_linedevstate_open_close(void **s)
{
	struct fx_app a, b;
	HLINE la, lb, lb2;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 0, MONITOR, 0);
	assert_int_equal(lineSetStatusMessages(
				 la, LINEDEVSTATE_OPEN | LINEDEVSTATE_CLOSE, 0),
	                 0);
	lb2 = fx_open(&b, 0, NONE, 0);
	fx_expect(&a, LINE_LINEDEVSTATE, la, LINEDEVSTATE_OPEN, 0, 0);
	fx_expect_none(&a);
	fx_expect_none(&b); /* b enabled nothing */
	assert_int_equal(lineClose(lb2), 0);
	fx_expect(&a, LINE_LINEDEVSTATE, la, LINEDEVSTATE_CLOSE, 0, 0);
	assert_int_equal(lineSetStatusMessages(la, 0, 0), 0);
	assert_int_equal(lineClose(lb), 0);
	fx_expect_none(&a);
	fx_shutdown(&b);
	fx_shutdown(&a);
}

static void test_set_status_messages_errors(void **s)
{
	struct fx_app a;
	HLINE l;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	assert_int_equal(lineSetStatusMessages(l + 1, 0, 0),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineSetStatusMessages(l, 0x02000000, 0),
	                 LINEERR_INVALLINESTATE);
	assert_int_equal(lineSetStatusMessages(l, 0, 0x200),
	                 LINEERR_INVALADDRESSSTATE);
	assert_int_equal(lineSetStatusMessages(l, LINEDEVSTATE_RINGING,
	                                       LINEADDRESSSTATE_INUSEONE),
	                 0);
	fx_shutdown(&a);
}

/*
 * lineGetLineDevStatus: TAPI's counts (opens, owners' media modes), the
 * provider's view (esp exports no TSPI_lineGetLineDevStatus: in service),
 * the layout of the open's version, and its errors.
 */
static void test_get_line_dev_status(void **s)
{
	struct fx_app a, b;
	LINEDEVSTATUS ds;
	HLINE l, lm, l14;

	(void)s;
	memset(&ds, 0, sizeof(ds));
	ds.dwTotalSize = sizeof(ds);
	assert_int_equal(lineGetLineDevStatus(1, &ds), LINEERR_UNINITIALIZED);
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER,
	            LINEMEDIAMODE_INTERACTIVEVOICE);
	lm = fx_open(&b, 0, LINECALLPRIVILEGE_MONITOR, 0);
	assert_int_equal(lineGetLineDevStatus(l + 1000, &ds),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineGetLineDevStatus(l, NULL), LINEERR_INVALPOINTER);
	ds.dwTotalSize = sizeof(ds) - 1;
	assert_int_equal(lineGetLineDevStatus(l, &ds),
	                 LINEERR_STRUCTURETOOSMALL);
	ds.dwTotalSize = sizeof(ds);
	assert_int_equal(lineGetLineDevStatus(lm, &ds), 0);
	assert_int_equal(ds.dwNumOpens, 2);
	assert_int_equal(ds.dwOpenMediaModes, LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(ds.dwDevStatusFlags,
	                 LINEDEVSTATUSFLAGS_CONNECTED |
	                         LINEDEVSTATUSFLAGS_INSERVICE);
	assert_int_equal(ds.dwNeededSize, sizeof(ds));
	assert_int_equal(ds.dwUsedSize, sizeof(ds));
	assert_int_equal(ds.dwAppInfoSize, 0);
	/* a 1.4 open gets the 1.4 layout (76 bytes) */
	l14 = fx_open_ver(&b, 1, 0x00010004, LINECALLPRIVILEGE_NONE, 0);
	ds.dwTotalSize = 76;
	assert_int_equal(lineGetLineDevStatus(l14, &ds), 0);
	assert_int_equal(ds.dwNeededSize, 76);
	assert_int_equal(ds.dwNumOpens, 1);
	assert_int_equal(lineClose(l), 0);
	assert_int_equal(lineGetLineDevStatus(l, &ds), LINEERR_INVALLINEHANDLE);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/* Provider LINE_LINEDEVSTATE items reach only the opens that asked. */
static void test_ringing_reported_when_enabled(void **s)
{
	struct fx_app a, b;
	HLINE caller, ring_on, ring_off;
	HCALL c;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	caller = fx_open(&a, 0, NONE, 0);
	ring_on = fx_open(&a, 1, OWNER, IV);
	ring_off = fx_open(&b, 1, MONITOR, 0);
	assert_int_equal(
		lineSetStatusMessages(ring_on, LINEDEVSTATE_RINGING, 0), 0);
	assert_true(lineMakeCall(caller, &c, "101", 0, NULL) > 0);
	fx_wait(&a, LINE_LINEDEVSTATE, ring_on, LINEDEVSTATE_RINGING);
	fx_wait(&b, LINE_CALLSTATE, 0, LINECALLSTATE_OFFERING);
	fx_pump(&b);
	for (unsigned i = 0; i < b.nseen; i++)
		assert_int_not_equal(b.seen[i].dwMessageID, LINE_LINEDEVSTATE);
	(void)ring_off;
	fx_shutdown(&a);
	fx_shutdown(&b);
}

/* spec: tapi-functions.md §16 — the error table */
static void test_get_new_calls_errors(void **s)
{
	struct fx_app a;
	LINECALLLIST cl;
	HLINE l;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	cl.dwTotalSize = sizeof(cl);
	assert_int_equal(lineGetNewCalls(l + 1, 0, LINECALLSELECT_LINE, &cl),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineGetNewCalls(l, 0, LINECALLSELECT_LINE, NULL),
	                 LINEERR_INVALPOINTER);
	cl.dwTotalSize = 23;
	assert_int_equal(lineGetNewCalls(l, 0, LINECALLSELECT_LINE, &cl),
	                 LINEERR_STRUCTURETOOSMALL);
	cl.dwTotalSize = sizeof(cl);
	assert_int_equal(lineGetNewCalls(l, 0, 0, &cl),
	                 LINEERR_INVALCALLSELECT);
	assert_int_equal(lineGetNewCalls(l, 0, LINECALLSELECT_CALL, &cl),
	                 LINEERR_INVALCALLSELECT);
	assert_int_equal(
		lineGetNewCalls(l, 0,
	                        LINECALLSELECT_LINE | LINECALLSELECT_ADDRESS,
	                        &cl),
		LINEERR_INVALCALLSELECT);
	assert_int_equal(lineGetNewCalls(l, 1, LINECALLSELECT_ADDRESS, &cl),
	                 LINEERR_INVALADDRESSID);
	assert_int_equal(lineGetNewCalls(l, 0, LINECALLSELECT_LINE, &cl), 0);
	assert_int_equal(cl.dwCallsNumEntries, 0);
	assert_int_equal(cl.dwUsedSize, 24);
	fx_shutdown(&a);
}

/*
 * spec: tapi-functions.md §16, tapi-model.md §4 — monitor handles for
 * calls this open has none for; no message to the caller; others get
 * LINE_CALLINFO(NUMMONITORS); a list too small creates nothing.
 */
static void test_get_new_calls(void **s)
{
	struct fx_app a, b;
	HLINE la, lb;
	HCALL c, got;
	struct {
		LINECALLLIST cl;
		HCALL calls[4];
	} u;
	DWORD owners, monitors;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	assert_true(fx_reply(&a, lineMakeCall(la, &c, "answer", 0, NULL)) == 0);
	/* spec: tapi-model.md §4 — opening announces no existing call */
	lb = fx_open(&b, 0, NONE, 0);
	fx_expect_none(&b);
	memset(&u, 0, sizeof(u));
	u.cl.dwTotalSize = 24; /* no room for a handle */
	assert_int_equal(lineGetNewCalls(lb, 0, LINECALLSELECT_LINE, &u.cl), 0);
	assert_int_equal(u.cl.dwNeededSize, 28);
	assert_int_equal(u.cl.dwUsedSize, 24);
	assert_int_equal(u.cl.dwCallsNumEntries, 0);
	fx_counts(c, &owners, &monitors);
	assert_int_equal(monitors, 0); /* nothing was created */
	u.cl.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetNewCalls(lb, 0, LINECALLSELECT_ADDRESS, &u.cl),
	                 0);
	assert_int_equal(u.cl.dwCallsNumEntries, 1);
	assert_int_equal(u.cl.dwCallsSize, sizeof(HCALL));
	assert_int_equal(u.cl.dwCallsOffset, 24);
	assert_int_equal(u.cl.dwUsedSize, 28);
	got = u.calls[0];
	assert_int_equal(fx_priv(got), MONITOR);
	assert_int_equal(fx_state(got), LINECALLSTATE_CONNECTED);
	fx_counts(got, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(monitors, 1);
	fx_expect_none(&b);
	fx_wait(&a, LINE_CALLINFO, c, LINECALLINFOSTATE_NUMMONITORS);
	/* a second call returns nothing new */
	assert_int_equal(lineGetNewCalls(lb, 0, LINECALLSELECT_LINE, &u.cl), 0);
	assert_int_equal(u.cl.dwCallsNumEntries, 0);
	/* the monitor now sees the call's states */
	assert_true(fx_reply(&a, lineDrop(c, NULL, 0)) == 0);
	fx_wait(&b, LINE_CALLSTATE, got, LINECALLSTATE_IDLE);
	fx_shutdown(&a);
	fx_shutdown(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_open_variants, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_line_mapper, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_linedevstate_open_close,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_status_messages_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ringing_reported_when_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_new_calls_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_new_calls, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_get_line_dev_status, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
