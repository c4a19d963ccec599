/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A client process for the service tests: a TAPI application in client
 * mode (TAPIX_SERVICE) that does one thing and reports on stdout, one line
 * per step, then waits to be killed (or ends by itself where noted):
 *
 *   owner LINE      answer the first call offered on LINE: "ready",
 *                   "offered H", "connected H"
 *   call LINE DEST  call DEST from LINE: "ready", "connected H"
 *   pending LINE DEST
 *                   a call whose request stays pending ("slow:" DEST):
 *                   "ready", "pending R"
 *   stall LINE DEST "ready", then after STALL_MS "calling", and a
 *                   lineMakeCall through the channel, whose answer the
 *                   test holds back (it stops tapixd meanwhile): then
 *                   "pending R" if it ever returns
 *   exit LINE DEST  as call, then exit(0) with the line open and the call
 *                   connected, without lineShutdown
 *   lines           print "lines N" and each line's name, then exit
 *   take LINE       wait for a handoff on LINE: "ready", "handed H"
 *   created         wait for a new line: "ready", "created ID"
 *   hog LINE DEST   calls DEST from LINE, one after the other, until one
 *                   fails: "ready", then "held N ERR" (N calls held, ERR
 *                   the failure), and holds them until killed
 *   regs N          N registrations (lineInitializeEx): "registered K
 *                   ERR" (K of them succeeded, ERR the first failure, or
 *                   0), and holds them until killed
 *   monitor LINE    a monitor of LINE: "ready"; the test stops it
 *                   (SIGSTOP) to stall its messages; "reinit" when it
 *                   hears LINEDEVSTATE_REINIT
 *   revoked LINE DEST
 *                   as call, then waits: "closed H" for a LINE_CLOSE of
 *                   its open, "removed DEV" for LINE_REMOVE, then
 *                   "open ERR", the result of lineOpen on LINE again
 *   mapped          a voice line opened with LINEMAPPER: "ready"; then,
 *                   for each LINE_REMOVE, "removed DEV" and "status ERR"
 *                   (lineGetLineDevStatus on the open: 0 while it is
 *                   open), and "closed H" for a LINE_CLOSE of it
 *
 *   pendexit LINE DEST
 *                   as pending, then exit(0) with the request pending,
 *                   without lineShutdown
 *   coown LINE      a monitor of LINE that takes the first call offered
 *                   there as a second owner (lineSetCallPrivilege):
 *                   "ready", "owner H"
 *
 * a TAPI 3 mode (tapix/tapi3.h), which registers through the TAPI 3 layer:
 *
 *   t3call DEV DEST HOW
 *                   a call from address DEV to DEST, connected
 *                   synchronously: "connected"; HOW "wait": wait to be
 *                   killed, "exit": exit(0) without releasing the call or
 *                   shutting the session down
 *
 * and RAS modes, which register no line application:
 *
 *   rasfail PBK ENTRY USER PASSWORD
 *                   a synchronous RasDial: "result ERROR HANDLE", then
 *                   exit without RasHangUp (even with a handle)
 *   rasdialling PBK ENTRY USER PASSWORD HOW
 *                   an asynchronous RasDial (RASDIALFUNC1): "dialling
 *                   HANDLE" once it returned, "state STATE ERROR" per
 *                   notification; HOW "wait": wait to be killed,
 *                   "paused": the same with RDEOPT_PausedStates, "exit":
 *                   exit at once, without RasHangUp
 *
 * --as-uid UID first switches to that user (the test runs as root).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ras.h>
#include <tapi.h>
#include <tapix/tapi3.h>

#define STALL_MS 300 /* stall: the test stops tapixd meanwhile */

static HLINEAPP app;
static int fd;

/* "WORD" alone, or "WORD HEX" for a handle or request. */
static void say(const char *word, unsigned long v, bool with_value)
{
	if (with_value)
		printf("%s %lx\n", word, v);
	else
		printf("%s\n", word);
	fflush(stdout);
}

static void die(const char *what, LONG r)
{
	printf("error %s %08x\n", what, (unsigned)r);
	fflush(stdout);
	exit(1);
}

static LINEMESSAGE next(void)
{
	LINEMESSAGE m;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (lineGetMessage(app, &m, 0) == 0)
			return m;
		poll(&p, 1, 1000);
	}
}

static HLINE open_line(DWORD dev, DWORD priv, DWORD media)
{
	HLINE l = 0;
	LONG r = lineOpen(app, dev, &l, 0x00020002, 0, 0, priv, media, NULL);

	if (r)
		die("lineOpen", r);
	return l;
}

