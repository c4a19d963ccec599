/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_service: call lifecycles per second and messages per second
 * through tapixd, from one and from four client processes, next to the
 * embedded figure in the same run, and the ratio. A lifecycle is the one
 * of bench_lifecycle: a call between two esp lines of one registration,
 * made, offered, answered, dropped at both ends and deallocated, every
 * message fetched with lineGetMessage.
 *
 * Clients reach tapixd on its direct connection with a channel (its
 * default: the calls of a lifecycle and the messages go through shared
 * memory); one client is measured again on a direct connection without
 * a channel (tapixd --no-channel: each call a D-Bus message) and through
 * the bus daemon (tapixd --peer=none), a tenth as many lifecycles. Next to
 * them, the floor of any design that makes each of a lifecycle's six
 * function calls a socket round trip to another process: a one-byte
 * ping-pong over a Unix socket between two processes, six per lifecycle.
 *
 * Usage: bench_service [--load N] [EMBEDDED_LIFECYCLES [SERVICE_LIFECYCLES]]
 *        (defaults 20000 and 20000). Starts its own private dbus-daemon
 *        and tapixd (--no-objects), and stops them. With --load N, every
 *        figure is measured twice: on the machine as it is, then beside N
 *        processes that spin (a busy machine), the names of the second
 *        set ending in _load_N.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tapi.h>

extern char **environ;

static HLINEAPP app;
static HLINE caller, callee;
static unsigned long messages;
static char callee_addr[16];

static bool listening(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, LONG r)
{
	fprintf(stderr, "bench_service: %s failed: %08x\n", what, (unsigned)r);
	exit(1);
}

/* Fetches what is queued; the callee's handle if a new call came. */
static HCALL drain(void)
{
	LINEMESSAGE m;
	HCALL in = 0;

	while (lineGetMessage(app, &m, 0) == 0) {
		messages++;
		if (m.dwMessageID == LINE_APPNEWCALL)
			in = (HCALL)m.dwParam2;
		else if (m.dwMessageID == LINE_REPLY && m.dwParam2 != 0)
			die("a request", (LONG)m.dwParam2);
	}
	return in;
}

/* Waits for the offer (it may come after the call returned). */
static HCALL wait_offer(void)
{
	LINEMESSAGE m;

	for (;;) {
		if (lineGetMessage(app, &m, 5000) != 0)
			die("waiting for the offer", 0);
		messages++;
		if (m.dwMessageID == LINE_APPNEWCALL)
			return (HCALL)m.dwParam2;
		if (m.dwMessageID == LINE_REPLY && m.dwParam2 != 0)
			die("a request", (LONG)m.dwParam2);
	}
}

static void lifecycle(void)
{
	HCALL out = 0, in;
	LONG r = lineMakeCall(caller, &out, callee_addr, 0, NULL);

	if (r < 0)
		die("lineMakeCall", r);
	/* the reply and the offer are queued when the call returns */
	in = drain();
	if (!in)
		in = wait_offer();
	r = lineAnswer(in, NULL, 0);
	if (r < 0)
		die("lineAnswer", r);
	drain();
	r = lineDrop(out, NULL, 0);
	if (r < 0)
		die("lineDrop", r);
	drain();
	r = lineDrop(in, NULL, 0);
	if (r < 0)
		die("lineDrop", r);
	drain();
	if (lineDeallocateCall(out) || lineDeallocateCall(in))
		die("lineDeallocateCall", 0);
}

/* Registers, opens lines 2k (caller) and 2k+1 (callee), runs @n. */
static double run(unsigned k, unsigned long n, unsigned long *msgs)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ndevs, ver = 0x00020002;
	unsigned long i;
	double t0, t;
	LONG r;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	r = lineInitializeEx(&app, NULL, NULL, "bench", &ndevs, &ver, &ip);
	if (r)
		die("lineInitializeEx", r);
	if (ndevs < 2 * k + 2)
		die("too few lines", 0);
	r = lineOpen(app, 2 * k, &caller, 0x00020002, 0, 0,
	             LINECALLPRIVILEGE_NONE, 0, NULL);
	if (!r)
		r = lineOpen(app, 2 * k + 1, &callee, 0x00020002, 0, 0,
		             LINECALLPRIVILEGE_OWNER,
		             LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
	if (r)
		die("lineOpen", r);
	snprintf(callee_addr, sizeof(callee_addr), "%u", 100 + 2 * k + 1);
	for (i = 0; i < n / 10 + 1; i++) /* warm-up */
		lifecycle();
	messages = 0;
	t0 = now_s();
	for (i = 0; i < n; i++)
		lifecycle();
	t = now_s() - t0;
	*msgs = messages;
	lineShutdown(app);
	return t;
}

/* Seconds per round trip of a one-byte ping-pong between two processes
 * over a Unix socket, each waiting in poll() as a client and tapixd do. */
