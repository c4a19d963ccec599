/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ras.h: the Remote Access Service client API with the Windows names,
 * types, values and structure layouts (Windows 7 level, pack(4)), so RAS
 * source code compiles unchanged on tapix. Strings are UTF-8 (the A
 * variants); the undecorated names map to them. A RAS connection is a
 * data call on a TAPI line. Behaviour: the project's spec (ras.md,
 * ras-phonebook-and-rasdial.md); docs/ras.md.
 */
#ifndef TAPIX_RAS_H
#define TAPIX_RAS_H

#include <netinet/in.h>
#include <stdint.h>

#include <tapix/wintypes.h>

#include <raserror.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TAPIX_API
#if defined(__GNUC__)
#define TAPIX_API __attribute__((visibility("default")))
#else
#define TAPIX_API
#endif
#endif

/* ---- generic Win32 codes RAS returns (winerror.h) ----------------------- */

#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0L
#endif
#ifndef NO_ERROR
#define NO_ERROR 0L
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE 6L
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY 8L
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87L
#endif
#ifndef ERROR_INSUFFICIENT_BUFFER
#define ERROR_INSUFFICIENT_BUFFER 122L
#endif

/* ---- limits (ras-constants.md §1) --------------------------------------- */

#ifndef MAX_PATH
#define MAX_PATH 260
#endif
#ifndef UNLEN
#define UNLEN 256
#endif
#ifndef PWLEN
#define PWLEN 256
#endif
#ifndef DNLEN
#define DNLEN 15
#endif

#define RAS_MaxDeviceType     16
#define RAS_MaxPhoneNumber    128
#define RAS_MaxIpAddress      15
#define RAS_MaxIpxAddress     21
#define RAS_MaxEntryName      256
#define RAS_MaxDeviceName     128
#define RAS_MaxCallbackNumber RAS_MaxPhoneNumber
#define RAS_MaxAreaCode       10
#define RAS_MaxPadType        32
#define RAS_MaxX25Address     200
#define RAS_MaxFacilities     200
#define RAS_MaxUserData       200
#define RAS_MaxReplyMessage   1024
#define RAS_MaxDnsSuffix      256
#define RAS_MaxIDSize         256

/* ---- handles, states, flags (ras-constants.md §2) ----------------------- */

/*
 * A connection handle: opaque, compared with NULL like the Windows
 * DECLARE_HANDLE type; it carries a generation, so a handle of a
 * connection that is gone is never taken for a new one.
 */
typedef struct HRASCONN__ *HRASCONN;
typedef HRASCONN *LPHRASCONN;

#define RASCS_PAUSED 0x1000
#define RASCS_DONE   0x2000

typedef enum tagRASCONNSTATE {
	RASCS_OpenPort = 0,
	RASCS_PortOpened,
	RASCS_ConnectDevice,
	RASCS_DeviceConnected,
	RASCS_AllDevicesConnected,
	RASCS_Authenticate,
	RASCS_AuthNotify,
	RASCS_AuthRetry,
	RASCS_AuthCallback,
	RASCS_AuthChangePassword,
	RASCS_AuthProject,
	RASCS_AuthLinkSpeed,
	RASCS_AuthAck,
	RASCS_ReAuthenticate,
	RASCS_Authenticated,
	RASCS_PrepareForCallback,
	RASCS_WaitForModemReset,
	RASCS_WaitForCallback,
	RASCS_Projected,
	RASCS_StartAuthentication,
	RASCS_CallbackComplete,
	RASCS_LogonNetwork,
	RASCS_SubEntryConnected,
	RASCS_SubEntryDisconnected,
	RASCS_ApplySettings,
	RASCS_Interactive = RASCS_PAUSED,
	RASCS_RetryAuthentication,
	RASCS_CallbackSetByCaller,
	RASCS_PasswordExpired,
	RASCS_InvokeEapUI,
	RASCS_Connected = RASCS_DONE,
	RASCS_Disconnected
} RASCONNSTATE, *LPRASCONNSTATE;

typedef enum tagRASCONNSUBSTATE {
	RASCSS_None = 0,
	RASCSS_Dormant,
	RASCSS_Reconnecting,
	RASCSS_Reconnected = RASCS_DONE
} RASCONNSUBSTATE, *LPRASCONNSUBSTATE;

