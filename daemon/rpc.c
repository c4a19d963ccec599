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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tapix/service.h>

#include "dlog.h"
#include "tapixd.h"

#define MAX_STRUCT  (1u << 20) /* most a query may ask the core to fill */
#define MAX_REGS    64         /* registrations of one client */
#define MAX_PENDING 4096       /* handle slots of one registration */

/* Storage for the handles a request writes before its LINE_REPLY. */
struct slot {
	struct list_node link;
	LONG req;
	HLINE line; /* the open the request was made through */
	HCALL h[2];
	unsigned nh;
};

struct client;

/* One registration of a client (its HLINEAPP). */
struct reg {
	struct list_node link;
	struct client *cl;
	HLINEAPP h;
	int fd;
	sd_event_source *io;
	struct list_node slots;
	unsigned nslots;
	DWORD ndevs;
	DWORD *devs; /* client device i is core device devs[i] */
};

/* A process with registrations, tracked until it leaves. */
struct client {
	struct list_node link;
	char *name;   /* unique bus name, or a label of a direct one */
	sd_bus *peer; /* its direct connection, or NULL: on the bus */
	struct who who;
	sd_bus_track *track;
	struct list_node regs;
	unsigned nregs;
	struct chan *chan;        /* its channel (direct only), or NULL */
	sd_event_source *chan_io; /* a request came while we slept */
	sd_event_source *retry;   /* its ring was full: try again soon */
};

static struct list_node clients = LIST_HEAD_INIT(clients);
static sd_bus_slot *vtable_slot;

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
	list_del(&r->link);
	c->nregs--;
	free(r->devs);
	free(r);
}

