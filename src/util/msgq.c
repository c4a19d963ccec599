/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An application's message queue and its delivery (see msgq.h). */
#define LOG_MODULE "msgq"
#include "util/msgq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#define RING_MIN 64u /* reserved up front: a burst needs no allocation */

int msgq_init(struct msgq *q, const struct msgq_ops *ops, uint32_t mode,
              LINECALLBACK cb, int portfd, DWORD_PTR port_key)
{
	int err = -ENOMEM;

	memset(q, 0, sizeof(*q)); /* (the condition too: UCOND_INIT) */
	q->ops = ops;
	q->mode = mode;
	q->cb = cb;
	q->portfd = portfd;
	q->port_key = port_key;
	q->evfd = q->wakefd = -1;
	q->ring = mem_alloc(RING_MIN * sizeof(*q->ring));
	if (!q->ring)
		goto fail;
	q->cap = RING_MIN;
	if (mode == LINEINITIALIZEEXOPTION_USEEVENT) {
		q->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->evfd < 0)
			goto fail_errno;
	} else if (mode == LINEINITIALIZEEXOPTION_USECOMPLETIONPORT) {
		q->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->wakefd < 0)
			goto fail_errno;
	}
	return 0;
fail_errno:
	err = -errno;
fail:
	if (q->evfd >= 0)
		close(q->evfd);
	if (q->wakefd >= 0)
		close(q->wakefd);
	q->evfd = q->wakefd = -1;
	mem_free(q->ring);
	q->ring = NULL;
	return err;
}

void msgq_fini(struct msgq *q)
{
	if (q->evfd >= 0)
		close(q->evfd);
	if (q->wakefd >= 0)
		close(q->wakefd);
	mem_free(q->ring);
	memset(q, 0, sizeof(*q));
	q->evfd = q->wakefd = q->portfd = -1;
}

static void evfd_set(struct msgq *q, bool on)
{
	uint64_t v = 1;
	ssize_t n;

	if (q->evfd < 0 || q->evfd_set == on)
		return;
	/*
	 * The raw system calls: write and read are cancellation points,
	 * which cost twice as much as the call itself here, and this runs
	 * with the owner's lock held (no cancellation may happen there).
	 */
	n = on ? syscall(SYS_write, q->evfd, &v, sizeof(v))
	       : syscall(SYS_read, q->evfd, &v, sizeof(v));
	if (n != (ssize_t)sizeof(v) && !(n < 0 && errno == EAGAIN))
		log_warn("app %08x: event descriptor update failed", q->h);
	q->evfd_set = on;
}

static struct msgq_item *at(const struct msgq *q, uint32_t i)
{
	return &q->ring[(q->head + i) & (q->cap - 1)];
}

bool msgq_grow_locked(struct msgq *q)
{
	uint32_t ncap = q->cap * 2, i;
	struct msgq_item *nr;

	if (ncap < q->cap)
		return false;
	nr = mem_alloc((size_t)ncap * sizeof(*nr));
	if (!nr)
		return false;
	for (i = 0; i < q->count; i++)
		nr[i] = *at(q, i);
	mem_free(q->ring);
	q->ring = nr;
	q->cap = ncap;
	q->head = 0;
	return true;
}

void msgq_first_locked(struct msgq *q)
{
	if (!q->quiet)
		evfd_set(q, true);
	/* nobody waits on the condition in the common case: no broadcast */
	ucond_broadcast(&q->cond);
}

void msgq_evfd_clear_locked(struct msgq *q)
{
	evfd_set(q, false);
}

void msgq_purge_locked(struct msgq *q,
                       bool (*drop)(const struct msgq_item *it, void *arg),
                       void *arg)
{
	uint32_t i, n = 0;

	for (i = 0; i < q->count; i++) {
		const struct msgq_item *it = at(q, i);

		if (drop(it, arg))
			continue;
		*at(q, n) = *it;
		n++;
	}
	q->count = n;
	if (!n)
		evfd_set(q, false);
}

void msgq_quiet_locked(struct msgq *q, bool quiet)
{
	q->quiet = quiet;
	if (!quiet && q->count)
		evfd_set(q, true);
}

/*
 * Waits on @q->cond, releasing the owner's lock meanwhile (not a
 * cancellation point: a thread cancelled there would hold the lock);
 * 0, or -ETIMEDOUT at @deadline (CLOCK_MONOTONIC; NULL: none).
 */
static int wait(struct msgq *q, const struct timespec *deadline)
{
	uint32_t seq = ucond_enter(&q->cond);
	int err;

	q->ops->unlock();
	err = ucond_sleep(&q->cond, seq, deadline);
	q->ops->lock();
	ucond_leave(&q->cond);
	return err;
}