#define RASCSS_DONE 0x2000

#define RASCF_AllUsers    0x00000001
#define RASCF_GlobalCreds 0x00000002
#define RASCF_OwnerKnown  0x00000004
#define RASCF_OwnerMatch  0x00000008

#define REN_User     0x00000000
#define REN_AllUsers 0x00000001

#define RASET_Phone     1
#define RASET_Vpn       2
#define RASET_Direct    3
#define RASET_Internet  4
#define RASET_Broadband 5

#define RASTUNNELENDPOINT_UNKNOWN 0
#define RASTUNNELENDPOINT_IPv4    1
#define RASTUNNELENDPOINT_IPv6    2

#define RDEOPT_UsePrefixSuffix           0x00000001
#define RDEOPT_PausedStates              0x00000002
#define RDEOPT_IgnoreModemSpeaker        0x00000004
#define RDEOPT_SetModemSpeaker           0x00000008
#define RDEOPT_IgnoreSoftwareCompression 0x00000010
#define RDEOPT_SetSoftwareCompression    0x00000020
#define RDEOPT_DisableConnectedUI        0x00000040
#define RDEOPT_DisableReconnectUI        0x00000080
#define RDEOPT_DisableReconnect          0x00000100
#define RDEOPT_NoUser                    0x00000200
#define RDEOPT_PauseOnScript             0x00000400
#define RDEOPT_Router                    0x00000800
#define RDEOPT_CustomDial                0x00001000
#define RDEOPT_UseCustomScripting        0x00002000

#define RASDT_Modem      "modem"
#define RASDT_Isdn       "isdn"
#define RASDT_X25        "x25"
#define RASDT_Vpn        "vpn"
#define RASDT_Pad        "pad"
#define RASDT_Generic    "GENERIC"
#define RASDT_Serial     "SERIAL"
#define RASDT_FrameRelay "FRAMERELAY"
#define RASDT_Atm        "ATM"
#define RASDT_Sonet      "SONET"
#define RASDT_SW56       "SW56"
#define RASDT_Irda       "IRDA"
#define RASDT_Parallel   "PARALLEL"
#define RASDT_PPPoE      "PPPoE"

/* The message every notifier gets as unMsg (no windows on POSIX). */
#define RASDIALEVENT    "RasDialEvent"
#define WM_RASDIALEVENT 0xCCCD

/* ---- structures (ras.md §10; Windows 7 layout, pack(4)) ----------------- */

#pragma pack(push, 4)

typedef struct _RASTUNNELENDPOINT {
	DWORD dwType; /* RASTUNNELENDPOINT_ */
	union {
		struct in_addr ipv4;
		struct in6_addr ipv6;
	};
} RASTUNNELENDPOINT, *PRASTUNNELENDPOINT;

/* A connection, as RasEnumConnections lists it. */
typedef struct tagRASCONNA {
	DWORD dwSize;
	HRASCONN hrasconn;
	CHAR szEntryName[RAS_MaxEntryName + 1]; /* "." + number: no entry */
	CHAR szDeviceType[RAS_MaxDeviceType + 1];
	CHAR szDeviceName[RAS_MaxDeviceName + 1];
	CHAR szPhonebook[MAX_PATH];
	DWORD dwSubEntry; /* 1 */
	GUID guidEntry;
	DWORD dwFlags; /* RASCF_ */
	LUID luid;     /* { uid of the dialler, 0 } */
	GUID guidCorrelationId;
} RASCONNA, *LPRASCONNA;

/* A connection's state (RasGetConnectStatus). */
typedef struct tagRASCONNSTATUSA {
	DWORD dwSize;
	RASCONNSTATE rasconnstate;
	DWORD dwError; /* why the connection failed; 0: it did not */
	CHAR szDeviceType[RAS_MaxDeviceType + 1];
	CHAR szDeviceName[RAS_MaxDeviceName + 1];
	CHAR szPhoneNumber[RAS_MaxPhoneNumber + 1];
	RASTUNNELENDPOINT localEndPoint;
	RASTUNNELENDPOINT remoteEndPoint;
	RASCONNSUBSTATE rasconnsubstate;
} RASCONNSTATUSA, *LPRASCONNSTATUSA;

