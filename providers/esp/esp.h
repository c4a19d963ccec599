/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp internals: the emulated switch's lines, calls, jobs and the one lock
 * that guards them. esp.c holds the provider's lifecycle and lines,
 * switch.c the call model and the TSPI call functions, info.c the
 * capability and call-information structures.
 *
 * Threads: esp.lock guards everything here. TSPI functions and the timer
 * thread take it and call TAPI back with it held (allowed: TAPI never calls
 * a provider from its callbacks), which also keeps callbacks serialized.
 * Requests without delay complete inside the TSPI function.
 */
#ifndef TAPIX_ESP_H
#define TAPIX_ESP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tsp.h"

#define ESP_EXPORT      TSP_EXPORT
#define ESP_MAX_LINES   4096
#define ESP_UUI_MAX     256
#define ESP_MAX_RATE    64000
#define ESP_MAX_CONF    8 /* participants of one conference */
#define ESP_MAX_BRIDGES 16
#define ESP_MEDIA                                                 \
	(LINEMEDIAMODE_UNKNOWN | LINEMEDIAMODE_INTERACTIVEVOICE | \
	 LINEMEDIAMODE_AUTOMATEDVOICE | LINEMEDIAMODE_DATAMODEM | \
	 LINEMEDIAMODE_G3FAX)
#define ESP_CALLSTATES 0x0000FFFFu /* esp can report every defined state */

enum script {
	S_DIALTONE, /* no destination: stays in DIALTONE */
	S_LINE,     /* another esp line */
	S_ANSWER,
	S_BUSY,
	S_NOANSWER,
	S_REJECT,
	S_HANGUP,
	S_BADADDR,
	S_UNAVAIL, /* the request itself fails, asynchronously */
	S_OUTAGE,  /* the line goes out of service: esp sends LINE_CLOSE */
	S_REMOVE,  /* the line is removed for good: esp sends LINE_REMOVE */
	S_CREATE,  /* fails as S_UNAVAIL; a spare line is announced */
	S_DEAF,    /* connects; a drop completes but the call never goes
	              IDLE (it stays until TAPI closes it) */
};

enum op {
	OP_MAKECALL,
	OP_ANSWER,
	OP_ACCEPT,
	OP_DROP,
	OP_SEND_UUI,
	OP_RELEASE_UUI,
	OP_HOLD,
	OP_UNHOLD,
	OP_TRANSFER,
	OP_REDIRECT,
	OP_DIAL,
	OP_SETUP_CONF,
	OP_PREPARE_CONF,
	OP_ADD_CONF,
	OP_REMOVE_CONF,
	OP_SETUP_XFER,
	OP_COMPLETE_XFER,
	OP_SCRIPT_CONNECT, /* answer:MS fires */
	OP_SCRIPT_HANGUP,  /* hangup:MS fires */
};

struct line {
	unsigned idx;
	DWORD dev_id;
	DWORD version; /* committed by TSPI_lineOpen */
	char address[16];
	unsigned bridge; /* bridged appearance group + 1, or 0 */
	bool removed;    /* gone until the next session */
	bool spare;      /* not a device (yet): spare_lines */
	bool announced;  /* a spare line's LINE_CREATE was sent */
	bool open;
	HTAPILINE htl;
	LINEEVENT ev;
	DWORD media_detect;
	DWORD line_states;
	unsigned ncalls;
};

/*
 * lineRedirect's addresses of a call, made only for a call a redirect
 * touches (few are: held calls do not carry them). On the caller, the
 * address that redirects it while the new offer is made (then cleared)
 * and where it was redirected to; on the call offered there, who
 * redirected it.
 */
struct esp_redir {
	char redirecting[16];
	char redirection[32];
};

struct call {
	uint32_t h;        /* HDRVCALL value: slot index + generation */
	DWORD digit_modes; /* lineMonitorDigits' modes, told to tm once made */
	struct line *line;
	HTAPICALL ht;
	bool announced;          /* TAPI knows it: events may be sent */
	unsigned char redirects; /* times this caller's call was redirected */
	DWORD state, mode, media, bearer, origin;
	time_t state_time;
	/*
	 * Relations, by handle: the far end on an esp line; for a bridged
	 * station, the caller (and the caller has 'bridged' set); the
	 * conference a participant or consultation call belongs to; a
	 * conference's pending consultation call.
	 */
	uint32_t peer;
	bool bridged;
	bool is_conf;
	uint32_t conf;
	uint32_t consult;
	/* transfer: the consultation call of a call, and the reverse */
	uint32_t xfer_consult;
	uint32_t xfer_of;
	/* LINEDISCONNECTMODE_ the far end hears when this call drops now */
	DWORD drop_hint;
	enum script script;
	unsigned script_ms;
	unsigned slow_ms;
	char caller[16];
	char called[32];
	struct tsp_uui uui; /* received: shown in LINECALLINFO, and waiting */
	struct tcall *tm;   /* its media once asked for (media.c), or NULL */
	struct esp_redir *redir; /* lineRedirect's addresses, or NULL */
};

struct tcall;
struct media;

