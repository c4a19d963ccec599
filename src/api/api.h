/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the entry points of src/api/. */
#ifndef TAPIX_API_API_H
#define TAPIX_API_API_H

#include "core/core.h"

/*
 * spec: tapi-functions.md §0.3 step 1 — with no registration at all in
 * this process every function answers LINEERR_UNINITIALIZED. Core lock held.
 */
static inline LONG api_check_init_locked(void)
{
	return core.napps == 0 ? LINEERR_UNINITIALIZED : 0;
}

#endif /* TAPIX_API_API_H */
