/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Media control on a call: lineGetID (device identifiers: the line's own,
 * and the call's audio, docs/media.md), lineGenerateDigits,
 * lineGenerateTone, lineMonitorDigits and lineGatherDigits. The spec does not
 * cover them (issue 17 goes beyond it): their rules are Microsoft's (tapi.h's
 * documentation of each, and of LINE_GENERATE and LINE_MONITORDIGITS), extended
 * where tapix says so in tapi.h.
 */
#define LOG_MODULE "api"
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/entry.h"
#include "util/log.h"

#define DIGITS_MAX      512 /* longest lineGenerateDigits string taken */
#define CLASS_MAX       128 /* longest device class name taken */
#define ID_BUF_MAX      4096
#define GATHER_MAX      4096 /* digits lineGatherDigits takes (tapi.h) */
#define GATHER_TERM_MAX 32   /* termination digits taken (16 exist) */

/* Copies the provider's answer in @tmp (@cap bytes) back into the app's
 * @out, whose dwTotalSize is @total: the fixed part always, the string if
 * it fits and lies within what the provider said it used. */
static void id_copy_out(LPVARSTRING out, const VARSTRING *tmp, DWORD cap,
                        DWORD total)
{
	DWORD used = tmp->dwUsedSize;

	if (used < sizeof(VARSTRING) || used > total || used > cap ||
	    (uint64_t)tmp->dwStringOffset + tmp->dwStringSize > used)
		used = sizeof(VARSTRING);
	memcpy(out, tmp, used);
	out->dwTotalSize = total;
	out->dwUsedSize = used;
	if (used == sizeof(VARSTRING)) {
		out->dwStringSize = 0;
		out->dwStringOffset = 0;
	}
}

/* The "tapi/line" answer: the line's device id, a DWORD in binary. */
static void id_tapi_line(LPVARSTRING out, DWORD total, uint32_t dev)
{
	DWORD need = sizeof(VARSTRING) + sizeof(DWORD);

	out->dwNeededSize = need;
	out->dwStringFormat = STRINGFORMAT_BINARY;
	if (total < need) {
		out->dwUsedSize = sizeof(VARSTRING);
		out->dwStringSize = 0;
		out->dwStringOffset = 0;
		return;
	}
	out->dwUsedSize = need;
	out->dwStringSize = sizeof(DWORD);
	out->dwStringOffset = sizeof(VARSTRING);
	memcpy((char *)out + sizeof(VARSTRING), &dev, sizeof(DWORD));
}

