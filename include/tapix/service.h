/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a telephony service (tapixd) needs of libtapix beyond tapi.h: to
 * register on behalf of a client process, and to find which registration
 * a line or call handle belongs to, so that a client can only use its own
 * handles. Embedded-mode functions; they never go to a service.
 */
#ifndef TAPIX_SERVICE_H
#define TAPIX_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <ras.h>
#include <tapi.h>
#include <tapix/tapix.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * lineInitializeEx for another process: as lineInitializeExA, but the
 * registration's module name (the one lineHandoff looks for) is
 * @lpszModuleName instead of this executable's name.
 * @return as lineInitializeExA. Threads: any.
 */
TAPIX_API LONG tapix_initialize_as(LPHLINEAPP lphLineApp,
                                   LPCSTR lpszFriendlyAppName,
                                   LPCSTR lpszModuleName, LPDWORD lpdwNumDevs,
                                   LPDWORD lpdwAPIVersion,
                                   LPLINEINITIALIZEEXPARAMS lpParams);

/**
 * The registration a line handle (tapix_line_app) or a call handle
 * (tapix_call_app) belongs to, or 0 if the handle is not valid now.
 * Threads: any.
 */
TAPIX_API HLINEAPP tapix_line_app(HLINE hLine);
TAPIX_API HLINEAPP tapix_call_app(HCALL hCall);

/**
 * lineGetMessage without waiting, for a USEEVENT registration, also giving
 * the handle whose death would have voided the message (0 for none): the
 * service passes it on so that its client drops what the embedded core
 * would drop. @return 0, LINEERR_OPERATIONFAILED (nothing queued),
 * LINEERR_INVALAPPHANDLE, LINEERR_INVALPOINTER. Threads: any.
 */
TAPIX_API LONG tapix_get_message_guarded(HLINEAPP hLineApp,
                                         LPLINEMESSAGE lpMessage,
                                         LPDWORD lpdwGuard);

/**
 * While @bQuiet, messages queued for USEEVENT registration @hLineApp do
 * not make its event descriptor readable; ending it makes the descriptor
 * readable if messages wait. For a service that fetches a registration's
 * messages itself right after a call it makes (tapixd's channel): the
 * descriptor is then not written and read for nothing.
 * @return 0, LINEERR_INVALAPPHANDLE. Threads: any.
 */
TAPIX_API LONG tapix_set_event_quiet(HLINEAPP hLineApp, BOOL bQuiet);

/**
 * Makes registration @hLineApp an observer (@bObserver
 * TRUE) or an ordinary application again: a service that opens lines as
 * a monitor to show their calls (tapixd's Line and Call objects). An
 * observer's MONITOR call handles do not count for the termination rules
 * (a call whose last other handle goes is closed, and dropped where the
 * rules say, exactly as without the observer), nor in LINECALLINFO's
 * dwNumMonitors, and other applications get no LINE_CALLINFO about them.
 * When a call is closed while an observer still has a monitor handle to
 * it, that handle is freed and the observer gets LINE_CALLSTATE(IDLE)
 * naming it. An observer that becomes an OWNER of a call (on behalf of
 * someone who takes part in it) counts as any owner.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_OPERATIONUNAVAIL (the
 * registration has a line open). Threads: any.
 */
TAPIX_API LONG tapix_set_observer(HLINEAPP hLineApp, BOOL bObserver);

/**
 * What registration @hLineApp holds now: its line opens (opens), its call
 * handles (call_handles) and the provider-level lines no other
 * registration has open (lines); the other counts are 0. For a service
 * that reports, or limits, what each client holds, and counts its own.
 * @return 0, LINEERR_INVALAPPHANDLE (*@out untouched), or
 * LINEERR_INVALPOINTER. Threads: any.
 */
TAPIX_API LONG tapix_app_live(HLINEAPP hLineApp, struct tapix_live *out);

/**
 * The line handle (open) a call handle belongs to, or 0 if the call
 * handle is not valid now. Threads: any.
 */
TAPIX_API HLINE tapix_call_line(HCALL hCall);

/**
 * The API version a line handle was opened with, or 0 if it is not valid
 * now. Threads: any.
 */
TAPIX_API DWORD tapix_line_api(HLINE hLine);

/* ---- RAS: the connection manager of the service (ras.md §12) ----------- */

