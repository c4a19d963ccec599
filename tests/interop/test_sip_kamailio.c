/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider with Kamailio as registrar (digest authentication,
 * static credentials, no database) and proxy: registration, a wrong
 * password refused, and calls SIPp -> Kamailio -> tapix and back, with
 * user-user information passing through the proxy.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "interop.h"

#define KAMAILIO_LIMIT_S 300
#define kamailio_port()  port_of(2)

#define setup interop_setup

static pid_t kamailio;
static char kam_log[300];

static int teardown(void **state)
{
	/*
	 * SIGTERM first: Kamailio's main process stops its children (a
	 * SIGKILL of the main one can leave them holding the port for the
	 * next test); what remains is killed with the other processes.
	 */
	if (kamailio) {
		kill(kamailio, SIGTERM);
		proc_wait(kamailio, 10000);
	}
	kamailio = 0;
	return interop_teardown(state);
}

#define kamailio_tls_port() port_of(5)

/* With a TLS listener too: the tls module's configuration file (else
 * ""), set by the test that wants it. */
static char kam_tls_cfg[400];

/* Replaces each @@name@ in @line (of @size) by @value. */
static void subst(char *line, size_t size, const char *name, const char *value)
{
	size_t n = strlen(name);
	char *p;

	while ((p = strstr(line, name)) != NULL) {
		char rest[512];

		snprintf(rest, sizeof(rest), "%s", p + n);
		snprintf(p, size - (size_t)(p - line), "%s%s", value, rest);
	}
}

/* Writes kamailio.cfg for our ports and starts Kamailio; waits for it. */
static void start_kamailio(void)
{
	char src[512], cfg[300], run[300], line[512], port[16], tport[16];
	const char *argv[16];
	FILE *in, *out;
	unsigned n = 0;

	snprintf(src, sizeof(src), "%s/kamailio/kamailio.cfg",
	         TAPIX_INTEROP_DIR);
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", TAPIX_TEST_LOG_DIR);
	snprintf(run, sizeof(run), "%s/kamailio-run", TAPIX_TEST_LOG_DIR);
	snprintf(kam_log, sizeof(kam_log), "%s/kamailio.log",
	         TAPIX_TEST_LOG_DIR);
	snprintf(port, sizeof(port), "%u", kamailio_port());
	mkdir(run, 0755);
	/* the previous test's Kamailio must be gone, port and all */
	{
		struct timespec step = {0, 20 * 1000 * 1000};
		unsigned i;

		for (i = 0; i < 500 && udp_bound(kamailio_port()); i++)
			nanosleep(&step, NULL);
		assert_false(udp_bound(kamailio_port()));
	}
	in = fopen(src, "r");
	out = fopen(cfg, "w");
	assert_non_null(in);
	assert_non_null(out);
	snprintf(tport, sizeof(tport), "%u", kamailio_tls_port());
	while (fgets(line, sizeof(line), in)) {
		subst(line, sizeof(line), "@PORT@", port);
		subst(line, sizeof(line), "@TLSPORT@", tport);
		subst(line, sizeof(line), "@TLSCFG@", kam_tls_cfg);
		subst(line, sizeof(line), "@MODULES@", TAPIX_KAMAILIO_MODULES);
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	argv[n++] = "kamailio";
	argv[n++] = "-DD";
	argv[n++] = "-E";
	argv[n++] = "-m";
	argv[n++] = "32";
	argv[n++] = "-M";
	argv[n++] = "4";
	argv[n++] = "-f";
	argv[n++] = cfg;
	argv[n++] = "-Y";
	argv[n++] = run;
	if (kam_tls_cfg[0]) {
		argv[n++] = "-A";
		argv[n++] = "WITH_TLS";
	}
	argv[n] = NULL;
	kamailio = proc_start(kam_log, KAMAILIO_LIMIT_S, argv);
	wait_bound(kamailio_port());
}

/*
 * Line 0 "alice" registers at Kamailio with @password; calls go through
 * it (outbound proxy).
 */
static void config_alice(const char *password)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n"
	         "[sip.alice]\naor = sip:alice@127.0.0.1\n"
	         "user = alice\npassword = %s\n"
	         "registrar = sip:127.0.0.1:%u\nproxy = sip:127.0.0.1:%u\n"
	         "local = 127.0.0.1:%u\n",
	         password, kamailio_port(), kamailio_port(), tapix_port());
	fx_config(text);
}

