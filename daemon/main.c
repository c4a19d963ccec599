/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: the telephony service. Loads the providers of tapix.conf (the
 * embedded core in this process), serves org.tapix.Tapix1 on the system
 * bus, the session bus or a given bus address, and runs until SIGTERM or
 * SIGINT; SIGHUP reloads the access rules and the limits. The limits in
 * force and the memory left for clients are decided here (issue 19).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "core/config.h"
#include "dlog.h"
#include "tapixd.h"

struct daemon d;

/* ---- limits -------------------------------------------------------------
 */

/*
 * Issue 19 item 4 — descriptors: a registration holds one (its event
 * descriptor), a direct connection five (its socket and its channel's
 * memfd and three eventfds). Of what RLIMIT_NOFILE allows, FD_KEEP stay
 * for everything else (the bus, the providers' sockets and devices, the
 * log); registrations may take half the rest, connections the other half.
 */
#define FD_KEEP     128
#define FD_PER_CONN 5

void lim_get(struct limits *out)
{
	struct rlimit r;

	*out = *acl_limits();
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
		rlim_t left =
			r.rlim_cur > FD_KEEP + 32 ? r.rlim_cur - FD_KEEP : 32;

		if (out->regs > left / 2)
			out->regs = (unsigned)(left / 2);
		if (out->conns > left / 2 / FD_PER_CONN)
			out->conns = (unsigned)(left / 2 / FD_PER_CONN);
	}
}

bool lim_allows(uid_t uid, unsigned all, unsigned mine, unsigned max,
                unsigned per_user)
{
	unsigned reserve = max / 16 ? max / 16 : 1;

	if (uid == 0)
		return all < max;
	return mine < per_user && all < max && max - all > reserve;
}

/*
 * Issue 19 item 9 — memory. Past its limit, an allocation anywhere fails,
 * sd-bus's too: it then closes the connection it was reading, and a
 * closing connection needs memory again for its Disconnected message —
 * the loop spun on that, never served the bus again, and never freed the
 * client (its end is that message). So clients' requests that hold
 * memory are refused while less than MEM_HEADROOM is left: what remains
 * is the loop's.
 */
#define MEM_HEADROOM    (16ull << 20)
#define MEM_SAMPLE_USEC 10000

static void tick_arm(void);

static uint64_t usec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

/* The process's size and data, in bytes (/proc/self/statm); false if it
 * cannot be read (no descriptor: then memory is not what is short). */
static bool statm(uint64_t *size, uint64_t *data)
{
	unsigned long v[6];
	char buf[128];
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	long page = sysconf(_SC_PAGESIZE);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3],
	           &v[4], &v[5]) != 6)
		return false;
	*size = (uint64_t)v[0] * (uint64_t)page;
	*data = (uint64_t)v[5] * (uint64_t)page;
	return true;
}

/*
 * The memory cgroup (v2) tapixd runs in, and each one above it: their
 * memory.max (the unit's MemoryMax=, a slice's) and memory.current,
 * opened once at start and read again at each sample. Past a group's
 * limit the kernel does not fail an allocation, it reclaims and then
 * kills the group: the same refusals keep tapixd below it.
 */
#define CG_LEVELS 8

static struct {
	int max[CG_LEVELS], cur[CG_LEVELS];
	unsigned n;
} cg;

/* Opens the files of the group at @dir (a path). */
static void cg_add(const char *dir)
{
	char path[PATH_MAX];
	int max, cur;

	if (cg.n >= CG_LEVELS || snprintf(path, sizeof(path), "%s/memory.max",
	                                  dir) >= (int)sizeof(path))
		return;
	max = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	cur = max < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (cur < 0) {
		if (max >= 0)
			close(max);
		return;
	}
	cg.max[cg.n] = max;
	cg.cur[cg.n++] = cur;
}

