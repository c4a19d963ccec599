/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Media on tapixd's Call objects (docs/service.md, docs/media.md): a call
 * between two esp lines made and answered over D-Bus, SendDigits on one
 * end heard as DigitReceived on the other, and GetAudio's descriptors
 * carrying a 1000 Hz tone from one end to the other (Goertzel); tapictl's
 * dtmf, record, play and listen on them; and the incoming calls tapixd
 * rings, rejects or answers by configuration ([line N] incoming).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "proc.h"
#include "svc.h"

#define CALL_IFACE "org.tapix.Call1"
#define PI         3.14159265358979323846

/* A connected call made on line 0 to line 1: @out's and @in's paths. */
struct pair {
	char out[64], in[64];
};

/* Calls @member of org.tapix.Call1 on @path with @types and the values
 * after them; an error fails the test. */
static void call_void(const char *path, const char *member, const char *types,
                      ...)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	va_list ap;

	assert_true(sd_bus_message_new_method_call(bus, &m, "org.tapix.Tapix1",
	                                           path, CALL_IFACE,
	                                           member) >= 0);
	va_start(ap, types);
	assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
	va_end(ap);
	if (sd_bus_call(bus, m, 20 * 1000000ULL, &err, &r) < 0)
		fail_msg("%s %s: %s: %s", path, member, err.name, err.message);
	sd_bus_message_unref(r);
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
}

/* Waits (bounded, 10 s) until call @path is in @state. */
static void wait_state(const char *path, const char *state)
{
	char *s = NULL;
	int i;

	for (i = 0; i < 1000; i++) {
		free(s);
		s = NULL;
		assert_true(sd_bus_get_property_string(bus, "org.tapix.Tapix1",
		                                       path, CALL_IFACE,
		                                       "State", NULL, &s) >= 0);
		if (strcmp(s, state) == 0)
			break;
		sleep_ms(10);
	}
	assert_string_equal(s, state);
	free(s);
}

static void connect_pair(struct pair *p)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *path;
	int i;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT "/Line/0",
	                               "org.tapix.Line1", "MakeCall", &err, &r,
	                               "say", "101", (size_t)0) >= 0);
	assert_true(sd_bus_message_read(r, "o", &path) > 0);
	snprintf(p->out, sizeof(p->out), "%s", path);
	sd_bus_message_unref(r);
	p->in[0] = '\0';
	for (i = 0; i < 500 && !p->in[0]; i++) {
		r = NULL;
		assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
		                               "org.tapix.Telephony1",
		                               "GetCalls", &err, &r, "") >= 0);
		assert_true(sd_bus_message_enter_container(r, 'a', "o") > 0);
		while (sd_bus_message_read(r, "o", &path) > 0)
			if (strcmp(path, p->out) != 0)
				snprintf(p->in, sizeof(p->in), "%s", path);
		sd_bus_message_unref(r);
		if (!p->in[0])
			sleep_ms(10);
	}
	assert_true(p->in[0] != '\0');
	wait_state(p->in, "offering");
	call_void(p->in, "Answer", "ay", (size_t)0);
	wait_state(p->out, "connected");
	wait_state(p->in, "connected");
}

static void end_pair(struct pair *p)
{
	call_void(p->out, "Drop", "ay", (size_t)0);
	wait_state(p->in, "disconnected");
	call_void(p->in, "Drop", "ay", (size_t)0);
	call_void(p->out, "Deallocate", "");
	call_void(p->in, "Deallocate", "");
}

/* What DigitReceived said on the watched call, as "1d1u2d2u". */
struct digits {
	char heard[64];
	size_t n;
};

static int on_digit(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct digits *d = ud;
	const char *digit, *edge;

	(void)e;
	assert_true(sd_bus_message_read(m, "ss", &digit, &edge) > 0);
	assert_int_equal(strlen(digit), 1);
	assert_true(strcmp(edge, "down") == 0 || strcmp(edge, "up") == 0);
	if (d->n + 2 < sizeof(d->heard)) {
		d->heard[d->n++] = digit[0];
		d->heard[d->n++] = edge[0];
		d->heard[d->n] = '\0';
	}
	return 0;
}

/* Processes the test's bus until @d heard @want (bounded, 5 s). */
static void wait_heard(struct digits *d, const char *want)
{
	int i;

	for (i = 0; i < 500 && strcmp(d->heard, want) != 0; i++) {
		while (sd_bus_process(bus, NULL) > 0)
			;
		if (strcmp(d->heard, want) != 0)
			sd_bus_wait(bus, 10000);
	}
	assert_string_equal(d->heard, want);
}

static int on_reply(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	char *name = ud;
	const sd_bus_error *err = sd_bus_message_get_error(m);

	(void)e;
	snprintf(name, 64, "%s", err ? err->name : "ok");
	return 0;
}

