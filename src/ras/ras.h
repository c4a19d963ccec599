/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the RAS client (include/ras.h): the connection manager, an
 * application of the line API like any other (ras.md §11), its link
 * layers, phonebook locations and saved credentials.
 */
#ifndef TAPIX_RAS_RAS_H
#define TAPIX_RAS_RAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ras.h>
#include <tapi.h>
#include <tapix/service.h>

#define RAS_API            0x00020002u /* the line API version RAS uses */
#define RAS_DIAL_TIMEOUT_S 60u         /* §11.1 step 6, TapixDialTimeout */

/* Copies @src (NULL: "") into @dst of @n bytes, cut to fit. */
static inline void ras_copy(char *dst, size_t n, const char *src)
{
	size_t l = src ? strnlen(src, n - 1) : 0;

	memcpy(dst, src ? src : "", l);
	dst[l] = '\0';
}

/*
 * Whether @s (up to its NUL, at most @n bytes) is text that may go on a
 * line of a file or a log: no byte below 0x20 and no 0x7F (UTF-8 is
 * text). ras.md §9.
 */
static inline bool ras_is_text(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return false;
	return true;
}

/* ---- errtext.c ---------------------------------------------------------- */

/* The text for a code RasGetErrorString knows, or NULL. */
const char *ras_error_text(unsigned code);

/* ---- link.c: the link phase after the data call connected (§11.4) ------- */

/*
 * Authenticates @user / @password (@domain may be ""): 0, or the RAS error
 * (ERROR_AUTHENTICATION_FAILURE, ERROR_PASSWD_EXPIRED). Then the link is
 * up. Called as a deferred action of the manager's (mgr.c), with no lock
 * held: it may read files; the connection waits for it (a hang-up's
 * teardown too), so it should not block for long.
 */
typedef DWORD ras_auth_fn(const char *user, const char *password,
                          const char *domain);

struct ras_link {
	const char *name; /* the phonebook's TapixLink value */
	ras_auth_fn *authenticate;
};

/* The link layer named @name (NULL or "": none), or NULL if unknown. */
const struct ras_link *ras_link_find(const char *name);

/* ---- paths.c: phonebooks and credentials (ras-phonebook §A2, ras §9) ---- */

/*
 * The full path of file @path (relative to the working directory,
 * symbolic links resolved) in @out of @size bytes: the name RAS knows a
 * phonebook by (ras.md §10.1: RASCONN.szPhonebook; §3.3 a connection's
 * phonebook; §9 its credentials). false (logged) if @path names no file
 * or its full path does not fit.
 */
bool ras_full_path(const char *path, char *out, size_t size);

/* The system phonebook's path, in @buf of @size bytes (its full path if
 * the file exists). */
void ras_system_phonebook(char *buf, size_t size);

/* The user's phonebook path in @buf (@size bytes; its full path if the
 * file exists); false if too long. */
bool ras_user_phonebook(char *buf, size_t size);

/*
 * Saved credentials of @entry of phonebook @pbk (an absolute path): fills
 * user, domain, callback (each @n bytes) and password (if @password is
 * not NULL). @return true if a record exists; *@has_password. A name
 * ras_creds_set refuses has none.
 */
bool ras_creds_get(const char *pbk, const char *entry, char *user, char *domain,
                   char *callback, char *password, size_t n,
                   bool *has_password);

/*
 * Saves credentials, in a file of the calling process's user (its own
 * permissions: never for another user, ras.md §9): NULL fields are left
 * as they are; @password NULL keeps the saved one, @remove_password
 * deletes it. @return 0 or a RAS error: ERROR_INVALID_PARAMETER, nothing
 * written, for a field written that is not ras_is_text, or a phonebook
 * path or entry name that would not make a section name of its own (not
 * text, or with '[', ']' or '='; the entry also with '|', which ends the
 * path); ERROR_CANNOT_WRITE_PHONEBOOK, ERROR_NOT_ENOUGH_MEMORY.
 */
