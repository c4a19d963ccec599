/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Calls and per-app call handles: creation, choosing the initial owner of a
 * new call (spec: tapi-model.md §5), announcing calls to monitors (§4),
 * forwarding provider call events to every handle holder
 * (tapi-messages-and-states.md §3) and closing calls in the provider.
 */
#define LOG_MODULE "core"
#include "core/core.h"
#include "core/op.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"

struct call *call_new_locked(struct tline *tl)
{
	struct call *call;

	core_assert_locked();
	call = pool_zalloc(&core.call_pool, sizeof(struct call));
	if (!call)
		return NULL;
	if (htab_add(&core.handles, call, OBJ_CALL, &call->ht) != 0) {
		pool_free(&core.call_pool, call);
		return NULL;
	}
	call->tl = tl;
	call->refs = 1; /* the tline's list */
	list_init(&call->callhs);
	list_init(&call->early);
	list_init(&call->work);
	list_add_tail(&tl->calls, &call->tl_link);
	tline_ref_locked(tl);
	core.n_calls++;
	return call;
}

void call_ref_locked(struct call *call)
{
	core_assert_locked();
	call->refs++;
}

void call_busy_locked(struct call *call)
{
	core_assert_locked();
	call->refs++;
	call->busy++;
}

void call_idle_locked(struct call *call)
{
	core_assert_locked();
	if (--call->busy == 0 && call->closing)
		core_wake_locked();
	call_unref_locked(call);
}

void call_discard_early_locked(struct call *call)
{
	struct list_node *it, *tmp;

	core_assert_locked();
	list_foreach_safe(it, tmp, &call->early) {
		list_del(it);
		pool_free(&core.early_pool,
		          list_entry(it, struct early_event, link));
	}
}

void call_unref_locked(struct call *call)
{
	core_assert_locked();
	if (--call->refs > 0)
		return;
	call_discard_early_locked(call);
	/* the provider is done with them: TSPI_lineCloseCall has returned */
	if (call->mx) {
		while (call->mx->gathers) {
			struct gather *g = call->mx->gathers;

			call->mx->gathers = g->next;
			mem_free(g);
		}
		mem_free(call->mx->wants);
		mem_free(call->mx);
	}
	rcstr_unref(call->app_name);
	mem_free(call->displayable);
	mem_free(call->called_party);
	mem_free(call->comment);
	tline_unref_locked(call->tl);
	pool_free(&core.call_pool, call);
	core.n_calls--;
}

struct callh *callh_new_locked(struct open *o, struct call *call, uint32_t priv)
{
	struct callh *ch;

	core_assert_locked();
	ch = pool_zalloc(&core.callh_pool, sizeof(struct callh));
	if (!ch)
		return NULL;
	if (htab_add(&core.handles, ch, OBJ_CALLH, &ch->h) != 0) {
		pool_free(&core.callh_pool, ch);
		return NULL;
	}
	ch->open = o;
	ch->call = call;
	ch->priv = priv;
	ch->life = LIFE_ALIVE;
	ch->refs = 1; /* its handle's */
	list_add_tail(&o->callhs, &ch->open_link);
	list_add_tail(&call->callhs, &ch->call_link);
	if (priv == LINECALLPRIVILEGE_OWNER)
		call->nowners++;
	else if (!callh_is_observer(ch))
		call->nmonitors++;
	core.n_callhs++;
	return ch;
}

bool callh_is_observer(const struct callh *ch)
{
	return ch->priv == LINECALLPRIVILEGE_MONITOR && ch->open->app->observer;
}

bool call_is_held_locked(const struct call *call)
{
	core_assert_locked();
	return call->nowners + call->nmonitors > 0;
}

