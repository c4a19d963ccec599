/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's port allocator (providers/media/rtp/ports.h) on 127.0.0.1:
 * even RTP ports with RTCP above (RFC 3550 §11), a port another socket
 * holds passed over, exhaustion, and reuse after close. Runs in a
 * network namespace of its own where it can (fixed ports).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ports.h"

#define BASE 47000

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static int open_pair(struct ports *p, struct ports_pair *pair)
{
	struct sockaddr_in a = loopback(9); /* its port is ignored */

	return ports_open(p, (struct sockaddr *)&a, sizeof(a), pair);
}

static void test_ports_range_checked(void **state)
{
	struct ports p;

	(void)state;
	assert_int_equal(ports_init(&p, 0, 10), -EINVAL);
	assert_int_equal(ports_init(&p, 12, 11), -EINVAL);
	assert_int_equal(ports_init(&p, 11, 12), -EINVAL); /* 12, 13 > 12 */
	assert_int_equal(ports_init(&p, 11, 13), 0);
	assert_int_equal(p.first, 12);
	assert_int_equal(p.count, 1);
	ports_destroy(&p);
}

/* RFC 3550 §11: RTP on an even port, RTCP on the next; a pair whose
 * RTCP port another socket holds is passed over; then the range is
 * exhausted; a closed pair is free again and a freed foreign port too. */
static void test_ports_exhaustion_and_reuse(void **state)
{
	struct ports p;
	struct ports_pair a, b, c;
	struct sockaddr_in held = loopback(BASE + 3);
	int foreign;

	(void)state;
	foreign = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(foreign >= 0);
	assert_int_equal(bind(foreign, (struct sockaddr *)&held, sizeof(held)),
	                 0);
	assert_int_equal(ports_init(&p, BASE, BASE + 5), 0);
	assert_int_equal(open_pair(&p, &a), 0);
	assert_int_equal(a.rtp_port, BASE);
	assert_int_equal(bound_port(a.rtp_fd), BASE);
	assert_int_equal(bound_port(a.rtcp_fd), BASE + 1);
	assert_int_equal(open_pair(&p, &b), 0);
	assert_int_equal(b.rtp_port, BASE + 4);
	assert_int_equal(bound_port(b.rtcp_fd), BASE + 5);
	assert_int_equal(open_pair(&p, &c), -EADDRINUSE);
	assert_int_equal(ports_in_use(&p), 2);
	/* BASE + 2 was bound and closed again when BASE + 3 was refused */
	ports_close(&p, &a);
	assert_int_equal(a.rtp_fd, -1);
	assert_int_equal(open_pair(&p, &c), 0);
	assert_int_equal(c.rtp_port, BASE);
	close(foreign);
	ports_close(&p, &c);
	assert_int_equal(open_pair(&p, &a), 0);
	assert_int_equal(a.rtp_port, BASE + 2);
	ports_close(&p, &a);
	ports_close(&p, &b);
	assert_int_equal(ports_in_use(&p), 0);
	ports_destroy(&p);
}

/* Never two calls on one pair, and pairs handed out in turn: the one
 * just closed is not the next. */
static void test_ports_round_robin(void **state)
{
	struct ports p;
	struct ports_pair pair[4];
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	unsigned i, j;

	(void)state;
	assert_int_equal(ports_init(&p, BASE + 10, BASE + 17), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(open_pair(&p, &pair[i]), 0);
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			assert_int_not_equal(pair[i].rtp_port,
			                     pair[j].rtp_port);
	ports_close(&p, &pair[1]);
	ports_close(&p, &pair[3]);
	assert_int_equal(open_pair(&p, &pair[1]), 0);
	assert_int_equal(pair[1].rtp_port, BASE + 12);
	ports_close(&p, &pair[1]);
	assert_int_equal(open_pair(&p, &pair[1]), 0);
	assert_int_equal(pair[1].rtp_port, BASE + 16);
	assert_int_equal(
		ports_open(&p, (struct sockaddr *)&un, sizeof(un), &pair[3]),
		-EAFNOSUPPORT);
	for (i = 0; i < 3; i++)
		ports_close(&p, &pair[i]);
	ports_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_range_checked),
		cmocka_unit_test(test_ports_exhaustion_and_reuse),
		cmocka_unit_test(test_ports_round_robin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
