/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Model-based stress test: three applications drive random (seeded)
 * sequences of every in-scope function on the emulated switch, lineClose
 * and lineShutdown included, with slow requests in flight; after every
 * step the messages received are checked against the invariants of
 * spec termination.md §1:
 *   - at most one LINE_REPLY per request id, none for a request cancelled
 *     by lineClose or lineShutdown, and (at the end) exactly one for every
 *     request not cancelled (§1.4);
 *   - IDLE is final (§1.3);
 *   - no message for a handle after it died (STYLE §4.7);
 *   - no message for a handle the app was never given;
 *   - TSPI_lineCloseCall exactly once per call the provider made, never
 *     for an unknown call (§1.1, §1.2), and nothing left alive.
 *
 * Usage: model [SEED [STEPS]]   (prints the seed on failure)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

#define NAPPS    3
#define NLINES   4
#define MAXCALLS 256
#define MAXREQS  4096
#define DEADBITS 17 /* a set of dead handles, cleared when 3/4 full */

struct mcall {
	HCALL h;
	HLINE line;
	bool idle;
};

struct mreq {
	LONG id;
	HLINE line; /* the line it was issued through */
	bool cancelled;
	unsigned replies;
	bool makes_call;
	unsigned out; /* index in outs[]: where lineMakeCall writes */
};

struct mapp {
	bool live;
	struct fx_app fx;
	HLINE lines[NLINES];
	struct mcall calls[MAXCALLS];
	unsigned ncalls;
	struct mreq reqs[MAXREQS];
	unsigned nreqs;
	DWORD dead[1u << DEADBITS]; /* handles that died (open addressing) */
	unsigned ndead;
	/*
	 * Where lineMakeCall writes the new handle: memory that must stay
	 * put until the reply (spec: tapi-model.md §8), so not in reqs[].
	 */
	HCALL outs[MAXREQS];
	unsigned next_out;
};

static struct mapp apps[NAPPS];
static unsigned long seed, steps, step;
static unsigned long n_msgs, n_replies, n_calls, n_closes, n_shutdowns;
static unsigned long rng;
static char last_op[128];

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			print_message("model: seed %lu step %lu (%s): ", seed, \
			              step, last_op);                          \
			fail_msg(__VA_ARGS__);                                 \
		}                                                              \
	} while (0)

static bool is_dead(struct mapp *a, DWORD h)
{
	unsigned mask = (1u << DEADBITS) - 1, i = (h * 2654435761u) & mask;

	for (; a->dead[i]; i = (i + 1) & mask)
		if (a->dead[i] == h)
			return true;
	return false;
}

static void bury(struct mapp *a, DWORD h)
{
	unsigned mask = (1u << DEADBITS) - 1, i = (h * 2654435761u) & mask;

	if (!h || is_dead(a, h))
		return;
	if (a->ndead > (mask / 4) * 3) {
		memset(a->dead, 0, sizeof(a->dead));
		a->ndead = 0;
	}
	for (; a->dead[i]; i = (i + 1) & mask)
		;
	a->dead[i] = h;
	a->ndead++;
}

static struct mcall *find_call(struct mapp *a, HCALL h)
{
	unsigned i;

	for (i = 0; i < a->ncalls; i++)
		if (a->calls[i].h == h)
			return &a->calls[i];
	return NULL;
}

static bool own_line(struct mapp *a, DWORD h)
{
	unsigned i;

	for (i = 0; i < NLINES; i++)
		if (a->lines[i] == h)
			return true;
	return false;
}

static void add_call(struct mapp *a, HCALL h, HLINE line)
{
	n_calls++;
	CHECK(!find_call(a, h), "handle %08x given twice", (unsigned)h);
	CHECK(!is_dead(a, h), "a dead handle %08x came back", (unsigned)h);
	if (a->ncalls < MAXCALLS)
		a->calls[a->ncalls++] = (struct mcall){h, line, false};
}

static void drop_call_entry(struct mapp *a, struct mcall *c)
{
	bury(a, c->h);
	*c = a->calls[--a->ncalls];
}

static struct mreq *find_req(struct mapp *a, LONG id)
{
	unsigned i;

	for (i = 0; i < a->nreqs; i++)
		if (a->reqs[i].id == id)
			return &a->reqs[i];
	return NULL;
}

