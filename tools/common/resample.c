/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sound at another rate (resample.h): libspeexdsp's resampler behind
 * three functions, and libsndfile's reader with channels mixed down and
 * the resampler after it. A file is read as it plays, 20 ms or so at a
 * time: nothing holds a whole file in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "resample.h"

#define QUALITY   5    /* speex's "desktop": clean, still cheap */
#define BUF_SAMPS 4096 /* interleaved samples read from a file at once */

struct resample {
	SpeexResamplerState *st; /* NULL: equal rates, a copy */
	size_t tail;
};

struct resample_file {
	SNDFILE *sf;
	int fd; /* ours: libsndfile does not close it */
	SF_INFO info;
	struct resample *rs; /* made at the first read, at @rate */
	uint32_t rate;
	bool eof;       /* the file gave its last frame */
	size_t tail;    /* samples of silence still to push through @rs */
	int16_t *inter; /* BUF_SAMPS interleaved samples read */
	int16_t mono[BUF_SAMPS];
	size_t len, off; /* of @mono: read, used */
};

static bool rate_ok(uint32_t rate)
{
	return rate >= RESAMPLE_RATE_MIN && rate <= RESAMPLE_RATE_MAX;
}

int resample_new(struct resample **out, uint32_t from, uint32_t to)
{
	struct resample *r;
	int err = 0;

	if (!rate_ok(from) || !rate_ok(to))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (from != to) {
		r->st = speex_resampler_init(1, from, to, QUALITY, &err);
		if (!r->st) {
			free(r);
			return err == RESAMPLER_ERR_ALLOC_FAILED ? -ENOMEM
			                                         : -EINVAL;
		}
		/* the first sample out is the first sample in */
		speex_resampler_skip_zeros(r->st);
		r->tail = (size_t)speex_resampler_get_input_latency(r->st);
	}
	*out = r;
	return 0;
}

size_t resample_run(struct resample *r, const int16_t *in, size_t *n_in,
                    int16_t *out, size_t n_out)
{
	spx_uint32_t il, ol;

	if (!r->st) {
		size_t n = *n_in < n_out ? *n_in : n_out;

		if (in)
			memcpy(out, in, n * sizeof(*out));
		else
			memset(out, 0, n * sizeof(*out));
		*n_in = n;
		return n;
	}
	il = *n_in > UINT32_MAX ? UINT32_MAX : (spx_uint32_t)*n_in;
	ol = n_out > UINT32_MAX ? UINT32_MAX : (spx_uint32_t)n_out;
	/* (speex reads NULL as silence) */
	if (speex_resampler_process_int(r->st, 0, in, &il, out, &ol) !=
	    RESAMPLER_ERR_SUCCESS) {
		*n_in = 0;
		return 0;
	}
	*n_in = il;
	return ol;
}

size_t resample_tail(const struct resample *r)
{
	return r->tail;
}

void resample_free(struct resample *r)
{
	if (!r)
		return;
	if (r->st)
		speex_resampler_destroy(r->st);
	free(r);
}

static int fail(int e, char *why, size_t size, const char *text)
{
	snprintf(why, size, "%s", text);
	return e;
}