LONG msgq_wait_locked(struct msgq *q, LINEMESSAGE *out, DWORD timeout)
{
	struct timespec deadline;

	/* lineGetMessage's time-out is not moved by the wall clock */
	if (timeout != 0 && timeout != INFINITE)
		clock_after_ms(CLOCK_MONOTONIC, timeout, &deadline);
	for (;;) {
		int err;

		if (q->dead)
			return LINEERR_INVALAPPHANDLE;
		if (msgq_pop_locked(q, out, NULL))
			return 0;
		if (timeout == 0)
			return LINEERR_OPERATIONFAILED;
		err = wait(q, timeout == INFINITE ? NULL : &deadline);
		if (err == -ETIMEDOUT) {
			if (q->dead)
				return LINEERR_INVALAPPHANDLE;
			return msgq_pop_locked(q, out, NULL)
			               ? 0
			               : LINEERR_OPERATIONFAILED;
		}
	}
}

/* Writes one record to the application's descriptor; false when the
 * queue ended or the descriptor is unusable. */
static bool port_write(struct msgq *q, const LINEMESSAGE *m)
{
	struct {
		DWORD_PTR key;
		LINEMESSAGE msg;
	} rec;
	struct pollfd pfd[2];

	memset(&rec, 0, sizeof(rec));
	rec.key = q->port_key;
	rec.msg = *m;
	pfd[0].fd = q->portfd;
	pfd[0].events = POLLOUT;
	pfd[1].fd = q->wakefd;
	pfd[1].events = POLLIN;
	for (;;) {
		ssize_t n;

		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("app %08x: poll failed: %s", q->h,
			        strerror(errno));
			return false;
		}
		if (pfd[1].revents)
			return false; /* the end: nothing more is written */
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			log_warn("app %08x: completion descriptor unusable",
			         q->h);
			return false;
		}
		n = write(q->portfd, &rec, sizeof(rec));
		if (n == (ssize_t)sizeof(rec))
			return true;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		log_warn("app %08x: completion descriptor write failed", q->h);
		return false;
	}
}

static void *delivery_main(void *arg)
{
	struct msgq *q = arg;
	const struct msgq_ops *ops = q->ops;
	LINEMESSAGE m;

	ops->lock();
	for (;;) {
		while (!q->dead && !msgq_pop_locked(q, &m, NULL))
			wait(q, NULL);
		if (q->dead)
			break;
		ops->unlock();
		/* no lock held: the callback may call any TAPI function */
		if (q->mode == LINEINITIALIZEEXOPTION_USEHIDDENWINDOW)
			q->cb(m.hDevice, m.dwMessageID, m.dwCallbackInstance,
			      m.dwParam1, m.dwParam2, m.dwParam3);
		else
			port_write(q, &m);
		ops->lock();
	}
	/* ended from a callback: nobody joins this thread */
	if (q->detach)
		pthread_detach(pthread_self());
	ops->thread_done(q); /* may free q */
	ops->unlock();
	return NULL;
}

int msgq_start_locked(struct msgq *q)
{
	int err;

	if (q->mode == LINEINITIALIZEEXOPTION_USEEVENT)
		return 0;
	err = pthread_create(&q->thread, NULL, delivery_main, q);
	if (err)
		return -err;
	q->has_thread = true;
	return 0;
}

void msgq_kill_locked(struct msgq *q)
{
	uint64_t v = 1;

	if (q->has_thread && pthread_equal(q->thread, pthread_self()))
		q->detach = true;
	q->dead = true;
	q->count = 0;
	evfd_set(q, false);
	ucond_broadcast(&q->cond);
	if (q->wakefd >= 0 && write(q->wakefd, &v, sizeof(v)) < 0)
		log_debug("app %08x: wake failed", q->h);
}

/* In a child of fork(): a descriptor of its own in place of *@fd, on the
 * same number (the application may hold it), empty. */
static void own_fd(struct msgq *q, int *fd)
{
	int n;

	if (*fd < 0)
		return;
	n = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n < 0 || dup3(n, *fd, O_CLOEXEC) < 0)
		log_err("app %08x: the child shares its parent's descriptor",
		        q->h);
	if (n >= 0)
		close(n);
}

bool msgq_after_fork_locked(struct msgq *q)
{
	bool had = q->has_thread;

	q->has_thread = false;
	/*
	 * The eventfds' open files are the parent's too: what the child read
	 * from them (a lineGetMessage that empties its queue) or wrote (its
	 * lineShutdown) would take the parent's signal away, or end its
	 * completion-port writer. The child gets its own, and none of the
	 * messages queued for the parent (copies, which it delivers).
	 */
	own_fd(q, &q->evfd);
	own_fd(q, &q->wakefd);
	q->count = 0;
	q->evfd_set = false;
	return had;
}

void msgq_stop(struct msgq *q)
{
	if (!q->has_thread || q->detach)
		return;
	pthread_join(q->thread, NULL);
}
