/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* INI configuration parsing with inih (see config.h). */
#define LOG_MODULE "core"
#include "core/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/log.h"
#include "util/mem.h"

#define DEFAULT_CONF_PATH "/etc/tapix/tapix.conf"
#define CONF_MAX_FILE     (1u << 20) /* a configuration larger: refused */
#define MAX_PROVIDERS     32
#define MAX_SECTIONS      256
#define MAX_KEYS          256

static const char default_text[] = "[tapix]\n"
				   "providers = esp\n"
				   "[esp]\n"
				   "lines = 4\n";

struct parse_state {
	struct conf *c;
	int err;
};

static struct conf_section *section_get(struct conf *c, const char *name,
                                        int *err)
{
	struct conf_section *s;
	size_t i;

	for (i = 0; i < c->nsections; i++)
		if (strcmp(c->sections[i].name, name) == 0)
			return &c->sections[i];
	if (c->nsections == MAX_SECTIONS) {
		*err = -EINVAL;
		return NULL;
	}
	s = mem_realloc(c->sections, (c->nsections + 1) * sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	c->sections = s;
	s = &c->sections[c->nsections];
	memset(s, 0, sizeof(*s));
	s->name = mem_strdup(name);
	if (!s->name) {
		*err = -ENOMEM;
		return NULL;
	}
	c->nsections++;
	return s;
}

static int set_providers(struct conf *c, const char *value)
{
	const char *p = value;
	size_t i;

	for (i = 0; i < c->nproviders; i++)
		mem_free(c->providers[i]);
	c->nproviders = 0;
	while (*p) {
		size_t len;
		char **np;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, " \t,");
		if (len == 0)
			break;
		if (c->nproviders == MAX_PROVIDERS)
			return -EINVAL;
		np = mem_realloc(c->providers,
		                 (c->nproviders + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		c->providers = np;
		np[c->nproviders] = mem_alloc(len + 1);
		if (!np[c->nproviders])
			return -ENOMEM;
		memcpy(np[c->nproviders], p, len);
		np[c->nproviders][len] = '\0';
		c->nproviders++;
		p += len;
	}
	return 0;
}

static int on_value(void *user, const char *section, const char *name,
                    const char *value)
{
	struct parse_state *st = user;
	struct conf *c = st->c;
	struct conf_section *s;
	struct conf_kv *kv;
	int err = 0;

	if (st->err)
		return 0;
	if (!name) /* section header only (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (strcmp(section, "tapix") == 0) {
		if (strcmp(name, "providers") == 0) {
			err = set_providers(c, value);
		} else if (strcmp(name, "provider_path") == 0 ||
		           strcmp(name, "service") == 0) {
			char **dst = name[0] == 'p' ? &c->provider_path
			                            : &c->service;
			char *v = mem_strdup(value);

			if (!v) {
				err = -ENOMEM;
			} else {
				mem_free(*dst);
				*dst = v;
			}
		} else {
			log_warn("config: unknown key %s in [tapix] ignored",
			         name);
		}
		if (err) {
			st->err = err;
			return 0;
		}
		return 1;
	}
	s = section_get(c, section, &err);
	if (!s) {
		st->err = err;
		return 0;
	}
	if (s->nkv == MAX_KEYS) {
		st->err = -EINVAL;
		return 0;
	}
	kv = mem_realloc(s->kv, (s->nkv + 1) * sizeof(*kv));
	if (!kv) {
		st->err = -ENOMEM;
		return 0;
	}
	s->kv = kv;
	kv[s->nkv].key = mem_strdup(name);
	kv[s->nkv].value = mem_strdup(value);
	if (!kv[s->nkv].key || !kv[s->nkv].value) {
		mem_free(kv[s->nkv].key);
		mem_free(kv[s->nkv].value);
		st->err = -ENOMEM;
		return 0;
	}
	s->nkv++;
	return 1;
}

int conf_parse_string(struct conf *c, const char *text)
{
	struct parse_state st = {.c = c, .err = 0};
	int line;

	memset(c, 0, sizeof(*c));
	line = ini_parse_string(text, on_value, &st);
	if (st.err || line != 0) {
		conf_free(c);
		if (st.err)
			return st.err;
		log_err("config: syntax error at line %d", line);
		return -EINVAL;
	}
	return 0;
}

static void *alloc_fn(size_t size)
{
	return mem_alloc(size);
}

static void free_fn(void *p)
{
	mem_free(p);
}

static int parse_file(struct conf *c, const char *path)
{
	struct parse_state st = {.c = c, .err = 0};
	char *text;
	size_t len;
	int line, e;

	memset(c, 0, sizeof(*c));
	/* issue 19 — only a regular file, bounded, read without blocking */
	e = file_read(path, CONF_MAX_FILE, alloc_fn, free_fn, &text, &len);
	if (e) {
		log_err("config: %s: %s", path, file_error(e));
		return e == -ENOMEM ? -ENOMEM : e == -ENOENT ? -ENOENT : -EIO;
	}
	line = ini_parse_string(text, on_value, &st);
	mem_free(text);
	if (st.err || line != 0) {
		conf_free(c);
		if (st.err)
			return st.err;
		if (line < 0)
			return -ENOMEM;
		log_err("config: %s: syntax error at line %d", path, line);
		return -EINVAL;
	}
	return 0;
}

int conf_load(struct conf *c)
{
	const char *path = getenv("TAPIX_CONF");

	if (path && *path)
		return parse_file(c, path);
	if (!path && access(DEFAULT_CONF_PATH, F_OK) == 0)
		return parse_file(c, DEFAULT_CONF_PATH);
	return conf_parse_string(c, default_text);
}

const struct conf_section *conf_section(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsections; i++)
		if (strcmp(c->sections[i].name, name) == 0)
			return &c->sections[i];
	return NULL;
}

void conf_free(struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->nproviders; i++)
		mem_free(c->providers[i]);
	mem_free(c->providers);
	for (i = 0; i < c->nsections; i++) {
		for (j = 0; j < c->sections[i].nkv; j++) {
			mem_free(c->sections[i].kv[j].key);
			mem_free(c->sections[i].kv[j].value);
		}
		mem_free(c->sections[i].kv);
		mem_free(c->sections[i].name);
	}
	mem_free(c->sections);
	mem_free(c->provider_path);
	mem_free(c->service);
	memset(c, 0, sizeof(*c));
}
