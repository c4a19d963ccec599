/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SDP (RFC 4566) for the SIP provider, and the offer/answer model on it
 * (RFC 3264). Every session description a peer sends goes through
 * sdp_parse, strict and bounded, before anything else reads it: sofia-sip's
 * own SDP parser is never given a peer's bytes (its Debian version loops
 * for ever on some malformed m= lines; docs/sofia-sip.md). What tapix
 * sends is written by sdp_write.
 *
 * No allocation, no global state: every function works on the caller's
 * structures and is safe on any thread. Strings in the structures are
 * NUL-terminated and hold only printable ASCII (0x21-0x7E; the session
 * name and fmtp parameters also spaces), so they can be logged or put on
 * D-Bus as they are.
 */
#ifndef TAPIX_SIP_SDP_H
#define TAPIX_SIP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_TEXT   8192 /* longest description accepted or written */
#define SDP_MAX_LINE   1024 /* longest line accepted */
#define SDP_MAX_MEDIA  8    /* m= sections */
#define SDP_MAX_FMTS   16   /* formats of one m= line */
#define SDP_ADDR_LEN   64   /* an address or host name, with its NUL */
#define SDP_MAX_CRYPTO 4    /* a=crypto lines kept per m= section */
#define SDP_KEY_LEN    30   /* an SDES master key and salt (RFC 4568 §6.2) */

/* The SDES crypto suites tapix takes (RFC 4568 §6.2.1). */
enum sdp_suite {
	SDP_SUITE_OTHER = -1, /* a suite, or key parameters, not ours */
	SDP_AES_CM_128_HMAC_SHA1_80 = 0,
	SDP_AES_CM_128_HMAC_SHA1_32 = 1,
};

/* One a=crypto line (RFC 4568 §9.1): its tag, suite and inline key. */
struct sdp_crypto {
	uint32_t tag; /* 1 - 999999999 */
	enum sdp_suite suite;
	uint8_t key[SDP_KEY_LEN]; /* with a suite of ours only */
};

/* Whether an account's calls use SRTP with SDES keys. */
enum sdp_srtp {
	SDP_SRTP_OFF = 0,   /* plain RTP only; crypto offers are not taken */
	SDP_SRTP_OPTIONAL,  /* offer RTP/AVP with keys; take SRTP if offered */
	SDP_SRTP_MANDATORY, /* offer RTP/SAVP; plain offers and answers fail */
};

/* Media direction (RFC 3264 §5.1, §6.1). */
enum sdp_dir {
	SDP_SENDRECV = 0,
	SDP_SENDONLY,
	SDP_RECVONLY,
	SDP_INACTIVE,
};

/* One format of an m= line, with its a=rtpmap and a=fmtp if any. */
struct sdp_fmt {
	uint8_t pt;       /* RTP payload type, 0 - 127 */
	char name[16];    /* encoding name ("PCMU"); "" without rtpmap */
	uint32_t rate;    /* clock rate; 0 without rtpmap */
	uint8_t channels; /* 1 unless rtpmap says */
	char fmtp[128];   /* a=fmtp parameters, "" if none */
};

struct sdp_media {
	char type[16];  /* "audio", "video"... */
	uint16_t port;  /* 0: the stream is rejected or disabled */
	char proto[24]; /* "RTP/AVP", "RTP/SAVP", "UDP/TLS/RTP/SAVPF"... */
	/* the formats of an RTP transport (RTP/...); other transports'
	 * formats are tokens, not kept but the first (first_fmt) */
	unsigned nfmts;
	struct sdp_fmt fmts[SDP_MAX_FMTS];
	char first_fmt[16]; /* the m= line's first format as written */
	/* c= of this section, else the session's ("" if neither: the
	 * description is then refused by sdp_parse unless port is 0) */
	char addr[SDP_ADDR_LEN];
	bool ip6;           /* c=IN IP6 */
	enum sdp_dir dir;   /* its attribute, else the session's */
	unsigned ptime;     /* a=ptime in ms, 0 if absent or unreadable */
	uint16_t rtcp_port; /* a=rtcp port (RFC 3605), 0 if absent */
	unsigned ncrypto;   /* a=crypto lines, in order (RFC 4568) */
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];
};

/* A session description. */
struct sdp {
	uint64_t sess_id;      /* o= */
	uint64_t sess_version; /* o= */
	char origin_addr[SDP_ADDR_LEN];
	char name[64]; /* s=; "-" when we write it */
	unsigned nmedia;
	struct sdp_media media[SDP_MAX_MEDIA];
};

