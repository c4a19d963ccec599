/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix/tapi3.h: TAPI 3-style call objects in plain C, a layer on the line
 * API (tapi.h). One C function per method of ITTAPI, ITAddress,
 * ITBasicCallControl, the call-state events, the file terminals
 * (ITTerminalSupport::CreateTerminal, ITStream::SelectTerminal,
 * ITMediaControl, ITMediaPlayback, ITMediaRecord, ITFileTerminalEvent)
 * and ITLegacyCallMediaControl's digits, with the same
 * preconditions and HRESULTs; the enumerations and error codes have the
 * names and values of tapi3if.h and tapi3err.h, so code ported from TAPI 3
 * keeps its switch statements. Objects are opaque and reference-counted,
 * events arrive through a pollable descriptor (or a callback), and every
 * function may be called from any thread, including from the thread that
 * handles events. Spec: tapi3-call-control.md; docs/tapi3.md.
 *
 * Strings are UTF-8 and borrowed for the duration of the call. A NULL
 * object pointer gives E_POINTER; an object of another tapix_tapi gives
 * E_INVALIDARG; after tapix_tapi_shutdown every method gives
 * TAPI_E_NOT_INITIALIZED (objects stay valid until released), and so does
 * a method that fails once a shutdown came while it ran. Every method
 * may also return E_OUTOFMEMORY, and those that wait for the telephony
 * service return TAPI_E_TIMEOUT when no answer came within the request
 * timeout (two minutes unless tapix_tapi_set_request_timeout says
 * otherwise).
 */
#ifndef TAPIX_TAPI3_H
#define TAPIX_TAPI3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tapi.h>
#include <tapix/tapix.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- HRESULTs (winerror.h, tapi3err.h) ---------------------------------- */

#ifndef TAPIX_HRESULT_DEFINED
#define TAPIX_HRESULT_DEFINED
typedef LONG HRESULT;
#endif

#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr)    (((HRESULT)(hr)) < 0)

#define S_OK          ((HRESULT)0x00000000)
#define S_FALSE       ((HRESULT)0x00000001)
#define E_UNEXPECTED  ((HRESULT)0x8000FFFF)
#define E_NOTIMPL     ((HRESULT)0x80004001)
#define E_POINTER     ((HRESULT)0x80004003)
#define E_FAIL        ((HRESULT)0x80004005)
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#define E_INVALIDARG  ((HRESULT)0x80070057)

/* The file terminals' (winerror.h): a terminal of the other kind has no
 * ITMediaPlayback / ITMediaRecord (E_NOINTERFACE); a file's open() failed
 * (HRESULT_FROM_WIN32 of ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND). */
#define E_NOINTERFACE          ((HRESULT)0x80004002)
#define E_ACCESSDENIED         ((HRESULT)0x80070005)
#define TAPIX_E_FILE_NOT_FOUND ((HRESULT)0x80070002)
#define TAPIX_E_PATH_NOT_FOUND ((HRESULT)0x80070003)

