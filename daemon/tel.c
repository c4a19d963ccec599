/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: its own registration, and the Line and Call objects on the bus
 * (org.tapix.Telephony1, org.tapix.Line1, org.tapix.Call1), so that a
 * program, or busctl, drives calls without linking libtapix.
 *
 * The registration opens every line as a monitor: every call is an object
 * (/org/tapix/Tapix1/Call/<handle>). It is an observer (tapix_set_observer):
 * watching a call never keeps it alive, and a call the core closes because
 * no application holds it any more goes from the bus with a LINE_CALLSTATE
 * (IDLE). Operations on a call make the service an owner first
 * (lineSetCallPrivilege), on behalf of the D-Bus user who takes part;
 * asynchronous ones answer the D-Bus caller when their LINE_REPLY comes, with
 * the LINEERR_ as a D-Bus error (org.tapix.Error.<NAME>). A call the service
 * owns stays an object after IDLE until Deallocate() or a minute later; one it
 * only monitors goes at IDLE. Who may use or see a line follows the access
 * rules; signals (CallAdded, CallRemoved, StateChanged, LineChanged, and the
 * standard PropertiesChanged, InterfacesAdded and InterfacesRemoved) go
 * only to watchers (Telephony1.Watch) allowed on the line, never
 * broadcast.
 *
 * With --no-objects the service keeps only the registration (the
 * providers' session), and nothing of this is on the bus.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tapix/service.h>

#include "dlog.h"
#include "tapi_names.h"
#include "tapixd.h"
#include "utf8.h"

#define IDLE_KEEP_USEC    (60ULL * 1000 * 1000)
#define PROPS_IFACE       "org.freedesktop.DBus.Properties"
#define OM_IFACE          "org.freedesktop.DBus.ObjectManager"
#define MAX_UUI           4096
#define MAX_WATCHERS      256
#define WATCHERS_PER_UID  16 /* a user's at most (root: any) */
#define WATCHERS_FOR_ROOT 16 /* the last ones: root's only */

struct tline {
	HLINE h; /* the service's monitor open, 0 if it failed */
	bool in_service;
};

struct tcall {
	struct tcall *next, *prev; /* calls, newest first */
	struct tcall *hnext;       /* its by_handle bucket */
	HCALL h;
	DWORD dev;
	DWORD state, mode;
	bool owned;              /* made, answered or taken by a D-Bus user */
	sd_event_source *expire; /* IDLE and owned: removed later */
	char path[64];
};

/* A D-Bus method waiting for its request's LINE_REPLY. */
struct waiting {
	struct waiting *next;
	LONG req;
	sd_bus_message *m;
	struct tcall *call;
	bool creates;  /* MakeCall, SetupConference: answered with a path */
	HCALL newh[2]; /* written by the core before the reply */
};

/* A D-Bus peer that asked for signals, until it leaves the bus. */
struct watcher {
	char *name;
	struct who who;
	sd_bus_track *track;
};

static HLINEAPP app;
static sd_event_source *io;
static struct tline *lines;
static struct tcall *calls;
static struct waiting *waitings;
static struct watcher watchers[MAX_WATCHERS];
static unsigned nwatchers;
static sd_bus_slot *slots[8];

/* ---- helpers --------------------------------------------------------------
 */

static const char *state_str(DWORD s)
{
	static char buf[32];
	const char *n = tapi_state_name(s);
	size_t i;

	for (i = 0; n[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] + 32 : n[i]);
	buf[i] = '\0';
	return s ? buf : "unknown";
}

/* A LINEERR_ as a D-Bus error: org.tapix.Error.INVALCALLSTATE. */
static int tapi_error(sd_bus_error *err, LONG r)
{
	const char *n = tapi_error_name(r);
	char name[96];

	if (strncmp(n, "LINEERR_", 8) == 0)
		n += 8;
	snprintf(name, sizeof(name), "org.tapix.Error.%s",
	         *n == '?' ? "UNKNOWN" : n);
	return sd_bus_error_setf(err, name, "%s", tapi_error_name(r));
}

/*
 * Issue 19 item 8 — calls by handle in a hash table (every message of the
 * core and every D-Bus call on a Call object looks one up; with tens of
 * thousands of calls a list walk blocked the loop). The handle is slot +
 * generation, so its low bits spread well.
 */
static struct tcall **by_handle;
static size_t nbuckets, ncalls; /* nbuckets: 0 or a power of two */

static struct tcall **bucket(HCALL h)
{
	return &by_handle[(h ^ (h >> 16)) & (nbuckets - 1)];
}

/* Indexes @c; false if the table could not grow (out of memory). */
static bool index_add(struct tcall *c)
{
	if (ncalls + 1 > nbuckets) {
		size_t n = nbuckets ? nbuckets * 2 : 64, i;
		struct tcall **nb = calloc(n, sizeof(*nb)), **old = by_handle;
		size_t oldn = nbuckets;

		if (!nb)
			return false;
		by_handle = nb;
		nbuckets = n;
		for (i = 0; i < oldn; i++) {
			while (old[i]) {
				struct tcall *x = old[i];

				old[i] = x->hnext;
				x->hnext = *bucket(x->h);
				*bucket(x->h) = x;
			}
		}
		free(old);
	}
	c->hnext = *bucket(c->h);
	*bucket(c->h) = c;
	ncalls++;
	return true;
}

static void index_del(struct tcall *c)
{
	struct tcall **pp;

	for (pp = bucket(c->h); *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			ncalls--;
			return;
		}
	}
}

static struct tcall *call_find(HCALL h)
{
	struct tcall *c;

	if (!nbuckets)
		return NULL;
	for (c = *bucket(h); c; c = c->hnext)
		if (c->h == h)
			return c;
	return NULL;
}

