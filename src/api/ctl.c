/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Call control beyond answer and drop: lineSendUserUserInfo,
 * lineReleaseUserUserInfo, lineHold, lineUnhold, lineBlindTransfer,
 * lineRedirect, lineDial, lineRemoveFromConference, and lineHandoff (spec:
 * tapi-functions.md §17-§22, §25; lineRedirect: Microsoft's reference).
 */
#define LOG_MODULE "api"
#include <string.h>

#include "api/api.h"
#include "api/entry.h"
#include "util/log.h"

#define ANY_STATE (0x00FFFFFFu | OP_STATE_NONE_YET)

/* The arguments of lineSendUserUserInfo. */
struct uui_args {
	LPCSTR uui;
	DWORD size;
};

static LONG send_uui_pre(struct op *x)
{
	const struct uui_args *a = x->args;

	/* spec: tapi-functions.md §18 [proposal] — no UUI at all */
	if (!a->uui || a->size == 0)
		return LINEERR_INVALPOINTER;
	return 0;
}

static LONG send_uui_post(struct op *x)
{
	const struct uui_args *a = x->args;

	if (a->size > x->call->tl->dev->caps.uui_send)
		return LINEERR_USERUSERINFOTOOBIG;
	return 0;
}

static LONG send_uui_call(struct op *x)
{
	const struct uui_args *a = x->args;

	return x->p->fn.lineSendUserUserInfo(x->req->id, x->hd, a->uui,
	                                     a->size);
}

static const struct op_desc send_uui = {
	.name = "lineSendUserUserInfo",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_CONNECTED | LINECALLSTATE_OFFERING |
                  LINECALLSTATE_ACCEPTED | LINECALLSTATE_RINGBACK,
	.tspi = offsetof(struct tspi, lineSendUserUserInfo),
	.vp_to = -1,
	.pre = send_uui_pre,
	.post = send_uui_post,
	.call = send_uui_call,
};

LONG WINAPI api_lineSendUserUserInfo(HCALL hCall, LPCSTR lpsUserUserInfo,
                                     DWORD dwSize)
{
	struct uui_args a = {lpsUserUserInfo, dwSize};

	return op_run(&send_uui, hCall, &a);
}

/* Operations whose only argument is the call (§19, §20, §21, §25). */
static const struct op_desc release_uui = {
	.name = "lineReleaseUserUserInfo",
	.on = OP_ON_CALL,
	.states = ANY_STATE,
	.tspi = offsetof(struct tspi, lineReleaseUserUserInfo),
	.vp_to = -1,
	.call = op_call_plain,
};

static const struct op_desc hold = {
	.name = "lineHold",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_CONNECTED,
	.tspi = offsetof(struct tspi, lineHold),
	.vp_to = -1,
	.call = op_call_plain,
};

static const struct op_desc unhold = {
	.name = "lineUnhold",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_ONHOLD | LINECALLSTATE_ONHOLDPENDTRANSFER |
                  LINECALLSTATE_ONHOLDPENDCONF,
	.tspi = offsetof(struct tspi, lineUnhold),
	.vp_to = -1,
	.call = op_call_plain,
};

static const struct op_desc remove_from_conf = {
	.name = "lineRemoveFromConference",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_CONFERENCED,
	.tspi = offsetof(struct tspi, lineRemoveFromConference),
	.vp_to = -1,
	.call = op_call_plain,
};

LONG WINAPI api_lineReleaseUserUserInfo(HCALL hCall)
{
	return op_run(&release_uui, hCall, NULL);
}

LONG WINAPI api_lineHold(HCALL hCall)
{
	return op_run(&hold, hCall, NULL);
}

LONG WINAPI api_lineUnhold(HCALL hCall)
{
	return op_run(&unhold, hCall, NULL);
}

LONG WINAPI api_lineRemoveFromConference(HCALL hCall)
{
	return op_run(&remove_from_conf, hCall, NULL);
}

/* The arguments of an operation with a destination (§22 and lineDial). */
struct address_args {
	LPCSTR dest;
	DWORD cc;
};

static LONG address_pre(struct op *x)
{
	const struct address_args *a = x->args;

	if (!a->dest)
		return LINEERR_INVALPOINTER;
	return 0;
}

static LONG blind_transfer_call(struct op *x)
{
	const struct address_args *a = x->args;

	return x->p->fn.lineBlindTransfer(x->req->id, x->hd, a->dest, a->cc);
}

/*
 * lineRedirect: an empty address names nobody. A value check, so after
 * OWNER and state (spec: tapi-functions.md §0.3 step 7); the provider
 * never sees it.
 */
static LONG redirect_post(struct op *x)
{
	const struct address_args *a = x->args;

	return *a->dest ? 0 : LINEERR_INVALADDRESS;
}

static LONG redirect_call(struct op *x)
{
	const struct address_args *a = x->args;

	return x->p->fn.lineRedirect(x->req->id, x->hd, a->dest, a->cc);
}

static LONG dial_call(struct op *x)
{
	const struct address_args *a = x->args;

	return x->p->fn.lineDial(x->req->id, x->hd, a->dest, a->cc);
}

static const struct op_desc blind_transfer = {
	.name = "lineBlindTransfer",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_CONNECTED,
	.tspi = offsetof(struct tspi, lineBlindTransfer),
	.vp_to = -1,
	.pre = address_pre,
	.call = blind_transfer_call,
};

/* Microsoft's lineRedirect: "The call state of hCall must be offering." */
static const struct op_desc redirect = {
	.name = "lineRedirect",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_OFFERING,
	.tspi = offsetof(struct tspi, lineRedirect),
	.vp_to = -1,
	.pre = address_pre,
	.post = redirect_post,
	.call = redirect_call,
};

static const struct op_desc dial = {
	.name = "lineDial",
	.on = OP_ON_CALL,
	/* the provider knows in which states it can dial more digits */
	.states = OP_STATES_NOT_IDLE & ~(uint32_t)LINECALLSTATE_DISCONNECTED,
	.tspi = offsetof(struct tspi, lineDial),
	.vp_to = -1,
	.pre = address_pre,
	.call = dial_call,
};

LONG WINAPI api_lineBlindTransferA(HCALL hCall, LPCSTR lpszDestAddress,
                                   DWORD dwCountryCode)
{
	struct address_args a = {lpszDestAddress, dwCountryCode};

	return op_run(&blind_transfer, hCall, &a);
}

LONG WINAPI api_lineRedirectA(HCALL hCall, LPCSTR lpszDestAddress,
                              DWORD dwCountryCode)
{
	struct address_args a = {lpszDestAddress, dwCountryCode};

	return op_run(&redirect, hCall, &a);
}

LONG WINAPI api_lineDialA(HCALL hCall, LPCSTR lpszDestAddress,
                          DWORD dwCountryCode)
{
	struct address_args a = {lpszDestAddress, dwCountryCode};

	return op_run(&dial, hCall, &a);
}

/* The module name an app was registered with matches @file (no path). */
static bool module_is(const struct app *app, const char *file)
{
	const char *base = strrchr(file, '/');

	return strcmp(app->module, base ? base + 1 : file) == 0;
}

/* spec: tapi-model.md §5.2 — the highest-priority owner open for @mode. */
static struct open *priority_owner(struct tline *tl, uint32_t mode)
{
	struct list_node *it;

	list_foreach(it, &tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);

		if (o->life == LIFE_ALIVE &&
		    (o->privileges & LINECALLPRIVILEGE_OWNER) &&
		    (o->media_modes & mode))
			return o;
	}
	return NULL;
}

