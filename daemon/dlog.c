/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapixd's log lines (see dlog.h). */
#include "dlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int level = TAPIX_LOG_WARN; /* -1: off */

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

void dlog_line(enum tapix_log_level lv, const char *module, const char *msg)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {3, 4, 6, 7}; /* syslog priorities */

	fprintf(stderr, "<%d>%s %s: %s\n", prio[lv], module, names[lv], msg);
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
	dlog_line(lv, "tapixd", msg);
}
