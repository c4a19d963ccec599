/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test fixture helpers (see fx.h). */
#include "fx.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "proc.h"
#include "tapi_names.h"

static char conf_path[256];

/* ---- service mode ---------------------------------------------------------
 *
 * With TAPIX_TEST_SERVICE=1 the same tests run through tapixd: a private
 * dbus-daemon for the whole program, and a tapixd started by fx_config
 * with the test's configuration (the service reads it, not the client).
 * The client reaches it on a direct connection (tapixd's default), or
 * through the bus daemon with TAPIX_TEST_SERVICE=bus (tapixd --peer=none).
 */
static bool service_checked, service, service_bus;
static pid_t bus_pid, tapixd_pid;
/* bus_dir + "/bus" fits in a sockaddr_un (108) */
static char bus_dir[100], bus_addr[128];
static sd_bus *hooks_bus;
static struct tapix_live baseline; /* the service's own objects */

bool fx_service(void)
{
	if (!service_checked) {
		const char *e = getenv("TAPIX_TEST_SERVICE");

		service_bus = e && strcmp(e, "bus") == 0;
		service = service_bus || (e && strcmp(e, "1") == 0);
		service_checked = true;
	}
	return service;
}

void fx_tmp_path(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");
	int n;

	if (!dir || !*dir)
		dir = "/tmp";
	n = snprintf(buf, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size)
		fail_msg("TMPDIR too long for %s: %s", name, dir);
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

static void wait_for(bool (*ready)(void), const char *what)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	unsigned i;

	for (i = 0; i < 1000 && !ready(); i++)
		nanosleep(&step, NULL);
	if (!ready())
		fail_msg("%s did not start", what);
}

static bool bus_ready(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/bus", bus_dir);
	return proc_unix_listening(path);
}

static char tapixd_log[128];

static bool tapixd_ready(void)
{
	return file_has(tapixd_log, "serving ") ||
	       file_has(tapixd_log, "not starting") ||
	       file_has(tapixd_log, "cannot start");
}

/*
 * A method of org.tapix.Test1 on tapixd; *reply to be unref'd. With
 * @quiet_error set, an error answer is returned (the D-Bus error's name
 * in it) instead of failing the test.
 */
static int hook_v(const char *member, sd_bus_message **reply,
                  sd_bus_error *quiet_error, const char *types, va_list ap)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int e;

	if (!hooks_bus) {
		e = sd_bus_new(&hooks_bus);
		if (e >= 0)
			e = sd_bus_set_address(hooks_bus, bus_addr);
		if (e >= 0)
			e = sd_bus_set_bus_client(hooks_bus, 1);
		if (e >= 0)
			e = sd_bus_start(hooks_bus);
		if (e < 0)
			fail_msg("test hooks: no bus: %s", strerror(-e));
	}
	e = sd_bus_message_new_method_call(hooks_bus, &m, "org.tapix.Tapix1",
	                                   "/org/tapix/Tapix1",
	                                   "org.tapix.Test1", member);
	if (e >= 0 && types)
		e = sd_bus_message_appendv(m, types, ap);
	if (e >= 0)
		e = sd_bus_call(hooks_bus, m, 10 * 1000 * 1000, &err, reply);
	sd_bus_message_unref(m);
	if (e < 0 && quiet_error && sd_bus_error_is_set(&err)) {
		sd_bus_error_move(quiet_error, &err);
		return e;
	}
	if (e < 0) {
		fprintf(stderr, "test hook %s: %s\n", member,
		        err.message ? err.message : strerror(-e));
		sd_bus_error_free(&err);
		fail();
	}
	return e;
}

static void hook(const char *member, sd_bus_message **reply, const char *types,
                 ...)
{
	va_list ap;

	va_start(ap, types);
	hook_v(member, reply, NULL, types, ap);
	va_end(ap);
}

/* As hook, but false (no failure) when tapixd answers with an error. */
static bool hook_try(const char *member, sd_bus_message **reply,
                     const char *types, ...)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	va_list ap;
	int e;

	va_start(ap, types);
	e = hook_v(member, reply, &err, types, ap);
	va_end(ap);
	sd_bus_error_free(&err);
	return e >= 0;
}

