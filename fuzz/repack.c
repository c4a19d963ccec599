/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: repacking a provider-filled LINECALLINFO into an app's
 * buffer (src/api/varstruct.c). Input: 2 bytes of app buffer size, one
 * byte choosing the app's version, then the provider's structure (2.0
 * layout, 324-byte fixed part). Checks the app buffer is never overrun and
 * every part reported lies inside the used bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/varstruct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char app_name[] = "fuzz app";
	struct vs_extra ex = {offsetof(LINECALLINFO, dwAppNameSize), app_name,
	                      sizeof(app_name)};
	uint32_t dst_total, dst_fixed, used, i;
	uint8_t *src, *dst;
	size_t src_len;

	if (size < 3 + 324 || size > 3 + 65536)
		return 0;
	dst_fixed = (data[2] & 1) ? 324 : 296;
	dst_total = dst_fixed + ((uint32_t)data[0] | (uint32_t)data[1] << 8);
	src_len = size - 3;
	src = malloc(src_len);
	dst = malloc(dst_total + 16);
	if (!src || !dst)
		abort();
	memcpy(src, data + 3, src_len);
	memset(dst, 0xEE, dst_total + 16);
	memcpy(dst, &dst_total, 4);
	vs_repack(dst, dst_fixed, src, 324, (uint32_t)src_len,
	          &vs_callinfo_layout, &ex, 1);
	for (i = 0; i < 16; i++)
		if (dst[dst_total + i] != 0xEE)
			abort(); /* wrote past dwTotalSize */
	memcpy(&used, dst + 8, 4);
	if (used > dst_total || used < dst_fixed)
		abort();
	for (i = 0; i < vs_callinfo_layout.npairs; i++) {
		uint32_t pair = vs_callinfo_layout.pairs[i], sz, off;

		if (pair + 8 > dst_fixed)
			break;
		memcpy(&sz, dst + pair, 4);
		memcpy(&off, dst + pair + 4, 4);
		if (sz && (off < dst_fixed || off + sz > used))
			abort();
	}
	free(src);
	free(dst);
	return 0;
}
