/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded implementations of the functions rpc/calls.def lists, as
 * src/rpc/entry.c calls them: the exported functions are defined there,
 * once, and choose the mode (in client mode, the client's stub; otherwise
 * the api_<fn> below). src/api itself knows nothing of the client
 * (tests/style.sh).
 */
#ifndef TAPIX_API_ENTRY_H
#define TAPIX_API_ENTRY_H

#include <stdint.h>

#include <tapi.h>
#include <tapix/tapix.h>

#include "rpc/rpc.h"

/*
 * api_<fn> for each RPC, RPC_OWN and RPC_LOCAL row of rpc/calls.def, with
 * the row's (the public function's) return type and parameters: the
 * public function in embedded mode, in the core of this process.
 */
#define RPC(fn, ret, params, ...)       ret api_##fn(RPC_PROTO(params));
#define RPC_OWN(fn, ret, params, ...)   ret api_##fn(RPC_PROTO(params));
#define RPC_LOCAL(fn, ret, params, ...) ret api_##fn(RPC_PROTO(params));
#include "rpc/calls.def"

/* ---- the registrations (RPC_REG, RPC_ALIAS): checks, then the mode */

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

/*
 * lineInitializeEx in embedded mode, its arguments checked by
 * api_init_ex_check (@mode, @portfd: what it found). @lpszModuleName is
 * the registration's module name (lineHandoff's), NULL for this
 * executable's.
 */
LONG api_register_ex(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                     LPCSTR lpszFriendlyAppName, LPCSTR lpszModuleName,
                     LPDWORD lpdwNumDevs, LPDWORD lpdwAPIVersion,
                     LPLINEINITIALIZEEXPARAMS lpParams, uint32_t mode,
                     int portfd);

/* The argument checks of lineInitialize (both modes). No lock. */
LONG api_init_check(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                    LPCSTR lpszAppName, LPDWORD lpdwNumDevs);

/* lineInitialize in embedded mode, its arguments checked by
 * api_init_check. */
LONG api_register_legacy(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                         LPCSTR lpszAppName, LPDWORD lpdwNumDevs);

/*
 * Where a new registration of a process with none in client mode goes:
 * with embedded registrations, here (0); otherwise to the service
 * TAPIX_SERVICE names, or (TAPIX_SERVICE unset) the configuration's
 * [tapix] service does (1, and *@where is it, for mem_free). An empty
 * TAPIX_SERVICE keeps the process embedded (tapixd itself sets it so).
 * @return 0, 1, or LINEERR_NOMEM (*@where NULL but for 1).
 */
LONG api_service_target(char **where);

/* tapix_live_get of the embedded core alone. */
void api_live_get(struct tapix_live *out);

#endif /* TAPIX_API_ENTRY_H */
