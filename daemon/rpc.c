/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: org.tapix.Tapi1, the interface libtapix uses in client mode (the
 * wire mapping is documented in docs/service.md). Every method is one
 * tapi.h function, called here on the embedded core for the client's own
 * registration: the client passes its handles, the service checks that
 * they belong to the sender, and answers with the function's result.
 * Messages of a registration go back to its client in order, as directed
 * Messages signals (each carries what was queued when it was sent);
 * handles a request creates ride with its LINE_REPLY,
 * and each message names the handle whose death voids it (its guard) and
 * the open that handle belongs to, so that the client drops what the app
 * may no longer receive exactly as the embedded core would.
 * A client that leaves the bus is shut down (lineShutdown of each of its
 * registrations, spec: termination.md §6). The same interface is served on
 * direct connections (peer.c): there the connection is the client.
 *
 * Issue 19: what clients may hold is bounded (tapixd.h, struct limits):
 * registrations and calls per user and in all, memory (mem_short); a
 * registration whose client takes no messages keeps at most
 * max_queued_messages of them here (its backlog), then the client is cut
 * off as a dead one; and a line the access rules take away is taken from
 * the registrations at once (rpc_rules_changed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <tapix/service.h>

#include "dlog.h"
#include "tapixd.h"

#define MAX_STRUCT  (1u << 20) /* most a query may ask the core to fill */
#define MAX_REGS    64         /* registrations of one client */
#define MAX_PENDING 4096       /* handle slots of one registration */

#define DEV_REVOKED 0xFFFFFFFEu /* in reg.devs: a line taken away */
#define DEV_UNKNOWN 0xFFFFFFFFu /* in ropen.dev: which line, not told */

#define MSGS_PER_SIGNAL 256   /* messages in one Messages signal */
#define PEER_QUEUE      64    /* signals sd-bus may hold for a client */
#define RETRY_MIN_USEC  5000  /* a full ring or socket: tried again */
#define RETRY_MAX_USEC  80000 /* ... less often while nothing moves */

/* Storage for the handles a request writes before its LINE_REPLY. */
struct slot {
	struct list_node link;
	LONG req;
	HLINE line; /* the open the request was made through */
	HCALL h[2];
	unsigned nh;
};

struct client;

/* An open of a registration: what taking its line back needs (issue 19
 * item 11). Kept until lineClose, LINE_CLOSE or the registration's end. */
struct ropen {
	struct list_node link;
	HLINE h;
	DWORD dev;       /* the core device, or DEV_UNKNOWN */
	uint64_t cbinst; /* its dwCallbackInstance, for LINE_CLOSE */
};

/* Messages of a registration its client has not taken yet (its ring or
 * socket full), in order: a ring that grows up to max_queued_messages. */
struct backlog {
	struct chan_msg *m;
	uint32_t cap, head, len;
};

/* One registration of a client (its HLINEAPP). */
struct reg {
	struct list_node link;
	struct client *cl;
	HLINEAPP h;
	DWORD api; /* the version it registered with */
	int fd;
	sd_event_source *io;
	struct list_node slots;
	unsigned nslots;
	DWORD ndevs;
	DWORD *devs; /* client device i is core device devs[i] (or revoked) */
	unsigned nrevoked;
	struct list_node opens;   /* struct ropen */
	unsigned nopens;          /* of them (max_opens_per_user) */
	struct list_node gathers; /* struct dgather, oldest first */
	unsigned ngathers;
	struct backlog q;
};

/*
 * A lineGatherDigits of a registration (calls.def's GatherDigits): the
 * buffer the core fills at its LINE_GATHERDIGITS, sent to the client
 * ahead of that message (RPC_MSG_DIGITS) and freed then, or when the call
 * handle, its open or the registration goes.
 */
struct dgather {
	struct list_node link;
	HCALL call;
	HLINE line;  /* the call's open when asked */
	uint32_t id; /* told the client, never 0 */
	DWORD n;
	char buf[]; /* n + 1 */
};

#define MAX_GATHERS 64 /* gathers of one registration not yet ended */

/* A process with registrations, tracked until it leaves. */
struct client {
	struct list_node link;
	char *name;   /* unique bus name, or a label of a direct one */
	sd_bus *peer; /* its direct connection, or NULL: on the bus */
	struct who who;
	sd_bus_track *track;
	struct list_node regs;
	unsigned nregs;
	struct chan *chan;           /* its channel (direct only), or NULL */
	sd_event_source *chan_io;    /* a request came while we slept */
	sd_event_source *chan_again; /* one came as our turn ended */
	sd_event_source *retry;      /* its ring was full: try again soon */
	uint64_t retry_usec;         /* when, from now */
	bool cut;                    /* cut off: ends at the next turn */
	sd_event_source *cut_src;    /* that turn */
};

static struct list_node clients = LIST_HEAD_INIT(clients);
static sd_bus_slot *vtable_slot;
static unsigned nregs_all;  /* registrations of all clients */
static unsigned nopens_all; /* their opens (struct ropen) */
static unsigned nslots_all; /* their handle slots (pending creations) */

/* Calls in all (issue 19 item 4): what the core counts, asked at most
 * every 10 ms (tapix_live_get asks every provider too), plus the calls
 * made since. */
static struct {
	uint64_t at;
	unsigned calls, made;
} all_calls;

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- clients and registrations --------------------------------------------
 */

/* The client of bus name @name, or (@name NULL) of direct @peer. */
static struct client *client_find(const char *name, sd_bus *peer)
{
	struct list_node *it;

	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		if (name ? !c->peer && strcmp(c->name, name) == 0
		         : c->peer == peer)
			return c;
	}
	return NULL;
}

static struct reg *reg_find(struct client *c, HLINEAPP h)
{
	struct list_node *it;

	if (!c)
		return NULL;
	list_foreach(it, &c->regs) {
		struct reg *r = list_entry(it, struct reg, link);

		if (r->h == h)
			return r;
	}
	return NULL;
}

static void slots_free(struct reg *r, HLINE line)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &r->slots) {
		struct slot *s = list_entry(it, struct slot, link);

		if (line && s->line != line)
			continue;
		list_del(&s->link);
		r->nslots--;
		nslots_all--;
		free(s);
	}
}

unsigned rpc_live_slots(void)
{
	struct list_node *it, *jt;
	unsigned n = 0;

	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		list_foreach(jt, &c->regs)
			n += list_entry(jt, struct reg, link)->nslots;
	}
	return n;
}

static void gathers_free(struct reg *r, HCALL call, HLINE line);

/* Forgets @r's record @o of an open. */
static void ropen_free(struct reg *r, struct ropen *o)
{
	list_del(&o->link);
	r->nopens--;
	nopens_all--;
	free(o);
}

/* Ends @r: lineShutdown (unless already done), then frees it. */
static void reg_end(struct reg *r, bool shutdown)
{
	struct client *c = r->cl;

	if (shutdown) {
		LONG e = lineShutdown(r->h);

		if (e)
			log_warn("app %08x: lineShutdown for %s: %08x", r->h,
			         c->name, (unsigned)e);
	}
	sd_event_source_unref(r->io);
	slots_free(r, 0);
	gathers_free(r, 0, 0);
	while (!list_empty(&r->opens))
		ropen_free(r, list_entry(r->opens.next, struct ropen, link));
	free(r->q.m);
	list_del(&r->link);
	c->nregs--;
	nregs_all--;
	free(r->devs);
	free(r);
}

/*
 * A channel its client did not take (another version's client, or one
 * whose Channel answer was lost): its messages go as signals, before it
 * has any. Its requests, if it ever sent some, are not read any more.
 */
static void chan_drop(struct client *c)
{
	log_info("%s: channel not taken: messages as signals", c->name);
	c->chan_io = sd_event_source_unref(c->chan_io);
	c->chan_again = sd_event_source_unref(c->chan_again);
	chan_free(c->chan);
	c->chan = NULL;
}

static void client_free(struct client *c)
{
	while (!list_empty(&c->regs))
		reg_end(list_entry(c->regs.next, struct reg, link), true);
	sd_event_source_unref(c->chan_io);
	sd_event_source_unref(c->chan_again);
	sd_event_source_unref(c->retry);
	sd_event_source_unref(c->cut_src);
	chan_free(c->chan);
	sd_bus_track_unref(c->track);
	list_del(&c->link);
	free(c->name);
	free(c);
}

/* After its last registration: a client with a channel stays until its
 * connection closes (the channel is the connection's). */
static void client_release(struct client *c)
{
	if (!c->nregs && !c->chan)
		client_free(c);
}

/* spec: termination.md §6 — a client that died is shut down at once */
static int client_gone(sd_bus_track *t, void *userdata)
{
	struct client *c = userdata;

	(void)t;
	log_info("client %s left the bus: %u registrations shut down", c->name,
	         c->nregs);
	client_free(c);
	return 0;
}

void rpc_peer_gone(sd_bus *bus)
{
	struct client *c = client_find(NULL, bus);

	if (c) {
		log_info("client %s closed: %u registrations shut down",
		         c->name, c->nregs);
		client_free(c);
	}
}

/* A label for the logs: "pid N (direct)". */
static char *peer_name(sd_bus *bus)
{
	sd_bus_creds *cr = NULL;
	pid_t pid = 0;
	char buf[48];

	if (sd_bus_get_owner_creds(bus, SD_BUS_CREDS_PID, &cr) >= 0)
		sd_bus_creds_get_pid(cr, &pid);
	sd_bus_creds_unref(cr);
	snprintf(buf, sizeof(buf), "pid %ld (direct)", (long)pid);
	return strdup(buf);
}

