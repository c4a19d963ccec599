/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp: the emulated switch provider. Lines 0..N-1 have addresses "100",
 * "101", ...; dialing another line's address offers the call there, and
 * scripted far ends (answer, answer:MS, busy, noanswer, reject, hangup:MS,
 * unavail, outage, with an optional slow:MS/ prefix) make every call
 * progress a test needs.
 * Includes only tspi.h: it knows nothing of the core.
 *
 * Threads: one lock guards all provider state; TSPI functions and the timer
 * thread take it and call TAPI back with it held (allowed: TAPI never calls
 * a provider from its callbacks), which also keeps callbacks serialized.
 * Requests without delay complete inside the TSPI function.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tspi.h>

#define ESP_EXPORT    __attribute__((visibility("default")))
#define ESP_MAX_LINES 4096
#define ESP_UUI_MAX   256
#define ESP_MAX_RATE  64000
#define ESP_MEDIA                                                 \
	(LINEMEDIAMODE_UNKNOWN | LINEMEDIAMODE_INTERACTIVEVOICE | \
	 LINEMEDIAMODE_AUTOMATEDVOICE | LINEMEDIAMODE_DATAMODEM | \
	 LINEMEDIAMODE_G3FAX)
#define ESP_CALLSTATES                                                         \
	(LINECALLSTATE_IDLE | LINECALLSTATE_OFFERING |                         \
	 LINECALLSTATE_ACCEPTED | LINECALLSTATE_DIALTONE |                     \
	 LINECALLSTATE_DIALING | LINECALLSTATE_RINGBACK | LINECALLSTATE_BUSY | \
	 LINECALLSTATE_CONNECTED | LINECALLSTATE_PROCEEDING |                  \
	 LINECALLSTATE_DISCONNECTED | LINECALLSTATE_UNKNOWN)

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
};

enum op {
	OP_MAKECALL,
	OP_ANSWER,
	OP_ACCEPT,
	OP_DROP,
	OP_SCRIPT_CONNECT, /* answer:MS fires */
	OP_SCRIPT_HANGUP,  /* hangup:MS fires */
};

struct line {
	unsigned idx;
	DWORD dev_id;
	DWORD version; /* committed by TSPI_lineOpen */
	char address[16];
	bool open;
	HTAPILINE htl;
	LINEEVENT ev;
	DWORD media_detect;
	DWORD line_states;
	unsigned ncalls;
};

struct call {
	uint32_t h; /* HDRVCALL value: slot index + generation */
	struct line *line;
	HTAPICALL ht;
	bool announced; /* TAPI knows it: events may be sent */
	DWORD state, mode, media, bearer, origin;
	time_t state_time;
	uint32_t peer; /* handle of the other end on an esp line, or 0 */
	enum script script;
	unsigned script_ms;
	unsigned slow_ms;
	char caller[16];
	char called[32];
	uint8_t *uui; /* received user-user information, or NULL */
	DWORD uui_len;
};

struct job {
	struct job *prev, *next;
	struct timespec due;
	enum op op;
	uint32_t call;
	DRV_REQUESTID req; /* 0 for script events */
	uint8_t uui[ESP_UUI_MAX];
	DWORD uui_len;
};

struct slot {
	struct call *call;
	uint32_t gen;
	uint32_t next;
};

#define IDX_BITS 20u
#define IDX_MASK ((1u << IDX_BITS) - 1)
#define RESERVE  1024u

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	bool stop;
	/* configuration (TSPIX_providerConfig), reset at shutdown */
	unsigned cfg_lines;
	unsigned cfg_delay_ms;
	unsigned cfg_first;
	/* session */
	DWORD perm_id;
	DWORD dev_base;
	ASYNC_COMPLETION complete;
	unsigned nlines;
	struct line *lines;
	struct slot *slots;
	uint32_t nslots, used, free_head, free_tail, nfree;
	struct job jobs; /* sentinel of the due-ordered job list */
	size_t live_calls, live_jobs, live_lines;
} esp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cfg_lines = 4,
	.cfg_first = 100,
};

/* ---- handles --------------------------------------------------------------
 */

/* Copies a string into a fixed buffer, truncating (hot path: no printf). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct call *call_get(uint32_t h)
{
	uint32_t idx = h & IDX_MASK;
	struct slot *s;

	if (idx == 0 || idx > esp.used)
		return NULL;
	s = &esp.slots[idx - 1];
	if (!s->call || s->gen != (h >> IDX_BITS))
		return NULL;
	return s->call;
}

static struct call *call_of(HDRVCALL hd)
{
	uintptr_t v = (uintptr_t)hd;

	return v > 0xFFFFFFFFu ? NULL : call_get((uint32_t)v);
}

static struct line *line_of(HDRVLINE hd)
{
	uintptr_t v = (uintptr_t)hd;

	if (v == 0 || v > esp.nlines || !esp.lines[v - 1].open)
		return NULL;
	return &esp.lines[v - 1];
}

static struct call *call_new(struct line *line)
{
	struct call *c = calloc(1, sizeof(*c));
	uint32_t idx;

	if (!c)
		return NULL;
	if (esp.nfree > RESERVE || (esp.nfree && esp.used == IDX_MASK)) {
		idx = esp.free_head - 1;
		esp.free_head = esp.slots[idx].next;
		if (!esp.free_head)
			esp.free_tail = 0;
		esp.nfree--;
	} else {
		if (esp.used == IDX_MASK) {
			free(c);
			return NULL;
		}
		if (esp.used == esp.nslots) {
			uint32_t n = esp.nslots ? esp.nslots * 2 : 256;
			struct slot *ns;

			if (n > IDX_MASK)
				n = IDX_MASK;
			ns = realloc(esp.slots, n * sizeof(*ns));
			if (!ns) {
				free(c);
				return NULL;
			}
			memset(ns + esp.nslots, 0,
			       (n - esp.nslots) * sizeof(*ns));
			esp.slots = ns;
			esp.nslots = n;
		}
		idx = esp.used++;
	}
	esp.slots[idx].call = c;
	c->h = (esp.slots[idx].gen << IDX_BITS) | (idx + 1);
	c->line = line;
	c->state_time = time(NULL);
	line->ncalls++;
	esp.live_calls++;
	return c;
}

static void call_free(struct call *c)
{
	uint32_t idx = (c->h & IDX_MASK) - 1;
	struct slot *s = &esp.slots[idx];

	s->call = NULL;
	s->gen = (s->gen + 1) & ((1u << (32 - IDX_BITS)) - 1);
	s->next = 0;
	if (esp.free_tail)
		esp.slots[esp.free_tail - 1].next = idx + 1;
	else
		esp.free_head = idx + 1;
	esp.free_tail = idx + 1;
	esp.nfree++;
	c->line->ncalls--;
	esp.live_calls--;
	free(c->uui);
	free(c);
}

/* ---- events ---------------------------------------------------------------
 */

