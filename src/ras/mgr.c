/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The RAS connection manager (ras.md §1, §3 - §6, §11): the connections
 * and their state machines (the RAS API on it is api.c, the phonebook
 * resolution resolve.c). It is an application of the line API: one USEEVENT
 * registration, an engine thread that follows LINE_REPLY and call states and
 * drives every connection's state machine and teardown, and the runtime's
 * delivery thread (apprt_post_locked), the RAS dispatcher, that calls the
 * applications' notifiers one at a time, in order, never with a lock
 * held. Both start with the first RasDial and stop when the last
 * connection is gone (so a process that is done with RAS holds nothing).
 *
 * Locking: mgr.lock guards everything here, taken through the application
 * runtime (apprt_lock, apprt_unlock: apprt.h). No line API function is
 * called with it held: the engine's steps defer theirs (lineDrop,
 * lineClose, lineDeallocateCall: apprt_defer_locked), which run once the
 * lock is let go, in order, and name what they act on by handle and
 * connection id; a dial lets go of the lock around each of its calls
 * (the connection is kept meanwhile: busy) and looks again afterwards.
 * lineMakeCall's request is in the runtime's table of pending requests.
 * No file is read or written with it held either: the link layer's
 * authentication (the emulated link reads the configuration, a real one
 * waits for the far end) and the save of the credentials are deferred
 * actions too, on copies of what they need (the connection is kept busy
 * while its authentication runs).
 *
 * Connections live in this process (embedded mode, one owner: "") or in
 * tapixd (service mode, an owner per client process: its bus name); a
 * connection handle is a 64-bit id that is never reused. Each RasDial is a
 * reference of its owner (§4). When a service client is gone, its
 * references go (tapix_ras_owner_gone), and a connection that nobody holds
 * any more is torn down unless it is up: a dial, a pause, a failure or a
 * lost link of nobody's would otherwise stay for good, since
 * RasEnumConnections lists only connections that are up (ras.md §6, §12).
 *
 * A connection is its dialler's user's: a dial joins only a connection of
 * the same user (root included), never another user's of the same
 * phonebook and entry (§3.3). The credentials of a dial that connects are
 * saved here only for an in-process dial (embedded mode: the process is
 * the user's own); in tapixd the client saves its own (rclient.c, §9).
 */
#define LOG_MODULE "ras"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "apprt/apprt.h"
#include "ras/map.h"
#include "ras/pbk.h"
#include "ras/ras.h"
#include "util/clock.h"
#include "util/list.h"
#include "util/log.h"
#include "util/mem.h"

#define REPLY_TIMEOUT_MS    30000u /* §11.1 step 6 */
#define TEARDOWN_TIMEOUT_MS 10000u /* §4: wait for IDLE */

enum phase {
	PH_DIALING,  /* line opened, call on its way */
	PH_PAUSED,   /* RASCS_RetryAuthentication: waits for RasDial */
	PH_UP,       /* RASCS_Connected */
	PH_FAILED,   /* the dial failed: RASCS_Disconnected + error */
	PH_LOST,     /* the link went after RASCS_Connected */
	PH_TEARDOWN, /* RasHangUp: going away */
};

struct rconn {
	struct list_node link; /* mgr.conns */
	uint64_t id;
	uint32_t uid; /* the dialler's */
	struct {
		char owner[64]; /* a client of the service; "" in-process */
		unsigned n;
	} ref[RAS_MAX_OWNERS];
	/* the latest RAS_MAX_EVENTS notifications: number i (from 0, of all
	 * made) at hist[i % RAS_MAX_EVENTS] */
	struct tapix_ras_event hist[RAS_MAX_EVENTS];
	unsigned nhist; /* how many were made */
	enum phase phase;
	RASCONNSTATE state;
	DWORD error;
	char entry[RAS_MaxEntryName + 1];
	char pbk[MAX_PATH];
	char devtype[RAS_MaxDeviceType + 1];
	char devname[RAS_MaxDeviceName + 1];
	char number[RAS_MaxPhoneNumber + 1];
	GUID guid, corr;
	DWORD flags;
	bool has_entry;
	bool save_creds; /* in-process: saved here when up (§9) */
	/* the notifier */
	DWORD ntype;
	void *fn;
	ULONG_PTR cbid;
	bool ended;         /* the last notification was made */
	bool silenced;      /* a RASDIALFUNC2 returned 0 */
	bool paused_states; /* RDEOPT_PausedStates */
	/* the line API side */
	DWORD dev;
	bool opening; /* a dial opens line dev (claimed, c->line not yet) */
	HLINE line;
	HCALL call, new_call;
	struct apprt_req rq; /* lineMakeCall's, followed by the runtime */
	bool req_out;        /* lineMakeCall may still write new_call: until
	                        its reply, or the line's close */
	unsigned busy;       /* a dial runs with the lock let go: kept */
	bool call_idle;
	bool drop_sent;
	struct timespec deadline; /* tv_sec 0: none */
	/* the link */
	const struct ras_link *lk;
	unsigned dial_timeout;
	char user[UNLEN + 1], password[PWLEN + 1], domain[DNLEN + 1];
	char callback[RAS_MaxCallbackNumber + 1];
};

/*
 * How many times what a reader of one user's connections sees (their
 * notifications, that no more will come, that one is gone) has changed
 * (tapix_ras_changes): one per user that has dialled, kept for the
 * process's life (a count that went with the user's last connection
 * would have to start again from a number that tells of other users'),
 * in the C library's memory, as RasConnectionNotification's
 * registrations: the process's users are not a test's to count.
 */
struct uid_changes {
	struct list_node link; /* mgr.uids */
	uint32_t uid;
	unsigned n;
};

/* A notification on its way to a notifier (a delivery of the runtime's). */
struct note {
	struct apprt_post post;
	uint64_t id;
	DWORD ntype;
	void *fn;
	ULONG_PTR cbid;
	RASCONNSTATE state;
	DWORD error;
	DWORD keep; /* what a RASDIALFUNC2 returned */
	bool join;  /* to a dialler that joined (§3.3), not the first one */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running;
	bool starting;    /* a dial registers the manager (lock let go) */
	unsigned engines; /* engine threads not yet out of TAPI */
	struct apprt rt;  /* the registration, the engine, the dispatcher */
	struct list_node conns;
	uint64_t next_id;
	struct list_node uids;   /* struct uid_changes */
	unsigned changes;        /* every user's (root's view) */
	int change_fd;           /* readable after a change; -1: not made */
	unsigned change_waiters; /* in ras_mgr_change_wait */
	pid_t change_pid;        /* the process change_cond was made in */
	unsigned kicks;          /* ras_mgr_change_kick */
} mgr = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.conns = LIST_HEAD_INIT(mgr.conns),
	.rt = APPRT_INITIALIZER(mgr.rt, &mgr.lock),
	.next_id = 1,
	.uids = LIST_HEAD_INIT(mgr.uids),
	.change_fd = -1,
};

static __thread bool in_notifier; /* a client's notifier thread */

