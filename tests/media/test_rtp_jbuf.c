/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's jitter buffer (providers/media/rtp/jbuf.h) on a fake clock:
 * frames out in order under reordering, loss, duplicates and late
 * packets, the depth following the jitter within bounds, and the phase
 * at which a call's ticks keep the added latency small (docs/media.md).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jbuf.h"

#define FRAME_US 20000
#define FRAME_TS 160

static const struct jbuf_config cfg8k = {
	.rate = 8000, .frame_us = FRAME_US, .min_frames = 1, .max_frames = 5};

/* Packet @k: timestamp 160 k, payload its number. */
static enum jbuf_put_result put(struct jbuf *jb, unsigned k, bool marker,
                                uint64_t now_us)
{
	uint8_t p[2] = {(uint8_t)(k >> 8), (uint8_t)k};

	return jbuf_put(jb, (uint16_t)k, (uint32_t)(FRAME_TS * k), marker, p,
	                sizeof(p), now_us);
}

static void expect_frame(struct jbuf *jb, unsigned k)
{
	struct jbuf_frame f;

	assert_int_equal(jbuf_get(jb, &f), JBUF_FRAME);
	assert_int_equal(f.ts, FRAME_TS * k);
	assert_int_equal(f.seq, (uint16_t)k);
	assert_int_equal(f.len, 2);
	assert_int_equal(f.data[0] << 8 | f.data[1], k);
}

static void expect(struct jbuf *jb, enum jbuf_get_result want)
{
	struct jbuf_frame f;

	assert_int_equal(jbuf_get(jb, &f), want);
}

static void test_jbuf_config_checked(void **state)
{
	struct jbuf jb;
	struct jbuf_config c = cfg8k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &c), 0);
	c.min_frames = 0;
	assert_int_equal(jbuf_init(&jb, &c), -EINVAL);
	c = cfg8k;
	c.max_frames = JBUF_SLOTS / 2 + 1;
	assert_int_equal(jbuf_init(&jb, &c), -EINVAL);
	c = cfg8k;
	c.frame_us = 20001; /* not a whole number of 1/8000 s */
	assert_int_equal(jbuf_init(&jb, &c), -EINVAL);
	c = cfg8k;
	c.rate = 0;
	assert_int_equal(jbuf_init(&jb, &c), -EINVAL);
}

/* Steady packets 5 ms in transit, ticks at the phase the buffer asks
 * for: every frame played in order at the first tick after it arrived,
 * 1 ms later, nothing lost; the phase is the arrival's plus 1 ms. */
static void test_jbuf_phase_and_latency(void **state)
{
	const uint64_t t0 = 123456789; /* any origin */
	struct jbuf jb;
	uint64_t tick = 0;
	unsigned k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	assert_int_equal(jbuf_phase_us(&jb), 0);
	for (k = 0; k < 200; k++) {
		uint64_t arrival = t0 + (uint64_t)k * FRAME_US + 5000;

		assert_int_equal(put(&jb, k, k == 0, arrival), JBUF_PUT_OK);
		/* the next tick at the phase asked for */
		tick = arrival - arrival % FRAME_US + jbuf_phase_us(&jb);
		if (tick < arrival)
			tick += FRAME_US;
		assert_true(tick - arrival <= 40000);
		expect_frame(&jb, k);
	}
	assert_int_equal(jbuf_phase_us(&jb), (t0 + 5000 + 1000) % FRAME_US);
	assert_int_equal(tick - (t0 + 199ull * FRAME_US + 5000), 1000);
	assert_int_equal(jbuf_stats(&jb)->played, 200);
	assert_int_equal(jbuf_stats(&jb)->lost, 0);
	assert_int_equal(jbuf_target(&jb), 1);
}

/* A stray packet with a timestamp far off (a flood, a sender's jump)
 * does not leave the playout phase off: the transit is measured again
 * after a jump, so once the stream goes on the phase is again its
 * arrival's plus 1 ms (found by test_media_rtp_flood: the least transit
 * crept back at 40 µs a packet, and the slot sat before the packets). */
