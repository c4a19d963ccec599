/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip_cps: calls per second the SIP provider sustains with zero failed
 * calls, against the load tool's own limit.
 *
 * SIPp (a UAC) makes calls that hold 1 s and are ended by SIPp's BYE. In
 * the first series they go to a TAPI application in this process (the sip
 * provider, one line on 127.0.0.1) that answers every OFFERING with
 * lineAnswer and clears every DISCONNECTED call with lineDrop and
 * lineDeallocateCall. In the second, the same load goes to SIPp's own UAS:
 * that is the tool's limit. Each series finds the highest rate with no
 * failed call over DURATION seconds: doubling from START, then bisecting
 * to 5%. Printed: both rates, their ratio, the peak RSS of this process
 * and its RSS sampled along the runs (flat under sustained load or not).
 *
 * Usage: sip_cps [DURATION_S [START_CPS [MAX_CPS]]] (20, 250, 8000)
 *        sip_cps sustain RATE SECONDS: one run, RSS printed every 5 s
 * Needs sipp in PATH.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tapi.h>

#define TAPIX_PORT 26100
#define SIPP_PORT  26101
#define UAS_PORT   26102

extern char **environ;

static HLINEAPP app;
static int app_fd;
static volatile int stop_app;
static unsigned long answered, cleared, errors;

/* ---- the TAPI application -------------------------------------------------
 */

static void *app_main(void *arg)
{
	LINEMESSAGE m;

	(void)arg;
	while (!stop_app) {
		struct pollfd p = {.fd = app_fd, .events = POLLIN};

		if (poll(&p, 1, 100) <= 0)
			continue;
		while (lineGetMessage(app, &m, 0) == 0) {
			HCALL h = (HCALL)m.hDevice;

			if (m.dwMessageID == LINE_REPLY) {
				if ((LONG)m.dwParam2 != 0)
					errors++;
				continue;
			}
			if (m.dwMessageID != LINE_CALLSTATE)
				continue;
			switch (m.dwParam1) {
			case LINECALLSTATE_OFFERING:
				if (lineAnswer(h, NULL, 0) < 0)
					errors++;
				else
					answered++;
				break;
			case LINECALLSTATE_DISCONNECTED:
				if (lineDrop(h, NULL, 0) < 0)
					errors++;
				break;
			case LINECALLSTATE_IDLE:
				lineDeallocateCall(h);
				cleared++;
				break;
			default:
				break;
			}
		}
	}
	return NULL;
}

/* ---- SIPp -----------------------------------------------------------------
 */

static pid_t spawn(const char *log, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, 01101, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	                 environ) != 0) {
		fprintf(stderr, "sip_cps: cannot start %s\n", argv[0]);
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static long rss_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return v;
}