static void set_state(struct call *c, DWORD state, DWORD mode)
{
	c->state = state;
	c->mode = mode;
	c->state_time = time(NULL);
	if (c->announced && c->line->ev)
		c->line->ev(c->line->htl, c->ht, LINE_CALLSTATE, state, mode,
		            c->media);
}

static void call_info(struct call *c, DWORD what)
{
	if (c->announced && c->line->ev && c->state != LINECALLSTATE_IDLE)
		c->line->ev(c->line->htl, c->ht, LINE_CALLINFO, what, 0, 0);
}

static void line_ring(struct line *l)
{
	if (l->ev && (l->line_states & LINEDEVSTATE_RINGING))
		l->ev(l->htl, NULL, LINE_LINEDEVSTATE, LINEDEVSTATE_RINGING, 1,
		      0);
}

/* Stores UUI received from the far end and tells TAPI (before states). */
static bool store_uui(struct call *c, const uint8_t *uui, DWORD len)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return false;
	memcpy(copy, uui, len);
	free(c->uui);
	c->uui = copy;
	c->uui_len = len;
	return true;
}

static void receive_uui(struct call *c, const uint8_t *uui, DWORD len)
{
	if (len && store_uui(c, uui, len))
		call_info(c, LINECALLINFOSTATE_USERUSERINFO);
}

/* ---- timers ---------------------------------------------------------------
 */

static void due_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void job_unlink(struct job *j)
{
	j->prev->next = j->next;
	j->next->prev = j->prev;
	esp.live_jobs--;
}

static struct job *job_add(unsigned ms, enum op op, uint32_t call,
                           DRV_REQUESTID req)
{
	struct job *j = calloc(1, sizeof(*j));
	struct job *at;

	if (!j)
		return NULL;
	due_in(&j->due, ms);
	j->op = op;
	j->call = call;
	j->req = req;
	/* keep the list ordered by due time, FIFO among equals */
	for (at = esp.jobs.prev; at != &esp.jobs && before(&j->due, &at->due);
	     at = at->prev)
		;
	j->prev = at;
	j->next = at->next;
	at->next->prev = j;
	at->next = j;
	esp.live_jobs++;
	pthread_cond_signal(&esp.cond);
	return j;
}

/*
 * spec: tspi.md §6 TSPI_lineCloseCall / TSPI_lineClose — abandoned
 * requests complete with LINEERR_OPERATIONFAILED before we return.
 */
static void cancel_jobs(uint32_t call)
{
	struct job *j, *n;

	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		if (j->call != call)
			continue;
		job_unlink(j);
		if (j->req)
			esp.complete(j->req, LINEERR_OPERATIONFAILED);
		free(j);
	}
}

/* ---- the switch -----------------------------------------------------------
 */

static struct line *line_by_address(const char *addr)
{
	unsigned i;

	for (i = 0; i < esp.nlines; i++)
		if (strcmp(esp.lines[i].address, addr) == 0)
			return &esp.lines[i];
	return NULL;
}

/* Offers @caller's call on line @to; returns the callee or NULL. */
static struct call *offer(struct call *caller, struct line *to,
                          const uint8_t *uui, DWORD uui_len)
{
	HTAPICALL ht = NULL;
	struct call *c;

	if (!to->open || !to->ev)
		return NULL; /* nobody there: the caller hears ringing */
	c = call_new(to);
	if (!c)
		return NULL;
	c->media = caller->media;
	c->bearer = caller->bearer;
	c->origin = LINECALLORIGIN_INTERNAL;
	c->peer = caller->h;
	copy_str(c->caller, sizeof(c->caller), caller->line->address);
	copy_str(c->called, sizeof(c->called), to->address);
	if (uui_len)
		store_uui(c, uui, uui_len);
	/* spec: tspi.md §5 LINE_NEWCALL — the first message about it */
	to->ev(to->htl, NULL, LINE_NEWCALL, (DWORD_PTR)c->h, (DWORD_PTR)&ht, 0);
	if (!ht) {
		call_free(c);
		return NULL;
	}
	c->ht = ht;
	c->announced = true;
	set_state(c, LINECALLSTATE_OFFERING, LINEOFFERINGMODE_ACTIVE);
	line_ring(to);
	return c;
}

/* The far end of @c went away: it sees @mode, or IDLE if it never answered. */
static void peer_gone(struct call *c, DWORD mode, const uint8_t *uui,
                      DWORD uui_len)
{
	struct call *p = c->peer ? call_get(c->peer) : NULL;

	c->peer = 0;
	if (!p)
		return;
	p->peer = 0;
	receive_uui(p, uui, uui_len);
	if (p->state == LINECALLSTATE_IDLE ||
	    p->state == LINECALLSTATE_DISCONNECTED)
		return;
	/* spec: tapi-messages-and-states.md §5.5 — the caller abandons */
	if (p->state == LINECALLSTATE_OFFERING ||
	    p->state == LINECALLSTATE_ACCEPTED)
		set_state(p, LINECALLSTATE_IDLE, 0);
	else
		set_state(p, LINECALLSTATE_DISCONNECTED, mode);
}

