/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's RTP and RTCP (providers/media/rtp/rtp.h, rtcp.h): packets
 * read and written, lengths that lie refused, and the receiver statistics
 * against values worked out by hand from RFC 3550's formulas.
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

static int build(const struct rtp_hdr *h, const uint8_t *ext,
                 const char *payload, uint8_t *buf, size_t size)
{
	return rtp_build(h, ext, (const uint8_t *)payload, strlen(payload), buf,
	                 size);
}

/* RFC 3550 §5.1, §5.3.1: a packet with CSRCs, an extension and padding
 * reads back as written. */
static void test_rtp_round_trip(void **state)
{
	static const uint8_t ext[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct rtp_hdr h, r;
	uint8_t buf[256];
	int n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.marker = true;
	h.pt = 96;
	h.seq = 0xFFFE;
	h.ts = 0xDEADBEEF;
	h.ssrc = 0x01020304;
	h.cc = 2;
	h.csrc[0] = 11;
	h.csrc[1] = 22;
	h.has_ext = true;
	h.ext_profile = 0xBEDE;
	h.ext_len = sizeof(ext);
	h.pad = 3;
	n = build(&h, ext, "hello", buf, sizeof(buf));
	assert_int_equal(n, 12 + 8 + 4 + 8 + 5 + 3);
	/* V=2, P, X, CC=2; M and PT; the padding count last */
	assert_int_equal(buf[0], 0x80 | 0x20 | 0x10 | 2);
	assert_int_equal(buf[1], 0x80 | 96);
	assert_int_equal(buf[n - 1], 3);
	assert_int_equal(rtp_parse(buf, (size_t)n, &r), 0);
	assert_true(r.marker);
	assert_int_equal(r.pt, 96);
	assert_int_equal(r.seq, 0xFFFE);
	assert_int_equal(r.ts, 0xDEADBEEF);
	assert_int_equal(r.ssrc, 0x01020304);
	assert_int_equal(r.cc, 2);
	assert_int_equal(r.csrc[1], 22);
	assert_true(r.has_ext);
	assert_int_equal(r.ext_profile, 0xBEDE);
	assert_int_equal(r.ext_len, 8);
	assert_memory_equal(r.ext, ext, 8);
	assert_int_equal(r.pad, 3);
	assert_int_equal(r.payload_len, 5);
	assert_memory_equal(r.payload, "hello", 5);

	/* too small a buffer, by one byte */
	assert_int_equal(build(&h, ext, "hello", buf, (size_t)n - 1), -ENOSPC);
	/* what cannot be read back is not written */
	h.pt = 72;
	assert_int_equal(build(&h, ext, "x", buf, sizeof(buf)), -EINVAL);
	h.pt = 0;
	h.ext_len = 6;
	assert_int_equal(build(&h, ext, "x", buf, sizeof(buf)), -EINVAL);
}

/* RFC 3550 §5.1, A.1: every length field that lies is refused. */
static void test_rtp_lying_lengths_refused(void **state)
{
	struct rtp_hdr h, r;
	uint8_t good[64], bad[64];
	int n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.pt = 0;
	h.seq = 1;
	n = build(&h, NULL, "abcd", good, sizeof(good));
	assert_int_equal(n, 16);
	assert_int_equal(rtp_parse(good, 16, &r), 0);
	/* shorter than the fixed header */
	assert_int_equal(rtp_parse(good, 11, &r), -EINVAL);
	/* version 1, version 3 */
	memcpy(bad, good, 16);
	bad[0] = 0x40;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[0] = 0xC0;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	/* CC = 2 with 4 bytes after the header; CC = 1 fits */
	memcpy(bad, good, 16);
	bad[0] = 0x82;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[0] = 0x81;
	assert_int_equal(rtp_parse(bad, 16, &r), 0);
	assert_int_equal(r.payload_len, 0);
	/* X with no room for the extension header, and one whose length
	 * runs past the end (1 word announced, none there) */
	memcpy(bad, good, 16);
	bad[0] = 0x90;
	assert_int_equal(rtp_parse(bad, 15, &r), -EINVAL);
	bad[12] = 0;
	bad[13] = 0;
	bad[14] = 0;
	bad[15] = 1;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[15] = 0; /* an empty extension is fine */
	assert_int_equal(rtp_parse(bad, 16, &r), 0);
	assert_true(r.has_ext);
	assert_int_equal(r.payload_len, 0);
	/* P with a count of 0, and one longer than the payload */
	memcpy(bad, good, 16);
	bad[0] = 0xA0;
	bad[15] = 0;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[15] = 5;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[15] = 4; /* the whole payload is padding */
	assert_int_equal(rtp_parse(bad, 16, &r), 0);
	assert_int_equal(r.payload_len, 0);
	/* A.1: RTCP's SR and RR (200, 201: PT 72, 73 with M) are not RTP */
	memcpy(bad, good, 16);
	bad[1] = 200;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
	bad[1] = 73;
	assert_int_equal(rtp_parse(bad, 16, &r), -EINVAL);
}

static enum rtp_seq_verdict feed(struct rtp_source *s, uint32_t ssrc,
                                 uint16_t seq, uint32_t ts, uint32_t arrival)
{
	struct rtp_hdr h;

	memset(&h, 0, sizeof(h));
	h.ssrc = ssrc;
	h.seq = seq;
	h.ts = ts;
	return rtp_source_update(s, &h, arrival);
}

/* RFC 3550 A.1: a new source is validated by two packets in sequence;
 * its numbering wraps at 65536 into the extended sequence number. */
static void test_rtp_probation_and_wrap_around(void **state)
{
	struct rtp_source s;

	(void)state;
	rtp_source_init(&s, 7, 65533);
	assert_int_equal(feed(&s, 7, 65533, 0, 0), RTP_SEQ_PROBATION);
	/* out of sequence: probation starts again from 65530 */
	assert_int_equal(feed(&s, 7, 65530, 0, 0), RTP_SEQ_PROBATION);
	assert_int_equal(feed(&s, 7, 65531, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(s.base_seq, 65531);
	assert_int_equal(feed(&s, 7, 65535, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 7, 0, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 7, 1, 0, 0), RTP_SEQ_VALID);
	/* one cycle: 65536 + 1 */
	assert_int_equal(rtp_source_ext_max(&s), 65537);
	/* a late one from before the wrap does not count a cycle */
	assert_int_equal(feed(&s, 7, 65532, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_ext_max(&s), 65537);
	assert_int_equal(s.received, 5);
}

/* RFC 3550 A.1: a jump of MAX_DROPOUT or more is bad, unless the next
 * packet follows it: then the sender restarted and so do the counts. */
static void test_rtp_jump_and_restart(void **state)
{
	struct rtp_source s;

	(void)state;
	rtp_source_init(&s, 7, 100);
	feed(&s, 7, 100, 0, 0);
	assert_int_equal(feed(&s, 7, 101, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 7, 101 + RTP_MAX_DROPOUT, 0, 0), RTP_SEQ_BAD);
	assert_int_equal(feed(&s, 7, 102, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 7, 20000, 0, 0), RTP_SEQ_BAD);
	assert_int_equal(feed(&s, 7, 20001, 0, 0), RTP_SEQ_RESTART);
	assert_int_equal(s.base_seq, 20001);
	assert_int_equal(s.received, 1);
	/* a misordered packet within MAX_MISORDER is counted */
	assert_int_equal(feed(&s, 7, 20001 - RTP_MAX_MISORDER + 1, 0, 0),
	                 RTP_SEQ_VALID);
}

/* RFC 3550 §8.2: a packet of another SSRC is another source. */
static void test_rtp_ssrc_change(void **state)
{
	struct rtp_source s;

	(void)state;
	rtp_source_init(&s, 7, 10);
	feed(&s, 7, 10, 0, 0);
	feed(&s, 7, 11, 0, 0);
	assert_int_equal(feed(&s, 8, 500, 0, 0), RTP_SEQ_NEW_SSRC);
	assert_int_equal(s.ssrc, 8);
	assert_int_equal(feed(&s, 8, 501, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(s.base_seq, 501);
}

/* RFC 3550 A.3: loss counted per report interval and in total. Packets
 * 100 (probation) and 101 validate the source (base 101); then 102 - 110
 * without 104 and 108: expected 110 - 101 + 1 = 10, received 8, lost 2,
 * fraction 2 * 256 / 10 = 51. Next interval, 111 - 120 and a duplicate
 * of 120: expected 10, received 11, lost -1 in it (fraction 0), 1 in
 * all. */
static void test_rtp_loss_statistics(void **state)
{
	struct rtp_source s;
	struct rtcp_rb rb;
	uint16_t seq;

	(void)state;
	rtp_source_init(&s, 7, 100);
	feed(&s, 7, 100, 0, 0);
	for (seq = 101; seq <= 110; seq++)
		if (seq != 104 && seq != 108)
			feed(&s, 7, seq, 0, 0);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.ssrc, 7);
	assert_int_equal(rb.ext_max, 110);
	assert_int_equal(rb.lost, 2);
	assert_int_equal(rb.fraction, 51);
	for (seq = 111; seq <= 120; seq++)
		feed(&s, 7, seq, 0, 0);
	feed(&s, 7, 120, 0, 0);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.lost, 1);
	assert_int_equal(rb.fraction, 0);
	/* §6.4.1: three more duplicates make the total negative */
	feed(&s, 7, 120, 0, 0);
	feed(&s, 7, 120, 0, 0);
	feed(&s, 7, 120, 0, 0);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.lost, -2);
	/* 130 after 120: 9 of the 10 expected lost in this interval */
	feed(&s, 7, 130, 0, 0);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.fraction, 9 * 256 / 10);
}

/* RFC 3550 A.8: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1)) / 16, reported as
 * an integer; computed here in floating point beside the packets. */
static void test_rtp_jitter(void **state)
{
	/* transit times (arrival - timestamp) of successive packets */
	static const int32_t transit[] = {1000, 1000, 1016, 1048, 1048,
	                                  1208, 1008, 1200, 900,  905};
	struct rtp_source s;
	double j = 0;
	unsigned i;

	(void)state;
	rtp_source_init(&s, 7, 0);
	/* the probation packet is not timed */
	feed(&s, 7, 0, 0, 5000);
	for (i = 0; i < sizeof(transit) / sizeof(transit[0]); i++) {
		uint32_t ts = 160 * (i + 1);

		assert_int_equal(feed(&s, 7, (uint16_t)(i + 1), ts,
		                      ts + (uint32_t)transit[i]),
		                 RTP_SEQ_VALID);
		if (i > 0) {
			double d = transit[i] - transit[i - 1];

			j += ((d < 0 ? -d : d) - j) / 16;
		}
		/* integer arithmetic of A.8 against the formula */
		assert_true((double)rtp_source_jitter(&s) <= j + 1);
		assert_true((double)rtp_source_jitter(&s) >= j - 1);
	}
	/* by hand: 1.0, 2.9375 after the first two differences */
	assert_true(j > 40 && j < 60);
}

/* RFC 3550 §6.4.1: LSR is the middle 32 bits of the SR's NTP time; DLSR
 * the delay since, in 1/65536 s: 0.5 s is 32768. */
static void test_rtp_lsr_dlsr(void **state)
{
	struct rtp_source s;
	struct rtcp_rb rb;

	(void)state;
	rtp_source_init(&s, 7, 0);
	rtp_source_report(&s, 1, &rb);
	assert_int_equal(rb.lsr, 0);
	assert_int_equal(rb.dlsr, 0);
	rtp_source_sr_received(&s, 0x1122334455667788ull, 1000000);
	rtp_source_report(&s, 1500000, &rb);
	assert_int_equal(rb.lsr, 0x33445566);
	assert_int_equal(rb.dlsr, 32768);
}

static void fill_report(struct rtcp_report *r)
{
	memset(r, 0, sizeof(*r));
	r->ssrc = 0xCAFEBABE;
	r->has_sr = true;
	r->sr.ntp = rtcp_ntp_from_us(1000000ull * 1700000000 + 500000);
	r->sr.rtp_ts = 123456;
	r->sr.packets = 50;
	r->sr.octets = 8000;
	r->nrb = 2;
	r->rb[0].ssrc = 1;
	r->rb[0].fraction = 51;
	r->rb[0].lost = -3;
	r->rb[0].ext_max = 65537;
	r->rb[0].jitter = 12;
	r->rb[1].ssrc = 2;
	r->rb[1].lost = 0x7FFFFF;
	r->has_cname = true;
	r->cname_len = 12;
	memcpy(r->cname, "me@192.0.2.1", 13);
	r->bye = true;
	r->nbye = 1;
	r->bye_ssrc[0] = 0xCAFEBABE;
	r->reason_len = 6;
	memcpy(r->reason, "hangup", 7);
}

/* RFC 3550 §6.1, §6.4.1, §6.5.1, §6.6: SR, SDES CNAME and BYE in one
 * compound packet, each length a 32-bit word count minus one. */
static void test_rtcp_round_trip(void **state)
{
	struct rtcp_report r, back;
	uint8_t buf[512];
	int n;

	(void)state;
	fill_report(&r);
	n = rtcp_build(&r, buf, sizeof(buf));
	/* SR 28 + 2 * 24; SDES 4 + 4 + 2 + 12 + 1 -> 24; BYE 4 + 4 + 7 ->
	 * 16 */
	assert_int_equal(n, 76 + 24 + 16);
	assert_int_equal(buf[0], 0x80 | 2);
	assert_int_equal(buf[1], RTCP_SR);
	assert_int_equal(buf[3], 76 / 4 - 1);
	assert_int_equal(buf[76 + 1], RTCP_SDES);
	assert_int_equal(buf[100 + 1], RTCP_BYE);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &back), 0);
	assert_int_equal(back.ssrc, r.ssrc);
	assert_true(back.has_sr);
	assert_true(back.sr.ntp == r.sr.ntp);
	/* 1970 + 1.7e9 s is 0xEE... in NTP seconds; .5 s is 2^31 */
	assert_int_equal((uint32_t)back.sr.ntp, 0x80000000u);
	assert_int_equal(back.sr.octets, 8000);
	assert_int_equal(back.nrb, 2);
	assert_int_equal(back.rb[0].lost, -3);
	assert_int_equal(back.rb[0].fraction, 51);
	assert_int_equal(back.rb[0].ext_max, 65537);
	assert_int_equal(back.rb[1].lost, 0x7FFFFF);
	assert_true(back.has_cname);
	assert_string_equal(back.cname, "me@192.0.2.1");
	assert_true(back.bye);
	assert_int_equal(back.bye_ssrc[0], 0xCAFEBABE);
	assert_string_equal(back.reason, "hangup");
	assert_int_equal(rtcp_build(&r, buf, (size_t)n - 1), -ENOSPC);
}

