/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conferences: lineSetupConference, linePrepareAddToConference,
 * lineAddToConference, lineGetConfRelatedCalls (spec: tapi-functions.md
 * §23, §24, §26). TAPI's bookkeeping: a call is a conference parent when a
 * conference request created it or a CONFERENCED report named it; a
 * participant is a call whose last report was CONFERENCED with it.
 */
#define LOG_MODULE "api"
#include <string.h>

#include "api/api.h"
#include "api/entry.h"
#include "api/varstruct.h"
#include "util/log.h"
#include "util/mem.h"

/* The arguments of lineSetupConference. */
struct setup_conf_args {
	LPHCALL conf, consult;
	DWORD parties;
	const LINECALLPARAMS *cp;
};

static LONG setup_conf_pre(struct op *x)
{
	const struct setup_conf_args *a = x->args;

	if (!a->conf || !a->consult)
		return LINEERR_INVALPOINTER;
	x->out[0] = a->conf;
	x->out[1] = a->consult;
	return 0;
}

static LONG setup_conf_post(struct op *x)
{
	const struct setup_conf_args *a = x->args;

	return api_params_check(x->open->tl->dev, x->open->api_version, a->cp,
	                        &x->vp);
}

/* The first new call is the conference parent, the second consults. */
static void setup_conf_made(struct op *x, unsigned i, struct call *c)
{
	(void)x;
	if (i == 0)
		c->is_conf_parent = true;
}

static LONG setup_conf_call(struct op *x)
{
	const struct setup_conf_args *a = x->args;

	/* x->hd is NULL when set up from a line */
	return x->p->fn.lineSetupConference(
		x->req->id, x->hd, x->hdl, (HTAPICALL)(uintptr_t)x->made[0]->ht,
		&x->made_hd[0], (HTAPICALL)(uintptr_t)x->made[1]->ht,
		&x->made_hd[1], a->parties, x->vp.norm);
}

static const struct op_desc setup_conf = {
	.name = "lineSetupConference",
	.on = OP_ON_CALL_OR_LINE,
	.states = LINECALLSTATE_CONNECTED, /* of a call it is set up from */
	.tspi = offsetof(struct tspi, lineSetupConference),
	.creates = 2,
	.vp_to = 1, /* LINECALLPARAMS are the consultation call's */
	.pre = setup_conf_pre,
	.post = setup_conf_post,
	.made = setup_conf_made,
	.call = setup_conf_call,
};

LONG WINAPI api_lineSetupConferenceA(HCALL hCall, HLINE hLine,
                                     LPHCALL lphConfCall,
                                     LPHCALL lphConsultCall, DWORD dwNumParties,
                                     LPLINECALLPARAMS const lpCallParams)
{
	struct setup_conf_args a = {lphConfCall, lphConsultCall, dwNumParties,
	                            lpCallParams};

	/* spec: tapi-functions.md §23 — from a call, or from a line */
	return op_run_call_or_line(&setup_conf, hCall, hLine, &a);
}

/* The arguments of linePrepareAddToConference. */
struct prepare_args {
	LPHCALL out;
	const LINECALLPARAMS *cp;
};

static LONG prepare_add_pre(struct op *x)
{
	const struct prepare_args *a = x->args;

	if (!a->out)
		return LINEERR_INVALPOINTER;
	x->out[0] = a->out;
	return 0;
}

static LONG prepare_add_post(struct op *x)
{
	const struct prepare_args *a = x->args;

	return api_params_check(x->open->tl->dev, x->open->api_version, a->cp,
	                        &x->vp);
}

static LONG prepare_add_call(struct op *x)
{
	return x->p->fn.linePrepareAddToConference(
		x->req->id, x->hd, (HTAPICALL)(uintptr_t)x->made[0]->ht,
		&x->made_hd[0], x->vp.norm);
}

static const struct op_desc prepare_add = {
	.name = "linePrepareAddToConference",
	.on = OP_ON_CONF,
	.states = LINECALLSTATE_CONNECTED,
	.tspi = offsetof(struct tspi, linePrepareAddToConference),
	.creates = 1,
	.vp_to = 0,
	.pre = prepare_add_pre,
	.post = prepare_add_post,
	.call = prepare_add_call,
};

LONG WINAPI api_linePrepareAddToConferenceA(HCALL hConfCall,
                                            LPHCALL lphConsultCall,
                                            LPLINECALLPARAMS const lpCallParams)
{
	struct prepare_args a = {lphConsultCall, lpCallParams};

	return op_run(&prepare_add, hConfCall, &a);
}

/*
 * spec: tapi-functions.md §24 — the consultation call: a live handle, not
 * a parent or participant, on the same line; both handles an OWNER's
 * before either state is looked at.
 */
static LONG add_to_conf_pre(struct op *x)
{
	const HCALL *consult = x->args;
	struct callh *ch;

	ch = callh_get_locked(*consult);
	if (!ch)
		return LINEERR_INVALCALLHANDLE;
	if (ch->call == x->call || ch->call->is_conf_parent ||
	    ch->call->state == LINECALLSTATE_CONFERENCED ||
	    ch->call->tl != x->call->tl)
		return LINEERR_INVALCALLHANDLE;
	if (x->ch->priv != LINECALLPRIVILEGE_OWNER ||
	    ch->priv != LINECALLPRIVILEGE_OWNER)
		return LINEERR_NOTOWNER;
	x->ch2 = ch;
	x->call2 = ch->call;
	return 0;
}