static void service_live(struct tapix_live *l)
{
	sd_bus_message *r = NULL;
	uint64_t v[9];

	hook("Live", &r, NULL);
	assert_true(sd_bus_message_read(r, "ttttttttt", &v[0], &v[1], &v[2],
	                                &v[3], &v[4], &v[5], &v[6], &v[7],
	                                &v[8]) >= 0);
	sd_bus_message_unref(r);
	l->apps = v[0];
	l->opens = v[1];
	l->lines = v[2];
	l->calls = v[3];
	l->call_handles = v[4];
	l->requests = v[5];
	l->providers = v[6];
	l->allocations = v[7];
	l->provider_objects = v[8];
}

void fx_live(struct tapix_live *l)
{
	struct tapix_live s;

	tapix_live_get(l);
	if (!fx_service())
		return;
	/* this process holds only the client's registrations: add what the
	 * service holds beyond its own objects */
	service_live(&s);
	l->apps += s.apps - baseline.apps;
	l->opens += s.opens - baseline.opens;
	l->lines += s.lines - baseline.lines;
	l->calls += s.calls - baseline.calls;
	l->call_handles += s.call_handles - baseline.call_handles;
	l->requests += s.requests - baseline.requests;
	l->allocations += s.allocations - baseline.allocations;
	l->provider_objects += s.provider_objects - baseline.provider_objects;
}

static void service_stop(void)
{
	hooks_bus = sd_bus_flush_close_unref(hooks_bus);
	if (tapixd_pid) {
		/* SIGTERM: the service shuts every registration down */
		kill(tapixd_pid, SIGTERM);
		if (proc_wait(tapixd_pid, 10000) != 0)
			fprintf(stderr, "tapixd did not stop cleanly\n");
		tapixd_pid = 0;
	}
}

static void service_end(void)
{
	service_stop();
	if (bus_pid)
		proc_kill(bus_pid);
	bus_pid = 0;
	if (bus_dir[0]) {
		static const char *const files[] = {"bus", "dbus.log",
		                                    "tapixd.log"};
		char path[192];
		unsigned i;

		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", bus_dir,
			         files[i]);
			unlink(path);
		}
		if (rmdir(bus_dir) != 0)
			fprintf(stderr, "cannot remove %s: %s\n", bus_dir,
			        strerror(errno));
	}
}

/* (Re)starts tapixd with the configuration at TAPIX_CONF. */
static void service_start(void)
{
	const char *argv[8];
	char addr_arg[160], log_arg[] = "--log=info";
	char hooks_arg[] = "--test-hooks";
	char bus_only_arg[] = "--peer=none";
	char log[160];

	if (!bus_pid) {
		const char *bargv[8];

		fx_tmp_path(bus_dir, sizeof(bus_dir), "tapix-bus-XXXXXX");
		assert_non_null(mkdtemp(bus_dir));
		snprintf(bus_addr, sizeof(bus_addr), "unix:path=%s/bus",
		         bus_dir);
		snprintf(log, sizeof(log), "%s/dbus.log", bus_dir);
		bargv[0] = "dbus-daemon";
		bargv[1] = "--config-file=" TAPIX_TEST_BUS_CONF;
		bargv[2] = "--address";
		bargv[3] = bus_addr;
		bargv[4] = "--nofork";
		bargv[5] = NULL;
		bus_pid = proc_start(log, 3600, bargv);
		atexit(service_end);
		wait_for(bus_ready, "dbus-daemon");
		setenv("TAPIX_SERVICE", bus_addr, 1);
	}
	service_stop();
	snprintf(tapixd_log, sizeof(tapixd_log), "%s/tapixd.log", bus_dir);
	snprintf(addr_arg, sizeof(addr_arg), "--address=%s", bus_addr);
	argv[0] = TAPIX_TEST_TAPIXD;
	argv[1] = addr_arg;
	argv[2] = log_arg;
	argv[3] = hooks_arg;
	/*
	 * Its Line and Call objects on, as installed: tapixd watches every
	 * call (an observer, tapix_set_observer) and the termination rules
	 * must come out as embedded; its own objects are not counted
	 * (daemon/hooks.c).
	 */
	argv[4] = service_bus ? bus_only_arg : NULL;
	argv[5] = NULL;
	tapixd_pid = proc_start(tapixd_log, 3600, argv);
	wait_for(tapixd_ready, "tapixd");
	if (file_has(tapixd_log, "serving "))
		service_live(&baseline);
}

