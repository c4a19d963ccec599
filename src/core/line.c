/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Line opens: app-level opens (HLINE) merged into one provider-level open
 * per device (spec: tapi-model.md §2.1), the unions of media modes and
 * status masks sent to the provider, and the provider's LINEEVENT entry.
 */
#define LOG_MODULE "core"
#include "core/core.h"
#include "core/op.h"

#include "util/log.h"
#include "util/mem.h"

struct open *open_new_locked(struct app *app)
{
	struct open *o;

	core_assert_locked();
	o = mem_zalloc(sizeof(*o));
	if (!o)
		return NULL;
	if (htab_add(&core.handles, o, OBJ_OPEN, &o->h) != 0) {
		mem_free(o);
		return NULL;
	}
	o->life = LIFE_CLOSING; /* not usable until fully open */
	o->refs = 1;            /* its handle's */
	o->app = app;
	app_ref_locked(app); /* the open's: a close may outlast lineShutdown */
	list_init(&o->callhs);
	list_init(&o->reqs);
	list_init(&o->app_link);
	list_init(&o->tl_link);
	return o;
}

void open_unref_locked(struct open *o)
{
	core_assert_locked();
	if (--o->refs > 0)
		return;
	if (o->tl)
		tline_unref_locked(o->tl); /* the open's reference */
	app_unref_locked(o->app);
	mem_free(o);
}

void tline_ref_locked(struct tline *tl)
{
	core_assert_locked();
	tl->refs++;
}

void tline_unref_locked(struct tline *tl)
{
	core_assert_locked();
	if (--tl->refs > 0)
		return;
	mem_free(tl);
	core.n_tlines--;
}

bool tline_unions_locked(struct tline *tl, uint32_t *media, uint32_t *lstates,
                         uint32_t *astates)
{
	struct list_node *it;
	uint32_t m = 0, l = 0, a = 0;

	core_assert_locked();
	list_foreach(it, &tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);

		/* spec: tspi.md §8 — union over OWNER opens only */
		if (o->privileges & LINECALLPRIVILEGE_OWNER)
			m |= o->media_modes;
		l |= o->line_states;
		a |= o->addr_states;
	}
	*media = m;
	*lstates = l;
	*astates = a;
	return m != tl->media_union || l != tl->line_states ||
	       a != tl->addr_states;
}

void tline_post_devstate_locked(struct tline *tl, struct open *except,
                                uint32_t states, DWORD_PTR p2, DWORD_PTR p3)
{
	struct list_node *it;

	core_assert_locked();
	list_foreach(it, &tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);
		uint32_t mine;

		if (o == except || o->life != LIFE_ALIVE)
			continue;
		/* spec: tapi-messages-and-states.md §2 — REINIT is always on */
		mine = states & (o->line_states | LINEDEVSTATE_REINIT);
		if (!mine)
			continue;
		app_post_locked(o->app, o->h, o->h, LINE_LINEDEVSTATE,
		                o->cbinst, mine, p2, p3);
	}
}

LONG tline_open_locked(struct device *dev, struct tline **out)
{
	struct tline *tl;
	struct provider *p;
	HDRVLINE hd = NULL;
	LONG r;

	core_assert_locked();
	if (dev->tl) {
		*out = dev->tl;
		return 0;
	}
	p = dev->prov;
	tl = mem_zalloc(sizeof(*tl));
	if (!tl)
		return LINEERR_NOMEM;
	if (htab_add(&core.handles, tl, OBJ_TLINE, &tl->ht) != 0) {
		mem_free(tl);
		return LINEERR_NOMEM;
	}
	tl->dev = dev;
	tl->refs = 1; /* the device's */
	list_init(&tl->opens);
	list_init(&tl->calls);
	list_init(&tl->work);
	core.n_tlines++;
	op_tspi_begin_locked(p);
	r = p->fn.lineOpen(dev->id, (HTAPILINE)(uintptr_t)tl->ht, &hd,
	                   dev->version, core_line_event);
	op_tspi_end(p);
	if (r) {
		htab_del(&core.handles, tl->ht);
		tline_unref_locked(tl);
		return r;
	}
	tl->hd = hd;
	dev->tl = tl;
	log_info("line %u: opened at the provider", dev->id);
	*out = tl;
	return 0;
}

