/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Heap allocation for the core: counts live blocks (every test checks they
 * return to zero) and can fail the n-th allocation on purpose (OOM tests).
 */
#ifndef TAPIX_UTIL_MEM_H
#define TAPIX_UTIL_MEM_H

#include <stddef.h>

/* Returns a block of @size bytes, or NULL (really or by injection). */
void *mem_alloc(size_t size);
/* As mem_alloc, zero-filled. */
void *mem_zalloc(size_t size);
/* Resizes a block (NULL @ptr allocates); NULL on failure, @ptr untouched. */
void *mem_realloc(void *ptr, size_t size);
/* Copies a NUL-terminated string; NULL for NULL or on failure. */
char *mem_strdup(const char *s);
/* Copies @len bytes; NULL on failure. */
void *mem_dup(const void *p, size_t len);
/* Frees a block from the functions above; NULL is ignored. */
void mem_free(void *ptr);
/* Number of blocks alive. */
size_t mem_live(void);
/*
 * Makes the @n-th allocation from now fail (0: the next one; negative: no
 * failure); returns the allocations made since the previous call. For
 * the tests' allocation-failure loops (tests/support/testhooks.h), never
 * exported by the library users get.
 */
long mem_fail_after(long n);
/* mem_fail_after's counters; only mem.c and mem_fail_now use them. */
extern long mem_hook_fail_at, mem_hook_made;
/* mem_fail_now's out of line part, once a failure is armed. */
int mem_fail_armed(void);

/*
 * Counts an allocation that takes no heap block (a pool's cached object,
 * util/pool.h) for mem_fail_after; true when it must fail. Inline: each
 * pooled object of a call's life passes here.
 */
static inline int mem_fail_now(void)
{
	__atomic_add_fetch(&mem_hook_made, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(
		    __atomic_load_n(&mem_hook_fail_at, __ATOMIC_RELAXED) < 0,
		    1))
		return 0;
	return mem_fail_armed();
}

#endif /* TAPIX_UTIL_MEM_H */
