/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tspi.h compiles alone (STYLE §3). */
#include <tspi.h>

int header_tspi_check(void);
int header_tspi_check(void)
{
	return (int)sizeof(HDRVCALL);
}