uint32_t callh_set_priv_locked(struct callh *ch, uint32_t priv)
{
	struct call *call = ch->call;
	bool seen;
	uint32_t bits;

	core_assert_locked();
	seen = !callh_is_observer(ch); /* counted before the change */
	if (priv == ch->priv)
		return 0;
	if (priv == LINECALLPRIVILEGE_OWNER) {
		if (seen)
			call->nmonitors--;
		call->nowners++;
		ch->priv = priv;
		bits = LINECALLINFOSTATE_NUMOWNERINCR;
	} else {
		call->nowners--;
		ch->priv = priv;
		if (!callh_is_observer(ch))
			call->nmonitors++;
		bits = LINECALLINFOSTATE_NUMOWNERDECR;
	}
	/* an observer's monitor handle is no monitor the others count */
	if (!ch->open->app->observer)
		bits |= LINECALLINFOSTATE_NUMMONITORS;
	return bits;
}

void call_release_observers_locked(struct call *call)
{
	struct list_node *it, *tmp;

	core_assert_locked();
	list_foreach_safe(it, tmp, &call->callhs) {
		struct callh *ch = list_entry(it, struct callh, call_link);
		struct open *o = ch->open;
		uint32_t h = ch->h;

		/* only observers can be left: any other holder keeps it */
		if (!callh_is_observer(ch)) {
			log_err("call %08x: closed with app %08x's handle %08x",
			        call->ht, o->app->h, h);
			continue;
		}
		callh_kill_locked(ch);
		app_post_locked(o->app, 0, h, LINE_CALLSTATE, o->cbinst,
		                LINECALLSTATE_IDLE, 0,
		                LINECALLPRIVILEGE_MONITOR);
	}
}

void callh_kill_locked(struct callh *ch)
{
	struct call *call = ch->call;

	core_assert_locked();
	htab_del(&core.handles, ch->h);
	list_del(&ch->open_link);
	list_del(&ch->call_link);
	if (call->mx)
		(void)call_tones_want_locked(call, ch->h, NULL, 0, NULL);
	if (ch->priv == LINECALLPRIVILEGE_OWNER)
		call->nowners--;
	else if (!callh_is_observer(ch))
		call->nmonitors--;
	/* from here on only h and life may be read (nothing holds a call
	 * handle across a release of the core lock yet: the reference is
	 * the one of every object with a handle, DESIGN.md) */
	ch->life = LIFE_DEAD;
	ch->open = NULL;
	ch->call = NULL;
	callh_unref_locked(ch); /* the handle's */
}

void callh_unref_locked(struct callh *ch)
{
	core_assert_locked();
	if (--ch->refs > 0)
		return;
	pool_free(&core.callh_pool, ch);
	core.n_callhs--;
}

struct callh *call_handle_of_open_locked(struct call *call, struct open *o)
{
	struct list_node *it;

	core_assert_locked();
	list_foreach(it, &call->callhs) {
		struct callh *ch = list_entry(it, struct callh, call_link);

		if (ch->open == o)
			return ch;
	}
	return NULL;
}

void call_post_info_locked(struct call *call, struct app *except, uint32_t bits)
{
	struct list_node *it;

	core_assert_locked();
	/* spec: tapi-model.md §6.4 — no LINE_CALLINFO after IDLE */
	if (call->state == LINECALLSTATE_IDLE)
		return;
	/* an observer's monitor handles come and go unseen (tapix_set_observer)
	 */
	if (except && except->observer && bits == LINECALLINFOSTATE_NUMMONITORS)
		return;
	list_foreach(it, &call->callhs) {
		struct callh *ch = list_entry(it, struct callh, call_link);

		if (ch->open->app == except)
			continue;
		app_post_locked(ch->open->app, ch->h, ch->h, LINE_CALLINFO,
		                ch->open->cbinst, bits, 0, 0);
	}
}

/* dwParam2 of a LINE_CALLSTATE for @ch: the app's own parent handle. */
DWORD_PTR call_state_param2_locked(struct callh *ch)
{
	struct call *call = ch->call;
	struct call *parent;
	struct callh *ph;

	core_assert_locked();
	if (call->state != LINECALLSTATE_CONFERENCED)
		return call->mode;
	/* spec: tapi-messages-and-states.md §3 LINE_CALLSTATE, CONFERENCED */
	parent = call->parent_ht
	                 ? htab_get(&core.handles, call->parent_ht, OBJ_CALL)
	                 : NULL;
	if (!parent)
		return 0;
	ph = call_handle_of_open_locked(parent, ch->open);
	return ph ? ph->h : 0;
}

