/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider's SDP module (providers/sip/sdp.h): the strict parser
 * every peer's description goes through, the writer, and the offer/answer
 * rules of RFC 3264 built on them. Each test cites the RFC section it
 * checks; the peers' descriptions are written as those peers send them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sdp.h"

/* ---- descriptions of real peers --------------------------------------- */

/* SIPp's built-in uac scenario (sipp -sn uac), media on 127.0.0.1:6000. */
static const char SIPP_UAC[] =
	"v=0\r\n"
	"o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

/* baresip 3.x: opus first, rtcp-rsize (not a=rtcp), ssrc with a space. */
static const char BARESIP[] =
	"v=0\r\n"
	"o=- 1380930427 3143526743 IN IP4 192.168.1.20\r\n"
	"s=-\r\n"
	"c=IN IP4 192.168.1.20\r\n"
	"t=0 0\r\n"
	"m=audio 10314 RTP/AVP 111 9 0 8 101\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=fmtp:111 stereo=1;sprop-stereo=1\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=rtcp-rsize\r\n"
	"a=sendrecv\r\n"
	"a=label:1\r\n"
	"a=ssrc:2788435361 cname:2dd01d64-1a49-4c8c-9e3d-59a4d7c1f0ae\r\n"
	"a=mid:0\r\n"
	"a=ptime:20\r\n";

/* Asterisk 20 chan_pjsip: a=maxptime after a=ptime. */
static const char ASTERISK[] = "v=0\r\n"
			       "o=- 1839450312 3 IN IP4 203.0.113.5\r\n"
			       "s=Asterisk\r\n"
			       "c=IN IP4 203.0.113.5\r\n"
			       "t=0 0\r\n"
			       "m=audio 12826 RTP/AVP 0 8 3 101\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=rtpmap:8 PCMA/8000\r\n"
			       "a=rtpmap:3 GSM/8000\r\n"
			       "a=rtpmap:101 telephone-event/8000\r\n"
			       "a=fmtp:101 0-16\r\n"
			       "a=ptime:20\r\n"
			       "a=maxptime:150\r\n"
			       "a=sendrecv\r\n";

/* The same with bare LF line ends, as some stacks and proxies send. */
static const char ASTERISK_LF[] = "v=0\n"
				  "o=- 1839450312 3 IN IP4 203.0.113.5\n"
				  "s=Asterisk\n"
				  "c=IN IP4 203.0.113.5\n"
				  "t=0 0\n"
				  "m=audio 12826 RTP/AVP 0 8 3 101\n"
				  "a=rtpmap:0 PCMU/8000\n"
				  "a=rtpmap:8 PCMA/8000\n"
				  "a=rtpmap:3 GSM/8000\n"
				  "a=rtpmap:101 telephone-event/8000\n"
				  "a=fmtp:101 0-16\n"
				  "a=ptime:20\n"
				  "a=maxptime:150\n"
				  "a=sendrecv\n";

/* FreeSWITCH 1.10: opus at 102 with "; " in its fmtp, comfort noise, and
 * a=rtcp with an address (RFC 3605 §2.1). */
static const char FREESWITCH[] =
	"v=0\r\n"
	"o=FreeSWITCH 1707100000 1707100001 IN IP4 198.51.100.7\r\n"
	"s=FreeSWITCH\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"t=0 0\r\n"
	"m=audio 24816 RTP/AVP 102 9 0 8 101 13\r\n"
	"a=rtpmap:102 opus/48000/2\r\n"
	"a=fmtp:102 useinbandfec=1; maxplaybackrate=48000; stereo=1\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=rtpmap:13 CN/8000\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n"
	"a=rtcp:24817 IN IP4 198.51.100.7\r\n";

/* Linphone 5: audio and video, telephone-event at three clock rates (the
 * 8000 one at 100), fmtp for a static format without rtpmap, b= lines,
 * rtcp-fb and a session-level rtcp-xr (not a=rtcp). */
static const char LINPHONE[] =
	"v=0\r\n"
	"o=alice 3086 2498 IN IP4 192.168.1.30\r\n"
	"s=Talk\r\n"
	"c=IN IP4 192.168.1.30\r\n"
	"t=0 0\r\n"
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL "
	"voip-metrics\r\n"
	"m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 useinbandfec=1\r\n"
	"a=rtpmap:97 speex/16000\r\n"
	"a=fmtp:97 vbr=on\r\n"
	"a=rtpmap:98 speex/8000\r\n"
	"a=fmtp:98 vbr=on\r\n"
	"a=fmtp:18 annexb=yes\r\n"
	"a=rtpmap:101 telephone-event/48000\r\n"
	"a=rtpmap:99 telephone-event/16000\r\n"
	"a=rtpmap:100 telephone-event/8000\r\n"
	"a=rtcp-fb:* trr-int 1000\r\n"
	"a=rtcp-fb:* ccm tmmbr\r\n"
	"m=video 9078 RTP/AVP 96 97\r\n"
	"b=AS:380\r\n"
	"a=rtpmap:96 VP8/90000\r\n"
	"a=rtpmap:97 H264/90000\r\n"
	"a=fmtp:97 profile-level-id=42801F\r\n"
	"a=rtcp-fb:* trr-int 1000\r\n"
	"a=rtcp-fb:* ccm tmmbr\r\n"
	"a=rtcp-fb:96 nack pli\r\n"
	"a=rtcp-fb:96 ccm fir\r\n"
	"a=rtcp-fb:97 nack pli\r\n"
	"a=rtcp-fb:97 ccm fir\r\n";

/* A fax-capable gateway: audio, and T.38 over UDPTL (token formats). */
static const char T38_GATEWAY[] = "v=0\r\n"
				  "o=gw 5577 1 IN IP4 192.0.2.50\r\n"
				  "s=session\r\n"
				  "c=IN IP4 192.0.2.50\r\n"
				  "t=0 0\r\n"
				  "m=audio 16000 RTP/AVP 8 0 101\r\n"
				  "a=rtpmap:8 PCMA/8000\r\n"
				  "a=rtpmap:0 PCMU/8000\r\n"
				  "a=rtpmap:101 telephone-event/8000\r\n"
				  "a=fmtp:101 0-15\r\n"
				  "m=image 16002 udptl t38\r\n"
				  "a=T38FaxVersion:0\r\n"
				  "a=T38MaxBitRate:14400\r\n"
				  "a=T38FaxRateManagement:transferredTCF\r\n"
				  "a=T38FaxUdpEC:t38UDPRedundancy\r\n";

/* A description's first lines, for the shorter texts below. */
#define HEAD                           \
	"v=0\r\n"                      \
	"o=- 1 1 IN IP4 192.0.2.1\r\n" \
	"s=-\r\n"                      \
	"c=IN IP4 192.0.2.1\r\n"       \
	"t=0 0\r\n"

/* ---- helpers ----------------------------------------------------------- */

/* Prints @len bytes of @text with control bytes escaped, for failures. */
static void print_text(const char *what, const char *text, size_t len)
{
	char buf[4 * 160 + 1];
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7F)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			                      "\\x%02X", c);
	}
	buf[n] = '\0';
	print_error("%s: \"%s\"%s\n", what, buf, i < len ? "..." : "");
}

/* Parses @len bytes into @s, which is first filled with garbage so that a
 * field the parser forgets to set shows. */
static int parse_n(const char *text, size_t len, struct sdp *s)
{
	memset(s, 0xA5, sizeof(*s));
	return sdp_parse(text, len, s);
}

static void assert_parses_n(const char *text, size_t len, struct sdp *s)
{
	int rc = parse_n(text, len, s);

	if (rc != 0)
		print_text("refused, wanted accepted", text, len);
	assert_int_equal(rc, 0);
}

static void assert_parses(const char *text, struct sdp *s)
{
	assert_parses_n(text, strlen(text), s);
}

static void assert_refused_n(const char *text, size_t len)
{
	struct sdp s;
	int rc = parse_n(text, len, &s);

	if (rc != -EINVAL)
		print_text("not refused with -EINVAL", text, len);
	assert_int_equal(rc, -EINVAL);
}

static void assert_refused(const char *text)
{
	assert_refused_n(text, strlen(text));
}

/* A string field holds a NUL within @size and printable ASCII before it
 * (sdp.h: 0x21 - 0x7E, the session name and fmtp also spaces). */
static void assert_field(const char *field, size_t size, bool spaces)
{
	size_t i;

	for (i = 0; i < size && field[i] != '\0'; i++) {
		unsigned char c = (unsigned char)field[i];

		if (!((c > 0x20 && c < 0x7F) || (spaces && c == ' ')))
			print_text("byte outside the contract in a field",
			           field, i + 1);
		assert_true((c > 0x20 && c < 0x7F) || (spaces && c == ' '));
	}
	assert_true(i < size);
}

#define ASSERT_FIELD(f) assert_field((f), sizeof(f), false)

static void assert_sdp_fields(const struct sdp *s)
{
	unsigned i, j;

	ASSERT_FIELD(s->origin_addr);
	assert_field(s->name, sizeof(s->name), true);
	assert_true(s->nmedia <= SDP_MAX_MEDIA);
	for (i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		ASSERT_FIELD(m->type);
		ASSERT_FIELD(m->proto);
		ASSERT_FIELD(m->addr);
		ASSERT_FIELD(m->first_fmt);
		assert_true(m->nfmts <= SDP_MAX_FMTS);
		assert_true(m->dir <= SDP_INACTIVE);
		if (m->port != 0)
			assert_true(m->addr[0] != '\0');
		for (j = 0; j < m->nfmts; j++) {
			ASSERT_FIELD(m->fmts[j].name);
			assert_field(m->fmts[j].fmtp, sizeof(m->fmts[j].fmtp),
			             true);
			if (strncmp(m->proto, "RTP/", 4) == 0)
				assert_true(m->fmts[j].pt <= 127);
		}
	}
}

static void fmt_set(struct sdp_fmt *f, uint8_t pt, const char *name,
                    uint32_t rate, uint8_t channels, const char *fmtp)
{
	memset(f, 0, sizeof(*f));
	f->pt = pt;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->rate = rate;
	f->channels = channels;
	snprintf(f->fmtp, sizeof(f->fmtp), "%s", fmtp);
}

static void assert_fmt(const struct sdp_fmt *f, uint8_t pt, const char *name,
                       uint32_t rate, uint8_t channels, const char *fmtp)
{
	assert_int_equal(f->pt, pt);
	assert_string_equal(f->name, name);
	assert_int_equal(f->rate, rate);
	assert_int_equal(f->channels, channels);
	assert_string_equal(f->fmtp, fmtp);
}

static void assert_fmt_equal(const struct sdp_fmt *a, const struct sdp_fmt *b)
{
	assert_fmt(a, b->pt, b->name, b->rate, b->channels, b->fmtp);
}

/* The formats as the m= line shows them: the payload types of an RTP
 * transport, else (other transports, or a rejected section written with
 * its first format only) first_fmt. */
static void fmts_line(const struct sdp_media *m, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	buf[0] = '\0';
	if (!m->nfmts)
		snprintf(buf, size, "%s", m->first_fmt);
	for (i = 0; i < m->nfmts && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, i ? " %u" : "%u",
		                      m->fmts[i].pt);
}

/* The first format as the m= line shows it (RFC 3264 §6: echoed). */
static const char *first_format(const struct sdp_media *m, char *buf,
                                size_t size)
{
	if (m->nfmts)
		snprintf(buf, size, "%u", m->fmts[0].pt);
	else
		snprintf(buf, size, "%s", m->first_fmt);
	return buf;
}

static void assert_sdp_equal(const struct sdp *a, const struct sdp *b)
{
	unsigned i, j;

	assert_int_equal(a->sess_id, b->sess_id);
	assert_int_equal(a->sess_version, b->sess_version);
	assert_string_equal(a->origin_addr, b->origin_addr);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->nmedia, b->nmedia);
	for (i = 0; i < a->nmedia; i++) {
		const struct sdp_media *x = &a->media[i], *y = &b->media[i];

		assert_string_equal(x->type, y->type);
		assert_int_equal(x->port, y->port);
		assert_string_equal(x->proto, y->proto);
		assert_string_equal(x->addr, y->addr);
		assert_int_equal(x->ip6, y->ip6);
		assert_int_equal(x->dir, y->dir);
		assert_int_equal(x->ptime, y->ptime);
		assert_int_equal(x->rtcp_port, y->rtcp_port);
		{
			char lx[SDP_MAX_FMTS * 4 + 16], ly[sizeof(lx)];

			fmts_line(x, lx, sizeof(lx));
			fmts_line(y, ly, sizeof(ly));
			assert_string_equal(lx, ly);
		}
		/* a section written from first_fmt alone reads back with
		 * that format bare */
		for (j = 0; j < x->nfmts || j < y->nfmts; j++) {
			if (j < x->nfmts && j < y->nfmts)
				assert_fmt_equal(&x->fmts[j], &y->fmts[j]);
			else if (j < x->nfmts)
				assert_fmt(&x->fmts[j], x->fmts[j].pt, "", 0, 1,
				           "");
			else
				assert_fmt(&y->fmts[j], y->fmts[j].pt, "", 0, 1,
				           "");
		}
	}
}

