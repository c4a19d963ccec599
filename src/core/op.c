/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The request engine (see op.h): the common path of asynchronous call
 * operations, and the lock rule of every provider call an app starts.
 */
#define LOG_MODULE "core"
#include "core/op.h"

#include <string.h>

#include "util/log.h"
#include "util/mem.h"

void op_params_free(struct op_params *p)
{
	/* most requests have none */
	if (!p->norm && !p->displayable && !p->called_party && !p->comment)
		return;
	mem_free(p->norm);
	mem_free(p->displayable);
	mem_free(p->called_party);
	mem_free(p->comment);
	p->norm = NULL;
	p->displayable = p->called_party = p->comment = NULL;
}

void op_tspi_begin_locked(struct provider *p)
{
	core_assert_locked();
	core_inflight_begin_locked();
	core_unlock();
	provider_enter(p);
}

void op_tspi_end(struct provider *p)
{
	provider_leave(p);
	core_lock();
	/*
	 * Ending the count before the caller settles is safe: the session
	 * stopper waits for it under core.lock, which this thread holds
	 * until it is done.
	 */
	core_inflight_end_locked();
}

void op_call_begin_locked(struct call *call)
{
	core_assert_locked();
	call_ref_locked(call);
	call_busy_locked(call);
	op_tspi_begin_locked(call->tl->dev->prov);
}

void op_call_end(struct call *call)
{
	/* (@call is referenced: its line and provider stay) */
	op_tspi_end(call->tl->dev->prov);
	call_idle_locked(call);
}

bool op_tspi_has(const struct provider *p, size_t fn)
{
	LONG (*f)(void);

	memcpy(&f, (const char *)&p->fn + fn, sizeof(f));
	return f != NULL;
}

/* ---- synchronous provider calls ------------------------------------------ */

LONG op_query_call_locked(struct call *call, void *buf, bool info)
{
	struct provider *p;
	HDRVCALL hd;
	LONG r;

	core_assert_locked();
	p = call->tl->dev->prov;
	hd = call->hd;
	/* spec: termination.md §1.1 — never after TSPI_lineCloseCall */
	if (call->closing)
		return LINEERR_INVALCALLHANDLE; /* an observer's handle */
	call_busy_locked(call);
	op_tspi_begin_locked(p);
	r = info ? p->fn.lineGetCallInfo(hd, (LPLINECALLINFO)buf)
	         : p->fn.lineGetCallStatus(hd, (LPLINECALLSTATUS)buf);
	op_tspi_end(p);
	call_idle_locked(call);
	return r;
}

LONG op_get_line_dev_status_locked(struct tline *tl, LPLINEDEVSTATUS buf)
{
	struct provider *p;
	HDRVLINE hd;
	LONG r;

	core_assert_locked();
	p = tl->dev->prov;
	hd = tl->hd;
	op_tspi_begin_locked(p);
	r = p->fn.lineGetLineDevStatus(hd, buf);
	op_tspi_end(p);
	return r;
}

LONG op_negotiate_locked(struct device *dev, uint32_t lo, uint32_t hi,
                         LPDWORD version)
{
	struct provider *p;
	LONG r;

	core_assert_locked();
	p = dev->prov;
	op_tspi_begin_locked(p);
	r = p->fn.lineNegotiateTSPIVersion(dev->id, lo, hi, version);
	op_tspi_end(p);
	return r;
}

LONG op_get_dev_caps_locked(struct device *dev, uint32_t version,
                            LPLINEDEVCAPS buf)
{
	struct provider *p;
	LONG r;

	core_assert_locked();
	p = dev->prov;
	op_tspi_begin_locked(p);
	r = p->fn.lineGetDevCaps(dev->id, version, 0, buf);
	op_tspi_end(p);
	return r;
}

LONG op_get_address_caps_locked(struct device *dev, uint32_t address,
                                uint32_t version, LPLINEADDRESSCAPS buf)
{
	struct provider *p;
	LONG r;

	core_assert_locked();
	p = dev->prov;
	op_tspi_begin_locked(p);
	r = p->fn.lineGetAddressCaps(dev->id, address, version, 0, buf);
	op_tspi_end(p);
	return r;
}

/* ---- checks on a call ---------------------------------------------------- */

