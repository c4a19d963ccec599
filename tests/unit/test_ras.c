/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The RAS client (ras.h) on esp data calls, rule by rule of ras.md (each
 * test names its section): RasDial synchronous and with each notifier
 * type, the state sequence, failures with their codes and handles,
 * RasHangUp's asynchronous teardown, references, the buffer protocols,
 * error texts, saved credentials, and the emulated link's authentication.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ras.h>
#include <tapix/service.h>

#include "fx.h"

#define MAX_NOTES 64

static char dir[64], pbk[128];
static char start_cwd[PATH_MAX]; /* a test may chdir(): back in teardown */

/* Phonebook entries on esp lines 0..3 ("esp line N (10N)"). */
static const char pbk_text[] =
	"; tapix test phonebook\r\n"
	"[Lab]\r\nEncoding=1\r\nType=1\r\nTapixLink=emulated\r\n\r\n"
	"MEDIA=rastapi\r\nPort=esp-0\r\nDevice=esp line 0 (100)\r\n\r\n"
	"DEVICE=modem\r\nPhoneNumber=answer\r\nUseDialingRules=0\r\n"
	"[Plain]\nType=1\nMEDIA=rastapi\nDevice=ESP LINE 1 (101)\n"
	"DEVICE=GENERIC\nPhoneNumber=answer\n"
	"[Busy]\nMEDIA=rastapi\nDevice=esp line 2 (102)\nDEVICE=modem\n"
	"PhoneNumber=busy\n"
	"[Silent]\nTapixDialTimeout=1\nMEDIA=rastapi\nPort=esp-3\n"
	"DEVICE=modem\nPhoneNumber=noanswer\n"
	"[Drops]\nMEDIA=rastapi\nPort=esp-1\nDEVICE=modem\n"
	"PhoneNumber=hangup:300\n"
	"[Slow]\nMEDIA=rastapi\nPort=esp-2\nDEVICE=modem\n"
	"PhoneNumber=slow:1500/answer\n"
	"[Nowhere]\nMEDIA=rastapi\nDevice=no such line\nDEVICE=modem\n"
	"PhoneNumber=1\n"
	"[Serial]\nMEDIA=serial\nDevice=esp line 0 (100)\nDEVICE=modem\n"
	"PhoneNumber=answer\n"
	"[Rules]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber=101\n"
	"AreaCode=425\nCountryCode=1\nUseDialingRules=1\n"
	"[RulesLD]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\n"
	"PhoneNumber=101\nAreaCode=206\nCountryCode=1\nUseDialingRules=1\n"
	"[NoRules]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\n"
	"PhoneNumber=101\nAreaCode=206\nCountryCode=1\nUseDialingRules=0\n"
	"[Long]\nMEDIA=rastapi\nPort=esp-0\nDEVICE=modem\nPhoneNumber="
	"1234567890123456789012345678901234567890123456789012345678901234567"
	"8901234567890123456789012345678901234567890123456789012345678901234"
	"\n";

#define CONF                                            \
	"[tapix]\nproviders = esp\n[esp]\nlines = 4\n"  \
	"[ras]\nemulated_users = alice:secret bob:pw\n" \
	"emulated_expired = carol\n"

static int setup(void **state)
{
	FILE *f;

	(void)state;
	fx_config(CONF);
	fx_tmp_path(dir, sizeof(dir), "tapix-ras-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(pbk, sizeof(pbk), "%s/rasphone.pbk", dir);
	f = fopen(pbk, "w");
	assert_non_null(f);
	fputs(pbk_text, f);
	fclose(f);
	/* ras.md §10.1 — the phonebook path RAS reports is the full one,
	 * symbolic links resolved: the test's, whatever TMPDIR looks like */
	{
		char real[PATH_MAX];
		size_t n;

		assert_non_null(realpath(pbk, real));
		n = strlen(real);
		assert_true(n < sizeof(pbk));
		memcpy(pbk, real, n + 1);
	}
	assert_non_null(getcwd(start_cwd, sizeof(start_cwd)));
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("TAPIX_PHONEBOOK");
	return 0;
}

/* Waits (bounded) until the RAS manager has let go of TAPI. */
static void wait_ras_gone(void)
{
	struct tapix_live l;
	unsigned i;

	/* its engine's lineShutdown runs on its thread: until it returned */
	for (i = 0; i < 500; i++) {
		fx_live(&l);
		if (!l.apps && !l.opens && !l.lines && !l.calls &&
		    !l.call_handles && !l.requests && !l.providers &&
		    !l.allocations && !l.provider_objects)
			return;
		usleep(10000);
	}
}

/* Nothing is left once the RAS manager has let go (bounded wait). */
static void expect_ras_gone(void)
{
	wait_ras_gone();
	fx_assert_nothing_alive();
}

static int teardown(void **state)
{
	char cmd[128];

	wait_ras_gone();
	if (chdir(start_cwd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	return fx_teardown(state);
}

static void params(RASDIALPARAMSA *p, const char *entry, const char *user,
                   const char *password)
{
	memset(p, 0, sizeof(*p));
	p->dwSize = sizeof(*p);
	snprintf(p->szEntryName, sizeof(p->szEntryName), "%s", entry);
	snprintf(p->szUserName, sizeof(p->szUserName), "%s", user);
	snprintf(p->szPassword, sizeof(p->szPassword), "%s", password);
}

static RASCONNSTATUSA status(HRASCONN h, DWORD expect_rc)
{
	RASCONNSTATUSA st;

	memset(&st, 0, sizeof(st));
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(h, &st), expect_rc);
	return st;
}

/* ---- notifier recording
 * ------------------------------------------------------ */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	RASCONNSTATE st[MAX_NOTES];
	DWORD err[MAX_NOTES];
	HRASCONN h[MAX_NOTES];
	unsigned n;
	DWORD keep_until; /* FUNC2: return 0 from this note on */
	bool hang_up_in_cb;
	DWORD dial_in_cb;
} rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void rec_reset(void)
{
	pthread_mutex_lock(&rec.lock);
	rec.n = 0;
	rec.keep_until = 0;
	rec.hang_up_in_cb = false;
	rec.dial_in_cb = 0;
	pthread_mutex_unlock(&rec.lock);
}

static void record(HRASCONN h, RASCONNSTATE st, DWORD err)
{
	pthread_mutex_lock(&rec.lock);
	if (rec.n < MAX_NOTES) {
		rec.st[rec.n] = st;
		rec.err[rec.n] = err;
		rec.h[rec.n] = h;
		rec.n++;
	}
	pthread_cond_broadcast(&rec.cond);
	pthread_mutex_unlock(&rec.lock);
}

static VOID WINAPI on_func(UINT msg, RASCONNSTATE st, DWORD err)
{
	assert_int_equal(msg, WM_RASDIALEVENT);
	record(NULL, st, err);
}

static VOID WINAPI on_func1(HRASCONN h, UINT msg, RASCONNSTATE st, DWORD err,
                            DWORD ext)
{
	RASDIALPARAMSA p;
	HRASCONN h2 = NULL;

	assert_int_equal(msg, WM_RASDIALEVENT);
	assert_int_equal(ext, 0);
	if (rec.dial_in_cb == 1 && st == RASCS_OpenPort) {
		/* §3.4 — RasDial must not be called from a notifier */
		params(&p, "Plain", "", "");
		rec.dial_in_cb = RasDial(NULL, pbk, &p, 0, NULL, &h2);
	}
	if (rec.hang_up_in_cb && st == RASCS_ConnectDevice)
		assert_int_equal(RasHangUp(h), 0);
	record(h, st, err);
}

static DWORD WINAPI on_func2(ULONG_PTR id, DWORD sub, HRASCONN h, UINT msg,
                             RASCONNSTATE st, DWORD err, DWORD ext)
{
	DWORD keep;

	assert_int_equal(id, 4242);
	assert_int_equal(sub, 1);
	assert_int_equal(msg, WM_RASDIALEVENT);
	assert_int_equal(ext, 0);
	record(h, st, err);
	/* (rec's fields under its lock: the next test resets them) */
	pthread_mutex_lock(&rec.lock);
	keep = rec.n < rec.keep_until || !rec.keep_until;
	pthread_mutex_unlock(&rec.lock);
	return keep;
}

/* FUNC2 returns 0 from note @n on (rec_reset: never). */
static void rec_keep_until(DWORD n)
{
	pthread_mutex_lock(&rec.lock);
	rec.keep_until = n;
	pthread_mutex_unlock(&rec.lock);
}

/* Waits until @n notes came, or the last one ends them. */
static unsigned wait_notes_final(void)
{
	struct timespec until;
	unsigned n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FX_WAIT_MS / 1000 + 2;
	pthread_mutex_lock(&rec.lock);
	while (!(rec.n &&
	         (rec.err[rec.n - 1] || rec.st[rec.n - 1] == RASCS_Connected ||
	          (rec.st[rec.n - 1] & RASCS_PAUSED))))
		if (pthread_cond_timedwait(&rec.cond, &rec.lock, &until))
			break;
	n = rec.n;
	pthread_mutex_unlock(&rec.lock);
	return n;
}

/* The @n-th notification came (bounded wait: they reach the notifier
 * on a thread of their own, and may come after the state is read), and
 * none after it. */
static void expect_no_more_notes(unsigned n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FX_WAIT_MS / 1000 + 2;
	pthread_mutex_lock(&rec.lock);
	while (rec.n < n)
		if (pthread_cond_timedwait(&rec.cond, &rec.lock, &until))
			break;
	pthread_mutex_unlock(&rec.lock);
	usleep(300000);
	pthread_mutex_lock(&rec.lock);
	assert_int_equal(rec.n, n);
	pthread_mutex_unlock(&rec.lock);
}

/* ---- tests
 * ---------------------------------------------------------------------- */

/* ras.md §10, ras-constants.md §1 — the Windows sizes (64-bit) */
static void test_ras_struct_sizes_match_windows(void **s)
{
	(void)s;
	assert_int_equal(sizeof(RASCONN), 724);
	assert_int_equal(sizeof(RASCONNSTATUS), 332);
	assert_int_equal(sizeof(RASDIALPARAMS), 1068);
	assert_int_equal(sizeof(RASENTRYNAME), 532);
	assert_int_equal(sizeof(RASDIALEXTENSIONS), 60);
	assert_int_equal(sizeof(RASTUNNELENDPOINT), 20);
	assert_int_equal(sizeof(HRASCONN), sizeof(void *));
}

/* ras.md §3.5 — argument checks, in order, leave the handle NULL */
static void test_ras_invalid_arguments(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	HRASCONN h = NULL;

	(void)s;
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, NULL, 0, NULL, &h),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, NULL),
	                 ERROR_INVALID_PARAMETER);
	/* §13 C5 — no window-handle notifiers */
	assert_int_equal(RasDial(NULL, pbk, &p, 0xFFFFFFFF, on_func, &h),
	                 ERROR_INVALID_PARAMETER);
	p.dwSize = 1000;
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_INVALID_SIZE);
	p.dwSize = sizeof(p);
	memset(&x, 0, sizeof(x));
	x.dwSize = 17;
	assert_int_equal(RasDial(&x, pbk, &p, 0, NULL, &h), ERROR_INVALID_SIZE);
	h = (HRASCONN)(uintptr_t)0x7777;
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_INVALID_HANDLE);
	h = NULL;
	params(&p, "", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_INVALID_PARAMETER);
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, "/nonexistent/x.pbk", &p, 0, NULL, &h),
	                 ERROR_CANNOT_OPEN_PHONEBOOK);
	params(&p, "Nobody", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_CANNOT_FIND_PHONEBOOK_ENTRY);
	params(&p, "Long", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_PHONE_NUMBER_TOO_LONG);
	assert_null(h);
	/* the other functions */
	assert_int_equal(RasHangUp(NULL), ERROR_INVALID_HANDLE);
	assert_int_equal(RasHangUp((HRASCONN)(uintptr_t)99),
	                 ERROR_INVALID_HANDLE);
	assert_int_equal(RasGetConnectStatus(NULL, NULL),
	                 ERROR_INVALID_PARAMETER);
	memset(&st, 0, sizeof(st));
	st.dwSize = 200;
	assert_int_equal(RasGetConnectStatus((HRASCONN)(uintptr_t)1, &st),
	                 ERROR_INVALID_SIZE);
	st.dwSize = sizeof(st);
	assert_int_equal(RasGetConnectStatus(NULL, &st), ERROR_INVALID_HANDLE);
}

