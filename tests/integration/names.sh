#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile file names: newline, invalid UTF-8, an ANSI escape sequence, a C1
# control and a backslash.  Table and raw output must not carry any of these
# bytes raw; JSON must be valid and decode back to the original bytes.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
D=$T/n
mkdir "$D"

plan 40

# keys and names: NAME[key] = file name (bytes)
declare -A NAME P
NAME[nl]=$(printf 'new\nline')
NAME[ff]=$(printf 'bad\xff\xfe utf8')
NAME[esc]=$(printf 'esc\033[31mred\033[0m')
NAME[c1]=$(printf 'c1\302\233x')
NAME[bs]=$(printf 'back\\slash')
KEYS="nl ff esc c1 bs"

for k in $KEYS; do
	cp "$S" "$D/${NAME[$k]}"
done
settle "$D"/*

started=1
for k in $KEYS; do
	# argv[0] carries the name too, so COMM and CMDLINE contain it
	if start_fixture "$k" "$T/out.$k" run_in "$D" "./${NAME[$k]}" "arg-${NAME[$k]}"; then
		P[$k]=$FIXTURE_PID
	else
		started=0
	fi
done
fixtures_started "fixtures started"
PIDS=$(for k in $KEYS; do echo "${P[$k]}"; done)

# --- live files: state ok, exact round trip
J=$T/live.json
"$PROCEXE" ls -J -o PID,STATE,COMM,EXE,LINK,CMDLINE $PIDS >"$J" 2>"$T/live.err"
rc=$?
jload "$J"
is "$rc" 0 "ls -J exits 0"
check "ls -J output is valid JSON (strict, UTF-8)" jvalid "$J"
for k in $KEYS; do
	is "$(jstate "$J" "${P[$k]}")" ok "$k: state ok"
	check "$k: JSON EXE decodes to the file name" jeq "$J" "${P[$k]}" exe "$D/${NAME[$k]}"
done
check "nl: JSON LINK decodes to the file name" jeq "$J" "${P[nl]}" link "$D/${NAME[nl]}"
comm=${NAME[esc]:0:15}
check "esc: JSON COMM decodes to the 15-byte comm" jeq "$J" "${P[esc]}" comm "$comm"
check "nl: JSON CMDLINE decodes to the arguments joined by spaces" \
	jeq "$J" "${P[nl]}" cmdline "./${NAME[nl]} arg-${NAME[nl]}"

R=$T/live.raw
"$PROCEXE" ls -r -n -o PID,EXE $PIDS >"$R" 2>/dev/null
check "raw output (PID,EXE) holds no raw control/invalid bytes" pejson clean "$R"
for k in $KEYS; do
	check "$k: raw EXE is the escaped file name" pejson raweq "$R" "${P[$k]}" "$D/${NAME[$k]}"
done
lines=$(wc -l <"$R")
is "$lines" 5 "raw output has one line per process (newline escaped)"

"$PROCEXE" ls -o PID,STATE,COMM,EXE,LINK,CMDLINE $PIDS >"$T/live.tab" 2>/dev/null
check "table output (COMM,EXE,LINK,CMDLINE) holds no raw control/invalid bytes" \
	pejson clean "$T/live.tab"
"$PROCEXE" ls -r -o PID,STATE,COMM,EXE,LINK,CMDLINE $PIDS >"$T/live.raw2" 2>/dev/null
check "raw output (COMM,EXE,LINK,CMDLINE) holds no raw control/invalid bytes" \
	pejson clean "$T/live.raw2"

# --- remove three of them: deleted, names still exact
for k in nl ff esc; do
	rm "$D/${NAME[$k]}"
done
J=$T/del.json
"$PROCEXE" ls -J -o PID,STATE,EXE,LINK $PIDS >"$J" 2>/dev/null
jload "$J"
check "after rm: ls -J output is valid JSON" jvalid "$J"
for k in nl ff esc; do
	is "$(jstate "$J" "${P[$k]}")" deleted "$k: state deleted after rm"
	check "$k: deleted EXE still decodes to the file name" jeq "$J" "${P[$k]}" exe "$D/${NAME[$k]}"
done
check "esc: LINK carries the kernel's suffix" jeq "$J" "${P[esc]}" link "$D/${NAME[esc]} (deleted)"

"$PROCEXE" ls -r -n -o PID,EXE,LINK $PIDS >"$T/del.raw" 2>/dev/null
check "after rm: raw output holds no raw control/invalid bytes" pejson clean "$T/del.raw"

# --- the default scan shows them: table clean, JSON valid
"$PROCEXE" >"$T/scan.tab" 2>/dev/null
is "$?" 1 "scan exits 1"
check "scan table output holds no raw control/invalid bytes" pejson clean "$T/scan.tab"
scanj "$T/scan.json"
check "scan -J output is valid JSON" jvalid "$T/scan.json"
for k in nl ff esc; do
	check "scan -J lists $k" jhas "$T/scan.json" "${P[$k]}"
done