static void cancel_scripts(uint32_t call)
{
	struct job *j, *n;

	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		if (j->call == call && !j->req) {
			job_unlink(j);
			free(j);
		}
	}
}

static void start_outgoing(struct call *c, const uint8_t *uui, DWORD uui_len,
                           struct line *target)
{
	struct call *callee;

	if (c->script == S_DIALTONE) {
		set_state(c, LINECALLSTATE_DIALTONE, LINEDIALTONEMODE_NORMAL);
		return;
	}
	set_state(c, LINECALLSTATE_DIALING, 0);
	set_state(c, LINECALLSTATE_PROCEEDING, 0);
	switch (c->script) {
	case S_LINE:
		callee = offer(c, target, uui, uui_len);
		if (callee)
			c->peer = callee->h;
		if (c->state == LINECALLSTATE_PROCEEDING)
			set_state(c, LINECALLSTATE_RINGBACK, 0);
		break;
	case S_ANSWER:
		if (c->script_ms == 0) {
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
			break;
		}
		set_state(c, LINECALLSTATE_RINGBACK, 0);
		job_add(c->script_ms, OP_SCRIPT_CONNECT, c->h, 0);
		break;
	case S_BUSY:
		set_state(c, LINECALLSTATE_BUSY, LINEBUSYMODE_STATION);
		break;
	case S_NOANSWER:
		set_state(c, LINECALLSTATE_RINGBACK, 0);
		break;
	case S_REJECT:
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_REJECT);
		break;
	case S_HANGUP:
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		job_add(c->script_ms, OP_SCRIPT_HANGUP, c->h, 0);
		break;
	case S_BADADDR:
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_BADADDRESS);
		break;
	default:
		break;
	}
}

/*
 * spec: tspi.md §5 LINE_CLOSE — complete every outstanding request of the
 * line first, then ask TAPI to close it; the line keeps working until
 * TSPI_lineClose comes.
 */
static void line_outage(struct line *l, DRV_REQUESTID req)
{
	uint32_t i;

	esp.complete(req, LINEERR_OPERATIONFAILED);
	for (i = 0; i < esp.used; i++) {
		struct call *c = esp.slots[i].call;

		if (c && c->line == l)
			cancel_jobs(c->h);
	}
	if (l->ev)
		l->ev(l->htl, NULL, LINE_CLOSE, 0, 0, 0);
}

