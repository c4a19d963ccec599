/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's SRTP (providers/media/rtp/rtpsec.h, libsrtp2): two ends with
 * each other's keys, as SDES sets them up, read what the other protects;
 * an altered packet, a replayed one and one under another key are
 * refused; a peer sending every packet under a new SSRC leaves as many
 * streams as ever; a key changed on one side leaves the other's packet
 * indexes going on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cmocka.h>

#include "rtcp.h"
#include "rtp.h"
#include "rtpsec.h"

struct ends {
	struct rtpsec *a, *b;
};

static void key(uint8_t *k, uint8_t seed)
{
	for (unsigned i = 0; i < RTPSEC_KEY_LEN; i++)
		k[i] = (uint8_t)(seed + 7 * i);
}

static void make_ends(struct ends *e, enum rtpsec_suite suite)
{
	uint8_t ka[RTPSEC_KEY_LEN], kb[RTPSEC_KEY_LEN];

	key(ka, 1);
	key(kb, 2);
	assert_int_equal(rtpsec_alloc(&e->a, suite, ka, kb), 0);
	assert_int_equal(rtpsec_alloc(&e->b, suite, kb, ka), 0);
}

static void free_ends(struct ends *e)
{
	rtpsec_free(e->a);
	rtpsec_free(e->b);
}

/* An RTP packet of @ssrc of 160 bytes of payload, sequence number @seq. */
static int packet_of(uint8_t *buf, size_t size, uint32_t ssrc, uint16_t seq)
{
	struct rtp_hdr h;
	uint8_t payload[160];

	memset(&h, 0, sizeof(h));
	h.seq = seq;
	h.ts = 160u * seq;
	h.ssrc = ssrc;
	memset(payload, 0x55, sizeof(payload));
	return rtp_build(&h, NULL, payload, sizeof(payload), buf, size);
}

static int packet(uint8_t *buf, size_t size, uint16_t seq)
{
	return packet_of(buf, size, 0x11223344, seq);
}

/* An RTCP receiver report of @ssrc with its CNAME. */
static int report_of(uint8_t *buf, size_t size, uint32_t ssrc)
{
	struct rtcp_report r;

	memset(&r, 0, sizeof(r));
	r.ssrc = ssrc;
	r.has_cname = true;
	r.cname_len = 4;
	memcpy(r.cname, "a@b", 4);
	return rtcp_build(&r, buf, size);
}

/* RFC 3711 §3.1, §4.2: the payload is encrypted, the header is not, a
 * tag of 80 (or 32) bits follows; the other end gets the packet back. */
static void round_trip(enum rtpsec_suite suite, int tag)
{
	struct ends e;
	uint8_t plain[256], buf[256 + RTPSEC_ROOM];
	int n, m;

	make_ends(&e, suite);
	n = packet(plain, sizeof(plain), 1);
	memcpy(buf, plain, (size_t)n);
	m = rtpsec_protect(e.a, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(m, n + tag);
	assert_memory_equal(buf, plain, RTP_HDR_MIN);
	assert_memory_not_equal(buf + RTP_HDR_MIN, plain + RTP_HDR_MIN, 160);
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, false), n);
	assert_memory_equal(buf, plain, (size_t)n);
	/* the way back, with the other key */
	m = rtpsec_protect(e.b, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(rtpsec_unprotect(e.a, buf, (size_t)m, false), n);
	assert_memory_equal(buf, plain, (size_t)n);
	free_ends(&e);
}

static void test_srtp_round_trip(void **state)
{
	(void)state;
	round_trip(RTPSEC_AES_CM_128_HMAC_SHA1_80, 10);
	round_trip(RTPSEC_AES_CM_128_HMAC_SHA1_32, 4);
}

/* RFC 3711 §3.3, §3.4: an altered byte (payload or tag) fails the
 * authentication; a packet under another key too; a replayed one is
 * refused by the replay list (§3.3.2). */
