/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Generation-checked handle tables (see htab.h). */
#include "util/htab.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "util/mem.h"

void htab_init(struct htab *t, unsigned idx_bits, unsigned total_bits,
               uint32_t reserve)
{
	memset(t, 0, sizeof(*t));
	assert(idx_bits > 1 && idx_bits < total_bits && total_bits <= 32);
	t->idx_bits = (uint8_t)idx_bits;
	t->gen_bits = (uint8_t)(total_bits - idx_bits);
	t->idx_mask = (1u << idx_bits) - 1;
	t->gen_mask = (1u << (total_bits - idx_bits)) - 1;
	t->reserve = reserve;
}

void htab_fini(struct htab *t)
{
	assert(t->live == 0);
	mem_free(t->slots);
	t->slots = NULL;
	t->cap = t->used = t->nfree = t->free_head = t->free_tail = 0;
}

static uint32_t max_slots(const struct htab *t)
{
	/* index + 1 must fit in idx_bits and never be 0 */
	return (1u << t->idx_bits) - 1;
}

static int grow(struct htab *t)
{
	uint32_t ncap;
	struct htab_slot *ns;

	if (t->cap == max_slots(t))
		return -ENOSPC;
	ncap = t->cap ? t->cap * 2 : 64;
	if (ncap > max_slots(t))
		ncap = max_slots(t);
	ns = mem_realloc(t->slots, (size_t)ncap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	memset(ns + t->cap, 0, (size_t)(ncap - t->cap) * sizeof(*ns));
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

int htab_new_slot(struct htab *t, uint32_t *idx)
{
	if (t->nfree > 0 && t->used == max_slots(t)) {
		*idx = htab_pop_free(t);
		return 0;
	}
	if (t->used == t->cap) {
		int err = grow(t);

		if (err == -ENOSPC && t->nfree > 0) {
			*idx = htab_pop_free(t);
			return 0;
		}
		if (err)
			return err;
	}
	*idx = t->used++;
	return 0;
}

static struct htab_slot *slot_of(const struct htab *t, uint32_t h)
{
	uint32_t idx = h & t->idx_mask;
	struct htab_slot *s;

	if (idx - 1u >= t->used) /* idx 0 wraps */
		return NULL;
	s = &t->slots[idx - 1];
	/* the whole handle: index, generation and the bits above both */
	if (s->h != h || !s->obj)
		return NULL;
	return s;
}

void htab_del(struct htab *t, uint32_t h)
{
	struct htab_slot *s = slot_of(t, h);
	uint32_t idx;

	assert(s);
	if (!s)
		return;
	idx = (uint32_t)(s - t->slots);
	s->obj = NULL;
	s->h = 0;
	s->gen = (s->gen + 1) & t->gen_mask;
	s->next = 0;
	if (t->free_tail)
		t->slots[t->free_tail - 1].next = idx + 1;
	else
		t->free_head = idx + 1;
	t->free_tail = idx + 1;
	t->nfree++;
	t->live--;
}
