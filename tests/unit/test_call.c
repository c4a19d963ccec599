/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Call functions: lineMakeCall, lineAccept, lineAnswer, lineDrop,
 * lineDeallocateCall, lineSetCallPrivilege, lineGetCallInfo,
 * lineGetCallStatus; initial owner selection; per-app handles.
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

/* Makes a call on @line to @dest and waits for its successful reply. */
static HCALL call_to(struct fx_app *a, HLINE line, const char *dest)
{
	HCALL c = 0;
	LONG req = lineMakeCall(line, &c, dest, 0, NULL);

	assert_true(req > 0);
	assert_int_equal(fx_reply(a, req), 0);
	assert_int_not_equal(c, 0);
	return c;
}

/* The callee's handle on @line from its LINE_APPNEWCALL. */
static HCALL new_call_on(struct fx_app *a, HLINE line)
{
	return (HCALL)fx_wait(a, LINE_APPNEWCALL, line, FX_ANY).dwParam2;
}

/* spec: tapi-functions.md §8 — the error table of lineMakeCall */
static void test_make_call_errors(void **s)
{
	struct fx_app a;
	struct {
		LINECALLPARAMS cp;
		char uui[300];
	} u;
	HLINE l;
	HCALL c = 77;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	assert_int_equal(lineMakeCall(l + 1, &c, "101", 0, NULL),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineMakeCall(a.h, &c, "101", 0, NULL),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineMakeCall(l, NULL, "101", 0, NULL),
	                 LINEERR_INVALPOINTER);
	/* spec: tspi.md §6 — dial controls esp cannot do: nothing dialed */
	assert_int_equal(lineMakeCall(l, &c, "9W101", 0, NULL),
	                 LINEERR_DIALDIALTONE);
	assert_int_equal(lineMakeCall(l, &c, "10@1", 0, NULL),
	                 LINEERR_DIALQUIET);
	assert_int_equal(lineMakeCall(l, &c, "1$0W1", 0, NULL),
	                 LINEERR_DIALBILLING);
	assert_int_equal(lineMakeCall(l, &c, "?", 0, NULL), LINEERR_DIALPROMPT);
	assert_int_equal(lineMakeCall(l, &c, "x1", 0, NULL),
	                 LINEERR_INVALADDRESS);
	assert_int_equal(lineMakeCall(l, &c, "answer:abc", 0, NULL),
	                 LINEERR_INVALADDRESS);
	assert_int_equal(lineMakeCall(l, &c, "slow:x/answer", 0, NULL),
	                 LINEERR_INVALADDRESS);
	/* LINECALLPARAMS problems (details: test_varstruct) */
	memset(&u, 0, sizeof(u));
	u.cp.dwTotalSize = 111;
	assert_int_equal(lineMakeCall(l, &c, "101", 0, &u.cp),
	                 LINEERR_STRUCTURETOOSMALL);
	u.cp.dwTotalSize = sizeof(u);
	u.cp.dwMediaMode = LINEMEDIAMODE_G4FAX;
	assert_int_equal(lineMakeCall(l, &c, "101", 0, &u.cp),
	                 LINEERR_INVALMEDIAMODE);
	u.cp.dwMediaMode = 0;
	u.cp.dwBearerMode = LINEBEARERMODE_SPEECH;
	assert_int_equal(lineMakeCall(l, &c, "101", 0, &u.cp),
	                 LINEERR_BEARERMODEUNAVAIL);
	u.cp.dwBearerMode = 0;
	u.cp.dwAddressID = 3;
	assert_int_equal(lineMakeCall(l, &c, "101", 0, &u.cp),
	                 LINEERR_INVALADDRESSID);
	u.cp.dwAddressID = 0;
	u.cp.dwUserUserInfoSize = 257; /* esp: dwUUIMakeCallSize = 256 */
	u.cp.dwUserUserInfoOffset = sizeof(LINECALLPARAMS);
	assert_int_equal(lineMakeCall(l, &c, "101", 0, &u.cp),
	                 LINEERR_USERUSERINFOTOOBIG);
	assert_int_equal(c, 77); /* never written on failure */
	fx_expect_none(&a);
	fx_shutdown(&a);
}

