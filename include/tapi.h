/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapi.h: the TAPI 2.x line API with the Windows names, types and values,
 * so that TAPI source code compiles unchanged on tapix. Strings are UTF-8
 * (the A variants); the undecorated names map to them. Behaviour: the
 * project's spec (tapi-functions.md, tapi-messages-and-states.md).
 */
#ifndef TAPIX_TAPI_H
#define TAPIX_TAPI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Windows base types (spec: tapi-functions.md §0.1) ---------------- */

#include <tapix/wintypes.h>

/* Symbols of libtapix are exported with default visibility. */
#ifndef TAPIX_API
#if defined(__GNUC__)
#define TAPIX_API __attribute__((visibility("default")))
#else
#define TAPIX_API
#endif
#endif

/* Handles are opaque non-zero 32-bit values (spec: tapi-model.md §2). */
typedef DWORD HCALL, *LPHCALL;
typedef DWORD HLINE, *LPHLINE;
typedef DWORD HLINEAPP, *LPHLINEAPP;

#define TAPI_CURRENT_VERSION 0x00020002

/*
 * Called with every message of a LINEINITIALIZEEXOPTION_USEHIDDENWINDOW
 * registration, on that registration's delivery thread, one at a time.
 */
typedef void(CALLBACK *LINECALLBACK)(DWORD hDevice, DWORD dwMessage,
                                     DWORD_PTR dwInstance, DWORD_PTR dwParam1,
                                     DWORD_PTR dwParam2, DWORD_PTR dwParam3);

/* ---- Messages (constants.md §2) ----------------------------------------- */

#define LINE_ADDRESSSTATE       0
#define LINE_CALLINFO           1
#define LINE_CALLSTATE          2
#define LINE_CLOSE              3
#define LINE_DEVSPECIFIC        4
#define LINE_DEVSPECIFICFEATURE 5
#define LINE_GATHERDIGITS       6
#define LINE_GENERATE           7
#define LINE_LINEDEVSTATE       8
#define LINE_MONITORDIGITS      9
#define LINE_MONITORMEDIA       10
#define LINE_MONITORTONE        11
#define LINE_REPLY              12
#define LINE_REQUEST            13
#define PHONE_BUTTON            14
#define PHONE_CLOSE             15
#define PHONE_DEVSPECIFIC       16
#define PHONE_REPLY             17
#define PHONE_STATE             18
#define LINE_CREATE             19
#define PHONE_CREATE            20
#define LINE_AGENTSPECIFIC      21
#define LINE_AGENTSTATUS        22
#define LINE_APPNEWCALL         23
#define LINE_PROXYREQUEST       24
#define LINE_REMOVE             25
#define PHONE_REMOVE            26
#define LINE_AGENTSESSIONSTATUS 27
#define LINE_QUEUESTATUS        28
#define LINE_AGENTSTATUSEX      29
#define LINE_GROUPSTATUS        30
#define LINE_PROXYSTATUS        31
#define LINE_APPNEWCALLHUB      32
#define LINE_CALLHUBCLOSE       33
#define LINE_DEVSPECIFICEX      34

/* ---- Errors (constants.md §3) ------------------------------------------- */

#define LINEERR_ALLOCATED              ((LONG)0x80000001)
#define LINEERR_BADDEVICEID            ((LONG)0x80000002)
#define LINEERR_BEARERMODEUNAVAIL      ((LONG)0x80000003)
#define LINEERR_CALLUNAVAIL            ((LONG)0x80000005)
#define LINEERR_COMPLETIONOVERRUN      ((LONG)0x80000006)
#define LINEERR_CONFERENCEFULL         ((LONG)0x80000007)
#define LINEERR_DIALBILLING            ((LONG)0x80000008)
#define LINEERR_DIALDIALTONE           ((LONG)0x80000009)
#define LINEERR_DIALPROMPT             ((LONG)0x8000000A)
#define LINEERR_DIALQUIET              ((LONG)0x8000000B)
#define LINEERR_INCOMPATIBLEAPIVERSION ((LONG)0x8000000C)
#define LINEERR_INCOMPATIBLEEXTVERSION ((LONG)0x8000000D)
#define LINEERR_INIFILECORRUPT         ((LONG)0x8000000E)
#define LINEERR_INUSE                  ((LONG)0x8000000F)
#define LINEERR_INVALADDRESS           ((LONG)0x80000010)
#define LINEERR_INVALADDRESSID         ((LONG)0x80000011)
#define LINEERR_INVALADDRESSMODE       ((LONG)0x80000012)
#define LINEERR_INVALADDRESSSTATE      ((LONG)0x80000013)
#define LINEERR_INVALAPPHANDLE         ((LONG)0x80000014)
#define LINEERR_INVALAPPNAME           ((LONG)0x80000015)
#define LINEERR_INVALBEARERMODE        ((LONG)0x80000016)
#define LINEERR_INVALCALLCOMPLMODE     ((LONG)0x80000017)
#define LINEERR_INVALCALLHANDLE        ((LONG)0x80000018)
#define LINEERR_INVALCALLPARAMS        ((LONG)0x80000019)
#define LINEERR_INVALCALLPRIVILEGE     ((LONG)0x8000001A)
#define LINEERR_INVALCALLSELECT        ((LONG)0x8000001B)
#define LINEERR_INVALCALLSTATE         ((LONG)0x8000001C)
#define LINEERR_INVALCALLSTATELIST     ((LONG)0x8000001D)
#define LINEERR_INVALCARD              ((LONG)0x8000001E)
#define LINEERR_INVALCOMPLETIONID      ((LONG)0x8000001F)
#define LINEERR_INVALCONFCALLHANDLE    ((LONG)0x80000020)
#define LINEERR_INVALCONSULTCALLHANDLE ((LONG)0x80000021)
#define LINEERR_INVALCOUNTRYCODE       ((LONG)0x80000022)
#define LINEERR_INVALDEVICECLASS       ((LONG)0x80000023)
#define LINEERR_INVALDEVICEHANDLE      ((LONG)0x80000024)
#define LINEERR_INVALDIALPARAMS        ((LONG)0x80000025)
#define LINEERR_INVALDIGITLIST         ((LONG)0x80000026)
#define LINEERR_INVALDIGITMODE         ((LONG)0x80000027)
#define LINEERR_INVALDIGITS            ((LONG)0x80000028)
#define LINEERR_INVALEXTVERSION        ((LONG)0x80000029)
#define LINEERR_INVALGROUPID           ((LONG)0x8000002A)
#define LINEERR_INVALLINEHANDLE        ((LONG)0x8000002B)
#define LINEERR_INVALLINESTATE         ((LONG)0x8000002C)
#define LINEERR_INVALLOCATION          ((LONG)0x8000002D)
#define LINEERR_INVALMEDIALIST         ((LONG)0x8000002E)
#define LINEERR_INVALMEDIAMODE         ((LONG)0x8000002F)
#define LINEERR_INVALMESSAGEID         ((LONG)0x80000030)
#define LINEERR_INVALPARAM             ((LONG)0x80000032)
#define LINEERR_INVALPARKID            ((LONG)0x80000033)
#define LINEERR_INVALPARKMODE          ((LONG)0x80000034)
#define LINEERR_INVALPOINTER           ((LONG)0x80000035)
#define LINEERR_INVALPRIVSELECT        ((LONG)0x80000036)
#define LINEERR_INVALRATE              ((LONG)0x80000037)
#define LINEERR_INVALREQUESTMODE       ((LONG)0x80000038)
#define LINEERR_INVALTERMINALID        ((LONG)0x80000039)
#define LINEERR_INVALTERMINALMODE      ((LONG)0x8000003A)
#define LINEERR_INVALTIMEOUT           ((LONG)0x8000003B)
#define LINEERR_INVALTONE              ((LONG)0x8000003C)
#define LINEERR_INVALTONELIST          ((LONG)0x8000003D)
#define LINEERR_INVALTONEMODE          ((LONG)0x8000003E)
#define LINEERR_INVALTRANSFERMODE      ((LONG)0x8000003F)
#define LINEERR_LINEMAPPERFAILED       ((LONG)0x80000040)
#define LINEERR_NOCONFERENCE           ((LONG)0x80000041)
#define LINEERR_NODEVICE               ((LONG)0x80000042)
#define LINEERR_NODRIVER               ((LONG)0x80000043)
#define LINEERR_NOMEM                  ((LONG)0x80000044)
#define LINEERR_NOREQUEST              ((LONG)0x80000045)
#define LINEERR_NOTOWNER               ((LONG)0x80000046)
#define LINEERR_NOTREGISTERED          ((LONG)0x80000047)
#define LINEERR_OPERATIONFAILED        ((LONG)0x80000048)
#define LINEERR_OPERATIONUNAVAIL       ((LONG)0x80000049)
#define LINEERR_RATEUNAVAIL            ((LONG)0x8000004A)
#define LINEERR_RESOURCEUNAVAIL        ((LONG)0x8000004B)
#define LINEERR_REQUESTOVERRUN         ((LONG)0x8000004C)
#define LINEERR_STRUCTURETOOSMALL      ((LONG)0x8000004D)
#define LINEERR_TARGETNOTFOUND         ((LONG)0x8000004E)
#define LINEERR_TARGETSELF             ((LONG)0x8000004F)
#define LINEERR_UNINITIALIZED          ((LONG)0x80000050)
#define LINEERR_USERUSERINFOTOOBIG     ((LONG)0x80000051)
#define LINEERR_REINIT                 ((LONG)0x80000052)
#define LINEERR_ADDRESSBLOCKED         ((LONG)0x80000053)
#define LINEERR_BILLINGREJECTED        ((LONG)0x80000054)
#define LINEERR_INVALFEATURE           ((LONG)0x80000055)
#define LINEERR_NOMULTIPLEINSTANCE     ((LONG)0x80000056)
#define LINEERR_INVALAGENTID           ((LONG)0x80000057)
#define LINEERR_INVALAGENTGROUP        ((LONG)0x80000058)
#define LINEERR_INVALPASSWORD          ((LONG)0x80000059)
#define LINEERR_INVALAGENTSTATE        ((LONG)0x8000005A)
#define LINEERR_INVALAGENTACTIVITY     ((LONG)0x8000005B)
#define LINEERR_DIALVOICEDETECT        ((LONG)0x8000005C)
#define LINEERR_USERCANCELLED          ((LONG)0x8000005D)
#define LINEERR_INVALADDRESSTYPE       ((LONG)0x8000005E)
#define LINEERR_INVALAGENTSESSIONSTATE ((LONG)0x8000005F)
#define LINEERR_DISCONNECTED           ((LONG)0x80000060)
#define LINEERR_SERVICE_NOT_RUNNING    ((LONG)0x80000061)