static void test_srtp_refusals(void **state)
{
	struct ends e;
	struct rtpsec *other;
	uint8_t kc[RTPSEC_KEY_LEN], buf[256 + RTPSEC_ROOM], copy[sizeof(buf)];
	int n, m;

	(void)state;
	make_ends(&e, RTPSEC_AES_CM_128_HMAC_SHA1_80);
	key(kc, 3);
	assert_int_equal(
		rtpsec_alloc(&other, RTPSEC_AES_CM_128_HMAC_SHA1_80, kc, kc),
		0);
	n = packet(buf, sizeof(buf), 7);
	m = rtpsec_protect(e.a, buf, (size_t)n, sizeof(buf), false);
	assert_true(m > n);
	memcpy(copy, buf, (size_t)m);
	buf[20] ^= 1;
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, false),
	                 -EBADMSG);
	memcpy(buf, copy, (size_t)m);
	buf[m - 1] ^= 0x80;
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, false),
	                 -EBADMSG);
	memcpy(buf, copy, (size_t)m);
	assert_int_equal(rtpsec_unprotect(other, buf, (size_t)m, false),
	                 -EBADMSG);
	memcpy(buf, copy, (size_t)m);
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, false), n);
	memcpy(buf, copy, (size_t)m);
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, false),
	                 -EALREADY);
	/* too short to hold a tag */
	assert_true(rtpsec_unprotect(e.b, buf, 12, false) < 0);
	/* no room for what libsrtp2 may write */
	n = packet(buf, sizeof(buf), 8);
	assert_int_equal(rtpsec_protect(e.a, buf, (size_t)n,
	                                (size_t)n + RTPSEC_ROOM - 1, false),
	                 -ENOSPC);
	rtpsec_free(other);
	free_ends(&e);
}

/* RFC 3711 §3.4: SRTCP adds the E flag and index (4 bytes) and an 80-bit
 * tag, also with the 32-bit RTP suite (RFC 4568 §6.2.2). */
static void test_srtcp_round_trip(void **state)
{
	struct ends e;
	struct rtcp_report r, back;
	uint8_t buf[256 + RTPSEC_ROOM];
	int n, m;

	(void)state;
	make_ends(&e, RTPSEC_AES_CM_128_HMAC_SHA1_32);
	memset(&r, 0, sizeof(r));
	r.ssrc = 0x11223344;
	r.has_cname = true;
	r.cname_len = 4;
	memcpy(r.cname, "a@b", 4);
	n = rtcp_build(&r, buf, sizeof(buf));
	assert_true(n > 0);
	m = rtpsec_protect(e.a, buf, (size_t)n, sizeof(buf), true);
	assert_int_equal(m, n + RTPSEC_OVERHEAD);
	assert_int_equal(rtpsec_unprotect(e.b, buf, (size_t)m, true), n);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &back), 0);
	assert_string_equal(back.cname, "a@b");
	free_ends(&e);
}

/* The heap in use (glibc's; 0 elsewhere, and under ASan, whose heap
 * glibc does not see). */
