/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the UTF-8 repair of tapixd's D-Bus strings and tapictl's
 * JSON (tools/common/utf8.c). Properties: the output is always valid
 * UTF-8 without control characters but tab, fits its buffer, and a valid
 * input without control characters comes out unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], out[3 * 512 + 1], small[17];
	size_t i;
	bool plain = true;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	utf8_clean(out, sizeof(out), in);
	if (!utf8_valid(out))
		abort();
	for (i = 0; out[i]; i++)
		if (((unsigned char)out[i] < 0x20 && out[i] != '\t') ||
		    out[i] == 0x7F)
			abort();
	for (i = 0; in[i]; i++)
		if (((unsigned char)in[i] < 0x20 && in[i] != '\t') ||
		    in[i] == 0x7F)
			plain = false;
	if (plain && utf8_valid(in) && strcmp(in, out) != 0)
		abort();
	utf8_clean(small, sizeof(small), in);
	if (strlen(small) >= sizeof(small) || !utf8_valid(small))
		abort();
	return 0;
}
