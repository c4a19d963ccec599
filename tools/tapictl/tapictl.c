/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapictl: the command-line telephony browser. Lists and shows lines and
 * calls, makes calls (and waits until they connect or fail), answers,
 * accepts, drops, transfers and redirects them with user-user information,
 * and watches every line and call event, through tapixd's Line and Call
 * objects (org.tapix.Telephony1); `tapictl demo` runs the demo program.
 *
 * The grammar is nmcli's: tapictl [OPTION]... COMMAND [ARG]... [OPTION]...,
 * the global options anywhere on the line. Every command speaks JSON
 * (--json); tables have headers unless --terse. The exit statuses are in
 * tapictl(1) and below (enum exit_status).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <sndfile.h>
#include <systemd/sd-bus.h>

#include <tapi.h>
#include <tapix/tapix.h>

#include "resample.h"
#include "tapi_names.h"
#include "utf8.h"

#define BUS_NAME    "org.tapix.Tapix1"
#define ROOT_PATH   "/org/tapix/Tapix1"
#define LINE_PREFIX ROOT_PATH "/Line/"
#define CALL_PREFIX ROOT_PATH "/Call/"
#define MGR_IFACE   "org.tapix.Telephony1"
#define LINE_IFACE  "org.tapix.Line1"
#define CALL_IFACE  "org.tapix.Call1"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"
#define MAX_UUI     4096
#define WAIT_S      60    /* call --wait without SECONDS */
#define MAX_WAIT_S  86400 /* a day */
#define TEXT_MAX    1024  /* one value of a table or of show, cleaned */

#define STR_(x) #x
#define STR(x)  STR_(x)
#define VERSION                  \
	STR(TAPIX_VERSION_MAJOR) \
	"." STR(TAPIX_VERSION_MINOR) "." STR(TAPIX_VERSION_PATCH)

/* tapictl(1), EXIT STATUS. */
enum exit_status {
	EXIT_FAILED = 1,       /* tapixd refused or failed, no such line/call */
	EXIT_USAGE = 2,        /* the command line or TAPIX_SERVICE is wrong */
	EXIT_UNREACHABLE = 3,  /* no bus, no tapixd on it, or it went away */
	EXIT_BUSY = 4,         /* call --wait: the far end is busy */
	EXIT_NOANSWER = 5,     /* call --wait: nobody answered in time */
	EXIT_NOTCONNECTED = 6, /* call --wait: it ended without connecting */
};

/* ---- the command line -------------------------------------------------------
 */

enum opt_id {
	O_BUS,
	O_ADDRESS,
	O_JSON,
	O_TERSE,
	O_COLOR,
	O_HELP,
	O_VERSION,
	O_UUI,
	O_UUI_HEX,
	O_WAIT,
	O_COUNT,
	O_TIMEOUT,
	O_SECONDS,
	O_ANSWER,
	O_AUDIO,
	O_DEVICE,
	O_RATE,
	O_COUNT_OF_OPTIONS,
};

#define BIT(id) (1u << (id))
#define GLOBAL_OPTS                                                 \
	(BIT(O_BUS) | BIT(O_ADDRESS) | BIT(O_JSON) | BIT(O_TERSE) | \
	 BIT(O_COLOR) | BIT(O_HELP) | BIT(O_VERSION))
#define UUI_OPTS (BIT(O_UUI) | BIT(O_UUI_HEX))

enum arg_kind {
	ARG_NONE,
	ARG_REQUIRED, /* --name=VALUE or --name VALUE */
	ARG_OPTIONAL, /* --name or --name=VALUE */
};

struct opt_def {
	const char *name;
	char letter; /* the short form, or 0 */
	enum arg_kind arg;
	const char *value; /* the value's name in the usage and messages */
};

static const struct opt_def opt_defs[O_COUNT_OF_OPTIONS] = {
	[O_BUS] = {"bus", 'b', ARG_REQUIRED, "system|session|ADDRESS"},
	[O_ADDRESS] = {"address", 0, ARG_REQUIRED, "ADDRESS"},
	[O_JSON] = {"json", 'j', ARG_NONE, NULL},
	[O_TERSE] = {"terse", 't', ARG_NONE, NULL},
	[O_COLOR] = {"color", 0, ARG_OPTIONAL, "auto|always|never"},
	[O_HELP] = {"help", 'h', ARG_NONE, NULL},
	[O_VERSION] = {"version", 'V', ARG_NONE, NULL},
	[O_UUI] = {"uui", 0, ARG_REQUIRED, "TEXT"},
	[O_UUI_HEX] = {"uui-hex", 0, ARG_REQUIRED, "HEX"},
	[O_WAIT] = {"wait", 0, ARG_OPTIONAL, "SECONDS"},
	[O_COUNT] = {"count", 0, ARG_REQUIRED, "N"},
	[O_TIMEOUT] = {"timeout", 0, ARG_REQUIRED, "SECONDS"},
	[O_SECONDS] = {"seconds", 0, ARG_REQUIRED, "N"},
	[O_ANSWER] = {"answer", 0, ARG_NONE, NULL},
	[O_AUDIO] = {"audio", 0, ARG_NONE, NULL},
	[O_DEVICE] = {"device", 0, ARG_REQUIRED, "PCM"},
	[O_RATE] = {"rate", 0, ARG_REQUIRED, "HZ"},
};

/* What the command line said; the last of an option given twice counts. */
static struct {
	bool set[O_COUNT_OF_OPTIONS];
	const char *value[O_COUNT_OF_OPTIONS];
	const char *bus;      /* --bus or --address, whichever came last */
	const char *bus_from; /* "--bus", "--address" */
} opt;

struct command {
	const char *name;
	const char *synopsis; /* what follows the name in the usage */
	const char *summary;  /* one line for the command list */
	const char *text;     /* the command's own --help */
	const char *args[2];  /* the arguments' names, for messages */
	unsigned min, max;    /* how many arguments */
	unsigned opts;        /* its own options (BIT()s) */
	bool bus;             /* needs tapixd */
	bool text_only;       /* refuses --json and --terse */
	int (*run)(const struct command *c, char **arg);
};

static const struct command *find_command(const char *name);
static int unknown_command(const char *name);
static void usage(FILE *f);

static sd_bus *bus;
static bool json, terse, colour;

/* How far apart two words are (insertions, deletions, substitutions and
 * swaps of neighbours), capped at 9: for "did you mean". */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned d[17][17];

	if (la > 16 || lb > 16)
		return 9;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > 9 ? 9 : d[la][lb];
}

/* " (did you mean 'X'?)" for the nearest of @words to @w, or "". */
static const char *suggest(const char *w, const char *const *words, size_t n,
                           const char *prefix, char *buf, size_t size)
{
	unsigned best = 3;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		unsigned d = distance(w, words[i]);

		if (d < best && d < strlen(words[i])) {
			best = d;
			snprintf(buf, size, " (did you mean '%s%s'?)", prefix,
			         words[i]);
		}
	}
	return buf;
}

static void command_usage(FILE *f, const struct command *c)
{
	fprintf(f, "Usage: tapictl %s%s%s [OPTION]...\n", c->name,
	        *c->synopsis ? " " : "", c->synopsis);
}

/* "tapictl: ..." and where to read more; the usage exit status. */
static int usage_error(const struct command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct command *c, const char *fmt, ...)
{
	va_list ap;

	fputs("tapictl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c) {
		command_usage(stderr, c);
		fprintf(stderr,
		        "Try 'tapictl %s --help' for more information.\n",
		        c->name);
	} else {
		fputs("Try 'tapictl --help' for more information.\n", stderr);
	}
	return EXIT_USAGE;
}

static int unknown_option(const char *word, size_t len)
{
	const char *names[O_COUNT_OF_OPTIONS];
	char name[32], hint[64];
	size_t i;

	for (i = 0; i < O_COUNT_OF_OPTIONS; i++)
		names[i] = opt_defs[i].name;
	snprintf(name, sizeof(name), "%.*s", (int)len, word + 2);
	return usage_error(NULL, "unknown option '%.*s'%s", (int)len + 2, word,
	                   suggest(name, names, O_COUNT_OF_OPTIONS, "--", hint,
	                           sizeof(hint)));
}

static void set_option(enum opt_id id, const char *value)
{
	opt.set[id] = true;
	opt.value[id] = value;
	if (id == O_BUS || id == O_ADDRESS) {
		opt.bus = value;
		opt.bus_from = id == O_BUS ? "--bus" : "--address";
	}
}

/*
 * Options anywhere, in any order with the arguments (nmcli's grammar); a
 * word after "--" is an argument. The arguments go to @pos in order.
 */
static int parse(int argc, char **argv, char **pos, int *npos)
{
	bool options = true;
	int i;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct opt_def *d;
		const char *eq, *p;
		size_t len, id;

		if (!options || a[0] != '-' || a[1] == '\0') {
			pos[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (a[1] != '-') {
			/* -jt: flags together; -b VALUE or -bVALUE */
			for (p = a + 1; *p; p++) {
				for (id = 0; id < O_COUNT_OF_OPTIONS; id++)
					if (opt_defs[id].letter == *p)
						break;
				if (id == O_COUNT_OF_OPTIONS)
					return usage_error(
						NULL, "unknown option '-%c'",
						*p);
				d = &opt_defs[id];
				if (d->arg != ARG_REQUIRED) {
					set_option(id, NULL);
					continue;
				}
				if (p[1]) {
					set_option(id, p + 1);
				} else if (i + 1 < argc) {
					set_option(id, argv[++i]);
				} else {
					return usage_error(
						NULL,
						"option '-%c' needs a value "
						"(%s)",
						*p, d->value);
				}
				break;
			}
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		for (id = 0; id < O_COUNT_OF_OPTIONS; id++)
			if (strlen(opt_defs[id].name) == len &&
			    strncmp(opt_defs[id].name, a + 2, len) == 0)
				break;
		if (id == O_COUNT_OF_OPTIONS)
			return unknown_option(a, len);
		d = &opt_defs[id];
		if (d->arg == ARG_NONE && eq)
			return usage_error(NULL, "option '--%s' takes no value",
			                   d->name);
		if (eq)
			set_option(id, eq + 1);
		else if (d->arg != ARG_REQUIRED)
			set_option(id, NULL);
		else if (i + 1 < argc)
			set_option(id, argv[++i]);
		else
			return usage_error(NULL,
			                   "option '--%s' needs a value (%s)",
			                   d->name, d->value);
	}
	return 0;
}

static int command_help(const struct command *c)
{
	command_usage(stdout, c);
	fputs(c->text, stdout);
	return 0;
}

static int print_version(void)
{
	if (json)
		printf("{\"program\":\"tapictl\",\"version\":\"" VERSION
		       "\"}\n");
	else
		printf("tapictl (tapix) " VERSION "\n");
	return 0;
}

/* ---- output: text, colour, JSON ---------------------------------------------
 */

#define C_BOLD   "\033[1m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"
#define C_RESET  "\033[0m"

/* --color, else on a terminal that can, unless NO_COLOR (no-color.org). */
static int choose_colour(void)
{
	const char *v = opt.value[O_COLOR];
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	if (opt.set[O_COLOR] && (!v || strcmp(v, "always") == 0)) {
		colour = true;
	} else if (opt.set[O_COLOR] && strcmp(v, "never") == 0) {
		colour = false;
	} else if (opt.set[O_COLOR] && strcmp(v, "auto") != 0) {
		return usage_error(NULL,
		                   "unknown --color value '%s': auto, always "
		                   "or never",
		                   v);
	} else {
		colour = isatty(STDOUT_FILENO) && !(no && *no) &&
		         !(term && strcmp(term, "dumb") == 0);
	}
	return 0;
}

/* The colour of a state word in a table or in show, or NULL. */
static const char *value_colour(const char *v)
{
	static const char *const green[] = {"connected", "in-service"};
	static const char *const yellow[] = {
		"offering", "accepted",   "dialtone", "dialing",
		"ringback", "proceeding", "unknown",
	};
	static const char *const red[] = {"busy", "disconnected", "specialinfo",
	                                  "out-of-service"};
	size_t i;

	if (!colour)
		return NULL;
	for (i = 0; i < sizeof(green) / sizeof(green[0]); i++)
		if (strcmp(v, green[i]) == 0)
			return C_GREEN;
	for (i = 0; i < sizeof(yellow) / sizeof(yellow[0]); i++)
		if (strcmp(v, yellow[i]) == 0)
			return C_YELLOW;
	for (i = 0; i < sizeof(red) / sizeof(red[0]); i++)
		if (strcmp(v, red[i]) == 0)
			return C_RED;
	if (strncmp(v, "onhold", 6) == 0 || strcmp(v, "conferenced") == 0)
		return C_CYAN;
	return NULL;
}

/* Text from the service (caller ids come from the network) made safe for
 * a terminal: valid UTF-8, no control characters. */
static const char *clean(const char *s, char *buf, size_t size)
{
	return utf8_clean(buf, size, s ? s : "");
}

/* Characters on the screen, roughly: UTF-8 sequences, not bytes. */
static size_t width_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* @s as a JSON string: escaped, and its invalid UTF-8 as U+FFFD. */
static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), k;

	putchar('"');
	while (n) {
		unsigned char c = *p;

		k = utf8_seq(p, n);
		if (!k) {
			fputs("\\ufffd", stdout);
			k = 1;
		} else if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20 || c == 0x7F) {
			printf("\\u%04x", c);
		} else {
			fwrite(p, 1, k, stdout);
		}
		p += k;
		n -= k;
	}
	putchar('"');
}

