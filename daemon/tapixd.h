/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: the telephony service. One sd-event loop runs everything: the
 * D-Bus side (sd-bus), the TAPI registrations it holds for its clients
 * (their event descriptors are sources of the loop) and its own
 * registration behind the Line/Call objects. The embedded libtapix core
 * does the telephony: the service adds no second implementation of the
 * rules, only the mapping to D-Bus and who may use what.
 */
#ifndef TAPIXD_H
#define TAPIXD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include <tapi.h>

#include "rpc/chan.h"
#include "util/list.h"

#define TAPIXD_BUS_NAME   "org.tapix.Tapix1"
#define TAPIXD_PATH       "/org/tapix/Tapix1"
#define TAPIXD_RPC_IFACE  "org.tapix.Tapi1"
#define TAPIXD_MGR_IFACE  "org.tapix.Telephony1"
#define TAPIXD_LINE_IFACE "org.tapix.Line1"
#define TAPIXD_CALL_IFACE "org.tapix.Call1"
#define TAPIXD_LINE_PATH  TAPIXD_PATH "/Line"
#define TAPIXD_CALL_PATH  TAPIXD_PATH "/Call"

/* Who is calling: from the bus (sd_bus_query_sender_creds), never from
 * the message. */
struct who {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	unsigned ngroups;
};

/*
 * Issue 19 items 4 and 13 — what clients may make tapixd hold, from the
 * [tapixd] section of tapix.conf (tapixd(8), LIMITS; 0 is not a value).
 * The "all users" ones keep their last sixteenth (at least one) for root,
 * who has no per-user limit.
 */
struct limits {
	unsigned regs;           /* max_registrations */
	unsigned regs_per_user;  /* max_registrations_per_user */
	unsigned conns;          /* max_connections (direct ones) */
	unsigned conns_per_user; /* max_connections_per_user */
	unsigned calls;          /* max_calls */
	unsigned calls_per_user; /* max_calls_per_user */
	unsigned queued;         /* max_queued_messages (per registration) */
	unsigned opens;          /* max_opens (every registration's) */
	unsigned opens_per_user; /* max_opens_per_user */
};

#define LIM_REGS           4096
#define LIM_REGS_PER_USER  128
#define LIM_CONNS          1024
#define LIM_CONNS_PER_USER 64
#define LIM_CALLS          16384
#define LIM_CALLS_PER_USER 1024
#define LIM_QUEUED         65536
#define LIM_OPENS          16384
#define LIM_OPENS_PER_USER 1024

struct daemon {
	sd_event *event;
	sd_bus *bus;
	const char *conf_path; /* tapix.conf, for the access rules */
	DWORD ndevs;           /* line devices of the core */
	bool stopping;
	bool test_hooks; /* --test-hooks */
	bool no_objects; /* --no-objects: no Line/Call objects */
	bool no_channel; /* --no-channel: direct connections without one */
};

extern struct daemon d;

/* main.c: the limits in force, and the memory left for clients */
/* tapix.conf's limits, the global ones lowered to what the descriptors
 * tapixd may open allow (RLIMIT_NOFILE, read now). */
void lim_get(struct limits *out);
/*
 * Whether @uid may have one more of something it has @mine of, all users
 * @all, when at most @max may be held in all and @per_user by one user:
 * root up to @max, the others up to @per_user and @max less root's
 * reserve.
 */
bool lim_allows(uid_t uid, unsigned all, unsigned mine, unsigned max,
                unsigned per_user);
/*
 * Issue 19 item 9 — whether memory is short: less than a headroom is left
 * below tapixd's memory limits (RLIMIT_AS, RLIMIT_DATA), counting what the
 * heap has free. Then what clients ask for that would hold memory
 * (registrations, opens, calls, connections) is refused, so that the
 * loop and sd-bus never run out. Sampled at most every 10 ms.
 */
bool mem_short(void);

/* acl.c: which uids and gids may use which lines ([line N] allow = ...) */
int acl_load(const char *path);
/* As acl_load, from INI text (for tests). 0, or -errno (rules kept). */
int acl_load_string(const char *text);
void acl_free(void);
bool acl_allows(const struct who *w, DWORD dev);
/*
 * As acl_load, also reading the limits of [tapixd], and writing to
 * @changed (@size bytes) the devices below @ndevs whose rule changed
 * ("1,3", or "" for none) and to *@limits_changed whether a limit did.
 */
