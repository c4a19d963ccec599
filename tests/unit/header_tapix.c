/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tapix/tapix.h compiles alone (STYLE §3). */
#include <tapix/tapix.h>

int header_tapix_check(void);
int header_tapix_check(void)
{
	return (int)sizeof(struct tapix_live);
}
