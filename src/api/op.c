/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The common path of asynchronous call operations (see api.h). */
#define LOG_MODULE "api"
#include "api/api.h"
#include "api/varstruct.h"
#include "util/log.h"
#include "util/mem.h"

LONG op_lookup_locked(HCALL hCall, struct op *x)
{
	LONG r;

	core_assert_locked();
	r = api_check_init_locked();
	if (r)
		return r;
	x->ch = callh_get_locked(hCall);
	if (!x->ch)
		return LINEERR_INVALCALLHANDLE;
	x->call = x->ch->call;
	x->p = x->call->tl->dev->prov;
	return 0;
}

LONG op_allowed_locked(const struct op *x, uint32_t states)
{
	core_assert_locked();
	if (x->ch->priv != LINECALLPRIVILEGE_OWNER)
		return LINEERR_NOTOWNER;
	/* spec: tapi-functions.md §0.7 — the states each operation accepts */
	if (x->call->state ? !(x->call->state & states)
	                   : !(states & OP_STATE_NONE_YET))
		return LINEERR_INVALCALLSTATE;
	return 0;
}

LONG op_check_locked(HCALL hCall, uint32_t states, struct op *x)
{
	LONG r;

	core_assert_locked();
	r = op_lookup_locked(hCall, x);
	return r ? r : op_allowed_locked(x, states);
}

LONG op_start_locked(struct op *x)
{
	struct open *o = x->ch->open;

	core_assert_locked();
	/*
	 * spec: termination.md §3.2 — API >= 2.0: the reply survives
	 * lineDeallocateCall (it names no call) but not the line's close;
	 * older apps lose it with the call handle.
	 */
	if (x->call->closing)
		return LINEERR_INVALCALLHANDLE; /* an observer's handle */
	x->req = req_new_locked(REQ_GENERIC, o->app, o,
	                        o->api_version >= VER_2_0 ? o->h : x->ch->h);
	if (!x->req)
		return LINEERR_NOMEM;
	x->hd = x->call->hd;
	call_busy_locked(x->call);
	core_inflight_begin_locked();
	core_unlock();
	provider_enter(x->p);
	return 0;
}

LONG op_finish(struct op *x, LONG r)
{
	provider_leave(x->p);
	core_lock();
	r = req_after_call_locked(x->req, r);
	core_inflight_end_locked();
	call_idle_locked(x->call);
	core_unlock();
	return r;
}

LONG op_params_check(const struct device *dev, uint32_t version,
                     const LINECALLPARAMS *cp, struct vs_params *vp)
{
	struct vs_limits lim;

	if (!cp)
		return 0;
	lim.num_addresses = dev->caps.num_addresses;
	lim.bearer_modes = dev->caps.bearer_modes;
	lim.media_modes = dev->caps.media_modes;
	lim.max_rate = dev->caps.max_rate;
	lim.uui_make = dev->caps.uui_make;
	return vs_params_check(cp, version, &lim, vp);
}

struct call *op_new_call_locked(struct open *o, struct req *req, LPHCALL out,
                                struct vs_params *vp)
{
	struct call *call;

	core_assert_locked();
	call = call_new_locked(o->tl);
	if (!call)
		return NULL;
	call->creating = true;
	call->app_name = mem_strdup(o->app->name);
	if (vp) {
		call->displayable = vp->displayable;
		call->called_party = vp->called_party;
		call->comment = vp->comment;
		vp->displayable = vp->called_party = vp->comment = NULL;
	}
	req_add_call_locked(req, call, out);
	return call;
}
