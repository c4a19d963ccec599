/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tests' hooks (allocation failures, the application lock count),
 * exported by libtapix_test only (the library the test programs link):
 * the libtapix users get has no test hook (issue 18). Declared in
 * tests/support/testhooks.h.
 */
#include "util/lockcheck.h"
#include "util/mem.h"

long tapix_test_fail_alloc(long n) __attribute__((visibility("default")));

long tapix_test_fail_alloc(long n)
{
	return mem_fail_after(n);
}

int tapix_test_app_lock(int delta) __attribute__((visibility("default")));

int tapix_test_app_lock(int delta)
{
#ifdef TAPIX_LOCK_CHECK
	lockcheck_app_note(delta);
	return 1;
#else
	(void)delta;
	return 0;
#endif
}