/* ---- Call states and their modes (constants.md §4, §5) ----------------- */

#define LINECALLSTATE_IDLE               0x00000001
#define LINECALLSTATE_OFFERING           0x00000002
#define LINECALLSTATE_ACCEPTED           0x00000004
#define LINECALLSTATE_DIALTONE           0x00000008
#define LINECALLSTATE_DIALING            0x00000010
#define LINECALLSTATE_RINGBACK           0x00000020
#define LINECALLSTATE_BUSY               0x00000040
#define LINECALLSTATE_SPECIALINFO        0x00000080
#define LINECALLSTATE_CONNECTED          0x00000100
#define LINECALLSTATE_PROCEEDING         0x00000200
#define LINECALLSTATE_ONHOLD             0x00000400
#define LINECALLSTATE_CONFERENCED        0x00000800
#define LINECALLSTATE_ONHOLDPENDCONF     0x00001000
#define LINECALLSTATE_ONHOLDPENDTRANSFER 0x00002000
#define LINECALLSTATE_DISCONNECTED       0x00004000
#define LINECALLSTATE_UNKNOWN            0x00008000

#define LINEDISCONNECTMODE_NORMAL        0x00000001
#define LINEDISCONNECTMODE_UNKNOWN       0x00000002
#define LINEDISCONNECTMODE_REJECT        0x00000004
#define LINEDISCONNECTMODE_PICKUP        0x00000008
#define LINEDISCONNECTMODE_FORWARDED     0x00000010
#define LINEDISCONNECTMODE_BUSY          0x00000020
#define LINEDISCONNECTMODE_NOANSWER      0x00000040
#define LINEDISCONNECTMODE_BADADDRESS    0x00000080
#define LINEDISCONNECTMODE_UNREACHABLE   0x00000100
#define LINEDISCONNECTMODE_CONGESTION    0x00000200
#define LINEDISCONNECTMODE_INCOMPATIBLE  0x00000400
#define LINEDISCONNECTMODE_UNAVAIL       0x00000800
#define LINEDISCONNECTMODE_NODIALTONE    0x00001000
#define LINEDISCONNECTMODE_NUMBERCHANGED 0x00002000
#define LINEDISCONNECTMODE_OUTOFORDER    0x00004000
#define LINEDISCONNECTMODE_TEMPFAILURE   0x00008000
#define LINEDISCONNECTMODE_QOSUNAVAIL    0x00010000
#define LINEDISCONNECTMODE_BLOCKED       0x00020000
#define LINEDISCONNECTMODE_DONOTDISTURB  0x00040000
#define LINEDISCONNECTMODE_CANCELLED     0x00080000

#define LINEBUSYMODE_STATION 0x00000001
#define LINEBUSYMODE_TRUNK   0x00000002
#define LINEBUSYMODE_UNKNOWN 0x00000004
#define LINEBUSYMODE_UNAVAIL 0x00000008

#define LINEDIALTONEMODE_NORMAL   0x00000001
#define LINEDIALTONEMODE_SPECIAL  0x00000002
#define LINEDIALTONEMODE_INTERNAL 0x00000004
#define LINEDIALTONEMODE_EXTERNAL 0x00000008
#define LINEDIALTONEMODE_UNKNOWN  0x00000010
#define LINEDIALTONEMODE_UNAVAIL  0x00000020

#define LINESPECIALINFO_NOCIRCUIT 0x00000001
#define LINESPECIALINFO_CUSTIRREG 0x00000002
#define LINESPECIALINFO_REORDER   0x00000004
#define LINESPECIALINFO_UNKNOWN   0x00000008
#define LINESPECIALINFO_UNAVAIL   0x00000010

#define LINECONNECTEDMODE_ACTIVE       0x00000001
#define LINECONNECTEDMODE_INACTIVE     0x00000002
#define LINECONNECTEDMODE_ACTIVEHELD   0x00000004
#define LINECONNECTEDMODE_INACTIVEHELD 0x00000008
#define LINECONNECTEDMODE_CONFIRMED    0x00000010

#define LINEOFFERINGMODE_ACTIVE   0x00000001
#define LINEOFFERINGMODE_INACTIVE 0x00000002

/* ---- Privileges, open options, initialization (constants.md §6, §7) ---- */

#define LINECALLPRIVILEGE_NONE    0x00000001
#define LINECALLPRIVILEGE_MONITOR 0x00000002
#define LINECALLPRIVILEGE_OWNER   0x00000004

#define LINEOPENOPTION_SINGLEADDRESS 0x80000000
#define LINEOPENOPTION_PROXY         0x40000000

#define LINEMAPPER 0xFFFFFFFF

#define LINEINITIALIZEEXOPTION_USEHIDDENWINDOW   0x00000001
#define LINEINITIALIZEEXOPTION_USEEVENT          0x00000002
#define LINEINITIALIZEEXOPTION_USECOMPLETIONPORT 0x00000003
#define LINEINITIALIZEEXOPTION_CALLHUBTRACKING   0x80000000

/* ---- Media and bearer modes (constants.md §8, §9) ---------------------- */

#define LINEMEDIAMODE_UNKNOWN          0x00000002
#define LINEMEDIAMODE_INTERACTIVEVOICE 0x00000004
#define LINEMEDIAMODE_AUTOMATEDVOICE   0x00000008
#define LINEMEDIAMODE_DATAMODEM        0x00000010
#define LINEMEDIAMODE_G3FAX            0x00000020
#define LINEMEDIAMODE_TDD              0x00000040
#define LINEMEDIAMODE_G4FAX            0x00000080
#define LINEMEDIAMODE_DIGITALDATA      0x00000100
#define LINEMEDIAMODE_TELETEX          0x00000200
#define LINEMEDIAMODE_VIDEOTEX         0x00000400
#define LINEMEDIAMODE_TELEX            0x00000800
#define LINEMEDIAMODE_MIXED            0x00001000
#define LINEMEDIAMODE_ADSI             0x00002000
#define LINEMEDIAMODE_VOICEVIEW        0x00004000
#define LINEMEDIAMODE_VIDEO            0x00008000

#define LINEBEARERMODE_VOICE            0x00000001
#define LINEBEARERMODE_SPEECH           0x00000002
#define LINEBEARERMODE_MULTIUSE         0x00000004
#define LINEBEARERMODE_DATA             0x00000008
#define LINEBEARERMODE_ALTSPEECHDATA    0x00000010
#define LINEBEARERMODE_NONCALLSIGNALING 0x00000020
#define LINEBEARERMODE_PASSTHROUGH      0x00000040
#define LINEBEARERMODE_RESTRICTEDDATA   0x00000080

/* ---- Call information change flags (constants.md §10) ------------------ */

#define LINECALLINFOSTATE_OTHER         0x00000001
#define LINECALLINFOSTATE_DEVSPECIFIC   0x00000002
#define LINECALLINFOSTATE_BEARERMODE    0x00000004
#define LINECALLINFOSTATE_RATE          0x00000008
#define LINECALLINFOSTATE_MEDIAMODE     0x00000010
#define LINECALLINFOSTATE_APPSPECIFIC   0x00000020
#define LINECALLINFOSTATE_CALLID        0x00000040
#define LINECALLINFOSTATE_RELATEDCALLID 0x00000080
#define LINECALLINFOSTATE_ORIGIN        0x00000100
#define LINECALLINFOSTATE_REASON        0x00000200
#define LINECALLINFOSTATE_COMPLETIONID  0x00000400
#define LINECALLINFOSTATE_NUMOWNERINCR  0x00000800
#define LINECALLINFOSTATE_NUMOWNERDECR  0x00001000
#define LINECALLINFOSTATE_NUMMONITORS   0x00002000
#define LINECALLINFOSTATE_TRUNK         0x00004000
#define LINECALLINFOSTATE_CALLERID      0x00008000
#define LINECALLINFOSTATE_CALLEDID      0x00010000
#define LINECALLINFOSTATE_CONNECTEDID   0x00020000
#define LINECALLINFOSTATE_REDIRECTIONID 0x00040000
#define LINECALLINFOSTATE_REDIRECTINGID 0x00080000
#define LINECALLINFOSTATE_DISPLAY       0x00100000
#define LINECALLINFOSTATE_USERUSERINFO  0x00200000
#define LINECALLINFOSTATE_HIGHLEVELCOMP 0x00400000
#define LINECALLINFOSTATE_LOWLEVELCOMP  0x00800000
#define LINECALLINFOSTATE_CHARGINGINFO  0x01000000
#define LINECALLINFOSTATE_TERMINAL      0x02000000
#define LINECALLINFOSTATE_DIALPARAMS    0x04000000
#define LINECALLINFOSTATE_MONITORMODES  0x08000000
#define LINECALLINFOSTATE_TREATMENT     0x10000000
#define LINECALLINFOSTATE_QOS           0x20000000
#define LINECALLINFOSTATE_CALLDATA      0x40000000

/* ---- Line device states (constants.md §11) ----------------------------- */

#define LINEDEVSTATE_OTHER           0x00000001
#define LINEDEVSTATE_RINGING         0x00000002
#define LINEDEVSTATE_CONNECTED       0x00000004
#define LINEDEVSTATE_DISCONNECTED    0x00000008
#define LINEDEVSTATE_MSGWAITON       0x00000010
#define LINEDEVSTATE_MSGWAITOFF      0x00000020
#define LINEDEVSTATE_INSERVICE       0x00000040
#define LINEDEVSTATE_OUTOFSERVICE    0x00000080
#define LINEDEVSTATE_MAINTENANCE     0x00000100
#define LINEDEVSTATE_OPEN            0x00000200
#define LINEDEVSTATE_CLOSE           0x00000400
#define LINEDEVSTATE_NUMCALLS        0x00000800
#define LINEDEVSTATE_NUMCOMPLETIONS  0x00001000
#define LINEDEVSTATE_TERMINALS       0x00002000
#define LINEDEVSTATE_ROAMMODE        0x00004000
#define LINEDEVSTATE_BATTERY         0x00008000
#define LINEDEVSTATE_SIGNAL          0x00010000
#define LINEDEVSTATE_DEVSPECIFIC     0x00020000
#define LINEDEVSTATE_REINIT          0x00040000
#define LINEDEVSTATE_LOCK            0x00080000
#define LINEDEVSTATE_CAPSCHANGE      0x00100000
#define LINEDEVSTATE_CONFIGCHANGE    0x00200000
#define LINEDEVSTATE_TRANSLATECHANGE 0x00400000
#define LINEDEVSTATE_COMPLCANCEL     0x00800000
#define LINEDEVSTATE_REMOVED         0x01000000

