/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcall (providers/media/tcall.h), the TSPI side of a call's media, on
 * 127.0.0.1: two calls' media in one media thread, each the other's
 * peer, with a LINEEVENT procedure that records what it is sent. A sends
 * digits (tcall_generate), B gathers them (tcall_gather, TSPI_lineGatherDigits
 * of esp and sip) and monitors them (tcall_monitor).
 *
 * What is checked is include/tspi.h's TSPI_lineGatherDigits and
 * Microsoft's lineGatherDigits, TSPI_lineGatherDigits, LINE_GATHERDIGITS
 * and LINEGATHERTERM_ pages: each gathering ends once, with the reason,
 * its end-to-end id and a tick count; the buffer holds the digits, a NUL
 * after them when fewer than asked for ("The buffer contains only the NULL
 * character" after a first-digit time-out); it is written just before
 * LINE_GATHERDIGITS (checked at every other event while it runs), never
 * after (refilled after it, then checked again later).
 *
 * Without telephone-event, tcall_generate sends the digits in band (DTMF
 * tones, ITU-T Q.23) and the other side's in-band detection hears them:
 * monitored and gathered in order, cancelled by a new request or NULL.
 *
 * Waits are bounded polls; times are checked only as lower bounds (a
 * time-out never ends early). Runs in a network namespace of its own where
 * it can (fixed ports).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "media.h"
#include "tcall.h"

#define PORT_MIN   41400
#define PORT_MAX   41599
#define WAIT_MS    8000 /* a bound on any wait: the machine may be busy */
#define MAX_EVENTS 256
#define MAX_WATCH  16
#define BUF        32  /* the gathering buffers' size (room asked: less) */
#define CANARY     '~' /* what a buffer holds until it is written */
#define DIGIT_MS   60  /* each digit A sends, and the gap after it */

#define HTC_A ((HTAPICALL)(uintptr_t)0xA)
#define HTC_B ((HTAPICALL)(uintptr_t)0xB)
#define HTL   ((HTAPILINE)(uintptr_t)0x1)

/* An event the LINEEVENT procedure was sent. */
struct event {
	HTAPICALL htc;
	DWORD msg;
	DWORD_PTR p1, p2, p3;
	char snap[BUF]; /* LINE_GATHERDIGITS: its buffer, as it was then */
};

/* A gathering buffer the recorder knows of, by its end-to-end id. */
struct watched {
	HTAPICALL htc;
	DWORD id;
	char *buf;
	bool ended; /* its LINE_GATHERDIGITS came */
};

static struct {
	pthread_mutex_t lock;
	struct event ev[MAX_EVENTS];
	unsigned n;
	struct watched w[MAX_WATCH];
	unsigned nw;
	unsigned early;   /* a running gathering's buffer found written */
	unsigned foreign; /* an event naming no call of ours */
} rec = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool all_canary(const char *buf)
{
	for (size_t i = 0; i < BUF; i++)
		if (buf[i] != CANARY)
			return false;
	return true;
}

static void CALLBACK on_event(HTAPILINE htl, HTAPICALL htc, DWORD msg,
                              DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
	struct event *e;

	pthread_mutex_lock(&rec.lock);
	if (htl != HTL || (htc != HTC_A && htc != HTC_B))
		rec.foreign++;
	/* tspi.h: the buffer of a gathering running is not written yet */
	for (unsigned i = 0; i < rec.nw; i++)
		if (!rec.w[i].ended && rec.w[i].htc == htc &&
		    !(msg == LINE_GATHERDIGITS && p2 == rec.w[i].id) &&
		    !all_canary(rec.w[i].buf))
			rec.early++;
	if (rec.n < MAX_EVENTS) {
		e = &rec.ev[rec.n++];
		memset(e, 0, sizeof(*e));
		e->htc = htc;
		e->msg = msg;
		e->p1 = p1;
		e->p2 = p2;
		e->p3 = p3;
		for (unsigned i = 0; msg == LINE_GATHERDIGITS && i < rec.nw;
		     i++)
			if (rec.w[i].htc == htc && rec.w[i].id == p2 &&
			    !rec.w[i].ended) {
				memcpy(e->snap, rec.w[i].buf, BUF);
				rec.w[i].ended = true;
			}
	}
	pthread_mutex_unlock(&rec.lock);
}

static void rec_reset(void)
{
	pthread_mutex_lock(&rec.lock);
	rec.n = 0;
	rec.nw = 0;
	rec.early = 0;
	rec.foreign = 0;
	pthread_mutex_unlock(&rec.lock);
}

/* @buf filled with the canary, and known as gathering @id's of @htc. */
static void watch(HTAPICALL htc, DWORD id, char *buf)
{
	memset(buf, CANARY, BUF);
	pthread_mutex_lock(&rec.lock);
	assert_true(rec.nw < MAX_WATCH);
	rec.w[rec.nw++] = (struct watched){htc, id, buf, false};
	pthread_mutex_unlock(&rec.lock);
}

/* Events of @htc with @msg (and dwParam2 @p2 unless it is ~0). */
static unsigned count(HTAPICALL htc, DWORD msg, DWORD_PTR p2)
{
	unsigned k = 0;

	pthread_mutex_lock(&rec.lock);
	for (unsigned i = 0; i < rec.n; i++)
		if (rec.ev[i].htc == htc && rec.ev[i].msg == msg &&
		    (p2 == (DWORD_PTR)~0u || rec.ev[i].p2 == p2))
			k++;
	pthread_mutex_unlock(&rec.lock);
	return k;
}

/* Events of @htc in all. */
static unsigned count_all(HTAPICALL htc)
{
	unsigned k = 0;

	pthread_mutex_lock(&rec.lock);
	for (unsigned i = 0; i < rec.n; i++)
		k += rec.ev[i].htc == htc;
	pthread_mutex_unlock(&rec.lock);
	return k;
}

/* The @k-th event (from 0) of @htc with @msg; false if none. */
static bool nth(HTAPICALL htc, DWORD msg, unsigned k, struct event *out)
{
	bool found = false;

	pthread_mutex_lock(&rec.lock);
	for (unsigned i = 0; i < rec.n && !found; i++)
		if (rec.ev[i].htc == htc && rec.ev[i].msg == msg && !k--) {
			*out = rec.ev[i];
			found = true;
		}
	pthread_mutex_unlock(&rec.lock);
	return found;
}

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Waits until @htc had @n events @msg (dwParam2 @p2 unless ~0). */
static bool wait_count(HTAPICALL htc, DWORD msg, DWORD_PTR p2, unsigned n)
{
	uint64_t end = ms_now() + WAIT_MS;

	while (ms_now() < end) {
		if (count(htc, msg, p2) >= n)
			return true;
		usleep(2000);
	}
	return count(htc, msg, p2) >= n;
}

#define ANY ((DWORD_PTR)~0u)

/* The one LINE_GATHERDIGITS of gathering @id of @htc, waited for. */
static struct event gathered(HTAPICALL htc, DWORD id)
{
	struct event e;

	assert_true(wait_count(htc, LINE_GATHERDIGITS, id, 1));
	pthread_mutex_lock(&rec.lock);
	for (unsigned i = 0; i < rec.n; i++)
		if (rec.ev[i].htc == htc &&
		    rec.ev[i].msg == LINE_GATHERDIGITS && rec.ev[i].p2 == id)
			e = rec.ev[i];
	pthread_mutex_unlock(&rec.lock);
	return e;
}

/* @e's buffer was @digits, then a NUL if @nul, the rest untouched. */
static void expect_snap(const struct event *e, const char *digits, bool nul)
{
	size_t n = strlen(digits), i;

	assert_memory_equal(e->snap, digits, n);
	i = n;
	if (nul)
		assert_int_equal(e->snap[i++], '\0');
	for (; i < BUF; i++)
		assert_int_equal(e->snap[i], CANARY);
}

/* A's digits sent, A told so (LINE_GENERATE DONE), and a little more for
 * the last of them to reach B. */
static void sent(DWORD gen_id)
{
	struct event e;
	unsigned k = 0;

	assert_true(wait_count(HTC_A, LINE_GENERATE, gen_id, 1));
	while (nth(HTC_A, LINE_GENERATE, k, &e) && e.p2 != gen_id)
		k++;
	assert_int_equal(e.p1, LINEGENERATETERM_DONE);
	usleep(150 * 1000);
}

static struct media *m;

static struct tcall *open_end(HTAPICALL htc)
{
	struct tcall *t = NULL;

	assert_int_equal(tcall_new(m, "127.0.0.1", on_event, HTL, htc, &t), 0);
	assert_non_null(t);
	return t;
}

static struct media_stream stream(uint16_t peer_port, bool dtmf)
{
	struct media_stream st;

	memset(&st, 0, sizeof(st));
	st.codec = CODEC_PCMU;
	st.pt = 0;
	st.pcm_rate = 8000;
	st.has_dtmf = dtmf;
	st.dtmf_pt = 101;
	memcpy(st.remote_addr, "127.0.0.1", sizeof("127.0.0.1"));
	st.remote_port = peer_port;
	st.send = true;
	st.recv = true;
	return st;
}

/* @a and @b each other's peer; telephone-events agreed if @dtmf. */
static void connect_ends(struct tcall *a, struct tcall *b, bool dtmf)
{
	struct media_stream st;

	st = stream(tcall_port(a), dtmf);
	assert_int_equal(tcall_set(b, &st), 0);
	st = stream(tcall_port(b), dtmf);
	assert_int_equal(tcall_set(a, &st), 0);
}

struct pair {
	struct tcall *a, *b;
};

static int setup(void **state)
{
	static struct pair p;

	rec_reset();
	p.a = open_end(HTC_A);
	p.b = open_end(HTC_B);
	connect_ends(p.a, p.b, true);
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	tcall_free(p->a);
	tcall_free(p->b);
	assert_int_equal(media_sessions(m), 0);
	pthread_mutex_lock(&rec.lock);
	assert_int_equal(rec.early, 0);
	assert_int_equal(rec.foreign, 0);
	pthread_mutex_unlock(&rec.lock);
	return 0;
}

static int group_setup(void **state)
{
	struct media_config cfg = {.port_min = PORT_MIN, .port_max = PORT_MAX};

	(void)state;
	return media_start(&m, &cfg);
}

static int group_teardown(void **state)
{
	(void)state;
	media_stop(m);
	return 0;
}

/* ---- the tests ----------------------------------------------------------- */

/*
 * LINEGATHERTERM_BUFFERFULL, "The requested number of digits has been
 * gathered": three of "1234" fill a buffer of three, no NUL after them
 * (lineGatherDigits: the NUL only when fewer came); timeouts 0 wait for
 * ever; the fourth digit is not written anywhere.
 */
static void test_gather_buffer_full(void **state)
{
	struct pair *p = *state;
	char buf[BUF];
	struct event e;
	DWORD t0 = tcall_ticks();

	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	watch(HTC_B, 100, buf);
	assert_int_equal(
		tcall_gather(p->b, 100, LINEDIGITMODE_DTMF, buf, 3, NULL, 0, 0),
		0);
	assert_int_equal(
		tcall_generate(p->a, 1, LINEDIGITMODE_DTMF, "1234", DIGIT_MS),
		0);
	e = gathered(HTC_B, 100);
	assert_int_equal(e.p1, LINEGATHERTERM_BUFFERFULL);
	assert_true(e.p3 - t0 < 0x80000000u); /* a tick count, not before */
	expect_snap(&e, "123", false);
	/* never after its LINE_GATHERDIGITS */
	memset(buf, CANARY, BUF);
	sent(1);
	assert_true(all_canary(buf));
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
}

/*
 * LINEGATHERTERM_TERMDIGIT, "The matched termination digit is the last
 * digit in the buffer": "12#45" with "#" gives "12#" and a NUL; a
 * termination digit that also fills the buffer ends it as TERMDIGIT.
 */
static void test_gather_termination_digit(void **state)
{
	struct pair *p = *state;
	char buf[BUF], full[BUF];
	struct event e;

	watch(HTC_B, 200, buf);
	assert_int_equal(
		tcall_gather(p->b, 200, LINEDIGITMODE_DTMF, buf, 10, "#", 0, 0),
		0);
	assert_int_equal(
		tcall_generate(p->a, 2, LINEDIGITMODE_DTMF, "12#45", DIGIT_MS),
		0);
	e = gathered(HTC_B, 200);
	assert_int_equal(e.p1, LINEGATHERTERM_TERMDIGIT);
	expect_snap(&e, "12#", true);
	memset(buf, CANARY, BUF);
	sent(2);
	assert_true(all_canary(buf));

	watch(HTC_B, 201, full);
	assert_int_equal(tcall_gather(p->b, 201, LINEDIGITMODE_DTMF, full, 3,
	                              "93", 0, 0),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 3, LINEDIGITMODE_DTMF, "123", DIGIT_MS),
		0);
	e = gathered(HTC_B, 201);
	assert_int_equal(e.p1, LINEGATHERTERM_TERMDIGIT);
	expect_snap(&e, "123", false);
	sent(3);
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 2);
}