/*
 * docs/service.md "Media" — SendDigits on one end returns when the
 * digits are sent, and the other end's object tells each of them as
 * DigitReceived, "down" then "up", in order; a SendDigits cut short by
 * another ends with org.tapix.Error.CANCELLED; bad input and a call
 * that ended give the LINEERR_ as a D-Bus error.
 */
static void test_send_digits_heard_as_digit_received(void **s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_slot *slot = NULL;
	struct digits d = {{0}, 0};
	struct pair p;
	char first[64] = "";
	int i;

	(void)s;
	connect_pair(&p);
	assert_true(sd_bus_match_signal(bus, &slot, "org.tapix.Tapix1", p.in,
	                                CALL_IFACE, "DigitReceived", on_digit,
	                                &d) >= 0);
	call_void(p.out, "SendDigits", "su", "12#", (uint32_t)60);
	wait_heard(&d, "1d1u2d2u#d#u");
	/* the other way round too */
	sd_bus_slot_unref(slot);
	d.n = 0;
	d.heard[0] = '\0';
	assert_true(sd_bus_match_signal(bus, &slot, "org.tapix.Tapix1", p.out,
	                                CALL_IFACE, "DigitReceived", on_digit,
	                                &d) >= 0);
	call_void(p.in, "SendDigits", "su", "9", (uint32_t)0);
	wait_heard(&d, "9d9u");
	/* a long string, cut short by the next */
	assert_true(sd_bus_call_method_async(bus, NULL, "org.tapix.Tapix1",
	                                     p.out, CALL_IFACE, "SendDigits",
	                                     on_reply, first, "su", "123456789",
	                                     (uint32_t)200) >= 0);
	call_void(p.out, "SendDigits", "su", "5", (uint32_t)40);
	for (i = 0; i < 500 && !first[0]; i++) {
		while (sd_bus_process(bus, NULL) > 0)
			;
		if (!first[0])
			sd_bus_wait(bus, 10000);
	}
	assert_string_equal(first, "org.tapix.Error.CANCELLED");
	/* GetAudio of a class that is no audio: refused */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", p.out,
	                               CALL_IFACE, "GetAudio", &err, NULL, "s",
	                               "wave/sideways") < 0);
	assert_string_equal(err.name, SD_BUS_ERROR_INVALID_ARGS);
	sd_bus_error_free(&err);
	/* an idle call: the LINEERR_ */
	call_void(p.out, "Drop", "ay", (size_t)0);
	wait_state(p.out, "idle");
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", p.out,
	                               CALL_IFACE, "SendDigits", &err, NULL,
	                               "su", "1", (uint32_t)0) < 0);
	assert_string_equal(err.name, "org.tapix.Error.INVALCALLSTATE");
	sd_bus_error_free(&err);
	wait_state(p.in, "disconnected");
	call_void(p.in, "Drop", "ay", (size_t)0);
	call_void(p.out, "Deallocate", "");
	call_void(p.in, "Deallocate", "");
	sd_bus_slot_unref(slot);
}

