/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_media: a provider's media thread (media.h, docs/media.md). One
 * epoll loop runs every session of the provider: RTP and RTCP are read
 * as they come, and a tick every TICK_US sends each session's packets and
 * plays its frames out at its packet time.
 *
 * Locking: one mutex (media.lock) guards the session list and the state
 * of every session. The media thread holds it while it works and drops
 * it only in epoll_wait and to call a callback. A freed session leaves
 * the list at once (no callback of it runs after that) and its memory
 * goes at the end of the loop's iteration (media.doomed, "the reap"), so
 * the pointers the thread took from epoll_wait in that iteration stay
 * valid; media_session_free from another thread waits for that reap,
 * which also waits out a callback of the session that is running.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#include "media.h"
#include "rtp/jbuf.h"
#include "rtp/ports.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/tevent.h"

#define WAVE_SNDBUF      2048    /* asked for; the kernel's minimum applies */
#define TICK_US          5000    /* the loop's clock: sending, playout */
#define PLAY_SLACK_US    1000    /* playout moved earlier keeps this */
#define RTCP_INTERVAL_US 5000000 /* RFC 3550 §6.2: the 5 s minimum */
#define MAX_FRAME        960     /* samples of a packet: 60 ms at 16 kHz */
#define MAX_DECODE       5760    /* samples a payload may decode to */
#define PKT_MAX          1500    /* an RTP or RTCP datagram */
#define CB_QUEUE         48      /* a session's callback queue at first */
#define CB_DIGITS        32      /* of them the peer's digits, at most */
#define READS_PER_EVENT  64      /* datagrams read per epoll event */
#define LATE_FRAMES      10      /* behind this far: resynchronise */
#define DIGIT_VOLUME     10      /* -10 dBm0 */
#define PAUSE_MS         1000    /* ',' in a digit string */
#define EVENT_LOST_US    500000  /* no packet of an event: it ended */
#define INBAND_MIN_MS    50      /* in band: the shortest tone and gap */
/* a DTMF frequency's amplitude in band: -10 dBm0 (ITU-T Q.23), 13.14 dB
 * below a full-scale sine (+3.14 dBm0 in G.711 µ-law) */
#define INBAND_AMPLITUDE 7219.0

enum watch_kind {
	WATCH_WAKE,
	WATCH_TIMER,
	WATCH_RTP,
	WATCH_RTCP,
};

/* What an epoll event points at. */
struct watch {
	enum watch_kind kind;
	struct media_session *s; /* RTP and RTCP only */
};

enum cb_kind {
	CB_DIGIT,
	CB_DONE,
	CB_TIMEOUT,
	CB_TONE,
	CB_ALARM,
};

/* A callback waiting to be called by the media thread. */
struct cb {
	enum cb_kind kind;
	char digit;
	enum media_digit_edge edge;
	uint32_t id;
	bool done;
};

enum dtx_state {
	DTX_IDLE,  /* no digit being sent */
	DTX_EVENT, /* an event's packets go instead of audio */
	DTX_GAP,   /* audio between digits (or a ',' pause) */
};

struct media {
	pthread_mutex_t lock;
	pthread_cond_t reaped; /* signalled after each reap */
	pthread_t thread;
	int epfd, wakefd, timerfd;
	struct watch w_wake, w_timer;
	struct ports ports; /* thread-safe on its own */
	struct media_config cfg;
	/* guarded by lock: */
	struct media_session *live;   /* the sessions not freed */
	struct media_session *doomed; /* freed, memory not yet released */
	unsigned nsessions;           /* in live */
	unsigned queued;              /* callbacks queued in live sessions */
	uint64_t reaps;               /* reaps done */
	bool ticking;                 /* the timer is armed */
	bool stopping;
#ifdef TAPIX_LOCK_CHECK
	bool held;        /* lock is held, by holder */
	pthread_t holder; /* both written only by the lock's holder */
#endif
};

/* A session; every field after the first block is guarded by m->lock. */
struct media_session {
	struct media *m;
	struct media_events ev;
	void *ctx;
	struct ports_pair pp;
	int family;
	struct watch w_rtp, w_rtcp;
	char cname[80];

	struct media_session *prev, *next; /* in m->live or m->doomed */
	bool dead;                         /* freed: no I/O, no callback */
	struct cb *q;                      /* callbacks to call, in order */
	unsigned qn, qcap;                 /* in q, room in q */
	unsigned qdigits;                  /* CB_DIGIT in q */
	bool digit_dropped; /* the peer's digit that goes on was not told */

	/* the stream (media_session_set) */
	bool has_stream;
	struct media_stream st; /* ptime and pcm_rate filled in */
	struct sockaddr_storage peer, peer_rtcp;
	socklen_t peer_len;
	struct codec *codec;
	/* SRTP: made by the first stream with it and kept for the session
	 * (media_session_set), used while st.srtp (srtp_locked) */
	struct rtpsec *sec;
	unsigned clock_rate;
	size_t frame;  /* samples per packet at st.pcm_rate */
	uint32_t step; /* RTP clock units per packet */
	uint64_t next_tx_us, next_play_us, next_rtcp_us, last_rtp_us;
	bool timed_out;

	/* sending */
	uint32_t ssrc, ts;
	uint16_t seq;
	bool spurt; /* the next audio packet starts a talk spurt (marker) */
	uint32_t octets;

	/* digits sent (media_session_digits) */
	char *digits; /* NUL-terminated, owned; NULL: none */
	size_t dpos;
	unsigned dur_ms, gap_ms;
	uint32_t did;
	bool dpending; /* digits_done(did) is owed */
	enum dtx_state dstate;
	struct tevent_tx tev;
	/* the digits go in band (no telephone-event agreed): DTMF tones in
	 * the audio instead of wave/out's, dstate DTX_GAP while they go */
	bool dinband;
	bool ib_on;            /* a digit's tone sounds (else a gap) */
	uint64_t ib_left;      /* samples left of the tone or gap */
	uint64_t ib_pos;       /* samples of the tone made */
	unsigned ib_lo, ib_hi; /* its row and column frequencies */

	/* a tone sent (media_session_tone) */
	struct media_tone tone[MEDIA_MAX_TONES];
	unsigned ntones;
	uint64_t tone_pos, tone_len; /* samples made, and to make */
	uint32_t tid;
	bool tpending; /* a tone goes, digits_done(tid) owed */

	/* tones listened for (media_session_watch): how long each has been
	 * heard, and whether it was told */
	struct media_watch watch[MEDIA_MAX_WATCH];
	unsigned nwatch;
	unsigned heard_ms[MEDIA_MAX_WATCH];
	bool told[MEDIA_MAX_WATCH];

	/* the alarm (media_session_alarm) */
	bool alarm_on;
	uint64_t alarm_us;
	uint32_t alarm_id;

	/* receiving */
	struct jbuf jb;
	struct rtp_source src;
	bool has_src;
	struct tevent_rx trx;
	uint64_t last_event_us; /* the last telephone-event packet */
	dtmf_rx_state_t *drx;   /* in-band DTMF detection, without events */
	char inband;            /* the in-band digit heard now, or '\0' */

	/* the wave descriptors: our ends, -1 when none */
	int in_w, out_r;
	uint8_t in_left[MAX_FRAME * 2]; /* a frame's bytes not yet written */
	size_t in_left_off, in_left_len;
	uint8_t out_carry; /* an odd byte read from wave/out */
	bool has_carry;

	struct media_stats stats;
};

/* The lock, and in checked builds (TAPIX_LOCK_CHECK: Debug and the
 * sanitizers) who holds it, for the _locked functions' assertions. */
static void lock(struct media *m)
{
	pthread_mutex_lock(&m->lock);
#ifdef TAPIX_LOCK_CHECK
	m->held = true;
	m->holder = pthread_self();
#endif
}

