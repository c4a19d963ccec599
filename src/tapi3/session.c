/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI object (ITTAPI) of the TAPI 3 layer: its line API registration,
 * addresses, call notification registrations, the engine thread that reads
 * the line API's messages, the event queue and the delivery thread
 * (tapi3-call-control.md §1, §4). See t3.h for threads and references.
 */
#define LOG_MODULE "tapi3"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tapi3/map.h"
#include "tapi3/t3.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- references, time ---------------------------------------------------- */

void session_unref_locked(struct tapix_tapi *t)
{
	t->refs--;
}

static void session_free(struct tapix_tapi *t)
{
	size_t i;

	for (i = 0; i < t->naddr; i++) {
		mem_free(t->addrs[i]->name);
		mem_free(t->addrs[i]->dialable);
		mem_free(t->addrs[i]);
	}
	mem_free(t->addrs);
	if (t->rt.wake_fd >= 0)
		close(t->rt.wake_fd);
	if (t->ev_fd >= 0)
		close(t->ev_fd);
	if (t->media_wake >= 0)
		close(t->media_wake);
	apprt_destroy(&t->rt);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	mem_free(t);
}

void session_unlock(struct tapix_tapi *t)
{
	bool last;

	/* what was deferred runs first (its done callbacks may let go of
	 * references); then nothing is queued until the lock is let go */
	apprt_flush_locked(&t->rt);
	last = t->refs == 0 && !t->freeing;
	if (last)
		t->freeing = true;
	apprt_unlock(&t->rt);
	if (last)
		session_free(t);
}

void session_out(struct tapix_tapi *t)
{
	t->refs++; /* (a concurrent shutdown must not free it) */
	apprt_unlock(&t->rt);
}

void session_in(struct tapix_tapi *t)
{
	apprt_lock(&t->rt);
	session_unref_locked(t); /* (the caller's session_unlock frees) */
}

bool session_defer_locked(struct tapix_tapi *t, apprt_act_fn *fn, HCALL h)
{
	if (apprt_defer_locked(&t->rt, fn, h, NULL, NULL, 0))
		return true;
	log_err("handle %08x: out of memory, left to lineShutdown",
	        (unsigned)h);
	return false;
}

void session_deadline(struct timespec *ts, uint32_t ms)
{
	clock_after_ms(CLOCK_MONOTONIC, ms, ts);
}

void session_wake(struct tapix_tapi *t)
{
	apprt_wake(&t->rt);
}

/* ---- events ---------------------------------------------------------------
 */

/* A new event of @t (one reference; it holds one on @t), or NULL. */
struct tapix_event *session_event_alloc_locked(struct tapix_tapi *t,
                                               uint32_t type)
{
	struct tapix_event *ev = mem_zalloc(sizeof(*ev));

	if (!ev)
		return NULL;
	list_init(&ev->link);
	ev->t = t;
	ev->refs = 1;
	ev->type = type;
	t->refs++;
	return ev;
}

struct tapix_event *session_event_new_locked(struct tapix_call *c,
                                             uint32_t type)
{
	struct tapix_event *ev = session_event_alloc_locked(c->t, type);

	if (ev) {
		ev->call = c;
		c->refs++;
	}
	return ev;
}

void session_event_unref_locked(struct tapix_event *ev)
{
	struct tapix_tapi *t = ev->t;

	if (--ev->refs > 0)
		return;
	if (ev->call)
		callobj_unref_locked(ev->call);
	if (ev->term)
		term_unref_locked(ev->term);
	mem_free(ev);
	session_unref_locked(t);
}

/* Takes the first queued event (and its count on ev_fd), or NULL. */
static struct tapix_event *pop_locked(struct tapix_tapi *t)
{
	struct tapix_event *ev;
	uint64_t v;

	if (list_empty(&t->queue))
		return NULL;
	ev = list_entry(t->queue.next, struct tapix_event, link);
	list_del(&ev->link);
	if (read(t->ev_fd, &v, sizeof(v)) != sizeof(v))
		log_warn("event count out of step: %s", strerror(errno));
	return ev;
}

/* In callback mode, the queue's first event goes to the delivery thread
 * (the pump is posted again from its end while events wait). */
static void kick_locked(struct tapix_tapi *t)
{
	if (t->cb && !list_empty(&t->queue) && !apprt_post_is_busy(&t->pump))
		apprt_post_locked(&t->rt, &t->pump);
}

