/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip: the stack thread. It owns the sofia root and one NUA agent per line,
 * runs the commands TSPI functions queue (struct cmd) and turns NUA events
 * into TAPI call states, completions and line states. Everything here runs
 * on that one thread, with sip.lock held while the provider's state is
 * read or changed (see sip.h).
 */
#define NUA_MAGIC_T     struct line
#define NUA_HMAGIC_T    void
#define SU_ROOT_MAGIC_T void
#define SU_WAKEUP_ARG_T void
#define SU_TIMER_ARG_T  void
#include "sip.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "hdr.h"
#include "sdp.h"
#include "tcall.h"

#define V20      0x00020000
#define SDP_TYPE "application/sdp"

static su_root_t *root;
static su_wait_t wake_wait[1];
static int wake_index = -1;
static bool stopping;
static su_timer_t *offer_timer; /* looks at offered calls every second */
static su_timer_t *digit_timer; /* SIP INFO digits due (dtmf_step) */
static uint64_t digit_timer_at; /* when it goes off (ms), 0: not set */

/* ---- helpers --------------------------------------------------------------
 */

static struct call *call_of_magic(nua_hmagic_t *hmagic)
{
	return hmagic ? call_get((uint32_t)(uintptr_t)hmagic) : NULL;
}

/* "User-to-User: HEX;encoding=hex" for @len bytes, or "" for none. */
static void uui_header(char *out, size_t size, const uint8_t *uui, DWORD len)
{
	static const char name[] = "User-to-User: ";

	out[0] = '\0';
	if (!len || size <= sizeof(name))
		return;
	memcpy(out, name, sizeof(name) - 1);
	if (!sip_uui_encode(out + sizeof(name) - 1, size - sizeof(name) + 1,
	                    uui, len))
		out[0] = '\0';
}

/* Stores the UUI that @msg carries on @c; true if @c shows a new one. */
static bool take_uui(struct call *c, const sip_t *msg)
{
	const sip_unknown_t *un;
	uint8_t data[SIP_UUI_MAX];
	int n;

	if (!msg)
		return false;
	for (un = msg->sip_unknown; un; un = un->un_next) {
		if (!un->un_name || strcasecmp(un->un_name, "User-to-User") ||
		    !un->un_value)
			continue;
		n = sip_uui_decode(un->un_value, data, sizeof(data));
		if (n < 0) {
			sip_log(SIP_INFO,
			        "call %08x: User-to-User ignored "
			        "(too long or not decodable)",
			        c->h);
			continue;
		}
		return tsp_uui_receive(&c->uui, data, (DWORD)n) > 0;
	}
	return false;
}

/* Keeps the first Reason header of @msg as text on @c. */
static void take_reason(struct call *c, const sip_t *msg)
{
	if (msg && msg->sip_reason)
		sip_hdr_reason(c->reason, sizeof(c->reason), msg->sip_reason);
}

static void take_call_id(struct call *c, const sip_t *msg)
{
	if (msg && msg->sip_call_id && !c->call_id[0])
		sip_hdr_call_id(c->call_id, sizeof(c->call_id),
		                msg->sip_call_id);
}

/* What the far end said when it ended the call, then told to TAPI. */
static void take_end(struct call *c, const sip_t *msg, int status)
{
	/* "ended-by" changes at least: the device-specific part is news */
	DWORD what = LINECALLINFOSTATE_DEVSPECIFIC;

	if (!c->ended_by[0])
		tsp_copy_str(c->ended_by, sizeof(c->ended_by), "remote");
	c->end_status = status;
	if (take_uui(c, msg))
		what |= LINECALLINFOSTATE_USERUSERINFO;
	take_reason(c, msg);
	/* tapix-sip(7): UUI and Reason are visible before DISCONNECTED */
	call_info(c, what);
}

static void completes(struct call *c, DRV_REQUESTID req, LONG r)
{
	if (pend_take(c, req))
		sip.complete(req, r);
}

/* Digest credentials for a challenge in @msg; false if none apply. */
static bool authenticate(nua_handle_t *nh, const struct line *l,
                         const sip_t *msg, int status)
{
	const msg_auth_t *au = NULL;
	const char *realm, *user;
	char auth[512];
	int w;

	if (!msg || !l->cfg.password[0])
		return false;
	if (status == 401)
		au = msg->sip_www_authenticate;
	else if (status == 407)
		au = msg->sip_proxy_authenticate;
	if (!au || !au->au_scheme || !au->au_params)
		return false;
	realm = msg_params_find(au->au_params, "realm=");
	if (!realm)
		return false;
	user = l->cfg.user;
	if (!user[0] && msg->sip_from && msg->sip_from->a_url->url_user)
		user = msg->sip_from->a_url->url_user;
	w = snprintf(auth, sizeof(auth), "%s:%s:%s:%s", au->au_scheme, realm,
	             user, l->cfg.password);
	if (w <= 0 || (size_t)w >= sizeof(auth))
		return false;
	nua_authenticate(nh, NUTAG_AUTH(auth), TAG_END());
	memset(auth, 0, sizeof(auth));
	return true;
}

/* A challenge (401, 407) answered with credentials, once per *@tried:
 * the request goes again. False: the response stands. */
static bool answer_challenge(nua_handle_t *nh, const struct line *l,
                             const sip_t *msg, int status, bool *tried)
{
	if ((status != 401 && status != 407) || *tried ||
	    !authenticate(nh, l, msg, status))
		return false;
	*tried = true;
	return true;
}

/* ---- SDP: what we offer and answer, what the peer sent (sdp.h) -----------
 *
 * NUA runs with its media (soa) off: a peer's SDP is read here, by
 * sdp_parse, and never by sofia-sip's own parser (docs/sofia-sip.md).
 * These buffers are the stack thread's.
 */

static struct sdp sdp_in, sdp_out;
static char sdp_text[SDP_MAX_TEXT + 1];

/* What this end can do on @c's line, wanting direction @dir. */
static void local_sdp(const struct call *c, enum sdp_dir dir,
                      struct sdp_local *lo)
{
	/* G.711 first (what every peer has, audio at 8 kHz), then the
	 * wide-band ones a peer may prefer (RFC 3551's G.722, RFC 7587's
	 * Opus: always written with two channels; we send and hear mono) */
	static const struct sdp_fmt fmts[] = {
		{0, "PCMU", 8000, 1, ""},
		{8, "PCMA", 8000, 1, ""},
		{9, "G722", 8000, 1, ""},
		{111, "opus", 48000, 2, ""},
		{101, "telephone-event", 8000, 1, "0-16"},
	};

	memset(lo, 0, sizeof(*lo));
	tsp_copy_str(lo->addr, sizeof(lo->addr), c->line->media_addr);
	lo->ip6 = strchr(lo->addr, ':') != NULL;
	lo->port = sip_media_port(c);
	lo->sess_id = c->sdp_id;
	lo->sess_version = c->sdp_version;
	lo->dir = dir;
	lo->srtp = (enum sdp_srtp)c->line->cfg.srtp;
	memcpy(lo->key, c->srtp_key, sizeof(lo->key));
	lo->nfmts = sizeof(fmts) / sizeof(fmts[0]);
	memcpy(lo->fmts, fmts, sizeof(fmts));
	/* dtmf = inband: digits only in the audio, both ways, so no
	 * telephone-event (the last) in an offer or an answer of ours */
	if (c->line->cfg.dtmf == SIP_DTMF_INBAND)
		lo->nfmts--;
}

