/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The channel: shared memory between tapixd and one client process on a
 * direct connection, for the function calls of a call's life (make,
 * accept, answer, drop, hold, deallocate...) and for every message of the
 * client's registrations. A function call through the channel costs no
 * system call while both sides run: the client writes its request and
 * watches for the answer, tapixd watches for requests for a short while
 * after each one; either side that stops watching says so, and the other
 * wakes it through a socket pair. docs/service.md describes the protocol.
 *
 * tapixd creates the memory (a sealed memfd: it cannot shrink) and three
 * socket pairs, and hands over the memory and one end of each pair
 * (org.tapix.Tapi1.Channel). Everything the client writes is untrusted:
 * tapixd copies a request out before it looks at it (chan_req_decode) and
 * never indexes with a client's number. Nor does it share an open file
 * with the client: a descriptor passed over keeps its open file, whose
 * flags (O_NONBLOCK) the receiver can change, so an eventfd both sides
 * held could be made to block tapixd's event loop; each end of a socket
 * pair is an open file of its own, and chan_kick and chan_clear ask for
 * no wait on each call besides.
 */
#ifndef TAPIX_RPC_CHAN_H
#define TAPIX_RPC_CHAN_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rpc/rpc.h"

#define CHAN_MAGIC   0x6e616863u /* "chan" */
#define CHAN_VERSION 3u          /* 3: socket pairs, not eventfds */
#define CHAN_RING    512u        /* messages in flight; a power of two */
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

/*
 * Not a TAPI message: up to RPC_DIGITS_PER_MSG bytes of a
 * lineGatherDigits buffer (docs/service.md), sent just before its
 * LINE_GATHERDIGITS with the same app, hdev (the call), guard and line;
 * the bytes in cbinst, p1 and p2, where they go in p3's low half, how
 * many the buffer gets in all in its high half; h[0] (nh 1) the gather's
 * id, which its LINE_GATHERDIGITS carries too. The client writes them
 * into the app's buffer and queues nothing.
 */
#define RPC_MSG_DIGITS     0x54580001u
#define RPC_DIGITS_PER_MSG 24u

/* Makes @d the RPC_MSG_DIGITS of @k bytes at @off of @total, for @of. */
static inline void rpc_digits_pack(struct chan_msg *d,
                                   const struct chan_msg *of, const char *b,
                                   size_t k, size_t off, size_t total)
{
	char bytes[RPC_DIGITS_PER_MSG] = {0};

	memcpy(bytes, b, k < sizeof(bytes) ? k : sizeof(bytes));
	*d = *of; /* (its handle too: the gather's id) */
	d->id = RPC_MSG_DIGITS;
	memcpy(&d->cbinst, bytes, 8);
	memcpy(&d->p1, bytes + 8, 8);
	memcpy(&d->p2, bytes + 16, 8);
	d->p3 = (uint64_t)off | (uint64_t)total << 32;
}

/* @d's bytes (RPC_DIGITS_PER_MSG into @b), where they go and the total. */
static inline void rpc_digits_unpack(const struct chan_msg *d, char *b,
                                     size_t *off, size_t *total)
{
	memcpy(b, &d->cbinst, 8);
	memcpy(b + 8, &d->p1, 8);
	memcpy(b + 16, &d->p2, 8);
	*off = (uint32_t)d->p3;
	*total = (uint32_t)(d->p3 >> 32);
}

#define CHAN_LINE 64 /* keeps what each side writes on lines of its own */

/* How the client sleeps for an answer (cli_idle), its bits: tapixd wakes
 * what is set */
#define CHAN_WAIT_EVENT 1u /* on its socket (and the connection) */
#define CHAN_WAIT_FUTEX 2u /* on rep_seq, a futex */

