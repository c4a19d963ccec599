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
exit $status
