/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client mode (see client.h): each tapi.h function becomes one method call
 * of org.tapix.Tapi1 on tapixd, on a direct connection to it when tapixd
 * offers one (its Peer method), else through the bus; the registration's
 * messages come back as Messages signals that a reader thread queues here,
 * to be fetched with
 * lineGetMessage (USEEVENT: an eventfd readable while messages wait) or
 * delivered by a thread per registration (callbacks, completion
 * descriptor), as in embedded mode.
 *
 * Exactness: the service tags each message with the handle whose death
 * voids it (its guard) and that handle's open; when the app kills handles
 * itself (lineDeallocateCall, lineClose, lineShutdown) or the provider
 * closes a line (LINE_CLOSE), messages still queued here for them are
 * dropped, as the embedded core drops them (tapi-messages-and-states.md
 * §2). Handles a request creates are written before its LINE_REPLY is
 * queued.
 *
 * Locking: two locks, taken in the order cl.conn -> cl.state, never the
 * reverse, never held while an application's callback runs, and never
 * held while waiting for tapixd.
 *
 * - cl.conn, the connection's, serializes the use of the connection to
 *   tapixd (the sd_bus object, the channel, the reader's epoll set) and
 *   guards the fields of cl marked so. A call to tapixd is sent with it
 *   held and waited for without it (call, via_channel), so that several
 *   threads' calls are on their way at once: one waiting caller reads the
 *   connection meanwhile (the poller), the others sleep until a reply
 *   came (cl.turn).
 * - The gate: from a call's start (begin) until its reply is noted
 *   (settle: remember, the gathers, a new open), it is in flight
 *   (struct flight), and a message of tapixd that came after the oldest
 *   call in flight began is not dispatched: a signal read meanwhile is
 *   held back (hold), the channel's ring is left as it is from where it
 *   was when that call began. Each settle dispatches what came before
 *   the oldest call still in flight (drain), in the order it came, so
 *   that what a reply says is noted before any message sent after it is
 *   queued, as if each call had held the connection until then; a
 *   message waits for the calls in flight when it came only, so no
 *   stream of calls holds it up. A call that kills handles (lineClose,
 *   lineDeallocateCall, lineShutdown) kills them once what came before
 *   its reply is dispatched.
 * - cl.state guards the registrations: the apps, their message queues
 *   (util/msgq: its lock operations are this lock's), pending handle
 *   writes, gathers and the counts. It is held for short sections of our
 *   own code only: never across a call to tapixd, a dispatch of the
 *   connection (sd_bus_process; the message handlers take it themselves
 *   to queue), a wait for another thread of ours or a callback. So
 *   lineGetMessage and the delivery threads, which need only it, go on
 *   while calls wait for tapixd.
 *
 * Whoever kills handles does so after the dispatch that followed its
 * reply; a message popped by another thread in between was sent before
 * the kill, as a message popped just before the call would have been.
 * The connection is closed only while no call is in flight (quiesce:
 * new calls wait meanwhile): bus_close releases cl.conn while it joins
 * the reader (cl.closing: calls, registrations and other closes wait for
 * its end, bus_wait), and lineShutdown releases both while the delivery
 * thread ends (a callback may be calling in). Debug builds check the
 * order, that no call to tapixd or dispatch runs with cl.state held, and
 * that neither lock is held while a call waits for tapixd.
 */
#define LOG_MODULE "client"
#include "client/client.h"
#include "client/bus.h"
#include "client/channel.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "util/clock.h"
#include "util/list.h"
#include "util/log.h"
#include "util/loghold.h"
#include "util/msgq.h"

#define BUS_NAME   "org.tapix.Tapix1"
#define BUS_PATH   "/org/tapix/Tapix1"
#define BUS_IFACE  "org.tapix.Tapi1"
#define CALL_USEC  (60ULL * 1000 * 1000) /* a method call's time limit */
#define MAX_STRUCT (1u << 20)
/* signals of a sender not known held while an Initialize is on its way
 * (on_messages) */
#define HELD_UNKNOWN_MAX 256u
#define VER_HIGH         0x00020002
#define VER_1_4          0x00010004

/*
 * A lineClose on its way (row_call): termination.md §5.2 — from its
 * start nothing is written into the app's memory for the open's requests
 * and nothing of the open is queued. What comes for the open meanwhile
 * is kept here: dropped if the close succeeds, taken as usual if it
 * fails (the open lives on).
 */
struct cclose {
	struct cclose *next;
	HLINE line;
	struct ckept *kept, **kept_end;
};

struct ckept {
	struct ckept *next;
	struct chan_msg c;
};

/* A request whose LINE_REPLY writes handles into the app's memory. */
struct cpend {
	struct cpend *next;
	LONG req;
	HLINE line;
	HCALL *p[2];
	unsigned np;
};

/*
 * A lineGatherDigits not yet ended: where the app wants its digits
 * (tapixd sends them as RPC_MSG_DIGITS ahead of the LINE_GATHERDIGITS).
 * All apps' in one list, oldest first; a call's are ended in order.
 */
struct cgather {
	struct cgather *next;
	HCALL call;
	HLINE line;  /* the call's open, once tapixd said (0 before) */
	uint32_t id; /* tapixd's id of it, once it said (0 before) */
	LPSTR buf;   /* NULL: the app was told it failed, tapixd may not
	                know: its digits and message are dropped */
	DWORD n;
};

/*
 * A registration's life, as the core's objects' (DESIGN.md: refs +
 * state): CLOSING while its lineShutdown waits for tapixd (the handle
 * names nothing for other calls meanwhile, as embedded mode's dies at
 * once; ALIVE again if tapixd refuses), DEAD once out of the list; freed
 * with its last reference (the list's, a waiting lineGetMessage's, the
 * delivery thread's, a lineClose's on its way).
 */
enum capp_life {
	CAPP_ALIVE = 0,
	CAPP_CLOSING,
	CAPP_DEAD,
};

struct capp {
	struct capp *next;
	HLINEAPP h;
	uint32_t mode;
	struct msgq q; /* its messages and their delivery */
	struct cpend *pend;
	HLINE *lines; /* its opens, to find the app a request belongs to */
	unsigned nlines, linecap;
	struct cclose *closes; /* its lineCloses on their way */
	/* what came for it while CLOSING: dropped if its lineShutdown
	 * succeeds, taken if it fails (the registration lives on) */
	struct ckept *kept, **kept_end;
	enum capp_life life;
	bool lost;       /* its tapixd left the bus or closed */
	char server[64]; /* that tapixd's unique bus name ("" direct) */
	unsigned refs;
};

static void caller_lock(void);
static void caller_unlock(void);
static void reader_watch(int ev);

/* A signal read while a call was in flight, for when it may go (hold). */
struct held {
	struct held *next;
	sd_bus_message *m;
	sd_bus_message_handler_t fn;
	uint64_t seq; /* cl.tick when it came */
	bool unknown; /* its sender was not known then (on_messages) */
};

/* A call in flight (begin .. settle), on its caller's stack. */
struct flight {
	struct flight *next;
	uint64_t start; /* cl.tick when it began */
	uint32_t ring;  /* where the channel's ring was written to then */
	bool chan;      /* it went through the channel (via_channel) */
};

static struct {
	pthread_mutex_t conn;  /* the connection's lock (see above) */
	pthread_mutex_t state; /* the registrations' lock (see above) */
	/* guarded by cl.conn, down to where */
	sd_bus *bus; /* to tapixd: the bus, or direct */
	bool direct;
	struct cchan *chan; /* the channel of a direct one, or NULL */
	pthread_t reader;
	bool reader_on;
	int stopfd; /* eventfd: the reader thread ends */
	int epfd;   /* what the reader waits for: stopfd, the connection */
	/* a duplicate of the connection's descriptor, ours, in epfd (or -1):
	 * sd-bus may close its own when the connection ends, and the epoll
	 * entry of a closed descriptor cannot be removed while another copy
	 * (the channel's) keeps the socket open (it was woken for ever) */
	int watched;
	char *where;  /* the TAPIX_SERVICE the bus was opened for */
	bool closing; /* bus_close waits for the reader meanwhile */
	/* the gate (see above): calls in flight, oldest first, and the
	 * signals held back, in order */
	struct flight *flights;
	struct held *held, **held_end;
	/* the unique name of the tapixd that answered the last Initialize
	 * on the bus ("" none yet: from_tapixd), the Initializes whose
	 * answers are not noted yet, and the signals of senders not known
	 * then that are held back (at most HELD_UNKNOWN_MAX) */
	char tapixd[64];
	unsigned initializing;
	unsigned held_unknown;
	uint64_t tick;         /* orders calls' starts and signals */
	bool releasing;        /* release_held runs a handler */
	unsigned close_wanted; /* quiesce waits: no new call begins */
	bool chan_busy;        /* a call is in the channel */
	bool reader_gated;     /* the reader slept with the ring left full */
	/* broadcast (on cl.conn) when a reply came, the poller left, the
	 * gate opened or a close ended */
	pthread_cond_t turn;
	struct bus_caller caller; /* the calls' waits (client/bus.h) */
	/* guarded by cl.state; client_napps written with cl.conn held too */
	struct capp *apps; /* (their count: client_napps) */
	unsigned npend;
	struct cgather *gathers;
	unsigned ngathers;
} cl = {.conn = PTHREAD_MUTEX_INITIALIZER,
        .state = PTHREAD_MUTEX_INITIALIZER,
        .held_end = &cl.held,
        .turn = PTHREAD_COND_INITIALIZER,
        .caller = {.mutex = &cl.conn,
                   .lock = caller_lock,
                   .unlock = caller_unlock,
                   .watch = reader_watch,
                   .turn = &cl.turn,
                   .wakefd = -1},
        .stopfd = -1,
        .epfd = -1,
        .watched = -1};

/* ---- the locks --------------------------------------------------------------
 */

#ifdef TAPIX_LOCK_CHECK
/* Which of the two locks this thread holds (a condition wait releases and
 * retakes one on the same thread, which meanwhile calls nothing). */
static _Thread_local unsigned held;
#define HOLD_CONN         1u
#define HOLD_STATE        2u
#define assert_held(bits) assert((held & (bits)) == (bits))
#define assert_free(bits) assert(!(held & (bits)))
#define note_take(bits)   (held |= (bits))
#define note_drop(bits)   (held &= ~(bits))
#else
#define assert_held(bits) ((void)0)
#define assert_free(bits) ((void)0)
#define note_take(bits)   ((void)0)
#define note_drop(bits)   ((void)0)
#endif

static void conn_lock(void)
{
	assert_free(HOLD_CONN | HOLD_STATE); /* the order: conn -> state */
	log_mutex_lock(&cl.conn);
	note_take(HOLD_CONN);
}

static void conn_unlock(void)
{
	assert_held(HOLD_CONN);
	note_drop(HOLD_CONN);
	log_mutex_unlock(&cl.conn);
}

/*
 * cl.caller's, and via_channel's: a call waiting for tapixd holds neither
 * lock. Released and taken again as a condition wait does: the lines
 * logged meanwhile are held on until the function returns (util/loghold),
 * so that the application's log sink, which may take a lock of its own,
 * never runs while a call is in flight.
 */
static void caller_unlock(void)
{
	assert_held(HOLD_CONN);
	note_drop(HOLD_CONN);
	pthread_mutex_unlock(&cl.conn);
	assert_free(HOLD_CONN | HOLD_STATE);
}

static void caller_lock(void)
{
	assert_free(HOLD_CONN | HOLD_STATE);
	pthread_mutex_lock(&cl.conn);
	note_take(HOLD_CONN);
}

static void state_lock(void)
{
	assert_free(HOLD_STATE);
	log_mutex_lock(&cl.state);
	note_take(HOLD_STATE);
}

static void state_unlock(void)
{
	assert_held(HOLD_STATE);
	note_drop(HOLD_STATE);
	log_mutex_unlock(&cl.state);
}

/* ---- mode -----------------------------------------------------------------
 */

unsigned client_napps; /* written with cl.conn and cl.state held */

/* The registrations: any lock (napps changes with both held). */
static unsigned napps(void)
{
	return __atomic_load_n(&client_napps, __ATOMIC_ACQUIRE);
}

static char *target; /* client_use: guarded by cl.conn */

void client_use(const char *where)
{
	char *t = strdup(where);

	conn_lock();
	if (t) {
		free(target);
		target = t;
	}
	conn_unlock();
}

unsigned client_live(void)
{
	unsigned n;

	conn_lock();
	state_lock();
	/* the connection counts too: its reader thread, its channel */
	n = client_napps + cl.npend + cl.ngathers + (cl.bus ? 1 : 0);
	state_unlock();
	conn_unlock();
	return n;
}

/* ---- registrations and their queues ----------------------------------------
 */

static struct capp *app_find(HLINEAPP h)
{
	struct capp *a;

	assert_held(HOLD_STATE);
	for (a = cl.apps; a; a = a->next)
		if (a->h == h && a->life == CAPP_ALIVE)
			return a;
	return NULL;
}

/* Registration @h, alive or on its way out (its lineShutdown waits for
 * tapixd), or NULL. cl.state held. */
static struct capp *app_find_closing(HLINEAPP h)
{
	struct capp *a;

	assert_held(HOLD_STATE);
	for (a = cl.apps; a; a = a->next)
		if (a->h == h && a->life != CAPP_DEAD)
			return a;
	return NULL;
}

static bool q_push(struct capp *a, const struct msgq_item *m)
{
	return msgq_push_locked(&a->q, m);
}

struct purge {
	uint32_t h;
	bool line_too;
};

static bool purged(const struct msgq_item *m, void *arg)
{
	const struct purge *p = arg;

	return m->guard == p->h || (p->line_too && m->line == p->h);
}

/*
 * Drops queued messages voided by the death of @h (as guard) or, with
 * @line_too, of the open @h and every call of it.
 */
static void q_purge(struct capp *a, uint32_t h, bool line_too)
{
	struct purge p = {h, line_too};

	msgq_purge_locked(&a->q, purged, &p);
}

static void pend_drop_line(struct capp *a, HLINE line)
{
	struct cpend **pp = &a->pend;

	while (*pp) {
		struct cpend *p = *pp;

		if (line && p->line != line) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		cl.npend--;
		free(p);
	}
}

/* Whether @line is an open of @a's. cl.state held. */
static bool line_known(const struct capp *a, HLINE line)
{
	unsigned i;

	for (i = 0; i < a->nlines; i++)
		if (a->lines[i] == line)
			return true;
	return false;
}

/* The lineClose of open @line on its way, or NULL. cl.state held. */
static struct cclose *line_closing(const struct capp *a, HLINE line)
{
	struct cclose *k;

	for (k = a->closes; line && k; k = k->next)
		if (k->line == line)
			return k;
	return NULL;
}

/* Keeps @c at the end of a list of kept messages (*@end its last next
 * pointer); false without memory (then it is lost, as the close or
 * lineShutdown that keeps it would lose it). cl.state held. */
static bool keep(struct ckept ***end, const struct chan_msg *c)
{
	struct ckept *m = malloc(sizeof(*m));

	if (!m)
		return false;
	m->next = NULL;
	m->c = *c;
	**end = m;
	*end = &m->next;
	return true;
}

/* Frees the kept messages from @m on. */
static void kept_free(struct ckept *m)
{
	while (m) {
		struct ckept *next = m->next;

		free(m);
		m = next;
	}
}

/* Takes close @k out of @a's list; its kept messages are returned. Both
 * locks held. */
static struct ckept *close_end(struct capp *a, struct cclose *k)
{
	struct cclose **pp;

	for (pp = &a->closes; *pp; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	}
	return k->kept;
}

/* Forgets the gathers of call @call, or of open @line's calls (either
 * 0: any), or @only. */
static void gathers_drop(HCALL call, HLINE line, const struct cgather *only)
{
	struct cgather **pp = &cl.gathers;

	while (*pp) {
		struct cgather *g = *pp;

		if ((only && g != only) || (call && g->call != call) ||
		    (line && g->line != line)) {
			pp = &g->next;
			continue;
		}
		*pp = g->next;
		cl.ngathers--;
		free(g);
	}
}

/* The oldest gather of @call, or NULL. */
/* The gather of @call a message with tapixd's id @id is about: that id's,
 * else (its reply not read yet) the call's oldest without one; or NULL. */
static struct cgather *gather_of(HCALL call, uint32_t id)
{
	struct cgather *g;

	for (g = cl.gathers; id && g; g = g->next)
		if (g->call == call && g->id == id)
			return g;
	for (g = cl.gathers; g; g = g->next)
		if (g->call == call && !g->id)
			return g;
	return NULL;
}

/* RPC_MSG_DIGITS @c: its bytes into the app's buffer of its gather,
 * never past its room. */
static void take_digits(const struct chan_msg *c)
{
	struct cgather *g = gather_of(c->hdev, c->nh ? c->h[0] : 0);
	char b[RPC_DIGITS_PER_MSG];
	size_t off, total, k;

	if (!g || !g->buf)
		return;
	rpc_digits_unpack(c, b, &off, &total);
	if (total > g->n || off >= total)
		return;
	k = total - off < sizeof(b) ? total - off : sizeof(b);
	memcpy(g->buf + off, b, k);
}

static struct capp *app_of_line(HLINE line)
{
	struct capp *a;
	unsigned i;

	for (a = cl.apps; a; a = a->next)
		for (i = 0; i < a->nlines; i++)
			if (a->lines[i] == line)
				return a;
	return NULL;
}

static void line_add(struct capp *a, HLINE line)
{
	if (a->nlines == a->linecap) {
		unsigned n = a->linecap ? a->linecap * 2 : 8;
		HLINE *nl = realloc(a->lines, n * sizeof(*nl));

		if (!nl) {
			log_err("app %08x: out of memory, line %08x untracked",
			        a->h, line);
			return;
		}
		a->lines = nl;
		a->linecap = n;
	}
	a->lines[a->nlines++] = line;
}

static void line_del(struct capp *a, HLINE line)
{
	unsigned i;

	for (i = 0; i < a->nlines; i++) {
		if (a->lines[i] == line) {
			a->lines[i] = a->lines[--a->nlines];
			return;
		}
	}
}

static void app_unref(struct capp *a)
{
	if (--a->refs)
		return;
	kept_free(a->kept);
	free(a->lines);
	msgq_fini(&a->q);
	free(a);
}

/* Makes @a DEAD and out of the list; its delivery thread ends. Both
 * locks held. */
static void app_kill(struct capp *a)
{
	struct capp **pp;

	assert_held(HOLD_CONN | HOLD_STATE);
	for (pp = &cl.apps; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	a->life = CAPP_DEAD;
	msgq_kill_locked(&a->q);
	pend_drop_line(a, 0);
	for (unsigned i = 0; i < a->nlines; i++)
		gathers_drop(0, a->lines[i], NULL);
	__atomic_store_n(&client_napps, client_napps - 1, __ATOMIC_RELEASE);
}

/* ---- delivery (util/msgq) ---------------------------------------------------
 */

static void thread_done(struct msgq *q)
{
	app_unref(container_of(q, struct capp, q));
}

static const struct msgq_ops capp_msgq_ops = {
	.lock = state_lock,
	.unlock = state_unlock,
	.thread_done = thread_done,
};

/* ---- the bus --------------------------------------------------------------
 */

static sd_bus_slot *msg_slot, *owner_slot;

/* NameOwnerChanged of tapixd's name only */
#define OWNER_MATCH                                                           \
	"type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/" \
	"DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',"   \
	"arg0='" BUS_NAME "'"

/*
 * Whether signal @m, dispatched to its handler @fn, waits for the gate to
 * open: a call is in flight (see above). @unknown: its sender is not known
 * yet (counted in cl.held_unknown). cl.conn held (only its holder
 * dispatches).
 */
static bool hold(sd_bus_message *m, sd_bus_message_handler_t fn, bool unknown)
{
	struct held *h;

	assert_held(HOLD_CONN);
	if (cl.releasing || (!cl.flights && !cl.held))
		return false;
	h = malloc(sizeof(*h));
	if (!h) {
		log_err("out of memory: a message of tapixd goes before a "
		        "reply is noted");
		return false;
	}
	h->next = NULL;
	h->m = sd_bus_message_ref(m);
	h->fn = fn;
	h->seq = ++cl.tick;
	h->unknown = unknown;
	cl.held_unknown += unknown;
	*cl.held_end = h;
	cl.held_end = &h->next;
	return true;
}

/* Dispatches the signals held back that came before @frontier, in
 * order. cl.conn held. */
static void release_held(uint64_t frontier)
{
	struct held *h;

	while ((h = cl.held) && h->seq < frontier) {
		cl.held = h->next;
		if (!cl.held)
			cl.held_end = &cl.held;
		cl.held_unknown -= h->unknown;
		sd_bus_message_rewind(h->m, true);
		cl.releasing = true; /* its handler dispatches it now */
		h->fn(h->m, NULL, NULL);
		cl.releasing = false;
		sd_bus_message_unref(h->m);
		free(h);
	}
}

/* Queues message @c, sent by @from (on the bus: a registration's
 * messages come from its tapixd only; NULL on a direct connection). Both
 * locks held (only cl.conn's holder dispatches). */
static void take_msg(const struct chan_msg *c, const char *from)
{
	struct cclose *k;
	struct capp *a;
	struct msgq_item q;

	assert_held(HOLD_CONN | HOLD_STATE);
	a = app_find_closing(c->app);
	if (!a || (!cl.direct && (!from || strcmp(from, a->server) != 0)))
		return;
	if (a->life == CAPP_CLOSING) {
		/* its lineShutdown under way decides (lineShutdown) */
		if (!keep(&a->kept_end, c))
			log_err("app %08x: out of memory, message %u lost",
			        a->h, (unsigned)c->id);
		return;
	}
	/* an open closed since: nothing of it is queued (one kept back by
	 * a newer call in flight may come after its close) */
	if (c->line && !line_known(a, c->line))
		return;
	if ((k = line_closing(a, c->line)) != NULL) {
		/* the lineClose under way decides (row_call) */
		if (!keep(&k->kept_end, c))
			log_err("app %08x: out of memory, message %u lost",
			        a->h, (unsigned)c->id);
		return;
	}
	if (c->id == RPC_MSG_DIGITS) {
		take_digits(c);
		return; /* not the app's */
	}
	if (c->id == LINE_GATHERDIGITS) {
		/* its digits came before it: the request is done */
		struct cgather *g = gather_of(c->hdev, c->nh ? c->h[0] : 0);
		bool told_failed = g && !g->buf;

		if (g)
			gathers_drop(0, 0, g);
		if (told_failed)
			return; /* the app was told it failed */
	} else if (c->id == LINE_REPLY) {
		struct cpend **pp;

		for (pp = &a->pend; *pp; pp = &(*pp)->next) {
			struct cpend *p = *pp;
			unsigned i;

			if (p->req != (LONG)c->p1)
				continue;
			/*
			 * spec: tapi-functions.md §0.2, §8 — before the
			 * reply, and only for a success (tapixd sends none
			 * with a failure; a wrong one writes nothing either)
			 */
			for (i = 0; i < p->np && i < c->nh && !c->p2; i++)
				if (p->p[i])
					*p->p[i] = c->h[i];
			*pp = p->next;
			cl.npend--;
			free(p);
			break;
		}
	} else if (c->id == LINE_CLOSE) {
		/* the provider closed the line: its handles died now */
		q_purge(a, c->line, true);
		pend_drop_line(a, c->line);
		gathers_drop(0, c->line, NULL);
		line_del(a, c->line);
	}
	memset(&q, 0, sizeof(q));
	q.m.hDevice = c->hdev;
	q.m.dwMessageID = c->id;
	q.m.dwCallbackInstance = (DWORD_PTR)c->cbinst;
	q.m.dwParam1 = (DWORD_PTR)c->p1;
	q.m.dwParam2 = (DWORD_PTR)c->p2;
	q.m.dwParam3 = (DWORD_PTR)c->p3;
	q.guard = c->guard;
	q.line = c->line;
	if (!q_push(a, &q))
		log_err("app %08x: out of memory, message %u lost", a->h,
		        (unsigned)c->id);
}

/* A message from the channel (cchan_drain, cchan_finish: both locks
 * held). */
static void take_ring(const struct chan_msg *c)
{
	take_msg(c, NULL);
}

/* One message of a Messages signal (the struct entered), sent by @from. */
static void take_message(sd_bus_message *m, const char *from)
{
	const uint32_t *hs = NULL;
	struct chan_msg c;
	size_t nhs = 0, i;

	memset(&c, 0, sizeof(c));
	if (sd_bus_message_read(m, "uuuttttuu", &c.app, &c.hdev, &c.id,
	                        &c.cbinst, &c.p1, &c.p2, &c.p3, &c.guard,
	                        &c.line) < 0 ||
	    sd_bus_message_read_array(m, 'u', (const void **)&hs, &nhs) < 0)
		return;
	nhs /= sizeof(uint32_t);
	for (i = 0; i < nhs && i < 2; i++)
		c.h[c.nh++] = hs[i];
	take_msg(&c, from);
}

/*
 * Whether @from, a signal's sender on the bus, is a tapixd we know: the
 * one that answered the last Initialize (its registration may not be in
 * the list yet while its call is in flight), or a registration's. cl.conn
 * held (the list changes with both locks held).
 */
static bool from_tapixd(const char *from)
{
	struct capp *a;

	assert_held(HOLD_CONN);
	if (!from)
		return false;
	if (strcmp(cl.tapixd, from) == 0)
		return true;
	for (a = cl.apps; a; a = a->next)
		if (a->server[0] && strcmp(a->server, from) == 0)
			return true;
	return false;
}

static int on_messages(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *from = sd_bus_message_get_sender(m);

	(void)userdata;
	(void)e;
	/*
	 * On the bus any peer may send a signal to our name: only tapixd's
	 * are read (take_msg checks the registration's too), and another's
	 * is dropped before it could be held back while a call is in flight
	 * (hold), where a stream of them would fill our memory. tapixd sends
	 * a registration's messages right after its Initialize reply, which
	 * another thread may read before the caller notes who sent it: while
	 * an Initialize is on its way (its answer not noted yet), a few
	 * signals of a sender not known are held, and checked again when the
	 * gate lets them go (after that Initialize settled).
	 */
	if (!cl.direct && !from_tapixd(from)) {
		if (cl.initializing && cl.held_unknown < HELD_UNKNOWN_MAX)
			hold(m, on_messages, true);
		return 0;
	}
	if (hold(m, on_messages, false))
		return 0;
	if (sd_bus_message_enter_container(m, 'a', "(uuuttttuuau)") <= 0)
		return 0;
	/* run by drain (cl.conn held): the queues' lock for the pushes */
	state_lock();
	while (sd_bus_message_enter_container(m, 'r', "uuuttttuuau") > 0) {
		take_message(m, from);
		if (sd_bus_message_exit_container(m) < 0)
			break;
	}
	state_unlock();
	return 0;
}

/* Registration @a is void: it hears LINEDEVSTATE_REINIT. Both locks
 * held. */
static void lose(struct capp *a)
{
	struct msgq_item c;

	assert_held(HOLD_CONN | HOLD_STATE);
	a->lost = true;
	memset(&c, 0, sizeof(c));
	c.m.dwMessageID = LINE_LINEDEVSTATE;
	c.m.dwParam1 = LINEDEVSTATE_REINIT;
	q_push(a, &c);
}

/* The direct connection is over: every registration on it is void. Both
 * locks held. */
static void lose_all(void)
{
	struct capp *a;
	bool said = false;

	for (a = cl.apps; a; a = a->next) {
		if (a->lost)
			continue;
		if (!said)
			log_err("tapixd closed the connection: registrations "
			        "are void");
		said = true;
		lose(a);
	}
}

/* The direct connection closed: tapixd stopped. */
static int on_closed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(void)userdata;
	(void)e;
	if (hold(m, on_closed, false))
		return 0;
	state_lock();
	lose_all();
	state_unlock();
	return 0;
}

/* tapixd left the bus: every registration hears LINEDEVSTATE_REINIT. */
static int on_owner(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *name, *old, *nw;
	struct capp *a;
	bool said = false;

	(void)userdata;
	(void)e;
	/* the bus's own: a peer's look-alike (sent to our name, which the
	 * match does not stop) voids nothing and is not held */
	if (!sd_bus_message_get_sender(m) ||
	    strcmp(sd_bus_message_get_sender(m), "org.freedesktop.DBus") != 0)
		return 0;
	if (hold(m, on_owner, false))
		return 0;
	if (sd_bus_message_read(m, "sss", &name, &old, &nw) < 0 ||
	    strcmp(name, BUS_NAME) != 0 || *nw)
		return 0;
	/* only the registrations that tapixd served: a successor may serve
	 * newer ones already when the signal is read */
	state_lock();
	for (a = cl.apps; a; a = a->next) {
		if (a->lost || (a->server[0] && strcmp(a->server, old) != 0))
			continue;
		if (!said)
			log_err("tapixd left the bus: registrations are void");
		said = true;
		lose(a);
	}
	state_unlock();
	return 0;
}

/*
 * A child of fork() must not touch the channel: the memory is shared with
 * its parent's still (the child's requests would be taken for the
 * parent's, its drains would take the parent's messages). It goes on as
 * after any fork with D-Bus: its calls fail. fork() waits for both locks
 * (in their order), so that the child does not inherit one held by a
 * thread it does not have. (The thread forking holds neither: the
 * check's count of this thread is left alone.)
 */
static bool forked;

static void on_fork_prepare(void)
{
	pthread_mutex_lock(&cl.conn);
	pthread_mutex_lock(&cl.state);
	log_hold();
}

static void on_fork_parent(void)
{
	pthread_mutex_unlock(&cl.state);
	pthread_mutex_unlock(&cl.conn);
	log_release();
}

static void on_fork_child(void)
{
	struct capp *a;

	forked = true;
	/* their delivery threads are the parent's: a lineShutdown here
	 * does not wait for them */
	for (a = cl.apps; a; a = a->next) {
		if (msgq_after_fork_locked(&a->q))
			a->refs--; /* the thread's (the list keeps one) */
		/* a lineShutdown of the parent's, on its way: the child's
		 * copy is the child's to shut down */
		if (a->life == CAPP_CLOSING)
			a->life = CAPP_ALIVE;
		/* with what came meanwhile, copies of the parent's: let go,
		 * as its queued ones (msgq_after_fork_locked) */
		kept_free(a->kept);
		a->kept = NULL;
		/* the parent's lineCloses: their records are on its threads'
		 * stacks, their messages (copies) are let go here */
		while (a->closes) {
			struct cclose *k = a->closes;

			a->closes = k->next;
			kept_free(k->kept);
			a->refs--; /* the close's (the list keeps one) */
		}
	}
	/* the reader is the parent's: never joined here (bus_close) */
	cl.reader_on = false;
	cl.closing = false;
	/* so are the calls in flight and what they held back (the
	 * messages are the parent's connection's: left alone) */
	cl.flights = NULL;
	cl.releasing = false;
	cl.held = NULL;
	cl.held_end = &cl.held;
	cl.held_unknown = 0;
	cl.initializing = 0;
	cl.close_wanted = 0;
	cl.caller.poller = cl.caller.away = cl.chan_busy = false;
	/* its waiters too: a broadcast here would wait for them */
	pthread_cond_init(&cl.turn, NULL);
	pthread_mutex_unlock(&cl.state);
	pthread_mutex_unlock(&cl.conn);
	log_release();
}

static void watch_forks(void)
{
	if (pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child) != 0)
		log_warn("cannot watch for fork(): the channel is unsafe in "
		         "a child");
}

/* The channel, if this process may use it. cl.conn held. */
static struct cchan *channel(void)
{
	return forked ? NULL : cl.chan;
}

/*
 * Dispatches what was read from the bus (or written into the channel)
 * meanwhile, up to where the oldest call in flight began; what came after
 * waits (see above). With @bus, reads the bus too (its replies reach
 * their callers); without, a channel call's end, no system call. cl.conn
 * held, cl.state not (the handlers take it).
 */
static void drain(bool bus)
{
	const struct flight *old = cl.flights;

	assert_held(HOLD_CONN);
	assert_free(HOLD_STATE);
	if (channel()) {
		state_lock();
		cchan_drain(cl.chan, old ? old->ring : cchan_head(cl.chan),
		            take_ring);
		state_unlock();
	}
	release_held(old ? old->start : UINT64_MAX);
	if (bus && cl.bus)
		while (sd_bus_process(cl.bus, NULL) > 0)
			;
	/* what came in while no call was in flight, after some held */
	if (!cl.flights)
		release_held(UINT64_MAX);
}

/*
 * A call's start: @f is in flight from now until settle, which must
 * follow. Waits while the connection closes or is about to. cl.conn
 * held, cl.state not.
 */
static void begin(struct flight *f)
{
	struct flight **pp;

	assert_held(HOLD_CONN);
	assert_free(HOLD_STATE);
	while (cl.closing || cl.close_wanted)
		pthread_cond_wait(&cl.turn, &cl.conn);
	f->next = NULL;
	f->chan = false;
	f->start = ++cl.tick;
	f->ring = channel() ? cchan_head(cl.chan) : 0;
	for (pp = &cl.flights; *pp; pp = &(*pp)->next)
		;
	*pp = f; /* the latest: the list stays oldest first */
}

/*
 * A call's end, its reply noted: what came before the oldest call still
 * in flight is dispatched. With @kills, waits until what came before
 * this reply is (the older calls in flight end first) before the caller
 * kills handles. cl.conn held, cl.state not.
 */
static void settle(struct flight *f, bool kills)
{
	uint64_t now = ++cl.tick;
	struct flight **pp;

	for (pp = &cl.flights; *pp != f; pp = &(*pp)->next)
		assert(*pp);
	*pp = f->next;
	/* a D-Bus reply: what came after it on the bus too (sd-bus may have
	 * read it already, and it would wait for the reader meanwhile) */
	drain(!f->chan);
	/* the reader slept with messages left in the ring: they may go */
	if (cl.reader_gated && channel())
		cchan_wake_reader(cl.chan);
	cl.reader_gated = false;
	pthread_cond_broadcast(&cl.turn);
	while (kills && cl.flights && cl.flights->start < now)
		pthread_cond_wait(&cl.turn, &cl.conn);
}

/*
 * What the reader waits for on the connection: @ev, or nothing while a call
 * reads the connection itself (its reply would wake the reader for
 * nothing, and it would wait for cl.conn). cl.conn held.
 */
static void reader_watch(int ev)
{
	struct epoll_event e = {.events = ev > 0 ? (uint32_t)ev : 0};

	/* a child's epoll set is its parent's: the parent's reader's */
	if (forked || cl.epfd < 0 || cl.watched < 0)
		return;
	e.data.fd = cl.watched;
	if (epoll_ctl(cl.epfd, EPOLL_CTL_MOD, cl.watched, &e) != 0)
		log_debug("the reader cannot watch the connection: %s",
		          strerror(errno));
}

/* The connection is over: the reader waits for bus_close only. */
static void reader_unwatch(void)
{
	if (cl.epfd >= 0 && cl.watched >= 0)
		epoll_ctl(cl.epfd, EPOLL_CTL_DEL, cl.watched, NULL);
	if (cl.watched >= 0)
		close(cl.watched);
	cl.watched = -1;
}

/*
 * Dispatches what comes on the connection while no call reads it. When the
 * connection ends (tapixd went), it stays until bus_close joins it.
 */
static void *reader_main(void *arg)
{
	bool over = false;

	(void)arg;
	for (;;) {
		struct epoll_event ev[3];
		bool stop = false, gated;
		int n, i, want;

		conn_lock();
		drain(true);
		want = !over && cl.bus ? sd_bus_get_events(cl.bus) : -1;
		if (want >= 0)
			/* (nothing while a caller reads it: client/bus.h) */
			reader_watch(cl.caller.poller ? 0 : want);
		else
			reader_unwatch();
		over = want < 0;
		/* what is left in the ring waits for a call in flight: its
		 * settle drains it and wakes us */
		gated = cl.flights && channel() && cchan_pending(cl.chan);
		cl.reader_gated = gated;
		conn_unlock();
		/* (the channel is there from before the reader to its end) */
		if (cl.chan && !gated && !cchan_reader_sleep(cl.chan))
			continue; /* messages came meanwhile */
		n = epoll_wait(cl.epfd, ev, 3, over ? -1 : 1000);
		if (n < 0 && errno != EINTR)
			break;
		if (cl.chan)
			cchan_reader_woken(cl.chan);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == cl.stopfd)
				stop = true;
			else if (cl.chan &&
			         ev[i].data.fd == cchan_msg_fd(cl.chan))
				continue;
			else if (ev[i].events & (EPOLLHUP | EPOLLERR))
				over = true; /* drained, then unwatched */
		}
		if (stop)
			break; /* bus_close */
	}
	return NULL;
}

