/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's codecs (providers/media/rtp/codec.h): a sine through each
 * encoder and decoder comes out at its frequency, measured with
 * spandsp's Goertzel filter against frequencies beside it (not by byte
 * count), and loss concealment carries the tone over a lost frame.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <spandsp.h>

#include "codec.h"

#define MAX_SAMPLES 960

static void sine(int16_t *pcm, size_t n, double freq, unsigned rate,
                 size_t *phase)
{
	size_t i;

	for (i = 0; i < n; i++, (*phase)++)
		pcm[i] = (int16_t)(8000 * sin(2 * M_PI * freq * (double)*phase /
		                              rate));
}

/* The energy of @pcm at @freq (spandsp's Goertzel filter). */
static double energy(const int16_t *pcm, size_t n, double freq, unsigned rate)
{
	goertzel_descriptor_t d;
	goertzel_state_t s;

	/* the descriptor assumes 8 kHz: scale the frequency */
	make_goertzel_descriptor(&d, (float)(freq * 8000.0 / rate), (int)n);
	goertzel_init(&s, &d);
	goertzel_update(&s, pcm, (int)n);
	return goertzel_result(&s);
}

/* @freq dominates @pcm: 20 times the energy at each of two others. */
static void assert_tone(const int16_t *pcm, size_t n, double freq,
                        unsigned rate)
{
	double at = energy(pcm, n, freq, rate);

	assert_true(at > 1e3);
	assert_true(at > 20 * energy(pcm, n, freq * 0.6, rate));
	assert_true(at > 20 * energy(pcm, n, freq * 1.5, rate));
}

/* Encodes and decodes @frames frames of a @freq sine; checks the tone in
 * the last decoded frame (codecs with a look-ahead start late). */
static void round_trip(enum codec_id id, unsigned rate, double freq,
                       size_t frame, size_t expect_bytes)
{
	struct codec *c;
	int16_t in[MAX_SAMPLES], out[MAX_SAMPLES];
	uint8_t pkt[1500];
	size_t phase = 0;
	int i, n, m;

	assert_int_equal(codec_alloc(&c, id, rate), 0);
	assert_int_equal(codec_pcm_rate(c), rate);
	for (i = 0; i < 10; i++) {
		sine(in, frame, freq, rate, &phase);
		n = codec_encode(c, in, frame, pkt, sizeof(pkt));
		assert_true(n > 0);
		if (expect_bytes)
			assert_int_equal(n, expect_bytes);
		m = codec_decode(c, pkt, (size_t)n, out, MAX_SAMPLES);
		assert_int_equal(m, frame);
	}
	assert_tone(out, frame, freq, rate);
	codec_free(c);
}

/* RFC 3551 §4.5.14: G.711 is one byte a sample at 8 kHz; a 1 kHz tone
 * survives µ-law and A-law. */
static void test_codec_g711_sine(void **state)
{
	(void)state;
	round_trip(CODEC_PCMU, 8000, 1000, 160, 160);
	round_trip(CODEC_PCMA, 8000, 1000, 160, 160);
	round_trip(CODEC_PCMU, 8000, 697, 160, 160);
}

/* RFC 3551 §4.5.2: G.722 is 4 bits a sample at 16 kHz, and carries what
 * 8 kHz cannot: a 6 kHz tone. */
static void test_codec_g722_wideband(void **state)
{
	(void)state;
	round_trip(CODEC_G722, 16000, 1000, 320, 160);
	round_trip(CODEC_G722, 16000, 6000, 320, 160);
	round_trip(CODEC_G722, 8000, 1000, 160, 160);
}

/* RFC 7587: Opus at 16 and 8 kHz (docs/media.md), 20 ms frames. */
static void test_codec_opus(void **state)
{
	struct codec *c;
	int16_t in[MAX_SAMPLES];
	uint8_t pkt[8];
	size_t phase = 0;

	(void)state;
	round_trip(CODEC_OPUS, 16000, 1000, 320, 0);
	round_trip(CODEC_OPUS, 16000, 5000, 320, 0);
	round_trip(CODEC_OPUS, 8000, 1000, 160, 0);
	assert_int_equal(codec_alloc(&c, CODEC_OPUS, 16000), 0);
	assert_int_equal(codec_clock_rate(c), 48000);
	sine(in, 320, 1000, 16000, &phase);
	/* 7 ms is not an Opus frame */
	assert_int_equal(codec_encode(c, in, 112, pkt, sizeof(pkt)), -EINVAL);
	/* a payload Opus refuses */
	assert_int_equal(codec_decode(c, (const uint8_t *)"\xff\xff\xff", 3, in,
	                              MAX_SAMPLES),
	                 -EINVAL);
	codec_free(c);
}

static void test_codec_rates_checked(void **state)
{
	struct codec *c = NULL;

	(void)state;
	assert_int_equal(codec_alloc(&c, CODEC_PCMU, 16000), -EINVAL);
	assert_int_equal(codec_alloc(&c, CODEC_OPUS, 48000), -EINVAL);
	assert_null(c);
	assert_int_equal(codec_alloc(&c, CODEC_G722, 16000), 0);
	assert_int_equal(codec_clock_rate(c), 8000);
	codec_free(c);
}

/* A lost G.711 frame is filled by spandsp's concealment from the last
 * pitch period: the tone goes on through it, where silence would not. */
static void test_codec_g711_concealment(void **state)
{
	struct codec *c;
	int16_t in[160], out[160];
	uint8_t pkt[160];
	size_t phase = 0;
	int i, n;

	(void)state;
	assert_int_equal(codec_alloc(&c, CODEC_PCMA, 8000), 0);
	for (i = 0; i < 5; i++) {
		sine(in, 160, 500, 8000, &phase);
		n = codec_encode(c, in, 160, pkt, sizeof(pkt));
		assert_int_equal(codec_decode(c, pkt, (size_t)n, out, 160),
		                 160);
	}
	memset(out, 0, sizeof(out));
	assert_int_equal(codec_conceal(c, out, 160), 160);
	assert_tone(out, 160, 500, 8000);
	codec_free(c);
}

/* Every other frame lost from the start: each concealed frame still
 * carries the tone. (This is the path where spandsp copies overlapping
 * history, docs/media.md: under ASan it runs with the suppression.) */
static void test_codec_g711_alternate_loss(void **state)
{
	struct codec *c;
	int16_t in[160], out[160];
	uint8_t pkt[160];
	size_t phase = 0;
	int i, n;

	(void)state;
	assert_int_equal(codec_alloc(&c, CODEC_PCMU, 8000), 0);
	for (i = 0; i < 8; i++) {
		sine(in, 160, 500, 8000, &phase);
		if (i % 2 == 0) {
			n = codec_encode(c, in, 160, pkt, sizeof(pkt));
			assert_int_equal(
				codec_decode(c, pkt, (size_t)n, out, 160), 160);
			continue;
		}
		memset(out, 0, sizeof(out));
		assert_int_equal(codec_conceal(c, out, 160), 160);
		assert_tone(out, 160, 500, 8000);
	}
	codec_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_g711_sine),
		cmocka_unit_test(test_codec_g722_wideband),
		cmocka_unit_test(test_codec_opus),
		cmocka_unit_test(test_codec_rates_checked),
		cmocka_unit_test(test_codec_g711_concealment),
		cmocka_unit_test(test_codec_g711_alternate_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