static struct client *client_get(sd_bus_message *m, bool create)
{
	sd_bus *bus = sd_bus_message_get_bus(m);
	sd_bus *peer = bus == d.bus ? NULL : bus;
	const char *name = peer ? NULL : sd_bus_message_get_sender(m);
	struct client *c;

	if (!name && !peer)
		return NULL;
	c = client_find(name, peer);
	if (c || !create)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	list_init(&c->regs);
	c->peer = peer;
	c->name = peer ? peer_name(peer) : strdup(name);
	if (!c->name || who_of(m, &c->who) < 0 ||
	    (!peer && (sd_bus_track_new(d.bus, &c->track, client_gone, c) < 0 ||
	               sd_bus_track_add_name(c->track, name) < 0))) {
		sd_bus_track_unref(c->track);
		free(c->name);
		free(c);
		return NULL;
	}
	list_add_tail(&clients, &c->link);
	return c;
}

/* The sender's registration @h, or NULL. */
static struct reg *own_app(sd_bus_message *m, HLINEAPP h)
{
	return reg_find(client_get(m, false), h);
}

/* @c's registration that has open @h / call handle @h, or NULL. */
static struct reg *line_of(struct client *c, HLINE h)
{
	HLINEAPP a = tapix_line_app(h);

	return a ? reg_find(c, a) : NULL;
}

static struct reg *call_of(struct client *c, HCALL h)
{
	HLINEAPP a = tapix_call_app(h);

	return a ? reg_find(c, a) : NULL;
}

/* The core device of client device @dev of @r, a device id that is not
 * valid (the core answers LINEERR_BADDEVICEID), or DEV_REVOKED (the
 * caller answers LINEERR_NODEVICE, as for a removed device). */
static DWORD core_dev(const struct reg *r, DWORD dev)
{
	return dev < r->ndevs ? r->devs[dev] : 0xFFFFFFF0u;
}

/* Client device of core device @dev, or -1 if @r does not see it. */
static long client_dev(const struct reg *r, DWORD dev)
{
	DWORD i;

	for (i = 0; i < r->ndevs; i++)
		if (r->devs[i] == dev)
			return (long)i;
	return -1;
}

/* Rewrites a DWORD device id at @off of a structure the core filled. */
static void map_dev_field(const struct reg *r, void *buf, size_t used,
                          size_t off)
{
	DWORD v;
	long c;

	if (used < off + 4)
		return;
	memcpy(&v, (char *)buf + off, 4);
	c = client_dev(r, v);
	v = c < 0 ? 0xFFFFFFFFu : (DWORD)c;
	memcpy((char *)buf + off, &v, 4);
}

/* Frees @r's gathers of call @call, or of open @line's calls, or (both
 * 0) all. */
static void gathers_free(struct reg *r, HCALL call, HLINE line)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &r->gathers) {
		struct dgather *g = list_entry(it, struct dgather, link);

		if ((call && g->call != call) || (line && g->line != line))
			continue;
		list_del(&g->link);
		r->ngathers--;
		free(g);
	}
}

/* Forgets open @h of @r (closed, or closed by its provider). */
static void ropen_forget(struct reg *r, HLINE h)
{
	struct list_node *it, *tmp;

	list_foreach_safe(it, tmp, &r->opens) {
		struct ropen *o = list_entry(it, struct ropen, link);

		if (o->h == h)
			ropen_free(r, o);
	}
}

/* Notes open @h of @r on core device @dev; false when out of memory. */
static bool ropen_add(struct reg *r, HLINE h, DWORD dev, uint64_t cbinst)
{
	struct ropen *o = malloc(sizeof(*o));

	if (!o)
		return false;
	o->h = h;
	o->dev = dev;
	o->cbinst = cbinst;
	list_add_tail(&r->opens, &o->link);
	r->nopens++;
	nopens_all++;
	return true;
}

/* ---- messages to clients --------------------------------------------------
 */

static void client_cut(struct client *c);
static void deliver(struct reg *r);

static struct slot *slot_take(struct reg *r, LONG req)
{
	struct list_node *it;

	list_foreach(it, &r->slots) {
		struct slot *s = list_entry(it, struct slot, link);

		if (s->req == req) {
			list_del(&s->link);
			r->nslots--;
			nslots_all--;
			return s;
		}
	}
	return NULL;
}

/*
 * One message of @r as its client gets it (@out), with its guard (the
 * handle whose death voids it, as the core said) and the open of that
 * handle. 0 when the client is not to see it, 1, or -errno.
 */
static int prepare(struct reg *r, const LINEMESSAGE *msg, uint32_t guard,
                   struct chan_msg *out)
{
	LINEMESSAGE m = *msg;
	struct slot *slot = NULL;
	uint32_t line = 0;
	unsigned i;

	memset(out, 0, sizeof(*out));
	switch (m.dwMessageID) {
	case LINE_REPLY:
		slot = slot_take(r, (LONG)m.dwParam1);
		/* spec: tapi-functions.md §8 — handles before the reply */
		if (slot && m.dwParam2 == 0)
			for (i = 0; i < slot->nh; i++)
				out->h[out->nh++] = slot->h[i];
		if (slot && m.dwParam2 == 0)
			all_calls.made += slot->nh ? slot->nh : 1;
		free(slot);
		break;
	case LINE_REMOVE: {
		long c = client_dev(r, (DWORD)m.dwParam1);

		if (c < 0)
			return 0; /* a device the client does not see */
		m.dwParam1 = (DWORD_PTR)c;
		break;
	}
	case LINE_CREATE: {
		/* a new device: the client's next one, if it may use it */
		DWORD dev = (DWORD)m.dwParam1, *devs;
		long c = client_dev(r, dev);

		if (c < 0) {
			if (!acl_allows(&r->cl->who, dev))
				return 0; /* invisible to it */
			devs = realloc(r->devs,
			               (r->ndevs + 1) * sizeof(*r->devs));
			if (!devs)
				return -ENOMEM;
			r->devs = devs;
			c = (long)r->ndevs;
			r->devs[r->ndevs++] = dev;
		}
		m.dwParam1 = (DWORD_PTR)c;
		break;
	}
	case LINE_CLOSE:
		line = (uint32_t)m.hDevice; /* its handles die with it */
		/* spec: termination.md §7 — its requests get no LINE_REPLY:
		 * the handle slots kept for them go now */
		slots_free(r, (HLINE)m.hDevice);
		ropen_forget(r, (HLINE)m.hDevice);
		gathers_free(r, 0, (HLINE)m.hDevice);
		break;
	default:
		break;
	}
	/* the open a guard belongs to: itself, or a call's open */
	if (guard)
		line = tapix_line_app(guard) ? guard : tapix_call_line(guard);
	out->app = (uint32_t)r->h;
	out->hdev = (uint32_t)m.hDevice;
	out->id = (uint32_t)m.dwMessageID;
	out->guard = guard;
	out->line = line;
	out->cbinst = (uint64_t)m.dwCallbackInstance;
	out->p1 = (uint64_t)m.dwParam1;
	out->p2 = (uint64_t)m.dwParam2;
	out->p3 = (uint64_t)m.dwParam3;
	return 1;
}

/* Appends a prepared message to signal @s. */
static int append_message(sd_bus_message *s, const struct chan_msg *c)
{
	int e = sd_bus_message_open_container(s, 'r', "uuuttttuuau");

	if (e >= 0)
		e = sd_bus_message_append(s, "uuuttttuu", c->app, c->hdev,
		                          c->id, c->cbinst, c->p1, c->p2, c->p3,
		                          c->guard, c->line);
	if (e >= 0)
		e = sd_bus_message_append_array(s, 'u', c->h,
		                                c->nh * sizeof(c->h[0]));
	if (e >= 0)
		e = sd_bus_message_close_container(s);
	return e;
}

/*
 * Issue 19 item 13 — @r's backlog. Before, a client that took nothing had
 * its messages left in the core's queue, without bound (~0.6 KB a call
 * for a monitor). Now they wait here, and one more than
 * max_queued_messages (or one that cannot be kept: out of memory) cuts
 * the client off (client_cut).
 */
static bool q_push(struct reg *r, const struct chan_msg *c)
{
	struct backlog *q = &r->q;

	if (q->len >= acl_limits()->queued)
		return false;
	if (q->len == q->cap) {
		uint32_t ncap = q->cap ? q->cap * 2 : 64, i;
		struct chan_msg *nm = malloc((size_t)ncap * sizeof(*nm));

		if (!nm)
			return false;
		for (i = 0; i < q->len; i++)
			nm[i] = q->m[(q->head + i) % q->cap];
		free(q->m);
		q->m = nm;
		q->cap = ncap;
		q->head = 0;
	}
	q->m[(q->head + q->len) % q->cap] = *c;
	q->len++;
	return true;
}

static const struct chan_msg *q_at(const struct reg *r, uint32_t i)
{
	return &r->q.m[(r->q.head + i) % r->q.cap];
}

/* Drops the first @n; an emptied backlog gives its memory back. */
static void q_pop(struct reg *r, uint32_t n)
{
	struct backlog *q = &r->q;

	if (!n)
		return;
	q->head = (q->head + n) % q->cap;
	q->len -= n;
	if (!q->len && q->cap > 64) {
		free(q->m);
		memset(q, 0, sizeof(*q));
	}
}

