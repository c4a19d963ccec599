#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# STYLE §8: every option a tool's --help shows is in its man page, and
# every option its man page names is in its --help (issue 18 item 7: the
# two drifted); every command tapictl's --help lists has its entry in
# tapictl(1); and the bash completion (tools/tapictl/tapictl.bash) loads,
# registers itself and offers every one of those commands and options.
# The configuration's keys against tapix.conf(5): config_keys.sh.
# Usage: man_options.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
status=0
# options TEXT: the long options TEXT names (a man page's \-\- read as --)
options() {
	printf '%s\n' "$1" | sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' |
		sed 's/-$//' | sort -u
}
check() { # tool manpage
	help=$(options "$("$build/$1" --help)")
	page=$(options "$(cat "$src/docs/man/$2")")
	for opt in $help; do
		if ! printf '%s\n' "$page" | grep -qx -- "$opt"; then
			echo "man_options: $1 $opt is not in docs/man/$2"
			status=1
		fi
	done
	for opt in $page; do
		if ! printf '%s\n' "$help" | grep -qx -- "$opt"; then
			echo "man_options: docs/man/$2 names $opt, which $1 --help does not"
			status=1
		fi
	done
}
# rasdial's switches are Windows-style: /NAME
check_switches() { # tool manpage [switch the page names as a typo]
	help=$("$build/$1" /? | grep -o '/[A-Z][A-Z]*' | sort -u)
	page=$(grep -o '/[A-Z][A-Z]*' "$src/docs/man/$2" | sort -u)
	for sw in $help; do
		if ! printf '%s\n' "$page" | grep -qx -- "$sw"; then
			echo "man_options: $1 $sw is not in docs/man/$2"
			status=1
		fi
	done
	for sw in $page; do
		if [ "$sw" != "${3:-}" ] &&
			! printf '%s\n' "$help" | grep -qx -- "$sw"; then
			echo "man_options: docs/man/$2 names $sw, which $1 /? does not"
			status=1
		fi
	done
}
check tapixd tapixd.8
check tapictl tapictl.1
# (the page's example of a misspelt switch)
check_switches rasdial rasdial.1 /DISCONECT
# tapix-demo takes no option (any argument is ignored: no --help to ask)
if [ -n "$(options "$(cat "$src/docs/man/tapix-demo.1")")" ] ||
	! grep -q 'takes no options' "$src/docs/man/tapix-demo.1"; then
	echo "man_options: docs/man/tapix-demo.1 names options; tapix-demo has none"
	status=1
fi

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