/*
 * LINEGATHERTERM_FIRSTTIMEOUT, "The buffer contains no digits"
 * (lineGatherDigits: "only the NULL character"), not before
 * dwFirstDigitTimeout ms (the tick count of the message).
 */
static void test_gather_first_timeout(void **state)
{
	struct pair *p = *state;
	char buf[BUF];
	struct event e;
	DWORD t0 = tcall_ticks();

	watch(HTC_B, 300, buf);
	assert_int_equal(tcall_gather(p->b, 300, LINEDIGITMODE_DTMF, buf, 5,
	                              "#", 300, 1000),
	                 0);
	e = gathered(HTC_B, 300);
	assert_int_equal(e.p1, LINEGATHERTERM_FIRSTTIMEOUT);
	assert_true(e.p3 - t0 >= 300);
	expect_snap(&e, "", true);
	memset(buf, CANARY, BUF);
	usleep(400 * 1000); /* the inter-digit time-out is not armed */
	assert_true(all_canary(buf));
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
}

/*
 * LINEGATHERTERM_INTERTIMEOUT, "The buffer contains at least one digit":
 * "12" then nothing gives "12" and a NUL, dwInterDigitTimeout ms after
 * the start of the last digit at the earliest; a first-digit time-out
 * stops counting at the first digit.
 */
