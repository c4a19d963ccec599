/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the dialling rules (src/api/dialrules.c), i.e. the
 * [location] section and the canonical addresses of lineTranslateAddress.
 * Input: one byte of options, the address, a NUL, the configuration text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/dialrules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		LINETRANSLATEOUTPUT o;
		char bytes[2048];
	} out;
	struct dr_location loc;
	struct conf c;
	const char *ini = "";
	char *text;
	size_t alen;
	DWORD options;

	if (size < 1)
		return 0;
	options = data[0] & 0x1F;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	alen = strlen(text);
	if (alen + 1 < size - 1)
		ini = text + alen + 1;
	memset(&c, 0, sizeof(c));
	if (conf_parse_string(&c, ini) != 0 || dr_location(&c, &loc) != 0)
		memset(&loc, 0, sizeof(loc));
	conf_free(&c);
	memset(&out, 0, sizeof(out));
	out.o.dwTotalSize = (DWORD)(sizeof(out.o) + (size & 0xFF));
	if (dr_translate(&loc, text, options, &out.o) == 0) {
		/* what was written is inside the buffer, NUL-terminated */
		if (out.o.dwUsedSize > out.o.dwTotalSize ||
		    (out.o.dwDialableStringSize &&
		     (out.o.dwDialableStringOffset +
		                      out.o.dwDialableStringSize >
		              out.o.dwTotalSize ||
		      out.bytes[out.o.dwDialableStringOffset +
		                out.o.dwDialableStringSize - 1])))
			__builtin_trap();
	}
	free(text);
	return 0;
}
