/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp: the structures TAPI asks for: line and address capabilities, call
 * information and call status.
 */
#include "esp.h"
#include "tcall.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

ESP_EXPORT LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dwDeviceID,
                                            DWORD dwTSPIVersion,
                                            DWORD dwExtVersion,
                                            LPLINEDEVCAPS lpLineDevCaps)
{
	LPLINEDEVCAPS dc = lpLineDevCaps;
	DWORD fixed = tsp_devcaps_fixed(dwTSPIVersion);
	DWORD total, used, needed;
	struct line *l;
	char text[96];
	LONG r = 0;

	if (dwExtVersion)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	esp_lock();
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
		goto out;
	}
	total = dc->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	memset((char *)dc + 4, 0, fixed - 4);
	used = needed = fixed;
	tsp_put_var(dc, offsetof(LINEDEVCAPS, dwProviderInfoSize), total, &used,
	            &needed, "tapix emulated switch (esp)",
	            sizeof("tapix emulated switch (esp)"));
	tsp_put_var(dc, offsetof(LINEDEVCAPS, dwSwitchInfoSize), total, &used,
	            &needed, "esp", sizeof("esp"));
	snprintf(text, sizeof(text), "esp line %u (%s)", l->idx, l->address);
	tsp_put_var(dc, offsetof(LINEDEVCAPS, dwLineNameSize), total, &used,
	            &needed, text, (DWORD)strlen(text) + 1);
	dc->dwPermanentLineID = (esp.perm_id << 16) | l->idx;
	dc->dwStringFormat = STRINGFORMAT_ASCII;
	dc->dwAddressModes = LINEADDRESSMODE_ADDRESSID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE | LINEBEARERMODE_DATA;
	dc->dwMaxRate = ESP_MAX_RATE;
	dc->dwMediaModes = ESP_MEDIA;
	dc->dwDevCapFlags = LINEDEVCAPFLAGS_CLOSEDROP;
	dc->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	dc->dwAnswerMode = LINEANSWERMODE_NONE;
	dc->dwRingModes = 1;
	dc->dwLineStates = LINEDEVSTATE_RINGING | LINEDEVSTATE_OTHER;
	dc->dwUUIAcceptSize = ESP_UUI_MAX;
	dc->dwUUIAnswerSize = ESP_UUI_MAX;
	dc->dwUUIMakeCallSize = ESP_UUI_MAX;
	dc->dwUUIDropSize = ESP_UUI_MAX;
	dc->dwUUISendUserUserInfoSize = ESP_UUI_MAX;
	dc->dwUUICallInfoSize = ESP_UUI_MAX;
	dc->dwLineFeatures = LINEFEATURE_MAKECALL;
	/* lineGatherDigits' time-outs (tcall_gather); 0, no time-out, is
	 * always taken */
	dc->dwGatherDigitsMinTimeout = TCALL_GATHER_MIN_TIMEOUT;
	dc->dwGatherDigitsMaxTimeout = TCALL_GATHER_MAX_TIMEOUT;
	if (dwTSPIVersion >= 0x00020000)
		tsp_put_var(dc, offsetof(LINEDEVCAPS, dwDeviceClassesSize),
		            total, &used, &needed, "tapi/line\0",
		            sizeof("tapi/line\0"));
	if (dwTSPIVersion >= 0x00020002) {
		GUID g = {0x7461706Au,
		          0x6978,
		          (uint16_t)esp.perm_id,
		          {'e', 's', 'p', 0, 0, 0, (uint8_t)(l->idx >> 8),
		           (uint8_t)l->idx}};

		memcpy(&dc->PermanentLineGuid, &g, sizeof(g));
	}
	dc->dwNeededSize = needed;
	dc->dwUsedSize = used;
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dwDeviceID,
                                                DWORD dwAddressID,
                                                DWORD dwTSPIVersion,
                                                DWORD dwExtVersion,
                                                LPLINEADDRESSCAPS lpAddressCaps)
{
	LPLINEADDRESSCAPS ac = lpAddressCaps;
	DWORD fixed = tsp_addrcaps_fixed(dwTSPIVersion);
	DWORD total, used, needed;
	struct line *l;
	LONG r = 0;

	if (dwExtVersion)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	esp_lock();
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
		goto out;
	}
	if (dwAddressID != 0) {
		r = LINEERR_INVALADDRESSID;
		goto out;
	}
	total = ac->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	memset((char *)ac + 4, 0, fixed - 4);
	used = needed = fixed;
	tsp_put_var(ac, offsetof(LINEADDRESSCAPS, dwAddressSize), total, &used,
	            &needed, l->address, (DWORD)strlen(l->address) + 1);
	ac->dwLineDeviceID = dwDeviceID;
	ac->dwAddressSharing = l->bridge ? LINEADDRESSSHARING_BRIDGEDSHARED
	                                 : LINEADDRESSSHARING_PRIVATE;
	ac->dwCallInfoStates = LINECALLINFOSTATE_USERUSERINFO;
	ac->dwCallerIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_UNKNOWN;
	ac->dwCalledIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_UNKNOWN;
	ac->dwCallStates = ESP_CALLSTATES;
	ac->dwDialToneModes = LINEDIALTONEMODE_NORMAL;
	ac->dwBusyModes = LINEBUSYMODE_STATION;
	ac->dwDisconnectModes =
		LINEDISCONNECTMODE_NORMAL | LINEDISCONNECTMODE_REJECT |
		LINEDISCONNECTMODE_BADADDRESS | LINEDISCONNECTMODE_UNAVAIL |
		LINEDISCONNECTMODE_NOANSWER | LINEDISCONNECTMODE_BUSY;
	ac->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	ac->dwMaxNumOnHoldCalls = 0xFFFFFFFFu;
	ac->dwMaxNumOnHoldPendingCalls = 0xFFFFFFFFu;
	ac->dwMaxNumConference = ESP_MAX_CONF;
	/*
	 * spec: termination.md §2 — CONFDROP: dropping a conference drops
	 * every participant; SETUPCONFNULL: a conference may start with no
	 * call (esp also accepts a CONNECTED one).
	 */
	ac->dwAddrCapFlags = LINEADDRCAPFLAGS_DIALED |
	                     LINEADDRCAPFLAGS_CONFDROP |
	                     LINEADDRCAPFLAGS_SETUPCONFNULL |
	                     LINEADDRCAPFLAGS_CONFERENCEMAKE |
	                     LINEADDRCAPFLAGS_CONFERENCEHELD;
	ac->dwCallFeatures =
		LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
		LINECALLFEATURE_DROP | LINECALLFEATURE_HOLD |
		LINECALLFEATURE_UNHOLD | LINECALLFEATURE_BLINDTRANSFER |
		LINECALLFEATURE_DIAL | LINECALLFEATURE_SETUPCONF |
		LINECALLFEATURE_ADDTOCONF | LINECALLFEATURE_PREPAREADDCONF |
		LINECALLFEATURE_REMOVEFROMCONF | LINECALLFEATURE_SENDUSERUSER |
		LINECALLFEATURE_RELEASEUSERUSERINFO |
		LINECALLFEATURE_SETUPTRANSFER | LINECALLFEATURE_COMPLETETRANSF |
		LINECALLFEATURE_REDIRECT;
	ac->dwTransferModes =
		LINETRANSFERMODE_TRANSFER | LINETRANSFERMODE_CONFERENCE;
	ac->dwRemoveFromConfCaps = LINEREMOVEFROMCONF_ANY;
	ac->dwRemoveFromConfState = LINECALLSTATE_IDLE;
	ac->dwAddressFeatures = 0x00000008; /* LINEADDRFEATURE_MAKECALL */
	if (dwTSPIVersion >= 0x00020000) {
		ac->dwConnectedModes =
			LINECONNECTEDMODE_ACTIVE | LINECONNECTEDMODE_INACTIVE;
		ac->dwOfferingModes = LINEOFFERINGMODE_ACTIVE;
		ac->dwAvailableMediaModes = ESP_MEDIA;
	}
	ac->dwNeededSize = needed;
	ac->dwUsedSize = used;
