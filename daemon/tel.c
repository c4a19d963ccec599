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
 * (lineSetCallPrivilege), on behalf of the D-Bus user who takes part: on
 * trial until the operation is accepted, given back if it is refused;
 * asynchronous ones answer the D-Bus caller when their LINE_REPLY comes, with
 * the LINEERR_ as a D-Bus error (org.tapix.Error.<NAME>, its message in
 * words). A call the service owns stays an object after IDLE until
 * Deallocate() or a minute later; one it only monitors goes at IDLE, and
 * Deallocate() of it is refused (NOTOWNER). The user it owns a call for is
 * kept with it: when the access rules take that user's line away, the call
 * is dropped (tel_rules_changed), as a registration's would be.
 *
 * Who may use or see a line follows the access rules. Issue 18 item 5 —
 * signals (CallAdded, CallRemoved, StateChanged, LineChanged, and the
 * standard PropertiesChanged, InterfacesAdded and InterfacesRemoved) of a
 * line every user may see are broadcast, as NetworkManager's and
 * ModemManager's are, so that busctl, gdbus monitor and ObjectManager
 * clients see calls come and go; those of a line the rules restrict are
 * sent only to the watchers (Telephony1.Watch) allowed on it, never
 * broadcast: a broadcast reaches every local user who asks for it.
 *
 * With --no-objects the service keeps only the registration (the
 * providers' session), and nothing of this is on the bus.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tapix/service.h>

#include "dlog.h"
#include "resample.h"
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

/* A provider's registration (a SIP account's at its registrar); none
 * also while the provider's line is closed. */
enum reg {
	REG_NONE,
	REG_PENDING,
	REG_OK,
	REG_FAILED
};

struct tline {
	HLINE h;   /* the service's monitor open, 0 if it failed */
	HLINE inh; /* the incoming registration's owner open, or 0 */
	enum acl_incoming incoming; /* what inh does, as last applied */
	bool in_service;
	enum reg reg;
	char reg_error[80]; /* "403 Forbidden": the last attempt failed */
};

struct tcall {
	struct tcall *next, *prev; /* calls, newest first */
	struct tcall *hnext;       /* its by_handle bucket */
	HCALL h;
	DWORD dev;
	DWORD state, mode;
	DWORD disc;     /* its LINEDISCONNECTMODE_, once disconnected */
	bool owned;     /* made, answered or taken by a D-Bus user */
	bool made;      /* made by D-Bus user @maker: counts for its limits */
	bool digits_on; /* lineMonitorDigits asked: DigitReceived */
	bool audio;     /* GetAudio gave its audio pair out */
	bool revoked;   /* @user lost the line: dropped, let go at IDLE */
	uid_t maker;
	/*
	 * The D-Bus user on whose behalf tapixd owns the call (its MakeCall,
	 * or the first Answer, Hold... accepted): the access rules that keep
	 * the call are theirs (tel_rules_changed). NULL while only watched.
	 */
	struct user *user;
	/* Operations on their way that made tapixd an owner while it was
	 * not one: it stays one only if one of them is accepted. */
	unsigned trying;
	sd_event_source *expire; /* IDLE and owned: removed later */
	char path[64];
};

/* Who a D-Bus user is (struct who: uid and groups, for the access
 * rules), shared by the calls one request made. */
struct user {
	unsigned ref;
	struct who who;
};

/* A D-Bus method waiting for its request's LINE_REPLY. */
struct waiting {
	struct waiting *next;
	LONG req;
	sd_bus_message *m;
	struct tcall *call;
	bool creates;      /* MakeCall, SetupConference: answered with a path */
	bool digits;       /* SendDigits: answered at @call's LINE_GENERATE */
	HCALL newh[2];     /* written by the core before the reply */
	uid_t uid;         /* who asked (creating requests) */
	unsigned ncreate;  /* how many calls it creates */
	struct user *user; /* who asked (requests that own or create calls) */
	/* The calls this request made tapixd an owner of, on trial: kept
	 * at its success, given back at its failure (own_settle). */
	struct tcall *took[2];
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
/* The calls the creating requests of @waitings will make: they count
 * for max_calls until their LINE_REPLY (tel_calls_pending). */
static unsigned creating;
static struct watcher watchers[MAX_WATCHERS];
static unsigned nwatchers;
static sd_bus_slot *slots[8];
/* While append_props builds a signal: its number, with the top bit set
 * (never a message's cookie), for call_prop's cache; else 0. */
static uint64_t building;

/* ---- helpers --------------------------------------------------------------
 */

/* A new struct user for @w, or NULL (out of memory). */
static struct user *user_new(const struct who *w)
{
	struct user *u = malloc(sizeof(*u));

	if (u) {
		u->ref = 1;
		u->who = *w;
	}
	return u;
}

static struct user *user_ref(struct user *u)
{
	if (u)
		u->ref++;
	return u;
}

static struct user *user_unref(struct user *u)
{
	if (u && --u->ref == 0)
		free(u);
	return NULL;
}

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

struct bit {
	DWORD bit;
	const char *name;
};

#define ARRAY_LEN(t) (sizeof(t) / sizeof(t[0]))

/* @v's bits named by @t (@n of them), joined with ","; a bit without a
 * name in hex; "" for 0. */
static const char *bits_str(const struct bit *t, size_t n, DWORD v, char *buf,
                            size_t size)
{
	size_t used = 0, i;
	DWORD rest = v;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!(v & t[i].bit))
			continue;
		rest &= ~t[i].bit;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		                         used ? "," : "", t[i].name);
		if (used >= size)
			return buf;
	}
	if (rest)
		snprintf(buf + used, size - used, "%s0x%08x", used ? "," : "",
		         (unsigned)rest);
	return buf;
}

static const struct bit disconnect_modes[] = {
	{LINEDISCONNECTMODE_NORMAL, "normal"},
	{LINEDISCONNECTMODE_UNKNOWN, "unknown"},
	{LINEDISCONNECTMODE_REJECT, "reject"},
	{LINEDISCONNECTMODE_PICKUP, "pickup"},
	{LINEDISCONNECTMODE_FORWARDED, "forwarded"},
	{LINEDISCONNECTMODE_BUSY, "busy"},
	{LINEDISCONNECTMODE_NOANSWER, "noanswer"},
	{LINEDISCONNECTMODE_BADADDRESS, "badaddress"},
	{LINEDISCONNECTMODE_UNREACHABLE, "unreachable"},
	{LINEDISCONNECTMODE_CONGESTION, "congestion"},
	{LINEDISCONNECTMODE_INCOMPATIBLE, "incompatible"},
	{LINEDISCONNECTMODE_UNAVAIL, "unavail"},
	{LINEDISCONNECTMODE_NODIALTONE, "nodialtone"},
	{LINEDISCONNECTMODE_NUMBERCHANGED, "numberchanged"},
	{LINEDISCONNECTMODE_OUTOFORDER, "outoforder"},
	{LINEDISCONNECTMODE_TEMPFAILURE, "tempfailure"},
	{LINEDISCONNECTMODE_QOSUNAVAIL, "qosunavail"},
	{LINEDISCONNECTMODE_BLOCKED, "blocked"},
	{LINEDISCONNECTMODE_DONOTDISTURB, "donotdisturb"},
	{LINEDISCONNECTMODE_CANCELLED, "cancelled"},
};

/* The state's mode (LINE_CALLSTATE dwParam2) as words: "active",
 * "station", "normal"...; "" for a state without one. */
static const char *detail_str(DWORD state, DWORD mode, char *buf, size_t size)
{
	static const struct bit offering[] = {
		{LINEOFFERINGMODE_ACTIVE, "active"},
		{LINEOFFERINGMODE_INACTIVE, "inactive"},
	};
	static const struct bit dialtone[] = {
		{LINEDIALTONEMODE_NORMAL, "normal"},
		{LINEDIALTONEMODE_SPECIAL, "special"},
		{LINEDIALTONEMODE_INTERNAL, "internal"},
		{LINEDIALTONEMODE_EXTERNAL, "external"},
		{LINEDIALTONEMODE_UNKNOWN, "unknown"},
		{LINEDIALTONEMODE_UNAVAIL, "unavail"},
	};
	static const struct bit busy[] = {
		{LINEBUSYMODE_STATION, "station"},
		{LINEBUSYMODE_TRUNK, "trunk"},
		{LINEBUSYMODE_UNKNOWN, "unknown"},
		{LINEBUSYMODE_UNAVAIL, "unavail"},
	};
	static const struct bit special[] = {
		{LINESPECIALINFO_NOCIRCUIT, "nocircuit"},
		{LINESPECIALINFO_CUSTIRREG, "custirreg"},
		{LINESPECIALINFO_REORDER, "reorder"},
		{LINESPECIALINFO_UNKNOWN, "unknown"},
		{LINESPECIALINFO_UNAVAIL, "unavail"},
	};
	static const struct bit connected[] = {
		{LINECONNECTEDMODE_ACTIVE, "active"},
		{LINECONNECTEDMODE_INACTIVE, "inactive"},
		{LINECONNECTEDMODE_ACTIVEHELD, "activeheld"},
		{LINECONNECTEDMODE_INACTIVEHELD, "inactiveheld"},
		{LINECONNECTEDMODE_CONFIRMED, "confirmed"},
	};

	switch (state) {
	case LINECALLSTATE_OFFERING:
		return bits_str(offering, ARRAY_LEN(offering), mode, buf, size);
	case LINECALLSTATE_DIALTONE:
		return bits_str(dialtone, ARRAY_LEN(dialtone), mode, buf, size);
	case LINECALLSTATE_BUSY:
		return bits_str(busy, ARRAY_LEN(busy), mode, buf, size);
	case LINECALLSTATE_SPECIALINFO:
		return bits_str(special, ARRAY_LEN(special), mode, buf, size);
	case LINECALLSTATE_CONNECTED:
		return bits_str(connected, ARRAY_LEN(connected), mode, buf,
		                size);
	case LINECALLSTATE_DISCONNECTED:
		return bits_str(disconnect_modes, ARRAY_LEN(disconnect_modes),
		                mode, buf, size);
	default:
		return bits_str(NULL, 0, mode, buf, size);
	}
}

