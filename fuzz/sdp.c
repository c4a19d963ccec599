/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the SIP provider's SDP module (providers/sip/sdp.c), the
 * first code to read a peer's session description. Properties: only what
 * sdp.h allows is accepted; what is accepted holds only what sdp.h
 * promises, writes and reads back the same; and it is answered, from two
 * fixed local configurations, with an answer that reads back and that
 * sdp_check_answer accepts for it, or refused with -ENOTSUP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz sdp: %s\n", why);
	abort();
}

#define CHECK(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)

/* sdp.h: a refused input is one of the listed classes; an accepted one
 * has none of the bytes, lines or lengths sdp_parse must refuse. */
static void check_accepted_input(const uint8_t *data, size_t size)
{
	size_t i, line = 0;

	CHECK(size <= SDP_MAX_TEXT);
	CHECK(size >= 3 && memcmp(data, "v=0", 3) == 0);
	CHECK(size == 3 || data[3] == '\r' || data[3] == '\n');
	for (i = 0; i < size; i++) {
		uint8_t c = data[i];

		CHECK(c != 0x7F && (c >= 0x20 || c == '\r' || c == '\n'));
		if (c == '\n') {
			line = 0;
			continue;
		}
		/* a CR ending the line is not part of it */
		if (!(c == '\r' && i + 1 < size && data[i + 1] == '\n'))
			line++;
		CHECK(line <= SDP_MAX_LINE);
	}
}

/* A string field: a NUL within @size, printable ASCII before it (sdp.h:
 * 0x21 - 0x7E, the session name and fmtp also spaces). */
static bool field_ok(const char *f, size_t size, bool spaces)
{
	size_t i;

	for (i = 0; i < size && f[i] != '\0'; i++) {
		unsigned char c = (unsigned char)f[i];

		if (!((c > 0x20 && c < 0x7F) || (spaces && c == ' ')))
			return false;
	}
	return i < size;
}

#define FIELD_OK(f) field_ok((f), sizeof(f), false)

/* @parsed: read by sdp_parse, whose RTP sections keep their formats
 * (sdp_answer writes a rejected section's first format in first_fmt). */
static void check_fields(const struct sdp *s, bool parsed)
{
	unsigned i, j;

	CHECK(FIELD_OK(s->origin_addr));
	CHECK(field_ok(s->name, sizeof(s->name), true));
	CHECK(s->nmedia <= SDP_MAX_MEDIA);
	for (i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];

		CHECK(FIELD_OK(m->type) && m->type[0]);
		CHECK(FIELD_OK(m->proto) && m->proto[0]);
		CHECK(FIELD_OK(m->addr));
		CHECK(FIELD_OK(m->first_fmt));
		CHECK(m->nfmts <= SDP_MAX_FMTS);
		CHECK(m->dir <= SDP_INACTIVE);
		/* sdp.h: a port of 1 - 65535 needs a connection address */
		CHECK(m->port == 0 || m->addr[0]);
		/* RFC 4566 §5.14: at least one format */
		CHECK(m->nfmts || m->first_fmt[0]);
		for (j = 0; j < m->nfmts; j++) {
			const struct sdp_fmt *f = &m->fmts[j];

			CHECK(FIELD_OK(f->name));
			CHECK(field_ok(f->fmtp, sizeof(f->fmtp), true));
			CHECK(f->pt <= 127);
			CHECK(f->channels >= 1);
			/* sdp.h: without rtpmap, rate 0 and one channel */
			CHECK(f->name[0] || (f->rate == 0 && f->channels == 1));
		}
		/* an RTP/... transport's formats are kept, others' not */
		if (parsed && strncmp(m->proto, "RTP/", 4) == 0)
			CHECK(m->nfmts >= 1);
		if (!strstr(m->proto, "RTP/"))
			CHECK(m->nfmts == 0);
	}
}

/* The formats as the m= line shows them: an RTP transport's payload
 * types, else first_fmt (other transports; a rejected section written
 * with its first format only). */
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

static bool bare_fmt(const struct sdp_fmt *f)
{
	return !f->name[0] && !f->rate && f->channels == 1 && !f->fmtp[0];
}

static bool same_fmt(const struct sdp_fmt *a, const struct sdp_fmt *b)
{
	return a->pt == b->pt && strcmp(a->name, b->name) == 0 &&
	       a->rate == b->rate && a->channels == b->channels &&
	       strcmp(a->fmtp, b->fmtp) == 0;
}

/* Whether @b, read back from the text written from @a, is @a: field by
 * field, an empty session name being written "-" (RFC 4566 §5.3: s= is
 * never empty). */
