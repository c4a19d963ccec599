/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How client processes end, seen from tapixd (termination.md §5, §6;
 * docs/service.md "Clients that leave"), for the endings the other
 * service tests do not take: a normal exit with a request pending, a
 * client that only monitors a call or co-owns it, a TAPI 3 client, and
 * tapixd's own end seen by a SIP far end. Each test ends with every
 * counter of tapixd's core back where it started and esp's counters
 * right (each call it made closed once, none named after its close).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tapix/tapi3.h>

#include "proc.h"
#include "svc.h"

#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE
#define IV      LINEMEDIAMODE_INTERACTIVEVOICE

/* termination.md §1: every call esp made since @before was closed by
 * TAPI once, none named after, none left to the end of its line. */
static void expect_esp_closed_all(const uint64_t before[4])
{
	uint64_t now[4];

	esp_counters(now);
	assert_int_equal(now[0] - before[0], now[2] - before[2]);
	assert_int_equal(now[1], before[1]);
	assert_int_equal(now[3], before[3]);
}

/*
 * termination.md §6 — a client that calls exit(0) while its lineMakeCall
 * is pending, without lineShutdown: its registration is shut down as by
 * lineShutdown, the request cancelled (the call it was creating closed),
 * and nothing of it stays (the request would otherwise wait 60 s).
 */
static void test_client_exits_with_request_pending(void **s)
{
	const char *args[] = {"pendexit", "0", "slow:60000/answer", NULL};
	uint64_t before[9], esp[4];
	struct helper p;

	(void)s;
	service_counts(before);
	esp_counters(esp);
	p = helper(args);
	expect_line(&p, "ready");
	expect_line(&p, "pending");
	wait_counts_equal(before);
	wait_log(") closed: 1 registrations shut down");
	expect_esp_closed_all(esp);
	helper_end(&p);
}

/* A call from line 0 (app @a) to line 1, answered by app @b, its owner;
 * the handles in @out and @in. */
