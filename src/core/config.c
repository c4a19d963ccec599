/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * INI configuration parsing with inih (see config.h): every line's number
 * kept, every problem reported as FILE:LINE: message.
 */
#define LOG_MODULE "config"
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
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
#define MAX_SECTION_NAME  49 /* inih keeps this much of a [name] */

static const char default_text[] = "[tapix]\n"
				   "providers = esp\n"
				   "[esp]\n"
				   "lines = 4\n";

/* ---- the keys of the core's own sections -------------------------------- */

struct conf_key {
	const char *name;
	const char *expected; /* the values it takes (documentation) */
};

static const struct conf_key tapix_keys[] = {
	{"providers", "provider names, separated by spaces or commas"},
	{"provider_path", "a directory of provider modules"},
	{"service", "system, session or a D-Bus address (client mode)"},
	{NULL, NULL},
};

/* read by lineTranslateAddress (src/api/dialrules.c), which checks them */
static const struct conf_key location_keys[] = {
	{"country", "a country code (default 1)"},
	{"area", "an area code (default none)"},
	{"outside_local", "a dialable prefix for local calls"},
	{"outside_long_distance", "a dialable prefix for other calls"},
	{"long_distance", "the trunk prefix (default 1)"},
	{"international", "the international prefix (default 011)"},
	{"call_waiting", "a dialable code cancelling call waiting"},
	{NULL, NULL},
};

/* read by RAS (src/ras/paths.c, link.c) */
static const struct conf_key ras_keys[] = {
	{"system_phonebook", "a phonebook path"},
	{"emulated_users", "USER:PASSWORD pairs"},
	{"emulated_expired", "user names"},
	{NULL, NULL},
};

static const struct {
	const char *section;
	const struct conf_key *keys;
} core_sections[] = {
	{"tapix", tapix_keys},
	{"location", location_keys},
	{"ras", ras_keys},
};

/* ---- reporting ----------------------------------------------------------- */

static void report_to(tapix_config_report_cb *report, void *arg, bool error,
                      const char *file, int line, const char *msg)
{
	if (report)
		report(arg, error, file, line, msg);
	else if (line > 0 && error)
		log_err("%s:%d: %s", file, line, msg);
	else if (line > 0)
		log_warn("%s:%d: %s", file, line, msg);
	else if (error)
		log_err("%s: %s", file, msg);
	else
		log_warn("%s: %s", file, msg);
}

void conf_report(struct conf *c, bool error, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (error)
		c->errors++;
	report_to(c->report, c->report_arg, error, c->file ? c->file : "?",
	          line, msg);
}

/* ---- parsing ------------------------------------------------------------- */

/*
 * inih reads through read_line below, which hands it one whole line per
 * call and so knows the number of the line inih works on: the handler of
 * a line runs before the next line is read. A line inih takes (a key, a
 * continuation) calls the handler; one that is neither blank, a comment
 * nor a section header and did not is a syntax error, found when the
 * next line is read. inih itself tells only of the first error.
 */
struct parse_state {
	struct conf *c;
	int err;          /* -ENOMEM: stop */
	const char *p;    /* the text not read yet */
	int line;         /* the number of the line handed to inih last */
	bool expect;      /* that line must call the handler */
	bool called;      /* ...and did */
	bool bad_header;  /* that line is a [section without its ] */
	bool new_header;  /* that line is a [section] unless it called */
	bool long_header; /* ...whose name inih cuts */
	bool after_key;   /* a key was read since the last section header */
	int first_syntax; /* the line of the first syntax error reported */
	bool many_sections, many_keys;
	char header[MAX_SECTION_NAME + 1]; /* the last [name] seen */
	int header_line;
	char next_header[MAX_SECTION_NAME + 1]; /* new_header's name */
};

static void syntax_error(struct parse_state *st, int line, const char *what)
{
	if (!st->first_syntax)
		st->first_syntax = line;
	conf_report(st->c, true, line, "syntax error: %s", what);
}

