/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd with several real client processes (tests/service/client_helper),
 * on a private dbus-daemon: lines shared across processes, a client killed
 * mid-call, mid-request or holding a channel request, or exiting without
 * lineShutdown, handoff between processes, access control by uid,
 * malformed D-Bus calls, tapictl, busctl and the demo program driving
 * calls, a clean SIGTERM, and what clients see when tapixd stops. Each
 * test starts its own tapixd (svc.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include <ras.h>
#include <tapix/tapi3.h>
#include <tapix/tapix.h>

#include "fx.h"
#include "proc.h"
#include "rpc/chan.h"

#include "svc.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_SANITIZED_HEAP
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TEST_SANITIZED_HEAP
#endif
#endif
#ifdef TEST_SANITIZED_HEAP
#include <sanitizer/allocator_interface.h>
#endif

/* ---- tests ------------------------------------------------------------------
 */

/* tapixd again, serving clients through the bus daemon only. */
static void restart_bus_only(void)
{
	proc_kill(tapixd_pid);
	peer_arg = "--peer=none";
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
}

/*
 * Issue 5 §4 — an owner in one process and a monitor in another see the
 * same call: the monitor (this process) gets LINE_APPNEWCALL for it, and
 * the owner counts cross processes.
 */
static void test_owner_and_monitor_in_two_processes(void **s)
{
	const char *args[] = {"owner", "1", NULL};
	struct helper o;
	struct fx_app a;
	HLINE l0, l1;
	HCALL c, mon;
	LINECALLINFO ci;

	(void)s;
	o = helper(args);
	expect_line(&o, "ready");
	fx_app_init(&a, "monitor");
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_MONITOR, 0);
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	expect_line(&o, "offered");
	expect_line(&o, "connected");
	mon = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l1, FX_ANY).dwParam2;
	fx_wait(&a, LINE_CALLSTATE, mon, LINECALLSTATE_CONNECTED);
	memset(&ci, 0, sizeof(ci));
	ci.dwTotalSize = sizeof(ci);
	assert_int_equal(lineGetCallInfo(mon, &ci), 0);
	assert_int_equal(ci.dwNumOwners, 1); /* the other process */
	/* us: tapixd watches as an observer, not counted (tapix_set_observer)
	 */
	assert_int_equal(ci.dwNumMonitors, 1);
	helper_end(&o);
	fx_shutdown(&a);
}

/*
 * Issue 5 §5, termination.md §6 — a client killed with SIGKILL mid-call:
 * the service shuts its registration down at once, its call (it was the
 * sole owner) is dropped, the other end sees DISCONNECTED and the monitor
 * IDLE; nothing of it stays in the service. @how: what tapixd logs when it
 * sees the client go (its direct connection closed, or it left the bus).
 */
static void killed_mid_call(const char *how)
{
	const char *args[] = {"owner", "1", NULL};
	struct helper o;
	struct fx_app a;
	uint64_t before[9], esp0[4], esp1[4];
	HLINE l0, l1;
	HCALL c, mon;

	service_counts(before);
	esp_counters(esp0);
	o = helper(args);
	expect_line(&o, "ready");
	fx_app_init(&a, "peer");
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_MONITOR, 0);
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	expect_line(&o, "offered");
	expect_line(&o, "connected");
	mon = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l1, FX_ANY).dwParam2;
	kill(o.pid, SIGKILL);
	helper_end(&o);
	/* esp tells the caller's side the far end hung up */
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_DISCONNECTED);
	fx_wait(&a, LINE_CALLSTATE, mon, LINECALLSTATE_IDLE);
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	assert_int_equal(lineDeallocateCall(mon), 0);
	fx_shutdown(&a);
	/* every counter: its registration, open, call handle, too */
	wait_counts_equal(before);
	/* termination.md §1: esp closed each call it made once (both ends),
	 * none named after, none left to the end of its line */
	esp_counters(esp1);
	assert_int_equal(esp1[2] - esp0[2], 2);
	assert_int_equal(esp1[0] - esp0[0], 2);
	assert_int_equal(esp1[1], esp0[1]);
	assert_int_equal(esp1[3], esp0[3]);
	assert_true(log_has(tlog, how));
}

static void test_killed_client_mid_call_is_cleaned_up(void **s)
{
	(void)s;
	killed_mid_call(") closed: 1 registrations shut down");
}

/* The same when clients come through the bus daemon (tapixd --peer=none):
 * the bus tells tapixd the client left. */
static void test_killed_client_mid_call_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	killed_mid_call(" left the bus: 1 registrations shut down");
}

/* A client registers, and tapixd saw it come through the bus. */
static void client_comes_by_the_bus(void)
{
	const char *args[] = {"owner", "1", NULL};
	struct helper o = helper(args);

	expect_line(&o, "ready");
	assert_false(log_has(tlog, "(direct)"));
	assert_true(log_has(tlog, "registered for :"));
	helper_end(&o);
}

/*
 * Direct connections: tapixd tells where they are (Peer), on a socket any
 * user may reach in a directory of its own, which it removes at exit; a
 * client uses it, and tapixd knows it by the socket's credentials.
 */
static void test_direct_connection(void **s)
{
	const char *args[] = {"owner", "1", NULL};
	char a[160], path[160], want[64], *slash;
	struct helper o;
	struct stat st;

	(void)s;
	peer_of_tapixd(a, sizeof(a));
	assert_true(strncmp(a, "unix:path=/", 11) == 0);
	snprintf(path, sizeof(path), "%s", a + 10);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	*slash = '/';
	o = helper(args);
	expect_line(&o, "ready");
	/* the helper runs under timeout(1): its pid is the child's */
	snprintf(want, sizeof(want), "/proc/%ld/task/%ld/children", (long)o.pid,
	         (long)o.pid);
	{
		FILE *f = fopen(want, "r");
		long pid = 0;

		assert_non_null(f);
		assert_int_equal(fscanf(f, "%ld", &pid), 1);
		fclose(f);
		snprintf(want, sizeof(want), "registered for pid %ld (direct)",
		         pid);
		assert_true(log_has(tlog, want));
		/* with a channel (its calls go through it) */
		snprintf(want, sizeof(want), "pid %ld (direct): channel open",
		         pid);
	}
	assert_true(log_has(tlog, want));
	helper_end(&o);
	kill(tapixd_pid, SIGTERM);
	assert_int_equal(proc_wait(tapixd_pid, 20000), 0);
	*slash = '\0';
	assert_int_not_equal(stat(path, &st), 0);

	/* a socket that cannot be reached: the client uses the bus */
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	peer_of_tapixd(a, sizeof(a));
	assert_int_equal(unlink(a + 10), 0);
	client_comes_by_the_bus();
	kill(tapixd_pid, SIGTERM);
	assert_int_equal(proc_wait(tapixd_pid, 20000), 0);

	/* --no-channel: direct, every call a D-Bus message; a whole call */
	peer_arg = "--no-channel";
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	{
		struct fx_app app;
		HLINE l;
		HCALL c = 0;
		LONG id;

		fx_app_init(&app, "no channel");
		l = fx_open(&app, 0, LINECALLPRIVILEGE_NONE, 0);
		id = lineMakeCall(l, &c, "101", 0, NULL);
		assert_true(id > 0);
		assert_int_equal(fx_reply(&app, id), 0);
		assert_true(c != 0);
		id = lineDrop(c, NULL, 0);
		assert_true(id > 0);
		assert_int_equal(fx_reply(&app, id), 0);
		assert_int_equal(lineDeallocateCall(c), 0);
		fx_shutdown(&app);
		snprintf(want, sizeof(want), "registered for pid %ld (direct)",
		         (long)getpid());
		assert_true(log_has(tlog, want));
		assert_false(log_has(tlog, "channel open"));
	}
	kill(tapixd_pid, SIGTERM);
	assert_int_equal(proc_wait(tapixd_pid, 20000), 0);

	/* --peer=none: no direct connections, Peer says so */
	peer_arg = "--peer=none";
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	peer_of_tapixd(a, sizeof(a));
	assert_string_equal(a, "");
	client_comes_by_the_bus();
}

/*
 * Issue 5 §5, termination.md §6 — killed while its request is pending:
 * the request is cancelled with the registration, the call it was
 * creating is closed, and the service holds nothing of it afterwards, its
 * pending request neither (it would stay 60 s otherwise). @how: what
 * tapixd logs when it sees the client go.
 */
static void killed_mid_request(const char *how)
{
	const char *args[] = {"pending", "0", "slow:60000/answer", NULL};
	struct helper p;
	uint64_t before[9], esp[4];

	service_counts(before);
	p = helper(args);
	expect_line(&p, "ready");
	expect_line(&p, "pending");
	helper_end(&p); /* SIGKILL */
	wait_counts_equal(before);
	wait_log(how);
	/* esp closed every call it created, each once */
	esp_counters(esp);
	assert_int_equal(esp[0], esp[2]);
	assert_int_equal(esp[1], 0);
}

static void test_killed_client_mid_request_is_cleaned_up(void **s)
{
	(void)s;
	killed_mid_request(") closed: 1 registrations shut down");
}

/* The same through the bus daemon (tapixd --peer=none). */
static void test_killed_client_mid_request_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	killed_mid_request(" left the bus: 1 registrations shut down");
}

/*
 * termination.md §6; docs/service.md "Clients that leave" — a client
 * killed while its lineMakeCall sits in the channel, written to the shared
 * memory but not yet answered (tapixd stopped meanwhile): when tapixd goes
 * on, whether it serves the request before it sees the connection closed
 * or not, the client's registration is shut down and nothing of it stays,
 * in tapixd or in esp.
 */
static void test_killed_client_holding_a_channel_request(void **s)
{
	const char *args[] = {"stall", "0", "slow:60000/answer", NULL};
	struct helper p;
	uint64_t before[9], esp[4];

	(void)s;
	service_counts(before);
	p = helper(args);
	expect_line(&p, "ready");
	assert_true(log_has(tlog, "(direct): channel open"));
	/* tapixd and its timeout(1): its process group */
	assert_int_equal(kill(-tapixd_pid, SIGSTOP), 0);
	expect_line(&p, "calling");
	sleep_ms(200);  /* the request is written; no answer can come */
	helper_end(&p); /* SIGKILL */
	assert_int_equal(kill(-tapixd_pid, SIGCONT), 0);
	wait_counts_equal(before);
	wait_log(") closed: 1 registrations shut down");
	esp_counters(esp);
	assert_int_equal(esp[0], esp[2]);
	assert_int_equal(esp[1], 0);
}

/*
 * termination.md §5.1, §6 — a client that calls exit(0) with a line open
 * and a connected call, without lineShutdown, is shut down by tapixd as
 * one that was killed: its call, of which it was the sole owner, is
 * dropped, so the far end (this process, on line 1) sees it DISCONNECTED,
 * and tapixd holds nothing of it afterwards. @how: as killed_mid_request.
 */
static void exits_mid_call(const char *how)
{
	const char *args[] = {"exit", "0", "101", NULL};
	struct helper e;
	struct fx_app a;
	uint64_t before[9];
	HLINE l1;
	HCALL in;

	service_counts(before);
	fx_app_init(&a, "far end");
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE);
	e = helper(args);
	expect_line(&e, "ready");
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l1, FX_ANY).dwParam2;
	assert_int_equal(fx_reply(&a, lineAnswer(in, NULL, 0)), 0);
	expect_line(&e, "connected");
	assert_int_equal(proc_wait(e.pid, STEP_MS), 0);
	close(e.fd);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(in, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(in), 0);
	assert_int_equal(lineClose(l1), 0);
	fx_shutdown(&a);
	wait_counts_equal(before);
	wait_log(how);
}

static void test_client_exiting_mid_call_is_cleaned_up(void **s)
{
	(void)s;
	exits_mid_call(") closed: 1 registrations shut down");
}

static void test_client_exiting_mid_call_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	exits_mid_call(" left the bus: 1 registrations shut down");
}

/*
 * Issue 5 §4 — lineHandoff moves a call between processes: the target
 * (another process, owner for automated voice) gets LINE_APPNEWCALL.
 */
static void test_handoff_between_processes(void **s)
{
	const char *args[] = {"take", "1", NULL};
	struct helper t;
	struct fx_app a;
	HLINE l0, l1;
	HCALL c, in;

	(void)s;
	t = helper(args);
	expect_line(&t, "ready");
	fx_app_init(&a, "handoff");
	l1 = fx_open(&a, 1, LINECALLPRIVILEGE_OWNER,
	             LINEMEDIAMODE_INTERACTIVEVOICE);
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	in = (HCALL)fx_wait(&a, LINE_APPNEWCALL, l1, FX_ANY).dwParam2;
	assert_int_equal(lineHandoff(in, NULL, LINEMEDIAMODE_AUTOMATEDVOICE),
	                 0);
	expect_line(&t, "handed");
	helper_end(&t);
	fx_shutdown(&a);
}

/*
 * Issue 5 §6 — access control by uid from the bus, never the message:
 * nobody (uid 65534) granted line 1 only sees one line, line 1; its
 * D-Bus view of lines and calls holds line 1 only; root sees all four.
 */
static void test_access_control_by_uid(void **s)
{
	const char *as_nobody[] = {"--as-uid", "65534", "lines", NULL};
	const char *as_root[] = {"lines", NULL};
	char line[256];
	struct helper h;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	proc_kill(tapixd_pid);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[line 0]\nallow = uid:0\n[line 1]\nallow = uid:65534\n");
	h = helper(as_nobody);
	assert_int_equal(expect_line(&h, "lines "), 1);
	assert_true(proc_read_line(h.fd, line, sizeof(line), STEP_MS));
	assert_string_equal(line, "line esp line 1 (101)");
	assert_int_equal(proc_wait(h.pid, STEP_MS), 0);
	close(h.fd);
	/* it came on a direct connection: its uid is the socket's */
	assert_true(log_has(tlog, "(direct) (uid 65534, 1 of 4 lines)"));
	h = helper(as_root);
	assert_int_equal(expect_line(&h, "lines "), 4);
	assert_int_equal(proc_wait(h.pid, STEP_MS), 0);
	close(h.fd);
}

static void pump_until(sd_bus *b, const bool *flag);

/* InterfacesAdded of Line1 at .../Line/2, with its Name: *@userdata. */
static int on_line_added(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *path = NULL, *iface = NULL, *name;
	bool *heard = userdata;

	(void)e;
	if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.ObjectManager",
	                              "InterfacesAdded") ||
	    sd_bus_message_read(m, "o", &path) < 0 ||
	    strcmp(path, ROOT "/Line/2") != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sa{sv}}") <= 0 ||
	    sd_bus_message_enter_container(m, 'e', "sa{sv}") <= 0 ||
	    sd_bus_message_read(m, "s", &iface) < 0 ||
	    strcmp(iface, "org.tapix.Line1") != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0 &&
	       sd_bus_message_read(m, "s", &name) >= 0) {
		if (strcmp(name, "Name") == 0)
			*heard = true;
		sd_bus_message_skip(m, "v");
		sd_bus_message_exit_container(m);
	}
	return 0;
}

/*
 * A line a provider creates while tapixd runs reaches the clients the
 * access rules let use it, as their next device id (LINE_CREATE); the
 * others do not hear of it. Its object comes with InterfacesAdded.
 */
static void test_created_line_follows_access_rules(void **s)
{
	const char *as_nobody[] = {"--as-uid", "65534", "created", NULL};
	const char *as_other[] = {"--as-uid", "1", "created", NULL};
	struct helper n, o;
	sd_bus_slot *slot = NULL;
	bool announced = false;
	struct fx_app a;
	char line[64];
	HLINE l0;
	HCALL c;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	proc_kill(tapixd_pid);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 2\n"
	             "spare_lines = 1\n[line 0]\nallow = uid:0\n"
	             "[line 1]\nallow = uid:65534 uid:1\n"
	             "[line 2]\nallow = uid:65534\n");
	n = helper(as_nobody);
	o = helper(as_other);
	expect_line(&n, "ready");
	expect_line(&o, "ready");
	/* a watcher of the objects (root: every line) */
	assert_true(sd_bus_add_match(bus, &slot,
	                             "type='signal',sender='org.tapix.Tapix1'",
	                             on_line_added, &announced) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Telephony1", "Watch", NULL,
	                               NULL, "") >= 0);
	fx_app_init(&a, "root");
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "create", 0, NULL)),
	                 LINEERR_CALLUNAVAIL);
	/* nobody saw line 1 as its 0: the new line 2 is its 1 */
	assert_int_equal(expect_line(&n, "created "), 1);
	/* root sees all three: the new one is its 2 */
	fx_wait(&a, LINE_CREATE, 0, 2);
	/* and tapixd serves it as an object, in GetLines */
	{
		sd_bus_error err = SD_BUS_ERROR_NULL;
		sd_bus_message *r = NULL;
		const char *path, *name = NULL;
		bool listed = false;

		assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
		                               "org.tapix.Telephony1",
		                               "GetLines", &err, &r, "") >= 0);
		assert_true(sd_bus_message_enter_container(r, 'a', "o") > 0);
		while (sd_bus_message_read(r, "o", &path) > 0)
			listed = listed || strcmp(path, ROOT "/Line/2") == 0;
		sd_bus_message_unref(r);
		assert_true(listed);
		r = NULL;
		assert_true(sd_bus_get_property(bus, "org.tapix.Tapix1",
		                                ROOT "/Line/2",
		                                "org.tapix.Line1", "Name", &err,
		                                &r, "s") >= 0);
		assert_true(sd_bus_message_read(r, "s", &name) >= 0);
		assert_string_equal(name, "esp line 2 (102)");
		sd_bus_message_unref(r);
	}
	/* the watcher heard of the object, with its properties */
	pump_until(bus, &announced);
	sd_bus_slot_unref(slot);
	/* uid 1 may not use line 2: nothing comes (bounded wait) */
	assert_false(proc_read_line(o.fd, line, sizeof(line), 500));
	assert_int_equal(lineClose(l0), 0);
	fx_shutdown(&a);
	helper_end(&n);
	helper_end(&o);
}

/* Whether nobody (its groups cleared) reads line @n's Name on the bus. */
static bool nobody_sees_line(unsigned n)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
	         "setpriv --reuid=%d --regid=%d --clear-groups "
	         "busctl --address=%s get-property org.tapix.Tapix1 " ROOT
	         "/Line/%u org.tapix.Line1 Name >/dev/null 2>&1",
	         NOBODY, NOBODY, addr, n);
	return system(cmd) == 0;
}

/*
 * docs/service.md "Access rules" — gid: rules on the bus. The bus daemon
 * of Debian 12 tells tapixd a peer's uid but not its groups, so group
 * rules matched no bus client; a peer's groups there are now its user's
 * (primary group and the user database's groups): nobody, its process
 * groups cleared, uses the line of its primary group (nogroup, 65534),
 * not one of a group it is not in, nor root's.
 */
static void test_group_rules_on_the_bus(void **s)
{
	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	proc_kill(tapixd_pid);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[tapixd]\nallow = all\n[line 0]\nallow = uid:0\n"
	             "[line 1]\nallow = uid:0 gid:65534\n"
	             "[line 2]\nallow = uid:0 gid:5003\n");
	assert_false(nobody_sees_line(0));
	assert_true(nobody_sees_line(1));
	assert_false(nobody_sees_line(2));
	assert_true(nobody_sees_line(3));
}

/*
 * Issue 5 §6 — another uid cannot open, drop or monitor what it was not
 * granted: its D-Bus calls on a line or call of line 0 fail as unknown
 * objects, and it cannot use another client's handles.
 */
static void test_other_uid_cannot_use_objects(void **s)
{
	const char *args[] = {"owner", "0", NULL};
	struct helper o;
	char cmd[512];
	int st;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	proc_kill(tapixd_pid);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[line 0]\nallow = uid:0\n[tapixd]\nallow = all\n");
	o = helper(args);
	expect_line(&o, "ready");
	/* busctl as nobody: line 0 is invisible, line 1 is not */
	snprintf(cmd, sizeof(cmd),
	         "setpriv --reuid=%d --regid=%d --clear-groups "
	         "busctl --address=%s get-property org.tapix.Tapix1 " ROOT
	         "/Line/0 org.tapix.Line1 Name >/dev/null 2>&1",
	         NOBODY, NOBODY, addr);
	st = system(cmd);
	assert_int_not_equal(st, 0);
	snprintf(cmd, sizeof(cmd),
	         "setpriv --reuid=%d --regid=%d --clear-groups "
	         "busctl --address=%s get-property org.tapix.Tapix1 " ROOT
	         "/Line/1 org.tapix.Line1 Name >/dev/null 2>&1",
	         NOBODY, NOBODY, addr);
	st = system(cmd);
	assert_int_equal(st, 0);
	/* the raw interface: root's registration handle is not nobody's */
	snprintf(cmd, sizeof(cmd),
	         "setpriv --reuid=%d --regid=%d --clear-groups "
	         "busctl --address=%s call org.tapix.Tapix1 " ROOT
	         " org.tapix.Tapi1 Shutdown u 2 | grep -q 'i %d$'",
	         NOBODY, NOBODY, addr, (int)LINEERR_INVALAPPHANDLE);
	st = system(cmd); /* LINEERR_INVALAPPHANDLE */
	assert_int_equal(st, 0);
	helper_end(&o);
}

/* A method of @iface on the root object with a hand-built body; its
 * result. */
/*
 * A client goes direct only to a socket whose peer runs as the owner of
 * org.tapix.Tapix1: tapixd's socket taken over by another user (nobody)
 * answers, but the client stays on the bus.
 */