static void test_gather_inter_timeout(void **state)
{
	struct pair *p = *state;
	char buf[BUF];
	struct event e, d;

	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	watch(HTC_B, 400, buf);
	assert_int_equal(tcall_gather(p->b, 400, LINEDIGITMODE_DTMF, buf, 10,
	                              NULL, 2000, 400),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 4, LINEDIGITMODE_DTMF, "12", DIGIT_MS), 0);
	e = gathered(HTC_B, 400);
	assert_int_equal(e.p1, LINEGATHERTERM_INTERTIMEOUT);
	expect_snap(&e, "12", true);
	assert_true(nth(HTC_B, LINE_MONITORDIGITS, 1, &d));
	assert_int_equal(d.p1, '2');
	assert_true(e.p3 - d.p3 >= 400);
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
}

/*
 * lpsDigits NULL: "the digit gathering currently in progress on the call
 * is canceled" (TSPI_lineGatherDigits), LINEGATHERTERM_CANCEL; tspi.h:
 * sent before the call returns, with the digits so far (lineGatherDigits:
 * "any digits collected up to that point are copied to the buffer").
 * Timeouts: the first-digit one stops at the first digit, an inter-digit
 * one of 0 waits for ever. A second NULL cancels nothing.
 */
static void test_gather_cancel_null(void **state)
{
	struct pair *p = *state;
	char buf[BUF];
	struct event e;

	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	watch(HTC_B, 500, buf);
	assert_int_equal(tcall_gather(p->b, 500, LINEDIGITMODE_DTMF, buf, 10,
	                              "#", 1000, 0),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 5, LINEDIGITMODE_DTMF, "1", DIGIT_MS), 0);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 1));
	sent(5);
	usleep(1200 * 1000); /* past the first-digit time-out */
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 0);
	assert_true(all_canary(buf));
	assert_int_equal(
		tcall_gather(p->b, 0, LINEDIGITMODE_DTMF, NULL, 0, NULL, 0, 0),
		0);
	/* before it returned */
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, 500), 1);
	assert_true(nth(HTC_B, LINE_GATHERDIGITS, 0, &e));
	assert_int_equal(e.p1, LINEGATHERTERM_CANCEL);
	expect_snap(&e, "1", true);
	memset(buf, CANARY, BUF);
	assert_int_equal(
		tcall_gather(p->b, 0, LINEDIGITMODE_DTMF, NULL, 0, NULL, 0, 0),
		0);
	assert_int_equal(
		tcall_generate(p->a, 6, LINEDIGITMODE_DTMF, "2", DIGIT_MS), 0);
	sent(6);
	assert_true(all_canary(buf));
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
}