/* Judges the line handed out last, now that inih is done with it. */
static void finish_line(struct parse_state *st)
{
	if (st->new_header && !st->called) {
		/* a section starts here */
		memcpy(st->header, st->next_header, sizeof(st->header));
		st->header_line = st->line;
		st->after_key = false;
		if (st->long_header)
			conf_report(st->c, true, st->line,
			            "[%s...]: section name longer than %d "
			            "characters",
			            st->header, MAX_SECTION_NAME);
	} else if (st->bad_header && !st->called) {
		syntax_error(st, st->line, "no ] after the section name");
	} else if (st->expect && !st->called) {
		syntax_error(st, st->line,
		             "neither [section], key = value nor a comment");
	}
	st->expect = st->called = st->bad_header = false;
	st->new_header = st->long_header = false;
}

/*
 * Where a section header's ] is, as inih looks for it: before an inline
 * comment (a ; after a blank). NULL if there is none.
 */
static const char *header_end(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (s[i] == ']')
			return s + i;
		if (s[i] == ';' && isspace((unsigned char)s[i - 1]))
			return NULL;
	}
	return NULL;
}

/*
 * What inih will make of line @s (@n bytes, no newline): a blank or a
 * comment, a section header, or a line that calls the handler (a key; an
 * indented line after a key continues its value, unless inih was built
 * without multi-line values: then an indented [section] is one).
 */
static void classify(struct parse_state *st, const char *s, size_t n)
{
	size_t i = 0, start = 0, len;
	const char *end;
	bool indented;

	if (st->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = start = 3; /* a UTF-8 byte order mark */
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i == n || s[i] == ';' || s[i] == '#')
		return; /* blank or comment */
	indented = i > start && st->after_key;
	if (s[i] != '[') {
		st->expect = true;
		return;
	}
	end = header_end(s + i, n - i);
	if (!end) {
		if (indented)
			st->expect = true;
		else
			st->bad_header = true;
		return;
	}
	len = (size_t)(end - (s + i) - 1);
	st->new_header = true;
	st->long_header = len > MAX_SECTION_NAME;
	/* (a long name is cut, as inih cuts it) */
	snprintf(st->next_header, sizeof(st->next_header), "%.*s", (int)len,
	         s + i + 1);
}

/* inih's reader: the next line of the text, whole, ending in '\n'. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	size_t n, len;

	finish_line(st);
	if (!*st->p || num < 4)
		return NULL;
	n = strcspn(st->p, "\n");
	len = n && st->p[n - 1] == '\r' ? n - 1 : n;
	st->line++;
	if (len + 3 > (size_t)num) {
		/* inih would cut it: the rest would read as lines of their
		 * own; it gets an empty line instead */
		conf_report(st->c, true, st->line,
		            "line longer than %d characters", num - 3);
		str[0] = '\n';
		str[1] = '\0';
	} else {
		memcpy(str, st->p, len);
		str[len] = '\n';
		str[len + 1] = '\0';
		classify(st, st->p, len);
	}
	st->p += n;
	if (*st->p == '\n')
		st->p++;
	return str;
}

static struct conf_section *section_get(struct parse_state *st,
                                        const char *name)
{
	struct conf *c = st->c;
	struct conf_section *s;
	size_t i;

	for (i = 0; i < c->nsections; i++)
		if (strcmp(c->sections[i].name, name) == 0)
			return &c->sections[i];
	if (c->nsections == MAX_SECTIONS) {
		if (!st->many_sections)
			conf_report(c, true, st->line,
			            "more than %d sections: the rest ignored",
			            MAX_SECTIONS);
		st->many_sections = true;
		return NULL;
	}
	s = mem_realloc(c->sections, (c->nsections + 1) * sizeof(*s));
	if (!s) {
		st->err = -ENOMEM;
		return NULL;
	}
	c->sections = s;
	s = &c->sections[c->nsections];
	memset(s, 0, sizeof(*s));
	s->name = mem_strdup(name);
	if (!s->name) {
		st->err = -ENOMEM;
		return NULL;
	}
	s->line = st->header_line && strcmp(st->header, name) == 0
	                  ? st->header_line
	                  : st->line;
	c->nsections++;
	return s;
}