/* RFC 3550 A.2: the packet's checks, each length lying in turn. */
static void test_rtcp_lying_lengths_refused(void **state)
{
	struct rtcp_report r, back;
	uint8_t good[512], bad[512];
	int n;

	(void)state;
	fill_report(&r);
	n = rtcp_build(&r, good, sizeof(good));
	assert_true(n > 0);
	/* the whole, cut anywhere but between its packets, is refused */
	for (int cut = 0; cut < n; cut++)
		if (cut != 76 && cut != 100)
			assert_int_equal(rtcp_parse(good, (size_t)cut, &back),
			                 -EINVAL);
	/* version 1 */
	memcpy(bad, good, (size_t)n);
	bad[0] = 0x42;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* SR's length one word longer than there is */
	memcpy(bad, good, (size_t)n);
	bad[3] = (uint8_t)(bad[3] + 30);
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* three report blocks announced, room for two */
	memcpy(bad, good, (size_t)n);
	bad[0] = 0x83;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* the CNAME's item length runs out of its packet */
	memcpy(bad, good, (size_t)n);
	bad[76 + 9] = 40;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* no null item ending the chunk: the CNAME fills it to the end */
	memcpy(bad, good, (size_t)n);
	bad[76 + 9] = 14;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* the BYE's reason longer than its packet */
	memcpy(bad, good, (size_t)n);
	bad[100 + 8] = 8;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* padding on a packet other than the last (the SR) */
	memcpy(bad, good, (size_t)n);
	bad[0] |= 0x20;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	/* an SDES first */
	assert_int_equal(rtcp_parse(good + 76, (size_t)n - 76, &back), -EINVAL);
	/* padding on the last, counting more than its body; then right */
	memcpy(bad, good, (size_t)n);
	bad[100] |= 0x20;
	bad[n - 1] = 13;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	bad[n - 1] = 0;
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	bad[n - 1] = 4; /* the reason's last word is padding */
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), -EINVAL);
	bad[n - 1] = 1; /* its padding byte */
	assert_int_equal(rtcp_parse(bad, (size_t)n, &back), 0);
	assert_string_equal(back.reason, "hangup");
}