/*
 * A new request while one runs: the old one ends first, CANCEL with its
 * digits, before the call returns (tspi.h); the new one goes on alone.
 */
static void test_gather_new_request_cancels(void **state)
{
	struct pair *p = *state;
	char one[BUF], two[BUF];
	struct event e;

	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	watch(HTC_B, 600, one);
	assert_int_equal(
		tcall_gather(p->b, 600, LINEDIGITMODE_DTMF, one, 5, NULL, 0, 0),
		0);
	assert_int_equal(
		tcall_generate(p->a, 7, LINEDIGITMODE_DTMF, "1", DIGIT_MS), 0);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 1));
	sent(7);
	watch(HTC_B, 601, two);
	assert_int_equal(
		tcall_gather(p->b, 601, LINEDIGITMODE_DTMF, two, 2, NULL, 0, 0),
		0);
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
	assert_true(nth(HTC_B, LINE_GATHERDIGITS, 0, &e));
	assert_int_equal(e.p2, 600);
	assert_int_equal(e.p1, LINEGATHERTERM_CANCEL);
	expect_snap(&e, "1", true);
	memset(one, CANARY, BUF);
	assert_int_equal(
		tcall_generate(p->a, 8, LINEDIGITMODE_DTMF, "23", DIGIT_MS), 0);
	e = gathered(HTC_B, 601);
	assert_int_equal(e.p1, LINEGATHERTERM_BUFFERFULL);
	expect_snap(&e, "23", false);
	sent(8);
	assert_true(all_canary(one));
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 2);
}

