/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 7433 User-to-User coding and SIP status mapping (see uui.h). */
#include "uui.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define V20 0x00020000

size_t sip_uui_encode(char *out, size_t size, const uint8_t *data, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char param[] = ";encoding=hex";
	size_t i, n = 0;

	if (len == 0 || len > SIP_UUI_MAX || size < 2 * len + sizeof(param))
		return 0;
	for (i = 0; i < len; i++) {
		out[n++] = hex[data[i] >> 4];
		out[n++] = hex[data[i] & 15];
	}
	memcpy(out + n, param, sizeof(param));
	return n + sizeof(param) - 1;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n % 2)
		return false;
	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return false;
	return true;
}

/* A parameter "name=value" (value may be quoted) in [p, end). */
struct param {
	const char *name, *value;
	size_t name_len, value_len;
};

static bool param_is(const struct param *pr, const char *name,
                     const char *value)
{
	return pr->name_len == strlen(name) &&
	       strncasecmp(pr->name, name, pr->name_len) == 0 &&
	       (!value || (pr->value_len == strlen(value) &&
	                   strncasecmp(pr->value, value, pr->value_len) == 0));
}

/* Decodes one uui-value in [p, end); -1 if it cannot be used. */
static int decode_one(const char *p, const char *end, uint8_t *out, size_t max)
{
	const char *data;
	size_t data_len, i;
	bool quoted = false, hex = false, any_encoding = false;

	while (p < end && is_ws(*p))
		p++;
	if (p < end && *p == '"') {
		data = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			p++;
		}
		if (p == end)
			return -1; /* unterminated quoted string */
		data_len = (size_t)(p - data);
		p++;
		quoted = true;
	} else {
		data = p;
		while (p < end && *p != ';' && !is_ws(*p))
			p++;
		data_len = (size_t)(p - data);
	}
	if (data_len == 0)
		return -1;
	/* parameters */
	while (p < end) {
		struct param pr;

		while (p < end && is_ws(*p))
			p++;
		if (p == end)
			break;
		if (*p != ';')
			return -1;
		p++;
		while (p < end && is_ws(*p))
			p++;
		pr.name = p;
		while (p < end && *p != '=' && *p != ';' && !is_ws(*p))
			p++;
		pr.name_len = (size_t)(p - pr.name);
		while (p < end && is_ws(*p))
			p++;
		pr.value = p;
		pr.value_len = 0;
		if (p < end && *p == '=') {
			p++;
			while (p < end && is_ws(*p))
				p++;
			pr.value = p;
			if (p < end && *p == '"') {
				pr.value = ++p;
				while (p < end && *p != '"')
					p++;
				if (p == end)
					return -1;
				pr.value_len = (size_t)(p - pr.value);
				p++;
			} else {
				while (p < end && *p != ';' && !is_ws(*p))
					p++;
				pr.value_len = (size_t)(p - pr.value);
			}
		}
		if (pr.name_len == 0)
			return -1;
		if (param_is(&pr, "encoding", NULL)) {
			any_encoding = true;
			hex = param_is(&pr, "encoding", "hex");
		} else if (param_is(&pr, "purpose", NULL) &&
		           !param_is(&pr, "purpose", "isdn-uui")) {
			return -1; /* another application's UUI */
		}
	}
	if (any_encoding && !hex)
		return -1;
	if (!any_encoding && !quoted && all_hex(data, data_len))
		hex = true;
	if (hex) {
		if (quoted || !all_hex(data, data_len) || data_len / 2 > max)
			return -1;
		for (i = 0; i < data_len / 2; i++)
			out[i] = (uint8_t)(hexval(data[2 * i]) << 4 |
			                   hexval(data[2 * i + 1]));
		return (int)(data_len / 2);
	}
	/* raw bytes (quoted-pair escapes removed) */
	{
		size_t n = 0;

		for (i = 0; i < data_len; i++) {
			if (quoted && data[i] == '\\' && i + 1 < data_len)
				i++;
			if (n == max)
				return -1;
			out[n++] = (uint8_t)data[i];
		}
		return (int)n;
	}
}

