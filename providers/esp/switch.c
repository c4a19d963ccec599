/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * esp: the call model and the TSPI call functions. A call on an esp line
 * may have a far end on another esp line (peer), be a station of a bridged
 * appearance (every station is offered the call; one that drops while
 * another is on it stays CONNECTED/INACTIVE), be a conference, one of its
 * participants or its consultation call. Every request runs at once or,
 * with slow:MS/ or completion_delay_ms, from the timer thread.
 */
#include "esp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---------------------------------------------------------------
 */

static void set_state(struct call *c, DWORD state, DWORD mode)
{
	c->state = state;
	c->mode = mode;
	c->state_time = time(NULL);
	if (c->tm)
		esp_media_state(c);
	if (c->announced && c->line->ev)
		c->line->ev(c->line->htl, c->ht, LINE_CALLSTATE, state, mode,
		            c->media);
}

/* spec: tspi.md §5 LINE_CALLSTATE — CONFERENCED names the parent's htCall */
static void set_conferenced(struct call *c, struct call *conf)
{
	c->state = LINECALLSTATE_CONFERENCED;
	c->mode = 0;
	c->conf = conf->h;
	c->state_time = time(NULL);
	if (c->announced && c->line->ev)
		c->line->ev(c->line->htl, c->ht, LINE_CALLSTATE,
		            LINECALLSTATE_CONFERENCED, (DWORD_PTR)conf->ht,
		            c->media);
}

static void call_info(struct call *c, DWORD what)
{
	if (c->announced && c->line->ev && c->state != LINECALLSTATE_IDLE)
		c->line->ev(c->line->htl, c->ht, LINE_CALLINFO, what, 0, 0);
}

static void line_ring(struct line *l)
{
	if (l->ev && (l->line_states & LINEDEVSTATE_RINGING))
		l->ev(l->htl, NULL, LINE_LINEDEVSTATE, LINEDEVSTATE_RINGING, 1,
		      0);
}

static bool is_ringing(const struct call *c)
{
	return c->state == LINECALLSTATE_OFFERING ||
	       c->state == LINECALLSTATE_ACCEPTED;
}

static bool is_active(const struct call *c)
{
	return c->state == LINECALLSTATE_CONNECTED &&
	       c->mode != LINECONNECTEDMODE_INACTIVE;
}

/* ---- user-user information (spec: tapi-functions.md §19) ------------------
 */

/*
 * UUI from the far end: shown at once, unless the app has not released
 * the current one; then it waits (never overwritten before the release).
 */
static void receive_uui(struct call *c, const uint8_t *data, DWORD len)
{
	/* (none, most often: tsp_uui_receive would do nothing) */
	if (len && tsp_uui_receive(&c->uui, data, len) > 0)
		call_info(c, LINECALLINFOSTATE_USERUSERINFO);
}

static void release_uui(struct call *c)
{
	if (tsp_uui_release(&c->uui) > 0)
		call_info(c, LINECALLINFOSTATE_USERUSERINFO);
}

/* ---- relations ------------------------------------------------------------
 */

/* A station of a bridged appearance: its peer is a bridged caller. */
static struct call *caller_of_station(const struct call *s)
{
	struct call *caller;

	if (!s->line->bridge || !s->peer)
		return NULL;
	caller = call_get(s->peer);
	return caller && caller->bridged ? caller : NULL;
}

/* The stations @caller's call is offered to or connected with. */
static unsigned stations_of(const struct call *caller, struct call **out,
                            unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < esp.calls.used && n < max; i++) {
		struct call *s = call_at(i);

		if (s && s->peer == caller->h && s->line->bridge)
			out[n++] = s;
	}
	return n;
}

static unsigned participants_of(const struct call *conf, struct call **out,
                                unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < esp.calls.used && n < max; i++) {
		struct call *c = call_at(i);

		if (c && c->conf == conf->h &&
		    c->state == LINECALLSTATE_CONFERENCED)
			out[n++] = c;
	}
	return n;
}

/*
 * A conference after a change: with a consultation call pending it waits;
 * two or more participants: CONNECTED; one: it falls back to a two-party
 * call (the conference goes IDLE, the participant CONNECTED); none: IDLE.
 * spec: termination.md §2, tapi-functions.md §23, §25.
 */
