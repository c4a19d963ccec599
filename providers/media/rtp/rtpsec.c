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

/* Two sessions: libsrtp2 takes one wildcard SSRC (any outbound, any
 * inbound) per session. */
struct rtpsec {
	srtp_t tx; /* ours, protecting */
	srtp_t rx; /* the peer's, unprotecting */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_status;

/* libsrtp2's global set-up, once per process; never undone (a provider
 * is unloaded only at the end, and another user may share libsrtp2) */
static void init_library(void)
{
	init_status = srtp_init();
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

int rtpsec_alloc(struct rtpsec **out, enum rtpsec_suite suite,
                 const uint8_t *tx_key, const uint8_t *rx_key)
{
	srtp_policy_t tx, rx;
	struct rtpsec *s;
	srtp_err_status_t st;

	if (suite != RTPSEC_AES_CM_128_HMAC_SHA1_80 &&
	    suite != RTPSEC_AES_CM_128_HMAC_SHA1_32)
		return -EINVAL;
	pthread_once(&init_once, init_library);
	if (init_status != srtp_err_status_ok)
		return -EIO;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	set_policy(&tx, suite, tx_key, true);
	set_policy(&rx, suite, rx_key, false);
	st = srtp_create(&s->tx, &tx);
	if (st == srtp_err_status_ok) {
		st = srtp_create(&s->rx, &rx);
		if (st != srtp_err_status_ok)
			srtp_dealloc(s->tx);
	}
	if (st != srtp_err_status_ok) {
		free(s);
		return st == srtp_err_status_alloc_fail ? -ENOMEM : -EIO;
	}
	*out = s;
	return 0;
}

void rtpsec_free(struct rtpsec *s)
{
	if (!s)
		return;
	srtp_dealloc(s->tx);
	srtp_dealloc(s->rx);
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
	st = rtcp ? srtp_protect_rtcp(s->tx, pkt, &n)
	          : srtp_protect(s->tx, pkt, &n);
	return st == srtp_err_status_ok ? n : -EINVAL;
}

int rtpsec_unprotect(struct rtpsec *s, uint8_t *pkt, size_t len, bool rtcp)
{
	srtp_err_status_t st;
	int n = (int)len;

	if (len > INT_MAX)
		return -EINVAL;
	st = rtcp ? srtp_unprotect_rtcp(s->rx, pkt, &n)
	          : srtp_unprotect(s->rx, pkt, &n);
	switch (st) {
	case srtp_err_status_ok:
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