static void test_jbuf_stray_timestamp_keeps_phase(void **state)
{
	const uint64_t t0 = 987654321;
	struct jbuf jb;
	uint8_t p[2] = {0, 0};
	unsigned k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	for (k = 0; k < 20; k++)
		put(&jb, k, k == 0, t0 + (uint64_t)k * FRAME_US + 5000);
	assert_int_equal(jbuf_phase_us(&jb), (t0 + 5000 + 1000) % FRAME_US);
	/* 1,000,000 frames ahead, arriving with packet 20 */
	jbuf_put(&jb, 5000, FRAME_TS * 1000000u, false, p, sizeof(p),
	         t0 + 20ull * FRAME_US + 5000);
	for (k = 21; k < 25; k++)
		put(&jb, k, false, t0 + (uint64_t)k * FRAME_US + 5000);
	assert_int_equal(jbuf_phase_us(&jb), (t0 + 5000 + 1000) % FRAME_US);
}

/* A packet JBUF_SLOTS frames or more behind the frame due is a jump of
 * the sender's, not a late packet: the buffer starts again from it, both
 * while playing (else the stream would be dropped as late until the
 * buffer ran dry) and while filling (else the start would move back so
 * far that what is held lay beyond any depth, a frame lost a tick for
 * ever: found by test_media_rtp_flood). */
static void test_jbuf_jump_back_restarts(void **state)
{
	struct jbuf jb;
	unsigned k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	for (k = 1000; k < 1005; k++) {
		put(&jb, k, k == 1000, (uint64_t)k * FRAME_US);
		expect_frame(&jb, k);
	}
	/* playing: 10 is far behind 1005 */
	assert_int_equal(put(&jb, 10, true, 1005ull * FRAME_US), JBUF_PUT_OK);
	assert_int_equal(jbuf_stats(&jb)->resync, 1);
	expect_frame(&jb, 10);
	put(&jb, 11, false, 1006ull * FRAME_US);
	expect_frame(&jb, 11);
	/* filling (a target of two): 5000, then 20 far behind it */
	assert_int_equal(
		jbuf_init(&jb, &(struct jbuf_config){.rate = 8000,
	                                             .frame_us = FRAME_US,
	                                             .min_frames = 2,
	                                             .max_frames = 5}),
		0);
	put(&jb, 5000, true, 0);
	put(&jb, 20, false, FRAME_US);
	put(&jb, 21, false, 2 * FRAME_US);
	expect_frame(&jb, 20);
	expect_frame(&jb, 21);
	assert_int_equal(jbuf_stats(&jb)->lost, 0);
}

/* jbuf_due: the frame due is held with the target depth, so a caller
 * may play it on arrival rather than at its next tick (media.c plays a
 * frame when it comes and conceals at the tick: docs/media.md). Not
 * before the first packet, not for a packet ahead of a gap, not while
 * the depth is below its target, and yes again once the gap's frame is
 * reported lost. */
static void test_jbuf_due(void **state)
{
	struct jbuf jb;
	struct jbuf_config deep = cfg8k;
	unsigned k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	assert_false(jbuf_due(&jb));
	for (k = 0; k < 5; k++) {
		put(&jb, k, k == 0, (uint64_t)k * FRAME_US);
		assert_true(jbuf_due(&jb));
		expect_frame(&jb, k);
		assert_false(jbuf_due(&jb)); /* nothing held */
	}
	/* 5 is lost: 6 is held but not due, until 5's tick says lost */
	put(&jb, 6, false, 6ull * FRAME_US);
	assert_false(jbuf_due(&jb));
	expect(&jb, JBUF_LOST);
	assert_true(jbuf_due(&jb));
	expect_frame(&jb, 6);
	/* a target of two frames: one held is not enough */
	deep.min_frames = 2;
	assert_int_equal(jbuf_init(&jb, &deep), 0);
	put(&jb, 0, true, 0);
	assert_false(jbuf_due(&jb));
	put(&jb, 1, false, FRAME_US);
	assert_true(jbuf_due(&jb));
	expect_frame(&jb, 0);
	assert_false(jbuf_due(&jb)); /* depth 1 below the target */
}

/* Packets out of order within the depth (max_frames) come out in order. */
static void test_jbuf_reordering(void **state)
{
	static const unsigned order[] = {0, 2, 1, 4, 3};
	struct jbuf jb;
	unsigned i;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(put(&jb, order[i], false, 1000 * i),
		                 JBUF_PUT_OK);
	for (i = 0; i < 5; i++)
		expect_frame(&jb, i);
	assert_int_equal(jbuf_stats(&jb)->lost, 0);
	/* a packet reordered before the first: playing starts from it */
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	put(&jb, 11, false, 0);
	put(&jb, 10, false, 100);
	expect_frame(&jb, 10);
	expect_frame(&jb, 11);
}