/* Apps registered through fx and not yet shut down. */
#define FX_MAX_APPS 64
static HLINEAPP live_apps[FX_MAX_APPS];

static void track(HLINEAPP h, bool add)
{
	unsigned i;

	for (i = 0; i < FX_MAX_APPS; i++) {
		if (add && live_apps[i] == 0) {
			live_apps[i] = h;
			return;
		}
		if (!add && live_apps[i] == h) {
			live_apps[i] = 0;
			return;
		}
	}
}

int fx_teardown(void **state)
{
	unsigned i;
	bool leftover = false;

	(void)state;
	for (i = 0; i < FX_MAX_APPS; i++) {
		if (live_apps[i]) {
			lineShutdown(live_apps[i]);
			live_apps[i] = 0;
			leftover = true;
		}
	}
	fx_config_cleanup();
	/* a test must shut its apps down; a failed one is reported anyway */
	if (leftover)
		fail_msg("the test left applications registered");
	fx_assert_nothing_alive();
	fx_assert_esp_closed_all();
	return 0;
}

/* esp's counters, if this test's provider session had esp: true. */
static bool esp_counters_try(unsigned long out[4])
{
	char path[512];
	const char *dirs = TAPIX_TEST_PROVIDER_DIR;
	void (*fn)(unsigned long *);
	void *dl;

	if (fx_service()) {
		sd_bus_message *r = NULL;
		uint64_t v[4];
		unsigned i;

		/* an error: tapixd's session has no esp */
		if (!hook_try("EspCounters", &r, NULL))
			return false;
		assert_true(sd_bus_message_read(r, "tttt", &v[0], &v[1], &v[2],
		                                &v[3]) >= 0);
		sd_bus_message_unref(r);
		for (i = 0; i < 4; i++)
			out[i] = (unsigned long)v[i];
		return true;
	}
	snprintf(path, sizeof(path), "%.*s/esp.so", (int)strcspn(dirs, ":"),
	         dirs);
	dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (!dl)
		return false; /* never loaded in this process */
	*(void **)&fn = dlsym(dl, "esp_test_counters");
	assert_non_null(fn);
	fn(out);
	dlclose(dl);
	return true;
}

void fx_assert_esp_closed_all(void)
{
	unsigned long n[4];

	/*
	 * spec: termination.md §1.1, §1.2 — every call esp made was closed
	 * by TAPI (TSPI_lineCloseCall) exactly once, none after, and none
	 * was left for the end of its line or session.
	 */
	if (!esp_counters_try(n))
		return;
	if (n[1] || n[3] || n[0] != n[2])
		fail_msg("esp: %lu calls made, %lu closed by TAPI, %lu TSPI "
		         "calls naming no call, %lu calls never closed",
		         n[2], n[0], n[1], n[3]);
}

void fx_config_cleanup(void)
{
	if (conf_path[0])
		unlink(conf_path);
	conf_path[0] = '\0';
}

void fx_config(const char *conf)
{
	int fd;
	size_t len;

	setenv("TAPIX_PROVIDER_PATH", TAPIX_TEST_PROVIDER_DIR, 1);
	fx_config_cleanup();
	if (!conf) {
		setenv("TAPIX_CONF", "", 1);
	} else {
		fx_tmp_path(conf_path, sizeof(conf_path), "tapix-test-XXXXXX");
		fd = mkstemp(conf_path);
		assert_true(fd >= 0);
		len = strlen(conf);
		assert_int_equal(write(fd, conf, len), (ssize_t)len);
		close(fd);
		setenv("TAPIX_CONF", conf_path, 1);
	}
	if (fx_service())
		service_start();
}

