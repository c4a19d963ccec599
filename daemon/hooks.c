/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: org.tapix.Test1, only with --test-hooks (never in production).
 * It lets the project's tests, run through the service, check what they
 * check in embedded mode: esp's counters, the log lines of the core, the
 * objects alive in the service's core. Refused to anyone but the uid
 * tapixd runs as.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "dlog.h"
#include "tapixd.h"

#define LOG_LINES 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char lines[LOG_LINES][160];
static unsigned nlines;
static bool capturing;
static sd_bus_slot *slot;

void hooks_log(const char *module, const char *msg)
{
	pthread_mutex_lock(&lock);
	if (capturing && nlines < LOG_LINES)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s: %s", module,
		         msg);
	pthread_mutex_unlock(&lock);
}

static int allowed(sd_bus_message *m, sd_bus_error *err)
{
	struct who w;

	if (who_of(m, &w) < 0 || w.uid != geteuid())
		return sd_bus_error_set(err, SD_BUS_ERROR_ACCESS_DENIED,
		                        "test hooks are for tapixd's user");
	return 0;
}

/* The path esp.so was loaded from in this process. */
static int find_esp(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *n = info->dlpi_name;
	size_t len = n ? strlen(n) : 0;

	(void)size;
	if (len >= 7 && strcmp(n + len - 7, "/esp.so") == 0) {
		*(const char **)data = n;
		return 1;
	}
	return 0;
}

static int m_esp(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	unsigned long n[4] = {0, 0, 0, 0};
	void (*fn)(unsigned long *) = NULL;
	const char *path = NULL;
	void *dl = NULL;
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	/* esp is loaded in this process (the core's session) */
	dl_iterate_phdr(find_esp, &path);
	if (path)
		dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (dl)
		*(void **)&fn = dlsym(dl, "esp_test_counters");
	if (!fn) {
		if (dl)
			dlclose(dl);
		return sd_bus_error_set(err, SD_BUS_ERROR_FAILED,
		                        "esp is not loaded");
	}
	fn(n);
	dlclose(dl);
	return sd_bus_reply_method_return(m, "tttt", (uint64_t)n[0],
	                                  (uint64_t)n[1], (uint64_t)n[2],
	                                  (uint64_t)n[3]);
}

static int m_log_start(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	pthread_mutex_lock(&lock);
	nlines = 0;
	capturing = true;
	pthread_mutex_unlock(&lock);
	return sd_bus_reply_method_return(m, "");
}

static int m_log_count(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *text;
	uint32_t n = 0;
	unsigned i;
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	if (sd_bus_message_read(m, "s", &text) < 0)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nlines; i++)
		if (strstr(lines[i], text))
			n++;
	pthread_mutex_unlock(&lock);
	return sd_bus_reply_method_return(m, "u", n);
}

static int m_live(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct tapix_live l, own;
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	tapix_live_get(&l);
	/*
	 * Not the service's own objects (its monitor opens, handles, and the
	 * provider lines only they keep open, each one allocation and one
	 * provider object): a test counts what it made, whatever the
	 * service watched meanwhile.
	 */
	tel_own(&own);
	l.opens -= own.opens;
	l.call_handles -= own.call_handles;
	l.lines -= own.lines;
	l.provider_objects -= own.lines;
	l.allocations -= own.opens + own.call_handles + own.lines;
	/* what the service keeps per pending request counts as one too */
	l.requests += rpc_live_slots();
	return sd_bus_reply_method_return(
		m, "ttttttttt", (uint64_t)l.apps, (uint64_t)l.opens,
		(uint64_t)l.lines, (uint64_t)l.calls, (uint64_t)l.call_handles,
		(uint64_t)l.requests, (uint64_t)l.providers,
		(uint64_t)l.allocations, (uint64_t)l.provider_objects);
}

/* Counters of tapixd's own work: how often it asked the bus for a
 * caller's credentials. */
static int m_stats(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	return sd_bus_reply_method_return(m, "t", (uint64_t)who_queries_made());
}

/* How long a call tapixd owns stays after IDLE, in ms (a minute). */
static int m_idle_keep(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	uint64_t ms;
	int e;

	(void)ud;
	if ((e = allowed(m, err)) < 0)
		return e;
	if ((e = sd_bus_message_read(m, "t", &ms)) < 0)
		return e;
	tel_set_idle_keep(ms * 1000);
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable hooks_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("EspCounters", "", "tttt", m_esp,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("LogStart", "", "", m_log_start,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("LogCount", "s", "u", m_log_count,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Live", "", "ttttttttt", m_live,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Stats", "", "t", m_stats, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetIdleKeep", "t", "", m_idle_keep,
                      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int hooks_start(void)
{
	log_warn("test hooks enabled (org.tapix.Test1): not for production");
	return sd_bus_add_object_vtable(d.bus, &slot, TAPIXD_PATH,
	                                "org.tapix.Test1", hooks_vtable, NULL);
}

void hooks_stop(void)
{
	slot = sd_bus_slot_unref(slot);
}