/*
 * Drops the connection (no registration uses it): the reader ends first.
 * cl.conn held, cl.state not (the reader's last drain takes it); cl.conn
 * is released while the reader is joined (cl.closing: nobody opens or
 * closes the connection meanwhile, see bus_wait).
 */
static void bus_close(void)
{
	uint64_t v = 1;

	assert_held(HOLD_CONN);
	assert_free(HOLD_STATE);
	assert(!cl.flights && !cl.closing); /* quiesce */
	if (cl.reader_on) {
		if (write(cl.stopfd, &v, sizeof(v)) < 0)
			log_debug("cannot wake the reader");
		cl.closing = true;
		conn_unlock();
		pthread_join(cl.reader, NULL);
		conn_lock();
		cl.reader_on = false;
		cl.closing = false;
		pthread_cond_broadcast(&cl.turn);
	}
	/* nothing more comes for the gathers still noted (those tapixd did
	 * not answer: their registrations are gone) */
	state_lock();
	gathers_drop(0, 0, NULL);
	state_unlock();
	cchan_close(cl.chan);
	cl.chan = NULL;
	msg_slot = sd_bus_slot_unref(msg_slot);
	owner_slot = sd_bus_slot_unref(owner_slot);
	cl.bus = sd_bus_flush_close_unref(cl.bus);
	cl.direct = false;
	cl.tapixd[0] = '\0'; /* a name of that bus */
	if (cl.stopfd >= 0)
		close(cl.stopfd);
	cl.stopfd = -1;
	bus_caller_done(&cl.caller);
	if (cl.watched >= 0)
		close(cl.watched);
	cl.watched = -1;
	if (cl.epfd >= 0)
		close(cl.epfd);
	cl.epfd = -1;
	free(cl.where);
	cl.where = NULL;
}