/*
 * Whether a message guarded by @guard may still be delivered: spec:
 * tapi-messages-and-states.md §2 — nothing for a handle that died after
 * the message was queued. The core checks when tapixd takes a message;
 * one that waited in a backlog is checked again when it goes.
 */
static bool guard_alive(uint32_t guard)
{
	return !guard || tapix_line_app(guard) || tapix_call_app(guard);
}

/* Messages @c's registrations hold in their backlogs. */
static uint64_t backlog_of(const struct client *c)
{
	struct list_node *it;
	uint64_t n = 0;

	list_foreach(it, &c->regs)
		n += list_entry(it, struct reg, link)->q.len;
	return n;
}

/* Whether @c takes signals now: its direct connection's messages not yet
 * written are few (the bus daemon takes those of the bus, and queues them
 * under its own limits). */
static bool socket_room(const struct client *c)
{
	uint64_t n = 0;

	return !c->peer || sd_bus_get_n_queued_write(c->peer, &n) < 0 ||
	       n < PEER_QUEUE;
}

/* Sends the first messages of @r's backlog in one Messages signal; 0,
 * or -errno (then they wait, unless they can never go). */
static int send_signal(struct reg *r)
{
	sd_bus *bus = r->cl->peer ? r->cl->peer : d.bus;
	sd_bus_message *s = NULL;
	uint32_t n = r->q.len < MSGS_PER_SIGNAL ? r->q.len : MSGS_PER_SIGNAL;
	uint32_t i, sent = 0;
	int e;

	e = sd_bus_message_new_signal(bus, &s, TAPIXD_PATH, TAPIXD_RPC_IFACE,
	                              "Messages");
	if (e >= 0 && !r->cl->peer)
		e = sd_bus_message_set_destination(s, r->cl->name);
	if (e >= 0)
		e = sd_bus_message_open_container(s, 'a', "(uuuttttuuau)");
	for (i = 0; e >= 0 && i < n; i++) {
		if (!guard_alive(q_at(r, i)->guard))
			continue;
		e = append_message(s, q_at(r, i));
		sent++;
	}
	if (e >= 0)
		e = sd_bus_message_close_container(s);
	if (e >= 0 && sent)
		e = sd_bus_send(bus, s, NULL);
	sd_bus_message_unref(s);
	if (e >= 0 || (e != -ENOMEM && e != -ENOBUFS))
		q_pop(r, n);
	if (e < 0 && r->cl->peer &&
	    (e == -ENOTCONN || e == -EPIPE || e == -ECONNRESET))
		/* it closed: rpc_peer_gone shuts its registrations down */
		log_debug("app %08x: %s closed", r->h, r->cl->name);
	else if (e == -ENOMEM || e == -ENOBUFS)
		log_warn("app %08x: messages to %s wait: %s", r->h, r->cl->name,
		         strerror(-e));
	else if (e < 0)
		log_err("app %08x: messages to %s lost: %s", r->h, r->cl->name,
		        strerror(-e));
	return e < 0 ? e : 0;
}

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata);

/* Asks again in @c->retry_usec (unless already asked, and @force not). */
static void retry_arm(struct client *c, bool force)
{
	int on = SD_EVENT_OFF, e;

	if (c->cut)
		return;
	if (!force && c->retry &&
	    sd_event_source_get_enabled(c->retry, &on) >= 0 &&
	    on != SD_EVENT_OFF)
		return;
	if (!c->retry_usec)
		c->retry_usec = RETRY_MIN_USEC;
	if (c->retry)
		e = sd_event_source_set_time_relative(c->retry, c->retry_usec);
	else
		e = sd_event_add_time_relative(d.event, &c->retry,
		                               CLOCK_MONOTONIC, c->retry_usec,
		                               1000, on_retry, c);
	if (e >= 0)
		e = sd_event_source_set_enabled(c->retry, SD_EVENT_ONESHOT);
	if (e < 0)
		log_err("%s: its messages wait for the next ones: %s", c->name,
		        strerror(-e));
}

/* Sends what @r's backlog holds while its client takes it: into its
 * ring, or as Messages signals; asks again later for the rest. */
static void deliver(struct reg *r)
{
	struct client *c = r->cl;
	unsigned n = 0;

	if (c->cut)
		return;
	if (c->chan) {
		while (r->q.len && chan_room(c->chan)) {
			if (guard_alive(q_at(r, 0)->guard)) {
				chan_push(c->chan, q_at(r, 0));
				n++;
			}
			q_pop(r, 1);
		}
		if (n)
			chan_notify(c->chan);
	} else {
		while (r->q.len && socket_room(c) && send_signal(r) == 0)
			;
	}
	if (r->q.len)
		retry_arm(c, false);
}

/*
 * Sends @cm to @r's client: into its ring while nothing waits, else into
 * its backlog (*@pushed counts what went into the ring). false: the
 * client is cut off (out of memory).
 */
static bool emit(struct reg *r, const struct chan_msg *cm, unsigned *pushed)
{
	struct client *c = r->cl;

	if (c->chan && !r->q.len && chan_room(c->chan)) {
		chan_push(c->chan, cm);
		(*pushed)++;
		return true;
	}
	if (!q_push(r, cm)) {
		client_cut(c);
		return false;
	}
	return true;
}

/*
 * Before @cm, a LINE_GATHERDIGITS: the digits of the registration's
 * oldest gather on that call, as RPC_MSG_DIGITS messages (rpc.h), and the
 * gather freed. Nothing when tapixd holds no gather for it (the handle
 * went meanwhile). false as emit.
 */
static bool send_digits(struct reg *r, struct chan_msg *cm, unsigned *pushed)
{
	struct list_node *it;
	struct dgather *g = NULL;
	struct chan_msg dm;
	size_t len, off;
	bool ok = true;

	list_foreach(it, &r->gathers) {
		struct dgather *x = list_entry(it, struct dgather, link);

		if (x->call == cm->hdev) {
			g = x;
			break;
		}
	}
	if (!g)
		return true;
	/* the client matches both by the gather's id */
	cm->nh = 1;
	cm->h[0] = g->id;
	/* the core wrote the digits, then a NUL when fewer than n */
	len = strnlen(g->buf, g->n);
	if (len < g->n)
		len++;
	for (off = 0; ok && off < len; off += RPC_DIGITS_PER_MSG) {
		size_t k = len - off < RPC_DIGITS_PER_MSG ? len - off
		                                          : RPC_DIGITS_PER_MSG;

		rpc_digits_pack(&dm, cm, g->buf + off, k, off, len);
		ok = emit(r, &dm, pushed);
	}
	list_del(&g->link);
	r->ngathers--;
	free(g);
	return ok;
}

/*
 * Takes up to @max queued messages of @r from the core and sends them to
 * its client (through its ring, or as Messages signals), after what its
 * backlog held; how many were taken from the queue.
 */
static unsigned forward_queued(struct reg *r, unsigned max)
{
	struct client *c = r->cl;
	unsigned n = 0, pushed = 0;
	struct chan_msg cm;
	LINEMESSAGE m;
	DWORD guard;
	int e;

	if (c->cut)
		return 0;
	deliver(r); /* what waits goes first */
	while (n < max && tapix_get_message_guarded(r->h, &m, &guard) == 0) {
		n++;
		e = prepare(r, &m, guard, &cm);
		if (e < 0)
			log_err("app %08x: message to %s lost: %s", r->h,
			        c->name, strerror(-e));
		if (e <= 0)
			continue;
		if (cm.id == LINE_GATHERDIGITS && !send_digits(r, &cm, &pushed))
			break;
		if (!emit(r, &cm, &pushed))
			break;
	}
	if (pushed)
		chan_notify(c->chan);
	if (r->q.len)
		deliver(r);
	return n;
}

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct client *c = userdata;
	uint64_t before = backlog_of(c), after;
	struct list_node *it;

	(void)src;
	(void)usec;
	list_foreach(it, &c->regs)
		forward_queued(list_entry(it, struct reg, link), 256);
	after = backlog_of(c);
	if (!after) {
		c->retry_usec = 0;
		return 0;
	}
	/* a client that takes nothing is asked less and less often */
	if (after >= before) {
		c->retry_usec *= 2;
		if (c->retry_usec > RETRY_MAX_USEC)
			c->retry_usec = RETRY_MAX_USEC;
	} else {
		c->retry_usec = RETRY_MIN_USEC;
	}
	retry_arm(c, true);
	return 0;
}

/* Queues a message tapixd makes for @r (after those the core queued),
 * and sends what can go. */
static void reg_tell(struct reg *r, uint32_t hdev, uint32_t id, uint64_t cbinst,
                     uint64_t p1, uint32_t line)
{
	struct chan_msg c;

	memset(&c, 0, sizeof(c));
	c.app = (uint32_t)r->h;
	c.hdev = hdev;
	c.id = id;
	c.cbinst = cbinst;
	c.p1 = p1;
	c.line = line;
	if (!q_push(r, &c))
		client_cut(r->cl);
}

static int on_messages(sd_event_source *src, int fd, uint32_t events,
                       void *userdata)
{
	struct reg *r = userdata;

	(void)src;
	(void)fd;
	(void)events;
	/* bounded: other sources get their turn; the descriptor stays
	 * readable while messages remain */
	forward_queued(r, 256);
	return 0;
}

/* A LINEDEVSTATE_REINIT for each of @c's registrations (on the bus: a
 * direct client hears it when its connection closes), if it goes. */
static void tell_reinit(struct client *c)
{
	struct list_node *it;

	list_foreach(it, &c->regs) {
		struct reg *r = list_entry(it, struct reg, link);

		/* what waited will never be taken */
		q_pop(r, r->q.len);
		reg_tell(r, 0, LINE_LINEDEVSTATE, 0, LINEDEVSTATE_REINIT, 0);
		send_signal(r);
	}
}

