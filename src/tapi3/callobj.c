/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Call objects of the TAPI 3 layer (ITBasicCallControl, ITCallInfo): their
 * lifetime, the TAPI 2 → TAPI 3 state processing and every method
 * (tapi3-call-control.md §1 - §6). See t3.h for threads and references.
 */
#define LOG_MODULE "tapi3"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tapi3/map.h"
#include "tapi3/t3.h"
#include "util/log.h"
#include "util/mem.h"

static void finish_locked(struct tapix_call *c);
static void consult_late_locked(struct pend *p);
static void conf_xfer_late_locked(struct pend *p);

/* ---- lifetime -------------------------------------------------------------
 */

struct tapix_call *callobj_new_locked(struct tapix_tapi *t,
                                      struct tapix_address *a)
{
	struct tapix_call *c = mem_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	/* the CS_DISCONNECTED event never fails to be made (spec §4) */
	c->final_ev = mem_zalloc(sizeof(*c->final_ev));
	if (!c->final_ev) {
		mem_free(c);
		return NULL;
	}
	c->t = t;
	c->a = a;
	c->refs = 1;
	c->state = CS_IDLE;
	c->priv = CP_OWNER;
	list_add_tail(&t->calls, &c->link);
	t->refs++;
	return c;
}

static void leave_hub_locked(struct tapix_call *c)
{
	struct tapix_call *hub = c->hub;

	c->hub = NULL;
	if (hub && --hub->members == 0) {
		/* the last member went: the conference call itself goes */
		hub->released = true;
		finish_locked(hub);
	}
}

static void set_orig_locked(struct tapix_call *c, struct tapix_call *orig)
{
	struct tapix_call *old = c->orig;

	c->orig = orig;
	if (orig)
		callobj_pin_locked(orig);
	if (old)
		callobj_unpin_locked(old);
}

static void free_locked(struct tapix_call *c)
{
	struct tapix_tapi *t = c->t;

	list_del(&c->link);
	c->consult = CONSULT_NONE;
	set_orig_locked(c, NULL);
	leave_hub_locked(c);
	mem_free(c->dest);
	mem_free(c->final_ev);
	mem_free(c);
	session_unref_locked(t);
}