#define TAPI_E_NOTENOUGHMEMORY               ((HRESULT)0x80040001)
#define TAPI_E_NOITEMS                       ((HRESULT)0x80040002)
#define TAPI_E_NOTSUPPORTED                  ((HRESULT)0x80040003)
#define TAPI_E_INVALIDMEDIATYPE              ((HRESULT)0x80040004)
#define TAPI_E_OPERATIONFAILED               ((HRESULT)0x80040005)
#define TAPI_E_ALLOCATED                     ((HRESULT)0x80040006)
#define TAPI_E_CALLUNAVAIL                   ((HRESULT)0x80040007)
#define TAPI_E_COMPLETIONOVERRUN             ((HRESULT)0x80040008)
#define TAPI_E_CONFERENCEFULL                ((HRESULT)0x80040009)
#define TAPI_E_DIALMODIFIERNOTSUPPORTED      ((HRESULT)0x8004000A)
#define TAPI_E_INUSE                         ((HRESULT)0x8004000B)
#define TAPI_E_INVALADDRESS                  ((HRESULT)0x8004000C)
#define TAPI_E_INVALADDRESSSTATE             ((HRESULT)0x8004000D)
#define TAPI_E_INVALCALLPARAMS               ((HRESULT)0x8004000E)
#define TAPI_E_INVALCALLPRIVILEGE            ((HRESULT)0x8004000F)
#define TAPI_E_INVALCALLSTATE                ((HRESULT)0x80040010)
#define TAPI_E_INVALCARD                     ((HRESULT)0x80040011)
#define TAPI_E_INVALCOMPLETIONID             ((HRESULT)0x80040012)
#define TAPI_E_INVALCOUNTRYCODE              ((HRESULT)0x80040013)
#define TAPI_E_INVALDEVICECLASS              ((HRESULT)0x80040014)
#define TAPI_E_INVALDIALPARAMS               ((HRESULT)0x80040015)
#define TAPI_E_INVALDIGITS                   ((HRESULT)0x80040016)
#define TAPI_E_INVALGROUPID                  ((HRESULT)0x80040017)
#define TAPI_E_INVALLOCATION                 ((HRESULT)0x80040018)
#define TAPI_E_INVALMESSAGEID                ((HRESULT)0x80040019)
#define TAPI_E_INVALPARKID                   ((HRESULT)0x8004001A)
#define TAPI_E_INVALRATE                     ((HRESULT)0x8004001B)
#define TAPI_E_INVALTIMEOUT                  ((HRESULT)0x8004001C)
#define TAPI_E_INVALTONE                     ((HRESULT)0x8004001D)
#define TAPI_E_INVALLIST                     ((HRESULT)0x8004001E)
#define TAPI_E_INVALMODE                     ((HRESULT)0x8004001F)
#define TAPI_E_NOCONFERENCE                  ((HRESULT)0x80040020)
#define TAPI_E_NODEVICE                      ((HRESULT)0x80040021)
#define TAPI_E_NOREQUEST                     ((HRESULT)0x80040022)
#define TAPI_E_NOTOWNER                      ((HRESULT)0x80040023)
#define TAPI_E_NOTREGISTERED                 ((HRESULT)0x80040024)
#define TAPI_E_REQUESTOVERRUN                ((HRESULT)0x80040025)
#define TAPI_E_TARGETNOTFOUND                ((HRESULT)0x80040026)
#define TAPI_E_TARGETSELF                    ((HRESULT)0x80040027)
#define TAPI_E_USERUSERINFOTOOBIG            ((HRESULT)0x80040028)
#define TAPI_E_REINIT                        ((HRESULT)0x80040029)
#define TAPI_E_ADDRESSBLOCKED                ((HRESULT)0x8004002A)
#define TAPI_E_BILLINGREJECTED               ((HRESULT)0x8004002B)
#define TAPI_E_INVALFEATURE                  ((HRESULT)0x8004002C)
#define TAPI_E_INVALBUTTONLAMPID             ((HRESULT)0x8004002D)
#define TAPI_E_INVALBUTTONSTATE              ((HRESULT)0x8004002E)
#define TAPI_E_INVALDATAID                   ((HRESULT)0x8004002F)
#define TAPI_E_INVALHOOKSWITCHDEV            ((HRESULT)0x80040030)
#define TAPI_E_DROPPED                       ((HRESULT)0x80040031)
#define TAPI_E_NOREQUESTRECIPIENT            ((HRESULT)0x80040032)
#define TAPI_E_REQUESTQUEUEFULL              ((HRESULT)0x80040033)
#define TAPI_E_DESTBUSY                      ((HRESULT)0x80040034)
#define TAPI_E_DESTNOANSWER                  ((HRESULT)0x80040035)
#define TAPI_E_DESTUNAVAIL                   ((HRESULT)0x80040036)
#define TAPI_E_REQUESTFAILED                 ((HRESULT)0x80040037)
#define TAPI_E_REQUESTCANCELLED              ((HRESULT)0x80040038)
#define TAPI_E_INVALPRIVILEGE                ((HRESULT)0x80040039)
#define TAPI_E_INVALIDDIRECTION              ((HRESULT)0x8004003A)
#define TAPI_E_INVALIDTERMINAL               ((HRESULT)0x8004003B)
#define TAPI_E_INVALIDTERMINALCLASS          ((HRESULT)0x8004003C)
#define TAPI_E_NODRIVER                      ((HRESULT)0x8004003D)
#define TAPI_E_MAXSTREAMS                    ((HRESULT)0x8004003E)
#define TAPI_E_NOTERMINALSELECTED            ((HRESULT)0x8004003F)
#define TAPI_E_TERMINALINUSE                 ((HRESULT)0x80040040)
#define TAPI_E_NOTSTOPPED                    ((HRESULT)0x80040041)
#define TAPI_E_MAXTERMINALS                  ((HRESULT)0x80040042)
#define TAPI_E_INVALIDSTREAM                 ((HRESULT)0x80040043)
#define TAPI_E_TIMEOUT                       ((HRESULT)0x80040044)
#define TAPI_E_CALLCENTER_GROUP_REMOVED      ((HRESULT)0x80040045)
#define TAPI_E_CALLCENTER_QUEUE_REMOVED      ((HRESULT)0x80040046)
#define TAPI_E_CALLCENTER_NO_AGENT_ID        ((HRESULT)0x80040047)
#define TAPI_E_CALLCENTER_INVALAGENTID       ((HRESULT)0x80040048)
#define TAPI_E_CALLCENTER_INVALAGENTGROUP    ((HRESULT)0x80040049)
#define TAPI_E_CALLCENTER_INVALPASSWORD      ((HRESULT)0x8004004A)
#define TAPI_E_CALLCENTER_INVALAGENTSTATE    ((HRESULT)0x8004004B)
#define TAPI_E_CALLCENTER_INVALAGENTACTIVITY ((HRESULT)0x8004004C)
#define TAPI_E_REGISTRY_SETTING_CORRUPT      ((HRESULT)0x8004004D)
#define TAPI_E_TERMINAL_PEER                 ((HRESULT)0x8004004E)
#define TAPI_E_PEER_NOT_SET                  ((HRESULT)0x8004004F)
#define TAPI_E_NOEVENT                       ((HRESULT)0x80040050)
#define TAPI_E_INVALADDRESSTYPE              ((HRESULT)0x80040051)
#define TAPI_E_RESOURCEUNAVAIL               ((HRESULT)0x80040052)
#define TAPI_E_PHONENOTOPEN                  ((HRESULT)0x80040053)
#define TAPI_E_CALLNOTSELECTED               ((HRESULT)0x80040054)
#define TAPI_E_WRONGEVENT                    ((HRESULT)0x80040055)
#define TAPI_E_NOFORMAT                      ((HRESULT)0x80040056)
#define TAPI_E_INVALIDSTREAMSTATE            ((HRESULT)0x80040057)
#define TAPI_E_WRONG_STATE                   ((HRESULT)0x80040058)
#define TAPI_E_NOT_INITIALIZED               ((HRESULT)0x80040059)
#define TAPI_E_SERVICE_NOT_RUNNING           ((HRESULT)0x8004005A)