static double ping_pong(unsigned long n)
{
	int sv[2];
	unsigned long i;
	double t0, t;
	pid_t pid;
	char b = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		struct pollfd p = {.fd = sv[1], .events = POLLIN};

		close(sv[0]);
		while (poll(&p, 1, 10000) == 1 && read(sv[1], &b, 1) == 1 &&
		       write(sv[1], &b, 1) == 1)
			;
		_exit(0);
	}
	close(sv[1]);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		struct pollfd p = {.fd = sv[0], .events = POLLIN};

		if (write(sv[0], &b, 1) != 1 || poll(&p, 1, 10000) != 1 ||
		    read(sv[0], &b, 1) != 1)
			die("ping-pong", errno);
	}
	t = now_s() - t0;
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return t / (double)n;
}

static pid_t spawn(const char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, 01101, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	                 environ) != 0)
		die("starting a process", errno);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static bool file_has(const char *path, const char *text)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* tapixd on the bus of @addr_arg, logging to @log (new), with @extra. */
static pid_t start_tapixd(const char *addr_arg, const char *log,
                          const char *extra)
{
	const char *a[] = {TAPIX_BENCH_TAPIXD, addr_arg, "--log=info",
	                   "--no-objects",     extra,    NULL};
	pid_t pid;
	unsigned i;

	unlink(log);
	pid = spawn(a, log);
	for (i = 0; i < 500 && !file_has(log, "serving "); i++)
		usleep(10000);
	if (!file_has(log, "serving "))
		die("starting tapixd", 0);
	return pid;
}

/* Busy processes beside the benchmark (--load N): each spins until
 * killed, as other work on a shared machine would. */
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
	return pid;
}

/*
 * One run of every figure, printed with @tag after each name ("" idle,
 * "_load_N" beside N busy processes).
 */