static bool passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec ||
	       (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/*
 * spec §1 [proposal] — a released call is dropped only if this application
 * is its only owner and it is not idle yet. With no lock held (deferred):
 * lineDrop's result, 0 when not dropped.
 */
static LONG release_drop(struct apprt_act *a)
{
	LINECALLSTATUS st;
	LINECALLINFO ci;

	memset(&st, 0, sizeof(st));
	st.dwTotalSize = sizeof(st);
	if (lineGetCallStatus((HCALL)a->h, &st) != 0 ||
	    st.dwCallState == LINECALLSTATE_IDLE)
		return 0;
	memset(&ci, 0, sizeof(ci));
	ci.dwTotalSize = sizeof(ci);
	if (lineGetCallInfo((HCALL)a->h, &ci) != 0 || ci.dwNumOwners > 1)
		return 0;
	return lineDrop((HCALL)a->h, NULL, 0);
}

/* A released call's drop ran (the object a->cookie, pinned for it): wait
 * for IDLE, or deallocate now. */
static void release_drop_done(void *owner, const struct apprt_act *a)
{
	struct tapix_call *c = (struct tapix_call *)(uintptr_t)a->cookie;

	(void)owner;
	if (a->result <= 0)
		c->give_up = true; /* not dropped: nothing to wait for */
	else
		session_wake(c->t); /* the deadline set when it was queued */
	if (c->pins > 1) {
		c->pins--;
		finish_locked(c);
	} else {
		callobj_unpin_locked(c); /* (finishes @c, which may go) */
	}
}

/*
 * Starts a drop nobody waits for (release: @fn release_drop, with @done;
 * BUSY, SPECIALINFO: apprt_do_drop), run once the lock is let go: its
 * PEND_DROP record follows the request. False when memory ran out.
 */
static bool layer_drop_locked(struct tapix_call *c, apprt_act_fn *fn,
                              apprt_done_fn *done)
{
	struct tapix_tapi *t = c->t;
	struct pend *p = session_pend_new_locked(t, PEND_DROP, c, NULL, NULL);

	if (!p) {
		log_err("call %08x: out of memory, not dropped",
		        (unsigned)c->hcall);
		return false;
	}
	if (!apprt_defer_locked(&t->rt, fn, c->hcall, &p->rq, done,
	                        (uint64_t)(uintptr_t)c)) {
		log_err("call %08x: out of memory, not dropped",
		        (unsigned)c->hcall);
		c->pins++; /* (freeing the record must not finish @c here) */
		session_pend_free_locked(p);
		c->pins--;
		return false;
	}
	return true;
}

/*
 * What a released call still needs: its drop (if solely ours and live),
 * the wait for IDLE (bounded), lineDeallocateCall, then its memory once
 * nothing of the layer's names it. The line API calls are deferred (run
 * once the lock is let go, in order).
 */
static void finish_locked(struct tapix_call *c)
{
	struct tapix_tapi *t = c->t;

	if (!c->released || c->binding)
		return;
	if (c->hcall) {
		if (!c->drop_sent) {
			c->drop_sent = true;
			if (c->priv == CP_OWNER) {
				/* the drop's pin keeps @c for
				 * release_drop_done; IDLE is awaited until the
				 * deadline */
				session_deadline(&c->deadline,
				                 T3_RELEASE_WAIT_MS);
				c->pins++;
				if (layer_drop_locked(c, release_drop,
				                      release_drop_done))
					return;
				c->pins--;
			}
			c->give_up = true;
		} else if (!c->give_up && c->t2 != LINECALLSTATE_IDLE &&
		           !passed(&c->deadline)) {
			return; /* the engine comes back at the deadline */
		}
		session_defer_locked(t, apprt_do_deallocate, c->hcall);
		c->hcall = 0;
	}
	if (!c->pins && !c->members)
		free_locked(c);
}

void callobj_pin_locked(struct tapix_call *c)
{
	c->pins++;
}

void callobj_unpin_locked(struct tapix_call *c)
{
	if (--c->pins == 0)
		finish_locked(c);
}

void callobj_unref_locked(struct tapix_call *c)
{
	if (!c->refs) {
		log_warn("a call object was released once too often");
		return;
	}
	if (--c->refs)
		return;
	/* spec §1, §4 — no event after this; drop if needed, deallocate */
	c->released = true;
	term_unselect_all_locked(c);
	finish_locked(c);
}

struct tapix_call *callobj_find_locked(struct tapix_tapi *t, HCALL h)
{
	struct list_node *it;

	if (!h)
		return NULL;
	list_foreach(it, &t->calls) {
		struct tapix_call *c = list_entry(it, struct tapix_call, link);

		if (c->hcall == h)
			return c;
	}
	return NULL;
}

/* ---- states ---------------------------------------------------------------
 */

/* A new CALL_STATE for @c, and its event if the application takes it. */
static void report_locked(struct tapix_call *c, CALL_STATE state,
                          CALL_STATE_EVENT_CAUSE cause)
{
	struct tapix_tapi *t = c->t;
	struct tapix_event *ev;

	c->state = state;
	if (state == CS_DISCONNECTED) {
		c->last_cause = cause;
		/* its terminals stop with the call's media */
		term_call_ended_locked(c);
	}
	pthread_cond_broadcast(&t->cond); /* synchronous waits */
	if (c->hidden || c->released || t->down || !(t->filter & TE_CALLSTATE))
		return;
	if (state == CS_DISCONNECTED && c->final_ev) {
		ev = c->final_ev;
		c->final_ev = NULL;
		ev->t = t;
		ev->refs = 1;
		ev->type = TE_CALLSTATE;
		ev->call = c;
		c->refs++;
		t->refs++;
	} else {
		ev = session_event_new_locked(c, TE_CALLSTATE);
		if (!ev) {
			log_err("call %08x: out of memory, state %d not "
			        "reported",
			        (unsigned)c->hcall, (int)state);
			return;
		}
	}
	ev->state = state;
	ev->cause = cause;
	ev->cbinst = c->cbinst;
	session_post_locked(t, ev);
}

/* A call that failed before it got a line API call (spec §5.1). */
static void fail_locked(struct tapix_call *c, LONG err)
{
	report_locked(c, CS_DISCONNECTED,
	              err == LINEERR_INVALADDRESS ? CEC_DISCONNECT_BADADDRESS
	                                          : CEC_DISCONNECT_FAILED);
}

void callobj_on_state_locked(struct tapix_call *c, uint32_t t2, uint32_t mode)
{
	struct map_state ms;

	if (t2 == LINECALLSTATE_CONNECTED)
		c->was_connected = true;
	c->t2 = t2;
	if (c->released) {
		if (t2 == LINECALLSTATE_IDLE)
			finish_locked(c);
		return;
	}
	if (!map_state(t2, mode, c->was_connected, &ms))
		return;
	/* spec §4 — CS_DISCONNECTED exactly once, final */
	if (c->state == CS_DISCONNECTED)
		return;
	if (ms.state == CS_DISCONNECTED) {
		/* spec §3 — our own Disconnect's cause wins */
		report_locked(c, CS_DISCONNECTED,
		              c->local_drop ? c->local_cause : ms.cause);
		/* spec §2 — BUSY, SPECIALINFO: the layer drops the call */
		if (ms.drop && c->hcall && c->priv == CP_OWNER)
			layer_drop_locked(c, apprt_do_drop, NULL);
		return;
	}
	/* spec §2 — only a change of CALL_STATE is an event */
	if (ms.state != c->state)
		report_locked(c, ms.state, CEC_NONE);
}

/* A new call's state, asked with no lock held: out[0] the state, out[1]
 * its mode. */
static LONG new_call_status(struct apprt_act *a)
{
	LINECALLSTATUS st;
	LONG r;

	memset(&st, 0, sizeof(st));
	st.dwTotalSize = sizeof(st);
	r = lineGetCallStatus((HCALL)a->h, &st);
	a->out[0] = st.dwCallState;
	a->out[1] = st.dwCallStateMode;
	return r;
}

/* The state of the new call a->cookie (held for this) came. */
static void new_call_status_done(void *owner, const struct apprt_act *a)
{
	struct tapix_call *c = (struct tapix_call *)(uintptr_t)a->cookie;

	(void)owner;
	/* (its handle may be void meanwhile: line closed, shutdown) */
	if (a->result == 0 && a->out[0] && c->hcall == (HCALL)a->h)
		callobj_on_state_locked(c, a->out[0], a->out[1]);
	/* held by its events only: nobody holding it releases it */
	callobj_unref_locked(c);
}

void callobj_on_new_locked(struct tapix_tapi *t, struct reg *r, HCALL h,
                           uint32_t privilege)
{
	struct tapix_call *c = callobj_find_locked(t, h);
	struct tapix_event *ev;

	if (c) { /* a handle of ours upgraded (handed to us) */
		if (privilege & LINECALLPRIVILEGE_OWNER)
			c->priv = CP_OWNER;
		return;
	}
	c = callobj_new_locked(t, r->a);
	if (!c) {
		log_err("call %08x: out of memory, not taken", (unsigned)h);
		session_defer_locked(t, apprt_do_deallocate, h);
		return;
	}
	c->hcall = h;
	c->hline = r->h;
	c->cbinst = r->cbinst;
	c->priv = privilege & LINECALLPRIVILEGE_OWNER ? CP_OWNER : CP_MONITOR;
	/* spec §1 — the notification first, then the states */
	if ((t->filter & TE_CALLNOTIFICATION) && !t->down) {
		ev = session_event_new_locked(c, TE_CALLNOTIFICATION);
		if (ev) {
			ev->cne = c->priv == CP_OWNER ? CNE_OWNER : CNE_MONITOR;
			ev->cbinst = r->cbinst;
			session_post_locked(t, ev);
		} else {
			log_err("call %08x: out of memory, notification lost",
			        (unsigned)h);
		}
	}
	/* the state it is in now (its LINE_CALLSTATE may say UNKNOWN): asked
	 * once the lock is let go, before the engine reads its next message;
	 * our reference is the question's until then */
	if (!apprt_defer_locked(&t->rt, new_call_status, h, NULL,
	                        new_call_status_done, (uint64_t)(uintptr_t)c))
		callobj_unref_locked(c);
}

void callobj_on_reply_locked(struct pend *p)
{
	struct tapix_call *c0 = p->c[0];
	unsigned i;

	for (i = 0; i < 3; i++) {
		struct tapix_call *c = p->c[i];

		if (!c || !c->binding)
			continue;
		c->binding = false;
		if (p->result == 0)
			c->hcall = c->new_h;
	}
	switch (p->kind) {
	case PEND_MAKECALL:
		c0->connecting = false;
		if (p->result < 0 && c0->state != CS_DISCONNECTED &&
		    !c0->released)
			fail_locked(c0, p->result);
		break;
	case PEND_DROP:
		if (p->result < 0)
			c0->give_up = true;
		break;
	case PEND_CONSULT:
		if (!p->waited) /* its method gave up: TAPI_E_TIMEOUT */
			consult_late_locked(p);
		break;
	case PEND_CONF_XFER:
		if (!p->waited)
			conf_xfer_late_locked(p);
		break;
	case PEND_PLAIN:
		break;
	}
	pthread_cond_broadcast(&c0->t->cond);
}

void callobj_line_gone_locked(struct tapix_tapi *t, HLINE h)
{
	struct list_node *it;

	if (!h)
		return;
	session_abort_pends_locked(t, h);
again:
	list_foreach(it, &t->calls) {
		struct tapix_call *c = list_entry(it, struct tapix_call, link);

		if (c->hline != h)
			continue;
		/* lineClose deallocated the handles of this open */
		term_call_ended_locked(c);
		c->hline = 0;
		c->hcall = 0;
		c->binding = false;
		if (c->state != CS_DISCONNECTED && c->state != CS_IDLE)
			report_locked(c, CS_DISCONNECTED,
			              c->local_drop ? c->local_cause
			                            : CEC_DISCONNECT_NORMAL);
		finish_locked(c); /* may free calls: look again */
		goto again;
	}
}

void callobj_expire_locked(struct tapix_tapi *t, struct timespec *next)
{
	struct list_node *it;

again:
	next->tv_sec = 0;
	next->tv_nsec = 0;
	list_foreach(it, &t->calls) {
		struct tapix_call *c = list_entry(it, struct tapix_call, link);

		if (!c->released || !c->hcall || !c->drop_sent || c->give_up)
			continue;
		if (passed(&c->deadline)) {
			log_warn("call %08x: not idle %u ms after its drop, "
			         "deallocated anyway",
			         (unsigned)c->hcall, T3_RELEASE_WAIT_MS);
			c->give_up = true;
			finish_locked(c);
			goto again;
		}
		if (!next->tv_sec || c->deadline.tv_sec < next->tv_sec ||
		    (c->deadline.tv_sec == next->tv_sec &&
		     c->deadline.tv_nsec < next->tv_nsec))
			*next = c->deadline;
	}
}

void callobj_shutdown_locked(struct tapix_tapi *t)
{
	struct list_node *it;

again:
	list_foreach(it, &t->calls) {
		struct tapix_call *c = list_entry(it, struct tapix_call, link);

		if (!c->hcall && !c->binding && !c->hline)
			continue;
		/* lineShutdown made every handle void */
		term_call_ended_locked(c);
		c->hcall = 0;
		c->binding = false;
		c->hline = 0;
		finish_locked(c);
		goto again;
	}
}

/* ---- entry points -----------------------------------------------------------
 */

/* Locks @c's session for a method; S_OK, E_POINTER or NOT_INITIALIZED. */
static HRESULT call_enter(struct tapix_call *c)
{
	if (!c)
		return E_POINTER;
	if (!session_enter(c->t))
		return TAPI_E_NOT_INITIALIZED;
	return S_OK;
}

static HRESULT call_leave(struct tapix_call *c, HRESULT hr)
{
	return session_leave(c->t, hr);
}

/*
 * Runs a line API request: @p was made (pinning the calls) before the
 * function returned @r. The LINEERR_ outcome mapped (spec §6).
 */
static HRESULT request_locked(struct tapix_tapi *t, struct pend *p, LONG r,
                              bool unavail_is_fail)
{
	LONG result = 0;
	HRESULT hr;

	if (!session_request_locked(t, p, r, &result, &hr))
		return hr;
	return map_lineerr(result, unavail_is_fail);
}

/* Waits until @c is connected or gone (spec §5.1 fSync). */
static HRESULT wait_connected_locked(struct tapix_call *c)
{
	struct tapix_tapi *t = c->t;
	struct timespec deadline;

	session_deadline(&deadline, t->timeout_ms);
	while (c->state != CS_CONNECTED && c->state != CS_DISCONNECTED &&
	       !t->down) {
		if (pthread_cond_timedwait(&t->cond, &t->lock, &deadline) ==
		    ETIMEDOUT)
			return TAPI_E_TIMEOUT;
	}
	if (t->down)
		return TAPI_E_NOT_INITIALIZED;
	return c->state == CS_CONNECTED ? S_OK
	                                : map_cause_hresult(c->last_cause);
}

/* The open to place @a's calls on: a registration's, else a plain one. */
static HRESULT line_for_locked(struct tapix_tapi *t, struct tapix_address *a,
                               HLINE *out)
{
	struct list_node *it;
	LONG r;

	list_foreach(it, &t->regs) {
		struct reg *g = list_entry(it, struct reg, link);

		if (g->a == a && g->h) {
			*out = g->h;
			return S_OK;
		}
	}
	if (!a->plain) {
		HLINEAPP app = t->rt.app;
		HLINE h = 0;

		/* spec §5.1 — opened on demand with no privilege */
		session_out(t);
		r = lineOpen(app, a->dev, &h, a->api, 0, 0,
		             LINECALLPRIVILEGE_NONE, 0, NULL);
		session_in(t);
		if (r != 0)
			return map_lineerr(r, false);
		if (t->down)
			return TAPI_E_NOT_INITIALIZED; /* (void already) */
		if (a->plain) /* another method opened one meanwhile */
			session_defer_locked(t, apprt_do_close, h);
		else
			a->plain = h;
	}
	*out = a->plain;
	return S_OK;
}

/* ---- ITAddress::CreateCall, ITCallInfo
 * ---------------------------------------- */

HRESULT tapix_address_create_call(struct tapix_address *a, const char *dest,
                                  uint32_t address_type, uint32_t media_types,
                                  struct tapix_call **out)
{
	struct tapix_tapi *t;
	struct tapix_call *c;

	if (!a || !out)
		return E_POINTER;
	*out = NULL;
	switch (address_type) {
	case LINEADDRESSTYPE_PHONENUMBER:
	case LINEADDRESSTYPE_EMAILNAME:
	case LINEADDRESSTYPE_DOMAINNAME:
	case LINEADDRESSTYPE_IPADDRESS:
		break;
	default: /* SDP (no provider takes it), several bits, unknown */
		return TAPI_E_INVALADDRESSTYPE;
	}
	if (!media_types)
		return E_INVALIDARG;
	if ((media_types & ~MAP_MEDIA_KNOWN) || (media_types & ~a->media) ||
	    !map_media_to_line(media_types, false))
		return TAPI_E_INVALIDMEDIATYPE;
	t = a->t;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	if (!session_own_address(t, a)) {
		session_unlock(t);
		return E_INVALIDARG;
	}
	c = callobj_new_locked(t, a);
	if (c && dest) {
		c->dest = mem_strdup(dest);
		if (!c->dest) {
			c->refs = 0;
			c->released = true;
			free_locked(c);
			c = NULL;
		}
	}
	if (!c) {
		session_unlock(t);
		return E_OUTOFMEMORY;
	}
	c->media = map_media_to_line(media_types, false);
	*out = c;
	session_unlock(t);
	return S_OK;
}

void tapix_call_addref(struct tapix_call *c)
{
	if (!c)
		return;
	apprt_lock(&c->t->rt);
	if (c->released)
		log_warn("addref on a released call object ignored");
	else
		c->refs++;
	apprt_unlock(&c->t->rt);
}

void tapix_call_release(struct tapix_call *c)
{
	struct tapix_tapi *t;

	if (!c)
		return;
	t = c->t;
	apprt_lock(&t->rt);
	callobj_unref_locked(c);
	session_unlock(t);
}

HRESULT tapix_call_get_state(struct tapix_call *c, CALL_STATE *st)
{
	HRESULT hr;

	if (!st)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	*st = c->state;
	return call_leave(c, S_OK);
}

HRESULT tapix_call_get_privilege(struct tapix_call *c, CALL_PRIVILEGE *p)
{
	HRESULT hr;

	if (!p)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	*p = c->priv;
	return call_leave(c, S_OK);
}

struct tapix_address *tapix_call_get_address(struct tapix_call *c)
{
	return c ? c->a : NULL;
}

HRESULT tapix_call_get_hcall(struct tapix_call *c, HCALL *h)
{
	HRESULT hr;

	if (!h)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	*h = c->hcall;
	return call_leave(c, S_OK);
}

/* ---- ITBasicCallControl
 * ---------------------------------------------------------- */

HRESULT tapix_call_connect(struct tapix_call *c, bool sync)
{
	struct tapix_tapi *t;
	LINECALLPARAMS cp;
	struct pend *p;
	HLINE hl = 0;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	t = c->t;
	/* spec §5.1 — CS_IDLE only */
	if (c->hidden || c->state != CS_IDLE || c->hcall || c->binding)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	hr = line_for_locked(t, c->a, &hl);
	if (hr != S_OK)
		return call_leave(c, hr);
	/* (the lock was let go: another Connect may have come first) */
	if (c->state != CS_IDLE || c->hcall || c->binding)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	p = session_pend_new_locked(t, PEND_MAKECALL, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwBearerMode = LINEBEARERMODE_VOICE;
	cp.dwMediaMode = c->media;
	cp.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	c->hline = hl;
	c->binding = true;
	c->connecting = true;
	session_start_unlock(t, p);
	/* (c->dest does not change; c->new_h is written if it succeeds) */
	r = lineMakeCall(hl, &c->new_h, c->dest, 0, &cp);
	session_start_relock(t, p, r);
	if (r < 0) {
		/* spec §5.1 — a refused request ends the call */
		c->binding = false;
		c->connecting = false;
		if (c->state != CS_DISCONNECTED)
			fail_locked(c, r);
	}
	hr = request_locked(t, p, r, false);
	if (hr == S_OK && sync)
		hr = wait_connected_locked(c);
	return call_leave(c, hr);
}

HRESULT tapix_call_answer(struct tapix_call *c)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* spec §5.2 — E_UNEXPECTED outside CS_OFFERING (§8 T5) */
	if (c->state != CS_OFFERING || !c->hcall)
		return call_leave(c, E_UNEXPECTED);
	if (c->priv != CP_OWNER)
		return call_leave(c, TAPI_E_NOTOWNER);
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	h = c->hcall;
	session_start_unlock(c->t, p);
	r = lineAnswer(h, NULL, 0);
	session_start_relock(c->t, p, r);
	return call_leave(c, request_locked(c->t, p, r, false));
}

static HRESULT disconnect_locked(struct tapix_call *c, DISCONNECT_CODE code)
{
	CALL_STATE_EVENT_CAUSE cause;
	CALL_STATE state = c->state;
	HCALL h = c->hcall;
	uint32_t hint;
	struct pend *p;
	HRESULT hr;
	LONG r;

	/* spec §5.3 — nothing to end: S_FALSE */
	if (!c->hcall)
		return S_FALSE;
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return E_OUTOFMEMORY;
	if (state == CS_DISCONNECTED) {
		/* clears the line API call; no new event */
		if (c->t2 == LINECALLSTATE_IDLE) {
			session_pend_free_locked(p);
			return S_OK;
		}
		session_start_unlock(c->t, p);
		r = lineDrop(h, NULL, 0);
		session_start_relock(c->t, p, r);
		hr = request_locked(c->t, p, r, false);
		return hr == TAPI_E_INVALCALLSTATE ? S_OK : hr;
	}
	/* bound but no state seen yet: the request is in progress */
	if (state == CS_IDLE)
		state = CS_INPROGRESS;
	map_disconnect_code(state, code, &cause, &hint);
	c->local_drop = true;
	c->local_cause = cause;
	session_start_unlock(c->t, p);
	r = tapix_line_drop_ex(h, NULL, 0, hint);
	session_start_relock(c->t, p, r);
	hr = request_locked(c->t, p, r, false);
	if (hr != S_OK && c->state != CS_DISCONNECTED)
		c->local_drop = false; /* spec §5.3 — the call stays */
	return hr;
}

HRESULT tapix_call_disconnect(struct tapix_call *c, DISCONNECT_CODE code)
{
	HRESULT hr;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	if ((unsigned)code > DC_REJECTED)
		return call_leave(c, E_INVALIDARG);
	return call_leave(c, disconnect_locked(c, code));
}

HRESULT tapix_call_hold(struct tapix_call *c, bool hold)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* spec §5.4 */
	if (!c->hcall || c->state == CS_DISCONNECTED || c->state == CS_IDLE)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	if ((hold && c->state == CS_HOLD) ||
	    (!hold && c->state == CS_CONNECTED))
		return call_leave(c, S_OK);
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	h = c->hcall;
	session_start_unlock(c->t, p);
	r = hold ? lineHold(h) : lineUnhold(h);
	session_start_relock(c->t, p, r);
	return call_leave(c, request_locked(c->t, p, r, false));
}

