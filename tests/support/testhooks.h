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

#endif /* TAPIX_TESTS_TESTHOOKS_H */