/* Issue 19 item 13 — the client cut off: as one that left (its
 * registrations shut down with the lineShutdown rules), and its direct
 * connection closed, so that it hears LINEDEVSTATE_REINIT. */
static int on_cut(sd_event_source *src, void *userdata)
{
	struct client *c = userdata;
	sd_bus *peer = sd_bus_ref(c->peer);

	(void)src;
	log_warn("%s (uid %u): cut off, it took none of %llu messages "
	         "(max_queued_messages %u): %u registrations shut down",
	         c->name, (unsigned)c->who.uid,
	         (unsigned long long)backlog_of(c), acl_limits()->queued,
	         c->nregs);
	if (!peer)
		tell_reinit(c);
	client_free(c);
	if (peer) {
		peer_drop(peer);
		sd_bus_unref(peer);
	}
	return 0;
}

/* Cuts @c off, out of the dispatch that found it must be (its
 * registrations and connection may be in use on the stack). */
static void client_cut(struct client *c)
{
	struct list_node *it;

	if (c->cut)
		return;
	c->cut = true;
	list_foreach(it, &c->regs)
		sd_event_source_set_enabled(
			list_entry(it, struct reg, link)->io, SD_EVENT_OFF);
	if (sd_event_add_defer(d.event, &c->cut_src, on_cut, c) < 0)
		log_err("%s: cannot be cut off: out of memory", c->name);
}

/* ---- replies --------------------------------------------------------------
 */

/*
 * Before a reply: the messages the call queued for the sender's
 * registrations go out first, so that when the client's function returns
 * they are queued there too, as they would be in embedded mode (a
 * completion inside the call, a handle written before it returns).
 */
static void flush_client(struct client *c)
{
	struct list_node *it;

	if (!c)
		return;
	list_foreach(it, &c->regs)
		forward_queued(list_entry(it, struct reg, link), ~0u);
}

static void flush_sender(sd_bus_message *m)
{
	flush_client(client_get(m, false));
}

static int reply_r(sd_bus_message *m, LONG r)
{
	flush_sender(m);
	return sd_bus_reply_method_return(m, "i", (int32_t)r);
}

/* A buffer of the client's dwTotalSize (capped), its size preset. */
static void *out_buf(uint32_t total, uint32_t *cap)
{
	void *b;

	*cap = total > MAX_STRUCT ? MAX_STRUCT : total;
	b = calloc(1, *cap < 16 ? 16 : *cap);
	if (b)
		memcpy(b, cap, 4);
	return b;
}

static size_t used_of(const void *buf, uint32_t cap)
{
	DWORD used;

	if (cap < 12)
		return cap;
	memcpy(&used, (const char *)buf + 8, 4);
	return used > cap ? cap : used;
}

/* Copies the client's optional input structure (ay; empty = NULL). */
static int read_struct(sd_bus_message *m, void **out)
{
	const void *p;
	size_t n;
	int e = sd_bus_message_read_array(m, 'y', &p, &n);

	*out = NULL;
	if (e < 0)
		return e;
	if (n == 0)
		return 0;
	if (n < 4 || n > MAX_STRUCT)
		return -EINVAL;
	*out = malloc(n);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, p, n);
	/* the core reads dwTotalSize bytes: never more than we hold */
	{
		DWORD t;

		memcpy(&t, *out, 4);
		if (t > n) {
			t = (DWORD)n;
			memcpy(*out, &t, 4);
		}
	}
	return 1;
}

/* The calls @uid's registrations hold (their call handles) or are
 * making (requests that create calls, pending). */
static unsigned calls_of(uid_t uid)
{
	struct list_node *it, *jt;
	unsigned n = 0;

	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		if (c->who.uid != uid)
			continue;
		list_foreach(jt, &c->regs) {
			struct reg *r = list_entry(jt, struct reg, link);
			struct tapix_live l;

			if (tapix_app_live(r->h, &l) == 0)
				n += (unsigned)l.call_handles;
			n += r->nslots;
		}
	}
	return n;
}

static unsigned calls_in_all(void)
{
	uint64_t now = now_usec();

	if (!all_calls.at || now - all_calls.at >= 10000) {
		struct tapix_live l;

		tapix_live_get(&l);
		all_calls.at = now;
		all_calls.calls = (unsigned)l.calls;
		all_calls.made = 0;
	}
	/* (the Line/Call objects' pending creations too: tel.c) */
	return all_calls.calls + all_calls.made + nslots_all +
	       tel_calls_pending();
}

void rpc_calls_made(unsigned n)
{
	all_calls.made += n;
}

bool rpc_may_create_calls(uid_t uid, unsigned elsewhere, unsigned n)
{
	const struct limits *l = acl_limits();
	unsigned all = calls_in_all(), mine = calls_of(uid) + elsewhere;

	/* one more each: the last of @n must fit */
	return lim_allows(uid, all + n - 1, mine + n - 1, l->calls,
	                  l->calls_per_user);
}

/* Issue 19 item 4 — whether client @c may create one more call. */
static bool calls_allowed(const struct client *c)
{
	const struct limits *l = acl_limits(); /* (no descriptor each) */

	return lim_allows(c->who.uid, calls_in_all(),
	                  calls_of(c->who.uid) + tel_calls_made_by(c->who.uid),
	                  l->calls, l->calls_per_user);
}

/*
 * A slot for a request about to be made through open @line, one that
 * creates calls if @creates; NULL with the error in *@err: the limits
 * (LINEERR_RESOURCEUNAVAIL), or memory (LINEERR_NOMEM).
 */
static struct slot *slot_new(struct reg *r, HLINE line, bool creates, LONG *err)
{
	struct slot *s;

	*err = LINEERR_RESOURCEUNAVAIL;
	if (r->nslots >= MAX_PENDING || (creates && !calls_allowed(r->cl)))
		return NULL;
	*err = LINEERR_NOMEM;
	if (creates && mem_short())
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s) {
		s->line = line;
		list_add_tail(&r->slots, &s->link);
		r->nslots++;
		nslots_all++;
	}
	return s;
}

/* After a call-creating request: keep the slot for its LINE_REPLY. */
static void slot_keep(struct reg *r, struct slot *s, LONG req, unsigned nh)
{
	if (req > 0) {
		s->req = req;
		s->nh = nh;
	} else {
		list_del(&s->link);
		r->nslots--;
		nslots_all--;
		free(s);
	}
}

/* ---- the forwarded calls (src/rpc/calls.def) -------------------------------
 *
 * Every row of the table is served by the same code, driven by its kinds
 * (rpc/rpc.h): read its arguments (from D-Bus, or from the channel), find
 * the sender's registration from its handle, check its other handles and
 * its device id, prepare what it writes to (a buffer, a handle slot), call
 * its tapi.h function, answer. What differs between rows is data: the
 * kinds, the handle kind (which error), the flags, the device id to map
 * back. lineOpen alone has code of its own (run_open: LINEMAPPER).
 */

/* A call being served. The function's arguments are v, by parameter, as
 * it takes them: numbers, and pointers into the message, this struct, a
 * buffer or a handle slot. */
struct served {
	const struct rpc_row *row;
	struct client *c;
	struct reg *r;              /* the registration of its handle */
	uintptr_t v[RPC_MAX_KINDS]; /* the function's arguments */
	bool given[RPC_MAX_KINDS];  /* by kind: a pointer was given */
	uint32_t total;             /* OUT_STRUCT: the client's dwTotalSize */
	uint32_t cap;               /* ... its buffer's size, capped */
	void *buf;                  /* ... the buffer, or NULL */
	void *params;               /* PARAMS: the copy, or NULL */
	DWORD u32;                  /* OUT_U32 */
	LINEEXTENSIONID ext;        /* OUT_EXT */
	HLINE hline;                /* OUT_LINE */
	uint32_t line;              /* LINE_OF: the open of the request */
};

static bool is_param(unsigned kind)
{
	return kind != RPC_K_ZERO && kind != RPC_K_LINE_OF &&
	       kind != RPC_K_OUT_FDS && kind != RPC_K_CALL_LINE;
}

/* Each row's tapi.h function, on the arguments as served. */
#define RPC(fn, ret, params, ...)               \
	static LONG do_##fn(const uintptr_t *v) \
	{                                       \
		return fn(RPC_UNPACK(params));  \
	}
#include "rpc/calls.def"

static LONG (*const calls[RPC_N])(const uintptr_t *v) = {
#define RPC(fn, ...) [RPC_IDX_##fn] = do_##fn,
#include "rpc/calls.def"
};

static LONG run_open(struct served *x);

/* Rows whose call is code of its own (the rest: calls[]). */
static LONG (*const runs[RPC_N])(struct served *x) = {
	[RPC_IDX_lineOpenA] = run_open,
};

/* The arguments of @x's row from its method call @m; -EINVAL when they
 * cannot be read (a D-Bus error for the client, not a TAPI one). */
