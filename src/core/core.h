/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's objects and their rules: registrations (apps), line devices,
 * provider-level line opens (tlines), app-level opens (HLINE), calls, per-app
 * call handles (HCALL) and asynchronous requests.
 *
 * Locking: one core lock (core.lock) guards every field of every object
 * below and both handle tables. It is never held while calling a provider
 * (TSPI_*) or an application (callback, descriptor the app owns). core.ctl
 * serializes the session's start and stop (providerInit, providerShutdown)
 * and a configuration check's loading of providers, nothing else;
 * lock order is ctl -> lock. Nothing that ctl's holder waits for may need
 * ctl: the worker and delivery threads never take it while the holder waits
 * for them. A device's opens and closes are ordered by its claim
 * (device_claim_locked, a busy mark waited for on core.cond), and the
 * session is kept meanwhile by the count in flight (core.inflight), which
 * the session's stop waits for. Provider callbacks take only core.lock and
 * never call a provider.
 */
#ifndef TAPIX_CORE_CORE_H
#define TAPIX_CORE_CORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <tapix/tapix.h>
#include <tspi.h>

#include "util/htab.h"
#include "util/list.h"
#include "util/loghold.h"
#include "util/msgq.h"
#include "util/pool.h"
#include "util/rcstr.h"
#include "util/ulock.h"

/* API versions this implementation speaks (constants.md §1). */
#define VER_1_4  0x00010004u
#define VER_2_0  0x00020000u
#define VER_2_2  0x00020002u
#define VER_LOW  VER_1_4
#define VER_HIGH VER_2_2

/* Handle types in core.handles. */
enum obj_type {
	OBJ_APP = 1,
	OBJ_OPEN,
	OBJ_TLINE,
	OBJ_CALL,
	OBJ_CALLH,
};

/*
 * Life of an object (memory life is not protocol life: STYLE.md §4).
 *
 * DESIGN.md: "one lifecycle for every object with a handle: refs + state
 * (ALIVE/CLOSING/DEAD), close is a request, handles are slot + generation".
 * Handles are slot + generation for all (util/htab.h: a stale handle never
 * names a new object). Apps, app-level opens, provider-level opens (tline),
 * calls and call handles have refs + life: closing makes them CLOSING (no
 * new operations), then DEAD and out of the handle table, and the last
 * reference frees them (an open's close drops its handle's reference at
 * its end; an open holds its app, so a close may outlast lineShutdown,
 * which waits for it). A call's TSPI_lineCloseCall is a request the
 * worker runs (core.work). A close holds no lock across the provider
 * calls it makes: a line's, lineClose or lineShutdown, is ordered by its
 * device's claim and keeps the session by the count in flight; a call
 * handle dies at once (lineDeallocateCall), its call's close following.
 */
enum life {
	LIFE_ALIVE = 0,
	LIFE_CLOSING, /* no new operations; teardown in progress */
	LIFE_DEAD,    /* unreachable; freed with its last reference */
};

