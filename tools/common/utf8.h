/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UTF-8 at the edges where text from the network leaves tapix: D-Bus
 * strings (tapixd) and JSON (tapictl). Both refuse invalid UTF-8, so a
 * caller name with stray bytes would break the whole message.
 */
#ifndef TAPIX_TOOLS_UTF8_H
#define TAPIX_TOOLS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at @s (at most @n bytes): 1 -
 * 4, or 0 if the bytes there are not one (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF).
 */
size_t utf8_seq(const unsigned char *s, size_t n);

/* Whether the NUL-terminated @s is valid UTF-8. */
bool utf8_valid(const char *s);

/*
 * Copies the NUL-terminated @in into @out (@size bytes, at least 1) with
 * every byte that does not belong to a valid sequence replaced by U+FFFD
 * and control characters other than tab kept out as U+FFFD too; cut at a
 * whole character to fit. @return @out.
 */
char *utf8_clean(char *out, size_t size, const char *in);

#endif /* TAPIX_TOOLS_UTF8_H */
