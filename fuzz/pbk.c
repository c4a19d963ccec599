/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the RAS phonebook reader (src/ras/pbk.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ras/pbk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pbk pb;
	size_t i;

	if (pbk_parse((const char *)data, size, &pb) == 0) {
		/* every entry found is found again by its name */
		for (i = 0; i < pb.n; i++)
			if (pbk_find(&pb, pb.v[i].name) != &pb.v[i])
				__builtin_trap();
	}
	pbk_free(&pb);
	return 0;
}