/* Resolved entry points of one provider module. */
struct tspi {
	LONG (*lineNegotiateTSPIVersion)(DWORD, DWORD, DWORD, LPDWORD);
	LONG(*providerEnumDevices)
	(DWORD, LPDWORD, LPDWORD, HPROVIDER, LINEEVENT, PHONEEVENT);
	LONG(*providerInit)
	(DWORD, DWORD, DWORD, DWORD, DWORD_PTR, DWORD_PTR, ASYNC_COMPLETION,
	 LPDWORD);
	LONG (*providerShutdown)(DWORD, DWORD);
	LONG (*providerCreateLineDevice)(DWORD_PTR, DWORD);
	LONG (*lineGetDevCaps)(DWORD, DWORD, DWORD, LPLINEDEVCAPS);
	LONG(*lineGetAddressCaps)
	(DWORD, DWORD, DWORD, DWORD, LPLINEADDRESSCAPS);
	LONG (*lineOpen)(DWORD, HTAPILINE, LPHDRVLINE, DWORD, LINEEVENT);
	LONG (*lineClose)(HDRVLINE);
	LONG (*lineSetDefaultMediaDetection)(HDRVLINE, DWORD);
	LONG (*lineSetStatusMessages)(HDRVLINE, DWORD, DWORD);
	LONG(*lineMakeCall)
	(DRV_REQUESTID, HDRVLINE, HTAPICALL, LPHDRVCALL, LPCSTR, DWORD,
	 LPLINECALLPARAMS);
	LONG (*lineAnswer)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineAccept)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineDrop)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineDropOnClose)(HDRVCALL);
	LONG (*lineCloseCall)(HDRVCALL);
	LONG (*lineGetCallInfo)(HDRVCALL, LPLINECALLINFO);
	LONG (*lineGetCallStatus)(HDRVCALL, LPLINECALLSTATUS);
	LONG (*lineGetLineDevStatus)(HDRVLINE, LPLINEDEVSTATUS);
	LONG (*lineGetCallAddressID)(HDRVCALL, LPDWORD);
	LONG (*lineSendUserUserInfo)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineReleaseUserUserInfo)(DRV_REQUESTID, HDRVCALL);
	LONG (*lineHold)(DRV_REQUESTID, HDRVCALL);
	LONG (*lineUnhold)(DRV_REQUESTID, HDRVCALL);
	LONG (*lineBlindTransfer)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineRedirect)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG (*lineDial)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD);
	LONG(*lineSetupConference)
	(DRV_REQUESTID, HDRVCALL, HDRVLINE, HTAPICALL, LPHDRVCALL, HTAPICALL,
	 LPHDRVCALL, DWORD, LPLINECALLPARAMS);
	LONG(*linePrepareAddToConference)
	(DRV_REQUESTID, HDRVCALL, HTAPICALL, LPHDRVCALL, LPLINECALLPARAMS);
	LONG (*lineAddToConference)(DRV_REQUESTID, HDRVCALL, HDRVCALL);
	LONG (*lineRemoveFromConference)(DRV_REQUESTID, HDRVCALL);
	LONG(*lineSetupTransfer)
	(DRV_REQUESTID, HDRVCALL, HTAPICALL, LPHDRVCALL, LPLINECALLPARAMS);
	LONG(*lineCompleteTransfer)
	(DRV_REQUESTID, HDRVCALL, HDRVCALL, HTAPICALL, LPHDRVCALL, DWORD);
	LONG (*lineDropEx)(DRV_REQUESTID, HDRVCALL, LPCSTR, DWORD, DWORD);
	LONG(*lineGetID)
	(HDRVLINE, DWORD, HDRVCALL, DWORD, LPVARSTRING, LPCSTR, HANDLE);
	LONG (*lineGenerateDigits)(HDRVCALL, DWORD, DWORD, LPCSTR, DWORD);
	LONG (*lineMonitorDigits)(HDRVCALL, DWORD);
	LONG(*lineGatherDigits)
	(HDRVCALL, DWORD, DWORD, LPSTR, DWORD, LPCSTR, DWORD, DWORD);
	LONG(*lineMonitorTones)
	(HDRVCALL, DWORD, LPLINEMONITORTONE const, DWORD);
	LONG(*lineGenerateTone)
	(HDRVCALL, DWORD, DWORD, DWORD, DWORD, LPLINEGENERATETONE const);
	LONG (*providerConfig)(DWORD, LPCSTR, LPCSTR);
	DWORD (*providerLiveObjects)(void);
};

struct provider {
	char *name;
	void *dl; /* dlopen handle; kept open for the process */
	struct tspi fn;
	uint32_t perm_id; /* permanent provider id: 1-based config order */
	uint32_t version; /* overall TSPI version (INITIALIZE_NEGOTIATION) */
	uint32_t first_dev;
	uint32_t num_lines;
	bool inited;
	bool nonreentrant;
	pthread_mutex_t serial; /* held around every call when nonreentrant */
};

/* Capabilities the core checks requests against, read at session start. */
struct devcaps {
	uint32_t num_addresses;
	uint32_t bearer_modes;
	uint32_t media_modes;
	uint32_t max_rate;
	uint32_t dev_cap_flags;
	uint32_t uui_accept, uui_answer, uui_make, uui_drop, uui_send;
};

/* A device a provider announced (LINE_CREATE), for the worker to add. */
struct creation {
	struct list_node link; /* core.creations */
	struct provider *prov;
	DWORD_PTR temp_id; /* the provider's temporary id */
};

struct device {
	uint32_t id;
	struct provider *prov;
	uint32_t version; /* highest TSPI version the provider speaks for it */
	bool removed;
	bool busy; /* TSPI_lineOpen/lineClose in progress (core.cond) */
	bool remove_pending; /* LINE_REMOVE seen; the worker finishes it */
	struct devcaps caps;
	struct tline *tl; /* provider-level open, or NULL */
};

