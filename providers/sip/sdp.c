/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SDP for the SIP provider (sdp.h): a strict, bounded parser for what
 * peers send (RFC 4566), a writer for what we send, and RFC 3264's offer
 * and answer. Written to be fuzzed (fuzz/sdp.c): every input byte is
 * checked once, every copy is bounded, nothing is allocated.
 */
#include "sdp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- parsing helpers ------------------------------------------------------
 */

/* A piece of the input: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 4566 §9 token-char: printable ASCII but a few separators. */
static bool is_token_char(char c)
{
	static const char extra[] = "!#$%&'*+-.^_`{|}~";

	return is_digit(c) || is_alpha(c) || (c && strchr(extra, c));
}

/* Splits the next word (up to a space) off @s; false if none. */
static bool next_word(struct span *s, struct span *word)
{
	size_t i = 0;

	if (!s->n || s->p[0] == ' ')
		return false;
	while (i < s->n && s->p[i] != ' ')
		i++;
	word->p = s->p;
	word->n = i;
	s->p += i;
	s->n -= i;
	if (s->n) { /* one space separates words (RFC 4566 §5) */
		s->p++;
		s->n--;
		if (!s->n)
			return false; /* a trailing space */
	}
	return true;
}

static bool all(const struct span *w, bool (*ok)(char))
{
	size_t i;

	if (!w->n)
		return false;
	for (i = 0; i < w->n; i++)
		if (!ok(w->p[i]))
			return false;
	return true;
}

static bool is_token(const struct span *w)
{
	return all(w, is_token_char);
}

