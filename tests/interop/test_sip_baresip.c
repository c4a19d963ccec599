/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider against baresip, a real user agent: headless, audio
 * from a sine source, auto-answer, on 127.0.0.1 only. Calls both ways,
 * ended from each side; a call held and taken off hold (re-INVITEs); the
 * audio both ways (RTP, RFC 3550 and 3551's PCMU), heard through
 * lineGetID's wave descriptors (docs/media.md) and baresip's recording.
 */
#include <glob.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#include "interop.h"

#define BARESIP_LIMIT_S 60
#define baresip_port()  port_of(3)

#define setup    interop_setup
#define teardown interop_teardown

static char bs_dir[300], bs_log[300];
/* baresip's media encryption for its account (";mediaenc=..."), or "" */
static const char *bs_mediaenc = "";
/* the codecs its account takes and offers (baresip's NAME/RATE/CHANNELS) */
static const char *bs_codecs = "PCMU";

/* A baresip configuration: account bob on baresip_port(), auto-answer. */
static void write_config(void)
{
	char path[400];
	FILE *f;

	snprintf(bs_dir, sizeof(bs_dir), "%s/baresip", TAPIX_TEST_LOG_DIR);
	snprintf(bs_log, sizeof(bs_log), "%s/baresip.log", TAPIX_TEST_LOG_DIR);
	mkdir(bs_dir, 0755);
	snprintf(path, sizeof(path), "%s/config", bs_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "sip_listen 127.0.0.1:%u\n"
	        "sip_trans_def udp\n"
	        "net_interface 127.0.0.1\n"
	        "audio_source ausine,440\n"
	        "audio_player aubridge,tapix\n"
	        "audio_alert aufile,%s/alert.wav\n"
	        "ausrc_srate 48000\nauplay_srate 48000\n"
	        "ausrc_channels 2\nauplay_channels 2\n"
	        "snd_path %s\n"
	        "module_path %s\n"
	        "module g711.so\nmodule g722.so\nmodule opus.so\n"
	        "module ausine.so\nmodule aufile.so\n"
	        "module aubridge.so\nmodule sndfile.so\nmodule srtp.so\n"
	        "module_app account.so\nmodule_app menu.so\n",
	        baresip_port(), bs_dir, bs_dir, TAPIX_BARESIP_MODULES);
	fclose(f);
	snprintf(path, sizeof(path), "%s/accounts", bs_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "<sip:bob@127.0.0.1:%u>;regint=0;answermode=auto;"
	        "audio_codecs=%s%s%s\n",
	        baresip_port(), bs_codecs, *bs_mediaenc ? ";mediaenc=" : "",
	        bs_mediaenc);
	fclose(f);
}

/* Starts baresip; @command (or NULL) runs at start; @quit_s: 0 = never. */
static pid_t start_baresip(const char *command, unsigned quit_s)
{
	const char *argv[16];
	char quit[16];
	unsigned n = 0;
	pid_t p;

	write_config();
	/* its log is read while it runs: line-buffered */
	argv[n++] = "stdbuf";
	argv[n++] = "-oL";
	argv[n++] = "-eL";
	argv[n++] = "baresip";
	argv[n++] = "-v";
	argv[n++] = "-f";
	argv[n++] = bs_dir;
	if (command) {
		argv[n++] = "-e";
		argv[n++] = command;
	}
	if (quit_s) {
		snprintf(quit, sizeof(quit), "%u", quit_s);
		argv[n++] = "-t";
		argv[n++] = quit;
	}
	argv[n] = NULL;
	p = proc_start(bs_log, BARESIP_LIMIT_S, argv);
	wait_bound(baresip_port());
	return p;
}

/* Waits (bounded, 10 s) until baresip's log holds @text. */
static bool log_has(const char *text)
{
	struct timespec step = {0, 50 * 1000 * 1000};
	static char buf[1 << 16];
	unsigned i;

	for (i = 0; i < 200; i++) {
		FILE *f = fopen(bs_log, "r");
		size_t n = 0;

		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
		}
		buf[n] = '\0';
		if (strstr(buf, text))
			return true;
		nanosleep(&step, NULL);
	}
	proc_show_log(bs_log, 30);
	return false;
}

/*
 * spec: issue 4 (baresip) — tapix calls baresip, which answers by
 * itself (SDP offer/answer with a real UA); the app hangs up: baresip
 * sees the call terminated.
 */