static void test_direct_only_to_tapixd(void **s)
{
	char pdir[96], path[128], parg[160], line[64];
	const char *argv[8];
	struct helper f;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to serve a socket as another uid\n");
		skip();
	}
	snprintf(pdir, sizeof(pdir), "%s/p", dir);
	assert_int_equal(mkdir(pdir, 0777), 0);
	assert_int_equal(chmod(pdir, 0777), 0);
	snprintf(path, sizeof(path), "%s/tapi", pdir);
	proc_kill(tapixd_pid);
	snprintf(parg, sizeof(parg), "--peer=%s", path);
	peer_arg = parg;
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	assert_int_equal(unlink(path), 0); /* taken over by nobody: */
	argv[0] = "setpriv";
	argv[1] = "--reuid=65534";
	argv[2] = "--regid=65534";
	argv[3] = "--clear-groups";
	argv[4] = TAPIX_TEST_FAKE_PEER;
	argv[5] = path;
	argv[6] = NULL;
	f.pid = proc_start_pipe(&f.fd, LIMIT_S, argv);
	expect_line(&f, "ready");
	client_comes_by_the_bus();
	/* the client did try it (and left) */
	assert_true(proc_read_line(f.fd, line, sizeof(line), STEP_MS));
	assert_true(strncmp(line, "served ", 7) == 0);
	assert_int_equal(proc_wait(f.pid, STEP_MS), 0);
	close(f.fd);
	peer_arg = NULL;
}

/*
 * Issue 5 (tests) — malformed D-Bus calls get D-Bus errors or the TAPI
 * error and change nothing: wrong types, unknown handles, a huge array,
 * another client's handles; the service still serves and holds what it
 * held before.
 */
static void malformed_calls(void)
{
	sd_bus_message *r = NULL;
	uint64_t before[9];
	struct fx_app a;
	int32_t res;
	void *big;

	service_counts(before);
	/* wrong argument types */
	assert_true(raw_call("Initialize", &r, "uuuu", 1, 2, 3, 4) < 0);
	assert_true(raw_call("Drop", &r, "s", "x") < 0);
	assert_true(raw_call("NoSuchMethod", &r, NULL) < 0);
	/* a failed Initialize: the TAPI error, in the method's signature */
	assert_true(raw_call("Initialize", &r, "ssuu", "app", "", 0x00020002,
	                     0) >= 0);
	assert_true(sd_bus_message_read(r, "i", &res) >= 0);
	assert_int_equal(res, LINEERR_INVALAPPNAME);
	r = sd_bus_message_unref(r);
	/* unknown handles: the TAPI error */
	assert_true(raw_call("Shutdown", &r, "u", 12345) >= 0);
	assert_true(sd_bus_message_read(r, "i", &res) >= 0);
	assert_int_equal(res, LINEERR_INVALAPPHANDLE);
	r = sd_bus_message_unref(r);
	assert_true(raw_call("Close", &r, "u", 0xFFFFFFFF) >= 0);
	assert_true(sd_bus_message_read(r, "i", &res) >= 0);
	assert_int_equal(res, LINEERR_INVALLINEHANDLE);
	r = sd_bus_message_unref(r);
	/* a huge LINECALLPARAMS (4 MiB): refused, not read */
	big = calloc(1, 4u << 20);
	assert_non_null(big);
	*(DWORD *)big = 4u << 20;
	{
		sd_bus_message *m = NULL;
		sd_bus_error err = SD_BUS_ERROR_NULL;
		int e = sd_bus_message_new_method_call(raw_bus(), &m, raw_dest,
		                                       ROOT, "org.tapix.Tapi1",
		                                       "MakeCall");

		if (e >= 0)
			e = sd_bus_message_append(m, "ubbsu", 1, 1, 1, "101",
			                          0);
		if (e >= 0)
			e = sd_bus_message_append_array(m, 'y', big, 4u << 20);
		if (e >= 0)
			e = sd_bus_call(raw_bus(), m, 5 * 1000 * 1000, &err,
			                &r);
		assert_true(e < 0); /* invalid arguments */
		sd_bus_error_free(&err);
		sd_bus_message_unref(m);
	}
	free(big);
	/* another client's line handle: ours (this process, client mode) */
	fx_app_init(&a, "victim");
	{
		HLINE l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);

		/* the raw connection is another client of the service */
		assert_true(raw_call("Close", &r, "u", l) >= 0);
		assert_true(sd_bus_message_read(r, "i", &res) >= 0);
		assert_int_equal(res, LINEERR_INVALLINEHANDLE);
		r = sd_bus_message_unref(r);
		assert_int_equal(lineClose(l), 0); /* still ours, still open */
	}
	fx_shutdown(&a);
	wait_counts_equal(before);
}

static void test_malformed_calls_change_nothing(void **s)
{
	(void)s;
	malformed_calls();
}

/* Bytes @data to a new connection to socket @path; whether tapixd closed
 * it within 5 s (reading it to the end). */
static bool raw_closed(const char *path, const char *data, size_t n)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char buf[256];
	unsigned i;
	bool closed = false;

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	for (i = 0; i < 50 && !closed; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		closed = r == 0 || (r < 0 && errno == ECONNRESET);
	}
	close(fd);
	return closed;
}

/*
 * The same malformed calls on a direct connection (the same interface,
 * tapixd's own socket), and what only a socket can get: bytes that are
 * not D-Bus (the connection is closed) and a connection that never
 * authenticates (tapixd serves the others meanwhile).
 */
static void test_malformed_calls_on_a_direct_connection(void **s)
{
	static const char garbage[] = "GET / HTTP/1.0\r\n\r\n";
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char a[160], path[160];
	int idle;

	(void)s;
	peer_of_tapixd(a, sizeof(a));
	snprintf(path, sizeof(path), "%s", a + 10);
	raw_direct_start();
	/* one that says nothing stays open the whole test */
	idle = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(idle >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(connect(idle, (struct sockaddr *)&sa, sizeof(sa)), 0);
	malformed_calls();
	raw_direct_end();
	assert_true(raw_closed(path, garbage, sizeof(garbage) - 1));
	close(idle);
	/* and it still serves */
	malformed_calls();
}

/* A channel as a client maps it (the raw side of rpc/chan.h). */
struct raw_chan {
	struct chan_shm *shm;
	int memfd, srvfd, repfd, msgfd;
	uint32_t seq;
};

/* Asks for a channel on the raw direct connection, and takes it if @take
 * (as a client of this version does); its D-Bus result. */
static int raw_chan_open(struct raw_chan *c, bool take)
{
	sd_bus_message *r = NULL;
	int fds[4], e, i;

	e = raw_call("Channel", &r, NULL);
	if (e < 0)
		return e;
	assert_true(sd_bus_message_read(r, "hhhh", &fds[0], &fds[1], &fds[2],
	                                &fds[3]) >= 0);
	c->memfd = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
	c->srvfd = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);
	c->repfd = fcntl(fds[2], F_DUPFD_CLOEXEC, 3);
	c->msgfd = fcntl(fds[3], F_DUPFD_CLOEXEC, 3);
	for (i = 0; i < 4; i++)
		assert_true(fds[i] >= 0);
	assert_true(c->memfd >= 0 && c->srvfd >= 0 && c->repfd >= 0 &&
	            c->msgfd >= 0);
	sd_bus_message_unref(r);
	c->shm = mmap(NULL, sizeof(*c->shm), PROT_READ | PROT_WRITE, MAP_SHARED,
	              c->memfd, 0);
	assert_true(c->shm != MAP_FAILED);
	assert_int_equal(c->shm->magic, CHAN_MAGIC);
	c->seq = atomic_load(&c->shm->req_seq);
	if (take)
		atomic_store(&c->shm->attached, CHAN_VERSION);
	return 0;
}

static void raw_chan_close(struct raw_chan *c)
{
	munmap(c->shm, sizeof(*c->shm));
	close(c->memfd);
	close(c->srvfd);
	close(c->repfd);
	close(c->msgfd);
}

/* Writes @q (as is: no check) and waits for its answer (5 s at most). */
static int32_t raw_chan_ask(struct raw_chan *c, const struct chan_req *q)
{
	uint64_t one = 1;
	unsigned i;

	memcpy(&c->shm->req, q, sizeof(*q));
	atomic_store(&c->shm->req_seq, ++c->seq);
	assert_int_equal(write(c->srvfd, &one, sizeof(one)), sizeof(one));
	for (i = 0; i < 5000 && atomic_load(&c->shm->rep_seq) != c->seq; i++)
		usleep(1000);
	assert_int_equal(atomic_load(&c->shm->rep_seq), c->seq);
	return c->shm->result;
}

static void req(struct chan_req *q, uint32_t op, uint32_t h)
{
	memset(q, 0, sizeof(*q));
	q->op = op;
	q->h = h;
}

/*
 * The channel's descriptors are the client's alone. A descriptor passed
 * over keeps its open file, and O_NONBLOCK is a flag of the open file: a
 * client that cleared it on an eventfd tapixd also wrote, and filled the
 * eventfd's counter, had tapixd's event loop wait in write() for ever
 * once it answered a request (every client, the bus and the providers
 * with it). Here the client does that to each of its descriptors, asks
 * as a client that sleeps on its descriptor, and tapixd answers, then
 * still answers on the connection and serves another client.
 */
static void test_channel_descriptors_cannot_block_tapixd(void **s)
{
	const uint64_t full = 0xfffffffffffffffeull;
	struct raw_chan c;
	struct chan_req q;
	struct fx_app a;
	void (*pipe_was)(int);
	HCALL call = 0;
	HLINE l;
	LONG id;
	int i, fl;

	(void)s;
	raw_direct_start();
	assert_int_equal(raw_chan_open(&c, true), 0);
	for (i = 0; i < 3; i++) {
		int fd = i == 0 ? c.srvfd : i == 1 ? c.repfd : c.msgfd;

		fl = fcntl(fd, F_GETFL);
		assert_true(fl >= 0);
		assert_int_equal(fcntl(fd, F_SETFL, fl & ~O_NONBLOCK), 0);
	}
	/* an eventfd's counter at its top: one more write would wait (a
	 * socket end of tapixd's that it only writes: EPIPE) */
	pipe_was = signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 2; i++) {
		ssize_t n = write(i ? c.msgfd : c.repfd, &full, sizeof(full));

		assert_true(n == sizeof(full) || (n < 0 && errno == EPIPE));
	}
	signal(SIGPIPE, pipe_was);
	atomic_store(&c.shm->cli_idle, CHAN_WAIT_EVENT);
	req(&q, CHAN_HOLD, 12345);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);
	/* (the answer is written before the wake: tapixd must be past it) */
	assert_true(raw_call_v("org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
	                       NULL) >= 0);
	/* its end never read: tapixd's wakes find it full, and go on */
	for (i = 0; i < 400; i++) {
		atomic_store(&c.shm->cli_idle, CHAN_WAIT_EVENT);
		assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);
	}
	assert_true(raw_call_v("org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
	                       NULL) >= 0);
	raw_chan_close(&c);
	raw_direct_end();
	fx_app_init(&a, "after");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &call, "101", 0, NULL);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	assert_int_equal(lineDrop(call, NULL, 0) > 0, 1);
	fx_shutdown(&a);
}

/* A Messages signal came (sd-bus match of test_channel_not_taken...). */
static int on_messages(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(void)m;
	(void)e;
	*(bool *)userdata = true;
	return 0;
}

/*
 * A client that asked for a channel and did not take it (a library of
 * another channel version: it goes on over D-Bus) got none of its
 * messages: tapixd wrote them into the ring nobody read. A client writes
 * that it took the channel before it registers; at the first
 * registration of one that did not, tapixd lets the channel go and sends
 * the messages as Messages signals.
 */
static void test_channel_not_taken_messages_as_signals(void **s)
{
	sd_bus_message *m = NULL, *r = NULL;
	uint32_t h = 0, u1, u2, line = 0;
	struct raw_chan c;
	struct fx_app a;
	bool heard = false;
	int32_t res = -1;
	HCALL call = 0;
	unsigned i;
	HLINE l;

	(void)s;
	raw_direct_start();
	assert_int_equal(raw_chan_open(&c, false), 0);
	assert_true(sd_bus_match_signal(raw_bus(), NULL, NULL, ROOT,
	                                "org.tapix.Tapi1", "Messages",
	                                on_messages, &heard) >= 0);
	assert_true(raw_call("Initialize", &r, "ssuu", "other", "other",
	                     0x00020002, 0) >= 0);
	assert_true(sd_bus_message_read(r, "iuuu", &res, &h, &u1, &u2) >= 0);
	assert_int_equal(res, 0);
	r = sd_bus_message_unref(r);
	assert_true(sd_bus_message_new_method_call(raw_bus(), &m, NULL, ROOT,
	                                           "org.tapix.Tapi1",
	                                           "Open") >= 0);
	assert_true(sd_bus_message_append(m, "uubuutuu", h, 0, 1, 0x00020002, 0,
	                                  (uint64_t)0,
	                                  LINECALLPRIVILEGE_MONITOR, 0) >= 0);
	assert_true(sd_bus_message_append_array(m, 'y', NULL, 0) >= 0);
	assert_true(sd_bus_call(raw_bus(), m, 5000000, NULL, &r) >= 0);
	assert_true(sd_bus_message_read(r, "iu", &res, &line) >= 0);
	assert_int_equal(res, 0);
	m = sd_bus_message_unref(m);
	r = sd_bus_message_unref(r);
	/* a call on its line: the monitor hears of it */
	fx_app_init(&a, "caller");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &call, "101", 0, NULL)),
	                 0);
	for (i = 0; i < 500 && !heard; i++)
		if (sd_bus_process(raw_bus(), NULL) == 0)
			sd_bus_wait(raw_bus(), 10000);
	assert_true(heard);
	assert_int_equal(fx_reply(&a, lineDrop(call, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(call), 0);
	fx_shutdown(&a);
	raw_chan_close(&c);
	raw_direct_end();
}

/*
 * Issue 5 (tests) — the channel is memory the client writes: malformed
 * requests (unknown ops and flags, sizes beyond the data, an address
 * without its NUL, another client's handles) get an error and change
 * nothing; the memory cannot be shrunk under tapixd; only a direct
 * connection gets a channel, one, before it registers.
 */
static void test_malformed_requests_on_a_channel(void **s)
{
	uint64_t before[9], after[9];
	sd_bus_message *r = NULL;
	struct raw_chan c;
	struct chan_req q;
	struct fx_app a;
	HLINE l;
	HCALL victim = 0;
	DWORD state;
	LONG id;

	(void)s;
	/* on the bus: none */
	assert_true(raw_call("Channel", &r, NULL) < 0);
	raw_direct_start();
	assert_int_equal(raw_chan_open(&c, true), 0);
	assert_true(raw_call("Channel", &r, NULL) < 0); /* one only */
	/* sealed: it cannot shrink under tapixd (which would fault) */
	assert_true(ftruncate(c.memfd, 0) < 0);
	/* a call of another client (this process, in client mode) */
	fx_app_init(&a, "victim");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &victim, "101", 0, NULL);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	state = fx_state(victim);
	service_counts(before);

	req(&q, 0, 0);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_OPERATIONFAILED);
	req(&q, 0xdead, 0);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_OPERATIONFAILED);
	req(&q, CHAN_DROP, victim);
	q.flags = 0x80;
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_OPERATIONFAILED);
	req(&q, CHAN_DROP, victim);
	q.flags = CHAN_HAS_DATA;
	q.len = CHAN_DATA + 1;
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_OPERATIONFAILED);
	req(&q, CHAN_MAKE_CALL, l);
	q.flags = CHAN_HAS_PTR | CHAN_HAS_DATA;
	q.len = 3;
	memcpy(q.data, "101", 3); /* no NUL */
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_OPERATIONFAILED);
	/* well-formed, on handles that are not the raw client's */
	q.len = 4;
	memcpy(q.data, "101", 4);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALLINEHANDLE);
	req(&q, CHAN_DROP, victim);
	q.flags = CHAN_HAS_DATA;
	q.arg = 0xFFFFFFFF; /* dwSize beyond the bytes: cut to them */
	q.len = 4;
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);
	req(&q, CHAN_DEALLOCATE, victim);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);
	req(&q, CHAN_HOLD, 12345);
	assert_int_equal(raw_chan_ask(&c, &q), LINEERR_INVALCALLHANDLE);

	/* nothing changed: the victim's call goes on */
	service_counts(after);
	assert_memory_equal(after, before, sizeof(before));
	assert_int_equal(fx_state(victim), state);
	assert_int_not_equal(state, LINECALLSTATE_IDLE);
	fx_shutdown(&a);
	raw_chan_close(&c);
	raw_direct_end();
	/* and it still serves a client with a channel */
	fx_app_init(&a, "after");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &victim, "101", 0, NULL);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	assert_int_equal(lineDrop(victim, NULL, 0) > 0, 1);
	fx_shutdown(&a);
}

/*
 * Issue 5 (tests) — a client that does not take its messages: its ring
 * fills, tapixd keeps answering its requests and leaves the rest of its
 * messages queued, and when the client takes them, every LINE_REPLY comes,
 * once, in the order of the requests, with its handle.
 */
static void test_full_channel_loses_nothing(void **s)
{
	enum {
		CALLS = 200
	};
	uint64_t before[9];
	sd_bus_message *r = NULL;
	struct raw_chan c;
	struct chan_req q;
	LONG ids[CALLS];
	uint32_t app, n, ver, line, tail;
	unsigned i, got = 0, polls;
	int32_t res;

	(void)s;
	service_counts(before);
	raw_direct_start();
	assert_int_equal(raw_chan_open(&c, true), 0);
	assert_true(raw_call("Initialize", &r, "ssuu", "full", "test",
	                     0x00020002, 0) >= 0);
	assert_true(sd_bus_message_read(r, "iuuu", &res, &app, &n, &ver) >= 0);
	assert_int_equal(res, 0);
	r = sd_bus_message_unref(r);
	assert_true(raw_call("Open", &r, "uubuutuuay", app, 0, 1, 0x00020002, 0,
	                     (uint64_t)0, LINECALLPRIVILEGE_NONE, 0, 0) >= 0);
	assert_true(sd_bus_message_read(r, "iu", &res, &line) >= 0);
	assert_int_equal(res, 0);
	r = sd_bus_message_unref(r);
	/* a channel (registering after it) carries every message: fill it */
	for (i = 0; i < CALLS; i++) {
		req(&q, CHAN_MAKE_CALL, line);
		q.flags = CHAN_HAS_PTR | CHAN_HAS_DATA;
		q.len = 5;
		memcpy(q.data, "busy", 5);
		ids[i] = raw_chan_ask(&c, &q);
		assert_true(ids[i] > 0);
	}
	assert_int_equal(atomic_load(&c.shm->head) - atomic_load(&c.shm->tail),
	                 CHAN_RING);
	/* take them all, as they come */
	tail = atomic_load(&c.shm->tail);
	for (polls = 0; got < CALLS && polls < 5000; polls++) {
		uint32_t head = atomic_load(&c.shm->head);

		assert_true(head - tail <= CHAN_RING);
		for (; tail != head; tail++) {
			const struct chan_msg *m =
				&c.shm->ring[tail % CHAN_RING];

			assert_int_equal(m->app, app);
			if (m->id != LINE_REPLY)
				continue;
			assert_true(got < CALLS);
			assert_int_equal((LONG)m->p1, ids[got]); /* in order */
			assert_int_equal(m->p2, 0);
			assert_int_equal(m->nh, 1); /* its handle */
			assert_int_not_equal(m->h[0], 0);
			got++;
		}
		atomic_store(&c.shm->tail, tail);
		if (got < CALLS)
			usleep(1000);
	}
	assert_int_equal(got, CALLS);
	raw_chan_close(&c);
	/* closing the connection shuts the registration down: its open and
	 * the 200 calls' handles go with it */
	raw_direct_end();
	wait_counts_equal(before);
}

/*
 * One client's 65th registration: LINEERR_RESOURCEUNAVAIL, as a result
 * (it was a D-Bus error: the answer lacked the method's signature).
 */
static void test_registrations_of_one_client_are_bounded(void **s)
{
	sd_bus_message *r = NULL;
	uint64_t before[9];
	uint32_t h, n, ver;
	int32_t res;
	unsigned i;

	(void)s;
	service_counts(before);
	raw_direct_start();
	for (i = 0; i < 65; i++) {
		assert_true(raw_call("Initialize", &r, "ssuu", "many", "test",
		                     0x00020002, 0) >= 0);
		assert_true(sd_bus_message_read(r, "iuuu", &res, &h, &n,
		                                &ver) >= 0);
		assert_int_equal(res, i < 64 ? 0 : LINEERR_RESOURCEUNAVAIL);
		r = sd_bus_message_unref(r);
	}
	/* and they go with the client */
	raw_direct_end();
	wait_counts_equal(before);
}

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

/* Runs `env ENV tapictl ARGS` (no bus named on the command line). */
static int tapictl_env(const char *env, const char *args, char *out,
                       size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "env %s timeout 30 %s %s 2>&1", env,
	         TAPIX_TEST_TAPICTL, args);
	return run_sh(cmd, out, size);
}

/*
 * termination.md §3 (the API >= 2.0 row), §3.4 — the demo program as a
 * client of tapixd: a call made and dropped, one deallocated while
 * connected (its sole owner lets go: the call is closed and dropped), one
 * the far end hangs up. It exits 0, and afterwards tapixd lists no call
 * and holds what it held before.
 */