static void connect_1(struct fx_app *a, struct fx_app *b, HLINE la, HLINE lb,
                      HCALL *out, HCALL *in)
{
	assert_int_equal(fx_reply(a, lineMakeCall(la, out, "101", 0, NULL)), 0);
	*in = (HCALL)fx_wait(b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(b, lineAnswer(*in, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, *out, LINECALLSTATE_CONNECTED);
}

/* Waits for a LINE_CALLINFO of @h whose changes include @bit. */
static void wait_info(struct fx_app *a, HCALL h, DWORD bit)
{
	LINEMESSAGE m;

	do
		m = fx_wait(a, LINE_CALLINFO, h, FX_ANY);
	while (!(m.dwParam1 & bit));
}

/* Both ends hang up and deallocate; the apps shut down. */
static void hang_up(struct fx_app *a, struct fx_app *b, HCALL out, HCALL in)
{
	assert_int_equal(fx_reply(a, lineDrop(out, NULL, 0)), 0);
	fx_wait(b, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(b, lineDrop(in, NULL, 0)), 0);
	fx_wait(b, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(out), 0);
	assert_int_equal(lineDeallocateCall(in), 0);
	fx_shutdown(a);
	fx_shutdown(b);
}

/*
 * termination.md §6 with §5.1 row "MONITOR, others" — a client that only
 * monitors a connected call is killed: the provider hears nothing (no
 * drop, no CloseCall), the call goes on, and its owner hears
 * NUMMONITORS when tapixd has ended the monitor's handle.
 */
static void test_monitor_client_killed_leaves_the_call(void **s)
{
	const char *args[] = {"monitor", "1", NULL};
	uint64_t before[9], esp0[4], esp1[4];
	struct fx_app a, b;
	struct helper m;
	DWORD owners, monitors;
	HLINE la, lb;
	HCALL out, in;

	(void)s;
	service_counts(before);
	esp_counters(esp0);
	m = helper(args);
	expect_line(&m, "ready");
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 1, OWNER, IV);
	connect_1(&a, &b, la, lb, &out, &in);
	/* tapixd's own observation is not counted (docs/service.md) */
	fx_wait_try(&b, LINE_CALLINFO, in, LINECALLINFOSTATE_NUMMONITORS, 500,
	            NULL);
	fx_counts(in, &owners, &monitors);
	assert_int_equal(monitors, 1);
	fx_consume_all(&b);
	esp_counters(esp1);
	helper_end(&m); /* SIGKILL */
	wait_info(&b, in, LINECALLINFOSTATE_NUMMONITORS);
	fx_counts(in, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(monitors, 0);
	assert_int_equal(fx_state(in), LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_state(out), LINECALLSTATE_CONNECTED);
	{
		uint64_t now[4];

		esp_counters(now);
		assert_int_equal(now[0], esp1[0]); /* no CloseCall */
	}
	hang_up(&a, &b, out, in);
	wait_counts_equal(before);
	expect_esp_closed_all(esp0);
}

/*
 * termination.md §6 with §5.1 row "OWNER, other OWNER" — a client that
 * co-owns a connected call is killed: the provider hears nothing, the
 * call goes on with its other owner, who hears NUMOWNERDECR.
 */
static void test_coowner_client_killed_leaves_the_call(void **s)
{
	const char *args[] = {"coown", "1", NULL};
	uint64_t before[9], esp0[4], esp1[4], now[4];
	struct fx_app a, b;
	struct helper o;
	DWORD owners, monitors;
	HLINE la, lb;
	HCALL out, in;

	(void)s;
	service_counts(before);
	esp_counters(esp0);
	o = helper(args);
	expect_line(&o, "ready");
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	la = fx_open(&a, 0, NONE, 0);
	lb = fx_open(&b, 1, OWNER, IV);
	connect_1(&a, &b, la, lb, &out, &in);
	expect_line(&o, "owner");
	wait_info(&b, in, LINECALLINFOSTATE_NUMOWNERINCR);
	fx_counts(in, &owners, &monitors);
	assert_int_equal(owners, 2);
	fx_consume_all(&b);
	esp_counters(esp1);
	helper_end(&o); /* SIGKILL */
	wait_info(&b, in, LINECALLINFOSTATE_NUMOWNERDECR);
	fx_counts(in, &owners, &monitors);
	assert_int_equal(owners, 1);
	assert_int_equal(fx_state(in), LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_state(out), LINECALLSTATE_CONNECTED);
	esp_counters(now);
	assert_int_equal(now[0], esp1[0]); /* no CloseCall */
	hang_up(&a, &b, out, in);
	wait_counts_equal(before);
	expect_esp_closed_all(esp0);
}

/*
 * termination.md §6; tapi3-call-control.md §1 — a TAPI 3 client whose
 * connected call it owns alone ends without releasing it or shutting its
 * session down (@how: "wait" and SIGKILL, or "exit"): tapixd ends its
 * registration as by lineShutdown, so the call is dropped (the far end
 * sees DISCONNECTED) and closed, and nothing of it stays.
 */
static void t3_client_ends(const char *how)
{
	const char *args[] = {"t3call", "0", "101", how, NULL};
	uint64_t before[9], esp[4];
	struct fx_app b;
	struct helper t;
	HLINE lb;
	HCALL in;

	service_counts(before);
	esp_counters(esp);
	fx_app_init(&b, "b");
	lb = fx_open(&b, 1, OWNER, IV);
	t = helper(args);
	in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(in, NULL, 0)), 0);
	expect_line(&t, "connected");
	helper_end(&t); /* SIGKILL, or it has exited already */
	fx_wait(&b, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(&b, lineDrop(in, NULL, 0)), 0);
	fx_wait(&b, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(in), 0);
	fx_shutdown(&b);
	wait_counts_equal(before);
	expect_esp_closed_all(esp);
}

static void test_tapi3_client_killed_drops_its_call(void **s)
{
	(void)s;
	t3_client_ends("wait");
}

static void test_tapi3_client_exits_drops_its_call(void **s)
{
	(void)s;
	t3_client_ends("exit");
}

/*
 * docs/tapi3.md; tapi-functions.md §1 — tapixd dies under a TAPI 3
 * application in client mode: the layer hears LINEDEVSTATE_REINIT and
 * tells the application once, with TE_TAPIOBJECT / TE_REINIT (address
 * NULL); its connected call's methods fail (TAPI_E_OPERATIONFAILED, as
 * the line functions beneath them); the object shuts down and nothing of
 * it stays in this process.
 */