/* What to dial (RasDial), and the credentials saved for an entry. */
typedef struct tagRASDIALPARAMSA {
	DWORD dwSize;
	CHAR szEntryName[RAS_MaxEntryName + 1];     /* "": no phonebook entry */
	CHAR szPhoneNumber[RAS_MaxPhoneNumber + 1]; /* "": the entry's */
	CHAR szCallbackNumber[RAS_MaxCallbackNumber + 1];
	CHAR szUserName[UNLEN + 1];
	CHAR szPassword[PWLEN + 1];
	CHAR szDomain[DNLEN + 1];
	DWORD dwSubEntry;
	ULONG_PTR dwCallbackId; /* passed to a RASDIALFUNC2 notifier */
	DWORD dwIfIndex;
} RASDIALPARAMSA, *LPRASDIALPARAMSA;

/* A phonebook entry (RasEnumEntries). */
typedef struct tagRASENTRYNAMEA {
	DWORD dwSize;
	CHAR szEntryName[RAS_MaxEntryName + 1];
	DWORD dwFlags; /* REN_ */
	CHAR szPhonebookPath[MAX_PATH + 1];
} RASENTRYNAMEA, *LPRASENTRYNAMEA;

/* A device RAS can dial on, as RasEnumDevices lists it. */
typedef struct tagRASDEVINFOA {
	DWORD dwSize;
	CHAR szDeviceType[RAS_MaxDeviceType + 1]; /* RASDT_: "modem" */
	CHAR szDeviceName[RAS_MaxDeviceName + 1]; /* the TAPI line name */
} RASDEVINFOA, *LPRASDEVINFOA;

typedef struct tagRASEAPINFO {
	DWORD dwSizeofEapInfo;
	BYTE *pbEapInfo;
} RASEAPINFO;

typedef struct tagRASDEVSPECIFICINFO {
	DWORD dwSize;
	BYTE *pbDevSpecificInfo;
} RASDEVSPECIFICINFO, *PRASDEVSPECIFICINFO;

/* RasDial options; tapix honours RDEOPT_UsePrefixSuffix and
 * RDEOPT_PausedStates and ignores the rest. */
typedef struct tagRASDIALEXTENSIONS {
	DWORD dwSize;
	DWORD dwfOptions; /* RDEOPT_ */
	HWND hwndParent;
	ULONG_PTR reserved;
	ULONG_PTR reserved1;
	RASEAPINFO RasEapInfo;
	BOOL fSkipPppAuth;
	RASDEVSPECIFICINFO RasDevSpecificInfo;
} RASDIALEXTENSIONS, *LPRASDIALEXTENSIONS;

#pragma pack(pop)

#define RASCONN         RASCONNA
#define LPRASCONN       LPRASCONNA
#define RASCONNSTATUS   RASCONNSTATUSA
#define LPRASCONNSTATUS LPRASCONNSTATUSA
#define RASDIALPARAMS   RASDIALPARAMSA
#define LPRASDIALPARAMS LPRASDIALPARAMSA
#define RASENTRYNAME    RASENTRYNAMEA
#define LPRASENTRYNAME  LPRASENTRYNAMEA
#define RASDEVINFO      RASDEVINFOA
#define LPRASDEVINFO    LPRASDEVINFOA

/* ---- notifiers (ras.md §3.4) -------------------------------------------- */

/*
 * Called for each state entered (dwError 0) and once more for the state
 * that failed (dwError set, the last call); on tapix's RAS thread, one
 * call at a time. It may call RasGetConnectStatus, RasEnumEntries,
 * RasEnumConnections, RasGetErrorString and RasHangUp.
 */
typedef VOID(WINAPI *RASDIALFUNC)(UINT unMsg, RASCONNSTATE rasconnstate,
                                  DWORD dwError);
typedef VOID(WINAPI *RASDIALFUNC1)(HRASCONN hrasconn, UINT unMsg,
                                   RASCONNSTATE rascs, DWORD dwError,
                                   DWORD dwExtendedError);
/* Returns 0 to stop further notifications (not the dial). */
typedef DWORD(WINAPI *RASDIALFUNC2)(ULONG_PTR dwCallbackId, DWORD dwSubEntry,
                                    HRASCONN hrasconn, UINT unMsg,
                                    RASCONNSTATE rascs, DWORD dwError,
                                    DWORD dwExtendedError);