/* Writes @s, checks the result is a CRLF text of the returned length, and
 * parses it back into @back. */
static int write_and_parse(const struct sdp *s, char *text, size_t size,
                           struct sdp *back)
{
	int n = sdp_write(s, text, size);

	assert_true(n > 0);
	assert_int_equal(strlen(text), (size_t)n);
	assert_parses_n(text, (size_t)n, back);
	return n;
}

/* RFC 4566 §5: whatever we write, we read back as it was. */
static void assert_round_trip(const struct sdp *s)
{
	char text[2 * SDP_MAX_TEXT];
	struct sdp back;

	write_and_parse(s, text, sizeof(text), &back);
	assert_sdp_equal(s, &back);
}

static const struct sdp_fmt *find_fmt(const struct sdp_media *m, unsigned pt)
{
	unsigned i;

	for (i = 0; i < m->nfmts; i++)
		if (m->fmts[i].pt == pt)
			return &m->fmts[i];
	return NULL;
}

static void assert_pts(const struct sdp_media *m, const unsigned *pts,
                       unsigned n)
{
	unsigned i;

	if (m->nfmts != n) {
		for (i = 0; i < m->nfmts; i++)
			print_error("format %u: %u\n", i, m->fmts[i].pt);
	}
	assert_int_equal(m->nfmts, n);
	for (i = 0; i < n; i++)
		assert_int_equal(m->fmts[i].pt, pts[i]);
}

#define ASSERT_PTS(m, ...)                                                \
	do {                                                              \
		static const unsigned want_[] = {__VA_ARGS__};            \
		assert_pts((m), want_, sizeof(want_) / sizeof(want_[0])); \
	} while (0)

/* Our end: G.711 both laws and telephone-event at 101, PCMU preferred. */
static void local_init(struct sdp_local *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->addr, sizeof(l->addr), "%s", "192.0.2.10");
	l->port = 40000;
	l->sess_id = 4242;
	l->sess_version = 7;
	l->dir = SDP_SENDRECV;
	l->ptime = 20;
	fmt_set(&l->fmts[l->nfmts++], 0, "PCMU", 8000, 1, "");
	fmt_set(&l->fmts[l->nfmts++], 8, "PCMA", 8000, 1, "");
	fmt_set(&l->fmts[l->nfmts++], 101, "telephone-event", 8000, 1, "0-16");
}

/* Answers @offer_text from @local; checks what every accepted answer
 * must be (RFC 3264 §6, §6.1) and that the answer, written and read back,
 * is one sdp_check_answer accepts for that offer with the same codec. */
static void answer_ok(const char *offer_text, const struct sdp_local *local,
                      struct sdp *offer, struct sdp *answer,
                      struct sdp_neg *neg)
{
	char text[2 * SDP_MAX_TEXT];
	struct sdp back;
	struct sdp_neg oneg;
	unsigned i;
	int rc;

	assert_parses(offer_text, offer);
	memset(answer, 0xA5, sizeof(*answer));
	memset(neg, 0xA5, sizeof(*neg));
	rc = sdp_answer(offer, local, answer, neg);
	if (rc != 0)
		print_text("offer not answered", offer_text,
		           strlen(offer_text));
	assert_int_equal(rc, 0);
	assert_sdp_fields(answer);
	/* RFC 3264 §6: exactly as many m= lines, in order, same types */
	assert_int_equal(answer->nmedia, offer->nmedia);
	assert_true(neg->media >= 0 && (unsigned)neg->media < offer->nmedia);
	for (i = 0; i < answer->nmedia; i++) {
		assert_string_equal(answer->media[i].type,
		                    offer->media[i].type);
		if ((int)i != neg->media) {
			char x[32], y[32];

			/* RFC 3264 §6: rejected, port 0, its first format */
			assert_int_equal(answer->media[i].port, 0);
			assert_string_equal(
				first_format(&answer->media[i], x, sizeof(x)),
				first_format(&offer->media[i], y, sizeof(y)));
		}
	}
	assert_string_equal(answer->media[neg->media].type, "audio");
	assert_string_equal(answer->media[neg->media].proto, "RTP/AVP");
	assert_int_equal(answer->media[neg->media].port, local->port);
	assert_string_equal(answer->media[neg->media].addr, local->addr);
	assert_int_equal(answer->media[neg->media].ip6, local->ip6);
	assert_int_equal(answer->media[neg->media].dir, neg->dir);
	assert_int_equal(answer->sess_id, local->sess_id);
	assert_int_equal(answer->sess_version, local->sess_version);
	/* the remote end is the offer's accepted section */
	assert_string_equal(neg->remote_addr, offer->media[neg->media].addr);
	assert_int_equal(neg->remote_port, offer->media[neg->media].port);
	assert_non_null(find_fmt(&answer->media[neg->media], neg->fmt.pt));
	assert_non_null(find_fmt(&offer->media[neg->media], neg->fmt.pt));

	/* the answer reads back, and the offerer accepts it (RFC 3264 §7) */
	write_and_parse(answer, text, sizeof(text), &back);
	assert_sdp_equal(answer, &back);
	memset(&oneg, 0xA5, sizeof(oneg));
	assert_int_equal(sdp_check_answer(offer, &back, &oneg), 0);
	assert_int_equal(oneg.media, neg->media);
	assert_int_equal(oneg.fmt.pt, neg->fmt.pt);
	assert_int_equal(oneg.has_dtmf, neg->has_dtmf);
	if (neg->has_dtmf)
		assert_int_equal(oneg.dtmf_pt, neg->dtmf_pt);
	assert_string_equal(oneg.remote_addr, local->addr);
	assert_int_equal(oneg.remote_port, local->port);
}

/* ---- sdp_parse: descriptions of real peers ----------------------------- */

/* RFC 4566 §5, §5.7, §5.14, §6 (rtpmap): SIPp's default uac offer. */
static void test_parse_sipp_uac_offer(void **state)
{
	struct sdp s;

	(void)state;
	assert_parses(SIPP_UAC, &s);
	assert_sdp_fields(&s);
	assert_int_equal(s.sess_id, 53655765);
	assert_int_equal(s.sess_version, 2353687637u);
	assert_string_equal(s.origin_addr, "127.0.0.1");
	assert_string_equal(s.name, "-");
	assert_int_equal(s.nmedia, 1);
	assert_string_equal(s.media[0].type, "audio");
	assert_int_equal(s.media[0].port, 6000);
	assert_string_equal(s.media[0].proto, "RTP/AVP");
	assert_string_equal(s.media[0].addr, "127.0.0.1");
	assert_false(s.media[0].ip6);
	assert_int_equal(s.media[0].dir, SDP_SENDRECV); /* RFC 3264 §5.1 */
	assert_int_equal(s.media[0].ptime, 0);
	assert_int_equal(s.media[0].rtcp_port, 0);
	ASSERT_PTS(&s.media[0], 0);
	assert_fmt(&s.media[0].fmts[0], 0, "PCMU", 8000, 1, "");
}

/* RFC 4566 §6 (rtpmap with channels, fmtp, ptime, sendrecv), RFC 3605:
 * baresip's a=rtcp-rsize is not an a=rtcp port; unknown attributes, even
 * with spaces in them, are skipped. */
static void test_parse_baresip_offer(void **state)
{
	struct sdp s;
	const struct sdp_media *m;

	(void)state;
	assert_parses(BARESIP, &s);
	assert_sdp_fields(&s);
	assert_int_equal(s.sess_id, 1380930427);
	assert_int_equal(s.sess_version, 3143526743u);
	assert_int_equal(s.nmedia, 1);
	m = &s.media[0];
	assert_int_equal(m->port, 10314);
	assert_string_equal(m->addr, "192.168.1.20");
	ASSERT_PTS(m, 111, 9, 0, 8, 101);
	assert_fmt(&m->fmts[0], 111, "opus", 48000, 2,
	           "stereo=1;sprop-stereo=1");
	assert_fmt(&m->fmts[1], 9, "G722", 8000, 1, "");
	assert_fmt(&m->fmts[2], 0, "PCMU", 8000, 1, "");
	assert_fmt(&m->fmts[3], 8, "PCMA", 8000, 1, "");
	assert_fmt(&m->fmts[4], 101, "telephone-event", 8000, 1, "0-15");
	assert_int_equal(m->dir, SDP_SENDRECV);
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->rtcp_port, 0);
}

/* RFC 4566 §6: a=ptime is read, a=maxptime (after it) is not a=ptime;
 * GSM, a static format we do not have, is kept as listed. */
static void test_parse_asterisk_offer(void **state)
{
	struct sdp s;
	const struct sdp_media *m;

	(void)state;
	assert_parses(ASTERISK, &s);
	assert_sdp_fields(&s);
	assert_string_equal(s.name, "Asterisk");
	assert_string_equal(s.origin_addr, "203.0.113.5");
	assert_int_equal(s.sess_version, 3);
	assert_int_equal(s.nmedia, 1);
	m = &s.media[0];
	ASSERT_PTS(m, 0, 8, 3, 101);
	assert_fmt(&m->fmts[2], 3, "GSM", 8000, 1, "");
	assert_fmt(&m->fmts[3], 101, "telephone-event", 8000, 1, "0-16");
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->dir, SDP_SENDRECV);
}

/* RFC 4566 §6: a=ptime is a hint; one that is not a number of at most
 * 65535 ms is ignored (ptime 0, as if absent), not a reason to refuse
 * the offer (issue 17 item 7: an absurd ptime); a readable one, however
 * absurd, is read as it is (the provider uses only 10 - 60 ms). */
static void test_parse_unreadable_ptime_ignored(void **state)
{
	static const char *const bad[] = {"100000", "abc", "", "-5",
	                                  "99999999999999999999"};
	char text[512];
	struct sdp s;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
		         "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		         "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		         "m=audio 4000 RTP/AVP 0\r\na=ptime:%s\r\n",
		         bad[i]);
		assert_parses(text, &s);
		assert_int_equal(s.media[0].ptime, 0);
	}
	assert_parses("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	              "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	              "m=audio 4000 RTP/AVP 0\r\na=ptime:7\r\n",
	              &s);
	assert_int_equal(s.media[0].ptime, 7);
}

/* RFC 4566 §5: lines ending in a bare LF read as those ending in CRLF. */
static void test_parse_lf_only_line_ends(void **state)
{
	struct sdp crlf, lf;

	(void)state;
	assert_parses(ASTERISK, &crlf);
	assert_parses(ASTERISK_LF, &lf);
	assert_sdp_equal(&crlf, &lf);
}

/* RFC 3605 §2.1: a=rtcp with an address; RFC 4566 §6: fmtp parameters
 * separated by "; " as FreeSWITCH writes them are accepted, and (sdp.h)
 * stored as printable ASCII. */
static void test_parse_freeswitch_offer(void **state)
{
	struct sdp s;
	const struct sdp_media *m;

	(void)state;
	assert_parses(FREESWITCH, &s);
	assert_sdp_fields(&s);
	assert_string_equal(s.name, "FreeSWITCH");
	assert_int_equal(s.sess_id, 1707100000);
	m = &s.media[0];
	ASSERT_PTS(m, 102, 9, 0, 8, 101, 13);
	assert_string_equal(m->fmts[0].name, "opus");
	assert_int_equal(m->fmts[0].rate, 48000);
	assert_int_equal(m->fmts[0].channels, 2);
	assert_fmt(&m->fmts[5], 13, "CN", 8000, 1, "");
	assert_int_equal(m->rtcp_port, 24817);
	assert_int_equal(m->ptime, 20);
}

/* RFC 4566 §5.14: two m= sections, each with its formats; RFC 4566 §6: an
 * fmtp for a listed static format without rtpmap; b= skipped; a=rtcp-fb
 * and a=rtcp-xr are not a=rtcp (RFC 3605). */
