/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the TAPI 3 layer (include/tapix/tapi3.h), a client of the
 * line API like any application: one line API registration per tapix_tapi
 * (USEEVENT), an engine thread that reads its messages, and objects that
 * mirror the line API's call handles.
 *
 * Threads and locks: one mutex per tapix_tapi guards everything below,
 * taken through the application runtime (apprt_lock; session_enter,
 * session_unlock). No line API function is called with it held (debug
 * builds check: src/apprt/apprt.h). A method lets go of it around each
 * call (session_out/session_in, or session_start_unlock/relock for a
 * request, whose LINE_REPLY the engine holds back until its id is known)
 * and looks again afterwards; what the engine's steps need (the drop and
 * deallocation of a released call, a new call's state, a new address's
 * capabilities) is deferred (apprt_defer_locked) and runs once the lock
 * is let go, naming its call object by a pin of its own. Methods wait on
 * the condition variable, which releases the lock. Application callbacks
 * run on the runtime's delivery thread (apprt_post_locked) with no lock
 * held, one event at a time, in the order queued.
 *
 * References: a call object counts the application's references and its
 * events' (refs), and separately what the layer holds on it (pins:
 * pending requests naming it; for a conference parent, its members). The
 * tapix_tapi's memory is counted by the application (until shutdown),
 * each call object and each event.
 */
#ifndef TAPIX_TAPI3_T3_H
#define TAPIX_TAPI3_T3_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <tapix/tapi3.h>

#include "apprt/apprt.h"
#include "util/list.h"

#define T3_TIMEOUT_MS      120000u /* tapi3-call-control.md §1: two minutes */
#define T3_RELEASE_WAIT_MS 10000u  /* §1: wait for IDLE after the drop */
#define T3_API_LOW         0x00020000u
#define T3_API_HIGH        0x00020002u

struct tapix_address {
	struct tapix_tapi *t;
	uint32_t dev;
	uint32_t api;        /* negotiated API version; 0: unusable */
	char *name;          /* LINEDEVCAPS line name */
	char *dialable;      /* LINEADDRESSCAPS address */
	uint32_t media;      /* TAPIMEDIATYPE_ bits */
	uint32_t line_media; /* the LINEMEDIAMODE_ bits of the line */
	HLINE plain;         /* opened on demand for CreateCall's calls, or 0 */
};

/* RegisterCallNotifications: one line open. */
struct reg {
	struct list_node link; /* tapix_tapi.regs */
	int32_t cookie;
	struct tapix_address *a;
	HLINE h;
	bool opening; /* its lineOpen runs: h not known yet, but its calls
	                 (LINE_APPNEWCALL) carry the cookie */
	intptr_t cbinst;
};

enum consult_kind {
	CONSULT_NONE,
	CONSULT_XFER, /* Transfer: Finish completes it */
	CONSULT_CONF, /* Conference: Finish adds it */
};

struct tapix_call {
	struct list_node link; /* tapix_tapi.calls */
	struct tapix_tapi *t;  /* holds a reference on t */
	struct tapix_address *a;
	unsigned refs;  /* the application's and its events' */
	unsigned pins;  /* pending requests naming it; consultation calls */
	HCALL hcall;    /* the line API handle, 0 if none (yet, or any more) */
	HCALL new_h;    /* written by the line API when a creating request
	                   succeeds; moved to hcall at its LINE_REPLY */
	bool binding;   /* a creating request will write new_h */
	HLINE hline;    /* the open the call is on */
	char *dest;     /* CreateCall's destination, or NULL */
	uint32_t media; /* LINEMEDIAMODE_ bits for lineMakeCall */
	CALL_STATE state;   /* last state reported (or that would have been) */
	uint32_t t2;        /* last LINECALLSTATE_ seen, 0 none */
	bool was_connected; /* for LINEDISCONNECTMODE_UNKNOWN (§3) */
	bool connecting;    /* Connect's request is on its way */
	bool local_drop;    /* our Disconnect: its cause wins (§3, §5.3) */
	CALL_STATE_EVENT_CAUSE local_cause;
	CALL_STATE_EVENT_CAUSE last_cause; /* of the CS_DISCONNECTED sent */
	CALL_PRIVILEGE priv;
	intptr_t cbinst;
	bool hidden;            /* a conference parent: no object for the app */
	struct tapix_call *hub; /* the conference parent it belongs to */
	struct tapix_call
		*orig; /* a consultation call: its original (pinned) */
	enum consult_kind consult; /* what Finish does */
	bool released;             /* the application let go */
	bool drop_sent;            /* released: our drop is out */
	bool give_up;              /* released: the drop failed, do not wait */
	unsigned members;          /* a conference parent: its members */
	struct timespec deadline;  /* released: deallocate by then anyway */
	struct tapix_event *final_ev; /* reserved for the CS_DISCONNECTED */
	/* the terminals selected on its audio streams, [TD_CAPTURE] and
	 * [TD_RENDER]: each selection holds a reference on its terminal */
	struct tapix_terminal *term[2];
};