/* A registration (HLINEAPP). */
struct app {
	uint32_t h;
	enum life life;
	unsigned refs;        /* handle table, opens, waiters, delivery */
	unsigned nopening;    /* its lineOpens in progress (lineShutdown */
	unsigned nclosing;    /* and its opens being closed: it waits) */
	uint32_t api_version; /* app's version for messages without a device */
	uint32_t mode;        /* LINEINITIALIZEEXOPTION_ value */
	char *name;   /* friendly name (LINECALLINFO AppName; util/rcstr.h) */
	char *module; /* module name for handoff */
	struct list_node link;  /* core.apps */
	struct list_node opens; /* struct open.app_link */
	struct list_node reqs;  /* struct req.app_link: outstanding requests */
	struct msgq q;          /* its messages and their delivery */
	/*
	 * tapix_set_observer: a service watching calls for its own objects.
	 * Its MONITOR handles are invisible to the termination rules and to
	 * other apps (not counted, no LINE_CALLINFO about them); as OWNER it
	 * takes part like any app. Set only while it has no open.
	 */
	bool observer;
};

/* A provider-level open of a device (HTAPILINE/HDRVLINE pair). */
struct tline {
	uint32_t ht;
	HDRVLINE hd;
	enum life life;
	unsigned refs; /* device, opens, calls, in-flight TSPI calls */
	struct device *dev;
	struct list_node opens; /* struct open.tl_link, in open order */
	struct list_node calls; /* struct call.tl_link */
	uint32_t media_union;   /* last value sent to the provider */
	uint32_t line_states;   /* last lineSetStatusMessages union */
	uint32_t addr_states;
	bool force_close;      /* provider sent LINE_CLOSE; queued for worker */
	struct list_node work; /* core.line_work */
};

/* An app-level open (HLINE). */
struct open {
	uint32_t h;
	enum life life;
	unsigned refs; /* its handle's (a close drops it at its end) */
	struct app *app;
	struct tline *tl;
	uint32_t api_version;
	uint32_t privileges;  /* LINECALLPRIVILEGE_ bits of lineOpen */
	uint32_t media_modes; /* owner media modes */
	bool single_address;
	bool announced;      /* LINEDEVSTATE_OPEN told: CLOSE will be */
	uint32_t address_id; /* with single_address */
	DWORD_PTR cbinst;
	uint32_t line_states; /* lineSetStatusMessages masks */
	uint32_t addr_states;
	struct list_node app_link;
	struct list_node tl_link;
	struct list_node callhs; /* struct callh.open_link */
	struct list_node reqs;   /* struct req.open_link */
};

/* A buffered provider event of a call whose creating request is pending. */
struct early_event {
	struct list_node link;
	uint32_t call_ht; /* the call it is about, if not the list's owner */
	uint32_t msg;
	DWORD_PTR p1, p2, p3;
};

/* A call known to the core (HTAPICALL/HDRVCALL pair). */
struct call {
	/* (8-byte fields first, then 4-byte, then flags: no padding holes;
	 * thousands of calls may be held) */
	HDRVCALL hd;
	struct tline *tl;
	char *app_name;    /* app that originated or answered it
	                    * (util/rcstr.h: the app's name, shared) */
	char *displayable; /* from LINECALLPARAMS, for LINECALLINFO */
	char *called_party;
	char *comment;
	struct list_node callhs; /* struct callh.call_link */
	struct list_node tl_link;
	struct list_node early; /* struct early_event, while creating */
	struct list_node work;  /* core.work (TSPI_lineCloseCall pending) */
	struct list_node close_link; /* a lineClose's list of calls to act on */
	uint32_t ht;
	enum life life;
	unsigned refs;  /* tline list, creating request, in-flight use */
	unsigned busy;  /* provider calls naming hd in progress (call_busy) */
	uint32_t state; /* last LINECALLSTATE_ reported, 0 = none yet */
	uint32_t mode;  /* its mode (dwParam2), 0 for CONFERENCED */
	uint32_t media; /* media mode of the first report */
	uint32_t address_id;
	uint32_t parent_ht;   /* conference parent (CONFERENCED), or 0 */
	uint32_t defer_to;    /* its events wait for this creating call, or 0 */
	uint32_t nowners;     /* OWNER handles, an observer's included */
	uint32_t nmonitors;   /* MONITOR handles, not an observer's */
	uint32_t close_flags; /* CLOSE_DROP / CLOSE_CLOSE for close_link */
	uint32_t monitor_digits; /* the union told the provider */
	struct call_media *mx;   /* made on first use, or NULL */
	bool is_conf_parent;
	bool creating; /* creating request not yet completed */
	bool routed;   /* app handles were assigned */
	bool closing;  /* TSPI_lineCloseCall issued or queued */
};

/*
 * A lineGatherDigits the provider was given (issue 17): the buffer it
 * writes is the core's, @buf, until its LINE_GATHERDIGITS with @id; then
 * the app's @app_buf gets a copy and the message, if @h still names the
 * handle that asked (0: told already, at IDLE). Kept until the provider's
 * message or the call's end, so the provider never writes freed memory.
 */