static void conf_check(struct call *conf)
{
	struct call *list[ESP_MAX_CONF];
	unsigned n;

	if (!conf || !conf->is_conf || conf->state == LINECALLSTATE_IDLE)
		return;
	if (conf->consult && call_get(conf->consult))
		return;
	conf->consult = 0;
	n = participants_of(conf, list, ESP_MAX_CONF);
	if (n >= 2) {
		if (conf->state != LINECALLSTATE_CONNECTED &&
		    conf->state != LINECALLSTATE_ONHOLD)
			set_state(conf, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		return;
	}
	if (n == 1) {
		list[0]->conf = 0;
		set_state(list[0], LINECALLSTATE_CONNECTED,
		          LINECONNECTEDMODE_ACTIVE);
	}
	set_state(conf, LINECALLSTATE_IDLE, 0);
}

/* The far end of @c left with @mode (and maybe UUI). */
static void far_end_left(struct call *c, DWORD mode, const uint8_t *uui,
                         DWORD uui_len)
{
	struct call *conf;

	receive_uui(c, uui, uui_len);
	if (c->state == LINECALLSTATE_IDLE ||
	    c->state == LINECALLSTATE_DISCONNECTED)
		return;
	/* spec: tapi-messages-and-states.md §5.5 — the caller abandons */
	if (is_ringing(c) || (c->state == LINECALLSTATE_CONNECTED &&
	                      c->mode == LINECONNECTEDMODE_INACTIVE)) {
		set_state(c, LINECALLSTATE_IDLE, 0);
		return;
	}
	conf = c->state == LINECALLSTATE_CONFERENCED ? call_get(c->conf) : NULL;
	set_state(c, LINECALLSTATE_DISCONNECTED, mode);
	if (conf) {
		c->conf = 0;
		conf_check(conf);
	}
}

/* @c leaves: whoever is on the other side of it hears so. */
static void tell_far_end(struct call *c, DWORD mode, const uint8_t *uui,
                         DWORD uui_len)
{
	struct call *st[ESP_MAX_LINES < 64 ? ESP_MAX_LINES : 64];
	struct call *p;
	unsigned i, n;

	if (c->bridged) {
		c->bridged = false;
		n = stations_of(c, st, 64);
		for (i = 0; i < n; i++) {
			st[i]->peer = 0;
			far_end_left(st[i], mode, uui, uui_len);
		}
		return;
	}
	p = c->peer ? call_get(c->peer) : NULL;
	c->peer = 0;
	if (!p)
		return;
	p->peer = 0;
	far_end_left(p, mode, uui, uui_len);
}

/*
 * A station of a bridged appearance leaves (drop, or TAPI closes it): it
 * only idles itself while another station is on the call (its view stays
 * CONNECTED/INACTIVE, and lineAnswer re-joins); the last one ends the call.
 * spec: termination.md §2 (bridged / party-line), §9 C9.
 */
static void station_leave(struct call *s, struct call *caller,
                          const uint8_t *uui, DWORD uui_len, bool closing)
{
	struct call *st[64];
	unsigned i, n, ringing = 0, active = 0;

	n = stations_of(caller, st, 64);
	for (i = 0; i < n; i++) {
		if (st[i] == s)
			continue;
		ringing += is_ringing(st[i]);
		active += is_active(st[i]);
	}
	if (is_active(s) && active) {
		if (closing)
			s->peer = 0;
		else
			set_state(s, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_INACTIVE);
		return;
	}
	s->peer = 0;
	if (is_active(s) || (is_ringing(s) && !ringing && !active)) {
		/* the last station leaves: the call ends for everybody */
		DWORD mode = is_ringing(s) ? LINEDISCONNECTMODE_REJECT
		                           : LINEDISCONNECTMODE_NORMAL;

		for (i = 0; i < n; i++) {
			if (st[i] == s)
				continue;
			st[i]->peer = 0;
			set_state(st[i], LINECALLSTATE_IDLE, 0);
		}
		caller->bridged = false;
		far_end_left(caller, mode, uui, uui_len);
	}
	if (!closing)
		set_state(s, LINECALLSTATE_IDLE, 0);
}

/*
 * What the far end of @c hears when @c leaves: an offered call is
 * rejected, or not answered, or busy, as the drop's hint says
 * (TSPIX_lineDropEx); any other call ends normally.
 */
static DWORD leave_mode(const struct call *c)
{
	if (!is_ringing(c))
		return LINEDISCONNECTMODE_NORMAL;
	switch (c->drop_hint) {
	case LINEDISCONNECTMODE_NOANSWER:
	case LINEDISCONNECTMODE_BUSY:
		return c->drop_hint;
	default:
		return LINEDISCONNECTMODE_REJECT;
	}
}

/*
 * @c leaves a transfer in progress. The consultation call going back
 * reconnects the call waiting for it (termination.md §2, dropping a
 * consultation call); the waiting call going leaves the consultation call
 * an ordinary call.
 */
static void xfer_unlink(struct call *c)
{
	struct call *orig = c->xfer_of ? call_get(c->xfer_of) : NULL;
	struct call *consult =
		c->xfer_consult ? call_get(c->xfer_consult) : NULL;

	c->xfer_of = c->xfer_consult = 0;
	if (consult)
		consult->xfer_of = 0;
	if (orig) {
		orig->xfer_consult = 0;
		if (orig->state == LINECALLSTATE_ONHOLDPENDTRANSFER)
			set_state(orig, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
	}
}

static void leave(struct call *c, const uint8_t *uui, DWORD uui_len,
                  bool closing);

/* spec: termination.md §2 — CONFDROP: every participant leaves too */
static void conf_leave(struct call *c, bool closing)
{
	struct call *list[ESP_MAX_CONF];
	struct call *consult = c->consult ? call_get(c->consult) : NULL;
	unsigned i, n = participants_of(c, list, ESP_MAX_CONF);

	c->consult = 0;
	for (i = 0; i < n; i++) {
		list[i]->conf = 0;
		leave(list[i], NULL, 0, false);
	}
	if (consult) {
		consult->conf = 0;
		leave(consult, NULL, 0, false);
	}
	if (!closing && c->state != LINECALLSTATE_IDLE)
		set_state(c, LINECALLSTATE_IDLE, 0);
}

/*
 * @c leaves the call: a drop (its own states reported) or TAPI closing it
 * (@closing: nothing more is reported about @c itself).
 */
static void leave(struct call *c, const uint8_t *uui, DWORD uui_len,
                  bool closing)
{
	struct call *caller = caller_of_station(c);
	struct call *conf;
	bool was_consult;

	if (esp.live_jobs) /* none (most often): nothing to look for */
		cancel_scripts(c->h);
	if (caller) {
		station_leave(c, caller, uui, uui_len, closing);
		return;
	}
	if (c->is_conf) {
		conf_leave(c, closing);
		return;
	}
	if (c->state != LINECALLSTATE_IDLE &&
	    c->state != LINECALLSTATE_DISCONNECTED)
		tell_far_end(c, leave_mode(c), uui, uui_len);
	if (c->xfer_of || c->xfer_consult)
		xfer_unlink(c);
	conf = c->conf ? call_get(c->conf) : NULL;
	was_consult = conf && conf->consult == c->h;
	c->conf = 0;
	if (!closing && c->state != LINECALLSTATE_IDLE)
		set_state(c, LINECALLSTATE_IDLE, 0);
	if (conf) {
		if (was_consult)
			conf->consult = 0;
		conf_check(conf);
	}
}

void close_call(struct call *c)
{
	if (esp.live_jobs)
		cancel_jobs(c->h);
	/*
	 * spec: tspi.md §6 TSPI_lineCloseCall — CLOSEDROP: drop it. An IDLE
	 * call (most: TAPI closes them once IDLE) with no station's caller,
	 * conference or transfer has nothing to leave: leave() would find
	 * nothing to do.
	 */
	if (c->state != LINECALLSTATE_IDLE || c->peer || c->is_conf ||
	    c->conf || c->xfer_of || c->xfer_consult)
		leave(c, NULL, 0, true);
	call_free(c);
}

/* ---- connecting -----------------------------------------------------------
 */

static struct call *offer_one(struct call *caller, struct line *to,
                              const uint8_t *uui, DWORD uui_len)
{
	HTAPICALL ht = NULL;
	struct call *c;

	if (!to->open || !to->ev)
		return NULL; /* nobody there */
	c = call_new(to);
	if (!c)
		return NULL;
	c->media = caller->media;
	c->bearer = caller->bearer;
	c->origin = LINECALLORIGIN_INTERNAL;
	c->peer = caller->h;
	/* a new call is zeroed: whole addresses are copied, no strnlen */
	memcpy(c->caller, caller->line->address, sizeof(c->caller));
	memcpy(c->called, to->address, sizeof(to->address));
	/* offered by a redirect: who redirected it (without memory for it,
	 * the call is offered as a direct one) */
	if (caller->redir && caller->redir->redirecting[0] &&
	    (c->redir = calloc(1, sizeof(*c->redir))) != NULL)
		tsp_copy_str(c->redir->redirecting,
		             sizeof(c->redir->redirecting),
		             caller->redir->redirecting);
	if (uui_len)
		tsp_uui_receive(&c->uui, uui, uui_len); /* not announced yet */
	/* spec: tspi.md §5 LINE_NEWCALL — the first message about it */
	to->ev(to->htl, NULL, LINE_NEWCALL, (DWORD_PTR)c->h, (DWORD_PTR)&ht, 0);
	if (!ht) {
		esp.created--; /* TAPI never knew it */
		call_free(c);
		return NULL;
	}
	c->ht = ht;
	c->announced = true;
	set_state(c, LINECALLSTATE_OFFERING, LINEOFFERINGMODE_ACTIVE);
	line_ring(to);
	return c;
}

/* Offers @caller's call on @to, or on every station of its appearance. */
static void offer(struct call *caller, struct line *to, const uint8_t *uui,
                  DWORD uui_len)
{
	unsigned i;

	if (!to->bridge) {
		struct call *callee = offer_one(caller, to, uui, uui_len);

		if (callee)
			caller->peer = callee->h;
		return;
	}
	caller->bridged = true;
	for (i = 0; i < esp.nlines; i++)
		if (esp.lines[i].bridge == to->bridge)
			offer_one(caller, &esp.lines[i], uui, uui_len);
}

/* Progress of @c towards its destination; @dialing: from DIALING on. */
static void connect_to(struct call *c, struct line *target, const uint8_t *uui,
                       DWORD uui_len, bool dialing)
{
	if (c->script == S_DIALTONE) {
		set_state(c, LINECALLSTATE_DIALTONE, LINEDIALTONEMODE_NORMAL);
		return;
	}
	if (dialing) {
		set_state(c, LINECALLSTATE_DIALING, 0);
		set_state(c, LINECALLSTATE_PROCEEDING, 0);
	}
	switch (c->script) {
	case S_LINE:
		if (target)
			offer(c, target, uui, uui_len);
		set_state(c, LINECALLSTATE_RINGBACK, 0);
		break;
	case S_DEAF:
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		break;
	case S_ANSWER:
		if (c->script_ms == 0) {
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
			break;
		}
		set_state(c, LINECALLSTATE_RINGBACK, 0);
		job_add(c->script_ms, OP_SCRIPT_CONNECT, c->h, 0);
		break;
	case S_BUSY:
		set_state(c, LINECALLSTATE_BUSY, LINEBUSYMODE_STATION);
		break;
	case S_NOANSWER:
		set_state(c, LINECALLSTATE_RINGBACK, 0);
		break;
	case S_REJECT:
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_REJECT);
		break;
	case S_HANGUP:
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		job_add(c->script_ms, OP_SCRIPT_HANGUP, c->h, 0);
		break;
	case S_BADADDR:
		set_state(c, LINECALLSTATE_DISCONNECTED,
		          LINEDISCONNECTMODE_BADADDRESS);
		break;
	default:
		break;
	}
}

/* @c answers (or a bridged station joins: CONNECTED/INACTIVE -> ACTIVE). */
static void answer(struct call *c, const uint8_t *uui, DWORD uui_len)
{
	struct call *caller = caller_of_station(c);
	struct call *st[64], *p;
	unsigned i, n;

	if (caller) {
		bool first = true;

		n = stations_of(caller, st, 64);
		for (i = 0; i < n; i++)
			if (st[i] != c && is_active(st[i]))
				first = false;
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		if (!first)
			return;
		receive_uui(caller, uui, uui_len);
		set_state(caller, LINECALLSTATE_CONNECTED,
		          LINECONNECTEDMODE_ACTIVE);
		/* connected elsewhere: the other stations' view */
		for (i = 0; i < n; i++)
			if (st[i] != c && is_ringing(st[i]))
				set_state(st[i], LINECALLSTATE_CONNECTED,
				          LINECONNECTEDMODE_INACTIVE);
		return;
	}
	set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
	p = c->peer ? call_get(c->peer) : NULL;
	if (p) {
		receive_uui(p, uui, uui_len);
		set_state(p, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
	}
}

/* UUI sent by @c during the call reaches whoever is on the other side. */
static void send_uui(struct call *c, const uint8_t *uui, DWORD uui_len)
{
	struct call *st[64], *caller = caller_of_station(c);
	unsigned i, n;

	if (caller) {
		receive_uui(caller, uui, uui_len);
	} else if (c->bridged) {
		n = stations_of(c, st, 64);
		for (i = 0; i < n; i++)
			receive_uui(st[i], uui, uui_len);
	} else if (c->peer && call_get(c->peer)) {
		receive_uui(call_get(c->peer), uui, uui_len);
	}
}

/* ---- dial strings ---------------------------------------------------------
 */

static bool parse_ms(const char *s, const char *end, unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	if (s == end || end - s > 7)
		return false;
	for (p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*out = (unsigned)v;
	return true;
}

/* The destination as parsed: what a call does when it dials it. */
struct dest {
	enum script script;
	unsigned script_ms;
	unsigned slow_ms;
	char called[32];
	struct line *target;
};

/* the addresses copied whole (memcpy, no strnlen) */
_Static_assert(sizeof(((struct call *)0)->caller) ==
                       sizeof(((struct line *)0)->address),
               "a call's caller is a line's address");
_Static_assert(sizeof(((struct call *)0)->called) >=
                       sizeof(((struct line *)0)->address),
               "a call's called may be a line's address");
_Static_assert(sizeof(((struct call *)0)->called) ==
                       sizeof(((struct dest *)0)->called),
               "a call's called is a parsed destination's");

/* What a number may hold: 0-9 * # A-D + , (no strchr per digit) */
static bool is_dialable(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'D') || c == '*' ||
	       c == '#' || c == '+' || c == ',';
}

/* What a number may be written with and is left out: space - ( ) . */
static bool is_separator(char c)
{
	return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
}

/* A dial control esp cannot do: its LINEERR_DIAL*, or 0. */
static LONG dial_control(char c)
{
	switch (c) {
	case 'W':
	case 'w':
		return LINEERR_DIALDIALTONE;
	case '@':
		return LINEERR_DIALQUIET;
	case '$':
		return LINEERR_DIALBILLING;
	case '?':
		return LINEERR_DIALPROMPT;
	default:
		return 0;
	}
}

static bool script_word(const char *d, const char *w)
{
	return strcmp(d, w) == 0;
}

/*
 * Parses a destination; 0 or the LINEERR_ to return. Nothing is dialed
 * for an invalid one (spec: tspi.md §6 TSPI_lineMakeCall).
 */
static LONG parse_dest(const char *dest, struct dest *out)
{
	const char *p, *colon;
	size_t n = 0;
	bool bad = false;

	memset(out, 0, sizeof(*out));
	if (!dest || !*dest) {
		out->script = S_DIALTONE;
		return 0;
	}
	if (dest[0] == 's' && strncmp(dest, "slow:", 5) == 0) {
		const char *slash = strchr(dest + 5, '/');

		if (!slash || !parse_ms(dest + 5, slash, &out->slow_ms))
			return LINEERR_INVALADDRESS;
		dest = slash + 1;
	}
	/* every script word begins with a lower-case letter: a number
	 * needs none of the comparisons below (and writes @called itself) */
	if (*dest < 'a' || *dest > 'z')
		goto number;
	tsp_copy_str(out->called, sizeof(out->called), dest);
	colon = strchr(dest, ':');
	if (script_word(dest, "answer"))
		out->script = S_ANSWER;
	else if (script_word(dest, "busy"))
		out->script = S_BUSY;
	else if (script_word(dest, "noanswer"))
		out->script = S_NOANSWER;
	else if (script_word(dest, "reject"))
		out->script = S_REJECT;
	else if (script_word(dest, "unavail"))
		out->script = S_UNAVAIL;
	else if (script_word(dest, "outage"))
		out->script = S_OUTAGE;
	else if (script_word(dest, "remove"))
		out->script = S_REMOVE;
	else if (script_word(dest, "create"))
		out->script = S_CREATE;
	else if (script_word(dest, "deaf"))
		out->script = S_DEAF;
	else if (colon && colon - dest == 6 && strncmp(dest, "answer", 6) == 0)
		out->script = S_ANSWER;
	else if (colon && colon - dest == 6 && strncmp(dest, "hangup", 6) == 0)
		out->script = S_HANGUP;
	else
		goto number;
	if (colon &&
	    !parse_ms(colon + 1, colon + strlen(colon), &out->script_ms))
		return LINEERR_INVALADDRESS;
	return 0;
number:
	/*
	 * One pass: the first dial control esp cannot do fails, wherever it
	 * is, with nothing dialed; else a character a number may not hold,
	 * or one too many, makes the address invalid.
	 */
	for (p = dest; *p; p++) {
		char ch = *p;
		LONG ctl;

		if (ch >= '0' && ch <= '9') {
			/* most of a number: no other test */
		} else if (is_separator(ch)) {
			continue;
		} else if ((ctl = dial_control(ch)) != 0) {
			return ctl;
		} else if (!is_dialable(ch)) {
			bad = true;
			continue;
		}
		if (n + 1 >= sizeof(out->called))
			bad = true;
		else
			out->called[n++] = ch;
	}
	if (bad || n == 0)
		return LINEERR_INVALADDRESS;
	out->called[n] = '\0';
	out->target = line_by_address(out->called);
	out->script = out->target ? S_LINE : S_BADADDR;
	return 0;
}

static void apply_dest(struct call *c, const struct dest *d)
{
	c->script = d->script;
	c->script_ms = d->script_ms;
	if (d->slow_ms)
		c->slow_ms = d->slow_ms;
	memcpy(c->called, d->called, sizeof(c->called)); /* NUL-terminated */
}

/* ---- requests -------------------------------------------------------------
 */

/*
 * spec: tspi.md §5 LINE_CLOSE, LINE_REMOVE — complete every outstanding
 * request of the line first, then ask TAPI to close it (or tell it the
 * line is gone); the line keeps working until TSPI_lineClose comes.
 */
void line_outage(struct line *l, DRV_REQUESTID req, bool removed)
{
	uint32_t i;

	esp.complete(req, LINEERR_OPERATIONFAILED);
	for (i = 0; i < esp.calls.used; i++) {
		struct call *c = call_at(i);

		if (c && c->line == l)
			cancel_jobs(c->h);
	}
	if (!l->ev)
		return;
	if (removed) {
		l->removed = true;
		l->ev(NULL, NULL, LINE_REMOVE, l->dev_id, 0, 0);
	} else {
		l->ev(l->htl, NULL, LINE_CLOSE, 0, 0, 0);
	}
}

/* Whether @op may run on @c now (checked when asked and when it runs). */
static LONG op_state_check(enum op op, const struct call *c)
{
	switch (op) {
	case OP_ANSWER:
		return is_ringing(c) || (caller_of_station(c) &&
		                         c->state == LINECALLSTATE_CONNECTED &&
		                         c->mode == LINECONNECTEDMODE_INACTIVE)
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_ACCEPT:
		return c->state == LINECALLSTATE_OFFERING
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_DROP:
		return c->state != LINECALLSTATE_IDLE ? 0
		                                      : LINEERR_INVALCALLSTATE;
	case OP_SEND_UUI:
		return is_ringing(c) || is_active(c) ||
		                       c->state == LINECALLSTATE_RINGBACK
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_HOLD:
		return is_active(c) ? 0 : LINEERR_INVALCALLSTATE;
	case OP_UNHOLD:
		return c->state == LINECALLSTATE_ONHOLD ||
		                       (c->is_conf &&
		                        c->state ==
		                                LINECALLSTATE_ONHOLDPENDCONF) ||
		                       c->state ==
		                               LINECALLSTATE_ONHOLDPENDTRANSFER
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_SETUP_XFER:
		if (c->is_conf || c->bridged || caller_of_station(c) ||
		    c->conf || c->xfer_of)
			return LINEERR_INVALCALLSTATE;
		return is_active(c) ? 0 : LINEERR_INVALCALLSTATE;
	case OP_COMPLETE_XFER:
		return c->state == LINECALLSTATE_ONHOLD ||
		                       c->state ==
		                               LINECALLSTATE_ONHOLDPENDTRANSFER
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_TRANSFER:
		if (c->is_conf || c->bridged || caller_of_station(c) || c->conf)
			return LINEERR_OPERATIONUNAVAIL;
		return is_active(c) ? 0 : LINEERR_INVALCALLSTATE;
	case OP_REDIRECT:
		/* a bridged station's offer is the appearance's, not its own */
		if (caller_of_station(c))
			return LINEERR_OPERATIONUNAVAIL;
		return c->state == LINECALLSTATE_OFFERING
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_DIAL:
		return c->state == LINECALLSTATE_DIALTONE
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_PREPARE_CONF:
		return c->is_conf && c->state == LINECALLSTATE_CONNECTED
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	case OP_REMOVE_CONF:
		return c->state == LINECALLSTATE_CONFERENCED
		               ? 0
		               : LINEERR_INVALCALLSTATE;
	default:
		return 0;
	}
}

/* Whether @c may be the consultation call of a transfer of @orig. */
static LONG xfer_consult_check(const struct call *orig, const struct call *c)
{
	if (c == orig || c->line != orig->line || c->is_conf || c->bridged ||
	    caller_of_station(c) || c->conf)
		return LINEERR_INVALCONSULTCALLHANDLE;
	return is_active(c) || c->state == LINECALLSTATE_RINGBACK ||
	                       c->state == LINECALLSTATE_PROCEEDING
	               ? 0
	               : LINEERR_INVALCALLSTATE;
}

/*
 * lineCompleteTransfer, now due (@c: the call on hold). Transfer: the far
 * ends of both calls are put through to each other and both calls go
 * IDLE; a far end that is a script (not an esp line) simply stays where it
 * is. Conference: both calls join the new conference call.
 */
static void complete_xfer(const struct job *j, struct call *c)
{
	struct call *consult = call_get(j->call2);
	struct call *conf = j->call3 ? call_get(j->call3) : NULL;
	struct call *p, *q;
	LONG r = consult ? xfer_consult_check(c, consult)
	                 : LINEERR_INVALCONSULTCALLHANDLE;

	if (!r && j->call3 && !conf)
		r = LINEERR_OPERATIONFAILED;
	if (r) {
		esp.complete(j->req, r);
		return;
	}
	esp.complete(j->req, 0);
	/* the links go, with no reconnection: both calls move on below */
	if (c->xfer_consult && call_get(c->xfer_consult))
		call_get(c->xfer_consult)->xfer_of = 0;
	if (consult->xfer_of && call_get(consult->xfer_of))
		call_get(consult->xfer_of)->xfer_consult = 0;
	c->xfer_consult = c->xfer_of = 0;
	consult->xfer_consult = consult->xfer_of = 0;
	if (conf) {
		conf->announced = true;
		set_state(conf, LINECALLSTATE_CONNECTED,
		          LINECONNECTEDMODE_ACTIVE);
		set_conferenced(c, conf);
		set_conferenced(consult, conf);
		return;
	}
	p = c->peer ? call_get(c->peer) : NULL;
	q = consult->peer ? call_get(consult->peer) : NULL;
	c->peer = consult->peer = 0;
	if (p && q) {
		p->peer = q->h;
		q->peer = p->h;
		/* the transferred party waits while the destination rings */
		if (is_ringing(q) && p->state == LINECALLSTATE_CONNECTED)
			set_state(p, LINECALLSTATE_RINGBACK, 0);
	} else if (p) {
		p->peer = 0;
	} else if (q) {
		q->peer = 0;
	}
	set_state(c, LINECALLSTATE_IDLE, 0);
	set_state(consult, LINECALLSTATE_IDLE, 0);
}

/*
 * lineRedirect, now due (@c: the offered call). The caller's call is
 * deflected: @c leaves it and goes IDLE at once (an offered call was
 * never connected: no DISCONNECTED, as a caller abandoning it), and the
 * caller now calls the destination, still in RINGBACK: an esp line is
 * offered the call (LINECALLREASON_REDIRECT, RedirectingID @c's address),
 * a script plays as if the caller had dialed it. The caller's
 * LINECALLINFO names the destination (CalledID, RedirectionID).
 * A redirect to the call's own line is LINEERR_INVALADDRESS, and a call
 * redirected ESP_MAX_REDIRECTS times is not redirected again
 * (LINEERR_OPERATIONFAILED): lines that forward to each other (tapixd's
 * incoming = forward:) must not ring for ever.
 */
#define ESP_MAX_REDIRECTS 8

static void redirect(const struct job *j, struct call *c)
{
	struct call *p = c->peer ? call_get(c->peer) : NULL;
	struct dest d;

	if (!p) {
		esp.complete(j->req, LINEERR_INVALCALLSTATE);
		return;
	}
	parse_dest(j->dest, &d); /* checked when it was asked */
	if (d.script == S_LINE && d.target == c->line) {
		esp.complete(j->req, LINEERR_INVALADDRESS);
		return;
	}
	if (p->redirects >= ESP_MAX_REDIRECTS) {
		esp.complete(j->req, LINEERR_OPERATIONFAILED);
		return;
	}
	if (!p->redir && !(p->redir = calloc(1, sizeof(*p->redir)))) {
		esp.complete(j->req, LINEERR_NOMEM);
		return;
	}
	p->redirects++;
	esp.complete(j->req, 0);
	c->peer = p->peer = 0;
	set_state(c, LINECALLSTATE_IDLE, 0);
	apply_dest(p, &d);
	tsp_copy_str(p->redir->redirection, sizeof(p->redir->redirection),
	             d.called);
	call_info(p,
	          LINECALLINFOSTATE_CALLEDID | LINECALLINFOSTATE_REDIRECTIONID);
	if (d.script != S_LINE) {
		connect_to(p, NULL, NULL, 0, false);
		return;
	}
	tsp_copy_str(p->redir->redirecting, sizeof(p->redir->redirecting),
	             c->line->address);
	if (d.target)
		offer(p, d.target, NULL, 0);
	p->redir->redirecting[0] = '\0';
	if (p->state != LINECALLSTATE_RINGBACK)
		set_state(p, LINECALLSTATE_RINGBACK, 0);
}

/* Performs @j's operation on its call @c (checked) and completes its
 * request; locked. */
static void run_op(const struct job *j, struct call *c)
{
	struct call *c2;
	struct dest d;

	switch (j->op) {
	case OP_MAKECALL:
		if (c->script == S_OUTAGE || c->script == S_REMOVE) {
			line_outage(c->line, j->req, c->script == S_REMOVE);
			break;
		}
		if (c->script == S_CREATE) {
			/* the call goes nowhere; a spare line comes */
			esp.complete(j->req, LINEERR_CALLUNAVAIL);
			line_announce_spare(); /* none left: nothing */
			break;
		}
		if (c->script == S_UNAVAIL) {
			/* TAPI answers with TSPI_lineCloseCall (spec C3) */
			esp.complete(j->req, LINEERR_CALLUNAVAIL);
			break;
		}
		esp.complete(j->req, 0);
		c->announced = true;
		/* a delayed call's target is looked up now */
		connect_to(c,
		           c->script != S_LINE ? NULL
		           : j->target         ? j->target
		                               : line_by_address(c->called),
		           j->uui, j->uui_len, true);
		break;
	case OP_ANSWER:
		esp.complete(j->req, 0);
		answer(c, j->uui, j->uui_len);
		break;
	case OP_ACCEPT:
		esp.complete(j->req, 0);
		set_state(c, LINECALLSTATE_ACCEPTED, 0);
		line_ring(c->line);
		if (c->peer && call_get(c->peer))
			receive_uui(call_get(c->peer), j->uui, j->uui_len);
		break;
	case OP_DROP:
		esp.complete(j->req, 0);
		/*
		 * deaf: the drop is done, yet no IDLE ever comes (against
		 * termination.md §1.6, on purpose: for the tests of the
		 * bounded waits for IDLE); TSPI_lineCloseCall ends it.
		 */
		if (c->script == S_DEAF)
			break;
		/* spec: termination.md §2 — dropping OFFERING rejects */
		c->drop_hint = j->arg;
		leave(c, j->uui, j->uui_len, false);
		break;
	case OP_SEND_UUI:
		esp.complete(j->req, 0);
		send_uui(c, j->uui, j->uui_len);
		break;
	case OP_RELEASE_UUI:
		esp.complete(j->req, 0);
		release_uui(c);
		break;
	case OP_HOLD:
		esp.complete(j->req, 0);
		set_state(c, LINECALLSTATE_ONHOLD, 0);
		break;
	case OP_UNHOLD:
		esp.complete(j->req, 0);
		if (c->is_conf) {
			/* the pending consultation call goes; see conf_check */
			struct call *consult = call_get(c->consult);

			c->consult = 0;
			if (consult) {
				consult->conf = 0;
				leave(consult, NULL, 0, false);
			}
			conf_check(c);
		} else if (c->xfer_consult) {
			/* the consultation call goes, @c comes back */
			struct call *consult = call_get(c->xfer_consult);

			if (consult)
				leave(consult, NULL, 0, false);
			xfer_unlink(c);
		} else {
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		}
		break;
	case OP_SETUP_XFER:
		c2 = call_get(j->call2);
		esp.complete(j->req, 0);
		set_state(c, LINECALLSTATE_ONHOLDPENDTRANSFER, 0);
		if (c2) {
			c2->announced = true;
			set_state(c2, LINECALLSTATE_DIALTONE,
			          LINEDIALTONEMODE_NORMAL);
		}
		break;
	case OP_COMPLETE_XFER:
		complete_xfer(j, c);
		break;
	case OP_TRANSFER: {
		struct call *p = c->peer ? call_get(c->peer) : NULL;

		esp.complete(j->req, 0);
		parse_dest(j->dest, &d); /* checked when it was asked */
		c->peer = 0;
		set_state(c, LINECALLSTATE_IDLE, 0);
		if (p) {
			/* the far end now calls the destination */
			p->peer = 0;
			apply_dest(p, &d);
			connect_to(p, d.target, NULL, 0, false);
		}
		break;
	}
	case OP_REDIRECT:
		redirect(j, c);
		break;
	case OP_DIAL:
		esp.complete(j->req, 0);
		parse_dest(j->dest, &d);
		apply_dest(c, &d);
		connect_to(c, d.target, NULL, 0, true);
		break;
	case OP_SETUP_CONF: {
		struct call *orig = j->call2 ? call_get(j->call2) : NULL;
		struct call *consult = call_get(c->consult);

		if (j->call2 && (!orig || !is_active(orig))) {
			esp.complete(j->req, LINEERR_INVALCALLSTATE);
			break;
		}
		esp.complete(j->req, 0);
		c->announced = true;
		set_state(c, LINECALLSTATE_ONHOLDPENDCONF, 0);
		if (consult) {
			consult->announced = true;
			set_state(consult, LINECALLSTATE_DIALTONE,
			          LINEDIALTONEMODE_NORMAL);
		}
		if (orig)
			set_conferenced(orig, c);
		break;
	}
	case OP_PREPARE_CONF:
		c2 = call_get(c->consult);
		esp.complete(j->req, 0);
		set_state(c, LINECALLSTATE_ONHOLDPENDCONF, 0);
		if (c2) {
			c2->announced = true;
			set_state(c2, LINECALLSTATE_DIALTONE,
			          LINEDIALTONEMODE_NORMAL);
		}
		break;
	case OP_ADD_CONF: {
		struct call *list[ESP_MAX_CONF];

		c2 = call_get(j->call2);
		if (!c2 || !c->is_conf ||
		    (c->state != LINECALLSTATE_ONHOLDPENDCONF &&
		     c->state != LINECALLSTATE_ONHOLD) ||
		    !(is_active(c2) || c2->state == LINECALLSTATE_ONHOLD ||
		      c2->state == LINECALLSTATE_PROCEEDING ||
		      c2->state == LINECALLSTATE_RINGBACK)) {
			esp.complete(j->req, LINEERR_INVALCALLSTATE);
			break;
		}
		if (participants_of(c, list, ESP_MAX_CONF) == ESP_MAX_CONF) {
			esp.complete(j->req, LINEERR_CONFERENCEFULL);
			break;
		}
		esp.complete(j->req, 0);
		if (c->consult == c2->h)
			c->consult = 0;
		set_conferenced(c2, c);
		set_state(c, LINECALLSTATE_CONNECTED, LINECONNECTEDMODE_ACTIVE);
		break;
	}
	case OP_REMOVE_CONF:
		esp.complete(j->req, 0);
		leave(c, NULL, 0, false); /* -> IDLE (dwRemoveFromConfState) */
		break;
	case OP_SCRIPT_CONNECT:
		if (c->state == LINECALLSTATE_RINGBACK)
			set_state(c, LINECALLSTATE_CONNECTED,
			          LINECONNECTEDMODE_ACTIVE);
		break;
	case OP_SCRIPT_HANGUP:
		if (c->state == LINECALLSTATE_CONNECTED)
			set_state(c, LINECALLSTATE_DISCONNECTED,
			          LINEDISCONNECTMODE_NORMAL);
		break;
	}
}

/* Performs @j's operation (now due) and completes its request; locked. */
void run_job(struct job *j)
{
	struct call *c = call_get(j->call);
	LONG r;

	if (!c) {
		if (j->req)
			esp.complete(j->req, LINEERR_INVALCALLHANDLE);
		return;
	}
	if (j->op != OP_MAKECALL && j->op != OP_SETUP_CONF &&
	    j->op != OP_ADD_CONF && (r = op_state_check(j->op, c)) != 0) {
		if (j->req)
			esp.complete(j->req, r);
		return;
	}
	run_op(j, c);
}

/* What some jobs need beyond their call (struct job's fields). */
struct xargs {
	uint32_t call2, call3;
	DWORD arg;
	struct line *target; /* OP_MAKECALL, kept only when run at once */
};

/* Fills in @j what its request gives beyond op, call and request id. */
static void job_fill(struct job *j, const void *uui, DWORD uui_len,
                     const char *dest, const struct xargs *x)
{
	if (x) {
		j->call2 = x->call2;
		j->call3 = x->call3;
		j->arg = x->arg;
	}
	if (uui_len)
		memcpy(j->uui, uui, uui_len);
	j->uui_len = uui_len;
	if (dest)
		tsp_copy_str(j->dest, sizeof(j->dest), dest);
}

/* schedule() with a delay: a job for the timer thread. */
static LONG schedule_later(unsigned ms, enum op op, struct call *c,
                           DRV_REQUESTID req, const void *uui, DWORD uui_len,
                           const char *dest, const struct xargs *x)
{
	struct job *j = job_add(ms, op, c->h, req);

	if (!j)
		return LINEERR_NOMEM;
	job_fill(j, uui, uui_len, dest, x);
	return (LONG)req;
}

/*
 * Runs @op now, or after the call's (or the configured) delay. Every
 * caller has checked @op on @c (op_state_check, where run_job checks it)
 * under this same hold of esp.lock: run now, it is not checked again.
 * Inline: most requests run at once, and what each caller passes as a
 * constant (no UUI, no address, no extra arguments) leaves little of it.
 */
static inline LONG schedule(enum op op, struct call *c, DRV_REQUESTID req,
                            const void *uui, DWORD uui_len, const char *dest,
                            const struct xargs *x)
{
	unsigned ms = c->slow_ms ? c->slow_ms : esp.cfg_delay_ms;
	struct job now;

	if (uui_len > ESP_UUI_MAX)
		return LINEERR_USERUSERINFOTOOBIG;
	if (ms)
		return schedule_later(ms, op, c, req, uui, uui_len, dest, x);
	/* run at once, from here: only what run_op reads is set (not the
	 * list links, not the due time, not the UUI buffer past uui_len) */
	now.op = op;
	now.call = c->h;
	now.call2 = now.call3 = 0;
	now.arg = 0;
	now.req = req;
	now.target = x ? x->target : NULL;
	now.dest[0] = '\0';
	job_fill(&now, uui, uui_len, dest, x);
	run_op(&now, c);
	return (LONG)req;
}

/* ---- TSPI: calls ----------------------------------------------------------
 */

ESP_EXPORT LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID dwRequestID,
                                          HDRVLINE hdLine, HTAPICALL htCall,
                                          LPHDRVCALL lphdCall,
                                          LPCSTR lpszDestAddress,
                                          DWORD dwCountryCode,
                                          LPLINECALLPARAMS const lpCallParams)
{
	const uint8_t *uui = NULL;
	DWORD uui_len = 0;
	struct xargs x = {0};
	struct line *l;
	struct call *c;
	struct dest d;
	LONG r;

	(void)dwCountryCode;
	esp_lock();
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	if (lpCallParams && lpCallParams->dwUserUserInfoSize) {
		uui_len = lpCallParams->dwUserUserInfoSize;
		uui = (const uint8_t *)lpCallParams +
		      lpCallParams->dwUserUserInfoOffset;
		if (uui_len > ESP_UUI_MAX) {
			r = LINEERR_USERUSERINFOTOOBIG;
			goto out;
		}
	}
	r = parse_dest(lpszDestAddress, &d);
	if (r)
		goto out;
	c = call_new(l);
	if (!c) {
		r = LINEERR_NOMEM;
		goto out;
	}
	apply_dest(c, &d);
	c->ht = htCall;
	c->origin = LINECALLORIGIN_OUTBOUND;
	c->media = lpCallParams ? lpCallParams->dwMediaMode
	                        : LINEMEDIAMODE_INTERACTIVEVOICE;
	c->bearer = lpCallParams ? lpCallParams->dwBearerMode
	                         : LINEBEARERMODE_VOICE;
	memcpy(c->caller, l->address, sizeof(c->caller));
	*lphdCall = (HDRVCALL)(uintptr_t)c->h;
	x.target = d.target;
	r = schedule(OP_MAKECALL, c, dwRequestID, uui, uui_len, NULL, &x);
	if (r < 0) {
		esp.created--; /* a synchronous failure: TAPI never knew it */
		call_free(c);
	}
out:
	esp_unlock();
	return r;
}

/* A request on one call: checked now, run now or later. */
static LONG request(enum op op, DRV_REQUESTID req, HDRVCALL hd, const void *uui,
                    DWORD size, const char *dest, const struct xargs *x)
{
	struct call *c;
	struct dest d;
	LONG r;

	esp_lock();
	c = call_of(hd);
	if (!c) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	r = op_state_check(op, c);
	if (!r && dest) {
		r = parse_dest(dest, &d); /* nothing is dialed when invalid */
		/* lineRedirect knows no LINEERR_DIAL*; its job keeps 31 bytes
		 * of the address, all of which must be the destination */
		if (op == OP_REDIRECT &&
		    (r || strlen(dest) >= sizeof(((struct job *)0)->dest)))
			r = LINEERR_INVALADDRESS;
	}
	if (!r && op == OP_DIAL && d.script == S_DIALTONE)
		r = LINEERR_INVALADDRESS;
	if (!r && (op == OP_TRANSFER || op == OP_REDIRECT) &&
	    (d.script == S_DIALTONE || d.script == S_UNAVAIL ||
	     d.script == S_OUTAGE || d.script == S_REMOVE ||
	     d.script == S_CREATE))
		r = LINEERR_INVALADDRESS;
	if (!r)
		r = schedule(op, c, req, uui, uui ? size : 0, dest, x);
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineAnswer(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	return request(OP_ANSWER, dwRequestID, hdCall, lpsUserUserInfo, dwSize,
	               NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineAccept(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                        DWORD dwSize)
{
	return request(OP_ACCEPT, dwRequestID, hdCall, lpsUserUserInfo, dwSize,
	               NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                      DWORD dwSize)
{
	return request(OP_DROP, dwRequestID, hdCall, lpsUserUserInfo, dwSize,
	               NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSendUserUserInfo(DRV_REQUESTID dwRequestID,
                                                  HDRVCALL hdCall,
                                                  LPCSTR lpsUserUserInfo,
                                                  DWORD dwSize)
{
	return request(OP_SEND_UUI, dwRequestID, hdCall, lpsUserUserInfo,
	               dwSize, NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineReleaseUserUserInfo(DRV_REQUESTID dwRequestID,
                                                     HDRVCALL hdCall)
{
	return request(OP_RELEASE_UUI, dwRequestID, hdCall, NULL, 0, NULL,
	               NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineHold(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall)
{
	return request(OP_HOLD, dwRequestID, hdCall, NULL, 0, NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineUnhold(DRV_REQUESTID dwRequestID,
                                        HDRVCALL hdCall)
{
	return request(OP_UNHOLD, dwRequestID, hdCall, NULL, 0, NULL, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineBlindTransfer(DRV_REQUESTID dwRequestID,
                                               HDRVCALL hdCall,
                                               LPCSTR lpszDestAddress,
                                               DWORD dwCountryCode)
{
	(void)dwCountryCode;
	if (!lpszDestAddress)
		return LINEERR_INVALADDRESS;
	return request(OP_TRANSFER, dwRequestID, hdCall, NULL, 0,
	               lpszDestAddress, NULL);
}

/*
 * Microsoft's TSPI_lineRedirect: an OFFERING call goes to another address
 * unanswered. Any address esp could not dial (LINEERR_DIAL* included: the
 * function knows no other) is LINEERR_INVALADDRESS, with nothing
 * redirected; so is one longer than a request keeps.
 */
ESP_EXPORT LONG TSPIAPI TSPI_lineRedirect(DRV_REQUESTID dwRequestID,
                                          HDRVCALL hdCall,
                                          LPCSTR lpszDestAddress,
                                          DWORD dwCountryCode)
{
	(void)dwCountryCode;
	if (!lpszDestAddress)
		return LINEERR_INVALADDRESS;
	return request(OP_REDIRECT, dwRequestID, hdCall, NULL, 0,
	               lpszDestAddress, NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineDial(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdCall, LPCSTR lpszDestAddress,
                                      DWORD dwCountryCode)
{
	(void)dwCountryCode;
	if (!lpszDestAddress)
		return LINEERR_INVALADDRESS;
	return request(OP_DIAL, dwRequestID, hdCall, NULL, 0, lpszDestAddress,
	               NULL);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineRemoveFromConference(DRV_REQUESTID dwRequestID,
                                                      HDRVCALL hdCall)
{
	return request(OP_REMOVE_CONF, dwRequestID, hdCall, NULL, 0, NULL,
	               NULL);
}

/* A new consultation call for @conf, media from @cp. */
static struct call *new_consult(struct call *conf, HTAPICALL ht,
                                const LINECALLPARAMS *cp)
{
	struct call *c = call_new(conf->line);

	if (!c)
		return NULL;
	c->ht = ht;
	c->origin = LINECALLORIGIN_OUTBOUND;
	c->media = cp ? cp->dwMediaMode : LINEMEDIAMODE_INTERACTIVEVOICE;
	c->bearer = cp ? cp->dwBearerMode : LINEBEARERMODE_VOICE;
	c->conf = conf->h;
	c->slow_ms = conf->slow_ms;
	tsp_copy_str(c->caller, sizeof(c->caller), conf->line->address);
	conf->consult = c->h;
	return c;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetupConference(
	DRV_REQUESTID dwRequestID, HDRVCALL hdCall, HDRVLINE hdLine,
	HTAPICALL htConfCall, LPHDRVCALL lphdConfCall, HTAPICALL htConsultCall,
	LPHDRVCALL lphdConsultCall, DWORD dwNumParties,
	LPLINECALLPARAMS const lpCallParams)
{
	struct call *orig = NULL, *conf, *consult;
	struct xargs x = {0};
	struct line *l;
	LONG r;

	esp_lock();
	/* spec: tspi.md §6 — from a CONNECTED call, or from the line */
	if (hdCall) {
		orig = call_of(hdCall);
		if (!orig) {
			r = LINEERR_INVALCALLHANDLE;
			goto out;
		}
		if (!is_active(orig) || orig->is_conf || orig->conf ||
		    orig->bridged || caller_of_station(orig)) {
			r = LINEERR_INVALCALLSTATE;
			goto out;
		}
		l = orig->line;
	} else {
		l = line_of(hdLine);
		if (!l) {
			r = LINEERR_INVALLINEHANDLE;
			goto out;
		}
	}
	if (dwNumParties > ESP_MAX_CONF) {
		r = LINEERR_CONFERENCEFULL;
		goto out;
	}
	conf = call_new(l);
	consult = conf ? new_consult(conf, htConsultCall, lpCallParams) : NULL;
	if (!consult) {
		if (conf) {
			esp.created--;
			call_free(conf);
		}
		r = LINEERR_NOMEM;
		goto out;
	}
	conf->ht = htConfCall;
	conf->is_conf = true;
	conf->origin = LINECALLORIGIN_CONFERENCE;
	conf->media = LINEMEDIAMODE_INTERACTIVEVOICE;
	conf->bearer = LINEBEARERMODE_VOICE;
	conf->slow_ms = orig ? orig->slow_ms : 0;
	consult->slow_ms = conf->slow_ms;
	*lphdConfCall = (HDRVCALL)(uintptr_t)conf->h;
	*lphdConsultCall = (HDRVCALL)(uintptr_t)consult->h;
	x.call2 = orig ? orig->h : 0;
	r = schedule(OP_SETUP_CONF, conf, dwRequestID, NULL, 0, NULL, &x);
	if (r < 0) {
		esp.created -= 2;
		call_free(consult);
		call_free(conf);
	}
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_linePrepareAddToConference(
	DRV_REQUESTID dwRequestID, HDRVCALL hdConfCall, HTAPICALL htConsultCall,
	LPHDRVCALL lphdConsultCall, LPLINECALLPARAMS const lpCallParams)
{
	struct call *conf, *consult;
	LONG r;

	esp_lock();
	conf = call_of(hdConfCall);
	if (!conf || !conf->is_conf) {
		r = LINEERR_INVALCONFCALLHANDLE;
		goto out;
	}
	r = op_state_check(OP_PREPARE_CONF, conf);
	if (r)
		goto out;
	consult = new_consult(conf, htConsultCall, lpCallParams);
	if (!consult) {
		r = LINEERR_NOMEM;
		goto out;
	}
	*lphdConsultCall = (HDRVCALL)(uintptr_t)consult->h;
	r = schedule(OP_PREPARE_CONF, conf, dwRequestID, NULL, 0, NULL, NULL);
	if (r < 0) {
		conf->consult = 0;
		esp.created--;
		call_free(consult);
	}
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineAddToConference(DRV_REQUESTID dwRequestID,
                                                 HDRVCALL hdConfCall,
                                                 HDRVCALL hdConsultCall)
{
	struct call *conf, *consult;
	struct xargs x = {0};
	LONG r;

	esp_lock();
	conf = call_of(hdConfCall);
	consult = call_of(hdConsultCall);
	if (!conf || !conf->is_conf || !consult || consult->is_conf ||
	    consult->line != conf->line || consult->bridged ||
	    caller_of_station(consult) ||
	    consult->state == LINECALLSTATE_CONFERENCED) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	x.call2 = consult->h;
	r = schedule(OP_ADD_CONF, conf, dwRequestID, NULL, 0, NULL, &x);
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPIX_lineDropEx(DRV_REQUESTID dwRequestID,
                                         HDRVCALL hdCall,
                                         LPCSTR lpsUserUserInfo, DWORD dwSize,
                                         DWORD dwDisconnectModeHint)
{
	struct xargs x = {.arg = dwDisconnectModeHint};

	switch (dwDisconnectModeHint) {
	case LINEDISCONNECTMODE_NORMAL:
	case LINEDISCONNECTMODE_REJECT:
	case LINEDISCONNECTMODE_NOANSWER:
	case LINEDISCONNECTMODE_BUSY:
	case LINEDISCONNECTMODE_CANCELLED:
		break;
	default:
		return LINEERR_INVALPARAM;
	}
	return request(OP_DROP, dwRequestID, hdCall, lpsUserUserInfo, dwSize,
	               NULL, &x);
}

ESP_EXPORT LONG TSPIAPI TSPI_lineSetupTransfer(
	DRV_REQUESTID dwRequestID, HDRVCALL hdCall, HTAPICALL htConsultCall,
	LPHDRVCALL lphdConsultCall, LPLINECALLPARAMS const lpCallParams)
{
	struct call *orig, *consult;
	struct xargs x = {0};
	LONG r;

	esp_lock();
	orig = call_of(hdCall);
	if (!orig) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	r = op_state_check(OP_SETUP_XFER, orig);
	if (r)
		goto out;
	consult = call_new(orig->line);
	if (!consult) {
		r = LINEERR_NOMEM;
		goto out;
	}
	consult->ht = htConsultCall;
	consult->origin = LINECALLORIGIN_OUTBOUND;
	consult->media = lpCallParams ? lpCallParams->dwMediaMode
	                              : LINEMEDIAMODE_INTERACTIVEVOICE;
	consult->bearer = lpCallParams ? lpCallParams->dwBearerMode
	                               : LINEBEARERMODE_VOICE;
	consult->slow_ms = orig->slow_ms;
	consult->xfer_of = orig->h;
	tsp_copy_str(consult->caller, sizeof(consult->caller),
	             orig->line->address);
	orig->xfer_consult = consult->h;
	*lphdConsultCall = (HDRVCALL)(uintptr_t)consult->h;
	x.call2 = consult->h;
	r = schedule(OP_SETUP_XFER, orig, dwRequestID, NULL, 0, NULL, &x);
	if (r < 0) {
		orig->xfer_consult = 0;
		esp.created--;
		call_free(consult);
	}
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineCompleteTransfer(
	DRV_REQUESTID dwRequestID, HDRVCALL hdCall, HDRVCALL hdConsultCall,
	HTAPICALL htConfCall, LPHDRVCALL lphdConfCall, DWORD dwTransferMode)
{
	struct call *orig, *consult, *conf = NULL;
	struct xargs x = {.arg = dwTransferMode};
	LONG r;

	esp_lock();
	orig = call_of(hdCall);
	consult = call_of(hdConsultCall);
	if (!orig) {
		r = LINEERR_INVALCALLHANDLE;
		goto out;
	}
	if (!consult) {
		r = LINEERR_INVALCONSULTCALLHANDLE;
		goto out;
	}
	if (dwTransferMode != LINETRANSFERMODE_TRANSFER &&
	    dwTransferMode != LINETRANSFERMODE_CONFERENCE) {
		r = LINEERR_INVALTRANSFERMODE;
		goto out;
	}
	if (orig->is_conf || orig->bridged || caller_of_station(orig) ||
	    orig->conf) {
		r = LINEERR_INVALCALLSTATE;
		goto out;
	}
	r = op_state_check(OP_COMPLETE_XFER, orig);
	if (!r)
		r = xfer_consult_check(orig, consult);
	if (r)
		goto out;
	if (dwTransferMode == LINETRANSFERMODE_CONFERENCE) {
		if (!lphdConfCall) {
			r = LINEERR_INVALPOINTER;
			goto out;
		}
		conf = call_new(orig->line);
		if (!conf) {
			r = LINEERR_NOMEM;
			goto out;
		}
		conf->ht = htConfCall;
		conf->is_conf = true;
		conf->origin = LINECALLORIGIN_CONFERENCE;
		conf->media = LINEMEDIAMODE_INTERACTIVEVOICE;
		conf->bearer = LINEBEARERMODE_VOICE;
		conf->slow_ms = orig->slow_ms;
		*lphdConfCall = (HDRVCALL)(uintptr_t)conf->h;
		x.call3 = conf->h;
	}
	x.call2 = consult->h;
	r = schedule(OP_COMPLETE_XFER, orig, dwRequestID, NULL, 0, NULL, &x);
	if (r < 0 && conf) {
		esp.created--;
		call_free(conf);
	}
out:
	esp_unlock();
	return r;
}

ESP_EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hdCall)
{
	struct call *c;
	LONG r = 0;

	esp_lock();
	esp.closecalls++;
	c = call_of(hdCall);
	if (c)
		close_call(c);
	else
		r = LINEERR_INVALCALLHANDLE;
	esp_unlock();
	return r;
}
