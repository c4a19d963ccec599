/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI 3 layer (tapix/tapi3.h) on esp, method by method and rule by
 * rule of tapi3-call-control.md (each test names its section). Peers are
 * TAPI 2 applications of the fixture; in service mode (the *_service
 * variant) everything goes through tapixd.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tapix/tapi3.h>

#include "fx.h"
#include "testhooks.h"

#define IV      LINEMEDIAMODE_INTERACTIVEVOICE
#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE
#define S(x)    LINECALLSTATE_##x
#define AUDIO   TAPIMEDIATYPE_AUDIO
#define PHONE   LINEADDRESSTYPE_PHONENUMBER
#define QUIET   300 /* ms to wait for an event that must not come */
#define EVENTS  (TE_CALLNOTIFICATION | TE_CALLSTATE)

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

/* ---- helpers ---------------------------------------------------------------
 */

struct t3 {
	struct tapix_tapi *t;
	struct tapix_address *addr[8];
	size_t n;
};

static void t3_up(struct t3 *x, uint32_t filter)
{
	struct tapix_address **v;
	size_t i;

	memset(x, 0, sizeof(*x));
	assert_int_equal(tapix_tapi_initialize(&x->t, "t3test"), S_OK);
	assert_int_equal(tapix_tapi_enum_addresses(x->t, &v, &x->n), S_OK);
	assert_true(x->n > 0 && x->n <= 8);
	for (i = 0; i < x->n; i++)
		x->addr[i] = v[i];
	free(v);
	assert_int_equal(tapix_tapi_set_event_filter(x->t, filter), S_OK);
}

static void t3_down(struct t3 *x)
{
	assert_int_equal(tapix_tapi_shutdown(x->t), S_OK);
}

static struct tapix_call *t3_create(struct t3 *x, unsigned dev,
                                    const char *dest)
{
	struct tapix_call *c = NULL;

	assert_int_equal(
		tapix_address_create_call(x->addr[dev], dest, PHONE, AUDIO, &c),
		S_OK);
	assert_non_null(c);
	return c;
}

static int32_t t3_register(struct t3 *x, unsigned dev, bool owner,
                           intptr_t cbinst)
{
	int32_t cookie = 0;

	assert_int_equal(tapix_tapi_register_call_notifications(
				 x->t, x->addr[dev], !owner, owner,
				 owner ? AUDIO : 0, cbinst, &cookie),
	                 S_OK);
	return cookie;
}

/* The next event, which must come. */
static struct tapix_event *next_event(struct t3 *x)
{
	struct tapix_event *ev = NULL;

	assert_int_equal(tapix_tapi_get_event(x->t, &ev, FX_WAIT_MS), S_OK);
	assert_non_null(ev);
	return ev;
}

/* The next event is TE_CALLSTATE @st (@cause) about @c. */
static void expect_state(struct t3 *x, struct tapix_call *c, CALL_STATE st,
                         CALL_STATE_EVENT_CAUSE cause)
{
	struct tapix_event *ev = next_event(x);
	CALL_STATE got;
	CALL_STATE_EVENT_CAUSE why;

	assert_int_equal(tapix_event_type(ev), TE_CALLSTATE);
	assert_ptr_equal(tapix_event_call(ev), c);
	assert_int_equal(tapix_event_call_state(ev, &got, &why), S_OK);
	assert_int_equal(got, st);
	assert_int_equal(why, cause);
	tapix_event_release(ev);
}

/*
 * The next two events are @a's @sa (@ca) and @b's @sb (@cb), in either
 * order: order is kept per call (§4), not across calls.
 */
static void expect_two(struct t3 *x, struct tapix_call *a, CALL_STATE sa,
                       CALL_STATE_EVENT_CAUSE ca, struct tapix_call *b,
                       CALL_STATE sb, CALL_STATE_EVENT_CAUSE cb)
{
	bool seen_a = false, seen_b = false;
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct tapix_event *ev = next_event(x);
		struct tapix_call *c = tapix_event_call(ev);
		CALL_STATE st;
		CALL_STATE_EVENT_CAUSE why;

		assert_int_equal(tapix_event_call_state(ev, &st, &why), S_OK);
		if (c == a && !seen_a) {
			seen_a = true;
			assert_int_equal(st, sa);
			assert_int_equal(why, ca);
		} else {
			assert_ptr_equal(c, b);
			assert_false(seen_b);
			seen_b = true;
			assert_int_equal(st, sb);
			assert_int_equal(why, cb);
		}
		tapix_event_release(ev);
	}
}

/* Skips CS_INPROGRESS (one at most: spec §2) up to CS_CONNECTED. */
static void expect_connected(struct t3 *x, struct tapix_call *c)
{
	struct tapix_event *ev = next_event(x);
	CALL_STATE got;

	assert_ptr_equal(tapix_event_call(ev), c);
	assert_int_equal(tapix_event_call_state(ev, &got, NULL), S_OK);
	tapix_event_release(ev);
	if (got == CS_INPROGRESS)
		expect_state(x, c, CS_CONNECTED, CEC_NONE);
	else
		assert_int_equal(got, CS_CONNECTED);
}

static void expect_no_event(struct t3 *x)
{
	struct tapix_event *ev = NULL;

	assert_int_equal(tapix_tapi_get_event(x->t, &ev, QUIET), S_FALSE);
	assert_null(ev);
}

/* The next event notifies a new call; returns it (a reference). */
static struct tapix_call *expect_new(struct t3 *x, CALL_NOTIFICATION_EVENT cne,
                                     intptr_t cbinst)
{
	struct tapix_event *ev = next_event(x);
	CALL_NOTIFICATION_EVENT got;
	struct tapix_call *c;

	assert_int_equal(tapix_event_type(ev), TE_CALLNOTIFICATION);
	assert_int_equal(tapix_event_call_notification(ev, &got), S_OK);
	assert_int_equal(got, cne);
	assert_int_equal(tapix_event_callback_instance(ev), cbinst);
	c = tapix_event_call(ev);
	tapix_call_addref(c);
	tapix_event_release(ev);
	return c;
}

static CALL_STATE state_of(struct tapix_call *c)
{
	CALL_STATE st = CS_QUEUED;

	assert_int_equal(tapix_call_get_state(c, &st), S_OK);
	return st;
}

/* A TAPI 2 app on line 0 calling "101", where the TAPI 3 side listens. */
struct peer {
	struct fx_app a;
	HLINE l;
	HCALL h;
};

static void peer_call(struct peer *p, const char *dest)
{
	LONG r;

	if (!p->l) {
		fx_app_init(&p->a, "peer");
		p->l = fx_open(&p->a, 0, NONE, 0);
	}
	r = lineMakeCall(p->l, &p->h, dest, 0, NULL);
	assert_true(r > 0);
	assert_int_equal(fx_reply(&p->a, r), 0);
}

/* The TAPI 3 side gets @p's call on line 1, offering. */
static struct tapix_call *offered(struct t3 *x, struct peer *p)
{
	struct tapix_call *c;

	peer_call(p, "101");
	c = expect_new(x, CNE_OWNER, 77);
	expect_state(x, c, CS_OFFERING, CEC_NONE);
	return c;
}

/* ---- §1: the TAPI object, addresses, registrations -------------------------
 */

static void test_t3_initialize_and_addresses(void **s)
{
	struct t3 x;
	uint32_t mask = 1;
	size_t i;

	(void)s;
	t3_up(&x, 0);
	assert_int_equal(x.n, 4);
	for (i = 0; i < x.n; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%zu", 100 + i);
		assert_string_equal(tapix_address_dialable(x.addr[i]), want);
		assert_int_equal(tapix_address_device_id(x.addr[i]), i);
		assert_true(tapix_address_media_types(x.addr[i]) & AUDIO);
		assert_true(strlen(tapix_address_name(x.addr[i])) > 0);
	}
	/* spec §1 — no events at all without a filter */
	assert_int_equal(tapix_tapi_get_event_filter(x.t, &mask), S_OK);
	assert_int_equal(mask, 0);
	t3_down(&x);
}

/*
 * A line a provider creates is a new address: TE_TAPIOBJECT with
 * TE_ADDRESSCREATE and the address (usable: a call from it connects), and
 * it is listed from then on; the addresses known before stay the same
 * objects. Without TE_TAPIOBJECT in the filter, no event.
 */