int acl_reload(const char *path, DWORD ndevs, char *changed, size_t size,
               bool *limits_changed);
/* The limits of the rules loaded (defaults where not given). */
const struct limits *acl_limits(void);
/* What tapixd does with line N's incoming calls ([line N] incoming). */
enum acl_incoming {
	ACL_INCOMING_MONITOR, /* nothing: it only watches (the default) */
	ACL_INCOMING_RING,    /* owns the line: calls are offered, wait */
	ACL_INCOMING_REJECT,  /* owns the line: offered calls are dropped */
	ACL_INCOMING_ANSWER,  /* owns the line: offered calls are answered */
	ACL_INCOMING_FORWARD, /* owns the line: offered calls are redirected */
};
/* Line @dev's incoming of the rules loaded. */
enum acl_incoming acl_incoming(DWORD dev);
/*
 * The file line @dev answers with (incoming = answer:FILE: an absolute
 * path), or NULL (not answer, or answer alone). Valid until the rules
 * are loaded again.
 */
const char *acl_answer_file(DWORD dev);
/*
 * The address line @dev forwards its offered calls to (incoming =
 * forward:ADDRESS, lineRedirect), or NULL. Valid until the rules are
 * loaded again.
 */
const char *acl_forward_address(DWORD dev);
/*
 * Checks that tapixd can play @path: 0, or -errno and why in @why (@size
 * bytes). A configuration naming a file that fails it is not valid.
 */
typedef int (*acl_file_check_cb)(const char *path, char *why, size_t size);
/* The check of answer:FILE from now on (NULL: none, the default). */
void acl_set_file_check(acl_file_check_cb cb);
/* The credentials of @m's sender (cached by unique bus name); -errno on
 * failure. */
int who_of(sd_bus_message *m, struct who *out);
/* How many times who_of asked the bus (test hooks). */
unsigned long who_queries_made(void);

/* rpc.c: the client-mode interface (org.tapix.Tapi1) */
int rpc_start(void);
void rpc_stop(void); /* lineShutdown of every client registration */
/* Serves org.tapix.Tapi1 on the direct connection @bus too. */
int rpc_attach(sd_bus *bus, sd_bus_slot **slot);
/* The client of direct connection @bus is gone: lineShutdown of each of
 * its registrations. */
void rpc_peer_gone(sd_bus *bus);
/* Handle slots kept for requests whose LINE_REPLY is due (test hooks). */
unsigned rpc_live_slots(void);
/*
 * Issue 19 item 11 — the access rules changed: each registration loses at
 * once the lines its user may no longer use (its opens there closed as by
 * lineClose, LINE_CLOSE and LINE_REMOVE to it, LINEERR_NODEVICE after).
 * Counts the registrations that lost a line and the opens closed.
 */
void rpc_rules_changed(unsigned *regs, unsigned *opens);
/*
 * Whether @uid may create @n more calls, holding @elsewhere calls beyond
 * those of its registrations (the Line/Call objects' MakeCall): the call
 * limits of tapixd(8), per user and in all.
 */
bool rpc_may_create_calls(uid_t uid, unsigned elsewhere, unsigned n);
/*
 * @n calls were just made elsewhere (the Line/Call objects' MakeCall,
 * SetupConference): they count in all, as those of the registrations, until
 * the core's count, asked again, holds them.
 */
void rpc_calls_made(unsigned n);

/* peer.c: direct connections to org.tapix.Tapi1, without the bus daemon.
 * @path: the socket, "none", or NULL for one in a directory of its own.
 * 0 or -errno (then tapixd serves on the bus only). */
int peer_start(const char *path);
void peer_stop(void); /* closes every direct connection */
/* Their D-Bus address ("unix:path=..."), or "" without them. */
const char *peer_address(void);
/* Whether @uid may have one more direct connection (the limits). */
bool peer_may_connect(uid_t uid);
/*
 * Closes direct connection @bus at once, without writing what waits to be
 * written (its client stalled, or is cut off): call rpc_peer_gone first.
 * Not from the connection's own callbacks.
 */