static void test_parse_linphone_offer_with_video(void **state)
{
	struct sdp s;
	const struct sdp_media *a, *v;

	(void)state;
	assert_parses(LINPHONE, &s);
	assert_sdp_fields(&s);
	assert_string_equal(s.name, "Talk");
	assert_int_equal(s.nmedia, 2);
	a = &s.media[0];
	v = &s.media[1];
	assert_string_equal(a->type, "audio");
	assert_int_equal(a->port, 7078);
	ASSERT_PTS(a, 96, 97, 98, 0, 8, 18, 101, 99, 100);
	assert_fmt(&a->fmts[0], 96, "opus", 48000, 2, "useinbandfec=1");
	assert_fmt(&a->fmts[1], 97, "speex", 16000, 1, "vbr=on");
	assert_fmt(&a->fmts[5], 18, "", 0, 1, "annexb=yes");
	assert_fmt(&a->fmts[6], 101, "telephone-event", 48000, 1, "");
	assert_fmt(&a->fmts[8], 100, "telephone-event", 8000, 1, "");
	assert_int_equal(a->rtcp_port, 0);
	assert_string_equal(v->type, "video");
	assert_int_equal(v->port, 9078);
	assert_string_equal(v->proto, "RTP/AVP");
	assert_string_equal(v->addr, "192.168.1.30");
	ASSERT_PTS(v, 96, 97);
	assert_fmt(&v->fmts[0], 96, "VP8", 90000, 1, "");
	assert_fmt(&v->fmts[1], 97, "H264", 90000, 1,
	           "profile-level-id=42801F");
	assert_int_equal(v->rtcp_port, 0);
}

/* RFC 4566 §5.7: a media-level c= overrides the session's, which the other
 * sections keep. */
static void test_parse_media_connection_overrides_session(void **state)
{
	static const char text[] = HEAD "m=audio 4000 RTP/AVP 0\r\n"
					"c=IN IP4 198.51.100.9\r\n"
					"m=audio 4002 RTP/AVP 8\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_int_equal(s.nmedia, 2);
	assert_string_equal(s.media[0].addr, "198.51.100.9");
	assert_string_equal(s.media[1].addr, "192.0.2.1");
}

/* RFC 4566 §5.7: media-level c= only, no session-level one. */
static void test_parse_media_connection_without_session_one(void **state)
{
	static const char text[] = "v=0\r\n"
				   "o=- 1 1 IN IP4 192.0.2.1\r\n"
				   "s=-\r\n"
				   "t=0 0\r\n"
				   "m=audio 4000 RTP/AVP 0\r\n"
				   "c=IN IP4 198.51.100.9\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_string_equal(s.media[0].addr, "198.51.100.9");
}

/* RFC 4566 §5.7: c=IN IP6. */
static void test_parse_ipv6_connection(void **state)
{
	static const char text[] = "v=0\r\n"
				   "o=- 9 9 IN IP6 2001:db8::1\r\n"
				   "s=-\r\n"
				   "c=IN IP6 2001:db8::1\r\n"
				   "t=0 0\r\n"
				   "m=audio 4000 RTP/AVP 0\r\n"
				   "m=audio 4002 RTP/AVP 0\r\n"
				   "c=IN IP4 192.0.2.7\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_string_equal(s.origin_addr, "2001:db8::1");
	assert_string_equal(s.media[0].addr, "2001:db8::1");
	assert_true(s.media[0].ip6);
	assert_string_equal(s.media[1].addr, "192.0.2.7");
	assert_false(s.media[1].ip6);
}

/* RFC 3264 §5.1, RFC 4566 §6: a direction attribute at session level
 * applies to every section without one of its own; sendrecv without any. */
static void test_parse_direction_session_and_media_level(void **state)
{
	static const char text[] = HEAD "a=sendonly\r\n"
					"m=audio 4000 RTP/AVP 0\r\n"
					"m=audio 4002 RTP/AVP 0\r\n"
					"a=inactive\r\n"
					"m=audio 4004 RTP/AVP 0\r\n"
					"a=recvonly\r\n"
					"m=audio 4006 RTP/AVP 0\r\n"
					"a=sendrecv\r\n";
	static const char none[] = HEAD "m=audio 4000 RTP/AVP 0\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_int_equal(s.nmedia, 4);
	assert_int_equal(s.media[0].dir, SDP_SENDONLY);
	assert_int_equal(s.media[1].dir, SDP_INACTIVE);
	assert_int_equal(s.media[2].dir, SDP_RECVONLY);
	assert_int_equal(s.media[3].dir, SDP_SENDRECV);
	assert_parses(none, &s);
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
}

/* RFC 3605 §2.1: a=rtcp:port and a=rtcp:port IN IP4 addr. */
static void test_parse_rtcp_attribute_forms(void **state)
{
	static const char text[] = HEAD "m=audio 4000 RTP/AVP 0\r\n"
					"a=rtcp:4001\r\n"
					"m=audio 5000 RTP/AVP 0\r\n"
					"a=rtcp:53020 IN IP4 126.16.64.4\r\n"
					"m=audio 6000 RTP/AVP 0\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_int_equal(s.media[0].rtcp_port, 4001);
	assert_int_equal(s.media[1].rtcp_port, 53020);
	assert_int_equal(s.media[2].rtcp_port, 0);
}

/* RFC 3264 §8.2, sdp.h: a section of port 0 needs no address. */
static void test_parse_port_zero_needs_no_address(void **state)
{
	static const char text[] = "v=0\r\n"
				   "o=- 1 1 IN IP4 192.0.2.1\r\n"
				   "s=-\r\n"
				   "t=0 0\r\n"
				   "m=audio 0 RTP/AVP 0\r\n"
				   "m=video 0 RTP/AVP 31\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_int_equal(s.nmedia, 2);
	assert_int_equal(s.media[0].port, 0);
	assert_string_equal(s.media[0].addr, "");
	assert_int_equal(s.media[1].port, 0);
	assert_string_equal(s.media[1].type, "video");
}

/* RFC 4566 §5: a description without media is a description. */
static void test_parse_no_media(void **state)
{
	struct sdp s;

	(void)state;
	assert_parses(HEAD, &s);
	assert_int_equal(s.nmedia, 0);
}

/* RFC 4566 §5, sdp.h: well-formed i=, u=, e=, p=, b=, z=, k=, r= lines
 * at their places are skipped, as are unknown attributes. */
static void test_parse_skips_other_lines_and_unknown_attributes(void **state)
{
	static const char text[] =
		"v=0\r\n"
		"o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
		"s=SDP Seminar\r\n"
		"i=A Seminar on the session description protocol\r\n"
		"u=http://www.example.com/seminars/sdp.pdf\r\n"
		"e=j.doe@example.com (Jane Doe)\r\n"
		"p=+1 617 555-6011\r\n"
		"c=IN IP4 10.47.16.5\r\n"
		"b=CT:128\r\n"
		"t=2873397496 2873404696\r\n"
		"r=7d 1h 0 25h\r\n"
		"z=2882844526 -1h 2898848070 0\r\n"
		"k=prompt\r\n"
		"a=recvonly\r\n"
		"a=x-unknown-flag\r\n"
		"m=audio 49170 RTP/AVP 0\r\n"
		"i=the audio\r\n"
		"b=AS:64\r\n"
		"a=x-unknown:with some spaces\r\n"
		"a=silenceSupp:off - - - -\r\n";
	struct sdp s;

	(void)state;
	assert_parses(text, &s);
	assert_sdp_fields(&s);
	assert_string_equal(s.name, "SDP Seminar");
	assert_int_equal(s.nmedia, 1);
	assert_int_equal(s.media[0].port, 49170);
	assert_int_equal(s.media[0].dir, SDP_RECVONLY);
	ASSERT_PTS(&s.media[0], 0);
}

/* RFC 4566 §5.14: a transport other than RTP/... has token formats (T.38
 * fax over UDPTL); sdp.h keeps only the first, as first_fmt. */
static void test_parse_non_rtp_transport_with_token_format(void **state)
{
	struct sdp s;

	(void)state;
	assert_parses(T38_GATEWAY, &s);
	assert_sdp_fields(&s);
	assert_int_equal(s.nmedia, 2);
	assert_string_equal(s.media[1].type, "image");
	assert_int_equal(s.media[1].port, 16002);
	assert_string_equal(s.media[1].proto, "udptl");
	assert_int_equal(s.media[1].nfmts, 0);
	assert_string_equal(s.media[1].first_fmt, "t38");
	assert_int_equal(s.media[0].nfmts, 3);
}

/* sdp.h: SDP_MAX_MEDIA sections of SDP_MAX_FMTS formats, the RTP payload
 * type range 0 - 127 and the port range 0 - 65535 are accepted. */
static void test_parse_accepts_the_limits(void **state)
{
	char text[SDP_MAX_TEXT];
	size_t n;
	unsigned i, j;
	struct sdp s;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%s", HEAD);
	for (i = 0; i < SDP_MAX_MEDIA; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "m=audio %u RTP/AVP",
		                      i == 0 ? 65535u : 4000 + 2 * i);
		for (j = 0; j < SDP_MAX_FMTS; j++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %u",
			                      j == 0 ? 127u : j);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n");
	}
	assert_true(n < sizeof(text));
	assert_parses(text, &s);
	assert_int_equal(s.nmedia, SDP_MAX_MEDIA);
	assert_int_equal(s.media[0].port, 65535);
	for (i = 0; i < SDP_MAX_MEDIA; i++) {
		assert_int_equal(s.media[i].nfmts, SDP_MAX_FMTS);
		assert_int_equal(s.media[i].fmts[0].pt, 127);
		assert_int_equal(s.media[i].fmts[SDP_MAX_FMTS - 1].pt,
		                 SDP_MAX_FMTS - 1);
	}
}

/* Appends to @buf (holding @len bytes) one well-formed unknown attribute
 * line of @total bytes, its CRLF included. */
static size_t add_line(char *buf, size_t len, size_t total)
{
	assert_true(total >= 6);
	memcpy(buf + len, "a=x:", 4);
	memset(buf + len + 4, 'A', total - 6);
	memcpy(buf + len + total - 2, "\r\n", 2);
	return len + total;
}

/* Appends such lines, each under 1000 bytes, until @buf holds exactly
 * @target bytes. */
static size_t pad_to(char *buf, size_t len, size_t target)
{
	while (target - len > 1010)
		len = add_line(buf, len, 900);
	if (len < target)
		len = add_line(buf, len, target - len);
	return len;
}

/* sdp.h: a text of SDP_MAX_TEXT bytes is accepted, one more is refused;
 * a line of 1022 bytes and its CRLF is accepted, one of SDP_MAX_LINE + 1
 * bytes is refused. */