struct gather {
	struct gather *next; /* the call's, oldest first */
	uint32_t id;         /* dwEndToEndID given to the provider, never 0 */
	uint32_t h;          /* the handle to tell, or 0 */
	LPSTR app_buf;       /* where the app wants the digits */
	DWORD n;             /* room of both buffers, digits */
	bool confirmed;      /* the provider took it (returned 0) */
	bool cancel_owed;    /* IDLE came before that: CANCEL once it has */
	char buf[];          /* n + 1 */
};

#define CALL_TONES_MAX 8 /* tones a provider listens for at once */

/* A handle's lineMonitorTones list. */
struct tone_want {
	uint32_t h; /* the handle */
	DWORD n;
	LINEMONITORTONE t[CALL_TONES_MAX];
};

/*
 * A call's media requests beyond struct call's few fields, made on first
 * use (issue 17): its gathers, and its handles' tone lists, whose union
 * (each tone once, its dwAppSpecific its index) the provider listens for.
 */
struct call_media {
	/* lineGenerateDigits not yet ended by LINE_GENERATE: the handle that
	 * asked (0: none) and the end-to-end id the provider was given; two,
	 * as a new one's start and the old one's CANCEL may cross */
	uint32_t gen_h[2], gen_id[2];
	struct gather *gathers; /* lineGatherDigits the provider has */
	uint32_t tone_id;       /* the list id the provider has, 0: none */
	DWORD ntold;
	LINEMONITORTONE told[CALL_TONES_MAX];
	struct tone_want *wants;
	unsigned nwants;
	bool telling; /* a lineMonitorTones tells the provider (core.cond) */
};

/* One app's handle to a call (HCALL). */
struct callh {
	struct open *open;
	struct call *call;
	struct list_node open_link;
	struct list_node call_link;
	uint32_t h;
	uint32_t priv;           /* LINECALLPRIVILEGE_OWNER or _MONITOR */
	uint32_t monitor_digits; /* lineMonitorDigits' LINEDIGITMODE_s */
	enum life life;          /* ALIVE, or DEAD once deallocated */
	unsigned refs;           /* its handle's, and whoever holds it */
};

enum req_state {
	REQ_CALLING = 0, /* the TSPI function has not returned yet */
	REQ_PENDING,     /* waiting for ASYNC_COMPLETION */
};

enum req_kind {
	REQ_GENERIC = 0,
	REQ_CREATE, /* creates calls: lineMakeCall, lineSetupConference... */
	REQ_INTERNAL_DROP, /* TAPI's own drop (lineClose): no LINE_REPLY */
};

/* An asynchronous request (its id is the app's and the provider's). */
struct req {
	uint32_t id;
	enum req_state state;
	enum req_kind kind;
	bool early; /* completed before the TSPI function returned */
	LONG early_result;
	struct req_frame *frame; /* while in its TSPI call (op.c) */
	struct app *app;   /* NULL once cancelled or for internal requests */
	struct open *open; /* open it was issued through, NULL when detached */
	uint32_t guard;    /* handle that must be alive for the reply */
	DWORD_PTR cbinst;
	struct call *calls[2]; /* REQ_CREATE: the calls it creates (refs) */
	LPHCALL lphcalls[2];   /* REQ_CREATE: app memory for their handles */
	unsigned ncalls;
	struct list_node app_link;
	struct list_node open_link;
};

struct core {
	struct ulock lock; /* util/ulock.h: taken by every call and event */
	pthread_mutex_t ctl;
	struct htab handles; /* apps, opens, tlines, calls, call handles */
	struct htab reqs;    /* requests by id (31-bit, positive) */
	/* freed objects kept for reuse (util/pool.h) */
	struct pool call_pool, callh_pool, req_pool, early_pool;
	struct list_node apps; /* struct app.link */
	size_t napps;
	/* Session: providers and devices; started and ended with ctl held
	 * (core.lock too for what others read), devices added below */
	bool session;
	struct provider *provs;
	size_t nprovs;
	/* devices never move (tlines point to them); the worker appends the
	 * ones providers create (LINE_CREATE) under core.lock */
	struct device **devs;
	size_t ndevs;
	/* Worker: provider calls decided inside provider callbacks. */
	pthread_t worker;
	bool worker_running;
	bool worker_stop;
	bool worker_busy;
	struct ucond cond; /* broadcast on worker, device and call changes */
	struct ucond worker_cond;   /* work queued for the worker, or stop */
	struct list_node work;      /* struct call.work, or line jobs */
	struct list_node line_work; /* tlines to force-close */
	bool removals;              /* some device has remove_pending */
	struct list_node creations; /* struct creation: LINE_CREATE queued */
	/* app-initiated provider calls, line opens and closes in progress */
	unsigned inflight;
	/* Live counters (tapix_live_get). */
	size_t n_opens, n_tlines, n_calls, n_callhs;
};