/* Whether LINEDEVSTATUS's device-specific text (tapix-sip(7)) holds
 * @line. */
static bool dev_specific_has(HLINE l, const char *line)
{
	char buf[512];
	LPLINEDEVSTATUS ds = (LPLINEDEVSTATUS)buf;

	memset(buf, 0, sizeof(buf));
	ds->dwTotalSize = sizeof(buf);
	assert_int_equal(lineGetLineDevStatus(l, ds), 0);
	return ds->dwDevSpecificSize &&
	       strstr(buf + ds->dwDevSpecificOffset, line) != NULL;
}

/* The registration as the line reports it: "ok", "failed", "pending". */
static bool registration_is(HLINE l, const char *state)
{
	char want[64];

	snprintf(want, sizeof(want), "registration=%s\n", state);
	return dev_specific_has(l, want);
}

/* Waits (bounded, 15 s) until the registration is in @state. */
static void wait_registration(HLINE l, const char *state)
{
	struct timespec step = {0, 20 * 1000 * 1000};
	unsigned i;

	for (i = 0; i < 750 && !registration_is(l, state); i++)
		nanosleep(&step, NULL);
	if (!registration_is(l, state))
		proc_show_log(kam_log, 30);
	assert_true(registration_is(l, state));
}

static DWORD status_flags(HLINE l)
{
	LINEDEVSTATUS ds;

	memset(&ds, 0, sizeof(ds));
	ds.dwTotalSize = sizeof(ds);
	assert_int_equal(lineGetLineDevStatus(l, &ds), 0);
	return ds.dwDevStatusFlags;
}

/*
 * spec: issue 4 §1 — REGISTER with digest authentication: the line is in
 * service once Kamailio accepted it (LINEDEVSTATUS INSERVICE, and
 * LINE_LINEDEVSTATE INSERVICE if it came after the app enabled it).
 */