static void post_state(struct callh *ch, uint32_t priv)
{
	app_post_locked(ch->open->app, ch->h, ch->h, LINE_CALLSTATE,
	                ch->open->cbinst, ch->call->state,
	                call_state_param2_locked(ch), priv);
}

static void post_newcall(struct callh *ch)
{
	/* spec: tapi-messages-and-states.md §3 LINE_APPNEWCALL, API >= 2.0 */
	if (ch->open->api_version >= VER_2_0)
		app_post_locked(ch->open->app, ch->h, ch->open->h,
		                LINE_APPNEWCALL, ch->open->cbinst,
		                call_address(ch->call), ch->h, ch->priv);
}

uint32_t call_address(const struct call *call)
{
	return call->address_id;
}

/* Opens of the call's line that may own a call of @mode, best first. */
static struct open *first_candidate(struct call *call, uint32_t mode)
{
	struct list_node *it;

	list_foreach(it, &call->tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);

		if (o->life != LIFE_ALIVE ||
		    !(o->privileges & LINECALLPRIVILEGE_OWNER))
			continue;
		if (!(o->media_modes & mode))
			continue;
		/* spec: tapi-model.md §5.1 — SINGLEADDRESS restricts owners */
		if (o->single_address && o->address_id != call->address_id)
			continue;
		return o;
	}
	return NULL;
}

/*
 * spec: tapi-model.md §5 — the initial owner: the first-opened candidate for
 * the single known mode; with UNKNOWN, an app registered for UNKNOWN, else
 * the candidate modes in the default media priority order.
 */
static struct open *select_owner(struct call *call, uint32_t media)
{
	static const uint32_t order[] = {
		LINEMEDIAMODE_INTERACTIVEVOICE,
		LINEMEDIAMODE_AUTOMATEDVOICE,
		LINEMEDIAMODE_DATAMODEM,
		LINEMEDIAMODE_G3FAX,
		LINEMEDIAMODE_TDD,
		LINEMEDIAMODE_G4FAX,
		LINEMEDIAMODE_DIGITALDATA,
		LINEMEDIAMODE_TELETEX,
		LINEMEDIAMODE_VIDEOTEX,
		LINEMEDIAMODE_TELEX,
		LINEMEDIAMODE_MIXED,
		LINEMEDIAMODE_ADSI,
		LINEMEDIAMODE_VOICEVIEW,
		LINEMEDIAMODE_VIDEO,
	};
	uint32_t known = media & ~(uint32_t)LINEMEDIAMODE_UNKNOWN;
	struct open *o;
	size_t i;

	if (!(media & LINEMEDIAMODE_UNKNOWN) && known &&
	    (known & (known - 1)) == 0)
		return first_candidate(call, known);
	o = first_candidate(call, LINEMEDIAMODE_UNKNOWN);
	if (o)
		return o;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(known & order[i]))
			continue;
		o = first_candidate(call, order[i]);
		if (o)
			return o;
	}
	return NULL;
}

/* First LINE_CALLSTATE of a provider-originated call: hand out handles. */
static void route_locked(struct call *call, uint32_t media)
{
	struct open *owner = select_owner(call, media);
	struct list_node *it;
	struct callh *fresh[64];
	size_t n = 0, i;

	core_assert_locked();
	call->routed = true;
	list_foreach(it, &call->tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);
		uint32_t priv = 0;
		struct callh *ch;

		if (o->life != LIFE_ALIVE)
			continue;
		if (o == owner)
			priv = LINECALLPRIVILEGE_OWNER;
		else if (o->privileges & LINECALLPRIVILEGE_MONITOR)
			priv = LINECALLPRIVILEGE_MONITOR;
		if (!priv)
			continue;
		ch = callh_new_locked(o, call, priv);
		if (!ch) {
			log_err("call %08x: out of memory, open %08x gets no "
			        "handle",
			        call->ht, o->h);
			continue;
		}
		if (n < sizeof(fresh) / sizeof(fresh[0]))
			fresh[n++] = ch;
	}
	if (!owner)
		log_info("call %08x: no owner for media %08x", call->ht, media);
	/*
	 * Counts are complete before the first message, so the new holders
	 * read correct LINECALLINFO counts (no LINE_CALLINFO for these).
	 */
	for (i = 0; i < n; i++) {
		post_newcall(fresh[i]);
		post_state(fresh[i], fresh[i]->priv);
	}
}

