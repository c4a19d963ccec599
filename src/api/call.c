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
#include "api/entry.h"
#include "api/varstruct.h"
#include "tapix/service.h"
#include "util/log.h"
#include "util/mem.h"

/* The arguments of lineMakeCall. */
struct make_call_args {
	LPHCALL out;
	LPCSTR dest;
	DWORD cc;
	const LINECALLPARAMS *cp;
};

static LONG make_call_pre(struct op *x)
{
	const struct make_call_args *a = x->args;

	if (!a->out)
		return LINEERR_INVALPOINTER;
	x->out[0] = a->out;
	return 0;
}

static LONG make_call_post(struct op *x)
{
	const struct make_call_args *a = x->args;

	return api_params_check(x->open->tl->dev, x->open->api_version, a->cp,
	                        &x->vp);
}

/* The address the call is made on, when LINECALLPARAMS name it. */
static void make_call_made(struct op *x, unsigned i, struct call *c)
{
	(void)i;
	c->address_id = (x->vp.norm &&
	                 x->vp.norm->dwAddressMode == LINEADDRESSMODE_ADDRESSID)
	                        ? x->vp.norm->dwAddressID
	                        : 0;
}

static LONG make_call_call(struct op *x)
{
	const struct make_call_args *a = x->args;

	return x->p->fn.lineMakeCall(
		x->req->id, x->hdl, (HTAPICALL)(uintptr_t)x->made[0]->ht,
		&x->made_hd[0], a->dest, a->cc, x->vp.norm);
}

static const struct op_desc make_call = {
	.name = "lineMakeCall",
	.on = OP_ON_LINE,
	.tspi = offsetof(struct tspi, lineMakeCall),
	.creates = 1,
	.vp_to = 0,
	.pre = make_call_pre,
	.post = make_call_post,
	.made = make_call_made,
	.call = make_call_call,
};

LONG WINAPI api_lineMakeCallA(HLINE hLine, LPHCALL lphCall,
                              LPCSTR lpszDestAddress, DWORD dwCountryCode,
                              LPLINECALLPARAMS const lpCallParams)
{
	struct make_call_args a = {lphCall, lpszDestAddress, dwCountryCode,
	                           lpCallParams};

	return op_run(&make_call, hLine, &a);
}

/* The arguments of lineAccept, lineAnswer, lineDrop, tapix_line_drop_ex. */
struct uui_args {
	LPCSTR uui;
	DWORD size;
	uint32_t hint; /* tapix_line_drop_ex's, not 0 */
};

/* UUI within what the device takes for the operation (0 with no UUI). */
static LONG uui_fits(const struct op *x, uint32_t limit)
{
	const struct uui_args *a = x->args;

	return a->uui && a->size > limit ? LINEERR_USERUSERINFOTOOBIG : 0;
}

static LONG accept_post(struct op *x)
{
	return uui_fits(x, x->call->tl->dev->caps.uui_accept);
}

static LONG answer_post(struct op *x)
{
	return uui_fits(x, x->call->tl->dev->caps.uui_answer);
}

static LONG drop_post(struct op *x)
{
	return uui_fits(x, x->call->tl->dev->caps.uui_drop);
}

static LONG drop_ex_post(struct op *x)
{
	const struct uui_args *a = x->args;

	if (a->hint != LINEDISCONNECTMODE_NORMAL &&
	    a->hint != LINEDISCONNECTMODE_REJECT &&
	    a->hint != LINEDISCONNECTMODE_NOANSWER &&
	    a->hint != LINEDISCONNECTMODE_BUSY &&
	    a->hint != LINEDISCONNECTMODE_CANCELLED)
		return LINEERR_INVALPARAM;
	return drop_post(x);
}

/* LINECALLINFO AppName: the app that accepted or answered it. */
static LONG app_name_prepare(struct op *x)
{
	char *name;

	if (x->call->app_name)
		return 0;
	name = rcstr_ref(x->open->app->name);
	x->call->app_name = name;
	x->prepared = name;
	return 0;
}

/*
 * Only when the request cannot start; a synchronous failure of the
 * provider keeps the name (an open question of the design).
 */
static void app_name_undo(struct op *x)
{
	if (!x->prepared)
		return;
	x->call->app_name = NULL;
	rcstr_unref(x->prepared);
}