static void test_t3_address_created(void **s)
{
	struct tapix_address **v, *a = NULL;
	struct tapix_event *ev;
	struct tapix_call *c;
	TAPIOBJECT_EVENT what = TE_REINIT;
	struct t3 x, y;
	size_t n, i;
	HLINE l0;
	HCALL h;
	struct fx_app app;

	(void)s;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "spare_lines = 1\n");
	t3_up(&x, EVENTS | TE_TAPIOBJECT);
	t3_up(&y, EVENTS);
	assert_int_equal(x.n, 4);
	fx_app_init(&app, "creator");
	l0 = fx_open(&app, 0, NONE, 0);
	assert_int_equal(
		fx_reply(&app, lineMakeCall(l0, &h, "create", 0, NULL)),
		LINEERR_CALLUNAVAIL);
	ev = next_event(&x);
	assert_int_equal(tapix_event_type(ev), TE_TAPIOBJECT);
	assert_null(tapix_event_call(ev));
	assert_int_equal(tapix_event_tapi_object(ev, &what, &a), S_OK);
	assert_int_equal(what, TE_ADDRESSCREATE);
	assert_non_null(a);
	assert_int_equal(tapix_event_call_state(ev, NULL, NULL), E_INVALIDARG);
	tapix_event_release(ev);
	assert_int_equal(tapix_event_tapi_object(NULL, &what, &a), E_POINTER);
	assert_int_equal(tapix_address_device_id(a), 4);
	assert_string_equal(tapix_address_dialable(a), "104");
	/* listed now, after the four that were (the same objects) */
	assert_int_equal(tapix_tapi_enum_addresses(x.t, &v, &n), S_OK);
	assert_int_equal(n, 5);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(v[i], x.addr[i]);
	assert_ptr_equal(v[4], a);
	free(v);
	/* usable: a call from it */
	c = NULL;
	assert_int_equal(
		tapix_address_create_call(a, "answer", PHONE, AUDIO, &c), S_OK);
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	/* the other one heard nothing, but lists it too */
	ev = NULL;
	assert_int_equal(tapix_tapi_get_event(y.t, &ev, QUIET), S_FALSE);
	/* (its engine thread adds it: bounded) */
	for (i = 0; i < 500; i++) {
		assert_int_equal(tapix_tapi_enum_addresses(y.t, &v, &n), S_OK);
		free(v);
		if (n == 5)
			break;
		usleep(10000);
	}
	assert_int_equal(n, 5);
	assert_int_equal(lineClose(l0), 0);
	fx_shutdown(&app);
	t3_down(&y);
	t3_down(&x);
	/* tapixd's session keeps the line until it restarts: a new one,
	 * for the next test's counts (embedded, the session ended here) */
	if (fx_service())
		fx_config_esp(4);
}

/* spec §7 rules: NULL objects E_POINTER, bad values E_INVALIDARG, ... */
static void test_t3_bad_input(void **s)
{
	struct tapix_address **v = NULL;
	struct tapix_call *c, *d = NULL;
	struct tapix_event *ev = NULL;
	struct t3 x, y;
	int32_t cookie;
	size_t n;

	(void)s;
	t3_up(&x, EVENTS);
	t3_up(&y, EVENTS);
	assert_int_equal(tapix_tapi_initialize(NULL, "x"), E_POINTER);
	assert_int_equal(tapix_tapi_shutdown(NULL), E_POINTER);
	assert_int_equal(tapix_tapi_enum_addresses(NULL, &v, &n), E_POINTER);
	assert_int_equal(tapix_tapi_enum_addresses(x.t, NULL, &n), E_POINTER);
	assert_int_equal(tapix_tapi_enum_addresses(x.t, &v, NULL), E_POINTER);
	assert_int_equal(tapix_tapi_set_event_filter(NULL, 0), E_POINTER);
	assert_int_equal(tapix_tapi_set_event_filter(x.t, 0x80000000u),
	                 E_INVALIDARG);
	assert_int_equal(tapix_tapi_get_event_filter(x.t, NULL), E_POINTER);
	assert_int_equal(tapix_tapi_register_call_notifications(
				 x.t, NULL, false, true, AUDIO, 0, &cookie),
	                 E_POINTER);
	assert_int_equal(tapix_tapi_register_call_notifications(
				 x.t, x.addr[0], false, true, AUDIO, 0, NULL),
	                 E_POINTER);
	/* neither owner nor monitor; an owner of nothing; unknown bits */
	assert_int_equal(
		tapix_tapi_register_call_notifications(
			x.t, x.addr[0], false, false, AUDIO, 0, &cookie),
		E_INVALIDARG);
	assert_int_equal(tapix_tapi_register_call_notifications(
				 x.t, x.addr[0], false, true, 0, 0, &cookie),
	                 E_INVALIDARG);
	assert_int_equal(tapix_tapi_register_call_notifications(
				 x.t, x.addr[0], false, true, 0x2, 0, &cookie),
	                 E_INVALIDARG);
	assert_int_equal(tapix_tapi_register_call_notifications(
				 x.t, x.addr[0], false, true,
				 TAPIMEDIATYPE_MULTITRACK, 0, &cookie),
	                 TAPI_E_INVALIDMEDIATYPE);
	/* an address of another TAPI object */
	assert_int_equal(
		tapix_tapi_register_call_notifications(x.t, y.addr[0], false,
	                                               true, AUDIO, 0, &cookie),
		E_INVALIDARG);
	assert_int_equal(tapix_tapi_unregister_notifications(x.t, 12345),
	                 E_INVALIDARG);
	assert_int_equal(tapix_tapi_unregister_notifications(NULL, 1),
	                 E_POINTER);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 0), E_INVALIDARG);
	assert_int_equal(tapix_tapi_set_request_timeout(NULL, 10), E_POINTER);
	assert_int_equal(tapix_tapi_event_fd(NULL), -1);
	assert_int_equal(tapix_tapi_get_event(x.t, NULL, 0), E_POINTER);
	assert_int_equal(tapix_tapi_get_event(NULL, &ev, 0), E_POINTER);
	assert_int_equal(tapix_tapi_get_event(x.t, &ev, 0), S_FALSE);
	assert_int_equal(tapix_tapi_set_event_callback(NULL, NULL, NULL),
	                 E_POINTER);
	/* CreateCall */
	assert_int_equal(tapix_address_create_call(NULL, "1", PHONE, AUDIO, &d),
	                 E_POINTER);
	assert_int_equal(
		tapix_address_create_call(x.addr[0], "1", PHONE, AUDIO, NULL),
		E_POINTER);
	assert_int_equal(tapix_address_create_call(x.addr[0], "1",
	                                           LINEADDRESSTYPE_SDP, AUDIO,
	                                           &d),
	                 TAPI_E_INVALADDRESSTYPE);
	assert_int_equal(
		tapix_address_create_call(x.addr[0], "1", 0x3, AUDIO, &d),
		TAPI_E_INVALADDRESSTYPE);
	assert_int_equal(
		tapix_address_create_call(x.addr[0], "1", PHONE, 0, &d),
		E_INVALIDARG);
	assert_int_equal(tapix_address_create_call(x.addr[0], "1", PHONE,
	                                           0x40000000u, &d),
	                 TAPI_E_INVALIDMEDIATYPE);
	assert_null(d);
	/* event accessors */
	assert_int_equal(tapix_event_type(NULL), 0);
	assert_null(tapix_event_call(NULL));
	assert_int_equal(tapix_event_call_state(NULL, NULL, NULL), E_POINTER);
	assert_int_equal(tapix_event_call_notification(NULL, NULL), E_POINTER);
	assert_int_equal(tapix_event_callback_instance(NULL), 0);
	tapix_event_addref(NULL);
	tapix_event_release(NULL);
	/* call methods */
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(NULL, false), E_POINTER);
	assert_int_equal(tapix_call_answer(NULL), E_POINTER);
	assert_int_equal(tapix_call_disconnect(NULL, DC_NORMAL), E_POINTER);
	assert_int_equal(tapix_call_disconnect(c, (DISCONNECT_CODE)3),
	                 E_INVALIDARG);
	assert_int_equal(tapix_call_hold(NULL, true), E_POINTER);
	assert_int_equal(tapix_call_handoff_direct(c, NULL), E_POINTER);
	assert_int_equal(tapix_call_handoff_direct(NULL, "x"), E_POINTER);
	assert_int_equal(
		tapix_call_handoff_indirect(c, TAPIMEDIATYPE_AUDIO |
	                                               TAPIMEDIATYPE_DATAMODEM),
		E_INVALIDARG);
	assert_int_equal(tapix_call_handoff_indirect(c, 0), E_INVALIDARG);
	assert_int_equal(tapix_call_handoff_indirect(c, 0x2), E_INVALIDARG);
	assert_int_equal(tapix_call_blind_transfer(c, NULL), E_POINTER);
	assert_int_equal(tapix_call_transfer(c, NULL, false), E_POINTER);
	assert_int_equal(tapix_call_conference(c, NULL, false), E_POINTER);
	assert_int_equal(tapix_call_transfer(c, c, false), E_INVALIDARG);
	assert_int_equal(tapix_call_finish(c, (FINISH_MODE)2), E_INVALIDARG);
	assert_int_equal(tapix_call_finish(NULL, FM_ASTRANSFER), E_POINTER);
	assert_int_equal(tapix_call_dial(c, NULL), E_POINTER);
	assert_int_equal(tapix_call_remove_from_conference(NULL), E_POINTER);
	assert_int_equal(tapix_call_get_state(c, NULL), E_POINTER);
	assert_int_equal(tapix_call_get_state(NULL, NULL), E_POINTER);
	assert_int_equal(tapix_call_get_privilege(c, NULL), E_POINTER);
	assert_int_equal(tapix_call_get_hcall(c, NULL), E_POINTER);
	assert_null(tapix_call_get_address(NULL));
	assert_ptr_equal(tapix_call_get_address(c), x.addr[0]);
	tapix_call_addref(NULL);
	tapix_call_release(NULL);
	/* a consultation call of another TAPI object */
	d = t3_create(&y, 0, "102");
	assert_int_equal(tapix_call_transfer(c, d, false), E_INVALIDARG);
	assert_int_equal(tapix_call_conference(c, d, false), E_INVALIDARG);
	tapix_call_release(d);
	/* nothing happened to the call on the way */
	assert_int_equal(state_of(c), CS_IDLE);
	expect_no_event(&x);
	tapix_call_release(c);
	t3_down(&y);
	t3_down(&x);
}

