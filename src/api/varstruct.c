/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Variable-size structures: sizes, LINECALLPARAMS checks, repacking. */
#include "api/varstruct.h"

#include <stddef.h>
#include <string.h>

#include "util/mem.h"

#define VER_1_4 0x00010004u
#define VER_2_0 0x00020000u
#define VER_2_1 0x00020001u
#define VER_2_2 0x00020002u

#define PARAMS_FIXED_14 offsetof(LINECALLPARAMS, dwPredictiveAutoTransferStates)
#define PARAMS_FIXED_20 offsetof(LINECALLPARAMS, dwAddressType)

static uint32_t get32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)base + off, sizeof(v));
	return v;
}

static void put32(void *base, size_t off, uint32_t v)
{
	memcpy((uint8_t *)base + off, &v, sizeof(v));
}

int vs_version_known(uint32_t v)
{
	return v == VER_1_4 || v == VER_2_0 || v == VER_2_1 || v == VER_2_2;
}

/* spec: tapi-functions.md §0.4 — fixed sizes per negotiated version */
uint32_t vs_devcaps_fixed(uint32_t v)
{
	if (v < VER_2_0)
		return offsetof(LINEDEVCAPS, dwSettableDevStatus); /* 240 */
	if (v < VER_2_2)
		return offsetof(LINEDEVCAPS, PermanentLineGuid); /* 252 */
	return offsetof(LINEDEVCAPS, dwAddressTypes);            /* 268 */
}

uint32_t vs_addresscaps_fixed(uint32_t v)
{
	if (v < VER_2_0)
		return offsetof(LINEADDRESSCAPS,
		                dwPredictiveAutoTransferStates); /* 180 */
	return sizeof(LINEADDRESSCAPS);                          /* 228 */
}

uint32_t vs_callinfo_fixed(uint32_t v)
{
	if (v < VER_2_0)
		return offsetof(LINECALLINFO, dwCallTreatment); /* 296 */
	return offsetof(LINECALLINFO, dwCallerIDAddressType);   /* 324 */
}

uint32_t vs_callstatus_fixed(uint32_t v)
{
	if (v < VER_2_0)
		return offsetof(LINECALLSTATUS, dwCallFeatures2); /* 36 */
	return sizeof(LINECALLSTATUS);                            /* 56 */
}

uint32_t vs_devstatus_fixed(uint32_t v)
{
	if (v < VER_2_0)
		return offsetof(LINEDEVSTATUS, dwAvailableMediaModes); /* 76 */
	return sizeof(LINEDEVSTATUS);                                  /* 88 */
}

uint32_t vs_callparams_fixed(uint32_t v)
{
	return v < VER_2_0 ? PARAMS_FIXED_14 : PARAMS_FIXED_20;
}

#define P(type, field) (uint16_t) offsetof(type, field)

static const uint16_t callinfo_pairs[] = {
	P(LINECALLINFO, dwCallerIDSize),
	P(LINECALLINFO, dwCallerIDNameSize),
	P(LINECALLINFO, dwCalledIDSize),
	P(LINECALLINFO, dwCalledIDNameSize),
	P(LINECALLINFO, dwConnectedIDSize),
	P(LINECALLINFO, dwConnectedIDNameSize),
	P(LINECALLINFO, dwRedirectionIDSize),
	P(LINECALLINFO, dwRedirectionIDNameSize),
	P(LINECALLINFO, dwRedirectingIDSize),
	P(LINECALLINFO, dwRedirectingIDNameSize),
	P(LINECALLINFO, dwAppNameSize),
	P(LINECALLINFO, dwDisplayableAddressSize),
	P(LINECALLINFO, dwCalledPartySize),
	P(LINECALLINFO, dwCommentSize),
	P(LINECALLINFO, dwDisplaySize),
	P(LINECALLINFO, dwUserUserInfoSize),
	P(LINECALLINFO, dwHighLevelCompSize),
	P(LINECALLINFO, dwLowLevelCompSize),
	P(LINECALLINFO, dwChargingInfoSize),
	P(LINECALLINFO, dwTerminalModesSize),
	P(LINECALLINFO, dwDevSpecificSize),
	P(LINECALLINFO, dwCallDataSize),
	P(LINECALLINFO, dwSendingFlowspecSize),
	P(LINECALLINFO, dwReceivingFlowspecSize),
};