static void test_parse_text_and_line_length_limits(void **state)
{
	static char text[SDP_MAX_TEXT + 64];
	static const char base[] = HEAD "m=audio 4000 RTP/AVP 0\r\n";
	struct sdp s;
	size_t n;

	(void)state;
	memcpy(text, base, sizeof(base) - 1);
	n = pad_to(text, sizeof(base) - 1, SDP_MAX_TEXT);
	assert_int_equal(n, SDP_MAX_TEXT);
	assert_parses_n(text, n, &s);
	assert_int_equal(s.media[0].port, 4000);
	n = pad_to(text, sizeof(base) - 1, SDP_MAX_TEXT + 1);
	assert_refused_n(text, n);

	/* a line of SDP_MAX_LINE - 2 bytes before its CRLF */
	n = add_line(text, sizeof(base) - 1, SDP_MAX_LINE);
	assert_parses_n(text, n, &s);
	/* a line of SDP_MAX_LINE + 1 bytes before its CRLF */
	n = add_line(text, sizeof(base) - 1, SDP_MAX_LINE + 3);
	assert_refused_n(text, n);
	/* the same without line end, at the end of the text */
	assert_refused_n(text, n - 2);
	/* an over-long s= line */
	n = (size_t)snprintf(text, sizeof(text),
	                     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=");
	memset(text + n, 'S', SDP_MAX_LINE);
	n += SDP_MAX_LINE;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\nt=0 0\r\n");
	assert_refused_n(text, n);
}

/* sdp.h: strings hold printable ASCII only; a session name in UTF-8 (RFC
 * 4566 §5.3 allows it with a=charset) is refused or stored without its
 * other bytes, never as they came. */
static void test_parse_strings_stay_printable_ascii(void **state)
{
	static const char text[] = "v=0\r\n"
				   "o=- 1 1 IN IP4 192.0.2.1\r\n"
				   "s=Caf\xC3\xA9 \xE2\x98\x8E\r\n"
				   "c=IN IP4 192.0.2.1\r\n"
				   "t=0 0\r\n"
				   "a=x-note:\xC3\xA9t\xC3\xA9\r\n"
				   "m=audio 4000 RTP/AVP 0\r\n";
	struct sdp s;

	(void)state;
	if (parse_n(text, sizeof(text) - 1, &s) == 0)
		assert_sdp_fields(&s);
}

/* ---- sdp_parse: refusals (sdp.h's list, one test per class) ------------ */

/* The report: a description whose m= transport holds 0x01 sent Debian's
 * sofia-sip 1.12.11 into an endless allocation loop; it is refused. */
static void test_parse_refuses_the_sofia_sip_attack(void **state)
{
	static const char attack[] = "v=0\r\n"
				     "o=- 0 0 IN IP4 10.0.0.1\r\n"
				     "s=-\r\n"
				     "c=IN IP4 10.0.0.1\r\n"
				     "t=0 0\r\n"
				     "m=audio 40000 RT\x01/AVP 0\r\n";
	static const char line_only[] = "m=audio 40000 RT\x01/AVP 0";

	(void)state;
	assert_refused_n(attack, sizeof(attack) - 1);
	assert_refused_n(line_only, sizeof(line_only) - 1);
}

/* The lines of a description with every kind of line sdp_parse reads or
 * skips; a control byte anywhere in any of them is refused. */
static const char *const KINDS[] = {
	"v=0",
	"o=- 1707 1708 IN IP4 192.0.2.1",
	"s=A call",
	"i=info",
	"c=IN IP4 192.0.2.1",
	"b=AS:64",
	"t=0 0",
	"a=recvonly",
	"m=audio 40000 RTP/AVP 0 101",
	"c=IN IP4 192.0.2.2",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-16",
	"a=ptime:20",
	"a=rtcp:40001",
	"a=sendonly",
	"a=x-unknown:value",
};

#define NKINDS (sizeof(KINDS) / sizeof(KINDS[0]))

/* Joins KINDS with CRLF into @out; line @at, if < NKINDS, gets @byte
 * inserted at @pos (@replace: instead of the byte there). */
static size_t build_kinds(char *out, size_t at, size_t pos, char byte,
                          bool replace)
{
	size_t i, n = 0;

	for (i = 0; i < NKINDS; i++) {
		size_t len = strlen(KINDS[i]);

		if (i == at) {
			memcpy(out + n, KINDS[i], pos);
			out[n + pos] = byte;
			n += pos + 1;
			if (replace)
				pos++;
			memcpy(out + n, KINDS[i] + pos, len - pos);
			n += len - pos;
		} else {
			memcpy(out + n, KINDS[i], len);
			n += len;
		}
		memcpy(out + n, "\r\n", 2);
		n += 2;
	}
	return n;
}

/* sdp.h: a byte below 0x20 other than CR and LF, or 0x7F, anywhere is
 * refused: in every kind of line, at every place, inserted or replacing,
 * NUL included; on a line of its own; after the last line. */
static void test_parse_refuses_control_bytes_everywhere(void **state)
{
	static const char bytes[] = {0x00, 0x01, 0x08, 0x09, 0x0B,
	                             0x0C, 0x1B, 0x1F, 0x7F};
	char text[1024];
	struct sdp s;
	size_t b, at, pos, n;

	(void)state;
	n = build_kinds(text, NKINDS, 0, 0, false);
	assert_parses_n(text, n, &s); /* the base is accepted */
	assert_int_equal(s.media[0].dir, SDP_SENDONLY);
	for (b = 0; b < sizeof(bytes); b++) {
		for (at = 0; at < NKINDS; at++) {
			size_t len = strlen(KINDS[at]);

			for (pos = 0; pos <= len; pos++) {
				n = build_kinds(text, at, pos, bytes[b], false);
				assert_refused_n(text, n);
				if (pos < len) {
					n = build_kinds(text, at, pos, bytes[b],
					                true);
					assert_refused_n(text, n);
				}
			}
		}
		/* a line of the byte alone, and the byte after the end */
		n = build_kinds(text, NKINDS, 0, 0, false);
		text[n] = bytes[b];
		assert_refused_n(text, n + 1);
		memcpy(text + n + 1, "\r\n", 2);
		assert_refused_n(text, n + 3);
	}
}

/* RFC 4566 §5, sdp.h: a line not "<letter>=<value>" is refused. */
static void test_parse_refuses_malformed_lines(void **state)
{
	static const char *const bad[] = {
		HEAD "hello\r\n",
		HEAD "=0\r\n",
		HEAD "aa=sendrecv\r\n",
		HEAD "a sendrecv\r\n",
		HEAD " a=sendrecv\r\n",
		HEAD "1=x\r\n",
		HEAD "\r\nm=audio 4000 RTP/AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nx\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §5 ("An SDP parser MUST completely ignore any session
 * description that contains a type letter that it does not understand"):
 * a line of an unknown type is refused, at session or media level. */
static void test_parse_refuses_unknown_line_types(void **state)
{
	static const char *const bad[] = {
		HEAD "x=something\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\ny=1\r\n",
		HEAD "w=0\r\nm=audio 4000 RTP/AVP 0\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §6 (rtpmap: <payload type> <encoding name>/<clock rate>
 * [/<encoding parameters>]): a malformed rtpmap never leaves a format
 * half described: refused, or the format bare. */
static void test_parse_malformed_rtpmap_leaves_no_half_format(void **state)
{
	static const char *const maps[] = {
		"a=rtpmap:0 PCMU",
		"a=rtpmap:0 PCMU/",
		"a=rtpmap:0 /8000",
		"a=rtpmap:0 PCMU/x",
		"a=rtpmap:0 PCMU/8000/0",
		"a=rtpmap:0 PC(MU/8000",
		"a=rtpmap:0",
		"a=rtpmap:0 PCMU/8000 extra",
		"a=rtpmap:x PCMU/8000",
		"a=rtpmap:0 PCMU/99999999999",
	};
	char text[512];
	struct sdp s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(text, sizeof(text),
		         "%sm=audio 4000 RTP/AVP 0\r\n%s\r\n", HEAD, maps[i]);
		if (parse_n(text, strlen(text), &s) != 0)
			continue;
		assert_sdp_fields(&s);
		if (s.media[0].fmts[0].name[0] || s.media[0].fmts[0].rate)
			print_error("\"%s\" half read\n", maps[i]);
		assert_fmt(&s.media[0].fmts[0], 0, "", 0, 1, "");
	}
}

/* RFC 4566 §5, sdp.h: v=0 first; v=, o= and s= each exactly once. */
static void test_parse_refuses_missing_or_repeated_v_o_s(void **state)
{
	static const char *const bad[] = {
		/* no v= */
		"o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
		"t=0 0\r\n",
		/* v= not first */
		"o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\ns=-\r\n"
		"c=IN IP4 192.0.2.1\r\nt=0 0\r\n",
		/* v= not 0 */
		"v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		"c=IN IP4 192.0.2.1\r\nt=0 0\r\n",
		/* no o= */
		"v=0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n",
		/* no s= */
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n"
		"t=0 0\r\n",
		/* repeated, at session level or in a section */
		HEAD "v=0\r\n",
		HEAD "o=- 2 2 IN IP4 192.0.2.1\r\n",
		HEAD "s=again\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nv=0\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\no=- 2 2 IN IP4 192.0.2.1\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\ns=again\r\n",
		/* empty */
		"",
		"\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* sdp.h: at most SDP_MAX_MEDIA m= sections. */
static void test_parse_refuses_too_many_media_sections(void **state)
{
	char text[SDP_MAX_TEXT];
	size_t n;
	unsigned i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%s", HEAD);
	for (i = 0; i <= SDP_MAX_MEDIA; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "m=audio %u RTP/AVP 0\r\n", 4000 + 2 * i);
	assert_refused(text);
}

/* sdp.h: at most SDP_MAX_FMTS formats on an m= line. */
static void test_parse_refuses_too_many_formats(void **state)
{
	char text[SDP_MAX_TEXT];
	size_t n;
	unsigned j;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%sm=audio 4000 RTP/AVP",
	                     HEAD);
	for (j = 0; j <= SDP_MAX_FMTS; j++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %u", j);
	snprintf(text + n, sizeof(text) - n, "\r\n");
	assert_refused(text);
}

/* RFC 4566 §5.14, sdp.h: the port is a number 0 - 65535. */
static void test_parse_refuses_bad_ports(void **state)
{
	static const char *const bad[] = {
		HEAD "m=audio 65536 RTP/AVP 0\r\n",
		HEAD "m=audio 99999999999999999999 RTP/AVP 0\r\n",
		HEAD "m=audio 4294971296 RTP/AVP 0\r\n", /* 2^32 + 4000 */
		HEAD "m=audio -1 RTP/AVP 0\r\n",
		HEAD "m=audio +4000 RTP/AVP 0\r\n",
		HEAD "m=audio abc RTP/AVP 0\r\n",
		HEAD "m=audio 4000x RTP/AVP 0\r\n",
		HEAD "m=audio 0x10 RTP/AVP 0\r\n",
		HEAD "m=audio  RTP/AVP 0\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §5.14, §9 (media = token, proto = token *("/" token), fmt =
 * token; 1*(SP fmt)), sdp.h. */
static void test_parse_refuses_bad_media_tokens(void **state)
{
	static const char *const bad[] = {
		HEAD "m=\r\n",
		HEAD "m=audio\r\n",
		HEAD "m=audio 4000\r\n",
		HEAD "m=audio 4000 RTP/AVP\r\n",
		HEAD "m=au(dio 4000 RTP/AVP 0\r\n",
		HEAD "m=audio: 4000 RTP/AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP; 0\r\n",
		HEAD "m=audio 4000 RTP/AV@P 0\r\n",
		HEAD "m=audio 4000 RTP/AVP,RTP/SAVP 0\r\n",
		HEAD "m=audio 4000 RTP//AVP 0\r\n",
		HEAD "m=audio 4000 /RTP/AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP/ 0\r\n",
		HEAD "m=image 4000 udptl t3(8\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §5.14 (RTP formats are payload types), sdp.h: an RTP/...
 * transport's formats are numbers 0 - 127. */
static void test_parse_refuses_non_numeric_rtp_formats(void **state)
{
	static const char *const bad[] = {
		HEAD "m=audio 4000 RTP/AVP PCMU\r\n",
		HEAD "m=audio 4000 RTP/AVP 0 x\r\n",
		HEAD "m=audio 4000 RTP/AVP 128\r\n",
		HEAD "m=audio 4000 RTP/AVP 256\r\n", /* not 0 in a byte */
		HEAD "m=audio 4000 RTP/AVP 8 264\r\n",
		HEAD "m=audio 4000 RTP/AVP 99999999999\r\n",
		HEAD "m=audio 4000 RTP/AVP -1\r\n",
		HEAD "m=audio 4000 RTP/AVP 0a\r\n",
		HEAD "m=audio 4000 RTP/AVP 0x1\r\n",
		HEAD "m=audio 4000 RTP/SAVP abc\r\n",
		HEAD "m=video 4000 RTP/AVPF 300\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §5.7, sdp.h: c= is "IN IP4 addr" or "IN IP6 addr", at session
 * or media level. */
static void test_parse_refuses_bad_connection(void **state)
{
	static const char *const lines[] = {
		"c=",
		"c=IN",
		"c=IN IP4",
		"c=IN IP4 ",
		"c=IN IP5 192.0.2.1",
		"c=XX IP4 192.0.2.1",
		"c=ATM NSAP 47.0091.8100.0000.0060.3e64.fd01.0060.3e64.fd01.00",
		"c=IN IP4 192.0.2.1 192.0.2.2",
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text),
		         "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n%s\r\n"
		         "t=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
		         lines[i]);
		assert_refused(text);
		snprintf(text, sizeof(text),
		         "%sm=audio 4000 RTP/AVP 0\r\n%s\r\n", HEAD, lines[i]);
		assert_refused(text);
	}
}

/* RFC 4566 §6 (rtpmap, fmtp name a format of their m= line), sdp.h. */
static void test_parse_refuses_rtpmap_or_fmtp_for_unlisted_format(void **state)
{
	static const char *const bad[] = {
		HEAD "m=audio 4000 RTP/AVP 0\r\n"
		     "a=rtpmap:8 PCMA/8000\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\n"
		     "a=fmtp:101 0-16\r\n",
		/* listed in another section only */
		HEAD "m=audio 4000 RTP/AVP 0 101\r\n"
		     "m=audio 4002 RTP/AVP 0\r\n"
		     "a=rtpmap:101 telephone-event/8000\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* RFC 4566 §5.7 (c= at session level or in every section), sdp.h: a port
 * of 1 - 65535 with no connection address is refused. */
static void test_parse_refuses_port_without_address(void **state)
{
	static const char *const bad[] = {
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.5\r\n"
		"m=audio 4002 RTP/AVP 0\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i]);
}

/* sdp.h's fields have fixed sizes: an address that does not fit is
 * refused, never cut (a cut host name would send media elsewhere). */
static void test_parse_refuses_address_longer_than_its_field(void **state)
{
	char text[512], host[SDP_ADDR_LEN + 1];

	(void)state;
	memset(host, 'h', SDP_ADDR_LEN);
	host[SDP_ADDR_LEN] = '\0';
	snprintf(text, sizeof(text),
	         "%sm=audio 4000 RTP/AVP 0\r\nc=IN IP4 %s\r\n", HEAD, host);
	assert_refused(text);
	/* one less fits */
	host[SDP_ADDR_LEN - 1] = '\0';
	snprintf(text, sizeof(text),
	         "%sm=audio 4000 RTP/AVP 0\r\nc=IN IP4 %s\r\n", HEAD, host);
	{
		struct sdp s;

		assert_parses(text, &s);
		assert_string_equal(s.media[0].addr, host);
	}
}

/* ---- sdp_write ---------------------------------------------------------- */

/* A description using every field: two addresses, IPv6, every direction,
 * ptime, rtcp, fmtp, a format without name, a rejected section. */
static void build_rich(struct sdp *s)
{
	struct sdp_media *m;

	memset(s, 0, sizeof(*s));
	s->sess_id = UINT64_MAX;
	s->sess_version = 1234567890123ull;
	snprintf(s->origin_addr, sizeof(s->origin_addr), "%s", "192.0.2.10");
	snprintf(s->name, sizeof(s->name), "%s", "a tapix call");
	s->nmedia = 4;

	m = &s->media[0];
	snprintf(m->type, sizeof(m->type), "%s", "audio");
	snprintf(m->proto, sizeof(m->proto), "%s", "RTP/AVP");
	snprintf(m->addr, sizeof(m->addr), "%s", "192.0.2.10");
	m->port = 40000;
	m->dir = SDP_SENDONLY;
	m->ptime = 30;
	m->rtcp_port = 40011;
	fmt_set(&m->fmts[m->nfmts++], 8, "PCMA", 8000, 1, "");
	fmt_set(&m->fmts[m->nfmts++], 18, "", 0, 1, "annexb=no");
	fmt_set(&m->fmts[m->nfmts++], 96, "opus", 48000, 2,
	        "useinbandfec=1;stereo=0");
	fmt_set(&m->fmts[m->nfmts++], 101, "telephone-event", 8000, 1, "0-16");

	m = &s->media[1];
	snprintf(m->type, sizeof(m->type), "%s", "audio");
	snprintf(m->proto, sizeof(m->proto), "%s", "RTP/AVP");
	snprintf(m->addr, sizeof(m->addr), "%s", "2001:db8::10");
	m->ip6 = true;
	m->port = 40002;
	m->dir = SDP_RECVONLY;
	fmt_set(&m->fmts[m->nfmts++], 0, "PCMU", 8000, 1, "");

	m = &s->media[2];
	snprintf(m->type, sizeof(m->type), "%s", "video");
	snprintf(m->proto, sizeof(m->proto), "%s", "RTP/AVP");
	m->port = 0;
	m->dir = SDP_INACTIVE;
	fmt_set(&m->fmts[m->nfmts++], 31, "", 0, 1, "");

	m = &s->media[3];
	snprintf(m->type, sizeof(m->type), "%s", "audio");
	snprintf(m->proto, sizeof(m->proto), "%s", "RTP/SAVP");
	snprintf(m->addr, sizeof(m->addr), "%s", "192.0.2.10");
	m->port = 40004;
	m->dir = SDP_SENDRECV;
	fmt_set(&m->fmts[m->nfmts++], 9, "G722", 8000, 1, "");
}

/* RFC 4566 §5: parse(write(x)) == x for descriptions built here. */
static void test_write_round_trips_built_descriptions(void **state)
{
	struct sdp s;
	unsigned i;

	(void)state;
	build_rich(&s);
	assert_round_trip(&s);

	/* every section on one address: a session-level c= */
	for (i = 0; i < s.nmedia; i++) {
		snprintf(s.media[i].addr, sizeof(s.media[i].addr), "%s",
		         "192.0.2.10");
		s.media[i].ip6 = false;
	}
	assert_round_trip(&s);

	/* one section, IPv6 */
	build_rich(&s);
	s.nmedia = 1;
	snprintf(s.media[0].addr, sizeof(s.media[0].addr), "%s", "2001:db8::1");
	s.media[0].ip6 = true;
	assert_round_trip(&s);

	/* a T.38 section: its format kept as first_fmt */
	build_rich(&s);
	s.nmedia = 2;
	memset(&s.media[1], 0, sizeof(s.media[1]));
	snprintf(s.media[1].type, sizeof(s.media[1].type), "%s", "image");
	snprintf(s.media[1].proto, sizeof(s.media[1].proto), "%s", "udptl");
	snprintf(s.media[1].first_fmt, sizeof(s.media[1].first_fmt), "%s",
	         "t38");
	snprintf(s.media[1].addr, sizeof(s.media[1].addr), "%s", "192.0.2.11");
	s.media[1].port = 40006;
	assert_round_trip(&s);

	/* no media at all */
	s.nmedia = 0;
	assert_round_trip(&s);

	/* only rejected sections: no address anywhere */
	build_rich(&s);
	s.media[0] = s.media[2];
	s.nmedia = 1;
	assert_round_trip(&s);

	/* the limits: SDP_MAX_MEDIA sections of SDP_MAX_FMTS formats */
	build_rich(&s);
	for (i = 0; i < SDP_MAX_FMTS; i++)
		fmt_set(&s.media[0].fmts[i], (uint8_t)(127 - i), "L16", 44100,
		        2, "x=1");
	s.media[0].nfmts = SDP_MAX_FMTS;
	for (i = 1; i < SDP_MAX_MEDIA; i++) {
		s.media[i] = s.media[0];
		s.media[i].port = (uint16_t)(65535 - 2 * i);
	}
	s.nmedia = SDP_MAX_MEDIA;
	assert_round_trip(&s);
}

/* RFC 4566 §5: parse(write(parse(peer))) == parse(peer) for every peer. */
static void test_write_round_trips_peer_descriptions(void **state)
{
	static const char *const peers[] = {SIPP_UAC,   BARESIP,  ASTERISK,
	                                    FREESWITCH, LINPHONE, T38_GATEWAY};
	struct sdp s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		assert_parses(peers[i], &s);
		assert_round_trip(&s);
	}
}

/* sdp.h, RFC 4566 §5: what sdp_write produces, line by line: CRLF ends,
 * v= o= s= first, a session-level c= only when every section shares the
 * address, t=0 0, a=rtpmap only for named formats, a=sendrecv written. */
static void test_write_output_form(void **state)
{
	char text[2 * SDP_MAX_TEXT];
	struct sdp s;
	const char *p;
	int n;

	(void)state;
	build_rich(&s);
	n = sdp_write(&s, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal(strncmp(text, "v=0\r\no=", 7), 0);
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p > text && p[-1] == '\r');
	assert_true(text[n - 1] == '\n');
	assert_non_null(strstr(text, "\r\ns=a tapix call\r\n"));
	assert_non_null(strstr(text, "\r\nt=0 0\r\n"));
	assert_null(strstr(text, "\r\nc=IN IP4 192.0.2.10\r\nt="));
	assert_non_null(strstr(text, "\r\nc=IN IP6 2001:db8::10\r\n"));
	assert_non_null(strstr(text, "\r\na=rtpmap:8 PCMA/8000\r\n"));
	assert_non_null(strstr(text, "\r\na=rtpmap:96 opus/48000/2\r\n"));
	assert_non_null(strstr(text, "\r\na=fmtp:18 annexb=no\r\n"));
	assert_null(strstr(text, "a=rtpmap:18 "));
	assert_null(strstr(text, "a=rtpmap:31 "));
	assert_non_null(strstr(text, "\r\na=ptime:30\r\n"));
	assert_non_null(strstr(text, "\r\na=rtcp:40011"));
	assert_non_null(strstr(text, "\r\na=sendonly\r\n"));
	assert_non_null(strstr(text, "\r\na=recvonly\r\n"));
	assert_non_null(strstr(text, "\r\na=inactive\r\n"));
	assert_non_null(strstr(text, "\r\na=sendrecv\r\n"));
	assert_non_null(
		strstr(text, "\r\nm=audio 40000 RTP/AVP 8 18 96 101\r\n"));

	/* one shared address: c= once, at session level, before t= */
	s.nmedia = 1;
	n = sdp_write(&s, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"));
	assert_null(strstr(strstr(text, "t=0 0"), "\nc="));
}

/* sdp.h: a buffer too small for the text gives -ENOSPC and "", whatever
 * its size; one byte more than the length is enough. */
static void test_write_enospc_leaves_empty_output(void **state)
{
	char text[2 * SDP_MAX_TEXT], small[2 * SDP_MAX_TEXT];
	struct sdp s;
	size_t size;
	int n;

	(void)state;
	build_rich(&s);
	n = sdp_write(&s, text, sizeof(text));
	assert_true(n > 0);
	for (size = 1; size <= (size_t)n; size++) {
		int rc;

		memset(small, 'X', sizeof(small));
		rc = sdp_write(&s, small, size);
		if (rc != -ENOSPC)
			print_error("size %zu of %d: got %d\n", size, n, rc);
		assert_int_equal(rc, -ENOSPC);
		assert_int_equal(small[0], '\0');
		assert_int_equal(small[size], 'X'); /* nothing past @size */
	}
	memset(small, 'X', sizeof(small));
	assert_int_equal(sdp_write(&s, small, (size_t)n + 1), n);
	assert_string_equal(small, text);
	assert_int_equal(small[n + 1], 'X');
}

/* ---- sdp_offer ---------------------------------------------------------- */

/* RFC 3264 §5, §5.1: one audio section, our formats in our order of
 * preference, our address and port, our direction; it writes and reads
 * back unchanged. */
static void test_offer_has_one_audio_section_from_local(void **state)
{
	struct sdp_local l;
	struct sdp s;
	unsigned i;

	(void)state;
	local_init(&l);
	memset(&s, 0xA5, sizeof(s));
	sdp_offer(&l, &s);
	assert_sdp_fields(&s);
	assert_int_equal(s.sess_id, 4242);
	assert_int_equal(s.sess_version, 7);
	assert_string_equal(s.origin_addr, "192.0.2.10");
	assert_int_equal(s.nmedia, 1);
	assert_string_equal(s.media[0].type, "audio");
	assert_string_equal(s.media[0].proto, "RTP/AVP");
	assert_int_equal(s.media[0].port, 40000);
	assert_string_equal(s.media[0].addr, "192.0.2.10");
	assert_false(s.media[0].ip6);
	assert_int_equal(s.media[0].dir, SDP_SENDRECV);
	assert_int_equal(s.media[0].ptime, 20);
	assert_int_equal(s.media[0].nfmts, l.nfmts);
	for (i = 0; i < l.nfmts; i++)
		assert_fmt_equal(&s.media[0].fmts[i], &l.fmts[i]);
	assert_round_trip(&s);
}

/* RFC 3264 §8.4: on hold the offer is sendonly; IPv6 gives c=IN IP6. */
static void test_offer_hold_and_ipv6(void **state)
{
	struct sdp_local l;
	struct sdp s;
	char text[2 * SDP_MAX_TEXT];
	int n;

	(void)state;
	local_init(&l);
	l.dir = SDP_SENDONLY;
	l.ip6 = true;
	l.ptime = 0;
	snprintf(l.addr, sizeof(l.addr), "%s", "2001:db8::10");
	l.sess_version = 8;
	sdp_offer(&l, &s);
	assert_int_equal(s.sess_version, 8);
	assert_int_equal(s.media[0].dir, SDP_SENDONLY);
	assert_true(s.media[0].ip6);
	assert_string_equal(s.media[0].addr, "2001:db8::10");
	assert_int_equal(s.media[0].ptime, 0);
	n = sdp_write(&s, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "\r\nc=IN IP6 2001:db8::10\r\n"));
	assert_non_null(strstr(text, "\r\na=sendonly\r\n"));
	assert_null(strstr(text, "a=ptime"));
	assert_round_trip(&s);
}

/* ---- sdp_answer --------------------------------------------------------- */

/* RFC 3264 §5 ("it is RECOMMENDED that [s=] consist of a single space
 * character or a dash"), sdp.h (name: "-" when we write it): our offers
 * and answers name the session "-", and it is written so. */
static void test_offer_and_answer_name_the_session_with_a_dash(void **state)
{
	char text[2 * SDP_MAX_TEXT];
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	sdp_offer(&l, &offer);
	assert_string_equal(offer.name, "-");
	assert_true(sdp_write(&offer, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "\r\ns=-\r\n"));
	assert_parses(ASTERISK, &offer);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), 0);
	assert_string_equal(answer.name, "-");
	assert_true(sdp_write(&answer, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "\r\ns=-\r\n"));
}

/* RFC 3264 §6.1: SIPp's PCMU-only offer is answered with PCMU, and no
 * telephone-event since it offered none; the remote RTCP port is the RTP
 * port + 1 (RFC 3605 §1, RFC 3264 §5.1). */
static void test_answer_plain_pcmu_offer(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(SIPP_UAC, &l, &offer, &answer, &neg);
	assert_int_equal(answer.nmedia, 1);
	ASSERT_PTS(&answer.media[0], 0);
	assert_int_equal(answer.media[0].dir, SDP_SENDRECV);
	assert_int_equal(neg.media, 0);
	assert_int_equal(neg.fmt.pt, 0);
	assert_false(neg.has_dtmf);
	assert_string_equal(neg.remote_addr, "127.0.0.1");
	assert_int_equal(neg.remote_port, 6000);
	assert_int_equal(neg.remote_rtcp_port, 6001);
	assert_int_equal(neg.dir, SDP_SENDRECV);
	assert_int_equal(neg.ptime, 0);
}

/* RFC 3264 §6.1: Asterisk's offer; GSM is left out, telephone-event is
 * agreed at the offer's 101, and the peer's ptime is reported. */
static void test_answer_g711_offer_with_telephone_event(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(ASTERISK, &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 0, 8, 101);
	assert_int_equal(neg.fmt.pt, 0);
	assert_string_equal(neg.fmt.name, "PCMU");
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 101);
	assert_string_equal(neg.remote_addr, "203.0.113.5");
	assert_int_equal(neg.remote_port, 12826);
	assert_int_equal(neg.remote_rtcp_port, 12827);
	assert_int_equal(neg.ptime, 20);
	/* the same over LF line ends */
	answer_ok(ASTERISK_LF, &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 0, 8, 101);
}

/* RFC 3264 §6.1: the answer keeps the offer's order, not ours, and the
 * codec used is the offer's first that we have. */
static void test_answer_keeps_the_offer_order_not_ours(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;
	struct sdp_fmt pcmu;

	(void)state;
	local_init(&l); /* PCMU, PCMA, te: made PCMA, PCMU, te */
	pcmu = l.fmts[0];
	l.fmts[0] = l.fmts[1];
	l.fmts[1] = pcmu;
	answer_ok(BARESIP, &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 0, 8, 101);
	assert_int_equal(neg.fmt.pt, 0);
	/* and an offer preferring PCMA is answered PCMA first */
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 8 0\r\n", &l, &offer, &answer,
	          &neg);
	ASSERT_PTS(&answer.media[0], 8, 0);
	assert_int_equal(neg.fmt.pt, 8);
}

/* RFC 3264 §6.1 ("that same payload type number SHOULD be used"): a
 * dynamic format is answered at the offer's payload type, matched by name
 * and clock rate: telephone-event at 96 while ours is at 101. */
static void test_answer_keeps_offered_dynamic_payload_types(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;
	const struct sdp_fmt *f;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 0 96\r\n"
	               "a=rtpmap:96 telephone-event/8000\r\n"
	               "a=fmtp:96 0-15\r\n",
	          &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 0, 96);
	f = find_fmt(&answer.media[0], 96);
	assert_string_equal(f->name, "telephone-event");
	assert_int_equal(f->rate, 8000);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 96);

	/* opus offered at 102 (FreeSWITCH), ours at 111 */
	fmt_set(&l.fmts[l.nfmts++], 111, "opus", 48000, 2, "useinbandfec=1");
	answer_ok(FREESWITCH, &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 102, 0, 8, 101);
	f = find_fmt(&answer.media[0], 102);
	assert_string_equal(f->name, "opus");
	assert_int_equal(f->rate, 48000);
	assert_int_equal(f->channels, 2);
	assert_int_equal(neg.fmt.pt, 102);
	assert_int_equal(neg.dtmf_pt, 101);
	assert_int_equal(neg.remote_rtcp_port, 24817); /* RFC 3605 */
}

/* RFC 3264 §6.1, RFC 4566 §6 (rtpmap: name and clock rate): Linphone's
 * telephone-event at 101 is the 48 kHz one; ours, at 8 kHz, is its 100.
 * The video section is rejected with port 0 (RFC 3264 §6). */
static void test_answer_matches_dynamic_formats_by_name_and_rate(void **state)
{
	char buf[32];
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(LINPHONE, &l, &offer, &answer, &neg);
	assert_int_equal(answer.nmedia, 2);
	ASSERT_PTS(&answer.media[0], 0, 8, 100);
	assert_int_equal(neg.media, 0);
	assert_int_equal(neg.fmt.pt, 0);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 100);
	assert_string_equal(answer.media[1].type, "video");
	assert_int_equal(answer.media[1].port, 0);
	assert_string_equal(first_format(&answer.media[1], buf, sizeof(buf)),
	                    "96"); /* echoed */
}

/* RFC 4855 §3, RFC 4566 §6: encoding names are case-insensitive. */
static void test_answer_matches_encoding_names_ignoring_case(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 8 97\r\n"
	               "a=rtpmap:8 pcma/8000\r\n"
	               "a=rtpmap:97 Telephone-Event/8000\r\n",
	          &l, &offer, &answer, &neg);
	ASSERT_PTS(&answer.media[0], 8, 97);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 97);
}

/* RFC 3264 §6.1, §8.4: a hold offer is answered with the mirrored
 * direction: sendonly → recvonly, recvonly → sendonly, inactive →
 * inactive (at media or session level); neg.dir is what we then do. */
static void test_answer_hold_offers_mirror_the_direction(void **state)
{
	static const struct {
		const char *session, *media;
		enum sdp_dir want;
	} cases[] = {
		{"", "a=sendonly\r\n", SDP_RECVONLY},
		{"", "a=recvonly\r\n", SDP_SENDONLY},
		{"", "a=inactive\r\n", SDP_INACTIVE},
		{"a=sendonly\r\n", "", SDP_RECVONLY},
		{"a=inactive\r\n", "", SDP_INACTIVE},
		{"a=sendrecv\r\n", "a=recvonly\r\n", SDP_SENDONLY},
		{"", "a=sendrecv\r\n", SDP_SENDRECV},
		{"", "", SDP_SENDRECV},
	};
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;
	char text[1024];
	size_t i;

	(void)state;
	local_init(&l);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
		         "%s%sm=audio 4000 RTP/AVP 0 101\r\n"
		         "a=rtpmap:101 telephone-event/8000\r\n%s",
		         HEAD, cases[i].session, cases[i].media);
		answer_ok(text, &l, &offer, &answer, &neg);
		if (answer.media[0].dir != cases[i].want)
			print_error("case %zu: answered %s\n", i,
			            sdp_dir_name(answer.media[0].dir));
		assert_int_equal(answer.media[0].dir, cases[i].want);
		assert_int_equal(neg.dir, cases[i].want);
	}
}

