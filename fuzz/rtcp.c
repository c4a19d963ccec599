/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: tsp_rtp's RTCP reader (providers/media/rtp/rtcp.h), which
 * reads compound packets from the network. Properties: what is accepted
 * begins with an SR or RR and keeps its counts within bounds; written
 * back, it is read back the same, and written again byte for byte alike.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz rtcp: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[4096], again[4096];
	struct rtcp_report r, back;
	int rc, n, m;
	unsigned i;

	rc = rtcp_parse(data, size, &r);
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc)
		return 0;
	CHECK(size >= 8 && size % 4 == 0);
	CHECK(data[1] == RTCP_SR || data[1] == RTCP_RR);
	CHECK(r.has_sr == (data[1] == RTCP_SR));
	CHECK(r.nrb <= RTCP_MAX_RB && r.nbye <= RTCP_MAX_BYE);
	CHECK(r.cname[r.cname_len] == '\0' && r.reason[r.reason_len] == '\0');
	for (i = 0; i < r.nrb; i++)
		CHECK(r.rb[i].lost >= -0x800000 && r.rb[i].lost <= 0x7FFFFF);

	n = rtcp_build(&r, out, sizeof(out));
	CHECK(n > 0 && n % 4 == 0);
	memset(&back, 0x5A, sizeof(back));
	CHECK(rtcp_parse(out, (size_t)n, &back) == 0);
	CHECK(back.nskipped == 0);
	back.nskipped = r.nskipped;
	CHECK(memcmp(&r, &back, sizeof(r)) == 0);
	m = rtcp_build(&back, again, sizeof(again));
	CHECK(m == n && memcmp(out, again, (size_t)n) == 0);
	CHECK(rtcp_build(&r, out, (size_t)n - 1) == -ENOSPC);
	return 0;
}