int sip_uui_decode(const char *value, uint8_t *out, size_t max)
{
	const char *p = value, *start = value;
	bool quoted = false;

	if (!value)
		return -1;
	for (;; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (quoted && *p == '\\' && p[1])
			p++;
		else if (*p == '\0' || (*p == ',' && !quoted)) {
			int n = decode_one(start, p, out, max);

			if (n >= 0)
				return n;
			if (*p == '\0')
				return -1;
			start = p + 1;
		}
	}
}

/* Modes added in TAPI 2.0 fall back to UNAVAIL for older lines. */
static DWORD mode_for(DWORD mode, DWORD version)
{
	if (version < V20 && mode >= LINEDISCONNECTMODE_NUMBERCHANGED)
		return LINEDISCONNECTMODE_UNAVAIL;
	return mode;
}

struct sip_outcome sip_status_outcome(int status, DWORD version)
{
	struct sip_outcome o = {LINECALLSTATE_DISCONNECTED,
	                        LINEDISCONNECTMODE_UNKNOWN};
	DWORD m;

	switch (status) {
	case 486: /* Busy Here */
	case 600: /* Busy Everywhere */
		o.state = LINECALLSTATE_BUSY;
		o.mode = LINEBUSYMODE_STATION;
		return o;
	case 404: /* Not Found */
	case 416: /* Unsupported URI Scheme */
	case 484: /* Address Incomplete */
	case 485: /* Ambiguous */
	case 604: /* Does Not Exist Anywhere */
		m = LINEDISCONNECTMODE_BADADDRESS;
		break;
	case 410: /* Gone */
		m = LINEDISCONNECTMODE_NUMBERCHANGED;
		break;
	case 480: /* Temporarily Unavailable */
		m = LINEDISCONNECTMODE_UNAVAIL;
		break;
	case 408: /* Request Timeout: nobody answered the INVITE */
	case 487: /* Request Terminated (not by us): no answer in time */
		m = LINEDISCONNECTMODE_NOANSWER;
		break;
	case 401: /* Unauthorized, 407 Proxy Auth., 904 no matching */
	case 407: /* challenge or wrong credentials */
	case 904:
	case 403: /* Forbidden */
		m = LINEDISCONNECTMODE_BLOCKED;
		break;
	case 603: /* Decline */
		m = LINEDISCONNECTMODE_REJECT;
		break;
	case 488: /* Not Acceptable Here */
	case 606: /* Not Acceptable */
	case 415: /* Unsupported Media Type */
	case 420: /* Bad Extension */
		m = LINEDISCONNECTMODE_INCOMPATIBLE;
		break;
	case 503: /* Service Unavailable */
		m = LINEDISCONNECTMODE_CONGESTION;
		break;
	case 502: /* Bad Gateway */
	case 504: /* Server Time-out */
		m = LINEDISCONNECTMODE_UNREACHABLE;
		break;
	default:
		if (status >= 300 && status < 400)
			m = LINEDISCONNECTMODE_FORWARDED;
		else if (status >= 500 && status < 600)
			m = LINEDISCONNECTMODE_TEMPFAILURE;
		else if (status >= 600 && status < 700)
			m = LINEDISCONNECTMODE_REJECT;
		else if (status >= 900)
			m = LINEDISCONNECTMODE_UNREACHABLE; /* no transport */
		else
			m = LINEDISCONNECTMODE_UNKNOWN;
		break;
	}
	o.mode = mode_for(m, version);
	return o;
}

DWORD sip_lost_mode(int status, DWORD version)
{
	if (status < 300)
		return LINEDISCONNECTMODE_NORMAL;
	if (status == 408 || status == 503 || status >= 900)
		return LINEDISCONNECTMODE_UNREACHABLE;
	(void)version;
	return LINEDISCONNECTMODE_UNKNOWN;
}
