/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * faulty: a test provider that misbehaves on purpose, chosen by the
 * destination dialed with lineMakeCall, so tests can check the core
 * ignores and logs what breaks the TSPI contract (double or unknown
 * completions, events for closed or unknown calls and lines, NULL
 * pointers, invalid states) without crashing or disturbing other calls.
 * A destination "ok" is a well-behaved call (CONNECTED at once).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <tspi.h>

#define EXPORT    __attribute__((visibility("default")))
#define MAX_CALLS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ASYNC_COMPLETION done;
static LINEEVENT ev;
static HTAPILINE htl;
static bool open_;
static struct {
	bool used;
	HTAPICALL ht;
} calls[MAX_CALLS];
static HTAPICALL closed[MAX_CALLS]; /* calls TAPI closed: never to report */
static unsigned nclosed;
static unsigned incoming; /* incoming calls (driver handle 98) alive */

EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n = 0;
	unsigned i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_CALLS; i++)
		n += calls[i].used;
	n += open_ + incoming;
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
	(void)lc;
	(void)pc;
	*lines = 1;
	*phones = 0;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_providerInit(DWORD ver, DWORD id, DWORD base,
                                      DWORD pbase, DWORD_PTR nl, DWORD_PTR np,
                                      ASYNC_COMPLETION cb, LPDWORD options)
{
	(void)ver;
	(void)id;
	(void)base;
	(void)pbase;
	(void)nl;
	(void)np;
	done = cb;
	nclosed = 0;
	incoming = 0;
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
	(void)dev;
	(void)ver;
	(void)ext;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE;
	dc->dwMediaModes = LINEMEDIAMODE_INTERACTIVEVOICE;
	dc->dwDevCapFlags = LINEDEVCAPFLAGS_CLOSEDROP;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dev, DWORD addr, DWORD ver,
                                            DWORD ext, LPLINEADDRESSCAPS ac)
{
	(void)addr;
	(void)ver;
	(void)ext;
	ac->dwLineDeviceID = dev;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dev, HTAPILINE ht, LPHDRVLINE hd,
                                  DWORD ver, LINEEVENT proc)
{
	(void)dev;
	(void)ver;
	pthread_mutex_lock(&lock);
	htl = ht;
	ev = proc;
	open_ = true;
	*hd = (HDRVLINE)1;
	pthread_mutex_unlock(&lock);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hd)
{
	(void)hd;
	pthread_mutex_lock(&lock);
	open_ = false;
	pthread_mutex_unlock(&lock);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hd, DWORD m)
{
	(void)hd;
	(void)m;
	return 0;
}

static void state(HTAPICALL ht, DWORD s, DWORD_PTR mode)
{
	ev(htl, ht, LINE_CALLSTATE, s, mode, LINEMEDIAMODE_INTERACTIVEVOICE);
}

/* A completion made on a thread of the provider's own. */
struct late_done {
	DRV_REQUESTID req;
	LONG result;
};

static void *late_done_main(void *arg)
{
	struct late_done *l = arg;

	done(l->req, l->result);
	return NULL;
}