#define LINEDEVSTATUSFLAGS_CONNECTED 0x00000001
#define LINEDEVSTATUSFLAGS_MSGWAIT   0x00000002
#define LINEDEVSTATUSFLAGS_INSERVICE 0x00000004
#define LINEDEVSTATUSFLAGS_LOCKED    0x00000008

#define LINEADDRESSSTATE_OTHER       0x00000001
#define LINEADDRESSSTATE_DEVSPECIFIC 0x00000002
#define LINEADDRESSSTATE_INUSEZERO   0x00000004
#define LINEADDRESSSTATE_INUSEONE    0x00000008
#define LINEADDRESSSTATE_INUSEMANY   0x00000010
#define LINEADDRESSSTATE_NUMCALLS    0x00000020
#define LINEADDRESSSTATE_FORWARD     0x00000040
#define LINEADDRESSSTATE_TERMINALS   0x00000080
#define LINEADDRESSSTATE_CAPSCHANGE  0x00000100

/* ---- Capability flags (constants.md §12) ------------------------------- */

#define LINEDEVCAPFLAGS_CROSSADDRCONF   0x00000001
#define LINEDEVCAPFLAGS_HIGHLEVCOMP     0x00000002
#define LINEDEVCAPFLAGS_LOWLEVCOMP      0x00000004
#define LINEDEVCAPFLAGS_MEDIACONTROL    0x00000008
#define LINEDEVCAPFLAGS_MULTIPLEADDR    0x00000010
#define LINEDEVCAPFLAGS_CLOSEDROP       0x00000020
#define LINEDEVCAPFLAGS_DIALBILLING     0x00000040
#define LINEDEVCAPFLAGS_DIALQUIET       0x00000080
#define LINEDEVCAPFLAGS_DIALDIALTONE    0x00000100
#define LINEDEVCAPFLAGS_MSP             0x00000200
#define LINEDEVCAPFLAGS_CALLHUB         0x00000400
#define LINEDEVCAPFLAGS_CALLHUBTRACKING 0x00000800
#define LINEDEVCAPFLAGS_PRIVATEOBJECTS  0x00001000
#define LINEDEVCAPFLAGS_LOCAL           0x00002000

#define LINEADDRCAPFLAGS_FWDNUMRINGS              0x00000001
#define LINEADDRCAPFLAGS_PICKUPGROUPID            0x00000002
#define LINEADDRCAPFLAGS_SECURE                   0x00000004
#define LINEADDRCAPFLAGS_BLOCKIDDEFAULT           0x00000008
#define LINEADDRCAPFLAGS_BLOCKIDOVERRIDE          0x00000010
#define LINEADDRCAPFLAGS_DIALED                   0x00000020
#define LINEADDRCAPFLAGS_ORIGOFFHOOK              0x00000040
#define LINEADDRCAPFLAGS_DESTOFFHOOK              0x00000080
#define LINEADDRCAPFLAGS_FWDCONSULT               0x00000100
#define LINEADDRCAPFLAGS_SETUPCONFNULL            0x00000200
#define LINEADDRCAPFLAGS_AUTORECONNECT            0x00000400
#define LINEADDRCAPFLAGS_COMPLETIONID             0x00000800
#define LINEADDRCAPFLAGS_TRANSFERHELD             0x00001000
#define LINEADDRCAPFLAGS_TRANSFERMAKE             0x00002000
#define LINEADDRCAPFLAGS_CONFERENCEHELD           0x00004000
#define LINEADDRCAPFLAGS_CONFERENCEMAKE           0x00008000
#define LINEADDRCAPFLAGS_PARTIALDIAL              0x00010000
#define LINEADDRCAPFLAGS_FWDSTATUSVALID           0x00020000
#define LINEADDRCAPFLAGS_FWDINTEXTADDR            0x00040000
#define LINEADDRCAPFLAGS_FWDBUSYNAADDR            0x00080000
#define LINEADDRCAPFLAGS_ACCEPTTOALERT            0x00100000
#define LINEADDRCAPFLAGS_CONFDROP                 0x00200000
#define LINEADDRCAPFLAGS_PICKUPCALLWAIT           0x00400000
#define LINEADDRCAPFLAGS_PREDICTIVEDIALER         0x00800000
#define LINEADDRCAPFLAGS_QUEUE                    0x01000000
#define LINEADDRCAPFLAGS_ROUTEPOINT               0x02000000
#define LINEADDRCAPFLAGS_HOLDMAKESNEW             0x04000000
#define LINEADDRCAPFLAGS_NOINTERNALCALLS          0x08000000
#define LINEADDRCAPFLAGS_NOEXTERNALCALLS          0x10000000
#define LINEADDRCAPFLAGS_SETCALLINGID             0x20000000
#define LINEADDRCAPFLAGS_ACDGROUP                 0x40000000
#define LINEADDRCAPFLAGS_NOPSTNADDRESSTRANSLATION 0x80000000

#define LINEADDRESSSHARING_PRIVATE       0x00000001
#define LINEADDRESSSHARING_BRIDGEDEXCL   0x00000002
#define LINEADDRESSSHARING_BRIDGEDNEW    0x00000004
#define LINEADDRESSSHARING_BRIDGEDSHARED 0x00000008
#define LINEADDRESSSHARING_MONITORED     0x00000010

#define LINEANSWERMODE_NONE 0x00000001
#define LINEANSWERMODE_DROP 0x00000002
#define LINEANSWERMODE_HOLD 0x00000004

#define LINEREMOVEFROMCONF_NONE 0x00000001
#define LINEREMOVEFROMCONF_LAST 0x00000002
#define LINEREMOVEFROMCONF_ANY  0x00000003

#define LINEFEATURE_DEVSPECIFIC     0x00000001
#define LINEFEATURE_DEVSPECIFICFEAT 0x00000002
#define LINEFEATURE_FORWARD         0x00000004
#define LINEFEATURE_MAKECALL        0x00000008
#define LINEFEATURE_SETMEDIACONTROL 0x00000010
#define LINEFEATURE_SETTERMINAL     0x00000020
#define LINEFEATURE_SETDEVSTATUS    0x00000040
#define LINEFEATURE_FORWARDFWD      0x00000080
#define LINEFEATURE_FORWARDDND      0x00000100

#define LINECALLFEATURE_ACCEPT              0x00000001
#define LINECALLFEATURE_ADDTOCONF           0x00000002
#define LINECALLFEATURE_ANSWER              0x00000004
#define LINECALLFEATURE_BLINDTRANSFER       0x00000008
#define LINECALLFEATURE_COMPLETECALL        0x00000010
#define LINECALLFEATURE_COMPLETETRANSF      0x00000020
#define LINECALLFEATURE_DIAL                0x00000040
#define LINECALLFEATURE_DROP                0x00000080
#define LINECALLFEATURE_GATHERDIGITS        0x00000100
#define LINECALLFEATURE_GENERATEDIGITS      0x00000200
#define LINECALLFEATURE_GENERATETONE        0x00000400
#define LINECALLFEATURE_HOLD                0x00000800
#define LINECALLFEATURE_MONITORDIGITS       0x00001000
#define LINECALLFEATURE_MONITORMEDIA        0x00002000
#define LINECALLFEATURE_MONITORTONES        0x00004000
#define LINECALLFEATURE_PARK                0x00008000
#define LINECALLFEATURE_PREPAREADDCONF      0x00010000
#define LINECALLFEATURE_REDIRECT            0x00020000
#define LINECALLFEATURE_REMOVEFROMCONF      0x00040000
#define LINECALLFEATURE_SECURECALL          0x00080000
#define LINECALLFEATURE_SENDUSERUSER        0x00100000
#define LINECALLFEATURE_SETCALLPARAMS       0x00200000
#define LINECALLFEATURE_SETMEDIACONTROL     0x00400000
#define LINECALLFEATURE_SETTERMINAL         0x00800000
#define LINECALLFEATURE_SETUPCONF           0x01000000
#define LINECALLFEATURE_SETUPTRANSFER       0x02000000
#define LINECALLFEATURE_SWAPHOLD            0x04000000
#define LINECALLFEATURE_UNHOLD              0x08000000
#define LINECALLFEATURE_RELEASEUSERUSERINFO 0x10000000
#define LINECALLFEATURE_SETTREATMENT        0x20000000
#define LINECALLFEATURE_SETQOS              0x40000000
#define LINECALLFEATURE_SETCALLDATA         0x80000000

#define LINECALLFEATURE2_NOHOLDCONFERENCE 0x00000001
#define LINECALLFEATURE2_ONESTEPTRANSFER  0x00000002
#define LINECALLFEATURE2_COMPLCAMPON      0x00000004
#define LINECALLFEATURE2_COMPLCALLBACK    0x00000008
#define LINECALLFEATURE2_COMPLINTRUDE     0x00000010
#define LINECALLFEATURE2_COMPLMESSAGE     0x00000020
#define LINECALLFEATURE2_TRANSFERNORM     0x00000040
#define LINECALLFEATURE2_TRANSFERCONF     0x00000080
#define LINECALLFEATURE2_PARKDIRECT       0x00000100
#define LINECALLFEATURE2_PARKNONDIRECT    0x00000200

/* ---- Call parameters, origins, ids, selection (constants.md §13) ------- */

#define LINECALLPARAMFLAGS_SECURE           0x00000001
#define LINECALLPARAMFLAGS_IDLE             0x00000002
#define LINECALLPARAMFLAGS_BLOCKID          0x00000004
#define LINECALLPARAMFLAGS_ORIGOFFHOOK      0x00000008
#define LINECALLPARAMFLAGS_DESTOFFHOOK      0x00000010
#define LINECALLPARAMFLAGS_NOHOLDCONFERENCE 0x00000020
#define LINECALLPARAMFLAGS_PREDICTIVEDIAL   0x00000040
#define LINECALLPARAMFLAGS_ONESTEPTRANSFER  0x00000080