static size_t heap_in_use(void)
{
#ifdef __GLIBC__
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

#define FLOOD_SSRCS 20000

/*
 * The review's SSRC flood: libsrtp2 makes a stream for each SSRC whose
 * packet authenticates and never lets go of it, and looks every packet's
 * up in their list; a peer (it holds the key) sending each packet under
 * a new SSRC grew the heap some 228 bytes an SSRC and the time of every
 * unprotect without end. Here each of 20,000 SSRCs sends an SRTP and an
 * SRTCP packet (each SSRC from a sending context of its own, freed at
 * once, so that only the receiver's streams count): every one is taken,
 * the receiver keeps the streams of the last RTPSEC_RX_STREAMS SSRCs
 * and of no other (asked of libsrtp2, rtpsec_rx_has, a sample of them),
 * and the heap in use after the last SSRC is what it was after the
 * 1000th (mallinfo2).
 */
static void test_srtp_ssrc_flood(void **state)
{
	uint8_t ka[RTPSEC_KEY_LEN], kb[RTPSEC_KEY_LEN];
	uint8_t buf[256 + RTPSEC_ROOM], copy[sizeof(buf)];
	struct rtpsec *rx, *tx;
	size_t before = 0;
	unsigned kept = 0, sampled = 0;
	uint32_t i, ssrc;
	int n, m;

	(void)state;
	key(ka, 1);
	key(kb, 2);
	assert_int_equal(
		rtpsec_alloc(&rx, RTPSEC_AES_CM_128_HMAC_SHA1_80, ka, kb), 0);
	for (i = 0; i < FLOOD_SSRCS; i++) {
		assert_int_equal(rtpsec_alloc(&tx,
		                              RTPSEC_AES_CM_128_HMAC_SHA1_80,
		                              kb, ka),
		                 0);
		ssrc = 0x10000 + 2 * i;
		n = packet_of(buf, sizeof(buf), ssrc, 1);
		m = rtpsec_protect(tx, buf, (size_t)n, sizeof(buf), false);
		assert_true(m > n);
		assert_int_equal(rtpsec_unprotect(rx, buf, (size_t)m, false),
		                 n);
		n = report_of(buf, sizeof(buf), ssrc + 1);
		assert_true(n > 0);
		m = rtpsec_protect(tx, buf, (size_t)n, sizeof(buf), true);
		assert_true(m > n);
		assert_int_equal(rtpsec_unprotect(rx, buf, (size_t)m, true), n);
		rtpsec_free(tx);
		if (i == 999)
			before = heap_in_use();
	}
	/* unbounded: 38,000 streams of some 228 bytes, 8 MiB */
	assert_true(heap_in_use() < before + 64 * 1024);
	/* the SSRCs heard last (RTP and RTCP alike) are kept, no other */
	for (i = 0; i < RTPSEC_RX_STREAMS; i++)
		assert_true(
			rtpsec_rx_has(rx, 0x10000 + 2 * FLOOD_SSRCS - 1 - i));
	for (ssrc = 0x10000; ssrc < 0x10000 + 2 * FLOOD_SSRCS; ssrc += 97) {
		sampled++;
		kept += rtpsec_rx_has(rx, ssrc);
	}
	for (i = 0; i < 2 * RTPSEC_RX_STREAMS; i++, sampled++)
		kept += rtpsec_rx_has(rx, 0x10000 + 2 * FLOOD_SSRCS - 1 - i);
	assert_true(sampled > 400);
	assert_true(kept <= RTPSEC_RX_STREAMS);
	/* a stream kept still refuses a replay (its list is its own) */
	assert_int_equal(
		rtpsec_alloc(&tx, RTPSEC_AES_CM_128_HMAC_SHA1_80, kb, ka), 0);
	n = packet_of(buf, sizeof(buf), 0x77, 5);
	m = rtpsec_protect(tx, buf, (size_t)n, sizeof(buf), false);
	memcpy(copy, buf, (size_t)m);
	assert_int_equal(rtpsec_unprotect(rx, buf, (size_t)m, false), n);
	assert_int_equal(rtpsec_unprotect(rx, copy, (size_t)m, false),
	                 -EALREADY);
	rtpsec_free(tx);
	rtpsec_free(rx);
}

/*
 * The review's re-key: when only the peer's key changed (a re-INVITE),
 * media.c made both directions anew, and ours started its rollover
 * counter again under the same key: past a wrap of the sequence numbers
 * an index sent before, its keystream again (RFC 3711 §9.1: identical
 * audio gave identical ciphertext), and the peer's receiver, at ROC 1,
 * refused us (§3.3.1). Here A sends past a wrap to B; A's receiving key
 * changes (rtpsec_set_rx): the next packet of A's, of a sequence number
 * sent before the wrap, is not the ciphertext it was and B (its receiver
 * unchanged) takes it, so does B an SRTCP packet (its index goes on, not
 * a replay); A takes what comes under the new key only. Then the suite
 * changes on both sides, the keys the same (the 32-bit tag): the indexes
 * go on again (made anew, the same keystream too).
 */
static void test_srtp_rekey_keeps_index(void **state)
{
	const enum rtpsec_suite s80 = RTPSEC_AES_CM_128_HMAC_SHA1_80;
	const enum rtpsec_suite s32 = RTPSEC_AES_CM_128_HMAC_SHA1_32;
	uint8_t ours[RTPSEC_KEY_LEN], peer1[RTPSEC_KEY_LEN],
		peer2[RTPSEC_KEY_LEN];
	uint8_t first[256 + RTPSEC_ROOM], buf[256 + RTPSEC_ROOM], at101[160];
	struct rtpsec *a, *b, *old_peer;
	uint32_t i;
	int n, m, m0;

	(void)state;
	key(ours, 1);
	key(peer1, 2);
	key(peer2, 3);
	assert_int_equal(rtpsec_alloc(&a, s80, ours, peer1), 0);
	assert_int_equal(rtpsec_alloc(&b, s80, peer1, ours), 0);
	assert_int_equal(rtpsec_alloc(&old_peer, s80, peer1, ours), 0);
	/* sequence number 100 at ROC 0, then once round to 99 at ROC 1 */
	n = packet(first, sizeof(first), 100);
	m0 = rtpsec_protect(a, first, (size_t)n, sizeof(first), false);
	memcpy(buf, first, (size_t)m0);
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m0, false), n);
	for (i = 101; i < 100 + 65536; i++) {
		n = packet(buf, sizeof(buf), (uint16_t)i);
		m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), false);
		if (i == 101)
			memcpy(at101, buf + RTP_HDR_MIN, sizeof(at101));
		assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, false), n);
	}
	n = report_of(buf, sizeof(buf), 0x11223344);
	m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), true);
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, true), n);

	/* the peer's new key; ours the same */
	assert_int_equal(rtpsec_set_rx(a, s80, peer2), 0);
	assert_int_equal(rtpsec_set_tx(b, s80, peer2), 0);
	n = packet(buf, sizeof(buf), 100); /* the same packet, at ROC 1 */
	m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(m, m0);
	assert_memory_not_equal(buf + RTP_HDR_MIN, first + RTP_HDR_MIN, 160);
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, false), n);
	n = report_of(buf, sizeof(buf), 0x11223344);
	m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), true);
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, true), n);
	/* A takes the peer's new key, no longer its old one */
	n = packet_of(buf, sizeof(buf), 0x55667788, 1);
	m = rtpsec_protect(b, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(rtpsec_unprotect(a, buf, (size_t)m, false), n);
	n = packet_of(buf, sizeof(buf), 0x55667788, 2);
	m = rtpsec_protect(old_peer, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(rtpsec_unprotect(a, buf, (size_t)m, false), -EBADMSG);
	/* the same keys again: nothing changes (a replay still refused) */
	n = packet_of(buf, sizeof(buf), 0x55667788, 3);
	m = rtpsec_protect(b, buf, (size_t)n, sizeof(buf), false);
	memcpy(first, buf, (size_t)m);
	assert_int_equal(rtpsec_unprotect(a, buf, (size_t)m, false), n);
	assert_int_equal(rtpsec_set_rx(a, s80, peer2), 0);
	assert_int_equal(rtpsec_set_tx(a, s80, ours), 0);
	assert_int_equal(rtpsec_unprotect(a, first, (size_t)m, false),
	                 -EALREADY);

	/* another suite under the same keys (its keystream the same: AES-CM
	 * under the same session keys): the indexes go on, the packet of
	 * sequence number 101 is not what it was at ROC 0, and B's receiver
	 * at ROC 1 takes it, with its 32-bit tag */
	assert_int_equal(rtpsec_set_tx(a, s32, ours), 0);
	assert_int_equal(rtpsec_set_rx(b, s32, ours), 0);
	n = packet(buf, sizeof(buf), 101);
	m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), false);
	assert_int_equal(m, n + 4);
	assert_memory_not_equal(buf + RTP_HDR_MIN, at101, sizeof(at101));
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, false), n);
	n = report_of(buf, sizeof(buf), 0x11223344);
	m = rtpsec_protect(a, buf, (size_t)n, sizeof(buf), true);
	assert_int_equal(rtpsec_unprotect(b, buf, (size_t)m, true), n);
	/* a suite out of range changes nothing */
	assert_int_equal(rtpsec_set_tx(a, (enum rtpsec_suite)7, peer2),
	                 -EINVAL);
	rtpsec_free(old_peer);
	rtpsec_free(b);
	rtpsec_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtp_round_trip),
		cmocka_unit_test(test_srtp_refusals),
		cmocka_unit_test(test_srtcp_round_trip),
		cmocka_unit_test(test_srtp_ssrc_flood),
		cmocka_unit_test(test_srtp_rekey_keeps_index),
	};

	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));

	return cmocka_run_group_tests(tests, NULL, NULL);
}
