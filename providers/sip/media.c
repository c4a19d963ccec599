/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider's media (docs/media.md): each call gets a media
 * session (tsp_media, tcall.h) when we first describe it in SDP, on its
 * line's media thread; what offer and answer agree (RFC 3264) sets what
 * it sends and receives; and the TSPI media functions act on it.
 *
 * What flows when: we receive once an answer is agreed (early media, RFC
 * 3261 §13.2.1: a 183 with SDP plays the far end's ringback), and send
 * only while the call is CONNECTED, so an offered call is silent until
 * answered and hold (ONHOLD, a sendonly or inactive answer) is silent
 * too; nothing flows after DISCONNECTED.
 *
 * Threads: sip.lock held by each function here (the sessions' callbacks
 * take no lock of ours, tcall.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "sdp.h"
#include "sip.h"
#include "tcall.h"

_Static_assert(SDP_KEY_LEN == RTPSEC_KEY_LEN, "an SDES key is SRTP's");

/* Whether @a is a numeric IPv4 or IPv6 address. */
static bool numeric(const char *a)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, a, buf) == 1 ||
	       inet_pton(AF_INET6, a, buf) == 1;
}

bool sip_media_ensure(struct call *c)
{
	struct line *l = c->line;
	const char *bind;

	if (c->tm)
		return true;
	if (c->tapi_closed || !l->ev)
		return false;
	if (!l->media) {
		struct media_config cfg = {
			.port_min = (uint16_t)l->cfg.rtp_port,
			.port_max = (uint16_t)l->cfg.rtp_port_max,
			.rtp_timeout_ms = l->cfg.rtp_timeout * 1000u,
		};
		unsigned max = l->cfg.rtp_port + 1998;

		if (cfg.port_max <= cfg.port_min)
			cfg.port_max = (uint16_t)(max > 65534 ? 65534 : max);
		if (media_start(&l->media, &cfg) != 0) {
			sip_log(SIP_ERR, "%s: the media thread did not start",
			        l->cfg.name);
			return false;
		}
	}
	/* our c= address when it is one, else every address of its family */
	bind = l->media_addr;
	if (!numeric(bind))
		bind = strchr(bind, ':') ? "::" : "0.0.0.0";
	if (tcall_new(l->media, bind, l->ev, l->htl,
	              c->announced ? c->ht : NULL, &c->tm) != 0) {
		sip_log(SIP_WARN, "call %08x: no media ports left in %u-%u",
		        c->h, l->cfg.rtp_port, l->cfg.rtp_port_max);
		return false;
	}
	tcall_set_kick(c->tm, sip.wake_fd); /* the stack thread ends it */
	/* our SDES key of this call (RFC 4568 §6.1: random, per session) */
	if (l->cfg.srtp != SDP_SRTP_OFF &&
	    getrandom(c->srtp_key, sizeof(c->srtp_key), 0) !=
	            (ssize_t)sizeof(c->srtp_key)) {
		sip_log(SIP_ERR, "call %08x: no random key", c->h);
		tcall_free(c->tm);
		c->tm = NULL;
		return false;
	}
	return true;
}

uint16_t sip_media_port(const struct call *c)
{
	return c->tm ? tcall_port(c->tm) : 9; /* 9: discard, never used */
}

/* The address family of @c's session: sip_media_ensure binds it on our
 * c= address, or on every address of that address's family. */
static int session_family(const struct call *c)
{
	return strchr(c->line->media_addr, ':') ? AF_INET6 : AF_INET;
}

/*
 * Gives @c's session the stream @ms as @c's state lets it flow.
 * @return tcall_set's: 0, or a negative errno (then the session kept what
 * it had: media_session_set changes nothing when it fails).
 */
