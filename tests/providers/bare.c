/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bare: a test provider with only the TSPI functions every provider must
 * export (spec: tspi.md §1), so tests can see TAPI answer
 * LINEERR_OPERATIONUNAVAIL for the optional ones. Its single line offers
 * one incoming call as soon as an owner registers for a media mode.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <tspi.h>

#define BARE_EXPORT __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool open_, offered, call_alive;
static HTAPILINE htl;
static LINEEVENT ev;
static DWORD base;

BARE_EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n;

	pthread_mutex_lock(&lock);
	n = (open_ ? 1 : 0) + (call_alive ? 1 : 0);
	pthread_mutex_unlock(&lock);
	return n;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dev, DWORD lo,
                                                       DWORD hi, LPDWORD v)
{
	(void)dev;
	if (lo > 0x00020002 || hi < 0x00010004)
		return LINEERR_INCOMPATIBLEAPIVERSION;
	*v = hi < 0x00020002 ? hi : 0x00020002;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_providerEnumDevices(DWORD id, LPDWORD lines,
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

BARE_EXPORT LONG TSPIAPI TSPI_providerInit(DWORD ver, DWORD id, DWORD line_base,
                                           DWORD phone_base, DWORD_PTR nlines,
                                           DWORD_PTR nphones,
                                           ASYNC_COMPLETION done,
                                           LPDWORD options)
{
	(void)ver;
	(void)id;
	(void)phone_base;
	(void)nlines;
	(void)nphones;
	(void)done;
	base = line_base;
	*options = 0;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_providerShutdown(DWORD ver, DWORD id)
{
	(void)ver;
	(void)id;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dev, DWORD ver, DWORD ext,
                                             LPLINEDEVCAPS dc)
{
	(void)ext;
	(void)ver;
	if (dev != base)
		return LINEERR_BADDEVICEID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE;
	dc->dwMediaModes = LINEMEDIAMODE_INTERACTIVEVOICE;
	dc->dwAddressModes = LINEADDRESSMODE_ADDRESSID;
	dc->dwStringFormat = STRINGFORMAT_ASCII;
	dc->dwUUIAcceptSize = dc->dwUUIAnswerSize = dc->dwUUIDropSize = 16;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dev, DWORD addr,
                                                 DWORD ver, DWORD ext,
                                                 LPLINEADDRESSCAPS ac)
{
	(void)ver;
	(void)ext;
	if (dev != base || addr)
		return LINEERR_INVALADDRESSID;
	ac->dwLineDeviceID = dev;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dev, HTAPILINE ht, LPHDRVLINE hd,
                                       DWORD ver, LINEEVENT proc)
{
	(void)ver;
	if (dev != base)
		return LINEERR_BADDEVICEID;
	pthread_mutex_lock(&lock);
	open_ = true;
	offered = false;
	htl = ht;
	ev = proc;
	*hd = (HDRVLINE)1;
	pthread_mutex_unlock(&lock);
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hd)
{
	(void)hd;
	pthread_mutex_lock(&lock);
	open_ = false;
	call_alive = false;
	pthread_mutex_unlock(&lock);
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hd,
                                                           DWORD modes)
{
	HTAPICALL ht = NULL;

	(void)hd;
	pthread_mutex_lock(&lock);
	if (modes && !offered) {
		offered = true;
		call_alive = true;
		ev(htl, NULL, LINE_NEWCALL, 7, (DWORD_PTR)&ht, 0);
		if (ht)
			ev(htl, ht, LINE_CALLSTATE, LINECALLSTATE_OFFERING,
			   LINEOFFERINGMODE_ACTIVE,
			   LINEMEDIAMODE_INTERACTIVEVOICE);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hd)
{
	if ((uintptr_t)hd != 7)
		return LINEERR_INVALCALLHANDLE;
	pthread_mutex_lock(&lock);
	call_alive = false;
	pthread_mutex_unlock(&lock);
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hd, LPLINECALLINFO ci)
{
	if ((uintptr_t)hd != 7)
		return LINEERR_INVALCALLHANDLE;
	ci->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	return 0;
}

BARE_EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hd,
                                                LPLINECALLSTATUS cs)
{
	if ((uintptr_t)hd != 7)
		return LINEERR_INVALCALLHANDLE;
	cs->dwCallState = LINECALLSTATE_OFFERING;
	return 0;
}
