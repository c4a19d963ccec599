/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp: the emulated switch provider. Lines 0..N-1 have addresses "100",
 * "101", ...; dialing another line's address offers the call there, and
 * scripted far ends (answer, answer:MS, busy, noanswer, reject, hangup:MS,
 * unavail, outage, remove, create, deaf, with an optional slow:MS/ prefix)
 * make every call progress a test needs. Lines may share a bridged
 * appearance. Includes only tspi.h: it knows nothing of the core. This
 * file: the provider's lifecycle, configuration, lines, handles and
 * timers.
 */
#include "esp.h"

#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct esp esp = {
	.cfg_lines = 4,
	.cfg_first = 100,
};

/* ---- the lock ------------------------------------------------------------
 */

/* The raw system call: not a cancellation point, as syscall() is not. */
static long futex(uint32_t *addr, int op, uint32_t val,
                  const struct timespec *ts, uint32_t val3)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

void esp_lock_slow(uint32_t seen)
{
	/*
	 * From here on the lock is marked as waited for (2), so that its
	 * release wakes a sleeper: perhaps one wake too many, never one
	 * too few.
	 */
	if (seen != 2)
		seen = __atomic_exchange_n(&esp.lock.state, 2,
		                           __ATOMIC_ACQUIRE);
	while (seen != 0) {
		futex(&esp.lock.state, FUTEX_WAIT_PRIVATE, 2, NULL, 0);
		seen = __atomic_exchange_n(&esp.lock.state, 2,
		                           __ATOMIC_ACQUIRE);
	}
}