static int set_providers(struct parse_state *st, const char *value)
{
	struct conf *c = st->c;
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
		if (c->nproviders == MAX_PROVIDERS) {
			conf_report(c, true, st->line,
			            "[tapix] providers: more than %d providers",
			            MAX_PROVIDERS);
			return 0;
		}
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

/* [tapix]'s keys that the core keeps apart; unknown ones: conf_check. */
static int take_tapix_key(struct parse_state *st, const char *name,
                          const char *value)
{
	struct conf *c = st->c;
	char **dst, *v;

	if (strcmp(name, "providers") == 0)
		return set_providers(st, value);
	if (strcmp(name, "provider_path") == 0)
		dst = &c->provider_path;
	else if (strcmp(name, "service") == 0)
		dst = &c->service;
	else
		return 0;
	v = mem_strdup(value);
	if (!v)
		return -ENOMEM;
	mem_free(*dst);
	*dst = v;
	return 0;
}

static int on_value(void *user, const char *section, const char *name,
                    const char *value)
{
	struct parse_state *st = user;
	struct conf_section *s;
	struct conf_kv *kv;
	int err;

	if (!name) /* section header only (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	st->called = true;
	if (st->err)
		return 1;
	if (!value) { /* (inih built with INI_ALLOW_NO_VALUE) */
		syntax_error(st, st->line, "a key without = and a value");
		return 1;
	}
	st->after_key = true;
	if (strcmp(section, "tapix") == 0) {
		err = take_tapix_key(st, name, value);
		if (err) {
			st->err = err;
			return 1;
		}
	}
	s = section_get(st, section);
	if (!s)
		return 1;
	if (s->nkv == MAX_KEYS) {
		if (!st->many_keys)
			conf_report(st->c, true, st->line,
			            "[%s]: more than %d keys: the rest ignored",
			            section, MAX_KEYS);
		st->many_keys = true;
		return 1;
	}
	kv = mem_realloc(s->kv, (s->nkv + 1) * sizeof(*kv));
	if (!kv) {
		st->err = -ENOMEM;
		return 1;
	}
	s->kv = kv;
	kv[s->nkv].key = mem_strdup(name);
	kv[s->nkv].value = mem_strdup(value);
	kv[s->nkv].line = st->line;
	if (!kv[s->nkv].key || !kv[s->nkv].value) {
		mem_free(kv[s->nkv].key);
		mem_free(kv[s->nkv].value);
		st->err = -ENOMEM;
		return 1;
	}
	s->nkv++;
	return 1;
}

/* Parses @text, named @file in messages, into @c; see conf_load_report. */
static int parse_text(struct conf *c, const char *file, const char *text,
                      tapix_config_report_cb *report, void *arg)
{
	struct parse_state st;
	int r;

	memset(c, 0, sizeof(*c));
	memset(&st, 0, sizeof(st));
	c->report = report;
	c->report_arg = arg;
	c->file = mem_strdup(file);
	if (!c->file)
		return -ENOMEM;
	st.c = c;
	st.p = text;
	r = ini_parse_stream(read_line, &st, on_value, &st);
	finish_line(&st); /* (if inih stopped before the end) */
	if (st.err || r < 0) {
		conf_free(c);
		return -ENOMEM;
	}
	/* an error inih saw where this reader did not (it should not) */
	if (r > 0 && r != st.first_syntax)
		syntax_error(&st, r, "not a line inih takes");
	return 0;
}

int conf_parse_string(struct conf *c, const char *text)
{
	int e = parse_text(c, "(string)", text, NULL, NULL);

	if (e == 0 && c->errors) {
		conf_free(c);
		return -EINVAL;
	}
	return e;
}

static void *alloc_fn(size_t size)
{
	return mem_alloc(size);
}

static void free_fn(void *p)
{
	mem_free(p);
}

