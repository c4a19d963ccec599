/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by tapix's service providers, linked into each provider
 * module (a static library): generation-checked handle tables, the
 * variable-size structure convention, version-dependent fixed sizes and the
 * user-user information store with its release rule. Like a provider, this
 * includes only tspi.h: it knows nothing of the core.
 *
 * Nothing here locks: each provider calls these with its own lock held.
 */
#ifndef TAPIX_TSP_H
#define TAPIX_TSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <tspi.h>

#define TSP_EXPORT __attribute__((visibility("default")))

/* ---- strings and numbers ------------------------------------------------ */

/** Copies @src into @dst of @size bytes (>= 1), truncated, NUL-terminated. */
void tsp_copy_str(char *dst, size_t size, const char *src);

/**
 * Parses a decimal number of at most 9 digits, nothing else.
 * Returns false (and leaves *out alone) for anything else.
 */
bool tsp_parse_uint(const char *s, unsigned *out);

/* ---- handle tables ------------------------------------------------------ */

/*
 * Handles are 32-bit values: a slot index (low 20 bits, from 1) and the
 * slot's generation (high 12 bits). A freed slot goes to the end of a FIFO
 * and is reused only when more than 1024 are free, so a stale handle is
 * rejected, not mistaken for a new object, for a long time.
 */
struct tsp_slot {
	void *obj;
	uint32_t gen;
	uint32_t next;
};

struct tsp_htab {
	struct tsp_slot *slots;
	uint32_t nslots, used, free_head, free_tail, nfree;
};

/** Gives @obj a handle; 0 when out of memory or out of slots. */
uint32_t tsp_htab_add(struct tsp_htab *t, void *obj);

#define TSP_HTAB_IDX_BITS 20u
#define TSP_HTAB_IDX_MASK ((1u << TSP_HTAB_IDX_BITS) - 1)

/**
 * The object of handle @h, or NULL if @h is not (or no longer) valid.
 * Inline: every provider function and event looks a handle up.
 */
static inline void *tsp_htab_get(const struct tsp_htab *t, uint32_t h)
{
	uint32_t idx = h & TSP_HTAB_IDX_MASK;
	const struct tsp_slot *s;

	if (idx == 0 || idx > t->used)
		return NULL;
	s = &t->slots[idx - 1];
	if (!s->obj || s->gen != (h >> TSP_HTAB_IDX_BITS))
		return NULL;
	return s->obj;
}

/** As tsp_htab_get, for a handle that travelled as a pointer-sized value. */
static inline void *tsp_htab_get_ptr(const struct tsp_htab *t, uintptr_t h)
{
	return h > 0xFFFFFFFFu ? NULL : tsp_htab_get(t, (uint32_t)h);
}

/** Frees handle @h (which must be valid). */
void tsp_htab_del(struct tsp_htab *t, uint32_t h);

/** Frees the table itself; the objects are the caller's. */
void tsp_htab_free(struct tsp_htab *t);

/* ---- structures --------------------------------------------------------- */

/*
 * Appends @len bytes of @data as the variable part whose size/offset pair
 * is at byte @pair of structure @s (of dwTotalSize @total): always counted
 * in *needed, copied after *used only if it fits whole (never truncated).
 */
void tsp_put_var(void *s, size_t pair, DWORD total, DWORD *used, DWORD *needed,
                 const void *data, DWORD len);

/* The fixed sizes of the structures for TSPI version @v. */
DWORD tsp_devcaps_fixed(DWORD v);
DWORD tsp_addrcaps_fixed(DWORD v);
DWORD tsp_callinfo_fixed(DWORD v);
DWORD tsp_callstatus_fixed(DWORD v);

/** Fills LINECALLSTATUS.tStateEntryTime (2.0) with @t in UTC. */
void tsp_state_time(LPLINECALLSTATUS cs, time_t t);

/* ---- user-user information (spec: tapi-functions.md §19) ---------------- */

struct tsp_uui_msg {
	struct tsp_uui_msg *next;
	DWORD len;
	uint8_t data[];
};

/*
 * The UUI a call shows in LINECALLINFO and the newer ones waiting: a
 * received UUI never overwrites the shown one before the app released it.
 */
struct tsp_uui {
	uint8_t *data; /* shown, or NULL */
	DWORD len;
	bool released;
	struct tsp_uui_msg *queue;
};

/**
 * Stores UUI received from the far end. Returns 1 if it is shown now (send
 * LINE_CALLINFO(USERUSERINFO)), 0 if it waits for a release or @len is 0,
 * -1 when out of memory (the UUI is lost).
 */
int tsp_uui_receive(struct tsp_uui *u, const void *data, DWORD len);

/**
 * The app released the shown UUI: the next waiting one is shown (returns
 * 1: send LINE_CALLINFO(USERUSERINFO)), else the next received one will be
 * (returns 0).
 */
int tsp_uui_release(struct tsp_uui *u);

/** Frees everything (the call is gone). */
void tsp_uui_clear(struct tsp_uui *u);

#endif /* TAPIX_TSP_H */