void peer_drop(sd_bus *bus);
/*
 * Issue 19 item 9 — a connection that sd-bus put out of service without
 * being able to say so (it could not allocate its Disconnected message)
 * is ended as a closed one, so that what its client held is freed. Called
 * every second while memory is short and after; returns whether a
 * connection is out of service and must be looked at again in a second.
 */
bool peer_check(void);

/* chan.c: tapixd's side of a channel (rpc/chan.h) */
struct chan;
/* A new channel: sealed shared memory and its three socket pairs.
 * 0/-errno. */
int chan_new(struct chan **out);
void chan_free(struct chan *ch);
/* What the client gets: the memfd, then its ends of the pairs: the one it
 * writes to wake tapixd, the one it waits on for an answer, the one its
 * reader waits on for messages. */
void chan_fds(const struct chan *ch, int fds[4]);
/* Once they are on their way (the reply holds copies): closes tapixd's
 * copies of the client's ends, so that they are the client's alone. */
void chan_fds_sent(struct chan *ch);
/* Our end that says a request came while tapixd was not watching. */
int chan_wake_fd(const struct chan *ch);
/* tapixd is watching: clears that end. */
void chan_woken(struct chan *ch);
/* Whether the client took the channel (it writes so before it registers:
 * one that refused it, another version's, reads no ring). */
bool chan_attached(const struct chan *ch);
/* Whether a request waits to be answered. */
bool chan_pending(const struct chan *ch);
/* 1 and the request decoded into @call, 0 when none waits, -EINVAL when
 * the one that waits is malformed (answer it all the same). */
int chan_take(struct chan *ch, struct chan_call *call);
/* Answers the request chan_take took (after its messages were written). */
void chan_reply(struct chan *ch, int32_t result, uint32_t line);
/* tapixd stops watching: true, or false when a request came meanwhile. */
bool chan_sleep(struct chan *ch);
/* Whether a message fits, and writes one that does. */
bool chan_room(const struct chan *ch);
void chan_push(struct chan *ch, const struct chan_msg *m);
/* After pushes: wakes the client's reader if nobody will take them. */
void chan_notify(struct chan *ch);

/* ras.c: the RAS connection manager (org.tapix.Ras1) */
int ras_start(void);
void ras_stop(void); /* hangs up every connection */

/* hooks.c: org.tapix.Test1, for the project's tests (--test-hooks) */
int hooks_start(void);
void hooks_stop(void);
void hooks_log(const char *module, const char *msg);

/* tel.c: the Line and Call objects (org.tapix.Telephony1 and friends) */
int tel_start(void);
void tel_stop(void);
/* How long a call tapixd owns stays an object after IDLE (a minute;
 * test hooks only). */
void tel_set_idle_keep(uint64_t usec);
/* The calls D-Bus user @uid made through the Line/Call objects (held, or
 * being made): they count for its call limits. */
unsigned tel_calls_made_by(uid_t uid);
/* The calls the Line/Call objects' requests are making (MakeCall,
 * SetupConference, pending): they count for max_calls. */
unsigned tel_calls_pending(void);
/* Opens or closes the lines whose `incoming` the rules loaded changed
 * (after acl_reload). */
void tel_incoming_reload(void);
/*
 * The access rules changed (after acl_reload): each call tapixd owns on
 * behalf of a D-Bus user (MakeCall, or the Answer, Hold... that made it an
 * owner) on a line that user may no longer use is ended: its audio pair
 * ended, dropped, let go at IDLE. Counts them in *@ended.
 */
void tel_rules_changed(unsigned *ended);
/*
 * incoming = answer:FILE — whether tapixd can play @path to a call: a
 * regular file libsndfile reads, of a rate it resamples (an
 * acl_file_check_cb). 0, or -errno and why in @why (@size bytes).
 */
int tel_check_answer_file(const char *path, char *why, size_t size);
/* What the service's own registration holds now (its opens, call handles,
 * and the lines only it has open), for the test hooks. */
struct tapix_live;
void tel_own(struct tapix_live *own);

#endif /* TAPIXD_H */
