/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The INI configuration (inih): which providers to load, in device-id
 * order, and each provider's own section of keys. See docs/man/tapix.conf.5.
 */
#ifndef TAPIX_CORE_CONFIG_H
#define TAPIX_CORE_CONFIG_H

#include <stddef.h>

struct conf_kv {
	char *key;
	char *value;
};

struct conf_section {
	char *name;
	struct conf_kv *kv;
	size_t nkv;
};

struct conf {
	char **providers; /* [tapix] providers, in order */
	size_t nproviders;
	char *provider_path; /* [tapix] provider_path, or NULL */
	char *service;       /* [tapix] service (client mode), or NULL */
	struct conf_section *sections;
	size_t nsections;
};

/*
 * Loads the file named by TAPIX_CONF, else /etc/tapix/tapix.conf if it
 * exists, else the built-in default (the esp provider with 4 lines).
 * An empty TAPIX_CONF selects the default. Returns 0, -ENOENT (file named
 * by TAPIX_CONF missing), -EINVAL (syntax error, logged with its line) or
 * -ENOMEM. Nothing is allocated on error.
 */
int conf_load(struct conf *c);

/* Parses INI text into @c (as conf_load); for tests and fuzzing. */
int conf_parse_string(struct conf *c, const char *text);

/* Returns the section called @name, or NULL. */
const struct conf_section *conf_section(const struct conf *c, const char *name);

/* Frees everything @c holds (safe on a zeroed struct). */
void conf_free(struct conf *c);

#endif /* TAPIX_CORE_CONFIG_H */
