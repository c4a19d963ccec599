/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TSPI side of a call's media (tcall.h): a media session and the
 * events of its digits, for esp and sip.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tcall.h"

#define DIGITS_MAX        512
#define GATHER_FIRST_ROOM 64 /* digits kept before the room grows */

/*
 * A lineGatherDigits running (tcall_gather). The digits are kept here and
 * copied into the requester's buffer only when it ends, just before its
 * LINE_GATHERDIGITS (tspi.h).
 */
struct gather {
	bool on;
	DWORD id;       /* its end-to-end id */
	LPSTR buf;      /* the requester's: written once, at the end */
	DWORD num;      /* its room, in digits */
	char *got;      /* the digits so far */
	DWORD n, room;  /* in got, and got's size */
	char term[17];  /* the termination digits, upper case */
	DWORD inter_ms; /* 0: none */
	uint32_t alarm; /* the id of the alarm armed for it, 0: none */
};

struct tcall {
	struct media_session *s;
	LINEEVENT ev;
	HTAPILINE htl;
	_Atomic(HTAPICALL) htc; /* NULL until TAPI knows the call */
	_Atomic DWORD monitor;  /* LINEDIGITMODE_DTMF | _DTMFEND */
	_Atomic int kick_fd;    /* told of an RTP time-out, or -1 */
	_Atomic DWORD list_id;  /* TSPI_lineMonitorTones' list, or 0 */
	atomic_bool timed_out;
	/* gathering: glock guards g and alarm_seq, and is held from the
	 * buffer's writing to the end of its LINE_GATHERDIGITS, so that the
	 * end of a gathering is told before another request returns */
	pthread_mutex_t glock;
	struct gather g;
	uint32_t alarm_seq;
};

DWORD tcall_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (DWORD)((uint64_t)ts.tv_sec * 1000u +
	               (uint64_t)ts.tv_nsec / 1000000u);
}

/* ---- gathering (tcall_gather) ------------------------------------------ */

/* A DTMF digit's upper-case character ('a'-'d' as 'A'-'D'), or '\0'. */
static char dtmf_digit(char c)
{
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'D') || c == '*' ||
	    c == '#')
		return c;
	return '\0';
}

/* The alarm of the gathering: @ms from now, or none (0). glock held;
 * @live false once the session is gone (tcall_free). */
static void gather_arm_locked(struct tcall *t, DWORD ms, bool live)
{
	if (ms) {
		if (++t->alarm_seq == 0)
			t->alarm_seq = 1; /* 0 is "none" */
		t->g.alarm = t->alarm_seq;
	} else {
		t->g.alarm = 0;
	}
	if (live)
		media_session_alarm(t->s, ms, t->g.alarm);
}

/*
 * Ends the gathering for @reason (LINEGATHERTERM_): its buffer gets the
 * digits, a NUL after them when they do not fill it, and just after,
 * LINE_GATHERDIGITS(reason, end-to-end id, tick count) goes (Microsoft's
 * TSPI LINE_GATHERDIGITS). Nothing is written when TAPI does not know the
 * call yet: no message could follow. glock held (from the writing to the
 * end of the message).
 */
static void gather_end_locked(struct tcall *t, DWORD reason, bool live)
{
	struct gather *g = &t->g;
	HTAPICALL htc = atomic_load(&t->htc);

	if (!g->on)
		return;
	if (g->alarm)
		gather_arm_locked(t, 0, live);
	if (htc) {
		memcpy(g->buf, g->got, g->n);
		if (g->n < g->num)
			g->buf[g->n] = '\0';
		t->ev(t->htl, htc, LINE_GATHERDIGITS, reason, g->id,
		      tcall_ticks());
	}
	free(g->got);
	memset(g, 0, sizeof(*g));
}

/* A digit's start, for the gathering. Media thread, or the provider's
 * (tcall_digit). */
