/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The request engine: how a TAPI function reaches a provider. The one
 * place the core lock is released around a provider call (DESIGN.md:
 * core/op.c): asynchronous TAPI functions, from checks to the
 * LINE_REPLY, and the same lock rule for synchronous provider calls.
 */
#ifndef TAPIX_CORE_OP_H
#define TAPIX_CORE_OP_H

#include "core/core.h"

/* A state mask that also admits a call with no state reported yet. */
#define OP_STATE_NONE_YET  0x80000000u
#define OP_STATES_NOT_IDLE (~(uint32_t)LINECALLSTATE_IDLE)

/*
 * LINECALLPARAMS as checked and normalised for a provider (the 2.0
 * layout), and the strings TAPI keeps for LINECALLINFO. Each is NULL or a
 * mem_alloc'd block owned by whoever holds the struct.
 */
struct op_params {
	LINECALLPARAMS *norm;
	char *displayable;
	char *called_party;
	char *comment;
};

void op_params_free(struct op_params *p);

/* What handle an asynchronous TAPI function names first (op_desc.on). */
enum op_on {
	OP_ON_CALL, /* HCALL: LINEERR_INVALCALLHANDLE */
	OP_ON_CONF, /* a parent's HCALL: LINEERR_INVALCONFCALLHANDLE */
	OP_ON_LINE, /* HLINE: LINEERR_INVALLINEHANDLE */
	/* HCALL, or with 0 the HLINE (op_run_call_or_line) */
	OP_ON_CALL_OR_LINE,
};

struct op;

/*
 * What an asynchronous TAPI function is to the engine (op_run): its
 * handle, the states it accepts, the TSPI function it needs, the calls it
 * makes and the hooks for what is its own. The hooks run with the core
 * lock held, except @call.
 */
struct op_desc {
	const char *name; /* "lineHold": logs */
	enum op_on on;
	/* accepted states of the call (OP_STATE_NONE_YET too); the handle
	 * must be an OWNER's; not looked at with OP_ON_LINE */
	uint32_t states;
	uint32_t states2; /* of the second call x->call2 (set by @pre) */
	/* offsetof(struct tspi, fn); NULL there: OPERATIONUNAVAIL */
	size_t tspi;
	/* or this one (lineDropEx: lineDrop); 0: none (offset 0 is
	 * lineNegotiateTSPIVersion, never an alternative) */
	size_t tspi_alt;
	/* calls the request makes, 0 to 2; @pre sets x->creates lower */
	unsigned creates;
	int vp_to; /* the new call taking x->vp's strings, -1: none */
	/* before OWNER/state: argument checks, a second handle; no state
	 * change */
	LONG (*pre)(struct op *x);
	/* after OWNER/state: checks; no state change (may fill x->vp) */
	LONG (*post)(struct op *x);
	/* state the request sets before it starts (LINECALLINFO AppName) */
	LONG (*prepare)(struct op *x);
	/* undoes @prepare when the request cannot start */
	void (*undo)(struct op *x);
	/* a new call @c, the request's @i-th, before the provider sees it */
	void (*made)(struct op *x, unsigned i, struct call *c);
	/* the provider call, with the core lock released: x->req->id,
	 * x->hd, x->hd2, x->hdl, x->made, x->made_hd are ready */
	LONG (*call)(struct op *x);
};

/*
 * One operation, from checks to LINE_REPLY: op_run's state (on its
 * stack), which the descriptor's hooks read and fill. op_lookup_locked
 * and op_allowed_locked, for checks outside a request (lineHandoff), use
 * ch, call and p.
 */
struct op {
	const struct op_desc *d;
	const void *args;          /* the function's own arguments */
	struct open *open;         /* the open it goes through */
	struct callh *ch, *ch2;    /* the handles, or NULL */
	struct call *call, *call2; /* held from start to finish */
	struct provider *p;
	struct req *req;
	HDRVCALL hd, hd2; /* captured under the lock */
	HDRVLINE hdl;
	unsigned creates;
	struct call *made[2];   /* the request's new calls */
	HDRVCALL made_hd[2];    /* the provider writes these */
	LPHCALL out[2];         /* where their handles go (app memory) */
	struct op_params vp;    /* checked LINECALLPARAMS, freed by op_run */
	void *prepared;         /* what @prepare set, for @undo */
	struct req_frame frame; /* while the provider has it */
};