/* LINECALLINFO's dwOrigin as a word. */
static const char *origin_str(DWORD o)
{
	return o & LINECALLORIGIN_OUTBOUND ? "outbound"
	       : o & (LINECALLORIGIN_INBOUND | LINECALLORIGIN_EXTERNAL)
	               ? "inbound"
	       : o & LINECALLORIGIN_INTERNAL   ? "internal"
	       : o & LINECALLORIGIN_CONFERENCE ? "conference"
	                                       : "unknown";
}

/*
 * Issue 18 item 5 — what each LINEERR_ means, in words, for the message
 * of its D-Bus error (whose name stays the constant's).
 */
static const struct {
	LONG err;
	const char *text;
} error_texts[] = {
	{LINEERR_ALLOCATED, "the line is already opened exclusively"},
	{LINEERR_BADDEVICEID, "there is no such line"},
	{LINEERR_BEARERMODEUNAVAIL, "the line cannot carry that bearer mode"},
	{LINEERR_CALLUNAVAIL,
         "no call can be made now (every call appearance of the address is "
         "in use, or the far end cannot take it)"},
	{LINEERR_COMPLETIONOVERRUN, "too many call completions are pending"},
	{LINEERR_CONFERENCEFULL, "the conference is full"},
	{LINEERR_DIALBILLING,
         "the address waits for a billing tone ($), which the line cannot "
         "do"},
	{LINEERR_DIALDIALTONE,
         "the address waits for a dial tone (W), which the line cannot do"},
	{LINEERR_DIALPROMPT,
         "the address waits for the user (?), which the line cannot do"},
	{LINEERR_DIALQUIET,
         "the address waits for quiet (@), which the line cannot do"},
	{LINEERR_INCOMPATIBLEAPIVERSION,
         "the line does not support that API version"},
	{LINEERR_INCOMPATIBLEEXTVERSION,
         "the provider does not support that extension version"},
	{LINEERR_INIFILECORRUPT, "the telephony configuration cannot be read"},
	{LINEERR_INUSE, "the line or address is in use by someone else"},
	{LINEERR_INVALADDRESS, "the address (the number) is not valid"},
	{LINEERR_INVALADDRESSID, "the line has no such address"},
	{LINEERR_INVALADDRESSMODE, "the address mode is not valid"},
	{LINEERR_INVALADDRESSSTATE, "the address states are not valid"},
	{LINEERR_INVALAPPHANDLE,
         "the registration is not valid (shut down, or not yours)"},
	{LINEERR_INVALAPPNAME, "the application name is not valid"},
	{LINEERR_INVALBEARERMODE, "the bearer mode is not valid"},
	{LINEERR_INVALCALLCOMPLMODE, "the call completion mode is not valid"},
	{LINEERR_INVALCALLHANDLE,
         "the call handle is not valid (the call was deallocated, or is not "
         "yours)"},
	{LINEERR_INVALCALLPARAMS, "the call parameters are not valid"},
	{LINEERR_INVALCALLPRIVILEGE, "the call privilege is not valid"},
	{LINEERR_INVALCALLSELECT, "the call selection is not valid"},
	{LINEERR_INVALCALLSTATE,
         "the call is not in a state that allows this (e.g. answering a "
         "call that is not offered, dropping one that is idle)"},
	{LINEERR_INVALCALLSTATELIST, "the call states are not valid"},
	{LINEERR_INVALCARD, "the calling card is not valid"},
	{LINEERR_INVALCOMPLETIONID, "the call completion is not valid"},
	{LINEERR_INVALCONFCALLHANDLE,
         "the call is not a conference that allows this"},
	{LINEERR_INVALCONSULTCALLHANDLE,
         "the consultation call is not one that allows this"},
	{LINEERR_INVALCOUNTRYCODE, "the country code is not valid"},
	{LINEERR_INVALDEVICECLASS, "the device class is not valid"},
	{LINEERR_INVALDEVICEHANDLE, "the device handle is not valid"},
	{LINEERR_INVALDIALPARAMS, "the dial parameters are not valid"},
	{LINEERR_INVALDIGITLIST, "the digit list is not valid"},
	{LINEERR_INVALDIGITMODE, "the digit mode is not valid"},
	{LINEERR_INVALDIGITS, "the digits are not valid"},
	{LINEERR_INVALEXTVERSION, "the extension version is not valid"},
	{LINEERR_INVALGROUPID, "the pickup group is not valid"},
	{LINEERR_INVALLINEHANDLE,
         "the line handle is not valid (closed, or not yours)"},
	{LINEERR_INVALLINESTATE,
         "the line is not in a state that allows this (e.g. out of "
         "service: its registration failed)"},
	{LINEERR_INVALLOCATION, "the location is not valid"},
	{LINEERR_INVALMEDIALIST, "the media list is not valid"},
	{LINEERR_INVALMEDIAMODE,
         "the media mode is not valid, or not one the line supports"},
	{LINEERR_INVALMESSAGEID, "the message is not valid"},
	{LINEERR_INVALPARAM, "an argument is not valid"},
	{LINEERR_INVALPARKID, "the park id is not valid"},
	{LINEERR_INVALPARKMODE, "the park mode is not valid"},
	{LINEERR_INVALPOINTER, "an argument is missing"},
	{LINEERR_INVALPRIVSELECT, "the privileges asked are not valid"},
	{LINEERR_INVALRATE, "the data rate is not valid"},
	{LINEERR_INVALREQUESTMODE, "the request mode is not valid"},
	{LINEERR_INVALTERMINALID, "the terminal is not valid"},
	{LINEERR_INVALTERMINALMODE, "the terminal mode is not valid"},
	{LINEERR_INVALTIMEOUT, "the timeout is not valid"},
	{LINEERR_INVALTONE, "the tone is not valid"},
	{LINEERR_INVALTONELIST, "the tone list is not valid"},
	{LINEERR_INVALTONEMODE, "the tone mode is not valid"},
	{LINEERR_INVALTRANSFERMODE, "the transfer mode is not valid"},
	{LINEERR_LINEMAPPERFAILED, "no line can make such a call"},
	{LINEERR_NOCONFERENCE, "the call is not in a conference"},
	{LINEERR_NODEVICE, "the line is gone (removed, or no longer yours)"},
	{LINEERR_NODRIVER, "the line's provider is missing or failed"},
	{LINEERR_NOMEM, "tapixd is short of memory"},
	{LINEERR_NOREQUEST, "there is no such request"},
	{LINEERR_NOTOWNER, "you are not an owner of the call"},
	{LINEERR_NOTREGISTERED, "not registered for that"},
	{LINEERR_OPERATIONFAILED,
         "the operation failed (the provider or the network refused it)"},
	{LINEERR_OPERATIONUNAVAIL, "the line or its provider cannot do this"},
	{LINEERR_RATEUNAVAIL, "the data rate is not available"},
	{LINEERR_RESOURCEUNAVAIL,
         "not enough resources (too many calls, or a limit reached)"},
	{LINEERR_REQUESTOVERRUN, "too many requests are pending"},
	{LINEERR_STRUCTURETOOSMALL, "a structure is too small"},
	{LINEERR_TARGETNOTFOUND, "no application takes the call"},
	{LINEERR_TARGETSELF, "the call is already there"},
	{LINEERR_UNINITIALIZED, "the telephony core is not running"},
	{LINEERR_USERUSERINFOTOOBIG,
         "the user-user information is too long for the line"},
	{LINEERR_REINIT, "the telephony core is being restarted; try again"},
	{LINEERR_ADDRESSBLOCKED, "calls to that address are blocked"},
	{LINEERR_BILLINGREJECTED, "the billing information was refused"},
	{LINEERR_INVALFEATURE, "the feature is not valid"},
	{LINEERR_NOMULTIPLEINSTANCE, "only one instance of it may exist"},
	{LINEERR_INVALAGENTID, "the agent is not valid"},
	{LINEERR_INVALAGENTGROUP, "the agent group is not valid"},
	{LINEERR_INVALPASSWORD, "the password is not valid"},
	{LINEERR_INVALAGENTSTATE, "the agent state is not valid"},
	{LINEERR_INVALAGENTACTIVITY, "the agent activity is not valid"},
	{LINEERR_DIALVOICEDETECT,
         "the address waits for a voice (:), which the line cannot do"},
	{LINEERR_USERCANCELLED, "cancelled by the user"},
	{LINEERR_INVALADDRESSTYPE, "the address type is not valid"},
	{LINEERR_INVALAGENTSESSIONSTATE,
         "the agent session state is not valid"},
	{LINEERR_DISCONNECTED, "the line is disconnected"},
	{LINEERR_SERVICE_NOT_RUNNING, "the telephony service is not running"},
};

