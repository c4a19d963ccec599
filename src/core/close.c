/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Closing lines: lineClose (and so lineShutdown) with the per-call drop and
 * close rules of spec termination.md §5, and the forced close a provider
 * asks for with LINE_CLOSE (§7). Decisions are taken under the core lock;
 * the provider is called after releasing it.
 */
#define LOG_MODULE "core"
#include "core/core.h"
#include "core/op.h"

#include "util/log.h"
#include "util/mem.h"

#define CLOSE_DROP  1u
#define CLOSE_CLOSE 2u

static LONG own_drop_call(struct op *x)
{
	return x->p->fn.lineDrop(x->req->id, x->hd, NULL, 0);
}

/* TSPI_lineDrop without user-user information, for nobody */
static const struct op_desc own_drop_desc = {
	.name = "drop on close",
	.tspi = offsetof(struct tspi, lineDrop),
	.vp_to = -1,
	.call = own_drop_call,
};

/*
 * TAPI's own drop (spec: termination.md §5.1 rule 1); no lock held. The
 * call is held busy across the provider call, as an app's operation is:
 * a TSPI_lineCloseCall of it (the worker's, when the drop made it IDLE
 * with only an observer left) waits for the drop to return (§1.1).
 */
static void drop_on_close(struct call *call, bool closing_it)
{
	struct provider *p;
	HDRVCALL hd;

	core_lock();
	if (call->closing && !closing_it) {
		/*
		 * Another thread closes it meanwhile (its last other handle
		 * went): nothing names a call after TSPI_lineCloseCall
		 * (§1.1), which drops an active call itself where
		 * LINEDEVCAPFLAGS_CLOSEDROP applies (tspi.md).
		 */
		core_unlock();
		return;
	}
	p = call->tl->dev->prov;
	if (!p->fn.lineDropOnClose) {
		if (p->fn.lineDrop)
			log_info("call %08x: dropped, its sole owner closed "
			         "the line",
			         call->ht);
		if (op_run_own_locked(&own_drop_desc, call,
		                      REQ_INTERNAL_DROP) == LINEERR_NOMEM)
			log_err("call %08x: out of memory, not dropped on close",
			        call->ht);
		core_unlock();
		return;
	}
	/* legacy providers only: spec tspi.md §6 */
	hd = call->hd;
	call_busy_locked(call);
	op_tspi_begin_locked(p);
	p->fn.lineDropOnClose(hd);
	op_tspi_end(p);
	call_idle_locked(call);
	core_unlock();
}

/* Acts on the calls gathered in @todo; no lock held. */
static void run_todo(struct list_node *todo)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, todo) {
		struct call *call = list_entry(it, struct call, close_link);
		uint32_t flags;

		core_lock();
		list_del(it);
		flags = call->close_flags;
		call->close_flags = 0;
		core_unlock();
		if (flags & CLOSE_DROP)
			drop_on_close(call, flags & CLOSE_CLOSE);
		/*
		 * spec: termination.md §5.1 rule 2 — CloseCall right after
		 * the drop returned, without waiting for its completion.
		 */
		if (flags & CLOSE_CLOSE) {
			call_close_now(call); /* consumes our reference */
		} else {
			core_lock();
			call_unref_locked(call);
			core_unlock();
		}
	}
}

static void todo_add(struct list_node *todo, struct call *call, uint32_t flags)
{
	if (flags & CLOSE_CLOSE) {
		if (call->closing)
			flags &= ~CLOSE_CLOSE;
		else
			call->closing = true;
	}
	if (call->closing && !(flags & CLOSE_CLOSE))
		flags &= ~CLOSE_DROP; /* already being closed: no drop */
	if (!flags)
		return;
	if (list_linked(&call->close_link)) {
		/* a forced close releases several opens' handles to it */
		call->close_flags |= flags;
		return;
	}
	call_ref_locked(call);
	call->close_flags = flags;
	list_add_tail(todo, &call->close_link);
}

/* Removes @o's handles, applying §5.1 to each call; gathers into @todo. */
static void release_handles(struct open *o, struct list_node *todo, bool notify)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &o->callhs) {
		struct callh *ch = list_entry(it, struct callh, open_link);
		struct call *call = ch->call;
		bool owner = ch->priv == LINECALLPRIVILEGE_OWNER;
		uint32_t flags = 0;

		callh_kill_locked(ch);
		/*
		 * spec: termination.md §5.1 — drop rule, close rule, neither;
		 * an observer's handles are not "other handles"
		 * (tapix_set_observer)
		 */
		if (owner && call->nowners == 0 &&
		    call->state != LINECALLSTATE_IDLE && !call->creating)
			flags |= CLOSE_DROP;
		if (!call_is_held_locked(call))
			flags |= CLOSE_CLOSE;
		else if (notify)
			call_post_info_locked(
				call, o->app,
				owner ? LINECALLINFOSTATE_NUMOWNERDECR
				      : LINECALLINFOSTATE_NUMMONITORS);
		todo_add(todo, call, flags);
	}
}