static void add_req(struct mapp *a, LONG id, HLINE line, bool makes_call,
                    unsigned out)
{
	if (id <= 0)
		return;
	CHECK(!find_req(a, id) || find_req(a, id)->replies,
	      "request id %d reused while pending", (int)id);
	if (a->nreqs == MAXREQS) {
		/* forget answered ones to make room */
		unsigned i, j = 0;

		for (i = 0; i < a->nreqs; i++)
			if (!a->reqs[i].replies && !a->reqs[i].cancelled)
				a->reqs[j++] = a->reqs[i];
		a->nreqs = j;
		if (a->nreqs == MAXREQS)
			return;
	}
	a->reqs[a->nreqs++] =
		(struct mreq){id, line, false, 0, makes_call, out};
}

/* Checks one message against the model and updates it. */
static void check_message(struct mapp *a, const LINEMESSAGE *m)
{
	struct mcall *c;
	struct mreq *r;

	n_msgs++;
	switch (m->dwMessageID) {
	case LINE_REPLY:
		r = find_req(a, (LONG)m->dwParam1);
		CHECK(r, "LINE_REPLY for unknown request %lu",
		      (unsigned long)m->dwParam1);
		CHECK(!r->cancelled, "LINE_REPLY for cancelled request %d",
		      (int)r->id);
		CHECK(r->replies == 0, "second LINE_REPLY for request %d",
		      (int)r->id);
		r->replies++;
		n_replies++;
		if (r->makes_call && (LONG)m->dwParam2 == 0)
			add_call(a, a->outs[r->out], r->line);
		break;
	case LINE_APPNEWCALL:
		CHECK(own_line(a, m->hDevice), "LINE_APPNEWCALL on line %08x",
		      (unsigned)m->hDevice);
		add_call(a, (HCALL)m->dwParam2, m->hDevice);
		break;
	case LINE_CALLSTATE:
	case LINE_CALLINFO:
		CHECK(!is_dead(a, m->hDevice),
		      "message %u for dead handle %08x",
		      (unsigned)m->dwMessageID, (unsigned)m->hDevice);
		c = find_call(a, m->hDevice);
		CHECK(c, "message %u for unknown handle %08x",
		      (unsigned)m->dwMessageID, (unsigned)m->hDevice);
		CHECK(!c->idle, "message %u after IDLE for %08x",
		      (unsigned)m->dwMessageID, (unsigned)m->hDevice);
		if (m->dwMessageID == LINE_CALLSTATE &&
		    m->dwParam1 == LINECALLSTATE_IDLE)
			c->idle = true;
		break;
	case LINE_LINEDEVSTATE:
	case LINE_CLOSE:
		CHECK(own_line(a, m->hDevice) || is_dead(a, m->hDevice),
		      "line message for line %08x", (unsigned)m->hDevice);
		break;
	default:
		break;
	}
}

static void pump(struct mapp *a)
{
	LINEMESSAGE m;

	if (!a->live)
		return;
	while (lineGetMessage(a->fx.h, &m, 0) == 0)
		check_message(a, &m);
}

static void pump_all(void)
{
	unsigned i;

	for (i = 0; i < NAPPS; i++)
		pump(&apps[i]);
}

/* The line handle @a closed: its calls die, its requests are cancelled. */
static void line_gone(struct mapp *a, unsigned d)
{
	HLINE l = a->lines[d];
	unsigned i;

	for (i = 0; i < a->ncalls;) {
		if (a->calls[i].line == l)
			drop_call_entry(a, &a->calls[i]);
		else
			i++;
	}
	for (i = 0; i < a->nreqs; i++)
		if (a->reqs[i].line == l)
			a->reqs[i].cancelled = true;
	bury(a, l);
	a->lines[d] = 0;
}

static void app_gone(struct mapp *a)
{
	unsigned d, i;

	for (d = 0; d < NLINES; d++)
		if (a->lines[d])
			line_gone(a, d);
	for (i = 0; i < a->nreqs; i++)
		a->reqs[i].cancelled = true;
	a->live = false;
	a->nreqs = 0;
	a->ncalls = 0;
}

static const char *const dests[] = {
	"100",  "101",        "102",           "103",         "answer",
	"busy", "noanswer",   "reject",        "hangup:3",    "answer:2",
	"",     "slow:2/101", "slow:3/answer", "slow:1/busy", "555",
};

static HCALL some_call(struct mapp *a)
{
	/* now and then a dead or foreign handle, to test rejection */
	if (a->ndead && rnd(20) == 0)
		return a->dead[rnd(a->ndead)];
	return a->ncalls ? a->calls[rnd(a->ncalls)].h : 0;
}