/* The call of object path /org/tapix/Tapix1/Call/<8 hex digits>. */
static struct tcall *call_by_path(const char *path)
{
	static const char prefix[] = TAPIXD_CALL_PATH "/";
	const char *hex = path + sizeof(prefix) - 1;
	struct tcall *c;
	char *end;
	unsigned long h;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0 ||
	    strlen(hex) != 8 || strspn(hex, "0123456789abcdef") != 8)
		return NULL;
	h = strtoul(hex, &end, 16);
	c = call_find((HCALL)h);
	return c && strcmp(c->path, path) == 0 ? c : NULL;
}

static bool caller_allowed(sd_bus_message *m, DWORD dev)
{
	struct who w;

	return who_of(m, &w) >= 0 && acl_allows(&w, dev);
}

static void line_path(DWORD dev, char *out, size_t size)
{
	snprintf(out, size, TAPIXD_LINE_PATH "/%u", (unsigned)dev);
}

/* ---- signals to watchers --------------------------------------------------
 */

static void watcher_free(unsigned i)
{
	free(watchers[i].name);
	sd_bus_track_unref(watchers[i].track);
	watchers[i] = watchers[--nwatchers];
}

/* A watcher's track is empty: it left the bus. */
static int watcher_gone(sd_bus_track *t, void *userdata)
{
	unsigned i;

	(void)userdata;
	for (i = 0; i < nwatchers; i++) {
		if (watchers[i].track == t) {
			watcher_free(i);
			break;
		}
	}
	return 0;
}

/*
 * Sends @member of @iface on @path to every watcher allowed on line @dev,
 * its body appended by @fill (0 or more, or -errno).
 */
static void send_watchers(DWORD dev, const char *path, const char *iface,
                          const char *member,
                          int (*fill)(sd_bus_message *s, void *arg), void *arg)
{
	unsigned i;

	for (i = 0; i < nwatchers; i++) {
		sd_bus_message *s = NULL;
		int e;

		if (!acl_allows(&watchers[i].who, dev))
			continue;
		e = sd_bus_message_new_signal(d.bus, &s, path, iface, member);
		if (e >= 0)
			e = sd_bus_message_set_destination(s, watchers[i].name);
		if (e >= 0)
			e = fill(s, arg);
		if (e >= 0)
			e = sd_bus_send(d.bus, s, NULL);
		sd_bus_message_unref(s);
		if (e < 0)
			log_warn("signal %s to %s lost: %s", member,
			         watchers[i].name, strerror(-e));
	}
}

struct va {
	const char *types;
	va_list ap;
};

static int fill_va(sd_bus_message *s, void *arg)
{
	struct va *v = arg;
	va_list ap;
	int e;

	va_copy(ap, v->ap);
	e = sd_bus_message_appendv(s, v->types, ap);
	va_end(ap);
	return e;
}

/* Sends @member with @types and the values after them to the watchers
 * allowed on line @dev. */
static void notify(DWORD dev, const char *path, const char *iface,
                   const char *member, const char *types, ...)
{
	struct va v;

	v.types = types;
	va_start(v.ap, types);
	send_watchers(dev, path, iface, member, fill_va, &v);
	va_end(v.ap);
}

/* PropertiesChanged and ObjectManager signals of a call (after its
 * vtable). @names: the properties, NULL-terminated. */
static void call_changed(struct tcall *c, const char *const names[]);
static void call_announce(struct tcall *c, bool added);
static void line_announce(DWORD dev);

/* ---- calls ------------------------------------------------------------------
 */

static struct tcall *call_add(HCALL h, DWORD dev, bool owned)
{
	struct tcall *c = call_find(h);
	char lp[64];

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_err("call %08x: out of memory, no object for it", h);
		return NULL;
	}
	c->h = h;
	c->dev = dev;
	c->owned = owned;
	snprintf(c->path, sizeof(c->path), TAPIXD_CALL_PATH "/%08x",
	         (unsigned)h);
	if (!index_add(c)) {
		log_err("call %08x: out of memory, no object for it", h);
		free(c);
		return NULL;
	}
	c->next = calls;
	if (calls)
		calls->prev = c;
	calls = c;
	line_path(dev, lp, sizeof(lp));
	notify(dev, TAPIXD_PATH, TAPIXD_MGR_IFACE, "CallAdded", "oo", c->path,
	       lp);
	call_announce(c, true);
	return c;
}

/* The object goes and the service's handle with it. */
static void call_remove(struct tcall *c)
{
	struct waiting *w;

	if (c->prev)
		c->prev->next = c->next;
	else
		calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	index_del(c);
	for (w = waitings; w; w = w->next)
		if (w->call == c)
			w->call = NULL;
	notify(c->dev, TAPIXD_PATH, TAPIXD_MGR_IFACE, "CallRemoved", "o",
	       c->path);
	call_announce(c, false);
	sd_event_source_unref(c->expire);
	if (lineDeallocateCall(c->h) != 0)
		log_debug("call %08x: already gone", c->h);
	free(c);
}

static int on_expire(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct tcall *c = userdata;

	(void)s;
	(void)usec;
	c->expire = sd_event_source_unref(c->expire);
	log_info("call %08x: idle for a minute, its object goes", c->h);
	call_remove(c);
	return 0;
}

static void call_state(struct tcall *c, DWORD state, DWORD mode)
{
	uint64_t now;

	c->state = state;
	c->mode = mode;
	notify(c->dev, c->path, TAPIXD_CALL_IFACE, "StateChanged", "su",
	       state_str(state), mode);
	{
		static const char *const names[] = {"State", "StateCode",
		                                    "StateDetail",
		                                    "DisconnectMode", NULL};

		call_changed(c, names);
	}
	if (state != LINECALLSTATE_IDLE)
		return;
	if (!c->owned) {
		/* only watched: it goes now (and the core may close it) */
		call_remove(c);
		return;
	}
	if (!c->expire && sd_event_now(d.event, CLOCK_MONOTONIC, &now) >= 0)
		sd_event_add_time(d.event, &c->expire, CLOCK_MONOTONIC,
		                  now + IDLE_KEEP_USEC, 0, on_expire, c);
}