/* After Shutdown every method says TAPI_E_NOT_INITIALIZED (tapi3.h). */
static void test_t3_methods_after_shutdown(void **s)
{
	struct tapix_call *c;
	struct t3 x;
	HCALL h;

	(void)s;
	t3_up(&x, EVENTS);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
	assert_int_not_equal(h, 0);
	t3_down(&x);
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_NOT_INITIALIZED);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL),
	                 TAPI_E_NOT_INITIALIZED);
	assert_int_equal(tapix_call_hold(c, true), TAPI_E_NOT_INITIALIZED);
	assert_int_equal(tapix_call_get_state(c, &(CALL_STATE){0}),
	                 TAPI_E_NOT_INITIALIZED);
	/* lineShutdown dropped the call it owned alone: its handle is void */
	assert_int_not_equal(lineDeallocateCall(h), 0);
	tapix_call_release(c); /* frees the object, then the TAPI object */
}

/* ---- §5.1 Connect ----------------------------------------------------------
 */

static void test_t3_connect_requires_idle(void **s)
{
	struct tapix_call *c;
	CALL_PRIVILEGE p = CP_MONITOR;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(state_of(c), CS_IDLE);
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	assert_int_equal(state_of(c), CS_CONNECTED);
	assert_int_equal(tapix_call_get_privilege(c, &p), S_OK);
	assert_int_equal(p, CP_OWNER);
	assert_int_equal(tapix_call_connect(c, true), TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_INVALCALLSTATE);
	tapix_call_release(c);
	t3_down(&x);
}

/* §5.1, §2, §4 — progress as events, IDLE never reported */
static void test_t3_connect_async_event_sequence(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, EVENTS);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	expect_no_event(&x);
	assert_int_equal(state_of(c), CS_DISCONNECTED);
	tapix_call_release(c);
	t3_down(&x);
}

/* §5.1 fSync failures, §2 BUSY (the layer drops the call itself) */
static void test_t3_connect_sync_busy_returns_destbusy(void **s)
{
	struct tapix_call *c;
	struct t3 x;
	HCALL h = 0;
	unsigned i;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "busy");
	assert_int_equal(tapix_call_connect(c, true), TAPI_E_DESTBUSY);
	assert_int_equal(state_of(c), CS_DISCONNECTED);
	assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
	assert_int_not_equal(h, 0);
	/* the handle still answers; the layer's drop makes it IDLE */
	for (i = 0; i < 500 && fx_state(h) != S(IDLE); i++)
		usleep(10000);
	assert_int_equal(fx_state(h), S(IDLE));
	/* Disconnect now: S_OK, nothing more (§5.3 last row) */
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	tapix_call_release(c);
	t3_down(&x);
}

/* §5.1 — refused requests end the call: FAILED or BADADDRESS */
static void test_t3_connect_refused(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "9W101");
	assert_int_equal(tapix_call_connect(c, false),
	                 TAPI_E_DIALMODIFIERNOTSUPPORTED);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_FAILED);
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_INVALCALLSTATE);
	tapix_call_release(c);
	c = t3_create(&x, 0, "x1");
	assert_int_equal(tapix_call_connect(c, true), TAPI_E_INVALADDRESS);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_BADADDRESS);
	tapix_call_release(c);
	/* a number nobody has: the switch says so, sync gives its code */
	c = t3_create(&x, 0, "5550");
	assert_int_equal(tapix_call_connect(c, true), TAPI_E_INVALADDRESS);
	assert_int_equal(state_of(c), CS_DISCONNECTED);
	tapix_call_release(c);
	t3_down(&x);
}

/* ---- §1, §5.2 incoming calls and Answer --------------------------------- */

static void test_t3_incoming_notification_and_answer(void **s)
{
	struct tapix_call *c;
	struct peer p = {0};
	CALL_PRIVILEGE priv;
	struct t3 x;

	(void)s;
	t3_up(&x, EVENTS);
	t3_register(&x, 1, true, 77);
	c = offered(&x, &p);
	assert_int_equal(tapix_call_get_privilege(c, &priv), S_OK);
	assert_int_equal(priv, CP_OWNER);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	fx_wait(&p.a, LINE_CALLSTATE, p.h, S(CONNECTED));
	/* the far end hangs up: one DISCONNECTED, cause NORMAL */
	assert_int_equal(fx_reply(&p.a, lineDrop(p.h, NULL, 0)), 0);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	expect_no_event(&x);
	tapix_call_release(c);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/* §5.2 — E_UNEXPECTED outside CS_OFFERING (§8 T5) */
static void test_t3_answer_wrong_state_e_unexpected(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_answer(c), E_UNEXPECTED);
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	assert_int_equal(tapix_call_answer(c), E_UNEXPECTED);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	assert_int_equal(tapix_call_answer(c), E_UNEXPECTED);
	tapix_call_release(c);
	t3_down(&x);
}

/* §1 — a monitor sees the call, and cannot control it */
static void test_t3_monitor_notification_notowner(void **s)
{
	struct tapix_call *c;
	struct fx_app b;
	struct peer p = {0};
	CALL_PRIVILEGE priv;
	struct t3 x;
	HLINE lb;
	HCALL b1;

	(void)s;
	t3_up(&x, EVENTS);
	t3_register(&x, 1, false, 5);
	fx_app_init(&b, "owner");
	lb = fx_open(&b, 1, OWNER, IV);
	peer_call(&p, "101");
	c = expect_new(&x, CNE_MONITOR, 5);
	assert_int_equal(tapix_call_get_privilege(c, &priv), S_OK);
	assert_int_equal(priv, CP_MONITOR);
	expect_state(&x, c, CS_OFFERING, CEC_NONE);
	b1 = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(tapix_call_answer(c), TAPI_E_NOTOWNER);
	assert_int_equal(tapix_call_disconnect(c, DC_REJECTED),
	                 TAPI_E_NOTOWNER);
	assert_int_equal(state_of(c), CS_OFFERING);
	assert_int_equal(fx_reply(&b, lineAnswer(b1, NULL, 0)), 0);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	/* releasing a monitored call only deallocates it */
	tapix_call_release(c);
	assert_int_equal(fx_state(b1), S(CONNECTED));
	assert_int_equal(fx_reply(&b, lineDrop(b1, NULL, 0)), 0);
	expect_no_event(&x); /* none after release (§1, §4) */
	assert_int_equal(lineDeallocateCall(b1), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&b);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/* ---- §5.3 Disconnect -------------------------------------------------------
 */

/* DC_* on an offered call: the cause seen here, the mode the caller sees */
static void test_t3_disconnect_offering_rejected_cause(void **s)
{
	static const struct {
		DISCONNECT_CODE code;
		CALL_STATE_EVENT_CAUSE cause;
		DWORD far_mode;
	} rows[] = {
		{DC_REJECTED, CEC_DISCONNECT_REJECTED,
	         LINEDISCONNECTMODE_REJECT},
		{DC_NOANSWER, CEC_DISCONNECT_NOANSWER,
	         LINEDISCONNECTMODE_NOANSWER},
		{DC_NORMAL, CEC_DISCONNECT_NORMAL, LINEDISCONNECTMODE_REJECT},
	};
	struct peer p = {0};
	struct t3 x;
	unsigned i;

	(void)s;
	t3_up(&x, EVENTS);
	t3_register(&x, 1, true, 77);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tapix_call *c = offered(&x, &p);
		LINEMESSAGE m;

		assert_int_equal(tapix_call_disconnect(c, rows[i].code), S_OK);
		expect_state(&x, c, CS_DISCONNECTED, rows[i].cause);
		m = fx_wait(&p.a, LINE_CALLSTATE, p.h, S(DISCONNECTED));
		assert_int_equal(m.dwParam2, rows[i].far_mode);
		/* S_OK again, no new event */
		assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
		expect_no_event(&x);
		tapix_call_release(c);
		assert_int_equal(fx_reply(&p.a, lineDrop(p.h, NULL, 0)), 0);
		assert_int_equal(lineDeallocateCall(p.h), 0);
	}
	fx_shutdown(&p.a);
	t3_down(&x);
}