static const uint16_t callstatus_pairs[] = {
	P(LINECALLSTATUS, dwDevSpecificSize),
};

static const uint16_t devcaps_pairs[] = {
	P(LINEDEVCAPS, dwProviderInfoSize),  P(LINEDEVCAPS, dwSwitchInfoSize),
	P(LINEDEVCAPS, dwLineNameSize),      P(LINEDEVCAPS, dwTerminalCapsSize),
	P(LINEDEVCAPS, dwTerminalTextSize),  P(LINEDEVCAPS, dwDevSpecificSize),
	P(LINEDEVCAPS, dwDeviceClassesSize),
};

static const uint16_t devstatus_pairs[] = {
	P(LINEDEVSTATUS, dwTerminalModesSize),
	P(LINEDEVSTATUS, dwDevSpecificSize),
	P(LINEDEVSTATUS, dwAppInfoSize),
};

static const uint16_t addresscaps_pairs[] = {
	P(LINEADDRESSCAPS, dwAddressSize),
	P(LINEADDRESSCAPS, dwDevSpecificSize),
	P(LINEADDRESSCAPS, dwCompletionMsgTextSize),
	P(LINEADDRESSCAPS, dwCallTreatmentListSize),
	P(LINEADDRESSCAPS, dwDeviceClassesSize),
};