/* A LINEERR_ as a D-Bus error: org.tapix.Error.INVALCALLSTATE, its
 * message what it means and the constant ("the call is not in a state
 * that allows this (...) (LINEERR_INVALCALLSTATE)"). */
static int tapi_error(sd_bus_error *err, LONG r)
{
	const char *n = tapi_error_name(r), *text = "the request failed";
	char name[96];
	size_t i;

	for (i = 0; i < ARRAY_LEN(error_texts); i++)
		if (error_texts[i].err == r)
			text = error_texts[i].text;
	if (strncmp(n, "LINEERR_", 8) == 0)
		n += 8;
	snprintf(name, sizeof(name), "org.tapix.Error.%s",
	         *n == '?' ? "UNKNOWN" : n);
	if (*n == '?')
		return sd_bus_error_setf(err, name, "%s (error 0x%08x)", text,
		                         (unsigned)r);
	return sd_bus_error_setf(err, name, "%s (%s)", text,
	                         tapi_error_name(r));
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
 * Issue 18 item 5 — whether every user may see line @dev (no rule, or
 * one that allows all): then its signals are broadcast. Two identities no
 * process runs as, uid and gid -1 (the kernel's invalid id) and -2, stand
 * for "any user": only a rule that allows all (or names both, which no
 * configuration does) allows both.
 */
static bool line_public(DWORD dev)
{
	struct who any;

	memset(&any, 0, sizeof(any));
	any.uid = (uid_t)-1;
	any.gid = (gid_t)-1;
	if (!acl_allows(&any, dev))
		return false;
	any.uid = (uid_t)-2;
	any.gid = (gid_t)-2;
	return acl_allows(&any, dev);
}

/* Sends one @member of @iface on @path to @dest (NULL: broadcast), its body
 * appended by @fill. */
static void send_one(const char *dest, const char *path, const char *iface,
                     const char *member,
                     int (*fill)(sd_bus_message *s, void *arg), void *arg)
{
	sd_bus_message *s = NULL;
	int e = sd_bus_message_new_signal(d.bus, &s, path, iface, member);

	if (e >= 0 && dest)
		e = sd_bus_message_set_destination(s, dest);
	if (e >= 0)
		e = fill(s, arg);
	if (e >= 0)
		e = sd_bus_send(d.bus, s, NULL);
	sd_bus_message_unref(s);
	if (e < 0)
		log_warn("signal %s to %s lost: %s", member,
		         dest ? dest : "all", strerror(-e));
}

/*
 * Sends @member of @iface on @path, its body appended by @fill (0 or
 * more, or -errno): broadcast if every user may see line @dev, else to
 * every watcher allowed on it (docs/service.md, "Who hears what").
 */
static void send_watchers(DWORD dev, const char *path, const char *iface,
                          const char *member,
                          int (*fill)(sd_bus_message *s, void *arg), void *arg)
{
	unsigned i;

	if (line_public(dev)) {
		send_one(NULL, path, iface, member, fill, arg);
		return;
	}
	for (i = 0; i < nwatchers; i++)
		if (acl_allows(&watchers[i].who, dev))
			send_one(watchers[i].name, path, iface, member, fill,
			         arg);
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

/* Sends @member with @types and the values after them, as
 * send_watchers. */
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

/*
 * The end of a SendDigits on @c (LINE_GENERATE's @term): its D-Bus caller
 * is answered, the oldest first (generations end in the order they were
 * started: a new one cancels the one before it). False if none waits.
 */
static bool digits_end_one(struct tcall *c, DWORD term)
{
	struct waiting **pp, **oldest = NULL, *w;

	for (pp = &waitings; *pp; pp = &(*pp)->next)
		if ((*pp)->digits && (*pp)->call == c)
			oldest = pp; /* the list is newest first */
	if (!oldest)
		return false;
	w = *oldest;
	*oldest = w->next;
	if (term == LINEGENERATETERM_DONE)
		sd_bus_reply_method_return(w->m, "");
	else
		sd_bus_reply_method_errorf(
			w->m, "org.tapix.Error.CANCELLED",
			"the digits were cut short: another SendDigits, or "
			"the end of the call (LINEGENERATETERM_CANCEL)");
	sd_bus_message_unref(w->m);
	user_unref(w->user);
	free(w);
	return true;
}

/* @c's object goes: every SendDigits still waiting on it is cancelled. */
static void digits_end_all(struct tcall *c)
{
	while (digits_end_one(c, LINEGENERATETERM_CANCEL))
		;
}

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
	digits_end_all(c);
	for (w = waitings; w; w = w->next) {
		if (w->call == c)
			w->call = NULL;
		if (w->took[0] == c)
			w->took[0] = NULL;
		if (w->took[1] == c)
			w->took[1] = NULL;
	}
	notify(c->dev, TAPIXD_PATH, TAPIXD_MGR_IFACE, "CallRemoved", "o",
	       c->path);
	call_announce(c, false);
	sd_event_source_unref(c->expire);
	if (lineDeallocateCall(c->h) != 0)
		log_debug("call %08x: already gone", c->h);
	user_unref(c->user);
	free(c);
}

/* How long a call tapixd owns stays an object after IDLE (test hooks
 * may shorten it). */
static uint64_t idle_keep_usec = IDLE_KEEP_USEC;

void tel_set_idle_keep(uint64_t usec)
{
	idle_keep_usec = usec;
}

static int on_expire(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct tcall *c = userdata;

	(void)s;
	(void)usec;
	c->expire = sd_event_source_unref(c->expire);
	log_info("call %08x: idle for %llu ms, its object goes", c->h,
	         (unsigned long long)(idle_keep_usec / 1000));
	call_remove(c);
	return 0;
}

/*
 * DigitReceived for @c from now on, once it is CONNECTED, whether a
 * D-Bus user takes part in it or tapixd only watches it (a monitor may
 * monitor digits). Asking starts no media that would not run otherwise
 * (esp notes the modes until an application makes the call's media), so
 * watching stays free. A provider without media says
 * LINEERR_OPERATIONUNAVAIL.
 */
static void monitor_digits(struct tcall *c)
{
	LONG r;

	if (c->digits_on || c->state != LINECALLSTATE_CONNECTED)
		return;
	r = lineMonitorDigits(c->h, LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND);
	c->digits_on = true;
	if (r && r != LINEERR_OPERATIONUNAVAIL)
		log_debug("call %08x: no digits monitored (%s)", c->h,
		          tapi_error_name(r));
}

static void call_state(struct tcall *c, DWORD state, DWORD mode)
{
	uint64_t now;

	c->state = state;
	c->mode = mode;
	if (state == LINECALLSTATE_DISCONNECTED)
		c->disc = mode; /* kept: why it ended, after IDLE too */
	monitor_digits(c);
	notify(c->dev, c->path, TAPIXD_CALL_IFACE, "StateChanged", "su",
	       state_str(state), mode);
	{
		static const char *const names[] = {"State",
		                                    "StateCode",
		                                    "StateDetail",
		                                    "StateDetailCode",
		                                    "DisconnectMode",
		                                    "DisconnectModeCode",
		                                    NULL};

		call_changed(c, names);
	}
	if (state != LINECALLSTATE_IDLE)
		return;
	if ((!c->owned && !c->trying) || c->revoked) {
		/* only watched: it goes now (and the core may close it);
		 * revoked: nobody who may see it is its user any more (an
		 * operation on trial, such as the Redirect that made it
		 * idle, keeps it as owned: its reply settles it) */
		call_remove(c);
		return;
	}
	if (!c->expire && sd_event_now(d.event, CLOCK_MONOTONIC, &now) >= 0)
		sd_event_add_time(d.event, &c->expire, CLOCK_MONOTONIC,
		                  now + idle_keep_usec, 0, on_expire, c);
}

/* ---- taking part in calls for D-Bus users -----------------------------------
 */

/*
 * Ends the audio pair GetAudio gave out for @c: a call has one pair at a
 * time (docs/service.md, "Media"), so asking for another closes the one
 * its user holds; the new one is closed at once.
 */
static void audio_end(struct tcall *c)
{
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID) + 64];
	} u;
	TAPIXWAVEID id;
	LONG r;

	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	r = lineGetIDA(0, 0, c->h, LINECALLSELECT_CALL, &u.vs, "wave/in/out");
	if (r || u.vs.dwStringFormat != STRINGFORMAT_BINARY ||
	    u.vs.dwStringSize != sizeof(id) ||
	    u.vs.dwStringOffset > sizeof(u) - sizeof(id)) {
		/* (its media ended already: so did the pair) */
		log_debug("call %08x: audio not taken back (%s)", c->h,
		          r ? tapi_error_name(r) : "no TAPIXWAVEID");
		return;
	}
	memcpy(&id, u.buf + u.vs.dwStringOffset, sizeof(id));
	if (id.fdIn >= 0)
		close(id.fdIn);
	if (id.fdOut >= 0)
		close(id.fdOut);
}

