/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TSPI side of a call's media, shared by the providers that carry
 * audio (esp, sip): a media session (media.h) tied to one TAPI call, and
 * the TSPI functions of media on it: TSPI_lineGetID for "wave/in",
 * "wave/out" and "wave/in/out" (a TAPIXWAVEID, docs/media.md),
 * TSPI_lineGenerateDigits (RFC 4733 events, LINE_GENERATE at the end)
 * and TSPI_lineMonitorDigits (LINE_MONITORDIGITS per digit received).
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
 * digit are skipped, ',' pauses a second) as RFC 4733 events; at the end
 * LINE_GENERATE(DONE or CANCEL, @end_to_end_id, tick count).
 * @return 0, LINEERR_INVALDIGITMODE (not DTMF), LINEERR_INVALCALLSTATE
 *         (the call's media do not send now), LINEERR_OPERATIONUNAVAIL (the
 *         peer takes no telephone-event)
 */
LONG tcall_generate(struct tcall *t, DWORD end_to_end_id, DWORD mode,
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

/**
 * A digit the far end sent outside the media (SIP INFO): reported as one
 * received in them, LINE_MONITORDIGITS at its start then its end, to the
 * modes monitored. Any thread; the provider's lock may be held.
 */
void tcall_digit(struct tcall *t, char digit);

/** Counters of the call's session (media_session_stats). */
void tcall_stats(struct tcall *t, struct media_stats *out);

/**
 * Ends the call's media: no event after it returns; a generation still
 * running gets no LINE_GENERATE (TAPI cancels it at IDLE). NULL is fine.
 */
void tcall_free(struct tcall *t);

/** A tick count for events' dwParam3: ms of the monotonic clock. */
DWORD tcall_ticks(void);

#endif /* TAPIX_TCALL_H */
