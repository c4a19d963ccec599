/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: direct connections. Besides the bus, tapixd listens on a Unix
 * socket of its own and serves org.tapix.Tapi1 there, on a peer-to-peer
 * D-Bus connection per client (sd-bus in server mode), so that a client's
 * calls and messages do not cross the bus daemon: half the hops, the same
 * methods and signals. A client learns the address from the Peer method
 * on the bus; tapixd decides who may use what from the credentials of
 * the socket (SO_PEERCRED), as it does from the bus's.
 *
 * The socket is <dir>/tapi in a directory of its own: $RUNTIME_DIRECTORY
 * under systemd, else a new tapixd-XXXXXX in $XDG_RUNTIME_DIR or /tmp,
 * removed at exit; or the path of --peer=PATH.
 *
 * Issue 19 item 4 — a user has at most max_connections_per_user, all users
 * max_connections less root's reserve (lim_get: also what the descriptors
 * allow): past that, Peer answers LimitsExceeded and a connection made
 * all the same is closed at once (the client stays on the bus). An
 * accept() that fails for want of descriptors or memory rests the
 * listening socket a while, instead of failing again at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dlog.h"
#include "tapixd.h"

/* Issue 19 item 13 — what the kernel holds for a client that reads
 * nothing (sd-bus asks for 8 MiB): beyond, its messages wait in tapixd,
 * counted (rpc.c, max_queued_messages) */
#define PEER_SNDBUF (128 * 1024)

/*
 * What sd-bus may hold for a client beyond that (answers and signals)
 * before tapixd ends its connection: sd-bus goes on reading calls while
 * its answers wait, so a client that calls and reads nothing (Introspect
 * in a loop: kilobytes an answer) would grow tapixd without bound. Its
 * signals stop at PEER_QUEUE (rpc.c, 64); a client of ours has a call or
 * two on their way per thread.
 */
#define PEER_WQUEUE_MAX 256

#define REST_MIN_USEC 100000  /* the listening socket rests, at first */
#define REST_MAX_USEC 2000000 /* at most, after failure upon failure */

struct peer {
	struct list_node link;
	uid_t uid;
	sd_bus *bus;
	sd_bus_slot *vtable, *gone, *filter;
	sd_event_source *end; /* frees it, out of the bus's own dispatch */
	unsigned down;        /* seconds seen out of service (peer_check) */
};

static struct {
	int fd;
	sd_event_source *io;
	sd_id128_t id;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path) - 8]; /* ours */
	char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
	struct list_node peers;
	unsigned npeers;
	sd_event_source *rest; /* accept() failed: listens again then */
	uint64_t rest_usec;    /* how long it rests next time */
} p = {.fd = -1, .peers = LIST_HEAD_INIT(p.peers)};

static void peer_free(struct peer *x)
{
	/* its registrations first: lineShutdown of each (termination §6) */
	rpc_peer_gone(x->bus);
	sd_bus_slot_unref(x->vtable);
	sd_bus_slot_unref(x->gone);
	sd_bus_slot_unref(x->filter);
	sd_event_source_unref(x->end);
	sd_bus_detach_event(x->bus);
	/* not flushed: the client is gone, cut off, or tapixd stops (and a
	 * flush would wait for ever on a client that takes nothing) */
	sd_bus_close_unref(x->bus);
	list_del(&x->link);
	p.npeers--;
	free(x);
}

static struct peer *peer_find(sd_bus *bus)
{
	struct list_node *it;

	list_foreach(it, &p.peers) {
		struct peer *x = list_entry(it, struct peer, link);

		if (x->bus == bus)
			return x;
	}
	return NULL;
}

void peer_drop(sd_bus *bus)
{
	struct peer *x = peer_find(bus);

	if (x)
		peer_free(x);
}

bool peer_check(void)
{
	struct list_node *it, *tmp;
	bool again = false;

	list_foreach_safe(it, tmp, &p.peers) {
		struct peer *x = list_entry(it, struct peer, link);

		/* (a connection that closed is freed within an iteration of
		 * the loop: seen twice, it is stuck) */
		if (sd_bus_is_open(x->bus) > 0 || x->end) {
			x->down = 0;
			continue;
		}
		if (++x->down < 2) {
			again = true;
			continue;
		}
		log_warn("a direct connection (uid %u) out of service: ended",
		         (unsigned)x->uid);
		peer_free(x);
	}
	return again;
}