/*
 * Finds tapixd's groups: the line "0::PATH" of /proc/self/cgroup under
 * /sys/fs/cgroup. With --test-hooks, TAPIX_TEST_CGROUP_ROOT and
 * TAPIX_TEST_CGROUP stand for the two (a test's files, not the kernel's).
 */
static void cg_open(void)
{
	const char *root = "/sys/fs/cgroup", *rel = NULL;
	char line[PATH_MAX], dir[PATH_MAX * 2];
	char *slash;
	FILE *f = NULL;

	if (d.test_hooks && getenv("TAPIX_TEST_CGROUP_ROOT")) {
		root = getenv("TAPIX_TEST_CGROUP_ROOT");
		rel = getenv("TAPIX_TEST_CGROUP");
	} else if ((f = fopen("/proc/self/cgroup", "re")) != NULL) {
		while (!rel && fgets(line, sizeof(line), f))
			if (strncmp(line, "0::/", 4) == 0)
				rel = line + 3;
		fclose(f);
	}
	if (!rel || *rel != '/' ||
	    snprintf(dir, sizeof(dir), "%s%s", root, rel) >= (int)sizeof(dir))
		return;
	dir[strcspn(dir, "\n")] = '\0';
	/* from its own group up, the root's (no memory.max) left out */
	while (strlen(dir) > strlen(root)) {
		cg_add(dir);
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

static void cg_close(void)
{
	while (cg.n) {
		cg.n--;
		close(cg.max[cg.n]);
		close(cg.cur[cg.n]);
	}
}

/* A number of bytes read from @fd; UINT64_MAX for "max" or none. */
static uint64_t cg_read(int fd)
{
	char buf[32], *end;
	unsigned long long v;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (end == buf || errno || (*end && *end != '\n'))
		return UINT64_MAX;
	return v;
}

/* Bytes left below the tightest of the groups' limits (UINT64_MAX: none
 * set). */
static uint64_t cg_left(void)
{
	uint64_t left = UINT64_MAX, max, cur;
	unsigned i;

	for (i = 0; i < cg.n; i++) {
		max = cg_read(cg.max[i]);
		cur = max == UINT64_MAX ? max : cg_read(cg.cur[i]);
		if (cur == UINT64_MAX)
			continue;
		if ((max > cur ? max - cur : 0) < left)
			left = max > cur ? max - cur : 0;
	}
	return left;
}

/* Bytes left below the memory limits (UINT64_MAX: none set). */
static uint64_t mem_left(void)
{
	uint64_t left = cg_left(), size, data;
	struct rlimit as, ds;

	if (getrlimit(RLIMIT_AS, &as) == 0 &&
	    getrlimit(RLIMIT_DATA, &ds) == 0 &&
	    (as.rlim_cur != RLIM_INFINITY || ds.rlim_cur != RLIM_INFINITY) &&
	    statm(&size, &data)) {
		if (as.rlim_cur != RLIM_INFINITY &&
		    (as.rlim_cur > size ? as.rlim_cur - size : 0) < left)
			left = as.rlim_cur > size ? as.rlim_cur - size : 0;
		if (ds.rlim_cur != RLIM_INFINITY &&
		    (ds.rlim_cur > data ? ds.rlim_cur - data : 0) < left)
			left = ds.rlim_cur > data ? ds.rlim_cur - data : 0;
	}
	if (left == UINT64_MAX)
		return left;
#ifdef __GLIBC__
	/* near the limit, what the heap holds free counts too (a client
	 * that left gave it back there, not to the system) */
	if (left < MEM_HEADROOM)
		left += mallinfo2().fordblks;
#endif
	return left;
}

static struct {
	uint64_t at;   /* when it was sampled */
	bool is_short; /* then */
} mem;

bool mem_short(void)
{
	uint64_t now = usec_now();
	bool was = mem.is_short;

	if (mem.at && now - mem.at < MEM_SAMPLE_USEC)
		return mem.is_short;
	mem.at = now;
	mem.is_short = mem_left() < MEM_HEADROOM;
	if (mem.is_short)
		tick_arm(); /* looked at again every second until it ends */
	if (mem.is_short && !was)
		log_warn("memory short (less than %llu MiB below the limit): "
		         "new registrations, opens, calls and connections "
		         "refused",
		         (unsigned long long)(MEM_HEADROOM >> 20));
	else if (!mem.is_short && was)
		log_warn("memory available again");
	return mem.is_short;
}

static void usage(FILE *f)
{
	fputs("Usage: tapixd [OPTION]...\n"
	      "       tapixd --check-config [FILE]\n"
	      "The tapix telephony service: TAPI lines shared by processes,\n"
	      "over D-Bus (org.tapix.Tapix1).\n"
	      "\n"
	      "  --bus=system|session  the bus to serve on (default: system)\n"
	      "  --address=ADDRESS     the bus at this D-Bus address instead\n"
	      "  --config=FILE         tapix.conf to use (default: TAPIX_CONF,\n"
	      "                        else /etc/tapix/tapix.conf)\n"
	      "  --check-config[=FILE] check the configuration (FILE, else\n"
	      "                        as --config) and exit: 0 valid, 1 not\n"
	      "  --log=LEVELS          log levels, e.g. info,sip=debug\n"
	      "                        (default: TAPIX_LOG, else warn)\n"
	      "  --peer=PATH|none      the socket of direct connections\n"
	      "                        (default: tapi in $RUNTIME_DIRECTORY,\n"
	      "                        else in a new directory of\n"
	      "                        $XDG_RUNTIME_DIR or /tmp); none: the\n"
	      "                        bus only\n"
	      "  --no-channel          direct connections without shared\n"
	      "                        memory (D-Bus messages only)\n"
	      "  --no-objects          no Line and Call objects on the bus\n"
	      "                        (org.tapix.Tapi1 only)\n"
	      "  --test-hooks          org.tapix.Test1 for the project's\n"
	      "                        tests; never in production\n"
	      "  --help                this text\n"
	      "  --version             the version\n",
	      f);
}

/* The library's log lines go out as tapixd's own. */
static void log_sink(enum tapix_log_level level, const char *module,
                     const char *msg, void *arg)
{
	(void)arg;
	if (d.test_hooks)
		hooks_log(module, msg);
	dlog_line(level, module, msg);
}

/* A problem of the configuration, as FILE:LINE: message (module config). */
static void config_report(void *arg, bool error, const char *file, int line,
                          const char *msg)
{
	char text[1024];

	(void)arg;
	if (line > 0)
		snprintf(text, sizeof(text), "%s:%d: %s", file, line, msg);
	else
		snprintf(text, sizeof(text), "%s: %s", file, msg);
	dlog_line(error ? TAPIX_LOG_ERR : TAPIX_LOG_WARN, "config", text);
}

/*
 * Checks the whole configuration: the library's part (syntax, its
 * sections, sections nobody reads, with @providers every provider's keys)
 * then tapixd's own sections, loaded if valid (acl_load). Every problem
 * is logged. 0 if valid.
 */
static int config_load(bool providers)
{
	int n = 0, e;

	if (d.conf_path) {
		n = tapix_config_check(d.conf_path,
		                       providers ? TAPIX_CONFIG_PROVIDERS : 0,
		                       config_report, NULL);
		if (n < 0)
			log_err("cannot check %s: %s", d.conf_path,
			        strerror(-n));
	}
	e = acl_load(d.conf_path);
	return n != 0 || e != 0 ? -1 : 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si,
                   void *userdata)
{
	(void)s;
	(void)userdata;
	log_info("signal %u: stopping", si->ssi_signo);
	d.stopping = true;
	return sd_event_exit(d.event, 0);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si,
                     void *userdata)
{
	unsigned regs = 0, opens = 0, ncalls = 0;
	bool lim_changed = false;
	char changed[256];

	(void)s;
	(void)si;
	(void)userdata;
	/* providers are loaded once per session: only the access rules and
	 * the limits of the file are read again; the rest is checked (its
	 * problems logged, for the next start), the running providers'
	 * keys excepted */
	if (d.conf_path &&
	    tapix_config_check(d.conf_path, 0, config_report, NULL) != 0)
		log_warn("%s has errors: tapixd would not start with it",
		         d.conf_path);
	if (acl_reload(d.conf_path, d.ndevs, changed, sizeof(changed),
	               &lim_changed) != 0) {
		log_err("access rules of %s not reloaded: kept the old ones",
		        d.conf_path ? d.conf_path : "(none)");
		return 0;
	}
	/* issue 19 item 11 — a line taken away is taken at once */
	rpc_rules_changed(&regs, &opens);
	/* and the calls tapixd owns for D-Bus users who lost their line */
	tel_rules_changed(&ncalls);
	tel_incoming_reload();
	log_info("access rules reloaded from %s: %s%s%s; %u registrations "
	         "lost lines, %u opens closed, %u calls of D-Bus users "
	         "dropped%s",
	         d.conf_path ? d.conf_path : "(none)",
	         changed[0] ? "lines " : "no line changed", changed,
	         changed[0] ? " changed" : "", regs, opens, ncalls,
	         lim_changed ? "; limits changed" : "");
	return 0;
}

/*
 * The second's checks, armed only while something needs them, so that an
 * idle tapixd never wakes (issue 16): the "suppressed" log lines while
 * dlog holds some back (it wakes the loop through an eventfd when it
 * starts to), and while memory is short and for two seconds after, the
 * direct connections sd-bus could not end (issue 19 item 9) and the bus.
 * A bus connection out of service for two seconds (closed, or closing
 * without the memory to end) is not coming back: tapixd exits with an
 * error, for systemd to start it again (Restart=on-failure). A bus that
 * closes normally is seen at once (on_bus_gone).
 */
static sd_event_source *tick;

static void tick_arm(void)
{
	uint64_t now;
	int on;

	if (!tick || sd_event_source_get_enabled(tick, &on) < 0 ||
	    on != SD_EVENT_OFF ||
	    sd_event_now(d.event, CLOCK_MONOTONIC, &now) < 0)
		return;
	if (sd_event_source_set_time(tick, now + 1000000) < 0 ||
	    sd_event_source_set_enabled(tick, SD_EVENT_ONESHOT) < 0)
		log_err("the second's checks stop: out of memory");
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	static unsigned bus_down, after_short;
	bool again = false;

	(void)userdata;
	if (dlog_flush())
		again = true;
	if (peer_check())
		again = true;
	if (sd_bus_is_open(d.bus) > 0) {
		bus_down = 0;
	} else if (++bus_down >= 2) {
		log_err("lost the bus: exiting");
		return sd_event_exit(d.event, -ECONNRESET);
	} else {
		again = true;
	}
	/* tells when memory is available again */
	if (mem_short())
		after_short = 2;
	else if (after_short)
		after_short--;
	if (after_short)
		again = true;
	if (again && (sd_event_source_set_time(s, usec + 1000000) < 0 ||
	              sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0))
		log_err("the second's checks stop: out of memory");
	return 0;
}

/* dlog started holding lines back. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	uint64_t n;

	(void)s;
	(void)revents;
	(void)userdata;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: another wake took it */
	}
	tick_arm();
	return 0;
}