static void test_t3_disconnect_inprogress_cancelled_cause(void **s)
{
	struct tapix_call *c;
	struct tapix_event *ev;
	CALL_STATE st;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "noanswer");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	ev = next_event(&x);
	assert_int_equal(tapix_event_call_state(ev, &st, NULL), S_OK);
	assert_int_equal(st, CS_INPROGRESS);
	tapix_event_release(ev);
	/* whatever the code: CANCELLED for a call still in progress */
	assert_int_equal(tapix_call_disconnect(c, DC_REJECTED), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_CANCELLED);
	expect_no_event(&x);
	tapix_call_release(c);
	t3_down(&x);
}

static void test_t3_disconnect_idle_s_false(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_FALSE);
	assert_int_equal(tapix_call_disconnect(c, DC_REJECTED), S_FALSE);
	assert_int_equal(state_of(c), CS_IDLE);
	expect_no_event(&x);
	tapix_call_release(c);
	t3_down(&x);
}

/* §4 — the far end hangs up: DISCONNECTED once, IDLE never */
static void test_t3_disconnected_reported_once_no_idle(void **s)
{
	struct tapix_call *c;
	struct t3 x;
	HCALL h;
	unsigned i;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "hangup:50");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	/* Disconnect clears the TAPI 2 call: IDLE, and still no event */
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
	for (i = 0; i < 500 && fx_state(h) != S(IDLE); i++)
		usleep(10000);
	assert_int_equal(fx_state(h), S(IDLE));
	expect_no_event(&x);
	tapix_call_release(c);
	t3_down(&x);
}

/* ---- §1 lifetime
 * -------------------------------------------------------------- */

static void test_t3_release_last_ref_drops_and_deallocates(void **s)
{
	struct tapix_call *c;
	struct fx_app b;
	struct t3 x;
	HLINE lb;
	HCALL b1, h;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	fx_app_init(&b, "b");
	lb = fx_open(&b, 1, OWNER, IV);
	c = t3_create(&x, 0, "101");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	b1 = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(b1, NULL, 0)), 0);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
	/* an extra reference keeps it */
	tapix_call_addref(c);
	tapix_call_release(c);
	assert_int_equal(fx_state(b1), S(CONNECTED));
	/* the last one drops it (sole owner) and deallocates the handle */
	tapix_call_release(c);
	fx_wait(&b, LINE_CALLSTATE, b1, S(DISCONNECTED));
	expect_no_event(&x);
	assert_int_equal(lineDeallocateCall(b1), 0);
	fx_shutdown(&b);
	/* shutdown returns once the layer let go of everything */
	t3_down(&x);
	assert_int_not_equal(lineDeallocateCall(h), 0);
}

/* ---- §5.4 Hold
 * ----------------------------------------------------------------- */

static void test_t3_hold_unhold_states(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_hold(c, true), TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_hold(c, false), S_OK); /* nothing to do */
	assert_int_equal(tapix_call_hold(c, true), S_OK);
	expect_state(&x, c, CS_HOLD, CEC_NONE);
	assert_int_equal(tapix_call_hold(c, true), S_OK);
	assert_int_equal(tapix_call_hold(c, false), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	assert_int_equal(tapix_call_hold(c, true), TAPI_E_INVALCALLSTATE);
	expect_no_event(&x);
	tapix_call_release(c);
	t3_down(&x);
}

/* ---- §5.5 Handoff
 * ------------------------------------------------------------------ */

static void test_t3_handoff_targetnotfound_disconnects(void **s)
{
	struct tapix_call *c;
	CALL_PRIVILEGE p;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	t3_register(&x, 0, true, 0); /* so that we are a possible target */
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	/* ourselves (this program): TARGETSELF, nothing else happens */
	assert_int_equal(tapix_call_handoff_direct(c, "/usr/bin/test_tapi3"),
	                 TAPI_E_TARGETSELF);
	assert_int_equal(tapix_call_handoff_indirect(c, AUDIO),
	                 TAPI_E_TARGETSELF);
	assert_int_equal(tapix_call_get_privilege(c, &p), S_OK);
	assert_int_equal(p, CP_OWNER);
	assert_int_equal(state_of(c), CS_CONNECTED);
	/* §8 T6 — nobody there: TAPI 3 disconnects the call */
	assert_int_equal(tapix_call_handoff_direct(c, "nobody"),
	                 TAPI_E_TARGETNOTFOUND);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	t3_down(&x);
}