/* Goertzel: the power of @freq in @n samples at @rate Hz. */
static double tone_power_at(const int16_t *pcm, size_t n, double freq,
                            double rate)
{
	double k = 2.0 * cos(2.0 * PI * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] / 32768.0 + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* Goertzel at 8000 Hz, the rate of esp's calls. */
static double tone_power(const int16_t *pcm, size_t n, double freq)
{
	return tone_power_at(pcm, n, freq, 8000.0);
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

/* GetAudio(@cls) on @path: our copies of its descriptors, its rate. */
static void get_audio(const char *path, const char *cls, int *in, int *out,
                      uint32_t *rate)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	int a, b;

	if (sd_bus_call_method(bus, "org.tapix.Tapix1", path, CALL_IFACE,
	                       "GetAudio", &err, &r, "s", cls) < 0)
		fail_msg("GetAudio %s: %s: %s", cls, err.name, err.message);
	assert_true(sd_bus_message_read(r, "hhu", &a, &b, rate) > 0);
	*in = fcntl(a, F_DUPFD_CLOEXEC, 3);
	*out = fcntl(b, F_DUPFD_CLOEXEC, 3);
	assert_true(*in >= 0 && *out >= 0);
	sd_bus_message_unref(r);
}

/*
 * docs/service.md "Media" — GetAudio's descriptors: a 1000 Hz tone
 * written into one call's "out" is heard on the other's "in" (Goertzel,
 * against 500 Hz); the side a class does not name is /dev/null (reads
 * end of file at once); "in" reads end of file when the call ends.
 */
static void test_get_audio_carries_a_tone(void **s)
{
	int16_t tone[160], heard[800];
	int txin, txout, rxin, rxout;
	uint32_t rate = 0;
	bool found = false;
	struct pair p;
	char c;
	int i;

	(void)s;
	connect_pair(&p);
	get_audio(p.out, "wave/out", &txin, &txout, &rate);
	assert_int_equal(rate, 8000);
	/* the side not asked for: /dev/null */
	assert_int_equal(read(txin, &c, 1), 0);
	get_audio(p.in, "wave/in/out", &rxin, &rxout, &rate);
	assert_int_equal(rate, 8000);
	for (i = 0; i < 160; i++)
		tone[i] = (int16_t)(8000 * sin(2 * PI * 1000 * i / 8000.0));
	/* up to 3 s: write 20 ms, read what came, until the tone is heard */
	for (i = 0; i < 150 && !found; i++) {
		assert_int_equal(write(txout, tone, sizeof(tone)),
		                 sizeof(tone));
		if (!read_all(rxin, heard, sizeof(heard), 2000))
			fail_msg("in gave nothing");
		found = tone_power(heard, 800, 1000) >
		                100 * (tone_power(heard, 800, 500) + 1e-9) &&
		        tone_power(heard, 800, 1000) > 1.0;
	}
	assert_true(found);
	end_pair(&p);
	/* the media ended with the call: end of file (within 5 s) */
	for (i = 0; i < 250; i++) {
		struct pollfd pfd = {.fd = rxin, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		r = read(rxin, heard, sizeof(heard));
		if (r == 0)
			break;
		assert_true(r > 0 || errno == EINTR);
	}
	assert_int_equal(read(rxin, &c, 1), 0);
	close(txin);
	close(txout);
	close(rxin);
	close(rxout);
}

/* ---- tapictl dtmf, record, play, listen ---------------------------------- */

/* Runs the shell command @cmd; its exit status, its output in @out. */
static int run_sh(const char *cmd, char *out, size_t size)
{
	FILE *p;
	size_t n;
	int st;

	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs tapictl with @args on the test's bus; its exit status, its
 * output (standard output and error) in @out. */
static int tapictl(const char *args, char *out, size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "timeout 30 %s --bus=%s %s 2>&1",
	         TAPIX_TEST_TAPICTL, addr, args);
	return run_sh(cmd, out, size);
}

/* Starts tapictl with @a1... (NULL-terminated) on the test's bus, its
 * output on *@fd. */
static pid_t tapictl_start(int *fd, const char *a1, const char *a2,
                           const char *a3, const char *a4, const char *a5)
{
	static char bus_arg[160];
	const char *argv[8] = {
		TAPIX_TEST_TAPICTL, bus_arg, a1, a2, a3, a4, a5, NULL};

	snprintf(bus_arg, sizeof(bus_arg), "--bus=%s", addr);
	return proc_start_pipe(fd, 60, argv);
}

/*
 * Waits until tapictl, run by timeout(1) as @pid (proc_start_pipe), has
 * blocked SIGINT (10 s at most): a SIGINT before that would kill it
 * instead of being read (a fixed half second was not always enough
 * under the sanitizers on a busy machine).
 */
static void wait_sigint_blocked(pid_t pid)
{
	char path[96], line[128];
	unsigned i;
	int child = 0;

	for (i = 0; i < 1000; i++) {
		unsigned long long blk = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		         (int)pid, (int)pid);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &child) != 1)
				child = 0;
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/comm", child);
		f = child ? fopen(path, "r") : NULL;
		if (f) {
			if (!fgets(line, sizeof(line), f) ||
			    strncmp(line, "tapictl", 7) != 0)
				child = 0; /* not exec'd yet */
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/status", child);
		f = child ? fopen(path, "r") : NULL;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &blk) == 1)
				break;
		if (f)
			fclose(f);
		if (blk & (1ull << (SIGINT - 1)))
			return;
		sleep_ms(10);
	}
	fail_msg("tapictl did not block SIGINT in 10 s");
}

/* Writes a WAV file (16-bit PCM, @ch channels) of @n frames of @freq Hz
 * at @rate Hz, the same in every channel, by hand: the test does not use
 * what it checks. */
static void write_tone_wav_ch(const char *path, unsigned rate, unsigned ch,
                              double freq, unsigned n)
{
	FILE *f = fopen(path, "wb");
	uint32_t data = n * 2 * ch, v32;
	uint16_t v16;
	unsigned i, c;

	assert_non_null(f);
#define PUT32(x) (v32 = (x), fwrite(&v32, 4, 1, f))
#define PUT16(x) (v16 = (x), fwrite(&v16, 2, 1, f))
	fwrite("RIFF", 1, 4, f);
	PUT32(36 + data);
	fwrite("WAVEfmt ", 1, 8, f);
	PUT32(16);
	PUT16(1); /* PCM */
	PUT16(ch);
	PUT32(rate);
	PUT32(rate * 2 * ch);
	PUT16(2 * ch);
	PUT16(16);
	fwrite("data", 1, 4, f);
	PUT32(data);
	for (i = 0; i < n; i++)
		for (c = 0; c < ch; c++)
			PUT16((uint16_t)(int16_t)(8000 * sin(2 * PI * freq * i /
			                                     rate)));
#undef PUT32
#undef PUT16
	assert_int_equal(fclose(f), 0);
}

