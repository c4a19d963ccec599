/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ras.h and raserror.h compile alone, in either order (STYLE §3). */
#include <raserror.h>

#include <ras.h>

int header_ras_check(void);
int header_ras_check(void)
{
	return (int)sizeof(RASCONN) + ERROR_LINE_BUSY + RASCS_Connected;
}