/* RFC 3264 §6.1, §8.4: a sendrecv offer while we hold (local SENDONLY)
 * is answered sendonly; a recvonly one too, and an inactive one inactive.
 * A sendonly offer while we hold may be answered recvonly or inactive,
 * never with a direction that sends. */
static void test_answer_sendrecv_offer_while_we_hold(void **state)
{
	static const struct {
		const char *attr;
		enum sdp_dir want;
	} cases[] = {
		{"a=sendrecv\r\n", SDP_SENDONLY},
		{"", SDP_SENDONLY},
		{"a=recvonly\r\n", SDP_SENDONLY},
		{"a=inactive\r\n", SDP_INACTIVE},
	};
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;
	char text[1024];
	size_t i;

	(void)state;
	local_init(&l);
	l.dir = SDP_SENDONLY;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%sm=audio 4000 RTP/AVP 0\r\n%s",
		         HEAD, cases[i].attr);
		answer_ok(text, &l, &offer, &answer, &neg);
		assert_int_equal(answer.media[0].dir, cases[i].want);
		assert_int_equal(neg.dir, cases[i].want);
	}
	snprintf(text, sizeof(text),
	         "%sm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", HEAD);
	answer_ok(text, &l, &offer, &answer, &neg);
	assert_true(answer.media[0].dir == SDP_RECVONLY ||
	            answer.media[0].dir == SDP_INACTIVE);
}

