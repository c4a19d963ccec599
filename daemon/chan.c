/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapixd's side of a channel (rpc/chan.h): the shared memory, the
 * socket pairs that wake either side, taking requests, answering them
 * and writing messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dlog.h"
#include "tapixd.h"

/* the descriptors, in the order Channel hands them over */
enum {
	MEMFD,
	SRVFD,
	REPFD,
	MSGFD,
	NFDS
};

struct chan {
	struct chan_shm *shm;
	int fd[NFDS];    /* the memory, and our ends of the pairs */
	int peer[NFDS];  /* the client's ends, until handed over */
	uint32_t served; /* the last request answered */
	uint32_t taking; /* the request taken, to be answered */
	uint32_t head;   /* messages written (ours; the shared one follows) */
};

static void kick(int fd)
{
	int e = chan_kick(fd);

	if (e < 0)
		log_debug("cannot wake a client: %s", strerror(-e));
}

void chan_free(struct chan *ch)
{
	if (!ch)
		return;
	chan_release(ch->shm, ch->fd, NFDS);
	chan_release(NULL, ch->peer, NFDS);
	free(ch);
}

int chan_new(struct chan **out)
{
	struct chan *ch = calloc(1, sizeof(*ch));
	unsigned i;
	void *p;
	int e = 0;

	*out = NULL;
	if (!ch)
		return -ENOMEM;
	for (i = 0; i < NFDS; i++)
		ch->fd[i] = ch->peer[i] = -1;
	ch->fd[MEMFD] =
		memfd_create("tapixd-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (ch->fd[MEMFD] < 0)
		e = -errno;
	/* (the memory is the client's to write anyway: one open file) */
	for (i = SRVFD; i < NFDS && !e; i++) {
		int pair[2];

		e = chan_pair(pair);
		if (!e) {
			ch->fd[i] = pair[0];
			ch->peer[i] = pair[1];
		}
		/* tapixd only writes the other two: nothing queues there */
		if (!e && i != SRVFD && shutdown(pair[0], SHUT_RD) != 0)
			e = -errno;
	}
	if (!e && (ftruncate(ch->fd[MEMFD], sizeof(*ch->shm)) != 0 ||
	           /* the client cannot shrink it under us (SIGBUS) */
	           fcntl(ch->fd[MEMFD], F_ADD_SEALS,
	                 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0))
		e = -errno;
	if (!e) {
		p = mmap(NULL, sizeof(*ch->shm), PROT_READ | PROT_WRITE,
		         MAP_SHARED, ch->fd[MEMFD], 0);
		if (p == MAP_FAILED)
			e = -errno;
		else
			ch->shm = p;
	}
	if (e) {
		chan_free(ch);
		return e;
	}
	ch->shm->magic = CHAN_MAGIC;
	ch->shm->version = CHAN_VERSION;
	ch->shm->ring_size = CHAN_RING;
	ch->shm->data_size = CHAN_DATA;
	atomic_store(&ch->shm->srv_idle, 1); /* the first request wakes us */
	*out = ch;
	return 0;
}

void chan_fds(const struct chan *ch, int fds[4])
{
	unsigned i;

	fds[MEMFD] = ch->fd[MEMFD];
	for (i = SRVFD; i < NFDS; i++)
		fds[i] = ch->peer[i];
}

void chan_fds_sent(struct chan *ch)
{
	unsigned i;

	for (i = SRVFD; i < NFDS; i++) {
		if (ch->peer[i] >= 0)
			close(ch->peer[i]);
		ch->peer[i] = -1;
	}
}

int chan_wake_fd(const struct chan *ch)
{
	return ch->fd[SRVFD];
}

void chan_woken(struct chan *ch)
{
	atomic_store(&ch->shm->srv_idle, 0);
	chan_clear(ch->fd[SRVFD]);
}

bool chan_attached(const struct chan *ch)
{
	return atomic_load_explicit(&ch->shm->attached, memory_order_acquire) ==
	       CHAN_VERSION;
}

bool chan_pending(const struct chan *ch)
{
	return atomic_load_explicit(&ch->shm->req_seq, memory_order_acquire) !=
	       ch->served;
}

int chan_take(struct chan *ch, struct chan_call *call)
{
	if (!chan_pending(ch))
		return 0;
	/* read once: what the client writes next is the next request */
	ch->taking =
		atomic_load_explicit(&ch->shm->req_seq, memory_order_acquire);
	/* the client sees us at work: it keeps watching, not yielding */
	atomic_store_explicit(&ch->shm->taken, ch->taking,
	                      memory_order_relaxed);
	return chan_req_decode(&ch->shm->req, call) < 0 ? -EINVAL : 1;
}

void chan_reply(struct chan *ch, int32_t result, uint32_t line)
{
	struct chan_shm *s = ch->shm;
	uint32_t idle;

	ch->served = ch->taking;
	s->result = result;
	s->line = line;
	atomic_store_explicit(&s->rep_seq, ch->served, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	/* the client's word: whatever it says, a wake never blocks us */
	idle = atomic_load_explicit(&s->cli_idle, memory_order_relaxed);
	if (idle & CHAN_WAIT_FUTEX)
		chan_futex_wake(&s->rep_seq);
	if (idle & CHAN_WAIT_EVENT)
		kick(ch->fd[REPFD]);
}

bool chan_sleep(struct chan *ch)
{
	atomic_store(&ch->shm->srv_idle, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (!chan_pending(ch))
		return true;
	atomic_store(&ch->shm->srv_idle, 0);
	return false;
}

bool chan_room(const struct chan *ch)
{
	uint32_t tail =
		atomic_load_explicit(&ch->shm->tail, memory_order_acquire);

	/* a tail the client made up only stops its own messages */
	return ch->head - tail < CHAN_RING;
}

void chan_push(struct chan *ch, const struct chan_msg *m)
{
	ch->shm->ring[ch->head % CHAN_RING] = *m;
	ch->head++;
	atomic_store_explicit(&ch->shm->head, ch->head, memory_order_release);
}

void chan_notify(struct chan *ch)
{
	struct chan_shm *s = ch->shm;

	atomic_thread_fence(memory_order_seq_cst);
	/* a call of the client takes them when it ends, else its reader */
	if (!atomic_load_explicit(&s->busy, memory_order_relaxed) &&
	    atomic_load_explicit(&s->rd_idle, memory_order_relaxed))
		kick(ch->fd[MSGFD]);
}
