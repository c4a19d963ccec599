/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of src/util: handle tables, lists, log levels, allocation. */
#define LOG_MODULE "test"
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testhooks.h"
#include "util/htab.h"
#include "util/list.h"
#include "util/log.h"
#include "util/mem.h"

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
	uint32_t old, fresh;
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
	uint32_t h;
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
	uint32_t h[8], again;
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
	uint32_t h[3], x;
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
	uint32_t h;
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
		cmocka_unit_test(test_list_basics),
		cmocka_unit_test(test_log_levels_parse),
		cmocka_unit_test(test_log_sink_receives_lines),
		cmocka_unit_test(test_mem_failure_injection_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