/* FNV-1a of @s without its o= line: whether a description changed. */
static uint32_t body_hash(const char *s)
{
	uint32_t h = 2166136261u;
	const char *o = strstr(s, "\r\no="),
		   *end = o ? strstr(o + 2, "\r\n") : NULL;

	for (; *s; s++) {
		if (o && s == o + 2 && end) {
			s = end + 1;
			continue;
		}
		h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

/*
 * Writes @s (ours, for @c) into sdp_text: the o= version goes up by one
 * when the description differs from the last one sent (RFC 3264 §8).
 * @return sdp_text, or NULL if it does not fit.
 */
static const char *write_ours(struct call *c, struct sdp *s)
{
	uint32_t h;

	if (!c->sdp_id)
		c->sdp_id = ((uint64_t)time(NULL) << 16) ^ c->h;
	s->sess_id = c->sdp_id;
	s->sess_version = c->sdp_version;
	if (sdp_write(s, sdp_text, sizeof(sdp_text)) < 0)
		return NULL;
	h = body_hash(sdp_text);
	if (c->sdp_hash && h != c->sdp_hash) {
		s->sess_version = ++c->sdp_version;
		if (sdp_write(s, sdp_text, sizeof(sdp_text)) < 0)
			return NULL;
	}
	c->sdp_hash = h;
	return sdp_text;
}

/* Our offer for @c with direction @dir, in sdp_text (NULL: no room). */
static const char *make_offer(struct call *c, enum sdp_dir dir)
{
	struct sdp_local lo;

	if (!sip_media_ensure(c))
		return NULL;
	local_sdp(c, dir, &lo);
	sdp_offer(&lo, &sdp_out);
	c->sdp_dir = (int)dir;
	return write_ours(c, &sdp_out);
}

enum peer_sdp {
	PEER_NONE = 0,    /* no body */
	PEER_SDP,         /* parsed into sdp_in */
	PEER_BAD = -1,    /* malformed: 400 */
	PEER_NOT_SDP = -2 /* another content type: 415 */
};

/* The session description @msg carries, parsed into sdp_in. */
static enum peer_sdp peer_sdp(const struct line *l, const sip_t *msg)
{
	const sip_payload_t *pl = msg ? msg->sip_payload : NULL;

	if (!pl || !pl->pl_len)
		return PEER_NONE;
	if (!msg->sip_content_type || !msg->sip_content_type->c_type ||
	    strcasecmp(msg->sip_content_type->c_type, SDP_TYPE) != 0)
		return PEER_NOT_SDP;
	if (sdp_parse(pl->pl_data, pl->pl_len, &sdp_in) < 0) {
		sip_log(SIP_WARN, "%s: malformed SDP refused (%u bytes)",
		        l->cfg.name, (unsigned)pl->pl_len);
		return PEER_BAD;
	}
	return PEER_SDP;
}

/*
 * Checks the answer in @msg to the offer we sent for @c (RFC 3264 §7).
 * @return 1 usable, 0 none in @msg, -1 unusable.
 */
static int take_answer(struct call *c, const sip_t *msg)
{
	struct sdp_local lo;
	struct sdp_neg neg;
	int r;

	switch (peer_sdp(c->line, msg)) {
	case PEER_NONE:
		return 0;
	case PEER_SDP:
		break;
	default:
		return -1;
	}
	local_sdp(c, (enum sdp_dir)c->sdp_dir, &lo);
	sdp_offer(&lo, &sdp_out);
	r = sdp_check_answer(&sdp_out, &sdp_in, &neg);
	if (r < 0) {
		sip_log(SIP_WARN, "call %08x: SDP answer refused (%s)", c->h,
		        r == -ENOTSUP ? "audio rejected" : "not an answer");
		return -1;
	}
	sip_log(SIP_DEBUG, "call %08x: media %s %u, %s/%u, %s", c->h,
	        neg.remote_addr, (unsigned)neg.remote_port, neg.fmt.name,
	        (unsigned)neg.fmt.rate, sdp_dir_name(neg.dir));
	/* a valid answer whose media cannot run is unusable as well */
	return sip_media_agreed(c, &neg) ? 1 : -1;
}

/*
 * Answers the offer in sdp_in for @c with direction @dir (RFC 3264 §6):
 * the answer in sdp_text, or the SIP status that refuses the offer (488:
 * no codec in common, or media we cannot run, sip_media_agreed). A
 * refused offer changes nothing: the call keeps its media and our
 * description its version (RFC 3264 §8: as if it never came).
 */
static int answer_offer(struct call *c, enum sdp_dir dir, const char **text)
{
	uint64_t version = c->sdp_version;
	uint32_t hash = c->sdp_hash;
	struct sdp_local lo;
	struct sdp_neg neg;

	if (!sip_media_ensure(c))
		return 503; /* no media ports (or thread) now */
	local_sdp(c, dir, &lo);
	if (sdp_answer(&sdp_in, &lo, &sdp_out, &neg) < 0) {
		sip_log(SIP_INFO, "%s: SDP offer without a codec of ours",
		        c->line->cfg.name);
		return 488;
	}
	*text = write_ours(c, &sdp_out);
	if (!*text)
		return 500;
	if (!sip_media_agreed(c, &neg)) {
		c->sdp_version = version; /* this answer is never sent */
		c->sdp_hash = hash;
		*text = NULL;
		return 488;
	}
	return 0;
}

/* The status that refuses a peer's SDP of kind @k. */
static int refusal(enum peer_sdp k)
{
	return k == PEER_NOT_SDP ? 415 : 400;
}

/* ---- ending a session -----------------------------------------------------
 */

/* The final response that rejects an offered call, per the drop's hint. */
static unsigned reject_status(const struct call *c, DWORD hint)
{
	switch (hint) {
	case LINEDISCONNECTMODE_REJECT:
		return 603;
	case LINEDISCONNECTMODE_NOANSWER:
		return 480;
	case LINEDISCONNECTMODE_BUSY:
		return 486;
	default:
		return c->line->cfg.reject_status;
	}
}

/*
 * Ends @c's SIP session from our side, whatever its state: CANCEL while an
 * outgoing INVITE is unanswered, a final response to an incoming one (per
 * @hint, see reject_status), BYE once answered. Never waits: NUA finishes
 * in the background and the call is freed (if TAPI is done with it) at
 * nua_callstate_terminated.
 */
static void hang_up(struct call *c, const uint8_t *uui, DWORD len, DWORD hint)
{
	nua_handle_t *nh = c->nh;
	char hdr[2 * SIP_UUI_MAX + 64];
	unsigned status;

	if (!nh || c->hangup)
		return;
	c->hangup = true;
	if (!c->ended_by[0])
		tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
	uui_header(hdr, sizeof(hdr), uui, len);
	switch (c->cs) {
	case nua_callstate_init:
	case nua_callstate_calling:
	case nua_callstate_proceeding:
		/* UUI on CANCEL is best effort (RFC 7433 §4.2) */
		nua_cancel(nh, TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)),
		           TAG_END());
		break;
	case nua_callstate_received:
	case nua_callstate_early:
		status = reject_status(c, hint);
		c->end_status = (int)status;
		nua_respond(nh, (int)status, sip_status_phrase((int)status),
		            TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)), TAG_END());
		break;
	case nua_callstate_completed:
		/* RFC 3261 §15: not before the ACK of our 200 (or its
		 * timeout, where NUA ends the session itself) */
		c->bye_waits_ack = true;
		c->bye_uui_len = len <= SIP_UUI_MAX ? (unsigned)len : 0;
		if (c->bye_uui_len)
			memcpy(c->bye_uui, uui, c->bye_uui_len);
		break;
	case nua_callstate_completing:
	case nua_callstate_ready:
		c->bye_sent = true;
		nua_bye(nh, TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)), TAG_END());
		break;
	case nua_callstate_authenticating:
		/* nothing is in flight: the handle can go now */
		c->nh = NULL;
		nua_handle_destroy(nh);
		call_maybe_free(c);
		break;
	default: /* terminating: a BYE is on its way already */
		break;
	}
}

