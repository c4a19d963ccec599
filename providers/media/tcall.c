/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TSPI side of a call's media (tcall.h): a media session and the
 * events of its digits, for esp and sip.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tcall.h"

#define DIGITS_MAX 512

struct tcall {
	struct media_session *s;
	LINEEVENT ev;
	HTAPILINE htl;
	_Atomic(HTAPICALL) htc; /* NULL until TAPI knows the call */
	_Atomic DWORD monitor;  /* LINEDIGITMODE_DTMF | _DTMFEND */
	_Atomic int kick_fd;    /* told of an RTP time-out, or -1 */
	_Atomic DWORD list_id;  /* TSPI_lineMonitorTones' list, or 0 */
	atomic_bool timed_out;
};

DWORD tcall_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (DWORD)((uint64_t)ts.tv_sec * 1000u +
	               (uint64_t)ts.tv_nsec / 1000000u);
}

/* Media thread: a digit from the far end. */
static void on_digit(void *ctx, char digit, enum media_digit_edge edge)
{
	struct tcall *t = ctx;
	DWORD mode = edge == MEDIA_DIGIT_DOWN ? LINEDIGITMODE_DTMF
	                                      : LINEDIGITMODE_DTMFEND;
	HTAPICALL htc = atomic_load(&t->htc);

	if (htc && (atomic_load(&t->monitor) & mode))
		t->ev(t->htl, htc, LINE_MONITORDIGITS,
		      (DWORD_PTR)(unsigned char)digit, mode, tcall_ticks());
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
	e = media_session_new(m, local_addr, &events, t, &t->s);
	if (e) {
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

LONG tcall_generate(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                    LPCSTR digits, DWORD duration)
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
	e = media_session_digits(t->s, keep, duration, end_to_end_id);
	if (e == -EAGAIN)
		return LINEERR_INVALCALLSTATE;
	if (e == -EINVAL)
		return LINEERR_OPERATIONUNAVAIL;
	if (e)
		return LINEERR_OPERATIONFAILED;
	if (!n && digits) {
		/* nothing to send: done at once */
		on_digits_done(t, end_to_end_id, true);
	}
	return 0;
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
	/* the list's id first: a tone of the new list is told under it */
	atomic_store(&t->list_id, n ? list_id : 0);
	if (media_session_watch(t->s, w, n) != 0) {
		atomic_store(&t->list_id, 0);
		media_session_watch(t->s, NULL, 0);
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
	media_session_free(t->s);
	free(t);
}
