/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entry points for line opens: lineOpen, lineClose, lineSetStatusMessages,
 * lineGetNewCalls (spec: tapi-functions.md §5, §6, §16, §27),
 * lineGetLineDevStatus.
 */
#define LOG_MODULE "api"
#include <stddef.h>
#include <string.h>

#include "api/api.h"
#include "api/entry.h"
#include "api/varstruct.h"
#include "util/log.h"
#include "util/mem.h"

#define MEDIA_VALID 0x0000FFFEu

static void limits_of(const struct device *dev, struct vs_limits *lim)
{
	lim->num_addresses = dev->caps.num_addresses;
	lim->bearer_modes = dev->caps.bearer_modes;
	lim->media_modes = dev->caps.media_modes;
	lim->max_rate = dev->caps.max_rate;
	lim->uui_make = dev->caps.uui_make;
}

LONG api_params_check(const struct device *dev, uint32_t version,
                      const LINECALLPARAMS *cp, struct op_params *out)
{
	struct vs_params vp;
	struct vs_limits lim;
	LONG r;

	if (!cp)
		return 0;
	limits_of(dev, &lim);
	r = vs_params_check(cp, version, &lim, &vp);
	if (r)
		return r;
	out->norm = vp.norm;
	out->displayable = vp.displayable;
	out->called_party = vp.called_party;
	out->comment = vp.comment;
	return 0;
}

/* spec: tapi-functions.md §5 — LINEMAPPER: first device able to do it. */
static LONG line_mapper(const LINECALLPARAMS *cp, uint32_t version,
                        struct device **out)
{
	size_t i;

	for (i = 0; i < core.ndevs; i++) {
		struct device *dev = core.devs[i];
		struct vs_limits lim;

		if (dev->removed || dev->version < version)
			continue;
		limits_of(dev, &lim);
		if (vs_params_validate(cp, version, &lim) == 0) {
			*out = dev;
			return 0;
		}
	}
	return LINEERR_LINEMAPPERFAILED;
}

/* Checks privileges, media modes and options of lineOpen. */
static LONG check_open_args(const struct device *dev, DWORD version,
                            DWORD privileges, DWORD media,
                            const LINECALLPARAMS *cp)
{
	uint32_t opts = privileges &
	                (LINEOPENOPTION_SINGLEADDRESS | LINEOPENOPTION_PROXY);
	uint32_t priv = privileges & ~opts;
	bool owner = priv & LINECALLPRIVILEGE_OWNER;

	/* spec: tapi-functions.md §5 [proposal, interpretation] */
	if (priv != LINECALLPRIVILEGE_NONE &&
	    priv != LINECALLPRIVILEGE_MONITOR &&
	    priv != LINECALLPRIVILEGE_OWNER &&
	    priv != (LINECALLPRIVILEGE_OWNER | LINECALLPRIVILEGE_MONITOR))
		return LINEERR_INVALPRIVSELECT;
	if (opts && version < VER_2_0)
		return LINEERR_INVALPRIVSELECT;
	if (opts == (LINEOPENOPTION_SINGLEADDRESS | LINEOPENOPTION_PROXY))
		return LINEERR_INVALPRIVSELECT;
	if ((opts & LINEOPENOPTION_SINGLEADDRESS) && !owner)
		return LINEERR_INVALPRIVSELECT;
	if (owner && (media == 0 || (media & ~MEDIA_VALID) ||
	              (media & ~dev->caps.media_modes)))
		return LINEERR_INVALMEDIAMODE;
	if (opts) {
		if (!cp)
			return LINEERR_INVALPOINTER;
		if (cp->dwTotalSize < vs_callparams_fixed(VER_1_4))
			return LINEERR_STRUCTURETOOSMALL;
	}
	if ((opts & LINEOPENOPTION_SINGLEADDRESS) &&
	    (cp->dwAddressMode != LINEADDRESSMODE_ADDRESSID ||
	     cp->dwAddressID >= dev->caps.num_addresses))
		return LINEERR_INVALADDRESSID;
	if (opts & LINEOPENOPTION_PROXY) {
		/* validated only: this project handles no proxy requests */
		uint32_t size = cp->dwDevSpecificSize;
		uint32_t off = cp->dwDevSpecificOffset;

		if (size == 0 || size % 4 ||
		    off < vs_callparams_fixed(VER_1_4) ||
		    off > cp->dwTotalSize || size > cp->dwTotalSize - off)
			return LINEERR_INVALCALLPARAMS;
	}
	return 0;
}

