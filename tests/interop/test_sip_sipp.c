/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider against SIPp, a peer nobody here wrote. Each test runs
 * one SIPp scenario (tests/interop/sipp/) on 127.0.0.1 and drives the
 * other side with the TAPI line API; SIPp checks what tapix puts on the
 * wire (its exit status is 0 only if every check of the scenario passed),
 * the test checks what the TAPI application sees.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spandsp.h>

#include "interop.h"
#include "sipraw.h"

#define setup    interop_setup
#define teardown interop_teardown

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
 * RFC 3261 §15 — a call answered and dropped before the caller's ACK came:
 * the BYE (with its UUI) waits for the ACK; SIPp, which sends the ACK late,
 * fails the call on a BYE before it.
 */
static void test_drop_before_ack_waits_for_it(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("answer_drop_before_ack.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xC0\xFF\xEE", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
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
 * spec: tapi3-call-control.md §5.3 (the provider hint of Disconnect) —
 * a drop with a disconnect-mode hint chooses the response to an offered
 * call: REJECT 603 Decline, NOANSWER 480; SIPp checks the code on the
 * wire, LINECALLINFO says the same.
 */
static void test_drop_hint_chooses_rejection(void **s)
{
	static const struct {
		const char *scenario;
		DWORD hint;
		const char *status;
	} cases[] = {
		{"offered_then_declined.xml", LINEDISCONNECTMODE_REJECT,
	         "status=603"},
		{"offered_then_unavailable.xml", LINEDISCONNECTMODE_NOANSWER,
	         "status=480"},
	};
	struct fx_app a;
	unsigned i;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = sipp(cases[i].scenario, true);
		h = offered(&a, l);
		assert_int_equal(
			fx_reply(&a,
		                 tapix_line_drop_ex(h, NULL, 0, cases[i].hint)),
			0);
		fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
		assert_end_info(h, "ended-by=local");
		assert_end_info(h, cases[i].status);
		assert_int_equal(lineDeallocateCall(h), 0);
		sipp_passed(p);
	}
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
 * TSPI_lineGatherDigits (tcall.h, Microsoft's LINE_GATHERDIGITS): a
 * gathering asked while an outgoing call rings, before any SDP answer,
 * ends by its first-digit time-out with LINE_GATHERDIGITS(FIRSTTIMEOUT)
 * and the buffer holding only the NUL, as on a connected call; the call
 * rings on meanwhile, and dropping it sends CANCEL (SIPp checks it).
 */
static void test_gather_while_ringing_times_out(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	char buf[8];
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
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(
		lineGatherDigits(h, LINEDIGITMODE_DTMF, buf, 4, NULL, 200, 0),
		0);
	assert_true(fx_wait_try(&a, LINE_GATHERDIGITS, h, FX_ANY, 5000, &m));
	assert_int_equal(m.dwParam1, LINEGATHERTERM_FIRSTTIMEOUT);
	assert_memory_equal(buf, "\0z", 2);
	assert_int_equal(seen_at(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE,
	                         ~(DWORD_PTR)0),
	                 -1);
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

/* One INVITE carrying @len bytes of @body as @ctype, from SIPp's port
 * (no SIPp runs: the bytes are the test's own); its final status. */
static int raw_invite(const char *ctype, const char *body, size_t len)
{
	struct sip_raw r = {.from_port = sipp_port(),
	                    .to_port = tapix_port(),
	                    .ctype = ctype,
	                    .body = body,
	                    .len = len};

	return sip_raw_invite(&r);
}

#define SDP_HEAD                                                           \
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n" \
	"t=0 0\r\n"

/*
 * A peer's SDP never reaches sofia-sip's parser, whose Debian version
 * loops for ever allocating on a control byte in the m= line's transport
 * (docs/sofia-sip.md): that INVITE, and every other malformed description
 * (RFC 4566 §5: control bytes, no o=), gets 400 Bad Request; a body that
 * is not SDP 415 (RFC 3261 §21.4.13); an offer with no codec in common 488
 * (RFC 3264 §6). No call is offered to the application for any of them,
 * and a good call works right after.
 */
static void test_malformed_sdp_is_refused(void **s)
{
	static const char attack[] = SDP_HEAD "m=audio 40000 RT\x01/AVP 0\r\n",
			  nul[] = SDP_HEAD "m=audio 40000 RTP/AVP 0\r\n"
					   "a=x\0y\r\n",
			  no_o[] = "v=0\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
				   "m=audio 40000 RTP/AVP 0\r\n",
			  g729[] = SDP_HEAD "m=audio 40000 RTP/AVP 18\r\n";
	static const struct {
		const char *ctype, *body;
		size_t len;
		int status;
	} cases[] = {
		{"application/sdp", attack, sizeof(attack) - 1, 400},
		{"application/sdp", nul, sizeof(nul) - 1, 400},
		{"application/sdp", no_o, sizeof(no_o) - 1, 400},
		{"text/plain", "hello", 5, 415},
		{"application/sdp", g729, sizeof(g729) - 1, 488},
	};
	struct fx_app a;
	unsigned i;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
			raw_invite(cases[i].ctype, cases[i].body, cases[i].len),
			cases[i].status);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	p = sipp("answer_then_drop.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xC0\xFF\xEE", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * RFC 3264 §6 — an offer whose audio we cannot send to is not accepted:
 * a host name in c= (RFC 4566 §5.7 allows one; tapix takes numeric
 * addresses only) or an address of the other family than our media
 * (IPv6 here, the line's media are IPv4) gets 488 Not Acceptable Here,
 * and no call is offered to the application.
 */
static void test_unusable_media_address_is_refused(void **s)
{
	static const char name[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
				   "c=IN IP4 media.example.com\r\nt=0 0\r\n"
				   "m=audio 40000 RTP/AVP 0\r\n",
			  ip6[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
				  "c=IN IP6 ::1\r\nt=0 0\r\n"
				  "m=audio 40000 RTP/AVP 0\r\n";
	struct fx_app a;
	HLINE l;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	assert_int_equal(raw_invite("application/sdp", name, sizeof(name) - 1),
	                 488);
	assert_int_equal(raw_invite("application/sdp", ip6, sizeof(ip6) - 1),
	                 488);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	fx_shutdown(&a);
}

/* A UDP socket bound to 127.0.0.1:@port: the far end's RTP address. */
static int rtp_sink(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Empties @fd of what came so far. */
static void rtp_drain(int fd)
{
	uint8_t b[1500];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* Whether an RTP packet (version 2) reaches @fd within @wait_ms (of
 * quiet: only tapix sends there). */
static bool rtp_comes(int fd, int wait_ms)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	uint8_t b[1500];
	ssize_t r;

	while (poll(&pf, 1, wait_ms) == 1) {
		r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r >= 12 && (b[0] >> 6) == 2)
			return true;
	}
	return false;
}

/*
 * RFC 3264 §8 — a re-INVITE whose offer we cannot use (a host name in
 * c=, an IPv6 address on our IPv4 media) is refused with 488 (SIPp checks
 * both) and the call goes on as it was: CONNECTED, its RTP still going to
 * the old address. Our media then end with the call: after lineDrop no
 * RTP is sent any more (docs/media.md: nothing flows after DISCONNECTED).
 */
static void test_unusable_reoffer_keeps_the_media(void **s)
{
	char port[16];
	LINEMESSAGE m;
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;
	int fd;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	fd = rtp_sink(port_of(20));
	snprintf(port, sizeof(port), "%u", port_of(20));
	p = sipp_keys("reoffer_unusable.xml",
	              (const char *const[]){"rtp_port", port, NULL});
	h = offered(&a, l);
	assert_int_equal(lineMonitorDigits(h, LINEDIGITMODE_DTMF), 0);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	/* the INFO after both re-INVITEs were answered */
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '5');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMF);
	assert_int_equal(fx_state(h), LINECALLSTATE_CONNECTED);
	rtp_drain(fd);
	assert_true(rtp_comes(fd, 5000));
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	rtp_drain(fd); /* sent before the drop */
	assert_false(rtp_comes(fd, 500));
	close(fd);
	sipp_passed(p);
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/*
 * Issue 19 item 5 — an incoming call nobody answers ends after the
 * account's offer_timeout: 480 to the caller, DISCONNECTED (NOANSWER)
 * then IDLE in TAPI (so a call only monitors watch goes too,
 * termination.md §8); the device-specific text says status=480.
 */
static void test_unanswered_call_times_out(void **s)
{
	struct sip_raw inv = {.from_port = sipp_port(),
	                      .to_port = tapix_port(),
	                      .wait_ms = 8000};
	struct fx_app a;
	HLINE l;
	HCALL h;

	(void)s;
	sip_config("offer_timeout = 1");
	fx_app_init(&a, "a");
	l = open_line(&a);
	assert_int_equal(sip_raw_invite(&inv), 480);
	h = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_OFFERING);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_end_info(h, "status=480");
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/* Deallocates every call of @a that went IDLE; returns how many. */
static unsigned deallocate_idle(struct fx_app *a, unsigned wait_ms)
{
	LINEMESSAGE m;
	unsigned n = 0;

	while (fx_wait_try(a, LINE_CALLSTATE, 0, LINECALLSTATE_IDLE, wait_ms,
	                   &m)) {
		assert_int_equal(lineDeallocateCall((HCALL)m.hDevice), 0);
		n++;
	}
	return n;
}

/*
 * Issue 19 item 5 — at most max_incoming calls of an account wait for an
 * answer: the next INVITE gets 486 Busy Here with Retry-After at once and
 * is never offered; an INVITE flood (SIPp, 1000 INVITEs at 250 a second,
 * none answered) gets a final response for every INVITE (486, 480 when
 * offer_timeout ends an offered one, or 503 from the stack under load)
 * and leaves nothing; a call works after it.
 */
static void test_incoming_calls_are_capped(void **s)
{
	char resp[4096];
	/* not from SIPp's port: the 480s of the ringing ones, retransmitted
	 * after this socket closed, would go to the flood's SIPp */
	struct sip_raw inv = {.from_port = port_of(9),
	                      .to_port = tapix_port(),
	                      .wait_ms = 300,
	                      .resp = resp,
	                      .resp_size = sizeof(resp)};
	struct tapix_live live;
	struct fx_app a;
	HLINE l;
	HCALL h[2];
	pid_t p;
	int i;

	(void)s;
	sip_config("max_incoming = 2\noffer_timeout = 1");
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < 2; i++) {
		assert_int_equal(sip_raw_invite(&inv), -1); /* it rings */
		h[i] = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
	}
	inv.wait_ms = 5000;
	assert_int_equal(sip_raw_invite(&inv), 486);
	assert_non_null(strstr(resp, "\r\nRetry-After: 10"));
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	for (i = 0; i < 2; i++) {
		fx_wait(&a, LINE_CALLSTATE, h[i], LINECALLSTATE_IDLE);
		assert_int_equal(lineDeallocateCall(h[i]), 0);
	}
	/* the flood: what is offered goes at its offer_timeout */
	p = sipp_load("invite_flood.xml", 1000, 250);
	sipp_passed(p);
	for (i = 0; i < 100; i++) {
		deallocate_idle(&a, 20);
		fx_live(&live);
		if (live.calls == 0)
			break;
	}
	assert_int_equal(live.calls, 0);
	fx_consume_all(&a); /* the flood's offers are over */
	p = sipp("answer_then_drop.xml", true);
	h[0] = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h[0], NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h[0], LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h[0], "\xC0\xFF\xEE", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, h[0], LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h[0]), 0);
	sipp_passed(p);
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

/*
 * spec: issue 4 §1 (transport tcp) — the same calls over TCP: SIPp calls
 * tapix, tapix drops with UUI; tapix calls SIPp and drops with UUI.
 */
static void test_calls_over_tcp(void **s)
{
	char dest[80];
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("transport = tcp");
	sipp_use_tcp(true);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("answer_then_drop.xml", true);
	h = answered(&a, l);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xC0\xFF\xEE", 3)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	p = sipp_uas("uas_answer_then_bye.xml");
	snprintf(dest, sizeof(dest), "sip:sipp@127.0.0.1:%u;transport=tcp",
	         sipp_port());
	h = make_call_to(&a, l, dest, "\x12\x34");
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xAB\xCD", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/* The call's dwCallFeatures now. */
static DWORD features(HCALL h)
{
	LINECALLSTATUS cs;

	memset(&cs, 0, sizeof(cs));
	cs.dwTotalSize = sizeof(cs);
	assert_int_equal(lineGetCallStatus(h, &cs), 0);
	return cs.dwCallFeatures;
}

/*
 * spec: tapi-functions.md §20, §21; tspi.md §4 (call control succeeds when
 * the operation is done) — lineHold and lineUnhold on a SIP call are
 * re-INVITEs (RFC 3264 §8.4): the audio sendonly, answered recvonly:
 * ONHOLD once the 200 is ACKed; then without sendonly: CONNECTED. The call's
 * features follow (HOLD when connected, UNHOLD when held); a second lineHold is
 * refused at once.
 */
static void test_hold_and_unhold(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_hold.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(features(h) & LINECALLFEATURE_HOLD);
	assert_int_equal(fx_reply(&a, lineHold(h)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_ONHOLD);
	assert_true(features(h) & LINECALLFEATURE_UNHOLD);
	assert_false(features(h) & LINECALLFEATURE_HOLD);
	assert_int_equal(lineHold(h), LINEERR_INVALCALLSTATE);
	assert_int_equal(fx_reply(&a, lineUnhold(h)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: tspi.md §4 — a hold the far end refuses (488): lineHold's
 * LINE_REPLY is LINEERR_OPERATIONFAILED and the call stays CONNECTED.
 */
static void test_hold_refused(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_hold_refused.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineHold(h)), LINEERR_OPERATIONFAILED);
	assert_int_equal(fx_state(h), LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * RFC 3264 §8 — our hold re-INVITE accepted with an answer we cannot use
 * (a host name in c=): lineHold fails (LINEERR_OPERATIONFAILED, as when
 * refused) and the call stays CONNECTED with its media as they were, RTP
 * still going to the old address; they end with the call: after lineDrop
 * no RTP is sent any more (docs/media.md).
 */
static void test_hold_with_unusable_answer_keeps_the_media(void **s)
{
	char port[16];
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;
	int fd;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	fd = rtp_sink(port_of(20));
	snprintf(port, sizeof(port), "%u", port_of(20));
	/* a UAS scenario (it starts with a <recv>), given its key */
	p = sipp_keys("uas_hold_unusable.xml",
	              (const char *const[]){"rtp_port", port, NULL});
	wait_bound(sipp_port());
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(rtp_comes(fd, 5000));
	assert_int_equal(fx_reply(&a, lineHold(h)), LINEERR_OPERATIONFAILED);
	assert_int_equal(fx_state(h), LINECALLSTATE_CONNECTED);
	rtp_drain(fd);
	assert_true(rtp_comes(fd, 5000));
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	rtp_drain(fd); /* sent before the drop */
	assert_false(rtp_comes(fd, 500));
	close(fd);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * Being transferred is not something tapix does: a REFER the far end
 * sends in the dialog is refused (405, with our Allow), the call stays
 * CONNECTED and nothing reaches the application but its own drop.
 */
static void test_refer_received_is_refused(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_refer_received.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	/* SIPp sends the REFER as soon as it has the ACK; it expects the
	 * 405 before our BYE (a second is plenty): still connected */
	usleep(1000 * 1000);
	assert_int_equal(fx_state(h), LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: tapi-functions.md §22 — lineBlindTransfer of a SIP call is a
 * REFER with the destination in Refer-To (RFC 3515); accepted (202) the
 * request succeeds, our leg ends with BYE and the call is IDLE; declined
 * (603) the request fails and the call stays CONNECTED.
 */
static void test_blind_transfer(void **s)
{
	static const char *const scen[] = {"uas_refer.xml",
	                                   "uas_refer_refused.xml"};
	struct fx_app a;
	unsigned i;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < 2; i++) {
		p = sipp_uas(scen[i]);
		h = make_call(&a, l, NULL);
		fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
		assert_true(features(h) & LINECALLFEATURE_BLINDTRANSFER);
		/* nothing is sent for a destination that is no address */
		assert_int_equal(lineBlindTransfer(h, "", 0),
		                 LINEERR_INVALADDRESS);
		if (i == 0) {
			assert_int_equal(
				fx_reply(&a,
			                 lineBlindTransfer(
						 h, "sip:carol@127.0.0.1", 0)),
				0);
			fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
			assert_end_info(h, "ended-by=local");
		} else {
			assert_int_equal(
				fx_reply(&a,
			                 lineBlindTransfer(
						 h, "sip:carol@127.0.0.1", 0)),
				LINEERR_OPERATIONFAILED);
			assert_int_equal(fx_state(h), LINECALLSTATE_CONNECTED);
			assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
			fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
		}
		assert_int_equal(lineDeallocateCall(h), 0);
		sipp_passed(p);
	}
	fx_shutdown(&a);
}

/*
 * Microsoft's lineRedirect / TSPI_lineRedirect — an offered SIP call is
 * deflected unanswered: the INVITE gets 302 Moved Temporarily whose
 * Contact is the destination (RFC 3261 §21.3.3; the caller may retry
 * there, §8.1.3.4), a SIP URI as is (in angle brackets, §20.10) or a
 * dialable number made one as lineMakeCall makes it; SIPp checks the
 * Contact and ACKs. The request succeeds, the call is IDLE with no
 * DISCONNECTED first, LINECALLINFO says we ended it with 302. An address
 * that makes no SIP URI, or a call that is no longer offered, is refused
 * and nothing is sent (SIPp would fail on any other response).
 */
static void test_redirect_sends_302(void **s)
{
	static const struct {
		const char *scenario, *dest;
	} cases[] = {
		{"redirected.xml", "sip:carol@127.0.0.1:5099;transport=udp"},
		{"redirected_number.xml", "555-1234"},
	};
	struct fx_app a;
	unsigned i;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = sipp(cases[i].scenario, true);
		h = offered(&a, l);
		assert_true(features(h) & LINECALLFEATURE_REDIRECT);
		assert_int_equal(lineRedirect(h, NULL, 0),
		                 LINEERR_INVALPOINTER);
		assert_int_equal(lineRedirect(h, "", 0), LINEERR_INVALADDRESS);
		assert_int_equal(lineRedirect(h, "sip:", 0),
		                 LINEERR_INVALADDRESS);
		assert_int_equal(lineRedirect(h, "bob@", 0),
		                 LINEERR_INVALADDRESS);
		assert_int_equal(lineRedirect(h, "9W1", 0),
		                 LINEERR_INVALADDRESS);
		assert_int_equal(fx_state(h), LINECALLSTATE_OFFERING);
		fx_consume_all(&a);
		assert_int_equal(
			fx_reply(&a, lineRedirect(h, cases[i].dest, 0)), 0);
		fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
		assert_int_equal(seen_at(&a, LINE_CALLSTATE, h,
		                         LINECALLSTATE_DISCONNECTED,
		                         LINECALLSTATE_DISCONNECTED),
		                 -1);
		assert_end_info(h, "ended-by=local");
		assert_end_info(h, "status=302");
		assert_false(features(h) & LINECALLFEATURE_REDIRECT);
		assert_int_equal(lineRedirect(h, cases[i].dest, 0),
		                 LINEERR_INVALCALLSTATE);
		assert_int_equal(lineDeallocateCall(h), 0);
		sipp_passed(p);
	}
	fx_shutdown(&a);
}

/*
 * RFC 4733 §2.5 — telephone-events from SIPp (its recording of the
 * digit 1) reach the application that monitors digits: LINE_MONITORDIGITS
 * with '1', LINEDIGITMODE_DTMF at its start and _DTMFEND at its end
 * (Microsoft's lineMonitorDigits).
 */
static void test_digits_from_the_network(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("dtmf_2833.xml", true);
	h = offered(&a, l);
	assert_int_equal(lineMonitorDigits(h, LINEDIGITMODE_DTMF |
	                                              LINEDIGITMODE_DTMFEND),
	                 0);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '1');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMF);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '1');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMFEND);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 10000, NULL));
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 3 — a digit in a SIP INFO (application/dtmf-relay) is
 * received too: LINE_MONITORDIGITS with '5', DTMF then DTMFEND; the INFO
 * is answered 200 (SIPp checks it).
 */
static void test_digits_in_info(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("dtmf_info.xml", true);
	h = offered(&a, l);
	assert_int_equal(lineMonitorDigits(h, LINEDIGITMODE_DTMF |
	                                              LINEDIGITMODE_DTMFEND),
	                 0);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '5');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMF);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '5');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMFEND);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 10000, NULL));
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/* A pcap file (libpcap's format, Ethernet frames) of one RTP stream. */
struct pcap_out {
	FILE *f;
	uint16_t seq;
	uint32_t ts, usec;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void pcap_open(struct pcap_out *o, const char *path)
{
	/* pcap's global header, in our byte order (its magic tells which):
	 * version 2.4, UTC, snapshot length 65535, LINKTYPE_ETHERNET */
	const uint32_t magic = 0xa1b2c3d4, zone = 0, sigfigs = 0,
		       snaplen = 65535, link = 1;
	const uint16_t major = 2, minor = 4;

	memset(o, 0, sizeof(*o));
	o->f = fopen(path, "wb");
	assert_non_null(o->f);
	fwrite(&magic, 4, 1, o->f);
	fwrite(&major, 2, 1, o->f);
	fwrite(&minor, 2, 1, o->f);
	fwrite(&zone, 4, 1, o->f);
	fwrite(&sigfigs, 4, 1, o->f);
	fwrite(&snaplen, 4, 1, o->f);
	fwrite(&link, 4, 1, o->f);
}

/* One RTP packet of 20 ms of PCMU (@pcm: 160 samples), 20 ms after the
 * last: Ethernet, IPv4 127.0.0.1 to itself, UDP 6000 to 6002 (SIPp puts
 * its own ports and addresses), RTP (RFC 3550, payload type 0). */
static void pcap_rtp(struct pcap_out *o, const int16_t pcm[160])
{
	uint8_t pkt[14 + 20 + 8 + 12 + 160] = {0};
	uint8_t *ip = pkt + 14, *udp = ip + 20, *rtp = udp + 8;
	uint32_t rec[4], sum = 0;

	put16(pkt + 12, 0x0800); /* EtherType IPv4; MACs left 0 */
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(sizeof(pkt) - 14));
	put16(ip + 4, o->seq);
	ip[8] = 64;
	ip[9] = 17; /* UDP */
	put32(ip + 12, 0x7f000001);
	put32(ip + 16, 0x7f000001);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	put16(udp, 6000);
	put16(udp + 2, 6002);
	put16(udp + 4, (uint16_t)(8 + 12 + 160)); /* checksum 0: none */
	rtp[0] = 0x80;
	rtp[1] = o->seq == 0 ? 0x80 : 0x00; /* the first has the marker */
	put16(rtp + 2, o->seq);
	put32(rtp + 4, o->ts);
	put32(rtp + 8, 0x1234abcd);
	for (int i = 0; i < 160; i++)
		rtp[12 + i] = linear_to_ulaw(pcm[i]);
	rec[0] = 1000 + o->usec / 1000000;
	rec[1] = o->usec % 1000000;
	rec[2] = rec[3] = sizeof(pkt);
	fwrite(rec, 4, 4, o->f);
	fwrite(pkt, sizeof(pkt), 1, o->f);
	o->seq++;
	o->ts += 160;
	o->usec += 20000;
}

/*
 * Writes to @path the pcap of @digits as DTMF tones in PCMU (spandsp's
 * generator, ITU-T Q.23: -10 dBm0 for each frequency, 70 ms of tone and
 * 70 ms of silence per digit), after 200 ms of silence and with 400 ms
 * after.
 */
static void write_inband_pcap(const char *path, const char *digits)
{
	dtmf_tx_state_t *tx = dtmf_tx_init(NULL);
	struct pcap_out o;
	int16_t pcm[160];
	int i, got, tail = 0;

	assert_non_null(tx);
	dtmf_tx_set_level(tx, -10, 0);
	dtmf_tx_set_timing(tx, 70, 70);
	pcap_open(&o, path);
	memset(pcm, 0, sizeof(pcm));
	for (i = 0; i < 10; i++)
		pcap_rtp(&o, pcm);
	assert_int_equal(dtmf_tx_put(tx, digits, -1), 0);
	while (tail < 20) {
		got = dtmf_tx(tx, pcm, 160);
		if (got < 160) {
			memset(pcm + got, 0, sizeof(pcm[0]) * (160 - got));
			tail++; /* the digits are out: silence */
		}
		pcap_rtp(&o, pcm);
	}
	assert_int_equal(fclose(o.f), 0);
	dtmf_tx_free(tx);
}

/* The digits of @h's LINE_MONITORDIGITS (mode @mode) in @a's history,
 * in the order they came. */
static void monitored(const struct fx_app *a, HCALL h, DWORD mode, char *out,
                      size_t size)
{
	size_t n = 0;

	for (unsigned i = 0; i < a->nseen && n + 1 < size; i++)
		if (a->seen[i].dwMessageID == LINE_MONITORDIGITS &&
		    a->seen[i].hDevice == h && a->seen[i].dwParam2 == mode)
			out[n++] = (char)a->seen[i].dwParam1;
	out[n] = '\0';
}

/*
 * Issue 17 item 3, ITU-T Q.23/Q.24 — a caller that offers no
 * telephone-event (PCMU only) sends its digits as tones in the audio:
 * SIPp plays RTP the test made (spandsp's DTMF generator, G.711 µ-law)
 * and the TAPI application monitoring digits gets LINE_MONITORDIGITS,
 * LINEDIGITMODE_DTMF, for each of "159#", in order, and no other. The
 * offer's a=ptime is @ptime.
 */
static void inband_digits_from_the_network(const char *ptime)
{
	struct fx_app a;
	char pcap[512], got[32];
	LINEMESSAGE m;
	HLINE l;
	HCALL h;
	pid_t p;

	fx_tmp_path(pcap, sizeof(pcap), "inband_159.pcap");
	write_inband_pcap(pcap, "159#");
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_keys("dtmf_inband.xml",
	              (const char *const[]){"inband_pcap", pcap, "ptime", ptime,
	                                    NULL});
	h = offered(&a, l);
	assert_int_equal(lineMonitorDigits(h, LINEDIGITMODE_DTMF), 0);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '1');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMF);
	m = fx_wait(&a, LINE_MONITORDIGITS, h, '#');
	assert_int_equal(m.dwParam2, LINEDIGITMODE_DTMF);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 10000, NULL));
	monitored(&a, h, LINEDIGITMODE_DTMF, got, sizeof(got));
	assert_string_equal(got, "159#");
	drop_to_idle(&a, h);
	sipp_passed(p);
	unlink(pcap);
	fx_shutdown(&a);
}

