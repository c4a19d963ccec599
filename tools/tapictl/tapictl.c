/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapictl: the command-line telephony browser. Lists lines and calls,
 * makes, answers, accepts and drops calls (with user-user information),
 * and watches every line and call event, through tapixd's Line and Call
 * objects (org.tapix.Telephony1). `tapictl demo` runs the embedded demo.
 *
 * Exit status: 0 done, 1 the service refused or failed (the reason on
 * stderr, e.g. LINEERR_INVALCALLSTATE), 2 usage error, 3 no service.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "utf8.h"

#define BUS_NAME   "org.tapix.Tapix1"
#define ROOT_PATH  "/org/tapix/Tapix1"
#define MGR_IFACE  "org.tapix.Telephony1"
#define LINE_IFACE "org.tapix.Line1"
#define CALL_IFACE "org.tapix.Call1"
#define MAX_UUI    4096

enum {
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOSERVICE = 3,
};

static sd_bus *bus;
static bool json;
static const char *bus_opt;

static const char *const usages[] = {
	"lines",
	"list the lines you may use: id, name, address, in service",
	"calls",
	"list the calls on your lines: id, line, state, caller, called",
	"call LINE ADDRESS [--uui TEXT | --uui-hex HEX]",
	"make a call on line LINE (a number) to ADDRESS; prints its id",
	"answer CALL [--uui TEXT | --uui-hex HEX]",
	"answer an offered call (CALL: an id from `calls`)",
	"accept CALL [--uui TEXT | --uui-hex HEX]",
	"accept an offered call (it starts ringing)",
	"drop CALL [--uui TEXT | --uui-hex HEX]",
	"drop a call, with user-user information",
	"hold CALL",
	"put a call on hold",
	"unhold CALL",
	"take a call off hold",
	"transfer CALL ADDRESS",
	"transfer a connected call to ADDRESS (blind: the call then ends)",
	"deallocate CALL",
	"forget a call that is idle",
	"watch [--json] [--count N] [--timeout SECONDS]",
	("print every line and call event as it happens (--json: one JSON "
         "object per line); stop after N events or SECONDS"),
	"demo",
	"run the embedded demo call (no service needed)",
};

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: tapictl [--bus=system|session] [--address=ADDRESS] "
	      "COMMAND [ARG]...\n"
	      "Browse and drive telephony lines and calls through tapixd.\n\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i += 2)
		fprintf(f, "  %-46s %s\n", usages[i], usages[i + 1]);
	fputs("\nThe bus: --bus or --address, else TAPIX_SERVICE (system, "
	      "session or an address),\nelse the system bus. "
	      "`tapictl COMMAND --help` describes one command.\n"
	      "Exit status: 0 done, 1 refused or failed, 2 usage error, "
	      "3 no service.\n",
	      f);
}

static int command_help(const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(usages) / sizeof(usages[0]); i += 2) {
		if (strncmp(usages[i], cmd, strlen(cmd)) == 0 &&
		    (usages[i][strlen(cmd)] == ' ' ||
		     usages[i][strlen(cmd)] == '\0')) {
			printf("Usage: tapictl %s\n%s\n", usages[i],
			       usages[i + 1]);
			return 0;
		}
	}
	usage(stderr);
	return EXIT_USAGE;
}

static int connect_bus(void)
{
	const char *s = bus_opt ? bus_opt : getenv("TAPIX_SERVICE");
	int e;

	if (!s || !*s || strcmp(s, "system") == 0) {
		e = sd_bus_open_system(&bus);
	} else if (strcmp(s, "session") == 0) {
		e = sd_bus_open_user(&bus);
	} else {
		e = sd_bus_new(&bus);
		if (e >= 0)
			e = sd_bus_set_address(bus, s);
		if (e >= 0)
			e = sd_bus_set_bus_client(bus, 1);
		if (e >= 0)
			e = sd_bus_start(bus);
	}
	if (e < 0) {
		fprintf(stderr, "tapictl: cannot connect to the bus: %s\n",
		        strerror(-e));
		return EXIT_NOSERVICE;
	}
	return 0;
}