struct job {
	struct job *prev, *next;
	struct timespec due;
	enum op op;
	uint32_t call;
	uint32_t call2;    /* OP_ADD_CONF, *_XFER: the consultation call */
	uint32_t call3;    /* OP_COMPLETE_XFER: the new conference, or 0 */
	DWORD arg;         /* OP_DROP: the hint; OP_COMPLETE_XFER: the mode */
	DRV_REQUESTID req; /* 0 for script events */
	/* OP_MAKECALL run at once: the line its destination names (as
	 * parsed under the same hold of esp.lock); NULL: looked up */
	struct line *target;
	char dest[32]; /* OP_DIAL, OP_TRANSFER, OP_REDIRECT */
	DWORD uui_len;
	uint8_t uui[ESP_UUI_MAX];
};

/*
 * esp.lock: a lock on a Linux futex (U. Drepper, "Futexes Are Tricky",
 * mutex 2): uncontended, taking it is one compare-and-exchange and letting
 * it go one exchange, where a pthread mutex costs a few dozen
 * instructions each way. The timer thread, its only waiter, sleeps on a
 * sequence number that job_add and the shutdown move on. Under
 * ThreadSanitizer each lock and unlock is told to the sanitizer.
 */
struct esp_lock {
	uint32_t
		state; /* atomic: 0 free, 1 held, 2 held and maybe waited for */
};

struct esp_wake {
	uint32_t seq;     /* atomic: moved on by timer_wake (esp.c) */
	uint32_t waiting; /* the timer thread sleeps on seq (under lock) */
};

struct esp {
	struct esp_lock lock;
	struct esp_wake wake;
	pthread_t thread;
	bool running;
	bool stop;
	/* configuration (TSPIX_providerConfig), defaults at session start */
	unsigned cfg_lines;
	unsigned cfg_spare; /* lines created later (LINE_CREATE) */
	unsigned cfg_delay_ms;
	unsigned cfg_first;
	unsigned cfg_nbridges;
	char cfg_bridges[ESP_MAX_BRIDGES][128];
	/* session */
	DWORD perm_id;
	DWORD dev_base;
	ASYNC_COMPLETION complete;
	LINEEVENT create_proc; /* announces spare lines */
	HPROVIDER hprov;
	unsigned nenum;  /* lines enumerated: dev_base + index */
	unsigned nlines; /* and the spare ones after them */
	unsigned first;  /* line 0's address (line_by_address) */
	struct line *lines;
	struct tsp_htab calls;
	struct job jobs;     /* sentinel of the due-ordered job list */
	struct media *media; /* started by the first call that asks (media.c) */
	size_t live_calls, live_jobs, live_lines;
	/* freed calls kept for reuse: no calloc per call */
	struct call *spare_calls[64];
	unsigned nspare_calls;
	/* counters for tests (esp_test_counters) */
	unsigned long closecalls, bad_handles, created, unclosed;
};

extern struct esp esp;

#if defined(__SANITIZE_THREAD__)
#define ESP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ESP_TSAN 1
#endif
#endif
#ifdef ESP_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* esp.c: the contended halves of esp_lock and esp_unlock */
void esp_lock_slow(uint32_t seen);
void esp_unlock_wake(void);

static inline void esp_lock(void)
{
	uint32_t seen = 0;

#ifdef ESP_TSAN
	__tsan_mutex_pre_lock(&esp.lock, 0);
#endif
	if (__builtin_expect(!__atomic_compare_exchange_n(
				     &esp.lock.state, &seen, 1, false,
				     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED),
	                     0))
		esp_lock_slow(seen);
#ifdef ESP_TSAN
	__tsan_mutex_post_lock(&esp.lock, 0, 0);
#endif
}

static inline void esp_unlock(void)
{
#ifdef ESP_TSAN
	__tsan_mutex_pre_unlock(&esp.lock, 0);
#endif
	/* 2: a thread may sleep on it, wake one */
	if (__builtin_expect(__atomic_exchange_n(&esp.lock.state, 0,
	                                         __ATOMIC_RELEASE) == 2,
	                     0))
		esp_unlock_wake();
#ifdef ESP_TSAN
	__tsan_mutex_post_unlock(&esp.lock, 0);
#endif
}

/* esp.c */
static inline struct call *call_get(uint32_t h)
{
	return tsp_htab_get(&esp.calls, h);
}
struct call *call_of(HDRVCALL hd);
struct line *line_of(HDRVLINE hd);
struct line *line_by_dev(DWORD dev);
struct line *line_by_address(const char *addr);
struct call *call_new(struct line *line);
void call_free(struct call *c);
struct call *call_at(uint32_t i); /* slot i (0 .. calls.used-1), or NULL */
struct job *job_add(unsigned ms, enum op op, uint32_t call, DRV_REQUESTID req);
void cancel_jobs(uint32_t call);
void cancel_scripts(uint32_t call);

/* media.c: a call's media (esp.lock held) */
void esp_media_state(struct call *c); /* after c->state changed */
void esp_media_free(struct call *c);
void esp_media_stop(void); /* at shutdown, every call freed */

/* switch.c */
void run_job(struct job *j);
void close_call(struct call *c);
void line_outage(struct line *l, DRV_REQUESTID req, bool removed);
/* Announces the next spare line (LINE_CREATE); false if none is left. */
bool line_announce_spare(void);

#endif /* TAPIX_ESP_H */