static void client_free(struct client *c)
{
	while (!list_empty(&c->regs))
		reg_end(list_entry(c->regs.next, struct reg, link), true);
	sd_event_source_unref(c->chan_io);
	sd_event_source_unref(c->retry);
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

static struct reg *own_line(sd_bus_message *m, HLINE h)
{
	return line_of(client_get(m, false), h);
}

static struct reg *own_call(sd_bus_message *m, HCALL h)
{
	return call_of(client_get(m, false), h);
}

/* The core device of client device @dev of @r, or a device id that is
 * not valid (the core answers LINEERR_BADDEVICEID). */
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

/* ---- messages to clients --------------------------------------------------
 */

static struct slot *slot_take(struct reg *r, LONG req)
{
	struct list_node *it;

	list_foreach(it, &r->slots) {
		struct slot *s = list_entry(it, struct slot, link);

		if (s->req == req) {
			list_del(&s->link);
			r->nslots--;
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

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata);

/* @c's ring is full: its registrations wait (their descriptors would
 * stay readable) and are tried again in a few milliseconds. */
static void ring_full(struct client *c)
{
	struct list_node *it;
	int e;

	list_foreach(it, &c->regs)
		sd_event_source_set_enabled(
			list_entry(it, struct reg, link)->io, SD_EVENT_OFF);
	if (c->retry)
		e = sd_event_source_set_time_relative(c->retry, 5000);
	else
		e = sd_event_add_time_relative(d.event, &c->retry,
		                               CLOCK_MONOTONIC, 5000, 1000,
		                               on_retry, c);
	if (e >= 0)
		e = sd_event_source_set_enabled(c->retry, SD_EVENT_ONESHOT);
	if (e < 0)
		log_err("%s: cannot wait for its messages to be taken: %s",
		        c->name, strerror(-e));
}

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct client *c = userdata;
	struct list_node *it;

	(void)src;
	(void)usec;
	list_foreach(it, &c->regs)
		sd_event_source_set_enabled(
			list_entry(it, struct reg, link)->io, SD_EVENT_ON);
	return 0;
}

/* Writes up to @max queued messages of @r into its client's ring. */
static unsigned ring_queued(struct reg *r, unsigned max)
{
	struct chan *ch = r->cl->chan;
	struct chan_msg c;
	unsigned n = 0;
	LINEMESSAGE m;
	DWORD guard;
	int e;

	while (n < max) {
		if (!chan_room(ch)) {
			ring_full(r->cl);
			break;
		}
		if (tapix_get_message_guarded(r->h, &m, &guard) != 0)
			break;
		n++;
		e = prepare(r, &m, guard, &c);
		if (e > 0)
			chan_push(ch, &c);
		else if (e < 0)
			log_err("app %08x: message to %s lost: %s", r->h,
			        r->cl->name, strerror(-e));
	}
	if (n)
		chan_notify(ch);
	return n;
}

/*
 * Sends up to @max queued messages of @r to its client in one Messages
 * signal; how many were taken from the queue.
 */
static unsigned forward_queued(struct reg *r, unsigned max)
{
	sd_bus *bus = r->cl->peer ? r->cl->peer : d.bus;
	sd_bus_message *s = NULL;
	unsigned n = 0, sent = 0;
	struct chan_msg c;
	LINEMESSAGE m;
	DWORD guard;
	int e = 0;

	if (r->cl->chan)
		return ring_queued(r, max);
	while (n < max && tapix_get_message_guarded(r->h, &m, &guard) == 0) {
		n++;
		if (!s) {
			e = sd_bus_message_new_signal(bus, &s, TAPIXD_PATH,
			                              TAPIXD_RPC_IFACE,
			                              "Messages");
			if (e >= 0 && !r->cl->peer)
				e = sd_bus_message_set_destination(s,
				                                   r->cl->name);
			if (e >= 0)
				e = sd_bus_message_open_container(
					s, 'a', "(uuuttttuuau)");
		}
		if (e >= 0)
			e = prepare(r, &m, guard, &c);
		if (e > 0) {
			e = append_message(s, &c);
			sent += e >= 0;
		}
		if (e < 0)
			break;
	}
	if (s && e >= 0 && sent) {
		e = sd_bus_message_close_container(s);
		if (e >= 0)
			e = sd_bus_send(bus, s, NULL);
	}
	sd_bus_message_unref(s);
	if (e < 0 && r->cl->peer &&
	    (e == -ENOTCONN || e == -EPIPE || e == -ECONNRESET))
		/* it closed: rpc_peer_gone shuts its registrations down */
		log_debug("app %08x: %s closed", r->h, r->cl->name);
	else if (e < 0)
		log_err("app %08x: messages to %s lost: %s", r->h, r->cl->name,
		        strerror(-e));
	return n;
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

/* (i r, ay data): @len bytes of @buf when r is 0, else none. */
static int reply_data(sd_bus_message *m, LONG r, const void *buf, size_t len)
{
	sd_bus_message *rep = NULL;
	int e;

	flush_sender(m);
	e = sd_bus_message_new_method_return(m, &rep);
	if (e >= 0)
		e = sd_bus_message_append(rep, "i", (int32_t)r);
	if (e >= 0)
		e = sd_bus_message_append_array(rep, 'y', buf,
		                                r == 0 ? len : 0);
	if (e >= 0)
		e = sd_bus_send(NULL, rep, NULL);
	sd_bus_message_unref(rep);
	return e;
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

/* A slot for a request about to be made through open @line. */
static struct slot *slot_new(struct reg *r, HLINE line)
{
	struct slot *s;

	if (r->nslots >= MAX_PENDING)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s) {
		s->line = line;
		list_add_tail(&r->slots, &s->link);
		r->nslots++;
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
		free(s);
	}
}

/* ---- methods: registrations -----------------------------------------------
 */

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
	if (c->nregs >= MAX_REGS)
		return init_error(m, LINEERR_RESOURCEUNAVAIL);
	r = calloc(1, sizeof(*r));
	if (!r)
		return init_error(m, LINEERR_NOMEM);
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
	list_init(&r->slots);
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

static int m_negotiate(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, dev, lo, hi;
	int has_ver, has_ext;
	LINEEXTENSIONID ext;
	DWORD ver = 0;
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uuuubb", &h, &dev, &lo, &hi, &has_ver,
	                        &has_ext) < 0)
		return -EINVAL;
	memset(&ext, 0, sizeof(ext));
	r = own_app(m, h);
	e = r ? lineNegotiateAPIVersion(h, core_dev(r, dev), lo, hi,
	                                has_ver ? &ver : NULL,
	                                has_ext ? &ext : NULL)
	      : LINEERR_INVALAPPHANDLE;
	{
		sd_bus_message *rep = NULL;
		int x;

		flush_sender(m);
		x = sd_bus_message_new_method_return(m, &rep);

		if (x >= 0)
			x = sd_bus_message_append(rep, "iu", (int32_t)e, ver);
		if (x >= 0)
			x = sd_bus_message_append_array(rep, 'y', &ext,
			                                e ? 0 : sizeof(ext));
		if (x >= 0)
			x = sd_bus_send(NULL, rep, NULL);
		sd_bus_message_unref(rep);
		return x;
	}
}

static int m_dev_caps(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, dev, ver, ext, total, cap = 0;
	int has_ptr;
	struct reg *r;
	void *buf = NULL;
	LONG e;
	int x;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uuuubu", &h, &dev, &ver, &ext, &has_ptr,
	                        &total) < 0)
		return -EINVAL;
	r = own_app(m, h);
	if (!r)
		return reply_data(m, LINEERR_INVALAPPHANDLE, NULL, 0);
	if (has_ptr && !(buf = out_buf(total, &cap)))
		return reply_data(m, LINEERR_NOMEM, NULL, 0);
	e = lineGetDevCaps(h, core_dev(r, dev), ver, ext, buf);
	x = reply_data(m, e, buf, buf ? used_of(buf, cap) : 0);
	free(buf);
	return x;
}