/* RFC 3264 §6: sections other than the accepted audio one are rejected
 * with port 0 and their first format echoed: video first, T.38. */
static void test_answer_rejects_other_sections_with_port_zero(void **state)
{
	char buf[32];
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=video 5000 RTP/AVP 31 34\r\n"
	               "m=audio 4000 RTP/AVP 0\r\n"
	               "m=audio 4002 RTP/AVP 8\r\n",
	          &l, &offer, &answer, &neg);
	assert_int_equal(answer.nmedia, 3);
	assert_int_equal(neg.media, 1);
	assert_int_equal(answer.media[0].port, 0);
	assert_string_equal(answer.media[0].type, "video");
	assert_string_equal(first_format(&answer.media[0], buf, sizeof(buf)),
	                    "31");
	assert_int_equal(answer.media[1].port, 40000);
	/* only the first acceptable audio section is taken */
	assert_int_equal(answer.media[2].port, 0);
	assert_string_equal(first_format(&answer.media[2], buf, sizeof(buf)),
	                    "8");
	assert_int_equal(neg.remote_port, 4000);

	answer_ok(T38_GATEWAY, &l, &offer, &answer, &neg);
	assert_int_equal(neg.media, 0);
	ASSERT_PTS(&answer.media[0], 8, 0, 101);
	assert_int_equal(neg.fmt.pt, 8);
	assert_string_equal(answer.media[1].type, "image");
	assert_int_equal(answer.media[1].port, 0);
	assert_string_equal(first_format(&answer.media[1], buf, sizeof(buf)),
	                    "t38");
}

/* RFC 3264 §6, §8.2: an audio section of port 0 is not taken; the next
 * acceptable one is (and a later one after an SRTP one, which this end
 * cannot do: RTP/AVP only). */
static void test_answer_skips_disabled_and_srtp_audio(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD
	          "m=audio 0 RTP/AVP 0\r\n"
	          "m=audio 4000 RTP/SAVP 0\r\n"
	          "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	          "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
	          "m=audio 4002 RTP/AVP 0\r\n",
	          &l, &offer, &answer, &neg);
	assert_int_equal(neg.media, 2);
	assert_int_equal(answer.media[0].port, 0);
	assert_int_equal(answer.media[1].port, 0);
	assert_int_equal(neg.remote_port, 4002);
}

/* RFC 3264 §6 (the caller answers 488): no acceptable audio section is
 * -ENOTSUP: no common codec, telephone-event alone (not a voice codec,
 * RFC 4733 §2), audio of port 0, SRTP only, no audio, no media. */
static void test_answer_without_acceptable_audio_is_enotsup(void **state)
{
	static const char *const offers[] = {
		HEAD "m=audio 4000 RTP/AVP 18 3\r\n"
		     "a=rtpmap:18 G729/8000\r\n",
		HEAD "m=audio 4000 RTP/AVP 96\r\n"
		     "a=rtpmap:96 PCMU/16000\r\n",
		HEAD "m=audio 4000 RTP/AVP 101\r\n"
		     "a=rtpmap:101 telephone-event/8000\r\n",
		HEAD "m=audio 0 RTP/AVP 0 8\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0 8\r\n",
		HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
		     "a=rtpmap:111 opus/48000/2\r\n",
		HEAD "m=video 4000 RTP/AVP 0\r\n",
		HEAD "m=image 4000 udptl t38\r\n",
		HEAD,
	};
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;
	size_t i;

	(void)state;
	local_init(&l);
	for (i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
		assert_parses(offers[i], &offer);
		if (sdp_answer(&offer, &l, &answer, &neg) != -ENOTSUP)
			print_text("not -ENOTSUP", offers[i],
			           strlen(offers[i]));
		assert_int_equal(sdp_answer(&offer, &l, &answer, &neg),
		                 -ENOTSUP);
	}
}