LONG WINAPI api_lineOpenA(HLINEAPP hLineApp, DWORD dwDeviceID, LPHLINE lphLine,
                          DWORD dwAPIVersion, DWORD dwExtVersion,
                          DWORD_PTR dwCallbackInstance, DWORD dwPrivileges,
                          DWORD dwMediaModes,
                          LPLINECALLPARAMS const lpCallParams)
{
	struct app *app;
	struct device *dev = NULL;
	struct tline *tl;
	struct open *o;
	uint32_t opts;
	bool fresh;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r) {
		core_unlock();
		return r;
	}
	/*
	 * No lock is held across the provider calls below: the device's
	 * claim orders this open with the device's other opens and closes,
	 * and the count in flight keeps the session (core.h).
	 */
	core_session_hold_locked();
	app = app_get_locked(hLineApp);
	if (!app) {
		r = LINEERR_INVALAPPHANDLE;
		goto out;
	}
	if (dwDeviceID == LINEMAPPER) {
		if (!lphLine || !lpCallParams) {
			r = LINEERR_INVALPOINTER;
			goto out;
		}
		if (lpCallParams->dwTotalSize < vs_callparams_fixed(VER_1_4)) {
			r = LINEERR_STRUCTURETOOSMALL;
			goto out;
		}
		if (!vs_version_known(dwAPIVersion)) {
			r = LINEERR_INCOMPATIBLEAPIVERSION;
			goto out;
		}
		r = line_mapper(lpCallParams, dwAPIVersion, &dev);
		if (r)
			goto out;
	} else {
		dev = core_device_locked(dwDeviceID, &r);
		if (!dev)
			goto out;
		if (!lphLine) {
			r = LINEERR_INVALPOINTER;
			goto out;
		}
	}
	if (dev->version == 0) {
		r = LINEERR_NODRIVER;
		goto out;
	}
	if (!vs_version_known(dwAPIVersion) || dwAPIVersion > dev->version) {
		r = LINEERR_INCOMPATIBLEAPIVERSION;
		goto out;
	}
	if (dwExtVersion != 0) {
		r = LINEERR_INCOMPATIBLEEXTVERSION;
		goto out;
	}
	r = check_open_args(dev, dwAPIVersion, dwPrivileges, dwMediaModes,
	                    lpCallParams);
	if (r)
		goto out;
	o = open_new_locked(app);
	if (!o) {
		r = LINEERR_NOMEM;
		goto out;
	}
	opts = dwPrivileges &
	       (LINEOPENOPTION_SINGLEADDRESS | LINEOPENOPTION_PROXY);
	o->api_version = dwAPIVersion;
	o->privileges = dwPrivileges & ~opts;
	o->media_modes =
		(o->privileges & LINECALLPRIVILEGE_OWNER) ? dwMediaModes : 0;
	o->single_address = opts & LINEOPENOPTION_SINGLEADDRESS;
	o->address_id = o->single_address ? lpCallParams->dwAddressID : 0;
	o->cbinst = dwCallbackInstance;

	/*
	 * Counted until it returns (lineShutdown waits for it), and held by
	 * a reference of ours: a close meanwhile does not free it.
	 */
	app->nopening++;
	o->refs++;
	/* The device stays claimed while the provider is configured. */
	device_claim_locked(dev);
	if (dev->removed) {
		r = LINEERR_NODEVICE; /* removed while the claim waited */
		goto undo;
	}
	if (app->life != LIFE_ALIVE) {
		r = LINEERR_INVALAPPHANDLE; /* shut down meanwhile */
		goto undo;
	}
	fresh = dev->tl == NULL;
	r = tline_open_locked(dev, &tl);
	if (r)
		goto undo;
	o->tl = tl;
	tline_ref_locked(tl);
	list_add_tail(&tl->opens, &o->tl_link);
	/*
	 * The open takes part from here on: a provider may announce a call
	 * as soon as it learns the media modes, and this open may own it.
	 */
	o->life = LIFE_ALIVE;
	list_add_tail(&app->opens, &o->app_link);
	core.n_opens++;
	if (app->life != LIFE_ALIVE) {
		/* lineShutdown ran while the provider opened the line and did
		 * not see this open: the line is fresh, this its only open */
		device_release_locked(dev);
		close_open_locked(o);
		r = LINEERR_INVALAPPHANDLE;
		goto done;
	}
	r = tline_push_unions_locked(tl, fresh);
	device_release_locked(dev);
	if (r) {
		/* spec: §5 — a rejected media union fails the open */
		if (o->life == LIFE_ALIVE)
			close_open_locked(o);
		goto done;
	}
	if (o->life != LIFE_ALIVE) {
		/* closed while the provider was told the unions: its app's
		 * lineShutdown, or the provider's LINE_CLOSE (§7) */
		r = app->life == LIFE_ALIVE ? LINEERR_OPERATIONFAILED
		                            : LINEERR_INVALAPPHANDLE;
		goto done;
	}
	/* an observer comes and goes unseen (DESIGN.md) */
	o->announced = !app->observer;
	if (o->announced)
		tline_post_devstate_locked(tl, o, LINEDEVSTATE_OPEN, 0, 0);
	*lphLine = o->h;
	log_info("line %u: open %08x by app %08x (privileges %08x)", dev->id,
	         o->h, app->h, o->privileges);
	goto done;