/* The separator before a member of an object, and its key. */
static void json_key(bool *first, const char *key)
{
	if (!*first)
		putchar(',');
	*first = false;
	json_str(key);
	putchar(':');
}

/* A line's number: a JSON number (a string if it is none, which tapixd's
 * paths never are). */
static void json_line(const char *id)
{
	if (*id && strspn(id, "0123456789") == strlen(id) && strlen(id) < 11 &&
	    (id[0] != '0' || !id[1]))
		fputs(id, stdout);
	else
		json_str(id);
}

/* A table: cells kept (cleaned) until all rows are in, for the widths. */
struct table {
	const char *const *head;
	size_t ncol;
	char **cell; /* row-major; each owned */
	size_t nrow, cap;
};

static int table_add(struct table *t, const char *const *values)
{
	char buf[TEXT_MAX];
	size_t i;

	if (t->nrow == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **v = realloc(t->cell, cap * t->ncol * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->cell = v;
		t->cap = cap;
	}
	for (i = 0; i < t->ncol; i++) {
		char *c = strdup(clean(values[i], buf, sizeof(buf)));

		if (!c) {
			while (i--)
				free(t->cell[t->nrow * t->ncol + i]);
			return -ENOMEM;
		}
		t->cell[t->nrow * t->ncol + i] = c;
	}
	t->nrow++;
	return 0;
}

/* --terse: a field with ':' and '\' escaped by '\', as nmcli -t. */
static void terse_field(const char *s)
{
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void table_print(const struct table *t)
{
	size_t w[8] = {0}, r, i, k;

	if (terse) {
		for (r = 0; r < t->nrow; r++) {
			for (i = 0; i < t->ncol; i++) {
				if (i)
					putchar(':');
				terse_field(t->cell[r * t->ncol + i]);
			}
			putchar('\n');
		}
		return;
	}
	for (i = 0; i < t->ncol && i < 8; i++) {
		w[i] = width_of(t->head[i]);
		for (r = 0; r < t->nrow; r++)
			if (width_of(t->cell[r * t->ncol + i]) > w[i])
				w[i] = width_of(t->cell[r * t->ncol + i]);
	}
	for (r = 0; r <= t->nrow; r++) {
		for (i = 0; i < t->ncol && i < 8; i++) {
			const char *v =
				r ? t->cell[(r - 1) * t->ncol + i] : t->head[i];
			const char *c =
				r ? value_colour(v) : (colour ? C_BOLD : NULL);

			if (i)
				fputs("  ", stdout);
			printf("%s%s%s", c ? c : "", v, c ? C_RESET : "");
			if (i + 1 < t->ncol)
				for (k = width_of(v); k < w[i]; k++)
					putchar(' ');
		}
		putchar('\n');
	}
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* ---- the bus ----------------------------------------------------------------
 */

/* Which bus, and who said so (for messages). */
static const char *bus_name_, *bus_from;

/* "the system bus (unix:path=...)", "the bus at ADDRESS" */
static void bus_where(char *out, size_t size)
{
	const char *a;

	if (strcmp(bus_name_, "system") == 0) {
		a = getenv("DBUS_SYSTEM_BUS_ADDRESS");
		snprintf(out, size, "the system bus (%s)",
		         a && *a ? a : "unix:path=/run/dbus/system_bus_socket");
	} else if (strcmp(bus_name_, "session") == 0) {
		a = getenv("DBUS_SESSION_BUS_ADDRESS");
		if (a && *a)
			snprintf(out, size, "the session bus (%s)", a);
		else if ((a = getenv("XDG_RUNTIME_DIR")) && *a)
			snprintf(out, size,
			         "the session bus (unix:path=%s/bus)", a);
		else
			snprintf(out, size,
			         "the session bus (neither "
			         "DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR "
			         "is set)");
	} else {
		snprintf(out, size, "the bus at %s", bus_name_);
	}
}

/* What to do when tapixd cannot be reached on the bus tried. */
static void unreachable_hint(void)
{
	if (strcmp(bus_name_, "system") == 0)
		fprintf(stderr,
		        "tapictl: start tapixd (systemctl start tapixd), or "
		        "use --bus=session if it runs on your session bus "
		        "(or --bus=ADDRESS; TAPIX_SERVICE)\n");
	else if (strcmp(bus_name_, "session") == 0)
		fprintf(stderr,
		        "tapictl: start tapixd (tapixd --bus=session), or use "
		        "--bus=system if it runs on the system bus (or "
		        "--bus=ADDRESS; TAPIX_SERVICE)\n");
	else
		fprintf(stderr,
		        "tapictl: start tapixd there (tapixd --address=%s), "
		        "or use --bus=system or --bus=session\n",
		        bus_name_);
}

/* "tapictl: WHY the system bus (ADDRESS)[ from --bus][: DETAIL]", what to
 * do; the exit status. */
static int unreachable(const char *why, const char *detail)
{
	char where[512];

	bus_where(where, sizeof(where));
	fprintf(stderr, "tapictl: %s %s%s%s%s%s\n", why, where,
	        bus_from ? ", from " : "", bus_from ? bus_from : "",
	        detail ? ": " : "", detail ? detail : "");
	unreachable_hint();
	return EXIT_UNREACHABLE;
}

/* system, session or a D-Bus address (transport:key=value,...). */
static bool is_bus_name(const char *s)
{
	return strcmp(s, "system") == 0 || strcmp(s, "session") == 0 ||
	       strchr(s, ':') || strchr(s, '=');
}

/* The bus --bus, --address or TAPIX_SERVICE names, else the system bus;
 * checked before a command runs. */
static int choose_bus(void)
{
	static const char *const words[] = {"system", "session"};
	const char *env = getenv("TAPIX_SERVICE");
	char hint[64];

	if (opt.bus) {
		bus_name_ = opt.bus;
		bus_from = opt.bus_from;
		if (strcmp(bus_from, "--address") == 0 &&
		    !strchr(bus_name_, ':'))
			return usage_error(
				NULL,
				"--address=%s is not a D-Bus address "
				"(such as unix:path=/run/tapix/bus)",
				bus_name_);
		if (!is_bus_name(bus_name_))
			return usage_error(
				NULL,
				"unknown bus '%s' (%s): system, session or "
				"a D-Bus address such as unix:path=FILE%s",
				bus_name_, bus_from,
				suggest(bus_name_, words, 2, "", hint,
			                sizeof(hint)));
	} else if (env && *env) {
		bus_name_ = env;
		bus_from = "TAPIX_SERVICE";
		if (!is_bus_name(env))
			return usage_error(
				NULL,
				"TAPIX_SERVICE=%s names no bus: system, "
				"session or a D-Bus address such as "
				"unix:path=FILE%s",
				env,
				suggest(env, words, 2, "", hint, sizeof(hint)));
	} else {
		bus_name_ = "system";
		bus_from = NULL;
	}
	return 0;
}

/* Connects to the bus choose_bus() chose, once: each command calls it
 * after checking its arguments, so that a usage error wins. */
static int connect_bus(void)
{
	int e;

	if (bus)
		return 0;
	if (strcmp(bus_name_, "system") == 0) {
		e = sd_bus_open_system(&bus);
	} else if (strcmp(bus_name_, "session") == 0) {
		e = sd_bus_open_user(&bus);
	} else {
		e = sd_bus_new(&bus);
		if (e >= 0)
			e = sd_bus_set_address(bus, bus_name_);
		if (e >= 0)
			e = sd_bus_set_bus_client(bus, 1);
		if (e >= 0)
			e = sd_bus_start(bus);
		if (e < 0)
			bus = sd_bus_unref(bus);
	}
	if (e < 0) {
		return unreachable("cannot connect to", strerror(-e));
	}
	return 0;
}

/* Whether a failed call means that nobody serves tapixd's name there. */
static bool is_unreachable(const sd_bus_error *err, int e)
{
	static const char *const names[] = {
		SD_BUS_ERROR_SERVICE_UNKNOWN,
		SD_BUS_ERROR_NAME_HAS_NO_OWNER,
		SD_BUS_ERROR_NO_REPLY,
		SD_BUS_ERROR_DISCONNECTED,
	};
	size_t i;

	if (err && err->name) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(err->name, names[i]) == 0)
				return true;
		return false;
	}
	return e == -ECONNREFUSED || e == -ENOENT || e == -ECONNRESET ||
	       e == -ENOTCONN || e == -EPIPE || e == -ESHUTDOWN ||
	       e == -ETIMEDOUT;
}

/* Reports a failed method call on @what ("answer 0000000c"); the exit
 * status it means. */
static int failed(const char *what, const char *kind, const sd_bus_error *err,
                  int e)
{
	if (is_unreachable(err, e)) {
		if (e == -ETIMEDOUT ||
		    (err && err->name &&
		     strcmp(err->name, SD_BUS_ERROR_NO_REPLY) == 0))
			return unreachable("tapixd did not answer on", NULL);
		if (err && err->name)
			return unreachable("tapixd is not running on", NULL);
		return unreachable("lost the connection to", strerror(-e));
	}
	if (err && err->name &&
	    strcmp(err->name, SD_BUS_ERROR_UNKNOWN_OBJECT) == 0) {
		fprintf(stderr, "tapictl: %s: no such %s\n", what, kind);
		return EXIT_FAILED;
	}
	if (err && err->name &&
	    (strcmp(err->name, SD_BUS_ERROR_UNKNOWN_METHOD) == 0 ||
	     strcmp(err->name, SD_BUS_ERROR_UNKNOWN_INTERFACE) == 0) &&
	    strcmp(kind, "service") == 0) {
		fprintf(stderr,
		        "tapictl: %s: tapixd serves no Line and Call objects "
		        "(it runs with --no-objects)\n",
		        what);
		return EXIT_FAILED;
	}
	fprintf(stderr, "tapictl: %s: %s\n", what,
	        err && err->message ? err->message : strerror(-e));
	return EXIT_FAILED;
}

/* The last part of an object path: a line's number, a call's id. */
static const char *id_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "12", "0000000c" or a full path: the call's object path. */
static bool call_path(const char *arg, char *out, size_t size)
{
	unsigned long v;
	char *end;

	if (strncmp(arg, CALL_PREFIX, strlen(CALL_PREFIX)) == 0)
		arg += strlen(CALL_PREFIX);
	if (*arg == '-' || *arg == '+' || *arg == ' ')
		return false;
	errno = 0;
	v = strtoul(arg, &end, 16);
	if (errno || *end || end == arg || v == 0 || v > 0xFFFFFFFFul)
		return false;
	snprintf(out, size, CALL_PREFIX "%08lx", v);
	return true;
}

/* "3" or a full path: the line's object path. */
static bool line_path(const char *arg, char *out, size_t size)
{
	unsigned long v;
	char *end;

	if (strncmp(arg, LINE_PREFIX, strlen(LINE_PREFIX)) == 0)
		arg += strlen(LINE_PREFIX);
	if (*arg < '0' || *arg > '9')
		return false;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v > 0xFFFFFFFFul)
		return false;
	snprintf(out, size, LINE_PREFIX "%lu", v);
	return true;
}

static int bad_line(const struct command *c, const char *arg)
{
	return usage_error(c,
	                   "%s: '%s' is no line (a number, as `tapictl lines` "
	                   "shows it, or " LINE_PREFIX "N)",
	                   c->name, arg);
}

static int bad_call(const struct command *c, const char *arg)
{
	return usage_error(c,
	                   "%s: '%s' is no call (an id, as `tapictl calls` "
	                   "shows it, or " CALL_PREFIX "ID)",
	                   c->name, arg);
}

static int list_paths(const char *member, char ***out)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	int e;

	e = sd_bus_call_method(bus, BUS_NAME, ROOT_PATH, MGR_IFACE, member,
	                       &err, &r, "");
	if (e < 0) {
		int st = failed(member, "service", &err, e);

		sd_bus_error_free(&err);
		return -st;
	}
	e = sd_bus_message_read_strv(r, out);
	sd_bus_message_unref(r);
	if (e < 0) {
		fprintf(stderr, "tapictl: %s: %s\n", member, strerror(-e));
		return -EXIT_FAILED;
	}
	return 0;
}

