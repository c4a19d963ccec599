/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RTCP compound packets (RFC 3550 §6.1, §6.4, §6.5, §6.6, A.2).
 */
#include <errno.h>
#include <string.h>

#include "be.h"
#include "rtcp.h"

#define RB_SIZE     24
#define SENDER_SIZE 20

static void read_rb(const uint8_t *p, struct rtcp_rb *rb)
{
	uint32_t lost = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];

	rb->ssrc = be_get32(p);
	rb->fraction = p[4];
	/* 24-bit two's complement */
	rb->lost = (int32_t)(lost & 0x800000 ? lost | 0xFF000000u : lost);
	rb->ext_max = be_get32(p + 8);
	rb->jitter = be_get32(p + 12);
	rb->lsr = be_get32(p + 16);
	rb->dlsr = be_get32(p + 20);
}

/* An SR or RR of @len bytes after its 4-byte header (§6.4.1, §6.4.2). */
static int read_report(const uint8_t *p, size_t len, uint8_t type,
                       uint8_t count, bool first, struct rtcp_report *r)
{
	size_t need = 4 + (type == RTCP_SR ? SENDER_SIZE : 0) +
	              (size_t)count * RB_SIZE;
	unsigned i;

	/* what follows the blocks is a profile's extension: skipped */
	if (len < need)
		return -EINVAL;
	if (first) {
		r->ssrc = be_get32(p);
		r->has_sr = type == RTCP_SR;
		if (r->has_sr) {
			r->sr.ntp = (uint64_t)be_get32(p + 4) << 32 |
			            be_get32(p + 8);
			r->sr.rtp_ts = be_get32(p + 12);
			r->sr.packets = be_get32(p + 16);
			r->sr.octets = be_get32(p + 20);
		}
	}
	p += 4 + (type == RTCP_SR ? SENDER_SIZE : 0);
	for (i = 0; i < count; i++, p += RB_SIZE)
		if (r->nrb < RTCP_MAX_RB)
			read_rb(p, &r->rb[r->nrb++]);
	return 0;
}

/* SDES (§6.5): @count chunks, each an SSRC and items up to a null item,
 * then zeros to the next 32-bit boundary. */
static int read_sdes(const uint8_t *p, size_t len, uint8_t count,
                     struct rtcp_report *r)
{
	size_t off = 0;
	unsigned i;

	for (i = 0; i < count; i++) {
		uint32_t ssrc;

		if (len - off < 4)
			return -EINVAL;
		ssrc = be_get32(p + off);
		off += 4;
		for (;;) {
			uint8_t type, n;

			if (off >= len)
				return -EINVAL;
			type = p[off];
			if (type == 0) {
				/* the null item, and the padding to 4 */
				off = (off + 4) & ~(size_t)3;
				if (off > len)
					return -EINVAL;
				break;
			}
			if (len - off < 2 || len - off - 2 < p[off + 1])
				return -EINVAL;
			n = p[off + 1];
			if (type == RTCP_SDES_CNAME && ssrc == r->ssrc &&
			    !r->has_cname) {
				r->has_cname = true;
				r->cname_len = n;
				memcpy(r->cname, p + off + 2, n);
				r->cname[n] = '\0';
			}
			off += 2u + n;
		}
	}
	return 0;
}

/* BYE (§6.6): @count SSRCs, then optionally a length and a reason. */
static int read_bye(const uint8_t *p, size_t len, uint8_t count,
                    struct rtcp_report *r)
{
	size_t off = 4u * count;
	unsigned i;

	if (len < off)
		return -EINVAL;
	if (len > off && len - off - 1 < p[off])
		return -EINVAL;
	if (r->bye)
		return 0; /* the first is kept */
	r->bye = true;
	r->nbye = count;
	for (i = 0; i < count; i++)
		r->bye_ssrc[i] = be_get32(p + 4 * i);
	if (len > off) {
		r->reason_len = p[off];
		memcpy(r->reason, p + off + 1, r->reason_len);
	}
	r->reason[r->reason_len] = '\0';
	return 0;
}

int rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_report *out)
{
	struct rtcp_report r;
	size_t off = 0;
	bool first = true;
	int rc;

	memset(&r, 0, sizeof(r));
	if (len < 4)
		return -EINVAL;
	while (off < len) {
		const uint8_t *p = buf + off;
		size_t plen, body;
		uint8_t type, count;

		if (len - off < 4 || p[0] >> 6 != 2)
			return -EINVAL;
		count = p[0] & 0x1F;
		type = p[1];
		plen = 4 * ((size_t)(p[2] << 8 | p[3]) + 1);
		if (len - off < plen)
			return -EINVAL;
		body = plen - 4;
		if (p[0] & 0x20) {
			/* A.2: only the last packet may be padded; its last
			 * octet counts the padding, itself included */
			if (off + plen != len || p[plen - 1] == 0 ||
			    p[plen - 1] > body)
				return -EINVAL;
			body -= p[plen - 1];
		}
		/* A.2: the first packet is an SR or RR */
		if (first && type != RTCP_SR && type != RTCP_RR)
			return -EINVAL;
		switch (type) {
		case RTCP_SR:
		case RTCP_RR:
			rc = read_report(p + 4, body, type, count, first, &r);
			break;
		case RTCP_SDES:
			rc = read_sdes(p + 4, body, count, &r);
			break;
		case RTCP_BYE:
			rc = read_bye(p + 4, body, count, &r);
			break;
		default:
			/* APP, feedback, XR, ...: not ours to read */
			r.nskipped++;
			rc = 0;
			break;
		}
		if (rc)
			return rc;
		first = false;
		off += plen;
	}
	*out = r;
	return 0;
}

static void write_header(uint8_t *p, uint8_t count, uint8_t type, size_t len)
{
	p[0] = (uint8_t)(2 << 6 | count);
	p[1] = type;
	be_put16(p + 2, (uint16_t)(len / 4 - 1));
}

int rtcp_build(const struct rtcp_report *r, uint8_t *buf, size_t size)
{
	size_t off = 0, n, chunk, bye;
	unsigned i;

	if (r->nrb > RTCP_MAX_RB || r->nbye > RTCP_MAX_BYE)
		return -EINVAL;
	/* the SR or RR */
	n = 8 + (r->has_sr ? SENDER_SIZE : 0) + (size_t)r->nrb * RB_SIZE;
	chunk = (4 + 2 + (size_t)r->cname_len + 1 + 3) & ~(size_t)3;
	bye = (4 + 4 * (size_t)r->nbye +
	       (r->reason_len ? 1 + (size_t)r->reason_len : 0) + 3) &
	      ~(size_t)3;
	if (size < n + (r->has_cname ? 4 + chunk : 0) + (r->bye ? bye : 0))
		return -ENOSPC;
	memset(buf, 0, n);
	write_header(buf, r->nrb, r->has_sr ? RTCP_SR : RTCP_RR, n);
	be_put32(buf + 4, r->ssrc);
	off = 8;
	if (r->has_sr) {
		be_put32(buf + 8, (uint32_t)(r->sr.ntp >> 32));
		be_put32(buf + 12, (uint32_t)r->sr.ntp);
		be_put32(buf + 16, r->sr.rtp_ts);
		be_put32(buf + 20, r->sr.packets);
		be_put32(buf + 24, r->sr.octets);
		off += SENDER_SIZE;
	}
	for (i = 0; i < r->nrb; i++, off += RB_SIZE) {
		const struct rtcp_rb *rb = &r->rb[i];
		uint32_t lost = (uint32_t)rb->lost & 0xFFFFFF;

		be_put32(buf + off, rb->ssrc);
		be_put32(buf + off + 4, (uint32_t)rb->fraction << 24 | lost);
		be_put32(buf + off + 8, rb->ext_max);
		be_put32(buf + off + 12, rb->jitter);
		be_put32(buf + off + 16, rb->lsr);
		be_put32(buf + off + 20, rb->dlsr);
	}
	if (r->has_cname) {
		/* §6.5: SDES with one chunk, CNAME and the null item */
		uint8_t *p = buf + off;

		memset(p, 0, 4 + chunk);
		write_header(p, 1, RTCP_SDES, 4 + chunk);
		be_put32(p + 4, r->ssrc);
		p[8] = RTCP_SDES_CNAME;
		p[9] = r->cname_len;
		memcpy(p + 10, r->cname, r->cname_len);
		off += 4 + chunk;
	}
	if (r->bye) {
		uint8_t *p = buf + off;

		memset(p, 0, bye);
		write_header(p, r->nbye, RTCP_BYE, bye);
		for (i = 0; i < r->nbye; i++)
			be_put32(p + 4 + 4 * i, r->bye_ssrc[i]);
		if (r->reason_len) {
			p[4 + 4 * r->nbye] = r->reason_len;
			memcpy(p + 5 + 4 * r->nbye, r->reason, r->reason_len);
		}
		off += bye;
	}
	return (int)off;
}

uint64_t rtcp_ntp_from_us(uint64_t unix_us)
{
	/* RFC 868: 2208988800 seconds from 1900 to 1970 */
	uint64_t sec = unix_us / 1000000 + 2208988800u;
	uint64_t frac = ((unix_us % 1000000) << 32) / 1000000;

	return sec << 32 | frac;
}
