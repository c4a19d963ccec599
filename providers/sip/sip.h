/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider's internals. Each configured account is a line device;
 * calls are SIP INVITE sessions run by sofia-sip's NUA.
 *
 * Threads: one stack thread per provider session runs the sofia root, every
 * NUA object and every NUA call (never touched from another thread). TSPI
 * functions run on TAPI's threads: they check, change the provider's state
 * and queue a command for the stack thread (struct cmd), which carries call
 * handles, never pointers. sip.lock guards all the state below; both sides
 * call TAPI back with it held (allowed: TAPI never calls a provider from
 * its callbacks), which keeps callbacks serialized. The stack's callbacks
 * arrive through the root's message queue, never from inside a nua_*()
 * call, so they can take the lock too.
 *
 * A call lives while TAPI knows it (until TSPI_lineCloseCall) or the stack
 * does (until its handle is destroyed after nua_callstate_terminated).
 */
#ifndef TAPIX_SIP_H
#define TAPIX_SIP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "media.h"
#include "tsp.h"
#include "uui.h"

#define SIP_EXPORT    TSP_EXPORT
#define SIP_MAX_LINES 64
#define SIP_MAX_PEND  4 /* outstanding requests of one call */
#define SIP_MEDIA     (LINEMEDIAMODE_INTERACTIVEVOICE | LINEMEDIAMODE_UNKNOWN)
#define SIP_STR       256

/* How lineGenerateDigits sends an account's digits (its dtmf key). */
enum sip_dtmf {
	SIP_DTMF_AUTO,    /* RFC 4733 events when agreed, else in band */
	SIP_DTMF_RFC4733, /* RFC 4733 events only */
	SIP_DTMF_INFO,    /* one SIP INFO (application/dtmf-relay) a digit */
	SIP_DTMF_INBAND,  /* tones in the audio: telephone-event not offered */
};

#define SIP_DIGITS_MAX 512 /* digits of one request (tcall.c's too) */

/* One account's settings: [sip] gives the defaults, [sip.NAME] the rest. */
struct acct {
	char name[32];
	char aor[SIP_STR];        /* address of record: From, REGISTER To */
	char display[64];         /* display name in From */
	char user[64];            /* digest user name (default: AOR's user) */
	char password[128];       /* never logged */
	char registrar[SIP_STR];  /* REGISTER there; empty: no registration */
	char proxy[SIP_STR];      /* outbound proxy for every request */
	char local[128];          /* bind address host:port */
	char transport[8];        /* udp, tcp or tls */
	char tls_dir[SIP_STR];    /* agent.pem, cafile.pem (sofia-sip's) */
	bool tls_no_verify;       /* tls_verify = no */
	char domain[SIP_STR];     /* for destinations without a host */
	unsigned reg_expires;     /* seconds */
	unsigned reject_status;   /* lineDrop of an offered call */
	unsigned session_expires; /* RFC 4028 seconds; 0: no session timer */
	unsigned min_se;
	unsigned t1x64_ms;       /* transaction timeout (timers B, F) */
	unsigned rtp_port;       /* the first RTP port of its calls' media */
	unsigned rtp_port_max;   /* the last (0: rtp_port + 1998) */
	unsigned rtp_timeout;    /* s without RTP that end a call; 0: never */
	int srtp;                /* enum sdp_srtp: off, optional, mandatory */
	int dtmf;                /* enum sip_dtmf */
	unsigned invite_timeout; /* seconds without answer; 0: stack default */
	unsigned offer_timeout;  /* an incoming call nobody answers: 480 */
	unsigned max_incoming;   /* incoming calls not yet answered, at most */
	unsigned max_proceeding; /* requests in progress of the stack: 503 */
};

enum reg {
	REG_NONE,    /* no registrar: always in service */
	REG_IDLE,    /* line closed: not registered */
	REG_PENDING, /* REGISTER sent, calls allowed meanwhile */
	REG_OK,
	REG_FAILED, /* out of service until the next success */
};

