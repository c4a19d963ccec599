/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UDP ports of a provider's calls: a configured range of even RTP
 * ports, each with its RTCP port above it (RFC 3550 §11), bound on a
 * given address, never one pair to two calls; ports another program
 * holds are passed over.
 *
 * Part of tsp_rtp: standard and POSIX headers only. Thread-safe: calls
 * are set up and torn down on several threads.
 */
#ifndef TAPIX_PORTS_H
#define TAPIX_PORTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define PORTS_MAX_PAIRS 32768

/** A range of port pairs; set up by ports_init, fields private. */
struct ports {
	pthread_mutex_t lock;
	uint16_t first;                      /* the first RTP port: even */
	unsigned count;                      /* pairs in the range */
	unsigned next;                       /* where the next search begins */
	unsigned in_use;                     /* pairs given out */
	uint64_t used[PORTS_MAX_PAIRS / 64]; /* guarded by lock */
};

/** A pair given out: two bound UDP sockets, the caller's to use. */
struct ports_pair {
	uint16_t rtp_port; /* even; RTCP is rtp_port + 1 */
	int rtp_fd;        /* non-blocking, close-on-exec */
	int rtcp_fd;
};

/**
 * Sets up the range @min - @max (inclusive): the pairs (p, p + 1) with p
 * even and both within it.
 *
 * @return 0, or -EINVAL when the range holds no pair (min 0 or above max)
 */
int ports_init(struct ports *p, uint16_t min, uint16_t max);

/** Releases what ports_init made; every pair must be closed first. */
void ports_destroy(struct ports *p);

/**
 * Binds the next free pair of the range on @addr (IPv4 or IPv6, its port
 * ignored). Pairs are handed out in turn round the range, so a pair just
 * closed is not the next one given (late packets of the old call do not
 * reach the new one); a pair whose port another socket holds is passed
 * over.
 *
 * @return 0 with @out filled, -EADDRINUSE when no pair of the range is
 *         free, -EAFNOSUPPORT for another family, or the -errno of
 *         socket or bind
 */
int ports_open(struct ports *p, const struct sockaddr *addr, socklen_t addrlen,
               struct ports_pair *out);

/** Closes a pair's sockets and makes it free again. */
void ports_close(struct ports *p, struct ports_pair *pair);

/** Pairs given out and not closed. */
unsigned ports_in_use(struct ports *p);

#endif
