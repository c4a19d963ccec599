/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conferences (spec: tapi-functions.md §23-§26, termination.md §2,
 * tapi-messages-and-states.md §5.7) and bridged appearances
 * (termination.md §2, §9 C9) on esp.
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

/* App a on line 0 (with a monitor m), far ends b on line 1, c on line 2. */
struct conf_fx {
	struct fx_app a, b, c, m;
	HLINE la, lb, lc, lm;
	HCALL a1, b1, conf, consult, c1;
	HCALL m_a1, m_conf;
};

static HCALL new_call(struct fx_app *app, HLINE line)
{
	return (HCALL)fx_wait(app, LINE_APPNEWCALL, line, FX_ANY).dwParam2;
}

static void conf_setup(struct conf_fx *x)
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
	x->m_a1 = new_call(&x->m, x->lm);
	assert_int_equal(fx_reply(&x->b, lineAnswer(x->b1, NULL, 0)), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->a1, S(CONNECTED));
	fx_consume_all(&x->a);
	fx_consume_all(&x->m);
}

static void conf_teardown(struct conf_fx *x)
{
	fx_shutdown(&x->a);
	fx_shutdown(&x->b);
	fx_shutdown(&x->c);
	fx_shutdown(&x->m);
}

/* Sets up the conference from a1 and brings c in through the consult. */
static void conf_build(struct conf_fx *x)
{
	LONG req =
		lineSetupConference(x->a1, 0, &x->conf, &x->consult, 3, NULL);

	assert_true(req > 0);
	assert_int_equal(fx_reply(&x->a, req), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->consult, S(DIALTONE));
	assert_int_equal(fx_reply(&x->a, lineDial(x->consult, "102", 0)), 0);
	x->c1 = new_call(&x->c, x->lc);
	assert_int_equal(fx_reply(&x->c, lineAnswer(x->c1, NULL, 0)), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->consult, S(CONNECTED));
	assert_int_equal(
		fx_reply(&x->a, lineAddToConference(x->conf, x->consult)), 0);
	fx_wait(&x->a, LINE_CALLSTATE, x->conf, S(CONNECTED));
}

/*
 * spec: tapi-messages-and-states.md §5.7 — lineSetupConference: the reply
 * with both handles written comes first, then conf ONHOLDPENDCONF, the
 * original CONFERENCED with dwParam2 = the app's conference handle (the
 * monitor's own handle for the monitor), the consultation call DIALTONE;
 * lineAddToConference: consult CONFERENCED, conference CONNECTED.
 */