/* ---- enumerations (tapi3if.h) ------------------------------------------- */

typedef enum CALL_STATE {
	CS_IDLE = 0,         /* created, not connected; never returned to */
	CS_INPROGRESS = 1,   /* Connect called, the network is working on it */
	CS_CONNECTED = 2,    /* connected (also: within a conference) */
	CS_DISCONNECTED = 3, /* final: release the call */
	CS_OFFERING = 4,     /* offered to this application */
	CS_HOLD = 5,
	CS_QUEUED = 6, /* never produced by tapix */
	CS_LASTITEM = CS_QUEUED
} CALL_STATE;

typedef enum CALL_STATE_EVENT_CAUSE {
	CEC_NONE = 0, /* every event but CS_DISCONNECTED */
	CEC_DISCONNECT_NORMAL = 1,
	CEC_DISCONNECT_BUSY = 2,
	CEC_DISCONNECT_BADADDRESS = 3,
	CEC_DISCONNECT_NOANSWER = 4,
	CEC_DISCONNECT_CANCELLED = 5, /* this application gave up its call */
	CEC_DISCONNECT_REJECTED = 6,
	CEC_DISCONNECT_FAILED = 7,
	CEC_DISCONNECT_BLOCKED = 8
} CALL_STATE_EVENT_CAUSE;

typedef enum DISCONNECT_CODE {
	DC_NORMAL = 0,   /* the normal end of the call */
	DC_NOANSWER = 1, /* an offered call was not answered (e.g. timer) */
	DC_REJECTED = 2  /* the user declined an offered call */
} DISCONNECT_CODE;

typedef enum FINISH_MODE {
	FM_ASTRANSFER = 0,
	FM_ASCONFERENCE = 1
} FINISH_MODE;

typedef enum CALL_PRIVILEGE {
	CP_OWNER = 0,
	CP_MONITOR = 1
} CALL_PRIVILEGE;

typedef enum CALL_NOTIFICATION_EVENT {
	CNE_OWNER = 0,
	CNE_MONITOR = 1,
	CNE_LASTITEM = CNE_MONITOR
} CALL_NOTIFICATION_EVENT;

/* TAPI_EVENT: event types, also the bits of the event filter. tapix
 * produces TE_TAPIOBJECT, TE_CALLNOTIFICATION, TE_CALLSTATE,
 * TE_DIGITEVENT, TE_GENERATEEVENT and TE_FILETERMINAL. */
typedef enum TAPI_EVENT {
	TE_TAPIOBJECT = 0x00000001,
	TE_ADDRESS = 0x00000002,
	TE_CALLNOTIFICATION = 0x00000004,
	TE_CALLSTATE = 0x00000008,
	TE_CALLMEDIA = 0x00000010,
	TE_CALLHUB = 0x00000020,
	TE_CALLINFOCHANGE = 0x00000040,
	TE_PRIVATE = 0x00000080,
	TE_REQUEST = 0x00000100,
	TE_AGENT = 0x00000200,
	TE_AGENTSESSION = 0x00000400,
	TE_QOSEVENT = 0x00000800,
	TE_AGENTHANDLER = 0x00001000,
	TE_ACDGROUP = 0x00002000,
	TE_QUEUE = 0x00004000,
	TE_DIGITEVENT = 0x00008000,
	TE_GENERATEEVENT = 0x00010000,
	TE_ASRTERMINAL = 0x00020000,
	TE_TTSTERMINAL = 0x00040000,
	TE_FILETERMINAL = 0x00080000,
	TE_TONETERMINAL = 0x00100000,
	TE_PHONEEVENT = 0x00200000,
	TE_TONEEVENT = 0x00400000,
	TE_GATHERDIGITS = 0x00800000,
	TE_ADDRESSDEVSPECIFIC = 0x01000000,
	TE_PHONEDEVSPECIFIC = 0x02000000
} TAPI_EVENT;

/* ITTAPIObjectEvent::get_Event (tapi3if.h): what happened to the TAPI
 * object's addresses; tapix reports TE_ADDRESSCREATE and TE_REINIT. */
typedef enum TAPIOBJECT_EVENT {
	TE_ADDRESSCREATE = 0,
	TE_ADDRESSREMOVE = 1,
	TE_REINIT = 2,
	TE_TRANSLATECHANGE = 3,
	TE_ADDRESSCLOSE = 4,
	TE_PHONECREATE = 5,
	TE_PHONEREMOVE = 6
} TAPIOBJECT_EVENT;

/* TERMINAL_DIRECTION: which way a terminal (or a stream) carries media,
 * seen from this computer: TD_CAPTURE originates what is sent to the far
 * end (a file being played), TD_RENDER takes what arrives (a file being
 * recorded). */
typedef enum TERMINAL_DIRECTION {
	TD_CAPTURE = 0,
	TD_RENDER = 1,
	TD_BIDIRECTIONAL = 2,
	TD_MULTITRACK_MIXED = 3,
	TD_NONE = 4
} TERMINAL_DIRECTION;

/* TERMINAL_MEDIA_STATE: a file terminal's state (ITMediaControl). */
typedef enum TERMINAL_MEDIA_STATE {
	TMS_IDLE = 0,
	TMS_ACTIVE = 1,
	TMS_PAUSED = 2,
	TMS_LASTITEM = TMS_PAUSED
} TERMINAL_MEDIA_STATE;

