/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the INI configuration parser (src/core/config.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The checks' reports: their formatting runs, nothing is printed. */
static void quiet(void *arg, bool error, const char *file, int line,
                  const char *msg)
{
	(void)arg;
	(void)error;
	if (!file || !msg || line < 0)
		abort();
}

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
		c.report = quiet;
		conf_check(&c, true);
		conf_free(&c);
	}
	free(text);
	if (mem_live() != 0)
		abort();
	return 0;
}
