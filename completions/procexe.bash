# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for procexe(1): subcommands, each one's options, column
# names after -o/--output (asked from procexe --list-columns), state names
# after --state (from procexe --help), directories after -d/--dir,
# --proc and --textfile, PIDs (from /proc) for the commands that take them.
# Installed as "procexe" in bash-completion's completionsdir.

# _procexe_words WORDS CUR: the COMPREPLY entries of WORDS starting with CUR
_procexe_words()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# _procexe_columns PROG SUBCOMMAND: the column names, one per line
_procexe_columns()
{
	local prog=$1 sub=$2 name rest
	local -a args=(--list-columns -r -n)
	[ "$sub" = restart ] && args=(restart "${args[@]}")
	"$prog" "${args[@]}" 2>/dev/null | while read -r name rest; do
		# a name with aliases is listed as ALIAS,...,NAME
		printf '%s\n' "${name##*,}"
	done
}

# _procexe_states PROG: the state names of --state, one per line (the
# lines "  NAME  [*] text" under "States" in procexe --help)
_procexe_states()
{
	"$1" --help 2>/dev/null | sed -n '/^States/,/^$/s/^ \{1,2\}\([a-z][a-z-]*\) .*/\1/p'
}

_procexe_pids()
{
	local p
	for p in /proc/[0-9]*; do
		[ -d "$p" ] && printf '%s\n' "${p#/proc/}"
	done
}

_procexe()
{
	local cur prev prog sub list prefix i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --output=LIST: bash splits at '=', so the option is one word before
	if [ "$prev" = "=" ] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [ "$cur" = "=" ]; then
		cur=
	fi
	prog=${COMP_WORDS[0]}
	COMPREPLY=()

	local commands="scan ls path explain recover restart metrics watch"
	sub=scan
	case " $commands " in
	*" ${COMP_WORDS[1]:-} "*)
		((COMP_CWORD > 1)) && sub=${COMP_WORDS[1]} ;;
	esac

	# the argument of an option
	case "$prev" in
	-o | --output)
		case "$sub" in scan | ls | restart) ;; *) return 0 ;; esac
		# a comma-separated list, maybe starting with '+': complete its last name
		prefix=
		[[ "$cur" == *,* || "$cur" == +* ]] && prefix=${cur%"${cur##*[,+]}"}
		list=$(_procexe_columns "$prog" "$sub")
		_procexe_words "$list" "${cur#"$prefix"}"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		compopt -o nospace 2>/dev/null
		return 0
		;;
	--state)
		prefix=
		[[ "$cur" == *,* ]] && prefix=${cur%"${cur##*,}"}
		_procexe_words "$(_procexe_states "$prog")" "${cur#"$prefix"}"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		return 0
		;;
	--mechanism)
		prefix=
		[[ "$cur" == *,* ]] && prefix=${cur%"${cur##*,}"}
		_procexe_words "fanotify bpf connector" "${cur#"$prefix"}"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$prefix${COMPREPLY[i]}
		done
		return 0
		;;
	-d | --dir | --proc | --textfile | --store | --admindir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--threads | --ignore | -M | --max-size | --count | --duration | --max-store | --min-free)
		return 0
		;;
	esac

	local opts common="-q --quiet -h --help -V --version"
	local table="-o --output --output-all -J --json --jsonl -r --raw -n --noheadings
		-H --list-columns --proc --threads"
	case "$sub" in
	scan | ls) opts="$table --state $common" ;;
	path) opts="-f --flags -L --link -J --json $common" ;;
	explain) opts="-J --json $common" ;;
	recover) opts="-d --dir -a --all -l --libs -J --json -M --max-size $common" ;;
	restart)
		opts="$table -s --summary --summary=package --units --nagios -m --all-mappings --ignore
			--ignore-fileless --admindir
			--maps-text $common"
		;;
	metrics) opts="--textfile --proc --threads $common" ;;
	watch)
		opts="--store --all --suspicious --freeze --mechanism --count --duration --max-store
			--min-free --flagged --proc -J --json --jsonl -r --raw -n --noheadings $common"
		;;
	esac

	if [[ "$cur" == -* ]]; then
		_procexe_words "$opts" "$cur"
		return 0
	fi
	if ((COMP_CWORD == 1)); then
		_procexe_words "$commands" "$cur"
		return 0
	fi
	case "$sub" in
	ls | path | explain | recover | restart)
		_procexe_words "$(_procexe_pids)" "$cur"
		;;
	esac
	return 0
}

complete -F _procexe procexe
