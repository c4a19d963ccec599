/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The request engine: how a TAPI function reaches a provider. The one
 * place the core lock is released around a provider call (DESIGN.md:
 * core/op.c): asynchronous operations on a call, from checks to the
 * LINE_REPLY, and the same lock rule for synchronous provider calls.
 */
#ifndef TAPIX_CORE_OP_H
#define TAPIX_CORE_OP_H

#include "core/core.h"

/* A state mask that also admits a call with no state reported yet. */
#define OP_STATE_NONE_YET  0x80000000u
#define OP_STATES_NOT_IDLE (~(uint32_t)LINECALLSTATE_IDLE)

/*
 * LINECALLPARAMS as checked and normalised for a provider (the 2.0
 * layout), and the strings TAPI keeps for LINECALLINFO. Each is NULL or a
 * mem_alloc'd block owned by whoever holds the struct.
 */
struct op_params {
	LINECALLPARAMS *norm;
	char *displayable;
	char *called_party;
	char *comment;
};

void op_params_free(struct op_params *p);

/* One asynchronous operation on a call, from checks to LINE_REPLY. */
struct op {
	struct callh *ch;
	struct call *call;
	struct provider *p;
	struct req *req;
	HDRVCALL hd;
};

/*
 * spec: tapi-functions.md §0.3 steps 1, 2 — initialized, a live call
 * handle. Core lock held; fills @x.
 */
LONG op_lookup_locked(uint32_t hCall, struct op *x);

/* spec: §0.3 steps 5, 6 — OWNER, and a state in @states. */
LONG op_allowed_locked(const struct op *x, uint32_t states);

/* Both of the above, for operations without pointer arguments. */
LONG op_check_locked(uint32_t hCall, uint32_t states, struct op *x);

/*
 * Registers the request (its LINE_REPLY guard per termination.md §3),
 * holds the call and releases the core lock, ready for the provider.
 * On error (LINEERR_NOMEM) nothing changed and the lock is still held.
 */
LONG op_start_locked(struct op *x);

/* After the provider returned @r: the request's outcome for the app. */
LONG op_finish(struct op *x, LONG r);

/*
 * A call a creating request makes on @o's line for @o's app, taking the
 * strings of @vp (may be NULL); its handle goes to *@out when the request
 * succeeds. NULL, or a call without app_name, when memory ran out (the
 * request then fails with LINEERR_NOMEM). Core lock held.
 */
struct call *op_new_call_locked(struct open *o, struct req *req, LPHCALL out,
                                struct op_params *vp);

/*
 * The lock rule of every provider call an app starts (DESIGN.md: no call
 * into a provider with a core lock held): begin counts the call in flight
 * (the session does not end under it), releases the core lock and enters
 * the provider (@p's serialisation); end leaves the provider, takes the
 * lock back and ends the count. Core lock held on entry to begin and on
 * return from end; whatever the caller uses afterwards it has kept alive
 * by a reference, a claim or a lookup again.
 */
void op_tspi_begin_locked(struct provider *p);
void op_tspi_end(struct provider *p);

/* Whether @p exports the TSPI function at @fn, an offsetof(struct tspi, ...).
 */
bool op_tspi_has(const struct provider *p, size_t fn);

/*
 * Synchronous provider calls an app starts, each under the lock rule of
 * op_tspi_begin_locked: core lock held on entry and on return, released
 * during the call; the provider's result is returned as is. The caller
 * keeps what it passes alive across the call (@call by a reference, the
 * line of lineGetLineDevStatus by claiming its device); the session
 * cannot end meanwhile.
 */
LONG op_get_call_info_locked(struct call *call, LPLINECALLINFO buf);
LONG op_get_call_status_locked(struct call *call, LPLINECALLSTATUS buf);
LONG op_get_line_dev_status_locked(struct tline *tl, LPLINEDEVSTATUS buf);
LONG op_negotiate_locked(struct device *dev, uint32_t lo, uint32_t hi,
                         LPDWORD version);
LONG op_get_dev_caps_locked(struct device *dev, uint32_t version,
                            LPLINEDEVCAPS buf);
LONG op_get_address_caps_locked(struct device *dev, uint32_t address,
                                uint32_t version, LPLINEADDRESSCAPS buf);

#endif /* TAPIX_CORE_OP_H */
