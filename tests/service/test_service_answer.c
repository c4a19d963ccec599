/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd's answering machine (tapix.conf(5), [line N] incoming =
 * answer:FILE; docs/service.md "Incoming calls by configuration"): a TAPI
 * application in client mode calls the line, hears the file on its
 * wave/in (Goertzel), and sees the call disconnected when the file has
 * played; a caller who hangs up first stops it; a file tapixd cannot
 * play is refused with the configuration, or, gone after the start, gets
 * the call dropped. Nothing stays behind in tapixd: its objects (test
 * hooks: Live) and its descriptors are as before each call.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "svc.h"

#define PI       3.14159265358979323846
#define GREETING 3 /* seconds of tone in the file */

static char greeting[128];

/* Writes a WAV file (16-bit PCM, two channels at 44100 Hz: the machine
 * resamples it to the call's 8000 Hz and mixes it down) of @seconds of
 * @freq Hz, by hand: the test does not use what it checks. */
static void write_greeting(const char *path, double freq, unsigned seconds)
{
	const uint32_t rate = 44100, n = rate * seconds, data = n * 4;
	FILE *f = fopen(path, "wb");
	uint32_t v32;
	uint16_t v16;
	uint32_t i;

	assert_non_null(f);
#define PUT32(x) (v32 = (x), fwrite(&v32, 4, 1, f))
#define PUT16(x) (v16 = (x), fwrite(&v16, 2, 1, f))
	fwrite("RIFF", 1, 4, f);
	PUT32(36 + data);
	fwrite("WAVEfmt ", 1, 8, f);
	PUT32(16);
	PUT16(1); /* PCM */
	PUT16(2); /* stereo */
	PUT32(rate);
	PUT32(rate * 4);
	PUT16(4);
	PUT16(16);
	fwrite("data", 1, 4, f);
	PUT32(data);
	for (i = 0; i < n; i++) {
		int16_t v = (int16_t)(8000 * sin(2 * PI * freq * i / rate));

		PUT16((uint16_t)v);
		PUT16((uint16_t)v);
	}
#undef PUT32
#undef PUT16
	assert_int_equal(fclose(f), 0);
}

/* The test's bus, and tapixd with line 1 answering with the greeting. */
static int setup_machine(void **state)
{
	char conf[512];

	(void)state;
	peer_arg = NULL;
	start_bus();
	snprintf(greeting, sizeof(greeting), "%s/greeting.wav", dir);
	write_greeting(greeting, 1000, GREETING);
	snprintf(conf, sizeof(conf),
	         "[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	         "[line 1]\nincoming = answer:%s\n",
	         greeting);
	start_tapixd(conf);
	return 0;
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

/* Whether 100 ms at 8000 Hz hold 1000 Hz: 100 times the power of 500 Hz
 * and of 2000 Hz (a file played at a wrong rate lands elsewhere), and
 * not silence. */
static bool has_tone(const int16_t *pcm)
{
	double on = tone_power(pcm, 800, 1000);

	return on > 1.0 && on > 100 * (tone_power(pcm, 800, 500) +
	                               tone_power(pcm, 800, 2000) + 1e-9);
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

/* The TAPIXWAVEID of @h's wave/in (lineGetID through tapixd). */
static TAPIXWAVEID wave_in(HCALL h)
{
	union {
		VARSTRING vs;
		char buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID)];
	} u;
	TAPIXWAVEID w;

	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	assert_int_equal(
		lineGetID(0, 0, h, LINECALLSELECT_CALL, &u.vs, "wave/in"), 0);
	assert_int_equal(u.vs.dwStringFormat, STRINGFORMAT_BINARY);
	assert_int_equal(u.vs.dwStringSize, sizeof(TAPIXWAVEID));
	memcpy(&w, u.buf + u.vs.dwStringOffset, sizeof(w));
	assert_int_equal(w.dwRate, 8000);
	assert_int_equal(w.dwFormat, TAPIXWAVE_S16LE);
	assert_true(w.fdIn >= 0);
	assert_int_equal(w.fdOut, -1);
	return w;
}

/* The process tapixd_pid started: tapixd itself (tapixd_pid is
 * timeout(1)'s). */
