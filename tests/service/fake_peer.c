/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for tapixd's socket, for test_service: listens on PATH,
 * says "ready", serves one D-Bus connection (sd-bus answers Peer.Ping by
 * itself; nothing else is served) until the client leaves or 10 s pass,
 * then says "served N" (the messages the client sent) and exits 0 if it
 * sent any. The test runs it as another user.
 *
 * Usage: fake_peer PATH
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <systemd/sd-bus.h>

static int count(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(void)m;
	(void)e;
	++*(unsigned *)userdata;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct pollfd p;
	unsigned got = 0, i;
	sd_bus *b = NULL;
	sd_id128_t id;
	int fd, c;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(argv[1], 0666) != 0 || listen(fd, 4) != 0)
		return 3;
	printf("ready\n");
	fflush(stdout);
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 10000) != 1)
		return 1;
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0 || sd_id128_randomize(&id) < 0 || sd_bus_new(&b) < 0 ||
	    sd_bus_set_fd(b, c, c) < 0 || sd_bus_set_server(b, 1, id) < 0 ||
	    sd_bus_start(b) < 0 || sd_bus_add_filter(b, NULL, count, &got) < 0)
		return 4;
	for (i = 0; i < 1000 && sd_bus_is_open(b) > 0; i++)
		if (sd_bus_process(b, NULL) == 0)
			sd_bus_wait(b, 10000);
	sd_bus_flush_close_unref(b);
	printf("served %u\n", got);
	return got ? 0 : 1;
}