/* ---- commands -------------------------------------------------------------
 */

static void run_invite(struct call *c, const struct cmd *m)
{
	char hdr[2 * SIP_UUI_MAX + 64];
	const char *offer;
	nua_handle_t *nh;

	if (!m->dest[0]) {
		/* spec: tspi.md §6 TSPI_lineMakeCall — no address: DIALTONE */
		completes(c, m->req, 0);
		c->announced = true;
		set_state(c, LINECALLSTATE_DIALTONE, LINEDIALTONEMODE_UNAVAIL);
		return;
	}
	nh = nua_handle(c->line->nua, (nua_hmagic_t *)(uintptr_t)c->h,
	                SIPTAG_TO_STR(m->dest), TAG_END());
	if (!nh) {
		completes(c, m->req, LINEERR_OPERATIONFAILED);
		return;
	}
	c->nh = nh;
	c->cs = nua_callstate_init;
	uui_header(hdr, sizeof(hdr), m->uui, m->uui_len);
	offer = make_offer(c, SDP_SENDRECV);
	c->offer_out = offer != NULL;
	nua_invite(nh, TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)),
	           TAG_IF(offer, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
	           TAG_IF(offer, SIPTAG_PAYLOAD_STR(offer)), TAG_END());
	/* spec: tspi.md §4 — succeed no later than PROCEEDING */
	completes(c, m->req, 0);
	c->announced = true;
	set_state(c, LINECALLSTATE_DIALING, 0);
}

static void run_respond(struct call *c, const struct cmd *m, int status)
{
	char hdr[2 * SIP_UUI_MAX + 64];
	const char *body;
	bool offered = c->state == LINECALLSTATE_OFFERING ||
	               (status == 200 && c->state == LINECALLSTATE_ACCEPTED);

	if (!c->nh || c->hangup || !offered ||
	    (c->cs != nua_callstate_received && c->cs != nua_callstate_early)) {
		/* the caller gave up meanwhile */
		completes(c, m->req, LINEERR_INVALCALLSTATE);
		return;
	}
	uui_header(hdr, sizeof(hdr), m->uui, m->uui_len);
	/* RFC 3264 §5, §6 — the answer to the INVITE's offer in the 200,
	 * or (it had none) our offer, answered in the ACK */
	body = NULL;
	if (status == 200) {
		body = c->sdp_answer ? c->sdp_answer
		                     : make_offer(c, SDP_SENDRECV);
		c->offer_out = !c->sdp_answer && body;
	}
	nua_respond(c->nh, status, sip_status_phrase(status),
	            TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)),
	            TAG_IF(body, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
	            TAG_IF(body, SIPTAG_PAYLOAD_STR(body)), TAG_END());
	if (status == 200) {
		free(c->sdp_answer);
		c->sdp_answer = NULL;
	}
	completes(c, m->req, 0);
	if (status == 180)
		set_state(c, LINECALLSTATE_ACCEPTED, 0);
}

/*
 * lineHold / lineUnhold: a re-INVITE whose offer has the audio sendonly
 * (RFC 3264 §8.4), or sendrecv again; the request completes when it is
 * refused, or its answer is unusable (on_reinvite_response), or accepted
 * and ACKed (reinvite_done).
 */
static void run_hold(struct call *c, const struct cmd *m, bool on)
{
	DWORD want = on ? LINECALLSTATE_CONNECTED : LINECALLSTATE_ONHOLD;
	const char *offer;

	if (!c->nh || c->hangup || c->cs != nua_callstate_ready ||
	    c->state != want || c->reinvite_req) {
		completes(c, m->req, LINEERR_INVALCALLSTATE);
		return;
	}
	offer = make_offer(c, on ? SDP_SENDONLY : SDP_SENDRECV);
	if (!offer) {
		completes(c, m->req, LINEERR_OPERATIONFAILED);
		return;
	}
	c->reinvite_req = m->req;
	c->reinvite_hold = on;
	c->reinvite_ok = false;
	c->offer_out = true;
	nua_invite(c->nh, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE),
	           SIPTAG_PAYLOAD_STR(offer), TAG_END());
}

/* A pending re-INVITE or REFER request ends with the call (dropped or
 * lost). */
static void end_pending(struct call *c)
{
	if (c->reinvite_req)
		completes(c, c->reinvite_req, LINEERR_OPERATIONFAILED);
	c->reinvite_req = 0;
	c->reinvite_ok = false;
	if (c->refer_req)
		completes(c, c->refer_req, LINEERR_OPERATIONFAILED);
	c->refer_req = 0;
}

/* lineBlindTransfer: REFER to @m->dest (on_refer_response finishes). */
static void run_refer(struct call *c, const struct cmd *m)
{
	if (!c->nh || c->hangup || c->cs != nua_callstate_ready ||
	    c->state != LINECALLSTATE_CONNECTED || c->reinvite_req ||
	    c->refer_req) {
		completes(c, m->req, LINEERR_INVALCALLSTATE);
		return;
	}
	c->refer_req = m->req;
	nua_refer(c->nh, SIPTAG_REFER_TO_STR(m->dest), TAG_END());
}

/*
 * The REFER's final response: accepted, the transfer is done for us — the
 * request completes, BYE ends our leg, the call is IDLE (spec:
 * tapi-functions.md §22); refused, the request fails, the call goes on.
 */
static void on_refer_response(struct call *c, int status)
{
	DRV_REQUESTID req = c->refer_req;

	if (status < 200)
		return;
	c->refer_req = 0;
	if (status >= 300) {
		completes(c, req, LINEERR_OPERATIONFAILED);
		return;
	}
	completes(c, req, 0);
	tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
	hang_up(c, NULL, 0, 0);
	if (!c->tapi_closed)
		set_state(c, LINECALLSTATE_IDLE, 0);
}

/*
 * lineRedirect: the offered INVITE gets a 302 Moved Temporarily whose
 * Contact is the destination (RFC 3261 §21.3.3: the user can be reached
 * there for now; §8.1.3.4: the caller may send the request there), in
 * angle brackets as §20.10 wants for a URI with parameters. Our side is
 * over: the request completes and the call goes IDLE at once, as a drop
 * of an offered call (the caller was never connected to us); the
 * transaction layer takes the ACK, NUA ends the session.
 */