undo:
	device_release_locked(dev);
	htab_del(&core.handles, o->h);
	open_unref_locked(o); /* its handle's */
done:
	if (--app->nopening == 0)
		core_wake_locked();
	open_unref_locked(o); /* ours (the open holds the app until then) */
out:
	core_session_release_locked();
	core_unlock();
	return r;
}

LONG WINAPI api_lineClose(HLINE hLine)
{
	struct open *o;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	o = open_get_locked(hLine);
	if (!o) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	/* as lineOpen: the device's claim, the session held meanwhile */
	core_session_hold_locked();
	close_open_locked(o);
	core_session_release_locked();
out:
	core_unlock();
	return r;
}

LONG WINAPI api_lineSetStatusMessages(HLINE hLine, DWORD dwLineStates,
                                      DWORD dwAddressStates)
{
	struct open *o;
	struct tline *tl;
	struct device *dev;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	o = open_get_locked(hLine);
	if (!o) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (dwLineStates & ~(uint32_t)0x01FFFFFF) {
		r = LINEERR_INVALLINESTATE;
		goto out;
	}
	if (dwAddressStates & ~(uint32_t)0x000001FF) {
		r = LINEERR_INVALADDRESSSTATE;
		goto out;
	}
	o->line_states = dwLineStates;
	o->addr_states = dwAddressStates;
	tl = o->tl;
	dev = tl->dev;
	/* as lineOpen: the device's claim, the session held meanwhile; the
	 * open and its line kept while the claim waits */
	core_session_hold_locked();
	o->refs++;
	tline_ref_locked(tl);
	device_claim_locked(dev);
	if (o->life == LIFE_ALIVE && dev->tl == tl)
		tline_push_unions_locked(tl, false);
	device_release_locked(dev);
	tline_unref_locked(tl);
	open_unref_locked(o);
	core_session_release_locked();
out:
	core_unlock();
	return r;
}