/* Another application owns call @h too (no lock held). */
static bool other_owner(HCALL h)
{
	LINECALLINFO ci;

	memset(&ci, 0, sizeof(ci));
	ci.dwTotalSize = sizeof(ci);
	return lineGetCallInfo(h, &ci) == 0 && ci.dwNumOwners > 1;
}

/* spec §5.5 — lineHandoff's outcome as TAPI 3 sees it. */
static HRESULT handoff_locked(struct tapix_call *c, const char *app,
                              uint32_t mode)
{
	struct tapix_tapi *t = c->t;
	HCALL h = c->hcall;
	bool others;
	LONG r;

	if (!h || c->state == CS_DISCONNECTED)
		return TAPI_E_INVALCALLSTATE;
	session_out(t);
	r = lineHandoff(h, app, mode);
	/*
	 * A directed handoff to this very application succeeds in TAPI 2
	 * (nothing changes); giving up ownership then would leave the call
	 * ownerless, so it is TARGETSELF here too.
	 */
	others = r == 0 && other_owner(h);
	/* the object becomes a monitor view of the call */
	if (others)
		r = lineSetCallPrivilege(h, LINECALLPRIVILEGE_MONITOR);
	session_in(t);
	if (r == LINEERR_TARGETNOTFOUND && !others) {
		/* §8 T6 — TAPI 3 disconnects the call it could not hand off */
		if (c->hcall == h)
			disconnect_locked(c, DC_NORMAL);
		return TAPI_E_TARGETNOTFOUND;
	}
	if (r != 0 && !others)
		return map_lineerr(r, false);
	if (!others)
		return TAPI_E_TARGETSELF;
	if (r == 0 && c->hcall == h)
		c->priv = CP_MONITOR;
	else if (r != 0)
		log_warn("call %08x: handed off, but still an owner (%08x)",
		         (unsigned)h, (unsigned)r);
	return S_OK;
}