void session_post_locked(struct tapix_tapi *t, struct tapix_event *ev)
{
	uint64_t one = 1;

	/* spec §1, §4 — only the types the filter admits, none after the
	 * application let go of the call */
	if (t->down || !(t->filter & ev->type) ||
	    (ev->call && ev->call->released)) {
		session_event_unref_locked(ev);
		return;
	}
	list_add_tail(&t->queue, &ev->link);
	if (write(t->ev_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("event count out of step: %s", strerror(errno));
	pthread_cond_broadcast(&t->cond);
	kick_locked(t);
}

/* ---- requests -------------------------------------------------------------
 */

struct pend *session_pend_new_locked(struct tapix_tapi *t, enum pend_kind kind,
                                     struct tapix_call *c0,
                                     struct tapix_call *c1,
                                     struct tapix_call *c2)
{
	struct pend *p = mem_zalloc(sizeof(*p));
	unsigned i;

	if (!p)
		return NULL;
	p->t = t;
	apprt_req_init(&p->rq);
	p->kind = kind;
	p->c[0] = c0;
	p->c[1] = c1;
	p->c[2] = c2;
	for (i = 0; i < 3; i++)
		if (p->c[i])
			callobj_pin_locked(p->c[i]);
	list_add_tail(&t->pends, &p->link);
	return p;
}

void session_start_unlock(struct tapix_tapi *t, struct pend *p)
{
	p->waited = true; /* (neither shutdown nor a reply frees it) */
	apprt_req_begin_locked(&t->rt, &p->rq, 0);
	session_out(t);
}

void session_start_relock(struct tapix_tapi *t, struct pend *p, LONG r)
{
	session_in(t);
	/* (not followed if refused, or ended meanwhile: p->done) */
	apprt_req_started_locked(&t->rt, &p->rq, r);
}

void session_pend_free_locked(struct pend *p)
{
	unsigned i;

	apprt_req_cancel_locked(&p->t->rt, &p->rq);
	list_del(&p->link);
	for (i = 0; i < 3; i++)
		if (p->c[i])
			callobj_unpin_locked(p->c[i]);
	mem_free(p);
}

bool session_wait_reply_locked(struct tapix_tapi *t, struct pend *p,
                               LONG *result, HRESULT *hr)
{
	struct timespec deadline;

	session_deadline(&deadline, t->timeout_ms);
	p->waited = true;
	while (!p->done && !t->down) {
		if (pthread_cond_timedwait(&t->cond, &t->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	}
	if (!p->done) {
		/* the engine frees it when the reply comes */
		p->waited = false;
		*hr = t->down ? TAPI_E_NOT_INITIALIZED : TAPI_E_TIMEOUT;
		return false;
	}
	/* a reply that came counts, even if shut down since; a request
	 * shutdown ended has none */
	if (t->down && p->result == LINEERR_UNINITIALIZED) {
		session_pend_free_locked(p);
		*hr = TAPI_E_NOT_INITIALIZED;
		return false;
	}
	*result = p->result;
	session_pend_free_locked(p);
	return true;
}

bool session_request_locked(struct tapix_tapi *t, struct pend *p, LONG r,
                            LONG *result, HRESULT *hr)
{
	if (r <= 0) { /* refused at once (or, 0, done at once) */
		session_pend_free_locked(p);
		*result = r;
		return true;
	}
	return session_wait_reply_locked(t, p, result, hr);
}

void session_abort_pends_locked(struct tapix_tapi *t, HLINE h)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &t->pends) {
		struct pend *p = list_entry(it, struct pend, link);
		bool hit = false;
		unsigned i;

		for (i = 0; i < 3; i++)
			hit |= p->c[i] && p->c[i]->hline == h;
		if (!hit || p->done || !apprt_req_is_tracked(&p->rq))
			continue;
		/* termination.md §5.2.2 — a closed open's requests get no
		 * LINE_REPLY (nor handles): they failed */
		apprt_req_cancel_locked(&t->rt, &p->rq);
		p->done = true;
		p->result = LINEERR_OPERATIONFAILED;
		for (i = 0; i < 3; i++)
			if (p->c[i])
				p->c[i]->binding = false;
		callobj_on_reply_locked(p);
		if (p->waited)
			pthread_cond_broadcast(&t->cond);
		else
			session_pend_free_locked(p);
	}
}

/* A request's LINE_REPLY, or a deferred one's refusal (apprt.h
 * on_reply). The layer's requests have no deadline of the runtime's: a
 * method waits for its own (t->timeout_ms). */
static void engine_reply(void *owner, struct apprt_req *q, LONG result,
                         bool expired)
{
	struct tapix_tapi *t = owner;
	struct pend *p = container_of(q, struct pend, rq);

	(void)expired;
	if (p->done)
		return;
	p->done = true;
	p->result = result;
	callobj_on_reply_locked(p);
	if (p->waited)
		pthread_cond_broadcast(&t->cond);
	else
		session_pend_free_locked(p);
}

/* ---- the engine -----------------------------------------------------------
 */

static struct reg *reg_of_line_locked(struct tapix_tapi *t, HLINE h)
{
	struct list_node *it;

	if (!h)
		return NULL;
	list_foreach(it, &t->regs) {
		struct reg *r = list_entry(it, struct reg, link);

		if (r->h == h)
			return r;
	}
	return NULL;
}

/* The registration a LINE_APPNEWCALL @m is for: by its open, or by the
 * cookie of one whose lineOpen has not returned yet. */
static struct reg *reg_of_new_call_locked(struct tapix_tapi *t,
                                          const LINEMESSAGE *m)
{
	struct reg *r = reg_of_line_locked(t, (HLINE)m->hDevice);
	struct list_node *it;

	if (r)
		return r;
	list_foreach(it, &t->regs) {
		r = list_entry(it, struct reg, link);
		if (r->opening && r->cookie == (int32_t)m->dwCallbackInstance) {
			r->h = (HLINE)m->hDevice;
			return r;
		}
	}
	return NULL;
}

static void address_created_locked(struct tapix_tapi *t, uint32_t dev);

/*
 * LINE_LINEDEVSTATE(REINIT): TAPI asks its applications to shut down and
 * initialize again (in client mode: tapixd went, every handle is void).
 * ITTAPIObjectEvent TE_REINIT tells the application, once, if its filter
 * admits TE_TAPIOBJECT.
 */
static void reinit_locked(struct tapix_tapi *t)
{
	struct tapix_event *ev;

	if (t->reinit || t->down)
		return;
	t->reinit = true;
	if (!(t->filter & TE_TAPIOBJECT))
		return;
	ev = session_event_alloc_locked(t, TE_TAPIOBJECT);
	if (!ev) {
		log_err("out of memory: TE_REINIT lost");
		return;
	}
	ev->tapiobj = TE_REINIT;
	session_post_locked(t, ev);
}

/*
 * LINE_MONITORDIGITS and LINE_GENERATE on a call's handle: TE_DIGITEVENT
 * (ITDigitDetectionEvent) and TE_GENERATEEVENT (ITDigitGenerationEvent),
 * if the filter admits them. The layer generates nothing else (no tones),
 * so every LINE_GENERATE ends a GenerateDigits.
 */
static void digit_event_locked(struct tapix_tapi *t, const LINEMESSAGE *m)
{
	struct tapix_call *c = callobj_find_locked(t, (HCALL)m->hDevice);
	uint32_t type = m->dwMessageID == LINE_MONITORDIGITS ? TE_DIGITEVENT
	                                                     : TE_GENERATEEVENT;
	struct tapix_event *ev;

	if (!c || c->hidden || c->released || t->down || !(t->filter & type))
		return;
	ev = session_event_new_locked(c, type);
	if (!ev) {
		log_err("call %08x: out of memory, digit event lost",
		        (unsigned)c->hcall);
		return;
	}
	if (type == TE_DIGITEVENT) {
		/* lineMonitorDigits: the digit in dwParam1's low byte */
		ev->digit = (unsigned char)(m->dwParam1 & 0xFF);
		ev->mode = (uint32_t)m->dwParam2;
	} else {
		ev->termination = (uint32_t)m->dwParam1;
	}
	ev->tick = (uint32_t)m->dwParam3;
	ev->cbinst = c->cbinst;
	session_post_locked(t, ev);
}

static void on_message_locked(struct tapix_tapi *t, const LINEMESSAGE *m)
{
	struct tapix_call *c;

	switch (m->dwMessageID) {
	case LINE_APPNEWCALL: {
		struct reg *r = reg_of_new_call_locked(t, m);

		if (r)
			callobj_on_new_locked(t, r, (HCALL)m->dwParam2,
			                      (uint32_t)m->dwParam3);
		else /* not one of ours (the plain open has no privilege) */
			session_defer_locked(t, apprt_do_deallocate,
			                     (HCALL)m->dwParam2);
		break;
	}
	case LINE_CALLSTATE:
		c = callobj_find_locked(t, (HCALL)m->hDevice);
		if (c)
			callobj_on_state_locked(c, (uint32_t)m->dwParam1,
			                        (uint32_t)m->dwParam2);
		break;
	case LINE_CLOSE: {
		/* the line went away: the open and its calls are void */
		struct reg *r = reg_of_line_locked(t, (HLINE)m->hDevice);
		size_t i;

		if (r)
			r->h = 0;
		for (i = 0; i < t->naddr; i++)
			if (t->addrs[i]->plain == (HLINE)m->hDevice)
				t->addrs[i]->plain = 0;
		callobj_line_gone_locked(t, (HLINE)m->hDevice);
		break;
	}
	case LINE_CREATE:
		address_created_locked(t, (uint32_t)m->dwParam1);
		break;
	case LINE_MONITORDIGITS:
	case LINE_GENERATE:
		digit_event_locked(t, m);
		break;
	case LINE_LINEDEVSTATE:
		if (m->dwParam1 & LINEDEVSTATE_REINIT)
			reinit_locked(t);
		break;
	default:
		break;
	}
}

/* The engine's step (apprt.h): the release deadlines of calls. */
static bool engine_tick(void *owner, struct timespec *next)
{
	struct tapix_tapi *t = owner;

	if (t->stop)
		return false;
	callobj_expire_locked(t, next);
	return true;
}

static void engine_message(void *owner, const LINEMESSAGE *m)
{
	struct tapix_tapi *t = owner;

	if (!t->stop)
		on_message_locked(t, m);
}

/* ---- callback mode: the runtime's delivery (apprt_post_locked) ----------- */

/* The pump's turn (under the lock): the first event, if the application
 * still takes them by callback. */
static bool pump_begin(void *owner, struct apprt_post *p)
{
	struct tapix_tapi *t = owner;

	(void)p;
	if (!t->cb || list_empty(&t->queue))
		return false;
	t->pump_ev = pop_locked(t);
	t->pump_cb = t->cb;
	t->pump_arg = t->cb_arg;
	return true;
}

/* The application's callback (no lock held). */
static void pump_call(struct apprt_post *p)
{
	struct tapix_tapi *t = container_of(p, struct tapix_tapi, pump);

	t->pump_cb(t->pump_ev, t->pump_arg);
}

static void pump_end(void *owner, struct apprt_post *p, bool called)
{
	struct tapix_tapi *t = owner;

	(void)p;
	if (called) {
		session_event_unref_locked(t->pump_ev);
		t->pump_ev = NULL;
	}
	kick_locked(t); /* the next one (refused once stopped) */
}

/* The delivery thread ended (no lock held): its reference goes, the last
 * one after a shutdown from the callback. */
static void deliver_ended(void *owner)
{
	struct tapix_tapi *t = owner;

	apprt_lock(&t->rt);
	session_unref_locked(t);
	session_unlock(t);
}

/* ---- ITTAPI -----------------------------------------------------------------
 */

/* A variable part of @buf (@total bytes) as a string, "" if absent. */
static char *var_string(const uint8_t *buf, uint32_t total, uint32_t off,
                        uint32_t len)
{
	char *s;

	if (!len || off > total || len > total - off)
		len = 0;
	s = mem_alloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, buf + off, len);
	s[len] = '\0';
	return s;
}

/*
 * Fills @a from line @dev's capabilities. A line whose version cannot be
 * agreed stays unusable (api 0) and is not listed. E_OUTOFMEMORY or S_OK.
 */
static HRESULT address_init(struct tapix_tapi *t, struct tapix_address *a,
                            uint32_t dev)
{
	enum {
		SIZE = 4096
	};
	LINEEXTENSIONID ext;
	LINEADDRESSCAPS *ac;
	LINEDEVCAPS *dc;
	uint8_t *buf;
	DWORD api = 0;

	a->t = t;
	a->dev = dev;
	if (lineNegotiateAPIVersion(t->rt.app, dev, T3_API_LOW, T3_API_HIGH,
	                            &api, &ext) != 0)
		return S_OK;
	buf = mem_zalloc(SIZE);
	if (!buf)
		return E_OUTOFMEMORY;
	dc = (LINEDEVCAPS *)buf;
	dc->dwTotalSize = SIZE;
	if (lineGetDevCaps(t->rt.app, dev, api, 0, dc) == 0) {
		a->name = var_string(buf, dc->dwUsedSize, dc->dwLineNameOffset,
		                     dc->dwLineNameSize);
		a->line_media = dc->dwMediaModes;
		a->media = map_media_from_line(dc->dwMediaModes);
	} else {
		a->name = var_string(buf, 0, 0, 0);
	}
	memset(buf, 0, SIZE);
	ac = (LINEADDRESSCAPS *)buf;
	ac->dwTotalSize = SIZE;
	if (lineGetAddressCaps(t->rt.app, dev, 0, api, 0, ac) == 0)
		a->dialable =
			var_string(buf, ac->dwUsedSize, ac->dwAddressOffset,
		                   ac->dwAddressSize);
	else
		a->dialable = var_string(buf, 0, 0, 0);
	mem_free(buf);
	if (!a->name || !a->dialable)
		return E_OUTOFMEMORY;
	a->api = api;
	return S_OK;
}

/* A new address's capabilities (a->cookie), asked with no lock held. */
static LONG address_probe(struct apprt_act *act)
{
	struct tapix_address *a =
		(struct tapix_address *)(uintptr_t)act->cookie;

	/* (t->rt.app does not change while the engine runs) */
	return address_init(a->t, a, act->h) == S_OK ? 0 : -1;
}

static void address_free(struct tapix_address *a)
{
	mem_free(a->name);
	mem_free(a->dialable);
	mem_free(a);
}

/* The probe of line act->h ran: the address is listed and announced. */
static void address_probed(void *owner, const struct apprt_act *act)
{
	struct tapix_address *a =
		(struct tapix_address *)(uintptr_t)act->cookie;
	struct tapix_tapi *t = owner;
	struct tapix_address **v;
	struct tapix_event *ev;

	if (act->h != t->naddr) { /* (one per LINE_CREATE, in order) */
		address_free(a);
		return;
	}
	v = act->result == 0
	            ? mem_realloc(t->addrs, (t->naddr + 1) * sizeof(*v))
	            : NULL;
	if (!v) {
		address_free(a);
		log_err("line %u: out of memory, no address", (unsigned)act->h);
		return;
	}
	t->addrs = v;
	t->addrs[t->naddr++] = a;
	if (!a->api || t->down || !(t->filter & TE_TAPIOBJECT))
		return;
	ev = session_event_alloc_locked(t, TE_TAPIOBJECT);
	if (!ev) {
		log_err("line %u: out of memory, its event lost",
		        (unsigned)act->h);
		return;
	}
	ev->tapiobj = TE_ADDRESSCREATE;
	ev->address = a;
	session_post_locked(t, ev);
}

/*
 * LINE_CREATE: line @dev (the next id) is a new address, announced with
 * TE_TAPIOBJECT/TE_ADDRESSCREATE if the filter admits it. One the layer
 * cannot use (no version agreed) is not listed and not announced. Its
 * capabilities are asked once the lock is let go (before the engine reads
 * the next message).
 */
static void address_created_locked(struct tapix_tapi *t, uint32_t dev)
{
	struct tapix_address *a;

	if (dev != t->naddr)
		return; /* ids come in order: anything else is not new */
	a = mem_zalloc(sizeof(*a));
	if (a) {
		a->t = t;
		if (apprt_defer_locked(&t->rt, address_probe, dev, NULL,
		                       address_probed, (uint64_t)(uintptr_t)a))
			return;
		mem_free(a);
	}
	log_err("line %u: out of memory, no address", (unsigned)dev);
}

HRESULT tapix_tapi_initialize(struct tapix_tapi **out, const char *app_name)
{
	pthread_condattr_t attr;
	struct tapix_tapi *t;
	DWORD ndevs, api = T3_API_HIGH, i;
	HRESULT hr;
	LONG r;

	if (!out)
		return E_POINTER;
	*out = NULL;
	t = mem_zalloc(sizeof(*t));
	if (!t)
		return E_OUTOFMEMORY;
	t->refs = 1;
	t->timeout_ms = T3_TIMEOUT_MS;
	t->next_cookie = 1;
	t->ev_fd = -1;
	t->media_wake = -1;
	list_init(&t->media);
	list_init(&t->regs);
	list_init(&t->calls);
	list_init(&t->pends);
	list_init(&t->queue);
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &attr);
	pthread_condattr_destroy(&attr);
	apprt_init(&t->rt, &t->lock, t);
	t->rt.deliver.on_end = deliver_ended;
	apprt_post_init(&t->pump, pump_begin, pump_call, pump_end);
	t->ev_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
	if (t->ev_fd < 0) {
		session_free(t);
		return E_OUTOFMEMORY;
	}
	t->rt.on_tick = engine_tick;
	t->rt.on_message = engine_message;
	t->rt.on_reply = engine_reply;
	r = apprt_register(&t->rt, app_name, &api);
	if (r != 0) {
		session_free(t);
		return map_lineerr(r, false);
	}
	ndevs = t->rt.ndevs;
	if (ndevs) {
		t->addrs = mem_zalloc(ndevs * sizeof(*t->addrs));
		if (!t->addrs) {
			hr = E_OUTOFMEMORY;
			goto fail;
		}
	}
	for (i = 0; i < ndevs; i++) {
		t->addrs[i] = mem_zalloc(sizeof(*t->addrs[i]));
		if (!t->addrs[i]) {
			hr = E_OUTOFMEMORY;
			goto fail;
		}
		t->naddr = i + 1;
		hr = address_init(t, t->addrs[i], i);
		if (hr != S_OK)
			goto fail;
	}
	if (apprt_start(&t->rt, false) < 0) {
		hr = E_OUTOFMEMORY;
		goto fail;
	}
	*out = t;
	return S_OK;
fail:
	apprt_unregister(&t->rt);
	session_free(t);
	return hr;
}

