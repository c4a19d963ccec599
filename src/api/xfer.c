/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transfer with consultation: lineSetupTransfer and lineCompleteTransfer.
 * The consultation call (and, in conference mode, the new conference
 * parent) is created by the request, like lineSetupConference's calls:
 * its handle is written before the successful LINE_REPLY and never when
 * the request fails (spec: tapi-model.md §3, call-creating functions).
 */
#define LOG_MODULE "api"
#include <string.h>

#include "api/api.h"
#include "api/entry.h"
#include "api/varstruct.h"
#include "util/log.h"

/* The arguments of lineSetupTransfer. */
struct setup_args {
	LPHCALL out;
	const LINECALLPARAMS *cp;
};

static LONG setup_transfer_pre(struct op *x)
{
	const struct setup_args *a = x->args;

	if (!a->out)
		return LINEERR_INVALPOINTER;
	x->out[0] = a->out;
	return 0;
}

static LONG setup_transfer_post(struct op *x)
{
	const struct setup_args *a = x->args;

	return api_params_check(x->open->tl->dev, x->open->api_version, a->cp,
	                        &x->vp);
}

static LONG setup_transfer_call(struct op *x)
{
	return x->p->fn.lineSetupTransfer(x->req->id, x->hd,
	                                  (HTAPICALL)(uintptr_t)x->made[0]->ht,
	                                  &x->made_hd[0], x->vp.norm);
}

static const struct op_desc setup_transfer = {
	.name = "lineSetupTransfer",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_CONNECTED,
	.tspi = offsetof(struct tspi, lineSetupTransfer),
	.creates = 1,
	.vp_to = 0,
	.pre = setup_transfer_pre,
	.post = setup_transfer_post,
	.call = setup_transfer_call,
};

LONG WINAPI api_lineSetupTransferA(HCALL hCall, LPHCALL lphConsultCall,
                                   LPLINECALLPARAMS const lpCallParams)
{
	struct setup_args a = {lphConsultCall, lpCallParams};

	return op_run(&setup_transfer, hCall, &a);
}

/* The arguments of lineCompleteTransfer. */
struct complete_args {
	HCALL consult;
	LPHCALL conf;
	DWORD mode;
};

/*
 * The consultation call (a live handle, another call on the same line),
 * the mode, and in conference mode where the new parent's handle goes:
 * in this order, before either call's OWNER and state.
 */
static LONG complete_transfer_pre(struct op *x)
{
	const struct complete_args *a = x->args;
	bool to_conf = a->mode == LINETRANSFERMODE_CONFERENCE;
	struct callh *ch;

	ch = callh_get_locked(a->consult);
	if (!ch || ch->call == x->call || ch->call->tl != x->call->tl)
		return LINEERR_INVALCONSULTCALLHANDLE;
	if (a->mode != LINETRANSFERMODE_TRANSFER && !to_conf)
		return LINEERR_INVALTRANSFERMODE;
	if (to_conf && !a->conf)
		return LINEERR_INVALPOINTER;
	x->ch2 = ch;
	x->call2 = ch->call;
	/* a transfer into a conference makes the parent */
	x->creates = to_conf ? 1 : 0;
	x->out[0] = a->conf;
	return 0;
}

static void complete_transfer_made(struct op *x, unsigned i, struct call *c)
{
	(void)x;
	(void)i;
	c->is_conf_parent = true;
}

static LONG complete_transfer_call(struct op *x)
{
	const struct complete_args *a = x->args;

	return x->p->fn.lineCompleteTransfer(
		x->req->id, x->hd, x->hd2,
		x->creates ? (HTAPICALL)(uintptr_t)x->made[0]->ht : NULL,
		x->creates ? &x->made_hd[0] : NULL, a->mode);
}

static const struct op_desc complete_transfer = {
	.name = "lineCompleteTransfer",
	.on = OP_ON_CALL,
	.states = LINECALLSTATE_ONHOLD | LINECALLSTATE_ONHOLDPENDTRANSFER,
	.states2 = LINECALLSTATE_CONNECTED | LINECALLSTATE_RINGBACK |
                   LINECALLSTATE_PROCEEDING | LINECALLSTATE_BUSY,
	.tspi = offsetof(struct tspi, lineCompleteTransfer),
	.creates = 1, /* in conference mode only: the pre hook decides */
	.vp_to = -1,
	.pre = complete_transfer_pre,
	.made = complete_transfer_made,
	.call = complete_transfer_call,
};

LONG WINAPI api_lineCompleteTransfer(HCALL hCall, HCALL hConsultCall,
                                     LPHCALL lphConfCall, DWORD dwTransferMode)
{
	struct complete_args a = {hConsultCall, lphConfCall, dwTransferMode};

	return op_run(&complete_transfer, hCall, &a);
}
