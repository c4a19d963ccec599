/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip: the TSPI call functions. Each checks what it can here, records its
 * request as outstanding on the call and queues a command; the stack
 * thread does the SIP part and completes the request (stack.c).
 */
#include "sip.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/url.h>

/*
 * Turns a dialable address into a SIP URI in @out: a sip:/sips: URI is
 * taken as it is, "user@host" gets "sip:", anything else is a user part
 * (digits, '+', '*', '#', letters; blanks, '-', '(' and ')' dropped) at the
 * account's domain. Returns 0 or the LINEERR_ of the first character that
 * cannot be dialed (spec: tspi.md §6 TSPI_lineMakeCall — checked before
 * anything is dialed).
 */
static LONG dest_uri_text(const struct line *l, const char *dest, char *out,
                          size_t size)
{
	char user[SIP_STR];
	const char *host, *p;
	size_t n = 0;
	int w;

	if (strlen(dest) >= SIP_STR - 8)
		return LINEERR_INVALADDRESS;
	for (p = dest; *p; p++)
		if ((unsigned char)*p <= ' ' ? *p != ' ' : *p == 0x7f)
			return LINEERR_INVALADDRESS;
	if (strncmp(dest, "sip:", 4) == 0 || strncmp(dest, "sips:", 5) == 0) {
		p = strchr(dest, ':') + 1;
		if (!*p || *p == '@' || strpbrk(dest, " <>\""))
			return LINEERR_INVALADDRESS;
		tsp_copy_str(out, size, dest);
		return 0;
	}
	if (strchr(dest, '@')) {
		if (strpbrk(dest, " <>\":") || dest[0] == '@' ||
		    !strchr(dest, '@')[1])
			return LINEERR_INVALADDRESS;
		w = snprintf(out, size, "sip:%s", dest);
		return w > 0 && (size_t)w < size ? 0 : LINEERR_INVALADDRESS;
	}
	for (p = dest; *p; p++) {
		switch (*p) {
		case '$':
			return LINEERR_DIALBILLING;
		case 'W':
		case 'w':
			return LINEERR_DIALDIALTONE;
		case '?':
			return LINEERR_DIALPROMPT;
		case ' ':
		case '-':
		case '(':
		case ')':
			continue;
		default:
			if (!isalnum((unsigned char)*p) && *p != '+' &&
			    *p != '*' && *p != '#' && *p != '.' && *p != '_')
				return LINEERR_INVALADDRESS;
			user[n++] = *p;
		}
	}
	user[n] = '\0';
	if (n == 0)
		return LINEERR_INVALADDRESS;
	if (l->cfg.domain[0]) {
		host = l->cfg.domain;
	} else {
		host = strchr(l->cfg.aor, '@') + 1; /* checked by the config */
	}
	w = snprintf(out, size, "sip:%s@%s", user, host);
	return w > 0 && (size_t)w < size ? 0 : LINEERR_INVALADDRESS;
}

/* ... and the result must be a SIP URI with a host (url_d is pure code). */
static LONG dest_uri(const struct line *l, const char *dest, char *out,
                     size_t size)
{
	char copy[SIP_STR];
	url_t url;
	LONG r = dest_uri_text(l, dest, out, size);

	if (r)
		return r;
	tsp_copy_str(copy, sizeof(copy), out);
	if (url_d(&url, copy) < 0 ||
	    (url.url_type != url_sip && url.url_type != url_sips) ||
	    !url.url_host || !*url.url_host)
		return LINEERR_INVALADDRESS;
	return 0;
}

/* The UUI a LINECALLPARAMS carries (TAPI checked offsets and sizes). */
static LONG params_uui(LPLINECALLPARAMS const cp, const uint8_t **uui,
                       DWORD *len)
{
	*uui = NULL;
	*len = 0;
	if (!cp || !cp->dwUserUserInfoSize)
		return 0;
	if (cp->dwUserUserInfoSize > SIP_UUI_MAX)
		return LINEERR_USERUSERINFOTOOBIG;
	*uui = (const uint8_t *)cp + cp->dwUserUserInfoOffset;
	*len = cp->dwUserUserInfoSize;
	return 0;
}

/* Queues @op for @c with @uui; the request @req is outstanding. */
static LONG request_ex(struct call *c, enum cmd_op op, enum op pop,
                       DRV_REQUESTID req, const void *uui, DWORD len,
                       const char *dest, DWORD hint)
{
	struct cmd *m;

	if (len > SIP_UUI_MAX)
		return LINEERR_USERUSERINFOTOOBIG;
	m = cmd_new(op, c);
	if (!m)
		return LINEERR_NOMEM;
	if (!pend_add(c, req, pop)) {
		free(m);
		return LINEERR_RESOURCEUNAVAIL;
	}
	m->req = req;
	if (len)
		memcpy(m->uui, uui, len);
	m->uui_len = len;
	if (dest)
		tsp_copy_str(m->dest, sizeof(m->dest), dest);
	m->hint = hint;
	cmd_post(m);
	return (LONG)req;
}