bool session_enter(struct tapix_tapi *t)
{
	apprt_lock(&t->rt);
	if (!t->down)
		return true;
	session_unlock(t);
	return false;
}

HRESULT session_leave(struct tapix_tapi *t, HRESULT hr)
{
	if (FAILED(hr) && t->down)
		hr = TAPI_E_NOT_INITIALIZED;
	session_unlock(t);
	return hr;
}

HRESULT tapix_tapi_shutdown(struct tapix_tapi *t)
{
	struct list_node *it, *tmp;
	struct tapix_event *ev;

	if (!t)
		return E_POINTER;
	apprt_lock(&t->rt);
	if (t->down) {
		session_unlock(t);
		return TAPI_E_NOT_INITIALIZED;
	}
	t->down = true;
	t->stop = true;
	pthread_cond_broadcast(&t->cond);
	apprt_unlock(&t->rt);
	session_wake(t);
	/* the engine never runs application code: it is never this thread */
	apprt_join(&t->rt);
	/* running terminals end (recordings are completed), the media
	 * thread with them */
	term_shutdown(t);
	/*
	 * spec §1 — the registration ends by lineShutdown's rules (calls this
	 * application solely owns are dropped); every handle is void then.
	 * (The actions still deferred run first; no lock is held.)
	 */
	apprt_unregister(&t->rt);
	apprt_lock(&t->rt);
	list_foreach_safe(it, tmp, &t->regs) {
		struct reg *r = list_entry(it, struct reg, link);

		if (r->opening)
			continue; /* its method frees it, seeing t->down */
		list_del(&r->link);
		mem_free(r);
	}
	callobj_shutdown_locked(t);
	list_foreach_safe(it, tmp, &t->pends) {
		struct pend *p = list_entry(it, struct pend, link);

		apprt_req_cancel_locked(&t->rt, &p->rq);
		p->done = true;
		p->result = LINEERR_UNINITIALIZED;
		if (!p->waited)
			session_pend_free_locked(p);
	}
	while ((ev = pop_locked(t)) != NULL)
		session_event_unref_locked(ev);
	/* no callback after this returns; from the callback itself, its
	 * thread ends (and lets go of @t) once the callback returns */
	apprt_deliver_stop_locked(&t->rt);
	pthread_cond_broadcast(&t->cond);
	apprt_unlock(&t->rt);
	apprt_deliver_join(&t->rt);
	apprt_lock(&t->rt);
	session_unref_locked(t); /* the application's */
	session_unlock(t);
	return S_OK;
}

