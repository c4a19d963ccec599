/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The service tests' common ground (svc.h): a private dbus-daemon and a
 * tapixd per test, its counters and log, client helper processes, raw
 * D-Bus calls.
 */
#include "svc.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

char dir[64], addr[128], tlog[128];
const char *peer_arg; /* start_tapixd: e.g. --peer=none */
pid_t bus_pid, tapixd_pid;
sd_bus *bus;

/* ---- the service ------------------------------------------------------------
 */

bool log_has(const char *path, const char *text)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

void sleep_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* A private bus, reachable by any user (the socket is in a 0755 dir). */
void start_bus(void)
{
	const char *argv[8];
	char path[128], log[128];
	unsigned i;

	fx_tmp_path(dir, sizeof(dir), "tapix-svc-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	/* tapixd's socket directory too: removed with it, even after a
	 * SIGKILL */
	setenv("XDG_RUNTIME_DIR", dir, 1);
	snprintf(addr, sizeof(addr), "unix:path=%s/bus", dir);
	snprintf(path, sizeof(path), "%s/bus", dir);
	snprintf(log, sizeof(log), "%s/dbus.log", dir);
	argv[0] = "dbus-daemon";
	argv[1] = "--config-file=" TAPIX_TEST_BUS_CONF;
	argv[2] = "--address";
	argv[3] = addr;
	argv[4] = "--nofork";
	argv[5] = NULL;
	bus_pid = proc_start(log, LIMIT_S * 4, argv);
	for (i = 0; i < 500 && !proc_unix_listening(path); i++)
		sleep_ms(10);
	assert_true(proc_unix_listening(path));
	chmod(path, 0777);
	setenv("TAPIX_SERVICE", addr, 1);
	assert_true(sd_bus_new(&bus) >= 0);
	assert_true(sd_bus_set_address(bus, addr) >= 0);
	assert_true(sd_bus_set_bus_client(bus, 1) >= 0);
	assert_true(sd_bus_start(bus) >= 0);
}

/* tapixd with @conf (INI text) and its objects and test hooks. */
void start_tapixd(const char *conf)
{
	char cpath[128], aarg[160];
	const char *argv[8];
	unsigned i;
	FILE *f;

	snprintf(cpath, sizeof(cpath), "%s/tapix.conf", dir);
	f = fopen(cpath, "w");
	assert_non_null(f);
	fputs(conf, f);
	fclose(f);
	chmod(cpath, 0644);
	snprintf(tlog, sizeof(tlog), "%s/tapixd.log", dir);
	snprintf(aarg, sizeof(aarg), "--address=%s", addr);
	setenv("TAPIX_CONF", cpath, 1);
	/* a tapixd just killed may hold the name until the bus sees it go */
	for (i = 0;
	     i < 1000 && bus &&
	     sd_bus_get_name_creds(bus, "org.tapix.Tapix1", 0, NULL) >= 0;
	     i++)
		sleep_ms(10);
	argv[0] = TAPIX_TEST_TAPIXD;
	argv[1] = aarg;
	argv[2] = "--log=info";
	argv[3] = "--test-hooks";
	argv[4] = peer_arg;
	argv[5] = NULL;
	tapixd_pid = proc_start(tlog, LIMIT_S, argv);
	for (i = 0; i < 1000 && !log_has(tlog, "serving "); i++)
		sleep_ms(10);
	if (!log_has(tlog, "serving "))
		proc_show_log(tlog, 20);
	assert_true(log_has(tlog, "serving "));
}

int setup(void **state)
{
	(void)state;
	peer_arg = NULL;
	start_bus();
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	return 0;
}

int setup_bus_only(void **state)
{
	(void)state;
	start_bus();
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		if (f->held &&
		    (__atomic_load_n(&f->release, __ATOMIC_ACQUIRE) ||
		     mono_ms() - f->held_at_ms >= 10000)) {
			f->answer(f->held);
			f->held = sd_bus_message_unref(f->held);
		}
		if (f->held2 &&
		    (__atomic_load_n(&f->release2, __ATOMIC_ACQUIRE) ||
		     mono_ms() - f->held2_at_ms >= 10000)) {
			f->answer2(f->held2);
			f->held2 = sd_bus_message_unref(f->held2);
		}
		if (sd_bus_process(f->bus, NULL) == 0)
			sd_bus_wait(f->bus, 50000);
	}
	return NULL;
}

void fake_start(struct fake *f, sd_bus_message_handler_t serve,
                void (*answer)(sd_bus_message *held))
{
	memset(f, 0, sizeof(*f));
	f->answer = answer;
	assert_true(sd_bus_new(&f->bus) >= 0);
	assert_true(sd_bus_set_address(f->bus, addr) >= 0);
	assert_true(sd_bus_set_bus_client(f->bus, 1) >= 0);
	assert_true(sd_bus_start(f->bus) >= 0);
	assert_true(sd_bus_add_filter(f->bus, NULL, serve, f) >= 0);
	assert_true(sd_bus_request_name(f->bus, "org.tapix.Tapix1", 0) >= 0);
	assert_int_equal(pthread_create(&f->t, NULL, fake_main, f), 0);
}

