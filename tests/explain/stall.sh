#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe explain on a process whose procfs reads hang (the shim of
# tests/stall makes procexe's openat of /proc/PID sleep): procexe gives up
# after the per-process deadline, says so, states no fact it did not read
# (no device 0:0, no inode 0, no invented ENAMETOOLONG, no "the file the
# process executed") and exits 3; its JSON is a valid schema v1 document
# with attention "incomplete" and a summary counting it timed out.
. "$(dirname "$0")/../integration/lib.sh"

: "${PE_STALL_SO:?PE_STALL_SO must name the stall shim}"
EXJSON=$(dirname "$0")/exjson.py
S=$PE_HELPERS/pe-spin
[ -x "$S" ] || skip_all "no pe-spin"
[ -r "$PE_STALL_SO" ] || skip_all "no $PE_STALL_SO"
# the shim must come first; a sanitizer runtime that refuses it cannot run this
if ! env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" --version >/dev/null 2>"$T/probe.err"; then
	skip_all "the stall shim cannot be preloaded into procexe here: $(head -c 200 "$T/probe.err" | tr '\n' ' ')"
fi

plan 12

started=1
start_fixture victim "$T/out.v" "$S" marker || started=0
V=$FIXTURE_PID
fixtures_started "victim started"

# stalled FILE ARGS...: procexe ARGS under the shim hanging /proc/$V
stalled() {
	local out=$1
	shift
	PE_STALL_NAME=$V timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" "$@" \
		>"$out" 2>"$out.err"
}

t0=$(date +%s)
stalled "$T/v.txt" explain "$V"
rc=$?
elapsed=$(($(date +%s) - t0))
is "$rc" 3 "given up on: exit 3 (text)"
check "given up on: finished in ${elapsed}s, within 30 s" test "$elapsed" -lt 30
stalled "$T/v.json" explain -J "$V"
is "$?" 3 "given up on: exit 3 (JSON)"
check "given up on: says procexe gave up after the deadline" \
	grep -q "gave up on this process.*deadline" "$T/v.txt" "$T/v.json"
for bad in "0:0" "inode 0" "ENAMETOOLONG" "the file the process executed"; do
	check "given up on: no '$bad' stated" eval "! grep -qF '$bad' '$T/v.txt' '$T/v.json'"
done
is "$("$PYTHON" "$EXJSON" get "$T/v.json" process.image)" "null" "given up on: JSON image is null"
check "given up on: JSON valid" "$PYTHON" "$EXJSON" valid "$T/v.json"
is "$("$PYTHON" "$EXJSON" get "$T/v.json" process.attention):$("$PYTHON" "$EXJSON" get "$T/v.json" summary.unseen.timeout):$("$PYTHON" "$EXJSON" get "$T/v.json" summary.complete)" \
	'["incomplete"]:1:false' "given up on: attention incomplete, summary counts a timeout"
