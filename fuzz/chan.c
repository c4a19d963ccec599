/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tapixd's decoder of channel requests (src/rpc/chan.c),
 * which reads memory a client writes. Any bytes decode without reading
 * outside the request; a request it accepts has a known op, an address
 * NUL-terminated within the data, and user-user info within the data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chan_req *q = malloc(sizeof(*q));
	struct chan_call *k = malloc(sizeof(*k));
	const char *end;

	if (!q || !k) {
		free(q);
		free(k);
		return 0;
	}
	/* the input, then what a client may have left behind */
	memset(q, 0xA5, sizeof(*q));
	memcpy(q, data, size < sizeof(*q) ? size : sizeof(*q));
	if (chan_req_decode(q, k) == 0) {
		end = k->copy.data + sizeof(k->copy.data);
		if (k->op < CHAN_MAKE_CALL || k->op >= CHAN_OP_END)
			abort();
		if (k->dest &&
		    (k->dest < k->copy.data ||
		     k->dest + strnlen(k->dest, (size_t)(end - k->dest)) >=
		             end))
			abort(); /* not NUL-terminated inside */
		if (k->uui && (k->uui_size > k->copy.len ||
		               (const char *)k->uui != k->copy.data))
			abort();
		if (k->dest && k->op != CHAN_MAKE_CALL)
			abort();
	}
	free(q);
	free(k);
	return 0;
}
