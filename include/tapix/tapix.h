/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix/tapix.h: the tapix-only API beside the Windows one: version, the
 * log sink, and the live-object counters and allocation-failure injection
 * that tests and tools use to prove nothing leaks.
 */
#ifndef TAPIX_TAPIX_H
#define TAPIX_TAPIX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TAPIX_API
#if defined(__GNUC__)
#define TAPIX_API __attribute__((visibility("default")))
#else
#define TAPIX_API
#endif
#endif

#define TAPIX_VERSION_MAJOR 0
#define TAPIX_VERSION_MINOR 1
#define TAPIX_VERSION_PATCH 0

/** Returns the library version as "MAJOR.MINOR.PATCH". Threads: any. */
TAPIX_API const char *tapix_version(void);

enum tapix_log_level {
	TAPIX_LOG_ERR = 0,
	TAPIX_LOG_WARN = 1,
	TAPIX_LOG_INFO = 2,
	TAPIX_LOG_DEBUG = 3,
};

/**
 * Receives one log line (no trailing newline). Called from any thread with
 * no tapix lock held; must not call back into tapix. A line logged while
 * the logging thread held a tapix lock reaches the sink, in order, when
 * that thread lets go of its last one (before the function returns).
 */
typedef void (*tapix_log_cb)(enum tapix_log_level level, const char *module,
                             const char *line, void *arg);

/**
 * Replaces the log sink; NULL restores the default (warnings and errors to
 * stderr). Levels per module come from TAPIX_LOG ("info,esp=debug") or
 * tapix_log_set_levels(). Threads: any.
 */
TAPIX_API void tapix_log_set_sink(tapix_log_cb cb, void *arg);

/**
 * Sets log levels from a spec such as "warn,core=debug" (the syntax of the
 * TAPIX_LOG environment variable). Returns 0 or -EINVAL (levels unchanged).
 */
TAPIX_API int tapix_log_set_levels(const char *spec);

/** Objects alive in libtapix and its loaded providers. */
struct tapix_live {
	size_t apps;             /* registrations (HLINEAPP) */
	size_t opens;            /* app-level line opens (HLINE) */
	size_t lines;            /* provider-level line opens */
	size_t calls;            /* calls known to the core */
	size_t call_handles;     /* per-app call handles (HCALL) */
	size_t requests;         /* asynchronous requests not yet completed */
	size_t providers;        /* loaded provider sessions */
	size_t allocations;      /* heap blocks held by the core */
	size_t provider_objects; /* sum of TSPIX_providerLiveObjects() */
};

/** Fills *out with the current counts. Threads: any. */
TAPIX_API void tapix_live_get(struct tapix_live *out);

/**
 * lineDrop with a hint of why the call ends (a LINEDISCONNECTMODE_ value:
 * NORMAL, REJECT, NOANSWER, BUSY or CANCELLED) for the far end, e.g. SIP
 * 603 Decline for REJECT on an offered call. The provider gets it through
 * TSPIX_lineDropEx when it exports that, else it gets a plain
 * TSPI_lineDrop. Same rules and results as lineDrop (an HCALL, UUI and
 * its size), plus LINEERR_INVALPARAM for another hint. Works in client
 * mode too. Threads: any.
 */
TAPIX_API int32_t tapix_line_drop_ex(uint32_t hCall, const char *uui,
                                     uint32_t size, uint32_t hint);

/**
 * The service this process's libtapix works through (client mode):
 * TAPIX_SERVICE, else the configuration's [tapix] service, i.e. "system",
 * "session" or a D-Bus address, copied into @buf (@size bytes). NULL in
 * embedded mode (TAPIX_SERVICE empty, or no service configured), or if it
 * does not fit. Threads: any.
 */
TAPIX_API const char *tapix_service(char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_TAPIX_H */