/* ---- messages of the service's registration ------------------------------
 */

static DWORD dev_of_line(HLINE h)
{
	DWORD i;

	for (i = 0; i < d.ndevs; i++)
		if (lines[i].h == h)
			return i;
	return 0xFFFFFFFFu;
}

static void refresh_line(DWORD dev)
{
	LINEDEVSTATUS ds;
	bool in;
	char lp[64];

	memset(&ds, 0, sizeof(ds));
	ds.dwTotalSize = sizeof(ds);
	if (!lines[dev].h || lineGetLineDevStatus(lines[dev].h, &ds) != 0)
		return;
	in = (ds.dwDevStatusFlags & LINEDEVSTATUSFLAGS_INSERVICE) != 0;
	if (in == lines[dev].in_service)
		return;
	lines[dev].in_service = in;
	line_path(dev, lp, sizeof(lp));
	notify(dev, lp, TAPIXD_LINE_IFACE, "LineChanged", "b", in);
	notify(dev, lp, PROPS_IFACE, "PropertiesChanged", "sa{sv}as",
	       TAPIXD_LINE_IFACE, 1, "InService", "b", in, 0);
}

static void on_reply(LONG req, LONG result)
{
	struct waiting **pp, *w;

	for (pp = &waitings; *pp; pp = &(*pp)->next) {
		if ((*pp)->req == req)
			break;
	}
	w = *pp;
	if (!w)
		return;
	*pp = w->next;
	if (result != 0) {
		sd_bus_error err = SD_BUS_ERROR_NULL;

		tapi_error(&err, result);
		sd_bus_reply_method_error(w->m, &err);
		sd_bus_error_free(&err);
	} else if (w->creates) {
		struct tcall *c = NULL;
		unsigned i;

		/* the calls the request made are the D-Bus user's */
		for (i = 2; i-- > 0;) {
			if (!w->newh[i])
				continue;
			c = call_add(w->newh[i],
			             dev_of_line(tapix_call_line(w->newh[i])),
			             true);
		}
		sd_bus_reply_method_return(w->m, "o", c ? c->path : "/");
	} else {
		sd_bus_reply_method_return(w->m, "");
	}
	sd_bus_message_unref(w->m);
	free(w);
}

/* Opens line @i as a monitor: its calls become objects. */
static void watch_line(DWORD i)
{
	HLINE h = 0;
	LONG r = lineOpen(app, i, &h, 0x00020002, 0, 0,
	                  LINECALLPRIVILEGE_MONITOR, 0, NULL);

	if (r) {
		log_warn("line %u: no object (lineOpen: %s)", (unsigned)i,
		         tapi_error_name(r));
		return;
	}
	lines[i].h = h;
	lineSetStatusMessages(
		h, LINEDEVSTATE_INSERVICE | LINEDEVSTATE_OUTOFSERVICE, 0);
	refresh_line(i);
}

/*
 * LINE_CREATE: a provider added line @dev (the next id). It is a line of
 * the service from now on: an object (unless --no-objects), in GetLines.
 */
static void line_created(DWORD dev)
{
	struct tline *nl;

	if (dev != d.ndevs)
		return; /* ids come in order; anything else is not new */
	nl = realloc(lines, (d.ndevs + 1) * sizeof(*lines));
	if (!nl) {
		log_err("line %u: out of memory, not served", (unsigned)dev);
		return;
	}
	lines = nl;
	memset(&lines[dev], 0, sizeof(lines[dev]));
	d.ndevs = dev + 1;
	log_info("line %u: created", (unsigned)dev);
	if (!d.no_objects) {
		watch_line(dev);
		line_announce(dev);
	}
}

/* LINE_CALLINFO: PropertiesChanged of what the @states changed. */
static void call_info(struct tcall *c, DWORD states)
{
	static const struct {
		DWORD state;
		const char *name;
	} map[] = {
		{LINECALLINFOSTATE_ORIGIN, "Origin"},
		{LINECALLINFOSTATE_CALLERID, "CallerId"},
		{LINECALLINFOSTATE_CALLEDID, "CalledId"},
		{LINECALLINFOSTATE_CONNECTEDID, "ConnectedId"},
		{LINECALLINFOSTATE_USERUSERINFO, "UserUserInfo"},
		{LINECALLINFOSTATE_NUMOWNERINCR |
	                 LINECALLINFOSTATE_NUMOWNERDECR,
	         "Owners"},
		{LINECALLINFOSTATE_NUMMONITORS, "Monitors"},
	};
	const char *names[sizeof(map) / sizeof(map[0]) + 1];
	unsigned i, n = 0;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (states & map[i].state)
			names[n++] = map[i].name;
	names[n] = NULL;
	if (n)
		call_changed(c, names);
}

/*
 * LINE_CLOSE (a forced close or removal, termination.md §7): the
 * service's open of @dev and every call handle of it died with no IDLE;
 * their objects go.
 */
static void line_closed(DWORD dev)
{
	struct tcall *c = calls, *next;

	lines[dev].h = 0;
	for (; c; c = next) {
		next = c->next;
		if (c->dev == dev)
			call_remove(c);
	}
}