/* write_tone_wav_ch, mono. */
static void write_tone_wav(const char *path, unsigned rate, double freq,
                           unsigned n)
{
	write_tone_wav_ch(path, rate, 1, freq, n);
}

/* The samples of WAV file @path (16-bit mono PCM), by hand: its "data"
 * chunk; *@rate its rate. */
static int16_t *read_wav(const char *path, size_t *n, unsigned *rate)
{
	FILE *f = fopen(path, "rb");
	char id[4];
	uint32_t size;
	uint16_t fmt[8];
	int16_t *pcm = NULL;

	assert_non_null(f);
	assert_int_equal(fread(id, 1, 4, f), 4);
	assert_memory_equal(id, "RIFF", 4);
	assert_int_equal(fread(&size, 4, 1, f), 1);
	assert_int_equal(fread(id, 1, 4, f), 4);
	assert_memory_equal(id, "WAVE", 4);
	while (fread(id, 1, 4, f) == 4 && fread(&size, 4, 1, f) == 1) {
		if (memcmp(id, "fmt ", 4) == 0) {
			assert_true(size >= 16);
			assert_int_equal(fread(fmt, 1, 16, f), 16);
			assert_int_equal(fmt[0], 1);  /* PCM */
			assert_int_equal(fmt[1], 1);  /* mono */
			assert_int_equal(fmt[7], 16); /* 16 bits */
			memcpy(rate, &fmt[2], 4);
			fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR);
		} else if (memcmp(id, "data", 4) == 0) {
			pcm = malloc(size + 2);
			assert_non_null(pcm);
			assert_int_equal(fread(pcm, 1, size, f), size);
			*n = size / 2;
			break;
		} else {
			fseek(f, (long)(size + (size & 1)), SEEK_CUR);
		}
	}
	fclose(f);
	assert_non_null(pcm);
	return pcm;
}

/*
 * tapictl(1) dtmf — the digits go out on one end (status 0 when they are
 * sent) and are DigitReceived on the other; a call that is no call is
 * refused with status 1.
 */