static void free_strv(char **v)
{
	char **p;

	for (p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* ---- properties -------------------------------------------------------------
 */

/* One property of GetAll: 's', 'o', 'u', 'b', or 'y' for an "ay". */
struct prop {
	char *name;
	char type;
	char *s;    /* s, o */
	uint32_t u; /* u, b */
	uint8_t *y; /* ay */
	size_t n;   /* its length */
};

struct props {
	struct prop *v;
	size_t n;
};

static void props_free(struct props *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].s);
		free(p->v[i].y);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static int prop_read(sd_bus_message *r, struct prop *p)
{
	const char *name, *sig, *s;
	const void *y;
	char t;
	int e, b;

	e = sd_bus_message_read(r, "s", &name);
	if (e >= 0)
		e = sd_bus_message_peek_type(r, &t, &sig);
	if (e < 0)
		return e;
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;
	if (strcmp(sig, "s") == 0 || strcmp(sig, "o") == 0) {
		e = sd_bus_message_read(r, "v", sig, &s);
		if (e >= 0 && !(p->s = strdup(s)))
			e = -ENOMEM;
		p->type = sig[0];
	} else if (strcmp(sig, "u") == 0) {
		e = sd_bus_message_read(r, "v", "u", &p->u);
		p->type = 'u';
	} else if (strcmp(sig, "b") == 0) {
		e = sd_bus_message_read(r, "v", "b", &b);
		p->u = b != 0;
		p->type = 'b';
	} else if (strcmp(sig, "ay") == 0) {
		e = sd_bus_message_enter_container(r, 'v', "ay");
		if (e >= 0)
			e = sd_bus_message_read_array(r, 'y', &y, &p->n);
		if (e >= 0 && !(p->y = malloc(p->n ? p->n : 1)))
			e = -ENOMEM;
		if (e >= 0) {
			memcpy(p->y, y, p->n);
			e = sd_bus_message_exit_container(r);
		}
		p->type = 'y';
	} else {
		e = sd_bus_message_skip(r, "v"); /* a type we do not show */
		p->type = 0;
	}
	return e;
}

/* GetAll on @path's @iface into @out; minus the exit status when it fails
 * (reported as @what, a @kind, unless @what is NULL). */
static int props_get(const char *path, const char *iface, const char *what,
                     const char *kind, struct props *out)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	int e;

	out->v = NULL;
	out->n = 0;
	e = sd_bus_call_method(bus, BUS_NAME, path, PROPS_IFACE, "GetAll", &err,
	                       &r, "s", iface);
	if (e < 0) {
		int st = what ? failed(what, kind, &err, e) : EXIT_FAILED;

		sd_bus_error_free(&err);
		return -st;
	}
	e = sd_bus_message_enter_container(r, 'a', "{sv}");
	while (e >= 0 &&
	       (e = sd_bus_message_enter_container(r, 'e', "sv")) > 0) {
		struct prop *v = realloc(out->v, (out->n + 1) * sizeof(*v));

		if (!v) {
			e = -ENOMEM;
			break;
		}
		out->v = v;
		memset(&v[out->n], 0, sizeof(v[0]));
		e = prop_read(r, &v[out->n++]);
		if (e >= 0)
			e = sd_bus_message_exit_container(r);
	}
	sd_bus_message_unref(r);
	if (e < 0) {
		if (what)
			fprintf(stderr, "tapictl: %s: %s\n", what,
			        strerror(-e));
		props_free(out);
		return -EXIT_FAILED;
	}
	return 0;
}

static const struct prop *prop_find(const struct props *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

/* A string or path property, "" when missing. */
static const char *prop_str(const struct props *p, const char *name)
{
	const struct prop *v = prop_find(p, name);

	return v && v->s ? v->s : "";
}

static uint32_t prop_u(const struct props *p, const char *name)
{
	const struct prop *v = prop_find(p, name);

	return v ? v->u : 0;
}

/* "InService" -> "in_service": the JSON names of properties. */
static void snake(const char *camel, char *out, size_t size)
{
	size_t n = 0;

	for (; *camel && n + 2 < size; camel++) {
		if (*camel >= 'A' && *camel <= 'Z') {
			if (n)
				out[n++] = '_';
			out[n++] = (char)(*camel - 'A' + 'a');
		} else {
			out[n++] = *camel;
		}
	}
	out[n] = '\0';
}

static void hex(const uint8_t *y, size_t n, char *out, size_t size)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", y[i]);
}

/* A property's value as JSON: a line's path as its number, bytes as hex. */
static void json_prop(const struct prop *p)
{
	char buf[2 * MAX_UUI + 1];

	switch (p->type) {
	case 'o':
		if (strncmp(p->s, LINE_PREFIX, strlen(LINE_PREFIX)) == 0)
			json_line(id_of(p->s));
		else
			json_str(p->s);
		break;
	case 's':
		json_str(p->s);
		break;
	case 'u':
		printf("%u", p->u);
		break;
	case 'b':
		fputs(p->u ? "true" : "false", stdout);
		break;
	case 'y':
		hex(p->y, p->n, buf, sizeof(buf));
		json_str(buf);
		break;
	default:
		fputs("null", stdout);
	}
}

/* A property's value as text: codes in hex with their names. */
static void text_prop(const struct prop *p, char *out, size_t size)
{
	char buf[2 * MAX_UUI + 1], txt[TEXT_MAX];
	const char *name = p->name;
	size_t len = strlen(name);

	switch (p->type) {
	case 'o':
		snprintf(out, size, "%s",
		         strncmp(p->s, LINE_PREFIX, strlen(LINE_PREFIX)) == 0
		                 ? id_of(p->s)
		                 : p->s);
		break;
	case 's':
		snprintf(out, size, "%s", clean(p->s, txt, sizeof(txt)));
		break;
	case 'u':
		/* the numbers of the named properties: TAPI's constants */
		if (strcmp(name, "StateCode") == 0)
			snprintf(out, size, "0x%08x (%s)", p->u,
			         tapi_state_name(p->u));
		else if (len > 4 && strcmp(name + len - 4, "Code") == 0 &&
		         !p->u)
			snprintf(out, size, "0");
		else if (strcmp(name, "DisconnectModeCode") == 0)
			snprintf(out, size, "0x%08x (%s)", p->u,
			         tapi_disconnect_name(p->u));
		else if (len > 4 && strcmp(name + len - 4, "Code") == 0)
			snprintf(out, size, "0x%08x", p->u);
		else
			snprintf(out, size, "%u", p->u);
		break;
	case 'b':
		snprintf(out, size, "%s", p->u ? "yes" : "no");
		break;
	case 'y':
		hex(p->y, p->n, buf, sizeof(buf));
		memcpy(txt, p->y, p->n < sizeof(txt) ? p->n : sizeof(txt) - 1);
		txt[p->n < sizeof(txt) ? p->n : sizeof(txt) - 1] = '\0';
		if (p->n && strlen(txt) == p->n && utf8_valid(txt)) {
			char shown[TEXT_MAX];

			snprintf(out, size, "%s (\"%s\")", buf,
			         clean(txt, shown, sizeof(shown)));
		} else {
			snprintf(out, size, "%s", p->n ? buf : "");
		}
		break;
	default:
		snprintf(out, size, "?");
	}
}

/* ---- commands ---------------------------------------------------------------
 */

static int cmd_lines(const struct command *c, char **arg)
{
	static const char *const head[] = {"LINE", "NAME", "ADDRESS",
	                                   "PROVIDER", "STATE"};
	struct table t = {head, 5, NULL, 0, 0};
	char **paths = NULL, **p;
	bool first = true;
	int e = connect_bus();

	(void)c;
	(void)arg;
	if (e)
		return e;
	e = list_paths("GetLines", &paths);
	if (e < 0)
		return -e;
	if (json)
		putchar('[');
	for (p = paths; p && *p; p++) {
		struct props v;
		bool in, f = true;

		if (props_get(*p, LINE_IFACE, NULL, NULL, &v) < 0)
			continue; /* gone meanwhile */
		in = prop_u(&v, "InService") != 0;
		if (json) {
			if (!first)
				putchar(',');
			putchar('{');
			json_key(&f, "line");
			json_line(id_of(*p));
			json_key(&f, "name");
			json_str(prop_str(&v, "Name"));
			json_key(&f, "address");
			json_str(prop_str(&v, "Address"));
			json_key(&f, "provider");
			json_str(prop_str(&v, "Provider"));
			json_key(&f, "in_service");
			fputs(in ? "true" : "false", stdout);
			putchar('}');
		} else {
			const char *row[] = {
				id_of(*p),
				prop_str(&v, "Name"),
				prop_str(&v, "Address"),
				prop_str(&v, "Provider"),
				in ? "in-service" : "out-of-service",
			};

			e = table_add(&t, row);
		}
		first = false;
		props_free(&v);
		if (e < 0)
			break;
	}
	free_strv(paths);
	if (json)
		puts("]");
	else if (e >= 0)
		table_print(&t);
	table_free(&t);
	if (e < 0) {
		fprintf(stderr, "tapictl: lines: %s\n", strerror(-e));
		return EXIT_FAILED;
	}
	return 0;
}

static int cmd_calls(const struct command *c, char **arg)
{
	static const char *const head[] = {"CALL",   "LINE",   "STATE",
	                                   "ORIGIN", "CALLER", "CALLED"};
	struct table t = {head, 6, NULL, 0, 0};
	char **paths = NULL, **p;
	bool first = true;
	int e = connect_bus();

	(void)c;
	(void)arg;
	if (e)
		return e;
	e = list_paths("GetCalls", &paths);
	if (e < 0)
		return -e;
	if (json)
		putchar('[');
	for (p = paths; p && *p; p++) {
		const char *line;
		struct props v;
		bool f = true;

		if (props_get(*p, CALL_IFACE, NULL, NULL, &v) < 0)
			continue; /* gone meanwhile */
		line = prop_str(&v, "Line");
		if (json) {
			if (!first)
				putchar(',');
			putchar('{');
			json_key(&f, "call");
			json_str(id_of(*p));
			json_key(&f, "line");
			if (*line)
				json_line(id_of(line));
			else
				fputs("null", stdout);
			json_key(&f, "state");
			json_str(prop_str(&v, "State"));
			json_key(&f, "origin");
			json_str(prop_str(&v, "Origin"));
			json_key(&f, "caller_id");
			json_str(prop_str(&v, "CallerId"));
			json_key(&f, "called_id");
			json_str(prop_str(&v, "CalledId"));
			putchar('}');
		} else {
			const char *row[] = {
				id_of(*p),
				*line ? id_of(line) : "?",
				prop_str(&v, "State"),
				prop_str(&v, "Origin"),
				prop_str(&v, "CallerId"),
				prop_str(&v, "CalledId"),
			};

			e = table_add(&t, row);
		}
		first = false;
		props_free(&v);
		if (e < 0)
			break;
	}
	free_strv(paths);
	if (json)
		puts("]");
	else if (e >= 0)
		table_print(&t);
	table_free(&t);
	if (e < 0) {
		fprintf(stderr, "tapictl: calls: %s\n", strerror(-e));
		return EXIT_FAILED;
	}
	return 0;
}

/*
 * show [line|call] LINE|CALL. A path says which; else 8 hex digits (a call
 * id as tapictl prints it) or a word with a-f is a call, a number a line.
 */
