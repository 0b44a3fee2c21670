#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An unprivileged reader (setpriv to nobody): root's processes are denied,
# its own are inspected normally (also a deleted one), kernel threads are
# still "kernel"; the exit status stays 0/1 (never 2) and the summary
# counts the denied processes.
. "$(dirname "$0")/lib.sh"

need_root "to switch to nobody"
command -v setpriv >/dev/null || skip_all "setpriv(1) not found"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${NOBODY[@]}" test -x "$PROCEXE" || skip_all "nobody cannot execute $PROCEXE"
"${NOBODY[@]}" test -x "$PE_HELPERS/pe-spin" || skip_all "nobody cannot execute the helpers"

S=$PE_HELPERS/pe-spin
plan 18

for n in rootspin nobodyspin nobodydel; do
	cp "$S" "$T/$n"
	chmod 755 "$T/$n"
done
settle "$T"/*spin "$T/nobodydel"

started=1
start_fixture root "$T/out.r" "$T/rootspin" marker && R=$FIXTURE_PID || started=0
start_fixture nobody "$T/out.n" "${NOBODY[@]}" "$T/nobodyspin" marker && N=$FIXTURE_PID || started=0
start_fixture nobodydel "$T/out.d" "${NOBODY[@]}" "$T/nobodydel" marker && ND=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/nobodydel"

K=
[ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] && K=2

J=$T/ls.json
"${NOBODY[@]}" "$PROCEXE" ls -J -o PID,STATE,EXE,ERROR "$R" "$N" "$ND" $K >"$J" 2>"$J.err"
rc=$?
jload "$J"
is "$rc" 3 "nobody: ls of those PIDs exits 3 (a named PID the kernel denied was not seen)"
check "nobody: ls output is valid JSON" jvalid "$J"
is "$(jstate "$J" "$R")" denied "nobody: root's process is denied"
err=$(jget "$J" "$R" error)
case $err in
null|'""'|"no row"*|"no key"*) nok "nobody: denied row has an ERROR text" "got $err" ;;
*) ok "nobody: denied row has an ERROR text ($err)" ;;
esac
is "$(jget "$J" "$R" exe)" null "nobody: denied row has no EXE"
is "$(jstate "$J" "$N")" ok "nobody: own process is ok"
check "nobody: own process EXE" jeq "$J" "$N" exe "$T/nobodyspin"
is "$(jstate "$J" "$ND")" deleted "nobody: own process with removed binary is deleted"
if [ -n "$K" ]; then
	is "$(jstate "$J" "$K")" kernel "nobody: kthreadd is still a kernel thread"
else
	skip "nobody: kernel thread" "no kthreadd"
fi

# full listing and scan as nobody
"${NOBODY[@]}" "$PROCEXE" ls -J -o PID,STATE >"$T/all.json" 2>"$T/all.err"
rc=$?
jload "$T/all.json"
is "$rc" 0 "nobody: ls of everything exits 0"
check "nobody: ls of everything is valid JSON" jvalid "$T/all.json"
is "$(jstate "$T/all.json" "$R")" denied "nobody: full listing shows root's process denied"

"${NOBODY[@]}" "$PROCEXE" -J >"$T/scan.json" 2>"$T/scan.err"
rc=$?
jload "$T/scan.json"
case $rc in
0|1) ok "nobody: scan exit status is 0 or 1 (got $rc)" ;;
*) nok "nobody: scan exit status is 0 or 1" "got $rc: $(cat "$T/scan.err")" ;;
esac
is "$rc" 1 "nobody: scan exits 1 (own deleted process flagged)"
check "nobody: scan lists own deleted process" jhas "$T/scan.json" "$ND"
line=$(grep -E '^procexe: [0-9]+ processes, [0-9]+ flagged, [0-9]+ denied$' "$T/scan.err")
denied=$(sed -E 's/.* ([0-9]+) denied$/\1/' <<<"$line")
if [ -n "$line" ] && [ "$denied" -gt 0 ]; then
	ok "nobody: summary counts denied processes ($line)"
else
	nok "nobody: summary counts denied processes" "stderr: $(cat "$T/scan.err")"
fi
if jhas "$T/scan.json" "$R"; then
	nok "nobody: scan does not list denied processes"
else
	ok "nobody: scan does not list denied processes"
fi
