/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RAS phonebook reader (see pbk.h). */
#define LOG_MODULE "ras"
#include "ras/pbk.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/file.h"
#include "util/log.h"
#include "util/mem.h"

#define PBK_MAX_FILE (16u << 20) /* a phonebook larger than this: refused */

/* Where the reader is inside the current entry. */
enum part {
	PART_ENTRY,   /* before MEDIA */
	PART_MEDIA,   /* the first MEDIA, before its DEVICE */
	PART_DEVICE,  /* the first DEVICE of the first MEDIA */
	PART_IGNORED, /* further MEDIA or DEVICE subsections */
};

static void entry_free(struct pbk_entry *e)
{
	mem_free(e->name);
	mem_free(e->guid);
	mem_free(e->link);
	mem_free(e->prefix);
	mem_free(e->suffix);
	mem_free(e->media);
	mem_free(e->port);
	mem_free(e->device);
	mem_free(e->devtype);
	mem_free(e->number);
	mem_free(e->area);
	mem_free(e->country);
}

void pbk_free(struct pbk *pb)
{
	size_t i;

	for (i = 0; i < pb->n; i++)
		entry_free(&pb->v[i]);
	mem_free(pb->v);
	memset(pb, 0, sizeof(*pb));
}

const struct pbk_entry *pbk_find(const struct pbk *pb, const char *name)
{
	size_t i;

	for (i = 0; i < pb->n; i++)
		if (strcmp(pb->v[i].name, name) == 0)
			return &pb->v[i];
	return NULL;
}

/* Sets *@slot to a copy of @v (@n bytes), once: the first value wins. */
static int set_once(char **slot, const char *v, size_t n)
{
	if (*slot)
		return 0;
	*slot = mem_alloc(n + 1);
	if (!*slot)
		return -1;
	memcpy(*slot, v, n);
	(*slot)[n] = '\0';
	return 0;
}

static unsigned to_uint(const char *v, size_t n)
{
	unsigned long r = 0;
	size_t i;

	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		r = r * 10 + (unsigned)(v[i] - '0');
		if (r > 100000)
			return 100000;
	}
	return (unsigned)r;
}

static bool key_is(const char *k, size_t kn, const char *want)
{
	return strlen(want) == kn && strncasecmp(k, want, kn) == 0;
}

/* One Key=Value line of entry @e. -1: out of memory. */
static int key_line(struct pbk_entry *e, enum part *part, const char *k,
                    size_t kn, const char *v, size_t vn)
{
	/*
	 * subsection markers (§A1), compared case-sensitively: "DEVICE"
	 * starts a subsection where "Device" is a key of MEDIA's
	 */
	if (kn == 5 && memcmp(k, "MEDIA", 5) == 0) {
		if (*part != PART_ENTRY) {
			*part = PART_IGNORED; /* multilink: first MEDIA only */
			return 0;
		}
		*part = PART_MEDIA;
		return set_once(&e->media, v, vn);
	}
	if (kn == 6 && memcmp(k, "DEVICE", 6) == 0) {
		if (*part != PART_MEDIA) {
			*part = PART_IGNORED;
			return 0;
		}
		*part = PART_DEVICE;
		return set_once(&e->devtype, v, vn);
	}
	switch (*part) {
	case PART_ENTRY:
		if (key_is(k, kn, "Type"))
			e->type = to_uint(v, vn);
		else if (key_is(k, kn, "Guid"))
			return set_once(&e->guid, v, vn);
		else if (key_is(k, kn, "TapixLink"))
			return set_once(&e->link, v, vn);
		else if (key_is(k, kn, "TapixDialTimeout"))
			e->dial_timeout = to_uint(v, vn);
		else if (key_is(k, kn, "TapixDialPrefix"))
			return set_once(&e->prefix, v, vn);
		else if (key_is(k, kn, "TapixDialSuffix"))
			return set_once(&e->suffix, v, vn);
		return 0;
	case PART_MEDIA:
		if (key_is(k, kn, "Port"))
			return set_once(&e->port, v, vn);
		if (key_is(k, kn, "Device"))
			return set_once(&e->device, v, vn);
		return 0;
	case PART_DEVICE:
		/* the first PhoneNumber group; alternates are ignored */
		if (key_is(k, kn, "PhoneNumber"))
			return set_once(&e->number, v, vn);
		if (key_is(k, kn, "AreaCode"))
			return set_once(&e->area, v, vn);
		if (key_is(k, kn, "CountryCode"))
			return set_once(&e->country, v, vn);
		if (key_is(k, kn, "UseDialingRules") && !e->use_rules)
			e->use_rules = to_uint(v, vn) == 1;
		return 0;
	case PART_IGNORED:
		return 0;
	}
	return 0;
}

/*
 * The names of the entries read so far (§A1: unique; §A4: the first one
 * wins): an open-addressing set of their indices in the pbk, so that a
 * phonebook of many entries is read in linear time, not compared name by
 * name (a 16 MiB phonebook holds over a million entries).
 */
