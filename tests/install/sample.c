/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built against an installed tapix with pkg-config only: proves the
 * install layout (#include <tapi.h> via the .pc Cflags, libtapix, the esp
 * provider found next to the library with no configuration; ras.h).
 */
#include <stdio.h>
#include <string.h>

#include <ras.h>
#include <raserror.h>
#include <tapi.h>
#include <tapix/tapix.h>

int main(void)
{
	LINEINITIALIZEEXPARAMS p;
	LINEMESSAGE m;
	DWORD ndevs, ver = TAPI_CURRENT_VERSION;
	HLINEAPP app;
	HLINE line;
	HCALL call;
	LONG req;
	char text[256];
	int i;

	if (RasGetErrorString(ERROR_AUTHENTICATION_FAILURE, text,
	                      sizeof(text)) != 0 ||
	    !text[0])
		return 1;

	memset(&p, 0, sizeof(p));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	if (lineInitializeEx(&app, NULL, NULL, "sample", &ndevs, &ver, &p) ||
	    ndevs != 4)
		return 1;
	if (lineOpen(app, 0, &line, 0x00020002, 0, 0, LINECALLPRIVILEGE_NONE, 0,
	             NULL))
		return 2;
	req = lineMakeCall(line, &call, "answer", 0, NULL);
	if (req <= 0)
		return 3;
	for (i = 0; i < 100; i++) {
		if (lineGetMessage(app, &m, 1000))
			return 4;
		if (m.dwMessageID == LINE_CALLSTATE &&
		    m.dwParam1 == LINECALLSTATE_CONNECTED)
			break;
	}
	if (lineShutdown(app))
		return 5;
	printf("installed tapix %s: call connected\n", tapix_version());
	return 0;
}