/* ras.md §3.5 — a corrupt phonebook (ras-phonebook §A4) */
static void test_ras_corrupt_phonebook_625(void **s)
{
	char bad[160];
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	FILE *f;

	(void)s;
	snprintf(bad, sizeof(bad), "%s/bad.pbk", dir);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("[Lab\nPhoneNumber=1\n", f);
	fclose(f);
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, bad, &p, 0, NULL, &h),
	                 ERROR_CORRUPT_PHONEBOOK);
	assert_null(h);
}

/* ras.md §3.8, §2 — synchronous, connected; §4 hang-up then invalid */
static void test_ras_dial_sync_success(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	HRASCONN h = NULL;

	(void)s;
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	assert_non_null(h);
	st = status(h, 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	assert_int_equal(st.dwError, 0);
	assert_string_equal(st.szDeviceType, "modem");
	assert_string_equal(st.szDeviceName, "esp line 0 (100)");
	assert_string_equal(st.szPhoneNumber, "answer");
	/* an older structure size gets the prefix only */
	memset(&st, 0x55, sizeof(st));
	st.dwSize = 160;
	assert_int_equal(RasGetConnectStatus(h, &st), 0);
	assert_int_equal(st.rasconnstate, RASCS_Connected);
	assert_int_equal(st.szPhoneNumber[2], 0x55); /* (160: padding) */
	fx_ras_hang_up_and_wait(h);
	/* §13 C2 — a stale handle stays stale */
	assert_int_equal(RasHangUp(h), ERROR_INVALID_HANDLE);
}

/* ras.md §2 — the usual sequence, in order, with RASDIALFUNC1 */
static void test_ras_dial_async_state_order(void **s)
{
	static const RASCONNSTATE want[] = {
		RASCS_OpenPort,
		RASCS_PortOpened,
		RASCS_ConnectDevice,
		RASCS_DeviceConnected,
		RASCS_AllDevicesConnected,
		RASCS_Authenticate,
		RASCS_AuthNotify,
		RASCS_AuthProject,
		RASCS_Authenticated,
		RASCS_Projected,
		RASCS_Connected,
	};
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned i, n;

	(void)s;
	rec_reset();
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	assert_non_null(h);
	n = wait_notes_final();
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		assert_int_equal(rec.st[i], want[i]);
		assert_int_equal(rec.err[i], 0);
		assert_ptr_equal(rec.h[i], h);
	}
	expect_no_more_notes(n);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §3.4 — RASDIALFUNC (type 0) gets the same sequence */
static void test_ras_dialfunc0(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned n;

	(void)s;
	rec_reset();
	params(&p, "Plain", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, on_func, &h), 0);
	n = wait_notes_final();
	assert_true(n >= 2);
	assert_int_equal(rec.st[0], RASCS_OpenPort);
	assert_int_equal(rec.st[n - 1], RASCS_Connected);
	fx_ras_hang_up_and_wait(h);
}

/*
 * ras.md §3.4 — the error comes with the state that failed, last; §3.2 the
 * handle stays valid and must be hung up; §5 status Disconnected + error
 */
static void test_ras_dial_error_reports_failing_state(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	HRASCONN h = NULL;
	unsigned n;

	(void)s;
	rec_reset();
	params(&p, "Busy", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n >= 1);
	assert_int_equal(rec.st[n - 1], RASCS_ConnectDevice);
	assert_int_equal(rec.err[n - 1], ERROR_LINE_BUSY);
	expect_no_more_notes(n);
	st = status(h, 0);
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_LINE_BUSY);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §3.2 — a failed synchronous dial still returns a handle */
static void test_ras_dial_failure_returns_handle_needing_hangup(void **s)
{
	static const struct {
		const char *entry;
		DWORD err;
	} rows[] = {
		{"Busy", ERROR_LINE_BUSY},
		{"Silent", ERROR_NO_ANSWER}, /* TapixDialTimeout=1 */
		{"Nowhere", ERROR_DEVICE_DOES_NOT_EXIST},
		{"Serial", ERROR_DEVICETYPE_DOES_NOT_EXIST},
	};
	RASDIALPARAMSA p;
	HRASCONN h;
	unsigned i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		h = NULL;
		params(&p, rows[i].entry, "", "");
		assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
		                 rows[i].err);
		assert_non_null(h);
		assert_int_equal(status(h, 0).dwError, rows[i].err);
		fx_ras_hang_up_and_wait(h);
	}
}

/* ras.md §11.4 — the emulated link: wrong password, expired password */
static void test_ras_authentication_failure(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned n;

	(void)s;
	rec_reset();
	params(&p, "Lab", "alice", "wrong");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_int_equal(rec.st[n - 1], RASCS_AuthNotify);
	assert_int_equal(rec.err[n - 1], ERROR_AUTHENTICATION_FAILURE);
	assert_int_equal(status(h, 0).dwError, ERROR_AUTHENTICATION_FAILURE);
	fx_ras_hang_up_and_wait(h);
	h = NULL;
	params(&p, "Lab", "carol", "x");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_PASSWD_EXPIRED);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §2, §3.6 — paused in RetryAuthentication, resumed */
static void test_ras_paused_retry_authentication_resume(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	HRASCONN h = NULL, again;
	unsigned n;

	(void)s;
	rec_reset();
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = RDEOPT_PausedStates;
	params(&p, "Lab", "alice", "wrong");
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_int_equal(rec.st[n - 1], RASCS_RetryAuthentication);
	assert_int_equal(rec.err[n - 1], 0);
	assert_int_equal(status(h, 0).rasconnstate, RASCS_RetryAuthentication);
	/* a new dial of the entry meanwhile: in progress */
	again = NULL;
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &again),
	                 ERROR_DIAL_ALREADY_IN_PROGRESS);
	rec_reset();
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_int_equal(rec.st[0], RASCS_AuthRetry);
	assert_int_equal(rec.st[n - 1], RASCS_Connected);
	assert_int_equal(status(h, 0).rasconnstate, RASCS_Connected);
	fx_ras_hang_up_and_wait(h);
}

/*
 * ras.md §3.7 — however many times a paused dial is resumed with a wrong
 * password, the notifier still gets every state of the last attempt, up
 * to Connected (the service keeps the latest notifications).
 */
static void test_ras_many_paused_retries(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned i, n;

	(void)s;
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = RDEOPT_PausedStates;
	for (i = 0; i < 30; i++) {
		rec_reset();
		params(&p, "Lab", "alice", "wrong");
		assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
		n = wait_notes_final();
		assert_true(n > 0);
		assert_int_equal(rec.st[n - 1], RASCS_RetryAuthentication);
	}
	rec_reset();
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n > 0);
	assert_int_equal(rec.st[0], RASCS_AuthRetry);
	assert_int_equal(rec.st[n - 1], RASCS_Connected);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §4 — hang-up while dialling ends it; no notification after */