int resample_file_open(struct resample_file **out, const char *path,
                       uint32_t rate, unsigned flags, char *why, size_t size)
{
	struct resample_file *f;
	struct stat st;
	char text[160];
	int fd, e;

	if (rate && !rate_ok(rate))
		return fail(-EINVAL, why, size, "rate out of range");
	fd = open(path,
	          O_RDONLY | O_CLOEXEC | O_NOCTTY |
	                  (flags & RESAMPLE_FILE_REGULAR ? O_NONBLOCK : 0));
	if (fd < 0) {
		e = errno;
		return fail(-e, why, size, strerror(e));
	}
	if ((flags & RESAMPLE_FILE_REGULAR) &&
	    (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return fail(-EINVAL, why, size, "not a regular file");
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return fail(-ENOMEM, why, size, strerror(ENOMEM));
	}
	f->fd = fd;
	f->sf = sf_open_fd(fd, SFM_READ, &f->info, SF_FALSE);
	if (!f->sf) {
		snprintf(text, sizeof(text), "not a sound file (%s)",
		         sf_strerror(NULL));
		e = fail(-EINVAL, why, size, text);
	} else if (f->info.channels < 1 ||
	           !rate_ok((uint32_t)f->info.samplerate)) {
		snprintf(text, sizeof(text),
		         "%d channels at %d Hz: not a sound tapix plays",
		         f->info.channels, f->info.samplerate);
		e = fail(-EINVAL, why, size, text);
	} else if (f->info.frames == 0) {
		e = fail(-EINVAL, why, size, "it holds no sound");
	} else {
		f->inter = malloc(BUF_SAMPS * sizeof(*f->inter));
		e = f->inter ? 0 : fail(-ENOMEM, why, size, strerror(ENOMEM));
	}
	f->rate = rate ? rate : (uint32_t)f->info.samplerate;
	if (e) {
		resample_file_close(f);
		return e;
	}
	*out = f;
	return 0;
}

void resample_file_format(const struct resample_file *f, uint32_t *rate,
                          unsigned *channels, double *seconds)
{
	if (rate)
		*rate = (uint32_t)f->info.samplerate;
	if (channels)
		*channels = (unsigned)f->info.channels;
	if (seconds)
		*seconds = f->info.frames > 0 && f->info.frames < SF_COUNT_MAX
		                   ? (double)f->info.frames / f->info.samplerate
		                   : 0;
}

int resample_file_set_rate(struct resample_file *f, uint32_t rate)
{
	if (f->rs || !rate_ok(rate))
		return -EINVAL;
	f->rate = rate;
	return 0;
}

/* The next frames of the file into @mono, mixed down; false at its end
 * (*@err: it could not be read). */
static bool fill(struct resample_file *f, bool *err)
{
	size_t ch = (size_t)f->info.channels, want = BUF_SAMPS / ch, i, c;
	sf_count_t n;

	if (!want)
		want = 1; /* (libsndfile: at most 1024 channels) */
	if (want * ch > BUF_SAMPS) {
		*err = true;
		return false;
	}
	n = sf_readf_short(f->sf, f->inter, (sf_count_t)want);
	if (n <= 0) {
		*err = sf_error(f->sf) != SF_ERR_NO_ERROR;
		return false;
	}
	for (i = 0; i < (size_t)n; i++) {
		int32_t sum = 0;

		for (c = 0; c < ch; c++)
			sum += f->inter[i * ch + c];
		f->mono[i] = (int16_t)(sum / (int32_t)ch);
	}
	f->len = (size_t)n;
	f->off = 0;
	return true;
}

ssize_t resample_file_read(struct resample_file *f, int16_t *out, size_t n)
{
	size_t got = 0;

	if (!f->rs) {
		if (resample_new(&f->rs, (uint32_t)f->info.samplerate,
		                 f->rate) != 0)
			return -EIO;
		f->tail = resample_tail(f->rs);
	}
	while (got < n) {
		size_t used, w;

		if (f->off == f->len && !f->eof) {
			bool err = false;

			if (!fill(f, &err)) {
				if (err)
					return -EIO;
				f->eof = true;
			}
			continue;
		}
		if (f->off < f->len) {
			used = f->len - f->off;
			w = resample_run(f->rs, f->mono + f->off, &used,
			                 out + got, n - got);
			f->off += used;
		} else if (f->tail) {
			used = f->tail;
			w = resample_run(f->rs, NULL, &used, out + got,
			                 n - got);
			f->tail -= used;
		} else {
			break; /* all of it out */
		}
		got += w;
		if (!used && !w)
			break; /* (nothing moves: never spin) */
	}
	return (ssize_t)got;
}

void resample_file_close(struct resample_file *f)
{
	if (!f)
		return;
	if (f->sf)
		sf_close(f->sf);
	close(f->fd);
	resample_free(f->rs);
	free(f->inter);
	free(f);
}