static void unlock(struct media *m)
{
#ifdef TAPIX_LOCK_CHECK
	m->held = false;
#endif
	pthread_mutex_unlock(&m->lock);
}

static void wait_reaped(struct media *m)
{
#ifdef TAPIX_LOCK_CHECK
	m->held = false;
#endif
	pthread_cond_wait(&m->reaped, &m->lock);
#ifdef TAPIX_LOCK_CHECK
	m->held = true;
	m->holder = pthread_self();
#endif
}

#ifdef TAPIX_LOCK_CHECK
/* Only the holder reads these while the rule is kept; a caller not
 * holding the lock fails here (or in ThreadSanitizer) either way. */
#define assert_locked(m) \
	assert((m)->held &&pthread_equal((m)->holder, pthread_self()))
#else
#define assert_locked(m) ((void)(m))
#endif

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static uint64_t unix_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void wake(struct media *m)
{
	uint64_t one = 1;

	/* a full counter wakes the thread as well */
	if (write(m->wakefd, &one, sizeof(one)) < 0)
		return;
}

/* The tick at or before @us: ticks come at whole multiples of TICK_US
 * of the monotonic clock, so a session's slots (next_tx_us,
 * next_play_us) kept on them fall to the same tick every time, however
 * late the thread wakes; a slot between two ticks would go to one or the
 * other with the wake-up's jitter, a tick's worth of jitter on the wire. */
static uint64_t tick_floor(uint64_t us)
{
	return us - us % TICK_US;
}

/* Arms the tick while sessions exist, disarms it when none do. */
static void set_ticking_locked(struct media *m)
{
	struct itimerspec its;
	bool want = m->nsessions > 0;
	uint64_t first;

	assert_locked(m);
	if (want == m->ticking)
		return;
	memset(&its, 0, sizeof(its));
	if (want) {
		first = tick_floor(now_us()) + TICK_US;
		its.it_interval.tv_nsec = TICK_US * 1000;
		its.it_value.tv_sec = (time_t)(first / 1000000);
		its.it_value.tv_nsec = (long)(first % 1000000) * 1000;
	}
	if (timerfd_settime(m->timerfd, want ? TFD_TIMER_ABSTIME : 0, &its,
	                    NULL) == 0)
		m->ticking = want;
}

/*
 * Queues a callback; false when it was not (a dead session, out of
 * memory). What is owed to the application (digits_done, the time-out, a
 * tone heard, the alarm) is never turned away for room: it would never
 * come again, and an application waiting for LINE_GENERATE would wait
 * for ever. The queue grows instead, which only calls of the session's
 * functions while a callback takes long can make it do: the peer's
 * digits are held to CB_DIGITS waiting (digit_locked).
 */
static bool queue_cb_locked(struct media_session *s, const struct cb *c)
{
	struct cb *q;

	assert_locked(s->m);
	if (s->dead)
		return false;
	if (s->qn == s->qcap) {
		q = realloc(s->q, 2 * (size_t)s->qcap * sizeof(*q));
		if (!q)
			return false;
		s->q = q;
		s->qcap *= 2;
	}
	s->q[s->qn++] = *c;
	if (c->kind == CB_DIGIT)
		s->qdigits++;
	s->m->queued++;
	return true;
}

/*
 * A digit of the peer's starts or ends, for the digit callback. A start
 * is told only while CB_DIGITS leave room for it and its end; beyond
 * that (a peer sending events faster than the callbacks take them: each
 * event packet of a new timestamp is a start and an end) it is counted
 * in digits_ignored, and its end is not told either, so that the
 * application never sees an end without its start.
 */
static void digit_locked(struct media_session *s, char digit,
                         enum media_digit_edge edge)
{
	struct cb c = {.kind = CB_DIGIT, .digit = digit, .edge = edge};

	assert_locked(s->m);
	if (edge == MEDIA_DIGIT_UP) {
		if (!s->digit_dropped)
			queue_cb_locked(s, &c);
		s->digit_dropped = false;
		return;
	}
	s->digit_dropped = s->qdigits + 2 > CB_DIGITS;
	if (s->digit_dropped || !queue_cb_locked(s, &c)) {
		s->digit_dropped = true;
		s->stats.digits_ignored++;
		return;
	}
	s->stats.digits_received++;
}

/* Sets @ss from a numeric address and port. Returns its length or 0. */
static socklen_t parse_addr(const char *addr, uint16_t port,
                            struct sockaddr_storage *ss)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	memset(ss, 0, sizeof(*ss));
	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(port);
		memcpy(ss, &a4, sizeof(a4));
		return sizeof(a4);
	}
	if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(port);
		memcpy(ss, &a6, sizeof(a6));
		return sizeof(a6);
	}
	return 0;
}

/* Whether @from (what recvfrom gave) is @peer's address, and its port
 * too when @port. */
static bool same_addr(const struct sockaddr_storage *from,
                      const struct sockaddr_storage *peer, bool port)
{
	struct sockaddr_in a, b;
	struct sockaddr_in6 a6, b6;

	if (from->ss_family != peer->ss_family)
		return false;
	if (from->ss_family == AF_INET) {
		memcpy(&a, from, sizeof(a));
		memcpy(&b, peer, sizeof(b));
		return a.sin_addr.s_addr == b.sin_addr.s_addr &&
		       (!port || a.sin_port == b.sin_port);
	}
	if (from->ss_family == AF_INET6) {
		memcpy(&a6, from, sizeof(a6));
		memcpy(&b6, peer, sizeof(b6));
		return !memcmp(&a6.sin6_addr, &b6.sin6_addr,
		               sizeof(a6.sin6_addr)) &&
		       (!port || a6.sin6_port == b6.sin6_port);
	}
	return false;
}

/* The stream's SRTP, or NULL while it is plain RTP. */
static struct rtpsec *srtp_locked(struct media_session *s)
{
	assert_locked(s->m);
	return s->has_stream && s->st.srtp ? s->sec : NULL;
}

/* ---- sending ------------------------------------------------------------ */

static void send_rtp_locked(struct media_session *s, uint8_t pt, bool marker,
                            uint32_t ts, const uint8_t *payload, size_t len)
{
	struct rtpsec *sec;
	struct rtp_hdr h;
	uint8_t pkt[PKT_MAX];
	int n;

	assert_locked(s->m);
	sec = srtp_locked(s);
	memset(&h, 0, sizeof(h));
	h.marker = marker;
	h.pt = pt;
	h.seq = s->seq;
	h.ts = ts;
	h.ssrc = s->ssrc;
	n = rtp_build(&h, NULL, payload, len, pkt, sizeof(pkt));
	if (n < 0)
		return;
	s->seq++;
	if (sec &&
	    (n = rtpsec_protect(sec, pkt, (size_t)n, sizeof(pkt), false)) < 0)
		return;
	/* a full socket buffer loses the packet, as the network could */
	if (sendto(s->pp.rtp_fd, pkt, (size_t)n, MSG_DONTWAIT,
	           (const struct sockaddr *)&s->peer, s->peer_len) == n) {
		s->stats.rtp_sent++;
		s->octets += (uint32_t)len;
	}
}

