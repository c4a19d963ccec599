/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip: the structures TAPI asks for: line and address capabilities, call
 * information and call status.
 */
#include "sip.h"
#include "tcall.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_status.h>

#define SIP_CALLSTATES                                                         \
	(LINECALLSTATE_IDLE | LINECALLSTATE_OFFERING |                         \
	 LINECALLSTATE_ACCEPTED | LINECALLSTATE_DIALTONE |                     \
	 LINECALLSTATE_DIALING | LINECALLSTATE_RINGBACK | LINECALLSTATE_BUSY | \
	 LINECALLSTATE_CONNECTED | LINECALLSTATE_PROCEEDING |                  \
	 LINECALLSTATE_ONHOLD | LINECALLSTATE_DISCONNECTED)

#define SIP_DISCONNECTMODES                                               \
	(LINEDISCONNECTMODE_NORMAL | LINEDISCONNECTMODE_UNKNOWN |         \
	 LINEDISCONNECTMODE_REJECT | LINEDISCONNECTMODE_FORWARDED |       \
	 LINEDISCONNECTMODE_NOANSWER | LINEDISCONNECTMODE_BADADDRESS |    \
	 LINEDISCONNECTMODE_UNREACHABLE | LINEDISCONNECTMODE_CONGESTION | \
	 LINEDISCONNECTMODE_INCOMPATIBLE | LINEDISCONNECTMODE_UNAVAIL)

#define SIP_DISCONNECTMODES_20                                               \
	(LINEDISCONNECTMODE_NUMBERCHANGED | LINEDISCONNECTMODE_TEMPFAILURE | \
	 LINEDISCONNECTMODE_BLOCKED | LINEDISCONNECTMODE_CANCELLED)