void fx_config_esp(unsigned lines)
{
	char text[128];

	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = esp\n[esp]\nlines = %u\n", lines);
	fx_config(text);
}

LONG fx_app_try_init(struct fx_app *a, const char *name, DWORD api)
{
	LINEINITIALIZEEXPARAMS p;
	DWORD ver = api;
	LONG r;

	memset(a, 0, sizeof(*a));
	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	r = lineInitializeEx(&a->h, NULL, NULL, name, &a->ndevs, &ver, &p);
	if (r == 0) {
		a->fd = TAPIX_HANDLE_TO_FD(p.Handles.hEvent);
		track(a->h, true);
	}
	return r;
}

void fx_app_init(struct fx_app *a, const char *name)
{
	LONG r = fx_app_try_init(a, name, 0x00020002);

	if (r)
		fail_msg("lineInitializeEx: %s", tapi_error_name(r));
}

HLINE fx_open_ver(struct fx_app *a, DWORD dev, DWORD ver, DWORD privileges,
                  DWORD media)
{
	HLINE h = 0;
	LONG r = lineOpen(a->h, dev, &h, ver, 0, 0, privileges, media, NULL);

	if (r)
		fail_msg("lineOpen(%u): %s", (unsigned)dev, tapi_error_name(r));
	return h;
}

HLINE fx_open(struct fx_app *a, DWORD dev, DWORD privileges, DWORD media)
{
	return fx_open_ver(a, dev, 0x00020002, privileges, media);
}

unsigned fx_pump(struct fx_app *a)
{
	LINEMESSAGE m;
	unsigned n = 0;

	while (lineGetMessage(a->h, &m, 0) == 0) {
		if (a->nseen == FX_HISTORY)
			fail_msg("fx: message history full");
		a->used[a->nseen] = false;
		a->seen[a->nseen++] = m;
		n++;
	}
	return n;
}

static bool matches(const LINEMESSAGE *m, DWORD msg, DWORD hdev, DWORD_PTR p1)
{
	return m->dwMessageID == msg && (!hdev || m->hDevice == hdev) &&
	       (p1 == FX_ANY || m->dwParam1 == p1);
}

static void consume(struct fx_app *a, unsigned i)
{
	a->used[i] = true;
	while (a->cursor < a->nseen && a->used[a->cursor])
		a->cursor++;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

bool fx_wait_try(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1,
                 unsigned timeout_ms, LINEMESSAGE *out)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {.fd = a->fd, .events = POLLIN};
		long left;
		unsigned i;

		fx_pump(a);
		for (i = a->cursor; i < a->nseen; i++) {
			if (!a->used[i] &&
			    matches(&a->seen[i], msg, hdev, p1)) {
				consume(a, i);
				if (out)
					*out = a->seen[i];
				return true;
			}
		}
		left = (long)timeout_ms - elapsed_ms(&t0);
		if (left <= 0)
			return false;
		poll(&pfd, 1, (int)left);
	}
}

static void dump(struct fx_app *a)
{
	char line[160];
	unsigned i;

	for (i = 0; i < a->nseen; i++)
		print_message(
			"  %s%s\n", a->used[i] ? "  " : "> ",
			tapi_format_message(line, sizeof(line), &a->seen[i]));
}

LINEMESSAGE fx_wait(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1)
{
	LINEMESSAGE m;

	if (!fx_wait_try(a, msg, hdev, p1, FX_WAIT_MS, &m)) {
		dump(a);
		fail_msg("no %s (hDevice %08x, param1 %lx) within %d ms",
		         tapi_msg_name(msg), (unsigned)hdev, (unsigned long)p1,
		         FX_WAIT_MS);
	}
	return m;
}

