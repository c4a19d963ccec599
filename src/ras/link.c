/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Link layers (ras.md §11.4): what happens on a data call once it is
 * connected. "none": nothing to negotiate. "emulated": the far end checks
 * the credentials against [ras] emulated_users (user:password pairs) of
 * the tapix configuration, and reports users of emulated_expired as
 * having an expired password, so tests cover the authentication paths
 * without PPP. A pppd link comes with the modem provider.
 */
#define LOG_MODULE "ras"
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "ras/ras.h"
#include "util/log.h"

static DWORD none_authenticate(const char *user, const char *password,
                               const char *domain)
{
	(void)user;
	(void)password;
	(void)domain;
	return 0;
}

/* Whether the whitespace-separated @list holds the word @w. */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while (p && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, w, n) == 0 &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return true;
		p = strpbrk(p, " \t");
	}
	return false;
}

static DWORD emulated_authenticate(const char *user, const char *password,
                                   const char *domain)
{
	const struct conf_section *s;
	struct conf c;
	char pair[UNLEN + PWLEN + 2];
	DWORD r = ERROR_AUTHENTICATION_FAILURE;
	size_t i;

	(void)domain;
	memset(&c, 0, sizeof(c));
	if (conf_load(&c) != 0) {
		conf_free(&c);
		return ERROR_AUTH_INTERNAL;
	}
	s = conf_section(&c, "ras");
	snprintf(pair, sizeof(pair), "%s:%s", user, password);
	for (i = 0; s && i < s->nkv; i++) {
		if (strcmp(s->kv[i].key, "emulated_expired") == 0 && *user &&
		    has_word(s->kv[i].value, user)) {
			r = ERROR_PASSWD_EXPIRED;
			break;
		}
		if (strcmp(s->kv[i].key, "emulated_users") == 0 && *user &&
		    has_word(s->kv[i].value, pair))
			r = 0;
	}
	conf_free(&c);
	/* (never log the password) */
	log_info("emulated link: user %s %s", user,
	         r == 0 ? "accepted" : "refused");
	return r;
}

static const struct ras_link links[] = {
	{"none", none_authenticate},
	{"emulated", emulated_authenticate},
};

const struct ras_link *ras_link_find(const char *name)
{
	size_t i;

	if (!name || !*name)
		return &links[0];
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (strcasecmp(name, links[i].name) == 0)
			return &links[i];
	return NULL;
}