static long rss_samples[4096];
static unsigned nrss;
static bool print_rss;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * One run: @rate calls/s for @duration s to @port. Returns true if SIPp
 * finished every call without a failure; *achieved is the rate SIPp
 * really offered: calls / (wall time - the last call's 1 s hold).
 */
static bool run(unsigned rate, unsigned duration, unsigned port,
                double *achieved)
{
	double t0 = now_s(), wall;
	char sf[512], r[16], m[16], l[16], dst[32], lim[16];
	const char *argv[40];
	unsigned n = 0, waited = 0;
	int st = -1;
	pid_t pid;

	snprintf(sf, sizeof(sf), "%s/uac_hold.xml", TAPIX_BENCH_DIR);
	snprintf(r, sizeof(r), "%u", rate);
	snprintf(m, sizeof(m), "%u", rate * duration);
	snprintf(l, sizeof(l), "%u", rate * 4 + 100);
	snprintf(dst, sizeof(dst), "127.0.0.1:%u", port);
	snprintf(lim, sizeof(lim), "%u", duration * 3 + 60);
	argv[n++] = "timeout";
	argv[n++] = "-s";
	argv[n++] = "KILL";
	argv[n++] = lim;
	argv[n++] = "sipp";
	argv[n++] = "-sf";
	argv[n++] = sf;
	argv[n++] = "-i";
	argv[n++] = "127.0.0.1";
	argv[n++] = "-p";
	argv[n++] = "26101";
	argv[n++] = "-r";
	argv[n++] = r;
	argv[n++] = "-m";
	argv[n++] = m;
	argv[n++] = "-l";
	argv[n++] = l;
	argv[n++] = "-timeout";
	argv[n++] = lim;
	argv[n++] = "-timeout_error";
	argv[n++] = "-nostdin";
	argv[n++] = "-max_socket";
	argv[n++] = "10000";
	argv[n++] = dst;
	argv[n] = NULL;
	pid = spawn("sip_cps_sipp.log", argv);
	for (;;) {
		struct timespec step = {0, 250 * 1000 * 1000};
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		nanosleep(&step, NULL);
		if (++waited % 8 == 0 && nrss < 4096)
			rss_samples[nrss++] = rss_kb("VmRSS:");
		if (print_rss && waited % 20 == 0) {
			printf("# t=%us rss=%ld KiB calls=%lu\n", waited / 4,
			       rss_kb("VmRSS:"), cleared);
			fflush(stdout);
		}
	}
	wall = now_s() - t0;
	*achieved = wall > 1.5 ? (double)rate * duration / (wall - 1.0) : 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * The highest rate with no failed call, doubling then bisecting the rate
 * asked of SIPp; returns the rate SIPp really offered in that run.
 */
static double search(const char *what, unsigned duration, unsigned start,
                     unsigned max, unsigned port)
{
	unsigned good = 0, bad = 0, rate = start;
	double got, best = 0;
	bool ok;

	while (rate <= max) {
		ok = run(rate, duration, port, &got);
		printf("# %s asked %u cps, offered %.0f: %s\n", what, rate, got,
		       ok ? "ok" : "failed");
		fflush(stdout);
		if (!ok) {
			bad = rate;
			break;
		}
		good = rate;
		best = got;
		rate *= 2;
	}
	if (!bad)
		return best; /* fine up to max */
	while (bad - good > good / 20 + 1) {
		rate = (good + bad) / 2;
		ok = run(rate, duration, port, &got);
		if (ok) {
			good = rate;
			best = got;
		} else {
			bad = rate;
		}
		printf("# %s asked %u cps, offered %.0f: %s\n", what, rate, got,
		       ok ? "ok" : "failed");
		fflush(stdout);
	}
	return best;
}

int main(int argc, char **argv)
{
	bool sustain = argc > 3 && strcmp(argv[1], "sustain") == 0;
	unsigned duration =
		argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20;
	unsigned start = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 250;
	unsigned max = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 8000;
	LINEINITIALIZEEXPARAMS ip;
	DWORD ndevs, ver = 0x00020002;
	char conf[] = "/tmp/sip_cps_XXXXXX";
	char text[512];
	double tapix_rate, tool_rate;
	unsigned i;
	const char *uas[16];
	pthread_t t;
	HLINE line;
	pid_t uas_pid;
	long min_rss = -1, max_rss = 0;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = mkstemp(conf);
	if (fd < 0)
		return 1;
	/* SIP_CPS_SIP: more [sip] keys, e.g. transaction_timeout_ms=4000 */
	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n[sip]\nsession_expires = 0\n%s\n"
	         "[sip.bench]\naor = sip:bench@127.0.0.1:%u\n"
	         "local = 127.0.0.1:%u\n",
	         getenv("SIP_CPS_SIP") ? getenv("SIP_CPS_SIP") : "", TAPIX_PORT,
	         TAPIX_PORT);
	if (write(fd, text, strlen(text)) < 0)
		return 1;
	close(fd);
	setenv("TAPIX_CONF", conf, 1);
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	if (lineInitializeEx(&app, NULL, NULL, "sip_cps", &ndevs, &ver, &ip) ||
	    ndevs < 1) {
		fprintf(stderr,
		        "sip_cps: cannot initialize the sip provider\n");
		unlink(conf);
		return 1;
	}
	app_fd = TAPIX_HANDLE_TO_FD(ip.Handles.hEvent);
	if (lineOpen(app, 0, &line, 0x00020002, 0, 0, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE, NULL)) {
		fprintf(stderr, "sip_cps: cannot open the line\n");
		return 1;
	}
	pthread_create(&t, NULL, app_main, NULL);
	if (sustain) {
		double got;
		bool ok;

		print_rss = true;
		ok = run((unsigned)strtoul(argv[2], NULL, 10),
		         (unsigned)strtoul(argv[3], NULL, 10), TAPIX_PORT,
		         &got);
		stop_app = 1;
		pthread_join(t, NULL);
		lineShutdown(app);
		unlink(conf);
		printf("sip_sustained_rate %.0f calls/s (%s)\n", got,
		       ok ? "no failed call" : "calls failed");
		printf("sip_peak_rss %ld KiB\n", rss_kb("VmHWM:"));
		return ok ? 0 : 1;
	}
	tapix_rate = search("tapix", duration, start, max, TAPIX_PORT);
	stop_app = 1;
	pthread_join(t, NULL);
	lineShutdown(app);
	unlink(conf);

	i = 0;
	uas[i++] = "sipp";
	uas[i++] = "-sn";
	uas[i++] = "uas";
	uas[i++] = "-i";
	uas[i++] = "127.0.0.1";
	uas[i++] = "-p";
	uas[i++] = "26102";
	uas[i++] = "-nostdin";
	uas[i++] = "-max_socket";
	uas[i++] = "10000";
	uas[i] = NULL;
	uas_pid = spawn("sip_cps_uas.log", uas);
	sleep(1);
	tool_rate = search("sipp-uas", duration, start, max, UAS_PORT);
	kill(uas_pid, SIGKILL);
	waitpid(uas_pid, NULL, 0);

	for (i = 0; i < nrss; i++) {
		if (rss_samples[i] < 0)
			continue;
		if (min_rss < 0 || rss_samples[i] < min_rss)
			min_rss = rss_samples[i];
		if (rss_samples[i] > max_rss)
			max_rss = rss_samples[i];
	}
	printf("sip_cps_tapix %.0f calls/s\n", tapix_rate);
	printf("sip_cps_tool_limit %.0f calls/s\n", tool_rate);
	printf("sip_cps_ratio %.2f\n",
	       tool_rate ? tapix_rate / tool_rate : 0.0);
	printf("sip_calls_answered %lu calls\n", answered);
	printf("sip_calls_cleared %lu calls\n", cleared);
	printf("sip_request_errors %lu requests\n", errors);
	printf("sip_peak_rss %ld KiB\n", rss_kb("VmHWM:"));
	printf("sip_rss_sampled_min %ld KiB\n", min_rss);
	printf("sip_rss_sampled_max %ld KiB\n", max_rss);
	return 0;
}