static void test_tapix_calls_baresip(void **s)
{
	struct fx_app a;
	char dest[64];
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	p = start_baresip(NULL, 0);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(log_has("Call established"));
	/* hold and unhold: re-INVITEs baresip answers */
	hold_and_unhold(&a, h);
	drop_to_idle(&a, h);
	assert_true(log_has("session closed")); /* our BYE */
	proc_kill(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 (baresip) — baresip calls tapix; the app answers; baresip
 * quits after a while and hangs up: the app sees DISCONNECTED (NORMAL),
 * ended by the remote side.
 */
static void test_baresip_calls_tapix(void **s)
{
	struct fx_app a;
	char cmd[64];
	HLINE l;
	HCALL h;
	LINEMESSAGE m;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(cmd, sizeof(cmd), "/dial sip:tapix@127.0.0.1:%u",
	         tapix_port());
	p = start_baresip(cmd, 3);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 20000, &m));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_NORMAL);
	assert_end_info(h, "ended-by=remote");
	drop_to_idle(&a, h);
	assert_int_equal(proc_wait(p, 20000), 0);
	fx_shutdown(&a);
}

#define PI 3.14159265358979323846

/* Goertzel: the power of @freq in @n samples at @rate Hz, every @step-th
 * sample (a channel of interleaved audio). */
static double tone_power(const int16_t *pcm, size_t n, size_t step, double rate,
                         double freq)
{
	double k = 2.0 * cos(2.0 * PI * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i += step) {
		double s0 = pcm[i] / 32768.0 + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* True if @freq stands out in the samples: strong, and 100 times what
 * @other has. */
static bool tone_is(const int16_t *pcm, size_t n, size_t step, double rate,
                    double freq, double other)
{
	double p = tone_power(pcm, n, step, rate, freq);

	return p > 1.0 && p > 100 * tone_power(pcm, n, step, rate, other);
}

/* The TAPIXWAVEID of @h's @cls (lineGetID), at @rate Hz. */
static TAPIXWAVEID wave_at(HCALL h, const char *cls, unsigned rate)
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
	assert_int_equal(u.vs.dwStringSize, sizeof(w));
	memcpy(&w, u.buf + u.vs.dwStringOffset, sizeof(w));
	if (w.dwRate != rate)
		fail_msg("wave rate %u, not %u", (unsigned)w.dwRate, rate);
	return w;
}

/* The same for a PCMU call (8 kHz). */
static TAPIXWAVEID wave_of(HCALL h, const char *cls)
{
	return wave_at(h, cls, 8000);
}

/* Reads @n bytes from @fd (2 s per read at most); false if they do not
 * come. */
static bool read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, 2000) <= 0)
			return false;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Reads 1600-sample chunks of @fd at @rate Hz (up to @chunks) until
 * @want: the 440 Hz tone (true) or silence (false). */
static bool hear_at(int fd, bool want, int chunks, unsigned rate)
{
	int16_t pcm[1600];

	for (int i = 0; i < chunks; i++) {
		double e = 0;

		if (!read_all(fd, pcm, sizeof(pcm)))
			return false;
		for (int k = 0; k < 1600; k++)
			e += (double)pcm[k] * pcm[k];
		if (want ? tone_is(pcm, 1600, 1, rate, 440, 1000) : e < 1600.0)
			return true;
	}
	return false;
}

static bool hear(int fd, bool want, int chunks)
{
	return hear_at(fd, want, chunks, 8000);
}

/*
 * Issue 17 item 6 — a tone baresip plays (ausine, 440 Hz) is heard by
 * the TAPI application on the call's wave/in, at 440 Hz (Goertzel, not
 * by size): RTP from a real UA, decoded (PCMU) and played out. Hold
 * (RFC 3264 §8.4, our sendonly offer) silences it, unhold brings it back.
 */