LONG WINAPI api_lineGetIDA(HLINE hLine, DWORD dwAddressID, HCALL hCall,
                           DWORD dwSelect, LPVARSTRING lpDeviceID,
                           LPCSTR lpszDeviceClass)
{
	struct call *call = NULL;
	struct tline *tl;
	struct provider *p;
	VARSTRING *tmp = NULL;
	DWORD total, cap;
	HDRVLINE hdl;
	HDRVCALL hdc = 0;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto out;
	if (dwSelect == LINECALLSELECT_CALL) {
		struct callh *ch = callh_get_locked(hCall);

		if (!ch) {
			r = LINEERR_INVALCALLHANDLE;
			goto out;
		}
		call = ch->call;
		tl = call->tl;
	} else if (dwSelect == LINECALLSELECT_LINE ||
	           dwSelect == LINECALLSELECT_ADDRESS) {
		struct open *o = open_get_locked(hLine);

		if (!o || o->life != LIFE_ALIVE) {
			r = LINEERR_INVALLINEHANDLE;
			goto out;
		}
		tl = o->tl;
		if (dwSelect == LINECALLSELECT_ADDRESS &&
		    dwAddressID >= tl->dev->caps.num_addresses) {
			r = LINEERR_INVALADDRESSID;
			goto out;
		}
	} else {
		r = LINEERR_INVALCALLSELECT;
		goto out;
	}
	if (!lpDeviceID || !lpszDeviceClass) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (!lpszDeviceClass[0] ||
	    strnlen(lpszDeviceClass, CLASS_MAX + 1) > CLASS_MAX) {
		r = LINEERR_INVALDEVICECLASS;
		goto out;
	}
	memcpy(&total, lpDeviceID, sizeof(total));
	if (total < sizeof(VARSTRING)) {
		r = LINEERR_STRUCTURETOOSMALL;
		goto out;
	}
	if (!strcasecmp(lpszDeviceClass, "tapi/line")) {
		id_tapi_line(lpDeviceID, total, tl->dev->id);
		goto out;
	}
	p = tl->dev->prov;
	if (!p->fn.lineGetID) {
		r = LINEERR_INVALDEVICECLASS;
		goto out;
	}
	cap = total > ID_BUF_MAX ? ID_BUF_MAX : total;
	tmp = mem_zalloc(cap);
	if (!tmp) {
		r = LINEERR_NOMEM;
		goto out;
	}
	/* spec: tapi-functions.md §0.4 — sizes preset for the provider */
	tmp->dwTotalSize = cap;
	tmp->dwNeededSize = tmp->dwUsedSize = sizeof(VARSTRING);
	if (call) {
		/* spec: termination.md §1.1 — never after TSPI_lineCloseCall */
		if (call->closing) {
			r = LINEERR_INVALCALLHANDLE;
			goto out;
		}
		hdc = call->hd;
		call_ref_locked(call);
		call_busy_locked(call);
	} else {
		/* the claim may wait, the core lock let go: tl kept, and
		 * the session (its devices) */
		tline_ref_locked(tl);
		core_session_hold_locked();
		device_claim_locked(tl->dev);
		if (tl->dev->tl != tl) {
			/* the line closed while the claim waited */
			device_release_locked(tl->dev);
			core_session_release_locked();
			tline_unref_locked(tl);
			r = LINEERR_INVALLINEHANDLE;
			goto out;
		}
	}
	hdl = tl->hd;
	op_tspi_begin_locked(p);
	r = p->fn.lineGetID(hdl, dwAddressID, hdc, dwSelect, tmp,
	                    lpszDeviceClass, NULL);
	op_tspi_end(p);
	if (call) {
		call_idle_locked(call);
		call_unref_locked(call);
	} else {
		device_release_locked(tl->dev);
		core_session_release_locked();
		tline_unref_locked(tl);
	}
	if (r == 0)
		id_copy_out(lpDeviceID, tmp, cap, total);
out:
	core_unlock();
	mem_free(tmp);
	return r;
}

/*
 * The call of a synchronous media request: not being closed (the handle
 * is then an observer's), in none of the states @refused.
 */
static LONG call_ready(const struct call *call, uint32_t refused)
{
	if (call->closing)
		return LINEERR_INVALCALLHANDLE;
	if (call->state & refused)
		return LINEERR_INVALCALLSTATE;
	return 0;
}

LONG WINAPI api_lineGenerateDigitsA(HCALL hCall, DWORD dwDigitMode,
                                    LPCSTR lpszDigits, DWORD dwDuration)
{
	struct op x;
	struct callh *ch;
	struct call *call;
	struct provider *p;
	uint32_t id = 0;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	ch = x.ch;
	call = x.call;
	p = x.p;
	if (ch->priv != LINECALLPRIVILEGE_OWNER) {
		r = LINEERR_NOTOWNER;
		goto out;
	}
	/* one flag only, and a mode of generation (DTMFEND is not one) */
	if (dwDigitMode != LINEDIGITMODE_PULSE &&
	    dwDigitMode != LINEDIGITMODE_DTMF) {
		r = LINEERR_INVALDIGITMODE;
		goto out;
	}
	if (lpszDigits && strnlen(lpszDigits, DIGITS_MAX + 1) > DIGITS_MAX) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	r = call_ready(call, LINECALLSTATE_IDLE);
	if (r)
		goto out;
	if (!p->fn.lineGenerateDigits) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	/* registered before the provider hears of it: its LINE_GENERATE may
	 * come before it returns */
	if (lpszDigits && !(id = call_generate_begin_locked(call, ch))) {
		r = LINEERR_NOMEM;
		goto out;
	}
	op_call_begin_locked(call);
	r = p->fn.lineGenerateDigits(call->hd, id, dwDigitMode, lpszDigits,
	                             dwDuration);
	op_call_end(call);
	if (r && id)
		call_generate_forget_locked(call, id);
	call_unref_locked(call);
out:
	core_unlock();
	return r;
}

#define TONE_MODES                                                         \
	(LINETONEMODE_CUSTOM | LINETONEMODE_RINGBACK | LINETONEMODE_BUSY | \
	 LINETONEMODE_BEEP | LINETONEMODE_BILLING)