/* RFC 4566 §6 (an rtpmap maps one payload type), RFC 3264 §6.1: an offer
 * listing a payload type twice is answered with an answer that reads back
 * as it was written. */
static void test_answer_to_a_payload_type_listed_twice_reads_back(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 8 0 8\r\n", &l, &offer, &answer,
	          &neg);
	assert_int_equal(neg.fmt.pt, 8);
}

/* RFC 3605 §2.1, RFC 3264 §5.1: the remote RTCP port is the a=rtcp one,
 * else the RTP port + 1; a media-level c= is the remote address. */
static void test_answer_reports_remote_address_and_rtcp(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 8\r\n"
	               "c=IN IP4 198.51.100.77\r\n"
	               "a=rtcp:4101\r\n"
	               "a=ptime:30\r\n",
	          &l, &offer, &answer, &neg);
	assert_string_equal(neg.remote_addr, "198.51.100.77");
	assert_int_equal(neg.remote_port, 4000);
	assert_int_equal(neg.remote_rtcp_port, 4101);
	assert_int_equal(neg.ptime, 30);
	assert_false(neg.has_dtmf);
}

/* RFC 3264 §6.1, RFC 4733 §2: telephone-event listed first is agreed as
 * DTMF, never taken as the voice codec, on either side. */
static void test_telephone_event_is_never_the_codec(void **state)
{
	struct sdp_local l;
	struct sdp offer, answer;
	struct sdp_neg neg;

	(void)state;
	local_init(&l);
	answer_ok(HEAD "m=audio 4000 RTP/AVP 101 8\r\n"
	               "a=rtpmap:101 telephone-event/8000\r\n",
	          &l, &offer, &answer, &neg);
	assert_int_equal(neg.fmt.pt, 8);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 101);
}

/* ---- sdp_check_answer --------------------------------------------------- */

#define ANSWER_HEAD                         \
	"v=0\r\n"                           \
	"o=- 77 1 IN IP4 198.51.100.20\r\n" \
	"s=-\r\n"                           \
	"c=IN IP4 198.51.100.20\r\n"        \
	"t=0 0\r\n"

/* Checks @answer_text against our usual offer (local_init, with @dir). */
static int check(enum sdp_dir dir, const char *answer_text, struct sdp_neg *neg)
{
	struct sdp_local l;
	struct sdp offer, answer;

	local_init(&l);
	l.dir = dir;
	sdp_offer(&l, &offer);
	assert_parses(answer_text, &answer);
	memset(neg, 0xA5, sizeof(*neg));
	return sdp_check_answer(&offer, &answer, neg);
}

/* RFC 3264 §7: a valid answer gives the codec (its first listed), DTMF,
 * the remote address, RTP and RTCP ports (+1), ptime and direction. */
static void test_check_answer_accepts_a_valid_answer(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD
	                       "m=audio 30000 RTP/AVP 8 101\r\n"
	                       "a=rtpmap:8 PCMA/8000\r\n"
	                       "a=rtpmap:101 telephone-event/8000\r\n"
	                       "a=fmtp:101 0-16\r\n"
	                       "a=ptime:30\r\n"
	                       "a=sendrecv\r\n",
	                       &neg),
	                 0);
	assert_int_equal(neg.media, 0);
	assert_int_equal(neg.fmt.pt, 8);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 101);
	assert_string_equal(neg.remote_addr, "198.51.100.20");
	assert_int_equal(neg.remote_port, 30000);
	assert_int_equal(neg.remote_rtcp_port, 30001);
	assert_int_equal(neg.dir, SDP_SENDRECV);
	assert_int_equal(neg.ptime, 30);

	/* RFC 3605: a=rtcp; no telephone-event in the answer: no DTMF */
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 30000 RTP/AVP 0\r\n"
	                                   "a=rtcp:30011\r\n",
	                       &neg),
	                 0);
	assert_int_equal(neg.fmt.pt, 0);
	assert_false(neg.has_dtmf);
	assert_int_equal(neg.remote_rtcp_port, 30011);
	assert_int_equal(neg.ptime, 0);
}

/* RFC 3264 §6.1 (an answer MAY list formats not in the offer), §7 (the
 * offerer sends a format of the answer it offered): the first offered
 * one is used; telephone-event first is DTMF, not the codec. */
static void test_check_answer_uses_the_first_offered_format(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 30000 RTP/AVP 18 8 0\r\n"
	                                   "a=rtpmap:18 G729/8000\r\n",
	                       &neg),
	                 0);
	assert_int_equal(neg.fmt.pt, 8);
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD
	                       "m=audio 30000 RTP/AVP 101 0\r\n"
	                       "a=rtpmap:101 telephone-event/8000\r\n",
	                       &neg),
	                 0);
	assert_int_equal(neg.fmt.pt, 0);
	assert_true(neg.has_dtmf);
	assert_int_equal(neg.dtmf_pt, 101);
}

/* RFC 3264 §6: the answer has exactly as many m= lines as the offer. */
static void test_check_answer_with_other_section_count_is_eproto(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV, ANSWER_HEAD, &neg), -EPROTO);
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 30000 RTP/AVP 0\r\n"
	                                   "m=video 0 RTP/AVP 31\r\n",
	                       &neg),
	                 -EPROTO);
}

/* RFC 3264 §6.1: an accepted stream has a format from the offer. */
static void test_check_answer_with_unoffered_formats_is_eproto(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 30000 RTP/AVP 18\r\n"
	                                   "a=rtpmap:18 G729/8000\r\n",
	                       &neg),
	                 -EPROTO);
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 30000 RTP/AVP 3 9\r\n",
	                       &neg),
	                 -EPROTO);
}

/* RFC 3264 §6.1: the media type of an answer's stream matches the
 * offer's. */
static void test_check_answer_with_other_media_type_is_eproto(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=video 30000 RTP/AVP 0\r\n", &neg),
	                 -EPROTO);
}

/* RFC 3264 §6, §7: a rejected audio stream (port 0) is a valid answer
 * the call cannot use: -ENOTSUP. */
static void test_check_answer_with_rejected_audio_is_enotsup(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       ANSWER_HEAD "m=audio 0 RTP/AVP 0\r\n", &neg),
	                 -ENOTSUP);
}

/* RFC 3264 §6.1: sendonly is answered recvonly or inactive, recvonly
 * sendonly or inactive, inactive inactive; anything else is -EPROTO. */
static void test_check_answer_with_incompatible_direction_is_eproto(void **s)
{
	static const struct {
		enum sdp_dir offer;
		const char *attr;
	} bad[] = {
		{SDP_SENDONLY, "a=sendrecv\r\n"},
		{SDP_SENDONLY, ""}, /* no attribute: sendrecv */
		{SDP_SENDONLY, "a=sendonly\r\n"},
		{SDP_RECVONLY, "a=sendrecv\r\n"},
		{SDP_RECVONLY, "a=recvonly\r\n"},
		{SDP_INACTIVE, "a=sendrecv\r\n"},
		{SDP_INACTIVE, "a=recvonly\r\n"},
		{SDP_INACTIVE, "a=sendonly\r\n"},
	};
	char text[512];
	struct sdp_neg neg;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
		         ANSWER_HEAD "m=audio 30000 RTP/AVP 0\r\n%s",
		         bad[i].attr);
		if (check(bad[i].offer, text, &neg) != -EPROTO)
			print_error("case %zu: offer %s, answer \"%s\"\n", i,
			            sdp_dir_name(bad[i].offer), bad[i].attr);
		assert_int_equal(check(bad[i].offer, text, &neg), -EPROTO);
	}
}

/* RFC 3264 §6.1, §7, §8.4: compatible directions; neg.dir is what this
 * end does, the mirror of the answer's. */
static void test_check_answer_direction_results(void **state)
{
	static const struct {
		enum sdp_dir offer;
		const char *attr;
		enum sdp_dir want;
	} ok[] = {
		{SDP_SENDRECV, "a=sendrecv\r\n", SDP_SENDRECV},
		{SDP_SENDRECV, "", SDP_SENDRECV},
		{SDP_SENDRECV, "a=recvonly\r\n", SDP_SENDONLY},
		{SDP_SENDRECV, "a=sendonly\r\n", SDP_RECVONLY},
		{SDP_SENDRECV, "a=inactive\r\n", SDP_INACTIVE},
		{SDP_SENDONLY, "a=recvonly\r\n", SDP_SENDONLY},
		{SDP_SENDONLY, "a=inactive\r\n", SDP_INACTIVE},
		{SDP_RECVONLY, "a=sendonly\r\n", SDP_RECVONLY},
		{SDP_RECVONLY, "a=inactive\r\n", SDP_INACTIVE},
		{SDP_INACTIVE, "a=inactive\r\n", SDP_INACTIVE},
	};
	char text[512];
	struct sdp_neg neg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text),
		         ANSWER_HEAD "m=audio 30000 RTP/AVP 0\r\n%s",
		         ok[i].attr);
		if (check(ok[i].offer, text, &neg) != 0)
			print_error("case %zu: offer %s, answer \"%s\"\n", i,
			            sdp_dir_name(ok[i].offer), ok[i].attr);
		assert_int_equal(check(ok[i].offer, text, &neg), 0);
		assert_int_equal(neg.dir, ok[i].want);
	}
}

/* RFC 4566 §5.7, RFC 3264 §7: the answer's media-level c= (IPv6 here)
 * is the remote address. */
static void test_check_answer_media_level_address(void **state)
{
	struct sdp_neg neg;

	(void)state;
	assert_int_equal(check(SDP_SENDRECV,
	                       "v=0\r\n"
	                       "o=- 77 1 IN IP4 198.51.100.20\r\n"
	                       "s=-\r\n"
	                       "t=0 0\r\n"
	                       "m=audio 30000 RTP/AVP 0\r\n"
	                       "c=IN IP6 2001:db8::20\r\n",
	                       &neg),
	                 0);
	assert_string_equal(neg.remote_addr, "2001:db8::20");
	assert_int_equal(neg.remote_port, 30000);
}

/* ---- sdp_dir_name ------------------------------------------------------- */

/* RFC 4566 §6, RFC 3264 §5.1: the direction attributes' names. */
static void test_dir_names(void **state)
{
	(void)state;
	assert_string_equal(sdp_dir_name(SDP_SENDRECV), "sendrecv");
	assert_string_equal(sdp_dir_name(SDP_SENDONLY), "sendonly");
	assert_string_equal(sdp_dir_name(SDP_RECVONLY), "recvonly");
	assert_string_equal(sdp_dir_name(SDP_INACTIVE), "inactive");
}

/* ---- SDES keys (RFC 4568) --------------------------------------------- */

#define KEY_0_29 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd" /* bytes 0..29 */

/* An offer of PCMU and telephone-event on RTP/@proto with @crypto lines. */
static void sdes_offer(char *out, size_t size, const char *proto,
                       const char *crypto)
{
	snprintf(out, size,
	         "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	         "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
	         "m=audio 30000 %s 0 101\r\n"
	         "a=rtpmap:0 PCMU/8000\r\n"
	         "a=rtpmap:101 telephone-event/8000\r\n%s",
	         proto, crypto);
}

/* Our end with SRTP @mode and the key 100..129. */
static void sdes_local(struct sdp_local *l, enum sdp_srtp mode)
{
	local_init(l);
	l->srtp = mode;
	for (unsigned i = 0; i < SDP_KEY_LEN; i++)
		l->key[i] = (uint8_t)(100 + i);
}

static void assert_key_0_29(const uint8_t *key)
{
	for (unsigned i = 0; i < SDP_KEY_LEN; i++)
		assert_int_equal(key[i], i);
}

/* RFC 4568 §9.1: tag, suite, inline key (40 base64 digits), an optional
 * lifetime; an MKI, a suite or key not ours is kept but not usable; a
 * line without a numeric tag is no crypto line. */
