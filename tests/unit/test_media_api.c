/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Media on a call through the line API, with esp's media (two esp lines
 * hear each other, docs/media.md): lineGetID ("tapi/line", "wave/in",
 * "wave/out"), lineGenerateDigits and LINE_GENERATE, lineMonitorDigits
 * and LINE_MONITORDIGITS, lineGatherDigits and LINE_GATHERDIGITS. The spec does
 * not cover these functions (issue 17 goes beyond it); each test names the rule
 * of Microsoft's documentation of the function or message it checks, or
 * tapi.h's where tapix extends it.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fx.h"

#define IV      LINEMEDIAMODE_INTERACTIVEVOICE
#define OWNER   LINECALLPRIVILEGE_OWNER
#define MONITOR LINECALLPRIVILEGE_MONITOR
#define NONE    LINECALLPRIVILEGE_NONE
#define DTMF    LINEDIGITMODE_DTMF
#define DTMFEND LINEDIGITMODE_DTMFEND
#define PI      3.14159265358979323846

static int setup(void **state)
{
	(void)state;
	fx_config_esp(4);
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

/* A connected call from line 0 to line 1: @out on 0, @in on 1. */
struct pair {
	HLINE l0, l1;
	HCALL out, in;
};

static void connect_pair(struct fx_app *a, struct pair *p)
{
	LONG req;

	p->l0 = fx_open(a, 0, NONE, 0);
	p->l1 = fx_open(a, 1, OWNER, IV);
	req = lineMakeCall(p->l0, &p->out, "101", 0, NULL);
	assert_true(req > 0);
	assert_int_equal(fx_reply(a, req), 0);
	p->in = (HCALL)fx_wait(a, LINE_APPNEWCALL, p->l1, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(a, lineAnswer(p->in, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, p->out, LINECALLSTATE_CONNECTED);
	fx_wait(a, LINE_CALLSTATE, p->in, LINECALLSTATE_CONNECTED);
}

static void end_pair(struct fx_app *a, struct pair *p)
{
	assert_int_equal(fx_reply(a, lineDrop(p->out, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, p->in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(a, lineDrop(p->in, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p->out), 0);
	assert_int_equal(lineDeallocateCall(p->in), 0);
}

/* The next LINE_MONITORDIGITS on @h: its digit and mode. */
static void expect_digit(struct fx_app *a, HCALL h, char digit, DWORD mode)
{
	LINEMESSAGE m = fx_wait(a, LINE_MONITORDIGITS, h, FX_ANY);

	assert_int_equal(m.dwParam1, (unsigned char)digit);
	assert_int_equal(m.dwParam2, mode);
}

/* lineGetID: the error table (Microsoft's lineGetID), nothing written on
 * an error. */
static void test_get_id_errors(void **s)
{
	struct fx_app a, m;
	struct pair p;
	union {
		VARSTRING vs;
		char buf[256];
	} u;
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&a, &p);
	memset(&u, 0x5a, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetID(p.l0, 0, 0, 0, &u.vs, "tapi/line"),
	                 LINEERR_INVALCALLSELECT);
	assert_int_equal(lineGetID(p.l0, 0, 0,
	                           LINECALLSELECT_LINE | LINECALLSELECT_CALL,
	                           &u.vs, "tapi/line"),
	                 LINEERR_INVALCALLSELECT);
	assert_int_equal(lineGetID(p.l0 + 0x1000, 0, 0, LINECALLSELECT_LINE,
	                           &u.vs, "tapi/line"),
	                 LINEERR_INVALLINEHANDLE);
	assert_int_equal(
		lineGetID(0, 0, p.l0, LINECALLSELECT_CALL, &u.vs, "tapi/line"),
		LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineGetID(p.l0, 9, 0, LINECALLSELECT_ADDRESS, &u.vs,
	                           "tapi/line"),
	                 LINEERR_INVALADDRESSID);
	assert_int_equal(
		lineGetID(p.l0, 0, 0, LINECALLSELECT_LINE, NULL, "tapi/line"),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineGetID(p.l0, 0, 0, LINECALLSELECT_LINE, &u.vs, NULL),
		LINEERR_INVALPOINTER);
	assert_int_equal(lineGetID(p.l0, 0, 0, LINECALLSELECT_LINE, &u.vs, ""),
	                 LINEERR_INVALDEVICECLASS);
	/* esp's lines have no device of their own, its calls no modem */
	assert_int_equal(
		lineGetID(p.l0, 0, 0, LINECALLSELECT_LINE, &u.vs, "wave/in"),
		LINEERR_INVALDEVICECLASS);
	assert_int_equal(lineGetID(0, 0, p.out, LINECALLSELECT_CALL, &u.vs,
	                           "comm/datamodem"),
	                 LINEERR_INVALDEVICECLASS);
	u.vs.dwTotalSize = sizeof(VARSTRING) - 1;
	assert_int_equal(
		lineGetID(p.l0, 0, 0, LINECALLSELECT_LINE, &u.vs, "tapi/line"),
		LINEERR_STRUCTURETOOSMALL);
	u.vs.dwTotalSize = sizeof(u);
	/* tapi-functions.md §0.4 — nothing written on an error */
	for (size_t i = sizeof(DWORD); i < sizeof(u); i++)
		assert_int_equal((unsigned char)u.buf[i], 0x5a);
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	end_pair(&a, &p);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/* lineGetID "tapi/line" (Microsoft's lineGetID remarks: the device id of
 * an open line, e.g. after LINEMAPPER), for a line and for a call. */
static void test_get_id_tapi_line(void **s)
{
	struct fx_app a;
	struct pair p;
	union {
		VARSTRING vs;
		char buf[64];
	} u;
	DWORD id;

	(void)s;
	fx_app_init(&a, "a");
	connect_pair(&a, &p);
	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	assert_int_equal(
		lineGetID(p.l1, 0, 0, LINECALLSELECT_LINE, &u.vs, "TAPI/Line"),
		0);
	assert_int_equal(u.vs.dwStringFormat, STRINGFORMAT_BINARY);
	assert_int_equal(u.vs.dwStringSize, sizeof(DWORD));
	assert_int_equal(u.vs.dwUsedSize, sizeof(VARSTRING) + sizeof(DWORD));
	memcpy(&id, u.buf + u.vs.dwStringOffset, sizeof(id));
	assert_int_equal(id, 1);
	assert_int_equal(
		lineGetID(0, 0, p.out, LINECALLSELECT_CALL, &u.vs, "tapi/line"),
		0);
	memcpy(&id, u.buf + u.vs.dwStringOffset, sizeof(id));
	assert_int_equal(id, 0);
	/* too small for the string: its size, and no string */
	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(VARSTRING);
	assert_int_equal(lineGetID(p.l0, 0, 0, LINECALLSELECT_ADDRESS, &u.vs,
	                           "tapi/line"),
	                 0);
	assert_int_equal(u.vs.dwNeededSize, sizeof(VARSTRING) + sizeof(DWORD));
	assert_int_equal(u.vs.dwUsedSize, sizeof(VARSTRING));
	assert_int_equal(u.vs.dwStringSize, 0);
	end_pair(&a, &p);
	fx_shutdown(&a);
}

/* lineGenerateDigits, lineMonitorDigits: their error tables (Microsoft's
 * pages of each). */
static void test_digit_errors(void **s)
{
	struct fx_app a, m;
	struct pair p;
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&a, &p);
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_consume_all(&a);
	assert_int_equal(lineGenerateDigits(0, DTMF, "1", 0),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineGenerateDigits(p.l0, DTMF, "1", 0),
	                 LINEERR_INVALCALLHANDLE);
	/* "The application must be an owner of the call" */
	assert_int_equal(lineGenerateDigits(min, DTMF, "1", 0),
	                 LINEERR_NOTOWNER);
	/* "dwDigitMode is allowed to have only a single flag set" */
	assert_int_equal(lineGenerateDigits(p.out, 0, "1", 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(
		lineGenerateDigits(p.out, DTMF | LINEDIGITMODE_PULSE, "1", 0),
		LINEERR_INVALDIGITMODE);
	assert_int_equal(lineGenerateDigits(p.out, DTMFEND, "1", 0),
	                 LINEERR_INVALDIGITMODE);
	/* esp's media: DTMF only (RFC 4733 events) */
	assert_int_equal(lineGenerateDigits(p.out, LINEDIGITMODE_PULSE, "1", 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(lineMonitorDigits(0, DTMF), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineMonitorDigits(p.out, 0x80),
	                 LINEERR_INVALDIGITMODE);
	/* a monitor may watch digits: it controls nothing by it */
	assert_int_equal(lineMonitorDigits(min, DTMF), 0);
	fx_expect_none(&a);
	end_pair(&a, &p);
	/* "any state except idle or disconnected" */
	fx_wait(&m, LINE_CALLSTATE, min, LINECALLSTATE_IDLE);
	assert_int_equal(lineMonitorDigits(min, DTMF), LINEERR_INVALCALLSTATE);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/*
 * Digits sent on one end are received on the other (RFC 4733 through
 * esp's media): LINE_MONITORDIGITS per digit with its mode, DTMF at its
 * start and DTMFEND at its end, to the handles monitoring that mode only;
 * LINE_GENERATE(DONE) to the app that generated, and no other.
 */
static void test_digits_end_to_end(void **s)
{
	struct fx_app a, m;
	struct pair p;
	LINEMESSAGE g;
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&a, &p);
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_consume_all(&m);
	assert_int_equal(lineMonitorDigits(p.in, DTMF | DTMFEND), 0);
	assert_int_equal(lineMonitorDigits(min, DTMFEND), 0);
	/* invalid digits are skipped, not refused; lower case is a digit */
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1x2#d", 60), 0);
	g = fx_wait(&a, LINE_GENERATE, p.out, FX_ANY);
	assert_int_equal(g.dwParam1, LINEGENERATETERM_DONE);
	assert_int_equal(g.dwParam2, 0); /* unused at the app's level */
	expect_digit(&a, p.in, '1', DTMF);
	expect_digit(&a, p.in, '1', DTMFEND);
	expect_digit(&a, p.in, '2', DTMF);
	expect_digit(&a, p.in, '2', DTMFEND);
	expect_digit(&a, p.in, '#', DTMF);
	expect_digit(&a, p.in, '#', DTMFEND);
	expect_digit(&a, p.in, 'D', DTMF);
	expect_digit(&a, p.in, 'D', DTMFEND);
	expect_digit(&m, min, '1', DTMFEND);
	expect_digit(&m, min, '2', DTMFEND);
	expect_digit(&m, min, '#', DTMFEND);
	expect_digit(&m, min, 'D', DTMFEND);
	/* only the generating app hears of the generation */
	assert_false(
		fx_wait_try(&m, LINE_GENERATE, FX_ANY_DEV, FX_ANY, 300, NULL));
	/* monitoring off: nothing more */
	assert_int_equal(lineMonitorDigits(p.in, 0), 0);
	assert_int_equal(lineMonitorDigits(min, 0), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "5", 60), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	assert_false(fx_wait_try(&a, LINE_MONITORDIGITS, FX_ANY_DEV, FX_ANY,
	                         300, NULL));
	assert_false(fx_wait_try(&m, LINE_MONITORDIGITS, FX_ANY_DEV, FX_ANY,
	                         100, NULL));
	end_pair(&a, &p);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/*
 * Generation cut short (Microsoft's lineGenerateDigits: a new request
 * aborts the one in progress; NULL aborts; LINE_GENERATE is also sent when
 * it is cancelled), and by the call's end (tapi.h, an extension: the
 * call's IDLE cancels it).
 */
static void test_generate_cancelled(void **s)
{
	struct fx_app a;
	struct pair p;
	LINEMESSAGE g;

	(void)s;
	fx_app_init(&a, "a");
	connect_pair(&a, &p);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1234567890", 500), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "5", 50), 0);
	g = fx_wait(&a, LINE_GENERATE, p.out, FX_ANY);
	assert_int_equal(g.dwParam1, LINEGENERATETERM_CANCEL);
	g = fx_wait(&a, LINE_GENERATE, p.out, FX_ANY);
	assert_int_equal(g.dwParam1, LINEGENERATETERM_DONE);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1234567890", 500), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, NULL, 0), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_CANCEL);
	/* the call ends while digits go out: CANCEL, once, before IDLE */
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1234567890", 500), 0);
	assert_int_equal(fx_reply(&a, lineDrop(p.out, NULL, 0)), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_CANCEL);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_IDLE);
	assert_false(fx_wait_try(&a, LINE_GENERATE, p.out, FX_ANY, 300, NULL));
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1", 0),
	                 LINEERR_INVALCALLSTATE);
	fx_wait(&a, LINE_CALLSTATE, p.in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(p.in, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(lineDeallocateCall(p.in), 0);
	fx_shutdown(&a);
}

/* Goertzel: the power of @freq in @n samples at 8000 Hz. */
static double tone_power(const int16_t *pcm, size_t n, double freq)
{
	double k = 2.0 * cos(2.0 * PI * freq / 8000.0), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] / 32768.0 + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* Reads @n bytes from @fd within @ms; false on end of file or time-out. */
static bool read_all(int fd, void *buf, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, ms) <= 0)
			return false;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* The TAPIXWAVEID lineGetID gives for @h's @cls. */
static TAPIXWAVEID wave_id(HCALL h, const char *cls)
{
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID)];
	} u;
	TAPIXWAVEID w;

	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetID(0, 0, h, LINECALLSELECT_CALL, &u.vs, cls),
	                 0);
	assert_int_equal(u.vs.dwStringFormat, STRINGFORMAT_BINARY);
	assert_int_equal(u.vs.dwStringSize, sizeof(TAPIXWAVEID));
	memcpy(&w, u.buf + u.vs.dwStringOffset, sizeof(w));
	assert_int_equal(w.dwRate, 8000);
	assert_int_equal(w.dwFormat, TAPIXWAVE_S16LE);
	return w;
}

/*
 * What one end says, the other hears (docs/media.md, TAPIXWAVEID): a
 * 1000 Hz tone written into one call's wave/out comes out of the other's
 * wave/in at 1000 Hz (Goertzel, against 500 Hz), through G.711 over
 * RTP; wave/in reads end of file when the call's media end.
 */
static void test_wave_audio(void **s)
{
	struct fx_app a;
	struct pair p;
	TAPIXWAVEID tx, rx, small;
	int16_t tone[160], heard[800];
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + 4];
	} u;
	bool found = false;
	char end;

	(void)s;
	fx_app_init(&a, "a");
	connect_pair(&a, &p);
	/* too small: the size needed, and no descriptor made */
	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	assert_int_equal(
		lineGetID(0, 0, p.in, LINECALLSELECT_CALL, &u.vs, "wave/in"),
		0);
	assert_int_equal(u.vs.dwNeededSize,
	                 sizeof(VARSTRING) + sizeof(TAPIXWAVEID));
	assert_int_equal(u.vs.dwStringSize, 0);
	small = wave_id(p.out, "wave/out");
	assert_int_equal(small.fdIn, -1);
	assert_true(small.fdOut >= 0);
	close(small.fdOut);
	tx = wave_id(p.out, "wave/out");
	rx = wave_id(p.in, "wave/in/out");
	assert_true(rx.fdIn >= 0 && rx.fdOut >= 0);
	for (int i = 0; i < 160; i++)
		tone[i] = (int16_t)(8000 * sin(2 * PI * 1000 * i / 8000.0));
	/* up to 3 s: write 20 ms, read what came, until the tone is heard */
	for (int round = 0; round < 150 && !found; round++) {
		assert_int_equal(write(tx.fdOut, tone, sizeof(tone)),
		                 sizeof(tone));
		if (!read_all(rx.fdIn, heard, sizeof(heard), 2000))
			fail_msg("wave/in gave nothing");
		found = tone_power(heard, 800, 1000) >
		                100 * (tone_power(heard, 800, 500) + 1e-9) &&
		        tone_power(heard, 800, 1000) > 1.0;
	}
	assert_true(found);
	end_pair(&a, &p);
	/* the media ended with the calls: end of file (within 5 s) */
	for (int i = 0; i < 250; i++) {
		struct pollfd pfd = {.fd = rx.fdIn, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		r = read(rx.fdIn, heard, sizeof(heard));
		if (r == 0)
			break;
		assert_true(r > 0 || errno == EINTR);
	}
	assert_true(fx_readable(rx.fdIn));
	assert_int_equal(read(rx.fdIn, &end, 1), 0);
	close(tx.fdOut);
	close(rx.fdIn);
	close(rx.fdOut);
	fx_shutdown(&a);
}

/*
 * lineGenerateTone (Microsoft's page, and tapi.h): its errors; a custom
 * tone of two frequencies heard at both on the far end's wave/in
 * (Goertzel) and LINE_GENERATE(DONE) to the app; a busy tone cut by
 * lineGenerateTone(0) (CANCEL), and by digits (one generation at a
 * time: CANCEL for the tone, DONE for the digits).
 */
static void test_tones(void **s)
{
	struct fx_app a, m;
	struct pair p;
	LINEGENERATETONE two[2] = {{700, 0, 0, 0xFFFF}, {1300, 0, 0, 0xFFFF}};
	LINEGENERATETONE five[5] = {{700, 0, 0, 0xFFFF}};
	TAPIXWAVEID rx;
	int16_t heard[1600];
	LINEMESSAGE g;
	bool found = false;
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&a, &p);
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_consume_all(&a);
	assert_int_equal(lineGenerateTone(0, LINETONEMODE_BEEP, 0, 0, NULL),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineGenerateTone(min, LINETONEMODE_BEEP, 0, 0, NULL),
	                 LINEERR_NOTOWNER);
	assert_int_equal(lineGenerateTone(p.out, 0x20, 0, 0, NULL),
	                 LINEERR_INVALTONEMODE);
	assert_int_equal(lineGenerateTone(p.out,
	                                  LINETONEMODE_BEEP | LINETONEMODE_BUSY,
	                                  0, 0, NULL),
	                 LINEERR_INVALTONEMODE);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 0, 0, two),
		LINEERR_INVALTONE);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 0, 5, five),
		LINEERR_INVALTONE);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 0, 2, NULL),
		LINEERR_INVALPOINTER);
	five[0].dwFrequency = 5000; /* above what 8 kHz audio carries */
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 0, 1, five),
		LINEERR_INVALTONE);
	fx_expect_none(&a);

	rx = wave_id(p.in, "wave/in");
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 3000, 2, two), 0);
	for (int i = 0; i < 15 && !found; i++) {
		if (!read_all(rx.fdIn, heard, sizeof(heard), 2000))
			fail_msg("wave/in gave nothing");
		found = tone_power(heard, 800, 700) > 1.0 &&
		        tone_power(heard, 800, 1300) > 1.0 &&
		        tone_power(heard, 800, 1000) * 100 <
		                tone_power(heard, 800, 700);
	}
	assert_true(found);
	g = fx_wait(&a, LINE_GENERATE, p.out, FX_ANY);
	assert_int_equal(g.dwParam1, LINEGENERATETERM_DONE);
	assert_false(
		fx_wait_try(&m, LINE_GENERATE, FX_ANY_DEV, FX_ANY, 200, NULL));

	assert_int_equal(lineGenerateTone(p.out, LINETONEMODE_BUSY, 0, 0, NULL),
	                 0);
	assert_int_equal(lineGenerateTone(p.out, 0, 0, 0, NULL), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_CANCEL);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_RINGBACK, 0, 0, NULL), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1", 50), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_CANCEL);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	close(rx.fdIn);
	end_pair(&a, &p);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/*
 * lineMonitorTones (Microsoft's page, tapi.h): its errors; a custom tone
 * of 700 + 1300 Hz generated on one end is heard on the other as the
 * listened tone with those frequencies (LINE_MONITORTONE with its
 * dwAppSpecific), once, and a tone at other frequencies is not; an
 * empty list stops listening.
 */