/* mgr.changes moved (CLOCK_MONOTONIC; made by the process's first
 * waiter, again in a child after fork(): a broadcast on the parent's
 * would wait for the parent's waiters) */
static pthread_cond_t change_cond;

void ras_set_notifier_thread(void)
{
	in_notifier = true;
}

bool ras_in_notifier(void)
{
	return in_notifier || apprt_in_delivery(&mgr.rt);
}

/* ---- helpers ------------------------------------------------------------- */

/* @uid's count of changes; with @make, made if it has none (NULL when
 * memory ran out). */
static struct uid_changes *uid_changes_locked(uint32_t uid, bool make)
{
	struct uid_changes *u;
	struct list_node *it;

	list_foreach(it, &mgr.uids) {
		u = list_entry(it, struct uid_changes, link);
		if (u->uid == uid)
			return u;
	}
	if (!make)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (u) {
		u->uid = uid;
		list_add_tail(&mgr.uids, &u->link);
	}
	return u;
}

/*
 * What a reader sees of @c has changed: a notification or no more to
 * come (ras_mgr_events), its status (a lost link), or @c gone. Its
 * user's count and root's move on, and the descriptor of
 * tapix_ras_change_fd becomes readable (the raw system call: write is a
 * cancellation point, and the lock is held).
 */
static void changed_locked(const struct rconn *c)
{
	struct uid_changes *u = uid_changes_locked(c->uid, false);
	uint64_t one = 1;

	mgr.changes++;
	if (u)
		u->n++;
	if (mgr.change_waiters && mgr.change_pid == getpid())
		pthread_cond_broadcast(&change_cond);
	if (mgr.change_fd >= 0 &&
	    syscall(SYS_write, mgr.change_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("RAS: change descriptor not written: %s",
		         strerror(errno));
}

static bool passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ts->tv_sec &&
	       (now.tv_sec > ts->tv_sec ||
	        (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec));
}

static uint64_t id_of(HRASCONN h)
{
	return (uint64_t)(uintptr_t)h;
}

static struct rconn *find_locked(HRASCONN h)
{
	uint64_t id = id_of(h);
	struct list_node *it;

	if (!id)
		return NULL;
	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (c->id == id)
			return c;
	}
	return NULL;
}

static void wipe(struct rconn *c)
{
	explicit_bzero(c->password, sizeof(c->password));
}

static void reap_locked(struct rconn *c);

/* ---- notifications
 * ----------------------------------------------------------- */

/* §4 — nothing after RasHangUp; §3.4 — FUNC2 may stop them (under the
 * lock, when the note's turn comes): the first dialler's, which says
 * nothing of a dialler that joined (§3.3: its one note comes). */
static bool note_begin(void *owner, struct apprt_post *p)
{
	struct note *n = container_of(p, struct note, post);
	struct rconn *c = find_locked((HRASCONN)(uintptr_t)n->id);

	(void)owner;
	return c && c->phase != PH_TEARDOWN && (n->join || !c->silenced);
}

/* The notifier (no lock held, on the dispatcher). */
static void note_call(struct apprt_post *p)
{
	struct note *n = container_of(p, struct note, post);

	switch (n->ntype) {
	case 0:
		((RASDIALFUNC)n->fn)(WM_RASDIALEVENT, n->state, n->error);
		break;
	case 1:
		((RASDIALFUNC1)n->fn)((HRASCONN)(uintptr_t)n->id,
		                      WM_RASDIALEVENT, n->state, n->error, 0);
		break;
	default:
		n->keep = ((RASDIALFUNC2)n->fn)(
			n->cbid, 1, (HRASCONN)(uintptr_t)n->id, WM_RASDIALEVENT,
			n->state, n->error, 0);
		break;
	}
}

static void note_end(void *owner, struct apprt_post *p, bool called)
{
	struct note *n = container_of(p, struct note, post);
	struct rconn *c;

	(void)owner;
	/* (a joining dialler's notifier stops only its own: it had its one) */
	if (called && !n->keep && !n->join) {
		c = find_locked((HRASCONN)(uintptr_t)n->id);
		if (c)
			c->silenced = true; /* the dial goes on */
	}
	mem_free(n);
}

/* Posts (@state, @err) of connection @id to notifier @fn of type @ntype
 * (@join: of a dialler that joined it) on the dispatcher. */
static void post_note_locked(uint64_t id, DWORD ntype, void *fn, ULONG_PTR cbid,
                             RASCONNSTATE state, DWORD err, bool join)
{
	struct note *n = mem_zalloc(sizeof(*n));

	if (!n) {
		log_err("connection %llu: out of memory, a notification is "
		        "lost",
		        (unsigned long long)id);
		return;
	}
	apprt_post_init(&n->post, note_begin, note_call, note_end);
	n->id = id;
	n->ntype = ntype;
	n->fn = fn;
	n->cbid = cbid;
	n->state = state;
	n->error = err;
	n->keep = 1;
	n->join = join;
	if (!apprt_post_locked(&mgr.rt, &n->post))
		mem_free(n); /* no dispatcher: it said so when it failed */
}

/*
 * ras.md §3.4 — @state entered (@err 0), or failed in (@err set: the last
 * notification). Posted to the dispatcher.
 */
static void notify_locked(struct rconn *c, RASCONNSTATE state, DWORD err)
{
	c->state = state;
	if (c->ended)
		return;
	c->hist[c->nhist % RAS_MAX_EVENTS].state = state;
	c->hist[c->nhist % RAS_MAX_EVENTS].error = err;
	c->nhist++;
	changed_locked(c);
	if (err || state == RASCS_Connected)
		c->ended = true; /* nothing after this one */
	if (!c->fn || c->silenced)
		return;
	post_note_locked(c->id, c->ntype, c->fn, c->cbid, state, err, false);
}

/* ---- the call
 * ------------------------------------------------------------------ */

/* The deferred lineDrop of connection a->cookie's call a->h ran. */
static void drop_done(void *owner, const struct apprt_act *a)
{
	struct rconn *c = find_locked((HRASCONN)(uintptr_t)a->cookie);

	(void)owner;
	/* the connection may be gone, or on another call, meanwhile */
	if (a->result >= 0 || !c || c->call != (HCALL)a->h)
		return;
	c->call_idle = true; /* refused: nothing to wait for */
	if (c->phase == PH_TEARDOWN)
		apprt_wake(&mgr.rt);
}

/* Gives up the call of @c (lineDrop, deferred); the line stays open. */
static void drop_call_locked(struct rconn *c)
{
	if (c->call && !c->call_idle && !c->drop_sent) {
		c->drop_sent = true;
		if (!apprt_defer_locked(&mgr.rt, apprt_do_drop, c->call, NULL,
		                        drop_done, c->id)) {
			log_err("connection %llu: out of memory, call not "
			        "dropped",
			        (unsigned long long)c->id);
			c->call_idle = true;
		}
	}
}