/* An SR or RR with the SDES CNAME (RFC 3550 §6.1), and a BYE with @bye. */
static void send_rtcp_locked(struct media_session *s, uint64_t now, bool bye)
{
	struct rtpsec *sec;
	struct rtcp_report r;
	uint8_t pkt[PKT_MAX];
	size_t len = strlen(s->cname);
	int n;

	assert_locked(s->m);
	sec = srtp_locked(s);
	memset(&r, 0, sizeof(r));
	r.ssrc = s->ssrc;
	r.has_sr = s->stats.rtp_sent > 0;
	if (r.has_sr) {
		r.sr.ntp = rtcp_ntp_from_us(unix_us());
		r.sr.rtp_ts = s->ts;
		r.sr.packets = (uint32_t)s->stats.rtp_sent;
		r.sr.octets = s->octets;
	}
	if (s->has_src) {
		rtp_source_report(&s->src, now, &r.rb[0]);
		r.nrb = 1;
	}
	r.has_cname = true;
	r.cname_len = (uint8_t)len;
	memcpy(r.cname, s->cname, len + 1);
	if (bye) {
		r.bye = true;
		r.nbye = 1;
		r.bye_ssrc[0] = s->ssrc;
	}
	n = rtcp_build(&r, pkt, sizeof(pkt));
	if (n > 0 && sec)
		n = rtpsec_protect(sec, pkt, (size_t)n, sizeof(pkt), true);
	if (n > 0)
		(void)sendto(s->pp.rtcp_fd, pkt, (size_t)n, MSG_DONTWAIT,
		             (const struct sockaddr *)&s->peer_rtcp,
		             s->peer_len);
}

/* Ends the digits being sent: digits_done(@done) if one is owed. */
static void digits_finish_locked(struct media_session *s, bool done)
{
	struct cb c = {.kind = CB_DONE, .id = s->did, .done = done};

	assert_locked(s->m);
	if (s->dpending)
		queue_cb_locked(s, &c);
	s->dpending = false;
	s->dstate = DTX_IDLE;
}

/* The digits' part of a packet slot: true when an event packet was sent
 * in it (RFC 4733 §2.5.1), false when audio goes. */
static bool digits_step_locked(struct media_session *s)
{
	struct tevent_pkt pkt;
	uint32_t len;
	char c;

	assert_locked(s->m);
	if (s->dinband)
		return false; /* in band: inband_frame_locked */
	for (;;) {
		switch (s->dstate) {
		case DTX_IDLE:
			return false;
		case DTX_EVENT:
			if (tevent_tx_next(&s->tev, s->step, &pkt)) {
				send_rtp_locked(s, s->st.dtmf_pt, pkt.marker,
				                pkt.ts, pkt.payload,
				                TEVENT_SIZE);
				return true;
			}
			if (!s->digits || !s->digits[s->dpos]) {
				digits_finish_locked(s, true);
				return false;
			}
			/* the gap between two digits, as long as one */
			s->dstate = DTX_GAP;
			s->gap_ms = s->dur_ms;
			return false;
		case DTX_GAP:
			if (s->gap_ms) {
				s->gap_ms = s->gap_ms > s->st.ptime
				                    ? s->gap_ms - s->st.ptime
				                    : 0;
				return false;
			}
			c = s->digits ? s->digits[s->dpos] : '\0';
			if (!c) {
				digits_finish_locked(s, true);
				return false;
			}
			s->dpos++;
			if (c == ',') {
				s->gap_ms = PAUSE_MS;
				continue;
			}
			len = (uint32_t)((uint64_t)s->dur_ms * s->clock_rate /
			                 1000);
			if (len > 65535)
				len = 65535; /* an event's longest (§2.5.1.3) */
			if (len == 0)
				len = 1;
			if (tevent_tx_start(&s->tev,
			                    (uint8_t)tevent_from_digit(c),
			                    DIGIT_VOLUME, s->ts, len) != 0)
				continue;
			s->dstate = DTX_EVENT;
			continue;
		}
	}
}

/* Reads one packet's audio from wave/out into @pcm: what is there, the
 * rest silence. An odd byte is kept for the next frame. */
