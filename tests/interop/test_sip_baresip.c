/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider against baresip, a real user agent: headless, audio
 * from a sine source, auto-answer, on 127.0.0.1 only. Calls both ways,
 * ended from each side; a call held and taken off hold (re-INVITEs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "interop.h"

#define BARESIP_LIMIT_S 60
#define baresip_port()  port_of(3)

#define setup    interop_setup
#define teardown interop_teardown

static char bs_dir[300], bs_log[300];

/* A baresip configuration: account bob on baresip_port(), auto-answer. */
static void write_config(void)
{
	char path[400];
	FILE *f;

	snprintf(bs_dir, sizeof(bs_dir), "%s/baresip", TAPIX_TEST_LOG_DIR);
	snprintf(bs_log, sizeof(bs_log), "%s/baresip.log", TAPIX_TEST_LOG_DIR);
	mkdir(bs_dir, 0755);
	snprintf(path, sizeof(path), "%s/config", bs_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "sip_listen 127.0.0.1:%u\n"
	        "sip_trans_def udp\n"
	        "net_interface 127.0.0.1\n"
	        "audio_source ausine,440\n"
	        "audio_player aufile,%s/received.wav\n"
	        "audio_alert aufile,%s/alert.wav\n"
	        "ausrc_srate 48000\nauplay_srate 48000\n"
	        "ausrc_channels 2\nauplay_channels 2\n"
	        "module_path %s\n"
	        "module g711.so\nmodule ausine.so\nmodule aufile.so\n"
	        "module_app account.so\nmodule_app menu.so\n",
	        baresip_port(), bs_dir, bs_dir, TAPIX_BARESIP_MODULES);
	fclose(f);
	snprintf(path, sizeof(path), "%s/accounts", bs_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "<sip:bob@127.0.0.1:%u>;regint=0;answermode=auto;"
	        "audio_codecs=PCMU\n",
	        baresip_port());
	fclose(f);
}

/* Starts baresip; @command (or NULL) runs at start; @quit_s: 0 = never. */
static pid_t start_baresip(const char *command, unsigned quit_s)
{
	const char *argv[16];
	char quit[16];
	unsigned n = 0;
	pid_t p;

	write_config();
	/* its log is read while it runs: line-buffered */
	argv[n++] = "stdbuf";
	argv[n++] = "-oL";
	argv[n++] = "-eL";
	argv[n++] = "baresip";
	argv[n++] = "-v";
	argv[n++] = "-f";
	argv[n++] = bs_dir;
	if (command) {
		argv[n++] = "-e";
		argv[n++] = command;
	}
	if (quit_s) {
		snprintf(quit, sizeof(quit), "%u", quit_s);
		argv[n++] = "-t";
		argv[n++] = quit;
	}
	argv[n] = NULL;
	p = proc_start(bs_log, BARESIP_LIMIT_S, argv);
	wait_bound(baresip_port());
	return p;
}

/* Waits (bounded, 10 s) until baresip's log holds @text. */
static bool log_has(const char *text)
{
	struct timespec step = {0, 50 * 1000 * 1000};
	static char buf[1 << 16];
	unsigned i;

	for (i = 0; i < 200; i++) {
		FILE *f = fopen(bs_log, "r");
		size_t n = 0;

		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
		}
		buf[n] = '\0';
		if (strstr(buf, text))
			return true;
		nanosleep(&step, NULL);
	}
	proc_show_log(bs_log, 30);
	return false;
}

/*
 * spec: issue 4 (baresip) — tapix calls baresip, which answers by
 * itself (SDP offer/answer with a real UA); the app hangs up: baresip
 * sees the call terminated.
 */
static void test_tapix_calls_baresip(void **s)
{
	struct fx_app a;
	char dest[64];
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	sip_config(NULL);
	p = start_baresip(NULL, 0);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(dest, sizeof(dest), "sip:bob@127.0.0.1:%u", baresip_port());
	h = make_call_to(&a, l, dest, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(log_has("Call established"));
	/* hold and unhold: re-INVITEs baresip answers */
	hold_and_unhold(&a, h);
	drop_to_idle(&a, h);
	assert_true(log_has("session closed")); /* our BYE */
	proc_kill(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 (baresip) — baresip calls tapix; the app answers; baresip
 * quits after a while and hangs up: the app sees DISCONNECTED (NORMAL),
 * ended by the remote side.
 */
static void test_baresip_calls_tapix(void **s)
{
	struct fx_app a;
	char cmd[64];
	HLINE l;
	HCALL h;
	LINEMESSAGE m;
	pid_t p;

	(void)s;
	sip_config(NULL);
	fx_app_init(&a, "a");
	l = open_line(&a);
	snprintf(cmd, sizeof(cmd), "/dial sip:tapix@127.0.0.1:%u",
	         tapix_port());
	p = start_baresip(cmd, 3);
	h = offered(&a, l);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_true(fx_wait_try(&a, LINE_CALLSTATE, h,
	                        LINECALLSTATE_DISCONNECTED, 20000, &m));
	assert_int_equal(m.dwParam2, LINEDISCONNECTMODE_NORMAL);
	assert_end_info(h, "ended-by=remote");
	drop_to_idle(&a, h);
	assert_int_equal(proc_wait(p, 20000), 0);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tapix_calls_baresip, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_baresip_calls_tapix, setup,
	                                        teardown),
	};
	static const char *const needed[] = {"baresip", NULL};

	if (!interop_init(25400, needed))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
