/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the SIP provider reads from a peer's SIP headers, as text: the
 * far end's and our URI and display name, the Reason header and the
 * Call-ID (for LINECALLINFO and its device-specific part, tapix-sip(7)).
 * Everything here comes from the network: each function writes a
 * NUL-terminated string of at most @size - 1 bytes into @out, one line
 * (no CR or LF), and writes "" when the header is absent or does not fit.
 * Fuzzed with sofia-sip's message parser in front (fuzz/sip_msg.c).
 */
#ifndef TAPIX_SIP_HDR_H
#define TAPIX_SIP_HDR_H

#include <stddef.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/url.h>

/* @url as text ("sip:user@host"), or "" when it does not fit. */
void sip_hdr_url(char *out, size_t size, const url_t *url);

/* A display name without its quotes, cut to @size. */
void sip_hdr_display(char *out, size_t size, const char *display);

/* The Reason header ("SIP;cause=480;text=..."), cut to @size. */
void sip_hdr_reason(char *out, size_t size, const sip_reason_t *reason);

/* The Call-ID, or "" when it does not fit. */
void sip_hdr_call_id(char *out, size_t size, const sip_call_id_t *id);

/*
 * The digit an INFO of @sip carries (the de-facto application/dtmf-relay
 * body, a line "Signal=5", or application/dtmf, "5"; either body under
 * 128 bytes): '0'-'9', '*', '#' or 'A'-'D' (a-d taken as A-D), or '\0'
 * when there is none (another type, no body, no digit).
 */
char sip_hdr_info_digit(const sip_t *sip);

#endif
