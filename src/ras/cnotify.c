/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RasConnectionNotification (ras.md §12): an eventfd of the application's
 * is signalled (8 bytes, a count of 1 written) when a connection comes up
 * or ends. One thread of this process, running while registrations are
 * left, looks at the connections that are up (RasEnumConnections' list:
 * the process's in embedded mode, the user's through tapixd) and at the
 * state of each connection named in a registration each time they may
 * have changed: it sleeps until the manager's count of changes moves (in
 * embedded mode), or until tapixd answers the process's Wait (the
 * waker's, rclient.c); once a minute it looks anyway. A connection that
 * comes and goes within one look is not seen. A registration for one connection
 * ends when that connection does; one for all of them lasts as long as the
 * process (the Windows API has no way to end it either). The application's
 * descriptor is duplicated: closing its own does not let us write into a
 * descriptor that reuses the number. (Its memory is the C library's: the
 * registrations of the whole process are not a test's to count.)
 */
#define LOG_MODULE "ras"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ras/ras.h"
#include "util/list.h"
#include "util/log.h"
#include "util/loghold.h"

#define LOOK_MS  60000u /* a look at least this often */
#define RETRY_MS 1000u  /* again after a look failed */
#define MAX_REGS 256u   /* of one process */
#define KNOWN    (RASCN_Connection | RASCN_Disconnection)

struct cnreg {
	struct list_node link;
	HRASCONN h;  /* INVALID_HANDLE_VALUE: all connections */
	int fd;      /* our duplicate of the application's eventfd */
	DWORD flags; /* what of KNOWN it asked for */
	bool up;     /* one connection: it was seen connected */
	bool ended;  /* one connection: it ended (said, if asked) */
};

static struct {
	pthread_mutex_t lock;
	struct list_node regs;
	unsigned nregs;
	bool running;   /* the look thread */
	pid_t pid;      /* the process of the above */
	HRASCONN *seen; /* the connections up at the last look */
	DWORD nseen;
} cn = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.regs = LIST_HEAD_INIT(cn.regs),
};

static void signal_fd(int fd)
{
	uint64_t one = 1;

	/* a count at its maximum (EAGAIN) is readable all the same */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("a connection notification lost: %s",
		          strerror(errno));
}

/* The connections that are up now: *@out (free it), *@n. 0 or an
 * error (then none). */
static DWORD up_set(HRASCONN **out, DWORD *n)
{
	RASCONNA *v = NULL;
	DWORD max = 0, i, r;

	*out = NULL;
	*n = 0;
	for (;;) {
		r = ras_client_on()
		            ? ras_client_enum(v, max, n)
		            : ras_mgr_enum((uint32_t)getuid(), v, max, n);
		if (r || *n <= max)
			break;
		free(v);
		max = *n;
		v = malloc(max * sizeof(*v));
		if (!v)
			return ERROR_NOT_ENOUGH_MEMORY;
	}
	if (!r && *n) {
		*out = malloc(*n * sizeof(**out));
		if (!*out)
			r = ERROR_NOT_ENOUGH_MEMORY;
		for (i = 0; !r && i < *n; i++)
			(*out)[i] = v[i].hrasconn;
	}
	if (r)
		*n = 0;
	free(v);
	return r;
}

static bool in_set(const HRASCONN *v, DWORD n, HRASCONN h)
{
	DWORD i;

	for (i = 0; i < n; i++)
		if (v[i] == h)
			return true;
	return false;
}

/* RasGetConnectStatus of @h, without the size rules. */
static DWORD status_of(HRASCONN h, RASCONNSTATUSA *st)
{
	return ras_client_on() ? ras_client_status(h, st)
	                       : ras_mgr_status(h, (uint32_t)getuid(), st);
}

/* What a look found about one connection of a registration. */
struct look {
	HRASCONN h;
	DWORD r;
	RASCONNSTATE state;
};

static void reg_free_locked(struct cnreg *g)
{
	list_del(&g->link);
	cn.nregs--;
	close(g->fd);
	free(g);
}

/* Applies a look (the up set @now, the states in @looks) to every
 * registration; cn.lock held. */
static void apply_locked(HRASCONN *now, DWORD nnow, const struct look *looks,
                         unsigned nlooks)
{
	struct list_node *it, *tmp;
	bool came = false, went = false;
	DWORD i;
	unsigned k;

	for (i = 0; i < nnow; i++)
		came = came || !in_set(cn.seen, cn.nseen, now[i]);
	for (i = 0; i < cn.nseen; i++)
		went = went || !in_set(now, nnow, cn.seen[i]);
	list_foreach_safe(it, tmp, &cn.regs) {
		struct cnreg *g = list_entry(it, struct cnreg, link);

		if (g->h == INVALID_HANDLE_VALUE) {
			if ((came && (g->flags & RASCN_Connection)) ||
			    (went && (g->flags & RASCN_Disconnection)))
				signal_fd(g->fd);
			continue;
		}
		for (k = 0; k < nlooks && looks[k].h != g->h; k++)
			;
		if (k == nlooks)
			continue; /* registered after the look */
		if (!looks[k].r && looks[k].state == RASCS_Connected &&
		    !g->up) {
			g->up = true;
			if (g->flags & RASCN_Connection)
				signal_fd(g->fd);
		}
		if (looks[k].r == ERROR_INVALID_HANDLE ||
		    (!looks[k].r && looks[k].state == RASCS_Disconnected)) {
			if (g->flags & RASCN_Disconnection)
				signal_fd(g->fd);
			reg_free_locked(g);
		}
	}
	free(cn.seen);
	cn.seen = now;
	cn.nseen = nnow;
}

