/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Entry points for calls: lineMakeCall, lineAccept, lineAnswer, lineDrop,
 * lineDeallocateCall, lineSetCallPrivilege, lineGetCallInfo,
 * lineGetCallStatus (spec: tapi-functions.md §8-§15, termination.md §2-§3),
 * and tapix_set_observer (what the termination rules count).
 */
#define LOG_MODULE "api"
#include <string.h>

#include "api/api.h"
#include "api/varstruct.h"
#include "client/client.h"
#include "tapix/service.h"
#include "util/log.h"
#include "util/mem.h"

LONG WINAPI lineMakeCallA(HLINE hLine, LPHCALL lphCall, LPCSTR lpszDestAddress,
                          DWORD dwCountryCode,
                          LPLINECALLPARAMS const lpCallParams)
{
	if (client_on())
		return cl_lineMakeCall(hLine, lphCall, lpszDestAddress,
		                       dwCountryCode, lpCallParams);
	struct op_params vp = {0};
	struct open *o;
	struct device *dev;
	struct provider *p;
	struct call *call;
	struct req *req;
	HDRVCALL hd = NULL;
	HDRVLINE hdl;
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
	if (!lphCall) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	dev = o->tl->dev;
	p = dev->prov;
	r = api_params_check(dev, o->api_version, lpCallParams, &vp);
	if (r)
		goto out;
	if (!p->fn.lineMakeCall) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	call = call_new_locked(o->tl);
	if (!call) {
		r = LINEERR_NOMEM;
		goto out;
	}
	call->creating = true;
	call->address_id =
		(vp.norm && vp.norm->dwAddressMode == LINEADDRESSMODE_ADDRESSID)
			? vp.norm->dwAddressID
			: 0;
	call->displayable = vp.displayable;
	call->called_party = vp.called_party;
	call->comment = vp.comment;
	vp.displayable = vp.called_party = vp.comment = NULL;
	call->app_name = mem_strdup(o->app->name);
	req = call->app_name ? req_new_locked(REQ_CREATE, o->app, o, o->h)
	                     : NULL;
	if (!req) {
		/* never seen by the provider: no CloseCall (spec C3) */
		call->life = LIFE_DEAD;
		htab_del(&core.handles, call->ht);
		list_del(&call->tl_link);
		call_unref_locked(call);
		r = LINEERR_NOMEM;
		goto out;
	}
	req_add_call_locked(req, call, lphCall);
	hdl = o->tl->hd;
	core_inflight_begin_locked();
	core_unlock();

	provider_enter(p);
	r = p->fn.lineMakeCall(req->id, hdl, (HTAPICALL)(uintptr_t)call->ht,
	                       &hd, lpszDestAddress, dwCountryCode, vp.norm);
	provider_leave(p);

	core_lock();
	call->hd = hd;
	r = req_after_call_locked(req, r);
	core_inflight_end_locked();
out:
	core_unlock();
	op_params_free(&vp);
	return r;
}

enum uui_op {
	OP_ACCEPT,
	OP_ANSWER,
	OP_DROP,
};

static LONG uui_op(HCALL hCall, LPCSTR uui, DWORD size, enum uui_op op,
                   uint32_t hint)
{
	LONG (*fn)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*fn_ex)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD, DWORD) = NULL;
	static const uint32_t states[] = {
		[OP_ACCEPT] = LINECALLSTATE_OFFERING,
		[OP_ANSWER] = LINECALLSTATE_OFFERING | LINECALLSTATE_ACCEPTED |
	                      LINECALLSTATE_CONNECTED,
		[OP_DROP] = OP_STATES_NOT_IDLE | OP_STATE_NONE_YET,
	};
	struct devcaps *caps;
	struct op x;
	uint32_t limit;
	char *name = NULL;
	LONG r;

	core_lock();
	r = op_check_locked(hCall, states[op], &x);
	if (r)
		goto out;
	if (hint && hint != LINEDISCONNECTMODE_NORMAL &&
	    hint != LINEDISCONNECTMODE_REJECT &&
	    hint != LINEDISCONNECTMODE_NOANSWER &&
	    hint != LINEDISCONNECTMODE_BUSY &&
	    hint != LINEDISCONNECTMODE_CANCELLED) {
		r = LINEERR_INVALPARAM;
		goto out;
	}
	caps = &x.call->tl->dev->caps;
	limit = op == OP_ACCEPT   ? caps->uui_accept
	        : op == OP_ANSWER ? caps->uui_answer
	                          : caps->uui_drop;
	fn = op == OP_ACCEPT   ? x.p->fn.lineAccept
	     : op == OP_ANSWER ? x.p->fn.lineAnswer
	                       : x.p->fn.lineDrop;
	if (op == OP_DROP && hint)
		fn_ex = x.p->fn.lineDropEx;
	if (uui && size > limit) {
		r = LINEERR_USERUSERINFOTOOBIG;
		goto out;
	}
	if (!fn && !fn_ex) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	/* LINECALLINFO AppName: the app that accepted or answered it */
	if (op != OP_DROP && !x.call->app_name) {
		name = mem_strdup(x.ch->open->app->name);
		if (!name) {
			r = LINEERR_NOMEM;
			goto out;
		}
		x.call->app_name = name;
	}
	r = op_start_locked(&x);
	if (r) {
		if (name) { /* no state change on an error return */
			x.call->app_name = NULL;
			mem_free(name);
		}
		goto out;
	}
	if (fn_ex)
		return op_finish(
			&x, fn_ex(x.req->id, x.hd, uui, uui ? size : 0, hint));
	return op_finish(&x, fn(x.req->id, x.hd, uui, uui ? size : 0));