/* §11.1 step 7 — the dial failed with @err in the current state. */
static void fail_locked(struct rconn *c, DWORD err)
{
	if (c->phase != PH_DIALING && c->phase != PH_PAUSED)
		return;
	notify_locked(c, c->state, err);
	c->state = RASCS_Disconnected;
	c->error = err;
	c->phase = PH_FAILED;
	c->deadline.tv_sec = 0;
	wipe(c);
	drop_call_locked(c);
	pthread_cond_broadcast(&mgr.cond);
	reap_locked(c); /* a failure of nobody's is not kept */
}

/* A save of the credentials of a dial that connected (§9): a copy. */
struct save_job {
	uint64_t id;
	char pbk[MAX_PATH];
	char entry[RAS_MaxEntryName + 1];
	char user[UNLEN + 1], domain[DNLEN + 1];
	char callback[RAS_MaxCallbackNumber + 1];
};

/* The save, a deferred action: files are written with no lock held. */
static LONG save_act(struct apprt_act *a)
{
	struct save_job *j = (struct save_job *)(uintptr_t)a->cookie;
	DWORD r = ras_creds_set(j->pbk, j->entry, j->user, j->domain,
	                        j->callback, NULL, false);

	if (r)
		log_info("connection %llu: credentials not saved: error %u",
		         (unsigned long long)j->id, (unsigned)r);
	explicit_bzero(j, sizeof(*j));
	mem_free(j);
	return 0;
}

/*
 * §9 — a successful dial saves who dialled (never the password), in the
 * user's own process only. Deferred: it runs when the lock is next let
 * go, which a synchronous RasDial that sees the connection up does
 * before it returns, and the dispatcher before it calls the notifier
 * with Connected (apprt.h), so both find the credentials saved.
 */
static void save_creds_locked(const struct rconn *c)
{
	struct save_job *j;

	if (!c->has_entry || !c->save_creds)
		return;
	j = mem_zalloc(sizeof(*j));
	if (j) {
		j->id = c->id;
		ras_copy(j->pbk, sizeof(j->pbk), c->pbk);
		ras_copy(j->entry, sizeof(j->entry), c->entry);
		ras_copy(j->user, sizeof(j->user), c->user);
		ras_copy(j->domain, sizeof(j->domain), c->domain);
		ras_copy(j->callback, sizeof(j->callback), c->callback);
		if (apprt_defer_locked(&mgr.rt, save_act, 0, NULL, NULL,
		                       (uint64_t)(uintptr_t)j))
			return;
		mem_free(j);
	}
	log_err("connection %llu: out of memory, credentials not saved",
	        (unsigned long long)c->id);
}

/* The link layer's outcome @r (§11.4) for @c, still dialling. */
static void link_done_locked(struct rconn *c, DWORD r)
{
	if (r == ERROR_AUTHENTICATION_FAILURE && c->paused_states) {
		/* ras.md §2 — a paused state: new credentials may come */
		notify_locked(c, RASCS_AuthNotify, 0);
		notify_locked(c, RASCS_RetryAuthentication, 0);
		c->phase = PH_PAUSED;
		pthread_cond_broadcast(&mgr.cond);
		return;
	}
	if (r) {
		c->state = RASCS_AuthNotify;
		fail_locked(c, r);
		return;
	}
	notify_locked(c, RASCS_AuthNotify, 0);
	notify_locked(c, RASCS_AuthProject, 0);
	notify_locked(c, RASCS_Authenticated, 0);
	notify_locked(c, RASCS_Projected, 0);
	c->phase = PH_UP;
	c->error = 0;
	save_creds_locked(c); /* (recorded before Connected is posted) */
	notify_locked(c, RASCS_Connected, 0);
	wipe(c);
	pthread_cond_broadcast(&mgr.cond);
}

/* An authentication of the link layer's: a copy of the credentials. */
struct auth_job {
	uint64_t id;
	const struct ras_link *lk;
	char user[UNLEN + 1], password[PWLEN + 1], domain[DNLEN + 1];
	DWORD r;
};

/* The authentication, a deferred action: no lock held (it may read the
 * configuration, or wait for the far end). */
static LONG auth_act(struct apprt_act *a)
{
	struct auth_job *j = (struct auth_job *)(uintptr_t)a->cookie;

	j->r = j->lk->authenticate(j->user, j->password, j->domain);
	explicit_bzero(j->password, sizeof(j->password));
	return 0;
}

/* Its outcome, under the lock: the connection (kept: busy) may have been
 * hung up or have failed meanwhile. */
static void auth_done(void *owner, const struct apprt_act *a)
{
	struct auth_job *j = (struct auth_job *)(uintptr_t)a->cookie;
	struct rconn *c = find_locked((HRASCONN)(uintptr_t)j->id);
	DWORD r = j->r;

	(void)owner;
	explicit_bzero(j, sizeof(*j));
	mem_free(j);
	if (!c)
		return; /* (busy kept it: not reached) */
	if (--c->busy == 0 && c->phase == PH_TEARDOWN)
		apprt_wake(&mgr.rt); /* its teardown waited for this */
	if (c->phase == PH_DIALING)
		link_done_locked(c, r);
}

/*
 * The link phase (§11.4) on a connected call, or a retry after a pause:
 * the authentication runs as a deferred action (auth_done goes on).
 */
static void link_up_locked(struct rconn *c)
{
	struct auth_job *j;

	c->deadline.tv_sec = 0;
	notify_locked(c, RASCS_Authenticate, 0);
	j = mem_zalloc(sizeof(*j));
	if (j) {
		j->id = c->id;
		j->lk = c->lk;
		ras_copy(j->user, sizeof(j->user), c->user);
		ras_copy(j->password, sizeof(j->password), c->password);
		ras_copy(j->domain, sizeof(j->domain), c->domain);
		if (apprt_defer_locked(&mgr.rt, auth_act, 0, NULL, auth_done,
		                       (uint64_t)(uintptr_t)j)) {
			c->busy++; /* kept until auth_done */
			return;
		}
		explicit_bzero(j, sizeof(*j));
		mem_free(j);
	}
	fail_locked(c, ERROR_NOT_ENOUGH_MEMORY);
}

static struct rconn *conn_of_call_locked(HCALL h)
{
	struct list_node *it;

	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (h && c->call == h)
			return c;
	}
	return NULL;
}

static void on_state_locked(struct rconn *c, DWORD state, DWORD mode)
{
	if (state == LINECALLSTATE_IDLE) {
		c->call_idle = true;
		if (c->phase == PH_DIALING || c->phase == PH_PAUSED)
			fail_locked(c, ERROR_DISCONNECTION);
		else if (c->phase == PH_UP)
			goto lost;
		return;
	}
	switch (c->phase) {
	case PH_DIALING:
		if (state == LINECALLSTATE_CONNECTED) {
			notify_locked(c, RASCS_DeviceConnected, 0);
			notify_locked(c, RASCS_AllDevicesConnected, 0);
			link_up_locked(c);
		} else if (state == LINECALLSTATE_BUSY) {
			fail_locked(c, ERROR_LINE_BUSY);
		} else if (state == LINECALLSTATE_SPECIALINFO) {
			fail_locked(c, ERROR_NO_CARRIER);
		} else if (state == LINECALLSTATE_DISCONNECTED) {
			fail_locked(c, ras_map_disconnect(mode, false));
		}
		/* DIALTONE ... RINGBACK: nothing to report (§2) */
		return;
	case PH_PAUSED:
		if (state == LINECALLSTATE_DISCONNECTED)
			fail_locked(c, ras_map_disconnect(mode, true));
		return;
	case PH_UP:
		if (state != LINECALLSTATE_DISCONNECTED)
			return;
		goto lost;
	default:
		return;
	}
lost:
	/* §5 — link lost while connected: Disconnected + why, until
	 * RasHangUp; no notification (they ended at Connected) */
	c->phase = PH_LOST;
	c->state = RASCS_Disconnected;
	c->error = state == LINECALLSTATE_IDLE ? ERROR_DISCONNECTION
	                                       : ras_map_disconnect(mode, true);
	changed_locked(c); /* (its status: no notification) */
	drop_call_locked(c);
	pthread_cond_broadcast(&mgr.cond);
	reap_locked(c); /* up with no owner left: now nobody can find it */
}

