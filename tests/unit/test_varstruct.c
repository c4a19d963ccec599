/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the variable-size structure convention (src/api/varstruct):
 * fixed sizes per version, LINECALLPARAMS checks, repacking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <tapix/tapix.h>

#include "api/varstruct.h"
#include "testhooks.h"
#include "util/mem.h"

static const struct vs_limits lim = {
	.num_addresses = 1,
	.bearer_modes = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA,
	.media_modes = LINEMEDIAMODE_INTERACTIVEVOICE | LINEMEDIAMODE_DATAMODEM,
	.max_rate = 64000,
	.uui_make = 16,
};

/* spec: tapi-functions.md §0.4 — the table of fixed sizes */
static void test_fixed_sizes_per_version(void **state)
{
	(void)state;
	assert_int_equal(vs_devcaps_fixed(0x00010004), 240);
	assert_int_equal(vs_devcaps_fixed(0x00020000), 252);
	assert_int_equal(vs_devcaps_fixed(0x00020001), 252);
	assert_int_equal(vs_devcaps_fixed(0x00020002), 268);
	assert_int_equal(vs_callinfo_fixed(0x00010004), 296);
	assert_int_equal(vs_callinfo_fixed(0x00020000), 324);
	assert_int_equal(vs_callinfo_fixed(0x00020002), 324);
	assert_int_equal(vs_callstatus_fixed(0x00010004), 36);
	assert_int_equal(vs_callstatus_fixed(0x00020002), 56);
	assert_int_equal(vs_callparams_fixed(0x00010004), 112);
	assert_int_equal(vs_callparams_fixed(0x00020000), 176);
	assert_int_equal(sizeof(LINECALLLIST), 24);
	assert_true(vs_version_known(0x00010004));
	assert_false(vs_version_known(0x00010003));
	assert_false(vs_version_known(0x00030000));
}

/* A 2.0 LINECALLPARAMS with room for variable parts. */
struct params_buf {
	LINECALLPARAMS p;
	char var[256];
};

static void params_init(struct params_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->p.dwTotalSize = sizeof(*b);
}

static void add_part(struct params_buf *b, size_t pair, uint32_t *used,
                     const void *data, uint32_t len)
{
	uint32_t off = (uint32_t)offsetof(struct params_buf, var) + *used;

	memcpy((char *)b + off, data, len);
	memcpy((char *)b + pair, &len, 4);
	memcpy((char *)b + pair + 4, &off, 4);
	*used += len;
}

static LONG check(struct params_buf *b, uint32_t ver)
{
	return vs_params_validate(&b->p, ver, &lim);
}

/* spec: tapi-functions.md §0.5 — every LINECALLPARAMS error */
static void test_params_errors(void **state)
{
	struct params_buf b;

	(void)state;
	params_init(&b);
	assert_int_equal(check(&b, 0x00020002), 0);

	b.p.dwTotalSize = 111;
	assert_int_equal(check(&b, 0x00020002), LINEERR_STRUCTURETOOSMALL);

	params_init(&b);
	b.p.dwCommentSize = 10;
	b.p.dwCommentOffset = 100; /* inside the fixed part */
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALCALLPARAMS);
	b.p.dwCommentOffset = sizeof(b) - 4; /* runs past the end */
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALCALLPARAMS);
	b.p.dwCommentOffset = 0xFFFFFFF8u; /* would overflow */
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALCALLPARAMS);

	params_init(&b);
	b.p.dwBearerMode = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALBEARERMODE);
	b.p.dwBearerMode = 0x100;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALBEARERMODE);
	b.p.dwBearerMode = LINEBEARERMODE_SPEECH;
	assert_int_equal(check(&b, 0x00020002), LINEERR_BEARERMODEUNAVAIL);

	params_init(&b);
	b.p.dwMinRate = 9600;
	b.p.dwMaxRate = 2400;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALRATE);
	b.p.dwMinRate = 128000;
	b.p.dwMaxRate = 256000;
	assert_int_equal(check(&b, 0x00020002), LINEERR_RATEUNAVAIL);

	params_init(&b);
	b.p.dwMediaMode =
		LINEMEDIAMODE_INTERACTIVEVOICE | LINEMEDIAMODE_DATAMODEM;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALMEDIAMODE);
	b.p.dwMediaMode = 1;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALMEDIAMODE);
	b.p.dwMediaMode = LINEMEDIAMODE_G3FAX; /* valid, not on this line */
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALMEDIAMODE);

	params_init(&b);
	b.p.dwCallParamFlags = 0x100;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALCALLPARAMS);

	params_init(&b);
	b.p.dwAddressMode = 4;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALADDRESSMODE);
	b.p.dwAddressMode = LINEADDRESSMODE_ADDRESSID;
	b.p.dwAddressID = 1;
	assert_int_equal(check(&b, 0x00020002), LINEERR_INVALADDRESSID);
	b.p.dwAddressMode = LINEADDRESSMODE_DIALABLEADDR;
	assert_int_equal(check(&b, 0x00020002), 0);

	params_init(&b);
	{
		uint32_t used = 0;
		char uui[17] = "0123456789abcdef";

		add_part(&b, offsetof(LINECALLPARAMS, dwUserUserInfoSize),
		         &used, uui, 17);
	}
	assert_int_equal(check(&b, 0x00020002), LINEERR_USERUSERINFOTOOBIG);
}

