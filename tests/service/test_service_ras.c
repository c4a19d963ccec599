/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RAS connections in tapixd (org.tapix.Ras1) with real client processes:
 * connections that outlive their dialler when they are up and are not
 * kept when they are not, another user's connections, the saved
 * credentials (written by the dialler only), malformed calls,
 * rasdial. Each test starts its own tapixd (svc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include <ras.h>

#include "fx.h"
#include "proc.h"
#include "rpc/chan.h"

#include "svc.h"

/* ---- RAS (issue 6): connections that live in tapixd ------------------------
 */

#define RAS_CONF                                       \
	"[tapix]\nproviders = esp\n[esp]\nlines = 4\n" \
	"[ras]\nemulated_users = alice:secret bob:/pw\n"

static char pbk[128];
static uint64_t base[9]; /* tapixd's own objects, before the test */

/* Waits until the RAS manager holds nothing any more: every counter of
 * tapixd's core back to where the test started. */
static void wait_ras_idle(void)
{
	wait_counts_equal(base);
}

/* Entries on esp lines 0..3 (ras-phonebook §A3). */
static const char ras_pbk[] =
	"[Lab]\nTapixLink=emulated\nMEDIA=rastapi\nPort=esp-0\n"
	"DEVICE=modem\nPhoneNumber=answer\n"
	"[Busy]\nMEDIA=rastapi\nPort=esp-1\nDEVICE=modem\nPhoneNumber=busy\n"
	"[Slow]\nMEDIA=rastapi\nPort=esp-2\nDEVICE=modem\n"
	"PhoneNumber=slow:1500/answer\n"
	"[Silent]\nTapixDialTimeout=60\nMEDIA=rastapi\nPort=esp-3\n"
	"DEVICE=modem\nPhoneNumber=noanswer\n"
	"[Drop]\nMEDIA=rastapi\nPort=esp-3\nDEVICE=modem\n"
	"PhoneNumber=hangup:1000\n"
	"[Office]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\n"
	"PhoneNumber=answer\n";

/* The test's own XDG_CONFIG_HOME (where its clients save credentials),
 * and tapixd's HOME and XDG_CONFIG_HOME: each test's, in its directory. */
static char own_config[128], tapixd_home[128], tapixd_config[128];

static int ras_setup(void **state)
{
	char home[512];
	FILE *f;

	(void)state;
	peer_arg = NULL;
	start_bus();
	snprintf(own_config, sizeof(own_config), "%s/config", dir);
	snprintf(tapixd_home, sizeof(tapixd_home), "%s/tapixd-home", dir);
	snprintf(tapixd_config, sizeof(tapixd_config), "%s/tapixd-config", dir);
	assert_int_equal(mkdir(own_config, 0700), 0);
	assert_int_equal(mkdir(tapixd_home, 0700), 0);
	assert_int_equal(mkdir(tapixd_config, 0700), 0);
	snprintf(home, sizeof(home), "%s",
	         getenv("HOME") ? getenv("HOME") : "");
	setenv("HOME", tapixd_home, 1);
	setenv("XDG_CONFIG_HOME", tapixd_config, 1);
	start_tapixd(RAS_CONF);
	if (home[0])
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	setenv("XDG_CONFIG_HOME", own_config, 1);
	snprintf(pbk, sizeof(pbk), "%s/rasphone.pbk", dir);
	f = fopen(pbk, "w");
	assert_non_null(f);
	fputs(ras_pbk, f);
	fclose(f);
	chmod(pbk, 0644);
	/* ras.md §10.1 — RAS reports the phonebook's full path, symbolic
	 * links resolved: the test's, whatever TMPDIR looks like */
	{
		char real[PATH_MAX];
		size_t n;

		assert_non_null(realpath(pbk, real));
		n = strlen(real);
		assert_true(n < sizeof(pbk));
		memcpy(pbk, real, n + 1);
	}
	service_counts(base);
	return 0;
}

/*
 * Runs `PREFIX rasdial ARGS` in a shell (bounded); its exit status, its
 * standard output and error in @out.
 */
static int rasdial(const char *prefix, const char *args, char *out, size_t size)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	if (snprintf(cmd, sizeof(cmd), "%s timeout 30 %s %s 2>&1", prefix,
	             TAPIX_TEST_RASDIAL, args) >= (int)sizeof(cmd))
		fail_msg("rasdial command too long");
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* rasdial ARGS /PHONEBOOK:<the test's>, expecting status @want. */
static void rasdial_ok(const char *args, int want, const char *says)
{
	char a[512], out[4096];
	int st;

	snprintf(a, sizeof(a), "%s /PHONEBOOK:%s", args, pbk);
	st = rasdial("", a, out, sizeof(out));
	if (st != want || (says && !strstr(out, says)))
		fail_msg("rasdial %s: status %d, wanted %d with \"%s\":\n%s",
		         args, st, want, says ? says : "", out);
}

/* The connections this process sees (RasEnumConnections). */
static DWORD ras_list(RASCONNA *v, DWORD max)
{
	DWORD cb = max * sizeof(RASCONNA), n = 0;

	memset(v, 0, cb);
	v[0].dwSize = sizeof(RASCONNA);
	assert_int_equal(RasEnumConnections(v, &cb, &n), 0);
	return n;
}

/* rasdial ENTRY /PHONEBOOK:<the test's> in the background, once it has
 * said "Connecting to ENTRY..."; its pid, its output in *@fd. */
static pid_t start_rasdial(const char *entry, int *fd)
{
	char a[256], line[256], want[300];
	const char *argv[4];
	pid_t pid;

	snprintf(a, sizeof(a), "/PHONEBOOK:%s", pbk);
	argv[0] = TAPIX_TEST_RASDIAL;
	argv[1] = entry;
	argv[2] = a;
	argv[3] = NULL;
	pid = proc_start_pipe(fd, LIMIT_S, argv);
	assert_true(proc_read_line(*fd, line, sizeof(line), STEP_MS));
	snprintf(want, sizeof(want), "Connecting to %s...", entry);
	assert_string_equal(line, want);
	return pid;
}

/*
 * Issue 6 tests; ras.md §6, §12 — a connection dialled by a process that
 * has exited (rasdial) stays up once tapixd has seen its dialler go and
 * released its reference (it outlives its dialler, with no owner); it is
 * found by entry name with RasEnumConnections in another process, which
 * hangs it up (a forced hang-up: it holds no reference, §4) and waits for
 * ERROR_INVALID_HANDLE; the service then holds no call. The handle stays
 * invalid.
 */
static void test_ras_connection_outlives_its_dialler(void **s)
{
	RASCONNSTATUSA st;
	RASCONNA v[4];
	uint64_t counts[9];

	(void)s;
	rasdial_ok("Lab alice secret", 0, "Successfully connected to Lab.");
	wait_log("left the bus: its references on 1 connections released");
	assert_int_equal(ras_list(v, 4), 1);
	assert_string_equal(v[0].szEntryName, "Lab");
	assert_string_equal(v[0].szPhonebook, pbk);
	assert_true(v[0].dwFlags & RASCF_OwnerMatch); /* same user */
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(v[0].hrasconn, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	assert_string_equal(st.szDeviceName, "esp line 0 (100)");
	service_counts(counts);
	assert_int_equal(counts[3], 1); /* the data call */
	fx_ras_hang_up_and_wait(v[0].hrasconn);
	wait_ras_idle();
	assert_int_equal(ras_list(v, 4), 0);
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(v[0].hrasconn, &st),
	                 ERROR_INVALID_HANDLE);
	assert_int_equal(RasHangUp(v[0].hrasconn), ERROR_INVALID_HANDLE);
}

/*
 * ras.md §12 — as test_ras_connection_outlives_its_dialler, the dialler
 * killed (SIGKILL) once its connection is up instead of exiting: tapixd
 * releases its reference, the connection stays up with no owner, another
 * process finds it and hangs it up, and nothing is left.
 */
static void test_ras_connection_outlives_its_killed_dialler(void **s)
{
	const char *args[] = {"rasdialling", pbk,    "Lab", "alice",
	                      "secret",      "wait", NULL};
	RASCONNSTATUSA st;
	RASCONNA v[4];
	struct helper h;
	char rest[64];

	(void)s;
	h = helper(args);
	expect_line(&h, "dialling");
	do
		read_until(&h, "state", rest, sizeof(rest));
	while (strncmp(rest, " 2000 ", 6) != 0); /* RASCS_Connected */
	helper_end(&h);                          /* SIGKILL */
	wait_log("its references on 1 connections released");
	assert_int_equal(ras_list(v, 4), 1);
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(v[0].hrasconn, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
	wait_ras_idle();
	assert_int_equal(ras_list(v, 4), 0);
}

/*
 * ras.md §12; docs/service.md "When tapixd goes" — tapixd dies (SIGKILL)
 * under a connection this process dialled: the connection is gone with
 * it. Until a tapixd is back every RAS function answers
 * ERROR_RASMAN_CANNOT_INITIALIZE (711, as with no tapixd at all) and
 * writes no output; the client library holds nothing of the connection;
 * to the next tapixd its handle is ERROR_INVALID_HANDLE.
 */
static void test_ras_client_sees_tapixd_gone(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	struct tapix_live l;
	HRASCONN h = NULL;
	DWORD cb = sizeof(RASCONNA), n = 77;
	RASCONNA v[1];
	unsigned i;

	(void)s;
	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	snprintf(p.szEntryName, sizeof(p.szEntryName), "Lab");
	snprintf(p.szUserName, sizeof(p.szUserName), "alice");
	snprintf(p.szPassword, sizeof(p.szPassword), "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	assert_non_null(h);
	proc_kill(tapixd_pid); /* SIGKILL */
	tapixd_pid = 0;
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	/* the connection manager is gone: what rasdial says too */
	assert_int_equal(RasGetConnectStatus(h, &st),
	                 ERROR_RASMAN_CANNOT_INITIALIZE);
	memset(v, 0, sizeof(v));
	v[0].dwSize = sizeof(v[0]);
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_RASMAN_CANNOT_INITIALIZE);
	assert_int_equal(n, 77); /* not written on an error */
	assert_int_equal(RasHangUp(h), ERROR_RASMAN_CANNOT_INITIALIZE);
	for (i = 0; i < 500; i++) {
		tapix_live_get(&l);
		if (!l.apps && !l.opens && !l.calls && !l.allocations)
			break;
		sleep_ms(10);
	}
	assert_int_equal(l.apps, 0);
	assert_int_equal(l.opens, 0);
	assert_int_equal(l.calls, 0);
	assert_int_equal(l.allocations, 0);
	/* a new tapixd never knew the connection */
	start_tapixd(RAS_CONF);
	assert_int_equal(RasGetConnectStatus(h, &st), ERROR_INVALID_HANDLE);
	assert_int_equal(RasHangUp(h), ERROR_INVALID_HANDLE);
}

/*
 * ras.md §4, §12 — the dialler killed (SIGKILL) mid-dial: its reference
 * goes with it, and a dial nobody holds is torn down as by RasHangUp (it
 * would answer 1.5 s later): nothing comes up, nothing is left.
 */
static void test_ras_dialler_killed_mid_dial(void **s)
{
	uint64_t before[9];
	RASCONNA v[4];
	int fd;
	pid_t pid;

	(void)s;
	service_counts(before);
	pid = start_rasdial("Slow", &fd);
	proc_kill(pid); /* SIGKILL, to its whole process group */
	close(fd);
	wait_log("left the bus: its references on 1 connections released");
	assert_true(log_has(tlog, ": no owner left, torn down"));
	wait_counts_equal(before);
	assert_int_equal(ras_list(v, 4), 0);
}

/*
 * ras.md §4, §12 — a connection that is up and whose dialler is gone
 * stays with no owner until its link is lost (the far end hangs up after
 * 1 s); then, as nobody could find it any more, it is torn down.
 */
static void test_ras_lost_connection_of_nobody_is_torn_down(void **s)
{
	uint64_t before[9];
	RASCONNA v[4];

	(void)s;
	service_counts(before);
	rasdial_ok("Drop", 0, "Successfully connected to Drop.");
	wait_log("left the bus: its references on 1 connections released");
	wait_counts_equal(before);
	assert_int_equal(ras_list(v, 4), 0);
	assert_true(log_has(tlog, ": no owner left, torn down"));
}

/* Entries F0..F@n-1 of a phonebook at @path: what their dials do goes by
 * i % 10 (test_ras_dials_of_gone_processes_leave_nothing). */
static void write_gone_pbk(const char *path, unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		unsigned k = i % 10;

		fprintf(f, "[F%u]\n", i);
		if (k < 4) /* busy: 676 */
			fputs("MEDIA=rastapi\nPort=esp-1\nDEVICE=modem\n"
			      "PhoneNumber=busy\n",
			      f);
		else if (k == 7 || k == 9) /* rings for a minute */
			fputs("TapixDialTimeout=60\nMEDIA=rastapi\n"
			      "Port=esp-3\nDEVICE=modem\nPhoneNumber=noanswer\n",
			      f);
		else /* answers, checks the password */
			fputs("TapixLink=emulated\nMEDIA=rastapi\nPort=esp-0\n"
			      "DEVICE=modem\nPhoneNumber=answer\n",
			      f);
	}
	fclose(f);
	chmod(path, 0644);
}

/*
 * ras.md §4, §12 (issue: things that never end) — a RAS dial of a
 * process that is gone is never kept unless it is up: 100 processes each
 * dial an entry of their own and go without RasHangUp, ten at a time:
 * after a failure (676 busy, 691 wrong password; 70 of them), killed with
 * SIGKILL mid-dial (10) or while paused in RetryAuthentication (10), or
 * exiting mid-dial (10). tapixd's counters come back where they started,
 * every handle is invalid, nothing is listed. (Each failed one used to
 * leave a registration, two opens and a call for good.)
 */
static void test_ras_dials_of_gone_processes_leave_nothing(void **s)
{
	enum {
		N = 100,
		BATCH = 10
	};
	unsigned long handles[N], err;
	char path[160], entry[16], rest[128];
	uint64_t before[9];
	RASCONNA v[4];
	unsigned b, i;

	(void)s;
	snprintf(path, sizeof(path), "%s/gone.pbk", dir);
	write_gone_pbk(path, N);
	service_counts(before);
	for (b = 0; b < N; b += BATCH) {
		struct helper h[BATCH];

		for (i = 0; i < BATCH; i++) {
			unsigned k = (b + i) % 10;
			const char *args[] = {
				k < 7 ? "rasfail" : "rasdialling",
				path,
				entry,
				"alice",
				k < 4 || k == 7 || k == 9 ? "secret" : "wrong",
				k == 7   ? "wait"
				: k == 8 ? "paused"
					 : "exit",
				NULL};

			snprintf(entry, sizeof(entry), "F%u", b + i);
			h[i] = helper(args);
		}
		for (i = 0; i < BATCH; i++) {
			unsigned k = (b + i) % 10;

			if (k < 7) {
				read_until(&h[i], "result ", rest,
				           sizeof(rest));
				assert_int_equal(sscanf(rest, "%lu %lx", &err,
				                        &handles[b + i]),
				                 2);
				assert_int_equal(
					err,
					k < 4 ? ERROR_LINE_BUSY
					      : ERROR_AUTHENTICATION_FAILURE);
			} else {
				read_until(&h[i], "dialling ", rest,
				           sizeof(rest));
				handles[b + i] = strtoul(rest, NULL, 16);
			}
			if (k == 8) /* RASCS_RetryAuthentication */
				read_until(&h[i], "state 1001 0", rest,
				           sizeof(rest));
			if (k == 7 || k == 8)
				proc_kill(h[i].pid); /* SIGKILL */
			else
				assert_int_equal(proc_wait(h[i].pid, STEP_MS),
				                 0);
			close(h[i].fd);
			assert_true(handles[b + i] != 0);
		}
	}
	wait_counts_equal(before);
	for (i = 0; i < N; i++) {
		RASCONNSTATUSA st;

		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		assert_int_equal(RasGetConnectStatus(
					 (HRASCONN)(uintptr_t)handles[i], &st),
		                 ERROR_INVALID_HANDLE);
	}
	assert_int_equal(ras_list(v, 4), 0);
}

/*
 * ras-phonebook §B3 — rasdial lists the connections, dials an entry that
 * is up already (a reference more), and /DISCONNECT (names compared
 * without case, switches too) hangs up every reference and waits; a name
 * not connected is not an error.
 */
static void test_rasdial_lists_and_disconnects_by_name(void **s)
{
	char out[4096];

	(void)s;
	assert_int_equal(rasdial("", "", out, sizeof(out)), 0);
	assert_string_equal(out, "No connections\n"
	                         "Command completed successfully.\n");
	rasdial_ok("Lab alice secret", 0,
	           "Connecting to Lab...\n"
	           "Verifying username and password...\n"
	           "Registering your computer on the network...\n"
	           "Successfully connected to Lab.\n"
	           "Command completed successfully.\n");
	rasdial_ok("Lab alice secret", 0,
	           "Lab is already connected.\n"
	           "Command completed successfully.\n");
	assert_int_equal(rasdial("", "", out, sizeof(out)), 0);
	assert_string_equal(out, "Connected to\nLab\n"
	                         "Command completed successfully.\n");
	rasdial_ok("lab /disconnect", 0, "Command completed successfully.");
	assert_int_equal(rasdial("", "", out, sizeof(out)), 0);
	assert_string_equal(out, "No connections\n"
	                         "Command completed successfully.\n");
	wait_ras_idle();
	rasdial_ok("Lab -DISCONNECT", 0, "Lab is not connected.");
	/* without a name: the only connection */
	rasdial_ok("Lab alice secret", 0, "Successfully connected");
	assert_int_equal(rasdial("", "/DISCONNECT", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Command completed successfully."));
	wait_ras_idle();
}

/*
 * ras-phonebook §B3 — the exit statuses: n - 600 for RAS error n with
 * "Remote Access error n" on stderr (691 wrong password, 623 no such
 * entry, 676 busy, 711 no service), 255 for usage, 0 for /?; a failed
 * dial leaves nothing behind.
 */
static void test_rasdial_exit_statuses(void **s)
{
	char out[4096], prefix[256];
	RASCONNA v[4];

	(void)s;
	rasdial_ok("Lab alice wrong", 91, "Remote Access error 691 - ");
	assert_int_equal(ras_list(v, 4), 0);
	wait_ras_idle();
	rasdial_ok("Nope", 23, "Remote Access error 623 - ");
	rasdial_ok("Busy", 76, "Remote Access error 676 - ");
	wait_ras_idle();
	assert_int_equal(rasdial("", "a b c d", out, sizeof(out)), 255);
	assert_int_equal(rasdial("", "Lab /PHONE", out, sizeof(out)), 255);
	assert_int_equal(rasdial("", "/?", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Usage:"));
	snprintf(prefix, sizeof(prefix), "TAPIX_SERVICE=unix:path=%s/no-bus",
	         dir);
	assert_int_equal(rasdial(prefix, "", out, sizeof(out)), 111);
	assert_non_null(strstr(out, "Remote Access error 711 - "));
}

/*
 * ras-phonebook §B3 — a word that starts with / or - and names no switch
 * is a usage error (255, "unknown switch"), never a dial: a typo of
 * /DISCONNECT once dialled Lab with it as the user name. tapixd saw no
 * dial, its counters are as they were, nothing is listed. After "--"
 * every word is an argument: a password that starts with /.
 */
static void test_rasdial_unknown_switch_is_an_error(void **s)
{
	static const char *const bad[] = {
		"Lab /DISCONECT", "Lab alice secret /PHONE=200",
		"Lab -disconect", "Lab --disconect",
		"/FROB",          "Lab alice -",
	};
	uint64_t before[9], after[9];
	char a[512], out[4096], want[64];
	RASCONNA v[4];
	unsigned i;

	(void)s;
	service_counts(before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "rasdial: unknown switch: %s",
		         strrchr(bad[i], ' ') ? strrchr(bad[i], ' ') + 1
		                              : bad[i]);
		rasdial_ok(bad[i], 255, want);
	}
	assert_false(log_has(tlog, " dials "));
	service_counts(after);
	assert_memory_equal(after, before, 6 * sizeof(before[0]));
	assert_int_equal(ras_list(v, 4), 0);
	/* "--": what follows is an argument, a switch or not */
	snprintf(a, sizeof(a), "/PHONEBOOK:%s Lab bob -- /pw", pbk);
	assert_int_equal(rasdial("", a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Successfully connected to Lab."));
	assert_int_equal(ras_list(v, 4), 1);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
	wait_ras_idle();
}

/* ras-phonebook §B3 — a password "*" read from stdin (not a terminal). */
static void test_rasdial_password_prompt_from_stdin(void **s)
{
	char a[512], out[4096];
	RASCONNA v[4];

	(void)s;
	snprintf(a, sizeof(a), "Lab alice '*' /PHONEBOOK:%s", pbk);
	assert_int_equal(rasdial("printf 'wrong\\n' |", a, out, sizeof(out)),
	                 91);
	assert_int_equal(rasdial("printf 'secret\\n' |", a, out, sizeof(out)),
	                 0);
	assert_non_null(strstr(out, "Successfully connected to Lab."));
	assert_null(strstr(out, "secret")); /* never echoed */
	assert_int_equal(ras_list(v, 4), 1);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
}

/*
 * ras-phonebook §B3 — SIGINT while dialling: rasdial hangs up, waits for
 * the teardown and exits 31 (631); nothing is left.
 */
static void test_rasdial_sigint_hangs_up(void **s)
{
	char line[256];
	RASCONNA v[4];
	int fd;
	pid_t pid;

	(void)s;
	pid = start_rasdial("Silent", &fd);
	kill(-pid, SIGINT);
	assert_int_equal(proc_wait(pid, 20000), 31);
	assert_true(proc_read_line(fd, line, sizeof(line), STEP_MS));
	assert_non_null(strstr(line, "Remote Access error 631 - "));
	close(fd);
	assert_int_equal(ras_list(v, 4), 0);
	wait_ras_idle();
}

/*
 * Issue 6 §3 — connections are listed to their user's processes (and
 * root's): nobody neither sees nor hangs up root's connection.
 */
static void test_ras_other_uid_cannot_see_or_hang_up(void **s)
{
	char prefix[128], out[4096];
	RASCONNA v[4];

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	rasdial_ok("Lab alice secret", 0, "Successfully connected");
	snprintf(prefix, sizeof(prefix),
	         "setpriv --reuid=%d --regid=%d --clear-groups", NOBODY,
	         NOBODY);
	assert_int_equal(rasdial(prefix, "", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "No connections"));
	assert_int_equal(rasdial(prefix, "Lab /DISCONNECT", out, sizeof(out)),
	                 0);
	assert_non_null(strstr(out, "Lab is not connected."));
	assert_int_equal(ras_list(v, 4), 1);
	/* the raw interface: root's handle is not nobody's */
	snprintf(out, sizeof(out),
	         "%s busctl --address=%s call org.tapix.Tapix1 " ROOT
	         " org.tapix.Ras1 HangUp t %llu | grep -q '^u 6$'",
	         prefix, addr, (unsigned long long)(uintptr_t)v[0].hrasconn);
	assert_int_equal(system(out), 0);
	assert_int_equal(ras_list(v, 4), 1);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
}

/*
 * Every file and directory under @root (logs and @skip, a path or NULL,
 * left out) with type, size, mode, owner, inode and times, sorted, in
 * @out: the same text twice when nothing there was created, changed or
 * removed in between. "" for a @root that does not exist.
 */
static void tree(const char *root, const char *skip, char *out, size_t size)
{
	char cmd[512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
	         "find %s %s%s%s ! -name '*.log' -printf '%%p %%y %%s %%m "
	         "%%U %%i %%T@ %%C@\\n' 2>/dev/null | sort",
	         root, skip ? "-path " : "", skip ? skip : "",
	         skip ? " -prune -o" : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	pclose(p);
	assert_true(n < size - 1); /* all of it */
}

/* Fails, naming the first line that differs, unless @now is @was (two
 * tree() listings). */
static void assert_same_tree(const char *was, const char *now)
{
	size_t i = 0;

	if (strcmp(was, now) == 0)
		return;
	while (was[i] && was[i] == now[i])
		i++;
	while (i && now[i - 1] != '\n')
		i--;
	fail_msg("created, changed or removed: was \"%.*s\", now \"%.*s\"",
	         (int)strcspn(was + i, "\n"), was + i,
	         (int)strcspn(now + i, "\n"), now + i);
}

/*
 * A configuration directory of nobody's own in the test's directory, in
 * @cfg; in @prefix, what runs a command as nobody with it as its
 * XDG_CONFIG_HOME and HOME.
 */
static void as_nobody(char *cfg, size_t csize, char *prefix, size_t psize)
{
	snprintf(cfg, csize, "%s/nobody-config", dir);
	assert_int_equal(mkdir(cfg, 0700), 0);
	assert_int_equal(chown(cfg, NOBODY, NOBODY), 0);
	snprintf(prefix, psize,
	         "setpriv --reuid=%d --regid=%d --clear-groups "
	         "env XDG_CONFIG_HOME=%s HOME=%s",
	         NOBODY, NOBODY, cfg, cfg);
}

/* Hangs up every connection (root: everyone's) and waits until the
 * manager holds nothing. */
static void hang_up_all(void)
{
	RASCONNA v[8];
	DWORD n = ras_list(v, 8), i;

	for (i = 0; i < n; i++)
		fx_ras_hang_up_and_wait(v[i].hrasconn);
	wait_ras_idle();
}

/* The whole of file @path in @out ("" if it cannot be read). */
static void slurp(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(out, 1, size - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

/* A user name of lines (for printf(1)): a section of its own for the
 * credentials file of phonebook %s, with a password. */
#define EVIL "x\\n[%s|Office]\\nUserName=root\\nPassword=owned"

/*
 * ras.md §9, §12 (security review, high: a local user made root write the
 * credentials file) — tapixd writes no credentials: the process that
 * dialled saves them, with its own permissions, in its own file. nobody
 * dials an entry of a phonebook in a directory only root may write,
 * with a user name that brings lines and a section of its own: RasDial
 * refuses it (87, no connection) and nothing is written anywhere, neither
 * beside that phonebook nor in tapixd's home nor in nobody's. Asked
 * directly (busctl) to dial an entry of the system phonebook for nobody,
 * with such a name or a plain one, tapixd refuses the one (87) and
 * connects the other, and writes nothing: /etc/tapix is as it was. With
 * a plain name rasdial connects and nobody's own credentials file, mode
 * 0600, his, gets the user name (never the password); nothing else
 * changes.
 */
static void test_ras_credentials_are_saved_by_the_dialler_only(void **s)
{
	char rootdir[128], rpbk[160], cfg[128], creds[192], prefix[512];
	char name[512], a[1024], out[4096], raw[2048];
	char before[8192], after[8192], etc_before[4096], etc_after[4096];
	struct stat sb;
	FILE *f;
	int st;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	snprintf(rootdir, sizeof(rootdir), "%s/rootonly", dir);
	assert_int_equal(mkdir(rootdir, 0755), 0);
	snprintf(rpbk, sizeof(rpbk), "%s/rasphone.pbk", rootdir);
	f = fopen(rpbk, "w");
	assert_non_null(f);
	fputs("[Office]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\n"
	      "PhoneNumber=answer\n",
	      f);
	fclose(f);
	assert_int_equal(chmod(rpbk, 0644), 0);
	as_nobody(cfg, sizeof(cfg), prefix, sizeof(prefix));
	snprintf(creds, sizeof(creds), "%s/tapix/ras-credentials", cfg);
	tree(dir, cfg, before, sizeof(before));
	tree("/etc/tapix", NULL, etc_before, sizeof(etc_before));

	/* the system phonebook's entry, for nobody, straight to tapixd: a
	 * name with lines is refused, a plain one dialled, nothing saved */
	snprintf(name, sizeof(name), EVIL, "/etc/tapix/rasphone.pbk");
	snprintf(raw, sizeof(raw),
	         "%s busctl --address=%s call org.tapix.Tapix1 " ROOT
	         " org.tapix.Ras1 Dial ssbssssssbuayusssb Office "
	         "/etc/tapix/rasphone.pbk true answer modem '' esp-0 '' '' "
	         "true 30 16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 "
	         "\"$(printf '%s')\" pw '' false",
	         prefix, addr, name);
	f = popen(raw, "r");
	assert_non_null(f);
	out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
	pclose(f);
	snprintf(raw, sizeof(raw),
	         "%s busctl --address=%s call org.tapix.Tapix1 " ROOT
	         " org.tapix.Ras1 Dial ssbssssssbuayusssb Office "
	         "/etc/tapix/rasphone.pbk true answer modem '' esp-0 '' '' "
	         "true 30 16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 plain pw '' "
	         "false | grep -q '^utu 0 [1-9]'",
	         prefix, addr);
	st = system(raw);
	wait_log("dials Office for uid 65534: 0");
	tree("/etc/tapix", NULL, etc_after, sizeof(etc_after));
	assert_same_tree(etc_before, etc_after);
	tree(dir, cfg, after, sizeof(after));
	assert_same_tree(before, after);
	assert_non_null(strstr(out, "utu 87 0 0"));
	assert_int_equal(st, 0);
	hang_up_all();

	/* rasdial as nobody, the user name with lines */
	snprintf(name, sizeof(name), EVIL, rpbk);
	snprintf(a, sizeof(a), "Office \"$(printf '%s')\" pw /PHONEBOOK:%s",
	         name, rpbk);
	st = rasdial(prefix, a, out, sizeof(out));
	tree(dir, cfg, after, sizeof(after));
	assert_same_tree(before, after);
	assert_int_equal(stat(creds, &sb), -1);
	assert_int_equal(st, 254);
	assert_non_null(strstr(out, "Remote Access error 87 - "));
	wait_ras_idle();

	/* a plain one: saved in nobody's file, and only there */
	snprintf(a, sizeof(a), "Office plain pw /PHONEBOOK:%s", rpbk);
	assert_int_equal(rasdial(prefix, a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Successfully connected to Office."));
	tree(dir, cfg, after, sizeof(after));
	assert_same_tree(before, after);
	tree("/etc/tapix", NULL, etc_after, sizeof(etc_after));
	assert_same_tree(etc_before, etc_after);
	assert_int_equal(stat(creds, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_uid, NOBODY);
	slurp(creds, out, sizeof(out));
	snprintf(a, sizeof(a), "[%s|Office]\nUserName=plain\n", rpbk);
	assert_non_null(strstr(out, a));
	assert_null(strstr(out, "Password"));
	hang_up_all();
}

/*
 * ras.md §3.3, §6, §12 (security review, high: a connection hijacked
 * across users) — a connection is its user's: nobody dials root's entry
 * Office with a number of his own choosing; root's RasDial of Office is
 * then a connection of root's own (the entry's number), not a reference
 * on nobody's. root lists both (root: everyone's; RASCF_OwnerMatch on its
 * own), nobody only his; nobody's dial of Office joins his own, root's
 * second dial root's.
 */
static void test_ras_same_entry_of_another_user_is_another_connection(void **s)
{
	char cfg[128], prefix[512], a[512], out[4096];
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	RASCONNA v[4];
	HRASCONN theirs, h = NULL, h2 = NULL;
	DWORD i;

	(void)s;
	if (geteuid() != 0) {
		print_message("needs root to run a client as another uid\n");
		skip();
	}
	as_nobody(cfg, sizeof(cfg), prefix, sizeof(prefix));
	snprintf(a, sizeof(a), "Office /PHONE:answer:10 /PHONEBOOK:%s", pbk);
	assert_int_equal(rasdial(prefix, a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Successfully connected to Office."));
	assert_int_equal(ras_list(v, 4), 1);
	assert_int_equal(v[0].luid.LowPart, NOBODY);
	theirs = v[0].hrasconn;

	/* root's rasdial of the same entry dials its own (it sees
	 * nobody's, not its own: not "already connected") */
	snprintf(a, sizeof(a), "Office /PHONEBOOK:%s", pbk);
	assert_int_equal(rasdial("", a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Successfully connected to Office."));
	assert_null(strstr(out, "already connected"));
	/* root dials the same entry of the same phonebook: its own */
	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	snprintf(p.szEntryName, sizeof(p.szEntryName), "Office");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	assert_true(h != NULL);
	assert_true(h != theirs);
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(h, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	assert_string_equal(st.szPhoneNumber, "answer");
	assert_int_equal(RasGetConnectStatus(theirs, &st), 0);
	assert_string_equal(st.szPhoneNumber, "answer:10");
	/* each saved who dialled in a file of its own (ras.md §9); tapixd
	 * in none */
	snprintf(a, sizeof(a), "%s/tapix/ras-credentials", own_config);
	slurp(a, out, sizeof(out));
	snprintf(a, sizeof(a), "[%s|Office]\nUserName=\n", pbk);
	assert_non_null(strstr(out, a));
	snprintf(a, sizeof(a), "%s/tapix/ras-credentials", cfg);
	slurp(a, out, sizeof(out));
	snprintf(a, sizeof(a), "[%s|Office]\nUserName=\n", pbk);
	assert_non_null(strstr(out, a));
	snprintf(a, sizeof(a), "%s/tapix", tapixd_config);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(ras_list(v, 4), 2);
	for (i = 0; i < 2; i++) {
		bool mine = v[i].hrasconn == h;

		assert_true(mine || v[i].hrasconn == theirs);
		assert_string_equal(v[i].szEntryName, "Office");
		assert_int_equal(v[i].luid.LowPart, mine ? 0 : NOBODY);
		assert_int_equal((v[i].dwFlags & RASCF_OwnerMatch) != 0, mine);
	}

	/* nobody sees his own only, and his dial joins it */
	assert_int_equal(rasdial(prefix, "", out, sizeof(out)), 0);
	assert_string_equal(out, "Connected to\nOffice\n"
	                         "Command completed successfully.\n");
	snprintf(a, sizeof(a), "Office /PHONEBOOK:%s", pbk);
	assert_int_equal(rasdial(prefix, a, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Office is already connected."));
	/* root's second dial joins root's */
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h2), 0);
	assert_ptr_equal(h2, h);
	assert_int_equal(ras_list(v, 4), 2);

	assert_int_equal(RasHangUp(h), 0); /* one of two references */
	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(h, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	/* root's rasdial /DISCONNECT ends root's own, nobody's stays */
	snprintf(a, sizeof(a), "Office /DISCONNECT /PHONEBOOK:%s", pbk);
	assert_int_equal(rasdial("", a, out, sizeof(out)), 0);
	assert_int_equal(RasGetConnectStatus(h, &st), ERROR_INVALID_HANDLE);
	assert_int_equal(RasGetConnectStatus(theirs, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	fx_ras_hang_up_and_wait(theirs); /* root holds none: forced */
	wait_ras_idle();
}

/* Entries for test_ras_credentials_refuse_what_breaks_the_file. */
static const char names_pbk[] =
	"[Good]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=answer\n"
	"[A[B]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=answer\n"
	"[A=B]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=answer\n"
	"[A|B]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=answer\n"
	"[A\tB]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=answer\n";

/* RASDIALPARAMS for @entry with @user and @password. */
static void dial_params(RASDIALPARAMSA *p, const char *entry, const char *user,
                        const char *password)
{
	memset(p, 0, sizeof(*p));
	p->dwSize = sizeof(*p);
	snprintf(p->szEntryName, sizeof(p->szEntryName), "%s", entry);
	snprintf(p->szUserName, sizeof(p->szUserName), "%s", user);
	snprintf(p->szPassword, sizeof(p->szPassword), "%s", password);
}

/*
 * ras.md §9 — nothing that could break the credentials file gets into it:
 * RasSetEntryDialParams refuses (87), writing nothing, a user name,
 * password, domain or callback number with a byte below 0x20 or 0x7F, and
 * an entry whose name holds '[', '=', '|' (what a section name may not)
 * or such a byte; UTF-8 is text. RasDial refuses such a user name, domain
 * or callback number (87) before there is a connection (the handle stays
 * NULL), also a resuming RasDial's user name, and an entry name with such
 * a byte; it dials the entry "A|B" but saves nothing for it.
 */
static void test_ras_credentials_refuse_what_breaks_the_file(void **s)
{
	static const char *const bad[] = {"\n",   "\r",   "\x01",
	                                  "\x1f", "\x7f", "\t"};
	static const char *const bad_entries[] = {"A[B", "A=B", "A|B", "A\tB"};
	char path[160], creds[192], good[4096], now[4096];
	RASDIALPARAMSA p;
	struct stat sb;
	BOOL has = FALSE;
	HRASCONN h;
	unsigned i, k;
	FILE *f;

	(void)s;
	snprintf(path, sizeof(path), "%s/names.pbk", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(names_pbk, f);
	fclose(f);
	snprintf(creds, sizeof(creds), "%s/tapix/ras-credentials", own_config);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (k = 0; k < 4; k++) {
			char v[8];

			snprintf(v, sizeof(v), "a%sb", bad[i]);
			dial_params(&p, "Good", k == 0 ? v : "alice",
			            k == 1 ? v : "pw");
			if (k == 2)
				snprintf(p.szDomain, sizeof(p.szDomain), "%s",
				         v);
			if (k == 3)
				snprintf(p.szCallbackNumber,
				         sizeof(p.szCallbackNumber), "%s", v);
			assert_int_equal(RasSetEntryDialParams(path, &p, FALSE),
			                 ERROR_INVALID_PARAMETER);
			assert_int_equal(stat(creds, &sb), -1);
			if (k == 1)
				continue; /* (RasDial saves no password) */
			h = NULL;
			assert_int_equal(RasDial(NULL, path, &p, 0, NULL, &h),
			                 ERROR_INVALID_PARAMETER);
			assert_null(h);
		}
	}
	for (i = 0; i < sizeof(bad_entries) / sizeof(bad_entries[0]); i++) {
		dial_params(&p, bad_entries[i], "alice", "pw");
		assert_int_equal(RasSetEntryDialParams(path, &p, FALSE),
		                 ERROR_INVALID_PARAMETER);
		assert_int_equal(stat(creds, &sb), -1);
		assert_int_equal(RasGetEntryDialParams(path, &p, &has), 0);
		assert_false(has);
		assert_string_equal(p.szUserName, "");
	}
	/* UTF-8 and spaces are text */
	dial_params(&p, "Good", "J\xc3\xbcrgen", "p w");
	snprintf(p.szDomain, sizeof(p.szDomain), "LAB");
	assert_int_equal(RasSetEntryDialParams(path, &p, FALSE), 0);
	assert_int_equal(stat(creds, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	dial_params(&p, "Good", "", "");
	assert_int_equal(RasGetEntryDialParams(path, &p, &has), 0);
	assert_true(has);
	assert_string_equal(p.szUserName, "J\xc3\xbcrgen");
	assert_string_equal(p.szDomain, "LAB");
	/* removing the password writes none, whatever szPassword holds */
	dial_params(&p, "Good", "J\xc3\xbcrgen", "a\nb");
	assert_int_equal(RasSetEntryDialParams(path, &p, TRUE), 0);
	slurp(creds, good, sizeof(good));
	assert_null(strstr(good, "Password"));
	/* resuming: the new user name too (before the handle is looked at) */
	dial_params(&p, "Good", "a\nb", "pw");
	h = (HRASCONN)(uintptr_t)123456789;
	assert_int_equal(RasDial(NULL, path, &p, 0, NULL, &h),
	                 ERROR_INVALID_PARAMETER);
	dial_params(&p, "Good", "ab", "pw");
	assert_int_equal(RasDial(NULL, path, &p, 0, NULL, &h),
	                 ERROR_INVALID_HANDLE);
	/* a name with a control byte is no entry RasDial dials */
	dial_params(&p, "A\tB", "alice", "pw");
	h = NULL;
	assert_int_equal(RasDial(NULL, path, &p, 0, NULL, &h),
	                 ERROR_INVALID_PARAMETER);
	assert_null(h);
	/* one whose credentials cannot be saved is dialled all the same */
	dial_params(&p, "A|B", "alice", "pw");
	h = NULL;
	assert_int_equal(RasDial(NULL, path, &p, 0, NULL, &h), 0);
	fx_ras_hang_up_and_wait(h);
	slurp(creds, now, sizeof(now));
	assert_string_equal(now, good);
	wait_ras_idle();
}

/* A method of org.tapix.Ras1 (raw_call_v). */
static int ras_raw(const char *member, sd_bus_message **reply,
                   const char *types, ...)
{
	va_list ap;
	int e;

	va_start(ap, types);
	e = raw_call_v("org.tapix.Ras1", member, reply, types, ap);
	va_end(ap);
	return e;
}

/* Dial with entry @entry and a GUID of @glen bytes; the RAS result. */
static uint32_t ras_raw_dial(const char *entry, size_t glen)
{
	static const uint8_t guid[32];
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	uint32_t v = 0xFFFFFFFFu;
	int e;

	e = sd_bus_message_new_method_call(bus, &m, "org.tapix.Tapix1", ROOT,
	                                   "org.tapix.Ras1", "Dial");
	if (e >= 0)
		e = sd_bus_message_append(m, "ssbssssssbu", entry, pbk, 1,
		                          "answer", "modem", "", "esp-1", "",
		                          "", 1, 30);
	if (e >= 0)
		e = sd_bus_message_append_array(m, 'y', guid, glen);
	if (e >= 0)
		e = sd_bus_message_append(m, "usssb", 0, "", "", "", 0);
	if (e >= 0)
		e = sd_bus_call(bus, m, 5 * 1000 * 1000, &err, &r);
	assert_true(e >= 0);
	assert_true(sd_bus_message_read(r, "u", &v) >= 0);
	sd_bus_message_unref(r);
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
	return v;
}

/* The first value of a Ras1 answer: a RAS result. */
static uint32_t ras_result(sd_bus_message **r)
{
	uint32_t v = 0xFFFFFFFFu;

	assert_true(sd_bus_message_read(*r, "u", &v) >= 0);
	*r = sd_bus_message_unref(*r);
	return v;
}

/* Milliseconds on CLOCK_MONOTONIC. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Issue 16 (the RAS client polled tapixd) — a client whose dial waits,
 * paused in RetryAuthentication, asks tapixd nothing while nothing
 * changes: its waker keeps one Wait out instead of its notifier reading
 * Events every 20 ms, then every half second. A bus monitor counts the
 * client's Events calls for 3 s, once it has shown one of the test's own
 * (so a monitor that sees nothing cannot pass). Then the dial is resumed
 * with the right password from here: the client's notifier hears
 * Connected (the watch that waited is woken).
 */
static void test_ras_paused_dial_polls_nothing(void **s)
{
	const char *args[] = {"rasdialling", pbk,      "Lab", "alice",
	                      "wrong",       "paused", NULL};
	const char *margs[] = {
		"dbus-monitor", "--address", addr,
		"type='method_call',interface='org.tapix.Ras1',member='Events'",
		NULL};
	char line[512], rest[128], mine[96];
	sd_bus_message *r = NULL;
	const char *me = NULL;
	struct helper h;
	unsigned long hc;
	unsigned n = 0, i;
	bool seen = false;
	uint64_t end;
	int mfd;
	pid_t mp;

	(void)s;
	assert_true(sd_bus_get_unique_name(bus, &me) >= 0);
	snprintf(mine, sizeof(mine), "sender=%s ", me);
	h = helper(args);
	read_until(&h, "dialling ", rest, sizeof(rest));
	hc = strtoul(rest, NULL, 16);
	read_until(&h, "state 1001 0", rest, sizeof(rest));
	mp = proc_start_pipe(&mfd, 60, margs);
	for (i = 0; !seen && i < 50; i++) {
		assert_true(ras_raw("Events", &r, "tu", (uint64_t)hc,
		                    777777u) >= 0);
		assert_int_equal(ras_result(&r), 0);
		while (!seen && proc_read_line(mfd, line, sizeof(line), 200))
			seen = strstr(line, "uint32 777777") != NULL;
	}
	assert_true(seen);
	for (end = now_ms() + 3000;;) {
		uint64_t t = now_ms();

		if (t >= end || !proc_read_line(mfd, line, sizeof(line),
		                                (unsigned)(end - t)))
			break;
		if (strstr(line, "member=Events") && !strstr(line, mine))
			n++;
	}
	proc_kill(mp);
	close(mfd);
	/* none; one or two if the client was behind as the window opened
	 * (its reads catching up with the last changes); before: about
	 * 150, or 6 when it polled every half second */
	assert_in_range(n, 0, 2);
	assert_true(ras_raw("Resume", &r, "tsss", (uint64_t)hc, "alice",
	                    "secret", "") >= 0);
	assert_int_equal(ras_result(&r), 0);
	read_until(&h, "state 2000 0", rest, sizeof(rest)); /* Connected */
	proc_kill(h.pid);
	close(h.fd);
	fx_ras_hang_up_and_wait((HRASCONN)(uintptr_t)hc);
	wait_ras_idle();
}

/* A Wait's answer (test_ras_wait_answers_changes_and_is_bounded). */
struct wait_got {
	bool done;
	uint32_t result, changes;
};

static int on_wait(sd_bus_message *m, void *ud, sd_bus_error *e)
{
	struct wait_got *g = ud;

	(void)e;
	g->done = true;
	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_read(m, "uu", &g->result, &g->changes) < 0)
		g->result = 0xFFFFFFFFu;
	return 0;
}

/*
 * Issue 16 — Wait (docs/service.md): answered at once when the caller's
 * count of changes is not the one it gives, or with no time to wait; a
 * time over a minute is refused (87); four Waits of one bus name may be
 * out, a fifth is refused (8: the client polls then); a change of the
 * caller's connections (a dial) answers the four long before their
 * 30 s, each with the new count.
 */
static void test_ras_wait_answers_changes_and_is_bounded(void **s)
{
	struct wait_got got[4];
	sd_bus_message *r = NULL;
	sd_bus_slot *slot[4];
	uint32_t res = 1, n0 = 0, n1 = 0;
	RASCONNA v[4];
	unsigned i, done = 0, rounds;

	(void)s;
	assert_true(ras_raw("Wait", &r, "uu", 0u, 0u) >= 0);
	assert_true(sd_bus_message_read(r, "uu", &res, &n0) >= 0);
	r = sd_bus_message_unref(r);
	assert_int_equal(res, 0);
	assert_true(ras_raw("Wait", &r, "uu", n0 + 1, 60000u) >= 0);
	assert_true(sd_bus_message_read(r, "uu", &res, &n1) >= 0);
	r = sd_bus_message_unref(r);
	assert_int_equal(res, 0);
	assert_int_equal(n1, n0); /* not the count given: at once */
	assert_true(ras_raw("Wait", &r, "uu", n0, 60001u) >= 0);
	assert_int_equal(ras_result(&r), ERROR_INVALID_PARAMETER);
	memset(got, 0, sizeof(got));
	for (i = 0; i < 4; i++) {
		sd_bus_message *m = NULL;

		assert_true(sd_bus_message_new_method_call(
				    bus, &m, "org.tapix.Tapix1", ROOT,
				    "org.tapix.Ras1", "Wait") >= 0);
		assert_true(sd_bus_message_append(m, "uu", n0, 30000u) >= 0);
		assert_true(sd_bus_call_async(bus, &slot[i], m, on_wait,
		                              &got[i], 40 * 1000 * 1000) >= 0);
		sd_bus_message_unref(m);
	}
	/* (refused: the four wait) */
	assert_true(ras_raw("Wait", &r, "uu", n0, 30000u) >= 0);
	assert_int_equal(ras_result(&r), ERROR_NOT_ENOUGH_MEMORY);
	rasdial_ok("Lab alice secret", 0, "Successfully connected");
	for (rounds = 0; done < 4 && rounds < 100; rounds++) {
		while (sd_bus_process(bus, NULL) > 0)
			;
		for (done = 0, i = 0; i < 4; i++)
			done += got[i].done;
		if (done < 4)
			sd_bus_wait(bus, 100 * 1000);
	}
	for (i = 0; i < 4; i++) {
		assert_true(got[i].done);
		assert_int_equal(got[i].result, 0);
		assert_int_not_equal(got[i].changes, n0);
		sd_bus_slot_unref(slot[i]);
	}
	assert_int_equal(ras_list(v, 4), 1);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
	wait_ras_idle();
}

/*
 * Issue 5 (tests), issue 6 — malformed org.tapix.Ras1 calls get D-Bus
 * errors or the RAS error and change nothing: wrong types, unknown
 * handles, strings longer than their fields, a GUID of the wrong size, an
 * absurd position in the notifications; the connection up meanwhile is
 * unharmed.
 */
static void test_ras_malformed_calls_change_nothing(void **s)
{
	sd_bus_message *r = NULL;
	char *huge;
	RASCONNA v[4];
	uint64_t h;

	(void)s;
	rasdial_ok("Lab alice secret", 0, "Successfully connected");
	assert_int_equal(ras_list(v, 4), 1);
	h = (uint64_t)(uintptr_t)v[0].hrasconn;
	/* wrong types */
	assert_true(ras_raw("Dial", &r, "s", "Lab") < 0);
	assert_true(ras_raw("HangUp", &r, "s", "1") < 0);
	assert_true(ras_raw("Events", &r, "t", h) < 0);
	/* unknown handles */
	assert_true(ras_raw("HangUp", &r, "t", h + 1000) >= 0);
	assert_int_equal(ras_result(&r), ERROR_INVALID_HANDLE);
	assert_true(ras_raw("Status", &r, "t", (uint64_t)0) >= 0);
	assert_int_equal(ras_result(&r), ERROR_INVALID_HANDLE);
	assert_true(ras_raw("Resume", &r, "tsss", h + 1000, "", "", "") >= 0);
	assert_int_equal(ras_result(&r), ERROR_INVALID_HANDLE);
	/* an absurd position: nothing, no crash */
	assert_true(ras_raw("Events", &r, "tu", h, 0xFFFFFFFFu) >= 0);
	assert_int_equal(ras_result(&r), 0);
	/* too long a string, a GUID of 3 bytes */
	huge = malloc(100000);
	assert_non_null(huge);
	memset(huge, 'x', 99999);
	huge[99999] = '\0';
	assert_int_equal(ras_raw_dial(huge, 16), ERROR_INVALID_PARAMETER);
	assert_int_equal(ras_raw_dial("Other", 3), ERROR_INVALID_PARAMETER);
	assert_int_equal(ras_raw_dial("Other", 32), ERROR_INVALID_PARAMETER);
	assert_true(ras_raw("Resume", &r, "tsss", h, huge, "", "") >= 0);
	assert_int_equal(ras_result(&r), ERROR_INVALID_PARAMETER);
	free(huge);
	/* not served on a direct connection: a dial there would have no bus
	 * name to hold its references and be watched by (ras.md §4) */
	raw_direct_start();
	assert_true(ras_raw("Enum", &r, NULL) < 0);
	assert_true(ras_raw("HangUp", &r, "t", h) < 0);
	raw_direct_end();
	/* the connection is as it was */
	assert_int_equal(ras_list(v, 4), 1);
	assert_int_equal(ras_raw("Status", &r, "t", h), 1);
	assert_int_equal(ras_result(&r), 0);
	fx_ras_hang_up_and_wait(v[0].hrasconn);
	wait_ras_idle();
}

/*
 * Issue 5 §1 with RAS — SIGTERM with a connection up: tapixd tears it
 * down (its call dropped) and exits 0.
 */
static void test_ras_sigterm_tears_connections_down(void **s)
{
	(void)s;
	rasdial_ok("Lab alice secret", 0, "Successfully connected");
	kill(tapixd_pid, SIGTERM);
	assert_int_equal(proc_wait(tapixd_pid, 20000), 0);
	assert_true(log_has(tlog, "session ended"));
	assert_false(log_has(tlog, "still going"));
}

/*
 * A stand-in for tapixd's RAS on the test's bus (the test's own thread,
 * its own connection): it answers Status with ERROR_INVALID_HANDLE at
 * once, but holds its answer to the first HangUp until the test releases
 * it, or 10 s passed; then it answers 0.
 */
static void fake_hung_up(sd_bus_message *held)
{
	sd_bus_reply_method_return(held, "u", 0u);
}

static int fake_ras_serve(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct fake *f = userdata;
	const char *member = sd_bus_message_get_member(m);

	(void)e;
	if (!sd_bus_message_is_method_call(m, "org.tapix.Ras1", NULL))
		return 0;
	if (strcmp(member, "HangUp") == 0 &&
	    !__atomic_load_n(&f->holding, __ATOMIC_ACQUIRE)) {
		fake_hold(f, m);
		return 1;
	}
	if (f->held && strcmp(member, "Status") == 0)
		f->other_first = true;
	sd_bus_reply_method_return(m, "u", (uint32_t)ERROR_INVALID_HANDLE);
	return 1;
}

/* A RasHangUp on another thread. */
struct pending_hang_up {
	pthread_t t;
	DWORD r;
	bool done;
};

static void *hang_up_main(void *arg)
{
	struct pending_hang_up *p = arg;

	p->r = RasHangUpA((HRASCONN)(uintptr_t)0x1234);
	__atomic_store_n(&p->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Issue 16 item 5 — no lock across a call to tapixd, in RAS: while one
 * thread's RasHangUp waits for tapixd's answer, another thread's
 * RasGetConnectStatus goes to tapixd and comes back. The stand-in answers
 * the first only when the second came back, or after 10 s: with the
 * connection's lock held across the first (as it was), the second went
 * only after those 10 s, and came back after the first.
 */
static void test_ras_call_waiting_holds_up_no_other_call(void **s)
{
	struct pending_hang_up p;
	struct fake f;
	RASCONNSTATUSA st;
	bool first_done = true, started;
	DWORD r = 0;
	unsigned i;

	(void)s;
	fake_start(&f, fake_ras_serve, fake_hung_up);

	/* (no check fails while the stand-in runs: it uses f) */
	memset(&p, 0, sizeof(p));
	started = pthread_create(&p.t, NULL, hang_up_main, &p) == 0;
	for (i = 0; started && i < 500 &&
	            !__atomic_load_n(&f.holding, __ATOMIC_ACQUIRE);
	     i++)
		sleep_ms(10);
	if (started) {
		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		r = RasGetConnectStatusA((HRASCONN)(uintptr_t)0x1234, &st);
		first_done = __atomic_load_n(&p.done, __ATOMIC_ACQUIRE);
		__atomic_store_n(&f.release, true, __ATOMIC_RELEASE);
		pthread_join(p.t, NULL);
	}
	fake_stop(&f);

	assert_true(started);
	assert_true(f.holding);
	assert_int_equal(r, ERROR_INVALID_HANDLE);
	/* the second came back while the first still waited */
	assert_false(first_done);
	assert_true(f.other_first);
	assert_int_equal(p.r, 0);
}

/* What a stand-in without Wait saw, and what the notifier heard
 * (test_ras_without_wait_notifications_are_polled). */
#define NSTATES 6
static unsigned fake_events, fake_waits, heard;
static RASCONNSTATE heard_states[8];

/* Ras1 without Wait: Dial gives connection 0x77, whose NSTATES
 * notifications (OpenPort to Connected) Events gives one per call. */
static int fake_no_wait_serve(sd_bus_message *m, void *userdata,
                              sd_bus_error *e)
{
	static const uint32_t states[NSTATES] = {RASCS_OpenPort,
	                                         RASCS_PortOpened,
	                                         RASCS_ConnectDevice,
	                                         RASCS_DeviceConnected,
	                                         RASCS_AllDevicesConnected,
	                                         RASCS_Connected};
	const char *member = sd_bus_message_get_member(m);
	sd_bus_message *r = NULL;
	uint64_t h = 0;
	uint32_t from = 0;

	(void)userdata;
	(void)e;
	if (!sd_bus_message_is_method_call(m, "org.tapix.Ras1", NULL))
		return 0;
	if (strcmp(member, "Wait") == 0) {
		__atomic_add_fetch(&fake_waits, 1, __ATOMIC_RELAXED);
		return 0; /* unknown: an error answers it */
	}
	if (strcmp(member, "Dial") == 0) {
		sd_bus_reply_method_return(m, "utu", 0u, (uint64_t)0x77, 0u);
		return 1;
	}
	if (strcmp(member, "Events") != 0 ||
	    sd_bus_message_read(m, "tu", &h, &from) < 0 || h != 0x77) {
		sd_bus_reply_method_return(m, "u", 0u);
		return 1;
	}
	__atomic_add_fetch(&fake_events, 1, __ATOMIC_RELAXED);
	if (sd_bus_message_new_method_return(m, &r) >= 0 &&
	    sd_bus_message_append(r, "u", 0u) >= 0 &&
	    sd_bus_message_open_container(r, 'a', "(uu)") >= 0 &&
	    (from >= NSTATES ||
	     sd_bus_message_append(r, "(uu)", states[from], 0u) >= 0) &&
	    sd_bus_message_close_container(r) >= 0 &&
	    sd_bus_message_append(r, "bu", (int)(from + 1 >= NSTATES),
	                          from < NSTATES ? from + 1 : from) >= 0)
		sd_bus_send(NULL, r, NULL);
	sd_bus_message_unref(r);
	return 1;
}

static VOID WINAPI heard_notifier(HRASCONN h, UINT msg, RASCONNSTATE st,
                                  DWORD err, DWORD ext)
{
	unsigned i = __atomic_load_n(&heard, __ATOMIC_ACQUIRE);

	(void)h;
	(void)msg;
	(void)err;
	(void)ext;
	if (i < 8)
		heard_states[i] = st;
	__atomic_store_n(&heard, i + 1, __ATOMIC_RELEASE);
}

/*
 * Issue 16 — a tapixd that does not answer Wait (an older one; or one
 * that refuses it, as it does beyond its bounds) still gets every
 * notification to the notifier: the client polls Events then. The
 * stand-in gives one notification per Events call: six come within a
 * second (without polling, the waker's retries every 5 s would read one
 * each time).
 */
static void test_ras_without_wait_notifications_are_polled(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	struct fake f;
	DWORD r;
	unsigned i;

	(void)s;
	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	snprintf(p.szPhoneNumber, sizeof(p.szPhoneNumber), "123");
	fake_start(&f, fake_no_wait_serve, fake_hung_up);
	/* (no check fails while the stand-in runs: it uses f) */
	r = RasDialA(NULL, NULL, &p, 1, (LPVOID)heard_notifier, &h);
	for (i = 0; !r && i < 500 &&
	            __atomic_load_n(&heard, __ATOMIC_ACQUIRE) < NSTATES;
	     i++)
		sleep_ms(10);
	fake_stop(&f);

	assert_int_equal(r, 0);
	assert_true(h == (HRASCONN)(uintptr_t)0x77);
	assert_int_equal(heard, NSTATES);
	assert_int_equal(heard_states[0], RASCS_OpenPort);
	assert_int_equal(heard_states[1], RASCS_PortOpened);
	assert_int_equal(heard_states[NSTATES - 1], RASCS_Connected);
	assert_true(fake_waits >= 1); /* it asked */
	assert_true(fake_events >= NSTATES);
}

/*
 * ras.md §10.1, ras-phonebook §B3 — rasdial with a relative /PHONEBOOK:
 * the connection's szPhonebook is the file's full path, so /DISCONNECT
 * with the same relative path (rasdial compares full paths) finds and
 * hangs it up. Before, the connection kept the relative path and
 * /DISCONNECT said "Lab is not connected.", leaving it up.
 */
static void test_rasdial_relative_phonebook(void **s)
{
	char prefix[256], out[4096];
	RASCONNA v[4];

	(void)s;
	snprintf(prefix, sizeof(prefix), "cd '%s' &&", dir);
	assert_int_equal(rasdial(prefix,
	                         "Lab alice secret /PHONEBOOK:rasphone.pbk",
	                         out, sizeof(out)),
	                 0);
	assert_non_null(strstr(out, "Successfully connected to Lab."));
	assert_int_equal(ras_list(v, 4), 1);
	assert_string_equal(v[0].szPhonebook, pbk);
	assert_int_equal(rasdial(prefix,
	                         "Lab /DISCONNECT /PHONEBOOK:rasphone.pbk", out,
	                         sizeof(out)),
	                 0);
	if (strstr(out, "is not connected"))
		fail_msg("rasdial /DISCONNECT: %s", out);
	assert_non_null(strstr(out, "Command completed successfully."));
	assert_int_equal(ras_list(v, 4), 0);
	wait_ras_idle();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_ras_call_waiting_holds_up_no_other_call,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_without_wait_notifications_are_polled,
			setup_bus_only, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_connection_outlives_its_dialler, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_connection_outlives_its_killed_dialler,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_client_sees_tapixd_gone, ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_dialler_killed_mid_dial, ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_lost_connection_of_nobody_is_torn_down,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_dials_of_gone_processes_leave_nothing,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rasdial_lists_and_disconnects_by_name, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_rasdial_exit_statuses,
	                                        ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_rasdial_unknown_switch_is_an_error, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_rasdial_password_prompt_from_stdin, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_rasdial_sigint_hangs_up,
	                                        ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_other_uid_cannot_see_or_hang_up, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_credentials_are_saved_by_the_dialler_only,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_same_entry_of_another_user_is_another_connection,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_credentials_refuse_what_breaks_the_file,
			ras_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_malformed_calls_change_nothing, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_sigterm_tears_connections_down, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_paused_dial_polls_nothing, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_wait_answers_changes_and_is_bounded, ras_setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_rasdial_relative_phonebook,
	                                        ras_setup, teardown),
	};

	if (getenv("TAPIX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