/* lineMakeCall's LINE_REPLY (apprt.h on_reply), or its time-out (§11.1
 * step 6). */
static void engine_reply(void *owner, struct apprt_req *q, LONG result,
                         bool expired)
{
	struct rconn *c = container_of(q, struct rconn, rq);

	(void)owner;
	if (expired) {
		/* (req_out stays: the teardown's lineClose cancels it) */
		fail_locked(c, ERROR_REQUEST_TIMEOUT);
		return;
	}
	c->req_out = false;
	if (result) {
		fail_locked(c, ras_map_lineerr(result));
		return;
	}
	c->call = c->new_call;
	if (c->phase == PH_DIALING)
		clock_after_ms(CLOCK_MONOTONIC, c->dial_timeout * 1000u,
		               &c->deadline);
	else
		drop_call_locked(c); /* hung up or failed meanwhile */
}

static void on_close_locked(HLINE h)
{
	struct list_node *it;

	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (c->line != h)
			continue;
		/* ras.md §11.3 — a forced close or removal of the line */
		c->line = 0;
		c->call = 0;
		apprt_req_cancel_locked(&mgr.rt, &c->rq);
		c->req_out = false;
		c->call_idle = true;
		if (c->phase == PH_UP) {
			c->phase = PH_LOST;
			c->state = RASCS_Disconnected;
			c->error = ERROR_PORT_DISCONNECTED;
			changed_locked(c);
		} else {
			fail_locked(c, ERROR_PORT_DISCONNECTED);
		}
		pthread_cond_broadcast(&mgr.cond);
		reap_locked(c);
	}
}

/* ---- teardown
 * ------------------------------------------------------------------ */

static LONG conn_free_act(struct apprt_act *a)
{
	mem_free((struct rconn *)(uintptr_t)a->cookie);
	return 0;
}

/* Forgets @c; its memory goes after the actions recorded before (a
 * lineClose that cancels its lineMakeCall, which writes into it). */
static void conn_free_locked(struct rconn *c)
{
	apprt_req_cancel_locked(&mgr.rt, &c->rq);
	list_del(&c->link);
	changed_locked(c);
	wipe(c);
	if (!apprt_defer_locked(&mgr.rt, conn_free_act, 0, NULL, NULL,
	                        (uint64_t)(uintptr_t)c))
		mem_free(c); /* (out of memory: no request of its is out) */
	pthread_cond_broadcast(&mgr.cond);
}

/* Records line API action @fn on @h (no completion awaited). */
static void defer_locked(struct rconn *c, apprt_act_fn *fn, uint32_t h)
{
	if (!apprt_defer_locked(&mgr.rt, fn, h, NULL, NULL, c->id))
		log_err("connection %llu: out of memory, handle %08x left "
		        "to lineShutdown",
		        (unsigned long long)c->id, (unsigned)h);
}

/*
 * §4 — one step of @c's teardown: drop, wait for IDLE (bounded),
 * deallocate, close, forget. Returns true when @c is gone.
 */
static bool teardown_step_locked(struct rconn *c)
{
	if (c->busy)
		return false; /* a dial step runs: it wakes the engine */
	if (c->req_out && c->line) {
		/* a lineMakeCall still pending: closing the line cancels it
		 * (no reply, no handle written: termination.md §5.2.2) */
		apprt_req_cancel_locked(&mgr.rt, &c->rq);
		c->req_out = false;
		defer_locked(c, apprt_do_close, c->line);
		c->line = 0;
	}
	if (c->call && !c->call_idle) {
		drop_call_locked(c);
		if (!c->call_idle && !passed(&c->deadline))
			return false; /* the engine comes back */
	}
	if (c->call)
		defer_locked(c, apprt_do_deallocate, c->call);
	if (c->line)
		defer_locked(c, apprt_do_close, c->line);
	c->call = 0;
	c->line = 0;
	conn_free_locked(c);
	return true;
}

/* Starts the teardown of @c (last reference gone). */
static void teardown_locked(struct rconn *c)
{
	if (c->phase == PH_TEARDOWN)
		return;
	c->phase = PH_TEARDOWN;
	c->ended = true;
	changed_locked(c); /* ras_mgr_events: final */
	if (c->state != RASCS_Disconnected)
		c->state = RASCS_Disconnected; /* (error kept) */
	clock_after_ms(CLOCK_MONOTONIC, TEARDOWN_TIMEOUT_MS, &c->deadline);
	wipe(c);
	pthread_cond_broadcast(&mgr.cond);
	apprt_wake(&mgr.rt);
}

/* Whether some owner holds a reference on @c (§4). */
static bool is_owned_locked(const struct rconn *c)
{
	unsigned i;

	for (i = 0; i < RAS_MAX_OWNERS; i++)
		if (c->ref[i].n)
			return true;
	return false;
}

/*
 * Tears @c down (§4, as RasHangUp) when no owner holds it and it is not
 * up: dialling, paused, failed or lost. Its owners are gone (service
 * mode), and nobody else could end it: RasEnumConnections lists only
 * connections that are up. One that is up stays with no owner (§12: it
 * outlives its dialler) until a process of its user hangs it up, or
 * until its link is lost, which brings it back here.
 */
static void reap_locked(struct rconn *c)
{
	if (c->phase == PH_UP || c->phase == PH_TEARDOWN || is_owned_locked(c))
		return;
	log_info("connection %llu: no owner left, torn down",
	         (unsigned long long)c->id);
	teardown_locked(c);
}

/* ---- the engine
 * ----------------------------------------------------------------- */

/* Deadlines and teardowns; the nearest deadline left in *@next. */
static void tick_locked(struct timespec *next)
{
	struct list_node *it, *tmp;

	next->tv_sec = 0;
	next->tv_nsec = 0;
	list_foreach_safe(it, tmp, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (c->phase == PH_TEARDOWN) {
			if (teardown_step_locked(c))
				continue;
		} else if (passed(&c->deadline)) {
			/* (lineMakeCall's own time-out: engine_reply) */
			c->deadline.tv_sec = 0;
			if (c->phase == PH_DIALING)
				fail_locked(c, ERROR_NO_ANSWER);
		}
		if (c->deadline.tv_sec &&
		    (!next->tv_sec || c->deadline.tv_sec < next->tv_sec ||
		     (c->deadline.tv_sec == next->tv_sec &&
		      c->deadline.tv_nsec < next->tv_nsec)))
			*next = c->deadline;
	}
}

