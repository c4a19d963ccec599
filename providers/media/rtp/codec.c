/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The codecs: spandsp's G.711, G.722 and loss concealment, libopus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>
#include <spandsp.h>

#include "codec.h"

struct codec {
	enum codec_id id;
	unsigned pcm_rate;
	g711_state_t *g711;
	plc_state_t *plc;
	g722_encode_state_t *g722_enc;
	g722_decode_state_t *g722_dec;
	OpusEncoder *opus_enc;
	OpusDecoder *opus_dec;
};

static bool rate_ok(enum codec_id id, unsigned rate)
{
	switch (id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		return rate == 8000;
	case CODEC_G722:
	case CODEC_OPUS:
		return rate == 8000 || rate == 16000;
	}
	return false;
}

int codec_alloc(struct codec **out, enum codec_id id, unsigned pcm_rate)
{
	struct codec *c;
	int err = 0;

	if (!rate_ok(id, pcm_rate))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->id = id;
	c->pcm_rate = pcm_rate;
	switch (id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		c->g711 = g711_init(NULL,
		                    id == CODEC_PCMU ? G711_ULAW : G711_ALAW);
		c->plc = plc_init(NULL);
		if (!c->g711 || !c->plc)
			goto nomem;
		break;
	case CODEC_G722: {
		int opt = pcm_rate == 8000 ? G722_SAMPLE_RATE_8000 : 0;

		c->g722_enc = g722_encode_init(NULL, 64000, opt);
		c->g722_dec = g722_decode_init(NULL, 64000, opt);
		if (!c->g722_enc || !c->g722_dec)
			goto nomem;
		break;
	}
	case CODEC_OPUS:
		c->opus_enc = opus_encoder_create((opus_int32)pcm_rate, 1,
		                                  OPUS_APPLICATION_VOIP, &err);
		if (!c->opus_enc || err != OPUS_OK)
			goto nomem;
		c->opus_dec =
			opus_decoder_create((opus_int32)pcm_rate, 1, &err);
		if (!c->opus_dec || err != OPUS_OK)
			goto nomem;
		break;
	}
	*out = c;
	return 0;
nomem:
	codec_free(c);
	return -ENOMEM;
}

void codec_free(struct codec *c)
{
	if (!c)
		return;
	if (c->g711)
		g711_free(c->g711);
	if (c->plc)
		plc_free(c->plc);
	if (c->g722_enc)
		g722_encode_free(c->g722_enc);
	if (c->g722_dec)
		g722_decode_free(c->g722_dec);
	if (c->opus_enc)
		opus_encoder_destroy(c->opus_enc);
	if (c->opus_dec)
		opus_decoder_destroy(c->opus_dec);
	free(c);
}

unsigned codec_pcm_rate(const struct codec *c)
{
	return c->pcm_rate;
}

unsigned codec_clock_rate(const struct codec *c)
{
	return c->id == CODEC_OPUS ? 48000 : 8000;
}

/* libopus's errors as errno values */
static int opus_errno(int rc)
{
	return rc == OPUS_BUFFER_TOO_SMALL ? -ENOSPC
	       : rc == OPUS_ALLOC_FAIL     ? -ENOMEM
	                                   : -EINVAL;
}

int codec_encode(struct codec *c, const int16_t *pcm, size_t samples,
                 uint8_t *out, size_t size)
{
	int rc;

	if (samples > 48000)
		return -EINVAL;
	switch (c->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (size < samples)
			return -ENOSPC;
		return g711_encode(c->g711, out, pcm, (int)samples);
	case CODEC_G722:
		/* 4 bits a sample at 16 kHz, 8 at 8 kHz */
		if (size < (c->pcm_rate == 8000 ? samples : (samples + 1) / 2))
			return -ENOSPC;
		return g722_encode(c->g722_enc, out, pcm, (int)samples);
	case CODEC_OPUS:
		rc = opus_encode(
			c->opus_enc, pcm, (int)samples, out,
			(opus_int32)(size > 0x7FFFFFFF ? 0x7FFFFFFF : size));
		return rc < 0 ? opus_errno(rc) : rc;
	}
	return -EINVAL;
}

int codec_decode(struct codec *c, const uint8_t *in, size_t len, int16_t *pcm,
                 size_t max)
{
	int n;

	if (len > 65536 || max > 0x7FFFFFFF)
		return -EINVAL;
	switch (c->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (max < len)
			return -ENOSPC;
		n = g711_decode(c->g711, pcm, in, (int)len);
		/* the history the concealment repeats from */
		plc_rx(c->plc, pcm, n);
		return n;
	case CODEC_G722:
		if (max < (c->pcm_rate == 8000 ? len : 2 * len))
			return -ENOSPC;
		return g722_decode(c->g722_dec, pcm, in, (int)len);
	case CODEC_OPUS:
		n = opus_decode(c->opus_dec, in, (opus_int32)len, pcm, (int)max,
		                0);
		return n < 0 ? opus_errno(n) : n;
	}
	return -EINVAL;
}

int codec_conceal(struct codec *c, int16_t *pcm, size_t samples)
{
	int n;

	if (samples > 48000)
		return -EINVAL;
	switch (c->id) {
	case CODEC_PCMU:
	case CODEC_PCMA:
		return plc_fillin(c->plc, pcm, (int)samples);
	case CODEC_G722:
		memset(pcm, 0, samples * sizeof(*pcm));
		return (int)samples;
	case CODEC_OPUS:
		n = opus_decode(c->opus_dec, NULL, 0, pcm, (int)samples, 0);
		return n < 0 ? opus_errno(n) : n;
	}
	return -EINVAL;
}