extern struct core core;

/* ---- core.c: lock, session, devices -------------------------------------- */

#ifdef TAPIX_LOCK_CHECK
void core_lock(void);
void core_unlock(void);
#else
/* Inline: every API call and provider event takes the lock. */
static inline void core_lock(void)
{
	ulock_lock(&core.lock);
	log_hold(); /* lines logged meanwhile wait (util/loghold.h) */
}

static inline void core_unlock(void)
{
	ulock_unlock(&core.lock);
	log_release();
}
#endif

/*
 * Lock checks (debug and sanitizer builds define TAPIX_LOCK_CHECK): the
 * lock knows which thread holds it. Every _locked function begins with
 * core_assert_locked(); whatever calls out of the core (a provider, an
 * application's callback or descriptor) asserts core_assert_unlocked().
 * A failed check names the function and aborts, as assert() does.
 */
#ifdef TAPIX_LOCK_CHECK
bool core_lock_held(void);
_Noreturn void core_lock_violation(const char *fn, const char *what);
#define core_assert_locked()                                             \
	do {                                                             \
		if (!core_lock_held())                                   \
			core_lock_violation(__func__,                    \
			                    "needs the core lock held"); \
	} while (0)
#define core_assert_unlocked()                                              \
	do {                                                                \
		if (core_lock_held())                                       \
			core_lock_violation(__func__,                       \
			                    "must not hold the core lock"); \
	} while (0)
#else
#define core_assert_locked()   ((void)0)
#define core_assert_unlocked() ((void)0)
#endif

/*
 * core.cond, always through these two (its waiters are counted: a change
 * nobody waits for costs no broadcast, util/ulock.h).
 */
static inline void core_wait_locked(void)
{
	core_assert_locked();
	ucond_wait(&core.cond, &core.lock);
}

static inline void core_wake_locked(void)
{
	core_assert_locked();
	ucond_broadcast(&core.cond);
}

/* Starts the session if this is the first registration; ctl held. */
LONG core_session_start_ctl(void);
/* Ends the session when no registration is left; ctl held. */
void core_session_stop_ctl(void);
/*
 * spec: tapi-functions.md §0.3 step 1 — with no registration at all in
 * this process every function answers LINEERR_UNINITIALIZED.
 */
LONG core_check_init_locked(void);
/* Returns the device or NULL; sets *err to BADDEVICEID / NODEVICE. */
struct device *core_device_locked(uint32_t id, LONG *err);
uint64_t core_now_ms(void);
/* Runs the provider work queued by callbacks until the queue is empty. */
void core_worker_flush(void);
void core_worker_kick_locked(void);
/* Counts an app-initiated provider call; session stop waits for none. */
static inline void core_inflight_begin_locked(void)
{
	core_assert_locked();
	core.inflight++;
}

static inline void core_inflight_end_locked(void)
{
	core_assert_locked();
	if (--core.inflight == 0)
		core_wake_locked();
}

/*
 * Keeps the session across an operation that lets go of the core lock
 * between provider calls (a line's open or close): the session's stop
 * waits for it as for a provider call in flight. Paired, core lock held.
 */
static inline void core_session_hold_locked(void)
{
	core_assert_locked();
	core_inflight_begin_locked();
}

static inline void core_session_release_locked(void)
{
	core_assert_locked();
	core_inflight_end_locked();
}
/* Queues the forced close of @tl (provider LINE_CLOSE) for the worker. */
void core_force_close_later_locked(struct tline *tl);

/* ---- provider.c: loading and calling providers --------------------------- */

LONG provider_load(struct provider *p, const char *name, const char *path,
                   const char *search_dir);
size_t provider_live_objects(void);
void provider_unload(struct provider *p);
/* Around every call into @p (inline: one per request and per close). */
static inline void provider_enter(struct provider *p)
{
	/* spec: DESIGN.md — no call into a provider with a core lock held */
	core_assert_unlocked();
	if (p->nonreentrant)
		log_mutex_lock(&p->serial);
}

static inline void provider_leave(struct provider *p)
{
	core_assert_unlocked();
	if (p->nonreentrant)
		log_mutex_unlock(&p->serial);
}
void core_async_completion(DRV_REQUESTID id, LONG result);

