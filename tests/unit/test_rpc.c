/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The table of forwarded calls (src/rpc/calls.def) against the public
 * headers and against itself. Issue 16 item 1: each forwarded call is
 * described once, so what the table says must be true of the functions
 * it names. Part of it is checked by compiling (a row's prototype that
 * differs from tapi.h's, a parameter count that differs from its shape's,
 * a channel number twice, 0 or beyond the count: none of them builds);
 * the rest by the tests below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <tapi.h>
#include <tapix/tapix.h>

#include "rpc/chan.h"
#include "rpc/rpc.h"

/* ---- at compile time ---------------------------------------------------- */

/* Each row's prototype is the public one: a declaration that differs from
 * tapi.h's or tapix.h's is an error ("conflicting types"). */
#define RPC(fn, ret, params, ...)       TAPIX_API ret fn(RPC_PROTO(params));
#define RPC_OWN(fn, ret, params, ...)   TAPIX_API ret fn(RPC_PROTO(params));
#define RPC_REG(fn, ret, params, ...)   TAPIX_API ret fn(RPC_PROTO(params));
#define RPC_ALIAS(fn, ret, params, ...) TAPIX_API ret fn(RPC_PROTO(params));
#define RPC_LOCAL(fn, ret, params, ...) TAPIX_API ret fn(RPC_PROTO(params));
#include "rpc/calls.def"