static void on_message_locked(const LINEMESSAGE *m)
{
	struct rconn *c;

	switch (m->dwMessageID) {
	case LINE_CALLSTATE:
		c = conn_of_call_locked((HCALL)m->hDevice);
		if (c)
			on_state_locked(c, (DWORD)m->dwParam1,
			                (DWORD)m->dwParam2);
		break;
	case LINE_CLOSE:
		on_close_locked((HLINE)m->hDevice);
		break;
	case LINE_APPNEWCALL: /* (the manager's opens own no calls) */
		if (!apprt_defer_locked(&mgr.rt, apprt_do_deallocate,
		                        (uint32_t)m->dwParam2, NULL, NULL, 0))
			log_err("call %08x: out of memory, left to lineShutdown",
			        (unsigned)m->dwParam2);
		break;
	default:
		break;
	}
}

/* The engine's step (apprt.h); it stops when the last connection went. */
static bool engine_tick(void *owner, struct timespec *next)
{
	(void)owner;
	tick_locked(next);
	if (!list_empty(&mgr.conns))
		return true;
	/* the last connection went: RAS lets go of TAPI; the dispatcher ends
	 * after the notifier it runs, if any (not waited for: that one may
	 * be waiting for the lock) */
	mgr.running = false;
	apprt_deliver_stop_locked(&mgr.rt);
	pthread_cond_broadcast(&mgr.cond);
	return false;
}

static void engine_message(void *owner, const LINEMESSAGE *m)
{
	(void)owner;
	on_message_locked(m);
}

/* The engine ended its registration. */
static void engine_stopped(void *owner)
{
	(void)owner;
	apprt_lock(&mgr.rt);
	mgr.engines--; /* tapix_ras_shutdown waits for this */
	pthread_cond_broadcast(&mgr.cond);
	apprt_unlock(&mgr.rt);
}

/*
 * Starts the manager if it is not running: 0 or a RAS error. Lets go of
 * the lock to register (lineInitializeEx); one dial registers, the others
 * wait for it.
 */
static DWORD start_locked(void)
{
	struct apprt tmp;
	DWORD api = RAS_API;
	LONG r;

	while (mgr.starting)
		pthread_cond_wait(&mgr.cond, &mgr.lock);
	if (mgr.running)
		return 0;
	mgr.starting = true;
	apprt_unlock(&mgr.rt);
	/* (a stopping engine may still read mgr.rt: registered apart) */
	memset(&tmp, 0, sizeof(tmp));
	r = apprt_register(&tmp, "tapix-ras", &api);
	apprt_lock(&mgr.rt);
	mgr.starting = false;
	pthread_cond_broadcast(&mgr.cond);
	if (r)
		return r == LINEERR_NOMEM ? ERROR_NOT_ENOUGH_MEMORY
		                          : ERROR_RASMAN_CANNOT_INITIALIZE;
	apprt_adopt_locked(&mgr.rt, &tmp);
	mgr.rt.on_tick = engine_tick;
	mgr.rt.on_message = engine_message;
	mgr.rt.on_reply = engine_reply;
	mgr.rt.on_stopped = engine_stopped;
	mgr.running = true;
	mgr.engines++;
	if (apprt_start(&mgr.rt, true) < 0) {
		mgr.engines--;
		mgr.running = false;
		mgr.rt.wake_fd = -1;
		pthread_cond_broadcast(&mgr.cond);
		apprt_unlock(&mgr.rt);
		lineShutdown(tmp.app);
		close(tmp.wake_fd);
		apprt_lock(&mgr.rt);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	if (apprt_deliver_start_locked(&mgr.rt, true) < 0)
		log_err("no RAS dispatcher thread: notifiers will not run");
	return 0;
}

/* ---- dialling
 * ------------------------------------------------------------------- */

static bool line_in_use_locked(DWORD dev)
{
	struct list_node *it;

	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if ((c->line || c->opening) && c->dev == dev &&
		    c->phase != PH_TEARDOWN)
			return true;
	}
	return false;
}

/* A line as find_line_locked sees it. */
struct cand {
	DWORD dev;
	bool data; /* LINEMEDIAMODE_DATAMODEM */
	char name[RAS_MaxDeviceName + 1];
	char port[96];
};

/* The lines of @app (@ndevs) that @allow admits, into @v; their number.
 * Line API calls: no lock held. */
static DWORD lines_of(HLINEAPP app, DWORD ndevs, tapix_ras_allow_fn *allow,
                      void *ctx, struct cand *v)
{
	enum {
		SIZE = 4096
	};
	LINEDEVCAPS *dc = mem_zalloc(SIZE);
	DWORD d, n = 0;
	char sw[64];

	if (!dc)
		return 0;
	for (d = 0; d < ndevs; d++) {
		LINEEXTENSIONID ext;
		DWORD api = 0;

		if ((allow && !allow(ctx, d)) ||
		    lineNegotiateAPIVersion(app, d, 0x00020000, RAS_API, &api,
		                            &ext))
			continue;
		memset(dc, 0, SIZE);
		dc->dwTotalSize = SIZE;
		if (lineGetDevCaps(app, d, api, 0, dc))
			continue;
		v[n].dev = d;
		v[n].data = (dc->dwMediaModes & LINEMEDIAMODE_DATAMODEM) != 0;
		ras_caps_string(dc, dc->dwLineNameOffset, dc->dwLineNameSize,
		                v[n].name, sizeof(v[n].name));
		ras_caps_string(dc, dc->dwSwitchInfoOffset,
		                dc->dwSwitchInfoSize, sw, sizeof(sw));
		snprintf(v[n].port, sizeof(v[n].port), "%s-%u", sw,
		         (unsigned)(dc->dwPermanentLineID & 0xFFFF));
		n++;
	}
	mem_free(dc);
	return n;
}

/*
 * §11.1 step 1 — the line of @r (by line name, exact then case-blind, then
 * by Port = "<switch>-<line>"), or for no entry the first free data line;
 * only lines @allow admits (a service's access rules). Lets go of the lock
 * to look; claims the line found for @c (c->dev, c->opening).
 */
static DWORD find_line_locked(const struct tapix_ras_req *r, struct rconn *c,
                              tapix_ras_allow_fn *allow, void *ctx)
{
	DWORD ndevs = mgr.rt.ndevs, n, i;
	HLINEAPP app = mgr.rt.app;
	struct cand *v;
	int pass;

	v = ndevs ? mem_zalloc(ndevs * sizeof(*v)) : NULL;
	if (ndevs && !v)
		return ERROR_NOT_ENOUGH_MEMORY;
	apprt_unlock(&mgr.rt);
	n = v ? lines_of(app, ndevs, allow, ctx, v) : 0;
	apprt_lock(&mgr.rt);
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			bool hit;

			if (!r->has_entry)
				hit = pass == 0 && v[i].data &&
				      !line_in_use_locked(v[i].dev);
			else if (pass == 0)
				hit = r->device[0] &&
				      strcmp(r->device, v[i].name) == 0;
			else if (pass == 1)
				hit = r->device[0] &&
				      strcasecmp(r->device, v[i].name) == 0;
			else
				hit = r->port[0] &&
				      strcmp(r->port, v[i].port) == 0;
			if (hit) {
				c->dev = v[i].dev;
				c->opening = true;
				ras_copy(c->devname, sizeof(c->devname),
				         v[i].name);
				mem_free(v);
				return 0;
			}
		}
	}
	mem_free(v);
	return ERROR_DEVICE_DOES_NOT_EXIST;
}

