/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sip: the SIP service provider. This file: configuration, the provider's
 * lifecycle, lines, handles, outstanding requests and the command queue to
 * the stack thread. Includes only tspi.h (through tsp.h) and sofia-sip (in
 * stack.c): it knows nothing of the core.
 */
#include "sip.h"
#include "tcall.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct sip sip = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.wake_fd = -1,
};

/* ---- log ------------------------------------------------------------------
 */

/*
 * Level from TAPIX_LOG like the core's: "LEVEL" or "...,sip=LEVEL"; the
 * default is warnings. Credentials are never passed here.
 */
static int level_named(const char *v, size_t n)
{
	static const char *names[] = {"err", "warn", "info", "debug"};
	int i;

	for (i = 0; i < 4; i++)
		if (strlen(names[i]) == n && strncmp(v, names[i], n) == 0)
			return i;
	return -1;
}

static int log_level(void)
{
	const char *p = getenv("TAPIX_LOG");
	int def = SIP_WARN, mine = -1;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		int v;

		if (!eq) {
			v = level_named(p, n);
			if (v >= 0)
				def = v;
		} else if (eq - p == 3 && strncmp(p, "sip", 3) == 0) {
			v = level_named(eq + 1, n - 4);
			if (v >= 0)
				mine = v;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return mine >= 0 ? mine : def;
}

void sip_log(int level, const char *fmt, ...)
{
	static const char *tags[] = {"error", "warning", "info", "debug"};
	char msg[512];
	va_list ap;

	if (level > log_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tapix sip %s: %s\n", tags[level], msg);
}

/* ---- handles --------------------------------------------------------------
 */

struct call *call_get(uint32_t h)
{
	return tsp_htab_get(&sip.calls, h);
}

struct call *call_of(HDRVCALL hd)
{
	struct call *c = tsp_htab_get_ptr(&sip.calls, (uintptr_t)hd);

	return c && !c->tapi_closed ? c : NULL;
}

struct line *line_of(HDRVLINE hd)
{
	uintptr_t v = (uintptr_t)hd;

	if (v == 0 || v > sip.nlines || !sip.lines[v - 1].open)
		return NULL;
	return &sip.lines[v - 1];
}

struct line *line_by_dev(DWORD dev)
{
	if (!sip.lines || dev < sip.dev_base ||
	    dev >= sip.dev_base + sip.nlines)
		return NULL;
	return &sip.lines[dev - sip.dev_base];
}

struct call *call_new(struct line *l)
{
	struct call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->h = tsp_htab_add(&sip.calls, c);
	if (!c->h) {
		free(c);
		return NULL;
	}
	c->line = l;
	c->state_time = time(NULL);
	l->ncalls++;
	sip.live_calls++;
	return c;
}

static void call_free(struct call *c)
{
	tcall_free(c->tm);
	free(c->dg);
	free(c->sdp_answer);
	tsp_uui_clear(&c->uui);
	tsp_htab_del(&sip.calls, c->h);
	c->line->ncalls--;
	sip.live_calls--;
	free(c);
}

void call_maybe_free(struct call *c)
{
	if (c->tapi_closed && !c->nh)
		call_free(c);
}

/* ---- events to TAPI -------------------------------------------------------
 */

static bool reportable(const struct call *c)
{
	return c->announced && !c->tapi_closed && c->line->open;
}

void set_state(struct call *c, DWORD state, DWORD mode)
{
	if (c->state == state && c->mode == mode)
		return;
	c->state = state;
	c->mode = mode;
	c->state_time = time(NULL);
	sip_media_update(c);
	/* digits as INFO go only while connected, as the media's do */
	if (c->dg && c->dg->on && state != LINECALLSTATE_CONNECTED) {
		c->dg->on = false;
		c->dg->flight_is_cur = false;
		generate_end(c, c->dg->id, LINEGENERATETERM_CANCEL);
	}
	if (reportable(c))
		c->line->ev(c->line->htl, c->ht, LINE_CALLSTATE, state, mode,
		            LINEMEDIAMODE_INTERACTIVEVOICE);
}

void generate_end(struct call *c, DWORD id, DWORD term)
{
	if (reportable(c))
		c->line->ev(c->line->htl, c->ht, LINE_GENERATE, term, id,
		            tcall_ticks());
}

void call_info(struct call *c, DWORD what)
{
	/* spec: tspi.md §5 — never after the call is IDLE */
	if (reportable(c) && c->state != LINECALLSTATE_IDLE)
		c->line->ev(c->line->htl, c->ht, LINE_CALLINFO, what, 0, 0);
}

void line_devstate(struct line *l, DWORD state)
{
	if (l->open && (l->line_states & state))
		l->ev(l->htl, NULL, LINE_LINEDEVSTATE, state, 0, 0);
}

/* ---- outstanding requests -------------------------------------------------
 */

bool pend_add(struct call *c, DRV_REQUESTID id, enum op op)
{
	if (c->npend == SIP_MAX_PEND)
		return false;
	c->pend[c->npend].id = id;
	c->pend[c->npend].op = op;
	c->npend++;
	return true;
}

bool pend_has(const struct call *c, enum op op)
{
	unsigned i;

	for (i = 0; i < c->npend; i++)
		if (c->pend[i].op == op)
			return true;
	return false;
}

bool pend_take(struct call *c, DRV_REQUESTID id)
{
	unsigned i;

	for (i = 0; i < c->npend; i++) {
		if (c->pend[i].id == id) {
			c->pend[i] = c->pend[--c->npend];
			return true;
		}
	}
	return false;
}

/* Completes every outstanding request of @c for @op with @r. */
void pend_complete_op(struct call *c, enum op op, LONG r)
{
	unsigned i = 0;

	while (i < c->npend) {
		if (c->pend[i].op == op) {
			DRV_REQUESTID id = c->pend[i].id;

			c->pend[i] = c->pend[--c->npend];
			sip.complete(id, r);
		} else {
			i++;
		}
	}
}

/* spec: tspi.md §6 TSPI_lineCloseCall — aborted requests complete FAILED */
void pend_fail_all(struct call *c)
{
	while (c->npend) {
		DRV_REQUESTID id = c->pend[--c->npend].id;

		sip.complete(id, LINEERR_OPERATIONFAILED);
	}
}

/* ---- commands to the stack thread -----------------------------------------
 */

struct cmd *cmd_new(enum cmd_op op, const struct call *c)
{
	struct cmd *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->op = op;
	if (c) {
		m->call = c->h;
		m->line = c->line->idx;
	}
	return m;
}

void cmd_post(struct cmd *m)
{
	uint64_t one = 1;

	m->next = NULL;
	*sip.cmds_tail = m;
	sip.cmds_tail = &m->next;
	sip.live_cmds++;
	if (write(sip.wake_fd, &one, sizeof(one)) < 0)
		sip_log(SIP_ERR, "cannot wake the stack thread: %s",
		        strerror(errno));
}

/* ---- configuration --------------------------------------------------------
 */

static void acct_defaults(struct acct *a)
{
	memset(a, 0, sizeof(*a));
	tsp_copy_str(a->local, sizeof(a->local), "*:*");
	tsp_copy_str(a->transport, sizeof(a->transport), "udp");
	a->reg_expires = 600;
	a->reject_status = 486;
	a->session_expires = 1800;
	a->min_se = 90;
	a->t1x64_ms = 32000;
	a->rtp_port = 4000;
	a->rtp_port_max = 0;
	a->offer_timeout = 60;
	a->max_incoming = 32;
	a->max_proceeding = 256;
}

static bool set_str(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return false;
	tsp_copy_str(dst, size, v);
	return true;
}

static bool set_uint(unsigned *dst, const char *v, unsigned lo, unsigned hi)
{
	unsigned x;

	if (!tsp_parse_uint(v, &x) || x < lo || x > hi)
		return false;
	*dst = x;
	return true;
}

#define SIP_KEY (TSPIXCONFIGKEY_MAIN | TSPIXCONFIGKEY_SUB)

/*
 * The keys of [sip] (defaults) and [sip.NAME] (an account), spec: tspi.h
 * TSPIX_providerConfigKeys; acct_set takes each.
 */
static const struct tspix_config_key sip_keys[] = {
	{"aor", SIP_KEY, "sip:user@domain or sips:user@domain (required)"},
	{"display", SIP_KEY, "a display name, without \" or \\"},
	{"user", SIP_KEY, "a digest user name, without : or \""},
	{"password", SIP_KEY | TSPIXCONFIGKEY_SECRET, "a digest password"},
	{"registrar", SIP_KEY, "a sip: URI, or nothing (no REGISTER)"},
	{"proxy", SIP_KEY, "a sip: URI, or nothing (no outbound proxy)"},
	{"local", SIP_KEY, "HOST:PORT to listen on (default *:*)"},
	{"transport", SIP_KEY, "udp, tcp or tls (default udp)"},
	{"tls_dir", SIP_KEY,
         "a directory with agent.pem (our certificate and key) and "
         "cafile.pem (the authorities we trust)"},
	{"tls_verify", SIP_KEY,
         "yes or no: check the certificates of the servers we connect to "
         "(default yes)"},
	{"domain", SIP_KEY, "a host name or address"},
	{"register_expires", SIP_KEY, "seconds, 30 to 86400 (default 600)"},
	{"reject_status", SIP_KEY, "a SIP status, 400 to 699 (default 486)"},
	{"session_expires", SIP_KEY,
         "seconds, 0 (off) or 2 to 86400 (default 1800)"},
	{"min_se", SIP_KEY, "seconds, 1 to 86400 (default 90)"},
	{"transaction_timeout_ms", SIP_KEY,
         "milliseconds, 500 to 600000 (default 32000)"},
	{"rtp_port", SIP_KEY,
         "the first RTP port of the calls, even, 2 to 65532 (default 4000)"},
	{"rtp_port_max", SIP_KEY,
         "the last RTP port, even, above rtp_port (default rtp_port + 1998)"},
	{"srtp", SIP_KEY,
         "off, optional or mandatory: SRTP with SDES keys (default off)"},
	{"dtmf", SIP_KEY,
         "auto, rfc4733, info or inband: how lineGenerateDigits sends "
         "digits (default auto)"},
	{"rtp_timeout", SIP_KEY,
         "seconds without RTP that end a call, 0 (never) to 3600 (default 0)"},
	{"invite_timeout", SIP_KEY,
         "seconds, 0 (the stack's default) to 3600 (default 0)"},
	{"offer_timeout", SIP_KEY, "seconds, 0 (never) to 3600 (default 60)"},
	{"max_incoming", SIP_KEY, "a number of calls, 1 to 10000 (default 32)"},
	{"max_proceeding", SIP_KEY,
         "a number of requests, 8 to 100000 (default 256)"},
	{NULL, 0, NULL},
};

SIP_EXPORT const struct tspix_config_key *TSPIAPI TSPIX_providerConfigKeys(void)
{
	return sip_keys;
}

/*
 * One key of an account (or of the defaults): 0, LINEERR_INVALPARAM (no
 * such key) or LINEERR_INIFILECORRUPT (a value it does not take).
 */
static LONG acct_set(struct acct *a, const char *key, const char *v)
{
	bool ok;

	if (strcmp(key, "aor") == 0)
		ok = (strncmp(v, "sip:", 4) == 0 ||
		      strncmp(v, "sips:", 5) == 0) &&
		     strchr(v, '@') && set_str(a->aor, sizeof(a->aor), v);
	else if (strcmp(key, "display") == 0)
		ok = !strpbrk(v, "\"\\\r\n") &&
		     set_str(a->display, sizeof(a->display), v);
	else if (strcmp(key, "user") == 0)
		ok = !strpbrk(v, ":\"\r\n") &&
		     set_str(a->user, sizeof(a->user), v);
	else if (strcmp(key, "password") == 0)
		ok = !strpbrk(v, "\r\n") &&
		     set_str(a->password, sizeof(a->password), v);
	else if (strcmp(key, "registrar") == 0)
		ok = (!*v || strncmp(v, "sip:", 4) == 0) &&
		     set_str(a->registrar, sizeof(a->registrar), v);
	else if (strcmp(key, "proxy") == 0)
		ok = (!*v || strncmp(v, "sip:", 4) == 0) &&
		     set_str(a->proxy, sizeof(a->proxy), v);
	else if (strcmp(key, "local") == 0)
		ok = *v && !strpbrk(v, " ;<>\"") &&
		     set_str(a->local, sizeof(a->local), v);
	else if (strcmp(key, "transport") == 0)
		ok = (strcmp(v, "udp") == 0 || strcmp(v, "tcp") == 0 ||
		      strcmp(v, "tls") == 0) &&
		     set_str(a->transport, sizeof(a->transport), v);
	else if (strcmp(key, "domain") == 0)
		ok = !strpbrk(v, " ;<>\"@") &&
		     set_str(a->domain, sizeof(a->domain), v);
	else if (strcmp(key, "register_expires") == 0)
		ok = set_uint(&a->reg_expires, v, 30, 86400);
	else if (strcmp(key, "reject_status") == 0)
		ok = set_uint(&a->reject_status, v, 400, 699);
	else if (strcmp(key, "session_expires") == 0)
		ok = set_uint(&a->session_expires, v, 0, 86400) &&
		     (a->session_expires == 0 || a->session_expires >= 2);
	else if (strcmp(key, "min_se") == 0)
		ok = set_uint(&a->min_se, v, 1, 86400);
	else if (strcmp(key, "transaction_timeout_ms") == 0)
		ok = set_uint(&a->t1x64_ms, v, 500, 600000);
	else if (strcmp(key, "rtp_port") == 0)
		ok = set_uint(&a->rtp_port, v, 2, 65532) && !(a->rtp_port & 1);
	else if (strcmp(key, "tls_dir") == 0)
		ok = v[0] == '/' && set_str(a->tls_dir, sizeof(a->tls_dir), v);
	else if (strcmp(key, "tls_verify") == 0) {
		ok = strcmp(v, "yes") == 0 || strcmp(v, "no") == 0;
		if (ok)
			a->tls_no_verify = strcmp(v, "no") == 0;
	} else if (strcmp(key, "srtp") == 0) {
		static const char *const modes[] = {"off", "optional",
		                                    "mandatory"};

		ok = false;
		for (int i = 0; i < 3 && !ok; i++)
			if (strcmp(v, modes[i]) == 0) {
				a->srtp = i;
				ok = true;
			}
	} else if (strcmp(key, "dtmf") == 0) {
		static const char *const modes[] = {"auto", "rfc4733", "info",
		                                    "inband"};

		ok = false;
		for (int i = 0; i < 4 && !ok; i++)
			if (strcmp(v, modes[i]) == 0) {
				a->dtmf = i;
				ok = true;
			}
	} else if (strcmp(key, "rtp_timeout") == 0)
		ok = set_uint(&a->rtp_timeout, v, 0, 3600);
	else if (strcmp(key, "rtp_port_max") == 0)
		ok = set_uint(&a->rtp_port_max, v, 4, 65534) &&
		     !(a->rtp_port_max & 1);
	else if (strcmp(key, "invite_timeout") == 0)
		ok = set_uint(&a->invite_timeout, v, 0, 3600);
	else if (strcmp(key, "offer_timeout") == 0)
		ok = set_uint(&a->offer_timeout, v, 0, 3600);
	else if (strcmp(key, "max_incoming") == 0)
		ok = set_uint(&a->max_incoming, v, 1, 10000);
	else if (strcmp(key, "max_proceeding") == 0)
		ok = set_uint(&a->max_proceeding, v, 8, 100000);
	else
		return LINEERR_INVALPARAM;
	return ok ? 0 : LINEERR_INIFILECORRUPT;
}

SIP_EXPORT LONG TSPIAPI TSPIX_providerConfig(DWORD dwPermanentProviderID,
                                             LPCSTR key, LPCSTR value)
{
	const char *dot;
	LONG r = 0;

	(void)dwPermanentProviderID;
	pthread_mutex_lock(&sip.lock);
	if (!key || !value) {
		/* a new session's configuration starts from the defaults */
		acct_defaults(&sip.defaults);
		sip.nacct = 0;
		r = key || value ? LINEERR_INIFILECORRUPT : 0;
	} else if ((dot = strchr(key, '.')) != NULL) {
		/* [sip.NAME] KEY: an account, in order of appearance */
		size_t n = (size_t)(dot - key);
		unsigned i;

		for (i = 0; i < sip.nacct; i++)
			if (strlen(sip.accts[i].name) == n &&
			    strncmp(sip.accts[i].name, key, n) == 0)
				break;
		if (i == sip.nacct) {
			if (n == 0 || n >= sizeof(sip.accts[0].name) ||
			    sip.nacct == SIP_MAX_LINES) {
				if (sip.nacct == SIP_MAX_LINES)
					sip_log(SIP_ERR,
					        "[sip.%.*s]: more than %d "
					        "accounts",
					        (int)n, key, SIP_MAX_LINES);
				else
					sip_log(SIP_ERR,
					        "[sip.%.*s]: an account name "
					        "has 1 to %zu characters",
					        (int)n, key,
					        sizeof(sip.accts[0].name) - 1);
				r = LINEERR_RESOURCEUNAVAIL;
				goto out;
			}
			sip.accts[i] = sip.defaults;
			memcpy(sip.accts[i].name, key, n);
			sip.accts[i].name[n] = '\0';
			sip.nacct++;
		}
		r = acct_set(&sip.accts[i], dot + 1, value);
	} else if (sip.nacct) {
		/* [sip] must come before its accounts (TAPI passes it so) */
		r = LINEERR_INIFILECORRUPT;
	} else {
		r = acct_set(&sip.defaults, key, value);
	}
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT DWORD TSPIAPI TSPIX_providerLiveObjects(void)
{
	DWORD n;

	pthread_mutex_lock(&sip.lock);
	n = (DWORD)(sip.live_calls + sip.live_cmds + (sip.running ? 1 : 0));
	pthread_mutex_unlock(&sip.lock);
	return n;
}

/* ---- TSPI: provider -------------------------------------------------------
 */

#define VER_LOW  0x00010004
#define VER_HIGH 0x00020002

SIP_EXPORT LONG TSPIAPI TSPI_lineNegotiateTSPIVersion(DWORD dwDeviceID,
                                                      DWORD dwLowVersion,
                                                      DWORD dwHighVersion,
                                                      LPDWORD lpdwTSPIVersion)
{
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	if (dwDeviceID != INITIALIZE_NEGOTIATION && !line_by_dev(dwDeviceID))
		r = LINEERR_BADDEVICEID;
	else if (dwHighVersion < VER_LOW || dwLowVersion > VER_HIGH)
		r = LINEERR_INCOMPATIBLEAPIVERSION;
	else
		*lpdwTSPIVersion =
			dwHighVersion < VER_HIGH ? dwHighVersion : VER_HIGH;
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_providerEnumDevices(DWORD dwPermanentProviderID,
                                                 LPDWORD lpdwNumLines,
                                                 LPDWORD lpdwNumPhones,
                                                 HPROVIDER hProvider,
                                                 LINEEVENT lpfnLineCreateProc,
                                                 PHONEEVENT lpfnPhoneCreateProc)
{
	(void)dwPermanentProviderID;
	(void)hProvider;
	(void)lpfnLineCreateProc;
	(void)lpfnPhoneCreateProc;
	pthread_mutex_lock(&sip.lock);
	*lpdwNumLines = sip.nacct;
	*lpdwNumPhones = 0;
	pthread_mutex_unlock(&sip.lock);
	return 0;
}

static void session_free(void)
{
	uint32_t i;

	for (i = 0; i < sip.calls.used; i++) {
		struct call *c = sip.calls.slots[i].obj;

		if (c) {
			c->nh = NULL; /* the stack is gone */
			c->tapi_closed = true;
			call_maybe_free(c);
		}
	}
	tsp_htab_free(&sip.calls);
	while (sip.cmds) {
		struct cmd *m = sip.cmds;

		sip.cmds = m->next;
		free(m);
		sip.live_cmds--;
	}
	sip.cmds_tail = &sip.cmds;
	for (i = 0; i < sip.nlines; i++)
		media_stop(sip.lines[i].media);
	free(sip.lines);
	sip.lines = NULL;
	sip.nlines = 0;
	if (sip.wake_fd >= 0)
		close(sip.wake_fd);
	sip.wake_fd = -1;
}

SIP_EXPORT LONG TSPIAPI
TSPI_providerInit(DWORD dwTSPIVersion, DWORD dwPermanentProviderID,
                  DWORD dwLineDeviceIDBase, DWORD dwPhoneDeviceIDBase,
                  DWORD_PTR dwNumLines, DWORD_PTR dwNumPhones,
                  ASYNC_COMPLETION lpfnCompletionProc, LPDWORD lpdwTSPIOptions)
{
	unsigned i;
	LONG r = 0;

	(void)dwTSPIVersion;
	(void)dwPhoneDeviceIDBase;
	(void)dwNumPhones;
	(void)lpdwTSPIOptions;
	pthread_mutex_lock(&sip.lock);
	if (sip.running)
		goto out; /* spec: tspi.md §2 — a second init is ignored */
	if (dwNumLines != sip.nacct) {
		r = LINEERR_OPERATIONFAILED;
		goto out;
	}
	for (i = 0; i < sip.nacct; i++) {
		if (!sip.accts[i].aor[0]) {
			sip_log(SIP_ERR, "account %s has no aor",
			        sip.accts[i].name);
			r = LINEERR_INIFILECORRUPT;
			goto out;
		}
	}
	sip.perm_id = dwPermanentProviderID;
	sip.dev_base = dwLineDeviceIDBase;
	sip.complete = lpfnCompletionProc;
	sip.cmds = NULL;
	sip.cmds_tail = &sip.cmds;
	sip.nlines = sip.nacct;
	sip.lines = calloc(sip.nlines ? sip.nlines : 1, sizeof(*sip.lines));
	sip.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!sip.lines || sip.wake_fd < 0) {
		r = LINEERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < sip.nlines; i++) {
		struct line *l = &sip.lines[i];

		l->idx = i;
		l->dev_id = dwLineDeviceIDBase + i;
		l->cfg = sip.accts[i];
		l->reg = l->cfg.registrar[0] ? REG_IDLE : REG_NONE;
	}
	sip.start_err = 0;
	if (pthread_create(&sip.thread, NULL, stack_main, NULL) != 0) {
		r = LINEERR_RESOURCEUNAVAIL;
		goto fail;
	}
	while (sip.start_err == 0)
		pthread_cond_wait(&sip.cond, &sip.lock);
	if (sip.start_err < 0) {
		pthread_mutex_unlock(&sip.lock);
		pthread_join(sip.thread, NULL);
		pthread_mutex_lock(&sip.lock);
		r = LINEERR_RESOURCEUNAVAIL;
		goto fail;
	}
	sip.running = true;
	goto out;
fail:
	session_free();
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_providerShutdown(DWORD dwTSPIVersion,
                                              DWORD dwPermanentProviderID)
{
	struct cmd *m;

	(void)dwTSPIVersion;
	(void)dwPermanentProviderID;
	pthread_mutex_lock(&sip.lock);
	if (!sip.running) {
		pthread_mutex_unlock(&sip.lock);
		return 0;
	}
	m = cmd_new(C_SHUTDOWN, NULL);
	if (m) {
		cmd_post(m);
	} else {
		uint64_t one = 1;

		/* the thread also stops when woken with an empty queue */
		sip.running = false;
		if (write(sip.wake_fd, &one, sizeof(one)) < 0)
			sip_log(SIP_ERR, "cannot stop the stack thread");
	}
	pthread_mutex_unlock(&sip.lock);
	pthread_join(sip.thread, NULL);
	pthread_mutex_lock(&sip.lock);
	sip.running = false;
	session_free();
	pthread_mutex_unlock(&sip.lock);
	return 0;
}

/* ---- TSPI: lines ----------------------------------------------------------
 */

SIP_EXPORT LONG TSPIAPI TSPI_lineOpen(DWORD dwDeviceID, HTAPILINE htLine,
                                      LPHDRVLINE lphdLine, DWORD dwTSPIVersion,
                                      LINEEVENT lpfnEventProc)
{
	struct line *l;
	struct cmd *m = NULL;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	l = line_by_dev(dwDeviceID);
	if (!l) {
		r = LINEERR_BADDEVICEID;
	} else if (l->open) {
		r = LINEERR_ALLOCATED;
	} else if (l->reg != REG_NONE && !(m = cmd_new(C_REGISTER, NULL))) {
		r = LINEERR_NOMEM;
	} else {
		l->open = true;
		l->htl = htLine;
		l->ev = lpfnEventProc;
		l->version = dwTSPIVersion;
		l->media_detect = 0;
		l->line_states = 0;
		*lphdLine = (HDRVLINE)(uintptr_t)(l->idx + 1);
		if (m) {
			/* registration starts: in service meanwhile */
			l->reg = REG_PENDING;
			l->reg_status = 0;
			m->line = l->idx;
			cmd_post(m);
		}
	}
	pthread_mutex_unlock(&sip.lock);
	return r;
}

/* Ends @c for TAPI: outstanding requests fail, the session goes quietly. */
static void close_call(struct call *c)
{
	struct cmd *m;

	pend_fail_all(c);
	c->tapi_closed = true;
	/* tspi.md §6 TSPI_lineCloseCall: nothing reported after it, and the
	 * media end with TAPI's call (tcall.h) */
	tcall_free(c->tm);
	c->tm = NULL;
	if (c->nh) {
		/* the stack thread ends the session and frees the call */
		m = cmd_new(C_RELEASE, c);
		if (m)
			cmd_post(m);
		else
			sip_log(SIP_ERR,
			        "call %08x: out of memory, its "
			        "session ends by itself",
			        c->h);
	}
	call_maybe_free(c);
}

SIP_EXPORT LONG TSPIAPI TSPI_lineClose(HDRVLINE hdLine)
{
	struct line *l;
	struct cmd *m;
	uint32_t i;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	l = line_of(hdLine);
	if (!l) {
		r = LINEERR_INVALLINEHANDLE;
		goto out;
	}
	/* TAPI closed every call first; a call it forgot still ends here */
	for (i = 0; i < sip.calls.used && l->ncalls; i++) {
		struct call *c = sip.calls.slots[i].obj;

		if (c && c->line == l && !c->tapi_closed)
			close_call(c);
	}
	l->open = false;
	if (l->reg != REG_NONE) {
		m = cmd_new(C_UNREGISTER, NULL);
		if (m) {
			m->line = l->idx;
			m->failed = l->reg == REG_FAILED;
			cmd_post(m);
		}
		l->reg = REG_IDLE;
	}
out:
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineSetDefaultMediaDetection(HDRVLINE hdLine,
                                                          DWORD dwMediaModes)
{
	struct line *l;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else if (dwMediaModes & ~SIP_MEDIA)
		r = LINEERR_INVALMEDIAMODE;
	else
		l->media_detect = dwMediaModes;
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineSetStatusMessages(HDRVLINE hdLine,
                                                   DWORD dwLineStates,
                                                   DWORD dwAddressStates)
{
	struct line *l;
	LONG r = 0;

	(void)dwAddressStates;
	pthread_mutex_lock(&sip.lock);
	l = line_of(hdLine);
	if (!l)
		r = LINEERR_INVALLINEHANDLE;
	else
		l->line_states = dwLineStates;
	pthread_mutex_unlock(&sip.lock);
	return r;
}

SIP_EXPORT LONG TSPIAPI TSPI_lineCloseCall(HDRVCALL hdCall)
{
	struct call *c;
	LONG r = 0;

	pthread_mutex_lock(&sip.lock);
	c = call_of(hdCall);
	if (!c)
		r = LINEERR_INVALCALLHANDLE;
	else
		close_call(c); /* never waits for the network */
	pthread_mutex_unlock(&sip.lock);
	return r;
}
