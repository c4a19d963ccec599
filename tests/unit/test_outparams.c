/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output parameters on error returns: a function that fails writes none
 * of its output parameters (STYLE.md §5), except the size field a
 * function documents as written on failure. Every output is filled with
 * a sentinel before the failing call and checked after it.
 */
#include <string.h>

#include "fx.h"

#define SENTINEL 0xDEADBEEFu

static int setup(void **state)
{
	(void)state;
	fx_config_esp(4);
	return 0;
}

static int teardown(void **state)
{
	return fx_teardown(state);
}

/* spec: tapi-functions.md §5 — lineOpen's errors leave *lphLine alone */
static void test_line_open_errors_leave_handle(void **s)
{
	struct fx_app a;
	HLINE h = SENTINEL;

	(void)s;
	fx_app_init(&a, "a");
	assert_int_equal(lineOpen(a.h, 4, &h, 0x00020002, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_BADDEVICEID);
	assert_int_equal(h, SENTINEL);
	assert_int_equal(lineOpen(a.h, 0, &h, 0x00030000, 0, 0,
	                          LINECALLPRIVILEGE_NONE, 0, NULL),
	                 LINEERR_INCOMPATIBLEAPIVERSION);
	assert_int_equal(h, SENTINEL);
	fx_shutdown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_line_open_errors_leave_handle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