/* A notifier may be called before RasDial returns (it runs on a thread
 * of the library's): its lines wait until "dialling" is out, the line
 * the tests read first. */
static pthread_mutex_t said_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t said_cond = PTHREAD_COND_INITIALIZER;
static bool said_dialling;

static void WINAPI on_ras(HRASCONN h, UINT msg, RASCONNSTATE st, DWORD err,
                          DWORD ext)
{
	(void)h;
	(void)msg;
	(void)ext;
	pthread_mutex_lock(&said_lock);
	while (!said_dialling)
		pthread_cond_wait(&said_cond, &said_lock);
	printf("state %x %lu\n", (unsigned)st, (unsigned long)err);
	fflush(stdout);
	pthread_mutex_unlock(&said_lock);
}

/* The RAS modes (argv: mode, phonebook, entry, user, password, how). */
static int ras_mode(int argc, char **argv)
{
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	HRASCONN h = NULL;
	bool wait = argc > 5 && strcmp(argv[5], "exit") != 0;
	DWORD r;

	if (argc < 5)
		return 2;
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = argc > 5 && strcmp(argv[5], "paused") == 0
	                       ? RDEOPT_PausedStates
	                       : 0;
	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	snprintf(p.szEntryName, sizeof(p.szEntryName), "%s", argv[2]);
	snprintf(p.szUserName, sizeof(p.szUserName), "%s", argv[3]);
	snprintf(p.szPassword, sizeof(p.szPassword), "%s", argv[4]);
	if (strcmp(argv[0], "rasfail") == 0) {
		r = RasDialA(&x, argv[1], &p, 0, NULL, &h);
		printf("result %lu %lx\n", (unsigned long)r,
		       (unsigned long)(uintptr_t)h);
		fflush(stdout);
		return 0; /* and no RasHangUp */
	}
	r = RasDialA(&x, argv[1], &p, 1, (LPVOID)on_ras, &h);
	if (r) {
		printf("error RasDial %lu\n", (unsigned long)r);
		fflush(stdout);
		return 1;
	}
	pthread_mutex_lock(&said_lock);
	printf("dialling %lx\n", (unsigned long)(uintptr_t)h);
	fflush(stdout);
	said_dialling = true;
	pthread_cond_broadcast(&said_cond);
	pthread_mutex_unlock(&said_lock);
	if (!wait)
		return 0; /* mid-dial, and no RasHangUp */
	for (;;)
		pause();
}

/* regs N: N registrations, or as many as tapixd gives. */
static void regs_mode(unsigned long n)
{
	unsigned long i;
	LONG r = 0;

	for (i = 0; i < n; i++) {
		LINEINITIALIZEEXPARAMS p;
		DWORD nd = 0, v = 0x00020002;
		HLINEAPP h;

		memset(&p, 0, sizeof(p));
		p.dwTotalSize = sizeof(p);
		p.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
		r = lineInitializeEx(&h, NULL, NULL, "regs", &nd, &v, &p);
		if (r)
			break;
	}
	printf("registered %lx %08x\n", i, (unsigned)r);
	fflush(stdout);
	for (;;)
		pause();
}

