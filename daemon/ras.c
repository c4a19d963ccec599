/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: org.tapix.Ras1, the RAS connection manager of the machine
 * (ras.md §12). Connections are dialled here for client processes, so
 * those that are up outlive their dialler; every process of the same user
 * (any, for root) sees them, and a process that holds no reference hangs
 * them up for good (ras.md §4). The client resolves the phonebook entry
 * with its own file permissions and sends it; dialling respects the service's
 * line access rules (a line the sender may not use does not exist for it). The
 * credentials come from the bus, never from the message. A dial joins only
 * a connection of the same user (ras.md §3.3), and tapixd saves no RAS
 * credentials: the client does, as its user (ras.md §9). Strings other
 * than the password must be text (no control characters): they are logged
 * and shown to other processes.
 *
 * Each dialler's bus name is watched (sd_bus_track) from its first Dial
 * until it leaves the bus, exited or killed: then its references go
 * (tapix_ras_owner_gone), and a connection of nobody's that is not up is
 * torn down. One that is up stays (ras.md §12). The interface is served on
 * the bus only, never on the direct connections of peer.c (their clients
 * have no bus name to hold references with; libtapix reaches Ras1 as a bus
 * client): a dial always has a name to watch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <tapix/service.h>

#include "dlog.h"
#include "tapixd.h"

#define RAS_IFACE "org.tapix.Ras1"

/* Waits: at most this long each, this many of one bus name, of one uid
 * (root's are not bounded by it), and in all. */
#define WAIT_MAX_MS    60000u
#define WAITS_PER_NAME 4u
#define WAITS_PER_UID  16u
#define WAITS_MAX      256u

static sd_bus_slot *ras_slot;
static sd_event_source *change_src; /* tapix_ras_change_fd */

/*
 * A Wait not yet answered: its caller's uid saw @from changes of its
 * connections (tapix_ras_changes) and waits for the next, until @timer.
 */
struct waiter {
	struct list_node link; /* waiters */
	sd_bus_message *m;
	uint32_t uid;
	unsigned from;
	sd_event_source *timer;
	sd_bus_track *track; /* its caller, gone: forgotten (or NULL) */
};

static struct list_node waiters = LIST_HEAD_INIT(waiters);
static unsigned nwaiters;

/* A client that dialled, watched until it leaves the bus. */
struct dialler {
	struct list_node link; /* diallers */
	char *name;            /* its unique bus name: its references */
	sd_bus_track *track;   /* of that name alone (never empty while here:
	                        * sd-bus calls the handler of an empty track
	                        * over and over) */
};

static struct list_node diallers = LIST_HEAD_INIT(diallers);

static void dialler_free(struct dialler *x)
{
	list_del(&x->link);
	sd_bus_track_unref(x->track);
	free(x->name);
	free(x);
}

/* spec: ras.md §4, §12 — the dialler exited, was killed or left the bus */
static int dialler_gone(sd_bus_track *t, void *userdata)
{
	struct dialler *x = userdata;
	unsigned n;

	(void)t;
	n = tapix_ras_owner_gone(x->name);
	log_info("RAS: %s left the bus: its references on %u connections "
	         "released",
	         x->name, n);
	dialler_free(x);
	return 0;
}

/* Watches @name until it leaves the bus (once per name). 0, or -errno:
 * -ENXIO and the like when it has left already. */
static int dialler_watch(const char *name)
{
	struct dialler *x;
	struct list_node *it;
	int e;

	list_foreach(it, &diallers)
		if (strcmp(list_entry(it, struct dialler, link)->name, name) ==
		    0)
			return 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	list_init(&x->link);
	x->name = strdup(name);
	if (!x->name) {
		free(x);
		return -ENOMEM;
	}
	/* (asks the bus whether the name is there: a dialler that is gone
	 * already is known here, not missed) */
	e = sd_bus_track_new(d.bus, &x->track, dialler_gone, x);
	if (e >= 0)
		e = sd_bus_track_add_name(x->track, name);
	if (e < 0) {
		sd_bus_track_unref(x->track);
		free(x->name);
		free(x);
		return e;
	}
	list_add_tail(&diallers, &x->link);
	return 0;
}

