/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI 2 → TAPI 3 mapping tables of tapi3-call-control.md
 * (src/tapi3/map.c), row by row: §2 states, §3 causes, §5.1 Connect's
 * failures, §5.3 Disconnect's codes, §6 errors, §1 media types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tapi3/map.h"

/* spec §2 — the LINECALLSTATE → CALL_STATE table */
static void test_t3_map_states(void **s)
{
	static const struct {
		uint32_t t2, mode;
		bool conn;
		CALL_STATE st;
		CALL_STATE_EVENT_CAUSE cause;
		bool drop;
	} rows[] = {
		{LINECALLSTATE_OFFERING, 0, false, CS_OFFERING, CEC_NONE,
	         false},
		{LINECALLSTATE_ACCEPTED, 0, false, CS_OFFERING, CEC_NONE,
	         false},
		{LINECALLSTATE_DIALTONE, 1, false, CS_INPROGRESS, CEC_NONE,
	         false},
		{LINECALLSTATE_DIALING, 0, false, CS_INPROGRESS, CEC_NONE,
	         false},
		{LINECALLSTATE_PROCEEDING, 0, false, CS_INPROGRESS, CEC_NONE,
	         false},
		{LINECALLSTATE_RINGBACK, 0, false, CS_INPROGRESS, CEC_NONE,
	         false},
		{LINECALLSTATE_CONNECTED, 1, false, CS_CONNECTED, CEC_NONE,
	         false},
		{LINECALLSTATE_CONFERENCED, 0, true, CS_CONNECTED, CEC_NONE,
	         false},
		{LINECALLSTATE_ONHOLD, 0, true, CS_HOLD, CEC_NONE, false},
		{LINECALLSTATE_ONHOLDPENDCONF, 0, true, CS_HOLD, CEC_NONE,
	         false},
		{LINECALLSTATE_ONHOLDPENDTRANSFER, 0, true, CS_HOLD, CEC_NONE,
	         false},
		{LINECALLSTATE_BUSY, 1, false, CS_DISCONNECTED,
	         CEC_DISCONNECT_BUSY, true},
		{LINECALLSTATE_SPECIALINFO, LINESPECIALINFO_CUSTIRREG, false,
	         CS_DISCONNECTED, CEC_DISCONNECT_BADADDRESS, true},
		{LINECALLSTATE_SPECIALINFO, LINESPECIALINFO_NOCIRCUIT, false,
	         CS_DISCONNECTED, CEC_DISCONNECT_FAILED, true},
		{LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_BUSY, false,
	         CS_DISCONNECTED, CEC_DISCONNECT_BUSY, false},
		{LINECALLSTATE_IDLE, 0, true, CS_DISCONNECTED,
	         CEC_DISCONNECT_NORMAL, false},
	};
	struct map_state m;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_true(
			map_state(rows[i].t2, rows[i].mode, rows[i].conn, &m));
		assert_int_equal(m.state, rows[i].st);
		assert_int_equal(m.cause, rows[i].cause);
		assert_int_equal(m.drop, rows[i].drop);
	}
	/* UNKNOWN and non-states give no event; CS_QUEUED never comes */
	assert_false(map_state(LINECALLSTATE_UNKNOWN, 0, false, &m));
	assert_false(map_state(0, 0, false, &m));
	assert_false(map_state(0x80000000u, 0, false, &m));
	assert_false(map_state(LINECALLSTATE_OFFERING | LINECALLSTATE_IDLE, 0,
	                       false, &m));
}

