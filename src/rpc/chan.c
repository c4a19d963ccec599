/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The channel's request decoder (see chan.h): tapixd's side. What an op's
 * data is comes from its row's shape: a string or user-user info. */
#include "rpc/chan.h"

#include <errno.h>
#include <string.h>

/* The kind of each op's data (RPC_K_STR, RPC_K_UUI), or 0: none. */
#define DATA_KIND(k)  ((k) == RPC_K_STR || (k) == RPC_K_UUI ? (k) : 0)
#define DATA_OF(i, k) +DATA_KIND(k)
#define OP_DATA(n, name, fn, shape) \
	[(n)-1] = (0 RPC_SHAPE_EACH(DATA_OF, RPC_NOSEP, shape)),
static const uint8_t op_data[CHAN_OP_END - 1] = {
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, OP_DATA, fn, shape)
#include "rpc/calls.def"
};

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
	switch (op_data[q->op - 1]) {
	case RPC_K_STR:
		if (out->has_data) {
			if (q->len == 0 || q->data[q->len - 1] != '\0')
				return -EINVAL;
			out->dest = q->data;
		}
		return 0;
	case RPC_K_UUI:
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
