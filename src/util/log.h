/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging with per-module levels. Each .c file defines LOG_MODULE before
 * including this header. Output goes only to the host's sink.
 */
#ifndef TAPIX_UTIL_LOG_H
#define TAPIX_UTIL_LOG_H

#include <stdbool.h>

#include <tapix/tapix.h>

#ifndef LOG_MODULE
#error "define LOG_MODULE before including util/log.h"
#endif

/* True when @level is enabled for @module (checked before formatting). */
bool log_enabled(enum tapix_log_level level, const char *module);

/*
 * The highest level enabled for any module, once TAPIX_LOG has been read
 * (TAPIX_LOG_DEBUG until then): messages above it are skipped without a
 * call. Read only through log_at.
 */
extern int log_gate;

/* cold: a hot path that may log keeps its registers for the rest */
void log_emit(enum tapix_log_level level, const char *module, const char *fmt,
              ...) __attribute__((format(printf, 3, 4), cold));

#define log_at(level, ...)                                                  \
	do {                                                                \
		if ((int)(level) <=                                         \
		            __atomic_load_n(&log_gate, __ATOMIC_RELAXED) && \
		    log_enabled(level, LOG_MODULE))                         \
			log_emit(level, LOG_MODULE, __VA_ARGS__);           \
	} while (0)

#define log_err(...)   log_at(TAPIX_LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_at(TAPIX_LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_at(TAPIX_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(TAPIX_LOG_DEBUG, __VA_ARGS__)

#endif /* TAPIX_UTIL_LOG_H */
