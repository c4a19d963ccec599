/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RAS in client mode (ras.md §12): the connections live in tapixd, so a
 * connection outlives the process that dialled it and any process of the
 * same user finds it with RasEnumConnections. This process resolves the
 * phonebook entry and the saved credentials itself (with its own file
 * permissions: ras-phonebook §A2) and sends the result; tapixd dials on
 * its lines, within its access rules. Interface org.tapix.Ras1 (the wire
 * mapping: docs/service.md).
 *
 * The process has one bus connection for RAS (its unique name is the
 * process's: its references); its lock is not held while a call waits
 * for tapixd, so several threads' calls are on their way at once
 * (client/bus.h). The notifiers are served by one application runtime
 * (src/apprt, as in embedded mode and the TAPI 3 layer), made by the
 * first asynchronous dial and kept for the process's life: its engine
 * thread reads each watched connection's notifications from tapixd
 * (Events) as a deferred action, with no lock held, and its delivery
 * thread calls the notifiers, one call at a time in the process, with no
 * lock held. A synchronous RasDial reads them itself (for 10 minutes at
 * most).
 *
 * Nothing polls: while something reads notifications (a watch, a
 * synchronous dial, RasConnectionNotification's thread), the process's
 * waker thread keeps a Wait out at tapixd, which answers it when the
 * user's connections change (or after WAIT_MS); then every watch reads
 * again and the others are woken. Only when tapixd refuses Wait (too many
 * of them, or an older tapixd) do they poll: a watch every 20 ms for the
 * first seconds, then every half second; the others every
 * RAS_CLIENT_POLL_MS; the waker asks again after RETRY_S, twice as long
 * each time.
 *
 * The credentials of a dial that connects are saved here, by the process
 * that dialled, with its own permissions, as in embedded mode (ras.md
 * §9): tapixd saves none, so no user makes it write a file. The process
 * learns it from the notifications it reads (and reads on for that even
 * when its notifier wants no more, or after it hung up).
 */
#define LOG_MODULE "ras"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <tapix/tapix.h>

#include "apprt/apprt.h"
#include "client/bus.h"
#include "ras/map.h"
#include "ras/ras.h"
#include "util/clock.h"
#include "util/list.h"
#include "util/log.h"
#include "util/loghold.h"
#include "util/mem.h"

#define BUS_NAME    "org.tapix.Tapix1"
#define BUS_PATH    "/org/tapix/Tapix1"
#define BUS_IFACE   "org.tapix.Ras1"
#define CALL_USEC   (60ULL * 1000 * 1000)
#define POLL_US     20000u
#define FAST_POLLS  250u /* 5 s at POLL_US, then SLOW_US */
#define SLOW_US     500000u
#define WAIT_MS     25000u /* a Wait's time-out (tapixd answers a change) */
#define RETRY_S     5      /* a Wait again after it was refused, */
#define RETRY_MAX_S 300    /* twice as long each time, up to this */
#define DIAL_S      600    /* a synchronous dial waits 10 minutes at most */

/* The number of notifications of @h so far, in *@n. */
static DWORD count_events(HRASCONN h, uint32_t *n);

/*
 * A connection whose notifications this process reads: for its notifier,
 * or only to save its credentials (§9). Guarded by watch_lock, except
 * what a poll owns while it is out (polling: from, ev, n, final, r).
 */
struct watch {
	struct list_node link; /* watches, until the last reference */
	HRASCONN h;
	DWORD ntype;
	void *fn; /* NULL: none, it reads for the save only */
	ULONG_PTR cbid;
	struct timespec due; /* the next poll */
	unsigned quiet;      /* polls in a row that read nothing */
	unsigned refs;       /* the list's, a poll's, each delivery's */
	bool polling;        /* a poll is out (an action of the runtime) */
	bool keep;           /* its notifier wants more */
	bool stopped;        /* this process hung it up: §4, nothing after */
	bool over;           /* no more polls (out of the list) */
	bool idle;           /* reads again when the waker says */
	bool again;          /* the waker said so while it read */
	/* the poll's */
	unsigned from; /* the next notification to read */
	struct tapix_ras_event ev[RAS_MAX_EVENTS];
	unsigned n;
	bool final;
	DWORD r;
};

/* One notification on its way to a notifier (the runtime's delivery). */
struct note {
	struct apprt_post post; /* first: the post is the note */
	struct watch *w;        /* a reference */
	struct tapix_ras_event ev;
	bool keep; /* what the notifier answered */
};

/* The watches and the runtime serving them; watch_lock is its owner's. */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_node watches = LIST_HEAD_INIT(watches);
static struct apprt rt;
static pid_t rt_pid;   /* the process that made it; 0: none */
static bool rt_engine; /* its engine runs */

/*
 * A new connection this process dialled whose credentials it saves once
 * it reads that the dial connected (ras.md §9: who dialled, never the
 * password); dropped when it reads that the dial failed or ended, or the
 * connection is gone.
 */
struct save {
	struct list_node link; /* saves */
	HRASCONN h;
	char pbk[MAX_PATH];
	char entry[RAS_MaxEntryName + 1];
	char user[UNLEN + 1], domain[DNLEN + 1];
	char callback[RAS_MaxCallbackNumber + 1];
};

static struct list_node saves = LIST_HEAD_INIT(saves); /* watch_lock */

static struct save *save_find_locked(HRASCONN h)
{
	struct list_node *it;

	list_foreach(it, &saves) {
		struct save *v = list_entry(it, struct save, link);

		if (v->h == h)
			return v;
	}
	return NULL;
}

/* Remembers what to save for @h, dialled with @rq, when it connects. */
static void save_add(HRASCONN h, const struct tapix_ras_req *rq)
{
	struct save *v = mem_zalloc(sizeof(*v));

	if (!v) {
		log_err("connection %llu: out of memory, its credentials will "
		        "not be saved",
		        (unsigned long long)(uintptr_t)h);
		return;
	}
	v->h = h;
	ras_copy(v->pbk, sizeof(v->pbk), rq->pbk);
	ras_copy(v->entry, sizeof(v->entry), rq->entry);
	ras_copy(v->user, sizeof(v->user), rq->user);
	ras_copy(v->domain, sizeof(v->domain), rq->domain);
	ras_copy(v->callback, sizeof(v->callback), rq->callback);
	log_mutex_lock(&watch_lock);
	list_add_tail(&saves, &v->link);
	log_mutex_unlock(&watch_lock);
}

/* Whether something is to be saved for @h when it connects. */
static bool save_pending(HRASCONN h)
{
	bool r;

	log_mutex_lock(&watch_lock);
	r = save_find_locked(h) != NULL;
	log_mutex_unlock(&watch_lock);
	return r;
}

/*
 * The phonebook (MAX_PATH bytes) and entry of @h, dialled by this process
 * and not settled yet (a paused one is not): false if there is none.
 */
static bool save_entry(HRASCONN h, char *pbk, char *entry)
{
	struct save *v;

	log_mutex_lock(&watch_lock);
	v = save_find_locked(h);
	if (v) {
		ras_copy(pbk, MAX_PATH, v->pbk);
		ras_copy(entry, RAS_MaxEntryName + 1, v->entry);
	}
	log_mutex_unlock(&watch_lock);
	return v != NULL;
}

/*
 * §3.6 — @h resumed with @user and @domain (those are saved then, as the
 * manager's own would be, if a save is pending); the ones before in
 * @old_user (UNLEN + 1 bytes) and @old_domain (DNLEN + 1), to put back if
 * the resume is refused.
 */
static void save_resumed(HRASCONN h, const char *user, const char *domain,
                         char *old_user, char *old_domain)
{
	struct save *v;

	old_user[0] = old_domain[0] = '\0';
	log_mutex_lock(&watch_lock);
	v = save_find_locked(h);
	if (v) {
		ras_copy(old_user, sizeof(v->user), v->user);
		ras_copy(old_domain, sizeof(v->domain), v->domain);
		ras_copy(v->user, sizeof(v->user), user);
		ras_copy(v->domain, sizeof(v->domain), domain);
	}
	log_mutex_unlock(&watch_lock);
}

/*
 * What @h's notifications @ev (@n of them) tell: connected, the credentials
 * are saved now (before any notifier hears it: a tool that exits on
 * Connected has them saved); failed, or @over (the last were read, or the
 * connection is gone), nothing is.
 */
static void save_settle(HRASCONN h, const struct tapix_ras_event *ev,
                        unsigned n, bool over)
{
	struct save *v;
	bool up = false, failed = over;
	unsigned i;
	DWORD r;

	for (i = 0; i < n; i++) {
		if (ev[i].error)
			failed = true;
		else if (ev[i].state == RASCS_Connected)
			up = true;
	}
	if (!up && !failed)
		return;
	log_mutex_lock(&watch_lock);
	v = save_find_locked(h);
	if (v)
		list_del(&v->link);
	log_mutex_unlock(&watch_lock);
	if (!v)
		return;
	if (up) {
		/* (file input and output: no lock held) */
		r = ras_creds_set(v->pbk, v->entry, v->user, v->domain,
		                  v->callback, NULL, false);
		if (r)
			log_info("connection %llu: credentials not saved: "
			         "error %u",
			         (unsigned long long)(uintptr_t)h, (unsigned)r);
	}
	explicit_bzero(v, sizeof(*v));
	mem_free(v);
}

bool ras_client_on(void)
{
	char buf[512];

	return tapix_service(buf, sizeof(buf)) != NULL;
}

static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
static sd_bus *shared_bus; /* bus_lock */
static char shared_where[512];
static pid_t shared_pid;
static pthread_cond_t bus_turn = PTHREAD_COND_INITIALIZER;
static unsigned calls_on_bus; /* bus_lock: calls in flight on shared_bus */

/* As a condition wait: the log lines of the call are given out when it
 * returns, never while it waits (util/loghold.h) */
static void caller_lock(void)
{
	pthread_mutex_lock(&bus_lock);
}

static void caller_unlock(void)
{
	pthread_mutex_unlock(&bus_lock);
}

/* The calls' waits: several threads' calls at once, and bus_lock not held
 * while one waits for tapixd (client/bus.h). bus_lock */
static struct bus_caller caller = {.mutex = &bus_lock,
                                   .lock = caller_lock,
                                   .unlock = caller_unlock,
                                   .turn = &bus_turn,
                                   .wakefd = -1};

/*
 * The process's connection to tapixd (one, so that its bus name stands
 * for the process: its references on connections, ras.md §3.3), locked:
 * bus_put() it. A new one when the service named changes or the old one
 * broke. NULL (logged), unlocked, if it cannot be made.
 */
static sd_bus *bus_get(void)
{
	char where[sizeof(shared_where)];
	int e;

	if (!tapix_service(where, sizeof(where))) {
		log_err("no service to reach (TAPIX_SERVICE)");
		return NULL;
	}
	log_mutex_lock(&bus_lock);
	/* after fork(): the parent's connection is not the child's, nor are
	 * its calls and their wake-up */
	if ((shared_bus || caller.wakefd >= 0) && shared_pid != getpid()) {
		shared_bus = NULL;
		bus_caller_done(&caller);
		/* a broadcast would wait for the parent's waiters */
		pthread_cond_init(&bus_turn, NULL);
		calls_on_bus = 0;
	}
	if (caller.wakefd < 0) {
		e = bus_caller_init(&caller);
		shared_pid = getpid();
		if (e < 0) {
			log_err("cannot wait for tapixd: %s", strerror(-e));
			log_mutex_unlock(&bus_lock);
			return NULL;
		}
	}
	/* a broken one, or one to another place, once its calls ended (a
	 * broken one fails them soon) */
	while (shared_bus && calls_on_bus &&
	       (sd_bus_is_open(shared_bus) <= 0 ||
	        strcmp(shared_where, where) != 0))
		pthread_cond_wait(&bus_turn, &bus_lock);
	if (shared_bus && (sd_bus_is_open(shared_bus) <= 0 ||
	                   strcmp(shared_where, where) != 0))
		shared_bus = sd_bus_flush_close_unref(shared_bus);
	if (!shared_bus) {
		e = client_bus_connect(where, &shared_bus);
		if (e < 0) {
			log_err("cannot reach tapixd on %s: %s", where,
			        strerror(-e));
			log_mutex_unlock(&bus_lock);
			return NULL;
		}
		snprintf(shared_where, sizeof(shared_where), "%s", where);
		shared_pid = getpid();
	}
	return shared_bus;
}

static void bus_put(void)
{
	log_mutex_unlock(&bus_lock);
}

/*
 * Calls @member; *@reply holds the answer (unref it), whose first value,
 * a RAS result, is read. ERROR_RASMAN_CANNOT_INITIALIZE when tapixd
 * cannot be reached or fails the call.
 */
static DWORD call(sd_bus *bus, sd_bus_message *m, sd_bus_message **reply)
{
	uint32_t r = ERROR_RASMAN_CANNOT_INITIALIZE;
	int e;

	/* bus_lock is let go while it waits: bus_get replaces no connection
	 * meanwhile */
	calls_on_bus++;
	e = bus_caller_call(&caller, bus, m, CALL_USEC, reply);
	if (!--calls_on_bus)
		pthread_cond_broadcast(&bus_turn);
	if (e < 0)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	if (sd_bus_message_read(*reply, "u", &r) < 0)
		r = ERROR_RASMAN_CANNOT_INITIALIZE;
	return r;
}

static int new_call(sd_bus *bus, const char *member, sd_bus_message **m)
{
	return sd_bus_message_new_method_call(bus, m, BUS_NAME, BUS_PATH,
	                                      BUS_IFACE, member);
}

/* Events(h, *from): up to 64 notifications, *from moved past them;
 * ERROR_INVALID_HANDLE once the connection is gone. */
static DWORD events(HRASCONN h, unsigned *from, struct tapix_ras_event *out,
                    unsigned *n, bool *final)
{
	sd_bus_message *m = NULL, *reply;
	sd_bus *bus = bus_get();
	uint32_t st, er, next = 0;
	int fin = 0;
	DWORD r;

	*n = 0;
	*final = false;
	if (!bus)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	if (new_call(bus, "Events", &m) < 0 ||
	    sd_bus_message_append(m, "tu", (uint64_t)(uintptr_t)h,
	                          (uint32_t)*from) < 0) {
		sd_bus_message_unref(m);
		bus_put();
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r = call(bus, m, &reply);
	if (!r && sd_bus_message_enter_container(reply, 'a', "(uu)") >= 0) {
		while (*n < RAS_MAX_EVENTS &&
		       sd_bus_message_read(reply, "(uu)", &st, &er) > 0) {
			out[*n].state = (RASCONNSTATE)st;
			out[*n].error = er;
			(*n)++;
		}
		sd_bus_message_exit_container(reply);
		if (sd_bus_message_read(reply, "bu", &fin, &next) < 0)
			r = ERROR_RASMAN_CANNOT_INITIALIZE;
		*final = fin != 0;
		if (!r)
			*from = next;
	}
	sd_bus_message_unref(reply);
	bus_put();
	return r;
}

static DWORD count_events(HRASCONN h, uint32_t *n)
{
	struct tapix_ras_event ev[RAS_MAX_EVENTS];
	unsigned got, from = UINT32_MAX; /* past the last: where it is now */
	bool final;
	DWORD r = events(h, &from, ev, &got, &final);

	*n = r ? 0 : from;
	return r;
}

/* ---- the waker ------------------------------------------------------------
 */

/*
 * The process's waker (guarded by watch_lock): a thread that keeps a Wait
 * out at tapixd while watches or other readers (a synchronous dial,
 * RasConnectionNotification's thread) read. Each answer that tells of a
 * change (or a refusal) moves @gen on, wakes the other readers and has
 * every watch read again; a Wait that timed out with nothing changed is
 * sent again. Whatever changed before a reader began, it reads itself
 * first.
 */
static struct {
	pid_t pid;           /* of the process it is made for (fork) */
	bool running;        /* its thread runs */
	bool works;          /* tapixd answers Wait: nobody polls */
	unsigned gen;        /* moved on by a change, a refusal or a kick */
	unsigned users;      /* the other readers (ras_client_change_begin) */
	pthread_cond_t cond; /* @gen moved (CLOCK_MONOTONIC) */
} wk;

/* Whether somebody reads notifications. */
static bool waker_needed_locked(void)
{
	struct list_node *it;

	if (wk.users)
		return true;
	if (rt_pid != getpid())
		return false; /* (a child's copy of its parent's watches) */
	list_foreach(it, &watches) {
		if (!list_entry(it, struct watch, link)->over)
			return true;
	}
	return false;
}

/* The synchronous dials and RasConnectionNotification's thread (those
 * waiting on wk.cond) look again. */
static void wake_waiters_locked(void)
{
	wk.gen++;
	pthread_cond_broadcast(&wk.cond);
}

/* Every reader reads again: the synchronous dials are woken, each watch
 * reads at once (or once more when it is reading now). */
static void waker_tell_locked(void)
{
	struct list_node *it;
	struct timespec now;

	wake_waiters_locked();
	if (rt_pid != getpid())
		return; /* (a child's copy of its parent's watches) */
	clock_gettime(CLOCK_MONOTONIC, &now);
	list_foreach(it, &watches) {
		struct watch *w = list_entry(it, struct watch, link);

		if (w->over)
			continue;
		if (w->polling) {
			w->again = true;
		} else {
			w->idle = false;
			w->due = now;
		}
	}
	if (rt_engine)
		apprt_wake(&rt);
}

void ras_client_change_kick(void)
{
	log_mutex_lock(&watch_lock);
	/* (in a child after fork() before its waker: nobody waits here,
	 * and a broadcast would wait for its parent's waiters) */
	if (wk.pid == getpid())
		wake_waiters_locked();
	log_mutex_unlock(&watch_lock);
}

/* Wait(@from, @ms): the user's count of changes in *@now; 0 or an error
 * (refused: too many Waits, an older tapixd, or none reachable). */
static DWORD wait_call(unsigned from, unsigned ms, unsigned *now)
{
	sd_bus_message *m = NULL, *reply;
	sd_bus *bus = bus_get();
	uint32_t n = 0;
	DWORD r;

	*now = 0;
	if (!bus)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	if (new_call(bus, "Wait", &m) < 0 ||
	    sd_bus_message_append(m, "uu", (uint32_t)from, (uint32_t)ms) < 0) {
		sd_bus_message_unref(m);
		bus_put();
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r = call(bus, m, &reply);
	if (!r && sd_bus_message_read(reply, "u", &n) < 0)
		r = ERROR_RASMAN_CANNOT_INITIALIZE;
	sd_bus_message_unref(reply);
	bus_put();
	*now = n;
	return r;
}

static void *waker_main(void *arg)
{
	unsigned seen = 0, now, retry_s = RETRY_S;
	bool first = true;

	(void)arg;
	log_mutex_lock(&watch_lock);
	while (waker_needed_locked()) {
		struct timespec retry;
		bool probe = first;
		DWORD r;

		log_mutex_unlock(&watch_lock);
		/* the first answers at once: where the count is now */
		r = wait_call(seen, probe ? 0 : WAIT_MS, &now);
		log_mutex_lock(&watch_lock);
		/* a time-out with nothing changed tells nobody anything */
		if (r || probe || now != seen || !wk.works) {
			wk.works = r == 0; /* tapixd answers Wait */
			waker_tell_locked();
		}
		seen = now;
		first = r != 0;
		if (!r) {
			/* (a probe is answered even when a Wait would be
			 * refused: only a Wait that waited ends the back-off)
			 */
			if (!probe)
				retry_s = RETRY_S;
			continue;
		}
		/* the readers poll meanwhile */
		log_debug("RAS: Wait refused (%u), polling", (unsigned)r);
		clock_after_ms(CLOCK_MONOTONIC, retry_s * 1000, &retry);
		retry_s = retry_s * 2 > RETRY_MAX_S ? RETRY_MAX_S : retry_s * 2;
		while (waker_needed_locked() &&
		       pthread_cond_timedwait(&wk.cond, &watch_lock, &retry) !=
		               ETIMEDOUT)
			;
	}
	wk.running = false;
	log_mutex_unlock(&watch_lock);
	return NULL;
}

/* Starts the waker unless it runs; without it the readers poll. */
static void waker_start_locked(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int e;

	if (wk.pid != getpid()) {
		/* the first use, or a child after fork(): the parent's
		 * thread is not here */
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&wk.cond, &ca);
		pthread_condattr_destroy(&ca);
		wk.pid = getpid();
		wk.running = false;
		wk.users = 0;
		wk.works = true;
	}
	if (wk.running)
		return;
	e = pthread_attr_init(&attr);
	if (!e) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		e = pthread_create(&t, &attr, waker_main, NULL);
		pthread_attr_destroy(&attr);
	}
	wk.running = e == 0;
	wk.works = e == 0;
	if (e)
		log_warn("RAS: no waker thread (%s): notifications are polled",
		         strerror(e));
}

/* ---- the notifiers: polls and deliveries on the runtime ------------------ */

/* The last reference gone, @w leaves the list: until then a RasHangUp
 * finds it, and its notifications still queued are not delivered. */
static void watch_unref_locked(struct watch *w)
{
	if (--w->refs)
		return;
	list_del(&w->link);
	mem_free(w);
}

/* @w polls no more (the list's reference dropped). */
static void watch_end_locked(struct watch *w)
{
	if (w->over)
		return;
	w->over = true;
	watch_unref_locked(w);
}

/* The delivery's turn came (lock held): not after the notifier said
 * stop, nor after this process hung up (§4). */
static bool note_begin(void *owner, struct apprt_post *p)
{
	struct note *o = (struct note *)p;

	(void)owner;
	return o->w->keep && !o->w->stopped;
}

/* The notifier, with no lock held (the delivery thread's). */
static void note_call(struct apprt_post *p)
{
	struct note *o = (struct note *)p;
	struct watch *w = o->w;
	DWORD keep = 1;

	ras_set_notifier_thread();
	switch (w->ntype) {
	case 0:
		((RASDIALFUNC)w->fn)(WM_RASDIALEVENT, o->ev.state, o->ev.error);
		break;
	case 1:
		((RASDIALFUNC1)w->fn)(w->h, WM_RASDIALEVENT, o->ev.state,
		                      o->ev.error, 0);
		break;
	default:
		keep = ((RASDIALFUNC2)w->fn)(w->cbid, 1, w->h, WM_RASDIALEVENT,
		                             o->ev.state, o->ev.error, 0);
		break;
	}
	o->keep = keep != 0;
}

static void note_end(void *owner, struct apprt_post *p, bool called)
{
	struct note *o = (struct note *)p;

	(void)owner;
	if (called && !o->keep)
		o->w->keep = false; /* RasDialFunc2 returned 0 */
	watch_unref_locked(o->w);
	mem_free(o);
}

/* A poll (a deferred action: no lock held): the notifications since the
 * last, and the credentials saved before any notifier hears that the
 * dial connected (§9). */
static LONG poll_act(struct apprt_act *a)
{
	struct watch *w = (struct watch *)(uintptr_t)a->cookie;

	w->r = events(w->h, &w->from, w->ev, &w->n, &w->final);
	if (w->r)
		save_settle(w->h, NULL, 0, true); /* hung up and gone */
	else
		save_settle(w->h, w->ev, w->n, w->final);
	return 0;
}

/* What a poll read (lock held): to the notifier, in order; the next when
 * the waker says (when tapixd refuses Wait: soon while things happen,
 * then slowly while the dial waits); none after the last notification,
 * once the connection is gone, or when the notifier wants no more and
 * nothing is left to save. */
static void poll_done(void *owner, const struct apprt_act *a)
{
	struct watch *w = (struct watch *)(uintptr_t)a->cookie;
	struct timespec now;
	unsigned i, us;

	(void)owner;
	w->polling = false;
	if (w->stopped)
		w->keep = false;
	for (i = 0; !w->r && i < w->n && w->keep; i++) {
		struct note *o = mem_zalloc(sizeof(*o));

		if (!o) {
			log_err("connection %llu: out of memory, a notification "
			        "is lost",
			        (unsigned long long)(uintptr_t)w->h);
			continue;
		}
		apprt_post_init(&o->post, note_begin, note_call, note_end);
		o->w = w;
		o->ev = w->ev[i];
		w->refs++;
		if (!apprt_post_locked(&rt, &o->post)) {
			w->refs--;
			mem_free(o);
		}
	}
	if (w->r || w->final || (!w->keep && !save_find_locked(w->h))) {
		watch_end_locked(w);
	} else if (w->again || (wk.works && wk.running)) {
		/* the waker tells when to read again (at once: it did) */
		w->idle = !w->again;
		w->again = false;
		clock_gettime(CLOCK_MONOTONIC, &w->due);
		apprt_wake(&rt);
	} else {
		w->quiet = w->n ? 0 : w->quiet + 1;
		us = w->quiet < FAST_POLLS ? POLL_US : SLOW_US;
		clock_gettime(CLOCK_MONOTONIC, &now);
		now.tv_nsec += (long)us * 1000;
		now.tv_sec += now.tv_nsec / 1000000000;
		now.tv_nsec %= 1000000000;
		w->due = now;
		apprt_wake(&rt); /* its deadline is new to the engine */
	}
	watch_unref_locked(w); /* the poll's */
}

/* The engine's tick (lock held): the polls that are due go out; the
 * nearest of the others is the next deadline. */
static bool rt_tick(void *owner, struct timespec *next)
{
	struct list_node *it;
	struct timespec now;

	(void)owner;
	clock_gettime(CLOCK_MONOTONIC, &now);
	list_foreach(it, &watches) {
		struct watch *w = list_entry(it, struct watch, link);

		if (w->polling || w->over || w->idle)
			continue;
		if (now.tv_sec > w->due.tv_sec ||
		    (now.tv_sec == w->due.tv_sec &&
		     now.tv_nsec >= w->due.tv_nsec)) {
			if (apprt_defer_locked(&rt, poll_act, 0, NULL,
			                       poll_done,
			                       (uint64_t)(uintptr_t)w)) {
				w->polling = true;
				w->refs++;
				continue;
			}
			/* out of memory: tried again in a while */
			w->due.tv_sec = now.tv_sec + 1;
		}
		if (!next->tv_sec || w->due.tv_sec < next->tv_sec ||
		    (w->due.tv_sec == next->tv_sec &&
		     w->due.tv_nsec < next->tv_nsec))
			*next = w->due;
	}
	return true;
}

static void rt_message(void *owner, const LINEMESSAGE *m)
{
	(void)owner;
	(void)m; /* (no registration: none come) */
}

static void rt_reply(void *owner, struct apprt_req *q, LONG result,
                     bool expired)
{
	(void)owner;
	(void)q;
	(void)result;
	(void)expired; /* (no requests) */
}

/* The runtime, started once in the process (lock held); 0 or -errno,
 * and then tried again by the next dial (what did start stays: the
 * delivery thread, the wake descriptor). In a child after fork() the
 * parent's threads are not there: its watches are left to the parent and
 * the child makes a runtime of its own. */
static int rt_start_locked(void)
{
	int e;

	if (rt_pid != getpid()) {
		list_init(&watches);
		apprt_init(&rt, &watch_lock, NULL);
		rt.on_tick = rt_tick;
		rt.on_message = rt_message;
		rt.on_reply = rt_reply;
		rt_pid = getpid();
		rt_engine = false;
	}
	if (rt_engine)
		return 0;
	if (rt.wake_fd < 0 && (e = apprt_open(&rt)) < 0)
		return e;
	e = apprt_deliver_start_locked(&rt, true); /* (0 when it runs) */
	if (e >= 0)
		e = apprt_start(&rt, true);
	if (e < 0)
		return e;
	rt_engine = true;
	return 0;
}

#define GOES_ON ((DWORD)-1) /* (no RAS result) */

/* What a synchronous dial's notifications tell (§3.8): its outcome, or
 * GOES_ON while it goes on. */
static DWORD outcome(DWORD r, const struct tapix_ras_event *ev, unsigned n,
                     bool final)
{
	if (r == ERROR_INVALID_HANDLE)
		return ERROR_USER_DISCONNECTION; /* hung up meanwhile */
	if (r)
		return r;
	if (n && ev[n - 1].error)
		return ev[n - 1].error;
	if (n && ev[n - 1].state == RASCS_Connected)
		return 0;
	/* §3.7 — a synchronous dial asks for no paused states (ras_resolve):
	 * should it pause, it has not connected, whatever tapixd does */
	if (n && (ev[n - 1].state & RASCS_PAUSED))
		return ras_map_paused(ev[n - 1].state);
	/* §3.8 — the end without Connected or an error: it was hung up,
	 * and is being torn down */
	return final ? ERROR_USER_DISCONNECTION : GOES_ON;
}

static bool passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

void ras_client_change_begin(void)
{
	log_mutex_lock(&watch_lock);
	waker_start_locked();
	wk.users++;
	log_mutex_unlock(&watch_lock);
}

unsigned ras_client_change_token(void)
{
	unsigned g;

	log_mutex_lock(&watch_lock);
	g = wk.gen;
	log_mutex_unlock(&watch_lock);
	return g;
}

void ras_client_change_wait(unsigned token, unsigned ms)
{
	struct timespec at;

	log_mutex_lock(&watch_lock);
	clock_after_ms(CLOCK_MONOTONIC,
	               wk.works && wk.running    ? ms
	               : ms < RAS_CLIENT_POLL_MS ? ms
	                                         : RAS_CLIENT_POLL_MS,
	               &at);
	while (wk.gen == token && !passed(&at) &&
	       pthread_cond_timedwait(&wk.cond, &watch_lock, &at) != ETIMEDOUT)
		;
	log_mutex_unlock(&watch_lock);
}

void ras_client_change_end(void)
{
	log_mutex_lock(&watch_lock);
	wk.users--;
	log_mutex_unlock(&watch_lock);
}

/* §3.8 — waits for the outcome of a synchronous dial: reads its
 * notifications, then again each time the waker says (it polls when
 * tapixd refuses Wait). */
static DWORD wait_outcome(HRASCONN h, unsigned from)
{
	struct tapix_ras_event ev[RAS_MAX_EVENTS];
	struct timespec end;
	unsigned n, token;
	bool final;
	DWORD r;

	clock_after_ms(CLOCK_MONOTONIC, DIAL_S * 1000, &end);
	ras_client_change_begin();
	for (;;) {
		/* a change after this wakes the wait below */
		token = ras_client_change_token();
		r = events(h, &from, ev, &n, &final);
		save_settle(h, ev, n, r || final);
		r = outcome(r, ev, n, final);
		if (r && r != GOES_ON)
			save_settle(h, NULL, 0, true); /* (a pause too) */
		if (r == GOES_ON && passed(&end)) {
			save_settle(h, NULL, 0, true); /* (nobody reads on) */
			r = ERROR_REQUEST_TIMEOUT;
		}
		if (r != GOES_ON)
			break;
		ras_client_change_wait(token, DIAL_S * 1000);
	}
	ras_client_change_end();
	return r;
}

static int append_req(sd_bus_message *m, const struct tapix_ras_req *rq)
{
	int e = sd_bus_message_append(
		m, "ssbssssssbu", rq->entry, rq->pbk, (int)rq->has_entry,
		rq->number, rq->devtype, rq->device, rq->port, rq->link,
		rq->callback, (int)rq->type_ok, (uint32_t)rq->dial_timeout);

	if (e >= 0)
		e = sd_bus_message_append_array(m, 'y', &rq->guid,
		                                sizeof(rq->guid));
	if (e >= 0)
		e = sd_bus_message_append(m, "usssb", (uint32_t)rq->flags,
		                          rq->user, rq->password, rq->domain,
		                          (int)rq->paused_states);
	return e;
}

/* Whether this process reads @h's notifications. */
static bool is_watched(HRASCONN h)
{
	struct list_node *it;
	bool r = false;

	log_mutex_lock(&watch_lock);
	list_foreach(it, &watches) {
		struct watch *w = list_entry(it, struct watch, link);

		if (w->h == h && !w->over)
			r = true;
	}
	log_mutex_unlock(&watch_lock);
	return r;
}

/* Reads @h's notifications from @first for its notifier @fn (NULL: none,
 * for the save only), on the runtime. */
static void start_watch(HRASCONN h, DWORD ntype, void *fn, ULONG_PTR cbid,
                        unsigned first)
{
	struct watch *w = mem_zalloc(sizeof(*w));
	int e = -ENOMEM;

	if (w) {
		w->h = h;
		w->ntype = ntype;
		w->fn = fn;
		w->cbid = cbid;
		w->from = first;
		w->keep = fn != NULL;
		w->refs = 1;
		clock_gettime(CLOCK_MONOTONIC, &w->due); /* at once */
		log_mutex_lock(&watch_lock);
		e = rt_start_locked();
		if (e >= 0) {
			list_add_tail(&watches, &w->link);
			waker_start_locked();
			apprt_wake(&rt);
		}
		log_mutex_unlock(&watch_lock);
		if (e < 0)
			mem_free(w);
	}
	if (e < 0)
		log_err("no runtime for the RAS notifier (%s): it will not be "
		        "called",
		        strerror(-e));
}

static DWORD read_status(sd_bus_message *reply, void *ctx);
static DWORD handle_call(const char *member, HRASCONN h,
                         DWORD (*read)(sd_bus_message *reply, void *ctx),
                         void *ctx);

/*
 * §3.7 — whether @fn of type @ntype (NULL: none, synchronous) is not the
 * notifier @h was dialled with in this process: then the resume is
 * ERROR_INVALID_PARAMETER (0: it is, or this process cannot tell: it
 * reads @h's notifications for no notifier of its own). As in embedded
 * mode, a handle that is not paused is ERROR_INVALID_HANDLE or
 * ERROR_DIAL_ALREADY_IN_PROGRESS first (§3.5 check 3).
 */
static DWORD other_notifier(HRASCONN h, DWORD ntype, void *fn)
{
	struct list_node *it;
	RASCONNSTATUSA st;
	bool other = false;
	DWORD r;

	log_mutex_lock(&watch_lock);
	list_foreach(it, &watches) {
		struct watch *w = list_entry(it, struct watch, link);

		if (w->h == h && !w->over && w->fn)
			other = fn != w->fn || ntype != w->ntype;
	}
	log_mutex_unlock(&watch_lock);
	if (!other)
		return 0;
	memset(&st, 0, sizeof(st));
	r = handle_call("Status", h, read_status, &st);
	if (r)
		return r;
	return st.rasconnstate & RASCS_PAUSED ? ERROR_INVALID_PARAMETER
	                                      : ERROR_DIAL_ALREADY_IN_PROGRESS;
}

/* §3.6 — resumes the paused connection @h with new credentials; §3.7 —
 * with the notifier of the first RasDial (@fn of type @ntype). */
static DWORD resume(HRASCONN h, const RASDIALPARAMSA *p, DWORD ntype, void *fn)
{
	static const DWORD psizes[] = RAS_SIZES_RASDIALPARAMS;
	char user[UNLEN + 1], password[PWLEN + 1], domain[DNLEN + 1];
	char old_user[UNLEN + 1], old_domain[DNLEN + 1];
	char pbk[MAX_PATH], entry[RAS_MaxEntryName + 1];
	sd_bus_message *m = NULL, *reply;
	uint32_t first = 0;
	bool sync = !fn, watch;
	sd_bus *bus;
	DWORD r;

	if (!ras_size_ok(psizes, p->dwSize))
		return ERROR_INVALID_SIZE;
	r = other_notifier(h, fn ? ntype : 0, fn);
	if (r)
		return r;
	/* a dial of this process that paused in a synchronous RasDial has
	 * no thread reading its notifications: one reads them for the save
	 * after an asynchronous resume (§9) */
	watch = !sync && save_pending(h) && !is_watched(h);
	/* a paused connection has no new notification before it is
	 * resumed: the outcome is in those that come after */
	r = sync || watch ? count_events(h, &first) : 0;
	if (r)
		return r;
	ras_copy(user, sizeof(user), p->szUserName);
	ras_copy(password, sizeof(password), p->szPassword);
	ras_copy(domain, sizeof(domain), p->szDomain);
	/* §3.6 — the marker stands for the saved password of the entry,
	 * read here with this process's permissions (tapixd reads none);
	 * of a dial of another process's, this one knows no entry: "" */
	if (strcmp(password, RAS_PASSWORD_MARKER) == 0) {
		if (save_entry(h, pbk, entry))
			ras_saved_creds(pbk, entry, false, user, password,
			                domain);
		else
			password[0] = '\0';
	}
	bus = bus_get();
	if (!bus) {
		explicit_bzero(password, sizeof(password));
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	}
	if (new_call(bus, "Resume", &m) < 0 ||
	    sd_bus_message_append(m, "tsss", (uint64_t)(uintptr_t)h, user,
	                          password, domain) < 0) {
		sd_bus_message_unref(m);
		bus_put();
		explicit_bzero(password, sizeof(password));
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	explicit_bzero(password, sizeof(password));
	/* (before it can connect: the save is of these) */
	save_resumed(h, user, domain, old_user, old_domain);
	r = call(bus, m, &reply);
	sd_bus_message_unref(reply);
	bus_put();
	if (r)
		save_resumed(h, old_user, old_domain, user, domain);
	else if (watch)
		start_watch(h, 0, NULL, 0, first);
	return !r && sync ? wait_outcome(h, first) : r;
}

DWORD ras_client_dial(const RASDIALEXTENSIONS *x, LPCSTR phonebook,
                      const RASDIALPARAMSA *p, DWORD ntype, void *fn,
                      HRASCONN *h)
{
	sd_bus_message *m = NULL, *reply;
	struct tapix_ras_req rq;
	uint64_t id = 0;
	uint32_t first = 0;
	sd_bus *bus;
	DWORD r;

	if (*h)
		return resume(*h, p, ntype, fn);
	r = ras_resolve(x, phonebook, p, !fn, &rq);
	if (r)
		return r;
	bus = bus_get();
	if (!bus) {
		explicit_bzero(&rq, sizeof(rq));
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	}
	if (new_call(bus, "Dial", &m) < 0 || append_req(m, &rq) < 0) {
		sd_bus_message_unref(m);
		bus_put();
		explicit_bzero(&rq, sizeof(rq));
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	explicit_bzero(rq.password, sizeof(rq.password));
	r = call(bus, m, &reply);
	if (reply && sd_bus_message_read(reply, "tu", &id, &first) < 0)
		id = 0;
	sd_bus_message_unref(reply);
	bus_put();
	if (id)
		*h = (HRASCONN)(uintptr_t)id;
	/* §9 — saved here once it connects; a reference on the user's
	 * connection that is up (first > 0, §3.3) saves nothing, as in
	 * embedded mode */
	if (!r && id && !first && rq.has_entry)
		save_add(*h, &rq);
	explicit_bzero(&rq, sizeof(rq));
	if (!r && id && fn)
		start_watch(*h, ntype, fn,
		            p->dwSize >= 1060 ? p->dwCallbackId : 0, first);
	else if (!r && id)
		r = wait_outcome(*h, first);
	return r;
}

/* A method of one handle; @read (if not NULL) reads the rest of a
 * successful answer and gives the result. */
static DWORD handle_call(const char *member, HRASCONN h,
                         DWORD (*read)(sd_bus_message *reply, void *ctx),
                         void *ctx)
{
	sd_bus_message *m = NULL, *reply;
	sd_bus *bus = bus_get();
	DWORD r;

	if (!bus)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	if (new_call(bus, member, &m) < 0 ||
	    sd_bus_message_append(m, "t", (uint64_t)(uintptr_t)h) < 0) {
		sd_bus_message_unref(m);
		bus_put();
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r = call(bus, m, &reply);
	if (!r && read)
		r = read(reply, ctx);
	sd_bus_message_unref(reply);
	bus_put();
	return r;
}

DWORD ras_client_hang_up(HRASCONN h)
{
	struct list_node *it;

	/* §4 — no notification after RasHangUp, in this process at least
	 * (an owner elsewhere keeps its own) */
	log_mutex_lock(&watch_lock);
	list_foreach(it, &watches) {
		struct watch *w = list_entry(it, struct watch, link);

		if (w->h == h)
			w->stopped = true;
	}
	log_mutex_unlock(&watch_lock);
	return handle_call("HangUp", h, NULL, NULL);
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static DWORD read_status(sd_bus_message *reply, void *ctx)
{
	const char *dt = NULL, *dn = NULL, *num = NULL;
	RASCONNSTATUSA *full = ctx;
	uint32_t st = 0, er = 0;

	if (sd_bus_message_read(reply, "uusss", &st, &er, &dt, &dn, &num) < 0)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	full->dwSize = sizeof(*full);
	full->rasconnstate = (RASCONNSTATE)st;
	full->dwError = er;
	copy_str(full->szDeviceType, sizeof(full->szDeviceType), dt);
	copy_str(full->szDeviceName, sizeof(full->szDeviceName), dn);
	copy_str(full->szPhoneNumber, sizeof(full->szPhoneNumber), num);
	return 0;
}

DWORD ras_client_status(HRASCONN h, RASCONNSTATUSA *full)
{
	memset(full, 0, sizeof(*full));
	return handle_call("Status", h, read_status, full);
}

DWORD ras_client_enum(RASCONNA *out, DWORD max, DWORD *n)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus *bus = bus_get();
	DWORD r;

	*n = 0;
	if (!bus)
		return ERROR_RASMAN_CANNOT_INITIALIZE;
	if (new_call(bus, "Enum", &m) < 0) {
		bus_put();
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	r = call(bus, m, &reply);
	if (!r &&
	    sd_bus_message_enter_container(reply, 'a', "(tssssayuuay)") >= 0) {
		for (;;) {
			const char *en, *dt, *dn, *pb;
			const void *g, *corr;
			size_t gl, cl;
			uint64_t id;
			uint32_t flags, uid;
			RASCONNA c;

			if (sd_bus_message_enter_container(reply, 'r',
			                                   "tssssayuuay") <= 0)
				break;
			if (sd_bus_message_read(reply, "tssss", &id, &en, &dt,
			                        &dn, &pb) < 0 ||
			    sd_bus_message_read_array(reply, 'y', &g, &gl) <
			            0 ||
			    sd_bus_message_read(reply, "uu", &flags, &uid) <
			            0 ||
			    sd_bus_message_read_array(reply, 'y', &corr, &cl) <
			            0) {
				r = ERROR_RASMAN_CANNOT_INITIALIZE;
				break;
			}
			sd_bus_message_exit_container(reply);
			memset(&c, 0, sizeof(c));
			c.dwSize = sizeof(c);
			c.hrasconn = (HRASCONN)(uintptr_t)id;
			copy_str(c.szEntryName, sizeof(c.szEntryName), en);
			copy_str(c.szDeviceType, sizeof(c.szDeviceType), dt);
			copy_str(c.szDeviceName, sizeof(c.szDeviceName), dn);
			copy_str(c.szPhonebook, sizeof(c.szPhonebook), pb);
			c.dwSubEntry = 1;
			if (gl == sizeof(c.guidEntry))
				memcpy(&c.guidEntry, g, gl);
			c.dwFlags = flags;
			c.luid.LowPart = uid;
			if (cl == sizeof(c.guidCorrelationId))
				memcpy(&c.guidCorrelationId, corr, cl);
			if (*n < max)
				out[*n] = c;
			(*n)++;
		}
	}
	sd_bus_message_unref(reply);
	bus_put();
	return r;
}