static void one_step(void)
{
	struct mapp *a = &apps[rnd(NAPPS)];
	unsigned d = rnd(NLINES), op = rnd(20);
	struct mcall *mc;
	HCALL h;
	LONG r;

	if (!a->live) {
		snprintf(last_op, sizeof(last_op), "init app %ld",
		         (long)(a - apps));
		CHECK(fx_app_try_init(&a->fx, "model", 0x00020002) == 0,
		      "lineInitializeEx failed");
		a->live = true;
		return;
	}
	switch (op) {
	case 0: /* rarely: shut down */
		if (rnd(4))
			break;
		snprintf(last_op, sizeof(last_op), "shutdown");
		fx_shutdown(&a->fx);
		n_shutdowns++;
		app_gone(a);
		break;
	case 1:
	case 2:
		if (a->lines[d]) {
			snprintf(last_op, sizeof(last_op), "close %u", d);
			CHECK(lineClose(a->lines[d]) == 0, "lineClose failed");
			n_closes++;
			line_gone(a, d);
		} else {
			static const DWORD privs[] = {
				LINECALLPRIVILEGE_NONE,
				LINECALLPRIVILEGE_MONITOR,
				LINECALLPRIVILEGE_OWNER,
				LINECALLPRIVILEGE_OWNER |
					LINECALLPRIVILEGE_MONITOR};
			DWORD p = privs[rnd(4)];

			snprintf(last_op, sizeof(last_op), "open %u %x", d,
			         (unsigned)p);
			r = lineOpen(a->fx.h, d, &a->lines[d], 0x00020002, 0, 0,
			             p, LINEMEDIAMODE_INTERACTIVEVOICE, NULL);
			CHECK(r == 0, "lineOpen failed: %x", (unsigned)r);
		}
		break;
	case 3:
	case 4:
	case 5:
		if (!a->lines[d])
			break;
		{
			const char *dest =
				dests[rnd(sizeof(dests) / sizeof(dests[0]))];
			unsigned out = a->next_out++ % MAXREQS;

			snprintf(last_op, sizeof(last_op), "make %u %s", d,
			         dest);
			r = lineMakeCall(a->lines[d], &a->outs[out], dest, 0,
			                 NULL);
			add_req(a, r, a->lines[d], true, out);
		}
		break;
	default:
		h = some_call(a);
		if (!h)
			break;
		mc = find_call(a, h);
		snprintf(last_op, sizeof(last_op), "op %u on %08x", op,
		         (unsigned)h);
		switch (op) {
		case 6:
			r = lineAnswer(h, NULL, 0);
			break;
		case 7:
			r = lineAccept(h, "acc", 4);
			break;
		case 8:
		case 9:
			r = lineDrop(h, rnd(2) ? "bye" : NULL, 4);
			break;
		case 10:
		case 11:
			r = lineDeallocateCall(h);
			if (r == 0 && mc)
				drop_call_entry(a, mc);
			CHECK(mc || r == LINEERR_INVALCALLHANDLE,
			      "dead handle accepted by lineDeallocateCall");
			r = 0;
			break;
		case 12:
			r = lineSetCallPrivilege(
				h, rnd(2) ? LINECALLPRIVILEGE_OWNER
					  : LINECALLPRIVILEGE_MONITOR);
			break;
		case 13: {
			union {
				LINECALLINFO ci;
				char buf[1024];
			} u;

			memset(&u, 0, sizeof(u));
			u.ci.dwTotalSize = sizeof(u);
			r = lineGetCallInfo(h, &u.ci);
			CHECK(mc ? r == 0 : r == LINEERR_INVALCALLHANDLE,
			      "lineGetCallInfo: %x", (unsigned)r);
			r = 0;
			break;
		}
		case 14:
			r = lineHold(h);
			break;
		case 15:
			r = lineUnhold(h);
			break;
		case 16:
			r = lineHandoff(h, NULL,
			                LINEMEDIAMODE_INTERACTIVEVOICE);
			CHECK(r <= 0, "lineHandoff is synchronous");
			r = 0;
			break;
		case 17:
			if (a->lines[d]) {
				struct {
					LINECALLLIST cl;
					HCALL h[64];
				} l;
				unsigned i;

				l.cl.dwTotalSize = sizeof(l);
				r = lineGetNewCalls(a->lines[d], 0,
				                    LINECALLSELECT_LINE, &l.cl);
				CHECK(r == 0, "lineGetNewCalls: %x",
				      (unsigned)r);
				for (i = 0; i < l.cl.dwCallsNumEntries; i++)
					add_call(a, l.h[i], a->lines[d]);
			}
			r = 0;
			break;
		default:
			r = lineSendUserUserInfo(h, "hi", 3);
			break;
		}
		if (!mc) {
			/* spec: STYLE §4.3 — a dead handle is never an object
			 */
			CHECK(r == 0 || r == LINEERR_INVALCALLHANDLE,
			      "dead handle %08x accepted: %x", (unsigned)h,
			      (unsigned)r);
		} else if (r > 0) {
			add_req(a, r, mc->line, false, 0);
		}
		break;
	}
}