/* §5.5 — to a TAPI 2 data application; this object becomes a monitor */
static void test_t3_handoff_indirect_to_data_app(void **s)
{
	struct tapix_call *c;
	struct fx_app d;
	struct peer p = {0};
	CALL_PRIVILEGE priv;
	struct t3 x;
	HLINE ld;
	HCALL d1;
	DWORD owners, monitors;

	(void)s;
	t3_up(&x, EVENTS);
	fx_app_init(&d, "data");
	ld = fx_open(&d, 1, OWNER, LINEMEDIAMODE_DATAMODEM);
	t3_register(&x, 1, true, 77);
	c = offered(&x, &p);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	assert_int_equal(tapix_call_handoff_indirect(c, TAPIMEDIATYPE_G3FAX),
	                 TAPI_E_TARGETNOTFOUND);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	assert_int_equal(fx_reply(&p.a, lineDrop(p.h, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	/* a second call, handed to the data application */
	c = offered(&x, &p);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	assert_int_equal(
		tapix_call_handoff_indirect(c, TAPIMEDIATYPE_DATAMODEM), S_OK);
	assert_int_equal(tapix_call_get_privilege(c, &priv), S_OK);
	assert_int_equal(priv, CP_MONITOR);
	d1 = (HCALL)fx_wait(&d, LINE_APPNEWCALL, ld, FX_ANY).dwParam2;
	fx_counts(d1, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(monitors, 1);
	/* a monitor object's release leaves the call to its owner */
	tapix_call_release(c);
	assert_int_equal(fx_state(d1), S(CONNECTED));
	assert_int_equal(fx_reply(&d, lineDrop(d1, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(d1), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&d);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/* ---- §5.6 BlindTransfer
 * ------------------------------------------------------------- */

static void test_t3_blind_transfer(void **s)
{
	struct tapix_call *c;
	struct peer p = {0};
	struct fx_app b;
	struct t3 x;
	HLINE lb;
	HCALL b1;

	(void)s;
	t3_up(&x, EVENTS);
	fx_app_init(&b, "b");
	lb = fx_open(&b, 2, OWNER, IV);
	t3_register(&x, 1, true, 77);
	c = offered(&x, &p);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	/* the caller goes on to line 2; this call is over */
	assert_int_equal(tapix_call_blind_transfer(c, "102"), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	b1 = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(b1, NULL, 0)), 0);
	fx_wait(&p.a, LINE_CALLSTATE, p.h, S(CONNECTED));
	assert_int_equal(fx_reply(&b, lineDrop(b1, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(b1), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	tapix_call_release(c);
	fx_shutdown(&b);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/*
 * §5.6 — where the provider cannot (esp: a station of a bridged
 * appearance): E_FAIL, the method's documented code, not
 * TAPI_E_NOTSUPPORTED; the call goes on.
 */
static void test_t3_blind_transfer_unsupported_e_fail(void **s)
{
	struct tapix_call *c;
	struct peer p = {0};
	struct t3 x;

	(void)s;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "bridged = 102 103\n");
	t3_up(&x, EVENTS);
	t3_register(&x, 2, true, 77);
	peer_call(&p, "102");
	c = expect_new(&x, CNE_OWNER, 77);
	expect_state(&x, c, CS_OFFERING, CEC_NONE);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	assert_int_equal(tapix_call_blind_transfer(c, "101"), E_FAIL);
	assert_int_equal(state_of(c), CS_CONNECTED);
	expect_no_event(&x);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	assert_int_equal(fx_reply(&p.a, lineDrop(p.h, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/* ---- §5.7 Transfer, Conference, Finish; §5.8
 * ------------------------------------ */

/* x calls b on line 1 (answered); c owns line 2. */
struct trio {
	struct t3 x;
	struct fx_app b, c;
	HLINE lb, lc;
	HCALL b1, c1;
	struct tapix_call *orig;
};

static void trio_up(struct trio *t)
{
	memset(t, 0, sizeof(*t));
	t3_up(&t->x, TE_CALLSTATE);
	fx_app_init(&t->b, "b");
	fx_app_init(&t->c, "c");
	t->lb = fx_open(&t->b, 1, OWNER, IV);
	t->lc = fx_open(&t->c, 2, OWNER, IV);
	t->orig = t3_create(&t->x, 0, "101");
	assert_int_equal(tapix_call_connect(t->orig, false), S_OK);
	t->b1 = (HCALL)fx_wait(&t->b, LINE_APPNEWCALL, t->lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&t->b, lineAnswer(t->b1, NULL, 0)), 0);
	expect_connected(&t->x, t->orig);
}

/* c is offered the consultation call and answers it. */
static void trio_c_answers(struct trio *t)
{
	t->c1 = (HCALL)fx_wait(&t->c, LINE_APPNEWCALL, t->lc, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&t->c, lineAnswer(t->c1, NULL, 0)), 0);
}

static void trio_down(struct trio *t)
{
	fx_shutdown(&t->b);
	fx_shutdown(&t->c);
	t3_down(&t->x);
}

static void test_t3_transfer_finish_flow(void **s)
{
	struct tapix_call *consult;
	struct trio t;

	(void)s;
	trio_up(&t);
	consult = t3_create(&t.x, 0, "102");
	/* §5.7 — not a consultation call yet */
	assert_int_equal(tapix_call_finish(consult, FM_ASTRANSFER),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_transfer(t.orig, consult, false), S_OK);
	expect_two(&t.x, t.orig, CS_HOLD, CEC_NONE, consult, CS_INPROGRESS,
	           CEC_NONE);
	trio_c_answers(&t);
	expect_state(&t.x, consult, CS_CONNECTED, CEC_NONE);
	/* a consultation for a transfer cannot join a conference that
	 * does not exist... but FM_ASTRANSFER completes it */
	assert_int_equal(tapix_call_finish(consult, FM_ASTRANSFER), S_OK);
	expect_two(&t.x, t.orig, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL,
	           consult, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	/* b and c talk to each other */
	assert_int_equal(fx_state(t.b1), S(CONNECTED));
	assert_int_equal(fx_state(t.c1), S(CONNECTED));
	assert_int_equal(tapix_call_finish(consult, FM_ASTRANSFER),
	                 TAPI_E_INVALCALLSTATE);
	tapix_call_release(consult);
	tapix_call_release(t.orig);
	assert_int_equal(fx_reply(&t.b, lineDrop(t.b1, NULL, 0)), 0);
	fx_wait(&t.c, LINE_CALLSTATE, t.c1, S(DISCONNECTED));
	trio_down(&t);
}

/* §5.7 — a consultation call dropped before Finish: the original is back */
static void test_t3_transfer_consult_dropped(void **s)
{
	struct tapix_call *consult;
	struct trio t;

	(void)s;
	trio_up(&t);
	consult = t3_create(&t.x, 0, "102");
	assert_int_equal(tapix_call_transfer(t.orig, consult, false), S_OK);
	expect_two(&t.x, t.orig, CS_HOLD, CEC_NONE, consult, CS_INPROGRESS,
	           CEC_NONE);
	assert_int_equal(tapix_call_disconnect(consult, DC_NORMAL), S_OK);
	expect_two(&t.x, consult, CS_DISCONNECTED, CEC_DISCONNECT_CANCELLED,
	           t.orig, CS_CONNECTED, CEC_NONE);
	assert_int_equal(tapix_call_finish(consult, FM_ASTRANSFER),
	                 TAPI_E_INVALCALLSTATE);
	tapix_call_release(consult);
	tapix_call_release(t.orig); /* drops the call to b */
	fx_wait(&t.b, LINE_CALLSTATE, t.b1, S(DISCONNECTED));
	trio_down(&t);
}

static void test_t3_conference_finish_flow(void **s)
{
	struct tapix_call *consult, *idle;
	struct trio t;

	(void)s;
	trio_up(&t);
	/* §5.8 — not in a conference */
	assert_int_equal(tapix_call_remove_from_conference(t.orig),
	                 TAPI_E_NOCONFERENCE);
	/* a connected call cannot join a conference that does not exist */
	idle = t3_create(&t.x, 0, NULL);
	assert_int_equal(tapix_call_conference(t.orig, idle, false),
	                 E_INVALIDARG); /* §5.7 — nothing to dial */
	tapix_call_release(idle);
	consult = t3_create(&t.x, 0, "102");
	assert_int_equal(tapix_call_conference(t.orig, consult, false), S_OK);
	/* the original is CONFERENCED: still CS_CONNECTED, no event */
	expect_state(&t.x, consult, CS_INPROGRESS, CEC_NONE);
	trio_c_answers(&t);
	expect_state(&t.x, consult, CS_CONNECTED, CEC_NONE);
	assert_int_equal(tapix_call_finish(consult, FM_ASTRANSFER),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_finish(consult, FM_ASCONFERENCE), S_OK);
	assert_int_equal(fx_state(t.b1), S(CONNECTED));
	assert_int_equal(fx_state(t.c1), S(CONNECTED));
	assert_int_equal(state_of(t.orig), CS_CONNECTED);
	assert_int_equal(state_of(consult), CS_CONNECTED);
	/* §5.8 — c's leg leaves the conference */
	assert_int_equal(tapix_call_remove_from_conference(consult), S_OK);
	assert_int_equal(tapix_call_remove_from_conference(consult),
	                 TAPI_E_NOCONFERENCE);
	assert_int_equal(tapix_call_disconnect(consult, DC_NORMAL), S_OK);
	expect_state(&t.x, consult, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	fx_wait(&t.c, LINE_CALLSTATE, t.c1, S(DISCONNECTED));
	tapix_call_release(consult);
	/* releasing the last member ends the conference and its call */
	tapix_call_release(t.orig);
	fx_wait(&t.b, LINE_CALLSTATE, t.b1, S(DISCONNECTED));
	trio_down(&t);
}

/* §5.7 — a synchronous transfer, finished as a three-way conference */
static void test_t3_transfer_finish_as_conference(void **s)
{
	struct tapix_call *consult;
	struct trio t;
	HCALL h;

	(void)s;
	trio_up(&t);
	/* the far end of the consultation answers by itself */
	consult = t3_create(&t.x, 0, "answer");
	assert_int_equal(tapix_call_transfer(t.orig, consult, true), S_OK);
	assert_int_equal(state_of(consult), CS_CONNECTED);
	expect_state(&t.x, t.orig, CS_HOLD, CEC_NONE);
	expect_connected(&t.x, consult);
	assert_int_equal(tapix_call_finish(consult, FM_ASCONFERENCE), S_OK);
	expect_state(&t.x, t.orig, CS_CONNECTED, CEC_NONE);
	assert_int_equal(fx_state(t.b1), S(CONNECTED));
	assert_int_equal(tapix_call_get_hcall(consult, &h), S_OK);
	assert_int_equal(fx_state(h), S(CONFERENCED));
	/* releasing both members ends the conference */
	tapix_call_release(consult);
	tapix_call_release(t.orig);
	fx_wait(&t.b, LINE_CALLSTATE, t.b1, S(DISCONNECTED));
	trio_down(&t);
}

/* ---- §1 events: filter, descriptor, callback thread ------------------------
 */

static void test_t3_no_events_without_filter(void **s)
{
	struct peer p = {0};
	struct t3 x;
	LINEMESSAGE m;

	(void)s;
	t3_up(&x, 0);
	t3_register(&x, 1, true, 77);
	peer_call(&p, "101");
	/* nobody can hold the call: released at once, so dropped (§1) */
	m = fx_wait(&p.a, LINE_CALLSTATE, p.h, S(DISCONNECTED));
	(void)m;
	expect_no_event(&x);
	assert_false(fx_readable(tapix_tapi_event_fd(x.t)));
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&p.a);
	t3_down(&x);
}

static void test_t3_event_fd_readable_while_queued(void **s)
{
	struct tapix_call *c;
	struct tapix_event *ev;
	struct pollfd pfd;
	struct t3 x;
	int fd;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	fd = tapix_tapi_event_fd(x.t);
	assert_true(fd >= 0);
	assert_false(fx_readable(fd));
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, FX_WAIT_MS), 1);
	/* (one or two events: INPROGRESS is optional) */
	while (tapix_tapi_get_event(x.t, &ev, 0) == S_OK)
		tapix_event_release(ev);
	assert_false(fx_readable(fd));
	tapix_call_release(c); /* drops the call: no event (released) */
	expect_no_event(&x);
	t3_down(&x);
}

struct cb_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	HRESULT answer_hr, disconnect_hr;
	bool done;
	struct tapix_call *c;
};

/* Answers from the callback, then disconnects: blocking methods. */
static void on_event(struct tapix_event *ev, void *arg)
{
	struct cb_state *st = arg;
	CALL_STATE s;

	if (tapix_event_type(ev) == TE_CALLNOTIFICATION) {
		st->c = tapix_event_call(ev);
		tapix_call_addref(st->c);
		return;
	}
	if (tapix_event_call_state(ev, &s, NULL) != S_OK)
		return;
	if (s == CS_OFFERING)
		st->answer_hr = tapix_call_answer(tapix_event_call(ev));
	else if (s == CS_CONNECTED)
		st->disconnect_hr =
			tapix_call_disconnect(tapix_event_call(ev), DC_NORMAL);
	else if (s == CS_DISCONNECTED) {
		pthread_mutex_lock(&st->lock);
		st->done = true;
		pthread_cond_signal(&st->cond);
		pthread_mutex_unlock(&st->lock);
	}
}

/* §1 [proposal] — methods called from the event thread do not deadlock */
static void test_t3_method_from_event_thread_no_deadlock(void **s)
{
	struct cb_state st = {.lock = PTHREAD_MUTEX_INITIALIZER,
	                      .cond = PTHREAD_COND_INITIALIZER,
	                      .answer_hr = 1,
	                      .disconnect_hr = 1};
	struct peer p = {0};
	struct timespec until;
	struct t3 x;

	(void)s;
	t3_up(&x, EVENTS);
	t3_register(&x, 1, true, 77);
	assert_int_equal(tapix_tapi_set_event_callback(x.t, on_event, &st),
	                 S_OK);
	peer_call(&p, "101");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FX_WAIT_MS / 1000;
	pthread_mutex_lock(&st.lock);
	while (!st.done)
		if (pthread_cond_timedwait(&st.cond, &st.lock, &until))
			break;
	pthread_mutex_unlock(&st.lock);
	assert_true(st.done);
	assert_int_equal(st.answer_hr, S_OK);
	assert_int_equal(st.disconnect_hr, S_OK);
	fx_wait(&p.a, LINE_CALLSTATE, p.h, S(DISCONNECTED));
	/* back to the queue */
	assert_int_equal(tapix_tapi_set_event_callback(x.t, NULL, NULL), S_OK);
	tapix_call_release(st.c);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	fx_shutdown(&p.a);
	t3_down(&x);
}

static void shutdown_from_cb(struct tapix_event *ev, void *arg)
{
	struct tapix_tapi **t = arg;
	struct tapix_tapi *mine = __atomic_load_n(t, __ATOMIC_ACQUIRE);

	(void)ev;
	if (mine) {
		assert_int_equal(tapix_tapi_shutdown(mine), S_OK);
		__atomic_store_n(t, NULL, __ATOMIC_RELEASE);
	}
}

/*
 * Shutdown from the callback itself (the thread ends after it). Events may
 * come before an asynchronous Connect returns, so the callback is armed
 * once it has; the Disconnect's events then fire it (the Disconnect may
 * see the shutdown first).
 */
static void test_t3_shutdown_from_callback(void **s)
{
	struct tapix_tapi *t = NULL;
	struct tapix_call *c;
	struct t3 x;
	HRESULT hr;
	unsigned i;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(
		tapix_tapi_set_event_callback(x.t, shutdown_from_cb, &t), S_OK);
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	__atomic_store_n(&t, x.t, __ATOMIC_RELEASE);
	hr = tapix_call_disconnect(c, DC_NORMAL);
	if (hr != S_OK) /* a shutdown first, or meanwhile: no other outcome */
		assert_int_equal(hr, TAPI_E_NOT_INITIALIZED);
	for (i = 0; i < 500 && __atomic_load_n(&t, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	assert_null(__atomic_load_n(&t, __ATOMIC_ACQUIRE));
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_NOT_INITIALIZED);
	tapix_call_release(c);
	/* the delivery thread lets go last: wait for it (bounded) */
	for (i = 0; i < 500; i++) {
		struct tapix_live l;

		fx_live(&l);
		if (!l.apps && !l.allocations)
			break;
		usleep(10000);
	}
}

/* The request timeout: TAPI_E_TIMEOUT, the call goes on regardless. */
static void test_t3_request_timeout(void **s)
{
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 100), S_OK);
	c = t3_create(&x, 0, "slow:1500/answer");
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_TIMEOUT);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 120000), S_OK);
	/* the reply came late: the object got its call all the same */
	expect_connected(&x, c);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	t3_down(&x);
}

/* Shutdown with calls alive: lineShutdown's rules, objects stay valid. */
static void test_t3_shutdown_with_live_calls(void **s)
{
	struct tapix_call *c;
	struct fx_app b;
	struct t3 x;
	HLINE lb;
	HCALL b1;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	fx_app_init(&b, "b");
	lb = fx_open(&b, 1, OWNER, IV);
	c = t3_create(&x, 0, "101");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	b1 = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(b1, NULL, 0)), 0);
	expect_connected(&x, c);
	t3_down(&x);
	fx_wait(&b, LINE_CALLSTATE, b1, S(DISCONNECTED));
	tapix_call_release(c);
	assert_int_equal(lineDeallocateCall(b1), 0);
	fx_shutdown(&b);
}

/* ---- ending paths: unregistering, forced close, release ------------------
 */

/* The next event is @c's CS_DISCONNECTED (whatever the cause). */
static void expect_disconnected(struct t3 *x, struct tapix_call *c)
{
	struct tapix_event *ev = next_event(x);
	CALL_STATE got;

	assert_int_equal(tapix_event_type(ev), TE_CALLSTATE);
	assert_ptr_equal(tapix_event_call(ev), c);
	assert_int_equal(tapix_event_call_state(ev, &got, NULL), S_OK);
	assert_int_equal(got, CS_DISCONNECTED);
	tapix_event_release(ev);
}

/* Waits (bounded) until no call and no call handle is alive. */
static void wait_no_calls(unsigned ms)
{
	struct tapix_live l;
	unsigned i;

	for (i = 0; i < ms / 10; i++) {
		fx_live(&l);
		if (!l.calls && !l.call_handles)
			return;
		usleep(10000);
	}
	fx_live(&l);
	if (l.calls || l.call_handles)
		fail_msg("after %u ms: calls %zu, call handles %zu alive", ms,
		         l.calls, l.call_handles);
}

/*
 * spec: tapi3-call-control.md §1 (UnregisterNotifications is lineClose),
 * termination.md §5.1 — unregistering the registration that owns a
 * connected call closes its open: the call, ours alone, is dropped (the
 * far end sees DISCONNECTED) and the object goes CS_DISCONNECTED, with no
 * call handle any more; nothing comes after, and its release leaves
 * nothing.
 */
static void test_t3_unregister_drops_owned_connected_call(void **s)
{
	struct tapix_call *c;
	struct peer p = {0};
	struct t3 x;
	int32_t cookie;
	HCALL h = 1;

	(void)s;
	t3_up(&x, EVENTS);
	cookie = t3_register(&x, 1, true, 77);
	c = offered(&x, &p);
	assert_int_equal(tapix_call_answer(c), S_OK);
	expect_state(&x, c, CS_CONNECTED, CEC_NONE);
	fx_wait(&p.a, LINE_CALLSTATE, p.h, S(CONNECTED));
	assert_int_equal(tapix_tapi_unregister_notifications(x.t, cookie),
	                 S_OK);
	expect_disconnected(&x, c);
	fx_wait(&p.a, LINE_CALLSTATE, p.h, S(DISCONNECTED));
	assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
	assert_int_equal(h, 0);
	assert_int_equal(state_of(c), CS_DISCONNECTED);
	expect_no_event(&x);
	tapix_call_release(c);
	assert_int_equal(fx_reply(&p.a, lineDrop(p.h, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p.h), 0);
	wait_no_calls(FX_WAIT_MS);
	fx_shutdown(&p.a);
	t3_down(&x);
}

/*
 * spec: termination.md §7 — the line under a connected call is closed by
 * force (another application dials esp's outage on it): the object goes
 * CS_DISCONNECTED and its release leaves nothing; the address opens its
 * line again for the next call.
 */
static void test_t3_forced_line_close_disconnects_call(void **s)
{
	struct tapix_call *c;
	struct fx_app a;
	struct t3 x;
	HCALL boom = 0;
	HLINE l;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	fx_app_init(&a, "outage");
	l = fx_open(&a, 0, NONE, 0);
	assert_true(lineMakeCall(l, &boom, "outage", 0, NULL) > 0);
	fx_wait(&a, LINE_CLOSE, l, FX_ANY);
	expect_disconnected(&x, c);
	expect_no_event(&x);
	tapix_call_release(c);
	fx_shutdown(&a);
	wait_no_calls(FX_WAIT_MS);
	/* the address's open went with the line: a new one for this call */
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	expect_connected(&x, c);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	expect_state(&x, c, CS_DISCONNECTED, CEC_DISCONNECT_NORMAL);
	tapix_call_release(c);
	t3_down(&x);
}

/*
 * spec: termination.md §7 (LINE_REMOVE) — the device under a connected
 * TAPI 3 call is removed: the call ends (CS_DISCONNECTED, once), nothing
 * more comes for it, and it goes when released with nothing left.
 */
static void test_t3_device_removed_under_call(void **s)
{
	struct tapix_call *c;
	struct fx_app a;
	struct t3 x;
	HCALL boom = 0;
	HLINE l;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	c = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	expect_connected(&x, c);
	fx_app_init(&a, "removal");
	l = fx_open(&a, 0, NONE, 0);
	assert_true(lineMakeCall(l, &boom, "remove", 0, NULL) > 0);
	fx_wait(&a, LINE_CLOSE, l, FX_ANY);
	fx_wait(&a, LINE_REMOVE, 0, 0);
	expect_disconnected(&x, c);
	expect_no_event(&x);
	tapix_call_release(c);
	fx_shutdown(&a);
	wait_no_calls(FX_WAIT_MS);
	t3_down(&x);
	/* through tapixd the device stays removed until it restarts */
	if (fx_service())
		fx_config_esp(4);
}

/*
 * spec: tapi3-call-control.md §1 — the last reference released while
 * Connect's request is pending (every request of the call takes 500 ms;
 * Connect stopped waiting after 50 ms): once the request completes, the
 * layer drops the call it owns alone and deallocates it; nothing is left
 * (bounded wait), esp closed the call once, and no event came.
 */
static void test_t3_release_while_connect_pending(void **s)
{
	unsigned long before[4], after[4];
	struct tapix_call *c;
	struct t3 x;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	fx_esp_counters(before);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 50), S_OK);
	c = t3_create(&x, 0, "slow:500/answer");
	assert_int_equal(tapix_call_connect(c, false), TAPI_E_TIMEOUT);
	tapix_call_release(c);
	wait_no_calls(FX_WAIT_MS);
	fx_esp_counters(after);
	assert_int_equal(after[2], before[2] + 1); /* the call was made */
	assert_int_equal(after[0], before[0] + 1); /* and closed, once */
	expect_no_event(&x);
	t3_down(&x);
}

/*
 * spec: tapi3-call-control.md §1 — a released call is dropped, then
 * waited for (IDLE) 10 s at most: when the far end completes the drop but
 * never lets the call go idle (esp's deaf), the layer deallocates it
 * anyway. A monitor sees the owner go (LINE_CALLINFO, NUMOWNERDECR) with
 * the call still connected: no IDLE came. This test takes those 10 s.
 */
static void test_t3_release_gives_up_waiting_for_idle(void **s)
{
	struct tapix_call *c;
	struct fx_app m;
	struct t3 x;
	HLINE lm;
	HCALL mc;

	(void)s;
	t3_up(&x, TE_CALLSTATE);
	fx_app_init(&m, "monitor");
	lm = fx_open(&m, 0, MONITOR, 0);
	c = t3_create(&x, 0, "deaf");
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	expect_connected(&x, c); /* (the events' references go) */
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, S(CONNECTED));
	tapix_call_release(c);
	assert_true(fx_wait_try(&m, LINE_CALLINFO, mc,
	                        LINECALLINFOSTATE_NUMOWNERDECR, 12000, NULL));
	assert_int_equal(fx_state(mc), S(CONNECTED));
	assert_false(fx_wait_try(&m, LINE_CALLSTATE, mc, S(IDLE), 0, NULL));
	assert_int_equal(lineDeallocateCall(mc), 0);
	fx_shutdown(&m);
	wait_no_calls(FX_WAIT_MS);
	t3_down(&x);
}

/* ---- requests that time out; consultation calls ------------------------
 */

/* Waits (bounded) until @c's handle is known: its request's reply came. */
static HCALL wait_hcall(struct tapix_call *c)
{
	HCALL h = 0;
	unsigned i;

	for (i = 0; i < FX_WAIT_MS / 10; i++) {
		assert_int_equal(tapix_call_get_hcall(c, &h), S_OK);
		if (h)
			return h;
		usleep(10000);
	}
	fail_msg("no call handle after %u ms", FX_WAIT_MS);
	return 0;
}

/* Waits (bounded) until @c's state is @st (the filter may be 0). */
static void wait_state(struct tapix_call *c, CALL_STATE st)
{
	unsigned i;

	for (i = 0; i < FX_WAIT_MS / 10 && state_of(c) != st; i++)
		usleep(10000);
	if (state_of(c) != st)
		fail_msg("state %d, not %d, after %u ms", (int)state_of(c),
		         (int)st, FX_WAIT_MS);
}

/* Waits (bounded) until nothing at all is alive (after a shutdown). */
static void wait_nothing_alive(void)
{
	struct tapix_live l;
	unsigned i;

	for (i = 0; i < FX_WAIT_MS / 10; i++) {
		fx_live(&l);
		if (!l.apps && !l.allocations && !l.calls && !l.call_handles)
			break;
		usleep(10000);
	}
	fx_assert_nothing_alive();
}

/*
 * spec: tapi3-call-control.md §1 (TAPI_E_TIMEOUT; the conference call is
 * no object of the application's and goes when its last member object
 * does), §5.7 — a Conference whose lineSetupConference reply comes after
 * the method gave up: the request goes on (docs/tapi3.md "Threads"), and
 * once both objects are released nothing is left, the conference call's
 * handle included, before shutdown.
 */
static void test_t3_conference_timeout_leaves_nothing(void **s)
{
	struct tapix_call *orig, *consult;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	/* (slow: each request on the call and its conference takes 400 ms) */
	orig = t3_create(&x, 0, "slow:400/answer");
	assert_int_equal(tapix_call_connect(orig, true), S_OK);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 50), S_OK);
	consult = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_conference(orig, consult, false),
	                 TAPI_E_TIMEOUT);
	/* the late reply bound the consultation call (and the conference) */
	wait_hcall(consult);
	tapix_call_release(consult);
	tapix_call_release(orig);
	wait_no_calls(FX_WAIT_MS);
	t3_down(&x);
}

