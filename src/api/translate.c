/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lineTranslateAddress. The same in embedded and client mode: the
 * location is the calling process's configuration (as on Windows, the
 * user's), and the handle and device checks are lineNegotiateAPIVersion's.
 */
#include <errno.h>
#include <string.h>

#include <tapi.h>

#include "api/dialrules.h"
#include "api/varstruct.h"
#include "core/config.h"
#include "util/lockcheck.h"

LONG WINAPI lineTranslateAddressA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                  DWORD dwAPIVersion, LPCSTR lpszAddressIn,
                                  DWORD dwCard, DWORD dwTranslateOptions,
                                  LPLINETRANSLATEOUTPUT out)
{
	struct dr_location loc;
	struct conf c;
	LONG r;

	lockcheck_assert_no_app_lock();
	(void)dwCard; /* no calling cards: it matters only with OVERRIDE */
	if (hLineApp) {
		LINEEXTENSIONID ext;
		DWORD v;

		/* the app and the device, checked as everywhere else */
		r = lineNegotiateAPIVersion(hLineApp, dwDeviceID, 0x00010004,
		                            0x00020002, &v, &ext);
		if (r && r != LINEERR_INCOMPATIBLEAPIVERSION)
			return r;
	}
	if (!vs_version_known(dwAPIVersion))
		return LINEERR_INCOMPATIBLEAPIVERSION;
	if (!lpszAddressIn || !out)
		return LINEERR_INVALPOINTER;
	if (out->dwTotalSize < sizeof(*out))
		return LINEERR_STRUCTURETOOSMALL;
	memset(&c, 0, sizeof(c));
	r = conf_load(&c);
	if (r == 0)
		r = dr_location(&c, &loc);
	else
		r = r == -ENOMEM ? LINEERR_NOMEM : LINEERR_INIFILECORRUPT;
	conf_free(&c);
	return r ? r
	         : dr_translate(&loc, lpszAddressIn, dwTranslateOptions, out);
}
