#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What ls could not see is in its schema v1 summary, by cause: a process
# whose procfs reads hang counts as unseen.timeout, one whose procfs
# directory cannot be opened (EIO) as unseen.unreadable; complete is false
# and exit_status 3, in -J and in the last --jsonl line; -q keeps stderr
# empty.
set -u
: "${PROCEXE:?}" "${PE_STALL_SO:?}"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "1..0 # SKIP no python3"; exit 0; }
echo 1..5
sleep 600 &
victim=$!
d=$(mktemp -d) || exit 1
trap 'kill $victim 2>/dev/null; rm -rf "$d"' EXIT

run() {   # run OUT VAR ARGS...: with the shim failing VAR's process
	out=$1 var=$2
	shift 2
	env "$var=$victim" timeout 60 env LD_PRELOAD="$PE_STALL_SO" "$PROCEXE" "$@" \
		>"$out" 2>"$out.err"
	rc=$?
}

# summary FILE EXPR: python EXPR on s (the summary) and rows, printed
summary() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1], 'rb').read().decode('utf-8')
if text.startswith('{"schema":1,'):
    lines = [json.loads(l) for l in text.splitlines()]
    s, rows = lines[-1], lines[:-1]
    assert s['record'] == 'summary' and all(r['record'] == 'process' for r in rows)
else:
    doc = json.loads(text)
    assert doc['schema'] == 1 and doc['command'] == 'ls'
    s, rows = doc['summary'], doc['processes']
print(eval(sys.argv[2]))
EOF
}

run "$d/hung.json" PE_STALL_NAME ls -J -o PID,STATE,ERROR "$victim" $$
got=$(summary "$d/hung.json" "(s['unseen'], s['complete'], s['exit_status'], s['processes'])" 2>&1)
want="({'timeout': 1, 'unreadable': 0, 'maps_incomplete': 0, 'missing': 0}, False, 3, 2)"
if [ $rc -eq 3 ] && [ "$got" = "$want" ]; then
	echo "ok 1 - ls -J of a hung process: unseen.timeout 1, complete false, exit_status 3"
else
	echo "not ok 1 - ls -J of a hung process: unseen.timeout 1 # rc=$rc: $got"
fi

run "$d/eio.json" PE_FAIL_NAME ls -J -o PID,STATE,ERROR "$victim" $$
got=$(summary "$d/eio.json" "(s['unseen'], s['complete'], s['exit_status'], s['flagged'])" 2>&1)
want="({'timeout': 0, 'unreadable': 1, 'maps_incomplete': 0, 'missing': 0}, False, 3, 0)"
if [ $rc -eq 3 ] && [ "$got" = "$want" ]; then
	echo "ok 2 - ls -J of an unreadable process: unseen.unreadable 1, not flagged, exit_status 3"
else
	echo "not ok 2 - ls -J of an unreadable process: unseen.unreadable 1 # rc=$rc: $got"
fi
got=$(summary "$d/eio.json" "[(r['state'], r['error']) for r in rows if r['pid'] == $victim]" 2>&1)
if [ "$got" = "[('unreachable', 'Input/output error')]" ]; then
	echo "ok 3 - its row: state unreachable, error the strerror text"
else
	echo "not ok 3 - its row: state unreachable, error text # $got"
fi

run "$d/eio.jsonl" PE_FAIL_NAME ls -q --jsonl -o PID,STATE "$victim" $$
got=$(summary "$d/eio.jsonl" "(s['unseen']['unreadable'], s['exit_status'], len(rows))" 2>&1)
if [ $rc -eq 3 ] && [ "$got" = "(1, 3, 2)" ]; then
	echo "ok 4 - ls --jsonl: the summary line says unreadable 1, exit_status 3"
else
	echo "not ok 4 - ls --jsonl: the summary line # rc=$rc: $got"
fi
if [ ! -s "$d/eio.jsonl.err" ]; then
	echo "ok 5 - ls -q: nothing on stderr for the unreadable process"
else
	echo "not ok 5 - ls -q: nothing on stderr # $(tr '\n' '|' <"$d/eio.jsonl.err")"
fi