void fx_expect(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1,
               DWORD_PTR p2, DWORD_PTR p3)
{
	const LINEMESSAGE *m;
	char line[160];

	fx_pump(a);
	if (a->cursor >= a->nseen) {
		dump(a);
		fail_msg("expected %s, got nothing", tapi_msg_name(msg));
	}
	m = &a->seen[a->cursor];
	if (m->dwMessageID != msg ||
	    (hdev != FX_ANY_DEV && m->hDevice != hdev) ||
	    (p1 != FX_ANY && m->dwParam1 != p1) ||
	    (p2 != FX_ANY && m->dwParam2 != p2) ||
	    (p3 != FX_ANY && m->dwParam3 != p3)) {
		dump(a);
		fail_msg("expected %s %08x %lx %lx %lx, got %s",
		         tapi_msg_name(msg), (unsigned)hdev, (unsigned long)p1,
		         (unsigned long)p2, (unsigned long)p3,
		         tapi_format_message(line, sizeof(line), m));
	}
	consume(a, a->cursor);
}

void fx_consume_all(struct fx_app *a)
{
	fx_pump(a);
	while (a->cursor < a->nseen)
		consume(a, a->cursor);
}

void fx_expect_none(struct fx_app *a)
{
	char line[160];

	fx_pump(a);
	if (a->cursor < a->nseen) {
		dump(a);
		fail_msg("unexpected %s",
		         tapi_format_message(line, sizeof(line),
		                             &a->seen[a->cursor]));
	}
}

LONG fx_reply(struct fx_app *a, LONG req)
{
	LINEMESSAGE m;
	unsigned i;

	assert_true(req > 0);
	fx_pump(a);
	for (i = 0; i < a->nseen; i++)
		if (a->seen[i].dwMessageID == LINE_REPLY &&
		    a->seen[i].dwParam1 == (DWORD_PTR)req) {
			consume(a, i);
			return (LONG)a->seen[i].dwParam2;
		}
	m = fx_wait(a, LINE_REPLY, 0, (DWORD_PTR)req);
	return (LONG)m.dwParam2;
}

bool fx_has_reply(struct fx_app *a, LONG req)
{
	unsigned i;

	fx_pump(a);
	for (i = 0; i < a->nseen; i++)
		if (a->seen[i].dwMessageID == LINE_REPLY &&
		    a->seen[i].dwParam1 == (DWORD_PTR)req)
			return true;
	return false;
}

static LONG status_of(HCALL h, LINECALLSTATUS *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->dwTotalSize = sizeof(*cs);
	return lineGetCallStatus(h, cs);
}

DWORD fx_state(HCALL h)
{
	LINECALLSTATUS cs;

	assert_int_equal(status_of(h, &cs), 0);
	return cs.dwCallState;
}

DWORD fx_state_mode(HCALL h)
{
	LINECALLSTATUS cs;

	assert_int_equal(status_of(h, &cs), 0);
	return cs.dwCallStateMode;
}

DWORD fx_priv(HCALL h)
{
	LINECALLSTATUS cs;

	assert_int_equal(status_of(h, &cs), 0);
	return cs.dwCallPrivilege;
}

void fx_counts(HCALL h, DWORD *owners, DWORD *monitors)
{
	union {
		LINECALLINFO ci;
		char buf[2048];
	} u;

	memset(&u, 0, sizeof(u));
	u.ci.dwTotalSize = sizeof(u);
	assert_int_equal(lineGetCallInfo(h, &u.ci), 0);
	*owners = u.ci.dwNumOwners;
	*monitors = u.ci.dwNumMonitors;
}

void fx_untrack(struct fx_app *a)
{
	track(a->h, false);
}

void fx_shutdown(struct fx_app *a)
{
	LONG r = lineShutdown(a->h);

	track(a->h, false);
	if (r)
		fail_msg("lineShutdown: %s", tapi_error_name(r));
}

bool fx_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