/* Whether the peer of @peer has the uid of BUS_NAME's owner on @bus. */
static bool same_owner(sd_bus *bus, sd_bus *peer)
{
	sd_bus_creds *a = NULL, *b = NULL;
	uid_t ua, ub;
	bool same;

	same = sd_bus_get_name_creds(bus, BUS_NAME, SD_BUS_CREDS_EUID, &a) >=
	               0 &&
	       sd_bus_get_owner_creds(peer, SD_BUS_CREDS_EUID, &b) >= 0 &&
	       sd_bus_creds_get_euid(a, &ua) >= 0 &&
	       sd_bus_creds_get_euid(b, &ub) >= 0 && ua == ub;
	sd_bus_creds_unref(a);
	sd_bus_creds_unref(b);
	return same;
}

/*
 * The direct connection tapixd offers on *@bus (its Peer method), in place
 * of the bus connection; *@bus unchanged without one. 0 when it is direct.
 */
static int go_direct(sd_bus **bus)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *addr = NULL;
	sd_bus *peer = NULL;
	int e;

	e = sd_bus_call_method(*bus, BUS_NAME, BUS_PATH, BUS_IFACE, "Peer",
	                       &err, &reply, "");
	if (e >= 0)
		e = sd_bus_message_read(reply, "s", &addr);
	if (e >= 0 && !*addr)
		e = -ENOENT; /* tapixd --peer=none */
	if (e >= 0)
		e = sd_bus_new(&peer);
	if (e >= 0)
		e = sd_bus_set_address(peer, addr);
	if (e >= 0)
		e = sd_bus_start(peer);
	/* it answers (tapixd may refuse a connection: then the bus) */
	if (e >= 0)
		e = sd_bus_call_method(peer, NULL, BUS_PATH,
		                       "org.freedesktop.DBus.Peer", "Ping",
		                       &err, NULL, "");
	/* and runs as the tapixd that owns the bus name */
	if (e >= 0 && !same_owner(*bus, peer))
		e = -EPERM;
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	if (e < 0) {
		log_debug("no direct connection to tapixd: %s", strerror(-e));
		sd_bus_unref(peer);
		return e;
	}
	sd_bus_flush_close_unref(*bus);
	*bus = peer;
	return 0;
}

