/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: which users may use which lines. From tapix.conf:
 *
 *   [tapixd]
 *   allow = user:alice group:callcenter   ; lines without a rule of their own
 *   [line 0]
 *   allow = uid:1000 gid:100 all
 *
 * Without any rule every user may use every line (a single-user machine);
 * once a rule exists, a line without one follows [tapixd] allow, and with
 * none of that either, only root may use it. Root may use every line.
 *
 * [tapixd] also holds the limits (issue 19 items 4 and 13: struct limits,
 * tapixd(8) LIMITS), read with the rules, on start and on SIGHUP; a
 * [line N] also what tapixd does with the line's incoming calls
 * (incoming = ring | reject | answer | answer:FILE | forward:ADDRESS;
 * enum acl_incoming, acl_answer_file, acl_forward_address). The FILE of
 * answer:FILE is checked when the rules are loaded, by the check tapixd sets
 * (acl_set_file_check): a file it cannot play is a problem of the configuration
 * like a bad value. The tests and the fuzz target of this file set none:
 * parsing opens no file.
 *
 * Every problem of these sections (an unknown key, a bad value) is
 * reported, all of them, as FILE:LINE: message (log module "config", as
 * the library's); the file's syntax errors are the library's check's to
 * report (tapix_config_check), which tapixd runs before every load.
 */
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlog.h"
#include "tapixd.h"
#include "util/file.h"

#define ACL_MAX_FILE (1u << 20) /* a configuration larger: refused */
#define MAX_LINES    4096
#define MAX_IDS      64

struct rule {
	bool set;
	bool all;
	uid_t uids[MAX_IDS];
	unsigned nuids;
	gid_t gids[MAX_IDS];
	unsigned ngids;
};

#define LIM_MAX     1000000000u /* larger: a mistake */
#define FORWARD_MAX 127         /* forward:ADDRESS's bytes at most */

static struct rule deflt;
static struct rule *lines;      /* MAX_LINES entries */
static unsigned char *incoming; /* MAX_LINES enum acl_incoming */
/* The lines that answer with a file (answer:FILE) and their files, and
 * those that forward (forward:ADDRESS) and their addresses. */
struct answer {
	unsigned line;
	char *path;
};
static struct answer *answers;
static size_t nanswers;
static acl_file_check_cb file_check;
static bool any_rule;
static int load_err;
/* (a macro: C11 takes no const object as a static initializer) */
#define LIM_DEFAULTS                                                          \
	{                                                                     \
		LIM_REGS, LIM_REGS_PER_USER, LIM_CONNS, LIM_CONNS_PER_USER,   \
			LIM_CALLS, LIM_CALLS_PER_USER, LIM_QUEUED, LIM_OPENS, \
			LIM_OPENS_PER_USER                                    \
	}
static const struct limits lim_default = LIM_DEFAULTS;
static struct limits lim = LIM_DEFAULTS, lim_new;

/* The [tapixd] keys of the limits, and where each goes. */
static const struct {
	const char *name;
	size_t off;
} lim_keys[] = {
	{"max_registrations", offsetof(struct limits, regs)},
	{"max_registrations_per_user", offsetof(struct limits, regs_per_user)},
	{"max_connections", offsetof(struct limits, conns)},
	{"max_connections_per_user", offsetof(struct limits, conns_per_user)},
	{"max_calls", offsetof(struct limits, calls)},
	{"max_calls_per_user", offsetof(struct limits, calls_per_user)},
	{"max_queued_messages", offsetof(struct limits, queued)},
	{"max_opens", offsetof(struct limits, opens)},
	{"max_opens_per_user", offsetof(struct limits, opens_per_user)},
};

/*
 * Where the parse is, for messages: FILE:LINE: (module "config", as the
 * library's configuration messages). read_line hands inih one whole line
 * per call, so the handler of a line runs with its number here.
 */
static struct {
	const char *file; /* the path, or "(string)" */
	const char *p;    /* the text not read yet */
	int line;         /* of the line inih works on */
	bool too_long;    /* a line was too long (inih would cut it) */
} rd;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	char msg[512], text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text), "%s:%d: %s", rd.file, rd.line, msg);
	dlog_line(TAPIX_LOG_ERR, "config", text);
}