static void on_message(const LINEMESSAGE *m)
{
	struct tcall *c;
	DWORD dev;

	switch (m->dwMessageID) {
	case LINE_APPNEWCALL:
		dev = dev_of_line((HLINE)m->hDevice);
		if (dev < d.ndevs)
			call_add((HCALL)m->dwParam2, dev, false);
		break;
	case LINE_CALLSTATE:
		c = call_find((HCALL)m->hDevice);
		if (c)
			call_state(c, (DWORD)m->dwParam1, (DWORD)m->dwParam2);
		break;
	case LINE_CALLINFO:
		c = call_find((HCALL)m->hDevice);
		if (c)
			call_info(c, (DWORD)m->dwParam1);
		break;
	case LINE_REPLY:
		on_reply((LONG)m->dwParam1, (LONG)m->dwParam2);
		break;
	case LINE_LINEDEVSTATE:
		dev = dev_of_line((HLINE)m->hDevice);
		if (dev < d.ndevs)
			refresh_line(dev);
		break;
	case LINE_CLOSE:
		dev = dev_of_line((HLINE)m->hDevice);
		if (dev < d.ndevs)
			line_closed(dev);
		break;
	case LINE_CREATE:
		line_created((DWORD)m->dwParam1);
		break;
	default:
		break;
	}
}

static int on_readable(sd_event_source *s, int fd, uint32_t ev, void *ud)
{
	LINEMESSAGE m;
	unsigned n = 0;

	(void)s;
	(void)fd;
	(void)ev;
	(void)ud;
	while (n++ < 256 && lineGetMessage(app, &m, 0) == 0)
		on_message(&m);
	return 0;
}

/* ---- org.tapix.Telephony1 -------------------------------------------------
 */

static int m_watch(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *name = sd_bus_message_get_sender(m);
	unsigned i, mine = 0, others = 0;
	struct who w;

	(void)ud;
	if (!name)
		return -EINVAL;
	for (i = 0; i < nwatchers; i++)
		if (strcmp(watchers[i].name, name) == 0)
			return sd_bus_reply_method_return(m, "");
	if (who_of(m, &w) < 0)
		return -EACCES;
	/*
	 * Issue 19 item 7 — one user may not take every slot: at most
	 * WATCHERS_PER_UID each, and the last WATCHERS_FOR_ROOT are root's.
	 */
	for (i = 0; i < nwatchers; i++) {
		if (watchers[i].who.uid == w.uid)
			mine++;
		if (watchers[i].who.uid != 0)
			others++;
	}
	if (nwatchers == MAX_WATCHERS ||
	    (w.uid != 0 && (mine >= WATCHERS_PER_UID ||
	                    others >= MAX_WATCHERS - WATCHERS_FOR_ROOT)))
		return sd_bus_error_setf(err, SD_BUS_ERROR_LIMITS_EXCEEDED,
		                         "too many watchers (%u for uid %u)",
		                         mine, (unsigned)w.uid);
	memset(&watchers[nwatchers], 0, sizeof(watchers[0]));
	watchers[nwatchers].who = w;
	watchers[nwatchers].name = strdup(name);
	/* a track per watcher, never empty while it exists: sd-bus calls
	 * the handler of an empty track over and over */
	if (!watchers[nwatchers].name ||
	    sd_bus_track_new(d.bus, &watchers[nwatchers].track, watcher_gone,
	                     NULL) < 0 ||
	    sd_bus_track_add_name(watchers[nwatchers].track, name) < 0) {
		free(watchers[nwatchers].name);
		watchers[nwatchers].track =
			sd_bus_track_unref(watchers[nwatchers].track);
		return -ENOMEM;
	}
	nwatchers++;
	return sd_bus_reply_method_return(m, "");
}

static int m_get_lines(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	sd_bus_message *r = NULL;
	struct who w;
	DWORD i;
	int e;

	(void)ud;
	(void)err;
	if (who_of(m, &w) < 0)
		return -EACCES;
	e = sd_bus_message_new_method_return(m, &r);
	if (e >= 0)
		e = sd_bus_message_open_container(r, 'a', "o");
	for (i = 0; e >= 0 && i < d.ndevs; i++) {
		char p[64];

		if (!acl_allows(&w, i))
			continue;
		line_path(i, p, sizeof(p));
		e = sd_bus_message_append(r, "o", p);
	}
	if (e >= 0)
		e = sd_bus_message_close_container(r);
	if (e >= 0)
		e = sd_bus_send(NULL, r, NULL);
	sd_bus_message_unref(r);
	return e;
}

static int m_get_calls(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	sd_bus_message *r = NULL;
	struct tcall *c;
	struct who w;
	int e;

	(void)ud;
	(void)err;
	if (who_of(m, &w) < 0)
		return -EACCES;
	e = sd_bus_message_new_method_return(m, &r);
	if (e >= 0)
		e = sd_bus_message_open_container(r, 'a', "o");
	for (c = calls; e >= 0 && c; c = c->next)
		if (acl_allows(&w, c->dev))
			e = sd_bus_message_append(r, "o", c->path);
	if (e >= 0)
		e = sd_bus_message_close_container(r);
	if (e >= 0)
		e = sd_bus_send(NULL, r, NULL);
	sd_bus_message_unref(r);
	return e;
}

static const sd_bus_vtable mgr_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Watch", "", "", m_watch, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetLines", "", "ao", m_get_lines,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetCalls", "", "ao", m_get_calls,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("CallAdded", "oo", 0),
	SD_BUS_SIGNAL("CallRemoved", "o", 0),
	SD_BUS_VTABLE_END,
};

/* ---- org.tapix.Line1 --------------------------------------------------------
 */

/* Object paths .../Line/<dev>: the line, if the sender may see it. */
static int find_line(sd_bus *bus, const char *path, const char *iface, void *ud,
                     void **found, sd_bus_error *err)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	const char *p = path + strlen(TAPIXD_LINE_PATH "/");
	unsigned long dev;
	char *end;

	(void)iface;
	(void)ud;
	(void)err;
	if (strncmp(path, TAPIXD_LINE_PATH "/", strlen(TAPIXD_LINE_PATH "/")))
		return 0;
	errno = 0;
	dev = strtoul(p, &end, 10);
	if (errno || *end || end == p || dev >= d.ndevs)
		return 0;
	if (m && !caller_allowed(m, (DWORD)dev))
		return 0; /* invisible, as in a Windows telephony server */
	*found = (void *)(uintptr_t)(dev + 1);
	return 1;
}

