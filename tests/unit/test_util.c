/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of src/util: handle tables, lists, log levels, allocation,
 * the futex lock and condition. */
#define LOG_MODULE "test"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testhooks.h"
#include "util/htab.h"
#include "util/list.h"
#include "util/log.h"
#include "util/loghold.h"
#include "util/mem.h"
#include "util/ulock.h"

/* spec: tapi-model.md §2 — handles are non-zero and unique */
static void test_htab_handles_are_nonzero_and_distinct(void **state)
{
	struct htab t;
	uint32_t h[100];
	int objs[100];
	unsigned i, j;

	(void)state;
	htab_init(&t, 10, 32, 0);
	for (i = 0; i < 100; i++) {
		assert_int_equal(htab_add(&t, &objs[i], 1, &h[i]), 0);
		assert_int_not_equal(h[i], 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	for (i = 0; i < 100; i++) {
		assert_ptr_equal(htab_get(&t, h[i], 1), &objs[i]);
		htab_del(&t, h[i]);
	}
	htab_fini(&t);
}

/* spec: STYLE §4.3 — a stale handle is rejected, never another object */
static void test_htab_stale_handle_never_finds_the_new_object(void **state)
{
	struct htab t;
	uint32_t old = 0, fresh = 0;
	int a, b;

	(void)state;
	htab_init(&t, 4, 32, 0); /* tiny: the slot is reused at once */
	assert_int_equal(htab_add(&t, &a, 1, &old), 0);
	htab_del(&t, old);
	assert_null(htab_get(&t, old, 0));
	assert_int_equal(htab_add(&t, &b, 1, &fresh), 0);
	assert_int_not_equal(fresh, old);
	assert_null(htab_get(&t, old, 0));
	assert_ptr_equal(htab_get(&t, fresh, 1), &b);
	htab_del(&t, fresh);
	htab_fini(&t);
}

static void test_htab_checks_type_and_garbage(void **state)
{
	struct htab t;
	uint32_t h = 0;
	int a;

	(void)state;
	htab_init(&t, 8, 31, 0);
	assert_int_equal(htab_add(&t, &a, 2, &h), 0);
	assert_null(htab_get(&t, h, 3));
	assert_ptr_equal(htab_get(&t, h, 0), &a);
	assert_null(htab_get(&t, 0, 0));
	assert_null(htab_get(&t, 0xFFFFFFFFu, 0));
	assert_null(htab_get(&t, h + 1, 0));
	assert_null(htab_get(&t, h | 0x80000000u, 0)); /* beyond 31 bits */
	assert_true(h < 0x80000000u);
	htab_del(&t, h);
	htab_fini(&t);
}

/* Freed slots are reused oldest first, once the reserve is exceeded. */
static void test_htab_reuse_waits_for_the_reserve(void **state)
{
	struct htab t;
	uint32_t h[8] = {0}, again = 0;
	int o[8];
	unsigned i;

	(void)state;
	htab_init(&t, 10, 32, 4);
	for (i = 0; i < 8; i++)
		assert_int_equal(htab_add(&t, &o[i], 1, &h[i]), 0);
	for (i = 0; i < 4; i++)
		htab_del(&t, h[i]);
	/* 4 free, reserve 4: a new slot is used */
	assert_int_equal(htab_add(&t, &o[0], 1, &again), 0);
	assert_int_equal(again & 0x3FF, 9);
	htab_del(&t, again);
	/* 5 free > 4: the oldest freed slot (index 1) comes back */
	assert_int_equal(htab_add(&t, &o[0], 1, &again), 0);
	assert_int_equal(again & 0x3FF, 1);
	assert_int_not_equal(again, h[0]);
	htab_del(&t, again);
	for (i = 4; i < 8; i++)
		htab_del(&t, h[i]);
	htab_fini(&t);
}

static void test_htab_index_space_exhausted(void **state)
{
	struct htab t;
	uint32_t h[3] = {0}, x = 0;
	int o;

	(void)state;
	htab_init(&t, 2, 8, 0); /* 3 slots */
	assert_int_equal(htab_add(&t, &o, 1, &h[0]), 0);
	assert_int_equal(htab_add(&t, &o, 1, &h[1]), 0);
	assert_int_equal(htab_add(&t, &o, 1, &h[2]), 0);
	assert_int_equal(htab_add(&t, &o, 1, &x), -ENOSPC);
	htab_del(&t, h[1]);
	assert_int_equal(htab_add(&t, &o, 1, &x), 0);
	assert_int_not_equal(x, h[1]);
	htab_del(&t, x);
	htab_del(&t, h[0]);
	htab_del(&t, h[2]);
	htab_fini(&t);
}

static void test_htab_out_of_memory(void **state)
{
	struct htab t;
	uint32_t h = 0;
	int o;

	(void)state;
	htab_init(&t, 8, 32, 0);
	tapix_test_fail_alloc(0);
	assert_int_equal(htab_add(&t, &o, 1, &h), -ENOMEM);
	tapix_test_fail_alloc(-1);
	assert_int_equal(htab_add(&t, &o, 1, &h), 0);
	htab_del(&t, h);
	htab_fini(&t);
	assert_int_equal(mem_live(), 0);
}

struct item {
	int v;
	struct list_node link;
};

/* A table initialized statically (the core's) is the one htab_init makes:
 * its handles work the same. */
static void test_htab_static_init_matches_htab_init(void **state)
{
	struct htab a = HTAB_INIT(18, 31, 4), b;
	uint32_t h = 0;
	int obj;

	(void)state;
	htab_init(&b, 18, 31, 4);
	assert_ptr_equal(a.slots, b.slots);
	assert_int_equal(a.cap, b.cap);
	assert_int_equal(a.used, b.used);
	assert_int_equal(a.nfree, b.nfree);
	assert_int_equal(a.free_head, b.free_head);
	assert_int_equal(a.free_tail, b.free_tail);
	assert_int_equal(a.reserve, b.reserve);
	assert_int_equal(a.idx_mask, b.idx_mask);
	assert_int_equal(a.idx_bits, b.idx_bits);
	assert_int_equal(a.gen_bits, b.gen_bits);
	assert_int_equal(a.live, b.live);
	assert_null(htab_get(&a, 1, 0)); /* empty: nothing found */
	assert_int_equal(htab_add(&a, &obj, 1, &h), 0);
	assert_true(h > 0 && h <= 0x7fffffffu);
	assert_ptr_equal(htab_get(&a, h, 1), &obj);
	htab_del(&a, h);
	htab_fini(&a);
}

static void test_list_basics(void **state)
{
	struct list_node head = LIST_HEAD_INIT(head), other;
	struct item a = {1, {0}}, b = {2, {0}}, c = {3, {0}};
	struct list_node *it, *tmp;
	int sum = 0;

	(void)state;
	list_init(&other);
	assert_true(list_empty(&head));
	list_add_tail(&head, &a.link);
	list_add_tail(&head, &b.link);
	list_add_head(&head, &c.link);
	assert_int_equal(list_count(&head), 3);
	assert_ptr_equal(list_entry(head.next, struct item, link), &c);
	list_del(&b.link);
	list_del(&b.link); /* twice is harmless */
	assert_false(list_linked(&b.link));
	list_splice_tail(&other, &head);
	assert_true(list_empty(&head));
	list_foreach_safe(it, tmp, &other) {
		sum += list_entry(it, struct item, link)->v;
		list_del(it);
	}
	assert_int_equal(sum, 4);
	assert_true(list_empty(&other));
}

static void test_log_levels_parse(void **state)
{
	(void)state;
	assert_int_equal(tapix_log_set_levels("info,esp=debug,core=err"), 0);
	assert_true(log_enabled(TAPIX_LOG_INFO, "api"));
	assert_false(log_enabled(TAPIX_LOG_DEBUG, "api"));
	assert_true(log_enabled(TAPIX_LOG_DEBUG, "esp"));
	assert_false(log_enabled(TAPIX_LOG_WARN, "core"));
	assert_int_equal(tapix_log_set_levels("loud"), -EINVAL);
	assert_int_equal(tapix_log_set_levels("x=loud"), -EINVAL);
	assert_int_equal(tapix_log_set_levels("=info"), -EINVAL);
	assert_int_equal(tapix_log_set_levels(NULL), -EINVAL);
	/* a failed spec changes nothing */
	assert_true(log_enabled(TAPIX_LOG_DEBUG, "esp"));
	assert_int_equal(tapix_log_set_levels("warn"), 0);
	assert_false(log_enabled(TAPIX_LOG_INFO, "api"));
}

static int sink_calls;
static char sink_line[128];

static void sink(enum tapix_log_level level, const char *module,
                 const char *line, void *arg)
{
	(void)level;
	(void)module;
	(void)arg;
	sink_calls++;
	snprintf(sink_line, sizeof(sink_line), "%s", line);
}

static void test_log_sink_receives_lines(void **state)
{
	(void)state;
	tapix_log_set_sink(sink, NULL);
	log_warn("call %08x: %s", 0x1234u, "dropped");
	log_debug("not shown");
	tapix_log_set_sink(NULL, NULL);
	assert_int_equal(sink_calls, 1);
	assert_string_equal(sink_line, "call 00001234: dropped");
}

/*
 * tapix.h: the sink is called with no tapix lock held. Lines logged while
 * a lock is held (log_hold .. log_release, util/loghold.h) wait and reach
 * the sink in order when the last lock is let go; past 256 waiting lines
 * the rest are counted and the count said.
 */
static void test_log_lines_wait_for_the_last_lock(void **state)
{
	unsigned i;

	(void)state;
	sink_calls = 0;
	tapix_log_set_sink(sink, NULL);
	log_hold();
	log_warn("first");
	log_hold(); /* a second lock */
	log_warn("second");
	log_release();
	assert_int_equal(sink_calls, 0);
	log_release();
	assert_int_equal(sink_calls, 2);
	assert_string_equal(sink_line, "second"); /* the last, in order */

	log_hold();
	for (i = 0; i < 300; i++)
		log_warn("line %u", i);
	assert_int_equal(sink_calls, 2);
	log_release();
	assert_int_equal(sink_calls, 2 + 256 + 1);
	assert_string_equal(sink_line,
	                    "44 log lines dropped while a lock was held");

	log_warn("at once");
	assert_int_equal(sink_calls, 2 + 256 + 2);
	tapix_log_set_sink(NULL, NULL);
}

static void test_mem_failure_injection_counts(void **state)
{
	void *p, *q;

	(void)state;
	tapix_test_fail_alloc(-1);
	p = mem_alloc(8);
	q = mem_strdup("x");
	assert_int_equal(tapix_test_fail_alloc(1), 2);
	assert_non_null(p);
	mem_free(p);
	p = mem_alloc(8); /* allocation 0 succeeds */
	assert_non_null(p);
	assert_null(mem_alloc(8)); /* allocation 1 fails */
	assert_non_null(q);
	tapix_test_fail_alloc(-1);
	mem_free(p);
	mem_free(q);
	assert_int_equal(mem_live(), 0);
}

/* ---- util/ulock.h ----------------------------------------------------------
 */

#define ULOCK_THREADS 4
#define ULOCK_ROUNDS  20000

static struct ulock ul = ULOCK_INIT;
static unsigned ul_count;  /* guarded by ul, updated in two steps */
static unsigned ul_inside; /* atomic: threads inside ul at once */
static unsigned ul_overlaps;

static void *ulock_worker(void *arg)
{
	unsigned i, v;

	(void)arg;
	for (i = 0; i < ULOCK_ROUNDS; i++) {
		ulock_lock(&ul);
		if (__atomic_fetch_add(&ul_inside, 1, __ATOMIC_RELAXED))
			__atomic_fetch_add(&ul_overlaps, 1, __ATOMIC_RELAXED);
		v = ul_count;
		if (i % 64 == 0)
			sched_yield(); /* others queue up: the sleeping path */
		ul_count = v + 1;
		__atomic_fetch_sub(&ul_inside, 1, __ATOMIC_RELAXED);
		ulock_unlock(&ul);
	}
	return NULL;
}

/* One thread at a time holds the lock, contended or not: no increment
 * made under it is lost, and nobody was ever inside with another. */
static void test_ulock_excludes_other_threads(void **state)
{
	pthread_t t[ULOCK_THREADS];
	unsigned i;

	(void)state;
	for (i = 0; i < ULOCK_THREADS; i++)
		assert_int_equal(
			pthread_create(&t[i], NULL, ulock_worker, NULL), 0);
	for (i = 0; i < ULOCK_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ul_overlaps, 0);
	assert_int_equal(ul_count, ULOCK_THREADS * ULOCK_ROUNDS);
	assert_int_equal(ul.state, 0);
}

static struct ucond uc = UCOND_INIT;
static bool uc_ready; /* guarded by ul */

static void *ucond_signaller(void *arg)
{
	(void)arg;
	ulock_lock(&ul);
	uc_ready = true;
	ucond_signal(&uc);
	ulock_unlock(&ul);
	return NULL;
}

/* A waiter sleeps with the lock released (the signaller takes it) and
 * holds it again when woken. */
static void test_ucond_signal_wakes_a_waiter(void **state)
{
	pthread_t t;

	(void)state;
	uc_ready = false;
	ulock_lock(&ul);
	assert_int_equal(pthread_create(&t, NULL, ucond_signaller, NULL), 0);
	while (!uc_ready)
		ucond_wait(&uc, &ul);
	assert_int_not_equal(ul.state, 0);
	assert_int_equal(uc.waiters, 0);
	ulock_unlock(&ul);
	pthread_join(t, NULL);
}

/* spec: tapi-functions.md §7 (lineGetMessage's time-out) — a timed wait
 * nobody signals ends at its CLOCK_MONOTONIC deadline, not before, with
 * -ETIMEDOUT and the lock held again. */
static void test_ucond_timed_wait_ends_at_the_deadline(void **state)
{
	struct timespec deadline, now;
	int r;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += 20000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	ulock_lock(&ul);
	do
		r = ucond_timedwait(&uc, &ul, &deadline);
	while (r == 0); /* (a spurious return is allowed: wait again) */
	assert_int_equal(r, -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &now);
	assert_true(now.tv_sec > deadline.tv_sec ||
	            (now.tv_sec == deadline.tv_sec &&
	             now.tv_nsec >= deadline.tv_nsec));
	assert_int_not_equal(ul.state, 0);
	ulock_unlock(&ul);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htab_handles_are_nonzero_and_distinct),
		cmocka_unit_test(
			test_htab_stale_handle_never_finds_the_new_object),
		cmocka_unit_test(test_htab_checks_type_and_garbage),
		cmocka_unit_test(test_htab_reuse_waits_for_the_reserve),
		cmocka_unit_test(test_htab_index_space_exhausted),
		cmocka_unit_test(test_htab_out_of_memory),
		cmocka_unit_test(test_htab_static_init_matches_htab_init),
		cmocka_unit_test(test_list_basics),
		cmocka_unit_test(test_log_levels_parse),
		cmocka_unit_test(test_log_sink_receives_lines),
		cmocka_unit_test(test_log_lines_wait_for_the_last_lock),
		cmocka_unit_test(test_mem_failure_injection_counts),
		cmocka_unit_test(test_ulock_excludes_other_threads),
		cmocka_unit_test(test_ucond_signal_wakes_a_waiter),
		cmocka_unit_test(test_ucond_timed_wait_ends_at_the_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