static void test_inband_digits_from_the_network(void **s)
{
	(void)s;
	inband_digits_from_the_network("20");
}

/*
 * Issue 17 item 7, an absurd ptime: RFC 4566 §6 makes a=ptime a hint;
 * one of 100,000 ms (or 7, not a whole number of 10 ms frames) is not
 * taken, and the call's media runs at 20 ms (providers/sip/media.c):
 * the in-band digits of SIPp's 20 ms packets are all heard, in order.
 * (Taken as the stream's ptime, 100,000 ms would be refused by
 * media_session_set and the call would have no media at all.)
 */
static void test_absurd_ptime_is_not_taken(void **s)
{
	(void)s;
	inband_digits_from_the_network("100000");
	inband_digits_from_the_network("7");
}

/*
 * The INFO digit tests' start: tapix with @config ([sip] keys) calls SIPp
 * running @scenario (*@p) from app @a; the call's handle, CONNECTED.
 */
static HCALL info_call(struct fx_app *a, const char *config,
                       const char *scenario, pid_t *p)
{
	HLINE l;
	HCALL h;

	sip_config(config);
	fx_app_init(a, "a");
	l = open_line(a);
	*p = sipp_uas(scenario);
	h = make_call(a, l, NULL);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	return h;
}

/*
 * Issue 17 item 3 — with dtmf = info (tapix-sip(7)), lineGenerateDigits
 * sends each digit as a SIP INFO, application/dtmf-relay with
 * "Signal=D" and "Duration=" the request's ms (the de-facto format SIP
 * peers take), one at a time, ',' a pause; SIPp checks each type and
 * body, in order ("1,5#"), and LINE_GENERATE(DONE) ends the request
 * (Microsoft's lineGenerateDigits).
 */