/* Waits until no bus_close is under way. cl.conn held, cl.state not. */
static void bus_wait(void)
{
	assert_free(HOLD_STATE);
	while (cl.closing)
		pthread_cond_wait(&cl.turn, &cl.conn);
}

/*
 * Waits until no bus_close is under way and no call is in flight, new
 * calls waiting meanwhile: then the connection may close. cl.conn held
 * (by a thread with no call in flight), cl.state not.
 */
static void quiesce(void)
{
	assert_free(HOLD_STATE);
	cl.close_wanted++;
	while (cl.closing || cl.flights)
		pthread_cond_wait(&cl.turn, &cl.conn);
	if (!--cl.close_wanted)
		pthread_cond_broadcast(&cl.turn);
}

/*
 * spec: tapi-functions.md §1 — while the process holds a registration of
 * a tapixd that went (LINEDEVSTATE_REINIT), a reinitialization is pending:
 * new registrations fail with LINEERR_REINIT until it is shut down. (A
 * successor tapixd issues handles from the start again: a void
 * registration and a new one could otherwise share a handle.) cl.conn
 * held.
 */
static LONG reinit_pending(void)
{
	struct capp *a;
	LONG r = 0;
	bool gone;

	bus_wait();
	/* a direct connection that ended: the calls on it end first, so
	 * that what they held back is queued before LINEDEVSTATE_REINIT */
	if (cl.bus && cl.direct && !sd_bus_is_open(cl.bus))
		quiesce();
	/* what was read meanwhile: tapixd's end, its name's owner */
	if (cl.bus)
		drain(true);
	gone = cl.bus && cl.direct && !sd_bus_is_open(cl.bus);
	state_lock();
	if (gone)
		lose_all();
	for (a = cl.apps; a && !r; a = a->next)
		if (a->lost)
			r = LINEERR_REINIT;
	state_unlock();
	return r;
}

