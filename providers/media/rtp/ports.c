/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The UDP port pairs of a provider's calls.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"

int ports_init(struct ports *p, uint16_t min, uint16_t max)
{
	unsigned first = (min + 1u) & ~1u;

	if (min == 0 || min > max || first + 1 > max)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		return -ENOMEM;
	p->first = (uint16_t)first;
	p->count = (max - first + 1) / 2;
	return 0;
}

void ports_destroy(struct ports *p)
{
	pthread_mutex_destroy(&p->lock);
}

static bool is_used(const struct ports *p, unsigned i)
{
	return p->used[i / 64] >> (i % 64) & 1;
}

static void set_used(struct ports *p, unsigned i, bool on)
{
	if (on)
		p->used[i / 64] |= 1ull << (i % 64);
	else
		p->used[i / 64] &= ~(1ull << (i % 64));
}

/* A UDP socket bound on @addr at @port: its descriptor or -errno. */
static int bind_one(const struct sockaddr *addr, socklen_t addrlen,
                    uint16_t port)
{
	struct sockaddr_storage ss;
	int fd, err;

	memcpy(&ss, addr, addrlen);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)&ss, addrlen) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int ports_open(struct ports *p, const struct sockaddr *addr, socklen_t addrlen,
               struct ports_pair *out)
{
	unsigned k;
	int rc = -EADDRINUSE;

	if (!((addr->sa_family == AF_INET &&
	       addrlen >= sizeof(struct sockaddr_in)) ||
	      (addr->sa_family == AF_INET6 &&
	       addrlen >= sizeof(struct sockaddr_in6))) ||
	    addrlen > sizeof(struct sockaddr_storage))
		return -EAFNOSUPPORT;
	/* the lock is held over the binds: the bitmap is the truth of
	 * which pair is whose, and the binds are quick system calls */
	pthread_mutex_lock(&p->lock);
	for (k = 0; k < p->count; k++) {
		unsigned i = (p->next + k) % p->count;
		uint16_t port = (uint16_t)(p->first + 2 * i);
		int a, b;

		if (is_used(p, i))
			continue;
		a = bind_one(addr, addrlen, port);
		if (a == -EADDRINUSE)
			continue;
		if (a < 0) {
			rc = a;
			break;
		}
		b = bind_one(addr, addrlen, (uint16_t)(port + 1));
		if (b < 0) {
			close(a);
			if (b == -EADDRINUSE)
				continue;
			rc = b;
			break;
		}
		set_used(p, i, true);
		p->in_use++;
		p->next = (i + 1) % p->count;
		out->rtp_port = port;
		out->rtp_fd = a;
		out->rtcp_fd = b;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void ports_close(struct ports *p, struct ports_pair *pair)
{
	unsigned i = (unsigned)(pair->rtp_port - p->first) / 2;

	close(pair->rtp_fd);
	close(pair->rtcp_fd);
	pair->rtp_fd = pair->rtcp_fd = -1;
	pthread_mutex_lock(&p->lock);
	if (pair->rtp_port >= p->first && i < p->count && is_used(p, i)) {
		set_used(p, i, false);
		p->in_use--;
	}
	pthread_mutex_unlock(&p->lock);
}

unsigned ports_in_use(struct ports *p)
{
	unsigned n;

	pthread_mutex_lock(&p->lock);
	n = p->in_use;
	pthread_mutex_unlock(&p->lock);
	return n;
}
