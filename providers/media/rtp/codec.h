/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audio codecs of a call behind one small interface (docs/media.md):
 * G.711 µ-law and A-law and G.722 from spandsp, Opus from libopus, and
 * packet loss concealment (spandsp's for G.711, Opus's own).
 *
 * Part of tsp_rtp: standard headers only here (spandsp and libopus stay
 * in codec.c). One thread uses a codec at a time; nothing locks.
 */
#ifndef TAPIX_CODEC_H
#define TAPIX_CODEC_H

#include <stddef.h>
#include <stdint.h>

enum codec_id {
	CODEC_PCMU, /* G.711 µ-law, RTP payload type 0 (RFC 3551) */
	CODEC_PCMA, /* G.711 A-law, payload type 8 */
	CODEC_G722, /* G.722 at 64 kbit/s, payload type 9 */
	CODEC_OPUS, /* Opus, mono (RFC 7587), a dynamic payload type */
};

struct codec;

/**
 * Makes an encoder and decoder pair.
 *
 * @param out       the codec, set on success only; codec_free it
 * @param id        which
 * @param pcm_rate  the rate of the audio in and out, Hz: 8000 for G.711;
 *                  16000 (or 8000, narrow band) for G.722; 8000 or 16000
 *                  for Opus (docs/media.md)
 * @return 0, -EINVAL for another rate or id, -ENOMEM
 */
int codec_alloc(struct codec **out, enum codec_id id, unsigned pcm_rate);

/** Frees @c (NULL is fine). */
void codec_free(struct codec *c);

/** The audio rate given to codec_alloc, Hz. */
unsigned codec_pcm_rate(const struct codec *c);

/**
 * The RTP clock of the payload, Hz: 8000 for G.711 and G.722 (RFC 3551
 * §4.5.2: G.722's clock is 8000 though it samples at 16000), 48000 for
 * Opus (RFC 7587 §4.1).
 */
unsigned codec_clock_rate(const struct codec *c);

/**
 * Encodes @samples of signed 16-bit mono audio (a frame: for Opus 2.5,
 * 5, 10, 20, 40 or 60 ms) into @out of @size bytes.
 *
 * @return the payload's length in bytes, -EINVAL for a frame Opus cannot
 *         take, -ENOSPC when @size is too small
 */
int codec_encode(struct codec *c, const int16_t *pcm, size_t samples,
                 uint8_t *out, size_t size);

/**
 * Decodes a payload of @len bytes into at most @max samples at @pcm.
 *
 * @return the number of samples, -ENOSPC when @max is too small,
 *         -EINVAL for a payload the decoder refuses (Opus)
 */
int codec_decode(struct codec *c, const uint8_t *in, size_t len, int16_t *pcm,
                 size_t max);

/**
 * Fills @samples at @pcm for a lost frame: G.711 with spandsp's loss
 * concealment (the last pitch period repeated, fading out), Opus with
 * its own; G.722 with silence.
 *
 * @return @samples, or a negative errno from the decoder (Opus)
 */
int codec_conceal(struct codec *c, int16_t *pcm, size_t samples);

#endif