/*
 * A new registration on the bus was served by @server: registrations of
 * another tapixd are void (it left the bus; its NameOwnerChanged may not
 * have been read yet). Whether there were any. Both locks held.
 */
static bool lose_others(const char *server)
{
	struct capp *a;
	bool any = false;

	for (a = cl.apps; a; a = a->next) {
		if (a->lost || !a->server[0] || strcmp(a->server, server) == 0)
			continue;
		if (!any)
			log_err("tapixd left the bus: registrations are void");
		any = true;
		lose(a);
	}
	return any;
}

/*
 * Connects to the tapixd of TAPIX_SERVICE for the first registration (the
 * connection goes with the last one): directly if it offers it, else
 * through the bus. A direct connection that closed is replaced (its
 * registrations are void already), as is any connection without
 * registrations that is dead or to another place.
 */
/* Whether the connection must be replaced for a registration to @s. */
static bool bus_stale(const char *s)
{
	return cl.bus && ((!napps() && (!sd_bus_is_open(cl.bus) ||
	                                strcmp(cl.where, s) != 0)) ||
	                  (cl.direct && !sd_bus_is_open(cl.bus)));
}

static LONG bus_open(void)
{
	const char *s = target;
	int e;

	if (!s || !*s)
		return LINEERR_NODRIVER;
	if (bus_stale(s)) {
		quiesce();  /* (the calls on it fail, if any) */
		s = target; /* (client_use may have changed it meanwhile) */
		if (!s || !*s)
			return LINEERR_NODRIVER;
		if (bus_stale(s)) {
			/* lost with it (on_closed may not have run yet) */
			state_lock();
			lose_all();
			state_unlock();
			bus_close();
		}
	}
	if (cl.bus)
		return 0; /* after tapixd left, its successor has its name */
	cl.where = strdup(s);
	cl.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e = bus_caller_init(&cl.caller);
	cl.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cl.epfd >= 0 && cl.stopfd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN};

		ev.data.fd = cl.stopfd;
		if (epoll_ctl(cl.epfd, EPOLL_CTL_ADD, cl.stopfd, &ev) != 0) {
			close(cl.epfd);
			cl.epfd = -1;
		}
	}
	if (!cl.where || cl.stopfd < 0 || e < 0 || cl.epfd < 0) {
		free(cl.where);
		cl.where = NULL;
		if (cl.stopfd >= 0)
			close(cl.stopfd);
		cl.stopfd = -1;
		bus_caller_done(&cl.caller);
		if (cl.epfd >= 0)
			close(cl.epfd);
		cl.epfd = -1;
		return LINEERR_NOMEM;
	}
	e = client_bus_connect(s, &cl.bus);
	cl.direct = e >= 0 && go_direct(&cl.bus) == 0;
	/* a child of fork() must not inherit a lock held, whatever the
	 * connection (a call through the bus holds cl.conn too) */
	{
		static pthread_once_t once = PTHREAD_ONCE_INIT;

		pthread_once(&once, watch_forks);
	}
	/* and on a direct connection, the channel if tapixd gives one */
	if (cl.direct && cchan_open(cl.bus, &cl.chan) == 0) {
		struct epoll_event ev = {.events = EPOLLIN};

		ev.data.fd = cchan_msg_fd(cl.chan);
		if (epoll_ctl(cl.epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) != 0)
			e = -errno;
	}
	if (e >= 0)
		e = sd_bus_match_signal(cl.bus, &msg_slot, NULL, BUS_PATH,
		                        BUS_IFACE, "Messages", on_messages,
		                        NULL);
	if (e >= 0 && cl.direct)
		e = sd_bus_match_signal(cl.bus, &owner_slot, NULL,
		                        "/org/freedesktop/DBus/Local",
		                        "org.freedesktop.DBus.Local",
		                        "Disconnected", on_closed, NULL);
	else if (e >= 0)
		e = sd_bus_add_match(cl.bus, &owner_slot, OWNER_MATCH, on_owner,
		                     NULL);
	if (e >= 0) {
		struct epoll_event ev = {.events = EPOLLIN};

		e = sd_bus_get_fd(cl.bus);
		if (e >= 0) {
			ev.data.fd = fcntl(e, F_DUPFD_CLOEXEC, 0);
			e = ev.data.fd < 0 ? -errno : 0;
		}
		if (e >= 0 &&
		    epoll_ctl(cl.epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) != 0) {
			e = -errno;
			close(ev.data.fd);
		}
		if (e >= 0)
			cl.watched = ev.data.fd;
	}
	if (e >= 0 && pthread_create(&cl.reader, NULL, reader_main, NULL) == 0)
		cl.reader_on = true;
	else if (e >= 0)
		e = -EAGAIN;
	if (e < 0) {
		log_err("cannot reach tapixd on %s: %s", s, strerror(-e));
		bus_close();
		return LINEERR_NODRIVER;
	}
	return 0;
}

static int new_call(const char *member, sd_bus_message **m)
{
	if (!cl.bus)
		return -ENOTCONN;
	/* a direct connection has no names */
	return sd_bus_message_new_method_call(cl.bus, m,
	                                      cl.direct ? NULL : BUS_NAME,
	                                      BUS_PATH, BUS_IFACE, member);
}

/*
 * Sends @m (consumed), waits for the reply (*reply, unref it) and reads
 * its LONG result. Any D-Bus failure is LINEERR_OPERATIONFAILED. In
 * flight (begin), cl.conn held, released while waiting; never cl.state.
 */
static LONG call(sd_bus_message *m, sd_bus_message **reply)
{
	int32_t r = LINEERR_OPERATIONFAILED;

	assert_held(HOLD_CONN);
	assert_free(HOLD_STATE);
	assert(cl.flights);
	if (bus_caller_call(&cl.caller, cl.bus, m, CALL_USEC, reply) < 0)
		return LINEERR_OPERATIONFAILED;
	if (sd_bus_message_read(*reply, "i", &r) < 0)
		r = LINEERR_OPERATIONFAILED;
	return r;
}

/* Appends an optional input structure: its dwTotalSize bytes, or none. */
static int append_struct(sd_bus_message *m, const void *s)
{
	DWORD total = 0;

	if (s)
		memcpy(&total, s, 4);
	if (total > MAX_STRUCT)
		total = MAX_STRUCT;
	if (s && total < 4)
		total = 4; /* the service answers STRUCTURETOOSMALL */
	return sd_bus_message_append_array(m, 'y', s, s ? total : 0);
}

/* Copies an output structure from @reply into @buf (r was 0). */
static LONG read_struct(sd_bus_message *reply, void *buf)
{
	const void *p;
	size_t n;
	DWORD total;

	if (sd_bus_message_read_array(reply, 'y', &p, &n) < 0)
		return LINEERR_OPERATIONFAILED;
	memcpy(&total, buf, 4);
	if (n > total)
		return LINEERR_OPERATIONFAILED;
	memcpy(buf, p, n);
	return 0;
}

/* ---- registrations ---------------------------------------------------------
 */