/* FT_STATE_EVENT_CAUSE: why a file terminal's state changed. */
typedef enum FT_STATE_EVENT_CAUSE {
	FTEC_NORMAL = 0,      /* a method (Start, Stop, Pause), or the call's
	                         media ended */
	FTEC_END_OF_FILE = 1, /* playback reached the end of its play list */
	FTEC_READ_ERROR = 2,  /* a file of the play list could not be read */
	FTEC_WRITE_ERROR = 3  /* the recording could not be written */
} FT_STATE_EVENT_CAUSE;

/* TAPI_DIGITMODE (tapi3if.h: a long): LINEDIGITMODE_ bits of tapi.h. */
typedef LONG TAPI_DIGITMODE;

/* Terminal classes (tapi3.h's CLSID_String_ values), as UTF-8 strings. */
#define CLSID_String_FilePlaybackTerminal \
	"{0CB9914C-79CD-47DC-ADB0-327F47CEFB20}"
#define CLSID_String_FileRecordingTerminal \
	"{521F3D06-C3D0-4511-8617-86B9A783DA77}"

/* Media types of calls and registrations (equal to LINEMEDIAMODE_ bits). */
#define TAPIMEDIATYPE_AUDIO      0x00000008
#define TAPIMEDIATYPE_DATAMODEM  0x00000010
#define TAPIMEDIATYPE_G3FAX      0x00000020
#define TAPIMEDIATYPE_VIDEO      0x00008000
#define TAPIMEDIATYPE_MULTITRACK 0x00010000

/* ---- objects ------------------------------------------------------------ */

struct tapix_tapi;     /* ITTAPI: one registration with the line API */
struct tapix_address;  /* ITAddress: a line device's address */
struct tapix_call;     /* ITBasicCallControl + ITCallInfo */
struct tapix_event;    /* any event (TAPI_EVENT) */
struct tapix_terminal; /* ITTerminal + ITMediaControl + ITMediaPlayback or
                          ITMediaRecord: a file terminal */

/* ---- the TAPI object ---------------------------------------------------- */

/**
 * ITTAPI::Initialize: registers @app_name (NULL: the program's name) with
 * the line API (embedded, or tapixd in client mode) and finds the
 * addresses. No events are delivered until tapix_tapi_set_event_filter.
 * @return S_OK, E_POINTER, E_OUTOFMEMORY, or the line API's failure
 *         mapped (e.g. TAPI_E_REINIT, TAPI_E_OPERATIONFAILED).
 */
TAPIX_API HRESULT tapix_tapi_initialize(struct tapix_tapi **out,
                                        const char *app_name);

/**
 * ITTAPI::Shutdown, then the application's reference goes. The line API
 * registration ends with lineShutdown's rules (calls this application
 * solely owns are dropped); queued events are discarded; methods of the
 * calls the application still holds return TAPI_E_NOT_INITIALIZED until
 * released. Must not be called twice for the same object.
 * @return S_OK or E_POINTER.
 */
TAPIX_API HRESULT tapix_tapi_shutdown(struct tapix_tapi *t);

/**
 * ITTAPI::EnumerateAddresses: a malloc'ed array of the addresses (free()
 * the array, not the addresses: they belong to @t and live as long as it).
 * An empty list is S_OK with *count 0 (and *list NULL).
 */
TAPIX_API HRESULT tapix_tapi_enum_addresses(struct tapix_tapi *t,
                                            struct tapix_address ***list,
                                            size_t *count);

/**
 * ITTAPI::put_EventFilter: the TAPI_EVENT bits to deliver (0 at first: no
 * events at all). Changing it affects events produced from then on.
 * Unknown bits: E_INVALIDARG.
 */
TAPIX_API HRESULT tapix_tapi_set_event_filter(struct tapix_tapi *t,
                                              uint32_t mask);
TAPIX_API HRESULT tapix_tapi_get_event_filter(struct tapix_tapi *t,
                                              uint32_t *mask);

/**
 * ITTAPI::RegisterCallNotifications: opens @a's line with owner and/or
 * monitor privilege for @media_types (TAPIMEDIATYPE_ bits; needed for an
 * owner). New calls there give a TE_CALLNOTIFICATION event (CNE_OWNER or
 * CNE_MONITOR) with @callback_instance, then TE_CALLSTATE events from
 * CS_OFFERING on. *cookie names the registration.
 * @return S_OK, E_POINTER, E_INVALIDARG (neither owner nor monitor, an
 *         owner without media types, unknown bits),
 *         TAPI_E_INVALIDMEDIATYPE (a type the address cannot take), or the
 *         line API's failure mapped.
 */
TAPIX_API HRESULT tapix_tapi_register_call_notifications(
	struct tapix_tapi *t, struct tapix_address *a, bool monitor, bool owner,
	uint32_t media_types, intptr_t callback_instance, int32_t *cookie);

/**
 * ITTAPI::UnregisterNotifications: closes the registration's line (the
 * lineClose rules apply to its calls, whose objects go CS_DISCONNECTED if
 * they had not yet). Unknown cookie: E_INVALIDARG.
 */
TAPIX_API HRESULT tapix_tapi_unregister_notifications(struct tapix_tapi *t,
                                                      int32_t cookie);