/* spec §3 — the LINEDISCONNECTMODE → CALL_STATE_EVENT_CAUSE table */
static void test_t3_map_disconnect_modes(void **s)
{
	static const struct {
		uint32_t mode;
		CALL_STATE_EVENT_CAUSE cause;
	} rows[] = {
		{LINEDISCONNECTMODE_NORMAL, CEC_DISCONNECT_NORMAL},
		{LINEDISCONNECTMODE_PICKUP, CEC_DISCONNECT_NORMAL},
		{LINEDISCONNECTMODE_FORWARDED, CEC_DISCONNECT_NORMAL},
		{LINEDISCONNECTMODE_BUSY, CEC_DISCONNECT_BUSY},
		{LINEDISCONNECTMODE_NOANSWER, CEC_DISCONNECT_NOANSWER},
		{LINEDISCONNECTMODE_REJECT, CEC_DISCONNECT_REJECTED},
		{LINEDISCONNECTMODE_DONOTDISTURB, CEC_DISCONNECT_REJECTED},
		{LINEDISCONNECTMODE_BADADDRESS, CEC_DISCONNECT_BADADDRESS},
		{LINEDISCONNECTMODE_NUMBERCHANGED, CEC_DISCONNECT_BADADDRESS},
		{LINEDISCONNECTMODE_BLOCKED, CEC_DISCONNECT_BLOCKED},
		{LINEDISCONNECTMODE_CANCELLED, CEC_DISCONNECT_CANCELLED},
		{LINEDISCONNECTMODE_UNREACHABLE, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_CONGESTION, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_INCOMPATIBLE, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_UNAVAIL, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_NODIALTONE, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_OUTOFORDER, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_TEMPFAILURE, CEC_DISCONNECT_FAILED},
		{LINEDISCONNECTMODE_QOSUNAVAIL, CEC_DISCONNECT_FAILED},
		{0x40000000u /* device-specific */, CEC_DISCONNECT_FAILED},
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(map_disconnect_mode(rows[i].mode, false),
		                 rows[i].cause);
		assert_int_equal(map_disconnect_mode(rows[i].mode, true),
		                 rows[i].cause);
	}
	/* UNKNOWN: NORMAL once connected, else FAILED */
	assert_int_equal(map_disconnect_mode(LINEDISCONNECTMODE_UNKNOWN, true),
	                 CEC_DISCONNECT_NORMAL);
	assert_int_equal(map_disconnect_mode(LINEDISCONNECTMODE_UNKNOWN, false),
	                 CEC_DISCONNECT_FAILED);
}

/* spec §5.1 — why a synchronous Connect failed */
static void test_t3_map_connect_failures(void **s)
{
	(void)s;
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_BUSY),
	                 TAPI_E_DESTBUSY);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_NOANSWER),
	                 TAPI_E_DESTNOANSWER);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_BADADDRESS),
	                 TAPI_E_INVALADDRESS);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_BLOCKED),
	                 TAPI_E_ADDRESSBLOCKED);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_REJECTED),
	                 TAPI_E_DESTUNAVAIL);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_FAILED),
	                 TAPI_E_DESTUNAVAIL);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_CANCELLED),
	                 TAPI_E_REQUESTCANCELLED);
	assert_int_equal(map_cause_hresult(CEC_DISCONNECT_NORMAL),
	                 TAPI_E_DROPPED);
}

/* spec §5.3 — Disconnect's table: the cause seen and the provider hint */
static void test_t3_map_disconnect_codes(void **s)
{
	static const struct {
		CALL_STATE st;
		DISCONNECT_CODE code;
		CALL_STATE_EVENT_CAUSE cause;
		uint32_t hint;
	} rows[] = {
		{CS_OFFERING, DC_NORMAL, CEC_DISCONNECT_NORMAL,
	         LINEDISCONNECTMODE_NORMAL},
		{CS_OFFERING, DC_NOANSWER, CEC_DISCONNECT_NOANSWER,
	         LINEDISCONNECTMODE_NOANSWER},
		{CS_OFFERING, DC_REJECTED, CEC_DISCONNECT_REJECTED,
	         LINEDISCONNECTMODE_REJECT},
		{CS_INPROGRESS, DC_NORMAL, CEC_DISCONNECT_CANCELLED,
	         LINEDISCONNECTMODE_CANCELLED},
		{CS_INPROGRESS, DC_NOANSWER, CEC_DISCONNECT_CANCELLED,
	         LINEDISCONNECTMODE_CANCELLED},
		{CS_INPROGRESS, DC_REJECTED, CEC_DISCONNECT_CANCELLED,
	         LINEDISCONNECTMODE_CANCELLED},
		{CS_CONNECTED, DC_REJECTED, CEC_DISCONNECT_NORMAL,
	         LINEDISCONNECTMODE_NORMAL},
		{CS_HOLD, DC_NOANSWER, CEC_DISCONNECT_NORMAL,
	         LINEDISCONNECTMODE_NORMAL},
		{CS_QUEUED, DC_NORMAL, CEC_DISCONNECT_NORMAL,
	         LINEDISCONNECTMODE_NORMAL},
	};
	CALL_STATE_EVENT_CAUSE cause;
	uint32_t hint;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		map_disconnect_code(rows[i].st, rows[i].code, &cause, &hint);
		assert_int_equal(cause, rows[i].cause);
		assert_int_equal(hint, rows[i].hint);
	}
}