HRESULT tapix_call_handoff_direct(struct tapix_call *c, const char *app_name)
{
	const char *base;
	HRESULT hr;

	if (!app_name)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	base = strrchr(app_name, '/');
	base = base ? base + 1 : app_name;
	if (!*base)
		return call_leave(c, E_INVALIDARG);
	return call_leave(c, handoff_locked(c, base, 0));
}

HRESULT tapix_call_handoff_indirect(struct tapix_call *c, uint32_t media_type)
{
	HRESULT hr;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* spec §5.5 — exactly one known media type */
	if (!media_type || (media_type & (media_type - 1)) ||
	    (media_type & ~MAP_MEDIA_KNOWN) ||
	    !map_media_to_line(media_type, false))
		return call_leave(c, E_INVALIDARG);
	return call_leave(
		c,
		handoff_locked(c, NULL, map_media_to_line(media_type, false)));
}

HRESULT tapix_call_blind_transfer(struct tapix_call *c, const char *dest)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	if (!dest)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	if (!c->hcall)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	h = c->hcall;
	session_start_unlock(c->t, p);
	r = lineBlindTransfer(h, dest, 0);
	session_start_relock(c->t, p, r);
	/* spec §5.6 — OPERATIONUNAVAIL is E_FAIL here */
	return call_leave(c, request_locked(c->t, p, r, true));
}

