/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tspi.h: the telephony service provider interface. A provider is a shared
 * object exporting the TSPI_* functions below (plain C calling convention);
 * tapix loads it with dlopen and resolves each entry point with dlsym.
 * Behaviour: the project's spec (tspi.md). A provider includes only this
 * header (and its own dependencies).
 */
#ifndef TAPIX_TSPI_H
#define TAPIX_TSPI_H

#include "tapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TSPIAPI
#define TSPIAPI WINAPI
#endif

/*
 * Handles exchanged between TAPI and a provider (spec: tspi.md §3). The
 * provider's own handles (HDRV*) and TAPI's (HTAPI*) are opaque pointer-sized
 * values; either side may store an integer in them. TAPI's handles carry a
 * generation, so a provider that reports on a closed call is detected.
 */
#define TAPIX_DECLARE_OPAQUE(name) \
	struct name##__ {          \
		int unused;        \
	};                         \
	typedef const struct name##__ *name

TAPIX_DECLARE_OPAQUE(HDRVCALL);
TAPIX_DECLARE_OPAQUE(HDRVLINE);
TAPIX_DECLARE_OPAQUE(HTAPICALL);
TAPIX_DECLARE_OPAQUE(HTAPILINE);
TAPIX_DECLARE_OPAQUE(HPROVIDER);
TAPIX_DECLARE_OPAQUE(HTAPIPHONE);
typedef HDRVCALL *LPHDRVCALL;
typedef HDRVLINE *LPHDRVLINE;
typedef HTAPICALL *LPHTAPICALL;
typedef HTAPILINE *LPHTAPILINE;
typedef HPROVIDER *LPHPROVIDER;

typedef DWORD DRV_REQUESTID;

/**
 * Reports the result of an asynchronous TSPI function, exactly once per
 * request id the function returned: 0 or a negative LINEERR_ value. May be
 * called from any thread, also before the TSPI function has returned. Must
 * not be called again (nor LINEEVENT) before the previous call returned.
 * Spec: tspi.md §4.
 */
typedef void(CALLBACK *ASYNC_COMPLETION)(DRV_REQUESTID dwRequestID,
                                         LONG lResult);

/**
 * Reports a line or call event (spec: tspi.md §5). TAPI never calls into
 * the provider from inside this callback or ASYNC_COMPLETION, so a
 * provider may hold its own locks while calling either.
 */
typedef void(CALLBACK *LINEEVENT)(HTAPILINE htLine, HTAPICALL htCall,
                                  DWORD dwMsg, DWORD_PTR dwParam1,
                                  DWORD_PTR dwParam2, DWORD_PTR dwParam3);

/* Phone devices are not implemented; the type keeps the Windows prototype. */
typedef void(CALLBACK *PHONEEVENT)(HTAPIPHONE htPhone, DWORD dwMsg,
                                   DWORD_PTR dwParam1, DWORD_PTR dwParam2,
                                   DWORD_PTR dwParam3);

#define TSPI_MESSAGE_BASE           500
#define LINE_NEWCALL                500
#define LINE_CALLDEVSPECIFIC        501
#define LINE_CALLDEVSPECIFICFEATURE 502
#define LINE_CREATEDIALOGINSTANCE   503
#define LINE_SENDDIALOGINSTANCEDATA 504
#define LINE_SENDMSPDATA            505
#define LINE_QOSINFO                506

#define INITIALIZE_NEGOTIATION      0xFFFFFFFFU
#define LINETSPIOPTION_NONREENTRANT 0x00000001

/* ---- Provider lifecycle (spec: tspi.md §2) ------------------------------ */

/**
 * Negotiates the interface version, overall (dwDeviceID =
 * INITIALIZE_NEGOTIATION) or for one line. Required.
 * @return 0, LINEERR_INCOMPATIBLEAPIVERSION, LINEERR_BADDEVICEID...
 */
LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dwDeviceID, DWORD dwLowVersion,
                                           DWORD dwHighVersion,
                                           LPDWORD lpdwTSPIVersion);

/**
 * Tells TAPI how many lines the provider has (TAPI presets both counts to
 * 0). lpfnLineCreateProc may later report LINE_CREATE. Required.
 */
LONG TSPIAPI TSPI_providerEnumDevices(DWORD dwPermanentProviderID,
                                      LPDWORD lpdwNumLines,
                                      LPDWORD lpdwNumPhones,
                                      HPROVIDER hProvider,
                                      LINEEVENT lpfnLineCreateProc,
                                      PHONEEVENT lpfnPhoneCreateProc);

/**
 * Starts a provider session: line device ids are dwLineDeviceIDBase ...
 * + dwNumLines - 1; lpfnCompletionProc reports async results. Required.
 */
LONG TSPIAPI TSPI_providerInit(DWORD dwTSPIVersion, DWORD dwPermanentProviderID,
                               DWORD dwLineDeviceIDBase,
                               DWORD dwPhoneDeviceIDBase, DWORD_PTR dwNumLines,
                               DWORD_PTR dwNumPhones,
                               ASYNC_COMPLETION lpfnCompletionProc,
                               LPDWORD lpdwTSPIOptions);

/** Ends the session: stop all activity and free everything. Required. */
LONG TSPIAPI TSPI_providerShutdown(DWORD dwTSPIVersion,
                                   DWORD dwPermanentProviderID);

/** Assigns the device id of a line announced with LINE_CREATE. Optional. */
LONG TSPIAPI TSPI_providerCreateLineDevice(DWORD_PTR dwTempID,
                                           DWORD dwDeviceID);

/* ---- Lines (spec: tspi.md §6) ------------------------------------------- */

/** Fills LINEDEVCAPS (all but dwTotalSize) for dwTSPIVersion. Required. */
LONG TSPIAPI TSPI_lineGetDevCaps(DWORD dwDeviceID, DWORD dwTSPIVersion,
                                 DWORD dwExtVersion,
                                 LPLINEDEVCAPS lpLineDevCaps);

/** Fills LINEADDRESSCAPS (all but dwTotalSize). Required. */
LONG TSPIAPI TSPI_lineGetAddressCaps(DWORD dwDeviceID, DWORD dwAddressID,
                                     DWORD dwTSPIVersion, DWORD dwExtVersion,
                                     LPLINEADDRESSCAPS lpAddressCaps);

/**
 * Opens a line once for all apps: store htLine and lpfnEventProc, return
 * the provider's handle in *lphdLine. Required.
 */
LONG TSPIAPI TSPI_lineOpen(DWORD dwDeviceID, HTAPILINE htLine,
                           LPHDRVLINE lphdLine, DWORD dwTSPIVersion,
                           LINEEVENT lpfnEventProc);

/**
 * Closes the line: before returning, complete every outstanding request of
 * the line (LINEERR_OPERATIONFAILED when aborted); then report nothing more
 * about it. Required.
 */
LONG TSPIAPI TSPI_lineClose(HDRVLINE hdLine);

/** Sets the media modes to detect on new calls (union of owners). Required. */
LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hdLine,
                                               DWORD dwMediaModes);

/** Sets the LINEDEVSTATE_/LINEADDRESSSTATE_ items to report. Optional. */
LONG TSPIAPI TSPI_lineSetStatusMessages(HDRVLINE hdLine, DWORD dwLineStates,
                                        DWORD dwAddressStates);

/* ---- Calls (spec: tspi.md §6) ------------------------------------------- */

/**
 * Places a call; *lphdCall is written before returning. Async: returns
 * dwRequestID or a negative LINEERR_ value. Optional.
 */
LONG TSPIAPI TSPI_lineMakeCall(DRV_REQUESTID dwRequestID, HDRVLINE hdLine,
                               HTAPICALL htCall, LPHDRVCALL lphdCall,
                               LPCSTR lpszDestAddress, DWORD dwCountryCode,
                               LPLINECALLPARAMS const lpCallParams);