int conf_load_report(struct conf *c, const char *path,
                     tapix_config_report_cb *report, void *arg)
{
	const char *env = getenv("TAPIX_CONF");
	char *text, msg[256];
	size_t len;
	int e;

	if (!path && env && *env)
		path = env;
	else if (!path && !env && access(DEFAULT_CONF_PATH, F_OK) == 0)
		path = DEFAULT_CONF_PATH;
	if (!path)
		return parse_text(c, "(built-in)", default_text, report, arg);
	memset(c, 0, sizeof(*c));
	/* issue 19 — only a regular file, bounded, read without blocking */
	e = file_read(path, CONF_MAX_FILE, alloc_fn, free_fn, &text, &len);
	if (e) {
		snprintf(msg, sizeof(msg), "cannot be read: %s", file_error(e));
		report_to(report, arg, true, path, 0, msg);
		return e == -ENOMEM ? -ENOMEM : e == -ENOENT ? -ENOENT : -EIO;
	}
	e = parse_text(c, path, text, report, arg);
	mem_free(text);
	return e;
}

int conf_load(struct conf *c)
{
	int e = conf_load_report(c, NULL, NULL, NULL);

	if (e == 0 && c->errors) {
		conf_free(c);
		return -EINVAL;
	}
	return e;
}

const struct conf_section *conf_section(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsections; i++)
		if (strcmp(c->sections[i].name, name) == 0)
			return &c->sections[i];
	return NULL;
}

/* ---- checks -------------------------------------------------------------- */

bool conf_is_provider_section(const struct conf *c, const char *name)
{
	size_t i, n;

	for (i = 0; i < c->nproviders; i++) {
		n = strlen(c->providers[i]);
		if (strncmp(name, c->providers[i], n) == 0 &&
		    (name[n] == '\0' || (name[n] == '.' && name[n + 1])))
			return true;
	}
	return false;
}

/* The sections tapixd reads (daemon/acl.c checks them). */
static bool is_tapixd_section(const char *name)
{
	return strcmp(name, "tapixd") == 0 || strncmp(name, "line ", 5) == 0;
}

/* "a, b, c" of @keys into @buf. */
static void known_keys(char *buf, size_t size, const struct conf_key *keys)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; keys->name && n < size; keys++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
		                      keys->name);
}

static void check_keys(struct conf *c, const struct conf_section *s,
                       const struct conf_key *keys)
{
	char known[512];
	size_t i, k;

	for (i = 0; i < s->nkv; i++) {
		for (k = 0; keys[k].name; k++)
			if (strcmp(keys[k].name, s->kv[i].key) == 0)
				break;
		if (keys[k].name)
			continue;
		known_keys(known, sizeof(known), keys);
		conf_report(c, true, s->kv[i].line,
		            "[%s] %s: unknown key (known: %s)", s->name,
		            s->kv[i].key, known);
	}
}

unsigned conf_check(struct conf *c, bool warn_unused)
{
	unsigned before = c->errors;
	size_t i, k;

	for (i = 0; i < c->nsections; i++) {
		const struct conf_section *s = &c->sections[i];
		const char *dot;

		for (k = 0;
		     k < sizeof(core_sections) / sizeof(core_sections[0]); k++)
			if (strcmp(s->name, core_sections[k].section) == 0)
				break;
		if (k < sizeof(core_sections) / sizeof(core_sections[0])) {
			check_keys(c, s, core_sections[k].keys);
			continue;
		}
		if (!warn_unused || is_tapixd_section(s->name) ||
		    conf_is_provider_section(c, s->name))
			continue;
		if (!s->name[0]) {
			for (k = 0; k < s->nkv; k++)
				conf_report(c, false, s->kv[k].line,
				            "%s: a key before any [section]: "
				            "not used",
				            s->kv[k].key);
			continue;
		}
		dot = strchr(s->name, '.');
		conf_report(c, false, s->line,
		            "[%s]: section not used: %.*s is not in [tapix] "
		            "providers",
		            s->name,
		            dot ? (int)(dot - s->name) : (int)strlen(s->name),
		            s->name);
	}
	return c->errors - before;
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
	mem_free(c->file);
	memset(c, 0, sizeof(*c));
}
