/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client's side of a channel to tapixd: see channel.h, rpc/chan.h. */
#define LOG_MODULE "client"
#include "client/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* how long the client sleeps on the futex, then on its socket and the
 * connection: a tapixd that dies wakes no futex */
#define FUTEX_USEC 10000
/* tapixd takes a request this soon when it watches for it */
#define TAKE_NS 5000

/*
 * Our ends of the socket pairs Channel hands over, a duplicate of the
 * connection (its end is tapixd's end), and the reader's: an eventfd of
 * ours that wakes it (our end of a pair would wake tapixd), and an epoll
 * set of that and the message end, which the reader waits on.
 */
enum {
	SRVFD,
	REPFD,
	MSGFD,
	SOCK,
	SELFFD,
	WAITFD,
	NFDS
};

struct cchan {
	struct chan_shm *shm;
	int fd[NFDS];
	uint32_t seq;          /* the last request's number */
	struct chan_spin spin; /* whether to watch for answers */
	_Atomic bool dead; /* (cchan_call and cchan_drain may both mark it) */
	_Atomic bool corrupt; /* its ring: nothing is taken from it then */
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static void kick(int fd)
{
	int e = chan_kick(fd);

	if (e < 0)
		log_debug("cannot wake tapixd: %s", strerror(-e));
}

/* The reader's set: the message end and our own wake. 0 or -errno. */
static int reader_set(struct cchan *ch)
{
	struct epoll_event ev = {.events = EPOLLIN};

	ch->fd[SELFFD] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ch->fd[SELFFD] < 0)
		return -errno;
	ch->fd[WAITFD] = epoll_create1(EPOLL_CLOEXEC);
	if (ch->fd[WAITFD] < 0)
		return -errno;
	ev.data.fd = ch->fd[MSGFD];
	if (epoll_ctl(ch->fd[WAITFD], EPOLL_CTL_ADD, ch->fd[MSGFD], &ev) != 0)
		return -errno;
	ev.data.fd = ch->fd[SELFFD];
	if (epoll_ctl(ch->fd[WAITFD], EPOLL_CTL_ADD, ch->fd[SELFFD], &ev) != 0)
		return -errno;
	return 0;
}

void cchan_close(struct cchan *ch)
{
	if (!ch)
		return;
	chan_release(ch->shm, ch->fd, NFDS);
	free(ch);
}

