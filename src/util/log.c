/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The log sink and per-module levels (TAPIX_LOG="info,esp=debug"). The
 * default sink writes warnings and errors to stderr.
 */
#define LOG_MODULE "log"
#include "util/log.h"
#include "util/loghold.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODULES 16
#define MODULE_LEN  16

struct level_rule {
	char module[MODULE_LEN];
	enum tapix_log_level level;
};

/* Guarded by cfg_lock; read without it through the atomic snapshot below. */
static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static struct level_rule rules[MAX_MODULES];
static unsigned nrules;
static enum tapix_log_level default_level = TAPIX_LOG_WARN;
static enum tapix_log_level max_level = TAPIX_LOG_WARN;
int log_gate = TAPIX_LOG_DEBUG; /* atomic: max_level once env_done */
static int env_done;            /* atomic: read_env has run */
static tapix_log_cb sink_cb;
static void *sink_arg;

static const char *const level_names[] = {"err", "warn", "info", "debug"};

static int parse_level(const char *s, size_t len, enum tapix_log_level *out)
{
	unsigned i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strlen(level_names[i]) == len &&
		    strncmp(s, level_names[i], len) == 0) {
			*out = (enum tapix_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parses @spec into the given outputs; nothing is written on error. */
static int parse_spec(const char *spec, enum tapix_log_level *def,
                      struct level_rule *out, unsigned *nout)
{
	const char *p = spec;
	unsigned n = 0;
	enum tapix_log_level d = TAPIX_LOG_WARN;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		enum tapix_log_level lvl;

		eq = memchr(p, '=', len);
		if (len == 0) {
			/* empty item, e.g. a trailing comma */
		} else if (!eq) {
			if (parse_level(p, len, &d) != 0)
				return -EINVAL;
		} else {
			size_t mlen = (size_t)(eq - p);

			if (mlen == 0 || mlen >= MODULE_LEN || n == MAX_MODULES)
				return -EINVAL;
			if (parse_level(eq + 1, len - mlen - 1, &lvl) != 0)
				return -EINVAL;
			memcpy(out[n].module, p, mlen);
			out[n].module[mlen] = '\0';
			out[n].level = lvl;
			n++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*def = d;
	*nout = n;
	return 0;
}

static void apply_locked(enum tapix_log_level def, const struct level_rule *r,
                         unsigned n)
{
	unsigned i;

	enum tapix_log_level max = def;

	default_level = def;
	for (i = 0; i < n; i++) {
		rules[i] = r[i];
		if (r[i].level > max)
			max = r[i].level;
	}
	nrules = n;
	__atomic_store_n(&max_level, max, __ATOMIC_RELAXED);
	if (__atomic_load_n(&env_done, __ATOMIC_ACQUIRE))
		__atomic_store_n(&log_gate, (int)max, __ATOMIC_RELAXED);
}

static void read_env(void)
{
	const char *spec = getenv("TAPIX_LOG");
	struct level_rule r[MAX_MODULES];
	enum tapix_log_level def;
	unsigned n;

	if (spec && parse_spec(spec, &def, r, &n) == 0) {
		pthread_mutex_lock(&cfg_lock);
		apply_locked(def, r, n);
		pthread_mutex_unlock(&cfg_lock);
	}
	pthread_mutex_lock(&cfg_lock);
	__atomic_store_n(&env_done, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&log_gate, (int)max_level, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&cfg_lock);
}

int tapix_log_set_levels(const char *spec)
{
	struct level_rule r[MAX_MODULES];
	enum tapix_log_level def;
	unsigned n;

	pthread_once(&env_once, read_env);
	if (!spec || parse_spec(spec, &def, r, &n) != 0)
		return -EINVAL;
	pthread_mutex_lock(&cfg_lock);
	apply_locked(def, r, n);
	pthread_mutex_unlock(&cfg_lock);
	return 0;
}

void tapix_log_set_sink(tapix_log_cb cb, void *arg)
{
	pthread_mutex_lock(&cfg_lock);
	sink_cb = cb;
	sink_arg = arg;
	pthread_mutex_unlock(&cfg_lock);
}

bool log_enabled(enum tapix_log_level level, const char *module)
{
	bool on;
	unsigned i;

	if (!__atomic_load_n(&env_done, __ATOMIC_ACQUIRE))
		pthread_once(&env_once, read_env);
	if (__atomic_load_n(&max_level, __ATOMIC_RELAXED) < level)
		return false;
	pthread_mutex_lock(&cfg_lock);
	on = level <= default_level;
	for (i = 0; i < nrules; i++) {
		if (strcmp(rules[i].module, module) == 0) {
			on = level <= rules[i].level;
			break;
		}
	}
	pthread_mutex_unlock(&cfg_lock);
	return on;
}

/* Gives one line to the sink; no tapix lock is held (util/loghold.h). */
static void deliver(enum tapix_log_level level, const char *module,
                    const char *line)
{
	tapix_log_cb cb;
	void *arg;

	pthread_mutex_lock(&cfg_lock);
	cb = sink_cb;
	arg = sink_arg;
	pthread_mutex_unlock(&cfg_lock);

	if (cb)
		cb(level, module, line, arg);
	else
		fprintf(stderr, "tapix %s %s: %s\n", level_names[level], module,
		        line);
}

/* ---- lines held back while a lock is held (util/loghold.h) ---------------
 */

/* At most this many lines wait on one thread; more are counted, dropped,
 * and the count said when the lines are given out. */
#define HELD_MAX 256

struct held_line {
	struct held_line *next;
	enum tapix_log_level level;
	const char *module; /* LOG_MODULE: a string literal */
	char line[];
};

_Thread_local uint32_t log_held __attribute__((tls_model("initial-exec")));
static _Thread_local struct held_line *held_first, **held_last;
static _Thread_local unsigned held_count, held_dropped;

static void hold_line(enum tapix_log_level level, const char *module,
                      const char *line)
{
	size_t len = strlen(line) + 1;
	struct held_line *h;

	/* plain malloc: not the core's counted heap, nor its failure hook */
	h = held_count < HELD_MAX ? malloc(sizeof(*h) + len) : NULL;
	if (!h) {
		held_dropped++;
	} else {
		h->next = NULL;
		h->level = level;
		h->module = module;
		memcpy(h->line, line, len);
		if (!held_first)
			held_last = &held_first;
		*held_last = h;
		held_last = &h->next;
		held_count++;
	}
	log_held |= LOG_HELD_WAITING;
}

void log_flush_held(void)
{
	struct held_line *h = held_first, *next;
	unsigned dropped = held_dropped;

	held_first = NULL;
	held_count = 0;
	held_dropped = 0;
	log_held &= ~LOG_HELD_WAITING;
	for (; h; h = next) {
		next = h->next;
		deliver(h->level, h->module, h->line);
		free(h);
	}
	if (dropped) {
		char line[96];

		snprintf(line, sizeof(line),
		         "%u log lines dropped while a lock was held", dropped);
		deliver(TAPIX_LOG_WARN, LOG_MODULE, line);
	}
}

void log_emit(enum tapix_log_level level, const char *module, const char *fmt,
              ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	if (log_held & ~LOG_HELD_WAITING)
		hold_line(level, module, line);
	else
		deliver(level, module, line);
}
