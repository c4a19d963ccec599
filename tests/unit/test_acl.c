/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapixd's access rules (daemon/acl.c; tapixd(8), ACCESS RULES). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlog.h"
#include "tapixd.h"

static const struct who root = {.uid = 0, .gid = 0};
static const struct who alice = {.uid = 1000, .gid = 1000};
static const struct who bob = {
	.uid = 1001, .gid = 1001, .groups = {100}, .ngroups = 1};

/* Without any rule, every user may use every line. */
static void test_no_rule_allows_everyone(void **s)
{
	(void)s;
	assert_int_equal(acl_load_string("[tapix]\nproviders = esp\n"), 0);
	assert_true(acl_allows(&alice, 0));
	assert_true(acl_allows(&bob, 4095));
	acl_free();
}

/*
 * With rules: a line's own rule; lines without one follow [tapixd] allow;
 * without that only root; supplementary groups count; root always.
 */
static void test_rules(void **s)
{
	(void)s;
	assert_int_equal(acl_load_string("[line 0]\nallow = uid:1000\n"
	                                 "[line 1]\nallow = gid:100\n"),
	                 0);
	assert_true(acl_allows(&alice, 0));
	assert_false(acl_allows(&bob, 0));
	assert_true(acl_allows(&bob, 1)); /* by a supplementary group */
	assert_false(acl_allows(&alice, 1));
	assert_false(acl_allows(&alice, 2)); /* no rule, no default */
	assert_true(acl_allows(&root, 2));
	assert_int_equal(acl_load_string("[line 0]\nallow = uid:1000\n"
	                                 "[tapixd]\nallow = all\n"),
	                 0);
	assert_true(acl_allows(&bob, 2));
	assert_false(acl_allows(&bob, 0)); /* its own rule wins */
	acl_free();
}

/* A bad rule is refused and the rules in force stay. */
static void test_bad_rules_keep_the_old_ones(void **s)
{
	(void)s;
	assert_int_equal(acl_load_string("[line 0]\nallow = uid:1000\n"), 0);
	assert_int_not_equal(acl_load_string("[line 0]\nallow = frob\n"), 0);
	assert_int_not_equal(
		acl_load_string("[line 0]\nallow = user:no-such-user-x\n"), 0);
	assert_int_not_equal(acl_load_string("[line x]\nallow = all\n"), 0);
	assert_true(acl_allows(&alice, 0));
	assert_false(acl_allows(&bob, 0));
	acl_free();
}

/*
 * Issue 19 item 12 — tapixd's configuration named as something that is
 * not a regular file (a device that never ends, a FIFO nobody writes, a
 * directory) is refused at once, and the rules in force stay.
 */
static void test_only_regular_files(void **s)
{
	char fifo[256], dir[256];
	const char *tmp = getenv("TMPDIR");
	const char *bad[] = {"/dev/zero", "/dev/urandom", fifo, dir};
	size_t i;

	(void)s;
	snprintf(fifo, sizeof(fifo), "%s/acl-fifo", tmp && *tmp ? tmp : "/tmp");
	snprintf(dir, sizeof(dir), "%s/acl-dir", tmp && *tmp ? tmp : "/tmp");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(acl_load_string("[line 0]\nallow = uid:1000\n"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(acl_load(bad[i]), 0);
	assert_true(acl_allows(&alice, 0));
	assert_false(acl_allows(&bob, 0));
	acl_free();
	unlink(fifo);
	rmdir(dir);
}

/* acl_load_string(@text) with stderr going to a file: its text in @out. */
static int load_capturing(const char *text, char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char path[256];
	int fd, saved, r;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/acl-err-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	r = acl_load_string(text);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, out, size - 1);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	fputs(out, stderr); /* (still shown) */
	return r;
}

static void assert_has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("not logged: \"%s\"", what);
}

/*
 * Issue 18 item 7 — every problem of tapixd's sections is reported, all
 * of them (not only the first), each as FILE:LINE: message under the log
 * module "config" (not "acl"); the rules in force stay.
 */
static void test_every_problem_has_its_line(void **s)
{
	char out[4096];

	(void)s;
	assert_int_equal(acl_load_string("[line 0]\nallow = uid:1000\n"), 0);
	assert_int_not_equal(load_capturing("[tapixd]\n"
	                                    "max_calls = many\n"
	                                    "[line 0]\n"
	                                    "allow = frob\n"
	                                    "[line x]\n"
	                                    "allow = all\n"
	                                    "[line 1]\n"
	                                    "allow = user:no-such-user-x\n",
	                                    out, sizeof(out)),
	                     0);
	assert_has(out, "config error: (string):2: [tapixd] max_calls = many: "
	                "bad value, expected a number from 1 to 1000000000");
	assert_has(out, "config error: (string):4: [line 0] allow: frob: bad "
	                "value, expected user:NAME");
	assert_has(out, "config error: (string):6: [line x]: not a line");
	assert_has(out, "config error: (string):8: [line 1] allow: "
	                "user:no-such-user-x: no such user");
	assert_null(strstr(out, "acl:"));
	assert_true(acl_allows(&alice, 0));
	assert_false(acl_allows(&bob, 0));
	acl_free();
}