static void run_redirect(struct call *c, const struct cmd *m)
{
	char contact[SIP_STR + 2];

	if (!c->nh || c->hangup || c->state != LINECALLSTATE_OFFERING ||
	    (c->cs != nua_callstate_received && c->cs != nua_callstate_early)) {
		/* the caller gave up, or the call was answered, meanwhile */
		completes(c, m->req, LINEERR_INVALCALLSTATE);
		return;
	}
	snprintf(contact, sizeof(contact), "<%s>", m->dest);
	c->hangup = true;
	tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
	c->end_status = 302;
	nua_respond(c->nh, SIP_302_MOVED_TEMPORARILY,
	            SIPTAG_CONTACT_STR(contact), TAG_END());
	end_pending(c);
	completes(c, m->req, 0);
	call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
	set_state(c, LINECALLSTATE_IDLE, 0);
}

static void run_drop(struct call *c, const struct cmd *m)
{
	end_pending(c);
	hang_up(c, m->uui, m->uui_len, m->hint);
	completes(c, m->req, 0);
	/* spec: tspi.md §6 TSPI_lineDrop — IDLE eventually, here at once */
	if (!c->tapi_closed)
		set_state(c, LINECALLSTATE_IDLE, 0);
}

static void run_register(struct line *l, bool on, bool failed)
{
	char expires[16];

	if (!on) {
		if (!l->reg_nh)
			return;
		if (failed) {
			/* nothing is registered: the handle just goes */
			nua_handle_destroy(l->reg_nh);
			l->reg_nh = NULL;
			return;
		}
		l->reg_auth_tried = false;
		nua_unregister(l->reg_nh, TAG_END());
		return;
	}
	if (!l->reg_nh)
		l->reg_nh = nua_handle(l->nua, NULL, SIPTAG_TO_STR(l->cfg.aor),
		                       TAG_END());
	if (!l->reg_nh) {
		l->reg = REG_FAILED;
		line_devstate(l, LINEDEVSTATE_OUTOFSERVICE);
		return;
	}
	l->reg_auth_tried = false;
	snprintf(expires, sizeof(expires), "%u", l->cfg.reg_expires);
	nua_register(l->reg_nh, NUTAG_REGISTRAR(l->cfg.registrar),
	             NUTAG_OUTBOUND("no-validate no-options-keepalive"),
	             SIPTAG_EXPIRES_STR(expires), TAG_END());
}

/* The monotonic clock in ms. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void dtmf_step(struct call *c);

/* digit_timer: the calls whose next INFO digit is due. */
static void on_digit_timer(su_root_magic_t *magic, su_timer_t *t,
                           su_timer_arg_t *arg)
{
	uint32_t i;

	(void)magic;
	(void)t;
	(void)arg;
	pthread_mutex_lock(&sip.lock);
	digit_timer_at = 0;
	for (i = 0; i < sip.calls.used; i++) {
		struct call *c = sip.calls.slots[i].obj;

		if (c && c->dg && c->dg->on)
			dtmf_step(c);
	}
	pthread_mutex_unlock(&sip.lock);
}

/* digit_timer goes off at @at (ms) or before. */
static void digit_timer_arm(uint64_t at, uint64_t now)
{
	if (!digit_timer || (digit_timer_at && digit_timer_at <= at))
		return;
	if (su_timer_set_interval(digit_timer, on_digit_timer, NULL,
	                          (su_duration_t)(at - now)) == 0)
		digit_timer_at = at;
}

/*
 * dtmf = info: sends @c's next digit as an INFO (application/dtmf-relay)
 * when the last one had its final response and its time (its duration
 * and a gap as long, or a second for ','), or ends the request with
 * LINE_GENERATE(DONE) after the last. sip.lock held.
 */
static void dtmf_step(struct call *c)
{
	struct sip_digits *g = c->dg;
	uint64_t now = now_ms();
	char body[64], d;

	while (g && g->on && !g->in_flight) {
		if (!c->nh || c->hangup || c->tapi_closed ||
		    c->state != LINECALLSTATE_CONNECTED) {
			g->on = false; /* the session ends: no more INFO */
			generate_end(c, g->id, LINEGENERATETERM_CANCEL);
			return;
		}
		if (now < g->due) {
			digit_timer_arm(g->due, now);
			return;
		}
		d = g->digits[g->pos];
		if (!d) {
			g->on = false;
			generate_end(c, g->id, LINEGENERATETERM_DONE);
			return;
		}
		g->pos++;
		if (d == ',') {
			g->due = now + 1000;
			continue;
		}
		snprintf(body, sizeof(body), "Signal=%c\r\nDuration=%u\r\n", d,
		         g->dur);
		nua_info(c->nh,
		         SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"),
		         SIPTAG_PAYLOAD_STR(body), TAG_END());
		g->in_flight = true;
		g->flight_is_cur = true;
		g->auth_tried = g->auth_released = false;
		g->due = now + 2u * g->dur;
	}
}

/*
 * The final response to an INFO of ours: a challenge is answered once
 * with the account's credentials (the INFO goes again, still in flight),
 * a refused digit ends its request (CANCEL), else the next may go.
 * sofia-sip holds a challenged request until it is given credentials,
 * and the dialog's later requests wait behind it: one not answered is
 * let go with none (nua_authenticate without NUTAG_AUTH), and ends with
 * sofia's own 904 (or its nua_r_authenticate when it held nothing).
 */
static void on_info_response(struct call *c, int status, const sip_t *msg)
{
	struct sip_digits *g = c->dg;

	if (!g || !g->in_flight || status < 200)
		return;
	if (answer_challenge(c->nh, c->line, msg, status, &g->auth_tried))
		return;
	if ((status == 401 || status == 407) && !g->auth_released) {
		g->auth_released = true;
		nua_authenticate(c->nh, TAG_END());
		return;
	}
	g->in_flight = false;
	if (status >= 300 && g->on && g->flight_is_cur) {
		sip_log(SIP_WARN, "call %08x: INFO digit refused: %d", c->h,
		        status);
		g->on = false;
		generate_end(c, g->id, LINEGENERATETERM_CANCEL);
	}
	g->flight_is_cur = false;
	dtmf_step(c);
}

static void run_cmd(struct cmd *m)
{
	struct call *c = m->call ? call_get(m->call) : NULL;
	unsigned i;

	switch (m->op) {
	case C_INVITE:
	case C_ACCEPT:
	case C_ANSWER:
	case C_DROP:
	case C_HOLD:
	case C_UNHOLD:
	case C_REFER:
	case C_REDIRECT:
		/* TSPI_lineCloseCall failed the request already */
		if (!c || c->tapi_closed)
			return;
		if (m->op == C_INVITE)
			run_invite(c, m);
		else if (m->op == C_DROP)
			run_drop(c, m);
		else if (m->op == C_HOLD || m->op == C_UNHOLD)
			run_hold(c, m, m->op == C_HOLD);
		else if (m->op == C_REFER)
			run_refer(c, m);
		else if (m->op == C_REDIRECT)
			run_redirect(c, m);
		else
			run_respond(c, m, m->op == C_ACCEPT ? 180 : 200);
		return;
	case C_RELEASE:
		if (c)
			hang_up(c, NULL, 0, 0);
		return;
	case C_DIGITS:
		if (c && !c->tapi_closed)
			dtmf_step(c);
		return;
	case C_REGISTER:
	case C_UNREGISTER:
		if (m->line < sip.nlines)
			run_register(&sip.lines[m->line], m->op == C_REGISTER,
			             m->failed);
		return;
	case C_SHUTDOWN:
		stopping = true;
		for (i = 0; i < sip.nlines; i++)
			if (sip.lines[i].nua)
				nua_shutdown(sip.lines[i].nua);
		if (!sip.nlines)
			su_root_break(root);
		return;
	}
}