static void test_register_with_digest(void **s)
{
	struct fx_app a;
	HLINE l;

	(void)s;
	start_kamailio();
	config_alice("secret");
	fx_app_init(&a, "a");
	l = open_line(&a);
	assert_int_equal(
		lineSetStatusMessages(
			l, LINEDEVSTATE_INSERVICE | LINEDEVSTATE_OUTOFSERVICE,
			0),
		0);
	wait_registration(l, "ok");
	assert_true(status_flags(l) & LINEDEVSTATUSFLAGS_INSERVICE);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 §1 — a wrong password is refused: the line is out of
 * service (no INSERVICE flag, lineMakeCall LINEERR_INVALLINESTATE). Issue
 * 18 item 5: the device-specific text says why, status and reason phrase
 * (what tapixd's Line1.RegistrationError shows).
 */
static void test_wrong_password_is_refused(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;

	(void)s;
	start_kamailio();
	config_alice("not-the-password");
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "failed");
	assert_true(dev_specific_has(l, "\nstatus=401\nphrase=Unauthorized\n"));
	assert_false(status_flags(l) & LINEDEVSTATUSFLAGS_INSERVICE);
	assert_int_equal(lineMakeCall(l, &h, "sip:bob@127.0.0.1", 0, NULL),
	                 LINEERR_INVALLINESTATE);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 (Kamailio) — SIPp calls alice at the registrar; Kamailio
 * finds tapix's contact: the call is offered with the caller's UUI, the
 * far end's BYE (along the recorded route) disconnects it.
 */
static void test_call_through_kamailio_to_tapix(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	start_kamailio();
	config_alice("secret");
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "ok");
	p = sipp_to("proxy_caller_hangs_up.xml", kamailio_port());
	h = offered(&a, l);
	assert_uui(h, "\x55\x55", 2);
	assert_int_equal(fx_reply(&a, lineAnswer(h, NULL, 0)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_DISCONNECTED);
	assert_end_info(h, "ended-by=remote");
	drop_to_idle(&a, h);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * spec: issue 4 (Kamailio) — and back: tapix calls SIPp through its
 * outbound proxy; the UUI of INVITE and BYE cross the proxy unchanged
 * (SIPp checks them on the wire).
 */
static void test_call_from_tapix_through_kamailio(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	start_kamailio();
	config_alice("secret");
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "ok");
	p = sipp_uas("uas_answer_then_bye.xml");
	h = make_call(&a, l, "\x12\x34");
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xAB\xCD", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/*
 * In-dialog requests through the proxy: hold and unhold (re-INVITEs) and
 * a blind transfer (REFER) follow the route set Kamailio recorded.
 */
static void test_hold_and_transfer_through_kamailio(void **s)
{
	struct fx_app a;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	start_kamailio();
	config_alice("secret");
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "ok");
	p = sipp_uas("uas_hold.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	hold_and_unhold(&a, h);
	drop_to_idle(&a, h);
	sipp_passed(p);
	p = sipp_uas("uas_refer.xml");
	h = make_call(&a, l, NULL);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(
		fx_reply(&a, lineBlindTransfer(h, "sip:carol@127.0.0.1", 0)),
		0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);
}

/* Runs @cmd with sh; fails the test unless it exits 0. */
static void run_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fail_msg("%s: exit %d", cmd, rc);
}

/*
 * A throw-away authority and two certificates it signs, in @dir (the
 * test's temporary directory): Kamailio's (kam.pem, kam.key) and ours,
 * in sofia-sip's layout (agent.pem: key and certificate; cafile.pem).
 */
static void make_certificates(const char *dir)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && "
	         "openssl req -x509 -newkey ec -pkeyopt "
	         "ec_paramgen_curve:prime256v1 -nodes -days 2 "
	         "-subj /CN=tapix-test-ca -keyout ca.key -out ca.pem "
	         "2>/dev/null && "
	         "for n in kam tapix; do "
	         "openssl req -newkey ec -pkeyopt "
	         "ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
	         "-keyout $n.key -out $n.csr 2>/dev/null && "
	         "printf 'subjectAltName=IP:127.0.0.1\\n' > san && "
	         "openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key "
	         "-CAcreateserial -days 2 -extfile san -out $n.pem "
	         "2>/dev/null || exit 1; done && "
	         "cat tapix.key tapix.pem > agent.pem && cp ca.pem cafile.pem",
	         dir);
	run_sh(cmd);
}

/*
 * Issue 17 item 2, RFC 3261 §26.2.1 — SIP over TLS through Kamailio (its
 * tls module): line 0 registers over TLS (digest included), checking
 * Kamailio's certificate against the authority of tls_dir, and calls
 * SIPp through it (TLS to the proxy, UDP beyond); the call connects and
 * ends. A registration with a server certificate the authority did not
 * sign fails, and one whose certificate names another host.
 */