/* A decimal number of at most @max; false if it is not one. */
static bool number(const struct span *w, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!all(w, is_digit) || w->n > 20)
		return false;
	for (i = 0; i < w->n; i++) {
		unsigned d = (unsigned)(w->p[i] - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool equals(const struct span *w, const char *s)
{
	return w->n == strlen(s) && memcmp(w->p, s, w->n) == 0;
}

/* Copies @w into @out of @size bytes; false if it does not fit. */
static bool copy_span(char *out, size_t size, const struct span *w)
{
	if (w->n >= size)
		return false;
	memcpy(out, w->p, w->n);
	out[w->n] = '\0';
	return true;
}

static bool is_addr_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '.' || c == ':' || c == '-';
}

/*
 * "IN IP4 addr" or "IN IP6 addr" (a multicast "/ttl[/n]" suffix of
 * digits is accepted and dropped).
 */
static bool conn_addr(struct span s, char *addr, bool *ip6)
{
	struct span nt, at, a;
	size_t i;

	if (!next_word(&s, &nt) || !next_word(&s, &at) || !next_word(&s, &a) ||
	    s.n || !equals(&nt, "IN"))
		return false;
	if (equals(&at, "IP4"))
		*ip6 = false;
	else if (equals(&at, "IP6"))
		*ip6 = true;
	else
		return false;
	for (i = 0; i < a.n && a.p[i] != '/'; i++)
		if (!is_addr_char(a.p[i]))
			return false;
	if (i < a.n) {
		size_t j;

		for (j = i + 1; j < a.n; j++)
			if (!is_digit(a.p[j]) && a.p[j] != '/')
				return false;
		a.n = i;
	}
	return a.n && copy_span(addr, SDP_ADDR_LEN, &a);
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static bool origin(struct span s, struct sdp *out)
{
	struct span user, id, ver;
	bool ip6;

	if (!next_word(&s, &user) || !next_word(&s, &id) ||
	    !next_word(&s, &ver) || !number(&id, UINT64_MAX, &out->sess_id) ||
	    !number(&ver, UINT64_MAX, &out->sess_version))
		return false;
	(void)user; /* any non-space characters (checked: printable) */
	return conn_addr(s, out->origin_addr, &ip6);
}

static bool is_rtp(const char *proto)
{
	return strncmp(proto, "RTP/", 4) == 0 || strstr(proto, "/RTP/");
}

/* m=<media> <port>[/<number>] <proto> <fmt> ... */
static bool media_line(struct span s, struct sdp_media *m)
{
	struct span type, port, proto, fmt, num;
	uint64_t v;
	size_t i;

	if (!next_word(&s, &type) || !next_word(&s, &port) ||
	    !next_word(&s, &proto) || !is_token(&type) ||
	    !copy_span(m->type, sizeof(m->type), &type))
		return false;
	for (i = 0; i < port.n && port.p[i] != '/'; i++)
		;
	num.p = port.p + i;
	num.n = port.n - i;
	port.n = i;
	if (!number(&port, 65535, &v))
		return false;
	m->port = (uint16_t)v;
	if (num.n) { /* "/<number of ports>" */
		num.p++;
		num.n--;
		if (!number(&num, 65535, &v))
			return false;
	}
	/* proto = token *("/" token) */
	for (i = 0; i < proto.n; i++)
		if (proto.p[i] == '/' ? i == 0 || i + 1 == proto.n ||
		                                proto.p[i - 1] == '/'
		                      : !is_token_char(proto.p[i]))
			return false;
	if (!proto.n || !copy_span(m->proto, sizeof(m->proto), &proto))
		return false;
	if (!s.n)
		return false; /* at least one format */
	while (s.n) {
		if (!next_word(&s, &fmt) || !is_token(&fmt))
			return false;
		if (!m->first_fmt[0] &&
		    !copy_span(m->first_fmt, sizeof(m->first_fmt), &fmt))
			return false;
		if (!is_rtp(m->proto))
			continue;
		if (m->nfmts == SDP_MAX_FMTS || !number(&fmt, 127, &v))
			return false;
		m->fmts[m->nfmts].pt = (uint8_t)v;
		m->fmts[m->nfmts].channels = 1;
		m->nfmts++;
	}
	return true;
}

static struct sdp_fmt *find_fmt(struct sdp_media *m, uint64_t pt)
{
	unsigned i;

	for (i = 0; i < m->nfmts; i++)
		if (m->fmts[i].pt == pt)
			return &m->fmts[i];
	return NULL;
}

/* a=rtpmap:<pt> <name>/<rate>[/<channels>] */
static bool rtpmap(struct span s, struct sdp_media *m)
{
	struct span pt, enc, name, rate, ch = {NULL, 0};
	struct sdp_fmt *f;
	uint64_t v, r, c = 1;
	size_t i;

	if (!m || !next_word(&s, &pt) || !number(&pt, 127, &v) ||
	    !(f = find_fmt(m, v)) || !next_word(&s, &enc) || s.n)
		return false;
	for (i = 0; i < enc.n && enc.p[i] != '/'; i++)
		;
	name.p = enc.p;
	name.n = i;
	if (i == enc.n)
		return false;
	rate.p = enc.p + i + 1;
	rate.n = enc.n - i - 1;
	for (i = 0; i < rate.n && rate.p[i] != '/'; i++)
		;
	if (i < rate.n) {
		ch.p = rate.p + i + 1;
		ch.n = rate.n - i - 1;
		rate.n = i;
		if (!number(&ch, 255, &c) || !c)
			return false;
	}
	if (!is_token(&name) || !number(&rate, UINT32_MAX, &r) ||
	    !copy_span(f->name, sizeof(f->name), &name))
		return false;
	f->rate = (uint32_t)r;
	f->channels = (uint8_t)c;
	return true;
}

/* a=fmtp:<pt> <parameters>; parameters too long to keep are ignored. */
static bool fmtp(struct span s, struct sdp_media *m)
{
	struct span pt;
	struct sdp_fmt *f;
	uint64_t v;
	size_t i;

	if (!m || !next_word(&s, &pt) || !number(&pt, 127, &v) ||
	    !(f = find_fmt(m, v)))
		return false;
	for (i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] > 0x7E)
			return true; /* not ASCII: not for us to read */
	if (!copy_span(f->fmtp, sizeof(f->fmtp), &s))
		f->fmtp[0] = '\0';
	return true;
}

/* a=rtcp:<port>[ <nettype> <addrtype> <address>] */
static bool rtcp(struct span s, struct sdp_media *m)
{
	struct span port;
	uint64_t v;
	char addr[SDP_ADDR_LEN];
	bool ip6;

	if (!m || !next_word(&s, &port) || !number(&port, 65535, &v))
		return false;
	if (s.n && !conn_addr(s, addr, &ip6))
		return false;
	m->rtcp_port = (uint16_t)v;
	return true;
}

static bool direction(const struct span *a, enum sdp_dir *dir)
{
	static const char *const names[] = {"sendrecv", "sendonly", "recvonly",
	                                    "inactive"};
	unsigned i;

	for (i = 0; i < 4; i++)
		if (equals(a, names[i])) {
			*dir = (enum sdp_dir)i;
			return true;
		}
	return false;
}

/* What the parser knows while it goes; per media: set or not. */
struct state {
	bool has_v, has_o, has_s;
	bool sess_conn, sess_ip6;
	char sess_addr[SDP_ADDR_LEN];
	int sess_dir; /* -1: none */
	bool conn[SDP_MAX_MEDIA];
	int dir[SDP_MAX_MEDIA];
};

/* ---- SDES (RFC 4568) --------------------------------------------------- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of base64 digit @c, or -1. */
static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Decodes exactly SDP_KEY_LEN bytes from @w (40 digits, no padding, as
 * RFC 4568 §6.1 writes a 30-byte key); false otherwise. */
static bool key_decode(const struct span *w, uint8_t *key)
{
	size_t i;

	if (w->n != 40)
		return false;
	for (i = 0; i < 10; i++) {
		int a = b64_val(w->p[4 * i]), b = b64_val(w->p[4 * i + 1]),
		    c = b64_val(w->p[4 * i + 2]), d = b64_val(w->p[4 * i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return false;
		key[3 * i] = (uint8_t)(a << 2 | b >> 4);
		key[3 * i + 1] = (uint8_t)((b & 15) << 4 | c >> 2);
		key[3 * i + 2] = (uint8_t)((c & 3) << 6 | d);
	}
	return true;
}

/* Writes the 40 base64 digits of a SDP_KEY_LEN-byte key and a NUL. */
static void key_encode(const uint8_t *key, char *out)
{
	size_t i;

	for (i = 0; i < 10; i++) {
		const uint8_t *k = key + 3 * i;

		out[4 * i] = b64[k[0] >> 2];
		out[4 * i + 1] = b64[(k[0] & 3) << 4 | k[1] >> 4];
		out[4 * i + 2] = b64[(k[1] & 15) << 2 | k[2] >> 6];
		out[4 * i + 3] = b64[k[2] & 63];
	}
	out[40] = '\0';
}

static const char *const suite_names[] = {
	"AES_CM_128_HMAC_SHA1_80",
	"AES_CM_128_HMAC_SHA1_32",
};

/*
 * "a=crypto:<tag> <suite> <key-params> [<session-params>]" (RFC 4568
 * §9.1) into @c. A suite of ours with one key "inline:<40 digits>",
 * optionally "|<lifetime>", is kept with its key; with an MKI, several
 * keys or session parameters it is kept as SDP_SUITE_OTHER (not used).
 * False if the line is not a crypto attribute at all.
 */
static bool crypto(struct span s, struct sdp_crypto *c)
{
	struct span tag, suite, kp, key;
	uint64_t v;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->suite = SDP_SUITE_OTHER;
	if (!next_word(&s, &tag) || !number(&tag, 999999999, &v) || !v ||
	    !next_word(&s, &suite) || !next_word(&s, &kp))
		return false;
	c->tag = (uint32_t)v;
	if (next_word(&s, &key))
		return true; /* session parameters: not ours */
	for (i = 0; i < 2; i++)
		if (equals(&suite, suite_names[i]))
			break;
	if (i == 2 || kp.n < 7 || memcmp(kp.p, "inline:", 7) != 0)
		return true;
	key.p = kp.p + 7;
	key.n = kp.n - 7;
	/* the key, then at most a lifetime (no MKI, one key only) */
	for (i = 0; i < key.n && key.p[i] != '|' && key.p[i] != ';'; i++)
		;
	if (i < key.n) {
		const char *rest = key.p + i;
		size_t left = key.n - i;

		/* an MKI ("|1:4"), a second key or lifetime: not ours */
		if (*rest == ';' || memchr(rest + 1, '|', left - 1) ||
		    memchr(rest, ';', left) || memchr(rest, ':', left))
			return true;
	}
	key.n = i;
	if (!key_decode(&key, c->key)) {
		memset(c->key, 0, sizeof(c->key));
		return true;
	}
	c->suite = equals(&suite, suite_names[0]) ? SDP_AES_CM_128_HMAC_SHA1_80
	                                          : SDP_AES_CM_128_HMAC_SHA1_32;
	return true;
}

static bool attribute(struct span s, struct sdp *out, struct state *st)
{
	struct sdp_media *m = out->nmedia ? &out->media[out->nmedia - 1] : NULL;
	struct span name = s, value = {NULL, 0};
	enum sdp_dir dir;
	uint64_t v;
	size_t i;

	for (i = 0; i < s.n && s.p[i] != ':'; i++)
		;
	name.n = i;
	if (i < s.n) {
		value.p = s.p + i + 1;
		value.n = s.n - i - 1;
	}
	if (!is_token(&name))
		return false;
	/* the formats of other transports are not ours to read */
	if (m && !is_rtp(m->proto) &&
	    (equals(&name, "rtpmap") || equals(&name, "fmtp")))
		return true;
	if (!value.p && direction(&name, &dir)) {
		if (m)
			st->dir[out->nmedia - 1] = (int)dir;
		else
			st->sess_dir = (int)dir;
		return true;
	}
	if (equals(&name, "rtpmap"))
		return rtpmap(value, m) || (!m && value.p);
	if (equals(&name, "fmtp"))
		return fmtp(value, m) || (!m && value.p);
	if (equals(&name, "rtcp"))
		return rtcp(value, m) || !m;
	if (equals(&name, "crypto")) {
		if (m && value.p && m->ncrypto < SDP_MAX_CRYPTO &&
		    crypto(value, &m->crypto[m->ncrypto]))
			m->ncrypto++;
		return true; /* one we cannot read is not used, not fatal */
	}
	if (equals(&name, "ptime")) {
		/* RFC 4566 §6: a hint; one we cannot read (not a number, or
		 * above 65535 ms) is ignored, not a reason to refuse the
		 * offer */
		if (m && value.p && number(&value, 65535, &v))
			m->ptime = (unsigned)v;
		return true;
	}
	return true; /* any other attribute: not ours to read */
}

/* One line, "<type>=<value>", already checked for control bytes. */
static bool line(struct span s, struct sdp *out, struct state *st)
{
	char type = s.p[0];
	struct span v;
	size_t i;

	if (s.n < 2 || s.p[1] != '=' || type < 'a' || type > 'z')
		return false;
	v.p = s.p + 2;
	v.n = s.n - 2;
	if (!st->has_v)
		return type == 'v' && equals(&v, "0") && (st->has_v = true);
	switch (type) {
	case 'v':
		return false; /* a second one */
	case 'o':
		if (st->has_o || out->nmedia)
			return false;
		st->has_o = true;
		return origin(v, out);
	case 's':
		if (st->has_s || out->nmedia)
			return false;
		st->has_s = true;
		/* text: kept as printable ASCII, other bytes as '?' */
		for (i = 0; i < v.n && i < sizeof(out->name) - 1; i++)
			out->name[i] =
				(unsigned char)v.p[i] < 0x7F ? v.p[i] : '?';
		out->name[i] = '\0';
		return true;
	case 'c':
		if (!out->nmedia) {
			if (st->sess_conn)
				return false;
			st->sess_conn = true;
			return conn_addr(v, st->sess_addr, &st->sess_ip6);
		}
		if (st->conn[out->nmedia - 1])
			return false;
		st->conn[out->nmedia - 1] = true;
		return conn_addr(v, out->media[out->nmedia - 1].addr,
		                 &out->media[out->nmedia - 1].ip6);
	case 'm':
		if (!st->has_o || !st->has_s || out->nmedia == SDP_MAX_MEDIA)
			return false;
		st->dir[out->nmedia] = -1;
		return media_line(v, &out->media[out->nmedia++]);
	case 'a':
		return attribute(v, out, st);
	case 't':
	case 'r':
	case 'z':
	case 'b':
	case 'i':
	case 'u':
	case 'e':
	case 'p':
	case 'k':
		return true; /* well formed (no control byte): skipped */
	default:
		return false;
	}
}

int sdp_parse(const char *text, size_t len, struct sdp *out)
{
	struct state st;
	size_t pos = 0;
	bool empty = false; /* an empty line was seen: only more may follow */
	unsigned i;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.sess_dir = -1;
	if (!text || len > SDP_MAX_TEXT)
		return -EINVAL;
	while (pos < len) {
		struct span s = {text + pos, 0};
		size_t end = pos;

		/* the line and its end: LF or CRLF; any other control byte,
		 * a lone CR included, refuses the whole description */
		while (end < len && text[end] != '\n') {
			unsigned char c = (unsigned char)text[end];

			if ((c < 0x20 || c == 0x7F) &&
			    !(c == '\r' && end + 1 < len &&
			      text[end + 1] == '\n'))
				return -EINVAL;
			end++;
		}
		s.n = end - pos;
		if (s.n && s.p[s.n - 1] == '\r')
			s.n--;
		pos = end + 1;
		if (s.n > SDP_MAX_LINE)
			return -EINVAL;
		if (!s.n) {
			empty = true; /* some peers end with one */
			continue;
		}
		if (empty || !line(s, out, &st))
			return -EINVAL;
	}
	if (!st.has_v || !st.has_o || !st.has_s)
		return -EINVAL;
	for (i = 0; i < out->nmedia; i++) {
		struct sdp_media *m = &out->media[i];

		if (!st.conn[i] && st.sess_conn) {
			memcpy(m->addr, st.sess_addr, sizeof(m->addr));
			m->ip6 = st.sess_ip6;
		}
		if (!m->addr[0] && m->port)
			return -EINVAL;
		m->dir = st.dir[i] >= 0     ? (enum sdp_dir)st.dir[i]
		         : st.sess_dir >= 0 ? (enum sdp_dir)st.sess_dir
		                            : SDP_SENDRECV;
	}
	return 0;
}

/* ---- writing --------------------------------------------------------------
 */

/* Appends to @out; false (and @out "") when it does not fit. */
static bool put(char *out, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool put(char *out, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return false;
	*len += (size_t)n;
	return true;
}

const char *sdp_dir_name(enum sdp_dir dir)
{
	switch (dir) {
	case SDP_SENDONLY:
		return "sendonly";
	case SDP_RECVONLY:
		return "recvonly";
	case SDP_INACTIVE:
		return "inactive";
	default:
		return "sendrecv";
	}
}

static bool write_media(const struct sdp_media *m, bool conn, char *out,
                        size_t size, size_t *len)
{
	unsigned i;
	bool ok;

	ok = put(out, size, len, "m=%s %u %s", m->type, (unsigned)m->port,
	         m->proto);
	for (i = 0; ok && i < m->nfmts; i++)
		ok = put(out, size, len, " %u", (unsigned)m->fmts[i].pt);
	if (ok && !m->nfmts)
		ok = put(out, size, len, " %s",
		         m->first_fmt[0] ? m->first_fmt : "0");
	ok = ok && put(out, size, len, "\r\n");
	if (ok && conn)
		ok = put(out, size, len, "c=IN %s %s\r\n",
		         m->ip6 ? "IP6" : "IP4", m->addr);
	for (i = 0; ok && i < m->nfmts; i++) {
		const struct sdp_fmt *f = &m->fmts[i];

		if (f->name[0] && f->channels > 1)
			ok = put(out, size, len, "a=rtpmap:%u %s/%u/%u\r\n",
			         (unsigned)f->pt, f->name, (unsigned)f->rate,
			         (unsigned)f->channels);
		else if (f->name[0])
			ok = put(out, size, len, "a=rtpmap:%u %s/%u\r\n",
			         (unsigned)f->pt, f->name, (unsigned)f->rate);
		if (ok && f->fmtp[0])
			ok = put(out, size, len, "a=fmtp:%u %s\r\n",
			         (unsigned)f->pt, f->fmtp);
	}
	if (ok && m->ptime)
		ok = put(out, size, len, "a=ptime:%u\r\n", m->ptime);
	if (ok && m->rtcp_port)
		ok = put(out, size, len, "a=rtcp:%u\r\n",
		         (unsigned)m->rtcp_port);
	for (i = 0; ok && i < m->ncrypto; i++) {
		const struct sdp_crypto *c = &m->crypto[i];
		char key[41];

		if (c->suite == SDP_SUITE_OTHER)
			continue; /* never written: only ours are */
		key_encode(c->key, key);
		ok = put(out, size, len, "a=crypto:%u %s inline:%s\r\n",
		         (unsigned)c->tag, suite_names[c->suite], key);
	}
	return ok && put(out, size, len, "a=%s\r\n", sdp_dir_name(m->dir));
}

int sdp_write(const struct sdp *s, char *out, size_t size)
{
	const struct sdp_media *first = s->nmedia ? &s->media[0] : NULL;
	bool same = first && first->addr[0];
	size_t len = 0;
	unsigned i;
	bool ok;

	if (!size)
		return -ENOSPC;
	/* one session-level c= when every section has the same address */
	for (i = 1; same && i < s->nmedia; i++)
		same = strcmp(s->media[i].addr, first->addr) == 0 &&
		       s->media[i].ip6 == first->ip6;
	ok = put(out, size, &len, "v=0\r\no=- %llu %llu IN %s %s\r\ns=%s\r\n",
	         (unsigned long long)s->sess_id,
	         (unsigned long long)s->sess_version,
	         strchr(s->origin_addr, ':') ? "IP6" : "IP4",
	         s->origin_addr[0] ? s->origin_addr : "0.0.0.0",
	         s->name[0] ? s->name : "-");
	if (ok && same)
		ok = put(out, size, &len, "c=IN %s %s\r\n",
		         first->ip6 ? "IP6" : "IP4", first->addr);
	ok = ok && put(out, size, &len, "t=0 0\r\n");
	for (i = 0; ok && i < s->nmedia; i++)
		ok = write_media(&s->media[i], !same && s->media[i].addr[0],
		                 out, size, &len);
	if (!ok || len > SDP_MAX_TEXT) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)len;
}

/* ---- offer and answer -----------------------------------------------------
 */

/* The static payload types of RFC 3551 a peer may list without rtpmap. */
static bool static_fmt(uint8_t pt, const char **name, uint32_t *rate)
{
	static const struct {
		uint8_t pt;
		const char *name;
		uint32_t rate;
	} map[] = {
		{0, "PCMU", 8000}, {3, "GSM", 8000},  {4, "G723", 8000},
		{8, "PCMA", 8000}, {9, "G722", 8000}, {18, "G729", 8000},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].pt == pt) {
			*name = map[i].name;
			*rate = map[i].rate;
			return true;
		}
	return false;
}

/* Whether offered format @f is our @mine (by name and rate). */
static bool same_codec(const struct sdp_fmt *f, const struct sdp_fmt *mine)
{
	const char *name = f->name;
	uint32_t rate = f->rate;

	if (!name[0] && !static_fmt(f->pt, &name, &rate))
		return false;
	return strcasecmp(name, mine->name) == 0 && rate == mine->rate &&
	       (f->channels ? f->channels : 1) ==
	               (mine->channels ? mine->channels : 1);
}

static bool is_dtmf(const struct sdp_fmt *f)
{
	return strcasecmp(f->name, "telephone-event") == 0;
}

/* Directions as sets: bit 0 send, bit 1 receive (from the writer's view). */
static unsigned dir_bits(enum sdp_dir d)
{
	switch (d) {
	case SDP_SENDONLY:
		return 1;
	case SDP_RECVONLY:
		return 2;
	case SDP_INACTIVE:
		return 0;
	default:
		return 3;
	}
}

static enum sdp_dir bits_dir(unsigned b)
{
	static const enum sdp_dir d[] = {SDP_INACTIVE, SDP_SENDONLY,
	                                 SDP_RECVONLY, SDP_SENDRECV};

	return d[b & 3];
}

/* What the other end's direction lets this end do. */
static unsigned reverse(unsigned b)
{
	return ((b & 1) << 1) | ((b & 2) >> 1);
}

/* RFC 3605 — a=rtcp's port, else the RTP port + 1 (0: no room). */
static uint16_t rtcp_of(const struct sdp_media *m)
{
	if (m->rtcp_port)
		return m->rtcp_port;
	return m->port < 65535 ? (uint16_t)(m->port + 1) : 0;
}

void sdp_offer(const struct sdp_local *local, struct sdp *out)
{
	struct sdp_media *m = &out->media[0];

	memset(out, 0, sizeof(*out));
	out->sess_id = local->sess_id;
	out->sess_version = local->sess_version;
	memcpy(out->origin_addr, local->addr, sizeof(out->origin_addr));
	out->origin_addr[sizeof(out->origin_addr) - 1] = '\0';
	memcpy(out->name, "-", 2); /* RFC 3264 §5: no name */
	out->nmedia = 1;
	memcpy(m->type, "audio", 6);
	/* RFC 4568 §7.1.1: RTP/SAVP when SRTP is a must; with RTP/AVP the
	 * keys are an offer the far end may take (best effort, as common
	 * user agents do) */
	snprintf(m->proto, sizeof(m->proto), "%s",
	         local->srtp == SDP_SRTP_MANDATORY ? "RTP/SAVP" : "RTP/AVP");
	if (local->srtp != SDP_SRTP_OFF) {
		m->ncrypto = 2;
		for (unsigned i = 0; i < 2; i++) {
			m->crypto[i].tag = i + 1;
			m->crypto[i].suite = (enum sdp_suite)i;
			memcpy(m->crypto[i].key, local->key, SDP_KEY_LEN);
		}
	}
	m->port = local->port;
	m->nfmts = local->nfmts <= SDP_MAX_FMTS ? local->nfmts : SDP_MAX_FMTS;
	memcpy(m->fmts, local->fmts, m->nfmts * sizeof(m->fmts[0]));
	memcpy(m->addr, local->addr, sizeof(m->addr));
	m->addr[sizeof(m->addr) - 1] = '\0';
	m->ip6 = local->ip6;
	m->dir = local->dir;
	m->ptime = local->ptime;
}

static bool audio_transport(const char *proto)
{
	return strcmp(proto, "RTP/AVP") == 0 || strcmp(proto, "RTP/AVPF") == 0;
}

static bool secure_transport(const char *proto)
{
	return strcmp(proto, "RTP/SAVP") == 0 ||
	       strcmp(proto, "RTP/SAVPF") == 0;
}

/* The first offered crypto line of a suite of ours, or NULL. */
static const struct sdp_crypto *usable_crypto(const struct sdp_media *m)
{
	unsigned i;

	for (i = 0; i < m->ncrypto; i++)
		if (m->crypto[i].suite != SDP_SUITE_OTHER)
			return &m->crypto[i];
	return NULL;
}

/*
 * Whether offered section @om can be taken with our SRTP mode, and how:
 * *@c the crypto line to answer (NULL: plain RTP). RFC 4568 §7.1.2: a
 * secure transport needs a crypto line we can use; a plain one with keys
 * is taken as SRTP when we allow it; an account that must have SRTP takes
 * nothing else.
 */
static bool transport_ok(const struct sdp_media *om,
                         const struct sdp_local *local,
                         const struct sdp_crypto **c)
{
	*c = local->srtp != SDP_SRTP_OFF ? usable_crypto(om) : NULL;
	if (secure_transport(om->proto))
		return *c != NULL;
	if (!audio_transport(om->proto))
		return false;
	return *c || local->srtp != SDP_SRTP_MANDATORY;
}

/* Accepts @om into @am with the formats both have; false if no codec. */
static bool accept_audio(const struct sdp_media *om,
                         const struct sdp_local *local, struct sdp_media *am,
                         struct sdp_neg *neg)
{
	bool codec = false;
	unsigned i, j;

	memset(neg, 0, sizeof(*neg));
	am->nfmts = 0;
	for (i = 0; i < om->nfmts; i++) {
		const struct sdp_fmt *f = &om->fmts[i];
		unsigned k;

		for (k = 0; k < am->nfmts && am->fmts[k].pt != f->pt; k++)
			;
		if (k < am->nfmts)
			continue; /* a payload type listed twice: once */
		for (j = 0; j < local->nfmts && j < SDP_MAX_FMTS; j++) {
			const struct sdp_fmt *mine = &local->fmts[j];

			if (!same_codec(f, mine))
				continue;
			if (is_dtmf(mine) && neg->has_dtmf)
				break; /* one telephone-event is enough */
			am->fmts[am->nfmts] = *mine;
			am->fmts[am->nfmts].pt = f->pt;
			if (is_dtmf(mine)) {
				neg->has_dtmf = true;
				neg->dtmf_pt = f->pt;
			} else if (!codec) {
				codec = true;
				neg->fmt = am->fmts[am->nfmts];
			}
			am->nfmts++;
			break;
		}
	}
	return codec;
}

int sdp_answer(const struct sdp *offer, const struct sdp_local *local,
               struct sdp *answer, struct sdp_neg *neg)
{
	struct sdp_neg agreed;
	unsigned i;

	memset(answer, 0, sizeof(*answer));
	memset(neg, 0, sizeof(*neg));
	neg->media = -1;
	answer->sess_id = local->sess_id;
	answer->sess_version = local->sess_version;
	memcpy(answer->origin_addr, local->addr, sizeof(answer->origin_addr));
	answer->origin_addr[sizeof(answer->origin_addr) - 1] = '\0';
	memcpy(answer->name, "-", 2);
	answer->nmedia = offer->nmedia;
	for (i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *om = &offer->media[i];
		struct sdp_media *am = &answer->media[i];
		const struct sdp_crypto *oc = NULL;

		memcpy(am->type, om->type, sizeof(am->type));
		memcpy(am->proto, om->proto, sizeof(am->proto));
		memcpy(am->addr, local->addr, sizeof(am->addr));
		am->addr[sizeof(am->addr) - 1] = '\0';
		am->ip6 = local->ip6;
		if (neg->media < 0 && om->port &&
		    strcmp(om->type, "audio") == 0 &&
		    transport_ok(om, local, &oc) &&
		    accept_audio(om, local, am, &agreed)) {
			*neg = agreed;
			if (oc) {
				/* RFC 4568 §7.1.2: one line, its tag and
				 * suite, our key */
				am->ncrypto = 1;
				am->crypto[0] = *oc;
				memcpy(am->crypto[0].key, local->key,
				       SDP_KEY_LEN);
				neg->srtp = true;
				neg->suite = oc->suite;
				memcpy(neg->tx_key, local->key, SDP_KEY_LEN);
				memcpy(neg->rx_key, oc->key, SDP_KEY_LEN);
			}
			/* RFC 3264 §6.1 — our port, the offer's order */
			am->port = local->port;
			am->ptime = local->ptime;
			am->dir = bits_dir(reverse(dir_bits(om->dir)) &
			                   dir_bits(local->dir));
			neg->media = (int)i;
			neg->dir = am->dir;
			neg->ptime = om->ptime;
			neg->remote_port = om->port;
			neg->remote_rtcp_port =
				om->rtcp_port ? om->rtcp_port
					      : (uint16_t)(om->port + 1);
			memcpy(neg->remote_addr, om->addr,
			       sizeof(neg->remote_addr));
			continue;
		}
		/* RFC 3264 §6 — rejected: port 0, one of its formats */
		am->port = 0;
		am->nfmts = 0;
		memset(am->fmts, 0, sizeof(am->fmts));
		if (om->nfmts)
			snprintf(am->first_fmt, sizeof(am->first_fmt), "%u",
			         (unsigned)om->fmts[0].pt);
		else
			memcpy(am->first_fmt, om->first_fmt,
			       sizeof(am->first_fmt));
		am->dir = SDP_SENDRECV;
	}
	return neg->media < 0 ? -ENOTSUP : 0;
}

static const struct sdp_fmt *offered(const struct sdp_media *m, uint8_t pt)
{
	unsigned i;

	for (i = 0; i < m->nfmts; i++)
		if (m->fmts[i].pt == pt)
			return &m->fmts[i];
	return NULL;
}

int sdp_check_answer(const struct sdp *offer, const struct sdp *answer,
                     struct sdp_neg *neg)
{
	const struct sdp_media *om = NULL, *am = NULL;
	bool codec = false, audio = false;
	unsigned i;
	int idx = -1;

	memset(neg, 0, sizeof(*neg));
	neg->media = -1;
	if (answer->nmedia != offer->nmedia)
		return -EPROTO;
	for (i = 0; i < offer->nmedia; i++) {
		const struct sdp_media *o = &offer->media[i],
				       *a = &answer->media[i];

		if (strcmp(a->type, o->type) != 0 ||
		    strcmp(a->proto, o->proto) != 0)
			return -EPROTO;
		if (!o->port || strcmp(o->type, "audio") != 0)
			continue;
		audio = true;
		/* the first audio section we offered that was accepted */
		if (idx < 0 && a->port) {
			idx = (int)i;
			om = o;
			am = a;
		}
	}
	if (!audio)
		return -EPROTO;
	if (idx < 0)
		return -ENOTSUP;
	/*
	 * RFC 3264 §6.1 — the formats we offered that the answer lists (it
	 * may list others too: not for us), one codec at least; the first
	 * of them is used.
	 */
	for (i = 0; i < am->nfmts; i++) {
		const struct sdp_fmt *mine = offered(om, am->fmts[i].pt);

		if (!mine)
			continue;
		if (is_dtmf(mine)) {
			if (!neg->has_dtmf) {
				neg->has_dtmf = true;
				neg->dtmf_pt = mine->pt;
			}
		} else if (!codec) {
			codec = true;
			neg->fmt = *mine;
		}
	}
	/* RFC 3264 §6.1 — the answer's direction within what we offered */
	if (!codec || (dir_bits(am->dir) & ~reverse(dir_bits(om->dir)))) {
		memset(neg, 0, sizeof(*neg));
		neg->media = -1;
		return -EPROTO;
	}
	/* RFC 4568 §7.1.3: the answer's crypto line names one of ours (its
	 * tag and suite) with its own key; without one, SRTP was declined,
	 * which a secure transport does not allow */
	if (om->ncrypto) {
		const struct sdp_crypto *ac = usable_crypto(am);
		const struct sdp_crypto *mine = NULL;

		for (i = 0; ac && i < om->ncrypto; i++)
			if (om->crypto[i].tag == ac->tag &&
			    om->crypto[i].suite == ac->suite)
				mine = &om->crypto[i];
		if ((ac && !mine) || (!mine && secure_transport(om->proto))) {
			memset(neg, 0, sizeof(*neg));
			neg->media = -1;
			return -EPROTO;
		}
		if (mine) {
			neg->srtp = true;
			neg->suite = mine->suite;
			memcpy(neg->tx_key, mine->key, SDP_KEY_LEN);
			memcpy(neg->rx_key, ac->key, SDP_KEY_LEN);
		}
	}
	neg->media = idx;
	neg->dir = bits_dir(reverse(dir_bits(am->dir)));
	neg->ptime = am->ptime;
	neg->remote_port = am->port;
	neg->remote_rtcp_port = rtcp_of(am);
	memcpy(neg->remote_addr, am->addr, sizeof(neg->remote_addr));
	return 0;
}