static void test_ras_hangup_during_dialing(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned n;

	(void)s;
	rec_reset();
	params(&p, "Slow", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	fx_ras_hang_up_and_wait(h);
	pthread_mutex_lock(&rec.lock);
	n = rec.n;
	pthread_mutex_unlock(&rec.lock);
	expect_no_more_notes(n);
	assert_true(n < 4); /* it never got to DeviceConnected */
}

/* ras.md §3.4 — RasHangUp from the notifier: after it returns */
static void test_ras_hangup_inside_notifier_deferred(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned i;

	(void)s;
	rec_reset();
	rec.hang_up_in_cb = true;
	params(&p, "Plain", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	for (i = 0; i < 500; i++) {
		RASCONNSTATUSA st;

		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		if (RasGetConnectStatus(h, &st) == ERROR_INVALID_HANDLE)
			break;
		usleep(10000);
	}
	assert_true(i < 500);
	pthread_mutex_lock(&rec.lock);
	assert_int_equal(rec.st[rec.n - 1], RASCS_ConnectDevice);
	pthread_mutex_unlock(&rec.lock);
}

/* ras.md §3.4 — RasDial from a notifier: ERROR_ASYNC_REQUEST_PENDING */
static void test_ras_dial_from_notifier_616(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;

	(void)s;
	rec_reset();
	rec.dial_in_cb = 1;
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
	wait_notes_final();
	assert_int_equal(rec.dial_in_cb, ERROR_ASYNC_REQUEST_PENDING);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §3.4 — RASDIALFUNC2 returning 0 stops the calls, not the dial */
static void test_ras_dialfunc2_return_zero_stops_callbacks_not_dial(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned i;

	(void)s;
	rec_reset();
	rec_keep_until(2);
	params(&p, "Lab", "alice", "secret");
	p.dwCallbackId = 4242;
	assert_int_equal(RasDial(NULL, pbk, &p, 2, on_func2, &h), 0);
	for (i = 0; i < 500; i++) {
		if (status(h, 0).rasconnstate == RASCS_Connected)
			break;
		usleep(10000);
	}
	assert_int_equal(status(h, 0).rasconnstate, RASCS_Connected);
	expect_no_more_notes(2);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §3.3 — a second RasDial of a connected entry is a reference */
static void test_ras_referenced_connection_refcount(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h1 = NULL, h2 = NULL;

	(void)s;
	rec_reset();
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h1), 0);
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h2), 0);
	assert_ptr_equal(h1, h2);
	/* one notification: Connected */
	assert_int_equal(wait_notes_final(), 1);
	assert_int_equal(rec.st[0], RASCS_Connected);
	assert_int_equal(RasHangUp(h1), 0);
	assert_int_equal(status(h1, 0).rasconnstate, RASCS_Connected);
	fx_ras_hang_up_and_wait(h2);
}

/* ras.md §5 — the link lost after Connected: 629 until RasHangUp */
static void test_ras_link_lost(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	HRASCONN h = NULL;
	DWORD cb = 0, n = 0;
	unsigned i;

	(void)s;
	params(&p, "Drops", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	for (i = 0; i < 500; i++) {
		st = status(h, 0);
		if (st.rasconnstate == RASCS_Disconnected)
			break;
		usleep(10000);
	}
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_REMOTE_DISCONNECTION);
	/* not listed any more (§6) */
	assert_int_equal(RasEnumConnections(NULL, &cb, &n), 0);
	assert_int_equal(n, 0);
	fx_ras_hang_up_and_wait(h);
}

