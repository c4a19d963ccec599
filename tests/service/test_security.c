/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attacks on tapixd (issue 19; SECURITY.md's threat model): a hostile SIP
 * peer on 127.0.0.1 and hostile local users, each reproducing a finding
 * of the security review; every one bounded in time. Each test starts its
 * own tapixd (svc.h); its SIP account listens on port
 * TAPIX_TEST_PORT_BASE (default 25500), the peer sends from the next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "proc.h"
#include "sipraw.h"
#include "svc.h"

#define IV LINEMEDIAMODE_INTERACTIVEVOICE

static unsigned port_base = 25500;

/* tapixd with one SIP account, "a", on 127.0.0.1:port_base. */
static int sip_setup(void **state)
{
	char conf[512];

	(void)state;
	if (getenv("TAPIX_TEST_PORT_BASE"))
		port_base = (unsigned)strtoul(getenv("TAPIX_TEST_PORT_BASE"),
		                              NULL, 10);
	peer_arg = NULL;
	start_bus();
	snprintf(conf, sizeof(conf),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n"
	         "[sip.a]\naor = sip:tapix@127.0.0.1:%u\n"
	         "local = 127.0.0.1:%u\n",
	         port_base, port_base);
	start_tapixd(conf);
	return 0;
}

/* The Call object tapixd made for a call (the only one). */
static void only_call(char *path, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *p = NULL;
	unsigned i;

	for (i = 0; i < 500; i++) {
		assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
		                               "org.tapix.Telephony1",
		                               "GetCalls", &err, &r, "") >= 0);
		assert_true(sd_bus_message_enter_container(r, 'a', "o") >= 0);
		if (sd_bus_message_read(r, "o", &p) > 0) {
			snprintf(path, size, "%s", p);
			sd_bus_message_unref(r);
			return;
		}
		r = sd_bus_message_unref(r);
		sleep_ms(10);
	}
	fail_msg("tapixd made no Call object");
}

/*
 * Issue 19 item 6 — a From header whose user part is not UTF-8 (a SIP
 * peer may send any bytes there) must not break D-Bus for everyone:
 * before, the call's CallerId was those bytes, sd-bus refused the string
 * and GetManagedObjects failed for every client while the call existed.
 * Now the text is repaired (U+FFFD) at the D-Bus edge.
 */
static void test_invalid_utf8_caller_keeps_dbus_working(void **s)
{
	struct sip_raw inv = {.from_port = port_base + 1,
	                      .to_port = port_base,
	                      .from_user = "\xFF\xFE",
	                      .wait_ms = 300};
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	char path[128], *caller = NULL;
	struct fx_app a;
	HLINE l;
	HCALL h;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_OWNER, IV);
	/* no final response: the call is offered, ringing */
	assert_int_equal(sip_raw_invite(&inv), -1);
	h = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l, FX_ANY).dwParam2;
	only_call(path, sizeof(path));
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.freedesktop.DBus.ObjectManager",
	                               "GetManagedObjects", &err, &r, "") >= 0);
	r = sd_bus_message_unref(r);
	assert_true(sd_bus_get_property_string(bus, "org.tapix.Tapix1", path,
	                                       "org.tapix.Call1", "CallerId",
	                                       &err, &caller) >= 0);
	assert_non_null(strstr(caller, "\xEF\xBF\xBD\xEF\xBF\xBD@"));
	free(caller);
	assert_int_equal(fx_reply(&a, lineDrop(h, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(h), 0);
	fx_shutdown(&a);
}

/*
 * Issue 19 item 12 — tapixd's configuration (TAPIX_CONF, --config) and a
 * RAS phonebook (/PHONEBOOK:) naming a FIFO nobody writes, a device that
 * never ends or a directory: before, tapixd hung at start ignoring
 * SIGTERM and rasdial hung; now each is refused at once with the reason.
 */
static void test_special_files_are_refused(void **s)
{
	char fifo[128], sdir[128], conf_arg[160], aarg[160], log[160], cmd[512];
	const char *bad[] = {fifo, "/dev/zero", sdir};
	const char *argv[6];
	unsigned i;

	(void)s;
	start_bus();
	/* in the test's directory, removed by teardown */
	snprintf(fifo, sizeof(fifo), "%s/special-fifo", dir);
	snprintf(sdir, sizeof(sdir), "%s/special-dir", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(sdir, 0700), 0);
	snprintf(aarg, sizeof(aarg), "--address=%s", addr);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pid_t p;

		snprintf(conf_arg, sizeof(conf_arg), "--config=%s", bad[i]);
		snprintf(log, sizeof(log), "%s/tapixd-%u.log", dir, i);
		argv[0] = TAPIX_TEST_TAPIXD;
		argv[1] = aarg;
		argv[2] = conf_arg;
		argv[3] = NULL;
		p = proc_start(log, 20, argv);
		/* it stops by itself, with an error, within 5 s (-1: it
		 * did not and was killed) */
		assert_true(proc_wait(p, 5000) > 0);
		assert_true(log_has(log, "not a regular file"));
		/* rasdial with such a phonebook: refused at once too */
		snprintf(cmd, sizeof(cmd),
		         "timeout 5 %s Office /PHONEBOOK:%s >%s/rasdial.out "
		         "2>&1",
		         TAPIX_TEST_RASDIAL, bad[i], dir);
		assert_int_not_equal(system(cmd) >> 8, 124); /* no timeout */
	}
}

