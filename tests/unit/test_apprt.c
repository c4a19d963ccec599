/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The application runtime's lock rule (DESIGN.md: no call into another
 * layer while holding a lock; issue 16, item 5): in builds with the lock
 * check (Debug, sanitizers), every line API function aborts when called
 * with a lock of libtapix's own applications (the RAS manager, a TAPI 3
 * session) held, and the RAS and TAPI 3 paths that drive the line API
 * (dial, hang-up, connect, disconnect, release, unregister, shutdown) run
 * to their end: each of them would abort if one of its calls were made
 * under its lock. Without the check (release builds) the tests skip.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ras.h>
#include <tapix/service.h>
#include <tapix/tapi3.h>

#include "child.h"
#include "fx.h"
#include "testhooks.h"

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

/* The check is built in (tapix_test_app_lock says so), else skip. */
static void need_check(void)
{
	if (!tapix_test_app_lock(0))
		skip();
}

static void expect_abort(void (*fn)(void), const char *name)
{
	struct outcome o;
	char text[256];

	run_child(fn, &o);
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT)
		fail_msg("expected SIGABRT, got status %#x; stderr: %s",
		         (unsigned)o.status, o.err);
	snprintf(text, sizeof(text),
	         "lock check failed: %s called with an application runtime's "
	         "lock held",
	         name);
	if (!strstr(o.err, text))
		fail_msg("expected \"%s\" on stderr, got: %s", text, o.err);
}

static void negotiate_under_lock(void)
{
	LINEEXTENSIONID ext;
	DWORD api = 0;

	tapix_test_app_lock(1);
	lineNegotiateAPIVersion(0, 0, 0x00020000, 0x00020002, &api, &ext);
}

static void drop_under_lock(void)
{
	tapix_test_app_lock(1);
	lineDrop(0, NULL, 0);
}

static void initialize_under_lock(void)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD n = 0, api = 0x00020002;
	HLINEAPP app;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	tapix_test_app_lock(1);
	lineInitializeEx(&app, NULL, NULL, "held", &n, &api, &ip);
}

static void calls_after_unlock(void)
{
	LINEEXTENSIONID ext;
	DWORD api = 0;

	tapix_test_app_lock(1);
	tapix_test_app_lock(-1);
	/* (refused: no such app; but no check fires) */
	if (lineNegotiateAPIVersion(0, 0, 0x00020000, 0x00020002, &api, &ext) ==
	            0 ||
	    lineDrop(0, NULL, 0) == 0)
		_exit(1);
}

/* The check itself: a line API call with an application lock held
 * aborts, naming the function; after the lock is let go it does not. */
static void test_line_api_under_an_application_lock_aborts(void **s)
{
	struct outcome o;

	(void)s;
	need_check();
	expect_abort(negotiate_under_lock, "lineNegotiateAPIVersion");
	expect_abort(drop_under_lock, "lineDrop");
	expect_abort(initialize_under_lock, "lineInitializeExA");
	run_child(calls_after_unlock, &o);
	if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
		fail_msg("expected exit 0, got status %#x; stderr: %s",
		         (unsigned)o.status, o.err);
}

/* TAPI 3: the paths that call the line API from methods, the engine and
 * release (lineOpen, lineMakeCall, lineDrop, lineGetCallStatus and
 * lineGetCallInfo, lineDeallocateCall, lineClose, lineShutdown). */
static void test_tapi3_paths_hold_no_lock_across_line_api(void **s)
{
	struct tapix_address **v;
	struct tapix_tapi *t;
	struct tapix_call *c;
	int32_t cookie;
	size_t n;

	(void)s;
	need_check();
	assert_int_equal(tapix_tapi_initialize(&t, "apprt-check"), S_OK);
	assert_int_equal(tapix_tapi_enum_addresses(t, &v, &n), S_OK);
	assert_true(n >= 2);
	assert_int_equal(
		tapix_tapi_register_call_notifications(
			t, v[1], false, true, TAPIMEDIATYPE_AUDIO, 0, &cookie),
		S_OK);
	assert_int_equal(tapix_address_create_call(v[0], "answer",
	                                           LINEADDRESSTYPE_PHONENUMBER,
	                                           TAPIMEDIATYPE_AUDIO, &c),
	                 S_OK);
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	/* released while connected: the layer drops and deallocates it */
	tapix_call_release(c);
	assert_int_equal(tapix_address_create_call(v[0], "answer",
	                                           LINEADDRESSTYPE_PHONENUMBER,
	                                           TAPIMEDIATYPE_AUDIO, &c),
	                 S_OK);
	assert_int_equal(tapix_call_connect(c, true), S_OK);
	assert_int_equal(tapix_call_disconnect(c, DC_NORMAL), S_OK);
	tapix_call_release(c);
	assert_int_equal(tapix_tapi_unregister_notifications(t, cookie), S_OK);
	free(v);
	assert_int_equal(tapix_tapi_shutdown(t), S_OK);
}

/* RAS: dial (registration, lines' capabilities, lineOpen, lineMakeCall),
 * hang-up (lineDrop, lineDeallocateCall, lineClose), the manager's end
 * (lineShutdown). */
static void test_ras_paths_hold_no_lock_across_line_api(void **s)
{
	RASDIALPARAMSA p;
	HRASCONN h = NULL;

	(void)s;
	need_check();
	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	snprintf(p.szPhoneNumber, sizeof(p.szPhoneNumber), "answer");
	assert_int_equal(RasDial(NULL, NULL, &p, 0, NULL, &h), 0);
	fx_ras_hang_up_and_wait(h);
	assert_int_equal(tapix_ras_shutdown(5000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_line_api_under_an_application_lock_aborts),
		cmocka_unit_test_setup_teardown(
			test_tapi3_paths_hold_no_lock_across_line_api, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_ras_paths_hold_no_lock_across_line_api, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