static int m_addr_caps(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, dev, addr, ver, ext, total, cap = 0;
	int has_ptr;
	struct reg *r;
	void *buf = NULL;
	LONG e;
	int x;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uuuuubu", &h, &dev, &addr, &ver, &ext,
	                        &has_ptr, &total) < 0)
		return -EINVAL;
	r = own_app(m, h);
	if (!r)
		return reply_data(m, LINEERR_INVALAPPHANDLE, NULL, 0);
	if (has_ptr && !(buf = out_buf(total, &cap)))
		return reply_data(m, LINEERR_NOMEM, NULL, 0);
	e = lineGetAddressCaps(h, core_dev(r, dev), addr, ver, ext, buf);
	if (e == 0)
		map_dev_field(r, buf, used_of(buf, cap),
		              offsetof(LINEADDRESSCAPS, dwLineDeviceID));
	x = reply_data(m, e, buf, buf ? used_of(buf, cap) : 0);
	free(buf);
	return x;
}

/* ---- methods: lines -------------------------------------------------------
 */

static int m_open(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, dev, ver, ext, priv, media;
	uint64_t cbinst;
	int has_ptr;
	void *params = NULL;
	struct reg *r;
	HLINE line = 0;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uubuutuu", &h, &dev, &has_ptr, &ver, &ext,
	                        &cbinst, &priv, &media) < 0 ||
	    read_struct(m, &params) < 0)
		return -EINVAL;
	r = own_app(m, h);
	if (!r) {
		e = LINEERR_INVALAPPHANDLE;
	} else if (dev == LINEMAPPER && r->ndevs == d.ndevs) {
		/* the client sees every line: the core's own LINEMAPPER */
		e = lineOpen(h, dev, has_ptr ? &line : NULL, ver, ext,
		             (DWORD_PTR)cbinst, priv, media, params);
	} else if (dev == LINEMAPPER) {
		DWORD i;

		/* only among the lines the client may use: the core checks
		 * the arguments on the first one */
		e = LINEERR_LINEMAPPERFAILED;
		for (i = 0; i < r->ndevs && e; i++)
			e = lineOpen(h, r->devs[i], has_ptr ? &line : NULL, ver,
			             ext, (DWORD_PTR)cbinst, priv, media,
			             params);
		if (e && e != LINEERR_INVALPOINTER && e != LINEERR_INVALPARAM)
			e = LINEERR_LINEMAPPERFAILED;
	} else {
		e = lineOpen(h, core_dev(r, dev), has_ptr ? &line : NULL, ver,
		             ext, (DWORD_PTR)cbinst, priv, media, params);
	}
	free(params);
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, (uint32_t)line);
}

static int m_close(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct reg *r;
	uint32_t h;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "u", &h) < 0)
		return -EINVAL;
	r = own_line(m, h);
	e = r ? lineClose(h) : LINEERR_INVALLINEHANDLE;
	if (e == 0)
		slots_free(
			r,
			h); /* spec: no reply for requests of a closed line */
	return reply_r(m, e);
}

static int m_status_messages(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, ls, as;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uuu", &h, &ls, &as) < 0)
		return -EINVAL;
	return reply_r(m, own_line(m, h) ? lineSetStatusMessages(h, ls, as)
	                                 : LINEERR_INVALLINEHANDLE);
}

