/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The application runtime of libtapix's own TAPI applications (apprt.h). */
#define LOG_MODULE "apprt"
#include "apprt/apprt.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <tapix/tapix.h>

#include "util/log.h"
#include "util/mem.h"

LONG apprt_register(struct apprt *rt, const char *name, DWORD *api)
{
	LINEINITIALIZEEXPARAMS ip;
	LONG r;

	rt->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rt->wake_fd < 0)
		return LINEERR_NOMEM;
	memset(&ip, 0, sizeof(ip));
	ip.dwTotalSize = sizeof(ip);
	ip.dwOptions = LINEINITIALIZEEXOPTION_USEEVENT;
	rt->ndevs = 0;
	r = lineInitializeEx(&rt->app, NULL, NULL, name, &rt->ndevs, api, &ip);
	if (r != 0) {
		close(rt->wake_fd);
		rt->wake_fd = -1;
		return r;
	}
	rt->line_fd = TAPIX_HANDLE_TO_FD(ip.Handles.hEvent);
	rt->joinable = false;
	return 0;
}

void apprt_wake(const struct apprt *rt)
{
	uint64_t one = 1;

	if (rt->wake_fd >= 0 && write(rt->wake_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("cannot wake an engine: %s", strerror(errno));
}

/* Milliseconds from now to @next (none: -1), at most a minute. */
static int wait_ms(const struct timespec *next)
{
	struct timespec now;
	long long d;

	if (!next->tv_sec)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (long long)(next->tv_sec - now.tv_sec) * 1000 +
	    (next->tv_nsec - now.tv_nsec) / 1000000 + 1;
	return d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
}

struct run {
	struct apprt *rt;
	bool detached;
};

static void *engine_main(void *arg)
{
	struct run run = *(struct run *)arg;
	struct apprt *rt = run.rt;
	void (*on_stopped)(void *owner);
	struct pollfd pfd[2];
	HLINEAPP app;
	void *owner;
	int wake_fd;

	mem_free(arg);
	pthread_mutex_lock(rt->lock);
	/* a detached engine's registration is its own: the owner may make
	 * the next one in @rt before this one has ended */
	app = rt->app;
	wake_fd = rt->wake_fd;
	on_stopped = rt->on_stopped;
	owner = rt->owner;
	pfd[0].fd = rt->line_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = wake_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		struct timespec next = {0};
		LINEMESSAGE m;
		uint64_t v;
		int ms;

		if (!rt->on_tick(rt->owner, &next))
			break;
		pthread_mutex_unlock(rt->lock);
		ms = wait_ms(&next);
		if (poll(pfd, 2, ms) < 0 && errno != EINTR)
			log_err("engine: poll: %s", strerror(errno));
		if ((pfd[1].revents & POLLIN) &&
		    read(wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_warn("engine: %s", strerror(errno));
		/* no call into the line API under the owner's lock */
		while (lineGetMessage(app, &m, 0) == 0) {
			pthread_mutex_lock(rt->lock);
			rt->on_message(rt->owner, &m);
			pthread_mutex_unlock(rt->lock);
		}
		pthread_mutex_lock(rt->lock);
	}
	if (run.detached && rt->wake_fd == wake_fd)
		rt->wake_fd = -1;
	pthread_mutex_unlock(rt->lock);
	if (run.detached) {
		lineShutdown(app);
		close(wake_fd);
		if (on_stopped)
			on_stopped(owner);
	}
	return NULL;
}

int apprt_start(struct apprt *rt, bool detached)
{
	struct run *run = mem_alloc(sizeof(*run));
	pthread_attr_t attr;
	int e;

	if (!run)
		return -ENOMEM;
	run->rt = rt;
	run->detached = detached;
	pthread_attr_init(&attr);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&rt->thread, &attr, engine_main, run);
	pthread_attr_destroy(&attr);
	if (e) {
		mem_free(run);
		return -e;
	}
	rt->joinable = !detached;
	return 0;
}

void apprt_join(struct apprt *rt)
{
	if (!rt->joinable)
		return;
	pthread_join(rt->thread, NULL);
	rt->joinable = false;
}

void apprt_unregister(struct apprt *rt)
{
	lineShutdown(rt->app);
	if (rt->wake_fd >= 0)
		close(rt->wake_fd);
	rt->wake_fd = -1;
}