static void test_demo_through_tapixd(void **s)
{
	char log[128], out[1024];
	const char *argv[2] = {TAPIX_TEST_DEMO, NULL};
	uint64_t before[9];
	pid_t pid;
	int st;

	(void)s;
	service_counts(before);
	snprintf(log, sizeof(log), "%s/demo.log", dir);
	/* TAPIX_SERVICE is the test's bus (start_bus) */
	pid = proc_start(log, LIMIT_S, argv);
	st = proc_wait(pid, 30000);
	if (st != 0)
		proc_show_log(log, 40);
	assert_int_equal(st, 0);
	assert_true(log_has(log, "demo finished"));
	/* it was tapixd's client: its two registrations */
	assert_true(log_has(tlog, "registered for pid"));
	wait_counts_equal(before);
	/* no Call object is left either (--terse: not even a header) */
	assert_int_equal(tapictl("--terse calls", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* The row of tapictl calls' table @out offering a call to @called, its
 * last column (cut at its end: @out is changed), which must be there. */
static char *offering_row(char *out, const char *called)
{
	size_t n = strlen(called);
	char *p = out, *end, *e;

	for (;;) {
		p = strstr(p, "offering");
		assert_non_null(p);
		while (p > out && p[-1] != '\n')
			p--;
		end = strchr(p, '\n');
		if (end)
			*end = '\0';
		e = p + strlen(p);
		while (e > p && e[-1] == ' ')
			e--;
		if ((size_t)(e - p) > n && *(e - n - 1) == ' ' &&
		    strncmp(e - n, called, n) == 0)
			return p;
		assert_non_null(end);
		p = end + 1;
	}
}

static unsigned bus_names_of(const char *comm, char (*out)[64], unsigned max);

/*
 * Waits (bounded) until the one tapictl on the bus has made its Watch
 * call: it answers a Ping only from its loop, which it enters once Watch
 * was answered (sd-bus keeps what comes during a call for later).
 */
static void wait_tapictl_watching(void)
{
	char name[1][64] = {""};
	unsigned i;

	for (i = 0; i < 200 && !bus_names_of("tapictl", name, 1); i++)
		sleep_ms(50);
	assert_true(name[0][0] == ':');
	assert_true(sd_bus_call_method(bus, name[0], "/",
	                               "org.freedesktop.DBus.Peer", "Ping",
	                               NULL, NULL, "") >= 0);
}

/*
 * Issue 5 §7 — tapictl drives a whole call: lines, call with UUI, the
 * offered call answered, drop with UUI, a blind transfer, a redirect
 * (lineRedirect), watch --json; errors and usage give the documented exit
 * status.
 */
static void test_tapictl_drives_a_call(void **s)
{
	char out[8192], watch_cmd[512], made[32], offered[32], cmd[128];
	const char *argv[8];
	char *p;
	int wfd;
	pid_t w;

	(void)s;
	assert_int_equal(tapictl("lines", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "esp line 3 (103)"));
	snprintf(watch_cmd, sizeof(watch_cmd), "--address=%s", addr);
	argv[0] = TAPIX_TEST_TAPICTL;
	argv[1] = watch_cmd;
	argv[2] = "watch";
	argv[3] = "--json";
	argv[4] = "--count";
	argv[5] = "3";
	argv[6] = NULL;
	w = proc_start_pipe(&wfd, 60, argv);
	wait_tapictl_watching();
	assert_int_equal(tapictl("call 0 101 --uui hello", out, sizeof(out)),
	                 0);
	assert_int_equal(sscanf(out, "%31s", made), 1);
	assert_int_equal(tapictl("calls", out, sizeof(out)), 0);
	p = strstr(out, "offering");
	assert_non_null(p);
	while (p > out && p[-1] != '\n')
		p--;
	assert_int_equal(sscanf(p, "%31s", offered), 1);
	snprintf(cmd, sizeof(cmd), "answer %s", offered);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "drop %s --uui-hex C0FFEE", made);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	/* dropping it again: refused (exit 1, the LINEERR_ named) */
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "LINEERR_INVALCALLSTATE"));
	assert_int_equal(tapictl("drop zz", out, sizeof(out)), 2);
	assert_int_equal(tapictl("frobnicate", out, sizeof(out)), 2);
	/* a blind transfer: done, the call is idle; again: refused */
	assert_int_equal(tapictl("call 0 answer", out, sizeof(out)), 0);
	assert_int_equal(sscanf(out, "%31s", made), 1);
	snprintf(cmd, sizeof(cmd), "transfer %s 103", made);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "LINEERR_INVALCALLSTATE"));
	assert_int_equal(tapictl("transfer", out, sizeof(out)), 2);
	/* lineRedirect: the offered call now rings at 102, unanswered, and
	 * the redirected one is idle: again, refused */
	assert_int_equal(tapictl("call 0 101", out, sizeof(out)), 0);
	assert_int_equal(sscanf(out, "%31s", made), 1);
	assert_int_equal(tapictl("calls", out, sizeof(out)), 0);
	p = offering_row(out, "101");
	assert_int_equal(sscanf(p, "%31s", offered), 1);
	snprintf(cmd, sizeof(cmd), "redirect %s 102", offered);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "LINEERR_INVALCALLSTATE"));
	assert_int_equal(tapictl("calls", out, sizeof(out)), 0);
	p = offering_row(out, "102");
	assert_null(strstr(p, offered));
	snprintf(cmd, sizeof(cmd), "drop %s", made);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_int_equal(tapictl("redirect", out, sizeof(out)), 2);
	/* the watcher saw the first three events, as JSON */
	{
		char line[512];

		assert_true(proc_read_line(wfd, line, sizeof(line), 10000));
		assert_non_null(strstr(line, "\"event\":\"call-added\""));
	}
	assert_int_equal(proc_wait(w, 10000), 0);
	close(wfd);
}

/*
 * Issue 5 §3 — client mode also when the configuration says so: a client
 * with TAPIX_SERVICE unset and [tapix] service = ADDRESS in its tapix.conf
 * sees the service's four lines (embedded, that file has none).
 */
static void test_client_mode_from_configuration(void **s)
{
	char conf[128], confenv[160], text[256];
	const char *argv[8];
	struct helper h;
	FILE *f;

	(void)s;
	snprintf(conf, sizeof(conf), "%s/client.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	snprintf(text, sizeof(text), "[tapix]\nservice = %s\n", addr);
	fputs(text, f);
	fclose(f);
	snprintf(confenv, sizeof(confenv), "TAPIX_CONF=%s", conf);
	argv[0] = "env";
	argv[1] = "-u";
	argv[2] = "TAPIX_SERVICE";
	argv[3] = confenv;
	argv[4] = TAPIX_TEST_HELPER;
	argv[5] = "lines";
	argv[6] = NULL;
	h.pid = proc_start_pipe(&h.fd, LIMIT_S, argv);
	assert_int_equal(expect_line(&h, "lines "), 4);
	assert_int_equal(proc_wait(h.pid, STEP_MS), 0);
	close(h.fd);
}

/*
 * Issue 5 §2 — the introspection XML shipped in the repository
 * (daemon/dist/org.tapix.Tapix1.xml) is what tapixd serves.
 */
static void test_shipped_introspection_is_served(void **s)
{
	char cmd[2048];

	(void)s;
	snprintf(cmd, sizeof(cmd),
	         "set -e; B='timeout 10 busctl --address=%s'; "
	         "C=$($B call org.tapix.Tapix1 " ROOT "/Line/0 org.tapix.Line1 "
	         "MakeCall say answer:60000 0 | cut -d'\"' -f2); "
	         "($B introspect --xml-interface org.tapix.Tapix1 " ROOT "; "
	         "$B introspect --xml-interface org.tapix.Tapix1 " ROOT
	         "/Line/0; "
	         "$B introspect --xml-interface org.tapix.Tapix1 $C) "
	         "> %s/live.xml; "
	         "python3 %s/introspection.py check --ignore org.tapix.Test1 "
	         "%s %s/live.xml >&2",
	         addr, dir, TAPIX_TEST_SERVICE_DIR, TAPIX_TEST_SHIPPED_XML,
	         dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Issue 5 §7, issue 18 item 6 — without tapixd, tapictl says so with exit
 * status 3, naming the bus it tried (and its address) and what to do:
 * start tapixd, or name its bus (--bus=session). The same for a bus that
 * is not there, given by --bus or taken by default (the system bus).
 */
/* Whether @name has an owner on the test's bus. */
static bool name_has_owner(const char *name)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	int has = 1;

	if (sd_bus_call_method(bus, "org.freedesktop.DBus",
	                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
	                       "NameHasOwner", &err, &r, "s", name) < 0 ||
	    sd_bus_message_read(r, "b", &has) < 0)
		has = 1;
	sd_bus_message_unref(r);
	sd_bus_error_free(&err);
	return has != 0;
}

static void test_tapictl_without_service(void **s)
{
	char out[2048], want[256], env[256];
	unsigned i;

	(void)s;
	proc_kill(tapixd_pid);
	/* until the bus has seen it go (its name released), or tapictl may
	 * still find the name and have its call fail another way */
	for (i = 0; i < 500 && name_has_owner("org.tapix.Tapix1"); i++)
		sleep_ms(10);
	assert_int_equal(tapictl("lines", out, sizeof(out)), 3);
	assert_non_null(strstr(out, "not running"));
	snprintf(want, sizeof(want), "on the bus at %s, from --bus", addr);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "start tapixd"));
	assert_non_null(strstr(out, "--bus=session"));
	/* no bus at all there */
	snprintf(want, sizeof(want), "--bus=unix:path=%s/no-bus calls", dir);
	assert_int_equal(tapictl_env("", want, out, sizeof(out)), 3);
	snprintf(want, sizeof(want),
	         "cannot connect to the bus at unix:path=%s/no-bus, from "
	         "--bus: No such file or directory",
	         dir);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "--bus=session"));
	/* the default, the system bus, named with its address */
	snprintf(env, sizeof(env),
	         "-u TAPIX_SERVICE DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s/no-bus",
	         dir);
	assert_int_equal(tapictl_env(env, "lines", out, sizeof(out)), 3);
	snprintf(want, sizeof(want),
	         "cannot connect to the system bus (unix:path=%s/no-bus)", dir);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "systemctl start tapixd"));
	assert_non_null(strstr(out, "--bus=session"));
}

/*
 * Issue 18 item 6 — usage errors are named, with the program's name and
 * status 2, and nothing is done: an unknown command or option (with the
 * nearest one), a missing option value or argument, an extra argument,
 * an option the command does not take, a bus that is none (--bus or
 * TAPIX_SERVICE), --json with --terse, a bad call id. --help, help and
 * --version answer with status 0.
 */
static void test_tapictl_usage_errors(void **s)
{
	static const struct {
		const char *env, *args, *says;
	} bad[] = {
		{NULL, "lnies",
	         "tapictl: unknown command 'lnies' (did you "
	         "mean 'lines'?)"},
		{NULL, "lines --frob", "tapictl: unknown option '--frob'"},
		{NULL, "--jsno calls", "(did you mean '--json'?)"},
		{NULL, "call 0 101 --uui",
	         "tapictl: option '--uui' needs a value (TEXT)"},
		{NULL, "call 0", "tapictl: call: ADDRESS is missing"},
		{NULL, "transfer", "tapictl: transfer: CALL is missing"},
		{NULL, "lines extra",
	         "tapictl: lines: unexpected argument "
	         "'extra'"},
		{NULL, "lines --uui x", "tapictl: lines: no option '--uui'"},
		{NULL, "--json --terse lines", "exclude each other"},
		{NULL, "drop zz", "tapictl: drop: 'zz' is no call"},
		{NULL, "call x 101", "tapictl: call: 'x' is no line"},
		{NULL, "call 0 101 --wait=0", "--wait=0: seconds"},
		{NULL, "lines --color=sometimes", "unknown --color value"},
		{"", "--bus=sesion lines",
	         "tapictl: unknown bus 'sesion' (--bus): system, session or "
	         "a D-Bus address"},
		{"TAPIX_SERVICE=sesion", "lines",
	         "tapictl: TAPIX_SERVICE=sesion names no bus"},
		{"", "--address=session lines", "is not a D-Bus address"},
		{NULL, "demo --json", "tapictl: demo: no JSON output"},
		/* before the bus is tried: a usage error wins */
		{"", "call x 101 --bus=unix:path=/nonexistent/bus",
	         "tapictl: call: 'x' is no line"},
	};
	char out[4096], want[64];
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = bad[i].env ? tapictl_env(bad[i].env, bad[i].args, out,
		                                  sizeof(out))
		                    : tapictl(bad[i].args, out, sizeof(out));

		if (st != 2 || !strstr(out, bad[i].says) ||
		    strncmp(out, "tapictl: ", 9) != 0)
			fail_msg("tapictl %s: status %d, wanted 2 with \"%s\":"
			         "\n%s",
			         bad[i].args, st, bad[i].says, out);
	}
	/* nothing was made */
	assert_int_equal(tapictl("-t calls", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* the usage, a command's, the version */
	assert_int_equal(tapictl("--help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Usage: tapictl [OPTION]... COMMAND"));
	assert_int_equal(tapictl("call --help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Usage: tapictl call LINE ADDRESS"));
	assert_non_null(strstr(out, "--wait"));
	assert_int_equal(tapictl("help show", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Usage: tapictl show LINE|CALL"));
	assert_int_equal(tapictl_env("TAPIX_SERVICE=sesion", "--version", out,
	                             sizeof(out)),
	                 0);
	snprintf(want, sizeof(want), "tapictl (tapix) %s\n", tapix_version());
	assert_string_equal(out, want);
}

/* Whether @text is one JSON document (or, @per_line, one a line). */
static bool is_json(const char *text, bool per_line)
{
	char file[128], cmd[512];
	FILE *f;

	snprintf(file, sizeof(file), "%s/out.json", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys\n%s' < %s >&2",
	         per_line ? "for l in sys.stdin: json.loads(l)"
	                  : "json.load(sys.stdin)",
	         file);
	return system(cmd) == 0;
}

/* Runs tapictl @args on the test's bus; its exit status, its standard
 * output alone in @out, which must be one JSON document. */
static int tapictl_json(const char *args, char *out, size_t size)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "timeout 30 %s --bus=%s %s 2>/dev/null",
	         TAPIX_TEST_TAPICTL, addr, args);
	st = run_sh(cmd, out, size);
	if (!is_json(out, false))
		fail_msg("tapictl %s: not JSON:\n%s", args, out);
	return st;
}

/* The value of "@key":"..." in @json, in @out. */
static void json_value(const char *json, const char *key, char *out,
                       size_t size)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(json, pat);
	assert_non_null(p);
	p += strlen(pat);
	n = strcspn(p, "\"");
	assert_true(n < size);
	memcpy(out, p, n);
	out[n] = '\0';
}

/*
 * Issue 18 item 6 — the global options anywhere on the line: after the
 * command and its arguments as before it (nmcli's grammar); --bus there
 * wins over TAPIX_SERVICE; -b and --address too; "--" ends them.
 */
static void test_tapictl_options_anywhere(void **s)
{
	char out[8192], args[512], env[256];

	(void)s;
	snprintf(env, sizeof(env), "TAPIX_SERVICE=unix:path=%s/no-bus", dir);
	snprintf(args, sizeof(args), "lines --terse --bus=%s", addr);
	assert_int_equal(tapictl_env(env, args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "3:esp line 3 (103):103:"));
	snprintf(args, sizeof(args), "calls --json -b %s", addr);
	assert_int_equal(tapictl_env(env, args, out, sizeof(out)), 0);
	assert_string_equal(out, "[]\n");
	snprintf(args, sizeof(args), "-t lines --address %s", addr);
	assert_int_equal(tapictl_env(env, args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "0:esp line 0 (100):100:"));
	/* options between the arguments, a value as the next word */
	assert_int_equal(
		tapictl("call --uui hi 0 --json 101", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"line\":0}"));
	/* after "--", a word that starts with '-' is an argument */
	assert_int_equal(tapictl("show -- -1", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "'-1' is neither a line"));
}

/*
 * Issue 18 item 6 — tables have column headers; --terse drops them and
 * separates the fields with ':' (nmcli -t), escaping ':' in a field.
 */
static void test_tapictl_tables_have_headers(void **s)
{
	char out[8192];

	(void)s;
	assert_int_equal(tapictl("lines", out, sizeof(out)), 0);
	assert_int_equal(strncmp(out, "LINE  NAME", 10), 0);
	assert_non_null(strstr(out, "ADDRESS"));
	assert_non_null(strstr(out, "PROVIDER"));
	assert_non_null(strstr(out, "\n0     esp line 0 (100)  100"));
	assert_non_null(strstr(out, "in-service"));
	assert_int_equal(tapictl("calls", out, sizeof(out)), 0);
	assert_string_equal(out, "CALL  LINE  STATE  ORIGIN  CALLER  "
	                         "CALLED\n");
	assert_int_equal(tapictl("call 0 answer:60000", out, sizeof(out)), 0);
	assert_int_equal(tapictl("calls", out, sizeof(out)), 0);
	assert_int_equal(strncmp(out, "CALL      LINE  STATE     ORIGIN", 32),
	                 0);
	assert_non_null(strstr(out, "  ringback  outbound  100     "
	                            "answer:60000\n"));
	assert_int_equal(tapictl("--terse calls", out, sizeof(out)), 0);
	assert_null(strstr(out, "CALL"));
	assert_non_null(
		strstr(out, ":0:ringback:outbound:100:answer\\:60000\n"));
	assert_int_equal(tapictl("-t lines", out, sizeof(out)), 0);
	assert_int_equal(strncmp(out, "0:esp line 0 (100):100:", 23), 0);
}

/*
 * Issue 18 item 6 — show LINE prints every property of the line, show
 * CALL every property of the call, whether named by number, id (as
 * `call` printed it, or shorter), "line N"/"call ID" or object path; an
 * unknown one is status 1.
 */
/* "Name:" padded to @width (the longest name and 3), then @value: a line
 * of tapictl show. */
static const char *shown(const char *name, int width, const char *value)
{
	static char buf[4][256];
	static unsigned n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%-*s%s\n", width, name, value);
	return b;
}

#define LINE_W 20 /* RegistrationError */
#define CALL_W 21 /* DisconnectModeCode */

static void test_tapictl_show_line_and_call(void **s)
{
	static const char *const line_props[] = {
		"Path:",         "Id:",
		"Name:",         "Address:",
		"Provider:",     "InService:",
		"Registration:", "RegistrationError:",
	};
	static const char *const call_props[] = {
		"Line:",
		"State:",
		"StateCode:",
		"StateDetail:",
		"StateDetailCode:",
		"DisconnectMode:",
		"DisconnectModeCode:",
		"Origin:",
		"OriginCode:",
		"CallerId:",
		"CalledId:",
		"ConnectedId:",
		"UserUserInfo:",
		"Owners:",
		"Monitors:",
	};
	char out[8192], id[32], cmd[256];
	size_t i;

	(void)s;
	assert_int_equal(tapictl("show 2", out, sizeof(out)), 0);
	for (i = 0; i < sizeof(line_props) / sizeof(line_props[0]); i++)
		assert_non_null(strstr(out, line_props[i]));
	assert_non_null(strstr(out, ROOT "/Line/2\n"));
	assert_non_null(strstr(out, "esp line 2 (102)"));
	assert_non_null(strstr(out, shown("InService:", LINE_W, "yes")));
	/* esp registers nowhere */
	assert_non_null(strstr(out, shown("Registration:", LINE_W, "none")));
	assert_int_equal(tapictl("show " ROOT "/Line/2", out, sizeof(out)), 0);
	assert_non_null(strstr(out, shown("Address:", LINE_W, "102")));
	assert_int_equal(tapictl("show line 2", out, sizeof(out)), 0);
	assert_non_null(strstr(out, shown("Address:", LINE_W, "102")));
	/* a call, as `call` printed its id */
	assert_int_equal(tapictl("call 0 101 --uui hello", out, sizeof(out)),
	                 0);
	assert_int_equal(sscanf(out, "%31s", id), 1);
	assert_int_equal(strlen(id), 8);
	snprintf(cmd, sizeof(cmd), "show %s", id);
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	for (i = 0; i < sizeof(call_props) / sizeof(call_props[0]); i++)
		assert_non_null(strstr(out, call_props[i]));
	assert_non_null(strstr(out, shown("State:", CALL_W, "ringback")));
	assert_non_null(strstr(
		out, shown("StateCode:", CALL_W, "0x00000020 (RINGBACK)")));
	assert_non_null(strstr(out, shown("CalledId:", CALL_W, "101")));
	assert_non_null(strstr(out, shown("Line:", CALL_W, "0")));
	/* not disconnected: no mode, no words */
	assert_non_null(strstr(out, "DisconnectMode:\n"));
	assert_non_null(strstr(out, shown("DisconnectModeCode:", CALL_W, "0")));
	snprintf(cmd, sizeof(cmd), "show call %lx",
	         strtoul(id, NULL, 16)); /* no leading zeros */
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, shown("Origin:", CALL_W, "outbound")));
	assert_non_null(
		strstr(out, shown("OriginCode:", CALL_W, "0x00000001")));
	/* the offered one, by path: the UUI sent with the call */
	assert_int_equal(tapictl("-t calls", out, sizeof(out)), 0);
	{
		char *p = strstr(out, ":offering:");

		assert_non_null(p);
		while (p > out && p[-1] != '\n')
			p--;
		snprintf(cmd, sizeof(cmd), "show " ROOT "/Call/%.8s", p);
	}
	assert_int_equal(tapictl(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(
		out, shown("UserUserInfo:", CALL_W, "68656c6c6f (\"hello\")")));
	assert_non_null(strstr(out, shown("StateDetail:", CALL_W, "active")));
	assert_non_null(
		strstr(out, shown("StateDetailCode:", CALL_W, "0x00000001")));
	/* nothing there */
	assert_int_equal(tapictl("show 99", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "tapictl: line 99: no such line"));
	assert_int_equal(tapictl("show 0000abcd", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "tapictl: call 0000abcd: no such call"));
	assert_int_equal(tapictl("show thing 1", out, sizeof(out)), 2);
}

/*
 * Issue 18 item 6 — --json for every command, before or after it: valid
 * JSON (checked by Python's parser) with the documented keys: lines and
 * calls an array, show an object, call an object (with --wait, its
 * result), the call commands an object, watch one object a line,
 * --version an object.
 */