/* RFC 3550 §6.1, A.2: packets of types this end does not read (APP,
 * RFC 4585's feedback) are skipped, wherever they are after the first. */
static void test_rtcp_unknown_types_skipped(void **state)
{
	/* RR with no block; APP of 12 bytes; type 205 of 8 bytes */
	static const uint8_t pkt[] = {
		0x80, 201, 0, 1, 0, 0, 0, 9,                     /* RR */
		0x81, 204, 0, 2, 0, 0, 0, 9, 'n', 'a', 'm', 'e', /* APP */
		0x81, 205, 0, 1, 0, 0, 0, 9,                     /* FB */
		0x81, 203, 0, 1, 0, 0, 0, 9,                     /* BYE */
	};
	struct rtcp_report r;

	(void)state;
	assert_int_equal(rtcp_parse(pkt, sizeof(pkt), &r), 0);
	assert_int_equal(r.ssrc, 9);
	assert_false(r.has_sr);
	assert_int_equal(r.nrb, 0);
	assert_int_equal(r.nskipped, 2);
	assert_true(r.bye);
	assert_int_equal(r.nbye, 1);
	assert_int_equal(r.reason_len, 0);
}

/* RFC 3550 §6.4.2, A.3: what a receiver reports goes out in an RR and
 * comes back the same. */