static void put_str(void *s, size_t pair, DWORD total, DWORD *used,
                    DWORD *needed, const char *str)
{
	tsp_put_var(s, pair, total, used, needed, str,
	            *str ? (DWORD)strlen(str) + 1 : 0);
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dwDeviceID,
                                            DWORD dwTSPIVersion,
                                            DWORD dwExtVersion,
                                            LPLINEDEVCAPS lpLineDevCaps)
{
	LPLINEDEVCAPS dc = lpLineDevCaps;
	DWORD fixed = tsp_devcaps_fixed(dwTSPIVersion);
	DWORD total, used, needed;
	struct line *l;
	char name[64];
	LONG r = 0;

	if (dwExtVersion)
		return LINEERR_INCOMPATIBLEEXTVERSION;
	pthread_mutex_lock(&sip.lock);
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
	put_str(dc, offsetof(LINEDEVCAPS, dwProviderInfoSize), total, &used,
	        &needed, "tapix SIP provider (sofia-sip)");
	put_str(dc, offsetof(LINEDEVCAPS, dwSwitchInfoSize), total, &used,
	        &needed, l->cfg.registrar[0] ? l->cfg.registrar : "sip");
	snprintf(name, sizeof(name), "SIP %s", l->cfg.name);
	put_str(dc, offsetof(LINEDEVCAPS, dwLineNameSize), total, &used,
	        &needed, name);
	dc->dwPermanentLineID = (sip.perm_id << 16) | l->idx;
	dc->dwStringFormat = STRINGFORMAT_ASCII;
	dc->dwAddressModes = LINEADDRESSMODE_ADDRESSID;
	dc->dwNumAddresses = 1;
	dc->dwBearerModes = LINEBEARERMODE_VOICE;
	dc->dwMediaModes = SIP_MEDIA;
	/* spec: tspi.md §6 TSPI_lineCloseCall — a closed call is dropped */
	dc->dwDevCapFlags = LINEDEVCAPFLAGS_CLOSEDROP;
	dc->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	dc->dwAnswerMode = LINEANSWERMODE_NONE;
	dc->dwRingModes = 1;
	dc->dwLineStates = LINEDEVSTATE_INSERVICE | LINEDEVSTATE_OUTOFSERVICE;
	dc->dwUUIAcceptSize = SIP_UUI_MAX;
	dc->dwUUIAnswerSize = SIP_UUI_MAX;
	dc->dwUUIMakeCallSize = SIP_UUI_MAX;
	dc->dwUUIDropSize = SIP_UUI_MAX;
	dc->dwUUISendUserUserInfoSize = 0; /* no UUI outside these */
	dc->dwUUICallInfoSize = SIP_UUI_MAX;
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
		          (uint16_t)sip.perm_id,
		          {'s', 'i', 'p', 0, 0, 0, (uint8_t)(l->idx >> 8),
		           (uint8_t)l->idx}};

		memcpy(&dc->PermanentLineGuid, &g, sizeof(g));
	}
	dc->dwNeededSize = needed;
	dc->dwUsedSize = used;
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dwDeviceID,
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
	pthread_mutex_lock(&sip.lock);
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
	put_str(ac, offsetof(LINEADDRESSCAPS, dwAddressSize), total, &used,
	        &needed, l->cfg.aor);
	ac->dwLineDeviceID = dwDeviceID;
	ac->dwAddressSharing = LINEADDRESSSHARING_PRIVATE;
	ac->dwCallInfoStates = LINECALLINFOSTATE_USERUSERINFO |
	                       LINECALLINFOSTATE_DEVSPECIFIC |
	                       LINECALLINFOSTATE_CONNECTEDID;
	ac->dwCallerIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_NAME |
	                      LINECALLPARTYID_UNKNOWN;
	ac->dwCalledIDFlags = LINECALLPARTYID_ADDRESS | LINECALLPARTYID_UNKNOWN;
	ac->dwConnectedIDFlags = LINECALLPARTYID_ADDRESS |
	                         LINECALLPARTYID_NAME | LINECALLPARTYID_UNKNOWN;
	ac->dwCallStates = SIP_CALLSTATES;
	ac->dwDialToneModes = LINEDIALTONEMODE_UNAVAIL;
	ac->dwBusyModes = LINEBUSYMODE_STATION;
	ac->dwDisconnectModes =
		SIP_DISCONNECTMODES |
		(dwTSPIVersion >= 0x00020000 ? SIP_DISCONNECTMODES_20 : 0);
	ac->dwMaxNumActiveCalls = 0xFFFFFFFFu;
	ac->dwMaxNumOnHoldCalls = 0xFFFFFFFFu;
	/* alerting (180 Ringing) is sent only when the app accepts */
	ac->dwAddrCapFlags =
		LINEADDRCAPFLAGS_DIALED | LINEADDRCAPFLAGS_ACCEPTTOALERT;
	ac->dwCallFeatures = LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
	                     LINECALLFEATURE_DROP | LINECALLFEATURE_DIAL |
	                     LINECALLFEATURE_HOLD | LINECALLFEATURE_UNHOLD |
	                     LINECALLFEATURE_BLINDTRANSFER |
	                     LINECALLFEATURE_REDIRECT |
	                     LINECALLFEATURE_RELEASEUSERUSERINFO;
	ac->dwAddressFeatures = 0x00000008; /* LINEADDRFEATURE_MAKECALL */
	if (dwTSPIVersion >= 0x00020000) {
		ac->dwConnectedModes = LINECONNECTEDMODE_ACTIVE;
		ac->dwOfferingModes = LINEOFFERINGMODE_ACTIVE;
		ac->dwAvailableMediaModes = SIP_MEDIA;
	}
	ac->dwNeededSize = needed;
	ac->dwUsedSize = used;
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI
TSPI_lineGetLineDevStatus(HDRVLINE hdLine, LPLINEDEVSTATUS lpLineDevStatus)
{
	static const char *regs[] = {"none", "idle", "pending", "ok", "failed"};
	LPLINEDEVSTATUS ds = lpLineDevStatus;
	DWORD total, used, needed, fixed, active = 0;
	const char *phrase;
	char text[128];
	struct line *l;
	uint32_t i;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	fixed = l->version < 0x00020000
	                ? offsetof(LINEDEVSTATUS, dwAvailableMediaModes)
	                : sizeof(LINEDEVSTATUS);
	total = ds->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	used = needed = fixed;
	for (i = 0; i < sip.calls.used && l->ncalls; i++) {
		struct call *c = sip.calls.slots[i].obj;

		if (c && c->line == l && !c->tapi_closed && c->state &&
		    c->state != LINECALLSTATE_IDLE)
			active++;
	}
	ds->dwNumActiveCalls = active;
	ds->dwNumOnHoldCalls = 0;
	ds->dwNumOnHoldPendCalls = 0;
	ds->dwNumCallCompletions = 0;
	ds->dwRingMode = 0;
	ds->dwSignalLevel = 0xFFFF;
	ds->dwBatteryLevel = 0xFFFF;
	ds->dwRoamMode = 0;
	/* a registration that failed takes the line out of service */
	ds->dwDevStatusFlags = LINEDEVSTATUSFLAGS_CONNECTED;
	if (l->reg == REG_NONE || l->reg == REG_OK)
		ds->dwDevStatusFlags |= LINEDEVSTATUSFLAGS_INSERVICE;
	ds->dwLineFeatures = l->reg == REG_FAILED ? 0 : LINEFEATURE_MAKECALL;
	/* tapix-sip(7): the registration, as text; its status's standard
	 * reason phrase (none for the stack's own 9xx) */
	phrase = l->reg_status ? sip_status_phrase(l->reg_status) : NULL;
	snprintf(text, sizeof(text), "registration=%s\nstatus=%d\n%s%s%s",
	         regs[l->reg], l->reg_status, phrase ? "phrase=" : "",
	         phrase ? phrase : "", phrase ? "\n" : "");
	put_str(ds, offsetof(LINEDEVSTATUS, dwDevSpecificSize), total, &used,
	        &needed, text);
	if (fixed >= sizeof(LINEDEVSTATUS))
		ds->dwAvailableMediaModes = SIP_MEDIA;
	ds->dwNeededSize = needed;
	ds->dwUsedSize = used;
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

/* What TAPI may ask of @c now (LINECALLSTATUS.dwCallFeatures). */
static DWORD features_of(const struct call *c)
{
	DWORD f = c->uui.data ? LINECALLFEATURE_RELEASEUSERUSERINFO : 0;

	switch (c->state) {
	case LINECALLSTATE_OFFERING:
		return f | LINECALLFEATURE_ACCEPT | LINECALLFEATURE_ANSWER |
		       LINECALLFEATURE_REDIRECT | LINECALLFEATURE_DROP;
	case LINECALLSTATE_ACCEPTED:
		return f | LINECALLFEATURE_ANSWER | LINECALLFEATURE_DROP;
	case LINECALLSTATE_DIALTONE:
		return f | LINECALLFEATURE_DIAL | LINECALLFEATURE_DROP;
	case LINECALLSTATE_CONNECTED:
		return f | LINECALLFEATURE_HOLD |
		       LINECALLFEATURE_BLINDTRANSFER | LINECALLFEATURE_DROP;
	case LINECALLSTATE_ONHOLD:
		return f | LINECALLFEATURE_UNHOLD | LINECALLFEATURE_DROP;
	case LINECALLSTATE_IDLE:
	case 0:
		return f;
	default:
		return f | LINECALLFEATURE_DROP;
	}
}

/*
 * How the call ended, as text in the device-specific part (documented in
 * tapix-sip(7)): "ended-by=local|remote", "status=NNN", "reason=..." (the
 * Reason header received) and "call-id=...", one per line.
 */
static size_t end_info(const struct call *c, char *out, size_t size)
{
	size_t n = 0;
	int w;

	out[0] = '\0';
	if (c->call_id[0]) {
		w = snprintf(out + n, size - n, "call-id=%s\n", c->call_id);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
	}
	if (c->ended_by[0]) {
		w = snprintf(out + n, size - n, "ended-by=%s\n", c->ended_by);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
	}
	if (c->end_status) {
		w = snprintf(out + n, size - n, "status=%d\n", c->end_status);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
	}
	if (c->reason[0]) {
		w = snprintf(out + n, size - n, "reason=%s\n", c->reason);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
	}
	return n ? n + 1 : 0;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hdCall,
                                             LPLINECALLINFO lpCallInfo)
{
	LPLINECALLINFO ci = lpCallInfo;
	const char *caller, *called;
	char text[512];
	struct call *c;
	DWORD fixed, total, used, needed;
	bool connected;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	fixed = tsp_callinfo_fixed(c->line->version);
	total = ci->dwTotalSize;
	if (total < fixed) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	used = needed = fixed;
	caller = c->outgoing ? c->local : c->remote;
	called = c->outgoing ? c->remote : c->local;
	connected = c->state == LINECALLSTATE_CONNECTED;
	ci->dwLineDeviceID = c->line->dev_id;
	ci->dwAddressID = 0;
	ci->dwBearerMode = LINEBEARERMODE_VOICE;
	ci->dwRate = 0;
	ci->dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
	ci->dwCallID = c->h;
	ci->dwRelatedCallID = 0;
	ci->dwCallStates = SIP_CALLSTATES;
	ci->dwOrigin =
		c->outgoing ? LINECALLORIGIN_OUTBOUND : LINECALLORIGIN_INBOUND;
	ci->dwReason = LINECALLREASON_DIRECT;
	ci->dwTrunk = 0xFFFFFFFFu;
	ci->dwCallerIDFlags =
		caller[0] ? LINECALLPARTYID_ADDRESS : LINECALLPARTYID_UNKNOWN;
	put_str(ci, offsetof(LINECALLINFO, dwCallerIDSize), total, &used,
	        &needed, caller);
	if (!c->outgoing && c->remote_name[0]) {
		ci->dwCallerIDFlags |= LINECALLPARTYID_NAME;
		put_str(ci, offsetof(LINECALLINFO, dwCallerIDNameSize), total,
		        &used, &needed, c->remote_name);
	}
	ci->dwCalledIDFlags =
		called[0] ? LINECALLPARTYID_ADDRESS : LINECALLPARTYID_UNKNOWN;
	put_str(ci, offsetof(LINECALLINFO, dwCalledIDSize), total, &used,
	        &needed, called);
	ci->dwConnectedIDFlags =
		connected ? LINECALLPARTYID_ADDRESS : LINECALLPARTYID_UNKNOWN;
	if (connected) {
		put_str(ci, offsetof(LINECALLINFO, dwConnectedIDSize), total,
		        &used, &needed, c->remote);
		if (c->remote_name[0]) {
			ci->dwConnectedIDFlags |= LINECALLPARTYID_NAME;
			put_str(ci,
			        offsetof(LINECALLINFO, dwConnectedIDNameSize),
			        total, &used, &needed, c->remote_name);
		}
	}
	ci->dwRedirectionIDFlags = LINECALLPARTYID_UNKNOWN;
	ci->dwRedirectingIDFlags = LINECALLPARTYID_UNKNOWN;
	tsp_put_var(ci, offsetof(LINECALLINFO, dwUserUserInfoSize), total,
	            &used, &needed, c->uui.data, c->uui.len);
	tsp_put_var(ci, offsetof(LINECALLINFO, dwDevSpecificSize), total, &used,
	            &needed, text, (DWORD)end_info(c, text, sizeof(text)));
	ci->dwNeededSize = needed;
	ci->dwUsedSize = used;
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hdCall,
                                               LPLINECALLSTATUS lpCallStatus)
{
	LPLINECALLSTATUS cs = lpCallStatus;
	struct call *c;
	DWORD fixed;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
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
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetCallAddressID(HDRVCALL hdCall,
                                                  LPDWORD lpdwAddressID)
{
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	if (!call_of(hdCall))
		r = LINEERR_INVALCALLHANDLE;
	else
		*lpdwAddressID = 0;
	pthread_mutex_unlock(&sip.lock);
	return r;
}