/** Answers an OFFERING or ACCEPTED call. Async. Optional. */
LONG TSPIAPI TSPI_lineAnswer(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                             LPCSTR lpsUserUserInfo, DWORD dwSize);

/** Accepts an OFFERING call. Async. Optional. */
LONG TSPIAPI TSPI_lineAccept(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                             LPCSTR lpsUserUserInfo, DWORD dwSize);

/** Drops a call in any state but IDLE; must later report IDLE. Async. */
LONG TSPIAPI TSPI_lineDrop(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                           LPCSTR lpsUserUserInfo, DWORD dwSize);

/**
 * Obsolete (TSPI <= 2.0): drop because the sole owner closed its line.
 * Called instead of TSPI_lineDrop only when exported. Optional.
 */
LONG TSPIAPI TSPI_lineDropOnClose(HDRVCALL hdCall);

/**
 * Forgets a call: before returning, complete every outstanding request
 * involving it with LINEERR_OPERATIONFAILED; drop it if still active and
 * LINEDEVCAPFLAGS_CLOSEDROP applies; then report nothing more about it.
 * Required.
 */
LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hdCall);

/** Fills the provider's fields of LINECALLINFO. Required. */
LONG TSPIAPI TSPI_lineGetCallInfo(HDRVCALL hdCall, LPLINECALLINFO lpCallInfo);

/** Fills the provider's fields of LINECALLSTATUS. Required. */
LONG TSPIAPI TSPI_lineGetCallStatus(HDRVCALL hdCall,
                                    LPLINECALLSTATUS lpCallStatus);

/**
 * Fills the provider's fields of LINEDEVSTATUS (all but dwTotalSize,
 * dwNumOpens, dwOpenMediaModes and AppInfo). Optional: without it TAPI
 * reports the line CONNECTED and INSERVICE with its capabilities' features.
 */
LONG TSPIAPI TSPI_lineGetLineDevStatus(HDRVLINE hdLine,
                                       LPLINEDEVSTATUS lpLineDevStatus);

/** Returns the address id of a call. Optional (address 0 assumed). */
LONG TSPIAPI TSPI_lineGetCallAddressID(HDRVCALL hdCall, LPDWORD lpdwAddressID);

/** Sends user-user information during a call. Async. Optional. */
LONG TSPIAPI TSPI_lineSendUserUserInfo(DRV_REQUESTID dwRequestID,
                                       HDRVCALL hdCall, LPCSTR lpsUserUserInfo,
                                       DWORD dwSize);

/**
 * The received UUI in LINECALLINFO has been consumed: install the next one
 * (LINE_CALLINFO(USERUSERINFO)). Async. Optional (TAPI then answers
 * LINEERR_OPERATIONUNAVAIL).
 */
LONG TSPIAPI TSPI_lineReleaseUserUserInfo(DRV_REQUESTID dwRequestID,
                                          HDRVCALL hdCall);

/** Puts a CONNECTED call on hard hold. Async. Optional. */
LONG TSPIAPI TSPI_lineHold(DRV_REQUESTID dwRequestID, HDRVCALL hdCall);

/** Retrieves a held call. Async. Optional. */
LONG TSPIAPI TSPI_lineUnhold(DRV_REQUESTID dwRequestID, HDRVCALL hdCall);

/** Transfers a CONNECTED call to a dialable address. Async. Optional. */
LONG TSPIAPI TSPI_lineBlindTransfer(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                                    LPCSTR lpszDestAddress,
                                    DWORD dwCountryCode);

/**
 * Redirects an OFFERING call to a dialable address without answering it
 * (the caller's call is deflected there); on success the call goes IDLE
 * (LINE_CALLSTATE). Returns LINEERR_INVALADDRESS, redirecting nothing,
 * for an address it cannot reach. TAPI has checked the OWNER, the
 * OFFERING state and that the address is a non-empty string; the
 * provider checks the state again. Async. Optional (TAPI then answers
 * LINEERR_OPERATIONUNAVAIL). The address is UTF-8, as lineRedirect's.
 */
