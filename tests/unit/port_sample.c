/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A TAPI 2.x program fragment written the Windows way (undecorated names,
 * Windows types and constants, the usual variable-size structure retry),
 * compiled unchanged against tapix's tapi.h. Only built, never run.
 */
#include <stdlib.h>
#include <string.h>

#include <tapi.h>

static HLINEAPP hLineApp;
static DWORD dwNumDevs;

static void CALLBACK lineCallbackFunc(DWORD hDevice, DWORD dwMsg,
                                      DWORD_PTR dwCallbackInstance,
                                      DWORD_PTR dwParam1, DWORD_PTR dwParam2,
                                      DWORD_PTR dwParam3)
{
	(void)hDevice;
	(void)dwCallbackInstance;
	(void)dwParam2;
	(void)dwParam3;
	if (dwMsg == LINE_CALLSTATE && dwParam1 == LINECALLSTATE_DISCONNECTED)
		lineDrop((HCALL)hDevice, NULL, 0);
}

LONG port_sample(void);
LONG port_sample(void)
{
	LINEINITIALIZEEXPARAMS params;
	LINEEXTENSIONID ext;
	LPLINEDEVCAPS lpCaps;
	LPLINECALLINFO lpInfo;
	LINECALLPARAMS cp;
	DWORD dwAPIVersion = TAPI_CURRENT_VERSION;
	DWORD dwNegotiated;
	HLINE hLine;
	HCALL hCall;
	LONG lResult;

	memset(&params, 0, sizeof(params));
	params.dwTotalSize = sizeof(params);
	params.dwOptions = LINEINITIALIZEEXOPTION_USEHIDDENWINDOW;
	lResult = lineInitializeEx(&hLineApp, NULL, lineCallbackFunc, "Sample",
	                           &dwNumDevs, &dwAPIVersion, &params);
	if (lResult != 0)
		return lResult;
	lResult = lineNegotiateAPIVersion(hLineApp, 0, 0x00010004, 0x00020002,
	                                  &dwNegotiated, &ext);
	lpCaps = (LPLINEDEVCAPS)malloc(sizeof(LINEDEVCAPS));
	lpCaps->dwTotalSize = sizeof(LINEDEVCAPS);
	lResult = lineGetDevCaps(hLineApp, 0, dwNegotiated, 0, lpCaps);
	if (lResult == 0 && lpCaps->dwNeededSize > lpCaps->dwTotalSize) {
		DWORD dwNeeded = lpCaps->dwNeededSize;

		lpCaps = (LPLINEDEVCAPS)realloc(lpCaps, dwNeeded);
		lpCaps->dwTotalSize = dwNeeded;
		lResult = lineGetDevCaps(hLineApp, 0, dwNegotiated, 0, lpCaps);
	}
	free(lpCaps);
	lResult = lineOpen(hLineApp, 0, &hLine, dwNegotiated, 0, 0,
	                   LINECALLPRIVILEGE_OWNER | LINECALLPRIVILEGE_MONITOR,
	                   LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
	memset(&cp, 0, sizeof(cp));
	cp.dwTotalSize = sizeof(cp);
	cp.dwBearerMode = LINEBEARERMODE_VOICE;
	cp.dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	lResult = lineMakeCall(hLine, &hCall, "101", 0, &cp);
	if (lResult > 0) {
		lpInfo = (LPLINECALLINFO)calloc(1, 1024);
		lpInfo->dwTotalSize = 1024;
		lineGetCallInfo(hCall, lpInfo);
		free(lpInfo);
		lineSetCallPrivilege(hCall, LINECALLPRIVILEGE_MONITOR);
		lineAnswer(hCall, NULL, 0);
		lineAccept(hCall, NULL, 0);
		lineDeallocateCall(hCall);
	}
	lineClose(hLine);
	return lineShutdown(hLineApp);
}
