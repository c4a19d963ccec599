/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_media: the cost of tsp_media (providers/media/media.h) on
 * 127.0.0.1, G.711 µ-law (PCMU), 20 ms packets, sendrecv.
 *
 * calls N...: N sessions in one media thread (the provider's, "A"), each
 * the peer of a session in a second media thread (the far end, "B"), so
 * that the two threads' CPU is told apart. Each A session's wave/out is
 * fed a 1 kHz tone and its wave/in read by this program's main thread
 * (the application's part, reported apart); with --silent, A has no
 * wave descriptors (it sends silence, plays out to nowhere). B has no
 * wave descriptors: it sends silence. After a second of warm-up, the CPU
 * of each thread (its thread clock; the media threads are found as the
 * thread media_start adds to /proc/self/task) is taken over SECONDS
 * (default 8), and how long A's thread waited, runnable, for a processor
 * (schedstat: the machine's other work). Then every session stops
 * sending, and the loss is what was sent less what was received or
 * ignored, both ways, over the whole call; frames played out concealed
 * (lost or late for the jitter buffer) are counted over the window. A
 * media thread that sends fewer than 50 packets a second a call did
 * not keep up: its CPU figures then say what it got, not what it needs.
 *
 * latency [N]: one call (beside N others as above, silent): a 20 ms
 * burst of tone written into A's wave/out at a random moment, 50 times,
 * each found on B's wave/in; the time from the write to the moment its
 * first sample is read (the read's time plus the sample's place in what
 * was read) is what tapix adds: wave/out pacing, packetization, the
 * network, the jitter buffer and the playout.
 *
 * baresip K: baresip 1.0 (auto-answer, ausine source, aubridge player,
 * PCMU, 8 kHz mono) answers K calls placed by SIPp, which echoes its RTP
 * (bench/uac_media.xml, -rtp_echo); baresip's CPU (/proc/PID/stat) over
 * SECONDS. Skipped with a note if baresip or sipp is missing.
 *
 * Usage: bench_media [--load N] [--seconds S] [--silent] calls N [N...]
 *        bench_media [--load N] latency [N]
 *        bench_media [--load N] [--seconds S] baresip K
 *        bench_media [--load N] [--no-baresip]   (calls 100 250 500,
 *                                  latency, baresip 100: make bench-media)
 * With --load N, everything is measured twice: as the machine is, then
 * beside N processes that spin, those names ending in _load_N.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "media.h"

#define A_PORT_MIN   20000 /* the provider's media thread */
#define A_PORT_MAX   27999
#define B_PORT_MIN   28000 /* the far end's */
#define B_PORT_MAX   35999
#define MAX_CALLS    1900
#define FRAME        160 /* samples: 20 ms at 8 kHz */
#define AMPLITUDE    8000
#define BURSTS       50
#define BURST_LEVEL  16000
#define ONSET        4000 /* a sample this loud: the burst has come */
#define BARESIP_CALL 100  /* calls to baresip by default */

static unsigned seconds = 8;
static bool silent;
static bool no_baresip;
static const char *variant = ""; /* "_silent" in run_calls --silent */

/* Children to stop if the benchmark dies: busy loops, baresip, SIPp. */
static pid_t kids[20];
static unsigned nkids;

/* One call: A (measured) and B (the far end). */
struct call {
	struct media_session *a, *b;
	int in_fd, out_fd; /* A's wave/in and wave/out, -1 if none */
	uint64_t in_bytes; /* read from wave/in */
	uint8_t odd;       /* 1 when a byte of a sample is pending */
	unsigned out_full; /* frames wave/out did not take */
};

static void die(const char *what, int err)
{
	unsigned i;

	fprintf(stderr, "bench_media: %s failed: %s\n", what, strerror(err));
	for (i = 0; i < nkids && i < 20; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	exit(1);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec t;

	if (clock_gettime(c, &t) != 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t mono_ns(void)
{
	return now_ns(CLOCK_MONOTONIC);
}

static void sleep_until(uint64_t ns)
{
	struct timespec t = {.tv_sec = (time_t)(ns / 1000000000u),
	                     .tv_nsec = (long)(ns % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
	       EINTR)
		;
}

/* ---- the media threads' CPU ------------------------------------------- */

/* The threads of this process (their ids), at most @max. */
static unsigned list_tasks(pid_t *out, unsigned max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		die("opendir /proc/self/task", errno);
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			out[n++] = (pid_t)strtol(e->d_name, NULL, 10);
	closedir(d);
	return n;
}

/* A media thread, and its thread id (the one media_start added). */
static struct media *start_media(uint16_t min, uint16_t max, pid_t *tid)
{
	struct media_config cfg = {.port_min = min, .port_max = max};
	pid_t before[64], after[64];
	unsigned nb, na, i, j;
	struct media *m = NULL;
	int rc;

	nb = list_tasks(before, 64);
	rc = media_start(&m, &cfg);
	if (rc)
		die("media_start", -rc);
	na = list_tasks(after, 64);
	*tid = 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			*tid = after[i];
	}
	if (!*tid)
		die("finding the media thread", ESRCH);
	return m;
}

/* A thread's CPU time (ns): its thread clock (as glibc makes it for
 * pthread_getcpuclockid), else /proc's ticks. */
static uint64_t thread_cpu_ns(pid_t tid)
{
	clockid_t c = (clockid_t)((~(unsigned)tid << 3) | 6u);
	unsigned long ut = 0, st = 0;
	struct timespec t;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	if (clock_gettime(c, &t) == 0)
		return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
	                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                 "%lu %lu",
	                 &ut, &st) != 2)
		return 0;
	return (uint64_t)(ut + st) *
	       (1000000000u / (uint64_t)sysconf(_SC_CLK_TCK));
}

/* How long a thread waited, runnable, for a processor (ns; 0 if the
 * kernel does not say: /proc/PID/task/TID/schedstat). */
static uint64_t thread_wait_ns(pid_t tid)
{
	unsigned long long run = 0, wait = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return (uint64_t)wait;
}

/* A process's CPU (utime + stime, children not counted), in ns. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	unsigned long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
	                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                 "%lu %lu",
	                 &ut, &st) != 2)
		return 0;
	return (uint64_t)(ut + st) *
	       (1000000000u / (uint64_t)sysconf(_SC_CLK_TCK));
}

/* ---- calls ------------------------------------------------------------- */

static void session_new(struct media *m, struct media_session **s)
{
	int rc = media_session_new(m, "127.0.0.1", NULL, NULL, s);

	if (rc)
		die("media_session_new", -rc);
}

static void set_stream(struct media_session *s, struct media_session *peer,
                       bool send)
{
	struct media_stream st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.codec = CODEC_PCMU;
	st.pt = 0;
	st.pcm_rate = 8000;
	memcpy(st.remote_addr, "127.0.0.1", sizeof("127.0.0.1"));
	st.remote_port = media_session_port(peer);
	st.send = send;
	st.recv = true;
	st.ptime = 20;
	rc = media_session_set(s, &st);
	if (rc)
		die("media_session_set", -rc);
}

/* @n calls between @ma and @mb; A's wave descriptors if @waves. */
static void calls_open(struct call *c, unsigned n, struct media *ma,
                       struct media *mb, bool waves)
{
	unsigned i, rate;
	int rc;

	for (i = 0; i < n; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].in_fd = c[i].out_fd = -1;
		session_new(ma, &c[i].a);
		session_new(mb, &c[i].b);
		if (waves) {
			rc = media_session_wave(c[i].a, &c[i].in_fd,
			                        &c[i].out_fd, &rate);
			if (rc)
				die("media_session_wave", -rc);
		}
		/* A sends once B has its stream: nothing is ignored */
		set_stream(c[i].a, c[i].b, false);
		set_stream(c[i].b, c[i].a, true);
		set_stream(c[i].a, c[i].b, true);
	}
}

static void calls_close(struct call *c, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		media_session_free(c[i].a);
		media_session_free(c[i].b);
		if (c[i].in_fd >= 0)
			close(c[i].in_fd);
		if (c[i].out_fd >= 0)
			close(c[i].out_fd);
	}
}

/* 20 ms of the tone, little-endian: 8 whole periods of 1 kHz at 8 kHz
 * repeat, so frames written one after the other make one tone. */
static uint8_t tone[FRAME * 2];

static void make_tone(void)
{
	unsigned i;
	int16_t v;

	for (i = 0; i < FRAME; i++) {
		v = (int16_t)lrint(AMPLITUDE * sin(2 * M_PI * i / 8.0));
		tone[2 * i] = (uint8_t)((uint16_t)v & 0xff);
		tone[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
	}
}

/* The application's part, until @end: every 20 ms, a frame of tone into
 * each A's wave/out, and what each wave/in has read. */
static void app_run(struct call *c, unsigned n, uint64_t end)
{
	uint8_t buf[4096];
	uint64_t t = mono_ns();
	unsigned i;
	ssize_t r;

	while (t < end) {
		for (i = 0; i < n; i++) {
			if (c[i].out_fd >= 0) {
				r = send(c[i].out_fd, tone, sizeof(tone),
				         MSG_DONTWAIT | MSG_NOSIGNAL);
				if (r != (ssize_t)sizeof(tone))
					c[i].out_full++;
			}
			while (c[i].in_fd >= 0 &&
			       (r = recv(c[i].in_fd, buf, sizeof(buf),
			                 MSG_DONTWAIT)) > 0)
				c[i].in_bytes += (uint64_t)r;
		}
		t += 20000000u;
		sleep_until(t < end ? t : end);
	}
}

struct totals {
	uint64_t a_sent, a_recv, a_lost, b_sent, b_recv, b_lost, ignored;
};

static void totals(const struct call *c, unsigned n, struct totals *t)
{
	struct media_stats s;
	unsigned i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++) {
		media_session_stats(c[i].a, &s);
		t->a_sent += s.rtp_sent;
		t->a_recv += s.rtp_received;
		t->a_lost += s.lost;
		t->ignored += s.rtp_ignored;
		media_session_stats(c[i].b, &s);
		t->b_sent += s.rtp_sent;
		t->b_recv += s.rtp_received;
		t->b_lost += s.lost;
		t->ignored += s.rtp_ignored;
	}
}

/* Prints "name value unit": @name, the variant, @tag. */
static void out(const char *name, const char *tag, int prec, double v,
                const char *unit)
{
	printf("%s%s%s %.*f %s\n", name, variant, tag, prec, v, unit);
}

/* One run of @n calls; returns the CPU per call (% of a core) of A. */
static double run_calls(unsigned n, const char *tag)
{
	struct call *c = calloc(n ? n : 1, sizeof(*c));
	uint64_t t0, t1, a0, a1, b0, b1, m0, m1, p0, p1, in = 0, full = 0;
	uint64_t w0, w1;
	struct totals s0, s1, s2;
	struct media *ma, *mb;
	pid_t ta, tb;
	double wall, per_call;
	int64_t lost;
	char name[96];
	unsigned i;

	if (!c)
		die("calloc", ENOMEM);
	variant = silent ? "_silent" : "";
	ma = start_media(A_PORT_MIN, A_PORT_MAX, &ta);
	mb = start_media(B_PORT_MIN, B_PORT_MAX, &tb);
	calls_open(c, n, ma, mb, !silent);
	app_run(c, n, mono_ns() + 1000000000u); /* warm-up */
	totals(c, n, &s0);
	for (i = 0; i < n; i++)
		c[i].in_bytes = c[i].out_full = 0;
	t0 = mono_ns();
	a0 = thread_cpu_ns(ta);
	w0 = thread_wait_ns(ta);
	b0 = thread_cpu_ns(tb);
	m0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	app_run(c, n, t0 + (uint64_t)seconds * 1000000000u);
	t1 = mono_ns();
	a1 = thread_cpu_ns(ta);
	w1 = thread_wait_ns(ta);
	b1 = thread_cpu_ns(tb);
	m1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	totals(c, n, &s1);
	for (i = 0; i < n; i++) {
		in += c[i].in_bytes;
		full += c[i].out_full;
	}
	/* every session stops sending; what is on its way arrives */
	for (i = 0; i < n; i++) {
		set_stream(c[i].a, c[i].b, false);
		set_stream(c[i].b, c[i].a, false);
	}
	app_run(c, n, mono_ns() + 300000000u);
	totals(c, n, &s2);
	calls_close(c, n);
	media_stop(ma);
	media_stop(mb);
	free(c);

	wall = (double)(t1 - t0);
	per_call = n ? 100.0 * (double)(a1 - a0) / wall / n : 0;
#define NAME(x) (snprintf(name, sizeof(name), "media_%u_" x, n), name)
	out(NAME("calls"), tag, 0, n, "calls");
	out(NAME("media_thread_cpu"), tag, 2, 100.0 * (double)(a1 - a0) / wall,
	    "%core");
	/* runnable but not running: the machine's other work */
	out(NAME("media_thread_runq_wait"), tag, 2,
	    100.0 * (double)(w1 - w0) / wall, "%time");
	out(NAME("cpu_per_call"), tag, 4, per_call, "%core");
	if (per_call > 0)
		out(NAME("calls_per_core"), tag, 0, 100.0 / per_call, "calls");
	out(NAME("far_end_thread_cpu"), tag, 2,
	    100.0 * (double)(b1 - b0) / wall, "%core");
	out(NAME("app_thread_cpu"), tag, 2, 100.0 * (double)(m1 - m0) / wall,
	    "%core");
	out(NAME("process_cpu"), tag, 2, 100.0 * (double)(p1 - p0) / wall,
	    "%core");
	out(NAME("packets_sent"), tag, 0,
	    (double)(s1.a_sent - s0.a_sent + s1.b_sent - s0.b_sent), "packets");
	out(NAME("packets_received"), tag, 0,
	    (double)(s1.a_recv - s0.a_recv + s1.b_recv - s0.b_recv), "packets");
	out(NAME("sent_rate_per_call"), tag, 2,
	    n ? (double)(s1.a_sent - s0.a_sent) / n / (wall / 1e9) : 0,
	    "packets/s");
	out(NAME("received_rate_per_call"), tag, 2,
	    n ? (double)(s1.a_recv - s0.a_recv) / n / (wall / 1e9) : 0,
	    "packets/s");
	/* whole calls: what was sent and never arrived, both ways */
	lost = (int64_t)(s2.a_sent + s2.b_sent) -
	       (int64_t)(s2.a_recv + s2.b_recv + s2.ignored);
	out(NAME("loss"), tag, 0, (double)lost, "packets");
	out(NAME("loss_pct"), tag, 4,
	    s2.a_sent + s2.b_sent
	            ? 100.0 * (double)lost / (double)(s2.a_sent + s2.b_sent)
	            : 0,
	    "%");
	out(NAME("ignored"), tag, 0, (double)s2.ignored, "packets");
	/* frames played out concealed over the window: late or lost */
	out(NAME("concealed"), tag, 0, (double)(s1.a_lost - s0.a_lost),
	    "frames");
	out(NAME("concealed_pct"), tag, 3,
	    s1.a_recv > s0.a_recv ? 100.0 * (double)(s1.a_lost - s0.a_lost) /
	                                    ((double)n * (wall / 20e6))
	                          : 0,
	    "%");
	out(NAME("far_end_concealed"), tag, 0, (double)(s1.b_lost - s0.b_lost),
	    "frames");
	if (n && (double)(s1.a_sent - s0.a_sent) / n / (wall / 1e9) < 49.5)
		printf("# media_%u%s%s: the media thread did not keep up "
		       "(fewer than 50 packets/s a call sent)\n",
		       n, variant, tag);
	if (!silent) {
		out(NAME("wave_in_rate_per_call"), tag, 2,
		    n ? (double)in / (FRAME * 2) / n / (wall / 1e9) : 0,
		    "frames/s");
		out(NAME("wave_out_refused"), tag, 0, (double)full, "frames");
	}
#undef NAME
	variant = "";
	fflush(stdout);
	return per_call;
}

/* ---- latency ----------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static uint64_t rnd_state = 88172645463325252u;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Reads what @fd has; @onset set to the ns at which the first loud
 * sample was heard (the read's time plus its place), if it was. */
static void listen_for(int fd, uint8_t *odd_byte, bool *has_odd, bool armed,
                       uint64_t *onset)
{
	uint8_t buf[4096 + 1];
	size_t have, i;
	ssize_t r;
	uint64_t t;
	int16_t v;

	for (;;) {
		have = 0;
		if (*has_odd) {
			buf[0] = *odd_byte;
			have = 1;
			*has_odd = false;
		}
		r = recv(fd, buf + have, sizeof(buf) - 1 - have, MSG_DONTWAIT);
		t = mono_ns();
		if (r <= 0) {
			if (have) {
				*odd_byte = buf[0];
				*has_odd = true;
			}
			return;
		}
		have += (size_t)r;
		if (have % 2) {
			*odd_byte = buf[have - 1];
			*has_odd = true;
			have--;
		}
		for (i = 0; armed && !*onset && i < have / 2; i++) {
			v = (int16_t)(uint16_t)(buf[2 * i] | buf[2 * i + 1]
			                                             << 8);
			if (v > ONSET || v < -ONSET)
				*onset = t + (uint64_t)i * 125000u;
		}
	}
}

static void run_latency(unsigned bg, const char *tag)
{
	struct call *c = calloc(bg ? bg : 1, sizeof(*c));
	struct media_session *a, *b;
	struct media *ma, *mb;
	uint8_t burst[FRAME * 2], odd = 0;
	double lat[BURSTS], sum = 0;
	bool has_odd = false;
	unsigned i, k, got = 0, missed = 0, rate;
	int a_out, b_in, rc;
	uint64_t w, onset, until;
	pid_t ta, tb;
	struct pollfd p;
	char name[96];

	if (!c)
		die("calloc", ENOMEM);
	ma = start_media(A_PORT_MIN, A_PORT_MAX, &ta);
	mb = start_media(B_PORT_MIN, B_PORT_MAX, &tb);
	calls_open(c, bg, ma, mb, false);
	session_new(ma, &a);
	session_new(mb, &b);
	rc = media_session_wave(a, NULL, &a_out, &rate);
	if (!rc)
		rc = media_session_wave(b, &b_in, NULL, &rate);
	if (rc)
		die("media_session_wave", -rc);
	set_stream(a, b, false);
	set_stream(b, a, true);
	set_stream(a, b, true);
	/* a cosine: its first sample is the loudest */
	for (i = 0; i < FRAME; i++) {
		int16_t v =
			(int16_t)lrint(BURST_LEVEL * cos(2 * M_PI * i / 8.0));

		burst[2 * i] = (uint8_t)((uint16_t)v & 0xff);
		burst[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
	}
	rnd_state ^= mono_ns();
	p.fd = b_in;
	p.events = POLLIN;
	for (k = 0; k <= BURSTS; k++) {
		/* a random moment (the first burst only warms up) */
		until = mono_ns() +
		        (k ? 200000000u + rnd() % 200000000u : 1000000000u);
		onset = 0;
		while (mono_ns() < until) {
			(void)poll(&p, 1, 5);
			listen_for(b_in, &odd, &has_odd, false, &onset);
		}
		if (send(a_out, burst, sizeof(burst),
		         MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(burst))
			die("writing wave/out", errno);
		w = mono_ns();
		until = w + 1000000000u;
		while (!onset && mono_ns() < until) {
			(void)poll(&p, 1, 100);
			listen_for(b_in, &odd, &has_odd, true, &onset);
		}
		if (!k)
			continue;
		if (!onset) {
			missed++;
			continue;
		}
		lat[got++] = (double)(onset - w) / 1e6;
	}
	media_session_free(a);
	media_session_free(b);
	close(a_out);
	close(b_in);
	calls_close(c, bg);
	media_stop(ma);
	media_stop(mb);
	free(c);

	qsort(lat, got, sizeof(lat[0]), cmp_double);
	for (i = 0; i < got; i++)
		sum += lat[i];
#define NAME(x) (snprintf(name, sizeof(name), "latency_" x "%s", bgs), name)
	{
		char bgs[32] = "";

		if (bg)
			snprintf(bgs, sizeof(bgs), "_beside_%u", bg);
		out(NAME("bursts"), tag, 0, got, "bursts");
		out(NAME("missed"), tag, 0, missed, "bursts");
		if (got) {
			out(NAME("min"), tag, 2, lat[0], "ms");
			out(NAME("median"), tag, 2, lat[got / 2], "ms");
			out(NAME("mean"), tag, 2, sum / got, "ms");
			out(NAME("p90"), tag, 2, lat[got * 9 / 10], "ms");
			out(NAME("max"), tag, 2, lat[got - 1], "ms");
		}
	}
#undef NAME
	fflush(stdout);
}

/* ---- baresip ----------------------------------------------------------- */

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[512];
	const char *p, *e;

	for (p = path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, prog);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

/* A UDP port of 127.0.0.1 free now (@even: and the next one too). */
static uint16_t free_port(uint16_t from, bool even)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	uint16_t p;
	int fd, fd2;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (p = from; p < 60000; p += 2) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sa.sin_port = htons(p);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			continue;
		}
		fd2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sa.sin_port = htons((uint16_t)(p + (even ? 2 : 1)));
		if (bind(fd2, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			close(fd2);
			continue;
		}
		close(fd);
		close(fd2);
		return p;
	}
	die("finding a free port", EADDRINUSE);
	return 0;
}

/* Is a UDP socket bound on 127.0.0.1:@port (/proc/net/udp)? */
static bool udp_bound(uint16_t port)
{
	char line[256], want[32];
	bool found = false;
	FILE *f = fopen("/proc/net/udp", "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), " 0100007F:%04X ", port);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/* Runs @argv in @dir, output to @log, input /dev/null. */
static pid_t spawn(const char *dir, const char *log, char *const *argv)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		die("fork", errno);
	if (pid) {
		kids[nkids++ % 20] = pid;
		return pid;
	}
	if (chdir(dir) != 0)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execvp(argv[0], argv);
	_exit(127);
}

/* @pid was reaped: never to be killed again. */
static void forget(pid_t pid)
{
	unsigned i;

	for (i = 0; i < nkids && i < 20; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* Waits up to @ms for @pid; kills it if it did not end. Its status. */
static int reap(pid_t pid, unsigned ms, int sig)
{
	unsigned i;
	int st = 0;

	if (sig)
		kill(pid, sig);
	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			forget(pid);
			return st;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	forget(pid);
	return -1;
}

static unsigned threads_of(pid_t pid)
{
	char path[64], line[256];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %u", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void remove_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' ||
			    (e->d_name[1] != '\0' &&
			     strcmp(e->d_name, "..") != 0)) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				         e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
}

/* Baresip's CPU per call (% of a core) with @k calls; 0 if skipped. */
static double run_baresip(unsigned k, const char *tag)
{
	char dir[] = "/tmp/bench-media-XXXXXX", path[256], log[256], slog[256];
	char target[64], sp[16], mp[16], m[16], rate[16], hold[16];
	unsigned rate_cps = 50, settle_s, i, threads;
	uint16_t bport, sport, mport;
	uint64_t c0, c1, e0, e1, t0, t1;
	pid_t bs, sipp;
	int st;
	FILE *f;
	double per_call, wall;
	char name[96];

	if (!in_path("baresip") || !in_path("sipp")) {
		printf("# baresip or sipp is not installed: baresip skipped\n");
		return 0;
	}
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	bport = free_port(36000, false);
	sport = free_port((uint16_t)(bport + 2), false);
	mport = free_port((uint16_t)((sport + 2) & ~1u), true);
	snprintf(path, sizeof(path), "%s/config", dir);
	f = fopen(path, "w");
	if (!f)
		die("writing baresip's config", errno);
	fprintf(f,
	        "sip_listen 127.0.0.1:%u\n"
	        "sip_trans_def udp\n"
	        "net_interface 127.0.0.1\n"
	        "call_max_calls %u\n"
	        "audio_source ausine,440\n"
	        "audio_player aubridge,bench\n"
	        "ausrc_srate 48000\nauplay_srate 48000\n"
	        "ausrc_channels 2\nauplay_channels 2\n"
	        "rtp_ports 40000-49999\n"
	        "module_path /usr/lib/baresip/modules\n"
	        "module g711.so\nmodule ausine.so\nmodule aubridge.so\n"
	        "module_app account.so\nmodule_app menu.so\n",
	        bport, k + 10);
	fclose(f);
	snprintf(path, sizeof(path), "%s/accounts", dir);
	f = fopen(path, "w");
	if (!f)
		die("writing baresip's accounts", errno);
	fprintf(f,
	        "<sip:bench@127.0.0.1:%u>;regint=0;answermode=auto;"
	        "audio_codecs=PCMU\n",
	        bport);
	fclose(f);

	snprintf(log, sizeof(log), "%s/baresip.log", dir);
	{
		char *argv[] = {"baresip", "-f", dir, NULL};

		bs = spawn(dir, log, argv);
	}
	for (i = 0; i < 500 && !udp_bound(bport); i++)
		usleep(10000);
	if (!udp_bound(bport)) {
		printf("# baresip did not start (its log: %s): skipped\n", log);
		reap(bs, 2000, SIGTERM);
		remove_dir(dir);
		return 0;
	}

	/* SIPp places the calls, holds them, echoes baresip's RTP */
	settle_s = k / rate_cps + 2;
	snprintf(target, sizeof(target), "127.0.0.1:%u", bport);
	snprintf(sp, sizeof(sp), "%u", sport);
	snprintf(mp, sizeof(mp), "%u", mport);
	snprintf(m, sizeof(m), "%u", k);
	snprintf(rate, sizeof(rate), "%u", rate_cps);
	snprintf(hold, sizeof(hold), "%u", (settle_s + seconds + 1) * 1000);
	snprintf(slog, sizeof(slog), "%s/sipp.log", dir);
	{
		char *argv[] = {"sipp",      target,
		                "-sf",       TAPIX_BENCH_DIR "/uac_media.xml",
		                "-i",        "127.0.0.1",
		                "-p",        sp,
		                "-mi",       "127.0.0.1",
		                "-mp",       mp,
		                "-rtp_echo", "-m",
		                m,           "-l",
		                m,           "-r",
		                rate,        "-d",
		                hold,        "-nostdin",
		                "-timeout",  "120s",
		                NULL};

		sipp = spawn(dir, slog, argv);
	}
	sleep_until(mono_ns() + (uint64_t)settle_s * 1000000000u);
	threads = threads_of(bs);
	t0 = mono_ns();
	c0 = proc_cpu_ns(bs);
	e0 = proc_cpu_ns(sipp);
	sleep_until(t0 + (uint64_t)seconds * 1000000000u);
	t1 = mono_ns();
	c1 = proc_cpu_ns(bs);
	e1 = proc_cpu_ns(sipp);
	st = reap(sipp, (2 + seconds + 20) * 1000, 0);
	reap(bs, 3000, SIGTERM);
	if (st != 0) {
		printf("# SIPp did not end well (status %d, its log %s): "
		       "baresip's figures are not good\n",
		       st, slog);
		if (getenv("BENCH_MEDIA_KEEP"))
			return 0;
	}
	remove_dir(dir);
	if (st != 0)
		return 0;

	wall = (double)(t1 - t0);
	per_call = 100.0 * (double)(c1 - c0) / wall / k;
#define NAME(x) (snprintf(name, sizeof(name), "baresip_%u_" x, k), name)
	out(NAME("calls"), tag, 0, k, "calls");
	out(NAME("threads"), tag, 0, threads, "threads");
	out(NAME("process_cpu"), tag, 2, 100.0 * (double)(c1 - c0) / wall,
	    "%core");
	out(NAME("cpu_per_call"), tag, 4, per_call, "%core");
	if (per_call > 0)
		out(NAME("calls_per_core"), tag, 0, 100.0 / per_call, "calls");
	out(NAME("sipp_echo_cpu"), tag, 2, 100.0 * (double)(e1 - e0) / wall,
	    "%core");
#undef NAME
	fflush(stdout);
	return per_call;
}

/* ---- the runs ---------------------------------------------------------- */

static pid_t load_start(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		volatile unsigned long spin = 0;

		for (;;)
			spin++;
	}
	kids[nkids++ % 20] = pid;
	return pid;
}

enum mode {
	ALL,
	CALLS,
	LATENCY,
	BARESIP
};

static void measure(enum mode mode, unsigned *ns, unsigned nn, const char *tag)
{
	static unsigned all_ns[] = {100, 250, 500};
	double ours = 0, theirs;
	unsigned i;

	if (mode == ALL) {
		ns = all_ns;
		nn = 3;
	}
	if (mode == ALL || mode == CALLS)
		for (i = 0; i < nn; i++)
			ours = run_calls(ns[i], tag);
	if (mode == ALL || mode == LATENCY)
		run_latency(mode == LATENCY && nn ? ns[0] : 0, tag);
	if ((mode == ALL && !no_baresip) || mode == BARESIP) {
		theirs = run_baresip(
			mode == BARESIP && nn ? ns[0] : BARESIP_CALL, tag);
		if (ours > 0 && theirs > 0)
			printf("baresip_over_tapix_cpu_per_call%s %.1f x\n",
			       tag, theirs / ours);
	}
}

int main(int argc, char **argv)
{
	unsigned ns[16], nn = 0, load = 0, i;
	enum mode mode = ALL;
	struct rlimit rl;
	pid_t busy[16];
	char tag[32];
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--load") == 0 && a + 1 < argc)
			load = (unsigned)strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc)
			seconds = (unsigned)strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--silent") == 0)
			silent = true;
		else if (strcmp(argv[a], "--no-baresip") == 0)
			no_baresip = true;
		else
			goto usage;
	}
	if (a < argc) {
		if (strcmp(argv[a], "calls") == 0)
			mode = CALLS;
		else if (strcmp(argv[a], "latency") == 0)
			mode = LATENCY;
		else if (strcmp(argv[a], "baresip") == 0)
			mode = BARESIP;
		else
			goto usage;
		for (a++; a < argc && nn < 16; a++)
			ns[nn++] = (unsigned)strtoul(argv[a], NULL, 10);
	}
	if (mode == CALLS && !nn)
		goto usage;
	for (i = 0; i < nn; i++)
		if (ns[i] > MAX_CALLS || (mode == BARESIP && !ns[i]))
			goto usage;
	if (load > 16 || !seconds)
		goto usage;
	/* 8 descriptors a call */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	make_tone();

	measure(mode, ns, nn, "");
	if (!load)
		return 0;
	for (i = 0; i < load; i++)
		busy[i] = load_start();
	snprintf(tag, sizeof(tag), "_load_%u", load);
	measure(mode, ns, nn, tag);
	for (i = 0; i < load; i++) {
		kill(busy[i], SIGKILL);
		waitpid(busy[i], NULL, 0);
		forget(busy[i]);
	}
	return 0;

usage:
	fprintf(stderr,
	        "usage: bench_media [--load N] [--seconds S] [--silent] "
	        "[--no-baresip]\n"
	        "                   [calls N... | latency [N] | baresip K]\n");
	return 2;
}