static LONG do_init(LPHLINEAPP lph, uint32_t mode, LINECALLBACK cb, LPCSTR name,
                    uint32_t api, bool legacy, int portfd, DWORD_PTR key,
                    DWORD *ndevs, DWORD *ver_out, int *evfd)
{
	struct flight f;
	sd_bus_message *m = NULL, *reply = NULL;
	uint32_t h = 0, n = 0, ver = 0;
	struct capp *a;
	LONG r;
	int e;

	conn_lock();
	a = calloc(1, sizeof(*a));
	if (!a) {
		r = LINEERR_NOMEM;
		goto out;
	}
	a->mode = mode;
	a->refs = 1;
	e = msgq_init(&a->q, &capp_msgq_ops, mode, cb, portfd, key);
	if (e) {
		free(a);
		r = e == -ENOMEM ? LINEERR_NOMEM : LINEERR_RESOURCEUNAVAIL;
		goto out;
	}
	for (;;) {
		r = reinit_pending();
		if (!r)
			r = bus_open();
		if (r) {
			app_unref(a);
			goto out;
		}
		begin(&f);
		if (cl.bus)
			break;
		/* the last registration's end closed it while we waited */
		settle(&f, false);
	}
	e = new_call("Initialize", &m);
	if (e >= 0)
		e = sd_bus_message_append(m, "ssuu", name ? name : "",
		                          program_invocation_short_name, api,
		                          legacy ? 1 : 0);
	if (e < 0) {
		sd_bus_message_unref(m);
		settle(&f, false);
		app_unref(a);
		r = LINEERR_NOMEM;
		goto out;
	}
	cl.initializing++; /* (on_messages) */
	r = call(m, &reply);
	if (r == 0 && sd_bus_message_read(reply, "uuu", &h, &n, &ver) < 0)
		r = LINEERR_OPERATIONFAILED;
	if (r == 0) {
		snprintf(a->server, sizeof(a->server), "%s",
		         sd_bus_message_get_sender(reply)
		                 ? sd_bus_message_get_sender(reply)
		                 : "");
		memcpy(cl.tapixd, a->server, sizeof(cl.tapixd));
	}
	cl.initializing--;
	sd_bus_message_unref(reply);
	if (r) {
		settle(&f, false);
		app_unref(a);
		goto out;
	}
	a->h = a->q.h = h;
	state_lock();
	/* a successor of the tapixd of the others: they are void, and this
	 * one waits until they are shut down (reinit_pending) */
	if (!cl.direct && lose_others(a->server))
		r = LINEERR_REINIT;
	if (!r) {
		a->refs++; /* the delivery thread's, if it has one */
		if (msgq_start_locked(&a->q) != 0)
			r = LINEERR_RESOURCEUNAVAIL;
		if (!a->q.has_thread)
			a->refs--;
	}
	if (r) {
		app_unref(a);
		state_unlock();
		settle(&f, false);
		/* the service holds a registration nobody uses (the
		 * messages for it are dropped: it is nobody's here) */
		m = NULL;
		begin(&f);
		if (new_call("Shutdown", &m) >= 0 &&
		    sd_bus_message_append(m, "u", h) >= 0) {
			call(m, &reply);
			sd_bus_message_unref(reply);
		} else {
			sd_bus_message_unref(m);
		}
		settle(&f, false);
		goto out;
	}
	a->next = cl.apps;
	cl.apps = a;
	__atomic_store_n(&client_napps, client_napps + 1, __ATOMIC_RELEASE);
	*evfd = a->q.evfd;
	state_unlock();
	*lph = h;
	*ndevs = n;
	if (ver_out)
		*ver_out = ver;
	settle(&f, false);
out:
	/* a failed first registration leaves no connection behind */
	if (r && !napps() && cl.bus) {
		quiesce();
		if (!napps() && cl.bus)
			bus_close();
	}
	conn_unlock();
	return r;
}

LONG cl_lineInitializeEx(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                         LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                         LPDWORD lpdwAPIVersion,
                         LPLINEINITIALIZEEXPARAMS lpParams)
{
	uint32_t mode = lpParams->dwOptions &
	                ~(uint32_t)LINEINITIALIZEEXOPTION_CALLHUBTRACKING;
	uint32_t api = *lpdwAPIVersion < VER_HIGH ? *lpdwAPIVersion : VER_HIGH;
	HLINEAPP h = 0;
	DWORD ndevs = 0, ver = 0;
	int evfd = -1;
	LONG r;

	r = do_init(
		&h, mode,
		mode == LINEINITIALIZEEXOPTION_USEHIDDENWINDOW ? lpfnCallback
							       : NULL,
		lpszFriendlyAppName, api, false,
		mode == LINEINITIALIZEEXOPTION_USECOMPLETIONPORT
			? TAPIX_HANDLE_TO_FD(lpParams->Handles.hCompletionPort)
			: -1,
		lpParams->dwCompletionKey, &ndevs, &ver, &evfd);
	if (r)
		return r;
	*lphLineApp = h;
	*lpdwNumDevs = ndevs;
	*lpdwAPIVersion = ver;
	lpParams->dwNeededSize = lpParams->dwUsedSize =
		sizeof(LINEINITIALIZEEXPARAMS);
	if (mode == LINEINITIALIZEEXOPTION_USEEVENT)
		lpParams->Handles.hEvent = TAPIX_FD_TO_HANDLE(evfd);
	return 0;
}

LONG cl_lineInitialize(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                       LPCSTR lpszAppName, LPDWORD lpdwNumDevs)
{
	HLINEAPP h = 0;
	DWORD ndevs = 0;
	int evfd;
	LONG r;

	r = do_init(&h, LINEINITIALIZEEXOPTION_USEHIDDENWINDOW, lpfnCallback,
	            lpszAppName, VER_1_4, true, -1, 0, &ndevs, NULL, &evfd);
	if (r)
		return r;
	*lphLineApp = h;
	*lpdwNumDevs = ndevs;
	return 0;
}

LONG cl_lineShutdown(HLINEAPP hLineApp)
{
	struct flight f;
	sd_bus_message *m = NULL;
	struct capp *a;
	struct ckept *kept;
	bool lost, gone, kill;
	LONG r;
	int e;

	/* cl.conn held throughout but for the delivery thread's end: @a
	 * stays in the list meanwhile (only this kills, with it held) */
	conn_lock();
	state_lock();
	a = app_find(hLineApp);
	lost = a && a->lost;
	if (a) {
		a->life = CAPP_CLOSING; /* invalid for others at once */
		a->kept = NULL;
		a->kept_end = &a->kept;
	}
	state_unlock();
	if (!a) {
		conn_unlock();
		return LINEERR_INVALAPPHANDLE;
	}
	if (lost) {
		/* its tapixd is gone: nothing to tell a successor */
		r = 0;
	} else {
		sd_bus_message *reply = NULL;

		begin(&f);
		e = new_call("Shutdown", &m);
		if (e >= 0)
			e = sd_bus_message_append(m, "u", hLineApp);
		if (e >= 0) {
			r = call(m, &reply);
		} else {
			sd_bus_message_unref(m);
			r = LINEERR_NOMEM;
		}
		sd_bus_message_unref(reply);
		settle(&f, true);
	}
	/* the service gone (lost, or the bus closed): so is the app */
	/* (in a child of fork(), sd-bus answers -ECHILD: gone for it) */
	gone = sd_bus_is_open(cl.bus) <= 0;
	state_lock();
	kill = r == 0 || a->lost || gone;
	kept = a->kept;
	a->kept = NULL;
	if (kill) {
		/* spec: termination.md §6 — nothing is delivered after it */
		app_kill(a);
	} else {
		/* tapixd refused: it lives on, with what came meanwhile (as
		 * a failed lineClose's open, termination.md §5.2) */
		a->life = CAPP_ALIVE;
		for (struct ckept *k = kept; k; k = k->next)
			take_msg(&k->c, cl.direct ? NULL : a->server);
	}
	state_unlock();
	kept_free(kept);
	if (kill) {
		/* neither lock: a callback running may be calling in */
		conn_unlock();
		msgq_stop(&a->q);
		conn_lock();
		state_lock();
		app_unref(a);
		state_unlock();
		r = 0;
		/* the last one: the connection goes with it (its reader
		 * thread, its channel), as the embedded session ends; not
		 * twice (another close may be joining the reader) */
		if (!napps()) {
			quiesce();
			if (!napps() && cl.bus)
				bus_close();
		}
	}
	conn_unlock();
	return r;
}

#define GETID_MAX 4096 /* the core's bound on a lineGetID answer */

/*
 * Replaces the descriptors a TAPIXWAVEID in @id names (indexes into the
 * reply's array, -1 for none) by copies of the reply's own, which go with
 * the message. LINEERR_OPERATIONFAILED (and nothing kept) if one is
 * missing or cannot be copied.
 */
static LONG take_wave_fds(sd_bus_message *reply, LPVARSTRING id, size_t len)
{
	int got[2] = {-1, -1}, mine[2] = {-1, -1};
	unsigned n = 0, i;
	TAPIXWAVEID w;
	LONG r = 0;
	int fd;

	if (sd_bus_message_enter_container(reply, 'a', "h") < 0)
		return LINEERR_OPERATIONFAILED;
	while (n < 2 && sd_bus_message_read(reply, "h", &fd) > 0)
		got[n++] = fd;
	sd_bus_message_exit_container(reply);
	if (id->dwStringFormat != STRINGFORMAT_BINARY ||
	    id->dwStringSize != sizeof(w) || id->dwUsedSize > len ||
	    (size_t)id->dwStringOffset + sizeof(w) > id->dwUsedSize)
		return n ? LINEERR_OPERATIONFAILED : 0;
	memcpy(&w, (char *)id + id->dwStringOffset, sizeof(w));
	for (i = 0; i < 2; i++) {
		INT *at = i ? &w.fdOut : &w.fdIn;

		if (*at == -1)
			continue;
		if (*at < 0 || (unsigned)*at >= n ||
		    (mine[i] = fcntl(got[*at], F_DUPFD_CLOEXEC, 3)) < 0) {
			r = LINEERR_OPERATIONFAILED;
			break;
		}
		*at = mine[i];
	}
	if (r) {
		for (i = 0; i < 2; i++)
			if (mine[i] >= 0)
				close(mine[i]);
		return r;
	}
	memcpy((char *)id + id->dwStringOffset, &w, sizeof(w));
	return 0;
}

/*
 * lineGetID through tapixd (calls.def: GetID, written here): tapixd asks
 * its core and sends back the VARSTRING and, for a call's audio, the
 * descriptors, which become this process's own (docs/media.md).
 */
LONG cl_lineGetIDA(HLINE hLine, DWORD dwAddressID, HCALL hCall, DWORD dwSelect,
                   LPVARSTRING lpDeviceID, LPCSTR lpszDeviceClass)
{
	struct flight f;
	sd_bus_message *m = NULL, *reply = NULL;
	DWORD total = 0;
	LONG r;
	int e;

	if (lpDeviceID)
		memcpy(&total, lpDeviceID, sizeof(total));
	conn_lock();
	begin(&f);
	e = new_call("GetID", &m);
	if (e == -ENOTCONN) {
		settle(&f, false);
		conn_unlock();
		return LINEERR_UNINITIALIZED;
	}
	if (e >= 0)
		e = sd_bus_message_append(
			m, "uuuububs", (uint32_t)hLine, (uint32_t)dwAddressID,
			(uint32_t)hCall, (uint32_t)dwSelect, lpDeviceID != NULL,
			total, lpszDeviceClass != NULL,
			lpszDeviceClass ? lpszDeviceClass : "");
	if (e < 0) {
		sd_bus_message_unref(m);
		settle(&f, false);
		conn_unlock();
		return LINEERR_NOMEM;
	}
	r = call(m, &reply);
	if (r == 0 && lpDeviceID) {
		/* nothing of the app's is written unless all is well */
		const void *p = NULL;
		size_t n = 0;
		union {
			VARSTRING vs;
			char buf[GETID_MAX];
		} *tmp = NULL;

		if (sd_bus_message_read_array(reply, 'y', &p, &n) < 0 ||
		    n < sizeof(VARSTRING) || n > total || n > GETID_MAX ||
		    !(tmp = calloc(1, sizeof(*tmp)))) {
			r = LINEERR_OPERATIONFAILED;
		} else {
			memcpy(tmp->buf, p, n);
			r = take_wave_fds(reply, &tmp->vs, n);
			if (r == 0)
				memcpy(lpDeviceID, tmp->buf, n);
		}
		free(tmp);
	}
	sd_bus_message_unref(reply);
	settle(&f, false);
	conn_unlock();
	return r;
}

