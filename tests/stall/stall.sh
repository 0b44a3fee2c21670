#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A process whose procfs reads hang must not stall the scan: procexe gives
# up on it after a few seconds, reports it, and lists everyone else.
set -u
: "${PROCEXE:?}" "${PE_STALL_SO:?}"
echo 1..4
sleep 600 &
victim=$!
sleep 600 &
other=$!
trap 'kill $victim $other 2>/dev/null' EXIT
out=$(mktemp) || exit 1
start=$(date +%s)
PE_STALL_NAME=$victim timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" ls -r -n -o PID,STATE,ERROR "$victim" "$other" $$ >"$out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
# Not everything was seen: exit 3 (incomplete), not 0.
if [ $rc -eq 3 ] && [ $elapsed -lt 30 ]; then
	echo "ok 1 - scan finished in ${elapsed}s despite a hung process (rc=$rc)"
else
	echo "not ok 1 - scan finished despite a hung process, exit 3 # rc=$rc after ${elapsed}s"
fi
if grep -q "^$victim unreachable Connection\\\\x20timed\\\\x20out\$" "$out" &&
   grep -q "^procexe: 1 processes timed out" "$out" &&
   grep -q "^procexe: PID $victim (?): timed out" "$out"; then
	echo "ok 2 - the hung process is reported unreachable (ETIMEDOUT)"
else
	echo "not ok 2 - the hung process is reported unreachable (ETIMEDOUT) # got: $(tr '\n' '|' <"$out")"
fi
if grep -q "^$other ok" "$out" && grep -q "^$$ ok" "$out"; then
	echo "ok 3 - the other processes are still listed"
else
	echo "not ok 3 - the other processes are still listed # got: $(tr '\n' '|' <"$out")"
fi
# The default scan lists it too, and still exits promptly: 3 (incomplete),
# or 1 when the host runs something else the scan flags; never 0.
PE_STALL_NAME=$victim timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" -r -n -o PID,STATE >"$out" 2>/dev/null
rc=$?
if { [ $rc -eq 3 ] || [ $rc -eq 1 ]; } && grep -q "^$victim unreachable\$" "$out"; then
	echo "ok 4 - the default scan lists it and exits 3 (or 1), not 0 (rc=$rc)"
else
	echo "not ok 4 - the default scan lists it and exits 3 or 1 # rc=$rc"
fi
rm -f "$out"