static LONG request(struct call *c, enum cmd_op op, enum op pop,
                    DRV_REQUESTID req, const void *uui, DWORD len,
                    const char *dest)
{
	return request_ex(c, op, pop, req, uui, len, dest, 0);
}

SIP_EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID dwRequestID,
                                          HDRVLINE hdLine, HTAPICALL htCall,
                                          LPHDRVCALL lphdCall,
                                          LPCSTR lpszDestAddress,
                                          DWORD dwCountryCode,
                                          LPLINECALLPARAMS const lpCallParams)
{
	char uri[SIP_STR] = "";
	const uint8_t *uui;
	struct line *l;
	struct call *c;
	DWORD len;
	LONG r;

	(void)dwCountryCode;
	pthread_mutex_lock(&sip.lock);
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (l->reg == REG_FAILED) {
		r = LINEERR_INVALLINESTATE; /* not registered: out of service */
		goto out;
	}
	if (lpCallParams &&
	    (lpCallParams->dwMediaMode & ~LINEMEDIAMODE_INTERACTIVEVOICE)) {
		r = LINEERR_INVALMEDIAMODE;
		goto out;
	}
	if (lpCallParams && lpCallParams->dwBearerMode &&
	    lpCallParams->dwBearerMode != LINEBEARERMODE_VOICE) {
		r = LINEERR_INVALBEARERMODE;
		goto out;
	}
	r = params_uui(lpCallParams, &uui, &len);
	if (r)
		goto out;
	if (lpszDestAddress && *lpszDestAddress) {
		r = dest_uri(l, lpszDestAddress, uri, sizeof(uri));
		if (r)
			goto out;
	}
	c = call_new(l);
	if (!c) {
		r = LINEERR_NOMEM;
		goto out;
	}
	c->ht = htCall;
	c->outgoing = true;
	tsp_copy_str(c->local, sizeof(c->local), l->cfg.aor);
	tsp_copy_str(c->remote, sizeof(c->remote), uri);
	if (lpszDestAddress)
		tsp_copy_str(c->dialed, sizeof(c->dialed), lpszDestAddress);
	/* no destination: DIALTONE, the number comes with lineDial */
	r = request(c, C_INVITE, OP_MAKECALL, dwRequestID, uui, len,
	            uri[0] ? uri : NULL);
	if (r < 0) {
		c->tapi_closed = true;
		call_maybe_free(c);
		goto out;
	}
	*lphdCall = (HDRVCALL)(uintptr_t)c->h;
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineDial(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall, LPCSTR lpszDestAddress,
                                      DWORD dwCountryCode)
{
	char uri[SIP_STR];
	struct call *c;
	LONG r;

	(void)dwCountryCode;
	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
	} else if (c->state != LINECALLSTATE_DIALTONE || c->nh) {
		r = LINEERR_INVALCALLSTATE;
	} else if (!lpszDestAddress || !*lpszDestAddress) {
		r = LINEERR_INVALADDRESS;
	} else if ((r = dest_uri(c->line, lpszDestAddress, uri, sizeof(uri))) ==
	           0) {
		tsp_copy_str(c->remote, sizeof(c->remote), uri);
		tsp_copy_str(c->dialed, sizeof(c->dialed), lpszDestAddress);
		r = request(c, C_INVITE, OP_DIAL, dwRequestID, NULL, 0, uri);
	}
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineAccept(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state != LINECALLSTATE_OFFERING)
		r = LINEERR_INVALCALLSTATE;
	else
		r = request(c, C_ACCEPT, OP_ACCEPT, dwRequestID,
		            lpsUserUserInfo, dwSize, NULL);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineAnswer(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state != LINECALLSTATE_OFFERING &&
	         c->state != LINECALLSTATE_ACCEPTED)
		r = LINEERR_INVALCALLSTATE;
	else
		r = request(c, C_ANSWER, OP_ANSWER, dwRequestID,
		            lpsUserUserInfo, dwSize, NULL);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

static LONG drop(DRV_REQUESTID req, HDRVCALL hd, LPCSTR uui, DWORD size,
                 DWORD hint)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hd);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state == LINECALLSTATE_IDLE)
		r = LINEERR_INVALCALLSTATE;
	else
		r = request_ex(c, C_DROP, OP_DROP, req, uui, size, NULL, hint);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                      DWORD dwSize)
{
	return drop(dwRequestID, hdCall, lpsUserUserInfo, dwSize, 0);
}

/*
 * The hint chooses the response to an offered call (tapix-sip(7)):
 * REJECT 603 Decline, NOANSWER 480 Temporarily Unavailable, BUSY 486 Busy
 * Here, NORMAL the account's reject_status; CANCELLED (and any hint on a
 * call past ringing) changes nothing: CANCEL or BYE as for TSPI_lineDrop.
 */