static void test_tls_through_kamailio(void **s)
{
	char dir[300], text[2048], tcfg[400];
	struct fx_app a;
	FILE *f;
	HLINE l;
	HCALL h;
	pid_t p;

	(void)s;
	fx_tmp_path(dir, sizeof(dir), "tls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	make_certificates(dir);
	snprintf(tcfg, sizeof(tcfg), "%s/tls.cfg", dir);
	f = fopen(tcfg, "w");
	assert_non_null(f);
	fprintf(f,
	        "[server:default]\nmethod = TLSv1.2+\n"
	        "verify_certificate = no\nrequire_certificate = no\n"
	        "private_key = %s/kam.key\ncertificate = %s/kam.pem\n"
	        "[client:default]\nmethod = TLSv1.2+\n"
	        "verify_certificate = no\nrequire_certificate = no\n",
	        dir, dir);
	fclose(f);
	snprintf(kam_tls_cfg, sizeof(kam_tls_cfg), "%s", tcfg);
	start_kamailio();
	kam_tls_cfg[0] = '\0';
	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n"
	         "[sip.alice]\naor = sip:alice@127.0.0.1\n"
	         "user = alice\npassword = secret\n"
	         "registrar = sip:127.0.0.1:%u;transport=tls\n"
	         "proxy = sip:127.0.0.1:%u;transport=tls\n"
	         "transport = tls\ntls_dir = %s\n"
	         "local = 127.0.0.1:%u\n",
	         kamailio_tls_port(), kamailio_tls_port(), dir, tapix_port());
	fx_config(text);
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "ok");
	p = sipp_uas("uas_answer_then_bye.xml");
	h = make_call(&a, l, "\x12\x34");
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_CONNECTED);
	assert_int_equal(fx_reply(&a, lineDrop(h, "\xAB\xCD", 2)), 0);
	fx_wait(&a, LINE_CALLSTATE, h, LINECALLSTATE_IDLE);
	assert_int_equal(lineDeallocateCall(h), 0);
	sipp_passed(p);
	fx_shutdown(&a);

	/* an authority that did not sign Kamailio's certificate: refused */
	snprintf(text, sizeof(text),
	         "cd '%s' && openssl req -x509 -newkey ec -pkeyopt "
	         "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=other "
	         "-keyout other.key -out cafile.pem 2>/dev/null",
	         dir);
	run_sh(text);
	snprintf(text, sizeof(text),
	         "[tapix]\nproviders = sip\n"
	         "[sip]\ntransaction_timeout_ms = 4000\n"
	         "[sip.alice]\naor = sip:alice@127.0.0.1\n"
	         "user = alice\npassword = secret\n"
	         "registrar = sip:127.0.0.1:%u;transport=tls\n"
	         "transport = tls\ntls_dir = %s\n"
	         "local = 127.0.0.1:%u\n",
	         kamailio_tls_port(), dir, tapix_port());
	fx_config(text);
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "failed");
	fx_shutdown(&a);

	/* the right authority, but a certificate for another name than the
	 * server's (RFC 5922 §7.2): refused too */
	snprintf(text, sizeof(text),
	         "cd '%s' && cp ca.pem cafile.pem && openssl req -newkey ec "
	         "-pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	         "-subj /CN=other.invalid -keyout kam.key -out kam.csr "
	         "2>/dev/null && printf 'subjectAltName=DNS:other.invalid\\n' "
	         "> san && openssl x509 -req -in kam.csr -CA ca.pem -CAkey "
	         "ca.key -CAcreateserial -days 2 -extfile san -out kam.pem "
	         "2>/dev/null",
	         dir);
	run_sh(text);
	kill(kamailio, SIGTERM);
	proc_wait(kamailio, 10000);
	kamailio = 0;
	snprintf(kam_tls_cfg, sizeof(kam_tls_cfg), "%s", tcfg);
	start_kamailio();
	kam_tls_cfg[0] = '\0';
	fx_app_init(&a, "a");
	l = open_line(&a);
	wait_registration(l, "failed");
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tls_through_kamailio,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_with_digest,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password_is_refused,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_through_kamailio_to_tapix, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_call_from_tapix_through_kamailio, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_hold_and_transfer_through_kamailio, setup,
			teardown),
	};
	static const char *const needed[] = {"sipp", "kamailio", "openssl",
	                                     NULL};

	if (!interop_init(25200, needed))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
