/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_media (providers/media/media.h) on 127.0.0.1: two sessions set up
 * as each other's peer, in one media thread or two. A tone written into
 * one's wave/out is heard at the other's wave/in (spandsp's Goertzel
 * filter, not byte counts), digits go as RFC 4733 events (or as tones,
 * detected in-band), hold, foreign and broken packets, RTCP, the RTP
 * time-out, and media_session_free from another thread and from a
 * callback, SRTP keys changed on one side, a flood of the peer's digits
 * beside digits sent. Some peers are plain sockets of the test. Waits
 * are bounded polls, never assertions on time. Runs in a network
 * namespace of its own where it can (fixed ports).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <spandsp.h>

#include "media.h"
#include "rtp/codec.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/tevent.h"

#define PORT_MIN  41000
#define PORT_MAX  41199
#define WAIT_MS   8000 /* a bound on any wait: the machine may be busy */
#define RING      4096 /* samples kept of what a wave/in gave */
#define AMPLITUDE 8000
#define MAX_EDGES 64
#define MAX_DONES 32
#define FREQ      1000.0

/* One end of a call as the test drives it. */
struct end {
	struct media_session *s;
	int in_fd, out_fd;
	unsigned rate;
	bool tone;            /* write the tone into wave/out */
	size_t phase;         /* of the tone written */
	dtmf_tx_state_t *dtx; /* else write these DTMF tones (8 kHz) */
	uint8_t pend[320];    /* a frame not yet written to wave/out */
	size_t pend_off, pend_len;
	int16_t ring[RING];
	size_t got; /* samples read from wave/in, in all */
	bool has_odd;
	uint8_t odd;

	/* what the callbacks saw, guarded by lock */
	pthread_mutex_t lock;
	char digit[MAX_EDGES];
	enum media_digit_edge edge[MAX_EDGES];
	unsigned nedges;
	uint32_t done_id[MAX_DONES];
	bool done_ok[MAX_DONES];
	unsigned ndones;
	unsigned timeouts;

	/* media_session_free tests */
	atomic_bool freed;      /* media_session_free has returned */
	atomic_uint after_free; /* callbacks seen after that */
	atomic_uint callbacks;  /* callbacks seen in all */
	bool free_in_callback;  /* the first digit frees the session */
	bool slow;              /* callbacks take a while */
	atomic_bool freed_in_cb;
};

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void seen(struct end *e)
{
	atomic_fetch_add(&e->callbacks, 1);
	if (atomic_load(&e->freed))
		atomic_fetch_add(&e->after_free, 1);
}

static void on_digit(void *ctx, char digit, enum media_digit_edge edge)
{
	struct end *e = ctx;

	seen(e);
	if (e->slow)
		usleep(2000); /* a free from another thread waits for it */
	pthread_mutex_lock(&e->lock);
	if (e->nedges < MAX_EDGES) {
		e->digit[e->nedges] = digit;
		e->edge[e->nedges] = edge;
		e->nedges++;
	}
	pthread_mutex_unlock(&e->lock);
	if (e->free_in_callback && !atomic_load(&e->freed_in_cb)) {
		/* media.h: a callback may free its own session */
		media_session_free(e->s);
		atomic_store(&e->freed_in_cb, true);
		atomic_store(&e->freed, true);
	}
}

static void on_done(void *ctx, uint32_t id, bool done)
{
	struct end *e = ctx;

	seen(e);
	pthread_mutex_lock(&e->lock);
	if (e->ndones < MAX_DONES) {
		e->done_id[e->ndones] = id;
		e->done_ok[e->ndones] = done;
		e->ndones++;
	}
	pthread_mutex_unlock(&e->lock);
}

static void on_timeout(void *ctx)
{
	struct end *e = ctx;

	seen(e);
	pthread_mutex_lock(&e->lock);
	e->timeouts++;
	pthread_mutex_unlock(&e->lock);
}

static const struct media_events events = {
	.digit = on_digit,
	.digits_done = on_done,
	.timeout = on_timeout,
};

static unsigned nedges(struct end *e)
{
	unsigned n;

	pthread_mutex_lock(&e->lock);
	n = e->nedges;
	pthread_mutex_unlock(&e->lock);
	return n;
}

static unsigned ndones(struct end *e)
{
	unsigned n;

	pthread_mutex_lock(&e->lock);
	n = e->ndones;
	pthread_mutex_unlock(&e->lock);
	return n;
}

static unsigned ntimeouts(struct end *e)
{
	unsigned n;

	pthread_mutex_lock(&e->lock);
	n = e->timeouts;
	pthread_mutex_unlock(&e->lock);
	return n;
}

static struct media *start(unsigned timeout_ms, uint16_t min, uint16_t max)
{
	struct media_config cfg = {
		.port_min = min,
		.port_max = max,
		.rtp_timeout_ms = timeout_ms,
	};
	struct media *m = NULL;

	assert_int_equal(media_start(&m, &cfg), 0);
	assert_non_null(m);
	return m;
}

static void end_init(struct end *e)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	e->in_fd = e->out_fd = -1;
}

/* A session on 127.0.0.1 with both wave descriptors. */
static void end_open(struct media *m, struct end *e)
{
	int small = 4096; /* a short queue into wave/out: hold is heard soon */

	end_init(e);
	assert_int_equal(media_session_new(m, "127.0.0.1", &events, e, &e->s),
	                 0);
	assert_true(media_session_port(e->s) >= PORT_MIN);
	assert_int_equal(media_session_port(e->s) % 2, 0);
	assert_int_equal(
		media_session_wave(e->s, &e->in_fd, &e->out_fd, &e->rate), 0);
	assert_int_equal(setsockopt(e->out_fd, SOL_SOCKET, SO_SNDBUF, &small,
	                            sizeof(small)),
	                 0);
}

static void end_close(struct end *e)
{
	if (e->s && !atomic_load(&e->freed))
		media_session_free(e->s);
	e->s = NULL;
	if (e->in_fd >= 0)
		close(e->in_fd);
	if (e->out_fd >= 0)
		close(e->out_fd);
	e->in_fd = e->out_fd = -1;
	pthread_mutex_destroy(&e->lock);
}

static struct media_stream stream(enum codec_id codec, uint8_t pt,
                                  unsigned rate, uint16_t peer_port)
{
	struct media_stream st;

	memset(&st, 0, sizeof(st));
	st.codec = codec;
	st.pt = pt;
	st.pcm_rate = rate;
	st.has_dtmf = true;
	st.dtmf_pt = 101;
	memcpy(st.remote_addr, "127.0.0.1", sizeof("127.0.0.1"));
	st.remote_port = peer_port;
	st.send = true;
	st.recv = true;
	return st;
}

/* @a and @b each other's peer. */
static void connect_ends(struct end *a, struct end *b, enum codec_id codec,
                         uint8_t pt, unsigned rate)
{
	struct media_stream st;

	/* @b first: nothing of @a's reaches @b before @b has its stream
	 * (it would be ignored, and @b's counts are what tests check) */
	st = stream(codec, pt, rate, media_session_port(a->s));
	assert_int_equal(media_session_set(b->s, &st), 0);
	st.remote_port = media_session_port(b->s);
	assert_int_equal(media_session_set(a->s, &st), 0);
}

/* Writes the tone (or the DTMF tones) into @e's wave/out as far as it
 * takes it, whole frames in order. */