int cchan_open(sd_bus *bus, struct cchan **out)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct cchan *ch;
	int fds[4], own[4] = {-1, -1, -1, -1}, memfd, e, i;
	struct stat st;
	void *p;

	*out = NULL;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	for (i = 0; i < NFDS; i++)
		ch->fd[i] = -1;
	e = sd_bus_call_method(bus, NULL, "/org/tapix/Tapix1",
	                       "org.tapix.Tapi1", "Channel", &err, &reply, "");
	if (e >= 0)
		e = sd_bus_message_read(reply, "hhhh", &fds[0], &fds[1],
		                        &fds[2], &fds[3]);
	/* the reply's descriptors go with it: ours are copies */
	for (i = 0; e >= 0 && i < 4; i++)
		if ((own[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
			e = -errno;
	memfd = own[0];
	memcpy(ch->fd, own + 1, 3 * sizeof(own[0]));
	if (e >= 0) {
		e = fcntl(sd_bus_get_fd(bus), F_DUPFD_CLOEXEC, 3);
		ch->fd[SOCK] = e;
		if (e < 0)
			e = -errno;
	}
	if (e >= 0)
		e = reader_set(ch);
	/* the memory is tapixd's: as big as we know it, and ours */
	if (e >= 0 && fstat(memfd, &st) != 0)
		e = -errno;
	if (e >= 0 && st.st_size < (off_t)sizeof(*ch->shm))
		e = -EPROTO;
	if (e >= 0) {
		p = mmap(NULL, sizeof(*ch->shm), PROT_READ | PROT_WRITE,
		         MAP_SHARED, memfd, 0);
		if (p == MAP_FAILED)
			e = -errno;
		else
			ch->shm = p;
	}
	if (e >= 0 &&
	    (ch->shm->magic != CHAN_MAGIC || ch->shm->version != CHAN_VERSION ||
	     ch->shm->ring_size != CHAN_RING ||
	     ch->shm->data_size != CHAN_DATA))
		e = -EPROTO;
	if (memfd >= 0)
		close(memfd);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	if (e < 0) {
		log_debug("no channel to tapixd: %s", strerror(-e));
		cchan_close(ch);
		return e;
	}
	ch->seq = atomic_load(&ch->shm->req_seq);
	ch->spin.ns = CHAN_SPIN_NS;
	/* before our first registration: its messages come this way */
	atomic_store(&ch->shm->attached, CHAN_VERSION);
	*out = ch;
	return 0;
}

int cchan_msg_fd(const struct cchan *ch)
{
	return ch->fd[WAITFD];
}

bool cchan_dead(const struct cchan *ch)
{
	return ch->dead;
}

uint32_t cchan_head(const struct cchan *ch)
{
	return atomic_load_explicit(&ch->shm->head, memory_order_acquire);
}

void cchan_drain(struct cchan *ch, uint32_t upto,
                 void (*take)(const struct chan_msg *))
{
	struct chan_shm *s = ch->shm;
	uint32_t tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&s->head, memory_order_acquire);

	if (ch->corrupt)
		return;
	if (head - tail > CHAN_RING) {
		/* not tapixd's writing: nothing in it can be trusted */
		log_err("the channel to tapixd is corrupt");
		atomic_store(&ch->corrupt, true);
		ch->dead = true;
		return;
	}
	if ((int32_t)(upto - tail) <= 0)
		return; /* taken already */
	if (upto - tail < head - tail)
		head = upto;
	while (tail != head) {
		struct chan_msg m = s->ring[tail % CHAN_RING];

		if (m.nh > 2)
			m.nh = 2;
		take(&m);
		tail++;
	}
	atomic_store_explicit(&s->tail, tail, memory_order_release);
}

/* Waits for the answer to request @seq until @deadline (usec). */
static int await(struct cchan *ch, uint32_t seq, uint64_t deadline)
{
	struct chan_shm *s = ch->shm;
	uint64_t start = chan_now_ns(), t = start, prev = start;
	unsigned i;

	/* tapixd answers in microseconds while it runs: watch while it works
	 * on the request, or has just been asked. If it has not taken it
	 * soon, it sleeps (our socket wakes it: that takes longer) or lost
	 * its processor: then watching would only hold ours */
	for (i = 0; ch->spin.ns; i++) {
		if (atomic_load_explicit(&s->rep_seq, memory_order_acquire) ==
		    seq) {
			chan_spin_learn(&ch->spin, chan_now_ns() - start);
			return 0;
		}
		if ((i & 15) == 15) {
			t = chan_now_ns();
			if (chan_spin_lost(&ch->spin, prev, t) ||
			    t - start >= ch->spin.ns ||
			    (t - start >= TAKE_NS &&
			     atomic_load_explicit(&s->taken,
			                          memory_order_relaxed) != seq))
				break;
			prev = t;
		}
		chan_relax();
	}
	/* then sleep on the answer's number: tapixd wakes us when it sees
	 * the flag (for FUTEX_USEC, then with the connection) */
	for (;;) {
		uint32_t v;
		uint64_t u;

		atomic_store(&s->cli_idle, CHAN_WAIT_FUTEX);
		atomic_thread_fence(memory_order_seq_cst);
		v = atomic_load_explicit(&s->rep_seq, memory_order_acquire);
		if (v == seq) {
			atomic_store(&s->cli_idle, 0);
			chan_spin_learn(&ch->spin, chan_now_ns() - start);
			return 0;
		}
		t = chan_now_ns() / 1000;
		u = deadline < start / 1000 + FUTEX_USEC
		            ? deadline
		            : start / 1000 + FUTEX_USEC;
		if (t >= u)
			break;
		if (chan_futex_wait(&s->rep_seq, v, (u - t) * 1000) == -EINTR)
			continue;
	}
	atomic_store(&s->cli_idle, 0);
	for (;;) {
		struct pollfd pf[2] = {{.fd = ch->fd[REPFD], .events = POLLIN},
		                       {.fd = ch->fd[SOCK], .events = 0}};
		int n;

		atomic_store(&s->cli_idle, CHAN_WAIT_EVENT);
		atomic_thread_fence(memory_order_seq_cst);
		if (atomic_load_explicit(&s->rep_seq, memory_order_acquire) ==
		    seq) {
			atomic_store(&s->cli_idle, 0);
			chan_spin_learn(&ch->spin, chan_now_ns() - start);
			return 0;
		}
		t = now_usec();
		if (t >= deadline) {
			atomic_store(&s->cli_idle, 0);
			return -ETIMEDOUT;
		}
		n = poll(pf, 2, (int)((deadline - t + 999) / 1000));
		atomic_store(&s->cli_idle, 0);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (pf[0].revents & POLLIN))
			chan_clear(ch->fd[REPFD]);
		if (n > 0 && (pf[1].revents & (POLLHUP | POLLERR)) &&
		    atomic_load(&s->rep_seq) != seq)
			return -ECONNRESET;
	}
}