void fake_hold(struct fake *f, sd_bus_message *m)
{
	assert(!f->held);
	f->held = sd_bus_message_ref(m);
	f->held_at_ms = mono_ms();
	__atomic_store_n(&f->holding, true, __ATOMIC_RELEASE);
}

void fake_hold2(struct fake *f, sd_bus_message *m,
                void (*answer)(sd_bus_message *held))
{
	assert(!f->held2);
	f->held2 = sd_bus_message_ref(m);
	f->held2_at_ms = mono_ms();
	f->answer2 = answer;
	__atomic_store_n(&f->holding2, true, __ATOMIC_RELEASE);
}

void call_on_line(unsigned line, char *out, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char want[64];
	int i;

	snprintf(want, sizeof(want), ROOT "/Line/%u", line);
	out[0] = '\0';
	for (i = 0; i < 500 && !out[0]; i++) {
		sd_bus_message *r = NULL;
		const char *path;

		assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
		                               "org.tapix.Telephony1",
		                               "GetCalls", &err, &r, "") >= 0);
		assert_true(sd_bus_message_enter_container(r, 'a', "o") > 0);
		while (!out[0] && sd_bus_message_read(r, "o", &path) > 0) {
			sd_bus_message *pr = NULL;
			const char *l = NULL;

			/* (a call may go meanwhile) */
			if (sd_bus_get_property(bus, "org.tapix.Tapix1", path,
			                        "org.tapix.Call1", "Line", &err,
			                        &pr, "o") >= 0 &&
			    sd_bus_message_read(pr, "o", &l) > 0 &&
			    strcmp(l, want) == 0)
				snprintf(out, size, "%s", path);
			sd_bus_error_free(&err);
			sd_bus_message_unref(pr);
		}
		sd_bus_message_unref(r);
		if (!out[0])
			sleep_ms(10);
	}
	assert_true(out[0] != '\0');
}

/* Runs `tapixd --check-config @conf` (@conf: INI text, in the test's
 * directory); its status, what it said in @out. */
int check_config(const char *conf, char *out, size_t size)
{
	char path[160], cmd[512];
	size_t n;
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "%s/check.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf, f);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
	         "timeout 30 %s --check-config %s 2>&1 </dev/null",
	         TAPIX_TEST_TAPIXD, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void fake_stop(struct fake *f)
{
	__atomic_store_n(&f->stop, true, __ATOMIC_RELEASE);
	pthread_join(f->t, NULL);
	f->held = sd_bus_message_unref(f->held);
	f->held2 = sd_bus_message_unref(f->held2);
	f->bus = sd_bus_flush_close_unref(f->bus);
}

/* Copies the last 8 KiB of @path to stderr. */
static void print_file(const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)sizeof(buf))
		fseek(f, -(long)sizeof(buf), SEEK_END);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fwrite(buf, 1, n, stderr);
	fclose(f);
}

int teardown(void **state)
{
	/* apps a failed test left are shut down while the service runs */
	int r = fx_teardown(state);

	/* tapixd ends on SIGTERM, as systemd stops it, and exits with 0:
	 * under the sanitizers an error or a leak found at its exit is the
	 * test's failure, not lost to a SIGKILL (its log says which) */
	if (proc_tracked(tapixd_pid)) {
		int st;

		kill(tapixd_pid, SIGTERM);
		st = proc_wait(tapixd_pid, 20000);
		if (st != 0) {
			fprintf(stderr, "tapixd ended with %d; its log: %s\n",
			        st, tlog);
			print_file(tlog);
			r = -1;
		}
	}
	tapixd_pid = 0;
	proc_kill_all();
	bus = sd_bus_flush_close_unref(bus);
	if (dir[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	unsetenv("TAPIX_SERVICE");
	return r;
}

/* The service's objects beyond its own (test hooks: Live). */
void service_counts(uint64_t v[9])
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Test1", "Live", &err, &r,
	                               "") >= 0);
	assert_true(sd_bus_message_read(r, "ttttttttt", &v[0], &v[1], &v[2],
	                                &v[3], &v[4], &v[5], &v[6], &v[7],
	                                &v[8]) >= 0);
	sd_bus_message_unref(r);
}

/* Waits (bounded) until the service holds no more than @apps apps and
 * @calls calls. */
void wait_counts(uint64_t apps, uint64_t calls)
{
	uint64_t v[9];
	unsigned i;

	for (i = 0; i < 500; i++) {
		service_counts(v);
		if (v[0] <= apps && v[3] <= calls)
			return;
		sleep_ms(10);
	}
	fail_msg("service still holds %llu apps, %llu calls",
	         (unsigned long long)v[0], (unsigned long long)v[3]);
}

/* ---- helpers ----------------------------------------------------------------
 */

struct helper helper(const char *const args[])
{
	const char *argv[12];
	struct helper h;
	unsigned i;

