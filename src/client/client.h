/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client mode: with TAPIX_SERVICE set when a process registers, every
 * tapi.h function goes to tapixd over D-Bus (org.tapix.Tapi1, see
 * docs/service.md) instead of the embedded core, with the same results,
 * handles, messages and notification options. The entry points of
 * src/api/ ask client_on() first and forward to the cl_ functions here.
 */
#ifndef TAPIX_CLIENT_H
#define TAPIX_CLIENT_H

#include <stdbool.h>

#include <tapi.h>

/* True while this process's registrations are the service's. */
bool client_on(void);

/*
 * For a new registration, with none in embedded mode: @where ("system",
 * "session" or a D-Bus address) is the service to use; the connection is
 * made (or kept) by the registering function.
 */
void client_use(const char *where);

LONG cl_lineInitializeEx(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                         LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs,
                         LPDWORD lpdwAPIVersion,
                         LPLINEINITIALIZEEXPARAMS lpParams);
LONG cl_lineInitialize(LPHLINEAPP lphLineApp, LINECALLBACK lpfnCallback,
                       LPCSTR lpszAppName, LPDWORD lpdwNumDevs);
LONG cl_lineShutdown(HLINEAPP hLineApp);
LONG cl_lineGetMessage(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage,
                       DWORD dwTimeout);
LONG cl_lineNegotiateAPIVersion(HLINEAPP hLineApp, DWORD dwDeviceID,
                                DWORD dwAPILowVersion, DWORD dwAPIHighVersion,
                                LPDWORD lpdwAPIVersion,
                                LPLINEEXTENSIONID lpExtensionID);
LONG cl_lineGetDevCaps(HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAPIVersion,
                       DWORD dwExtVersion, LPLINEDEVCAPS lpLineDevCaps);
LONG cl_lineGetAddressCaps(HLINEAPP hLineApp, DWORD dwDeviceID,
                           DWORD dwAddressID, DWORD dwAPIVersion,
                           DWORD dwExtVersion, LPLINEADDRESSCAPS lpAddressCaps);
LONG cl_lineOpen(HLINEAPP hLineApp, DWORD dwDeviceID, LPHLINE lphLine,
                 DWORD dwAPIVersion, DWORD dwExtVersion,
                 DWORD_PTR dwCallbackInstance, DWORD dwPrivileges,
                 DWORD dwMediaModes, LPLINECALLPARAMS const lpCallParams);
LONG cl_lineClose(HLINE hLine);
LONG cl_lineSetStatusMessages(HLINE hLine, DWORD dwLineStates,
                              DWORD dwAddressStates);
LONG cl_lineGetLineDevStatus(HLINE hLine, LPLINEDEVSTATUS lpLineDevStatus);
LONG cl_lineGetNewCalls(HLINE hLine, DWORD dwAddressID, DWORD dwSelect,
                        LPLINECALLLIST lpCallList);
LONG cl_lineMakeCall(HLINE hLine, LPHCALL lphCall, LPCSTR lpszDestAddress,
                     DWORD dwCountryCode, LPLINECALLPARAMS const lpCallParams);
LONG cl_lineAccept(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize);
LONG cl_lineAnswer(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize);
LONG cl_lineDrop(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize);
LONG cl_lineSendUserUserInfo(HCALL hCall, LPCSTR lpsUserUserInfo, DWORD dwSize);
LONG cl_lineReleaseUserUserInfo(HCALL hCall);
LONG cl_lineHold(HCALL hCall);
LONG cl_lineUnhold(HCALL hCall);
LONG cl_lineDeallocateCall(HCALL hCall);
LONG cl_lineRemoveFromConference(HCALL hCall);
LONG cl_lineDial(HCALL hCall, LPCSTR lpszDestAddress, DWORD dwCountryCode);
LONG cl_lineBlindTransfer(HCALL hCall, LPCSTR lpszDestAddress,
                          DWORD dwCountryCode);
LONG cl_lineSetCallPrivilege(HCALL hCall, DWORD dwCallPrivilege);
LONG cl_lineHandoff(HCALL hCall, LPCSTR lpszFileName, DWORD dwMediaMode);
LONG cl_lineGetCallInfo(HCALL hCall, LPLINECALLINFO lpCallInfo);
LONG cl_lineGetCallStatus(HCALL hCall, LPLINECALLSTATUS lpCallStatus);
LONG cl_lineGetConfRelatedCalls(HCALL hCall, LPLINECALLLIST lpCallList);
LONG cl_lineSetupConference(HCALL hCall, HLINE hLine, LPHCALL lphConfCall,
                            LPHCALL lphConsultCall, DWORD dwNumParties,
                            LPLINECALLPARAMS const lpCallParams);
LONG cl_linePrepareAddToConference(HCALL hConfCall, LPHCALL lphConsultCall,
                                   LPLINECALLPARAMS const lpCallParams);
LONG cl_lineAddToConference(HCALL hConfCall, HCALL hConsultCall);
LONG cl_lineSetupTransfer(HCALL hCall, LPHCALL lphConsultCall,
                          LPLINECALLPARAMS const lpCallParams);
LONG cl_lineCompleteTransfer(HCALL hCall, HCALL hConsultCall,
                             LPHCALL lphConfCall, DWORD dwTransferMode);
LONG cl_line_drop_ex(HCALL hCall, LPCSTR uui, DWORD size, DWORD hint);

/* Registrations and pending requests alive in client mode (live counts). */
unsigned client_live(void);

#endif /* TAPIX_CLIENT_H */