/**
 * The request timeout (default 120000 ms, TAPI 3's two minutes): how long a
 * method waits for the telephony service before TAPI_E_TIMEOUT, and how
 * long a synchronous Connect, Transfer or Conference waits for the call to
 * connect. 0: E_INVALIDARG.
 */
TAPIX_API HRESULT tapix_tapi_set_request_timeout(struct tapix_tapi *t,
                                                 uint32_t ms);

/**
 * A descriptor (eventfd) that is readable while events are queued, for
 * poll/epoll/GLib/libuv loops; owned by @t. -1 for NULL.
 */
TAPIX_API int tapix_tapi_event_fd(struct tapix_tapi *t);

/**
 * Takes the next event (a reference the caller releases), waiting up to
 * @timeout_ms (0: just look). @return S_OK with *ev, S_FALSE with *ev NULL
 * when none came in time, E_POINTER, TAPI_E_NOT_INITIALIZED.
 */
TAPIX_API HRESULT tapix_tapi_get_event(struct tapix_tapi *t,
                                       struct tapix_event **ev,
                                       uint32_t timeout_ms);

/**
 * ITTAPIEventNotification: receives each event (borrowed: call
 * tapix_event_addref to keep it) on a thread of the layer's, one event at a
 * time, in order. It may call any method, including blocking ones: event
 * processing goes on meanwhile (only later callbacks wait).
 */
typedef void (*tapix_tapi_event_cb)(struct tapix_event *ev, void *arg);

/**
 * Events go to @cb from now on (events already queued first) instead of
 * the queue; NULL @cb returns to the queue (events being delivered finish
 * first, unless called from the callback itself).
 */
TAPIX_API HRESULT tapix_tapi_set_event_callback(struct tapix_tapi *t,
                                                tapix_tapi_event_cb cb,
                                                void *arg);

/* ---- events ------------------------------------------------------------- */

/** The event's TAPI_EVENT type; 0 for NULL. */
TAPIX_API uint32_t tapix_event_type(const struct tapix_event *ev);

/** The call the event is about, borrowed from the event (addref to keep);
 * NULL for a TE_TAPIOBJECT event, and for a TE_FILETERMINAL event of a
 * terminal no longer selected on a call. */
TAPIX_API struct tapix_call *tapix_event_call(const struct tapix_event *ev);

/**
 * ITTAPIObjectEvent::get_Event and get_Address: a line device a provider
 * created (LINE_CREATE) is a new address, TE_ADDRESSCREATE; from then on it
 * is in tapix_tapi_enum_addresses too. TE_REINIT (address NULL): TAPI asks
 * the application to shut the object down and initialize again (client
 * mode: tapixd went; what needs it fails, docs/service.md). Both
 * only with TE_TAPIOBJECT in the filter. *@address (may be NULL) is
 * borrowed: it lives as long as the TAPI object.
 * @return S_OK, E_POINTER, E_INVALIDARG (not a TE_TAPIOBJECT event).
 */
TAPIX_API HRESULT tapix_event_tapi_object(const struct tapix_event *ev,
                                          TAPIOBJECT_EVENT *event,
                                          struct tapix_address **address);

/**
 * ITCallStateEvent::get_State, get_Cause (either pointer may be NULL).
 * @return S_OK, E_POINTER, E_INVALIDARG (not a TE_CALLSTATE event).
 */
TAPIX_API HRESULT tapix_event_call_state(const struct tapix_event *ev,
                                         CALL_STATE *state,
                                         CALL_STATE_EVENT_CAUSE *cause);

/**
 * ITCallNotificationEvent::get_Event. @return S_OK, E_POINTER,
 * E_INVALIDARG (not a TE_CALLNOTIFICATION event).
 */
TAPIX_API HRESULT tapix_event_call_notification(const struct tapix_event *ev,
                                                CALL_NOTIFICATION_EVENT *cne);

/** get_CallbackInstance: the registration's value (0 for created calls). */
TAPIX_API intptr_t tapix_event_callback_instance(const struct tapix_event *ev);

TAPIX_API void tapix_event_addref(struct tapix_event *ev);
TAPIX_API void tapix_event_release(struct tapix_event *ev);

/* ---- addresses ---------------------------------------------------------- */

/** The line device's name (LINEDEVCAPS); "" if it has none. */
TAPIX_API const char *tapix_address_name(const struct tapix_address *a);
/** The dialable address of the line (LINEADDRESSCAPS); "" if unknown. */
TAPIX_API const char *tapix_address_dialable(const struct tapix_address *a);
/** The line device id; 0xFFFFFFFF for NULL. */
TAPIX_API uint32_t tapix_address_device_id(const struct tapix_address *a);
/** The TAPIMEDIATYPE_ bits the address supports. */
TAPIX_API uint32_t tapix_address_media_types(const struct tapix_address *a);

/**
 * ITAddress::CreateCall: a call object in CS_IDLE (one reference) to
 * @dest (may be NULL: Connect then gives a call in dial tone) of one
 * LINEADDRESSTYPE_ @address_type, for @media_types.
 * @return S_OK, E_POINTER, TAPI_E_INVALADDRESSTYPE, E_INVALIDARG (no media
 *         type), TAPI_E_INVALIDMEDIATYPE.
 */
TAPIX_API HRESULT tapix_address_create_call(struct tapix_address *a,
                                            const char *dest,
                                            uint32_t address_type,
                                            uint32_t media_types,
                                            struct tapix_call **out);

/* ---- calls: lifetime and information ------------------------------------ */

TAPIX_API void tapix_call_addref(struct tapix_call *c);

