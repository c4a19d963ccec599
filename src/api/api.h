/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the entry points of src/api/. */
#ifndef TAPIX_API_API_H
#define TAPIX_API_API_H

#include "core/op.h"

/* Most a query copies from a provider beyond the fixed part. */
#define QUERY_BUF_MAX (1u << 20)

/*
 * Checks (and normalises into @out) call parameters for @dev at the app's
 * API @version; NULL @cp is fine. 0 or the LINEERR_ to return; @out is
 * written only on success.
 */
LONG api_params_check(const struct device *dev, uint32_t version,
                      const LINECALLPARAMS *cp, struct op_params *out);

/* spec: tapi-functions.md §1 — an app name TAPI accepts (NULL is one). */
LONG api_check_app_name(const char *name);

#endif /* TAPIX_API_API_H */