/*
 * spec: tapi3-call-control.md §1 (TAPI_E_TIMEOUT), §5.7 — a Transfer
 * whose lineSetupTransfer reply comes late still makes its consultation
 * call one: dialled (it connects) and marked (Finish takes it), as the
 * request goes on (docs/tapi3.md "Threads").
 */
static void test_t3_transfer_timeout_late_reply_consults(void **s)
{
	struct tapix_call *orig, *consult;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	orig = t3_create(&x, 0, "slow:400/answer");
	assert_int_equal(tapix_call_connect(orig, true), S_OK);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 50), S_OK);
	consult = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_transfer(orig, consult, false),
	                 TAPI_E_TIMEOUT);
	wait_state(consult, CS_CONNECTED);
	assert_int_equal(state_of(orig), CS_HOLD);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 120000), S_OK);
	assert_int_equal(tapix_call_finish(consult, FM_ASCONFERENCE), S_OK);
	wait_state(orig, CS_CONNECTED); /* (CONFERENCED: after the reply) */
	tapix_call_release(consult);
	tapix_call_release(orig);
	wait_no_calls(FX_WAIT_MS);
	t3_down(&x);
}

/*
 * spec: tapi3-call-control.md §1, §5.7 — Finish(FM_ASCONFERENCE) of a
 * transfer whose lineCompleteTransfer reply comes after the method gave
 * up (TAPI_E_TIMEOUT): the three-way conference is made all the same, and
 * its conference call goes with the last member object: nothing is left
 * once both are released, before shutdown.
 */
