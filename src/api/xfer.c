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
#include "api/varstruct.h"
#include "client/client.h"
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

LONG WINAPI lineSetupTransferA(HCALL hCall, LPHCALL lphConsultCall,
                               LPLINECALLPARAMS const lpCallParams)
{
	if (client_on())
		return cl_lineSetupTransfer(hCall, lphConsultCall,
		                            lpCallParams);
	struct setup_args a = {lphConsultCall, lpCallParams};

	return op_run(&setup_transfer, hCall, &a);
}

LONG WINAPI lineCompleteTransfer(HCALL hCall, HCALL hConsultCall,
                                 LPHCALL lphConfCall, DWORD dwTransferMode)
{
	if (client_on())
		return cl_lineCompleteTransfer(hCall, hConsultCall, lphConfCall,
		                               dwTransferMode);
	struct op x, consult;
	struct call *conf = NULL;
	struct open *o;
	struct req *req;
	HDRVCALL hdconf = NULL, hd, hdconsult;
	bool to_conf = dwTransferMode == LINETRANSFERMODE_CONFERENCE;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	r = op_lookup_locked(hConsultCall, &consult);
	if (r == LINEERR_INVALCALLHANDLE || (!r && consult.call == x.call) ||
	    (!r && consult.call->tl != x.call->tl)) {
		r = LINEERR_INVALCONSULTCALLHANDLE;
		goto out;
	}
	if (r)
		goto out;
	if (dwTransferMode != LINETRANSFERMODE_TRANSFER && !to_conf) {
		r = LINEERR_INVALTRANSFERMODE;
		goto out;
	}
	if (to_conf && !lphConfCall) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	r = op_allowed_locked(&x, LINECALLSTATE_ONHOLD |
	                                  LINECALLSTATE_ONHOLDPENDTRANSFER);
	if (!r)
		r = op_allowed_locked(
			&consult,
			LINECALLSTATE_CONNECTED | LINECALLSTATE_RINGBACK |
				LINECALLSTATE_PROCEEDING | LINECALLSTATE_BUSY);
	if (r)
		goto out;
	if (!x.p->fn.lineCompleteTransfer) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	o = x.ch->open;
	/* the guard of op_start_locked(), or the line's for a new call */
	req = req_new_locked(to_conf ? REQ_CREATE : REQ_GENERIC, o->app, o,
	                     to_conf || o->api_version >= VER_2_0 ? o->h
	                                                          : x.ch->h);
	if (!req) {
		r = LINEERR_NOMEM;
		goto out;
	}
	if (to_conf) {
		conf = op_new_call_locked(o, req, lphConfCall, NULL);
		if (!conf || !conf->app_name) {
			r = req_after_call_locked(req, LINEERR_NOMEM);
			goto out;
		}
		conf->is_conf_parent = true;
	}
	hd = x.call->hd;
	hdconsult = consult.call->hd;
	call_busy_locked(x.call);
	call_busy_locked(consult.call);
	core_inflight_begin_locked();
	core_unlock();

	provider_enter(x.p);
	r = x.p->fn.lineCompleteTransfer(req->id, hd, hdconsult,
	                                 conf ? (HTAPICALL)(uintptr_t)conf->ht
	                                      : NULL,
	                                 conf ? &hdconf : NULL, dwTransferMode);
	provider_leave(x.p);

	core_lock();
	if (conf)
		conf->hd = hdconf;
	r = req_after_call_locked(req, r);
	core_inflight_end_locked();
	call_idle_locked(consult.call);
	call_idle_locked(x.call);
out:
	core_unlock();
	return r;
}