static void test_monitor_tones(void **s)
{
	struct fx_app a, mo;
	struct pair p;
	LINEGENERATETONE two[2] = {{700, 0, 0, 0xFFFF}, {1300, 0, 0, 0xFFFF}};
	LINEMONITORTONE want[2] = {{42, 200, 700, 1300, 0},
	                           {43, 200, 900, 0, 0}};
	LINEMONITORTONE other[2] = {{7, 200, 700, 1300, 0},
	                            {8, 200, 450, 0, 0}};
	LINEMONITORTONE many[8], bad[9] = {{1, 100, 0, 0, 0}};
	LINEMESSAGE m;
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&mo, "mo");
	lm = fx_open(&mo, 1, MONITOR, 0);
	connect_pair(&a, &p);
	min = (HCALL)fx_wait(&mo, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_consume_all(&a);
	fx_consume_all(&mo);
	assert_int_equal(lineMonitorTones(0, want, 2), LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineMonitorTones(p.in, bad, 9), LINEERR_INVALTONELIST);
	assert_int_equal(lineMonitorTones(p.in, bad, 1), LINEERR_INVALTONELIST);
	assert_int_equal(lineMonitorTones(p.in, NULL, 2), LINEERR_INVALPOINTER);
	bad[0].dwFrequency1 = 5000; /* above what 8 kHz audio carries */
	assert_int_equal(lineMonitorTones(p.in, bad, 1), LINEERR_INVALTONELIST);
	fx_expect_none(&a);

	/* each handle its own list (Microsoft's LINE_MONITORTONE: "to the
	 * application" that asked, with its dwAppSpecific) */
	assert_int_equal(lineMonitorTones(p.in, want, 2), 0);
	assert_int_equal(lineMonitorTones(min, other, 2), 0);
	/* tapi.h: at most 8 different tones a call: 2 + 1 (700 + 1300 is
	 * the same) + 8 are too many; the handle keeps its list */
	for (unsigned k = 0; k < 8; k++)
		many[k] = (LINEMONITORTONE){k, 200, 1500 + 100 * k, 0, 0};
	assert_int_equal(lineMonitorTones(min, many, 8),
	                 LINEERR_RESOURCEUNAVAIL);
	/* a list the provider refuses leaves every handle's as it was */
	assert_int_equal(lineMonitorTones(min, bad, 1), LINEERR_INVALTONELIST);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 1000, 2, two), 0);
	m = fx_wait(&a, LINE_MONITORTONE, p.in, FX_ANY);
	assert_int_equal(m.dwParam1, 42);
	m = fx_wait(&mo, LINE_MONITORTONE, min, FX_ANY);
	assert_int_equal(m.dwParam1, 7);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	/* once per hearing, and not the 900 or 450 Hz ones */
	assert_false(
		fx_wait_try(&a, LINE_MONITORTONE, p.in, FX_ANY, 300, NULL));
	assert_false(
		fx_wait_try(&mo, LINE_MONITORTONE, min, FX_ANY, 100, NULL));
	/* one handle stops: the other still hears */
	assert_int_equal(lineMonitorTones(p.in, NULL, 0), 0);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 500, 2, two), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	m = fx_wait(&mo, LINE_MONITORTONE, min, FX_ANY);
	assert_int_equal(m.dwParam1, 7);
	assert_false(
		fx_wait_try(&a, LINE_MONITORTONE, p.in, FX_ANY, 300, NULL));
	/* and then nobody */
	assert_int_equal(lineMonitorTones(min, NULL, 0), 0);
	assert_int_equal(
		lineGenerateTone(p.out, LINETONEMODE_CUSTOM, 500, 2, two), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	assert_false(
		fx_wait_try(&mo, LINE_MONITORTONE, min, FX_ANY, 300, NULL));
	end_pair(&a, &p);
	fx_wait(&mo, LINE_CALLSTATE, min, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&mo);
	fx_shutdown(&a);
}

