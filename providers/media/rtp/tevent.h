/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RFC 4733 telephone-events (DTMF digits carried in RTP): the payload, a
 * sender's event (start, duration updates, the end sent three times) and
 * a receiver's (a new event told by its timestamp, its end, the repeated
 * end packets and late packets of earlier events ignored).
 *
 * Part of tsp_rtp: standard headers only, no locks, no allocation. The
 * RTP header (sequence number, payload type, SSRC) is the caller's.
 */
#ifndef TAPIX_TEVENT_H
#define TAPIX_TEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEVENT_SIZE        4  /* an event's payload, RFC 4733 §2.3 */
#define TEVENT_MAX_VOLUME  63 /* -63 dBm0 */
#define TEVENT_END_PACKETS 3  /* §2.5.1.4: the end is sent three times */

/** One event payload (RFC 4733 §2.3). */
struct tevent_payload {
	uint8_t event;     /* §3.2: 0-9, 10 '*', 11 '#', 12-15 'A'-'D' */
	bool end;          /* E bit */
	uint8_t volume;    /* 0 - 63: -dBm0 */
	uint16_t duration; /* in RTP clock units, from the event's timestamp */
};

/**
 * The event code of a DTMF digit (RFC 4733 §3.2): 0-9, '*', '#', A-D (or
 * a-d). Returns -1 for any other character.
 */
int tevent_from_digit(char digit);

/** The DTMF digit of an event code 0 - 15, or '\0' for other codes. */
char tevent_to_digit(unsigned event);

/**
 * Reads an event payload: exactly TEVENT_SIZE bytes (RFC 4733 §2.3).
 * Returns 0, or -EINVAL for another length. @out is filled on success.
 */
int tevent_parse(const uint8_t *buf, size_t len, struct tevent_payload *out);

/** Writes an event payload into @buf of TEVENT_SIZE bytes. */
void tevent_write(const struct tevent_payload *p, uint8_t *buf);

/* ---- sending ------------------------------------------------------------ */

/** A sender's event; set up by tevent_tx_start, fields read-only. */
struct tevent_tx {
	bool active;
	bool stopping;   /* the next packet is an end packet */
	bool sent_first; /* the first packet (marker bit) has gone */
	uint8_t event;
	uint8_t volume;
	uint8_t ends_sent; /* end packets sent, up to TEVENT_END_PACKETS */
	uint32_t ts;       /* the event's RTP timestamp: when it began */
	uint32_t length;   /* how long it lasts, RTP clock units */
	uint32_t duration; /* what the last packet said */
};

/** One packet to send: the caller puts it in RTP with the next seq. */
struct tevent_pkt {
	bool marker; /* §2.5.1.2: on the first packet of the event */
	uint32_t ts; /* the event's timestamp, the same in all its packets */
	uint8_t payload[TEVENT_SIZE];
};

/**
 * Starts an event.
 *
 * @param t       the sender's state
 * @param event   event code 0 - 255 (tevent_from_digit for a digit)
 * @param volume  0 - TEVENT_MAX_VOLUME
 * @param ts      RTP timestamp of its beginning (the media's clock)
 * @param length  its duration, 1 - 65535 RTP clock units (a digit of
 *                100 ms at 8 kHz is 800); longer events are not sent
 * @return 0, or -EINVAL for a volume or length out of range
 */
int tevent_tx_start(struct tevent_tx *t, uint8_t event, uint8_t volume,
                    uint32_t ts, uint32_t length);

/** Ends the event early: its next packet is the first end packet. */
void tevent_tx_stop(struct tevent_tx *t);

/**
 * The event's next packet, one per packet interval. The first carries the
 * marker and a duration of @step; each next one @step more (§2.5.1.2,
 * §2.5.1.3), until the length or tevent_tx_stop: then the end packet,
 * three times with the same duration (§2.5.1.4).
 *
 * @param t     the sender's state
 * @param step  the packet interval in RTP clock units (160: 20 ms at 8 kHz)
 * @param out   the packet, filled when 1 is returned
 * @return 1 with a packet, 0 when the event is over (nothing to send)
 */
int tevent_tx_next(struct tevent_tx *t, uint32_t step, struct tevent_pkt *out);

/* ---- receiving ---------------------------------------------------------- */

/** A receiver's state; zero it to start (no event seen). */
struct tevent_rx {
	bool have_ts; /* an event has been seen */
	bool ended;   /* its end has been reported */
	uint8_t event;
	uint8_t volume;
	uint32_t ts;       /* its timestamp (of its last segment) */
	uint16_t seg_dur;  /* the duration of that segment so far */
	uint32_t duration; /* the whole event's, segments added up */
};

enum tevent_kind {
	TEVENT_START, /* a digit begins (LINEDIGITMODE_DTMF) */
	TEVENT_END,   /* a digit ended (LINEDIGITMODE_DTMFEND) */
};

/** What a packet told: an event beginning or ending. */
struct tevent_note {
	enum tevent_kind kind;
	uint8_t event;
	uint8_t volume;
	uint32_t duration; /* TEVENT_END: the event's, RTP clock units */
};

/**
 * At most three notes per packet: the end of an event whose end packets
 * were all lost, the start of the next, and its end if that packet is
 * an end packet (its earlier packets lost).
 */
struct tevent_notes {
	unsigned n;
	struct tevent_note note[3];
};

/**
 * Reads a received telephone-event packet.
 *
 * A packet of a newer timestamp than the current event's is a new event
 * (RFC 4733 §2.5.2.1), even without its marker (its first packet lost);
 * one continuing the current event in a new segment (§2.5.1.3: no
 * marker, the same event, timestamp = the old one + its duration) is not.
 * The first end packet of an event ends it; the repeated ones, and every
 * packet of an older timestamp, are ignored.
 *
 * @param r        the receiver's state
 * @param marker   the RTP marker bit
 * @param ts       the RTP timestamp
 * @param payload  the RTP payload, @len bytes
 * @param notes    what happened, in order; n = 0 for nothing
 * @return 0, or -EINVAL for a payload that is not an event (the state and
 *         @notes are not changed then)
 */
int tevent_rx_input(struct tevent_rx *r, bool marker, uint32_t ts,
                    const uint8_t *payload, size_t len,
                    struct tevent_notes *notes);

/**
 * Ends the current event if it has not ended, e.g. when no packet of it
 * came for a while (the caller's time-out) or the call's media stops.
 * Fills @notes with its end, or none.
 */
void tevent_rx_flush(struct tevent_rx *r, struct tevent_notes *notes);

#endif
