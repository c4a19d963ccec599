/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the SIP interop tests (see interop.h). */
#include "interop.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SIPP_LIMIT_S 60 /* timeout(1) around every SIPp */
#define SIPP_WAIT_MS 30000

static unsigned base_port;
static char log_path[256];
static bool over_tcp;

void sipp_use_tcp(bool on)
{
	over_tcp = on;
}

unsigned port_of(unsigned n)
{
	return base_port + n;
}

bool interop_init(unsigned def, const char *const needed[])
{
	const char *env = getenv("TAPIX_TEST_PORT_BASE");
	unsigned i;

	base_port = env ? (unsigned)strtoul(env, NULL, 10) : def;
	if (getenv("TAPIX_TEST_FILTER")) /* to run one test by hand */
		cmocka_set_test_filter(getenv("TAPIX_TEST_FILTER"));
	for (i = 0; needed && needed[i]; i++) {
		if (!proc_have(needed[i])) {
			/* scripts/setup.sh installs them: missing fails */
			fprintf(stderr, "%s is not installed\n", needed[i]);
			return false;
		}
	}
	return true;
}

int interop_setup(void **state)
{
	(void)state;
	return 0;
}

int interop_teardown(void **state)
{
	over_tcp = false;
	proc_kill_all();
	return fx_teardown(state);
}

/* One SIP line "a" on 127.0.0.1:tapix_port(), plus @extra keys in [sip]. */
void sip_config(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n%s\n"
	         "[sip.a]\naor = sip:tapix@127.0.0.1:%u\n"
	         "local = 127.0.0.1:%u\n",
	         extra ? extra : "", tapix_port(), tapix_port());
	fx_config(text);
}

/* Calls and their rate of the next SIPp run (sipp_load): 1 and none;
 * its -key pairs (sipp_keys): none. */
static unsigned load_calls = 1, load_rate;
static const char *const *run_keys;

pid_t sipp_to(const char *scenario, unsigned remote_port)
{
	char sf[512], port[16], remote[64], err[300], msgs[300], calls[16],
		rate[16];
	const char *argv[40];
	const char *const *k;
	unsigned n = 0;
	pid_t pid;

	snprintf(sf, sizeof(sf), "%s/%s", TAPIX_SIPP_DIR, scenario);
	snprintf(port, sizeof(port), "%u", sipp_port());
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", remote_port);
	snprintf(log_path, sizeof(log_path), "%s/%s.log", TAPIX_TEST_LOG_DIR,
	         scenario);
	snprintf(err, sizeof(err), "%s/%s.errors", TAPIX_TEST_LOG_DIR,
	         scenario);
	snprintf(msgs, sizeof(msgs), "%s/%s.messages", TAPIX_TEST_LOG_DIR,
	         scenario);
	unlink(err); /* SIPp appends to these */
	unlink(msgs);
	argv[n++] = "sipp";
	argv[n++] = "-sf";
	argv[n++] = sf;
	argv[n++] = "-i";
	argv[n++] = "127.0.0.1";
	argv[n++] = "-p";
	argv[n++] = port;
	snprintf(calls, sizeof(calls), "%u", load_calls);
	argv[n++] = "-m";
	argv[n++] = calls;
	if (load_rate) {
		snprintf(rate, sizeof(rate), "%u", load_rate);
		argv[n++] = "-r";
		argv[n++] = rate;
		argv[n++] = "-l";
		argv[n++] = calls; /* no limit but the number of calls */
	}
	for (k = run_keys; k && k[0] && k[1] && k - run_keys < 4; k += 2) {
		argv[n++] = "-key";
		argv[n++] = k[0];
		argv[n++] = k[1];
	}
	argv[n++] = "-timeout";
	argv[n++] = "20s";
	argv[n++] = "-timeout_error";
	argv[n++] = "-nostdin";
	if (over_tcp) {
		argv[n++] = "-t";
		argv[n++] = "t1"; /* one TCP connection */
	}
	argv[n++] = "-trace_err";
	argv[n++] = "-error_file";
	argv[n++] = err;
	if (load_calls == 1) { /* (a load's messages are too many) */
		argv[n++] = "-trace_msg";
		argv[n++] = "-message_file";
		argv[n++] = msgs;
	}
	if (remote_port)
		argv[n++] = remote;
	argv[n] = NULL;
	pid = proc_start(log_path, SIPP_LIMIT_S, argv);
	if (!remote_port)
		wait_bound(sipp_port());
	return pid;
}

pid_t sipp_load(const char *scenario, unsigned calls, unsigned rate)
{
	pid_t pid;

	load_calls = calls;
	load_rate = rate;
	pid = sipp_to(scenario, tapix_port());
	load_calls = 1;
	load_rate = 0;
	return pid;
}

pid_t sipp(const char *scenario, bool uac)
{
	return sipp_to(scenario, uac ? tapix_port() : 0);
}

bool udp_bound(unsigned port)
{
	/* read, not probed with bind(): a probe holding the port for an
	 * instant makes a peer starting then fail with EADDRINUSE */
	FILE *f = fopen("/proc/net/udp", "r");
	char line[512];
	bool used = false;

	assert_non_null(f);
	while (!used && fgets(line, sizeof(line), f)) {
		unsigned addr, p;

		if (sscanf(line, " %*u: %x:%x", &addr, &p) == 2 && p == port)
			used = true;
	}
	fclose(f);
	return used;
}