out:
	core_unlock();
	return r;
}

LONG WINAPI lineAccept(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	if (client_on())
		return cl_lineAccept(hCall, lpsUserUserInfo, dwSize);
	return uui_op(hCall, lpsUserUserInfo, dwSize, OP_ACCEPT, 0);
}

LONG WINAPI lineAnswer(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	if (client_on())
		return cl_lineAnswer(hCall, lpsUserUserInfo, dwSize);
	return uui_op(hCall, lpsUserUserInfo, dwSize, OP_ANSWER, 0);
}

LONG WINAPI lineDrop(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	if (client_on())
		return cl_lineDrop(hCall, lpsUserUserInfo, dwSize);
	return uui_op(hCall, lpsUserUserInfo, dwSize, OP_DROP, 0);
}

int32_t tapix_line_drop_ex(uint32_t hCall, const char *uui, uint32_t size,
                           uint32_t hint)
{
	if (client_on())
		return cl_line_drop_ex(hCall, uui, size, hint);
	/* 0 is no hint at all: a plain lineDrop would be asked for */
	if (!hint)
		return LINEERR_INVALPARAM;
	return uui_op(hCall, uui, size, OP_DROP, hint);
}

LONG WINAPI lineDeallocateCall(HCALL hCall)
{
	if (client_on())
		return cl_lineDeallocateCall(hCall);
	struct callh *ch;
	struct call *call;
	struct app *app;
	bool owner;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	ch = callh_get_locked(hCall);
	if (!ch) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	call = ch->call;
	owner = ch->priv == LINECALLPRIVILEGE_OWNER;
	/* spec: termination.md §3 — API < 2.0 sole owners drop first */
	if (owner && call->nowners == 1 && call->state != LINECALLSTATE_IDLE &&
	    ch->open->api_version < VER_2_0) {
		r = LINEERR_INVALCALLSTATE;
		goto out;
	}
	app = ch->open->app;
	callh_free_locked(ch);
	if (call_is_held_locked(call)) {
		call_post_info_locked(call, app,
		                      owner ? LINECALLINFOSTATE_NUMOWNERDECR
		                            : LINECALLINFOSTATE_NUMMONITORS);
		goto out;
	}
	/*
	 * spec: termination.md §3.4 — the last handle: TSPI_lineCloseCall.
	 * An observer's handles are not handles here (tapix_set_observer): they
	 * go with the call (call_close_now).
	 */
	if (!call->closing) {
		call->closing = true;
		call_ref_locked(call);
		core_unlock();
		call_close_now(call);
		return 0;
	}
out:
	core_unlock();
	return r;
}

LONG tapix_set_observer(HLINEAPP hLineApp, BOOL bObserver)
{
	struct app *app;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (!r) {
		app = app_get_locked(hLineApp);
		if (!app)
			r = LINEERR_INVALAPPHANDLE;
		else if (!list_empty(&app->opens))
			r = LINEERR_OPERATIONUNAVAIL; /* handles are counted */
		else
			app->observer = bObserver != 0;
	}
	core_unlock();
	return r;
}