/* Where the count of changes is now: read before a look. */
static unsigned change_token(bool client)
{
	return client ? ras_client_change_token() : ras_mgr_change_token();
}

static void *look_main(void *arg)
{
	bool client = ras_client_on();
	unsigned wait_ms = 0, token = 0;

	(void)arg;
	if (client)
		ras_client_change_begin();
	for (;;) {
		struct look *looks = NULL;
		struct list_node *it;
		HRASCONN *now = NULL;
		unsigned nlooks = 0, i;
		DWORD nnow = 0;
		bool left;

		/* until something may have changed since the last look */
		if (wait_ms && client)
			ras_client_change_wait(token, wait_ms);
		else if (wait_ms)
			ras_mgr_change_wait(token, wait_ms);
		token = change_token(client);
		wait_ms = LOOK_MS;
		log_mutex_lock(&cn.lock);
		if (!cn.nregs) {
			cn.running = false;
			log_mutex_unlock(&cn.lock);
			if (client)
				ras_client_change_end();
			return NULL;
		}
		looks = malloc(cn.nregs * sizeof(*looks));
		list_foreach(it, &cn.regs) {
			struct cnreg *g = list_entry(it, struct cnreg, link);

			if (looks && g->h != INVALID_HANDLE_VALUE)
				looks[nlooks++].h = g->h;
		}
		log_mutex_unlock(&cn.lock);
		/* (tapixd may be slow or gone: no lock while asking) */
		for (i = 0; i < nlooks; i++) {
			RASCONNSTATUSA st;

			memset(&st, 0, sizeof(st));
			looks[i].r = status_of(looks[i].h, &st);
			looks[i].state = st.rasconnstate;
		}
		if (up_set(&now, &nnow) != 0) {
			free(looks);
			wait_ms = RETRY_MS; /* tapixd slow or gone */
			continue;
		}
		log_mutex_lock(&cn.lock);
		apply_locked(now, nnow, looks, nlooks);
		left = cn.nregs > 0;
		log_mutex_unlock(&cn.lock);
		free(looks);
		if (!left)
			wait_ms = 0; /* the last registration ended: no wait */
	}
}

/* Whether @fd is an eventfd (the HANDLE of this port: ras.md §12). */
static bool is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

DWORD WINAPI RasConnectionNotificationA(HRASCONN hrasconn, HANDLE hEvent,
                                        DWORD dwFlags)
{
	intptr_t fd = (intptr_t)hEvent;
	HRASCONN *now = NULL;
	RASCONNSTATUSA st;
	struct cnreg *g;
	DWORD nnow = 0, r;
	bool kick = false;
	pthread_t t;

	memset(&st, 0, sizeof(st));
	if (fd < 0 || fd > 0x7FFFFFFF || !is_eventfd((int)fd))
		return ERROR_INVALID_HANDLE;
	if (hrasconn != INVALID_HANDLE_VALUE) {
		r = status_of(hrasconn, &st);
		if (r)
			return r;
	} else {
		/* connections up now are not new */
		r = up_set(&now, &nnow);
		if (r)
			return r;
	}
	if (!(dwFlags & KNOWN)) {
		free(now); /* nothing we would ever say (ras.md §12) */
		return 0;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		free(now);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	g->h = hrasconn;
	g->flags = dwFlags & KNOWN;
	g->up = hrasconn != INVALID_HANDLE_VALUE &&
	        st.rasconnstate == RASCS_Connected;
	g->fd = fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
	if (g->fd < 0) {
		free(g);
		free(now);
		return ERROR_INVALID_HANDLE;
	}
	log_mutex_lock(&cn.lock);
	if (cn.pid != getpid()) {
		/* a child after fork(): its parent's registrations and look
		 * thread are not its own (nor their memory: left as it is) */
		list_init(&cn.regs);
		cn.nregs = 0;
		cn.running = false;
		cn.seen = NULL;
		cn.nseen = 0;
		cn.pid = getpid();
	}
	if (cn.nregs >= MAX_REGS) {
		log_mutex_unlock(&cn.lock);
		close(g->fd);
		free(g);
		free(now);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	if (hrasconn == INVALID_HANDLE_VALUE && !cn.running) {
		free(cn.seen);
		cn.seen = now;
		cn.nseen = nnow;
		now = NULL;
	}
	list_add_tail(&cn.regs, &g->link);
	cn.nregs++;
	if (cn.running) {
		/* a look that began before this and left it out must not be
		 * the last one: the change it missed would go unseen */
		kick = true;
	} else {
		if (pthread_create(&t, NULL, look_main, NULL) != 0) {
			reg_free_locked(g);
			log_mutex_unlock(&cn.lock);
			free(now);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
		pthread_detach(t);
		cn.running = true;
	}
	log_mutex_unlock(&cn.lock);
	free(now);
	if (kick && ras_client_on())
		ras_client_change_kick();
	else if (kick)
		ras_mgr_change_kick();
	return 0;
}
