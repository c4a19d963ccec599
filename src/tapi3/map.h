/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI 2 → TAPI 3 mappings of tapi3-call-control.md, as pure functions
 * (each table of the spec is one function; test_tapi3_map checks them row
 * by row).
 */
#ifndef TAPIX_TAPI3_MAP_H
#define TAPIX_TAPI3_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include <tapix/tapi3.h>

/* How a LINECALLSTATE_ report shows in TAPI 3 (spec §2). */
struct map_state {
	CALL_STATE state;
	CALL_STATE_EVENT_CAUSE cause; /* for CS_DISCONNECTED, else CEC_NONE */
	bool drop; /* BUSY, SPECIALINFO: the layer drops the call itself */
};

/*
 * Maps @t2_state (with its mode, and whether the call had been connected)
 * to *@out. Returns false when the report gives no TAPI 3 state (UNKNOWN,
 * or a value that is no state). IDLE maps to CS_DISCONNECTED, cause NORMAL:
 * the caller reports it only if nothing was reported yet.
 */
bool map_state(uint32_t t2_state, uint32_t mode, bool was_connected,
               struct map_state *out);

/* LINEDISCONNECTMODE_ → cause (spec §3). */
CALL_STATE_EVENT_CAUSE map_disconnect_mode(uint32_t mode, bool was_connected);

/*
 * A LINEERR_ → HRESULT (spec §6); @unavail_is_fail: the method documents
 * E_FAIL for an operation the provider lacks (BlindTransfer, Transfer...).
 * 0 and positive values (request ids) are S_OK.
 */
HRESULT map_lineerr(LONG err, bool unavail_is_fail);

/* Why a synchronous Connect failed, as its HRESULT (spec §5.1). */
HRESULT map_cause_hresult(CALL_STATE_EVENT_CAUSE cause);

/*
 * Disconnect(@code) in @state (spec §5.3): the cause the application will
 * see and the hint for the provider (a LINEDISCONNECTMODE_).
 */
void map_disconnect_code(CALL_STATE state, DISCONNECT_CODE code,
                         CALL_STATE_EVENT_CAUSE *cause, uint32_t *hint);

/* TAPIMEDIATYPE_ bits every function accepts. */
#define MAP_MEDIA_KNOWN                                                        \
	(TAPIMEDIATYPE_AUDIO | TAPIMEDIATYPE_DATAMODEM | TAPIMEDIATYPE_G3FAX | \
	 TAPIMEDIATYPE_VIDEO | TAPIMEDIATYPE_MULTITRACK)

/*
 * TAPIMEDIATYPE_ bits → LINEMEDIAMODE_ bits: for a line open (@open: AUDIO
 * is INTERACTIVEVOICE|AUTOMATEDVOICE) or a call (AUDIO is
 * INTERACTIVEVOICE). MULTITRACK has no line media mode and maps to nothing.
 */
uint32_t map_media_to_line(uint32_t media_types, bool open);

/* LINEMEDIAMODE_ bits → the TAPIMEDIATYPE_ bits they support. */
uint32_t map_media_from_line(uint32_t media_modes);

#endif /* TAPIX_TAPI3_MAP_H */