#define GATHERS_MAX 256 /* gathers of this process not yet ended */

/*
 * lineGatherDigits through tapixd (calls.def: GatherDigits, written
 * here): the buffer is noted before the request goes (its digits and
 * LINE_GATHERDIGITS may come before the reply) and forgotten if it
 * fails; tapixd's RPC_MSG_DIGITS fill it, its LINE_GATHERDIGITS ends it.
 */
LONG cl_lineGatherDigitsA(HCALL hCall, DWORD dwDigitModes, LPSTR lpsDigits,
                          DWORD dwNumDigits, LPCSTR lpszTerminationDigits,
                          DWORD dwFirstDigitTimeout, DWORD dwInterDigitTimeout)
{
	struct flight f;
	sd_bus_message *m = NULL, *reply = NULL;
	struct cgather *g = NULL, **pp;
	LONG r;
	int e;

	conn_lock();
	begin(&f);
	e = new_call("GatherDigits", &m);
	if (e == -ENOTCONN) {
		settle(&f, false);
		conn_unlock();
		return LINEERR_UNINITIALIZED;
	}
	if (e >= 0)
		e = sd_bus_message_append(
			m, "uububsuu", (uint32_t)hCall, (uint32_t)dwDigitModes,
			lpsDigits != NULL, (uint32_t)dwNumDigits,
			lpszTerminationDigits != NULL,
			lpszTerminationDigits ? lpszTerminationDigits : "",
			(uint32_t)dwFirstDigitTimeout,
			(uint32_t)dwInterDigitTimeout);
	/* a count tapixd refuses needs no note: nothing will be written */
	if (e >= 0 && lpsDigits && dwNumDigits &&
	    dwNumDigits <= RPC_GATHER_MAX) {
		state_lock();
		if (cl.ngathers >= GATHERS_MAX) {
			state_unlock();
			sd_bus_message_unref(m);
			settle(&f, false);
			conn_unlock();
			return LINEERR_RESOURCEUNAVAIL;
		}
		g = calloc(1, sizeof(*g));
		if (g) {
			g->call = hCall;
			g->buf = lpsDigits;
			g->n = dwNumDigits;
			for (pp = &cl.gathers; *pp; pp = &(*pp)->next)
				;
			*pp = g;
			cl.ngathers++;
		} else {
			e = -ENOMEM;
		}
		state_unlock();
	}
	if (e < 0) {
		sd_bus_message_unref(m);
		settle(&f, false);
		conn_unlock();
		return LINEERR_NOMEM;
	}
	r = call(m, &reply);
	if (g) {
		uint32_t line = 0, id = 0;

		state_lock();
		/* still noted unless its call went meanwhile */
		for (pp = &cl.gathers; *pp && *pp != g; pp = &(*pp)->next)
			;
		if (*pp && r && reply) {
			gathers_drop(0, 0, g); /* tapixd refused it */
		} else if (*pp && r) {
			/* no answer: tapixd may have it; what comes of it is
			 * not the app's any more */
			g->buf = NULL;
		} else if (*pp &&
		           sd_bus_message_read(reply, "uu", &line, &id) > 0) {
			g->line = line; /* forgotten with it */
			g->id = id;
		}
		state_unlock();
	}
	sd_bus_message_unref(reply);
	settle(&f, false);
	conn_unlock();
	return r;
}

LONG cl_lineGetMessage(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage,
                       DWORD dwTimeout)
{
	struct capp *a;
	LONG r;

	/* the queue's lock only: a call waiting for tapixd holds up no
	 * message already here */
	state_lock();
	a = app_find(hLineApp);
	/* spec: tapi-functions.md §7 — only for USEEVENT registrations */
	if (!a || a->mode != LINEINITIALIZEEXOPTION_USEEVENT) {
		r = LINEERR_INVALAPPHANDLE;
		goto out;
	}
	if (!lpMessage) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	a->refs++;
	r = msgq_wait_locked(&a->q, lpMessage, dwTimeout);
	app_unref(a);
out:
	state_unlock();
	return r;
}

/* ---- requests that write handles, the channel -------------------------------
 */

/* A request of @op on handle @h (its data follows, if any). */
static void chan_req_init(struct chan_req *q, enum chan_op op, uint32_t h)
{
	memset(q, 0, offsetof(struct chan_req, data));
	q->op = op;
	q->h = h;
}

/*
 * After a request that writes handles: remember where, for its LINE_REPLY.
 * The reply cannot have been dispatched yet: the call is in flight until
 * settle, and no message is dispatched meanwhile. Without memory for it,
 * the handles are lost. cl.conn held, cl.state not.
 */
static void remember(LONG req, uint32_t line, HCALL *p1, HCALL *p2)
{
	struct cpend *p;
	struct capp *a;

	assert_held(HOLD_CONN);
	if (req <= 0 || (!p1 && !p2))
		return;
	p = calloc(1, sizeof(*p));
	state_lock();
	a = app_of_line(line);
	if (!a) {
		/* termination.md §5.2: its open is closed (while closing,
		 * its LINE_REPLY is kept back: written only if the close
		 * fails) */
		state_unlock();
		free(p);
		return;
	}
	if (!p) {
		state_unlock();
		log_err("request %08x: out of memory, its handles will not "
		        "be written",
		        (unsigned)req);
		return;
	}
	p->req = req;
	p->line = line;
	p->p[0] = p1;
	p->p[1] = p2;
	p->np = 2;
	p->next = a->pend;
	a->pend = p;
	cl.npend++;
	state_unlock();
}

/*
 * Makes request @q through the channel, if there is one and no other call
 * is in it: true and *@r, or false (then D-Bus). A creating request (@p1
 * not NULL) has its handle written at its LINE_REPLY, which may be among
 * the call's messages (left in the ring for settle). In flight (begin),
 * cl.conn held, released while waiting; never cl.state.
 */
static bool via_channel(struct flight *f, const struct chan_req *q, LONG *r,
                        HCALL *p1)
{
	struct cchan *ch;
	int32_t res = 0;
	uint32_t line = 0;
	int e;

	assert_held(HOLD_CONN);
	assert_free(HOLD_STATE);
	assert(cl.flights);
	/* (busy: another thread's cchan_call may be marking it dead) */
	if (!(ch = channel()) || cl.chan_busy || cchan_dead(ch))
		return false;
	/* (it stays: the connection closes with no call in flight) */
	cl.chan_busy = true;
	f->chan = true;
	caller_unlock();
	e = cchan_call(ch, q, CALL_USEC, &res, &line);
	caller_lock();
	cl.chan_busy = false;
	if (e < 0)
		log_err("tapixd: %s", strerror(-e));
	*r = e < 0 ? LINEERR_OPERATIONFAILED : res;
	if (e == 0)
		remember(*r, line, p1, NULL);
	cchan_end(ch);
	return true;
}

/* ---- the forwarded calls (src/rpc/calls.def) -------------------------------
 *
 * Every RPC row of the table is one method call made by the same code,
 * driven by the row's kinds (rpc/rpc.h), the mirror of tapixd's served
 * path: its channel request when the row has an op and the arguments fit
 * one, else its method's arguments; then what the reply gives back
 * (structures, numbers, a new open, the open of a request that writes
 * handles at its LINE_REPLY), the messages read meanwhile, and what a
 * success kills here (an open, a call handle). The function's arguments
 * are v, by parameter, each as a uintptr_t (RPC_PACK).
 */

/* Whether kind @k is a parameter of the function (not wire only). */
static bool is_param(unsigned k)
{
	return k != RPC_K_ZERO && k != RPC_K_LINE_OF && k != RPC_K_OUT_FDS &&
	       k != RPC_K_CALL_LINE;
}

/* The bytes of user-user information sent for a pointer @uui and its
 * dwSize @size: the service sees the size, the core checks it against
 * the line's limits first, so a huge one is sent truncated. */
static DWORD uui_len(uintptr_t uui, uintptr_t size)
{
	DWORD n = uui ? (DWORD)size : 0;

	return n > MAX_STRUCT ? MAX_STRUCT : n;
}

/*
 * @row's request on the channel into @q, with @v: false when the row has
 * no op or these arguments do not fit one (an input structure, a string
 * or user-user information beyond CHAN_DATA).
 */
static bool row_chan_req(const struct rpc_row *row, const uintptr_t *v,
                         struct chan_req *q)
{
	unsigned j, p = 0, nums = 0;
	size_t n;