#define LINEADDRESSMODE_ADDRESSID    0x00000001
#define LINEADDRESSMODE_DIALABLEADDR 0x00000002

#define LINECALLSELECT_LINE     0x00000001
#define LINECALLSELECT_ADDRESS  0x00000002
#define LINECALLSELECT_CALL     0x00000004
#define LINECALLSELECT_DEVICEID 0x00000008
#define LINECALLSELECT_CALLID   0x00000010

#define LINECALLORIGIN_OUTBOUND   0x00000001
#define LINECALLORIGIN_INTERNAL   0x00000002
#define LINECALLORIGIN_EXTERNAL   0x00000004
#define LINECALLORIGIN_UNKNOWN    0x00000010
#define LINECALLORIGIN_UNAVAIL    0x00000020
#define LINECALLORIGIN_CONFERENCE 0x00000040
#define LINECALLORIGIN_INBOUND    0x00000080

#define LINECALLREASON_DIRECT         0x00000001
#define LINECALLREASON_FWDBUSY        0x00000002
#define LINECALLREASON_FWDNOANSWER    0x00000004
#define LINECALLREASON_FWDUNCOND      0x00000008
#define LINECALLREASON_PICKUP         0x00000010
#define LINECALLREASON_UNPARK         0x00000020
#define LINECALLREASON_REDIRECT       0x00000040
#define LINECALLREASON_CALLCOMPLETION 0x00000080
#define LINECALLREASON_TRANSFER       0x00000100
#define LINECALLREASON_REMINDER       0x00000200
#define LINECALLREASON_UNKNOWN        0x00000400
#define LINECALLREASON_UNAVAIL        0x00000800
#define LINECALLREASON_INTRUDE        0x00001000
#define LINECALLREASON_PARKED         0x00002000
#define LINECALLREASON_CAMPEDON       0x00004000
#define LINECALLREASON_ROUTEREQUEST   0x00008000

#define LINECALLPARTYID_BLOCKED   0x00000001
#define LINECALLPARTYID_OUTOFAREA 0x00000002
#define LINECALLPARTYID_NAME      0x00000004
#define LINECALLPARTYID_ADDRESS   0x00000008
#define LINECALLPARTYID_PARTIAL   0x00000010
#define LINECALLPARTYID_UNKNOWN   0x00000020
#define LINECALLPARTYID_UNAVAIL   0x00000040

#define STRINGFORMAT_ASCII   0x00000001
#define STRINGFORMAT_DBCS    0x00000002
#define STRINGFORMAT_UNICODE 0x00000003
#define STRINGFORMAT_BINARY  0x00000004

#define LINEDIGITMODE_PULSE   0x00000001
#define LINEDIGITMODE_DTMF    0x00000002
#define LINEDIGITMODE_DTMFEND 0x00000004

#define LINETONEMODE_CUSTOM   0x00000001
#define LINETONEMODE_RINGBACK 0x00000002
#define LINETONEMODE_BUSY     0x00000004
#define LINETONEMODE_BEEP     0x00000008
#define LINETONEMODE_BILLING  0x00000010

#define LINEGENERATETERM_DONE   0x00000001
#define LINEGENERATETERM_CANCEL 0x00000002

#define LINEGATHERTERM_BUFFERFULL   0x00000001
#define LINEGATHERTERM_TERMDIGIT    0x00000002
#define LINEGATHERTERM_FIRSTTIMEOUT 0x00000004
#define LINEGATHERTERM_INTERTIMEOUT 0x00000008
#define LINEGATHERTERM_CANCEL       0x00000010

#define LINETRANSFERMODE_TRANSFER   0x00000001
#define LINETRANSFERMODE_CONFERENCE 0x00000002

/* Address types (TAPI 3.0; the TAPI 3 layer's CreateCall takes them). */
#define LINEADDRESSTYPE_PHONENUMBER 0x00000001
#define LINEADDRESSTYPE_SDP         0x00000002
#define LINEADDRESSTYPE_EMAILNAME   0x00000004
#define LINEADDRESSTYPE_DOMAINNAME  0x00000008
#define LINEADDRESSTYPE_IPADDRESS   0x00000010

/* ---- Structures (tapi-functions.md §0.4 - §0.6) ------------------------- */

/* A variable-size string, as lineGetID answers (its string at
 * dwStringOffset from the start, dwStringFormat a STRINGFORMAT_). */
typedef struct varstring_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwStringFormat;
	DWORD dwStringSize;
	DWORD dwStringOffset;
} VARSTRING, *LPVARSTRING;

/* One frequency of a tone lineGenerateTone makes (LINETONEMODE_CUSTOM):
 * its cadence in ms (on, then off; off 0: steady) and volume (0xFFFF:
 * full). */
typedef struct linegeneratetone_tag {
	DWORD dwFrequency;
	DWORD dwCadenceOn;
	DWORD dwCadenceOff;
	DWORD dwVolume;
} LINEGENERATETONE, *LPLINEGENERATETONE;

/* A tone lineMonitorTones listens for: up to three frequencies (0:
 * unused) heard together for dwDuration ms; LINE_MONITORTONE gives back
 * dwAppSpecific. */
typedef struct linemonitortone_tag {
	DWORD dwAppSpecific;
	DWORD dwDuration;
	DWORD dwFrequency1;
	DWORD dwFrequency2;
	DWORD dwFrequency3;
} LINEMONITORTONE, *LPLINEMONITORTONE;

/*
 * tapix's answer to lineGetID(hCall, LINECALLSELECT_CALL, "wave/in",
 * "wave/out" or "wave/in/out"), in the VARSTRING's string
 * (STRINGFORMAT_BINARY): descriptors of Unix stream sockets carrying
 * signed 16-bit little-endian mono PCM at dwRate Hz (docs/media.md). The
 * class's side(s) only; the other is -1. The caller closes them; wave/in
 * reads end of file when the call's media end.
 */
typedef struct tapixwaveid_tag {
	DWORD dwRate;   /* samples per second: 8000 or 16000 */
	DWORD dwFormat; /* TAPIXWAVE_S16LE */
	INT fdIn;       /* what the far end says; -1 if not asked */
	INT fdOut;      /* what is sent to it; -1 if not asked */
} TAPIXWAVEID, *LPTAPIXWAVEID;

#define TAPIXWAVE_S16LE 0x00000001

/*
 * Fixed parts follow the Windows field order and 1-byte packing, so sizes
 * and offsets equal those of the Windows SDK headers on the same ABI.
 */
#pragma pack(push, 1)

typedef struct linedialparams_tag {
	DWORD dwDialPause;
	DWORD dwDialSpeed;
	DWORD dwDigitDuration;
	DWORD dwWaitForDialtone;
} LINEDIALPARAMS, *LPLINEDIALPARAMS;

typedef struct lineextensionid_tag {
	DWORD dwExtensionID0;
	DWORD dwExtensionID1;
	DWORD dwExtensionID2;
	DWORD dwExtensionID3;
} LINEEXTENSIONID, *LPLINEEXTENSIONID;

typedef struct lineinitializeexparams_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwOptions;
	/*
	 * USEEVENT: TAPI stores a pollable file descriptor in hEvent, as
	 * (HANDLE)(intptr_t)fd (TAPIX_HANDLE_TO_FD gets it back).
	 * USECOMPLETIONPORT: the app stores the write end of its own
	 * descriptor in hCompletionPort the same way (TAPIX_FD_TO_HANDLE).
	 */
	union {
		HANDLE hEvent;
		HANDLE hCompletionPort;
	} Handles;
	DWORD dwCompletionKey;
} LINEINITIALIZEEXPARAMS, *LPLINEINITIALIZEEXPARAMS;

#define TAPIX_HANDLE_TO_FD(h)  ((int)(intptr_t)(h))
#define TAPIX_FD_TO_HANDLE(fd) ((HANDLE)(intptr_t)(fd))

typedef struct linemessage_tag {
	DWORD hDevice;
	DWORD dwMessageID;
	DWORD_PTR dwCallbackInstance;
	DWORD_PTR dwParam1;
	DWORD_PTR dwParam2;
	DWORD_PTR dwParam3;
} LINEMESSAGE, *LPLINEMESSAGE;

typedef struct linecallparams_tag {
	DWORD dwTotalSize;
	DWORD dwBearerMode;
	DWORD dwMinRate;
	DWORD dwMaxRate;
	DWORD dwMediaMode;
	DWORD dwCallParamFlags;
	DWORD dwAddressMode;
	DWORD dwAddressID;
	LINEDIALPARAMS DialParams;
	DWORD dwOrigAddressSize;
	DWORD dwOrigAddressOffset;
	DWORD dwDisplayableAddressSize;
	DWORD dwDisplayableAddressOffset;
	DWORD dwCalledPartySize;
	DWORD dwCalledPartyOffset;
	DWORD dwCommentSize;
	DWORD dwCommentOffset;
	DWORD dwUserUserInfoSize;
	DWORD dwUserUserInfoOffset;
	DWORD dwHighLevelCompSize;
	DWORD dwHighLevelCompOffset;
	DWORD dwLowLevelCompSize;
	DWORD dwLowLevelCompOffset;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	/* API 2.0 */
	DWORD dwPredictiveAutoTransferStates;
	DWORD dwTargetAddressSize;
	DWORD dwTargetAddressOffset;
	DWORD dwSendingFlowspecSize;
	DWORD dwSendingFlowspecOffset;
	DWORD dwReceivingFlowspecSize;
	DWORD dwReceivingFlowspecOffset;
	DWORD dwDeviceClassSize;
	DWORD dwDeviceClassOffset;
	DWORD dwDeviceConfigSize;
	DWORD dwDeviceConfigOffset;
	DWORD dwCallDataSize;
	DWORD dwCallDataOffset;
	DWORD dwNoAnswerTimeout;
	DWORD dwCallingPartyIDSize;
	DWORD dwCallingPartyIDOffset;
	/* API 3.0 */
	DWORD dwAddressType;
} LINECALLPARAMS, *LPLINECALLPARAMS;

