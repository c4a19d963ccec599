/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RasEnumDevices: the TAPI lines RAS can dial on. A registration of its
 * own for the time of the call, so in service mode it is the calling
 * user's view of the lines (tapixd's access rules), as for a dial.
 */
#define LOG_MODULE "ras"
#include <string.h>

#include <tapi.h>

#include "ras/ras.h"
#include "util/mem.h"

#define CAPS_SIZE 4096

void ras_caps_string(const LINEDEVCAPS *dc, DWORD off, DWORD size, char *out,
                     size_t n)
{
	size_t l = 0;

	if (size && off <= dc->dwUsedSize && size <= dc->dwUsedSize - off)
		l = strnlen((const char *)dc + off, size);
	if (l >= n)
		l = n - 1;
	memcpy(out, (const char *)dc + off, l);
	out[l] = '\0';
}

/* The data lines into *@out (to free), their number in *@n. */
static DWORD list_devices(RASDEVINFOA **out, DWORD *n)
{
	LINEINITIALIZEEXPARAMS ip;
	LINEEXTENSIONID ext;
	LINEDEVCAPS *dc;
	RASDEVINFOA *v;
	HLINEAPP app;
	DWORD ndevs = 0, api = RAS_API, d;
	LONG lr;

	*out = NULL;
	*n = 0;
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	lr = lineInitializeEx(&app, NULL, NULL, "tapix-ras", &ndevs, &api, &ip);
	if (lr)
		return lr == LINEERR_NOMEM ? ERROR_NOT_ENOUGH_MEMORY
		                           : ERROR_RASMAN_CANNOT_INITIALIZE;
	dc = mem_zalloc(CAPS_SIZE);
	v = ndevs ? mem_zalloc(ndevs * sizeof(*v)) : NULL;
	if (!dc || (ndevs && !v)) {
		mem_free(dc);
		mem_free(v);
		lineShutdown(app);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	for (d = 0; d < ndevs; d++) {
		DWORD ver = 0;

		if (lineNegotiateAPIVersion(app, d, 0x00020000, RAS_API, &ver,
		                            &ext))
			continue;
		memset(dc, 0, CAPS_SIZE);
		dc->dwTotalSize = CAPS_SIZE;
		if (lineGetDevCaps(app, d, ver, 0, dc) ||
		    !(dc->dwMediaModes & LINEMEDIAMODE_DATAMODEM))
			continue;
		v[*n].dwSize = sizeof(v[*n]);
		memcpy(v[*n].szDeviceType, RASDT_Modem, sizeof(RASDT_Modem));
		ras_caps_string(dc, dc->dwLineNameOffset, dc->dwLineNameSize,
		                v[*n].szDeviceName, sizeof(v[*n].szDeviceName));
		(*n)++;
	}
	mem_free(dc);
	lineShutdown(app);
	*out = v;
	return 0;
}

DWORD WINAPI RasEnumDevicesA(LPRASDEVINFOA lpRasDevInfo, LPDWORD lpcb,
                             LPDWORD lpcDevices)
{
	RASDEVINFOA *v;
	DWORD n, r;

	if (!lpcb || !lpcDevices)
		return ERROR_INVALID_PARAMETER;
	if (lpRasDevInfo && lpRasDevInfo->dwSize != sizeof(RASDEVINFOA))
		return ERROR_INVALID_SIZE;
	r = list_devices(&v, &n);
	if (r)
		return r;
	/*
	 * ras.md §6 (the same protocol), as Windows answers Wine's
	 * test_rasenum: a buffer without room for one structure is refused
	 * with the size needed only, the count left alone; a size query (no
	 * buffer) or a buffer with room for some also gets the count.
	 * Nothing else is written on an error.
	 */
	if (n && (!lpRasDevInfo || *lpcb < n * sizeof(*v))) {
		if (!lpRasDevInfo || *lpcb >= sizeof(*v))
			*lpcDevices = n;
		*lpcb = n * sizeof(*v);
		mem_free(v);
		return ERROR_BUFFER_TOO_SMALL;
	}
	if (n)
		memcpy(lpRasDevInfo, v, n * sizeof(*v));
	*lpcb = n * sizeof(*v);
	*lpcDevices = n; /* §13 C3 — none: 0, *lpcb = 0 and a count of 0 */
	mem_free(v);
	return 0;
}
