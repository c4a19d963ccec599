/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the rows of calls.def are made of. calls.def lists every function
 * libtapix forwards to tapixd (org.tapix.Tapi1), once; each consumer (the
 * client's stubs, tapixd's handlers and vtable, the channel's op numbers,
 * tapix-rpcgen's docs and XML, test_rpc) defines the row macros it needs
 * and includes it. This header gives them the vocabulary: argument kinds,
 * shapes (a named list of kinds), handle kinds, flags, and the macros that
 * turn a row's parameter list and shape into code.
 *
 * A kind is one argument as the wire carries it and as both sides handle
 * it; a shape is the kinds of a function's parameters, in order, plus the
 * wire-only ones. From a shape alone come the D-Bus signatures, the
 * marshalling on both sides and the docs' columns, so a function whose
 * arguments follow a known pattern is one row, and a new pattern is one
 * shape line here (and a new kind, with its few cases on each side, only
 * for an argument of a new type).
 */
#ifndef TAPIX_RPC_RPC_H
#define TAPIX_RPC_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <tapi.h>
#include <tapix/tapix.h>

/* ---- preprocessor helpers ---------------------------------------------- */

#define RPC_UNPAREN(...)         __VA_ARGS__
#define RPC_CAT(a, b)            RPC_CAT_(a, b)
#define RPC_CAT_(a, b)           a##b
#define RPC_FIRST(...)           RPC_FIRST_(__VA_ARGS__, )
#define RPC_FIRST_(a, ...)       a
#define RPC_SECOND(...)          RPC_SECOND_(__VA_ARGS__, , )
#define RPC_SECOND_(a, b, ...)   b
#define RPC_THIRD(...)           RPC_THIRD_(__VA_ARGS__, , , )
#define RPC_THIRD_(a, b, c, ...) c
#define RPC_COMMA()              ,
#define RPC_NOSEP()

/* The number of arguments, 1 to 12. */
#define RPC_COUNT(...) \
	RPC_COUNT_(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, )
#define RPC_COUNT_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n

/* m(0, a1) sep() m(1, a2) sep() ... for 1 to 12 arguments. */
#define RPC_EACH(m, sep, ...) \
	RPC_CAT(RPC_EACH_, RPC_COUNT(__VA_ARGS__))(m, sep, __VA_ARGS__)
#define RPC_EACH_1(m, s, a)             m(0, a)
#define RPC_EACH_2(m, s, a, b)          RPC_EACH_1(m, s, a) s() m(1, b)
#define RPC_EACH_3(m, s, a, b, c)       RPC_EACH_2(m, s, a, b) s() m(2, c)
#define RPC_EACH_4(m, s, a, b, c, d)    RPC_EACH_3(m, s, a, b, c) s() m(3, d)
#define RPC_EACH_5(m, s, a, b, c, d, e) RPC_EACH_4(m, s, a, b, c, d) s() m(4, e)
#define RPC_EACH_6(m, s, a, b, c, d, e, f) \
	RPC_EACH_5(m, s, a, b, c, d, e) s() m(5, f)
#define RPC_EACH_7(m, s, a, b, c, d, e, f, g) \
	RPC_EACH_6(m, s, a, b, c, d, e, f) s() m(6, g)
#define RPC_EACH_8(m, s, a, b, c, d, e, f, g, h) \
	RPC_EACH_7(m, s, a, b, c, d, e, f, g) s() m(7, h)
#define RPC_EACH_9(m, s, a, b, c, d, e, f, g, h, i) \
	RPC_EACH_8(m, s, a, b, c, d, e, f, g, h) s() m(8, i)
#define RPC_EACH_10(m, s, a, b, c, d, e, f, g, h, i, j) \
	RPC_EACH_9(m, s, a, b, c, d, e, f, g, h, i) s() m(9, j)
#define RPC_EACH_11(m, s, a, b, c, d, e, f, g, h, i, j, k) \
	RPC_EACH_10(m, s, a, b, c, d, e, f, g, h, i, j) s() m(10, k)
#define RPC_EACH_12(m, s, a, b, c, d, e, f, g, h, i, j, k, l) \
	RPC_EACH_11(m, s, a, b, c, d, e, f, g, h, i, j, k) s() m(11, l)

/* ---- a row's parameters: ((TYPE, name), ...) ------------------------------
 * RPC_PROTO: the parameter list of the prototype; RPC_NAMES: the names, as
 * arguments; RPC_NPARAMS: how many; RPC_PACK: each as a uintptr_t (what the
 * marshallers take); RPC_UNPACK: each back to its type from v[i], v being
 * an array of uintptr_t in scope where it is expanded.
 */
#define RPC_PROTO(params)       RPC_EACH(RPC_P_DECL, RPC_COMMA, RPC_UNPAREN params)
#define RPC_NAMES(params)       RPC_EACH(RPC_P_NAME, RPC_COMMA, RPC_UNPAREN params)
#define RPC_PACK(params)        RPC_EACH(RPC_P_PACK, RPC_COMMA, RPC_UNPAREN params)
#define RPC_UNPACK(params)      RPC_EACH(RPC_P_CAST, RPC_COMMA, RPC_UNPAREN params)
#define RPC_NPARAMS(params)     RPC_COUNT_X(RPC_UNPAREN params)
#define RPC_COUNT_X(...)        RPC_COUNT(__VA_ARGS__)
#define RPC_P_DECL(i, p)        RPC_P_DECL_ p
#define RPC_P_DECL_(type, name) type name
#define RPC_P_NAME(i, p)        RPC_SECOND p
#define RPC_P_PACK(i, p)        (uintptr_t)(RPC_SECOND p)
#define RPC_P_CAST(i, p)        (RPC_FIRST p)(v[i])

/* ---- argument kinds --------------------------------------------------------
 * RPC_K_<kind>_DEF: a C parameter (1) or wire-only (0), the D-Bus types it
 * sends, the types it adds to the reply (after the first, the LONG "i").
 */
#define RPC_KINDS(X)           \
	X(RPC_K_H)             \
	X(RPC_K_H2_CALL)       \
	X(RPC_K_H2_CONSULT)    \
	X(RPC_K_H2_LINE)       \
	X(RPC_K_DEV)           \
	X(RPC_K_U32)           \
	X(RPC_K_U64)           \
	X(RPC_K_STR)           \
	X(RPC_K_UUI)           \
	X(RPC_K_SIZE)          \
	X(RPC_K_PARAMS)        \
	X(RPC_K_OUT_STRUCT)    \
	X(RPC_K_OUT_U32)       \
	X(RPC_K_OUT_EXT)       \
	X(RPC_K_OUT_LINE)      \
	X(RPC_K_OUT_CALL)      \
	X(RPC_K_OUT_CONF_CALL) \
	X(RPC_K_ZERO)          \
	X(RPC_K_LINE_OF)       \
	X(RPC_K_OUT_FDS)       \
	X(RPC_K_TONES)         \
	X(RPC_K_WATCH)         \
	X(RPC_K_DIGITS)        \
	X(RPC_K_CALL_LINE)

/* the handle the row's hk names (an app, line or call of the sender's) */
#define RPC_K_H_DEF 1, "u", ""
/* a second call of the sender's, else LINEERR_INVALCALLHANDLE */
#define RPC_K_H2_CALL_DEF 1, "u", ""
/* a consultation call of the sender's, else INVALCONSULTCALLHANDLE */
#define RPC_K_H2_CONSULT_DEF 1, "u", ""
/* H_CALL_OR_LINE's line: the primary handle when the call is 0; with a
 * call, 0 or a line of the sender's (checked after the handle slot) */
#define RPC_K_H2_LINE_DEF 1, "u", ""
/* a device id of the client's view (tapixd maps it to the core's) */
#define RPC_K_DEV_DEF 1, "u", ""
#define RPC_K_U32_DEF 1, "u", ""
#define RPC_K_U64_DEF 1, "t", ""
/* an optional string: given, then the string ("" when not) */
#define RPC_K_STR_DEF 1, "bs", ""
/* optional bytes, whose count is the next argument (RPC_K_SIZE): given,
 * then the bytes sent (at most 1 MiB) */
#define RPC_K_UUI_DEF  1, "bay", ""
#define RPC_K_SIZE_DEF 1, "u", ""
/* an optional input structure: its dwTotalSize bytes (none: NULL) */
#define RPC_K_PARAMS_DEF 1, "ay", ""
/* a structure to fill: given, its dwTotalSize; back the bytes filled */
#define RPC_K_OUT_STRUCT_DEF 1, "bu", "ay"
/* an LPDWORD to write: given; back its value */
#define RPC_K_OUT_U32_DEF 1, "b", "u"
/* an LPLINEEXTENSIONID to write: given; back its 16 bytes */
#define RPC_K_OUT_EXT_DEF 1, "b", "ay"
/* an LPHLINE to write: given; back the new open */
#define RPC_K_OUT_LINE_DEF 1, "b", "u"
/* an LPHCALL written at the request's LINE_REPLY (Messages' handles) */
#define RPC_K_OUT_CALL_DEF 1, "b", ""
/* the same, only when the next argument is LINETRANSFERMODE_CONFERENCE */
#define RPC_K_OUT_CONF_CALL_DEF 1, "b", ""
/* a wire placeholder: 0 going in, not a parameter */
#define RPC_K_ZERO_DEF 0, "u", ""
/* back: the open the request went through (the client's key for the
 * handles its LINE_REPLY writes), not a parameter */
#define RPC_K_LINE_OF_DEF 0, "", "u"
/* back: descriptors the answer names (lineGetID's TAPIXWAVEID), not a
 * parameter */
#define RPC_K_OUT_FDS_DEF 0, "", "ah"
/* lineGenerateTone's LINEGENERATETONE array: as many as the argument
 * before says (at most RPC_MAX_TONES sent; none: NULL) */
#define RPC_K_TONES_DEF 1, "ay", ""
#define RPC_MAX_TONES   64
/* lineMonitorTones' LINEMONITORTONE array: given, then as many as the
 * next argument (RPC_K_SIZE) says, at most RPC_MAX_TONES */
#define RPC_K_WATCH_DEF 1, "bay", ""
/* lineGatherDigits' buffer, filled at the end: given (its room is the
 * next argument, RPC_K_SIZE, at most RPC_GATHER_MAX); the digits come
 * as RPC_MSG_DIGITS messages ahead of the LINE_GATHERDIGITS (chan.h) */
#define RPC_K_DIGITS_DEF 1, "b", ""
#define RPC_GATHER_MAX   4096 /* tapi.h's bound, the core's GATHER_MAX */
/* back: the open of the primary handle, a call (what the client forgets
 * with that open), and the id tapixd gave the request (its
 * RPC_MSG_DIGITS and LINE_GATHERDIGITS carry it), not a parameter */
#define RPC_K_CALL_LINE_DEF 0, "", "uu"

enum rpc_kind {
#define RPC_K_ENUM(k) k,
	RPC_KINDS(RPC_K_ENUM)
#undef RPC_K_ENUM
	RPC_K_END
};

/* ---- shapes ----------------------------------------------------------------
 * The kinds of a row's arguments, in the order of its parameters (and of
 * the wire). A new function whose arguments follow one of these is a row
 * of calls.def; a new pattern is a line here.
 */
#define RPC_SHAPE_HANDLE             (RPC_K_H)
#define RPC_SHAPE_HANDLE_U32         (RPC_K_H, RPC_K_U32)
#define RPC_SHAPE_HANDLE_U32_U32     (RPC_K_H, RPC_K_U32, RPC_K_U32)
#define RPC_SHAPE_HANDLE_STR_U32     (RPC_K_H, RPC_K_STR, RPC_K_U32)
#define RPC_SHAPE_HANDLE_U32_STR_U32 (RPC_K_H, RPC_K_U32, RPC_K_STR, RPC_K_U32)
#define RPC_SHAPE_HANDLE_QUERY \
	(RPC_K_H, RPC_K_ZERO, RPC_K_ZERO, RPC_K_OUT_STRUCT)
#define RPC_SHAPE_HANDLE_U32_U32_QUERY \
	(RPC_K_H, RPC_K_U32, RPC_K_U32, RPC_K_OUT_STRUCT)
#define RPC_SHAPE_NEGOTIATE \
	(RPC_K_H, RPC_K_DEV, RPC_K_U32, RPC_K_U32, RPC_K_OUT_U32, RPC_K_OUT_EXT)
#define RPC_SHAPE_DEV_QUERY \
	(RPC_K_H, RPC_K_DEV, RPC_K_U32, RPC_K_U32, RPC_K_OUT_STRUCT)
#define RPC_SHAPE_ADDR_QUERY \
	(RPC_K_H, RPC_K_DEV, RPC_K_U32, RPC_K_U32, RPC_K_U32, RPC_K_OUT_STRUCT)
#define RPC_SHAPE_OPEN                                                        \
	(RPC_K_H, RPC_K_DEV, RPC_K_OUT_LINE, RPC_K_U32, RPC_K_U32, RPC_K_U64, \
	 RPC_K_U32, RPC_K_U32, RPC_K_PARAMS)
#define RPC_SHAPE_MAKE_CALL                                           \
	(RPC_K_H, RPC_K_OUT_CALL, RPC_K_STR, RPC_K_U32, RPC_K_PARAMS, \
	 RPC_K_LINE_OF)
#define RPC_SHAPE_GET_ID                                                 \
	(RPC_K_H, RPC_K_U32, RPC_K_H2_CALL, RPC_K_U32, RPC_K_OUT_STRUCT, \
	 RPC_K_STR, RPC_K_OUT_FDS)
#define RPC_SHAPE_MONITOR_TONES (RPC_K_H, RPC_K_WATCH, RPC_K_SIZE)
#define RPC_SHAPE_GATHER                                                     \
	(RPC_K_H, RPC_K_U32, RPC_K_DIGITS, RPC_K_SIZE, RPC_K_STR, RPC_K_U32, \
	 RPC_K_U32, RPC_K_CALL_LINE)
#define RPC_SHAPE_GENERATE_TONE \
	(RPC_K_H, RPC_K_U32, RPC_K_U32, RPC_K_U32, RPC_K_TONES)
#define RPC_SHAPE_CALL_UUI      (RPC_K_H, RPC_K_UUI, RPC_K_SIZE)
#define RPC_SHAPE_CALL_UUI_HINT (RPC_K_H, RPC_K_UUI, RPC_K_SIZE, RPC_K_U32)
#define RPC_SHAPE_CALL_CALL     (RPC_K_H, RPC_K_H2_CALL)
#define RPC_SHAPE_SETUP_CONF                                                \
	(RPC_K_H, RPC_K_H2_LINE, RPC_K_OUT_CALL, RPC_K_OUT_CALL, RPC_K_U32, \
	 RPC_K_PARAMS, RPC_K_LINE_OF)
#define RPC_SHAPE_CREATE_PARAMS \
	(RPC_K_H, RPC_K_OUT_CALL, RPC_K_PARAMS, RPC_K_LINE_OF)
#define RPC_SHAPE_COMPLETE_XFER                                     \
	(RPC_K_H, RPC_K_H2_CONSULT, RPC_K_OUT_CONF_CALL, RPC_K_U32, \
	 RPC_K_LINE_OF)

/* A shape's kinds as an initializer list, their number, how many are
 * parameters, and its D-Bus signatures (string literals). */
#define RPC_KIND_LIST(shape) RPC_SHAPE_EACH(RPC_KL_, RPC_COMMA, shape)
#define RPC_NKINDS(shape)    RPC_NKINDS_(RPC_SHAPE_##shape)
#define RPC_NARGKINDS(shape) (0 RPC_SHAPE_EACH(RPC_KN_, RPC_NOSEP, shape))
#define RPC_IN(shape)        "" RPC_SHAPE_EACH(RPC_KI_, RPC_NOSEP, shape)
#define RPC_OUT(shape)       "i" RPC_SHAPE_EACH(RPC_KO_, RPC_NOSEP, shape)
/* m(i, kind) for each kind of @shape, separated by sep() (one level more,
 * so that the shape is expanded before it is unwrapped) */
#define RPC_SHAPE_EACH(m, sep, shape) RPC_SHAPE_EACH_(m, sep, RPC_SHAPE_##shape)
#define RPC_SHAPE_EACH_(m, sep, s)    RPC_EACH(m, sep, RPC_UNPAREN s)
#define RPC_NKINDS_(s)                RPC_COUNT_X(RPC_UNPAREN s)
#define RPC_KL_(i, k)                 k
#define RPC_KN_(i, k)                 +RPC_FIRST(k##_DEF)
#define RPC_KI_(i, k)                 RPC_SECOND(k##_DEF)
#define RPC_KO_(i, k)                 RPC_THIRD(k##_DEF)

/* ---- the other row fields ---------------------------------------------- */

/* hk: the primary handle's kind, which says how tapixd finds the sender's
 * registration from it and the error when it is not the sender's */
enum rpc_hk {
	RPC_H_NONE,
	RPC_H_APP,          /* HLINEAPP: LINEERR_INVALAPPHANDLE */
	RPC_H_LINE,         /* HLINE: LINEERR_INVALLINEHANDLE */
	RPC_H_CALL,         /* HCALL: LINEERR_INVALCALLHANDLE */
	RPC_H_CONF,         /* conference HCALL: LINEERR_INVALCONFCALLHANDLE */
	RPC_H_CALL_OR_LINE, /* the HCALL, or with 0 the H2_LINE */
};

/* flags */
enum {
	RPC_ASYNC = 1u,      /* returns a request id (a LINE_REPLY follows) */
	RPC_KILLS_LINE = 2u, /* on success the open is gone: its messages,
	                        pending handles and slots with it */
	RPC_KILLS_CALL = 4u, /* on success the call handle is gone */
};

/* chan: RPC_CHAN(n, NAME), op n of the channel (CHAN_NAME), or
 * RPC_NOCHAN. Expanded before use it is three arguments (whether, the
 * number, the name); RPC_CHAN_EMIT(chan, what, fn, shape) is what(n,
 * NAME, fn, shape) for a row with an op, nothing else. */
#define RPC_CHAN(n, name)  1, n, name
#define RPC_NOCHAN         0, 0, NONE
#define RPC_CHAN_EMIT(...) RPC_CHAN_EMIT_(__VA_ARGS__)
#define RPC_CHAN_EMIT_(yes, n, name, what, fn, shape) \
	RPC_CHAN_EMIT_##yes(n, name, what, fn, shape)
#define RPC_CHAN_EMIT_0(n, name, what, fn, shape)
#define RPC_CHAN_EMIT_1(n, name, what, fn, shape) what(n, name, fn, shape)
#define RPC_CHAN_NUM(...)                         RPC_SECOND(__VA_ARGS__)

/* fix: a device id in the structure the row fills, mapped back to the
 * client's view (its offset; never 0, which is dwTotalSize's) */
#define RPC_NOFIX                  0
#define RPC_FIX_DEVID(type, field) offsetof(type, field)

/* ---- the rows, indexed ----------------------------------------------------
 */

enum rpc_idx {
#define RPC(fn, ...)     RPC_IDX_##fn,
#define RPC_OWN(fn, ...) RPC_IDX_##fn,
#include "rpc/calls.def"
	RPC_N
};

#define RPC_MAX_KINDS 12

/* What every consumer needs of a row of the wire (RPC and RPC_OWN). */
struct rpc_row {
	const char *fn;     /* the C function */
	const char *member; /* its D-Bus method */
	const char *in;     /* D-Bus signatures */
	const char *out;
	uint8_t kinds[RPC_MAX_KINDS]; /* enum rpc_kind */
	uint8_t nkinds;
	uint8_t hk;    /* enum rpc_hk */
	uint8_t chan;  /* channel op, 0 for none */
	uint8_t flags; /* RPC_ASYNC ... */
	uint16_t fix;  /* RPC_FIX_DEVID offset, or 0 */
};

extern const struct rpc_row rpc_rows[RPC_N];

#endif /* TAPIX_RPC_RPC_H */