static void measure(const char *argv0, unsigned long ne, unsigned long ns,
                    const char *tag)
{
	unsigned long nd = ns / 10 ? ns / 10 : 1; /* without a channel */
	char dir[] = "/tmp/bench-service-XXXXXX", addr[128], conf[128];
	char addr_arg[160], log[160], tlog[160], nbuf[32], kbuf[8];
	double te, t1, t4 = 0, tn, tb, rtt;
	unsigned long me, m1, m4 = 0, mn, mb;
	pid_t bus, tapixd, kids[4];
	unsigned i;
	FILE *f;

	/* embedded */
	setenv("TAPIX_SERVICE", "", 1);
	setenv("TAPIX_CONF", "", 1);
	te = run(0, ne, &me);
	rtt = ping_pong(ne);

	/* the service, on a private bus */
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	snprintf(addr, sizeof(addr), "unix:path=%s/bus", dir);
	snprintf(log, sizeof(log), "%s/dbus.log", dir);
	{
		const char *a[] = {
			"dbus-daemon", "--config-file=" TAPIX_BENCH_BUS_CONF,
			"--address",   addr,
			"--nofork",    NULL};

		bus = spawn(a, log);
	}
	snprintf(conf, sizeof(conf), "%s/tapix.conf", dir);
	f = fopen(conf, "w");
	if (!f)
		die("the configuration", errno);
	fputs("[tapix]\nproviders = esp\n[esp]\nlines = 8\n", f);
	fclose(f);
	/* the bus is ready when it accepts a connection (the socket file
	 * exists from bind(), before listen()) */
	for (i = 0; i < 300 && !listening(addr + 10); i++)
		usleep(10000);
	snprintf(addr_arg, sizeof(addr_arg), "--address=%s", addr);
	snprintf(tlog, sizeof(tlog), "%s/tapixd.log", dir);
	setenv("TAPIX_CONF", conf, 1);
	tapixd = start_tapixd(addr_arg, tlog, NULL);
	setenv("TAPIX_SERVICE", addr, 1);

	/* one client: this process */
	t1 = run(0, ns, &m1);
	if (!file_has(tlog, "(direct): channel open"))
		die("a client on a direct connection with a channel", 0);

	/* four clients: four processes, lines 0-1, 2-3, 4-5, 6-7 */
	snprintf(nbuf, sizeof(nbuf), "%lu", ns / 4);
	{
		double start = now_s(), end;
		int fds[4];

		for (i = 0; i < 4; i++) {
			int p[2];
			posix_spawn_file_actions_t fa;
			const char *a[] = {argv0, "--child", kbuf, nbuf, NULL};

			snprintf(kbuf, sizeof(kbuf), "%u", i);
			if (pipe(p) != 0)
				die("pipe", errno);
			posix_spawn_file_actions_init(&fa);
			posix_spawn_file_actions_adddup2(&fa, p[1], 1);
			posix_spawn_file_actions_addclose(&fa, p[0]);
			if (posix_spawn(&kids[i], argv0, &fa, NULL,
			                (char *const *)a, environ) != 0)
				die("starting a client", errno);
			posix_spawn_file_actions_destroy(&fa);
			close(p[1]);
			fds[i] = p[0];
		}
		for (i = 0; i < 4; i++) {
			char out[128] = "";
			double t = 0;
			unsigned long m = 0;
			ssize_t n = read(fds[i], out, sizeof(out) - 1);
			int st;

			if (n > 0)
				out[n] = '\0';
			waitpid(kids[i], &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
			    sscanf(out, "%lf %lu", &t, &m) != 2)
				die("a client", 0);
			m4 += m;
			close(fds[i]);
		}
		end = now_s();
		/* wall time of the four, the warm-ups included: a lower bound
		 */
		t4 = end - start;
	}
	kill(tapixd, SIGTERM);
	waitpid(tapixd, NULL, 0);

	/* one client on a direct connection without a channel */
	tapixd = start_tapixd(addr_arg, tlog, "--no-channel");
	tn = run(0, nd, &mn);
	if (!file_has(tlog, "(direct)") || file_has(tlog, "channel open"))
		die("a client on a direct connection without a channel", 0);
	kill(tapixd, SIGTERM);
	waitpid(tapixd, NULL, 0);

	/* one client through the bus daemon */
	tapixd = start_tapixd(addr_arg, tlog, "--peer=none");
	tb = run(0, nd, &mb);
	if (!file_has(tlog, "registered for :"))
		die("a client through the bus", 0);
	kill(tapixd, SIGTERM);
	waitpid(tapixd, NULL, 0);
	kill(bus, SIGTERM);
	waitpid(bus, NULL, 0);
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}

	printf("embedded_lifecycle_rate%s %.0f lifecycles/s\n", tag,
	       (double)ne / te);
	printf("embedded_message_rate%s %.0f messages/s\n", tag,
	       (double)me / te);
	printf("service_lifecycle_rate_1_client%s %.0f lifecycles/s\n", tag,
	       (double)ns / t1);
	printf("service_message_rate_1_client%s %.0f messages/s\n", tag,
	       (double)m1 / t1);
	printf("service_lifecycle_rate_4_clients%s %.0f lifecycles/s\n", tag,
	       (double)(ns / 4 * 4) / t4);
	printf("service_message_rate_4_clients%s %.0f messages/s\n", tag,
	       (double)m4 / t4);
	printf("service_lifecycle_rate_1_client_no_channel%s %.0f lifecycles/s\n",
	       tag, (double)nd / tn);
	printf("service_message_rate_1_client_no_channel%s %.0f messages/s\n",
	       tag, (double)mn / tn);
	printf("service_lifecycle_rate_1_client_bus%s %.0f lifecycles/s\n", tag,
	       (double)nd / tb);
	printf("service_message_rate_1_client_bus%s %.0f messages/s\n", tag,
	       (double)mb / tb);
	printf("socket_round_trip%s %.1f us\n", tag, rtt * 1e6);
	printf("ipc_floor_lifecycle_rate%s %.0f lifecycles/s\n", tag,
	       1.0 / (6.0 * rtt));
	printf("embedded_over_service_1_client%s %.1f\n", tag,
	       ((double)ne / te) / ((double)ns / t1));
	printf("embedded_over_service_4_clients%s %.1f\n", tag,
	       ((double)ne / te) / ((double)(ns / 4 * 4) / t4));
	printf("embedded_over_service_1_client_no_channel%s %.1f\n", tag,
	       ((double)ne / te) / ((double)nd / tn));
	printf("embedded_over_service_1_client_bus%s %.1f\n", tag,
	       ((double)ne / te) / ((double)nd / tb));
	printf("embedded_over_ipc_floor%s %.1f\n", tag,
	       ((double)ne / te) * (6.0 * rtt));
}

int main(int argc, char **argv)
{
	unsigned long ne, ns, load = 0;
	pid_t *busy;
	char tag[32];
	int a = 1;
	unsigned i;

	if (argc == 4 && strcmp(argv[1], "--child") == 0) {
		/* one of the four clients: lines 2k, 2k+1 */
		unsigned long n;
		double t = run((unsigned)strtoul(argv[2], NULL, 10),
		               strtoul(argv[3], NULL, 10), &n);

		printf("%f %lu\n", t, n);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--load") == 0) {
		load = strtoul(argv[2], NULL, 10);
		a = 3;
	}
	ne = argc > a ? strtoul(argv[a], NULL, 10) : 20000;
	ns = argc > a + 1 ? strtoul(argv[a + 1], NULL, 10) : 20000;
	signal(SIGPIPE, SIG_IGN);
	measure(argv[0], ne, ns, "");
	if (!load)
		return 0;
	busy = calloc(load, sizeof(*busy));
	if (!busy)
		die("calloc", errno);
	for (i = 0; i < load; i++)
		busy[i] = load_start();
	snprintf(tag, sizeof(tag), "_load_%lu", load);
	measure(argv[0], ne, ns, tag);
	for (i = 0; i < load; i++) {
		kill(busy[i], SIGKILL);
		waitpid(busy[i], NULL, 0);
	}
	free(busy);
	return 0;
}
