#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A process whose procfs directory cannot be opened (EIO, through the
# shim) is not dropped: ls and the scan list it as unreachable with its
# error, restart -J has a row of category incomplete, reason unreadable,
# stderr counts and names it, recover lists it among the manifest's
# failures, and the exit status is 3 (1 if found).
set -u
: "${PROCEXE:?}" "${PE_STALL_SO:?}"
echo 1..7
sleep 600 &
victim=$!
d=$(mktemp -d) || exit 1
trap 'kill $victim 2>/dev/null; rm -rf "$d"' EXIT

run() {   # run OUT ARGS...
	out=$1
	shift
	PE_FAIL_NAME=$victim timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" "$@" >"$out" 2>"$out.err"
	rc=$?
}

run "$d/ls" ls -r -n -o PID,STATE,ERROR "$victim" $$
if [ $rc -eq 3 ] && grep -q "^$victim unreachable Input/output\\\\x20error\$" "$d/ls" &&
   grep -q "^$$ ok" "$d/ls"; then
	echo "ok 1 - ls lists it as unreachable (EIO), the other too, exit 3"
else
	echo "not ok 1 - ls lists it as unreachable (EIO), exit 3 # rc=$rc: $(tr '\n' '|' <"$d/ls")"
fi
if grep -q "^procexe: 1 processes could not be read" "$d/ls.err" &&
   grep -q "^procexe: PID $victim (?): unreadable: Input/output error" "$d/ls.err"; then
	echo "ok 2 - stderr counts it and names it with the reason"
else
	echo "not ok 2 - stderr counts it and names it # $(tr '\n' '|' <"$d/ls.err")"
fi
run "$d/rs" restart -J -o PID,CATEGORY,REASON,TYPE,PATH "$victim"
tr -d ' \n' <"$d/rs" >"$d/rs.flat"
if [ $rc -eq 3 ] &&
   grep -q "\"pid\":$victim,\"category\":\"incomplete\",\"reason\":\"unreadable\",\"type\":null,\"path\":null" "$d/rs.flat"; then
	echo "ok 3 - restart -J: a row of category incomplete, reason unreadable; exit 3"
else
	echo "not ok 3 - restart -J: incomplete/unreadable row, exit 3 # rc=$rc: $(cat "$d/rs.flat") $(tr '\n' '|' <"$d/rs.err")"
fi
run "$d/ex" explain "$victim"
if [ $rc -eq 3 ] && grep -q "could not read this process" "$d/ex" &&
   ! grep -Eqi "0:0|inode 0|that is the file" "$d/ex"; then
	echo "ok 4 - explain: says it could not read it, no invented facts, exit 3"
else
	echo "not ok 4 - explain: could not read it, exit 3 # rc=$rc: $(tr '\n' '|' <"$d/ex")"
fi
# The scan lists it but does not count it as flagged.
run "$d/scan" -r -n -o PID,STATE
if grep -q "^$victim unreachable\$" "$d/scan" && { [ $rc -eq 3 ] || [ $rc -eq 1 ]; } &&
   grep -q "^procexe: PID $victim (?): unreadable" "$d/scan.err"; then
	echo "ok 5 - the scan lists it and exits 3 (or 1 for other findings), not 0 (rc=$rc)"
else
	echo "not ok 5 - the scan lists it, exit 3 or 1 # rc=$rc: $(tr '\n' '|' <"$d/scan.err")"
fi
# recover: named, it is a failure of the manifest and the run inconclusive
run "$d/rc" recover -d "$d/ev" -J "$victim"
if [ $rc -eq 3 ] && tr -d ' \n' <"$d/rc" | grep -q "\"pid\":$victim,[^}]*\"error\":\"[^\"]*(Input/outputerror)\""; then
	echo "ok 6 - recover PID: a failure with error EIO in the manifest, exit 3"
else
	echo "not ok 6 - recover PID: EIO failure, exit 3 # rc=$rc: $(tr '\n' '|' <"$d/rc") $(tr '\n' '|' <"$d/rc.err")"
fi
# recover --all: the same, whatever else the host runs (recover never
# exits 1), never 0
run "$d/rca" recover -d "$d/ev-all" -J --all
if [ $rc -eq 3 ] &&
   tr -d ' \n' <"$d/rca" | grep -q "\"pid\":$victim,[^}]*\"error\":\"[^\"]*(Input/outputerror)\""; then
	echo "ok 7 - recover --all: the unreadable process is a failure, not 0 (rc=$rc)"
else
	echo "not ok 7 - recover --all: unreadable process listed, not 0 # rc=$rc: $(tr '\n' '|' <"$d/rca.err")"
fi