static int read_bus(sd_bus_message *m, struct served *x)
{
	const struct rpc_row *row = x->row;
	const void *bytes = NULL;
	unsigned j, p = 0;
	bool uui = false, watch = false;
	size_t n = 0;
	int e = 0;

	for (j = 0; j < row->nkinds && e >= 0; j++) {
		const char *s = NULL;
		uint32_t u = 0;
		uint64_t t = 0;
		int b = 0;

		switch (row->kinds[j]) {
		case RPC_K_H:
		case RPC_K_H2_CALL:
		case RPC_K_H2_CONSULT:
		case RPC_K_H2_LINE:
		case RPC_K_DEV:
		case RPC_K_U32:
		case RPC_K_ZERO:
			e = sd_bus_message_read(m, "u", &u);
			x->v[p] = u;
			break;
		case RPC_K_SIZE:
			e = sd_bus_message_read(m, "u", &u);
			/* the core reads dwSize bytes: never more than sent */
			if (uui && u > n)
				u = (uint32_t)n;
			/* nor more tones than came */
			if (watch && u > n / sizeof(LINEMONITORTONE))
				u = (uint32_t)(n / sizeof(LINEMONITORTONE));
			x->v[p] = u;
			break;
		case RPC_K_U64:
			e = sd_bus_message_read(m, "t", &t);
			x->v[p] = (uintptr_t)t;
			break;
		case RPC_K_STR:
			e = sd_bus_message_read(m, "bs", &b, &s);
			x->v[p] = b ? (uintptr_t)s : 0;
			break;
		case RPC_K_UUI:
			e = sd_bus_message_read(m, "b", &b);
			if (e >= 0)
				e = sd_bus_message_read_array(m, 'y', &bytes,
				                              &n);
			uui = b;
			x->v[p] = b ? (uintptr_t)bytes : 0;
			break;
		case RPC_K_PARAMS:
			e = read_struct(m, &x->params);
			x->v[p] = (uintptr_t)x->params;
			break;
		case RPC_K_WATCH:
			/* its count (RPC_K_SIZE, next) clamped to what came */
			e = sd_bus_message_read(m, "b", &b);
			if (e >= 0)
				e = sd_bus_message_read_array(m, 'y', &bytes,
				                              &n);
			watch = b;
			x->v[p] = b ? (uintptr_t)bytes : 0;
			break;
		case RPC_K_TONES:
			/* never more entries named than sent */
			e = sd_bus_message_read_array(m, 'y', &bytes, &n);
			x->v[p] = n ? (uintptr_t)bytes : 0;
			if (e >= 0 && n && p &&
			    n / sizeof(LINEGENERATETONE) < x->v[p - 1])
				x->v[p - 1] = n / sizeof(LINEGENERATETONE);
			break;
		case RPC_K_OUT_STRUCT:
			e = sd_bus_message_read(m, "bu", &b, &x->total);
			x->given[j] = b;
			break;
		default: /* the other pointers, and LINE_OF (nothing sent) */
			if (is_param(row->kinds[j]))
				e = sd_bus_message_read(m, "b", &b);
			x->given[j] = b;
			break;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	return e < 0 ? -EINVAL : 0;
}

/* The value of @x's first argument of @kind (its parameter), or 0. */
static uintptr_t arg_of(const struct served *x, unsigned kind)
{
	unsigned j, p = 0;

	for (j = 0; j < x->row->nkinds; j++) {
		if (x->row->kinds[j] == kind)
			return is_param(kind) ? x->v[p] : 0;
		if (is_param(x->row->kinds[j]))
			p++;
	}
	return 0;
}

/*
 * Serves @x for its client: the function's result, or an error of the
 * service's own (a handle not the sender's, a line taken away, the
 * limits, memory). The same for a method call and a channel request.
 */
static LONG serve(struct served *x)
{
	const struct rpc_row *row = x->row;
	const unsigned idx = (unsigned)(row - rpc_rows);
	uint32_t h = (uint32_t)x->v[0];
	HLINE line2 = (HLINE)arg_of(x, RPC_K_H2_LINE);
	struct slot *s = NULL;
	unsigned j, p, nout = 0;
	bool creates = true, keeps = true, given = false;
	LONG e;

	/* the primary handle: the sender's registration, or its error */
	switch (row->hk) {
	case RPC_H_APP:
		x->r = reg_find(x->c, h);
		e = LINEERR_INVALAPPHANDLE;
		break;
	case RPC_H_LINE:
		x->r = line_of(x->c, h);
		x->line = h; /* MakeCall: the open even when it fails */
		e = LINEERR_INVALLINEHANDLE;
		break;
	case RPC_H_CONF:
		x->r = call_of(x->c, h);
		e = LINEERR_INVALCONFCALLHANDLE;
		break;
	case RPC_H_CALL_OR_LINE:
		/* a call, or (without one) a line, of the sender */
		x->r = h ? call_of(x->c, h) : line_of(x->c, line2);
		e = h ? LINEERR_INVALCALLHANDLE : LINEERR_INVALLINEHANDLE;
		break;
	default:
		x->r = call_of(x->c, h);
		e = LINEERR_INVALCALLHANDLE;
		break;
	}
	if (!x->r)
		return e;

	/* its other arguments, in order */
	for (j = 0, p = 0; j < row->nkinds; j++) {
		switch (row->kinds[j]) {
		case RPC_K_H2_CALL:
			if (!call_of(x->c, (HCALL)x->v[p]))
				return LINEERR_INVALCALLHANDLE;
			break;
		case RPC_K_H2_CONSULT:
			if (!call_of(x->c, (HCALL)x->v[p]))
				return LINEERR_INVALCONSULTCALLHANDLE;
			break;
		case RPC_K_DEV:
			if (runs[idx])
				break; /* (lineOpen: LINEMAPPER first) */
			if (core_dev(x->r, (DWORD)x->v[p]) == DEV_REVOKED)
				return LINEERR_NODEVICE; /* issue 19 item 11 */
			x->v[p] = core_dev(x->r, (DWORD)x->v[p]);
			break;
		case RPC_K_OUT_STRUCT:
			if (x->given[j]) {
				x->buf = out_buf(x->total, &x->cap);
				if (!x->buf)
					return LINEERR_NOMEM;
			}
			x->v[p] = (uintptr_t)x->buf;
			break;
		case RPC_K_OUT_U32:
			x->v[p] = x->given[j] ? (uintptr_t)&x->u32 : 0;
			break;
		case RPC_K_OUT_EXT:
			x->v[p] = x->given[j] ? (uintptr_t)&x->ext : 0;
			break;
		case RPC_K_OUT_LINE:
			x->v[p] = x->given[j] ? (uintptr_t)&x->hline : 0;
			break;
		case RPC_K_OUT_CONF_CALL:
			/* a handle only in conference mode (the next
			 * argument): the slot is kept for its LINE_REPLY only
			 * then, and only with the pointer given */
			creates = x->v[p + 1] == LINETRANSFERMODE_CONFERENCE;
			keeps = creates && x->given[j];
			/* fall through */
		case RPC_K_OUT_CALL:
			nout++;
			given = given || x->given[j];
			break;
		default:
			break;
		}
		if (is_param(row->kinds[j]))
			p++;
	}

	/* the handles it writes before its LINE_REPLY: a slot of the open
	 * it goes through (issue 19 item 4: the limits on calls) */
	if (nout) {
		if (row->hk == RPC_H_CALL_OR_LINE && !h)
			x->line = line2;
		else if (row->hk != RPC_H_LINE)
			x->line = tapix_call_line(h);
		s = slot_new(x->r, x->line, creates, &e);
		if (!s)
			return e;
		for (j = 0, p = 0, nout = 0; j < row->nkinds; j++) {
			if (row->kinds[j] == RPC_K_OUT_CALL ||
			    row->kinds[j] == RPC_K_OUT_CONF_CALL) {
				x->v[p] = x->given[j] ? (uintptr_t)&s->h[nout]
				                      : 0;
				nout++;
			}
			if (is_param(row->kinds[j]))
				p++;
		}
	}

	/* spec: SetupConference's line, given with a call, must be the
	 * sender's too (checked with the slot taken, as before) */
	if (row->hk == RPC_H_CALL_OR_LINE && h && line2 &&
	    !line_of(x->c, line2))
		e = LINEERR_INVALLINEHANDLE;
	else if (runs[idx])
		e = runs[idx](x);
	else
		e = calls[idx](x->v);

	if (s)
		slot_keep(x->r, s, keeps ? e : 0, given ? nout : 0);
	if (e == 0 && row->fix && x->buf)
		map_dev_field(x->r, x->buf, used_of(x->buf, x->cap), row->fix);
	if (e == 0 && (row->flags & RPC_KILLS_LINE)) {
		/* spec: no reply for requests of a closed line */
		slots_free(x->r, h);
		ropen_forget(x->r, h);
		gathers_free(x->r, 0, h);
	}
	if (e == 0 && (row->flags & RPC_KILLS_CALL))
		gathers_free(x->r, h, 0);
	return e;
}

/* lineGetID's "tapi/line" answer: a device id in binary. */
struct line_id {
	VARSTRING vs;
	DWORD dev;
};

/* The core's device of open @h, DEV_UNKNOWN if it cannot be told. */
static DWORD core_dev_of_open(HLINE h)
{
	struct line_id id;
	DWORD dev = DEV_UNKNOWN;
	LONG r;

	memset(&id, 0, sizeof(id));
	id.vs.dwTotalSize = sizeof(id);
	r = lineGetIDA(h, 0, 0, LINECALLSELECT_LINE, &id.vs, "tapi/line");
	if (r == 0 && id.vs.dwStringFormat == STRINGFORMAT_BINARY &&
	    id.vs.dwStringSize == sizeof(DWORD) &&
	    id.vs.dwStringOffset == offsetof(struct line_id, dev))
		dev = id.dev;
	return dev < d.ndevs ? dev : DEV_UNKNOWN;
}

/*
 * Whether user @uid's registrations may open a line once more: each open
 * holds memory in tapixd and makes every call on its line a handle and
 * messages more (max_opens, max_opens_per_user).
 */
static bool opens_allowed(uid_t uid)
{
	const struct limits *l = acl_limits();
	struct list_node *it, *jt;
	unsigned mine = 0;

	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		if (c->who.uid != uid)
			continue;
		list_foreach(jt, &c->regs)
			mine += list_entry(jt, struct reg, link)->nopens;
	}
	return lim_allows(uid, nopens_all, mine, l->opens, l->opens_per_user);
}

/* lineOpen's call (its arguments served): LINEMAPPER among the lines the
 * client may use, and the open noted so that it can be taken back. */
static LONG run_open(struct served *x)
{
	LONG (*const open)(const uintptr_t *) = calls[RPC_IDX_lineOpenA];
	struct reg *r = x->r;
	DWORD dev = (DWORD)x->v[1], opened = DEV_UNKNOWN, i;
	LONG e;

	if (mem_short())
		return LINEERR_NOMEM; /* issue 19 item 9 */
	if (!opens_allowed(r->cl->who.uid))
		return LINEERR_RESOURCEUNAVAIL;
	if (dev == LINEMAPPER && r->ndevs == d.ndevs && !r->nrevoked) {
		/* the client sees every line: the core's own LINEMAPPER,
		 * then which line it took (taking another line away from
		 * the client leaves this open alone) */
		e = open(x->v);
		if (e == 0 && x->hline)
			opened = core_dev_of_open(x->hline);
	} else if (dev == LINEMAPPER) {
		/* only among the lines the client may use: the core checks
		 * the arguments on the first one */
		e = LINEERR_LINEMAPPERFAILED;
		for (i = 0; i < r->ndevs && e; i++) {
			if (r->devs[i] == DEV_REVOKED)
				continue;
			opened = r->devs[i];
			x->v[1] = opened;
			e = open(x->v);
		}
		if (e && e != LINEERR_INVALPOINTER && e != LINEERR_INVALPARAM)
			e = LINEERR_LINEMAPPERFAILED;
	} else if (core_dev(r, dev) == DEV_REVOKED) {
		e = LINEERR_NODEVICE; /* as a removed line (issue 19 item 11) */
	} else {
		opened = core_dev(r, dev);
		x->v[1] = opened;
		e = open(x->v);
	}
	/* what taking the line back needs (it cannot be taken back without) */
	if (e == 0 && x->hline &&
	    !ropen_add(r, x->hline, opened, (uint64_t)x->v[5])) {
		lineClose(x->hline);
		x->hline = 0;
		e = LINEERR_NOMEM;
	}
	return e;
}

/* Answers method call @m with @e and what @x's row gives back, after the
 * messages the call queued for the sender (flush_sender). */
static int reply(sd_bus_message *m, const struct served *x, LONG e)
{
	const struct rpc_row *row = x->row;
	sd_bus_message *rep = NULL;
	unsigned j;
	int r;

	flush_sender(m);
	r = sd_bus_message_new_method_return(m, &rep);
	if (r >= 0)
		r = sd_bus_message_append(rep, "i", (int32_t)e);
	for (j = 0; j < row->nkinds && r >= 0; j++) {
		switch (row->kinds[j]) {
		case RPC_K_OUT_STRUCT:
			r = sd_bus_message_append_array(
				rep, 'y', x->buf,
				e == 0 && x->buf ? used_of(x->buf, x->cap) : 0);
			break;
		case RPC_K_OUT_U32:
			r = sd_bus_message_append(rep, "u", x->u32);
			break;
		case RPC_K_OUT_EXT:
			r = sd_bus_message_append_array(rep, 'y', &x->ext,
			                                e ? 0 : sizeof(x->ext));
			break;
		case RPC_K_OUT_LINE:
			r = sd_bus_message_append(rep, "u", (uint32_t)x->hline);
			break;
		case RPC_K_LINE_OF:
			r = sd_bus_message_append(rep, "u", x->line);
			break;
		default:
			break;
		}
	}
	if (r >= 0)
		r = sd_bus_send(NULL, rep, NULL);
	sd_bus_message_unref(rep);
	return r;
}

/* Every method of a row of the table. */
static int m_row(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct served x;
	int r;

	(void)err;
	memset(&x, 0, sizeof(x));
	x.row = &rpc_rows[(uintptr_t)ud];
	x.c = client_get(m, false);
	if (read_bus(m, &x) < 0) {
		free(x.params);
		return -EINVAL;
	}
	r = reply(m, &x, serve(&x));
	free(x.params);
	free(x.buf);
	return r;
}

/* ---- methods: registrations -----------------------------------------------
 */

/* Issue 19 item 4 — whether client @c may have one more registration. */
static bool regs_allowed(const struct client *c)
{
	struct list_node *it;
	unsigned mine = 0;
	struct limits l;

	lim_get(&l);
	list_foreach(it, &clients) {
		struct client *x = list_entry(it, struct client, link);

		if (x->who.uid == c->who.uid)
			mine += x->nregs;
	}
	return lim_allows(c->who.uid, nregs_all, mine, l.regs, l.regs_per_user);
}

/* Initialize's answer when it fails: its signature, the error, zeros. */
static int init_error(sd_bus_message *m, LONG e)
{
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iuuu", (int32_t)e, 0, 0, 0);
}

static int m_initialize(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	LINEINITIALIZEEXPARAMS ip;
	const char *name, *module;
	uint32_t api, legacy;
	struct client *c;
	struct reg *r;
	DWORD ndevs = 0, ver, i;
	HLINEAPP h = 0;
	LONG e;
	int fd;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "ssuu", &name, &module, &api, &legacy) < 0)
		return -EINVAL;
	c = client_get(m, true);
	if (!c)
		return init_error(m, LINEERR_NOMEM);
	/* issue 19 items 4, 9 — the limits, and memory */
	if (c->nregs >= MAX_REGS || !regs_allowed(c)) {
		log_info("%s (uid %u): registration refused (%u of them)",
		         c->name, (unsigned)c->who.uid, c->nregs);
		client_release(c);
		return init_error(m, LINEERR_RESOURCEUNAVAIL);
	}
	if (mem_short()) {
		client_release(c);
		return init_error(m, LINEERR_NOMEM);
	}
	if (c->chan && !c->nregs && !chan_attached(c->chan))
		chan_drop(c);
	r = calloc(1, sizeof(*r));
	if (!r) {
		client_release(c);
		return init_error(m, LINEERR_NOMEM);
	}
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	/* lineInitialize (1.x) registers at API 1.4, lineInitializeEx at the
	 * version asked */
	ver = legacy ? 0x00010004 : api;
	e = tapix_initialize_as(&h, *name ? name : NULL, module, &ndevs, &ver,
	                        &ip);
	if (e) {
		free(r);
		client_release(c);
		return init_error(m, e);
	}
	r->cl = c;
	r->h = h;
	r->api = ver;
	list_init(&r->slots);
	list_init(&r->opens);
	list_init(&r->gathers);
	r->devs = calloc(ndevs ? ndevs : 1, sizeof(*r->devs));
	fd = TAPIX_HANDLE_TO_FD(ip.Handles.hEvent);
	if (!r->devs ||
	    sd_event_add_io(d.event, &r->io, fd, EPOLLIN, on_messages, r) < 0) {
		lineShutdown(h);
		free(r->devs);
		free(r);
		client_release(c);
		return init_error(m, LINEERR_NOMEM);
	}
	/* access control: the client sees only the lines it was granted */
	for (i = 0; i < ndevs; i++)
		if (acl_allows(&c->who, i))
			r->devs[r->ndevs++] = i;
	list_add_tail(&c->regs, &r->link);
	c->nregs++;
	nregs_all++;
	log_info("app %08x: registered for %s (uid %u, %u of %u lines)", h,
	         c->name, (unsigned)c->who.uid, (unsigned)r->ndevs,
	         (unsigned)ndevs);
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iuuu", 0, (uint32_t)h,
	                                  (uint32_t)r->ndevs, ver);
}

