/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the INI configuration (src/core/config). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* ---- diagnostics: FILE:LINE: message, every problem at once ------------ */

struct seen {
	unsigned n;
	struct {
		bool error;
		int line;
		char file[256];
		char msg[512];
	} p[16];
};

static void capture(void *arg, bool error, const char *file, int line,
                    const char *msg)
{
	struct seen *s = arg;

	assert_true(s->n < sizeof(s->p) / sizeof(s->p[0]));
	s->p[s->n].error = error;
	s->p[s->n].line = line;
	snprintf(s->p[s->n].file, sizeof(s->p[0].file), "%s", file);
	snprintf(s->p[s->n].msg, sizeof(s->p[0].msg), "%s", msg);
	s->n++;
}

/* Asserts that problem @i is an error (or a warning) at @line whose
 * message starts with @start. */
static void assert_problem(const struct seen *s, unsigned i, bool error,
                           int line, const char *start)
{
	assert_true(i < s->n);
	assert_int_equal(s->p[i].error, error);
	assert_int_equal(s->p[i].line, line);
	if (strncmp(s->p[i].msg, start, strlen(start)) != 0)
		fail_msg("problem %u: \"%s\", expected \"%s...\"", i,
		         s->p[i].msg, start);
}

/* Writes @text to a new file of $TMPDIR, its path in @path. */
static void write_conf(char *path, size_t size, const char *text)
{
	int fd;

	tmp_path(path, size, "tapix-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/*
 * Issue 18 item 7 — every syntax error is reported, each with its file
 * and line (not only inih's first), and the file's other lines are kept
 * with their own line numbers, so that their keys are checked too.
 */
static void test_every_syntax_error_has_file_and_line(void **state)
{
	char path[256], long_line[260];
	struct seen s = {0};
	struct conf c;
	char text[1024];

	(void)state;
	memset(long_line, 'x', 220);
	long_line[220] = '\0';
	snprintf(text, sizeof(text),
	         "; comment\n"              /* 1 */
	         "[tapix]\n"                /* 2 */
	         "providers = esp\n"        /* 3 */
	         "[esp\n"                   /* 4: no ] */
	         "lines = 2\n"              /* 5 */
	         "no value here\n"          /* 6 */
	         "  # indented comment\r\n" /* 7 */
	         "k = %s\n"                 /* 8: too long */
	         "[esp]\r\n"                /* 9 */
	         "bridged = 100 101\n"      /* 10 */
	         "  102 103\n",             /* 11: continues bridged */
	         long_line);
	write_conf(path, sizeof(path), text);
	assert_int_equal(conf_load_report(&c, path, capture, &s), 0);
	assert_int_equal(c.errors, 3);
	assert_int_equal(s.n, 3);
	assert_problem(&s, 0, true, 4, "syntax error: no ] after");
	assert_problem(&s, 1, true, 6, "syntax error: neither");
	assert_problem(&s, 2, true, 8, "line longer than");
	assert_string_equal(s.p[0].file, path);
	/* the rest is read, with the lines of its keys and sections (after
	 * a broken header, keys stay in the section before, as in inih) */
	assert_int_equal(c.nproviders, 1);
	assert_int_equal(conf_section(&c, "tapix")->kv[0].line, 3);
	assert_string_equal(conf_section(&c, "tapix")->kv[1].key, "lines");
	assert_int_equal(conf_section(&c, "tapix")->kv[1].line, 5);
	assert_int_equal(conf_section(&c, "esp")->line, 9);
	assert_int_equal(conf_section(&c, "esp")->nkv, 2);
	assert_string_equal(conf_section(&c, "esp")->kv[0].value, "100 101");
	assert_int_equal(conf_section(&c, "esp")->kv[0].line, 10);
	assert_string_equal(conf_section(&c, "esp")->kv[1].key, "bridged");
	assert_string_equal(conf_section(&c, "esp")->kv[1].value, "102 103");
	assert_int_equal(conf_section(&c, "esp")->kv[1].line, 11);
	conf_free(&c);
	/* conf_load fails on the same file, and keeps nothing */
	setenv("TAPIX_CONF", path, 1);
	assert_int_equal(conf_load(&c), -EINVAL);
	setenv("TAPIX_CONF", "", 1);
	unlink(path);
	assert_int_equal(mem_live(), 0);
}

/* A section's line is its [name] line. */
static void test_section_line_is_its_header(void **state)
{
	char path[256];
	struct seen s = {0};
	struct conf c;

	(void)state;
	write_conf(path, sizeof(path),
	           "[tapix]\nproviders = esp\n\n[esp] ; the switch\n"
	           "\nlines = 2\n");
	assert_int_equal(conf_load_report(&c, path, capture, &s), 0);
	unlink(path);
	assert_int_equal(s.n, 0);
	assert_int_equal(conf_section(&c, "tapix")->line, 1);
	assert_int_equal(conf_section(&c, "esp")->line, 4);
	assert_int_equal(conf_section(&c, "esp")->kv[0].line, 6);
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

/*
 * Issue 18 item 7 — an unknown key of the core's sections is an error
 * that names the keys the section takes (it was a warning, or nothing);
 * the providers' sections are theirs to check.
 */
static void test_unknown_core_keys_are_errors(void **state)
{
	char path[256];
	struct seen s = {0};
	struct conf c;

	(void)state;
	write_conf(path, sizeof(path),
	           "[tapix]\nproviders = esp\ncolour = blue\n"
	           "service = session\n"
	           "[location]\ncountry = 49\nareacode = 89\n"
	           "[ras]\nsystem_phonebook = /p\nphonebook = /q\n"
	           "[esp]\nline = 4\n");
	assert_int_equal(conf_load_report(&c, path, capture, &s), 0);
	unlink(path);
	assert_int_equal(s.n, 0); /* parsing is not checking */
	assert_string_equal(c.service, "session");
	assert_int_equal(conf_check(&c, true), 3);
	assert_int_equal(c.errors, 3);
	assert_int_equal(s.n, 3);
	assert_problem(&s, 0, true, 3,
	               "[tapix] colour: unknown key (known: providers, "
	               "provider_path, service)");
	assert_problem(&s, 1, true, 7, "[location] areacode: unknown key");
	assert_problem(&s, 2, true, 10, "[ras] phonebook: unknown key");
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

/*
 * A section nobody reads is a warning (when asked): not the core's, not
 * tapixd's, not one of a provider of [tapix] providers.
 */
static void test_unused_sections_are_warnings(void **state)
{
	char path[256];
	struct seen s = {0};
	struct conf c;

	(void)state;
	write_conf(path, sizeof(path),
	           "stray = 1\n"
	           "[tapix]\nproviders = esp\n"
	           "[esp]\nlines = 2\n[esp.x]\na = b\n"
	           "[tapixd]\nallow = all\n[line 3]\nallow = all\n"
	           "[sip.alice]\naor = sip:a@b\n"
	           "[frob]\nk = v\n");
	assert_int_equal(conf_load_report(&c, path, capture, &s), 0);
	unlink(path);
	assert_int_equal(conf_check(&c, false), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(conf_check(&c, true), 0);
	assert_int_equal(c.errors, 0);
	assert_int_equal(s.n, 3);
	assert_problem(&s, 0, false, 1, "stray: a key before any [section]");
	assert_problem(&s, 1, false, 12,
	               "[sip.alice]: section not used: sip is not in");
	assert_problem(&s, 2, false, 14, "[frob]: section not used");
	assert_true(conf_is_provider_section(&c, "esp.x"));
	assert_false(conf_is_provider_section(&c, "esp."));
	assert_false(conf_is_provider_section(&c, "espx"));
	conf_free(&c);
	assert_int_equal(mem_live(), 0);
}

/* A file that cannot be read is reported once, at no line. */
static void test_unreadable_file_is_reported(void **state)
{
	struct seen s = {0};
	struct conf c;

	(void)state;
	assert_int_equal(
		conf_load_report(&c, "/nonexistent/tapix.conf", capture, &s),
		-ENOENT);
	assert_int_equal(s.n, 1);
	assert_problem(&s, 0, true, 0, "cannot be read");
	assert_string_equal(s.p[0].file, "/nonexistent/tapix.conf");
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
		cmocka_unit_test(test_every_syntax_error_has_file_and_line),
		cmocka_unit_test(test_section_line_is_its_header),
		cmocka_unit_test(test_unknown_core_keys_are_errors),
		cmocka_unit_test(test_unused_sections_are_warnings),
		cmocka_unit_test(test_unreadable_file_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