/* ras.md §6 — the size query, the stride, too small, a wrong size */
static void test_ras_enumconnections_buffer_protocol(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h1 = NULL, h2 = NULL;
	RASCONNA v[3];
	DWORD cb = 0, n = 77;
	struct {
		RASCONNA c;
	} * old;
	char buf[3 * 416];

	(void)s;
	/* none: 0, 0 (§13 C3) */
	assert_int_equal(RasEnumConnections(NULL, &cb, &n), 0);
	assert_int_equal(cb, 0);
	assert_int_equal(n, 0);
	assert_int_equal(RasEnumConnections(NULL, NULL, &n),
	                 ERROR_INVALID_PARAMETER);
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h1), 0);
	params(&p, "Plain", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h2), 0);
	cb = 0;
	assert_int_equal(RasEnumConnections(NULL, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(cb, 2 * sizeof(RASCONN));
	v[0].dwSize = sizeof(RASCONN);
	cb = sizeof(RASCONN);
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(cb, 2 * sizeof(RASCONN));
	assert_int_equal(n, 2);
	v[0].dwSize = 100;
	cb = sizeof(v);
	assert_int_equal(RasEnumConnections(v, &cb, &n), ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(RASCONN);
	assert_int_equal(RasEnumConnections(v, &cb, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cb, 2 * sizeof(RASCONN));
	assert_ptr_equal(v[0].hrasconn, h1);
	assert_string_equal(v[0].szEntryName, "Lab");
	assert_string_equal(v[0].szPhonebook, pbk);
	assert_string_equal(v[1].szEntryName, "Plain");
	assert_string_equal(v[1].szDeviceName, "esp line 1 (101)");
	assert_int_equal(v[1].dwSubEntry, 1);
	assert_int_equal(v[1].dwSize, sizeof(RASCONN));
	/* the first dwSize is the stride: the Windows 2000 layout */
	memset(buf, 0, sizeof(buf));
	old = (void *)buf;
	old->c.dwSize = 416;
	cb = sizeof(buf);
	assert_int_equal(RasEnumConnections(&old->c, &cb, &n), 0);
	assert_int_equal(cb, 2 * 416);
	assert_string_equal(((RASCONNA *)(buf + 416))->szEntryName, "Plain");
	fx_ras_hang_up_and_wait(h1);
	fx_ras_hang_up_and_wait(h2);
}

/*
 * ras-phonebook §A3 — UseDialingRules=1: "+CountryCode (AreaCode)
 * PhoneNumber" translated from the location (lineTranslateAddress): the
 * same area is dialled locally, another with the long-distance prefix;
 * UseDialingRules=0 dials PhoneNumber as it is; a location that is not
 * valid fails the dial with ERROR_TAPI_CONFIGURATION.
 */
static void test_ras_dialing_rules(void **s)
{
	static const struct {
		const char *entry, *dialled;
	} cases[] = {
		{"Rules", "9,101"},
		{"RulesLD", "8,1206101"},
		{"NoRules", "101"},
	};
	RASDIALPARAMSA p;
	HRASCONN h;
	size_t i;

	(void)s;
	fx_config(CONF "[location]\ncountry = 1\narea = 425\n"
	               "outside_local = 9,\noutside_long_distance = 8,\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h = NULL;
		rec_reset();
		params(&p, cases[i].entry, "", "");
		assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h), 0);
		assert_string_equal(status(h, 0).szPhoneNumber,
		                    cases[i].dialled);
		fx_ras_hang_up_and_wait(h);
	}
	fx_config(CONF "[location]\ncountry = x\n");
	h = NULL;
	params(&p, "Rules", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_TAPI_CONFIGURATION);
	assert_null(h);
}

/* ras.md §3.1 — no entry: the number on the first free data line */
static void test_ras_dial_without_entry(void **s)
{
	RASDIALPARAMSA p;
	RASCONNA c;
	HRASCONN h = NULL;
	DWORD cb = sizeof(c), n;

	(void)s;
	params(&p, "", "", "");
	snprintf(p.szPhoneNumber, sizeof(p.szPhoneNumber), "answer");
	assert_int_equal(RasDial(NULL, NULL, &p, 0, NULL, &h), 0);
	c.dwSize = sizeof(c);
	assert_int_equal(RasEnumConnections(&c, &cb, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c.szEntryName, ".answer");
	fx_ras_hang_up_and_wait(h);
}

/*
 * RasEnumDevices: the esp lines, as "modem" devices named like the line;
 * the buffer protocol cases Wine's rasapi32 tests document (test_rasenum):
 * a NULL buffer, even with a big *lpcb, or a short *lpcb gives 603 and
 * the size; a dwSize other than RASDEVINFO's 632 (checked first); NULL
 * lpcb or lpcDevices 87; a bigger *lpcb than needed is fine.
 */
static void test_ras_enumdevices_buffer_protocol(void **s)
{
	RASDEVINFOA v[8];
	DWORD cb = 0, n = 0, need;

	(void)s;
	assert_int_equal(RasEnumDevices(NULL, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 4);
	need = cb;
	assert_int_equal(need, 4 * sizeof(RASDEVINFOA));
	assert_int_equal(RasEnumDevices(NULL, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	memset(v, 0, sizeof(v));
	cb = sizeof(v);
	v[0].dwSize = 0;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(RASDEVINFOA) - 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(RASDEVINFOA) + 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(RASDEVINFOA);
	assert_int_equal(RasEnumDevices(v, NULL, &n), ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumDevices(v, &cb, NULL), ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumDevices(NULL, NULL, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumDevices(NULL, &cb, NULL),
	                 ERROR_INVALID_PARAMETER);
	cb = 0;
	v[0].dwSize = 0;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(RASDEVINFOA);
	cb = 0;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	cb = need - 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(cb, need);
	assert_int_equal(v[0].szDeviceName[0], '\0'); /* nothing written */
	cb = need + 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(cb, need);
	assert_int_equal(v[3].dwSize, sizeof(RASDEVINFOA));
	assert_string_equal(v[0].szDeviceType, RASDT_Modem);
	assert_string_equal(v[0].szDeviceName, "esp line 0 (100)");
	assert_string_equal(v[3].szDeviceName, "esp line 3 (103)");
}

/* ras.md §7 — RasEnumEntries of one phonebook, its buffer protocol */
static void test_ras_enumentries(void **s)
{
	RASENTRYNAMEA v[16];
	DWORD cb = 0, n = 0;

	(void)s;
	assert_int_equal(RasEnumEntries("x", pbk, NULL, &cb, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumEntries(NULL, pbk, NULL, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 12);
	assert_int_equal(cb, 12 * sizeof(RASENTRYNAMEA));
	v[0].dwSize = 3;
	cb = sizeof(v);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n),
	                 ERROR_INVALID_SIZE);
	v[0].dwSize = sizeof(v[0]);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n), 0);
	assert_int_equal(n, 12);
	assert_string_equal(v[0].szEntryName, "Lab");
	assert_string_equal(v[11].szEntryName, "Long");
	assert_string_equal(v[3].szPhonebookPath, pbk);
	assert_int_equal(RasEnumEntries(NULL, "/nonexistent.pbk", v, &cb, &n),
	                 ERROR_CANNOT_OPEN_PHONEBOOK);
	/* the defaults: none here (missing files are empty) */
	cb = 0;
	assert_int_equal(RasEnumEntries(NULL, NULL, NULL, &cb, &n), 0);
	assert_int_equal(n, 0);
}

/* ---- output parameters on error returns
 * ----------------------------------------------------------- */

#define SENTINEL 0xDEADBEEFu

/*
 * spec: ras.md §6 (the buffer protocol, shared by RasEnumDevices), Wine's
 * rasapi32 test_rasenum (checked on Windows) — on an error nothing but
 * *lpcb is written: a wrong dwSize, a NULL lpcb or lpcDevices leave the
 * count and *lpcb alone; a buffer that cannot hold one structure is
 * refused before anything is counted (*lpcb = the size needed, the count
 * untouched); a buffer for one but not all gets the size and the count;
 * the buffer itself is never written on an error.
 */
static void test_ras_enumdevices_errors_leave_outputs(void **s)
{
	static const DWORD bad_sizes[] = {0, sizeof(RASDEVINFOA) - 1,
	                                  sizeof(RASDEVINFOA) + 1};
	RASDEVINFOA v[8], ref[8];
	DWORD cb = 0, n = SENTINEL, need;
	size_t i;

	(void)s;
	assert_int_equal(RasEnumDevices(NULL, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 4);
	need = cb;
	memset(v, 0x55, sizeof(v));
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		v[0].dwSize = bad_sizes[i];
		memcpy(ref, v, sizeof(v));
		cb = sizeof(v);
		n = SENTINEL;
		assert_int_equal(RasEnumDevices(v, &cb, &n),
		                 ERROR_INVALID_SIZE);
		assert_int_equal(n, SENTINEL);
		assert_int_equal(cb, sizeof(v));
		assert_memory_equal(v, ref, sizeof(v));
		cb = 0; /* checked before the size, as on Windows */
		assert_int_equal(RasEnumDevices(v, &cb, &n),
		                 ERROR_INVALID_SIZE);
		assert_int_equal(n, SENTINEL);
		assert_int_equal(cb, 0);
	}
	v[0].dwSize = sizeof(RASDEVINFOA);
	memcpy(ref, v, sizeof(v));
	assert_int_equal(RasEnumDevices(v, NULL, &n), ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumDevices(NULL, NULL, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(n, SENTINEL);
	cb = SENTINEL;
	assert_int_equal(RasEnumDevices(v, &cb, NULL), ERROR_INVALID_PARAMETER);
	assert_int_equal(cb, SENTINEL);
	/* no room for one: refused before counting */
	cb = 0;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, need);
	cb = sizeof(RASDEVINFOA) - 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, need);
	assert_memory_equal(v, ref, sizeof(v));
	/* room for some: the count and the size, no partial contents */
	cb = need - 1;
	assert_int_equal(RasEnumDevices(v, &cb, &n), ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 4);
	assert_int_equal(cb, need);
	assert_memory_equal(v, ref, sizeof(v));
}

/*
 * spec: ras.md §6 — RasEnumConnections' buffer protocol on its errors,
 * with sentinels: 632 and 87 write nothing; a buffer too small for one
 * RASCONN (of the stride its dwSize gives) gets 603 and *lpcb only; one
 * too small for all gets 603, *lpcb and the count (§6.3 [proposal]);
 * the buffer is never written on an error. §13 C3 — no connections: 0,
 * *lpcb = 0 and a count of 0, with or without a buffer.
 */
static void test_ras_enumconnections_errors_leave_outputs(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h1 = NULL, h2 = NULL;
	RASCONNA v[3], ref[3];
	DWORD cb, n;

	(void)s;
	memset(v, 0x55, sizeof(v));
	v[0].dwSize = sizeof(RASCONNA);
	cb = 0;
	n = SENTINEL;
	assert_int_equal(RasEnumConnections(v, &cb, &n), 0);
	assert_int_equal(cb, 0);
	assert_int_equal(n, 0);
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h1), 0);
	params(&p, "Plain", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h2), 0);
	memset(v, 0x55, sizeof(v));
	v[0].dwSize = 100;
	memcpy(ref, v, sizeof(v));
	cb = sizeof(v);
	n = SENTINEL;
	assert_int_equal(RasEnumConnections(v, &cb, &n), ERROR_INVALID_SIZE);
	assert_int_equal(cb, sizeof(v));
	assert_int_equal(n, SENTINEL);
	assert_memory_equal(v, ref, sizeof(v));
	v[0].dwSize = sizeof(RASCONNA);
	memcpy(ref, v, sizeof(v));
	assert_int_equal(RasEnumConnections(v, NULL, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(RasEnumConnections(v, &cb, NULL),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(cb, sizeof(v));
	/* no room for one: *lpcb only */
	cb = 0;
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, 2 * sizeof(RASCONNA));
	cb = sizeof(RASCONNA) - 1;
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, 2 * sizeof(RASCONNA));
	/* the Windows 2000 stride: one of its size is room for one */
	v[0].dwSize = 416;
	cb = 415;
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, 2 * 416);
	v[0].dwSize = sizeof(RASCONNA);
	assert_memory_equal(v, ref, sizeof(v));
	/* room for one of two: the count too, the buffer untouched */
	cb = sizeof(RASCONNA);
	assert_int_equal(RasEnumConnections(v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	assert_int_equal(cb, 2 * sizeof(RASCONNA));
	assert_memory_equal(v, ref, sizeof(v));
	fx_ras_hang_up_and_wait(h1);
	fx_ras_hang_up_and_wait(h2);
}

/*
 * spec: ras.md §7 (RasEnumEntries follows §6's buffer protocol) — with
 * sentinels: 87, 632 and a phonebook that cannot be opened (621) write
 * nothing; a buffer too small for one RASENTRYNAME (of its dwSize) gets
 * 603 and *lpcb only; one too small for all gets 603, *lpcb and the
 * count; the buffer is never written on an error. §13 C3 — no entries:
 * 0, *lpcb = 0, a count of 0, with a buffer too.
 */
static void test_ras_enumentries_errors_leave_outputs(void **s)
{
	RASENTRYNAMEA v[2], ref[2];
	DWORD cb, n = SENTINEL;

	(void)s;
	memset(v, 0x55, sizeof(v));
	v[0].dwSize = 3;
	memcpy(ref, v, sizeof(v));
	cb = sizeof(v);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n),
	                 ERROR_INVALID_SIZE);
	assert_int_equal(cb, sizeof(v));
	assert_int_equal(n, SENTINEL);
	assert_memory_equal(v, ref, sizeof(v));
	v[0].dwSize = sizeof(RASENTRYNAMEA);
	memcpy(ref, v, sizeof(v));
	assert_int_equal(RasEnumEntries("x", pbk, v, &cb, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, NULL, &n),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, NULL),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasEnumEntries(NULL, "/nonexistent.pbk", v, &cb, &n),
	                 ERROR_CANNOT_OPEN_PHONEBOOK);
	assert_int_equal(cb, sizeof(v));
	assert_int_equal(n, SENTINEL);
	/* no room for one: *lpcb only */
	cb = 0;
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, 12 * sizeof(RASENTRYNAMEA));
	v[0].dwSize = 264; /* the name-only stride */
	cb = 263;
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(cb, 12 * 264);
	v[0].dwSize = sizeof(RASENTRYNAMEA);
	assert_memory_equal(v, ref, sizeof(v));
	/* room for two of twelve: the count too, the buffer untouched */
	cb = sizeof(v);
	assert_int_equal(RasEnumEntries(NULL, pbk, v, &cb, &n),
	                 ERROR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 12);
	assert_int_equal(cb, 12 * sizeof(RASENTRYNAMEA));
	assert_memory_equal(v, ref, sizeof(v));
	/* the defaults: none here */
	cb = 0;
	n = SENTINEL;
	assert_int_equal(RasEnumEntries(NULL, NULL, v, &cb, &n), 0);
	assert_int_equal(cb, 0);
	assert_int_equal(n, 0);
}

/*
 * STYLE.md §5, ras.md §3.2, §5, §9 — the other functions' errors write
 * none of their outputs: RasDial's argument and phonebook errors leave
 * *lphRasConn NULL, RasGetConnectStatus leaves the structure as it was
 * (dwSize included), RasGetEntryDialParams leaves the structure and
 * *lpfPassword.
 */
