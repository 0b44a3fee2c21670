#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Schema v1 output of the scan and ls (procexe(1), docs/schema-v1.json):
# the -J envelope and its summary, --jsonl lines, typed values, hostile
# bytes in both forms, option conflicts, -q.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
plan 50

# quote, backslash, newline, ESC, an invalid UTF-8 byte and U+2028 (a
# line break to some readers), short enough (11 bytes) to be the whole comm
HNAME=$(printf 'q"\\b\n\033[\377\342\200\250')
cp "$S" "$T/okspin"
cp "$S" "$T/delspin"
cp "$S" "$T/$HNAME"
settle "$T/okspin" "$T/delspin" "$T/$HNAME"
started=1
start_fixture ok "$T/out.ok" "$T/okspin" && POK=$FIXTURE_PID || started=0
start_fixture del "$T/out.del" "$T/delspin" && PDEL=$FIXTURE_PID || started=0
start_fixture hostile "$T/out.h" run_in "$T" "./$HNAME" "a$HNAME" && PH=$FIXTURE_PID ||
	started=0
rm -f "$T/delspin"
fixtures_started "fixtures started"

# above pid_max: no process can ever have it (a free PID below could be
# taken by another process while the test runs)
MISSING=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))

# pe ARGS...: procexe to $T/o (stdout) and $T/o.err; RC
pe() {
	"$PROCEXE" "$@" >"$T/o" 2>"$T/o.err"
	RC=$?
}

# jpy FILE CODE: run python CODE with d = the parsed lines of FILE (or
# the one document); status 0 when CODE does not raise
jpy() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1], 'rb').read().decode('utf-8')
lines = text.split('\n')
try:
    d = json.loads(text)
except ValueError:
    d = [json.loads(line) for line in lines[:-1]]
exec(sys.argv[2])
EOF
}

# --- the -J envelope and summary of a whole-host ls
J=$T/all.json
"$PROCEXE" ls -J >"$J" 2>"$J.err"
rc=$?
jload "$J"
check "ls -J: a valid schema v1 document (envelope, summary counts)" jvalid "$J"
check "ls -J: keys schema, command, processes, summary in that order, schema 1" \
	jpy "$J" 'assert list(d) == ["schema", "command", "processes", "summary"] and d["schema"] == 1 and d["command"] == "ls", list(d)'
is "$(jsum "$J" processes)" "$JNROWS" "ls -J of all: summary processes == number of rows"
sum=0
for s in "${!JS[@]}"; do
	case $s in states.*) sum=$((sum + JS[$s])) ;; esac
done
is "$sum" "$(jsum "$J" processes)" "ls -J of all: the states add up to processes"
is "$(jsum "$J" exit_status)" "$rc" "ls -J of all: summary exit_status is the exit status"
is "$(jsum "$J" states.ok)" "$(jpy "$J" 'print(sum(r["state"] == "ok" for r in d["processes"]))')" \
	"ls -J of all: states.ok counts the ok rows"

# --- a named PID that does not exist
J=$T/m.json
"$PROCEXE" ls -J -o PID,STATE "$POK" "$MISSING" >"$J" 2>"$J.err"
rc=$?
jload "$J"
is "$rc" 3 "ls -J with a missing PID exits 3"
is "$(jsum "$J" unseen.missing)" 1 "missing PID: unseen.missing 1"
is "$(jsum "$J" complete)" false "missing PID: complete false"
is "$(jsum "$J" exit_status)" 3 "missing PID: exit_status 3"
is "$(jsum "$J" vanished)" 0 "missing PID: not counted as vanished too"
is "$(jsum "$J" processes)" 1 "missing PID: processes counts the one listed"