static void test_tapictl_dtmf(void **s)
{
	sd_bus_slot *slot = NULL;
	struct digits d = {{0}, 0};
	char out[1024], cmd[256];
	struct pair p;

	(void)s;
	connect_pair(&p);
	assert_true(sd_bus_match_signal(bus, &slot, "org.tapix.Tapix1", p.in,
	                                CALL_IFACE, "DigitReceived", on_digit,
	                                &d) >= 0);
	snprintf(cmd, sizeof(cmd), "dtmf %s '*7'", strrchr(p.out, '/') + 1);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	wait_heard(&d, "*d*u7d7u");
	snprintf(cmd, sizeof(cmd), "dtmf %s 1 --json", strrchr(p.out, '/') + 1);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"done\":\"dtmf\""));
	assert_int_equal(tapictl("dtmf 0000abcd 1", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no such call"));
	assert_int_equal(tapictl("dtmf zz 1", out, sizeof(out)), 2);
	end_pair(&p);
	sd_bus_slot_unref(slot);
}

/*
 * tapictl(1) play and record — a WAV file of a 1000 Hz tone played into
 * one end is in the WAV file recorded at the other (Goertzel over 100 ms
 * windows, against 500 Hz), which is --seconds long exactly; play ends
 * with status 1 when the call ends under it.
 */
static void test_tapictl_play_and_record(void **s)
{
	char out[1024], cmd[512], tone[128], rec[128];
	unsigned rate = 0, windows = 0;
	struct pair p;
	int16_t *pcm;
	size_t n = 0, i;
	pid_t rp;
	int rfd;

	(void)s;
	snprintf(tone, sizeof(tone), "%s/tone.wav", dir);
	snprintf(rec, sizeof(rec), "%s/rec.wav", dir);
	write_tone_wav(tone, 8000, 1000, 8000 * 2);
	connect_pair(&p);
	rp = tapictl_start(&rfd, "record", strrchr(p.in, '/') + 1, rec,
	                   "--seconds=3", NULL);
	/* the file is made once it has the call's audio */
	for (i = 0; i < 1000 && access(rec, F_OK) != 0; i++)
		sleep_ms(10);
	assert_int_equal(access(rec, F_OK), 0);
	snprintf(cmd, sizeof(cmd), "play %s %s", strrchr(p.out, '/') + 1, tone);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_int_equal(proc_wait(rp, 10000), 0);
	assert_true(proc_read_line(rfd, out, sizeof(out), 1000));
	assert_non_null(strstr(out, "3.00 s recorded (--seconds reached)"));
	close(rfd);
	pcm = read_wav(rec, &n, &rate);
	assert_int_equal(rate, 8000);
	assert_int_equal(n, 3 * 8000);
	for (i = 0; i + 800 <= n; i += 800)
		if (tone_power(pcm + i, 800, 1000) >
		            100 * (tone_power(pcm + i, 800, 500) + 1e-9) &&
		    tone_power(pcm + i, 800, 1000) > 1.0)
			windows++;
	free(pcm);
	/* 2 s of tone in 3 s: most of its 20 windows (the edges may miss) */
	if (windows < 15)
		fail_msg("the tone in %u windows of 100 ms of 30", windows);
	/* the call ends while its file plays: status 1, said so */
	rp = tapictl_start(&rfd, "play", strrchr(p.out, '/') + 1, tone, NULL,
	                   NULL);
	sleep_ms(500);
	end_pair(&p);
	assert_int_equal(proc_wait(rp, 10000), 1);
	assert_true(proc_read_line(rfd, out, sizeof(out), 1000));
	assert_non_null(strstr(out, "the call's audio ended after"));
	close(rfd);
}

/* How many of the 100 ms windows of @pcm (@n samples at @rate Hz) hold
 * @freq Hz: 100 times the power of half and of twice that frequency,
 * and not silence. */
static unsigned tone_windows(const int16_t *pcm, size_t n, double freq,
                             unsigned rate)
{
	size_t w = rate / 10, i;
	unsigned k = 0;

	for (i = 0; i + w <= n; i += w) {
		double on = tone_power_at(pcm + i, w, freq, rate);

		if (on > 1.0 &&
		    on > 100 * (tone_power_at(pcm + i, w, freq / 2, rate) +
		                tone_power_at(pcm + i, w, freq * 2, rate) +
		                1e-9))
			k++;
	}
	return k;
}

/*
 * tapictl(1) play and record --rate (docs/media.md, resampling with
 * libspeexdsp) — a WAV file of 2 s of a 1000 Hz tone at 44100 Hz in
 * two channels, played into one end of a call at 8000 Hz, is heard at
 * 1000 Hz: in the other end's audio (GetAudio, 8000 Hz) and in the file
 * record --rate=16000 makes of it, a 16000 Hz WAV of exactly --seconds
 * whose tone is at 1000 Hz (Goertzel at 16000 Hz, against 500 and 2000
 * Hz: a tone played or recorded at the wrong rate lands elsewhere). A
 * file that is no sound and a --rate out of range are refused.
 */
static void test_tapictl_play_resampled_and_record_at_rate(void **s)
{
	char out[1024], cmd[512], tone[128], rec[128], junk[128];
	int16_t heard[8000 * 4];
	unsigned rate = 0, windows;
	uint32_t crate = 0;
	struct pair p;
	int16_t *pcm;
	size_t n = 0, got = 0;
	pid_t rp, pp;
	int rfd, pfd, in, out_fd;
	FILE *f;

	(void)s;
	snprintf(tone, sizeof(tone), "%s/tone44k.wav", dir);
	snprintf(rec, sizeof(rec), "%s/rec16k.wav", dir);
	snprintf(junk, sizeof(junk), "%s/junk.wav", dir);
	write_tone_wav_ch(tone, 44100, 2, 1000, 44100 * 2);
	connect_pair(&p);
	rp = tapictl_start(&rfd, "record", strrchr(p.in, '/') + 1, rec,
	                   "--seconds=3", "--rate=16000");
	/* the file is made once it has the call's audio */
	for (n = 0; n < 1000 && access(rec, F_OK) != 0; n++)
		sleep_ms(10);
	assert_int_equal(access(rec, F_OK), 0);
	pp = tapictl_start(&pfd, "play", strrchr(p.out, '/') + 1, tone, NULL,
	                   NULL);
	assert_int_equal(proc_wait(pp, 10000), 0);
	close(pfd);
	assert_int_equal(proc_wait(rp, 10000), 0);
	assert_true(proc_read_line(rfd, out, sizeof(out), 1000));
	assert_non_null(strstr(out, "3.00 s recorded (--seconds reached)"));
	close(rfd);
	pcm = read_wav(rec, &n, &rate);
	assert_int_equal(rate, 16000);
	assert_int_equal(n, 3 * 16000);
	windows = tone_windows(pcm, n, 1000, 16000);
	free(pcm);
	/* 2 s of tone in 3 s: most of its 20 windows */
	if (windows < 15)
		fail_msg("the tone at 1000 Hz in %u windows of 100 ms of 30 "
		         "of the 16 kHz recording",
		         windows);
	/* the same file again, heard on GetAudio's descriptor at 8000 Hz */
	get_audio(p.in, "wave/in", &in, &out_fd, &crate);
	assert_int_equal(crate, 8000);
	close(out_fd);
	pp = tapictl_start(&pfd, "play", strrchr(p.out, '/') + 1, tone, NULL,
	                   NULL);
	while (got + 800 <= sizeof(heard) / sizeof(heard[0]) &&
	       read_all(in, heard + got, 800 * 2, 2000))
		got += 800;
	close(in);
	assert_int_equal(proc_wait(pp, 10000), 0);
	close(pfd);
	windows = tone_windows(heard, got, 1000, 8000);
	if (windows < 15)
		fail_msg("the tone at 1000 Hz in %u windows of 100 ms of %zu "
		         "at the far end",
		         windows, got / 800);
	/* not a sound file; a rate out of range */
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("not a sound\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "play %s %s", strrchr(p.out, '/') + 1, junk);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "not a sound file"));
	snprintf(cmd, sizeof(cmd), "record %s %s --rate=7999",
	         strrchr(p.in, '/') + 1, rec);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "--rate=7999: Hz, 8000 to 192000"));
	end_pair(&p);
}