typedef struct linecallinfo_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	HLINE hLine;
	DWORD dwLineDeviceID;
	DWORD dwAddressID;
	DWORD dwBearerMode;
	DWORD dwRate;
	DWORD dwMediaMode;
	DWORD dwAppSpecific;
	DWORD dwCallID;
	DWORD dwRelatedCallID;
	DWORD dwCallParamFlags;
	DWORD dwCallStates;
	DWORD dwMonitorDigitModes;
	DWORD dwMonitorMediaModes;
	LINEDIALPARAMS DialParams;
	DWORD dwOrigin;
	DWORD dwReason;
	DWORD dwCompletionID;
	DWORD dwNumOwners;
	DWORD dwNumMonitors;
	DWORD dwCountryCode;
	DWORD dwTrunk;
	DWORD dwCallerIDFlags;
	DWORD dwCallerIDSize;
	DWORD dwCallerIDOffset;
	DWORD dwCallerIDNameSize;
	DWORD dwCallerIDNameOffset;
	DWORD dwCalledIDFlags;
	DWORD dwCalledIDSize;
	DWORD dwCalledIDOffset;
	DWORD dwCalledIDNameSize;
	DWORD dwCalledIDNameOffset;
	DWORD dwConnectedIDFlags;
	DWORD dwConnectedIDSize;
	DWORD dwConnectedIDOffset;
	DWORD dwConnectedIDNameSize;
	DWORD dwConnectedIDNameOffset;
	DWORD dwRedirectionIDFlags;
	DWORD dwRedirectionIDSize;
	DWORD dwRedirectionIDOffset;
	DWORD dwRedirectionIDNameSize;
	DWORD dwRedirectionIDNameOffset;
	DWORD dwRedirectingIDFlags;
	DWORD dwRedirectingIDSize;
	DWORD dwRedirectingIDOffset;
	DWORD dwRedirectingIDNameSize;
	DWORD dwRedirectingIDNameOffset;
	DWORD dwAppNameSize;
	DWORD dwAppNameOffset;
	DWORD dwDisplayableAddressSize;
	DWORD dwDisplayableAddressOffset;
	DWORD dwCalledPartySize;
	DWORD dwCalledPartyOffset;
	DWORD dwCommentSize;
	DWORD dwCommentOffset;
	DWORD dwDisplaySize;
	DWORD dwDisplayOffset;
	DWORD dwUserUserInfoSize;
	DWORD dwUserUserInfoOffset;
	DWORD dwHighLevelCompSize;
	DWORD dwHighLevelCompOffset;
	DWORD dwLowLevelCompSize;
	DWORD dwLowLevelCompOffset;
	DWORD dwChargingInfoSize;
	DWORD dwChargingInfoOffset;
	DWORD dwTerminalModesSize;
	DWORD dwTerminalModesOffset;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	/* API 2.0 */
	DWORD dwCallTreatment;
	DWORD dwCallDataSize;
	DWORD dwCallDataOffset;
	DWORD dwSendingFlowspecSize;
	DWORD dwSendingFlowspecOffset;
	DWORD dwReceivingFlowspecSize;
	DWORD dwReceivingFlowspecOffset;
	/* API 3.0 */
	DWORD dwCallerIDAddressType;
	DWORD dwCalledIDAddressType;
	DWORD dwConnectedIDAddressType;
	DWORD dwRedirectionIDAddressType;
	DWORD dwRedirectingIDAddressType;
} LINECALLINFO, *LPLINECALLINFO;

typedef struct linecallstatus_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwCallState;
	DWORD dwCallStateMode;
	DWORD dwCallPrivilege;
	DWORD dwCallFeatures;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	/* API 2.0 */
	DWORD dwCallFeatures2;
	SYSTEMTIME tStateEntryTime;
} LINECALLSTATUS, *LPLINECALLSTATUS;

typedef struct linecalllist_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwCallsNumEntries;
	DWORD dwCallsSize;
	DWORD dwCallsOffset;
} LINECALLLIST, *LPLINECALLLIST;

typedef struct linedevcaps_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwProviderInfoSize;
	DWORD dwProviderInfoOffset;
	DWORD dwSwitchInfoSize;
	DWORD dwSwitchInfoOffset;
	DWORD dwPermanentLineID;
	DWORD dwLineNameSize;
	DWORD dwLineNameOffset;
	DWORD dwStringFormat;
	DWORD dwAddressModes;
	DWORD dwNumAddresses;
	DWORD dwBearerModes;
	DWORD dwMaxRate;
	DWORD dwMediaModes;
	DWORD dwGenerateToneModes;
	DWORD dwGenerateToneMaxNumFreq;
	DWORD dwGenerateDigitModes;
	DWORD dwMonitorToneMaxNumFreq;
	DWORD dwMonitorToneMaxNumEntries;
	DWORD dwMonitorDigitModes;
	DWORD dwGatherDigitsMinTimeout;
	DWORD dwGatherDigitsMaxTimeout;
	DWORD dwMedCtlDigitMaxListSize;
	DWORD dwMedCtlMediaMaxListSize;
	DWORD dwMedCtlToneMaxListSize;
	DWORD dwMedCtlCallStateMaxListSize;
	DWORD dwDevCapFlags;
	DWORD dwMaxNumActiveCalls;
	DWORD dwAnswerMode;
	DWORD dwRingModes;
	DWORD dwLineStates;
	DWORD dwUUIAcceptSize;
	DWORD dwUUIAnswerSize;
	DWORD dwUUIMakeCallSize;
	DWORD dwUUIDropSize;
	DWORD dwUUISendUserUserInfoSize;
	DWORD dwUUICallInfoSize;
	LINEDIALPARAMS MinDialParams;
	LINEDIALPARAMS MaxDialParams;
	LINEDIALPARAMS DefaultDialParams;
	DWORD dwNumTerminals;
	DWORD dwTerminalCapsSize;
	DWORD dwTerminalCapsOffset;
	DWORD dwTerminalTextEntrySize;
	DWORD dwTerminalTextSize;
	DWORD dwTerminalTextOffset;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	DWORD dwLineFeatures;
	/* API 2.0 */
	DWORD dwSettableDevStatus;
	DWORD dwDeviceClassesSize;
	DWORD dwDeviceClassesOffset;
	/* API 2.2 */
	GUID PermanentLineGuid;
	/* API 3.0 */
	DWORD dwAddressTypes;
	GUID ProtocolGuid;
	DWORD dwAvailableTracking;
} LINEDEVCAPS, *LPLINEDEVCAPS;

typedef struct lineaddresscaps_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwLineDeviceID;
	DWORD dwAddressSize;
	DWORD dwAddressOffset;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	DWORD dwAddressSharing;
	DWORD dwAddressStates;
	DWORD dwCallInfoStates;
	DWORD dwCallerIDFlags;
	DWORD dwCalledIDFlags;
	DWORD dwConnectedIDFlags;
	DWORD dwRedirectionIDFlags;
	DWORD dwRedirectingIDFlags;
	DWORD dwCallStates;
	DWORD dwDialToneModes;
	DWORD dwBusyModes;
	DWORD dwSpecialInfo;
	DWORD dwDisconnectModes;
	DWORD dwMaxNumActiveCalls;
	DWORD dwMaxNumOnHoldCalls;
	DWORD dwMaxNumOnHoldPendingCalls;
	DWORD dwMaxNumConference;
	DWORD dwMaxNumTransConf;
	DWORD dwAddrCapFlags;
	DWORD dwCallFeatures;
	DWORD dwRemoveFromConfCaps;
	DWORD dwRemoveFromConfState;
	DWORD dwTransferModes;
	DWORD dwParkModes;
	DWORD dwForwardModes;
	DWORD dwMaxForwardEntries;
	DWORD dwMaxSpecificEntries;
	DWORD dwMinFwdNumRings;
	DWORD dwMaxFwdNumRings;
	DWORD dwMaxCallCompletions;
	DWORD dwCallCompletionConds;
	DWORD dwCallCompletionModes;
	DWORD dwNumCompletionMessages;
	DWORD dwCompletionMsgTextEntrySize;
	DWORD dwCompletionMsgTextSize;
	DWORD dwCompletionMsgTextOffset;
	DWORD dwAddressFeatures;
	/* API 2.0 */
	DWORD dwPredictiveAutoTransferStates;
	DWORD dwNumCallTreatments;
	DWORD dwCallTreatmentListSize;
	DWORD dwCallTreatmentListOffset;
	DWORD dwDeviceClassesSize;
	DWORD dwDeviceClassesOffset;
	DWORD dwMaxCallDataSize;
	DWORD dwCallFeatures2;
	DWORD dwMaxNoAnswerTimeout;
	DWORD dwConnectedModes;
	DWORD dwOfferingModes;
	DWORD dwAvailableMediaModes;
} LINEADDRESSCAPS, *LPLINEADDRESSCAPS;

typedef struct linedevstatus_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwNumOpens;
	DWORD dwOpenMediaModes;
	DWORD dwNumActiveCalls;
	DWORD dwNumOnHoldCalls;
	DWORD dwNumOnHoldPendCalls;
	DWORD dwLineFeatures;
	DWORD dwNumCallCompletions;
	DWORD dwRingMode;
	DWORD dwSignalLevel;
	DWORD dwBatteryLevel;
	DWORD dwRoamMode;
	DWORD dwDevStatusFlags;
	DWORD dwTerminalModesSize;
	DWORD dwTerminalModesOffset;
	DWORD dwDevSpecificSize;
	DWORD dwDevSpecificOffset;
	/* TAPI 2.0 */
	DWORD dwAvailableMediaModes;
	DWORD dwAppInfoSize;
	DWORD dwAppInfoOffset;
} LINEDEVSTATUS, *LPLINEDEVSTATUS;

/* lineTranslateAddress (dialling rules of the current location) */
#define LINETRANSLATEOPTION_CARDOVERRIDE      0x00000001
#define LINETRANSLATEOPTION_CANCELCALLWAITING 0x00000002
#define LINETRANSLATEOPTION_FORCELOCAL        0x00000004
#define LINETRANSLATEOPTION_FORCELD           0x00000008