static LONG accept_call(struct op *x)
{
	const struct uui_args *a = x->args;

	return x->p->fn.lineAccept(x->req->id, x->hd, a->uui,
	                           a->uui ? a->size : 0);
}

static LONG answer_call(struct op *x)
{
	const struct uui_args *a = x->args;

	return x->p->fn.lineAnswer(x->req->id, x->hd, a->uui,
	                           a->uui ? a->size : 0);
}

static LONG drop_call(struct op *x)
{
	const struct uui_args *a = x->args;

	return x->p->fn.lineDrop(x->req->id, x->hd, a->uui,
	                         a->uui ? a->size : 0);
}

/* lineDropEx when the provider has it, else a plain lineDrop. */
static LONG drop_ex_call(struct op *x)
{
	const struct uui_args *a = x->args;

	if (!x->p->fn.lineDropEx)
		return drop_call(x);
	return x->p->fn.lineDropEx(x->req->id, x->hd, a->uui,
	                           a->uui ? a->size : 0, a->hint);
}

static const struct op_desc accept_desc = {
	.name = "lineAccept",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_OFFERING,
	.tspi = offsetof(struct tspi, lineAccept),
	.vp_to = -1,
	.post = accept_post,
	.prepare = app_name_prepare,
	.undo = app_name_undo,
	.call = accept_call,
};

static const struct op_desc answer_desc = {
	.name = "lineAnswer",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_OFFERING | LINECALLSTATE_ACCEPTED |
                  LINECALLSTATE_CONNECTED,
	.tspi = offsetof(struct tspi, lineAnswer),
	.vp_to = -1,
	.post = answer_post,
	.prepare = app_name_prepare,
	.undo = app_name_undo,
	.call = answer_call,
};

static const struct op_desc drop_desc = {
	.name = "lineDrop",
	.on = OP_ON_CALL,
	.states = OP_STATES_NOT_IDLE | OP_STATE_NONE_YET,
	.tspi = offsetof(struct tspi, lineDrop),
	.vp_to = -1,
	.post = drop_post,
	.call = drop_call,
};

static const struct op_desc drop_ex_desc = {
	.name = "tapix_line_drop_ex",
	.on = OP_ON_CALL,
	.states = OP_STATES_NOT_IDLE | OP_STATE_NONE_YET,
	.tspi = offsetof(struct tspi, lineDropEx),
	.tspi_alt = offsetof(struct tspi, lineDrop),
	.vp_to = -1,
	.post = drop_ex_post,
	.call = drop_ex_call,
};

LONG WINAPI api_lineAccept(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	struct uui_args a = {lpsUserUserInfo, dwSize, 0};

	return op_run(&accept_desc, hCall, &a);
}

LONG WINAPI api_lineAnswer(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	struct uui_args a = {lpsUserUserInfo, dwSize, 0};

	return op_run(&answer_desc, hCall, &a);
}

LONG WINAPI api_lineDrop(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize)
{
	struct uui_args a = {lpsUserUserInfo, dwSize, 0};

	return op_run(&drop_desc, hCall, &a);
}

int32_t api_tapix_line_drop_ex(uint32_t hCall, const char *uui, uint32_t size,
                               uint32_t hint)
{
	struct uui_args a = {uui, size, hint};

	/* 0 is no hint at all: a plain lineDrop would be asked for */
	if (!hint)
		return LINEERR_INVALPARAM;
	return op_run(&drop_ex_desc, hCall, &a);
}

LONG WINAPI api_lineDeallocateCall(HCALL hCall)
{
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
	callh_kill_locked(ch);
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
		call_close_unlock(call);
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
		else if (!list_empty(&app->opens) || app->nopening ||
		         app->nclosing)
			r = LINEERR_OPERATIONUNAVAIL; /* handles are counted */
		else
			app->observer = bObserver != 0;
	}
	core_unlock();
	return r;
}

LONG WINAPI api_lineSetCallPrivilege(HCALL hCall, DWORD dwCallPrivilege)
{
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
		call_close_unlock(call);
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
	r = op_query_call_locked(call, tmp, info);
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

LONG WINAPI api_lineGetCallInfoA(HCALL hCall, LPLINECALLINFO lpCallInfo)
{
	return query(hCall, lpCallInfo, true);
}

LONG WINAPI api_lineGetCallStatus(HCALL hCall, LPLINECALLSTATUS lpCallStatus)
{
	return query(hCall, lpCallStatus, false);
}
