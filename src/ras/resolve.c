/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolving a dial (ras.md §3.5, ras-phonebook §A2 - §A3): the phonebook
 * entry, its number with the dialling rules, its GUID and the saved
 * credentials, read with the calling process's own file permissions.
 */
#define LOG_MODULE "ras"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ras/map.h"
#include "ras/pbk.h"
#include "ras/ras.h"

/* A GUID from the entry's Guid key, else derived from path and name. */
static void entry_guid(const char *pbk, const struct pbk_entry *e, GUID *g)
{
	uint8_t b[16];
	uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL;
	const char *s;
	int i;

	if (e->guid && strlen(e->guid) == 32 &&
	    strspn(e->guid, "0123456789abcdefABCDEF") == 32) {
		for (i = 0; i < 16; i++) {
			char x[3] = {e->guid[2 * i], e->guid[2 * i + 1], 0};

			b[i] = (uint8_t)strtoul(x, NULL, 16);
		}
	} else {
		for (s = pbk; *s; s++)
			h1 = (h1 ^ (uint8_t)*s) * 1099511628211ULL;
		for (s = e->name; *s; s++)
			h2 = (h2 ^ (uint8_t)*s) * 1469598103934665603ULL;
		h2 ^= h1;
		memcpy(b, &h1, 8);
		memcpy(b + 8, &h2, 8);
	}
	g->Data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	           (uint32_t)b[2] << 8 | b[3];
	g->Data2 = (uint16_t)(b[4] << 8 | b[5]);
	g->Data3 = (uint16_t)(b[6] << 8 | b[7]);
	memcpy(g->Data4, b + 8, 8);
}

DWORD ras_load_entry(const char *path, const char *name, struct pbk *pb,
                     const struct pbk_entry **out, char *used)
{
	char user[MAX_PATH], sys[MAX_PATH], full[MAX_PATH];
	const char *cands[3];
	size_t n = 0, i;
	DWORD r;

	*out = NULL;
	memset(pb, 0, sizeof(*pb));
	/*
	 * ras.md §10.1, §3.3, §9 — a phonebook is known by its full path
	 * (RASCONN.szPhonebook, the connection an entry's dial joins, the
	 * section of its credentials), however the caller named it: a
	 * relative path is another file in another directory
	 */
	if (path) {
		if (!ras_full_path(path, full, sizeof(full)))
			return ERROR_CANNOT_OPEN_PHONEBOOK;
		r = pbk_load(full, pb);
		if (r)
			return r;
		*out = pbk_find(pb, name);
		ras_copy(used, MAX_PATH, full);
		return *out ? 0 : ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
	}
	if (getenv("TAPIX_PHONEBOOK") && *getenv("TAPIX_PHONEBOOK"))
		cands[n++] = getenv("TAPIX_PHONEBOOK");
	if (ras_user_phonebook(user, sizeof(user)))
		cands[n++] = user;
	ras_system_phonebook(sys, sizeof(sys));
	cands[n++] = sys;
	for (i = 0; i < n; i++) {
		/* §A2 — a default that is missing is empty */
		if (!ras_full_path(cands[i], full, sizeof(full)))
			continue;
		r = pbk_load(full, pb);
		if (r == ERROR_CANNOT_OPEN_PHONEBOOK)
			continue;
		if (r)
			return r;
		*out = pbk_find(pb, name);
		if (*out) {
			ras_copy(used, MAX_PATH, full);
			return 0;
		}
		pbk_free(pb);
	}
	return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
}

void ras_saved_creds(const char *pbk, const char *entry, bool both_empty,
                     char *user, char *password, char *domain)
{
	char u[UNLEN + 1], d[UNLEN + 1], cb[UNLEN + 1], pw[PWLEN + 1];
	bool marker = strcmp(password, RAS_PASSWORD_MARKER) == 0, has_pw;

	if (!marker && !(both_empty && !user[0] && !password[0]))
		return;
	pw[0] = '\0';
	if (entry[0] &&
	    ras_creds_get(pbk, entry, u, d, cb, pw, sizeof(u), &has_pw)) {
		if (!user[0])
			ras_copy(user, UNLEN + 1, u);
		if (!domain[0])
			ras_copy(domain, DNLEN + 1, d);
		ras_copy(password, PWLEN + 1, has_pw ? pw : "");
	} else if (marker) {
		password[0] = '\0';
	}
	explicit_bzero(pw, sizeof(pw));
}

