/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entry points for registrations and devices: lineInitializeEx,
 * lineInitialize, lineShutdown, lineGetMessage, lineNegotiateAPIVersion,
 * lineGetDevCaps, lineGetAddressCaps (spec: tapi-functions.md §1-§4, §7).
 */
#define LOG_MODULE "api"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/entry.h"
#include "api/varstruct.h"
#include "core/config.h"
#include "tapix/service.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#define APP_NAME_MAX 256
#define CAPS_BUF_MAX (1u << 20)

LONG api_check_app_name(const char *name)
{
	size_t i, len;

	if (!name)
		return 0;
	len = strnlen(name, APP_NAME_MAX + 1);
	if (len > APP_NAME_MAX)
		return LINEERR_INVALAPPNAME;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7F)
			return LINEERR_INVALAPPNAME;
	}
	return 0;
}

LONG api_service_target(char **where)
{
	const char *env = getenv("TAPIX_SERVICE");
	LONG yes = 0;
	bool embedded;
	struct conf c;
	int err;

	*where = NULL;
	core_lock();
	embedded = core.napps > 0;
	core_unlock();
	if (embedded)
		return 0;
	if (env) {
		if (!*env)
			return 0;
		*where = mem_strdup(env);
		return *where ? 1 : LINEERR_NOMEM;
	}
	err = conf_load(&c);
	if (err == -ENOMEM)
		return LINEERR_NOMEM;
	if (err == 0) {
		if (c.service && *c.service) {
			*where = mem_strdup(c.service);
			yes = *where ? 1 : LINEERR_NOMEM;
		}
		conf_free(&c);
	}
	/* a file that cannot be read fails the embedded start, as before */
	return yes;
}

LONG api_init_ex_check(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                       LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                       LPDWORD lpdwAPIVersion,
                       LPLINEINITIALIZEEXPARAMS lpParams, uint32_t *mode_out,
                       int *portfd_out)
{
	uint32_t mode;
	int portfd = -1;

	/* spec: tapi-functions.md §1 */
	if (!lphLineApp || !lpdwNumDevs || !lpdwAPIVersion || !lpParams)
		return LINEERR_INVALPOINTER;
	if (lpParams->dwTotalSize < sizeof(LINEINITIALIZEEXPARAMS))
		return LINEERR_STRUCTURETOOSMALL;
	mode = lpParams->dwOptions &
	       ~(uint32_t)LINEINITIALIZEEXOPTION_CALLHUBTRACKING;
	if (mode < LINEINITIALIZEEXOPTION_USEHIDDENWINDOW ||
	    mode > LINEINITIALIZEEXOPTION_USECOMPLETIONPORT)
		return LINEERR_INVALPARAM;
	if (mode == LINEINITIALIZEEXOPTION_USEHIDDENWINDOW && !lpfnCallback)
		return LINEERR_INVALPOINTER;
	if (mode == LINEINITIALIZEEXOPTION_USECOMPLETIONPORT) {
		int fl;

		portfd = TAPIX_HANDLE_TO_FD(lpParams->Handles.hCompletionPort);
		fl = portfd >= 0 ? fcntl(portfd, F_GETFL) : -1;
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
			return LINEERR_INVALPARAM;
	}
	*mode_out = mode;
	*portfd_out = portfd;
	return api_check_app_name(lpszFriendlyAppName);
}

LONG api_register_ex(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                     LPCSTR lpszFriendlyAppName, LPCSTR lpszModuleName,
                     LPDWORD lpdwNumDevs, LPDWORD lpdwAPIVersion,
                     LPLINEINITIALIZEEXPARAMS lpParams, uint32_t mode,
                     int portfd)
{
	uint32_t api;
	int evfd = -1;
	HLINEAPP h = 0;
	DWORD ndevs = 0;
	LONG r;

	struct app_reg reg = {
		.mode = mode,
		.cb = mode == LINEINITIALIZEEXOPTION_USEHIDDENWINDOW
	                      ? lpfnCallback
	                      : NULL,
		.name = lpszFriendlyAppName,
		.module = lpszModuleName,
		.portfd = portfd,
		.port_key = lpParams->dwCompletionKey,
	};

	api = *lpdwAPIVersion < VER_HIGH ? *lpdwAPIVersion : VER_HIGH;
	reg.api_version = api;
	r = app_register(&reg, &h, &ndevs, &evfd);
	if (r)
		return r;
	*lphLineApp = h;
	*lpdwNumDevs = ndevs;
	*lpdwAPIVersion = VER_HIGH;
	lpParams->dwNeededSize = lpParams->dwUsedSize =
		sizeof(LINEINITIALIZEEXPARAMS);
	if (mode == LINEINITIALIZEEXOPTION_USEEVENT)
		lpParams->Handles.hEvent = TAPIX_FD_TO_HANDLE(evfd);
	return 0;
}

