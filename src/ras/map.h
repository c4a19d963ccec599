/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAPI → RAS mappings of ras.md §11.2, §11.3 and the accepted
 * structure sizes of §10, as pure functions (test_ras_map checks them).
 */
#ifndef TAPIX_RAS_MAP_H
#define TAPIX_RAS_MAP_H

#include <stdbool.h>

#include <ras.h>
#include <tapi.h>

/* A LINEERR_ of lineOpen / lineMakeCall → RAS error (§11.2). */
DWORD ras_map_lineerr(LONG err);

/* A LINEDISCONNECTMODE_ → RAS error, before or after RASCS_Connected
 * (§11.3). */
DWORD ras_map_disconnect(DWORD mode, bool connected);

/* ras.md §3.7 — the error of a dial that would pause in @state where
 * paused states are off (synchronous mode): 691, 648 or 703. */
DWORD ras_map_paused(RASCONNSTATE state);

/* Whether @size is in the 0-terminated list @sizes. */
bool ras_size_ok(const DWORD *sizes, DWORD size);

/* Accepted dwSize values (§10) on this platform, 0-terminated. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define RAS_SIZES_RASCONN                  \
	{                                  \
		416, 680, 696, 708, 724, 0 \
	}
#define RAS_SIZES_RASDIALPARAMS     \
	{                           \
		1052, 1064, 1068, 0 \
	}
#define RAS_SIZES_RASDIALEXTENSIONS \
	{                           \
		24, 44, 60, 0       \
	}
#else
#define RAS_SIZES_RASCONN                  \
	{                                  \
		412, 676, 692, 704, 720, 0 \
	}
#define RAS_SIZES_RASDIALPARAMS     \
	{                           \
		1052, 1060, 1064, 0 \
	}
#define RAS_SIZES_RASDIALEXTENSIONS \
	{                           \
		16, 28, 40, 0       \
	}
#endif
#define RAS_SIZES_RASCONNSTATUS  \
	{                        \
		160, 288, 332, 0 \
	}
#define RAS_SIZES_RASENTRYNAME \
	{                      \
		264, 532, 0    \
	}

#endif /* TAPIX_RAS_MAP_H */