static LONG add_to_conf_call(struct op *x)
{
	return x->p->fn.lineAddToConference(x->req->id, x->hd, x->hd2);
}

static const struct op_desc add_to_conf = {
	.name = "lineAddToConference",
	.on = OP_ON_CONF,
	.states = LINECALLSTATE_ONHOLDPENDCONF | LINECALLSTATE_ONHOLD,
	.states2 = LINECALLSTATE_CONNECTED | LINECALLSTATE_ONHOLD |
                   LINECALLSTATE_PROCEEDING | LINECALLSTATE_RINGBACK,
	.tspi = offsetof(struct tspi, lineAddToConference),
	.vp_to = -1,
	.pre = add_to_conf_pre,
	.call = add_to_conf_call,
};

LONG WINAPI api_lineAddToConference(HCALL hConfCall, HCALL hConsultCall)
{
	return op_run(&add_to_conf, hConfCall, &hConsultCall);
}

/* The most calls lineGetConfRelatedCalls lists (the parent included). */
#define MAX_MEMBERS 64

/* Appends the members of @parent's conference to @out (parent first). */
static uint32_t members(struct call *parent, struct call **out, uint32_t max)
{
	struct list_node *it;
	uint32_t n = 0;

	if (max)
		out[n] = parent;
	n++;
	list_foreach(it, &parent->tl->calls) {
		struct call *c = list_entry(it, struct call, tl_link);

		if (c != parent && c->life == LIFE_ALIVE && !c->closing &&
		    c->state == LINECALLSTATE_CONFERENCED &&
		    c->parent_ht == parent->ht) {
			if (n < max)
				out[n] = c;
			n++;
		}
	}
	return n;
}

LONG WINAPI api_lineGetConfRelatedCalls(HCALL hCall, LPLINECALLLIST lpCallList)
{
	struct call *parent = NULL, **list = NULL;
	struct callh *fresh[MAX_MEMBERS];
	HCALL hs[MAX_MEMBERS];
	uint32_t n, i, nfresh = 0, needed;
	struct op x;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	if (!lpCallList) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (lpCallList->dwTotalSize < sizeof(LINECALLLIST)) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	/* spec: tapi-functions.md §26 — a parent, or a CONFERENCED member */
	if (x.call->is_conf_parent)
		parent = x.call;
	else if (x.call->state == LINECALLSTATE_CONFERENCED &&
	         x.call->parent_ht)
		parent = htab_get(&core.handles, x.call->parent_ht, OBJ_CALL);
	if (!parent || parent->closing) {
		r = LINEERR_NOCONFERENCE;
		goto out;
	}
	n = members(parent, NULL, 0);
	needed = (uint32_t)sizeof(LINECALLLIST) + n * (uint32_t)sizeof(HCALL);
	/* [proposal] as lineGetNewCalls: too small, no handle is created */
	if (lpCallList->dwTotalSize < needed) {
		lpCallList->dwNeededSize = needed;
		lpCallList->dwUsedSize = sizeof(LINECALLLIST);
		lpCallList->dwCallsNumEntries = 0;
		lpCallList->dwCallsSize = 0;
		lpCallList->dwCallsOffset = 0;
		goto out;
	}
	if (n > MAX_MEMBERS) {
		r = LINEERR_NOMEM;
		goto out;
	}
	list = mem_alloc(n * sizeof(*list));
	if (!list) {
		r = LINEERR_NOMEM;
		goto out;
	}
	/*
	 * All or nothing, the list included (STYLE.md §5): the handles are
	 * gathered first and written only once every one exists.
	 */
	members(parent, list, n);
	for (i = 0; i < n; i++) {
		struct callh *h =
			call_handle_of_open_locked(list[i], x.ch->open);

		if (!h) {
			/* calls it had no handle for: new monitor handles */
			h = callh_new_locked(x.ch->open, list[i],
			                     LINECALLPRIVILEGE_MONITOR);
			if (!h) {
				while (nfresh-- > 0)
					callh_kill_locked(fresh[nfresh]);
				r = LINEERR_NOMEM;
				goto out;
			}
			fresh[nfresh++] = h;
		}
		hs[i] = h->h;
	}
	for (i = 0; i < nfresh; i++)
		call_post_info_locked(fresh[i]->call, x.ch->open->app,
		                      LINECALLINFOSTATE_NUMMONITORS);
	memcpy((uint8_t *)lpCallList + sizeof(LINECALLLIST), hs,
	       n * sizeof(HCALL));
	lpCallList->dwNeededSize = needed;
	lpCallList->dwCallsNumEntries = n;
	lpCallList->dwCallsSize = n * (uint32_t)sizeof(HCALL);
	lpCallList->dwCallsOffset = sizeof(LINECALLLIST);
	lpCallList->dwUsedSize = needed;
out:
	core_unlock();
	mem_free(list);
	return r;
}
