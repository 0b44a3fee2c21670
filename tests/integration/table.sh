#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The table printed in chunks (output to a pipe or file: 256 rows at a time
# through libsmartcols) must be byte for byte the table printed whole (the
# path kept for a terminal, here a pty as wide as no row is), for more rows
# than a chunk holds, with hostile names (escapes, wide characters, long
# multibyte paths) whose widest cells sit in the last chunk.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || skip_all "script(1) is not installed"
command -v stty >/dev/null 2>&1 || skip_all "stty(1) is not installed"

S=$PE_HELPERS/pe-spin
NPROC=270                               # a chunk is 256 rows
LISTS=("" "-n" "-o PID" "-n -o CMDLINE,PID" "--output-all" "-o EXE,DELETED,PID")

plan $((2 + 2 * ${#LISTS[@]}))

# names: the last one, longest, is run by the last processes started
long=$(printf 'ü%.0s' $(seq 1 60))
NAMES=(
	"$(printf 'new\nline')"
	"$(printf 'esc\033[31mred')"
	"$(printf 'bad\xff\xfe')"
	"$(printf 'wide\346\227\245\346\234\254\350\252\236')"
	"$(printf 'back\\slash tab\there')"
	"$(printf 'c1\302\233x')"
)
DIRS=("$T/a" "$T/b b" "$T/$long/$long")
mkdir -p "${DIRS[@]}"
BINS=()
for d in "${DIRS[@]}"; do
	for n in "${NAMES[@]}"; do
		cp "$S" "$d/$n"
		BINS+=("$d/$n")
	done
done
settle "${BINS[@]}"

started=1
PIDS=
nb=${#BINS[@]}
XS=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
OSC=$(printf '\033]0;t\a')
# all started first, then waited for: one at a time is slow on a busy machine
for ((i = 0; i < NPROC; i++)); do
	# the longest names last; every argument list a different length
	b=${BINS[$((i * nb / NPROC))]}
	spawn "$T/out.$i" "$b" "arg$i" "${XS:0:$((i % 37))}" "$OSC"
	SPAWNS[i]=$SPAWNED
done
for ((i = 0; i < NPROC; i++)); do
	if wait_ready "$T/out.$i" "${SPAWNS[i]}"; then
		PIDS="$PIDS $READY_PID"
	else
		diag "fixture $i did not start: ${READY_LINE:-no output}"
		started=0
		break
	fi
done
fixtures_started "$NPROC fixtures started"
# some deleted, so that STATE and DELETED vary
rm -f "${DIRS[1]}"/*

# the table as printed on a terminal wider than any row
on_tty() {
	local cmd
	cmd="stty cols 30000 rows 50; exec $(printf '%q ' "$PROCEXE" "$@") 2>/dev/null"
	script -qec "$cmd" /dev/null </dev/null | tr -d '\r'
}

n=$("$PROCEXE" ls -n -o PID $PIDS 2>/dev/null | wc -l)
is "$n" "$NPROC" "ls lists every fixture (more rows than one chunk holds)"
for l in "${LISTS[@]}"; do
	# shellcheck disable=SC2086
	"$PROCEXE" ls $l $PIDS >"$T/pipe.txt" 2>/dev/null
	rc=$?
	is "$rc" 0 "ls $l: exit status 0"
	# shellcheck disable=SC2086
	on_tty ls $l $PIDS >"$T/tty.txt" 2>/dev/null
	if cmp -s "$T/pipe.txt" "$T/tty.txt"; then
		ok "ls $l: chunked table = whole table ($(wc -l <"$T/pipe.txt") lines)"
	else
		nok "ls $l: chunked table = whole table" \
			"$(diff "$T/tty.txt" "$T/pipe.txt" | head -n 8)"
	fi
done
