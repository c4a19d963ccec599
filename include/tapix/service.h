/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a telephony service (tapixd) needs of libtapix beyond tapi.h: to
 * register on behalf of a client process, and to find which registration
 * a line or call handle belongs to, so that a client can only use its own
 * handles. Embedded-mode functions; they never go to a service.
 */
#ifndef TAPIX_SERVICE_H
#define TAPIX_SERVICE_H

#include <tapi.h>
#include <tapix/tapix.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * lineInitializeEx for another process: as lineInitializeExA, but the
 * registration's module name (the one lineHandoff looks for) is
 * @lpszModuleName instead of this executable's name.
 * @return as lineInitializeExA. Threads: any.
 */
TAPIX_API LONG tapix_initialize_as(LPHLINEAPP lphLineApp,
                                   LPCSTR lpszFriendlyAppName,
                                   LPCSTR lpszModuleName, LPDWORD lpdwNumDevs,
                                   LPDWORD lpdwAPIVersion,
                                   LPLINEINITIALIZEEXPARAMS lpParams);

/**
 * The registration a line handle (tapix_line_app) or a call handle
 * (tapix_call_app) belongs to, or 0 if the handle is not valid now.
 * Threads: any.
 */
TAPIX_API HLINEAPP tapix_line_app(HLINE hLine);
TAPIX_API HLINEAPP tapix_call_app(HCALL hCall);

/**
 * lineGetMessage without waiting, for a USEEVENT registration, also giving
 * the handle whose death would have voided the message (0 for none): the
 * service passes it on so that its client drops what the embedded core
 * would drop. @return 0, LINEERR_OPERATIONFAILED (nothing queued),
 * LINEERR_INVALAPPHANDLE, LINEERR_INVALPOINTER. Threads: any.
 */
TAPIX_API LONG tapix_get_message_guarded(HLINEAPP hLineApp,
                                         LPLINEMESSAGE lpMessage,
                                         LPDWORD lpdwGuard);

/**
 * The line handle (open) a call handle belongs to, or 0 if the call
 * handle is not valid now. Threads: any.
 */
TAPIX_API HLINE tapix_call_line(HCALL hCall);

/**
 * The API version a line handle was opened with, or 0 if it is not valid
 * now. Threads: any.
 */
TAPIX_API DWORD tapix_line_api(HLINE hLine);

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_SERVICE_H */