static struct open *named_owner(struct tline *tl, const char *file)
{
	struct list_node *it;

	list_foreach(it, &tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);

		if (o->life == LIFE_ALIVE &&
		    (o->privileges & LINECALLPRIVILEGE_OWNER) &&
		    module_is(o->app, file))
			return o;
	}
	return NULL;
}

LONG WINAPI api_lineHandoffA(HCALL hCall, LPCSTR lpszFileName,
                             DWORD dwMediaMode)
{
	struct callh *target;
	struct open *to;
	struct op x;
	uint32_t info = LINECALLINFOSTATE_NUMOWNERINCR;
	bool fresh = false;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	r = op_allowed_locked(&x, ANY_STATE);
	if (r)
		goto out;
	/* spec: tapi-functions.md §17 — directed or indirect */
	if (lpszFileName) {
		to = named_owner(x.call->tl, lpszFileName);
	} else {
		if (!dwMediaMode || (dwMediaMode & (dwMediaMode - 1)) ||
		    (dwMediaMode & ~(uint32_t)0x0000FFFE)) {
			r = LINEERR_INVALMEDIAMODE;
			goto out;
		}
		to = priority_owner(x.call->tl, dwMediaMode);
		if (to && to->app == x.ch->open->app) {
			r = LINEERR_TARGETSELF;
			goto out;
		}
	}
	if (!to) {
		r = LINEERR_TARGETNOTFOUND;
		goto out;
	}
	target = call_handle_of_open_locked(x.call, to);
	if (!target) {
		target = callh_new_locked(to, x.call, LINECALLPRIVILEGE_OWNER);
		if (!target) {
			r = LINEERR_NOMEM;
			goto out;
		}
		fresh = true;
	} else if (target->priv != LINECALLPRIVILEGE_OWNER) {
		/* an existing handle is reused and upgraded */
		info = callh_set_priv_locked(target, LINECALLPRIVILEGE_OWNER);
	} else {
		info = 0; /* already an owner: counts unchanged */
	}
	/*
	 * The target receives (LINE_APPNEWCALL and) LINE_CALLSTATE with the
	 * current state and dwParam3 = OWNER; the others hear of the new
	 * owner; the caller hears nothing.
	 */
	if (fresh && to->api_version >= VER_2_0)
		app_post_locked(to->app, target->h, to->h, LINE_APPNEWCALL,
		                to->cbinst, call_address(x.call), target->h,
		                LINECALLPRIVILEGE_OWNER);
	/* IDLE is final: a holder that saw it hears nothing more */
	if (fresh || x.call->state != LINECALLSTATE_IDLE)
		app_post_locked(to->app, target->h, target->h, LINE_CALLSTATE,
		                to->cbinst,
		                x.call->state ? x.call->state
		                              : LINECALLSTATE_UNKNOWN,
		                call_state_param2_locked(target),
		                LINECALLPRIVILEGE_OWNER);
	if (info && x.call->state != LINECALLSTATE_IDLE) {
		struct list_node *it;

		list_foreach(it, &x.call->callhs) {
			struct callh *h =
				list_entry(it, struct callh, call_link);

			if (h->open->app == x.ch->open->app ||
			    h->open->app == to->app)
				continue;
			app_post_locked(h->open->app, h->h, h->h, LINE_CALLINFO,
			                h->open->cbinst, info, 0, 0);
		}
	}
	log_info("call %08x: handed off to app %08x", x.call->ht, to->app->h);
out:
	core_unlock();
	return r;
}