static void read_wave_out_locked(struct media_session *s, int16_t *pcm)
{
	uint8_t buf[MAX_FRAME * 2];
	size_t want = s->frame * 2, have = 0, i;
	ssize_t r;

	assert_locked(s->m);
	if (s->has_carry) {
		buf[0] = s->out_carry;
		have = 1;
		s->has_carry = false;
	}
	if (s->out_r >= 0) {
		r = recv(s->out_r, buf + have, want - have, MSG_DONTWAIT);
		if (r > 0) {
			have += (size_t)r;
		} else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		                      errno != EINTR)) {
			/* the application let go of wave/out */
			close(s->out_r);
			s->out_r = -1;
		}
	}
	if (have % 2) {
		s->out_carry = buf[have - 1];
		s->has_carry = true;
		have--;
	}
	memset(buf + have, 0, want - have);
	for (i = 0; i < s->frame; i++)
		pcm[i] = (int16_t)(uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

/* Ends the tone being sent: digits_done(@done) for it. */
static void tone_finish_locked(struct media_session *s, bool done)
{
	struct cb c = {.kind = CB_DONE, .id = s->tid, .done = done};

	assert_locked(s->m);
	if (s->tpending)
		queue_cb_locked(s, &c);
	s->tpending = false;
}

/* One packet's audio of the tone into @pcm, in place of wave/out's: each
 * frequency on its cadence, mixed; the rest of the frame silent once the
 * tone ends. */
static void tone_frame_locked(struct media_session *s, int16_t *pcm)
{
	const double rate = s->st.pcm_rate, two_pi = 6.283185307179586;
	size_t i;

	assert_locked(s->m);
	for (i = 0; i < s->frame; i++, s->tone_pos++) {
		double v = 0;
		uint64_t ms = s->tone_pos * 1000 / (uint64_t)rate;

		if (s->tone_pos >= s->tone_len) {
			pcm[i] = 0;
			continue;
		}
		for (unsigned k = 0; k < s->ntones; k++) {
			const struct media_tone *t = &s->tone[k];
			uint64_t cycle = (uint64_t)t->on_ms + t->off_ms;

			if (t->off_ms && ms % cycle >= t->on_ms)
				continue;
			v += (double)t->volume / 0xFFFF * 16000.0 / s->ntones *
			     sin(two_pi * t->freq * (double)s->tone_pos / rate);
		}
		pcm[i] = (int16_t)v;
	}
	if (s->tone_pos >= s->tone_len)
		tone_finish_locked(s, true);
}

/* The row and column frequencies of a DTMF digit (ITU-T Q.23 Table 1). */
static bool dtmf_freqs(char c, unsigned *lo, unsigned *hi)
{
	static const char keys[] = "123A456B789C*0#D";
	static const unsigned row[] = {697, 770, 852, 941};
	static const unsigned col[] = {1209, 1336, 1477, 1633};
	const char *k = c ? strchr(keys, c) : NULL;

	if (!k)
		return false;
	*lo = row[(k - keys) / 4];
	*hi = col[(k - keys) % 4];
	return true;
}

/* The next step of the in-band digits once the tone or gap is over: the
 * gap after a tone (after the last one too, so that digits sent next are
 * heard apart from it), or the next digit (',' a pause); false when all
 * are sent (digits_done(true) queued). */
static bool inband_next_locked(struct media_session *s)
{
	uint64_t per_ms = s->st.pcm_rate / 1000;
	char c;

	assert_locked(s->m);
	if (s->ib_on) {
		s->ib_on = false;
		s->ib_left = (uint64_t)s->dur_ms * per_ms;
		return true;
	}
	for (;;) {
		c = s->digits ? s->digits[s->dpos] : '\0';
		if (!c) {
			digits_finish_locked(s, true);
			return false;
		}
		s->dpos++;
		if (c == ',') {
			s->ib_left = (uint64_t)PAUSE_MS * per_ms;
			return true;
		}
		if (dtmf_freqs(c, &s->ib_lo, &s->ib_hi)) {
			s->ib_on = true;
			s->ib_pos = 0;
			s->ib_left = (uint64_t)s->dur_ms * per_ms;
			return true;
		}
	}
}

/* One packet's audio of the digits sent in band, in place of wave/out's:
 * each digit's two frequencies for its duration, silence between (ITU-T
 * Q.23); once they are all sent the rest of the frame is wave/out's. */
static void inband_frame_locked(struct media_session *s, int16_t *pcm)
{
	const double w = 6.283185307179586 / s->st.pcm_rate;

	assert_locked(s->m);
	for (size_t i = 0; i < s->frame; i++) {
		while (!s->ib_left)
			if (!inband_next_locked(s))
				return;
		if (s->ib_on) {
			double t = (double)s->ib_pos++;

			pcm[i] = (int16_t)(INBAND_AMPLITUDE *
			                   (sin(w * s->ib_lo * t) +
			                    sin(w * s->ib_hi * t)));
		} else {
			pcm[i] = 0;
		}
		s->ib_left--;
	}
}

/* One packet slot of a session's sending. */
static void send_frame_locked(struct media_session *s)
{
	int16_t pcm[MAX_FRAME];
	uint8_t payload[PKT_MAX];
	int n;

	assert_locked(s->m);
	read_wave_out_locked(s, pcm);
	if (s->tpending && s->st.send)
		tone_frame_locked(s, pcm); /* wave/out's audio dropped */
	if (s->dinband && s->dstate != DTX_IDLE && s->st.send)
		inband_frame_locked(s, pcm); /* the same */
	if (!s->st.send) {
		s->spurt = true;
	} else if (!digits_step_locked(s)) {
		n = codec_encode(s->codec, pcm, s->frame, payload,
		                 sizeof(payload));
		if (n >= 0) {
			send_rtp_locked(s, s->st.pt, s->spurt, s->ts, payload,
			                (size_t)n);
			s->spurt = false;
		}
	}
	s->ts += s->step;
}

/* ---- playing out -------------------------------------------------------- */

/* Writes a frame to wave/in, or drops it when the application is behind
 * (never half a sample: a frame written in part is finished first). */
static void write_wave_in_locked(struct media_session *s, const int16_t *pcm)
{
	size_t i, len = s->frame * 2;
	ssize_t r;

	assert_locked(s->m);
	if (s->in_w < 0)
		return;
	if (s->in_left_len) {
		r = send(s->in_w, s->in_left + s->in_left_off, s->in_left_len,
		         MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			s->in_left_off += (size_t)r;
			s->in_left_len -= (size_t)r;
		} else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		           errno != EINTR) {
			goto gone;
		}
		if (s->in_left_len)
			return; /* still behind: this frame is dropped */
	}
	for (i = 0; i < s->frame; i++) {
		s->in_left[2 * i] = (uint8_t)((uint16_t)pcm[i] & 0xff);
		s->in_left[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
	}
	r = send(s->in_w, s->in_left, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		goto gone;
	}
	s->in_left_off = (size_t)r;
	s->in_left_len = len - (size_t)r;
	return;
gone:
	/* the application closed wave/in */
	close(s->in_w);
	s->in_w = -1;
	s->in_left_len = 0;
}

/* spandsp's detector: @code a digit that begins, 0 when it ends. Runs
 * inside dtmf_rx, on the media thread with the lock held. */
static void inband_edge(void *ctx, int code, int level, int delay)
{
	struct media_session *s = ctx;

	(void)level;
	(void)delay;
	assert_locked(s->m);
	if (s->inband) {
		digit_locked(s, s->inband, MEDIA_DIGIT_UP);
		s->inband = '\0';
	}
	if (code > 0 && tevent_from_digit((char)code) >= 0) {
		s->inband = (char)code;
		digit_locked(s, s->inband, MEDIA_DIGIT_DOWN);
	}
}

/* Gives a frame played out to the in-band detector, which takes 8 kHz:
 * 16 kHz is halved (pairs averaged; DTMF is under 1.7 kHz). */
static void inband_feed_locked(struct media_session *s, const int16_t *pcm)
{
	int16_t half[MAX_FRAME / 2];
	size_t i, n = s->frame;

	assert_locked(s->m);
	if (!s->drx)
		return;
	if (s->st.pcm_rate == 16000) {
		n = s->frame / 2;
		for (i = 0; i < n; i++)
			half[i] = (int16_t)((pcm[2 * i] + pcm[2 * i + 1]) / 2);
		pcm = half;
	}
	(void)dtmf_rx(s->drx, pcm, (int)n);
}

/* One frame of a session's playout: decoded, concealed or silence. */
/* Goertzel: the power of @freq in @n samples at @rate Hz. */
static double tone_power(const int16_t *pcm, size_t n, double freq, double rate)
{
	double k = 2.0 * cos(6.283185307179586 * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] / 32768.0 + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* One frame of what the peer sends against the tones listened for. */
static void watch_feed_locked(struct media_session *s, const int16_t *pcm)
{
	double energy = 0;

	assert_locked(s->m);
	if (!s->nwatch)
		return;
	for (size_t i = 0; i < s->frame; i++)
		energy += (double)pcm[i] / 32768.0 * pcm[i] / 32768.0;
	for (unsigned k = 0; k < s->nwatch; k++) {
		const struct media_watch *w = &s->watch[k];
		double sum = 0;
		bool all = energy > 1e-4 * s->frame; /* not silence */

		/* each frequency strong, together most of the energy: a
		 * pure tone's Goertzel power over N samples is about N/2
		 * times the frame's energy, so each is compared as a share
		 * of that (less on a frequency between two bins) */
		for (unsigned f = 0; f < 3 && all; f++) {
			double p;

			if (!w->freq[f])
				continue;
			p = tone_power(pcm, s->frame, w->freq[f],
			               s->st.pcm_rate);
			all = p > 0.1 * energy * (double)s->frame / 2;
			sum += p;
		}
		all = all && sum > 0.5 * energy * (double)s->frame / 2;
		if (!all) {
			s->heard_ms[k] = 0;
			s->told[k] = false;
			continue;
		}
		s->heard_ms[k] += s->st.ptime;
		if (!s->told[k] && s->heard_ms[k] >= w->duration_ms) {
			struct cb c = {.kind = CB_TONE, .id = w->tag};

			/* not queued: again at the next frame heard */
			s->told[k] = queue_cb_locked(s, &c);
		}
	}
}

static void play_frame_locked(struct media_session *s)
{
	int16_t pcm[MAX_DECODE];
	struct jbuf_frame f;
	int n = 0;

	assert_locked(s->m);
	if (s->st.recv) {
		switch (jbuf_get(&s->jb, &f)) {
		case JBUF_FRAME:
			n = codec_decode(s->codec, f.data, f.len, pcm,
			                 MAX_DECODE);
			if (n >= 0)
				break;
			/* a payload the decoder refuses: as if lost */
			/* fall through */
		case JBUF_LOST:
			n = codec_conceal(s->codec, pcm, s->frame);
			s->stats.lost++;
			break;
		case JBUF_EMPTY:
			break;
		}
	}
	if (n < 0)
		n = 0;
	if ((size_t)n < s->frame)
		memset(pcm + n, 0, (s->frame - (size_t)n) * sizeof(pcm[0]));
	inband_feed_locked(s, pcm);
	watch_feed_locked(s, pcm);
	write_wave_in_locked(s, pcm);
}

/* ---- receiving ---------------------------------------------------------- */

static void digit_notes_locked(struct media_session *s,
                               const struct tevent_notes *notes)
{
	unsigned i;
	char digit;

	assert_locked(s->m);
	for (i = 0; i < notes->n; i++) {
		digit = tevent_to_digit(notes->note[i].event);
		if (!digit)
			continue; /* an event that is not a digit */
		digit_locked(s, digit,
		             notes->note[i].kind == TEVENT_START
		                     ? MEDIA_DIGIT_DOWN
		                     : MEDIA_DIGIT_UP);
	}
}

/* One datagram on the RTP port: checked, then to the jitter buffer or
 * the telephone-event receiver. */
static void rtp_input_locked(struct media_session *s, const uint8_t *buf,
                             size_t len, const struct sockaddr_storage *from,
                             uint64_t now)
{
	struct tevent_notes notes;
	struct rtp_hdr h;
	uint32_t arrival;

	assert_locked(s->m);
	if (!s->has_stream || !same_addr(from, &s->peer, true) ||
	    rtp_parse(buf, len, &h) != 0) {
		s->stats.rtp_ignored++;
		return;
	}
	if (s->st.has_dtmf && h.pt == s->st.dtmf_pt) {
		if (s->st.recv) {
			if (tevent_rx_input(&s->trx, h.marker, h.ts, h.payload,
			                    h.payload_len, &notes) != 0) {
				s->stats.rtp_ignored++;
				return;
			}
			digit_notes_locked(s, &notes);
			s->last_event_us = now;
		}
	} else if (h.pt == s->st.pt) {
		arrival = (uint32_t)(now * s->clock_rate / 1000000);
		if (!s->has_src) {
			rtp_source_init(&s->src, h.ssrc, h.seq);
			s->has_src = true;
		}
		rtp_source_update(&s->src, &h, arrival);
		if (s->st.recv &&
		    jbuf_put(&s->jb, h.seq, h.ts, h.marker, h.payload,
		             h.payload_len, now) == JBUF_PUT_OK &&
		    (int64_t)(s->next_play_us - now) <
		            (int64_t)s->st.ptime * 1000 &&
		    jbuf_due(&s->jb)) {
			/* the frame due is here: played now, not at its slot
			 * (the slot is the deadline; align_playout_locked) */
			play_frame_locked(s);
			s->next_play_us += (uint64_t)s->st.ptime * 1000;
		}
	} else {
		s->stats.rtp_ignored++;
		return;
	}
	s->stats.rtp_received++;
	s->last_rtp_us = now;
	s->timed_out = false;
}

static void rtp_readable_locked(struct media_session *s, uint64_t now)
{
	struct sockaddr_storage from;
	struct rtpsec *sec;
	socklen_t flen;
	uint8_t buf[PKT_MAX + 1];
	ssize_t n;
	int i;

	assert_locked(s->m);
	sec = srtp_locked(s);
	for (i = 0; i < READS_PER_EVENT; i++) {
		flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(s->pp.rtp_fd, buf, sizeof(buf), MSG_DONTWAIT,
		             (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		if ((size_t)n == sizeof(buf)) {
			s->stats.rtp_ignored++; /* longer than any we take */
			continue;
		}
		/* SRTP: what the peer's key does not authenticate is not
		 * theirs (RFC 3711 §3.3) */
		if (sec &&
		    (!same_addr(&from, &s->peer, true) ||
		     (n = rtpsec_unprotect(sec, buf, (size_t)n, false)) < 0)) {
			s->stats.rtp_ignored++;
			continue;
		}
		rtp_input_locked(s, buf, (size_t)n, &from, now);
	}
}

/* RTCP from the peer: a sender report is noted for our report blocks
 * (RFC 3550 §6.4.1 LSR, DLSR); the rest is read and dropped. */
static void rtcp_readable_locked(struct media_session *s, uint64_t now)
{
	struct sockaddr_storage from;
	struct rtcp_report r;
	struct rtpsec *sec;
	socklen_t flen;
	uint8_t buf[PKT_MAX + 1];
	ssize_t n;
	int i;

	assert_locked(s->m);
	sec = srtp_locked(s);
	for (i = 0; i < READS_PER_EVENT; i++) {
		flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(s->pp.rtcp_fd, buf, sizeof(buf), MSG_DONTWAIT,
		             (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		if (!s->has_stream || !same_addr(&from, &s->peer, false))
			continue;
		if (sec &&
		    (n = rtpsec_unprotect(sec, buf, (size_t)n, true)) < 0)
			continue;
		if (rtcp_parse(buf, (size_t)n, &r) != 0)
			continue;
		if (r.has_sr && s->has_src && r.ssrc == s->src.ssrc)
			rtp_source_sr_received(&s->src, r.sr.ntp, now);
	}
}

/* ---- the tick ----------------------------------------------------------- */

/* Moves the session's playout slot to the phase of the frame interval
 * the jitter buffer asks for, just after its packets arrive (jbuf.h,
 * docs/media.md: the latency added stays small), in whole ticks: to the
 * first tick at or after that phase when the slot comes before it (its
 * packets would be late), and earlier by whole ticks when it comes a
 * tick or more after it, keeping PLAY_SLACK_US (so that the jitter of
 * the phase itself does not move it back and forth). A frame that
 * arrives before its slot is played at once (rtp_input_locked): the slot
 * is when a frame that has not come is concealed. */
static void align_playout_locked(struct media_session *s, uint64_t frame_us)
{
	int64_t want = jbuf_phase_us(&s->jb);
	int64_t at = (int64_t)(s->next_play_us % frame_us);
	int64_t d = want - at;

	assert_locked(s->m);
	if (d > (int64_t)frame_us / 2)
		d -= (int64_t)frame_us;
	else if (d <= -(int64_t)frame_us / 2)
		d += (int64_t)frame_us;
	if (d > 0)
		s->next_play_us +=
			(uint64_t)((d + TICK_US - 1) / TICK_US) * TICK_US;
	else if (-d >= TICK_US + PLAY_SLACK_US)
		s->next_play_us -=
			(uint64_t)((-d - PLAY_SLACK_US) / TICK_US) * TICK_US;
}

/* The tick's first half: what is due to be sent. Every session of the
 * thread sends before any plays (tick_play_locked), so that a session
 * whose peer is in the same thread (esp's lines) finds the peer's frame
 * of this tick already in its socket when the thread woke late. */
static void tick_send_locked(struct media_session *s, uint64_t now)
{
	uint64_t frame_us = (uint64_t)s->st.ptime * 1000;

	assert_locked(s->m);
	if (!s->has_stream)
		return;
	/* far behind (the thread did not run): start again from now */
	if ((int64_t)(now - s->next_tx_us) > (int64_t)(LATE_FRAMES * frame_us))
		s->next_tx_us = tick_floor(now);
	while ((int64_t)(now - s->next_tx_us) >= 0) {
		send_frame_locked(s);
		s->next_tx_us += frame_us;
	}
}

/* The tick's second half: playout, time-outs, RTCP and the alarm. */
static void tick_play_locked(struct media_session *s, uint64_t now)
{
	uint64_t frame_us = (uint64_t)s->st.ptime * 1000;
	struct tevent_notes notes;
	struct cb c = {.kind = CB_TIMEOUT};
	struct cb a = {.kind = CB_ALARM, .id = s->alarm_id};

	assert_locked(s->m);
	/* the alarm, stream or not; kept for the next tick if it could not
	 * be queued (it must not be lost) */
	if (s->alarm_on && (int64_t)(now - s->alarm_us) >= 0 &&
	    queue_cb_locked(s, &a))
		s->alarm_on = false;
	if (!s->has_stream)
		return;
	if ((int64_t)(now - s->next_play_us) >
	    (int64_t)(LATE_FRAMES * frame_us))
		s->next_play_us = tick_floor(now);
	if (s->st.recv && s->has_src)
		align_playout_locked(s, frame_us);
	/* a frame about to be concealed may be waiting in the socket, when
	 * the thread woke late and the tick came first: read it now */
	if (s->st.recv && s->has_src && (int64_t)(now - s->next_play_us) >= 0 &&
	    !jbuf_due(&s->jb))
		rtp_readable_locked(s, now);
	while ((int64_t)(now - s->next_play_us) >= 0) {
		play_frame_locked(s);
		s->next_play_us += frame_us;
	}
	/* RFC 4733 §2.5.2.2: an event whose end packets were all lost ends
	 * when its packets stop */
	if (s->trx.have_ts && !s->trx.ended &&
	    now - s->last_event_us >= EVENT_LOST_US) {
		tevent_rx_flush(&s->trx, &notes);
		digit_notes_locked(s, &notes);
	}
	if (s->m->cfg.rtp_timeout_ms && s->st.recv && !s->timed_out &&
	    now - s->last_rtp_us >= (uint64_t)s->m->cfg.rtp_timeout_ms * 1000) {
		/* a digit whose end never came ends with the RTP */
		tevent_rx_flush(&s->trx, &notes);
		digit_notes_locked(s, &notes);
		/* not queued (out of memory): again at the next tick */
		s->timed_out = queue_cb_locked(s, &c);
	}
	if ((int64_t)(now - s->next_rtcp_us) >= 0) {
		send_rtcp_locked(s, now, false);
		s->next_rtcp_us = now + RTCP_INTERVAL_US;
	}
}

/* Calls the queued callbacks, the lock dropped around each; a session
 * freed meanwhile has left the list and its callbacks with it. */
static void deliver_locked(struct media *m)
{
	struct media_session *s;
	struct cb c;
	void *ctx;
	struct media_events ev;

	assert_locked(m);
	while (m->queued) {
		for (s = m->live; s && !s->qn; s = s->next)
			;
		if (!s) {
			m->queued = 0;
			break;
		}
		c = s->q[0];
		memmove(s->q, s->q + 1, --s->qn * sizeof(s->q[0]));
		if (c.kind == CB_DIGIT)
			s->qdigits--;
		m->queued--;
		ev = s->ev;
		ctx = s->ctx;
		unlock(m);
		switch (c.kind) {
		case CB_DIGIT:
			if (ev.digit)
				ev.digit(ctx, c.digit, c.edge);
			break;
		case CB_DONE:
			if (ev.digits_done)
				ev.digits_done(ctx, c.id, c.done);
			break;
		case CB_TONE:
			if (ev.tone)
				ev.tone(ctx, c.id);
			break;
		case CB_TIMEOUT:
			if (ev.timeout)
				ev.timeout(ctx);
			break;
		case CB_ALARM:
			if (ev.alarm)
				ev.alarm(ctx, c.id);
			break;
		}
		lock(m);
	}
}

/* Releases the memory of the sessions freed (their descriptors and ports
 * went in media_session_free) and tells the waiting frees. */
static void reap_locked(struct media *m)
{
	struct media_session *s;

	assert_locked(m);
	while ((s = m->doomed)) {
		m->doomed = s->next;
		codec_free(s->codec);
		rtpsec_free(s->sec);
		if (s->drx)
			dtmf_rx_free(s->drx);
		free(s->digits);
		free(s->q);
		free(s);
	}
	m->reaps++;
	pthread_cond_broadcast(&m->reaped);
}

/* Reads an eventfd's or timerfd's counter: 0 when there was nothing. */
static uint64_t read_counter(int fd)
{
	uint64_t val;

	return read(fd, &val, sizeof(val)) == sizeof(val) ? val : 0;
}

static void *run(void *arg)
{
	struct media *m = arg;
	struct epoll_event evs[64];
	struct media_session *s;
	struct watch *w;
	uint64_t now;
	int i, n;

	lock(m);
	while (!m->stopping) {
		unlock(m);
		n = epoll_wait(m->epfd, evs, 64, -1);
		lock(m);
		now = now_us();
		for (i = 0; i < n; i++) {
			w = evs[i].data.ptr;
			switch (w->kind) {
			case WATCH_WAKE:
				/* only to run the loop: frees wait for it */
				(void)read_counter(m->wakefd);
				break;
			case WATCH_TIMER:
				if (!read_counter(m->timerfd))
					break;
				for (s = m->live; s; s = s->next)
					tick_send_locked(s, now);
				for (s = m->live; s; s = s->next)
					tick_play_locked(s, now);
				break;
			case WATCH_RTP:
				if (!w->s->dead)
					rtp_readable_locked(w->s, now);
				break;
			case WATCH_RTCP:
				if (!w->s->dead)
					rtcp_readable_locked(w->s, now);
				break;
			}
		}
		deliver_locked(m);
		reap_locked(m);
	}
	unlock(m);
	return NULL;
}

/* ---- the interface ------------------------------------------------------ */

static int watch_add(struct media *m, int fd, struct watch *w)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = w;
	return epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

int media_start(struct media **out, const struct media_config *cfg)
{
	struct media *m;
	int rc;

	if (!out || !cfg || cfg->port_min == 0 || cfg->port_min % 2 ||
	    cfg->port_max <= cfg->port_min)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->epfd = m->wakefd = m->timerfd = -1;
	m->w_wake.kind = WATCH_WAKE;
	m->w_timer.kind = WATCH_TIMER;
	rc = ports_init(&m->ports, cfg->port_min, cfg->port_max);
	if (rc < 0) {
		free(m);
		return rc;
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->reaped, NULL);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->epfd < 0 || m->wakefd < 0 || m->timerfd < 0) {
		rc = -errno;
		goto out;
	}
	rc = watch_add(m, m->wakefd, &m->w_wake);
	if (!rc)
		rc = watch_add(m, m->timerfd, &m->w_timer);
	if (rc)
		goto out;
	rc = -pthread_create(&m->thread, NULL, run, m);
	if (rc)
		goto out;
	*out = m;
	return 0;
out:
	if (m->timerfd >= 0)
		close(m->timerfd);
	if (m->wakefd >= 0)
		close(m->wakefd);
	if (m->epfd >= 0)
		close(m->epfd);
	pthread_cond_destroy(&m->reaped);
	pthread_mutex_destroy(&m->lock);
	ports_destroy(&m->ports);
	free(m);
	return rc;
}

void media_stop(struct media *m)
{
	if (!m)
		return;
	lock(m);
	assert(!m->live);
	m->stopping = true;
	unlock(m);
	wake(m);
	pthread_join(m->thread, NULL);
	lock(m);
	reap_locked(m);
	unlock(m);
	close(m->timerfd);
	close(m->wakefd);
	close(m->epfd);
	pthread_cond_destroy(&m->reaped);
	pthread_mutex_destroy(&m->lock);
	ports_destroy(&m->ports);
	free(m);
}

int media_session_new(struct media *m, const char *local_addr,
                      const struct media_events *ev, void *ctx,
                      struct media_session **out)
{
	struct media_session *s;
	struct sockaddr_storage ss;
	socklen_t len;
	uint32_t rnd[3];
	int rc;

	if (!m || !local_addr || !out)
		return -EINVAL;
	len = parse_addr(local_addr, 0, &ss);
	if (!len)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->q = calloc(CB_QUEUE, sizeof(*s->q));
	if (!s->q) {
		free(s);
		return -ENOMEM;
	}
	s->qcap = CB_QUEUE;
	s->m = m;
	if (ev)
		s->ev = *ev;
	s->ctx = ctx;
	s->family = ss.ss_family;
	s->in_w = s->out_r = -1;
	s->st.pcm_rate = 8000; /* the wave's rate until a stream is set */
	s->w_rtp.kind = WATCH_RTP;
	s->w_rtp.s = s;
	s->w_rtcp.kind = WATCH_RTCP;
	s->w_rtcp.s = s;
	/* RFC 3550 §5.1, §8.1: random SSRC, first sequence number and
	 * timestamp */
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		rnd[0] = (uint32_t)now_us() ^ (uint32_t)(uintptr_t)s;
		rnd[1] = rnd[0] * 2654435761u;
		rnd[2] = rnd[1] * 2654435761u;
	}
	s->ssrc = rnd[0];
	s->seq = (uint16_t)rnd[1];
	s->ts = rnd[2];
	(void)snprintf(s->cname, sizeof(s->cname), "tapix-%08x@%s", s->ssrc,
	               local_addr);
	rc = ports_open(&m->ports, (const struct sockaddr *)&ss, len, &s->pp);
	if (rc < 0) {
		free(s->q);
		free(s);
		return rc == -EAFNOSUPPORT ? -EINVAL : rc;
	}
	lock(m);
	rc = watch_add(m, s->pp.rtp_fd, &s->w_rtp);
	if (!rc)
		rc = watch_add(m, s->pp.rtcp_fd, &s->w_rtcp);
	if (rc) {
		/* closing the descriptors takes them out of the epoll */
		unlock(m);
		ports_close(&m->ports, &s->pp);
		free(s->q);
		free(s);
		return rc;
	}
	s->next = m->live;
	if (m->live)
		m->live->prev = s;
	m->live = s;
	m->nsessions++;
	set_ticking_locked(m);
	unlock(m);
	*out = s;
	return 0;
}

uint16_t media_session_port(const struct media_session *s)
{
	return s->pp.rtp_port;
}

static unsigned default_rate(enum codec_id id)
{
	return id == CODEC_PCMU || id == CODEC_PCMA ? 8000 : 16000;
}

int media_session_set(struct media_session *s, const struct media_stream *st)
{
	struct media *m;
	struct media_stream n;
	struct sockaddr_storage peer, peer_rtcp;
	struct codec *c = NULL, *old = NULL;
	struct rtpsec *sec = NULL;
	bool new_sec;
	dtmf_rx_state_t *old_drx = NULL;
	socklen_t len;
	bool restart;
	uint64_t now;
	unsigned old_rate;
	int rc = 0;

	if (!s || !st)
		return -EINVAL;
	m = s->m;
	n = *st;
	n.remote_addr[sizeof(n.remote_addr) - 1] = '\0';
	if (!n.ptime)
		n.ptime = 20;
	if (!n.pcm_rate)
		n.pcm_rate = default_rate(n.codec);
	if (n.ptime < 10 || n.ptime > 60 || n.pt > 127 ||
	    (n.has_dtmf && (n.dtmf_pt > 127 || n.dtmf_pt == n.pt)) ||
	    n.pcm_rate * n.ptime / 1000 > MAX_FRAME)
		return -EINVAL;
	/* an Opus packet is 10, 20, 40 or 60 ms (RFC 6716 §2.1.4) */
	if (n.codec == CODEC_OPUS && n.ptime != 10 && n.ptime != 20 &&
	    n.ptime != 40 && n.ptime != 60)
		return -EINVAL;
	if (n.remote_port == 0)
		return -EINVAL;
	len = parse_addr(n.remote_addr, n.remote_port, &peer);
	if (!len || peer.ss_family != s->family)
		return -EINVAL;
	(void)parse_addr(n.remote_addr,
	                 n.remote_rtcp_port ? n.remote_rtcp_port
	                                    : (uint16_t)(n.remote_port + 1),
	                 &peer_rtcp);
	/*
	 * SRTP: one context for the session, made here the first time (out
	 * of the lock: libsrtp2's set-up, once). Each direction of it stays
	 * while its key does (a hold, a re-INVITE, the peer's new key and
	 * not ours): made anew under the same key it would start its packet
	 * indexes and rollover counter again, reusing keystream and no longer
	 * what the peer expects (RFC 3711 §3.3.1, §9.1); rtpsec_set_tx and
	 * _rx change only a side whose key changed. It stays while SRTP is
	 * off, for SRTP back on under the same keys.
	 */
	lock(m);
	new_sec = n.srtp && !s->sec;
	unlock(m);
	if (new_sec) {
		rc = rtpsec_alloc(&sec, n.suite, n.tx_key, n.rx_key);
		if (rc < 0)
			return rc;
	}

	lock(m);
	if (n.srtp && !s->sec) {
		s->sec = sec;
		sec = NULL;
	} else if (n.srtp) {
		/* first: a failure leaves the rest of the stream as it was
		 * (a side changed stays right, rtpsec keeps its keys) */
		rc = rtpsec_set_tx(s->sec, n.suite, n.tx_key);
		if (!rc)
			rc = rtpsec_set_rx(s->sec, n.suite, n.rx_key);
		if (rc < 0)
			goto out;
	}
	if (!s->has_stream || s->st.codec != n.codec ||
	    s->st.pcm_rate != n.pcm_rate) {
		rc = codec_alloc(&c, n.codec, n.pcm_rate);
		if (rc < 0)
			goto out;
		old = s->codec;
		s->codec = c;
		s->clock_rate = codec_clock_rate(c);
	}
	restart = c || s->st.ptime != n.ptime || s->st.pt != n.pt ||
	          !same_addr(&peer, &s->peer, true);
	if (restart) {
		struct jbuf_config jc = {
			.rate = s->clock_rate,
			.frame_us = n.ptime * 1000,
			.min_frames = 1,
			.max_frames = JBUF_SLOTS / 2,
		};

		rc = jbuf_init(&s->jb, &jc);
		assert(rc == 0);
		s->has_src = false;
		memset(&s->trx, 0, sizeof(s->trx));
	}
	s->peer = peer;
	s->peer_rtcp = peer_rtcp;
	s->peer_len = len;
	s->frame = n.pcm_rate * n.ptime / 1000;
	s->step = s->clock_rate * n.ptime / 1000;
	if (!s->has_stream) {
		now = now_us();
		s->next_tx_us = tick_floor(now);
		s->next_play_us = tick_floor(now);
		s->next_rtcp_us = now + RTCP_INTERVAL_US;
		s->last_rtp_us = now;
		s->timed_out = false;
		s->spurt = true;
	}
	if (!s->st.recv && n.recv) {
		/* receiving again: the time-out counts from now */
		s->last_rtp_us = now_us();
		s->timed_out = false;
	}
	old_rate = s->st.pcm_rate;
	s->st = n;
	s->has_stream = true;
	/* in-band detection when no telephone-event was agreed */
	if (!n.has_dtmf && !s->drx) {
		s->drx = dtmf_rx_init(NULL, NULL, NULL);
		if (s->drx)
			dtmf_rx_set_realtime_callback(s->drx, inband_edge, s);
		s->inband = '\0';
	} else if (n.has_dtmf && s->drx) {
		inband_edge(s, 0, 0, 0); /* a digit heard now ends */
		old_drx = s->drx;
		s->drx = NULL;
	}
	/* digits go only while sending, as events only with telephone-event
	 * agreed, in band only without (and at the rate they began at) */
	if (s->dstate != DTX_IDLE && (!n.send || n.has_dtmf == s->dinband ||
	                              (s->dinband && n.pcm_rate != old_rate))) {
		digits_finish_locked(s, false);
		memset(&s->tev, 0, sizeof(s->tev));
		s->ib_on = false;
	}
	if (!n.send)
		tone_finish_locked(s, false);
out:
	unlock(m);
	codec_free(old);
	rtpsec_free(sec); /* not taken: another call made one first */
	if (old_drx)
		dtmf_rx_free(old_drx);
	return rc;
}

/*
 * Makes a Unix stream socket pair: @fds[0] ours, non-blocking. The
 * writing side (@fds[@writer]) gets the smallest send buffer the kernel
 * allows (a few KiB, some 100 ms of audio), so audio waits there for
 * little time: an application writing wave/out is paced by the call, and
 * one reading wave/in late loses frames instead of hearing them late.
 */
static int wave_pair(int *fds, int writer)
{
	int small = WAVE_SNDBUF;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	(void)setsockopt(fds[writer], SOL_SOCKET, SO_SNDBUF, &small,
	                 sizeof(small));
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		int rc = -errno;

		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	return 0;
}

int media_session_wave(struct media_session *s, int *in_fd, int *out_fd,
                       unsigned *rate)
{
	int a[2] = {-1, -1}, b[2] = {-1, -1};
	int rc;

	if (!s || !rate)
		return -EINVAL;
	if (in_fd) {
		rc = wave_pair(a, 0);
		if (rc)
			return rc;
		(void)shutdown(a[0], SHUT_RD);
	}
	if (out_fd) {
		rc = wave_pair(b, 1);
		if (rc) {
			if (in_fd) {
				close(a[0]);
				close(a[1]);
			}
			return rc;
		}
		(void)shutdown(b[0], SHUT_WR);
	}
	lock(s->m);
	if (in_fd) {
		if (s->in_w >= 0)
			close(s->in_w);
		s->in_w = a[0];
		s->in_left_len = 0;
		*in_fd = a[1];
	}
	if (out_fd) {
		if (s->out_r >= 0)
			close(s->out_r);
		s->out_r = b[0];
		s->has_carry = false;
		*out_fd = b[1];
	}
	*rate = s->st.pcm_rate;
	unlock(s->m);
	return 0;
}

/* media_session_digits and media_session_dtmf: in band when no
 * telephone-event was agreed if @inband, else refused. */
static int digits_start(struct media_session *s, const char *digits,
                        unsigned duration_ms, uint32_t id, bool inband)
{
	struct cb c = {.kind = CB_DONE, .done = false};
	const char *p;
	char *copy;
	bool sounding;
	int rc = 0;

	if (!s || !digits)
		return -EINVAL;
	for (p = digits; *p; p++)
		if (*p != ',' && tevent_from_digit(*p) < 0)
			return -EINVAL;
	copy = strdup(digits);
	if (!copy)
		return -ENOMEM;
	lock(s->m);
	if (!s->has_stream) {
		rc = -EAGAIN; /* not yet a call with media */
		goto out;
	}
	if (!s->st.has_dtmf && !inband) {
		rc = -EINVAL;
		goto out;
	}
	if (!s->st.send) {
		rc = -EAGAIN;
		goto out;
	}
	if (s->dpending) {
		/* cut short by this call */
		c.id = s->did;
		queue_cb_locked(s, &c);
	}
	/* in-band digits cut short (in a tone or its gap): a whole gap
	 * before the next digit, so that the two are heard apart */
	sounding = s->dinband && s->dstate != DTX_IDLE;
	tone_finish_locked(s, false); /* one generation at a time */
	free(s->digits);
	s->digits = copy;
	copy = NULL;
	s->dpos = 0;
	s->dur_ms = duration_ms ? duration_ms : 100;
	s->did = id;
	s->dpending = *digits != '\0';
	s->gap_ms = 0;
	s->dinband = !s->st.has_dtmf;
	if (s->dinband) {
		/* ITU-T Q.24: shorter tones or gaps may not be heard */
		if (s->dur_ms < INBAND_MIN_MS)
			s->dur_ms = INBAND_MIN_MS;
		s->ib_on = false;
		s->ib_left =
			sounding ? (uint64_t)s->dur_ms * (s->st.pcm_rate / 1000)
				 : 0;
		s->dstate = s->dpending ? DTX_GAP : DTX_IDLE;
	} else if (s->tev.active) {
		/* the event on its way ends properly (its end packets) */
		tevent_tx_stop(&s->tev);
		s->dstate = DTX_EVENT;
	} else {
		s->dstate = s->dpending ? DTX_GAP : DTX_IDLE;
	}
out:
	unlock(s->m);
	free(copy);
	return rc;
}

int media_session_digits(struct media_session *s, const char *digits,
                         unsigned duration_ms, uint32_t id)
{
	return digits_start(s, digits, duration_ms, id, false);
}

int media_session_dtmf(struct media_session *s, const char *digits,
                       unsigned duration_ms, uint32_t id)
{
	return digits_start(s, digits, duration_ms, id, true);
}

int media_session_tone(struct media_session *s, const struct media_tone *tones,
                       unsigned n, unsigned duration_ms, uint32_t id)
{
	int rc = 0;

	if (!s || n > MEDIA_MAX_TONES || (n && (!tones || !duration_ms)))
		return -EINVAL;
	for (unsigned k = 0; k < n; k++)
		if (!tones[k].freq || tones[k].freq > 4000 ||
		    tones[k].volume > 0xFFFF ||
		    (tones[k].off_ms && !tones[k].on_ms))
			return -EINVAL;
	lock(s->m);
	if (!s->has_stream) {
		rc = -EAGAIN;
		goto out;
	}
	for (unsigned k = 0; k < n; k++)
		if (tones[k].freq * 2 >= s->st.pcm_rate) {
			rc = -EINVAL;
			goto out;
		}
	if (n && !s->st.send) {
		rc = -EAGAIN;
		goto out;
	}
	/* one generation at a time: what goes now is cut */
	tone_finish_locked(s, false);
	if (s->dpending) {
		digits_finish_locked(s, false);
		if (s->tev.active)
			tevent_tx_stop(&s->tev); /* its end packets still go */
		s->dstate = s->tev.active ? DTX_EVENT : DTX_IDLE;
		free(s->digits);
		s->digits = NULL;
	}
	if (n) {
		memcpy(s->tone, tones, n * sizeof(*tones));
		s->ntones = n;
		s->tone_pos = 0;
		s->tone_len = (uint64_t)duration_ms * s->st.pcm_rate / 1000;
		s->tid = id;
		s->tpending = true;
	}
out:
	unlock(s->m);
	return rc;
}

int media_session_watch(struct media_session *s, const struct media_watch *w,
                        unsigned n)
{
	int rc = 0;

	if (!s || n > MEDIA_MAX_WATCH || (n && !w))
		return -EINVAL;
	for (unsigned k = 0; k < n; k++) {
		if (!w[k].freq[0] && !w[k].freq[1] && !w[k].freq[2])
			return -EINVAL;
		for (unsigned f = 0; f < 3; f++)
			if (w[k].freq[f] > 8000)
				return -EINVAL;
	}
	lock(s->m);
	for (unsigned k = 0; k < n; k++)
		for (unsigned f = 0; f < 3; f++)
			if (s->has_stream && w[k].freq[f] * 2 >= s->st.pcm_rate)
				rc = -EINVAL;
	if (rc == 0) {
		if (n)
			memcpy(s->watch, w, n * sizeof(*w));
		s->nwatch = n;
		memset(s->heard_ms, 0, sizeof(s->heard_ms));
		memset(s->told, 0, sizeof(s->told));
	}
	unlock(s->m);
	return rc;
}

void media_session_alarm(struct media_session *s, unsigned ms, uint32_t id)
{
	if (!s)
		return;
	lock(s->m);
	s->alarm_on = ms != 0;
	s->alarm_us = now_us() + (uint64_t)ms * 1000;
	s->alarm_id = id;
	unlock(s->m);
}

void media_session_stats(struct media_session *s, struct media_stats *out)
{
	lock(s->m);
	*out = s->stats;
	unlock(s->m);
}

void media_session_free(struct media_session *s)
{
	struct media *m;
	uint64_t r;

	if (!s)
		return;
	m = s->m;
	lock(m);
	assert(!s->dead);
	if (s->has_stream)
		send_rtcp_locked(s, now_us(), true); /* RFC 3550 §6.6 */
	s->dead = true;
	m->queued -= s->qn;
	s->qn = 0;
	s->qdigits = 0;
	if (s->prev)
		s->prev->next = s->next;
	else
		m->live = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = NULL;
	s->next = m->doomed;
	m->doomed = s;
	m->nsessions--;
	set_ticking_locked(m);
	(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, s->pp.rtp_fd, NULL);
	(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, s->pp.rtcp_fd, NULL);
	ports_close(&m->ports, &s->pp);
	if (s->in_w >= 0)
		close(s->in_w);
	if (s->out_r >= 0)
		close(s->out_r);
	s->in_w = s->out_r = -1;
	/* On the media thread (from a callback) the reap comes after the
	 * callback returns; elsewhere wait for it: it comes after a callback
	 * of this session that is running now. */
	if (!pthread_equal(pthread_self(), m->thread)) {
		r = m->reaps;
		wake(m);
		while (m->reaps == r)
			wait_reaped(m);
	}
	unlock(m);
}

unsigned media_sessions(struct media *m)
{
	unsigned n;

	lock(m);
	n = m->nsessions;
	unlock(m);
	return n;
}
