/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dialling rules (dialrules.h): the location of [location] in tapix.conf,
 * and canonical addresses ("+1 (425) 555-0100") translated from it.
 */
#define LOG_MODULE "api"
#include "api/dialrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define KNOWN_OPTIONS                            \
	(LINETRANSLATEOPTION_CARDOVERRIDE |      \
	 LINETRANSLATEOPTION_CANCELCALLWAITING | \
	 LINETRANSLATEOPTION_FORCELOCAL | LINETRANSLATEOPTION_FORCELD)

static bool is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A character a dialable string may hold (TAPI's dialable format). */
static bool dialable(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'D') ||
	       (c >= 'a' && c <= 'd') || strchr("*#!PpTtWw@$?,", c);
}

/* A formatting character of a canonical address, not dialled. */
static bool formatting(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Copies prefix @v into @dst; false if it is not a dialable string. */
static bool take_prefix(char *dst, const char *v)
{
	size_t i, n = strlen(v);

	if (n > DR_PREFIX_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!dialable(v[i]))
			return false;
	memcpy(dst, v, n + 1);
	return true;
}

LONG dr_location(const struct conf *c, struct dr_location *loc)
{
	const struct conf_section *sec;
	LONG r = 0;
	size_t i;

	memset(loc, 0, sizeof(*loc));
	loc->country = 1; /* Windows' first location: no area code */
	memcpy(loc->ld, "1", 2);
	memcpy(loc->intl, "011", 4);
	sec = conf_section(c, "location");
	for (i = 0; sec && i < sec->nkv && !r; i++) {
		const char *k = sec->kv[i].key, *v = sec->kv[i].value;
		bool ok = true;

		if (strcmp(k, "country") == 0) {
			ok = *v && strlen(v) <= 4 && is_digits(v, strlen(v)) &&
			     strtoul(v, NULL, 10) > 0;
			if (ok)
				loc->country = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(k, "area") == 0) {
			ok = strlen(v) <= DR_PREFIX_MAX &&
			     is_digits(v, strlen(v)) &&
			     take_prefix(loc->area, v);
		} else if (strcmp(k, "outside_local") == 0) {
			ok = take_prefix(loc->local, v);
		} else if (strcmp(k, "outside_long_distance") == 0) {
			ok = take_prefix(loc->outside_ld, v);
		} else if (strcmp(k, "long_distance") == 0) {
			ok = take_prefix(loc->ld, v);
		} else if (strcmp(k, "international") == 0) {
			ok = take_prefix(loc->intl, v);
		} else if (strcmp(k, "call_waiting") == 0) {
			ok = take_prefix(loc->call_waiting, v);
		} else {
			log_warn("config: [location] %s: unknown key, ignored",
			         k);
		}
		if (!ok) {
			log_err("config: [location] %s = %s: not valid", k, v);
			r = LINEERR_INIFILECORRUPT;
		}
	}
	return r;
}

/* The parts of a canonical address. */
struct canon {
	unsigned country;
	char area[DR_PREFIX_MAX + 1];
	char number[DR_ADDR_MAX + 1]; /* dialable, formatting removed */
	const char *rest;             /* "|subaddress^name", or "" */
};

/* Parses "+CC [(AREA)] NUMBER[|SUB][^NAME]"; LINEERR_INVALADDRESS. */
static LONG canon_parse(const char *a, struct canon *c)
{
	const char *p = a + 1, *q;
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	q = p;
	while (*q >= '0' && *q <= '9')
		q++;
	if (q == p || q - p > 4)
		return LINEERR_INVALADDRESS;
	c->country = (unsigned)strtoul(p, NULL, 10); /* 4 digits at most */
	if (!c->country)
		return LINEERR_INVALADDRESS;
	p = q;
	while (*p == ' ')
		p++;
	if (*p == '(') {
		q = strchr(p, ')');
		if (!q || (size_t)(q - p - 1) > DR_PREFIX_MAX ||
		    !is_digits(p + 1, (size_t)(q - p - 1)))
			return LINEERR_INVALADDRESS;
		memcpy(c->area, p + 1, (size_t)(q - p - 1));
		p = q + 1;
	}
	for (; *p && *p != '|' && *p != '^'; p++) {
		if (formatting(*p))
			continue;
		if (!dialable(*p))
			return LINEERR_INVALADDRESS;
		c->number[n++] = *p;
	}
	if (!n)
		return LINEERR_INVALADDRESS;
	c->rest = p;
	return 0;
}

/* The LINETRANSLATERESULT_DIAL... bits of the dial modifiers in @s. */
static DWORD modifiers(const char *s)
{
	DWORD r = 0;

	for (; *s && *s != '|' && *s != '^'; s++) {
		if (*s == '$')
			r |= LINETRANSLATERESULT_DIALBILLING;
		else if (*s == '@')
			r |= LINETRANSLATERESULT_DIALQUIET;
		else if (*s == 'W' || *s == 'w')
			r |= LINETRANSLATERESULT_DIALDIALTONE;
		else if (*s == '?')
			r |= LINETRANSLATERESULT_DIALPROMPT;
	}
	return r;
}

/* Writes the strings into @out as a variable-size structure. */
static void fill(LPLINETRANSLATEOUTPUT out, const char *dial, const char *disp)
{
	DWORD fixed = sizeof(*out);
	DWORD dl = (DWORD)strlen(dial) + 1, pl = (DWORD)strlen(disp) + 1;

	out->dwNeededSize = fixed + dl + pl;
	out->dwDialableStringSize = out->dwDialableStringOffset = 0;
	out->dwDisplayableStringSize = out->dwDisplayableStringOffset = 0;
	out->dwUsedSize = fixed;
	if (out->dwTotalSize < out->dwNeededSize)
		return; /* the sizes tell the app how much to give */
	memcpy((char *)out + fixed, dial, dl);
	memcpy((char *)out + fixed + dl, disp, pl);
	out->dwDialableStringSize = dl;
	out->dwDialableStringOffset = fixed;
	out->dwDisplayableStringSize = pl;
	out->dwDisplayableStringOffset = fixed + dl;
	out->dwUsedSize = out->dwNeededSize;
}

LONG dr_translate(const struct dr_location *loc, const char *addr,
                  DWORD options, LPLINETRANSLATEOUTPUT out)
{
	char disp[DR_ADDR_MAX + DR_PREFIX_MAX * 4 + 8];
	char dial[sizeof(disp) + DR_PREFIX_MAX + DR_ADDR_MAX + 1];
	char in[DR_ADDR_MAX + 1];
	struct canon c;
	size_t n;
	DWORD kind;
	LONG r;

	if ((options & ~(DWORD)KNOWN_OPTIONS) ||
	    ((options & LINETRANSLATEOPTION_FORCELOCAL) &&
	     (options & LINETRANSLATEOPTION_FORCELD)))
		return LINEERR_INVALPARAM;
	if (options & LINETRANSLATEOPTION_CARDOVERRIDE)
		return LINEERR_INVALCARD; /* no calling cards */
	n = strnlen(addr, DR_ADDR_MAX + 1);
	if (n > DR_ADDR_MAX)
		return LINEERR_INVALADDRESS;
	memcpy(in, addr, n + 1);
	while (n && (in[n - 1] == '\n' || in[n - 1] == '\r'))
		in[--n] = '\0'; /* the canonical form may end in CRLF */
	if (!n)
		return LINEERR_INVALADDRESS;
	if (in[0] != '+') {
		/* not canonical: dialled as it is */
		out->dwCurrentCountry = loc->country;
		out->dwDestCountry = 0;
		out->dwTranslateResults = modifiers(in);
		fill(out, in, in);
		return 0;
	}
	r = canon_parse(in, &c);
	if (r)
		return r; /* STYLE.md §5 — nothing of @out written */
	if (c.country != loc->country)
		kind = LINETRANSLATERESULT_INTERNATIONAL;
	else if (!c.area[0] || strcmp(c.area, loc->area) == 0)
		kind = LINETRANSLATERESULT_LOCAL;
	else
		kind = LINETRANSLATERESULT_LONGDISTANCE;
	if (kind == LINETRANSLATERESULT_LOCAL &&
	    (options & LINETRANSLATEOPTION_FORCELD))
		kind = LINETRANSLATERESULT_LONGDISTANCE;
	else if (kind == LINETRANSLATERESULT_LONGDISTANCE &&
	         (options & LINETRANSLATEOPTION_FORCELOCAL))
		kind = LINETRANSLATERESULT_LOCAL;
	if (kind == LINETRANSLATERESULT_LOCAL)
		snprintf(disp, sizeof(disp), "%s%s", loc->local, c.number);
	else if (kind == LINETRANSLATERESULT_LONGDISTANCE)
		snprintf(disp, sizeof(disp), "%s%s%s%s", loc->outside_ld,
		         loc->ld, c.area, c.number);
	else
		snprintf(disp, sizeof(disp), "%s%s%u%s%s", loc->outside_ld,
		         loc->intl, c.country, c.area, c.number);
	snprintf(dial, sizeof(dial), "%s%s%s",
	         (options & LINETRANSLATEOPTION_CANCELCALLWAITING)
	                 ? loc->call_waiting
	                 : "",
	         disp, c.rest);
	out->dwCurrentCountry = loc->country;
	out->dwDestCountry = c.country;
	out->dwTranslateResults =
		LINETRANSLATERESULT_CANONICAL | kind | modifiers(dial);
	fill(out, dial, disp);
	return 0;
}