/*
 * Gathering and lineMonitorDigits at once, each on its own: every edge
 * is monitored (start and end), each digit gathered once, at its start
 * (also a SIP INFO digit, tcall_digit, told as a start and an end).
 */
static void test_gather_and_monitor(void **state)
{
	struct pair *p = *state;
	char buf[BUF], info[BUF], alone[BUF];
	const char *seq = "1234";
	struct event e;

	assert_int_equal(
		tcall_monitor(p->b, LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND),
		0);
	watch(HTC_B, 700, buf);
	assert_int_equal(
		tcall_gather(p->b, 700, LINEDIGITMODE_DTMF, buf, 4, NULL, 0, 0),
		0);
	assert_int_equal(
		tcall_generate(p->a, 9, LINEDIGITMODE_DTMF, seq, DIGIT_MS), 0);
	e = gathered(HTC_B, 700);
	assert_int_equal(e.p1, LINEGATHERTERM_BUFFERFULL);
	expect_snap(&e, "1234", false);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 8));
	for (unsigned i = 0; i < 8; i++) {
		assert_true(nth(HTC_B, LINE_MONITORDIGITS, i, &e));
		assert_int_equal(e.p1, seq[i / 2]);
		assert_int_equal(e.p2, i % 2 ? LINEDIGITMODE_DTMFEND
		                             : LINEDIGITMODE_DTMF);
	}
	sent(9);

	/* SIP INFO: a start and an end, gathered once each */
	watch(HTC_B, 701, info);
	assert_int_equal(tcall_gather(p->b, 701, LINEDIGITMODE_DTMF, info, 2,
	                              NULL, 0, 0),
	                 0);
	tcall_digit(p->b, '5');
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, 701), 0);
	tcall_digit(p->b, '6');
	e = gathered(HTC_B, 701);
	assert_int_equal(e.p1, LINEGATHERTERM_BUFFERFULL);
	expect_snap(&e, "56", false);
	assert_int_equal(count(HTC_B, LINE_MONITORDIGITS, ANY), 12);

	/* gathering without monitoring */
	assert_int_equal(tcall_monitor(p->b, 0), 0);
	watch(HTC_B, 702, alone);
	assert_int_equal(tcall_gather(p->b, 702, LINEDIGITMODE_DTMF, alone, 1,
	                              NULL, 0, 0),
	                 0);
	tcall_digit(p->b, '7');
	e = gathered(HTC_B, 702);
	expect_snap(&e, "7", false);
	assert_int_equal(count(HTC_B, LINE_MONITORDIGITS, ANY), 12);
}

