/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readable names of TAPI messages, states, modes and errors, for the demo,
 * the tools and test failure messages. Built on tapi.h only.
 */
#ifndef TAPIX_TOOLS_TAPI_NAMES_H
#define TAPIX_TOOLS_TAPI_NAMES_H

#include <stddef.h>

#include <tapi.h>

/* "LINE_CALLSTATE", ...; "?" when unknown. */
const char *tapi_msg_name(DWORD msg);
/* "CONNECTED", ...: the name of one LINECALLSTATE_ bit. */
const char *tapi_state_name(DWORD state);
/* "NORMAL", ...: the name of one LINEDISCONNECTMODE_ bit. */
const char *tapi_disconnect_name(DWORD mode);
/* "LINEERR_INVALCALLHANDLE", ...; "0" for success. */
const char *tapi_error_name(LONG err);
/* "OWNER", "MONITOR" or "NONE" */
const char *tapi_priv_name(DWORD priv);

/* Formats one message into @buf as a readable line; returns @buf. */
char *tapi_format_message(char *buf, size_t len, const LINEMESSAGE *m);

#endif /* TAPIX_TOOLS_TAPI_NAMES_H */