/*
 * Runs @d on handle @h with @args (the function's own arguments, for the
 * hooks): every check in the function's order, the request (its
 * LINE_REPLY guard per termination.md §3.2), the TSPI call with the core
 * lock released and the call(s) it names held busy, the outcome. A
 * positive request id, 0 or a LINEERR_. Core lock not held.
 */
LONG op_run(const struct op_desc *d, uint32_t h, const void *args);

/*
 * TAPI's own request @d on @call, for nobody (spec: termination.md §5.1
 * rule 1, the drop on close): no app, no handle, no checks; a request of
 * @kind whose LINE_REPLY goes to no one, the TSPI call with the core lock
 * released and @call held busy, as op_run's. LINEERR_OPERATIONUNAVAIL
 * when the provider lacks the function. Core lock held on entry and exit.
 */
LONG op_run_own_locked(const struct op_desc *d, struct call *call,
                       enum req_kind kind);

/* op_run for an OP_ON_CALL_OR_LINE @d: on @hCall, or with 0 on @hLine. */
LONG op_run_call_or_line(const struct op_desc *d, uint32_t hCall,
                         uint32_t hLine, const void *args);

/* The adapter of a TSPI function taking (DRV_REQUESTID, HDRVCALL) only,
 * read at d->tspi (op_desc.call). */
LONG op_call_plain(struct op *x);

/*
 * spec: tapi-functions.md §0.3 steps 1, 2 — initialized, a live call
 * handle. Core lock held; fills @x.
 */
LONG op_lookup_locked(uint32_t hCall, struct op *x);

/* spec: §0.3 steps 5, 6 — OWNER, and a state in @states. */
LONG op_allowed_locked(const struct op *x, uint32_t states);

/*
 * A call a creating request makes on @o's line for @o's app, taking the
 * strings of @vp (may be NULL); its handle goes to *@out when the request
 * succeeds; it shares the app's name (LINECALLINFO AppName). NULL when
 * memory ran out (the request then fails with LINEERR_NOMEM). Core lock
 * held.
 */
struct call *op_new_call_locked(struct open *o, struct req *req, LPHCALL out,
                                struct op_params *vp);

/*
 * The lock rule of every provider call an app starts (DESIGN.md: no call
 * into a provider with a core lock held): begin counts the call in flight
 * (the session does not end under it), releases the core lock and enters
 * the provider (@p's serialisation); end leaves the provider, takes the
 * lock back and ends the count. Core lock held on entry to begin and on
 * return from end; whatever the caller uses afterwards it has kept alive
 * by a reference, a claim or a lookup again.
 */
void op_tspi_begin_locked(struct provider *p);
void op_tspi_end(struct provider *p);

/*
 * A synchronous provider call naming @call that an app starts, under the
 * rule above: begin references @call, marks it busy (it is not closed
 * under the call) and enters its provider; end leaves it, takes the core
 * lock back and ends the busy mark. The caller drops the reference
 * (call_unref_locked) when it is done with @call.
 */
void op_call_begin_locked(struct call *call);
void op_call_end(struct call *call);

/* Whether @p exports the TSPI function at @fn, an offsetof(struct tspi, ...).
 */
bool op_tspi_has(const struct provider *p, size_t fn);

/*
 * Synchronous provider calls an app starts, each under the lock rule of
 * op_tspi_begin_locked: core lock held on entry and on return, released
 * during the call; the provider's result is returned as is. The caller
 * keeps what it passes alive across the call (@call by a reference, the
 * line of lineGetLineDevStatus by claiming its device); the session
 * cannot end meanwhile.
 */
/* TSPI_lineGetCallInfo (@info) or TSPI_lineGetCallStatus into @buf;
 * LINEERR_INVALCALLHANDLE for a call being closed. */
LONG op_query_call_locked(struct call *call, void *buf, bool info);
LONG op_get_line_dev_status_locked(struct tline *tl, LPLINEDEVSTATUS buf);
LONG op_negotiate_locked(struct device *dev, uint32_t lo, uint32_t hi,
                         LPDWORD version);
LONG op_get_dev_caps_locked(struct device *dev, uint32_t version,
                            LPLINEDEVCAPS buf);
LONG op_get_address_caps_locked(struct device *dev, uint32_t address,
                                uint32_t version, LPLINEADDRESSCAPS buf);

#endif /* TAPIX_CORE_OP_H */