void call_announce_created_locked(struct call *call, struct open *creator)
{
	struct list_node *it;

	core_assert_locked();
	call->routed = true;
	/*
	 * spec: tapi-model.md §4, tapi-messages-and-states.md §3 — monitors
	 * get a handle, LINE_APPNEWCALL and LINE_CALLSTATE(UNKNOWN) with the
	 * creator's LINE_REPLY; the real state follows as it is known.
	 */
	list_foreach(it, &call->tl->opens) {
		struct open *o = list_entry(it, struct open, tl_link);
		struct callh *ch;

		if (o == creator || o->life != LIFE_ALIVE ||
		    !(o->privileges & LINECALLPRIVILEGE_MONITOR))
			continue;
		ch = callh_new_locked(o, call, LINECALLPRIVILEGE_MONITOR);
		if (!ch) {
			log_err("call %08x: out of memory, monitor %08x gets "
			        "no handle",
			        call->ht, o->h);
			continue;
		}
		post_newcall(ch);
		app_post_locked(o->app, ch->h, ch->h, LINE_CALLSTATE, o->cbinst,
		                LINECALLSTATE_UNKNOWN, 0,
		                LINECALLPRIVILEGE_MONITOR);
	}
}

static bool valid_state(DWORD_PTR s)
{
	uint32_t low = (uint32_t)s & 0x00FFFFFFu;

	if ((uint64_t)s > 0xFFFFFFFFu)
		return false;
	return low != 0 && (low & (low - 1)) == 0 &&
	       low <= LINECALLSTATE_UNKNOWN;
}

static void end_media_requests(struct call *call);

static void on_callstate(struct call *call, DWORD_PTR p1, DWORD_PTR p2,
                         DWORD_PTR p3)
{
	struct list_node *it;

	if (!valid_state(p1)) {
		log_warn("call %08x: provider reported invalid state %lx",
		         call->ht, (unsigned long)p1);
		return;
	}
	/* spec: tapi-messages-and-states.md §3 — IDLE is final */
	if (call->state == LINECALLSTATE_IDLE) {
		log_debug("call %08x: state %lx after IDLE ignored", call->ht,
		          (unsigned long)p1);
		return;
	}
	call->state = (uint32_t)p1 & 0x00FFFFFFu;
	if (call->state == LINECALLSTATE_CONFERENCED) {
		struct call *parent =
			htab_get(&core.handles, (uint32_t)p2, OBJ_CALL);

		call->mode = 0;
		if (parent && parent->tl == call->tl && parent != call) {
			call->parent_ht = parent->ht;
			parent->is_conf_parent = true;
		}
	} else {
		call->mode = (uint32_t)p2;
	}
	if (!call->media)
		call->media = (uint32_t)p3;
	log_debug("call %08x: state %08x mode %08x", call->ht, call->state,
	          call->mode);
	if (call->state == LINECALLSTATE_IDLE)
		end_media_requests(call); /* their ends before the IDLE */
	if (!call->routed) {
		route_locked(call, (uint32_t)p3);
	} else {
		list_foreach(it, &call->callhs) {
			post_state(list_entry(it, struct callh, call_link), 0);
		}
	}
	/*
	 * spec: termination.md §8 — a handle-less call closes at IDLE (an
	 * observer's handles do not count: tapix_set_observer)
	 */
	if (call->state == LINECALLSTATE_IDLE && !call_is_held_locked(call))
		call_close_later_locked(call);
}

/*
 * Ends a lineGenerateDigits the core knows of (slot @i): LINE_GENERATE
 * with @term to the handle that asked, if it still exists (Microsoft's
 * LINE_GENERATE: only the requesting app; dwParam2 unused, dwParam3 the
 * tick count).
 */