LONG api_init_check(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                    LPCSTR lpszAppName, LPDWORD lpdwNumDevs)
{
	if (!lphLineApp || !lpdwNumDevs || !lpfnCallback)
		return LINEERR_INVALPOINTER;
	return api_check_app_name(lpszAppName);
}

LONG api_register_legacy(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                         LPCSTR lpszAppName, LPDWORD lpdwNumDevs)
{
	int evfd;
	HLINEAPP h = 0;
	DWORD ndevs = 0;
	LONG r;

	const struct app_reg reg = {
		.mode = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW,
		.cb = lpfnCallback,
		.name = lpszAppName,
		.api_version = VER_1_4,
		.portfd = -1,
	};

	r = app_register(&reg, &h, &ndevs, &evfd);
	if (r)
		return r;
	*lphLineApp = h;
	*lpdwNumDevs = ndevs;
	return 0;
}

LONG WINAPI api_lineShutdown(HLINEAPP hLineApp)
{
	return app_shutdown(hLineApp);
}

/* lineGetMessage's wait for a message (dwTimeout not 0): out of line,
 * so that the poll without a wait stays small. Core lock held. */
static __attribute__((noinline)) LONG
wait_message(struct app *app, LPLINEMESSAGE lpMessage, DWORD dwTimeout)
{
	LONG r;

	app_ref_locked(app); /* lineShutdown may run while it waits */
	r = msgq_wait_locked(&app->q, lpMessage, dwTimeout);
	app_unref_locked(app);
	return r;
}

LONG WINAPI api_lineGetMessage(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage,
                               DWORD dwTimeout)
{
	struct app *app;
	LONG r;

	core_lock();
	/* a live app means an initialized core: that check only on failure */
	app = app_get_locked(hLineApp);
	/* spec: tapi-functions.md §7 — only for USEEVENT registrations */
	if (!app || app->mode != LINEINITIALIZEEXOPTION_USEEVENT) {
		r = core_check_init_locked();
		if (!r)
			r = LINEERR_INVALAPPHANDLE;
		goto out;
	}
	if (!lpMessage) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (dwTimeout == 0) {
		/*
		 * no wait: the lock is held throughout, and a live app's
		 * queue has not ended (app_kill_locked does both)
		 */
		r = msgq_pop_with_locked(&app->q, lpMessage, NULL,
		                         app_msg_deliverable_locked)
		            ? 0
		            : LINEERR_OPERATIONFAILED;
		goto out;
	}
	r = wait_message(app, lpMessage, dwTimeout);
out:
	core_unlock();
	return r;
}

/* Device checks common to the device functions; core lock held. */
static LONG device_check(HLINEAPP hLineApp, DWORD id, struct device **out)
{
	LONG r = core_check_init_locked();

	if (r)
		return r;
	if (!app_get_locked(hLineApp))
		return LINEERR_INVALAPPHANDLE;
	*out = core_device_locked(id, &r);
	if (!*out)
		return r;
	if ((*out)->version == 0)
		return LINEERR_NODRIVER;
	return 0;
}

LONG WINAPI api_lineNegotiateAPIVersion(HLINEAPP hLineApp, DWORD dwDeviceID,
                                        DWORD dwAPILowVersion,
                                        DWORD dwAPIHighVersion,
                                        LPDWORD lpdwAPIVersion,
                                        LPLINEEXTENSIONID lpExtensionID)
{
	struct device *dev;
	uint32_t lo, hi;
	DWORD v = 0;
	LONG r;

	core_lock();
	r = device_check(hLineApp, dwDeviceID, &dev);
	if (r)
		goto out;
	if (!lpdwAPIVersion || !lpExtensionID) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	/* spec: tapi-functions.md §3 — app, TAPI and provider ranges meet */
	lo = dwAPILowVersion > VER_LOW ? dwAPILowVersion : VER_LOW;
	hi = dwAPIHighVersion < dev->version ? dwAPIHighVersion : dev->version;
	if (dwAPILowVersion > dwAPIHighVersion || lo > hi) {
		r = LINEERR_INCOMPATIBLEAPIVERSION;
		goto out;
	}
	r = op_negotiate_locked(dev, lo, hi, &v);
	if (r == 0 && (v < lo || v > hi || !vs_version_known(v)))
		r = LINEERR_INCOMPATIBLEAPIVERSION;
	if (r == 0) {
		*lpdwAPIVersion = v;
		memset(lpExtensionID, 0, sizeof(*lpExtensionID));
	}
out:
	core_unlock();
	return r;
}

