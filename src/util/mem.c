/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counting allocator with allocation-failure injection for tests. */
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static size_t live;         /* atomic */
long mem_hook_fail_at = -1; /* atomic: allocations left before one fails */
long mem_hook_made;         /* atomic: allocations since the last hook call */

int mem_fail_armed(void)
{
	return __atomic_sub_fetch(&mem_hook_fail_at, 1, __ATOMIC_RELAXED) == -1;
}

long mem_fail_after(long n)
{
	__atomic_store_n(&mem_hook_fail_at, n, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&mem_hook_made, 0, __ATOMIC_RELAXED);
}

void *mem_alloc(size_t size)
{
	void *p;

	if (mem_fail_now())
		return NULL;
	p = malloc(size ? size : 1);
	if (p)
		__atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
	return p;
}

void *mem_zalloc(size_t size)
{
	void *p = mem_alloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *mem_realloc(void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return mem_alloc(size);
	if (mem_fail_now())
		return NULL;
	p = realloc(ptr, size ? size : 1);
	return p;
}

void *mem_dup(const void *src, size_t len)
{
	void *p = mem_alloc(len);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

char *mem_strdup(const char *s)
{
	if (!s)
		return NULL;
	return mem_dup(s, strlen(s) + 1);
}

void mem_free(void *ptr)
{
	if (!ptr)
		return;
	__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	free(ptr);
}

size_t mem_live(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}