LONG TSPIAPI TSPI_lineRedirect(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                               LPCSTR lpszDestAddress, DWORD dwCountryCode);

/** Dials (more) digits on a call, e.g. a consultation call. Async. */
LONG TSPIAPI TSPI_lineDial(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                           LPCSTR lpszDestAddress, DWORD dwCountryCode);

/**
 * Sets up a conference: from CONNECTED hdCall (or hdCall NULL and hdLine)
 * a conference call and a consultation call are created; both *lphd are
 * written before returning. Async. Optional.
 */
LONG TSPIAPI TSPI_lineSetupConference(
	DRV_REQUESTID dwRequestID, HDRVCALL hdCall, HDRVLINE hdLine,
	HTAPICALL htConfCall, LPHDRVCALL lphdConfCall, HTAPICALL htConsultCall,
	LPHDRVCALL lphdConsultCall, DWORD dwNumParties,
	LPLINECALLPARAMS const lpCallParams);

/** Creates a consultation call to add a party to a conference. Async. */
LONG TSPIAPI TSPI_linePrepareAddToConference(
	DRV_REQUESTID dwRequestID, HDRVCALL hdConfCall, HTAPICALL htConsultCall,
	LPHDRVCALL lphdConsultCall, LPLINECALLPARAMS const lpCallParams);

/** Adds a consultation call to a conference. Async. Optional. */
LONG TSPIAPI TSPI_lineAddToConference(DRV_REQUESTID dwRequestID,
                                      HDRVCALL hdConfCall,
                                      HDRVCALL hdConsultCall);

/** Removes a CONFERENCED participant. Async. Optional. */
LONG TSPIAPI TSPI_lineRemoveFromConference(DRV_REQUESTID dwRequestID,
                                           HDRVCALL hdCall);

/**
 * Sets up a transfer: CONNECTED hdCall goes ONHOLDPENDTRANSFER and a
 * consultation call is created (DIALTONE); *lphdConsultCall is written
 * before returning. Async. Optional.
 */
LONG TSPIAPI TSPI_lineSetupTransfer(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                                    HTAPICALL htConsultCall,
                                    LPHDRVCALL lphdConsultCall,
                                    LPLINECALLPARAMS const lpCallParams);

/**
 * Completes a transfer of hdCall to the far end of hdConsultCall
 * (LINETRANSFERMODE_TRANSFER), or joins both in a new conference call
 * htConfCall (LINETRANSFERMODE_CONFERENCE; *lphdConfCall is then written
 * before returning, and the two calls report CONFERENCED with it). Async.
 * Optional.
 */
LONG TSPIAPI TSPI_lineCompleteTransfer(DRV_REQUESTID dwRequestID,
                                       HDRVCALL hdCall, HDRVCALL hdConsultCall,
                                       HTAPICALL htConfCall,
                                       LPHDRVCALL lphdConfCall,
                                       DWORD dwTransferMode);

/* ---- tapix extensions (not in Windows; optional entry points) ----------- */

/**
 * Passes one key of the provider's configuration section before
 * TSPI_providerEnumDevices: a key of [NAME] as KEY, one of [NAME.SUB] as
 * SUB.KEY. Every session starts with a call with NULL key and value: back
 * to the defaults (nothing carries over from an earlier session, whether it
 * started or not). TAPI also passes a configuration only to have it checked
 * (tapixd --check-config), with no session to follow; only between
 * sessions, never while one runs. Returns
 *   0                        the key is taken;
 *   LINEERR_INVALPARAM       there is no such key (in that section);
 *   LINEERR_INIFILECORRUPT   the key exists but cannot take this value;
 *   another LINEERR_ value   refused otherwise (e.g. RESOURCEUNAVAIL: too
 *                            many sections), which the provider logs.
 * Any of these errors fails the session; TAPI still passes the remaining
 * keys, so that every error of the file is reported at once. (Providers
 * written before this distinction return LINEERR_INIFILECORRUPT for all.)
 */
