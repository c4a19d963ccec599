/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the TAPI 3 layer's WAV reader (src/tapi3/wav.c), the
 * first code to read a file an application names for playback. The
 * input is the file (in a memfd). Properties: what wav_read accepts is a
 * RIFF WAVE file at 8000 or 16000 Hz whose samples, an even number of
 * bytes, lie within the file from where it leaves the descriptor; what
 * it refuses leaves its outputs untouched; and a header wav_header
 * writes, with any samples after it, reads back as written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tapi3/wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz wav: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

/* A memfd holding @a then @b. */
static int file_of(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	int fd = memfd_create("wav", MFD_CLOEXEC);

	CHECK(fd >= 0);
	CHECK(write(fd, a, na) == (ssize_t)na);
	CHECK(write(fd, b, nb) == (ssize_t)nb);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t rate = 12345;
	uint64_t bytes = 777;
	uint8_t h[WAV_HEADER];
	off_t at;
	int fd, r;

	fd = file_of(data, size, NULL, 0);
	r = wav_read(fd, &rate, &bytes);
	CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		CHECK(size >= 12 + 8 + 8 + 16);
		CHECK(!memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WAVE", 4));
		CHECK(rate == 8000 || rate == 16000);
		CHECK(bytes % 2 == 0);
		at = lseek(fd, 0, SEEK_CUR);
		CHECK(at >= 12 + 8 + 8 + 16 && (uint64_t)at <= size);
		CHECK(bytes <= size - (uint64_t)at);
	} else {
		CHECK(rate == 12345 && bytes == 777);
	}
	close(fd);

	/* what wav_header writes reads back, whatever samples follow */
	wav_header(h, size % 2 ? 16000 : 8000, (uint32_t)(size & ~1ul));
	fd = file_of(h, sizeof(h), data, size);
	CHECK(wav_read(fd, &rate, &bytes) == 0);
	CHECK(rate == (size % 2 ? 16000u : 8000u));
	CHECK(bytes == (size & ~1ul));
	CHECK(lseek(fd, 0, SEEK_CUR) == (off_t)WAV_HEADER);
	close(fd);
	return 0;
}
