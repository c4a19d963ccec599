#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# STYLE §8: every option a tool's --help shows is in its man page.
# Usage: man_options.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
status=0
check() { # tool manpage
	for opt in $("$build/$1" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		# the man page escapes dashes: \-\-opt
		pat=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		if ! grep -q -- "$pat" "$src/docs/man/$2"; then
			echo "man_options: $1 $opt is not in docs/man/$2"
			status=1
		fi
	done
}
# rasdial's switches are Windows-style: /NAME
check_switches() { # tool manpage
	for sw in $("$build/$1" /? | grep -o '/[A-Z][A-Z]*' | sort -u); do
		if ! grep -q -- "$sw" "$src/docs/man/$2"; then
			echo "man_options: $1 $sw is not in docs/man/$2"
			status=1
		fi
	done
}
check tapixd tapixd.8
check tapictl tapictl.1
check_switches rasdial rasdial.1
exit $status
