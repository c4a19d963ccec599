/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider against SIPp, a peer nobody here wrote. Each test runs
 * one SIPp scenario (tests/interop/sipp/) on 127.0.0.1 and drives the
 * other side with the TAPI line API; SIPp checks what tapix puts on the
 * wire (its exit status is 0 only if every check of the scenario passed),
 * the test checks what the TAPI application sees.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fx.h"
#include "proc.h"

#define SIPP_LIMIT_S 60 /* timeout(1) around every SIPp */
#define SIPP_WAIT_MS 30000

static unsigned base_port;
static char log_path[256];

static unsigned tapix_port(void)
{
	return base_port;
}

static unsigned sipp_port(void)
{
	return base_port + 1;
}

static int setup(void **state)
{
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	proc_kill_all();
	return fx_teardown(state);
}

/* One SIP line "a" on 127.0.0.1:tapix_port(), plus @extra keys in [sip]. */
static void sip_config(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n%s\n"
	         "[sip.a]\naor = sip:tapix@127.0.0.1:%u\n"
	         "local = 127.0.0.1:%u\n",
	         extra ? extra : "", tapix_port(), tapix_port());
	fx_config(text);
}

/* Starts SIPp with @scenario; a UAC scenario calls tapix. */
static pid_t sipp(const char *scenario, bool uac)
{
	char sf[512], port[16], remote[64], err[300], msgs[300];
	const char *argv[32];
	unsigned n = 0;

	snprintf(sf, sizeof(sf), "%s/%s", TAPIX_SIPP_DIR, scenario);
	snprintf(port, sizeof(port), "%u", sipp_port());
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", tapix_port());
	snprintf(log_path, sizeof(log_path), "%s/%s.log", TAPIX_TEST_LOG_DIR,
	         scenario);
	snprintf(err, sizeof(err), "%s/%s.errors", TAPIX_TEST_LOG_DIR,
	         scenario);
	snprintf(msgs, sizeof(msgs), "%s/%s.messages", TAPIX_TEST_LOG_DIR,
	         scenario);
	unlink(err); /* SIPp appends to these */
	unlink(msgs);
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
	argv[n++] = "-trace_err";
	argv[n++] = "-error_file";
	argv[n++] = err;
	argv[n++] = "-trace_msg";
	argv[n++] = "-message_file";
	argv[n++] = msgs;
	if (uac)
		argv[n++] = remote;
	argv[n] = NULL;
	return proc_start(log_path, SIPP_LIMIT_S, argv);
}

/* True while something is bound to UDP 127.0.0.1:@port. */
static bool udp_bound(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool used;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	used = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	       errno == EADDRINUSE;
	close(fd);
	return used;
}

/* Starts SIPp as the UAS of @scenario, and waits until it listens. */
static pid_t sipp_uas(const char *scenario)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	pid_t p = sipp(scenario, false);
	unsigned i;

	for (i = 0; i < 500 && !udp_bound(sipp_port()); i++)
		nanosleep(&step, NULL);
	assert_true(udp_bound(sipp_port()));
	return p;
}

/* SIPp must end by itself, every check of its scenario passed. */
static void sipp_passed(pid_t pid)
{
	int st = proc_wait(pid, SIPP_WAIT_MS);

	if (st != 0) {
		proc_show_log(log_path, 40);
		fprintf(stderr, "SIPp exit status %d\n", st);
	}
	assert_int_equal(st, 0);
}

static LINECALLINFO *call_info(HCALL h)
{
	LINECALLINFO *ci = calloc(1, 8192);

	assert_non_null(ci);
	ci->dwTotalSize = 8192;
	assert_int_equal(lineGetCallInfo(h, ci), 0);
	return ci;
}

static void assert_uui(HCALL h, const void *data, DWORD len)
{
	LINECALLINFO *ci = call_info(h);

	assert_int_equal(ci->dwUserUserInfoSize, len);
	if (len)
		assert_memory_equal((char *)ci + ci->dwUserUserInfoOffset, data,
		                    len);
	free(ci);
}

/* Index in @a's history of the first message matching, or -1. */
static int seen_at(const struct fx_app *a, DWORD msg, HCALL h, DWORD_PTR p1,
                   DWORD_PTR p1_mask)
{
	unsigned i;

	for (i = 0; i < a->nseen; i++)
		if (a->seen[i].dwMessageID == msg && a->seen[i].hDevice == h &&
		    (a->seen[i].dwParam1 & p1_mask) == p1)
			return (int)i;
	return -1;
}

