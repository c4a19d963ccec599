/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Asynchronous requests: registered before the provider is called, completed
 * exactly once (spec: tspi.md §4, termination.md §1.4-1.5), answered to the
 * app with one LINE_REPLY unless cancelled by lineClose / lineShutdown.
 */
#define LOG_MODULE "core"
#include "core/core.h"

#include "util/log.h"
#include "util/mem.h"

#define OBJ_REQ 1

struct req *req_new_locked(enum req_kind kind, struct app *app, struct open *o,
                           uint32_t guard)
{
	struct req *req;

	core_assert_locked();
	req = pool_zalloc(&core.req_pool, sizeof(struct req));
	if (!req)
		return NULL;
	if (htab_add(&core.reqs, req, OBJ_REQ, &req->id) != 0) {
		pool_free(&core.req_pool, req);
		return NULL;
	}
	req->kind = kind;
	req->state = REQ_CALLING;
	req->app = app;
	req->open = o;
	req->guard = guard;
	req->cbinst = o ? o->cbinst : 0;
	list_init(&req->app_link);
	list_init(&req->open_link);
	if (app)
		list_add_tail(&app->reqs, &req->app_link);
	if (o)
		list_add_tail(&o->reqs, &req->open_link);
	return req;
}

static void req_free_locked(struct req *req)
{
	unsigned i;

	core_assert_locked();
	htab_del(&core.reqs, req->id);
	list_del(&req->app_link);
	list_del(&req->open_link);
	for (i = 0; i < req->ncalls; i++)
		call_unref_locked(req->calls[i]);
	pool_free(&core.req_pool, req);
}

void req_add_call_locked(struct req *req, struct call *call, LPHCALL out)
{
	core_assert_locked();
	call_ref_locked(call); /* the request's */
	req->calls[req->ncalls] = call;
	req->lphcalls[req->ncalls] = out;
	req->ncalls++;
}

void req_cancel_locked(struct req *req)
{
	core_assert_locked();
	/*
	 * spec: termination.md §5.2.2, §6 — no LINE_REPLY and no write into
	 * app memory; the provider still completes it once, silently.
	 */
	req->app = NULL;
	req->open = NULL;
	req->lphcalls[0] = req->lphcalls[1] = NULL;
	list_del(&req->app_link);
	list_del(&req->open_link);
}

static void post_reply(struct req *req, LONG result)
{
	if (!req->app || req->app->life != LIFE_ALIVE)
		return;
	/* spec: tapi-messages-and-states.md §3 LINE_REPLY */
	app_post_locked(req->app, req->guard, 0, LINE_REPLY, req->cbinst,
	                req->id, (DWORD_PTR)(intptr_t)result, 0);
}

/*
 * Delivers the events that waited for @call's creation, in order. Events of
 * other calls (joining a conference being created) are delivered in any
 * case; @call's own only when @own (its creation succeeded).
 */
static void replay_early(struct call *call, bool own)
{
	struct list_node list, *it, *tmp;

	list_init(&list);
	list_splice_tail(&list, &call->early);
	list_foreach_safe(it, tmp, &list) {
		struct early_event *ev =
			list_entry(it, struct early_event, link);
		struct call *to = call;

		list_del(it);
		if (ev->call_ht) {
			to = htab_get(&core.handles, ev->call_ht, OBJ_CALL);
			if (to)
				to->defer_to = 0;
		} else if (!own) {
			to = NULL;
		}
		if (to && to->life == LIFE_ALIVE && !to->closing)
			call_event_locked(to, ev->msg, ev->p1, ev->p2, ev->p3);
		pool_free(&core.early_pool, ev);
	}
}

/* True if every call of a creating request is still alive and usable. */
static bool calls_usable(const struct req *req)
{
	unsigned i;

	for (i = 0; i < req->ncalls; i++)
		if (req->calls[i]->life != LIFE_ALIVE || req->calls[i]->closing)
			return false;
	return true;
}

static void complete_create(struct req *req, LONG result)
{
	struct callh *ch[2] = {NULL, NULL};
	unsigned i;

	for (i = 0; i < req->ncalls; i++)
		req->calls[i]->creating = false;
	/* a provider-level close waits for creations to end (finish_tline) */
	core_wake_locked();
	if (!calls_usable(req) && result == 0)
		result = LINEERR_OPERATIONFAILED; /* closed meanwhile */
	/* spec: termination.md §6 — once lineShutdown began, no LINE_REPLY
	 * and no write into app memory (its other opens close first) */
	if (result == 0 && req->app && req->app->life == LIFE_ALIVE &&
	    req->open && req->open->life == LIFE_ALIVE) {
		for (i = 0; i < req->ncalls; i++) {
			ch[i] = callh_new_locked(req->open, req->calls[i],
			                         LINECALLPRIVILEGE_OWNER);
			if (!ch[i])
				break;
		}
		if (i == req->ncalls) {
			/*
			 * spec: tapi-functions.md §0.2 — the handles are
			 * written before the LINE_REPLY(0) is queued; no
			 * message about the calls comes before it.
			 */
			for (i = 0; i < req->ncalls; i++)
				*req->lphcalls[i] = ch[i]->h;
			post_reply(req, 0);
			for (i = 0; i < req->ncalls; i++)
				call_announce_created_locked(req->calls[i],
				                             req->open);
			for (i = 0; i < req->ncalls; i++) {
				replay_early(req->calls[i], true);
				log_info("call %08x: created, app handle %08x",
				         req->calls[i]->ht, ch[i]->h);
			}
			return;
		}
		log_err("req %u: out of memory for the app's handles", req->id);
		while (i-- > 0)
			callh_kill_locked(ch[i]);
		result = LINEERR_NOMEM;
	}
	post_reply(req, result);
	/*
	 * spec: termination.md §9 C3 — after an asynchronous failure (or a
	 * success nobody can hold any more) TAPI closes every call the
	 * request produced.
	 */
	for (i = 0; i < req->ncalls; i++) {
		replay_early(req->calls[i], false);
		if (req->calls[i]->life == LIFE_ALIVE)
			call_close_later_locked(req->calls[i]);
	}
}

