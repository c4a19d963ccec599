/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TSPI side of a call's media, shared by the providers that carry
 * audio (esp, sip): a media session (media.h) tied to one TAPI call, and
 * the TSPI functions of media on it: TSPI_lineGetID for "wave/in",
 * "wave/out" and "wave/in/out" (a TAPIXWAVEID, docs/media.md),
 * TSPI_lineGenerateDigits (RFC 4733 events, or DTMF tones in band
 * without telephone-event; LINE_GENERATE at the end),
 * TSPI_lineMonitorDigits (LINE_MONITORDIGITS per digit received) and
 * TSPI_lineGatherDigits (LINE_GATHERDIGITS when a gathering ends).
 *
 * Threads: a provider calls these from any thread, with or without its
 * own lock (the session's callbacks take no provider lock: they call the
 * LINEEVENT procedure and nothing else). The events they send name the
 * call with the HTAPILINE and HTAPICALL given to tcall_new; none is sent
 * after tcall_free returns, so a provider frees it before
 * TSPI_lineCloseCall returns.
 */
#ifndef TAPIX_TCALL_H
#define TAPIX_TCALL_H

#include <tspi.h>

#include "media.h"

struct tcall;

/**
 * A call's media: a session on @local_addr (numeric) in @m, sending and
 * receiving once tcall_set is given what SDP (or the switch) agreed.
 *
 * @param out  set on success only
 * @return 0, or media_session_new's negative errno
 */
int tcall_new(struct media *m, const char *local_addr, LINEEVENT ev,
              HTAPILINE htl, HTAPICALL htc, struct tcall **out);

/** The call's HTAPICALL, when TAPI learns of it after tcall_new (given
 * NULL there: no event is sent until then). */
void tcall_bind(struct tcall *t, HTAPICALL htc);

/**
 * Where the RTP time-out (media_config.rtp_timeout_ms) is told: the
 * session's callback marks the call (tcall_timed_out) and writes 1 to
 * @kick_fd, an eventfd the provider's own thread watches (so the callback
 * takes no provider lock). -1: none (the default).
 */
void tcall_set_kick(struct tcall *t, int kick_fd);

/** Whether the RTP time-out fired since the last call (the mark is
 * cleared). */
bool tcall_timed_out(struct tcall *t);

/** The session's RTP port. */
uint16_t tcall_port(const struct tcall *t);

/** media_session_set for the call's session. */
int tcall_set(struct tcall *t, const struct media_stream *st);

/**
 * TSPI_lineGetID for the call: "wave/in", "wave/out", "wave/in/out"
 * (case-insensitive) give a TAPIXWAVEID with new descriptors.
 * @return 0, LINEERR_INVALDEVICECLASS for another class,
 *         LINEERR_RESOURCEUNAVAIL when descriptors cannot be made
 */
LONG tcall_get_id(struct tcall *t, LPVARSTRING id, LPCSTR device_class);

/**
 * TSPI_lineGenerateDigits: @digits (NULL cancels; characters of no DTMF
 * digit are skipped, ',' pauses a second), each @duration ms (0: 100; at
 * most 5000) then a gap as long: as RFC 4733 events when the peer takes
 * telephone-event, else in band, DTMF tones in the audio (ITU-T Q.23,
 * media_session_dtmf; at least 50 ms there). At the end
 * LINE_GENERATE(DONE, @end_to_end_id, tick count); a new request, NULL,
 * a tone (tcall_tone) or hold ends it with CANCEL instead.
 * @return 0, LINEERR_INVALDIGITMODE (not DTMF), LINEERR_INVALCALLSTATE
 *         (the call's media do not send now), LINEERR_NOMEM
 */
LONG tcall_generate(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                    LPCSTR digits, DWORD duration);

/**
 * tcall_generate, but as RFC 4733 events only: without telephone-event
 * agreed, a request with digits to send is refused
 * (LINEERR_OPERATIONUNAVAIL, the current one going on), never sent in
 * band; NULL (or nothing to send) cancels as there.
 */
LONG tcall_generate_events(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                           LPCSTR digits, DWORD duration);

/**
 * TSPI_lineGenerateTone: a LINETONEMODE_ tone (@mode 0 cancels) for
 * @duration ms (0: the tone's default: beep 250, billing 200, busy 4000,
 * ringback 6000, custom 1000); LINE_GENERATE at the end, as digits.
 * Beep is 1000 Hz, billing 1400 Hz, busy 480 + 620 Hz 0.5 s on and off,
 * ringback 440 + 480 Hz 2 s on 4 s off (North American, ITU-T E.180).
 * @return 0, LINEERR_INVALTONEMODE, LINEERR_INVALTONE (a frequency the
 *         call cannot carry, or more than MEDIA_MAX_TONES),
 *         LINEERR_INVALCALLSTATE (the media do not send now)
 */
LONG tcall_tone(struct tcall *t, DWORD end_to_end_id, DWORD mode,
                DWORD duration, DWORD num, const LINEGENERATETONE *tones);