static void test_model(void **s)
{
	unsigned long c[4];
	unsigned i, j, k;

	(void)s;
	memset(apps, 0, sizeof(apps));
	rng = seed;
	fx_config_esp(NLINES);
	for (step = 0; step < steps; step++) {
		one_step();
		pump_all();
	}
	/* every request not cancelled is answered, once, in bounded time */
	snprintf(last_op, sizeof(last_op), "final wait");
	for (k = 0; k < 400; k++) {
		bool waiting = false;

		pump_all();
		for (i = 0; i < NAPPS; i++)
			for (j = 0; j < apps[i].nreqs; j++)
				if (apps[i].live &&
				    !apps[i].reqs[j].cancelled &&
				    !apps[i].reqs[j].replies)
					waiting = true;
		if (!waiting)
			break;
		poll(NULL, 0, 5);
	}
	for (i = 0; i < NAPPS; i++)
		for (j = 0; j < apps[i].nreqs; j++)
			CHECK(!apps[i].live || apps[i].reqs[j].cancelled ||
			              apps[i].reqs[j].replies == 1,
			      "request %d of app %u never answered",
			      (int)apps[i].reqs[j].id, i);
	fx_esp_counters(c);
	for (i = 0; i < NAPPS; i++)
		if (apps[i].live)
			fx_shutdown(&apps[i].fx);
	/* the session ended: esp's counters are those of the whole run */
	snprintf(last_op, sizeof(last_op), "end");
	CHECK(c[1] == 0, "%lu TSPI calls named a dead call", c[1]);
	fx_assert_nothing_alive();
	fx_config_cleanup();
	print_message("model: %lu messages, %lu replies, %lu call handles, "
	              "%lu closes, %lu shutdowns\n",
	              n_msgs, n_replies, n_calls, n_closes, n_shutdowns);
}

/* After the last shutdown esp's counters must balance; read them then. */
static void test_model_close_once(void **s)
{
	unsigned long c[4];

	(void)s;
	fx_config_esp(NLINES);
	seed = seed * 31 + 7;
	rng = seed;
	memset(apps, 0, sizeof(apps));
	for (step = 0; step < steps / 4; step++) {
		one_step();
		pump_all();
	}
	/* close every line but keep one app so the session (and esp's
	 * counters) live on to be read */
	for (unsigned i = 0; i < NAPPS; i++) {
		if (!apps[i].live)
			continue;
		for (unsigned d = 0; d < NLINES; d++)
			if (apps[i].lines[d]) {
				CHECK(lineClose(apps[i].lines[d]) == 0,
				      "lineClose");
				line_gone(&apps[i], d);
			}
	}
	{
		struct fx_app keep;

		fx_app_init(&keep, "keep");
		for (unsigned i = 0; i < NAPPS; i++)
			if (apps[i].live)
				fx_shutdown(&apps[i].fx);
		fx_esp_counters(c);
		/* through tapixd the drops of the shutdowns complete after
		 * them, and their calls close then (bounded) */
		for (unsigned t = 0; t < 500 && fx_service() && c[0] != c[2];
		     t++) {
			poll(NULL, 0, 20);
			fx_esp_counters(c);
		}
		snprintf(last_op, sizeof(last_op), "counters");
		/* spec: termination.md §1.2 — exactly once per call */
		CHECK(c[0] == c[2],
		      "%lu calls, %lu TSPI_lineCloseCall, %lu never closed",
		      c[2], c[0], c[3]);
		CHECK(c[1] == 0, "%lu TSPI calls named a dead call", c[1]);
		CHECK(c[3] == 0, "%lu calls never closed by TAPI", c[3]);
		fx_shutdown(&keep);
	}
	fx_assert_nothing_alive();
	fx_config_cleanup();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_model, fx_teardown),
		cmocka_unit_test_teardown(test_model_close_once, fx_teardown),
	};

	seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	steps = argc > 2 ? strtoul(argv[2], NULL, 0) : 5000;
	print_message("model: seed %lu, %lu steps\n", seed, steps);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
