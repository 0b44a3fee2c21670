#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart's schema v1 interface (issue #11): the -J document
# {"schema":1,"command":"restart","restart":[...],"summary":{...}} whose
# summary counts what its rows show; --jsonl (a line per row, the summary
# line last, the same rows); exit 3, and a summary that says why, for a
# named PID that does not exist and for a process whose mapping list is
# incomplete (1 still wins); -a is gone (a usage error naming it, -m
# replaces it); -q silences the stderr summary, not errors; -V; --help;
# -s -J through the same writer.
. "$(dirname "$0")/restart-lib.sh"

MANY=$PE_HELPERS/pe-many-maps
[ -x "$MANY" ] || skip_all "no $MANY"

plan 43

mkdir "$T/del"
for n in keep two ok; do
	lib_copy "$T/lib$n.so"
done
settle "$T"/lib*.so

started=1
start_dl keep "$T/out.keep" "$T/libkeep.so" "$T/libtwo.so" && PKEEP=$FIXTURE_PID || started=0
start_dl ok "$T/out.ok" "$T/libok.so" && POK=$FIXTURE_PID || started=0
# 400 mappings of deleted files with 5 KB names: more than the 1 MiB of
# names kept per process, so its mapping list is incomplete
start_fixture many "$T/out.many" "$MANY" deleted "$T/del" 400 20 && PD=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/libkeep.so" "$T/libtwo.so"

# above pid_max: no process can ever have it (a free PID below could be
# taken by another process while the test runs)
MISSING=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))

# sumis DESC FILE KEY WANT: the summary's KEY (dotted) is WANT (JSON)
sumis() {
	is "$(rsj summary "$2" "$3" 2>&1)" "$4" "$1"
}

# --- -J: the envelope, and a summary that agrees with the rows
J=$T/doc.json
restartj "$J" "$PKEEP" "$POK"
status_is "$J" 1 "-J, two deleted libraries and an intact process: exit 1"
check "-J: schema v1 document (schema, command, restart, summary; v1 keys)" rsj valid "$J"
is "$(head -c 60 "$J" | tr -d ' \n' | cut -c1-43)" '{"schema":1,"command":"restart","restart":[' \
	"-J: the document starts with schema 1 and command restart"
rows_is "-J: two rows of category restart for the process" "$J" 2 pid="$PKEEP" category=restart
sumis "-J: summary restart counts the one process that must restart" "$J" restart 1
is "$(rsj summary "$J" restart)" "$(rsj values "$J" pid category=restart | sort -u | wc -l)" \
	"-J: summary restart equals the distinct PIDs of the rows of category restart"
sumis "-J: summary flagged counts the rows that are findings" "$J" flagged 2
sumis "-J: summary processes counts both named PIDs" "$J" processes 2
sumis "-J: summary fileless 0" "$J" fileless 0
sumis "-J: summary exit_status is the exit status" "$J" exit_status 1
sumis "-J: summary complete" "$J" complete true
sumis "-J: summary unseen all zero" "$J" unseen \
	'{"timeout": 0, "unreadable": 0, "maps_incomplete": 0, "missing": 0}'
is "$(rsj summary "$J" version)" "\"$("$PROCEXE" restart -V | cut -d' ' -f2)\"" \
	"-J: summary version is the version -V prints"
is "$(rget "$J" comm pid="$PKEEP" path="$T/libtwo.so")" '"pe-dlopen"' \
	"-J: the process name under comm"

# --- --jsonl: a line per row, the summary last, the same rows
L=$T/rows.jsonl
restartx "$L" --jsonl -o "$RCOLS" "$PKEEP" "$POK"
status_is "$L" 1 "--jsonl: exit 1"
check "--jsonl: every line a v1 object (schema, command, record first)" rsj valid "$L"
is "$(wc -l <"$L")" 3 "--jsonl: two rows and the summary: 3 lines"
check "--jsonl: the last line is the summary record" \
	eval "tail -n 1 '$L' | grep -q '^{\"schema\":1,\"command\":\"restart\",\"record\":\"summary\",'"
is "$(head -n 2 "$L" | grep -c '^{"schema":1,"command":"restart","record":"restart",')" 2 \
	"--jsonl: the other lines are restart records"
is "$(rsj show "$L")" "$(rsj show "$J")" "--jsonl: the same rows as -J"
sumis "--jsonl: the summary line counts the same" "$L" restart 1