static bool allow(void *ctx, DWORD dev)
{
	return acl_allows(ctx, dev);
}

/* Copies string @s into @dst of @n bytes; false if it does not fit. */
static bool take(char *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (l >= n)
		return false;
	memcpy(dst, s, l + 1);
	return true;
}

/* Whether @s has no control character (below 0x20, or 0x7F): one line,
 * fit for the log. */
static bool is_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return false;
	return true;
}

/* take() of text. */
static bool take_text(char *dst, size_t n, const char *s)
{
	return is_text(s) && take(dst, n, s);
}

static int reply_u(sd_bus_message *m, DWORD r)
{
	return sd_bus_reply_method_return(m, "u", (uint32_t)r);
}

static int m_dial(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *entry, *pbk, *number, *devtype, *device, *port, *link,
		*callback, *user, *password, *domain, *sender;
	int has_entry, type_ok, paused;
	uint32_t timeout, flags;
	struct tapix_ras_req rq;
	const void *guid;
	struct who w;
	size_t glen;
	HRASCONN h = NULL;
	unsigned first = 0;
	DWORD r;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "ssbssssssbu", &entry, &pbk, &has_entry,
	                        &number, &devtype, &device, &port, &link,
	                        &callback, &type_ok, &timeout);
	if (e >= 0)
		e = sd_bus_message_read_array(m, 'y', &guid, &glen);
	if (e >= 0)
		e = sd_bus_message_read(m, "usssb", &flags, &user, &password,
		                        &domain, &paused);
	if (e < 0)
		return e;
	if (who_of(m, &w) < 0)
		return sd_bus_reply_method_return(
			m, "utu", (uint32_t)ERROR_INVALID_PARAMETER,
			(uint64_t)0, (uint32_t)0);
	memset(&rq, 0, sizeof(rq));
	if (!take_text(rq.entry, sizeof(rq.entry), entry) ||
	    !take_text(rq.pbk, sizeof(rq.pbk), pbk) ||
	    !take_text(rq.number, sizeof(rq.number), number) ||
	    !take_text(rq.devtype, sizeof(rq.devtype), devtype) ||
	    !take_text(rq.device, sizeof(rq.device), device) ||
	    !take_text(rq.port, sizeof(rq.port), port) ||
	    !take_text(rq.link, sizeof(rq.link), link) ||
	    !take_text(rq.callback, sizeof(rq.callback), callback) ||
	    !take_text(rq.user, sizeof(rq.user), user) ||
	    !take(rq.password, sizeof(rq.password), password) ||
	    !take_text(rq.domain, sizeof(rq.domain), domain) ||
	    glen != sizeof(rq.guid) || !*entry || (!*number && !has_entry) ||
	    timeout > 86400) {
		explicit_bzero(&rq, sizeof(rq));
		return sd_bus_reply_method_return(
			m, "utu", (uint32_t)ERROR_INVALID_PARAMETER,
			(uint64_t)0, (uint32_t)0);
	}
	rq.has_entry = has_entry;
	rq.type_ok = type_ok;
	rq.dial_timeout = timeout;
	memcpy(&rq.guid, guid, sizeof(rq.guid));
	rq.flags = flags & RASCF_AllUsers;
	rq.paused_states = paused;
	/* spec: ras.md §4 — its references go when it does: watched before
	 * it holds any, or no dial (one that has left gets nothing) */
	sender = sd_bus_message_get_sender(m);
	if (mem_short()) {
		/* as a new call: tapixd keeps serving what it holds */
		log_warn("RAS: dial of %s refused: memory is short", entry);
		r = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	e = sender ? dialler_watch(sender) : -EINVAL;
	if (e < 0) {
		log_warn("RAS: dial of %s refused, cannot watch %s: %s", entry,
		         sender ? sender : "a client without a bus name",
		         strerror(-e));
		r = e == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
		                 : ERROR_RASMAN_CANNOT_INITIALIZE;
	} else {
		r = tapix_ras_dial(&rq, sender, w.uid, allow, &w, &h, &first);
	}
out:
	explicit_bzero(&rq, sizeof(rq));
	log_info("RAS: %s dials %s for uid %u: %u", sender ? sender : "?",
	         entry, (unsigned)w.uid, (unsigned)r);
	return sd_bus_reply_method_return(
		m, "utu", (uint32_t)r, (uint64_t)(uintptr_t)h, (uint32_t)first);
}

