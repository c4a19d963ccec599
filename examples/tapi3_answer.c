/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix-tapi3-answer: the TAPI 3 object model in plain C on the embedded
 * emulated switch. A TAPI 3 application listens on address 101; a TAPI 2
 * application on line 100 calls it twice. The first call is answered,
 * then ended with Disconnect(DC_REJECTED) (on a connected call that is a
 * normal end); the second is rejected while it is still offered, and the
 * caller sees LINEDISCONNECTMODE_REJECT. Exits 0 when everything happened
 * as described, 1 otherwise.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tapi.h>
#include <tapix/tapi3.h>

#define WAIT_MS 5000

static const char *state_name(CALL_STATE s)
{
	static const char *const names[] = {
		"CS_IDLE",         "CS_INPROGRESS", "CS_CONNECTED",
		"CS_DISCONNECTED", "CS_OFFERING",   "CS_HOLD",
		"CS_QUEUED",
	};

	return (unsigned)s < 7 ? names[s] : "?";
}

static const char *cause_name(CALL_STATE_EVENT_CAUSE c)
{
	static const char *const names[] = {
		"CEC_NONE",
		"CEC_DISCONNECT_NORMAL",
		"CEC_DISCONNECT_BUSY",
		"CEC_DISCONNECT_BADADDRESS",
		"CEC_DISCONNECT_NOANSWER",
		"CEC_DISCONNECT_CANCELLED",
		"CEC_DISCONNECT_REJECTED",
		"CEC_DISCONNECT_FAILED",
		"CEC_DISCONNECT_BLOCKED",
	};

	return (unsigned)c < 9 ? names[c] : "?";
}

/* The TAPI 2 caller: one registration, line 100 opened without privilege. */
struct caller {
	HLINEAPP app;
	HLINE line;
	HCALL call;
};

static bool caller_start(struct caller *c)
{
	LINEINITIALIZEEXPARAMS ip;
	LINEEXTENSIONID ext;
	DWORD n = 0, api = 0x00020002, ver = 0;

	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	if (lineInitializeEx(&c->app, NULL, NULL, "caller", &n, &api, &ip) ||
	    n < 2)
		return false;
	if (lineNegotiateAPIVersion(c->app, 0, 0x00020000, 0x00020002, &ver,
	                            &ext))
		return false;
	return lineOpen(c->app, 0, &c->line, ver, 0, 0, LINECALLPRIVILEGE_NONE,
	                0, NULL) == 0;
}

/* Waits for a LINE_CALLSTATE @state of the caller's call; its mode. */
static bool caller_wait(struct caller *c, DWORD state, DWORD *mode)
{
	LINEMESSAGE m;

	while (lineGetMessage(c->app, &m, WAIT_MS) == 0) {
		if (m.dwMessageID == LINE_CALLSTATE &&
		    (HCALL)m.hDevice == c->call && m.dwParam1 == state) {
			if (mode)
				*mode = (DWORD)m.dwParam2;
			return true;
		}
	}
	return false;
}

/* The caller's call is over: drop what is left, deallocate. */
static void caller_hang_up(struct caller *c)
{
	LONG r = lineDrop(c->call, NULL, 0);
	LINEMESSAGE m;

	while (r > 0 && lineGetMessage(c->app, &m, WAIT_MS) == 0)
		if (m.dwMessageID == LINE_REPLY && (LONG)m.dwParam1 == r)
			break;
	lineDeallocateCall(c->call);
	c->call = 0;
}

/*
 * Runs one call from the caller to the TAPI 3 side until its
 * CS_DISCONNECTED; @answer: answer it first. Returns the cause seen.
 */
