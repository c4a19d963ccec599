/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapixd's log lines (see dlog.h). */
#include "dlog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int level = TAPIX_LOG_WARN; /* -1: off */

/*
 * Issue 19 item 4 — lines of one kind (a key: tapixd's format, or the
 * library's text without its digits and hex letters) are counted per
 * second in a small table; a kind that collides with another takes its
 * slot (and tells what the other had suppressed first).
 */
#define KINDS 64

static struct kind {
	uint32_t key;    /* 0: free */
	uint64_t second; /* the second being counted */
	unsigned lines;  /* written in it */
	unsigned held;   /* suppressed in it */
	enum tapix_log_level level;
	char module[16];
	char sample[160]; /* the last one suppressed */
} kinds[KINDS];
static pthread_mutex_t kinds_lock = PTHREAD_MUTEX_INITIALIZER;
static int waker = -1; /* dlog_set_waker */

void dlog_set_waker(int fd)
{
	waker = fd;
}

/* The loop is told that a kind holds lines back (the first one). */
static void wake(void)
{
	uint64_t one = 1;

	if (waker >= 0 && write(waker, &one, sizeof(one)) < 0) {
		/* full or gone: the loop is awake already, or stopping */
	}
}

static int level_named(const char *v, size_t n)
{
	static const char *names[] = {"err", "warn", "info", "debug"};
	int i;

	if (n == 3 && strncmp(v, "off", 3) == 0)
		return -2; /* maps to -1 below */
	for (i = 0; i < 4; i++)
		if (strlen(names[i]) == n && strncmp(v, names[i], n) == 0)
			return i;
	return -1;
}

int dlog_set_levels(const char *spec)
{
	int def = -3, mine = -3; /* -3: not given */
	const char *p = spec;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		int v;

		if (!eq) {
			v = level_named(p, n);
			if (v == -1)
				return -1;
			def = v;
		} else if (eq - p == 6 && strncmp(p, "tapixd", 6) == 0) {
			v = level_named(eq + 1, n - 7);
			if (v == -1)
				return -1;
			mine = v;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (mine != -3)
		level = mine == -2 ? -1 : mine;
	else if (def != -3)
		level = def == -2 ? -1 : def;
	return 0;
}

static pthread_once_t prio_once = PTHREAD_ONCE_INIT;
static bool with_prio;

/*
 * Whether lines start with a syslog priority, "<3>" (sd-daemon(3)): when
 * stderr is the journal's stream (JOURNAL_STREAM names its device and
 * inode, systemd.exec(5)), or anything else but a terminal (a pipe to a
 * logger, a file); never on a terminal, where a person reads them.
 */
static void prio_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		with_prio = true;
	else
		with_prio = !isatty(STDERR_FILENO);
}

static void write_line(enum tapix_log_level lv, const char *module,
                       const char *msg)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {3, 4, 6, 7}; /* syslog priorities */

	pthread_once(&prio_once, prio_init);
	if (with_prio)
		fprintf(stderr, "<%d>%s %s: %s\n", prio[lv], module, names[lv],
		        msg);
	else
		fprintf(stderr, "%s %s: %s\n", module, names[lv], msg);
}

static uint64_t now_second(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* FNV-1a of @module and @text, digits and hex letters left out (handles,
 * counts): "call 0001a2: created" and "call 0001a5: created" are one
 * kind. Never 0. */
static uint32_t key_of_text(const char *module, const char *text)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = module; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (p = text; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			h = (h ^ (uint8_t)*p) * 16777619u;
	return h ? h : 1;
}

/* Writes the summary of @k's second if it held lines back; kinds_lock. */
static void tell_held_locked(struct kind *k)
{
	char msg[256];

	if (!k->held)
		return;
	snprintf(msg, sizeof(msg), "suppressed %u lines like: %s", k->held,
	         k->sample);
	write_line(k->level, k->module, msg);
	k->held = 0;
}

/* Whether a line of kind @key may be written now (else it is counted). */
static int may_write(uint32_t key, enum tapix_log_level lv, const char *module,
                     const char *msg)
{
	struct kind *k = &kinds[key % KINDS];
	uint64_t sec = now_second();
	int ok;

	if (lv == TAPIX_LOG_DEBUG)
		return 1;
	pthread_mutex_lock(&kinds_lock);
	if (k->key != key || k->second != sec) {
		tell_held_locked(k);
		k->key = key;
		k->second = sec;
		k->lines = 0;
	}
	ok = k->lines < DLOG_BURST;
	if (ok) {
		k->lines++;
	} else {
		if (!k->held++)
			wake();
		k->level = lv;
		snprintf(k->module, sizeof(k->module), "%s", module);
		snprintf(k->sample, sizeof(k->sample), "%s", msg);
	}
	pthread_mutex_unlock(&kinds_lock);
	return ok;
}

bool dlog_flush(void)
{
	uint64_t sec = now_second();
	bool held = false;
	unsigned i;

	pthread_mutex_lock(&kinds_lock);
	for (i = 0; i < KINDS; i++) {
		if (kinds[i].key && kinds[i].second != sec)
			tell_held_locked(&kinds[i]);
		if (kinds[i].held)
			held = true;
	}
	pthread_mutex_unlock(&kinds_lock);
	return held;
}

void dlog_line(enum tapix_log_level lv, const char *module, const char *msg)
{
	if (may_write(key_of_text(module, msg), lv, module, msg))
		write_line(lv, module, msg);
}

void dlog_emit(enum tapix_log_level lv, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if ((int)lv > level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the format is the kind: its arguments vary */
	if (may_write(key_of_text("tapixd", fmt), lv, "tapixd", msg))
		write_line(lv, "tapixd", msg);
}