static const uint16_t params_pairs[] = {
	P(LINECALLPARAMS, dwOrigAddressSize),
	P(LINECALLPARAMS, dwDisplayableAddressSize),
	P(LINECALLPARAMS, dwCalledPartySize),
	P(LINECALLPARAMS, dwCommentSize),
	P(LINECALLPARAMS, dwUserUserInfoSize),
	P(LINECALLPARAMS, dwHighLevelCompSize),
	P(LINECALLPARAMS, dwLowLevelCompSize),
	P(LINECALLPARAMS, dwDevSpecificSize),
	P(LINECALLPARAMS, dwTargetAddressSize),
	P(LINECALLPARAMS, dwSendingFlowspecSize),
	P(LINECALLPARAMS, dwReceivingFlowspecSize),
	P(LINECALLPARAMS, dwDeviceClassSize),
	P(LINECALLPARAMS, dwDeviceConfigSize),
	P(LINECALLPARAMS, dwCallDataSize),
	P(LINECALLPARAMS, dwCallingPartyIDSize),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct vs_layout vs_callinfo_layout = {callinfo_pairs, N(callinfo_pairs)};
const struct vs_layout vs_callstatus_layout = {callstatus_pairs,
                                               N(callstatus_pairs)};
const struct vs_layout vs_devcaps_layout = {devcaps_pairs, N(devcaps_pairs)};
const struct vs_layout vs_devstatus_layout = {devstatus_pairs,
                                              N(devstatus_pairs)};
const struct vs_layout vs_addresscaps_layout = {addresscaps_pairs,
                                                N(addresscaps_pairs)};

/* A single set bit of @mask, or 0. */
static int one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * Checks everything but the copy; *fixed receives the fixed size the
 * structure is read with (fields beyond the app's version are ignored).
 */
static LONG check(const LINECALLPARAMS *cp, uint32_t api_version,
                  const struct vs_limits *lim, uint32_t *fixed)
{
	uint32_t total = cp->dwTotalSize;
	uint32_t f, bearer, media, maxrate;
	size_t i;

	/* spec: tapi-functions.md §0.4 input structures, §0.5 */
	if (total < PARAMS_FIXED_14)
		return LINEERR_STRUCTURETOOSMALL;
	f = (api_version >= VER_2_0 && total >= PARAMS_FIXED_20)
	            ? PARAMS_FIXED_20
	            : PARAMS_FIXED_14;
	for (i = 0; i < N(params_pairs); i++) {
		uint32_t size, off;

		if (params_pairs[i] >= f)
			break;
		size = get32(cp, params_pairs[i]);
		off = get32(cp, params_pairs[i] + 4u);
		if (size == 0)
			continue;
		if (off < f || off > total || size > total - off)
			return LINEERR_INVALCALLPARAMS;
	}
	bearer = cp->dwBearerMode ? cp->dwBearerMode : LINEBEARERMODE_VOICE;
	if (!one_bit(bearer) || bearer > LINEBEARERMODE_RESTRICTEDDATA)
		return LINEERR_INVALBEARERMODE;
	if (!(bearer & lim->bearer_modes))
		return LINEERR_BEARERMODEUNAVAIL;
	maxrate = cp->dwMaxRate ? cp->dwMaxRate : lim->max_rate;
	if (cp->dwMinRate > maxrate)
		return LINEERR_INVALRATE;
	if (lim->max_rate && cp->dwMinRate > lim->max_rate)
		return LINEERR_RATEUNAVAIL;
	media = cp->dwMediaMode ? cp->dwMediaMode
	                        : LINEMEDIAMODE_INTERACTIVEVOICE;
	if (!one_bit(media) || media < LINEMEDIAMODE_UNKNOWN ||
	    media > LINEMEDIAMODE_VIDEO || !(media & lim->media_modes))
		return LINEERR_INVALMEDIAMODE;
	/* spec: §0.5 [proposal] — unknown flag bits are invalid */
	if (cp->dwCallParamFlags & ~(uint32_t)0xFF)
		return LINEERR_INVALCALLPARAMS;
	switch (cp->dwAddressMode) {
	case 0: /* zeroed by many apps: taken as ADDRESSID */
	case LINEADDRESSMODE_ADDRESSID:
		if (cp->dwAddressID >= lim->num_addresses)
			return LINEERR_INVALADDRESSID;
		break;
	case LINEADDRESSMODE_DIALABLEADDR:
		break;
	default:
		return LINEERR_INVALADDRESSMODE;
	}
	if (cp->dwUserUserInfoSize > lim->uui_make)
		return LINEERR_USERUSERINFOTOOBIG;
	*fixed = f;
	return 0;
}

LONG vs_params_validate(const LINECALLPARAMS *cp, uint32_t api_version,
                        const struct vs_limits *lim)
{
	uint32_t fixed;

	return check(cp, api_version, lim, &fixed);
}

/* A NUL-terminated copy of a text part, or NULL when absent. */
static char *text_part(const LINECALLPARAMS *cp, size_t pair, int *oom)
{
	uint32_t size = get32(cp, pair), off = get32(cp, pair + 4);
	const char *p = (const char *)cp + off;
	size_t len;
	char *s;

	if (size == 0)
		return NULL;
	len = strnlen(p, size);
	s = mem_alloc(len + 1);
	if (!s) {
		*oom = 1;
		return NULL;
	}
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

void vs_params_free(struct vs_params *p)
{
	mem_free(p->norm);
	mem_free(p->displayable);
	mem_free(p->called_party);
	mem_free(p->comment);
	memset(p, 0, sizeof(*p));
}

LONG vs_params_check(const LINECALLPARAMS *cp, uint32_t api_version,
                     const struct vs_limits *lim, struct vs_params *out)
{
	struct vs_params p;
	uint32_t fixed, total, used;
	size_t i;
	int oom = 0;
	LONG r;

	r = check(cp, api_version, lim, &fixed);
	if (r)
		return r;
	memset(&p, 0, sizeof(p));
	total = PARAMS_FIXED_20;
	for (i = 0; i < N(params_pairs) && params_pairs[i] < fixed; i++)
		total += get32(cp, params_pairs[i]);
	p.norm = mem_zalloc(sizeof(LINECALLPARAMS) + total - PARAMS_FIXED_20);
	if (!p.norm)
		return LINEERR_NOMEM;
	memcpy(p.norm, cp, fixed);
	p.norm->dwTotalSize = total;
	if (!p.norm->dwBearerMode)
		p.norm->dwBearerMode = LINEBEARERMODE_VOICE;
	if (!p.norm->dwMediaMode)
		p.norm->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	if (!p.norm->dwMaxRate)
		p.norm->dwMaxRate = lim->max_rate;
	if (!p.norm->dwAddressMode)
		p.norm->dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	/* Variable parts follow the 2.0 fixed part; offsets rewritten. */
	used = PARAMS_FIXED_20;
	for (i = 0; i < N(params_pairs); i++) {
		uint32_t size = 0, off = 0;

		if (params_pairs[i] < fixed) {
			size = get32(cp, params_pairs[i]);
			off = get32(cp, params_pairs[i] + 4u);
		}
		if (size == 0) {
			put32(p.norm, params_pairs[i], 0);
			put32(p.norm, params_pairs[i] + 4u, 0);
			continue;
		}
		memcpy((uint8_t *)p.norm + used, (const uint8_t *)cp + off,
		       size);
		put32(p.norm, params_pairs[i], size);
		put32(p.norm, params_pairs[i] + 4u, used);
		used += size;
	}
	p.displayable = text_part(
		cp, offsetof(LINECALLPARAMS, dwDisplayableAddressSize), &oom);
	p.called_party = text_part(
		cp, offsetof(LINECALLPARAMS, dwCalledPartySize), &oom);
	p.comment =
		text_part(cp, offsetof(LINECALLPARAMS, dwCommentSize), &oom);
	if (oom) {
		vs_params_free(&p);
		return LINEERR_NOMEM;
	}
	*out = p;
	return 0;
}

unsigned vs_repack(void *dst, uint32_t dst_fixed, const void *src,
                   uint32_t src_fixed, uint32_t src_cap,
                   const struct vs_layout *layout, const struct vs_extra *extra,
                   size_t nextra)
{
	uint32_t dst_total = get32(dst, 0);
	uint32_t src_used = get32(src, 8), src_needed = get32(src, 4);
	uint32_t copy = dst_fixed < src_fixed ? dst_fixed : src_fixed;
	uint64_t needed;
	uint32_t used = dst_fixed;
	unsigned dropped = 0;
	size_t i, j;

	if (src_used < src_fixed || src_used > src_cap)
		src_used =
			src_fixed; /* a provider bug: trust nothing variable */
	if (src_needed < src_used)
		src_needed = src_used;
	memcpy((uint8_t *)dst + 12, (const uint8_t *)src + 12, copy - 12);
	if (dst_fixed > copy)
		memset((uint8_t *)dst + copy, 0, dst_fixed - copy);
	/* Parts the provider could not fit count in full, as it said. */
	needed = (uint64_t)dst_fixed + (src_needed - src_used);

	for (i = 0; i < layout->npairs; i++) {
		uint32_t pair = layout->pairs[i];
		uint32_t size = 0, off = 0;
		const uint8_t *data = NULL;
		int mine = 0;

		if (pair + 8u > dst_fixed)
			break; /* not in the app's version */
		for (j = 0; j < nextra; j++) {
			if (extra[j].pair == pair) {
				mine = 1;
				size = extra[j].len;
				data = extra[j].data;
			}
		}
		if (!mine && pair + 8u <= src_fixed) {
			size = get32(src, pair);
			off = get32(src, pair + 4u);
			if (size && (off < src_fixed || off > src_used ||
			             size > src_used - off)) {
				dropped++;
				size = 0;
			}
			data = (const uint8_t *)src + off;
		}
		put32(dst, pair, 0);
		put32(dst, pair + 4u, 0);
		if (size == 0)
			continue;
		needed += size;
		/*
		 * spec: §0.4 — a variable part is never truncated: it is
		 * either present whole or omitted.
		 */
		if (size <= dst_total - used) {
			memcpy((uint8_t *)dst + used, data, size);
			put32(dst, pair, size);
			put32(dst, pair + 4u, used);
			used += size;
		}
	}
	if (needed > 0xFFFFFFFFu)
		needed = 0xFFFFFFFFu;
	put32(dst, 4, (uint32_t)needed);
	put32(dst, 8, used);
	return dropped;
}
