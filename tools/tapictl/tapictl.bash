# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for tapictl(1): its commands and options, the values of
# --bus and --color, and the line numbers and call ids of the running
# tapixd (`tapictl --terse lines|calls` on the bus the line names, bounded
# to 2 seconds; nothing when it does not answer). Installed as
# share/bash-completion/completions/tapictl; tests/man_options.sh checks
# the lists below against `tapictl --help`.

_tapictl_commands='lines calls show call answer accept drop hold unhold transfer redirect deallocate dtmf record play talk listen watch demo help'
_tapictl_global='--bus= --address= --json --terse --color --color= --help --version'

# The options of command $1, beyond the global ones.
_tapictl_options() {
	case $1 in
	call) echo '--uui= --uui-hex= --wait --wait= --audio --device=' ;;
	answer) echo '--uui= --uui-hex= --audio --device=' ;;
	accept | drop) echo '--uui= --uui-hex=' ;;
	talk) echo '--device=' ;;
	watch) echo '--count= --timeout=' ;;
	record) echo '--seconds= --rate=' ;;
	listen) echo '--answer --timeout= --audio --device=' ;;
	esac
}

# The first field of `tapictl --terse $1` (lines or calls) on the bus the
# command line names ($2: the program, $3...: --bus=VALUE or nothing).
_tapictl_ids() {
	local what=$1 prog=$2
	shift 2
	timeout 2 "$prog" "$@" --terse "$what" 2>/dev/null | cut -d: -f1
}

_tapictl() {
	local line=${COMP_LINE:0:COMP_POINT}
	local -a w bus=()
	local cur prog cmd='' i n=0 takes=''

	read -ra w <<<"$line"
	[[ $line == *[[:space:]] || ${#w[@]} -eq 0 ]] && w+=('')
	cur=${w[${#w[@]} - 1]}
	prog=${w[0]:-tapictl}
	[[ -x $prog ]] || prog=tapictl

	# the command, how many of its arguments come before this word, the
	# bus named, and whether this word is the value of the option before
	for ((i = 1; i < ${#w[@]} - 1; i++)); do
		case ${w[i]} in
		--) ;;
		--bus=* | --address=*) bus=("--bus=${w[i]#*=}") ;;
		--bus | --address | -b)
			[[ $i -lt $((${#w[@]} - 2)) ]] && bus=("--bus=${w[i + 1]}")
			((i++)) || true
			[[ $i -eq $((${#w[@]} - 1)) ]] && takes=${w[i - 1]}
			;;
		--uui | --uui-hex | --count | --timeout | --seconds | --rate | --device)
			((i++)) || true
			[[ $i -eq $((${#w[@]} - 1)) ]] && takes=${w[i - 1]}
			;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${w[i]}
			else
				((n++)) || true
			fi
			;;
		esac
	done

	COMPREPLY=()
	case $takes in
	--bus | --address | -b)
		mapfile -t COMPREPLY < <(compgen -W 'system session' -- "$cur")
		return
		;;
	--uui | --uui-hex | --count | --timeout | --seconds | --rate | --device) return ;;
	esac
	case $cur in
	--bus=* | --address=*)
		# bash split the word at '=': complete what follows it
		mapfile -t COMPREPLY < <(compgen -W 'system session' -- "${cur#*=}")
		return
		;;
	--color=*)
		mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "${cur#*=}")
		return
		;;
	-*)
		mapfile -t COMPREPLY < <(compgen -W "$_tapictl_global $(_tapictl_options "$cmd")" -- "$cur")
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] &&
			compopt -o nospace 2>/dev/null
		return
		;;
	esac
	if [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_tapictl_commands" -- "$cur")
		return
	fi
	case $cmd:$n in
	call:0 | listen:0)
		mapfile -t COMPREPLY < <(compgen -W "$(_tapictl_ids lines "$prog" "${bus[@]}")" -- "$cur")
		;;
	answer:0 | accept:0 | drop:0 | hold:0 | unhold:0 | transfer:0 | redirect:0 | deallocate:0 | dtmf:0 | record:0 | play:0 | talk:0)
		mapfile -t COMPREPLY < <(compgen -W "$(_tapictl_ids calls "$prog" "${bus[@]}")" -- "$cur")
		;;
	show:0)
		mapfile -t COMPREPLY < <(compgen -W "line call $(_tapictl_ids lines "$prog" "${bus[@]}") $(_tapictl_ids calls "$prog" "${bus[@]}")" -- "$cur")
		;;
	show:1)
		local kind=''
		for ((i = 1; i < ${#w[@]} - 1; i++)); do
			[[ ${w[i]} == line || ${w[i]} == call ]] && kind=${w[i]}s
		done
		[[ -n $kind ]] &&
			mapfile -t COMPREPLY < <(compgen -W "$(_tapictl_ids "$kind" "$prog" "${bus[@]}")" -- "$cur")
		;;
	record:1 | play:1)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	help:0)
		mapfile -t COMPREPLY < <(compgen -W "$_tapictl_commands" -- "$cur")
		;;
	esac
}

complete -F _tapictl tapictl