DWORD ras_creds_set(const char *pbk, const char *entry, const char *user,
                    const char *domain, const char *callback,
                    const char *password, bool remove_password);

/* ---- resolve.c: from a RasDial's arguments to a dial ------------------- */

struct pbk;
struct pbk_entry;

/*
 * §3.5 checks 2, 4, 5, 7 and the phonebook, numbers and saved credentials,
 * with the caller's own file permissions; paused states (§3.7) only for
 * a dial that is not @sync. 0 or the RAS error; a string of the result
 * (the password aside) that is not ras_is_text: ERROR_INVALID_PARAMETER
 * (a user name, domain or callback number is saved when the dial
 * connects, §9).
 */
DWORD ras_resolve(const RASDIALEXTENSIONS *x, LPCSTR phonebook,
                  const RASDIALPARAMSA *p, bool sync,
                  struct tapix_ras_req *out);

/*
 * Finds entry @name: in @path, or (NULL) in TAPIX_PHONEBOOK, then the
 * user's, then the system's phonebook. Fills *@pb (freed by the caller,
 * also on error) and @used (MAX_PATH bytes): the phonebook's full path
 * (ras_full_path; @path that has none: ERROR_CANNOT_OPEN_PHONEBOOK). 0 or
 * a RAS error.
 */
DWORD ras_load_entry(const char *path, const char *name, struct pbk *pb,
                     const struct pbk_entry **out, char *used);

/*
 * §3.6 — the credentials saved for @entry of phonebook @pbk where the
 * dial's stand for them: the password is the saved-password marker, or
 * (@both_empty) user name and password are empty. Then the saved
 * password (none: "") replaces @password (PWLEN + 1 bytes), and an empty
 * @user (UNLEN + 1) or @domain (DNLEN + 1) is the saved one. @entry ""
 * (no entry): nothing is saved, the marker is "".
 */
void ras_saved_creds(const char *pbk, const char *entry, bool both_empty,
                     char *user, char *password, char *domain);

/* ---- mgr.c: the connection manager --------------------------------------- */

#define RAS_MAX_OWNERS 16 /* processes holding references on a connection */
#define RAS_MAX_EVENTS 64 /* notifications kept per connection */

/*
 * Connections a user other than root may hold at once, and all users
 * (root too): a connection is kept, failed or not, until it is hung up,
 * so a dial past these fails with ERROR_PORT_NOT_AVAILABLE, as one for
 * which no port is free (an extension of ras.md §3: Windows is bounded
 * by its ports).
 */
#define RAS_MAX_CONNS_PER_USER 64
#define RAS_MAX_CONNS          1024

/*
 * Dials @rq for @owner ("" in-process, or a service client's bus name) of
 * user @uid, on a line @allow admits (NULL: any); notifier @fn of type
 * @ntype (NULL: none); @sync waits for the outcome. *@out as RasDial;
 * *@first (if not NULL) the index of this dialler's first notification in
 * the connection's history (ras_mgr_events): 0 for a new connection, more
 * for a reference on @uid's connection of the entry that is up (§3.3;
 * another user's is never joined). An in-process dial that connects saves
 * its credentials (§9); a service's client saves its own.
 */
DWORD ras_mgr_dial(const struct tapix_ras_req *rq, const char *owner,
                   uint32_t uid, DWORD ntype, void *fn, bool sync,
                   tapix_ras_allow_fn *allow, void *ctx, HRASCONN *out,
                   unsigned *first);
/* A RasDial's notifier: @fn of type @ntype; NULL: none (synchronous). */
struct ras_notifier {
	DWORD ntype;
	void *fn;
};

/*
 * §3.6 — resumes the paused connection @h with new credentials; §3.7 —
 * given with the notifier of the first RasDial (@same; NULL: not checked,
 * the dialler is a service's client), else ERROR_INVALID_PARAMETER.
 */