/*
 * spec: tapi-functions.md §8, §0.2; tapi-model.md §4 — the handle is
 * written before LINE_REPLY(0); the creator is sole owner; its first
 * LINE_CALLSTATE carries dwParam3 = 0 [proposal].
 */
static void test_make_call_success(void **s)
{
	struct fx_app a;
	struct {
		LINECALLPARAMS cp;
		char var[64];
	} u;
	union {
		LINECALLINFO ci;
		char buf[1024];
	} info;
	HLINE l, l1;
	HCALL c = 0, in;
	DWORD owners, monitors;
	LONG req;

	(void)s;
	fx_app_init(&a, "caller app");
	l = fx_open(&a, 0, NONE, 0);
	l1 = fx_open(&a, 1, OWNER, IV);
	memset(&u, 0, sizeof(u));
	u.cp.dwTotalSize = sizeof(u);
	u.cp.dwCommentSize = 6;
	u.cp.dwCommentOffset = sizeof(LINECALLPARAMS);
	memcpy(u.var, "hello", 6);
	u.cp.dwUserUserInfoSize = 3;
	u.cp.dwUserUserInfoOffset = sizeof(LINECALLPARAMS) + 6;
	memcpy(u.var + 6, "abc", 3);
	req = lineMakeCall(l, &c, "101", 0, &u.cp);
	assert_true(req > 0);
	/* esp completes at once: the handle is there when the call returns */
	assert_int_not_equal(c, 0);
	fx_wait(&a, LINE_REPLY, 0, (DWORD_PTR)req);
	/* spec: tapi-model.md §4 [proposal] — no privilege in dwParam3 */
	assert_int_equal(
		fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_DIALING).dwParam3,
		0);
	fx_counts(c, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(monitors, 0);
	assert_int_equal(fx_priv(c), OWNER);
	memset(&info, 0, sizeof(info));
	info.ci.dwTotalSize = sizeof(info);
	assert_int_equal(lineGetCallInfo(c, &info.ci), 0);
	assert_int_equal(info.ci.hLine, l);
	assert_int_equal(info.ci.dwLineDeviceID, 0);
	assert_int_equal(info.ci.dwOrigin, LINECALLORIGIN_OUTBOUND);
	assert_true(info.ci.dwCallStates & LINECALLSTATE_UNKNOWN);
	assert_string_equal(info.buf + info.ci.dwAppNameOffset, "caller app");
	assert_string_equal(info.buf + info.ci.dwCommentOffset, "hello");
	assert_string_equal(info.buf + info.ci.dwCalledIDOffset, "101");
	assert_int_equal(info.ci.dwNeededSize, info.ci.dwUsedSize);
	/* the UUI given at make-call time arrives with the offering */
	in = new_call_on(&a, l1);
	memset(&info, 0, sizeof(info));
	info.ci.dwTotalSize = sizeof(info);
	assert_int_equal(lineGetCallInfo(in, &info.ci), 0);
	assert_int_equal(info.ci.dwUserUserInfoSize, 3);
	assert_memory_equal(info.buf + info.ci.dwUserUserInfoOffset, "abc", 3);
	assert_string_equal(info.buf + info.ci.dwCallerIDOffset, "100");
	assert_int_equal(info.ci.dwOrigin, LINECALLORIGIN_INTERNAL);
	fx_shutdown(&a);
}