static int enum_lines(sd_bus *bus, const char *prefix, void *ud, char ***nodes,
                      sd_bus_error *err)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	char **v = calloc(d.ndevs + 1, sizeof(*v));
	DWORD i, n = 0;

	(void)prefix;
	(void)ud;
	(void)err;
	if (!v)
		return -ENOMEM;
	for (i = 0; i < d.ndevs; i++) {
		char p[64];

		if (m && !caller_allowed(m, i))
			continue;
		line_path(i, p, sizeof(p));
		v[n] = strdup(p);
		if (!v[n++]) {
			while (n)
				free(v[--n]);
			free(v);
			return -ENOMEM;
		}
	}
	*nodes = v;
	return 0;
}

static DWORD dev_ud(void *ud)
{
	return (DWORD)((uintptr_t)ud - 1);
}

/* Name, Address, Provider: from the line's capabilities. */
static int line_prop(sd_bus *bus, const char *path, const char *iface,
                     const char *prop, sd_bus_message *reply, void *ud,
                     sd_bus_error *err)
{
	union {
		LINEDEVCAPS dc;
		LINEADDRESSCAPS ac;
		char buf[4096];
	} u;
	DWORD dev = dev_ud(ud);
	const char *s = "";
	char clean[1024];

	(void)bus;
	(void)path;
	(void)iface;
	(void)err;
	if (strcmp(prop, "Id") == 0)
		return sd_bus_message_append(reply, "u", dev);
	if (strcmp(prop, "InService") == 0) {
		refresh_line(dev);
		return sd_bus_message_append(reply, "b", lines[dev].in_service);
	}
	memset(&u, 0, sizeof(u));
	if (strcmp(prop, "Address") == 0) {
		u.ac.dwTotalSize = sizeof(u);
		if (lineGetAddressCaps(app, dev, 0, 0x00020002, 0, &u.ac) ==
		            0 &&
		    u.ac.dwAddressSize)
			s = u.buf + u.ac.dwAddressOffset;
	} else {
		u.dc.dwTotalSize = sizeof(u);
		if (lineGetDevCaps(app, dev, 0x00020002, 0, &u.dc) == 0) {
			if (strcmp(prop, "Name") == 0 && u.dc.dwLineNameSize)
				s = u.buf + u.dc.dwLineNameOffset;
			if (strcmp(prop, "Provider") == 0 &&
			    u.dc.dwProviderInfoSize)
				s = u.buf + u.dc.dwProviderInfoOffset;
		}
	}
	u.buf[sizeof(u.buf) - 1] = '\0';
	/* a provider's text: D-Bus takes valid UTF-8 only */
	return sd_bus_message_append(reply, "s",
	                             utf8_clean(clean, sizeof(clean), s));
}

/* LINECALLPARAMS for a voice call carrying @uui. */
static LINECALLPARAMS *voice_params(const void *uui, size_t n)
{
	LINECALLPARAMS *p = calloc(1, sizeof(*p) + n);

	if (!p)
		return NULL;
	p->dwTotalSize = (DWORD)(sizeof(*p) + n);
	p->dwBearerMode = LINEBEARERMODE_VOICE;
	p->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	if (n) {
		memcpy(p + 1, uui, n);
		p->dwUserUserInfoOffset = sizeof(*p);
		p->dwUserUserInfoSize = (DWORD)n;
	}
	return p;
}

/* Keeps @m until the LINE_REPLY of @req. */
static int wait_reply(sd_bus_message *m, LONG req)
{
	struct waiting *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM; /* the request goes on; its reply is lost */
	w->req = req;
	w->m = sd_bus_message_ref(m);
	w->next = waitings;
	waitings = w;
	return 1;
}

/* For a request that creates calls: @w's storage gets their handles. */
static void wait_created(struct waiting *w, sd_bus_message *m, LONG req)
{
	w->req = req;
	w->m = sd_bus_message_ref(m);
	w->creates = true;
	w->next = waitings;
	waitings = w;
}

static int m_make_call(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	DWORD dev = dev_ud(ud);
	struct waiting *w;
	const char *dest;
	const void *uui;
	LINECALLPARAMS *p;
	size_t n;
	LONG r;

	if (sd_bus_message_read(m, "s", &dest) < 0 ||
	    sd_bus_message_read_array(m, 'y', &uui, &n) < 0 || n > MAX_UUI)
		return -EINVAL;
	if (!lines[dev].h)
		return tapi_error(err, LINEERR_INVALLINESTATE);
	p = voice_params(uui, n);
	w = calloc(1, sizeof(*w));
	if (!p || !w) {
		free(p);
		free(w);
		return -ENOMEM;
	}
	r = lineMakeCall(lines[dev].h, &w->newh[0], *dest ? dest : NULL, 0, p);
	free(p);
	if (r < 0) {
		free(w);
		return tapi_error(err, r);
	}
	wait_created(w, m, r);
	return 1;
}

/* A property whose changes PropertiesChanged tells (to watchers only) */
#define EMITS SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable line_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Id", "u", line_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Name", "s", line_prop, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Address", "s", line_prop, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Provider", "s", line_prop, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("InService", "b", line_prop, 0, EMITS),
	SD_BUS_METHOD("MakeCall", "say", "o", m_make_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("LineChanged", "b", 0),
	SD_BUS_VTABLE_END,
};

/* ---- org.tapix.Call1 ------------------------------------------------------
 */

static int find_call(sd_bus *bus, const char *path, const char *iface, void *ud,
                     void **found, sd_bus_error *err)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	struct tcall *c = call_by_path(path);

	(void)iface;
	(void)ud;
	(void)err;
	if (!c || (m && !caller_allowed(m, c->dev)))
		return 0;
	*found = c;
	return 1;
}

