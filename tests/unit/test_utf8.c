/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UTF-8 at tapixd's and tapictl's edges (tools/common/utf8.h): what D-Bus
 * and JSON accept (RFC 3629 §3, §4: no overlong forms, no surrogates,
 * nothing beyond U+10FFFF), and the repair that keeps a peer's bytes from
 * breaking a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* RFC 3629 §4 — well-formed sequences of every length. */
static void test_valid_sequences(void **s)
{
	(void)s;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("alice@example.com"));
	assert_true(utf8_valid("Jos\xC3\xA9"));      /* é */
	assert_true(utf8_valid("\xE2\x82\xAC 5"));   /* € */
	assert_true(utf8_valid("\xF0\x9D\x84\x9E")); /* U+1D11E */
	assert_true(utf8_valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
	assert_int_equal(utf8_seq((const unsigned char *)"\xC3\xA9", 2), 2);
}

/* RFC 3629 §3, §10 — what is not UTF-8. */
static void test_invalid_sequences(void **s)
{
	static const char *const bad[] = {
		"\xFF\xFE",         /* never in UTF-8 */
		"\x80",             /* a lone continuation byte */
		"\xC0\x80",         /* overlong NUL */
		"\xC1\xBF",         /* overlong */
		"\xE0\x80\xAF",     /* overlong '/' */
		"\xED\xA0\x80",     /* a surrogate */
		"\xF4\x90\x80\x80", /* beyond U+10FFFF */
		"\xF5\x80\x80\x80",
		"\xC3", /* cut short */
		"\xE2\x82",
		"\xE2\x28\xA1", /* a bad continuation */
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(utf8_valid(bad[i]));
	assert_int_equal(utf8_seq((const unsigned char *)"\xE2\x82\xAC", 2), 0);
}

/* The repair: each bad byte and control character becomes U+FFFD, the
 * rest is kept; the output is valid and cut at a whole character. */
static void test_clean(void **s)
{
	char out[64];

	(void)s;
	assert_string_equal(utf8_clean(out, sizeof(out), "\xFF\xFE@host"),
	                    FFFD FFFD "@host");
	assert_string_equal(utf8_clean(out, sizeof(out), "Jos\xC3\xA9"),
	                    "Jos\xC3\xA9");
	assert_string_equal(utf8_clean(out, sizeof(out),
	                               "a\x01"
	                               "b\tc\x7F"),
	                    "a" FFFD "b\tc" FFFD);
	assert_string_equal(utf8_clean(out, sizeof(out), "\xED\xA0\x80"),
	                    FFFD FFFD FFFD);
	/* 5 bytes of room: "ab", then U+FFFD does not fit whole */
	assert_string_equal(utf8_clean(out, 5,
	                               "ab\xFF"
	                               "cd"),
	                    "ab");
	assert_string_equal(utf8_clean(out, 6,
	                               "ab\xFF"
	                               "cd"),
	                    "ab" FFFD);
	assert_string_equal(utf8_clean(out, 1, "abc"), "");
	assert_true(utf8_valid(utf8_clean(out, 4, "\xE2\x82\xAC\xE2\x82\xAC")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_sequences),
		cmocka_unit_test(test_invalid_sequences),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
