/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RTP packets (RFC 3550 §5.1): reading and writing them with every length
 * checked, and what a receiver keeps per source (RFC 3550 §6.4.1, A.1,
 * A.3, A.8): the sequence numbers with probation and wrap-around, the
 * interarrival jitter, and the report block that goes into an SR or RR.
 *
 * Part of tsp_rtp, a static library of the providers' media: it includes
 * only standard headers and knows nothing of the core. Nothing here locks
 * or allocates.
 */
#ifndef TAPIX_RTP_H
#define TAPIX_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION  2
#define RTP_HDR_MIN  12 /* the fixed header, RFC 3550 §5.1 */
#define RTP_MAX_CSRC 15

/**
 * One RTP packet as read by rtp_parse or written by rtp_build. The
 * pointers point into the packet read; they are not used by rtp_build
 * (which takes the extension and payload as arguments).
 */
struct rtp_hdr {
	bool marker;
	uint8_t pt; /* 0 - 127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc; /* number of CSRCs, 0 - 15 */
	uint32_t csrc[RTP_MAX_CSRC];
	bool has_ext;         /* X bit: a header extension, RFC 3550 §5.3.1 */
	uint16_t ext_profile; /* the extension's "defined by profile" word */
	const uint8_t *ext;   /* its data, ext_len bytes */
	size_t ext_len;       /* a multiple of 4, at most 4 * 65535 */
	uint8_t pad;          /* padding octets, the count byte included */
	const uint8_t *payload; /* payload_len bytes, padding excluded */
	size_t payload_len;
};

/**
 * Reads an RTP packet (RFC 3550 §5.1, and the validity checks of A.1).
 *
 * @param buf  the datagram
 * @param len  its length in bytes
 * @param h    filled on success only; its pointers point into @buf
 * @return 0, or -EINVAL when the version is not 2, a length does not fit
 *         (CSRC list, extension, padding count of 0 or longer than what
 *         follows the header), or the payload type is 72 - 76, which are
 *         RTCP's SR, RR, SDES, BYE and APP seen as RTP (RFC 3550 A.1,
 *         RFC 5761 §4)
 */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h);

/**
 * Writes an RTP packet: the header from @h (its marker, pt, seq, ts,
 * ssrc, cc and csrc; with has_ext, ext_profile and ext_len bytes of
 * @ext), then @payload, then h->pad bytes of padding (none when 0; the
 * last one holds the count, the others are zero).
 *
 * @return the packet's length, -EINVAL when @h cannot be written or would
 *         not be read back (pt over 127 or one of 72 - 76, cc over 15,
 *         ext_len not a multiple of 4 or over 4 * 65535), -ENOSPC when
 *         @size is too small (nothing useful is in @buf then)
 */
int rtp_build(const struct rtp_hdr *h, const uint8_t *ext,
              const uint8_t *payload, size_t payload_len, uint8_t *buf,
              size_t size);

/* ---- a source as its receiver sees it (RFC 3550 A.1, A.3, A.8) ---------- */

#define RTP_MIN_SEQUENTIAL 2 /* packets in sequence ending probation */
#define RTP_MAX_DROPOUT    3000
#define RTP_MAX_MISORDER   100

/**
 * The receiver's state of one source, RFC 3550 A.1's source structure
 * with the jitter of A.8 and what the next report block needs (A.3).
 * Set up by rtp_source_init; its fields are read-only for callers.
 */
struct rtp_source {
	uint32_t ssrc;
	uint16_t max_seq;        /* highest sequence number seen */
	uint32_t cycles;         /* wrap-arounds, shifted left 16 bits */
	uint32_t base_seq;       /* the first sequence number counted */
	uint32_t bad_seq;        /* last 'bad' sequence number + 1 */
	uint32_t probation;      /* packets in sequence still wanted */
	uint32_t received;       /* packets counted */
	uint32_t expected_prior; /* at the last report block */
	uint32_t received_prior; /* at the last report block */
	bool has_transit;        /* a packet has been timed */
	uint32_t transit;        /* arrival - timestamp of the last one */
	uint32_t jitter;         /* A.8's estimate, times 16 */
	uint32_t lsr;            /* middle 32 bits of the last SR's NTP time */
	uint64_t lsr_at_us;      /* when that SR arrived, 0: none yet */
};

/** What rtp_source_update made of a packet. */
enum rtp_seq_verdict {
	RTP_SEQ_VALID,     /* counted: in sequence, or misordered in bounds */
	RTP_SEQ_PROBATION, /* a new source not yet validated (A.1) */
	RTP_SEQ_BAD,       /* a jump or a duplicate far off: not counted */
	RTP_SEQ_RESTART,   /* the sender restarted its numbering: counted,
	                      the statistics start again */
	RTP_SEQ_NEW_SSRC,  /* another SSRC: the source starts again on it */
};

/**
 * Starts the state of a new source @ssrc whose first packet has @seq: it
 * is on probation (RFC 3550 A.1: RTP_MIN_SEQUENTIAL packets in sequence
 * validate it). Call rtp_source_update with that first packet next.
 */
void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq);

/**
 * Counts a received packet (RFC 3550 A.1's update_seq) and, if counted,
 * updates the interarrival jitter (A.8).
 *
 * @param s        the source
 * @param h        the packet read
 * @param arrival  its arrival time in units of the payload's RTP clock
 *                 (any origin, wrapping as RTP timestamps do)
 * @return the verdict. A packet of another SSRC starts the source again
 *         on that SSRC (RTP_SEQ_NEW_SSRC): it is on probation then.
 */
enum rtp_seq_verdict rtp_source_update(struct rtp_source *s,
                                       const struct rtp_hdr *h,
                                       uint32_t arrival);

/** The extended highest sequence number received (RFC 3550 §6.4.1). */
uint32_t rtp_source_ext_max(const struct rtp_source *s);

/** The interarrival jitter in RTP clock units (RFC 3550 §6.4.1, A.8). */
uint32_t rtp_source_jitter(const struct rtp_source *s);

/**
 * Notes a sender report from the source: @ntp its 64-bit NTP timestamp,
 * @now_us the time it arrived (microseconds, any origin but not 0), for
 * the LSR and DLSR fields of the next report block (RFC 3550 §6.4.1).
 */
void rtp_source_sr_received(struct rtp_source *s, uint64_t ntp,
                            uint64_t now_us);

struct rtcp_rb;

/**
 * Fills a report block about the source (RFC 3550 §6.4.1, A.3): fraction
 * lost since the previous block (which this call ends), cumulative lost
 * (clamped to 24 bits, signed), extended highest sequence number, jitter,
 * LSR and DLSR at @now_us (the clock of rtp_source_sr_received).
 */
void rtp_source_report(struct rtp_source *s, uint64_t now_us,
                       struct rtcp_rb *rb);

#endif
