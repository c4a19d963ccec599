/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Handle tables: a handle is a slot index plus a generation (Kamailio's
 * dialog ids), so a stale handle is rejected and never names another
 * object. Freed slots are reused oldest first and only once a reserve of
 * free slots exists, which keeps a handle value from coming back for a
 * long time. Not thread-safe: the owner's lock guards it.
 */
#ifndef TAPIX_UTIL_HTAB_H
#define TAPIX_UTIL_HTAB_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

struct htab_slot {
	void *obj;     /* NULL while free */
	uint32_t gen;  /* generation of the current or next occupant */
	uint32_t next; /* free-list link: index + 1, 0 ends the list */
	uint32_t h;    /* the occupant's handle (0 while free) */
	uint8_t type;
};

struct htab {
	struct htab_slot *slots;
	uint32_t cap;       /* slots allocated */
	uint32_t used;      /* slots ever handed out */
	uint32_t nfree;     /* slots on the free list */
	uint32_t free_head; /* index + 1 */
	uint32_t free_tail; /* index + 1 */
	uint32_t reserve;   /* free slots kept before reuse starts */
	uint32_t idx_mask;  /* (1 << idx_bits) - 1 */
	uint32_t gen_mask;  /* (1 << gen_bits) - 1 */
	uint8_t idx_bits;
	uint8_t gen_bits;
	size_t live; /* occupied slots */
};

/*
 * Prepares an empty table whose handles use @total_bits bits (31 keeps them
 * positive as LONG), @idx_bits of them for the slot index. HTAB_INIT is
 * the same as a static initializer (1 < idx_bits < total_bits <= 32).
 */
#define HTAB_INIT(ibits, tbits, rsv)                               \
	{                                                          \
		.reserve = (rsv), .idx_mask = (1u << (ibits)) - 1, \
		.gen_mask = (1u << ((tbits) - (ibits))) - 1,       \
		.idx_bits = (ibits), .gen_bits = (tbits) - (ibits) \
	}

void htab_init(struct htab *t, unsigned idx_bits, unsigned total_bits,
               uint32_t reserve);

/* Frees the slot array; the table must be empty. */
void htab_fini(struct htab *t);

/* htab_add's slot while the reserve of free slots is not full (out of
 * line: rare once warm): 0 with *@idx, -ENOMEM or -ENOSPC. */
int htab_new_slot(struct htab *t, uint32_t *idx);

/* Takes the oldest free slot off the free list (there is one). */
static inline uint32_t htab_pop_free(struct htab *t)
{
	uint32_t idx = t->free_head - 1;

	t->free_head = t->slots[idx].next;
	if (!t->free_head)
		t->free_tail = 0;
	t->nfree--;
	return idx;
}

/*
 * Stores @obj under a new non-zero handle written to *@out.
 * Returns 0, -ENOMEM or -ENOSPC (index space exhausted). Inline: every
 * call, call handle and request gets one.
 */
static inline int htab_add(struct htab *t, void *obj, uint8_t type,
                           uint32_t *out)
{
	struct htab_slot *s;
	uint32_t idx;

	assert(obj);
	if (t->nfree > t->reserve) {
		idx = htab_pop_free(t); /* the common case, once warm */
	} else {
		int err = htab_new_slot(t, &idx);

		if (err)
			return err;
	}
	s = &t->slots[idx];
	s->obj = obj;
	s->type = type;
	s->next = 0;
	s->h = (s->gen << t->idx_bits) | (idx + 1);
	t->live++;
	*out = s->h;
	return 0;
}

/* Returns the object of @h if alive and of @type (0 = any type), or NULL.
 * Inline: every API call and provider event looks handles up. */
static inline void *htab_get(const struct htab *t, uint32_t h, uint8_t type)
{
	uint32_t idx = h & t->idx_mask;
	const struct htab_slot *s;

	/* idx 0 wraps to the largest value: rejected with the others */
	if (idx - 1u >= t->used)
		return NULL;
	s = &t->slots[idx - 1];
	/* the whole handle: index, generation and the bits above both */
	if (s->h != h || !s->obj || (type && s->type != type))
		return NULL;
	return s->obj;
}

/* Frees @h (which must be alive); later lookups of it fail. */
void htab_del(struct htab *t, uint32_t h);

#endif /* TAPIX_UTIL_HTAB_H */