static void test_sequence7_conference(void **s)
{
	struct conf_fx x;
	LINEMESSAGE msg;
	LONG req;

	(void)s;
	conf_setup(&x);
	req = lineSetupConference(x.a1, 0, &x.conf, &x.consult, 3, NULL);
	assert_true(req > 0);
	assert_int_not_equal(x.conf, 0);
	assert_int_not_equal(x.consult, 0);
	fx_expect(&x.a, LINE_REPLY, 0, (DWORD_PTR)req, 0, 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(ONHOLDPENDCONF));
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONFERENCED));
	assert_int_equal(msg.dwParam2, x.conf);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(DIALTONE));
	/* the monitor: new handles, and its own parent handle */
	x.m_conf = new_call(&x.m, x.lm);
	msg = fx_wait(&x.m, LINE_CALLSTATE, x.m_a1, S(CONFERENCED));
	assert_int_equal(msg.dwParam2, x.m_conf);
	assert_int_not_equal(x.m_conf, x.conf);
	/* the consultation call dials the third party */
	assert_int_equal(fx_reply(&x.a, lineDial(x.consult, "102", 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(RINGBACK));
	x.c1 = new_call(&x.c, x.lc);
	assert_int_equal(fx_reply(&x.c, lineAnswer(x.c1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(CONNECTED));
	fx_consume_all(&x.a);
	req = lineAddToConference(x.conf, x.consult);
	assert_int_equal(fx_reply(&x.a, req), 0);
	msg = fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(CONFERENCED));
	assert_int_equal(msg.dwParam2, x.conf);
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(CONNECTED));
	conf_teardown(&x);
}

/* spec: tapi-functions.md §26 — parent first, then the participants */
static void test_get_conf_related_calls(void **s)
{
	struct conf_fx x;
	struct {
		LINECALLLIST cl;
		HCALL h[8];
	} l;
	DWORD owners, monitors;
	unsigned i;

	(void)s;
	conf_setup(&x);
	conf_build(&x);
	memset(&l, 0, sizeof(l));
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetConfRelatedCalls(x.b1, &l.cl),
	                 LINEERR_NOCONFERENCE);
	assert_int_equal(lineGetConfRelatedCalls(x.conf, NULL),
	                 LINEERR_INVALPOINTER);
	l.cl.dwTotalSize = 23;
	assert_int_equal(lineGetConfRelatedCalls(x.conf, &l.cl),
	                 LINEERR_STRUCTURETOOSMALL);
	l.cl.dwTotalSize = 24;
	assert_int_equal(lineGetConfRelatedCalls(x.conf, &l.cl), 0);
	assert_int_equal(l.cl.dwNeededSize, 24 + 3 * 4);
	assert_int_equal(l.cl.dwCallsNumEntries, 0);
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetConfRelatedCalls(x.a1, &l.cl), 0);
	assert_int_equal(l.cl.dwCallsNumEntries, 3);
	assert_int_equal(l.h[0], x.conf);
	for (i = 1; i < 3; i++)
		assert_true(l.h[i] == x.a1 || l.h[i] == x.consult);
	assert_int_not_equal(l.h[1], l.h[2]);
	/* the monitor opened after the conference gets monitor handles */
	{
		struct fx_app n;
		HLINE ln;

		fx_app_init(&n, "n");
		ln = fx_open(&n, 0, NONE, 0);
		(void)ln;
		assert_int_equal(lineGetConfRelatedCalls(x.m_a1, &l.cl), 0);
		assert_int_equal(l.cl.dwCallsNumEntries, 3);
		fx_counts(x.conf, &owners, &monitors);
		assert_int_equal(owners, 1);
		assert_int_equal(monitors, 1);
		fx_shutdown(&n);
	}
	conf_teardown(&x);
}

