/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WAV files of 16-bit PCM mono (wav.h). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "tapi3/wav.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Reads exactly @n bytes at the descriptor's position; false if short. */
static bool read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (uint8_t *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

int wav_read(int fd, uint32_t *rate, uint64_t *bytes)
{
	uint8_t h[12], ck[8], fmt[16];
	uint32_t r = 0;
	bool have_fmt = false;
	off_t pos, end;

	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    !read_full(fd, h, sizeof(h)) || memcmp(h, "RIFF", 4) ||
	    memcmp(h + 8, "WAVE", 4))
		return -EINVAL;
	pos = 12;
	for (;;) {
		uint32_t size;

		if (!read_full(fd, ck, sizeof(ck)))
			return -EINVAL;
		size = le32(ck + 4);
		pos += 8;
		if (!memcmp(ck, "fmt ", 4)) {
			if (size < sizeof(fmt) ||
			    !read_full(fd, fmt, sizeof(fmt)))
				return -EINVAL;
			/* PCM, mono, 16 bits (tapi.h: TAPIXWAVE_S16LE) */
			if (le16(fmt) != 1 || le16(fmt + 2) != 1 ||
			    le16(fmt + 14) != 16)
				return -EINVAL;
			r = le32(fmt + 4);
			if (r != 8000 && r != 16000)
				return -EINVAL;
			have_fmt = true;
		} else if (!memcmp(ck, "data", 4)) {
			uint64_t n = size;

			if (!have_fmt)
				return -EINVAL;
			/* a streamed file's size may be unset: the rest */
			if (n > (uint64_t)(end - pos))
				n = (uint64_t)(end - pos);
			*rate = r;
			*bytes = n & ~(uint64_t)1;
			return 0;
		}
		/* chunks are padded to even sizes */
		pos += (off_t)size + (size & 1);
		if (pos > end || lseek(fd, pos, SEEK_SET) != pos)
			return -EINVAL;
	}
}

void wav_header(uint8_t *h, uint32_t rate, uint32_t bytes)
{
	memcpy(h, "RIFF", 4);
	put32(h + 4, 36 + bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1); /* PCM */
	put16(h + 22, 1); /* mono */
	put32(h + 24, rate);
	put32(h + 28, rate * 2);
	put16(h + 32, 2);
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, bytes);
}