/* What the media thread owns while a terminal runs (terminal.c). */
struct term_io {
	int fd;        /* the call's wave/out (playback) or wave/in */
	int file;      /* the WAV file being played or recorded, or -1 */
	uint32_t rate; /* the call's, TAPIXWAVEID.dwRate */
	/* playback */
	size_t item;   /* the play list's file being played */
	uint64_t left; /* its data bytes not read yet */
	uint8_t buf[640];
	size_t off, len; /* what of buf is still to be sent */
	/* recording */
	uint64_t written; /* data bytes in the file */
	bool has_carry;   /* half a sample read, kept for the next read */
	uint8_t carry;
};

enum term_kind {
	TERM_PLAY,   /* CLSID_FilePlaybackTerminal, TD_CAPTURE */
	TERM_RECORD, /* CLSID_FileRecordingTerminal, TD_RENDER */
};

struct tapix_terminal {
	struct list_node mlink; /* tapix_tapi.media while in_media */
	struct tapix_tapi *t;   /* holds a reference on t */
	enum term_kind kind;
	unsigned refs; /* the application's, its events', a selection's */
	struct tapix_call *call; /* selected on, or NULL (the call takes
	                            its selections off before it goes) */
	char **files;            /* playback: the play list (nfiles) */
	size_t nfiles;
	char *path; /* recording: the file name, or NULL */
	TERMINAL_MEDIA_STATE state;
	bool busy;     /* a Start is opening the media: others wait */
	bool in_media; /* the media thread has it (io is the thread's) */
	bool stop_req; /* the media thread is to end it, with: */
	FT_STATE_EVENT_CAUSE stop_cause;
	HRESULT stop_error;
	struct term_io io;
};

struct tapix_event {
	struct list_node link; /* tapix_tapi.queue while queued */
	struct tapix_tapi *t;  /* holds a reference on t */
	unsigned refs;
	uint32_t type;
	struct tapix_call *call;  /* holds a reference (refs) on it; or NULL */
	TAPIOBJECT_EVENT tapiobj; /* TE_TAPIOBJECT: what happened */
	struct tapix_address *address; /* TE_TAPIOBJECT: to which address */
	CALL_STATE state;
	CALL_STATE_EVENT_CAUSE cause;
	CALL_NOTIFICATION_EVENT cne;
	intptr_t cbinst;
	struct tapix_terminal *term; /* TE_FILETERMINAL: holds a reference */
	TERMINAL_MEDIA_STATE tms;
	FT_STATE_EVENT_CAUSE ftec;
	HRESULT error;
	unsigned char digit;  /* TE_DIGITEVENT */
	uint32_t mode;        /* TE_DIGITEVENT: its LINEDIGITMODE_ */
	uint32_t termination; /* TE_GENERATEEVENT: LINEGENERATETERM_ */
	uint32_t tick;        /* both */
};

/* A line API request a method (or the layer) waits for or follows. */
enum pend_kind {
	PEND_PLAIN,
	PEND_MAKECALL, /* Connect: a refusal ends the call (§5.1) */
	PEND_DROP,     /* the layer's own drop (BUSY, release): nobody waits */
	/*
	 * Transfer/Conference's setup of a consultation call: c[0] the
	 * original, c[1] a conference call (the one it creates if new_hub),
	 * c[2] the consultation call. Its method does what follows the
	 * reply; a reply that comes after the method gave up
	 * (TAPI_E_TIMEOUT) is followed by the engine (§1: the request goes
	 * on), see callobj_on_reply_locked.
	 */
	PEND_CONSULT,
	/* Finish(FM_ASCONFERENCE) of a transfer: c[0] the original, c[1]
	 * the consultation call, c[2] the conference call it creates; a late
	 * reply is followed as PEND_CONSULT's is */
	PEND_CONF_XFER,
};