int cchan_call(struct cchan *ch, const struct chan_req *req, uint64_t usec,
               int32_t *result, uint32_t *line)
{
	struct chan_shm *s = ch->shm;
	uint32_t seq = ch->seq + 1;
	int e;

	if (ch->dead || req->len > CHAN_DATA)
		return -ECONNRESET;
	/* the messages until the answer are ours to take, not the reader's */
	atomic_store(&s->busy, 1);
	memcpy(&s->req, req, offsetof(struct chan_req, data) + req->len);
	atomic_store_explicit(&s->req_seq, seq, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&s->srv_idle, memory_order_relaxed))
		kick(ch->fd[SRVFD]);
	ch->seq = seq;
	e = await(ch, seq, now_usec() + usec);
	if (e == 0) {
		*result = s->result;
		*line = s->line;
	} else {
		/* a late answer would be taken for the next one's */
		ch->dead = true;
	}
	return e;
}

void cchan_end(struct cchan *ch)
{
	atomic_store(&ch->shm->busy, 0);
	atomic_thread_fence(memory_order_seq_cst);
}

bool cchan_pending(const struct cchan *ch)
{
	const struct chan_shm *s = ch->shm;

	return !ch->corrupt &&
	       atomic_load_explicit(&s->head, memory_order_acquire) !=
	               atomic_load_explicit(&s->tail, memory_order_relaxed);
}

void cchan_wake_reader(struct cchan *ch)
{
	uint64_t one = 1;

	/* full (EAGAIN): it wakes the reader all the same */
	if (write(ch->fd[SELFFD], &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("cannot wake the reader: %s", strerror(errno));
}

bool cchan_reader_sleep(struct cchan *ch)
{
	struct chan_shm *s = ch->shm;

	atomic_store(&s->rd_idle, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (!ch->corrupt && atomic_load(&s->head) != atomic_load(&s->tail)) {
		atomic_store(&s->rd_idle, 0);
		return false;
	}
	return true;
}

void cchan_reader_woken(struct cchan *ch)
{
	uint64_t v;

	atomic_store(&ch->shm->rd_idle, 0);
	chan_clear(ch->fd[MSGFD]);
	if (read(ch->fd[SELFFD], &v, sizeof(v)) < 0)
		return; /* EAGAIN: nothing was written */
}