static int enum_calls(sd_bus *bus, const char *prefix, void *ud, char ***nodes,
                      sd_bus_error *err)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	struct tcall *c;
	size_t n = 0, cnt = 0;
	char **v;

	(void)prefix;
	(void)ud;
	(void)err;
	for (c = calls; c; c = c->next)
		cnt++;
	v = calloc(cnt + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (c = calls; c; c = c->next) {
		if (m && !caller_allowed(m, c->dev))
			continue;
		v[n] = strdup(c->path);
		if (!v[n++]) {
			while (n)
				free(v[--n]);
			free(v);
			return -ENOMEM;
		}
	}
	*nodes = v;
	return 0;
}

static int call_prop(sd_bus *bus, const char *path, const char *iface,
                     const char *prop, sd_bus_message *reply, void *ud,
                     sd_bus_error *err)
{
	/*
	 * One LINECALLINFO serves all the properties of a call that one
	 * request reads (GetAll, GetManagedObjects): issue 19 item 8. A
	 * request is its connection, sender and cookie, in this iteration
	 * of the loop; anything else (a signal being built) reads afresh.
	 */
	static struct {
		sd_bus *bus; /* NULL: nothing cached */
		uint64_t cookie, now;
		char sender[64];
		HCALL h;
		union {
			LINECALLINFO ci;
			char buf[8192];
		} u;
	} cache;
	sd_bus_message *m = sd_bus_get_current_message(bus);
	const char *sender = m ? sd_bus_message_get_sender(m) : NULL;
	uint64_t cookie = 0, now = 0;
	struct tcall *c = ud;
	const char *s = "";
	char clean[1024];
	char lp[64];

	(void)bus;
	(void)path;
	(void)iface;
	if (strcmp(prop, "Line") == 0) {
		line_path(c->dev, lp, sizeof(lp));
		return sd_bus_message_append(reply, "o", lp);
	}
	if (strcmp(prop, "State") == 0)
		return sd_bus_message_append(reply, "s", state_str(c->state));
	if (strcmp(prop, "StateCode") == 0)
		return sd_bus_message_append(reply, "u", c->state);
	if (strcmp(prop, "StateDetail") == 0)
		return sd_bus_message_append(reply, "u", c->mode);
	if (strcmp(prop, "DisconnectMode") == 0)
		return sd_bus_message_append(
			reply, "u",
			c->state == LINECALLSTATE_DISCONNECTED ? c->mode : 0);
	if (!m || sd_bus_message_get_cookie(m, &cookie) < 0 ||
	    sd_event_now(d.event, CLOCK_MONOTONIC, &now) < 0 ||
	    (sender && strlen(sender) >= sizeof(cache.sender)))
		cookie = 0;
	if (!cookie || cache.bus != bus || cache.cookie != cookie ||
	    cache.now != now || cache.h != c->h ||
	    strcmp(cache.sender, sender ? sender : "")) {
		cache.bus = NULL;
		memset(&cache.u, 0, sizeof(cache.u));
		cache.u.ci.dwTotalSize = sizeof(cache.u);
		if (lineGetCallInfo(c->h, &cache.u.ci) != 0)
			return tapi_error(err, LINEERR_INVALCALLHANDLE);
		cache.u.buf[sizeof(cache.u.buf) - 1] = '\0';
		if (cookie) {
			cache.bus = bus;
			cache.cookie = cookie;
			cache.now = now;
			cache.h = c->h;
			snprintf(cache.sender, sizeof(cache.sender), "%s",
			         sender ? sender : "");
		}
	}
#define u cache.u
	if (strcmp(prop, "Owners") == 0)
		return sd_bus_message_append(reply, "u", u.ci.dwNumOwners);
	if (strcmp(prop, "Monitors") == 0)
		return sd_bus_message_append(reply, "u", u.ci.dwNumMonitors);
	if (strcmp(prop, "UserUserInfo") == 0)
		return sd_bus_message_append_array(
			reply, 'y', u.buf + u.ci.dwUserUserInfoOffset,
			u.ci.dwUserUserInfoSize);
	if (strcmp(prop, "Origin") == 0)
		s = u.ci.dwOrigin & LINECALLORIGIN_OUTBOUND ? "outbound"
		    : u.ci.dwOrigin & (LINECALLORIGIN_INBOUND |
		                       LINECALLORIGIN_EXTERNAL)
		            ? "inbound"
		    : u.ci.dwOrigin & LINECALLORIGIN_INTERNAL ? "internal"
		                                              : "unknown";
	else if (strcmp(prop, "CallerId") == 0 && u.ci.dwCallerIDSize)
		s = u.buf + u.ci.dwCallerIDOffset;
	else if (strcmp(prop, "CalledId") == 0 && u.ci.dwCalledIDSize)
		s = u.buf + u.ci.dwCalledIDOffset;
	else if (strcmp(prop, "ConnectedId") == 0 && u.ci.dwConnectedIDSize)
		s = u.buf + u.ci.dwConnectedIDOffset;
	/*
	 * Caller ids come from the network (a SIP From): D-Bus refuses
	 * invalid UTF-8, and one bad string would fail every message that
	 * carries it (GetManagedObjects for everyone): repaired, not sent.
	 */
	return sd_bus_message_append(reply, "s",
	                             utf8_clean(clean, sizeof(clean), s));
#undef u
}

/* Makes the service an owner of @c, for an operation a D-Bus user asks. */
static LONG own(struct tcall *c)
{
	LONG r = lineSetCallPrivilege(c->h, LINECALLPRIVILEGE_OWNER);

	if (r == 0)
		c->owned = true;
	return r;
}

/* Finishes an asynchronous operation: an error now, or wait for it. */
static int async_done(sd_bus_message *m, sd_bus_error *err, LONG r)
{
	if (r < 0)
		return tapi_error(err, r);
	return wait_reply(m, r);
}