struct names {
	size_t *slot; /* index + 1; 0: empty */
	size_t cap;   /* a power of two, more than twice the names */
	size_t n;
};

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

/* Whether @pb has an entry named @s (@n bytes). */
static bool names_has(const struct names *t, const struct pbk *pb,
                      const char *s, size_t n)
{
	size_t i, mask = t->cap - 1;

	if (!t->cap)
		return false;
	for (i = name_hash(s, n) & mask; t->slot[i]; i = (i + 1) & mask) {
		const char *name = pb->v[t->slot[i] - 1].name;

		if (strncmp(name, s, n) == 0 && name[n] == '\0')
			return true;
	}
	return false;
}

static void names_put(struct names *t, const struct pbk *pb, size_t idx)
{
	const char *name = pb->v[idx].name;
	size_t i, mask = t->cap - 1;

	for (i = name_hash(name, strlen(name)) & mask; t->slot[i];
	     i = (i + 1) & mask)
		;
	t->slot[i] = idx + 1;
	t->n++;
}

/* Adds entry @idx of @pb (its name not in @t yet). -1: out of memory. */
static int names_add(struct names *t, const struct pbk *pb, size_t idx)
{
	if ((t->n + 1) * 2 >= t->cap) {
		struct names bigger = {.cap = t->cap ? t->cap * 2 : 64};
		size_t i;

		bigger.slot = mem_zalloc(bigger.cap * sizeof(*bigger.slot));
		if (!bigger.slot)
			return -1;
		for (i = 0; i < t->cap; i++)
			if (t->slot[i])
				names_put(&bigger, pb, t->slot[i] - 1);
		mem_free(t->slot);
		*t = bigger;
	}
	names_put(t, pb, idx);
	return 0;
}

static DWORD parse(const char *text, size_t len, struct pbk *out,
                   struct names *names)
{
	struct pbk_entry *cur = NULL;
	enum part part = PART_ENTRY;
	size_t pos = 0, cap = 0;

	if (memchr(text, '\0', len))
		return ERROR_CORRUPT_PHONEBOOK; /* binary data */
	/* a UTF-8 byte order mark */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *line = text + pos, *nl, *eq;
		size_t n;

		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		/* CR LF or LF; trailing CR and spaces go */
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		             line[n - 1] == '\t'))
			n--;
		if (!n || line[0] == ';')
			continue;
		if (line[0] == '[') {
			const char *end = memchr(line, ']', n);
			size_t nn;

			if (!end || end != line + n - 1)
				return ERROR_CORRUPT_PHONEBOOK;
			nn = (size_t)(end - line - 1);
			cur = NULL;
			part = PART_IGNORED;
			if (!nn || nn > RAS_MaxEntryName) {
				log_warn(
					"phonebook: an entry name of %zu bytes "
					"skipped",
					nn);
				out->skipped++;
				continue;
			}
			if (names_has(names, out, line + 1, nn)) {
				/* the first one wins */
				log_warn("phonebook: duplicate entry %.*s "
				         "ignored",
				         (int)nn, line + 1);
				out->skipped++;
				continue;
			}
			if (out->n == cap) {
				size_t nc = cap ? cap * 2 : 8;
				struct pbk_entry *v =
					mem_realloc(out->v, nc * sizeof(*v));

				if (!v)
					return ERROR_NOT_ENOUGH_MEMORY;
				out->v = v;
				cap = nc;
			}
			cur = &out->v[out->n];
			memset(cur, 0, sizeof(*cur));
			out->n++;
			if (set_once(&cur->name, line + 1, nn) ||
			    names_add(names, out, out->n - 1))
				return ERROR_NOT_ENOUGH_MEMORY;
			part = PART_ENTRY;
			continue;
		}
		eq = memchr(line, '=', n);
		if (!cur || !eq)
			continue; /* before the first entry, or no '=' */
		if (key_line(cur, &part, line, (size_t)(eq - line), eq + 1,
		             n - (size_t)(eq - line) - 1))
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	return 0;
}

DWORD pbk_parse(const char *text, size_t len, struct pbk *out)
{
	struct names names = {0};
	DWORD r;

	memset(out, 0, sizeof(*out));
	r = parse(text, len, out, &names);
	mem_free(names.slot);
	return r;
}

static void *alloc_fn(size_t size)
{
	return mem_alloc(size);
}

static void free_fn(void *ptr)
{
	mem_free(ptr);
}

DWORD pbk_load(const char *path, struct pbk *out)
{
	char *buf;
	size_t len;
	DWORD r;
	int e;

	memset(out, 0, sizeof(*out));
	/* issue 19 — only a regular file, bounded, read without blocking */
	e = file_read(path, PBK_MAX_FILE, alloc_fn, free_fn, &buf, &len);
	if (e == -ENOMEM)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (e) {
		log_info("phonebook %s: %s", path, file_error(e));
		return ERROR_CANNOT_OPEN_PHONEBOOK;
	}
	r = pbk_parse(buf, len, out);
	mem_free(buf);
	return r;
}