/**
 * TSPI_lineMonitorTones: listens for @n tones (NULL or 0 stops);
 * LINE_MONITORTONE(dwAppSpecific, @list_id, tick count) per tone heard.
 * @return 0, LINEERR_INVALTONELIST (more than MEDIA_MAX_WATCH, a tone
 *         without a frequency or one the call cannot carry)
 */
LONG tcall_watch(struct tcall *t, DWORD list_id, const LINEMONITORTONE *tones,
                 DWORD n);

/**
 * TSPI_lineMonitorDigits: LINE_MONITORDIGITS for the digits received, in
 * the modes of @modes (LINEDIGITMODE_DTMF: at a digit's start, _DTMFEND:
 * at its end); 0 stops.
 * @return 0, LINEERR_INVALDIGITMODE (PULSE, or another bit)
 */
LONG tcall_monitor(struct tcall *t, DWORD modes);

/* The time-outs TSPI_lineGatherDigits takes besides 0 (no time-out), in
 * ms: what LINEDEVCAPS' dwGatherDigitsMinTimeout and
 * dwGatherDigitsMaxTimeout say on the lines of esp and sip. */
#define TCALL_GATHER_MIN_TIMEOUT 100u
#define TCALL_GATHER_MAX_TIMEOUT 3600000u

/**
 * TSPI_lineGatherDigits (include/tspi.h; Microsoft's lineGatherDigits and
 * LINEGATHERTERM_): gathers the digits the far end sends into @buf, room
 * for @num characters, until one of
 *   LINEGATHERTERM_BUFFERFULL    @num digits came;
 *   LINEGATHERTERM_TERMDIGIT     a digit of @term came: it is the last in
 *                                the buffer (also when it fills it);
 *   LINEGATHERTERM_FIRSTTIMEOUT  no digit within @first_ms of the request;
 *   LINEGATHERTERM_INTERTIMEOUT  none within @inter_ms of the last digit;
 *   LINEGATHERTERM_CANCEL        a new request, @buf NULL, or tcall_free.
 * Then @buf gets the digits, and a NUL after them when fewer than @num
 * (for FIRSTTIMEOUT only the NUL), and at once LINE_GATHERDIGITS(reason,
 * @end_to_end_id, tick count) is sent; @buf is written at no other time.
 * A time-out of 0 waits for ever. A digit counts once, at its start (an
 * RFC 4733 event's first packet, in-band detection, tcall_digit), the
 * same digits lineMonitorDigits reports and independently of it.
 *
 * @buf NULL only cancels (the other arguments are not looked at). Else,
 * the current gathering is cancelled first, its LINE_GATHERDIGITS
 * (CANCEL, with the digits it had) sent before this returns; a request
 * refused leaves the current one as it was and @buf untouched.
 * @modes: LINEDIGITMODE_DTMF, with or without _PULSE (pulse digits never
 * come on a call of RTP: such a request gathers DTMF digits only).
 * @term (NULL or "": none): DTMF digits '0'-'9', '*', '#', 'A'-'D' (or
 * 'a'-'d'; a digit received as 'A' matches both).
 * Runs on the media thread's alarm (media_session_alarm) for time-outs.
 *
 * @return 0, LINEERR_INVALDIGITMODE (no DTMF, or a bit other than DTMF and
 *         PULSE), LINEERR_INVALPARAM (@num 0), LINEERR_INVALDIGITS (a
 *         character of @term that is no DTMF digit), LINEERR_INVALTIMEOUT
 *         (not 0 and outside TCALL_GATHER_MIN_TIMEOUT -
 *         TCALL_GATHER_MAX_TIMEOUT), LINEERR_NOMEM
 */
LONG tcall_gather(struct tcall *t, DWORD end_to_end_id, DWORD modes, LPSTR buf,
                  DWORD num, LPCSTR term, DWORD first_ms, DWORD inter_ms);

/**
 * A digit the far end sent outside the media (SIP INFO): reported as one
 * received in them, LINE_MONITORDIGITS at its start then its end, to the
 * modes monitored, and gathered once (tcall_gather). Any thread; the
 * provider's lock may be held.
 */
void tcall_digit(struct tcall *t, char digit);

/** Counters of the call's session (media_session_stats). */
void tcall_stats(struct tcall *t, struct media_stats *out);

/**
 * Ends the call's media: no event after it returns; a generation still
 * running gets no LINE_GENERATE (TAPI cancels it at IDLE). A gathering
 * still running (tcall_gather) is cancelled here: its buffer gets the
 * digits so far and LINE_GATHERDIGITS(CANCEL) is sent before this
 * returns (when TAPI knows the call), as after a new request; the buffer
 * is never written after. NULL is fine.
 */
void tcall_free(struct tcall *t);

/** A tick count for events' dwParam3: ms of the monotonic clock. */
DWORD tcall_ticks(void);

#endif /* TAPIX_TCALL_H */
