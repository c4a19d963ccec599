/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dialling rules: the current location ([location] of tapix.conf) and
 * the translation of canonical addresses ("+CC (AREA) NUMBER") into the
 * string to dial from it, for lineTranslateAddress and the RAS phonebook
 * (UseDialingRules).
 */
#ifndef TAPIX_API_DIALRULES_H
#define TAPIX_API_DIALRULES_H

#include <stdbool.h>

#include <tapi.h>

#include "core/config.h"

#define DR_ADDR_MAX   256 /* bytes of an address, as lineMakeCall takes */
#define DR_PREFIX_MAX 16  /* bytes of a prefix or code of the location */

struct dr_location {
	unsigned country;                     /* its country code */
	char area[DR_PREFIX_MAX + 1];         /* its area code, or "" */
	char local[DR_PREFIX_MAX + 1];        /* outside line, local calls */
	char outside_ld[DR_PREFIX_MAX + 1];   /* outside line, long distance */
	char ld[DR_PREFIX_MAX + 1];           /* the long-distance prefix */
	char intl[DR_PREFIX_MAX + 1];         /* the international prefix */
	char call_waiting[DR_PREFIX_MAX + 1]; /* disables call waiting */
};

/*
 * The location of @c's [location] section (country, area, outside_local,
 * outside_long_distance, long_distance, international, call_waiting),
 * the defaults for what it does not say (country 1, long distance "1",
 * international "011"). 0, or LINEERR_INIFILECORRUPT for a value that is
 * not valid (logged).
 */
LONG dr_location(const struct conf *c, struct dr_location *loc);

/*
 * Translates @addr from @loc with LINETRANSLATEOPTION_ @options into
 * @out, whose dwTotalSize is at least its fixed size: the dialable and
 * displayable strings (or only dwNeededSize when they do not fit), the
 * countries and LINETRANSLATERESULT_ bits. 0, LINEERR_INVALADDRESS,
 * LINEERR_INVALPARAM, LINEERR_INVALCARD.
 */
LONG dr_translate(const struct dr_location *loc, const char *addr,
                  DWORD options, LPLINETRANSLATEOUTPUT out);

#endif