static pid_t tapixd_itself(void)
{
	char path[64];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
	         (int)tapixd_pid, (int)tapixd_pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

/* How many descriptors tapixd has open. */
static unsigned tapixd_fds(void)
{
	char path[64];
	struct dirent *e;
	unsigned n = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)tapixd_itself());
	dp = opendir(path);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

/* Waits (bounded, 10 s) until tapixd has @want descriptors open. */
static void wait_fds(unsigned want)
{
	unsigned n = 0;
	int i;

	for (i = 0; i < 1000 && (n = tapixd_fds()) != want; i++)
		sleep_ms(10);
	if (n != want) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd >&2",
		         (int)tapixd_itself());
		if (system(cmd) != 0)
			fprintf(stderr, "(no list of them)\n");
		fail_msg("tapixd holds %u descriptors, %u before the call", n,
		         want);
	}
}

/* How many times tapixd's log says @text. */
static unsigned log_count(const char *text)
{
	static char buf[1 << 20];
	FILE *f = fopen(tlog, "r");
	size_t n = 0;
	unsigned k = 0;
	const char *p;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, text)) != NULL; p += strlen(text))
		k++;
	return k;
}

/* Waits (bounded, 10 s) until tapixd holds the calls and call handles
 * of @before again (service_counts). */
static void wait_calls(const uint64_t before[9])
{
	uint64_t v[9];
	int i;

	for (i = 0; i < 1000; i++) {
		service_counts(v);
		if (v[3] == before[3] && v[4] == before[4])
			return;
		sleep_ms(10);
	}
	fail_msg("tapixd holds %llu calls, %llu call handles (%llu, %llu "
	         "before)",
	         (unsigned long long)v[3], (unsigned long long)v[4],
	         (unsigned long long)before[3], (unsigned long long)before[4]);
}