LONG WINAPI api_lineGetLineDevStatusA(HLINE hLine,
                                      LPLINEDEVSTATUS lpLineDevStatus)
{
	struct open *o;
	struct device *dev;
	struct list_node *it;
	uint32_t total, app_fixed, src_fixed, cap, opens = 0, media = 0;
	uint8_t *tmp = NULL;
	bool held = false;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	o = open_get_locked(hLine);
	if (!o || o->life != LIFE_ALIVE) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (!lpLineDevStatus) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	memcpy(&total, lpLineDevStatus, sizeof(total));
	app_fixed = vs_devstatus_fixed(o->api_version);
	if (total < app_fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	dev = o->tl->dev;
	src_fixed = vs_devstatus_fixed(dev->version);
	if (src_fixed < app_fixed)
		src_fixed = app_fixed;
	cap = src_fixed + ((total - app_fixed) > QUERY_BUF_MAX
	                           ? QUERY_BUF_MAX
	                           : total - app_fixed);
	tmp = mem_zalloc(cap);
	if (!tmp) {
		r = LINEERR_NOMEM;
		goto out;
	}
	/* spec: tapi-functions.md §0.4 — sizes preset, pairs zeroed */
	memcpy(tmp, &cap, 4);
	memcpy(tmp + 4, &src_fixed, 4);
	memcpy(tmp + 8, &src_fixed, 4);
	if (op_tspi_has(dev->prov,
	                offsetof(struct tspi, lineGetLineDevStatus))) {
		struct tline *tl = o->tl;

		/*
		 * Once claimed, the device's line is not closed under the
		 * provider call (a close waits for the claim); the open and
		 * the line are held while the claim waits, and the count in
		 * flight keeps the session (DESIGN.md: no lock held across
		 * a provider call).
		 */
		core_session_hold_locked();
		o->refs++; /* until the end: its line's opens are read */
		held = true;
		tline_ref_locked(tl);
		device_claim_locked(dev);
		if (o->life == LIFE_ALIVE && dev->tl == tl)
			r = op_get_line_dev_status_locked(tl,
			                                  (LPLINEDEVSTATUS)tmp);
		else
			r = LINEERR_INVALLINEHANDLE; /* closed meanwhile */
		device_release_locked(dev);
		tline_unref_locked(tl);
		core_session_release_locked();
		if (r == 0 && o->life != LIFE_ALIVE)
			r = LINEERR_INVALLINEHANDLE; /* closed meanwhile */
	} else {
		/* no provider view: in service, the features it announced */
		LPLINEDEVSTATUS ds = (LPLINEDEVSTATUS)tmp;

		ds->dwDevStatusFlags = LINEDEVSTATUSFLAGS_CONNECTED |
		                       LINEDEVSTATUSFLAGS_INSERVICE;
		ds->dwLineFeatures = LINEFEATURE_MAKECALL;
		if (src_fixed >= vs_devstatus_fixed(VER_2_0))
			ds->dwAvailableMediaModes = dev->caps.media_modes;
	}
	if (r == 0) {
		LPLINEDEVSTATUS ds = lpLineDevStatus;
		struct vs_extra none = {offsetof(LINEDEVSTATUS, dwAppInfoSize),
		                        NULL, 0};

		vs_repack(ds, app_fixed, tmp, src_fixed, cap,
		          &vs_devstatus_layout,
		          app_fixed >= vs_devstatus_fixed(VER_2_0) ? &none
		                                                   : NULL,
		          app_fixed >= vs_devstatus_fixed(VER_2_0) ? 1 : 0);
		/* the fields TAPI fills */
		list_foreach(it, &o->tl->opens) {
			struct open *x = list_entry(it, struct open, tl_link);

			/* an observer's open is not counted (DESIGN.md) */
			if (x->life != LIFE_ALIVE || x->app->observer)
				continue;
			opens++;
			if (x->privileges & LINECALLPRIVILEGE_OWNER)
				media |= x->media_modes;
		}
		ds->dwNumOpens = opens;
		ds->dwOpenMediaModes = media;
	}
out:
	if (held)
		open_unref_locked(o);
	core_unlock();
	mem_free(tmp);
	return r;
}

LONG WINAPI api_lineGetNewCalls(HLINE hLine, DWORD dwAddressID, DWORD dwSelect,
                                LPLINECALLLIST lpCallList)
{
	struct callh **fresh = NULL;
	struct open *o;
	struct list_node *it;
	uint32_t n = 0, needed, i = 0;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	o = open_get_locked(hLine);
	if (!o) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (!lpCallList) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (lpCallList->dwTotalSize < sizeof(LINECALLLIST)) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	if (dwSelect != LINECALLSELECT_LINE &&
	    dwSelect != LINECALLSELECT_ADDRESS) {
		r = LINEERR_INVALCALLSELECT;
		goto out;
	}
	if (dwSelect == LINECALLSELECT_ADDRESS &&
	    dwAddressID >= o->tl->dev->caps.num_addresses) {
		r = LINEERR_INVALADDRESSID;
		goto out;
	}
#define WANTED(call)                                                         \
	((call)->routed && !(call)->closing && (call)->life == LIFE_ALIVE && \
	 !call_handle_of_open_locked((call), o) &&                           \
	 (dwSelect == LINECALLSELECT_LINE ||                                 \
	  call_address(call) == dwAddressID))
	list_foreach(it, &o->tl->calls) {
		struct call *call = list_entry(it, struct call, tl_link);

		if (WANTED(call))
			n++;
	}
	needed = (uint32_t)sizeof(LINECALLLIST) + n * (uint32_t)sizeof(HCALL);
	/* spec: tapi-functions.md §16 [proposal] — too small: no handles */
	if (lpCallList->dwTotalSize < needed) {
		lpCallList->dwNeededSize = needed;
		lpCallList->dwUsedSize = sizeof(LINECALLLIST);
		lpCallList->dwCallsNumEntries = 0;
		lpCallList->dwCallsSize = 0;
		lpCallList->dwCallsOffset = 0;
		goto out;
	}
	/*
	 * All or nothing, the list included (STYLE.md §5): the handles are
	 * made first and written only once every one exists.
	 */
	fresh = n ? mem_alloc(n * sizeof(*fresh)) : NULL;
	if (n && !fresh) {
		r = LINEERR_NOMEM;
		goto out;
	}
	list_foreach(it, &o->tl->calls) {
		struct call *call = list_entry(it, struct call, tl_link);

		if (!WANTED(call))
			continue;
		fresh[i] = callh_new_locked(o, call, LINECALLPRIVILEGE_MONITOR);
		if (!fresh[i]) {
			r = LINEERR_NOMEM;
			break;
		}
		i++;
	}
#undef WANTED
	if (r) {
		while (i-- > 0)
			callh_kill_locked(fresh[i]);
		goto out;
	}
	for (n = 0; n < i; n++) {
		memcpy((uint8_t *)lpCallList + sizeof(LINECALLLIST) +
		               n * sizeof(HCALL),
		       &fresh[n]->h, sizeof(HCALL));
		/* spec: §16 — the other apps learn of the new monitor */
		call_post_info_locked(fresh[n]->call, o->app,
		                      LINECALLINFOSTATE_NUMMONITORS);
	}
	lpCallList->dwNeededSize = needed;
	lpCallList->dwCallsNumEntries = i;
	lpCallList->dwCallsSize = i * (uint32_t)sizeof(HCALL);
	lpCallList->dwCallsOffset = i ? (uint32_t)sizeof(LINECALLLIST) : 0;
	lpCallList->dwUsedSize = needed;
out:
	core_unlock();
	mem_free(fresh);
	return r;
}