static void test_digits_sent_in_info(void **s)
{
	struct fx_app a;
	pid_t p;
	HCALL h;

	(void)s;
	h = info_call(&a, "dtmf = info\n", "uas_info_digits.xml", &p);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "1,5#", 120),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 3, RFC 6086 §4.2.2 — a digit's INFO refused (SIPp
 * answers 415): the request ends with LINE_GENERATE(CANCEL), not DONE,
 * and its other digits do not go (SIPp waits for the BYE and fails on
 * another INFO).
 */
static void test_info_digit_refused(void **s)
{
	struct fx_app a;
	pid_t p;
	HCALL h;

	(void)s;
	h = info_call(&a, "dtmf = info\n", "uas_info_refused.xml", &p);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "12", 120),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_CANCEL);
	drop_to_idle(&a, h);
	assert_int_equal(seen_at(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE,
	                         ~(DWORD_PTR)0),
	                 -1);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * A digit's INFO challenged (401, Digest) is sent again with the
 * account's credentials, as an INVITE is (RFC 3261 §22.2), and goes
 * through: LINE_GENERATE(DONE). SIPp checks the response against the
 * password and refuses a wrong one (403: CANCEL).
 */
static void test_info_digit_challenged(void **s)
{
	struct fx_app a;
	pid_t p;
	HCALL h;

	(void)s;
	h = info_call(&a, "dtmf = info\npassword = info-secret\n",
	              "uas_info_auth.xml", &p);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "1", 120),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	assert_int_equal(seen_at(&a, LINE_GENERATE, h, LINEGENERATETERM_CANCEL,
	                         ~(DWORD_PTR)0),
	                 -1);
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * A digit's INFO challenged again after it went with the credentials:
 * that digit ends with LINE_GENERATE(CANCEL), and the request is let go,
 * so the next digit's INFO goes out (sofia-sip holds a challenged request
 * until it gets credentials, and the dialog's next ones behind it).
 */
