/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The RAS functions of ras.h on the connection manager (mgr.c), or
 * through tapixd in service mode (rclient.c): argument checks, structure
 * sizes and the buffer protocol of the enumerations (ras.md §3 - §9).
 */
#define LOG_MODULE "ras"
#include <string.h>
#include <unistd.h>

#include "ras/map.h"
#include "ras/pbk.h"
#include "ras/ras.h"
#include "util/mem.h"

/*
 * §3.6 — resumes paused connection @h (in-process) with the credentials
 * of @p; the saved-password marker stands for the saved password (of the
 * connection's entry), as in a new dial.
 */
static DWORD resume(HRASCONN h, const RASDIALPARAMSA *p,
                    const struct ras_notifier *same)
{
	char user[UNLEN + 1], password[PWLEN + 1], domain[DNLEN + 1];
	char pbk[MAX_PATH], entry[RAS_MaxEntryName + 1];
	uint32_t uid = (uint32_t)getuid();
	DWORD r;

	ras_copy(user, sizeof(user), p->szUserName);
	ras_copy(password, sizeof(password), p->szPassword);
	ras_copy(domain, sizeof(domain), p->szDomain);
	/* (files are read here, with no lock of the manager's held) */
	if (strcmp(password, RAS_PASSWORD_MARKER) == 0) {
		r = ras_mgr_entry(h, uid, pbk, entry);
		if (r)
			return r;
		ras_saved_creds(pbk, entry, false, user, password, domain);
	}
	r = ras_mgr_resume(h, uid, same, user, password, domain, !same->fn);
	explicit_bzero(password, sizeof(password));
	return r;
}

DWORD WINAPI RasDialA(LPRASDIALEXTENSIONS lpRasDialExtensions,
                      LPCSTR lpszPhonebook, LPRASDIALPARAMSA p,
                      DWORD dwNotifierType, LPVOID lpvNotifier,
                      LPHRASCONN lphRasConn)
{
	struct tapix_ras_req rq;
	DWORD r;

	/* §3.5 — the argument checks, in this order */
	if (!p || !lphRasConn || (lpvNotifier && dwNotifierType > 2))
		return ERROR_INVALID_PARAMETER;
	if (ras_in_notifier())
		return ERROR_ASYNC_REQUEST_PENDING; /* §3.4 */
	if (*lphRasConn) {
		static const DWORD psizes[] = RAS_SIZES_RASDIALPARAMS;
		static const DWORD xsizes[] = RAS_SIZES_RASDIALEXTENSIONS;

		/* §3.5 check 2, for a resuming RasDial too */
		if (!ras_size_ok(psizes, p->dwSize) ||
		    (lpRasDialExtensions &&
		     !ras_size_ok(xsizes, lpRasDialExtensions->dwSize)))
			return ERROR_INVALID_SIZE;
		/* §3.6 — the new user name and domain are saved when it
		 * connects (§9): text, as for a new dial */
		if (!ras_is_text(p->szUserName, sizeof(p->szUserName)) ||
		    !ras_is_text(p->szDomain, sizeof(p->szDomain)))
			return ERROR_INVALID_PARAMETER;
	}
	if (ras_client_on())
		return ras_client_dial(lpRasDialExtensions, lpszPhonebook, p,
		                       dwNotifierType, lpvNotifier, lphRasConn);
	if (*lphRasConn) {
		/* §3.7 — the notifier of the first call (type and pointer) */
		struct ras_notifier same = {lpvNotifier ? dwNotifierType : 0,
		                            lpvNotifier};

		return resume(*lphRasConn, p, &same);
	}
	r = ras_resolve(lpRasDialExtensions, lpszPhonebook, p, !lpvNotifier,
	                &rq);
	if (!r)
		r = ras_mgr_dial(&rq, "", (uint32_t)getuid(), dwNotifierType,
		                 lpvNotifier, !lpvNotifier, NULL, NULL,
		                 lphRasConn, NULL);
	explicit_bzero(&rq, sizeof(rq));
	return r;
}