/* Each row has as many parameters as its shape has parameter kinds. */
#define RPC(fn, ret, params, member, shape, ...)                    \
	_Static_assert(RPC_NPARAMS(params) == RPC_NARGKINDS(shape), \
	               #fn ": its parameters are not its shape's");
#define RPC_OWN(fn, ret, params, member, shape, ...)                \
	_Static_assert(RPC_NPARAMS(params) == RPC_NARGKINDS(shape), \
	               #fn ": its parameters are not its shape's");
#include "rpc/calls.def"

/* The channel's ops from the table: each number once, 1 to the count. An
 * op of 0 or beyond the count is out of this array's bounds, one twice
 * an initializer overridden: both errors (-Werror). */
enum {
	TABLE_CHAN_END = 1
#define CHAN_COUNT(n, name, fn, shape) +1
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, CHAN_COUNT, fn, shape)
#include "rpc/calls.def"
#undef CHAN_COUNT
};
static const uint8_t chan_row[TABLE_CHAN_END - 1] = {
#define CHAN_ROW(n, name, fn, shape) [(n)-1] = RPC_IDX_##fn,
#define RPC(fn, ret, params, member, shape, hk, chan, ...) \
	RPC_CHAN_EMIT(chan, CHAN_ROW, fn, shape)
#include "rpc/calls.def"
#undef CHAN_ROW
};

/* The numbers are CHAN_VERSION 2's and 3's (3 changed the descriptors,
 * not the ops), which clients and tapixd of another build share: rows
 * may add ops (after these), never renumber one; a change here goes with
 * a new CHAN_VERSION. */
_Static_assert((CHAN_VERSION != 2 && CHAN_VERSION != 3) ||
                       (CHAN_MAKE_CALL == 1 && CHAN_ACCEPT == 2 &&
                        CHAN_ANSWER == 3 && CHAN_DROP == 4 &&
                        CHAN_DROP_EX == 5 && CHAN_SEND_UUI == 6 &&
                        CHAN_RELEASE_UUI == 7 && CHAN_HOLD == 8 &&
                        CHAN_UNHOLD == 9 && CHAN_DEALLOCATE == 10 &&
                        CHAN_REMOVE_CONF == 11 && CHAN_OP_END >= 12),
               "the ops of CHAN_VERSION 2 and 3");
_Static_assert(CHAN_VERSION <= 3, "a new CHAN_VERSION: its ops here");
_Static_assert((int)TABLE_CHAN_END == (int)CHAN_OP_END,
               "chan.h's ops are the table's");

/* ---- at run time -------------------------------------------------------- */

/* What a parameter's C type is, for its kind. */
enum pclass {
	P_U32,  /* a 32-bit integer: a handle, a DWORD */
	P_UPTR, /* an integer as wide as a pointer: DWORD_PTR */
	P_CSTR, /* const char * */
	P_PTR,  /* another pointer */
	P_OTHER,
};

/* (gcc and clang: 1 is an integer type, 5 a pointer type) */
#define PCLASS(T) \
	(_Generic((T)0, const char *: P_CSTR, default: P_OTHER) == P_CSTR      \
	         ? P_CSTR                                                      \
	 : __builtin_classify_type((T)0) == 5 ? P_PTR                          \
	 : __builtin_classify_type((T)0) == 1 && sizeof(T) == 4 ? P_U32        \
	 : __builtin_classify_type((T)0) == 1 &&                               \
	                 sizeof(T) == sizeof(uintptr_t)                        \
	         ? P_UPTR                                                      \
	         : P_OTHER)
#define PCLASS_OF(i, p) PCLASS(RPC_FIRST p)

static const struct {
	enum pclass c[RPC_MAX_KINDS];
	unsigned n;
} params_of[RPC_N] = {
#define RPC(fn, ret, params, ...)                                            \
	[RPC_IDX_##                                                          \
		fn] = {{RPC_EACH(PCLASS_OF, RPC_COMMA, RPC_UNPAREN params)}, \
	               RPC_NPARAMS(params)},
#define RPC_OWN(fn, ret, params, ...)                                        \
	[RPC_IDX_##                                                          \
		fn] = {{RPC_EACH(PCLASS_OF, RPC_COMMA, RPC_UNPAREN params)}, \
	               RPC_NPARAMS(params)},
#include "rpc/calls.def"
};

static enum pclass kind_class(unsigned k)
{
	switch (k) {
	case RPC_K_H:
	case RPC_K_H2_CALL:
	case RPC_K_H2_CONSULT:
	case RPC_K_H2_LINE:
	case RPC_K_DEV:
	case RPC_K_U32:
	case RPC_K_SIZE:
		return P_U32;
	case RPC_K_U64:
		return P_UPTR;
	case RPC_K_STR:
	case RPC_K_UUI:
		return P_CSTR;
	case RPC_K_PARAMS:
	case RPC_K_OUT_STRUCT:
	case RPC_K_OUT_U32:
	case RPC_K_OUT_EXT:
	case RPC_K_OUT_LINE:
	case RPC_K_OUT_CALL:
	case RPC_K_OUT_CONF_CALL:
	case RPC_K_TONES:
	case RPC_K_WATCH:
	case RPC_K_DIGITS:
		return P_PTR;
	default:
		return P_OTHER; /* wire-only */
	}
}

static bool is_param(unsigned k)
{
	return k != RPC_K_ZERO && k != RPC_K_LINE_OF && k != RPC_K_OUT_FDS &&
	       k != RPC_K_CALL_LINE;
}

static unsigned count(const struct rpc_row *r, unsigned k)
{
	unsigned i, n = 0;

	for (i = 0; i < r->nkinds; i++)
		n += r->kinds[i] == k;
	return n;
}

/* Each parameter is of the C type its kind handles: a kind that reads a
 * string must not get an integer, one that writes through a pointer must
 * get one (the marshallers convert through uintptr_t, which no compiler
 * would stop). */
static void test_each_parameter_is_of_its_kinds_type(void **state)
{
	unsigned i, j, p;

	(void)state;
	for (i = 0; i < RPC_N; i++) {
		const struct rpc_row *r = &rpc_rows[i];

		for (j = 0, p = 0; j < r->nkinds; j++) {
			if (!is_param(r->kinds[j]))
				continue;
			assert_true(p < params_of[i].n);
			if (params_of[i].c[p] != kind_class(r->kinds[j]))
				fail_msg(
					"%s: parameter %u is not of its kind's "
					"type",
					r->fn, p + 1);
			p++;
		}
		assert_int_equal(p, params_of[i].n);
	}
}

/* The rules a shape's kinds follow, which the marshallers rely on. */
static void test_each_shape_is_well_formed(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < RPC_N; i++) {
		const struct rpc_row *r = &rpc_rows[i];
		unsigned calls = count(r, RPC_K_OUT_CALL) +
		                 count(r, RPC_K_OUT_CONF_CALL);

		if (r->nkinds == 0 || r->kinds[0] != RPC_K_H)
			fail_msg("%s: the first argument is not its handle",
			         r->fn);
		if (count(r, RPC_K_H) != 1)
			fail_msg("%s: not one primary handle", r->fn);
		for (j = 0; j < r->nkinds; j++) {
			unsigned next =
				j + 1 < r->nkinds ? r->kinds[j + 1] : RPC_K_END;

			if (r->kinds[j] == RPC_K_UUI && next != RPC_K_SIZE)
				fail_msg("%s: user-user info without its size",
				         r->fn);
			if (r->kinds[j] == RPC_K_WATCH && next != RPC_K_SIZE)
				fail_msg("%s: tones without their count",
				         r->fn);
			if (r->kinds[j] == RPC_K_DIGITS && next != RPC_K_SIZE)
				fail_msg("%s: a digit buffer without its room",
				         r->fn);
			if (r->kinds[j] == RPC_K_SIZE &&
			    (j == 0 || (r->kinds[j - 1] != RPC_K_UUI &&
			                r->kinds[j - 1] != RPC_K_WATCH &&
			                r->kinds[j - 1] != RPC_K_DIGITS)))
				fail_msg("%s: a size of nothing", r->fn);
			if (r->kinds[j] == RPC_K_OUT_CONF_CALL &&
			    next != RPC_K_U32)
				fail_msg("%s: a conference handle without its "
				         "mode",
				         r->fn);
		}
		if (count(r, RPC_K_OUT_STRUCT) > 1 ||
		    count(r, RPC_K_OUT_U32) > 1 ||
		    count(r, RPC_K_OUT_EXT) > 1 ||
		    count(r, RPC_K_OUT_LINE) > 1 ||
		    count(r, RPC_K_PARAMS) > 1 || count(r, RPC_K_LINE_OF) > 1 ||
		    calls > 2)
			fail_msg("%s: more outputs of a kind than a reply "
			         "holds",
			         r->fn);
		/* a request that writes handles later answers with its open */
		if ((calls != 0) != (count(r, RPC_K_LINE_OF) == 1))
			fail_msg("%s: handles written later, no open said",
			         r->fn);
		if (calls && !(r->flags & RPC_ASYNC))
			fail_msg("%s: handles written at a LINE_REPLY that "
			         "never comes",
			         r->fn);
		if (calls && r->hk == RPC_H_APP)
			fail_msg("%s: handles of no open", r->fn);
		if ((count(r, RPC_K_H2_LINE) != 0) !=
		    (r->hk == RPC_H_CALL_OR_LINE))
			fail_msg("%s: a call-or-line handle needs its line",
			         r->fn);
		if (r->fix && count(r, RPC_K_OUT_STRUCT) != 1)
			fail_msg("%s: a device id mapped in no structure",
			         r->fn);
		if (count(r, RPC_K_DEV) && r->hk != RPC_H_APP)
			fail_msg("%s: a device id of no registration", r->fn);
		if ((r->flags & (RPC_KILLS_LINE | RPC_KILLS_CALL)) &&
		    (r->flags & RPC_ASYNC))
			fail_msg("%s: kills a handle on a request id", r->fn);
		if ((r->flags & RPC_KILLS_LINE) && r->hk != RPC_H_LINE)
			fail_msg("%s: kills a line it has not", r->fn);
		if ((r->flags & RPC_KILLS_CALL) && r->hk != RPC_H_CALL)
			fail_msg("%s: kills a call it has not", r->fn);
	}
}