static void test_ras_errors_leave_outputs(void **s)
{
	RASDIALPARAMSA p, pref;
	RASCONNSTATUSA st, stref;
	HRASCONN h = NULL;
	BOOL has = (BOOL)SENTINEL;

	(void)s;
	params(&p, "Nobody", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_CANNOT_FIND_PHONEBOOK_ENTRY);
	assert_null(h);
	memset(&st, 0x55, sizeof(st));
	st.dwSize = sizeof(st);
	memcpy(&stref, &st, sizeof(st));
	assert_int_equal(RasGetConnectStatus((HRASCONN)(uintptr_t)4242, &st),
	                 ERROR_INVALID_HANDLE);
	assert_memory_equal(&st, &stref, sizeof(st));
	st.dwSize = 200;
	memcpy(&stref, &st, sizeof(st));
	assert_int_equal(RasGetConnectStatus((HRASCONN)(uintptr_t)4242, &st),
	                 ERROR_INVALID_SIZE);
	assert_memory_equal(&st, &stref, sizeof(st));
	params(&p, "Nobody", "x", "y");
	memcpy(&pref, &p, sizeof(p));
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has),
	                 ERROR_CANNOT_FIND_PHONEBOOK_ENTRY);
	assert_int_equal(has, (BOOL)SENTINEL);
	assert_memory_equal(&p, &pref, sizeof(p));
	params(&p, "Lab", "x", "y");
	memcpy(&pref, &p, sizeof(p));
	assert_int_equal(RasGetEntryDialParams("/nonexistent/x.pbk", &p, &has),
	                 ERROR_CANNOT_OPEN_PHONEBOOK);
	assert_int_equal(has, (BOOL)SENTINEL);
	assert_memory_equal(&p, &pref, sizeof(p));
}

/* ras.md §8 — texts, NULL, unknown values, the buffer size rule */
static void test_ras_geterrorstring_buffer_rules(void **s)
{
	char buf[512];
	UINT code;

	(void)s;
	for (code = 600; code <= 764; code++) {
		assert_int_equal(RasGetErrorString(code, buf, sizeof(buf)), 0);
		assert_true(strlen(buf) > 5 && strlen(buf) < 512);
		assert_null(strchr(buf, '\n'));
	}
	assert_int_equal(RasGetErrorString(ERROR_INVALID_HANDLE, buf, 512), 0);
	assert_int_equal(RasGetErrorString(765, buf, 512),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasGetErrorString(691, NULL, 512),
	                 ERROR_INVALID_PARAMETER);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(RasGetErrorString(691, buf, 5),
	                 ERROR_INSUFFICIENT_BUFFER);
	assert_int_equal(buf[0], 'x'); /* nothing written */
}

/* ras.md §9 — saved credentials: 0600, a marker, used by RasDial */
static void test_ras_entry_dial_params(void **s)
{
	char path[192];
	RASDIALPARAMSA p;
	struct stat sb;
	BOOL has = 7;
	HRASCONN h = NULL;

	(void)s;
	params(&p, "Lab", "", "");
	assert_int_equal(RasGetEntryDialParams(pbk, NULL, &has),
	                 ERROR_BUFFER_INVALID);
	p.dwSize = 3;
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has),
	                 ERROR_INVALID_SIZE);
	p.dwSize = sizeof(p);
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has), 0);
	assert_false(has);
	assert_string_equal(p.szUserName, "");
	params(&p, "Nobody", "a", "b");
	assert_int_equal(RasSetEntryDialParams(pbk, &p, FALSE),
	                 ERROR_CANNOT_FIND_PHONEBOOK_ENTRY);
	params(&p, "Lab", "alice", "secret");
	snprintf(p.szDomain, sizeof(p.szDomain), "LAB");
	assert_int_equal(RasSetEntryDialParams(pbk, &p, FALSE), 0);
	snprintf(path, sizeof(path), "%s/tapix/ras-credentials", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	params(&p, "Lab", "", "");
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has), 0);
	assert_true(has);
	assert_string_equal(p.szUserName, "alice");
	assert_string_equal(p.szDomain, "LAB");
	assert_string_equal(p.szPassword, "****************");
	/* the marker dials with the saved password */
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	fx_ras_hang_up_and_wait(h);
	/* empty credentials: the saved ones */
	params(&p, "Lab", "", "");
	h = NULL;
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	fx_ras_hang_up_and_wait(h);
	/* the password removed: the dial fails to authenticate */
	params(&p, "Lab", "alice", "");
	assert_int_equal(RasSetEntryDialParams(pbk, &p, TRUE), 0);
	params(&p, "Lab", "", "");
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has), 0);
	assert_false(has);
	h = NULL;
	params(&p, "Lab", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h),
	                 ERROR_AUTHENTICATION_FAILURE);
	fx_ras_hang_up_and_wait(h);
}

/* Two threads dial and hang up different entries at once. */
struct worker {
	const char *entry;
	DWORD rc;
};

static void *dial_worker(void *arg)
{
	struct worker *w = arg;
	RASDIALPARAMSA p;
	unsigned i;

	for (i = 0; i < 5; i++) {
		HRASCONN h = NULL;

		params(&p, w->entry, "alice", "secret");
		w->rc = RasDial(NULL, pbk, &p, 0, NULL, &h);
		if (h)
			RasHangUp(h);
		if (w->rc)
			break;
	}
	return NULL;
}

static void test_ras_concurrent_dials(void **s)
{
	struct worker w[2] = {{"Lab", 1}, {"Plain", 1}};
	pthread_t t[2];
	int i;

	(void)s;
	for (i = 0; i < 2; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, dial_worker, &w[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].rc, 0);
	assert_int_equal(w[1].rc, 0);
}

/*
 * A connection is kept, failed or not, until it is hung up (ras.md §3.2),
 * so a user other than root holds at most 64 at once (docs/ras.md, an
 * extension): one more dial is ERROR_PORT_NOT_AVAILABLE without a handle,
 * another user is not held back, and a connection hung up makes room.
 * Before, a service's client dialling in a loop grew tapixd by 3 KiB a
 * dial without bound.
 */
static void test_ras_connections_per_user_bounded(void **s)
{
	enum {
		MAX = 64
	};
	struct tapix_ras_req rq;
	HRASCONN h[MAX], x = NULL;
	RASCONNSTATUSA st;
	unsigned i;

	(void)s;
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.entry, sizeof(rq.entry), "Bounded");
	snprintf(rq.number, sizeof(rq.number), "answer");
	rq.type_ok = false; /* each fails at once, and stays */
	for (i = 0; i < MAX; i++)
		assert_int_equal(tapix_ras_dial(&rq, ":1.5", 1000, NULL, NULL,
		                                &h[i], NULL),
		                 0);
	assert_int_equal(
		tapix_ras_dial(&rq, ":1.5", 1000, NULL, NULL, &x, NULL),
		ERROR_PORT_NOT_AVAILABLE);
	assert_null(x);
	/* another process of the same user: the same count */
	assert_int_equal(
		tapix_ras_dial(&rq, ":1.7", 1000, NULL, NULL, &x, NULL),
		ERROR_PORT_NOT_AVAILABLE);
	assert_int_equal(
		tapix_ras_dial(&rq, ":1.6", 1001, NULL, NULL, &x, NULL), 0);
	assert_int_equal(tapix_ras_hang_up(x, ":1.6", 1001), 0);
	/* one hung up: once it is gone, one more dial goes */
	assert_int_equal(tapix_ras_hang_up(h[0], ":1.5", 1000), 0);
	for (i = 0; i < 500; i++) {
		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		if (tapix_ras_status(h[0], 1000, &st) == ERROR_INVALID_HANDLE)
			break;
		usleep(10000);
	}
	assert_true(i < 500);
	assert_int_equal(
		tapix_ras_dial(&rq, ":1.5", 1000, NULL, NULL, &h[0], NULL), 0);
	/* (their owner gone: failed ones with no reference are torn down) */
	assert_int_equal(tapix_ras_owner_gone(":1.5"), MAX);
	assert_int_equal(tapix_ras_shutdown(5000), 0);
}

/* The count eventfd @fd got within @ms (read: it is 0 again), or 0. */
static uint64_t signalled(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t v = 0;

	if (poll(&p, 1, ms) == 1 && read(fd, &v, sizeof(v)) == sizeof(v))
		return v;
	return 0;
}

/* Reads @fd until it stays quiet for 300 ms (bounded). */
static void until_quiet(int fd)
{
	unsigned i;

	for (i = 0; i < 50 && signalled(fd, 300); i++)
		;
	assert_true(i < 50);
}

/*
 * ras.md §12 (extension) — RasConnectionNotification: an eventfd for all
 * connections hears them come up and end (hung up, or the link lost); one
 * for a connection hears it end; the flags tapix never signals are
 * accepted; what is not an eventfd, or an unknown connection, is
 * ERROR_INVALID_HANDLE. The application may close its descriptor.
 */
