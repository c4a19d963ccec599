/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp's media: what one end of a call between two esp lines plays, the
 * other hears, digits included (docs/media.md). Nothing runs until an
 * application asks for media on a call (lineGetID "wave/...",
 * lineGenerateDigits, lineGatherDigits...; lineMonitorDigits only notes
 * its modes until then, there being nothing to hear): then both ends get a
 * media session (tsp_media) on 127.0.0.1, G.711 µ-law with telephone-events,
 * sending to each other while the call is CONNECTED. So the media path
 * of a real provider runs in every media test without a network, and
 * calls that never ask cost nothing.
 *
 * Threads: esp.lock held by every function here (the sessions' callbacks
 * take no esp lock, tcall.h).
 */
#include <string.h>

#include "esp.h"
#include "tcall.h"

#define ESP_MEDIA_ADDR  "127.0.0.1"
#define ESP_MEDIA_PORTS 30000, 39999 /* docs/media.md */
#define ESP_DTMF_PT     101

/* The stream of @c's session towards its peer's, by @c's state. */
static void apply(struct call *c)
{
	struct call *p = c->peer ? call_get(c->peer) : NULL;
	struct media_stream st = {
		.codec = CODEC_PCMU,
		.pt = 0,
		.pcm_rate = 8000,
		.has_dtmf = true,
		.dtmf_pt = ESP_DTMF_PT,
		.ptime = 20,
	};
	bool on = c->state == LINECALLSTATE_CONNECTED;

	if (!p || !p->tm)
		on = false;
	tsp_copy_str(st.remote_addr, sizeof(st.remote_addr), ESP_MEDIA_ADDR);
	st.remote_port = p && p->tm ? tcall_port(p->tm) : tcall_port(c->tm);
	st.send = on;
	st.recv = on;
	tcall_set(c->tm, &st);
}

/* A session for @c (NULL: out of ports or memory). */
static struct tcall *session(struct call *c)
{
	if (!c->tm) {
		if (tcall_new(esp.media, ESP_MEDIA_ADDR, c->line->ev,
		              c->line->htl, c->ht, &c->tm) != 0)
			return NULL;
		if (c->digit_modes) /* asked before there were media */
			(void)tcall_monitor(c->tm, c->digit_modes);
	}
	return c->tm;
}

/*
 * @c's media, made for it and its peer on first use. LINEERR_ codes: the
 * call is not one TAPI knows, or resources are short.
 */
static LONG media_of(struct call *c, struct tcall **out)
{
	struct call *p;

	if (!c->announced || !c->line->ev)
		return LINEERR_INVALCALLHANDLE;
	if (!esp.media) {
		struct media_config cfg = {ESP_MEDIA_PORTS, 0};

		if (media_start(&esp.media, &cfg) != 0)
			return LINEERR_RESOURCEUNAVAIL;
	}
	if (!session(c))
		return LINEERR_RESOURCEUNAVAIL;
	p = c->peer ? call_get(c->peer) : NULL;
	if (p && p->announced && p->line->ev && !p->tm && session(p))
		apply(p);
	apply(c);
	*out = c->tm;
	return 0;
}

void esp_media_state(struct call *c)
{
	struct call *p;

	if (!c->tm)
		return;
	apply(c);
	p = c->peer ? call_get(c->peer) : NULL;
	if (p && p->tm)
		apply(p);
}

void esp_media_free(struct call *c)
{
	struct call *p;

	if (!c->tm)
		return;
	p = c->peer ? call_get(c->peer) : NULL;
	tcall_free(c->tm);
	c->tm = NULL;
	if (p && p->tm)
		apply(p); /* nobody to send to any more */
}

void esp_media_stop(void)
{
	media_stop(esp.media);
	esp.media = NULL;
}

/*
 * Takes esp.lock and gives in *@t the media of the call @hd names, made
 * for it unless @make is false and it has none (then *@t is NULL: nothing
 * to stop). The caller lets esp.lock go, whatever the result.
 */
