/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tsp_rtp's RFC 4733 receiver (providers/media/rtp/tevent.h)
 * on a run of packets from the network, and its sender on parameters from
 * the input. Properties: every event that starts ends exactly once, and
 * none ends that did not start; a sent event is one start and one end,
 * its end three times, its timestamp the same throughout.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz tevent: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

/* The notes must alternate START, END, START, ... for the same event. */
static void check_notes(const struct tevent_notes *n, bool *open,
                        uint8_t *event)
{
	unsigned i;

	CHECK(n->n <= 3);
	for (i = 0; i < n->n; i++) {
		if (n->note[i].kind == TEVENT_START) {
			CHECK(!*open);
			*open = true;
			*event = n->note[i].event;
		} else {
			CHECK(n->note[i].kind == TEVENT_END);
			CHECK(*open && n->note[i].event == *event);
			*open = false;
		}
	}
}

/* Records of 7 bytes: flags (marker; a payload length other than 4),
 * a timestamp step (signed), the 4-byte payload. */
static void check_receiver(const uint8_t *data, size_t size)
{
	struct tevent_rx r;
	struct tevent_notes n;
	uint32_t ts = 0;
	bool open = false;
	uint8_t event = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i + 7 <= size; i += 7) {
		size_t len = data[i] & 2 ? data[i] >> 5 : 4;
		int rc;

		ts += (uint32_t)(int32_t)(int8_t)data[i + 1] * 80;
		rc = tevent_rx_input(&r, data[i] & 1, ts, data + i + 3, len,
		                     &n);
		CHECK(rc == 0 || (rc == -EINVAL && len != 4));
		if (rc == 0)
			check_notes(&n, &open, &event);
	}
	tevent_rx_flush(&r, &n);
	check_notes(&n, &open, &event);
	CHECK(!open);
}

static void check_sender(const uint8_t *data, size_t size)
{
	struct tevent_tx t;
	struct tevent_rx r;
	struct tevent_pkt pkt;
	struct tevent_notes n;
	uint32_t length, step, ts, packets = 0, ends = 0, last = 0;
	unsigned starts = 0, stop_after;
	bool open = false;
	uint8_t event = 0;

	if (size < 8)
		return;
	length = (uint32_t)(data[1] << 8 | data[2]);
	step = (uint32_t)data[3] + 1;
	ts = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
	     (uint32_t)data[6] << 8 | data[7];
	stop_after = data[0] & 0x3F;
	if (tevent_tx_start(&t, data[0], data[0] & 0x3F, ts, length) != 0) {
		CHECK(length == 0);
		return;
	}
	memset(&r, 0, sizeof(r));
	while (tevent_tx_next(&t, step, &pkt) == 1) {
		struct tevent_payload p;

		CHECK(packets < 0xFFFF + 4);
		CHECK(pkt.ts == ts && pkt.marker == (packets == 0));
		CHECK(tevent_parse(pkt.payload, 4, &p) == 0);
		CHECK(p.event == data[0] && p.duration >= last);
		CHECK(p.duration <= length);
		CHECK(!ends || (p.end && p.duration == last));
		ends += p.end;
		last = p.duration;
		CHECK(tevent_rx_input(&r, pkt.marker, pkt.ts, pkt.payload, 4,
		                      &n) == 0);
		check_notes(&n, &open, &event);
		starts += n.n && n.note[0].kind == TEVENT_START;
		if (++packets == stop_after)
			tevent_tx_stop(&t);
	}
	CHECK(ends == TEVENT_END_PACKETS);
	CHECK(starts == 1 && !open);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_receiver(data, size);
	check_sender(data, size);
	return 0;
}