static int cmd_show(const struct command *c, char **arg)
{
	const char *kind = arg[1] ? arg[0] : NULL,
		   *what = arg[1] ? arg[1] : arg[0];
	char path[128], hint[64];
	bool is_call, first = true;
	struct props v;
	size_t i, w = 4;
	int e;

	if (kind && strcmp(kind, "line") && strcmp(kind, "call")) {
		static const char *const kinds[] = {"line", "call"};

		return usage_error(
			c, "show: '%s' is neither line nor call%s", kind,
			suggest(kind, kinds, 2, "", hint, sizeof(hint)));
	}
	if (kind)
		is_call = kind[0] == 'c';
	else if (strncmp(what, LINE_PREFIX, strlen(LINE_PREFIX)) == 0)
		is_call = false;
	else if (strncmp(what, CALL_PREFIX, strlen(CALL_PREFIX)) == 0)
		is_call = true;
	else
		is_call = strlen(what) == 8 ||
		          strspn(what, "0123456789") != strlen(what);
	if (is_call ? !call_path(what, path, sizeof(path))
	            : !line_path(what, path, sizeof(path)))
		return usage_error(
			c,
			"show: '%s' is neither a line (a number) nor "
			"a call (an id, as `tapictl calls` shows it)",
			what);
	e = connect_bus();
	if (e)
		return e;
	{
		char label[160];

		snprintf(label, sizeof(label), "%s %s",
		         is_call ? "call" : "line", id_of(path));
		e = props_get(path, is_call ? CALL_IFACE : LINE_IFACE, label,
		              is_call ? "call" : "line", &v);
	}
	if (e < 0)
		return -e;
	if (json) {
		char key[64];

		putchar('{');
		json_key(&first, is_call ? "call" : "line");
		if (is_call)
			json_str(id_of(path));
		else
			json_line(id_of(path));
		json_key(&first, "path");
		json_str(path);
		for (i = 0; i < v.n; i++) {
			if (!v.v[i].type)
				continue;
			snake(v.v[i].name, key, sizeof(key));
			json_key(&first, key);
			json_prop(&v.v[i]);
		}
		puts("}");
		props_free(&v);
		return 0;
	}
	for (i = 0; i < v.n; i++)
		if (strlen(v.v[i].name) > w)
			w = strlen(v.v[i].name);
	printf("%-*s  %s\n", (int)w + 1, "Path:", path);
	for (i = 0; i < v.n; i++) {
		char val[2 * MAX_UUI + TEXT_MAX + 8], name[64];
		const char *col;

		if (!v.v[i].type)
			continue;
		text_prop(&v.v[i], val, sizeof(val));
		snprintf(name, sizeof(name), "%s:", v.v[i].name);
		col = v.v[i].type == 's' ? value_colour(val) : NULL;
		if (terse) {
			printf("%s:", v.v[i].name);
			terse_field(val);
			putchar('\n');
		} else {
			printf("%-*s%s%s%s\n", *val ? (int)w + 3 : 0, name,
			       col ? col : "", val, col ? C_RESET : "");
		}
	}
	props_free(&v);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* --uui TEXT or --uui-hex HEX into @out; the usage status if wrong. */
static int uui_of(const struct command *c, uint8_t *out, size_t *len)
{
	const char *t = opt.value[O_UUI], *x = opt.value[O_UUI_HEX];
	size_t n, i;

	*len = 0;
	if (t && x)
		return usage_error(c,
		                   "%s: --uui and --uui-hex exclude each "
		                   "other",
		                   c->name);
	if (t) {
		n = strlen(t);
		if (n > MAX_UUI)
			return usage_error(c,
			                   "%s: --uui: %zu bytes, at most %d "
			                   "may be sent",
			                   c->name, n, MAX_UUI);
		memcpy(out, t, n);
		*len = n;
	} else if (x) {
		n = strlen(x);
		if (n % 2 || n / 2 > MAX_UUI)
			return usage_error(
				c,
				"%s: --uui-hex: an even number of hex "
				"digits, at most %d bytes",
				c->name, MAX_UUI);
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(x[2 * i]), lo = hexval(x[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return usage_error(c,
				                   "%s: --uui-hex: '%.2s' is "
				                   "no hex byte",
				                   c->name, x + 2 * i);
			out[i] = (uint8_t)(hi << 4 | lo);
		}
		*len = n / 2;
	}
	return 0;
}

/* Line.MakeCall(s, ay), Call.<op>(ay uui), Call.BlindTransfer(s),
 * Call.Redirect(s) or a Call.<op>() for command @cmd; a made call's path in
 * @made. */
static int call_method(const char *cmd, const char *op, const char *path,
                       const char *iface, const char *dest, const uint8_t *uui,
                       size_t n, bool ay, char *made, size_t size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	const char *o;
	int e;

	e = sd_bus_message_new_method_call(bus, &m, BUS_NAME, path, iface, op);
	if (e >= 0 && dest)
		e = sd_bus_message_append(m, "s", dest);
	if (e >= 0 && ay)
		e = sd_bus_message_append_array(m, 'y', uui, n);
	if (e >= 0)
		e = sd_bus_call(bus, m, 0, &err, &r);
	sd_bus_message_unref(m);
	if (e < 0) {
		char what[160];

		snprintf(what, sizeof(what), "%s %s", cmd, id_of(path));
		e = failed(what, strcmp(iface, LINE_IFACE) ? "call" : "line",
		           &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	if (made && sd_bus_message_read(r, "o", &o) >= 0)
		snprintf(made, size, "%s", o);
	sd_bus_message_unref(r);
	return 0;
}

/* Drops and forgets a call --wait gave up on, whatever it answers. */
static void drop_and_forget(const char *path)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;

	sd_bus_call_method(bus, BUS_NAME, path, CALL_IFACE, "Drop", &err, NULL,
	                   "ay", 0);
	sd_bus_error_free(&err);
	sd_bus_call_method(bus, BUS_NAME, path, CALL_IFACE, "Deallocate", &err,
	                   NULL, "");
	sd_bus_error_free(&err);
}

/* call --wait: what it waits for, and what came. */
struct waiter {
	char path[128]; /* the call's, once made */
	char state[32];
	uint32_t detail;
	int outcome; /* -1 while waiting, else the exit status */
	int signo;   /* the signal that interrupted, or 0 */
};

/* The exit status of call --wait for a call in @state, or -1: not yet. */
static int outcome_of(const char *state, uint32_t detail)
{
	if (strcmp(state, "connected") == 0)
		return 0;
	if (strcmp(state, "busy") == 0)
		return EXIT_BUSY;
	if (strcmp(state, "disconnected") == 0)
		return detail == LINEDISCONNECTMODE_BUSY ? EXIT_BUSY
		       : detail == LINEDISCONNECTMODE_NOANSWER
		               ? EXIT_NOANSWER
		               : EXIT_NOTCONNECTED;
	if (strcmp(state, "idle") == 0 || strcmp(state, "specialinfo") == 0)
		return EXIT_NOTCONNECTED;
	return -1;
}

/*
 * The unique name of the tapixd that answered Watch. On the bus any peer
 * may send a signal to our name, and a match on tapixd's well-known name
 * lets such a signal through (sd-bus cannot check a well-known sender
 * itself): the handlers read only this sender's (from_service).
 */
static char service_name[64];

/* Watch() at tapixd, noting who answered. */
static int call_watch(sd_bus_error *err)
{
	sd_bus_message *reply = NULL;
	const char *who;
	int e;

	e = sd_bus_call_method(bus, BUS_NAME, ROOT_PATH, MGR_IFACE, "Watch",
	                       err, &reply, "");
	who = e >= 0 ? sd_bus_message_get_sender(reply) : NULL;
	snprintf(service_name, sizeof(service_name), "%s", who ? who : "");
	sd_bus_message_unref(reply);
	return e;
}

/* Whether signal @m is tapixd's, or the bus's own NameOwnerChanged. */
static bool from_service(sd_bus_message *m)
{
	const char *from = sd_bus_message_get_sender(m);

	if (!from)
		return false;
	if (sd_bus_message_is_signal(m, "org.freedesktop.DBus",
	                             "NameOwnerChanged"))
		return strcmp(from, "org.freedesktop.DBus") == 0;
	return service_name[0] && strcmp(from, service_name) == 0;
}

/* Set once the bus says the tapixd of service_name left (listen,
 * watch). */
static bool service_gone;

static int on_service_gone(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *name = NULL, *old = NULL, *nw = NULL;

	(void)ud;
	(void)err;
	if (from_service(m) &&
	    sd_bus_message_read(m, "sss", &name, &old, &nw) >= 0 &&
	    strcmp(name, BUS_NAME) == 0 && !*nw &&
	    strcmp(old, service_name) == 0)
		service_gone = true;
	return 0;
}

/* Hears the bus say that tapixd's name lost its owner (service_gone). */
static int watch_gone(void)
{
	return sd_bus_add_match(bus, NULL,
	                        "type='signal',sender='org.freedesktop.DBus',"
	                        "interface='org.freedesktop.DBus',member='"
	                        "NameOwnerChanged',arg0='" BUS_NAME "'",
	                        on_service_gone, NULL);
}

static void waiter_state(struct waiter *w, const char *state, uint32_t detail)
{
	if (w->outcome >= 0)
		return;
	snprintf(w->state, sizeof(w->state), "%s", state);
	w->detail = detail;
	w->outcome = outcome_of(state, detail);
}

static int on_wait_signal(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct waiter *w = ud;
	const char *member = sd_bus_message_get_member(m);
	const char *path = sd_bus_message_get_path(m);
	const char *a = NULL, *b = NULL, *c = NULL;
	uint32_t detail;

	(void)err;
	if (!member || !path || !w->path[0] || !from_service(m))
		return 0;
	if (strcmp(member, "StateChanged") == 0 && strcmp(path, w->path) == 0 &&
	    sd_bus_message_read(m, "su", &a, &detail) >= 0) {
		waiter_state(w, a, detail);
	} else if (strcmp(member, "CallRemoved") == 0 &&
	           sd_bus_message_read(m, "o", &a) >= 0 &&
	           strcmp(a, w->path) == 0) {
		waiter_state(w, "idle", 0);
	} else if (strcmp(member, "NameOwnerChanged") == 0 &&
	           sd_bus_message_read(m, "sss", &a, &b, &c) >= 0 &&
	           strcmp(a, BUS_NAME) == 0 && !*c && w->outcome < 0) {
		w->outcome = EXIT_UNREACHABLE;
	}
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Runs the bus until @w has its outcome, @seconds pass (no answer) or a
 * signal of @sfd comes. */
static void wait_call(struct waiter *w, unsigned seconds, int sfd)
{
	uint64_t deadline = now_usec() + (uint64_t)seconds * 1000000u;

	while (w->outcome < 0) {
		struct signalfd_siginfo si;
		struct pollfd p[2];
		uint64_t now, until = deadline, t;
		int e = sd_bus_process(bus, NULL);

		if (e < 0) {
			w->outcome = EXIT_UNREACHABLE;
			break;
		}
		if (e > 0)
			continue;
		now = now_usec();
		if (now >= deadline) {
			w->outcome = EXIT_NOANSWER;
			snprintf(w->state, sizeof(w->state), "timeout");
			break;
		}
		if (sd_bus_get_timeout(bus, &t) >= 0 && t < until)
			until = t > now ? t : now;
		p[0].fd = sd_bus_get_fd(bus);
		p[0].events = (short)sd_bus_get_events(bus);
		p[1].fd = sfd;
		p[1].events = POLLIN;
		if (poll(p, 2, (int)((until - now + 999) / 1000)) < 0 &&
		    errno != EINTR) {
			w->outcome = EXIT_FAILED;
			break;
		}
		if ((p[1].revents & POLLIN) &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			w->signo = (int)si.ssi_signo;
			w->outcome = 128 + w->signo;
		}
	}
}

/* What call --wait says on standard error when the call did not connect. */
static void report_outcome(const struct waiter *w, unsigned seconds)
{
	const char *id = id_of(w->path);

	switch (w->outcome) {
	case EXIT_BUSY:
		fprintf(stderr, "tapictl: call %s: busy; dropped\n", id);
		break;
	case EXIT_NOANSWER:
		if (strcmp(w->state, "timeout") == 0)
			fprintf(stderr,
			        "tapictl: call %s: no answer in %u s; "
			        "dropped\n",
			        id, seconds);
		else
			fprintf(stderr,
			        "tapictl: call %s: no answer; dropped\n", id);
		break;
	case EXIT_NOTCONNECTED:
		if (strcmp(w->state, "disconnected") == 0)
			fprintf(stderr,
			        "tapictl: call %s: disconnected (%s) "
			        "without connecting; dropped\n",
			        id, tapi_disconnect_name(w->detail));
		else
			fprintf(stderr,
			        "tapictl: call %s: %s without connecting; "
			        "dropped\n",
			        id, w->state);
		break;
	case EXIT_UNREACHABLE:
		unreachable("tapixd left", NULL);
		break;
	default:
		if (w->signo)
			fprintf(stderr,
			        "tapictl: call %s: interrupted (%s); "
			        "dropped\n",
			        id, strsignal(w->signo));
		break;
	}
}

static const char *result_name(int outcome)
{
	switch (outcome) {
	case 0:
		return "connected";
	case EXIT_BUSY:
		return "busy";
	case EXIT_NOANSWER:
		return "noanswer";
	case EXIT_NOTCONNECTED:
		return "failed";
	case EXIT_UNREACHABLE:
		return "unreachable";
	default:
		return "interrupted";
	}
}

/* Watch() and the signals call --wait needs, before the call is made. */
static int wait_prepare(struct waiter *w)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int e;

	e = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, CALL_IFACE,
	                        "StateChanged", on_wait_signal, w);
	if (e >= 0)
		e = sd_bus_match_signal(bus, NULL, BUS_NAME, ROOT_PATH,
		                        MGR_IFACE, "CallRemoved",
		                        on_wait_signal, w);
	if (e >= 0)
		e = sd_bus_add_match(bus, NULL,
		                     "type='signal',sender='org.freedesktop."
		                     "DBus',interface='org.freedesktop.DBus',"
		                     "member='NameOwnerChanged',arg0='" BUS_NAME
		                     "'",
		                     on_wait_signal, w);
	if (e >= 0)
		e = call_watch(&err);
	if (e < 0) {
		e = failed("call --wait", "service", &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	return 0;
}

static int talk(const char *cmd, const char *path, int sfd);
static int stop_signals(const char *cmd);

static int cmd_call(const struct command *c, char **arg)
{
	struct waiter w = {.outcome = -1};
	uint8_t uui[MAX_UUI];
	char line[128];
	unsigned long seconds = WAIT_S;
	const char *ws = opt.value[O_WAIT];
	bool wait = opt.set[O_WAIT], first = true;
	sigset_t sigs;
	size_t n;
	int st, sfd = -1;

	if (!line_path(arg[0], line, sizeof(line)))
		return bad_line(c, arg[0]);
	st = uui_of(c, uui, &n);
	if (st)
		return st;
	if (wait && ws) {
		char *end;

		errno = 0;
		seconds = strtoul(ws, &end, 10);
		if (errno || *end || end == ws || *ws == '-' || !seconds ||
		    seconds > MAX_WAIT_S)
			return usage_error(c,
			                   "call: --wait=%s: seconds, 1 to %d",
			                   ws, MAX_WAIT_S);
	}
	st = connect_bus();
	if (st)
		return st;
	if (wait) {
		/* an interrupted wait drops the call: the signals wait */
		sigemptyset(&sigs);
		sigaddset(&sigs, SIGINT);
		sigaddset(&sigs, SIGTERM);
		sigaddset(&sigs, SIGHUP);
		sigprocmask(SIG_BLOCK, &sigs, NULL);
		sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
		st = sfd < 0 ? EXIT_FAILED : wait_prepare(&w);
		if (sfd < 0)
			fprintf(stderr, "tapictl: call --wait: %s\n",
			        strerror(errno));
		if (st) {
			if (sfd >= 0)
				close(sfd);
			return st;
		}
	}
	st = call_method(c->name, "MakeCall", line, LINE_IFACE, arg[1], uui, n,
	                 true, w.path, sizeof(w.path));
	if (st || !w.path[0]) {
		if (sfd >= 0)
			close(sfd);
		return st ? st : EXIT_FAILED;
	}
	if (!json) {
		printf("%s\n", id_of(w.path));
		fflush(stdout);
	}
	if (wait) {
		struct props v;

		/* a state it reached before our matches saw it */
		if (props_get(w.path, CALL_IFACE, NULL, NULL, &v) == 0) {
			waiter_state(&w, prop_str(&v, "State"),
			             prop_u(&v, "StateDetailCode"));
			props_free(&v);
		}
		wait_call(&w, (unsigned)seconds, sfd);
		if (w.outcome == 0 && opt.set[O_AUDIO]) {
			/* call --wait --audio: talk until it is over */
			int ts = talk(c->name, w.path, sfd);

			if (ts)
				w.outcome = ts;
		}
		close(sfd);
		if (w.outcome && w.outcome != EXIT_UNREACHABLE)
			drop_and_forget(w.path);
		report_outcome(&w, (unsigned)seconds);
	}
	if (json) {
		putchar('{');
		json_key(&first, "call");
		json_str(id_of(w.path));
		json_key(&first, "path");
		json_str(w.path);
		json_key(&first, "line");
		json_line(id_of(line));
		if (wait) {
			json_key(&first, "result");
			json_str(result_name(w.outcome));
			json_key(&first, "state");
			json_str(w.state);
			json_key(&first, "state_detail_code");
			printf("%u", w.detail);
		}
		puts("}");
	}
	return wait ? w.outcome : 0;
}

/* answer, accept, drop, hold, unhold, transfer, redirect, deallocate */
static int cmd_action(const struct command *c, char **arg)
{
	static const struct {
		const char *cmd, *method;
		bool ay;
	} ops[] = {
		{"answer", "Answer", true},
		{"accept", "Accept", true},
		{"drop", "Drop", true},
		{"hold", "Hold", false},
		{"unhold", "Unhold", false},
		{"transfer", "BlindTransfer", false},
		{"redirect", "Redirect", false},
		{"deallocate", "Deallocate", false},
	};
	uint8_t uui[MAX_UUI];
	char path[128];
	bool first = true;
	size_t i, n = 0;
	int st;

	for (i = 0; i + 1 < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].cmd, c->name) == 0)
			break;
	if (!call_path(arg[0], path, sizeof(path)))
		return bad_call(c, arg[0]);
	st = uui_of(c, uui, &n);
	if (!st)
		st = connect_bus();
	if (!st)
		st = call_method(c->name, ops[i].method, path, CALL_IFACE,
		                 arg[1], uui, n, ops[i].ay, NULL, 0);
	if (!st && opt.set[O_AUDIO]) {
		/* answer --audio: talk until the call is over */
		int sfd = stop_signals(c->name);

		if (sfd < 0)
			return EXIT_FAILED;
		st = talk(c->name, path, sfd);
		close(sfd);
		if (st == EXIT_UNREACHABLE)
			unreachable("tapixd left", NULL);
	}
	if (st || !json)
		return st;
	putchar('{');
	json_key(&first, "call");
	json_str(id_of(path));
	json_key(&first, "done");
	json_str(c->name);
	if (strcmp(c->name, "deallocate") != 0) {
		struct props v;

		if (props_get(path, CALL_IFACE, NULL, NULL, &v) == 0) {
			json_key(&first, "state");
			json_str(prop_str(&v, "State"));
			props_free(&v);
		}
	}
	puts("}");
	return 0;
}

/* ---- digits, audio, listen --------------------------------------------------
 */

/* Blocks SIGINT, SIGTERM and SIGHUP and gives a descriptor that reads
 * them (-1 and a message on failure): an interrupted command cleans up. */
static int stop_signals(const char *cmd)
{
	sigset_t sigs;
	int sfd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		fprintf(stderr, "tapictl: %s: %s\n", cmd, strerror(errno));
	return sfd;
}

/* The signal @sfd has read, or 0. */
static int signal_of(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

static int cmd_dtmf(const struct command *c, char **arg)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	char path[128], what[160];
	bool first = true;
	int e;

	if (!call_path(arg[0], path, sizeof(path)))
		return bad_call(c, arg[0]);
	e = connect_bus();
	if (e)
		return e;
	e = sd_bus_message_new_method_call(bus, &m, BUS_NAME, path, CALL_IFACE,
	                                   "SendDigits");
	if (e >= 0)
		e = sd_bus_message_append(m, "su", arg[1], (uint32_t)0);
	/* it answers when the digits are sent: pauses take a second each */
	if (e >= 0)
		e = sd_bus_call(bus, m, (uint64_t)MAX_WAIT_S * 1000000u, &err,
		                NULL);
	sd_bus_message_unref(m);
	if (e < 0) {
		snprintf(what, sizeof(what), "dtmf %s", id_of(path));
		e = failed(what, "call", &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	if (json) {
		putchar('{');
		json_key(&first, "call");
		json_str(id_of(path));
		json_key(&first, "done");
		json_str("dtmf");
		json_key(&first, "digits");
		json_str(arg[1]);
		puts("}");
	}
	return 0;
}

/* GetAudio(@cls) on call @path: our copy of the side we use (@in: wave/in,
 * else wave/out) in *@fd, the rate in *@rate; an exit status. */
static int get_audio(const char *cmd, const char *path, bool in, int *fd,
                     uint32_t *rate)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	char what[160];
	int a, b, e;

	snprintf(what, sizeof(what), "%s %s", cmd, id_of(path));
	e = sd_bus_call_method(bus, BUS_NAME, path, CALL_IFACE, "GetAudio",
	                       &err, &r, "s", in ? "wave/in" : "wave/out");
	if (e >= 0)
		e = sd_bus_message_read(r, "hhu", &a, &b, rate);
	if (e < 0) {
		e = failed(what, "call", &err, e);
		sd_bus_error_free(&err);
		sd_bus_message_unref(r);
		return e;
	}
	*fd = fcntl(in ? a : b, F_DUPFD_CLOEXEC, 3);
	sd_bus_message_unref(r); /* closes the message's copies */
	if (*fd < 0) {
		fprintf(stderr, "tapictl: %s: %s\n", what, strerror(errno));
		return EXIT_FAILED;
	}
	if (!*rate) {
		fprintf(stderr, "tapictl: %s: the call's audio has no rate\n",
		        what);
		close(*fd);
		*fd = -1;
		return EXIT_FAILED;
	}
	return 0;
}

/* A positive number of seconds, at most a day. */
static bool seconds_of(const char *s, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out && *out <= MAX_WAIT_S;
}

/* ---- talk: a call's audio on the sound device ---------------------------
 *
 * ALSA's PCM @dev (--device; "default" goes to PipeWire or PulseAudio where
 * they run, through their ALSA plugins): what the far end says is played,
 * what the microphone takes is sent, mono 16-bit at the call's rate (ALSA
 * converts for the device), until the call's media end or a signal.
 */

/* Opens @dev for @stream at @rate, mono S16_LE, ~100 ms of latency. */
static snd_pcm_t *pcm_open(const char *dev, snd_pcm_stream_t stream,
                           unsigned rate, int mode)
{
	snd_pcm_t *p = NULL;
	int e;

	e = snd_pcm_open(&p, dev, stream, mode);
	if (e >= 0)
		e = snd_pcm_set_params(p, SND_PCM_FORMAT_S16_LE,
		                       SND_PCM_ACCESS_RW_INTERLEAVED, 1, rate,
		                       1, 100000);
	if (e < 0) {
		fprintf(stderr, "tapictl: sound device %s (%s): %s\n", dev,
		        stream == SND_PCM_STREAM_PLAYBACK ? "playback"
		                                          : "capture",
		        snd_strerror(e));
		if (p)
			snd_pcm_close(p);
		return NULL;
	}
	return p;
}

/* Whether call @path is over (disconnected, idle, or gone). */
static bool call_over(const char *path)
{
	char *s = NULL;
	bool over;

	if (sd_bus_get_property_string(bus, BUS_NAME, path, CALL_IFACE, "State",
	                               NULL, &s) < 0)
		return true;
	over = !strcmp(s, "disconnected") || !strcmp(s, "idle");
	free(s);
	return over;
}

/*
 * Whether tapixd has left: call @path's state cannot be read because
 * nobody serves the name now, or the one asked went before answering
 * (asked through the bus, so the answer never comes before the bus has
 * seen it go).
 */
static bool service_left(const char *path)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char *s = NULL;
	bool left;
	int e;

	e = sd_bus_get_property_string(bus, BUS_NAME, path, CALL_IFACE, "State",
	                               &err, &s);
	left = e < 0 && is_unreachable(&err, e);
	free(s);
	sd_bus_error_free(&err);
	return left;
}

/*
 * Connects call @path's audio to the sound device until the call is over
 * (status 0), tapixd left (3, said by the caller) or a signal of @sfd
 * (128 + it): an exit status.
 */
static int talk(const char *cmd, const char *path, int sfd)
{
	const char *dev = opt.set[O_DEVICE] ? opt.value[O_DEVICE] : "default";
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	snd_pcm_t *play = NULL, *cap = NULL;
	int16_t buf[960], mic[960];
	uint8_t carry = 0;
	bool has_carry = false;
	char what[160];
	uint32_t rate = 0;
	int a, b, in = -1, out = -1, st = 0, e;

	snprintf(what, sizeof(what), "%s %s", cmd, id_of(path));
	e = sd_bus_call_method(bus, BUS_NAME, path, CALL_IFACE, "GetAudio",
	                       &err, &r, "s", "wave/in/out");
	if (e >= 0)
		e = sd_bus_message_read(r, "hhu", &a, &b, &rate);
	if (e < 0) {
		st = failed(what, "call", &err, e);
		sd_bus_error_free(&err);
		sd_bus_message_unref(r);
		return st;
	}
	in = fcntl(a, F_DUPFD_CLOEXEC, 3);
	out = fcntl(b, F_DUPFD_CLOEXEC, 3);
	sd_bus_message_unref(r);
	if (in < 0 || out < 0 || !rate) {
		fprintf(stderr, "tapictl: %s: no audio\n", what);
		st = EXIT_FAILED;
		goto out;
	}
	(void)fcntl(out, F_SETFL, O_NONBLOCK);
	play = pcm_open(dev, SND_PCM_STREAM_PLAYBACK, rate, 0);
	cap = pcm_open(dev, SND_PCM_STREAM_CAPTURE, rate, SND_PCM_NONBLOCK);
	if (!play || !cap) {
		st = EXIT_FAILED;
		goto out;
	}
	(void)snd_pcm_start(cap);
	for (unsigned loops = 1;; loops++) {
		struct pollfd p[2] = {{.fd = in, .events = POLLIN},
		                      {.fd = sfd, .events = POLLIN}};
		uint8_t *bb = (uint8_t *)buf;
		size_t have = 0;
		snd_pcm_sframes_t n;
		ssize_t got;

		/* 10 ms at most between two looks at the microphone */
		if (poll(p, 2, 10) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			st = 128 + signal_of(sfd);
			break;
		}
		/* its state now and then: a call over ends the talk (its
		 * media may stay till tapixd forgets it) */
		if (loops % 50 == 0 && call_over(path))
			break;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			if (has_carry) {
				bb[have++] = carry;
				has_carry = false;
			}
			got = read(in, bb + have, sizeof(buf) - have);
			if (got == 0 ||
			    (got < 0 && errno != EINTR && errno != EAGAIN))
				break; /* the call's media ended */
			if (got > 0) {
				have += (size_t)got;
				if (have % 2) {
					carry = bb[--have];
					has_carry = true;
				}
				n = snd_pcm_writei(play, buf, have / 2);
				if (n < 0 &&
				    snd_pcm_recover(play, (int)n, 1) >= 0)
					(void)snd_pcm_writei(play, buf,
					                     have / 2);
			}
		}
		/* 20 ms at a time: never more than the device's buffer */
		n = snd_pcm_readi(cap, mic, rate / 50 < 960 ? rate / 50 : 960);
		if (n == -EAGAIN)
			continue;
		if (n < 0) {
			(void)snd_pcm_recover(cap, (int)n, 1);
			(void)snd_pcm_start(cap);
			continue;
		}
		/* what the call cannot take now is dropped, not queued */
		(void)send(out, mic, (size_t)n * 2,
		           MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	if (!st && service_left(path))
		st = EXIT_UNREACHABLE; /* its media ended with it */
out:
	if (play)
		snd_pcm_close(play);
	if (cap)
		snd_pcm_close(cap);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return st;
}

static int cmd_talk(const struct command *c, char **arg)
{
	char path[128];
	int st, sfd;

	if (!call_path(arg[0], path, sizeof(path)))
		return bad_call(c, arg[0]);
	st = connect_bus();
	if (st)
		return st;
	sfd = stop_signals(c->name);
	if (sfd < 0)
		return EXIT_FAILED;
	st = talk(c->name, path, sfd);
	close(sfd);
	if (st == EXIT_UNREACHABLE)
		unreachable("tapixd left", NULL);
	return st;
}

/* record --rate: the file's rate in Hz, 8000 to 192000. */
static bool rate_of(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 8000 || v > 192000)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* What record writes: the file, and how much of it there may be. */
struct rec {
	SNDFILE *f;
	const char *name;
	struct resample *rs; /* the call's rate to the file's */
	int16_t out[4096];
	uint64_t got, want; /* samples written, and at most */
};

/* Resamples @n samples of @in (NULL: silence, to push the last ones out)
 * and writes them, up to rec->want in all; false when the file failed. */
static bool rec_write(struct rec *r, const int16_t *in, size_t n)
{
	while (n) {
		size_t used = n, w;

		w = resample_run(r->rs, in, &used, r->out,
		                 sizeof(r->out) / sizeof(r->out[0]));
		if (in)
			in += used;
		n -= used;
		if (w > r->want - r->got)
			w = (size_t)(r->want - r->got);
		/* the stream is little-endian; so are the hosts tapix runs
		 * on */
		if (w && sf_write_short(r->f, r->out, (sf_count_t)w) !=
		                 (sf_count_t)w) {
			fprintf(stderr, "tapictl: record: %s: %s\n", r->name,
			        sf_strerror(r->f));
			return false;
		}
		r->got += w;
		if (!used && !w)
			break; /* (never spin) */
	}
	return true;
}

static int cmd_record(const struct command *c, char **arg)
{
	static const char *const ends[] = {"ended", "seconds", "interrupted"};
	unsigned long seconds = 0;
	uint64_t in_want = UINT64_MAX, in_got = 0;
	int16_t pcm[2048];
	uint8_t carry = 0;
	bool has_carry = false, first = true, ok = true;
	struct rec rc;
	char path[128];
	SF_INFO info;
	uint32_t rate, frate = 0;
	int fd = -1, sfd, st, end = 0;

	memset(&rc, 0, sizeof(rc));
	rc.name = arg[1];
	rc.want = UINT64_MAX;
	if (!call_path(arg[0], path, sizeof(path)))
		return bad_call(c, arg[0]);
	if (opt.set[O_SECONDS] && !seconds_of(opt.value[O_SECONDS], &seconds))
		return usage_error(c, "record: --seconds=%s: seconds, 1 to %d",
		                   opt.value[O_SECONDS], MAX_WAIT_S);
	if (opt.set[O_RATE] && !rate_of(opt.value[O_RATE], &frate))
		return usage_error(c, "record: --rate=%s: Hz, 8000 to 192000",
		                   opt.value[O_RATE]);
	st = connect_bus();
	if (st)
		return st;
	sfd = stop_signals(c->name);
	if (sfd < 0)
		return EXIT_FAILED;
	st = get_audio(c->name, path, true, &fd, &rate);
	if (st) {
		close(sfd);
		return st;
	}
	if (!frate)
		frate = rate;
	if (resample_new(&rc.rs, rate, frate) != 0) {
		fprintf(stderr,
		        "tapictl: record: cannot resample %u Hz to %u "
		        "Hz\n",
		        rate, frate);
		close(fd);
		close(sfd);
		return EXIT_FAILED;
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = (int)frate;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	rc.f = sf_open(arg[1], SFM_WRITE, &info);
	if (!rc.f) {
		fprintf(stderr, "tapictl: record: %s: %s\n", arg[1],
		        sf_strerror(NULL));
		resample_free(rc.rs);
		close(fd);
		close(sfd);
		return EXIT_FAILED;
	}
	if (seconds) {
		in_want = (uint64_t)seconds * rate;
		rc.want = (uint64_t)seconds * frate;
	}
	/* what the far end says, 20 ms every 20 ms, until end of file */
	while (in_got < in_want) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
		                      {.fd = sfd, .events = POLLIN}};
		uint8_t *b = (uint8_t *)pcm;
		size_t have = 0, n;
		ssize_t r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			signal_of(sfd);
			end = 2;
			break;
		}
		if (has_carry) {
			b[have++] = carry;
			has_carry = false;
		}
		r = read(fd, b + have, sizeof(pcm) - have);
		if (r < 0 && errno == EINTR) {
			has_carry = have > 0; /* (kept for the next read) */
			continue;
		}
		if (r <= 0)
			break; /* the call's media ended */
		have += (size_t)r;
		if (have % 2) {
			carry = b[--have];
			has_carry = true;
		}
		n = have / 2;
		if (n > in_want - in_got)
			n = (size_t)(in_want - in_got);
		if (!rec_write(&rc, pcm, n)) {
			ok = false;
			break;
		}
		in_got += n;
		if (in_got >= in_want)
			end = 1;
	}
	/* the resampler's last samples; --seconds: exactly that long */
	if (ok)
		ok = rec_write(&rc, NULL, resample_tail(rc.rs));
	if (ok && end == 1) {
		memset(pcm, 0, sizeof(pcm));
		while (ok && rc.got < rc.want) {
			size_t n = sizeof(pcm) / 2;

			if (n > rc.want - rc.got)
				n = (size_t)(rc.want - rc.got);
			ok = sf_write_short(rc.f, pcm, (sf_count_t)n) ==
			     (sf_count_t)n;
			rc.got += n;
		}
	}
	if (!ok)
		st = EXIT_FAILED;
	close(fd);
	close(sfd);
	resample_free(rc.rs);
	if (sf_close(rc.f) != 0 && !st) {
		fprintf(stderr, "tapictl: record: %s: cannot finish it\n",
		        arg[1]);
		st = EXIT_FAILED;
	}
	if (st)
		return st;
	if (json) {
		putchar('{');
		json_key(&first, "call");
		json_str(id_of(path));
		json_key(&first, "file");
		json_str(arg[1]);
		json_key(&first, "rate");
		printf("%u", frate);
		json_key(&first, "seconds");
		printf("%.3f", (double)rc.got / frate);
		json_key(&first, "end");
		json_str(ends[end]);
		puts("}");
	} else {
		printf("%s: %.2f s recorded (%s)\n", arg[1],
		       (double)rc.got / frate,
		       end == 0   ? "the call ended"
		       : end == 1 ? "--seconds reached"
		                  : "interrupted");
	}
	return 0;
}

/* Writes @n bytes of @buf to @fd, paced by the call; false when the call's
 * media ended, or a signal of @sfd came (*@signo). */
static bool write_paced(int fd, int sfd, const void *buf, size_t n, int *signo)
{
	size_t done = 0;

	while (done < n) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLOUT},
		                      {.fd = sfd, .events = POLLIN}};
		ssize_t w;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[1].revents & POLLIN) {
			*signo = signal_of(sfd);
			return false;
		}
		/* (a socket: no SIGPIPE when the call's audio ended) */
		w = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return false;
		done += (size_t)w;
	}
	return true;
}

