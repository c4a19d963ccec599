/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RTP packets and the receiver's state of a source (RFC 3550 §5.1, A.1,
 * A.3, A.8).
 */
#include <errno.h>
#include <string.h>

#include "be.h"
#include "rtcp.h"
#include "rtp.h"

#define RTP_SEQ_MOD (1u << 16)

/* RFC 3550 A.1: an RTP packet's type must not be SR or RR; RFC 5761 §4:
 * 72 - 76 are RTCP's 200 - 204 with the marker bit. */
static bool pt_is_rtcp(uint8_t pt)
{
	return pt >= 72 && pt <= 76;
}

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *out)
{
	struct rtp_hdr h;
	size_t off, end = len;
	unsigned i;

	if (len < RTP_HDR_MIN || buf[0] >> 6 != RTP_VERSION)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.marker = buf[1] >> 7;
	h.pt = buf[1] & 0x7F;
	if (pt_is_rtcp(h.pt))
		return -EINVAL;
	h.seq = be_get16(buf + 2);
	h.ts = be_get32(buf + 4);
	h.ssrc = be_get32(buf + 8);
	h.cc = buf[0] & 0x0F;
	off = RTP_HDR_MIN;
	if (len - off < 4u * h.cc)
		return -EINVAL;
	for (i = 0; i < h.cc; i++, off += 4)
		h.csrc[i] = be_get32(buf + off);
	if (buf[0] & 0x10) {
		/* RFC 3550 §5.3.1: a 4-byte header, then length 32-bit words */
		if (len - off < 4)
			return -EINVAL;
		h.has_ext = true;
		h.ext_profile = be_get16(buf + off);
		h.ext_len = 4u * be_get16(buf + off + 2);
		off += 4;
		if (len - off < h.ext_len)
			return -EINVAL;
		h.ext = buf + off;
		off += h.ext_len;
	}
	if (buf[0] & 0x20) {
		/* RFC 3550 §5.1: the last octet counts the padding, itself
		 * included; A.1: it must be less than the packet length
		 * minus the header */
		h.pad = buf[len - 1];
		if (h.pad == 0 || h.pad > len - off)
			return -EINVAL;
		end = len - h.pad;
	}
	h.payload = buf + off;
	h.payload_len = end - off;
	*out = h;
	return 0;
}

int rtp_build(const struct rtp_hdr *h, const uint8_t *ext,
              const uint8_t *payload, size_t payload_len, uint8_t *buf,
              size_t size)
{
	size_t need, off;
	unsigned i;

	if (h->pt > 127 || pt_is_rtcp(h->pt) || h->cc > RTP_MAX_CSRC)
		return -EINVAL;
	if (h->has_ext && (h->ext_len % 4 || h->ext_len > 4u * 0xFFFF))
		return -EINVAL;
	need = RTP_HDR_MIN + 4u * h->cc + (h->has_ext ? 4 + h->ext_len : 0);
	if (size < need || size - need < payload_len ||
	    size - need - payload_len < h->pad ||
	    need + payload_len + h->pad > (size_t)0x7FFFFFFF)
		return -ENOSPC;
	buf[0] = (uint8_t)(RTP_VERSION << 6 | (h->pad ? 0x20 : 0) |
	                   (h->has_ext ? 0x10 : 0) | h->cc);
	buf[1] = (uint8_t)((h->marker ? 0x80 : 0) | h->pt);
	be_put16(buf + 2, h->seq);
	be_put32(buf + 4, h->ts);
	be_put32(buf + 8, h->ssrc);
	off = RTP_HDR_MIN;
	for (i = 0; i < h->cc; i++, off += 4)
		be_put32(buf + off, h->csrc[i]);
	if (h->has_ext) {
		be_put16(buf + off, h->ext_profile);
		be_put16(buf + off + 2, (uint16_t)(h->ext_len / 4));
		off += 4;
		if (h->ext_len)
			memcpy(buf + off, ext, h->ext_len);
		off += h->ext_len;
	}
	if (payload_len)
		memcpy(buf + off, payload, payload_len);
	off += payload_len;
	if (h->pad) {
		memset(buf + off, 0, h->pad);
		off += h->pad;
		buf[off - 1] = h->pad;
	}
	return (int)off;
}

/* ---- the receiver's state of a source ----------------------------------- */

/* RFC 3550 A.1's init_seq */
static void init_seq(struct rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->has_transit = false;
	s->jitter = 0;
}

