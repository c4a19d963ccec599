/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client's side of a channel to tapixd (rpc/chan.h): function calls
 * and messages through memory shared with tapixd, on a direct connection.
 * The caller serialises every function here except cchan_pending,
 * cchan_head, cchan_dead, cchan_wake_reader, cchan_reader_sleep and
 * cchan_reader_woken (which only read or touch flags) and cchan_call,
 * which may run beside cchan_drain (they share only the dead flag) but
 * beside no other cchan_call or cchan_end.
 */
#ifndef TAPIX_CLIENT_CHANNEL_H
#define TAPIX_CLIENT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "rpc/chan.h"

struct cchan;

/* Asks tapixd on direct connection @bus for a channel (Channel) and maps
 * it. 0, or -errno (then the client goes on with D-Bus only). */
int cchan_open(sd_bus *bus, struct cchan **out);
void cchan_close(struct cchan *ch);

/* What the reader waits on: readable when messages came and it slept, or
 * cchan_wake_reader woke it. */
int cchan_msg_fd(const struct cchan *ch);

/*
 * One function call: @req (its data @req->len bytes) goes to tapixd, the
 * answer is awaited for at most @usec. 0 with *@result and *@line (what
 * the service said), -ETIMEDOUT, or -ECONNRESET when tapixd went; after
 * either the channel is not used again (cchan_dead). The messages that
 * came meanwhile (the call's own among them) stay in the ring, tapixd
 * not waking the reader for them, until cchan_end, which must follow;
 * the caller drains them after it.
 */
int cchan_call(struct cchan *ch, const struct chan_req *req, uint64_t usec,
               int32_t *result, uint32_t *line);
/* After cchan_call: tapixd wakes the reader for messages again. */
void cchan_end(struct cchan *ch);
bool cchan_dead(const struct cchan *ch);
/* Whether messages wait in the ring. */
bool cchan_pending(const struct cchan *ch);
/* Wakes the reader as tapixd would (its sleep missed a drain). */
void cchan_wake_reader(struct cchan *ch);

/* Where tapixd has written messages to (cchan_drain's @upto). */
uint32_t cchan_head(const struct cchan *ch);
/* Gives every message written before @upto (cchan_head then) to @take,
 * in order. */
void cchan_drain(struct cchan *ch, uint32_t upto,
                 void (*take)(const struct chan_msg *));

/* The reader is about to wait on cchan_msg_fd: false if messages wait. */
bool cchan_reader_sleep(struct cchan *ch);
/* It woke: clears what woke it. */
void cchan_reader_woken(struct cchan *ch);

#endif