/* A RAS dial, resolved from the phonebook by the process that dials. */
struct tapix_ras_req {
	char entry[RAS_MaxEntryName + 1]; /* "." + number: no entry */
	char pbk[MAX_PATH];
	bool has_entry;
	char number[RAS_MaxPhoneNumber + 1];
	char devtype[RAS_MaxDeviceType + 1];
	char device[RAS_MaxDeviceName + 1]; /* the TAPI line name, or "" */
	char port[96];                      /* "<switch>-<line>", or "" */
	char link[32];                      /* TapixLink, "" none */
	bool type_ok;                       /* MEDIA and Type supported */
	unsigned dial_timeout;              /* seconds */
	GUID guid;
	DWORD flags; /* RASCF_AllUsers */
	char user[UNLEN + 1], password[PWLEN + 1], domain[DNLEN + 1];
	char callback[RAS_MaxCallbackNumber + 1];
	bool paused_states;
	ULONG_PTR cbid;
};

/* One notification as the manager keeps it. */
struct tapix_ras_event {
	RASCONNSTATE state;
	DWORD error;
};

/* Whether the dialler may use line device @dev (a service's rules). */
typedef bool tapix_ras_allow_fn(void *ctx, DWORD dev);

/**
 * RasDial for a client of the service: @rq resolved by the client, @owner
 * its bus name (its references; not ""), @uid its user; only lines @allow
 * admits. Asynchronous (the client reads tapix_ras_events from *@first: 0
 * for a new connection, the final Connected, never 0, for a reference on
 * one that is up, ras.md §3.3). Only a connection of @uid's of the same
 * phonebook and entry is joined, whoever @uid is (root too): another
 * user's is never. No credentials are saved (the client saves its own,
 * ras.md §9). @return as RasDial.
 */
TAPIX_API DWORD tapix_ras_dial(const struct tapix_ras_req *rq,
                               const char *owner, uint32_t uid,
                               tapix_ras_allow_fn *allow, void *ctx,
                               HRASCONN *out, unsigned *first);
/** Resumes a paused connection of @uid's with new credentials. */
TAPIX_API DWORD tapix_ras_resume(HRASCONN h, uint32_t uid, const char *user,
                                 const char *password, const char *domain);
/** RasHangUp for @owner: one of its references, or all if it has none. */
TAPIX_API DWORD tapix_ras_hang_up(HRASCONN h, const char *owner, uint32_t uid);
/**
 * Client @owner is gone (exited, killed, or left the bus): every
 * reference it holds on every connection is released. A connection left
 * with none is torn down as by RasHangUp unless it is up: a dial, a
 * paused dial, a failed one, or one whose link was lost goes; one that is
 * up stays with no owner (it outlives its dialler, ras.md §12), any
 * process of its user may still find it with RasEnumConnections and hang
 * it up, and it is torn down by itself if its link is lost.
 *
 * @param owner the bus name it dialled with (as given to tapix_ras_dial)
 * @return the number of connections it held references on
 *
 * Threads: any; the teardown goes on after it returns (RasHangUp's).
 */
TAPIX_API unsigned tapix_ras_owner_gone(const char *owner);
/** RasGetConnectStatus (full size) of a connection of @uid's (root: any). */
TAPIX_API DWORD tapix_ras_status(HRASCONN h, uint32_t uid,
                                 RASCONNSTATUSA *full);
/** The connections that are up of @uid's (root: all): @max in @out, the
 *  number in *@n. */
TAPIX_API DWORD tapix_ras_enum(uint32_t uid, RASCONNA *out, DWORD max,
                               DWORD *n);
/**
 * Hangs up every connection and waits (at most @timeout_ms) until the
 * manager has let go of the line API. @return 0 or ERROR_REQUEST_TIMEOUT.
 */
TAPIX_API DWORD tapix_ras_shutdown(unsigned timeout_ms);
/**
 * A connection's notifications from number @from (0: its first; at most
 * @max). The latest 64 are kept: a reader that fell behind gets those.
 * *@next is where to go on from, *@final true when no more will come.
 */
TAPIX_API DWORD tapix_ras_events(HRASCONN h, uint32_t uid, unsigned from,
                                 struct tapix_ras_event *out, unsigned max,
                                 unsigned *n, bool *final, unsigned *next);
/**
 * How many times something a reader sees of @uid's connections (root,
 * 0: of every connection) has changed: a new notification
 * (tapix_ras_events), a connection whose last notification has been made
 * (final) or that is torn down, a link lost (tapix_ras_status), a
 * connection gone. Only a change of the number means
 * anything (it wraps); a reader compares it with the one it saw last.
 * Threads: any.
 */
TAPIX_API unsigned tapix_ras_changes(uint32_t uid);
/**
 * A descriptor that becomes readable when tapix_ras_changes moves for
 * any user: an eventfd of the manager's, made by the first call (later
 * calls give the same one; never close it). Read its 8 bytes to clear it,
 * then compare the counts.
 *
 * @return the descriptor, or a negative errno
 */
TAPIX_API int tapix_ras_change_fd(void);

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_SERVICE_H */