/*
 * Runs a caps query into a private buffer and repacks it into the app's:
 * a provider writing outside its structure cannot reach the app's memory.
 */
static LONG caps_query(struct device *dev, void *dst, uint32_t fixed,
                       const struct vs_layout *layout, bool address,
                       DWORD address_id, DWORD version)
{
	uint32_t total, cap;
	uint8_t *buf;
	unsigned bad;
	LONG r;

	memcpy(&total, dst, sizeof(total));
	cap = total > CAPS_BUF_MAX ? CAPS_BUF_MAX : total;
	buf = mem_zalloc(cap);
	if (!buf)
		return LINEERR_NOMEM;
	memcpy(buf, &cap, 4);
	memcpy(buf + 4, &fixed, 4);
	memcpy(buf + 8, &fixed, 4);
	if (address)
		r = op_get_address_caps_locked(dev, address_id, version,
		                               (LPLINEADDRESSCAPS)buf);
	else
		r = op_get_dev_caps_locked(dev, version, (LPLINEDEVCAPS)buf);
	if (r == 0) {
		bad = vs_repack(dst, fixed, buf, fixed, cap, layout, NULL, 0);
		if (bad)
			log_warn("line %u: provider caps had %u bad parts",
			         dev->id, bad);
	}
	mem_free(buf);
	return r;
}

static LONG caps_check(struct device *dev, DWORD version, DWORD ext,
                       const void *buf, uint32_t fixed)
{
	uint32_t total;

	if (!vs_version_known(version) || version > dev->version)
		return LINEERR_INCOMPATIBLEAPIVERSION;
	if (ext != 0)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	memcpy(&total, buf, sizeof(total));
	if (total < fixed)
		return LINEERR_STRUCTURETOOSMALL;
	return 0;
}

LONG WINAPI api_lineGetDevCapsA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                DWORD dwAPIVersion, DWORD dwExtVersion,
                                LPLINEDEVCAPS lpLineDevCaps)
{
	struct device *dev;
	uint32_t fixed = vs_devcaps_fixed(dwAPIVersion);
	LONG r;

	core_lock();
	r = device_check(hLineApp, dwDeviceID, &dev);
	if (r)
		goto out;
	if (!lpLineDevCaps) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	r = caps_check(dev, dwAPIVersion, dwExtVersion, lpLineDevCaps, fixed);
	if (r)
		goto out;
	r = caps_query(dev, lpLineDevCaps, fixed, &vs_devcaps_layout, false, 0,
	               dwAPIVersion);
	/* spec: tapi-functions.md §4 — TAPI always adds these items */
	if (r == 0)
		lpLineDevCaps->dwLineStates |=
			LINEDEVSTATE_OPEN | LINEDEVSTATE_CLOSE |
			LINEDEVSTATE_REINIT | LINEDEVSTATE_TRANSLATECHANGE;
out:
	core_unlock();
	return r;
}

LONG WINAPI api_lineGetAddressCapsA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                    DWORD dwAddressID, DWORD dwAPIVersion,
                                    DWORD dwExtVersion,
                                    LPLINEADDRESSCAPS lpAddressCaps)
{
	struct device *dev;
	uint32_t fixed = vs_addresscaps_fixed(dwAPIVersion);
	LONG r;

	core_lock();
	r = device_check(hLineApp, dwDeviceID, &dev);
	if (r)
		goto out;
	if (!lpAddressCaps) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	r = caps_check(dev, dwAPIVersion, dwExtVersion, lpAddressCaps, fixed);
	if (r)
		goto out;
	if (dwAddressID >= dev->caps.num_addresses) {
		r = LINEERR_INVALADDRESSID;
		goto out;
	}
	r = caps_query(dev, lpAddressCaps, fixed, &vs_addresscaps_layout, true,
	               dwAddressID, dwAPIVersion);
out:
	core_unlock();
	return r;
}

