/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tsp_rtp's RTP reader (providers/media/rtp/rtp.h), the
 * first code to read a datagram from the network. Properties: what is
 * accepted has lengths adding up to the datagram and is written back the
 * same (padding contents aside); and the input read as a run of sequence
 * numbers keeps a source's counters within RFC 3550 A.1's rules.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp.h"
#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz rtp: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

static void check_packet(const uint8_t *data, size_t size)
{
	static uint8_t out[70000 + 300];
	struct rtp_hdr h, back;
	size_t hdr;
	int n, rc;

	rc = rtp_parse(data, size, &h);
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc)
		return;
	CHECK(size >= RTP_HDR_MIN && data[0] >> 6 == 2);
	CHECK(h.pt < 72 || h.pt > 76);
	hdr = RTP_HDR_MIN + 4u * h.cc + (h.has_ext ? 4 + h.ext_len : 0);
	CHECK(h.payload == data + hdr);
	CHECK(hdr + h.payload_len + h.pad == size);
	CHECK(!h.has_ext || h.ext == data + RTP_HDR_MIN + 4u * h.cc + 4);
	n = rtp_build(&h, h.ext, h.payload, h.payload_len, out, sizeof(out));
	CHECK(n > 0 && (size_t)n == size);
	/* the same bytes, but padding is written as zeros and its count */
	CHECK(memcmp(out, data, size - h.pad) == 0);
	CHECK(!h.pad || out[size - 1] == data[size - 1]);
	CHECK(rtp_parse(out, size, &back) == 0);
	CHECK(back.seq == h.seq && back.ts == h.ts && back.ssrc == h.ssrc &&
	      back.pt == h.pt && back.marker == h.marker &&
	      back.payload_len == h.payload_len && back.pad == h.pad);
	/* one byte less room is refused, not overrun */
	CHECK(rtp_build(&h, h.ext, h.payload, h.payload_len, out, size - 1) ==
	      -ENOSPC);
}

/* Records of 5 bytes: SSRC choice, sequence number, arrival step. */
static void check_source(const uint8_t *data, size_t size)
{
	struct rtp_source s;
	struct rtp_hdr h;
	struct rtcp_rb rb;
	uint32_t arrival = 0, ext_max = 0;
	size_t i;

	memset(&h, 0, sizeof(h));
	rtp_source_init(&s, 1, 0);
	for (i = 0; i + 5 <= size; i += 5) {
		enum rtp_seq_verdict v;
		uint32_t received = s.received, cycles = s.cycles;

		h.ssrc = data[i] & 0x80 ? 2 : 1;
		h.seq = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
		h.ts += 160;
		arrival += (uint32_t)(data[i + 3] << 8 | data[i + 4]);
		v = rtp_source_update(&s, &h, arrival);
		switch (v) {
		case RTP_SEQ_VALID:
			CHECK(s.received == received + 1);
			CHECK(s.cycles == cycles || s.cycles == cycles + 65536);
			/* the extended maximum never goes back */
			CHECK(rtp_source_ext_max(&s) >= ext_max ||
			      ext_max - rtp_source_ext_max(&s) >= 0x80000000u);
			break;
		case RTP_SEQ_RESTART:
			CHECK(s.received == 1 && s.base_seq == h.seq);
			break;
		case RTP_SEQ_PROBATION:
		case RTP_SEQ_BAD:
			CHECK(s.received == received);
			break;
		case RTP_SEQ_NEW_SSRC:
			CHECK(s.ssrc == h.ssrc && s.probation);
			break;
		default:
			fail("verdict");
		}
		if (!s.probation)
			ext_max = rtp_source_ext_max(&s);
		else
			ext_max = 0;
		if (data[i] & 0x40) {
			rtp_source_report(&s, i, &rb);
			CHECK(rb.lost >= -0x800000 && rb.lost <= 0x7FFFFF);
			CHECK(rb.ssrc == s.ssrc);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_packet(data, size);
	check_source(data, size);
	return 0;
}