static void test_tapictl_json_for_every_command(void **s)
{
	char out[16384], made[32], offered[32], cmd[256], wcmd[512];
	const char *argv[8];
	int wfd;
	pid_t w;

	(void)s;
	assert_int_equal(tapictl_json("--json lines", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "{\"line\":3,\"name\":\"esp line 3 (103)\","
	                            "\"address\":\"103\",\"provider\":"));
	assert_non_null(strstr(out, "\"in_service\":true}"));
	assert_int_equal(tapictl_json("calls --json", out, sizeof(out)), 0);
	assert_string_equal(out, "[]\n");
	assert_int_equal(tapictl_json("call 0 101 --json --uui-hex 00ff", out,
	                              sizeof(out)),
	                 0);
	json_value(out, "call", made, sizeof(made));
	assert_non_null(strstr(out, "\"line\":0}"));
	assert_int_equal(tapictl_json("calls -j", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"state\":\"offering\""));
	assert_non_null(strstr(out, "\"called_id\":\"101\""));
	{
		char *p = strstr(out, "\"state\":\"offering\"");

		/* the object's "call" comes before its state */
		while (p > out && strncmp(p, "{\"call\":", 8) != 0)
			p--;
		json_value(p, "call", offered, sizeof(offered));
	}
	snprintf(cmd, sizeof(cmd), "show %s --json", offered);
	assert_int_equal(tapictl_json(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"user_user_info\":\"00ff\""));
	assert_non_null(strstr(out, "\"state_code\":2,"));
	assert_non_null(strstr(out, "\"line\":1,"));
	assert_int_equal(tapictl_json("--json show 1", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "{\"line\":1,\"path\":\"" ROOT
	                            "/Line/1\",\"id\":1,"));
	snprintf(cmd, sizeof(cmd), "answer %s --json", offered);
	assert_int_equal(tapictl_json(cmd, out, sizeof(out)), 0);
	assert_non_null(
		strstr(out, "\"done\":\"answer\",\"state\":\"connected\""));
	snprintf(cmd, sizeof(cmd), "--json drop %s", made);
	assert_int_equal(tapictl_json(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "--json deallocate %s", made);
	assert_int_equal(tapictl_json(cmd, out, sizeof(out)), 0);
	assert_int_equal(
		tapictl_json("call 0 busy --wait=20 --json", out, sizeof(out)),
		4);
	assert_non_null(strstr(out, "\"result\":\"busy\""));
	assert_int_equal(tapictl_json("--version --json", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"program\":\"tapictl\""));
	/*
	 * watch: one object a line, a line number a number. Calls are made
	 * until it has told one added (it may have missed the first ones:
	 * its Watch call races with them), every wait bounded.
	 */
	snprintf(wcmd, sizeof(wcmd), "--bus=%s", addr);
	argv[0] = TAPIX_TEST_TAPICTL;
	argv[1] = "watch";
	argv[2] = wcmd;
	argv[3] = "--json";
	argv[4] = "--timeout=60";
	argv[5] = NULL;
	w = proc_start_pipe(&wfd, 90, argv);
	{
		char all[8192] = "", line[1024];
		unsigned i;

		for (i = 0; i < 200 && !strstr(all, "\"call-added\""); i++) {
			if (!proc_read_line(wfd, line, sizeof(line), 100)) {
				assert_int_equal(tapictl("call 2 answer", out,
				                         sizeof(out)),
				                 0);
				continue;
			}
			snprintf(all + strlen(all), sizeof(all) - strlen(all),
			         "%s\n", line);
		}
		assert_true(is_json(all, true));
		assert_non_null(strstr(all, "\"event\":\"call-added\""));
		assert_non_null(strstr(all, "\"line\":2}"));
	}
	proc_kill(w);
	close(wfd);
}

/* tapictl call 1 noanswer --wait=60 (a call that rings unanswered),
 * started: its output on *@fd, the call's id (read from it) in @id. */
static pid_t start_ringing_wait(int *fd, char *id, size_t size)
{
	static char bus_arg[256];
	const char *argv[] = {TAPIX_TEST_TAPICTL, bus_arg,     "call", "1",
	                      "noanswer",         "--wait=60", NULL};
	pid_t pid;

	snprintf(bus_arg, sizeof(bus_arg), "--bus=%s", addr);
	pid = proc_start_pipe(fd, 60, argv);
	assert_true(proc_read_line(*fd, id, size, 10000));
	assert_int_equal(strlen(id), 8);
	return pid;
}

/*
 * Issue 18 item 6 — call --wait returns when the call connects (0) or
 * fails, with a status that says how: busy 4, no answer within SECONDS
 * 5, ended otherwise 6 (the disconnect mode named), refused 1. A call
 * that did not connect is dropped and forgotten; SIGINT during the wait
 * drops it too (status 130). Every wait is bounded.
 */
static void test_tapictl_call_wait(void **s)
{
	char out[4096], line[256], id[32];
	int fd;
	pid_t pid;

	(void)s;
	assert_int_equal(
		tapictl("call 0 answer:300 --wait=20", out, sizeof(out)), 0);
	assert_int_equal(sscanf(out, "%31s", id), 1);
	assert_int_equal(strlen(out), 9); /* the id, nothing more */
	assert_int_equal(tapictl("call 0 busy --wait=20", out, sizeof(out)), 4);
	assert_non_null(strstr(out, ": busy; dropped"));
	assert_int_equal(tapictl("call 0 noanswer --wait=1", out, sizeof(out)),
	                 5);
	assert_non_null(strstr(out, ": no answer in 1 s; dropped"));
	assert_int_equal(tapictl("--wait=20 call 0 reject", out, sizeof(out)),
	                 6);
	assert_non_null(strstr(out, "disconnected (REJECT) without "
	                            "connecting; dropped"));
	assert_int_equal(tapictl("call 0 unavail --wait=20", out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "LINEERR_CALLUNAVAIL"));
	/* interrupted: dropped too */
	pid = start_ringing_wait(&fd, out, sizeof(out));
	kill(pid, SIGINT);
	assert_int_equal(proc_wait(pid, 10000), 130);
	close(fd);
	/* only the connected call is left */
	assert_int_equal(tapictl("-t calls", out, sizeof(out)), 0);
	snprintf(line, sizeof(line),
	         "%s:0:connected:outbound:100:answer\\:300\n", id);
	assert_string_equal(out, line);
}

/* How many processes named @comm are connected to the test's bus; the
 * unique names of the first @max in @out. */
static unsigned bus_names_of(const char *comm, char (*out)[64], unsigned max)
{
	sd_bus_message *r = NULL;
	char **names = NULL, path[64], got[32];
	unsigned found = 0;
	size_t i;

	if (sd_bus_call_method(bus, "org.freedesktop.DBus",
	                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
	                       "ListNames", NULL, &r, "") < 0)
		return 0;
	if (sd_bus_message_read_strv(r, &names) < 0)
		names = NULL;
	sd_bus_message_unref(r);
	for (i = 0; names && names[i]; i++) {
		uint32_t pid = 0;
		FILE *f;

		if (names[i][0] != ':' ||
		    sd_bus_call_method(bus, "org.freedesktop.DBus",
		                       "/org/freedesktop/DBus",
		                       "org.freedesktop.DBus",
		                       "GetConnectionUnixProcessID", NULL, &r,
		                       "s", names[i]) < 0)
			continue;
		if (sd_bus_message_read(r, "u", &pid) < 0)
			pid = 0;
		r = sd_bus_message_unref(r);
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		f = fopen(path, "r");
		if (f && fgets(got, sizeof(got), f) &&
		    strncmp(got, comm, strlen(comm)) == 0 &&
		    got[strlen(comm)] == '\n' && found++ < max)
			snprintf(out[found - 1], sizeof(out[0]), "%s",
			         names[i]);
		if (f)
			fclose(f);
	}
	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	return found;
}

/* Sends signal @member of @iface on @path from the test's connection to
 * @dest, with @types and what follows. */
static void send_to(const char *dest, const char *path, const char *iface,
                    const char *member, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;

	assert_true(sd_bus_message_new_signal(bus, &m, path, iface, member) >=
	            0);
	assert_true(sd_bus_message_set_destination(m, dest) >= 0);
	va_start(ap, types);
	assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
	va_end(ap);
	assert_true(sd_bus_send(bus, m, NULL) >= 0);
	sd_bus_message_unref(m);
}

/*
 * On the bus any peer may send a signal to tapictl's name, and a match
 * on tapixd's well-known name does not stop it. call --wait, listen and
 * watch believe only the tapixd that answered their Watch, and the bus's
 * own NameOwnerChanged: another peer's look-alikes (here the test's:
 * the call connected, then disconnected, then removed, then tapixd gone)
 * neither end the wait nor make tapictl drop the call. Before, the first
 * made tapictl say the ringing call connected (status 0).
 */
static void test_tapictl_believes_only_tapixd(void **s)
{
	char out[4096], id[32], path[128], name[1][64] = {""};
	unsigned i;
	int fd;
	pid_t pid;

	(void)s;
	pid = start_ringing_wait(&fd, id, sizeof(id));
	snprintf(path, sizeof(path), "%s/Call/%s", ROOT, id);
	for (i = 0; i < 100 && !bus_names_of("tapictl", name, 1); i++)
		sleep_ms(50);
	assert_true(name[0][0] == ':');
	send_to(name[0], path, "org.tapix.Call1", "StateChanged", "su",
	        "connected", 0u);
	send_to(name[0], path, "org.tapix.Call1", "StateChanged", "su",
	        "disconnected", (uint32_t)LINEDISCONNECTMODE_REJECT);
	send_to(name[0], ROOT, "org.tapix.Telephony1", "CallRemoved", "o",
	        path);
	send_to(name[0], "/org/freedesktop/DBus", "org.freedesktop.DBus",
	        "NameOwnerChanged", "sss", "org.tapix.Tapix1", ":1.1", "");
	/* its answer comes once tapictl has read what came before it */
	assert_true(sd_bus_call_method(bus, name[0], "/",
	                               "org.freedesktop.DBus.Peer", "Ping",
	                               NULL, NULL, "") >= 0);
	assert_true(proc_tracked(pid));
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
	/* still waiting for the call that rings: interrupted, dropped */
	kill(pid, SIGINT);
	assert_int_equal(proc_wait(pid, 10000), 130);
	close(fd);
	assert_int_equal(tapictl("-t calls", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* The unique name of the owner of tapixd's name on the test's bus, in
 * @out ("" if none; no check fails here). */
static void owner_of_tapixd(char *out, size_t size)
{
	sd_bus_message *r = NULL;
	const char *who = NULL;

	if (sd_bus_call_method(bus, "org.freedesktop.DBus",
	                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
	                       "GetNameOwner", NULL, &r, "s",
	                       "org.tapix.Tapix1") < 0 ||
	    sd_bus_message_read(r, "s", &who) < 0)
		who = NULL;
	snprintf(out, size, "%s", who ? who : "");
	sd_bus_message_unref(r);
}

/*
 * tapictl(1): watch and listen believe only the tapixd that answered
 * their Watch, and end with status 3 when the bus says it left, as call
 * --wait does (before, both went on waiting for ever). Both are shown to
 * be watching first (watch prints a call made, listen the call offered to
 * its line); then another peer (the test) sends each an invented call, a
 * disconnected state of the call listen waits on, and a NameOwnerChanged
 * saying tapixd left: neither prints or ends. Then tapixd is killed.
 */
static void test_tapictl_listen_and_watch_end_when_tapixd_leaves(void **s)
{
	char out[512], line[256], names[2][64], tapixd[64], call[64];
	char fake[128], path[128];
	const char *argv[8];
	bool seen = false;
	unsigned i;
	int wfd, lfd;
	pid_t w, l;

	(void)s;
	snprintf(line, sizeof(line), "--bus=%s", addr);
	argv[0] = TAPIX_TEST_TAPICTL;
	argv[1] = line;
	argv[2] = "listen";
	argv[3] = "1";
	argv[4] = NULL;
	l = proc_start_pipe(&lfd, 60, argv);
	argv[2] = "watch";
	argv[3] = NULL;
	w = proc_start_pipe(&wfd, 60, argv);
	for (i = 0; i < 200 && bus_names_of("tapictl", names, 2) < 2; i++)
		sleep_ms(50);
	assert_int_equal(bus_names_of("tapictl", names, 2), 2);
	/* a call made until watch shows one (it may not watch yet) */
	for (i = 0; i < 20 && !seen; i++) {
		assert_int_equal(tapictl("call 0 101", out, sizeof(out)), 0);
		seen = proc_read_line(wfd, out, sizeof(out), 1000);
	}
	assert_true(seen);
	assert_non_null(strstr(out, "call-added"));
	assert_true(proc_read_line(lfd, out, sizeof(out), 10000));
	assert_non_null(strstr(out, "offered"));
	assert_int_equal(sscanf(out, "%63s", call), 1);
	/* others' look-alikes: believed by neither */
	owner_of_tapixd(tapixd, sizeof(tapixd));
	assert_true(tapixd[0] == ':');
	snprintf(fake, sizeof(fake), "%s/Call/7ead7ead", ROOT);
	snprintf(path, sizeof(path), "%s/Call/%s", ROOT, call);
	for (i = 0; i < 2; i++) {
		send_to(names[i], ROOT, "org.tapix.Telephony1", "CallAdded",
		        "oo", fake, ROOT "/Line/1");
		send_to(names[i], path, "org.tapix.Call1", "StateChanged", "su",
		        "disconnected", 0u);
		send_to(names[i], "/org/freedesktop/DBus",
		        "org.freedesktop.DBus", "NameOwnerChanged", "sss",
		        "org.tapix.Tapix1", tapixd, "");
		/* its answer comes once it has read what came before */
		assert_true(sd_bus_call_method(bus, names[i], "/",
		                               "org.freedesktop.DBus.Peer",
		                               "Ping", NULL, NULL, "") >= 0);
	}
	assert_int_equal(waitpid(w, NULL, WNOHANG), 0);
	assert_int_equal(waitpid(l, NULL, WNOHANG), 0);
	while (proc_read_line(wfd, out, sizeof(out), 500))
		if (strstr(out, "7ead7ead") ||
		    (strstr(out, call) && strstr(out, "disconnected")))
			fail_msg("watch believed another peer: %s", out);
	proc_kill(tapixd_pid); /* no goodbye: only the bus tells */
	assert_int_equal(proc_wait(w, 10000), 3);
	assert_int_equal(proc_wait(l, 10000), 3);
	assert_true(proc_read_line(lfd, out, sizeof(out), 5000));
	assert_non_null(strstr(out, "tapixd left"));
	close(wfd);
	close(lfd);
}

/* Runs the shell command @cmd with its output on a new pseudo-terminal;
 * its exit status, what it wrote in @out. */
static int run_on_tty(const char *cmd, char *out, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), st = 0;
	char name[128];
	size_t n = 0;
	pid_t pid;

	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, name, sizeof(name)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int t;

		setsid();
		t = open(name, O_RDWR);
		if (t < 0)
			_exit(127);
		dup2(t, STDOUT_FILENO);
		dup2(t, STDERR_FILENO);
		close(t);
		close(m);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		struct pollfd p = {m, POLLIN, 0};
		ssize_t r;

		if (n + 1 >= size || poll(&p, 1, 30000) <= 0)
			break;
		r = read(m, out + n, size - 1 - n);
		if (r <= 0)
			break; /* EIO: the terminal's last user is gone */
		n += (size_t)r;
	}
	out[n] = '\0';
	close(m);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Issue 18 item 6 — colour only on a terminal (TERM not dumb), never with
 * NO_COLOR set or --color=never; --color=always colours a pipe too.
 */
static void test_tapictl_colour_only_on_a_tty(void **s)
{
	char out[4096], cmd[512];

	(void)s;
	snprintf(cmd, sizeof(cmd),
	         "env -u NO_COLOR TERM=xterm timeout 30 %s --bus=%s lines",
	         TAPIX_TEST_TAPICTL, addr);
	assert_int_equal(run_on_tty(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\033[1mLINE\033[0m"));
	assert_non_null(strstr(out, "\033[32min-service\033[0m"));
	snprintf(cmd, sizeof(cmd),
	         "env NO_COLOR=1 TERM=xterm timeout 30 %s --bus=%s lines",
	         TAPIX_TEST_TAPICTL, addr);
	assert_int_equal(run_on_tty(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "LINE"));
	assert_null(strchr(out, '\033'));
	snprintf(cmd, sizeof(cmd),
	         "env -u NO_COLOR TERM=xterm timeout 30 %s --bus=%s lines "
	         "--color=never",
	         TAPIX_TEST_TAPICTL, addr);
	assert_int_equal(run_on_tty(cmd, out, sizeof(out)), 0);
	assert_null(strchr(out, '\033'));
	/* a pipe */
	assert_int_equal(tapictl_env("-u NO_COLOR TERM=xterm", "lines", out,
	                             sizeof(out)),
	                 0);
	assert_null(strchr(out, '\033'));
	assert_int_equal(tapictl("--color=always lines", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\033[32min-service\033[0m"));
}

/*
 * Issue 18 item 6 — the bash completion (tools/tapictl/tapictl.bash)
 * offers the running tapixd's line numbers after `call` and its call ids
 * after `drop`, asking it on the bus the command line names.
 */
static void test_tapictl_completion_asks_tapixd(void **s)
{
	char out[4096], cmd[1024], id[32];

	(void)s;
	assert_int_equal(tapictl("call 0 answer:60000", out, sizeof(out)), 0);
	assert_int_equal(sscanf(out, "%31s", id), 1);
	snprintf(cmd, sizeof(cmd),
	         "timeout 30 bash -c '. \"$1\"; COMP_LINE=$2; "
	         "COMP_POINT=${#COMP_LINE}; _tapictl; "
	         "printf \"%%s,\" \"${COMPREPLY[@]}\"' sh %s "
	         "'%s --bus %s call ' 2>&1",
	         TAPIX_TEST_SERVICE_DIR "/../../tools/tapictl/tapictl.bash",
	         TAPIX_TEST_TAPICTL, addr);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 0);
	assert_string_equal(out, "0,1,2,3,");
	snprintf(cmd, sizeof(cmd),
	         "timeout 30 bash -c '. \"$1\"; COMP_LINE=$2; "
	         "COMP_POINT=${#COMP_LINE}; _tapictl; "
	         "printf \"%%s,\" \"${COMPREPLY[@]}\"' sh %s "
	         "'%s drop --bus=%s ' 2>&1",
	         TAPIX_TEST_SERVICE_DIR "/../../tools/tapictl/tapictl.bash",
	         TAPIX_TEST_TAPICTL, addr);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, id));
}

/*
 * Issue 18 item 6 — rasdial's errors say what is wrong and what to do:
 * an unknown switch lists the switches, a switch without its value shows
 * its form, a TAPIX_SERVICE that names no bus is a usage error (255),
 * and Remote Access error 711 names the bus tried and who named it, and
 * says to start tapixd or to set TAPIX_SERVICE.
 */
static void test_rasdial_errors_explain(void **s)
{
	char out[4096], cmd[512], want[256];

	(void)s;
	snprintf(cmd, sizeof(cmd), "timeout 30 %s Lab /DISCONECT 2>&1",
	         TAPIX_TEST_RASDIAL);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 255);
	assert_non_null(strstr(out, "rasdial: unknown switch: /DISCONECT (the "
	                            "switches: /DOMAIN:"));
	assert_non_null(strstr(out, "Try 'rasdial /?'"));
	snprintf(cmd, sizeof(cmd), "timeout 30 %s Lab -phone 2>&1",
	         TAPIX_TEST_RASDIAL);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 255);
	assert_non_null(strstr(out, "rasdial: -phone needs a value: "
	                            "/PHONE:NUMBER"));
	snprintf(cmd, sizeof(cmd), "TAPIX_SERVICE=sesion timeout 30 %s 2>&1",
	         TAPIX_TEST_RASDIAL);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 255);
	assert_non_null(strstr(out, "rasdial: TAPIX_SERVICE names no bus: "
	                            "'sesion'"));
	snprintf(cmd, sizeof(cmd),
	         "TAPIX_SERVICE=unix:path=%s/no-bus timeout 30 %s 2>&1", dir,
	         TAPIX_TEST_RASDIAL);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 111);
	assert_non_null(strstr(out, "Remote Access error 711 - "));
	snprintf(
		want, sizeof(want),
		"rasdial: no tapixd answered on the bus at unix:path=%s/no-bus "
		"(from TAPIX_SERVICE)",
		dir);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "start it there"));
	snprintf(cmd, sizeof(cmd),
	         "env -u TAPIX_SERVICE TAPIX_CONF= "
	         "DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s/no-bus timeout 30 %s "
	         "2>&1",
	         dir, TAPIX_TEST_RASDIAL);
	assert_int_equal(run_sh(cmd, out, sizeof(out)), 111);
	assert_non_null(strstr(out, "on the system bus (the default)"));
	assert_non_null(strstr(out, "systemctl start tapixd"));
	assert_non_null(strstr(out, "TAPIX_SERVICE=session"));
}

/*
 * README — busctl drives a whole call by hand (the steps the README
 * shows): make, answer, drop, deallocate both ends (tapixd owns the
 * answered one for the D-Bus user: it stays until deallocated).
 */
static void test_busctl_drives_a_call(void **s)
{
	uint64_t before[9];
	char cmd[1024];

	(void)s;
	service_counts(before);
	snprintf(cmd, sizeof(cmd),
	         "set -e; B='timeout 10 busctl --address=%s'; "
	         "C=$($B call org.tapix.Tapix1 " ROOT "/Line/0 org.tapix.Line1 "
	         "MakeCall say 101 0 | cut -d'\"' -f2); "
	         "I=$($B call org.tapix.Tapix1 " ROOT
	         " org.tapix.Telephony1 GetCalls | tr ' ' '\\n' | tr -d '\"' "
	         "| grep Call/ | grep -v \"$C\"); "
	         "$B call org.tapix.Tapix1 $I org.tapix.Call1 Answer ay 0; "
	         "$B get-property org.tapix.Tapix1 $C org.tapix.Call1 State "
	         "| grep -q connected; "
	         "$B call org.tapix.Tapix1 $C org.tapix.Call1 Drop ay 2 1 2; "
	         "$B get-property org.tapix.Tapix1 $I org.tapix.Call1 "
	         "DisconnectMode DisconnectModeCode | tr '\\n' ' ' "
	         "| grep -q 's \"normal\" u 1'; "
	         "$B call org.tapix.Tapix1 $C org.tapix.Call1 Deallocate; "
	         "$B call org.tapix.Tapix1 $I org.tapix.Call1 Deallocate",
	         addr);
	assert_int_equal(system(cmd), 0);
	/* docs/service.md "Observing is not holding": the calls a D-Bus
	 * user took part in stay until Deallocate(); then nothing is left */
	wait_counts_equal(before);
}

/*
 * docs/service.md "Line and Call objects"; issue 15 — a call a D-Bus user
 * made (tapixd owns it on the user's behalf) and dropped, and that nobody
 * deallocates: its object goes by itself after IDLE (a minute; 300 ms
 * here through the test hooks), the call with it, and tapixd holds
 * nothing of it. Dropped by a busctl that exits: nothing waits for it.
 */
static void test_dbus_owned_call_goes_after_idle(void **s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	uint64_t before[9], esp0[4], esp1[4];
	char cmd[1024];

	(void)s;
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Test1", "SetIdleKeep", &err,
	                               NULL, "t", (uint64_t)300) >= 0);
	service_counts(before);
	esp_counters(esp0);
	snprintf(cmd, sizeof(cmd),
	         "set -e; B='timeout 10 busctl --address=%s'; "
	         "C=$($B call org.tapix.Tapix1 " ROOT "/Line/0 org.tapix.Line1 "
	         "MakeCall say answer 0 | cut -d'\"' -f2); "
	         "sleep 0.2; "
	         "$B call org.tapix.Tapix1 $C org.tapix.Call1 Drop ay 0",
	         addr);
	assert_int_equal(system(cmd), 0);
	wait_log("its object goes");
	wait_counts_equal(before);
	esp_counters(esp1);
	assert_int_equal(esp1[2] - esp0[2], 1);
	assert_int_equal(esp1[0] - esp0[0], 1); /* closed once */
	assert_int_equal(esp1[1], esp0[1]);
}

