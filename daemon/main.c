/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd: the telephony service. Loads the providers of tapix.conf (the
 * embedded core in this process), serves org.tapix.Tapix1 on the system
 * bus, the session bus or a given bus address, and runs until SIGTERM or
 * SIGINT; SIGHUP reloads the access rules.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "dlog.h"
#include "tapixd.h"

struct daemon d;

static void usage(FILE *f)
{
	fputs("Usage: tapixd [OPTION]...\n"
	      "The tapix telephony service: TAPI lines shared by processes,\n"
	      "over D-Bus (org.tapix.Tapix1).\n"
	      "\n"
	      "  --bus=system|session  the bus to serve on (default: system)\n"
	      "  --address=ADDRESS     the bus at this D-Bus address instead\n"
	      "  --config=FILE         tapix.conf to use (default: TAPIX_CONF,\n"
	      "                        else /etc/tapix/tapix.conf)\n"
	      "  --log=LEVELS          log levels, e.g. info,sip=debug\n"
	      "                        (default: TAPIX_LOG, else warn)\n"
	      "  --peer=PATH|none      the socket of direct connections\n"
	      "                        (default: one in a new directory of\n"
	      "                        $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR\n"
	      "                        or /tmp); none: the bus only\n"
	      "  --no-channel          direct connections without shared\n"
	      "                        memory (D-Bus messages only)\n"
	      "  --no-objects          no Line and Call objects on the bus\n"
	      "                        (org.tapix.Tapi1 only)\n"
	      "  --test-hooks          org.tapix.Test1 for the project's\n"
	      "                        tests; never in production\n"
	      "  --help                this text\n"
	      "  --version             the version\n",
	      f);
}

/* The library's log lines go out as tapixd's own. */
static void log_sink(enum tapix_log_level level, const char *module,
                     const char *msg, void *arg)
{
	(void)arg;
	if (d.test_hooks)
		hooks_log(module, msg);
	dlog_line(level, module, msg);
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si,
                   void *userdata)
{
	(void)s;
	(void)userdata;
	log_info("signal %u: stopping", si->ssi_signo);
	d.stopping = true;
	return sd_event_exit(d.event, 0);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si,
                     void *userdata)
{
	(void)s;
	(void)si;
	(void)userdata;
	/* providers are loaded once per session: only the access rules of
	 * the file are read again */
	if (acl_load(d.conf_path) == 0)
		log_info("access rules reloaded from %s",
		         d.conf_path ? d.conf_path : "(none)");
	else
		log_err("access rules of %s not reloaded: kept the old ones",
		        d.conf_path ? d.conf_path : "(none)");
	return 0;
}

static int open_bus(const char *bus, const char *address)
{
	int e;

	if (address) {
		e = sd_bus_new(&d.bus);
		if (e >= 0)
			e = sd_bus_set_address(d.bus, address);
		if (e >= 0)
			e = sd_bus_set_bus_client(d.bus, 1);
		if (e >= 0)
			e = sd_bus_start(d.bus);
	} else if (strcmp(bus, "session") == 0) {
		e = sd_bus_open_user(&d.bus);
	} else {
		e = sd_bus_open_system(&d.bus);
	}
	return e;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bus", required_argument, NULL, 'b'},
		{"address", required_argument, NULL, 'a'},
		{"config", required_argument, NULL, 'c'},
		{"log", required_argument, NULL, 'l'},
		{"no-channel", no_argument, NULL, 'C'},
		{"no-objects", no_argument, NULL, 'o'},
		{"peer", required_argument, NULL, 'p'},
		{"test-hooks", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *bus = "system", *address = NULL, *levels = NULL;
	const char *peer = NULL;
	sigset_t mask;
	int c, e, status = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bus = optarg;
			if (strcmp(bus, "system") && strcmp(bus, "session")) {
				fprintf(stderr, "tapixd: --bus is system or "
				                "session\n");
				return 2;
			}
			break;
		case 'a':
			address = optarg;
			break;
		case 'c':
			setenv("TAPIX_CONF", optarg, 1);
			break;
		case 'l':
			levels = optarg;
			break;
		case 'C':
			d.no_channel = true;
			break;
		case 'o':
			d.no_objects = true;
			break;
		case 'p':
			peer = optarg;
			break;
		case 't':
			d.test_hooks = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tapixd %s\n", tapix_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* the service is embedded: never its own client (an empty value
	 * overrides a [tapix] service key of the shared tapix.conf) */
	setenv("TAPIX_SERVICE", "", 1);
	tapix_log_set_sink(log_sink, NULL);
	if (!levels)
		levels = getenv("TAPIX_LOG");
	if (levels && (tapix_log_set_levels(levels) != 0 ||
	               dlog_set_levels(levels) != 0)) {
		fprintf(stderr, "tapixd: bad log levels \"%s\"\n", levels);
		return 2;
	}
	d.conf_path = getenv("TAPIX_CONF");
	if (d.conf_path && !*d.conf_path)
		d.conf_path = NULL;
	if (!getenv("TAPIX_CONF") && access("/etc/tapix/tapix.conf", F_OK) == 0)
		d.conf_path = "/etc/tapix/tapix.conf";

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	e = sd_event_default(&d.event);
	if (e < 0) {
		log_err("no event loop: %s", strerror(-e));
		return 1;
	}
	if (acl_load(d.conf_path) != 0) {
		log_err("cannot read the access rules: not starting");
		goto out;
	}
	e = open_bus(bus, address);
	if (e < 0) {
		log_err("cannot connect to the %s bus: %s",
		        address ? address : bus, strerror(-e));
		goto out;
	}
	sd_event_add_signal(d.event, NULL, SIGTERM, on_stop, NULL);
	sd_event_add_signal(d.event, NULL, SIGINT, on_stop, NULL);
	sd_event_add_signal(d.event, NULL, SIGHUP, on_reload, NULL);
	e = sd_bus_attach_event(d.bus, d.event, SD_EVENT_PRIORITY_NORMAL);
	if (e >= 0)
		e = tel_start();
	if (e >= 0)
		e = rpc_start();
	/* without direct connections, clients use the bus; a socket asked
	 * for by name must work */
	if (e >= 0 && peer_start(peer) < 0 && peer)
		e = -EADDRNOTAVAIL;
	if (e >= 0)
		e = ras_start();
	if (e >= 0 && d.test_hooks)
		e = hooks_start();
	if (e >= 0)
		e = sd_bus_request_name(d.bus, TAPIXD_BUS_NAME, 0);
	if (e < 0) {
		log_err("cannot start: %s", strerror(-e));
		goto stop;
	}
	log_info("serving %s on the %s bus, %u lines", TAPIXD_BUS_NAME,
	         address ? address : bus, (unsigned)d.ndevs);
	e = sd_event_loop(d.event);
	status = e < 0 ? 1 : 0;
stop:
	sd_bus_release_name(d.bus, TAPIXD_BUS_NAME);
	/* spec: termination.md §6 — every registration shut down, then the
	 * service's own: the providers stop */
	peer_stop();
	rpc_stop();
	ras_stop();
	tel_stop();
	hooks_stop();
	sd_bus_flush(d.bus);
out:
	d.bus = sd_bus_flush_close_unref(d.bus);
	d.event = sd_event_unref(d.event);
	acl_free();
	return status;
}