/*
 * Calls whose media stopped coming (the account's rtp_timeout; the
 * media thread marked them, tcall.h): ended here, as a local hang-up, with
 * LINEDISCONNECTMODE_TEMPFAILURE (extension of the spec, issue 17 item
 * 7; the far end gets a BYE). sip.lock held.
 */
static void end_silent_calls(void)
{
	uint32_t i;

	for (i = 0; i < sip.calls.used; i++) {
		struct call *c = sip.calls.slots[i].obj;

		/* the mark is taken only from a connected call: one of
		 * another state waits (sip_media_update forgets it when the
		 * call connects, and restarts the session's time-out) */
		if (!c || !c->tm || c->hangup ||
		    c->state != LINECALLSTATE_CONNECTED ||
		    !tcall_timed_out(c->tm))
			continue;
		sip_log(SIP_WARN, "call %08x: no RTP for %u s, ended", c->h,
		        c->line->cfg.rtp_timeout);
		tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
		tsp_copy_str(c->reason, sizeof(c->reason), "rtp-timeout");
		call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_TEMPFAILURE);
		hang_up(c, NULL, 0, 0);
	}
}

static int on_wake(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	uint64_t n;
	struct cmd *list;

	(void)magic;
	(void)w;
	(void)arg;
	if (read(sip.wake_fd, &n, sizeof(n)) < 0) {
		/* nothing to read: spurious wake-up */
	}
	pthread_mutex_lock(&sip.lock);
	list = sip.cmds;
	sip.cmds = NULL;
	sip.cmds_tail = &sip.cmds;
	if (!list && !sip.running && !stopping) {
		/* TSPI_providerShutdown could not queue its command */
		struct cmd stop = {.op = C_SHUTDOWN};

		run_cmd(&stop);
	}
	while (list) {
		struct cmd *m = list;

		list = m->next;
		run_cmd(m);
		free(m);
		sip.live_cmds--;
	}
	end_silent_calls();
	pthread_mutex_unlock(&sip.lock);
	return 0;
}

/* ---- events ---------------------------------------------------------------
 */

static void on_register(struct line *l, nua_event_t event, int status,
                        nua_handle_t *nh, const sip_t *msg)
{
	if (nh != l->reg_nh || status < 200)
		return;
	if (event == nua_r_unregister) {
		if (answer_challenge(nh, l, msg, status, &l->reg_auth_tried))
			return;
		/* done, or refused: nothing more to do with it */
		if (l->reg == REG_IDLE && !stopping) {
			l->reg_nh = NULL;
			nua_handle_destroy(nh);
		}
		return;
	}
	if (l->reg == REG_IDLE)
		return; /* closed meanwhile: the unregistration follows */
	if (answer_challenge(nh, l, msg, status, &l->reg_auth_tried))
		return;
	l->reg_status = status;
	if (status < 300) {
		l->reg_auth_tried = false;
		if (l->reg != REG_OK) {
			l->reg = REG_OK;
			sip_log(SIP_INFO, "%s: registered", l->cfg.name);
			line_devstate(l, LINEDEVSTATE_INSERVICE);
		}
	} else if (l->reg != REG_FAILED) {
		/* e.g. 904: wrong credentials; 408: no registrar */
		l->reg = REG_FAILED;
		sip_log(SIP_WARN, "%s: registration failed: %d", l->cfg.name,
		        status);
		line_devstate(l, LINEDEVSTATE_OUTOFSERVICE);
	}
}

/* Whether @c is an incoming call still waiting for an answer. */
static bool is_unanswered(const struct call *c)
{
	return c && !c->outgoing && !c->hangup && c->nh &&
	       (c->cs == nua_callstate_received ||
	        c->cs == nua_callstate_early);
}

/* The incoming calls of @l nobody has answered yet. */
static unsigned unanswered(const struct line *l)
{
	unsigned n = 0;
	uint32_t i;

	for (i = 0; i < sip.calls.used; i++) {
		const struct call *c = sip.calls.slots[i].obj;

		if (c && c->line == l && is_unanswered(c))
			n++;
	}
	return n;
}

/*
 * Issue 19 — an incoming call nobody answers within offer_timeout ends:
 * 480 to the caller, and TAPI sees it DISCONNECTED (NOANSWER) then IDLE,
 * so that even a call only monitors hold goes (termination.md §8).
 */
static void expire(struct call *c, const struct timespec *now)
{
	unsigned t = c->line->cfg.offer_timeout;

	if (!t || !is_unanswered(c) ||
	    now->tv_sec - c->offered_at.tv_sec < (time_t)t)
		return;
	sip_log(SIP_INFO, "call %08x: not answered in %u s, refused", c->h, t);
	c->hangup = true;
	tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
	c->end_status = 480;
	nua_respond(c->nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
	end_pending(c);
	call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
	set_state(c, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_NOANSWER);
	if (!c->tapi_closed)
		set_state(c, LINECALLSTATE_IDLE, 0);
}

static void on_offer_timer(su_root_magic_t *magic, su_timer_t *t,
                           su_timer_arg_t *arg)
{
	struct timespec now;
	uint32_t i;

	(void)magic;
	(void)t;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&sip.lock);
	for (i = 0; i < sip.calls.used; i++)
		if (sip.calls.slots[i].obj)
			expire(sip.calls.slots[i].obj, &now);
	pthread_mutex_unlock(&sip.lock);
}

/* Refuses a request whose SDP is @k (bad) or answers nothing (488). */
static void refuse_sdp(nua_t *nua, nua_handle_t *nh, int status)
{
	nua_respond(nh, status, sip_status_phrase(status), NUTAG_WITH_THIS(nua),
	            TAG_IF(status == 415, SIPTAG_ACCEPT_STR(SDP_TYPE)),
	            TAG_END());
}

/*
 * A new INVITE: offered to TAPI, or refused when nobody can take it or
 * its SDP is malformed (400), not SDP (415) or has no codec of ours (488)
 * — before TAPI hears of it.
 */