# --- ls: a finding is counted, never exit 1
J=$T/f.json
"$PROCEXE" ls -J -o PID,STATE "$POK" "$PDEL" >"$J" 2>"$J.err"
rc=$?
jload "$J"
if [ "$rc" = 0 ] && [ "$(jsum "$J" flagged)" = 1 ] && [ "$(jsum "$J" states.deleted)" = 1 ]; then
	ok "ls -J of an ok and a deleted process: flagged 1, states.deleted 1, exit 0"
else
	nok "ls -J of an ok and a deleted process: flagged 1, exit 0" \
		"exit $rc, flagged $(jsum "$J" flagged), deleted $(jsum "$J" states.deleted)"
fi

# --- --jsonl
L=$T/two.jsonl
"$PROCEXE" ls --jsonl "$POK" "$PDEL" >"$L" 2>"$L.err"
rc=$?
jload "$L"
is "$rc" 0 "ls --jsonl of two PIDs exits 0"
is "$(wc -l <"$L")" 3 "ls --jsonl: rows + 1 lines"
check "ls --jsonl: valid, summary last" jvalid "$L"
check "ls --jsonl: every line one compact object: schema 1, command ls, record" \
	jpy "$L" 'assert all(list(o)[:3] == ["schema", "command", "record"] and o["schema"] == 1 and o["command"] == "ls" for o in d) and [o["record"] for o in d] == ["process", "process", "summary"] and all(len(l.split("\n")) == 1 and ": " not in l for l in lines[:-1]), d'
is "$(jsum "$L" processes)" 2 "ls --jsonl: the summary line counts both"

L=$T/all.jsonl
"$PROCEXE" ls --jsonl >"$L" 2>"$L.err"
rc=$?
jload "$L"
check "ls --jsonl of all: valid" jvalid "$L"
n=$(jsum "$L" processes)
[[ $n =~ ^[0-9]+$ ]] && n=$((n + 1))
is "$(wc -l <"$L")" "$n" "ls --jsonl of all: processes + 1 lines"
is "$(jsum "$L" exit_status)" "$rc" "ls --jsonl of all: exit_status is the exit status"

L=$T/scan.jsonl
"$PROCEXE" --jsonl >"$L" 2>"$L.err"
rc=$?
jload "$L"
check "scan --jsonl: valid, summary last" jvalid "$L"
if [ "$JCOMMAND" = scan ] && [ "$(wc -l <"$L")" = $((JNROWS + 1)) ] && jhas "$L" "$PDEL" &&
   [ "$(jsum "$L" exit_status)" = "$rc" ] && [ "$rc" = 1 ]; then
	ok "scan --jsonl: command scan, rows + 1 lines, the deleted process, exit_status 1"
else
	nok "scan --jsonl: command scan, rows + summary" "exit $rc, $(tail -n 1 "$L")"
fi

