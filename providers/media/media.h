/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_media: the audio of a provider's calls (docs/media.md). One media
 * thread per provider (struct media) runs every call's media session on
 * one epoll: RTP and RTCP on the session's port pair (tsp_rtp), the
 * jitter buffer and codec, RFC 4733 digits both ways (in band, DTMF
 * tones, without telephone-event), and the two wave
 * descriptors through which an application hears and speaks on the call.
 *
 * Threads: the media_* functions may be called from any thread but the
 * ones marked otherwise. The callbacks of struct media_events run on the
 * media thread, one at a time, with no lock of tsp_media held; a caller
 * must not hold, across media_session_set, media_session_free or
 * media_stop, a lock its callbacks take. From inside a callback, the
 * session's own functions may be called (media_session_free included).
 *
 * Part of tsp_media, linked into providers; it includes nothing of
 * libtapix (a provider includes only tspi.h and its own libraries).
 */
#ifndef TAPIX_MEDIA_H
#define TAPIX_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp/codec.h"
#include "rtp/rtpsec.h"

struct media;
struct media_session;

/* What a provider's media thread is given (its [sip]/[esp] keys). */
struct media_config {
	uint16_t port_min, port_max; /* RTP port range: even RTP, odd RTCP */
	unsigned rtp_timeout_ms;     /* no RTP this long while receiving:
	                                media_events.timeout; 0: never */
};

/* How a digit was received (LINEDIGITMODE_DTMF / _DTMFEND's meaning). */
enum media_digit_edge {
	MEDIA_DIGIT_DOWN, /* its start: a new RFC 4733 event, or in-band */
	MEDIA_DIGIT_UP,   /* its end */
};

/*
 * A session's callbacks, run on the media thread (see above). Any may be
 * NULL. @ctx is media_session_new's.
 */
struct media_events {
	/* a digit from the peer: '0'-'9', '*', '#', 'A'-'D' */
	void (*digit)(void *ctx, char digit, enum media_digit_edge edge);
	/* media_session_digits' digits all sent, or media_session_tone's tone
	 * ended (done true), or cut short by media_session_set turning
	 * sending off, another generation, or media_session_free (done
	 * false; not called from media_session_free itself) */
	void (*digits_done)(void *ctx, uint32_t id, bool done);
	/* no RTP for rtp_timeout_ms while the stream receives; once per
	 * silence (again only after RTP came back) */
	void (*timeout)(void *ctx);
	/* a tone of media_session_watch heard for its duration: its tag;
	 * once per hearing (again only after it stopped) */
	void (*tone)(void *ctx, uint32_t tag);
	/* media_session_alarm's alarm went off: the id it was armed with */
	void (*alarm)(void *ctx, uint32_t id);
};

/* What offer and answer agreed for a session's audio (RFC 3264). */
struct media_stream {
	enum codec_id codec;
	uint8_t pt;           /* its RTP payload type */
	unsigned pcm_rate;    /* the wave descriptors' rate: 8000 for G.711,
	                         16000 for G.722 and Opus (0: the codec's) */
	bool has_dtmf;        /* telephone-event agreed */
	uint8_t dtmf_pt;      /* its payload type */
	char remote_addr[64]; /* numeric IPv4 or IPv6 address */
	uint16_t remote_port, remote_rtcp_port; /* rtcp 0: remote_port + 1 */
	bool send, recv; /* the direction (sendrecv, sendonly, ...) */
	unsigned ptime;  /* ms per packet, 10 - 60 (0: 20) */
	/* SRTP (RFC 3711) with the SDES keys (RFC 4568) of each side: what
	 * is sent is protected with tx_key, what comes must be protected
	 * with rx_key (anything else is ignored) */
	bool srtp;
	enum rtpsec_suite suite;
	uint8_t tx_key[RTPSEC_KEY_LEN], rx_key[RTPSEC_KEY_LEN];
};

/**
 * Starts a provider's media thread.
 *
 * @param out  set on success only; media_stop it
 * @return 0, -EINVAL for a bad range (empty, odd, or 0), -ENOMEM, or a
 *         negative errno of the thread or descriptors
 */
int media_start(struct media **out, const struct media_config *cfg);

/**
 * Stops the thread and frees @m. Every session must have been freed.
 * Not from a callback. NULL is fine.
 */
void media_stop(struct media *m);

/**
 * A call's media session: an RTP/RTCP port pair bound on @local_addr
 * (numeric; our c= address), sending and receiving nothing until
 * media_session_set.
 *
 * @param out  set on success only
 * @return 0, -EINVAL, -EADDRINUSE when the range has no free pair,
 *         -ENOMEM
 */
int media_session_new(struct media *m, const char *local_addr,
                      const struct media_events *ev, void *ctx,
                      struct media_session **out);

/** The session's RTP port (what our SDP's m= line says). */
uint16_t media_session_port(const struct media_session *s);

/**
 * Sets or changes what the session sends and receives (a new answer, a
 * re-INVITE, hold). A different codec, rate or peer restarts the jitter
 * buffer; the wave descriptors stay the same (their rate changes only
 * if pcm_rate does). Hold is send = false (or both false): wave/in then
 * carries silence, wave/out is read and dropped.
 *
 * @return 0, -EINVAL (bad address, ptime, codec or rate), -ENOMEM
 */
int media_session_set(struct media_session *s, const struct media_stream *st);

