/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapi.h compiles alone (STYLE §3). */
#include <tapi.h>

int header_tapi_check(void);
int header_tapi_check(void)
{
	return (int)sizeof(LINECALLINFO);
}