HRESULT tapix_tapi_enum_addresses(struct tapix_tapi *t,
                                  struct tapix_address ***list, size_t *count)
{
	struct tapix_address **v = NULL;
	size_t i, n = 0;

	if (!t || !list || !count)
		return E_POINTER;
	*list = NULL;
	*count = 0;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	for (i = 0; i < t->naddr; i++)
		n += t->addrs[i]->api != 0;
	if (n) {
		/* plain malloc: the application frees it with free() */
		v = malloc(n * sizeof(*v));
		if (!v) {
			session_unlock(t);
			return E_OUTOFMEMORY;
		}
		n = 0;
		for (i = 0; i < t->naddr; i++)
			if (t->addrs[i]->api)
				v[n++] = t->addrs[i];
	}
	*list = v;
	*count = n;
	session_unlock(t);
	return S_OK;
}

#define FILTER_KNOWN 0x03FFFFFFu /* TE_TAPIOBJECT .. TE_PHONEDEVSPECIFIC */

HRESULT tapix_tapi_set_event_filter(struct tapix_tapi *t, uint32_t mask)
{
	if (!t)
		return E_POINTER;
	if (mask & ~FILTER_KNOWN)
		return E_INVALIDARG;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	t->filter = mask;
	session_unlock(t);
	return S_OK;
}