static void feed(struct end *e)
{
	int16_t pcm[160];
	size_t i;
	ssize_t n;
	int k;

	for (;;) {
		if (!e->pend_len) {
			if (e->dtx) {
				k = dtmf_tx(e->dtx, pcm, 160);
				for (i = k < 0 ? 0 : (size_t)k; i < 160; i++)
					pcm[i] = 0;
			} else {
				for (i = 0; i < 160; i++, e->phase++)
					pcm[i] =
						(int16_t)(AMPLITUDE *
					                  sin(2 * M_PI * FREQ *
					                      (double)e->phase /
					                      e->rate));
			}
			for (i = 0; i < 160; i++) {
				e->pend[2 * i] =
					(uint8_t)((uint16_t)pcm[i] & 0xff);
				e->pend[2 * i + 1] =
					(uint8_t)((uint16_t)pcm[i] >> 8);
			}
			e->pend_off = 0;
			e->pend_len = sizeof(e->pend);
		}
		n = send(e->out_fd, e->pend + e->pend_off, e->pend_len,
		         MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			return;
		e->pend_off += (size_t)n;
		e->pend_len -= (size_t)n;
	}
}

/* Reads what @e's wave/in has into its ring. */
static void drain(struct end *e)
{
	uint8_t buf[4096 + 1];
	size_t have, i;
	ssize_t n;

	for (;;) {
		have = 0;
		if (e->has_odd) {
			buf[0] = e->odd;
			have = 1;
			e->has_odd = false;
		}
		n = recv(e->in_fd, buf + have, sizeof(buf) - 1 - have,
		         MSG_DONTWAIT);
		if (n <= 0) {
			if (have) {
				e->odd = buf[0];
				e->has_odd = true;
			}
			return;
		}
		have += (size_t)n;
		if (have % 2) {
			e->odd = buf[have - 1];
			e->has_odd = true;
			have--;
		}
		for (i = 0; i < have / 2; i++) {
			e->ring[e->got % RING] =
				(int16_t)(uint16_t)(buf[2 * i] | buf[2 * i + 1]
			                                                 << 8);
			e->got++;
		}
	}
}

/* Services the ends for about @ms: the tone in, wave/in read. */
static void pump(struct end **ends, unsigned n, unsigned ms)
{
	struct pollfd p[4];
	unsigned i, k = 0;

	for (i = 0; i < n && k < 4; i++) {
		if (ends[i]->in_fd >= 0) {
			p[k].fd = ends[i]->in_fd;
			p[k].events = POLLIN;
			k++;
		}
	}
	(void)poll(p, k, (int)ms);
	for (i = 0; i < n; i++) {
		if (ends[i]->tone && ends[i]->out_fd >= 0)
			feed(ends[i]);
		if (ends[i]->in_fd >= 0)
			drain(ends[i]);
	}
}

/* The last @n samples @e heard, oldest first. */
static void last(const struct end *e, int16_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = e->ring[(e->got - n + i) % RING];
}

/* The energy of @pcm at @freq (spandsp's Goertzel filter). */
static double energy(const int16_t *pcm, size_t n, double freq, unsigned rate)
{
	goertzel_descriptor_t d;
	goertzel_state_t s;

	/* the descriptor assumes 8 kHz: scale the frequency */
	make_goertzel_descriptor(&d, (float)(freq * 8000.0 / rate), (int)n);
	goertzel_init(&s, &d);
	goertzel_update(&s, pcm, (int)n);
	return goertzel_result(&s);
}

/* The last 40 ms @e heard are the tone: its energy 20 times that at
 * frequencies beside it, and that of a sine of at least a tenth of the
 * amplitude written (about 1.6e12 at full AMPLITUDE over 40 ms at either
 * rate; a decoder's start-up noise is below 1e4). */
static bool hears_tone(const struct end *e)
{
	int16_t pcm[RING];
	size_t n = e->rate / 25;
	double at;

	if (e->got < n)
		return false;
	last(e, pcm, n);
	at = energy(pcm, n, FREQ, e->rate);
	return at > 1e10 && at > 20 * energy(pcm, n, FREQ * 0.6, e->rate) &&
	       at > 20 * energy(pcm, n, FREQ * 1.5, e->rate);
}

/* The last 100 ms @e heard are silence (a mean square near 0). */
static bool hears_silence(const struct end *e)
{
	int16_t pcm[RING];
	size_t n = e->rate / 10, i;
	double sum = 0;

	if (e->got < n)
		return false;
	last(e, pcm, n);
	for (i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	return sum / (double)n < 100;
}

typedef bool (*cond_fn)(struct end *e, void *arg);

/* Pumps @a and @b until @cond(@e, @arg) holds; false after WAIT_MS. */
static bool wait_for(struct end *a, struct end *b, cond_fn cond, struct end *e,
                     void *arg)
{
	struct end *ends[2] = {a, b};
	uint64_t end = ms_now() + WAIT_MS;

	while (ms_now() < end) {
		pump(ends, b ? 2 : 1, 10);
		if (cond(e, arg))
			return true;
	}
	return false;
}

static bool cond_tone(struct end *e, void *arg)
{
	(void)arg;
	return hears_tone(e);
}

static bool cond_silence(struct end *e, void *arg)
{
	(void)arg;
	return hears_silence(e);
}

static bool cond_edges(struct end *e, void *arg)
{
	return nedges(e) >= *(unsigned *)arg;
}

static bool cond_dones(struct end *e, void *arg)
{
	return ndones(e) >= *(unsigned *)arg;
}

static bool cond_timeouts(struct end *e, void *arg)
{
	return ntimeouts(e) >= *(unsigned *)arg;
}

static bool cond_ignored(struct end *e, void *arg)
{
	struct media_stats st;

	media_session_stats(e->s, &st);
	return st.rtp_ignored >= *(uint64_t *)arg;
}

static bool cond_received(struct end *e, void *arg)
{
	struct media_stats st;

	media_session_stats(e->s, &st);
	return st.rtp_received >= *(uint64_t *)arg;
}

/* A tone from @codec's sender heard at the receiver, in one media
 * thread or two. */
static void tone_through(enum codec_id codec, uint8_t pt, unsigned rate,
                         bool two_threads)
{
	struct media *m1 = start(0, PORT_MIN, PORT_MAX);
	struct media *m2 = two_threads ? start(0, PORT_MIN, PORT_MAX) : m1;
	struct end a, b;
	struct media_stats st;

	end_open(m1, &a);
	end_open(m2, &b);
	connect_ends(&a, &b, codec, pt, rate);
	/* the wave's rate is the stream's (media.h) */
	assert_int_equal(media_session_wave(a.s, NULL, NULL, &a.rate), 0);
	assert_int_equal(a.rate, rate);
	b.rate = rate;
	a.tone = true;
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));
	media_session_stats(a.s, &st);
	assert_true(st.rtp_sent > 0);
	media_session_stats(b.s, &st);
	assert_true(st.rtp_received > 0);
	assert_int_equal(st.rtp_ignored, 0);
	end_close(&a);
	end_close(&b);
	assert_int_equal(media_sessions(m1), 0);
	if (two_threads)
		media_stop(m2);
	media_stop(m1);
}

/* RFC 3551 §4.5.14, docs/media.md: G.711 µ-law and A-law at 8 kHz, a
 * 1 kHz tone from A's wave/out to B's wave/in. */