static int media_apply(struct call *c, const struct media_stream *ms)
{
	struct media_stream st = *ms;
	bool live = c->state != LINECALLSTATE_DISCONNECTED &&
	            c->state != LINECALLSTATE_IDLE;
	bool connected = c->state == LINECALLSTATE_CONNECTED;
	int rc;

	st.send = st.send && live && connected;
	st.recv = st.recv && live;
	if (connected && !c->media_connected) {
		/*
		 * rtp_timeout counts while the call is connected
		 * (tapix-sip(7)): a time-out of the ringing, when nothing
		 * need come, is forgotten, and the session's count starts
		 * anew (media_session_set does so when receiving resumes;
		 * once fired, it would not fire again before RTP came).
		 */
		struct media_stream quiet = st;

		quiet.recv = false;
		if (tcall_set(c->tm, &quiet) == 0)
			(void)tcall_timed_out(c->tm);
	}
	rc = tcall_set(c->tm, &st);
	if (rc == 0)
		c->media_connected = connected;
	return rc;
}

void sip_media_update(struct call *c)
{
	if (!c->tm)
		return;
	/* the events of its media (a gathering's end...) name the call as
	 * soon as TAPI knows it, agreed stream or not */
	if (c->announced)
		tcall_bind(c->tm, c->ht);
	if (c->ms_set && media_apply(c, &c->ms) != 0)
		sip_log(SIP_WARN, "call %08x: media not set", c->h);
}

bool sip_media_agreed(struct call *c, const struct sdp_neg *neg)
{
	struct media_stream st;
	unsigned char buf[16];

	if (!c->tm)
		return true; /* closed by TAPI: no media to give it */
	/* built aside: c->ms keeps the stream running until this one is
	 * known to work */
	memset(&st, 0, sizeof(st));
	st.pcm_rate = 8000;
	if (!strcasecmp(neg->fmt.name, "PCMU") ||
	    (!neg->fmt.name[0] && neg->fmt.pt == 0)) {
		st.codec = CODEC_PCMU;
	} else if (!strcasecmp(neg->fmt.name, "PCMA") ||
	           (!neg->fmt.name[0] && neg->fmt.pt == 8)) {
		st.codec = CODEC_PCMA;
	} else if (!strcasecmp(neg->fmt.name, "G722") ||
	           (!neg->fmt.name[0] && neg->fmt.pt == 9)) {
		st.codec = CODEC_G722; /* wide band: audio at 16 kHz */
		st.pcm_rate = 16000;
	} else if (!strcasecmp(neg->fmt.name, "opus")) {
		st.codec = CODEC_OPUS;
		st.pcm_rate = 16000;
	} else {
		sip_log(SIP_WARN, "call %08x: no media for %s", c->h,
		        neg->fmt.name);
		return false;
	}
	if (!numeric(neg->remote_addr)) {
		/* RFC 4566 allows a name in c=; we take addresses only */
		sip_log(SIP_WARN, "call %08x: media address %s is not numeric",
		        c->h, neg->remote_addr);
		return false;
	}
	if (inet_pton(session_family(c), neg->remote_addr, buf) != 1) {
		/* our session has one family (sip_media_ensure) */
		sip_log(SIP_WARN,
		        "call %08x: media address %s is not of our family",
		        c->h, neg->remote_addr);
		return false;
	}
	st.pt = neg->fmt.pt;
	st.has_dtmf = neg->has_dtmf;
	st.dtmf_pt = neg->dtmf_pt;
	tsp_copy_str(st.remote_addr, sizeof(st.remote_addr), neg->remote_addr);
	st.remote_port = neg->remote_port;
	st.remote_rtcp_port = neg->remote_rtcp_port;
	st.send = neg->dir == SDP_SENDRECV || neg->dir == SDP_SENDONLY;
	st.recv = neg->dir == SDP_SENDRECV || neg->dir == SDP_RECVONLY;
	/* RFC 4566 §6: ptime is a hint; absurd ones are not taken */
	st.ptime = neg->ptime >= 10 && neg->ptime <= 60 && neg->ptime % 10 == 0
	                   ? neg->ptime
	                   : 20;
	st.srtp = neg->srtp;
	if (neg->srtp) {
		st.suite = neg->suite == SDP_AES_CM_128_HMAC_SHA1_32
		                   ? RTPSEC_AES_CM_128_HMAC_SHA1_32
		                   : RTPSEC_AES_CM_128_HMAC_SHA1_80;
		memcpy(st.tx_key, neg->tx_key, RTPSEC_KEY_LEN);
		memcpy(st.rx_key, neg->rx_key, RTPSEC_KEY_LEN);
	}
	/* an Opus packet is 10, 20, 40 or 60 ms (RFC 6716 §2.1.4) */
	if (st.codec == CODEC_OPUS && st.ptime != 10 && st.ptime != 40 &&
	    st.ptime != 60)
		st.ptime = 20;
	/* the media engine has the last word (a port 0 among what it
	 * refuses): refused, the session and c->ms stay as they were */
	if (media_apply(c, &st) != 0) {
		sip_log(SIP_WARN,
		        "call %08x: media %s %u refused by the engine", c->h,
		        st.remote_addr, (unsigned)st.remote_port);
		return false;
	}
	c->ms = st;
	c->ms_set = true;
	return true;
}