/* Reports a failed method call; the exit status it means. */
static int failed(const char *what, const sd_bus_error *err, int e)
{
	if (err && err->name &&
	    (strcmp(err->name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
	     strcmp(err->name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0)) {
		fprintf(stderr, "tapictl: tapixd is not running on this bus\n");
		return EXIT_NOSERVICE;
	}
	if (err && err->name &&
	    strcmp(err->name, SD_BUS_ERROR_UNKNOWN_OBJECT) == 0) {
		fprintf(stderr, "tapictl: %s: no such line or call\n", what);
		return EXIT_FAILED;
	}
	fprintf(stderr, "tapictl: %s: %s\n", what,
	        err && err->message ? err->message : strerror(-e));
	return EXIT_FAILED;
}

/* "12" or "0000000c" or a full path: the call's object path. */
static bool call_path(const char *arg, char *out, size_t size)
{
	unsigned long v;
	char *end;

	if (strncmp(arg, ROOT_PATH "/Call/", strlen(ROOT_PATH "/Call/")) == 0)
		arg += strlen(ROOT_PATH "/Call/");
	errno = 0;
	v = strtoul(arg, &end, 16);
	if (errno || *end || end == arg || v == 0 || v > 0xFFFFFFFFul)
		return false;
	snprintf(out, size, ROOT_PATH "/Call/%08lx", v);
	return true;
}

static bool line_path(const char *arg, char *out, size_t size)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > 0xFFFFFFFFul)
		return false;
	snprintf(out, size, ROOT_PATH "/Line/%lu", v);
	return true;
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

/* --uui TEXT / --uui-hex HEX after the command's arguments. */
static int parse_uui(int argc, char **argv, uint8_t *out, size_t *len)
{
	static const struct option opts[] = {
		{"uui", required_argument, NULL, 'u'},
		{"uui-hex", required_argument, NULL, 'x'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*len = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		size_t n, i;

		if (c == 'u') {
			n = strlen(optarg);
			if (n > MAX_UUI)
				return -1;
			memcpy(out, optarg, n);
			*len = n;
		} else if (c == 'x') {
			n = strlen(optarg);
			if (n % 2 || n / 2 > MAX_UUI)
				return -1;
			for (i = 0; i < n / 2; i++) {
				int hi = hexval(optarg[2 * i]);
				int lo = hexval(optarg[2 * i + 1]);

				if (hi < 0 || lo < 0)
					return -1;
				out[i] = (uint8_t)(hi << 4 | lo);
			}
			*len = n / 2;
		} else {
			return -1;
		}
	}
	return optind;
}

/* A string or object path property, or NULL; free() it. */
static char *get_string(const char *path, const char *iface, const char *prop)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	const char *v = NULL;
	char *s = NULL;

	if (sd_bus_get_property(bus, BUS_NAME, path, iface, prop, &err, &r,
	                        strcmp(prop, "Line") == 0 ? "o" : "s") >= 0 &&
	    sd_bus_message_read_basic(r, strcmp(prop, "Line") == 0 ? 'o' : 's',
	                              &v) >= 0 &&
	    v)
		s = strdup(v);
	sd_bus_message_unref(r);
	sd_bus_error_free(&err);
	return s;
}

static int list_paths(const char *member, char ***out)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *r = NULL;
	int e;

	e = sd_bus_call_method(bus, BUS_NAME, ROOT_PATH, MGR_IFACE, member,
	                       &err, &r, "");
	if (e < 0) {
		int st = failed(member, &err, e);

		sd_bus_error_free(&err);
		return -st;
	}
	e = sd_bus_message_read_strv(r, out);
	sd_bus_message_unref(r);
	return e < 0 ? -EXIT_FAILED : 0;
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

static int cmd_lines(void)
{
	char **paths = NULL, **p;
	int e = list_paths("GetLines", &paths);

	if (e < 0)
		return -e;
	for (p = paths; p && *p; p++) {
		char *name = get_string(*p, LINE_IFACE, "Name");
		char *addr = get_string(*p, LINE_IFACE, "Address");
		sd_bus_error err = SD_BUS_ERROR_NULL;
		int in = 0;

		sd_bus_get_property_trivial(bus, BUS_NAME, *p, LINE_IFACE,
		                            "InService", &err, 'b', &in);
		sd_bus_error_free(&err);
		if (json) {
			printf("{\"line\":%s,\"name\":", strrchr(*p, '/') + 1);
			json_str(name);
			printf(",\"address\":");
			json_str(addr);
			printf(",\"in_service\":%s}\n", in ? "true" : "false");
		} else {
			printf("%-4s %-32s %-24s %s\n", strrchr(*p, '/') + 1,
			       name ? name : "", addr ? addr : "",
			       in ? "in service" : "out of service");
		}
		free(name);
		free(addr);
		free(*p);
	}
	free(paths);
	return 0;
}

static int cmd_calls(void)
{
	char **paths = NULL, **p;
	int e = list_paths("GetCalls", &paths);

	if (e < 0)
		return -e;
	for (p = paths; p && *p; p++) {
		char *line = get_string(*p, CALL_IFACE, "Line");
		char *state = get_string(*p, CALL_IFACE, "State");
		char *caller = get_string(*p, CALL_IFACE, "CallerId");
		char *called = get_string(*p, CALL_IFACE, "CalledId");

		printf("%s line %s %-12s %s -> %s\n", strrchr(*p, '/') + 1,
		       line ? strrchr(line, '/') + 1 : "?", state ? state : "?",
		       caller && *caller ? caller : "?",
		       called && *called ? called : "?");
		free(line);
		free(state);
		free(caller);
		free(called);
		free(*p);
	}
	free(paths);
	return 0;
}

/* Line.MakeCall(s, ay), Call.<op>(ay uui), Call.BlindTransfer(s) or a
 * Call.<op>(); prints a made call's id. */
static int cmd_op(const char *op, const char *path, const char *iface,
                  const char *dest, const uint8_t *uui, size_t n, bool ay)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *r = NULL;
	const char *made;
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
		char what[96];

		snprintf(what, sizeof(what), "%s %s", op,
		         strrchr(path, '/') + 1);
		e = failed(what, &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	if (dest && sd_bus_message_read(r, "o", &made) >= 0)
		printf("%s\n", strrchr(made, '/') + 1);
	sd_bus_message_unref(r);
	return 0;
}

/* ---- watch ------------------------------------------------------------------
 */

static unsigned watch_left = UINT_MAX;

static void print_event(const char *what, const char *path, const char *a,
                        const char *b, long detail)
{
	const char *id = strrchr(path, '/') + 1;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (json) {
		printf("{\"time\":%lld.%03ld,\"event\":", (long long)ts.tv_sec,
		       ts.tv_nsec / 1000000);
		json_str(what);
		printf(",\"%s\":", strstr(path, "/Line/") ? "line" : "call");
		json_str(id);
		if (a) {
			printf(",\"%s\":", strcmp(what, "call-added") == 0
			                           ? "line"
			                           : "state");
			json_str(a);
		}
		if (detail >= 0)
			printf(",\"detail\":%ld", detail);
		printf("}\n");
	} else {
		printf("%s %-8s %s", what, id, a ? a : "");
		if (b)
			printf(" %s", b);
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
	if (!member || !path)
		return 0;
	if (strcmp(member, "CallAdded") == 0 &&
	    sd_bus_message_read(m, "oo", &a, &b) >= 0) {
		print_event("call-added", a, strrchr(b, '/') + 1, NULL, -1);
	} else if (strcmp(member, "CallRemoved") == 0 &&
	           sd_bus_message_read(m, "o", &a) >= 0) {
		print_event("call-removed", a, NULL, NULL, -1);
	} else if (strcmp(member, "StateChanged") == 0 &&
	           sd_bus_message_read(m, "su", &a, &detail) >= 0) {
		print_event("state", path, a, NULL, (long)detail);
	} else if (strcmp(member, "LineChanged") == 0 &&
	           sd_bus_message_read(m, "b", &in) >= 0) {
		print_event("line", path, in ? "in-service" : "out-of-service",
		            NULL, -1);
	}
	return 0;
}

static int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"count", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	sd_bus_error err = SD_BUS_ERROR_NULL;
	unsigned long timeout_s = 0;
	struct timespec t0;
	char *end;
	int c, e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			watch_left = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !watch_left)
				return EXIT_USAGE;
			break;
		case 't':
			timeout_s = strtoul(optarg, &end, 10);
			if (*end)
				return EXIT_USAGE;
			break;
		case 'h':
			return command_help("watch");
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return EXIT_USAGE;
	e = sd_bus_match_signal(bus, NULL, BUS_NAME, NULL, NULL, NULL,
	                        on_signal, NULL);
	if (e >= 0)
		e = sd_bus_call_method(bus, BUS_NAME, ROOT_PATH, MGR_IFACE,
		                       "Watch", &err, NULL, "");
	if (e < 0) {
		e = failed("watch", &err, e);
		sd_bus_error_free(&err);
		return e;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec now;
		uint64_t wait = UINT64_MAX;

		e = sd_bus_process(bus, NULL);
		if (e < 0)
			break; /* closed: --count reached, or the bus went */
		if (e > 0)
			continue;
		if (timeout_s) {
			uint64_t spent;

			clock_gettime(CLOCK_MONOTONIC, &now);
			spent = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000 +
			        (uint64_t)((now.tv_nsec - t0.tv_nsec) / 1000);
			if (spent >= timeout_s * 1000000)
				break;
			wait = timeout_s * 1000000 - spent;
		}
		if (sd_bus_wait(bus, wait) < 0)
			break;
	}
	return 0;
}

