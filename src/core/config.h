/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The INI configuration (inih): which providers to load, in device-id
 * order, and each provider's own section of keys. See docs/man/tapix.conf.5.
 * Every problem is reported as FILE:LINE: message (log module "config").
 */
#ifndef TAPIX_CORE_CONFIG_H
#define TAPIX_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <tapix/tapix.h>

struct conf_kv {
	char *key;
	char *value;
	int line; /* in the file, from 1 */
};

struct conf_section {
	char *name;
	struct conf_kv *kv;
	size_t nkv;
	int line; /* of its [name] line (of its first key if not seen) */
};

/**
 * Receives one problem of a configuration file: an @error (else a
 * warning) about @file at @line (0: the file as a whole), @msg without
 * the place ("[esp] line: unknown key (known: ...)").
 */
typedef void tapix_config_report_cb(void *arg, bool error, const char *file,
                                    int line, const char *msg);

struct conf {
	char **providers; /* [tapix] providers, in order */
	size_t nproviders;
	char *provider_path; /* [tapix] provider_path, or NULL */
	char *service;       /* [tapix] service (client mode), or NULL */
	struct conf_section *sections; /* in file order, [tapix] too */
	size_t nsections;
	char *file; /* what messages name: the path, "(built-in)"... */
	/* where problems go: NULL is the log (module "config") */
	tapix_config_report_cb *report;
	void *report_arg;
	unsigned errors; /* errors reported so far (warnings not counted) */
};

/*
 * Loads the file named by TAPIX_CONF, else /etc/tapix/tapix.conf if it
 * exists, else the built-in default (the esp provider with 4 lines).
 * An empty TAPIX_CONF selects the default. Returns 0, -ENOENT (file named
 * by TAPIX_CONF missing), -EIO (not readable), -EINVAL (syntax errors,
 * each logged with its line) or -ENOMEM. Nothing is allocated on error.
 */
int conf_load(struct conf *c);

/*
 * As conf_load, reading @path (NULL: the file conf_load would read) and
 * reporting through @report (NULL: the log), but also keeping a file with
 * errors: 0 with @c filled, c->errors counting the errors reported, each
 * line that could be read in @c. -ENOENT or -EIO (reported, line 0) when
 * the file cannot be read, -ENOMEM: then nothing is allocated.
 */
int conf_load_report(struct conf *c, const char *path,
                     tapix_config_report_cb *report, void *arg);

/* Parses INI text into @c (as conf_load); for tests and fuzzing. */
int conf_parse_string(struct conf *c, const char *text);

/* Returns the section called @name, or NULL. */
const struct conf_section *conf_section(const struct conf *c, const char *name);

/*
 * Reports a problem of @c's file at @line (0: none) as "FILE:LINE: msg",
 * through c->report or the log; an @error is counted in c->errors.
 */
void conf_report(struct conf *c, bool error, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Checks the sections the core reads itself ([tapix], [location], [ras]):
 * an unknown key is an error. With @warn_unused, a section nobody reads
 * (not the core's, not tapixd's [tapixd] and [line N], not a provider's
 * of [tapix] providers) is a warning. The providers' sections are theirs
 * to check (TSPIX_providerConfig). Returns the errors found.
 */
unsigned conf_check(struct conf *c, bool warn_unused);

/* Whether section @name is a provider's, [P] or [P.SUB], of @c's list. */
bool conf_is_provider_section(const struct conf *c, const char *name);

/* Frees everything @c holds (safe on a zeroed struct). */
void conf_free(struct conf *c);

/* ---- the providers' keys (provider.c) ------------------------------------ */

struct provider;
struct tspix_config_key;

/*
 * The keys provider @p lists (TSPIX_providerConfigKeys: an array ended by
 * a NULL key), or NULL if it lists none.
 */
const struct tspix_config_key *provider_config_keys(const struct provider *p);

/* ---- the check of a whole configuration (core.c) ------------------------ */

/* Also have the providers check their keys (loading their modules). */
#define TAPIX_CONFIG_PROVIDERS 0x1u

/**
 * Checks a configuration file without starting anything: its syntax, the
 * core's sections, sections nobody reads (warnings) and, with
 * TAPIX_CONFIG_PROVIDERS, every provider's keys (each module is loaded
 * and asked with TSPIX_providerConfig; no session starts). [tapixd] and
 * [line N] are left to tapixd. Every problem goes to @report.
 *
 * @param path   the file; NULL: the one lineInitializeEx would read
 * @param flags  TAPIX_CONFIG_PROVIDERS or 0
 * @return the number of errors (0: valid), -ENOMEM, or -EBUSY when
 *         TAPIX_CONFIG_PROVIDERS is asked while this process has a
 *         session running (its providers' configuration is in use)
 *
 * Exported for tapixd (--check-config, and before it starts or reloads);
 * not part of the installed API. Threads: any.
 */
TAPIX_API int tapix_config_check(const char *path, unsigned flags,
                                 tapix_config_report_cb *report, void *arg);

#endif /* TAPIX_CORE_CONFIG_H */