/*
 * ras-phonebook §A3 — the number of entry @e into @out: PhoneNumber as it
 * is, or with UseDialingRules=1 the canonical "+CountryCode (AreaCode)
 * PhoneNumber" translated from the current location (lineTranslateAddress).
 * 0 or the RAS error.
 */
static DWORD entry_number(const struct pbk_entry *e, char *out, size_t size)
{
	union {
		LINETRANSLATEOUTPUT o;
		char bytes[sizeof(LINETRANSLATEOUTPUT) + 1024];
	} t;
	char canon[RAS_MaxPhoneNumber * 2 + 16];
	LONG lr;
	int n;

	if (!e->use_rules || !e->number || !e->country || !*e->country) {
		snprintf(out, size, "%.*s", RAS_MaxPhoneNumber + 1,
		         e->number ? e->number : "");
		return 0;
	}
	n = e->area && *e->area ? snprintf(canon, sizeof(canon), "+%s (%s) %s",
	                                   e->country, e->area, e->number)
	                        : snprintf(canon, sizeof(canon), "+%s %s",
	                                   e->country, e->number);
	if (n < 0 || (size_t)n >= sizeof(canon))
		return ERROR_PHONE_NUMBER_TOO_LONG;
	memset(&t, 0, sizeof(t));
	t.o.dwTotalSize = sizeof(t);
	lr = lineTranslateAddressA(0, 0, RAS_API, canon, 0, 0, &t.o);
	if (lr)
		return ras_map_lineerr(lr);
	if (!t.o.dwDialableStringSize)
		return ERROR_BAD_PHONE_NUMBER; /* longer than any number */
	snprintf(out, size, "%.*s", RAS_MaxPhoneNumber + 1,
	         t.bytes + t.o.dwDialableStringOffset);
	return 0;
}

/*
 * Whether the strings of @rq but the password are text (ras_is_text): the
 * user name, domain and callback number are saved when the dial connects
 * (ras.md §9), the rest is shown and logged, here and in tapixd.
 */
static bool req_is_text(const struct tapix_ras_req *rq)
{
	const char *const s[] = {
		rq->entry, rq->pbk,  rq->number, rq->devtype, rq->device,
		rq->port,  rq->link, rq->user,   rq->domain,  rq->callback};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (!ras_is_text(s[i], SIZE_MAX))
			return false;
	return true;
}