LONG tapix_initialize_as(LPHLINEAPP lphLineApp, LPCSTR lpszFriendlyAppName,
                         LPCSTR lpszModuleName, LPDWORD lpdwNumDevs,
                         LPDWORD lpdwAPIVersion,
                         LPLINEINITIALIZEEXPARAMS lpParams)
{
	uint32_t mode = 0;
	int portfd = -1;
	LONG r;

	if (!lpszModuleName)
		return LINEERR_INVALPOINTER;
	r = api_check_app_name(lpszModuleName);
	if (r || !*lpszModuleName)
		return LINEERR_INVALAPPNAME;
	/* embedded by definition: never a service's */
	r = api_init_ex_check(lphLineApp, NULL, lpszFriendlyAppName,
	                      lpdwNumDevs, lpdwAPIVersion, lpParams, &mode,
	                      &portfd);
	if (r)
		return r;
	return api_register_ex(lphLineApp, NULL, lpszFriendlyAppName,
	                       lpszModuleName, lpdwNumDevs, lpdwAPIVersion,
	                       lpParams, mode, portfd);
}

HLINEAPP tapix_line_app(HLINE hLine)
{
	struct open *o;
	HLINEAPP h = 0;

	core_lock();
	o = open_get_locked(hLine);
	if (o && o->life == LIFE_ALIVE && o->app->life == LIFE_ALIVE)
		h = o->app->h;
	core_unlock();
	return h;
}

HLINEAPP tapix_call_app(HCALL hCall)
{
	struct callh *ch;
	HLINEAPP h = 0;

	core_lock();
	ch = callh_get_locked(hCall);
	if (ch && ch->open->app->life == LIFE_ALIVE)
		h = ch->open->app->h;
	core_unlock();
	return h;
}

HLINE tapix_call_line(HCALL hCall)
{
	struct callh *ch;
	HLINE h = 0;

	core_lock();
	ch = callh_get_locked(hCall);
	if (ch)
		h = ch->open->h;
	core_unlock();
	return h;
}

DWORD tapix_line_api(HLINE hLine)
{
	struct open *o;
	DWORD v = 0;

	core_lock();
	o = open_get_locked(hLine);
	if (o && o->life == LIFE_ALIVE)
		v = o->api_version;
	core_unlock();
	return v;
}

void api_live_get(struct tapix_live *out)
{
	core_live_get(out);
}

LONG tapix_app_live(HLINEAPP hLineApp, struct tapix_live *out)
{
	struct tapix_live l;
	struct list_node *it, *jt;
	struct app *app;
	LONG r;

	if (!out)
		return LINEERR_INVALPOINTER;
	memset(&l, 0, sizeof(l));
	core_lock();
	r = core_check_init_locked();
	app = r ? NULL : app_get_locked(hLineApp);
	if (!r && !app)
		r = LINEERR_INVALAPPHANDLE;
	if (!r) {
		list_foreach(it, &app->opens) {
			struct open *o = list_entry(it, struct open, app_link);
			bool alone = true;

			l.opens++;
			list_foreach(jt, &o->callhs)
				l.call_handles++;
			/* a provider-level line held by this app only */
			list_foreach(jt, &o->tl->opens) {
				if (list_entry(jt, struct open, tl_link)->app !=
				    app)
					alone = false;
			}
			if (alone && list_entry(o->tl->opens.next, struct open,
			                        tl_link) == o)
				l.lines++; /* (counted at its first open) */
		}
	}
	core_unlock();
	if (!r)
		*out = l;
	return r;
}

LONG tapix_set_event_quiet(HLINEAPP hLineApp, BOOL bQuiet)
{
	struct app *app;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (!r) {
		app = app_get_locked(hLineApp);
		if (!app || app->mode != LINEINITIALIZEEXOPTION_USEEVENT)
			r = LINEERR_INVALAPPHANDLE;
		else
			app_quiet_locked(app, bQuiet != 0);
	}
	core_unlock();
	return r;
}

LONG tapix_get_message_guarded(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage,
                               LPDWORD lpdwGuard)
{
	struct app *app;
	uint32_t guard = 0;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	app = app_get_locked(hLineApp);
	if (!app || app->mode != LINEINITIALIZEEXOPTION_USEEVENT) {
		r = LINEERR_INVALAPPHANDLE;
		goto out;
	}
	if (!lpMessage || !lpdwGuard) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (app_pop_guarded_locked(app, lpMessage, &guard))
		*lpdwGuard = guard;
	else
		r = LINEERR_OPERATIONFAILED;
out:
	core_unlock();
	return r;
}