/*
 * @c's user may no longer use its line (the rules changed): as for a
 * registration's open there (tapixd(8), ACCESS RULES), the line is taken
 * at once. tapixd owns the call for that user alone, so it ends it: the
 * audio pair it gave out is ended, the call dropped and let go at its
 * IDLE, at once if it cannot be dropped (already idle). It no longer
 * counts for the user's limits: they can no longer see it. May free @c.
 */
static void call_revoke(struct tcall *c)
{
	LONG r = LINEERR_INVALCALLSTATE;

	log_info("call %08x: line %u taken from uid %u: the call is dropped",
	         c->h, (unsigned)c->dev, (unsigned)c->user->who.uid);
	c->revoked = true;
	c->made = false;
	if (c->audio)
		audio_end(c);
	if (c->state != LINECALLSTATE_IDLE)
		r = lineDrop(c->h, NULL, 0);
	if (r < 0) {
		log_debug("call %08x: not dropped (%s): let go", c->h,
		          tapi_error_name(r));
		call_remove(c);
	}
}

/*
 * tapixd owns @c for good, on @u's behalf unless it already did on
 * another user's; if @u may no longer use the line (the rules changed
 * while its request was on its way), the call is revoked at once. May
 * free @c.
 */
static void call_owned(struct tcall *c, struct user *u)
{
	c->owned = true;
	if (!c->user)
		c->user = user_ref(u);
	if (c->user && !c->revoked && !acl_allows(&c->user->who, c->dev))
		call_revoke(c);
}

/*
 * Makes tapixd an owner of @c, for an operation a D-Bus user asks (the
 * core wants one for every operation but GetAudio). *@took: it was not
 * one for good, and is one on trial until the operation is accepted or
 * refused (own_settle).
 */
static LONG own(struct tcall *c, bool *took)
{
	LONG r = lineSetCallPrivilege(c->h, LINECALLPRIVILEGE_OWNER);

	*took = false;
	if (r)
		return r;
	monitor_digits(c);
	if (!c->owned) {
		*took = true;
		c->trying++;
	}
	return 0;
}

/*
 * The operation that made tapixd an owner of @c on trial (own), for @u,
 * was accepted (@ok): tapixd stays an owner. Refused: ownership is given
 * back, unless another operation on trial still needs it, so that a
 * failed Hold does not keep up a call whose applications end (the
 * termination rules would have closed it). May free @c.
 */
static void own_settle(struct tcall *c, bool ok, struct user *u)
{
	LONG r;

	if (c->trying)
		c->trying--;
	if (ok) {
		call_owned(c, u);
		return;
	}
	if (c->owned || c->trying)
		return;
	r = lineSetCallPrivilege(c->h, LINECALLPRIVILEGE_MONITOR);
	if (r == LINEERR_INVALCALLSTATE) {
		/* its other owners let go meanwhile: the core leaves no live
		 * call to nobody, tapixd stays its owner, for @u to end */
		log_debug("call %08x: tapixd stays its only owner", c->h);
		call_owned(c, u);
	} else if (r) {
		log_debug("call %08x: ownership not given back (%s)", c->h,
		          tapi_error_name(r));
	}
}

void tel_rules_changed(unsigned *ended)
{
	struct tcall *c, *next;

	*ended = 0;
	for (c = calls; c; c = next) {
		next = c->next; /* (@c may go) */
		if (!c->owned || !c->user || c->revoked ||
		    acl_allows(&c->user->who, c->dev))
			continue;
		++*ended;
		call_revoke(c);
	}
}

unsigned tel_calls_pending(void)
{
	return creating;
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

/*
 * The registration a provider tells in LINEDEVSTATUS's device-specific
 * part, as text lines (tapix-sip(7)): "registration=failed", "status=403",
 * "phrase=Forbidden". REG_NONE if it tells none; @error gets "403
 * Forbidden" when the registration failed.
 */
static enum reg parse_reg(const LINEDEVSTATUS *ds, char *error, size_t size)
{
	static const struct {
		const char *name;
		enum reg reg;
	} names[] = {
		{"none", REG_NONE},       {"idle", REG_NONE},
		{"pending", REG_PENDING}, {"ok", REG_OK},
		{"failed", REG_FAILED},
	};
	char text[512], phrase[64] = "";
	enum reg reg = REG_NONE;
	unsigned status = 0;
	size_t n = ds->dwDevSpecificSize;
	char *line, *save = NULL;
	unsigned i;

	error[0] = '\0';
	if (!n || ds->dwDevSpecificOffset > ds->dwUsedSize ||
	    n > ds->dwUsedSize - ds->dwDevSpecificOffset)
		return REG_NONE;
	if (n > sizeof(text) - 1)
		n = sizeof(text) - 1;
	memcpy(text, (const char *)ds + ds->dwDevSpecificOffset, n);
	text[n] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "registration=", 13) == 0) {
			for (i = 0; i < ARRAY_LEN(names); i++)
				if (strcmp(line + 13, names[i].name) == 0)
					reg = names[i].reg;
		} else if (strncmp(line, "status=", 7) == 0) {
			status = (unsigned)strtoul(line + 7, NULL, 10);
		} else if (strncmp(line, "phrase=", 7) == 0) {
			snprintf(phrase, sizeof(phrase), "%s", line + 7);
		}
	}
	if (reg == REG_FAILED && status)
		snprintf(error, size, "%u%s%s", status, *phrase ? " " : "",
		         phrase);
	return reg;
}

static const char *reg_str(enum reg r)
{
	static const char *const names[] = {"none", "registering", "registered",
	                                    "failed"};

	return names[r];
}

/* PropertiesChanged of line @dev's @names (after its vtable). */
static void line_changed(DWORD dev, const char *const names[]);

/*
 * Reads line @dev's status again; if @tell, signals what changed
 * (LineChanged, PropertiesChanged of InService, Registration,
 * RegistrationError).
 */
static void refresh_line(DWORD dev, bool tell)
{
	union {
		LINEDEVSTATUS ds;
		char buf[1024];
	} u;
	struct tline *l = &lines[dev];
	const char *names[4];
	char error[sizeof(l->reg_error)];
	unsigned n = 0;
	enum reg reg;
	bool in;
	char lp[64];

	memset(&u, 0, sizeof(u));
	u.ds.dwTotalSize = sizeof(u);
	if (!l->h || lineGetLineDevStatus(l->h, &u.ds) != 0)
		return;
	in = (u.ds.dwDevStatusFlags & LINEDEVSTATUSFLAGS_INSERVICE) != 0;
	reg = parse_reg(&u.ds, error, sizeof(error));
	if (in != l->in_service)
		names[n++] = "InService";
	if (reg != l->reg)
		names[n++] = "Registration";
	if (strcmp(error, l->reg_error) != 0)
		names[n++] = "RegistrationError";
	names[n] = NULL;
	/* (the new values first: the signals read them) */
	l->in_service = in;
	l->reg = reg;
	memcpy(l->reg_error, error, sizeof(error));
	if (!tell || !n)
		return;
	if (strcmp(names[0], "InService") == 0) {
		line_path(dev, lp, sizeof(lp));
		notify(dev, lp, TAPIXD_LINE_IFACE, "LineChanged", "b", in);
	}
	line_changed(dev, names);
}

static void on_reply(LONG req, LONG result)
{
	struct tcall *made[2] = {NULL, NULL};
	struct waiting **pp, *w;
	unsigned i;

	for (pp = &waitings; *pp; pp = &(*pp)->next) {
		if ((*pp)->req == req)
			break;
	}
	w = *pp;
	if (!w)
		return;
	*pp = w->next;
	if (w->creates)
		creating -= w->ncreate;
	if (result != 0) {
		sd_bus_error err = SD_BUS_ERROR_NULL;

		tapi_error(&err, result);
		sd_bus_reply_method_error(w->m, &err);
		sd_bus_error_free(&err);
	} else if (w->creates) {
		struct tcall *c = NULL;

		/* counted in all until the core's count has them, as the
		 * calls its registrations make (rpc.c) */
		rpc_calls_made(w->ncreate);
		/* the calls the request made are the D-Bus user's */
		for (i = 2; i-- > 0;) {
			if (!w->newh[i])
				continue;
			c = call_add(w->newh[i],
			             dev_of_line(tapix_call_line(w->newh[i])),
			             true);
			if (c) {
				c->owned = true; /* (an object already) */
				c->made = true;
				c->maker = w->uid;
				made[i] = c;
			}
		}
		sd_bus_reply_method_return(w->m, "o", c ? c->path : "/");
	} else {
		sd_bus_reply_method_return(w->m, "");
	}
	/* after the answer: each may end a call whose user lost its line
	 * meanwhile (all distinct calls: m_call) */
	for (i = 0; i < 2; i++) {
		if (made[i])
			call_owned(made[i], w->user);
		if (w->took[i])
			own_settle(w->took[i], result == 0, w->user);
	}
	user_unref(w->user);
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
	lineSetStatusMessages(h,
	                      LINEDEVSTATE_INSERVICE |
	                              LINEDEVSTATE_OUTOFSERVICE |
	                              LINEDEVSTATE_DEVSPECIFIC,
	                      0);
	refresh_line(i, false); /* its object is not announced yet */
}