/* Queries filling a structure for a line or call handle. */
enum query {
	Q_DEVSTATUS,
	Q_NEWCALLS,
	Q_CALLINFO,
	Q_CALLSTATUS,
	Q_CONFRELATED,
};

static int query(sd_bus_message *m, enum query q, uint32_t h, uint32_t a1,
                 uint32_t a2, uint32_t total, int has_ptr)
{
	struct reg *r = q <= Q_NEWCALLS ? own_line(m, h) : own_call(m, h);
	uint32_t cap = 0;
	void *buf = NULL;
	LONG e;
	int x;

	if (!r)
		return reply_data(m,
		                  q <= Q_NEWCALLS ? LINEERR_INVALLINEHANDLE
		                                  : LINEERR_INVALCALLHANDLE,
		                  NULL, 0);
	if (has_ptr) {
		buf = out_buf(total, &cap);
		if (!buf)
			return reply_data(m, LINEERR_NOMEM, NULL, 0);
	}
	switch (q) {
	case Q_DEVSTATUS:
		e = lineGetLineDevStatus(h, buf);
		break;
	case Q_NEWCALLS:
		e = lineGetNewCalls(h, a1, a2, buf);
		break;
	case Q_CALLINFO:
		e = lineGetCallInfo(h, buf);
		if (e == 0)
			map_dev_field(r, buf, used_of(buf, cap),
			              offsetof(LINECALLINFO, dwLineDeviceID));
		break;
	case Q_CALLSTATUS:
		e = lineGetCallStatus(h, buf);
		break;
	default:
		e = lineGetConfRelatedCalls(h, buf);
		break;
	}
	x = reply_data(m, e, buf, buf ? used_of(buf, cap) : 0);
	free(buf);
	return x;
}

static int m_query(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, a1, a2, total;
	int has_ptr;

	(void)err;
	if (sd_bus_message_read(m, "uuubu", &h, &a1, &a2, &has_ptr, &total) < 0)
		return -EINVAL;
	return query(m, (enum query)(uintptr_t)ud, h, a1, a2, total, has_ptr);
}

/* ---- methods: calls -------------------------------------------------------
 */

/* lineMakeCall for client @c (MakeCall, or its channel). */
static LONG make_call(struct client *c, HLINE h, bool has_ptr, const char *dest,
                      DWORD country, LPLINECALLPARAMS params)
{
	struct reg *r = line_of(c, h);
	struct slot *s;
	LONG e;

	if (!r)
		return LINEERR_INVALLINEHANDLE;
	s = slot_new(r, h);
	if (!s)
		return LINEERR_RESOURCEUNAVAIL;
	e = lineMakeCall(h, has_ptr ? &s->h[0] : NULL, dest, country, params);
	slot_keep(r, s, e, has_ptr ? 1 : 0);
	return e;
}

static int m_make_call(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, country;
	int has_ptr, has_dest;
	const char *dest;
	void *params = NULL;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "ubbsu", &h, &has_ptr, &has_dest, &dest,
	                        &country) < 0 ||
	    read_struct(m, &params) < 0)
		return -EINVAL;
	e = make_call(client_get(m, false), h, has_ptr, has_dest ? dest : NULL,
	              country, params);
	free(params);
	/* the line tells the client which requests a lineClose voids */
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, h);
}

/* Makes an asynchronous request on call @h through @fn (gets @a1, @a2). */
static LONG call_request(struct reg *r, HCALL h,
                         LONG (*fn)(HCALL, const void *, const void *),
                         const void *a1, const void *a2)
{
	(void)r;
	return fn(h, a1, a2);
}

struct uui_args {
	const void *uui;
	uint32_t size;
};

static LONG do_accept(HCALL h, const void *a, const void *b)
{
	const struct uui_args *u = a;

	(void)b;
	return lineAccept(h, u->uui, u->size);
}

static LONG do_answer(HCALL h, const void *a, const void *b)
{
	const struct uui_args *u = a;

	(void)b;
	return lineAnswer(h, u->uui, u->size);
}

static LONG do_drop(HCALL h, const void *a, const void *b)
{
	const struct uui_args *u = a;

	(void)b;
	return lineDrop(h, u->uui, u->size);
}

static LONG do_drop_ex(HCALL h, const void *a, const void *b)
{
	const struct uui_args *u = a;

	return tapix_line_drop_ex(h, u->uui, u->size, *(const uint32_t *)b);
}