/*
 * What is refused, each with its LINEERR_ (lineGatherDigits' return
 * values; tcall.h), the buffer untouched and the gathering running left
 * as it was: a mode without DTMF (PULSE is never detected on RTP) or with
 * another bit, dwNumDigits 0, a termination digit that is no DTMF digit,
 * a time-out outside LINEDEVCAPS' dwGatherDigitsMinTimeout -
 * dwGatherDigitsMaxTimeout. Taken: DTMF | PULSE, 'a'-'d' in the
 * termination digits (matching 'A'-'D'), the bounds and 0.
 */
static void test_gather_bad_arguments(void **state)
{
	struct pair *p = *state;
	char run[BUF], bad[BUF], ok[4][BUF];
	struct event e;
	const DWORD dtmf = LINEDIGITMODE_DTMF;
	const DWORD lo = TCALL_GATHER_MIN_TIMEOUT,
		    hi = TCALL_GATHER_MAX_TIMEOUT;
	DWORD id = 810;

	watch(HTC_B, 800, run);
	assert_int_equal(tcall_gather(p->b, 800, dtmf, run, 5, NULL, 0, 0), 0);
	watch(HTC_B, 801, bad);
	assert_int_equal(tcall_gather(p->b, 801, 0, bad, 5, NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(tcall_gather(p->b, 801, LINEDIGITMODE_PULSE, bad, 5,
	                              NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(tcall_gather(p->b, 801, LINEDIGITMODE_DTMFEND, bad, 5,
	                              NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(
		tcall_gather(p->b, 801, dtmf | 0x100, bad, 5, NULL, 0, 0),
		LINEERR_INVALDIGITMODE);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 0, NULL, 0, 0),
	                 LINEERR_INVALPARAM);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, "12x", 0, 0),
	                 LINEERR_INVALDIGITS);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, "E", 0, 0),
	                 LINEERR_INVALDIGITS);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, ",", 0, 0),
	                 LINEERR_INVALDIGITS);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, NULL, lo - 1, 0),
	                 LINEERR_INVALTIMEOUT);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, NULL, hi + 1, 0),
	                 LINEERR_INVALTIMEOUT);
	assert_int_equal(tcall_gather(p->b, 801, dtmf, bad, 5, NULL, 0, 1),
	                 LINEERR_INVALTIMEOUT);
	assert_int_equal(
		tcall_gather(p->b, 801, dtmf, bad, 5, NULL, 0, 0xFFFFFFFFu),
		LINEERR_INVALTIMEOUT);
	assert_true(all_canary(bad));
	assert_true(all_canary(run));
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 0);

	/* the gathering running still runs */
	tcall_digit(p->b, '9');
	assert_int_equal(
		tcall_gather(p->b, 0, LINEDIGITMODE_DTMF, NULL, 0, NULL, 0, 0),
		0);
	e = gathered(HTC_B, 800);
	assert_int_equal(e.p1, LINEGATHERTERM_CANCEL);
	expect_snap(&e, "9", true);

	/* taken: each cancels the last */
	const struct {
		DWORD modes, first, inter;
		const char *term;
	} good[] = {
		{dtmf | LINEDIGITMODE_PULSE, 0, 0, NULL},
		{dtmf, lo, hi, ""},
		{dtmf, hi, lo, "0123456789*#ABCD"},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++, id++) {
		watch(HTC_B, id, ok[i]);
		assert_int_equal(tcall_gather(p->b, id, good[i].modes, ok[i], 5,
		                              good[i].term, good[i].first,
		                              good[i].inter),
		                 0);
		assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), i + 1);
	}
	/* lower case termination digits match the digits received */
	watch(HTC_B, id, ok[3]);
	assert_int_equal(tcall_gather(p->b, id, dtmf, ok[3], 5, "*#ad", 0, 0),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 10, LINEDIGITMODE_DTMF, "5d7", DIGIT_MS),
		0);
	e = gathered(HTC_B, id);
	assert_int_equal(e.p1, LINEGATHERTERM_TERMDIGIT);
	expect_snap(&e, "5D", true);
	sent(10);
}

/*
 * tcall_free with a gathering running (tcall.h): CANCEL with the digits
 * so far before it returns, then nothing: no event, the buffer never
 * written again, neither by digits still coming nor by a time-out armed.
 */