void esp_unlock_wake(void)
{
	futex(&esp.lock.state, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
}

/*
 * The timer thread sleeps, esp.lock let go meanwhile (held on entry and
 * on return), until timer_wake, the absolute CLOCK_MONOTONIC @deadline
 * (NULL: none) or spuriously; it checks its jobs again in every case.
 */
static void timer_sleep(const struct timespec *deadline)
{
	uint32_t seq = __atomic_load_n(&esp.wake.seq, __ATOMIC_RELAXED);

	__atomic_store_n(&esp.wake.waiting, 1, __ATOMIC_RELAXED);
	esp_unlock();
	/* (a wake since the load changed seq: the kernel returns at once) */
	if (!deadline)
		futex(&esp.wake.seq, FUTEX_WAIT_PRIVATE, seq, NULL, 0);
	else
		/* WAIT_BITSET: an absolute time, on CLOCK_MONOTONIC */
		futex(&esp.wake.seq, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
		      seq, deadline, FUTEX_BITSET_MATCH_ANY);
	esp_lock();
	__atomic_store_n(&esp.wake.waiting, 0, __ATOMIC_RELAXED);
}

/* The timer thread looks at its jobs again (esp.lock held). */
static void timer_wake(void)
{
	if (!__atomic_load_n(&esp.wake.waiting, __ATOMIC_RELAXED))
		return;
	__atomic_fetch_add(&esp.wake.seq, 1, __ATOMIC_RELEASE);
	futex(&esp.wake.seq, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
}

/* ---- handles --------------------------------------------------------------
 */

struct call *call_at(uint32_t i)
{
	return esp.calls.slots[i].obj;
}

struct call *call_of(HDRVCALL hd)
{
	uintptr_t v = (uintptr_t)hd;
	/* tsp_htab_get_ptr, one call less */
	struct call *c =
		v > 0xFFFFFFFFu ? NULL : tsp_htab_get(&esp.calls, (uint32_t)v);

	if (!c)
		esp.bad_handles++;
	return c;
}

struct line *line_of(HDRVLINE hd)
{
	uintptr_t v = (uintptr_t)hd;

	if (v == 0 || v > esp.nlines || !esp.lines[v - 1].open)
		return NULL;
	return &esp.lines[v - 1];
}

struct line *line_by_dev(DWORD dev)
{
	unsigned i;

	if (!esp.lines)
		return NULL;
	if (dev >= esp.dev_base && dev - esp.dev_base < esp.nenum)
		return &esp.lines[dev - esp.dev_base];
	/* a spare line TAPI created gets the next free id, anywhere */
	for (i = esp.nenum; i < esp.nlines; i++)
		if (!esp.lines[i].spare && esp.lines[i].dev_id == dev)
			return &esp.lines[i];
	return NULL;
}

/*
 * Line i's address is "%u" of first + i (unsigned): a number written
 * without a sign or a leading zero names at most one line, found by
 * arithmetic instead of comparing every line's address.
 */
struct line *line_by_address(const char *addr)
{
	const char *p = addr;
	uint64_t v = 0;
	unsigned d, i;

	if (p[0] == '0' && p[1])
		return NULL;
	/* at most 10 digits: v stays far below UINT64_MAX */
	while ((d = (unsigned)(unsigned char)*p - '0') <= 9 && p - addr < 10) {
		v = v * 10 + d;
		p++;
	}
	if (*p || p == addr || v > 0xFFFFFFFFu)
		return NULL;
	i = (unsigned)v - esp.first;
	if (i >= esp.nlines || esp.lines[i].spare)
		return NULL;
	return &esp.lines[i];
}

bool line_announce_spare(void)
{
	unsigned i;

	for (i = esp.nenum; i < esp.nlines; i++) {
		struct line *l = &esp.lines[i];

		if (l->spare && !l->announced && esp.create_proc) {
			/* spec: tspi.md "Dynamic devices" — the temporary id
			 * is the line's index */
			l->announced = true;
			esp.create_proc(NULL, NULL, LINE_CREATE,
			                (DWORD_PTR)esp.hprov, i, 0);
			return true;
		}
	}
	return false;
}

/* Under AddressSanitizer no call is kept: a use after free is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_SPARE_CALLS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_SPARE_CALLS 0
#endif
#endif
#ifndef KEEP_SPARE_CALLS
#define KEEP_SPARE_CALLS 1
#endif

/* A zeroed call, a spare one if any. */
static struct call *call_alloc(void)
{
	struct call *c;

	if (!esp.nspare_calls)
		return calloc(1, sizeof(*c));
	c = esp.spare_calls[--esp.nspare_calls];
	memset(c, 0, sizeof(*c));
	return c;
}

/* Keeps @c for reuse, or frees it when enough are kept. */
static void call_release(struct call *c)
{
	const unsigned max =
		sizeof(esp.spare_calls) / sizeof(esp.spare_calls[0]);

	if (KEEP_SPARE_CALLS && esp.nspare_calls < max)
		esp.spare_calls[esp.nspare_calls++] = c;
	else
		free(c);
}

struct call *call_new(struct line *line)
{
	struct call *c = call_alloc();

	if (!c)
		return NULL;
	c->h = tsp_htab_add(&esp.calls, c);
	if (!c->h) {
		call_release(c);
		return NULL;
	}
	c->line = line;
	c->state_time = time(NULL);
	line->ncalls++;
	esp.live_calls++;
	esp.created++;
	return c;
}

void call_free(struct call *c)
{
	/* most calls have no media, no UUI, no redirect: no call for them */
	if (c->tm)
		esp_media_free(c);
	if (c->uui.data || c->uui.queue)
		tsp_uui_clear(&c->uui);
	if (c->redir)
		free(c->redir);
	tsp_htab_del(&esp.calls, c->h);
	c->line->ncalls--;
	esp.live_calls--;
	call_release(c);
}

/* ---- timers ---------------------------------------------------------------
 */

static void due_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void job_unlink(struct job *j)
{
	j->prev->next = j->next;
	j->next->prev = j->prev;
	esp.live_jobs--;
}

struct job *job_add(unsigned ms, enum op op, uint32_t call, DRV_REQUESTID req)
{
	struct job *j = calloc(1, sizeof(*j));
	struct job *at;

	if (!j)
		return NULL;
	due_in(&j->due, ms);
	j->op = op;
	j->call = call;
	j->req = req;
	/* keep the list ordered by due time, FIFO among equals */
	for (at = esp.jobs.prev; at != &esp.jobs && before(&j->due, &at->due);
	     at = at->prev)
		;
	j->prev = at;
	j->next = at->next;
	at->next->prev = j;
	at->next = j;
	esp.live_jobs++;
	timer_wake();
	return j;
}

/*
 * spec: tspi.md §6 TSPI_lineCloseCall / TSPI_lineClose — abandoned
 * requests complete with LINEERR_OPERATIONFAILED before we return.
 */
void cancel_jobs(uint32_t call)
{
	struct job *j, *n;

	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		if (j->call != call && j->call2 != call)
			continue;
		job_unlink(j);
		if (j->req)
			esp.complete(j->req, LINEERR_OPERATIONFAILED);
		free(j);
	}
}

void cancel_scripts(uint32_t call)
{
	struct job *j, *n;

	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		if (j->call == call && !j->req) {
			job_unlink(j);
			free(j);
		}
	}
}