static LONG do_send_uui(HCALL h, const void *a, const void *b)
{
	const struct uui_args *u = a;

	(void)b;
	return lineSendUserUserInfo(h, u->uui, u->size);
}

static LONG do_release_uui(HCALL h, const void *a, const void *b)
{
	(void)a;
	(void)b;
	return lineReleaseUserUserInfo(h);
}

static LONG do_hold(HCALL h, const void *a, const void *b)
{
	(void)a;
	(void)b;
	return lineHold(h);
}

static LONG do_unhold(HCALL h, const void *a, const void *b)
{
	(void)a;
	(void)b;
	return lineUnhold(h);
}

static LONG do_remove_conf(HCALL h, const void *a, const void *b)
{
	(void)a;
	(void)b;
	return lineRemoveFromConference(h);
}

static LONG do_dial(HCALL h, const void *a, const void *b)
{
	return lineDial(h, a, *(const uint32_t *)b);
}

static LONG do_transfer(HCALL h, const void *a, const void *b)
{
	return lineBlindTransfer(h, a, *(const uint32_t *)b);
}

static LONG do_add_conf(HCALL h, const void *a, const void *b)
{
	(void)b;
	return lineAddToConference(h, *(const HCALL *)a);
}

/* Operations taking a call handle and optional user-user information. */
enum uui_op {
	U_ACCEPT,
	U_ANSWER,
	U_DROP,
	U_SEND,
	U_DROP_EX,
};

/* An operation of enum uui_op for client @c (its method, or its channel):
 * @size is dwSize, of which @uui (NULL: none given) holds what was sent. */
static LONG uui_request(struct client *c, enum uui_op op, HCALL h,
                        const void *uui, uint32_t size, uint32_t hint)
{
	static LONG (*const fns[])(HCALL, const void *, const void *) = {
		[U_ACCEPT] = do_accept,   [U_ANSWER] = do_answer,
		[U_DROP] = do_drop,       [U_SEND] = do_send_uui,
		[U_DROP_EX] = do_drop_ex,
	};
	struct uui_args u = {.uui = uui, .size = size};
	struct reg *r = call_of(c, h);

	if (!r)
		return LINEERR_INVALCALLHANDLE;
	return call_request(r, h, fns[op], &u, &hint);
}

static int m_uui_op(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, size, hint = 0;
	int has_uui;
	const void *uui;
	size_t n;

	(void)err;
	if (sd_bus_message_read(m, "ub", &h, &has_uui) < 0 ||
	    sd_bus_message_read_array(m, 'y', &uui, &n) < 0 ||
	    sd_bus_message_read(m, "u", &size) < 0 ||
	    ((uintptr_t)ud == U_DROP_EX &&
	     sd_bus_message_read(m, "u", &hint) < 0))
		return -EINVAL;
	/* the core reads dwSize bytes: never more than were sent */
	if (has_uui && size > n)
		size = (uint32_t)n;
	return reply_r(m, uui_request(client_get(m, false),
	                              (enum uui_op)(uintptr_t)ud, h,
	                              has_uui ? uui : NULL, size, hint));
}

/* Operations taking only a call handle. */
enum call_op {
	C_RELEASE_UUI,
	C_HOLD,
	C_UNHOLD,
	C_DEALLOCATE,
	C_REMOVE_CONF,
};

/* An operation of enum call_op for client @c (its method, or channel). */
static LONG call_op_request(struct client *c, enum call_op op, HCALL h)
{
	static LONG (*const fns[])(HCALL, const void *, const void *) = {
		[C_RELEASE_UUI] = do_release_uui,
		[C_HOLD] = do_hold,
		[C_UNHOLD] = do_unhold,
		[C_REMOVE_CONF] = do_remove_conf,
	};
	struct reg *r = call_of(c, h);

	if (!r)
		return LINEERR_INVALCALLHANDLE;
	if (op == C_DEALLOCATE) /* synchronous */
		return lineDeallocateCall(h);
	return call_request(r, h, fns[op], NULL, NULL);
}

static int m_call_op(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h;

	(void)err;
	if (sd_bus_message_read(m, "u", &h) < 0)
		return -EINVAL;
	return reply_r(m, call_op_request(client_get(m, false),
	                                  (enum call_op)(uintptr_t)ud, h));
}

