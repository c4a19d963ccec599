/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SRTP and SRTCP on libsrtp2.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "rtpsec.h"

_Static_assert(RTPSEC_ROOM == SRTP_MAX_TRAILER_LEN + 4,
               "rtpsec.h's RTPSEC_ROOM is libsrtp2's room for SRTCP");

/* One direction: libsrtp2 takes one wildcard SSRC (any outbound, any
 * inbound) per session, so each has a session of its own. The suite and
 * key are kept to tell what a new offer or answer changes. */
struct side {
	srtp_t srtp;
	enum rtpsec_suite suite;
	uint8_t key[RTPSEC_KEY_LEN];
};

struct rtpsec {
	struct side tx; /* ours, protecting */
	struct side rx; /* the peer's, unprotecting */
	/* the SSRCs (network order, as libsrtp2 keeps them) whose streams
	 * libsrtp2 made in rx, the last heard first: libsrtp2 makes one for
	 * every SSRC whose packet authenticates and never lets go of it,
	 * looking each packet's up in a list; a peer sending a new SSRC a
	 * packet would grow both without end */
	uint32_t rx_ssrc[RTPSEC_RX_STREAMS];
	unsigned nrx;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_status;

/* libsrtp2's global set-up, once per process; never undone (a provider
 * is unloaded only at the end, and another user may share libsrtp2) */
static void init_library(void)
{
	init_status = srtp_init();
}

static bool suite_ok(enum rtpsec_suite suite)
{
	return suite == RTPSEC_AES_CM_128_HMAC_SHA1_80 ||
	       suite == RTPSEC_AES_CM_128_HMAC_SHA1_32;
}

static int err(srtp_err_status_t st)
{
	return st == srtp_err_status_alloc_fail ? -ENOMEM : -EIO;
}

static void set_policy(srtp_policy_t *p, enum rtpsec_suite suite,
                       const uint8_t *key, bool outbound)
{
	memset(p, 0, sizeof(*p));
	if (suite == RTPSEC_AES_CM_128_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
	else
		srtp_crypto_policy_set_rtp_default(&p->rtp);
	/* RFC 4568 §6.2.2: SRTCP keeps the 80-bit tag */
	srtp_crypto_policy_set_rtcp_default(&p->rtcp);
	p->ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	/* libsrtp2 reads the key, it does not keep or change it */
	p->key = (unsigned char *)(uintptr_t)key;
	p->window_size = 128; /* RFC 3711 §3.3.2: at least 64 */
}

/* A new session for one side; @side unchanged on an error. */
static int side_create(struct side *side, enum rtpsec_suite suite,
                       const uint8_t *key, bool outbound)
{
	srtp_policy_t p;
	srtp_t srtp;
	srtp_err_status_t st;

	set_policy(&p, suite, key, outbound);
	st = srtp_create(&srtp, &p);
	if (st != srtp_err_status_ok)
		return err(st);
	side->srtp = srtp;
	side->suite = suite;
	memcpy(side->key, key, RTPSEC_KEY_LEN);
	return 0;
}

static void side_free(struct side *side)
{
	if (side->srtp)
		srtp_dealloc(side->srtp);
	side->srtp = NULL;
	explicit_bzero(side->key, sizeof(side->key));
}

/*
 * A side under @suite and @key: as it is when neither changes; with the
 * same key, srtp_update (the streams go on from their indexes: a new
 * session would send indexes it sent before under that key, RFC 3711
 * §9.1; a receiving stream keeps its index, not its replay list); a new
 * key, a new session. *@fresh tells the last, or a side lost.
 */
static int side_set(struct side *side, enum rtpsec_suite suite,
                    const uint8_t *key, bool outbound, bool *fresh)
{
	struct side n = {0};
	srtp_policy_t p;
	srtp_err_status_t st;
	int rc;

	*fresh = false;
	if (!suite_ok(suite))
		return -EINVAL;
	if (!memcmp(side->key, key, RTPSEC_KEY_LEN)) {
		if (!side->srtp)
			return -EIO; /* lost under this key: see below */
		if (side->suite == suite)
			return 0;
		set_policy(&p, suite, key, outbound);
		st = srtp_update(side->srtp, &p);
		if (st != srtp_err_status_ok) {
			/* libsrtp2 fails before it changes anything, or
			 * (out of memory) with streams dropped half-way: a
			 * stream made again would start its indexes anew
			 * under this key, so the side goes until a new key
			 * (protect and unprotect refuse) */
			srtp_dealloc(side->srtp);
			side->srtp = NULL;
			*fresh = true;
			return err(st);
		}
		side->suite = suite;
		return 0;
	}
	rc = side_create(&n, suite, key, outbound);
	if (rc)
		return rc;
	side_free(side);
	*side = n;
	explicit_bzero(&n, sizeof(n));
	*fresh = true;
	return 0;
}

int rtpsec_alloc(struct rtpsec **out, enum rtpsec_suite suite,
                 const uint8_t *tx_key, const uint8_t *rx_key)
{
	struct rtpsec *s;
	int rc;

	if (!suite_ok(suite))
		return -EINVAL;
	pthread_once(&init_once, init_library);
	if (init_status != srtp_err_status_ok)
		return -EIO;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	rc = side_create(&s->tx, suite, tx_key, true);
	if (!rc)
		rc = side_create(&s->rx, suite, rx_key, false);
	if (rc) {
		rtpsec_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int rtpsec_set_tx(struct rtpsec *s, enum rtpsec_suite suite,
                  const uint8_t *tx_key)
{
	bool fresh;

	return side_set(&s->tx, suite, tx_key, true, &fresh);
}

int rtpsec_set_rx(struct rtpsec *s, enum rtpsec_suite suite,
                  const uint8_t *rx_key)
{
	bool fresh;
	int rc = side_set(&s->rx, suite, rx_key, false, &fresh);

	if (fresh)
		s->nrx = 0; /* their streams went with the session */
	return rc;
}

bool rtpsec_rx_has(const struct rtpsec *s, uint32_t ssrc)
{
	uint32_t roc;

	/* libsrtp2 takes this SSRC in host order */
	return s->rx.srtp && srtp_get_stream_roc(s->rx.srtp, ssrc, &roc) ==
	                             srtp_err_status_ok;
}

void rtpsec_free(struct rtpsec *s)
{
	if (!s)
		return;
	side_free(&s->tx);
	side_free(&s->rx);
	free(s);
}

int rtpsec_protect(struct rtpsec *s, uint8_t *pkt, size_t len, size_t size,
                   bool rtcp)
{
	srtp_err_status_t st;
	int n = (int)len;

	/* libsrtp2 may write up to SRTP_MAX_TRAILER_LEN (+ 4 for SRTCP's
	 * index) past the packet */
	if (len > INT_MAX - RTPSEC_ROOM || size < len + RTPSEC_ROOM)
		return -ENOSPC;
	if (!s->tx.srtp)
		return -EINVAL; /* lost: side_set */
	st = rtcp ? srtp_protect_rtcp(s->tx.srtp, pkt, &n)
	          : srtp_protect(s->tx.srtp, pkt, &n);
	return st == srtp_err_status_ok ? n : -EINVAL;
}

/*
 * A packet of @ssrc authenticated: libsrtp2 has its stream now (made
 * for it if it was new). A new one goes first in rx_ssrc, pushing out
 * the one heard longest ago, whose stream is removed: the streams stay
 * RTPSEC_RX_STREAMS, however many SSRCs the peer sends.
 */
static void rx_heard(struct rtpsec *s, uint32_t ssrc)
{
	unsigned i;

	for (i = 0; i < s->nrx && s->rx_ssrc[i] != ssrc; i++)
		;
	if (i == s->nrx) {
		if (s->nrx == RTPSEC_RX_STREAMS)
			(void)srtp_remove_stream(s->rx.srtp,
			                         s->rx_ssrc[--s->nrx]);
		i = s->nrx++;
	}
	memmove(s->rx_ssrc + 1, s->rx_ssrc, i * sizeof(s->rx_ssrc[0]));
	s->rx_ssrc[0] = ssrc;
}

int rtpsec_unprotect(struct rtpsec *s, uint8_t *pkt, size_t len, bool rtcp)
{
	srtp_err_status_t st;
	size_t at = rtcp ? 4 : 8; /* the SSRC (RFC 3550 §6.4.1, §5.1) */
	uint32_t ssrc;
	int n = (int)len;

	if (len > INT_MAX || !s->rx.srtp)
		return -EINVAL;
	st = rtcp ? srtp_unprotect_rtcp(s->rx.srtp, pkt, &n)
	          : srtp_unprotect(s->rx.srtp, pkt, &n);
	switch (st) {
	case srtp_err_status_ok:
		/* libsrtp2 refuses a packet too short for its header; the
		 * header is not encrypted */
		if (len >= at + 4) {
			memcpy(&ssrc, pkt + at, sizeof(ssrc));
			rx_heard(s, ssrc);
		}
		return n;
	case srtp_err_status_auth_fail:
		return -EBADMSG;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return -EALREADY;
	default:
		return -EINVAL;
	}
}
