#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test suite leaves the real home directory alone: "stamp" runs before
# every other test (CTest fixture tapix_home), "compare" after all of them
# and lists each file or directory under the home created, changed or with
# an entry removed since. The home is the user's from the password database,
# not $HOME, which isolate.sh has pointed elsewhere. Nothing is ignored: a
# program of the user's writing there meanwhile fails the check too.
# Usage: home_check.sh stamp|compare STAMP_FILE
set -u

if [ $# -ne 2 ]; then
	echo "usage: home_check.sh stamp|compare STAMP_FILE" >&2
	exit 2
fi
stamp=$2
home=$(getent passwd "$(id -u)" | cut -d: -f6)
if [ -z "$home" ] || [ ! -d "$home" ]; then
	echo "home_check.sh: uid $(id -u) has no home directory: nothing to check"
	exit 77 # SKIP_RETURN_CODE
fi

case $1 in
stamp)
	rm -f "$stamp"
	printf '%s\n' "$home" >"$stamp"
	echo "home_check.sh: watching $home from $(date -r "$stamp" '+%F %T.%N')"
	;;
compare)
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$home" ]; then
		echo "home_check.sh: no stamp for $home in $stamp" >&2
		exit 1
	fi
	# modified (mtime) or changed (ctime: renamed, chmod'ed) since the
	# stamp; a directory is listed when an entry was added or removed
	changed=$(find "$home" -xdev \( -newer "$stamp" -o -cnewer "$stamp" \) \
		-print | sort)
	if [ -n "$changed" ]; then
		echo "home_check.sh: the tests changed $home since" \
			"$(date -r "$stamp" '+%F %T.%N'); they must keep to" \
			"their own HOME (tests/support/isolate.sh):" >&2
		printf '%s\n' "$changed" | while IFS= read -r f; do
			ls -ld --time-style=full-iso "$f" >&2
		done
		exit 1
	fi
	echo "home_check.sh: $home is as it was"
	;;
*)
	echo "usage: home_check.sh stamp|compare STAMP_FILE" >&2
	exit 2
	;;
esac