J=$T/scan.json
"$PROCEXE" scan -J >"$J" 2>"$J.err"
rc=$?
jload "$J"
check "scan -J: valid" jvalid "$J"
n=$(jsum "$J" flagged)
if [ "$JCOMMAND" = scan ] && [ "$rc" = 1 ] && [ "$(jsum "$J" exit_status)" = 1 ] &&
   [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$JNROWS" ]; then
	ok "scan -J: command scan, exit_status 1, 1 <= flagged <= rows"
else
	nok "scan -J: command scan, flagged" "exit $rc, flagged $(jsum "$J" flagged), rows $JNROWS"
fi

# --- options that exclude each other
for args in "ls -J --jsonl $POK" "-J --jsonl" "ls --jsonl -r $POK" "--jsonl -r"; do
	pe $args
	if [ "$RC" = 2 ] && [ -s "$T/o.err" ] && [ ! -s "$T/o" ]; then
		ok "$args: usage error (exit 2)"
	else
		nok "$args: usage error (exit 2)" "exit $RC: $(cat "$T/o.err")"
	fi
done

# --- hostile bytes in comm, exe and cmdline, in both forms
for form in -J --jsonl; do
	J=$T/h$form
	"$PROCEXE" ls $form -o PID,COMM,EXE,CMDLINE "$PH" >"$J" 2>"$J.err"
	jload "$J"
	check "hostile name, ls $form: valid UTF-8 JSON" jvalid "$J"
	check "hostile name, ls $form: comm decodes to the name" jeq "$J" "$PH" comm "$HNAME"
	check "hostile name, ls $form: exe decodes to the path" jeq "$J" "$PH" exe "$T/$HNAME"
	check "hostile name, ls $form: cmdline decodes to the arguments" \
		jeq "$J" "$PH" cmdline "./$HNAME a$HNAME"
done
check "hostile name, --jsonl: still one line per row, even split at every Unicode line break" \
	jpy "$T/h--jsonl" 'assert len(text.splitlines()) == 2 and "\u2028" not in text, ascii(text)'

# --- typed values
J=$T/t.json
"$PROCEXE" ls -J -o PID,START,MODE "$POK" >"$J" 2>/dev/null
jload "$J"
if [[ $(jget "$J" "$POK" start) =~ ^\"[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]{9}Z\"$ ]]; then
	ok "start is RFC 3339 UTC with nanoseconds"
else
	nok "start is RFC 3339 UTC with nanoseconds" "got $(jget "$J" "$POK" start)"
fi
is "$(jget "$J" "$POK" mode)" "\"0$(stat -c %a "$T/okspin")\"" "mode is the permission bits, 4 octal digits"
check "start is the process's start time (within 2 s of ps)" jpy "$J" "
import datetime, subprocess
s = d['processes'][0]['start']
t = datetime.datetime.strptime(s[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)
ps = subprocess.run(['ps', '-o', 'lstart=', '-p', '$POK'], capture_output=True, text=True,
                    env={'LC_ALL': 'C', 'TZ': 'UTC'}).stdout.strip()
p = datetime.datetime.strptime(ps, '%a %b %d %H:%M:%S %Y').replace(tzinfo=datetime.timezone.utc)
assert abs((t - p).total_seconds()) <= 2, (s, ps)"
J=$T/k.json
"$PROCEXE" ls -J -o PID "$POK" >"$J" 2>/dev/null
check "-o PID: a row has the key pid only" jpy "$J" 'assert list(d["processes"][0]) == ["pid"], d'
"$PROCEXE" ls --jsonl --output-all "$POK" >"$J" 2>/dev/null
check "--output-all --jsonl: every column's key, in column order" jpy "$J" '
want = "pid ppid uid user comm state exe loader link deleted modified nlink dev inode size mode mntid root start cmdline cgroup error".split()
assert list(d[0])[3:] == want, list(d[0])'
"$PROCEXE" ls -J --state fileless "$POK" >"$J" 2>/dev/null
check "no row: processes is [] and the summary is there" \
	jpy "$J" 'assert d["processes"] == [] and d["summary"]["processes"] == 1 and d["summary"]["exit_status"] == 0, d'

# --- -q: no summary or unseen lines on stderr
pe ls -q "$POK"
is "$RC:$(cat "$T/o.err")" "0:" "ls -q PID: exit 0, stderr empty"
pe ls -q -J "$POK" "$MISSING"
is "$RC:$(cat "$T/o.err")" "3:" "ls -q with a missing PID: exit 3, stderr empty"
pe -q -J
is "$(cat "$T/o.err")" "" "scan -q -J: stderr empty"
pe -o PID -J
if grep -qE '^procexe: [0-9]+ processes, [0-9]+ flagged, [0-9]+ denied$' "$T/o.err"; then
	ok "scan without -q: the summary line on stderr"
else
	nok "scan without -q: the summary line on stderr" "$(cat "$T/o.err")"
fi

# --- a write error on stdout
if [ -w /dev/full ]; then
	"$PROCEXE" ls --jsonl "$POK" >/dev/full 2>"$T/full.err"
	is "$?" 2 "ls --jsonl to a full device exits 2"
else
	skip "write error" "no /dev/full"
fi