static void on_invite(nua_t *nua, struct line *l, nua_handle_t *nh,
                      const sip_t *msg)
{
	enum peer_sdp k = peer_sdp(l, msg);
	HTAPICALL ht = NULL;
	struct call *c = NULL;
	const char *answer = NULL;
	int status;

	if (unanswered(l) >= l->cfg.max_incoming) {
		/*
		 * Issue 19 — a cap per account: beyond max_incoming calls
		 * nobody answered yet, a new one is busy (and told when to
		 * try again), before anything is kept for it.
		 */
		sip_log(SIP_WARN,
		        "%s: %u incoming calls unanswered, one more refused",
		        l->cfg.name, l->cfg.max_incoming);
		nua_respond(nh, SIP_486_BUSY_HERE, NUTAG_WITH_THIS(nua),
		            SIPTAG_RETRY_AFTER_STR("10"), TAG_END());
		return;
	}
	if (stopping || !l->open || !(l->media_detect & SIP_MEDIA) ||
	    !(c = call_new(l))) {
		/* spec: tspi.md §5 — nobody wants it: announce nothing */
		nua_respond(nh, SIP_480_TEMPORARILY_UNAVAILABLE,
		            NUTAG_WITH_THIS(nua), TAG_END());
		return;
	}
	status = k < 0 ? refusal(k) : 0;
	if (!status && k == PEER_SDP) {
		status = answer_offer(c, SDP_SENDRECV, &answer);
		if (!status && !(c->sdp_answer = strdup(answer)))
			status = 500;
	}
	if (status) {
		c->tapi_closed = true; /* TAPI never knew it */
		call_maybe_free(c);
		refuse_sdp(nua, nh, status);
		return;
	}
	c->nh = nh;
	c->cs = nua_callstate_received;
	clock_gettime(CLOCK_MONOTONIC, &c->offered_at);
	nua_handle_bind(nh, (nua_hmagic_t *)(uintptr_t)c->h);
	if (msg->sip_from) {
		sip_hdr_url(c->remote, sizeof(c->remote), msg->sip_from->a_url);
		sip_hdr_display(c->remote_name, sizeof(c->remote_name),
		                msg->sip_from->a_display);
	}
	if (msg->sip_to)
		sip_hdr_url(c->local, sizeof(c->local), msg->sip_to->a_url);
	take_call_id(c, msg);
	take_uui(c, msg); /* not announced yet: no LINE_CALLINFO */
	/* spec: tspi.md §5 LINE_NEWCALL — the first message about it */
	l->ev(l->htl, NULL, LINE_NEWCALL, (DWORD_PTR)c->h, (DWORD_PTR)&ht, 0);
	if (!ht) {
		/* TAPI could not take it: refuse, the call goes at the end */
		c->tapi_closed = true;
		hang_up(c, NULL, 0, 0);
		return;
	}
	c->ht = ht;
	c->announced = true;
	set_state(c, LINECALLSTATE_OFFERING, LINEOFFERINGMODE_ACTIVE);
}

/* The direction this end wants for @c now (on hold: sending only). */
static enum sdp_dir wanted_dir(const struct call *c)
{
	return c->state == LINECALLSTATE_ONHOLD ? SDP_SENDONLY : SDP_SENDRECV;
}

/*
 * A re-INVITE (@invite) or UPDATE in the call (RFC 3264 §8, RFC 3311):
 * its offer answered in our 200, or (none) our offer in the 200 of a
 * re-INVITE, answered in the ACK; an UPDATE without one just gets 200. A
 * malformed, foreign or unacceptable offer is refused and the call goes
 * on as it was.
 */
static void on_reoffer(nua_t *nua, struct call *c, const sip_t *msg,
                       bool invite)
{
	enum peer_sdp k = peer_sdp(c->line, msg);
	const char *body = NULL;
	int status = k < 0 ? refusal(k) : 0;

	if (c->hangup)
		status = 481; /* (a BYE is on its way) */
	else if (!status && k == PEER_SDP)
		status = answer_offer(c, wanted_dir(c), &body);
	else if (!status && invite)
		body = make_offer(c, wanted_dir(c));
	if (status) {
		refuse_sdp(nua, c->nh, status);
		return;
	}
	c->offer_out = k == PEER_NONE && body;
	nua_respond(c->nh, SIP_200_OK, NUTAG_WITH_THIS(nua),
	            TAG_IF(body, SIPTAG_CONTENT_TYPE_STR(SDP_TYPE)),
	            TAG_IF(body, SIPTAG_PAYLOAD_STR(body)), TAG_END());
}

/* The ACK of our 200 whose offer it must answer (RFC 3264 §5). */
static void on_ack(struct call *c, const sip_t *msg)
{
	c->offer_out = false;
	if (take_answer(c, msg) > 0)
		return;
	/* no answer, or an unusable one: the session cannot go on */
	sip_log(SIP_WARN, "call %08x: ACK without a usable SDP answer", c->h);
	c->sdp_failed = true;
	tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
	c->end_status = 488;
	call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
	set_state(c, LINECALLSTATE_DISCONNECTED,
	          LINEDISCONNECTMODE_INCOMPATIBLE);
	hang_up(c, NULL, 0, 0);
}

/*
 * The final response to a hold or unhold re-INVITE: accepted, the request
 * completes when its ACK is out (reinvite_done); refused, at once, and the
 * call stays as it was (a 481 or 408 ends the session: nua_i_state says).
 */
static void on_reinvite_response(struct call *c, int status, const sip_t *msg)
{
	if (status < 200)
		return;
	c->offer_out = false;
	if (status < 300 && take_answer(c, msg) > 0) {
		c->reinvite_ok = true;
		return;
	}
	/* refused, or accepted without a usable answer: the request
	 * fails and the call goes on (RFC 3264 §8: the old media stay) */
	completes(c, c->reinvite_req, LINEERR_OPERATIONFAILED);
	c->reinvite_req = 0;
}

/* The accepted re-INVITE is ACKed (ready): ONHOLD, or CONNECTED again. */
static void reinvite_done(struct call *c)
{
	completes(c, c->reinvite_req, 0);
	c->reinvite_req = 0;
	c->reinvite_ok = false;
	if (c->reinvite_hold)
		set_state(c, LINECALLSTATE_ONHOLD, 0);
	else
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
}

/* A response to our INVITE. */
static void on_invite_response(struct call *c, int status, const sip_t *msg)
{
	struct sip_outcome o;

	take_call_id(c, msg);
	if (c->hangup)
		return; /* dropped: CANCEL or BYE is on its way */
	if (c->reinvite_req) {
		on_reinvite_response(c, status, msg);
		return;
	}
	if (answer_challenge(c->nh, c->line, msg, status, &c->auth_tried))
		return;
	if (status < 200) {
		if (take_uui(c, msg))
			call_info(c, LINECALLINFOSTATE_USERUSERINFO);
		/* an answer in a provisional response (early media): the
		 * 200's must be the same; an unusable one is ignored */
		if (c->offer_out && take_answer(c, msg) > 0)
			c->early_answer = true;
		if (status == 180 || status == 183)
			set_state(c, LINECALLSTATE_RINGBACK, 0);
		else if (c->state == LINECALLSTATE_DIALING)
			set_state(c, LINECALLSTATE_PROCEEDING, 0);
		return;
	}
	if (status < 300) {
		int a = c->offer_out ? take_answer(c, msg) : 1;

		if (take_uui(c, msg))
			call_info(c, LINECALLINFOSTATE_USERUSERINFO);
		c->offer_out = false;
		if (a > 0 || (a == 0 && c->early_answer))
			return; /* CONNECTED when the ACK is sent (ready) */
		/*
		 * RFC 3264 §5 — the 200 must answer our offer: without a
		 * usable answer NUA ACKs it and we end the call (the BYE
		 * goes when the ACK is out: on_state).
		 */
		c->sdp_failed = true;
		c->hangup = true;
		tsp_copy_str(c->ended_by, sizeof(c->ended_by), "local");
		c->end_status = 488;
		call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_INCOMPATIBLE);
		return;
	}
	take_end(c, msg, status);
	o = sip_status_outcome(status, c->line->version);
	set_state(c, o.state, o.mode);
}