static void test_ras_connection_notification(void **s)
{
	int all = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int one = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int never = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int gone = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	HRASCONN h = NULL, h2 = NULL;
	RASDIALPARAMSA p;
	int pfd[2];

	(void)s;
	assert_true(all >= 0 && one >= 0 && never >= 0 && gone >= 0);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(RasConnectionNotification(INVALID_HANDLE_VALUE,
	                                           TAPIX_FD_TO_HANDLE(-1),
	                                           RASCN_Connection),
	                 ERROR_INVALID_HANDLE);
	assert_int_equal(RasConnectionNotification(INVALID_HANDLE_VALUE,
	                                           TAPIX_FD_TO_HANDLE(pfd[0]),
	                                           RASCN_Connection),
	                 ERROR_INVALID_HANDLE);
	assert_int_equal(RasConnectionNotification((HRASCONN)(uintptr_t)12345,
	                                           TAPIX_FD_TO_HANDLE(one),
	                                           RASCN_Disconnection),
	                 ERROR_INVALID_HANDLE);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(RasConnectionNotification(
				 INVALID_HANDLE_VALUE, TAPIX_FD_TO_HANDLE(all),
				 RASCN_Connection | RASCN_Disconnection),
	                 0);
	assert_int_equal(
		RasConnectionNotification(INVALID_HANDLE_VALUE,
	                                  TAPIX_FD_TO_HANDLE(never),
	                                  RASCN_BandwidthAdded | RASCN_Dormant),
		0);
	/* one comes up */
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	assert_true(signalled(all, 5000) >= 1);
	until_quiet(all);
	/*
	 * another one, whose link goes by itself 2 s after connecting (the
	 * caller's number in place of the entry's 300 ms: a connection that
	 * comes and goes between two looks is not seen, and a look delayed
	 * on a busy machine missed one that short)
	 */
	params(&p, "Drops", "", "");
	snprintf(p.szPhoneNumber, sizeof(p.szPhoneNumber), "hangup:2000");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h2), 0);
	assert_int_equal(RasConnectionNotification(h2, TAPIX_FD_TO_HANDLE(one),
	                                           RASCN_Disconnection),
	                 0);
	assert_int_equal(RasConnectionNotification(h2, TAPIX_FD_TO_HANDLE(gone),
	                                           RASCN_Disconnection),
	                 0);
	close(gone); /* ours: the library has its own copy */
	assert_true(signalled(one, 5000) >= 1);
	assert_true(signalled(all, 5000) >= 1);
	until_quiet(all);
	fx_ras_hang_up_and_wait(h2);
	/* the first one hung up */
	fx_ras_hang_up_and_wait(h);
	assert_true(signalled(all, 5000) >= 1);
	assert_int_equal(signalled(never, 300), 0);
	close(all);
	close(one);
	close(never);
}

/* ---- the ending paths (ras.md §3.8, §4, §11.3)
 * ----------------------------------------------------------- */

/*
 * A second phonebook, so that the enumeration tests keep their twelve
 * entries: entries that ring for a minute on esp line 3 (the second one
 * with every request of its call taking 250 ms, the drop too) and one on
 * line 2 whose far end never lets the call go idle after a drop (deaf).
 */
static const char ring_text[] =
	"[Rings]\nTapixDialTimeout=60\nMEDIA=rastapi\nPort=esp-3\n"
	"DEVICE=modem\nPhoneNumber=noanswer\n"
	"[RingsSlowly]\nTapixDialTimeout=60\nMEDIA=rastapi\nPort=esp-3\n"
	"DEVICE=modem\nPhoneNumber=slow:250/noanswer\n"
	"[Deaf]\nMEDIA=rastapi\nPort=esp-2\nDEVICE=modem\nPhoneNumber=deaf\n";

/* Writes the phonebook above to "@dir/ring.pbk"; its path in @path. */
static void ring_pbk(char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/ring.pbk", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(ring_text, f);
	fclose(f);
}

/* Waits (bounded) for a notification of @st, with any error. */
static void wait_note(RASCONNSTATE st)
{
	struct timespec until;
	unsigned i = 0;
	bool seen = false;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FX_WAIT_MS / 1000;
	pthread_mutex_lock(&rec.lock);
	for (;;) {
		for (; i < rec.n && !seen; i++)
			seen = rec.st[i] == st;
		if (seen ||
		    pthread_cond_timedwait(&rec.cond, &rec.lock, &until))
			break;
	}
	pthread_mutex_unlock(&rec.lock);
	if (!seen)
		fail_msg("no notification of state %u", (unsigned)st);
}

/*
 * ras.md §4 — waits (at most @ms) for the end of @h's teardown:
 * RasGetConnectStatus answers RASCS_Disconnected until then, then
 * ERROR_INVALID_HANDLE. Unlike fx_ras_hang_up_and_wait, hangs up nothing.
 */
static void wait_torn_down(HRASCONN h, unsigned ms)
{
	struct timespec t0, now;
	RASCONNSTATUSA st;
	DWORD r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		r = RasGetConnectStatus(h, &st);
		if (r == ERROR_INVALID_HANDLE)
			return;
		assert_int_equal(r, 0);
		assert_int_equal(st.rasconnstate, RASCS_Disconnected);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 +
		            (now.tv_nsec - t0.tv_nsec) / 1000000 >
		    (long)ms)
			fail_msg("not torn down within %u ms", ms);
		usleep(10000);
	}
}

/*
 * spec: ras.md §11.3, §5, §6 — the line under a connection that is up is
 * closed by force (another application on the same line dials esp's
 * outage): the connection is RASCS_Disconnected with
 * ERROR_PORT_DISCONNECTED (619) until RasHangUp, and no longer listed;
 * the hang-up ends it and leaves nothing.
 */
static void test_ras_forced_line_close_port_disconnected(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	struct fx_app a;
	HRASCONN h = NULL;
	HCALL boom = 0;
	DWORD cb = 0, n = 77;
	HLINE l;
	unsigned i;

	(void)s;
	params(&p, "Lab", "alice", "secret"); /* esp line 0 */
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	fx_app_init(&a, "outage");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_true(lineMakeCall(l, &boom, "outage", 0, NULL) > 0);
	fx_wait(&a, LINE_CLOSE, l, FX_ANY);
	for (i = 0; i < 500; i++) {
		st = status(h, 0);
		if (st.rasconnstate == RASCS_Disconnected)
			break;
		usleep(10000);
	}
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_PORT_DISCONNECTED);
	assert_int_equal(RasEnumConnections(NULL, &cb, &n), 0);
	assert_int_equal(n, 0);
	fx_shutdown(&a);
	fx_ras_hang_up_and_wait(h);
	expect_ras_gone();
}

/*
 * spec: ras.md §5, §11.3 with termination.md §7 (LINE_REMOVE) — the
 * device under an up connection is removed: the connection ends as when
 * its line is closed by force (RASCS_Disconnected with
 * ERROR_PORT_DISCONNECTED), is no longer listed, and RasHangUp ends it
 * with nothing left. Through tapixd the device stays removed until the
 * service restarts, so the test restarts it for the next one.
 */
static void test_ras_device_removed_under_connection(void **s)
{
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	struct fx_app a;
	HRASCONN h = NULL;
	HCALL boom = 0;
	DWORD cb = 0, n = 77;
	HLINE l;
	unsigned i;

	(void)s;
	params(&p, "Lab", "alice", "secret"); /* esp line 0 */
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	fx_app_init(&a, "removal");
	l = fx_open(&a, 0, LINECALLPRIVILEGE_NONE, 0);
	assert_true(lineMakeCall(l, &boom, "remove", 0, NULL) > 0);
	fx_wait(&a, LINE_CLOSE, l, FX_ANY);
	fx_wait(&a, LINE_REMOVE, 0, 0);
	for (i = 0; i < 500; i++) {
		st = status(h, 0);
		if (st.rasconnstate == RASCS_Disconnected)
			break;
		usleep(10000);
	}
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_PORT_DISCONNECTED);
	assert_int_equal(RasEnumConnections(NULL, &cb, &n), 0);
	assert_int_equal(n, 0);
	fx_shutdown(&a);
	fx_ras_hang_up_and_wait(h);
	expect_ras_gone();
	if (fx_service())
		fx_config(CONF);
}

/*
 * spec: ras.md §4, §3.7 — RasHangUp of a dial paused in
 * RASCS_RetryAuthentication (RDEOPT_PausedStates, a wrong password) ends
 * it: no notification after the hang-up, nothing left.
 */
static void test_ras_hangup_while_paused(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned n;

	(void)s;
	rec_reset();
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = RDEOPT_PausedStates;
	params(&p, "Lab", "alice", "wrong");
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n > 0);
	assert_int_equal(rec.st[n - 1], RASCS_RetryAuthentication);
	assert_int_equal(rec.err[n - 1], 0);
	fx_ras_hang_up_and_wait(h);
	expect_no_more_notes(n);
	expect_ras_gone();
}

/*
 * spec: ras.md §4, §13 C2 — RasHangUp again while the teardown of the
 * first runs (esp completes every request a second late, the drop too, so
 * the teardown lasts): 0, without effect; once the teardown has ended,
 * ERROR_INVALID_HANDLE.
 */
static void test_ras_hangup_twice_during_teardown(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;

	(void)s;
	fx_config("[tapix]\nproviders = esp\n[esp]\nlines = 4\n"
	          "completion_delay_ms = 1000\n");
	params(&p, "Plain", "", "");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h), 0);
	assert_int_equal(RasHangUp(h), 0);
	/* the teardown runs: the handle answers, Disconnected */
	assert_int_equal(status(h, 0).rasconnstate, RASCS_Disconnected);
	fx_ras_hang_up_and_wait(h); /* the second RasHangUp: 0 */
	assert_int_equal(RasHangUp(h), ERROR_INVALID_HANDLE);
	expect_ras_gone();
}

/* A synchronous RasDial of "RingsSlowly" on a thread of its own. */
struct sync_dial {
	char pbk[160];
	HRASCONN h; /* RasDial stores the handle here, then blocks */
	DWORD rc;
};