static void *timer_main(void *arg)
{
	(void)arg;
	esp_lock();
	while (!esp.stop) {
		struct job *j = esp.jobs.next;
		struct timespec now;

		if (j == &esp.jobs) {
			timer_sleep(NULL);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (before(&now, &j->due)) {
			/* a copy: the job may be cancelled while we wait */
			struct timespec due = j->due;

			timer_sleep(&due);
			continue;
		}
		job_unlink(j);
		run_job(j);
		free(j);
	}
	esp_unlock();
	return NULL;
}

/* ---- configuration --------------------------------------------------------
 */

/* The keys of [esp] (spec: tspi.h TSPIX_providerConfigKeys). */
static const struct tspix_config_key esp_keys[] = {
	{"lines", TSPIXCONFIGKEY_MAIN,
         "a number of lines from 1 to 4096 (default 4)"},
	{"spare_lines", TSPIXCONFIGKEY_MAIN,
         "a number of lines from 0 to 4096 (default 0)"},
	{"completion_delay_ms", TSPIXCONFIGKEY_MAIN,
         "milliseconds, a number (default 0)"},
	{"first_address", TSPIXCONFIGKEY_MAIN,
         "the address of line 0, a number (default 100)"},
	{"bridged", TSPIXCONFIGKEY_MAIN,
         "two lines' addresses or more, at most 127 characters; at most 16 "
         "groups"},
	{NULL, 0, NULL},
};

ESP_EXPORT const struct tspix_config_key *TSPIAPI TSPIX_providerConfigKeys(void)
{
	return esp_keys;
}

ESP_EXPORT LONG TSPIAPI TSPIX_providerConfig(DWORD dwPermanentProviderID,
                                             LPCSTR key, LPCSTR value)
{
	unsigned v;
	bool ok;
	LONG r = 0;

	(void)dwPermanentProviderID;
	esp_lock();
	if (!key || !value) {
		/* a new session's configuration starts from the defaults */
		esp.cfg_lines = 4;
		esp.cfg_spare = 0;
		esp.cfg_delay_ms = 0;
		esp.cfg_first = 100;
		esp.cfg_nbridges = 0;
		r = key || value ? LINEERR_INIFILECORRUPT : 0;
	} else if (strcmp(key, "lines") == 0) {
		ok = tsp_parse_uint(value, &v) && v >= 1 && v <= ESP_MAX_LINES;
		if (ok)
			esp.cfg_lines = v;
		r = ok ? 0 : LINEERR_INIFILECORRUPT;
	} else if (strcmp(key, "spare_lines") == 0) {
		ok = tsp_parse_uint(value, &v) && v <= ESP_MAX_LINES;
		if (ok)
			esp.cfg_spare = v;
		r = ok ? 0 : LINEERR_INIFILECORRUPT;
	} else if (strcmp(key, "completion_delay_ms") == 0) {
		ok = tsp_parse_uint(value, &v);
		if (ok)
			esp.cfg_delay_ms = v;
		r = ok ? 0 : LINEERR_INIFILECORRUPT;
	} else if (strcmp(key, "first_address") == 0) {
		ok = tsp_parse_uint(value, &v);
		if (ok)
			esp.cfg_first = v;
		r = ok ? 0 : LINEERR_INIFILECORRUPT;
	} else if (strcmp(key, "bridged") == 0) {
		/* checked against the lines at TSPI_providerInit */
		ok = esp.cfg_nbridges < ESP_MAX_BRIDGES &&
		     strlen(value) < sizeof(esp.cfg_bridges[0]);
		if (ok)
			tsp_copy_str(esp.cfg_bridges[esp.cfg_nbridges++],
			             sizeof(esp.cfg_bridges[0]), value);
		r = ok ? 0 : LINEERR_INIFILECORRUPT;
	} else {
		r = LINEERR_INVALPARAM; /* no such key ([esp.SUB] has none) */
	}
	esp_unlock();
	return r;
}

/* Marks the lines of each 'bridged' group; false if an address is unknown. */
static bool apply_bridges(void)
{
	unsigned g;

	for (g = 0; g < esp.cfg_nbridges; g++) {
		const char *p = esp.cfg_bridges[g];
		unsigned members = 0;

		while (*p) {
			char addr[16];
			size_t n;
			struct line *l;

			p += strspn(p, " \t,");
			n = strcspn(p, " \t,");
			if (n == 0)
				break;
			if (n >= sizeof(addr))
				return false;
			memcpy(addr, p, n);
			addr[n] = '\0';
			p += n;
			l = line_by_address(addr);
			if (!l || l->bridge)
				return false;
			l->bridge = g + 1;
			members++;
		}
		if (members < 2)
			return false;
	}
	return true;
}

/*
 * For tests: TSPI_lineCloseCall calls, calls naming no esp call, calls
 * created, and calls TAPI never closed (freed by TSPI_lineClose or the
 * provider's shutdown), all since the session started.
 */
ESP_EXPORT void esp_test_counters(unsigned long out[4]);
ESP_EXPORT void esp_test_counters(unsigned long out[4])
{
	esp_lock();
	out[0] = esp.closecalls;
	out[1] = esp.bad_handles;
	out[2] = esp.created;
	out[3] = esp.unclosed;
	esp_unlock();
}

/* ---- TSPI: lifecycle ------------------------------------------------------
 */

ESP_EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n;

	esp_lock();
	n = (DWORD)(esp.live_calls + esp.live_jobs + esp.live_lines +
	            (esp.running ? 1 : 0));
	esp_unlock();
	return n;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dwDeviceID,
                                                      DWORD dwLowVersion,
                                                      DWORD dwHighVersion,
                                                      LPDWORD lpdwTSPIVersion)
{
	const DWORD lo = 0x00010004, hi = 0x00020002;
	LONG r = 0;

	if (!lpdwTSPIVersion)
		return LINEERR_INVALPOINTER;
	esp_lock();
	if (dwDeviceID != INITIALIZE_NEGOTIATION && esp.lines &&
	    !line_by_dev(dwDeviceID))
		r = LINEERR_BADDEVICEID;
	else if (dwLowVersion > hi || dwHighVersion < lo ||
	         dwLowVersion > dwHighVersion)
		r = LINEERR_INCOMPATIBLEAPIVERSION;
	else
		*lpdwTSPIVersion = dwHighVersion < hi ? dwHighVersion : hi;
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_providerEnumDevices(DWORD dwPermanentProviderID,
                                                 LPDWORD lpdwNumLines,
                                                 LPDWORD lpdwNumPhones,
                                                 HPROVIDER hProvider,
                                                 LINEEVENT lpfnLineCreateProc,
                                                 PHONEEVENT lpfnPhoneCreateProc)
{
	(void)dwPermanentProviderID;
	(void)lpfnPhoneCreateProc;
	esp_lock();
	esp.create_proc = lpfnLineCreateProc;
	esp.hprov = hProvider;
	*lpdwNumLines = esp.cfg_lines;
	*lpdwNumPhones = 0;
	esp_unlock();
	return 0;
}

/* A spare line announced with LINE_CREATE becomes device @dwDeviceID. */
ESP_EXPORT LONG TSPIAPI TSPI_providerCreateLineDevice(DWORD_PTR dwTempID,
                                                      DWORD dwDeviceID)
{
	LONG r = LINEERR_BADDEVICEID;

	esp_lock();
	if (esp.lines && dwTempID >= esp.nenum && dwTempID < esp.nlines &&
	    esp.lines[dwTempID].spare && esp.lines[dwTempID].announced &&
	    !line_by_dev(dwDeviceID)) {
		esp.lines[dwTempID].dev_id = dwDeviceID;
		esp.lines[dwTempID].spare = false;
		r = 0;
	}
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI
TSPI_providerInit(DWORD dwTSPIVersion, DWORD dwPermanentProviderID,
                  DWORD dwLineDeviceIDBase, DWORD dwPhoneDeviceIDBase,
                  DWORD_PTR dwNumLines, DWORD_PTR dwNumPhones,
                  ASYNC_COMPLETION lpfnCompletionProc, LPDWORD lpdwTSPIOptions)
{
	unsigned i;
	LONG r = 0;

	(void)dwTSPIVersion;
	(void)dwPhoneDeviceIDBase;
	(void)dwNumPhones;
	esp_lock();
	if (esp.lines) /* spec: tspi.md §2 — a second init is ignored */
		goto out;
	if (dwNumLines > ESP_MAX_LINES ||
	    dwNumLines + esp.cfg_spare > ESP_MAX_LINES) {
		r = LINEERR_OPERATIONFAILED;
		goto out;
	}
	esp.lines = calloc(
		dwNumLines + esp.cfg_spare ? dwNumLines + esp.cfg_spare : 1,
		sizeof(*esp.lines));
	if (!esp.lines) {
		r = LINEERR_NOMEM;
		goto out;
	}
	esp.nenum = (unsigned)dwNumLines;
	esp.nlines = esp.nenum + esp.cfg_spare;
	esp.perm_id = dwPermanentProviderID;
	esp.dev_base = dwLineDeviceIDBase;
	esp.complete = lpfnCompletionProc;
	esp.closecalls = esp.bad_handles = esp.created = esp.unclosed = 0;
	esp.first = esp.cfg_first;
	for (i = 0; i < esp.nlines; i++) {
		esp.lines[i].idx = i;
		/* spare ones get theirs from TSPI_providerCreateLineDevice */
		esp.lines[i].spare = i >= esp.nenum;
		esp.lines[i].dev_id =
			i < esp.nenum ? dwLineDeviceIDBase + i : 0xFFFFFFFFu;
		snprintf(esp.lines[i].address, sizeof(esp.lines[i].address),
		         "%u", esp.first + i);
	}
	if (!apply_bridges()) {
		r = LINEERR_INIFILECORRUPT;
		goto fail;
	}
	esp.jobs.next = esp.jobs.prev = &esp.jobs;
	esp.stop = false;
	if (pthread_create(&esp.thread, NULL, timer_main, NULL) != 0) {
		r = LINEERR_RESOURCEUNAVAIL;
		goto fail;
	}
	esp.running = true;
	*lpdwTSPIOptions = 0;
	goto out;
fail:
	free(esp.lines);
	esp.lines = NULL;
	esp.nlines = 0;
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_providerShutdown(DWORD dwTSPIVersion,
                                              DWORD dwPermanentProviderID)
{
	struct job *j, *n;
	uint32_t i;

	(void)dwTSPIVersion;
	(void)dwPermanentProviderID;
	esp_lock();
	if (!esp.running) {
		esp_unlock();
		return 0;
	}
	esp.stop = true;
	timer_wake();
	esp_unlock();
	pthread_join(esp.thread, NULL);

	esp_lock();
	/* TAPI closed everything first; anything left is freed quietly. */
	for (j = esp.jobs.next; j != &esp.jobs; j = n) {
		n = j->next;
		job_unlink(j);
		free(j);
	}
	for (i = 0; i < esp.calls.used; i++) {
		if (call_at(i)) {
			esp.unclosed++;
			call_free(call_at(i));
		}
	}
	tsp_htab_free(&esp.calls);
	while (esp.nspare_calls)
		free(esp.spare_calls[--esp.nspare_calls]);
	esp_media_stop();
	free(esp.lines);
	esp.lines = NULL;
	esp.nlines = 0;
	esp.live_lines = 0;
	esp.running = false;
	esp_unlock();
	return 0;
}

/* ---- TSPI: lines ----------------------------------------------------------
 */

ESP_EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dwDeviceID, HTAPILINE htLine,
                                      LPHDRVLINE lphdLine, DWORD dwTSPIVersion,
                                      LINEEVENT lpfnEventProc)
{
	struct line *l;
	LONG r = 0;

	esp_lock();
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
	} else if (l->removed) {
		r = LINEERR_NODEVICE;
	} else if (l->open) {
		r = LINEERR_ALLOCATED;
	} else {
		l->open = true;
		l->htl = htLine;
		l->ev = lpfnEventProc;
		l->version = dwTSPIVersion;
		l->media_detect = 0;
		l->line_states = 0;
		esp.live_lines++;
		*lphdLine = (HDRVLINE)(uintptr_t)(l->idx + 1);
	}
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hdLine)
{
	struct line *l;
	uint32_t i;
	LONG r = 0;

	esp_lock();
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	/* spec: tspi.md §6 TSPI_lineClose — nothing pending survives it */
	for (i = 0; i < esp.calls.used && l->ncalls; i++) {
		struct call *c = call_at(i);

		if (c && c->line == l) {
			esp.unclosed++; /* TAPI closes calls before lines */
			close_call(c);
		}
	}
	l->open = false;
	l->ev = NULL;
	l->htl = NULL;
	esp.live_lines--;
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hdLine,
                                                          DWORD dwMediaModes)
{
	struct line *l;
	LONG r = 0;

	esp_lock();
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else if (dwMediaModes & ~(DWORD)ESP_MEDIA)
		r = LINEERR_INVALMEDIAMODE;
	else
		l->media_detect = dwMediaModes;
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetStatusMessages(HDRVLINE hdLine,
                                                   DWORD dwLineStates,
                                                   DWORD dwAddressStates)
{
	struct line *l;
	LONG r = 0;

	(void)dwAddressStates;
	esp_lock();
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else
		l->line_states = dwLineStates;
	esp_unlock();
	return r;
}