static void test_t3_finish_as_conference_timeout_leaves_nothing(void **s)
{
	struct tapix_call *orig, *consult;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	orig = t3_create(&x, 0, "slow:400/answer");
	assert_int_equal(tapix_call_connect(orig, true), S_OK);
	consult = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_transfer(orig, consult, true), S_OK);
	assert_int_equal(tapix_tapi_set_request_timeout(x.t, 50), S_OK);
	assert_int_equal(tapix_call_finish(consult, FM_ASCONFERENCE),
	                 TAPI_E_TIMEOUT);
	/* the conference was made: the original is CONFERENCED */
	wait_state(orig, CS_CONNECTED);
	tapix_call_release(consult);
	tapix_call_release(orig);
	wait_no_calls(FX_WAIT_MS);
	t3_down(&x);
}

/*
 * spec: tapi3-call-control.md §5.7 — a consultation call is made for its
 * original: the original of a call (waiting for a transfer to it) cannot
 * become that call's consultation call (TAPI_E_INVALCALLSTATE). Each
 * would hold the other, and neither object, nor the TAPI object, could
 * ever go: after release and shutdown nothing is alive.
 */
static void test_t3_consultation_of_own_consultation_refused(void **s)
{
	struct tapix_call *a, *b;
	struct t3 x;

	(void)s;
	t3_up(&x, 0);
	a = t3_create(&x, 0, "answer");
	b = t3_create(&x, 0, "answer");
	assert_int_equal(tapix_call_connect(a, true), S_OK);
	assert_int_equal(tapix_call_connect(b, true), S_OK);
	/* b, connected, is a's consultation call: a waits on hold */
	assert_int_equal(tapix_call_transfer(a, b, false), S_OK);
	assert_int_equal(state_of(a), CS_HOLD);
	assert_int_equal(tapix_call_hold(a, false), S_OK);
	wait_state(a, CS_CONNECTED);
	assert_int_equal(tapix_call_transfer(b, a, false),
	                 TAPI_E_INVALCALLSTATE);
	tapix_call_release(a);
	tapix_call_release(b);
	t3_down(&x);
	wait_nothing_alive();
}