DWORD WINAPI RasHangUpA(HRASCONN hrasconn)
{
	if (ras_client_on())
		return ras_client_hang_up(hrasconn);
	return ras_mgr_hang_up(hrasconn, "", (uint32_t)getuid());
}

DWORD WINAPI RasGetConnectStatusA(HRASCONN hrasconn, LPRASCONNSTATUSA st)
{
	static const DWORD sizes[] = RAS_SIZES_RASCONNSTATUS;
	RASCONNSTATUSA full;
	DWORD r, size;

	if (!st)
		return ERROR_INVALID_PARAMETER;
	if (!ras_size_ok(sizes, st->dwSize))
		return ERROR_INVALID_SIZE;
	size = st->dwSize;
	r = ras_client_on()
	            ? ras_client_status(hrasconn, &full)
	            : ras_mgr_status(hrasconn, (uint32_t)getuid(), &full);
	if (r)
		return r;
	full.dwSize = size;
	memcpy(st, &full, size);
	return 0;
}

DWORD WINAPI RasEnumConnectionsA(LPRASCONNA lprasconn, LPDWORD lpcb,
                                 LPDWORD lpcConnections)
{
	static const DWORD sizes[] = RAS_SIZES_RASCONN;
	RASCONNA *v = NULL;
	DWORD n = 0, max = 0, size, i, r;

	if (!lpcb || !lpcConnections)
		return ERROR_INVALID_PARAMETER;
	if (lprasconn && !ras_size_ok(sizes, lprasconn->dwSize))
		return ERROR_INVALID_SIZE;
	size = lprasconn ? lprasconn->dwSize : sizeof(RASCONNA);
	for (;;) {
		r = ras_client_on()
		            ? ras_client_enum(v, max, &n)
		            : ras_mgr_enum((uint32_t)getuid(), v, max, &n);
		if (r || n <= max)
			break;
		/* (more than room: again with room for all) */
		mem_free(v);
		max = n;
		v = mem_alloc(max * sizeof(*v));
		if (!v)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	if (r) {
		mem_free(v);
		return r;
	}
	if (!n) {
		mem_free(v);
		*lpcb = 0; /* §13 C3 */
		*lpcConnections = 0;
		return 0;
	}
	if (!lprasconn || *lpcb < n * size) {
		/*
		 * §6.3 — the size needed, and the count, except for a buffer
		 * without room for one structure: refused before anything is
		 * counted, as RasEnumDevices on Windows (Wine's test_rasenum).
		 * Nothing else is written on an error.
		 */
		if (!lprasconn || *lpcb >= size)
			*lpcConnections = n;
		mem_free(v);
		*lpcb = n * size;
		return ERROR_BUFFER_TOO_SMALL;
	}
	for (i = 0; i < n; i++) {
		v[i].dwSize = size;
		/* ras.md §10.1 — the dialler is the caller */
		if (v[i].luid.LowPart == (DWORD)getuid())
			v[i].dwFlags |= RASCF_OwnerMatch;
		memcpy((char *)lprasconn + i * size, &v[i], size);
	}
	mem_free(v);
	*lpcb = n * size;
	*lpcConnections = n;
	return 0;
}

/* ---- phonebook entries and saved credentials
 * -------------------------------------- */

DWORD WINAPI RasEnumEntriesA(LPCSTR reserved, LPCSTR lpszPhonebook,
                             LPRASENTRYNAMEA names, LPDWORD lpcb,
                             LPDWORD lpcEntries)
{
	static const DWORD sizes[] = RAS_SIZES_RASENTRYNAME;
	char user[MAX_PATH], sys[MAX_PATH], given[MAX_PATH];
	const char *files[2];
	DWORD flags[2], size, n = 0, nf = 0, f, r, w = 0;
	struct pbk pb[2];
	size_t i;

	if (reserved || !lpcb || !lpcEntries)
		return ERROR_INVALID_PARAMETER;
	if (names && !ras_size_ok(sizes, names->dwSize))
		return ERROR_INVALID_SIZE;
	size = names ? names->dwSize : sizeof(RASENTRYNAMEA);
	if (lpszPhonebook) {
		/* §10.4 — szPhonebookPath: the full path (ras_load_entry) */
		if (!ras_full_path(lpszPhonebook, given, sizeof(given)))
			return ERROR_CANNOT_OPEN_PHONEBOOK;
		files[nf] = given;
		flags[nf++] = REN_User;
	} else {
		/* ras.md §7 — the system's first, then the user's */
		ras_system_phonebook(sys, sizeof(sys));
		files[nf] = sys;
		flags[nf++] = REN_AllUsers;
		if (ras_user_phonebook(user, sizeof(user))) {
			files[nf] = user;
			flags[nf++] = REN_User;
		}
	}
	memset(pb, 0, sizeof(pb));
	for (f = 0; f < nf; f++) {
		r = pbk_load(files[f], &pb[f]);
		if (r == ERROR_CANNOT_OPEN_PHONEBOOK && !lpszPhonebook)
			r = 0; /* a default that is missing is empty */
		if (r) {
			pbk_free(&pb[0]);
			pbk_free(&pb[1]);
			return r;
		}
		n += (DWORD)pb[f].n;
	}
	/* §7 — §6's protocol: the count as RasEnumConnections writes it */
	if (!n || !names || *lpcb < n * size) {
		if (!n || !names || *lpcb >= size)
			*lpcEntries = n;
		*lpcb = n * size;
		pbk_free(&pb[0]);
		pbk_free(&pb[1]);
		return n ? ERROR_BUFFER_TOO_SMALL : 0;
	}
	for (f = 0; f < nf; f++) {
		for (i = 0; i < pb[f].n; i++) {
			RASENTRYNAMEA full;

			memset(&full, 0, sizeof(full));
			full.dwSize = size;
			ras_copy(full.szEntryName, sizeof(full.szEntryName),
			         pb[f].v[i].name);
			full.dwFlags = flags[f];
			ras_copy(full.szPhonebookPath,
			         sizeof(full.szPhonebookPath), files[f]);
			memcpy((char *)names + w++ * size, &full, size);
		}
	}
	pbk_free(&pb[0]);
	pbk_free(&pb[1]);
	*lpcb = n * size;
	*lpcEntries = n;
	return 0;
}

/* Checks RasGet/SetEntryDialParams' arguments and finds the phonebook. */
static DWORD dial_params_entry(LPCSTR pbk, LPRASDIALPARAMSA p, char *used)
{
	static const DWORD psizes[] = RAS_SIZES_RASDIALPARAMS;
	const struct pbk_entry *e;
	struct pbk pb;
	DWORD r;

	if (!p)
		return ERROR_BUFFER_INVALID;
	if (!ras_size_ok(psizes, p->dwSize))
		return ERROR_INVALID_SIZE;
	if (!memchr(p->szEntryName, '\0', sizeof(p->szEntryName)) ||
	    !p->szEntryName[0])
		return ERROR_CANNOT_FIND_PHONEBOOK_ENTRY;
	r = ras_load_entry(pbk, p->szEntryName, &pb, &e, used);
	pbk_free(&pb);
	return r;
}

DWORD WINAPI RasGetEntryDialParamsA(LPCSTR lpszPhonebook, LPRASDIALPARAMSA p,
                                    LPBOOL lpfPassword)
{
	char used[MAX_PATH], user[UNLEN + 1], dom[UNLEN + 1], cb[UNLEN + 1];
	bool has_pw = false;
	DWORD r;

	if (!lpfPassword)
		return ERROR_BUFFER_INVALID;
	r = dial_params_entry(lpszPhonebook, p, used);
	if (r)
		return r;
	user[0] = dom[0] = cb[0] = '\0';
	ras_creds_get(used, p->szEntryName, user, dom, cb, NULL, sizeof(user),
	              &has_pw);
	/* §9 — szPhoneNumber is not filled; the password is a marker */
	ras_copy(p->szUserName, sizeof(p->szUserName), user);
	ras_copy(p->szDomain, sizeof(p->szDomain), dom);
	ras_copy(p->szCallbackNumber, sizeof(p->szCallbackNumber), cb);
	ras_copy(p->szPassword, sizeof(p->szPassword),
	         has_pw ? RAS_PASSWORD_MARKER : "");
	*lpfPassword = has_pw;
	return 0;
}

DWORD WINAPI RasSetEntryDialParamsA(LPCSTR lpszPhonebook, LPRASDIALPARAMSA p,
                                    BOOL fRemovePassword)
{
	char used[MAX_PATH];
	const char *pw;
	DWORD r;

	r = dial_params_entry(lpszPhonebook, p, used);
	if (r)
		return r;
	if (!memchr(p->szUserName, '\0', sizeof(p->szUserName)) ||
	    !memchr(p->szPassword, '\0', sizeof(p->szPassword)) ||
	    !memchr(p->szDomain, '\0', sizeof(p->szDomain)) ||
	    !memchr(p->szCallbackNumber, '\0', sizeof(p->szCallbackNumber)))
		return ERROR_BUFFER_INVALID;
	/* §9 — empty: unchanged; the password only with a user name; the
	 * marker keeps the saved one */
	pw = !p->szUserName[0] ||
	                     strcmp(p->szPassword, RAS_PASSWORD_MARKER) == 0
	             ? NULL
	             : p->szPassword;
	return ras_creds_set(
		used, p->szEntryName, p->szUserName[0] ? p->szUserName : NULL,
		p->szDomain[0] ? p->szDomain : NULL,
		p->szCallbackNumber[0] ? p->szCallbackNumber : NULL, pw,
		fRemovePassword != 0);
}

/* ---- for the service (tapix/service.h)
 * --------------------------------------------- */

DWORD tapix_ras_dial(const struct tapix_ras_req *rq, const char *owner,
                     uint32_t uid, tapix_ras_allow_fn *allow, void *ctx,
                     HRASCONN *out, unsigned *first)
{
	/* an owner "" would be this process, which saves the credentials
	 * of its dials (§9): a service saves none of its clients' */
	if (!rq || !owner || !*owner || !out)
		return ERROR_INVALID_PARAMETER;
	return ras_mgr_dial(rq, owner, uid, 0, NULL, false, allow, ctx, out,
	                    first);
}

DWORD tapix_ras_resume(HRASCONN h, uint32_t uid, const char *user,
                       const char *password, const char *domain)
{
	if (!user || !password || !domain)
		return ERROR_INVALID_PARAMETER;
	/* (the notifier is the client's: it checks it, rclient.c) */
	return ras_mgr_resume(h, uid, NULL, user, password, domain, false);
}

DWORD tapix_ras_hang_up(HRASCONN h, const char *owner, uint32_t uid)
{
	return owner ? ras_mgr_hang_up(h, owner, uid) : ERROR_INVALID_PARAMETER;
}

DWORD tapix_ras_status(HRASCONN h, uint32_t uid, RASCONNSTATUSA *full)
{
	return full ? ras_mgr_status(h, uid, full) : ERROR_INVALID_PARAMETER;
}

DWORD tapix_ras_enum(uint32_t uid, RASCONNA *out, DWORD max, DWORD *n)
{
	if (!n || (max && !out))
		return ERROR_INVALID_PARAMETER;
	return ras_mgr_enum(uid, out, max, n);
}

DWORD tapix_ras_events(HRASCONN h, uint32_t uid, unsigned from,
                       struct tapix_ras_event *out, unsigned max, unsigned *n,
                       bool *final, unsigned *next)
{
	if (!n || !final || !next || (max && !out))
		return ERROR_INVALID_PARAMETER;
	return ras_mgr_events(h, uid, from, out, max, n, final, next);
}

unsigned tapix_ras_changes(uint32_t uid)
{
	return ras_mgr_changes(uid);
}

int tapix_ras_change_fd(void)
{
	return ras_mgr_change_fd();
}
