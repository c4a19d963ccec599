/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SRTP and SRTCP (RFC 3711) of a call, on libsrtp2, behind a few
 * functions (docs/media.md: should Debian build libsrtp2 on another
 * crypto library, or another SRTP library be wanted, only rtpsec.c
 * changes): a context from the two master keys, a key of either side
 * changed, protect, unprotect.
 *
 * Part of tsp_rtp: standard headers only here. A context is used by one
 * thread at a time; nothing locks.
 *
 * Each direction is kept on its own: a new offer or answer changes the
 * side whose key changed (rtpsec_set_tx, rtpsec_set_rx), the other goes
 * on where it was. The packets received make a stream of the peer's
 * per SSRC (libsrtp2's); only the RTPSEC_RX_STREAMS used last are kept.
 */
#ifndef TAPIX_RTPSEC_H
#define TAPIX_RTPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The crypto suites of SDES (RFC 4568 §6.2) that are offered. */
enum rtpsec_suite {
	RTPSEC_AES_CM_128_HMAC_SHA1_80,
	RTPSEC_AES_CM_128_HMAC_SHA1_32, /* a 32-bit tag on RTP, 80 on RTCP */
};

#define RTPSEC_KEY_LEN  30  /* master key 16 + master salt 14 bytes */
#define RTPSEC_OVERHEAD 14  /* bytes protect adds at most (SRTCP: 4 + 10) */
#define RTPSEC_ROOM     148 /* room protect needs past the packet */
/* SSRCs of the peer's whose streams (replay list, rollover counter) are
 * kept; a packet of another starts it anew in place of the one least
 * recently heard (its replay list goes: heard again, it starts anew).
 * One is what a peer sends; a few cover an SSRC changed (a transfer) with
 * the old one's last packets still coming. */
#define RTPSEC_RX_STREAMS 4

struct rtpsec;

/**
 * Makes a context: packets sent are protected with @tx_key, packets
 * received checked and decrypted with @rx_key (each side's own key, as
 * SDES exchanges them), for any SSRC.
 *
 * @param out     set on success only; rtpsec_free it
 * @param suite   the crypto suite of both directions
 * @param tx_key  RTPSEC_KEY_LEN bytes: our master key and salt
 * @param rx_key  RTPSEC_KEY_LEN bytes: the peer's
 * @return 0, -EINVAL for a suite out of range, -ENOMEM, or -EIO when
 *         libsrtp2 fails otherwise
 */
int rtpsec_alloc(struct rtpsec **out, enum rtpsec_suite suite,
                 const uint8_t *tx_key, const uint8_t *rx_key);

/**
 * Sets the suite and key of what is sent (a new offer or answer). The same
 * suite and key change nothing; the same key under another suite goes on
 * with the packet indexes (rollover counter, SRTCP index) reached; only a
 * new key starts them anew. Under the same key an index sent again would
 * repeat its keystream (RFC 3711 §9.1), and the peer's receiver expects
 * the indexes to go on (§3.3.1).
 *
 * @return 0, or as rtpsec_alloc. A new key that fails leaves the side as
 *         it was; the suite changed under the same key may fail (out of
 *         memory) with its indexes lost, and the side then refuses every
 *         packet until a new key (made anew, it would repeat them).
 */
int rtpsec_set_tx(struct rtpsec *s, enum rtpsec_suite suite,
                  const uint8_t *tx_key);

/**
 * rtpsec_set_tx for what is received: the peer's suite and key. A new
 * key drops the peer's streams (its new key starts its own indexes).
 */
int rtpsec_set_rx(struct rtpsec *s, enum rtpsec_suite suite,
                  const uint8_t *rx_key);

/**
 * Whether a stream of the peer's @ssrc (host order) is kept: it was
 * received and not pushed out by RTPSEC_RX_STREAMS others since. For
 * tests.
 */
bool rtpsec_rx_has(const struct rtpsec *s, uint32_t ssrc);

/** Frees @s (NULL is fine). */
void rtpsec_free(struct rtpsec *s);

/**
 * Protects an RTP (or, with @rtcp, an RTCP) packet in place.
 *
 * @param s     the context
 * @param pkt   the packet, @len bytes, in a buffer of @size bytes
 * @param rtcp  an RTCP compound packet rather than RTP
 * @return the protected length (at most @len + RTPSEC_OVERHEAD), -ENOSPC
 *         when @size is less than @len + RTPSEC_ROOM (libsrtp2 may write
 *         that far), -EINVAL for a packet libsrtp2 refuses (too short, or
 *         a sequence number sent before)
 */
int rtpsec_protect(struct rtpsec *s, uint8_t *pkt, size_t len, size_t size,
                   bool rtcp);

/**
 * Checks and decrypts a received SRTP (with @rtcp, SRTCP) packet in place.
 * One of an SSRC not kept makes that SSRC's stream, and lets go of the
 * stream least recently heard when RTPSEC_RX_STREAMS are kept.
 *
 * @return the plain packet's length; -EBADMSG when its authentication
 *         fails (altered, or another key), -EALREADY for a replayed
 *         packet, -EINVAL for one too short or otherwise refused
 */
int rtpsec_unprotect(struct rtpsec *s, uint8_t *pkt, size_t len, bool rtcp);

#endif