static int cmd_play(const struct command *c, char **arg)
{
	struct resample_file *f = NULL;
	int16_t pcm[960];
	char path[128], why[256];
	bool first = true, ok = true;
	uint32_t rate, frame;
	uint64_t sent = 0;
	int fd = -1, sfd, st, signo = 0, i, e;
	ssize_t n = 0;

	if (!call_path(arg[0], path, sizeof(path)))
		return bad_call(c, arg[0]);
	/* any rate, any channels: mixed down and resampled to the call's */
	e = resample_file_open(&f, arg[1], 0, 0, why, sizeof(why));
	if (e) {
		fprintf(stderr, "tapictl: play: %s: %s\n", arg[1], why);
		return EXIT_FAILED;
	}
	st = connect_bus();
	sfd = st ? -1 : stop_signals(c->name);
	if (!st && sfd < 0)
		st = EXIT_FAILED;
	if (!st)
		st = get_audio(c->name, path, false, &fd, &rate);
	if (!st && resample_file_set_rate(f, rate) != 0) {
		fprintf(stderr, "tapictl: play: %s: cannot resample to %u Hz\n",
		        arg[1], rate);
		st = EXIT_FAILED;
	}
	if (st) {
		if (fd >= 0)
			close(fd);
		if (sfd >= 0)
			close(sfd);
		resample_file_close(f);
		return st;
	}
	/* 20 ms at a time */
	frame = rate / 50 < 960 ? rate / 50 : 960;
	while (ok && (n = resample_file_read(f, pcm, frame)) > 0) {
		ok = write_paced(fd, sfd, pcm, (size_t)n * 2, &signo);
		if (ok)
			sent += (uint64_t)n;
	}
	if (ok && n < 0) {
		fprintf(stderr, "tapictl: play: %s: cannot read it\n", arg[1]);
		close(fd);
		close(sfd);
		resample_file_close(f);
		return EXIT_FAILED;
	}
	/* what waits in the socket is played before we let go (2 s at most) */
	for (i = 0; ok && i < 100; i++) {
		struct pollfd p = {.fd = sfd, .events = POLLIN};
		int queued = 0;

		if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued <= 0)
			break;
		if (poll(&p, 1, 20) > 0)
			signo = signal_of(sfd);
		if (signo)
			ok = false;
	}
	close(fd);
	close(sfd);
	resample_file_close(f);
	if (signo) {
		fprintf(stderr, "tapictl: play %s: interrupted (%s)\n",
		        id_of(path), strsignal(signo));
		return 128 + signo;
	}
	if (!ok) {
		fprintf(stderr,
		        "tapictl: play %s: the call's audio ended after "
		        "%.2f s of %s\n",
		        id_of(path), (double)sent / rate, arg[1]);
		return EXIT_FAILED;
	}
	if (json) {
		putchar('{');
		json_key(&first, "call");
		json_str(id_of(path));
		json_key(&first, "file");
		json_str(arg[1]);
		json_key(&first, "seconds");
		printf("%.3f", (double)sent / rate);
		puts("}");
	}
	return 0;
}