/* ---- functions ---------------------------------------------------------- */

/**
 * Dials a phonebook entry (or szPhoneNumber with no entry). @lpvNotifier
 * NULL: returns when connected (0) or failed; else returns at once and
 * reports the states to the notifier of @dwNotifierType (0, 1, 2). Sets
 * *@lphRasConn (which must be NULL, or a paused connection to resume);
 * whenever it is set, even after a failure, RasHangUp must follow.
 * @return 0, ERROR_INVALID_PARAMETER, ERROR_INVALID_SIZE,
 *         ERROR_INVALID_HANDLE, ERROR_CANNOT_OPEN_PHONEBOOK,
 *         ERROR_CANNOT_LOAD_PHONEBOOK, ERROR_CORRUPT_PHONEBOOK,
 *         ERROR_CANNOT_FIND_PHONEBOOK_ENTRY, ERROR_DIAL_ALREADY_IN_PROGRESS,
 *         ERROR_PHONE_NUMBER_TOO_LONG, ERROR_ASYNC_REQUEST_PENDING (from a
 *         notifier), or (synchronous) why the dial failed.
 */
TAPIX_API DWORD WINAPI RasDialA(LPRASDIALEXTENSIONS lpRasDialExtensions,
                                LPCSTR lpszPhonebook,
                                LPRASDIALPARAMSA lpRasDialParams,
                                DWORD dwNotifierType, LPVOID lpvNotifier,
                                LPHRASCONN lphRasConn);

/**
 * Ends a connection (in any state, dialling included) and returns at once:
 * the teardown goes on in the background, and RasGetConnectStatus answers
 * for the handle until it is over, then ERROR_INVALID_HANDLE for good.
 * One reference of the caller's goes; a caller with none (it found the
 * connection with RasEnumConnections) releases them all.
 * @return 0 or ERROR_INVALID_HANDLE.
 */
TAPIX_API DWORD WINAPI RasHangUpA(HRASCONN hrasconn);

/**
 * The connection's state; set lprasconnstatus->dwSize first.
 * @return 0, ERROR_INVALID_HANDLE (unknown, or its teardown is over),
 *         ERROR_INVALID_SIZE, ERROR_INVALID_PARAMETER (NULL).
 */
TAPIX_API DWORD WINAPI RasGetConnectStatusA(HRASCONN hrasconn,
                                            LPRASCONNSTATUSA lprasconnstatus);

/**
 * The connected connections: with @lprasconn NULL and *@lpcb 0, the size
 * needed (ERROR_BUFFER_TOO_SMALL, or 0 when there are none); else an array
 * whose first element's dwSize is the stride.
 * @return 0, ERROR_BUFFER_TOO_SMALL (*lpcb = bytes needed),
 *         ERROR_INVALID_SIZE, ERROR_INVALID_PARAMETER.
 */
TAPIX_API DWORD WINAPI RasEnumConnectionsA(LPRASCONNA lprasconn, LPDWORD lpcb,
                                           LPDWORD lpcConnections);

/**
 * The entries of @lpszPhonebook (NULL: the system's, then the user's);
 * @reserved must be NULL. Same buffer protocol as RasEnumConnections.
 */
TAPIX_API DWORD WINAPI RasEnumEntriesA(LPCSTR reserved, LPCSTR lpszPhonebook,
                                       LPRASENTRYNAMEA lprasentryname,
                                       LPDWORD lpcb, LPDWORD lpcEntries);

/**
 * A one-line English text for a RAS error (600 to 764, and the generic
 * codes 0, 6, 8, 87, 122); 512 bytes always suffice.
 * @return 0, ERROR_INVALID_PARAMETER (NULL, or no text for the value),
 *         ERROR_INSUFFICIENT_BUFFER (nothing written).
 */
TAPIX_API DWORD WINAPI RasGetErrorStringA(UINT ResourceId, LPSTR lpszString,
                                          DWORD InBufSize);

