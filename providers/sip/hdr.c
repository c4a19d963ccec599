/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIP header values as text (hdr.h). */
#include "hdr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Line breaks (which sofia-sip's parser should never leave) as spaces. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			*s = ' ';
}

/* @s into @out, cut to @size. */
static void cut(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(out, s, n);
	out[n] = '\0';
	one_line(out);
}

void sip_hdr_url(char *out, size_t size, const url_t *url)
{
	if (!size)
		return;
	if (!url || url_e(out, (isize_t)size, url) < 0 ||
	    strnlen(out, size) == size)
		out[0] = '\0';
	one_line(out);
}

void sip_hdr_display(char *out, size_t size, const char *display)
{
	size_t n;

	if (!size)
		return;
	out[0] = '\0';
	if (!display)
		return;
	if (*display == '"')
		display++;
	cut(out, size, display);
	n = strlen(out);
	if (n && out[n - 1] == '"')
		out[n - 1] = '\0';
}

void sip_hdr_reason(char *out, size_t size, const sip_reason_t *reason)
{
	size_t n;
	int i;

	if (!size)
		return;
	out[0] = '\0';
	if (!reason || !reason->re_protocol)
		return;
	cut(out, size, reason->re_protocol);
	for (i = 0; reason->re_params && reason->re_params[i]; i++) {
		n = strlen(out);
		snprintf(out + n, size - n, ";%s", reason->re_params[i]);
	}
	one_line(out);
}

void sip_hdr_call_id(char *out, size_t size, const sip_call_id_t *id)
{
	if (!size)
		return;
	out[0] = '\0';
	if (id && id->i_id && strlen(id->i_id) < size)
		cut(out, size, id->i_id);
}

char sip_hdr_info_digit(const sip_t *sip)
{
	const sip_payload_t *pl = sip ? sip->sip_payload : NULL;
	const char *type, *p;
	char body[128], digit = 0;

	if (!pl || !pl->pl_data || !pl->pl_len || pl->pl_len >= sizeof(body) ||
	    !sip->sip_content_type || !sip->sip_content_type->c_type)
		return '\0';
	type = sip->sip_content_type->c_type;
	memcpy(body, pl->pl_data, pl->pl_len);
	body[pl->pl_len] = '\0';
	if (!strcasecmp(type, "application/dtmf-relay")) {
		for (p = body; *p; p += strcspn(p, "\n"), p += *p == '\n') {
			p += strspn(p, " \t\r\n");
			if (!strncasecmp(p, "Signal", 6)) {
				p += 6 + strspn(p + 6, " \t");
				if (*p == '=') {
					p += 1 + strspn(p + 1, " \t");
					digit = *p;
				}
				break;
			}
		}
	} else if (!strcasecmp(type, "application/dtmf")) {
		p = body + strspn(body, " \t\r\n");
		digit = *p;
	}
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	if ((digit >= '0' && digit <= '9') || (digit >= 'A' && digit <= 'D') ||
	    digit == '*' || digit == '#')
		return digit;
	return '\0';
}