/* Cancels @o's requests; pending creations are closed (§5.1 last row). */
static void cancel_requests(struct open *o, struct list_node *todo)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &o->reqs) {
		struct req *req = list_entry(it, struct req, open_link);
		unsigned i;

		req_cancel_locked(req);
		/*
		 * A creating function still running in another thread: the
		 * calls are closed when it returns (req_after_call_locked).
		 */
		if (req->state != REQ_PENDING)
			continue;
		for (i = 0; i < req->ncalls; i++) {
			struct call *pc = req->calls[i];

			if (pc->life == LIFE_ALIVE && !call_is_held_locked(pc))
				todo_add(todo, pc, CLOSE_CLOSE);
		}
	}
}

static void unlink_open(struct open *o)
{
	o->life = LIFE_DEAD;
	/* spec: termination.md §5.2.1 — the handle is invalid at once */
	htab_del(&core.handles, o->h);
	list_del(&o->tl_link);
	list_del(&o->app_link);
	core.n_opens--;
}

/*
 * The provider-level close (spec: termination.md §5.2.5): TSPI_lineCloseCall
 * for every call still known on the line, then TSPI_lineClose. Core lock
 * held on entry and exit; the device is claimed by the caller.
 */
static void finish_tline(struct tline *tl)
{
	struct device *dev = tl->dev;
	struct provider *p = dev->prov;
	HDRVLINE hd;

	core_assert_locked();
	tl->life = LIFE_CLOSING;
	while (!list_empty(&tl->calls)) {
		struct list_node *it;
		struct call *next = NULL;

		list_foreach(it, &tl->calls) {
			struct call *call =
				list_entry(it, struct call, tl_link);

			/* its creation's end decides (complete_create,
			 * req_after_call_locked), unless that queued its
			 * close */
			if (call->creating && !call->closing)
				continue;
			if (!call->closing) {
				call->closing = true;
				call_ref_locked(call);
				next = call;
				break;
			}
			if (list_linked(&call->work)) {
				/* queued for the worker: do it now ourselves */
				list_del(&call->work);
				next = call;
				break;
			}
		}
		if (!next) {
			/* closing elsewhere, or its creation is returning */
			core_wait_locked();
			continue;
		}
		core_unlock();
		call_close_now(next);
		core_lock();
	}
	log_info("line %u: TSPI_lineClose", dev->id);
	hd = tl->hd;
	op_tspi_begin_locked(p);
	p->fn.lineClose(hd);
	op_tspi_end(p);
	tl->life = LIFE_DEAD;
	htab_del(&core.handles, tl->ht);
	dev->tl = NULL;
	tline_unref_locked(tl); /* the device's reference */
}

/* Whether an app other than an observer has @tl open. */
static bool has_app_open(struct tline *tl)
{
	struct list_node *it;

	list_foreach(it, &tl->opens) {
		if (!list_entry(it, struct open, tl_link)->app->observer)
			return true;
	}
	return false;
}

/*
 * Only observers have @tl open now: what the last open's close does to
 * calls (spec: termination.md §5.2.5) happens to every call no app holds,
 * so that an observer never keeps a call alive (tapix_set_observer); the
 * provider's line stays open for the observers. A call queued for the
 * worker's TSPI_lineCloseCall is closed here instead, and one another
 * thread is closing is waited for, as finish_tline does: when the close
 * returns, the calls are gone. Core lock held on entry and exit; the
 * device is claimed by the caller.
 */
static void close_unheld_calls(struct tline *tl)
{
	core_assert_locked();
	for (;;) {
		struct call *next = NULL;
		bool elsewhere = false;
		struct list_node *it;

		list_foreach(it, &tl->calls) {
			struct call *call =
				list_entry(it, struct call, tl_link);

			if (call->creating || call_is_held_locked(call))
				continue;
			if (!call->closing) {
				call->closing = true;
				call_ref_locked(call);
				next = call;
				break;
			}
			if (list_linked(&call->work)) {
				/* the worker's reference is now ours */
				list_del(&call->work);
				next = call;
				break;
			}
			elsewhere = true;
		}
		if (!next && elsewhere) {
			core_wait_locked();
			continue;
		}
		if (!next)
			return;
		log_info("call %08x: closed, only observers have line %u open",
		         next->ht, tl->dev->id);
		core_unlock();
		call_close_now(next);
		core_lock();
	}
}

