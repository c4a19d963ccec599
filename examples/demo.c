/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix-demo: a call on the embedded emulated switch, printed as it
 * happens. One app owns lines 100 and 101 and calls 101 from 100; a second
 * app monitors line 101; then a scripted far end answers and hangs up.
 * Uses only tapi.h, as a ported TAPI program would.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tapi.h>

#include "tapi_names.h"

#define WAIT_MS 5000

#define HISTORY 256

/* Every message an app received, in order; wait_for searches it. */
struct app {
	const char *label;
	HLINEAPP h;
	int fd;
	LINEMESSAGE seen[HISTORY];
	unsigned nseen;
	unsigned cursor; /* messages before it were already matched or passed */
};

static struct timespec t0;

static void print(const struct app *a, const char *text)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t0.tv_sec) * 1000 +
	     (now.tv_nsec - t0.tv_nsec) / 1000000;
	printf("%6ld ms  %-8s %s\n", ms, a ? a->label : "", text);
}

static void die(const char *what, LONG r)
{
	fprintf(stderr, "tapix-demo: %s failed: %s\n", what,
	        tapi_error_name(r));
	exit(1);
}

/* Fetches and prints what is queued for @a; false if nothing was. */
static bool pump(struct app *a)
{
	LINEMESSAGE m;
	char line[160];
	bool any = false;

	while (lineGetMessage(a->h, &m, 0) == 0) {
		print(a, tapi_format_message(line, sizeof(line), &m));
		if (a->nseen < HISTORY)
			a->seen[a->nseen++] = m;
		any = true;
	}
	return any;
}

/*
 * Returns the first message of @a, not matched before, that matches;
 * waits (printing what arrives) up to WAIT_MS for it.
 */
static LINEMESSAGE wait_for(struct app *a, DWORD msg, DWORD hdev, DWORD p1)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {.fd = a->fd, .events = POLLIN};
		unsigned i;
		long left;

		pump(a);
		for (i = a->cursor; i < a->nseen; i++) {
			const LINEMESSAGE *m = &a->seen[i];

			if (m->dwMessageID == msg &&
			    (!hdev || m->hDevice == hdev) &&
			    (!p1 || m->dwParam1 == p1)) {
				a->cursor = i + 1;
				return *m;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = WAIT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
		                  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0) {
			fprintf(stderr,
			        "tapix-demo: %s waited too long for %s\n",
			        a->label, tapi_msg_name(msg));
			exit(1);
		}
		/* The event descriptor is readable while messages wait. */
		poll(&pfd, 1, (int)left);
	}
}

static void drain(struct app *a)
{
	pump(a);
	a->cursor = a->nseen;
}

static void init(struct app *a, const char *label, DWORD *ndevs)
{
	LINEINITIALIZEEXPARAMS p;
	DWORD ver = 0x00020002;
	LONG r;

	memset(&p, 0, sizeof(p));
	memset(a, 0, sizeof(*a));
	p.dwTotalSize = sizeof(p);
	p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	a->label = label;
	r = lineInitializeEx(&a->h, NULL, NULL, label, ndevs, &ver, &p);
	if (r)
		die("lineInitializeEx", r);
	a->fd = TAPIX_HANDLE_TO_FD(p.Handles.hEvent);
}

