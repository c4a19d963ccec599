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

#include <ras.h>
#include <tapi.h>

/* ---- errtext.c ---------------------------------------------------------- */

/* The text for a code RasGetErrorString knows, or NULL. */
const char *ras_error_text(unsigned code);

/* ---- link.c: the link phase after the data call connected (§11.4) ------- */

/*
 * Authenticates @user / @password (@domain may be ""): 0, or the RAS error
 * (ERROR_AUTHENTICATION_FAILURE, ERROR_PASSWD_EXPIRED). Then the link is
 * up. Called on the manager's thread or in RasDial, with the manager's
 * lock held: it must not block for long.
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

/* The system phonebook's path, in @buf of @size bytes. */
void ras_system_phonebook(char *buf, size_t size);

/* The user's phonebook path in @buf (@size bytes); false if too long. */
bool ras_user_phonebook(char *buf, size_t size);

/*
 * Saved credentials of @entry of phonebook @pbk (an absolute path): fills
 * user, domain, callback (each @n bytes) and password (if @password is
 * not NULL). @return true if a record exists; *@has_password.
 */
bool ras_creds_get(const char *pbk, const char *entry, char *user, char *domain,
                   char *callback, char *password, size_t n,
                   bool *has_password);

/*
 * Saves credentials: NULL fields are left as they are; @password NULL
 * keeps the saved one, @remove_password deletes it. @return 0 or a RAS
 * error (ERROR_CANNOT_WRITE_PHONEBOOK, ERROR_NOT_ENOUGH_MEMORY).
 */
DWORD ras_creds_set(const char *pbk, const char *entry, const char *user,
                    const char *domain, const char *callback,
                    const char *password, bool remove_password);

/* The 16-character marker that stands for a saved password (§9). */
#define RAS_PASSWORD_MARKER "****************"

#endif /* TAPIX_RAS_RAS_H */
