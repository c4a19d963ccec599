/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the SIP provider's User-to-User header decoder
 * (providers/sip/uui.c), with the round trip through the encoder as the
 * property: whatever decodes re-encodes, and decodes back to the same
 * bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[SIP_UUI_MAX], back[SIP_UUI_MAX];
	char value[2 * SIP_UUI_MAX + 32];
	char *text;
	int n, m;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = sip_uui_decode(text, out, sizeof(out));
	free(text);
	if (n < -1 || n > SIP_UUI_MAX)
		abort();
	if (n > 0) {
		if (!sip_uui_encode(value, sizeof(value), out, (size_t)n))
			abort();
		m = sip_uui_decode(value, back, sizeof(back));
		if (m != n || memcmp(out, back, (size_t)n) != 0)
			abort();
	}
	/* the mapping is total: every status gives a defined outcome */
	if (size >= 2) {
		int status = data[0] << 8 | data[1];
		struct sip_outcome o = sip_status_outcome(status, 0x00010004);

		if (o.state != LINECALLSTATE_BUSY &&
		    o.state != LINECALLSTATE_DISCONNECTED)
			abort();
		if (o.mode == 0 || (o.mode & (o.mode - 1)))
			abort();
		if (o.mode >= LINEDISCONNECTMODE_NUMBERCHANGED)
			abort(); /* a 2.0 value on a 1.4 line */
	}
	return 0;
}