/*
 * tapictl(1) listen — it waits for the next call offered on its line,
 * answers it (--answer), prints it, and exits 0 when the far end hangs
 * up; with nothing offered, --timeout gives status 5, SIGINT 130.
 */
static void test_tapictl_listen(void **s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	char out[1024], line[512], made[64];
	const char *path;
	pid_t lp;
	int lfd;

	(void)s;
	assert_int_equal(tapictl("listen 2 --timeout=1", out, sizeof(out)), 5);
	assert_non_null(strstr(out, "no call in 1 s"));
	/* (a call offered before it listens is taken as well: no wait) */
	lp = tapictl_start(&lfd, "listen", "1", "--answer", "--json", NULL);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT "/Line/0",
	                               "org.tapix.Line1", "MakeCall", &err, &r,
	                               "say", "101", (size_t)0) >= 0);
	assert_true(sd_bus_message_read(r, "o", &path) > 0);
	snprintf(made, sizeof(made), "%s", path);
	sd_bus_message_unref(r);
	assert_true(proc_read_line(lfd, line, sizeof(line), 10000));
	assert_non_null(strstr(line, "\"line\":1"));
	assert_non_null(strstr(line, "\"result\":\"answered\""));
	wait_state(made, "connected");
	call_void(made, "Drop", "ay", (size_t)0);
	assert_int_equal(proc_wait(lp, 10000), 0);
	close(lfd);
	call_void(made, "Deallocate", "");
	/* Ctrl-C: 128 + SIGINT */
	lp = tapictl_start(&lfd, "listen", "2", NULL, NULL, NULL);
	wait_sigint_blocked(lp); /* it reads it from a signalfd */
	assert_int_equal(kill(-lp, SIGINT), 0);
	assert_int_equal(proc_wait(lp, 10000), 128 + SIGINT);
	assert_true(proc_read_line(lfd, line, sizeof(line), 1000));
	assert_non_null(strstr(line, "interrupted"));
	close(lfd);
}

/*
 * The sound device "tapixtest" in the test's $HOME/.asoundrc: what is
 * played goes to a file (its path in @played), the microphone is 4 s of
 * a 1000 Hz tone from another.
 */
static void test_sound_device(char *played, size_t size)
{
	char rc[400], mic[300];
	const char *home = getenv("HOME");
	FILE *f;

	assert_non_null(home);
	snprintf(played, size, "%s/played.raw", home);
	snprintf(mic, sizeof(mic), "%s/mic.raw", home);
	snprintf(rc, sizeof(rc), "%s/.asoundrc", home);
	f = fopen(mic, "wb");
	assert_non_null(f);
	for (int i = 0; i < 8000 * 4; i++) {
		int16_t v = (int16_t)(8000 * sin(2 * PI * 1000 * i / 8000.0));

		fwrite(&v, 2, 1, f);
	}
	assert_int_equal(fclose(f), 0);
	f = fopen(rc, "w");
	assert_non_null(f);
	/* asym: the file plugin also writes what it records to its file */
	fprintf(f,
	        "pcm.tapixplay {\n type file\n slave.pcm \"null\"\n"
	        " file \"%s\"\n format \"raw\"\n}\n"
	        "pcm.tapixmic {\n type file\n slave.pcm \"null\"\n"
	        " file \"%s.copy\"\n infile \"%s\"\n format \"raw\"\n}\n"
	        "pcm.tapixtest {\n type asym\n playback.pcm \"tapixplay\"\n"
	        " capture.pcm \"tapixmic\"\n}\n",
	        played, mic, mic);
	assert_int_equal(fclose(f), 0);
}

/*
 * A connected pair whose incoming end tapictl talk connects to the
 * sound device of test_sound_device (what it plays: @played); the other
 * end's audio (8000 Hz) in *@txin and *@txout, tapictl's output in *@fd.
 * Returns tapictl's pid.
 */
static pid_t start_talk(struct pair *p, char *played, size_t size, int *fd,
                        int *txin, int *txout)
{
	uint32_t rate;
	pid_t t;

	test_sound_device(played, size);
	connect_pair(p);
	t = tapictl_start(fd, "talk", strrchr(p->in, '/') + 1,
	                  "--device=tapixtest", NULL, NULL);
	get_audio(p->out, "wave/in/out", txin, txout, &rate);
	assert_int_equal(rate, 8000);
	return t;
}