static void test_gather_free(void **state)
{
	struct pair *p = *state;
	char buf[BUF], timed[BUF];
	struct event e;
	unsigned before;

	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	watch(HTC_B, 900, buf);
	assert_int_equal(tcall_gather(p->b, 900, LINEDIGITMODE_DTMF, buf, 5,
	                              NULL, 0, 300),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 11, LINEDIGITMODE_DTMF, "12", DIGIT_MS),
		0);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 2));
	tcall_free(p->b);
	p->b = NULL;
	assert_int_equal(count(HTC_B, LINE_GATHERDIGITS, ANY), 1);
	e = gathered(HTC_B, 900);
	assert_int_equal(e.p1, LINEGATHERTERM_CANCEL);
	expect_snap(&e, "12", true);
	memset(buf, CANARY, BUF);
	before = count_all(HTC_B);
	/* digits to its port, now closed, and past its time-out */
	assert_int_equal(
		tcall_generate(p->a, 12, LINEDIGITMODE_DTMF, "345", DIGIT_MS),
		0);
	sent(12);
	usleep(400 * 1000);
	assert_true(all_canary(buf));
	assert_int_equal(count_all(HTC_B), before);

	/* a first-digit time-out armed when it goes */
	p->b = open_end(HTC_B);
	connect_ends(p->a, p->b, true);
	watch(HTC_B, 901, timed);
	assert_int_equal(tcall_gather(p->b, 901, LINEDIGITMODE_DTMF, timed, 5,
	                              NULL, TCALL_GATHER_MIN_TIMEOUT, 0),
	                 0);
	tcall_free(p->b);
	p->b = NULL;
	e = gathered(HTC_B, 901);
	assert_int_equal(e.p1, LINEGATHERTERM_CANCEL);
	expect_snap(&e, "", true);
	memset(timed, CANARY, BUF);
	before = count_all(HTC_B);
	usleep(3 * TCALL_GATHER_MIN_TIMEOUT * 1000);
	assert_true(all_canary(timed));
	assert_int_equal(count_all(HTC_B), before);
}

/* ---- digits sent in band (no telephone-event agreed) -------------------- */

static int setup_inband(void **state)
{
	static struct pair p;

	rec_reset();
	p.a = open_end(HTC_A);
	p.b = open_end(HTC_B);
	connect_ends(p.a, p.b, false);
	*state = &p;
	return 0;
}

/* B's LINE_MONITORDIGITS of @mode, in order, are @digits. */
static void expect_monitored(const char *digits, DWORD mode)
{
	struct event e;
	unsigned k = 0, seen = 0;

	while (nth(HTC_B, LINE_MONITORDIGITS, k++, &e)) {
		if (e.p2 != mode)
			continue;
		assert_true(digits[seen] != '\0');
		assert_int_equal(e.p1, digits[seen]);
		seen++;
	}
	assert_int_equal(seen, strlen(digits));
}

/*
 * TSPI_lineGenerateDigits without telephone-event: the digits go in band
 * as DTMF tones (ITU-T Q.23) and the far end's in-band detection (ITU-T
 * Q.24, spandsp) hears "159#" in order, each once, start and end
 * (LINE_MONITORDIGITS) and gathered up to the termination digit;
 * LINE_GENERATE(DONE) after the last; no telephone-event packet went.
 */
static void test_inband_generate(void **state)
{
	struct pair *p = *state;
	char buf[BUF];
	struct event e;
	struct media_stats st;

	assert_int_equal(
		tcall_monitor(p->b, LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND),
		0);
	watch(HTC_B, 1000, buf);
	assert_int_equal(tcall_gather(p->b, 1000, LINEDIGITMODE_DTMF, buf, 10,
	                              "#", 0, 0),
	                 0);
	assert_int_equal(
		tcall_generate(p->a, 20, LINEDIGITMODE_DTMF, "159#", 0), 0);
	e = gathered(HTC_B, 1000);
	assert_int_equal(e.p1, LINEGATHERTERM_TERMDIGIT);
	expect_snap(&e, "159#", true);
	sent(20);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 8));
	expect_monitored("159#", LINEDIGITMODE_DTMF);
	expect_monitored("159#", LINEDIGITMODE_DTMFEND);
	tcall_stats(p->b, &st);
	assert_int_equal(st.digits_received, 4);
	assert_int_equal(st.rtp_ignored, 0); /* no event packet came */
	assert_int_equal(count(HTC_A, LINE_GENERATE, ANY), 1);

	/* the same digit again as soon as the last is done: heard twice
	 * (the silence after a digit comes before LINE_GENERATE) */
	assert_int_equal(tcall_generate(p->a, 26, LINEDIGITMODE_DTMF, "5", 0),
	                 0);
	assert_true(wait_count(HTC_A, LINE_GENERATE, 26, 1));
	assert_int_equal(tcall_generate(p->a, 27, LINEDIGITMODE_DTMF, "5", 0),
	                 0);
	sent(27);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 12));
	expect_monitored("159#55", LINEDIGITMODE_DTMF);
}