LONG tline_push_unions_locked(struct tline *tl, bool force)
{
	struct provider *p;
	uint32_t media, ls, as, old_media;
	bool status_changed, has_status;
	HDRVLINE hd;
	LONG r = 0;

	core_assert_locked();
	if (!tline_unions_locked(tl, &media, &ls, &as) && !force)
		return 0;
	p = tl->dev->prov;
	hd = tl->hd;
	old_media = tl->media_union;
	status_changed = ls != tl->line_states || as != tl->addr_states;
	has_status = p->fn.lineSetStatusMessages != NULL;
	op_tspi_begin_locked(p);
	if (media != old_media || force)
		r = p->fn.lineSetDefaultMediaDetection(hd, media);
	if (r == 0 && status_changed && has_status)
		p->fn.lineSetStatusMessages(hd, ls, as);
	op_tspi_end(p);
	if (r == 0) {
		tl->media_union = media;
		tl->line_states = ls;
		tl->addr_states = as;
	}
	return r;
}

/* Queues an event of @call on @owner's early list (owner is creating). */
static void defer(struct call *owner, struct call *call, uint32_t msg,
                  DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
	struct early_event *ev =
		pool_zalloc(&core.early_pool, sizeof(struct early_event));

	if (!ev) {
		log_err("call %08x: out of memory, event %u lost", call->ht,
		        (unsigned)msg);
		return;
	}
	ev->call_ht = owner == call ? 0 : call->ht;
	ev->msg = msg;
	ev->p1 = p1;
	ev->p2 = p2;
	ev->p3 = p3;
	list_add_tail(&owner->early, &ev->link);
}

static void on_line_event(struct tline *tl, struct call *call, DWORD msg,
                          DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3)
{
	switch (msg) {
	case LINE_NEWCALL:
		call_new_from_provider_locked(tl, p1, p2);
		return;
	case LINE_LINEDEVSTATE:
		/* spec: tspi.md §5 — providers never report OPEN/CLOSE */
		p1 &= ~(DWORD_PTR)(LINEDEVSTATE_OPEN | LINEDEVSTATE_CLOSE);
		if (p1)
			tline_post_devstate_locked(tl, NULL, (uint32_t)p1, p2,
			                           p3);
		return;
	case LINE_CLOSE:
		/* spec: termination.md §7 — the worker closes it for us */
		log_info("line %u: provider asks to close", tl->dev->id);
		core_force_close_later_locked(tl);
		return;
	case LINE_ADDRESSSTATE: {
		struct list_node *it;

		list_foreach(it, &tl->opens) {
			struct open *o = list_entry(it, struct open, tl_link);
			uint32_t mine = (uint32_t)p2 & o->addr_states;

			if (mine && o->life == LIFE_ALIVE)
				app_post_locked(o->app, o->h, o->h,
				                LINE_ADDRESSSTATE, o->cbinst,
				                p1, mine, 0);
		}
		return;
	}
	default:
		break;
	}
	if (!call) {
		log_warn("line %u: message %u needs a call", tl->dev->id,
		         (unsigned)msg);
		return;
	}
	if (call->creating) {
		/*
		 * spec: tspi.md §4 — a completion seen before the TSPI
		 * function returned is processed after it; events that
		 * follow it wait with it, in order.
		 */
		defer(call, call, msg, p1, p2, p3);
		return;
	}
	if (call->defer_to) {
		struct call *parent =
			htab_get(&core.handles, call->defer_to, OBJ_CALL);

		if (parent && parent->creating) {
			defer(parent, call, msg, p1, p2, p3);
			return;
		}
		call->defer_to = 0;
	}
	if (msg == LINE_CALLSTATE &&
	    ((uint32_t)p1 & 0x00FFFFFFu) == LINECALLSTATE_CONFERENCED) {
		struct call *parent =
			htab_get(&core.handles, (uint32_t)p2, OBJ_CALL);

		/*
		 * spec: tapi-messages-and-states.md §5.7 — a call joins a
		 * conference lineSetupConference is creating: its CONFERENCED
		 * (with the app's parent handle) comes after the LINE_REPLY
		 * that gives the app that handle, and so does what follows.
		 */
		if (parent && parent->creating && parent->tl == call->tl) {
			call->defer_to = parent->ht;
			defer(parent, call, msg, p1, p2, p3);
			return;
		}
	}
	call_event_locked(call, msg, p1, p2, p3);
}

