/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rows of calls.def on the wire (RPC, RPC_OWN), as data: what the
 * client's marshaller, tapixd's handler and tapix-rpcgen walk. */
#include "rpc/rpc.h"

const struct rpc_row rpc_rows[RPC_N] = {
#define RPC(fn, ret, params, member, shape, hk, chan, flags, fix, note) \
	[RPC_IDX_##fn] = {#fn,                                          \
	                  member,                                       \
	                  RPC_IN(shape),                                \
	                  RPC_OUT(shape),                               \
	                  {RPC_KIND_LIST(shape)},                       \
	                  RPC_NKINDS(shape),                            \
	                  RPC_##hk,                                     \
	                  RPC_CHAN_NUM(chan),                           \
	                  flags,                                        \
	                  fix},
#define RPC_OWN(fn, ret, params, member, shape, hk, flags, note) \
	[RPC_IDX_##fn] = {#fn,                                   \
	                  member,                                \
	                  RPC_IN(shape),                         \
	                  RPC_OUT(shape),                        \
	                  {RPC_KIND_LIST(shape)},                \
	                  RPC_NKINDS(shape),                     \
	                  RPC_##hk,                              \
	                  0,                                     \
	                  flags,                                 \
	                  RPC_NOFIX},
#include "rpc/calls.def"
};
