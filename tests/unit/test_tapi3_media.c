/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI 3 layer's media (tapix/tapi3.h): file playback and recording
 * terminals and digit events, on esp, whose two ends of a call hear each
 * other (docs/media.md). Two TAPI objects of this process are the two
 * ends. The spec (tapi3-call-control.md §0) leaves terminals out; each
 * test names the Microsoft page (or tapi3.h's rule, where tapix decides)
 * it checks. Files live in a temporary directory of the test's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tapix/tapi3.h>

#include "fx.h"

#define AUDIO TAPIMEDIATYPE_AUDIO
#define PHONE LINEADDRESSTYPE_PHONENUMBER
#define DTMF  LINEDIGITMODE_DTMF
#define DTMFE LINEDIGITMODE_DTMFEND
#define PI    3.14159265358979323846
#define QUIET 300 /* ms to wait for an event that must not come */
#define EVENTS                                                  \
	(TE_CALLNOTIFICATION | TE_CALLSTATE | TE_FILETERMINAL | \
	 TE_DIGITEVENT | TE_GENERATEEVENT)
#define PLAY   CLSID_String_FilePlaybackTerminal
#define RECORD CLSID_String_FileRecordingTerminal

static char dir[512]; /* this test's files */

static int setup(void **state)
{
	(void)state;
	fx_config_esp(4);
	fx_tmp_path(dir, sizeof(dir), "tapix-t3media-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

/* Removes the files the tests made, then the directory. */
static void clean_dir(void)
{
	static const char *const names[] = {
		"tone.wav",   "long.wav", "rec.wav", "rec2.wav", "text.wav",
		"stereo.wav", "8bit.wav", "44k.wav", "16k.wav",  "short.wav"};
	char p[600];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		(void)unlink(p);
	}
	if (rmdir(dir) != 0)
		fail_msg("%s left behind: %s", dir, strerror(errno));
}

static int teardown(void **state)
{
	clean_dir();
	return fx_teardown(state);
}

static const char *path_of(const char *name)
{
	static char p[4][600];
	static unsigned k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* ---- WAV files ------------------------------------------------------------
 */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Writes a WAV file of @ms of @freq Hz (0: silence) in the given format. */
static void write_wav(const char *name, uint32_t rate, uint16_t channels,
                      uint16_t bits, double freq, unsigned ms)
{
	uint32_t frames = rate / 1000 * ms,
		 bytes = frames * channels * bits / 8;
	uint8_t h[44];
	FILE *f = fopen(path_of(name), "wb");

	assert_non_null(f);
	memcpy(h, "RIFF", 4);
	put32(h + 4, 36 + bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1);
	put16(h + 22, channels);
	put32(h + 24, rate);
	put32(h + 28, rate * channels * bits / 8);
	put16(h + 32, (uint16_t)(channels * bits / 8));
	put16(h + 34, bits);
	memcpy(h + 36, "data", 4);
	put32(h + 40, bytes);
	assert_int_equal(fwrite(h, 1, sizeof(h), f), sizeof(h));
	for (uint32_t i = 0; i < frames; i++) {
		double v = freq ? 8000 * sin(2 * PI * freq * i / rate) : 0;

		for (uint16_t c = 0; c < channels; c++) {
			if (bits == 16) {
				uint8_t s[2];

				put16(s, (uint16_t)(int16_t)v);
				assert_int_equal(fwrite(s, 1, 2, f), 2);
			} else {
				assert_int_equal(fputc(128, f), 128);
			}
		}
	}
	assert_int_equal(fclose(f), 0);
}

/*
 * Reads a recording: checks its header is complete (the RIFF and data
 * sizes match the file's) and says 16-bit PCM mono at 8000 Hz; returns
 * its samples (malloc'ed) and their number.
 */
static int16_t *read_recording(const char *name, size_t *n)
{
	FILE *f = fopen(path_of(name), "rb");
	uint8_t h[44];
	int16_t *pcm;
	long size;
	uint32_t data;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 44);
	rewind(f);
	assert_int_equal(fread(h, 1, 44, f), 44);
	assert_memory_equal(h, "RIFF", 4);
	assert_memory_equal(h + 8, "WAVEfmt ", 8);
	assert_memory_equal(h + 36, "data", 4);
	data = (uint32_t)h[40] | (uint32_t)h[41] << 8 | (uint32_t)h[42] << 16 |
	       (uint32_t)h[43] << 24;
	assert_int_equal(data, (uint32_t)size - 44);
	assert_int_equal((uint32_t)h[4] | (uint32_t)h[5] << 8 |
	                         (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24,
	                 36 + data);
	assert_int_equal(h[20] | h[21] << 8, 1);  /* PCM */
	assert_int_equal(h[22] | h[23] << 8, 1);  /* mono */
	assert_int_equal(h[34] | h[35] << 8, 16); /* bits */
	assert_int_equal((uint32_t)h[24] | (uint32_t)h[25] << 8, 8000);
	*n = data / 2;
	pcm = malloc(data + 2);
	assert_non_null(pcm);
	assert_int_equal(fread(pcm, 1, data, f), data);
	fclose(f);
	return pcm; /* (little-endian, as this machine) */
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

/* The 20 ms blocks of @pcm in which 1000 Hz is clearly there. */
static unsigned tone_blocks(const int16_t *pcm, size_t n)
{
	unsigned hits = 0;

	for (size_t i = 0; i + 160 <= n; i += 160) {
		double on = tone_power(pcm + i, 160, 1000);
		double off = tone_power(pcm + i, 160, 500) +
		             tone_power(pcm + i, 160, 1500);

		hits += on > 0.5 && on > 20 * (off + 1e-9);
	}
	return hits;
}

/* ---- two TAPI objects, a call between them --------------------------------
 */

struct end {
	struct tapix_tapi *t;
	struct tapix_address *addr[8];
	size_t n;
};

static void end_up(struct end *e)
{
	struct tapix_address **v;

	memset(e, 0, sizeof(*e));
	assert_int_equal(tapix_tapi_initialize(&e->t, "t3media"), S_OK);
	assert_int_equal(tapix_tapi_enum_addresses(e->t, &v, &e->n), S_OK);
	assert_true(e->n >= 2 && e->n <= 8);
	memcpy(e->addr, v, e->n * sizeof(*v));
	free(v);
	assert_int_equal(tapix_tapi_set_event_filter(e->t, EVENTS), S_OK);
}

static struct tapix_event *next_event(struct end *e)
{
	struct tapix_event *ev = NULL;

	assert_int_equal(tapix_tapi_get_event(e->t, &ev, FX_WAIT_MS), S_OK);
	assert_non_null(ev);
	return ev;
}

/* Events until one of @type comes (call states on the way are passed). */
static struct tapix_event *event_of(struct end *e, uint32_t type)
{
	for (;;) {
		struct tapix_event *ev = next_event(e);

		if (tapix_event_type(ev) == type)
			return ev;
		assert_int_equal(tapix_event_type(ev), TE_CALLSTATE);
		tapix_event_release(ev);
	}
}

/* The next TE_FILETERMINAL event is @term's @st with @cause. */
static void expect_ft(struct end *e, struct tapix_terminal *term,
                      TERMINAL_MEDIA_STATE st, FT_STATE_EVENT_CAUSE cause)
{
	struct tapix_event *ev = event_of(e, TE_FILETERMINAL);
	TERMINAL_MEDIA_STATE got;
	FT_STATE_EVENT_CAUSE why;
	HRESULT err = E_FAIL;

	assert_ptr_equal(tapix_event_terminal(ev), term);
	assert_int_equal(tapix_event_file_terminal(ev, &got, &why, &err), S_OK);
	assert_int_equal(got, st);
	assert_int_equal(why, cause);
	assert_int_equal(err, S_OK);
	tapix_event_release(ev);
}

static void expect_state(struct end *e, struct tapix_call *c, CALL_STATE st)
{
	for (;;) {
		struct tapix_event *ev = event_of(e, TE_CALLSTATE);
		CALL_STATE got;

		assert_ptr_equal(tapix_event_call(ev), c);
		assert_int_equal(tapix_event_call_state(ev, &got, NULL), S_OK);
		tapix_event_release(ev);
		if (got == st)
			return;
		assert_int_equal(got, CS_INPROGRESS); /* on the way */
	}
}

/* A connected call from @x's address 0 to @y's address 1 ("101"). */
static void call_up(struct end *x, struct end *y, struct tapix_call **out,
                    struct tapix_call **in)
{
	struct tapix_event *ev;
	int32_t cookie;

	assert_int_equal(
		tapix_tapi_register_call_notifications(y->t, y->addr[1], false,
	                                               true, AUDIO, 5, &cookie),
		S_OK);
	assert_int_equal(
		tapix_address_create_call(x->addr[0], "101", PHONE, AUDIO, out),
		S_OK);
	assert_int_equal(tapix_call_connect(*out, false), S_OK);
	ev = next_event(y);
	assert_int_equal(tapix_event_type(ev), TE_CALLNOTIFICATION);
	*in = tapix_event_call(ev);
	tapix_call_addref(*in);
	tapix_event_release(ev);
	expect_state(y, *in, CS_OFFERING);
	assert_int_equal(tapix_call_answer(*in), S_OK);
	expect_state(y, *in, CS_CONNECTED);
	expect_state(x, *out, CS_CONNECTED);
}

static void call_down(struct end *x, struct end *y, struct tapix_call *out,
                      struct tapix_call *in)
{
	assert_int_equal(tapix_call_disconnect(out, DC_NORMAL), S_OK);
	expect_state(y, in, CS_DISCONNECTED);
	tapix_call_release(out);
	tapix_call_release(in);
	assert_int_equal(tapix_tapi_shutdown(x->t), S_OK);
	assert_int_equal(tapix_tapi_shutdown(y->t), S_OK);
}

static struct tapix_terminal *terminal(struct end *e, unsigned a,
                                       const char *cls, TERMINAL_DIRECTION d)
{
	struct tapix_terminal *term = NULL;

	assert_int_equal(
		tapix_address_create_terminal(e->addr[a], cls, AUDIO, d, &term),
		S_OK);
	assert_non_null(term);
	assert_int_equal(tapix_terminal_get_direction(term), d);
	return term;
}

/* ---- tests ----------------------------------------------------------------
 */

/*
 * A file played on one end is in the file recorded on the other
 * (Microsoft's "File Terminals": a playback terminal plays a file to the
 * stream, a recording terminal records a stream to a file; ITMediaControl
 * Start; TE_FILETERMINAL events with TMS_ACTIVE, then TMS_IDLE and
 * FTEC_END_OF_FILE when the play list is done, FTEC_NORMAL for Stop).
 * The recording holds the tone (Goertzel on its samples, not its size)
 * and its header is complete once Stop returns.
 */
static void test_t3_playback_heard_in_recording(void **s)
{
	const char *list[1];
	struct tapix_terminal *play, *rec;
	struct tapix_call *out, *in;
	struct tapix_event *ev;
	TERMINAL_MEDIA_STATE ms;
	struct end x, y;
	int16_t *pcm;
	size_t n;

	(void)s;
	write_wav("tone.wav", 8000, 1, 16, 1000, 1000);
	end_up(&x);
	end_up(&y);
	call_up(&x, &y, &out, &in);
	play = terminal(&x, 0, PLAY, TD_CAPTURE);
	rec = terminal(&y, 1, RECORD, TD_RENDER);
	list[0] = path_of("tone.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1), S_OK);
	assert_int_equal(tapix_terminal_put_file_name(rec, path_of("rec.wav")),
	                 S_OK);
	assert_int_equal(tapix_call_select_terminal(out, play), S_OK);
	assert_int_equal(tapix_call_select_terminal(in, rec), S_OK);

	assert_int_equal(tapix_terminal_start(rec), S_OK);
	expect_ft(&y, rec, TMS_ACTIVE, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_start(play), S_OK);
	/* the event names the call the terminal is on (get_Call) */
	ev = event_of(&x, TE_FILETERMINAL);
	assert_ptr_equal(tapix_event_call(ev), out);
	assert_ptr_equal(tapix_event_terminal(ev), play);
	assert_int_equal(tapix_event_file_terminal(ev, &ms, NULL, NULL), S_OK);
	assert_int_equal(ms, TMS_ACTIVE);
	tapix_event_release(ev);
	assert_int_equal(tapix_terminal_get_media_state(play, &ms), S_OK);
	assert_int_equal(ms, TMS_ACTIVE);
	/* one second of tone, paced by the call: the end of file comes */
	expect_ft(&x, play, TMS_IDLE, FTEC_END_OF_FILE);
	assert_int_equal(tapix_terminal_get_media_state(play, &ms), S_OK);
	assert_int_equal(ms, TMS_IDLE);
	/* what was still on its way is heard (the call's buffers) */
	ev = NULL;
	assert_int_equal(tapix_tapi_get_event(y.t, &ev, QUIET), S_FALSE);
	assert_int_equal(tapix_terminal_stop(rec), S_OK);
	expect_ft(&y, rec, TMS_IDLE, FTEC_NORMAL);
	/* Stop again: nothing to do, no event */
	assert_int_equal(tapix_terminal_stop(rec), S_OK);

	pcm = read_recording("rec.wav", &n);
	/* 50 blocks of 20 ms were played: most are heard (G.711 on RTP) */
	assert_true(tone_blocks(pcm, n) >= 35);
	free(pcm);

	assert_int_equal(tapix_call_unselect_terminal(out, play), S_OK);
	assert_int_equal(tapix_call_unselect_terminal(out, play),
	                 TAPI_E_INVALIDTERMINAL);
	tapix_terminal_release(play);
	tapix_terminal_release(rec); /* (still selected on @in) */
	call_down(&x, &y, out, in);
}

/*
 * Both terminals stop when the call ends (tapi3.h: the call's media end,
 * TMS_IDLE with FTEC_NORMAL), the recording complete; Pause and Start
 * (Microsoft's ITMediaControl::Pause: remains at the current location;
 * Start: goes on from there) give TMS_PAUSED and TMS_ACTIVE.
 */
static void test_t3_terminals_end_with_call(void **s)
{
	const char *list[2];
	struct tapix_terminal *play, *rec;
	struct tapix_call *out, *in;
	struct tapix_event *ev = NULL;
	struct end x, y;
	int16_t *pcm;
	size_t n;

	(void)s;
	write_wav("long.wav", 8000, 1, 16, 1000, 10000);
	write_wav("short.wav", 8000, 1, 16, 0, 100);
	end_up(&x);
	end_up(&y);
	call_up(&x, &y, &out, &in);
	play = terminal(&x, 0, PLAY, TD_CAPTURE);
	rec = terminal(&y, 1, RECORD, TD_RENDER);
	list[0] = path_of("short.wav");
	list[1] = path_of("long.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 2), S_OK);
	assert_int_equal(tapix_terminal_put_file_name(rec, path_of("rec2.wav")),
	                 S_OK);
	assert_int_equal(tapix_call_select_terminal(out, play), S_OK);
	assert_int_equal(tapix_call_select_terminal(in, rec), S_OK);
	assert_int_equal(tapix_terminal_start(rec), S_OK);
	expect_ft(&y, rec, TMS_ACTIVE, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_start(play), S_OK);
	expect_ft(&x, play, TMS_ACTIVE, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_pause(play), S_OK);
	expect_ft(&x, play, TMS_PAUSED, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_pause(play), S_OK); /* no event */
	assert_int_equal(tapix_terminal_start(play), S_OK);
	expect_ft(&x, play, TMS_ACTIVE, FTEC_NORMAL);
	/* put_PlayList while it runs */
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPI_E_WRONG_STATE);
	/* the tone goes on (a second of it, nothing else happens) until the
	 * far end hangs up */
	assert_int_equal(tapix_tapi_get_event(y.t, &ev, 1000), S_FALSE);
	assert_int_equal(tapix_call_disconnect(in, DC_NORMAL), S_OK);
	expect_ft(&y, rec, TMS_IDLE, FTEC_NORMAL);
	/* the caller hears of both, in either order */
	for (int seen = 0; seen != 3;) {
		ev = next_event(&x);
		if (tapix_event_type(ev) == TE_FILETERMINAL) {
			TERMINAL_MEDIA_STATE st;
			FT_STATE_EVENT_CAUSE why;

			assert_ptr_equal(tapix_event_terminal(ev), play);
			assert_int_equal(
				tapix_event_file_terminal(ev, &st, &why, NULL),
				S_OK);
			assert_int_equal(st, TMS_IDLE);
			assert_int_equal(why, FTEC_NORMAL);
			seen |= 1;
		} else {
			CALL_STATE st;

			assert_int_equal(tapix_event_call_state(ev, &st, NULL),
			                 S_OK);
			assert_int_equal(st, CS_DISCONNECTED);
			seen |= 2;
		}
		tapix_event_release(ev);
	}
	/* nothing runs on a call that is gone */
	assert_int_equal(tapix_terminal_start(play), TAPI_E_INVALCALLSTATE);
	pcm = read_recording("rec2.wav", &n);
	assert_true(tone_blocks(pcm, n) >= 20);
	free(pcm);
	tapix_terminal_release(play);
	tapix_terminal_release(rec);
	tapix_call_release(out);
	tapix_call_release(in);
	assert_int_equal(tapix_tapi_shutdown(x.t), S_OK);
	assert_int_equal(tapix_tapi_shutdown(y.t), S_OK);
}

/*
 * A file of the play list that cannot be read when its turn comes ends
 * playback with TMS_IDLE, FTEC_READ_ERROR and an error (Microsoft's
 * FT_STATE_EVENT_CAUSE: "storage read error on playback"); Stop while it
 * plays gives TMS_IDLE, FTEC_NORMAL, and Start plays again (ITMediaControl
 * ::Stop sets the location to the beginning).
 */
static void test_t3_playback_read_error(void **s)
{
	const char *list[2];
	struct tapix_terminal *play;
	struct tapix_call *out, *in;
	struct tapix_event *ev;
	FT_STATE_EVENT_CAUSE why;
	TERMINAL_MEDIA_STATE st;
	struct end x, y;
	HRESULT err = S_OK;

	(void)s;
	/* longer than the call's buffers: the second file's turn comes
	 * about two seconds after Start */
	write_wav("long.wav", 8000, 1, 16, 1000, 2000);
	write_wav("gone.wav", 8000, 1, 16, 1000, 100);
	end_up(&x);
	end_up(&y);
	call_up(&x, &y, &out, &in);
	play = terminal(&x, 0, PLAY, TD_CAPTURE);
	list[0] = path_of("long.wav");
	list[1] = path_of("gone.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 2), S_OK);
	assert_int_equal(tapix_call_select_terminal(out, play), S_OK);
	assert_int_equal(tapix_terminal_start(play), S_OK);
	expect_ft(&x, play, TMS_ACTIVE, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_stop(play), S_OK);
	expect_ft(&x, play, TMS_IDLE, FTEC_NORMAL);
	assert_int_equal(tapix_terminal_start(play), S_OK);
	expect_ft(&x, play, TMS_ACTIVE, FTEC_NORMAL);
	assert_int_equal(unlink(path_of("gone.wav")), 0);
	ev = event_of(&x, TE_FILETERMINAL);
	assert_int_equal(tapix_event_file_terminal(ev, &st, &why, &err), S_OK);
	assert_int_equal(st, TMS_IDLE);
	assert_int_equal(why, FTEC_READ_ERROR);
	assert_true(FAILED(err));
	tapix_event_release(ev);
	tapix_terminal_release(play);
	call_down(&x, &y, out, in);
}

/*
 * Digits generated on one call are detected on the other
 * (ITLegacyCallMediaControl::GenerateDigits, DetectDigits;
 * ITDigitDetectionEvent: the digit, its mode, a tick count;
 * ITDigitGenerationEvent: LINEGENERATETERM_DONE at the end, CANCEL when
 * a later GenerateDigits cuts it short).
 */
static void test_t3_digits_detected(void **s)
{
	static const char want[] = "12#";
	struct tapix_call *out, *in;
	struct tapix_event *ev;
	struct end x, y;
	uint32_t term = 0, tick;

	(void)s;
	end_up(&x);
	end_up(&y);
	call_up(&x, &y, &out, &in);
	assert_int_equal(tapix_call_detect_digits(in, DTMF | DTMFE), S_OK);
	assert_int_equal(tapix_call_generate_digits(out, want, DTMF), S_OK);
	ev = event_of(&x, TE_GENERATEEVENT);
	assert_ptr_equal(tapix_event_call(ev), out);
	assert_int_equal(tapix_event_digit_generation(ev, &term, &tick), S_OK);
	assert_int_equal(term, LINEGENERATETERM_DONE);
	/* not a digit event: its accessor refuses */
	assert_int_equal(tapix_event_digit(ev, NULL, NULL, NULL), E_INVALIDARG);
	tapix_event_release(ev);
	for (size_t i = 0; i < strlen(want); i++) {
		for (int k = 0; k < 2; k++) {
			unsigned char d = 0;
			TAPI_DIGITMODE m = 0;

			ev = event_of(&y, TE_DIGITEVENT);
			assert_ptr_equal(tapix_event_call(ev), in);
			assert_int_equal(tapix_event_callback_instance(ev), 5);
			assert_int_equal(tapix_event_digit(ev, &d, &m, NULL),
			                 S_OK);
			assert_int_equal(d, (unsigned char)want[i]);
			assert_int_equal(m, k ? DTMFE : DTMF);
			tapix_event_release(ev);
		}
	}
	/* a long string cut short by another request: CANCEL, then DONE */
	assert_int_equal(tapix_call_generate_digits(out, "1234567890", DTMF),
	                 S_OK);
	assert_int_equal(tapix_call_generate_digits(out, NULL, DTMF), S_OK);
	ev = event_of(&x, TE_GENERATEEVENT);
	assert_int_equal(tapix_event_digit_generation(ev, &term, NULL), S_OK);
	assert_int_equal(term, LINEGENERATETERM_CANCEL);
	tapix_event_release(ev);
	/* detection off: no more digit events */
	assert_int_equal(tapix_call_detect_digits(in, 0), S_OK);
	assert_int_equal(tapix_call_generate_digits(out, "5", DTMF), S_OK);
	ev = event_of(&x, TE_GENERATEEVENT);
	tapix_event_release(ev);
	ev = NULL;
	assert_int_equal(tapix_tapi_get_event(y.t, &ev, QUIET), S_FALSE);
	call_down(&x, &y, out, in);
}

/*
 * Bad arguments get the documented results (Microsoft's CreateTerminal:
 * E_POINTER, E_INVALIDARG for the class or media type; SelectTerminal:
 * TAPI_E_INVALIDTERMINAL, TAPI_E_MAXTERMINALS; DetectDigits and
 * GenerateDigits: TAPI_E_INVALCALLSTATE without a call; a terminal of
 * the other kind has no ITMediaPlayback / ITMediaRecord: E_NOINTERFACE;
 * the rest as tapi3.h documents it), nothing written on an error.
 */
static void test_t3_media_bad_input(void **s)
{
	struct tapix_terminal *play, *rec, *play2, *rec2, *bad;
	struct tapix_call *out, *in, *idle;
	const char *list[1], *none[1] = {NULL};
	struct tapix_event *ev;
	TERMINAL_MEDIA_STATE ms;
	struct end x, y;
	FILE *f;

	(void)s;
	end_up(&x);
	end_up(&y);
	bad = (struct tapix_terminal *)&x; /* a sentinel, never used */
	assert_int_equal(tapix_address_create_terminal(NULL, PLAY, AUDIO,
	                                               TD_CAPTURE, &bad),
	                 E_POINTER);
	assert_int_equal(tapix_address_create_terminal(x.addr[0], NULL, AUDIO,
	                                               TD_CAPTURE, &bad),
	                 E_POINTER);
	assert_int_equal(tapix_address_create_terminal(x.addr[0], PLAY, AUDIO,
	                                               TD_CAPTURE, NULL),
	                 E_POINTER);
	assert_int_equal(tapix_address_create_terminal(
				 x.addr[0],
				 "{AAF578F0-DC70-11D0-8ED3-00C04FB6809F}",
				 AUDIO, TD_RENDER, &bad),
	                 E_INVALIDARG); /* speakers: not a file terminal */
	assert_int_equal(tapix_address_create_terminal(x.addr[0], PLAY, AUDIO,
	                                               TD_RENDER, &bad),
	                 E_INVALIDARG);
	assert_int_equal(tapix_address_create_terminal(x.addr[0], RECORD, AUDIO,
	                                               TD_CAPTURE, &bad),
	                 E_INVALIDARG);
	assert_int_equal(tapix_address_create_terminal(x.addr[0], PLAY,
	                                               TAPIMEDIATYPE_DATAMODEM,
	                                               TD_CAPTURE, &bad),
	                 E_INVALIDARG);
	assert_ptr_equal(bad, (struct tapix_terminal *)&x);
	play = terminal(&x, 0, PLAY, TD_CAPTURE);
	rec = terminal(&x, 0, RECORD, TD_RENDER);
	play2 = terminal(&x, 0, PLAY, TD_CAPTURE);
	assert_int_equal(tapix_terminal_get_direction(NULL), TD_NONE);

	/* play lists: pointers, the kind, the files */
	write_wav("tone.wav", 8000, 1, 16, 1000, 100);
	write_wav("stereo.wav", 8000, 2, 16, 1000, 100);
	write_wav("8bit.wav", 8000, 1, 8, 0, 100);
	write_wav("44k.wav", 44100, 1, 16, 1000, 100);
	write_wav("16k.wav", 16000, 1, 16, 1000, 100);
	f = fopen(path_of("text.wav"), "w");
	assert_non_null(f);
	fputs("this is not a RIFF file at all, but long enough\n", f);
	fclose(f);
	list[0] = path_of("tone.wav");
	assert_int_equal(tapix_terminal_put_play_list(NULL, list, 1),
	                 E_POINTER);
	assert_int_equal(tapix_terminal_put_play_list(play, NULL, 1),
	                 E_POINTER);
	assert_int_equal(tapix_terminal_put_play_list(play, none, 1),
	                 E_POINTER);
	assert_int_equal(tapix_terminal_put_play_list(play, list, 0),
	                 E_INVALIDARG);
	assert_int_equal(tapix_terminal_put_play_list(rec, list, 1),
	                 E_NOINTERFACE);
	list[0] = path_of("missing.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPIX_E_FILE_NOT_FOUND);
	list[0] = path_of("text.wav/x.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPIX_E_PATH_NOT_FOUND);
	list[0] = path_of("text.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPI_E_INVALIDMEDIATYPE);
	list[0] = path_of("stereo.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPI_E_INVALIDMEDIATYPE);
	list[0] = path_of("8bit.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPI_E_INVALIDMEDIATYPE);
	list[0] = path_of("44k.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1),
	                 TAPI_E_INVALIDMEDIATYPE);
	/* file names */
	assert_int_equal(tapix_terminal_put_file_name(NULL, "x"), E_POINTER);
	assert_int_equal(tapix_terminal_put_file_name(rec, NULL), E_POINTER);
	assert_int_equal(tapix_terminal_put_file_name(rec, ""), E_INVALIDARG);
	assert_int_equal(tapix_terminal_put_file_name(play, "x.wav"),
	                 E_NOINTERFACE);

	/* Start, Pause, Stop before any selection */
	list[0] = path_of("tone.wav");
	assert_int_equal(tapix_terminal_put_play_list(play, list, 1), S_OK);
	assert_int_equal(tapix_terminal_start(NULL), E_POINTER);
	assert_int_equal(tapix_terminal_start(play), TAPI_E_NOTERMINALSELECTED);
	assert_int_equal(tapix_terminal_pause(play), TAPI_E_WRONG_STATE);
	assert_int_equal(tapix_terminal_stop(play), S_OK);
	assert_int_equal(tapix_terminal_get_media_state(play, NULL), E_POINTER);
	assert_int_equal(tapix_terminal_get_media_state(NULL, &ms), E_POINTER);

	/* selection: on an idle call it is taken, but Start has no media */
	assert_int_equal(tapix_address_create_call(x.addr[0], "101", PHONE,
	                                           AUDIO, &idle),
	                 S_OK);
	assert_int_equal(tapix_call_select_terminal(NULL, play), E_POINTER);
	assert_int_equal(tapix_call_select_terminal(idle, NULL), E_POINTER);
	assert_int_equal(tapix_call_select_terminal(idle, play), S_OK);
	assert_int_equal(tapix_call_select_terminal(idle, play2),
	                 TAPI_E_MAXTERMINALS);
	assert_int_equal(tapix_terminal_start(play), TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_terminal_start(rec), TAPI_E_NOTERMINALSELECTED);
	assert_int_equal(tapix_call_select_terminal(idle, rec), S_OK);
	assert_int_equal(tapix_terminal_start(rec), TAPI_E_NOITEMS);
	/* digits need a call */
	assert_int_equal(tapix_call_detect_digits(NULL, DTMF), E_POINTER);
	assert_int_equal(tapix_call_detect_digits(idle, DTMF),
	                 TAPI_E_INVALCALLSTATE);
	assert_int_equal(tapix_call_generate_digits(NULL, "1", DTMF),
	                 E_POINTER);
	assert_int_equal(tapix_call_generate_digits(idle, "1", DTMF),
	                 TAPI_E_INVALCALLSTATE);

	/* on a connected call: the terminal is on another call already; a
	 * file whose rate is not the call's; modes the call cannot take */
	call_up(&x, &y, &out, &in);
	assert_int_equal(tapix_call_select_terminal(out, play),
	                 TAPI_E_INVALIDTERMINAL);
	assert_int_equal(tapix_call_unselect_terminal(out, play),
	                 TAPI_E_INVALIDTERMINAL);
	assert_int_equal(tapix_call_select_terminal(out, play2), S_OK);
	list[0] = path_of("16k.wav"); /* esp's calls are G.711, 8000 Hz */
	assert_int_equal(tapix_terminal_put_play_list(play2, list, 1), S_OK);
	assert_int_equal(tapix_terminal_start(play2), TAPI_E_INVALIDMEDIATYPE);
	assert_int_equal(tapix_terminal_get_media_state(play2, &ms), S_OK);
	assert_int_equal(ms, TMS_IDLE);
	/* a recording into a directory that is not there */
	rec2 = terminal(&y, 1, RECORD, TD_RENDER);
	assert_int_equal(
		tapix_terminal_put_file_name(rec2, path_of("nodir/rec.wav")),
		S_OK);
	assert_int_equal(tapix_call_select_terminal(in, rec2), S_OK);
	assert_int_equal(tapix_terminal_start(rec2), TAPIX_E_PATH_NOT_FOUND);
	assert_int_equal(tapix_terminal_get_media_state(rec2, &ms), S_OK);
	assert_int_equal(ms, TMS_IDLE);
	tapix_terminal_release(rec2);
	assert_int_equal(tapix_call_generate_digits(out, "1", 0), E_INVALIDARG);
	assert_int_equal(tapix_call_detect_digits(out, 0x80), E_INVALIDARG);
	ev = NULL;
	assert_int_equal(tapix_tapi_get_event(x.t, &ev, QUIET), S_FALSE);
	/* event accessors */
	assert_int_equal(tapix_event_digit(NULL, NULL, NULL, NULL), E_POINTER);
	assert_int_equal(tapix_event_digit_generation(NULL, NULL, NULL),
	                 E_POINTER);
	assert_int_equal(tapix_event_file_terminal(NULL, NULL, NULL, NULL),
	                 E_POINTER);
	assert_null(tapix_event_terminal(NULL));

	tapix_terminal_release(play);
	tapix_terminal_release(rec);
	tapix_call_release(idle); /* (its selections go with it) */
	call_down(&x, &y, out, in);
	/* after shutdown, every method says so; the object stays valid */
	assert_int_equal(tapix_terminal_start(play2), TAPI_E_NOT_INITIALIZED);
	assert_int_equal(tapix_terminal_put_play_list(play2, list, 1),
	                 TAPI_E_NOT_INITIALIZED);
	tapix_terminal_release(play2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_t3_playback_heard_in_recording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_t3_terminals_end_with_call,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_t3_playback_read_error,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_t3_digits_detected, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_t3_media_bad_input, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
