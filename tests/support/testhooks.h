/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the test build of libtapix (libtapix_test) exports beyond the
 * documented API, for the tests only.
 */
#ifndef TAPIX_TESTS_TESTHOOKS_H
#define TAPIX_TESTS_TESTHOOKS_H

/*
 * Makes the n-th heap allocation of the core from now fail (n = 0 fails
 * the next one); a negative n disables failure injection. Returns the
 * number of allocations made since the previous call.
 */
long tapix_test_fail_alloc(long n);

/*
 * Counts @delta more (or, negative, fewer) application runtime locks as
 * held by this thread (util/lockcheck.h), as apprt_lock does. Returns 1
 * if the library checks the count (TAPIX_LOCK_CHECK builds), else 0 (and
 * does nothing).
 */
int tapix_test_app_lock(int delta);

#endif /* TAPIX_TESTS_TESTHOOKS_H */