/* A duplicate of a held packet is dropped; one of a played packet is
 * late. */
static void test_jbuf_duplicates(void **state)
{
	struct jbuf jb;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	assert_int_equal(put(&jb, 0, false, 0), JBUF_PUT_OK);
	assert_int_equal(put(&jb, 1, false, 10), JBUF_PUT_OK);
	assert_int_equal(put(&jb, 1, false, 20), JBUF_PUT_DUP);
	assert_int_equal(put(&jb, 2, false, 30), JBUF_PUT_OK);
	expect_frame(&jb, 0);
	expect_frame(&jb, 1);
	assert_int_equal(put(&jb, 1, false, 40), JBUF_PUT_LATE);
	expect_frame(&jb, 2);
	assert_int_equal(jbuf_stats(&jb)->dup, 1);
	assert_int_equal(jbuf_stats(&jb)->late, 1);
	assert_int_equal(jbuf_stats(&jb)->played, 3);
}

/* A missing packet is reported lost once, in its place, and dropped as
 * late if it comes after all. */
static void test_jbuf_loss_and_late(void **state)
{
	struct jbuf jb;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	put(&jb, 0, false, 0);
	put(&jb, 1, false, 1);
	put(&jb, 3, false, 2);
	put(&jb, 4, false, 3);
	expect_frame(&jb, 0);
	expect_frame(&jb, 1);
	expect(&jb, JBUF_LOST);
	assert_int_equal(put(&jb, 2, false, 4), JBUF_PUT_LATE);
	expect_frame(&jb, 3);
	expect_frame(&jb, 4);
	assert_int_equal(jbuf_stats(&jb)->lost, 1);
	assert_int_equal(jbuf_stats(&jb)->late, 1);
	/* a payload over the limit is refused */
	{
		static uint8_t big[JBUF_MAX_PAYLOAD + 1];

		assert_int_equal(jbuf_put(&jb, 5, 5 * FRAME_TS, false, big,
		                          sizeof(big), 5),
		                 JBUF_PUT_TOOBIG);
	}
}

/* A packet late for its tick: concealed once, then played at the next
 * tick rather than dropped (the depth grew by a frame); the depth comes
 * back down by one dropped frame after JBUF_SHRINK_AFTER ticks. */
static void test_jbuf_grows_then_shrinks(void **state)
{
	struct jbuf jb;
	unsigned k, played = 0, lost = 0;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	for (k = 0; k < 10; k++) {
		put(&jb, k, false, (uint64_t)k * FRAME_US);
		expect_frame(&jb, k);
	}
	/* packet 10 comes 15 ms after its tick */
	expect(&jb, JBUF_LOST);
	put(&jb, 10, false, 10ull * FRAME_US + 15000);
	for (k = 11; k < 11 + JBUF_SHRINK_AFTER + 10; k++) {
		struct jbuf_frame f;
		enum jbuf_get_result r;

		put(&jb, k, false, (uint64_t)k * FRAME_US);
		r = jbuf_get(&jb, &f);
		played += r == JBUF_FRAME;
		lost += r == JBUF_LOST;
	}
	/* every packet but the one dropped to shrink was played */
	assert_int_equal(jbuf_stats(&jb)->late, 0);
	assert_int_equal(jbuf_stats(&jb)->shrunk, 1);
	assert_int_equal(lost, 0);
	assert_int_equal(played, JBUF_SHRINK_AFTER + 10);
	assert_int_equal(jbuf_stats(&jb)->played, 10 + played);
}

/* Starved for several frames at once (the thread did not run): the depth
 * grows by as many, then comes back down sooner the deeper it is
 * (JBUF_SHRINK_AFTER / k ticks while k frames too deep), not a frame per
 * JBUF_SHRINK_AFTER ticks; nothing is dropped as late. */