/*
 * A signal of the bus's interface that the bus did not send: any peer may
 * send a signal to our name, and sd-bus lets a look-alike of the bus's
 * NameOwnerChanged through a match on the bus's name (it checks only a
 * unique sender), sd_bus_track's among them: one would have told us that
 * another user's client left (its registrations shut down, its RAS
 * references released). Dropped here, before any match sees it.
 */
static int forged_bus_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *from = sd_bus_message_get_sender(m);
	const char *iface = sd_bus_message_get_interface(m);

	(void)userdata;
	(void)e;
	if (!sd_bus_message_is_signal(m, NULL, NULL) || !iface ||
	    strcmp(iface, "org.freedesktop.DBus") != 0 ||
	    (from && strcmp(from, "org.freedesktop.DBus") == 0))
		return 0;
	log_debug("a %s signal from %s, not the bus: ignored",
	          sd_bus_message_get_member(m), from ? from : "nobody");
	return 1; /* handled: no match sees it */
}

/* The bus connection closed (sd-bus's local Disconnected signal). */
static int on_bus_gone(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(void)m;
	(void)userdata;
	(void)e;
	log_err("lost the bus: exiting");
	return sd_event_exit(d.event, -ECONNRESET);
}

/* Issue 19 item 4 — as many descriptors as the hard limit allows (the
 * limits follow the soft one, lim_get). */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= r.rlim_max)
		return;
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0)
		log_warn("cannot raise the descriptor limit: %s",
		         strerror(errno));
}