static void test_media_tone_g711(void **state)
{
	(void)state;
	tone_through(CODEC_PCMU, 0, 8000, false);
	tone_through(CODEC_PCMA, 8, 8000, true);
}

/* RFC 3551 §4.5.2: G.722, its wave at 16 kHz (media.h pcm_rate). */
static void test_media_tone_g722(void **state)
{
	(void)state;
	tone_through(CODEC_G722, 9, 16000, false);
}

/* RFC 7587: Opus on a dynamic payload type, its wave at 16 kHz, the two
 * ends on two media threads. */
static void test_media_tone_opus(void **state)
{
	(void)state;
	tone_through(CODEC_OPUS, 111, 16000, true);
}

static void expect_edge(struct end *e, unsigned i, char digit,
                        enum media_digit_edge edge)
{
	pthread_mutex_lock(&e->lock);
	assert_true(i < e->nedges);
	assert_int_equal(e->digit[i], digit);
	assert_int_equal(e->edge[i], edge);
	pthread_mutex_unlock(&e->lock);
}

/* RFC 4733 §2.5: "123#" sent as events arrive as a start and an end
 * each, in order; digits_done(id, true) after the last (media.h). A
 * second media_session_digits cuts the first: digits_done false for it,
 * its event ended (§2.5.1.4), then the new digits. */
static void test_media_digits(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b;
	struct media_stats st;
	unsigned want;
	const char *seq = "123#";
	unsigned i;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	/* media.h: other characters are refused */
	assert_int_equal(media_session_digits(a.s, "12x", 0, 1), -EINVAL);
	assert_int_equal(media_session_digits(a.s, "123#", 60, 7), 0);
	want = 8;
	assert_true(wait_for(&a, &b, cond_edges, &b, &want));
	for (i = 0; i < 4; i++) {
		expect_edge(&b, 2 * i, seq[i], MEDIA_DIGIT_DOWN);
		expect_edge(&b, 2 * i + 1, seq[i], MEDIA_DIGIT_UP);
	}
	want = 1;
	assert_true(wait_for(&a, &b, cond_dones, &a, &want));
	pthread_mutex_lock(&a.lock);
	assert_int_equal(a.done_id[0], 7);
	assert_true(a.done_ok[0]);
	pthread_mutex_unlock(&a.lock);
	media_session_stats(b.s, &st);
	assert_int_equal(st.digits_received, 4);

	/* cut short by a second call */
	assert_int_equal(media_session_digits(a.s, "5555", 1000, 8), 0);
	want = 9;
	assert_true(wait_for(&a, &b, cond_edges, &b, &want));
	expect_edge(&b, 8, '5', MEDIA_DIGIT_DOWN);
	assert_int_equal(media_session_digits(a.s, "9", 60, 9), 0);
	want = 3;
	assert_true(wait_for(&a, &b, cond_dones, &a, &want));
	want = 12;
	assert_true(wait_for(&a, &b, cond_edges, &b, &want));
	pthread_mutex_lock(&a.lock);
	assert_int_equal(a.done_id[1], 8);
	assert_false(a.done_ok[1]);
	assert_int_equal(a.done_id[2], 9);
	assert_true(a.done_ok[2]);
	pthread_mutex_unlock(&a.lock);
	expect_edge(&b, 9, '5', MEDIA_DIGIT_UP);
	expect_edge(&b, 10, '9', MEDIA_DIGIT_DOWN);
	expect_edge(&b, 11, '9', MEDIA_DIGIT_UP);

	/* media.h: an empty string only cancels, with no digits_done */
	assert_int_equal(media_session_digits(a.s, "", 0, 10), 0);
	end_close(&a);
	end_close(&b);
	media_stop(m);
}

/* media.h, docs/media.md: without telephone-event (has_dtmf false) the
 * digits are heard in the audio (spandsp's DTMF detector, ITU-T Q.24):
 * DTMF tones written into A's wave/out give B a start and an end of
 * each digit, in order; media_session_digits is refused. */
static void test_media_inband_digits(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b;
	struct media_stream st;
	struct media_stats s;
	const char *seq = "159#";
	unsigned i, want = 8;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	st = stream(CODEC_PCMU, 0, 8000, media_session_port(b.s));
	st.has_dtmf = false;
	assert_int_equal(media_session_set(a.s, &st), 0);
	st.remote_port = media_session_port(a.s);
	assert_int_equal(media_session_set(b.s, &st), 0);
	assert_int_equal(media_session_digits(a.s, "1", 0, 1), -EINVAL);
	a.dtx = dtmf_tx_init(NULL);
	assert_non_null(a.dtx);
	dtmf_tx_set_timing(a.dtx, 80, 80);
	/* spandsp: 0 when all of them fit */
	assert_int_equal(dtmf_tx_put(a.dtx, seq, -1), 0);
	a.tone = true;
	assert_true(wait_for(&a, &b, cond_edges, &b, &want));
	for (i = 0; i < 4; i++) {
		expect_edge(&b, 2 * i, seq[i], MEDIA_DIGIT_DOWN);
		expect_edge(&b, 2 * i + 1, seq[i], MEDIA_DIGIT_UP);
	}
	media_session_stats(b.s, &s);
	assert_int_equal(s.digits_received, 4);
	dtmf_tx_free(a.dtx);
	end_close(&a);
	end_close(&b);
	media_stop(m);
}

/* media.h: hold is send = false: nothing is sent, so B hears silence
 * while the tone still goes into A's wave/out; digits are refused
 * (-EAGAIN); back to sendrecv, B hears the tone again. recv = false
 * gives silence on wave/in too. */
static void test_media_hold(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b;
	struct media_stream st;
	struct media_stats s1, s2;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	a.tone = true;
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));

	st = stream(CODEC_PCMU, 0, 8000, media_session_port(b.s));
	st.send = false;
	assert_int_equal(media_session_set(a.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_silence, &b, NULL));
	assert_int_equal(media_session_digits(a.s, "1", 0, 1), -EAGAIN);
	media_session_stats(a.s, &s1);
	pump((struct end *[]){&a, &b}, 2, 100);
	media_session_stats(a.s, &s2);
	/* nothing sent on hold but (perhaps) RTCP, which is not counted */
	assert_int_equal(s1.rtp_sent, s2.rtp_sent);

	st.send = true;
	assert_int_equal(media_session_set(a.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));

	/* recv false (B sendonly): B's wave/in carries silence though A
	 * sends the tone; back to sendrecv, the tone again */
	st = stream(CODEC_PCMU, 0, 8000, media_session_port(a.s));
	st.recv = false;
	assert_int_equal(media_session_set(b.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_silence, &b, NULL));
	st.recv = true;
	assert_int_equal(media_session_set(b.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));

	/* media.h: a second media_session_wave ends the first descriptors
	 * (end of file) and the new ones carry the call */
	{
		int old_in = b.in_fd, old_out = b.out_fd;
		uint8_t buf[4096];
		ssize_t n;

		assert_int_equal(
			media_session_wave(b.s, &b.in_fd, &b.out_fd, &b.rate),
			0);
		while ((n = read(old_in, buf, sizeof(buf))) > 0)
			;
		assert_int_equal(n, 0);
		close(old_in);
		close(old_out);
		b.got = 0;
		b.has_odd = false;
		assert_true(wait_for(&a, &b, cond_tone, &b, NULL));
	}
	end_close(&a);
	end_close(&b);
	media_stop(m);
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void send_to(int fd, uint16_t port, const uint8_t *buf, size_t len)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(
		sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a)),
		(ssize_t)len);
}

