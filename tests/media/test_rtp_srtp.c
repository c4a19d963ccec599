/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's SRTP (providers/media/rtp/rtpsec.h, libsrtp2): two ends with
 * each other's keys, as SDES sets them up, read what the other protects;
 * an altered packet, a replayed one and one under another key are
 * refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* An RTP packet of 160 bytes of payload, sequence number @seq. */
static int packet(uint8_t *buf, size_t size, uint16_t seq)
{
	struct rtp_hdr h;
	uint8_t payload[160];

	memset(&h, 0, sizeof(h));
	h.seq = seq;
	h.ts = 160u * seq;
	h.ssrc = 0x11223344;
	memset(payload, 0x55, sizeof(payload));
	return rtp_build(&h, NULL, payload, sizeof(payload), buf, size);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtp_round_trip),
		cmocka_unit_test(test_srtp_refusals),
		cmocka_unit_test(test_srtcp_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