/* ---- lineGatherDigits (Microsoft's lineGatherDigits, LINE_GATHERDIGITS
 * and LINEGATHERTERM_; tapi.h for what tapix adds) */

#define GATHER_WAIT_MS 3000

/* The next LINE_GATHERDIGITS on @h: its reason (dwParam2 is unused at
 * the app's level: 0). */
static DWORD gathered(struct fx_app *a, HCALL h)
{
	LINEMESSAGE m = fx_wait(a, LINE_GATHERDIGITS, h, FX_ANY);

	assert_int_equal(m.dwParam2, 0);
	return (DWORD)m.dwParam1;
}

/* lineGatherDigits' errors: each with nothing written and no message. */
static void test_gather_errors(void **s)
{
	struct fx_app a, m;
	struct pair p;
	char buf[8];
	HLINE lm;
	HCALL min;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&m, "m");
	lm = fx_open(&m, 1, MONITOR, 0);
	connect_pair(&a, &p);
	min = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_consume_all(&a);
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(0, DTMF, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALCALLHANDLE);
	assert_int_equal(lineGatherDigits(p.l1, DTMF, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALCALLHANDLE);
	/* "The application must be an owner of the call" */
	assert_int_equal(lineGatherDigits(min, DTMF, buf, 4, NULL, 0, 0),
	                 LINEERR_NOTOWNER);
	/* "Digit modes to be monitored": LINEDIGITMODE_ PULSE and DTMF
	 * (DTMFEND is a monitoring mode, not one of gathering) */
	assert_int_equal(lineGatherDigits(p.in, 0, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(lineGatherDigits(p.in, DTMFEND, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	assert_int_equal(lineGatherDigits(p.in, 0x80, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALDIGITMODE);
	/* "This function fails if dwNumDigits is zero"; tapi.h: at most
	 * 4,096 */
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 0, NULL, 0, 0),
	                 LINEERR_INVALPARAM);
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4097, NULL, 0, 0),
	                 LINEERR_INVALPARAM);
	/* "The list of valid characters is dependent on the constants
	 * provided in dwDigitModes" */
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, "1x", 0, 0),
	                 LINEERR_INVALDIGITS);
	assert_int_equal(
		lineGatherDigits(p.in, LINEDIGITMODE_PULSE, buf, 4, "#", 0, 0),
		LINEERR_INVALDIGITS);
	/* LINEDEVCAPS' dwGatherDigitsMinTimeout and MaxTimeout bound them */
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 1, 0),
	                 LINEERR_INVALTIMEOUT);
	assert_int_equal(
		lineGatherDigits(p.in, DTMF, buf, 4, NULL, 0, 0x7FFFFFFF),
		LINEERR_INVALTIMEOUT);
	/* NULL ends what is in progress: nothing is, no message */
	assert_int_equal(lineGatherDigits(p.in, DTMF, NULL, 0, NULL, 0, 0), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'z');
	assert_false(fx_wait_try(&a, LINE_GATHERDIGITS, FX_ANY_DEV, FX_ANY, 200,
	                         NULL));
	end_pair(&a, &p);
	fx_wait(&m, LINE_CALLSTATE, min, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(min), 0);
	fx_shutdown(&m);
	fx_shutdown(&a);
}

