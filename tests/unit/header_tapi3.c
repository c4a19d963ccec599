/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapix/tapi3.h compiles alone (STYLE §3). */
#include <tapix/tapi3.h>

int header_tapi3_check(void);
int header_tapi3_check(void)
{
	return (int)CS_LASTITEM + (int)TE_CALLSTATE + (int)DC_REJECTED;
}