#define LINETRANSLATERESULT_CANONICAL     0x00000001
#define LINETRANSLATERESULT_INTERNATIONAL 0x00000002
#define LINETRANSLATERESULT_LONGDISTANCE  0x00000004
#define LINETRANSLATERESULT_LOCAL         0x00000008
#define LINETRANSLATERESULT_INTOLLLIST    0x00000010
#define LINETRANSLATERESULT_NOTINTOLLLIST 0x00000020
#define LINETRANSLATERESULT_DIALBILLING   0x00000040
#define LINETRANSLATERESULT_DIALQUIET     0x00000080
#define LINETRANSLATERESULT_DIALDIALTONE  0x00000100
#define LINETRANSLATERESULT_DIALPROMPT    0x00000200
#define LINETRANSLATERESULT_VOICEDETECT   0x00000400
#define LINETRANSLATERESULT_NOTRANSLATION 0x00000800

typedef struct linetranslateoutput_tag {
	DWORD dwTotalSize;
	DWORD dwNeededSize;
	DWORD dwUsedSize;
	DWORD dwDialableStringSize;
	DWORD dwDialableStringOffset;
	DWORD dwDisplayableStringSize;
	DWORD dwDisplayableStringOffset;
	DWORD dwCurrentCountry;
	DWORD dwDestCountry;
	DWORD dwTranslateResults;
} LINETRANSLATEOUTPUT, *LPLINETRANSLATEOUTPUT;

#pragma pack(pop)

/* ---- Functions ---------------------------------------------------------- */
/*
 * Conventions for every function below (spec: tapi-functions.md §0):
 * synchronous functions return 0 or a negative LINEERR_ value; asynchronous
 * ones return a positive request id, answered by exactly one LINE_REPLY, or
 * a negative LINEERR_ value (then nothing happened and no reply follows).
 * Every function may also return LINEERR_UNINITIALIZED (no registration in
 * this process), LINEERR_NOMEM and LINEERR_OPERATIONFAILED. All functions
 * may be called from any thread, including from a LINECALLBACK.
 */

/**
 * Registers an application for the line API, choosing how it receives
 * messages (lpParams->dwOptions): USEEVENT (poll the descriptor returned in
 * Handles.hEvent, fetch with lineGetMessage), USEHIDDENWINDOW (lpfnCallback
 * runs on a delivery thread of this registration) or USECOMPLETIONPORT
 * (TAPI writes one { DWORD_PTR key; LINEMESSAGE msg; } record per message to
 * the app's descriptor in Handles.hCompletionPort).
 *
 * @param lphLineApp     receives the registration handle
 * @param hInstance      ignored (the module name is the executable's name)
 * @param lpfnCallback   callback for USEHIDDENWINDOW, else ignored
 * @param lpszFriendlyAppName name shown in LINECALLINFO AppName, or NULL
 * @param lpdwNumDevs    receives the number of line devices
 * @param lpdwAPIVersion in: the app's highest version; out: TAPI's highest
 * @param lpParams       options (dwTotalSize >= sizeof(LINEINITIALIZEEXPARAMS))
 * @return 0, LINEERR_INVALPOINTER, LINEERR_INVALPARAM, LINEERR_INVALAPPNAME,
 *         LINEERR_STRUCTURETOOSMALL, LINEERR_INIFILECORRUPT, LINEERR_NODRIVER,
 *         LINEERR_NOMEM, LINEERR_OPERATIONFAILED
 * Spec: tapi-functions.md §1, tapi-messages-and-states.md §1.
 */
TAPIX_API LONG WINAPI lineInitializeExA(
	LPHLINEAPP lphLineApp, HINSTANCE hInstance, LINECALLBACK lpfnCallback,
	LPCSTR lpszFriendlyAppName, LPDWORD lpdwNumDevs, LPDWORD lpdwAPIVersion,
	LPLINEINITIALIZEEXPARAMS lpParams);

/**
 * TAPI 1.x registration: like lineInitializeExA with USEHIDDENWINDOW and
 * API version 1.4 for messages not tied to a device.
 * @return as lineInitializeExA. Spec: tapi-functions.md §1.
 */
TAPIX_API LONG WINAPI lineInitialize(LPHLINEAPP lphLineApp, HINSTANCE hInstance,
                                     LINECALLBACK lpfnCallback,
                                     LPCSTR lpszAppName, LPDWORD lpdwNumDevs);

/**
 * Ends a registration: closes every line it has open (termination rules),
 * cancels its requests, discards its messages, closes its event descriptor
 * and stops its callbacks. Nothing is delivered after it returns.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_UNINITIALIZED
 * Spec: tapi-functions.md §2, termination.md §6.
 */
TAPIX_API LONG WINAPI lineShutdown(HLINEAPP hLineApp);

/**
 * Negotiates the API version for a device.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_BADDEVICEID, LINEERR_NODEVICE,
 *         LINEERR_INCOMPATIBLEAPIVERSION, LINEERR_INVALPOINTER,
 * LINEERR_NODRIVER Spec: tapi-functions.md §3.
 */
TAPIX_API LONG WINAPI lineNegotiateAPIVersion(HLINEAPP hLineApp,
                                              DWORD dwDeviceID,
                                              DWORD dwAPILowVersion,
                                              DWORD dwAPIHighVersion,
                                              LPDWORD lpdwAPIVersion,
                                              LPLINEEXTENSIONID lpExtensionID);

/**
 * Fills LINEDEVCAPS for a device in the layout of dwAPIVersion.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_BADDEVICEID, LINEERR_NODEVICE,
 *         LINEERR_INCOMPATIBLEAPIVERSION, LINEERR_INCOMPATIBLEEXTVERSION,
 *         LINEERR_INVALPOINTER, LINEERR_STRUCTURETOOSMALL
 * Spec: tapi-functions.md §4, §0.4.
 */
TAPIX_API LONG WINAPI lineGetDevCapsA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                      DWORD dwAPIVersion, DWORD dwExtVersion,
                                      LPLINEDEVCAPS lpLineDevCaps);

/**
 * Fills LINEADDRESSCAPS for one address of a device.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_BADDEVICEID, LINEERR_NODEVICE,
 *         LINEERR_INVALADDRESSID, LINEERR_INCOMPATIBLEAPIVERSION,
 *         LINEERR_INCOMPATIBLEEXTVERSION, LINEERR_INVALPOINTER,
 *         LINEERR_STRUCTURETOOSMALL
 */
TAPIX_API LONG WINAPI lineGetAddressCapsA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                          DWORD dwAddressID, DWORD dwAPIVersion,
                                          DWORD dwExtVersion,
                                          LPLINEADDRESSCAPS lpAddressCaps);

/**
 * Opens a line device (or, with LINEMAPPER, the first device that can make
 * the call described by lpCallParams) with the given privileges.
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_BADDEVICEID, LINEERR_NODEVICE,
 *         LINEERR_INVALPOINTER, LINEERR_INCOMPATIBLEAPIVERSION,
 *         LINEERR_INCOMPATIBLEEXTVERSION, LINEERR_INVALPRIVSELECT,
 *         LINEERR_INVALMEDIAMODE, LINEERR_INVALADDRESSID,
 *         LINEERR_STRUCTURETOOSMALL, LINEERR_INVALCALLPARAMS,
 *         LINEERR_LINEMAPPERFAILED, or a provider error (LINEERR_ALLOCATED...)
 * Spec: tapi-functions.md §5.
 */
TAPIX_API LONG WINAPI lineOpenA(HLINEAPP hLineApp, DWORD dwDeviceID,
                                LPHLINE lphLine, DWORD dwAPIVersion,
                                DWORD dwExtVersion,
                                DWORD_PTR dwCallbackInstance,
                                DWORD dwPrivileges, DWORD dwMediaModes,
                                LPLINECALLPARAMS const lpCallParams);

/**
 * Closes a line handle and every call handle of it; calls the app owned
 * alone are dropped; replies still owed for requests made through it are
 * not delivered.
 * @return 0, LINEERR_INVALLINEHANDLE. Spec: tapi-functions.md §6,
 * termination.md §5.
 */
TAPIX_API LONG WINAPI lineClose(HLINE hLine);

/**
 * Fills LINEDEVSTATUS for an open line (layout of the open's API version):
 * TAPI's counts of opens and their media modes, the provider's state of
 * the line (dwDevStatusFlags: CONNECTED, INSERVICE...) and calls. No
 * LINEAPPINFO entries (dwAppInfoSize 0).
 * @return 0, LINEERR_INVALLINEHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_STRUCTURETOOSMALL, LINEERR_NOMEM, LINEERR_UNINITIALIZED
 *         and the provider's LINEERR_OPERATIONFAILED,
 *         LINEERR_RESOURCEUNAVAIL.
 */
TAPIX_API LONG WINAPI lineGetLineDevStatusA(HLINE hLine,
                                            LPLINEDEVSTATUS lpLineDevStatus);

/**
 * Enables LINE_LINEDEVSTATE and LINE_ADDRESSSTATE items for one line handle
 * (all disabled by default; LINEDEVSTATE_REINIT cannot be disabled).
 * @return 0, LINEERR_INVALLINEHANDLE, LINEERR_INVALLINESTATE,
 *         LINEERR_INVALADDRESSSTATE. Spec: tapi-functions.md §27.
 */
TAPIX_API LONG WINAPI lineSetStatusMessages(HLINE hLine, DWORD dwLineStates,
                                            DWORD dwAddressStates);

/**
 * Removes the oldest message of a USEEVENT registration.
 * @param dwTimeout milliseconds to wait; 0 polls; INFINITE waits forever
 * @return 0, LINEERR_OPERATIONFAILED (timeout), LINEERR_INVALAPPHANDLE
 *         (bad handle, not USEEVENT, or shut down while waiting),
 *         LINEERR_INVALPOINTER. Spec: tapi-functions.md §7.
 */
TAPIX_API LONG WINAPI lineGetMessage(HLINEAPP hLineApp, LPLINEMESSAGE lpMessage,
                                     DWORD dwTimeout);

/**
 * Places a call. *lphCall is written before the successful LINE_REPLY and
 * must stay valid until that reply (or until the line is closed).
 * @return request id, or LINEERR_INVALLINEHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_INVALADDRESS, LINEERR_DIAL*, LINEERR_INVALCALLPARAMS,
 *         LINEERR_STRUCTURETOOSMALL, LINEERR_INVALADDRESSID,
 *         LINEERR_INVALADDRESSMODE, LINEERR_INVALBEARERMODE,
 *         LINEERR_INVALRATE, LINEERR_INVALMEDIAMODE,
 *         LINEERR_USERUSERINFOTOOBIG, LINEERR_CALLUNAVAIL...
 * Spec: tapi-functions.md §8.
 */
