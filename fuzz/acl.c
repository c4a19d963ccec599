/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tapixd's access rules (daemon/acl.c), the one decoder the
 * service writes by hand: any text is read without crashing, a text that
 * is refused leaves the previous rules in place, and root is never shut
 * out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlog.h"
#include "tapixd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* acl.c logs through dlog; the fuzzer has no use for the lines */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct who root = {0}, user = {.uid = 1000, .gid = 100};
	char *text;
	bool before, after;
	int r;

	if (size > 8192)
		return 0;
	dlog_set_levels("off");
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	acl_load_string("[line 3]\nallow = uid:1000\n");
	before = acl_allows(&user, 3);
	r = acl_load_string(text);
	after = acl_allows(&user, 3);
	if (r != 0 && before != after)
		abort(); /* refused rules must not replace the old ones */
	if (!acl_allows(&root, 0) || !acl_allows(&root, 4095))
		abort();
	free(text);
	acl_free();
	return 0;
}