DWORD ras_mgr_resume(HRASCONN h, uint32_t uid, const struct ras_notifier *same,
                     const char *user, const char *password, const char *domain,
                     bool sync);
/* The phonebook (MAX_PATH bytes) and entry (RAS_MaxEntryName + 1) of @h,
 * "" without one: 0 or ERROR_INVALID_HANDLE. */
DWORD ras_mgr_entry(HRASCONN h, uint32_t uid, char *pbk, char *entry);
/* RasHangUp for @owner (a caller with no reference releases them all). */
DWORD ras_mgr_hang_up(HRASCONN h, const char *owner, uint32_t uid);
/* The full status of a connection of @uid's (root: any). */
DWORD ras_mgr_status(HRASCONN h, uint32_t uid, RASCONNSTATUSA *full);
/* The connections that are up, full-size, of @uid's (root: all): the
 * first @max in @out, their number in *@n. */
DWORD ras_mgr_enum(uint32_t uid, RASCONNA *out, DWORD max, DWORD *n);
/* Notifications number @from on (at most @max; the latest RAS_MAX_EVENTS
 * are kept, a reader behind skips to them); *@next: the number after the
 * last one given; *@final: none will follow. */
DWORD ras_mgr_events(HRASCONN h, uint32_t uid, unsigned from,
                     struct tapix_ras_event *out, unsigned max, unsigned *n,
                     bool *final, unsigned *next);
/* tapix_ras_changes and tapix_ras_change_fd (tapix/service.h). */
unsigned ras_mgr_changes(uint32_t uid);
int ras_mgr_change_fd(void);
/*
 * In-process readers of this process's connections (embedded mode): a
 * token of the changes now (read it before looking), a wait until it is
 * no longer @token or @ms passed, and a kick that moves it on (a reader
 * has more to look at).
 */
unsigned ras_mgr_change_token(void);
void ras_mgr_change_wait(unsigned token, unsigned ms);
void ras_mgr_change_kick(void);
/* This thread runs notifiers (a client's, rclient.c): RasDial from it is
 * refused. */
void ras_set_notifier_thread(void);
/* Whether this thread runs notifiers: a client's, or the manager's
 * dispatcher (the runtime's delivery thread). */
bool ras_in_notifier(void);

/* ---- devices.c ----------------------------------------------------------- */

/* A variable string of LINEDEVCAPS @dc (@off, @size) into @out (@n bytes),
 * "" if absent or out of the used part. */
void ras_caps_string(const LINEDEVCAPS *dc, DWORD off, DWORD size, char *out,
                     size_t n);

/* ---- rclient.c: the same functions through tapixd (service mode) -------- */

/* Whether RAS goes to tapixd (TAPIX_SERVICE, or the configuration). */
bool ras_client_on(void);
DWORD ras_client_dial(const RASDIALEXTENSIONS *x, LPCSTR phonebook,
                      const RASDIALPARAMSA *p, DWORD ntype, void *fn,
                      HRASCONN *h);
DWORD ras_client_hang_up(HRASCONN h);
DWORD ras_client_status(HRASCONN h, RASCONNSTATUSA *full);
DWORD ras_client_enum(RASCONNA *out, DWORD max, DWORD *n);
/*
 * A reader of the user's connections through tapixd that is not a dial's
 * (RasConnectionNotification): begin keeps the process's waker running
 * until end; token is where things are now (read it before looking);
 * wait returns once it is no longer @token, or after @ms (each
 * RAS_CLIENT_POLL_MS when tapixd refuses Wait: the reader polls then).
 */
#define RAS_CLIENT_POLL_MS 100u
void ras_client_change_begin(void);
unsigned ras_client_change_token(void);
void ras_client_change_wait(unsigned token, unsigned ms);
void ras_client_change_end(void);
/* Moves the token on (a reader has more to look at). */
void ras_client_change_kick(void);

/* The 16-character marker that stands for a saved password (§9). */
#define RAS_PASSWORD_MARKER "****************"

#endif /* TAPIX_RAS_RAS_H */