/**
 * The credentials saved for the entry lprasdialparams->szEntryName: user
 * name, domain, callback number; szPassword gets a marker standing for
 * the saved password (*lpfPassword TRUE if there is one).
 * @return 0, ERROR_BUFFER_INVALID, ERROR_INVALID_SIZE,
 *         ERROR_CANNOT_OPEN_PHONEBOOK, ERROR_CANNOT_FIND_PHONEBOOK_ENTRY.
 */
TAPIX_API DWORD WINAPI RasGetEntryDialParamsA(LPCSTR lpszPhonebook,
                                              LPRASDIALPARAMSA lprasdialparams,
                                              LPBOOL lpfPassword);

/**
 * Saves credentials for an entry (in a 0600 file beside the phonebook's
 * owner, never in the phonebook); empty fields leave the saved ones.
 * @return as RasGetEntryDialParams.
 */
TAPIX_API DWORD WINAPI RasSetEntryDialParamsA(LPCSTR lpszPhonebook,
                                              LPRASDIALPARAMSA lprasdialparams,
                                              BOOL fRemovePassword);

/**
 * The devices RAS can dial on: the TAPI lines (of this user, in service
 * mode) that support LINEMEDIAMODE_DATAMODEM, as "modem" devices named
 * like the line (the phonebook's Device). The buffer protocol of
 * RasEnumConnections, with RASDEVINFO's one size: a NULL @lpRasDevInfo
 * or a short *@lpcb gives ERROR_BUFFER_TOO_SMALL and the size needed, a
 * wrong dwSize ERROR_INVALID_SIZE, NULL @lpcb or @lpcDevices
 * ERROR_INVALID_PARAMETER; with no device, 0 and a count of 0.
 */
TAPIX_API DWORD WINAPI RasEnumDevicesA(LPRASDEVINFOA lpRasDevInfo, LPDWORD lpcb,
                                       LPDWORD lpcDevices);

/* ---- connection notifications (ras.md §12) ------------------------------ */

#define RASCN_Connection        0x00000001
#define RASCN_Disconnection     0x00000002
#define RASCN_BandwidthAdded    0x00000004
#define RASCN_BandwidthRemoved  0x00000008
#define RASCN_Dormant           0x00000010
#define RASCN_ReConnection      0x00000020
#define RASCN_EPDGPacketArrival 0x00000040

#ifndef INVALID_HANDLE_VALUE
#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)
#endif
/* The HANDLE of an event is an eventfd descriptor (as in tapi.h). */
#ifndef TAPIX_FD_TO_HANDLE
#define TAPIX_HANDLE_TO_FD(h)  ((int)(intptr_t)(h))
#define TAPIX_FD_TO_HANDLE(fd) ((HANDLE)(intptr_t)(fd))
#endif

/**
 * Signals eventfd @hEvent (TAPIX_FD_TO_HANDLE; it gets a count of 1) when
 * a connection comes up (RASCN_Connection) or ends (RASCN_Disconnection:
 * it failed, its link went, or it was hung up). @hrasconn: one connection
 * (the registration ends with it), or INVALID_HANDLE_VALUE for all the
 * connections RasEnumConnections lists, for as long as the process runs
 * (one appears there, or one that was there ends).
 * The other RASCN_ flags are accepted and never signalled. The
 * connections are looked at every 100 ms: one that comes and goes in
 * between is not seen. The descriptor is duplicated; the application may
 * close its own.
 * @return 0, ERROR_INVALID_HANDLE (not an eventfd, or an unknown
 *         connection), ERROR_NOT_ENOUGH_MEMORY (also past 256
 *         registrations of the process).
 */
TAPIX_API DWORD WINAPI RasConnectionNotificationA(HRASCONN hrasconn,
                                                  HANDLE hEvent, DWORD dwFlags);

#define RasDial                   RasDialA
#define RasHangUp                 RasHangUpA
#define RasGetConnectStatus       RasGetConnectStatusA
#define RasEnumConnections        RasEnumConnectionsA
#define RasEnumEntries            RasEnumEntriesA
#define RasEnumDevices            RasEnumDevicesA
#define RasGetErrorString         RasGetErrorStringA
#define RasGetEntryDialParams     RasGetEntryDialParamsA
#define RasSetEntryDialParams     RasSetEntryDialParamsA
#define RasConnectionNotification RasConnectionNotificationA

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_RAS_H */