/**
 * Releases a reference. With the last one (events hold theirs) the
 * application is done with the call: no event about it comes any more; if
 * it was this application's alone (sole owner) and not yet idle it is
 * dropped, and once idle (at most 10 s later) its line API handle is
 * deallocated; a monitored call is just deallocated. Never blocks.
 */
TAPIX_API void tapix_call_release(struct tapix_call *c);

TAPIX_API HRESULT tapix_call_get_state(struct tapix_call *c, CALL_STATE *st);
TAPIX_API HRESULT tapix_call_get_privilege(struct tapix_call *c,
                                           CALL_PRIVILEGE *p);
/** The address the call is on (borrowed). */
TAPIX_API struct tapix_address *tapix_call_get_address(struct tapix_call *c);
/**
 * The line API handle of the call (0 before Connect succeeded or after it
 * was given up), for what this layer does not cover: lineGetCallInfo and
 * friends. Do not deallocate it.
 */
TAPIX_API HRESULT tapix_call_get_hcall(struct tapix_call *c, HCALL *h);

/* ---- ITBasicCallControl ------------------------------------------------- */

/**
 * Connect: places the call (CS_IDLE only, else TAPI_E_INVALCALLSTATE). Returns
 * when the request was accepted (@sync false; progress comes as events) or
 * when the call is CS_CONNECTED (S_OK) or has failed: TAPI_E_DESTBUSY,
 * TAPI_E_DESTNOANSWER, TAPI_E_INVALADDRESS, TAPI_E_ADDRESSBLOCKED,
 * TAPI_E_DESTUNAVAIL (rejected, failed), TAPI_E_REQUESTCANCELLED,
 * TAPI_E_DROPPED. A refused request ends the call (CS_DISCONNECTED).
 */
TAPIX_API HRESULT tapix_call_connect(struct tapix_call *c, bool sync);

/** Answer: CS_OFFERING only (else E_UNEXPECTED); owner only. */
TAPIX_API HRESULT tapix_call_answer(struct tapix_call *c);

/**
 * Disconnect: ends the call; S_FALSE (nothing done) in CS_IDLE. The cause
 * of the CS_DISCONNECTED event that follows: an offered call NORMAL,
 * NOANSWER or REJECTED per @code (and the far end is told so where the
 * provider can: TSPIX_lineDropEx), an outgoing call in progress CANCELLED,
 * any other NORMAL. On a CS_DISCONNECTED call: S_OK, the line API call is
 * cleared, no new event. Unknown @code: E_INVALIDARG.
 */
TAPIX_API HRESULT tapix_call_disconnect(struct tapix_call *c,
                                        DISCONNECT_CODE code);

/**
 * Hold(true) → CS_HOLD, Hold(false) → CS_CONNECTED (S_OK with nothing done
 * when already there); a call that is gone: TAPI_E_INVALCALLSTATE.
 */
TAPIX_API HRESULT tapix_call_hold(struct tapix_call *c, bool hold);

/**
 * HandoffDirect: gives the call to the application @app_name (a file name;
 * its directory is ignored) that owns the line. Success: this object
 * becomes a monitor (CP_MONITOR). TAPI_E_TARGETNOTFOUND: nobody there, the
 * call is disconnected (DC_NORMAL); TAPI_E_TARGETSELF.
 */
TAPIX_API HRESULT tapix_call_handoff_direct(struct tapix_call *c,
                                            const char *app_name);

/**
 * HandoffIndirect: to the highest-priority owner of one TAPIMEDIATYPE_
 * (more than one bit, or an unknown one: E_INVALIDARG); as above.
 */
TAPIX_API HRESULT tapix_call_handoff_indirect(struct tapix_call *c,
                                              uint32_t media_type);

/** BlindTransfer: success → CS_DISCONNECTED; unsupported: E_FAIL. */
TAPIX_API HRESULT tapix_call_blind_transfer(struct tapix_call *c,
                                            const char *dest);

/**
 * Transfer with the consultation call @consult (created with CreateCall on
 * the same address): an idle @consult is dialed to its destination (none:
 * E_INVALIDARG) while @c waits on hold; a connected one is used as it is
 * (@c is put on hold). Then tapix_call_finish on @consult. @sync waits
 * until @consult is connected (or failed, as tapix_call_connect).
 * Unsupported: E_FAIL.
 */
TAPIX_API HRESULT tapix_call_transfer(struct tapix_call *c,
                                      struct tapix_call *consult, bool sync);

/**
 * Conference with the consultation call @consult: as Transfer, making (or
 * adding to) a conference; an already connected @consult can only join a
 * conference that exists (else TAPI_E_INVALCALLSTATE).
 */
TAPIX_API HRESULT tapix_call_conference(struct tapix_call *c,
                                        struct tapix_call *consult, bool sync);

/**
 * Finish, on the consultation call: FM_ASTRANSFER completes the transfer
 * (both calls go CS_DISCONNECTED, cause NORMAL); FM_ASCONFERENCE adds the
 * call to the conference (after Conference) or makes a three-way
 * conference (after Transfer). Not a consultation call:
 * TAPI_E_INVALCALLSTATE; unknown mode: E_INVALIDARG.
 */
TAPIX_API HRESULT tapix_call_finish(struct tapix_call *consult,
                                    FINISH_MODE mode);

/** RemoveFromConference; not in one: TAPI_E_NOCONFERENCE. */
TAPIX_API HRESULT tapix_call_remove_from_conference(struct tapix_call *c);