/* listen: the line's calls, the incoming one, and how it goes. */
struct listener {
	char line[128];
	char calls[16][128]; /* the line's calls seen added, a ring */
	unsigned ncalls;
	char path[128]; /* the incoming call, once offered */
	bool offered, ended;
};

static bool listener_has(const struct listener *l, const char *path)
{
	unsigned i;

	for (i = 0; i < 16 && i < l->ncalls; i++)
		if (strcmp(l->calls[i], path) == 0)
			return true;
	return false;
}

static void listener_state(struct listener *l, const char *path,
                           const char *state)
{
	if (!l->offered && strcmp(state, "offering") == 0 &&
	    listener_has(l, path)) {
		snprintf(l->path, sizeof(l->path), "%s", path);
		l->offered = true;
	} else if (l->offered && strcmp(path, l->path) == 0 &&
	           (strcmp(state, "disconnected") == 0 ||
	            strcmp(state, "idle") == 0)) {
		l->ended = true;
	}
}

static int on_listen_signal(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	struct listener *l = ud;
	const char *member = sd_bus_message_get_member(m);
	const char *path = sd_bus_message_get_path(m);
	const char *a = NULL, *b = NULL;
	uint32_t detail;

	(void)err;
	if (!member || !path || !from_service(m))
		return 0;
	if (strcmp(member, "CallAdded") == 0 &&
	    sd_bus_message_read(m, "oo", &a, &b) >= 0 &&
	    strcmp(b, l->line) == 0) {
		snprintf(l->calls[l->ncalls++ % 16], sizeof(l->calls[0]), "%s",
		         a);
	} else if (strcmp(member, "StateChanged") == 0 &&
	           sd_bus_message_read(m, "su", &a, &detail) >= 0) {
		listener_state(l, path, a);
	} else if (strcmp(member, "CallRemoved") == 0 &&
	           sd_bus_message_read(m, "o", &a) >= 0) {
		listener_state(l, a, "idle");
	}
	return 0;
}

/* Runs the bus until @done(@l) or @deadline (0: none): 0, a signal's exit
 * status (128 + it), EXIT_NOANSWER at the deadline, EXIT_UNREACHABLE. */