static void gather_digit(struct tcall *t, char digit)
{
	struct gather *g = &t->g;

	digit = dtmf_digit(digit);
	if (!digit)
		return; /* none of ours (tcall_digit) */
	pthread_mutex_lock(&t->glock);
	if (!g->on)
		goto out;
	if (g->n == g->room) {
		DWORD room = g->room > g->num / 2 ? g->num : g->room * 2;
		char *got = realloc(g->got, room);

		if (!got)
			goto out; /* no memory: the digit is lost */
		g->got = got;
		g->room = room;
	}
	g->got[g->n++] = digit;
	/* a termination digit ends it also when it fills the buffer: it
	 * says more (Microsoft's LINEGATHERTERM_TERMDIGIT: it is the last) */
	if (strchr(g->term, digit))
		gather_end_locked(t, LINEGATHERTERM_TERMDIGIT, true);
	else if (g->n == g->num)
		gather_end_locked(t, LINEGATHERTERM_BUFFERFULL, true);
	else
		gather_arm_locked(t, g->inter_ms, true); /* from this digit */
out:
	pthread_mutex_unlock(&t->glock);
}

/* Media thread: the alarm of a gathering went off (unless it is one
 * replaced since, which the id tells). */
static void on_alarm(void *ctx, uint32_t id)
{
	struct tcall *t = ctx;

	pthread_mutex_lock(&t->glock);
	if (t->g.on && id && t->g.alarm == id) {
		t->g.alarm = 0; /* gone off: nothing to disarm */
		gather_end_locked(t,
		                  t->g.n ? LINEGATHERTERM_INTERTIMEOUT
		                         : LINEGATHERTERM_FIRSTTIMEOUT,
		                  true);
	}
	pthread_mutex_unlock(&t->glock);
}

/* Media thread: a digit from the far end. LINE_MONITORDIGITS first, then
 * the gathering, which takes each digit once, at its start. */
static void on_digit(void *ctx, char digit, enum media_digit_edge edge)
{
	struct tcall *t = ctx;
	DWORD mode = edge == MEDIA_DIGIT_DOWN ? LINEDIGITMODE_DTMF
	                                      : LINEDIGITMODE_DTMFEND;
	HTAPICALL htc = atomic_load(&t->htc);

	if (htc && (atomic_load(&t->monitor) & mode))
		t->ev(t->htl, htc, LINE_MONITORDIGITS,
		      (DWORD_PTR)(unsigned char)digit, mode, tcall_ticks());
	if (edge == MEDIA_DIGIT_DOWN)
		gather_digit(t, digit);
}

/* Media thread: a generation ended (TSPI LINE_GENERATE: dwParam2 is the
 * request's end-to-end id). */
static void on_digits_done(void *ctx, uint32_t id, bool done)
{
	struct tcall *t = ctx;
	HTAPICALL htc = atomic_load(&t->htc);

	if (!htc)
		return;
	t->ev(t->htl, htc, LINE_GENERATE,
	      done ? LINEGENERATETERM_DONE : LINEGENERATETERM_CANCEL, id,
	      tcall_ticks());
}

/* Media thread: no RTP for the time-out. */
static void on_timeout(void *ctx)
{
	struct tcall *t = ctx;
	uint64_t one = 1;
	int fd = atomic_load(&t->kick_fd);

	atomic_store(&t->timed_out, true);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* a full eventfd: the provider has been told already */
	}
}

/* Media thread: a tone listened for was heard (its dwAppSpecific). */
static void on_tone(void *ctx, uint32_t tag)
{
	struct tcall *t = ctx;
	HTAPICALL htc = atomic_load(&t->htc);
	DWORD list = atomic_load(&t->list_id);

	if (htc && list)
		t->ev(t->htl, htc, LINE_MONITORTONE, tag, list, tcall_ticks());
}

static const struct media_events events = {
	.digit = on_digit,
	.digits_done = on_digits_done,
	.timeout = on_timeout,
	.tone = on_tone,
	.alarm = on_alarm,
};