static int m_shutdown(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct reg *r;
	uint32_t h;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "u", &h) < 0)
		return -EINVAL;
	r = own_app(m, h);
	if (!r)
		return reply_r(m, LINEERR_INVALAPPHANDLE);
	e = lineShutdown(h);
	if (e == 0) {
		struct client *c = r->cl;

		reg_end(r, false);
		client_release(c);
	}
	return reply_r(m, e);
}

/*
 * lineGetID (calls.def's GetID; the client's side is cl_lineGetIDA): the
 * sender's line or call, as dwSelect says; "tapi/line"'s device id in the
 * client's view; a call's audio (TAPIXWAVEID, docs/media.md) with its
 * descriptors passed as the reply's `ah`, the structure naming them by
 * index, and tapixd's copies closed once sent.
 */
static int m_get_id(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hl, addr, hc, sel, total, cap = 0;
	int given, cls_given, fds[2] = {-1, -1}, q;
	const char *cls = NULL;
	struct client *c = client_get(m, false);
	sd_bus_message *rep = NULL;
	unsigned nfd = 0, i;
	size_t used = 0;
	struct reg *r;
	void *buf = NULL;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uuuububs", &hl, &addr, &hc, &sel, &given,
	                        &total, &cls_given, &cls) < 0)
		return -EINVAL;
	if (sel == LINECALLSELECT_CALL) {
		r = call_of(c, hc);
		e = LINEERR_INVALCALLHANDLE;
	} else if (sel == LINECALLSELECT_LINE ||
	           sel == LINECALLSELECT_ADDRESS) {
		r = line_of(c, hl);
		e = LINEERR_INVALLINEHANDLE;
	} else {
		r = NULL;
		e = LINEERR_INVALCALLSELECT;
	}
	if (!r)
		goto send;
	if (given && !(buf = out_buf(total, &cap))) {
		e = LINEERR_NOMEM;
		goto send;
	}
	e = lineGetIDA(hl, addr, hc, sel, buf, cls_given ? cls : NULL);
	if (e == 0 && buf) {
		VARSTRING vs;
		TAPIXWAVEID w;

		used = used_of(buf, cap);
		memcpy(&vs, buf, sizeof(vs));
		if (!strcasecmp(cls, "tapi/line") && vs.dwStringSize == 4 &&
		    vs.dwStringOffset + 4 <= used) {
			map_dev_field(r, buf, used, vs.dwStringOffset);
		} else if (!strncasecmp(cls, "wave/", 5) &&
		           vs.dwStringFormat == STRINGFORMAT_BINARY &&
		           vs.dwStringSize == sizeof(w) &&
		           vs.dwStringOffset + sizeof(w) <= used) {
			memcpy(&w, (char *)buf + vs.dwStringOffset, sizeof(w));
			if (w.fdIn >= 0) {
				fds[nfd] = w.fdIn;
				w.fdIn = (INT)nfd++;
			}
			if (w.fdOut >= 0) {
				fds[nfd] = w.fdOut;
				w.fdOut = (INT)nfd++;
			}
			memcpy((char *)buf + vs.dwStringOffset, &w, sizeof(w));
		}
	}
	if (nfd &&
	    !sd_bus_can_send(sd_bus_message_get_bus(m), SD_BUS_TYPE_UNIX_FD)) {
		e = LINEERR_RESOURCEUNAVAIL; /* a bus without descriptors */
		used = 0;
	}