static int m_resume(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *user, *password, *domain;
	uint64_t h;
	struct who w;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "tsss", &h, &user, &password, &domain);
	if (e < 0)
		return e;
	if (who_of(m, &w) < 0 || strlen(user) > UNLEN ||
	    strlen(password) > PWLEN || strlen(domain) > DNLEN ||
	    !is_text(user) || !is_text(domain))
		return reply_u(m, ERROR_INVALID_PARAMETER);
	return reply_u(m, tapix_ras_resume((HRASCONN)(uintptr_t)h, w.uid, user,
	                                   password, domain));
}

static int m_hang_up(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint64_t h;
	struct who w;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "t", &h);
	if (e < 0)
		return e;
	if (who_of(m, &w) < 0)
		return reply_u(m, ERROR_INVALID_HANDLE);
	return reply_u(m,
	               tapix_ras_hang_up((HRASCONN)(uintptr_t)h,
	                                 sd_bus_message_get_sender(m), w.uid));
}

static int m_status(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	RASCONNSTATUSA st;
	uint64_t h;
	struct who w;
	DWORD r;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "t", &h);
	if (e < 0)
		return e;
	memset(&st, 0, sizeof(st));
	r = who_of(m, &w) < 0
	            ? ERROR_INVALID_HANDLE
	            : tapix_ras_status((HRASCONN)(uintptr_t)h, w.uid, &st);
	return sd_bus_reply_method_return(m, "uuusss", (uint32_t)r,
	                                  (uint32_t)st.rasconnstate,
	                                  (uint32_t)st.dwError, st.szDeviceType,
	                                  st.szDeviceName, st.szPhoneNumber);
}

static int m_enum(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	sd_bus_message *reply = NULL;
	RASCONNA v[64];
	DWORD n = 0, i;
	struct who w;
	int e;

	(void)ud;
	(void)err;
	if (who_of(m, &w) < 0)
		return sd_bus_reply_method_return(
			m, "ua(tssssayuuay)", (uint32_t)ERROR_INVALID_PARAMETER,
			0);
	tapix_ras_enum(w.uid, v, 64, &n);
	if (n > 64)
		n = 64; /* (more than a machine's modems) */
	e = sd_bus_message_new_method_return(m, &reply);
	if (e >= 0)
		e = sd_bus_message_append(reply, "u", (uint32_t)0);
	if (e >= 0)
		e = sd_bus_message_open_container(reply, 'a', "(tssssayuuay)");
	for (i = 0; e >= 0 && i < n; i++) {
		e = sd_bus_message_open_container(reply, 'r', "tssssayuuay");
		if (e >= 0)
			e = sd_bus_message_append(
				reply, "tssss",
				(uint64_t)(uintptr_t)v[i].hrasconn,
				v[i].szEntryName, v[i].szDeviceType,
				v[i].szDeviceName, v[i].szPhonebook);
		if (e >= 0)
			e = sd_bus_message_append_array(reply, 'y',
			                                &v[i].guidEntry,
			                                sizeof(v[i].guidEntry));
		if (e >= 0)
			e = sd_bus_message_append(reply, "uu",
			                          (uint32_t)v[i].dwFlags,
			                          (uint32_t)v[i].luid.LowPart);
		if (e >= 0)
			e = sd_bus_message_append_array(
				reply, 'y', &v[i].guidCorrelationId,
				sizeof(v[i].guidCorrelationId));
		if (e >= 0)
			e = sd_bus_message_close_container(reply);
	}
	if (e >= 0)
		e = sd_bus_message_close_container(reply);
	if (e >= 0)
		e = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return e < 0 ? e : 1;
}

