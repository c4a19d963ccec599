/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Immutable strings shared by reference count: an app's name is kept by
 * every call it made or answered (LINECALLINFO AppName) without a copy
 * each. The value is a plain char * to read; the count sits before it.
 * Not thread-safe: the owner's lock guards the count.
 */
#ifndef TAPIX_UTIL_RCSTR_H
#define TAPIX_UTIL_RCSTR_H

#include <stddef.h>
#include <string.h>

#include "util/mem.h"

struct rcstr_head {
	size_t refs;
};

/* A new shared copy of @s (one reference), or NULL (@s NULL, no memory). */
static inline char *rcstr_new(const char *s)
{
	size_t len;
	struct rcstr_head *h;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	h = mem_alloc(sizeof(*h) + len);
	if (!h)
		return NULL;
	h->refs = 1;
	memcpy(h + 1, s, len);
	return (char *)(h + 1);
}

/* Another reference to @s (from rcstr_new; NULL gives NULL). */
static inline char *rcstr_ref(char *s)
{
	if (s)
		((struct rcstr_head *)(void *)s - 1)->refs++;
	return s;
}

/* Drops a reference to @s (NULL is ignored). */
static inline void rcstr_unref(char *s)
{
	struct rcstr_head *h;

	if (!s)
		return;
	h = (struct rcstr_head *)(void *)s - 1;
	if (--h->refs == 0)
		mem_free(h);
}

#endif /* TAPIX_UTIL_RCSTR_H */