struct pend {
	struct list_node link; /* tapix_tapi.pends */
	struct tapix_tapi *t;
	struct apprt_req rq; /* in the runtime's table while pending */
	enum pend_kind kind;
	struct tapix_call *c[3]; /* pinned; those binding get new_h */
	bool waited;             /* a method waits for it */
	bool done;
	LONG result;
	enum consult_kind consult; /* PEND_CONSULT: what c[2] becomes */
	bool new_hub;              /* PEND_CONSULT: c[1] is created by it */
};

struct tapix_tapi {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* replies, call states, the event queue */
	unsigned refs;       /* the application's, calls', events' */
	bool down;           /* shut down: no line API any more */
	bool reinit;         /* LINEDEVSTATE_REINIT came: TE_REINIT told */
	bool freeing;        /* the last reference went: being freed */
	struct apprt rt;     /* the registration, the engine, the delivery */
	int ev_fd; /* eventfd (semaphore): one count per queued event */
	bool stop;
	bool deliver_on; /* the delivery thread started (holds a reference) */
	tapix_tapi_event_cb cb;
	void *cb_arg;
	/* callback mode: delivers the queue's first event to cb, posted
	 * again while events wait (one post: one event at a time, in order) */
	struct apprt_post pump;
	struct tapix_event *pump_ev; /* the one being delivered */
	tapix_tapi_event_cb pump_cb; /* and to whom */
	void *pump_arg;
	uint32_t filter;
	uint32_t timeout_ms;
	size_t naddr;
	struct tapix_address **addrs; /* each lives as long as the object */
	int32_t next_cookie;
	struct list_node regs;  /* struct reg */
	struct list_node calls; /* struct tapix_call, hidden ones too */
	struct list_node pends; /* struct pend */
	struct list_node queue; /* struct tapix_event, undelivered */
	/* the media thread (terminal.c): started at the first Start,
	 * joined at shutdown */
	struct list_node media; /* struct tapix_terminal, running */
	pthread_t media_thread;
	bool media_on;   /* started (joinable) */
	bool media_quit; /* shutdown: end once media is empty */
	int media_wake;  /* eventfd: media changed; -1 until started */
};

/* ---- session.c: the tapix_tapi, its events and requests ----------------- */

/* Drops a reference on @t (see session_unlock for the last one). */
void session_unref_locked(struct tapix_tapi *t);

/*
 * Unlocks @t, and frees it if no reference is left (the application shut
 * it down and released everything): then the caller held none either, so
 * nothing may touch @t afterwards. Every entry point unlocks with it.
 */
void session_unlock(struct tapix_tapi *t);

/* A deadline @ms from now (CLOCK_MONOTONIC, as the condition uses). */
void session_deadline(struct timespec *ts, uint32_t ms);

/* Queues @ev (the queue takes the caller's reference) if the filter
 * admits its type, else releases it. */
void session_post_locked(struct tapix_tapi *t, struct tapix_event *ev);

/* A new event (one reference) of @t about no call, or NULL. */
struct tapix_event *session_event_alloc_locked(struct tapix_tapi *t,
                                               uint32_t type);

/* A new event (one reference) about @c, or NULL when memory ran out. */
struct tapix_event *session_event_new_locked(struct tapix_call *c,
                                             uint32_t type);

/* Releases an event reference (and the event with the last one). */
void session_event_unref_locked(struct tapix_event *ev);

/*
 * A record for a request about to start, of @kind, pinning the calls
 * given (made before the line API function is called, so that running
 * out of memory never leaves a request unfollowed); NULL when memory ran
 * out.
 */
struct pend *session_pend_new_locked(struct tapix_tapi *t, enum pend_kind kind,
                                     struct tapix_call *c0,
                                     struct tapix_call *c1,
                                     struct tapix_call *c2);

/*
 * Lets go of @t's lock to start @p's request (the caller then calls the
 * line API function): @p is kept for the caller (waited) and a LINE_REPLY
 * read meanwhile is held back until session_start_relock.
 */
void session_start_unlock(struct tapix_tapi *t, struct pend *p);

/* Takes @t's lock back after @p's line API function returned @r. */
void session_start_relock(struct tapix_tapi *t, struct pend *p, LONG r);

/* Lets go of @t's lock for a line API call that starts no request,
 * keeping @t (a reference); session_in takes both back. */