/*
 * Each way a gather ends (LINEGATHERTERM_): the buffer full (no NUL
 * after dwNumDigits), a termination digit ("the matched termination
 * digit is the last digit in the buffer"), the first-digit time-out
 * ("the buffer contains only the null character") and the inter-digit
 * one ("only the digits collected up to this point followed by a null
 * character"); digits counted once, at their start; lineMonitorDigits
 * goes on beside it.
 */
static void test_gather_ends(void **s)
{
	struct fx_app a;
	struct pair p;
	char buf[16];

	(void)s;
	fx_app_init(&a, "a");
	connect_pair(&a, &p);
	assert_int_equal(lineMonitorDigits(p.in, DTMF), 0);

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 3, NULL, 0, 0), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1234", 60), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_BUFFERFULL);
	assert_memory_equal(buf, "123z", 4);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	expect_digit(&a, p.in, '1', DTMF);
	expect_digit(&a, p.in, '2', DTMF);
	expect_digit(&a, p.in, '3', DTMF);
	expect_digit(&a, p.in, '4', DTMF);

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(
		lineGatherDigits(p.in, DTMF, buf, 10, "*#", 0, GATHER_WAIT_MS),
		0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "45#6", 60), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_TERMDIGIT);
	assert_memory_equal(buf, "45#\0z", 5);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	/* a lower-case termination digit is the digit (tapi.h) */
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 10, "d", 0, 0), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "1D", 60), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_TERMDIGIT);
	assert_memory_equal(buf, "1D\0", 3);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 300, 0), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_FIRSTTIMEOUT);
	assert_memory_equal(buf, "\0z", 2);

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(
		lineGatherDigits(p.in, DTMF, buf, 4, NULL, GATHER_WAIT_MS, 400),
		0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "7", 60), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_INTERTIMEOUT);
	assert_memory_equal(buf, "7\0z", 3);
	fx_consume_all(&a);
	end_pair(&a, &p);
	fx_shutdown(&a);
}

