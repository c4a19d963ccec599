/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parts of the SIP provider that need no SIP stack, so that they can be
 * unit-tested and fuzzed alone: the RFC 7433 User-to-User header, and what
 * a SIP final status means as a TAPI call state and disconnect mode.
 */
#ifndef TAPIX_SIP_UUI_H
#define TAPIX_SIP_UUI_H

#include <stddef.h>
#include <stdint.h>

#include <tspi.h>

/* Largest UUI carried, in bytes (the ISDN UUI limit, RFC 7434). */
#define SIP_UUI_MAX 128

/**
 * Writes the value of a User-to-User header carrying @len bytes of @data
 * (1 .. SIP_UUI_MAX): the bytes in hex, then ";encoding=hex". Returns the
 * length written (NUL not counted), or 0 if @size is too small or @len is
 * out of range.
 */
size_t sip_uui_encode(char *out, size_t size, const uint8_t *data, size_t len);

/**
 * Decodes the value of one User-to-User header (RFC 7433): the first
 * uui-value of a comma-separated list whose data can be decoded. With
 * ";encoding=hex" the data must be an even number of hex digits; without
 * an encoding parameter, data that is valid hex is decoded as hex (common
 * practice), else its bytes are taken as they are (a token, or a quoted
 * string without its quotes). Values with an unknown encoding, or a
 * "purpose" other than isdn-uui, are skipped.
 *
 * Returns the number of bytes written to @out (at most @max), or -1 if no
 * value could be decoded or the data is longer than @max.
 */
int sip_uui_decode(const char *value, uint8_t *out, size_t max);

/** What a SIP final status does to an outgoing call (spec: see docs). */
struct sip_outcome {
	DWORD state; /* LINECALLSTATE_BUSY or LINECALLSTATE_DISCONNECTED */
	DWORD mode;  /* LINEBUSYMODE_ or LINEDISCONNECTMODE_ value */
};

/**
 * Maps final status @status (300..699, or one of the stack's internal
 * 9xx codes) of an outgoing INVITE to a TAPI outcome, using only values
 * defined for the line's negotiated @version.
 */
struct sip_outcome sip_status_outcome(int status, DWORD version);

/**
 * The disconnect mode for a call that ended for a reason the stack gives
 * as @status (a BYE received: 0; a session lost: 408, 481, 503...), for
 * @version.
 */
DWORD sip_lost_mode(int status, DWORD version);

#endif /* TAPIX_SIP_UUI_H */