/* spec: termination.md §2 — CONFDROP: dropping the conference drops all */
static void test_drop_conference_drops_participants(void **s)
{
	struct conf_fx x;
	union {
		LINEADDRESSCAPS ac;
		char buf[512];
	} u;

	(void)s;
	conf_setup(&x);
	memset(&u, 0, sizeof(u));
	u.ac.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetAddressCaps(x.a.h, 0, 0, 0x20002, 0, &u.ac), 0);
	assert_true(u.ac.dwAddrCapFlags & LINEADDRCAPFLAGS_CONFDROP);
	conf_build(&x);
	fx_consume_all(&x.a);
	assert_int_equal(fx_reply(&x.a, lineDrop(x.conf, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(IDLE));
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	conf_teardown(&x);
}

/*
 * spec: termination.md §2 — dropping the consultation call reconnects the
 * held call: the conference falls back to the original two-party call.
 */
static void test_drop_consultation_reconnects(void **s)
{
	struct conf_fx x;

	(void)s;
	conf_setup(&x);
	assert_int_equal(
		fx_reply(&x.a, lineSetupConference(x.a1, 0, &x.conf, &x.consult,
	                                           3, NULL)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONFERENCED));
	assert_int_equal(fx_reply(&x.a, lineDial(x.consult, "noanswer", 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(RINGBACK));
	assert_int_equal(fx_reply(&x.a, lineDrop(x.consult, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	/* the far end never noticed */
	assert_int_equal(fx_state(x.b1), S(CONNECTED));
	conf_teardown(&x);
}

/*
 * spec: tapi-functions.md §25, termination.md §2 — removing a party from a
 * three-way conference leaves two: the conference goes IDLE and the
 * remaining participant CONNECTED.
 */
static void test_remove_falls_back_to_two_parties(void **s)
{
	struct conf_fx x;

	(void)s;
	conf_setup(&x);
	conf_build(&x);
	assert_int_equal(lineRemoveFromConference(x.conf),
	                 LINEERR_INVALCALLSTATE);
	fx_consume_all(&x.a);
	assert_int_equal(fx_reply(&x.a, lineRemoveFromConference(x.a1)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(CONNECTED));
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	assert_int_equal(fx_state(x.c1), S(CONNECTED));
	conf_teardown(&x);
}

/* A participant's far end hangs up: it leaves; two remain and connect. */
static void test_participant_hangs_up(void **s)
{
	struct conf_fx x;

	(void)s;
	conf_setup(&x);
	conf_build(&x);
	fx_consume_all(&x.a);
	assert_int_equal(fx_reply(&x.c, lineDrop(x.c1, NULL, 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, x.consult, S(DISCONNECTED));
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.a1, S(CONNECTED));
	conf_teardown(&x);
}

/* linePrepareAddToConference adds a fourth party; unhold cancels one. */
static void test_prepare_add_and_unhold(void **s)
{
	struct conf_fx x;
	HCALL more = 0;
	struct {
		LINECALLLIST cl;
		HCALL h[8];
	} l;

	(void)s;
	conf_setup(&x);
	conf_build(&x);
	assert_int_equal(linePrepareAddToConference(x.a1, &more, NULL),
	                 LINEERR_INVALCONFCALLHANDLE);
	assert_int_equal(linePrepareAddToConference(x.conf, NULL, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(
		fx_reply(&x.a, linePrepareAddToConference(x.conf, &more, NULL)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(ONHOLDPENDCONF));
	fx_wait(&x.a, LINE_CALLSTATE, more, S(DIALTONE));
	assert_int_equal(fx_reply(&x.a, lineDial(more, "answer", 0)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, more, S(CONNECTED));
	assert_int_equal(fx_reply(&x.a, lineAddToConference(x.conf, more)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, more, S(CONFERENCED));
	memset(&l, 0, sizeof(l));
	l.cl.dwTotalSize = sizeof(l);
	assert_int_equal(lineGetConfRelatedCalls(x.conf, &l.cl), 0);
	assert_int_equal(l.cl.dwCallsNumEntries, 4);
	/* a fifth, cancelled by unholding the conference */
	assert_int_equal(
		fx_reply(&x.a, linePrepareAddToConference(x.conf, &more, NULL)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, more, S(DIALTONE));
	assert_int_equal(fx_reply(&x.a, lineUnhold(x.conf)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, more, S(IDLE));
	fx_wait(&x.a, LINE_CALLSTATE, x.conf, S(CONNECTED));
	conf_teardown(&x);
}

/* spec: tapi-functions.md §23, §24 — the error tables */
static void test_conference_errors(void **s)
{
	struct conf_fx x;
	HCALL cf, cs, other;

	(void)s;
	conf_setup(&x);
	assert_int_equal(lineSetupConference(x.a1, 0, NULL, &cs, 3, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineSetupConference(x.a1, 0, &cf, NULL, 3, NULL),
	                 LINEERR_INVALPOINTER);
	assert_int_equal(lineSetupConference(0, 0, &cf, &cs, 3, NULL),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(lineSetupConference(x.m_a1, 0, &cf, &cs, 3, NULL),
	                 LINEERR_NOTOWNER);
	assert_int_equal(lineSetupConference(x.a1, 0, &cf, &cs, 9, NULL),
	                 LINEERR_CONFERENCEFULL);
	assert_int_equal(fx_reply(&x.a, lineHold(x.a1)), 0);
	assert_int_equal(lineSetupConference(x.a1, 0, &cf, &cs, 3, NULL),
	                 LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&x.a, lineUnhold(x.a1)), 0);
	/* SETUPCONFNULL: from the line, with no call */
	assert_int_equal(
		fx_reply(&x.a, lineSetupConference(0, x.la, &cf, &cs, 3, NULL)),
		0);
	fx_wait(&x.a, LINE_CALLSTATE, cf, S(ONHOLDPENDCONF));
	assert_int_equal(lineAddToConference(x.a1, cs),
	                 LINEERR_INVALCONFCALLHANDLE);
	assert_int_equal(lineAddToConference(cf, cf), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineAddToConference(cf, x.b1),
	                 LINEERR_INVALCALLHANDLE); /* another line */
	assert_int_equal(lineAddToConference(cf, cs),
	                 LINEERR_INVALCALLSTATE); /* consult in DIALTONE */
	assert_int_equal(
		fx_reply(&x.a, lineMakeCall(x.la, &other, "answer", 0, NULL)),
		0);
	assert_int_equal(fx_reply(&x.a, lineAddToConference(cf, other)), 0);
	fx_wait(&x.a, LINE_CALLSTATE, other, S(CONFERENCED));
	assert_int_equal(lineAddToConference(cf, other),
	                 LINEERR_INVALCALLHANDLE); /* already a participant */
	/* the monitor may not */
	{
		HCALL mcf = new_call(&x.m, x.lm);

		assert_int_equal(lineDrop(mcf, NULL, 0), LINEERR_NOTOWNER);
	}
	conf_teardown(&x);
}

/* Closing the line of a conference's owner: everything goes (§5). */
static void test_close_line_with_conference(void **s)
{
	struct conf_fx x;

	(void)s;
	conf_setup(&x);
	conf_build(&x);
	assert_int_equal(lineClose(x.la), 0);
	fx_wait(&x.b, LINE_CALLSTATE, x.b1, S(DISCONNECTED));
	fx_wait(&x.c, LINE_CALLSTATE, x.c1, S(DISCONNECTED));
	fx_wait(&x.m, LINE_CALLSTATE, x.m_a1, S(IDLE));
	conf_teardown(&x);
}

/* ---- bridged appearances ----------------------------------------------------
 */

struct bridge_fx {
	struct fx_app caller, s2, s3;
	HLINE lc, l2, l3;
	HCALL out, h2, h3;
};

static void bridge_setup(struct bridge_fx *x)
{
	memset(x, 0, sizeof(*x));
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "bridged = 102 103\n");
	fx_app_init(&x->caller, "caller");
	fx_app_init(&x->s2, "s2");
	fx_app_init(&x->s3, "s3");
	x->lc = fx_open(&x->caller, 0, NONE, 0);
	x->l2 = fx_open(&x->s2, 2, OWNER, IV);
	x->l3 = fx_open(&x->s3, 3, OWNER, IV);
	assert_int_equal(fx_reply(&x->caller,
	                          lineMakeCall(x->lc, &x->out, "102", 0, NULL)),
	                 0);
	x->h2 = new_call(&x->s2, x->l2);
	x->h3 = new_call(&x->s3, x->l3);
	fx_wait(&x->s2, LINE_CALLSTATE, x->h2, S(OFFERING));
	fx_wait(&x->s3, LINE_CALLSTATE, x->h3, S(OFFERING));
}

static void bridge_teardown(struct bridge_fx *x)
{
	fx_shutdown(&x->caller);
	fx_shutdown(&x->s2);
	fx_shutdown(&x->s3);
}

/*
 * spec: termination.md §2 (bridged / party-line), §9 C9 — a station that
 * drops while another is on the call stays CONNECTED/INACTIVE (not IDLE),
 * the call stays up, lineAnswer re-joins; the last one ends the call.
 */
static void test_bridged_drop_only_idles_local_station(void **s)
{
	struct bridge_fx x;
	union {
		LINEADDRESSCAPS ac;
		char buf[512];
	} u;
	LINEMESSAGE m;

	(void)s;
	bridge_setup(&x);
	memset(&u, 0, sizeof(u));
	u.ac.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetAddressCaps(x.s2.h, 2, 0, 0x20002, 0, &u.ac),
	                 0);
	assert_int_equal(u.ac.dwAddressSharing,
	                 LINEADDRESSSHARING_BRIDGEDSHARED);
	/* s2 answers: the other station sees it connected elsewhere */
	assert_int_equal(fx_reply(&x.s2, lineAnswer(x.h2, NULL, 0)), 0);
	m = fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(CONNECTED));
	assert_int_equal(m.dwParam2, LINECONNECTEDMODE_ACTIVE);
	fx_wait(&x.caller, LINE_CALLSTATE, x.out, S(CONNECTED));
	m = fx_wait(&x.s3, LINE_CALLSTATE, x.h3, S(CONNECTED));
	assert_int_equal(m.dwParam2, LINECONNECTEDMODE_INACTIVE);
	/* s3 joins */
	assert_int_equal(fx_reply(&x.s3, lineAnswer(x.h3, NULL, 0)), 0);
	m = fx_wait(&x.s3, LINE_CALLSTATE, x.h3, S(CONNECTED));
	assert_int_equal(m.dwParam2, LINECONNECTEDMODE_ACTIVE);
	/* s2 drops: only its own view changes, to CONNECTED/INACTIVE */
	fx_consume_all(&x.caller);
	assert_int_equal(fx_reply(&x.s2, lineDrop(x.h2, NULL, 0)), 0);
	m = fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(CONNECTED));
	assert_int_equal(m.dwParam2, LINECONNECTEDMODE_INACTIVE);
	assert_int_equal(fx_state(x.h2), S(CONNECTED));
	assert_int_equal(fx_state_mode(x.h2), LINECONNECTEDMODE_INACTIVE);
	assert_int_equal(fx_state(x.out), S(CONNECTED));
	fx_expect_none(&x.caller);
	/* and re-joins */
	assert_int_equal(fx_reply(&x.s2, lineAnswer(x.h2, NULL, 0)), 0);
	m = fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(CONNECTED));
	assert_int_equal(m.dwParam2, LINECONNECTEDMODE_ACTIVE);
	/* s3 leaves, then s2, the last: the call ends for everybody */
	assert_int_equal(fx_reply(&x.s3, lineDrop(x.h3, NULL, 0)), 0);
	assert_int_equal(fx_state_mode(x.h3), LINECONNECTEDMODE_INACTIVE);
	assert_int_equal(fx_reply(&x.s2, lineDrop(x.h2, NULL, 0)), 0);
	fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(IDLE));
	fx_wait(&x.s3, LINE_CALLSTATE, x.h3, S(IDLE));
	m = fx_wait(&x.caller, LINE_CALLSTATE, x.out, S(DISCONNECTED));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_NORMAL);
	bridge_teardown(&x);
}

/* One station rejects while the other still rings; the last rejects. */
static void test_bridged_reject(void **s)
{
	struct bridge_fx x;
	LINEMESSAGE m;

	(void)s;
	bridge_setup(&x);
	assert_int_equal(fx_reply(&x.s2, lineDrop(x.h2, NULL, 0)), 0);
	fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(IDLE));
	assert_int_equal(fx_state(x.h3), S(OFFERING));
	assert_int_equal(fx_state(x.out), S(RINGBACK));
	assert_int_equal(fx_reply(&x.s3, lineDrop(x.h3, NULL, 0)), 0);
	m = fx_wait(&x.caller, LINE_CALLSTATE, x.out, S(DISCONNECTED));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_REJECT);
	bridge_teardown(&x);
}

/* The caller gives up: every ringing station goes IDLE. */
static void test_bridged_caller_abandons(void **s)
{
	struct bridge_fx x;

	(void)s;
	bridge_setup(&x);
	assert_int_equal(fx_reply(&x.caller, lineDrop(x.out, NULL, 0)), 0);
	fx_wait(&x.s2, LINE_CALLSTATE, x.h2, S(IDLE));
	fx_wait(&x.s3, LINE_CALLSTATE, x.h3, S(IDLE));
	bridge_teardown(&x);
}

/* A station closing its line while another is on the call (§5, CLOSEDROP) */
static void test_bridged_station_closes_line(void **s)
{
	struct bridge_fx x;

	(void)s;
	bridge_setup(&x);
	assert_int_equal(fx_reply(&x.s2, lineAnswer(x.h2, NULL, 0)), 0);
	assert_int_equal(fx_reply(&x.s3, lineAnswer(x.h3, NULL, 0)), 0);
	fx_wait(&x.s3, LINE_CALLSTATE, x.h3, S(CONNECTED));
	assert_int_equal(lineClose(x.l2), 0);
	assert_int_equal(fx_state(x.h3), S(CONNECTED));
	assert_int_equal(fx_state_mode(x.h3), LINECONNECTEDMODE_ACTIVE);
	assert_int_equal(fx_state(x.out), S(CONNECTED));
	assert_int_equal(lineClose(x.l3), 0);
	fx_wait(&x.caller, LINE_CALLSTATE, x.out, S(DISCONNECTED));
	bridge_teardown(&x);
}

static void test_bridged_bad_config(void **s)
{
	struct fx_app a;

	(void)s;
	if (fx_service())
		skip(); /* the service reads the file, not lineInitializeEx */
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "bridged = 102 999\n");
	assert_int_equal(fx_app_try_init(&a, "a", 0x20002),
	                 LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "bridged = 102\n");
	assert_int_equal(fx_app_try_init(&a, "a", 0x20002),
	                 LINEERR_INIFILECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sequence7_conference,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_conf_related_calls,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_conference_drops_participants, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_consultation_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_remove_falls_back_to_two_parties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_participant_hangs_up,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_add_and_unhold,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_conference_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_close_line_with_conference,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bridged_drop_only_idles_local_station, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_bridged_reject, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_bridged_caller_abandons,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bridged_station_closes_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridged_bad_config, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