/*
 * §11.1 steps 1 - 3: port, device, lineMakeCall. Failures: fail_locked.
 * The lock is let go around each line API call; @c stays (the caller
 * counts it busy) but may be hung up meanwhile: then its teardown, once
 * @c is no longer busy, closes what was opened.
 */
static void dial_locked(struct rconn *c, const struct tapix_ras_req *rq,
                        tapix_ras_allow_fn *allow, void *ctx)
{
	LINECALLPARAMS cp;
	LINEEXTENSIONID ext;
	DWORD api = 0, r;
	HLINEAPP app;
	HLINE hline = 0;
	LONG lr;

	notify_locked(c, RASCS_OpenPort, 0);
	if (!rq->type_ok || !c->lk) {
		fail_locked(c, ERROR_DEVICETYPE_DOES_NOT_EXIST);
		return;
	}
	r = find_line_locked(rq, c, allow, ctx);
	if (r) {
		fail_locked(c, r);
		return;
	}
	if (c->phase != PH_DIALING) {
		c->opening = false;
		return; /* hung up meanwhile */
	}
	app = mgr.rt.app;
	apprt_unlock(&mgr.rt);
	lr = lineNegotiateAPIVersion(app, c->dev, 0x00020000, RAS_API, &api,
	                             &ext);
	if (!lr)
		lr = lineOpen(app, c->dev, &hline, api, 0, 0,
		              LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_DATAMODEM,
		              NULL);
	apprt_lock(&mgr.rt);
	c->opening = false;
	if (lr) {
		fail_locked(c, ras_map_lineerr(lr));
		return;
	}
	c->line = hline;
	if (c->phase != PH_DIALING)
		return; /* hung up meanwhile: the teardown closes the line */
	notify_locked(c, RASCS_PortOpened, 0);
	notify_locked(c, RASCS_ConnectDevice, 0);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwMediaMode = LINEMEDIAMODE_DATAMODEM;
	cp.dwBearerMode = strcasecmp(c->devtype, RASDT_Modem) == 0
	                          ? LINEBEARERMODE_VOICE
	                          : LINEBEARERMODE_DATA;
	cp.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	/*
	 * What others deferred runs now, not in the window where the
	 * request is being started: meanwhile the engine holds back any
	 * LINE_REPLY it cannot place (apprt_req_begin_locked), and so every
	 * connection's messages.
	 */
	apprt_flush_locked(&mgr.rt);
	if (c->phase != PH_DIALING)
		return; /* hung up meanwhile: the teardown closes the line */
	/* §11.1 step 6 — its reply within REPLY_TIMEOUT_MS (engine_reply) */
	apprt_req_begin_locked(&mgr.rt, &c->rq, REPLY_TIMEOUT_MS);
	apprt_unlock(&mgr.rt);
	/* (c->number does not change; c->new_call is written when the
	 * request succeeds, before its LINE_REPLY) */
	lr = lineMakeCall(hline, &c->new_call, c->number, 0, &cp);
	apprt_lock(&mgr.rt);
	if (apprt_req_started_locked(&mgr.rt, &c->rq, lr)) {
		c->req_out = true;
		return;
	}
	if (lr < 0)
		fail_locked(c, ras_map_lineerr(lr));
}

/*
 * §3.3 — @uid's connection of this entry that is up, or being dialled.
 * Another user's of the same phonebook and entry is another connection:
 * joining it would hand one user's line, number and link to another (no
 * exception for root: its dial is its own too).
 */
static struct rconn *same_entry_locked(const char *pbk, const char *entry,
                                       uint32_t uid)
{
	struct list_node *it;

	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (c->has_entry && c->uid == uid && strcmp(c->pbk, pbk) == 0 &&
		    strcmp(c->entry, entry) == 0 &&
		    (c->phase == PH_UP || c->phase == PH_DIALING ||
		     c->phase == PH_PAUSED))
			return c;
	}
	return NULL;
}

/* Waits until @c is connected, failed or hung up (§3.8). */
static DWORD wait_done_locked(uint64_t id)
{
	for (;;) {
		struct rconn *c = find_locked((HRASCONN)(uintptr_t)id);

		if (!c || c->phase == PH_TEARDOWN)
			return ERROR_USER_DISCONNECTION;
		if (c->phase == PH_UP)
			return 0;
		if (c->phase == PH_FAILED || c->phase == PH_LOST)
			return c->error;
		if (c->phase == PH_PAUSED) {
			/* §3.7 — what would pause fails in synchronous mode
			 * (a synchronous dial asks for no paused states:
			 * ras_resolve); never 0 for a dial not connected */
			fail_locked(c, ras_map_paused(c->state));
			continue;
		}
		pthread_cond_wait(&mgr.cond, &mgr.lock);
	}
}

/* §3.6 — resuming a paused connection with new credentials; §3.7 — with
 * the notifier of the first call (@same; NULL: not checked). */
static DWORD resume_locked(struct rconn *c, const struct ras_notifier *same,
                           const char *user, const char *password,
                           const char *domain, bool sync)
{
	uint64_t id = c->id;

	if (c->phase != PH_PAUSED)
		return ERROR_DIAL_ALREADY_IN_PROGRESS;
	if (same && (same->fn != c->fn || (c->fn && same->ntype != c->ntype)))
		return ERROR_INVALID_PARAMETER;
	ras_copy(c->user, sizeof(c->user), user);
	ras_copy(c->password, sizeof(c->password), password);
	ras_copy(c->domain, sizeof(c->domain), domain);
	c->phase = PH_DIALING;
	notify_locked(c, RASCS_AuthRetry, 0);
	link_up_locked(c);
	if (!sync)
		return 0;
	/* the link phase it deferred runs now (not when the engine next
	 * wakes); @c may be gone after it */
	apprt_flush_locked(&mgr.rt);
	return wait_done_locked(id);
}

/* The caller may use @c: the same user, or the administrator. */
static bool may_locked(const struct rconn *c, uint32_t uid)
{
	return uid == 0 || c->uid == uid;
}

/* The connection @h if @uid may use it, else NULL (as an unknown one). */
static struct rconn *find_for_locked(HRASCONN h, uint32_t uid)
{
	struct rconn *c = find_locked(h);

	return c && may_locked(c, uid) ? c : NULL;
}

