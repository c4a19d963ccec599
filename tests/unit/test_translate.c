/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lineTranslateAddress: canonical addresses ("+CC (AREA) NUMBER") dialled
 * from the location of tapix.conf ([location]): local, long distance,
 * international, the options, subaddress and name, dial modifiers, the
 * variable-size output, bad input and bad locations. The RAS phonebook
 * relies on it for UseDialingRules (ras-phonebook §A3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

#define LOCATION                                                    \
	"[tapix]\nproviders = esp\n[esp]\nlines = 2\n"              \
	"[location]\ncountry = 1\narea = 425\noutside_local = 9,\n" \
	"outside_long_distance = 8,\nlong_distance = 1\n"           \
	"international = 011\ncall_waiting = *70,\n"

static int setup(void **state)
{
	(void)state;
	fx_config(LOCATION);
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

static union {
	LINETRANSLATEOUTPUT o;
	char bytes[1024];
} out;

/* Translates @addr with @options into `out`; the result. */
static LONG translate(const char *addr, DWORD options)
{
	memset(&out, 0xAA, sizeof(out));
	out.o.dwTotalSize = sizeof(out);
	return lineTranslateAddress(0, 0, 0x00020002, addr, 0, options, &out.o);
}

static const char *dialable_str(void)
{
	assert_true(out.o.dwDialableStringSize > 0);
	return out.bytes + out.o.dwDialableStringOffset;
}

static const char *displayable_str(void)
{
	assert_true(out.o.dwDisplayableStringSize > 0);
	return out.bytes + out.o.dwDisplayableStringOffset;
}

/* Canonical, same country and area: local, with the local prefix. */
static void test_translate_local(void **s)
{
	(void)s;
	assert_int_equal(translate("+1 (425) 555-0100", 0), 0);
	assert_string_equal(dialable_str(), "9,5550100");
	assert_string_equal(displayable_str(), "9,5550100");
	assert_int_equal(out.o.dwTranslateResults,
	                 LINETRANSLATERESULT_CANONICAL |
	                         LINETRANSLATERESULT_LOCAL);
	assert_int_equal(out.o.dwCurrentCountry, 1);
	assert_int_equal(out.o.dwDestCountry, 1);
	assert_int_equal(out.o.dwUsedSize, out.o.dwNeededSize);
	/* no area code: local too; the canonical form may end in CRLF */
	assert_int_equal(translate("+1 5550100\r\n", 0), 0);
	assert_string_equal(dialable_str(), "9,5550100");
}

/* Another area: long distance; another country: international. */
static void test_translate_long_distance_and_international(void **s)
{
	(void)s;
	assert_int_equal(translate("+1 (206) 555.0100", 0), 0);
	assert_string_equal(dialable_str(), "8,12065550100");
	assert_int_equal(out.o.dwTranslateResults,
	                 LINETRANSLATERESULT_CANONICAL |
	                         LINETRANSLATERESULT_LONGDISTANCE);
	assert_int_equal(translate("+44 (20) 7946 0958", 0), 0);
	assert_string_equal(dialable_str(), "8,011442079460958");
	assert_int_equal(out.o.dwTranslateResults,
	                 LINETRANSLATERESULT_CANONICAL |
	                         LINETRANSLATERESULT_INTERNATIONAL);
	assert_int_equal(out.o.dwDestCountry, 44);
}

/* FORCELD, FORCELOCAL, CANCELCALLWAITING; both forces or an unknown
 * option: INVALPARAM; a calling card: INVALCARD. */
static void test_translate_options(void **s)
{
	(void)s;
	assert_int_equal(
		translate("+1 (425) 5550100", LINETRANSLATEOPTION_FORCELD), 0);
	assert_string_equal(dialable_str(), "8,14255550100");
	assert_int_equal(
		translate("+1 (206) 5550100", LINETRANSLATEOPTION_FORCELOCAL),
		0);
	assert_string_equal(dialable_str(), "9,5550100");
	/* forcing does not make an international call national */
	assert_int_equal(translate("+44 1234", LINETRANSLATEOPTION_FORCELOCAL),
	                 0);
	assert_true(out.o.dwTranslateResults &
	            LINETRANSLATERESULT_INTERNATIONAL);
	assert_int_equal(translate("+1 (425) 5550100",
	                           LINETRANSLATEOPTION_CANCELCALLWAITING),
	                 0);
	assert_string_equal(dialable_str(), "*70,9,5550100");
	assert_string_equal(displayable_str(), "9,5550100");
	assert_int_equal(
		translate("+1 5550100", LINETRANSLATEOPTION_FORCELOCAL |
	                                        LINETRANSLATEOPTION_FORCELD),
		LINEERR_INVALPARAM);
	assert_int_equal(translate("+1 5550100", 0x100), LINEERR_INVALPARAM);
	assert_int_equal(
		translate("+1 5550100", LINETRANSLATEOPTION_CARDOVERRIDE),
		LINEERR_INVALCARD);
}

/* Subaddress and name stay in the dialable string only; dial modifiers
 * are reported; an address that is not canonical is dialled as given. */
static void test_translate_parts_and_modifiers(void **s)
{
	(void)s;
	assert_int_equal(translate("+1 (425) 555-0100|12^Bob", 0), 0);
	assert_string_equal(dialable_str(), "9,5550100|12^Bob");
	assert_string_equal(displayable_str(), "9,5550100");
	assert_int_equal(translate("+1 (425) 5550100W123$", 0), 0);
	assert_true(out.o.dwTranslateResults &
	            LINETRANSLATERESULT_DIALDIALTONE);
	assert_true(out.o.dwTranslateResults & LINETRANSLATERESULT_DIALBILLING);
	assert_int_equal(translate("101", 0), 0);
	assert_string_equal(dialable_str(), "101");
	assert_int_equal(out.o.dwTranslateResults, 0);
	assert_int_equal(out.o.dwDestCountry, 0);
	assert_int_equal(out.o.dwCurrentCountry, 1);
}

/* The variable-size protocol: the fixed part alone gets the sizes; less
 * is STRUCTURETOOSMALL; nothing is written past dwTotalSize. */
static void test_translate_buffer_protocol(void **s)
{
	LINETRANSLATEOUTPUT small;
	union {
		LINETRANSLATEOUTPUT o;
		char bytes[sizeof(LINETRANSLATEOUTPUT) + 8];
	} u;

	(void)s;
	memset(&u, 0x5A, sizeof(u));
	u.o.dwTotalSize = sizeof(u.o);
	assert_int_equal(lineTranslateAddress(0, 0, 0x00020002,
	                                      "+1 (425) 5550100", 0, 0, &u.o),
	                 0);
	assert_int_equal(u.o.dwNeededSize, sizeof(u.o) + 10 + 10);
	assert_int_equal(u.o.dwUsedSize, sizeof(u.o));
	assert_int_equal(u.o.dwDialableStringSize, 0);
	assert_int_equal(u.o.dwDisplayableStringSize, 0);
	assert_int_equal(u.bytes[sizeof(u.o)], 0x5A);
	memset(&small, 0, sizeof(small));
	small.dwTotalSize = sizeof(small) - 1;
	assert_int_equal(lineTranslateAddress(0, 0, 0x00020002, "+1 5550100", 0,
	                                      0, &small),
	                 LINEERR_STRUCTURETOOSMALL);
}

/* Bad input: each gets its error and writes nothing. */
static void test_translate_bad_input(void **s)
{
	char longest[300];
	struct fx_app a;

	(void)s;
	memset(longest, '1', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_int_equal(translate("", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("\r\n", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+12345 1", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+0 1", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+1 (42x) 5550100", 0),
	                 LINEERR_INVALADDRESS);
	assert_int_equal(translate("+1 (425 5550100", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+1 (425) ", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate("+1 555%0100", 0), LINEERR_INVALADDRESS);
	assert_int_equal(translate(longest, 0), LINEERR_INVALADDRESS);
	assert_int_equal(out.bytes[sizeof(out.o)], (char)0xAA);
	assert_int_equal(
		lineTranslateAddress(0, 0, 0x00020002, NULL, 0, 0, &out.o),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineTranslateAddress(0, 0, 0x00020002, "1", 0, 0, NULL),
		LINEERR_INVALPOINTER);
	assert_int_equal(
		lineTranslateAddress(0, 0, 0x00050000, "1", 0, 0, &out.o),
		LINEERR_INCOMPATIBLEAPIVERSION);
	/* an application handle is checked, and then the device */
	fx_app_init(&a, "translate");
	out.o.dwTotalSize = sizeof(out);
	assert_int_equal(lineTranslateAddress(a.h + 1000, 0, 0x00020002, "1", 0,
	                                      0, &out.o),
	                 LINEERR_INVALAPPHANDLE);
	assert_int_equal(
		lineTranslateAddress(a.h, 99, 0x00020002, "1", 0, 0, &out.o),
		LINEERR_BADDEVICEID);
	assert_int_equal(
		lineTranslateAddress(a.h, 1, 0x00020002, "1", 0, 0, &out.o), 0);
	fx_shutdown(&a);
}

/* A location that is not valid: INIFILECORRUPT; none: the defaults
 * (country 1, no area code, long distance 1, international 011). */
static void test_translate_locations(void **s)
{
	(void)s;
	fx_config("[tapix]\nproviders = esp\n[location]\ncountry = one\n");
	assert_int_equal(translate("+1 5550100", 0), LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n[location]\narea = 4-25\n");
	assert_int_equal(translate("+1 5550100", 0), LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n[location]\n"
	          "outside_local = 9;\n");
	assert_int_equal(translate("+1 5550100", 0), LINEERR_INIFILECORRUPT);
	fx_config("[tapix]\nproviders = esp\n");
	assert_int_equal(translate("+1 5550100", 0), 0);
	assert_string_equal(dialable_str(), "5550100");
	assert_int_equal(translate("+1 (206) 5550100", 0), 0);
	assert_string_equal(dialable_str(), "12065550100");
	assert_int_equal(translate("+49 (30) 1234", 0), 0);
	assert_string_equal(dialable_str(), "01149301234");
	/* a European location */
	fx_config("[tapix]\nproviders = esp\n[location]\ncountry = 49\n"
	          "area = 30\nlong_distance = 0\ninternational = 00\n");
	assert_int_equal(translate("+49 (89) 1234", 0), 0);
	assert_string_equal(dialable_str(), "0891234");
	assert_int_equal(translate("+33 (1) 2345", 0), 0);
	assert_string_equal(dialable_str(), "003312345");
	assert_int_equal(out.o.dwCurrentCountry, 49);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_translate_local, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_translate_long_distance_and_international, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_translate_options, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(
			test_translate_parts_and_modifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_buffer_protocol,
	                                        setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_bad_input, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_translate_locations, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
