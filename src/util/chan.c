/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The channel's request decoder (see chan.h): tapixd's side. */
#include "util/chan.h"

#include <errno.h>
#include <string.h>

int chan_req_decode(const struct chan_req *shared, struct chan_call *out)
{
	struct chan_req *q = &out->copy;

	/* one copy, then only the copy is looked at: the header, then the
	 * data it says there is (bounded; checked below) */
	memcpy(q, shared, offsetof(struct chan_req, data));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(q->data, shared->data, q->len < CHAN_DATA ? q->len : CHAN_DATA);
	out->op = (enum chan_op)q->op;
	out->h = q->h;
	out->arg = q->arg;
	out->hint = q->hint;
	out->has_ptr = q->flags & CHAN_HAS_PTR;
	out->has_data = q->flags & CHAN_HAS_DATA;
	out->dest = NULL;
	out->uui = NULL;
	out->uui_size = 0;
	if (q->op < CHAN_MAKE_CALL || q->op >= CHAN_OP_END ||
	    (q->flags & ~(CHAN_HAS_PTR | CHAN_HAS_DATA)) || q->len > CHAN_DATA)
		return -EINVAL;
	switch (out->op) {
	case CHAN_MAKE_CALL:
		if (out->has_data) {
			if (q->len == 0 || q->data[q->len - 1] != '\0')
				return -EINVAL;
			out->dest = q->data;
		}
		return 0;
	case CHAN_ACCEPT:
	case CHAN_ANSWER:
	case CHAN_DROP:
	case CHAN_DROP_EX:
	case CHAN_SEND_UUI:
		if (out->has_data) {
			out->uui = q->data;
			out->uui_size = q->arg > q->len ? q->len : q->arg;
		} else {
			out->uui_size = q->arg;
		}
		return 0;
	default:
		return 0;
	}
}
