/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the service tests (test_service, test_service_ras) share: each test
 * gets a private dbus-daemon and a tapixd of its own (setup, teardown, or
 * start_bus and start_tapixd), reads tapixd's counters and log, runs
 * client helper processes (tests/service/client_helper.c) and makes raw
 * D-Bus calls. Every process is bounded by timeout(1) and killed by PID.
 */
#ifndef TAPIX_TESTS_SVC_H
#define TAPIX_TESTS_SVC_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-bus.h>

#include "fx.h"

#define LIMIT_S 120
#define STEP_MS 10000 /* a helper's step, generously */
#define ROOT    "/org/tapix/Tapix1"
#define NOBODY  65534

/* The test's directory (bus socket, tapixd's log and configuration), the
 * bus address, tapixd's log. */
extern char dir[64], addr[128], tlog[128];
extern const char *peer_arg; /* start_tapixd: e.g. --peer=none */
extern pid_t bus_pid, tapixd_pid;
extern sd_bus *bus; /* the test's own connection to the bus */

bool log_has(const char *path, const char *text);
void sleep_ms(unsigned ms);

/* A private bus, reachable by any user (the socket is in a 0755 dir). */
void start_bus(void);
/* tapixd with @conf (INI text) and its objects and test hooks. */
void start_tapixd(const char *conf);
/* The usual: a bus and tapixd with esp's 4 lines. */
int setup(void **state);
int teardown(void **state);
/* A bus and no tapixd (a test's stand-in takes its name: fake_start). */
int setup_bus_only(void **state);

/*
 * A stand-in for tapixd on the test's bus: a thread of the test's own, on
 * a connection of its own that owns tapixd's name, gives each message it
 * reads to @serve (a filter, its userdata the struct fake). The one call
 * it holds (fake_hold) is answered by @answer once the test sets release,
 * or after 10 s. No check of the test may fail between fake_start and
 * fake_stop: the thread uses the struct.
 */
struct fake {
	pthread_t t;
	sd_bus *bus;
	sd_bus_message *held;
	uint64_t held_at_ms;
	void (*answer)(sd_bus_message *held);
	bool holding;     /* a call is held, or was (atomic) */
	bool other_first; /* the test's: another call came while it was */
	bool release;     /* atomic */
	bool stop;        /* atomic */
	/* a second held call (fake_hold2), answered by @answer2 once the
	 * test sets @release2, or after 10 s */
	sd_bus_message *held2;
	uint64_t held2_at_ms;
	void (*answer2)(sd_bus_message *held);
	bool holding2; /* atomic, as holding */
	bool release2; /* atomic */
};

void fake_start(struct fake *f, sd_bus_message_handler_t serve,
                void (*answer)(sd_bus_message *held));
/* Holds method call @m: the one call answered later (none held yet). */
void fake_hold(struct fake *f, sd_bus_message *m);
/* Holds @m as the second call held, answered later by @answer. */
void fake_hold2(struct fake *f, sd_bus_message *m,
                void (*answer)(sd_bus_message *held));
/* Ends the thread, forgets what it held, closes its connection. */
void fake_stop(struct fake *f);

/* The service's objects beyond its own (test hooks: Live). */
void service_counts(uint64_t v[9]);
/* Waits (bounded) until the service holds no more than @apps apps and
 * @calls calls. */
void wait_counts(uint64_t apps, uint64_t calls);
/* Waits (bounded, 20 s) until every counter of tapixd's core (service_counts:
 * registrations, opens, lines, calls, call handles, requests, providers,
 * allocations, provider objects) is as in @want: back to a baseline. */
void wait_counts_equal(const uint64_t want[9]);
/* As wait_counts_equal, for the first @n counters only (a count written
 * by hand, where allocations and provider objects are not known). */
void wait_counts_first(const uint64_t *want, unsigned n);
/* Waits (bounded) until tapixd's log holds @text. */
void wait_log(const char *text);
/* esp's counters in tapixd (test hooks: EspCounters), as
 * fx_esp_counters: [0] TSPI_lineCloseCall calls, [1] of them naming no
 * esp call, [2] calls created, [3] calls never closed before their line
 * or session ended. */
void esp_counters(uint64_t v[4]);

/* A client helper process and its standard output. */
struct helper {
	pid_t pid;
	int fd;
};

struct helper helper(const char *const args[]);
/* The helper's next line must start with @word; returns the number after
 * it (hex), if any. */
unsigned long expect_line(struct helper *h, const char *word);
/* The helper's next line that starts with @word (others are skipped; its
 * "error" fails the test); what follows the word in @rest. */
void read_until(struct helper *h, const char *word, char *rest, size_t size);
void helper_end(struct helper *h);

/* What tapixd's Peer method says, in @out. */
void peer_of_tapixd(char *out, size_t size);

/* Raw calls: on the bus (default) or a direct connection
 * (raw_direct_start ... raw_direct_end). */
sd_bus *raw_bus(void);
extern const char *raw_dest; /* the destination: tapixd's name, or NULL */
int raw_call_v(const char *iface, const char *member, sd_bus_message **reply,
               const char *types, va_list ap);
/* A method of org.tapix.Tapi1 (raw_call_v). */
int raw_call(const char *member, sd_bus_message **reply, const char *types,
             ...);
void raw_direct_start(void);
void raw_direct_end(void);

/* The path of the Call object of line @line's call in @out (bounded, 5 s;
 * "" if none): Telephony1.GetCalls on the test's bus. */
void call_on_line(unsigned line, char *out, size_t size);

/* Runs `tapixd --check-config` on @conf (INI text, written in the test's
 * directory): its exit status; what it said in @out. */
int check_config(const char *conf, char *out, size_t size);

#endif /* TAPIX_TESTS_SVC_H */