static bool same_sdp(const struct sdp *a, const struct sdp *b)
{
	unsigned i, j;

	if (a->sess_id != b->sess_id || a->sess_version != b->sess_version ||
	    strcmp(a->origin_addr, b->origin_addr) != 0 ||
	    strcmp(a->name[0] ? a->name : "-", b->name) != 0 ||
	    a->nmedia != b->nmedia)
		return false;
	for (i = 0; i < a->nmedia; i++) {
		const struct sdp_media *x = &a->media[i], *y = &b->media[i];
		char lx[SDP_MAX_FMTS * 4 + 16], ly[sizeof(lx)];

		if (strcmp(x->type, y->type) != 0 || x->port != y->port ||
		    strcmp(x->proto, y->proto) != 0 ||
		    strcmp(x->addr, y->addr) != 0 || x->ip6 != y->ip6 ||
		    x->dir != y->dir || x->ptime != y->ptime ||
		    x->rtcp_port != y->rtcp_port)
			return false;
		fmts_line(x, lx, sizeof(lx));
		fmts_line(y, ly, sizeof(ly));
		if (strcmp(lx, ly) != 0)
			return false;
		for (j = 0; j < x->nfmts || j < y->nfmts; j++) {
			if (j < x->nfmts && j < y->nfmts) {
				if (!same_fmt(&x->fmts[j], &y->fmts[j]))
					return false;
			} else if (!bare_fmt(j < x->nfmts ? &x->fmts[j]
			                                  : &y->fmts[j])) {
				return false;
			}
		}
	}
	return true;
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

/* A: G.711 and telephone-event at 101, IPv4, sendrecv. B: G.722, PCMA,
 * opus, telephone-event at 96, IPv6, on hold (sendonly). */
static void local_a(struct sdp_local *l)
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

static void local_b(struct sdp_local *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->addr, sizeof(l->addr), "%s", "2001:db8::10");
	l->ip6 = true;
	l->port = 50000;
	l->sess_id = 99;
	l->sess_version = 100;
	l->dir = SDP_SENDONLY;
	fmt_set(&l->fmts[l->nfmts++], 9, "G722", 8000, 1, "");
	fmt_set(&l->fmts[l->nfmts++], 8, "PCMA", 8000, 1, "");
	fmt_set(&l->fmts[l->nfmts++], 111, "opus", 48000, 2, "useinbandfec=1");
	fmt_set(&l->fmts[l->nfmts++], 96, "telephone-event", 8000, 1, "");
}

static bool is_dtmf(const struct sdp_fmt *f)
{
	return strcasecmp(f->name, "telephone-event") == 0;
}

static const struct sdp_fmt *find_fmt(const struct sdp_media *m, unsigned pt)
{
	unsigned i;

	for (i = 0; i < m->nfmts; i++)
		if (m->fmts[i].pt == pt)
			return &m->fmts[i];
	return NULL;
}

/* An offered section any answerer must take if it comes first: audio,
 * RTP/AVP, a port, and one of our static formats offered plainly (its
 * payload type, without rtpmap or with ours). */
static bool clearly_acceptable(const struct sdp_media *m,
                               const struct sdp_local *l)
{
	unsigned i, j;

	if (strcmp(m->type, "audio") != 0 || strcmp(m->proto, "RTP/AVP") != 0 ||
	    !m->port)
		return false;
	for (i = 0; i < m->nfmts; i++)
		for (j = 0; j < l->nfmts; j++) {
			const struct sdp_fmt *f = &m->fmts[i], *o = &l->fmts[j];

			if (o->pt >= 96 || f->pt != o->pt || is_dtmf(o))
				continue;
			if (!f->name[0] && !f->rate && f->channels == 1)
				return true;
			if (strcasecmp(f->name, o->name) == 0 &&
			    f->rate == o->rate && f->channels == o->channels)
				return true;
		}
	return false;
}

/* Directions as sets: bit 0 sends, bit 1 receives. */
static unsigned dir_bits(enum sdp_dir d)
{
	return d == SDP_SENDRECV   ? 3
	       : d == SDP_SENDONLY ? 1
	       : d == SDP_RECVONLY ? 2
	                           : 0;
}

/* What the other end's direction lets this end do. */
static unsigned mirror(unsigned b)
{
	return ((b & 1) << 1) | ((b & 2) >> 1);
}

static void first_format(const struct sdp_media *m, char *buf, size_t size)
{
	if (m->nfmts)
		snprintf(buf, size, "%u", m->fmts[0].pt);
	else
		snprintf(buf, size, "%s", m->first_fmt);
}

