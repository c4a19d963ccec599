/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exported functions of rpc/calls.def, and the one place where the
 * mode is chosen: while this process's registrations are tapixd's
 * (client_on), each goes to the client's cl_<fn> (client/client.h),
 * otherwise to the embedded api_<fn> (api/entry.h). The registrations
 * choose the mode themselves, after their argument checks.
 */
#include <tapi.h>
#include <tapix/tapix.h>

#include "api/entry.h"
#include "client/client.h"
#include "util/lockcheck.h"
#include "util/mem.h"

/*
 * RPC, RPC_OWN, RPC_LOCAL: the row's function, forwarded as the mode is.
 * Debug builds check that the caller holds no lock of libtapix's own
 * applications (RAS, TAPI 3: util/lockcheck.h).
 */
#define RPC_ENTRY(fn, ret, params)                         \
	ret fn(RPC_PROTO(params))                          \
	{                                                  \
		lockcheck_assert_no_app_lock();            \
		if (client_on())                           \
			return cl_##fn(RPC_NAMES(params)); \
		return api_##fn(RPC_NAMES(params));        \
	}
#define RPC(fn, ret, params, ...)       RPC_ENTRY(fn, ret, params)
#define RPC_OWN(fn, ret, params, ...)   RPC_ENTRY(fn, ret, params)
#define RPC_LOCAL(fn, ret, params, ...) RPC_ENTRY(fn, ret, params)
/* RPC_REG, RPC_ALIAS: the two registrations, below */
#include "rpc/calls.def"

/*
 * Whether a new registration goes to tapixd: yes while this process's
 * registrations are the service's; with none, where api_service_target
 * says (the target then set with client_use). 0, 1 or a LINEERR_.
 */
static LONG entry_use_service(void)
{
	char *where = NULL;
	LONG r;

	if (client_on())
		return 1;
	r = api_service_target(&where);
	if (r == 1)
		client_use(where);
	mem_free(where);
	return r;
}

LONG WINAPI lineInitializeExA(LPHLINEAPP lphLineApp, HINSTANCE hInstance,
                              LINECALLBACK lpfnCallback,
                              LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                              LPDWORD lpdwAPIVersion,
                              LPLINEINITIALIZEEXPARAMS lpParams)
{
	uint32_t mode = 0;
	int portfd = -1;
	LONG r;

	lockcheck_assert_no_app_lock();
	(void)hInstance;
	r = api_init_ex_check(lphLineApp, lpfnCallback, lpszFriendlyAppName,
	                      lpdwNumDevs, lpdwAPIVersion, lpParams, &mode,
	                      &portfd);
	if (r)
		return r;
	/* the service checks nothing more than the core would */
	r = entry_use_service();
	if (r < 0)
		return r;
	if (r)
		return cl_lineInitializeEx(lphLineApp, lpfnCallback,
		                           lpszFriendlyAppName, lpdwNumDevs,
		                           lpdwAPIVersion, lpParams);
	return api_register_ex(lphLineApp, lpfnCallback, lpszFriendlyAppName,
	                       NULL, lpdwNumDevs, lpdwAPIVersion, lpParams,
	                       mode, portfd);
}

LONG WINAPI lineInitialize(LPHLINEAPP lphLineApp, HINSTANCE hInstance,
                           LINECALLBACK lpfnCallback, LPCSTR lpszAppName,
                           LPDWORD lpdwNumDevs)
{
	LONG r;

	lockcheck_assert_no_app_lock();
	(void)hInstance;
	r = api_init_check(lphLineApp, lpfnCallback, lpszAppName, lpdwNumDevs);
	if (r)
		return r;
	r = entry_use_service();
	if (r < 0)
		return r;
	if (r)
		return cl_lineInitialize(lphLineApp, lpfnCallback, lpszAppName,
		                         lpdwNumDevs);
	return api_register_legacy(lphLineApp, lpfnCallback, lpszAppName,
	                           lpdwNumDevs);
}

void tapix_live_get(struct tapix_live *out)
{
	api_live_get(out);
	/* client mode: registrations and requests held for the service */
	out->apps += client_live();
}