/* The session is over for the stack: its handle goes. */
static void on_terminated(struct call *c, int status)
{
	nua_handle_t *nh = c->nh;

	if (!c->hangup && c->state != LINECALLSTATE_DISCONNECTED &&
	    c->state != LINECALLSTATE_BUSY && c->state != LINECALLSTATE_IDLE &&
	    c->state != LINECALLSTATE_DIALTONE) {
		/* lost: ACK or refresh timed out, transport error... */
		if (!c->ended_by[0])
			tsp_copy_str(c->ended_by, sizeof(c->ended_by),
			             "remote");
		if (!c->end_status && status >= 300)
			c->end_status = status;
		call_info(c, LINECALLINFOSTATE_DEVSPECIFIC);
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          sip_lost_mode(status, c->line->version));
	}
	c->nh = NULL;
	nua_handle_destroy(nh);
	call_maybe_free(c);
}

/* The BYE hang_up kept for the ACK, with its user-user information. */
static void send_waiting_bye(struct call *c)
{
	char hdr[2 * SIP_UUI_MAX + 64];

	uui_header(hdr, sizeof(hdr), c->bye_uui, c->bye_uui_len);
	c->bye_sent = true;
	c->bye_waits_ack = false;
	nua_bye(c->nh, TAG_IF(hdr[0], SIPTAG_HEADER_STR(hdr)), TAG_END());
}

static void on_state(struct call *c, int status, tagi_t tags[])
{
	int cs = c->cs;

	tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
	c->cs = cs;
	switch (cs) {
	case nua_callstate_completed: /* 200 sent */
	case nua_callstate_ready:     /* 200 received and ACKed, or ACK in */
		if (c->hangup) {
			/* CANCEL crossed the 200 OK: ACK was sent, now BYE */
			if (c->outgoing && !c->bye_sent) {
				c->bye_sent = true;
				nua_bye(c->nh, TAG_END());
			}
			/* dropped before the ACK of our 200 came: now */
			if (cs == nua_callstate_ready && c->bye_waits_ack &&
			    !c->bye_sent)
				send_waiting_bye(c);
			break;
		}
		if (cs == nua_callstate_ready && c->reinvite_ok) {
			reinvite_done(c);
			break;
		}
		/* ready again after a re-INVITE: on hold stays on hold */
		if (c->state != LINECALLSTATE_CONNECTED &&
		    c->state != LINECALLSTATE_ONHOLD)
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		break;
	case nua_callstate_terminated:
		end_pending(c);
		on_terminated(c, status);
		break;
	default:
		break;
	}
}

/*
 * A digit in an INFO of the call (the de-facto application/dtmf-relay,
 * "Signal=5", or application/dtmf, "5"): reported as a digit received
 * (tcall_digit). NUA answers the INFO itself (200).
 */
static void on_info(struct call *c, const sip_t *msg)
{
	char digit;

	if (!c->tm || !msg)
		return;
	digit = sip_hdr_info_digit(msg);
	if (digit)
		tcall_digit(c->tm, digit);
	else
		sip_log(SIP_INFO, "call %08x: INFO without a digit", c->h);
}

static void on_event(nua_event_t event, int status, char const *phrase,
                     nua_t *nua, nua_magic_t *l, nua_handle_t *nh,
                     nua_hmagic_t *hmagic, sip_t const *msg, tagi_t tags[])
{
	struct call *c;
	unsigned i;

	pthread_mutex_lock(&sip.lock);
	c = call_of_magic(hmagic);
	sip_log(SIP_DEBUG, "%s: %s %d %s (call %08x)", l->cfg.name,
	        nua_event_name(event), status, phrase ? phrase : "",
	        c ? c->h : 0);
	switch (event) {
	case nua_r_shutdown:
		if (status < 200)
			break;
		l->shut = true;
		for (i = 0; i < sip.nlines; i++)
			if (sip.lines[i].nua && !sip.lines[i].shut)
				break;
		if (i == sip.nlines)
			su_root_break(root);
		break;
	case nua_r_register:
	case nua_r_unregister:
		on_register(l, event, status, nh, msg);
		break;
	case nua_i_invite:
		if (!hmagic && msg)
			on_invite(nua, l, nh, msg);
		else if (c && c->nh == nh)
			on_reoffer(nua, c, msg, true);
		break;
	case nua_i_update:
		if (c && c->nh == nh)
			on_reoffer(nua, c, msg, false);
		else
			nua_respond(nh, SIP_481_NO_TRANSACTION,
			            NUTAG_WITH_THIS(nua), TAG_END());
		break;
	case nua_i_ack:
		if (c && c->nh == nh && c->offer_out)
			on_ack(c, msg);
		break;
	case nua_r_invite:
		if (c)
			on_invite_response(c, status, msg);
		break;
	case nua_r_refer:
		if (c && c->refer_req && !c->hangup)
			on_refer_response(c, status);
		break;
	case nua_i_info:
		if (c && c->nh == nh && !c->hangup)
			on_info(c, msg);
		break;
	case nua_r_info:
		if (c && c->nh == nh)
			on_info_response(c, status, msg);
		break;
	case nua_r_authenticate:
		/* a challenged INFO that sofia did not hold (nothing to
		 * restart): it ended with its challenge */
		if (c && c->nh == nh && c->dg && c->dg->in_flight &&
		    (c->dg->auth_tried || c->dg->auth_released) &&
		    status != 200)
			on_info_response(c, status < 300 ? 904 : status, NULL);
		break;
	case nua_i_bye:
		if (c && !c->hangup) {
			take_end(c, msg, 0);
			set_state(c, LINECALLSTATE_DISCONNECTED,
			          LINEDISCONNECTMODE_NORMAL);
		}
		break;
	case nua_i_cancel:
		if (c && !c->hangup) {
			take_end(c, msg, 0);
			set_state(c, LINECALLSTATE_DISCONNECTED,
			          c->line->version >= V20
			                  ? LINEDISCONNECTMODE_CANCELLED
			                  : LINEDISCONNECTMODE_NORMAL);
		}
		break;
	case nua_i_state:
		if (c && c->nh == nh) {
			on_state(c, status, tags);
		} else if (!c && nh) {
			int cs = 0;

			/* a call refused before TAPI heard of it */
			tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
			if (cs == nua_callstate_terminated)
				nua_handle_destroy(nh);
		}
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&sip.lock);
}

/* ---- the thread -----------------------------------------------------------
 */

static void sofia_log(void *stream, char const *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void sofia_log(void *stream, char const *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)stream;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	sip_log(SIP_DEBUG, "sofia: %s", msg);
}

/*
 * Our address in SDP: the configured local host, else the first address
 * of an interface that is up and not loopback (IPv4 first), else
 * 127.0.0.1.
 */
static void media_addr(const char *host, char *out, size_t size)
{
	struct ifaddrs *ifs, *i;
	int pass;

	if (host[0]) {
		tsp_copy_str(out, size, host);
		return;
	}
	tsp_copy_str(out, size, "127.0.0.1");
	if (getifaddrs(&ifs) != 0)
		return;
	for (pass = 0; pass < 2; pass++) {
		int fam = pass ? AF_INET6 : AF_INET;

		for (i = ifs; i; i = i->ifa_next) {
			socklen_t len = fam == AF_INET
			                        ? sizeof(struct sockaddr_in)
			                        : sizeof(struct sockaddr_in6);

			if (!i->ifa_addr || i->ifa_addr->sa_family != fam ||
			    !(i->ifa_flags & IFF_UP) ||
			    (i->ifa_flags & IFF_LOOPBACK) ||
			    getnameinfo(i->ifa_addr, len, out, (socklen_t)size,
			                NULL, 0, NI_NUMERICHOST) != 0)
				continue;
			out[strcspn(out, "%")] = '\0'; /* no IPv6 scope */
			freeifaddrs(ifs);
			return;
		}
	}
	tsp_copy_str(out, size, "127.0.0.1");
	freeifaddrs(ifs);
}

