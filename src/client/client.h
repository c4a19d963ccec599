/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client mode: with TAPIX_SERVICE set when a process registers, every
 * tapi.h function goes to tapixd over D-Bus (org.tapix.Tapi1, see
 * docs/service.md) instead of the embedded core, with the same results,
 * handles, messages and notification options. The exported functions
 * (src/rpc/entry.c) ask client_on() first and forward to the cl_
 * functions here.
 */
#ifndef TAPIX_CLIENT_H
#define TAPIX_CLIENT_H

#include <stdbool.h>

#include <tapi.h>

#include "rpc/rpc.h"

/* How many registrations this process has with tapixd (atomic; written
 * with both of the client's locks held, client.c). */
extern unsigned client_napps;

/* True while this process's registrations are the service's. Inline:
 * every exported function asks. */
static inline bool client_on(void)
{
	return __atomic_load_n(&client_napps, __ATOMIC_ACQUIRE) > 0;
}

/*
 * For a new registration, with none in embedded mode: @where ("system",
 * "session" or a D-Bus address) is the service to use; the connection is
 * made (or kept) by the registering function.
 */
void client_use(const char *where);

LONG cl_lineInitializeEx(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                         LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                         LPDWORD lpdwAPIVersion,
                         LPLINEINITIALIZEEXPARAMS lpParams);
LONG cl_lineInitialize(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                       LPCSTR lpszAppName, LPDWORD lpdwNumDevs);

/*
 * cl_<fn> for each RPC, RPC_OWN and RPC_LOCAL row of rpc/calls.def, with
 * the row's (the public function's) return type and parameters: the
 * function made on tapixd (its method, or its channel op; RPC_LOCAL: the
 * client's own queue), with the same result and the same effects on the
 * app's memory and messages as in embedded mode. The registrations
 * (RPC_REG, RPC_ALIAS) are the two above: the mode is chosen in them.
 */
#define RPC(fn, ret, params, ...)       ret cl_##fn(RPC_PROTO(params));
#define RPC_OWN(fn, ret, params, ...)   ret cl_##fn(RPC_PROTO(params));
#define RPC_LOCAL(fn, ret, params, ...) ret cl_##fn(RPC_PROTO(params));
#include "rpc/calls.def"

/* Registrations and pending requests alive in client mode (live counts). */
unsigned client_live(void);

#endif /* TAPIX_CLIENT_H */