#define TONES_MAX \
	4 /* frequencies of a custom tone (dwGenerateToneMaxNumFreq) */

LONG WINAPI api_lineGenerateTone(HCALL hCall, DWORD dwToneMode,
                                 DWORD dwDuration, DWORD dwNumTones,
                                 LPLINEGENERATETONE const lpTones)
{
	LINEGENERATETONE tones[TONES_MAX];
	struct op x;
	struct callh *ch;
	struct call *call;
	struct provider *p;
	uint32_t id = 0;
	DWORD n = 0;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	ch = x.ch;
	call = x.call;
	p = x.p;
	if (ch->priv != LINECALLPRIVILEGE_OWNER) {
		r = LINEERR_NOTOWNER;
		goto out;
	}
	/* 0 cancels; else one mode */
	if (dwToneMode && ((dwToneMode & ~(DWORD)TONE_MODES) ||
	                   (dwToneMode & (dwToneMode - 1)))) {
		r = LINEERR_INVALTONEMODE;
		goto out;
	}
	if (dwToneMode == LINETONEMODE_CUSTOM) {
		/* the count before the pointer: the same error both ways
		 * (tapixd is told no more entries than were sent) */
		if (dwNumTones == 0 || dwNumTones > TONES_MAX) {
			r = LINEERR_INVALTONE;
			goto out;
		}
		if (!lpTones) {
			r = LINEERR_INVALPOINTER;
			goto out;
		}
		n = dwNumTones;
		memcpy(tones, lpTones, n * sizeof(tones[0]));
	}
	r = call_ready(call, LINECALLSTATE_IDLE);
	if (r)
		goto out;
	if (!p->fn.lineGenerateTone) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	if (dwToneMode && !(id = call_generate_begin_locked(call, ch))) {
		r = LINEERR_NOMEM;
		goto out;
	}
	op_call_begin_locked(call);
	r = p->fn.lineGenerateTone(call->hd, id, dwToneMode, dwDuration, n,
	                           n ? tones : NULL);
	op_call_end(call);
	if (r && id)
		call_generate_forget_locked(call, id);
	call_unref_locked(call);
out:
	core_unlock();
	return r;
}

#define WATCH_MAX CALL_TONES_MAX /* tones of one lineMonitorTones list */

/*
 * Each handle has its own list (Microsoft's lineMonitorTones: "on the
 * specified call"; LINE_MONITORTONE to the handle that asked); the
 * provider listens for one per call, so it is told their union, again
 * until what it was told is what the handles want (bounded, as
 * lineMonitorDigits does). A list that would take the union past what
 * the provider hears at once: LINEERR_RESOURCEUNAVAIL.
 */
