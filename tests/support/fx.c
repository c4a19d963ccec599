/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test fixture helpers (see fx.h). */
#include "fx.h"

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tapi_names.h"

static char conf_path[64];

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
	return 0;
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
		return;
	}
	snprintf(conf_path, sizeof(conf_path), "/tmp/tapix-test-XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	len = strlen(conf);
	assert_int_equal(write(fd, conf, len), (ssize_t)len);
	close(fd);
	setenv("TAPIX_CONF", conf_path, 1);
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

	/*
	 * spec: STYLE §9 — every test ends with no core or provider object
	 * alive. Teardown is complete when the last lineShutdown returns.
	 */
	tapix_live_get(&l);
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
	char path[512];
	const char *dirs = TAPIX_TEST_PROVIDER_DIR;
	void (*fn)(unsigned long *);
	void *dl;

	snprintf(path, sizeof(path), "%.*s/esp.so", (int)strcspn(dirs, ":"),
	         dirs);
	dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(dl);
	*(void **)&fn = dlsym(dl, "esp_test_counters");
	assert_non_null(fn);
	fn(out);
	dlclose(dl);
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
	pthread_mutex_lock(&log_lock);
	log_n = 0;
	pthread_mutex_unlock(&log_lock);
	tapix_log_set_sink(log_sink, NULL);
	tapix_log_set_levels("warn");
}

void fx_log_stop(void)
{
	tapix_log_set_sink(NULL, NULL);
	tapix_log_set_levels("err");
}

unsigned fx_log_count(const char *text)
{
	unsigned i, n = 0;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_n; i++)
		if (strstr(log_lines[i], text))
			n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}