/* Dial, BlindTransfer: a call, an address, a country code. */
static int m_address_op(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, country;
	int has_dest;
	const char *dest;
	struct reg *r;

	(void)err;
	if (sd_bus_message_read(m, "ubsu", &h, &has_dest, &dest, &country) < 0)
		return -EINVAL;
	r = own_call(m, h);
	if (!r)
		return reply_r(m, LINEERR_INVALCALLHANDLE);
	return reply_r(m, call_request(r, h, ud ? do_transfer : do_dial,
	                               has_dest ? dest : NULL, &country));
}

static int m_privilege(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, priv;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uu", &h, &priv) < 0)
		return -EINVAL;
	return reply_r(m, own_call(m, h) ? lineSetCallPrivilege(h, priv)
	                                 : LINEERR_INVALCALLHANDLE);
}

static int m_handoff(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t h, media;
	int has_file;
	const char *file;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "ubsu", &h, &has_file, &file, &media) < 0)
		return -EINVAL;
	return reply_r(m,
	               own_call(m, h)
	                       ? lineHandoff(h, has_file ? file : NULL, media)
	                       : LINEERR_INVALCALLHANDLE);
}

static int m_setup_conf(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hcall, hline, nparties, line = 0;
	int has1, has2;
	void *params = NULL;
	struct slot *s = NULL;
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uubbu", &hcall, &hline, &has1, &has2,
	                        &nparties) < 0 ||
	    read_struct(m, &params) < 0)
		return -EINVAL;
	/* a call, or (without one) a line, of the sender */
	r = hcall ? own_call(m, hcall) : own_line(m, hline);
	if (!r) {
		e = hcall ? LINEERR_INVALCALLHANDLE : LINEERR_INVALLINEHANDLE;
	} else if (!(s = slot_new(r, line = hcall ? tapix_call_line(hcall)
	                                          : hline))) {
		e = LINEERR_RESOURCEUNAVAIL;
	} else {
		/* the line, if given with a call, must be the sender's too */
		if (hcall && hline && !own_line(m, hline))
			e = LINEERR_INVALLINEHANDLE;
		else
			e = lineSetupConference(
				hcall, hline, has1 ? &s->h[0] : NULL,
				has2 ? &s->h[1] : NULL, nparties, params);
		slot_keep(r, s, e, 2);
	}
	free(params);
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, line);
}

static int m_prepare_conf(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hconf, line = 0;
	int has_ptr;
	void *params = NULL;
	struct slot *s = NULL;
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "ub", &hconf, &has_ptr) < 0 ||
	    read_struct(m, &params) < 0)
		return -EINVAL;
	r = own_call(m, hconf);
	if (!r) {
		e = LINEERR_INVALCONFCALLHANDLE;
	} else if (!(s = slot_new(r, line = tapix_call_line(hconf)))) {
		e = LINEERR_RESOURCEUNAVAIL;
	} else {
		e = linePrepareAddToConference(hconf, has_ptr ? &s->h[0] : NULL,
		                               params);
		slot_keep(r, s, e, has_ptr ? 1 : 0);
	}
	free(params);
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, line);
}

static int m_add_conf(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hconf, hconsult;
	struct reg *r;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uu", &hconf, &hconsult) < 0)
		return -EINVAL;
	r = own_call(m, hconf);
	if (!r)
		return reply_r(m, LINEERR_INVALCONFCALLHANDLE);
	if (!own_call(m, hconsult))
		return reply_r(m, LINEERR_INVALCALLHANDLE);
	return reply_r(m, call_request(r, hconf, do_add_conf, &hconsult, NULL));
}

static int m_setup_xfer(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hcall, line = 0;
	int has_ptr;
	void *params = NULL;
	struct slot *s = NULL;
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "ub", &hcall, &has_ptr) < 0 ||
	    read_struct(m, &params) < 0)
		return -EINVAL;
	r = own_call(m, hcall);
	if (!r) {
		e = LINEERR_INVALCALLHANDLE;
	} else if (!(s = slot_new(r, line = tapix_call_line(hcall)))) {
		e = LINEERR_RESOURCEUNAVAIL;
	} else {
		e = lineSetupTransfer(hcall, has_ptr ? &s->h[0] : NULL, params);
		slot_keep(r, s, e, has_ptr ? 1 : 0);
	}
	free(params);
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, line);
}