/* spec: §0.4 — fields beyond the app's version are ignored */
static void test_params_newer_fields_ignored_for_old_apps(void **state)
{
	struct params_buf b;

	(void)state;
	params_init(&b);
	b.p.dwTotalSize = 112;
	b.p.dwCallDataSize = 1000; /* a 2.0 field: garbage for a 1.4 app */
	b.p.dwCallDataOffset = 5;
	assert_int_equal(check(&b, 0x00010004), 0);
	b.p.dwTotalSize = sizeof(b);
	assert_int_equal(check(&b, 0x00010004), 0);
	assert_int_equal(check(&b, 0x00020000), LINEERR_INVALCALLPARAMS);
}

static void test_params_normalized_copy(void **state)
{
	struct params_buf b;
	struct vs_params out;
	uint32_t used = 0;
	const char *s;

	(void)state;
	params_init(&b);
	add_part(&b, offsetof(LINECALLPARAMS, dwCommentSize), &used, "hello",
	         5); /* not terminated: TAPI terminates its copy */
	add_part(&b, offsetof(LINECALLPARAMS, dwUserUserInfoSize), &used,
	         "\x01\x02\x03", 3);
	b.p.dwTotalSize = 112 + 64; /* parts lie after 176: a 2.0 layout */
	b.p.dwTotalSize = sizeof(b);
	assert_int_equal(vs_params_check(&b.p, 0x00020002, &lim, &out), 0);
	assert_int_equal(out.norm->dwBearerMode, LINEBEARERMODE_VOICE);
	assert_int_equal(out.norm->dwMediaMode, LINEMEDIAMODE_INTERACTIVEVOICE);
	assert_int_equal(out.norm->dwMaxRate, 64000);
	assert_int_equal(out.norm->dwAddressMode, LINEADDRESSMODE_ADDRESSID);
	assert_int_equal(out.norm->dwTotalSize, 176 + 8);
	assert_int_equal(out.norm->dwCommentSize, 5);
	assert_true(out.norm->dwCommentOffset >= 176);
	assert_memory_equal((char *)out.norm + out.norm->dwUserUserInfoOffset,
	                    "\x01\x02\x03", 3);
	s = out.comment;
	assert_string_equal(s, "hello");
	assert_null(out.displayable);
	vs_params_free(&out);
	assert_int_equal(mem_live(), 0);
}

static void test_params_out_of_memory_leaves_nothing(void **state)
{
	struct params_buf b;
	struct vs_params out;
	uint32_t used = 0;
	long n;

	(void)state;
	params_init(&b);
	add_part(&b, offsetof(LINECALLPARAMS, dwCommentSize), &used, "hi", 3);
	for (n = 0;; n++) {
		LONG r;

		tapix_test_fail_alloc(n);
		r = vs_params_check(&b.p, 0x00020002, &lim, &out);
		tapix_test_fail_alloc(-1);
		if (r == 0) {
			vs_params_free(&out);
			break;
		}
		assert_int_equal(r, LINEERR_NOMEM);
		assert_int_equal(mem_live(), 0);
	}
	assert_true(n >= 2);
	assert_int_equal(mem_live(), 0);
}

/*
 * A provider-filled LINECALLINFO in the 2.0 layout: its fixed part ends at
 * 324 (the 3.0 fields of the C structure are not part of it).
 */
struct info_buf {
	LINECALLINFO ci;
	char var[64];
};

static void provider_fill(struct info_buf *src)
{
	memset(src, 0, sizeof(*src));
	src->ci.dwTotalSize = sizeof(*src);
	src->ci.dwCallID = 42;
	src->ci.dwCallerIDSize = 4;
	src->ci.dwCallerIDOffset = 324;
	memcpy((char *)src + 324, "100", 4);
	src->ci.dwUserUserInfoSize = 8;
	src->ci.dwUserUserInfoOffset = 328;
	memcpy((char *)src + 328, "uuiuuiuu", 8);
	src->ci.dwCallDataSize = 2; /* a 2.0 part */
	src->ci.dwCallDataOffset = 336;
	memcpy((char *)src + 336, "cd", 2);
	src->ci.dwNeededSize = src->ci.dwUsedSize = 338;
}