static void test_tapix_hears_baresip(void **s)
{
	struct fx_app a;
	char dest[64];
	TAPIXWAVEID w;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	p = start_baresip(NULL, 0);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	w = wave_of(h, "wave/in");
	assert_true(w.fdIn >= 0);
	assert_int_equal(w.fdOut, -1);
	/* up to 5 s of audio: the tone once the far end's media flows */
	assert_true(hear(w.fdIn, true, 25));
	assert_int_equal(fx_reply(&a, lineHold(h)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_ONHOLD);
	assert_true(hear(w.fdIn, false, 10));
	assert_int_equal(fx_reply(&a, lineUnhold(h)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(hear(w.fdIn, true, 25));
	drop_to_idle(&a, h);
	close(w.fdIn);
	proc_kill(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 2 — an SRTP call (RFC 3711, SDES keys RFC 4568) with
 * baresip's srtp module, SRTP a must on both sides (RTP/SAVP): the call
 * connects and baresip's tone is heard, so both keys work; the plain
 * RTP path is not offered at all.
 */
static void test_srtp_call_with_baresip(void **s)
{
	struct fx_app a;
	char dest[64];
	TAPIXWAVEID w;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("srtp = mandatory\n");
	bs_mediaenc = "srtp-mand";
	p = start_baresip(NULL, 0);
	bs_mediaenc = "";
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	w = wave_of(h, "wave/in");
	assert_true(hear(w.fdIn, true, 25));
	drop_to_idle(&a, h);
	close(w.fdIn);
	proc_kill(p);
	fx_shutdown(&a);
}

/*
 * Issue 17 item 1 — the wide-band codecs where the peer offers them:
 * baresip calls offering only G.722 (RFC 3551 §4.5.2), then only Opus
 * (RFC 7587); tapix answers with it, the
 * call carries baresip's 440 Hz tone, and the wave descriptors run at
 * 16 kHz (docs/media.md).
 */
static void test_wideband_with_baresip(void **s)
{
	static const char *const codecs[] = {"G722/16000/1", "opus/48000/2"};
	struct fx_app a;
	char cmd[64];
	TAPIXWAVEID w;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	snprintf(cmd, sizeof(cmd), "/dial sip:tapix@127.0.0.1:%u",
	         tapix_port());
	for (unsigned i = 0; i < 2; i++) {
		sip_config(NULL);
		fx_app_init(&a, "a");
		l = open_line(&a);
		bs_codecs = codecs[i];
		p = start_baresip(cmd, 0);
		bs_codecs = "PCMU";
		h = offered(&a, l);
		assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
		fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
		w = wave_at(h, "wave/in", 16000);
		if (!hear_at(w.fdIn, true, 50, 16000))
			fail_msg("%s: no tone", codecs[i]);
		drop_to_idle(&a, h);
		close(w.fdIn);
		proc_kill(p);
		fx_shutdown(&a);
	}
}

/* A wav file's audio: its samples (16-bit) from the data chunk to the
 * file's end (a recorder killed early may leave the sizes unset). */
struct wav {
	int16_t *pcm;
	size_t n;
	unsigned rate, channels;
};

static struct wav wav_read(const char *path)
{
	static char buf[8 << 20];
	struct wav w = {0};
	FILE *f = fopen(path, "rb");
	size_t len, at;
	uint16_t ch;
	uint32_t rate;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(len > 44 && !memcmp(buf, "RIFF", 4) &&
	            !memcmp(buf + 12, "fmt ", 4));
	memcpy(&ch, buf + 22, 2);
	memcpy(&rate, buf + 24, 4);
	w.channels = ch;
	w.rate = rate;
	for (at = 12; at + 8 <= len && memcmp(buf + at, "data", 4); at++)
		;
	assert_true(at + 8 <= len);
	at += 8;
	w.n = (len - at) / 2;
	w.pcm = malloc(w.n * 2 + 2);
	assert_non_null(w.pcm);
	memcpy(w.pcm, buf + at, w.n * 2);
	return w;
}

/* The path of baresip's recording of what it heard (its sndfile module's
 * "dump-...-dec.wav"); false if there is none. */
static bool heard_file(char *out, size_t size)
{
	glob_t g;
	char pat[400];
	bool ok;

	snprintf(pat, sizeof(pat), "%s/dump-*-dec.wav", bs_dir);
	ok = glob(pat, 0, NULL, &g) == 0 && g.gl_pathc >= 1;
	if (ok)
		snprintf(out, size, "%s", g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	return ok;
}

/* Removes baresip's recordings of earlier runs. */
static void forget_recordings(void)
{
	char path[400];

	while (heard_file(path, sizeof(path)))
		assert_int_equal(unlink(path), 0);
}

/*
 * Issue 17 item 6 — a tone the TAPI application plays into the call's
 * wave/out (1000 Hz) arrives at baresip at that frequency: baresip
 * records what it decodes (its sndfile module) and the recording's last
 * second holds the tone (Goertzel), not baresip's own 440 Hz.
 */
static void test_baresip_hears_tapix(void **s)
{
	struct fx_app a;
	char dest[64], path[400];
	int16_t tone[160];
	struct wav rec;
	size_t from, len;
	TAPIXWAVEID w;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	p = start_baresip(NULL, 0);
	forget_recordings();
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(log_has("Call established"));
	w = wave_of(h, "wave/out");
	assert_true(w.fdOut >= 0);
	for (int i = 0; i < 160; i++)
		tone[i] = (int16_t)(8000 * sin(2 * PI * 1000 * i / 8000.0));
	/* 3 s of tone, written as the call takes it (the socket paces) */
	for (int i = 0; i < 150; i++)
		assert_int_equal(write(w.fdOut, tone, sizeof(tone)),
		                 sizeof(tone));
	drop_to_idle(&a, h);
	assert_true(log_has("session closed"));
	proc_kill(p);
	assert_true(heard_file(path, sizeof(path)));
	rec = wav_read(path);
	assert_true(rec.channels >= 1 && rec.rate >= 8000);
	/* the second before the end of what was recorded, its first
	 * channel */
	len = (size_t)rec.channels * rec.rate;
	assert_true(rec.n > len);
	from = rec.n - len;
	from -= from % rec.channels;
	assert_true(tone_is(rec.pcm + from, len, rec.channels, rec.rate, 1000,
	                    440));
	free(rec.pcm);
	close(w.fdOut);
	fx_shutdown(&a);
}
/*
 * Issue 17 item 6, RFC 4733 §2 — digits the TAPI application sends
 * (lineGenerateDigits, LINEDIGITMODE_DTMF) arrive at baresip as
 * telephone-events: its log tells each key it received, in order, and
 * LINE_GENERATE(DONE) ends the request.
 */
static void test_baresip_gets_digits(void **s)
{
	struct fx_app a;
	char dest[64];
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	p = start_baresip(NULL, 0);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(log_has("Call established"));
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "7#", 100),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	/* (baresip 1.0's log of the events it received: each key's start
	 * and end, the second key after the first's end) */
	assert_true(log_has("received event: '7' (end=0)"));
	assert_true(log_has("received event: '7' (end=1)\n"
	                    "received event: '#' (end=0)"));
	assert_true(log_has("received event: '#' (end=1)"));
	drop_to_idle(&a, h);
	proc_kill(p);
	fx_shutdown(&a);
}

/* The DTMF digits in @rec's first channel, as spandsp's detector (its
 * own, not tapix's) hears them at 8 kHz: the audio taken down from its
 * rate (a multiple of 8000) by averaging, into @out. */
static void digits_heard(const struct wav *rec, char *out, int size)
{
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	unsigned down = rec->rate / 8000;
	size_t frames = rec->n / rec->channels;
	int16_t buf[160];
	int n = 0;

	assert_non_null(rx);
	assert_true(down >= 1 && rec->rate % 8000 == 0);
	for (size_t f = 0; f + down <= frames; f += down) {
		long sum = 0;

		for (unsigned k = 0; k < down; k++)
			sum += rec->pcm[(f + k) * rec->channels];
		buf[n++] = (int16_t)(sum / (long)down);
		if (n == 160) {
			dtmf_rx(rx, buf, n);
			n = 0;
		}
	}
	if (n)
		dtmf_rx(rx, buf, n);
	memset(buf, 0, sizeof(buf)); /* a last silence ends the last digit */
	dtmf_rx(rx, buf, 160);
	out[dtmf_rx_get(rx, out, size - 1)] = '\0';
	dtmf_rx_free(rx);
}

/*
 * Issue 17 item 3, ITU-T Q.23 — with dtmf = inband (tapix-sip(7)) the
 * digits the application sends go as tones in the audio, not as
 * telephone-events (our offer has none): baresip's recording of what it
 * heard, run through spandsp's DTMF detector, holds "159#", in order and
 * nothing else, and LINE_GENERATE(DONE) ends the request.
 */
static void test_baresip_hears_inband_digits(void **s)
{
	struct fx_app a;
	char dest[64], path[400], got[32];
	struct wav rec;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config("dtmf = inband\n");
	p = start_baresip(NULL, 0);
	forget_recordings();
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(log_has("Call established"));
	assert_int_equal(lineGenerateDigits(h, LINEDIGITMODE_DTMF, "159#", 100),
	                 0);
	fx_wait(&a, LINE_GENERATE, h, LINEGENERATETERM_DONE);
	drop_to_idle(&a, h);
	assert_true(log_has("session closed"));
	proc_kill(p);
	assert_true(heard_file(path, sizeof(path)));
	rec = wav_read(path);
	assert_true(rec.channels >= 1);
	digits_heard(&rec, got, sizeof(got));
	assert_string_equal(got, "159#");
	free(rec.pcm);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tapix_calls_baresip, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_baresip_calls_tapix, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_tapix_hears_baresip, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_baresip_hears_tapix, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_srtp_call_with_baresip,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_wideband_with_baresip,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_baresip_gets_digits, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_baresip_hears_inband_digits, setup, teardown),
	};
	static const char *const needed[] = {"baresip", NULL};

	if (!interop_init(25400, needed))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