/* The host part of "host:port" (IPv6 in brackets), or "" for any. */
static void local_host(const char *local, char *out, size_t size)
{
	size_t n;

	if (local[0] == '[') {
		n = strcspn(local + 1, "]");
		local++;
	} else {
		n = strcspn(local, ":");
	}
	if (n >= size || (n == 1 && local[0] == '*'))
		n = 0;
	memcpy(out, local, n);
	out[n] = '\0';
	if (strcmp(out, "0.0.0.0") == 0)
		out[0] = '\0';
}

static bool start_line(struct line *l)
{
	char bind[192], from[SIP_STR + 80], host[128], user[64];
	const char *u = strchr(l->cfg.aor, ':') + 1; /* checked: sip(s): */
	bool tls;
	int w;

	/* (sofia-sip binds TLS for a sips: URL only) */
	if (strcmp(l->cfg.transport, "tls") == 0)
		w = snprintf(bind, sizeof(bind), "sips:%s", l->cfg.local);
	else
		w = snprintf(bind, sizeof(bind), "sip:%s;transport=%s",
		             l->cfg.local, l->cfg.transport);
	if (w <= 0 || (size_t)w >= sizeof(bind))
		return false;
	if (l->cfg.display[0])
		snprintf(from, sizeof(from), "\"%s\" <%s>", l->cfg.display,
		         l->cfg.aor);
	else
		snprintf(from, sizeof(from), "<%s>", l->cfg.aor);
	local_host(l->cfg.local, host, sizeof(host));
	media_addr(host, l->media_addr, sizeof(l->media_addr));
	/* Contact's user part: the digest user, else the AOR's */
	if (l->cfg.user[0])
		tsp_copy_str(user, sizeof(user), l->cfg.user);
	else
		snprintf(user, sizeof(user), "%.*s", (int)strcspn(u, "@"), u);
	/*
	 * NUA's media (soa) off: no peer's SDP reaches sofia-sip's parser
	 * (docs/sofia-sip.md); offers and answers are ours (sdp.h), and so
	 * is the answer to an UPDATE (NUTAG_APPL_METHOD).
	 */
	/*
	 * NTATAG_MAX_PROCEEDING: past that many requests in progress the
	 * stack answers 503 itself (issue 19: overload is told, not met by
	 * dropping datagrams, ACKs and BYEs among them).
	 */
	/*
	 * TLS (RFC 3261 §26.2.1): sofia-sip's, with our certificate and the
	 * authorities we trust from tls_dir; the servers we connect to are
	 * checked against them, and their certificates must name the host
	 * (RFC 5922 §7.2), unless tls_verify = no.
	 */
	tls = strcmp(l->cfg.transport, "tls") == 0;
	l->nua = nua_create(
		root, on_event, l, NUTAG_URL(bind),
		TAG_IF(tls && l->cfg.tls_dir[0],
	               TPTAG_CERTIFICATE(l->cfg.tls_dir)),
		TAG_IF(tls, TPTAG_TLS_VERIFY_POLICY(
				    l->cfg.tls_no_verify
					    ? TPTLS_VERIFY_NONE
					    : TPTLS_VERIFY_SUBJECTS_OUT)),
		NUTAG_MEDIA_ENABLE(0),
		NTATAG_MAX_PROCEEDING(l->cfg.max_proceeding),
		TAG_IF(l->cfg.proxy[0], NUTAG_PROXY(l->cfg.proxy)),
		NTATAG_SIP_T1X64(l->cfg.t1x64_ms), TAG_END());
	if (!l->nua) {
		sip_log(SIP_ERR, "%s: cannot listen on %s", l->cfg.name, bind);
		return false;
	}
	nua_set_params(l->nua, SIPTAG_FROM_STR(from),
	               TAG_IF(user[0], NUTAG_M_USERNAME(user)),
	               NUTAG_SESSION_TIMER(l->cfg.session_expires),
	               NUTAG_MIN_SE(l->cfg.min_se),
	               NUTAG_SESSION_REFRESHER(nua_any_refresher),
	               TAG_IF(l->cfg.invite_timeout,
	                      NUTAG_INVITE_TIMER(l->cfg.invite_timeout)),
	               /* NOTIFY: the progress of our REFERs (RFC 3515) */
	               /* INFO: digits (application/dtmf-relay) */
	               SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, "
	                                "UPDATE, NOTIFY, INFO"),
	               SIPTAG_USER_AGENT_STR("tapix"),
	               NUTAG_APPL_METHOD("UPDATE"), TAG_END());
	return true;
}

void *stack_main(void *arg)
{
	bool ok = true;
	unsigned i;

	(void)arg;
	stopping = false;
	su_init();
	su_log_redirect(NULL, sofia_log, NULL);
	root = su_root_create(NULL);
	if (!root) {
		ok = false;
	} else if (su_wait_create(wake_wait, sip.wake_fd, SU_WAIT_IN) < 0 ||
	           (wake_index = su_root_register(root, wake_wait, on_wake,
	                                          NULL, 0)) < 0) {
		ok = false;
	}
	for (i = 0; ok && i < sip.nlines; i++)
		ok = start_line(&sip.lines[i]);
	if (ok) {
		offer_timer = su_timer_create(su_root_task(root), 1000);
		ok = offer_timer &&
		     su_timer_set_for_ever(offer_timer, on_offer_timer, NULL) ==
		             0;
		digit_timer = su_timer_create(su_root_task(root), 1000);
		digit_timer_at = 0;
		ok = ok && digit_timer;
	}
	pthread_mutex_lock(&sip.lock);
	sip.start_err = ok ? 1 : -1;
	pthread_cond_broadcast(&sip.cond);
	if (!ok && root) {
		/* the agents already made must shut down before they go */
		stopping = true;
		for (i = 0; i < sip.nlines; i++)
			if (sip.lines[i].nua)
				nua_shutdown(sip.lines[i].nua);
	}
	pthread_mutex_unlock(&sip.lock);
	if (root) {
		for (i = 0; i < sip.nlines && !sip.lines[i].nua; i++)
			;
		if (ok || i < sip.nlines)
			su_root_run(root);
		/*
		 * Events the agents sent before their shutdown ended (a late
		 * nua_r_unregister...) are still queued: deliver them, or
		 * their messages and handles would leak.
		 */
		for (i = 0; i < 20; i++)
			su_root_step(root, 5);
		for (i = 0; i < sip.nlines; i++) {
			if (sip.lines[i].nua)
				nua_destroy(sip.lines[i].nua);
			sip.lines[i].nua = NULL;
			sip.lines[i].reg_nh = NULL;
		}
		su_timer_destroy(offer_timer);
		offer_timer = NULL;
		su_timer_destroy(digit_timer);
		digit_timer = NULL;
		if (wake_index >= 0)
			su_root_unregister(root, wake_wait, on_wake, NULL);
		wake_index = -1;
		su_root_destroy(root);
		root = NULL;
	}
	su_deinit();
	return NULL;
}
