#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs one test in a fresh temporary directory of its own (every CTest test
# goes through here, see isolate.cmake): HOME, the XDG directories and
# TMPDIR point inside it, and the user's session bus and the system bus are
# out of reach. Afterwards it fails the test if the test left a process
# running, and removes the directory.
# With --netns, a test that listens on fixed ports of 127.0.0.1 runs in a
# network namespace of its own when it can be made (as root: unshare and
# ip), so that two builds' suites running at once never meet on a port.
# Usage: isolate.sh [--netns] COMMAND [ARG...]
set -u

netns=false
if [ "${1:-}" = --netns ]; then
	netns=true
	shift
fi

if [ $# -eq 0 ]; then
	echo "usage: isolate.sh COMMAND [ARG...]" >&2
	exit 2
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/tapix-test.XXXXXX") || exit 1

# The directory and TMPDIR may be crossed by other users (a test running a
# helper as nobody opens up a directory of its own to it, as test_service
# does); HOME and XDG_RUNTIME_DIR (which must be 0700) may not.
chmod 0711 "$dir"
mkdir -m 0711 "$dir/tmp"
mkdir -m 0700 "$dir/home" "$dir/run"
mkdir -p "$dir/home/.config" "$dir/home/.cache" "$dir/home/.local/share" \
	"$dir/home/.local/state"
export HOME="$dir/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_STATE_HOME="$HOME/.local/state"
export XDG_RUNTIME_DIR="$dir/run"
export TMPDIR="$dir/tmp"
# sd-bus's user bus is $XDG_RUNTIME_DIR/bus, which does not exist; a test
# reaching for the system bus finds none rather than the machine's.
unset DBUS_SESSION_BUS_ADDRESS
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/run/no-system-bus"

# The test runs in a session of its own, and it and its descendants carry
# the marker TAPIX_TEST_ISOLATE: what remains of either after it exited was
# left running by it (a peer that calls setsid() keeps the marker, one that
# clears its environment keeps the session). The marker is not exported,
# so the commands of this script do not carry it.
# unshare and sh exec: the test keeps the pid, and lo comes up first.
if $netns && [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
	unshare --net true 2>/dev/null; then
	set -- unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
TAPIX_TEST_ISOLATE=$dir setsid "$@" &
pid=$!

# Not in our session, the test does not get the terminal's signals: pass
# on those meant for this script.
for sig in INT TERM HUP; do
	# shellcheck disable=SC2064
	trap "kill -s $sig $pid 2>/dev/null" "$sig"
done
while :; do
	wait "$pid"
	status=$?
	# a trapped signal interrupts wait: wait again while the test runs
	kill -0 "$pid" 2>/dev/null || break
done

# Processes, other than zombies, in the test's session or with its marker.
leftovers() {
	{
		for p in /proc/[0-9]*; do
			s=
			{ read -r s <"$p/stat"; } 2>/dev/null || continue
			set -f
			# shellcheck disable=SC2086
			set -- ${s##*) }
			set +f
			if [ $# -ge 4 ] && [ "$1" != Z ] && [ "$4" = "$pid" ]; then
				echo "${p#/proc/}"
			fi
		done
		grep -lzxF "TAPIX_TEST_ISOLATE=$dir" /proc/[0-9]*/environ \
			2>/dev/null | sed 's|^/proc/\([0-9]*\)/environ$|\1|'
	} | sort -un
}

# Waits up to two seconds for the processes leftovers() lists to go; what
# the test killed may still be on its way out.
settle() {
	n=0
	left=$(leftovers)
	while [ -n "$left" ] && [ $n -lt 20 ]; do
		sleep 0.1
		n=$((n + 1))
		left=$(leftovers)
	done
}

settle
if [ -n "$left" ]; then
	echo "isolate.sh: the test left these processes running (now killed):" >&2
	for p in $left; do
		args=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
		echo "  $p $args" >&2
		kill -s KILL "$p" 2>/dev/null
	done
	[ "$status" -ne 0 ] || status=1
	settle
fi

chmod -R u+rwX "$dir" 2>/dev/null
if ! rm -rf "$dir"; then
	echo "isolate.sh: cannot remove $dir" >&2
	[ "$status" -ne 0 ] || status=1
fi

# Dying of a signal the way the test did keeps CTest's report of it
# ("SegFault", "Subprocess aborted").
if [ "$status" -gt 128 ] && sig=$(kill -l "$status" 2>/dev/null); then
	trap - "$sig" 2>/dev/null
	kill -s "$sig" $$ 2>/dev/null
fi
exit "$status"
