/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gate: a test provider whose synchronous TSPI functions can be held at a
 * gate, so tests can see what else TAPI does while a provider is slow
 * (DESIGN.md: no lock held across a provider call). Two lines, no calls.
 * The test (in the same process) closes the gate for one function and
 * device with gate_test_close(), waits for a call to arrive there with
 * gate_test_wait_held(), and lets it through with gate_test_open().
 *
 * Calls: lineMakeCall on a line makes one that is never answered. Its
 * request stays pending, as a provider may hold a creation until the call
 * is closed (termination.md §5.1 last row): TSPI_lineCloseCall and
 * TSPI_lineClose complete it with LINEERR_OPERATIONFAILED, the test with
 * gate_test_complete(). Hooks count the CloseCalls and send LINE_REMOVE,
 * LINE_CLOSE and LINE_NEWCALL.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <tspi.h>

#define EXPORT __attribute__((visibility("default")))
#define LINES  2

/* Which function a closed gate holds. */
enum gate_fn {
	GATE_NONE = 0,
	GATE_GET_LINE_DEV_STATUS,
	GATE_OPEN,
	GATE_SET_MEDIA,
	GATE_CLOSE,
	GATE_MAKE_CALL,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static DWORD base;
static bool open_[LINES];
static enum gate_fn gate_fn; /* guarded by lock; GATE_NONE: open */
static DWORD gate_dev;
static unsigned held; /* calls waiting at the gate */
static ASYNC_COMPLETION completion;
static LINEEVENT line_event;
static HTAPILINE tapi_line[LINES]; /* the last open's, kept after close */
static DRV_REQUESTID making;       /* the lineMakeCall pending, or 0 */
static unsigned closecalls;

/* Completes the pending lineMakeCall, if any, with @result. */
static void make_end(LONG result)
{
	DRV_REQUESTID req;

	pthread_mutex_lock(&lock);
	req = making;
	making = 0;
	pthread_mutex_unlock(&lock);
	if (req)
		completion(req, result);
}

/* Holds the caller while the gate is closed for @fn on @dev. */
static void pass(enum gate_fn fn, DWORD dev)
{
	pthread_mutex_lock(&lock);
	if (gate_fn == fn && gate_dev == dev) {
		held++;
		pthread_cond_broadcast(&cond);
		while (gate_fn == fn && gate_dev == dev)
			pthread_cond_wait(&cond, &lock);
		held--;
	}
	pthread_mutex_unlock(&lock);
}

EXPORT void gate_test_close(int fn, DWORD dev);
EXPORT void gate_test_close(int fn, DWORD dev)
{
	pthread_mutex_lock(&lock);
	gate_fn = (enum gate_fn)fn;
	gate_dev = dev;
	pthread_mutex_unlock(&lock);
}

EXPORT int gate_test_wait_held(unsigned ms);
EXPORT int gate_test_wait_held(unsigned ms)
{
	struct timespec t;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	while (!held && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&cond, &lock, &t);
	err = held ? 0 : -1;
	pthread_mutex_unlock(&lock);
	return err;
}

EXPORT void gate_test_open(void);
EXPORT void gate_test_open(void)
{
	pthread_mutex_lock(&lock);
	gate_fn = GATE_NONE;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

EXPORT void gate_test_complete(LONG result);
EXPORT void gate_test_complete(LONG result)
{
	make_end(result);
}

EXPORT unsigned gate_test_closecalls(void);
EXPORT unsigned gate_test_closecalls(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = closecalls;
	pthread_mutex_unlock(&lock);
	return n;
}

EXPORT int gate_test_is_open(DWORD dev);
EXPORT int gate_test_is_open(DWORD dev)
{
	int r;

	pthread_mutex_lock(&lock);
	r = dev < LINES && open_[dev];
	pthread_mutex_unlock(&lock);
	return r;
}

/* The provider's LINE_REMOVE of line @dev. */
EXPORT void gate_test_remove(DWORD dev);
EXPORT void gate_test_remove(DWORD dev)
{
	line_event(NULL, NULL, LINE_REMOVE, base + dev, 0, 0);
}

/* The provider's LINE_CLOSE of line @dev (termination.md §7). */
EXPORT void gate_test_line_close(DWORD dev);
EXPORT void gate_test_line_close(DWORD dev)
{
	line_event(tapi_line[dev], NULL, LINE_CLOSE, 0, 0, 0);
}

/* A LINE_NEWCALL on line @dev's last open (closed or not): what TAPI
 * wrote through dwParam2 (the variable starts as garbage). */
EXPORT HTAPICALL gate_test_new_call(DWORD dev);
EXPORT HTAPICALL gate_test_new_call(DWORD dev)
{
	HTAPICALL ht = (HTAPICALL)(uintptr_t)0x5a5a5a5a;

	line_event(tapi_line[dev], NULL, LINE_NEWCALL, 0x77, (DWORD_PTR)&ht, 0);
	return ht;
}

EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n = 0;
	unsigned i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < LINES; i++)
		n += open_[i];
	pthread_mutex_unlock(&lock);
	return n;
}

EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dev, DWORD lo, DWORD hi,
                                                  LPDWORD v)
{
	(void)dev;
	if (lo > 0x00020002 || hi < 0x00010004)
		return LINEERR_INCOMPATIBLEAPIVERSION;
	*v = hi < 0x00020002 ? hi : 0x00020002;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_providerEnumDevices(DWORD id, LPDWORD lines,
                                             LPDWORD phones, HPROVIDER p,
                                             LINEEVENT lc, PHONEEVENT pc)
{
	(void)id;
	(void)p;
	(void)pc;
	line_event = lc;
	*lines = LINES;
	*phones = 0;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_providerInit(DWORD ver, DWORD id, DWORD line_base,
                                      DWORD phone_base, DWORD_PTR nlines,
                                      DWORD_PTR nphones, ASYNC_COMPLETION done,
                                      LPDWORD options)
{
	(void)ver;
	(void)id;
	(void)phone_base;
	(void)nlines;
	(void)nphones;
	completion = done;
	base = line_base;
	*options = 0;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_providerShutdown(DWORD ver, DWORD id)
{
	(void)ver;
	(void)id;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dev, DWORD ver, DWORD ext,
                                        LPLINEDEVCAPS dc)
{
	(void)ext;
	(void)ver;
	if (dev < base || dev >= base + LINES)
		return LINEERR_BADDEVICEID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE;
	dc->dwMediaModes = LINEMEDIAMODE_INTERACTIVEVOICE;
	dc->dwAddressModes = LINEADDRESSMODE_ADDRESSID;
	dc->dwStringFormat = STRINGFORMAT_ASCII;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dev, DWORD addr, DWORD ver,
                                            DWORD ext, LPLINEADDRESSCAPS ac)
{
	(void)ver;
	(void)ext;
	if (dev < base || dev >= base + LINES || addr)
		return LINEERR_INVALADDRESSID;
	ac->dwLineDeviceID = dev;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dev, HTAPILINE ht, LPHDRVLINE hd,
                                  DWORD ver, LINEEVENT proc)
{
	(void)ver;
	(void)proc;
	if (dev < base || dev >= base + LINES)
		return LINEERR_BADDEVICEID;
	pass(GATE_OPEN, dev - base);
	pthread_mutex_lock(&lock);
	open_[dev - base] = true;
	tapi_line[dev - base] = ht;
	pthread_mutex_unlock(&lock);
	*hd = (HDRVLINE)(uintptr_t)(dev - base + 1);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hd)
{
	uintptr_t i = (uintptr_t)hd - 1;

	if (i >= LINES)
		return LINEERR_INVALLINEHANDLE;
	pass(GATE_CLOSE, (DWORD)i);
	pthread_mutex_lock(&lock);
	open_[i] = false;
	pthread_mutex_unlock(&lock);
	make_end(LINEERR_OPERATIONFAILED);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hd, DWORD modes)
{
	uintptr_t i = (uintptr_t)hd - 1;

	(void)modes;
	if (i >= LINES)
		return LINEERR_INVALLINEHANDLE;
	pass(GATE_SET_MEDIA, (DWORD)i);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetLineDevStatus(HDRVLINE hd, LPLINEDEVSTATUS ds)
{
	uintptr_t i = (uintptr_t)hd - 1;

	if (i >= LINES)
		return LINEERR_INVALLINEHANDLE;
	pass(GATE_GET_LINE_DEV_STATUS, (DWORD)i);
	ds->dwDevStatusFlags =
		LINEDEVSTATUSFLAGS_CONNECTED | LINEDEVSTATUSFLAGS_INSERVICE;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID req, HDRVLINE hdl,
                                      HTAPICALL ht, LPHDRVCALL hdc, LPCSTR dest,
                                      DWORD cc, LPLINECALLPARAMS params)
{
	uintptr_t i = (uintptr_t)hdl - 1;

	(void)ht;
	(void)dest;
	(void)cc;
	(void)params;
	if (i >= LINES)
		return LINEERR_INVALLINEHANDLE;
	pass(GATE_MAKE_CALL, (DWORD)i);
	pthread_mutex_lock(&lock);
	if (making) {
		pthread_mutex_unlock(&lock);
		return LINEERR_RESOURCEUNAVAIL; /* one at a time */
	}
	making = req;
	pthread_mutex_unlock(&lock);
	*hdc = (HDRVCALL)(i + 1);
	return (LONG)req;
}

EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hd)
{
	(void)hd;
	pthread_mutex_lock(&lock);
	closecalls++;
	pthread_mutex_unlock(&lock);
	make_end(LINEERR_OPERATIONFAILED);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hd, LPLINECALLINFO ci)
{
	(void)hd;
	(void)ci;
	return LINEERR_INVALCALLHANDLE;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hd, LPLINECALLSTATUS cs)
{
	(void)hd;
	(void)cs;
	return LINEERR_INVALCALLHANDLE;
}