/* RFC 3264 §6, §6.1, §7 and sdp.h on one answer to @offer from @l. */
static void check_answer(const struct sdp *offer, const struct sdp_local *l)
{
	static char text[2 * SDP_MAX_TEXT];
	struct sdp answer, back;
	struct sdp_neg neg, oneg;
	const struct sdp_media *om, *am;
	unsigned i, j, k;
	int rc, n;

	memset(&answer, 0xA5, sizeof(answer));
	rc = sdp_answer(offer, l, &answer, &neg);
	CHECK(rc == 0 || rc == -ENOTSUP);
	if (rc == -ENOTSUP) {
		for (i = 0; i < offer->nmedia; i++)
			CHECK(!clearly_acceptable(&offer->media[i], l));
		return;
	}
	check_fields(&answer, false);
	CHECK(answer.nmedia == offer->nmedia);
	CHECK(neg.media >= 0 && (unsigned)neg.media < offer->nmedia);
	/* no acceptable section comes before the accepted one */
	for (i = 0; i < (unsigned)neg.media; i++)
		CHECK(!clearly_acceptable(&offer->media[i], l));
	CHECK(answer.sess_id == l->sess_id);
	CHECK(answer.sess_version == l->sess_version);
	for (i = 0; i < answer.nmedia; i++) {
		char x[32], y[32];

		CHECK(strcmp(answer.media[i].type, offer->media[i].type) == 0);
		if ((int)i == neg.media)
			continue;
		CHECK(answer.media[i].port == 0);
		first_format(&answer.media[i], x, sizeof(x));
		first_format(&offer->media[i], y, sizeof(y));
		CHECK(strcmp(x, y) == 0);
	}
	om = &offer->media[neg.media];
	am = &answer.media[neg.media];
	CHECK(strcmp(om->type, "audio") == 0 && om->port != 0);
	CHECK(strncmp(om->proto, "RTP/AVP", 7) == 0);
	CHECK(strcmp(am->proto, om->proto) == 0);
	CHECK(am->port == l->port && strcmp(am->addr, l->addr) == 0 &&
	      am->ip6 == l->ip6);
	/* the offered formats we have, in the offer's order, its types */
	CHECK(am->nfmts >= 1);
	for (i = 0, k = 0; i < am->nfmts; i++) {
		for (j = k; j < om->nfmts; j++)
			if (om->fmts[j].pt == am->fmts[i].pt)
				break;
		CHECK(j < om->nfmts);
		k = j + 1;
	}
	CHECK(find_fmt(am, neg.fmt.pt) && find_fmt(om, neg.fmt.pt));
	CHECK(!is_dtmf(&neg.fmt));
	if (neg.has_dtmf) {
		CHECK(find_fmt(am, neg.dtmf_pt));
		CHECK(is_dtmf(find_fmt(om, neg.dtmf_pt)));
	}
	/* RFC 3264 §6.1: directions */
	CHECK((dir_bits(am->dir) & ~mirror(dir_bits(om->dir))) == 0);
	if (om->dir == SDP_SENDRECV)
		CHECK(am->dir == l->dir);
	if (om->dir == SDP_INACTIVE)
		CHECK(am->dir == SDP_INACTIVE);
	CHECK(neg.dir == am->dir);
	CHECK(strcmp(neg.remote_addr, om->addr) == 0);
	CHECK(neg.remote_port == om->port);
	if (om->rtcp_port)
		CHECK(neg.remote_rtcp_port == om->rtcp_port);
	else if (om->port < 65535)
		CHECK(neg.remote_rtcp_port == om->port + 1);
	CHECK(neg.ptime == om->ptime);

	/* the answer reads back, and the offerer side accepts it */
	n = sdp_write(&answer, text, sizeof(text));
	CHECK(n > 0 && strlen(text) == (size_t)n);
	CHECK(sdp_parse(text, (size_t)n, &back) == 0);
	CHECK(same_sdp(&answer, &back));
	memset(&oneg, 0xA5, sizeof(oneg));
	CHECK(sdp_check_answer(offer, &back, &oneg) == 0);
	CHECK(oneg.media == neg.media);
	CHECK(oneg.fmt.pt == neg.fmt.pt);
	CHECK(oneg.has_dtmf == neg.has_dtmf);
	CHECK(!neg.has_dtmf || oneg.dtmf_pt == neg.dtmf_pt);
	CHECK(strcmp(oneg.remote_addr, l->addr) == 0);
	CHECK(oneg.remote_port == l->port);
	CHECK(dir_bits(oneg.dir) == mirror(dir_bits(neg.dir)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[2 * SDP_MAX_TEXT], again[2 * SDP_MAX_TEXT];
	struct sdp s, back;
	struct sdp_local l;
	int rc, n, m;

	memset(&s, 0xA5, sizeof(s));
	rc = sdp_parse((const char *)data, size, &s);
	CHECK(rc == 0 || rc == -EINVAL);
	if (rc != 0)
		return 0;
	check_accepted_input(data, size);
	check_fields(&s, true);

	/* sdp.h: SDP_MAX_TEXT bounds what is written too; what sdp_parse
	 * accepted grows when written by at most its LF line ends becoming
	 * CRLF (a line has 4 bytes at least) and a c= and a direction line
	 * per section, so only a text over half the limit may not fit */
	memset(text, 'X', sizeof(text));
	n = sdp_write(&s, text, sizeof(text));
	if (n == -ENOSPC) {
		CHECK(size > SDP_MAX_TEXT / 2);
		CHECK(text[0] == '\0');
	} else {
		CHECK(n > 0 && n <= SDP_MAX_TEXT);
		CHECK(strlen(text) == (size_t)n);
		memset(&back, 0x5A, sizeof(back));
		CHECK(sdp_parse(text, (size_t)n, &back) == 0);
		CHECK(same_sdp(&s, &back));
		/* and what is read back is written the same */
		m = sdp_write(&back, again, sizeof(again));
		CHECK(m == n && memcmp(text, again, (size_t)n) == 0);
	}

	local_a(&l);
	check_answer(&s, &l);
	local_b(&l);
	check_answer(&s, &l);
	return 0;
}
