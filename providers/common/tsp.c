/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by tapix's service providers (see tsp.h). */
#include "tsp.h"

#include <stdlib.h>
#include <string.h>

#define IDX_BITS TSP_HTAB_IDX_BITS
#define IDX_MASK TSP_HTAB_IDX_MASK
#define GEN_MASK ((1u << (32 - IDX_BITS)) - 1)
#define RESERVE  1024u

void tsp_copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool tsp_parse_uint(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 9)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = (unsigned)v;
	return true;
}

/* ---- handle tables ------------------------------------------------------ */

uint32_t tsp_htab_add(struct tsp_htab *t, void *obj)
{
	uint32_t idx;

	if (t->nfree > RESERVE || (t->nfree && t->used == IDX_MASK)) {
		idx = t->free_head - 1;
		t->free_head = t->slots[idx].next;
		if (!t->free_head)
			t->free_tail = 0;
		t->nfree--;
	} else {
		if (t->used == IDX_MASK)
			return 0;
		if (t->used == t->nslots) {
			uint32_t n = t->nslots ? t->nslots * 2 : 256;
			struct tsp_slot *ns;

			if (n > IDX_MASK)
				n = IDX_MASK;
			ns = realloc(t->slots, n * sizeof(*ns));
			if (!ns)
				return 0;
			memset(ns + t->nslots, 0,
			       (n - t->nslots) * sizeof(*ns));
			t->slots = ns;
			t->nslots = n;
		}
		idx = t->used++;
	}
	t->slots[idx].obj = obj;
	t->slots[idx].next = 0;
	return (t->slots[idx].gen << IDX_BITS) | (idx + 1);
}

void tsp_htab_del(struct tsp_htab *t, uint32_t h)
{
	uint32_t idx = (h & IDX_MASK) - 1;
	struct tsp_slot *s = &t->slots[idx];

	s->obj = NULL;
	s->gen = (s->gen + 1) & GEN_MASK;
	s->next = 0;
	if (t->free_tail)
		t->slots[t->free_tail - 1].next = idx + 1;
	else
		t->free_head = idx + 1;
	t->free_tail = idx + 1;
	t->nfree++;
}

void tsp_htab_free(struct tsp_htab *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- structures --------------------------------------------------------- */

void tsp_put_var(void *s, size_t pair, DWORD total, DWORD *used, DWORD *needed,
                 const void *data, DWORD len)
{
	DWORD zero = 0;

	*needed += len;
	if (len == 0 || len > total - *used) {
		memcpy((char *)s + pair, &zero, 4);
		memcpy((char *)s + pair + 4, &zero, 4);
		return;
	}
	memcpy((char *)s + *used, data, len);
	memcpy((char *)s + pair, &len, 4);
	memcpy((char *)s + pair + 4, used, 4);
	*used += len;
}

DWORD tsp_devcaps_fixed(DWORD v)
{
	if (v < 0x00020000)
		return offsetof(LINEDEVCAPS, dwSettableDevStatus);
	if (v < 0x00020002)
		return offsetof(LINEDEVCAPS, PermanentLineGuid);
	return offsetof(LINEDEVCAPS, dwAddressTypes);
}

DWORD tsp_addrcaps_fixed(DWORD v)
{
	return v < 0x00020000 ? offsetof(LINEADDRESSCAPS,
	                                 dwPredictiveAutoTransferStates)
	                      : sizeof(LINEADDRESSCAPS);
}

DWORD tsp_callinfo_fixed(DWORD v)
{
	return v < 0x00020000 ? offsetof(LINECALLINFO, dwCallTreatment)
	                      : offsetof(LINECALLINFO, dwCallerIDAddressType);
}

DWORD tsp_callstatus_fixed(DWORD v)
{
	return v < 0x00020000 ? offsetof(LINECALLSTATUS, dwCallFeatures2)
	                      : sizeof(LINECALLSTATUS);
}

void tsp_state_time(LPLINECALLSTATUS cs, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	cs->tStateEntryTime.wYear = (WORD)(tm.tm_year + 1900);
	cs->tStateEntryTime.wMonth = (WORD)(tm.tm_mon + 1);
	cs->tStateEntryTime.wDayOfWeek = (WORD)tm.tm_wday;
	cs->tStateEntryTime.wDay = (WORD)tm.tm_mday;
	cs->tStateEntryTime.wHour = (WORD)tm.tm_hour;
	cs->tStateEntryTime.wMinute = (WORD)tm.tm_min;
	cs->tStateEntryTime.wSecond = (WORD)tm.tm_sec;
	cs->tStateEntryTime.wMilliseconds = 0;
}

/* ---- user-user information ---------------------------------------------- */

static bool uui_install(struct tsp_uui *u, const void *data, DWORD len)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return false;
	memcpy(copy, data, len);
	free(u->data);
	u->data = copy;
	u->len = len;
	u->released = false;
	return true;
}

int tsp_uui_receive(struct tsp_uui *u, const void *data, DWORD len)
{
	struct tsp_uui_msg *m, **tail;

	if (!len)
		return 0;
	if (u->data && !u->released) {
		m = malloc(sizeof(*m) + len);
		if (!m)
			return -1;
		m->next = NULL;
		m->len = len;
		memcpy(m->data, data, len);
		for (tail = &u->queue; *tail; tail = &(*tail)->next)
			;
		*tail = m;
		return 0;
	}
	return uui_install(u, data, len) ? 1 : -1;
}

int tsp_uui_release(struct tsp_uui *u)
{
	struct tsp_uui_msg *m = u->queue;
	int r;

	if (!m) {
		u->released = true;
		return 0;
	}
	u->queue = m->next;
	r = uui_install(u, m->data, m->len) ? 1 : 0;
	free(m);
	return r;
}

void tsp_uui_clear(struct tsp_uui *u)
{
	while (u->queue) {
		struct tsp_uui_msg *m = u->queue;

		u->queue = m->next;
		free(m);
	}
	free(u->data);
	memset(u, 0, sizeof(*u));
}