SIP_EXPORT LONG TSPIAPI TSPIX_lineDropEx(DRV_REQUESTID dwRequestID,
                                         HDRVCALL hdCall,
                                         LPCSTR lpsUserUserInfo, DWORD dwSize,
                                         DWORD dwDisconnectModeHint)
{
	switch (dwDisconnectModeHint) {
	case LINEDISCONNECTMODE_NORMAL:
	case LINEDISCONNECTMODE_REJECT:
	case LINEDISCONNECTMODE_NOANSWER:
	case LINEDISCONNECTMODE_BUSY:
	case LINEDISCONNECTMODE_CANCELLED:
		return drop(dwRequestID, hdCall, lpsUserUserInfo, dwSize,
		            dwDisconnectModeHint);
	default:
		return LINEERR_INVALPARAM;
	}
}

/*
 * Hold and unhold are re-INVITEs (RFC 3264 §8.4: the audio sendonly, then
 * sendrecv again); the request completes with the final response, and the
 * call is ONHOLD or CONNECTED from then. One at a time per call.
 */
static LONG hold(DRV_REQUESTID req, HDRVCALL hd, bool on)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hd);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state != (on ? LINECALLSTATE_CONNECTED
	                         : LINECALLSTATE_ONHOLD) ||
	         pend_has(c, OP_HOLD) || pend_has(c, OP_TRANSFER))
		r = LINEERR_INVALCALLSTATE;
	else
		r = request(c, on ? C_HOLD : C_UNHOLD, OP_HOLD, req, NULL, 0,
		            NULL);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineHold(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall)
{
	return hold(dwRequestID, hdCall, true);
}

SIP_EXPORT LONG TSPIAPI TSPI_lineUnhold(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall)
{
	return hold(dwRequestID, hdCall, false);
}

/*
 * A blind transfer is a REFER (RFC 3515) with the destination in Refer-To;
 * accepted (2xx), the request completes, the call is ended with BYE and
 * goes IDLE; refused, the request fails and the call stays CONNECTED.
 */
SIP_EXPORT LONG TSPIAPI TSPI_lineBlindTransfer(DRV_REQUESTID dwRequestID,
                                               HDRVCALL hdCall,
                                               LPCSTR lpszDestAddress,
                                               DWORD dwCountryCode)
{
	char uri[SIP_STR];
	struct call *c;
	LONG r;

	(void)dwCountryCode;
	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state != LINECALLSTATE_CONNECTED || pend_has(c, OP_HOLD) ||
	         pend_has(c, OP_TRANSFER))
		r = LINEERR_INVALCALLSTATE;
	else if (!lpszDestAddress || !*lpszDestAddress)
		r = LINEERR_INVALADDRESS;
	else if ((r = dest_uri(c->line, lpszDestAddress, uri, sizeof(uri))) ==
	         0)
		r = request(c, C_REFER, OP_TRANSFER, dwRequestID, NULL, 0, uri);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

/*
 * Microsoft's TSPI_lineRedirect: an OFFERING call is answered 302 Moved
 * Temporarily whose Contact is the destination, as lineMakeCall would
 * dial it (stack.c run_redirect); the call is then IDLE. An address that
 * makes no SIP URI is LINEERR_INVALADDRESS (the function has no
 * LINEERR_DIAL*), and nothing is sent.
 */
SIP_EXPORT LONG TSPIAPI TSPI_lineRedirect(DRV_REQUESTID dwRequestID,
                                          HDRVCALL hdCall,
                                          LPCSTR lpszDestAddress,
                                          DWORD dwCountryCode)
{
	char uri[SIP_STR];
	struct call *c;
	LONG r;

	(void)dwCountryCode;
	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else if (c->state != LINECALLSTATE_OFFERING || c->outgoing)
		r = LINEERR_INVALCALLSTATE;
	else if (!lpszDestAddress || !*lpszDestAddress ||
	         dest_uri(c->line, lpszDestAddress, uri, sizeof(uri)) != 0)
		r = LINEERR_INVALADDRESS;
	else
		r = request(c, C_REDIRECT, OP_REDIRECT, dwRequestID, NULL, 0,
		            uri);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineReleaseUserUserInfo(DRV_REQUESTID dwRequestID,
                                                     HDRVCALL hdCall)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
	} else {
		/* local only: done at once (spec: tspi.md §4, may complete
		 * before returning) */
		sip.complete(dwRequestID, 0);
		if (tsp_uui_release(&c->uui) > 0)
			call_info(c, LINECALLINFOSTATE_USERUSERINFO);
		r = (LONG)dwRequestID;
	}
	pthread_mutex_unlock(&sip.lock);
	return r;
}