static void generate_end(struct call *call, unsigned i, uint32_t term,
                         uint32_t tick)
{
	struct callh *ch = callh_get_locked(call->mx->gen_h[i]);

	call->mx->gen_h[i] = 0;
	if (!ch || ch->call != call)
		return; /* deallocated meanwhile: nobody to tell */
	app_post_locked(ch->open->app, ch->h, ch->h, LINE_GENERATE,
	                ch->open->cbinst, term, 0, tick);
}

uint32_t call_generate_begin_locked(struct call *call, struct callh *ch)
{
	static uint32_t next_id;
	uint32_t id;

	core_assert_locked();
	if (!call_media_locked(call))
		return 0;
	id = ++next_id ? next_id : ++next_id; /* never 0 */
	/* the older of two still waiting is cancelled here: the provider was
	 * told twice since, and a third start leaves no slot */
	if (call->mx->gen_h[0] && call->mx->gen_h[1])
		generate_end(call, 1, LINEGENERATETERM_CANCEL,
		             (uint32_t)core_now_ms());
	if (call->mx->gen_h[0]) {
		call->mx->gen_h[1] = call->mx->gen_h[0];
		call->mx->gen_id[1] = call->mx->gen_id[0];
	}
	call->mx->gen_h[0] = ch->h;
	call->mx->gen_id[0] = id;
	return id;
}

void call_generate_forget_locked(struct call *call, uint32_t id)
{
	core_assert_locked();
	for (unsigned i = 0; call->mx && i < 2; i++)
		if (call->mx->gen_h[i] && call->mx->gen_id[i] == id)
			call->mx->gen_h[i] = 0;
}

/* LINE_GENERATE from the provider: the request with that id ends. */
static void on_generate(struct call *call, DWORD_PTR p1, DWORD_PTR p2,
                        DWORD_PTR p3)
{
	if (p1 != LINEGENERATETERM_DONE && p1 != LINEGENERATETERM_CANCEL) {
		log_warn("call %08x: LINE_GENERATE with termination %lx",
		         call->ht, (unsigned long)p1);
		return;
	}
	for (unsigned i = 0; call->mx && i < 2; i++)
		if (call->mx->gen_h[i] && call->mx->gen_id[i] == (uint32_t)p2) {
			generate_end(call, i, (uint32_t)p1, (uint32_t)p3);
			return;
		}
	log_debug("call %08x: LINE_GENERATE for %lx, not waited for", call->ht,
	          (unsigned long)p2);
}

struct call_media *call_media_locked(struct call *call)
{
	core_assert_locked();
	if (!call->mx)
		call->mx = mem_zalloc(sizeof(*call->mx));
	return call->mx;
}

static bool same_tone(const LINEMONITORTONE *a, const LINEMONITORTONE *b)
{
	return a->dwDuration == b->dwDuration &&
	       a->dwFrequency1 == b->dwFrequency1 &&
	       a->dwFrequency2 == b->dwFrequency2 &&
	       a->dwFrequency3 == b->dwFrequency3;
}

int call_tones_want_locked(struct call *call, uint32_t h,
                           const LINEMONITORTONE *t, DWORD n,
                           struct tone_want *old)
{
	struct call_media *mx = call->mx;
	unsigned i;

	core_assert_locked();
	if (old)
		memset(old, 0, sizeof(*old));
	if (!mx)
		return n ? -ENOMEM : 0;
	for (i = 0; i < mx->nwants && mx->wants[i].h != h; i++)
		;
	if (i < mx->nwants && old)
		*old = mx->wants[i];
	if (!n) {
		if (i < mx->nwants)
			mx->wants[i] = mx->wants[--mx->nwants];
		return 0;
	}
	if (i == mx->nwants) {
		struct tone_want *w =
			mem_realloc(mx->wants, (mx->nwants + 1) * sizeof(*w));

		if (!w)
			return -ENOMEM;
		mx->wants = w;
		mx->nwants++;
	}
	mx->wants[i].h = h;
	mx->wants[i].n = n < CALL_TONES_MAX ? n : CALL_TONES_MAX;
	memcpy(mx->wants[i].t, t, mx->wants[i].n * sizeof(*t));
	return 0;
}

