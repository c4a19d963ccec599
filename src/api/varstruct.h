/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Variable-size TAPI structures (spec: tapi-functions.md §0.4): fixed sizes
 * per API version, validation of LINECALLPARAMS, and repacking a structure
 * a provider filled into the app's buffer in the app's version's layout,
 * appending TAPI's own parts. Pure functions: no locks, no globals.
 */
#ifndef TAPIX_API_VARSTRUCT_H
#define TAPIX_API_VARSTRUCT_H

#include <stddef.h>
#include <stdint.h>

#include <tapi.h>

/* Fixed sizes for an API version (constants from the spec's table). */
uint32_t vs_devcaps_fixed(uint32_t api_version);
uint32_t vs_addresscaps_fixed(uint32_t api_version);
uint32_t vs_callinfo_fixed(uint32_t api_version);
uint32_t vs_callstatus_fixed(uint32_t api_version);
uint32_t vs_callparams_fixed(uint32_t api_version);
uint32_t vs_devstatus_fixed(uint32_t api_version);

/* True for the versions this implementation speaks (1.4 ... 2.2). */
int vs_version_known(uint32_t api_version);

/* What a device allows, for checking LINECALLPARAMS. */
struct vs_limits {
	uint32_t num_addresses;
	uint32_t bearer_modes;
	uint32_t media_modes;
	uint32_t max_rate;
	uint32_t uui_make;
};

/*
 * A checked LINECALLPARAMS in the 2.0 layout, defaults applied (bearer,
 * media, max rate), variable parts copied after the 176-byte fixed part.
 * Strings TAPI keeps for LINECALLINFO are NUL-terminated copies or NULL.
 */
struct vs_params {
	LINECALLPARAMS *norm; /* mem_alloc'd; pass to the provider */
	char *displayable;
	char *called_party;
	char *comment;
};

/*
 * Checks @cp (from an app of @api_version) against @lim and fills @out.
 * Returns 0, LINEERR_STRUCTURETOOSMALL, LINEERR_INVALCALLPARAMS,
 * LINEERR_INVALBEARERMODE, LINEERR_BEARERMODEUNAVAIL, LINEERR_INVALRATE,
 * LINEERR_RATEUNAVAIL, LINEERR_INVALMEDIAMODE, LINEERR_INVALADDRESSMODE,
 * LINEERR_INVALADDRESSID, LINEERR_USERUSERINFOTOOBIG or LINEERR_NOMEM.
 * @out is written only on success. @cp must hold dwTotalSize bytes.
 */
LONG vs_params_check(const LINECALLPARAMS *cp, uint32_t api_version,
                     const struct vs_limits *lim, struct vs_params *out);

/* As vs_params_check without building the copy (lineOpen, LINEMAPPER). */
LONG vs_params_validate(const LINECALLPARAMS *cp, uint32_t api_version,
                        const struct vs_limits *lim);

void vs_params_free(struct vs_params *p);

/* A variable part TAPI itself supplies (e.g. LINECALLINFO AppName). */
struct vs_extra {
	uint32_t pair; /* offset of its Size field in the structure */
	const void *data;
	uint32_t len; /* bytes including any terminator; 0 = absent */
};

/* Layout of one structure type: its Size/Offset pairs, in field order. */
struct vs_layout {
	const uint16_t *pairs; /* offsets of the Size fields */
	size_t npairs;
};

extern const struct vs_layout vs_callinfo_layout;
extern const struct vs_layout vs_callstatus_layout;
extern const struct vs_layout vs_devcaps_layout;
extern const struct vs_layout vs_addresscaps_layout;
extern const struct vs_layout vs_devstatus_layout;

/*
 * Copies @src (filled by a provider: fixed part @src_fixed bytes, buffer
 * @src_cap bytes) into @dst (the app's buffer: dwTotalSize already checked
 * to be >= @dst_fixed). Fixed fields are copied up to @dst_fixed; every
 * variable part is either copied whole after the fixed part or omitted;
 * parts the provider placed outside its buffer or overlapping its fixed
 * part are dropped. @extra parts replace the provider's for those pairs.
 * Sets dwNeededSize and dwUsedSize. Returns the number of provider parts
 * dropped as invalid (0 for a well-behaved provider).
 */
unsigned vs_repack(void *dst, uint32_t dst_fixed, const void *src,
                   uint32_t src_fixed, uint32_t src_cap,
                   const struct vs_layout *layout, const struct vs_extra *extra,
                   size_t nextra);

#endif /* TAPIX_API_VARSTRUCT_H */