static CALL_STATE_EVENT_CAUSE one_call(struct tapix_tapi *t, struct caller *k,
                                       bool answer)
{
	CALL_STATE_EVENT_CAUSE result = CEC_NONE;
	struct tapix_call *call = NULL;
	struct tapix_event *ev;
	LINEMESSAGE m;
	LONG r;

	r = lineMakeCall(k->line, &k->call, "101", 0, NULL);
	while (r > 0 && lineGetMessage(k->app, &m, WAIT_MS) == 0)
		if (m.dwMessageID == LINE_REPLY && (LONG)m.dwParam1 == r) {
			r = (LONG)m.dwParam2;
			break;
		}
	if (r != 0) {
		fprintf(stderr, "lineMakeCall failed: %08lx\n",
		        (unsigned long)r);
		return CEC_NONE;
	}
	printf("caller: calling 101\n");
	while (tapix_tapi_get_event(t, &ev, WAIT_MS) == S_OK) {
		CALL_STATE st;
		CALL_STATE_EVENT_CAUSE why;
		HRESULT hr;

		if (tapix_event_type(ev) == TE_CALLNOTIFICATION) {
			call = tapix_event_call(ev);
			tapix_call_addref(call); /* ours now, until released */
			printf("tapi3:  new call, we own it\n");
			tapix_event_release(ev);
			continue;
		}
		tapix_event_call_state(ev, &st, &why);
		tapix_event_release(ev);
		printf("tapi3:  %s %s\n", state_name(st), cause_name(why));
		if (st == CS_OFFERING && answer) {
			hr = tapix_call_answer(call);
			printf("tapi3:  Answer() = %08lx\n", (unsigned long)hr);
		} else if (st == CS_OFFERING || st == CS_CONNECTED) {
			hr = tapix_call_disconnect(call, DC_REJECTED);
			printf("tapi3:  Disconnect(DC_REJECTED) = %08lx\n",
			       (unsigned long)hr);
		} else if (st == CS_DISCONNECTED) {
			result = why;
			break;
		}
	}
	if (call)
		tapix_call_release(call);
	return result;
}

int main(void)
{
	struct tapix_address **addrs = NULL, *listen = NULL;
	CALL_STATE_EVENT_CAUSE first, second;
	struct caller k = {0};
	struct tapix_tapi *t;
	DWORD mode = 0;
	bool ok = true;
	int32_t cookie;
	size_t n = 0, i;

	if (tapix_tapi_initialize(&t, "tapix-tapi3-answer") != S_OK) {
		fprintf(stderr, "cannot initialize TAPI\n");
		return 1;
	}
	tapix_tapi_set_event_filter(t, TE_CALLNOTIFICATION | TE_CALLSTATE);
	tapix_tapi_enum_addresses(t, &addrs, &n);
	for (i = 0; i < n; i++)
		if (strcmp(tapix_address_dialable(addrs[i]), "101") == 0)
			listen = addrs[i];
	free(addrs);
	if (!listen ||
	    tapix_tapi_register_call_notifications(t, listen, false, true,
	                                           TAPIMEDIATYPE_AUDIO, 0,
	                                           &cookie) != S_OK ||
	    !caller_start(&k)) {
		fprintf(stderr, "no address 101 to listen on, or no caller\n");
		tapix_tapi_shutdown(t);
		if (k.app)
			lineShutdown(k.app);
		return 1;
	}

	printf("-- call 1: answered, then Disconnect(DC_REJECTED)\n");
	first = one_call(t, &k, true);
	ok &= first == CEC_DISCONNECT_NORMAL;
	ok &= caller_wait(&k, LINECALLSTATE_DISCONNECTED, NULL);
	caller_hang_up(&k);

	printf("-- call 2: rejected while offered\n");
	second = one_call(t, &k, false);
	ok &= second == CEC_DISCONNECT_REJECTED;
	ok &= caller_wait(&k, LINECALLSTATE_DISCONNECTED, &mode);
	printf("caller: DISCONNECTED, mode %s\n",
	       mode == LINEDISCONNECTMODE_REJECT ? "REJECT" : "other");
	ok &= mode == LINEDISCONNECTMODE_REJECT;
	caller_hang_up(&k);

	lineShutdown(k.app);
	tapix_tapi_shutdown(t);
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