static LONG lock_media(HDRVCALL hd, bool make, struct tcall **t)
{
	struct call *c;

	esp_lock();
	*t = NULL;
	c = call_of(hd);
	if (!c) {
		esp.bad_handles++;
		return LINEERR_INVALCALLHANDLE;
	}
	if (!make && !c->tm)
		return 0;
	return media_of(c, t);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGetID(HDRVLINE hdLine, DWORD dwAddressID,
                                       HDRVCALL hdCall, DWORD dwSelect,
                                       LPVARSTRING lpDeviceID,
                                       LPCSTR lpszDeviceClass,
                                       HANDLE hTargetProcess)
{
	struct tcall *t;
	LONG r;

	(void)hdLine;
	(void)dwAddressID;
	(void)hTargetProcess;
	if (dwSelect != LINECALLSELECT_CALL)
		return LINEERR_INVALDEVICECLASS; /* esp's lines have none */
	if (!lpDeviceID || !lpszDeviceClass)
		return LINEERR_INVALPOINTER;
	r = lock_media(hdCall, true, &t);
	if (r == 0 && t)
		r = tcall_get_id(t, lpDeviceID, lpszDeviceClass);
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGenerateDigits(HDRVCALL hdCall,
                                                DWORD dwEndToEndID,
                                                DWORD dwDigitMode,
                                                LPCSTR lpszDigits,
                                                DWORD dwDuration)
{
	struct tcall *t;
	LONG r;

	r = lock_media(hdCall, true, &t);
	if (r == 0 && t)
		r = tcall_generate(t, dwEndToEndID, dwDigitMode, lpszDigits,
		                   dwDuration);
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineGenerateTone(
	HDRVCALL hdCall, DWORD dwEndToEndID, DWORD dwToneMode, DWORD dwDuration,
	DWORD dwNumTones, LPLINEGENERATETONE const lpTones)
{
	struct tcall *t;
	LONG r;

	r = lock_media(hdCall, dwToneMode != 0, &t);
	if (r == 0 && t)
		r = tcall_tone(t, dwEndToEndID, dwToneMode, dwDuration,
		               dwNumTones, lpTones);
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI
TSPI_lineMonitorTones(HDRVCALL hdCall, DWORD dwToneListID,
                      LPLINEMONITORTONE const lpToneList, DWORD dwNumEntries)
{
	struct tcall *t;
	LONG r;

	r = lock_media(hdCall, dwNumEntries != 0, &t);
	if (r == 0 && t)
		r = tcall_watch(t, dwToneListID, lpToneList, dwNumEntries);
	esp_unlock();
	return r;
}

/*
 * tcall_monitor (tcall.h) on the call's media; a call without media yet
 * only notes the modes (nothing can be heard before an application makes
 * its media: its peer's lineGenerateDigits, lineGetID... does), so that
 * watching every call, as tapixd does for DigitReceived, costs nothing.
 */
ESP_EXPORT LONG TSPIAPI TSPI_lineMonitorDigits(HDRVCALL hdCall,
                                               DWORD dwDigitModes)
{
	struct call *c;
	LONG r = 0;

	esp_lock();
	c = call_of(hdCall);
	if (!c) {
		esp.bad_handles++;
		r = LINEERR_INVALCALLHANDLE;
	} else if (dwDigitModes &
	           ~(DWORD)(LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND)) {
		r = LINEERR_INVALDIGITMODE; /* (tcall_monitor's rule) */
	} else if (c->tm) {
		r = tcall_monitor(c->tm, dwDigitModes);
	}
	if (r == 0 && c)
		c->digit_modes = dwDigitModes;
	esp_unlock();
	return r;
}

/*
 * tcall_gather (tcall.h): DTMF digits; PULSE is never detected, so PULSE
 * alone is refused (LINEERR_INVALDIGITMODE) and DTMF | PULSE gathers DTMF.
 * lpsDigits NULL on a call without media cancels nothing there is.
 */
ESP_EXPORT LONG TSPIAPI TSPI_lineGatherDigits(
	HDRVCALL hdCall, DWORD dwEndToEndID, DWORD dwDigitModes,
	LPSTR lpsDigits, DWORD dwNumDigits, LPCSTR lpszTerminationDigits,
	DWORD dwFirstDigitTimeout, DWORD dwInterDigitTimeout)
{
	struct tcall *t;
	LONG r;

	r = lock_media(hdCall, lpsDigits != NULL, &t);
	if (r == 0 && t)
		r = tcall_gather(t, dwEndToEndID, dwDigitModes, lpsDigits,
		                 dwNumDigits, lpszTerminationDigits,
		                 dwFirstDigitTimeout, dwInterDigitTimeout);
	esp_unlock();
	return r;
}