static int listen_until(struct listener *l, bool (*done)(struct listener *),
                        uint64_t deadline, int sfd, int *signo)
{
	while (!done(l)) {
		struct pollfd p[2];
		uint64_t now, until = deadline ? deadline : UINT64_MAX, t;
		int e = sd_bus_process(bus, NULL), ms;

		if (e < 0)
			return EXIT_UNREACHABLE;
		if (service_gone)
			return unreachable("tapixd left", NULL);
		if (e > 0)
			continue;
		now = now_usec();
		if (deadline && now >= deadline)
			return EXIT_NOANSWER;
		if (sd_bus_get_timeout(bus, &t) >= 0 && t < until)
			until = t > now ? t : now;
		ms = until == UINT64_MAX ? -1
		     : until - now > 3600000000
		             ? 3600000
		             : (int)((until - now + 999) / 1000);
		p[0].fd = sd_bus_get_fd(bus);
		p[0].events = (short)sd_bus_get_events(bus);
		p[1].fd = sfd;
		p[1].events = POLLIN;
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			return EXIT_FAILED;
		if (p[1].revents & POLLIN) {
			*signo = signal_of(sfd);
			return 128 + *signo;
		}
	}
	return 0;
}

/*
 * The line's calls that exist already (after Watch(): none is missed
 * between the two): each is one of the line's, and one that is offering
 * now is the incoming call.
 */
static void listener_existing(struct listener *l)
{
	char **paths = NULL;
	size_t i;

	if (list_paths("GetCalls", &paths) != 0)
		return; /* the signals still tell what comes */
	for (i = 0; paths && paths[i]; i++) {
		struct props v;
		const char *line;

		if (props_get(paths[i], CALL_IFACE, NULL, NULL, &v) != 0)
			continue;
		line = prop_str(&v, "Line");
		if (line && strcmp(line, l->line) == 0 &&
		    !listener_has(l, paths[i])) {
			snprintf(l->calls[l->ncalls++ % 16],
			         sizeof(l->calls[0]), "%s", paths[i]);
			listener_state(l, paths[i], prop_str(&v, "State"));
		}
		props_free(&v);
	}
	free_strv(paths);
}

static bool is_offered(struct listener *l)
{
	return l->offered;
}

static bool has_ended(struct listener *l)
{
	return l->ended;
}

/* Prints the incoming call: "ID offered on line N from CALLER". */
static void print_offered(const struct listener *l, const char *result)
{
	char buf[TEXT_MAX];
	const char *caller = "";
	bool first = true;
	struct props v;
	bool have = props_get(l->path, CALL_IFACE, NULL, NULL, &v) == 0;

	if (have)
		caller = prop_str(&v, "CallerId");
	if (json) {
		putchar('{');
		json_key(&first, "call");
		json_str(id_of(l->path));
		json_key(&first, "path");
		json_str(l->path);
		json_key(&first, "line");
		json_line(id_of(l->line));
		json_key(&first, "caller_id");
		json_str(caller);
		json_key(&first, "result");
		json_str(result);
		puts("}");
	} else {
		printf("%s offered on line %s from %s (%s)\n", id_of(l->path),
		       id_of(l->line),
		       *caller ? clean(caller, buf, sizeof(buf)) : "unknown",
		       result);
	}
	fflush(stdout);
	if (have)
		props_free(&v);
}

static int cmd_listen(const struct command *c, char **arg)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	struct listener l;
	unsigned long timeout_s = 0;
	uint64_t deadline = 0;
	bool answer = opt.set[O_ANSWER];
	int e, sfd, signo = 0, st;

	memset(&l, 0, sizeof(l));
	if (!line_path(arg[0], l.line, sizeof(l.line)))
		return bad_line(c, arg[0]);
	if (opt.set[O_TIMEOUT] && !seconds_of(opt.value[O_TIMEOUT], &timeout_s))
		return usage_error(c, "listen: --timeout=%s: seconds, 1 to %d",
		                   opt.value[O_TIMEOUT], MAX_WAIT_S);
	e = connect_bus();
	if (e)
		return e;
	sfd = stop_signals(c->name);
	if (sfd < 0)
		return EXIT_FAILED;
	e = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, NULL, NULL,
	                        on_listen_signal, &l);
	if (e >= 0)
		e = watch_gone();
	if (e >= 0)
		e = call_watch(&err);
	if (e >= 0) /* the line must exist, and be ours */
		e = sd_bus_get_property_trivial(bus, BUS_NAME, l.line,
		                                LINE_IFACE, "Id", &err, 'u',
		                                &(uint32_t){0});
	if (e < 0) {
		char what[160];

		snprintf(what, sizeof(what), "listen %s", id_of(l.line));
		e = failed(what, "line", &err, e);
		sd_bus_error_free(&err);
		close(sfd);
		return e;
	}
	listener_existing(&l);
	if (timeout_s)
		deadline = now_usec() + (uint64_t)timeout_s * 1000000u;
	st = listen_until(&l, is_offered, deadline, sfd, &signo);
	if (st == EXIT_NOANSWER)
		fprintf(stderr, "tapictl: listen %s: no call in %lu s\n",
		        id_of(l.line), timeout_s);
	if (signo)
		fprintf(stderr, "tapictl: listen %s: interrupted (%s)\n",
		        id_of(l.line), strsignal(signo));
	if (st) {
		close(sfd);
		return st;
	}
	if (answer) {
		st = call_method("listen --answer", "Answer", l.path,
		                 CALL_IFACE, NULL, NULL, 0, true, NULL, 0);
		if (st) {
			close(sfd);
			return st;
		}
	}
	print_offered(&l, answer ? "answered" : "offered");
	if (answer && opt.set[O_AUDIO]) {
		fflush(stdout);
		st = talk("listen --audio", l.path, sfd);
		if (st > 128)
			signo = st - 128;
		if (st == EXIT_UNREACHABLE)
			unreachable("tapixd left", NULL);
	} else {
		st = listen_until(&l, has_ended, 0, sfd, &signo);
	}
	close(sfd);
	/* a call we answered is ours to hang up and forget */
	if (answer && st != EXIT_UNREACHABLE)
		drop_and_forget(l.path);
	if (signo)
		fprintf(stderr, "tapictl: listen %s: interrupted (%s)\n",
		        id_of(l.line), strsignal(signo));
	return st;
}

/* ---- watch ------------------------------------------------------------------
 */

static unsigned watch_left = UINT_MAX;

static void print_event(const char *what, const char *path, const char *a,
                        long detail)
{
	const char *id = id_of(path);
	char buf[TEXT_MAX];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (json) {
		printf("{\"time\":%lld.%03ld,\"event\":", (long long)ts.tv_sec,
		       ts.tv_nsec / 1000000);
		json_str(what);
		if (strstr(path, "/Line/")) {
			fputs(",\"line\":", stdout);
			json_line(id);
		} else {
			fputs(",\"call\":", stdout);
			json_str(id);
		}
		if (a && strcmp(what, "call-added") == 0) {
			fputs(",\"line\":", stdout);
			json_line(a);
		} else if (a) {
			fputs(",\"state\":", stdout);
			json_str(a);
		}
		if (detail >= 0)
			printf(",\"detail\":%ld", detail);
		printf("}\n");
	} else {
		const char *c = a ? value_colour(a) : NULL;

		printf("%s %-8s %s%s%s", what, id, c ? c : "",
		       a ? clean(a, buf, sizeof(buf)) : "", c ? C_RESET : "");
		if (detail >= 0)
			printf(" (0x%lx)", detail);
		printf("\n");
	}
	fflush(stdout);
	if (watch_left != UINT_MAX && --watch_left == 0)
		sd_bus_close(bus);
}

static int on_signal(sd_bus_message *m, void *ud, sd_bus_error *err)
{
	const char *member = sd_bus_message_get_member(m);
	const char *path = sd_bus_message_get_path(m);
	const char *a = NULL, *b = NULL;
	uint32_t detail;
	int in;

	(void)ud;
	(void)err;
	if (!member || !path || !from_service(m))
		return 0;
	if (strcmp(member, "CallAdded") == 0 &&
	    sd_bus_message_read(m, "oo", &a, &b) >= 0) {
		print_event("call-added", a, id_of(b), -1);
	} else if (strcmp(member, "CallRemoved") == 0 &&
	           sd_bus_message_read(m, "o", &a) >= 0) {
		print_event("call-removed", a, NULL, -1);
	} else if (strcmp(member, "StateChanged") == 0 &&
	           sd_bus_message_read(m, "su", &a, &detail) >= 0) {
		print_event("state", path, a, (long)detail);
	} else if (strcmp(member, "LineChanged") == 0 &&
	           sd_bus_message_read(m, "b", &in) >= 0) {
		print_event("line", path, in ? "in-service" : "out-of-service",
		            -1);
	}
	return 0;
}

static bool seconds_or_count(const char *s, unsigned long *out, bool zero)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && (zero || *out) && *out <= MAX_WAIT_S * 10ul;
}