static void test_jbuf_deep_shrinks_sooner(void **state)
{
	struct jbuf jb;
	unsigned k, ticks = 0;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	for (k = 0; k < 10; k++) {
		put(&jb, k, false, (uint64_t)k * FRAME_US);
		expect_frame(&jb, k);
	}
	/* four ticks with nothing, then packets 10..13 at once, late */
	for (k = 0; k < 4; k++)
		expect(&jb, JBUF_LOST);
	for (k = 10; k < 14; k++)
		put(&jb, k, false, 14ull * FRAME_US);
	/* steady from then on: each tick one packet comes, one is played */
	for (k = 14; jbuf_stats(&jb)->shrunk < 4 && k < 14 + 200; k++) {
		struct jbuf_frame f;

		put(&jb, k, false, (uint64_t)k * FRAME_US);
		(void)jbuf_get(&jb, &f);
		ticks++;
	}
	assert_int_equal(jbuf_stats(&jb)->shrunk, 4);
	/* a frame per JBUF_SHRINK_AFTER ticks would take 4 times that;
	 * sooner the deeper: 1/4 + 1/3 + 1/2 + 1 of it (about 2.1 times) */
	assert_true(ticks < 3 * JBUF_SHRINK_AFTER);
	assert_int_equal(jbuf_stats(&jb)->late, 0);
}

/* RFC 3550 A.8's D as a peak: 50 ms of jitter wants two frames more;
 * 200 ms no more than max_frames; after steady packets, min_frames. */
static void test_jbuf_adapts_within_bounds(void **state)
{
	struct jbuf jb;
	unsigned k;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	put(&jb, 0, false, 0);
	put(&jb, 1, false, 1ull * FRAME_US + 50000);
	assert_int_equal(jbuf_target(&jb), 3);
	put(&jb, 2, false, 2ull * FRAME_US + 50000 + 90000);
	assert_int_equal(jbuf_target(&jb), 5);
	for (k = 3; k < 60; k++)
		put(&jb, k, false, (uint64_t)k * FRAME_US + 140000);
	assert_int_equal(jbuf_target(&jb), 1);
	/* a pause of a second is not jitter */
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	put(&jb, 0, false, 0);
	put(&jb, 1, false, 1000000);
	assert_int_equal(jbuf_target(&jb), 1);
}

/* The sender stops: concealment for max_frames ticks, then silence; a
 * talk spurt (marker) starts playing again from its packet; a jump far
 * ahead restarts from it. */
static void test_jbuf_stop_spurt_resync(void **state)
{
	struct jbuf jb;
	unsigned i;

	(void)state;
	assert_int_equal(jbuf_init(&jb, &cfg8k), 0);
	put(&jb, 0, true, 0);
	expect_frame(&jb, 0);
	for (i = 0; i < cfg8k.max_frames; i++)
		expect(&jb, JBUF_LOST);
	expect(&jb, JBUF_EMPTY);
	expect(&jb, JBUF_EMPTY);
	put(&jb, 40, true, 800000);
	expect_frame(&jb, 40);
	/* a short gap before a marked packet is silence, not loss */
	put(&jb, 41, false, 820000);
	put(&jb, 45, true, 900000);
	expect_frame(&jb, 41);
	expect_frame(&jb, 45);
	assert_int_equal(jbuf_stats(&jb)->lost, cfg8k.max_frames);
	/* far ahead: restart from it */
	put(&jb, 46, false, 920000);
	assert_int_equal(put(&jb, 46 + 1000, false, 940000), JBUF_PUT_OK);
	assert_int_equal(jbuf_stats(&jb)->resync, 1);
	expect_frame(&jb, 46 + 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jbuf_config_checked),
		cmocka_unit_test(test_jbuf_phase_and_latency),
		cmocka_unit_test(test_jbuf_due),
		cmocka_unit_test(test_jbuf_jump_back_restarts),
		cmocka_unit_test(test_jbuf_stray_timestamp_keeps_phase),
		cmocka_unit_test(test_jbuf_reordering),
		cmocka_unit_test(test_jbuf_duplicates),
		cmocka_unit_test(test_jbuf_loss_and_late),
		cmocka_unit_test(test_jbuf_grows_then_shrinks),
		cmocka_unit_test(test_jbuf_deep_shrinks_sooner),
		cmocka_unit_test(test_jbuf_adapts_within_bounds),
		cmocka_unit_test(test_jbuf_stop_spurt_resync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