void fx_assert_nothing_alive(void)
{
	struct tapix_live l;

	unsigned tries = 0;

	/*
	 * spec: STYLE §9 — every test ends with no core or provider object
	 * alive. Teardown is complete when the last lineShutdown returns;
	 * through tapixd, whose session goes on, a drop a shutdown made
	 * completes after it, and the call closes then (bounded wait).
	 */
	for (;;) {
		fx_live(&l);
		if (!fx_service() || tries++ >= 500 ||
		    !(l.apps || l.opens || l.lines || l.calls ||
		      l.call_handles || l.requests || l.providers ||
		      l.allocations || l.provider_objects))
			break;
		poll(NULL, 0, 20);
	}
	if (l.apps || l.opens || l.lines || l.calls || l.call_handles ||
	    l.requests || l.providers || l.allocations || l.provider_objects)
		fail_msg("alive: apps %zu opens %zu lines %zu calls %zu "
		         "handles %zu requests %zu providers %zu allocations "
		         "%zu provider objects %zu",
		         l.apps, l.opens, l.lines, l.calls, l.call_handles,
		         l.requests, l.providers, l.allocations,
		         l.provider_objects);
}

void fx_esp_counters(unsigned long out[4])
{
	if (fx_service()) {
		sd_bus_message *r = NULL;
		uint64_t v[4];
		unsigned i;

		hook("EspCounters", &r, NULL);
		assert_true(sd_bus_message_read(r, "tttt", &v[0], &v[1], &v[2],
		                                &v[3]) >= 0);
		sd_bus_message_unref(r);
		for (i = 0; i < 4; i++)
			out[i] = (unsigned long)v[i];
		return;
	}
	{
		char path[512];
		const char *dirs = TAPIX_TEST_PROVIDER_DIR;
		void (*fn)(unsigned long *);
		void *dl;

		snprintf(path, sizeof(path), "%.*s/esp.so",
		         (int)strcspn(dirs, ":"), dirs);
		dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
		assert_non_null(dl);
		*(void **)&fn = dlsym(dl, "esp_test_counters");
		assert_non_null(fn);
		fn(out);
		dlclose(dl);
	}
}

#define FX_LOG_LINES 256
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_lines[FX_LOG_LINES][160];
static unsigned log_n;

static void log_sink(enum tapix_log_level level, const char *module,
                     const char *line, void *arg)
{
	(void)level;
	(void)arg;
	pthread_mutex_lock(&log_lock);
	if (log_n < FX_LOG_LINES)
		snprintf(log_lines[log_n++], sizeof(log_lines[0]), "%s: %s",
		         module, line);
	pthread_mutex_unlock(&log_lock);
}

void fx_log_start(void)
{
	if (fx_service()) {
		sd_bus_message *r = NULL;

		hook("LogStart", &r, NULL);
		sd_bus_message_unref(r);
		return;
	}
	pthread_mutex_lock(&log_lock);
	log_n = 0;
	pthread_mutex_unlock(&log_lock);
	tapix_log_set_sink(log_sink, NULL);
	tapix_log_set_levels("warn");
}

void fx_log_stop(void)
{
	if (fx_service())
		return;
	tapix_log_set_sink(NULL, NULL);
	tapix_log_set_levels("err");
}

unsigned fx_log_count(const char *text)
{
	unsigned i, n = 0;

	if (fx_service()) {
		sd_bus_message *r = NULL;
		uint32_t c = 0;

		hook("LogCount", &r, "s", text);
		assert_true(sd_bus_message_read(r, "u", &c) >= 0);
		sd_bus_message_unref(r);
		return c;
	}
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_n; i++)
		if (strstr(log_lines[i], text))
			n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

void fx_ras_hang_up_and_wait(HRASCONN h)
{
	RASCONNSTATUSA st;
	unsigned i;

	assert_int_equal(RasHangUp(h), 0);
	for (i = 0; i < 1000; i++) {
		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		if (RasGetConnectStatus(h, &st) == ERROR_INVALID_HANDLE)
			return;
		/* until then it answers, as Disconnected */
		assert_int_equal(st.rasconnstate, RASCS_Disconnected);
		usleep(10000);
	}
	fail_msg("the connection was not torn down");
}