/* The device-specific text of @h's LINECALLINFO (how the call ended). */
static char *end_info(HCALL h)
{
	LINECALLINFO *ci = call_info(h);
	char *text = calloc(1, ci->dwDevSpecificSize + 1);

	assert_non_null(text);
	memcpy(text, (char *)ci + ci->dwDevSpecificOffset,
	       ci->dwDevSpecificSize);
	free(ci);
	return text;
}

static void assert_end_info(HCALL h, const char *part)
{
	char *text = end_info(h);

	if (!strstr(text, part))
		fprintf(stderr, "device-specific info: \"%s\", wanted %s\n",
		        text, part);
	assert_non_null(strstr(text, part));
	free(text);
}

/* Calls SIPp's UAS with UUI @uui; waits for the LINE_REPLY. */
static HCALL make_call(struct fx_app *a, HLINE l, const char *uui)
{
	union {
		LINECALLPARAMS p;
		char buf[sizeof(LINECALLPARAMS) + 64];
	} u;
	char dest[64];
	HCALL h = 0;
	DWORD len = uui ? (DWORD)strlen(uui) : 0;

	memset(&u, 0, sizeof(u));
	u.p.dwTotalSize = sizeof(u);
	u.p.dwBearerMode = LINEBEARERMODE_VOICE;
	u.p.dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	if (len) {
		memcpy(u.buf + sizeof(LINECALLPARAMS), uui, len);
		u.p.dwUserUserInfoOffset = sizeof(LINECALLPARAMS);
		u.p.dwUserUserInfoSize = len;
	}
	snprintf(dest, sizeof(dest), "sip:sipp@127.0.0.1:%u", sipp_port());
	assert_int_equal(fx_reply(a, lineMakeCall(l, &h, dest, 0, &u.p)), 0);
	return h;
}

/* Opens line 0 as owner of voice calls. */
static HLINE open_line(struct fx_app *a)
{
	return fx_open(a, 0, LINECALLPRIVILEGE_OWNER,
	               LINEMEDIAMODE_INTERACTIVEVOICE);
}

/* An incoming call: LINE_APPNEWCALL, then OFFERING. */
static HCALL offered(struct fx_app *a, HLINE l)
{
	LINEMESSAGE m = fx_wait(a, LINE_APPNEWCALL, l, FX_ANY);
	HCALL h = (HCALL)m.dwParam2;

	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_OFFERING);
	return h;
}

/*
 * spec: issue 4 §3, §4 — an incoming INVITE is offered with the caller's
 * UUI in LINECALLINFO; lineAnswer sends 200; lineDrop when connected sends
 * BYE carrying the app's UUI (RFC 7433 hex); after the drop the handle
 * still answers queries until deallocated (termination.md §2).
 */