DWORD ras_resolve(const RASDIALEXTENSIONS *x, LPCSTR lpszPhonebook,
                  const RASDIALPARAMSA *p, bool sync, struct tapix_ras_req *rq)
{
	static const DWORD psizes[] = RAS_SIZES_RASDIALPARAMS;
	static const DWORD xsizes[] = RAS_SIZES_RASDIALEXTENSIONS;
	const struct pbk_entry *e = NULL;
	char number[RAS_MaxPhoneNumber * 3 + 1], base[RAS_MaxPhoneNumber + 2];
	struct pbk pb = {0};
	DWORD options = 0, r;

	memset(rq, 0, sizeof(*rq));
	if (!ras_size_ok(psizes, p->dwSize) ||
	    (x && !ras_size_ok(xsizes, x->dwSize)))
		return ERROR_INVALID_SIZE;
	if (x)
		options = x->dwfOptions;
	rq->has_entry = p->szEntryName[0] &&
	                memchr(p->szEntryName, '\0', sizeof(p->szEntryName));
	if (!rq->has_entry &&
	    (!p->szPhoneNumber[0] ||
	     !memchr(p->szPhoneNumber, '\0', sizeof(p->szPhoneNumber))))
		return ERROR_INVALID_PARAMETER;
	if (rq->has_entry) {
		r = ras_load_entry(lpszPhonebook, p->szEntryName, &pb, &e,
		                   rq->pbk);
		if (r) {
			pbk_free(&pb);
			return r;
		}
		/* the number: the caller's, else the entry's (dialling
		 * rules applied); §3.7 prefix */
		r = p->szPhoneNumber[0] ? (snprintf(base, sizeof(base), "%.*s",
		                                    RAS_MaxPhoneNumber + 1,
		                                    p->szPhoneNumber),
		                           0)
		                        : entry_number(e, base, sizeof(base));
		if (r) {
			pbk_free(&pb);
			return r;
		}
		snprintf(number, sizeof(number), "%s%s%s",
		         (options & RDEOPT_UsePrefixSuffix) && e->prefix
		                 ? e->prefix
		                 : "",
		         base,
		         (options & RDEOPT_UsePrefixSuffix) && e->suffix
		                 ? e->suffix
		                 : "");
	} else {
		snprintf(number, sizeof(number), "%.*s", RAS_MaxPhoneNumber + 1,
		         p->szPhoneNumber);
	}
	if (strlen(number) > RAS_MaxPhoneNumber) {
		pbk_free(&pb);
		return ERROR_PHONE_NUMBER_TOO_LONG;
	}
	ras_copy(rq->number, sizeof(rq->number), number);
	rq->type_ok = true;
	rq->dial_timeout = RAS_DIAL_TIMEOUT_S;
	if (!rq->has_entry) {
		snprintf(rq->entry, sizeof(rq->entry), ".%.*s",
		         RAS_MaxPhoneNumber, number);
		ras_copy(rq->devtype, sizeof(rq->devtype), RASDT_Modem);
	} else {
		const char *dt = e->devtype ? e->devtype : RASDT_Generic;
		char sys[MAX_PATH];
		size_t i;

		ras_copy(rq->entry, sizeof(rq->entry), e->name);
		ras_copy(rq->devtype, sizeof(rq->devtype), dt);
		if (strcasecmp(dt, RASDT_Modem) == 0 ||
		    strcasecmp(dt, RASDT_Isdn) == 0 ||
		    strcasecmp(dt, RASDT_Vpn) == 0)
			for (i = 0; rq->devtype[i]; i++)
				rq->devtype[i] = (char)(rq->devtype[i] | 0x20);
		ras_copy(rq->device, sizeof(rq->device), e->device);
		ras_copy(rq->port, sizeof(rq->port), e->port);
		ras_copy(rq->link, sizeof(rq->link), e->link);
		/* ras-phonebook §A3 — MEDIA rastapi; Type 1, or 2/5 with a
		 * link of ours */
		rq->type_ok =
			(!e->media || strcasecmp(e->media, "rastapi") == 0) &&
			(!e->type || e->type == RASET_Phone ||
		         ((e->type == RASET_Vpn ||
		           e->type == RASET_Broadband) &&
		          e->link));
		if (e->dial_timeout)
			rq->dial_timeout = e->dial_timeout;
		entry_guid(rq->pbk, e, &rq->guid);
		ras_system_phonebook(sys, sizeof(sys));
		if (strcmp(rq->pbk, sys) == 0)
			rq->flags |= RASCF_AllUsers;
	}
	pbk_free(&pb);
	/* §3.6 — credentials: given, else saved; the marker: saved */
	ras_copy(rq->user, sizeof(rq->user), p->szUserName);
	ras_copy(rq->password, sizeof(rq->password), p->szPassword);
	ras_copy(rq->domain, sizeof(rq->domain), p->szDomain);
	ras_copy(rq->callback, sizeof(rq->callback), p->szCallbackNumber);
	ras_saved_creds(rq->pbk, rq->has_entry ? rq->entry : "", true, rq->user,
	                rq->password, rq->domain);
	/* §3.7 — a synchronous dial has no paused states: what would pause
	 * fails (there is nobody to resume it while RasDial waits) */
	rq->paused_states = !sync && (options & RDEOPT_PausedStates) != 0;
	rq->cbid = p->dwSize >= 1060 ? p->dwCallbackId : 0;
	if (!req_is_text(rq)) {
		/* e.g. a user name with lines and sections of its own for
		 * the credentials file: refused before there is a
		 * connection (§3.2), in both modes alike */
		explicit_bzero(rq, sizeof(*rq));
		return ERROR_INVALID_PARAMETER;
	}
	return 0;
}