/* Checks Transfer/Conference's arguments; S_OK or the HRESULT. */
static HRESULT consult_check_locked(struct tapix_call *c,
                                    struct tapix_call *consult)
{
	const struct tapix_call *o;

	if (consult->t != c->t || consult == c || consult->hidden ||
	    consult->a != c->a)
		return E_INVALIDARG;
	if (!c->hcall || c->state == CS_DISCONNECTED)
		return TAPI_E_INVALCALLSTATE;
	if (consult->consult != CONSULT_NONE)
		return TAPI_E_INVALCALLSTATE;
	/*
	 * spec §5.7 — the consultation call is a second call made for the
	 * original's sake: @c's own original (or that one's) cannot be it.
	 * Each would pin the other (orig), and neither could ever go.
	 */
	for (o = c->orig; o; o = o->orig)
		if (o == consult)
			return TAPI_E_INVALCALLSTATE;
	if (consult->state == CS_IDLE && !consult->hcall && !consult->binding) {
		if (!consult->dest || !*consult->dest)
			return E_INVALIDARG; /* spec §5.7 — nothing to dial */
		return S_OK;
	}
	if (consult->state == CS_CONNECTED && consult->hcall)
		return S_OK;
	return TAPI_E_INVALCALLSTATE;
}

/* Dials the new consultation call @consult (spec §5.7), then waits. */
static HRESULT consult_dial_locked(struct tapix_call *consult, bool sync)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	p = session_pend_new_locked(consult->t, PEND_PLAIN, consult, NULL,
	                            NULL);
	if (!p)
		return E_OUTOFMEMORY;
	h = consult->hcall;
	session_start_unlock(consult->t, p);
	r = lineDial(h, consult->dest, 0);
	session_start_relock(consult->t, p, r);
	hr = request_locked(consult->t, p, r, false);
	if (hr == S_OK && sync)
		hr = wait_connected_locked(consult);
	return hr;
}