HRESULT tapix_tapi_get_event_filter(struct tapix_tapi *t, uint32_t *mask)
{
	if (!t || !mask)
		return E_POINTER;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	*mask = t->filter;
	session_unlock(t);
	return S_OK;
}

bool session_own_address(const struct tapix_tapi *t,
                         const struct tapix_address *a)
{
	size_t i;

	for (i = 0; i < t->naddr; i++)
		if (t->addrs[i] == a)
			return a->api != 0;
	return false;
}

HRESULT tapix_tapi_register_call_notifications(
	struct tapix_tapi *t, struct tapix_address *a, bool monitor, bool owner,
	uint32_t media_types, intptr_t callback_instance, int32_t *cookie)
{
	DWORD priv = 0, modes;
	HLINEAPP app;
	struct reg *r;
	HLINE h = 0;
	LONG rc;

	if (!t || !a || !cookie)
		return E_POINTER;
	if ((!monitor && !owner) || (owner && !media_types) ||
	    (media_types & ~MAP_MEDIA_KNOWN))
		return E_INVALIDARG;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	/* (under the lock: the engine grows t->addrs as lines come) */
	if (!session_own_address(t, a)) {
		session_unlock(t);
		return E_INVALIDARG;
	}
	if (media_types & ~a->media) {
		session_unlock(t);
		return TAPI_E_INVALIDMEDIATYPE;
	}
	r = mem_zalloc(sizeof(*r));
	if (!r) {
		session_unlock(t);
		return E_OUTOFMEMORY;
	}
	if (owner)
		priv |= LINECALLPRIVILEGE_OWNER;
	if (monitor)
		priv |= LINECALLPRIVILEGE_MONITOR;
	/* spec §1: AUDIO opens both voice modes, those the line has */
	modes = map_media_to_line(media_types, true) & a->line_media;
	r->cookie = t->next_cookie++;
	if (t->next_cookie <= 0)    /* never reuse a cookie's value... */
		t->next_cookie = 1; /* ...short of 2^31 registrations */
	r->a = a;
	r->cbinst = callback_instance;
	/* listed before its lineOpen returns: a call it is offered at once
	 * (LINE_APPNEWCALL, with the cookie) is ours */
	r->opening = true;
	list_add_tail(&t->regs, &r->link);
	app = t->rt.app;
	/* spec §1 [proposal] — one lineOpen per registration */
	session_out(t);
	rc = lineOpen(app, a->dev, &h, a->api, 0, (DWORD_PTR)r->cookie, priv,
	              modes, NULL);
	session_in(t);
	r->opening = false;
	if (rc != 0 || t->down) {
		/* (after shutdown the open, if any, is void already) */
		list_del(&r->link);
		mem_free(r);
		session_unlock(t);
		return rc ? map_lineerr(rc, false) : TAPI_E_NOT_INITIALIZED;
	}
	r->h = h;
	*cookie = r->cookie;
	session_unlock(t);
	return S_OK;
}