DWORD ras_mgr_resume(HRASCONN h, uint32_t uid, const struct ras_notifier *same,
                     const char *user, const char *password, const char *domain,
                     bool sync)
{
	struct rconn *c;
	DWORD r;

	apprt_lock(&mgr.rt);
	c = find_for_locked(h, uid);
	r = !c || c->phase == PH_TEARDOWN
	            ? ERROR_INVALID_HANDLE
	            : resume_locked(c, same, user, password, domain, sync);
	apprt_unlock(&mgr.rt);
	return r;
}

DWORD ras_mgr_entry(HRASCONN h, uint32_t uid, char *pbk, char *entry)
{
	struct rconn *c;

	apprt_lock(&mgr.rt);
	c = find_for_locked(h, uid);
	if (c) {
		ras_copy(pbk, MAX_PATH, c->has_entry ? c->pbk : "");
		ras_copy(entry, RAS_MaxEntryName + 1,
		         c->has_entry ? c->entry : "");
	}
	apprt_unlock(&mgr.rt);
	return c ? 0 : ERROR_INVALID_HANDLE;
}

/* Counts a reference of @owner on @c. false: no room for another owner. */
static bool ref_add_locked(struct rconn *c, const char *owner)
{
	unsigned i;

	for (i = 0; i < RAS_MAX_OWNERS; i++)
		if (c->ref[i].n && strcmp(c->ref[i].owner, owner) == 0) {
			c->ref[i].n++;
			return true;
		}
	for (i = 0; i < RAS_MAX_OWNERS; i++)
		if (!c->ref[i].n) {
			ras_copy(c->ref[i].owner, sizeof(c->ref[i].owner),
			         owner);
			c->ref[i].n = 1;
			return true;
		}
	return false;
}

/* Whether @uid may have one connection more (RAS_MAX_CONNS_PER_USER,
 * RAS_MAX_CONNS). */
static bool room_locked(uint32_t uid)
{
	unsigned all = 0, mine = 0;
	struct list_node *it;

	list_foreach(it, &mgr.conns) {
		all++;
		mine += list_entry(it, struct rconn, link)->uid == uid;
	}
	return all < RAS_MAX_CONNS &&
	       (uid == 0 || mine < RAS_MAX_CONNS_PER_USER);
}

DWORD ras_mgr_dial(const struct tapix_ras_req *rq, const char *owner,
                   uint32_t uid, DWORD ntype, void *fn, bool sync,
                   tapix_ras_allow_fn *allow, void *ctx, HRASCONN *out,
                   unsigned *first)
{
	struct rconn *c;
	DWORD r;
	uint64_t id;

	c = mem_zalloc(sizeof(*c));
	if (!c)
		return ERROR_NOT_ENOUGH_MEMORY;
	apprt_req_init(&c->rq);
	ras_copy(c->entry, sizeof(c->entry), rq->entry);
	ras_copy(c->pbk, sizeof(c->pbk), rq->pbk);
	ras_copy(c->number, sizeof(c->number), rq->number);
	ras_copy(c->devtype, sizeof(c->devtype), rq->devtype);
	ras_copy(c->user, sizeof(c->user), rq->user);
	ras_copy(c->password, sizeof(c->password), rq->password);
	ras_copy(c->domain, sizeof(c->domain), rq->domain);
	ras_copy(c->callback, sizeof(c->callback), rq->callback);
	c->has_entry = rq->has_entry;
	c->guid = rq->guid;
	c->flags = rq->flags | RASCF_OwnerKnown;
	c->uid = uid;
	/* §9 — "": this process dials for itself; a service's client saves
	 * its own (tapixd writes no credentials) */
	c->save_creds = owner[0] == '\0';
	c->lk = ras_link_find(rq->link);
	c->dial_timeout =
		rq->dial_timeout ? rq->dial_timeout : RAS_DIAL_TIMEOUT_S;
	c->paused_states = rq->paused_states;
	if (getrandom(&c->corr, sizeof(c->corr), GRND_NONBLOCK) < 0)
		memset(&c->corr, 0, sizeof(c->corr));
	if (fn) {
		c->ntype = ntype;
		c->fn = fn;
		c->cbid = rq->cbid;
	}
	c->state = RASCS_OpenPort;
	ref_add_locked(c, owner);

	apprt_lock(&mgr.rt);
	/* (first: it may let go of the lock, and a join needs it anyway) */
	r = start_locked();
	if (r)
		goto refused;
	/* its user's readers are told of its changes (tapix_ras_changes) */
	if (!uid_changes_locked(uid, true)) {
		r = ERROR_NOT_ENOUGH_MEMORY;
		goto refused;
	}
	if (c->has_entry) {
		struct rconn *o = same_entry_locked(c->pbk, c->entry, uid);

		if (o && o->phase != PH_UP) {
			r = ERROR_DIAL_ALREADY_IN_PROGRESS;
			goto refused;
		}
		if (o) {
			/* §3.3 — a reference on the user's connection that is
			 * up */
			if (!ref_add_locked(o, owner)) {
				r = ERROR_NOT_ENOUGH_MEMORY;
				goto refused;
			}
			*out = (HRASCONN)(uintptr_t)o->id;
			if (first) /* its final Connected */
				*first = o->nhist ? o->nhist - 1 : 0;
			/* one notification, to this dialler: whatever the
			 * first one's notifier said (join) */
			if (fn)
				post_note_locked(o->id, ntype, fn, rq->cbid,
				                 RASCS_Connected, 0, true);
			apprt_unlock(&mgr.rt);
			wipe(c);
			mem_free(c);
			return 0;
		}
	}
	if (!room_locked(uid)) {
		r = ERROR_PORT_NOT_AVAILABLE;
		goto refused;
	}
	c->id = id = mgr.next_id++;
	list_add_tail(&mgr.conns, &c->link);
	*out = (HRASCONN)(uintptr_t)id;
	if (first)
		*first = 0;
	c->busy++; /* the dial lets go of the lock: @c stays */
	dial_locked(c, rq, allow, ctx);
	if (--c->busy == 0 && c->phase == PH_TEARDOWN)
		apprt_wake(&mgr.rt); /* its teardown waited for the dial */
	r = sync ? wait_done_locked(id) : 0;
	apprt_unlock(&mgr.rt);
	return r;
refused:
	apprt_unlock(&mgr.rt);
	wipe(c);
	mem_free(c);
	return r;
}

/* ---- hang-up, status, enumeration
 * ----------------------------------------------- */

DWORD ras_mgr_hang_up(HRASCONN h, const char *owner, uint32_t uid)
{
	struct rconn *c;
	unsigned i, total = 0;
	bool mine = false;

	apprt_lock(&mgr.rt);
	c = find_for_locked(h, uid);
	if (!c) {
		apprt_unlock(&mgr.rt);
		return ERROR_INVALID_HANDLE;
	}
	/* ras.md §13 C2 — again during teardown: 0, no effect */
	if (c->phase != PH_TEARDOWN) {
		/* §4 — one of the caller's references; a caller with none
		 * releases them all */
		for (i = 0; i < RAS_MAX_OWNERS; i++) {
			if (c->ref[i].n && !mine &&
			    strcmp(c->ref[i].owner, owner) == 0) {
				c->ref[i].n--;
				mine = true;
			}
			total += c->ref[i].n;
		}
		if (!mine || !total)
			teardown_locked(c);
	}
	apprt_unlock(&mgr.rt);
	return 0;
}

