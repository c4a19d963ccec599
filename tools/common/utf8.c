/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 checking and repair for D-Bus and JSON output (utf8.h). */
#include "utf8.h"

#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned long v;

	if (c < 0x80)
		return n ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
	} else {
		return 0; /* a continuation byte, C0, C1, F5 - FF */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	/* overlong, surrogate, beyond Unicode */
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	return len;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n) {
		k = utf8_seq(p, n);
		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

char *utf8_clean(char *out, size_t size, const char *in)
{
	static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), o = 0, k;

	while (n) {
		const char *piece = (const char *)p;

		k = utf8_seq(p, n);
		if (!k ||
		    (k == 1 && ((*p < 0x20 && *p != '\t') || *p == 0x7F))) {
			piece = repl;
			p++;
			n--;
			k = 3;
		} else {
			p += k;
			n -= k;
		}
		if (o + k >= size)
			break;
		memcpy(out + o, piece, k);
		o += k;
	}
	out[o] = '\0';
	return out;
}