struct line {
	unsigned idx;
	DWORD dev_id;
	DWORD version;
	struct acct cfg;
	bool open;
	HTAPILINE htl;
	LINEEVENT ev;
	DWORD media_detect;
	DWORD line_states;
	enum reg reg;
	int reg_status; /* last final REGISTER status, 0 if none yet */
	unsigned ncalls;
	/* stack thread only */
	void *nua;    /* nua_t */
	void *reg_nh; /* nua_handle_t of the registration */
	bool reg_auth_tried;
	bool shut;           /* nua_r_shutdown final */
	char media_addr[64]; /* our address in SDP's c= and o= */
	struct media *media; /* its calls' media thread, from the first call */
};

enum op {
	OP_MAKECALL,
	OP_DIAL,
	OP_ACCEPT,
	OP_ANSWER,
	OP_DROP,
	OP_HOLD,     /* and unhold: a re-INVITE */
	OP_TRANSFER, /* lineBlindTransfer: a REFER */
	OP_REDIRECT, /* lineRedirect: a 302 */
};

struct pend {
	DRV_REQUESTID id;
	enum op op;
};

/* lineGenerateDigits as SIP INFO (dtmf = info), made on first use: one
 * INFO at a time, the next after its final response and 2 x dur ms. */
struct sip_digits {
	char digits[SIP_DIGITS_MAX + 1]; /* the request's, ',' pauses */
	unsigned pos;                    /* the next to send */
	DWORD id;                        /* its end-to-end id */
	unsigned dur;                    /* ms of each digit, and of its gap */
	bool on;                         /* a request runs */
	bool in_flight;     /* an INFO of ours waits for its final response */
	bool flight_is_cur; /* ... and it is the running request's */
	bool auth_tried;    /* ... and was sent again with credentials */
	bool auth_released; /* ... and was let go without (stack.c) */
	uint64_t due;       /* monotonic ms: nothing is sent before */
};

struct call {
	uint32_t h; /* HDRVCALL value and the NUA handle's magic */
	struct line *line;
	HTAPICALL ht;
	bool announced;   /* TAPI may hear about it */
	bool tapi_closed; /* TSPI_lineCloseCall done: TAPI's handle is dead */
	bool outgoing;
	DWORD state, mode;
	time_t state_time;
	char remote[SIP_STR]; /* far end's URI */
	char remote_name[64]; /* and display name */
	char local[SIP_STR];  /* our URI: From or To */
	char dialed[SIP_STR]; /* the destination as dialed */
	struct tsp_uui uui;   /* received */
	/* how it ended, for LINECALLINFO's device-specific part */
	char ended_by[8]; /* "local", "remote" or "" */
	int end_status;   /* SIP status of the end, or 0 */
	char reason[128]; /* Reason header received, if any */
	char call_id[128];
	struct pend pend[SIP_MAX_PEND];
	unsigned npend;
	/* stack thread only */
	void *nh;    /* nua_handle_t, or NULL */
	int cs;      /* last enum nua_callstate */
	bool hangup; /* ending locally: report nothing more, finish */
	bool bye_sent;
	/* a BYE for a 200 not yet ACKed waits for the ACK (RFC 3261 §15) */
	bool bye_waits_ack;
	uint8_t bye_uui[SIP_UUI_MAX];
	unsigned bye_uui_len;
	bool auth_tried;
	bool ring_sent;
	/* lineHold/lineUnhold: the request its re-INVITE answers, or 0 */
	DRV_REQUESTID reinvite_req;
	bool reinvite_hold; /* that re-INVITE puts the call on hold */
	bool reinvite_ok;   /* its 2xx came: done when the ACK is out */
	/* lineBlindTransfer: the request its REFER answers, or 0 */
	DRV_REQUESTID refer_req;
	/* SDP offer/answer (sdp.h, RFC 3264) */
	char *sdp_answer;     /* our answer to an INVITE's offer, for its 200 */
	uint64_t sdp_id;      /* our o= session id */
	uint64_t sdp_version; /* our o= version: up by one when ours changes */
	uint32_t sdp_hash;    /* of the last description we sent, but o= */
	int sdp_dir;          /* enum sdp_dir of the last offer we sent */
	bool offer_out;       /* our offer waits for its answer */
	bool early_answer; /* a valid answer came in a provisional response */
	bool sdp_failed;   /* the peer's answer was unusable: BYE follows */
	/* its media (tsp_media), from our first description until TAPI
	 * closes it; ms: what the last offer/answer agreed, while ms_set */
	struct tcall *tm;
	struct media_stream ms;
	bool ms_set;
	bool media_connected; /* the session was last set CONNECTED */
	uint8_t srtp_key[RTPSEC_KEY_LEN]; /* our SDES key, made with tm */
	struct timespec offered_at;       /* incoming: when it was offered */
	struct sip_digits *dg;            /* dtmf = info, or NULL */
};