void close_open_locked(struct open *o)
{
	struct tline *tl;
	struct device *dev;
	struct list_node todo;
	uint32_t media, lstates, astates;
	bool last, changed = false;

	core_assert_locked();
	tl = o->tl;
	dev = tl->dev;
	list_init(&todo);
	o->app->nclosing++;
	unlink_open(o); /* its tline reference is released at the end */
	cancel_requests(o, &todo);
	release_handles(o, &todo, true);
	core_unlock();
	run_todo(&todo);
	core_lock();

	device_claim_locked(dev);
	last = list_empty(&tl->opens);
	if (tl->life != LIFE_ALIVE || dev->tl != tl) {
		/* the provider closed the line while the claim waited (§7):
		 * finished already, its calls closed */
	} else if (last) {
		finish_tline(tl);
	} else {
		if (!has_app_open(tl))
			close_unheld_calls(tl);
		changed = tline_unions_locked(tl, &media, &lstates, &astates);
		/* only an open that was told goes (an observer's is not:
		 * tapix_set_observer) */
		if (o->announced)
			tline_post_devstate_locked(tl, NULL, LINEDEVSTATE_CLOSE,
			                           0, 0);
		if (changed) {
			HDRVLINE hd = tl->hd;
			struct provider *p = dev->prov;

			tl->media_union = media;
			tl->line_states = lstates;
			tl->addr_states = astates;
			/* spec: termination.md §5.2.4 — recompute the unions */
			op_tspi_begin_locked(p);
			p->fn.lineSetDefaultMediaDetection(hd, media);
			if (p->fn.lineSetStatusMessages)
				p->fn.lineSetStatusMessages(hd, lstates,
				                            astates);
			op_tspi_end(p);
		}
	}
	device_release_locked(dev);
	log_info("line %u: open %08x closed", dev->id, o->h);
	if (--o->app->nclosing == 0)
		core_wake_locked(); /* a lineShutdown may wait (app.c) */
	open_unref_locked(o);       /* its handle's: the close is over */
}

void close_tline_forced_locked(struct tline *tl, bool removed)
{
	struct device *dev;
	struct list_node todo, *it, *tmp;

	core_assert_locked();
	dev = tl->dev;
	device_claim_locked(dev);
	if (tl->life != LIFE_ALIVE || dev->tl != tl) {
		device_release_locked(dev);
		return;
	}
	list_init(&todo);
	/*
	 * spec: termination.md §7 — every app with the line open gets
	 * LINE_CLOSE; its line and call handles die, no IDLE is owed and
	 * its requests on that line get no reply.
	 */
	list_foreach_safe(it, tmp, &tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);

		unlink_open(o);
		cancel_requests(o, &todo);
		release_handles(o, &todo, false);
		/* spec: tapi-messages-and-states.md §3 LINE_REMOVE, older apps
		 */
		if (removed && o->api_version < VER_2_0)
			app_post_locked(o->app, 0, o->h, LINE_LINEDEVSTATE,
			                o->cbinst, LINEDEVSTATE_REMOVED, 0, 0);
		app_post_locked(o->app, 0, o->h, LINE_CLOSE, o->cbinst, 0, 0,
		                0);
		open_unref_locked(o); /* and the open's line reference; the
		                       * caller holds one */
	}
	/* Calls are closed by finish_tline; nothing is dropped here. */
	list_foreach_safe(it, tmp, &todo) {
		struct call *call = list_entry(it, struct call, close_link);

		list_del(it);
		if ((call->close_flags & CLOSE_CLOSE) && call->creating) {
			/* its creation pending (cancel_requests): queued as
			 * its end would queue it, finish_tline takes it from
			 * there (a provider may end the creation only when
			 * the call is closed); our reference is the queue's */
			call->close_flags = 0;
			list_add_tail(&core.work, &call->work);
			continue;
		}
		if (call->close_flags & CLOSE_CLOSE)
			call->closing = false; /* finish_tline closes it */
		call->close_flags = 0;
		call_unref_locked(call);
	}
	finish_tline(tl);
	device_release_locked(dev);
}

void close_device_removed_locked(struct device *dev)
{
	struct list_node *it;
	struct tline *tl;

	core_assert_locked();
	dev->remove_pending = false;
	/*
	 * spec: termination.md §7 — close the device if open (CloseCall for
	 * each call, then TSPI_lineClose; LINE_CLOSE to the apps that had it
	 * open), then LINE_REMOVE to every 2.0+ registration.
	 */
	/* ... and an open on its way (TSPI_lineOpen, the unions) ends
	 * first: its line is closed with the others (dev->removed keeps any
	 * other out from here) */
	device_claim_locked(dev);
	tl = dev->tl;
	if (tl)
		tline_ref_locked(tl);
	device_release_locked(dev);
	if (tl) {
		close_tline_forced_locked(tl, true);
		tline_unref_locked(tl);
	}
	list_foreach(it, &core.apps) {
		struct app *app = list_entry(it, struct app, link);

		if (app->api_version >= VER_2_0)
			app_post_locked(app, 0, 0, LINE_REMOVE, 0, dev->id, 0,
			                0);
	}
	log_info("line %u: removed", dev->id);
}