/* lineDial of the consultation call a->cookie (pinned by the request
 * record), with no lock held: its dest never changes. */
static LONG consult_dial_act(struct apprt_act *a)
{
	const struct tapix_call *c =
		(const struct tapix_call *)(uintptr_t)a->cookie;

	return lineDial((HCALL)a->h, c->dest, 0);
}

/* consult_dial_locked for the engine, which cannot wait: the dial is
 * deferred and followed by a record nobody waits for. */
static void consult_dial_later_locked(struct tapix_call *consult)
{
	struct tapix_tapi *t = consult->t;
	struct pend *p =
		session_pend_new_locked(t, PEND_PLAIN, consult, NULL, NULL);

	if (!p) {
		log_err("call %08x: out of memory, consultation not dialled",
		        (unsigned)consult->hcall);
		return;
	}
	p->waited = false;
	if (!apprt_defer_locked(&t->rt, consult_dial_act, consult->hcall,
	                        &p->rq, NULL, (uint64_t)(uintptr_t)consult)) {
		log_err("call %08x: out of memory, consultation not dialled",
		        (unsigned)consult->hcall);
		/* (the caller's record pins @consult: not finished here) */
		session_pend_free_locked(p);
	}
}

HRESULT tapix_call_transfer(struct tapix_call *c, struct tapix_call *consult,
                            bool sync)
{
	struct tapix_tapi *t;
	struct pend *p;
	HRESULT hr;
	HCALL h;
	LONG r;

	if (!consult)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	t = c->t;
	hr = consult_check_locked(c, consult);
	if (hr != S_OK)
		return call_leave(c, hr);
	if (consult->hcall) {
		/* already connected: the original waits on hold */
		p = session_pend_new_locked(t, PEND_PLAIN, c, NULL, NULL);
		if (!p)
			return call_leave(c, E_OUTOFMEMORY);
		r = 0;
		if (c->state != CS_HOLD) {
			h = c->hcall;
			session_start_unlock(t, p);
			r = lineHold(h);
			session_start_relock(t, p, r);
		}
		hr = request_locked(t, p, r, true);
		if (hr == S_OK) {
			consult->consult = CONSULT_XFER;
			set_orig_locked(consult, c);
		}
		return call_leave(c, hr);
	}
	p = session_pend_new_locked(t, PEND_CONSULT, c, NULL, consult);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	p->consult = CONSULT_XFER;
	consult->hline = c->hline;
	consult->binding = true;
	h = c->hcall;
	session_start_unlock(t, p);
	r = lineSetupTransfer(h, &consult->new_h, NULL);
	session_start_relock(t, p, r);
	if (r < 0)
		consult->binding = false;
	/* (TAPI_E_TIMEOUT: the engine follows the reply, consult_late) */
	hr = request_locked(t, p, r, true);
	if (hr != S_OK) {
		if (!consult->hcall && !consult->binding)
			consult->hline = 0;
		return call_leave(c, hr);
	}
	consult->consult = CONSULT_XFER;
	set_orig_locked(consult, c);
	return call_leave(c, consult_dial_locked(consult, sync));
}

/* A hidden object for a conference call of @c's line (refs 0). */
static struct tapix_call *hub_new_locked(struct tapix_call *c)
{
	struct tapix_call *hub = callobj_new_locked(c->t, c->a);

	if (!hub)
		return NULL;
	hub->refs = 0;
	hub->hidden = true;
	hub->hline = c->hline;
	hub->binding = true;
	return hub;
}

/* Gives up a hub nobody joined. */
static void hub_drop_locked(struct tapix_call *hub)
{
	hub->binding = false;
	if (!hub->members) {
		hub->released = true;
		finish_locked(hub);
	}
}

static void hub_join_locked(struct tapix_call *c, struct tapix_call *hub)
{
	if (c->hub == hub)
		return;
	leave_hub_locked(c);
	c->hub = hub;
	hub->members++;
}