send:
	/* every answer has the method's whole signature */
	flush_sender(m);
	q = sd_bus_message_new_method_return(m, &rep);
	if (q >= 0)
		q = sd_bus_message_append(rep, "i", (int32_t)e);
	if (q >= 0)
		q = sd_bus_message_append_array(rep, 'y', buf, e ? 0 : used);
	if (q >= 0)
		q = sd_bus_message_open_container(rep, 'a', "h");
	for (i = 0; e == 0 && i < nfd && q >= 0; i++)
		q = sd_bus_message_append(rep, "h", fds[i]);
	if (q >= 0)
		q = sd_bus_message_close_container(rep);
	if (q >= 0)
		q = sd_bus_send(NULL, rep, NULL);
	sd_bus_message_unref(rep); /* (it kept copies of the descriptors) */
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	free(buf);
	return q;
}

/* GatherDigits' answer: the result, the call's open, the gather's id. */
static int reply_gather(sd_bus_message *m, LONG r, HLINE line, uint32_t id)
{
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iuu", (int32_t)r, (uint32_t)line,
	                                  id);
}

/*
 * lineGatherDigits (calls.def's GatherDigits; the client's side is
 * cl_lineGatherDigitsA): the core fills a buffer of tapixd's, which goes
 * to the client ahead of the LINE_GATHERDIGITS (send_digits).
 */
static int m_gather(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hc, modes, n, t1, t2;
	int given, term_given;
	const char *term = NULL;
	struct client *c = client_get(m, false);
	struct dgather *g = NULL;
	static uint32_t next_gather;
	char none[1];
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uububsuu", &hc, &modes, &given, &n,
	                        &term_given, &term, &t1, &t2) < 0)
		return -EINVAL;
	r = call_of(c, hc);
	if (!r)
		return reply_gather(m, LINEERR_INVALCALLHANDLE, 0, 0);
	/*
	 * A count the core refuses gets a buffer it never writes (the core's
	 * own checks, in its order, give the error); one it takes, a buffer
	 * of that room.
	 */
	if (given && n && n <= RPC_GATHER_MAX) {
		if (r->ngathers >= MAX_GATHERS)
			return reply_gather(m, LINEERR_RESOURCEUNAVAIL, 0, 0);
		g = calloc(1, sizeof(*g) + n + 1);
		if (!g)
			return reply_gather(m, LINEERR_NOMEM, 0, 0);
		g->id = ++next_gather ? next_gather : ++next_gather;
		g->call = hc;
		g->line = tapix_call_line(hc);
		g->n = n;
		list_add_tail(&r->gathers, &g->link);
		r->ngathers++;
	}
	e = lineGatherDigitsA(hc, modes,
	                      g       ? g->buf
	                      : given ? none
	                              : NULL,
	                      n, term_given ? term : NULL, t1, t2);
	if (e && g) {
		list_del(&g->link);
		r->ngathers--;
		free(g);
	}
	return reply_gather(m, e, e ? 0 : tapix_call_line(hc),
	                    e || !g ? 0 : g->id);
}

/* Where the direct connections are (peer.c), or "". Issue 19 item 4 —
 * LimitsExceeded for a user who has all the direct connections it may
 * (its client stays on the bus), NoMemory while memory is short. */
static int m_peer(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *a = peer_address();
	struct who w;

	(void)ud;
	if (*a && who_of(m, &w) >= 0 && !peer_may_connect(w.uid))
		return sd_bus_error_setf(err, SD_BUS_ERROR_LIMITS_EXCEEDED,
		                         "too many direct connections for uid "
		                         "%u",
		                         (unsigned)w.uid);
	if (*a && mem_short())
		return sd_bus_error_set(err, SD_BUS_ERROR_NO_MEMORY,
		                        "memory is short");
	return sd_bus_reply_method_return(m, "s", a);
}

/* ---- the channel ----------------------------------------------------------
 */

#define BATCH_USEC 2000 /* before other sources get their turn */

/* Channel op -> row. [n - 1]: an op of 0, beyond CHAN_OP_END or given
 * twice does not compile, so the ops are exactly 1..N, each once; only an
 * op chan_req_decode accepted indexes it. */
static const uint8_t chan_method[CHAN_OP_END - 1] = {
#define CHAN_IDX(n, name, fn, shape) [(n)-1] = RPC_IDX_##fn,
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, CHAN_IDX, fn, shape)
#include "rpc/calls.def"
#undef CHAN_IDX
};

/*
 * The arguments of @x's row from channel request @k, by their kinds as
 * read_bus reads them from D-Bus: the handle; a handle's pointer given
 * (CHAN_HAS_PTR); a string or user-user information, the data
 * (CHAN_HAS_DATA: else NULL); the numbers in order, the first in arg
 * (dwSize: as decoded, cut to the bytes sent), the next in hint; no
 * input structure. -EINVAL for a kind the channel does not carry.
 */
static int read_chan(const struct chan_call *k, struct served *x)
{
	const struct rpc_row *row = x->row;
	unsigned j, p = 0, nums = 0;

	for (j = 0; j < row->nkinds; j++) {
		switch (row->kinds[j]) {
		case RPC_K_H:
			x->v[p] = k->h;
			break;
		case RPC_K_OUT_CALL:
			x->given[j] = k->has_ptr;
			break;
		case RPC_K_STR:
			x->v[p] = (uintptr_t)k->dest;
			break;
		case RPC_K_UUI:
			x->v[p] = (uintptr_t)k->uui;
			break;
		case RPC_K_SIZE:
			x->v[p] = k->uui_size;
			nums++;
			break;
		case RPC_K_U32:
			x->v[p] = nums++ ? k->hint : k->arg;
			break;
		case RPC_K_PARAMS:
			x->v[p] = 0;
			break;
		case RPC_K_LINE_OF:
			break;
		default:
			return -EINVAL;
		}
		if (is_param(row->kinds[j]))
			p++;
	}
	return 0;
}

/* Whether @row answers the open its request went through (LINE_OF). */
static bool has_line_of(const struct rpc_row *row)
{
	unsigned j;

	for (j = 0; j < row->nkinds; j++)
		if (row->kinds[j] == RPC_K_LINE_OF)
			return true;
	return false;
}

/* Answers @c's waiting request: the function, its messages, the result. */
static void chan_serve(struct client *c)
{
	struct chan_call k;
	struct served x;
	struct list_node *it;
	uint32_t line = 0;
	LONG e;

	/* its messages are fetched right after the call: no descriptor
	 * written and read for them meanwhile */
	list_foreach(it, &c->regs)
		tapix_set_event_quiet(list_entry(it, struct reg, link)->h,
		                      TRUE);
	memset(&x, 0, sizeof(x));
	x.c = c;
	if (chan_take(c->chan, &k) > 0)
		x.row = &rpc_rows[chan_method[k.op - 1]];
	if (!x.row || read_chan(&k, &x) < 0) {
		/* malformed: what a D-Bus failure is to the client */
		log_debug("%s: a malformed request on its channel", c->name);
		e = LINEERR_OPERATIONFAILED;
	} else {
		e = serve(&x);
		/* MakeCall: its line, even when it failed */
		if (has_line_of(x.row))
			line = x.line;
	}
	free(x.buf);
	flush_client(c);
	list_foreach(it, &c->regs)
		tapix_set_event_quiet(list_entry(it, struct reg, link)->h,
		                      FALSE);
	chan_reply(c->chan, e, line);
}

/* How long tapixd watches the channels after a request (rpc/chan.h), and
 * when it answered the last one. */
static struct chan_spin watch = {CHAN_SPIN_NS};
static uint64_t answered;