static void test_rtcp_rr_from_statistics(void **state)
{
	struct rtp_source s;
	struct rtcp_report r, back;
	uint8_t buf[256];
	uint16_t seq;
	int n;

	(void)state;
	rtp_source_init(&s, 0x42, 65530);
	feed(&s, 0x42, 65530, 0, 0);
	for (seq = 65531; seq != 20; seq++)
		if (seq % 5)
			feed(&s, 0x42, seq, 0, 0);
	memset(&r, 0, sizeof(r));
	r.ssrc = 1;
	r.nrb = 1;
	rtp_source_report(&s, 0, &r.rb[0]);
	/* 65531 .. 65555 (19 after the wrap): 25 expected; multiples of 5
	 * among them 65535, 0, 5, 10, 15: 5 lost, 5 * 256 / 25 = 51 */
	assert_int_equal(r.rb[0].ext_max, 65536 + 19);
	assert_int_equal(r.rb[0].lost, 5);
	assert_int_equal(r.rb[0].fraction, 51);
	n = rtcp_build(&r, buf, sizeof(buf));
	assert_int_equal(n, 8 + 24);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &back), 0);
	assert_false(back.has_sr);
	assert_false(back.has_cname);
	assert_memory_equal(&back.rb[0], &r.rb[0], sizeof(r.rb[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_round_trip),
		cmocka_unit_test(test_rtp_lying_lengths_refused),
		cmocka_unit_test(test_rtp_probation_and_wrap_around),
		cmocka_unit_test(test_rtp_jump_and_restart),
		cmocka_unit_test(test_rtp_ssrc_change),
		cmocka_unit_test(test_rtp_loss_statistics),
		cmocka_unit_test(test_rtp_jitter),
		cmocka_unit_test(test_rtp_lsr_dlsr),
		cmocka_unit_test(test_rtcp_round_trip),
		cmocka_unit_test(test_rtcp_lying_lengths_refused),
		cmocka_unit_test(test_rtcp_unknown_types_skipped),
		cmocka_unit_test(test_rtcp_rr_from_statistics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