/* RFC 3550 §8.2, A.1: B's peer is a socket of the test, which sends a
 * µ-law tone one packet per tick; after each, a packet from a third
 * socket (another port), a datagram that is not RTP and one of an
 * unknown payload type. Each of those is counted as ignored, and B
 * plays the tone all the same. */
static void test_media_ignores_strangers(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end b;
	struct media_stream st;
	struct codec *c;
	struct rtp_hdr h;
	uint16_t px, py, bport;
	int x, y, n, len;
	int16_t pcm[160];
	uint8_t payload[160], pkt[200];
	const uint8_t junk[] = "\xff\x00 not rtp";
	struct end *ends[1];
	uint64_t sent = 0, want, deadline;
	size_t phase = 0, i;
	bool heard = false;

	(void)state;
	end_open(m, &b);
	x = udp_socket(&px);
	y = udp_socket(&py);
	bport = media_session_port(b.s);
	st = stream(CODEC_PCMU, 0, 8000, px);
	assert_int_equal(media_session_set(b.s, &st), 0);
	assert_int_equal(codec_alloc(&c, CODEC_PCMU, 8000), 0);
	memset(&h, 0, sizeof(h));
	h.ssrc = 0x1234;
	ends[0] = &b;
	deadline = ms_now() + WAIT_MS;
	while ((sent < 50 || !heard) && ms_now() < deadline) {
		for (i = 0; i < 160; i++, phase++)
			pcm[i] = (int16_t)(AMPLITUDE *
			                   sin(2 * M_PI * FREQ * (double)phase /
			                       8000));
		n = codec_encode(c, pcm, 160, payload, sizeof(payload));
		assert_int_equal(n, 160);
		h.pt = 0;
		h.marker = sent == 0;
		len = rtp_build(&h, NULL, payload, (size_t)n, pkt, sizeof(pkt));
		assert_true(len > 0);
		send_to(x, bport, pkt, (size_t)len);   /* good */
		send_to(y, bport, pkt, (size_t)len);   /* another port */
		send_to(x, bport, junk, sizeof(junk)); /* not RTP */
		h.pt = 96;
		len = rtp_build(&h, NULL, payload, (size_t)n, pkt, sizeof(pkt));
		send_to(x, bport, pkt, (size_t)len); /* unknown payload type */
		h.seq++;
		h.ts += 160;
		sent++;
		pump(ends, 1, 20);
		heard = heard || hears_tone(&b);
	}
	assert_true(heard);
	want = 3 * sent;
	assert_true(wait_for(&b, NULL, cond_ignored, &b, &want));
	want = sent;
	assert_true(wait_for(&b, NULL, cond_received, &b, &want));
	{
		struct media_stats s;

		media_session_stats(b.s, &s);
		assert_int_equal(s.rtp_ignored, 3 * sent);
		assert_int_equal(s.rtp_received, sent);
	}
	codec_free(c);
	close(x);
	close(y);
	end_close(&b);
	media_stop(m);
}

/* A flood into one session's RTP port, from a thread of the test. */
struct flood {
	int x, y;      /* the session's peer's socket, and a stranger's */
	uint16_t port; /* the session's RTP port */
	atomic_bool stop;
	atomic_ulong sent;
};

/* As fast as it can, in batches of FLOOD_BATCH datagrams a system call
 * (faster than the session reads them one by one): RTP with random
 * sequence numbers, timestamps, SSRCs and markers, PCMU or unknown
 * payload types, from the peer's own address and from another port, and
 * datagrams of random bytes and lengths from the peer's. */
#define FLOOD_BATCH 32
static void *flood_main(void *arg)
{
	struct flood *f = arg;
	static uint8_t pkt[2][FLOOD_BATCH][256];
	struct mmsghdr mh[2][FLOOD_BATCH];
	struct iovec iov[2][FLOOD_BATCH];
	struct sockaddr_in to;
	uint8_t payload[160];
	struct rtp_hdr h;
	uint32_t r = 2463534242u;
	int len, k, j, i;

	memset(payload, 0x55, sizeof(payload));
	memset(&h, 0, sizeof(h));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(f->port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(mh, 0, sizeof(mh));
	while (!atomic_load(&f->stop)) {
		for (k = 0; k < 2; k++) {
			for (j = 0; j < FLOOD_BATCH; j++) {
				r ^= r << 13;
				r ^= r >> 17;
				r ^= r << 5;
				if (j % 4 == 3) {
					/* not RTP */
					len = (int)(r % sizeof(pkt[k][j]));
					for (i = 0; i < len; i++)
						pkt[k][j][i] =
							(uint8_t)(r >>
						                  (i % 24));
				} else {
					h.pt = (r & 1) ? 0
					               : (uint8_t)(96 +
					                           (r >> 1) %
					                                   8);
					h.marker = (r >> 4) & 1;
					h.seq = (uint16_t)(r >> 16);
					h.ts = r * 2654435761u;
					h.ssrc = (r >> 3) & 1 ? 0x1234 : r;
					len = rtp_build(&h, NULL, payload,
					                1 + r % sizeof(payload),
					                pkt[k][j],
					                sizeof(pkt[k][j]));
					if (len < 0)
						len = 0;
				}
				iov[k][j].iov_base = pkt[k][j];
				iov[k][j].iov_len = (size_t)len;
				mh[k][j].msg_hdr.msg_iov = &iov[k][j];
				mh[k][j].msg_hdr.msg_iovlen = 1;
				mh[k][j].msg_hdr.msg_name = &to;
				mh[k][j].msg_hdr.msg_namelen = sizeof(to);
			}
		}
		/* a full socket buffer drops them, as the network would */
		(void)sendmmsg(f->x, mh[0], FLOOD_BATCH, MSG_DONTWAIT);
		(void)sendmmsg(f->y, mh[1], FLOOD_BATCH, MSG_DONTWAIT);
		atomic_fetch_add(&f->sent, 2 * FLOOD_BATCH);
	}
	return NULL;
}

static bool cond_flooded(struct end *e, void *arg)
{
	struct flood *f = arg;

	(void)e;
	return atomic_load(&f->sent) >= 30000;
}

/*
 * Issue 17 item 7, a flood of RTP packets: while a thread of the test
 * floods session V's port (from V's peer's address and from another,
 * RTP with random sequence numbers, timestamps and SSRCs, unknown
 * payload types, random bytes), a call between A and B in the same
 * media thread goes on: B receives 100 more packets (2 s of them) and
 * still hears A's tone during the flood. Afterwards V hears a tone its
 * peer sends with a sequence and timestamps of its own, wherever the
 * flood left its jitter buffer (jbuf.h: a buffer that ran dry stops, and
 * starts again from the next packet), and what came from another port
 * was ignored. (The kernel's socket buffer bounds what a flood queues;
 * the thread reads at most READS_PER_EVENT datagrams a session per
 * wake-up, which this flood from one thread does not reach.)
 */
static void test_media_rtp_flood(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b, v;
	struct end *ends[1] = {&v};
	struct flood f = {0};
	struct media_stream st;
	struct media_stats vs, bs;
	struct codec *c;
	struct rtp_hdr h;
	pthread_t t;
	uint16_t px, py;
	uint64_t want, deadline;
	int16_t pcm[160];
	uint8_t payload[160], pkt[200];
	size_t phase = 0, i;
	bool heard = false;
	int n, len;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	end_open(m, &v);
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	a.tone = true;
	f.x = udp_socket(&px);
	f.y = udp_socket(&py);
	f.port = media_session_port(v.s);
	st = stream(CODEC_PCMU, 0, 8000, px);
	assert_int_equal(media_session_set(v.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));

	assert_int_equal(pthread_create(&t, NULL, flood_main, &f), 0);
	assert_true(wait_for(&a, &b, cond_flooded, &b, &f));
	media_session_stats(b.s, &bs);
	want = bs.rtp_received + 100;
	assert_true(wait_for(&a, &b, cond_received, &b, &want));
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));
	atomic_store(&f.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);

	/* V's peer now sends a tone, its own sequence from 1000 */
	assert_int_equal(codec_alloc(&c, CODEC_PCMU, 8000), 0);
	memset(&h, 0, sizeof(h));
	h.ssrc = 0x1234;
	h.seq = 1000;
	h.ts = 160000;
	h.marker = true;
	deadline = ms_now() + WAIT_MS;
	while (!heard && ms_now() < deadline) {
		for (i = 0; i < 160; i++, phase++)
			pcm[i] = (int16_t)(AMPLITUDE *
			                   sin(2 * M_PI * FREQ * (double)phase /
			                       8000));
		n = codec_encode(c, pcm, 160, payload, sizeof(payload));
		assert_int_equal(n, 160);
		len = rtp_build(&h, NULL, payload, (size_t)n, pkt, sizeof(pkt));
		assert_true(len > 0);
		send_to(f.x, f.port, pkt, (size_t)len);
		h.seq++;
		h.ts += 160;
		h.marker = false;
		pump(ends, 1, 20);
		heard = hears_tone(&v);
	}
	assert_true(heard);
	media_session_stats(v.s, &vs);
	assert_true(vs.rtp_ignored > 0);
	codec_free(c);
	close(f.x);
	close(f.y);
	end_close(&v);
	end_close(&b);
	end_close(&a);
	media_stop(m);
}

