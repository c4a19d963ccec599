/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: its own registration, which keeps the providers' session up for
 * as long as the service runs.
 */
#include <errno.h>
#include <string.h>

#include "dlog.h"
#include "tapixd.h"

static HLINEAPP app;

int tel_start(void)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ver = 0x00020002;
	LONG e;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	e = lineInitializeEx(&app, NULL, NULL, "tapixd", &d.ndevs, &ver, &ip);
	if (e) {
		log_err("cannot start the telephony core: %08x", (unsigned)e);
		return -EIO;
	}
	return 0;
}

void tel_stop(void)
{
	if (app)
		lineShutdown(app);
	app = 0;
}