/*
 * In band, a new request ends the digits going with LINE_GENERATE(CANCEL)
 * (Microsoft's TSPI_lineGenerateDigits: "aborts the current digit or tone
 * generation"), its tone stops and the new digits follow, heard apart;
 * NULL only cancels. A duration under 50 ms is lengthened to be heard.
 */
static void test_inband_cancel(void **state)
{
	struct pair *p = *state;
	struct event e;

	assert_int_equal(
		tcall_monitor(p->b, LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND),
		0);
	assert_int_equal(
		tcall_generate(p->a, 21, LINEDIGITMODE_DTMF, "1111", 3000), 0);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 1));
	assert_int_equal(tcall_generate(p->a, 22, LINEDIGITMODE_DTMF, "2", 20),
	                 0);
	assert_true(wait_count(HTC_A, LINE_GENERATE, 21, 1));
	assert_true(nth(HTC_A, LINE_GENERATE, 0, &e));
	assert_int_equal(e.p2, 21);
	assert_int_equal(e.p1, LINEGENERATETERM_CANCEL);
	sent(22);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 4));
	expect_monitored("12", LINEDIGITMODE_DTMF);
	expect_monitored("12", LINEDIGITMODE_DTMFEND);

	/* NULL: CANCEL, the tone stops at once (its end heard long before
	 * its 3 s) */
	assert_int_equal(
		tcall_generate(p->a, 23, LINEDIGITMODE_DTMF, "3333", 3000), 0);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 5));
	assert_int_equal(tcall_generate(p->a, 24, LINEDIGITMODE_DTMF, NULL, 0),
	                 0);
	assert_true(wait_count(HTC_A, LINE_GENERATE, 23, 1));
	assert_true(nth(HTC_A, LINE_GENERATE, 2, &e));
	assert_int_equal(e.p2, 23);
	assert_int_equal(e.p1, LINEGENERATETERM_CANCEL);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 6));
	usleep(300 * 1000);
	expect_monitored("123", LINEDIGITMODE_DTMF);
	expect_monitored("123", LINEDIGITMODE_DTMFEND);
	assert_int_equal(count(HTC_A, LINE_GENERATE, ANY), 3);
}

/* In band at 16 kHz (G.722, docs/media.md: detection halves it): "*0D"
 * heard in order. */
static void test_inband_wideband(void **state)
{
	struct pair *p = *state;
	struct media_stream st;

	st = stream(tcall_port(p->a), false);
	st.codec = CODEC_G722;
	st.pt = 9;
	st.pcm_rate = 16000;
	assert_int_equal(tcall_set(p->b, &st), 0);
	st.remote_port = tcall_port(p->b);
	assert_int_equal(tcall_set(p->a, &st), 0);
	assert_int_equal(tcall_monitor(p->b, LINEDIGITMODE_DTMF), 0);
	assert_int_equal(tcall_generate(p->a, 25, LINEDIGITMODE_DTMF, "*0D", 0),
	                 0);
	sent(25);
	assert_true(wait_count(HTC_B, LINE_MONITORDIGITS, ANY, 3));
	expect_monitored("*0D", LINEDIGITMODE_DTMF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gather_buffer_full, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_termination_digit,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather_first_timeout,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather_inter_timeout,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather_cancel_null, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_new_request_cancels,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather_and_monitor, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_bad_arguments,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather_free, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_inband_generate,
	                                        setup_inband, teardown),
		cmocka_unit_test_setup_teardown(test_inband_cancel,
	                                        setup_inband, teardown),
		cmocka_unit_test_setup_teardown(test_inband_wideband,
	                                        setup_inband, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