/*
 * The method creating @hub gave up waiting (TAPI_E_TIMEOUT), but the
 * request goes on and the line API will still write its handle: @hub
 * stays bound, and released, so that unless the reply makes a member
 * join it (consult_late_locked, conf_xfer_late_locked) it is finished
 * (dropped and deallocated, spec §1: nobody's object) once the request's
 * pin goes, bound or not.
 */
static void hub_abandon_locked(struct tapix_call *hub)
{
	hub->released = true;
}

/* An abandoned @hub the late reply bound gets @c as a member. */
static void hub_adopt_locked(struct tapix_call *c, struct tapix_call *hub)
{
	hub_join_locked(c, hub);
	hub->released = false; /* (goes with its last member again) */
}

/*
 * A PEND_CONSULT reply came after its method returned TAPI_E_TIMEOUT:
 * what the method would have done follows (docs/tapi3.md "Threads": the
 * request goes on, a call it creates still joins its object), without
 * the synchronous wait. The original joins the conference call the
 * reply made; the consultation call is marked and dialled (spec §5.7),
 * unless released meanwhile (then its finish drops it). If the original
 * went meanwhile (released, or its handle void), nothing can be
 * finished: the consultation call is dropped, a new conference call
 * left abandoned.
 */
static void consult_late_locked(struct pend *p)
{
	struct tapix_call *orig = p->c[0], *consult = p->c[2];
	struct tapix_call *hub = p->new_hub ? p->c[1] : NULL;

	if (p->result != 0 || orig->t->down || !consult->hcall)
		return;
	if (orig->released || !orig->hcall ||
	    (hub && (!hub->hcall || orig->hub))) {
		if (!consult->released && consult->priv == CP_OWNER)
			layer_drop_locked(consult, apprt_do_drop, NULL);
		return;
	}
	if (hub)
		hub_adopt_locked(orig, hub); /* original → CONFERENCED */
	if (consult->released)
		return;
	consult->consult = p->consult;
	set_orig_locked(consult, orig);
	consult_dial_later_locked(consult);
}

/* A PEND_CONF_XFER reply came after Finish returned TAPI_E_TIMEOUT: the
 * three-way conference is made as Finish would have made it. */
static void conf_xfer_late_locked(struct pend *p)
{
	struct tapix_call *orig = p->c[0], *consult = p->c[1], *hub = p->c[2];

	if (p->result != 0 || orig->t->down || !hub->hcall)
		return;
	hub_adopt_locked(orig, hub);
	hub_adopt_locked(consult, hub);
	if (consult->orig == orig) {
		consult->consult = CONSULT_NONE;
		set_orig_locked(consult, NULL);
	}
}

HRESULT tapix_call_conference(struct tapix_call *c, struct tapix_call *consult,
                              bool sync)
{
	struct tapix_call *hub = NULL;
	struct tapix_tapi *t;
	struct pend *p;
	HRESULT hr;
	HCALL h;
	LONG r;

	if (!consult)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	t = c->t;
	hr = consult_check_locked(c, consult);
	if (hr != S_OK)
		return call_leave(c, hr);
	if (consult->hcall) {
		/* spec §5.7 — a connected call joins an existing conference */
		if (!c->hub)
			return call_leave(c, TAPI_E_INVALCALLSTATE);
		consult->consult = CONSULT_CONF;
		set_orig_locked(consult, c);
		return call_leave(c, S_OK);
	}
	if (c->hub) {
		/* in a conference already: prepare an addition */
		if (!c->hub->hcall)
			return call_leave(c, TAPI_E_INVALCALLSTATE);
		p = session_pend_new_locked(t, PEND_CONSULT, c, c->hub,
		                            consult);
		if (!p)
			return call_leave(c, E_OUTOFMEMORY);
		p->consult = CONSULT_CONF;
		consult->hline = c->hline;
		consult->binding = true;
		h = c->hub->hcall;
		session_start_unlock(t, p);
		r = linePrepareAddToConference(h, &consult->new_h, NULL);
		session_start_relock(t, p, r);
	} else {
		hub = hub_new_locked(c);
		if (!hub)
			return call_leave(c, E_OUTOFMEMORY);
		p = session_pend_new_locked(t, PEND_CONSULT, c, hub, consult);
		if (!p) {
			hub_drop_locked(hub);
			return call_leave(c, E_OUTOFMEMORY);
		}
		p->consult = CONSULT_CONF;
		p->new_hub = true;
		consult->hline = c->hline;
		consult->binding = true;
		h = c->hcall;
		session_start_unlock(t, p);
		r = lineSetupConference(h, 0, &hub->new_h, &consult->new_h, 3,
		                        NULL);
		session_start_relock(t, p, r);
	}
	if (r < 0) {
		consult->binding = false;
		if (hub)
			hub->binding = false;
	}
	hr = request_locked(t, p, r, false);
	if (hub) {
		if (hr == S_OK && hub->hcall)
			hub_join_locked(c, hub); /* original → CONFERENCED */
		else if (hr == TAPI_E_TIMEOUT)
			hub_abandon_locked(hub);
		else
			hub_drop_locked(hub);
	}
	if (hr != S_OK) {
		if (!consult->hcall && !consult->binding)
			consult->hline = 0;
		return call_leave(c, hr);
	}
	consult->consult = CONSULT_CONF;
	set_orig_locked(consult, c);
	return call_leave(c, consult_dial_locked(consult, sync));
}