/* A channel op carries what its request can: the handle, a pointer
 * given, one string or one run of bytes (the data), and two numbers
 * (arg, hint); no structure (the D-Bus method takes those). */
static void test_channel_rows_fit_a_request(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < TABLE_CHAN_END - 1; i++) {
		const struct rpc_row *r = &rpc_rows[chan_row[i]];
		unsigned data = 0, nums = 0;

		assert_int_equal(r->chan, i + 1);
		for (j = 0; j < r->nkinds; j++) {
			switch (r->kinds[j]) {
			case RPC_K_H:
			case RPC_K_OUT_CALL:
			case RPC_K_PARAMS: /* only when NULL */
			case RPC_K_LINE_OF:
				break;
			case RPC_K_STR:
			case RPC_K_UUI:
				data++;
				break;
			case RPC_K_U32:
			case RPC_K_SIZE:
				nums++;
				break;
			default:
				fail_msg("%s: an argument the channel cannot "
				         "carry",
				         r->fn);
			}
		}
		if (data > 1 || nums > 2)
			fail_msg("%s: more than a request holds", r->fn);
		if (r->hk != RPC_H_LINE && r->hk != RPC_H_CALL)
			fail_msg("%s: the channel checks lines and calls only",
			         r->fn);
	}
	for (i = 0; i < RPC_N; i++)
		if (rpc_rows[i].chan)
			assert_int_equal(chan_row[rpc_rows[i].chan - 1], i);
}

/* Every method and signal of the interface has its own name. */
static void test_members_are_unique(void **state)
{
	static const char *const names[] = {
#define RPC(fn, ret, params, member, ...)     member,
#define RPC_OWN(fn, ret, params, member, ...) member,
#define RPC_REG(fn, ret, params, member, ...) member,
#define RPC_INFRA(name, ...)                  #name,
#define RPC_SIGNAL(member, ...)               member,
#include "rpc/calls.def"
	};
	size_t i, j, n = sizeof(names) / sizeof(names[0]);

	(void)state;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0)
				fail_msg("%s twice", names[i]);
}

/* The signatures are those of the kinds (what the vtable declares is
 * what the marshallers read and write). */
static void test_signatures_follow_the_kinds(void **state)
{
	static const char *const in[] = {
#define RPC_K_IN(k) [k] = RPC_SECOND(k##_DEF),
		RPC_KINDS(RPC_K_IN)
#undef RPC_K_IN
	};
	static const char *const out[] = {
#define RPC_K_OUT(k) [k] = RPC_THIRD(k##_DEF),
		RPC_KINDS(RPC_K_OUT)
#undef RPC_K_OUT
	};
	unsigned i, j;

	(void)state;
	for (i = 0; i < RPC_N; i++) {
		const struct rpc_row *r = &rpc_rows[i];
		char a[64] = "", b[64] = "i";

		for (j = 0; j < r->nkinds; j++) {
			size_t na = strlen(a), nb = strlen(b);

			assert_true(r->kinds[j] < RPC_K_END);
			snprintf(a + na, sizeof(a) - na, "%s", in[r->kinds[j]]);
			snprintf(b + nb, sizeof(b) - nb, "%s",
			         out[r->kinds[j]]);
		}
		assert_string_equal(r->in, a);
		assert_string_equal(r->out, b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_parameter_is_of_its_kinds_type),
		cmocka_unit_test(test_each_shape_is_well_formed),
		cmocka_unit_test(test_channel_rows_fit_a_request),
		cmocka_unit_test(test_members_are_unique),
		cmocka_unit_test(test_signatures_follow_the_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