int tcall_new(struct media *m, const char *local_addr, LINEEVENT ev,
              HTAPILINE htl, HTAPICALL htc, struct tcall **out)
{
	struct tcall *t;
	int e;

	if (!m || !local_addr || !ev || !out)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ev = ev;
	t->htl = htl;
	atomic_init(&t->htc, htc);
	atomic_init(&t->monitor, 0);
	atomic_init(&t->kick_fd, -1);
	atomic_init(&t->list_id, 0);
	atomic_init(&t->timed_out, false);
	pthread_mutex_init(&t->glock, NULL);
	e = media_session_new(m, local_addr, &events, t, &t->s);
	if (e) {
		pthread_mutex_destroy(&t->glock);
		free(t);
		return e;
	}
	*out = t;
	return 0;
}

void tcall_bind(struct tcall *t, HTAPICALL htc)
{
	atomic_store(&t->htc, htc);
}

void tcall_set_kick(struct tcall *t, int kick_fd)
{
	atomic_store(&t->kick_fd, kick_fd);
}

bool tcall_timed_out(struct tcall *t)
{
	return atomic_exchange(&t->timed_out, false);
}

uint16_t tcall_port(const struct tcall *t)
{
	return media_session_port(t->s);
}

int tcall_set(struct tcall *t, const struct media_stream *st)
{
	return media_session_set(t->s, st);
}

LONG tcall_get_id(struct tcall *t, LPVARSTRING id, LPCSTR device_class)
{
	const DWORD need = sizeof(VARSTRING) + sizeof(TAPIXWAVEID);
	TAPIXWAVEID w = {.dwFormat = TAPIXWAVE_S16LE, .fdIn = -1, .fdOut = -1};
	bool in, out;
	unsigned rate = 0;

	if (!strcasecmp(device_class, "wave/in")) {
		in = true;
		out = false;
	} else if (!strcasecmp(device_class, "wave/out")) {
		in = false;
		out = true;
	} else if (!strcasecmp(device_class, "wave/in/out")) {
		in = out = true;
	} else {
		return LINEERR_INVALDEVICECLASS;
	}
	id->dwNeededSize = need;
	id->dwStringFormat = STRINGFORMAT_BINARY;
	if (id->dwTotalSize < need) {
		/* too small: the size it needs, and no descriptor made */
		id->dwUsedSize = sizeof(VARSTRING);
		id->dwStringSize = 0;
		id->dwStringOffset = 0;
		return 0;
	}
	if (media_session_wave(t->s, in ? &w.fdIn : NULL, out ? &w.fdOut : NULL,
	                       &rate) != 0)
		return LINEERR_RESOURCEUNAVAIL;
	w.dwRate = rate;
	memcpy((char *)id + sizeof(VARSTRING), &w, sizeof(w));
	id->dwUsedSize = need;
	id->dwStringSize = sizeof(w);
	id->dwStringOffset = sizeof(VARSTRING);
	return 0;
}

/* tcall_generate, and with @events_only tcall_generate_events. */
static LONG generate(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                     LPCSTR digits, DWORD duration, bool events_only)
{
	char keep[DIGITS_MAX + 1];
	size_t n = 0;
	int e;

	if (mode != LINEDIGITMODE_DTMF)
		return LINEERR_INVALDIGITMODE;
	/* Microsoft's lineGenerateDigits: invalid digits are skipped */
	for (const char *p = digits ? digits : ""; *p && n < DIGITS_MAX; p++) {
		char c = *p;

		if (c >= 'a' && c <= 'd')
			c = (char)(c - 'a' + 'A');
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'D') ||
		    c == '*' || c == '#' || c == ',')
			keep[n++] = c;
	}
	keep[n] = '\0';
	if (duration > 5000)
		duration = 5000; /* the nearest we take (MaxDialParams) */
	/* RFC 4733 events when telephone-event was agreed, else in band
	 * (or refused, @events_only; nothing to send only cancels) */
	if (events_only && n) {
		e = media_session_digits(t->s, keep, duration, end_to_end_id);
		if (e == -EINVAL)
			return LINEERR_OPERATIONUNAVAIL;
	} else {
		e = media_session_dtmf(t->s, keep, duration, end_to_end_id);
	}
	if (e == -EAGAIN)
		return LINEERR_INVALCALLSTATE;
	if (e == -ENOMEM)
		return LINEERR_NOMEM;
	if (e)
		return LINEERR_OPERATIONFAILED;
	if (!n && digits) {
		/* nothing to send: done at once */
		on_digits_done(t, end_to_end_id, true);
	}
	return 0;
}

