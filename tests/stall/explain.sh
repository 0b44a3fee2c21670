#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# explain on a process procexe gave up on (its procfs reads hang): it says
# so plainly, prints no fact it did not read (no device 0:0, inode 0,
# ENAMETOOLONG, "that is the file ..."), and exits 3 (incomplete).
set -u
: "${PROCEXE:?}" "${PE_STALL_SO:?}"
echo 1..6
sleep 600 &
victim=$!
trap 'kill $victim 2>/dev/null; rm -f "$out" "$out.err"' EXIT
out=$(mktemp) || exit 1

PE_STALL_NAME=$victim timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" explain "$victim" >"$out" 2>"$out.err"
rc=$?
if [ $rc -eq 3 ]; then
	echo "ok 1 - explain of a timed-out process exits 3"
else
	echo "not ok 1 - explain of a timed-out process exits 3 # rc=$rc"
fi
if grep -q "gave up on this process" "$out"; then
	echo "ok 2 - it says procexe gave up on it"
else
	echo "not ok 2 - it says procexe gave up on it # $(tr '\n' '|' <"$out")"
fi
if grep -Eqi "0:0|inode|too long|that is the file|deleted|device" "$out"; then
	echo "not ok 3 - no invented facts # $(tr '\n' '|' <"$out")"
else
	echo "ok 3 - no invented facts (device, inode, ENAMETOOLONG, 'that is the file')"
fi

PE_STALL_NAME=$victim timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" explain -J "$victim" >"$out" 2>"$out.err"
rc=$?
if [ $rc -eq 3 ]; then
	echo "ok 4 - explain -J exits 3"
else
	echo "not ok 4 - explain -J exits 3 # rc=$rc"
fi
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["facts"]
assert f["read"] is False and f["reason"] == "timeout", f
assert f["error"] == "Connection timed out", f
assert not any(k in f for k in ("exe", "dev", "inode", "path_too_long")), f
' "$out" 2>"$out.err"; then
	echo "ok 5 - JSON: read false, reason timeout, no exe facts"
else
	echo "not ok 5 - JSON: read false, reason timeout, no exe facts # $(tr '\n' '|' <"$out.err") $(tr '\n' '|' <"$out")"
fi
if grep -Eq '0:0|"inode"|"dev"' "$out"; then
	echo "not ok 6 - JSON: no device or inode # $(tr '\n' '|' <"$out")"
else
	echo "ok 6 - JSON: no device or inode"
fi