static bool cond_sent(struct end *e, void *arg)
{
	struct media_stats st;

	media_session_stats(e->s, &st);
	return st.rtp_sent >= *(uint64_t *)arg;
}

/* RFC 3550 §6.6, §6.4.1: RTCP that is not (a short datagram, a packet
 * of another version) is read and dropped, the session goes on sending;
 * at media_session_free it sends the peer's RTCP port (remote_rtcp_port)
 * an SR, its SDES CNAME and a BYE with its SSRC. */
static void test_media_rtcp(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end b;
	struct media_stream st;
	struct media_stats s;
	struct rtcp_report r;
	struct rtp_hdr h;
	uint16_t px, pz, bport;
	uint8_t buf[1500];
	const uint8_t junk[] = "\x40\xc8\x00\x01 RTCP of version 1";
	struct pollfd p;
	uint64_t want = 5;
	ssize_t n;
	int x, z;

	(void)state;
	end_open(m, &b);
	x = udp_socket(&px);
	z = udp_socket(&pz);
	bport = media_session_port(b.s);
	st = stream(CODEC_PCMA, 8, 8000, px);
	st.remote_rtcp_port = pz;
	assert_int_equal(media_session_set(b.s, &st), 0);
	assert_true(wait_for(&b, NULL, cond_sent, &b, &want));
	send_to(x, bport + 1, junk, 3);
	send_to(x, bport + 1, junk, sizeof(junk));
	media_session_stats(b.s, &s);
	want = s.rtp_sent + 5;
	assert_true(wait_for(&b, NULL, cond_sent, &b, &want));
	/* what B sent is RTP of its stream (PCMA, 160 bytes a packet) */
	n = recv(x, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, 12 + 160);
	assert_int_equal(rtp_parse(buf, (size_t)n, &h), 0);
	assert_int_equal(h.pt, 8);

	media_session_stats(b.s, &s);
	media_session_free(b.s);
	atomic_store(&b.freed, true);
	p.fd = z;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, WAIT_MS), 1);
	n = recv(z, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &r), 0);
	assert_true(r.has_sr);
	assert_int_equal(r.ssrc, h.ssrc);
	assert_true(r.sr.packets >= s.rtp_sent); /* and what went since */
	assert_true(r.has_cname);
	assert_true(r.cname_len > 0);
	assert_true(r.bye);
	assert_int_equal(r.nbye, 1);
	assert_int_equal(r.bye_ssrc[0], h.ssrc);
	close(x);
	close(z);
	end_close(&b);
	media_stop(m);
}

/* RFC 4733 §2.5.2.2, tevent.h: an event whose end packets are all lost
 * still ends (an UP) once its packets stop; a second event then starts
 * as usual. */
static void test_media_digit_end_lost(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end b;
	struct media_stream st;
	struct tevent_payload ev = {.event = 5, .volume = 10};
	struct rtp_hdr h;
	uint8_t payload[TEVENT_SIZE], pkt[64];
	uint16_t px, bport;
	unsigned want;
	int x, len, i;

	(void)state;
	end_open(m, &b);
	x = udp_socket(&px);
	bport = media_session_port(b.s);
	st = stream(CODEC_PCMU, 0, 8000, px);
	assert_int_equal(media_session_set(b.s, &st), 0);
	memset(&h, 0, sizeof(h));
	h.ssrc = 0x4733;
	h.pt = 101;
	h.ts = 8000;
	for (i = 0; i < 3; i++) { /* a start and two updates, no end */
		h.marker = i == 0;
		ev.duration = (uint16_t)(160 * (i + 1));
		tevent_write(&ev, payload);
		len = rtp_build(&h, NULL, payload, sizeof(payload), pkt,
		                sizeof(pkt));
		send_to(x, bport, pkt, (size_t)len);
		h.seq++;
	}
	want = 2;
	assert_true(wait_for(&b, NULL, cond_edges, &b, &want));
	expect_edge(&b, 0, '5', MEDIA_DIGIT_DOWN);
	expect_edge(&b, 1, '5', MEDIA_DIGIT_UP);
	/* the next event, with its end */
	ev.event = 11;
	ev.end = true;
	ev.duration = 800;
	h.ts += 1600;
	h.marker = true;
	tevent_write(&ev, payload);
	len = rtp_build(&h, NULL, payload, sizeof(payload), pkt, sizeof(pkt));
	send_to(x, bport, pkt, (size_t)len);
	want = 4;
	assert_true(wait_for(&b, NULL, cond_edges, &b, &want));
	expect_edge(&b, 2, '#', MEDIA_DIGIT_DOWN);
	expect_edge(&b, 3, '#', MEDIA_DIGIT_UP);
	close(x);
	end_close(&b);
	media_stop(m);
}

/* media.h: the time-out comes once when the peer stops sending (here: A
 * holds), not again during that silence, and again after RTP came back
 * and stopped once more. */