/* spec: tapi-functions.md §0.4 — needed/used, never truncated */
static void test_repack_fits(void **state)
{
	struct info_buf src;
	char dst[512];
	LINECALLINFO *d = (LINECALLINFO *)dst;
	struct vs_extra ex = {offsetof(LINECALLINFO, dwAppNameSize), "app", 4};

	(void)state;
	provider_fill(&src);
	memset(dst, 0xAA, sizeof(dst));
	d->dwTotalSize = sizeof(dst);
	assert_int_equal(vs_repack(dst, 324, &src, 324, sizeof(src),
	                           &vs_callinfo_layout, &ex, 1),
	                 0);
	assert_int_equal(d->dwCallID, 42);
	assert_int_equal(d->dwNeededSize, 324 + 4 + 8 + 2 + 4);
	assert_int_equal(d->dwUsedSize, d->dwNeededSize);
	assert_string_equal(dst + d->dwCallerIDOffset, "100");
	assert_string_equal(dst + d->dwAppNameOffset, "app");
	assert_memory_equal(dst + d->dwUserUserInfoOffset, "uuiuuiuu", 8);
	assert_int_equal(d->dwCallDataSize, 2);
}

static void test_repack_too_small_omits_whole_parts(void **state)
{
	struct info_buf src;
	char dst[512];
	LINECALLINFO *d = (LINECALLINFO *)dst;

	(void)state;
	provider_fill(&src);
	memset(dst, 0, sizeof(dst));
	d->dwTotalSize = 324 + 10;
	vs_repack(dst, 324, &src, 324, sizeof(src), &vs_callinfo_layout, NULL,
	          0);
	assert_int_equal(d->dwNeededSize, 324 + 14);
	assert_true(d->dwUsedSize <= d->dwTotalSize);
	assert_true(d->dwNeededSize > d->dwUsedSize);
	/* the caller id fits (4); the UUI (8) does not after it */
	assert_int_equal(d->dwCallerIDSize, 4);
	assert_int_equal(d->dwUserUserInfoSize, 0);
	assert_int_equal(d->dwUserUserInfoOffset, 0);
}

/* spec: tapi-model.md §7 — down-translation for an older app */
static void test_repack_for_an_older_version(void **state)
{
	struct info_buf src;
	char dst[512];
	LINECALLINFO *d = (LINECALLINFO *)dst;

	(void)state;
	provider_fill(&src);
	memset(dst, 0x55, sizeof(dst));
	d->dwTotalSize = sizeof(dst);
	vs_repack(dst, 296, &src, 324, sizeof(src), &vs_callinfo_layout, NULL,
	          0);
	assert_int_equal(d->dwNeededSize, 296 + 12);
	assert_int_equal(d->dwUsedSize, 296 + 12);
	assert_true(d->dwCallerIDOffset >= 296);
	assert_string_equal(dst + d->dwCallerIDOffset, "100");
	/* nothing written past the 1.4 structure's used bytes */
	assert_int_equal((unsigned char)dst[296 + 12], 0x55);
}

static void test_repack_drops_bad_provider_parts(void **state)
{
	struct info_buf src;
	char dst[512];
	LINECALLINFO *d = (LINECALLINFO *)dst;

	(void)state;
	provider_fill(&src);
	src.ci.dwCallerIDOffset = 8;              /* inside the fixed part */
	src.ci.dwUserUserInfoOffset = 0x7FFFFFF0; /* outside the buffer */
	memset(dst, 0, sizeof(dst));
	d->dwTotalSize = sizeof(dst);
	assert_int_equal(vs_repack(dst, 324, &src, 324, sizeof(src),
	                           &vs_callinfo_layout, NULL, 0),
	                 2);
	assert_int_equal(d->dwCallerIDSize, 0);
	assert_int_equal(d->dwUserUserInfoSize, 0);
	assert_int_equal(d->dwCallDataSize, 2);
	/* a used size beyond the buffer: no variable part is trusted */
	provider_fill(&src);
	src.ci.dwUsedSize = 100000;
	vs_repack(dst, 324, &src, 324, sizeof(src), &vs_callinfo_layout, NULL,
	          0);
	assert_int_equal(d->dwCallerIDSize, 0);
	assert_int_equal(d->dwUsedSize, 324);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_sizes_per_version),
		cmocka_unit_test(test_params_errors),
		cmocka_unit_test(test_params_newer_fields_ignored_for_old_apps),
		cmocka_unit_test(test_params_normalized_copy),
		cmocka_unit_test(test_params_out_of_memory_leaves_nothing),
		cmocka_unit_test(test_repack_fits),
		cmocka_unit_test(test_repack_too_small_omits_whole_parts),
		cmocka_unit_test(test_repack_for_an_older_version),
		cmocka_unit_test(test_repack_drops_bad_provider_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
