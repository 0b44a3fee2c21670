#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Programs started through the dynamic loader ($LDSO ./prog): the state is
# the program's, EXE shows the program and LOADER the loader; removing the
# program makes it deleted; the loader does not write-protect the program,
# so an in-place append succeeds and must set MODIFIED.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
LDSO=$(pejson interp "$S") || skip_all "pe-spin has no PT_INTERP (static build)"
[ -x "$LDSO" ] || skip_all "loader $LDSO not executable"
LDSO_REAL=$(readlink -f "$LDSO")

plan 24

D=$T/ld
mkdir "$D"
for n in prog1 prog2 prog3 direct; do
	cp "$S" "$D/$n"
done
settle "$D"/*

declare -A P
started=1
for n in prog1 prog2 prog3; do
	if start_fixture "$n" "$T/out.$n" run_in "$D" "$LDSO" "./$n" marker; then
		P[$n]=$FIXTURE_PID
	else
		started=0
	fi
done
t_start=$(date +%s.%N)
if start_fixture direct "$T/out.direct" run_in "$D" ./direct; then
	P[direct]=$FIXTURE_PID
else
	started=0
fi
fixtures_started "fixtures started"
is "$(exe_link "${P[prog1]}")" "$LDSO_REAL" "precondition: the kernel's exe of a loader launch is the loader"

COLS=PID,STATE,EXE,LOADER,LINK,MODIFIED,INODE
J=$T/a.json
lsj "$J" "${P[@]}"
is "$(jstate "$J" "${P[prog1]}")" ok "loader launch: state ok"
check "loader launch: EXE is the program" jeq "$J" "${P[prog1]}" exe "$D/prog1"
loader=$(jget "$J" "${P[prog1]}" loader)
loader=${loader#\"}; loader=${loader%\"}
if [ -n "$loader" ] && [ "$loader" != null ] && [ "$(readlink -f "$loader")" = "$LDSO_REAL" ]; then
	ok "loader launch: LOADER is the loader ($loader)"
else
	nok "loader launch: LOADER is the loader" "got $loader, want $LDSO or $LDSO_REAL"
fi
check "loader launch: LINK is the kernel's text (the loader)" jeq "$J" "${P[prog1]}" link "$LDSO_REAL"
is "$(jget "$J" "${P[prog1]}" inode)" "$(stat -c %i "$D/prog1")" "loader launch: INODE is the program's"
is "$(jget "$J" "${P[prog1]}" modified)" false "loader launch: not MODIFIED"
is "$(jstate "$J" "${P[direct]}")" ok "direct launch: state ok"
is "$(jget "$J" "${P[direct]}" loader)" null "direct launch: LOADER is null"

scanj "$T/scan0.json"
for n in prog1 prog2 prog3; do
	if jhas "$T/scan0.json" "${P[$n]}"; then
		nok "before any change: scan does not list $n" "$(jget "$T/scan0.json" "${P[$n]}" state)"
	else
		ok "before any change: scan does not list $n"
	fi
done

# prog1: removed -> deleted; prog2: appended in place -> MODIFIED
rm "$D/prog1"
settle_since "$t_start"
if printf 'X' >>"$D/prog2" 2>"$T/append.err"; then
	appended=1
else
	appended=0
	diag "in-place append failed: $(cat "$T/append.err")"
fi

J=$T/b.json
lsj "$J" "${P[@]}"
is "$(jstate "$J" "${P[prog1]}")" deleted "loader launch, program removed: state deleted"
check "loader launch, program removed: EXE still the program" jeq "$J" "${P[prog1]}" exe "$D/prog1"
loader=$(jget "$J" "${P[prog1]}" loader)
loader=${loader#\"}; loader=${loader%\"}
if [ "$(readlink -f "$loader" 2>/dev/null)" = "$LDSO_REAL" ]; then
	ok "loader launch, program removed: LOADER unchanged"
else
	nok "loader launch, program removed: LOADER unchanged" "got $loader"
fi
if [ $appended = 1 ]; then
	is "$(jstate "$J" "${P[prog2]}")" ok "loader launch, program appended: state ok"
	is "$(jget "$J" "${P[prog2]}" modified)" true "loader launch, program appended: MODIFIED"
else
	skip_n 2 "loader launch, program appended" "append refused (ETXTBSY?)"
fi
is "$(jstate "$J" "${P[prog3]}")" ok "loader launch untouched: state ok"
is "$(jget "$J" "${P[prog3]}" modified)" false "loader launch untouched: not MODIFIED"

scanj "$T/scan.json"
is "$SCAN_RC" 1 "scan exits 1"
check "scan lists the loader launch whose program was removed" jhas "$T/scan.json" "${P[prog1]}"
if [ $appended = 1 ]; then
	check "scan lists the loader launch whose program was modified" jhas "$T/scan.json" "${P[prog2]}"
else
	skip "scan lists the modified loader launch" "append refused"
fi
if jhas "$T/scan.json" "${P[prog3]}"; then
	nok "scan does not list the untouched loader launch"
else
	ok "scan does not list the untouched loader launch"
fi