static void test_media_rtp_timeout(void **state)
{
	struct media *m = start(300, PORT_MIN, PORT_MAX);
	struct end a, b;
	struct media_stream st;
	struct media_stats s;
	unsigned want;
	uint64_t got;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	got = 5;
	assert_true(wait_for(&a, &b, cond_received, &b, &got));
	assert_int_equal(ntimeouts(&b), 0);

	st = stream(CODEC_PCMU, 0, 8000, media_session_port(b.s));
	st.send = false;
	assert_int_equal(media_session_set(a.s, &st), 0);
	want = 1;
	assert_true(wait_for(&a, &b, cond_timeouts, &b, &want));
	/* twice the time-out more: still once */
	pump((struct end *[]){&a, &b}, 2, 600);
	assert_int_equal(ntimeouts(&b), 1);
	assert_int_equal(ntimeouts(&a), 0); /* B sends all along */

	media_session_stats(b.s, &s);
	got = s.rtp_received + 5;
	st.send = true;
	assert_int_equal(media_session_set(a.s, &st), 0);
	assert_true(wait_for(&a, &b, cond_received, &b, &got));
	assert_int_equal(ntimeouts(&b), 1);
	st.send = false;
	assert_int_equal(media_session_set(a.s, &st), 0);
	want = 2;
	assert_true(wait_for(&a, &b, cond_timeouts, &b, &want));
	end_close(&a);
	end_close(&b);
	media_stop(m);
}

struct freer {
	struct end *e;
	unsigned after_edges;
};

static void *free_later(void *arg)
{
	struct freer *f = arg;
	uint64_t end = ms_now() + WAIT_MS;

	while (nedges(f->e) < f->after_edges && ms_now() < end)
		usleep(1000);
	media_session_free(f->e->s);
	atomic_store(&f->e->freed, true);
	return NULL;
}

/* media.h: media_session_free from another thread while B's digit
 * callbacks are coming (and slow); after it returns no callback of B
 * runs, and freeing A while it sends digits calls no digits_done. Three
 * rounds, each freeing after one more digit edge. */