/* Performs @op on @c and completes @req (if any); lock held. */
static void run_op(enum op op, struct call *c, DRV_REQUESTID req,
                   const uint8_t *uui, DWORD uui_len, struct line *target)
{
	struct call *p;

	switch (op) {
	case OP_MAKECALL:
		if (c->script == S_OUTAGE) {
			line_outage(c->line, req);
			break;
		}
		if (c->script == S_UNAVAIL) {
			/* TAPI answers with TSPI_lineCloseCall (spec C3) */
			esp.complete(req, LINEERR_CALLUNAVAIL);
			break;
		}
		esp.complete(req, 0);
		c->announced = true;
		start_outgoing(c, uui, uui_len, target);
		break;
	case OP_ANSWER:
		if (c->state != LINECALLSTATE_OFFERING &&
		    c->state != LINECALLSTATE_ACCEPTED) {
			esp.complete(req, LINEERR_INVALCALLSTATE);
			break;
		}
		esp.complete(req, 0);
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		p = c->peer ? call_get(c->peer) : NULL;
		if (p) {
			receive_uui(p, uui, uui_len);
			set_state(p, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		}
		break;
	case OP_ACCEPT:
		if (c->state != LINECALLSTATE_OFFERING) {
			esp.complete(req, LINEERR_INVALCALLSTATE);
			break;
		}
		esp.complete(req, 0);
		set_state(c, LINECALLSTATE_ACCEPTED, 0);
		line_ring(c->line);
		p = c->peer ? call_get(c->peer) : NULL;
		if (p)
			receive_uui(p, uui, uui_len);
		break;
	case OP_DROP:
		if (c->state == LINECALLSTATE_IDLE) {
			esp.complete(req, LINEERR_INVALCALLSTATE);
			break;
		}
		esp.complete(req, 0);
		cancel_scripts(c->h);
		/* spec: termination.md §2 — dropping OFFERING rejects */
		peer_gone(c,
		          (c->state == LINECALLSTATE_OFFERING ||
		           c->state == LINECALLSTATE_ACCEPTED)
		                  ? LINEDISCONNECTMODE_REJECT
		                  : LINEDISCONNECTMODE_NORMAL,
		          uui, uui_len);
		set_state(c, LINECALLSTATE_IDLE, 0);
		break;
	case OP_SCRIPT_CONNECT:
		if (c->state == LINECALLSTATE_RINGBACK)
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		break;
	case OP_SCRIPT_HANGUP:
		if (c->state == LINECALLSTATE_CONNECTED)
			set_state(c, LINECALLSTATE_DISCONNECTED,
			          LINEDISCONNECTMODE_NORMAL);
		break;
	}
}

/* Runs @op now, or after the call's (or the configured) delay. */
static LONG schedule(enum op op, struct call *c, DRV_REQUESTID req,
                     const void *uui, DWORD uui_len)
{
	unsigned ms = c->slow_ms ? c->slow_ms : esp.cfg_delay_ms;
	struct job *j;

	if (uui_len > ESP_UUI_MAX)
		return LINEERR_USERUSERINFOTOOBIG;
	if (ms == 0) {
		run_op(op, c, req, uui, uui_len, NULL);
		return (LONG)req;
	}
	j = job_add(ms, op, c->h, req);
	if (!j)
		return LINEERR_NOMEM;
	if (uui_len)
		memcpy(j->uui, uui, uui_len);
	j->uui_len = uui_len;
	return (LONG)req;
}

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&esp.lock);
	while (!esp.stop) {
		struct job *j = esp.jobs.next;
		struct timespec now;
		struct call *c;

		if (j == &esp.jobs) {
			pthread_cond_wait(&esp.cond, &esp.lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (before(&now, &j->due)) {
			/* a copy: the job may be cancelled while we wait */
			struct timespec due = j->due;

			pthread_cond_timedwait(&esp.cond, &esp.lock, &due);
			continue;
		}
		job_unlink(j);
		c = call_get(j->call);
		if (c && j->op == OP_MAKECALL) {
			/* the target is looked up again: it may have closed */
			run_op(j->op, c, j->req, j->uui, j->uui_len,
			       c->script == S_LINE ? line_by_address(c->called)
			                           : NULL);
		} else if (c) {
			run_op(j->op, c, j->req, j->uui, j->uui_len, NULL);
		} else if (j->req) {
			esp.complete(j->req, LINEERR_INVALCALLHANDLE);
		}
		free(j);
	}
	pthread_mutex_unlock(&esp.lock);
	return NULL;
}

/* ---- dial strings ---------------------------------------------------------
 */

static bool parse_ms(const char *s, const char *end, unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	if (s == end || end - s > 7)
		return false;
	for (p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*out = (unsigned)v;
	return true;
}

/*
 * Parses a destination into @c (script, delays, called number); *target
 * receives the esp line for S_LINE. Returns 0 or the LINEERR_ to return.
 */
static LONG parse_dest(const char *dest, struct call *c, struct line **target)
{
	static const char dialable[] = "0123456789*#ABCD+,";
	char num[32];
	size_t n = 0;
	const char *p, *colon;

	*target = NULL;
	if (!dest || !*dest) {
		c->script = S_DIALTONE;
		return 0;
	}
	if (strncmp(dest, "slow:", 5) == 0) {
		const char *slash = strchr(dest + 5, '/');

		if (!slash || !parse_ms(dest + 5, slash, &c->slow_ms))
			return LINEERR_INVALADDRESS;
		dest = slash + 1;
	}
	copy_str(c->called, sizeof(c->called), dest);
	colon = strchr(dest, ':');
	if (strcmp(dest, "answer") == 0) {
		c->script = S_ANSWER;
		return 0;
	}
	if (strcmp(dest, "busy") == 0) {
		c->script = S_BUSY;
		return 0;
	}
	if (strcmp(dest, "noanswer") == 0) {
		c->script = S_NOANSWER;
		return 0;
	}
	if (strcmp(dest, "reject") == 0) {
		c->script = S_REJECT;
		return 0;
	}
	if (strcmp(dest, "unavail") == 0) {
		c->script = S_UNAVAIL;
		return 0;
	}
	if (strcmp(dest, "outage") == 0) {
		c->script = S_OUTAGE;
		return 0;
	}
	if (colon && (size_t)(colon - dest) == 6 &&
	    strncmp(dest, "answer", 6) == 0) {
		c->script = S_ANSWER;
		return parse_ms(colon + 1, colon + strlen(colon), &c->script_ms)
		               ? 0
		               : LINEERR_INVALADDRESS;
	}
	if (colon && (size_t)(colon - dest) == 6 &&
	    strncmp(dest, "hangup", 6) == 0) {
		c->script = S_HANGUP;
		return parse_ms(colon + 1, colon + strlen(colon), &c->script_ms)
		               ? 0
		               : LINEERR_INVALADDRESS;
	}
	/*
	 * spec: tspi.md §6 TSPI_lineMakeCall — scan the whole string first:
	 * the first dial control esp cannot do fails with nothing dialed.
	 */
	for (p = dest; *p; p++) {
		switch (*p) {
		case 'W':
		case 'w':
			return LINEERR_DIALDIALTONE;
		case '@':
			return LINEERR_DIALQUIET;
		case '$':
			return LINEERR_DIALBILLING;
		case '?':
			return LINEERR_DIALPROMPT;
		default:
			break;
		}
	}
	for (p = dest; *p; p++) {
		if (strchr(" -().", *p))
			continue;
		if (!strchr(dialable, *p) || n + 1 >= sizeof(num))
			return LINEERR_INVALADDRESS;
		num[n++] = *p;
	}
	if (n == 0)
		return LINEERR_INVALADDRESS;
	num[n] = '\0';
	copy_str(c->called, sizeof(c->called), num);
	*target = line_by_address(num);
	c->script = *target ? S_LINE : S_BADADDR;
	return 0;
}

/* ---- TSPI: lifecycle ------------------------------------------------------
 */

ESP_EXPORT LONG TSPIAPI TSPIX_providerConfig(DWORD dwPermanentProviderID,
                                             LPCSTR key, LPCSTR value)
{
	unsigned v;
	const char *end;
	LONG r = 0;

	(void)dwPermanentProviderID;
	if (!key || !value) {
		/* a new session's configuration starts from the defaults */
		pthread_mutex_lock(&esp.lock);
		esp.cfg_lines = 4;
		esp.cfg_delay_ms = 0;
		esp.cfg_first = 100;
		pthread_mutex_unlock(&esp.lock);
		return key || value ? LINEERR_INIFILECORRUPT : 0;
	}
	end = value + strlen(value);
	pthread_mutex_lock(&esp.lock);
	if (strcmp(key, "lines") == 0 && parse_ms(value, end, &v) && v >= 1 &&
	    v <= ESP_MAX_LINES)
		esp.cfg_lines = v;
	else if (strcmp(key, "completion_delay_ms") == 0 &&
	         parse_ms(value, end, &v))
		esp.cfg_delay_ms = v;
	else if (strcmp(key, "first_address") == 0 && parse_ms(value, end, &v))
		esp.cfg_first = v;
	else
		r = LINEERR_INIFILECORRUPT;
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n;

	pthread_mutex_lock(&esp.lock);
	n = (DWORD)(esp.live_calls + esp.live_jobs + esp.live_lines +
	            (esp.running ? 1 : 0));
	pthread_mutex_unlock(&esp.lock);
	return n;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dwDeviceID,
                                                      DWORD dwLowVersion,
                                                      DWORD dwHighVersion,
                                                      LPDWORD lpdwTSPIVersion)
{
	const DWORD lo = 0x00010004, hi = 0x00020002;

	if (!lpdwTSPIVersion)
		return LINEERR_INVALPOINTER;
	if (dwDeviceID != INITIALIZE_NEGOTIATION && esp.lines &&
	    (dwDeviceID < esp.dev_base ||
	     dwDeviceID >= esp.dev_base + esp.nlines))
		return LINEERR_BADDEVICEID;
	if (dwLowVersion > hi || dwHighVersion < lo ||
	    dwLowVersion > dwHighVersion)
		return LINEERR_INCOMPATIBLEAPIVERSION;
	*lpdwTSPIVersion = dwHighVersion < hi ? dwHighVersion : hi;
	return 0;
}

ESP_EXPORT LONG TSPIAPI TSPI_providerEnumDevices(DWORD dwPermanentProviderID,
                                                 LPDWORD lpdwNumLines,
                                                 LPDWORD lpdwNumPhones,
                                                 HPROVIDER hProvider,
                                                 LINEEVENT lpfnLineCreateProc,
                                                 PHONEEVENT lpfnPhoneCreateProc)
{
	(void)dwPermanentProviderID;
	(void)hProvider;
	(void)lpfnLineCreateProc;
	(void)lpfnPhoneCreateProc;
	pthread_mutex_lock(&esp.lock);
	*lpdwNumLines = esp.cfg_lines;
	*lpdwNumPhones = 0;
	pthread_mutex_unlock(&esp.lock);
	return 0;
}

ESP_EXPORT LONG TSPIAPI
TSPI_providerInit(DWORD dwTSPIVersion, DWORD dwPermanentProviderID,
                  DWORD dwLineDeviceIDBase, DWORD dwPhoneDeviceIDBase,
                  DWORD_PTR dwNumLines, DWORD_PTR dwNumPhones,
                  ASYNC_COMPLETION lpfnCompletionProc, LPDWORD lpdwTSPIOptions)
{
	pthread_condattr_t attr;
	unsigned i;
	LONG r = 0;

	(void)dwTSPIVersion;
	(void)dwPhoneDeviceIDBase;
	(void)dwNumPhones;
	pthread_mutex_lock(&esp.lock);
	if (esp.lines) /* spec: tspi.md §2 — a second init is ignored */
		goto out;
	if (dwNumLines > ESP_MAX_LINES) {
		r = LINEERR_OPERATIONFAILED;
		goto out;
	}
	esp.lines = calloc(dwNumLines ? dwNumLines : 1, sizeof(*esp.lines));
	if (!esp.lines) {
		r = LINEERR_NOMEM;
		goto out;
	}
	esp.nlines = (unsigned)dwNumLines;
	esp.perm_id = dwPermanentProviderID;
	esp.dev_base = dwLineDeviceIDBase;
	esp.complete = lpfnCompletionProc;
	for (i = 0; i < esp.nlines; i++) {
		esp.lines[i].idx = i;
		esp.lines[i].dev_id = dwLineDeviceIDBase + i;
		snprintf(esp.lines[i].address, sizeof(esp.lines[i].address),
		         "%u", esp.cfg_first + i);
	}
	esp.jobs.next = esp.jobs.prev = &esp.jobs;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&esp.cond, &attr);
	pthread_condattr_destroy(&attr);
	esp.stop = false;
	if (pthread_create(&esp.thread, NULL, timer_main, NULL) != 0) {
		pthread_cond_destroy(&esp.cond);
		free(esp.lines);
		esp.lines = NULL;
		esp.nlines = 0;
		r = LINEERR_RESOURCEUNAVAIL;
		goto out;
	}
	esp.running = true;
	*lpdwTSPIOptions = 0;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_providerShutdown(DWORD dwTSPIVersion,
                                              DWORD dwPermanentProviderID)
{
	struct job *j, *n;
	uint32_t i;

	(void)dwTSPIVersion;
	(void)dwPermanentProviderID;
	pthread_mutex_lock(&esp.lock);
	if (!esp.running) {
		pthread_mutex_unlock(&esp.lock);
		return 0;
	}
	esp.stop = true;
	pthread_cond_signal(&esp.cond);
	pthread_mutex_unlock(&esp.lock);
	pthread_join(esp.thread, NULL);

	pthread_mutex_lock(&esp.lock);
	/* TAPI closed everything first; anything left is freed quietly. */
	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		job_unlink(j);
		free(j);
	}
	for (i = 0; i < esp.used; i++)
		if (esp.slots[i].call)
			call_free(esp.slots[i].call);
	free(esp.slots);
	esp.slots = NULL;
	esp.nslots = esp.used = esp.free_head = esp.free_tail = esp.nfree = 0;
	free(esp.lines);
	esp.lines = NULL;
	esp.nlines = 0;
	esp.live_lines = 0;
	esp.running = false;
	pthread_cond_destroy(&esp.cond);
	pthread_mutex_unlock(&esp.lock);
	return 0;
}

/* ---- TSPI: capabilities ---------------------------------------------------
 */

/* Appends a variable part after *used, if it fits (never truncated). */
static void put_var(void *s, size_t pair, DWORD total, DWORD *used,
                    DWORD *needed, const void *data, DWORD len)
{
	DWORD zero = 0;

	*needed += len;
	if (len == 0 || len > total - *used) {
		memcpy((char *)s + pair, &zero, 4);
		memcpy((char *)s + pair + 4, &zero, 4);
		return;
	}
	memcpy((char *)s + *used, data, len);
	memcpy((char *)s + pair, &len, 4);
	memcpy((char *)s + pair + 4, used, 4);
	*used += len;
}

static DWORD devcaps_fixed(DWORD v)
{
	if (v < 0x00020000)
		return offsetof(LINEDEVCAPS, dwSettableDevStatus);
	if (v < 0x00020002)
		return offsetof(LINEDEVCAPS, PermanentLineGuid);
	return offsetof(LINEDEVCAPS, dwAddressTypes);
}

static DWORD callinfo_fixed(DWORD v)
{
	return v < 0x00020000 ? offsetof(LINECALLINFO, dwCallTreatment)
	                      : offsetof(LINECALLINFO, dwCallerIDAddressType);
}

static DWORD callstatus_fixed(DWORD v)
{
	return v < 0x00020000 ? offsetof(LINECALLSTATUS, dwCallFeatures2)
	                      : sizeof(LINECALLSTATUS);
}

static struct line *line_by_dev(DWORD dev)
{
	if (!esp.lines || dev < esp.dev_base ||
	    dev >= esp.dev_base + esp.nlines)
		return NULL;
	return &esp.lines[dev - esp.dev_base];
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dwDeviceID,
                                            DWORD dwTSPIVersion,
                                            DWORD dwExtVersion,
                                            LPLINEDEVCAPS lpLineDevCaps)
{
	LPLINEDEVCAPS dc = lpLineDevCaps;
	DWORD fixed = devcaps_fixed(dwTSPIVersion);
	DWORD total, used, needed;
	struct line *l;
	char text[96];
	LONG r = 0;

	if (dwExtVersion)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	pthread_mutex_lock(&esp.lock);
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
		goto out;
	}
	total = dc->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	memset((char *)dc + 4, 0, fixed - 4);
	used = needed = fixed;
	put_var(dc, offsetof(LINEDEVCAPS, dwProviderInfoSize), total, &used,
	        &needed, "tapix emulated switch (esp)",
	        sizeof("tapix emulated switch (esp)"));
	put_var(dc, offsetof(LINEDEVCAPS, dwSwitchInfoSize), total, &used,
	        &needed, "esp", sizeof("esp"));
	snprintf(text, sizeof(text), "esp line %u (%s)", l->idx, l->address);
	put_var(dc, offsetof(LINEDEVCAPS, dwLineNameSize), total, &used,
	        &needed, text, (DWORD)strlen(text) + 1);
	dc->dwPermanentLineID = (esp.perm_id << 16) | l->idx;
	dc->dwStringFormat = STRINGFORMAT_ASCII;
	dc->dwAddressModes = LINEADDRESSMODE_ADDRESSID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA;
	dc->dwMaxRate = ESP_MAX_RATE;
	dc->dwMediaModes = ESP_MEDIA;
	dc->dwDevCapFlags = LINEDEVCAPFLAGS_CLOSEDROP;
	dc->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	dc->dwAnswerMode = LINEANSWERMODE_NONE;
	dc->dwRingModes = 1;
	dc->dwLineStates = LINEDEVSTATE_RINGING | LINEDEVSTATE_OTHER;
	dc->dwUUIAcceptSize = ESP_UUI_MAX;
	dc->dwUUIAnswerSize = ESP_UUI_MAX;
	dc->dwUUIMakeCallSize = ESP_UUI_MAX;
	dc->dwUUIDropSize = ESP_UUI_MAX;
	dc->dwUUISendUserUserInfoSize = 0;
	dc->dwUUICallInfoSize = ESP_UUI_MAX;
	dc->dwLineFeatures = LINEFEATURE_MAKECALL;
	if (dwTSPIVersion >= 0x00020000)
		put_var(dc, offsetof(LINEDEVCAPS, dwDeviceClassesSize), total,
		        &used, &needed, "tapi/line\0", sizeof("tapi/line\0"));
	if (dwTSPIVersion >= 0x00020002) {
		GUID g = {0x7461706Au,
		          0x6978,
		          (uint16_t)esp.perm_id,
		          {'e', 's', 'p', 0, 0, 0, (uint8_t)(l->idx >> 8),
		           (uint8_t)l->idx}};

		memcpy(&dc->PermanentLineGuid, &g, sizeof(g));
	}
	dc->dwNeededSize = needed;
	dc->dwUsedSize = used;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dwDeviceID,
                                                DWORD dwAddressID,
                                                DWORD dwTSPIVersion,
                                                DWORD dwExtVersion,
                                                LPLINEADDRESSCAPS lpAddressCaps)
{
	LPLINEADDRESSCAPS ac = lpAddressCaps;
	DWORD fixed = dwTSPIVersion < 0x00020000
	                      ? offsetof(LINEADDRESSCAPS,
	                                 dwPredictiveAutoTransferStates)
	                      : sizeof(LINEADDRESSCAPS);
	DWORD total, used, needed;
	struct line *l;
	LONG r = 0;

	if (dwExtVersion)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	pthread_mutex_lock(&esp.lock);
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
		goto out;
	}
	if (dwAddressID != 0) {
		r = LINEERR_INVALADDRESSID;
		goto out;
	}
	total = ac->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	memset((char *)ac + 4, 0, fixed - 4);
	used = needed = fixed;
	put_var(ac, offsetof(LINEADDRESSCAPS, dwAddressSize), total, &used,
	        &needed, l->address, (DWORD)strlen(l->address) + 1);
	ac->dwLineDeviceID = dwDeviceID;
	ac->dwAddressSharing = LINEADDRESSSHARING_PRIVATE;
	ac->dwCallInfoStates = LINECALLINFOSTATE_USERUSERINFO;
	ac->dwCallerIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_UNKNOWN;
	ac->dwCalledIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_UNKNOWN;
	ac->dwCallStates = ESP_CALLSTATES;
	ac->dwDialToneModes = LINEDIALTONEMODE_NORMAL;
	ac->dwBusyModes = LINEBUSYMODE_STATION;
	ac->dwDisconnectModes =
		LINEDISCONNECTMODE_NORMAL | LINEDISCONNECTMODE_REJECT |
		LINEDISCONNECTMODE_BADADDRESS | LINEDISCONNECTMODE_UNAVAIL;
	ac->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	ac->dwAddrCapFlags = LINEADDRCAPFLAGS_DIALED;
	ac->dwCallFeatures = LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
	                     LINECALLFEATURE_DROP;
	ac->dwAddressFeatures = 0x00000008; /* LINEADDRFEATURE_MAKECALL */
	if (dwTSPIVersion >= 0x00020000) {
		ac->dwConnectedModes = LINECONNECTEDMODE_ACTIVE;
		ac->dwOfferingModes = LINEOFFERINGMODE_ACTIVE;
		ac->dwAvailableMediaModes = ESP_MEDIA;
	}
	ac->dwNeededSize = needed;
	ac->dwUsedSize = used;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