/**
 * The application's audio of the call: two new descriptors, the
 * caller's to close, of Unix stream sockets carrying signed 16-bit
 * little-endian mono PCM at *@rate Hz (docs/media.md, TAPIXWAVEID):
 * @in_fd gives what the peer says, 20 ms every 20 ms once a stream is
 * set (silence on hold), and reads end of file when the session is
 * freed; @out_fd takes what is sent, read by the session one packet per
 * packet time. Either pointer may be NULL (that side is not made). A
 * second call makes new descriptors; the earlier ones end.
 *
 * @return 0, -EINVAL, or a negative errno of socketpair
 */
int media_session_wave(struct media_session *s, int *in_fd, int *out_fd,
                       unsigned *rate);

/**
 * Sends @digits ('0'-'9', '*', '#', 'A'-'D'; ',' a pause of one
 * second) as RFC 4733 events, each @duration_ms long (0: 100 ms, the
 * same gap between digits); digits_done(@id) when done. A
 * call while digits are being sent cuts those short (digits_done false).
 * An empty string only cancels.
 *
 * @return 0, -EINVAL for another character or no telephone-event agreed,
 *         -EAGAIN when no stream is set or it does not send
 */
int media_session_digits(struct media_session *s, const char *digits,
                         unsigned duration_ms, uint32_t id);

/**
 * media_session_digits, but without telephone-event agreed the digits go
 * in band instead of being refused: each a DTMF tone (ITU-T Q.23, its
 * row and column frequencies at -10 dBm0 each) in place of wave/out's
 * audio for @duration_ms (0: 100; at least 50, ITU-T Q.24's shortest
 * heard), then silence as long (',': one second more), digits_done(@id)
 * after the last one's silence. A stream that turns to telephone-event (or from
 * it), or changes its audio rate, cuts the digits going (digits_done false).
 *
 * @return 0, -EINVAL for another character, -EAGAIN when no stream is
 *         set or it does not send
 */
int media_session_dtmf(struct media_session *s, const char *digits,
                       unsigned duration_ms, uint32_t id);

/* One frequency of a tone (TAPI's LINEGENERATETONE): its cadence, on
 * then off (off 0: steady), and its volume, 0 - 0xFFFF (full). */
struct media_tone {
	unsigned freq; /* Hz, 1 - 4000 */
	unsigned on_ms, off_ms;
	unsigned volume;
};

#define MEDIA_MAX_TONES 4 /* frequencies of one tone */

/**
 * Sends a tone of @n frequencies (mixed) for @duration_ms instead of
 * wave/out's audio; digits_done(@id, true) when it ends, (@id, false)
 * when cut short. One generation at a time (Microsoft's lineGenerateTone):
 * a tone cuts digits being sent and the other way round; @n 0 only cuts.
 *
 * @return 0, -EINVAL (a frequency out of range or above half the audio
 *         rate, @n over MEDIA_MAX_TONES, @duration_ms 0 with @n), -EAGAIN
 *         when the stream does not send
 */
int media_session_tone(struct media_session *s, const struct media_tone *tones,
                       unsigned n, unsigned duration_ms, uint32_t id);

/* A tone to listen for (TAPI's LINEMONITORTONE): up to three
 * frequencies (0: unused) heard together for duration_ms. */
struct media_watch {
	uint32_t tag;
	unsigned duration_ms;
	unsigned freq[3];
};

#define MEDIA_MAX_WATCH 8 /* tones listened for at once */

/**
 * Listens for @n tones in what the peer sends (after decoding): each
 * heard, all its frequencies strong and together most of the audio's
 * energy, for its duration gives media_events.tone(tag). A new list
 * replaces the last; @n 0 stops.
 *
 * @return 0, -EINVAL (more than MEDIA_MAX_WATCH, a tone without a
 *         frequency, one at or above half the audio rate)
 */
int media_session_watch(struct media_session *s, const struct media_watch *w,
                        unsigned n);

/**
 * Arms the session's one alarm: media_events.alarm(@id) once @ms have
 * passed, on the media thread (within its 5 ms tick, never early),
 * whether a stream is set or not. A new call replaces the alarm; @ms 0
 * disarms it. An alarm that went off just before may still be delivered
 * after a new call: the callback tells them apart by @id. The timers of a
 * call's requests (lineGatherDigits' time-outs) without a thread of
 * their own.
 */
void media_session_alarm(struct media_session *s, unsigned ms, uint32_t id);

/* Counters of a session, for tests and benchmarks. */
struct media_stats {
	uint64_t rtp_sent, rtp_received; /* packets */
	uint64_t rtp_ignored; /* from another address, unknown payload type,
	                         malformed */
	uint64_t lost;        /* concealed frames */
	/* digits told (the digit callback's starts), and digits not told:
	 * more came than the callbacks took (32 waiting at most) */
	uint64_t digits_received, digits_ignored;
};

/** Copies @s's counters into @out. */
void media_session_stats(struct media_session *s, struct media_stats *out);

/**
 * Ends the session: no callback runs after it returns (when called from
 * one, after that callback returns), the port pair is free again, the
 * wave descriptors read end of file. NULL is fine.
 */
void media_session_free(struct media_session *s);

/** Sessions alive in @m (live-object counter for tests). */
unsigned media_sessions(struct media *m);

#endif /* TAPIX_MEDIA_H */