static void test_info_digit_challenged_twice(void **s)
{
	struct fx_app a;
	pid_t p;
	HCALL h;

	(void)s;
	h = info_call(&a, "dtmf = info\npassword = info-secret\n",
	              "uas_info_auth_twice.xml", &p);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "1", 120),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_CANCEL);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "2", 120),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/* The registration as the line reports it (tapix-sip(7)): "ok",
 * "failed", "pending". */
static bool registration_is(HLINE l, const char *state)
{
	char buf[512], want[64];
	LPLINEDEVSTATUS ds = (LPLINEDEVSTATUS)buf;

	memset(buf, 0, sizeof(buf));
	ds->dwTotalSize = sizeof(buf);
	assert_int_equal(lineGetLineDevStatus(l, ds), 0);
	snprintf(want, sizeof(want), "registration=%s\n", state);
	return ds->dwDevSpecificSize &&
	       strstr(buf + ds->dwDevSpecificOffset, want) != NULL;
}

/*
 * RFC 7616 §3.3 (RFC 2617 §3.2.1), stale=true: "the previous request
 * from the client was rejected because the nonce value was stale"; the
 * client retries with the new nonce, the same credentials. SIPp, the
 * registrar, challenges the REGISTER, then challenges its credentials
 * once more with a new nonce and stale=true: the line registers with the
 * new nonce (SIPp checks both nonces and both responses). sofia-sip's
 * credential cache answers that one (on_register never sees it). Without
 * stale=true the same scenario fails the registration, as a second
 * challenge must (Kamailio's wrong password).
 */