LONG WINAPI api_lineMonitorTones(HCALL hCall,
                                 LPLINEMONITORTONE const lpToneList,
                                 DWORD dwNumEntries)
{
	static uint32_t next_list;
	LINEMONITORTONE list[WATCH_MAX], u[WATCH_MAX], prev[WATCH_MAX];
	struct tone_want old;
	struct call_media *mx;
	struct op x;
	struct callh *ch;
	struct call *call;
	struct provider *p;
	uint32_t id, prev_id;
	DWORD n = lpToneList ? dwNumEntries : 0, nu = 0, nprev;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	ch = x.ch;
	call = x.call;
	p = x.p;
	/* the count before the pointer: the same error both ways */
	if (n > WATCH_MAX || (!lpToneList && dwNumEntries > WATCH_MAX)) {
		r = LINEERR_INVALTONELIST;
		goto out;
	}
	if (!lpToneList && dwNumEntries) {
		r = LINEERR_INVALPOINTER;
		goto out;
	}
	if (n)
		memcpy(list, lpToneList, n * sizeof(list[0]));
	for (DWORD k = 0; k < n; k++)
		if (!list[k].dwFrequency1 && !list[k].dwFrequency2 &&
		    !list[k].dwFrequency3) {
			r = LINEERR_INVALTONELIST;
			goto out;
		}
	r = call_ready(call, LINECALLSTATE_IDLE);
	if (r)
		goto out;
	if (!p->fn.lineMonitorTones) {
		r = n ? LINEERR_OPERATIONUNAVAIL : 0;
		goto out;
	}
	mx = call_media_locked(call);
	if (!mx) {
		r = LINEERR_NOMEM;
		goto out;
	}
	call_ref_locked(call);
	/*
	 * One caller tells the provider at a time: two tellings crossing
	 * outside the lock could leave the provider with the older list
	 * while the core holds the newer one's id, and every tone dropped.
	 */
	while (mx->telling)
		core_wait_locked();
	if (callh_get_locked(hCall) != ch || call->closing) {
		r = LINEERR_INVALCALLHANDLE; /* went while we waited */
		goto done;
	}
	r = call_ready(call, LINECALLSTATE_IDLE);
	if (r)
		goto done;
	if (call_tones_want_locked(call, ch->h, list, n, &old) < 0) {
		r = LINEERR_NOMEM;
		goto done;
	}
	mx->telling = true;
	for (int tries = 0; tries < 4; tries++) {
		if (!call_tones_union_locked(call, u, &nu)) {
			r = LINEERR_RESOURCEUNAVAIL;
			break;
		}
		if (nu == mx->ntold &&
		    !memcmp(u, mx->told, nu * sizeof(u[0])) &&
		    (nu || !mx->tone_id))
			break; /* the provider listens for these */
		if (call->state == LINECALLSTATE_IDLE || call->closing)
			break;
		/* known before it is told: a tone may be heard before it
		 * returns */
		prev_id = mx->tone_id;
		nprev = mx->ntold;
		memcpy(prev, mx->told, sizeof(prev));
		id = nu ? (++next_list ? next_list : ++next_list) : 0;
		mx->tone_id = id;
		mx->ntold = nu;
		memcpy(mx->told, u, nu * sizeof(u[0]));
		op_call_begin_locked(call);
		r = p->fn.lineMonitorTones(call->hd, id, nu ? u : NULL, nu);
		op_call_end(call);
		call_unref_locked(call); /* op_call_begin_locked's */
		if (r) {
			/* refused: the provider listens as it did */
			if (mx->tone_id == id) {
				mx->tone_id = prev_id;
				mx->ntold = nprev;
				memcpy(mx->told, prev, sizeof(prev));
			}
			break;
		}
	}
	if (r && callh_get_locked(hCall) == ch)
		(void)call_tones_want_locked(call, ch->h, old.t, old.n, NULL);
	mx->telling = false;
	core_wake_locked();
done:
	call_unref_locked(call);
out:
	core_unlock();
	return r;
}

#define GATHER_MODES (LINEDIGITMODE_PULSE | LINEDIGITMODE_DTMF)

/* @c, with a-d taken as A-D (as lineGenerateDigits takes them). */
static char dtmf_upper(char c)
{
	return c >= 'a' && c <= 'd' ? (char)(c - 'a' + 'A') : c;
}

/* Whether every character of @term is a digit of one of @modes
 * (Microsoft's LINEDIGITMODE_: pulse 0-9; DTMF 0-9, A-D, * and #). */
static bool term_digits_valid(const char *term, size_t len, DWORD modes)
{
	for (size_t i = 0; i < len; i++) {
		char c = dtmf_upper(term[i]);
		bool pulse = c >= '0' && c <= '9';
		bool dtmf =
			pulse || (c >= 'A' && c <= 'D') || c == '*' || c == '#';

		if (!((modes & LINEDIGITMODE_PULSE) && pulse) &&
		    !((modes & LINEDIGITMODE_DTMF) && dtmf))
			return false;
	}
	return true;
}