bool call_tones_union_locked(const struct call *call, LINEMONITORTONE *u,
                             DWORD *nu)
{
	const struct call_media *mx = call->mx;
	DWORD n = 0, k, j;

	core_assert_locked();
	for (unsigned i = 0; mx && i < mx->nwants; i++)
		for (k = 0; k < mx->wants[i].n; k++) {
			const LINEMONITORTONE *t = &mx->wants[i].t[k];

			for (j = 0; j < n && !same_tone(&u[j], t); j++)
				;
			if (j < n)
				continue;
			if (n == CALL_TONES_MAX)
				return false;
			u[n] = *t;
			u[n].dwAppSpecific = n;
			n++;
		}
	*nu = n;
	return true;
}

struct gather *call_gather_begin_locked(struct call *call, struct callh *ch,
                                        LPSTR app_buf, DWORD n)
{
	static uint32_t next_id;
	struct call_media *mx = call_media_locked(call);
	struct gather *g, **at;

	core_assert_locked();
	if (!mx)
		return NULL;
	g = mem_zalloc(sizeof(*g) + (size_t)n + 1);
	if (!g)
		return NULL;
	g->id = ++next_id ? next_id : ++next_id; /* never 0 */
	g->h = ch->h;
	g->app_buf = app_buf;
	g->n = n;
	for (at = &mx->gathers; *at; at = &(*at)->next)
		;
	*at = g;
	return g;
}

/*
 * Tells the handle that asked for @g that it ended with @term (Microsoft's
 * LINE_GATHERDIGITS: dwParam1 the LINEGATHERTERM_, dwParam2 unused,
 * dwParam3 the tick count), its digits copied to the app's buffer first:
 * up to n, then a NUL when fewer ("the buffer contains ... followed by a
 * NULL character"), none unless @digits. Nothing when the handle is
 * gone: the app's buffer is not written then.
 */
static void gather_tell(struct call *call, struct gather *g, uint32_t term,
                        uint32_t tick, bool digits)
{
	struct callh *ch = callh_get_locked(g->h);
	size_t len;

	g->h = 0;
	if (!ch || ch->call != call)
		return;
	len = digits ? strnlen(g->buf, g->n) : 0;
	memcpy(g->app_buf, g->buf, len);
	if (len < g->n)
		g->app_buf[len] = '\0';
	app_post_locked(ch->open->app, ch->h, ch->h, LINE_GATHERDIGITS,
	                ch->open->cbinst, term, 0, tick);
}

void call_gather_settle_locked(struct call *call, uint32_t id, bool ok)
{
	struct gather **at, *g;

	core_assert_locked();
	if (!call->mx)
		return;
	for (at = &call->mx->gathers; *at && (*at)->id != id; at = &(*at)->next)
		;
	g = *at;
	if (!g)
		return; /* ended meanwhile (its message came) */
	if (!ok) {
		*at = g->next;
		mem_free(g);
		return;
	}
	g->confirmed = true;
	if (g->cancel_owed && g->h)
		gather_tell(call, g, LINEGATHERTERM_CANCEL,
		            (uint32_t)core_now_ms(), false);
}

#define GATHER_TERMS                                                 \
	(LINEGATHERTERM_BUFFERFULL | LINEGATHERTERM_TERMDIGIT |      \
	 LINEGATHERTERM_FIRSTTIMEOUT | LINEGATHERTERM_INTERTIMEOUT | \
	 LINEGATHERTERM_CANCEL)

/* LINE_GATHERDIGITS from the provider: the gather with that id ends (the
 * provider wrote its buffer just before); its memory goes. */