static void test_register_after_stale_nonce(void **s)
{
	struct timespec step = {0, 20 * 1000 * 1000};
	struct fx_app a;
	char extra[256];
	unsigned i;
	HLINE l;
	pid_t p;

	(void)s;
	snprintf(extra, sizeof(extra),
	         "registrar = sip:127.0.0.1:%u\nuser = tapix\n"
	         "password = reg-secret\n",
	         sipp_port());
	sip_config(extra);
	p = sipp_uas("reg_stale_nonce.xml");
	fx_app_init(&a, "a");
	l = open_line(&a);
	for (i = 0; i < 500 && !registration_is(l, "ok") &&
	            !registration_is(l, "failed");
	     i++)
		nanosleep(&step, NULL);
	assert_true(registration_is(l, "ok"));
	fx_shutdown(&a); /* the unregistration */
	sipp_passed(p);
}

/*
 * Issue 17 item 3, tapix-sip(7) dtmf = rfc4733 — digits go as RFC 4733
 * events only: on a call whose SDP agreed no telephone-event (SIPp
 * answers PCMU alone), lineGenerateDigits fails with
 * LINEERR_OPERATIONUNAVAIL instead of playing tones; NULL (nothing to
 * cancel) still succeeds.
 */
static void test_rfc4733_only_without_telephone_event(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("dtmf = rfc4733\n");
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp_uas("uas_answer_then_bye.xml");
	h = make_call(&a, l, "\x12\x34");
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "12", 100),
	                 LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, NULL, 0), 0);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xAB\xCD", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 3, Microsoft's lineGenerateDigits ("NULL cancels the
 * generation in progress"; LINEGENERATETERM_CANCEL) — with dtmf = info:
 * a request cancelled after its first INFO ends with LINE_GENERATE(CANCEL)
 * and sends no more; the next request is sent (SIPp checks both);
 * a request going when the call is dropped ends with CANCEL too.
 */