/* Line @dev's `incoming` applied (after the Line objects). */
static void incoming_apply(DWORD dev);

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
	incoming_apply(dev);
}

/* LINE_CALLINFO: PropertiesChanged of what the @states changed. */
static void call_info(struct tcall *c, DWORD states)
{
	static const struct {
		DWORD state;
		const char *name;
	} map[] = {
		{LINECALLINFOSTATE_ORIGIN, "Origin"},
		{LINECALLINFOSTATE_ORIGIN, "OriginCode"},
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

/* LINE_MONITORDIGITS: DigitReceived("5", "down") at the digit's start,
 * ("5", "up") at its end. */
static void digit_received(struct tcall *c, DWORD digit, DWORD mode)
{
	char s[2] = {(char)digit, '\0'};

	if (digit < 0x21 || digit > 0x7e) {
		log_warn("call %08x: digit 0x%02x not told", c->h,
		         (unsigned)digit);
		return;
	}
	notify(c->dev, c->path, TAPIXD_CALL_IFACE, "DigitReceived", "ss", s,
	       mode == LINEDIGITMODE_DTMFEND ? "up"
	       : mode == LINEDIGITMODE_PULSE ? "pulse"
	                                     : "down");
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
	case LINE_GENERATE:
		c = call_find((HCALL)m->hDevice);
		if (c)
			digits_end_one(c, (DWORD)m->dwParam1);
		break;
	case LINE_MONITORDIGITS:
		c = call_find((HCALL)m->hDevice);
		if (c)
			digit_received(c, (DWORD)m->dwParam1,
			               (DWORD)m->dwParam2);
		break;
	case LINE_LINEDEVSTATE:
		dev = dev_of_line((HLINE)m->hDevice);
		if (dev < d.ndevs)
			refresh_line(dev, true);
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
		refresh_line(dev, true);
		return sd_bus_message_append(reply, "b", lines[dev].in_service);
	}
	if (strcmp(prop, "Registration") == 0) {
		refresh_line(dev, true);
		return sd_bus_message_append(reply, "s",
		                             reg_str(lines[dev].reg));
	}
	if (strcmp(prop, "RegistrationError") == 0) {
		refresh_line(dev, true);
		return sd_bus_message_append(
			reply, "s",
			utf8_clean(clean, sizeof(clean), lines[dev].reg_error));
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

/* The D-Bus error of user-user information longer than tapixd takes. */
static int uui_too_long(sd_bus_error *err, size_t n)
{
	return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
	                         "the user-user information is %zu bytes "
	                         "long: at most %d are taken",
	                         n, MAX_UUI);
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

/* Keeps @m in @w until the LINE_REPLY of @req. */
static int wait_reply(struct waiting *w, sd_bus_message *m, LONG req)
{
	w->req = req;
	w->m = sd_bus_message_ref(m);
	w->next = waitings;
	waitings = w;
	return 1;
}

/*
 * The calls D-Bus user @uid holds through tapixd (made by it, or being
 * made): with what its registrations hold, what tapixd's call limits
 * count (tapixd(8), LIMITS).
 */
unsigned tel_calls_made_by(uid_t uid)
{
	struct waiting *w;
	struct tcall *c;
	unsigned n = 0;

	for (c = calls; c; c = c->next)
		if (c->made && c->maker == uid)
			n++;
	for (w = waitings; w; w = w->next)
		if (w->creates && w->uid == uid)
			n += w->ncreate;
	return n;
}

/* Whether the sender of @m (*@w) may create @n more calls: LINEERR_ or
 * 0. */
static LONG may_create(sd_bus_message *m, unsigned n, struct who *w)
{
	if (who_of(m, w) < 0)
		return LINEERR_OPERATIONFAILED;
	if (mem_short())
		return LINEERR_NOMEM;
	/* (the calls being made count in all: tel_calls_pending) */
	if (!rpc_may_create_calls(w->uid, tel_calls_made_by(w->uid), n))
		return LINEERR_RESOURCEUNAVAIL;
	return 0;
}

/* For a request that creates calls: @w's storage gets their handles. */
static void wait_created(struct waiting *w, sd_bus_message *m, LONG req)
{
	w->creates = true;
	creating += w->ncreate;
	wait_reply(w, m, req);
}

/* A waiting of the sender @who of a request, or NULL (out of memory). */
static struct waiting *waiting_new(const struct who *who)
{
	struct waiting *w = calloc(1, sizeof(*w));

	if (w && !(w->user = user_new(who))) {
		free(w);
		w = NULL;
	}
	if (w)
		w->uid = who->uid;
	return w;
}

static void waiting_free(struct waiting *w)
{
	user_unref(w->user);
	free(w);
}

static int m_make_call(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	DWORD dev = dev_ud(ud);
	struct waiting *w;
	const char *dest;
	const void *uui;
	LINECALLPARAMS *p;
	struct who who;
	size_t n;
	LONG r;

	if (sd_bus_message_read(m, "s", &dest) < 0 ||
	    sd_bus_message_read_array(m, 'y', &uui, &n) < 0)
		return -EINVAL;
	if (n > MAX_UUI)
		return uui_too_long(err, n);
	if (!lines[dev].h)
		return tapi_error(err, LINEERR_INVALLINESTATE);
	r = may_create(m, 1, &who);
	if (r)
		return tapi_error(err, r);
	p = voice_params(uui, n);
	w = waiting_new(&who);
	if (!p || !w) {
		free(p);
		if (w)
			waiting_free(w);
		return -ENOMEM;
	}
	w->ncreate = 1;
	r = lineMakeCall(lines[dev].h, &w->newh[0], *dest ? dest : NULL, 0, p);
	free(p);
	if (r < 0) {
		waiting_free(w);
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
	SD_BUS_PROPERTY("Registration", "s", line_prop, 0, EMITS),
	SD_BUS_PROPERTY("RegistrationError", "s", line_prop, 0, EMITS),
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
	 * of the loop; a signal append_props builds (InterfacesAdded: issue
	 * 18 item 5, now sent for every call of a line everyone may see)
	 * its own number, "building".
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
	sd_bus_message *m = building ? NULL : sd_bus_get_current_message(bus);
	const char *sender = m ? sd_bus_message_get_sender(m) : NULL;
	uint64_t cookie = building, now = 0;
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
		return sd_bus_message_append(
			reply, "s",
			detail_str(c->state, c->mode, clean, sizeof(clean)));
	if (strcmp(prop, "StateDetailCode") == 0)
		return sd_bus_message_append(reply, "u", c->mode);
	if (strcmp(prop, "DisconnectMode") == 0)
		return sd_bus_message_append(
			reply, "s",
			bits_str(disconnect_modes, ARRAY_LEN(disconnect_modes),
		                 c->disc, clean, sizeof(clean)));
	if (strcmp(prop, "DisconnectModeCode") == 0)
		return sd_bus_message_append(reply, "u", c->disc);
	if ((!building && (!m || sd_bus_message_get_cookie(m, &cookie) < 0)) ||
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
	if (strcmp(prop, "OriginCode") == 0)
		return sd_bus_message_append(reply, "u", u.ci.dwOrigin);
	if (strcmp(prop, "Origin") == 0)
		s = origin_str(u.ci.dwOrigin);
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

enum call_op {
	OP_ANSWER,
	OP_ACCEPT,
	OP_DROP,
	OP_HOLD,
	OP_UNHOLD,
	OP_TRANSFER,
	OP_REDIRECT,
	OP_DIAL,
	OP_DEALLOCATE,
	OP_SETUPCONF,
	OP_ADDCONF,
	OP_REMOVECONF,
};

/* Asks the core for @op on @c (@other: AddToConference's consultation
 * call, @s: an address, @uui): its request id, or a LINEERR_. */
static LONG call_op_start(enum call_op op, struct tcall *c, struct tcall *other,
                          const char *s, const void *uui, size_t n,
                          struct waiting *w)
{
	switch (op) {
	case OP_ANSWER:
		return lineAnswer(c->h, n ? uui : NULL, (DWORD)n);
	case OP_ACCEPT:
		return lineAccept(c->h, n ? uui : NULL, (DWORD)n);
	case OP_DROP:
		return lineDrop(c->h, n ? uui : NULL, (DWORD)n);
	case OP_HOLD:
		return lineHold(c->h);
	case OP_UNHOLD:
		return lineUnhold(c->h);
	case OP_TRANSFER:
		return lineBlindTransfer(c->h, s, 0);
	case OP_REDIRECT:
		return lineRedirect(c->h, s, 0);
	case OP_DIAL:
		return lineDial(c->h, s, 0);
	case OP_SETUPCONF:
		/* newh[1] the consultation call, newh[0] the conference: the
		 * reply names the conference */
		return lineSetupConference(c->h, 0, &w->newh[0], &w->newh[1], 3,
		                           NULL);
	case OP_ADDCONF:
		return lineAddToConference(c->h, other->h);
	default:
		return lineRemoveFromConference(c->h);
	}
}

static int m_call(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct tcall *c = ud, *other = NULL;
	const char *member = sd_bus_message_get_member(m);
	bool took = false, took_other = false;
	const void *uui = NULL;
	const char *s = NULL;
	struct waiting *w;
	struct who who;
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
	else if (strcmp(member, "Redirect") == 0)
		op = OP_REDIRECT;
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
	if (op <= OP_DROP && sd_bus_message_read_array(m, 'y', &uui, &n) < 0)
		return -EINVAL;
	if (n > MAX_UUI)
		return uui_too_long(err, n);
	if ((op == OP_TRANSFER || op == OP_REDIRECT || op == OP_DIAL ||
	     op == OP_ADDCONF) &&
	    sd_bus_message_read(m, op == OP_ADDCONF ? "o" : "s", &s) < 0)
		return -EINVAL;
	if (op == OP_DEALLOCATE) {
		/*
		 * A call tapixd only watches: its object is every allowed
		 * user's view of it, and its handle tapixd's only way to hear
		 * of it; deallocating it would hide the call from all, for
		 * good. Refused, as TAPI refuses an operation to a handle
		 * that does not own the call.
		 */
		if (!c->owned)
			return tapi_error(err, LINEERR_NOTOWNER);
		call_remove(c);
		return sd_bus_reply_method_return(m, "");
	}
	if (op == OP_ADDCONF) {
		other = call_by_path(s);
		if (!other || !caller_allowed(m, other->dev))
			return tapi_error(err, LINEERR_INVALCALLHANDLE);
	}
	if (op == OP_SETUPCONF)
		r = may_create(m, 2, &who);
	else
		r = who_of(m, &who) < 0 ? LINEERR_OPERATIONFAILED : 0;
	if (r)
		return tapi_error(err, r);
	w = waiting_new(&who);
	if (!w)
		return -ENOMEM;
	if (op == OP_SETUPCONF)
		w->ncreate = 2;
	r = own(c, &took);
	/* (a call conferenced with itself, which the core refuses, is on
	 * trial once: the settling frees nothing twice) */
	if (!r && other && other != c)
		r = own(other, &took_other);
	if (!r)
		r = call_op_start(op, c, other, s, uui, n, w);
	if (r > 0) {
		/* settled at its LINE_REPLY */
		w->took[0] = took ? c : NULL;
		w->took[1] = took_other ? other : NULL;
		if (op == OP_SETUPCONF)
			wait_created(w, m, r);
		else
			wait_reply(w, m, r);
		return 1;
	}
	if (r == 0 && op != OP_SETUPCONF) {
		/* done at once (no operation here is, in TAPI): accepted */
		if (took_other)
			own_settle(other, true, w->user);
		if (took)
			own_settle(c, true, w->user);
		waiting_free(w);
		return sd_bus_reply_method_return(m, "");
	}
	/* refused at once: what it made tapixd own is given back */
	if (took_other)
		own_settle(other, false, w->user);
	if (took)
		own_settle(c, false, w->user);
	waiting_free(w);
	return tapi_error(err, r ? r : LINEERR_OPERATIONFAILED);
}

/*
 * SendDigits(s digits, u duration_ms): DTMF on the call
 * (lineGenerateDigits), the service an owner first; it returns when they
 * have all been sent (LINE_GENERATE DONE), org.tapix.Error.CANCELLED
 * when they were cut short (another SendDigits, the call's end).
 */
static int m_send_digits(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct tcall *c = ud;
	struct waiting *w;
	const char *digits;
	struct who who;
	bool took = false;
	uint32_t ms;
	LONG r;

	if (sd_bus_message_read(m, "su", &digits, &ms) < 0)
		return -EINVAL;
	if (who_of(m, &who) < 0)
		return tapi_error(err, LINEERR_OPERATIONFAILED);
	w = waiting_new(&who);
	if (!w)
		return -ENOMEM;
	r = own(c, &took);
	if (!r)
		r = lineGenerateDigitsA(c->h, LINEDIGITMODE_DTMF, digits, ms);
	/* (synchronous: accepted or refused now; the caller may use the
	 * line, so @c stays) */
	if (took)
		own_settle(c, r == 0, w->user);
	w->user = user_unref(w->user);
	if (r) {
		waiting_free(w);
		return tapi_error(err, r);
	}
	/* answered by digits_end, at the call's LINE_GENERATE */
	w->digits = true;
	w->call = c;
	w->m = sd_bus_message_ref(m);
	w->next = waitings;
	waitings = w;
	return 1;
}

/* A descriptor of /dev/null: the side of GetAudio not asked for. */
static int null_fd(void)
{
	return open("/dev/null", O_RDWR | O_CLOEXEC);
}

/*
 * GetAudio(s class) -> (h in, h out, u rate): the call's audio
 * (lineGetID "wave/in", "wave/out" or "wave/in/out" on the service's
 * handle, docs/media.md), signed 16-bit little-endian mono PCM at @rate
 * Hz; the side the class does not name is /dev/null. The service's
 * copies are closed once they are sent.
 */
static int m_get_audio(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID) + 64];
	} u;
	struct tcall *c = ud;
	const char *cls;
	TAPIXWAVEID id;
	int e;
	LONG r;

	if (sd_bus_message_read(m, "s", &cls) < 0)
		return -EINVAL;
	if (strcmp(cls, "wave/in") && strcmp(cls, "wave/out") &&
	    strcmp(cls, "wave/in/out"))
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
		                         "no audio of class '%s': wave/in, "
		                         "wave/out or wave/in/out",
		                         cls);
	if (sd_bus_can_send(sd_bus_message_get_bus(m), SD_BUS_TYPE_UNIX_FD) <=
	    0)
		return sd_bus_error_setf(err, SD_BUS_ERROR_NOT_SUPPORTED,
		                         "this connection cannot carry file "
		                         "descriptors");
	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	r = lineGetIDA(0, 0, c->h, LINECALLSELECT_CALL, &u.vs, cls);
	if (r)
		return tapi_error(err, r);
	if (u.vs.dwStringFormat != STRINGFORMAT_BINARY ||
	    u.vs.dwStringSize != sizeof(id) ||
	    u.vs.dwStringOffset > sizeof(u) - sizeof(id)) {
		/* no descriptor was made (too small), or not a TAPIXWAVEID */
		log_warn("call %08x: lineGetID %s answered no TAPIXWAVEID",
		         c->h, cls);
		return tapi_error(err, LINEERR_OPERATIONFAILED);
	}
	memcpy(&id, u.buf + u.vs.dwStringOffset, sizeof(id));
	if (id.fdIn < 0)
		id.fdIn = null_fd();
	if (id.fdOut < 0)
		id.fdOut = null_fd();
	if (id.fdIn < 0 || id.fdOut < 0)
		e = -errno;
	else
		e = sd_bus_reply_method_return(m, "hhu", id.fdIn, id.fdOut,
		                               id.dwRate);
	if (e >= 0)
		c->audio = true; /* (ended if its user loses the line) */
	/* sd-bus sent its own copies */
	if (id.fdIn >= 0)
		close(id.fdIn);
	if (id.fdOut >= 0)
		close(id.fdOut);
	return e;
}

static const sd_bus_vtable call_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Line", "o", call_prop, 0,
                        SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("StateCode", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("StateDetail", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("StateDetailCode", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("DisconnectMode", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("DisconnectModeCode", "u", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("Origin", "s", call_prop, 0, EMITS),
	SD_BUS_PROPERTY("OriginCode", "u", call_prop, 0, EMITS),
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
	SD_BUS_METHOD("Redirect", "s", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Dial", "s", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetupConference", "", "o", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AddToConference", "o", "", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RemoveFromConference", "", "", m_call,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Deallocate", "", "", m_call, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SendDigits", "su", "", m_send_digits,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAudio", "s", "hhu", m_get_audio,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("StateChanged", "su", 0),
	SD_BUS_SIGNAL("DigitReceived", "ss", 0),
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
	static uint64_t signals;
	uint64_t outer = building;
	const sd_bus_vtable *v;
	int e = sd_bus_message_open_container(s, 'a', "{sv}");

	building = ++signals | (1ULL << 63);

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
	building = outer;
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

static void line_changed(DWORD dev, const char *const names[])
{
	char lp[64];
	struct props p = {line_vtable, TAPIXD_LINE_IFACE, lp,
	                  (void *)(uintptr_t)(dev + 1), names};

	line_path(dev, lp, sizeof(lp));
	send_watchers(dev, lp, PROPS_IFACE, "PropertiesChanged", fill_changed,
	              &p);
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

/* ---- incoming calls ([line N] incoming) ------------------------------------
 */

/*
 * A line whose configuration says `incoming = ring | reject | answer` is
 * opened by a second registration of tapixd, an ordinary application (not
 * an observer), as OWNER for LINEMEDIAMODE_INTERACTIVEVOICE: its calls are
 * then offered (a SIP provider refuses a call no application owns), and
 * that registration is their first owner (spec: tapi-model.md §5, the
 * first-opened candidate). At OFFERING it drops the call (reject),
 * answers it (answer) or leaves it offered (ring) for a D-Bus user, whose
 * Call object is the observer's as for any call. Its own handle goes at
 * DISCONNECTED or IDLE (as the only owner, that ends the call: the
 * termination rules), so it never keeps a call that is over.
 */
static HLINEAPP inapp;
static sd_event_source *inio;

/*
 * incoming = answer:FILE — an answering machine. At OFFERING the file is
 * opened (one that cannot be is logged and the call dropped, as reject
 * would) and the call answered; at CONNECTED the call's wave/out
 * (lineGetID, docs/media.md) is made non-blocking and written from an IO
 * source of the loop whenever its socket has room, 20 ms at a time, the
 * file mixed down and resampled to the call's rate (resample.h): the
 * socket's small send buffer paces the file at the call's pace, and the
 * loop never waits for it. Once the file has played and the socket's
 * queue is empty (2 s at most), and 200 ms more for the far end's jitter
 * buffer, the call is dropped (lineDrop); its IDLE lets the handle go as
 * above. The caller hanging up first (DISCONNECTED), the line closing or
 * tapixd stopping end the playing at once; so does the call's audio
 * ending or being taken by a D-Bus user (GetAudio closes the machine's
 * pair), which leaves the call as `answer` does. One struct player per
 * call.
 */
#define PLAY_TICK_USEC  (20 * 1000)  /* the socket's queue looked at */
#define PLAY_DRAIN_MAX  100          /* ticks: 2 s */
#define PLAY_GRACE_USEC (200 * 1000) /* after the queue is empty */

struct player {
	struct player *next; /* players */
	HCALL h;             /* inapp's handle: the call's owner */
	DWORD dev;
	LONG answer_req;            /* lineAnswer's, until its LINE_REPLY */
	char *path;                 /* the file, for the log */
	struct resample_file *file; /* open from OFFERING to the end */
	int fd;                     /* wave/out, non-blocking, or -1 */
	sd_event_source *io;        /* @fd writable: the next samples */
	sd_event_source *drain;     /* the file ended: waits for the queue */
	uint32_t rate;              /* the call's, from its TAPIXWAVEID */
	uint64_t sent;              /* bytes written to @fd */
	unsigned ticks;             /* of @drain */
	bool grace;                 /* the queue is empty: the last wait */
	bool started;               /* wave/out asked (once) */
	bool dropped;               /* lineDrop asked (once) */
	int16_t buf[960];           /* 20 ms at up to 48 kHz */
	size_t off, len;            /* bytes of @buf written, read */
};
static struct player *players;

int tel_check_answer_file(const char *path, char *why, size_t size)
{
	struct resample_file *f = NULL;
	int e = resample_file_open(&f, path, 0, RESAMPLE_FILE_REGULAR, why,
	                           size);

	resample_file_close(f);
	return e;
}

static struct player *player_find(HCALL h)
{
	struct player *p;

	for (p = players; p && p->h != h; p = p->next)
		;
	return p;
}

static double player_seconds(const struct player *p)
{
	return p->rate ? (double)p->sent / 2 / p->rate : 0;
}

/* Stops writing: the sources and the descriptor go, the rest stays. */
static void player_stop(struct player *p)
{
	/* (sd-event lets a source go from its own callback) */
	p->io = sd_event_source_disable_unref(p->io);
	p->drain = sd_event_source_disable_unref(p->drain);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static void player_free(struct player *p)
{
	struct player **pp;

	for (pp = &players; *pp && *pp != p; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = p->next;
	player_stop(p);
	resample_file_close(p->file);
	free(p->path);
	free(p);
}

/* The players of line @dev go (its open closed: no message comes for
 * their calls any more). */
static void players_free_line(DWORD dev)
{
	struct player *p = players, *next;

	for (; p; p = next) {
		next = p->next;
		if (p->dev == dev)
			player_free(p);
	}
}

/* Stops playing and drops the call (once); @p is freed at its
 * DISCONNECTED or IDLE, or at once when the drop cannot be asked. */
static void player_drop(struct player *p)
{
	LONG r;

	player_stop(p);
	if (p->dropped)
		return;
	p->dropped = true;
	r = lineDrop(p->h, NULL, 0);
	if (r < 0) {
		log_warn("call %08x: not dropped: %s", p->h,
		         tapi_error_name(r));
		if (lineDeallocateCall(p->h) != 0)
			log_debug("call %08x: already let go", p->h);
		player_free(p);
	}
}

static int on_player_drain(sd_event_source *s, uint64_t usec, void *ud)
{
	struct player *p = ud;
	int queued = 0;

	if (p->grace) {
		log_info("call %08x: %s played (%.2f s): dropping the call",
		         p->h, p->path, player_seconds(p));
		player_drop(p);
		return 0;
	}
	if (p->ticks < PLAY_DRAIN_MAX && ioctl(p->fd, SIOCOUTQ, &queued) == 0 &&
	    queued > 0) {
		p->ticks++;
		usec = PLAY_TICK_USEC;
	} else {
		p->grace = true; /* empty: the far end's jitter buffer */
		usec = PLAY_GRACE_USEC;
	}
	if (sd_event_source_set_time_relative(s, usec) < 0 ||
	    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
		player_drop(p);
	return 0;
}

/* wave/out was closed under the player: the call's audio ended, or a
 * D-Bus user took it (GetAudio: a call has one pair at a time). The
 * playing stops; the call is left as `answer` leaves it, to its new
 * user or to its end. */
static void player_gone(struct player *p)
{
	log_info("call %08x: its audio was taken or ended after %.2f s of "
	         "%s: playing stopped",
	         p->h, player_seconds(p), p->path);
	player_stop(p);
}

/* The file has been read to its end: what waits in the socket is played
 * before the call is dropped. */
static void player_done(struct player *p)
{
	p->io = sd_event_source_disable_unref(p->io);
	if (sd_event_add_time_relative(d.event, &p->drain, CLOCK_MONOTONIC,
	                               PLAY_TICK_USEC, 0, on_player_drain,
	                               p) < 0)
		player_drop(p);
}

static int on_player_writable(sd_event_source *s, int fd, uint32_t ev, void *ud)
{
	struct player *p = ud;
	unsigned frames = 0;

	(void)s;
	if (ev & (EPOLLERR | EPOLLHUP)) {
		player_gone(p);
		return 0;
	}
	/* until the socket is full; a bounded turn, for the rest of the
	 * loop */
	while (frames < 16) {
		ssize_t w;

		if (p->off == p->len) {
			size_t n = p->rate / 50;
			ssize_t got = resample_file_read(
				p->file, p->buf,
				n < sizeof(p->buf) / sizeof(p->buf[0])
					? n
					: sizeof(p->buf) / sizeof(p->buf[0]));

			if (got < 0) {
				log_warn("call %08x: %s: cannot read it", p->h,
				         p->path);
				player_drop(p);
				return 0;
			}
			if (got == 0) {
				player_done(p);
				return 0;
			}
			p->off = 0;
			p->len = (size_t)got * 2;
			frames++;
		}
		w = send(fd, (const char *)p->buf + p->off, p->len - p->off,
		         MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0; /* full: the call takes it at its pace */
		if (w <= 0) {
			player_gone(p);
			return 0;
		}
		p->off += (size_t)w;
		p->sent += (uint64_t)w;
	}
	return 0;
}

/* The call is connected: its wave/out, and the file played into it. */
static void player_start(struct player *p)
{
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID) + 64];
	} u;
	TAPIXWAVEID id;
	uint32_t frate = 0;
	unsigned ch = 0;
	double secs = 0;
	int fl;
	LONG r;

	p->started = true;
	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	r = lineGetIDA(0, 0, p->h, LINECALLSELECT_CALL, &u.vs, "wave/out");
	if (r || u.vs.dwStringFormat != STRINGFORMAT_BINARY ||
	    u.vs.dwStringSize != sizeof(id) ||
	    u.vs.dwStringOffset > sizeof(u) - sizeof(id)) {
		log_warn("call %08x: no audio to play %s to (lineGetID: %s)",
		         p->h, p->path,
		         r ? tapi_error_name(r) : "no TAPIXWAVEID");
		player_drop(p);
		return;
	}
	memcpy(&id, u.buf + u.vs.dwStringOffset, sizeof(id));
	if (id.fdIn >= 0)
		close(id.fdIn);
	p->fd = id.fdOut;
	p->rate = id.dwRate;
	fl = p->fd >= 0 ? fcntl(p->fd, F_GETFL) : -1;
	if (fl < 0 || fcntl(p->fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    id.dwFormat != TAPIXWAVE_S16LE ||
	    resample_file_set_rate(p->file, p->rate) != 0 ||
	    sd_event_add_io(d.event, &p->io, p->fd, EPOLLOUT,
	                    on_player_writable, p) < 0) {
		log_warn("call %08x: cannot play %s to its audio (%u Hz)", p->h,
		         p->path, (unsigned)p->rate);
		player_drop(p);
		return;
	}
	resample_file_format(p->file, &frate, &ch, &secs);
	log_info("call %08x: playing %s (%u Hz, %u channels, %.2f s) at %u Hz",
	         p->h, p->path, (unsigned)frate, ch, secs, (unsigned)p->rate);
}

/* answer:FILE at OFFERING: the file opened, the call answered. */
static void player_answer(HCALL h, DWORD dev, const char *path)
{
	struct player *p = calloc(1, sizeof(*p));
	char why[256] = "out of memory";
	LONG r;
	int e = -ENOMEM;

	if (p) {
		p->h = h;
		p->dev = dev;
		p->fd = -1;
		p->path = strdup(path);
		if (p->path)
			e = resample_file_open(&p->file, path, 0,
			                       RESAMPLE_FILE_REGULAR, why,
			                       sizeof(why));
	}
	if (e) {
		log_err("call %08x: line %u: %s: cannot play it (%s): the call "
		        "is dropped",
		        h, (unsigned)dev, path, why);
		if (p)
			player_free(p);
		r = lineDrop(h, NULL, 0);
		if (r < 0)
			log_warn("call %08x: not dropped: %s", h,
			         tapi_error_name(r));
		return;
	}
	log_info("call %08x: line %u answers incoming calls with %s", h,
	         (unsigned)dev, path);
	r = lineAnswer(h, NULL, 0);
	if (r < 0) {
		log_warn("call %08x: incoming call not handled: %s", h,
		         tapi_error_name(r));
		player_free(p);
		return;
	}
	p->answer_req = r;
	p->next = players;
	players = p;
}

/* A LINE_REPLY: lineAnswer's for a player that failed drops its call.
 * Whether it was a player's. */
static bool player_reply(LONG req, LONG result)
{
	struct player *p;

	for (p = players; p && p->answer_req != req; p = p->next)
		;
	if (!p || !req)
		return false;
	p->answer_req = 0;
	if (result != 0) {
		log_warn("call %08x: not answered: %s", p->h,
		         tapi_error_name(result));
		player_drop(p);
	}
	return true;
}

static DWORD dev_of_inline(HLINE h)
{
	DWORD i;

	for (i = 0; h && i < d.ndevs; i++)
		if (lines[i].inh == h)
			return i;
	return 0xFFFFFFFFu;
}

static void on_incoming_message(const LINEMESSAGE *m)
{
	HCALL h = (HCALL)m->hDevice;
	struct player *p;
	const char *file, *to;
	DWORD dev;
	LONG r = 0;

	switch (m->dwMessageID) {
	case LINE_CALLSTATE:
		p = player_find(h);
		if (m->dwParam1 == LINECALLSTATE_DISCONNECTED ||
		    m->dwParam1 == LINECALLSTATE_IDLE) {
			if (p && (p->io || p->drain))
				log_info("call %08x: the caller hung up after "
				         "%.2f s of %s",
				         h, player_seconds(p), p->path);
			if (p)
				player_free(p);
			if (lineDeallocateCall(h) != 0)
				log_debug("call %08x: already let go", h);
			break;
		}
		if (p && m->dwParam1 == LINECALLSTATE_CONNECTED &&
		    !p->started && !p->dropped)
			player_start(p);
		if (m->dwParam1 != LINECALLSTATE_OFFERING)
			break;
		dev = dev_of_inline(tapix_call_line(h));
		if (dev >= d.ndevs)
			break;
		if (lines[dev].incoming == ACL_INCOMING_REJECT) {
			log_info("call %08x: line %u rejects incoming calls", h,
			         (unsigned)dev);
			r = lineDrop(h, NULL, 0);
		} else if (lines[dev].incoming == ACL_INCOMING_ANSWER &&
		           (file = acl_answer_file(dev)) != NULL) {
			player_answer(h, dev, file);
		} else if (lines[dev].incoming == ACL_INCOMING_ANSWER) {
			log_info("call %08x: line %u answers incoming calls", h,
			         (unsigned)dev);
			r = lineAnswer(h, NULL, 0);
		} else if (lines[dev].incoming == ACL_INCOMING_FORWARD &&
		           (to = acl_forward_address(dev)) != NULL) {
			log_info("call %08x: line %u forwards it to %s", h,
			         (unsigned)dev, to);
			r = lineRedirect(h, to, 0);
			if (r < 0) {
				/* not left ringing for nobody */
				log_warn("call %08x: not forwarded: %s", h,
				         tapi_error_name(r));
				r = lineDrop(h, NULL, 0);
			}
		}
		if (r < 0)
			log_warn("call %08x: incoming call not handled: %s", h,
			         tapi_error_name(r));
		break;
	case LINE_REPLY:
		if (player_reply((LONG)m->dwParam1, (LONG)m->dwParam2))
			break;
		if ((LONG)m->dwParam2 != 0)
			log_warn("incoming call: request %ld failed: %s",
			         (long)m->dwParam1,
			         tapi_error_name((LONG)m->dwParam2));
		break;
	case LINE_CLOSE:
		dev = dev_of_inline((HLINE)m->hDevice);
		if (dev < d.ndevs) {
			players_free_line(dev);
			lines[dev].inh = 0;
		}
		break;
	default:
		break;
	}
}

static int on_incoming_readable(sd_event_source *s, int fd, uint32_t ev,
                                void *ud)
{
	LINEMESSAGE m;
	unsigned n = 0;

	(void)s;
	(void)fd;
	(void)ev;
	(void)ud;
	while (n++ < 256 && inapp && lineGetMessage(inapp, &m, 0) == 0)
		on_incoming_message(&m);
	return 0;
}

/* The second registration, made when a line first needs it. */
static bool incoming_app(void)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ver = 0x00020002, n = 0;
	LONG e;

	if (inapp)
		return true;
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	e = lineInitializeEx(&inapp, NULL, NULL, "tapixd incoming", &n, &ver,
	                     &ip);
	if (e) {
		log_err("incoming calls: no registration for them: %s",
		        tapi_error_name(e));
		inapp = 0;
		return false;
	}
	if (sd_event_add_io(d.event, &inio,
	                    TAPIX_HANDLE_TO_FD(ip.Handles.hEvent), EPOLLIN,
	                    on_incoming_readable, NULL) < 0) {
		log_err("incoming calls: cannot watch their registration");
		lineShutdown(inapp);
		inapp = 0;
		return false;
	}
	return true;
}

/* Opens or closes line @dev's owner open as its `incoming` now says. */
static void incoming_apply(DWORD dev)
{
	enum acl_incoming want = acl_incoming(dev);
	struct tline *l = &lines[dev];
	HLINE h = 0;
	LONG r;

	if (want == l->incoming && (want == ACL_INCOMING_MONITOR || l->inh))
		return;
	l->incoming = want;
	if (want == ACL_INCOMING_MONITOR) {
		if (l->inh) {
			log_info("line %u: incoming calls no longer taken",
			         (unsigned)dev);
			players_free_line(dev);
			lineClose(l->inh);
			l->inh = 0;
		}
		return;
	}
	if (l->inh || !incoming_app())
		return;
	r = lineOpen(inapp, dev, &h, 0x00020002, 0, 0, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
	if (r) {
		log_warn("line %u: incoming calls not taken (lineOpen: %s)",
		         (unsigned)dev, tapi_error_name(r));
		return;
	}
	l->inh = h;
	log_info("line %u: incoming calls taken (%s)", (unsigned)dev,
	         want == ACL_INCOMING_RING      ? "ring"
	         : want == ACL_INCOMING_REJECT  ? "reject"
	         : want == ACL_INCOMING_FORWARD ? "forward"
	                                        : "answer");
}

void tel_incoming_reload(void)
{
	DWORD i;

	for (i = 0; lines && i < d.ndevs; i++)
		incoming_apply(i);
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
	e = d.no_objects ? 0 : start_objects();
	if (e >= 0)
		tel_incoming_reload();
	return e;
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
		user_unref(w->user);
		free(w);
	}
	creating = 0;
	while (calls) {
		struct tcall *c = calls;

		calls = c->next;
		sd_event_source_unref(c->expire);
		user_unref(c->user);
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
	inio = sd_event_source_unref(inio);
	while (players)
		player_free(players);
	if (inapp)
		lineShutdown(inapp);
	inapp = 0;
	if (app)
		lineShutdown(app);
	app = 0;
	free(lines);
	lines = NULL;
}
