/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SIP requests written byte by byte, for tests that play a hostile or
 * broken peer: what no well-behaved stack would send.
 */
#ifndef TAPIX_TESTS_SIPRAW_H
#define TAPIX_TESTS_SIPRAW_H

#include <stddef.h>

/* One INVITE from UDP 127.0.0.1:@from_port to 127.0.0.1:@to_port. */
struct sip_raw {
	unsigned from_port, to_port;
	const char *from_user; /* the From URI's user part, bytes as they are
	                        * (NULL: "raw") */
	const char *ctype;     /* Content-Type (NULL: no body) */
	const char *body;
	size_t len;
	unsigned wait_ms; /* for the final response (0: 5000) */
	char *resp;       /* the final response's text, if not NULL */
	size_t resp_size;
};

/*
 * Sends the INVITE and, for a final non-2xx response, its ACK. @return
 * the final status, or -1 if none came in time. A 2xx is returned as it
 * is (not ACKed: the caller's test decides what follows).
 */
int sip_raw_invite(const struct sip_raw *r);

#endif /* TAPIX_TESTS_SIPRAW_H */