/* tapixd's count of the credentials it asked the bus for (hook Stats). */
static uint64_t creds_queries(void)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	uint64_t n = 0;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Test1", "Stats", &err, &r,
	                               "") >= 0);
	assert_true(sd_bus_message_read(r, "t", &n) >= 0);
	sd_bus_message_unref(r);
	return n;
}

/*
 * Issue 19 item 8 — with many calls, GetManagedObjects asked the bus for
 * the caller's credentials once per object (31,500 calls: 11 s of a
 * blocked loop). A caller's credentials are now asked once (its unique
 * name never changes hands), and a call is found by its handle.
 */
static void test_many_objects_cost_one_credentials_query(void **s)
{
	enum {
		N = 60
	};
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	HCALL c[N];
	struct fx_app a;
	uint64_t before;
	HLINE l;
	int i;

	(void)s;
	fx_app_init(&a, "a");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	for (i = 0; i < N; i++)
		assert_int_equal(fx_reply(&a, lineMakeCall(l, &c[i], "noanswer",
		                                           0, NULL)),
		                 0);
	/* twice: the first may be this connection's first question */
	for (i = 0; i < 2; i++) {
		before = creds_queries();
		assert_true(sd_bus_call_method(
				    bus, "org.tapix.Tapix1", ROOT,
				    "org.freedesktop.DBus.ObjectManager",
				    "GetManagedObjects", &err, &r, "") >= 0);
		r = sd_bus_message_unref(r);
	}
	assert_true(creds_queries() - before <= 1);
	for (i = 0; i < N; i++) {
		assert_int_equal(fx_reply(&a, lineDrop(c[i], NULL, 0)), 0);
		assert_int_equal(lineDeallocateCall(c[i]), 0);
	}
	fx_shutdown(&a);
}

/*
 * Issue 19 item 7 — one user took all 256 Watch() slots and root's
 * tapictl watch failed. Now a user gets at most 16, and root still gets
 * one: nobody's 17th Watch() is refused, root's is not.
 */
static void test_watch_slots_per_user(void **s)
{
	int pfd[2], go[2], ok = 0, refused = 0;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char c;
	pid_t pid;

	(void)s;
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sd_bus *b[20];
		int i;

		close(pfd[0]);
		close(go[1]);
		if (setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) != 0)
			_exit(2);
		for (i = 0; i < 20; i++) {
			sd_bus_error e = SD_BUS_ERROR_NULL;
			char r;

			if (sd_bus_new(&b[i]) < 0 ||
			    sd_bus_set_address(b[i], addr) < 0 ||
			    sd_bus_set_bus_client(b[i], 1) < 0 ||
			    sd_bus_start(b[i]) < 0)
				_exit(3);
			r = sd_bus_call_method(b[i], "org.tapix.Tapix1", ROOT,
			                       "org.tapix.Telephony1", "Watch",
			                       &e, NULL, "") >= 0
			            ? 'y'
			    : sd_bus_error_has_name(
				      &e, SD_BUS_ERROR_LIMITS_EXCEEDED)
			            ? 'n'
			            : '?';
			if (write(pfd[1], &r, 1) != 1)
				_exit(4);
			sd_bus_error_free(&e);
		}
		/* the connections stay until the test has tried root's */
		if (read(go[0], &c, 1) < 0)
			_exit(5);
		_exit(0);
	}
	close(pfd[1]);
	close(go[0]);
	while (read(pfd[0], &c, 1) == 1 && ok + refused < 20) {
		if (c == 'y')
			ok++;
		else if (c == 'n')
			refused++;
		else
			fail_msg("nobody's Watch() failed otherwise");
		if (ok + refused == 20)
			break;
	}
	assert_int_equal(ok, 16);
	assert_int_equal(refused, 4);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Telephony1", "Watch", &err,
	                               NULL, "") >= 0);
	if (write(go[1], "x", 1) != 1)
		fail();
	assert_int_equal(proc_wait(pid, 5000), 0);
	close(pfd[0]);
	close(go[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_invalid_utf8_caller_keeps_dbus_working, sip_setup,
			teardown),
		cmocka_unit_test_teardown(test_special_files_are_refused,
	                                  teardown),
		cmocka_unit_test_setup_teardown(
			test_many_objects_cost_one_credentials_query, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_watch_slots_per_user,
	                                        setup, teardown),
	};

	if (getenv("TAPIX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