void req_complete_locked(struct req *req, LONG result)
{
	core_assert_locked();
	if (result > 0) {
		log_warn("req %u: provider result %d is not an error, taken as "
		         "failure",
		         req->id, (int)result);
		result = LINEERR_OPERATIONFAILED;
	}
	switch (req->kind) {
	case REQ_CREATE:
		complete_create(req, result);
		break;
	case REQ_INTERNAL_DROP:
		log_debug("req %u: internal drop completed (%08x)", req->id,
		          (unsigned)result);
		break;
	default:
		post_reply(req, result);
		break;
	}
	req_free_locked(req);
}

/* A call whose creating function failed synchronously: no CloseCall (C3). */
static void void_call(struct call *call)
{
	call->life = LIFE_DEAD;
	call->creating = false;
	htab_del(&core.handles, call->ht);
	list_del(&call->tl_link);
	call_discard_early_locked(call);
	core_wake_locked();
	call_unref_locked(call); /* the tline list's reference */
}

LONG req_after_call_locked(struct req *req, LONG r)
{
	uint32_t id;

	core_assert_locked();
	id = req->id;
	if (r < 0) {
		unsigned i;

		if (req->early)
			log_warn("req %u: provider completed a request it "
			         "failed synchronously",
			         id);
		for (i = 0; i < req->ncalls; i++)
			void_call(req->calls[i]);
		req_free_locked(req);
		return r;
	}
	if (r != 0 && (uint32_t)r != id)
		log_warn("req %u: provider returned %d, not the request id", id,
		         (int)r);
	req->state = REQ_PENDING;
	/*
	 * spec: tspi.md §4 — a completion that arrived before the function
	 * returned is processed now; a provider returning 0 means done.
	 */
	if (req->early) {
		req_complete_locked(req, req->early_result);
	} else if (r == 0) {
		req_complete_locked(req, 0);
	} else if (!req->app) {
		/*
		 * spec: termination.md §5.1 last row — its open closed while
		 * the provider had the creating function (cancel_requests
		 * left its calls to its return): CloseCall now, and the
		 * provider completes it with a failure. A provider may hold
		 * the request until then: a close waiting for the completion
		 * would wait for ever.
		 */
		unsigned i;

		for (i = 0; i < req->ncalls; i++) {
			struct call *call = req->calls[i];

			if (call->life == LIFE_ALIVE &&
			    !call_is_held_locked(call))
				call_close_later_locked(call);
		}
		/* a finish_tline waiting on the core's condition (the
		 * worker's own, a forced close) takes them itself */
		core_wake_locked();
	}
	return (LONG)id;
}

_Thread_local struct req_frame *core_req_frame
	__attribute__((tls_model("initial-exec")));

void req_complete_early_locked(struct req *req, LONG result)
{
	core_assert_locked();
	if (req->state != REQ_CALLING)
		req_complete_locked(req, result);
	else if (req->early)
		log_warn("req %u: second completion ignored",
		         (unsigned)req->id);
	else {
		req->early = true;
		req->early_result = result;
	}
}

void core_async_completion(DRV_REQUESTID id, LONG result)
{
	struct req_frame *f = core_req_frame;
	struct req *req;

	/* from inside the request's own TSPI call: noted, no lock (a
	 * completion on another thread meanwhile sees it: req->frame) */
	if (f && f->id == id && !__atomic_load_n(&f->done, __ATOMIC_RELAXED)) {
		f->result = result;
		__atomic_store_n(&f->done, true, __ATOMIC_RELEASE);
		return;
	}
	core_lock();
	req = htab_get(&core.reqs, id, OBJ_REQ);
	if (!req) {
		/* spec: STYLE §4.6 — a late or double answer is dropped */
		log_warn("req %u: completion (%08x) for no pending request "
		         "ignored",
		         (unsigned)id, (unsigned)result);
	} else if (req->frame &&
	           __atomic_load_n(&req->frame->done, __ATOMIC_ACQUIRE)) {
		/* the first was noted in its TSPI call's frame */
		log_warn("req %u: second completion ignored", (unsigned)id);
	} else {
		req_note_completion_locked(req, result);
	}
	core_unlock();
}