/*
 * A gather cut short: lpsDigits NULL ("the digit gathering currently in
 * progress on the call is terminated"), a new request (by this or another
 * owner, LINEGATHERTERM_CANCEL "by this application, by another
 * application"), the call's end ("or because the call terminated": then
 * before its IDLE, the buffer empty), and a handle deallocated meanwhile
 * (nobody to tell, nothing written).
 */
static void test_gather_cancelled(void **s)
{
	struct fx_app a, b;
	struct pair p;
	char buf[8], buf2[8];
	HLINE lb;
	HCALL bin;

	(void)s;
	fx_app_init(&a, "a");
	fx_app_init(&b, "b");
	lb = fx_open(&b, 1, MONITOR, 0);
	connect_pair(&a, &p);
	bin = (HCALL)fx_wait(&b, LINE_APPNEWCALL, lb, FX_ANY).dwParam2;
	/* a second owner of the call (lineSetCallPrivilege) */
	assert_int_equal(lineSetCallPrivilege(bin, OWNER), 0);
	fx_consume_all(&b);

	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 0, 0), 0);
	assert_int_equal(lineGatherDigits(p.in, DTMF, NULL, 0, NULL, 0, 0), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_CANCEL);

	/* what came before the cancel is kept */
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 0, 0), 0);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "9", 60), 0);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);
	usleep(200 * 1000);
	memset(buf2, 'z', sizeof(buf2));
	assert_int_equal(lineGatherDigits(bin, DTMF, buf2, 2, NULL, 0, 0), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_CANCEL);
	assert_memory_equal(buf, "9\0z", 3);
	assert_int_equal(lineGenerateDigits(p.out, DTMF, "12", 60), 0);
	assert_int_equal(gathered(&b, bin), LINEGATHERTERM_BUFFERFULL);
	assert_memory_equal(buf2, "12z", 3);
	fx_wait(&a, LINE_GENERATE, p.out, LINEGENERATETERM_DONE);

	/* a deallocated handle: no message, its buffer not written */
	memset(buf2, 'z', sizeof(buf2));
	assert_int_equal(lineGatherDigits(bin, DTMF, buf2, 2, NULL, 0, 0), 0);
	assert_int_equal(lineDeallocateCall(bin), 0);
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 0, 0), 0);
	usleep(200 * 1000);
	for (size_t i = 0; i < sizeof(buf2); i++)
		assert_int_equal(buf2[i], 'z');

	/* the call ends: CANCEL before IDLE, no digits */
	assert_int_equal(fx_reply(&a, lineDrop(p.in, NULL, 0)), 0);
	assert_int_equal(gathered(&a, p.in), LINEGATHERTERM_CANCEL);
	assert_int_equal(buf[0], '\0');
	fx_wait(&a, LINE_CALLSTATE, p.in, LINECALLSTATE_IDLE);
	assert_false(fx_wait_try(&a, LINE_GATHERDIGITS, FX_ANY_DEV, FX_ANY, 300,
	                         NULL));
	assert_int_equal(lineGatherDigits(p.in, DTMF, buf, 4, NULL, 0, 0),
	                 LINEERR_INVALCALLSTATE);
	fx_wait(&a, LINE_CALLSTATE, p.out, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(p.out, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(p.out), 0);
	assert_int_equal(lineDeallocateCall(p.in), 0);
	assert_false(fx_wait_try(&b, LINE_GATHERDIGITS, FX_ANY_DEV, FX_ANY, 100,
	                         NULL));
	fx_shutdown(&b);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_id_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_get_id_tapi_line, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_digit_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_digits_end_to_end, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_generate_cancelled, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_wave_audio, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_tones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_tones, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_errors, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_ends, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_gather_cancelled, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
