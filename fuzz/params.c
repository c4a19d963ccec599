/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: LINECALLPARAMS from an app (src/api/varstruct.c). Input:
 * one byte choosing the app's API version, then the structure; its
 * dwTotalSize is clamped to the bytes given, as an app's buffer would be.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/varstruct.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t versions[] = {0x00010004, 0x00020000, 0x00020001,
	                                    0x00020002};
	const struct vs_limits lim = {
		.num_addresses = 2,
		.bearer_modes = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA,
		.media_modes = 0x0000007E,
		.max_rate = 64000,
		.uui_make = 128,
	};
	struct vs_params out;
	LINECALLPARAMS *cp;
	uint32_t total;

	if (size < 1 + 4 || size > 1 + 65536)
		return 0;
	cp = malloc(size - 1);
	if (!cp)
		return 0;
	memcpy(cp, data + 1, size - 1);
	memcpy(&total, cp, 4);
	if (total > size - 1)
		total = (uint32_t)(size - 1);
	memcpy(cp, &total, 4);
	if (total >= sizeof(uint32_t) &&
	    vs_params_check(cp, versions[data[0] & 3], &lim, &out) == 0) {
		/* the copy is self-consistent: every part lies inside it */
		if (out.norm->dwUserUserInfoSize &&
		    out.norm->dwUserUserInfoOffset +
		                    out.norm->dwUserUserInfoSize >
		            out.norm->dwTotalSize)
			abort();
		vs_params_free(&out);
	}
	free(cp);
	if (mem_live() != 0)
		abort();
	return 0;
}
