/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RTCP compound packets (RFC 3550 §6): reading SR, RR, SDES and BYE with
 * every length checked and other types skipped, and writing the compound
 * a session sends (SR or RR, SDES with the CNAME, optionally BYE).
 *
 * Part of tsp_rtp: standard headers only, no locks, no allocation.
 */
#ifndef TAPIX_RTCP_H
#define TAPIX_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_SR         200
#define RTCP_RR         201
#define RTCP_SDES       202
#define RTCP_BYE        203
#define RTCP_APP        204
#define RTCP_SDES_CNAME 1

#define RTCP_MAX_RB  31 /* report blocks: a 5-bit count */
#define RTCP_MAX_BYE 31 /* SSRCs in a BYE: a 5-bit count */

/** A report block (RFC 3550 §6.4.1). */
struct rtcp_rb {
	uint32_t ssrc;    /* the source reported on */
	uint8_t fraction; /* lost since the last report, times 256 */
	int32_t lost;     /* cumulative, 24-bit signed: -2^23 .. 2^23 - 1 */
	uint32_t ext_max; /* extended highest sequence number received */
	uint32_t jitter;  /* interarrival jitter, RTP clock units */
	uint32_t lsr;     /* middle 32 bits of the last SR's NTP time */
	uint32_t dlsr;    /* delay since then, in 1/65536 s */
};

/** The sender information of an SR (RFC 3550 §6.4.1). */
struct rtcp_sender {
	uint64_t ntp;
	uint32_t rtp_ts;
	uint32_t packets;
	uint32_t octets;
};

/**
 * What a compound packet says, as rtcp_parse reads it and rtcp_build
 * writes it. Reading keeps the first SR or RR's sender and the report
 * blocks of all SR and RR packets (at most RTCP_MAX_RB), the CNAME of the
 * SDES chunk of that sender, and the first BYE.
 */
struct rtcp_report {
	uint32_t ssrc; /* the sender of the SR or RR */
	bool has_sr;   /* an SR (else an RR) */
	struct rtcp_sender sr;
	uint8_t nrb;
	struct rtcp_rb rb[RTCP_MAX_RB];
	bool has_cname;
	uint8_t cname_len; /* bytes of cname, which is also NUL-terminated */
	char cname[256];
	bool bye;
	uint8_t nbye;
	uint32_t bye_ssrc[RTCP_MAX_BYE];
	uint8_t reason_len; /* bytes of reason, also NUL-terminated */
	char reason[256];
	unsigned nskipped; /* packets of other types skipped (reading only) */
};

/**
 * Reads a compound RTCP packet (RFC 3550 §6.1, the checks of A.2).
 *
 * @param buf  the datagram
 * @param len  its length in bytes
 * @param r    filled on success only
 * @return 0, or -EINVAL when a packet's version is not 2, the first packet
 *         is not an SR or RR, a packet other than the last is padded, a
 *         length field or count does not fit the packet (report blocks,
 *         SDES chunks and items, BYE SSRCs and reason, padding), or the
 *         lengths do not add up to @len
 */
int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_report *r);

/**
 * Writes the compound packet @r describes: an SR (has_sr) or RR with its
 * nrb report blocks, an SDES packet with one chunk for r->ssrc holding
 * its CNAME when has_cname, and a BYE with its SSRCs and reason when bye.
 *
 * @return the length written, -EINVAL when @r has more than RTCP_MAX_RB
 *         blocks or RTCP_MAX_BYE SSRCs, -ENOSPC
 *         when @size is too small
 */
int rtcp_build(const struct rtcp_report *r, uint8_t *buf, size_t size);

/**
 * The 64-bit NTP timestamp (RFC 3550 §4) of a time in microseconds since
 * 1970 (CLOCK_REALTIME): the sender information's clock.
 */
uint64_t rtcp_ntp_from_us(uint64_t unix_us);

#endif
