/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's lock checks (DESIGN.md: "_locked functions assert that the
 * lock is held in debug builds"; no call into a provider with a core lock
 * held). This program builds the core itself with TAPIX_LOCK_CHECK,
 * whatever the build type, and runs each case in a child process: a
 * broken rule must abort the child with a message naming the function,
 * and the same calls made by the rules must not.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "child.h"
#include "core/core.h"
#include "core/op.h"
#include "util/lockcheck.h"
#include "util/loghold.h"

#ifndef TAPIX_LOCK_CHECK
#error "test_lockcheck is built with TAPIX_LOCK_CHECK"
#endif

/* The child aborted from a lock check naming @fn with @what. */
static void expect_abort(void (*fn)(void), const char *name, const char *what)
{
	struct outcome o;
	char text[256];

	run_child(fn, &o);
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT)
		fail_msg("expected SIGABRT, got status %#x; stderr: %s",
		         (unsigned)o.status, o.err);
	snprintf(text, sizeof(text), "lock check failed: %s %s", name, what);
	if (!strstr(o.err, text))
		fail_msg("expected \"%s\" on stderr, got: %s", text, o.err);
}

/* The child ran to its end: no check fired, its own checks passed. */
static void expect_success(void (*fn)(void))
{
	struct outcome o;

	run_child(fn, &o);
	if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
		fail_msg("expected exit 0, got status %#x; stderr: %s",
		         (unsigned)o.status, o.err);
}

/* ---- a _locked function needs the lock ---------------------------------- */

static void ref_without_lock(void)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	call_ref_locked(&c);
}

static void ref_with_lock(void)
{
	struct call c;

	memset(&c, 0, sizeof(c));
	core_lock();
	call_ref_locked(&c);
	core_unlock();
	if (c.refs != 1)
		_exit(1);
}

static void test_locked_function_without_the_lock_aborts(void **s)
{
	(void)s;
	expect_abort(ref_without_lock, "call_ref_locked",
	             "needs the core lock held");
}

static void test_locked_function_with_the_lock_runs(void **s)
{
	(void)s;
	expect_success(ref_with_lock);
}

/* ---- no provider call with the lock held --------------------------------- */

static void provider_under_lock(void)
{
	struct provider p;

	memset(&p, 0, sizeof(p));
	core_lock();
	provider_enter(&p);
}

static void provider_without_lock(void)
{
	struct provider p;

	memset(&p, 0, sizeof(p));
	provider_enter(&p);
	provider_leave(&p);
}

static void test_provider_entered_with_the_lock_aborts(void **s)
{
	(void)s;
	expect_abort(provider_under_lock, "provider_enter",
	             "must not hold the core lock");
}

static void test_provider_entered_without_the_lock_runs(void **s)
{
	(void)s;
	expect_success(provider_without_lock);
}

/*
 * The request engine's provider call: the lock is released (and the call
 * counted in flight) between op_tspi_begin_locked and op_tspi_end.
 */
static void engine_releases_the_lock(void)
{
	struct provider p;

	memset(&p, 0, sizeof(p));
	core_lock();
	op_tspi_begin_locked(&p);
	if (core_lock_held() || core.inflight != 1)
		_exit(1);
	op_tspi_end(&p);
	if (!core_lock_held() || core.inflight != 0)
		_exit(2);
	core_unlock();
}

static void test_engine_calls_providers_without_the_lock(void **s)
{
	(void)s;
	expect_success(engine_releases_the_lock);
}

/* ---- the lock itself ----------------------------------------------------- */

/* A provider calling back into the core from a TSPI function the core
 * called with its lock held would take the lock a second time. */
static void lock_twice(void)
{
	core_lock();
	core_lock();
}

static void unlock_unlocked(void)
{
	core_unlock();
}

static void test_second_lock_on_one_thread_aborts(void **s)
{
	(void)s;
	expect_abort(lock_twice, "core_lock", "must not hold the core lock");
}

static void test_unlock_without_the_lock_aborts(void **s)
{
	(void)s;
	expect_abort(unlock_unlocked, "core_unlock",
	             "needs the core lock held");
}

/*
 * A condition wait releases the lock and takes it back on the same
 * thread: meanwhile another thread holds it and passes the checks, and
 * afterwards the waiter does.
 */
static struct ucond wake = UCOND_INIT;
static bool woken;
static struct call shared;

static void *waker(void *arg)
{
	(void)arg;
	core_lock();
	call_ref_locked(&shared);
	woken = true;
	ucond_broadcast(&wake);
	core_unlock();
	if (core_lock_held())
		_exit(2);
	return NULL;
}

static void wait_and_check(void)
{
	pthread_t t;

	memset(&shared, 0, sizeof(shared));
	core_lock();
	if (pthread_create(&t, NULL, waker, NULL) != 0)
		_exit(3);
	while (!woken)
		ucond_wait(&wake, &core.lock);
	call_ref_locked(&shared);
	core_unlock();
	pthread_join(t, NULL);
	if (shared.refs != 2 || core_lock_held())
		_exit(1);
}

static void test_condition_wait_keeps_the_owner(void **s)
{
	(void)s;
	expect_success(wait_and_check);
}

/*
 * Every exported function checks that its thread holds no lock of
 * libtapix's (src/rpc/entry.c, util/lockcheck.h): the count the locks
 * keep for the log (util/loghold.h). The core's lock counts when taken
 * and when let go, so after a round trip the check passes.
 */
static void entry_with_a_lock(void)
{
	log_hold(); /* as a lock of libtapix's does */
	lockcheck_assert_no_app_lock();
}

static void entry_after_the_core_lock(void)
{
	core_lock();
	core_unlock();
	lockcheck_assert_no_app_lock();
	log_hold();
	log_release();
	lockcheck_assert_no_app_lock();
}

static void test_entry_with_a_lock_held_aborts(void **s)
{
	(void)s;
	expect_abort(entry_with_a_lock, "entry_with_a_lock",
	             "called with 1 libtapix locks held");
}

static void test_entry_after_locks_let_go_runs(void **s)
{
	(void)s;
	expect_success(entry_after_the_core_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locked_function_without_the_lock_aborts),
		cmocka_unit_test(test_locked_function_with_the_lock_runs),
		cmocka_unit_test(test_provider_entered_with_the_lock_aborts),
		cmocka_unit_test(test_provider_entered_without_the_lock_runs),
		cmocka_unit_test(test_engine_calls_providers_without_the_lock),
		cmocka_unit_test(test_second_lock_on_one_thread_aborts),
		cmocka_unit_test(test_unlock_without_the_lock_aborts),
		cmocka_unit_test(test_condition_wait_keeps_the_owner),
		cmocka_unit_test(test_entry_with_a_lock_held_aborts),
		cmocka_unit_test(test_entry_after_locks_let_go_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
