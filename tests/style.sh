#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# House-style checks (STYLE.md §5, §11): no banned function in the sources,
# and every C file formatted with the project's .clang-format.
# Usage: style.sh SOURCE_DIR
set -eu
cd "$1"
files=$(find include src providers tests tools examples bench fuzz \
	-name '*.[ch]' -not -path '*/corpus/*' | sort)
status=0
# shellcheck disable=SC2086
if grep -n -E '\b(gets|sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|alloca)[[:space:]]*\(' $files |
	grep -v -E '\b(snprintf|vsnprintf)[[:space:]]*\('; then
	echo "style: banned functions used (STYLE.md §5)"
	status=1
fi
# Lock rules (DESIGN.md, STYLE.md review): every _locked function of the
# core and the API asserts that its caller holds the core lock.
unchecked=$(awk '
	FNR == 1 { name = "" }
	/^[A-Za-z].*[a-z0-9]_locked\(/ && name == "" {
		match($0, /[a-z0-9_]+_locked\(/)
		name = substr($0, RSTART, RLENGTH - 1)
		line = FNR; body = 0; seen = 0
	}
	name != "" && !body && /;[[:space:]]*$/ { name = ""; next }
	name != "" && /^\{/ { body = 1 }
	name != "" && body && /core_assert_locked\(\);/ { seen = 1 }
	name != "" && body && /^\}/ {
		if (!seen)
			print FILENAME ":" line ": " name
		name = ""
	}' src/core/*.[ch] src/api/*.[ch])
if [ -n "$unchecked" ]; then
	echo "$unchecked"
	echo "style: _locked functions without core_assert_locked() above"
	status=1
fi
# One request engine (DESIGN.md: core/op.c): a provider is entered with
# the core lock released only through op_run and op_tspi_* (core/op.c);
# besides, only the session and device code of core/core.c enters one.
others=$(find src -name '*.[ch]' -not -path src/core/op.c \
	-not -path src/core/core.c -not -path src/core/core.h \
	-not -path src/core/provider.c | sort)
# shellcheck disable=SC2086
if grep -n -E '\b(provider_enter|provider_leave)[[:space:]]*\(' $others ||
	grep -n -E '\bcore_inflight_[a-z_]+[[:space:]]*\(' src/api/*.[ch]; then
	echo "style: a provider entered by hand (use core/op.h)"
	status=1
fi
# Issue 16 item 5: the RAS manager's and the TAPI 3 sessions' locks are
# taken through the application runtime (apprt_lock, apprt_unlock), which
# counts them for the debug check and runs what was deferred.
if grep -n -E '\bpthread_mutex_(un)?lock[[:space:]]*\(' src/ras/mgr.c \
	src/tapi3/*.[ch]; then
	echo "style: an application runtime lock taken by hand (use apprt_lock)"
	status=1
fi
# Issue 16: the mode is chosen in one place, src/rpc/entry.c; src/api is
# the embedded implementation and knows nothing of the client.
if grep -n -E '(client/|\bclient_on\b|\bcl_)' src/api/*.[ch]; then
	echo "style: src/api mentions the client: the mode is src/rpc/entry.c's"
	status=1
fi
if command -v clang-format >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	if ! clang-format --dry-run --Werror $files; then
		echo "style: run clang-format -i on the files above"
		status=1
	fi
else
	echo "style: clang-format not installed (scripts/setup.sh installs it)"
	status=1
fi
# Issue 16: tapixd's methods of the forwarded functions come from the
# table (src/rpc/calls.def, expanded into rpc_vtable), never listed by
# hand: a row's member (RPC, RPC_OWN, RPC_REG: its first string) must not
# be an SD_BUS_METHOD of daemon/rpc.c.
members=$(awk '
	/^RPC(_OWN|_REG)?\(/ { row = 1; seen = 0 }
	/^RPC_(ALIAS|LOCAL|INFRA|SIGNAL)\(/ || /^#/ || /^\/\*/ { row = 0 }
	row && !seen && match($0, /"[^"]*"/) {
		print substr($0, RSTART + 1, RLENGTH - 2); seen = 1
	}' src/rpc/calls.def)
if [ -z "$members" ]; then
	echo "style: no forwarded function found in src/rpc/calls.def"
	status=1
fi
for m in $members; do
	if grep -n -E "SD_BUS_METHOD[A-Z_]*\([[:space:]]*\"$m\"" daemon/rpc.c; then
		echo "style: daemon/rpc.c lists $m by hand: it is src/rpc/calls.def's"
		status=1
	fi
done
# ... and so are the connection's (RPC_INFRA): no method named by hand.
if grep -n -E 'SD_BUS_METHOD[A-Z_]*\([[:space:]]*"' daemon/rpc.c; then
	echo "style: a method of daemon/rpc.c listed by hand: add a row to src/rpc/calls.def"
	status=1
fi
exit $status