static void on_gather(struct call *call, DWORD_PTR p1, DWORD_PTR p2,
                      DWORD_PTR p3)
{
	struct gather **at, *g;

	if (!p1 || (p1 & ~(DWORD_PTR)GATHER_TERMS) || (p1 & (p1 - 1))) {
		log_warn("call %08x: LINE_GATHERDIGITS with termination %lx",
		         call->ht, (unsigned long)p1);
		return;
	}
	if (!call->mx)
		return;
	for (at = &call->mx->gathers; *at; at = &(*at)->next)
		if ((*at)->id == (uint32_t)p2)
			break;
	g = *at;
	if (!g) {
		log_debug(
			"call %08x: LINE_GATHERDIGITS for %lx, not waited for",
			call->ht, (unsigned long)p2);
		return;
	}
	*at = g->next;
	if (g->h)
		gather_tell(call, g, (uint32_t)p1, (uint32_t)p3, true);
	mem_free(g);
}

/* LINE_MONITORDIGITS from the provider: to each handle monitoring that
 * mode (Microsoft's lineMonitorDigits: per call handle). */
static void on_monitor_digits(struct call *call, DWORD_PTR p1, DWORD_PTR p2,
                              DWORD_PTR p3)
{
	struct list_node *it;
	uint32_t mode = (uint32_t)p2;

	if ((mode != LINEDIGITMODE_PULSE && mode != LINEDIGITMODE_DTMF &&
	     mode != LINEDIGITMODE_DTMFEND) ||
	    (p1 & ~(DWORD_PTR)0xFF) || !p1) {
		log_warn("call %08x: LINE_MONITORDIGITS %lx mode %lx ignored",
		         call->ht, (unsigned long)p1, (unsigned long)p2);
		return;
	}
	if (call->state == LINECALLSTATE_IDLE || !call->routed)
		return;
	list_foreach(it, &call->callhs) {
		struct callh *ch = list_entry(it, struct callh, call_link);

		if (ch->monitor_digits & mode)
			app_post_locked(ch->open->app, ch->h, ch->h,
			                LINE_MONITORDIGITS, ch->open->cbinst,
			                (uint32_t)p1, mode, (uint32_t)p3);
	}
}

/* LINE_MONITORTONE from the provider (dwParam1 the index of the tone in
 * the union it was told, dwParam2 that list's id): to each handle whose
 * list has the tone, with its dwAppSpecific (the app's message: that, 0,
 * the tick). */
static void on_monitor_tone(struct call *call, DWORD_PTR p1, DWORD_PTR p2,
                            DWORD_PTR p3)
{
	struct call_media *mx = call->mx;
	const LINEMONITORTONE *heard;

	if (call->state == LINECALLSTATE_IDLE || !call->routed || !mx || !p2 ||
	    (uint32_t)p2 != mx->tone_id || p1 >= mx->ntold)
		return;
	heard = &mx->told[p1];
	for (unsigned i = 0; i < mx->nwants; i++) {
		const struct tone_want *w = &mx->wants[i];
		struct callh *ch = callh_get_locked(w->h);

		if (!ch || ch->call != call)
			continue;
		for (DWORD k = 0; k < w->n; k++)
			if (same_tone(&w->t[k], heard))
				app_post_locked(
					ch->open->app, ch->h, ch->h,
					LINE_MONITORTONE, ch->open->cbinst,
					w->t[k].dwAppSpecific, 0, (uint32_t)p3);
	}
}

/*
 * IDLE ends what was pending on the call (extension of the spec, issue
 * 17): each lineGenerateDigits gets LINE_GENERATE(CANCEL) now, and digit
 * monitoring stops (Microsoft's lineMonitorDigits: "until the call
 * transitions to idle").
 */
static void end_media_requests(struct call *call)
{
	struct list_node *it;
	/* the clock only for a call with media requests (most have none) */
	uint32_t tick = call->mx ? (uint32_t)core_now_ms() : 0;

	for (unsigned i = 2; call->mx && i-- > 0;)
		if (call->mx->gen_h[i])
			generate_end(call, i, LINEGENERATETERM_CANCEL, tick);
	/*
	 * A gather the provider has not ended yet ends now, without the
	 * digits it may hold (its buffer stays the provider's until its
	 * message or TSPI_lineCloseCall): Microsoft's LINEGATHERTERM_CANCEL,
	 * "because the call terminated".
	 */
	for (struct gather *g = call->mx ? call->mx->gathers : NULL; g;
	     g = g->next)
		if (g->h && !g->confirmed)
			g->cancel_owed =
				true; /* told once the provider has it */
		else if (g->h) /* not g->buf: the provider may write it */
			gather_tell(call, g, LINEGATHERTERM_CANCEL, tick,
			            false);
	if (call->mx) { /* the provider stops listening at IDLE */
		call->mx->nwants = 0;
		call->mx->ntold = 0;
		call->mx->tone_id = 0;
	}
	list_foreach(it, &call->callhs) {
		struct callh *ch = list_entry(it, struct callh, call_link);

		ch->monitor_digits = 0;
	}
	call->monitor_digits = 0;
}