/*
 * The request whose TSPI function this thread is in (op.c, from handing
 * it to the provider until it settles), so that the provider's completion
 * of it from inside that function, the common case, is noted here without
 * a round trip of the core lock (core_async_completion); the request
 * takes it when it settles (req_note_completion_locked), where it would
 * have been read anyway (tspi.md §4). The request points at it meanwhile
 * (req->frame), so that a completion on another thread finds the first
 * and counts as the second. Nested calls chain through @prev.
 */
struct req_frame {
	uint32_t id;
	bool done; /* atomic: the provider completed it meanwhile (@result) */
	LONG result;
	struct req_frame *prev;
};
extern _Thread_local struct req_frame *core_req_frame
	__attribute__((tls_model("initial-exec")));

/* req_note_completion_locked's part for other than a first completion
 * in the TSPI call. */
void req_complete_early_locked(struct req *req, LONG result);

/* Notes a completion of @req, which is in its TSPI call or pending. */
static inline void req_note_completion_locked(struct req *req, LONG result)
{
	core_assert_locked();
	if (__builtin_expect(req->state == REQ_CALLING && !req->early, 1)) {
		req->early = true;
		req->early_result = result;
	} else {
		req_complete_early_locked(req, result);
	}
}
void core_line_event(HTAPILINE htl, HTAPICALL htc, DWORD msg, DWORD_PTR p1,
                     DWORD_PTR p2, DWORD_PTR p3);

/* ---- app.c: registrations and message queues ----------------------------- */

/* What lineInitialize(Ex) registers (its arguments, checked). */
struct app_reg {
	uint32_t mode;             /* LINEINITIALIZEEXOPTION_ value */
	LINECALLBACK cb;           /* USEHIDDENWINDOW */
	const char *name, *module; /* NULL: the program's name */
	uint32_t api_version;
	int portfd; /* USECOMPLETIONPORT */
	DWORD_PTR port_key;
};

/*
 * Registers an app (starting the session with the first one): its handle
 * into *@out, the device count into *@num_devs and its event descriptor
 * (USEEVENT, else -1) into *@evfd. Returns 0 or LINEERR_ (outputs
 * untouched). Takes core.ctl and the core lock.
 */
LONG app_register(const struct app_reg *reg, HLINEAPP *out, DWORD *num_devs,
                  int *evfd);
/*
 * lineShutdown's rules (spec: termination.md §6): the handle dies at
 * once, each open is closed by lineClose's rules, pending requests are
 * cancelled, nothing is delivered after it returns; the last one ends the
 * session. Returns 0, LINEERR_UNINITIALIZED or LINEERR_INVALAPPHANDLE.
 */
LONG app_shutdown(HLINEAPP h);

void app_ref_locked(struct app *app);
void app_unref_locked(struct app *app);
/* The live app of @h, or NULL. Inline, as the two lookups below: every
 * API call looks a handle up. */
static inline struct app *app_get_locked(uint32_t h)
{
	struct app *app;

	core_assert_locked();
	app = htab_get(&core.handles, h, OBJ_APP);
	return app && app->life == LIFE_ALIVE ? app : NULL;
}

/* Whether a queued message may still be delivered (its guard lives). */
static inline bool app_msg_deliverable_locked(const struct msgq_item *it)
{
	core_assert_locked();
	return htab_get(&core.handles, it->guard, 0) != NULL;
}
/* app_post_locked's out of line part: the ring could not grow. */
void app_post_lost_locked(struct app *app, uint32_t msg) __attribute__((cold));

/*
 * Queues one message; never fails (the ring grows or the message drops).
 * Inline: every message passes here, written in place in the ring.
 */
static inline void app_post_locked(struct app *app, uint32_t guard,
                                   uint32_t hdev, uint32_t msg,
                                   DWORD_PTR cbinst, DWORD_PTR p1, DWORD_PTR p2,
                                   DWORD_PTR p3)
{
	struct msgq_item *it;

	core_assert_locked();
	if (app->life != LIFE_ALIVE || app->q.dead)
		return;
	it = msgq_slot_locked(&app->q);
	if (__builtin_expect(!it, 0)) {
		app_post_lost_locked(app, msg);
		return;
	}
	it->m.hDevice = hdev;
	it->m.dwMessageID = msg;
	it->m.dwCallbackInstance = cbinst;
	it->m.dwParam1 = p1;
	it->m.dwParam2 = p2;
	it->m.dwParam3 = p3;
	it->guard = guard;
	it->line = 0;
	msgq_commit_locked(&app->q);
}
/* Pops the next deliverable message; false when none. */
bool app_pop_locked(struct app *app, LINEMESSAGE *out);
/* As app_pop_locked, also giving the handle that guarded it (0: none). */
bool app_pop_guarded_locked(struct app *app, LINEMESSAGE *out, uint32_t *guard);
/* Marks the app dead, wakes waiters and its thread; core lock held. */
void app_kill_locked(struct app *app);
/* While @quiet, a message queued does not signal the USEEVENT descriptor;
 * ending it signals it if messages wait. */