static int m_events(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct tapix_ras_event ev[64];
	sd_bus_message *reply = NULL;
	unsigned n = 0, i, next = 0;
	bool final = false;
	uint32_t from;
	uint64_t h;
	struct who w;
	DWORD r;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "tu", &h, &from);
	if (e < 0)
		return e;
	r = who_of(m, &w) < 0
	            ? ERROR_INVALID_HANDLE
	            : tapix_ras_events((HRASCONN)(uintptr_t)h, w.uid, from, ev,
	                               64, &n, &final, &next);
	e = sd_bus_message_new_method_return(m, &reply);
	if (e >= 0)
		e = sd_bus_message_append(reply, "u", (uint32_t)r);
	if (e >= 0)
		e = sd_bus_message_open_container(reply, 'a', "(uu)");
	for (i = 0; e >= 0 && i < n; i++)
		e = sd_bus_message_append(reply, "(uu)", (uint32_t)ev[i].state,
		                          (uint32_t)ev[i].error);
	if (e >= 0)
		e = sd_bus_message_close_container(reply);
	if (e >= 0)
		e = sd_bus_message_append(reply, "bu", (int) final,
		                          (uint32_t)next);
	if (e >= 0)
		e = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return e < 0 ? e : 1;
}

static void waiter_free(struct waiter *x)
{
	list_del(&x->link);
	nwaiters--;
	sd_event_source_disable_unref(x->timer);
	sd_bus_track_unref(x->track);
	sd_bus_message_unref(x->m);
	free(x);
}

/* Answers @x with its uid's count now and forgets it. */
static void waiter_answer(struct waiter *x)
{
	int e = sd_bus_reply_method_return(x->m, "uu", (uint32_t)0,
	                                   (uint32_t)tapix_ras_changes(x->uid));

	if (e < 0)
		log_debug("RAS: a Wait not answered: %s", strerror(-e));
	waiter_free(x);
}

/* Its caller left the bus: it holds none of the bounded places longer. */
static int waiter_gone(sd_bus_track *t, void *ud)
{
	(void)t;
	log_debug("RAS: the caller of a Wait left the bus");
	waiter_free(ud);
	return 0;
}

static int waiter_timeout(sd_event_source *src, uint64_t usec, void *ud)
{
	(void)src;
	(void)usec;
	waiter_answer(ud);
	return 0;
}

/* Something changed (the manager's descriptor): every Wait whose uid's
 * count moved is answered. */
static int on_change(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
	struct list_node *it, *tmp;
	uint64_t v;

	(void)src;
	(void)revents;
	(void)ud;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("RAS: change descriptor: %s", strerror(errno));
	list_foreach_safe(it, tmp, &waiters) {
		struct waiter *x = list_entry(it, struct waiter, link);

		if (tapix_ras_changes(x->uid) != x->from)
			waiter_answer(x);
	}
	return 0;
}

/* Whether one more Wait of bus name @name, of @uid's, may wait. */
static bool may_wait(const char *name, uint32_t uid)
{
	unsigned of_name = 0, of_uid = 0;
	struct list_node *it;

	list_foreach(it, &waiters) {
		const struct waiter *x = list_entry(it, struct waiter, link);
		const char *s = sd_bus_message_get_sender(x->m);

		of_name += s && strcmp(s, name) == 0;
		of_uid += x->uid == uid;
	}
	return nwaiters < WAITS_MAX && of_name < WAITS_PER_NAME &&
	       (uid == 0 || of_uid < WAITS_PER_UID);
}

/*
 * Wait(from, timeout): the caller's uid's count of changes once it is not
 * @from, or after @timeout ms; the client's notifier reads Events then,
 * instead of polling it. Refused (ERROR_NOT_ENOUGH_MEMORY) beyond
 * WAITS_PER_NAME of one bus name, WAITS_PER_UID of one uid or WAITS_MAX
 * in all: the client then polls.
 */