LONG TSPIAPI TSPIX_providerConfig(DWORD dwPermanentProviderID, LPCSTR lpszKey,
                                  LPCSTR lpszValue);

/** The key is taken in the provider's section [NAME], as KEY. */
#define TSPIXCONFIGKEY_MAIN 0x00000001
/** The key is taken in sections [NAME.SUB], as SUB.KEY. */
#define TSPIXCONFIGKEY_SUB 0x00000002
/** The value is a secret (a password): TAPI never shows it. */
#define TSPIXCONFIGKEY_SECRET 0x00000004

/** One key TSPIX_providerConfig takes (a tapix structure: no typedef). */
struct tspix_config_key {
	LPCSTR lpszKey;      /* its name, e.g. "lines" */
	DWORD dwFlags;       /* TSPIXCONFIGKEY_ */
	LPCSTR lpszExpected; /* the values it takes, one line: "a number from
	                        1 to 4096 (default 4)" */
};

/**
 * The keys TSPIX_providerConfig takes, for diagnostics and documentation:
 * an array ended by an entry whose lpszKey is NULL, constant while the
 * module is loaded. TAPI names them when a key is unknown and says what a
 * key expects when its value is refused. Threads: any. Optional (without
 * it a refused key is reported as "an unknown key or a bad value").
 */
const struct tspix_config_key *TSPIAPI TSPIX_providerConfigKeys(void);

/**
 * The identifier of a device of class @lpszDeviceClass tied to a line,
 * address or call (TAPI answers "tapi/line" itself). For "wave/in",
 * "wave/out" and "wave/in/out" on a call, a TAPIXWAVEID in
 * STRINGFORMAT_BINARY whose descriptors are new, for the process the
 * provider runs in (TAPI hands them on; hTargetProcess is always 0).
 * When *lpDeviceID is too small: dwNeededSize set and no descriptor
 * made. LINEERR_INVALDEVICECLASS for a class it has no device of.
 * Optional (without it, LINEERR_INVALDEVICECLASS).
 */
LONG TSPIAPI TSPI_lineGetID(HDRVLINE hdLine, DWORD dwAddressID, HDRVCALL hdCall,
                            DWORD dwSelect, LPVARSTRING lpDeviceID,
                            LPCSTR lpszDeviceClass, HANDLE hTargetProcess);

/**
 * Starts sending @lpszDigits in band (@dwDigitMode one LINEDIGITMODE_;
 * ',' a pause; characters of no digit skipped); NULL only cancels. Ends
 * with LINE_GENERATE(LINEGENERATETERM_DONE or _CANCEL, @dwEndToEndID,
 * tick count); a new request or the call's IDLE cancels the current one
 * (its own LINE_GENERATE, _CANCEL). Synchronous. Optional (without it,
 * LINEERR_OPERATIONUNAVAIL).
 */
LONG TSPIAPI TSPI_lineGenerateDigits(HDRVCALL hdCall, DWORD dwEndToEndID,
                                     DWORD dwDigitMode, LPCSTR lpszDigits,
                                     DWORD dwDuration);

/**
 * Sends a tone in band (LINETONEMODE_; _CUSTOM from @lpTones, at most
 * 4), dwDuration ms (0: a default); 0 cancels. Ends with LINE_GENERATE as
 * TSPI_lineGenerateDigits does; one generation at a time. Synchronous.
 * Optional (without it, LINEERR_OPERATIONUNAVAIL).
 */
LONG TSPIAPI TSPI_lineGenerateTone(HDRVCALL hdCall, DWORD dwEndToEndID,
                                   DWORD dwToneMode, DWORD dwDuration,
                                   DWORD dwNumTones,
                                   LPLINEGENERATETONE const lpTones);