/* inih's reader: the next line, whole (the same limit as the library's
 * configuration reader: a longer line is its error to report). */
static char *read_line(char *str, int num, void *stream)
{
	size_t n, len;

	(void)stream;
	if (!*rd.p || num < 4)
		return NULL;
	n = strcspn(rd.p, "\n");
	len = n && rd.p[n - 1] == '\r' ? n - 1 : n;
	rd.line++;
	if (len + 3 > (size_t)num) {
		rd.too_long = true;
		len = 0;
	}
	memcpy(str, rd.p, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	rd.p += n;
	if (*rd.p == '\n')
		rd.p++;
	return str;
}

/* A limit's value: 1 .. LIM_MAX. */
static int parse_limit(const char *name, const char *value, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' || v == 0 ||
	    v > LIM_MAX) {
		problem("[tapixd] %s = %.64s: bad value, expected a number "
		        "from 1 to %u",
		        name, value, LIM_MAX);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

#define RULE_EXPECTED "user:NAME, group:NAME, uid:N, gid:N or all"
#define ID_MAX        4294967294u /* (uid_t)-1 is no id: the kernel's */

/*
 * The N of uid:N or gid:N: digits only (no sign or space, which strtoul
 * would take: "-1" as the largest number) up to ID_MAX. Past it the
 * number would not be the id meant: uid:4294968296 was uid 1000.
 */
static int parse_id(const char *section, const char *tok, const char *s,
                    uint32_t *out)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= ID_MAX; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == s || *p || v > ID_MAX) {
		problem("[%s] allow: %s: bad id, expected a number from 0 to "
		        "%u",
		        section, tok, ID_MAX);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * Parses "user:alice group:wheel uid:1000 gid:100 all" into @r, of key
 * allow in @section (for messages).
 */
static int parse_rule(struct rule *r, const char *section, const char *value)
{
	const char *p = value;
	char tok[128];

	memset(r, 0, sizeof(*r));
	r->set = true;
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		if (n >= sizeof(tok)) {
			problem("[%s] allow: a name of %zu characters (at "
			        "most %zu)",
			        section, n, sizeof(tok) - 1);
			return -EINVAL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (strcmp(tok, "all") == 0) {
			r->all = true;
		} else if (strncmp(tok, "user:", 5) == 0 ||
		           strncmp(tok, "uid:", 4) == 0) {
			struct passwd *pw = NULL;
			uint32_t v = 0;

			if (tok[0] == 'u' && tok[1] == 's')
				pw = getpwnam(tok + 5);
			else if (parse_id(section, tok, tok + 4, &v) != 0)
				return -EINVAL;
			if (tok[1] == 's' && !pw) {
				problem("[%s] allow: %s: no such user", section,
				        tok);
				return -ENOENT;
			}
			if (r->nuids == MAX_IDS) {
				problem("[%s] allow: more than %d users",
				        section, MAX_IDS);
				return -E2BIG;
			}
			r->uids[r->nuids++] = pw ? pw->pw_uid : (uid_t)v;
		} else if (strncmp(tok, "group:", 6) == 0 ||
		           strncmp(tok, "gid:", 4) == 0) {
			struct group *gr = NULL;
			uint32_t v = 0;

			if (tok[0] == 'g' && tok[1] == 'r') {
				gr = getgrnam(tok + 6);
				if (!gr) {
					problem("[%s] allow: %s: no such group",
					        section, tok);
					return -ENOENT;
				}
			} else if (parse_id(section, tok, tok + 4, &v) != 0) {
				return -EINVAL;
			}
			if (r->ngids == MAX_IDS) {
				problem("[%s] allow: more than %d groups",
				        section, MAX_IDS);
				return -E2BIG;
			}
			r->gids[r->ngids++] = gr ? gr->gr_gid : (gid_t)v;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	problem("[%s] allow: %s: bad value, expected " RULE_EXPECTED, section,
	        tok);
	return -EINVAL;
}

/* "allow, max_registrations, ..." into @buf. */
static void tapixd_keys(char *buf, size_t size)
{
	size_t i, n;

	n = (size_t)snprintf(buf, size, "allow");
	for (i = 0; i < sizeof(lim_keys) / sizeof(lim_keys[0]) && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, ", %s",
		                      lim_keys[i].name);
}

/* Every problem is told; the first one's error is kept (load_err). */
static void failed(int e)
{
	if (!load_err)
		load_err = e;
}

/* Line @n answers with @path (NULL: with none); false without memory. */
static bool answer_set(unsigned n, const char *path)
{
	struct answer *a;
	size_t i;

	for (i = 0; i < nanswers && answers[i].line != n; i++)
		;
	if (i < nanswers) {
		free(answers[i].path);
		answers[i] = answers[--nanswers];
	}
	if (!path)
		return true;
	a = realloc(answers, (nanswers + 1) * sizeof(*a));
	if (!a)
		return false;
	answers = a;
	a[nanswers].line = n;
	a[nanswers].path = strdup(path);
	if (!a[nanswers].path)
		return false;
	nanswers++;
	return true;
}

static void answers_free(struct answer *a, size_t n)
{
	while (n)
		free(a[--n].path);
	free(a);
}

/* [line @n] incoming = @value, in section @section. */
static void parse_incoming(const char *section, unsigned n, const char *value)
{
	static const char *const words[] = {"monitor", "ring", "reject",
	                                    "answer"};
	const char *path = NULL;
	char why[256];
	unsigned i;

	if (strncmp(value, "forward:", 8) == 0) {
		path = value + 8;
		i = ACL_INCOMING_FORWARD;
		if (!*path || strlen(path) > FORWARD_MAX) {
			problem("[%s] incoming: forward: no address, or one "
			        "over %d bytes (forward:ADDRESS)",
			        section, FORWARD_MAX);
			failed(-EINVAL);
			return;
		}
		for (const char *c = path; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7F) {
				problem("[%s] incoming: forward: a control "
				        "character in the address",
				        section);
				failed(-EINVAL);
				return;
			}
	} else if (strncmp(value, "answer:", 7) == 0) {
		path = value + 7;
		i = ACL_INCOMING_ANSWER;
		if (!*path) {
			problem("[%s] incoming: answer: no file (answer:FILE)",
			        section);
			failed(-EINVAL);
			return;
		}
		if (path[0] != '/') {
			problem("[%s] incoming: answer:%s: not an absolute path",
			        section, path);
			failed(-EINVAL);
			return;
		}
		if (file_check && file_check(path, why, sizeof(why)) != 0) {
			problem("[%s] incoming: answer:%s: cannot play it: %s",
			        section, path, why);
			failed(-EINVAL);
			return;
		}
	} else {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strcmp(value, words[i]) == 0)
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			problem("[%s] incoming: %s: bad value, expected "
			        "monitor, ring, reject or answer, or "
			        "answer:FILE, or forward:ADDRESS",
			        section, value);
			failed(-EINVAL);
			return;
		}
	}
	if (!answer_set(n, path)) {
		log_err("out of memory reading the access rules");
		failed(-ENOMEM);
		return;
	}
	incoming[n] = (unsigned char)i;
}

static int on_value(void *user, const char *section, const char *name,
                    const char *value)
{
	char known[256];
	unsigned long n;
	char *end;

	(void)user;
	if (!name || !value)
		return 1; /* (a syntax error: the configuration check's) */
	if (strcmp(section, "tapixd") == 0 && strcmp(name, "allow") != 0) {
		unsigned v = 0;
		size_t i;

		for (i = 0; i < sizeof(lim_keys) / sizeof(lim_keys[0]); i++)
			if (strcmp(name, lim_keys[i].name) == 0)
				break;
		if (i == sizeof(lim_keys) / sizeof(lim_keys[0])) {
			tapixd_keys(known, sizeof(known));
			problem("[tapixd] %s: unknown key (known: %s)", name,
			        known);
			failed(-EINVAL);
		} else if (parse_limit(name, value, &v) != 0) {
			failed(-EINVAL);
		} else {
			memcpy((char *)&lim_new + lim_keys[i].off, &v,
			       sizeof(v));
		}
		return 1; /* a limit is not a rule */
	}
	if (strcmp(section, "tapixd") == 0) {
		int e = parse_rule(&deflt, section, value);

		any_rule = true;
		if (e)
			failed(e);
		return 1;
	}
	if (strncmp(section, "line ", 5) != 0)
		return 1; /* the core's and the providers' keys */
	errno = 0;
	n = strtoul(section + 5, &end, 10);
	if (errno || *end || end == section + 5 || section[5] == '-' ||
	    n >= MAX_LINES) {
		problem("[%s]: not a line (expected [line N], N from 0 to "
		        "%d)",
		        section, MAX_LINES - 1);
		failed(-EINVAL);
	} else if (strcmp(name, "incoming") == 0) {
		parse_incoming(section, (unsigned)n, value);
	} else if (strcmp(name, "allow") != 0) {
		problem("[%s] %s: unknown key (known: allow, incoming)",
		        section, name);
		failed(-EINVAL);
	} else {
		int e = parse_rule(&lines[n], section, value);

		any_rule = true;
		if (e)
			failed(e);
	}
	return 1;
}

/* The rule that decides for device @dev: a line's, [tapixd]'s, or NULL
 * with *@all telling whether everyone (no rule at all) or only root. */
static const struct rule *rule_of(const struct rule *ls, const struct rule *df,
                                  bool any, DWORD dev, bool *all)
{
	*all = !any;
	if (!any)
		return NULL;
	if (dev < MAX_LINES && ls && ls[dev].set)
		return &ls[dev];
	return df->set ? df : NULL;
}

/* Whether device @dev's rule differs between the old rules and the new. */
static bool rule_changed(const struct rule *ols, const struct rule *odf,
                         bool oany, DWORD dev)
{
	bool oall, nall;
	const struct rule *o = rule_of(ols, odf, oany, dev, &oall);
	const struct rule *n = rule_of(lines, &deflt, any_rule, dev, &nall);

	if (!o || !n)
		return o != n || oall != nall;
	/* (rules are zeroed before they are parsed: no stray padding) */
	return memcmp(o, n, sizeof(*o)) != 0;
}

/* Writes the devices below @ndevs whose rule changed, "1,3" (or "")
 * into @out; "..." ends a list that does not fit. */
static void list_changed(const struct rule *ols, const struct rule *odf,
                         bool oany, DWORD ndevs, char *out, size_t size)
{
	size_t n = 0;
	DWORD i;

	out[0] = '\0';
	for (i = 0; i < ndevs && i < MAX_LINES; i++) {
		int w;

		if (!rule_changed(ols, odf, oany, i))
			continue;
		w = snprintf(out + n, size - n, "%s%u", n ? "," : "",
		             (unsigned)i);
		if (w < 0 || (size_t)w >= size - n) {
			if (size > 4)
				snprintf(out + (n < size - 4 ? n : size - 4), 4,
				         "...");
			return;
		}
		n += (size_t)w;
	}
}

/* Parses @text, called @file in messages: inih's result (0, the line of
 * the first syntax error), or -ENOMEM. */
static int parse(const char *file, const char *text)
{
	int r;

	rd.file = file;
	rd.p = text;
	rd.line = 0;
	rd.too_long = false;
	r = ini_parse_stream(read_line, &rd, on_value, NULL);
	if (r < 0) {
		log_err("out of memory reading the access rules");
		return -ENOMEM;
	}
	return r;
}

/* Loads rules from a file (@path) or a text (@text); see acl_reload
 * (@changed NULL: no list). */
static int load(const char *path, const char *text, DWORD ndevs, char *changed,
                size_t size, bool *limits_changed)
{
	struct rule *nl = calloc(MAX_LINES, sizeof(*nl));
	unsigned char *ni = calloc(MAX_LINES, 1), *old_in = incoming;
	struct rule *old = lines;
	struct rule old_def = deflt;
	bool old_any = any_rule;
	struct answer *old_answers = answers;
	size_t old_nanswers = nanswers;
	int r;

	if (!nl || !ni) {
		free(nl);
		free(ni);
		return -ENOMEM;
	}
	lines = nl;
	incoming = ni;
	answers = NULL;
	nanswers = 0;
	memset(&deflt, 0, sizeof(deflt));
	any_rule = false;
	load_err = 0;
	lim_new = lim_default;
	if (path) {
		/* issue 19 — only a regular file, bounded, without blocking */
		char *buf = NULL;
		size_t len;
		int e = file_read(path, ACL_MAX_FILE, malloc, free, &buf, &len);

		if (e) {
			/* (as its syntax: the configuration check's to
			 * report, which tapixd runs before every load) */
			log_debug("%s: %s", path, file_error(e));
			r = e == -ENOMEM   ? -ENOMEM
			    : e == -ENOENT ? -ENOENT
			                   : -EIO;
		} else {
			r = parse(path, buf);
			free(buf);
		}
	} else {
		r = text ? parse("(string)", text) : 0;
	}
	if (r < 0) {
		/* (said above) */
	} else if (r > 0 || rd.too_long) {
		/* each is the configuration check's to report, which tapixd
		 * runs before every load (main.c, tapix_config_check) */
		log_debug("%s: syntax errors: access rules not read", rd.file);
		r = -EINVAL;
	} else if (load_err) {
		r = load_err;
	}
	if (r) {
		/* keep the rules we had */
		free(nl);
		free(ni);
		answers_free(answers, nanswers);
		answers = old_answers;
		nanswers = old_nanswers;
		lines = old;
		incoming = old_in;
		deflt = old_def;
		any_rule = old_any;
		return r;
	}
	if (changed)
		list_changed(old, &old_def, old_any, ndevs, changed, size);
	if (limits_changed)
		*limits_changed = memcmp(&lim, &lim_new, sizeof(lim)) != 0;
	lim = lim_new;
	free(old);
	free(old_in);
	answers_free(old_answers, old_nanswers);
	return 0;
}

int acl_load(const char *path)
{
	return load(path, NULL, 0, NULL, 0, NULL);
}

int acl_load_string(const char *text)
{
	return load(NULL, text, 0, NULL, 0, NULL);
}

int acl_reload(const char *path, DWORD ndevs, char *changed, size_t size,
               bool *limits_changed)
{
	return load(path, NULL, ndevs, changed, size, limits_changed);
}

const struct limits *acl_limits(void)
{
	return &lim;
}

enum acl_incoming acl_incoming(DWORD dev)
{
	if (!incoming || dev >= MAX_LINES)
		return ACL_INCOMING_MONITOR;
	return (enum acl_incoming)incoming[dev];
}

/* The FILE or ADDRESS of line @dev's incoming, if it is @kind's. */
static const char *incoming_arg(DWORD dev, enum acl_incoming kind)
{
	size_t i;

	if (acl_incoming(dev) != kind)
		return NULL;
	for (i = 0; i < nanswers; i++)
		if (answers[i].line == dev)
			return answers[i].path;
	return NULL;
}

const char *acl_forward_address(DWORD dev)
{
	return incoming_arg(dev, ACL_INCOMING_FORWARD);
}

const char *acl_answer_file(DWORD dev)
{
	return incoming_arg(dev, ACL_INCOMING_ANSWER);
}

void acl_set_file_check(acl_file_check_cb cb)
{
	file_check = cb;
}

void acl_free(void)
{
	answers_free(answers, nanswers);
	answers = NULL;
	nanswers = 0;
	free(incoming);
	incoming = NULL;
	free(lines);
	lines = NULL;
}

static bool rule_allows(const struct rule *r, const struct who *w)
{
	unsigned i, j;

	if (r->all)
		return true;
	for (i = 0; i < r->nuids; i++)
		if (r->uids[i] == w->uid)
			return true;
	for (i = 0; i < r->ngids; i++) {
		if (r->gids[i] == w->gid)
			return true;
		for (j = 0; j < w->ngroups; j++)
			if (r->gids[i] == w->groups[j])
				return true;
	}
	return false;
}

bool acl_allows(const struct who *w, DWORD dev)
{
	if (w->uid == 0 || !any_rule)
		return true;
	if (dev < MAX_LINES && lines && lines[dev].set)
		return rule_allows(&lines[dev], w);
	return deflt.set && rule_allows(&deflt, w);
}

/*
 * Issue 19 item 8 — the credentials of a bus peer, by its unique name:
 * asking the bus for them is a round trip, once per object of a
 * GetManagedObjects before. A unique name is never given to another
 * connection, so what it maps to never changes; the table only forgets
 * (an entry is overwritten by a name of the same hash).
 */
#define WHO_CACHE 512

static struct {
	char name[48]; /* "" free */
	struct who who;
} who_cache[WHO_CACHE];
static unsigned long who_queries; /* asked of the bus (test hooks) */

static unsigned who_slot(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h % WHO_CACHE;
}

unsigned long who_queries_made(void)
{
	return who_queries;
}

/*
 * The groups of a bus peer the bus does not tell: the bus daemon of
 * Debian 12 (dbus 1.14) reports a peer's uid but not its gid or groups.
 * They are then those the user database gives its user (its primary
 * group and getgrouplist()), as polkit's "unix-group:" does; a process
 * that dropped a group still has it for the access rules. Direct
 * connections have the process's own (SO_PEERCRED, SO_PEERGROUPS).
 */
static void groups_of_user(struct who *w)
{
	char buf[4096];
	struct passwd pw, *p = NULL;
	gid_t g[64];
	int n = 64;

	if (getpwuid_r(w->uid, &pw, buf, sizeof(buf), &p) != 0 || !p)
		return;
	if (w->gid == (gid_t)-1)
		w->gid = p->pw_gid;
	if (w->ngroups)
		return;
	if (getgrouplist(p->pw_name, p->pw_gid, g, &n) < 0)
		n = 64; /* more than 64: the first 64 */
	w->ngroups = (unsigned)n;
	memcpy(w->groups, g, w->ngroups * sizeof(*g));
}

int who_of(sd_bus_message *m, struct who *out)
{
	const char *sender = sd_bus_message_get_sender(m);
	sd_bus_creds *c = NULL;
	const gid_t *g = NULL;
	unsigned slot = 0;
	bool on_bus = sd_bus_is_bus_client(sd_bus_message_get_bus(m)) > 0;
	int e, n;

	/*
	 * Only on the bus, whose daemon sets the sender (":1.42"); on a
	 * direct connection the peer writes that field itself, and its
	 * credentials are the socket's (SO_PEERCRED, no round trip).
	 */
	if (sender && sender[0] == ':' &&
	    sd_bus_is_bus_client(sd_bus_message_get_bus(m)) > 0 &&
	    strlen(sender) < sizeof(who_cache[0].name)) {
		slot = who_slot(sender);
		if (strcmp(who_cache[slot].name, sender) == 0) {
			*out = who_cache[slot].who;
			return 0;
		}
	} else {
		sender = NULL;
	}
	memset(out, 0, sizeof(*out));
	who_queries++;
	e = sd_bus_query_sender_creds(m,
	                              SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
	                                      SD_BUS_CREDS_SUPPLEMENTARY_GIDS,
	                              &c);
	if (e < 0)
		return e;
	/* the uid is required; groups only widen what a user may do */
	e = sd_bus_creds_get_euid(c, &out->uid);
	if (e >= 0 && sd_bus_creds_get_egid(c, &out->gid) < 0)
		out->gid = (gid_t)-1;
	if (e >= 0) {
		n = sd_bus_creds_get_supplementary_gids(c, &g);
		if (n > 0) {
			out->ngroups = (unsigned)n > 64 ? 64 : (unsigned)n;
			memcpy(out->groups, g, out->ngroups * sizeof(*g));
		}
	}
	sd_bus_creds_unref(c);
	if (e < 0)
		return e;
	if (on_bus && (out->gid == (gid_t)-1 || !out->ngroups))
		groups_of_user(out);
	if (sender) {
		snprintf(who_cache[slot].name, sizeof(who_cache[slot].name),
		         "%s", sender);
		who_cache[slot].who = *out;
	}
	return 0;
}