void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq)
{
	memset(s, 0, sizeof(*s));
	init_seq(s, seq);
	s->ssrc = ssrc;
	/* A.1: a new source is on probation, as if seq - 1 came before */
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = RTP_MIN_SEQUENTIAL;
}

/* RFC 3550 A.1's update_seq, returning a verdict instead of 0 or 1 */
static enum rtp_seq_verdict update_seq(struct rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* a packet in sequence is wanted */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return RTP_SEQ_VALID;
			}
		} else {
			s->probation = RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return RTP_SEQ_PROBATION;
	}
	if (udelta < RTP_MAX_DROPOUT) {
		/* in order, with a permissible gap */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD; /* wrapped */
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* a very large jump */
		if (seq == s->bad_seq) {
			/* two sequential packets: the other end restarted
			 * without telling us, so just re-sync (i.e., pretend
			 * this was the first packet) */
			init_seq(s, seq);
			s->received++;
			return RTP_SEQ_RESTART;
		}
		s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
		return RTP_SEQ_BAD;
	}
	/* else a duplicate or reordered packet */
	s->received++;
	return RTP_SEQ_VALID;
}

enum rtp_seq_verdict rtp_source_update(struct rtp_source *s,
                                       const struct rtp_hdr *h,
                                       uint32_t arrival)
{
	enum rtp_seq_verdict v;
	uint32_t transit;
	int32_t d;

	if (h->ssrc != s->ssrc) {
		/* RFC 3550 §8.2: another SSRC is another source; a two-party
		 * call has one, so the new one replaces it */
		rtp_source_init(s, h->ssrc, h->seq);
		update_seq(s, h->seq);
		return RTP_SEQ_NEW_SSRC;
	}
	v = update_seq(s, h->seq);
	if (v != RTP_SEQ_VALID && v != RTP_SEQ_RESTART)
		return v;
	/* A.8: J += (|D| - J) / 16, kept times 16 in integers */
	transit = arrival - h->ts;
	if (s->has_transit) {
		d = (int32_t)(transit - s->transit);
		if (d < 0)
			d = d == INT32_MIN ? INT32_MAX : -d;
		s->jitter += (uint32_t)d - ((s->jitter + 8) >> 4);
	}
	s->transit = transit;
	s->has_transit = true;
	return v;
}

uint32_t rtp_source_ext_max(const struct rtp_source *s)
{
	return s->cycles + s->max_seq;
}

uint32_t rtp_source_jitter(const struct rtp_source *s)
{
	return s->jitter >> 4;
}

void rtp_source_sr_received(struct rtp_source *s, uint64_t ntp, uint64_t now_us)
{
	s->lsr = (uint32_t)(ntp >> 16);
	s->lsr_at_us = now_us;
}

void rtp_source_report(struct rtp_source *s, uint64_t now_us,
                       struct rtcp_rb *rb)
{
	uint32_t ext_max = rtp_source_ext_max(s);
	/* A.3: all in 32-bit modular arithmetic, as the counters wrap */
	uint32_t expected = ext_max - s->base_seq + 1;
	int64_t lost = (int64_t)expected - (int64_t)s->received;
	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = s->received - s->received_prior;
	int64_t lost_interval =
		(int64_t)expected_interval - (int64_t)received_interval;

	memset(rb, 0, sizeof(*rb));
	rb->ssrc = s->ssrc;
	if (s->probation) {
		/* nothing counted yet */
		expected = 0;
		lost = 0;
		lost_interval = 0;
	}
	/* §6.4.1: the cumulative number is clamped to 24 bits, signed */
	if (lost > 0x7FFFFF)
		lost = 0x7FFFFF;
	if (lost < -0x800000)
		lost = -0x800000;
	rb->lost = (int32_t)lost;
	s->expected_prior = expected;
	s->received_prior = s->received;
	if (expected_interval == 0 || lost_interval <= 0)
		rb->fraction = 0;
	else if (lost_interval >= expected_interval)
		rb->fraction = 255; /* all lost: 256/256 does not fit */
	else
		rb->fraction = (uint8_t)((lost_interval << 8) /
		                         (int64_t)expected_interval);
	rb->ext_max = s->probation ? 0 : ext_max;
	rb->jitter = rtp_source_jitter(s);
	if (s->lsr_at_us) {
		rb->lsr = s->lsr;
		/* §6.4.1: DLSR in units of 1/65536 s */
		rb->dlsr = now_us > s->lsr_at_us
		                   ? (uint32_t)((now_us - s->lsr_at_us) *
		                                65536 / 1000000)
		                   : 0;
	}
}