out:
	esp_unlock();
	return r;
}

/* ---- TSPI: lines ----------------------------------------------------------
 */

/* What TAPI may ask of @c now (LINECALLSTATUS.dwCallFeatures). */
static DWORD features_of(const struct call *c)
{
	DWORD f = c->uui.data ? LINECALLFEATURE_RELEASEUSERUSERINFO : 0;

	switch (c->state) {
	case LINECALLSTATE_OFFERING:
		/* a bridged station cannot redirect (TSPI_lineRedirect) */
		if (!c->line->bridge)
			f |= LINECALLFEATURE_REDIRECT;
		return f | LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
		       LINECALLFEATURE_DROP | LINECALLFEATURE_SENDUSERUSER;
	case LINECALLSTATE_ACCEPTED:
		return f | LINECALLFEATURE_ANSWER | LINECALLFEATURE_DROP |
		       LINECALLFEATURE_SENDUSERUSER;
	case LINECALLSTATE_RINGBACK:
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_SENDUSERUSER;
	case LINECALLSTATE_DIALTONE:
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_DIAL;
	case LINECALLSTATE_CONNECTED:
		if (c->mode == LINECONNECTEDMODE_INACTIVE)
			return f | LINECALLFEATURE_ANSWER |
			       LINECALLFEATURE_DROP;
		if (c->is_conf)
			return f | LINECALLFEATURE_DROP | LINECALLFEATURE_HOLD |
			       LINECALLFEATURE_PREPAREADDCONF;
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_HOLD |
		       LINECALLFEATURE_BLINDTRANSFER |
		       LINECALLFEATURE_SETUPCONF |
		       LINECALLFEATURE_SETUPTRANSFER |
		       LINECALLFEATURE_SENDUSERUSER;
	case LINECALLSTATE_ONHOLD:
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_UNHOLD |
		       LINECALLFEATURE_COMPLETETRANSF;
	case LINECALLSTATE_ONHOLDPENDTRANSFER:
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_UNHOLD |
		       LINECALLFEATURE_COMPLETETRANSF;
	case LINECALLSTATE_ONHOLDPENDCONF:
		return f | LINECALLFEATURE_DROP | LINECALLFEATURE_UNHOLD |
		       LINECALLFEATURE_ADDTOCONF;
	case LINECALLSTATE_CONFERENCED:
		return f | LINECALLFEATURE_DROP |
		       LINECALLFEATURE_REMOVEFROMCONF;
	case LINECALLSTATE_IDLE:
		return f;
	default:
		return f | LINECALLFEATURE_DROP;
	}
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hdCall,
                                             LPLINECALLINFO lpCallInfo)
{
	LPLINECALLINFO ci = lpCallInfo;
	const char *redirecting, *redirection;
	struct call *c;
	DWORD fixed, total, used, needed;
	LONG r = 0;

	esp_lock();
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	redirecting = c->redir ? c->redir->redirecting : "";
	redirection = c->redir ? c->redir->redirection : "";
	fixed = tsp_callinfo_fixed(c->line->version);
	total = ci->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	used = needed = fixed;
	ci->dwLineDeviceID = c->line->dev_id;
	ci->dwAddressID = 0;
	ci->dwBearerMode = c->bearer;
	ci->dwRate = c->bearer == LINEBEARERMODE_DATA ? ESP_MAX_RATE : 0;
	ci->dwMediaMode = c->media;
	ci->dwCallID = c->h;
	ci->dwRelatedCallID = c->conf ? c->conf : c->peer;
	ci->dwCallStates = ESP_CALLSTATES;
	ci->dwOrigin = c->is_conf ? LINECALLORIGIN_CONFERENCE : c->origin;
	/* offered here by a lineRedirect elsewhere */
	ci->dwReason = redirecting[0] ? LINECALLREASON_REDIRECT
	                              : LINECALLREASON_DIRECT;
	ci->dwTrunk = 0xFFFFFFFFu;
	ci->dwCallerIDFlags = c->caller[0] ? LINECALLPARTYID_ADDRESS
	                                   : LINECALLPARTYID_UNKNOWN;
	tsp_put_var(ci, offsetof(LINECALLINFO, dwCallerIDSize), total, &used,
	            &needed, c->caller,
	            c->caller[0] ? (DWORD)strlen(c->caller) + 1 : 0);
	ci->dwCalledIDFlags = c->called[0] ? LINECALLPARTYID_ADDRESS
	                                   : LINECALLPARTYID_UNKNOWN;
	tsp_put_var(ci, offsetof(LINECALLINFO, dwCalledIDSize), total, &used,
	            &needed, c->called,
	            c->called[0] ? (DWORD)strlen(c->called) + 1 : 0);
	ci->dwConnectedIDFlags = LINECALLPARTYID_UNKNOWN;
	ci->dwRedirectionIDFlags = redirection[0] ? LINECALLPARTYID_ADDRESS
	                                          : LINECALLPARTYID_UNKNOWN;
	tsp_put_var(ci, offsetof(LINECALLINFO, dwRedirectionIDSize), total,
	            &used, &needed, redirection,
	            redirection[0] ? (DWORD)strlen(redirection) + 1 : 0);
	ci->dwRedirectingIDFlags = redirecting[0] ? LINECALLPARTYID_ADDRESS
	                                          : LINECALLPARTYID_UNKNOWN;
	tsp_put_var(ci, offsetof(LINECALLINFO, dwRedirectingIDSize), total,
	            &used, &needed, redirecting,
	            redirecting[0] ? (DWORD)strlen(redirecting) + 1 : 0);
	tsp_put_var(ci, offsetof(LINECALLINFO, dwUserUserInfoSize), total,
	            &used, &needed, c->uui.data, c->uui.len);
	ci->dwNeededSize = needed;
	ci->dwUsedSize = used;
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hdCall,
                                               LPLINECALLSTATUS lpCallStatus)
{
	LPLINECALLSTATUS cs = lpCallStatus;
	struct call *c;
	DWORD fixed;
	LONG r = 0;

	esp_lock();
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	fixed = tsp_callstatus_fixed(c->line->version);
	if (cs->dwTotalSize < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	cs->dwCallState = c->state ? c->state : LINECALLSTATE_UNKNOWN;
	cs->dwCallStateMode = c->mode;
	cs->dwCallFeatures = features_of(c);
	cs->dwDevSpecificSize = 0;
	cs->dwDevSpecificOffset = 0;
	if (fixed >= sizeof(LINECALLSTATUS)) {
		cs->dwCallFeatures2 = 0;
		tsp_state_time(cs, c->state_time);
	}
	cs->dwNeededSize = cs->dwUsedSize = fixed;
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetCallAddressID(HDRVCALL hdCall,
                                                  LPDWORD lpdwAddressID)
{
	LONG r = 0;

	esp_lock();
	if (!call_of(hdCall))
		r = LINEERR_INVALCALLHANDLE;
	else
		*lpdwAddressID = 0;
	esp_unlock();
	return r;
}