static HLINE open_line(struct app *a, DWORD dev, DWORD privileges)
{
	LINEEXTENSIONID ext;
	DWORD ver;
	HLINE h;
	LONG r;

	r = lineNegotiateAPIVersion(a->h, dev, 0x00010004, 0x00020002, &ver,
	                            &ext);
	if (r)
		die("lineNegotiateAPIVersion", r);
	r = lineOpen(a->h, dev, &h, ver, 0, 0, privileges,
	             LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
	if (r)
		die("lineOpen", r);
	return h;
}

static void show_line(struct app *a, DWORD dev)
{
	union {
		LINEDEVCAPS caps;
		char buf[1024];
	} u;
	char text[160];

	memset(&u, 0, sizeof(u));
	u.caps.dwTotalSize = sizeof(u);
	if (lineGetDevCaps(a->h, dev, 0x00020002, 0, &u.caps) == 0 &&
	    u.caps.dwLineNameSize) {
		snprintf(text, sizeof(text), "line %u is \"%s\"", (unsigned)dev,
		         u.buf + u.caps.dwLineNameOffset);
		print(a, text);
	}
}

static HCALL make_call(struct app *a, HLINE line, const char *dest)
{
	char text[160];
	HCALL call = 0;
	LINEMESSAGE m;
	unsigned mark = a->cursor;
	LONG req;

	snprintf(text, sizeof(text), "lineMakeCall to \"%s\"", dest);
	print(a, text);
	req = lineMakeCall(line, &call, dest, 0, NULL);
	if (req < 0)
		die("lineMakeCall", req);
	m = wait_for(a, LINE_REPLY, 0, (DWORD)req);
	if ((LONG)m.dwParam2 != 0)
		die("lineMakeCall", (LONG)m.dwParam2);
	a->cursor = mark; /* what came before the reply is still of interest */
	return call;
}

static void call_op(struct app *a, const char *what, LONG req)
{
	unsigned mark = a->cursor;
	LINEMESSAGE m;

	print(a, what);
	if (req < 0)
		die(what, req);
	m = wait_for(a, LINE_REPLY, 0, (DWORD)req);
	if ((LONG)m.dwParam2 != 0)
		die(what, (LONG)m.dwParam2);
	a->cursor = mark;
}

int main(void)
{
	struct app owner, monitor;
	HLINE l100, l101, mon101;
	HCALL out, in;
	LINEMESSAGE m;
	DWORD ndevs = 0, ndevs2 = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("tapix demo: a call on the emulated switch (esp)\n\n");
	init(&owner, "owner", &ndevs);
	init(&monitor, "monitor", &ndevs2);
	printf("%u line devices\n", (unsigned)ndevs);
	if (ndevs < 2)
		die("the demo needs two lines; configuration",
		    LINEERR_NODEVICE);
	show_line(&owner, 0);
	show_line(&owner, 1);
	l100 = open_line(&owner, 0, LINECALLPRIVILEGE_OWNER);
	l101 = open_line(&owner, 1, LINECALLPRIVILEGE_OWNER);
	mon101 = open_line(&monitor, 1, LINECALLPRIVILEGE_MONITOR);
	(void)mon101;

	printf("\n-- call 1: line 100 calls line 101, 101 answers, 100 hangs "
	       "up with user-user info\n");
	out = make_call(&owner, l100, "101");
	m = wait_for(&owner, LINE_APPNEWCALL, l101, 0);
	in = (HCALL)m.dwParam2;
	wait_for(&owner, LINE_CALLSTATE, in, LINECALLSTATE_OFFERING);
	wait_for(&monitor, LINE_CALLSTATE, 0, LINECALLSTATE_OFFERING);
	call_op(&owner, "lineAnswer on 101", lineAnswer(in, NULL, 0));
	wait_for(&owner, LINE_CALLSTATE, out, LINECALLSTATE_CONNECTED);
	call_op(&owner, "lineDrop on 100 with user-user info \"bye\"",
	        lineDrop(out, "bye", 4));
	wait_for(&owner, LINE_CALLSTATE, in, LINECALLSTATE_DISCONNECTED);
	call_op(&owner, "lineDrop on 101 (clears the disconnected call)",
	        lineDrop(in, NULL, 0));
	wait_for(&owner, LINE_CALLSTATE, in, LINECALLSTATE_IDLE);
	wait_for(&monitor, LINE_CALLSTATE, 0, LINECALLSTATE_IDLE);
	print(&owner, "lineDeallocateCall on both calls");
	lineDeallocateCall(out);
	lineDeallocateCall(in);
	drain(&monitor);

	printf("\n-- call 2: a scripted far end answers after 200 ms and "
	       "hangs up 300 ms later\n");
	out = make_call(&owner, l100, "answer:200");
	wait_for(&owner, LINE_CALLSTATE, out, LINECALLSTATE_CONNECTED);
	lineDeallocateCall(out);
	print(&owner, "(deallocated while connected: API 2.0 allows it; the "
	              "call is closed and dropped)");
	out = make_call(&owner, l100, "hangup:300");
	wait_for(&owner, LINE_CALLSTATE, out, LINECALLSTATE_DISCONNECTED);
	call_op(&owner, "lineDrop", lineDrop(out, NULL, 0));
	wait_for(&owner, LINE_CALLSTATE, out, LINECALLSTATE_IDLE);
	lineDeallocateCall(out);

	printf("\n");
	print(&monitor, "lineShutdown");
	lineShutdown(monitor.h);
	print(&owner, "lineShutdown");
	lineShutdown(owner.h);
	printf("\ndemo finished\n");
	return 0;
}