/*
 * Issue 18 item 7 — an unknown key of [tapixd] or [line N] is an error
 * that names the keys the section takes (it was ignored, with a warning:
 * a misspelt limit went unnoticed).
 */
static void test_unknown_keys_are_errors(void **s)
{
	char out[4096];

	(void)s;
	assert_int_not_equal(
		load_capturing("[tapixd]\nmax_cals = 10\n", out, sizeof(out)),
		0);
	assert_has(out, "(string):2: [tapixd] max_cals: unknown key (known: "
	                "allow, max_registrations, ");
	assert_int_not_equal(
		load_capturing("[line 2]\ndeny = all\n", out, sizeof(out)), 0);
	assert_has(out, "(string):2: [line 2] deny: unknown key (known: "
	                "allow, incoming)");
	/* the core's and the providers' sections are not tapixd's */
	assert_int_equal(load_capturing("[tapix]\nproviders = esp\n[esp]\n"
	                                "lines = 2\n",
	                                out, sizeof(out)),
	                 0);
	assert_string_equal(out, "");
	acl_free();
}

/*
 * tapix.conf(5) [line N] incoming — ring, reject, answer, forward:ADDRESS
 * or monitor (the default) per line, not an access rule (every user still may
 * use the line); a bad value is an error that keeps what was loaded.
 */
static void test_incoming(void **s)
{
	struct who w = {.uid = 1000, .gid = 1000};
	char out[4096];

	(void)s;
	assert_int_equal(acl_load_string("[line 1]\nincoming = answer\n"
	                                 "[line 2]\nincoming = reject\n"
	                                 "[line 3]\nincoming = ring\n"
	                                 "[line 4]\nincoming = monitor\n"),
	                 0);
	assert_int_equal(acl_incoming(0), ACL_INCOMING_MONITOR);
	assert_int_equal(acl_incoming(1), ACL_INCOMING_ANSWER);
	assert_int_equal(acl_incoming(2), ACL_INCOMING_REJECT);
	assert_int_equal(acl_incoming(3), ACL_INCOMING_RING);
	assert_int_equal(acl_incoming(4), ACL_INCOMING_MONITOR);
	assert_int_equal(acl_incoming(100000), ACL_INCOMING_MONITOR);
	assert_true(acl_allows(&w, 1));
	assert_int_not_equal(load_capturing("[line 1]\nincoming = pickup\n",
	                                    out, sizeof(out)),
	                     0);
	assert_has(out, "(string):2: [line 1] incoming: pickup: bad value, "
	                "expected monitor, ring, reject or answer");
	assert_int_equal(acl_incoming(1), ACL_INCOMING_ANSWER);
	/* forward:ADDRESS: the address kept for its line only; none, a
	 * control character or over 127 bytes is an error */
	assert_int_equal(acl_load_string("[line 1]\nincoming = forward:102\n"
	                                 "[line 2]\nincoming = answer\n"),
	                 0);
	assert_int_equal(acl_incoming(1), ACL_INCOMING_FORWARD);
	assert_string_equal(acl_forward_address(1), "102");
	assert_null(acl_forward_address(2));
	assert_null(acl_answer_file(1));
	assert_int_not_equal(load_capturing("[line 1]\nincoming = forward:\n",
	                                    out, sizeof(out)),
	                     0);
	assert_has(out, "[line 1] incoming: forward: no address");
	assert_int_not_equal(
		load_capturing("[line 1]\nincoming = forward:1\x7f\n", out,
	                       sizeof(out)),
		0);
	assert_has(out, "forward: a control character");
	{
		char conf[300] = "[line 1]\nincoming = forward:";
		size_t n = strlen(conf);

		memset(conf + n, '5', 128);
		memcpy(conf + n + 128, "\n", 2);
		assert_int_not_equal(load_capturing(conf, out, sizeof(out)), 0);
		assert_has(out, "over 127 bytes");
	}
	assert_string_equal(acl_forward_address(1), "102");
	assert_int_equal(acl_load_string("[line 0]\nallow = all\n"), 0);
	assert_int_equal(acl_incoming(1), ACL_INCOMING_MONITOR);
	acl_free();
	assert_int_equal(acl_incoming(1), ACL_INCOMING_MONITOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rule_allows_everyone),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_bad_rules_keep_the_old_ones),
		cmocka_unit_test(test_only_regular_files),
		cmocka_unit_test(test_every_problem_has_its_line),
		cmocka_unit_test(test_unknown_keys_are_errors),
		cmocka_unit_test(test_incoming),
	};

	dlog_set_levels("off");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