static void test_info_digits_cancelled(void **s)
{
	struct fx_app a;
	pid_t p;
	HCALL h;

	(void)s;
	h = info_call(&a, "dtmf = info\n", "uas_info_cancel.xml", &p);
	assert_int_equal(lineMonitorDigits(h, LINEDIGITMODE_DTMF), 0);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "99", 1000),
	                 0);
	/* SIPp's own INFO: it has had the first 9 */
	fx_wait(&a, LINE_MONITORDIGITS, h, '4');
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, NULL, 0), 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_CANCEL);
	/* SIPp's next, 3 s on: no second 9 came meanwhile (SIPp fails on
	 * an INFO it does not expect) */
	fx_wait(&a, LINE_MONITORDIGITS, h, '6');
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "7", 100),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "88", 2500),
	                 0);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_CANCEL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 2, RFC 4568 §7.1.2 — an account that must have SRTP
 * refuses a plain RTP offer with 488 before the application hears of it,
 * and one without SRTP refuses an RTP/SAVP offer the same way.
 */
static void test_plain_offer_to_srtp_account_is_refused(void **s)
{
	static const char plain[] = SDP_HEAD "m=audio 40000 RTP/AVP 0\r\n",
			  savp[] = SDP_HEAD
			  "m=audio 40000 RTP/SAVP 0\r\n"
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
			  "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n";
	struct fx_app a;
	HLINE l;

	(void)s;
	sip_config("srtp = mandatory\n");
	fx_app_init(&a, "a");
	l = open_line(&a);
	assert_int_equal(
		raw_invite("application/sdp", plain, sizeof(plain) - 1), 488);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	fx_shutdown(&a);
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	assert_int_equal(raw_invite("application/sdp", savp, sizeof(savp) - 1),
	                 488);
	fx_pump(&a);
	assert_false(fx_wait_try(&a, LINE_APPNEWCALL, l, FX_ANY, 200, NULL));
	fx_shutdown(&a);
}