static void *sync_dial_main(void *arg)
{
	struct sync_dial *d = arg;
	RASDIALPARAMSA p;

	params(&p, "RingsSlowly", "", "");
	d->rc = RasDial(NULL, d->pbk, &p, 0, NULL, &d->h);
	return NULL;
}

/*
 * spec: ras.md §3.8 — a synchronous RasDial (no notifier) of an entry
 * that rings for a minute is hung up from another thread while it rings:
 * RasDial returns ERROR_USER_DISCONNECTION (631) and the connection goes.
 * Every request of its call takes 250 ms, the drop too, so the teardown
 * is still running while RasDial waits: it must not take that for a
 * success. A monitor on the line tells when the call rings. The handle is
 * read once a RAS call of this process has come after RasDial stored it
 * (RasEnumConnections, which lists no connection that is not up: §6):
 * embedded, the manager's lock orders the two; in service mode, the
 * dialling thread polls tapixd through the process's one bus connection
 * from the moment it stored the handle, 250 ms before the call can ring.
 */
static void test_ras_sync_dial_hung_up_from_another_thread_631(void **s)
{
	static struct sync_dial d; /* the thread may outlive a failure */
	struct fx_app m;
	struct timespec until;
	DWORD cb = 0, n = 77;
	pthread_t t;
	HRASCONN h;
	HLINE lm;
	HCALL mc;
	int e;

	(void)s;
	memset(&d, 0, sizeof(d));
	ring_pbk(d.pbk, sizeof(d.pbk));
	fx_app_init(&m, "monitor");
	lm = fx_open(&m, 3, LINECALLPRIVILEGE_MONITOR, 0);
	assert_int_equal(pthread_create(&t, NULL, sync_dial_main, &d), 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_RINGBACK);
	assert_int_equal(RasEnumConnections(NULL, &cb, &n), 0);
	assert_int_equal(n, 0);
	h = d.h;
	assert_non_null(h);
	assert_int_equal(RasHangUp(h), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FX_WAIT_MS / 1000;
	e = pthread_timedjoin_np(t, NULL, &until);
	if (e)
		fail_msg("RasDial did not return after RasHangUp");
	assert_int_equal(d.rc, ERROR_USER_DISCONNECTION);
	/* the drop ends the call, the teardown the connection */
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE);
	wait_torn_down(h, FX_WAIT_MS);
	assert_int_equal(lineDeallocateCall(mc), 0);
	fx_shutdown(&m);
	expect_ras_gone();
}

/*
 * spec: ras.md §4, termination.md §1.2 — RasHangUp of an asynchronous dial
 * whose call rings (after RASCS_ConnectDevice, the call is made): when
 * the handle has become invalid, the call is gone, closed once in esp
 * (TSPI_lineCloseCall) and no longer alive in the core. An application
 * keeps the provider session (and esp's counters) for the test.
 */
static void test_ras_hangup_while_ringing_closes_call(void **s)
{
	unsigned long before[4], after[4];
	struct tapix_live l;
	RASDIALPARAMSA p;
	struct fx_app a;
	char ring[160];
	HRASCONN h = NULL;

	(void)s;
	ring_pbk(ring, sizeof(ring));
	fx_app_init(&a, "session");
	fx_esp_counters(before);
	rec_reset();
	params(&p, "Rings", "", "");
	assert_int_equal(RasDial(NULL, ring, &p, 1, on_func1, &h), 0);
	wait_note(RASCS_ConnectDevice);
	fx_ras_hang_up_and_wait(h);
	fx_esp_counters(after);
	fx_live(&l);
	assert_int_equal(after[0], before[0] + 1);
	assert_int_equal(after[1], before[1]); /* no call named a dead one */
	assert_int_equal(l.calls, 0);
	fx_shutdown(&a);
	expect_ras_gone();
}

/*
 * spec: ras.md §4 — the teardown waits for IDLE after its drop 10 s at
 * most (TEARDOWN_TIMEOUT_MS): when the far end completes the drop but
 * never lets the call go idle (esp's deaf), the call is deallocated
 * anyway and the connection goes. A monitor on the line sees the owner
 * go (LINE_CALLINFO, NUMOWNERDECR) while the call is still connected: no
 * IDLE came. This test takes those 10 s.
 */
static void test_ras_teardown_gives_up_waiting_for_idle(void **s)
{
	RASDIALPARAMSA p;
	struct fx_app m;
	char ring[160];
	HRASCONN h = NULL;
	HLINE lm;
	HCALL mc;

	(void)s;
	ring_pbk(ring, sizeof(ring));
	fx_app_init(&m, "monitor");
	lm = fx_open(&m, 2, LINECALLPRIVILEGE_MONITOR, 0);
	params(&p, "Deaf", "", "");
	assert_int_equal(RasDial(NULL, ring, &p, 0, NULL, &h), 0);
	mc = (HCALL)fx_wait(&m, LINE_APPNEWCALL, lm, FX_ANY).dwParam2;
	fx_wait(&m, LINE_CALLSTATE, mc, LINECALLSTATE_CONNECTED);
	assert_int_equal(RasHangUp(h), 0);
	assert_true(fx_wait_try(&m, LINE_CALLINFO, mc,
	                        LINECALLINFOSTATE_NUMOWNERDECR, 12000, NULL));
	wait_torn_down(h, FX_WAIT_MS);
	assert_int_equal(fx_state(mc), LINECALLSTATE_CONNECTED);
	assert_false(fx_wait_try(&m, LINE_CALLSTATE, mc, LINECALLSTATE_IDLE, 0,
	                         NULL));
	assert_int_equal(lineDeallocateCall(mc), 0);
	fx_shutdown(&m);
	expect_ras_gone();
}

/*
 * ras.md §3.7 — in synchronous mode the situations that would pause fail
 * instead, RDEOPT_PausedStates or not: a wrong password is
 * ERROR_AUTHENTICATION_FAILURE (691), an expired one ERROR_PASSWD_EXPIRED
 * (648), each with a handle whose status is Disconnected with that error
 * (§3.2). Before, the synchronous RasDial returned 0 on the pause.
 */
static void test_ras_sync_dial_with_paused_states_fails(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	RASCONNSTATUSA st;
	HRASCONN h = NULL;

	(void)s;
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = RDEOPT_PausedStates;
	params(&p, "Lab", "alice", "wrong");
	assert_int_equal(RasDial(&x, pbk, &p, 0, NULL, &h),
	                 ERROR_AUTHENTICATION_FAILURE);
	assert_non_null(h);
	st = status(h, 0);
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_AUTHENTICATION_FAILURE);
	fx_ras_hang_up_and_wait(h);
	h = NULL;
	params(&p, "Lab", "carol", "x");
	assert_int_equal(RasDial(&x, pbk, &p, 0, NULL, &h),
	                 ERROR_PASSWD_EXPIRED);
	assert_non_null(h);
	st = status(h, 0);
	assert_int_equal(st.rasconnstate, RASCS_Disconnected);
	assert_int_equal(st.dwError, ERROR_PASSWD_EXPIRED);
	fx_ras_hang_up_and_wait(h);
}

/* Writes phonebook @text to @path. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * ras.md §10.1, §3.3, §9 — a phonebook named by a relative path is the
 * file's full path: RASCONN.szPhonebook and RASENTRYNAME.szPhonebookPath
 * are absolute, a dial by the relative and one by the absolute path are
 * one connection with two references, and the credentials saved through
 * the relative path are the file's, not those of every file of that name
 * (another directory's rasphone.pbk sees none). A relative path that
 * names no file: ERROR_CANNOT_OPEN_PHONEBOOK (621).
 */
static void test_ras_relative_phonebook_path_is_made_full(void **s)
{
	char other[128], opbk[160];
	RASDIALPARAMSA p;
	RASENTRYNAMEA e[16];
	RASCONNA v[4];
	HRASCONN h1 = NULL, h2 = NULL;
	DWORD cb, n, r1, r2, r3, r4;
	BOOL has = TRUE;

	(void)s;
	snprintf(other, sizeof(other), "%s/other", dir);
	assert_int_equal(mkdir(other, 0700), 0);
	snprintf(opbk, sizeof(opbk), "%s/rasphone.pbk", other);
	write_file(opbk, pbk_text);

	assert_int_equal(chdir(dir), 0);
	params(&p, "Lab", "alice", "secret");
	r1 = RasDial(NULL, "rasphone.pbk", &p, 0, NULL, &h1);
	params(&p, "Lab", "bob", "pw");
	r2 = RasSetEntryDialParams("rasphone.pbk", &p, FALSE);
	memset(e, 0, sizeof(e));
	e[0].dwSize = sizeof(e[0]);
	cb = sizeof(e);
	r3 = RasEnumEntries(NULL, "rasphone.pbk", e, &cb, &n);
	r4 = RasEnumEntries(NULL, "missing.pbk", e, &cb, &n);
	assert_int_equal(chdir(other), 0);
	params(&p, "Lab", "", "");
	assert_int_equal(RasGetEntryDialParams("rasphone.pbk", &p, &has), 0);
	assert_int_equal(chdir(start_cwd), 0);

	assert_int_equal(r1, 0);
	assert_int_equal(r2, 0);
	assert_int_equal(r3, 0);
	assert_int_equal(r4, ERROR_CANNOT_OPEN_PHONEBOOK);
	assert_string_equal(e[0].szPhonebookPath, pbk);
	/* another directory's phonebook: nothing saved for it */
	assert_false(has);
	assert_string_equal(p.szUserName, "");
	/* the same file by its full path: the credentials saved above */
	params(&p, "Lab", "", "");
	assert_int_equal(RasGetEntryDialParams(pbk, &p, &has), 0);
	assert_true(has);
	assert_string_equal(p.szUserName, "bob");
	/* and the same connection: a reference more */
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(NULL, pbk, &p, 0, NULL, &h2), 0);
	assert_ptr_equal(h1, h2);
	memset(v, 0, sizeof(v));
	v[0].dwSize = sizeof(v[0]);
	cb = sizeof(v);
	assert_int_equal(RasEnumConnections(v, &cb, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].szPhonebook, pbk);
	assert_int_equal(RasHangUp(h1), 0);
	assert_int_equal(status(h2, 0).rasconnstate, RASCS_Connected);
	fx_ras_hang_up_and_wait(h2);
}