/* The mischief of each destination; the call's own request is @req. */
static LONG misbehave(const char *dest, DRV_REQUESTID req, HTAPICALL ht)
{
	HTAPICALL fresh = NULL;
	unsigned i;

	if (strcmp(dest, "double") == 0) {
		done(req, 0);
		done(req, 0); /* a second completion */
	} else if (strcmp(dest, "double-thread") == 0) {
		/* a success on the caller's thread, then a failure of the
		 * same request on another, before TSPI_lineMakeCall returns */
		struct late_done l = {req, LINEERR_OPERATIONFAILED};
		pthread_t t;

		done(req, 0);
		if (pthread_create(&t, NULL, late_done_main, &l) == 0)
			pthread_join(t, NULL);
	} else if (strcmp(dest, "unknown") == 0) {
		done(req + 1000, 0); /* a request that does not exist */
		done(req, 0);
	} else if (strcmp(dest, "stale") == 0) {
		done(req, 0);
		/* events about calls TAPI already closed */
		for (i = 0; i < nclosed; i++)
			state(closed[i], LINECALLSTATE_DISCONNECTED,
			      LINEDISCONNECTMODE_NORMAL);
	} else if (strcmp(dest, "nulls") == 0) {
		done(req, 0);
		ev(htl, NULL, LINE_NEWCALL, 99, 0, 0); /* no HTAPICALL* */
		ev(htl, NULL, LINE_CALLSTATE, LINECALLSTATE_IDLE, 0, 0);
		ev(NULL, ht, LINE_CALLSTATE, LINECALLSTATE_IDLE, 0, 0);
		ev((HTAPILINE)(uintptr_t)0xDEADBEEF, ht, LINE_CALLSTATE,
		   LINECALLSTATE_IDLE, 0, 0);
		ev(htl, (HTAPICALL)(uintptr_t)0x12345678, LINE_CALLINFO, 1, 0,
		   0);
		ev(htl, NULL, LINE_CLOSE + 1000, 0, 0, 0);
		ev((HTAPILINE)(uintptr_t)0xDEADBEEF, NULL, LINE_CLOSE, 0, 0, 0);
		ev(NULL, NULL, LINE_REMOVE, 9999, 0, 0);
		/* an incoming call whose HTAPICALL pointer is fine */
		ev(htl, NULL, LINE_NEWCALL, 98, (DWORD_PTR)&fresh, 0);
		if (fresh) {
			incoming++;
			state(fresh, LINECALLSTATE_OFFERING,
			      LINEOFFERINGMODE_ACTIVE);
		}
	} else if (strcmp(dest, "badstates") == 0) {
		done(req, 0);
		state(ht, 0, 0);                          /* no state */
		state(ht, LINECALLSTATE_IDLE | 2, 0);     /* two states */
		state(ht, 0x00010000, 0);                 /* undefined */
		state(ht, LINECALLSTATE_CONFERENCED, 77); /* no such parent */
		state(ht, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		return (LONG)req;
	} else if (strcmp(dest, "failed-but-completed") == 0) {
		done(req, 0);
		return LINEERR_OPERATIONFAILED; /* and says it failed */
	} else if (strcmp(dest, "odd-return") == 0) {
		done(req, 0);
		return (LONG)req + 5; /* not the request id */
	} else if (strcmp(dest, "zero-return") == 0) {
		return 0; /* "done", without a completion */
	} else {
		done(req, 0);
	}
	state(ht, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
	return (LONG)req;
}

EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID req, HDRVLINE hd,
                                      HTAPICALL ht, LPHDRVCALL out, LPCSTR dest,
                                      DWORD cc, LPLINECALLPARAMS const cp)
{
	unsigned i;
	LONG r;

	(void)hd;
	(void)cc;
	(void)cp;
	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_CALLS && calls[i].used; i++)
		;
	if (i == MAX_CALLS) {
		pthread_mutex_unlock(&lock);
		return LINEERR_RESOURCEUNAVAIL;
	}
	*out = (HDRVCALL)(uintptr_t)(i + 1);
	r = misbehave(dest ? dest : "", req, ht);
	if (r >= 0) {
		calls[i].used = true;
		calls[i].ht = ht;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

EXPORT LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui,
                                  DWORD size)
{
	uintptr_t i = (uintptr_t)hd;

	(void)uui;
	(void)size;
	pthread_mutex_lock(&lock);
	done(req, 0);
	if (i >= 1 && i <= MAX_CALLS && calls[i - 1].used)
		state(calls[i - 1].ht, LINECALLSTATE_IDLE, 0);
	pthread_mutex_unlock(&lock);
	return (LONG)req;
}

EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hd)
{
	uintptr_t i = (uintptr_t)hd;

	pthread_mutex_lock(&lock);
	if (i >= 1 && i <= MAX_CALLS && calls[i - 1].used) {
		calls[i - 1].used = false;
		if (nclosed < MAX_CALLS)
			closed[nclosed++] = calls[i - 1].ht;
	} else if (i == 98 && incoming) {
		incoming--;
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hd, LPLINECALLINFO ci)
{
	(void)hd;
	ci->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hd, LPLINECALLSTATUS cs)
{
	(void)hd;
	cs->dwCallState = LINECALLSTATE_CONNECTED;
	return 0;
}