static void free_from_thread(struct media *m, unsigned after_edges)
{
	struct end a, b;
	struct freer f;
	pthread_t t;
	unsigned before;

	end_open(m, &a);
	end_open(m, &b);
	b.slow = true;
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	assert_int_equal(
		media_session_digits(a.s, "0123456789*#ABCD0123456789", 20, 1),
		0);
	f.e = &b;
	f.after_edges = after_edges;
	assert_int_equal(pthread_create(&t, NULL, free_later, &f), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(atomic_load(&b.freed));
	assert_true(nedges(&b) >= after_edges);
	assert_int_equal(media_sessions(m), 1);

	/* A goes on sending to nobody for a while; then it is freed
	 * in the middle of its digits */
	pump((struct end *[]){&a}, 1, 100);
	before = atomic_load(&a.callbacks);
	media_session_free(a.s);
	atomic_store(&a.freed, true);
	assert_int_equal(media_sessions(m), 0);
	pump((struct end *[]){&a}, 1, 100);
	assert_int_equal(atomic_load(&a.callbacks), before);
	assert_int_equal(ndones(&a), 0);
	assert_int_equal(atomic_load(&b.after_free), 0);
	assert_int_equal(atomic_load(&a.after_free), 0);
	/* media.h: wave/in reads end of file once the session is freed */
	{
		uint8_t buf[4096];
		ssize_t n;

		while ((n = read(b.in_fd, buf, sizeof(buf))) > 0)
			;
		assert_int_equal(n, 0);
	}
	end_close(&a);
	end_close(&b);
}

static void test_media_free_from_thread(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	unsigned round;

	(void)state;
	for (round = 1; round <= 3; round++)
		free_from_thread(m, round);
	assert_int_equal(media_sessions(m), 0);
	media_stop(m);
}

/* media.h: a callback may free its own session: no callback of it
 * follows, the other session goes on. */
static void test_media_free_from_callback(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b;
	unsigned want = 1, seen_then;
	uint64_t end;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	b.free_in_callback = true;
	connect_ends(&a, &b, CODEC_PCMU, 0, 8000);
	assert_int_equal(media_session_digits(a.s, "12345", 40, 1), 0);
	assert_true(wait_for(&a, &b, cond_edges, &b, &want));
	end = ms_now() + WAIT_MS;
	while (!atomic_load(&b.freed_in_cb) && ms_now() < end)
		pump((struct end *[]){&a}, 1, 10);
	assert_true(atomic_load(&b.freed_in_cb));
	end = ms_now() + WAIT_MS;
	while (media_sessions(m) != 1 && ms_now() < end)
		pump((struct end *[]){&a}, 1, 10);
	assert_int_equal(media_sessions(m), 1);
	seen_then = atomic_load(&b.callbacks);
	assert_int_equal(seen_then, 1); /* the DOWN that freed it */
	/* A's digits all go out (to a closed port): done true */
	want = 1;
	assert_true(wait_for(&a, NULL, cond_dones, &a, &want));
	assert_int_equal(atomic_load(&b.callbacks), seen_then);
	assert_int_equal(atomic_load(&b.after_free), 0);
	end_close(&a);
	end_close(&b);
	assert_int_equal(media_sessions(m), 0);
	media_stop(m);
}

/* ports.h, media.h: a range of two pairs holds two sessions, a third
 * gets -EADDRINUSE; freed, the pairs serve new sessions. */
static void test_media_ports_reused(void **state)
{
	struct media *m = start(0, PORT_MAX + 1, PORT_MAX + 4);
	struct media_session *s[3];
	int round;

	(void)state;
	for (round = 0; round < 3; round++) {
		assert_int_equal(
			media_session_new(m, "127.0.0.1", NULL, NULL, &s[0]),
			0);
		assert_int_equal(
			media_session_new(m, "127.0.0.1", NULL, NULL, &s[1]),
			0);
		assert_int_equal(
			media_session_new(m, "127.0.0.1", NULL, NULL, &s[2]),
			-EADDRINUSE);
		assert_int_equal(media_sessions(m), 2);
		media_session_free(s[0]);
		media_session_free(s[1]);
		assert_int_equal(media_sessions(m), 0);
	}
	media_stop(m);
}

/* media.h: what media_start, media_session_new and media_session_set
 * refuse. */
static void test_media_bad_input(void **state)
{
	struct media_config cfg = {.port_min = 0, .port_max = 100};
	struct media *m = NULL;
	struct media_session *s = NULL;
	struct media_stream st;

	(void)state;
	assert_int_equal(media_start(&m, &cfg), -EINVAL);
	cfg.port_min = 41001;
	cfg.port_max = 41010;
	assert_int_equal(media_start(&m, &cfg), -EINVAL); /* odd */
	cfg.port_min = 41010;
	cfg.port_max = 41000;
	assert_int_equal(media_start(&m, &cfg), -EINVAL); /* empty */
	assert_null(m);
	m = start(0, PORT_MIN, PORT_MAX);
	assert_int_equal(media_session_new(m, "localhost", NULL, NULL, &s),
	                 -EINVAL);
	assert_null(s);
	assert_int_equal(media_session_new(m, "127.0.0.1", NULL, NULL, &s), 0);
	/* digits before a stream: not yet a call with media (media.h),
	 * in band or not */
	assert_int_equal(media_session_digits(s, "1", 0, 1), -EAGAIN);
	assert_int_equal(media_session_dtmf(s, "1", 0, 1), -EAGAIN);
	st = stream(CODEC_PCMU, 0, 8000, 5000);
	st.ptime = 70;
	assert_int_equal(media_session_set(s, &st), -EINVAL);
	st = stream(CODEC_PCMU, 0, 16000, 5000);
	assert_int_equal(media_session_set(s, &st), -EINVAL);
	st = stream(CODEC_PCMU, 0, 8000, 5000);
	memcpy(st.remote_addr, "::1", sizeof("::1")); /* not our family */
	assert_int_equal(media_session_set(s, &st), -EINVAL);
	memcpy(st.remote_addr, "nowhere", sizeof("nowhere"));
	assert_int_equal(media_session_set(s, &st), -EINVAL);
	st = stream(CODEC_OPUS, 111, 16000, 5000);
	st.ptime = 30; /* not an Opus frame */
	assert_int_equal(media_session_set(s, &st), -EINVAL);
	st = stream(CODEC_PCMU, 0, 8000, 5000);
	st.has_dtmf = false;
	assert_int_equal(media_session_set(s, &st), 0);
	assert_int_equal(media_session_digits(s, "1", 0, 1), -EINVAL);
	media_session_free(s);
	media_session_free(NULL);
	media_stop(m);
	media_stop(NULL);
}

/*
 * RFC 3711 with SDES keys (media_stream.srtp): each side sends with its
 * own key and takes the other's; the tone goes through protected. A side
 * that has the wrong key for what comes (RFC 3711 §3.3: authentication
 * fails) ignores every packet and hears nothing.
 */
static void test_media_srtp(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a, b;
	struct media_stream sa, sb;
	struct media_stats st;
	uint64_t some = 20;

	(void)state;
	end_open(m, &a);
	end_open(m, &b);
	sa = stream(CODEC_PCMU, 0, 8000, media_session_port(b.s));
	sa.srtp = true;
	sa.suite = RTPSEC_AES_CM_128_HMAC_SHA1_80;
	for (unsigned i = 0; i < RTPSEC_KEY_LEN; i++) {
		sa.tx_key[i] = (uint8_t)i;
		sa.rx_key[i] = (uint8_t)(200 - i);
	}
	sb = sa;
	sb.remote_port = media_session_port(a.s);
	memcpy(sb.tx_key, sa.rx_key, RTPSEC_KEY_LEN);
	memcpy(sb.rx_key, sa.tx_key, RTPSEC_KEY_LEN);
	assert_int_equal(media_session_set(b.s, &sb), 0); /* b first */
	assert_int_equal(media_session_set(a.s, &sa), 0);
	a.rate = b.rate = 8000;
	a.tone = true;
	assert_true(wait_for(&a, &b, cond_tone, &b, NULL));
	media_session_stats(b.s, &st);
	assert_int_equal(st.rtp_ignored, 0);
	/* set again with the same keys (a hold, a re-INVITE): the audio
	 * goes on, nothing refused (media.c keeps the contexts; RFC 3711
	 * §3.3.1, §9.1) */
	assert_int_equal(media_session_set(a.s, &sa), 0);
	assert_int_equal(media_session_set(b.s, &sb), 0);
	media_session_stats(b.s, &st);
	some = st.rtp_received + 25;
	assert_true(wait_for(&a, &b, cond_received, &b, &some));
	media_session_stats(b.s, &st);
	assert_int_equal(st.rtp_ignored, 0);
	some = 20;
	/* B with a key that is not A's: nothing of A's is taken */
	sb.rx_key[0] ^= 1;
	assert_int_equal(media_session_set(b.s, &sb), 0);
	media_session_stats(b.s, &st);
	some += st.rtp_ignored;
	assert_true(wait_for(&a, &b, cond_ignored, &b, &some));
	assert_true(wait_for(&a, &b, cond_silence, &b, NULL));
	end_close(&a);
	end_close(&b);
	media_stop(m);
}

/*
 * The review's re-key at the session: a re-INVITE in which only the
 * peer's key changes (ours never does) made both of A's SRTP directions
 * anew, ours restarting its indexes under the same key: keystream used
 * again, and the peer's receiver, whose indexes go on, refusing what it
 * sent. The SRTCP index shows it without waiting for 65,536 RTP packets
 * to wrap: A's first report (RFC 3550 §6.2: some 5 s after its stream is
 * set) goes out with index 0; after the re-key A's BYE
 * (media_session_free) has index 1, taken by the peer's receiver as it
 * was (made anew it had index 0 again: a replay, -EALREADY). Meanwhile
 * A's RTP still authenticates there, and A takes what comes under the
 * peer's new key and ignores its old one.
 */
static void test_media_srtp_peer_rekey(void **state)
{
	const enum rtpsec_suite s80 = RTPSEC_AES_CM_128_HMAC_SHA1_80;
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a;
	struct media_stream st;
	struct media_stats s, s1;
	struct rtcp_report r;
	struct rtpsec *rx, *tx1, *tx2; /* the peer's */
	struct rtp_hdr h;
	struct pollfd p;
	uint8_t payload[160], buf[1500 + RTPSEC_ROOM];
	uint16_t px, pz, aport;
	uint64_t want;
	ssize_t n;
	int x, z, len;
	bool bye = false;

	(void)state;
	end_open(m, &a);
	x = udp_socket(&px);
	z = udp_socket(&pz);
	aport = media_session_port(a.s);
	st = stream(CODEC_PCMU, 0, 8000, px);
	st.remote_rtcp_port = pz;
	st.srtp = true;
	st.suite = s80;
	for (unsigned i = 0; i < RTPSEC_KEY_LEN; i++) {
		st.tx_key[i] = (uint8_t)i;
		st.rx_key[i] = (uint8_t)(100 + i);
	}
	assert_int_equal(rtpsec_alloc(&rx, s80, st.rx_key, st.tx_key), 0);
	assert_int_equal(rtpsec_alloc(&tx1, s80, st.rx_key, st.tx_key), 0);
	assert_int_equal(media_session_set(a.s, &st), 0);
	/* A's first report */
	p.fd = z;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 5000 + WAIT_MS), 1);
	n = recv(z, buf, 1500, 0);
	assert_true(n > 0);
	len = rtpsec_unprotect(rx, buf, (size_t)n, true);
	assert_int_equal(len, n - RTPSEC_OVERHEAD);
	assert_int_equal(rtcp_parse(buf, (size_t)len, &r), 0);
	assert_false(r.bye);
	/* the RTP so far, all of it A's */
	while ((n = recv(x, buf, 1500, MSG_DONTWAIT)) > 0)
		assert_true(rtpsec_unprotect(rx, buf, (size_t)n, false) > 0);

	/* the peer's new key */
	for (unsigned i = 0; i < RTPSEC_KEY_LEN; i++)
		st.rx_key[i] = (uint8_t)(200 - i);
	assert_int_equal(rtpsec_alloc(&tx2, s80, st.rx_key, st.tx_key), 0);
	assert_int_equal(media_session_set(a.s, &st), 0);
	p.fd = x;
	assert_int_equal(poll(&p, 1, WAIT_MS), 1);
	n = recv(x, buf, 1500, 0);
	assert_true(rtpsec_unprotect(rx, buf, (size_t)n, false) > 0);
	/* under the old key ignored, under the new one taken */
	memset(&h, 0, sizeof(h));
	h.ssrc = 0x5151;
	memset(payload, 0xff, sizeof(payload));
	media_session_stats(a.s, &s);
	h.seq = 1;
	len = rtp_build(&h, NULL, payload, sizeof(payload), buf, 1500);
	len = rtpsec_protect(tx1, buf, (size_t)len, sizeof(buf), false);
	send_to(x, aport, buf, (size_t)len);
	want = s.rtp_ignored + 1;
	assert_true(wait_for(&a, NULL, cond_ignored, &a, &want));
	h.seq = 2;
	len = rtp_build(&h, NULL, payload, sizeof(payload), buf, 1500);
	len = rtpsec_protect(tx2, buf, (size_t)len, sizeof(buf), false);
	send_to(x, aport, buf, (size_t)len);
	want = s.rtp_received + 1;
	assert_true(wait_for(&a, NULL, cond_received, &a, &want));
	media_session_stats(a.s, &s1);
	assert_int_equal(s1.rtp_ignored, s.rtp_ignored + 1);
	assert_int_equal(s1.rtp_received, s.rtp_received + 1);

	/* the BYE, and any report before it: their indexes go on */
	media_session_free(a.s);
	atomic_store(&a.freed, true);
	p.fd = z;
	while (!bye) {
		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		n = recv(z, buf, 1500, 0);
		assert_true(n > 0);
		len = rtpsec_unprotect(rx, buf, (size_t)n, true);
		assert_int_equal(len, n - RTPSEC_OVERHEAD); /* not -EALREADY */
		assert_int_equal(rtcp_parse(buf, (size_t)len, &r), 0);
		bye = r.bye;
	}
	rtpsec_free(tx2);
	rtpsec_free(tx1);
	rtpsec_free(rx);
	close(x);
	close(z);
	end_close(&a);
	media_stop(m);
}

