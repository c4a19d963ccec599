/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapixd's access rules (daemon/acl.c; tapixd(8), ACCESS RULES). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rule_allows_everyone),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_bad_rules_keep_the_old_ones),
		cmocka_unit_test(test_only_regular_files),
	};

	dlog_set_levels("off");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