/*
 * Parses @len bytes of @text (not NUL-terminated). Accepted: lines ending
 * in CRLF or LF (empty lines only at the end); v=0 first; o=, s=, c=, t=, m=,
 * a= (b=, i=, u=, e=, p=, z=, k=, r= are skipped when well formed); at most
 * SDP_MAX_MEDIA m= sections of at most SDP_MAX_FMTS formats. Refused (-EINVAL),
 * with *@out unspecified: a byte below 0x20 other than CR and LF, or 0x7F,
 * anywhere; a line longer than SDP_MAX_LINE or a text longer than SDP_MAX_TEXT;
 * a line not "<letter>=<value>"; a missing or repeated v=, o= or s=; an m= line
 * whose media, port, transport or formats are not RFC 4566 tokens and numbers
 * (port 0 - 65535, transport token *("/" token), an RTP transport's formats 0 -
 * 127); a c= that is not "IN IP4 addr" or "IN IP6 addr"; an rtpmap or fmtp for
 * a format its m= line does not list; a port of 1 - 65535 with no
 * connection address. Unknown attributes are skipped, and so is an a=ptime
 * that is not a number of at most 65535 (a hint, RFC 4566 §6).
 *
 * @return 0, or -EINVAL.
 */
int sdp_parse(const char *text, size_t len, struct sdp *out);

/*
 * Writes @s as SDP into @out (@size bytes, NUL-terminated): v=, o=, s=, a
 * session-level c= when every section has the same address, t=0 0, then
 * each section with its c= (if not at session level), a=rtpmap for every
 * format that has a name, a=fmtp, a=ptime, a=rtcp and the direction
 * attribute (a=sendrecv is written too). Lines end in CRLF.
 *
 * @return the length written, or -ENOSPC (then @out is "").
 */
int sdp_write(const struct sdp *s, char *out, size_t size);

/* What this end can do, to build offers and answers from. */
struct sdp_local {
	char addr[SDP_ADDR_LEN]; /* our media address */
	bool ip6;
	uint16_t port; /* our RTP port for audio */
	uint64_t sess_id;
	uint64_t sess_version; /* incremented by the caller per change */
	enum sdp_dir dir;      /* what we want: SENDRECV, or SENDONLY on hold */
	unsigned nfmts;        /* our audio formats, preferred first */
	struct sdp_fmt fmts[SDP_MAX_FMTS];
	unsigned ptime; /* 0: not said */
	enum sdp_srtp srtp;
	uint8_t key[SDP_KEY_LEN]; /* our SDES key for this call (with srtp) */
};

/* Fills @out with an offer of one audio section from @local (session
 * name "-"). */
void sdp_offer(const struct sdp_local *local, struct sdp *out);

/* The result of a negotiation, for the media side. */
struct sdp_neg {
	int media;          /* index of the audio section, -1: none */
	struct sdp_fmt fmt; /* the codec both ends use */
	bool has_dtmf;      /* telephone-event agreed */
	uint8_t dtmf_pt;    /* its payload type */
	char remote_addr[SDP_ADDR_LEN];
	uint16_t remote_port;
	uint16_t remote_rtcp_port; /* a=rtcp, else remote_port + 1 */
	enum sdp_dir dir;          /* what this end does: send, receive */
	unsigned ptime;            /* the peer's, 0 if not said */
	bool srtp;                 /* SRTP agreed, with: */
	enum sdp_suite suite;
	uint8_t tx_key[SDP_KEY_LEN]; /* ours */
	uint8_t rx_key[SDP_KEY_LEN]; /* the peer's */
};

/*
 * RFC 3264 §6 — the answer to @offer from @local into @answer: as many
 * m= sections as the offer, in order; the first audio section with an
 * RTP/AVP or RTP/AVPF transport and a format we have is accepted (our
 * port, the offered formats we have in the offer's order with their
 * payload types, each once, telephone-event if both have it), every other
 * section is rejected (port 0, its first format echoed). Direction: what
 * the offer lets us do (its sendonly: we receive; recvonly: we send;
 * inactive: nothing; sendrecv: both) and @local->dir wants, e.g. an offer
 * sendonly while we hold (SENDONLY) is answered inactive. The session
 * name is "-". *@neg says what was agreed.
 *
 * @return 0, or -ENOTSUP when no audio section can be accepted (the
 * caller answers 488 Not Acceptable Here).
 */
int sdp_answer(const struct sdp *offer, const struct sdp_local *local,
               struct sdp *answer, struct sdp_neg *neg);

/*
 * RFC 3264 §7 — checks @answer against the @offer we sent: as many m=
 * sections, of the same media types and transports; the first audio
 * section we offered (port not 0) that the answer accepts, with at least
 * one codec we offered (the first it lists is used; formats we did not
 * offer are ignored), its direction within what we offered.
 *
 * @return 0 and *@neg, or -EPROTO (the answer is not a valid answer to
 * our offer), or -ENOTSUP (valid, but the audio was rejected).
 */
int sdp_check_answer(const struct sdp *offer, const struct sdp *answer,
                     struct sdp_neg *neg);

/* The name of a direction attribute ("sendrecv"...). */
const char *sdp_dir_name(enum sdp_dir dir);

#endif /* TAPIX_SIP_SDP_H */