/**
 * Reports the digits the far end sends (LINE_MONITORDIGITS: digit, mode,
 * tick count) for the modes in @dwDigitModes (TAPI passes the union of
 * its apps'); 0 stops. Ends at IDLE. Synchronous. Optional (without it,
 * LINEERR_OPERATIONUNAVAIL).
 */
LONG TSPIAPI TSPI_lineMonitorDigits(HDRVCALL hdCall, DWORD dwDigitModes);

/**
 * Listens for the tones of @lpToneList (NULL or 0 entries: stops), a new
 * list replacing the last; LINE_MONITORTONE(dwAppSpecific, @dwToneListID,
 * tick count) each time one is heard for its duration. Ends at IDLE.
 * Synchronous. Optional (without it, LINEERR_OPERATIONUNAVAIL).
 */
LONG TSPIAPI TSPI_lineMonitorTones(HDRVCALL hdCall, DWORD dwToneListID,
                                   LPLINEMONITORTONE const lpToneList,
                                   DWORD dwNumEntries);

/**
 * Gathers the digits the far end sends (@dwDigitModes: LINEDIGITMODE_DTMF
 * and/or _PULSE) into @lpsDigits, which has room for @dwNumDigits
 * characters. Ends with LINE_GATHERDIGITS(LINEGATHERTERM_ reason,
 * @dwEndToEndID, tick count) when @dwNumDigits were gathered (_BUFFERFULL),
 * a digit of @lpszTerminationDigits arrived (_TERMDIGIT, that digit
 * last), no digit came within @dwFirstDigitTimeout ms (_FIRSTTIMEOUT) or
 * none within @dwInterDigitTimeout ms of the last (_INTERTIMEOUT); a
 * timeout of 0 waits for ever. The provider writes @lpsDigits only just
 * before that message, digits then a NUL when fewer than @dwNumDigits,
 * and never after it. A new request or @lpsDigits NULL ends the current
 * one first (its LINE_GATHERDIGITS, _CANCEL, sent before this returns);
 * so does tearing the call's media down (TSPI_lineCloseCall at the
 * latest). Synchronous. Optional (without it, LINEERR_OPERATIONUNAVAIL).
 * Beyond the spec (issue 17), from Microsoft's TSPI_lineGatherDigits,
 * whose strings are UTF-16: tapix's TSPI strings are UTF-8.
 */
LONG TSPIAPI TSPI_lineGatherDigits(HDRVCALL hdCall, DWORD dwEndToEndID,
                                   DWORD dwDigitModes, LPSTR lpsDigits,
                                   DWORD dwNumDigits,
                                   LPCSTR lpszTerminationDigits,
                                   DWORD dwFirstDigitTimeout,
                                   DWORD dwInterDigitTimeout);

/**
 * Returns how many provider objects (lines, calls, requests, timers) are
 * alive, for leak checks in tests. 0 after TSPI_providerShutdown.
 */
DWORD TSPIAPI TSPIX_providerLiveObjects(void);

/**
 * TSPI_lineDrop with a hint of why the call ends, a LINEDISCONNECTMODE_
 * value the far end should be told where the network can say it:
 * REJECT (the user declined an offered call), NOANSWER (nobody answered
 * it), BUSY, CANCELLED (the caller gives up an outgoing call in
 * progress), or NORMAL (the end of the call as usual; for an offered call
 * the provider's ordinary rejection). A provider may ignore the hint but
 * otherwise behaves as TSPI_lineDrop; any other value: LINEERR_INVALPARAM.
 * Used, when exported, for tapix_line_drop_ex (the TAPI 3 layer's
 * Disconnect codes); lineDrop still calls TSPI_lineDrop. Async. Optional.
 */
LONG TSPIAPI TSPIX_lineDropEx(DRV_REQUESTID dwRequestID, HDRVCALL hdCall,
                              LPCSTR lpsUserUserInfo, DWORD dwSize,
                              DWORD dwDisconnectModeHint);

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_TSPI_H */