void session_out(struct tapix_tapi *t);
void session_in(struct tapix_tapi *t);

/* Records line API action @fn on handle @h, run once the lock is let go
 * (apprt_defer_locked, no completion); false when memory ran out. */
bool session_defer_locked(struct tapix_tapi *t, apprt_act_fn *fn, HCALL h);

/*
 * Waits for @p's LINE_REPLY; returns its result (a LINEERR_ or 0) and
 * frees @p, or TAPI_E_TIMEOUT / TAPI_E_NOT_INITIALIZED as *@hr (then @p is
 * left to the engine). Returns true when the reply came.
 */
bool session_wait_reply_locked(struct tapix_tapi *t, struct pend *p,
                               LONG *result, HRESULT *hr);

/*
 * Follows @p, whose line API function returned @r (session_start_relock
 * came first): a refusal (or 0) is the result at once, a request id is
 * waited for (session_wait_reply_locked).
 */
bool session_request_locked(struct tapix_tapi *t, struct pend *p, LONG r,
                            LONG *result, HRESULT *hr);

/* The open @h was closed: its calls' requests will get no reply. */
void session_abort_pends_locked(struct tapix_tapi *t, HLINE h);

/* Locks @t for an entry point; false (and unlocked) after shutdown. */
bool session_enter(struct tapix_tapi *t);

/*
 * The end of a method that session_enter let in: unlocks @t and gives
 * @hr, except that a failure once @t has been shut down is the
 * shutdown's, TAPI_E_NOT_INITIALIZED. (A shutdown that came while the
 * method was out of the lock voids the handles it was using: the line
 * API then refuses them, and that refusal is not the method's own.)
 */
HRESULT session_leave(struct tapix_tapi *t, HRESULT hr);

/* @a is a usable address of @t's. */
bool session_own_address(const struct tapix_tapi *t,
                         const struct tapix_address *a);

/* Wakes the engine (a new release deadline). */
void session_wake(struct tapix_tapi *t);

/* ---- callobj.c: call objects -------------------------------------------- */

/* A new call object on @a (one reference, for the caller), or NULL. */
struct tapix_call *callobj_new_locked(struct tapix_tapi *t,
                                      struct tapix_address *a);

/* The object of line API handle @h, or NULL. */
struct tapix_call *callobj_find_locked(struct tapix_tapi *t, HCALL h);

/* LINE_APPNEWCALL: a call offered to (or handed to) registration @r. */
void callobj_on_new_locked(struct tapix_tapi *t, struct reg *r, HCALL h,
                           uint32_t privilege);

/* LINE_CALLSTATE for @c. */
void callobj_on_state_locked(struct tapix_call *c, uint32_t t2, uint32_t mode);

/* After a LINE_REPLY: bindings done, pins gone; what follows for @p. */
void callobj_on_reply_locked(struct pend *p);

/* The line open @h is gone: its calls' handles are void. */
void callobj_line_gone_locked(struct tapix_tapi *t, HLINE h);

/* Pins and unpins (pending requests, conference members). */
void callobj_pin_locked(struct tapix_call *c);
void callobj_unpin_locked(struct tapix_call *c);

/* Drops a reference of the application's (or an event's). */
void callobj_unref_locked(struct tapix_call *c);

/* Released calls whose wait for IDLE ran out: finished now. Returns the
 * nearest deadline still pending in *@next (tv_sec 0: none). */
void callobj_expire_locked(struct tapix_tapi *t, struct timespec *next);

/* Shutdown: every call's line API handle is void, pending waits end. */
void callobj_shutdown_locked(struct tapix_tapi *t);

/* Frees a request record (unpinning its calls). */
void session_pend_free_locked(struct pend *p);

/* ---- terminal.c: file terminals and the media thread ------------------- */

/* Drops a reference on @term (an event's, a selection's, the app's). */
void term_unref_locked(struct tapix_terminal *term);

/* @c ended (CS_DISCONNECTED, or its handle is void): its running
 * terminals stop (FTEC_NORMAL), without waiting. */
void term_call_ended_locked(struct tapix_call *c);

/* @c's last reference went: its terminals are taken off it. */
void term_unselect_all_locked(struct tapix_call *c);

/*
 * Shutdown (no lock held, the engine stopped): every running terminal is
 * ended, and the media thread joined.
 */
void term_shutdown(struct tapix_tapi *t);

#endif /* TAPIX_TAPI3_T3_H */