void app_quiet_locked(struct app *app, bool quiet);

/* ---- line.c: opens ------------------------------------------------------- */

/*
 * Waits until @dev has no TSPI_lineOpen, TSPI_lineClose or other claimed
 * provider call in progress, then claims it (struct device.busy; the wait
 * releases the core lock). A claim keeps the device's provider-level open
 * as it is until device_release_locked.
 */
void device_claim_locked(struct device *dev);
void device_release_locked(struct device *dev);

/*
 * A new app-level open of @app in the handle table, CLOSING until lineOpen
 * has set it up, with one reference: its handle's, which its close (or
 * lineOpen's failure) drops after taking the handle out of the table.
 * NULL when memory ran out.
 */
struct open *open_new_locked(struct app *app);
/* Drops a reference to @o; the last one frees it and its line's
 * reference (o->tl). */
void open_unref_locked(struct open *o);
static inline struct open *open_get_locked(uint32_t h)
{
	struct open *o;

	core_assert_locked();
	o = htab_get(&core.handles, h, OBJ_OPEN);
	return o && o->life == LIFE_ALIVE ? o : NULL;
}
/*
 * Opens @dev at the provider (TSPI_lineOpen) unless it is open; *@out is
 * its provider-level open. Core lock held, released during the provider
 * call; the caller has claimed the device (struct device.busy).
 */
LONG tline_open_locked(struct device *dev, struct tline **out);
/*
 * Sends @tl's changed unions (or, with @force, the media union anyway) to
 * the provider: TSPI_lineSetDefaultMediaDetection, whose error it returns,
 * and TSPI_lineSetStatusMessages. The unions are kept only on success.
 * Core lock held, released during the provider calls; device claimed.
 */
LONG tline_push_unions_locked(struct tline *tl, bool force);
/* Recomputes the media and status unions of @tl; returns true if changed. */
bool tline_unions_locked(struct tline *tl, uint32_t *media, uint32_t *lstates,
                         uint32_t *astates);
void tline_ref_locked(struct tline *tl);
void tline_unref_locked(struct tline *tl);
/* Delivers LINE_LINEDEVSTATE to the opens of @tl that enabled @states. */
void tline_post_devstate_locked(struct tline *tl, struct open *except,
                                uint32_t states, DWORD_PTR p2, DWORD_PTR p3);

/* ---- call.c: calls, handles, routing, events ----------------------------- */

struct call *call_new_locked(struct tline *tl);
void call_ref_locked(struct call *call);
void call_unref_locked(struct call *call);
/*
 * A provider function naming @call's HDRVCALL is about to be called with
 * the core unlocked: takes a reference, and TSPI_lineCloseCall waits for
 * the matching call_idle_locked (spec: termination.md §1.1 — nothing names
 * the call after it). Callers that reach the call through a handle that
 * does not hold it (an observer's) check call->closing first.
 */
void call_busy_locked(struct call *call);
/* The provider function returned: drops call_busy_locked's reference. */
void call_idle_locked(struct call *call);
static inline struct callh *callh_get_locked(uint32_t h)
{
	core_assert_locked();
	return htab_get(&core.handles, h, OBJ_CALLH);
}
struct callh *callh_new_locked(struct open *o, struct call *call,
                               uint32_t priv);
/*
 * Ends a handle (the call stays, with or without handles): DEAD, out of
 * the handle table, its open's and its call's lists and counts at once;
 * freed with its last reference (the handle's is dropped here).
 */
void callh_kill_locked(struct callh *ch);
static inline void callh_ref_locked(struct callh *ch)
{
	core_assert_locked();
	ch->refs++;
}
void callh_unref_locked(struct callh *ch);

/*
 * lineGenerateDigits' and lineGenerateTone's bookkeeping: @ch asks; the
 * end-to-end id to give the provider is returned (never 0); LINE_GENERATE
 * with that id, or the call's IDLE, ends it (to @ch only). forget: the
 * provider refused @id, nothing ends.
 */
uint32_t call_generate_begin_locked(struct call *call, struct callh *ch);
/* (0 when out of memory) */
void call_generate_forget_locked(struct call *call, uint32_t id);
/*
 * lineGatherDigits' bookkeeping: a gather of @n digits for @ch into the
 * app's @app_buf, the last of the call's; NULL when out of memory. Its
 * buf and id go to the provider; forget: the provider refused it (it
 * never writes buf then), it is freed.
 */
