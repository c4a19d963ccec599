/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scripted: a test provider whose TSPI functions fail on request, so tests
 * can check that TAPI passes provider errors through unchanged (spec:
 * tapi-functions.md §0.3 step 8), synchronously and in LINE_REPLY.
 * Configuration keys ([scripted] section):
 *   fail.NAME = 0x8000xxxx    TSPI_NAME returns this error
 *   async.NAME = 0x8000xxxx   TSPI_NAME (async) completes with this error
 * where NAME is e.g. lineMakeCall, lineOpen, lineNegotiateTSPIVersion.dev
 * (the per-device negotiation), providerInit. One line; it offers one
 * incoming call when an owner registers for a media mode.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <tspi.h>

#define EXPORT    __attribute__((visibility("default")))
#define MAX_RULES 16

struct rule {
	char name[48];
	bool async;
	LONG err;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[MAX_RULES];
static unsigned nrules;
static ASYNC_COMPLETION done;
static bool open_, offered;
static unsigned ncalls;
static HTAPILINE htl;
static LINEEVENT ev;
static DWORD base;
static unsigned drops, drops_on_close;
static HTAPICALL offered_ht;

/* The error configured for @name (sync or async), or 0. */
static LONG rule_for(const char *name, bool async)
{
	unsigned i;

	for (i = 0; i < nrules; i++)
		if (rules[i].async == async && strcmp(rules[i].name, name) == 0)
			return rules[i].err;
	return 0;
}

/* An async function: sync error, async error, or success. */
static LONG async_result(const char *name, DRV_REQUESTID req)
{
	LONG e = rule_for(name, false);

	if (e)
		return e;
	done(req, rule_for(name, true));
	return (LONG)req;
}

EXPORT LONG TSPIAPI TSPIX_providerConfig(DWORD id, LPCSTR key, LPCSTR value)
{
	bool async;
	const char *name;
	char *end;
	unsigned long v;

	(void)id;
	if (!key || !value) {
		nrules = 0; /* a new session starts with no rule */
		drops = drops_on_close = 0;
		return 0;
	}
	if (strncmp(key, "fail.", 5) == 0) {
		async = false;
		name = key + 5;
	} else if (strncmp(key, "async.", 6) == 0) {
		async = true;
		name = key + 6;
	} else {
		return LINEERR_INIFILECORRUPT;
	}
	v = strtoul(value, &end, 0);
	if (*end || nrules == MAX_RULES || strlen(name) >= 48)
		return LINEERR_INIFILECORRUPT;
	memcpy(rules[nrules].name, name, strlen(name) + 1);
	rules[nrules].async = async;
	rules[nrules].err = (LONG)(uint32_t)v;
	nrules++;
	return 0;
}

EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n;

	pthread_mutex_lock(&lock);
	n = (open_ ? 1 : 0) + ncalls;
	pthread_mutex_unlock(&lock);
	return n;
}

EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dev, DWORD lo, DWORD hi,
                                                  LPDWORD v)
{
	if (dev != INITIALIZE_NEGOTIATION) {
		LONG e = rule_for("lineNegotiateTSPIVersion.dev", false);

		if (e)
			return e;
	}
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
	return rule_for("providerEnumDevices", false);
}