LONG WINAPI api_lineGatherDigitsA(HCALL hCall, DWORD dwDigitModes,
                                  LPSTR lpsDigits, DWORD dwNumDigits,
                                  LPCSTR lpszTerminationDigits,
                                  DWORD dwFirstDigitTimeout,
                                  DWORD dwInterDigitTimeout)
{
	char term[GATHER_TERM_MAX + 1] = "";
	struct gather *g = NULL;
	uint32_t gid = 0;
	LPSTR buf;
	struct op x;
	struct callh *ch;
	struct call *call;
	struct provider *p;
	size_t len = 0;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	ch = x.ch;
	call = x.call;
	p = x.p;
	if (ch->priv != LINECALLPRIVILEGE_OWNER) {
		r = LINEERR_NOTOWNER;
		goto out;
	}
	/* NULL cancels: the rest is ignored (Microsoft's lineGatherDigits) */
	if (lpsDigits) {
		if (!dwDigitModes || (dwDigitModes & ~(DWORD)GATHER_MODES)) {
			r = LINEERR_INVALDIGITMODE;
			goto out;
		}
		if (!dwNumDigits || dwNumDigits > GATHER_MAX) {
			r = LINEERR_INVALPARAM;
			goto out;
		}
		if (lpszTerminationDigits) {
			len = strnlen(lpszTerminationDigits,
			              GATHER_TERM_MAX + 1);
			if (len > GATHER_TERM_MAX ||
			    !term_digits_valid(lpszTerminationDigits, len,
			                       dwDigitModes)) {
				r = LINEERR_INVALDIGITS;
				goto out;
			}
			for (size_t i = 0; i < len; i++)
				term[i] = dtmf_upper(lpszTerminationDigits[i]);
		}
	}
	r = call_ready(call, LINECALLSTATE_IDLE);
	if (r)
		goto out;
	if (!p->fn.lineGatherDigits) {
		r = LINEERR_OPERATIONUNAVAIL;
		goto out;
	}
	/* registered before the provider hears of it: its LINE_GATHERDIGITS
	 * may come before it returns */
	if (lpsDigits) {
		g = call_gather_begin_locked(call, ch, lpsDigits, dwNumDigits);
		if (!g) {
			r = LINEERR_NOMEM;
			goto out;
		}
		gid = g->id;
	}
	/* (g is the provider's from now on: named by gid and buf only) */
	buf = g ? g->buf : NULL;
	op_call_begin_locked(call);
	r = p->fn.lineGatherDigits(call->hd, gid, dwDigitModes, buf,
	                           dwNumDigits, term, dwFirstDigitTimeout,
	                           dwInterDigitTimeout);
	op_call_end(call);
	/* by its id: it may have ended (and gone) while the lock was let go */
	if (gid)
		call_gather_settle_locked(call, gid, r == 0);
	call_unref_locked(call);
out:
	core_unlock();
	return r;
}

#define MONITOR_MODES \
	(LINEDIGITMODE_PULSE | LINEDIGITMODE_DTMF | LINEDIGITMODE_DTMFEND)

LONG WINAPI api_lineMonitorDigits(HCALL hCall, DWORD dwDigitModes)
{
	struct list_node *it;
	struct op x;
	struct callh *ch;
	struct call *call;
	struct provider *p;
	uint32_t all = 0, before;
	LONG r;

	core_lock();
	r = op_lookup_locked(hCall, &x);
	if (r)
		goto out;
	ch = x.ch;
	call = x.call;
	p = x.p;
	if (dwDigitModes & ~MONITOR_MODES) {
		r = LINEERR_INVALDIGITMODE;
		goto out;
	}
	r = call_ready(call, LINECALLSTATE_IDLE | LINECALLSTATE_DISCONNECTED);
	if (r)
		goto out;
	if (!p->fn.lineMonitorDigits) {
		r = dwDigitModes ? LINEERR_OPERATIONUNAVAIL : 0;
		goto out;
	}
	before = ch->monitor_digits;
	ch->monitor_digits = dwDigitModes;
	call_ref_locked(call);
	/*
	 * The provider is told the union of the handles' modes; another
	 * handle may change its own while the lock is let go, so the union
	 * is told again until what was told is what holds (bounded).
	 */
	for (int tries = 0; tries < 4; tries++) {
		all = 0;
		list_foreach(it, &call->callhs) {
			all |= list_entry(it, struct callh, call_link)
			               ->monitor_digits;
		}
		if (all == call->monitor_digits ||
		    call->state == LINECALLSTATE_IDLE || call->closing)
			break; /* the provider already reports these */
		op_call_begin_locked(call);
		r = p->fn.lineMonitorDigits(call->hd, all);
		op_call_end(call);
		call_unref_locked(
			call); /* op_call_begin_locked's; ours stays */
		if (r) {
			if (callh_get_locked(hCall) == ch)
				ch->monitor_digits = before; /* as it was */
			break;
		}
		if (call->state != LINECALLSTATE_IDLE)
			call->monitor_digits = all;
	}
	call_unref_locked(call);
out:
	core_unlock();
	return r;
}