DWORD ras_mgr_status(HRASCONN h, uint32_t uid, RASCONNSTATUSA *full)
{
	struct rconn *c;

	apprt_lock(&mgr.rt);
	c = find_for_locked(h, uid);
	if (!c) {
		apprt_unlock(&mgr.rt);
		return ERROR_INVALID_HANDLE;
	}
	memset(full, 0, sizeof(*full));
	full->dwSize = sizeof(*full);
	full->rasconnstate = c->state;
	full->dwError = c->error;
	ras_copy(full->szDeviceType, sizeof(full->szDeviceType), c->devtype);
	ras_copy(full->szDeviceName, sizeof(full->szDeviceName), c->devname);
	ras_copy(full->szPhoneNumber, sizeof(full->szPhoneNumber), c->number);
	full->rasconnsubstate = RASCSS_None;
	apprt_unlock(&mgr.rt);
	return 0;
}

static void fill_conn(const struct rconn *c, RASCONNA *out)
{
	memset(out, 0, sizeof(*out));
	out->dwSize = sizeof(*out);
	out->hrasconn = (HRASCONN)(uintptr_t)c->id;
	ras_copy(out->szEntryName, sizeof(out->szEntryName), c->entry);
	ras_copy(out->szDeviceType, sizeof(out->szDeviceType), c->devtype);
	ras_copy(out->szDeviceName, sizeof(out->szDeviceName), c->devname);
	ras_copy(out->szPhonebook, sizeof(out->szPhonebook), c->pbk);
	out->dwSubEntry = 1;
	out->guidEntry = c->guid;
	out->dwFlags = c->flags;
	out->luid.LowPart = c->uid;
	out->guidCorrelationId = c->corr;
}

DWORD ras_mgr_enum(uint32_t uid, RASCONNA *out, DWORD max, DWORD *n)
{
	struct list_node *it;

	*n = 0;
	apprt_lock(&mgr.rt);
	/* §6 — only connections that are up; the user's (all: root) */
	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);

		if (c->phase != PH_UP || !may_locked(c, uid))
			continue;
		if (*n < max)
			fill_conn(c, &out[*n]);
		(*n)++;
	}
	apprt_unlock(&mgr.rt);
	return 0;
}

unsigned ras_mgr_changes(uint32_t uid)
{
	struct uid_changes *u;
	unsigned n;

	apprt_lock(&mgr.rt);
	u = uid == 0 ? NULL : uid_changes_locked(uid, false);
	n = uid == 0 ? mgr.changes : u ? u->n : 0;
	apprt_unlock(&mgr.rt);
	return n;
}

unsigned ras_mgr_change_token(void)
{
	unsigned n;

	apprt_lock(&mgr.rt);
	n = mgr.changes + mgr.kicks;
	apprt_unlock(&mgr.rt);
	return n;
}

void ras_mgr_change_kick(void)
{
	apprt_lock(&mgr.rt);
	mgr.kicks++;
	if (mgr.change_waiters && mgr.change_pid == getpid())
		pthread_cond_broadcast(&change_cond);
	apprt_unlock(&mgr.rt);
}

void ras_mgr_change_wait(unsigned token, unsigned ms)
{
	struct timespec until;

	clock_after_ms(CLOCK_MONOTONIC, ms, &until);
	apprt_lock(&mgr.rt);
	if (mgr.change_pid != getpid()) {
		pthread_condattr_t a;

		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&change_cond, &a);
		pthread_condattr_destroy(&a);
		mgr.change_waiters = 0;
		mgr.change_pid = getpid();
	}
	mgr.change_waiters++;
	while (mgr.changes + mgr.kicks == token &&
	       pthread_cond_timedwait(&change_cond, &mgr.lock, &until) !=
	               ETIMEDOUT)
		;
	mgr.change_waiters--;
	apprt_unlock(&mgr.rt);
}

int ras_mgr_change_fd(void)
{
	int fd;

	apprt_lock(&mgr.rt);
	if (mgr.change_fd < 0)
		mgr.change_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fd = mgr.change_fd < 0 ? -errno : mgr.change_fd;
	apprt_unlock(&mgr.rt);
	return fd;
}

DWORD ras_mgr_events(HRASCONN h, uint32_t uid, unsigned from,
                     struct tapix_ras_event *out, unsigned max, unsigned *n,
                     bool *final, unsigned *next)
{
	struct rconn *c;
	unsigned oldest;

	*n = 0;
	*next = from;
	apprt_lock(&mgr.rt);
	c = find_for_locked(h, uid);
	if (!c) {
		apprt_unlock(&mgr.rt);
		return ERROR_INVALID_HANDLE;
	}
	/* a reader that fell behind gets the latest ones */
	oldest = c->nhist > RAS_MAX_EVENTS ? c->nhist - RAS_MAX_EVENTS : 0;
	if (from < oldest)
		from = oldest;
	if (from > c->nhist)
		from = c->nhist;
	while (from + *n < c->nhist && *n < max) {
		out[*n] = c->hist[(from + *n) % RAS_MAX_EVENTS];
		(*n)++;
	}
	*next = from + *n;
	/* nothing more will come: it ended, or it is going */
	*final = *next >= c->nhist && (c->ended || c->phase == PH_TEARDOWN);
	apprt_unlock(&mgr.rt);
	return 0;
}

unsigned tapix_ras_owner_gone(const char *owner)
{
	struct list_node *it;
	unsigned i, n = 0;

	if (!owner)
		return 0;
	apprt_lock(&mgr.rt);
	list_foreach(it, &mgr.conns) {
		struct rconn *c = list_entry(it, struct rconn, link);
		bool held = false;

		if (c->phase == PH_TEARDOWN)
			continue; /* going anyway */
		/* all of them (the slot is free again) */
		for (i = 0; i < RAS_MAX_OWNERS; i++) {
			if (c->ref[i].n &&
			    strcmp(c->ref[i].owner, owner) == 0) {
				c->ref[i].n = 0;
				held = true;
			}
		}
		if (!held)
			continue;
		n++;
		reap_locked(c); /* (no free here: the engine does it) */
	}
	apprt_unlock(&mgr.rt);
	return n;
}

DWORD tapix_ras_shutdown(unsigned timeout_ms)
{
	struct list_node *it;
	struct timespec until;
	DWORD r = 0;

	clock_after_ms(CLOCK_REALTIME, timeout_ms, &until);
	apprt_lock(&mgr.rt);
	list_foreach(it, &mgr.conns)
		teardown_locked(list_entry(it, struct rconn, link));
	/* until the engine has let go of TAPI too (its lineShutdown) */
	while (mgr.running || mgr.engines || mgr.starting)
		if (pthread_cond_timedwait(&mgr.cond, &mgr.lock, &until)) {
			r = ERROR_REQUEST_TIMEOUT;
			break;
		}
	apprt_unlock(&mgr.rt);
	return r;
}