static int open_bus(const char *bus, const char *address)
{
	int e;

	if (address) {
		e = sd_bus_new(&d.bus);
		if (e >= 0)
			e = sd_bus_set_address(d.bus, address);
		if (e >= 0)
			e = sd_bus_set_bus_client(d.bus, 1);
		if (e >= 0)
			e = sd_bus_start(d.bus);
	} else if (strcmp(bus, "session") == 0) {
		e = sd_bus_open_user(&d.bus);
	} else {
		e = sd_bus_open_system(&d.bus);
	}
	return e;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bus", required_argument, NULL, 'b'},
		{"address", required_argument, NULL, 'a'},
		{"check-config", optional_argument, NULL, 'k'},
		{"config", required_argument, NULL, 'c'},
		{"log", required_argument, NULL, 'l'},
		{"no-channel", no_argument, NULL, 'C'},
		{"no-objects", no_argument, NULL, 'o'},
		{"peer", required_argument, NULL, 'p'},
		{"test-hooks", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *bus = "system", *address = NULL, *levels = NULL;
	const char *peer = NULL;
	bool check = false;
	sigset_t mask;
	int c, e, status = 1, waker = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bus = optarg;
			if (strcmp(bus, "system") && strcmp(bus, "session")) {
				fprintf(stderr, "tapixd: --bus is system or "
				                "session\n");
				return 2;
			}
			break;
		case 'a':
			address = optarg;
			break;
		case 'k':
			check = true;
			if (optarg)
				setenv("TAPIX_CONF", optarg, 1);
			break;
		case 'c':
			setenv("TAPIX_CONF", optarg, 1);
			break;
		case 'l':
			levels = optarg;
			break;
		case 'C':
			d.no_channel = true;
			break;
		case 'o':
			d.no_objects = true;
			break;
		case 'p':
			peer = optarg;
			break;
		case 't':
			d.test_hooks = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tapixd %s\n", tapix_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* tapixd --check-config FILE: the file as an operand */
	if (check && optind == argc - 1)
		setenv("TAPIX_CONF", argv[optind++], 1);
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* the service is embedded: never its own client (an empty value
	 * overrides a [tapix] service key of the shared tapix.conf) */
	setenv("TAPIX_SERVICE", "", 1);
	tapix_log_set_sink(log_sink, NULL);
	if (!levels)
		levels = getenv("TAPIX_LOG");
	if (levels && (tapix_log_set_levels(levels) != 0 ||
	               dlog_set_levels(levels) != 0)) {
		fprintf(stderr, "tapixd: bad log levels \"%s\"\n", levels);
		return 2;
	}
	d.conf_path = getenv("TAPIX_CONF");
	if (d.conf_path && !*d.conf_path)
		d.conf_path = NULL;
	if (!getenv("TAPIX_CONF") && access("/etc/tapix/tapix.conf", F_OK) == 0)
		d.conf_path = "/etc/tapix/tapix.conf";
	/* incoming = answer:FILE: a file tapixd cannot play is a problem of
	 * the configuration, found when it is loaded */
	acl_set_file_check(tel_check_answer_file);
	if (check) {
		/* nothing starts: the providers' modules are loaded to have
		 * them check their keys, no session */
		const char *name = d.conf_path ? d.conf_path : "(built-in)";

		status = config_load(true) == 0 ? 0 : 1;
		if (status == 0)
			printf("%s: configuration valid\n", name);
		else
			fprintf(stderr, "%s: configuration not valid\n", name);
		acl_free();
		return status;
	}

	raise_nofile();
	cg_open();
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	e = sd_event_default(&d.event);
	if (e < 0) {
		log_err("no event loop: %s", strerror(-e));
		return 1;
	}
	/* every error of the file told at once, before anything starts */
	if (config_load(true) != 0) {
		log_err("configuration %s not valid: not starting",
		        d.conf_path ? d.conf_path : "(built-in)");
		goto out;
	}
	e = open_bus(bus, address);
	if (e < 0) {
		log_err("cannot connect to the %s bus: %s",
		        address ? address : bus, strerror(-e));
		goto out;
	}
	sd_event_add_signal(d.event, NULL, SIGTERM, on_stop, NULL);
	sd_event_add_signal(d.event, NULL, SIGINT, on_stop, NULL);
	sd_event_add_signal(d.event, NULL, SIGHUP, on_reload, NULL);
	if (sd_event_add_time_relative(d.event, &tick, CLOCK_MONOTONIC, 1000000,
	                               100000, on_tick, NULL) >= 0)
		sd_event_source_set_enabled(tick, SD_EVENT_OFF);
	waker = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (waker >= 0 &&
	    sd_event_add_io(d.event, NULL, waker, EPOLLIN, on_wake, NULL) >= 0)
		dlog_set_waker(waker);
	sd_bus_match_signal(d.bus, NULL, NULL, "/org/freedesktop/DBus/Local",
	                    "org.freedesktop.DBus.Local", "Disconnected",
	                    on_bus_gone, NULL);
	/* (without it, no watch of a client could be trusted) */
	e = sd_bus_add_filter(d.bus, NULL, forged_bus_signal, NULL);
	if (e >= 0)
		e = sd_bus_attach_event(d.bus, d.event,
		                        SD_EVENT_PRIORITY_NORMAL);
	if (e >= 0)
		e = tel_start();
	if (e >= 0)
		e = rpc_start();
	/* without direct connections, clients use the bus; a socket asked
	 * for by name must work */
	if (e >= 0 && peer_start(peer) < 0 && peer)
		e = -EADDRNOTAVAIL;
	if (e >= 0)
		e = ras_start();
	if (e >= 0 && d.test_hooks)
		e = hooks_start();
	if (e >= 0)
		e = sd_bus_request_name(d.bus, TAPIXD_BUS_NAME, 0);
	if (e < 0) {
		log_err("cannot start: %s", strerror(-e));
		goto stop;
	}
	log_info("serving %s on the %s bus, %u lines", TAPIXD_BUS_NAME,
	         address ? address : bus, (unsigned)d.ndevs);
	e = sd_event_loop(d.event);
	status = e < 0 ? 1 : 0;
stop:
	sd_bus_release_name(d.bus, TAPIXD_BUS_NAME);
	/* spec: termination.md §6 — every registration shut down, then the
	 * service's own: the providers stop */
	peer_stop();
	rpc_stop();
	ras_stop();
	tel_stop();
	hooks_stop();
	sd_bus_flush(d.bus);
	/* the threads that log are gone */
	dlog_set_waker(-1);
	if (waker >= 0)
		close(waker);
out:
	d.bus = sd_bus_flush_close_unref(d.bus);
	d.event = sd_event_unref(d.event);
	acl_free();
	cg_close();
	return status;
}
