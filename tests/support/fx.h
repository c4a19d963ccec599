/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test fixture helpers: a configuration per test, apps that record every
 * message they receive, bounded waits that fail loudly, and the check that
 * nothing is left alive when a test ends.
 */
#ifndef TAPIX_TESTS_FX_H
#define TAPIX_TESTS_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ras.h>
#include <tapi.h>
#include <tapix/tapix.h>

#define FX_WAIT_MS 5000
#define FX_HISTORY 4096

/* Built with AddressSanitizer or ThreadSanitizer: their allocators are
 * not glibc's (its heap figures do not see them), their shadow memory
 * makes an address-space limit meaningless, and under ASan the core's
 * free lists keep nothing (util/pool.h). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FX_SANITIZED 1
#endif
#endif
#ifndef FX_SANITIZED
#define FX_SANITIZED 0
#endif

/* An app registration (USEEVENT) that keeps every message it got. */
struct fx_app {
	HLINEAPP h;
	int fd;
	DWORD ndevs;
	LINEMESSAGE seen[FX_HISTORY];
	bool used[FX_HISTORY]; /* consumed by fx_wait, fx_expect, fx_reply */
	unsigned nseen;
	unsigned cursor; /* every message before it is consumed */
};

/*
 * Writes @conf (INI text; NULL = no configuration file, the built-in
 * default) to a temporary file and points TAPIX_CONF at it. In service
 * mode (TAPIX_TEST_SERVICE=1) it also (re)starts tapixd with it, on a
 * private bus, and the test's apps reach it through TAPIX_SERVICE.
 */
void fx_config(const char *conf);

/* True when the tests run through tapixd (client mode). */
bool fx_service(void);

/*
 * Writes "$TMPDIR/@name" (/tmp when TMPDIR is unset or empty) to @buf, a
 * template for mkstemp or mkdtemp; fails the test if it does not fit.
 * Tests make their files there: under CTest, TMPDIR is inside the test's
 * own temporary directory (tests/support/isolate.sh).
 */
void fx_tmp_path(char *buf, size_t size, const char *name);

/* The usual test configuration: esp with @lines lines, no delay. */
void fx_config_esp(unsigned lines);

/* Registers @a with USEEVENT and API 2.2; fails the test on error. */
void fx_app_init(struct fx_app *a, const char *name);
/* @a was shut down by other means (a thread of the test): fx forgets it. */
void fx_untrack(struct fx_app *a);
/* As fx_app_init, returning the error instead of failing. */
LONG fx_app_try_init(struct fx_app *a, const char *name, DWORD api);

/* Opens @dev with API 2.2; fails the test on error. */
HLINE fx_open(struct fx_app *a, DWORD dev, DWORD privileges, DWORD media);
/* Opens @dev with API @ver. */
HLINE fx_open_ver(struct fx_app *a, DWORD dev, DWORD ver, DWORD privileges,
                  DWORD media);

/* Fetches what is queued for @a into its history; returns how many. */
unsigned fx_pump(struct fx_app *a);

/* Matches a message; 0 fields (or FX_ANY) match anything. */
#define FX_ANY     ((DWORD_PTR)-1)
#define FX_ANY_DEV 0xFFFFFFFFu /* any hDevice, for fx_expect */

/*
 * Waits (up to FX_WAIT_MS) for the first unconsumed message of @a that
 * matches, and consumes it (only it). Fails the test if none comes.
 */
LINEMESSAGE fx_wait(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1);

/* As fx_wait but returns false instead of failing. */
bool fx_wait_try(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1,
                 unsigned timeout_ms, LINEMESSAGE *out);

/* Asserts the first unconsumed message is this one (FX_ANY: any value). */
void fx_expect(struct fx_app *a, DWORD msg, DWORD hdev, DWORD_PTR p1,
               DWORD_PTR p2, DWORD_PTR p3);

/* Fetches what is queued and marks every message consumed. */
void fx_consume_all(struct fx_app *a);

/* Asserts no unconsumed message is there right now. */
void fx_expect_none(struct fx_app *a);

/* Waits for the LINE_REPLY of @req, consumes it, returns its result. */
LONG fx_reply(struct fx_app *a, LONG req);

/* True if a LINE_REPLY for @req is anywhere in @a's history or queue. */
bool fx_has_reply(struct fx_app *a, LONG req);

/* Call state / privilege / counts via lineGetCallStatus/Info. */
DWORD fx_state(HCALL h);
DWORD fx_state_mode(HCALL h);
DWORD fx_priv(HCALL h);
void fx_counts(HCALL h, DWORD *owners, DWORD *monitors);

/*
 * Fails unless fx_live() reports nothing alive: checked once, at once (a
 * test whose endings complete asynchronously waits for them first).
 */
void fx_assert_nothing_alive(void);

/*
 * If esp ran (this process, or tapixd in service mode): every call it
 * made was closed by TAPI exactly once, none named after, none left for
 * the end of its line or session (termination.md §1). fx_teardown does
 * it after fx_assert_nothing_alive.
 */
void fx_assert_esp_closed_all(void);

/*
 * ras.md §4 — RasHangUp(@h) returns 0 at once; RasGetConnectStatus answers
 * RASCS_Disconnected until the teardown ends, then ERROR_INVALID_HANDLE
 * (waited for, bounded). Fails the test otherwise.
 */
void fx_ras_hang_up_and_wait(HRASCONN h);

/* Shuts down @a (fails on error). */
void fx_shutdown(struct fx_app *a);

/* Polls @fd for readability without blocking. */
bool fx_readable(int fd);

/*
 * esp's counters (esp_test_counters) since its session started: [0]
 * TSPI_lineCloseCall calls, [1] calls naming no esp call, [2] calls
 * created, [3] calls TAPI never closed before their line or session ended.
 */
void fx_esp_counters(unsigned long out[4]);

/*
 * tapix_live_get, plus (in service mode) what tapixd holds beyond its own
 * objects, through its test hooks.
 */
void fx_live(struct tapix_live *l);

/*
 * Captures tapix's log lines at warning level and above until
 * fx_log_stop(); fx_log_count() counts captured lines containing @text.
 */
void fx_log_start(void);
void fx_log_stop(void);
unsigned fx_log_count(const char *text);

/* Removes the temporary configuration. */
void fx_config_cleanup(void);

/*
 * The usual teardown: shuts down apps a failed test left registered (so one
 * failure does not cascade), then asserts nothing is alive.
 */
int fx_teardown(void **state);

#endif /* TAPIX_TESTS_FX_H */
