/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIP requests written byte by byte (sipraw.h). */
#include "sipraw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fx.h"

int sip_raw_invite(const struct sip_raw *r)
{
	static unsigned n;
	const char *user = r->from_user ? r->from_user : "raw";
	struct sockaddr_in me, to;
	char msg[8192], in[4096], ack[1024], id[64], tag[32], ctype[128];
	struct pollfd p;
	int fd, hl, status = -1;

	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons((uint16_t)r->from_port);
	to = me;
	to.sin_port = htons((uint16_t)r->to_port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	snprintf(id, sizeof(id), "raw%u-%d@127.0.0.1", ++n, (int)getpid());
	snprintf(tag, sizeof(tag), "r%u", n);
	ctype[0] = '\0';
	if (r->ctype)
		snprintf(ctype, sizeof(ctype), "Content-Type: %s\r\n",
		         r->ctype);
	hl = snprintf(msg, sizeof(msg),
	              "INVITE sip:tapix@127.0.0.1:%u SIP/2.0\r\n"
	              "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK%s\r\n"
	              "From: <sip:%s@127.0.0.1:%u>;tag=%s\r\n"
	              "To: <sip:tapix@127.0.0.1:%u>\r\n"
	              "Call-ID: %s\r\nCSeq: 1 INVITE\r\n"
	              "Contact: <sip:raw@127.0.0.1:%u>\r\n"
	              "Max-Forwards: 70\r\n%sContent-Length: %zu\r\n\r\n",
	              r->to_port, r->from_port, tag, user, r->from_port, tag,
	              r->to_port, id, r->from_port, ctype,
	              r->ctype ? r->len : 0);
	assert_true(hl > 0 && (size_t)hl + r->len <= sizeof(msg));
	if (r->ctype)
		memcpy(msg + hl, r->body, r->len);
	hl += r->ctype ? (int)r->len : 0;
	assert_int_equal(sendto(fd, msg, (size_t)hl, 0, (struct sockaddr *)&to,
	                        sizeof(to)),
	                 (ssize_t)hl);
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, r->wait_ms ? (int)r->wait_ms : 5000) == 1) {
		ssize_t k = recv(fd, in, sizeof(in) - 1, 0);
		const char *t, *e;
		int got;

		if (k <= 0)
			continue;
		in[k] = '\0';
		if (sscanf(in, "SIP/2.0 %d", &got) != 1 || got < 200)
			continue; /* provisional */
		status = got;
		if (r->resp && r->resp_size)
			snprintf(r->resp, r->resp_size, "%s", in);
		if (status < 300)
			break;
		/* the ACK of a final non-2xx: the response's own To */
		t = strstr(in, "\r\nTo:");
		e = t ? strstr(t + 2, "\r\n") : NULL;
		assert_non_null(e);
		hl = snprintf(
			ack, sizeof(ack),
			"ACK sip:tapix@127.0.0.1:%u SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK%s\r\n"
			"From: <sip:%s@127.0.0.1:%u>;tag=%s%.*s\r\n"
			"Call-ID: %s\r\nCSeq: 1 ACK\r\n"
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			r->to_port, r->from_port, tag, user, r->from_port, tag,
			(int)(e - t), t, id);
		assert_true(hl > 0 && (size_t)hl < sizeof(ack));
		sendto(fd, ack, (size_t)hl, 0, (struct sockaddr *)&to,
		       sizeof(to));
		break;
	}
	close(fd);
	return status;
}