static void test_answer_then_drop_sends_bye_with_uui(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	LINECALLINFO *ci;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("answer_then_drop.xml", true);
	h = offered(&a, l);
	assert_uui(h, "Hello", 5);
	ci = call_info(h);
	assert_int_equal(ci->dwOrigin, LINECALLORIGIN_INBOUND);
	assert_true(ci->dwCallerIDFlags & LINECALLPARTYID_ADDRESS);
	assert_non_null(strstr((char *)ci + ci->dwCallerIDOffset, "sipp@"));
	free(ci);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xC0\xFF\xEE", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(fx_state(h), LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §3, tspi.md §6 TSPI_lineAccept/TSPI_lineDrop — lineAccept
 * sends 180 with the app's UUI; dropping the offered (accepted) call
 * rejects it with 486 carrying the drop's UUI; the call goes IDLE.
 */
static void test_drop_offered_rejects_with_uui(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("accept_then_reject.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAccept(h, "\x0A\x0B", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_ACCEPTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\x01\x02", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_end_info(h, "ended-by=local");
	assert_end_info(h, "status=486");
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §4 — a BYE from the far end: its UUI and Reason header
 * are in LINECALLINFO, announced by LINE_CALLINFO before DISCONNECTED
 * (NORMAL); who ended the call is readable (ended-by=remote).
 */
static void test_remote_bye_shows_uui_and_reason_first(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;
	int info, disc;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("remote_bye_with_uui.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_state_mode(h), LINEDISCONNECTMODE_NORMAL);
	info = seen_at(&a, LINE_CALLINFO, h, LINECALLINFOSTATE_USERUSERINFO,
	               LINECALLINFOSTATE_USERUSERINFO);
	disc = seen_at(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED,
	               ~(DWORD_PTR)0);
	assert_true(info >= 0 && info < disc);
	assert_uui(h, "Bye", 3);
	assert_end_info(h, "ended-by=remote");
	assert_end_info(h, "reason=Q.850;cause=16");
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §4 — the caller gives up while the call rings: CANCEL
 * (its UUI shown) makes the offered call DISCONNECTED, mode CANCELLED.
 */
static void test_caller_cancel_disconnects(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("caller_cancels.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAccept(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_state_mode(h), LINEDISCONNECTMODE_CANCELLED);
	assert_uui(h, "\x0C\x0D", 2);
	assert_end_info(h, "ended-by=remote");
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §2, §4 — lineMakeCall sends INVITE with the call
 * parameters' UUI; DIALING, RINGBACK (180), CONNECTED (200, ACK sent);
 * lineDrop sends BYE with the drop's UUI.
 */
static void test_make_call_then_drop(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_answer_then_bye.xml");
	h = make_call(&a, l, "\x12\x34");
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DIALING);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_RINGBACK);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xAB\xCD", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_end_info(h, "ended-by=local");
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §2 — 486 maps to BUSY (STATION); the UUI and Reason of
 * the response are readable.
 */
static void test_busy_with_uui(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_busy.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_BUSY);
	assert_int_equal(fx_state_mode(h), LINEBUSYMODE_STATION);
	assert_uui(h, "Busy", 4);
	assert_end_info(h, "status=486");
	assert_end_info(h, "reason=SIP;cause=486");
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §4 — dropping an unanswered outgoing call sends CANCEL
 * (UUI best effort); the app's LINE_REPLY and IDLE do not wait for it.
 */
static void test_drop_ringing_sends_cancel(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_ring_then_cancel.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\x99", 1)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §4 (CANCEL/200 glare) — the far end's 200 OK crosses our
 * CANCEL: tapix ACKs it, then ends the call with BYE; the app, which
 * dropped the call, sees IDLE and nothing after it.
 */
static void test_cancel_crossing_200_is_acked_then_byed(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_cancel_crosses_200.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_RINGBACK);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	sipp_passed(p);
	fx_pump(&a);
	assert_int_equal(seen_at(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED,
	                         ~(DWORD_PTR)0),
	                 -1);
	assert_int_equal(fx_state(h), LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/* Answers the call SIPp makes with @scenario; returns it CONNECTED. */
static HCALL answered(struct fx_app *a, HLINE l)
{
	HCALL h = offered(a, l);

	assert_int_equal(fx_reply(a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	return h;
}

/* Drops @h, sees IDLE, deallocates it. */
static void drop_to_idle(struct fx_app *a, HCALL h)
{
	assert_int_equal(fx_reply(a, lineDrop(h, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
}

/*
 * spec: issue 4 (races) — BYE before ACK: the far end hangs up right
 * after the 200 OK; the call ends DISCONNECTED (NORMAL).
 */
static void test_bye_before_ack(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("bye_before_ack.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_state_mode(h), LINEDISCONNECTMODE_NORMAL);
	sipp_passed(p);
	drop_to_idle(&a, h);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 (races), termination.md §2 — BYE crossing BYE: the app's
 * drop and the far end's BYE cross; one BYE from tapix, IDLE, and no
 * DISCONNECTED after the IDLE.
 */
static void test_bye_crossing_bye(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("bye_crosses_bye.xml", true);
	h = answered(&a, l);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	sipp_passed(p);
	fx_pump(&a);
	assert_int_equal(seen_at(&a, LINE_CALLSTATE, h,
	                         LINECALLSTATE_DISCONNECTED, ~(DWORD_PTR)0),
	                 -1);
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §4 — the LINE_REPLY and IDLE never wait on the network:
 * a BYE answered 481, or never answered (408 after the transaction
 * timeout, in the background), ends the call for the app at once, and
 * the session still finishes (the test ends with nothing alive).
 */
static void test_bye_answered_481_or_never(void **s)
{
	static const char *scen[] = {"bye_gets_481.xml", "bye_unanswered.xml"};
	unsigned i;

	(void)s;
	for (i = 0; i < 2; i++) {
		struct fx_app a;
		HLINE l;
		HCALL h;
		pid_t p;

		sip_config(NULL);
		fx_app_init(&a, "a");
		l = open_line(&a);
		p = sipp(scen[i], true);
		h = answered(&a, l);
		drop_to_idle(&a, h);
		sipp_passed(p);
		fx_shutdown(&a);
		fx_assert_nothing_alive();
	}
}

/*
 * spec: issue 4 (races) — drop during setup: dropped while DIALING, before
 * any response; the CANCEL goes out once the far end answers 100, and the
 * call is IDLE for the app at once.
 */
static void test_drop_during_setup(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_slow_then_cancel.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DIALING);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: termination.md §2, issue 4 (races) — a double drop: both requests
 * are answered, one BYE goes out, the call is IDLE once.
 */
static void test_double_drop(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	LONG r1, r2, x;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("double_drop.xml", true);
	h = answered(&a, l);
	r1 = lineDrop(h, NULL, 0);
	r2 = lineDrop(h, NULL, 0);
	assert_true(r1 > 0);
	assert_int_equal(fx_reply(&a, r1), 0);
	if (r2 > 0) {
		x = fx_reply(&a, r2);
		assert_true(x == 0 || x == LINEERR_INVALCALLSTATE);
	} else {
		assert_int_equal(r2, LINEERR_INVALCALLSTATE);
	}
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	sipp_passed(p);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE, 0,
	                         NULL));
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/*
 * spec: termination.md §5.1 rule 1, tspi.md §6 — the sole owner closes
 * its line with an offered SIP call: TAPI drops it (486 on the wire) and
 * the monitor sees IDLE; shutting down with a connected call sends BYE.
 */
static void test_close_and_shutdown_end_sip_calls(void **s)
{
	struct fx_app a, m;
	HLINE l, lm;
	HCALL h, hm;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 0, LINECALLPRIVILEGE_MONITOR, 0);
	l = open_line(&a);
	p = sipp("offered_then_refused.xml", true);
	h = offered(&a, l);
	hm = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	(void)h;
	assert_int_equal(lineClose(l), 0);
	fx_wait(&m, LINE_CALLSTATE, hm, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(hm), 0);
	sipp_passed(p);

	l = open_line(&a);
	p = sipp("answer_then_any_bye.xml", true);
	h = answered(&a, l);
	hm = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_shutdown(&a); /* the sole owner goes: its call is dropped */
	fx_wait(&m, LINE_CALLSTATE, hm, LINECALLSTATE_IDLE);
	sipp_passed(p);
	assert_int_equal(lineDeallocateCall(hm), 0);
	fx_shutdown(&m);
}

/*
 * spec: issue 4 §4 (RFC 4028) — a peer that vanishes is found out: with a
 * 4 s session timer the call reaches DISCONNECTED by itself, in bounded
 * time (the bound here is generous; it is not a speed check).
 */
static void test_vanished_peer_is_detected(void **s)
{
	struct fx_app a;
	LINEMESSAGE msg;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("session_expires = 4\nmin_se = 2");
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("session_vanishes.xml", true);
	h = answered(&a, l);
	sipp_passed(p);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 30000, &msg));
	assert_end_info(h, "ended-by=remote");
	drop_to_idle(&a, h);
	fx_shutdown(&a);
}

/*
 * Bad input never crashes nor loses a call: undecodable and oversized
 * UUI is skipped (the valid one is shown); unknown methods and broken
 * requests are refused by the stack and no call is offered.
 */
static void test_bad_input_from_the_network(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("bad_uui.xml", true);
	h = offered(&a, l);
	assert_uui(h, "OK", 2);
	drop_to_idle(&a, h);
	sipp_passed(p);
	p = sipp("garbage.xml", true);
	sipp_passed(p);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_answer_then_drop_sends_bye_with_uui, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_offered_rejects_with_uui, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_remote_bye_shows_uui_and_reason_first, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_caller_cancel_disconnects,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_call_then_drop, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_busy_with_uui, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_drop_ringing_sends_cancel,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_cancel_crossing_200_is_acked_then_byed, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_bye_before_ack, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_bye_crossing_bye, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_bye_answered_481_or_never,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_during_setup, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_double_drop, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_close_and_shutdown_end_sip_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_peer_is_detected,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_from_the_network,
	                                        setup, teardown),
	};
	const char *env = getenv("TAPIX_TEST_PORT_BASE");

	base_port = env ? (unsigned)strtoul(env, NULL, 10) : 25100;
	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	if (!proc_have("sipp")) {
		/* scripts/setup.sh installs it: missing is a failure */
		fprintf(stderr, "sipp is not installed (package sip-tester)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