void core_line_event(HTAPILINE htl, HTAPICALL htc, DWORD msg, DWORD_PTR p1,
                     DWORD_PTR p2, DWORD_PTR p3)
{
	struct tline *tl;
	struct call *call = NULL;

	core_lock();
	if (msg == LINE_REMOVE) {
		struct device *dev = p1 < core.ndevs ? core.devs[p1] : NULL;

		/*
		 * spec: termination.md §7 — from now on LINEERR_NODEVICE;
		 * the worker closes it and tells the apps.
		 */
		if (!dev || dev->removed) {
			log_warn("LINE_REMOVE for unknown line %lu ignored",
			         (unsigned long)p1);
			goto out;
		}
		dev->removed = true;
		dev->remove_pending = true;
		core.removals = true;
		core_worker_kick_locked();
		goto out;
	}
	if (msg == LINE_CREATE) {
		/* spec: tspi.md "Dynamic devices" — dwParam1 the provider,
		 * dwParam2 its temporary id: the worker adds the device */
		struct creation *cr = NULL;
		size_t i;

		for (i = 0; i < core.nprovs; i++)
			if ((DWORD_PTR)core.provs[i].perm_id == p1)
				break;
		if (i < core.nprovs)
			cr = mem_zalloc(sizeof(*cr));
		if (!cr) {
			log_warn("LINE_CREATE of provider %lu ignored",
			         (unsigned long)p1);
			goto out;
		}
		cr->prov = &core.provs[i];
		cr->temp_id = p2;
		list_add_tail(&core.creations, &cr->link);
		core_worker_kick_locked();
		goto out;
	}
	tl = htab_get(&core.handles, (uint32_t)(uintptr_t)htl, OBJ_TLINE);
	if (!tl || tl->life != LIFE_ALIVE || (uintptr_t)htl > 0xFFFFFFFFu) {
		log_warn("provider event %u for unknown or closed line %lx "
		         "ignored",
		         (unsigned)msg, (unsigned long)(uintptr_t)htl);
		/* spec: tspi.md §3 — NULL written: the call was not taken */
		if (msg == LINE_NEWCALL && p2)
			*(HTAPICALL *)p2 = NULL;
		goto out;
	}
	if (msg != LINE_NEWCALL && msg != LINE_LINEDEVSTATE &&
	    msg != LINE_CLOSE && msg != LINE_ADDRESSSTATE) {
		call = htab_get(&core.handles, (uint32_t)(uintptr_t)htc,
		                OBJ_CALL);
		if (!call || call->tl != tl || (uintptr_t)htc > 0xFFFFFFFFu) {
			log_warn("provider event %u for unknown call %lx "
			         "ignored",
			         (unsigned)msg, (unsigned long)(uintptr_t)htc);
			goto out;
		}
		if (call->closing) {
			/* e.g. the IDLE of a drop issued just before closing */
			log_debug("call %08x: event %u while closing ignored",
			          call->ht, (unsigned)msg);
			goto out;
		}
	}
	on_line_event(tl, call, msg, p1, p2, p3);
out:
	core_unlock();
}

void device_claim_locked(struct device *dev)
{
	core_assert_locked();
	while (dev->busy)
		core_wait_locked();
	dev->busy = true;
}

void device_release_locked(struct device *dev)
{
	core_assert_locked();
	dev->busy = false;
	core_wake_locked();
}