TAPIX_API LONG WINAPI lineMakeCallA(HLINE hLine, LPHCALL lphCall,
                                    LPCSTR lpszDestAddress, DWORD dwCountryCode,
                                    LPLINECALLPARAMS const lpCallParams);

/**
 * Accepts an offered call (it starts alerting), optionally with UUI.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALCALLSTATE, LINEERR_USERUSERINFOTOOBIG,
 *         LINEERR_INVALPOINTER, LINEERR_OPERATIONUNAVAIL
 * Spec: tapi-functions.md §9.
 */
TAPIX_API LONG WINAPI lineAccept(HCALL hCall, LPCSTR lpsUserUserInfo,
                                 DWORD dwSize);

/**
 * Answers an offered or accepted call, optionally with UUI.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALCALLSTATE, LINEERR_USERUSERINFOTOOBIG,
 *         LINEERR_INVALPOINTER. Spec: tapi-functions.md §10.
 */
TAPIX_API LONG WINAPI lineAnswer(HCALL hCall, LPCSTR lpsUserUserInfo,
                                 DWORD dwSize);

/**
 * Drops a call, optionally sending user-user information with it.
 *
 * @param hCall           call handle; the app must be an owner
 * @param lpsUserUserInfo bytes sent with the disconnect, or NULL
 * @param dwSize          length of lpsUserUserInfo in bytes
 * @return positive request id (one LINE_REPLY follows), or
 *         LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE
 *         (the call is IDLE), LINEERR_USERUSERINFOTOOBIG
 *
 * The handle stays valid after IDLE until deallocated.
 * Spec: tapi-functions.md §11, termination.md §2.
 */
TAPIX_API LONG WINAPI lineDrop(HCALL hCall, LPCSTR lpsUserUserInfo,
                               DWORD dwSize);

/**
 * Frees the app's call handle without changing the call.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALCALLSTATE (API < 2.0 sole
 *         owner of a call that is not IDLE). Spec: termination.md §3.
 */
TAPIX_API LONG WINAPI lineDeallocateCall(HCALL hCall);

/**
 * Fills LINECALLINFO (layout of the line's negotiated API version).
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_STRUCTURETOOSMALL. Spec: tapi-functions.md §13.
 */
TAPIX_API LONG WINAPI lineGetCallInfoA(HCALL hCall, LPLINECALLINFO lpCallInfo);

/**
 * Fills LINECALLSTATUS (layout of the line's negotiated API version).
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_STRUCTURETOOSMALL. Spec: tapi-functions.md §14.
 */
TAPIX_API LONG WINAPI lineGetCallStatus(HCALL hCall,
                                        LPLINECALLSTATUS lpCallStatus);

/**
 * Sets the privilege of a call handle to LINECALLPRIVILEGE_OWNER or
 * LINECALLPRIVILEGE_MONITOR.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALCALLPRIVILEGE,
 *         LINEERR_INVALCALLSTATE (sole owner of a call that is not IDLE
 *         asks for MONITOR). Spec: tapi-functions.md §15.
 */
TAPIX_API LONG WINAPI lineSetCallPrivilege(HCALL hCall, DWORD dwCallPrivilege);

/**
 * Returns monitor handles to the calls of a line (or address) this open has
 * no handle for yet.
 * @return 0, LINEERR_INVALLINEHANDLE, LINEERR_INVALADDRESSID,
 *         LINEERR_INVALCALLSELECT, LINEERR_INVALPOINTER,
 *         LINEERR_STRUCTURETOOSMALL. Spec: tapi-functions.md §16.
 */
TAPIX_API LONG WINAPI lineGetNewCalls(HLINE hLine, DWORD dwAddressID,
                                      DWORD dwSelect,
                                      LPLINECALLLIST lpCallList);

/**
 * Sends user-user information to the far end during a call.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER (no
 *         UUI or dwSize 0), LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE (not
 *         CONNECTED, OFFERING, ACCEPTED, RINGBACK), LINEERR_USERUSERINFOTOOBIG,
 *         LINEERR_OPERATIONUNAVAIL. Spec: tapi-functions.md §18.
 */
TAPIX_API LONG WINAPI lineSendUserUserInfo(HCALL hCall, LPCSTR lpsUserUserInfo,
                                           DWORD dwSize);

/**
 * Tells the provider the received UUI in LINECALLINFO has been consumed;
 * the next one, if any, is installed and announced.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_OPERATIONUNAVAIL. Spec: tapi-functions.md §19.
 */
TAPIX_API LONG WINAPI lineReleaseUserUserInfo(HCALL hCall);

/**
 * Puts a CONNECTED call on hold. @return request id, or
 * LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE,
 * LINEERR_OPERATIONUNAVAIL. Spec: tapi-functions.md §20.
 */
TAPIX_API LONG WINAPI lineHold(HCALL hCall);

/**
 * Retrieves a call in ONHOLD, ONHOLDPENDTRANSFER or ONHOLDPENDCONF.
 * @return as lineHold. Spec: tapi-functions.md §21.
 */
TAPIX_API LONG WINAPI lineUnhold(HCALL hCall);

/**
 * Transfers a CONNECTED call to a dialable address, with no consultation
 * call; the call normally goes IDLE (the handle stays until deallocated).
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE, LINEERR_INVALADDRESS...
 * Spec: tapi-functions.md §22.
 */
TAPIX_API LONG WINAPI lineBlindTransferA(HCALL hCall, LPCSTR lpszDestAddress,
                                         DWORD dwCountryCode);

/**
 * Redirects (deflects) an OFFERING call to another address without
 * answering it: the caller's call rings there instead. Async; on success
 * the call goes IDLE for this side, with no DISCONNECTED before it (the
 * documented "normally transitions to idle"; the caller was never
 * connected to us), and the handle stays until deallocated.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER
 *         (NULL address), LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE (not
 *         OFFERING), LINEERR_INVALADDRESS (empty or not dialable: nothing
 *         is redirected), LINEERR_OPERATIONUNAVAIL (the provider cannot
 *         redirect), LINEERR_INVALCOUNTRYCODE...
 * Spec: Microsoft's lineRedirect (not in tapi-functions.md; its errors
 * follow §0.3 and its checks §22's).
 */
TAPIX_API LONG WINAPI lineRedirectA(HCALL hCall, LPCSTR lpszDestAddress,
                                    DWORD dwCountryCode);

/**
 * Dials an address on an existing call (e.g. a consultation call in
 * DIALTONE). @return request id, or LINEERR_INVALCALLHANDLE,
 * LINEERR_INVALPOINTER, LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE,
 * LINEERR_INVALADDRESS, LINEERR_DIAL*...
 */
TAPIX_API LONG WINAPI lineDialA(HCALL hCall, LPCSTR lpszDestAddress,
                                DWORD dwCountryCode);

/**
 * Gives ownership of a call to another app: by module name (directed), or
 * to the highest-priority owner of a media mode (indirect). Synchronous.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALMEDIAMODE, LINEERR_TARGETNOTFOUND,
 *         LINEERR_TARGETSELF. Spec: tapi-functions.md §17.
 */
TAPIX_API LONG WINAPI lineHandoffA(HCALL hCall, LPCSTR lpszFileName,
                                   DWORD dwMediaMode);

/**
 * Sets up a conference from a CONNECTED call (or, hCall 0, on hLine): a
 * conference call and a consultation call, whose handles are written
 * before the successful LINE_REPLY. @return request id, or
 * LINEERR_INVALCALLHANDLE, LINEERR_INVALLINEHANDLE, LINEERR_INVALPOINTER,
 * LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE, LINEERR_CONFERENCEFULL,
 * call-parameter errors... Spec: tapi-functions.md §23.
 */
TAPIX_API LONG WINAPI lineSetupConferenceA(HCALL hCall, HLINE hLine,
                                           LPHCALL lphConfCall,
                                           LPHCALL lphConsultCall,
                                           DWORD dwNumParties,
                                           LPLINECALLPARAMS const lpCallParams);

/**
 * Creates a consultation call to add one more party to a conference.
 * @return request id, or LINEERR_INVALCONFCALLHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE, LINEERR_CONFERENCEFULL...
 */
TAPIX_API LONG WINAPI
linePrepareAddToConferenceA(HCALL hConfCall, LPHCALL lphConsultCall,
                            LPLINECALLPARAMS const lpCallParams);

/**
 * Adds a consultation call to a conference. @return request id, or
 * LINEERR_INVALCONFCALLHANDLE, LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 * LINEERR_INVALCALLSTATE, LINEERR_CONFERENCEFULL. Spec: §24.
 */
TAPIX_API LONG WINAPI lineAddToConference(HCALL hConfCall, HCALL hConsultCall);

/**
 * Removes a CONFERENCED participant from its conference. @return request
 * id, or LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE,
 * LINEERR_OPERATIONUNAVAIL. Spec: tapi-functions.md §25.
 */
TAPIX_API LONG WINAPI lineRemoveFromConference(HCALL hCall);

/**
 * Starts a transfer with consultation: a CONNECTED call goes
 * ONHOLDPENDTRANSFER and a new consultation call (DIALTONE) is created,
 * its handle written before the successful LINE_REPLY; dial the
 * destination on it with lineDial, then lineCompleteTransfer.
 * @return request id, or LINEERR_INVALCALLHANDLE, LINEERR_INVALPOINTER,
 *         LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE,
 *         LINEERR_OPERATIONUNAVAIL, call-parameter errors...
 */
TAPIX_API LONG WINAPI lineSetupTransferA(HCALL hCall, LPHCALL lphConsultCall,
                                         LPLINECALLPARAMS const lpCallParams);

/**
 * Completes a transfer: hCall (ONHOLD or ONHOLDPENDTRANSFER) and the
 * consultation call (CONNECTED, RINGBACK, PROCEEDING or BUSY) on the same
 * line. LINETRANSFERMODE_TRANSFER connects their far ends to each other
 * (both calls normally go IDLE); LINETRANSFERMODE_CONFERENCE makes a
 * three-way conference whose new parent handle is written to *lphConfCall
 * before the successful LINE_REPLY (lphConfCall is ignored otherwise).
 * @return request id, or LINEERR_INVALCALLHANDLE,
 *         LINEERR_INVALCONSULTCALLHANDLE, LINEERR_INVALTRANSFERMODE,
 *         LINEERR_INVALPOINTER, LINEERR_NOTOWNER, LINEERR_INVALCALLSTATE,
 *         LINEERR_OPERATIONUNAVAIL.
 */
