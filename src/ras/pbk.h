/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The RAS phonebook reader: rasphone.pbk files, the subset of
 * ras-phonebook-and-rasdial.md §A3 with the reading rules of §A4 (a
 * dedicated reader, as §A4 recommends: values of any length, no inline
 * comments, no continuation lines). Pure: fuzz/pbk.c drives it.
 */
#ifndef TAPIX_RAS_PBK_H
#define TAPIX_RAS_PBK_H

#include <stddef.h>
#include <stdint.h>

#include <ras.h>

/* One entry (only its first MEDIA, DEVICE and PhoneNumber group count). */
struct pbk_entry {
	char *name;
	unsigned type;         /* RASET_, 0 if absent */
	char *guid;            /* 32 hex digits, or NULL */
	char *link;            /* TapixLink, or NULL (none) */
	unsigned dial_timeout; /* TapixDialTimeout, seconds; 0: default */
	char *prefix, *suffix; /* TapixDialPrefix, TapixDialSuffix */
	char *media;           /* MEDIA */
	char *port;            /* Port */
	char *device;          /* Device: the TAPI line name */
	char *devtype;         /* DEVICE */
	char *number;          /* PhoneNumber */
	char *area, *country;  /* AreaCode, CountryCode */
	int use_rules;         /* UseDialingRules */
};

struct pbk {
	struct pbk_entry *v;
	size_t n;
	unsigned skipped; /* entries ignored: name too long, duplicate */
};

/*
 * Parses @len bytes of phonebook text into *@out (to be freed with
 * pbk_free even after a failure). @return 0, ERROR_CORRUPT_PHONEBOOK (a
 * section line without ']', NUL bytes), ERROR_NOT_ENOUGH_MEMORY.
 */
DWORD pbk_parse(const char *text, size_t len, struct pbk *out);

/*
 * Reads and parses the file @path. @return as pbk_parse, or
 * ERROR_CANNOT_OPEN_PHONEBOOK (missing, unreadable, too big).
 */
DWORD pbk_load(const char *path, struct pbk *out);

void pbk_free(struct pbk *pb);

/* The entry named @name (exact match), or NULL. */
const struct pbk_entry *pbk_find(const struct pbk *pb, const char *name);

#endif /* TAPIX_RAS_PBK_H */