LONG op_lookup_locked(uint32_t hCall, struct op *x)
{
	LONG r;

	core_assert_locked();
	r = core_check_init_locked();
	if (r)
		return r;
	x->ch = callh_get_locked(hCall);
	if (!x->ch)
		return LINEERR_INVALCALLHANDLE;
	x->call = x->ch->call;
	x->p = x->call->tl->dev->prov;
	return 0;
}

/* spec: tapi-functions.md §0.3 steps 5, 6 — OWNER, a state in @states. */
static LONG allowed_locked(const struct callh *ch, const struct call *call,
                           uint32_t states)
{
	core_assert_locked();
	if (ch->priv != LINECALLPRIVILEGE_OWNER)
		return LINEERR_NOTOWNER;
	/* spec: tapi-functions.md §0.7 — the states each operation accepts */
	if (call->state ? !(call->state & states)
	                : !(states & OP_STATE_NONE_YET))
		return LINEERR_INVALCALLSTATE;
	return 0;
}

LONG op_allowed_locked(const struct op *x, uint32_t states)
{
	core_assert_locked();
	return allowed_locked(x->ch, x->call, states);
}

struct call *op_new_call_locked(struct open *o, struct req *req, LPHCALL out,
                                struct op_params *vp)
{
	struct call *call;

	core_assert_locked();
	call = call_new_locked(o->tl);
	if (!call)
		return NULL;
	call->creating = true;
	call->app_name = rcstr_ref(o->app->name);
	if (vp) {
		call->displayable = vp->displayable;
		call->called_party = vp->called_party;
		call->comment = vp->comment;
		vp->displayable = vp->called_party = vp->comment = NULL;
	}
	req_add_call_locked(req, call, out);
	return call;
}

/* ---- the engine ---------------------------------------------------------- */

/*
 * spec: tapi-functions.md §0.3 steps 1, 2 — initialized, a live handle of
 * the kind @x->d names.
 */
static LONG lookup_locked(struct op *x, uint32_t h, uint32_t hline)
{
	enum op_on on = x->d->on;
	LONG r;

	core_assert_locked();
	/* spec: tapi-functions.md §23 — from a call, or from a line */
	if (on == OP_ON_LINE || (on == OP_ON_CALL_OR_LINE && !h)) {
		r = core_check_init_locked();
		if (r)
			return r;
		x->open = open_get_locked(on == OP_ON_LINE ? h : hline);
		if (!x->open)
			return LINEERR_INVALLINEHANDLE;
		x->p = x->open->tl->dev->prov;
		return 0;
	}
	r = op_lookup_locked(h, x);
	/* spec: tapi-functions.md §23-§24 — a parent's handle */
	if (on == OP_ON_CONF &&
	    (r == LINEERR_INVALCALLHANDLE || (!r && !x->call->is_conf_parent)))
		return LINEERR_INVALCONFCALLHANDLE;
	if (r)
		return r;
	x->open = x->ch->open;
	return 0;
}

/* Holds the calls @x names busy and releases the core lock for the
 * provider call (spec: termination.md §1.1). */
static void begin_locked(struct op *x)
{
	core_assert_locked();
	if (x->call) {
		x->hd = x->call->hd;
		call_busy_locked(x->call);
	}
	if (x->call2) {
		x->hd2 = x->call2->hd;
		call_busy_locked(x->call2);
	}
	log_debug("%s: request %u", x->d->name, x->req->id);
	x->frame.id = x->req->id;
	x->frame.prev = core_req_frame;
	x->req->frame = &x->frame;
	core_req_frame = &x->frame;
	op_tspi_begin_locked(x->p);
}

/*
 * Registers the request and its new calls, holds the calls it names and
 * releases the core lock, ready for the provider. On error nothing
 * changed (a request made meanwhile has been undone) and the lock is
 * still held.
 */