LONG WINAPI lineSetCallPrivilege(HCALL hCall, DWORD dwCallPrivilege)
{
	if (client_on())
		return cl_lineSetCallPrivilege(hCall, dwCallPrivilege);
	struct callh *ch;
	struct call *call;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	ch = callh_get_locked(hCall);
	if (!ch) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	call = ch->call;
	if (dwCallPrivilege != LINECALLPRIVILEGE_OWNER &&
	    dwCallPrivilege != LINECALLPRIVILEGE_MONITOR) {
		r = LINEERR_INVALCALLPRIVILEGE;
		goto out;
	}
	/* spec: tapi-functions.md §15 [proposal] — same privilege: nothing */
	if (dwCallPrivilege == ch->priv)
		goto out;
	/* spec: termination.md §4, §9 C5 — sole owner of a live call */
	if (dwCallPrivilege == LINECALLPRIVILEGE_MONITOR &&
	    call->nowners == 1 && call->state != LINECALLSTATE_IDLE) {
		r = LINEERR_INVALCALLSTATE;
		goto out;
	}
	call_post_info_locked(call, ch->open->app,
	                      callh_set_priv_locked(ch, dwCallPrivilege));
	/*
	 * An observer giving up ownership may leave nobody holding the call
	 * (tapix_set_observer): it is closed as at its last handle's
	 * deallocation.
	 */
	if (!call_is_held_locked(call) && !call->closing) {
		call->closing = true;
		call_ref_locked(call);
		core_unlock();
		call_close_now(call);
		return 0;
	}
out:
	core_unlock();
	return r;
}

/* Strings TAPI keeps for LINECALLINFO, as variable parts with their NUL. */
static void set_extra(struct vs_extra *e, size_t pair, const char *s)
{
	e->pair = (uint32_t)pair;
	e->data = s;
	e->len = s ? (uint32_t)strlen(s) + 1 : 0;
}

static LONG query(HCALL hCall, void *buf, bool info)
{
	struct callh *ch;
	struct call *call;
	uint32_t total, app_fixed, src_fixed, cap, dev_version;
	uint8_t *tmp = NULL;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	ch = callh_get_locked(hCall);
	if (!ch) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	if (!buf) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	memcpy(&total, buf, sizeof(total));
	app_fixed = info ? vs_callinfo_fixed(ch->open->api_version)
	                 : vs_callstatus_fixed(ch->open->api_version);
	if (total < app_fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	call = ch->call;
	dev_version = call->tl->dev->version;
	src_fixed = info ? vs_callinfo_fixed(dev_version)
	                 : vs_callstatus_fixed(dev_version);
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
	call_ref_locked(call); /* until the provider returned */
	if (info)
		r = op_get_call_info_locked(call, (LPLINECALLINFO)tmp);
	else
		r = op_get_call_status_locked(call, (LPLINECALLSTATUS)tmp);
	ch = callh_get_locked(hCall);
	if (!ch && r == 0)
		r = LINEERR_INVALCALLHANDLE; /* deallocated meanwhile */
	if (r == 0 && info) {
		LPLINECALLINFO ci = buf;
		struct vs_extra ex[4];

		set_extra(&ex[0], offsetof(LINECALLINFO, dwAppNameSize),
		          call->app_name);
		set_extra(&ex[1],
		          offsetof(LINECALLINFO, dwDisplayableAddressSize),
		          call->displayable);
		set_extra(&ex[2], offsetof(LINECALLINFO, dwCalledPartySize),
		          call->called_party);
		set_extra(&ex[3], offsetof(LINECALLINFO, dwCommentSize),
		          call->comment);
		vs_repack(buf, app_fixed, tmp, src_fixed, cap,
		          &vs_callinfo_layout, ex, 4);
		/* spec: tspi.md §7 — the fields TAPI fills */
		ci->hLine = ch->open->h;
		ci->dwMonitorDigitModes = 0;
		ci->dwMonitorMediaModes = 0;
		ci->dwNumOwners = call->nowners;
		ci->dwNumMonitors = call->nmonitors;
		ci->dwCallStates |= LINECALLSTATE_UNKNOWN;
	} else if (r == 0) {
		LPLINECALLSTATUS cs = buf;

		vs_repack(buf, app_fixed, tmp, src_fixed, cap,
		          &vs_callstatus_layout, NULL, 0);
		cs->dwCallPrivilege = ch->priv;
		/* spec: §0.6 [proposal] — monitors may invoke nothing */
		if (ch->priv != LINECALLPRIVILEGE_OWNER) {
			cs->dwCallFeatures = 0;
			if (app_fixed >= vs_callstatus_fixed(VER_2_0))
				cs->dwCallFeatures2 = 0;
		}
	}
	call_unref_locked(call);
out:
	core_unlock();
	mem_free(tmp);
	return r;
}

LONG WINAPI lineGetCallInfoA(HCALL hCall, LPLINECALLINFO lpCallInfo)
{
	if (client_on())
		return cl_lineGetCallInfo(hCall, lpCallInfo);
	return query(hCall, lpCallInfo, true);
}

LONG WINAPI lineGetCallStatus(HCALL hCall, LPLINECALLSTATUS lpCallStatus)
{
	if (client_on())
		return cl_lineGetCallStatus(hCall, lpCallStatus);
	return query(hCall, lpCallStatus, false);
}