LONG tcall_generate(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                    LPCSTR digits, DWORD duration)
{
	return generate(t, end_to_end_id, mode, digits, duration, false);
}

LONG tcall_generate_events(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                           LPCSTR digits, DWORD duration)
{
	return generate(t, end_to_end_id, mode, digits, duration, true);
}

LONG tcall_tone(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                DWORD duration, DWORD num, const LINEGENERATETONE *tones)
{
	struct media_tone mt[MEDIA_MAX_TONES];
	unsigned n = 0, def;
	int e;

	memset(mt, 0, sizeof(mt));
	switch (mode) {
	case 0:
		e = media_session_tone(t->s, NULL, 0, 0, 0);
		return e == -EINVAL ? LINEERR_OPERATIONFAILED : 0;
	case LINETONEMODE_BEEP:
		mt[n++] = (struct media_tone){1000, 0, 0, 0xFFFF};
		def = 250;
		break;
	case LINETONEMODE_BILLING:
		mt[n++] = (struct media_tone){1400, 0, 0, 0xFFFF};
		def = 200;
		break;
	case LINETONEMODE_BUSY:
		mt[n++] = (struct media_tone){480, 500, 500, 0xFFFF};
		mt[n++] = (struct media_tone){620, 500, 500, 0xFFFF};
		def = 4000;
		break;
	case LINETONEMODE_RINGBACK:
		mt[n++] = (struct media_tone){440, 2000, 4000, 0xFFFF};
		mt[n++] = (struct media_tone){480, 2000, 4000, 0xFFFF};
		def = 6000;
		break;
	case LINETONEMODE_CUSTOM:
		if (!tones || !num || num > MEDIA_MAX_TONES)
			return LINEERR_INVALTONE;
		for (; n < num; n++) {
			mt[n].freq = tones[n].dwFrequency;
			mt[n].on_ms = tones[n].dwCadenceOn;
			mt[n].off_ms = tones[n].dwCadenceOff;
			mt[n].volume = tones[n].dwVolume > 0xFFFF
			                       ? 0xFFFF
			                       : tones[n].dwVolume;
		}
		def = 1000;
		break;
	default:
		return LINEERR_INVALTONEMODE;
	}
	if (duration > 3600000)
		duration = 3600000;
	e = media_session_tone(t->s, mt, n, duration ? duration : def,
	                       end_to_end_id);
	if (e == -EAGAIN)
		return LINEERR_INVALCALLSTATE;
	return e ? LINEERR_INVALTONE : 0;
}

LONG tcall_watch(struct tcall *t, DWORD list_id, const LINEMONITORTONE *tones,
                 DWORD n)
{
	struct media_watch w[MEDIA_MAX_WATCH];

	if (n > MEDIA_MAX_WATCH || (n && !tones))
		return LINEERR_INVALTONELIST;
	for (DWORD k = 0; k < n; k++) {
		w[k].tag = tones[k].dwAppSpecific;
		w[k].duration_ms = tones[k].dwDuration;
		w[k].freq[0] = tones[k].dwFrequency1;
		w[k].freq[1] = tones[k].dwFrequency2;
		w[k].freq[2] = tones[k].dwFrequency3;
	}
	/* the list's id first: a tone of the new list is told under it; a
	 * refused list leaves the old one listened for, under its id (TAPI
	 * keeps what it told before) */
	DWORD old = atomic_exchange(&t->list_id, n ? list_id : 0);

	if (media_session_watch(t->s, w, n) != 0) {
		atomic_store(&t->list_id, old);
		return LINEERR_INVALTONELIST;
	}
	return 0;
}

