/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tests' allocation-failure hook, exported by libtapix_test only (the
 * library the test programs link): the libtapix users get has no test
 * hook (issue 18). Declared in tests/support/testhooks.h.
 */
#include "util/mem.h"

long tapix_test_fail_alloc(long n) __attribute__((visibility("default")));

long tapix_test_fail_alloc(long n)
{
	return mem_fail_after(n);
}