static int m_wait(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *sender = sd_bus_message_get_sender(m);
	uint32_t from, timeout;
	struct waiter *x;
	struct who w;
	unsigned now;
	int e;

	(void)ud;
	(void)err;
	e = sd_bus_message_read(m, "uu", &from, &timeout);
	if (e < 0)
		return e;
	if (who_of(m, &w) < 0 || timeout > WAIT_MAX_MS)
		return sd_bus_reply_method_return(
			m, "uu", (uint32_t)ERROR_INVALID_PARAMETER,
			(uint32_t)0);
	now = tapix_ras_changes(w.uid);
	if (now != from || timeout == 0)
		return sd_bus_reply_method_return(m, "uu", (uint32_t)0,
		                                  (uint32_t)now);
	if (!change_src || !sender || !may_wait(sender, w.uid) ||
	    !(x = calloc(1, sizeof(*x))))
		goto refused;
	if (sd_event_add_time_relative(d.event, &x->timer, CLOCK_MONOTONIC,
	                               (uint64_t)timeout * 1000, 0,
	                               waiter_timeout, x) < 0) {
		free(x);
		goto refused;
	}
	x->m = sd_bus_message_ref(m);
	x->uid = w.uid;
	x->from = from;
	/* (not watched if that cannot be: its time-out forgets it) */
	if (sd_bus_track_new(d.bus, &x->track, waiter_gone, x) < 0 ||
	    sd_bus_track_add_sender(x->track, m) < 0)
		x->track = sd_bus_track_unref(x->track);
	list_add_tail(&waiters, &x->link);
	nwaiters++;
	return 1; /* answered later */
refused:
	/* too many waiting, or no memory: the client polls */
	return sd_bus_reply_method_return(
		m, "uu", (uint32_t)ERROR_NOT_ENOUGH_MEMORY, (uint32_t)now);
}

/* argument names, for introspection (busctl) */
#define DIAL_IN         \
	"entry\0"       \
	"phonebook\0"   \
	"has_entry\0"   \
	"number\0"      \
	"device_type\0" \
	"device\0"      \
	"port\0"        \
	"link\0"        \
	"callback\0"    \
	"type_ok\0"     \
	"timeout\0"     \
	"guid\0"        \
	"flags\0"       \
	"user\0"        \
	"password\0"    \
	"domain\0"      \
	"paused_states\0"
#define DIAL_OUT   \
	"result\0" \
	"handle\0" \
	"first_event\0"
#define HANDLE_IN  "handle\0"
#define RESULT_OUT "result\0"

static const sd_bus_vtable ras_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_NAMES("Dial", "ssbssssssbuayusssb", DIAL_IN, "utu",
                                 DIAL_OUT, m_dial, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Resume", "tsss",
                                 HANDLE_IN "user\0"
                                           "password\0"
                                           "domain\0",
                                 "u", RESULT_OUT, m_resume,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("HangUp", "t", HANDLE_IN, "u", RESULT_OUT,
                                 m_hang_up, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Status", "t", HANDLE_IN, "uuusss",
                                 RESULT_OUT "state\0"
                                            "error\0"
                                            "device_type\0"
                                            "device_name\0"
                                            "number\0",
                                 m_status, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Enum", "", "", "ua(tssssayuuay)",
                                 RESULT_OUT "connections\0", m_enum,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Events", "tu", HANDLE_IN "from\0", "ua(uu)bu",
                                 RESULT_OUT "events\0"
                                            "final\0"
                                            "next\0",
                                 m_events, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Wait", "uu",
                                 "from\0"
                                 "timeout\0",
                                 "uu", RESULT_OUT "changes\0", m_wait,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int ras_start(void)
{
	int fd = tapix_ras_change_fd();

	/* without it, Wait is refused and the clients poll Events */
	if (fd < 0 || sd_event_add_io(d.event, &change_src, fd, EPOLLIN,
	                              on_change, NULL) < 0)
		log_warn("RAS: no change descriptor: clients will poll");
	return sd_bus_add_object_vtable(d.bus, &ras_slot, TAPIXD_PATH,
	                                RAS_IFACE, ras_vtable, NULL);
}

void ras_stop(void)
{
	ras_slot = sd_bus_slot_unref(ras_slot);
	while (!list_empty(&waiters))
		waiter_answer(list_entry(waiters.next, struct waiter, link));
	change_src = sd_event_source_disable_unref(change_src);
	/* every connection goes, as lineShutdown would take its calls */
	if (tapix_ras_shutdown(10000) != 0)
		log_warn("RAS: connections still going after 10 s");
	while (!list_empty(&diallers))
		dialler_free(list_entry(diallers.next, struct dialler, link));
}