HRESULT tapix_tapi_unregister_notifications(struct tapix_tapi *t,
                                            int32_t cookie)
{
	struct list_node *it;

	if (!t)
		return E_POINTER;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	list_foreach(it, &t->regs) {
		struct reg *r = list_entry(it, struct reg, link);
		HLINE h = r->h;

		/* (one being opened has not given its cookie yet) */
		if (r->cookie != cookie || r->opening)
			continue;
		/* the lineClose rules apply to its calls; it runs before this
		 * returns (session_unlock) */
		if (h && !session_defer_locked(t, apprt_do_close, h)) {
			session_unlock(t);
			return E_OUTOFMEMORY;
		}
		list_del(&r->link);
		mem_free(r);
		callobj_line_gone_locked(t, h);
		session_unlock(t);
		return S_OK;
	}
	session_unlock(t);
	return E_INVALIDARG;
}

HRESULT tapix_tapi_set_request_timeout(struct tapix_tapi *t, uint32_t ms)
{
	if (!t)
		return E_POINTER;
	if (!ms)
		return E_INVALIDARG;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	t->timeout_ms = ms;
	session_unlock(t);
	return S_OK;
}

int tapix_tapi_event_fd(struct tapix_tapi *t)
{
	return t ? t->ev_fd : -1;
}