#define SPARE_LINES 16

struct reg_loop {
	struct tapix_tapi *t;
	struct tapix_address *a;
	int stop; /* (atomic) */
	unsigned rounds, opens, bad;
};

/*
 * Asks for a media type the address has not, and now and then registers
 * and unregisters for real, until told to stop; counts what did not go
 * as expected. (Mostly the former, which takes no other lock: a data
 * race with the engine's growing the address list is seen by TSan
 * whenever a line comes.)
 */
static void *reg_loop_main(void *arg)
{
	struct reg_loop *r = arg;
	int32_t cookie;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (tapix_tapi_register_call_notifications(
			    r->t, r->a, false, true, TAPIMEDIATYPE_MULTITRACK,
			    0, &cookie) != TAPI_E_INVALIDMEDIATYPE)
			r->bad++;
		if (r->rounds++ % 4096)
			continue;
		if (tapix_tapi_register_call_notifications(r->t, r->a, false,
		                                           true, AUDIO, 0,
		                                           &cookie) != S_OK ||
		    tapix_tapi_unregister_notifications(r->t, cookie) != S_OK)
			r->bad++;
		r->opens++;
	}
	return NULL;
}

/*
 * spec: tapi3-call-control.md §7 ("Every function is safe to call from any
 * thread"; docs/tapi3.md: LINE_CREATE adds an address) —
 * RegisterCallNotifications on one thread while lines come (esp's
 * "create" announces a spare line each time, the engine thread lists it):
 * each call gives its documented result and every line becomes an
 * address. Under ThreadSanitizer: no data race on the address list.
 */
static void test_t3_register_while_lines_come(void **s)
{
	struct tapix_address **v;
	struct reg_loop r = {0};
	struct fx_app app;
	char conf[128];
	pthread_t th;
	struct t3 x;
	unsigned i;
	size_t n = 0;
	HLINE l0;
	HCALL h;

	(void)s;
	snprintf(conf, sizeof(conf),
	         "[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	         "spare_lines = %u\n",
	         SPARE_LINES);
	fx_config(conf);
	t3_up(&x, 0);
	assert_int_equal(x.n, 4);
	r.t = x.t;
	r.a = x.addr[0];
	assert_int_equal(pthread_create(&th, NULL, reg_loop_main, &r), 0);
	fx_app_init(&app, "creator");
	l0 = fx_open(&app, 0, NONE, 0);
	for (i = 0; i < SPARE_LINES; i++)
		assert_int_equal(
			fx_reply(&app, lineMakeCall(l0, &h, "create", 0, NULL)),
			LINEERR_CALLUNAVAIL);
	/* (the engine lists them as it reads LINE_CREATE: bounded) */
	for (i = 0; i < FX_WAIT_MS / 10; i++) {
		assert_int_equal(tapix_tapi_enum_addresses(x.t, &v, &n), S_OK);
		free(v);
		if (n == 4 + SPARE_LINES)
			break;
		usleep(10000);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(n, 4 + SPARE_LINES);
	assert_true(r.opens > 0);
	assert_int_equal(r.bad, 0);
	assert_int_equal(lineClose(l0), 0);
	fx_shutdown(&app);
	t3_down(&x);
	/* tapixd's session keeps the lines until it restarts (as in
	 * test_t3_address_created) */
	if (fx_service())
		fx_config_esp(4);
}

/* ---- allocation failures
 * ----------------------------------------------------- */

/* One lifetime with every allocation failing in turn: no crash, no leak. */
static HRESULT oom_run(void)
{
	struct tapix_address **v = NULL;
	struct tapix_tapi *t = NULL;
	struct tapix_call *c = NULL;
	struct tapix_event *ev;
	HRESULT hr, worst = S_OK;
	int32_t cookie;
	size_t n = 0;

	hr = tapix_tapi_initialize(&t, "oom");
	if (hr != S_OK)
		return hr;
	hr = tapix_tapi_set_event_filter(t, EVENTS);
	if (hr == S_OK)
		hr = tapix_tapi_enum_addresses(t, &v, &n);
	if (hr == S_OK && n >= 2)
		hr = tapix_tapi_register_call_notifications(
			t, v[1], false, true, AUDIO, 1, &cookie);
	if (hr == S_OK)
		hr = tapix_address_create_call(v[0], "101", PHONE, AUDIO, &c);
	if (hr == S_OK)
		hr = tapix_call_connect(c, false);
	worst = hr;
	/* answer what arrives on line 1, within bounds */
	while (tapix_tapi_get_event(t, &ev, hr == S_OK ? 200 : 0) == S_OK) {
		CALL_STATE st;

		if (tapix_event_call_state(ev, &st, NULL) == S_OK &&
		    st == CS_OFFERING)
			(void)tapix_call_answer(tapix_event_call(ev));
		tapix_event_release(ev);
	}
	if (c) {
		(void)tapix_call_disconnect(c, DC_NORMAL);
		tapix_call_release(c);
	}
	free(v);
	assert_int_equal(tapix_tapi_shutdown(t), S_OK);
	return worst;
}

static void test_t3_oom(void **s)
{
	long n, made;

	(void)s;
	for (n = 0; n < 2000; n++) {
		tapix_test_fail_alloc(n);
		oom_run();
		made = tapix_test_fail_alloc(-1);
		fx_assert_nothing_alive();
		if (made <= n)
			break; /* a run with no failure: all were covered */
	}
	assert_true(n < 2000);
	assert_int_equal(oom_run(), S_OK);
	fx_assert_nothing_alive();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_t3_initialize_and_addresses),
		T(test_t3_address_created),
		T(test_t3_bad_input),
		T(test_t3_methods_after_shutdown),
		T(test_t3_connect_requires_idle),
		T(test_t3_connect_async_event_sequence),
		T(test_t3_connect_sync_busy_returns_destbusy),
		T(test_t3_connect_refused),
		T(test_t3_incoming_notification_and_answer),
		T(test_t3_answer_wrong_state_e_unexpected),
		T(test_t3_monitor_notification_notowner),
		T(test_t3_disconnect_offering_rejected_cause),
		T(test_t3_disconnect_inprogress_cancelled_cause),
		T(test_t3_disconnect_idle_s_false),
		T(test_t3_disconnected_reported_once_no_idle),
		T(test_t3_release_last_ref_drops_and_deallocates),
		T(test_t3_hold_unhold_states),
		T(test_t3_handoff_targetnotfound_disconnects),
		T(test_t3_handoff_indirect_to_data_app),
		T(test_t3_blind_transfer),
		T(test_t3_blind_transfer_unsupported_e_fail),
		T(test_t3_transfer_finish_flow),
		T(test_t3_transfer_consult_dropped),
		T(test_t3_conference_finish_flow),
		T(test_t3_transfer_finish_as_conference),
		T(test_t3_no_events_without_filter),
		T(test_t3_event_fd_readable_while_queued),
		T(test_t3_method_from_event_thread_no_deadlock),
		T(test_t3_shutdown_from_callback),
		T(test_t3_request_timeout),
		T(test_t3_shutdown_with_live_calls),
		T(test_t3_unregister_drops_owned_connected_call),
		T(test_t3_forced_line_close_disconnects_call),
		T(test_t3_device_removed_under_call),
		T(test_t3_release_while_connect_pending),
		T(test_t3_release_gives_up_waiting_for_idle),
		T(test_t3_conference_timeout_leaves_nothing),
		T(test_t3_transfer_timeout_late_reply_consults),
		T(test_t3_finish_as_conference_timeout_leaves_nothing),
		T(test_t3_consultation_of_own_consultation_refused),
		T(test_t3_register_while_lines_come),
		T(test_t3_oom),
	};
#undef T

	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