# --- exit 3: a named PID that does not exist
M=$T/missing.json
restartj "$M" "$POK" "$MISSING"
status_is "$M" 3 "intact process and a missing PID: exit 3"
check "missing PID: valid document" rsj valid "$M"
is "$(rsj summary "$M" unseen.missing) $(rsj summary "$M" complete) $(rsj summary "$M" exit_status)" \
	"1 false 3" "missing PID: summary missing 1, complete false, exit_status 3"
restartj "$M" "$PKEEP" "$MISSING"
status_is "$M" 1 "flagged process and a missing PID: exit 1 (found wins)"
is "$(rsj summary "$M" complete) $(rsj summary "$M" exit_status)" "false 1" \
	"flagged and missing: summary complete false, exit_status 1"

# --- exit 3: a mapping list that could not be read whole, nothing to restart
I=$T/inc.json
restartj "$I" --ignore "$T/del/*" "$PD"
status_is "$I" 3 "incomplete mapping list, its findings ignored: exit 3 (not a false all-clear)"
finding "incomplete mapping list: a row of category incomplete, reason maps-incomplete" "$I" \
	pid="$PD" category=incomplete reason=maps-incomplete
is "$(rsj summary "$I" unseen.maps_incomplete) $(rsj summary "$I" restart) $(rsj summary "$I" complete)" \
	"1 0 false" "incomplete mapping list: summary maps_incomplete 1, restart 0, complete false"
if grep -q "PID $PD (pe-many-maps): mapping list incomplete" "$I.err"; then
	ok "incomplete mapping list: named on stderr"
else
	nok "incomplete mapping list: named on stderr" "$(head -c 600 "$I.err")"
fi
restartj "$I" "$PD"
status_is "$I" 1 "incomplete mapping list with deleted files: exit 1 (found wins)"

# --- -a is gone: -m/--all-mappings
restartx "$T/a" -a "$POK"
status_is "$T/a" 2 "-a: exit 2"
if grep -q "invalid option -- 'a'" "$T/a.err" && grep -q "Try 'procexe restart --help'" "$T/a.err"; then
	ok "-a: the usage error names it and points to 'procexe restart --help'"
else
	nok "-a: the usage error names it and points to 'procexe restart --help'" "$(cat "$T/a.err")"
fi

# --- -q: no summary or notes on stderr; errors still there
restartx "$T/q" -q "$PKEEP"
status_is "$T/q" 1 "-q: exit 1"
is "$(cat "$T/q.err")" "" "-q: nothing on stderr"
restartx "$T/q3" --quiet "$POK" "$MISSING"
is "$RS_RC:$(cat "$T/q3.err")" "3:" "--quiet with a missing PID: exit 3, nothing on stderr"
restartx "$T/qe" -q -o NOSUCHCOLUMN "$POK"
if [ "$RS_RC" = 2 ] && grep -q "unknown column" "$T/qe.err"; then
	ok "-q: a usage error is still printed"
else
	nok "-q: a usage error is still printed" "exit $RS_RC, stderr: $(cat "$T/qe.err")"
fi

# --- -V, --help
restartx "$T/v" -V
is "$RS_RC:$(cat "$T/v")" "0:procexe $(grep -o '"version": "[^"]*"' "$J" | cut -d'"' -f4)" \
	"-V: procexe VERSION, exit 0"
restartx "$T/h" --help
if [ "$RS_RC" = 0 ] && grep -q -- '-m, --all-mappings' "$T/h" && grep -q -- '--jsonl' "$T/h" &&
   grep -q -- '-q, --quiet' "$T/h" && ! grep -q -- '-a, ' "$T/h"; then
	ok "--help: lists -m, --jsonl and -q, not -a"
else
	nok "--help: lists -m, --jsonl and -q, not -a" "$(cat "$T/h")"
fi

# --- -s -J: the groups through the same writer
S=$T/groups.json
restartx "$S" -s -J "$PKEEP" "$POK"
status_is "$S" 1 "-s -J: exit 1"
check "-s -J: {schema, command, groups, summary}, the group with its one PID" "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["schema", "command", "groups", "summary"], list(d)
assert d["schema"] == 1 and d["command"] == "restart"
g = [x for x in d["groups"] if x["category"] == "restart"]
assert len(g) == 1 and g[0]["pids"] == [int(sys.argv[2])] and g[0]["count"] == 1, g
assert d["summary"]["restart"] == 1
' "$S" "$PKEEP"
restartx "$T/sl" -s --jsonl "$PKEEP"
status_is "$T/sl" 2 "-s --jsonl: a usage error"