	if (!row->chan)
		return false;
	chan_req_init(q, (enum chan_op)row->chan, 0);
	for (j = 0; j < row->nkinds; j++) {
		switch (row->kinds[j]) {
		case RPC_K_H:
			q->h = (uint32_t)v[p];
			break;
		case RPC_K_OUT_CALL:
			if (v[p])
				q->flags |= CHAN_HAS_PTR;
			break;
		case RPC_K_STR:
			if (!v[p])
				break;
			n = strlen((const char *)v[p]);
			if (n >= sizeof(q->data))
				return false;
			q->flags |= CHAN_HAS_DATA;
			q->len = (uint32_t)n + 1;
			memcpy(q->data, (const char *)v[p], n + 1);
			break;
		case RPC_K_UUI:
			n = uui_len(v[p], v[p + 1]);
			if (n > sizeof(q->data))
				return false;
			if (v[p])
				q->flags |= CHAN_HAS_DATA;
			q->len = (uint32_t)n;
			if (n)
				memcpy(q->data, (const void *)v[p], n);
			break;
		case RPC_K_SIZE:
		case RPC_K_U32:
			/* the first number in arg, the next in hint */
			if (nums++)
				q->hint = (uint32_t)v[p];
			else
				q->arg = (uint32_t)v[p];
			break;
		case RPC_K_PARAMS:
			if (v[p])
				return false; /* the method takes those */
			break;
		case RPC_K_LINE_OF:
			break;
		default:
			return false;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	return true;
}

/* Appends @row's method arguments from @v to @m: 0, or -errno. */
static int row_append(sd_bus_message *m, const struct rpc_row *row,
                      const uintptr_t *v)
{
	unsigned j, p = 0;
	DWORD total;
	int e = 0;

	for (j = 0; j < row->nkinds && e >= 0; j++) {
		switch (row->kinds[j]) {
		case RPC_K_ZERO:
			e = sd_bus_message_append(m, "u", 0u);
			break;
		case RPC_K_U64:
			e = sd_bus_message_append(m, "t", (uint64_t)v[p]);
			break;
		case RPC_K_STR:
			e = sd_bus_message_append(m, "bs", v[p] != 0,
			                          v[p] ? (const char *)v[p]
			                               : "");
			break;
		case RPC_K_UUI:
			e = sd_bus_message_append(m, "b", v[p] != 0);
			if (e >= 0)
				e = sd_bus_message_append_array(
					m, 'y', (const void *)v[p],
					uui_len(v[p], v[p + 1]));
			break;
		case RPC_K_PARAMS:
			e = append_struct(m, (const void *)v[p]);
			break;
		case RPC_K_WATCH: {
			/* counted by the next argument (RPC_K_SIZE) */
			size_t k = v[p + 1] < RPC_MAX_TONES ? v[p + 1]
			                                    : RPC_MAX_TONES;

			e = sd_bus_message_append(m, "b", v[p] != 0);
			if (e >= 0)
				e = sd_bus_message_append_array(
					m, 'y', (const void *)v[p],
					v[p] ? k * sizeof(LINEMONITORTONE) : 0);
			break;
		}
		case RPC_K_TONES: {
			/* counted by the argument before; read only for a
			 * custom tone (the mode: lineGenerateTone's second
			 * argument), as the core reads them */
			size_t k = v[p - 1] < RPC_MAX_TONES ? v[p - 1]
			                                    : RPC_MAX_TONES;

			if (!v[p] || v[1] != LINETONEMODE_CUSTOM)
				k = 0;
			e = sd_bus_message_append_array(
				m, 'y', (const void *)v[p],
				k * sizeof(LINEGENERATETONE));
			break;
		}
		case RPC_K_OUT_STRUCT:
			total = 0;
			if (v[p])
				memcpy(&total, (const void *)v[p], 4);
			e = sd_bus_message_append(m, "bu", v[p] != 0, total);
			break;
		case RPC_K_OUT_U32:
		case RPC_K_OUT_EXT:
		case RPC_K_OUT_LINE:
		case RPC_K_OUT_CALL:
		case RPC_K_OUT_CONF_CALL:
			e = sd_bus_message_append(m, "b", v[p] != 0);
			break;
		case RPC_K_LINE_OF:
			break;
		default: /* the handles, device ids and other numbers */
			e = sd_bus_message_append(m, "u", (uint32_t)v[p]);
			break;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	return e;
}

/*
 * What @reply (NULL: the call failed) gives back for @row, whose result
 * is @r: into the app's memory of @v when every value could be read (else
 * LINEERR_OPERATIONFAILED), and the open of a request that writes the
 * handles @out at its LINE_REPLY into *@line. The result.
 */
static LONG row_read(sd_bus_message *reply, const struct rpc_row *row,
                     const uintptr_t *v, LONG r, uint32_t *line)
{
	uint32_t u32 = 0, hline = 0;
	const void *ext = NULL;
	unsigned j, p;
	size_t n;

	for (j = 0, p = 0; j < row->nkinds; j++) {
		switch (row->kinds[j]) {
		case RPC_K_OUT_STRUCT:
			if (r == 0 && v[p])
				r = read_struct(reply, (void *)v[p]);
			break;
		case RPC_K_OUT_U32:
			if (r == 0 && sd_bus_message_read(reply, "u", &u32) < 0)
				r = LINEERR_OPERATIONFAILED;
			break;
		case RPC_K_OUT_EXT:
			if (r == 0 && (sd_bus_message_read_array(
					       reply, 'y', &ext, &n) < 0 ||
			               n != sizeof(LINEEXTENSIONID)))
				r = LINEERR_OPERATIONFAILED;
			break;
		case RPC_K_OUT_LINE:
			/* a success without the handle is no success */
			if (r == 0 &&
			    sd_bus_message_read(reply, "u", &hline) < 0)
				r = LINEERR_OPERATIONFAILED;
			break;
		case RPC_K_LINE_OF:
			if (reply && sd_bus_message_read(reply, "u", line) < 0)
				*line = 0;
			break;
		default:
			break;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	if (r != 0)
		return r;
	for (j = 0, p = 0; j < row->nkinds; j++) {
		void *to = (void *)v[p];

		if (row->kinds[j] == RPC_K_OUT_U32 && to)
			memcpy(to, &(DWORD){u32}, sizeof(DWORD));
		if (row->kinds[j] == RPC_K_OUT_EXT && to)
			memcpy(to, ext, sizeof(LINEEXTENSIONID));
		if (row->kinds[j] == RPC_K_OUT_LINE) {
			/* a new open of the app (the H_APP handle) */
			struct capp *a;

			state_lock();
			a = app_find((HLINEAPP)v[0]);
			if (a)
				line_add(a, hline);
			state_unlock();
			if (to)
				*(HLINE *)to = hline;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	return 0;
}

/* The handles @row's request writes at its LINE_REPLY, from @v: the
 * OUT_CALL pointers, OUT_CONF_CALL's in conference mode only. */
static void row_outs(const struct rpc_row *row, const uintptr_t *v,
                     HCALL *out[2])
{
	unsigned j, p, n = 0;

	out[0] = out[1] = NULL;
	for (j = 0, p = 0; j < row->nkinds && n < 2; j++) {
		if (row->kinds[j] == RPC_K_OUT_CALL)
			out[n++] = (HCALL *)v[p];
		if (row->kinds[j] == RPC_K_OUT_CONF_CALL)
			out[n++] = v[p + 1] == LINETRANSFERMODE_CONFERENCE
			                   ? (HCALL *)v[p]
			                   : NULL;
		if (is_param(row->kinds[j]))
			p++;
	}
}

/* After @row's success on handle @h: the messages queued here for what
 * it killed go, as the core drops them. cl.conn held (the dispatch that
 * followed the reply is over), cl.state not. */
static void row_kills(const struct rpc_row *row, uint32_t h)
{
	struct capp *a;

	if (!(row->flags & (RPC_KILLS_LINE | RPC_KILLS_CALL)))
		return;
	assert_held(HOLD_CONN);
	state_lock();
	if (row->flags & RPC_KILLS_LINE) {
		/* every message sent before the reply is queued now (drain):
		 * those about the open and its calls go */
		a = app_of_line(h);
		if (a) {
			q_purge(a, h, true);
			pend_drop_line(a, h);
			line_del(a, h);
		}
		gathers_drop(0, h, NULL);
	}
	if (row->flags & RPC_KILLS_CALL) {
		for (a = cl.apps; a; a = a->next)
			q_purge(a, h, false);
		gathers_drop(h, 0, NULL);
	}
	state_unlock();
}

/*
 * The lineClose of @k ended with @r: what came for the open meanwhile is
 * dropped (done: the open's messages and handles died with it), or taken
 * now (refused: the open lives on). cl.conn held.
 */
static void close_settle(struct capp *a, struct cclose *k, LONG r)
{
	struct ckept *m, *next;

	assert_held(HOLD_CONN);
	state_lock();
	m = close_end(a, k);
	for (; m; m = next) {
		next = m->next;
		/* (kept for its lineShutdown if one is on its way) */
		if (r != 0 && a->life != CAPP_DEAD)
			take_msg(&m->c, cl.direct ? NULL : a->server);
		free(m);
	}
	app_unref(a);
	state_unlock();
}

/* Row @idx of the table, called with the arguments @v: its result. */
static LONG row_call(unsigned idx, const uintptr_t *v)
{
	struct flight f;
	const struct rpc_row *row = &rpc_rows[idx];
	sd_bus_message *m = NULL, *reply = NULL;
	struct chan_req q;
	struct capp *closing = NULL; /* the app whose open it closes */
	struct cclose close = {.next = NULL};
	HCALL *out[2];
	uint32_t line = 0;
	unsigned j;
	LONG r;
	int e;

	row_outs(row, v, out);
	conn_lock();
	if (row->flags & RPC_KILLS_LINE) {
		state_lock();
		closing = app_of_line((HLINE)v[0]);
		if (closing) {
			/* (a reference: a lineShutdown may come meanwhile) */
			closing->refs++;
			close.line = (HLINE)v[0];
			close.kept_end = &close.kept;
			close.next = closing->closes;
			closing->closes = &close;
		}
		state_unlock();
	}
	for (j = 0; j < row->nkinds; j++) {
		struct capp *a;
		bool lost;

		if (row->kinds[j] != RPC_K_OUT_LINE)
			continue;
		/* spec: tapi-functions.md §5 — no new open while a
		 * reinitialization is pending */
		state_lock();
		lost = (a = app_find((HLINEAPP)v[0])) && a->lost;
		state_unlock();
		if (lost) {
			r = LINEERR_REINIT;
			goto out;
		}
	}
	begin(&f);
	if (row_chan_req(row, v, &q) && via_channel(&f, &q, &r, out[0]))
		goto done;
	/* m is read after new_call() set it: two statements */
	e = new_call(row->member, &m);
	if (e >= 0)
		e = row_append(m, row, v);
	if (e < 0) {
		sd_bus_message_unref(m);
		r = LINEERR_NOMEM;
		goto done;
	}
	r = call(m, &reply);
	r = row_read(reply, row, v, r, &line);
	sd_bus_message_unref(reply);
	/* the handles before any message is dispatched (the LINE_REPLY may
	 * be among those read meanwhile) */
	remember(r, line, out[0], out[1]);
done:
	/* a kill after the messages sent before it are queued */
	settle(&f, r == 0 && (row->flags & (RPC_KILLS_LINE | RPC_KILLS_CALL)));
	if (r == 0)
		row_kills(row, (uint32_t)v[0]);
out:
	if (closing)
		close_settle(closing, &close, r);
	conn_unlock();
	return r;
}

/* cl_<fn> of each RPC row (client.h): its arguments to row_call. */
#define RPC(fn, ret, params, ...)                         \
	ret cl_##fn(RPC_PROTO(params))                    \
	{                                                 \
		const uintptr_t v[] = {RPC_PACK(params)}; \
		return row_call(RPC_IDX_##fn, v);         \
	}
#include "rpc/calls.def"