/* ---- main -------------------------------------------------------------------
 */

static int run_demo(char *self)
{
	char path[PATH_MAX];
	char *slash = strrchr(self, '/');

	/* the demo is embedded: next to tapictl, else in PATH */
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bus", required_argument, NULL, 'b'},
		{"address", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint8_t uui[MAX_UUI];
	char path[128];
	const char *cmd;
	size_t n = 0;
	int c, st, first;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "system") &&
			    strcmp(optarg, "session")) {
				usage(stderr);
				return EXIT_USAGE;
			}
			bus_opt = optarg;
			break;
		case 'a':
			bus_opt = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (argc > 1 && strcmp(argv[argc - 1], "--help") == 0)
		return command_help(cmd);
	if (strcmp(cmd, "demo") == 0)
		return argc == 1 ? run_demo(argv[-optind])
		                 : (usage(stderr), EXIT_USAGE);
	st = connect_bus();
	if (st)
		return st;
	if (strcmp(cmd, "lines") == 0 && argc == 1) {
		st = cmd_lines();
	} else if (strcmp(cmd, "calls") == 0 && argc == 1) {
		st = cmd_calls();
	} else if (strcmp(cmd, "watch") == 0) {
		st = cmd_watch(argc, argv);
		if (st == EXIT_USAGE)
			fputs("Usage: tapictl watch [--json] [--count N] "
			      "[--timeout SECONDS]\n",
			      stderr);
	} else if (strcmp(cmd, "call") == 0 && argc >= 3) {
		first = parse_uui(argc - 2, argv + 2, uui, &n);
		if (first != argc - 2 ||
		    !line_path(argv[1], path, sizeof(path))) {
			command_help("call");
			st = EXIT_USAGE;
		} else {
			st = cmd_op("MakeCall", path, LINE_IFACE, argv[2], uui,
			            n, true);
		}
	} else if ((strcmp(cmd, "answer") == 0 || strcmp(cmd, "accept") == 0 ||
	            strcmp(cmd, "drop") == 0) &&
	           argc >= 2) {
		static const char *ops[] = {"Answer", "Accept", "Drop"};
		int i = cmd[1] == 'n' ? 0 : cmd[1] == 'c' ? 1 : 2;

		first = parse_uui(argc - 1, argv + 1, uui, &n);
		if (first != argc - 1 ||
		    !call_path(argv[1], path, sizeof(path))) {
			command_help(cmd);
			st = EXIT_USAGE;
		} else {
			st = cmd_op(ops[i], path, CALL_IFACE, NULL, uui, n,
			            true);
		}
	} else if (strcmp(cmd, "transfer") == 0 && argc == 3) {
		if (!call_path(argv[1], path, sizeof(path))) {
			command_help(cmd);
			st = EXIT_USAGE;
		} else {
			st = cmd_op("BlindTransfer", path, CALL_IFACE, argv[2],
			            NULL, 0, false);
		}
	} else if ((strcmp(cmd, "hold") == 0 || strcmp(cmd, "unhold") == 0 ||
	            strcmp(cmd, "deallocate") == 0) &&
	           argc == 2) {
		if (!call_path(argv[1], path, sizeof(path))) {
			command_help(cmd);
			st = EXIT_USAGE;
		} else {
			st = cmd_op(cmd[0] == 'h'   ? "Hold"
			            : cmd[0] == 'u' ? "Unhold"
			                            : "Deallocate",
			            path, CALL_IFACE, NULL, NULL, 0, false);
		}
	} else {
		usage(stderr);
		st = EXIT_USAGE;
	}
	sd_bus_flush_close_unref(bus);
	return st;
}