LONG tcall_monitor(struct tcall *t, DWORD modes)
{
	if (modes & ~(DWORD)(LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND))
		return LINEERR_INVALDIGITMODE;
	atomic_store(&t->monitor, modes);
	return 0;
}

LONG tcall_gather(struct tcall *t, DWORD end_to_end_id, DWORD modes, LPSTR buf,
                  DWORD num, LPCSTR term, DWORD first_ms, DWORD inter_ms)
{
	struct gather g;
	size_t k = 0;

	if (!buf) {
		/* Microsoft's lineGatherDigits: NULL ends the one in progress
		 * (dwNumDigits and the rest are ignored) */
		pthread_mutex_lock(&t->glock);
		gather_end_locked(t, LINEGATHERTERM_CANCEL, true);
		pthread_mutex_unlock(&t->glock);
		return 0;
	}
	/* DTMF is what an RTP call carries; PULSE alone could never end
	 * but by a time-out, so it is refused; with DTMF it is taken */
	if (!(modes & LINEDIGITMODE_DTMF) ||
	    (modes & ~(DWORD)(LINEDIGITMODE_DTMF | LINEDIGITMODE_PULSE)))
		return LINEERR_INVALDIGITMODE;
	if (!num)
		return LINEERR_INVALPARAM; /* "fails if dwNumDigits is zero" */
	memset(&g, 0, sizeof(g));
	for (const char *p = term ? term : ""; *p; p++) {
		char c = dtmf_digit(*p);

		if (!c)
			return LINEERR_INVALDIGITS;
		if (!strchr(g.term, c) && k < sizeof(g.term) - 1)
			g.term[k++] = c;
	}
	/* LINEDEVCAPS' dwGatherDigitsMinTimeout - dwGatherDigitsMaxTimeout;
	 * 0 is no time-out */
	if ((first_ms && (first_ms < TCALL_GATHER_MIN_TIMEOUT ||
	                  first_ms > TCALL_GATHER_MAX_TIMEOUT)) ||
	    (inter_ms && (inter_ms < TCALL_GATHER_MIN_TIMEOUT ||
	                  inter_ms > TCALL_GATHER_MAX_TIMEOUT)))
		return LINEERR_INVALTIMEOUT;
	g.room = num < GATHER_FIRST_ROOM ? num : GATHER_FIRST_ROOM;
	g.got = malloc(g.room);
	if (!g.got)
		return LINEERR_NOMEM;
	g.on = true;
	g.id = end_to_end_id;
	g.buf = buf;
	g.num = num;
	g.inter_ms = inter_ms;
	pthread_mutex_lock(&t->glock);
	/* the one in progress ends first, told before this returns */
	gather_end_locked(t, LINEGATHERTERM_CANCEL, true);
	t->g = g;
	gather_arm_locked(t, first_ms, true);
	pthread_mutex_unlock(&t->glock);
	return 0;
}

void tcall_digit(struct tcall *t, char digit)
{
	on_digit(t, digit, MEDIA_DIGIT_DOWN);
	on_digit(t, digit, MEDIA_DIGIT_UP);
}

void tcall_stats(struct tcall *t, struct media_stats *out)
{
	media_session_stats(t->s, out);
}

void tcall_free(struct tcall *t)
{
	if (!t)
		return;
	/* no callback after this: what the gathering has is final */
	media_session_free(t->s);
	pthread_mutex_lock(&t->glock);
	gather_end_locked(t, LINEGATHERTERM_CANCEL, false);
	pthread_mutex_unlock(&t->glock);
	pthread_mutex_destroy(&t->glock);
	free(t);
}