/*
 * A request came while tapixd slept: it serves the channels, and watches
 * them for a while after the last request (the next one of a call's life
 * comes within microseconds while the client runs; a system call to wake
 * would cost more than the work), as long as chan_spin says: not while
 * the machine is busy. At most BATCH_USEC at a time: then it comes back
 * later.
 */
static int on_chan(sd_event_source *src, int fd, uint32_t events,
                   void *userdata)
{
	uint64_t start = chan_now_ns(), prev = start, t;
	struct client *woken = userdata;
	struct list_node *it;
	unsigned idle = 0;

	(void)src;
	(void)fd;
	(void)events;

	chan_woken(woken->chan);
	for (;;) {
		bool any = false, all_asleep = true;

		list_foreach(it, &clients) {
			struct client *c = list_entry(it, struct client, link);

			if (c->chan && !c->cut && chan_pending(c->chan)) {
				chan_spin_learn(&watch,
				                chan_now_ns() - answered);
				chan_serve(c);
				answered = chan_now_ns();
				any = true;
			}
		}
		if (!any && watch.ns && ++idle % 16) {
			chan_relax(); /* the clock is read now and then only */
			continue;
		}
		t = chan_now_ns();
		if (any || (!chan_spin_lost(&watch, prev, t) &&
		            t - answered < watch.ns)) {
			if (!any)
				chan_relax();
		} else {
			list_foreach(it, &clients) {
				struct client *c =
					list_entry(it, struct client, link);

				if (c->chan && !c->cut && !chan_sleep(c->chan))
					all_asleep = false;
			}
			if (all_asleep)
				return 0;
		}
		prev = t;
		if (t - start >= BATCH_USEC * 1000)
			break;
	}
	/* its turn is over: asleep, but a channel with a request comes back
	 * in the next round of the loop (its client saw us awake and did
	 * not wake us) */
	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		if (c->chan && !c->cut && !chan_sleep(c->chan) &&
		    sd_event_source_set_enabled(c->chan_again,
		                                SD_EVENT_ONESHOT) < 0)
			log_err("%s: its request waits for the next one",
			        c->name);
	}
	return 0;
}

/* on_chan, for a channel whose request came as the last turn ended. */
static int on_chan_again(sd_event_source *src, void *userdata)
{
	return on_chan(src, -1, 0, userdata);
}

/* The direct connection's channel (rpc/chan.h): hhhh, see chan_fds. */
static int m_channel(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct client *c;
	int fds[4], e;

	(void)ud;
	if (d.no_channel || sd_bus_message_get_bus(m) == d.bus)
		return sd_bus_error_set(err, SD_BUS_ERROR_NOT_SUPPORTED,
		                        "channels are for direct connections");
	if (!sd_bus_can_send(sd_bus_message_get_bus(m), SD_BUS_TYPE_UNIX_FD))
		return sd_bus_error_set(err, SD_BUS_ERROR_NOT_SUPPORTED,
		                        "no descriptor passing");
	c = client_get(m, true);
	if (!c)
		return -ENOMEM;
	if (c->chan)
		return sd_bus_error_set(err, SD_BUS_ERROR_LIMITS_EXCEEDED,
		                        "one channel per connection");
	if (c->nregs)
		/* its messages went as signals so far: not two orders */
		return sd_bus_error_set(err, SD_BUS_ERROR_NOT_SUPPORTED,
		                        "a channel comes before registrations");
	if (mem_short()) {
		client_release(c);
		return sd_bus_error_set(err, SD_BUS_ERROR_NO_MEMORY,
		                        "memory is short");
	}
	e = chan_new(&c->chan);
	if (e >= 0)
		e = sd_event_add_io(d.event, &c->chan_io, chan_wake_fd(c->chan),
		                    EPOLLIN, on_chan, c);
	if (e >= 0)
		e = sd_event_add_defer(d.event, &c->chan_again, on_chan_again,
		                       c);
	if (e >= 0)
		e = sd_event_source_set_enabled(c->chan_again, SD_EVENT_OFF);
	if (e < 0) {
		c->chan_io = sd_event_source_unref(c->chan_io);
		c->chan_again = sd_event_source_unref(c->chan_again);
		chan_free(c->chan);
		c->chan = NULL;
		client_release(c);
		return e;
	}
	chan_fds(c->chan, fds);
	log_info("%s: channel open", c->name);
	/* the reply holds copies of the descriptors */
	e = sd_bus_reply_method_return(m, "hhhh", fds[0], fds[1], fds[2],
	                               fds[3]);
	chan_fds_sent(c->chan);
	return e;
}

/* ---- access rules that changed (issue 19 item 11) -----------------------
 */

/*
 * Takes client device @i away from @r: its opens there are closed as by
 * lineClose (termination.md §5: its sole-owned calls dropped, its
 * requests there never answered), told as a forced close (§7:
 * LINEDEVSTATE_REMOVED first to an open below 2.0, then LINE_CLOSE), then
 * LINE_REMOVE (2.0+); the id answers LINEERR_NODEVICE from now on, as a
 * removed device's. An open made with the core's LINEMAPPER whose line
 * the core could not tell (DEV_UNKNOWN) goes with any line taken away.
 * The number of opens closed.
 */
static unsigned take_back(struct reg *r, DWORD i)
{
	DWORD dev = r->devs[i];
	struct list_node *it, *tmp;
	unsigned closed = 0;

	r->devs[i] = DEV_REVOKED;
	r->nrevoked++;
	list_foreach_safe(it, tmp, &r->opens) {
		struct ropen *o = list_entry(it, struct ropen, link);
		DWORD api;

		if (o->dev != dev && o->dev != DEV_UNKNOWN)
			continue;
		api = tapix_line_api(o->h);
		if (tapix_line_app(o->h) == r->h && lineClose(o->h) == 0) {
			slots_free(r, o->h);
			gathers_free(r, 0, o->h);
			if (api < 0x00020000)
				reg_tell(r, o->h, LINE_LINEDEVSTATE, o->cbinst,
				         LINEDEVSTATE_REMOVED, 0);
			reg_tell(r, o->h, LINE_CLOSE, o->cbinst, 0, o->h);
			log_info("app %08x: line %u taken away: open %08x "
			         "closed",
			         r->h, (unsigned)dev, o->h);
			closed++;
		}
		ropen_free(r, o);
	}
	if (r->api >= 0x00020000)
		reg_tell(r, 0, LINE_REMOVE, 0, i, 0);
	return closed;
}

void rpc_rules_changed(unsigned *nregs, unsigned *nopens)
{
	struct list_node *it, *jt;

	*nregs = *nopens = 0;
	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		list_foreach(jt, &c->regs) {
			struct reg *r = list_entry(jt, struct reg, link);
			bool lost = false;
			DWORD i;

			for (i = 0; i < r->ndevs; i++) {
				if (r->devs[i] == DEV_REVOKED ||
				    acl_allows(&c->who, r->devs[i]))
					continue;
				/* what the core queued before goes first */
				if (!lost)
					forward_queued(r, ~0u);
				lost = true;
				*nopens += take_back(r, i);
			}
			if (lost) {
				(*nregs)++;
				deliver(r);
			}
		}
	}
}

/* The hand-written handlers of the table's RPC_REG, RPC_OWN and RPC_INFRA
 * rows (a row without one does not compile). */
#define HANDLER_lineInitializeExA m_initialize
#define HANDLER_lineShutdown      m_shutdown
#define HANDLER_lineGetIDA        m_get_id
#define HANDLER_lineGatherDigitsA m_gather
#define HANDLER_Peer              m_peer
#define HANDLER_Channel           m_channel

/* org.tapix.Tapi1, all from the table (calls.def): every method of a
 * function, the connection's own methods (RPC_INFRA), the signal. */
static const sd_bus_vtable rpc_vtable[] = {
	SD_BUS_VTABLE_START(0),
#define RPC(fn, ret, params, member, shape, ...)                         \
	SD_BUS_METHOD_WITH_OFFSET(member, RPC_IN(shape), RPC_OUT(shape), \
	                          m_row, RPC_IDX_##fn,                   \
	                          SD_BUS_VTABLE_UNPRIVILEGED),
#define RPC_OWN(fn, ret, params, member, shape, ...)                       \
	SD_BUS_METHOD(member, RPC_IN(shape), RPC_OUT(shape), HANDLER_##fn, \
	              SD_BUS_VTABLE_UNPRIVILEGED),
#define RPC_REG(fn, ret, params, member, in, out, ...) \
	SD_BUS_METHOD(member, in, out, HANDLER_##fn,   \
	              SD_BUS_VTABLE_UNPRIVILEGED),
#define RPC_INFRA(name, in, out, ...)                 \
	SD_BUS_METHOD(#name, in, out, HANDLER_##name, \
	              SD_BUS_VTABLE_UNPRIVILEGED),
#define RPC_SIGNAL(member, sig, ...) SD_BUS_SIGNAL(member, sig, 0),
#include "rpc/calls.def"
	SD_BUS_VTABLE_END,
};

int rpc_start(void)
{
	return rpc_attach(d.bus, &vtable_slot);
}

int rpc_attach(sd_bus *bus, sd_bus_slot **slot)
{
	return sd_bus_add_object_vtable(bus, slot, TAPIXD_PATH,
	                                TAPIXD_RPC_IFACE, rpc_vtable, NULL);
}

void rpc_stop(void)
{
	while (!list_empty(&clients))
		client_free(list_entry(clients.next, struct client, link));
	vtable_slot = sd_bus_slot_unref(vtable_slot);
}