/** Dial: more digits (or the destination) on an existing call. */
TAPIX_API HRESULT tapix_call_dial(struct tapix_call *c, const char *dest);

/* ---- digits: ITLegacyCallMediaControl, their events --------------------- */

/**
 * ITLegacyCallMediaControl::DetectDigits: digits of @digit_mode
 * (LINEDIGITMODE_DTMF and/or _DTMFEND, or _PULSE where the provider has
 * it; 0 stops) that the far end sends come as TE_DIGITEVENT events, one
 * per digit (and per mode: DTMF at a digit's start, DTMFEND at its end),
 * until the call ends. It is lineMonitorDigits on the call's handle.
 * @return S_OK, E_POINTER, TAPI_E_INVALCALLSTATE (no call: not connected
 *         yet, or gone), E_INVALIDARG (a mode the call cannot detect),
 *         TAPI_E_NOTSUPPORTED (no digit detection there), or the line
 *         API's failure mapped.
 */
TAPIX_API HRESULT tapix_call_detect_digits(struct tapix_call *c,
                                           TAPI_DIGITMODE digit_mode);

/**
 * ITLegacyCallMediaControl::GenerateDigits: sends @digits (0-9, A-D, *, #;
 * ',' pauses; other characters are skipped) in band with @digit_mode
 * (one LINEDIGITMODE_: DTMF, or PULSE where the provider has it) on a
 * call this application owns; NULL (or "") cancels what is being sent.
 * Returns at once; a TE_GENERATEEVENT event tells the end: DONE when all
 * were sent, CANCEL when a later GenerateDigits, or the call's end, cut
 * it short. It is lineGenerateDigits on the call's handle.
 * @return S_OK, E_POINTER, TAPI_E_INVALCALLSTATE, TAPI_E_NOTOWNER,
 *         E_INVALIDARG (mode), TAPI_E_NOTSUPPORTED, or the line API's
 *         failure mapped.
 */
TAPIX_API HRESULT tapix_call_generate_digits(struct tapix_call *c,
                                             const char *digits,
                                             TAPI_DIGITMODE digit_mode);

/**
 * ITDigitDetectionEvent::get_Digit, get_DigitMode, get_TickCount (any
 * pointer may be NULL): the digit (its character, e.g. '5', '#'), its
 * LINEDIGITMODE_ and the provider's tick count in ms.
 * @return S_OK, E_POINTER, E_INVALIDARG (not a TE_DIGITEVENT event).
 */
TAPIX_API HRESULT tapix_event_digit(const struct tapix_event *ev,
                                    unsigned char *digit, TAPI_DIGITMODE *mode,
                                    uint32_t *tick);

/**
 * ITDigitGenerationEvent::get_GenerationTermination, get_TickCount (either
 * may be NULL): LINEGENERATETERM_DONE or _CANCEL, and the tick count.
 * @return S_OK, E_POINTER, E_INVALIDARG (not a TE_GENERATEEVENT event).
 */
TAPIX_API HRESULT tapix_event_digit_generation(const struct tapix_event *ev,
                                               uint32_t *termination,
                                               uint32_t *tick);

/* ---- file terminals: ITTerminalSupport, ITStream, ITMediaControl -------- */

/**
 * ITTerminalSupport::CreateTerminal: a file terminal (one reference) of
 * @terminal_class for @media_type TAPIMEDIATYPE_AUDIO:
 * CLSID_String_FilePlaybackTerminal with TD_CAPTURE (it plays files to
 * the far end) or CLSID_String_FileRecordingTerminal with TD_RENDER (it
 * records what the far end sends). Files are WAV, 16-bit PCM, mono, at
 * the call's rate (8000 or 16000 Hz, TAPIXWAVEID); nothing is resampled.
 * @return S_OK, E_POINTER, E_INVALIDARG (another class, direction or
 *         media type; an address of another tapix_tapi), E_OUTOFMEMORY,
 *         TAPI_E_NOT_INITIALIZED.
 */
TAPIX_API HRESULT tapix_address_create_terminal(struct tapix_address *a,
                                                const char *terminal_class,
                                                uint32_t media_type,
                                                TERMINAL_DIRECTION direction,
                                                struct tapix_terminal **out);

TAPIX_API void tapix_terminal_addref(struct tapix_terminal *term);

/**
 * Releases a reference; with the last one (events and a selection hold
 * theirs) the terminal goes: it is stopped first (a recording is
 * completed). May be called from any thread, the event callback too.
 */
TAPIX_API void tapix_terminal_release(struct tapix_terminal *term);

/** ITTerminal::get_Direction; TD_NONE for NULL. */
TAPIX_API TERMINAL_DIRECTION
tapix_terminal_get_direction(const struct tapix_terminal *term);

/**
 * ITMediaPlayback::put_PlayList: the @n files (UTF-8 paths, copied) a
 * playback terminal plays in order. Each is checked now: it must exist
 * and be a WAV file of 16-bit PCM mono at 8000 or 16000 Hz.
 * @return S_OK, E_POINTER (NULL @files or entry), E_INVALIDARG (@n 0),
 *         E_NOINTERFACE (a recording terminal), TAPI_E_WRONG_STATE (not
 *         idle), TAPIX_E_FILE_NOT_FOUND, TAPIX_E_PATH_NOT_FOUND,
 *         E_ACCESSDENIED, TAPI_E_INVALIDMEDIATYPE (not such a WAV file),
 *         E_OUTOFMEMORY.
 */