static int m_complete_xfer(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint32_t hcall, hconsult, mode, line = 0;
	int has_ptr;
	struct slot *s = NULL;
	struct reg *r;
	LONG e;

	(void)ud;
	(void)err;
	if (sd_bus_message_read(m, "uubu", &hcall, &hconsult, &has_ptr, &mode) <
	    0)
		return -EINVAL;
	r = own_call(m, hcall);
	if (!r) {
		e = LINEERR_INVALCALLHANDLE;
	} else if (!own_call(m, hconsult)) {
		e = LINEERR_INVALCONSULTCALLHANDLE;
	} else if (!(s = slot_new(r, line = tapix_call_line(hcall)))) {
		e = LINEERR_RESOURCEUNAVAIL;
	} else {
		bool conf = mode == LINETRANSFERMODE_CONFERENCE && has_ptr;

		e = lineCompleteTransfer(hcall, hconsult,
		                         has_ptr ? &s->h[0] : NULL, mode);
		/* only a conference writes a handle at its LINE_REPLY */
		slot_keep(r, s, conf ? e : 0, conf ? 1 : 0);
	}
	flush_sender(m);
	return sd_bus_reply_method_return(m, "iu", (int32_t)e, line);
}

/* Where the direct connections are (peer.c), or "". */
static int m_peer(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	(void)ud;
	(void)err;
	return sd_bus_reply_method_return(m, "s", peer_address());
}

/* ---- the channel ----------------------------------------------------------
 */

#define SPIN_USEC  50   /* tapixd watches the channels this long */
#define BATCH_USEC 2000 /* before other sources get their turn */

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

/* Answers @c's waiting request: the function, its messages, the result. */
static void chan_serve(struct client *c)
{
	static const uint8_t uui_ops[] = {
		[CHAN_ACCEPT] = U_ACCEPT, [CHAN_ANSWER] = U_ANSWER,
		[CHAN_DROP] = U_DROP,     [CHAN_DROP_EX] = U_DROP_EX,
		[CHAN_SEND_UUI] = U_SEND,
	};
	static const uint8_t call_ops[] = {
		[CHAN_RELEASE_UUI] = C_RELEASE_UUI,
		[CHAN_HOLD] = C_HOLD,
		[CHAN_UNHOLD] = C_UNHOLD,
		[CHAN_DEALLOCATE] = C_DEALLOCATE,
		[CHAN_REMOVE_CONF] = C_REMOVE_CONF,
	};
	struct chan_call k;
	struct list_node *it;
	uint32_t line = 0;
	LONG e;

	/* its messages are fetched right after the call: no descriptor
	 * written and read for them meanwhile */
	list_foreach(it, &c->regs)
		tapix_set_event_quiet(list_entry(it, struct reg, link)->h,
		                      TRUE);
	switch (chan_take(c->chan, &k) < 0 ? 0 : k.op) {
	case CHAN_MAKE_CALL:
		e = make_call(c, k.h, k.has_ptr, k.dest, k.arg, NULL);
		line = k.h;
		break;
	case CHAN_ACCEPT:
	case CHAN_ANSWER:
	case CHAN_DROP:
	case CHAN_DROP_EX:
	case CHAN_SEND_UUI:
		e = uui_request(c, (enum uui_op)uui_ops[k.op], k.h, k.uui,
		                k.uui_size, k.hint);
		break;
	case CHAN_RELEASE_UUI:
	case CHAN_HOLD:
	case CHAN_UNHOLD:
	case CHAN_DEALLOCATE:
	case CHAN_REMOVE_CONF:
		e = call_op_request(c, (enum call_op)call_ops[k.op], k.h);
		break;
	default:
		/* malformed: what a D-Bus failure is to the client */
		log_debug("%s: a malformed request on its channel", c->name);
		e = LINEERR_OPERATIONFAILED;
		break;
	}
	flush_client(c);
	list_foreach(it, &c->regs)
		tapix_set_event_quiet(list_entry(it, struct reg, link)->h,
		                      FALSE);
	chan_reply(c->chan, e, line);
}

/*
 * A request came while tapixd slept: it serves the channels, and watches
 * them for SPIN_USEC after the last request (the next one of a call's life
 * comes within microseconds; a system call to wake would cost more than
 * the work). At most BATCH_USEC at a time: then it comes back later.
 */