HRESULT tapix_call_finish(struct tapix_call *consult, FINISH_MODE mode)
{
	struct tapix_call *orig, *hub = NULL;
	struct tapix_tapi *t;
	struct pend *p;
	HCALL h, h2;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(consult)) != S_OK)
		return hr;
	t = consult->t;
	if (mode != FM_ASTRANSFER && mode != FM_ASCONFERENCE)
		return call_leave(consult, E_INVALIDARG);
	orig = consult->orig;
	/* spec §5.7 — only on a consultation call */
	if (consult->consult == CONSULT_NONE || !orig || !orig->hcall ||
	    !consult->hcall)
		return call_leave(consult, TAPI_E_INVALCALLSTATE);
	if (consult->consult == CONSULT_CONF) {
		if (mode != FM_ASCONFERENCE || !orig->hub || !orig->hub->hcall)
			return call_leave(consult, TAPI_E_INVALCALLSTATE);
		hub = orig->hub;
		p = session_pend_new_locked(t, PEND_PLAIN, consult, hub, NULL);
		if (!p)
			return call_leave(consult, E_OUTOFMEMORY);
		h = hub->hcall;
		h2 = consult->hcall;
		session_start_unlock(t, p);
		r = lineAddToConference(h, h2);
		session_start_relock(t, p, r);
		hr = request_locked(t, p, r, false);
		if (hr == S_OK)
			hub_join_locked(consult, hub);
	} else if (mode == FM_ASTRANSFER) {
		p = session_pend_new_locked(t, PEND_PLAIN, orig, consult, NULL);
		if (!p)
			return call_leave(consult, E_OUTOFMEMORY);
		h = orig->hcall;
		h2 = consult->hcall;
		session_start_unlock(t, p);
		r = lineCompleteTransfer(h, h2, NULL,
		                         LINETRANSFERMODE_TRANSFER);
		session_start_relock(t, p, r);
		hr = request_locked(t, p, r, true);
	} else {
		/* a transfer turned into a three-way conference */
		hub = hub_new_locked(orig);
		if (!hub)
			return call_leave(consult, E_OUTOFMEMORY);
		p = session_pend_new_locked(t, PEND_CONF_XFER, orig, consult,
		                            hub);
		if (!p) {
			hub_drop_locked(hub);
			return call_leave(consult, E_OUTOFMEMORY);
		}
		h = orig->hcall;
		h2 = consult->hcall;
		session_start_unlock(t, p);
		r = lineCompleteTransfer(h, h2, &hub->new_h,
		                         LINETRANSFERMODE_CONFERENCE);
		session_start_relock(t, p, r);
		if (r < 0)
			hub->binding = false;
		hr = request_locked(t, p, r, true);
		if (hr == S_OK && hub->hcall) {
			hub_join_locked(orig, hub);
			hub_join_locked(consult, hub);
		} else if (hr == TAPI_E_TIMEOUT) {
			hub_abandon_locked(hub); /* conf_xfer_late_locked */
		} else {
			hub_drop_locked(hub);
		}
	}
	if (hr == S_OK) {
		consult->consult = CONSULT_NONE;
		set_orig_locked(consult, NULL);
	}
	return call_leave(consult, hr);
}

HRESULT tapix_call_remove_from_conference(struct tapix_call *c)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* spec §5.8 */
	if (!c->hub || !c->hcall)
		return call_leave(c, TAPI_E_NOCONFERENCE);
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	h = c->hcall;
	session_start_unlock(c->t, p);
	r = lineRemoveFromConference(h);
	session_start_relock(c->t, p, r);
	hr = request_locked(c->t, p, r, false);
	if (hr == TAPI_E_INVALCALLSTATE)
		hr = TAPI_E_NOCONFERENCE;
	if (hr == S_OK)
		leave_hub_locked(c);
	return call_leave(c, hr);
}

HRESULT tapix_call_dial(struct tapix_call *c, const char *dest)
{
	struct pend *p;
	HCALL h;
	HRESULT hr;
	LONG r;

	if (!dest)
		return E_POINTER;
	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* spec §5.12 — on a call that exists */
	if (!c->hcall || c->state == CS_DISCONNECTED)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	p = session_pend_new_locked(c->t, PEND_PLAIN, c, NULL, NULL);
	if (!p)
		return call_leave(c, E_OUTOFMEMORY);
	h = c->hcall;
	session_start_unlock(c->t, p);
	r = lineDial(h, dest, 0);
	session_start_relock(c->t, p, r);
	return call_leave(c, request_locked(c->t, p, r, false));
}

/* ---- ITLegacyCallMediaControl ---------------------------------------------
 */

/* A digit function's LINEERR_ as DetectDigits/GenerateDigits document it:
 * a mode the call cannot take is a bad argument. */
static HRESULT digits_hresult(LONG r)
{
	if (r == LINEERR_INVALDIGITMODE)
		return E_INVALIDARG;
	return map_lineerr(r, false);
}

HRESULT tapix_call_detect_digits(struct tapix_call *c,
                                 TAPI_DIGITMODE digit_mode)
{
	HCALL h;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	/* Microsoft's DetectDigits: TAPI_E_INVALCALLSTATE, no call exists */
	if (c->hidden || !c->hcall || c->state == CS_DISCONNECTED)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	h = c->hcall;
	session_out(c->t);
	r = lineMonitorDigits(h, (DWORD)digit_mode);
	session_in(c->t);
	return call_leave(c, digits_hresult(r));
}

HRESULT tapix_call_generate_digits(struct tapix_call *c, const char *digits,
                                   TAPI_DIGITMODE digit_mode)
{
	HCALL h;
	HRESULT hr;
	LONG r;

	if ((hr = call_enter(c)) != S_OK)
		return hr;
	if (c->hidden || !c->hcall || c->state == CS_DISCONNECTED)
		return call_leave(c, TAPI_E_INVALCALLSTATE);
	if (c->priv != CP_OWNER)
		return call_leave(c, TAPI_E_NOTOWNER);
	h = c->hcall;
	session_out(c->t);
	/* an empty string cancels, as NULL does (a BSTR may be either) */
	r = lineGenerateDigits(h, (DWORD)digit_mode,
	                       digits && *digits ? digits : NULL, 0);
	session_in(c->t);
	return call_leave(c, digits_hresult(r));
}