/* A call from line 0 to 101 by @a, connected: its handle. */
static HCALL call_machine(struct fx_app *a, HLINE l0)
{
	HCALL c = 0;

	assert_int_equal(fx_reply(a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	fx_wait(a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	return c;
}

/* The end of call @c on our side: dropped (it is disconnected), idle,
 * deallocated. */
static void let_go(struct fx_app *a, HCALL c)
{
	LONG r = lineDrop(c, NULL, 0);

	if (r > 0)
		fx_reply(a, r);
	if (fx_state(c) != LINECALLSTATE_IDLE)
		fx_wait(a, LINE_CALLSTATE, c, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(c), 0);
}

/* A call to the machine that the caller hangs up once the tone is heard
 * (bounded, 3 s); the @nth such hang-up tapixd logs. */
static void hang_up_early(struct fx_app *a, HLINE l0, unsigned nth)
{
	int16_t heard[800];
	bool tone = false;
	TAPIXWAVEID w;
	HCALL c;
	int k;

	c = call_machine(a, l0);
	w = wave_in(c);
	for (k = 0; k < 30 && !tone; k++)
		tone = read_all(w.fdIn, heard, sizeof(heard), 2000) &&
		       has_tone(heard);
	assert_true(tone);
	let_go(a, c);
	close(w.fdIn);
	for (k = 0; k < 1000 && log_count("the caller hung up after") != nth;
	     k++)
		sleep_ms(10);
	assert_int_equal(log_count("the caller hung up after"), nth);
}

/*
 * tapix.conf(5) incoming = answer:FILE — the call is answered, the file
 * (44.1 kHz, two channels) is heard by the caller at 1000 Hz on its
 * wave/in at the call's 8000 Hz (Goertzel over 100 ms windows: most of
 * its 30), and when the file has played tapixd drops the call: the
 * caller sees DISCONNECTED (after the tone, not before), then IDLE once
 * it drops its end. tapixd's objects and descriptors are as before.
 */
static void test_machine_plays_the_file_then_drops(void **s)
{
	uint64_t before[9];
	int16_t heard[800];
	unsigned windows = 0, chunks = 0, after = 0;
	bool disconnected = false;
	struct fx_app a;
	TAPIXWAVEID w;
	unsigned fds;
	HLINE l0;
	HCALL c;
	char text[256];

	(void)s;
	assert_true(log_has(tlog, "line 1: incoming calls taken (answer)"));
	service_counts(before);
	fx_app_init(&a, "caller");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	/* (esp's media thread, its epoll, eventfd and timerfd, starts with
	 * the first call's audio and stays: counted from the second call) */
	hang_up_early(&a, l0, 1);
	fds = tapixd_fds();
	c = call_machine(&a, l0);
	w = wave_in(c);
	/* 100 ms at a time until the machine hangs up (bounded, 15 s) */
	while (!disconnected && chunks < 150) {
		if (!read_all(w.fdIn, heard, sizeof(heard), 2000))
			break; /* (the media end after DISCONNECTED) */
		chunks++;
		if (has_tone(heard)) {
			windows++;
			after = 0;
		} else if (windows) {
			after++; /* (since the last window of tone) */
		}
		disconnected = fx_wait_try(&a, LINE_CALLSTATE, c,
		                           LINECALLSTATE_DISCONNECTED, 0, NULL);
	}
	if (!disconnected)
		disconnected =
			fx_wait_try(&a, LINE_CALLSTATE, c,
		                    LINECALLSTATE_DISCONNECTED, 5000, NULL);
	close(w.fdIn);
	if (windows < GREETING * 10 * 2 / 3)
		fail_msg("the tone in %u windows of 100 ms of %u", windows,
		         chunks);
	assert_true(disconnected);
	/* it ended when the file had played: not long after the tone */
	if (after > 15)
		fail_msg("%u windows of 100 ms after the tone before the end",
		         after);
	let_go(&a, c);
	snprintf(text, sizeof(text),
	         "playing %s (44100 Hz, 2 channels, 3.00 s) at 8000 Hz",
	         greeting);
	assert_true(log_has(tlog, text));
	snprintf(text, sizeof(text), "%s played (3.0", greeting);
	assert_true(log_has(tlog, text));
	assert_int_equal(log_count("the caller hung up"), 1);
	wait_fds(fds);
	fx_shutdown(&a);
	wait_counts_equal(before);
}

/*
 * tapix.conf(5) incoming = answer:FILE — the caller hangs up while the
 * file plays: tapixd stops it at once (logged, once per call) and lets
 * its call go; the next call is answered with the file again; its
 * objects and descriptors are as before, call after call.
 */
static void test_machine_stops_when_the_caller_hangs_up(void **s)
{
	uint64_t before[9];
	struct fx_app a;
	unsigned fds, i;
	HLINE l0;

	(void)s;
	service_counts(before);
	fx_app_init(&a, "caller");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	/* (the first call starts esp's media thread: see above) */
	hang_up_early(&a, l0, 1);
	fds = tapixd_fds();
	for (i = 2; i <= 3; i++) {
		hang_up_early(&a, l0, i);
		wait_fds(fds);
		wait_calls(before);
	}
	assert_false(log_has(tlog, "played (3.0"));
	fx_shutdown(&a);
	wait_counts_equal(before);
}

/*
 * tapix.conf(5) incoming = answer:FILE — a D-Bus user who takes the
 * call's audio (GetAudio on the answered call's object) stops the
 * machine (a call has one pair of descriptors at a time): the tone is no
 * longer heard, and the call stays connected, as `answer` leaves it,
 * past the file's end, until the caller drops it.
 */
static void test_machine_gives_way_to_get_audio(void **s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	uint64_t before[9];
	int16_t heard[800];
	char path[128];
	bool tone = false;
	struct fx_app a;
	TAPIXWAVEID w;
	HLINE l0;
	HCALL c;
	int k, ai, ao;

	(void)s;
	service_counts(before);
	fx_app_init(&a, "caller");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	c = call_machine(&a, l0);
	w = wave_in(c);
	for (k = 0; k < 30 && !tone; k++)
		tone = read_all(w.fdIn, heard, sizeof(heard), 2000) &&
		       has_tone(heard);
	assert_true(tone);
	call_on_line(1, path, sizeof(path));
	if (sd_bus_call_method(bus, "org.tapix.Tapix1", path, "org.tapix.Call1",
	                       "GetAudio", &err, &r, "s", "wave/in/out") < 0)
		fail_msg("GetAudio: %s", err.message);
	assert_true(sd_bus_message_read(r, "hhu", &ai, &ao, NULL) > 0);
	wait_log("playing stopped");
	/* 4 s, past the file's end: no tone after the first 200 ms, and
	 * the call stays */
	for (k = 0; k < 40; k++) {
		assert_true(read_all(w.fdIn, heard, sizeof(heard), 2000));
		if (k >= 2 && has_tone(heard))
			fail_msg("the tone still heard %d ms after GetAudio",
			         k * 100);
	}
	assert_false(fx_wait_try(&a, LINE_CALLSTATE, c,
	                         LINECALLSTATE_DISCONNECTED, 0, NULL));
	assert_int_equal(fx_state(c), LINECALLSTATE_CONNECTED);
	sd_bus_message_unref(r); /* (closes the descriptors it carried) */
	close(w.fdIn);
	let_go(&a, c);
	wait_calls(before);
	assert_false(log_has(tlog, "dropping the call"));
	fx_shutdown(&a);
	wait_counts_equal(before);
}

/*
 * tapix.conf(5) incoming = answer:FILE — a FILE tapixd cannot play is an
 * error of the configuration, said with its line (--check-config: status
 * 1; SIGHUP: the rules it had are kept): missing, not an absolute path,
 * not a sound file, not a regular file (a FIFO would hang it), no FILE.
 * A file that goes after the start: the call is dropped, never answered
 * to silence, and said in the log.
 */
static void test_machine_refuses_a_file_it_cannot_play(void **s)
{
	char conf[1024], out[4096], junk[128], fifo[128];
	struct fx_app a;
	FILE *f;
	HLINE l0;
	HCALL c = 0;
	LINEMESSAGE m;

	(void)s;
	snprintf(junk, sizeof(junk), "%s/junk.wav", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo.wav", dir);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("no sound here\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* the file tapixd runs with is valid */
	snprintf(conf, sizeof(conf), "[line 1]\nincoming = answer:%s\n",
	         greeting);
	assert_int_equal(check_config(conf, out, sizeof(out)), 0);
	snprintf(conf, sizeof(conf),
	         "[line 0]\nincoming = answer:%s/none.wav\n"
	         "[line 1]\nincoming = answer:greeting.wav\n"
	         "[line 2]\nincoming = answer:%s\n"
	         "[line 3]\nincoming = answer:%s\n"
	         "[line 4]\nincoming = answer:\n",
	         dir, junk, fifo);
	assert_int_equal(check_config(conf, out, sizeof(out)), 1);
	if (!strstr(out, "check.conf:2: [line 0] incoming: answer:") ||
	    !strstr(out, "none.wav: cannot play it: No such file or "
	                 "directory") ||
	    !strstr(out, "check.conf:4: [line 1] incoming: "
	                 "answer:greeting.wav: not an absolute path") ||
	    !strstr(out, "junk.wav: cannot play it: not a sound file") ||
	    !strstr(out, "fifo.wav: cannot play it: not a regular file") ||
	    !strstr(out, "check.conf:10: [line 4] incoming: answer: no "
	                 "file (answer:FILE)"))
		fail_msg("tapixd --check-config said:\n%s", out);
	/* SIGHUP with a missing file: the rules it had stay */
	snprintf(conf, sizeof(conf), "%s/tapix.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
	        "[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	        "[line 1]\nincoming = answer:%s/none.wav\n",
	        dir);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kill(tapixd_pid, SIGHUP), 0);
	wait_log("access rules of");
	assert_true(log_has(tlog, "none.wav: cannot play it: No such file"));
	/* the file gone after the start: the call is dropped, unanswered */
	assert_int_equal(unlink(greeting), 0);
	fx_app_init(&a, "caller");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_DISCONNECTED);
	/* never connected */
	for (unsigned i = 0; i < a.nseen; i++) {
		m = a.seen[i];
		if (m.dwMessageID == LINE_CALLSTATE && m.hDevice == c)
			assert_int_not_equal(m.dwParam1,
			                     LINECALLSTATE_CONNECTED);
	}
	wait_log("cannot play it (No such file or directory): the call is "
	         "dropped");
	let_go(&a, c);
	fx_shutdown(&a);
}

/* tapixd with line 1 forwarding to 102 (an esp line's address). */
static int setup_forward(void **state)
{
	(void)state;
	peer_arg = NULL;
	start_bus();
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[line 1]\nincoming = forward:102\n");
	return 0;
}

/*
 * tapix.conf(5) incoming = forward:ADDRESS — an offered call is
 * redirected unanswered (Microsoft's lineRedirect): the caller's call
 * rings at 102, which an application owns here, offered with
 * LINECALLREASON_REDIRECT; the caller is connected when 102 answers, and
 * tapixd's handle went.
 */
static void test_forward_redirects_the_call(void **s)
{
	uint64_t before[9];
	struct fx_app a;
	LINECALLINFO *ci;
	HLINE l0, l2;
	HCALL c = 0, in;

	(void)s;
	assert_true(log_has(tlog, "line 1: incoming calls taken (forward)"));
	service_counts(before);
	fx_app_init(&a, "caller");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	l2 = fx_open(&a, 2, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l2, FX_ANY).dwParam2;
	assert_true(log_has(tlog, "line 1 forwards it to 102"));
	ci = calloc(1, 4096);
	assert_non_null(ci);
	ci->dwTotalSize = 4096;
	assert_int_equal(lineGetCallInfo(in, ci), 0);
	assert_true(ci->dwReason & LINECALLREASON_REDIRECT);
	free(ci);
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	let_go(&a, c);
	let_go(&a, in);
	fx_shutdown(&a);
	wait_counts_equal(before);
}

/* DigitReceived on a watched call, as "1d1u". */
struct heard {
	char s[32];
	size_t n;
};

static int on_digit(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct heard *h = ud;
	const char *digit, *edge;

	(void)e;
	if (sd_bus_message_read(m, "ss", &digit, &edge) > 0 &&
	    h->n + 2 < sizeof(h->s)) {
		h->s[h->n++] = digit[0];
		h->s[h->n++] = edge[0];
		h->s[h->n] = '\0';
	}
	return 0;
}

/*
 * docs/service.md "Media" — DigitReceived on every connected call, also
 * one tapixd only watches (a TAPI application owns both ends here, no
 * D-Bus user touched it): digits sent on one end (lineGenerateDigits)
 * are told on the other's object, down then up.
 */
static void test_digits_of_a_watched_call(void **s)
{
	struct heard h = {{0}, 0};
	sd_bus_slot *slot = NULL;
	struct fx_app a;
	char in_path[64];
	HLINE l2, l3;
	HCALL c = 0, in;

	(void)s;
	fx_app_init(&a, "app");
	l2 = fx_open(&a, 2, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE);
	l3 = fx_open(&a, 3, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l3, &c, "102", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l2, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	call_on_line(2, in_path, sizeof(in_path));
	assert_true(sd_bus_match_signal(bus, &slot, "org.tapix.Tapix1", in_path,
	                                "org.tapix.Call1", "DigitReceived",
	                                on_digit, &h) >= 0);
	/*
	 * the watching handle asks for digits when it sees CONNECTED, which
	 * may be after this: a digit is sent again (up to ten times, a
	 * second apart) until one is told whole
	 */
	for (int k = 0; k < 10 && !strstr(h.s, "7d7u"); k++) {
		assert_int_equal(
			lineGenerateDigits(c, LINEDIGITMODE_DTMF, "7", 60), 0);
		fx_wait(&a, LINE_GENERATE, c, LINEGENERATETERM_DONE);
		for (int i = 0; i < 100 && !strstr(h.s, "7d7u"); i++) {
			while (sd_bus_process(bus, NULL) > 0)
				;
			if (!strstr(h.s, "7d7u"))
				sd_bus_wait(bus, 10000);
		}
	}
	assert_non_null(strstr(h.s, "7d7u"));
	sd_bus_slot_unref(slot);
	let_go(&a, c);
	let_go(&a, in);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_machine_plays_the_file_then_drops, setup_machine,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_machine_stops_when_the_caller_hangs_up,
			setup_machine, teardown),
		cmocka_unit_test_setup_teardown(
			test_machine_gives_way_to_get_audio, setup_machine,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_machine_refuses_a_file_it_cannot_play,
			setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_forward_redirects_the_call,
	                                        setup_forward, teardown),
		cmocka_unit_test_setup_teardown(test_digits_of_a_watched_call,
	                                        setup_forward, teardown),
	};

	if (getenv("TAPIX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
