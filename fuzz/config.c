/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the INI configuration parser (src/core/config.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char *text;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_parse_string(&c, text) == 0) {
		size_t i;

		for (i = 0; i < c.nproviders; i++)
			if (!c.providers[i][0])
				abort();
		conf_free(&c);
	}
	free(text);
	if (mem_live() != 0)
		abort();
	return 0;
}