static int on_end(sd_event_source *s, void *userdata)
{
	(void)s;
	peer_free(userdata);
	return 0;
}

/* spec: termination.md §6 — the client closed or died */
static int on_gone(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct peer *x = userdata;

	(void)m;
	(void)e;
	/* its registrations now; the connection once its dispatch is over */
	rpc_peer_gone(x->bus);
	if (!x->end && sd_event_add_defer(d.event, &x->end, on_end, x) < 0)
		log_warn("a closed direct connection ends at the next "
		         "check (peer_check)");
	return 0;
}

/*
 * Before each message a client sends is dispatched: a client that leaves
 * PEER_WQUEUE_MAX messages unread (answers, and signals up to
 * PEER_QUEUE) is ended as a closed one (its registrations shut down),
 * and what it sends meanwhile is not looked at.
 */
static int on_incoming(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct peer *x = userdata;
	uint64_t n = 0;

	if (x->end)
		return 1; /* it ends: nothing more is answered */
	if (sd_bus_get_n_queued_write(x->bus, &n) < 0 || n < PEER_WQUEUE_MAX)
		return 0;
	log_warn("a direct connection (uid %u) reads no answers: ended",
	         (unsigned)x->uid);
	on_gone(m, x, e);
	return 1;
}

static unsigned of_uid(uid_t uid)
{
	struct list_node *it;
	unsigned n = 0;

	list_foreach(it, &p.peers)
		n += list_entry(it, struct peer, link)->uid == uid;
	return n;
}

bool peer_may_connect(uid_t uid)
{
	struct limits l;

	lim_get(&l);
	return lim_allows(uid, p.npeers, of_uid(uid), l.conns,
	                  l.conns_per_user);
}

static int on_rested(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	(void)userdata;
	if (p.io)
		sd_event_source_set_enabled(p.io, SD_EVENT_ON);
	return 0;
}

/* accept() failed for want of descriptors or memory: the listening
 * socket rests (doubling, up to REST_MAX_USEC) rather than fail again at
 * once; connections wait in its backlog meanwhile. */
static void rest(int err)
{
	int e;

	p.rest_usec = p.rest_usec ? p.rest_usec * 2 : REST_MIN_USEC;
	if (p.rest_usec > REST_MAX_USEC)
		p.rest_usec = REST_MAX_USEC;
	log_warn("direct connections wait %llu ms: accept: %s",
	         (unsigned long long)(p.rest_usec / 1000), strerror(err));
	if (p.rest)
		e = sd_event_source_set_time_relative(p.rest, p.rest_usec);
	else
		e = sd_event_add_time_relative(d.event, &p.rest,
		                               CLOCK_MONOTONIC, p.rest_usec,
		                               10000, on_rested, NULL);
	if (e >= 0)
		e = sd_event_source_set_enabled(p.rest, SD_EVENT_ONESHOT);
	/* without the timer it listens again at once: as before */
	if (e >= 0)
		sd_event_source_set_enabled(p.io, SD_EVENT_OFF);
}