/* ---- TSPI: lines ----------------------------------------------------------
 */

ESP_EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dwDeviceID, HTAPILINE htLine,
                                      LPHDRVLINE lphdLine, DWORD dwTSPIVersion,
                                      LINEEVENT lpfnEventProc)
{
	struct line *l;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
	} else if (l->open) {
		r = LINEERR_ALLOCATED;
	} else {
		l->open = true;
		l->htl = htLine;
		l->ev = lpfnEventProc;
		l->version = dwTSPIVersion;
		l->media_detect = 0;
		l->line_states = 0;
		esp.live_lines++;
		*lphdLine = (HDRVLINE)(uintptr_t)(l->idx + 1);
	}
	pthread_mutex_unlock(&esp.lock);
	return r;
}

/* Forgets @c: fails its requests, drops it if active (CLOSEDROP). */
static void close_call(struct call *c)
{
	cancel_jobs(c->h);
	if (c->state != LINECALLSTATE_IDLE &&
	    c->state != LINECALLSTATE_DISCONNECTED)
		peer_gone(c,
		          (c->state == LINECALLSTATE_OFFERING ||
		           c->state == LINECALLSTATE_ACCEPTED)
		                  ? LINEDISCONNECTMODE_REJECT
		                  : LINEDISCONNECTMODE_NORMAL,
		          NULL, 0);
	else
		peer_gone(c, LINEDISCONNECTMODE_NORMAL, NULL, 0);
	call_free(c);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hdLine)
{
	struct line *l;
	uint32_t i;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	/* spec: tspi.md §6 TSPI_lineClose — nothing pending survives it */
	for (i = 0; i < esp.used && l->ncalls; i++) {
		struct call *c = esp.slots[i].call;

		if (c && c->line == l)
			close_call(c);
	}
	l->open = false;
	l->ev = NULL;
	l->htl = NULL;
	esp.live_lines--;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hdLine,
                                                          DWORD dwMediaModes)
{
	struct line *l;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else if (dwMediaModes & ~(DWORD)ESP_MEDIA)
		r = LINEERR_INVALMEDIAMODE;
	else
		l->media_detect = dwMediaModes;
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetStatusMessages(HDRVLINE hdLine,
                                                   DWORD dwLineStates,
                                                   DWORD dwAddressStates)
{
	struct line *l;
	LONG r = 0;

	(void)dwAddressStates;
	pthread_mutex_lock(&esp.lock);
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else
		l->line_states = dwLineStates;
	pthread_mutex_unlock(&esp.lock);
	return r;
}

/* ---- TSPI: calls ----------------------------------------------------------
 */

ESP_EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID dwRequestID,
                                          HDRVLINE hdLine, HTAPICALL htCall,
                                          LPHDRVCALL lphdCall,
                                          LPCSTR lpszDestAddress,
                                          DWORD dwCountryCode,
                                          LPLINECALLPARAMS const lpCallParams)
{
	const uint8_t *uui = NULL;
	struct line *l, *target = NULL;
	struct call *c;
	struct job *j;
	DWORD uui_len = 0;
	unsigned ms;
	LONG r;

	(void)dwCountryCode;
	pthread_mutex_lock(&esp.lock);
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (lpCallParams && lpCallParams->dwUserUserInfoSize) {
		uui_len = lpCallParams->dwUserUserInfoSize;
		uui = (const uint8_t *)lpCallParams +
		      lpCallParams->dwUserUserInfoOffset;
		if (uui_len > ESP_UUI_MAX) {
			r = LINEERR_USERUSERINFOTOOBIG;
			goto out;
		}
	}
	c = call_new(l);
	if (!c) {
		r = LINEERR_NOMEM;
		goto out;
	}
	r = parse_dest(lpszDestAddress, c, &target);
	if (r) {
		call_free(c);
		goto out;
	}
	c->ht = htCall;
	c->origin = LINECALLORIGIN_OUTBOUND;
	c->media = lpCallParams ? lpCallParams->dwMediaMode
	                        : LINEMEDIAMODE_INTERACTIVEVOICE;
	c->bearer = lpCallParams ? lpCallParams->dwBearerMode
	                         : LINEBEARERMODE_VOICE;
	copy_str(c->caller, sizeof(c->caller), l->address);
	*lphdCall = (HDRVCALL)(uintptr_t)c->h;
	ms = c->slow_ms ? c->slow_ms : esp.cfg_delay_ms;
	r = (LONG)dwRequestID;
	if (ms == 0) {
		run_op(OP_MAKECALL, c, dwRequestID, uui, uui_len, target);
		goto out;
	}
	j = job_add(ms, OP_MAKECALL, c->h, dwRequestID);
	if (!j) {
		call_free(c);
		r = LINEERR_NOMEM;
		goto out;
	}
	if (uui_len)
		memcpy(j->uui, uui, uui_len);
	j->uui_len = uui_len;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

static LONG uui_request(enum op op, DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui,
                        DWORD size)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&esp.lock);
	c = call_of(hd);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
	} else if ((op == OP_ANSWER && c->state != LINECALLSTATE_OFFERING &&
	            c->state != LINECALLSTATE_ACCEPTED) ||
	           (op == OP_ACCEPT && c->state != LINECALLSTATE_OFFERING) ||
	           (op == OP_DROP && c->state == LINECALLSTATE_IDLE)) {
		r = LINEERR_INVALCALLSTATE;
	} else {
		r = schedule(op, c, req, uui, uui ? size : 0);
	}
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineAnswer(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	return uui_request(OP_ANSWER, dwRequestID, hdCall, lpsUserUserInfo,
	                   dwSize);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineAccept(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	return uui_request(OP_ACCEPT, dwRequestID, hdCall, lpsUserUserInfo,
	                   dwSize);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                      DWORD dwSize)
{
	return uui_request(OP_DROP, dwRequestID, hdCall, lpsUserUserInfo,
	                   dwSize);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hdCall)
{
	struct call *c;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	c = call_of(hdCall);
	if (c)
		close_call(c);
	else
		r = LINEERR_INVALCALLHANDLE;
	pthread_mutex_unlock(&esp.lock);
	return r;
}

static DWORD features_of(DWORD state)
{
	switch (state) {
	case LINECALLSTATE_OFFERING:
		return LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
		       LINECALLFEATURE_DROP;
	case LINECALLSTATE_ACCEPTED:
		return LINECALLFEATURE_ANSWER | LINECALLFEATURE_DROP;
	case LINECALLSTATE_IDLE:
		return 0;
	default:
		return LINECALLFEATURE_DROP;
	}
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hdCall,
                                             LPLINECALLINFO lpCallInfo)
{
	LPLINECALLINFO ci = lpCallInfo;
	struct call *c;
	DWORD fixed, total, used, needed;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	fixed = callinfo_fixed(c->line->version);
	total = ci->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	used = needed = fixed;
	ci->dwLineDeviceID = c->line->dev_id;
	ci->dwAddressID = 0;
	ci->dwBearerMode = c->bearer;
	ci->dwRate = c->bearer == LINEBEARERMODE_DATA ? ESP_MAX_RATE : 0;
	ci->dwMediaMode = c->media;
	ci->dwCallID = c->h;
	ci->dwRelatedCallID = c->peer;
	ci->dwCallStates = ESP_CALLSTATES;
	ci->dwOrigin = c->origin;
	ci->dwReason = LINECALLREASON_DIRECT;
	ci->dwTrunk = 0xFFFFFFFFu;
	ci->dwCallerIDFlags = c->caller[0] ? LINECALLPARTYID_ADDRESS
	                                   : LINECALLPARTYID_UNKNOWN;
	put_var(ci, offsetof(LINECALLINFO, dwCallerIDSize), total, &used,
	        &needed, c->caller,
	        c->caller[0] ? (DWORD)strlen(c->caller) + 1 : 0);
	ci->dwCalledIDFlags = c->called[0] ? LINECALLPARTYID_ADDRESS
	                                   : LINECALLPARTYID_UNKNOWN;
	put_var(ci, offsetof(LINECALLINFO, dwCalledIDSize), total, &used,
	        &needed, c->called,
	        c->called[0] ? (DWORD)strlen(c->called) + 1 : 0);
	ci->dwConnectedIDFlags = LINECALLPARTYID_UNKNOWN;
	ci->dwRedirectionIDFlags = LINECALLPARTYID_UNKNOWN;
	ci->dwRedirectingIDFlags = LINECALLPARTYID_UNKNOWN;
	put_var(ci, offsetof(LINECALLINFO, dwUserUserInfoSize), total, &used,
	        &needed, c->uui, c->uui_len);
	ci->dwNeededSize = needed;
	ci->dwUsedSize = used;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hdCall,
                                               LPLINECALLSTATUS lpCallStatus)
{
	LPLINECALLSTATUS cs = lpCallStatus;
	struct call *c;
	DWORD fixed;
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	fixed = callstatus_fixed(c->line->version);
	if (cs->dwTotalSize < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	cs->dwCallState = c->state ? c->state : LINECALLSTATE_UNKNOWN;
	cs->dwCallStateMode = c->mode;
	cs->dwCallFeatures = features_of(c->state);
	cs->dwDevSpecificSize = 0;
	cs->dwDevSpecificOffset = 0;
	if (fixed >= sizeof(LINECALLSTATUS)) {
		struct tm tm;

		gmtime_r(&c->state_time, &tm);
		cs->dwCallFeatures2 = 0;
		cs->tStateEntryTime.wYear = (WORD)(tm.tm_year + 1900);
		cs->tStateEntryTime.wMonth = (WORD)(tm.tm_mon + 1);
		cs->tStateEntryTime.wDayOfWeek = (WORD)tm.tm_wday;
		cs->tStateEntryTime.wDay = (WORD)tm.tm_mday;
		cs->tStateEntryTime.wHour = (WORD)tm.tm_hour;
		cs->tStateEntryTime.wMinute = (WORD)tm.tm_min;
		cs->tStateEntryTime.wSecond = (WORD)tm.tm_sec;
		cs->tStateEntryTime.wMilliseconds = 0;
	}
	cs->dwNeededSize = cs->dwUsedSize = fixed;
out:
	pthread_mutex_unlock(&esp.lock);
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallAddressID(HDRVCALL hdCall,
                                                  LPDWORD lpdwAddressID)
{
	LONG r = 0;

	pthread_mutex_lock(&esp.lock);
	if (!call_of(hdCall))
		r = LINEERR_INVALCALLHANDLE;
	else
		*lpdwAddressID = 0;
	pthread_mutex_unlock(&esp.lock);
	return r;
}
