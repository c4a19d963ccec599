/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The channel: shared memory between tapixd and one client process on a
 * direct connection, for the function calls of a call's life (make,
 * accept, answer, drop, hold, deallocate...) and for every message of the
 * client's registrations. A function call through the channel costs no
 * system call while both sides run: the client writes its request and
 * watches for the answer, tapixd watches for requests for a short while
 * after each one; either side that stops watching says so, and the other
 * wakes it with an eventfd. docs/service.md describes the protocol.
 *
 * tapixd creates the memory (a sealed memfd: it cannot shrink) and the
 * eventfds and hands them over (org.tapix.Tapi1.Channel). Everything the
 * client writes is untrusted: tapixd copies a request out before it looks
 * at it (chan_req_decode) and never indexes with a client's number.
 */
#ifndef TAPIX_RPC_CHAN_H
#define TAPIX_RPC_CHAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rpc/rpc.h"

#define CHAN_MAGIC   0x6e616863u /* "chan" */
#define CHAN_VERSION 2u
#define CHAN_RING    512u  /* messages in flight; a power of two */
#define CHAN_DATA    4096u /* request bytes: an address or user-user info */

/*
 * Requests: each is the function of a row of calls.def with RPC_CHAN(n,
 * NAME), CHAN_NAME = n; CHAN_OP_END is one past the last. The numbers are
 * CHAN_VERSION's: rows add ops, never renumber one (test_rpc).
 */
enum chan_op {
#define CHAN_ENUM(n, name, fn, shape) CHAN_##name = (n),
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, CHAN_ENUM, fn, shape)
#include "rpc/calls.def"
#undef CHAN_ENUM
	CHAN_OP_END = 1
#define CHAN_COUNT(n, name, fn, shape) +1
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, CHAN_COUNT, fn, shape)
#include "rpc/calls.def"
#undef CHAN_COUNT
};

#define CHAN_HAS_PTR  1u /* MakeCall: lphCall was given */
#define CHAN_HAS_DATA 2u /* the address / user-user info pointer was given */

/*
 * A request as the client writes it: the row's arguments by kind (rpc.h)
 * — the handle, whether its LPHCALL was given, its string (with its NUL)
 * or user-user info as the data, its numbers (a size, a DWORD) in arg
 * then hint; a row with an input structure goes through the channel only
 * without one.
 */
struct chan_req {
	uint32_t op;    /* enum chan_op */
	uint32_t h;     /* the line (MakeCall) or the call */
	uint32_t flags; /* CHAN_HAS_* */
	uint32_t arg;   /* MakeCall: country code; UUI ops: dwSize */
	uint32_t hint;  /* DropEx: disconnect-mode hint */
	uint32_t len;   /* bytes of data: MakeCall's address with its NUL */
	char data[CHAN_DATA];
};

/* One message of a registration, as the Messages signal carries it. */
struct chan_msg {
	uint32_t app, hdev, id;
	uint32_t guard; /* the handle whose death voids it, or 0 */
	uint32_t line;  /* the open of that handle, or 0 */
	uint32_t nh;    /* handles a LINE_REPLY writes (at most 2) */
	uint32_t h[2];
	uint64_t cbinst, p1, p2, p3;
};

#define CHAN_LINE 64 /* keeps what each side writes on lines of its own */

struct chan_shm {
	/* tapixd, once */
	uint32_t magic, version, ring_size, data_size;
	char pad0[CHAN_LINE - 16];
	/* the client */
	_Atomic uint32_t req_seq;  /* a request is written: its number */
	_Atomic uint32_t busy;     /* a call of the client takes messages */
	_Atomic uint32_t cli_idle; /* it waits for the answer on its eventfd */
	_Atomic uint32_t rd_idle;  /* its reader waits on the message one */
	_Atomic uint32_t tail;     /* messages taken */
	char pad1[CHAN_LINE - 20];
	/* tapixd */
	_Atomic uint32_t rep_seq;  /* the request answered */
	_Atomic uint32_t srv_idle; /* it waits for requests on its eventfd */
	_Atomic uint32_t head;     /* messages written */
	int32_t result;            /* the function's result */
	uint32_t line;             /* MakeCall: the line it went through */
	_Atomic uint32_t taken;    /* the request it is working on */
	char pad2[CHAN_LINE - 24];
	struct chan_req req;
	struct chan_msg ring[CHAN_RING];
};

/* A request decoded: what tapixd acts on. */
struct chan_call {
	enum chan_op op;
	uint32_t h, arg, hint;
	bool has_ptr, has_data;
	const char
		*dest;   /* a string op's (MakeCall): NUL-terminated, or NULL */
	const void *uui; /* a UUI op's: uui_size bytes, or NULL */
	uint32_t uui_size;
	struct chan_req copy; /* what dest and uui point into */
};

/*
 * Copies the request at @shared (which the client may still be writing)
 * into @out and checks it: a known op, its data within bounds, a string
 * (an address) NUL-terminated. As the D-Bus methods do, a UUI size beyond
 * the bytes sent is cut to them (the core reads dwSize bytes). 0, or
 * -EINVAL.
 */
int chan_req_decode(const struct chan_req *shared, struct chan_call *out);

/* Either side's end: unmaps @shm (if mapped), closes what is open of the
 * @n descriptors @fd. */
static inline void chan_release(struct chan_shm *shm, const int *fd, unsigned n)
{
	unsigned i;

	if (shm)
		munmap(shm, sizeof(*shm));
	for (i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* Spins politely for a while (a pause instruction where there is one). */
static inline void chan_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif /* TAPIX_RPC_CHAN_H */
