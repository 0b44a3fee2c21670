#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart on programs started through the dynamic loader
# ("$LDSO ./prog"): removing the program gives one row TYPE exe, REASON
# deleted, FILE the program (not the loader, and not a second row for the
# program's own mapping); the untouched loader launch is not flagged; a
# deleted library in a loader launch is a lib row.
. "$(dirname "$0")/restart-lib.sh"

S=$PE_HELPERS/pe-spin
LDSO=$(pejson interp "$S") || skip_all "pe-spin has no PT_INTERP (static build)"
[ -x "$LDSO" ] || skip_all "loader $LDSO not executable"

plan 17

D=$T/ld
mkdir "$D"
for n in prog1 prog2 prog3; do
	cp "$S" "$D/$n"
done
lib_copy "$D/libld.so"
settle "$D"/*

declare -A P
started=1
for n in prog1 prog2; do
	if start_fixture "$n" "$T/out.$n" run_in "$D" "$LDSO" "./$n" marker; then
		P[$n]=$FIXTURE_PID
	else
		started=0
	fi
done
# prog3: loader launch with a library that will be deleted
if start_fixture prog3 "$T/out.prog3" run_in "$D" env LD_PRELOAD="$D/libld.so" "$LDSO" ./prog3 marker; then
	P[prog3]=$FIXTURE_PID
else
	started=0
fi
fixtures_started "fixtures started"
is "$(readlink -f "/proc/${P[prog1]}/exe")" "$(readlink -f "$LDSO")" \
	"precondition: the kernel's exe of a loader launch is the loader"

J=$T/before.json
restartj "$J" "${P[@]}"
status_is "$J" 0 "loader launches, nothing changed: exit 0"
rows_is "loader launches, nothing changed: no rows" "$J" 0

rm "$D/prog1" "$D/libld.so"
J=$T/after.json
restartj "$J" "${P[@]}"
status_is "$J" 1 "program removed: exit 1"
check "valid JSON" rsj valid "$J"
rows_is "program removed: exactly one row for the process" "$J" 1 pid="${P[prog1]}"
finding "program removed: TYPE exe, REASON deleted, FILE the program" "$J" \
	pid="${P[prog1]}" type=exe reason=deleted category=restart path="$D/prog1"
rows_is "program removed: no row names the loader" "$J" 0 pid="${P[prog1]}" path="$LDSO"
rows_is "program removed: no row names the loader (canonical path)" "$J" 0 \
	pid="${P[prog1]}" path="$(readlink -f "$LDSO")"
rows_is "untouched loader launch: not flagged" "$J" 0 pid="${P[prog2]}"
rows_is "loader launch with a deleted library: one row" "$J" 1 pid="${P[prog3]}"
finding "loader launch with a deleted library: TYPE lib, REASON deleted" "$J" \
	pid="${P[prog3]}" type=lib reason=deleted path="$D/libld.so"

restartx "$T/after.raw" -r -n -o PID,TYPE,REASON,PATH "${P[prog1]}"
status_is "$T/after.raw" 1 "raw output: exit 1"
check "raw output: PID exe deleted PROGRAM" rsj rawhas "$T/after.raw" "${P[prog1]}" exe deleted "$D/prog1"

restartx "$T/after.tab" "${P[prog1]}"
if grep -E "(^|[[:space:]])${P[prog1]}[[:space:]].*deleted[[:space:]]+exe[[:space:]]+$D/prog1[[:space:]]*\$" "$T/after.tab" >/dev/null; then
	ok "table output: the exe row names the program"
else
	nok "table output: the exe row names the program" "$(cat "$T/after.tab")"
fi

# replaced program in a loader launch
cp "$S" "$D/prog2.new"
printf 'X' >>"$D/prog2.new"
mv -f "$D/prog2.new" "$D/prog2"
J=$T/rep.json
restartj "$J" "${P[prog2]}"
finding "loader launch, program replaced: TYPE exe, REASON replaced, FILE the program" "$J" \
	pid="${P[prog2]}" type=exe reason=replaced path="$D/prog2"