/* The TAPI 3 mode (argv: mode, address, destination, how). */
static int t3_mode(int argc, char **argv)
{
	struct tapix_address **v = NULL;
	struct tapix_tapi *t = NULL;
	struct tapix_call *c = NULL;
	unsigned long dev;
	size_t n = 0;
	HRESULT hr;

	if (argc < 4)
		return 2;
	dev = strtoul(argv[1], NULL, 10);
	hr = tapix_tapi_initialize(&t, "t3helper");
	if (hr == S_OK)
		hr = tapix_tapi_enum_addresses(t, &v, &n);
	if (hr == S_OK && dev >= n)
		hr = E_INVALIDARG;
	if (hr == S_OK)
		hr = tapix_address_create_call(v[dev], argv[2],
		                               LINEADDRESSTYPE_PHONENUMBER,
		                               TAPIMEDIATYPE_AUDIO, &c);
	free(v);
	if (hr == S_OK)
		hr = tapix_call_connect(c, true);
	if (hr != S_OK)
		die("t3", (LONG)hr);
	say("connected", 0, false);
	if (strcmp(argv[3], "exit") == 0)
		exit(0);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	LINEINITIALIZEEXPARAMS ip;
	DWORD ndevs = 0, ver = 0x00020002;
	LINEMESSAGE m;
	int a = 1;
	LONG r;

	if (argc > 2 && strcmp(argv[1], "--as-uid") == 0) {
		uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);

		if (setgid(uid) != 0 || setuid(uid) != 0)
			die("setuid", errno);
		a = 3;
	}
	if (a >= argc)
		return 2;
	if (strncmp(argv[a], "ras", 3) == 0)
		return ras_mode(argc - a, argv + a);
	if (strcmp(argv[a], "t3call") == 0)
		return t3_mode(argc - a, argv + a);
	if (strcmp(argv[a], "regs") == 0 && a + 1 < argc) {
		regs_mode(strtoul(argv[a + 1], NULL, 10));
		return 0;
	}
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	r = lineInitializeEx(&app, NULL, NULL, argv[a], &ndevs, &ver, &ip);
	if (r)
		die("lineInitializeEx", r);
	fd = TAPIX_HANDLE_TO_FD(ip.Handles.hEvent);

	if (strcmp(argv[a], "lines") == 0) {
		DWORD i;

		printf("lines %lx\n", (unsigned long)ndevs);
		for (i = 0; i < ndevs; i++) {
			union {
				LINEDEVCAPS dc;
				char buf[1024];
			} u;

			memset(&u, 0, sizeof(u));
			u.dc.dwTotalSize = sizeof(u);
			r = lineGetDevCaps(app, i, 0x00020002, 0, &u.dc);
			if (r)
				die("lineGetDevCaps", r);
			printf("line %s\n", u.buf + u.dc.dwLineNameOffset);
		}
		fflush(stdout);
		lineShutdown(app);
		return 0;
	}
	if (strcmp(argv[a], "owner") == 0 && a + 1 < argc) {
		HCALL h;

		open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		          LINECALLPRIVILEGE_OWNER,
		          LINEMEDIAMODE_INTERACTIVEVOICE);
		say("ready", 0, false);
		do
			m = next();
		while (m.dwMessageID != LINE_APPNEWCALL);
		h = (HCALL)m.dwParam2;
		say("offered", h, true);
		r = lineAnswer(h, NULL, 0);
		if (r < 0)
			die("lineAnswer", r);
		do
			m = next();
		while (!(m.dwMessageID == LINE_CALLSTATE && m.hDevice == h &&
		         m.dwParam1 == LINECALLSTATE_CONNECTED));
		say("connected", h, true);
	} else if ((strcmp(argv[a], "call") == 0 ||
	            strcmp(argv[a], "pending") == 0 ||
	            strcmp(argv[a], "pendexit") == 0 ||
	            strcmp(argv[a], "stall") == 0 ||
	            strcmp(argv[a], "exit") == 0) &&
	           a + 2 < argc) {
		HLINE l = open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		                    LINECALLPRIVILEGE_NONE, 0);
		HCALL h = 0;

		say("ready", 0, false);
		if (strcmp(argv[a], "stall") == 0) {
			struct timespec t = {0, STALL_MS * 1000000L};

			nanosleep(&t, NULL);
			say("calling", 0, false);
		}
		r = lineMakeCall(l, &h, argv[a + 2], 0, NULL);
		if (r < 0)
			die("lineMakeCall", r);
		if (argv[a][0] == 'p' || argv[a][0] == 's') {
			say("pending", (unsigned long)r, true);
			/* spec: termination.md §6 — its registration ends
			 * with the request pending: cancelled, no reply */
			if (strcmp(argv[a], "pendexit") == 0)
				exit(0);
		} else {
			do
				m = next();
			while (!(m.dwMessageID == LINE_CALLSTATE &&
			         m.dwParam1 == LINECALLSTATE_CONNECTED));
			say("connected", h, true);
		}
		/* spec: termination.md §6 — tapixd shuts it down as for a
		 * kill: its call, sole-owned, is dropped */
		if (argv[a][0] == 'e')
			exit(0);
	} else if (strcmp(argv[a], "opens") == 0 && a + 2 < argc) {
		/* opens N DEV: line DEV opened N times (monitor), or as many
		 * times as tapixd lets it */
		unsigned long n = strtoul(argv[a + 1], NULL, 10), i;
		HLINE l;

		r = 0;
		for (i = 0; i < n && !r; i++)
			r = lineOpen(app, (DWORD)strtoul(argv[a + 2], NULL, 10),
			             &l, 0x00020002, 0, 0,
			             LINECALLPRIVILEGE_MONITOR, 0, NULL);
		printf("opened %lx %08x\n", r ? i - 1 : i, (unsigned)r);
		fflush(stdout);
	} else if (strcmp(argv[a], "hog") == 0 && a + 2 < argc) {
		HLINE l = open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		                    LINECALLPRIVILEGE_NONE, 0);
		unsigned long n = 0;
		HCALL h;

		say("ready", 0, false);
		for (;;) {
			LONG req = lineMakeCall(l, &h, argv[a + 2], 0, NULL);

			r = req;
			if (req > 0) {
				do
					m = next();
				while (!(m.dwMessageID == LINE_REPLY &&
				         (LONG)m.dwParam1 == req));
				r = (LONG)m.dwParam2;
			}
			if (r != 0)
				break;
			n++;
		}
		printf("held %lx %08x\n", n, (unsigned)r);
		fflush(stdout);
	} else if (strcmp(argv[a], "monitor") == 0 && a + 1 < argc) {
		open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		          LINECALLPRIVILEGE_MONITOR, 0);
		say("ready", 0, false);
		do
			m = next();
		while (!(m.dwMessageID == LINE_LINEDEVSTATE &&
		         m.dwParam1 == LINEDEVSTATE_REINIT));
		say("reinit", 0, false);
	} else if (strcmp(argv[a], "revoked") == 0 && a + 2 < argc) {
		DWORD dev = (DWORD)strtoul(argv[a + 1], NULL, 10);
		HLINE l = open_line(dev, LINECALLPRIVILEGE_OWNER,
		                    LINEMEDIAMODE_INTERACTIVEVOICE);
		HLINE l2 = 0;
		HCALL h = 0;

		r = lineMakeCall(l, &h, argv[a + 2], 0, NULL);
		if (r < 0)
			die("lineMakeCall", r);
		do
			m = next();
		while (!(m.dwMessageID == LINE_CALLSTATE &&
		         m.dwParam1 == LINECALLSTATE_CONNECTED));
		say("ready", 0, false);
		do
			m = next();
		while (m.dwMessageID != LINE_CLOSE);
		say("closed", (unsigned long)m.hDevice, true);
		do
			m = next();
		while (m.dwMessageID != LINE_REMOVE);
		say("removed", (unsigned long)m.dwParam1, true);
		r = lineOpen(app, dev, &l2, 0x00020002, 0, 0,
		             LINECALLPRIVILEGE_NONE, 0, NULL);
		printf("open %08x\n", (unsigned)r);
		fflush(stdout);
	} else if (strcmp(argv[a], "mapped") == 0) {
		LINECALLPARAMS cp;
		HLINE l = 0;

		memset(&cp, 0, sizeof(cp));
		cp.dwTotalSize = sizeof(cp);
		cp.dwBearerMode = LINEBEARERMODE_VOICE;
		cp.dwMediaMode = LINEMEDIAMODE_INTERACTIVEVOICE;
		r = lineOpen(app, LINEMAPPER, &l, 0x00020002, 0, 0,
		             LINECALLPRIVILEGE_NONE, 0, &cp);
		if (r)
			die("lineOpen", r);
		say("ready", 0, false);
		for (;;) {
			struct {
				LINEDEVSTATUS st;
				char more[256];
			} st;

			m = next();
			if (m.dwMessageID == LINE_CLOSE && m.hDevice == l) {
				say("closed", (unsigned long)m.hDevice, true);
			} else if (m.dwMessageID == LINE_REMOVE) {
				say("removed", (unsigned long)m.dwParam1, true);
				memset(&st, 0, sizeof(st));
				st.st.dwTotalSize = sizeof(st);
				r = lineGetLineDevStatus(l, &st.st);
				printf("status %08x\n", (unsigned)r);
				fflush(stdout);
			}
		}
	} else if (strcmp(argv[a], "coown") == 0 && a + 1 < argc) {
		HCALL h;

		open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		          LINECALLPRIVILEGE_MONITOR, 0);
		say("ready", 0, false);
		do
			m = next();
		while (m.dwMessageID != LINE_APPNEWCALL);
		h = (HCALL)m.dwParam2;
		r = lineSetCallPrivilege(h, LINECALLPRIVILEGE_OWNER);
		if (r)
			die("lineSetCallPrivilege", r);
		say("owner", h, true);
	} else if (strcmp(argv[a], "created") == 0) {
		say("ready", 0, false);
		do
			m = next();
		while (m.dwMessageID != LINE_CREATE);
		say("created", (unsigned long)m.dwParam1, true);
	} else if (strcmp(argv[a], "take") == 0 && a + 1 < argc) {
		open_line((DWORD)strtoul(argv[a + 1], NULL, 10),
		          LINECALLPRIVILEGE_OWNER,
		          LINEMEDIAMODE_AUTOMATEDVOICE);
		say("ready", 0, false);
		do
			m = next();
		while (m.dwMessageID != LINE_APPNEWCALL);
		say("handed", (unsigned long)m.dwParam2, true);
	} else {
		return 2;
	}
	/* stay until killed: the service must clean up after us */
	for (;;)
		pause();
}
