/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sound at another rate: 16-bit mono PCM resampled (libspeexdsp), and a
 * sound file of any rate and channel count read as 16-bit mono PCM at the
 * rate a call's audio runs at (libsndfile, then the same resampler). One
 * module for tapictl (play, record --rate) and tapixd (incoming =
 * answer:FILE), so that both convert alike (docs/media.md).
 */
#ifndef TAPIX_TOOLS_RESAMPLE_H
#define TAPIX_TOOLS_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The rates a resampler takes, in Hz. */
#define RESAMPLE_RATE_MIN 1000u
#define RESAMPLE_RATE_MAX 384000u

/* A resampler of 16-bit mono PCM from one rate to another. */
struct resample;

/**
 * A resampler from @from Hz to @to Hz (speex_resampler at quality 5, its
 * "desktop" one; its delay skipped, so that the first sample out is the
 * first sample in). Equal rates copy.
 * @return 0 and *@out, -EINVAL (a rate out of RESAMPLE_RATE_MIN ..
 *         RESAMPLE_RATE_MAX) or -ENOMEM.
 */
int resample_new(struct resample **out, uint32_t from, uint32_t to);

/**
 * Resamples up to *@n_in samples of @in (NULL: that many of silence, to
 * push the last samples out) into @out, which has room for @n_out.
 * *@n_in becomes how many were used (the rest waits for the next call).
 * @return how many samples were written to @out.
 */
size_t resample_run(struct resample *r, const int16_t *in, size_t *n_in,
                    int16_t *out, size_t n_out);

/**
 * How many samples of silence resample_run needs after the last real one
 * for all of it to come out (the filter's delay).
 */
size_t resample_tail(const struct resample *r);

/* Frees @r (NULL: nothing). */
void resample_free(struct resample *r);

/* A sound file read as 16-bit mono PCM at a rate of the caller's. */
struct resample_file;

/* resample_file_open: only a regular file, opened without blocking
 * (tapixd: a FIFO named in its configuration must not hang it). */
#define RESAMPLE_FILE_REGULAR 0x1u

/**
 * Opens the sound file @path (WAV, FLAC, Ogg...: what libsndfile reads),
 * of any rate and channel count, to be read at @rate Hz; 0 keeps the
 * file's. @flags: RESAMPLE_FILE_REGULAR or 0.
 * @return 0 and *@out, or -errno with why in @why (@size bytes: "not a
 *         sound file", "not a regular file"...): -ENOENT, -EACCES,
 *         -EINVAL (not a regular file, not a sound file, no sample, a
 *         rate out of range), -ENOMEM, another -errno of open.
 */
int resample_file_open(struct resample_file **out, const char *path,
                       uint32_t rate, unsigned flags, char *why, size_t size);

/**
 * The file's own format: its rate in Hz, its channels, its length in
 * seconds (0 when libsndfile does not know it). NULLs are skipped.
 */
void resample_file_format(const struct resample_file *f, uint32_t *rate,
                          unsigned *channels, double *seconds);

/**
 * Sets the rate resample_file_read gives (a call's rate, known once the
 * call is connected), before the first read.
 * @return 0, -EINVAL (out of range, or after a read) or -ENOMEM.
 */
int resample_file_set_rate(struct resample_file *f, uint32_t rate);

/**
 * Reads up to @n samples, channels mixed down to one, at the rate set.
 * @return how many (fewer only at the end: the resampler's last samples
 *         come then), 0 at the end, -EIO when the file cannot be read.
 */
ssize_t resample_file_read(struct resample_file *f, int16_t *out, size_t n);

/* Closes @f (NULL: nothing). */
void resample_file_close(struct resample_file *f);

#endif /* TAPIX_TOOLS_RESAMPLE_H */