struct chan_shm {
	/* tapixd, once */
	uint32_t magic, version, ring_size, data_size;
	char pad0[CHAN_LINE - 16];
	/* the client */
	_Atomic uint32_t req_seq;  /* a request is written: its number */
	_Atomic uint32_t busy;     /* a call of the client takes messages */
	_Atomic uint32_t cli_idle; /* it sleeps for the answer: CHAN_WAIT_* */
	_Atomic uint32_t rd_idle;  /* its reader waits on the message one */
	_Atomic uint32_t tail;     /* messages taken */
	_Atomic uint32_t attached; /* CHAN_VERSION: it took the channel */
	char pad1[CHAN_LINE - 24];
	/* tapixd */
	_Atomic uint32_t rep_seq;  /* the request answered (a futex) */
	_Atomic uint32_t srv_idle; /* it waits for requests on its socket */
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

/* Now, on the monotonic clock, in nanoseconds. */
static inline uint64_t chan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define CHAN_SPIN_NS 50000  /* the longest watch */
#define CHAN_STEP_NS 1000   /* it grows by this much at a time */
#define CHAN_FAST_NS 200000 /* what comes this soon was worth watching for */
#define CHAN_GAP_NS  20000  /* a watcher that lost its processor this long */

/*
 * How long a side watches for the other (spins) before it sleeps.
 * Watching saves both sides a system call and a wake-up while each has a
 * processor of its own; on a busy machine it costs: the watcher holds a
 * processor the other side (or anyone) may wait for, and uses up its
 * share of time, so that it is descheduled for milliseconds at the worst
 * moment. So the watch adapts, as a congestion window does: it grows by
 * CHAN_STEP_NS each time what it waited for came within CHAN_FAST_NS (as
 * noticed: after a sleep and a wake-up too), up to CHAN_SPIN_NS, and
 * halves when it came later (the other side lost its processor, or had
 * nothing to say), or when the watcher lost its processor while it
 * watched (a gap between two readings of the clock).
 */
struct chan_spin {
	uint64_t ns; /* the watch now */
};

/* What was waited for came @waited ns after the wait began. */
static inline void chan_spin_learn(struct chan_spin *sp, uint64_t waited)
{
	if (waited > CHAN_FAST_NS) {
		sp->ns /= 2;
	} else {
		sp->ns += CHAN_STEP_NS;
		if (sp->ns > CHAN_SPIN_NS)
			sp->ns = CHAN_SPIN_NS;
	}
}

/* The clock read @prev, then @now while watching: true (and the watch
 * halves) when the watcher lost its processor in between. */
static inline bool chan_spin_lost(struct chan_spin *sp, uint64_t prev,
                                  uint64_t now)
{
	if (now - prev < CHAN_GAP_NS)
		return false;
	sp->ns /= 2;
	return true;
}

/*
 * Sleeps while *@word is @val, until @ns nanoseconds have passed at most:
 * 0 when woken or when the word was not @val, else -ETIMEDOUT or -EINTR.
 * A shared futex (not FUTEX_PRIVATE): the word is in memory of two
 * processes. tapixd never calls it: the memory is the client's to write.
 */
static inline int chan_futex_wait(_Atomic uint32_t *word, uint32_t val,
                                  uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
	                      .tv_nsec = (long)(ns % 1000000000u)};

	if (syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, val, &ts, NULL,
	            0) == 0 ||
	    errno == EAGAIN)
		return 0;
	return -errno;
}

/*
 * Wakes the thread that sleeps on @word (chan_futex_wait; a channel has one
 * call at a time, so one at most: however many threads a client parks
 * there, a wake costs the same); never blocks.
 */
static inline void chan_futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The most datagrams chan_clear takes at once: a flood waits for the next
 * round of the event loop, which serves everything else in between. */
#define CHAN_CLEAR_MAX 64

/*
 * Wakes the other side of a socket pair's end @fd: one byte, without
 * waiting whatever the open file's flags. A full queue (EAGAIN) wakes the
 * reader all the same; an end whose other end closed (ECONNREFUSED,
 * EPIPE) has no one to wake. 0, or the -errno of another failure.
 */
static inline int chan_kick(int fd)
{
	if (send(fd, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0 ||
	    errno == EAGAIN || errno == ECONNREFUSED || errno == EPIPE)
		return 0;
	return -errno;
}

/* Takes what woke the end @fd (up to CHAN_CLEAR_MAX datagrams), without
 * waiting whatever the open file's flags. */
static inline void chan_clear(int fd)
{
	char b[8];
	unsigned i;

	for (i = 0; i < CHAN_CLEAR_MAX; i++)
		if (recv(fd, b, sizeof(b), MSG_DONTWAIT) < 0)
			break;
}

/*
 * A socket pair for waking: @fds[0] for one side, @fds[1] for the other,
 * each an open file of its own. 0 or -errno.
 */
static inline int chan_pair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	               fds) != 0)
		return -errno;
	return 0;
}

#endif /* TAPIX_RPC_CHAN_H */