static int on_accept(sd_event_source *s, int fd, uint32_t events,
                     void *userdata)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct peer *x;
	int c, e;

	(void)s;
	(void)events;
	(void)userdata;
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			rest(errno);
		else if (errno != EAGAIN && errno != EINTR)
			log_warn("direct connection refused: %s",
			         strerror(errno));
		return 0;
	}
	p.rest_usec = 0;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    d.stopping) {
		close(c);
		return 0;
	}
	if (!peer_may_connect(cred.uid) || mem_short()) {
		/* the client goes on through the bus */
		log_info("direct connection of uid %u refused (%u of them, %u "
		         "in all)",
		         (unsigned)cred.uid, of_uid(cred.uid), p.npeers);
		close(c);
		return 0;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		close(c);
		return 0;
	}
	x->uid = cred.uid;
	e = sd_bus_new(&x->bus);
	if (e >= 0)
		e = sd_bus_set_fd(x->bus, c, c);
	if (e < 0)
		close(c); /* the bus closes it once it holds it */
	if (e >= 0)
		e = sd_bus_set_server(x->bus, 1, p.id);
	if (e >= 0)
		e = sd_bus_start(x->bus);
	if (e >= 0 && setsockopt(c, SOL_SOCKET, SO_SNDBUF, &(int){PEER_SNDBUF},
	                         sizeof(int)) != 0)
		log_debug("direct connection: SO_SNDBUF: %s", strerror(errno));
	if (e >= 0)
		e = sd_bus_match_signal(x->bus, &x->gone, NULL,
		                        "/org/freedesktop/DBus/Local",
		                        "org.freedesktop.DBus.Local",
		                        "Disconnected", on_gone, x);
	if (e >= 0)
		e = sd_bus_add_filter(x->bus, &x->filter, on_incoming, x);
	if (e >= 0)
		e = rpc_attach(x->bus, &x->vtable);
	if (e >= 0)
		e = sd_bus_attach_event(x->bus, d.event,
		                        SD_EVENT_PRIORITY_NORMAL);
	if (e < 0) {
		log_warn("direct connection failed: %s", strerror(-e));
		sd_bus_slot_unref(x->vtable);
		sd_bus_slot_unref(x->gone);
		sd_bus_slot_unref(x->filter);
		sd_bus_close_unref(x->bus);
		free(x);
		return 0;
	}
	list_add_tail(&p.peers, &x->link);
	p.npeers++;
	return 0;
}

/* A directory of our own for the socket; 0 or -errno. */
static int make_dir(void)
{
	const char *base = getenv("RUNTIME_DIRECTORY");

	if (base && *base && !strchr(base, ':')) {
		/* systemd made it for us (RuntimeDirectory=) and removes it */
		if (strlen(base) + 6 >= sizeof(p.path))
			return -ENAMETOOLONG;
		snprintf(p.path, sizeof(p.path), "%s/tapi", base);
		return 0;
	}
	base = getenv("XDG_RUNTIME_DIR");
	if (!base || !*base || access(base, W_OK) != 0)
		base = "/tmp";
	if (strlen(base) + 22 >= sizeof(p.dir))
		return -ENAMETOOLONG;
	snprintf(p.dir, sizeof(p.dir), "%s/tapixd-XXXXXX", base);
	if (!mkdtemp(p.dir)) {
		p.dir[0] = '\0';
		return -errno;
	}
	/* clients of other users reach the socket; the access rules decide
	 * what they may use */
	if (chmod(p.dir, 0755) != 0)
		return -errno;
	snprintf(p.path, sizeof(p.path), "%s/tapi", p.dir);
	return 0;
}

int peer_start(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int e;

	if (path && strcmp(path, "none") == 0)
		return 0;
	e = sd_id128_randomize(&p.id);
	if (e < 0)
		return e;
	if (path) {
		if (strlen(path) >= sizeof(p.path))
			return -ENAMETOOLONG;
		snprintf(p.path, sizeof(p.path), "%s", path);
		/* a socket left by an earlier tapixd, nothing else */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
	} else {
		e = make_dir();
		if (e < 0)
			goto fail;
	}
	memcpy(sa.sun_path, p.path, strlen(p.path) + 1);
	p.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p.fd < 0 || bind(p.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(p.path, 0666) != 0 || listen(p.fd, 64) != 0) {
		e = -errno;
		goto fail;
	}
	e = sd_event_add_io(d.event, &p.io, p.fd, EPOLLIN, on_accept, NULL);
	if (e < 0)
		goto fail;
	snprintf(p.address, sizeof(p.address), "unix:path=%s", p.path);
	log_info("direct connections on %s", p.path);
	return 0;
fail:
	log_err("no direct connections on %s: %s", p.path[0] ? p.path : "?",
	        strerror(-e));
	peer_stop();
	return e;
}

const char *peer_address(void)
{
	return p.address;
}

void peer_stop(void)
{
	p.io = sd_event_source_unref(p.io);
	p.rest = sd_event_source_unref(p.rest);
	while (!list_empty(&p.peers))
		peer_free(list_entry(p.peers.next, struct peer, link));
	if (p.fd >= 0) {
		close(p.fd);
		unlink(p.path);
	}
	p.fd = -1;
	if (p.dir[0])
		rmdir(p.dir);
	p.dir[0] = '\0';
	p.address[0] = '\0';
}