/* What a client heard of call @want (test_standard_signals). */
struct heard {
	const char *want;
	bool added, added_state, connected, active, removed, directed;
};

static int on_standard(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct heard *h = userdata;
	const char *member = sd_bus_message_get_member(m);
	const char *dest = sd_bus_message_get_destination(m);
	const char *path = NULL, *iface = NULL, *name;

	(void)e;
	if (!member || !sd_bus_message_is_signal(m, NULL, NULL))
		return 0;
	if (dest)
		h->directed = true;
	if (strcmp(member, "InterfacesAdded") == 0 ||
	    strcmp(member, "InterfacesRemoved") == 0) {
		if (sd_bus_message_read(m, "o", &path) < 0 ||
		    strcmp(path, h->want) != 0)
			return 0;
		if (member[10] == 'R') {
			h->removed = true;
			return 0;
		}
		h->added = true;
		/* a{sa{sv}}: Call1 with its State */
		if (sd_bus_message_enter_container(m, 'a', "{sa{sv}}") > 0 &&
		    sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0 &&
		    sd_bus_message_read(m, "s", &iface) >= 0 &&
		    strcmp(iface, "org.tapix.Call1") == 0 &&
		    sd_bus_message_enter_container(m, 'a', "{sv}") > 0) {
			while (sd_bus_message_enter_container(m, 'e', "sv") >
			       0) {
				if (sd_bus_message_read(m, "s", &name) < 0)
					break;
				if (strcmp(name, "State") == 0)
					h->added_state = true;
				sd_bus_message_skip(m, "v");
				sd_bus_message_exit_container(m);
			}
		}
		return 0;
	}
	if (strcmp(member, "PropertiesChanged") == 0 &&
	    strcmp(sd_bus_message_get_path(m), h->want) == 0 &&
	    sd_bus_message_read(m, "s", &iface) >= 0 &&
	    strcmp(iface, "org.tapix.Call1") == 0 &&
	    sd_bus_message_enter_container(m, 'a', "{sv}") > 0) {
		while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
			const char *v = NULL;

			if (sd_bus_message_read(m, "s", &name) < 0)
				break;
			if (strcmp(name, "State") == 0 &&
			    sd_bus_message_read(m, "v", "s", &v) >= 0 &&
			    strcmp(v, "connected") == 0)
				h->connected = true;
			/* the state's mode in words (issue 18 item 5) */
			else if (strcmp(name, "StateDetail") == 0 &&
			         sd_bus_message_read(m, "v", "s", &v) >= 0 &&
			         strcmp(v, "active") == 0)
				h->active = true;
			else
				sd_bus_message_skip(m, "v");
			sd_bus_message_exit_container(m);
		}
	}
	return 0;
}

/* Processes @b until @flag or 10 s. */
static void pump_until(sd_bus *b, const bool *flag)
{
	unsigned i;

	for (i = 0; i < 1000 && !*flag; i++) {
		if (sd_bus_process(b, NULL) > 0)
			continue;
		sd_bus_wait(b, 10000);
	}
	assert_true(*flag);
}

/*
 * Issue 5 §2, issue 18 item 5 — as NetworkManager's and ModemManager's: a
 * stock client that only asked the bus for tapixd's signals (a match, as
 * gdbus monitor or an ObjectManager client has; no Watch()) hears the
 * standard ones — InterfacesAdded for a new call (its properties with
 * it), PropertiesChanged when its state changes (StateDetail in words),
 * InterfacesRemoved when it goes — broadcast, on lines every user may see
 * (here: no access rules).
 */
static void test_standard_signals(void **s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	sd_bus_slot *slot = NULL;
	struct heard h;
	const char *c = NULL, *p;
	char made[80], in[80] = "";
	uint64_t before[9];

	(void)s;
	memset(&h, 0, sizeof(h));
	service_counts(before);
	assert_true(sd_bus_add_match(bus, &slot,
	                             "type='signal',sender='org.tapix.Tapix1'",
	                             on_standard, &h) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT "/Line/0",
	                               "org.tapix.Line1", "MakeCall", &err, &r,
	                               "say", "101", 0) >= 0);
	assert_true(sd_bus_message_read(r, "o", &c) >= 0);
	snprintf(made, sizeof(made), "%s", c);
	r = sd_bus_message_unref(r);
	h.want = made;
	pump_until(bus, &h.added);
	assert_true(h.added_state);
	/* the offered call, and its answer */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Telephony1", "GetCalls", &err,
	                               &r, "") >= 0);
	assert_true(sd_bus_message_enter_container(r, 'a', "o") > 0);
	while (sd_bus_message_read(r, "o", &p) > 0)
		if (strcmp(p, made) != 0)
			snprintf(in, sizeof(in), "%s", p);
	r = sd_bus_message_unref(r);
	assert_true(in[0] != '\0');
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", in,
	                               "org.tapix.Call1", "Answer", &err, NULL,
	                               "ay", 0) >= 0);
	pump_until(bus, &h.connected);
	assert_true(h.active); /* (in the same PropertiesChanged) */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Drop", &err, NULL,
	                               "ay", 0) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Deallocate", &err,
	                               NULL, "") >= 0);
	pump_until(bus, &h.removed);
	assert_false(h.directed); /* broadcast, for anyone who asks */
	/* the answered end, which the far end's drop disconnected */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", in,
	                               "org.tapix.Call1", "Drop", &err, NULL,
	                               "ay", 0) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", in,
	                               "org.tapix.Call1", "Deallocate", &err,
	                               NULL, "") >= 0);
	wait_counts_equal(before);
	sd_bus_error_free(&err);
	sd_bus_slot_unref(slot);
}

/*
 * Issue 18 item 5 — a D-Bus error says in words what went wrong; its name
 * stays the LINEERR_ constant's (org.tapix.Error.INVALCALLSTATE), and the
 * message names the constant too.
 */
static void test_errors_say_what_went_wrong(void **s)
{
	static uint8_t big[4097];
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL, *m = NULL;
	const char *c = NULL;
	char made[80];

	(void)s;
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT "/Line/0",
	                               "org.tapix.Line1", "MakeCall", &err, &r,
	                               "say", "101", 0) >= 0);
	assert_true(sd_bus_message_read(r, "o", &c) >= 0);
	snprintf(made, sizeof(made), "%s", c);
	r = sd_bus_message_unref(r);
	/* answering one's own outgoing call: a LINE_REPLY's error */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Answer", &err, NULL,
	                               "ay", 0) < 0);
	assert_string_equal(err.name, "org.tapix.Error.INVALCALLSTATE");
	assert_non_null(strstr(err.message, "the call is not in a state that "
	                                    "allows this"));
	assert_non_null(strstr(err.message, "(LINEERR_INVALCALLSTATE)"));
	sd_bus_error_free(&err);
	/* a conference with a call that is not one: refused at once */
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "AddToConference",
	                               &err, NULL, "o",
	                               ROOT "/Call/00000000") < 0);
	assert_string_equal(err.name, "org.tapix.Error.INVALCALLHANDLE");
	assert_non_null(strstr(err.message, "the call handle is not valid"));
	sd_bus_error_free(&err);
	/* too much user-user information */
	assert_true(sd_bus_message_new_method_call(bus, &m, "org.tapix.Tapix1",
	                                           made, "org.tapix.Call1",
	                                           "Drop") >= 0);
	assert_true(sd_bus_message_append_array(m, 'y', big, sizeof(big)) >= 0);
	assert_true(sd_bus_call(bus, m, 0, &err, NULL) < 0);
	m = sd_bus_message_unref(m);
	assert_string_equal(err.name, SD_BUS_ERROR_INVALID_ARGS);
	assert_non_null(strstr(err.message, "4097 bytes long: at most 4096"));
	sd_bus_error_free(&err);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Drop", &err, NULL,
	                               "ay", 0) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Deallocate", &err,
	                               NULL, "") >= 0);
}

/* A signal heard by listener_as_nobody: its destination ("-" when
 * broadcast) and sd-bus's dump of it, one line, to the descriptor
 * *@userdata. */
static int on_any_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *dest = sd_bus_message_get_destination(m);
	int *fd = userdata;
	char *text = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&text, &n);

	(void)e;
	if (!f)
		_exit(5);
	fprintf(f, "%s ", dest ? dest : "-");
	sd_bus_message_dump(m, f, SD_BUS_MESSAGE_DUMP_WITH_HEADER);
	fputc('\n', f);
	fclose(f);
	for (i = 0; i + 1 < n; i++)
		if (text[i] == '\n')
			text[i] = ' ';
	if (write(*fd, text, n) != (ssize_t)n)
		_exit(6);
	free(text);
	return 0;
}

/*
 * A client as nobody (forked) that asks the bus for every signal of
 * tapixd (the match gdbus monitor and ObjectManager clients add) and, with
 * @watch, calls Watch() too. It writes "ready" to @out, then each signal it
 * hears as a line (on_any_signal), until @go is readable; it closes the
 * parent's ends of the pipes first.
 */
static pid_t listener_as_nobody(bool watch, int out, int go,
                                int parents_ends[2])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		sd_bus *b;

		close(parents_ends[0]);
		close(parents_ends[1]);
		alarm(LIMIT_S); /* whatever happens to the test */
		if (setgroups(0, NULL) != 0 ||
		    setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) != 0)
			_exit(2);
		if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, addr) < 0 ||
		    sd_bus_set_bus_client(b, 1) < 0 || sd_bus_start(b) < 0 ||
		    sd_bus_add_match(b, NULL,
		                     "type='signal',sender='org.tapix.Tapix1'",
		                     on_any_signal, &out) < 0 ||
		    (watch && sd_bus_call_method(b, "org.tapix.Tapix1", ROOT,
		                                 "org.tapix.Telephony1",
		                                 "Watch", NULL, NULL, "") < 0))
			_exit(3);
		if (write(out, "ready\n", 6) != 6)
			_exit(4);
		for (;;) {
			struct pollfd p = {.fd = go, .events = POLLIN};
			int e;

			while ((e = sd_bus_process(b, NULL)) > 0)
				;
			if (e < 0 || poll(&p, 1, 0) != 0)
				_exit(0);
			if (sd_bus_wait(b, 20000) < 0)
				_exit(0);
		}
	}
	return pid;
}

/* Appends the lines read from @fd to @all until one holds @a and @b
 * (bounded: STEP_MS without a line); whether it came. */
static bool heard_until(int fd, char *all, size_t size, const char *a,
                        const char *b)
{
	static char line[16384];

	while (proc_read_line(fd, line, sizeof(line), STEP_MS)) {
		size_t n = strlen(all);

		snprintf(all + n, size - n, "%s\n", line);
		if (strstr(line, a) && strstr(line, b))
			return true;
	}
	return false;
}

/* What root's watcher heard of calls @made (restricted) and @pub. */
struct root_heard {
	const char *me, *made, *pub;
	unsigned made_added, pub_added;
	bool made_directed, pub_broadcast, pub_removed;
};

static int on_root_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct root_heard *h = userdata;
	const char *dest = sd_bus_message_get_destination(m), *path = NULL;
	bool added;

	(void)e;
	if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.ObjectManager",
	                              NULL) ||
	    sd_bus_message_read(m, "o", &path) < 0)
		return 0;
	added = strcmp(sd_bus_message_get_member(m), "InterfacesAdded") == 0;
	if (added && strcmp(path, h->made) == 0) {
		h->made_added++;
		h->made_directed = dest && strcmp(dest, h->me) == 0;
	} else if (added && strcmp(path, h->pub) == 0) {
		h->pub_added++;
		h->pub_broadcast = !dest;
	} else if (!added && strcmp(path, h->pub) == 0) {
		h->pub_removed = true;
	}
	return 0;
}

/* A call on @line to @to by D-Bus, answered at the far end, dropped and
 * both objects deallocated: the paths of the two in @made and @offered. */
static void dbus_call_through(const char *line, const char *to, char *made,
                              char *offered, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *c = NULL, *p;

	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", line,
	                               "org.tapix.Line1", "MakeCall", &err, &r,
	                               "say", to, 0) >= 0);
	assert_true(sd_bus_message_read(r, "o", &c) >= 0);
	snprintf(made, size, "%s", c);
	r = sd_bus_message_unref(r);
	offered[0] = '\0';
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Telephony1", "GetCalls", &err,
	                               &r, "") >= 0);
	assert_true(sd_bus_message_enter_container(r, 'a', "o") > 0);
	while (sd_bus_message_read(r, "o", &p) > 0)
		if (strcmp(p, made) != 0)
			snprintf(offered, size, "%s", p);
	r = sd_bus_message_unref(r);
	assert_true(offered[0] != '\0');
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", offered,
	                               "org.tapix.Call1", "Answer", &err, NULL,
	                               "ay", 0) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Drop", &err, NULL,
	                               "ay", 0) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", made,
	                               "org.tapix.Call1", "Deallocate", &err,
	                               NULL, "") >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", offered,
	                               "org.tapix.Call1", "Deallocate", &err,
	                               NULL, "") >= 0);
	sd_bus_error_free(&err);
}

/* What another user must not learn of root's call 100 -> 101: its objects,
 * its lines' objects, its numbers (as sd-bus's dump and gdbus quote
 * them). */
static void learnt_nothing_of(const char *text, const char *made,
                              const char *offered)
{
	static const char *const secrets[] = {
		ROOT "/Line/0", ROOT "/Line/1", "\"100\"",
		"\"101\"",      "'100'",        "'101'",
	};
	size_t i;

	assert_null(strstr(text, made));
	assert_null(strstr(text, offered));
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(text, secrets[i])) {
			print_error("another user heard %s\n", secrets[i]);
			fail();
		}
}

/*
 * Issue 18 item 5 — who hears what (docs/service.md): lines 0 and 1 are
 * root's only, 2 and 3 everyone's. Another user (nobody) hears the calls
 * of lines 2 and 3 come and go, broadcast — with a match alone (as gdbus
 * monitor, when installed, which runs too), or having called Watch() —
 * but nothing of root's call on lines 0 and 1: not its objects, not its
 * numbers, although it was made first. Root's watcher hears that one sent
 * to it alone, and each broadcast once.
 */
static void test_broadcasts_keep_restricted_lines_private(void **s)
{
	static char heard[3][65536];
	char made[80], offered[80], pub[80], pub_in[80], gdbus_arg[160];
	struct root_heard rh;
	sd_bus_slot *slot = NULL;
	int out[2][2], go[2], gfd = -1;
	pid_t kid[2], gpid = 0;
	char line[256];
	unsigned i;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	proc_kill(tapixd_pid);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	             "[tapixd]\nallow = all\n[line 0]\nallow = uid:0\n"
	             "[line 1]\nallow = uid:0\n");
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < 2; i++) {
		int mine[2];

		assert_int_equal(pipe(out[i]), 0);
		mine[0] = out[i][0];
		mine[1] = go[1];
		kid[i] = listener_as_nobody(i == 1, out[i][1], go[0], mine);
		close(out[i][1]);
		assert_true(
			proc_read_line(out[i][0], line, sizeof(line), STEP_MS));
		assert_string_equal(line, "ready");
	}
	close(go[0]);
	if (proc_have("gdbus")) {
		const char *argv[12] = {"setpriv",
		                        "--reuid=65534",
		                        "--regid=65534",
		                        "--clear-groups",
		                        "gdbus",
		                        "monitor",
		                        gdbus_arg,
		                        "--dest",
		                        "org.tapix.Tapix1",
		                        NULL};

		snprintf(gdbus_arg, sizeof(gdbus_arg), "--address=%s", addr);
		gpid = proc_start_pipe(&gfd, LIMIT_S, argv);
		/* its match is made before it asks who owns the name */
		heard[2][0] = '\0';
		assert_true(heard_until(gfd, heard[2], sizeof(heard[2]),
		                        "is owned by", ""));
	} else {
		print_message("gdbus is not installed: not run\n");
	}
	/* root: a watcher too */
	memset(&rh, 0, sizeof(rh));
	assert_true(sd_bus_get_unique_name(bus, &rh.me) >= 0);
	rh.made = made;
	rh.pub = pub;
	made[0] = pub[0] = '\0';
	assert_true(sd_bus_add_match(bus, &slot,
	                             "type='signal',sender='org.tapix.Tapix1'",
	                             on_root_signal, &rh) >= 0);
	assert_true(sd_bus_call_method(bus, "org.tapix.Tapix1", ROOT,
	                               "org.tapix.Telephony1", "Watch", NULL,
	                               NULL, "") >= 0);
	/* root's call 100 -> 101, then one 102 -> 103 */
	dbus_call_through(ROOT "/Line/0", "101", made, offered, sizeof(made));
	dbus_call_through(ROOT "/Line/2", "103", pub, pub_in, sizeof(pub));
	pump_until(bus, &rh.pub_removed);
	assert_int_equal(rh.made_added, 1);
	assert_true(rh.made_directed);
	assert_int_equal(rh.pub_added, 1);
	assert_true(rh.pub_broadcast);
	/* nobody heard the second call go (so the first came before, if at
	 * all: one sender's signals keep their order) */
	for (i = 0; i < 2; i++) {
		heard[i][0] = '\0';
		assert_true(heard_until(out[i][0], heard[i], sizeof(heard[i]),
		                        "InterfacesRemoved", pub_in));
		assert_non_null(strstr(heard[i], "InterfacesAdded"));
		assert_non_null(strstr(heard[i], pub));
		assert_non_null(strstr(heard[i], "\"103\""));
		learnt_nothing_of(heard[i], made, offered);
	}
	if (gpid) {
		assert_true(heard_until(gfd, heard[2], sizeof(heard[2]),
		                        "InterfacesRemoved", pub_in));
		assert_non_null(strstr(heard[2], pub));
		assert_non_null(strstr(heard[2], "'103'"));
		learnt_nothing_of(heard[2], made, offered);
		proc_kill(gpid);
		close(gfd);
	}
	if (write(go[1], "x", 1) != 1)
		fail();
	for (i = 0; i < 2; i++) {
		assert_int_equal(proc_wait(kid[i], 5000), 0);
		close(out[i][0]);
	}
	close(go[1]);
	sd_bus_slot_unref(slot);
}

/* A registrar on UDP 127.0.0.1:@port (a socket bound before tapixd
 * starts). */
static int registrar_socket(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Answers the first REGISTER that comes to @fd (bounded) with "403
 * Forbidden", its Via, From, To (tagged), Call-ID and CSeq copied. */
static void refuse_register(int fd)
{
	static const char *const copied[] = {
		"via:", "v:", "from:", "f:", "call-id:", "i:", "cseq:"};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char req[8192], resp[8192], *line, *save = NULL;
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	size_t used;
	ssize_t n;
	unsigned i;

	assert_int_equal(poll(&p, 1, STEP_MS), 1);
	n = recvfrom(fd, req, sizeof(req) - 1, 0, (struct sockaddr *)&from,
	             &flen);
	assert_true(n > 0);
	req[n] = '\0';
	assert_true(strncmp(req, "REGISTER ", 9) == 0);
	used = (size_t)snprintf(resp, sizeof(resp),
	                        "SIP/2.0 403 Forbidden\r\n");
	for (line = strtok_r(req, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
			if (strncasecmp(line, copied[i], strlen(copied[i])) ==
			    0)
				used += (size_t)snprintf(resp + used,
				                         sizeof(resp) - used,
				                         "%s\r\n", line);
		if (strncasecmp(line, "to:", 3) == 0 ||
		    strncasecmp(line, "t:", 2) == 0)
			used += (size_t)snprintf(resp + used,
			                         sizeof(resp) - used,
			                         "%s;tag=refused\r\n", line);
	}
	used += (size_t)snprintf(resp + used, sizeof(resp) - used,
	                         "Content-Length: 0\r\n\r\n");
	assert_true(used < sizeof(resp));
	assert_int_equal(
		sendto(fd, resp, used, 0, (struct sockaddr *)&from, flen),
		(ssize_t)used);
}

/* PropertiesChanged of Line1 on .../Line/0 with Registration "failed". */
static int on_registration(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *iface = NULL, *name, *v;
	bool *failed = userdata;

	(void)e;
	if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus.Properties",
	                              "PropertiesChanged") ||
	    strcmp(sd_bus_message_get_path(m), ROOT "/Line/0") != 0 ||
	    sd_bus_message_read(m, "s", &iface) < 0 ||
	    strcmp(iface, "org.tapix.Line1") != 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0 &&
	       sd_bus_message_read(m, "s", &name) >= 0) {
		if (strcmp(name, "Registration") == 0 &&
		    sd_bus_message_read(m, "v", "s", &v) >= 0)
			*failed = strcmp(v, "failed") == 0;
		else
			sd_bus_message_skip(m, "v");
		sd_bus_message_exit_container(m);
	}
	return 0;
}