HRESULT tapix_tapi_get_event(struct tapix_tapi *t, struct tapix_event **ev,
                             uint32_t timeout_ms)
{
	struct timespec deadline;

	if (!ev)
		return E_POINTER;
	*ev = NULL;
	if (!t)
		return E_POINTER;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	session_deadline(&deadline, timeout_ms);
	while (!t->down && (t->cb || list_empty(&t->queue))) {
		if (!timeout_ms ||
		    pthread_cond_timedwait(&t->cond, &t->lock, &deadline) ==
		            ETIMEDOUT)
			break;
	}
	if (t->down) {
		session_unlock(t);
		return TAPI_E_NOT_INITIALIZED;
	}
	if (!t->cb)
		*ev = pop_locked(t);
	session_unlock(t);
	return *ev ? S_OK : S_FALSE;
}

HRESULT tapix_tapi_set_event_callback(struct tapix_tapi *t,
                                      tapix_tapi_event_cb cb, void *arg)
{
	if (!t)
		return E_POINTER;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	if (cb && !t->deliver_on) {
		if (apprt_deliver_start_locked(&t->rt, false) < 0) {
			session_unlock(t);
			return E_OUTOFMEMORY;
		}
		t->deliver_on = true;
		t->refs++; /* the delivery thread's (deliver_ended) */
	}
	t->cb = cb;
	t->cb_arg = arg;
	pthread_cond_broadcast(&t->cond);
	kick_locked(t); /* events already queued first */
	/* back to the queue: the event being delivered finishes first
	 * (not waited for from the callback itself) */
	if (!cb) {
		t->refs++; /* (a shutdown meanwhile must not free it) */
		apprt_deliver_wait_locked(&t->rt);
		session_unref_locked(t);
	}
	session_unlock(t);
	return S_OK;
}

