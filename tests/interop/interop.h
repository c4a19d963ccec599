/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers of the SIP interop tests: ports (each test binary has its own
 * range, TAPIX_TEST_PORT_BASE, so binaries may run in parallel), SIPp
 * runs, and the TAPI side's usual steps and checks.
 */
#ifndef TAPIX_TESTS_INTEROP_H
#define TAPIX_TESTS_INTEROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "fx.h"
#include "proc.h"

/* Port base + n on 127.0.0.1: 0 tapix, 1 SIPp, 2 Kamailio, 3 baresip... */
unsigned port_of(unsigned n);
#define tapix_port() port_of(0)
#define sipp_port()  port_of(1)

/*
 * Reads TAPIX_TEST_PORT_BASE (default @def) and TAPIX_TEST_FILTER (one
 * test by name); fails (returns false) if a program in @needed (NULL
 * terminated) is not installed: scripts/setup.sh installs them.
 */
bool interop_init(unsigned def, const char *const needed[]);

int interop_setup(void **state);
/* Stops every peer still running, then fx_teardown. */
int interop_teardown(void **state);

/* One SIP line "a" on 127.0.0.1:tapix_port(), plus @extra keys in [sip]. */
void sip_config(const char *extra);

/*
 * Starts SIPp with @scenario (tests/interop/sipp/) on sipp_port(): a UAC
 * scenario calls 127.0.0.1:@remote_port; @remote_port 0 runs a UAS and
 * waits until it listens.
 */
pid_t sipp_to(const char *scenario, unsigned remote_port);
/* SIPp runs over TCP (-t t1) until the test ends, else UDP. */
void sipp_use_tcp(bool on);

/* UAC scenario @scenario calling tapix @calls times, @rate calls a second
 * (SIPp -m, -r), as many at a time as it takes. */
pid_t sipp_load(const char *scenario, unsigned calls, unsigned rate);

/* UAC scenario @scenario calling tapix once with SIPp's -key for each
 * pair of @keys ({name, value, ..., NULL}; at most two pairs): the
 * scenario's [name] fields, e.g. the pcap its play_pcap_audio plays. */
pid_t sipp_keys(const char *scenario, const char *const keys[]);

/* A UAC scenario calling tapix, or a UAS one (tapix calls it). */
pid_t sipp(const char *scenario, bool uac);
pid_t sipp_uas(const char *scenario);

/* SIPp must end by itself, every check of its scenario passed. */
void sipp_passed(pid_t pid);

/* True while something is bound to UDP 127.0.0.1:@port. */
bool udp_bound(unsigned port);
/* Waits (bounded) until 127.0.0.1:@port is bound (UDP, or TCP when SIPp
 * runs over TCP); fails if not. */
void wait_bound(unsigned port);

/* lineGetCallInfo into a fresh 8 KiB buffer (free it). */
LINECALLINFO *call_info(HCALL h);
void assert_uui(HCALL h, const void *data, DWORD len);
/* Asserts @part is in the call's device-specific text (how it ended). */
void assert_end_info(HCALL h, const char *part);

/* Index in @a's history of the first message matching, or -1. */
int seen_at(const struct fx_app *a, DWORD msg, HCALL h, DWORD_PTR p1,
            DWORD_PTR p1_mask);

/* Opens line @dev as owner of voice calls. */
HLINE open_line_dev(struct fx_app *a, DWORD dev);
#define open_line(a) open_line_dev((a), 0)

/* Calls @dest with UUI @uui (NULL: none); waits for the LINE_REPLY. */
HCALL make_call_to(struct fx_app *a, HLINE l, const char *dest,
                   const char *uui);
/* Calls SIPp's UAS on sipp_port(). */
HCALL make_call(struct fx_app *a, HLINE l, const char *uui);

/* An incoming call: LINE_APPNEWCALL, then OFFERING. */
HCALL offered(struct fx_app *a, HLINE l);
/* ... answered: CONNECTED. */
HCALL answered(struct fx_app *a, HLINE l);
/* Drops @h, sees IDLE, deallocates it. */
void drop_to_idle(struct fx_app *a, HCALL h);
/* Holds the CONNECTED call @h (ONHOLD), then unholds it (CONNECTED). */
void hold_and_unhold(struct fx_app *a, HCALL h);

#endif /* TAPIX_TESTS_INTEROP_H */
