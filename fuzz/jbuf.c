/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tsp_rtp's jitter buffer (providers/media/rtp/jbuf.h) fed
 * packets with any sequence numbers, timestamps, sizes and arrival times
 * from the network, and ticked in between. Properties: a frame given out
 * is one that was put, intact; frames come out in timestamp order until
 * the buffer restarts; the depth wanted and the phase stay in bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz jbuf: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

/* A payload says which packet it is: its seq and timestamp, repeated. */
static size_t payload(uint8_t *p, uint16_t seq, uint32_t ts, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t v = i % 6 < 2 ? (uint32_t)seq : ts;
		unsigned shift = 8 * (unsigned)(i % 6 < 2 ? i % 6 : i % 6 - 2);

		p[i] = (uint8_t)(v >> shift);
	}
	return len;
}

/* Records of 8 bytes: flags (bit 0 marker, bit 1 tick first, bits 2-3
 * how many ticks after, bit 4 a big payload), seq step (signed), ts step
 * (signed, in 40 units), arrival step (ms), payload length, 3 spare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jbuf jb;
	static uint8_t buf[1100 + 255];
	static const struct jbuf_config cfg = {.rate = 8000,
	                                       .frame_us = 20000,
	                                       .min_frames = 1,
	                                       .max_frames = 4};
	uint16_t seq = 0;
	uint32_t ts = 0, last_out = 0, resync = 0;
	uint64_t now = 0;
	bool have_out = false;
	size_t i;

	CHECK(jbuf_init(&jb, &cfg) == 0);
	for (i = 0; i + 8 <= size; i += 8) {
		const uint8_t *r = data + i;
		size_t len = r[4] + (r[0] & 0x10 ? 1100u : 0u), n;
		unsigned ticks = (r[0] >> 2 & 3) + !!(r[0] & 2), t;

		seq = (uint16_t)(seq + (int8_t)r[1]);
		ts += (uint32_t)((int32_t)(int8_t)r[2] * 40);
		now += (uint64_t)r[3] * 1000;
		n = payload(buf, seq, ts, len);
		jbuf_put(&jb, seq, ts, r[0] & 1, buf, n, now);
		CHECK(jbuf_target(&jb) >= cfg.min_frames &&
		      jbuf_target(&jb) <= cfg.max_frames);
		CHECK(jbuf_phase_us(&jb) < cfg.frame_us);
		if (jbuf_stats(&jb)->resync != resync) {
			resync = jbuf_stats(&jb)->resync;
			have_out = false;
		}
		for (t = 0; t < ticks; t++) {
			struct jbuf_frame f;
			enum jbuf_get_result g = jbuf_get(&jb, &f);
			uint8_t want[JBUF_MAX_PAYLOAD];

			if (g == JBUF_EMPTY) {
				have_out = false; /* it may restart */
				continue;
			}
			if (g != JBUF_FRAME) {
				CHECK(g == JBUF_LOST);
				continue;
			}
			CHECK(f.len <= JBUF_MAX_PAYLOAD);
			payload(want, f.seq, f.ts, f.len);
			CHECK(memcmp(want, f.data, f.len) == 0);
			CHECK(!have_out || (int32_t)(f.ts - last_out) > 0);
			last_out = f.ts;
			have_out = true;
		}
	}
	return 0;
}