enum call_op {
	OP_ANSWER,
	OP_ACCEPT,
	OP_DROP,
	OP_HOLD,
	OP_UNHOLD,
	OP_TRANSFER,
	OP_DIAL,
	OP_DEALLOCATE,
	OP_SETUPCONF,
	OP_ADDCONF,
	OP_REMOVECONF,
};

static int m_call(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct tcall *c = ud, *other;
	const char *member = sd_bus_message_get_member(m);
	const void *uui = NULL;
	const char *s = NULL;
	size_t n = 0;
	enum call_op op;
	LONG r;

	if (strcmp(member, "Answer") == 0)
		op = OP_ANSWER;
	else if (strcmp(member, "Accept") == 0)
		op = OP_ACCEPT;
	else if (strcmp(member, "Drop") == 0)
		op = OP_DROP;
	else if (strcmp(member, "Hold") == 0)
		op = OP_HOLD;
	else if (strcmp(member, "Unhold") == 0)
		op = OP_UNHOLD;
	else if (strcmp(member, "BlindTransfer") == 0)
		op = OP_TRANSFER;
	else if (strcmp(member, "Dial") == 0)
		op = OP_DIAL;
	else if (strcmp(member, "Deallocate") == 0)
		op = OP_DEALLOCATE;
	else if (strcmp(member, "SetupConference") == 0)
		op = OP_SETUPCONF;
	else if (strcmp(member, "AddToConference") == 0)
		op = OP_ADDCONF;
	else
		op = OP_REMOVECONF;
	if (op <= OP_DROP &&
	    (sd_bus_message_read_array(m, 'y', &uui, &n) < 0 || n > MAX_UUI))
		return -EINVAL;
	if ((op == OP_TRANSFER || op == OP_DIAL || op == OP_ADDCONF) &&
	    sd_bus_message_read(m, op == OP_ADDCONF ? "o" : "s", &s) < 0)
		return -EINVAL;
	if (op == OP_DEALLOCATE) {
		call_remove(c);
		return sd_bus_reply_method_return(m, "");
	}
	r = own(c);
	if (r)
		return tapi_error(err, r);
	switch (op) {
	case OP_ANSWER:
		return async_done(m, err, lineAnswer(c->h, n ? uui : NULL, n));
	case OP_ACCEPT:
		return async_done(m, err, lineAccept(c->h, n ? uui : NULL, n));
	case OP_DROP:
		return async_done(m, err, lineDrop(c->h, n ? uui : NULL, n));
	case OP_HOLD:
		return async_done(m, err, lineHold(c->h));
	case OP_UNHOLD:
		return async_done(m, err, lineUnhold(c->h));
	case OP_TRANSFER:
		return async_done(m, err, lineBlindTransfer(c->h, s, 0));
	case OP_DIAL:
		return async_done(m, err, lineDial(c->h, s, 0));
	case OP_SETUPCONF: {
		struct waiting *w = calloc(1, sizeof(*w));

		if (!w)
			return -ENOMEM;
		/* newh[1] the consultation call, newh[0] the conference: the
		 * reply names the conference */
		r = lineSetupConference(c->h, 0, &w->newh[0], &w->newh[1], 3,
		                        NULL);
		if (r < 0) {
			free(w);
			return tapi_error(err, r);
		}
		wait_created(w, m, r);
		return 1;
	}
	case OP_ADDCONF:
		other = call_by_path(s);
		if (!other || !caller_allowed(m, other->dev))
			return tapi_error(err, LINEERR_INVALCALLHANDLE);
		r = own(other);
		if (r)
			return tapi_error(err, r);
		return async_done(m, err, lineAddToConference(c->h, other->h));
	default:
		return async_done(m, err, lineRemoveFromConference(c->h));
	}
}