/*
 * Issue 17 item 7 — a peer that never sends media: with rtp_timeout the
 * provider ends the connected call itself (a BYE), DISCONNECTED with
 * LINEDISCONNECTMODE_TEMPFAILURE and reason=rtp-timeout (tapix-sip(7)).
 */
static void test_silent_peer_times_out(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("rtp_timeout = 2\n");
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("silent_caller.xml", true);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 10000, &m));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_TEMPFAILURE);
	assert_end_info(h, "reason=rtp-timeout");
	assert_end_info(h, "ended-by=local");
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * tapix-sip(7) rtp_timeout — "a connected call that receives no RTP for
 * this long ... is ended": also when it rang longer than that first (the
 * time-out counts while connected; one while offered neither ends the
 * call nor is lost). The call stays offered past rtp_timeout, is answered,
 * and with no RTP ever ends: a BYE (SIPp checks it), DISCONNECTED,
 * TEMPFAILURE, reason=rtp-timeout.
 */
static void test_silent_peer_times_out_after_long_ringing(void **s)
{
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("rtp_timeout = 1\n");
	fx_app_init(&a, "a");
	l = open_line(&a);
	p = sipp("silent_caller.xml", true);
	h = offered(&a, l);
	/* it rings for more than rtp_timeout, and is not ended for it */
	assert_false(fx_wait_try(&a, LINE_CALLSTATE, h,
	                         LINECALLSTATE_DISCONNECTED, 2500, NULL));
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 10000, &m));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_TEMPFAILURE);
	assert_end_info(h, "reason=rtp-timeout");
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_answer_then_drop_sends_bye_with_uui, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_before_ack_waits_for_it, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_offered_rejects_with_uui, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_drop_hint_chooses_rejection, setup, teardown),
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
			test_gather_while_ringing_times_out, setup, teardown),
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
		cmocka_unit_test_setup_teardown(test_malformed_sdp_is_refused,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unusable_media_address_is_refused, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_unusable_reoffer_keeps_the_media, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digits_from_the_network,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_peer_times_out,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_silent_peer_times_out_after_long_ringing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_digits_in_info, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_inband_digits_from_the_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absurd_ptime_is_not_taken,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_digits_sent_in_info, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_info_digits_cancelled,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rfc4733_only_without_telephone_event, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_info_digit_refused, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_info_digit_challenged,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_info_digit_challenged_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_after_stale_nonce,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_plain_offer_to_srtp_account_is_refused, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_call_times_out,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_incoming_calls_are_capped,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_from_the_network,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_calls_over_tcp, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_hold_and_unhold, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_hold_refused, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_hold_with_unusable_answer_keeps_the_media, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_refer_received_is_refused,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_blind_transfer, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_redirect_sends_302, setup,
	                                        teardown),
	};
	static const char *const needed[] = {"sipp", NULL};

	if (!interop_init(25100, needed))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