static void test_tapi3_hears_reinit_when_tapixd_goes(void **s)
{
	struct tapix_address **v = NULL, *where = (struct tapix_address *)1;
	struct tapix_tapi *t = NULL;
	struct tapix_call *c = NULL;
	struct tapix_event *ev = NULL;
	TAPIOBJECT_EVENT what = TE_ADDRESSCREATE;
	struct tapix_live l;
	struct fx_app b;
	size_t n = 0;
	HLINE lb;
	HCALL in;

	(void)s;
	fx_app_init(&b, "b");
	lb = fx_open(&b, 1, OWNER, IV);
	assert_int_equal(tapix_tapi_initialize(&t, "t3"), S_OK);
	assert_int_equal(tapix_tapi_set_event_filter(t, TE_TAPIOBJECT), S_OK);
	assert_int_equal(tapix_tapi_enum_addresses(t, &v, &n), S_OK);
	assert_true(n >= 1);
	assert_int_equal(tapix_address_create_call(v[0], "101",
	                                           LINEADDRESSTYPE_PHONENUMBER,
	                                           TAPIMEDIATYPE_AUDIO, &c),
	                 S_OK);
	free(v);
	assert_int_equal(tapix_call_connect(c, false), S_OK);
	in = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&b, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&b, LINE_CALLSTATE, in, LINECALLSTATE_CONNECTED);
	proc_kill(tapixd_pid); /* SIGKILL */
	tapixd_pid = 0;
	assert_int_equal(tapix_tapi_get_event(t, &ev, 10000), S_OK);
	assert_non_null(ev);
	assert_int_equal(tapix_event_type(ev), TE_TAPIOBJECT);
	assert_int_equal(tapix_event_tapi_object(ev, &what, &where), S_OK);
	assert_int_equal(what, TE_REINIT);
	assert_null(where);
	tapix_event_release(ev);
	assert_int_equal(tapix_tapi_get_event(t, &ev, 300), S_FALSE); /* once */
	/* docs/service.md "When tapixd goes": what needed it fails */
	assert_int_equal(tapix_call_hold(c, true), TAPI_E_OPERATIONFAILED);
	tapix_call_release(c);
	assert_int_equal(tapix_tapi_shutdown(t), S_OK);
	fx_shutdown(&b); /* succeeds: the registration is void */
	tapix_live_get(&l);
	assert_int_equal(l.apps, 0);
	assert_int_equal(l.calls, 0);
	assert_int_equal(l.allocations, 0);
	/* a service again, for the teardown */
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
}

/* Ports of the SIP test: tapixd's SIP line, SIPp. */
#define SIP_PORT  25520
#define SIPP_PORT 25521

/*
 * termination.md §6 (lineShutdown of every registration); docs/service.md
 * "When tapixd goes" — tapixd told to stop (SIGTERM) while a client owns a
 * connected SIP call ends it properly before it exits: the far end (SIPp,
 * which fails unless a BYE comes) is told, and tapixd exits 0.
 */
static void test_tapixd_stopping_hangs_up_sip_calls(void **s)
{
	const char *args[] = {"owner", "0", NULL};
	char conf[512], sf[256], port[16], remote[32], slog[128];
	const char *argv[16];
	struct helper o;
	unsigned n = 0;
	pid_t sipp;

	(void)s;
	/* tapixd again, with a SIP line instead of esp */
	proc_kill(tapixd_pid);
	snprintf(conf, sizeof(conf),
	         "[tapix]\nproviders = sip\n[sip]\n"
	         "transaction_timeout_ms = 4000\n[sip.a]\n"
	         "aor = sip:tapix@127.0.0.1:%u\nlocal = 127.0.0.1:%u\n",
	         SIP_PORT, SIP_PORT);
	start_tapixd(conf);
	o = helper(args);
	expect_line(&o, "ready");
	snprintf(sf, sizeof(sf), "%s/answer_then_any_bye.xml", TAPIX_SIPP_DIR);
	snprintf(port, sizeof(port), "%u", SIPP_PORT);
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", SIP_PORT);
	snprintf(slog, sizeof(slog), "%s/sipp.log", dir);
	argv[n++] = "sipp";
	argv[n++] = "-sf";
	argv[n++] = sf;
	argv[n++] = "-i";
	argv[n++] = "127.0.0.1";
	argv[n++] = "-p";
	argv[n++] = port;
	argv[n++] = "-m";
	argv[n++] = "1";
	argv[n++] = "-timeout";
	argv[n++] = "20s";
	argv[n++] = "-timeout_error";
	argv[n++] = "-nostdin";
	argv[n++] = remote;
	argv[n] = NULL;
	sipp = proc_start(slog, 30, argv);
	expect_line(&o, "offered");
	expect_line(&o, "connected");
	assert_int_equal(kill(tapixd_pid, SIGTERM), 0);
	if (proc_wait(sipp, 20000) != 0) {
		proc_show_log(slog, 30);
		fail_msg("SIPp did not see the call end");
	}
	assert_int_equal(proc_wait(tapixd_pid, 10000), 0);
	tapixd_pid = 0;
	helper_end(&o);
	/* for the teardown: a service again */
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_client_exits_with_request_pending, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_monitor_client_killed_leaves_the_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_coowner_client_killed_leaves_the_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_tapi3_client_killed_drops_its_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_tapi3_client_exits_drops_its_call, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_tapi3_hears_reinit_when_tapixd_goes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_tapixd_stopping_hangs_up_sip_calls, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