void call_event_locked(struct call *call, uint32_t msg, DWORD_PTR p1,
                       DWORD_PTR p2, DWORD_PTR p3)
{
	struct list_node *it;

	core_assert_locked();
	switch (msg) {
	case LINE_CALLSTATE:
		on_callstate(call, p1, p2, p3);
		break;
	case LINE_GENERATE:
		on_generate(call, p1, p2, p3);
		break;
	case LINE_MONITORDIGITS:
		on_monitor_digits(call, p1, p2, p3);
		break;
	case LINE_GATHERDIGITS:
		on_gather(call, p1, p2, p3);
		break;
	case LINE_MONITORTONE:
		on_monitor_tone(call, p1, p2, p3);
		break;
	case LINE_CALLINFO:
		if (call->state == LINECALLSTATE_IDLE || !call->routed)
			break;
		list_foreach(it, &call->callhs) {
			struct callh *ch =
				list_entry(it, struct callh, call_link);

			app_post_locked(ch->open->app, ch->h, ch->h,
			                LINE_CALLINFO, ch->open->cbinst,
			                (uint32_t)p1, 0, 0);
		}
		break;
	default:
		log_debug("call %08x: provider message %u ignored", call->ht,
		          (unsigned)msg);
		break;
	}
}

void call_new_from_provider_locked(struct tline *tl, DWORD_PTR hdcall,
                                   DWORD_PTR out_htcall)
{
	HTAPICALL *out = (HTAPICALL *)out_htcall;
	struct call *call;

	core_assert_locked();
	if (!out) {
		log_warn("line %08x: LINE_NEWCALL without HTAPICALL pointer",
		         tl->ht);
		return;
	}
	call = call_new_locked(tl);
	if (!call) {
		/* spec: tspi.md §3 — NULL tells the provider to retry later */
		log_err("line %08x: out of memory for a new call", tl->ht);
		*out = NULL;
		return;
	}
	call->hd = (HDRVCALL)hdcall;
	*out = (HTAPICALL)(uintptr_t)call->ht;
	log_info("call %08x: new call on line %u", call->ht, tl->dev->id);
}

void call_close_later_locked(struct call *call)
{
	core_assert_locked();
	if (call->closing)
		return;
	call->closing = true;
	call_ref_locked(call); /* the worker queue's reference */
	list_add_tail(&core.work, &call->work);
	core_worker_kick_locked();
}

void call_close_now(struct call *call)
{
	core_lock();
	call_close_unlock(call);
}

void call_close_unlock(struct call *call)
{
	struct provider *p;
	HDRVCALL hd;

	core_assert_locked();
	/* spec: termination.md §1.1 — another thread's query returns first */
	while (call->busy)
		core_wait_locked();
	p = call->tl->dev->prov;
	hd = call->hd;
	log_debug("call %08x: TSPI_lineCloseCall", call->ht);
	op_tspi_begin_locked(p);
	p->fn.lineCloseCall(hd);
	op_tspi_end(p);
	/*
	 * spec: termination.md §1.1 — after TSPI_lineCloseCall the pair is
	 * dead on both sides: later events naming it are dropped.
	 */
	call->life = LIFE_DEAD;
	htab_del(&core.handles, call->ht);
	list_del(&call->tl_link);
	call_discard_early_locked(call);
	call_release_observers_locked(call);
	core_wake_locked();
	call_unref_locked(call); /* the tline list's reference */
	call_unref_locked(call); /* the caller's reference */
	core_unlock();
}