/* A string property of line 0. */
static void line0_is(const char *prop, const char *want)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char *v = NULL;

	assert_true(sd_bus_get_property_string(
			    bus, "org.tapix.Tapix1", ROOT "/Line/0",
			    "org.tapix.Line1", prop, &err, &v) >= 0);
	assert_string_equal(v, want);
	free(v);
}

/*
 * Issue 18 item 5 — a SIP line shows its registration: "registering"
 * while the REGISTER is out; when the registrar refuses it (403), the line
 * is out of service, Registration "failed" (told by PropertiesChanged)
 * and RegistrationError "403 Forbidden" (tapix-sip(7): from LINEDEVSTATUS's
 * device-specific part, after LINE_LINEDEVSTATE(OUTOFSERVICE)).
 */
static void test_sip_registration_on_line(void **s)
{
	const unsigned port = 25600; /* the account; the registrar next */
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_slot *slot = NULL;
	char conf[512], out[4096];
	bool failed = false;
	int in, fd;

	(void)s;
	fd = registrar_socket(port + 1);
	proc_kill(tapixd_pid);
	snprintf(conf, sizeof(conf),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n"
	         "[sip.a]\naor = sip:tapix@127.0.0.1\n"
	         "registrar = sip:127.0.0.1:%u\nlocal = 127.0.0.1:%u\n",
	         port + 1, port);
	start_tapixd(conf);
	assert_true(sd_bus_add_match(bus, &slot,
	                             "type='signal',sender='org.tapix.Tapix1'",
	                             on_registration, &failed) >= 0);
	line0_is("Registration", "registering");
	line0_is("RegistrationError", "");
	refuse_register(fd);
	pump_until(bus, &failed);
	line0_is("Registration", "failed");
	line0_is("RegistrationError", "403 Forbidden");
	assert_true(sd_bus_get_property_trivial(bus, "org.tapix.Tapix1",
	                                        ROOT "/Line/0",
	                                        "org.tapix.Line1", "InService",
	                                        &err, 'b', &in) >= 0);
	assert_false(in);
	/* tapictl shows it */
	assert_int_equal(tapictl("show 0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, shown("Registration:", LINE_W, "failed")));
	assert_non_null(strstr(
		out, shown("RegistrationError:", LINE_W, "403 Forbidden")));
	sd_bus_slot_unref(slot);
	close(fd);
}

/*
 * Issue 5 §3, §6 — a client's messages come from tapixd only: another peer
 * of the bus can send signals to the client's bus name, but a Messages
 * signal it forges (here a LINE_LINEDEVSTATE for the client's
 * registration) is not delivered; tapixd's own still are.
 */
static void test_forged_messages_are_ignored(void **s)
{
	char want[64], name[64] = "", buf[65536];
	sd_bus_message *m = NULL;
	struct fx_app a;
	HLINE l0;
	HCALL c;
	size_t n;
	FILE *f;
	char *p;

	(void)s;
	proc_kill(tapixd_pid);
	peer_arg = "--peer=none"; /* the client on the bus */
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	fx_app_init(&a, "target");
	/* the client's bus name, from tapixd's log */
	snprintf(want, sizeof(want), "app %08x: registered for ", a.h);
	f = fopen(tlog, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, want);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(want), "%63s", name), 1);
	assert_true(name[0] == ':');
	assert_true(sd_bus_message_new_signal(bus, &m, ROOT, "org.tapix.Tapi1",
	                                      "Messages") >= 0);
	assert_true(sd_bus_message_set_destination(m, name) >= 0);
	assert_true(sd_bus_message_open_container(m, 'a', "(uuuttttuuau)") >=
	            0);
	assert_true(sd_bus_message_append(
			    m, "(uuuttttuuau)", a.h, 0, LINE_LINEDEVSTATE,
			    (uint64_t)0, (uint64_t)LINEDEVSTATE_REINIT,
			    (uint64_t)0, (uint64_t)0, 0, 0, 0) >= 0);
	assert_true(sd_bus_message_close_container(m) >= 0);
	assert_true(sd_bus_send(bus, m, NULL) >= 0);
	assert_true(sd_bus_flush(bus) >= 0); /* out now, not queued */
	sd_bus_message_unref(m);
	/* what tapixd sends comes; what was forged does not */
	l0 = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l0, &c, "101", 0, NULL)), 0);
	assert_int_equal(fx_reply(&a, lineDrop(c, NULL, 0)), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_pump(&a);
	{
		unsigned i;

		for (i = 0; i < a.nseen; i++)
			assert_int_not_equal(a.seen[i].dwMessageID,
			                     LINE_LINEDEVSTATE);
	}
	assert_int_equal(lineClose(l0), 0);
	fx_shutdown(&a);
}

/*
 * Issue 5 §1 — SIGTERM: every registration is shut down (its call
 * dropped), the providers stop, tapixd exits 0.
 */
static void test_sigterm_stops_cleanly(void **s)
{
	const char *args[] = {"call", "0", "answer", NULL};
	struct helper c;

	(void)s;
	c = helper(args);
	expect_line(&c, "ready");
	expect_line(&c, "connected");
	kill(tapixd_pid, SIGTERM);
	assert_int_equal(proc_wait(tapixd_pid, 20000), 0);
	assert_true(log_has(tlog, "session ended"));
	helper_end(&c);
}

/*
 * Issue 5 §3 — tapixd leaving the bus voids the registrations it served
 * (LINE_LINEDEVSTATE REINIT; lineShutdown still succeeds), and only
 * those: once they are shut down, a registration with its successor works
 * and gets no REINIT. Before, lineInitializeEx fails with LINEERR_REINIT.
 */
static void gone_tapixd_only(void)
{
	struct fx_app a, b;
	HLINE l;

	fx_app_init(&a, "old");
	proc_kill(tapixd_pid); /* SIGKILL */
	fx_wait(&a, LINE_LINEDEVSTATE, 0, LINEDEVSTATE_REINIT);
	start_tapixd("[tapix]\nproviders = esp\n[esp]\nlines = 4\n");
	/* tapi-functions.md §1 — a reinitialization is pending until the
	 * void registration is shut down (the new tapixd would give the
	 * new one the old one's handle) */
	assert_int_equal(fx_app_try_init(&b, "new", 0x00020002),
	                 LINEERR_REINIT);
	fx_shutdown(&a);
	fx_app_init(&b, "new");
	l = fx_open(&b, 0, LINECALLPRIVILEGE_NONE, 0);
	sleep_ms(300);
	fx_pump(&b);
	fx_expect_none(&b);
	assert_int_equal(lineClose(l), 0);
	fx_shutdown(&b);
}

static void test_registrations_of_a_gone_tapixd_only(void **s)
{
	(void)s;
	gone_tapixd_only();
}

/* The same through the bus daemon (tapixd --peer=none): the client hears
 * that tapixd's name changed owner. */
static void test_registrations_of_a_gone_tapixd_only_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	gone_tapixd_only();
}

#define UNWRITTEN 0x5a5a5a5au /* an lphCall nobody may write */

/* The processor time (ms) this process uses over @ms of waiting. */
static long cpu_ms_over(unsigned ms)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	sleep_ms(ms);
	getrusage(RUSAGE_SELF, &b);
	return (b.ru_utime.tv_sec - a.ru_utime.tv_sec) * 1000L +
	       (b.ru_utime.tv_usec - a.ru_utime.tv_usec) / 1000 +
	       (b.ru_stime.tv_sec - a.ru_stime.tv_sec) * 1000L +
	       (b.ru_stime.tv_usec - a.ru_stime.tv_usec) / 1000;
}

/* The threads of this process. */
static unsigned threads_of_self(void)
{
	struct dirent *e;
	unsigned n = 0;
	DIR *d = opendir("/proc/self/task");

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * docs/service.md "When tapixd goes"; tapi-functions.md §1, §2;
 * termination.md §6 — what an application sees when tapixd stops (@kill9:
 * SIGKILL, else SIGTERM, after which tapixd exits 0) while it has line 0
 * open, a connected call and a lineMakeCall pending (and a TAPI 3 session
 * with a connected call): LINE_LINEDEVSTATE(REINIT), nothing else about
 * the call or the request (no LINE_REPLY; its lphCall is never written),
 * lineInitializeEx fails with LINEERR_REINIT until it has called
 * lineShutdown, which succeeds; and then the process holds nothing of
 * client mode (tapix_live_get: no registration, request, connection, nor
 * its reader thread).
 */
static void tapixd_stops_under_a_client(bool kill9)
{
	struct tapix_address **addrs = NULL;
	struct tapix_call *t3call = NULL;
	struct tapix_tapi *t3 = NULL;
	struct tapix_live live, none;
	struct fx_app a, b;
	HLINE l;
	HCALL c = 0, p = UNWRITTEN;
	unsigned threads = threads_of_self();
	LINEMESSAGE m;
	size_t n = 0;
	LONG req;

	/* a TAPI 3 session with a connected call */
	assert_int_equal(tapix_tapi_initialize(&t3, "tapi3 left behind"), S_OK);
	assert_int_equal(tapix_tapi_enum_addresses(t3, &addrs, &n), S_OK);
	assert_true(n >= 3);
	assert_int_equal(tapix_address_create_call(addrs[2], "answer",
	                                           LINEADDRESSTYPE_PHONENUMBER,
	                                           TAPIMEDIATYPE_AUDIO,
	                                           &t3call),
	                 S_OK);
	free(addrs);
	assert_int_equal(tapix_call_connect(t3call, true), S_OK);
	fx_app_init(&a, "left behind");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_int_equal(fx_reply(&a, lineMakeCall(l, &c, "answer", 0, NULL)),
	                 0);
	fx_wait(&a, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	req = lineMakeCall(l, &p, "slow:60000/answer", 0, NULL);
	assert_true(req > 0);
	sleep_ms(100);
	fx_consume_all(&a);
	if (kill9) {
		proc_kill(tapixd_pid);
	} else {
		assert_int_equal(kill(tapixd_pid, SIGTERM), 0);
		assert_int_equal(proc_wait(tapixd_pid, 20000), 0);
	}
	m = fx_wait(&a, LINE_LINEDEVSTATE, 0, LINEDEVSTATE_REINIT);
	assert_int_equal(m.hDevice, 0);
	assert_int_equal(m.dwParam2, 0); /* a real one: shut down soon */
	/*
	 * Issue 19 item 10 — with the registration still held, nothing of
	 * the client spins on the dead connection: over a second the process
	 * uses (far) less than a fifth of a second of processor (it used all
	 * of one: its reader woke for the hung-up socket for ever).
	 */
	assert_true(cpu_ms_over(1000) < 200);
	sleep_ms(100);
	fx_pump(&a);
	fx_expect_none(&a);
	assert_false(fx_has_reply(&a, req));
	assert_int_equal(p, UNWRITTEN);
	/* its handles are void: the call cannot be dropped any more */
	assert_true(lineDrop(c, NULL, 0) < 0);
	/* tapi-functions.md §1, §5: no new registration, no open, while one
	 * is void */
	assert_int_equal(fx_app_try_init(&b, "other", 0x00020002),
	                 LINEERR_REINIT);
	assert_int_equal(lineOpen(a.h, 1, &l, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_REINIT);
	fx_shutdown(&a);
	assert_int_equal(p, UNWRITTEN);
	/* the TAPI 3 layer's registration too (it hears no TE_REINIT yet:
	 * src/tapi3 ignores LINEDEVSTATE_REINIT) */
	tapix_call_release(t3call);
	assert_int_equal(tapix_tapi_shutdown(t3), S_OK);
	tapix_live_get(&live);
	memset(&none, 0, sizeof(none));
	assert_memory_equal(&live, &none, sizeof(live));
	assert_int_equal(threads_of_self(), threads); /* no reader left */
}

static void test_client_sees_tapixd_terminated(void **s)
{
	(void)s;
	tapixd_stops_under_a_client(false);
}

static void test_client_sees_tapixd_killed(void **s)
{
	(void)s;
	tapixd_stops_under_a_client(true);
}

static void test_client_sees_tapixd_terminated_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	tapixd_stops_under_a_client(false);
}

static void test_client_sees_tapixd_killed_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	tapixd_stops_under_a_client(true);
}

/*
 * A child of fork() does not use its parent's channel: its lineDrop
 * fails (as any D-Bus call after fork) instead of dropping the parent's
 * call behind its back, its lineShutdown of the registration it
 * inherited succeeds, and the parent's own calls go on.
 */
static void test_channel_not_used_after_fork(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL c = 0;
	LONG id;
	pid_t kid;
	int st = 0;

	(void)s;
	fx_app_init(&a, "parent");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &c, "101", 0, NULL);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	kid = fork();
	assert_true(kid >= 0);
	/* the child's lineShutdown succeeds: the registration is gone for
	 * it (its calls fail), and nothing of the parent's goes with it */
	if (kid == 0)
		_exit(lineDrop(c, NULL, 0) > 0 ? 1 : lineShutdown(a.h) ? 2 : 0);
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(fx_state(c), LINECALLSTATE_IDLE);
	id = lineDrop(c, NULL, 0);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_shutdown(&a);
}

/*
 * A child of fork() shares its parent's descriptors' open files: a child
 * that emptied its copy of a registration's queue read the parent's event
 * descriptor, and the parent's messages waited with it unreadable (an
 * application that polls it before lineGetMessage slept for ever). The
 * child now has descriptors of its own and none of the parent's messages:
 * after the child's lineGetMessage and lineShutdown, the parent's
 * descriptor is still readable and its message still there.
 */
static void test_child_leaves_the_parents_event_descriptor(void **s)
{
	struct pollfd p = {.events = POLLIN};
	struct fx_app a;
	LINEMESSAGE m;
	HLINE l;
	HCALL c = 0;
	LONG id;
	pid_t kid;
	int st = 0;

	(void)s;
	fx_app_init(&a, "parent");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &c, "101", 0, NULL);
	assert_true(id > 0);
	/* its reply waits, unread */
	p.fd = a.fd;
	assert_int_equal(poll(&p, 1, 5000), 1);
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		unsigned n = 0;

		while (lineGetMessage(a.h, &m, 0) == 0)
			n++;
		_exit(n ? 1 : lineShutdown(a.h) ? 2 : 0);
	}
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_int_equal(poll(&p, 1, 0), 1);
	/* (1: the child had messages of the parent's) */
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(fx_reply(&a, id), 0);
	id = lineDrop(c, NULL, 0);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&a, id), 0);
	assert_int_equal(lineDeallocateCall(c), 0);
	fx_shutdown(&a);
}

/* A lineMakeCall on another thread: its result when it returns. */
struct pending_make {
	pthread_t t;
	HLINE line;
	HCALL call;
	LONG r;
	bool done;
};

