/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the INI configuration (src/core/config). */
#include <errno.h>
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

#include <tapix/tapix.h>

#include "core/config.h"
#include "testhooks.h"
#include "util/mem.h"

static void test_default_is_esp_with_four_lines(void **state)
{
	const struct conf_section *s;
	struct conf c;

	(void)state;
	setenv("TAPIX_CONF", "", 1);
	assert_int_equal(conf_load(&c), 0);
	assert_int_equal(c.nproviders, 1);
	assert_string_equal(c.providers[0], "esp");
	s = conf_section(&c, "esp");
	assert_non_null(s);
	assert_int_equal(s->nkv, 1);
	assert_string_equal(s->kv[0].key, "lines");
	assert_string_equal(s->kv[0].value, "4");
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

static void test_providers_and_sections(void **state)
{
	struct conf c;
	const struct conf_section *s;

	(void)state;
	assert_int_equal(conf_parse_string(&c, "; comment\n"
	                                       "[tapix]\n"
	                                       "providers = esp, sip esp2\n"
	                                       "provider_path = /opt/p\n"
	                                       "[esp]\n"
	                                       "lines = 8 ; eight\n"
	                                       "completion_delay_ms = 5\n"
	                                       "[sip]\n"
	                                       "module = /x/sip.so\n"),
	                 0);
	assert_int_equal(c.nproviders, 3);
	assert_string_equal(c.providers[1], "sip");
	assert_string_equal(c.providers[2], "esp2");
	assert_string_equal(c.provider_path, "/opt/p");
	s = conf_section(&c, "esp");
	assert_int_equal(s->nkv, 2);
	assert_string_equal(s->kv[0].value, "8");
	assert_string_equal(s->kv[1].key, "completion_delay_ms");
	assert_null(conf_section(&c, "nope"));
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

static void test_syntax_error_is_reported(void **state)
{
	struct conf c;

	(void)state;
	assert_int_equal(conf_parse_string(&c, "[tapix\nproviders = esp\n"),
	                 -EINVAL);
	assert_int_equal(conf_parse_string(&c, "[esp]\nno value here\n"),
	                 -EINVAL);
	assert_int_equal(mem_live(), 0);
}

static void test_missing_file_named_by_env(void **state)
{
	struct conf c;

	(void)state;
	setenv("TAPIX_CONF", "/nonexistent/tapix.conf", 1);
	assert_int_equal(conf_load(&c), -ENOENT);
	setenv("TAPIX_CONF", "", 1);
	assert_int_equal(mem_live(), 0);
}

/* A path in the test's temporary directory ($TMPDIR). */
static void tmp_path(char *buf, size_t size, const char *name)
{
	const char *d = getenv("TMPDIR");

	snprintf(buf, size, "%s/%s", d && *d ? d : "/tmp", name);
}

/*
 * Issue 19 item 12 — TAPIX_CONF naming something that is not a regular
 * file (a device that never ends, a FIFO nobody writes, a directory) or a
 * file too big is an error at once: no hang, nothing kept.
 */
static void test_only_regular_files_are_read(void **state)
{
	char fifo[256], dir[256], big[256];
	const char *bad[] = {"/dev/zero", "/dev/urandom", fifo, dir, big};
	struct conf c;
	size_t i;
	FILE *f;

	(void)state;
	tmp_path(fifo, sizeof(fifo), "tapix-conf-fifo");
	tmp_path(dir, sizeof(dir), "tapix-conf-dir");
	tmp_path(big, sizeof(big), "tapix-conf-big");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	f = fopen(big, "w");
	assert_non_null(f);
	for (i = 0; i < 120000; i++) /* 1.2 MB of valid lines */
		fputs("; comment\n", f);
	fputs("[tapix]\nproviders = esp\n", f);
	fclose(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("TAPIX_CONF", bad[i], 1);
		assert_int_not_equal(conf_load(&c), 0);
		assert_int_equal(mem_live(), 0);
	}
	setenv("TAPIX_CONF", "", 1);
	unlink(fifo);
	rmdir(dir);
	unlink(big);
}

static void test_file_is_read(void **state)
{
	char path[256];
	const char text[] = "[tapix]\nproviders = a b\n[a]\nk = v\n";
	struct conf c;
	int fd;

	(void)state;
	tmp_path(path, sizeof(path), "tapix-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	                 (ssize_t)sizeof(text) - 1);
	close(fd);
	setenv("TAPIX_CONF", path, 1);
	assert_int_equal(conf_load(&c), 0);
	unlink(path);
	setenv("TAPIX_CONF", "", 1);
	assert_int_equal(c.nproviders, 2);
	assert_string_equal(conf_section(&c, "a")->kv[0].value, "v");
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

static void test_out_of_memory_leaves_nothing(void **state)
{
	struct conf c;
	long n;
	int r;

	(void)state;
	for (n = 0;; n++) {
		tapix_test_fail_alloc(n);
		r = conf_parse_string(&c, "[tapix]\nproviders = esp sip\n"
		                          "[esp]\nlines = 2\n[sip]\na = b\n");
		tapix_test_fail_alloc(-1);
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
		assert_int_equal(mem_live(), 0);
	}
	assert_true(n > 5);
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_esp_with_four_lines),
		cmocka_unit_test(test_providers_and_sections),
		cmocka_unit_test(test_syntax_error_is_reported),
		cmocka_unit_test(test_missing_file_named_by_env),
		cmocka_unit_test(test_file_is_read),
		cmocka_unit_test(test_only_regular_files_are_read),
		cmocka_unit_test(test_out_of_memory_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