TAPIX_API LONG WINAPI lineCompleteTransfer(HCALL hCall, HCALL hConsultCall,
                                           LPHCALL lphConfCall,
                                           DWORD dwTransferMode);

/**
 * Lists a conference: the parent first, then its participants; calls the
 * app had no handle for get monitor handles.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_NOCONFERENCE,
 *         LINEERR_INVALPOINTER, LINEERR_STRUCTURETOOSMALL. Spec: §26.
 */
TAPIX_API LONG WINAPI lineGetConfRelatedCalls(HCALL hCall,
                                              LPLINECALLLIST lpCallList);

/**
 * Translates an address in canonical form ("+CountryCode (AreaCode)
 * Number", optionally "|Subaddress" and "^Name") into the string to dial
 * from the current location, the [location] section of tapix.conf
 * (tapix.conf(5); without one: country 1, no area code, long distance
 * "1", international "011"): the local number, long distance or
 * international, with the outside-line prefixes. Any other address is
 * returned unchanged (LINETRANSLATERESULT_CANONICAL not set). Options:
 * LINETRANSLATEOPTION_FORCELOCAL, FORCELD, CANCELCALLWAITING (the
 * location's call_waiting code first); calling cards (dwCard,
 * CARDOVERRIDE) are not supported. hLineApp may be NULL (dwDeviceID is
 * then not checked). Strings in *lpTranslateOutput as for every
 * variable-size structure (dwNeededSize when it does not fit).
 * @return 0, LINEERR_INVALAPPHANDLE, LINEERR_BADDEVICEID,
 *         LINEERR_NODEVICE, LINEERR_INCOMPATIBLEAPIVERSION,
 *         LINEERR_INVALPOINTER, LINEERR_INVALADDRESS,
 *         LINEERR_STRUCTURETOOSMALL, LINEERR_INVALPARAM,
 *         LINEERR_INVALCARD, LINEERR_INIFILECORRUPT, LINEERR_NOMEM.
 */
TAPIX_API LONG WINAPI lineTranslateAddressA(
	HLINEAPP hLineApp, DWORD dwDeviceID, DWORD dwAPIVersion,
	LPCSTR lpszAddressIn, DWORD dwCard, DWORD dwTranslateOptions,
	LPLINETRANSLATEOUTPUT lpTranslateOutput);

/**
 * The identifier of a device of class @lpszDeviceClass tied to a line, an
 * address or a call (dwSelect: LINECALLSELECT_LINE, _ADDRESS or _CALL).
 * "tapi/line" gives the line's device id (a DWORD, STRINGFORMAT_BINARY);
 * "wave/in", "wave/out" and "wave/in/out" on a call of a provider with
 * media give a TAPIXWAVEID (tapix/tapix.h, docs/media.md); other classes
 * are the provider's. Descriptors in the answer are the caller's to
 * close. When *lpDeviceID is too small, dwNeededSize says how much is
 * needed and no descriptor is made.
 * @return 0, LINEERR_INVALLINEHANDLE, LINEERR_INVALCALLHANDLE,
 *         LINEERR_INVALADDRESSID, LINEERR_INVALCALLSELECT,
 *         LINEERR_INVALPOINTER, LINEERR_STRUCTURETOOSMALL,
 *         LINEERR_INVALDEVICECLASS (no such device for it),
 *         LINEERR_OPERATIONFAILED, LINEERR_RESOURCEUNAVAIL,
 *         LINEERR_NOMEM, LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineGetIDA(HLINE hLine, DWORD dwAddressID, HCALL hCall,
                                 DWORD dwSelect, LPVARSTRING lpDeviceID,
                                 LPCSTR lpszDeviceClass);

/**
 * Starts sending @lpszDigits in band on a call this app owns
 * (LINEDIGITMODE_DTMF; ',' pauses, characters of no digit are skipped);
 * NULL cancels. Synchronous: LINE_GENERATE (LINEGENERATETERM_DONE, or
 * _CANCEL when another generation, the call's end or a deallocation cuts
 * it short) tells the end, to this app only. @dwDuration: ms per digit
 * and per gap, 0 the provider's default.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALDIGITMODE, LINEERR_INVALPOINTER,
 *         LINEERR_INVALCALLSTATE, LINEERR_OPERATIONUNAVAIL,
 *         LINEERR_OPERATIONFAILED, LINEERR_RESOURCEUNAVAIL,
 *         LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineGenerateDigitsA(HCALL hCall, DWORD dwDigitMode,
                                          LPCSTR lpszDigits, DWORD dwDuration);

/**
 * Sends a tone in band on a call this app owns for dwDuration ms (0: the
 * provider's default): LINETONEMODE_BEEP, _BILLING, _BUSY, _RINGBACK, or
 * _CUSTOM made of dwNumTones frequencies (1 to 4) in lpTones; 0 cancels.
 * Synchronous; LINE_GENERATE at the end, as for lineGenerateDigits (one
 * generation at a time: a tone cuts digits and the other way round).
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALTONEMODE, LINEERR_INVALTONE (no frequency, too many,
 *         or one the call cannot carry), LINEERR_INVALPOINTER,
 *         LINEERR_INVALCALLSTATE, LINEERR_OPERATIONUNAVAIL,
 *         LINEERR_OPERATIONFAILED, LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineGenerateTone(HCALL hCall, DWORD dwToneMode,
                                       DWORD dwDuration, DWORD dwNumTones,
                                       LPLINEGENERATETONE const lpTones);

/**
 * Listens on this call handle for the dwNumEntries tones of lpToneList
 * in what the far end sends (busy, ringback, dial tone, any frequencies);
 * LINE_MONITORTONE (dwParam1: the tone's dwAppSpecific, dwParam3 a tick
 * count) each time one is heard for its duration. A new list replaces
 * the handle's; NULL (or 0 entries) stops. It ends with the call's IDLE
 * or the handle. Each handle has its own list; the provider listens for
 * their union, at most 8 different tones a call (tapix).
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALTONELIST (more than 8
 *         tones, one without a frequency, one the call cannot carry),
 *         LINEERR_INVALPOINTER, LINEERR_INVALCALLSTATE,
 *         LINEERR_RESOURCEUNAVAIL (the call's handles' lists would have
 *         more than 8 different tones), LINEERR_NOMEM,
 *         LINEERR_OPERATIONUNAVAIL, LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineMonitorTones(HCALL hCall,
                                       LPLINEMONITORTONE const lpToneList,
                                       DWORD dwNumEntries);

/**
 * Turns on (dwDigitModes: LINEDIGITMODE_DTMF and/or _DTMFEND) or off (0)
 * LINE_MONITORDIGITS for this call handle: one message per digit the far
 * end sends (dwParam1 the digit, dwParam2 its mode, dwParam3 a tick
 * count). It ends with the call's IDLE or the handle's deallocation.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_INVALCALLSTATE (IDLE or
 *         DISCONNECTED), LINEERR_INVALDIGITMODE, LINEERR_OPERATIONUNAVAIL,
 *         LINEERR_OPERATIONFAILED, LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineMonitorDigits(HCALL hCall, DWORD dwDigitModes);

/**
 * Gathers the digits the far end sends on this call (dwDigitModes:
 * LINEDIGITMODE_DTMF and/or _PULSE) into lpsDigits, which has room for
 * dwNumDigits characters; LINE_GATHERDIGITS (dwParam1 the
 * LINEGATHERTERM_ reason, dwParam3 a tick count) tells the end, and only
 * then is the buffer valid: the digits, then a NUL when fewer than
 * dwNumDigits. It ends when the buffer is full, a digit of
 * lpszTerminationDigits arrives (it is the last in the buffer), no digit
 * came within dwFirstDigitTimeout ms or none within dwInterDigitTimeout
 * ms of the last (0: no time-out; the provider's LINEDEVCAPS
 * dwGatherDigitsMin/MaxTimeout bound them), or with _CANCEL: lpsDigits
 * NULL, a new request on the call (from any owner), the call's IDLE
 * (then no digits: the buffer starts with a NUL). Digits are counted at
 * their start; lineMonitorDigits works beside it. Synchronous. The app
 * must own the call; it may be in any state but IDLE.
 * tapix takes at most 4,096 digits and 32 termination digits; a-d are
 * taken as A-D.
 * @return 0, LINEERR_INVALCALLHANDLE, LINEERR_NOTOWNER,
 *         LINEERR_INVALCALLSTATE, LINEERR_INVALDIGITMODE,
 *         LINEERR_INVALPARAM (dwNumDigits 0 or too many),
 *         LINEERR_INVALDIGITS (a termination digit of none of the modes),
 *         LINEERR_INVALTIMEOUT, LINEERR_NOMEM, LINEERR_OPERATIONUNAVAIL,
 *         LINEERR_OPERATIONFAILED, LINEERR_UNINITIALIZED.
 */
TAPIX_API LONG WINAPI lineGatherDigitsA(HCALL hCall, DWORD dwDigitModes,
                                        LPSTR lpsDigits, DWORD dwNumDigits,
                                        LPCSTR lpszTerminationDigits,
                                        DWORD dwFirstDigitTimeout,
                                        DWORD dwInterDigitTimeout);

#define lineInitializeEx           lineInitializeExA
#define lineGetID                  lineGetIDA
#define lineGenerateDigits         lineGenerateDigitsA
#define lineGatherDigits           lineGatherDigitsA
#define lineGetDevCaps             lineGetDevCapsA
#define lineGetAddressCaps         lineGetAddressCapsA
#define lineGetLineDevStatus       lineGetLineDevStatusA
#define lineOpen                   lineOpenA
#define lineMakeCall               lineMakeCallA
#define lineGetCallInfo            lineGetCallInfoA
#define lineBlindTransfer          lineBlindTransferA
#define lineRedirect               lineRedirectA
#define lineDial                   lineDialA
#define lineHandoff                lineHandoffA
#define lineSetupConference        lineSetupConferenceA
#define linePrepareAddToConference linePrepareAddToConferenceA
#define lineSetupTransfer          lineSetupTransferA
#define lineTranslateAddress       lineTranslateAddressA

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_TAPI_H */
