#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# STYLE §8: every option a tool's --help shows is in its man page; every
# command tapictl's --help lists has its entry in tapictl(1); and the bash
# completion (tools/tapictl/tapictl.bash) loads, registers itself and
# offers every one of those commands and options.
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

# tapictl's commands: the first word of each line of its "Commands:" list
commands=$("$build/tapictl" --help |
	sed -n '/^Commands:/,/^$/{/^  [a-z]/s/^  \([a-z]*\).*/\1/p}')
if [ -z "$commands" ]; then
	echo "man_options: tapictl --help lists no commands"
	status=1
fi
for c in $commands; do
	# each command has an entry of its own: .B NAME at a line's start
	if ! grep -q "^\.B $c\( \|$\)" "$src/docs/man/tapictl.1"; then
		echo "man_options: tapictl command $c has no entry in docs/man/tapictl.1"
		status=1
	fi
done

# The completion, in bash as bash-completion would load it: registered,
# and offering what --help shows (no tapixd here: static words only).
comp="$src/tools/tapictl/tapictl.bash"
complete_after() { # LINE: the completions offered at its end, one a line
	bash -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; _tapictl
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$1"
}
if ! bash -n "$comp"; then
	echo "man_options: $comp: syntax error"
	status=1
fi
if ! bash -c '. "$1" && complete -p tapictl' sh "$comp" | grep -q -- '-F _tapictl tapictl$'; then
	echo "man_options: $comp does not register a completion for tapictl"
	status=1
fi
offered=$(complete_after 'tapictl ')
for c in $commands; do
	if ! printf '%s\n' "$offered" | grep -qx "$c"; then
		echo "man_options: the completion does not offer command $c"
		status=1
	fi
done
options=$(for c in '' $commands; do complete_after "tapictl $c --"; done |
	sed 's/=$//' | sort -u)
for opt in $("$build/tapictl" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	if ! printf '%s\n' "$options" | grep -qx -- "$opt"; then
		echo "man_options: the completion does not offer $opt"
		status=1
	fi
done
if [ "$(complete_after 'tapictl --bus=se')" != session ] ||
	[ "$(complete_after 'tapictl --color=ne')" != never ] ||
	[ "$(complete_after 'tapictl help tra')" != transfer ]; then
	echo "man_options: the completion of --bus=, --color= or help is wrong"
	status=1
fi
exit $status