static const sd_bus_vtable call_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Line", "o", call_prop, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("StateCode", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("StateDetail", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("DisconnectMode", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("Origin", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("CallerId", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("CalledId", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("ConnectedId", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("UserUserInfo", "ay", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("Owners", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("Monitors", "u", call_prop, 0, EMITS),
	SD_BUS_METHOD("Answer", "ay", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Accept", "ay", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Drop", "ay", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Hold", "", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Unhold", "", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("BlindTransfer", "s", "", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Dial", "s", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetupConference", "", "o", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AddToConference", "o", "", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RemoveFromConference", "", "", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Deallocate", "", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("StateChanged", "su", 0),
	SD_BUS_VTABLE_END,
};

static bool listed(const char *const names[], const char *name)
{
	unsigned i;

	for (i = 0; names && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return !names;
}

/* What an object's properties are read from: its vtable, interface,
 * path and userdata; @names the properties (NULL: all). */
struct props {
	const sd_bus_vtable *vtable;
	const char *iface, *path;
	void *ud;
	const char *const *names;
};

/* The properties of a call: @names (NULL: all). */
static struct props call_props(struct tcall *c, const char *const *names)
{
	struct props p = {call_vtable, TAPIXD_CALL_IFACE, c->path, c, names};

	return p;
}

/* Appends the properties of @p's object, a{sv}. */
static int append_props(sd_bus_message *s, const struct props *p)
{
	const sd_bus_vtable *v;
	int e = sd_bus_message_open_container(s, 'a', "{sv}");

	for (v = p->vtable; e >= 0 && v->type != _SD_BUS_VTABLE_END; v++) {
		sd_bus_error err = SD_BUS_ERROR_NULL;
		const char *name = v->x.property.member;

		if (v->type != _SD_BUS_VTABLE_PROPERTY ||
		    !listed(p->names, name))
			continue;
		e = sd_bus_message_open_container(s, 'e', "sv");
		if (e >= 0)
			e = sd_bus_message_append(s, "s", name);
		if (e >= 0)
			e = sd_bus_message_open_container(
				s, 'v', v->x.property.signature);
		if (e >= 0)
			e = v->x.property.get(d.bus, p->path, p->iface, name, s,
			                      p->ud, &err);
		if (e >= 0)
			e = sd_bus_message_close_container(s);
		if (e >= 0)
			e = sd_bus_message_close_container(s);
		sd_bus_error_free(&err);
	}
	if (e >= 0)
		e = sd_bus_message_close_container(s);
	return e;
}

static int fill_changed(sd_bus_message *s, void *arg)
{
	const struct props *p = arg;
	int e = sd_bus_message_append(s, "s", p->iface);

	if (e >= 0)
		e = append_props(s, p);
	if (e >= 0)
		e = sd_bus_message_append(s, "as", 0);
	return e;
}

static void call_changed(struct tcall *c, const char *const names[])
{
	struct props p = call_props(c, names);

	send_watchers(c->dev, c->path, PROPS_IFACE, "PropertiesChanged",
	              fill_changed, &p);
}

/* InterfacesAdded of @p's object: its path, its interface and properties. */
static int fill_added(sd_bus_message *s, void *arg)
{
	const struct props *p = arg;
	int e = sd_bus_message_append(s, "o", p->path);

	if (e >= 0)
		e = sd_bus_message_open_container(s, 'a', "{sa{sv}}");
	if (e >= 0)
		e = sd_bus_message_open_container(s, 'e', "sa{sv}");
	if (e >= 0)
		e = sd_bus_message_append(s, "s", p->iface);
	if (e >= 0)
		e = append_props(s, p);
	if (e >= 0)
		e = sd_bus_message_close_container(s);
	if (e >= 0)
		e = sd_bus_message_close_container(s);
	return e;
}

/* ObjectManager: the call's object came (with its properties) or went. */
static void call_announce(struct tcall *c, bool added)
{
	struct props p = call_props(c, NULL);

	if (added)
		send_watchers(c->dev, TAPIXD_PATH, OM_IFACE, "InterfacesAdded",
		              fill_added, &p);
	else
		notify(c->dev, TAPIXD_PATH, OM_IFACE, "InterfacesRemoved",
		       "oas", c->path, 1, TAPIXD_CALL_IFACE);
}

/* ObjectManager: a created line's object came (with its properties). */
static void line_announce(DWORD dev)
{
	char lp[64];
	struct props p = {line_vtable, TAPIXD_LINE_IFACE, lp,
	                  (void *)(uintptr_t)(dev + 1), NULL};

	line_path(dev, lp, sizeof(lp));
	send_watchers(dev, TAPIXD_PATH, OM_IFACE, "InterfacesAdded", fill_added,
	              &p);
}

void tel_own(struct tapix_live *own)
{
	/* the core's own count, at once: tel.c's objects may lag behind */
	if (!app || tapix_app_live(app, own) != 0)
		memset(own, 0, sizeof(*own));
}

/* ---- start and stop ---------------------------------------------------------
 */

static int start_objects(void)
{
	DWORD i;
	int e;

	for (i = 0; i < d.ndevs; i++)
		watch_line(i);
	e = sd_bus_add_object_manager(d.bus, &slots[0], TAPIXD_PATH);
	if (e >= 0)
		e = sd_bus_add_object_vtable(d.bus, &slots[1], TAPIXD_PATH,
		                             TAPIXD_MGR_IFACE, mgr_vtable,
		                             NULL);
	if (e >= 0)
		e = sd_bus_add_fallback_vtable(
			d.bus, &slots[2], TAPIXD_LINE_PATH, TAPIXD_LINE_IFACE,
			line_vtable, find_line, NULL);
	if (e >= 0)
		e = sd_bus_add_node_enumerator(
			d.bus, &slots[3], TAPIXD_LINE_PATH, enum_lines, NULL);
	if (e >= 0)
		e = sd_bus_add_fallback_vtable(
			d.bus, &slots[4], TAPIXD_CALL_PATH, TAPIXD_CALL_IFACE,
			call_vtable, find_call, NULL);
	if (e >= 0)
		e = sd_bus_add_node_enumerator(
			d.bus, &slots[5], TAPIXD_CALL_PATH, enum_calls, NULL);
	return e;
}

int tel_start(void)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ver = 0x00020002;
	LONG e;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	e = lineInitializeEx(&app, NULL, NULL, "tapixd", &d.ndevs, &ver, &ip);
	if (e) {
		log_err("cannot start the telephony core: %s",
		        tapi_error_name(e));
		return -EIO;
	}
	/*
	 * Its monitor handles must not keep a call alive that the
	 * termination rules end (tapix_set_observer): the core does not count
	 * them.
	 */
	e = tapix_set_observer(app, TRUE);
	if (e) {
		log_err("cannot observe calls: %s", tapi_error_name(e));
		return -EIO;
	}
	lines = calloc(d.ndevs ? d.ndevs : 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	if (sd_event_add_io(d.event, &io, TAPIX_HANDLE_TO_FD(ip.Handles.hEvent),
	                    EPOLLIN, on_readable, NULL) < 0)
		return -ENOMEM;
	return d.no_objects ? 0 : start_objects();
}

void tel_stop(void)
{
	unsigned i;

	while (waitings) {
		struct waiting *w = waitings;

		waitings = w->next;
		sd_bus_reply_method_errorf(w->m, SD_BUS_ERROR_FAILED,
		                           "tapixd is stopping");
		sd_bus_message_unref(w->m);
		free(w);
	}
	while (calls) {
		struct tcall *c = calls;

		calls = c->next;
		sd_event_source_unref(c->expire);
		free(c);
	}
	free(by_handle);
	by_handle = NULL;
	nbuckets = ncalls = 0;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		slots[i] = sd_bus_slot_unref(slots[i]);
	while (nwatchers)
		watcher_free(0);
	io = sd_event_source_unref(io);
	if (app)
		lineShutdown(app);
	app = 0;
	free(lines);
	lines = NULL;
}