/* The call @hd names with its media, under sip.lock; NULL with *@r set. */
static struct call *media_call(HDRVCALL hd, LONG *r)
{
	struct call *c = call_of(hd);

	if (!c || c->tapi_closed) {
		*r = LINEERR_INVALCALLHANDLE;
		return NULL;
	}
	if (!c->tm) {
		*r = LINEERR_RESOURCEUNAVAIL; /* no SDP of ours yet */
		return NULL;
	}
	*r = 0;
	return c;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGetID(HDRVLINE hdLine, DWORD dwAddressID,
                                       HDRVCALL hdCall, DWORD dwSelect,
                                       LPVARSTRING lpDeviceID,
                                       LPCSTR lpszDeviceClass,
                                       HANDLE hTargetProcess)
{
	struct call *c;
	LONG r;

	(void)hdLine;
	(void)dwAddressID;
	(void)hTargetProcess;
	if (dwSelect != LINECALLSELECT_CALL)
		return LINEERR_INVALDEVICECLASS; /* a line has no device */
	if (!lpDeviceID || !lpszDeviceClass)
		return LINEERR_INVALPOINTER;
	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c)
		r = tcall_get_id(c->tm, lpDeviceID, lpszDeviceClass);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

/*
 * lineGenerateDigits as SIP INFO (dtmf = info; the de-facto
 * application/dtmf-relay, "Signal=5" and "Duration=" the request's ms):
 * the digits as tcall_generate takes them (others skipped, ',' a second's
 * pause, @duration 0: 100, at most 5000), one INFO at a time sent by the
 * stack thread (C_DIGITS), LINE_GENERATE(DONE) after the last one's final
 * response; a new request, NULL, a failed INFO or the call leaving
 * CONNECTED ends the running one with CANCEL.
 */
static LONG info_generate(struct call *c, DWORD id, DWORD mode, LPCSTR digits,
                          DWORD duration)
{
	struct sip_digits *g = c->dg;
	char keep[SIP_DIGITS_MAX + 1];
	size_t n = 0;
	struct cmd *m;

	if (mode != LINEDIGITMODE_DTMF)
		return LINEERR_INVALDIGITMODE;
	if (digits && c->state != LINECALLSTATE_CONNECTED)
		return LINEERR_INVALCALLSTATE;
	for (const char *p = digits ? digits : ""; *p && n < SIP_DIGITS_MAX;
	     p++) {
		char d = *p;

		if (d >= 'a' && d <= 'd')
			d = (char)(d - 'a' + 'A');
		if ((d >= '0' && d <= '9') || (d >= 'A' && d <= 'D') ||
		    d == '*' || d == '#' || d == ',')
			keep[n++] = d;
	}
	keep[n] = '\0';
	if (!g && n) {
		g = c->dg = calloc(1, sizeof(*g));
		if (!g)
			return LINEERR_NOMEM;
	}
	m = n ? cmd_new(C_DIGITS, c) : NULL;
	if (n && !m)
		return LINEERR_NOMEM;
	if (g && g->on) {
		/* Microsoft's lineGenerateDigits: a new request, or NULL,
		 * cancels the one in progress */
		g->on = false;
		g->flight_is_cur = false;
		generate_end(c, g->id, LINEGENERATETERM_CANCEL);
	}
	if (!n) {
		if (digits) /* nothing to send: done at once */
			generate_end(c, id, LINEGENERATETERM_DONE);
		return 0;
	}
	memcpy(g->digits, keep, n + 1);
	g->pos = 0;
	g->id = id;
	g->dur = duration ? (duration > 5000 ? 5000 : duration) : 100;
	g->due = 0;
	g->on = true;
	cmd_post(m);
	return 0;
}

/*
 * The account's dtmf key chooses: auto (tcall_generate), rfc4733
 * (tcall_generate_events: LINEERR_OPERATIONUNAVAIL without
 * telephone-event agreed), info (info_generate), inband (tcall_generate
 * too: telephone-event is neither offered nor accepted, stack.c).
 */
SIP_EXPORT LONG TSPIAPI TSPI_lineGenerateDigits(HDRVCALL hdCall,
                                                DWORD dwEndToEndID,
                                                DWORD dwDigitMode,
                                                LPCSTR lpszDigits,
                                                DWORD dwDuration)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c && c->line->cfg.dtmf == SIP_DTMF_INFO)
		r = info_generate(c, dwEndToEndID, dwDigitMode, lpszDigits,
		                  dwDuration);
	else if (c && c->line->cfg.dtmf == SIP_DTMF_RFC4733)
		r = tcall_generate_events(c->tm, dwEndToEndID, dwDigitMode,
		                          lpszDigits, dwDuration);
	else if (c)
		r = tcall_generate(c->tm, dwEndToEndID, dwDigitMode, lpszDigits,
		                   dwDuration);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineGenerateTone(
	HDRVCALL hdCall, DWORD dwEndToEndID, DWORD dwToneMode, DWORD dwDuration,
	DWORD dwNumTones, LPLINEGENERATETONE const lpTones)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c)
		r = tcall_tone(c->tm, dwEndToEndID, dwToneMode, dwDuration,
		               dwNumTones, lpTones);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI
TSPI_lineMonitorTones(HDRVCALL hdCall, DWORD dwToneListID,
                      LPLINEMONITORTONE const lpToneList, DWORD dwNumEntries)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c)
		r = tcall_watch(c->tm, dwToneListID, lpToneList, dwNumEntries);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineMonitorDigits(HDRVCALL hdCall,
                                               DWORD dwDigitModes)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c)
		r = tcall_monitor(c->tm, dwDigitModes);
	pthread_mutex_unlock(&sip.lock);
	return r;
}

/*
 * tcall_gather (tcall.h): DTMF digits (RFC 4733, in band, or SIP INFO);
 * PULSE is never detected, so PULSE alone is refused
 * (LINEERR_INVALDIGITMODE) and DTMF | PULSE gathers DTMF. lpsDigits NULL
 * on a call with no media yet has nothing to cancel.
 */
SIP_EXPORT LONG TSPIAPI TSPI_lineGatherDigits(
	HDRVCALL hdCall, DWORD dwEndToEndID, DWORD dwDigitModes,
	LPSTR lpsDigits, DWORD dwNumDigits, LPCSTR lpszTerminationDigits,
	DWORD dwFirstDigitTimeout, DWORD dwInterDigitTimeout)
{
	struct call *c;
	LONG r;

	pthread_mutex_lock(&sip.lock);
	c = media_call(hdCall, &r);
	if (c)
		r = tcall_gather(c->tm, dwEndToEndID, dwDigitModes, lpsDigits,
		                 dwNumDigits, lpszTerminationDigits,
		                 dwFirstDigitTimeout, dwInterDigitTimeout);
	else if (!lpsDigits && r == LINEERR_RESOURCEUNAVAIL)
		r = 0; /* no media yet: no gathering to cancel */
	pthread_mutex_unlock(&sip.lock);
	return r;
}