/*
 * tapictl(1) talk — the call's audio on the sound device, both ways: an
 * ALSA device of the test's own (~/.asoundrc in the test's home: the
 * file plugin, playing into played.raw and recording from mic.raw, a
 * 1000 Hz tone) on one end: the microphone's 1000 Hz is heard at the
 * other end (Goertzel), the device is played to (2 s of the other end's
 * 600 Hz go to it, found there by Goertzel), and talk ends with status 0
 * when the call is over.
 */
static void test_tapictl_talk(void **s)
{
	char played[300], out[256];
	unsigned w600 = 0;
	int16_t tone[160], back[16000], *pcm;
	struct pair p;
	bool found = false;
	FILE *f;
	int fd, txin, txout, st;
	size_t n;
	pid_t t;

	(void)s;
	t = start_talk(&p, played, sizeof(played), &fd, &txin, &txout);
	/* 600 Hz: 12 whole cycles in a 20 ms frame, so the frame repeated
	 * is a clean tone (440 Hz, 8.8 cycles, was not: its energy went to
	 * 400 and 450 Hz) */
	for (int i = 0; i < 160; i++)
		tone[i] = (int16_t)(8000 * sin(2 * PI * 600 * i / 8000.0));
	/* 2 s: our 600 Hz out, and what the talking end sends back */
	for (int i = 0; i < 100; i++) {
		assert_int_equal(write(txout, tone, sizeof(tone)),
		                 sizeof(tone));
		if (!read_all(txin, back + 160 * i, 320, 2000))
			fail_msg("the talking end sends nothing");
	}
	/* the microphone's 1000 Hz in it */
	for (int at = 0; at + 800 <= 16000 && !found; at += 400)
		found = tone_power(back + at, 800, 1000) > 1.0 &&
		        tone_power(back + at, 800, 1000) >
		                100 * tone_power(back + at, 800, 600);
	if (!found) {
		proc_kill(t);
		n = (size_t)read(fd, out, sizeof(out) - 1);
		out[n < sizeof(out) ? n : 0] = '\0';
		fail_msg("the microphone's tone is not heard; tapictl: %s",
		         out);
	}
	end_pair(&p);
	st = proc_wait(t, 10000);
	n = (size_t)read(fd, out, sizeof(out) - 1);
	out[n < sizeof(out) ? n : 0] = '\0';
	if (st != 0)
		fail_msg("tapictl talk: status %d: %s", st, out);
	close(fd);
	close(txin);
	close(txout);
	/* the device was played to, a second or more of it, and what was
	 * played is the far end's tone */
	f = fopen(played, "rb");
	assert_non_null(f);
	pcm = malloc(8000 * 60 * 2);
	assert_non_null(pcm);
	n = fread(pcm, 2, 8000 * 60, f);
	fclose(f);
	/* the far end's 600 Hz in most of what was played (Goertzel) */
	for (size_t at = 0; at + 800 <= n; at += 800)
		if (tone_power(pcm + at, 800, 600) > 1.0 &&
		    tone_power(pcm + at, 800, 600) >
		            100 * tone_power(pcm + at, 800, 1000))
			w600++;
	free(pcm);
	if (n < 8000)
		fail_msg("only %zu samples played", n);
	if (w600 < n / 800 / 2)
		fail_msg("the far end's tone in %u of %zu windows played", w600,
		         n / 800);
}

/*
 * tapictl(1) talk ends with status 3 ("tapixd left") when tapixd goes
 * while it talks: the call's media end with tapixd, and the call's state
 * can no longer be read. Before, it ended with 0, as when the call was
 * over (and listen --answer --audio then dropped the call by tapixd's
 * name, which a successor may hold by then).
 */
static void test_tapictl_talk_ends_when_tapixd_leaves(void **s)
{
	char played[300], out[512];
	int16_t back[160];
	struct pair p;
	bool talking = false;
	unsigned i;
	int fd, txin, txout;
	ssize_t n;
	pid_t t;

	(void)s;
	t = start_talk(&p, played, sizeof(played), &fd, &txin, &txout);
	/* it talks: its microphone's 1000 Hz reaches the other end (before
	 * tapictl has the call's audio, the other end hears silence) */
	for (i = 0; i < 250 && !talking; i++) {
		if (!read_all(txin, back, sizeof(back), 5000))
			fail_msg("the talking end sends nothing");
		talking = tone_power(back, 160, 1000) > 1.0;
	}
	assert_true(talking);
	proc_kill(tapixd_pid); /* no goodbye: its descriptors just close */
	assert_int_equal(proc_wait(t, 10000), 3);
	n = read(fd, out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	assert_non_null(strstr(out, "tapixd left"));
	close(fd);
	close(txin);
	close(txout);
}

/* ---- [line N] incoming ------------------------------------------------------
 */

/* The test's bus and a tapixd whose lines 1, 2 and 3 answer, reject and
 * ring incoming calls. */
static int setup_incoming(void **state)
{
	(void)state;
	start_bus();
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[line 1]\nincoming = answer\n"
	             "[line 2]\nincoming = reject\n"
	             "[line 3]\nincoming = ring\n");
	return 0;
}

