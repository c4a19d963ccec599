/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: a datagram from a SIP peer as the SIP provider meets it:
 * sofia-sip's message parser (the same code that parses every request and
 * response the provider's NUA agents receive), then everything the
 * provider reads from the headers (hdr.h, the User-to-User decoder) and
 * the body when it is SDP (sdp.h). Properties: the parser returns; every
 * text the provider keeps is NUL-terminated inside its buffer and one
 * line; the UUI decoder stays inside its limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "hdr.h"
#include "sdp.h"
#include "uui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The provider's buffer sizes (sip.h) and a tiny one for the cuts. */
#define BIG   256
#define SMALL 8

static void fail(const char *why)
{
	fprintf(stderr, "fuzz sip_msg: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

/* @out (of @size bytes, after a canary) is one line inside its buffer. */
static void check_text(const char *out, size_t size)
{
	size_t n = strnlen(out, size);

	CHECK(n < size);
	CHECK(!memchr(out, '\r', n) && !memchr(out, '\n', n));
	CHECK((unsigned char)out[size] == 0xa5);
}

#define TEXT(fn, size, arg)                       \
	do {                                      \
		char buf_[(size) + 1];            \
		memset(buf_, 0xa5, sizeof(buf_)); \
		fn(buf_, (size), (arg));          \
		check_text(buf_, (size));         \
	} while (0)

static void read_headers(const sip_t *sip)
{
	const sip_unknown_t *un;
	uint8_t uui[SIP_UUI_MAX];
	struct sdp *sdp;
	int n;

	if (sip->sip_from) {
		TEXT(sip_hdr_url, BIG, sip->sip_from->a_url);
		TEXT(sip_hdr_url, SMALL, sip->sip_from->a_url);
		TEXT(sip_hdr_display, 64, sip->sip_from->a_display);
		TEXT(sip_hdr_display, SMALL, sip->sip_from->a_display);
	}
	if (sip->sip_to)
		TEXT(sip_hdr_url, BIG, sip->sip_to->a_url);
	if (sip->sip_reason) {
		TEXT(sip_hdr_reason, 128, sip->sip_reason);
		TEXT(sip_hdr_reason, SMALL, sip->sip_reason);
	}
	if (sip->sip_call_id)
		TEXT(sip_hdr_call_id, 128, sip->sip_call_id);
	for (un = sip->sip_unknown; un; un = un->un_next) {
		if (!un->un_name || strcasecmp(un->un_name, "User-to-User") ||
		    !un->un_value)
			continue;
		n = sip_uui_decode(un->un_value, uui, sizeof(uui));
		CHECK(n >= -1 && n <= SIP_UUI_MAX);
	}
	/* an INFO's digit (stack.c on_info): one of the sixteen, or none */
	{
		char d = sip_hdr_info_digit(sip);

		CHECK(!d || strchr("0123456789*#ABCD", d));
	}
	/* what the stack hands to sdp_parse (stack.c: only application/sdp) */
	if (sip->sip_payload && sip->sip_content_type &&
	    sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") == 0) {
		sdp = malloc(sizeof(*sdp));
		if (!sdp)
			return;
		(void)sdp_parse(sip->sip_payload->pl_data,
		                sip->sip_payload->pl_len, sdp);
		free(sdp);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_t *msg;
	sip_t *sip;

	/* sofia-sip's UDP transport takes datagrams up to 64 KiB */
	if (size > 65535)
		return 0;
	msg = msg_make(sip_default_mclass(), 0, data, (ssize_t)size);
	if (!msg)
		return 0;
	sip = sip_object(msg);
	if (sip)
		read_headers(sip);
	msg_destroy(msg);
	return 0;
}