static void *make_call_main(void *arg)
{
	struct pending_make *p = arg;

	p->r = lineMakeCall(p->line, &p->call, "101", 0, NULL);
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Whether another thread set *@done within @ms. */
static bool done_within(const bool *done, unsigned ms)
{
	unsigned i;

	for (i = 0; i < ms / 10 && !__atomic_load_n(done, __ATOMIC_ACQUIRE);
	     i++)
		sleep_ms(10);
	return __atomic_load_n(done, __ATOMIC_ACQUIRE);
}

/* Whether @p returned within @ms. */
static bool make_call_returns(struct pending_make *p, unsigned ms)
{
	return done_within(&p->done, ms);
}

/*
 * Issue 5 §3 — a call through the channel waits for tapixd however long
 * it takes (here: stopped, then continued), and fails with
 * LINEERR_OPERATIONFAILED when tapixd dies meanwhile (the client sees its
 * connection close; it does not wait out the 60 s limit).
 */
static void test_channel_call_waits_for_tapixd_or_its_end(void **s)
{
	struct pending_make p = {0};
	struct fx_app a;

	(void)s;
	fx_app_init(&a, "patient");
	p.line = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	/* stopped (tapixd and its timeout(1), its process group): the call
	 * waits (asleep), and returns once it goes on */
	assert_int_equal(kill(-tapixd_pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&p.t, NULL, make_call_main, &p), 0);
	assert_false(make_call_returns(&p, 300));
	assert_int_equal(kill(-tapixd_pid, SIGCONT), 0);
	assert_true(make_call_returns(&p, STEP_MS));
	pthread_join(p.t, NULL);
	assert_true(p.r > 0);
	assert_int_equal(fx_reply(&a, p.r), 0);
	/* stopped, then killed: the call fails at once */
	memset(&p.t, 0, sizeof(p.t));
	p.done = false;
	assert_int_equal(kill(-tapixd_pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&p.t, NULL, make_call_main, &p), 0);
	assert_false(make_call_returns(&p, 300));
	proc_kill(tapixd_pid); /* SIGKILL */
	assert_true(make_call_returns(&p, STEP_MS));
	pthread_join(p.t, NULL);
	assert_int_equal(p.r, LINEERR_OPERATIONFAILED);
	fx_wait(&a, LINE_LINEDEVSTATE, 0, LINEDEVSTATE_REINIT);
	fx_shutdown(&a);
}

/* A lineGetMessage on another thread: its result when it returns. */
struct pending_get {
	pthread_t t;
	HLINEAPP app;
	LINEMESSAGE m;
	LONG r;
	bool done;
	bool until_invalid; /* again, for up to 5 s, until INVALAPPHANDLE */
};

static void *get_message_main(void *arg)
{
	struct pending_get *g = arg;
	unsigned i;

	for (i = 0; i < 500; i++) {
		g->r = lineGetMessage(g->app, &g->m, 0);
		if (!g->until_invalid || g->r == LINEERR_INVALAPPHANDLE)
			break;
		sleep_ms(10);
	}
	__atomic_store_n(&g->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The log sink is called with no tapix lock held (tapix.h), in client
 * mode too. When tapixd goes, the client's reader logs "registrations
 * are void" with the client's state lock held. Here the sink then waits
 * for a lock of the application's, which another thread holds while it
 * calls lineGetMessage (which needs the client's state lock): a deadlock
 * until lines logged under a lock waited for the lock to be let go
 * (util/loghold.h).
 */
static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sink_in;

static void locking_sink(enum tapix_log_level level, const char *module,
                         const char *line, void *arg)
{
	(void)level;
	(void)module;
	(void)arg;
	if (!strstr(line, "registrations are void"))
		return;
	__atomic_store_n(&sink_in, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&app_lock); /* the application's own lock */
	pthread_mutex_unlock(&app_lock);
}

static void test_log_sink_called_with_no_client_lock_held(void **s)
{
	struct pending_get g;
	struct fx_app a;
	bool in, got;

	(void)s;
	fx_app_init(&a, "sink");
	fx_consume_all(&a);
	memset(&g, 0, sizeof(g));
	g.app = a.h;
	sink_in = false;
	pthread_mutex_lock(&app_lock);
	tapix_log_set_sink(locking_sink, NULL);
	proc_kill(tapixd_pid);
	in = done_within(&sink_in, 10000);
	assert_int_equal(pthread_create(&g.t, NULL, get_message_main, &g), 0);
	got = done_within(&g.done, 5000);
	pthread_mutex_unlock(&app_lock);
	pthread_join(g.t, NULL);
	tapix_log_set_sink(NULL, NULL);

	assert_true(in);
	assert_true(got);
	/* what the reader queued before it let go of the lock */
	assert_int_equal(g.r, 0);
	assert_int_equal(g.m.dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(g.m.dwParam1, LINEDEVSTATE_REINIT);
	fx_shutdown(&a);
}

/* A lineDrop of p->call on another thread (struct pending_make). */
static void *drop_call_main(void *arg)
{
	struct pending_make *p = arg;

	p->r = lineDrop(p->call, NULL, 0);
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The test of the two below: with a message queued for the app, a call to
 * tapixd on one thread waits (tapixd stopped); lineGetMessage on another
 * thread returns that message meanwhile, within 5 s. (It used to wait for
 * the call: the client held one lock across it.)
 */
static void calls_hold_up_no_other_thread(void)
{
	struct pending_make p = {0};
	struct pending_get g = {0};
	struct pollfd pf;
	struct fx_app a;
	bool got, still_waiting;
	LONG id;

	fx_app_init(&a, "patient");
	p.line = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(p.line, &p.call, "101", 0, NULL);
	assert_true(id > 0);
	/* its messages are queued here (the eventfd is readable) */
	pf.fd = a.fd;
	pf.events = POLLIN;
	assert_int_equal(poll(&pf, 1, STEP_MS), 1);
	/* tapixd (and its timeout(1), its process group) stopped: this call
	 * waits for it */
	assert_int_equal(kill(-tapixd_pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&p.t, NULL, drop_call_main, &p), 0);
	assert_false(make_call_returns(&p, 300));
	g.app = a.h;
	assert_int_equal(pthread_create(&g.t, NULL, get_message_main, &g), 0);
	got = done_within(&g.done, 5000);
	still_waiting = !__atomic_load_n(&p.done, __ATOMIC_ACQUIRE);
	/* either way, tapixd goes on and both threads end before the checks */
	assert_int_equal(kill(-tapixd_pid, SIGCONT), 0);
	assert_true(make_call_returns(&p, STEP_MS));
	pthread_join(p.t, NULL);
	pthread_join(g.t, NULL);
	assert_true(got);
	assert_true(still_waiting);
	assert_int_equal(g.r, 0);
	assert_true(p.r > 0);
	assert_int_equal(fx_reply(&a, p.r), 0);
	fx_shutdown(&a);
}

/*
 * Issue 16 item 5 — no callout under a lock: a client thread waiting for
 * tapixd's answer (on the channel here) holds up no other thread of the
 * client that needs none, such as lineGetMessage with a message queued.
 */
static void test_call_waiting_for_tapixd_holds_up_no_other_thread(void **s)
{
	(void)s;
	calls_hold_up_no_other_thread();
}

/* The same through the bus daemon (tapixd --peer=none): the call waits in
 * sd_bus_call. */
static void test_call_waiting_for_tapixd_over_the_bus(void **s)
{
	(void)s;
	restart_bus_only();
	calls_hold_up_no_other_thread();
}

/*
 * A stand-in for tapixd on the test's bus (the test's own thread, its own
 * connection): it registers anyone (as 0x10001) and answers every other
 * method with LINEERR_OPERATIONUNAVAIL at once, but holds its answer to
 * the first GetDevCaps until the test releases it, or 10 s passed; then it
 * answers LINEERR_NODEVICE. When that GetDevCaps comes it sends two
 * LINE_LINEDEVSTATE (LINEDEVSTATE_OTHER, then LINEDEVSTATE_CONNECTED) to
 * the registration, in two signals.
 */
static void fake_no_device(sd_bus_message *held)
{
	sd_bus_reply_method_return(held, "i", (int32_t)LINEERR_NODEVICE);
}

/*
 * A LINE_LINEDEVSTATE for registration @app, in a signal of its own: of
 * open @line (its guard and line too; 0: of no open) with callback
 * instance @cbinst.
 */
static void fake_devstate(struct fake *f, uint32_t app, uint32_t line,
                          uint64_t cbinst, DWORD state)
{
	sd_bus_emit_signal(f->bus, "/org/tapix/Tapix1", "org.tapix.Tapi1",
	                   "Messages", "a(uuuttttuuau)", 1u, app, line,
	                   (uint32_t)LINE_LINEDEVSTATE, cbinst, (uint64_t)state,
	                   (uint64_t)0, (uint64_t)0, line, line, 0u);
}

/* Initialize's answer: registration @app, two devices. */
static void fake_init_reply(sd_bus_message *m, uint32_t app)
{
	sd_bus_reply_method_return(m, "iuuu", 0, app, 2u, 0x20002u);
}

static int fake_serve(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = sd_bus_message_get_member(m);

	(void)e;
	if (!sd_bus_message_is_method_call(m, "org.tapix.Tapi1", NULL))
		return 0;
	if (strcmp(member, "Peer") == 0) {
		sd_bus_reply_method_return(m, "s", ""); /* no direct one */
	} else if (strcmp(member, "Initialize") == 0) {
		fake_init_reply(m, 0x10001u);
	} else if (strcmp(member, "Shutdown") == 0) {
		sd_bus_reply_method_return(m, "i", 0);
	} else if (strcmp(member, "GetDevCaps") == 0 &&
	           !__atomic_load_n(&f->holding, __ATOMIC_ACQUIRE)) {
		fake_devstate(f, 0x10001u, 0, 0, LINEDEVSTATE_OTHER);
		fake_devstate(f, 0x10001u, 0, 0, LINEDEVSTATE_CONNECTED);
		fake_hold(f, m);
	} else {
		sd_bus_reply_method_return(m, "i",
		                           (int32_t)LINEERR_OPERATIONUNAVAIL);
		if (f->held && strcmp(member, "GetAddressCaps") == 0)
			f->other_first = true;
	}
	return 1;
}

/* A call on another thread (struct pending_caps). */
struct pending_caps {
	pthread_t t;
	HLINEAPP app;
	LINEDEVCAPS caps;
	LONG r;
	bool done;
};

static void *dev_caps_main(void *arg)
{
	struct pending_caps *p = arg;

	p->caps.dwTotalSize = sizeof(p->caps);
	p->r = lineGetDevCapsA(p->app, 0, 0x00020002, 0, &p->caps);
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * With a stand-in (fake_start) that holds the first GetDevCaps: a
 * registration named @name into *@h (its device count in *@ndevs), and
 * its lineGetDevCaps on another thread (@p), which the stand-in holds;
 * waits (bounded) until it does. Returns lineInitializeEx's result;
 * *@started says whether the thread runs. No check fails here (the
 * stand-in uses f).
 */
static LONG start_held_caps(struct fake *f, struct pending_caps *p,
                            const char *name, HLINEAPP *h, DWORD *ndevs,
                            bool *started)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ver = 0x00020002;
	unsigned i;
	LONG init;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	init = lineInitializeExA(h, NULL, NULL, name, ndevs, &ver, &ip);
	memset(p, 0, sizeof(*p));
	p->app = *h;
	*started =
		init == 0 && pthread_create(&p->t, NULL, dev_caps_main, p) == 0;
	for (i = 0; *started && i < 500 &&
	            !__atomic_load_n(&f->holding, __ATOMIC_ACQUIRE);
	     i++)
		sleep_ms(10);
	return init;
}

/*
 * Issue 16 item 5 — no lock across a call to tapixd: while one thread's
 * call waits for its answer, another thread's call goes to tapixd and
 * comes back, though messages came meanwhile. The stand-in answers the
 * first only when the second came back, or after 10 s: with the
 * connection held across the first (as it was), the second went only
 * after those 10 s, and came back after the first. The messages, sent
 * after the first call reached tapixd, are delivered once that call's
 * answer is read, in order (docs/service.md: as if the calls had gone one
 * after another).
 */
static void test_call_waiting_for_tapixd_holds_up_no_other_call(void **s)
{
	struct fake f;
	struct pending_caps p;
	LINEADDRESSCAPS ac;
	LINEMESSAGE early, later[2];
	DWORD n = 0;
	HLINEAPP h = 0;
	bool first_done = true, started = false;
	LONG init, r = 0, got_early = 0, got_later[2] = {-1, -1};
	unsigned i;

	(void)s;
	fake_start(&f, fake_serve, fake_no_device);

	/* (no check fails while the stand-in runs: it uses f) */
	init = start_held_caps(&f, &p, "one call at a time", &h, &n, &started);
	if (started) {
		memset(&ac, 0, sizeof(ac));
		ac.dwTotalSize = sizeof(ac);
		r = lineGetAddressCapsA(h, 0, 0, 0x00020002, 0, &ac);
		first_done = __atomic_load_n(&p.done, __ATOMIC_ACQUIRE);
		got_early = lineGetMessage(h, &early, 0);
		__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
		pthread_join(p.t, NULL);
		for (i = 0; i < 2; i++)
			got_later[i] = lineGetMessage(h, &later[i], 5000);
	}
	if (init == 0)
		lineShutdown(h);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_int_equal(n, 2);
	assert_true(started);
	assert_true(f.holding);
	assert_int_equal(r, LINEERR_OPERATIONUNAVAIL);
	/* the second came back while the first still waited */
	assert_false(first_done);
	assert_true(f.other_first);
	assert_int_equal(p.r, LINEERR_NODEVICE);
	/* the messages: not before the first call's answer, then in order */
	assert_int_equal(got_early, LINEERR_OPERATIONFAILED);
	assert_int_equal(got_later[0], 0);
	assert_int_equal(later[0].dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(later[0].dwParam1, LINEDEVSTATE_OTHER);
	assert_int_equal(got_later[1], 0);
	assert_int_equal(later[1].dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(later[1].dwParam1, LINEDEVSTATE_CONNECTED);
}

/* The heap in use: glibc's, or the sanitizer's allocator's (which
 * mallinfo2 does not see). */
static size_t heap_in_use(void)
{
#ifdef TEST_SANITIZED_HEAP
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

/* A Messages signal of @n LINE_LINEDEVSTATE (OUTOFSERVICE) for
 * registration 0x10001, sent by @b to @dest as tapixd's would be. */
static int spoof_messages(sd_bus *b, const char *dest, unsigned n)
{
	sd_bus_message *m = NULL;
	unsigned i;
	int e;

	e = sd_bus_message_new_signal(b, &m, "/org/tapix/Tapix1",
	                              "org.tapix.Tapi1", "Messages");
	if (e >= 0)
		e = sd_bus_message_set_destination(m, dest);
	if (e >= 0)
		e = sd_bus_message_open_container(m, 'a', "(uuuttttuuau)");
	for (i = 0; e >= 0 && i < n; i++)
		e = sd_bus_message_append(m, "(uuuttttuuau)", 0x10001u, 0u,
		                          (uint32_t)LINE_LINEDEVSTATE,
		                          (uint64_t)0,
		                          (uint64_t)LINEDEVSTATE_OUTOFSERVICE,
		                          (uint64_t)0, (uint64_t)0, 0u, 0u, 0u);
	if (e >= 0)
		e = sd_bus_message_close_container(m);
	if (e >= 0)
		e = sd_bus_send(b, m, NULL);
	sd_bus_message_unref(m);
	return e;
}

/*
 * On the bus any peer may send signals to a client's name. While a call
 * of the client waits for tapixd, tapixd's messages are held back (the
 * gate, docs/service.md); another peer's must not be: a stream of them
 * would be kept in the client's memory for as long as the call waits.
 * Nor may another peer's look-alike of the bus's NameOwnerChanged void
 * the registrations. A peer sends 3,000 signals of 40 messages each for
 * the registration while a call is held by the stand-in tapixd, then a
 * NameOwnerChanged saying tapixd left, then pings the client (its answer
 * comes once the client has read all before it). Held, the signals took
 * about 11 MB here; dropped, the heap moved by less than 20 KB.
 * Then the call is answered: only tapixd's two messages come, and the
 * registration still works.
 */
static void test_signals_of_other_peers_are_not_kept(void **s)
{
	struct fake f;
	struct pending_caps p;
	LINEADDRESSCAPS ac;
	LINEMESSAGE got[3];
	DWORD n = 0;
	HLINEAPP h = 0;
	char client[64] = "", tapixd[64] = "";
	sd_bus *peer = NULL;
	sd_bus_message *gone = NULL;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	size_t before = 0, after = 0;
	bool started = false, still_held = false;
	LONG init, r = -1, more = 0, rs[3] = {-1, -1, -1};
	int sent = -1, pinged = -1;
	unsigned i;

	(void)s;
	fake_start(&f, fake_serve, fake_no_device);

	/* (no check fails while the stand-in runs: it uses f) */
	init = start_held_caps(&f, &p, "others' signals", &h, &n, &started);
	if (started && __atomic_load_n(&f.holding, __ATOMIC_ACQUIRE) &&
	    sd_bus_message_get_sender(f.held)) {
		snprintf(client, sizeof(client), "%s",
		         sd_bus_message_get_sender(f.held));
		owner_of_tapixd(tapixd, sizeof(tapixd));
	}
	if (client[0] && tapixd[0] && sd_bus_new(&peer) >= 0 &&
	    sd_bus_set_address(peer, addr) >= 0 &&
	    sd_bus_set_bus_client(peer, 1) >= 0 && sd_bus_start(peer) >= 0) {
		before = heap_in_use();
		for (i = 0, sent = 0; i < 3000 && sent >= 0; i++) {
			sent = spoof_messages(peer, client, 40);
			if (sent >= 0 && i % 50 == 49)
				sent = sd_bus_flush(peer);
		}
		if (sent >= 0)
			sent = sd_bus_message_new_signal(
				peer, &gone, "/org/freedesktop/DBus",
				"org.freedesktop.DBus", "NameOwnerChanged");
		if (sent >= 0)
			sent = sd_bus_message_set_destination(gone, client);
		if (sent >= 0)
			sent = sd_bus_message_append(
				gone, "sss", "org.tapix.Tapix1", tapixd, "");
		if (sent >= 0)
			sent = sd_bus_send(peer, gone, NULL);
		pinged = sd_bus_call_method(peer, client, "/",
		                            "org.freedesktop.DBus.Peer", "Ping",
		                            &err, NULL, "");
		after = heap_in_use();
		/* (the stand-in answers by itself after 10 s) */
		still_held = !__atomic_load_n(&p.done, __ATOMIC_ACQUIRE);
	}
	if (started) {
		__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
		pthread_join(p.t, NULL);
		for (i = 0; i < 2; i++)
			rs[i] = lineGetMessage(h, &got[i], 5000);
		rs[2] = lineGetMessage(h, &got[2], 500);
		memset(&ac, 0, sizeof(ac));
		ac.dwTotalSize = sizeof(ac);
		r = lineGetAddressCapsA(h, 0, 0, 0x00020002, 0, &ac);
		more = lineGetMessage(h, &got[2], 0);
	}
	if (init == 0)
		lineShutdown(h);
	sd_bus_error_free(&err);
	sd_bus_message_unref(gone);
	sd_bus_flush_close_unref(peer);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_true(started);
	assert_true(client[0] && tapixd[0]);
	assert_true(sent >= 0);
	assert_true(pinged >= 0);
	assert_true(still_held); /* measured while the call waited */
	fprintf(stderr, "heap: %zu bytes before the signals, %zu after\n",
	        before, after);
	assert_true(after < before + 4 * 1024 * 1024);
	/* the held call's answer, then tapixd's two messages only */
	assert_int_equal(p.r, LINEERR_NODEVICE);
	assert_int_equal(rs[0], 0);
	assert_int_equal(got[0].dwParam1, LINEDEVSTATE_OTHER);
	assert_int_equal(rs[1], 0);
	assert_int_equal(got[1].dwParam1, LINEDEVSTATE_CONNECTED);
	assert_int_equal(rs[2], LINEERR_OPERATIONFAILED);
	/* not voided (REINIT) by the look-alike */
	assert_int_equal(r, LINEERR_OPERATIONUNAVAIL);
	assert_int_equal(more, LINEERR_OPERATIONFAILED);
}

/*
 * A stand-in tapixd that holds the first Initialize (answered with
 * registration 0x10001 when the test releases it) and answers a second
 * at once (0x10002), with a LINE_LINEDEVSTATE(OTHER) for that one.
 */
static void fake_init_answer(sd_bus_message *held)
{
	fake_init_reply(held, 0x10001u);
}

static int fake_two_inits(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = sd_bus_message_get_member(m);

	(void)e;
	if (!sd_bus_message_is_method_call(m, "org.tapix.Tapi1", NULL))
		return 0;
	if (strcmp(member, "Peer") == 0) {
		sd_bus_reply_method_return(m, "s", ""); /* no direct one */
	} else if (strcmp(member, "Initialize") == 0 &&
	           !__atomic_load_n(&f->holding, __ATOMIC_ACQUIRE)) {
		fake_hold(f, m);
	} else if (strcmp(member, "Initialize") == 0) {
		/* (sent before the answer, not after it as tapixd does: the
		 * first call's thread, reading the connection, then always
		 * reads it before the second's caller can note who answered;
		 * for the client it is the same case) */
		fake_devstate(f, 0x10002u, 0, 0, LINEDEVSTATE_OTHER);
		fake_init_reply(m, 0x10002u);
	} else if (strcmp(member, "Shutdown") == 0) {
		sd_bus_reply_method_return(m, "i", 0);
	} else {
		sd_bus_reply_method_return(m, "i",
		                           (int32_t)LINEERR_OPERATIONUNAVAIL);
	}
	return 1;
}

/* A lineInitializeEx on another thread (USEEVENT). */
struct pending_init {
	pthread_t t;
	HLINEAPP app;
	LONG r;
};

static void *init_main(void *arg)
{
	struct pending_init *p = arg;
	LINEINITIALIZEEXPARAMS ip;
	DWORD n = 0, ver = 0x00020002;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	p->r = lineInitializeExA(&p->app, NULL, NULL, "first", &n, &ver, &ip);
	return NULL;
}

/*
 * The client reads only tapixd's Messages (the test above), and learns
 * tapixd's name from its answer to Initialize. tapixd sends a
 * registration's first messages right after that answer, and while the
 * caller waits another thread may be the one reading the connection:
 * here the first registration's call, which the stand-in holds, reads
 * the second's message (sent just before its answer, so this happens
 * every time) and answer before the second's caller has noted who
 * answered. That message must still reach the second registration (once
 * the first call, on its way when the message came, is answered:
 * docs/service.md), not be dropped as another peer's.
 */
static void test_first_message_of_a_registration_is_not_lost(void **s)
{
	struct fake f;
	struct pending_init p;
	LINEINITIALIZEEXPARAMS ip;
	LINEMESSAGE got;
	DWORD n = 0, ver = 0x00020002;
	HLINEAPP h = 0;
	bool started = false;
	LONG init = -1, r = -1;
	unsigned i;

	(void)s;
	fake_start(&f, fake_two_inits, fake_init_answer);

	/* (no check fails while the stand-in runs: it uses f) */
	memset(&p, 0, sizeof(p));
	p.r = -1;
	started = pthread_create(&p.t, NULL, init_main, &p) == 0;
	for (i = 0; started && i < 500 &&
	            !__atomic_load_n(&f.holding, __ATOMIC_ACQUIRE);
	     i++)
		sleep_ms(10);
	if (started && __atomic_load_n(&f.holding, __ATOMIC_ACQUIRE)) {
		memset(&ip, 0, sizeof(ip));
		ip.dwTotalSize = sizeof(ip);
		ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
		init = lineInitializeExA(&h, NULL, NULL, "second", &n, &ver,
		                         &ip);
	}
	__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
	if (started)
		pthread_join(p.t, NULL);
	if (init == 0)
		r = lineGetMessage(h, &got, 5000);
	if (init == 0)
		lineShutdown(h);
	if (started && p.r == 0)
		lineShutdown(p.app);
	fake_stop(&f);

	assert_true(started);
	assert_int_equal(p.r, 0);
	assert_int_equal(p.app, 0x10001);
	assert_int_equal(init, 0);
	assert_int_equal(h, 0x10002);
	assert_int_equal(r, 0);
	assert_int_equal(got.dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(got.dwParam1, LINEDEVSTATE_OTHER);
}

/* The open the stand-in of the close tests gives. */
#define FAKE_LINE 0x30001u

/* The held call's answer: a failure on the way (a D-Bus error). */
static void fake_fails(sd_bus_message *held)
{
	sd_bus_reply_method_errorf(held, SD_BUS_ERROR_FAILED,
	                           "the test's stand-in fails this call");
}

/*
 * What the stand-ins of the close tests answer alike: registration
 * 0x10001 (two devices), any line opened as FAKE_LINE, a Close and
 * Shutdown done; anything else LINEERR_OPERATIONUNAVAIL.
 */
static void fake_line_serve(sd_bus_message *m, const char *member)
{
	if (strcmp(member, "Peer") == 0) {
		sd_bus_reply_method_return(m, "s", ""); /* no direct one */
	} else if (strcmp(member, "Initialize") == 0) {
		fake_init_reply(m, 0x10001u);
	} else if (strcmp(member, "Open") == 0) {
		sd_bus_reply_method_return(m, "iu", 0, FAKE_LINE);
	} else if (strcmp(member, "Close") == 0 ||
	           strcmp(member, "Shutdown") == 0) {
		sd_bus_reply_method_return(m, "i", 0);
	} else {
		sd_bus_reply_method_return(m, "i",
		                           (int32_t)LINEERR_OPERATIONUNAVAIL);
	}
}

/* @m's member if it is a method call of tapixd's (the stand-ins answer
 * those), else NULL. */
static const char *fake_call_member(sd_bus_message *m)
{
	return sd_bus_message_is_method_call(m, "org.tapix.Tapi1", NULL)
	               ? sd_bus_message_get_member(m)
	               : NULL;
}

/* Whether call @member is the first @name, while *@holding (a stand-in's
 * holding or holding2) says none is held yet. */
static bool fake_first(const char *member, const char *name,
                       const bool *holding)
{
	return strcmp(member, name) == 0 &&
	       !__atomic_load_n(holding, __ATOMIC_ACQUIRE);
}

/*
 * A stand-in for tapixd (fake_start) as fake_line_serve, but when the
 * first Close comes it sends a LINE_LINEDEVSTATE(OTHER) of the open, then
 * holds the Close until the test releases it (fake_fails answers).
 */
static int fake_close_serve(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = fake_call_member(m);

	(void)e;
	if (!member)
		return 0;
	if (fake_first(member, "Close", &f->holding)) {
		fake_devstate(f, 0x10001u, FAKE_LINE, 7, LINEDEVSTATE_OTHER);
		fake_hold(f, m);
	} else {
		fake_line_serve(m, member);
	}
	return 1;
}

/* Waits (bounded, 5 s) until *@flag is set. */
static void wait_flag(const bool *flag)
{
	unsigned i;

	for (i = 0; i < 500 && !__atomic_load_n(flag, __ATOMIC_ACQUIRE); i++)
		sleep_ms(10);
}

/*
 * A USEEVENT registration named @name into *@h and its open of device 0
 * (callback instance 7) into *@l, from a stand-in that serves as
 * fake_line_serve. lineInitializeEx's result, lineOpen's in *@open. No
 * check fails here (the stand-in uses f).
 */
static LONG fake_line_open(const char *name, HLINEAPP *h, HLINE *l, LONG *open)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD n = 0, ver = 0x00020002;
	LONG init;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	init = lineInitializeExA(h, NULL, NULL, name, &n, &ver, &ip);
	*open = init ? -1
	             : lineOpenA(*h, 0, l, 0x00020002, 0, 7,
	                         LINECALLPRIVILEGE_NONE, 0, NULL);
	return init;
}

/* A stand-in as fake_line_serve that holds the first Shutdown. */
static int fake_shutdown_serve(sd_bus_message *m, void *userdata,
                               sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = fake_call_member(m);

	(void)e;
	if (!member)
		return 0;
	if (fake_first(member, "Shutdown", &f->holding))
		fake_hold(f, m);
	else
		fake_line_serve(m, member);
	return 1;
}

/* The held Shutdown's answer: done. */
static void fake_shutdown_done(sd_bus_message *held)
{
	sd_bus_reply_method_return(held, "i", 0);
}

/* A lineShutdown on another thread, started with others (@go) or at
 * once (@go NULL). */
struct pending_shutdown {
	pthread_t t;
	pthread_barrier_t *go;
	HLINEAPP app;
	LONG r;
	bool done;
};

static void *shutdown_main(void *arg)
{
	struct pending_shutdown *p = arg;

	if (p->go)
		pthread_barrier_wait(p->go);
	p->r = lineShutdown(p->app);
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A child of fork() made while a thread of its parent is in lineShutdown
 * has a copy of the registration that was on its way out: it stayed so
 * in the child for ever (its lineShutdown answered INVALAPPHANDLE, and
 * the child's connection was never let go). The child's copy is now its
 * own to shut down, and the parent's lineShutdown ends as it would have.
 */
static void test_fork_during_shutdown_leaves_the_child_its_copy(void **s)
{
	struct pending_shutdown p = {.r = -1};
	LONG init, open = -1;
	bool started = false;
	struct fake f;
	int st = -1;
	pid_t kid = -1;
	HLINE l = 0;

	(void)s;
	fake_start(&f, fake_shutdown_serve, fake_shutdown_done);
	/* (no check fails while the stand-in runs: it uses f) */
	init = fake_line_open("parent", &p.app, &l, &open);
	if (init == 0)
		started = pthread_create(&p.t, NULL, shutdown_main, &p) == 0;
	if (started)
		wait_flag(&f.holding);
	if (started && __atomic_load_n(&f.holding, __ATOMIC_ACQUIRE)) {
		kid = fork();
		if (kid == 0)
			_exit(lineShutdown(p.app) == 0 ? 0 : 1);
		if (kid > 0 && waitpid(kid, &st, 0) != kid)
			st = -1;
	}
	__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
	if (started)
		pthread_join(p.t, NULL);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_int_equal(open, 0);
	assert_true(started);
	assert_true(kid > 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(p.r, 0);
}

/* A stand-in as fake_shutdown_serve that sends a LINE_LINEDEVSTATE(OTHER)
 * of the open as the first Shutdown reaches it. */
static int fake_shutdown_note_serve(sd_bus_message *m, void *userdata,
                                    sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = fake_call_member(m);

	if (member && fake_first(member, "Shutdown", &f->holding))
		fake_devstate(f, 0x10001u, FAKE_LINE, 7, LINEDEVSTATE_OTHER);
	return fake_shutdown_serve(m, userdata, e);
}

/*
 * termination.md §6 says what a lineShutdown that succeeds does; one that
 * fails (tapixd refused it, or its answer was lost) leaves the
 * registration alive, its handle valid, and with it what came for it
 * while the lineShutdown waited, as a failed lineClose leaves its open
 * what came meanwhile (§5.2). The stand-in sends a message of the open as
 * the Shutdown reaches it, then fails the Shutdown. Before, the message
 * was dropped: the registration, on its way out, took nothing.
 */
static void test_failed_shutdown_keeps_what_came_meanwhile(void **s)
{
	LINEMESSAGE kept;
	struct fake f;
	HLINEAPP h = 0;
	HLINE l = 0;
	LONG init, open = -1, shut = 0, got = -1, again = -1;

	(void)s;
	memset(&kept, 0, sizeof(kept));
	fake_start(&f, fake_shutdown_note_serve, fake_fails);
	/* the held Shutdown is answered at once (no check fails while the
	 * stand-in runs: it uses f) */
	__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
	init = fake_line_open("shutdown fails", &h, &l, &open);
	if (open == 0) {
		shut = lineShutdown(h);
		got = lineGetMessage(h, &kept, 0);
	}
	if (init == 0)
		again = lineShutdown(h);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_int_equal(open, 0);
	assert_true(f.holding);
	assert_int_equal(shut, LINEERR_OPERATIONFAILED);
	assert_int_equal(got, 0);
	assert_int_equal(kept.dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(kept.hDevice, FAKE_LINE);
	assert_int_equal(kept.dwCallbackInstance, 7);
	assert_int_equal(kept.dwParam1, LINEDEVSTATE_OTHER);
	assert_int_equal(again, 0);
}

/* A stand-in as fake_line_serve that fails every GatherDigits on the way
 * (a D-Bus error: the client cannot know whether tapixd has it). */
static int fake_gather_serve(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *member = fake_call_member(m);

	(void)userdata;
	(void)e;
	if (!member)
		return 0;
	if (strcmp(member, "GatherDigits") == 0)
		fake_fails(m);
	else
		fake_line_serve(m, member);
	return 1;
}

/*
 * A lineGatherDigits whose answer was lost is noted until its call goes,
 * in case tapixd has it (its digits are not the app's any more); at most
 * 256 gathers of a process are noted. Such notes outlived the registration
 * and its connection: after 256 registrations that each lost one answer,
 * every lineGatherDigits of the process failed with RESOURCEUNAVAIL, and
 * tapix_live_get did not count them. They now go with the connection.
 */
static void test_unanswered_gathers_go_with_the_connection(void **s)
{
	char digits[4];
	struct tapix_live live, none;
	struct fake f;
	unsigned i, inits = 0, failed = 0, shut = 0;
	LONG r = 0;

	(void)s;
	fake_start(&f, fake_gather_serve, fake_fails);
	/* (no check fails while the stand-in runs: it uses f) */
	for (i = 0; i < 257; i++) {
		HLINEAPP h = 0;
		HLINE l = 0;
		LONG open;

		if (fake_line_open("gather", &h, &l, &open) != 0)
			continue;
		inits++;
		r = lineGatherDigitsA(0x40001u, LINEDIGITMODE_DTMF, digits,
		                      sizeof(digits) - 1, NULL, 0, 0);
		failed += r == LINEERR_OPERATIONFAILED;
		shut += lineShutdown(h) == 0;
	}
	tapix_live_get(&live);
	fake_stop(&f);

	assert_int_equal(inits, 257);
	assert_int_equal(failed, 257);
	assert_int_equal(shut, 257);
	memset(&none, 0, sizeof(none));
	assert_memory_equal(&live, &none, sizeof(live));
}

/* A lineClose on another thread: its result when it returns. */
struct pending_close {
	pthread_t t;
	HLINE line;
	LONG r;
};

static void *close_main(void *arg)
{
	struct pending_close *p = arg;

	p->r = lineClose(p->line);
	return NULL;
}

/*
 * termination.md §5.2 — from the start of a lineClose nothing of its open
 * is queued; if the close fails, the open lives on, and so does what came
 * for it meanwhile. The stand-in sends a message of the open as the Close
 * reaches it, then fails the Close. The message, sent after the Close,
 * waits until the close ended (as any message behind a call on its way:
 * nothing while the close is on its way), then is kept for the close,
 * which gives it to the app because it failed: lineGetMessage has it once
 * lineClose returned, and the open can still be closed.
 * (test_close_keeps_back_what_came_before_it: a message let go while the
 * close is on its way.)
 */
static void test_failed_close_keeps_what_came_for_the_open(void **s)
{
	struct fake f;
	struct pending_close p;
	LINEMESSAGE during, kept, later;
	HLINEAPP h = 0;
	HLINE l = 0;
	LONG init, open, got_during = 0, got_kept = -1, closed = -1;
	LONG got_later = 0;
	bool started;

	(void)s;
	memset(&p, 0, sizeof(p));
	memset(&kept, 0, sizeof(kept));
	fake_start(&f, fake_close_serve, fake_fails);

	/* (no check fails while the stand-in runs: it uses f) */
	init = fake_line_open("close fails", &h, &l, &open);
	p.line = l;
	started = open == 0 && pthread_create(&p.t, NULL, close_main, &p) == 0;
	if (started) {
		wait_flag(&f.holding);
		got_during = lineGetMessage(h, &during, 300);
		__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
		pthread_join(p.t, NULL);
		/* queued before lineClose returned */
		got_kept = lineGetMessage(h, &kept, 0);
		closed = lineClose(l);
		got_later = lineGetMessage(h, &later, 200);
	}
	if (init == 0)
		lineShutdown(h);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_int_equal(open, 0);
	assert_int_equal(l, FAKE_LINE);
	assert_true(started);
	assert_true(f.holding);
	assert_int_equal(got_during, LINEERR_OPERATIONFAILED);
	assert_int_equal(p.r, LINEERR_OPERATIONFAILED);
	assert_int_equal(got_kept, 0);
	assert_int_equal(kept.dwMessageID, LINE_LINEDEVSTATE);
	assert_int_equal(kept.hDevice, FAKE_LINE);
	assert_int_equal(kept.dwCallbackInstance, 7);
	assert_int_equal(kept.dwParam1, LINEDEVSTATE_OTHER);
	assert_int_equal(closed, 0);
	assert_int_equal(got_later, LINEERR_OPERATIONFAILED);
}

/* The held Close's answer: done. */
static void fake_close_done(sd_bus_message *held)
{
	sd_bus_reply_method_return(held, "i", 0);
}

/*
 * As fake_line_serve, but a LINE_LINEDEVSTATE(OTHER) of the open
 * comes as the first GetDevCaps reaches it, and that call is held
 * (fake_no_device answers it); the first Close is held too (fake_hold2:
 * fake_close_done).
 */
static int fake_keep_serve(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = fake_call_member(m);

	(void)e;
	if (!member)
		return 0;
	if (fake_first(member, "GetDevCaps", &f->holding)) {
		fake_devstate(f, 0x10001u, FAKE_LINE, 7, LINEDEVSTATE_OTHER);
		fake_hold(f, m);
	} else if (fake_first(member, "Close", &f->holding2)) {
		fake_hold2(f, m, fake_close_done);
	} else {
		fake_line_serve(m, member);
	}
	return 1;
}

/*
 * termination.md §5.2 — from the start of a lineClose nothing of its open
 * is queued, though it came before. A message of the open comes while
 * another call (lineGetDevCaps) waits for tapixd, so the client holds it
 * back behind that call; then lineClose starts, and then the other call
 * returns, which lets the message go while the close is on its way. The
 * client keeps it for the close: lineGetMessage gives nothing then, and
 * nothing once the close succeeded (queued, the message could be fetched
 * before the close returned).
 */
static void test_close_keeps_back_what_came_before_it(void **s)
{
	struct fake f;
	struct pending_caps p;
	struct pending_close c;
	LINEMESSAGE during, later;
	HLINEAPP h = 0;
	HLINE l = 0;
	LONG init, open, got_during = 0, got_later = 0;
	bool caps, closing = false;

	(void)s;
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	fake_start(&f, fake_keep_serve, fake_no_device);

	/* (no check fails while the stand-in runs: it uses f) */
	init = fake_line_open("close keeps", &h, &l, &open);
	p.app = h;
	caps = open == 0 && pthread_create(&p.t, NULL, dev_caps_main, &p) == 0;
	if (caps) {
		wait_flag(&f.holding);
		/* the message is read meanwhile, held back behind the call
		 * (read later, it is kept all the same) */
		sleep_ms(300);
		c.line = l;
		closing = pthread_create(&c.t, NULL, close_main, &c) == 0;
		if (closing)
			wait_flag(&f.holding2);
		__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
		pthread_join(p.t, NULL);
	}
	if (closing) {
		got_during = lineGetMessage(h, &during, 300);
		__atomic_store_n(&f.release2, true, __ATOMIC_RELEASE);
		pthread_join(c.t, NULL);
		got_later = lineGetMessage(h, &later, 200);
	}
	if (init == 0)
		lineShutdown(h);
	fake_stop(&f);

	assert_int_equal(init, 0);
	assert_int_equal(open, 0);
	assert_true(caps);
	assert_true(closing);
	assert_true(f.holding);
	assert_true(f.holding2);
	assert_int_equal(p.r, LINEERR_NODEVICE);
	if (got_during == 0)
		fprintf(stderr, "delivered during the close: message %u\n",
		        (unsigned)during.dwMessageID);
	assert_int_equal(got_during, LINEERR_OPERATIONFAILED);
	assert_int_equal(c.r, 0);
	assert_int_equal(got_later, LINEERR_OPERATIONFAILED);
}

/*
 * termination.md §6 — the process's last two registrations, shut down at
 * once on two threads, 50 times over: both succeed, and the connection
 * (its reader thread, its channel) goes once, then comes again for the
 * next registrations. (Both shutdowns used to close it: the second joined
 * the reader the first was joining, and never returned.)
 */
static void test_last_registrations_shut_down_at_once(void **s)
{
	struct pending_shutdown p[2];
	struct tapix_live l;
	pthread_barrier_t go;
	unsigned i, k, ms;

	(void)s;
	for (i = 0; i < 50; i++) {
		assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
		for (k = 0; k < 2; k++) {
			LINEINITIALIZEEXPARAMS ip;
			DWORD ver = TAPI_CURRENT_VERSION, n = 0;

			memset(&ip, 0, sizeof(ip));
			ip.dwTotalSize = sizeof(ip);
			ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
			p[k].go = &go;
			p[k].app = 0;
			p[k].done = false;
			assert_int_equal(lineInitializeExA(&p[k].app, NULL,
			                                   NULL, "twins", &n,
			                                   &ver, &ip),
			                 0);
		}
		for (k = 0; k < 2; k++)
			assert_int_equal(pthread_create(&p[k].t, NULL,
			                                shutdown_main, &p[k]),
			                 0);
		/* both return within 10 s (a stuck one fails the test) */
		for (ms = 0; ms < STEP_MS; ms += 10) {
			if (__atomic_load_n(&p[0].done, __ATOMIC_ACQUIRE) &&
			    __atomic_load_n(&p[1].done, __ATOMIC_ACQUIRE))
				break;
			sleep_ms(10);
		}
		assert_true(ms < STEP_MS);
		for (k = 0; k < 2; k++) {
			pthread_join(p[k].t, NULL);
			assert_int_equal(p[k].r, 0);
		}
		/* the connection went (client mode's count of registrations
		 * includes it and its pending requests) */
		tapix_live_get(&l);
		assert_int_equal(l.apps, 0);
		pthread_barrier_destroy(&go);
	}
}

/*
 * termination.md §6 — lineShutdown makes the registration's handle
 * invalid at once, in client mode too while it waits for tapixd (stopped
 * here): lineGetMessage of another thread on it answers
 * LINEERR_INVALAPPHANDLE meanwhile, and the shutdown succeeds once tapixd
 * goes on. (The registration used to answer as alive until tapixd had
 * replied.)
 */
static void test_shutdown_kills_the_handle_at_once(void **s)
{
	struct pending_shutdown sd = {0};
	struct pending_get g = {0};
	pthread_barrier_t go;
	bool got, still_waiting;
	struct fx_app a;

	(void)s;
	fx_app_init(&a, "going");
	assert_int_equal(pthread_barrier_init(&go, NULL, 1), 0);
	sd.go = &go;
	sd.app = a.h;
	assert_int_equal(kill(-tapixd_pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&sd.t, NULL, shutdown_main, &sd), 0);
	/* (the shutdown's thread may not have run yet: asked until it has) */
	g.app = a.h;
	g.until_invalid = true;
	assert_int_equal(pthread_create(&g.t, NULL, get_message_main, &g), 0);
	got = done_within(&g.done, 10000);
	still_waiting = !__atomic_load_n(&sd.done, __ATOMIC_ACQUIRE);
	/* either way, tapixd goes on and both threads end before the checks */
	assert_int_equal(kill(-tapixd_pid, SIGCONT), 0);
	assert_true(done_within(&sd.done, STEP_MS));
	pthread_join(sd.t, NULL);
	pthread_join(g.t, NULL);
	pthread_barrier_destroy(&go);
	fx_untrack(&a);
	assert_true(got);
	assert_true(still_waiting);
	assert_int_equal(g.r, LINEERR_INVALAPPHANDLE);
	assert_int_equal(sd.r, 0);
}

/*
 * Built with ThreadSanitizer (tapixd too): its runtime starts a thread of
 * its own at the process's first pthread_create, before that thread, and
 * it wakes every 100 ms whatever the program does (compiler-rt,
 * tsan_rtl's BackgroundThread). It is not tapixd's: switches_of leaves
 * it out, the first task after the main thread.
 */
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#ifndef TSAN_BUILD
#define TSAN_BUILD 0
#endif

/* Context switches so far of every thread of the process @pid runs (but
 * the sanitizer's, above). */
static unsigned long switches_of(pid_t pid)
{
	char path[320], line[128];
	unsigned long sum = 0, n, tsan_sum = 0;
	long tid, tsan_tid = 0;
	struct dirent *e;
	DIR *tasks;
	FILE *f;

	/* tapixd, run by timeout(1) (proc_start): its one child */
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid,
	         (long)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	tasks = opendir(path);
	assert_non_null(tasks);
	while ((e = readdir(tasks))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/status",
		         (long)pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* a thread that ended */
		tid = atol(e->d_name);
		n = 0;
		while (fgets(line, sizeof(line), f)) {
			unsigned long v;

			if (sscanf(line, "voluntary_ctxt_switches: %lu", &v) ==
			            1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %lu",
			           &v) == 1)
				n += v;
		}
		fclose(f);
		sum += n;
		if (TSAN_BUILD && tid != pid && (!tsan_tid || tid < tsan_tid)) {
			tsan_tid = tid;
			tsan_sum = n;
		}
	}
	closedir(tasks);
	return sum - tsan_sum;
}

/*
 * Issue 16 item 6 — an idle tapixd does not wake: with a client
 * registered, a line open and a call connected, nobody talking, none of
 * its threads runs for two seconds (it used to wake every second). The
 * bus going is still seen at once: tapixd exits with an error (for
 * systemd's Restart=on-failure).
 */
static void test_idle_tapixd_sleeps_and_sees_its_bus_go(void **s)
{
	struct fx_app app;
	unsigned long before;
	unsigned i;
	HLINE l;
	HCALL c = 0;
	LONG id;

	(void)s;
	fx_app_init(&app, "idle");
	l = fx_open(&app, 0, LINECALLPRIVILEGE_NONE, 0);
	id = lineMakeCall(l, &c, "answer", 0, NULL);
	assert_true(id > 0);
	assert_int_equal(fx_reply(&app, id), 0);
	fx_wait(&app, LINE_CALLSTATE, c, LINECALLSTATE_CONNECTED);
	sleep_ms(1000); /* what the call's messages started is over */
	before = switches_of(tapixd_pid);
	sleep_ms(2000);
	assert_int_equal(switches_of(tapixd_pid), before);

	/*
	 * More registrations in a second than tapixd logs (DLOG_BURST): the
	 * summary of those held back is written when the second is over,
	 * though nothing else happens then. (After the idle count: the
	 * summaries of a burst that spans two seconds take two.)
	 */
	for (i = 0; i < 40; i++) { /* twice DLOG_BURST */
		struct fx_app burst;

		fx_app_init(&burst, "burst");
		fx_shutdown(&burst);
	}
	wait_log("suppressed");

	proc_kill(bus_pid);
	bus_pid = 0;
	assert_int_equal(proc_wait(tapixd_pid, 5000), 1);
	tapixd_pid = 0;
	assert_true(log_has(tlog, "lost the bus: exiting"));
	fx_shutdown(&app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_owner_and_monitor_in_two_processes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_client_mid_call_is_cleaned_up, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_client_mid_call_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_direct_connection, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_direct_only_to_tapixd,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_malformed_calls_on_a_direct_connection, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_malformed_requests_on_a_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_channel_descriptors_cannot_block_tapixd, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_channel_not_taken_messages_as_signals, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_full_channel_loses_nothing,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrations_of_one_client_are_bounded, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_client_mid_request_is_cleaned_up, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_client_mid_request_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_killed_client_holding_a_channel_request, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_client_exiting_mid_call_is_cleaned_up, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_client_exiting_mid_call_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_handoff_between_processes,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_rules_on_the_bus,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_control_by_uid,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_other_uid_cannot_use_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_created_line_follows_access_rules, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_malformed_calls_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_drives_a_call,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_demo_through_tapixd, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_without_service,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_usage_errors,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_options_anywhere,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_tables_have_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_show_line_and_call,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_json_for_every_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapictl_call_wait, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_believes_only_tapixd, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_listen_and_watch_end_when_tapixd_leaves,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_colour_only_on_a_tty, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tapictl_completion_asks_tapixd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rasdial_errors_explain,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shipped_introspection_is_served, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_client_mode_from_configuration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_signals, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_errors_say_what_went_wrong,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_broadcasts_keep_restricted_lines_private, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_sip_registration_on_line,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_forged_messages_are_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dbus_owned_call_goes_after_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busctl_drives_a_call,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_stops_cleanly,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrations_of_a_gone_tapixd_only, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_registrations_of_a_gone_tapixd_only_over_the_bus,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_channel_call_waits_for_tapixd_or_its_end, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_call_waiting_for_tapixd_holds_up_no_other_thread,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_waiting_for_tapixd_holds_up_no_other_call,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_signals_of_other_peers_are_not_kept,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_first_message_of_a_registration_is_not_lost,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_close_keeps_what_came_for_the_open,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_close_keeps_back_what_came_before_it,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_fork_during_shutdown_leaves_the_child_its_copy,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_unanswered_gathers_go_with_the_connection,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_shutdown_keeps_what_came_meanwhile,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_waiting_for_tapixd_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_last_registrations_shut_down_at_once, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_kills_the_handle_at_once, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_client_sees_tapixd_terminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_sees_tapixd_killed,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_client_sees_tapixd_terminated_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_client_sees_tapixd_killed_over_the_bus, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_channel_not_used_after_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_child_leaves_the_parents_event_descriptor, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_log_sink_called_with_no_client_lock_held, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_idle_tapixd_sleeps_and_sees_its_bus_go, setup,
			teardown),
	};

	if (getenv("TAPIX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