/* The peer's telephone-events as fast as a thread of the test sends
 * them, in batches of FLOOD_BATCH a system call: each packet a new
 * event (a new timestamp, the marker) of digit 1 that has ended, so two
 * digit callbacks (a start, an end) a packet. */
struct tflood {
	int x;         /* the session's peer's socket */
	uint16_t port; /* the session's RTP port */
	atomic_bool stop;
};

static void *tflood_main(void *arg)
{
	struct tflood *f = arg;
	static uint8_t pkt[FLOOD_BATCH][64];
	struct mmsghdr mh[FLOOD_BATCH];
	struct iovec iov[FLOOD_BATCH];
	struct tevent_payload ev = {
		.event = 1, .end = true, .volume = 10, .duration = 160};
	uint8_t payload[TEVENT_SIZE];
	struct sockaddr_in to;
	struct rtp_hdr h;
	int j, len;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(f->port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&h, 0, sizeof(h));
	memset(mh, 0, sizeof(mh));
	h.pt = 101;
	h.ssrc = 42;
	h.marker = true;
	tevent_write(&ev, payload);
	while (!atomic_load(&f->stop)) {
		for (j = 0; j < FLOOD_BATCH; j++) {
			h.seq++;
			h.ts += 160;
			len = rtp_build(&h, NULL, payload, sizeof(payload),
			                pkt[j], sizeof(pkt[j]));
			iov[j].iov_base = pkt[j];
			iov[j].iov_len = len < 0 ? 0 : (size_t)len;
			mh[j].msg_hdr.msg_iov = &iov[j];
			mh[j].msg_hdr.msg_iovlen = 1;
			mh[j].msg_hdr.msg_name = &to;
			mh[j].msg_hdr.msg_namelen = sizeof(to);
		}
		/* a full socket buffer drops them, as the network would */
		(void)sendmmsg(f->x, mh, FLOOD_BATCH, MSG_DONTWAIT);
	}
	return NULL;
}

static bool cond_callbacks(struct end *e, void *arg)
{
	return atomic_load(&e->callbacks) >= *(unsigned *)arg;
}

/*
 * The review's callback flood: media.c's queue of callbacks, 32 a
 * session, dropped whatever came beyond; one wake-up reads 64 datagrams,
 * each event of the peer's two digit callbacks, so under a flood of
 * events the digits_done of media_session_digits (and the time-out, a
 * tone heard) was lost, and the application's lineGenerateDigits never
 * saw LINE_GENERATE. Here, while the peer floods A with events, A sends
 * digits 20 times, one request after the other: each gets its
 * digits_done(id, true), in order. The flood's digits beyond what the
 * queue holds are counted in digits_ignored, and no digit's end is told
 * without its start.
 */
static void test_media_digits_flood(void **state)
{
	struct media *m = start(0, PORT_MIN, PORT_MAX);
	struct end a;
	struct tflood f = {0};
	struct media_stream st;
	struct media_stats s;
	pthread_t t;
	uint16_t px;
	unsigned want, id, i;

	(void)state;
	end_open(m, &a);
	f.x = udp_socket(&px);
	f.port = media_session_port(a.s);
	st = stream(CODEC_PCMU, 0, 8000, px);
	assert_int_equal(media_session_set(a.s, &st), 0);
	assert_int_equal(pthread_create(&t, NULL, tflood_main, &f), 0);
	want = 200; /* the flood's digits are coming */
	assert_true(wait_for(&a, NULL, cond_callbacks, &a, &want));
	for (id = 1; id <= 20; id++) {
		assert_int_equal(media_session_digits(a.s, "1", 40, id), 0);
		want = id;
		assert_true(wait_for(&a, NULL, cond_dones, &a, &want));
	}
	atomic_store(&f.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_mutex_lock(&a.lock);
	assert_int_equal(a.ndones, 20);
	for (i = 0; i < 20; i++) {
		assert_int_equal(a.done_id[i], i + 1);
		assert_true(a.done_ok[i]);
	}
	assert_int_equal(a.nedges, MAX_EDGES);
	for (i = 0; i < MAX_EDGES; i++) {
		assert_int_equal(a.digit[i], '1');
		assert_int_equal(a.edge[i],
		                 i % 2 ? MEDIA_DIGIT_UP : MEDIA_DIGIT_DOWN);
	}
	pthread_mutex_unlock(&a.lock);
	media_session_stats(a.s, &s);
	assert_true(s.digits_ignored > 0);
	assert_true(s.digits_received > 0);
	close(f.x);
	end_close(&a);
	media_stop(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media_bad_input),
		cmocka_unit_test(test_media_tone_g711),
		cmocka_unit_test(test_media_srtp),
		cmocka_unit_test(test_media_tone_g722),
		cmocka_unit_test(test_media_tone_opus),
		cmocka_unit_test(test_media_digits),
		cmocka_unit_test(test_media_inband_digits),
		cmocka_unit_test(test_media_hold),
		cmocka_unit_test(test_media_ignores_strangers),
		cmocka_unit_test(test_media_rtp_flood),
		cmocka_unit_test(test_media_digit_end_lost),
		cmocka_unit_test(test_media_rtcp),
		cmocka_unit_test(test_media_rtp_timeout),
		cmocka_unit_test(test_media_free_from_thread),
		cmocka_unit_test(test_media_free_from_callback),
		cmocka_unit_test(test_media_ports_reused),
		cmocka_unit_test(test_media_srtp_peer_rekey),
		cmocka_unit_test(test_media_digits_flood),
	};

	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));

	return cmocka_run_group_tests(tests, NULL, NULL);
}