/* spec §6 — LINEERR → HRESULT */
static void test_t3_map_errors(void **s)
{
	(void)s;
	assert_int_equal(map_lineerr(0, false), S_OK);
	assert_int_equal(map_lineerr(0x1234, false), S_OK); /* request id */
	assert_int_equal(map_lineerr(LINEERR_INVALCALLSTATE, false),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(map_lineerr(LINEERR_NOTOWNER, false), TAPI_E_NOTOWNER);
	assert_int_equal(map_lineerr(LINEERR_TARGETNOTFOUND, false),
	                 TAPI_E_TARGETNOTFOUND);
	assert_int_equal(map_lineerr(LINEERR_OPERATIONFAILED, false),
	                 TAPI_E_OPERATIONFAILED);
	assert_int_equal(map_lineerr(LINEERR_REINIT, false), TAPI_E_REINIT);
	assert_int_equal(map_lineerr(LINEERR_NOMEM, false), E_OUTOFMEMORY);
	assert_int_equal(map_lineerr(LINEERR_INVALPOINTER, false), E_POINTER);
	assert_int_equal(map_lineerr(LINEERR_INVALPARAM, false), E_INVALIDARG);
	assert_int_equal(map_lineerr(LINEERR_INVALMEDIAMODE, false),
	                 E_INVALIDARG);
	assert_int_equal(map_lineerr(LINEERR_INVALCALLHANDLE, false),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(map_lineerr(LINEERR_INVALLINEHANDLE, false),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(map_lineerr(LINEERR_DIALDIALTONE, false),
	                 TAPI_E_DIALMODIFIERNOTSUPPORTED);
	assert_int_equal(map_lineerr(LINEERR_DIALBILLING, false),
	                 TAPI_E_DIALMODIFIERNOTSUPPORTED);
	/* OPERATIONUNAVAIL: E_FAIL where the method documents it */
	assert_int_equal(map_lineerr(LINEERR_OPERATIONUNAVAIL, true), E_FAIL);
	assert_int_equal(map_lineerr(LINEERR_OPERATIONUNAVAIL, false),
	                 TAPI_E_NOTSUPPORTED);
	/* anything else */
	assert_int_equal(map_lineerr(LINEERR_STRUCTURETOOSMALL, false),
	                 TAPI_E_OPERATIONFAILED);
	assert_int_equal(map_lineerr((LONG)0x80001234, false),
	                 TAPI_E_OPERATIONFAILED);
}

/* spec §1 — TAPIMEDIATYPE_ values equal the LINEMEDIAMODE_ bits */
static void test_t3_map_media(void **s)
{
	(void)s;
	assert_int_equal(TAPIMEDIATYPE_AUDIO, LINEMEDIAMODE_AUTOMATEDVOICE);
	assert_int_equal(TAPIMEDIATYPE_DATAMODEM, LINEMEDIAMODE_DATAMODEM);
	assert_int_equal(TAPIMEDIATYPE_G3FAX, LINEMEDIAMODE_G3FAX);
	assert_int_equal(TAPIMEDIATYPE_VIDEO, LINEMEDIAMODE_VIDEO);
	assert_int_equal(map_media_to_line(TAPIMEDIATYPE_AUDIO, true),
	                 LINEMEDIAMODE_INTERACTIVEVOICE |
	                         LINEMEDIAMODE_AUTOMATEDVOICE);
	assert_int_equal(map_media_to_line(TAPIMEDIATYPE_AUDIO, false),
	                 LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(
		map_media_to_line(TAPIMEDIATYPE_DATAMODEM | TAPIMEDIATYPE_G3FAX,
	                          false),
		LINEMEDIAMODE_DATAMODEM | LINEMEDIAMODE_G3FAX);
	assert_int_equal(map_media_to_line(TAPIMEDIATYPE_MULTITRACK, true), 0);
	assert_int_equal(map_media_from_line(LINEMEDIAMODE_INTERACTIVEVOICE),
	                 TAPIMEDIATYPE_AUDIO);
	assert_int_equal(map_media_from_line(LINEMEDIAMODE_AUTOMATEDVOICE |
	                                     LINEMEDIAMODE_DATAMODEM |
	                                     LINEMEDIAMODE_TDD),
	                 TAPIMEDIATYPE_AUDIO | TAPIMEDIATYPE_DATAMODEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t3_map_states),
		cmocka_unit_test(test_t3_map_disconnect_modes),
		cmocka_unit_test(test_t3_map_connect_failures),
		cmocka_unit_test(test_t3_map_disconnect_codes),
		cmocka_unit_test(test_t3_map_errors),
		cmocka_unit_test(test_t3_map_media),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