/* MakeCall on line 0 to @address: the call's path in @out. */
static void make_call(const char *address, char *out, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *path;

	if (sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT "/Line/0",
	                       "org.tapix.Line1", "MakeCall", &err, &r, "say",
	                       address, (size_t)0) < 0)
		fail_msg("MakeCall %s: %s", address, err.message);
	assert_true(sd_bus_message_read(r, "o", &path) > 0);
	snprintf(out, size, "%s", path);
	sd_bus_message_unref(r);
}

/*
 * tapix.conf(5) [line N] incoming — with no application owning the
 * lines: a call to the line that answers connects; one to the line that
 * rejects ends (the caller sees it disconnected); one to the line that
 * rings stays offering, tapictl lists it and answers it.
 */
static void test_incoming_by_configuration(void **s)
{
	char out[4096], cmd[256], made[64], line[512], *p;
	char *state = NULL;
	uint32_t owners = 0;
	pid_t lp;
	int lfd;
	FILE *f;
	int i;

	(void)s;
	assert_true(log_has(tlog, "line 1: incoming calls taken (answer)"));
	/* answer */
	make_call("101", made, sizeof(made));
	wait_state(made, "connected");
	call_void(made, "Drop", "ay", (size_t)0);
	call_void(made, "Deallocate", "");
	/* reject */
	make_call("102", made, sizeof(made));
	for (i = 0; i < 1000; i++) {
		free(state);
		state = NULL;
		assert_true(sd_bus_get_property_string(
				    bus, "org.tapix.Tapix1", made, CALL_IFACE,
				    "State", NULL, &state) >= 0);
		if (strcmp(state, "disconnected") == 0 ||
		    strcmp(state, "idle") == 0)
			break;
		assert_string_not_equal(state, "connected");
		sleep_ms(10);
	}
	assert_true(strcmp(state, "disconnected") == 0 ||
	            strcmp(state, "idle") == 0);
	free(state);
	call_void(made, "Drop", "ay", (size_t)0);
	call_void(made, "Deallocate", "");
	assert_true(log_has(tlog, "line 2 rejects incoming calls"));
	/* ring: offered, and it stays so until tapictl answers it */
	make_call("103", made, sizeof(made));
	wait_state(made, "ringback");
	sleep_ms(300);
	assert_int_equal(tapictl("--terse calls", out, sizeof(out)), 0);
	p = strstr(out, ":3:offering:");
	if (!p)
		fail_msg("no call offering on line 3:\n%s", out);
	while (p > out && p[-1] != '\n')
		p--;
	/* its owner is tapixd's registration for incoming calls */
	snprintf(cmd, sizeof(cmd), ROOT "/Call/%.8s", p);
	assert_true(sd_bus_get_property_trivial(bus, "org.tapix.Tapix1", cmd,
	                                        CALL_IFACE, "Owners", NULL, 'u',
	                                        &owners) >= 0);
	assert_int_equal(owners, 1);
	/* tapictl listen takes a call offered before it started */
	lp = tapictl_start(&lfd, "listen", "3", "--json", NULL, NULL);
	assert_true(proc_read_line(lfd, line, sizeof(line), 10000));
	assert_non_null(strstr(line, "\"result\":\"offered\""));
	snprintf(cmd, sizeof(cmd), "answer %.8s", p);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	wait_state(made, "connected");
	call_void(made, "Drop", "ay", (size_t)0);
	assert_int_equal(proc_wait(lp, 10000), 0);
	close(lfd);
	call_void(made, "Deallocate", "");
	/* SIGHUP: line 1 no longer answers, line 2 rings instead */
	snprintf(cmd, sizeof(cmd), "%s/tapix.conf", dir);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	      "[line 2]\nincoming = ring\n[line 3]\nincoming = ring\n",
	      f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kill(tapixd_pid, SIGHUP), 0);
	wait_log("line 1: incoming calls no longer taken");
	make_call("101", made, sizeof(made));
	wait_state(made, "ringback");
	sleep_ms(300);
	wait_state(made, "ringback"); /* nobody answered it */
	call_void(made, "Drop", "ay", (size_t)0);
	call_void(made, "Deallocate", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_send_digits_heard_as_digit_received, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_get_audio_carries_a_tone,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_dtmf, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_play_and_record,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_play_resampled_and_record_at_rate, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_talk, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_talk_ends_when_tapixd_leaves, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_listen, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_incoming_by_configuration,
	                                        setup_incoming, teardown),
	};

	if (getenv("TAPIX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