static int cmd_watch(const struct command *c, char **arg)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	unsigned long timeout_s = 0, count;
	uint64_t t0;
	int e;

	(void)arg;
	if (opt.set[O_COUNT]) {
		if (!seconds_or_count(opt.value[O_COUNT], &count, false))
			return usage_error(c,
			                   "watch: --count=%s: a number of "
			                   "events, at least 1",
			                   opt.value[O_COUNT]);
		watch_left = (unsigned)count;
	}
	if (opt.set[O_TIMEOUT] &&
	    !seconds_or_count(opt.value[O_TIMEOUT], &timeout_s, true))
		return usage_error(c, "watch: --timeout=%s: seconds",
		                   opt.value[O_TIMEOUT]);
	e = connect_bus();
	if (e)
		return e;
	e = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, NULL, NULL,
	                        on_signal, NULL);
	if (e >= 0)
		e = watch_gone();
	if (e >= 0)
		e = call_watch(&err);
	if (e < 0) {
		e = failed("watch", "service", &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	t0 = now_usec();
	for (;;) {
		uint64_t wait = UINT64_MAX;

		e = sd_bus_process(bus, NULL);
		if (e < 0)
			break; /* closed: --count reached, or the bus went */
		if (service_gone)
			return unreachable("tapixd left", NULL);
		if (e > 0)
			continue;
		if (timeout_s) {
			uint64_t spent = now_usec() - t0;

			if (spent >= timeout_s * 1000000)
				break;
			wait = timeout_s * 1000000 - spent;
		}
		if (sd_bus_wait(bus, wait) < 0)
			break;
	}
	return 0;
}

/* ---- demo and help ----------------------------------------------------------
 */

static char *self;

static int cmd_demo(const struct command *c, char **arg)
{
	char path[PATH_MAX];
	char *slash = strrchr(self, '/');

	(void)c;
	(void)arg;
	/* --bus: the demo is tapixd's client there; else as TAPIX_SERVICE
	 * and the configuration say (embedded without either) */
	if (opt.bus && setenv("TAPIX_SERVICE", opt.bus, 1) != 0) {
		fprintf(stderr, "tapictl: demo: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	/* next to tapictl, else in PATH */
	if (slash) {
		snprintf(path, sizeof(path), "%.*s/tapix-demo",
		         (int)(slash - self), self);
		execl(path, "tapix-demo", (char *)NULL);
	}
	execlp("tapix-demo", "tapix-demo", (char *)NULL);
	fprintf(stderr, "tapictl: cannot run tapix-demo: %s\n",
	        strerror(errno));
	return EXIT_FAILED;
}

static int cmd_help(const struct command *c, char **arg)
{
	const struct command *h;

	(void)c;
	if (!arg[0]) {
		usage(stdout);
		return 0;
	}
	h = find_command(arg[0]);
	return h ? command_help(h) : unknown_command(arg[0]);
}

/* The usage texts say "default 60". */
_Static_assert(WAIT_S == 60, "call --wait's default is in the texts");

#define CALL_ARGS            \
	{                    \
		"CALL", NULL \
	}

static const struct command commands[] = {
	{
		.name = "lines",
		.synopsis = "",
		.summary = "list the lines you may use",
		.text = "Lists the lines you may use: number, name, address, "
			"provider and\nstate (in-service or out-of-service), "
			"with a header; --terse: no\nheader, fields separated "
			"by ':'; --json: an array of objects.\n",
		.bus = true,
		.run = cmd_lines,
	},
	{
		.name = "calls",
		.synopsis = "",
		.summary = "list the calls on your lines",
		.text = "Lists the calls on your lines: id, line, state, "
			"origin, caller and\ncalled id, with a header; "
			"--terse: no header, fields separated by\n':'; "
			"--json: an array of objects.\n",
		.bus = true,
		.run = cmd_calls,
	},
	{
		.name = "show",
		.synopsis = "LINE|CALL",
		.summary = "print every property of a line or a call",
		.text = "Prints every property of a line or of a call. A path "
			"says which;\nelse 8 hex digits (a call id as tapictl "
			"prints it) or a word with\na-f is a call, a number a "
			"line. `show line N` and `show call ID`\nsay it. "
			"--json: one object.\n",
		.args = {"LINE|CALL", NULL},
		.min = 1,
		.max = 2,
		.bus = true,
		.run = cmd_show,
	},
	{
		.name = "call",
		.synopsis = "LINE ADDRESS",
		.summary = "make a call on LINE to ADDRESS; print its id",
		.text = "Makes a call on line LINE to ADDRESS, with the "
			"user-user information\ngiven, and prints the call's "
			"id.\n"
			"  --uui=TEXT, --uui-hex=HEX  user-user information\n"
			"  --wait[=SECONDS]  then waits until the call "
			"connects (status 0),\n"
			"                    is busy (4), is not answered "
			"within SECONDS\n"
			"                    (default 60; 5) or ends "
			"otherwise (6); a call\n"
			"                    that did not connect is "
			"dropped, as on SIGINT,\n"
			"                    SIGTERM or SIGHUP (status 128 + "
			"the signal)\n"
			"  --audio           with --wait: once connected, talk "
			"on it with the\n"
			"                    sound device until it is over (as "
			"tapictl talk)\n"
			"  --device=PCM      the ALSA device of --audio\n",
		.args = {"LINE", "ADDRESS"},
		.min = 2,
		.max = 2,
		.opts = UUI_OPTS | BIT(O_WAIT) | BIT(O_AUDIO) | BIT(O_DEVICE),
		.bus = true,
		.run = cmd_call,
	},
	{
		.name = "answer",
		.synopsis = "CALL",
		.summary = "answer an offered call",
		.text = "Answers an offered call.\n"
			"  --uui=TEXT, --uui-hex=HEX  user-user information\n"
			"  --audio            then talk on it with the sound "
			"device until it is\n"
			"                     over (as tapictl talk)\n"
			"  --device=PCM       the ALSA device of --audio\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.opts = UUI_OPTS | BIT(O_AUDIO) | BIT(O_DEVICE),
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "accept",
		.synopsis = "CALL",
		.summary = "accept an offered call (it starts ringing)",
		.text = "Accepts an offered call: it starts ringing.\n"
			"  --uui=TEXT, --uui-hex=HEX  user-user information\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.opts = UUI_OPTS,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "drop",
		.synopsis = "CALL",
		.summary = "drop a call",
		.text = "Drops a call.\n"
			"  --uui=TEXT, --uui-hex=HEX  user-user information\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.opts = UUI_OPTS,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "hold",
		.synopsis = "CALL",
		.summary = "put a call on hold",
		.text = "Puts a call on hold.\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "unhold",
		.synopsis = "CALL",
		.summary = "take a call off hold",
		.text = "Takes a call off hold.\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "transfer",
		.synopsis = "CALL ADDRESS",
		.summary = "transfer a connected call (blind)",
		.text = "Transfers a connected call to ADDRESS without "
			"consultation; done,\nthe call is idle.\n",
		.args = {"CALL", "ADDRESS"},
		.min = 2,
		.max = 2,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "redirect",
		.synopsis = "CALL ADDRESS",
		.summary = "send an offered call elsewhere, unanswered",
		.text = "Redirects an offered call to ADDRESS without "
			"answering it; done,\nthe call is idle.\n",
		.args = {"CALL", "ADDRESS"},
		.min = 2,
		.max = 2,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "deallocate",
		.synopsis = "CALL",
		.summary = "forget a call that is idle",
		.text = "Forgets a call the service keeps after it went "
			"idle.\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.bus = true,
		.run = cmd_action,
	},
	{
		.name = "dtmf",
		.synopsis = "CALL DIGITS",
		.summary = "send DTMF digits on a call",
		.text = "Sends DIGITS (0-9, *, #, A-D; ',' a pause of a "
			"second) as DTMF on a\ncall and returns when they are "
			"sent; status 1 when they were cut\nshort (another "
			"dtmf, the call's end).\n",
		.args = {"CALL", "DIGITS"},
		.min = 2,
		.max = 2,
		.bus = true,
		.run = cmd_dtmf,
	},
	{
		.name = "record",
		.synopsis = "CALL FILE",
		.summary = "record what the far end says to a WAV file",
		.text = "Records what the far end of a call says to FILE "
			"(WAV, 16-bit mono) until\nthe call ends, SIGINT "
			"(Ctrl-C), SIGTERM or SIGHUP.\n"
			"  --seconds=N        stop after N seconds of audio\n"
			"  --rate=HZ          the file's rate, 8000 to 192000 "
			"(default: the\n"
			"                     call's; its audio is "
			"resampled)\n",
		.args = {"CALL", "FILE"},
		.min = 2,
		.max = 2,
		.opts = BIT(O_SECONDS) | BIT(O_RATE),
		.bus = true,
		.run = cmd_record,
	},
	{
		.name = "play",
		.synopsis = "CALL FILE",
		.summary = "send a sound file to the far end",
		.text = "Sends a sound file (WAV, FLAC...: what libsndfile "
			"reads) to the far\nend of a call, paced by the call. "
			"Any rate and any number of\nchannels: they are mixed "
			"down to one and resampled to the call's\nrate (8000 Hz "
			"for G.711, 16000 Hz for G.722 and Opus).\n",
		.args = {"CALL", "FILE"},
		.min = 2,
		.max = 2,
		.bus = true,
		.run = cmd_play,
	},
	{
		.name = "talk",
		.synopsis = "CALL",
		.summary = "talk on a call with the sound device",
		.text = "Connects a call's audio to the sound device: the far "
			"end is played,\nthe microphone is sent, until the call "
			"ends (status 0) or SIGINT\n(Ctrl-C), SIGTERM or SIGHUP "
			"(128 + the signal).\n"
			"  --device=PCM       the ALSA device (default: "
			"\"default\", PipeWire\n"
			"                     or PulseAudio where they run)\n",
		.args = CALL_ARGS,
		.min = 1,
		.max = 1,
		.opts = BIT(O_DEVICE),
		.bus = true,
		.run = cmd_talk,
	},
	{
		.name = "listen",
		.synopsis = "LINE",
		.summary = "wait for an incoming call on a line",
		.text = "Waits for a call offered on LINE (one offered "
			"already, else the next),\nprints it, and exits when it "
			"ends (status 0) or on SIGINT (Ctrl-C),\nSIGTERM or "
			"SIGHUP (128 + the signal).\n"
			"  --answer           answer it; then drop and forget "
			"it at the end\n"
			"  --audio            with --answer: talk on it with the "
			"sound device\n"
			"  --device=PCM       the ALSA device of --audio\n"
			"  --timeout=SECONDS  give up after SECONDS without a "
			"call (status 5)\n",
		.args = {"LINE", NULL},
		.min = 1,
		.max = 1,
		.opts = BIT(O_ANSWER) | BIT(O_TIMEOUT) | BIT(O_AUDIO) |
                        BIT(O_DEVICE),
		.bus = true,
		.run = cmd_listen,
	},
	{
		.name = "watch",
		.synopsis = "",
		.summary = "print line and call events as they happen",
		.text = "Prints every line and call event as it happens: "
			"calls added and\nremoved, state changes, lines going "
			"in or out of service. --json:\none JSON object per "
			"line.\n"
			"  --count=N          stop after N events\n"
			"  --timeout=SECONDS  stop after SECONDS\n",
		.opts = BIT(O_COUNT) | BIT(O_TIMEOUT),
		.bus = true,
		.run = cmd_watch,
	},
	{
		.name = "demo",
		.synopsis = "",
		.summary = "run the demo call (tapix-demo)",
		.text = "Runs the demo program, tapix-demo: embedded, or as "
			"tapixd's client\non the bus --bus names (or "
			"TAPIX_SERVICE).\n",
		.text_only = true,
		.run = cmd_demo,
	},
	{
		.name = "help",
		.synopsis = "[COMMAND]",
		.summary = "this text, or a command's",
		.text = "Prints the usage, or a command's.\n",
		.args = {"COMMAND", NULL},
		.max = 1,
		.text_only = true,
		.run = cmd_help,
	},
};

static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[32];
	char hint[64];
	size_t i;

	for (i = 0; i < ncommands && i < 32; i++)
		names[i] = commands[i].name;
	return usage_error(NULL, "unknown command '%s'%s", name,
	                   suggest(name, names, i, "", hint, sizeof(hint)));
}

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: tapictl [OPTION]... COMMAND [ARG]... [OPTION]...\n"
	      "Browse and drive telephony lines and calls through tapixd.\n\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < ncommands; i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", commands[i].name,
		         *commands[i].synopsis ? " " : "",
		         commands[i].synopsis);
		fprintf(f, "  %-26s %s\n", head, commands[i].summary);
	}
	fputs("\nOptions (anywhere on the line):\n"
	      "  -b, --bus=system|session|ADDRESS\n"
	      "                    tapixd's bus (default: TAPIX_SERVICE, "
	      "else the system bus)\n"
	      "      --address=ADDRESS  the same as --bus=ADDRESS\n"
	      "  -j, --json        output JSON (watch: one object per line)\n"
	      "  -t, --terse       tables without headers, fields separated "
	      "by ':'\n"
	      "      --color[=auto|always|never]\n"
	      "                    colour (auto: on a terminal, unless "
	      "NO_COLOR is set)\n"
	      "  -h, --help        this text; after a command, that "
	      "command's\n"
	      "  -V, --version     the version\n"
	      "Options of commands:\n"
	      "      --uui=TEXT, --uui-hex=HEX  (call, answer, accept, drop) "
	      "user-user\n"
	      "                    information, as text or as hex bytes\n"
	      "      --wait[=SECONDS]  (call) until it connects or fails "
	      "(default 60)\n"
	      "      --count=N, --timeout=SECONDS  (watch) stop after N "
	      "events or SECONDS\n"
	      "      --seconds=N   (record) stop after N seconds of audio\n"
	      "      --rate=HZ     (record) the file's rate (default: the "
	      "call's)\n"
	      "      --answer      (listen) answer the call\n"
	      "      --audio       (call --wait, answer, listen --answer) then "
	      "talk with\n"
	      "                    the sound device\n"
	      "      --device=PCM  (talk, --audio) the ALSA device (default: "
	      "default)\n"
	      "      --timeout=SECONDS  (listen) give up after SECONDS "
	      "without a call\n\n"
	      "LINE is a line's number, as `lines` shows it; CALL is a call's "
	      "id, as `call`\nand `calls` print it. Either may be an object "
	      "path instead.\n\n"
	      "Exit status: 0 done (call --wait: connected); 1 refused or "
	      "failed; 2 usage\nerror; 3 tapixd unreachable; call --wait: 4 "
	      "busy, 5 no answer, 6 ended\nwithout connecting; listen: 5 no "
	      "call in time; 128 + a signal that\ninterrupted call --wait, "
	      "play or listen.\n",
	      f);
}

/* ---- main -------------------------------------------------------------------
 */

/* What the command line asks of command @c, checked before it runs. */
static int check(const struct command *c, int nargs, char **args)
{
	size_t id;

	for (id = 0; id < O_COUNT_OF_OPTIONS; id++)
		if (opt.set[id] && !(BIT(id) & (GLOBAL_OPTS | c->opts)))
			return usage_error(c, "%s: no option '--%s' here",
			                   c->name, opt_defs[id].name);
	if (json && terse)
		return usage_error(c, "--json and --terse exclude each other");
	if (c->text_only && (json || terse))
		return usage_error(c, "%s: no %s output", c->name,
		                   json ? "JSON" : "terse");
	if (nargs < (int)c->min)
		return usage_error(c, "%s: %s is missing", c->name,
		                   c->args[nargs]);
	if (nargs > (int)c->max)
		return usage_error(c, "%s: unexpected argument '%s'", c->name,
		                   args[c->max]);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;
	char **pos, *args[3] = {NULL, NULL, NULL};
	int npos, st, i;

	self = argv[0];
	pos = calloc((size_t)argc + 1, sizeof(*pos));
	if (!pos) {
		fprintf(stderr, "tapictl: %s\n", strerror(ENOMEM));
		return EXIT_FAILED;
	}
	st = parse(argc, argv, pos, &npos);
	if (st)
		goto out;
	json = opt.set[O_JSON];
	terse = opt.set[O_TERSE];
	if (opt.set[O_VERSION]) {
		st = print_version();
		goto out;
	}
	c = npos ? find_command(pos[0]) : NULL;
	if (npos && !c) {
		st = unknown_command(pos[0]);
		goto out;
	}
	if (opt.set[O_HELP]) {
		if (c)
			st = command_help(c);
		else
			usage(stdout);
		goto out;
	}
	if (!c) {
		usage(stderr);
		st = EXIT_USAGE;
		goto out;
	}
	for (i = 1; i < npos && i <= 2; i++)
		args[i - 1] = pos[i];
	st = check(c, npos - 1, pos + 1);
	if (!st)
		st = choose_colour();
	if (!st && c->bus)
		st = choose_bus();
	if (!st)
		st = c->run(c, args);
	fflush(stdout);
	sd_bus_flush_close_unref(bus);
out:
	free(pos);
	return st;
}