/* spec: termination.md §9 C3 — an asynchronous failure of lineMakeCall */
static void test_make_call_async_failure(void **s)
{
	struct fx_app a;
	struct tapix_live live;
	HLINE l;
	HCALL c = 77;
	LONG req;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	req = lineMakeCall(l, &c, "unavail", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(fx_reply(&a, req), LINEERR_CALLUNAVAIL);
	assert_int_equal(c, 77);
	fx_expect_none(&a);
	/* TAPI closed the provider's call: only the open line is left */
	for (int i = 0; i < 1000; i++) {
		fx_live(&live);
		if (live.calls == 0)
			break;
		fx_wait_try(&a, LINE_REPLY, 0, 0, 1, NULL);
	}
	assert_int_equal(live.calls, 0);
	/* the line and esp's timer thread; through tapixd the thread is the
	 * service's own (fx_live counts what the test added) */
	assert_int_equal(live.provider_objects, fx_service() ? 1 : 2);
	fx_shutdown(&a);
}

/* spec: tapi-functions.md §9, §10, §11 — error tables */
static void test_accept_answer_drop_errors(void **s)
{
	struct fx_app a, m;
	HLINE l0, l1, lm;
	HCALL out, in, min;
	char big[300];

	(void)s;
	memset(big, 'u', sizeof(big));
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	l0 = fx_open(&a, 0, NONE, 0);
	l1 = fx_open(&a, 1, OWNER, IV);
	lm = fx_open(&m, 1, MONITOR, 0);
	out = call_to(&a, l0, "101");
	in = new_call_on(&a, l1);
	min = new_call_on(&m, lm);

	assert_int_equal(lineAnswer(0, NULL, 0), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineAnswer(l1, NULL, 0), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineAccept(in + 0x10000, NULL, 0),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineDrop(a.h, NULL, 0), LINEERR_INVALCALLHANDLE);
	/* spec: tapi-model.md §3 — a monitor may not control the call */
	assert_int_equal(lineAnswer(min, NULL, 0), LINEERR_NOTOWNER);
	assert_int_equal(lineAccept(min, NULL, 0), LINEERR_NOTOWNER);
	assert_int_equal(lineDrop(min, NULL, 0), LINEERR_NOTOWNER);
	/* states: tapi-functions.md §0.7 */
	assert_int_equal(lineAnswer(out, NULL, 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(lineAccept(out, NULL, 0), LINEERR_INVALCALLSTATE);
	/* sizes: esp allows 256 bytes of UUI per operation */
	assert_int_equal(lineAccept(in, big, 257), LINEERR_USERUSERINFOTOOBIG);
	assert_int_equal(lineAnswer(in, big, 257), LINEERR_USERUSERINFOTOOBIG);
	assert_int_equal(lineDrop(in, big, 257), LINEERR_USERUSERINFOTOOBIG);
	/* a NULL pointer means no UUI, whatever the size */
	assert_int_equal(fx_reply(&a, lineAccept(in, NULL, 9999)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_ACCEPTED);
	assert_int_equal(lineAccept(in, NULL, 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_CONNECTED);
	/* CONNECTED goes to the provider (bridged join); esp refuses */
	assert_int_equal(lineAnswer(in, NULL, 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	/* spec: termination.md §2 — IDLE cannot be dropped */
	assert_int_equal(lineDrop(in, NULL, 0), LINEERR_INVALCALLSTATE);
	assert_int_equal(lineAnswer(in, NULL, 0), LINEERR_INVALCALLSTATE);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/* spec: tspi.md §1 — optional TSPI function missing: OPERATIONUNAVAIL */
static void test_operation_unavailable(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c, in;

	(void)s;
	fx_config("[tapix]\nproviders = bare\n");
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, OWNER, IV); /* bare offers a call now */
	in = new_call_on(&a, l);
	assert_int_equal(lineAccept(in, NULL, 0), LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(lineAnswer(in, NULL, 0), LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(lineDrop(in, NULL, 0), LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(lineMakeCall(l, &c, "1", 0, NULL),
	                 LINEERR_OPERATIONUNAVAIL);
	fx_shutdown(&a);
}

/* spec: termination.md §3 — the version-dependent table */
static void test_deallocate_rules(void **s)
{
	struct fx_app a, m;
	HLINE old, new2, mon;
	HCALL c14, c20, mc;
	LINEMESSAGE msg;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	old = fx_open_ver(&a, 0, 0x00010004, NONE, 0);
	new2 = fx_open(&a, 1, NONE, 0);
	mon = fx_open(&m, 1, MONITOR, 0);
	assert_int_equal(lineDeallocateCall(0), LINEERR_INVALCALLHANDLE);
	/* API < 2.0, sole owner, not IDLE: drop first */
	c14 = call_to(&a, old, "noanswer");
	assert_int_equal(lineDeallocateCall(c14), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineDrop(c14, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c14, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(c14), 0);
	assert_int_equal(lineDeallocateCall(c14), LINEERR_INVALCALLHANDLE);
	/* API >= 2.0, sole owner, CONNECTED: allowed, the call lives on */
	c20 = call_to(&a, new2, "answer");
	msg = fx_wait(&m, LINE_APPNEWCALL, mon, FX_ANY);
	mc = (HCALL)msg.dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	fx_consume_all(&m);
	assert_int_equal(lineDeallocateCall(c20), 0);
	/* spec: §3.3 — the monitor hears the owner went */
	fx_expect(&m, LINE_CALLINFO, mc, LINECALLINFOSTATE_NUMOWNERDECR, 0, 0);
	assert_int_equal(fx_state(mc), LINECALLSTATE_CONNECTED);
	assert_int_equal(lineGetCallStatus(c20, NULL), LINEERR_INVALCALLHANDLE);
	/* spec: §3.4 — the last handle: TSPI_lineCloseCall; esp drops it */
	assert_int_equal(lineDeallocateCall(mc), 0);
	fx_expect_none(&m);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/* spec: tapi-functions.md §15, termination.md §4 */
static void test_set_call_privilege(void **s)
{
	struct fx_app a, m;
	HLINE l, lm;
	HCALL c, mc;
	DWORD owners, monitors;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	l = fx_open(&a, 0, NONE, 0);
	lm = fx_open(&m, 0, MONITOR, 0);
	c = call_to(&a, l, "answer");
	mc = new_call_on(&m, lm);
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	assert_int_equal(lineSetCallPrivilege(0, OWNER),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineSetCallPrivilege(c, 0),
	                 LINEERR_INVALCALLPRIVILEGE);
	assert_int_equal(lineSetCallPrivilege(c, NONE),
	                 LINEERR_INVALCALLPRIVILEGE);
	assert_int_equal(lineSetCallPrivilege(c, OWNER | MONITOR),
	                 LINEERR_INVALCALLPRIVILEGE);
	/* sole owner of a live call may not become a monitor */
	assert_int_equal(lineSetCallPrivilege(c, MONITOR),
	                 LINEERR_INVALCALLSTATE);
	/* [proposal] same privilege: success, nothing sent */
	fx_consume_all(&m);
	fx_consume_all(&a);
	assert_int_equal(lineSetCallPrivilege(c, OWNER), 0);
	fx_expect_none(&m);
	/* a monitor takes ownership; the other app hears of it */
	assert_int_equal(lineSetCallPrivilege(mc, OWNER), 0);
	fx_wait(&a, LINE_CALLINFO, c,
	        LINECALLINFOSTATE_NUMOWNERINCR | LINECALLINFOSTATE_NUMMONITORS);
	fx_expect_none(&m); /* no message for one's own change */
	fx_counts(c, &owners, &monitors);
	assert_int_equal(owners, 2);
	assert_int_equal(monitors, 0);
	/* now not sole owner: may step down */
	assert_int_equal(lineSetCallPrivilege(c, MONITOR), 0);
	fx_wait(&m, LINE_CALLINFO, mc,
	        LINECALLINFOSTATE_NUMOWNERDECR | LINECALLINFOSTATE_NUMMONITORS);
	assert_int_equal(fx_priv(c), MONITOR);
	assert_int_equal(lineDrop(c, NULL, 0), LINEERR_NOTOWNER);
	assert_int_equal(fx_reply(&m, lineDrop(mc, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE);
	fx_consume_all(&a);
	/* after IDLE: the sole owner may step down; no LINE_CALLINFO */
	assert_int_equal(lineSetCallPrivilege(mc, MONITOR), 0);
	fx_expect_none(&a);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/* spec: tapi-functions.md §13, §14, §0.4, §0.6 */
static void test_call_info_and_status(void **s)
{
	struct fx_app a, b, m;
	HLINE lb, l0, lm;
	HCALL c, mc;
	union {
		LINECALLINFO ci;
		char buf[1024];
	} info;
	union {
		LINECALLSTATUS cs;
		char buf[128];
	} st;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	fx_app_init(&m, "m");
	lb = fx_open_ver(&b, 0, 0x00010004, NONE, 0);
	l0 = fx_open(&a, 1, NONE, 0);
	lm = fx_open(&m, 1, MONITOR, 0);
	(void)lb;
	c = call_to(&a, l0, "answer");
	mc = new_call_on(&m, lm);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);

	memset(&info, 0, sizeof(info));
	info.ci.dwTotalSize = 323;
	assert_int_equal(lineGetCallInfo(c, &info.ci),
	                 LINEERR_STRUCTURETOOSMALL);
	assert_int_equal(lineGetCallInfo(c, NULL), LINEERR_INVALPOINTER);
	assert_int_equal(lineGetCallInfo(l0, &info.ci),
	                 LINEERR_INVALCALLHANDLE);
	/* the fixed part only: variable parts omitted, counts still right */
	info.ci.dwTotalSize = 324;
	assert_int_equal(lineGetCallInfo(c, &info.ci), 0);
	assert_int_equal(info.ci.dwUsedSize, 324);
	assert_true(info.ci.dwNeededSize > 324);
	assert_int_equal(info.ci.dwAppNameSize, 0);
	assert_int_equal(info.ci.dwNumOwners, 1);
	assert_int_equal(info.ci.dwNumMonitors, 1);
	info.ci.dwTotalSize = info.ci.dwNeededSize;
	assert_int_equal(lineGetCallInfo(c, &info.ci), 0);
	assert_int_equal(info.ci.dwUsedSize, info.ci.dwNeededSize);

	memset(&st, 0, sizeof(st));
	st.cs.dwTotalSize = 55;
	assert_int_equal(lineGetCallStatus(c, &st.cs),
	                 LINEERR_STRUCTURETOOSMALL);
	assert_int_equal(lineGetCallStatus(c, NULL), LINEERR_INVALPOINTER);
	st.cs.dwTotalSize = 56;
	assert_int_equal(lineGetCallStatus(c, &st.cs), 0);
	assert_int_equal(st.cs.dwCallState, LINECALLSTATE_CONNECTED);
	assert_int_equal(st.cs.dwCallStateMode, LINECONNECTEDMODE_ACTIVE);
	assert_int_equal(st.cs.dwCallPrivilege, OWNER);
	assert_true(st.cs.dwCallFeatures & LINECALLFEATURE_DROP);
	assert_true(st.cs.tStateEntryTime.wYear >= 2024);
	/* [proposal] §0.6 — a monitor may invoke nothing */
	assert_int_equal(lineGetCallStatus(mc, &st.cs), 0);
	assert_int_equal(st.cs.dwCallPrivilege, MONITOR);
	assert_int_equal(st.cs.dwCallFeatures, 0);

	/* spec: termination.md §2 — after the drop the handle answers */
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	assert_int_equal(fx_state(c), LINECALLSTATE_IDLE);
	assert_int_equal(lineGetCallInfo(c, &info.ci), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);

	/* a 1.4 app gets 1.4 layouts (296 / 36 bytes are enough) */
	{
		HCALL c14;

		c14 = call_to(&b, lb, "answer");
		memset(&info, 0x5A, sizeof(info));
		info.ci.dwTotalSize = 296;
		assert_int_equal(lineGetCallInfo(c14, &info.ci), 0);
		assert_int_equal(info.ci.dwUsedSize, 296);
		assert_true(info.ci.dwNeededSize > 296);
		/* bytes past the 1.4 structure are untouched */
		assert_int_equal((unsigned char)info.buf[296], 0x5A);
		info.ci.dwTotalSize = 295;
		assert_int_equal(lineGetCallInfo(c14, &info.ci),
		                 LINEERR_STRUCTURETOOSMALL);
		memset(&st, 0x5A, sizeof(st));
		st.cs.dwTotalSize = 36;
		assert_int_equal(lineGetCallStatus(c14, &st.cs), 0);
		assert_int_equal(st.cs.dwUsedSize, 36);
		assert_int_equal((unsigned char)st.buf[36], 0x5A);
		st.cs.dwTotalSize = 35;
		assert_int_equal(lineGetCallStatus(c14, &st.cs),
		                 LINEERR_STRUCTURETOOSMALL);
	}
	fx_shutdown(&b);
}

/*
 * spec: tapi-model.md §5 — the initial owner: first-opened candidate for
 * the media mode; OWNER|MONITOR opens not chosen get monitor handles;
 * OWNER-only opens not chosen get nothing.
 */
static void test_initial_owner_selection(void **s)
{
	struct fx_app caller, first, second, data, mon;
	HLINE lc, l1, l2, ld, lm;
	LINEMESSAGE m;
	struct {
		LINECALLPARAMS cp;
	} u;
	HCALL c, h;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&first, "first");
	fx_app_init(&second, "second");
	fx_app_init(&data, "data");
	fx_app_init(&mon, "mon");
	lc = fx_open(&caller, 0, NONE, 0);
	l1 = fx_open(&first, 1, OWNER, IV);
	l2 = fx_open(&second, 1, OWNER | MONITOR, IV);
	ld = fx_open(&data, 1, OWNER, LINEMEDIAMODE_DATAMODEM);
	lm = fx_open(&mon, 1, MONITOR, 0);

	/* a voice call: first opener wins, OWNER|MONITOR gets a monitor */
	c = call_to(&caller, lc, "101");
	m = fx_wait(&first, LINE_APPNEWCALL, l1, FX_ANY);
	assert_int_equal(m.dwParam3, OWNER);
	assert_int_equal(m.dwParam1, 0); /* address id */
	h = (HCALL)m.dwParam2;
	fx_expect(&first, LINE_CALLSTATE, h, LINECALLSTATE_OFFERING,
	          LINEOFFERINGMODE_ACTIVE, OWNER);
	m = fx_wait(&second, LINE_APPNEWCALL, l2, FX_ANY);
	assert_int_equal(m.dwParam3, MONITOR);
	fx_expect(&second, LINE_CALLSTATE, (HCALL)m.dwParam2,
	          LINECALLSTATE_OFFERING, FX_ANY, MONITOR);
	m = fx_wait(&mon, LINE_APPNEWCALL, lm, FX_ANY);
	assert_int_equal(m.dwParam3, MONITOR);
	fx_pump(&data);
	assert_int_equal(data.nseen, 0);
	assert_int_equal(fx_reply(&caller, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);

	/* a data call goes to the data app */
	memset(&u, 0, sizeof(u));
	u.cp.dwTotalSize = sizeof(u);
	u.cp.dwMediaMode = LINEMEDIAMODE_DATAMODEM;
	u.cp.dwBearerMode = LINEBEARERMODE_DATA;
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, &u.cp)), 0);
	m = fx_wait(&data, LINE_APPNEWCALL, ld, FX_ANY);
	assert_int_equal(m.dwParam3, OWNER);
	m = fx_wait(&second, LINE_APPNEWCALL, l2, FX_ANY);
	assert_int_equal(m.dwParam3, MONITOR);

	/* no owner for G3FAX: only monitors get handles (§5.6) */
	u.cp.dwMediaMode = LINEMEDIAMODE_G3FAX;
	u.cp.dwBearerMode = 0;
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, &u.cp)), 0);
	m = fx_wait(&mon, LINE_APPNEWCALL, lm, FX_ANY);
	m = fx_wait(&mon, LINE_APPNEWCALL, lm, FX_ANY);
	assert_int_equal(m.dwParam3, MONITOR);
	h = (HCALL)m.dwParam2;
	{
		DWORD owners, monitors;

		fx_counts(h, &owners, &monitors);
		assert_int_equal(owners, 0);
		assert_int_equal(monitors, 2);
	}
	fx_shutdown(&caller);
	fx_shutdown(&first);
	fx_shutdown(&second);
	fx_shutdown(&data);
	fx_shutdown(&mon);
}

/* spec: tapi-model.md §5.4 — UNKNOWN media goes to the UNKNOWN app */
static void test_unknown_media_owner(void **s)
{
	struct fx_app caller, voice, probe;
	HLINE lc, lv, lp;
	LINECALLPARAMS cp;
	LINEMESSAGE m;
	HCALL c;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&voice, "voice");
	fx_app_init(&probe, "probe");
	lc = fx_open(&caller, 0, NONE, 0);
	lv = fx_open(&voice, 1, OWNER, IV);
	lp = fx_open(&probe, 1, OWNER, LINEMEDIAMODE_UNKNOWN);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwMediaMode = LINEMEDIAMODE_UNKNOWN;
	assert_int_equal(fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, &cp)),
	                 0);
	m = fx_wait(&probe, LINE_APPNEWCALL, lp, FX_ANY);
	assert_int_equal(m.dwParam3, OWNER);
	fx_pump(&voice);
	assert_int_equal(voice.nseen, 0);
	(void)lv;
	fx_shutdown(&caller);
	fx_shutdown(&voice);
	fx_shutdown(&probe);
}

/* spec: tapi-model.md §5.1 — SINGLEADDRESS restricts the owner choice */
static void test_single_address_owner(void **s)
{
	struct fx_app caller, single;
	LINECALLPARAMS cp;
	HLINE lc, ls;
	HCALL c;

	(void)s;
	fx_app_init(&caller, "caller");
	fx_app_init(&single, "single");
	lc = fx_open(&caller, 0, NONE, 0);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	cp.dwAddressID = 0;
	assert_int_equal(lineOpen(single.h, 1, &ls, 0x20002, 0, 0,
	                          OWNER | LINEOPENOPTION_SINGLEADDRESS, IV,
	                          &cp),
	                 0);
	assert_int_equal(
		fx_reply(&caller, lineMakeCall(lc, &c, "101", 0, NULL)), 0);
	assert_int_equal(fx_wait(&single, LINE_APPNEWCALL, ls, FX_ANY).dwParam3,
	                 OWNER);
	fx_shutdown(&caller);
	fx_shutdown(&single);
}

/* spec: STYLE §4.3, §4.7 — handles carry generations; dead handles hear
 * nothing and are never mistaken for new objects */
static void test_stale_handles(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c, old[50];
	unsigned i, j;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, NONE, 0);
	for (i = 0; i < 50; i++) {
		old[i] = call_to(&a, l, "busy");
		for (j = 0; j < i; j++)
			assert_int_not_equal(old[i], old[j]);
		assert_int_equal(fx_reply(&a, lineDrop(old[i], NULL, 0)), 0);
		assert_int_equal(lineDeallocateCall(old[i]), 0);
	}
	for (i = 0; i < 50; i++) {
		assert_int_equal(lineDrop(old[i], NULL, 0),
		                 LINEERR_INVALCALLHANDLE);
		assert_int_equal(lineDeallocateCall(old[i]),
		                 LINEERR_INVALCALLHANDLE);
	}
	/* messages queued for a handle that dies are never delivered */
	c = 0;
	assert_true(lineMakeCall(l, &c, "answer", 0, NULL) > 0);
	fx_consume_all(&a);
	assert_true(lineDrop(c, NULL, 0) > 0); /* queues REPLY and IDLE */
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_pump(&a);
	for (i = a.cursor; i < a.nseen; i++)
		assert_int_not_equal(a.seen[i].hDevice, c);
	assert_int_equal(lineClose(l), 0);
	assert_int_equal(lineClose(l), LINEERR_INVALLINEHANDLE);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_make_call_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_make_call_success, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_make_call_async_failure,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_answer_drop_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_operation_unavailable,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_deallocate_rules, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_set_call_privilege, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_call_info_and_status,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_owner_selection,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_media_owner, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_single_address_owner,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_handles, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
