#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every ```sh block of README.md as written, in order, in one bash
# session with set -e, from the top directory of a copy of the source tree
# made in a temporary directory (without build directories), as a user
# whose HOME is in that directory: Debian's PATH for ordinary users, no
# TAPIX_* variables, a session bus of its own (the blocks say they need
# one), the machine's system bus out of reach. Fails if a block fails,
# if the blocks take longer than TAPIX_README_TIMEOUT seconds (default
# 1200), or if they leave a process running (it is then killed).
#
# Not run: the Quick start's block (make demo, make check). Those install
# packages and run the whole suite, this test included; CI runs them
# itself (.ci/run), and the blocks here run after them.
#
# Usage: readme.sh SOURCE_DIR
set -eu

if [ $# -ne 1 ]; then
	echo "usage: readme.sh SOURCE_DIR" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
limit=${TAPIX_README_TIMEOUT:-1200}
work=$(mktemp -d "${TMPDIR:-/tmp}/tapix-readme.XXXXXX")
mark="TAPIX_README_RUN=$work"
bus_pid=

# The processes the blocks started (they carry the marker), still running.
marked() {
	grep -lzxF "$mark" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|^/proc/\([0-9]*\)/environ$|\1|' || true
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for p in $(marked); do
		kill -s KILL "$p" 2>/dev/null || true
	done
	[ -z "$bus_pid" ] || kill "$bus_pid" 2>/dev/null || true
	chmod -R u+rwX "$work" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The copy: the files of the work tree that git knows or would add (tracked,
# and new ones not ignored), else everything but the build directories.
mkdir "$work/src"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do
			if [ -e "$f" ]; then printf '%s\n' "$f"; fi
		done | tar -cf - -T -) | tar -C "$work/src" -xf -
else
	tar -C "$src" --exclude='./build*' -cf - . | tar -C "$work/src" -xf -
fi

# The blocks, each headed by a line naming where it is in README.md.
awk '
/^```/ {
	if (!fence) {
		fence = 1
		lang = substr($0, 4)
		run = lang == "sh" && section != "## Quick start"
		if (run)
			printf "\necho \"==== README.md line %d\" >&2\n", NR
	} else {
		fence = 0
		run = 0
	}
	next
}
!fence && /^## / { section = $0 }
run { print }
' "$src/README.md" >"$work/blocks.sh"
blocks=$(grep -c '^echo "==== README.md line' "$work/blocks.sh" || true)
if [ "$blocks" -eq 0 ]; then
	echo "readme.sh: no sh block in $src/README.md" >&2
	exit 1
fi
echo "readme.sh: running $blocks blocks of README.md in $work/src"

mkdir -m 0700 "$work/home" "$work/run"
mkdir "$work/tmp"
bus="unix:path=$work/run/bus"
bus_pid=$(dbus-daemon --session --fork --address="$bus" --print-pid=1)

status=0
(cd "$work/src" && env -i \
	HOME="$work/home" USER="$(id -un)" LOGNAME="$(id -un)" \
	SHELL=/bin/bash PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
	TMPDIR="$work/tmp" XDG_RUNTIME_DIR="$work/run" \
	DBUS_SESSION_BUS_ADDRESS="$bus" \
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/run/no-system-bus" \
	"$mark" \
	timeout -k 10 "$limit" bash -e -x "$work/blocks.sh") || status=$?
if [ "$status" -eq 124 ]; then
	echo "readme.sh: the blocks took longer than $limit s" >&2
elif [ "$status" -ne 0 ]; then
	echo "readme.sh: a block failed (status $status): see the last" \
		"'==== README.md line' above" >&2
fi

# What a block started it also stops: give what it killed 2 s to go.
n=0
left=$(marked)
while [ -n "$left" ] && [ $n -lt 20 ]; do
	sleep 0.1
	n=$((n + 1))
	left=$(marked)
done
if [ -n "$left" ]; then
	echo "readme.sh: the blocks left these processes running (now killed):" >&2
	for p in $left; do
		echo "  $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
	done
	[ "$status" -ne 0 ] || status=1
fi
exit "$status"