/* ---- events (accessors) ----------------------------------------------------
 */

uint32_t tapix_event_type(const struct tapix_event *ev)
{
	return ev ? ev->type : 0;
}

struct tapix_call *tapix_event_call(const struct tapix_event *ev)
{
	return ev ? ev->call : NULL;
}

HRESULT tapix_event_call_state(const struct tapix_event *ev, CALL_STATE *state,
                               CALL_STATE_EVENT_CAUSE *cause)
{
	if (!ev)
		return E_POINTER;
	if (ev->type != TE_CALLSTATE)
		return E_INVALIDARG;
	if (state)
		*state = ev->state;
	if (cause)
		*cause = ev->cause;
	return S_OK;
}

HRESULT tapix_event_call_notification(const struct tapix_event *ev,
                                      CALL_NOTIFICATION_EVENT *cne)
{
	if (!ev || !cne)
		return E_POINTER;
	if (ev->type != TE_CALLNOTIFICATION)
		return E_INVALIDARG;
	*cne = ev->cne;
	return S_OK;
}

HRESULT tapix_event_tapi_object(const struct tapix_event *ev,
                                TAPIOBJECT_EVENT *event,
                                struct tapix_address **address)
{
	if (!ev)
		return E_POINTER;
	if (ev->type != TE_TAPIOBJECT)
		return E_INVALIDARG;
	if (event)
		*event = ev->tapiobj;
	if (address)
		*address = ev->address;
	return S_OK;
}

HRESULT tapix_event_digit(const struct tapix_event *ev, unsigned char *digit,
                          TAPI_DIGITMODE *mode, uint32_t *tick)
{
	if (!ev)
		return E_POINTER;
	if (ev->type != TE_DIGITEVENT)
		return E_INVALIDARG;
	if (digit)
		*digit = ev->digit;
	if (mode)
		*mode = (TAPI_DIGITMODE)ev->mode;
	if (tick)
		*tick = ev->tick;
	return S_OK;
}

HRESULT tapix_event_digit_generation(const struct tapix_event *ev,
                                     uint32_t *termination, uint32_t *tick)
{
	if (!ev)
		return E_POINTER;
	if (ev->type != TE_GENERATEEVENT)
		return E_INVALIDARG;
	if (termination)
		*termination = ev->termination;
	if (tick)
		*tick = ev->tick;
	return S_OK;
}

HRESULT tapix_event_file_terminal(const struct tapix_event *ev,
                                  TERMINAL_MEDIA_STATE *state,
                                  FT_STATE_EVENT_CAUSE *cause, HRESULT *error)
{
	if (!ev)
		return E_POINTER;
	if (ev->type != TE_FILETERMINAL)
		return E_INVALIDARG;
	if (state)
		*state = ev->tms;
	if (cause)
		*cause = ev->ftec;
	if (error)
		*error = ev->error;
	return S_OK;
}

struct tapix_terminal *tapix_event_terminal(const struct tapix_event *ev)
{
	return ev && ev->type == TE_FILETERMINAL ? ev->term : NULL;
}

intptr_t tapix_event_callback_instance(const struct tapix_event *ev)
{
	return ev ? ev->cbinst : 0;
}

void tapix_event_addref(struct tapix_event *ev)
{
	if (!ev)
		return;
	apprt_lock(&ev->t->rt);
	ev->refs++;
	apprt_unlock(&ev->t->rt);
}

void tapix_event_release(struct tapix_event *ev)
{
	struct tapix_tapi *t;

	if (!ev)
		return;
	t = ev->t;
	apprt_lock(&t->rt);
	session_event_unref_locked(ev);
	session_unlock(t);
}

/* ---- addresses -------------------------------------------------------------
 */

const char *tapix_address_name(const struct tapix_address *a)
{
	return a && a->name ? a->name : "";
}

const char *tapix_address_dialable(const struct tapix_address *a)
{
	return a && a->dialable ? a->dialable : "";
}

uint32_t tapix_address_device_id(const struct tapix_address *a)
{
	return a ? a->dev : 0xFFFFFFFFu;
}

uint32_t tapix_address_media_types(const struct tapix_address *a)
{
	return a ? a->media : 0;
}