TAPIX_API HRESULT tapix_terminal_put_play_list(struct tapix_terminal *term,
                                               const char *const *files,
                                               size_t n);

/**
 * ITMediaRecord::put_FileName: the WAV file a recording terminal writes
 * (made, or overwritten, at each Start from TMS_IDLE; 16-bit PCM mono at
 * the call's rate; its header is completed when the recording stops).
 * @return S_OK, E_POINTER, E_INVALIDARG (""), E_NOINTERFACE (a playback
 *         terminal), TAPI_E_WRONG_STATE (not idle), E_OUTOFMEMORY.
 */
TAPIX_API HRESULT tapix_terminal_put_file_name(struct tapix_terminal *term,
                                               const char *path);

/**
 * ITStream::SelectTerminal (ITBasicCallControl2::SelectTerminalOnCall):
 * selects @term on @c's audio stream of the terminal's direction (a call
 * has one capture and one render audio stream, one terminal each). Any
 * call state but CS_DISCONNECTED; the terminal starts with
 * tapix_terminal_start. The selection holds a reference on @term until
 * tapix_call_unselect_terminal or the call's last release.
 * @return S_OK, E_POINTER, E_INVALIDARG (objects of different
 *         tapix_tapi), TAPI_E_INVALIDTERMINAL (@term is selected on a
 *         call already), TAPI_E_MAXTERMINALS (that stream has a terminal),
 *         TAPI_E_INVALCALLSTATE (CS_DISCONNECTED), TAPI_E_NOT_INITIALIZED.
 */
TAPIX_API HRESULT tapix_call_select_terminal(struct tapix_call *c,
                                             struct tapix_terminal *term);

/**
 * ITStream::UnselectTerminal: stops @term if it runs (TE_FILETERMINAL
 * TMS_IDLE, FTEC_NORMAL) and takes it off @c.
 * @return S_OK, E_POINTER, E_INVALIDARG, TAPI_E_INVALIDTERMINAL (not
 *         selected on @c).
 */
TAPIX_API HRESULT tapix_call_unselect_terminal(struct tapix_call *c,
                                               struct tapix_terminal *term);

/**
 * ITMediaControl::Start: from TMS_IDLE, plays the play list from its
 * start (or starts recording into the file, anew); from TMS_PAUSED, goes
 * on where it paused; S_OK with nothing done when active. The call's
 * audio is lineGetID's "wave/out" (playback) or "wave/in" (recording)
 * descriptor, taken at each start from TMS_IDLE (replacing one the
 * application took itself). Then TE_FILETERMINAL TMS_ACTIVE. Playback
 * ends with TMS_IDLE, FTEC_END_OF_FILE after the last file; both end
 * with TMS_IDLE, FTEC_NORMAL when the call's media end (disconnect).
 * @return S_OK, E_POINTER, TAPI_E_NOTERMINALSELECTED (not selected on a
 *         call), TAPI_E_NOITEMS (no play list, no file name),
 *         TAPI_E_INVALCALLSTATE (the call has no media: not placed yet, or
 *         disconnected), TAPI_E_INVALIDMEDIATYPE (a file's rate is not the
 *         call's, or it is no longer such a WAV file), TAPIX_E_FILE_NOT_FOUND,
 *         TAPIX_E_PATH_NOT_FOUND, E_ACCESSDENIED, TAPI_E_NOT_INITIALIZED,
 *         or lineGetID's failure mapped.
 */
TAPIX_API HRESULT tapix_terminal_start(struct tapix_terminal *term);

/**
 * ITMediaControl::Stop: ends playback (the next Start plays from the
 * start) or recording (the file is complete when this returns); then
 * TE_FILETERMINAL TMS_IDLE, FTEC_NORMAL. S_OK with nothing done when
 * idle; E_POINTER; TAPI_E_NOT_INITIALIZED (after shutdown, which stopped
 * it).
 */
TAPIX_API HRESULT tapix_terminal_stop(struct tapix_terminal *term);

/**
 * ITMediaControl::Pause: playback stops sending (the call sends silence)
 * where it is, recording leaves out what comes meanwhile; Start goes on.
 * Then TE_FILETERMINAL TMS_PAUSED. S_OK when paused already;
 * TAPI_E_WRONG_STATE when idle; E_POINTER.
 */
TAPIX_API HRESULT tapix_terminal_pause(struct tapix_terminal *term);

/** ITMediaControl::get_MediaState. @return S_OK, E_POINTER. */
TAPIX_API HRESULT tapix_terminal_get_media_state(struct tapix_terminal *term,
                                                 TERMINAL_MEDIA_STATE *state);

/**
 * ITFileTerminalEvent::get_State, get_Cause, get_Error (any pointer may
 * be NULL): the terminal's new state, why, and S_OK or the error behind
 * FTEC_READ_ERROR / FTEC_WRITE_ERROR. get_Terminal is
 * tapix_event_terminal, get_Call tapix_event_call.
 * @return S_OK, E_POINTER, E_INVALIDARG (not a TE_FILETERMINAL event).
 */
TAPIX_API HRESULT tapix_event_file_terminal(const struct tapix_event *ev,
                                            TERMINAL_MEDIA_STATE *state,
                                            FT_STATE_EVENT_CAUSE *cause,
                                            HRESULT *error);

/** ITFileTerminalEvent::get_Terminal: borrowed from the event (addref to
 * keep); NULL for another event. */
TAPIX_API struct tapix_terminal *
tapix_event_terminal(const struct tapix_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* TAPIX_TAPI3_H */
