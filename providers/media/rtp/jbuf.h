/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A call's jitter buffer (docs/media.md): RTP payloads go in as they
 * arrive, by timestamp; one frame comes out per tick of the caller's
 * clock, or the news that it was lost (for the codec to conceal) or that
 * there is nothing to play. Reordered packets are put back in order,
 * duplicates and late ones dropped; the depth follows the jitter within
 * bounds; and it tells the caller at which phase of the frame interval
 * to tick for this call, just after its packets arrive, so that the
 * latency it adds stays small (docs/media.md: 6 - 13.5 ms on loopback).
 *
 * Part of tsp_rtp: standard headers only. No locks (one thread uses a
 * buffer), no allocation, no clock of its own: times are the caller's
 * (monotonic microseconds), so tests run it on a fake clock.
 */
#ifndef TAPIX_JBUF_H
#define TAPIX_JBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JBUF_SLOTS       16   /* packets held at most */
#define JBUF_MAX_PAYLOAD 1280 /* an Opus frame is at most 1275 bytes */
#define JBUF_SHRINK_AFTER                                  \
	50 /* ticks a frame above the target before a drop \
	       (k frames above: a k-th of them) */

/** How a buffer plays. */
struct jbuf_config {
	uint32_t rate;       /* the RTP clock, Hz (8000; 48000 for Opus) */
	uint32_t frame_us;   /* the packet interval, µs (20000) */
	unsigned min_frames; /* depth at least, 1 or more */
	unsigned max_frames; /* depth at most, min_frames - JBUF_SLOTS / 2 */
};

/** Counters since jbuf_init. */
struct jbuf_stats {
	uint32_t put;      /* packets taken */
	uint32_t played;   /* frames given out */
	uint32_t lost;     /* frames reported lost (to conceal) */
	uint32_t late;     /* packets dropped: their time had passed */
	uint32_t dup;      /* packets dropped: already held */
	uint32_t toobig;   /* packets dropped: over JBUF_MAX_PAYLOAD */
	uint32_t overflow; /* packets dropped: no room */
	uint32_t resync;   /* restarts on a timestamp far ahead or behind */
	uint32_t shrunk;   /* frames dropped to lower the latency */
};

struct jbuf_entry {
	uint32_t ts;
	uint16_t seq;
	bool marker;
	uint16_t len;
	uint8_t data[JBUF_MAX_PAYLOAD];
};

/** A jitter buffer; set up by jbuf_init, fields private. */
struct jbuf {
	struct jbuf_config cfg;
	uint32_t frame_ts;         /* the packet interval in RTP clock units */
	bool playing;              /* next_ts is set */
	bool filling;              /* waiting for the target depth */
	uint32_t next_ts;          /* the timestamp of the frame due next */
	unsigned n;                /* packets held, order[0 .. n-1] */
	uint8_t order[JBUF_SLOTS]; /* slots by timestamp, oldest first */
	unsigned target;           /* depth wanted, frames */
	unsigned empties;          /* ticks in a row with nothing held */
	unsigned above;            /* ticks in a row deeper than the target */
	bool has_last;             /* a packet has been timed */
	uint32_t last_ts;
	uint64_t last_us;
	int64_t ext_ts;         /* last_ts unwrapped */
	uint32_t peak_us;       /* arrival jitter, a decaying peak */
	int64_t min_transit_us; /* arrival - media time, least seen */
	struct jbuf_stats stats;
	struct jbuf_entry slot[JBUF_SLOTS];
	uint8_t out[JBUF_MAX_PAYLOAD];
};

/** What jbuf_put did with a packet. */
enum jbuf_put_result {
	JBUF_PUT_OK,
	JBUF_PUT_LATE,     /* its frame has been played or concealed */
	JBUF_PUT_DUP,      /* held already (same seq or timestamp) */
	JBUF_PUT_TOOBIG,   /* payload over JBUF_MAX_PAYLOAD */
	JBUF_PUT_OVERFLOW, /* no room */
};

/** What jbuf_get gives for this tick. */
enum jbuf_get_result {
	JBUF_EMPTY, /* nothing to play: silence (not started, or stopped) */
	JBUF_FRAME, /* a frame: decode it */
	JBUF_LOST,  /* its frame is missing: conceal (codec_conceal) */
};

/** A frame given out; data is valid until the next jbuf_put or get. */
struct jbuf_frame {
	uint32_t ts;
	uint16_t seq;
	const uint8_t *data;
	size_t len;
};

/**
 * Sets up @jb. Returns 0, or -EINVAL for a configuration out of range
 * (rate 0 or over 192000, frame_us under 1000 or over 200000, min_frames
 * 0, max_frames below min_frames or over JBUF_SLOTS / 2, or a frame
 * that is not a whole number of RTP clock units).
 */
int jbuf_init(struct jbuf *jb, const struct jbuf_config *cfg);

/**
 * Takes an RTP packet's payload. The first packet (and the first after a
 * stop or a resynchronisation) starts the buffer, which plays once
 * min_frames or the target depth are held. A packet JBUF_SLOTS frames or
 * more ahead of the frame due, or as far behind it, is a jump of the
 * sender's: the buffer starts again from it (stats.resync).
 *
 * @param jb      the buffer
 * @param seq     RTP sequence number
 * @param ts      RTP timestamp
 * @param marker  RTP marker: a talk spurt begins (the gap before it is
 *                silence, not loss)
 * @param data    the payload, @len bytes (copied)
 * @param now_us  arrival time, monotonic µs
 */
enum jbuf_put_result jbuf_put(struct jbuf *jb, uint16_t seq, uint32_t ts,
                              bool marker, const uint8_t *data, size_t len,
                              uint64_t now_us);

/**
 * The tick: call once per frame interval. Gives the frame due, or says
 * it is lost, or that there is nothing to play. Lowers the depth by one
 * frame when it has been above the target for JBUF_SHRINK_AFTER ticks
 * (or above max_frames), and lets it grow by one when a tick finds
 * nothing held (the packet may be late, not lost).
 *
 * @param jb   the buffer
 * @param out  filled for JBUF_FRAME
 */
enum jbuf_get_result jbuf_get(struct jbuf *jb, struct jbuf_frame *out);

/**
 * The phase of the frame interval, 0 - frame_us - 1 µs, at which this
 * call's ticks should come (a tick at time t with t % frame_us equal to
 * it): just after its packets arrive, allowing for their jitter. 0 before
 * any packet.
 */
uint32_t jbuf_phase_us(const struct jbuf *jb);

/**
 * Whether the frame due next is held, with the target depth, so that a
 * jbuf_get now would give it (JBUF_FRAME): for a caller that plays a
 * frame as soon as it arrives rather than at its next tick, keeping the
 * tick as the deadline after which it is concealed.
 */
bool jbuf_due(const struct jbuf *jb);

/** The depth the buffer aims at now, in frames. */
unsigned jbuf_target(const struct jbuf *jb);

/** The counters. */
const struct jbuf_stats *jbuf_stats(const struct jbuf *jb);

#endif
