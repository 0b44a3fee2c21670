#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The bash completion (completions/procexe.bash): sourced in a clean
# 'bash --norc', 'complete -p procexe' names its function, and the function,
# driven through COMP_WORDS/COMP_CWORD as bash drives it, offers the
# subcommands, each one's options, column names after -o (asked from the
# procexe under test), state names after --state, directories after
# --dir/--proc and PIDs as operands.  Starts no process.  Prints TAP.
#
# Usage: completion.sh PROCEXE COMPLETION-FILE

set -u
PROCEXE=${1:?usage: completion.sh PROCEXE COMPLETION-FILE}
COMPLETION=${2:?usage: completion.sh PROCEXE COMPLETION-FILE}
BASH_BIN=$(command -v bash) || { echo "1..0 # SKIP bash is missing"; exit 0; }

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}

T=$(mktemp -d "${TMPDIR:-/tmp}/procexe-comp.XXXXXXXX") || { echo "1..0 # SKIP mktemp"; exit 0; }
trap 'rm -rf "$T"' EXIT
# "procexe" on the PATH is the binary under test
mkdir "$T/bin" "$T/dir.one" "$T/dir.two"
: >"$T/file.one"
ln -s "$(cd "$(dirname "$PROCEXE")" && pwd)/$(basename "$PROCEXE")" "$T/bin/procexe"

# complete WORD...: the candidates (one per line) for the last WORD, the
# command line being "procexe WORD..." (an empty last WORD: after a space)
complete_words() {
	PATH="$T/bin:$PATH" "$BASH_BIN" --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=(procexe "$@")
		COMP_CWORD=$(($# ))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_procexe procexe "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' completion "$COMPLETION" "$@" 2>"$T/err"
}

# offers DESC WANT... -- WORD...: every WANT is among the candidates
offers() {
	local desc=$1 got w missing=
	shift
	local -a want=()
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	got=$(complete_words "$@")
	for w in "${want[@]}"; do
		grep -qxF -- "$w" <<<"$got" || missing+=" $w"
	done
	if [ -z "$missing" ] && [ ! -s "$T/err" ]; then
		ok "$desc"
	else
		nok "$desc" "missing:${missing:- none}" "got: $(tr '\n' ' ' <<<"$got" | head -c 600)" \
			"$(cat "$T/err")"
	fi
}

# only DESC WANT... -- WORD...: the candidates are exactly the WANTs (in
# any order)
only() {
	local desc=$1 got want
	shift
	want=
	while [ "$1" != -- ]; do want+="$1 "; shift; done
	shift
	got=$(complete_words "$@" | sort | tr '\n' ' ')
	want=$(tr ' ' '\n' <<<"${want% }" | sed '/^$/d' | sort | tr '\n' ' ')
	if [ "$got" = "$want" ] && [ ! -s "$T/err" ]; then
		ok "$desc"
	else
		nok "$desc" "got:  $got" "want: $want" \
			"$(cat "$T/err")"
	fi
}

out=$(PATH="$T/bin:$PATH" "$BASH_BIN" --norc --noprofile -c '. "$1" && complete -p procexe' \
	completion "$COMPLETION" 2>&1)
if [ "$out" = "complete -F _procexe procexe" ]; then
	ok "complete -p procexe: the function _procexe"
else
	nok "complete -p procexe" "got: $out"
fi

only "procexe <TAB>: the eight commands" scan ls path explain recover restart metrics watch -- ''
only "procexe re<TAB>: recover restart" recover restart -- re
only "procexe watch --mechanism fanotify,b<TAB>: the list's last name" fanotify,bpf -- watch --mechanism fanotify,b
offers "procexe --<TAB>: the scan's options" --output --output-all --json --jsonl --raw \
	--noheadings --list-columns --state --proc --threads --quiet --help --version -- --
only "procexe restart --all-m<TAB>: --all-mappings" --all-mappings -- restart --all-m
only "procexe restart --all<TAB>: only --all-mappings (recover's --all is not restart's)" \
	--all-mappings -- restart --all
only "procexe recover --a<TAB>: --all" --all -- recover --a
only "procexe path -<TAB>: path's options" -f --flags -L --link -J --json -q --quiet -h \
	--help -V --version -- path -
only "procexe explain --<TAB>: explain's options" --json --quiet --help --version -- explain --
offers "procexe restart --<TAB>: restart's options" --output --output-all --json --jsonl \
	--raw --noheadings --list-columns --summary --units --all-mappings --ignore \
	--ignore-fileless --proc --threads --maps-text --quiet --help --version -- restart --
offers "procexe recover --<TAB>: recover's options" --dir --all --libs --json --max-size \
	--quiet --help --version -- recover --
only "procexe ls -o P<TAB>: PID and PPID" PID PPID -- ls -o P
only "procexe ls -o PI<TAB>: PID" PID -- ls -o PI
only "procexe -o PID,CO<TAB>: PID,COMM" PID,COMM -- -o PID,CO
# bash splits "--output=PI" at the '=' (COMP_WORDBREAKS)
only "procexe ls --output=PI<TAB>: PID" PID -- ls --output = PI
only "procexe ls --output +ST<TAB>: +STATE, +START" +STATE +START -- ls --output +ST
offers "procexe restart -o <TAB>: restart's columns" GROUP PID CATEGORY REASON TYPE DEV \
	INODE CGROUP -- restart -o ''
only "procexe --state del<TAB>: deleted" deleted -- --state del
offers "procexe ls --state <TAB>: every state and modified" ok kernel zombie denied fileless \
	deleted replaced unlinked repointed unreachable modified -- ls --state ''
only "procexe --state ok,rep<TAB>: ok,replaced ok,repointed" ok,replaced ok,repointed \
	-- --state ok,rep
only "procexe recover -d $T/dir.<TAB>: the directories" "$T/dir.one" "$T/dir.two" \
	-- recover -d "$T/dir."
only "procexe --proc $T/<TAB>: directories only" "$T/bin" "$T/dir.one" "$T/dir.two" \
	-- --proc "$T/"
offers "procexe path <TAB>: offers \$\$ ($$)" "$$" -- path ''
offers "procexe restart 1<TAB>: PID 1" 1 -- restart 1
for c in ls explain recover; do
	offers "procexe $c <TAB>: PIDs" "$$" -- "$c" ''
done
only "procexe scan <TAB>: no operand" -- scan ''
only "procexe metrics -<TAB>: metrics' options" --textfile --proc --threads -q --quiet -h \
	--help -V --version -- metrics -
only "procexe metrics <TAB>: no operand" -- metrics ''

echo "1..$n"