static void test_sdes_crypto_lines_parsed(void **state)
{
	char text[2048];
	struct sdp s;
	const struct sdp_media *m;

	(void)state;
	sdes_offer(text, sizeof(text), "RTP/SAVP",
	           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_0_29
	           "|2^20\r\n"
	           "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KEY_0_29
	           "|2^20|1:4\r\n"
	           "a=crypto:3 F8_128_HMAC_SHA1_80 inline:" KEY_0_29 "\r\n"
	           "a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:AAEC\r\n"
	           "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" KEY_0_29 "\r\n"
	           "a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:" KEY_0_29
	           "\r\n");
	assert_parses(text, &s);
	m = &s.media[0];
	assert_string_equal(m->proto, "RTP/SAVP");
	assert_int_equal(m->ncrypto, SDP_MAX_CRYPTO); /* 4 kept, 5th over */
	assert_int_equal(m->crypto[0].tag, 1);
	assert_int_equal(m->crypto[0].suite, SDP_AES_CM_128_HMAC_SHA1_80);
	assert_key_0_29(m->crypto[0].key);
	assert_int_equal(m->crypto[1].tag, 2);
	assert_int_equal(m->crypto[1].suite, SDP_SUITE_OTHER); /* MKI */
	assert_int_equal(m->crypto[2].suite, SDP_SUITE_OTHER);
	assert_int_equal(m->crypto[3].tag, 4);
	assert_int_equal(m->crypto[3].suite, SDP_SUITE_OTHER); /* short */
}

/*
 * RFC 4568 §7.1.2: an SRTP offer is answered with one crypto line, the
 * first usable one's tag and suite with our key, on the offered RTP/SAVP;
 * both ends then agree on who sends with which key (§6.1).
 */
static void test_sdes_answer_and_check(void **state)
{
	char text[2048], atext[SDP_MAX_TEXT];
	struct sdp offer, answer, back;
	struct sdp_local l;
	struct sdp_neg neg, oneg;
	const struct sdp_media *am;

	(void)state;
	sdes_offer(text, sizeof(text), "RTP/SAVP",
	           "a=crypto:7 F8_128_HMAC_SHA1_80 inline:" KEY_0_29 "\r\n"
	           "a=crypto:9 AES_CM_128_HMAC_SHA1_32 inline:" KEY_0_29
	           "\r\n");
	assert_parses(text, &offer);
	sdes_local(&l, SDP_SRTP_OPTIONAL);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), 0);
	am = &answer.media[0];
	assert_string_equal(am->proto, "RTP/SAVP");
	assert_int_equal(am->ncrypto, 1);
	assert_int_equal(am->crypto[0].tag, 9);
	assert_int_equal(am->crypto[0].suite, SDP_AES_CM_128_HMAC_SHA1_32);
	assert_memory_equal(am->crypto[0].key, l.key, SDP_KEY_LEN);
	assert_true(neg.srtp);
	assert_int_equal(neg.suite, SDP_AES_CM_128_HMAC_SHA1_32);
	assert_memory_equal(neg.tx_key, l.key, SDP_KEY_LEN);
	assert_key_0_29(neg.rx_key);
	/* written and read back, the offerer takes it: keys crossed */
	write_and_parse(&answer, atext, sizeof(atext), &back);
	assert_non_null(strstr(atext, "a=crypto:9 AES_CM_128_HMAC_SHA1_32 "
	                              "inline:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7"
	                              "fH1+f4CB\r\n"));
	assert_int_equal(sdp_check_answer(&offer, &back, &oneg), 0);
	assert_true(oneg.srtp);
	assert_key_0_29(oneg.tx_key);
	assert_memory_equal(oneg.rx_key, l.key, SDP_KEY_LEN);
	/* the answer may not name a line we did not offer */
	back.media[0].crypto[0].tag = 8;
	assert_int_equal(sdp_check_answer(&offer, &back, &oneg), -EPROTO);
	/* nor drop the keys of a secure transport */
	back.media[0].ncrypto = 0;
	assert_int_equal(sdp_check_answer(&offer, &back, &oneg), -EPROTO);
}

/* Issue 17 item 2: plain RTP only when the account allows it. A plain
 * offer to a mandatory account is refused (the caller answers 488); an
 * RTP/SAVP offer to an account without SRTP too; keys in an RTP/AVP
 * offer are taken when allowed (best effort) and ignored when not. */
static void test_sdes_modes(void **state)
{
	char text[2048];
	struct sdp offer, answer;
	struct sdp_local l;
	struct sdp_neg neg;

	(void)state;
	assert_parses(SIPP_UAC, &offer);
	sdes_local(&l, SDP_SRTP_MANDATORY);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), -ENOTSUP);
	sdes_local(&l, SDP_SRTP_OPTIONAL);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), 0);
	assert_false(neg.srtp);
	assert_int_equal(answer.media[0].ncrypto, 0);

	sdes_offer(text, sizeof(text), "RTP/SAVP",
	           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_0_29
	           "\r\n");
	assert_parses(text, &offer);
	sdes_local(&l, SDP_SRTP_OFF);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), -ENOTSUP);

	sdes_offer(text, sizeof(text), "RTP/AVP",
	           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_0_29
	           "\r\n");
	assert_parses(text, &offer);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), 0);
	assert_false(neg.srtp);
	assert_int_equal(answer.media[0].ncrypto, 0);
	sdes_local(&l, SDP_SRTP_MANDATORY);
	assert_int_equal(sdp_answer(&offer, &l, &answer, &neg), 0);
	assert_true(neg.srtp);
	assert_string_equal(answer.media[0].proto, "RTP/AVP");
	assert_int_equal(answer.media[0].ncrypto, 1);
}

/* RFC 4568 §7.1.1: our offer: RTP/SAVP when SRTP is a must, RTP/AVP with
 * keys when optional, both suites with our key; an answer without keys
 * is plain RTP only for the optional one. */
static void test_sdes_our_offer(void **state)
{
	char text[SDP_MAX_TEXT];
	struct sdp offer, back, answer;
	struct sdp_local l;
	struct sdp_neg neg;

	(void)state;
	sdes_local(&l, SDP_SRTP_MANDATORY);
	sdp_offer(&l, &offer);
	write_and_parse(&offer, text, sizeof(text), &back);
	assert_string_equal(back.media[0].proto, "RTP/SAVP");
	assert_int_equal(back.media[0].ncrypto, 2);
	assert_int_equal(back.media[0].crypto[0].suite,
	                 SDP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(back.media[0].crypto[1].suite,
	                 SDP_AES_CM_128_HMAC_SHA1_32);
	assert_memory_equal(back.media[0].crypto[1].key, l.key, SDP_KEY_LEN);
	answer = back;
	answer.media[0].ncrypto = 0;
	assert_int_equal(sdp_check_answer(&offer, &answer, &neg), -EPROTO);

	sdes_local(&l, SDP_SRTP_OPTIONAL);
	sdp_offer(&l, &offer);
	write_and_parse(&offer, text, sizeof(text), &back);
	assert_string_equal(back.media[0].proto, "RTP/AVP");
	assert_int_equal(back.media[0].ncrypto, 2);
	answer = back;
	answer.media[0].ncrypto = 0;
	assert_int_equal(sdp_check_answer(&offer, &answer, &neg), 0);
	assert_false(neg.srtp);

	sdes_local(&l, SDP_SRTP_OFF);
	sdp_offer(&l, &offer);
	assert_int_equal(offer.media[0].ncrypto, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_sipp_uac_offer),
		cmocka_unit_test(test_parse_baresip_offer),
		cmocka_unit_test(test_parse_asterisk_offer),
		cmocka_unit_test(test_parse_unreadable_ptime_ignored),
		cmocka_unit_test(test_parse_lf_only_line_ends),
		cmocka_unit_test(test_parse_freeswitch_offer),
		cmocka_unit_test(test_parse_linphone_offer_with_video),
		cmocka_unit_test(test_parse_media_connection_overrides_session),
		cmocka_unit_test(
			test_parse_media_connection_without_session_one),
		cmocka_unit_test(test_parse_ipv6_connection),
		cmocka_unit_test(test_parse_direction_session_and_media_level),
		cmocka_unit_test(test_parse_rtcp_attribute_forms),
		cmocka_unit_test(test_parse_port_zero_needs_no_address),
		cmocka_unit_test(test_parse_no_media),
		cmocka_unit_test(
			test_parse_skips_other_lines_and_unknown_attributes),
		cmocka_unit_test(
			test_parse_non_rtp_transport_with_token_format),
		cmocka_unit_test(test_parse_accepts_the_limits),
		cmocka_unit_test(test_parse_text_and_line_length_limits),
		cmocka_unit_test(test_parse_strings_stay_printable_ascii),
		cmocka_unit_test(test_parse_refuses_the_sofia_sip_attack),
		cmocka_unit_test(test_parse_refuses_control_bytes_everywhere),
		cmocka_unit_test(test_parse_refuses_malformed_lines),
		cmocka_unit_test(test_parse_refuses_unknown_line_types),
		cmocka_unit_test(
			test_parse_malformed_rtpmap_leaves_no_half_format),
		cmocka_unit_test(test_parse_refuses_missing_or_repeated_v_o_s),
		cmocka_unit_test(test_parse_refuses_too_many_media_sections),
		cmocka_unit_test(test_parse_refuses_too_many_formats),
		cmocka_unit_test(test_parse_refuses_bad_ports),
		cmocka_unit_test(test_parse_refuses_bad_media_tokens),
		cmocka_unit_test(test_parse_refuses_non_numeric_rtp_formats),
		cmocka_unit_test(test_parse_refuses_bad_connection),
		cmocka_unit_test(
			test_parse_refuses_rtpmap_or_fmtp_for_unlisted_format),
		cmocka_unit_test(test_parse_refuses_port_without_address),
		cmocka_unit_test(
			test_parse_refuses_address_longer_than_its_field),
		cmocka_unit_test(test_write_round_trips_built_descriptions),
		cmocka_unit_test(test_write_round_trips_peer_descriptions),
		cmocka_unit_test(test_write_output_form),
		cmocka_unit_test(test_write_enospc_leaves_empty_output),
		cmocka_unit_test(test_offer_has_one_audio_section_from_local),
		cmocka_unit_test(test_offer_hold_and_ipv6),
		cmocka_unit_test(test_sdes_crypto_lines_parsed),
		cmocka_unit_test(test_sdes_answer_and_check),
		cmocka_unit_test(test_sdes_modes),
		cmocka_unit_test(test_sdes_our_offer),
		cmocka_unit_test(
			test_offer_and_answer_name_the_session_with_a_dash),
		cmocka_unit_test(test_answer_plain_pcmu_offer),
		cmocka_unit_test(test_answer_g711_offer_with_telephone_event),
		cmocka_unit_test(test_answer_keeps_the_offer_order_not_ours),
		cmocka_unit_test(
			test_answer_keeps_offered_dynamic_payload_types),
		cmocka_unit_test(
			test_answer_matches_dynamic_formats_by_name_and_rate),
		cmocka_unit_test(
			test_answer_matches_encoding_names_ignoring_case),
		cmocka_unit_test(test_answer_hold_offers_mirror_the_direction),
		cmocka_unit_test(test_answer_sendrecv_offer_while_we_hold),
		cmocka_unit_test(
			test_answer_rejects_other_sections_with_port_zero),
		cmocka_unit_test(test_answer_skips_disabled_and_srtp_audio),
		cmocka_unit_test(
			test_answer_without_acceptable_audio_is_enotsup),
		cmocka_unit_test(
			test_answer_to_a_payload_type_listed_twice_reads_back),
		cmocka_unit_test(test_answer_reports_remote_address_and_rtcp),
		cmocka_unit_test(test_telephone_event_is_never_the_codec),
		cmocka_unit_test(test_check_answer_accepts_a_valid_answer),
		cmocka_unit_test(
			test_check_answer_uses_the_first_offered_format),
		cmocka_unit_test(
			test_check_answer_with_other_section_count_is_eproto),
		cmocka_unit_test(
			test_check_answer_with_unoffered_formats_is_eproto),
		cmocka_unit_test(
			test_check_answer_with_other_media_type_is_eproto),
		cmocka_unit_test(
			test_check_answer_with_rejected_audio_is_enotsup),
		cmocka_unit_test(
			test_check_answer_with_incompatible_direction_is_eproto),
		cmocka_unit_test(test_check_answer_direction_results),
		cmocka_unit_test(test_check_answer_media_level_address),
		cmocka_unit_test(test_dir_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