static LONG start_locked(struct op *x)
{
	const struct op_desc *d = x->d;
	struct open *o = x->open;
	struct op_params *vp;
	uint32_t guard;
	unsigned i;

	core_assert_locked();
	/* spec: termination.md §1.1 — never after TSPI_lineCloseCall */
	if ((x->call && x->call->closing) || (x->call2 && x->call2->closing))
		return LINEERR_INVALCALLHANDLE; /* an observer's handle */
	/*
	 * spec: termination.md §3.2 — a request creating calls, or made
	 * by an app of API >= 2.0, is the line's: its reply survives
	 * lineDeallocateCall (it names no call) but not the line's close;
	 * older apps lose it with the call handle.
	 */
	guard = x->creates || !x->ch || o->api_version >= VER_2_0 ? o->h
	                                                          : x->ch->h;
	x->req = req_new_locked(x->creates ? REQ_CREATE : REQ_GENERIC, o->app,
	                        o, guard);
	if (!x->req)
		return LINEERR_NOMEM;
	for (i = 0; i < x->creates; i++) {
		vp = (int)i == d->vp_to ? &x->vp : NULL;
		x->made[i] = op_new_call_locked(o, x->req, x->out[i], vp);
		if (!x->made[i]) {
			/* never seen by the provider: no CloseCall (spec C3) */
			return req_after_call_locked(x->req, LINEERR_NOMEM);
		}
		if (d->made)
			d->made(x, i, x->made[i]);
	}
	x->hdl = o->tl->hd;
	begin_locked(x);
	return 0;
}

/* After the provider returned @r (no lock held): takes the core lock
 * back and settles the request; returns its outcome, the lock held. */
static LONG settle(struct op *x, LONG r)
{
	unsigned i;

	op_tspi_end(x->p);
	core_req_frame = x->frame.prev;
	x->req->frame = NULL;
	/* before the outcome: an early completion announces them */
	for (i = 0; i < x->creates; i++)
		x->made[i]->hd = x->made_hd[i];
	if (__atomic_load_n(&x->frame.done, __ATOMIC_RELAXED))
		req_note_completion_locked(x->req, x->frame.result);
	r = req_after_call_locked(x->req, r);
	if (x->call2)
		call_idle_locked(x->call2);
	if (x->call)
		call_idle_locked(x->call);
	return r;
}

/* ... and the lock released: the outcome for the app. */
static LONG finish(struct op *x, LONG r)
{
	r = settle(x, r);
	core_unlock();
	return r;
}

LONG op_run_own_locked(const struct op_desc *d, struct call *call,
                       enum req_kind kind)
{
	struct op x = {.d = d, .call = call, .p = call->tl->dev->prov};

	core_assert_locked();
	if (!op_tspi_has(x.p, d->tspi))
		return LINEERR_OPERATIONUNAVAIL;
	x.req = req_new_locked(kind, NULL, NULL, 0);
	if (!x.req)
		return LINEERR_NOMEM;
	x.hdl = call->tl->hd;
	begin_locked(&x);
	return settle(&x, d->call(&x));
}

static LONG run(const struct op_desc *d, uint32_t h, uint32_t hline,
                const void *args)
{
	struct op x = {.d = d, .args = args, .creates = d->creates};
	bool prepared = false;
	LONG r;

	core_lock();
	r = lookup_locked(&x, h, hline);
	if (!r && d->pre)
		r = d->pre(&x);
	if (!r && x.ch)
		r = allowed_locked(x.ch, x.call, d->states);
	if (!r && x.ch2 && d->states2)
		r = allowed_locked(x.ch2, x.call2, d->states2);
	if (!r && d->post)
		r = d->post(&x);
	if (!r && !op_tspi_has(x.p, d->tspi) &&
	    !(d->tspi_alt && op_tspi_has(x.p, d->tspi_alt)))
		r = LINEERR_OPERATIONUNAVAIL;
	if (!r && d->prepare) {
		r = d->prepare(&x);
		prepared = r == 0;
	}
	if (!r)
		r = start_locked(&x);
	if (r) {
		/* no state change on an error return */
		if (prepared && d->undo)
			d->undo(&x);
		core_unlock();
		op_params_free(&x.vp);
		return r;
	}
	r = finish(&x, d->call(&x));
	op_params_free(&x.vp);
	return r;
}

LONG op_run(const struct op_desc *d, uint32_t h, const void *args)
{
	return run(d, h, 0, args);
}

LONG op_run_call_or_line(const struct op_desc *d, uint32_t hCall,
                         uint32_t hLine, const void *args)
{
	return run(d, hCall, hLine, args);
}

LONG op_call_plain(struct op *x)
{
	LONG (*fn)(DRV_REQUESTID, HDRVCALL);

	memcpy(&fn, (const char *)&x->p->fn + x->d->tspi, sizeof(fn));
	return fn(x->req->id, x->hd);
}
