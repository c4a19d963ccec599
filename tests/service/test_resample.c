/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/common/resample.h, the resampling tapictl and tapixd share
 * (docs/media.md): a tone keeps its frequency across rates (Goertzel at
 * the rate it comes out at), the number of samples follows the ratio,
 * channels are mixed down, and what is no sound file, no regular file
 * when one is required, or a rate out of range is refused with a reason,
 * never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fx.h"
#include "resample.h"

#define PI 3.14159265358979323846

/* Goertzel: the power of @freq in @n samples at @rate Hz. */
static double power(const int16_t *pcm, size_t n, double freq, double rate)
{
	double k = 2.0 * cos(2.0 * PI * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] / 32768.0 + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* Whether @n samples at @rate hold @freq: 100 times the power of half
 * and of twice it, and not silence. */
static bool holds(const int16_t *pcm, size_t n, double freq, double rate)
{
	double on = power(pcm, n, freq, rate);

	return on > 1.0 && on > 100 * (power(pcm, n, freq / 2, rate) +
	                               power(pcm, n, freq * 2, rate) + 1e-9);
}

/* Writes a 16-bit PCM WAV file of @ch channels, @n frames of @freq Hz at
 * @rate (channel c at amplitude 8000 / (c + 1)), by hand. */
static void write_wav(const char *path, unsigned rate, unsigned ch, double freq,
                      unsigned n)
{
	FILE *f = fopen(path, "wb");
	uint32_t data = n * 2 * ch, v32;
	uint16_t v16;

	assert_non_null(f);
#define PUT32(x) (v32 = (x), fwrite(&v32, 4, 1, f))
#define PUT16(x) (v16 = (x), fwrite(&v16, 2, 1, f))
	fwrite("RIFF", 1, 4, f);
	PUT32(36 + data);
	fwrite("WAVEfmt ", 1, 8, f);
	PUT32(16);
	PUT16(1);
	PUT16(ch);
	PUT32(rate);
	PUT32(rate * 2 * ch);
	PUT16(2 * ch);
	PUT16(16);
	fwrite("data", 1, 4, f);
	PUT32(data);
	for (unsigned i = 0; i < n; i++)
		for (unsigned c = 0; c < ch; c++)
			PUT16((uint16_t)(int16_t)(8000.0 / (c + 1) *
			                          sin(2 * PI * freq * i /
			                              rate)));
#undef PUT32
#undef PUT16
	assert_int_equal(fclose(f), 0);
}

static char tmp[256];

static int setup(void **state)
{
	(void)state;
	fx_tmp_path(tmp, sizeof(tmp), "tapix-resample-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * resample.h resample_run — 1 s of 1000 Hz at 8000 Hz up to 16000 and
 * 44100 Hz and back down from 48000 Hz: the tone stays at 1000 Hz at the
 * new rate, and, with resample_tail's silence after it, the number of
 * samples out is the ratio's (within one); equal rates copy.
 */
static void test_a_tone_keeps_its_frequency(void **s)
{
	static const uint32_t pairs[][2] = {
		{8000, 16000}, {8000, 44100}, {48000, 8000}, {16000, 16000}};
	static int16_t in[48000], out[48000 * 6];

	(void)s;
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		uint32_t from = pairs[k][0], to = pairs[k][1];
		struct resample *r = NULL;
		size_t got = 0, used, want = to;

		for (uint32_t i = 0; i < from; i++)
			in[i] = (int16_t)(8000 * sin(2 * PI * 1000 * i / from));
		assert_int_equal(resample_new(&r, from, to), 0);
		used = from;
		got = resample_run(r, in, &used, out, sizeof(out) / 2);
		assert_int_equal(used, from);
		used = resample_tail(r);
		got += resample_run(r, NULL, &used, out + got,
		                    sizeof(out) / 2 - got);
		if (got + 1 < want || got > want + 1)
			fail_msg("%u to %u Hz: %zu samples of 1 s", from, to,
			         got);
		/* (the middle: no edge) */
		if (!holds(out + to / 4, to / 2, 1000, to))
			fail_msg("%u to %u Hz: no 1000 Hz", from, to);
		resample_free(r);
	}
	resample_free(NULL);
}

/*
 * resample.h resample_file_* — a stereo 44100 Hz file of 1000 Hz read at
 * 8000 Hz: mono, 1 s of it (the rate's share, within a few samples), the
 * tone at 1000 Hz; its format as the file says.
 */
static void test_a_stereo_file_read_at_the_call_rate(void **s)
{
	static int16_t out[16000];
	struct resample_file *f = NULL;
	char path[300], why[128];
	uint32_t rate = 0;
	unsigned ch = 0;
	double secs = 0;
	size_t got = 0;
	ssize_t n;

	(void)s;
	snprintf(path, sizeof(path), "%s/t.wav", tmp);
	write_wav(path, 44100, 2, 1000, 44100);
	assert_int_equal(resample_file_open(&f, path, 0, RESAMPLE_FILE_REGULAR,
	                                    why, sizeof(why)),
	                 0);
	resample_file_format(f, &rate, &ch, &secs);
	assert_int_equal(rate, 44100);
	assert_int_equal(ch, 2);
	assert_true(fabs(secs - 1.0) < 1e-9);
	assert_int_equal(resample_file_set_rate(f, 8000), 0);
	while ((n = resample_file_read(f, out + got, 160)) > 0) {
		assert_true(n <= 160);
		got += (size_t)n;
		assert_true(got + 160 <= sizeof(out) / 2);
	}
	assert_int_equal(n, 0);
	assert_int_equal(resample_file_read(f, out, 160), 0); /* still */
	if (got + 2 < 8000 || got > 8000 + 2)
		fail_msg("%zu samples at 8000 Hz of 1 s", got);
	assert_true(holds(out + 2000, 4000, 1000, 8000));
	/* mixed down: the mean of 8000 and 4000, about 6000 at its peak */
	{
		int peak = 0;

		for (size_t i = 2000; i < 6000; i++)
			if (abs(out[i]) > peak)
				peak = abs(out[i]);
		if (peak < 5500 || peak > 6500)
			fail_msg("peak %d, not the channels' mean", peak);
	}
	/* too late to change the rate */
	assert_int_equal(resample_file_set_rate(f, 16000), -EINVAL);
	resample_file_close(f);
	resample_file_close(NULL);
}

/*
 * resample.h — refused, with a reason: a missing file, what is no sound,
 * a FIFO when a regular file is required (opened without blocking: the
 * test would hang otherwise), rates out of range.
 */
static void test_what_is_refused(void **s)
{
	struct resample_file *f = NULL;
	struct resample *r = NULL;
	char path[300], why[128];
	FILE *fp;

	(void)s;
	snprintf(path, sizeof(path), "%s/none.wav", tmp);
	assert_int_equal(resample_file_open(&f, path, 0, 0, why, sizeof(why)),
	                 -ENOENT);
	assert_string_equal(why, strerror(ENOENT));
	snprintf(path, sizeof(path), "%s/junk.wav", tmp);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("RIFF....WAVEfmt not really", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(resample_file_open(&f, path, 0, RESAMPLE_FILE_REGULAR,
	                                    why, sizeof(why)),
	                 -EINVAL);
	assert_non_null(strstr(why, "not a sound file"));
	snprintf(path, sizeof(path), "%s/fifo", tmp);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(resample_file_open(&f, path, 0, RESAMPLE_FILE_REGULAR,
	                                    why, sizeof(why)),
	                 -EINVAL);
	assert_string_equal(why, "not a regular file");
	assert_int_equal(resample_file_open(&f, tmp, 0, RESAMPLE_FILE_REGULAR,
	                                    why, sizeof(why)),
	                 -EINVAL);
	snprintf(path, sizeof(path), "%s/t.wav", tmp);
	write_wav(path, 8000, 1, 440, 800);
	assert_int_equal(resample_file_open(&f, path, 999, 0, why, sizeof(why)),
	                 -EINVAL);
	assert_int_equal(resample_file_open(&f, path, 0, 0, why, sizeof(why)),
	                 0);
	assert_int_equal(resample_file_set_rate(f, 384001), -EINVAL);
	resample_file_close(f);
	assert_int_equal(resample_new(&r, 0, 8000), -EINVAL);
	assert_int_equal(resample_new(&r, 8000, 999), -EINVAL);
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_tone_keeps_its_frequency),
		cmocka_unit_test_setup_teardown(
			test_a_stereo_file_read_at_the_call_rate, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_what_is_refused, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