static int on_chan(sd_event_source *src, int fd, uint32_t events,
                   void *userdata)
{
	uint64_t start = now_usec(), last = start, t;
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

			if (c->chan && chan_pending(c->chan)) {
				chan_serve(c);
				any = true;
			}
		}
		if (!any && ++idle % 16) {
			chan_relax(); /* the clock is read now and then only */
			continue;
		}
		t = now_usec();
		if (any) {
			last = t;
		} else if (t - last >= SPIN_USEC) {
			list_foreach(it, &clients) {
				struct client *c =
					list_entry(it, struct client, link);

				if (c->chan && !chan_sleep(c->chan))
					all_asleep = false;
			}
			if (all_asleep)
				return 0;
		} else {
			chan_relax();
		}
		if (t - start >= BATCH_USEC)
			break;
	}
	/* its turn is over: asleep, but a channel with a request comes back
	 * (its client saw us awake and did not wake us) */
	list_foreach(it, &clients) {
		struct client *c = list_entry(it, struct client, link);

		if (c->chan && !chan_sleep(c->chan))
			chan_rewake(c->chan);
	}
	return 0;
}

/* The direct connection's channel (util/chan.h): hhhh, see chan_fds. */
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
	e = chan_new(&c->chan);
	if (e >= 0)
		e = sd_event_add_io(d.event, &c->chan_io, chan_wake_fd(c->chan),
		                    EPOLLIN, on_chan, c);
	if (e < 0) {
		chan_free(c->chan);
		c->chan = NULL;
		client_release(c);
		return e;
	}
	chan_fds(c->chan, fds);
	log_info("%s: channel open", c->name);
	return sd_bus_reply_method_return(m, "hhhh", fds[0], fds[1], fds[2],
	                                  fds[3]);
}

static const sd_bus_vtable rpc_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Peer", "", "s", m_peer, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Channel", "", "hhhh", m_channel,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Initialize", "ssuu", "iuuu", m_initialize,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Shutdown", "u", "i", m_shutdown,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("NegotiateAPIVersion", "uuuubb", "iuay", m_negotiate,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetDevCaps", "uuuubu", "iay", m_dev_caps,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAddressCaps", "uuuuubu", "iay", m_addr_caps,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Open", "uubuutuuay", "iu", m_open,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Close", "u", "i", m_close, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetStatusMessages", "uuu", "i", m_status_messages,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("GetLineDevStatus", "uuubu", "iay", m_query,
                                  Q_DEVSTATUS, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("GetNewCalls", "uuubu", "iay", m_query,
                                  Q_NEWCALLS, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("GetCallInfo", "uuubu", "iay", m_query,
                                  Q_CALLINFO, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("GetCallStatus", "uuubu", "iay", m_query,
                                  Q_CALLSTATUS, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("GetConfRelatedCalls", "uuubu", "iay",
                                  m_query, Q_CONFRELATED,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("MakeCall", "ubbsuay", "iu", m_make_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Accept", "ubayu", "i", m_uui_op, U_ACCEPT,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Answer", "ubayu", "i", m_uui_op, U_ANSWER,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Drop", "ubayu", "i", m_uui_op, U_DROP,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("DropEx", "ubayuu", "i", m_uui_op, U_DROP_EX,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("SendUserUserInfo", "ubayu", "i", m_uui_op,
                                  U_SEND, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("ReleaseUserUserInfo", "u", "i", m_call_op,
                                  C_RELEASE_UUI, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Hold", "u", "i", m_call_op, C_HOLD,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Unhold", "u", "i", m_call_op, C_UNHOLD,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("DeallocateCall", "u", "i", m_call_op,
                                  C_DEALLOCATE, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("RemoveFromConference", "u", "i", m_call_op,
                                  C_REMOVE_CONF, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("Dial", "ubsu", "i", m_address_op, 0,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_OFFSET("BlindTransfer", "ubsu", "i", m_address_op, 1,
                                  SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetCallPrivilege", "uu", "i", m_privilege,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Handoff", "ubsu", "i", m_handoff,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetupConference", "uubbuay", "iu", m_setup_conf,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("PrepareAddToConference", "ubay", "iu", m_prepare_conf,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AddToConference", "uu", "i", m_add_conf,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetupTransfer", "ubay", "iu", m_setup_xfer,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CompleteTransfer", "uubu", "iu", m_complete_xfer,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("Messages", "a(uuuttttuuau)", 0),
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