enum cmd_op {
	C_INVITE,   /* call: dest, uui */
	C_ACCEPT,   /* call: uui */
	C_ANSWER,   /* call: uui */
	C_DROP,     /* call: uui */
	C_HOLD,     /* call: re-INVITE with the audio on hold */
	C_UNHOLD,   /* call: re-INVITE with the audio resumed */
	C_REFER,    /* call: dest (lineBlindTransfer) */
	C_REDIRECT, /* call: dest (lineRedirect) */
	C_RELEASE,  /* call closed by TAPI: end the session quietly */
	C_DIGITS,   /* call: its SIP INFO digits (dg) may go on */
	C_REGISTER, /* line */
	C_UNREGISTER,
	C_SHUTDOWN,
};

struct cmd {
	struct cmd *next;
	enum cmd_op op;
	uint32_t call;
	unsigned line;
	DRV_REQUESTID req;
	bool failed; /* C_UNREGISTER: the registration had failed */
	DWORD hint;  /* C_DROP: LINEDISCONNECTMODE_ hint, or 0 */
	DWORD uui_len;
	uint8_t uui[SIP_UUI_MAX];
	char dest[SIP_STR];
};

struct sip {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* configuration, defaults at session start */
	struct acct defaults;
	unsigned nacct;
	struct acct accts[SIP_MAX_LINES];
	/* session */
	DWORD perm_id;
	DWORD dev_base;
	ASYNC_COMPLETION complete;
	unsigned nlines;
	struct line *lines;
	struct tsp_htab calls;
	size_t live_calls;
	/* the stack thread */
	pthread_t thread;
	bool running;
	int start_err; /* 0 while starting, 1 started, <0 failed */
	int wake_fd;   /* eventfd: commands queued */
	struct cmd *cmds, **cmds_tail;
	size_t live_cmds;
};

extern struct sip sip;

struct tcall;

/* media.c: a call's media (sip.lock held) */
struct sdp_neg;
/* Makes @c's media session if it has none; false if it cannot. */
bool sip_media_ensure(struct call *c);
/* Its RTP port for our SDP (9 without media). */
uint16_t sip_media_port(const struct call *c);
/* What offer and answer agreed for @c (sdp.h), set running; false (and
 * its media as they were) if they cannot be used: an address that is not
 * numeric or not of our family, or one the media engine refuses. */
bool sip_media_agreed(struct call *c, const struct sdp_neg *neg);
/* After @c's state changed: what flows now. */
void sip_media_update(struct call *c);

/* sip.c */
void sip_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define SIP_ERR   0
#define SIP_WARN  1
#define SIP_INFO  2
#define SIP_DEBUG 3
struct call *call_get(uint32_t h); /* any live call */
struct call *call_of(HDRVCALL hd); /* one TAPI still knows */
struct line *line_of(HDRVLINE hd); /* an open line */
struct line *line_by_dev(DWORD dev);
struct call *call_new(struct line *l);
void call_maybe_free(struct call *c); /* when neither side knows it */
struct cmd *cmd_new(enum cmd_op op, const struct call *c);
void cmd_post(struct cmd *m);
void set_state(struct call *c, DWORD state, DWORD mode);
void call_info(struct call *c, DWORD what);
/* LINE_GENERATE(@term) for the request @id of @c, if TAPI may hear it. */
void generate_end(struct call *c, DWORD id, DWORD term);
void line_devstate(struct line *l, DWORD state);
bool pend_add(struct call *c, DRV_REQUESTID id, enum op op);
bool pend_has(const struct call *c, enum op op);
bool pend_take(struct call *c, DRV_REQUESTID id);
void pend_complete_op(struct call *c, enum op op, LONG r);
void pend_fail_all(struct call *c);

/* stack.c: the stack thread */
void *stack_main(void *arg);

#endif /* TAPIX_SIP_H */