struct gather *call_gather_begin_locked(struct call *call, struct callh *ch,
                                        LPSTR app_buf, DWORD n);
/*
 * After TSPI_lineGatherDigits returned for gather @id: @ok, it is the
 * provider's (a CANCEL owed since, the call having gone IDLE meanwhile,
 * is told now); else it is forgotten (the app gets the error, and no
 * message). Nothing if it ended meanwhile.
 */
void call_gather_settle_locked(struct call *call, uint32_t id, bool ok);
/*
 * lineMonitorTones' bookkeeping. want: handle @h's list becomes @t (@n
 * entries, 0: none), the one it had copied to *@old first; -ENOMEM.
 * union: the tones the provider is to listen for, into @u (each once,
 * dwAppSpecific its index); false when more than CALL_TONES_MAX.
 */
int call_tones_want_locked(struct call *call, uint32_t h,
                           const LINEMONITORTONE *t, DWORD n,
                           struct tone_want *old);
bool call_tones_union_locked(const struct call *call, LINEMONITORTONE *u,
                             DWORD *nu);
/* The call's media requests, made now if need be; NULL out of memory. */
struct call_media *call_media_locked(struct call *call);
/* Whether @ch is an observer's MONITOR handle (struct app.observer). */
bool callh_is_observer(const struct callh *ch);
/*
 * Whether an app holds a handle to @call that counts for the termination
 * rules (spec: termination.md §3.4, §5.1): any but an observer's MONITOR.
 */
bool call_is_held_locked(const struct call *call);
/*
 * Changes @ch's privilege and the call's counts; returns the
 * LINECALLINFOSTATE_ bits the other holders are told (0: nothing).
 */
uint32_t callh_set_priv_locked(struct callh *ch, uint32_t priv);
/*
 * Frees the observers' handles to @call (it is being closed, no app
 * holds it): each observer gets LINE_CALLSTATE(IDLE) naming the handle,
 * unguarded, so that it lets go of the call too.
 */
void call_release_observers_locked(struct call *call);
uint32_t call_address(const struct call *call);
/* dwParam2 of LINE_CALLSTATE for a handle (CONFERENCED: its parent). */
DWORD_PTR call_state_param2_locked(struct callh *ch);
struct callh *call_handle_of_open_locked(struct call *call, struct open *o);
/* Sends LINE_CALLINFO(@bits) to handle holders not of @except (unless IDLE). */
void call_post_info_locked(struct call *call, struct app *except,
                           uint32_t bits);
/* Announces a call created by @creator's request to the monitors. */
void call_announce_created_locked(struct call *call, struct open *creator);
void call_event_locked(struct call *call, uint32_t msg, DWORD_PTR p1,
                       DWORD_PTR p2, DWORD_PTR p3);
void call_new_from_provider_locked(struct tline *tl, DWORD_PTR hdcall,
                                   DWORD_PTR out_htcall);
/* Queues TSPI_lineCloseCall for the worker (callback context). */
void call_close_later_locked(struct call *call);
/* Closes the call now: core lock NOT held, ref held by the caller. */
void call_close_now(struct call *call);
/* call_close_now from a caller that holds the core lock (one round trip
 * less); it is released on return. */
void call_close_unlock(struct call *call);
void call_discard_early_locked(struct call *call);

/* ---- req.c: asynchronous requests ---------------------------------------- */

struct req *req_new_locked(enum req_kind kind, struct app *app, struct open *o,
                           uint32_t guard);
/* Attaches a call the request creates and where its handle goes. */
void req_add_call_locked(struct req *req, struct call *call, LPHCALL out);
/* Processes the TSPI function's return; returns what the app gets. */
LONG req_after_call_locked(struct req *req, LONG r);
void req_complete_locked(struct req *req, LONG result);
/* Suppresses the reply and any write to app memory. */
void req_cancel_locked(struct req *req);
size_t req_live(void);

/* ---- close.c: lineClose / lineShutdown / forced close ---------------------
 */

/*
 * lineClose of @o: core lock held on entry, released and retaken inside
 * (provider calls are made without it); @o is freed on return.
 */
void close_open_locked(struct open *o);
/*
 * Forced close of every open of @tl (LINE_CLOSE, device removal: @removed
 * also tells older apps LINE_LINEDEVSTATE(REMOVED) first).
 */
void close_tline_forced_locked(struct tline *tl, bool removed);
/* Finishes the removal of @dev (worker): close, LINE_CLOSE, LINE_REMOVE. */
void close_device_removed_locked(struct device *dev);

/* The counts behind tapix_live_get, for the embedded core. */
void core_live_get(struct tapix_live *out);

#endif /* TAPIX_CORE_CORE_H */