/* One thread's RasSetEntryDialParams loop (test_ras_credentials_...). */
struct setter {
	const char *entry;
	unsigned failed;
	DWORD last;
};

#define SETS 200

static void *setter_main(void *arg)
{
	struct setter *w = arg;
	RASDIALPARAMSA p;
	char user[32];
	unsigned i;
	DWORD r;

	for (i = 0; i < SETS; i++) {
		snprintf(user, sizeof(user), "%s-%u", w->entry, i);
		params(&p, w->entry, user, "pw");
		r = RasSetEntryDialParams(pbk, &p, FALSE);
		if (r) {
			w->failed++;
			w->last = r;
		}
	}
	return NULL;
}

/*
 * ras.md §9 — the credentials file is the saved credentials of every
 * entry: two threads saving those of two entries at once lose none of
 * them, and neither call fails. Before, both wrote one temporary file
 * (named by the process) and read, changed and wrote the file unlocked:
 * dozens of ERROR_CANNOT_WRITE_PHONEBOOK and a lost entry.
 */
static void test_ras_credentials_concurrent_writers(void **s)
{
	struct setter w[2] = {{.entry = "Lab"}, {.entry = "Plain"}};
	char want[32];
	RASDIALPARAMSA p;
	pthread_t t[2];
	BOOL has;
	int i;

	(void)s;
	for (i = 0; i < 2; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, setter_main, &w[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		if (w[i].failed)
			fail_msg("%s: %u of %u saves failed (last %u)",
			         w[i].entry, w[i].failed, SETS,
			         (unsigned)w[i].last);
		params(&p, w[i].entry, "", "");
		has = FALSE;
		assert_int_equal(RasGetEntryDialParams(pbk, &p, &has), 0);
		snprintf(want, sizeof(want), "%s-%u", w[i].entry, SETS - 1);
		assert_string_equal(p.szUserName, want);
		assert_true(has);
	}
}

/*
 * ras.md §3.3 — a RasDial that joins a connected entry gets exactly one
 * notification, Connected, even when the first dialler's RASDIALFUNC2
 * stopped its own notifications by returning 0 (§3.4: that stops the
 * first dialler's, nobody else's). Before, the join's note was dropped.
 */
static void test_ras_join_after_func2_stopped_notifies_once(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h1 = NULL, h2 = NULL;
	unsigned i;

	(void)s;
	rec_reset();
	rec_keep_until(1); /* FUNC2 returns 0 from the first note on */
	params(&p, "Lab", "alice", "secret");
	p.dwCallbackId = 4242;
	assert_int_equal(RasDial(NULL, pbk, &p, 2, on_func2, &h1), 0);
	for (i = 0; i < 500; i++) {
		if (status(h1, 0).rasconnstate == RASCS_Connected)
			break;
		usleep(10000);
	}
	assert_int_equal(status(h1, 0).rasconnstate, RASCS_Connected);
	expect_no_more_notes(1);
	rec_reset();
	assert_int_equal(RasDial(NULL, pbk, &p, 1, on_func1, &h2), 0);
	assert_ptr_equal(h1, h2);
	expect_no_more_notes(1);
	assert_int_equal(rec.st[0], RASCS_Connected);
	assert_int_equal(rec.err[0], 0);
	assert_ptr_equal(rec.h[0], h2);
	assert_int_equal(RasHangUp(h1), 0);
	fx_ras_hang_up_and_wait(h2);
}

/* An asynchronous dial of Lab with a wrong password, paused (§3.7). */
static HRASCONN dial_paused(RASDIALEXTENSIONS *x)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	unsigned n;

	rec_reset();
	memset(x, 0, sizeof(*x));
	x->dwSize = sizeof(*x);
	x->dwfOptions = RDEOPT_PausedStates;
	params(&p, "Lab", "alice", "wrong");
	assert_int_equal(RasDial(x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n > 0);
	assert_int_equal(rec.st[n - 1], RASCS_RetryAuthentication);
	return h;
}

/*
 * ras.md §3.7, §3.5 — a resuming RasDial gives the same notifier (type
 * and pointer) as the first: another one, or none (synchronous), is
 * ERROR_INVALID_PARAMETER (87); a RASDIALEXTENSIONS of a size that is not
 * Windows' is ERROR_INVALID_SIZE (632). Refused, the dial stays paused
 * and resumes with the right ones.
 */
static void test_ras_resume_checks_notifier_and_extensions(void **s)
{
	RASDIALEXTENSIONS x, bad;
	RASDIALPARAMSA p;
	HRASCONN h;
	unsigned n;

	(void)s;
	h = dial_paused(&x);
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasDial(&x, pbk, &p, 0, on_func, &h),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasDial(&x, pbk, &p, 2, on_func2, &h),
	                 ERROR_INVALID_PARAMETER);
	assert_int_equal(RasDial(&x, pbk, &p, 0, NULL, &h),
	                 ERROR_INVALID_PARAMETER);
	bad = x;
	bad.dwSize = 3;
	assert_int_equal(RasDial(&bad, pbk, &p, 1, on_func1, &h),
	                 ERROR_INVALID_SIZE);
	assert_int_equal(status(h, 0).rasconnstate, RASCS_RetryAuthentication);
	rec_reset();
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n > 0);
	assert_int_equal(rec.st[0], RASCS_AuthRetry);
	assert_int_equal(rec.st[n - 1], RASCS_Connected);
	fx_ras_hang_up_and_wait(h);
}

/*
 * ras.md §3.6, §9 — the saved-password marker in a resuming RasDial
 * stands for the saved password, as in a new one: the dial connects.
 * Before, the marker itself was sent as the password, and the dial
 * paused again.
 */
static void test_ras_resume_with_saved_password_marker(void **s)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	HRASCONN h;
	unsigned n;

	(void)s;
	params(&p, "Lab", "alice", "secret");
	assert_int_equal(RasSetEntryDialParams(pbk, &p, FALSE), 0);
	h = dial_paused(&x);
	rec_reset();
	params(&p, "Lab", "alice", "****************");
	assert_int_equal(RasDial(&x, pbk, &p, 1, on_func1, &h), 0);
	n = wait_notes_final();
	assert_true(n > 0);
	assert_int_equal(rec.st[0], RASCS_AuthRetry);
	assert_int_equal(rec.st[n - 1], RASCS_Connected);
	assert_int_equal(rec.err[n - 1], 0);
	fx_ras_hang_up_and_wait(h);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_ras_struct_sizes_match_windows),
		T(test_ras_invalid_arguments),
		T(test_ras_corrupt_phonebook_625),
		T(test_ras_dial_sync_success),
		T(test_ras_dial_async_state_order),
		T(test_ras_dialfunc0),
		T(test_ras_dial_error_reports_failing_state),
		T(test_ras_dial_failure_returns_handle_needing_hangup),
		T(test_ras_authentication_failure),
		T(test_ras_paused_retry_authentication_resume),
		T(test_ras_many_paused_retries),
		T(test_ras_hangup_during_dialing),
		T(test_ras_hangup_inside_notifier_deferred),
		T(test_ras_dial_from_notifier_616),
		T(test_ras_dialfunc2_return_zero_stops_callbacks_not_dial),
		T(test_ras_referenced_connection_refcount),
		T(test_ras_link_lost),
		T(test_ras_enumconnections_buffer_protocol),
		T(test_ras_dialing_rules),
		T(test_ras_dial_without_entry),
		T(test_ras_enumentries),
		T(test_ras_enumdevices_buffer_protocol),
		T(test_ras_enumdevices_errors_leave_outputs),
		T(test_ras_enumconnections_errors_leave_outputs),
		T(test_ras_enumentries_errors_leave_outputs),
		T(test_ras_errors_leave_outputs),
		T(test_ras_geterrorstring_buffer_rules),
		T(test_ras_entry_dial_params),
		T(test_ras_connections_per_user_bounded),
		T(test_ras_concurrent_dials),
		T(test_ras_forced_line_close_port_disconnected),
		T(test_ras_device_removed_under_connection),
		T(test_ras_hangup_while_paused),
		T(test_ras_hangup_twice_during_teardown),
		T(test_ras_sync_dial_hung_up_from_another_thread_631),
		T(test_ras_hangup_while_ringing_closes_call),
		T(test_ras_teardown_gives_up_waiting_for_idle),
		T(test_ras_sync_dial_with_paused_states_fails),
		T(test_ras_relative_phonebook_path_is_made_full),
		T(test_ras_credentials_concurrent_writers),
		T(test_ras_join_after_func2_stopped_notifies_once),
		T(test_ras_resume_checks_notifier_and_extensions),
		T(test_ras_resume_with_saved_password_marker),
		/* last: it leaves a thread polling for good (§12) */
		T(test_ras_connection_notification),
	};
#undef T

	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
