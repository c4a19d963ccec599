/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Free lists of fixed-size objects: what a call's life allocates and
 * frees (calls, call handles, requests, early events) is reused instead of
 * going back to malloc each time. A pool keeps at most @max freed objects;
 * beyond that they go back to the heap. Not thread-safe: the owner's lock
 * guards it. Cached objects still count in mem_live (core_live_get takes
 * them out), and taking one counts for mem_fail_after, so the allocation
 * failure tests reach the same places. Under AddressSanitizer pools keep
 * nothing, so a use after free is still caught.
 */
#ifndef TAPIX_UTIL_POOL_H
#define TAPIX_UTIL_POOL_H

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "util/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_SANITIZED 1
#endif
#endif
#ifndef POOL_SANITIZED
#define POOL_SANITIZED 0
#endif

struct pool_item {
	struct pool_item *next;
};

struct pool {
	struct pool_item *free;
	unsigned n;   /* objects cached */
	unsigned max; /* at most this many */
	size_t size;  /* of each object, at least a pointer */
};

#define POOL_INIT(objsize, most)                                          \
	{                                                                 \
		.free = NULL, .n = 0, .max = POOL_SANITIZED ? 0 : (most), \
		.size = (objsize)                                         \
	}

/*
 * A zero-filled object of @p's size, or NULL. @size is that size again,
 * as a constant (sizeof), so that the zeroing is inlined.
 */
static inline __attribute__((always_inline)) void *pool_zalloc(struct pool *p,
                                                               size_t size)
{
	struct pool_item *it = p->free;

	assert(size == p->size);
	if (!it)
		return mem_zalloc(size);
	if (mem_fail_now())
		return NULL;
	p->free = it->next;
	p->n--;
	memset(it, 0, size);
	return it;
}

/* Gives @obj (from pool_zalloc of @p, or NULL) back. */
static inline void pool_free(struct pool *p, void *obj)
{
	struct pool_item *it = obj;

	if (!obj)
		return;
	if (p->n >= p->max) {
		mem_free(obj);
		return;
	}
	it->next = p->free;
	p->free = it;
	p->n++;
}

/* Frees every cached object. */
static inline void pool_drain(struct pool *p)
{
	while (p->free) {
		struct pool_item *it = p->free;

		p->free = it->next;
		mem_free(it);
	}
	p->n = 0;
}

#endif /* TAPIX_UTIL_POOL_H */