EXPORT LONG TSPIAPI TSPI_providerInit(DWORD ver, DWORD id, DWORD line_base,
                                      DWORD phone_base, DWORD_PTR nlines,
                                      DWORD_PTR nphones, ASYNC_COMPLETION cb,
                                      LPDWORD options)
{
	(void)ver;
	(void)id;
	(void)phone_base;
	(void)nlines;
	(void)nphones;
	base = line_base;
	done = cb;
	*options = 0;
	return rule_for("providerInit", false);
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
	LONG e = rule_for("lineGetDevCaps", false);

	(void)ext;
	(void)ver;
	if (e)
		return e;
	if (dev != base)
		return LINEERR_BADDEVICEID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE;
	dc->dwMediaModes = LINEMEDIAMODE_INTERACTIVEVOICE;
	dc->dwMaxRate = 64000;
	dc->dwUUIAcceptSize = dc->dwUUIAnswerSize = dc->dwUUIDropSize = 16;
	dc->dwUUIMakeCallSize = 16;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dev, DWORD addr, DWORD ver,
                                            DWORD ext, LPLINEADDRESSCAPS ac)
{
	LONG e = rule_for("lineGetAddressCaps", false);

	(void)ver;
	(void)ext;
	(void)addr;
	if (e)
		return e;
	ac->dwLineDeviceID = dev;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dev, HTAPILINE ht, LPHDRVLINE hd,
                                  DWORD ver, LINEEVENT proc)
{
	LONG e = rule_for("lineOpen", false);

	(void)ver;
	(void)dev;
	if (e)
		return e;
	pthread_mutex_lock(&lock);
	open_ = true;
	offered = false;
	htl = ht;
	ev = proc;
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

EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hd, DWORD modes)
{
	LONG e = rule_for("lineSetDefaultMediaDetection", false);
	HTAPICALL ht = NULL;

	(void)hd;
	if (e)
		return e;
	pthread_mutex_lock(&lock);
	if (modes && !offered) {
		offered = true;
		ncalls++;
		ev(htl, NULL, LINE_NEWCALL, 1000, (DWORD_PTR)&ht, 0);
		offered_ht = ht;
		if (ht)
			ev(htl, ht, LINE_CALLSTATE, LINECALLSTATE_OFFERING,
			   LINEOFFERINGMODE_ACTIVE,
			   LINEMEDIAMODE_INTERACTIVEVOICE);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID req, HDRVLINE hd,
                                      HTAPICALL ht, LPHDRVCALL out, LPCSTR dest,
                                      DWORD cc, LPLINECALLPARAMS const cp)
{
	LONG r;

	(void)hd;
	(void)ht;
	(void)dest;
	(void)cc;
	(void)cp;
	pthread_mutex_lock(&lock);
	*out = (HDRVCALL)2000;
	r = rule_for("lineMakeCall", false);
	if (!r) {
		ncalls++;
		r = async_result("lineMakeCall", req);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

EXPORT LONG TSPIAPI TSPI_lineAnswer(DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui,
                                    DWORD size)
{
	LONG r;

	(void)hd;
	(void)uui;
	(void)size;
	pthread_mutex_lock(&lock);
	r = async_result("lineAnswer", req);
	pthread_mutex_unlock(&lock);
	return r;
}

EXPORT LONG TSPIAPI TSPI_lineAccept(DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui,
                                    DWORD size)
{
	LONG r;

	(void)hd;
	(void)uui;
	(void)size;
	pthread_mutex_lock(&lock);
	r = async_result("lineAccept", req);
	pthread_mutex_unlock(&lock);
	return r;
}

EXPORT LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui,
                                  DWORD size)
{
	LONG r;

	(void)hd;
	(void)uui;
	(void)size;
	pthread_mutex_lock(&lock);
	drops++;
	r = async_result("lineDrop", req);
	pthread_mutex_unlock(&lock);
	return r;
}

/*
 * The obsolete TSPI_lineDropOnClose (spec: tspi.md §6): TAPI calls it,
 * when exported, instead of its own TSPI_lineDrop on lineClose.
 */
EXPORT LONG TSPIAPI TSPI_lineDropOnClose(HDRVCALL hd)
{
	pthread_mutex_lock(&lock);
	drops_on_close++;
	if ((uintptr_t)hd == 1000 && offered_ht)
		ev(htl, offered_ht, LINE_CALLSTATE, LINECALLSTATE_IDLE, 0, 0);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* For tests: TSPI_lineDrop and TSPI_lineDropOnClose calls so far. */
EXPORT void scripted_drop_counts(unsigned *drop, unsigned *on_close);
EXPORT void scripted_drop_counts(unsigned *drop, unsigned *on_close)
{
	pthread_mutex_lock(&lock);
	*drop = drops;
	*on_close = drops_on_close;
	pthread_mutex_unlock(&lock);
}

EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hd)
{
	(void)hd;
	pthread_mutex_lock(&lock);
	if (ncalls)
		ncalls--;
	pthread_mutex_unlock(&lock);
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hd, LPLINECALLINFO ci)
{
	LONG e = rule_for("lineGetCallInfo", false);

	(void)hd;
	if (e)
		return e;
	ci->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	return 0;
}

EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hd, LPLINECALLSTATUS cs)
{
	LONG e = rule_for("lineGetCallStatus", false);

	(void)hd;
	if (e)
		return e;
	cs->dwCallState = LINECALLSTATE_OFFERING;
	return 0;
}