	argv[0] = TAPIX_TEST_HELPER;
	for (i = 0; args[i] && i < 10; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	h.pid = proc_start_pipe(&h.fd, LIMIT_S, argv);
	return h;
}

/* The helper's next line must start with @word; returns the number after
 * it (hex), if any. */
unsigned long expect_line(struct helper *h, const char *word)
{
	char line[256];

	if (!proc_read_line(h->fd, line, sizeof(line), STEP_MS))
		fail_msg("helper said nothing (waiting for %s)", word);
	if (strncmp(line, word, strlen(word)) != 0)
		fail_msg("helper said \"%s\", wanted %s", line, word);
	return strtoul(line + strlen(word), NULL, 16);
}

void helper_end(struct helper *h)
{
	proc_kill(h->pid);
	close(h->fd);
}

/* What tapixd's Peer method says, in @out. */
void peer_of_tapixd(char *out, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *a = NULL;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Tapi1", "Peer", &err, &r,
	                               "") >= 0);
	assert_true(sd_bus_message_read(r, "s", &a) >= 0);
	snprintf(out, size, "%s", a);
	sd_bus_message_unref(r);
}

/* Where raw calls go: the bus (default), or a direct connection. */
static sd_bus *direct;
const char *raw_dest = "org.tapix.Tapix1";

sd_bus *raw_bus(void)
{
	return direct ? direct : bus;
}

int raw_call_v(const char *iface, const char *member, sd_bus_message **reply,
               const char *types, va_list ap)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int e;

	e = sd_bus_message_new_method_call(raw_bus(), &m, raw_dest, ROOT, iface,
	                                   member);
	if (e >= 0 && types)
		e = sd_bus_message_appendv(m, types, ap);
	if (e >= 0)
		e = sd_bus_call(raw_bus(), m, 5 * 1000 * 1000, &err, reply);
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
	return e;
}

/* A method of org.tapix.Tapi1 (raw_call_v). */
int raw_call(const char *member, sd_bus_message **reply, const char *types, ...)
{
	va_list ap;
	int e;

	va_start(ap, types);
	e = raw_call_v("org.tapix.Tapi1", member, reply, types, ap);
	va_end(ap);
	return e;
}

/* Raw calls go on a new direct connection to tapixd (raw_direct_end). */
void raw_direct_start(void)
{
	char peer[160];

	peer_of_tapixd(peer, sizeof(peer));
	assert_true(sd_bus_new(&direct) >= 0);
	assert_true(sd_bus_set_address(direct, peer) >= 0);
	assert_true(sd_bus_start(direct) >= 0);
	raw_dest = NULL;
}

/* Raw calls go on the bus again; the direct connection is closed. */
void raw_direct_end(void)
{
	raw_dest = "org.tapix.Tapix1";
	direct = sd_bus_flush_close_unref(direct);
}

/* Waits (bounded, 20 s) until tapixd's registrations, opens, calls, call
 * handles and requests are as in @want (service_counts). */
void wait_counts_first(const uint64_t *want, unsigned n)
{
	static const char *const name[9] = {
		"apps",      "opens",        "lines",
		"calls",     "call handles", "requests",
		"providers", "allocations",  "provider objects"};
	char got[512];
	uint64_t v[9];
	unsigned i, k;
	size_t len = 0;

	assert_true(n <= 9);
	for (i = 0; i < 2000; i++) {
		service_counts(v);
		for (k = 0; k < n && v[k] == want[k]; k++)
			;
		if (k == n)
			return;
		sleep_ms(10);
	}
	for (k = 0; k < n && len < sizeof(got); k++)
		len += (size_t)snprintf(got + len, sizeof(got) - len,
		                        "%s%s %llu (want %llu)", k ? ", " : "",
		                        name[k], (unsigned long long)v[k],
		                        (unsigned long long)want[k]);
	fail_msg("tapixd holds %s", got);
}

void wait_counts_equal(const uint64_t want[9])
{
	wait_counts_first(want, 9);
}

/* esp's counters in tapixd (test hooks: EspCounters). */
void esp_counters(uint64_t v[4])
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Test1", "EspCounters", &err,
	                               &r, "") >= 0);
	assert_true(sd_bus_message_read(r, "tttt", &v[0], &v[1], &v[2],
	                                &v[3]) >= 0);
	sd_bus_message_unref(r);
}

/* Waits (bounded) until tapixd's log holds @text. */
void wait_log(const char *text)
{
	unsigned i;

	for (i = 0; i < 1000 && !log_has(tlog, text); i++)
		sleep_ms(10);
	if (!log_has(tlog, text))
		fail_msg("tapixd did not log \"%s\"", text);
}

/* The helper's next line that starts with @word (others, e.g. its log,
 * are skipped; its "error" fails the test); what follows the word in
 * @rest. */
void read_until(struct helper *h, const char *word, char *rest, size_t size)
{
	char line[256];

	for (;;) {
		if (!proc_read_line(h->fd, line, sizeof(line), STEP_MS))
			fail_msg("helper said nothing (waiting for %s)", word);
		if (strncmp(line, word, strlen(word)) == 0)
			break;
		if (strncmp(line, "error ", 6) == 0)
			fail_msg("helper said \"%s\", wanted %s", line, word);
	}
	snprintf(rest, size, "%s", line + strlen(word));
}