/* True while something listens on TCP 127.0.0.1:@port. */
static bool tcp_bound(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool used;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	used = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return used;
}

void wait_bound(unsigned port)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	bool (*bound)(unsigned) = over_tcp ? tcp_bound : udp_bound;
	unsigned i;

	for (i = 0; i < 1000 && !bound(port); i++)
		nanosleep(&step, NULL);
	assert_true(bound(port));
}

pid_t sipp_keys(const char *scenario, const char *const keys[])
{
	pid_t pid;

	run_keys = keys;
	pid = sipp_to(scenario, tapix_port());
	run_keys = NULL;
	return pid;
}

pid_t sipp_uas(const char *scenario)
{
	return sipp_to(scenario, 0);
}

void sipp_passed(pid_t pid)
{
	int st = proc_wait(pid, SIPP_WAIT_MS);

	if (st != 0) {
		proc_show_log(log_path, 40);
		fprintf(stderr, "SIPp exit status %d\n", st);
	}
	assert_int_equal(st, 0);
}

LINECALLINFO *call_info(HCALL h)
{
	LINECALLINFO *ci = calloc(1, 8192);

	assert_non_null(ci);
	ci->dwTotalSize = 8192;
	assert_int_equal(lineGetCallInfo(h, ci), 0);
	return ci;
}

void assert_uui(HCALL h, const void *data, DWORD len)
{
	LINECALLINFO *ci = call_info(h);

	assert_int_equal(ci->dwUserUserInfoSize, len);
	if (len)
		assert_memory_equal((char *)ci + ci->dwUserUserInfoOffset, data,
		                    len);
	free(ci);
}

int seen_at(const struct fx_app *a, DWORD msg, HCALL h, DWORD_PTR p1,
            DWORD_PTR p1_mask)
{
	unsigned i;

	for (i = 0; i < a->nseen; i++)
		if (a->seen[i].dwMessageID == msg && a->seen[i].hDevice == h &&
		    (a->seen[i].dwParam1 & p1_mask) == p1)
			return (int)i;
	return -1;
}

/* The device-specific text of @h's LINECALLINFO (how the call ended). */
static char *end_info(HCALL h)
{
	LINECALLINFO *ci = call_info(h);
	char *text = calloc(1, ci->dwDevSpecificSize + 1);

	assert_non_null(text);
	memcpy(text, (char *)ci + ci->dwDevSpecificOffset,
	       ci->dwDevSpecificSize);
	free(ci);
	return text;
}

void assert_end_info(HCALL h, const char *part)
{
	char *text = end_info(h);

	if (!strstr(text, part))
		fprintf(stderr, "device-specific info: \"%s\", wanted %s\n",
		        text, part);
	assert_non_null(strstr(text, part));
	free(text);
}

HCALL make_call_to(struct fx_app *a, HLINE l, const char *dest, const char *uui)
{
	union {
		LINECALLPARAMS p;
		char buf[sizeof(LINECALLPARAMS) + 64];
	} u;
	HCALL h = 0;
	DWORD len = uui ? (DWORD)strlen(uui) : 0;

	memset(&u, 0, sizeof(u));
	u.p.dwTotalSize = sizeof(u);
	u.p.dwBearerMode = LINEBEARERMODE_VOICE;
	u.p.dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	if (len) {
		memcpy(u.buf + sizeof(LINECALLPARAMS), uui, len);
		u.p.dwUserUserInfoOffset = sizeof(LINECALLPARAMS);
		u.p.dwUserUserInfoSize = len;
	}
	assert_int_equal(fx_reply(a, lineMakeCall(l, &h, dest, 0, &u.p)), 0);
	return h;
}

HCALL make_call(struct fx_app *a, HLINE l, const char *uui)
{
	char dest[64];

	snprintf(dest, sizeof(dest), "sip:sipp@127.0.0.1:%u", sipp_port());
	return make_call_to(a, l, dest, uui);
}

HLINE open_line_dev(struct fx_app *a, DWORD dev)
{
	return fx_open(a, dev, LINECALLPRIVILEGE_OWNER,
	               LINEMEDIAMODE_INTERACTIVEVOICE);
}

HCALL offered(struct fx_app *a, HLINE l)
{
	LINEMESSAGE m = fx_wait(a, LINE_APPNEWCALL, l, FX_ANY);
	HCALL h = (HCALL)m.dwParam2;

	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_OFFERING);
	return h;
}

HCALL answered(struct fx_app *a, HLINE l)
{
	HCALL h = offered(a, l);

	assert_int_equal(fx_reply(a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	return h;
}

void drop_to_idle(struct fx_app *a, HCALL h)
{
	assert_int_equal(fx_reply(a, lineDrop(h, NULL, 0)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
}

void hold_and_unhold(struct fx_app *a, HCALL h)
{
	assert_int_equal(fx_reply(a, lineHold(h)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_ONHOLD);
	assert_int_equal(fx_reply(a, lineUnhold(h)), 0);
	fx_wait(a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
}
