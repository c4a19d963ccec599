/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the entry points of src/api/. */
#ifndef TAPIX_API_API_H
#define TAPIX_API_API_H

#include "core/core.h"

/*
 * spec: tapi-functions.md §0.3 step 1 — with no registration at all in
 * this process every function answers LINEERR_UNINITIALIZED. Core lock held.
 */
static inline LONG api_check_init_locked(void)
{
	core_assert_locked();
	return core.napps == 0 ? LINEERR_UNINITIALIZED : 0;
}

/* A state mask that also admits a call with no state reported yet. */
#define OP_STATE_NONE_YET  0x80000000u
#define OP_STATES_NOT_IDLE (~(uint32_t)LINECALLSTATE_IDLE)
/* Most a query copies from a provider beyond the fixed part. */
#define QUERY_BUF_MAX (1u << 20)

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
LONG op_lookup_locked(HCALL hCall, struct op *x);

/* spec: §0.3 steps 5, 6 — OWNER, and a state in @states. */
LONG op_allowed_locked(const struct op *x, uint32_t states);

/* Both of the above, for operations without pointer arguments. */
LONG op_check_locked(HCALL hCall, uint32_t states, struct op *x);

/*
 * Registers the request (its LINE_REPLY guard per termination.md §3),
 * holds the call and releases the core lock, ready for the provider.
 * On error (LINEERR_NOMEM) nothing changed and the lock is still held.
 */
LONG op_start_locked(struct op *x);

/* After the provider returned @r: the request's outcome for the app. */
LONG op_finish(struct op *x, LONG r);

struct vs_params;

/*
 * Checks (and normalises into @vp) call parameters for @dev at the app's
 * API @version; NULL @cp is fine. 0 or the LINEERR_ to return.
 */
LONG op_params_check(const struct device *dev, uint32_t version,
                     const LINECALLPARAMS *cp, struct vs_params *vp);

/*
 * A call a creating request makes on @o's line for @o's app, taking the
 * strings of @vp (may be NULL); its handle goes to *@out when the request
 * succeeds. NULL, or a call without app_name, when memory ran out (the
 * request then fails with LINEERR_NOMEM). Core lock held.
 */
struct call *op_new_call_locked(struct open *o, struct req *req, LPHCALL out,
                                struct vs_params *vp);

/* spec: tapi-functions.md §1 — an app name TAPI accepts (NULL is one). */
LONG api_check_app_name(const char *name);

/*
 * The argument checks of lineInitializeEx (both modes): pointers, sizes,
 * the notification option (*mode_out) and its descriptor (*portfd_out),
 * the app name. No lock.
 */
LONG api_init_ex_check(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                       LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                       LPDWORD lpdwAPIVersion,
                       LPLINEINITIALIZEEXPARAMS lpParams, uint32_t *mode_out,
                       int *portfd_out);

#endif /* TAPIX_API_API_H */
