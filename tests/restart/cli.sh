#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart options: exit status 0 / 1 / 2 (bad option, unknown
# column, bad PID, a directory that is not the root of a procfs) / 3 (a
# named PID that does not exist: incomplete, 1 still wins); -m (files mapped
# without exec: TYPE data, judged only with -m); --ignore GLOB
# (fnmatch without flags, matched on the real path, repeatable, a note on
# stderr, exit 0 when nothing is left); -o with every column that
# --list-columns lists, in table, raw and JSON, and +LIST.
. "$(dirname "$0")/restart-lib.sh"

plan 64

SPEC_COLS="CATEGORY CGROUP COMM CONTAINER DEV GROUP GTYPE INODE PACKAGE PATH PID PPID REASON TYPE UID USER"

mkdir -p "$T/ign/sub" "$T/keep"
lib_copy "$T/ign/sub/libign.so"
lib_copy "$T/keep/libkeep.so"
lib_copy "$T/libok.so"
lib_copy "$T/libcol.so"
lib_copy "$T/libdata.so"
cp "$PE_HELPERS/pe-spin" "$T/spin-del"
head -c 4096 /dev/zero >"$T/data.bin"
settle "$T/ign/sub/libign.so" "$T/keep/libkeep.so" "$T/libok.so" "$T/libcol.so" "$T/spin-del" \
	"$T/libdata.so" "$T/data.bin"

started=1
start_dl ign "$T/out.ign" "$T/ign/sub/libign.so" && PIGN=$FIXTURE_PID || started=0
start_dl keep "$T/out.keep" "$T/keep/libkeep.so" && PKEEP=$FIXTURE_PID || started=0
start_dl ok "$T/out.ok" "$T/libok.so" && POK=$FIXTURE_PID || started=0
start_dl col "$T/out.col" "$T/libcol.so" && PCOL=$FIXTURE_PID || started=0
start_fixture exe "$T/out.exe" "$T/spin-del" marker && PEXE=$FIXTURE_PID || started=0
# a data file mapped read-only (no exec) next to an intact library
start_fixture data "$T/out.data" "$DLOPEN" -m "$T/data.bin" "$T/libdata.so" -- pe-rt-data &&
	PDATA=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
COL_DEV=$(dev_of "$T/libcol.so")
COL_INO=$(stat -c %i "$T/libcol.so")
rm "$T/ign/sub/libign.so" "$T/keep/libkeep.so" "$T/libcol.so" "$T/spin-del" "$T/data.bin"

# --- exit status
restartx "$T/s0" "$POK"
status_is "$T/s0" 0 "intact process alone: exit 0"
if grep -Eq "(^|[[:space:]])${POK}[[:space:]]" "$T/s0"; then
	nok "intact process alone: no table row" "$(cat "$T/s0")"
else
	ok "intact process alone: no table row"
fi
restartx "$T/s1" "$PKEEP"
status_is "$T/s1" 1 "process with a deleted library: exit 1"
restartx "$T/s01" "$POK" "$PKEEP"
status_is "$T/s01" 1 "intact and flagged together: exit 1"

expect2() {   # expect2 DESC ARGS...
	local desc=$1
	shift
	restartx "$T/e" "$@"
	if [ "$RS_RC" = 2 ] && [ -s "$T/e.err" ]; then
		ok "$desc: exit 2 with a message"
	else
		nok "$desc: exit 2 with a message" "exit $RS_RC, stderr: $(head -c 300 "$T/e.err")"
	fi
}
expect2 "unknown option" --no-such-option "$POK"
expect2 "unknown column" -o PID,NOSUCHCOLUMN "$POK"
expect2 "--ignore without its argument" "$POK" --ignore
expect2 "a PID that is not a number" notapid
mkdir "$T/notproc"
expect2 "--proc on a directory that is not a procfs" --proc "$T/notproc"

for d in /proc/self /proc/sys; do
	expect2 "--proc $d (inside a procfs, not its root)" --proc "$d"
done
if grep -q "not the root of a procfs mount" "$T/e.err"; then
	ok "--proc /proc/sys: the message says it is not the root of a procfs mount"
else
	nok "--proc /proc/sys: the message says so" "$(head -c 300 "$T/e.err")"
fi

# --- a named PID that does not exist: not everything was seen (3)
# above pid_max: no process can ever have it (a free PID below could be
# taken by another process while the test runs)
MISSING=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
restartx "$T/m3" "$POK" "$MISSING"
status_is "$T/m3" 3 "intact process and a missing PID: exit 3"
if grep -q "PID $MISSING: no such process" "$T/m3.err" &&
   grep -q "1 PIDs given do not exist" "$T/m3.err"; then
	ok "missing PID: named and counted on stderr"
else
	nok "missing PID: named and counted on stderr" "$(cat "$T/m3.err")"
fi
restartx "$T/m1" "$PKEEP" "$MISSING"
status_is "$T/m1" 1 "flagged process and a missing PID: exit 1 (found wins)"
restartj "$T/m3.json" "$MISSING"
status_is "$T/m3.json" 3 "JSON, only a missing PID: exit 3"

restartx "$T/help" --help
status_is "$T/help" 0 "--help: exit 0"
if grep -q -- --ignore-fileless "$T/help"; then
	ok "--help describes the restart options"
else
	nok "--help describes the restart options" "$(head -c 500 "$T/help")"
fi

# --- -m: the deleted data file counts only with it
J=$T/data.json
restartj "$J" "$PDATA"
status_is "$J" 0 "deleted file mapped without exec, no -m: exit 0"
rows_is "deleted file mapped without exec, no -m: no row" "$J" 0
J=$T/data-m.json
restartj "$J" -m "$PDATA"
status_is "$J" 1 "deleted file mapped without exec, -m: exit 1"
finding "-m: TYPE data, REASON deleted, FILE the data file" "$J" \
	pid="$PDATA" type=data reason=deleted category=restart path="$T/data.bin"
rows_is "-m: no row for the intact library (its read-only segments are no data row)" "$J" 1 pid="$PDATA"
restartj "$J" --all-mappings "$PDATA"
status_is "$J" 1 "--all-mappings: the same, exit 1"

# --- --ignore
J=$T/ig1.json
restartj "$J" --ignore "$T/ign/*" "$PIGN"
status_is "$J" 0 "--ignore matching the only finding: exit 0"
rows_is "--ignore: the finding is dropped" "$J" 0 pid="$PIGN"
if stderr_notes "$J.err" | grep -w 1 | grep -q -- --ignore; then
	ok "--ignore: a note on stderr says 1 was dropped"
else
	nok "--ignore: a note on stderr says 1 was dropped" "stderr: $(cat "$J.err")"
fi

J=$T/ig2.json
restartj "$J" --ignore "$T/*" "$PIGN"
status_is "$J" 0 "--ignore: '*' matches across '/' (fnmatch without FNM_PATHNAME)"
rows_is "--ignore \"\$T/*\": the finding in a subdirectory is dropped" "$J" 0 pid="$PIGN"

J=$T/ig3.json
restartj "$J" --ignore '*/libign.so' "$PIGN"
status_is "$J" 0 "--ignore '*/libign.so': matched on FILE without \" (deleted)\""

J=$T/ig4.json
restartj "$J" --ignore "$T/ign/*" "$PIGN" "$PKEEP"
status_is "$J" 1 "--ignore leaving another finding: exit 1"
rows_is "--ignore leaving another finding: the matching row is dropped" "$J" 0 pid="$PIGN"
finding "--ignore leaving another finding: the other row stays" "$J" pid="$PKEEP" path="$T/keep/libkeep.so"

J=$T/ig5.json
restartj "$J" --ignore '*libign*' --ignore "$T/keep/lib?eep.so" "$PIGN" "$PKEEP"
status_is "$J" 0 "--ignore twice dropping both findings: exit 0"
rows_is "--ignore twice: no rows left" "$J" 0
if stderr_notes "$J.err" | grep -w 2 | grep -q -- --ignore; then
	ok "--ignore twice: the note says 2 were dropped"
else
	nok "--ignore twice: the note says 2 were dropped" "stderr: $(cat "$J.err")"
fi

J=$T/ig6.json
restartj "$J" --ignore '*.nomatch' --ignore 'libkeep.so' "$PIGN" "$PKEEP"
status_is "$J" 1 "--ignore matching nothing (a bare name does not match a path): exit 1"
rows_is "--ignore matching nothing: both rows stay" "$J" 2

J=$T/ig7.json
restartj "$J" --ignore "$T/spin-del" "$PEXE"
status_is "$J" 0 "--ignore drops an exe finding too"
rows_is "--ignore on the exe: no row" "$J" 0 pid="$PEXE"

# --- --list-columns
restartx "$T/cols" --list-columns
status_is "$T/cols" 0 "--list-columns: exit 0"
COLS_ALL=$(awk 'NR == 1 && $1 == "NAME" { next } $1 ~ /^[A-Z]+$/ { print $1 }' "$T/cols")
is "$(sort <<<"$COLS_ALL" | tr '\n' ' ')" "$SPEC_COLS " "--list-columns lists the spec's columns"
ALL=$(paste -sd, <<<"$COLS_ALL")
NCOL=$(wc -l <<<"$COLS_ALL")

# --- every column: JSON
J=$T/all.json
restartjo "$J" -o "$ALL" "$PCOL"
status_is "$J" 1 "-o <every column> -J: exit 1"
check "-o <every column> -J: valid JSON (numbers, null or name for GROUP)" rsj valid "$J"
# keys: the lower-case column names, but GTYPE's (group_type)
keys_of() {
	tr 'A-Z' 'a-z' | sed 's/^gtype$/group_type/'
}
want_keys=$(keys_of <<<"$COLS_ALL" | sort | paste -sd,)
is "$(rsj keys "$J")" "$want_keys" "-J: every row has exactly the keys of -o (GTYPE's is group_type)"
finding "-J: one row for the process" "$J" pid="$PCOL"
finding "-J: PID, PPID, UID, USER, COMMAND" "$J" pid="$PCOL" ppid=$$ uid="$(id -u)" \
	user="$(id -un)" comm=pe-dlopen
finding "-J: CATEGORY, REASON, TYPE, FILE" "$J" pid="$PCOL" category=restart \
	reason=deleted type=lib path="$T/libcol.so"
finding "-J: DEV and INODE of the library" "$J" pid="$PCOL" dev="$COL_DEV" inode="$COL_INO"
finding "-J: CGROUP is the process's cgroup" "$J" pid="$PCOL" cgroup="$(cgroup_of "$PCOL")"
gtype=$(rget "$J" group_type pid="$PCOL")
group=$(rget "$J" group pid="$PCOL")
case $gtype in
'"none"') is "$group" null "-J: GTYPE none goes with GROUP null" ;;
'"unit"'|'"user-unit"'|'"session"'|'"container"')
	isnt "$group" null "-J: GTYPE $gtype goes with a GROUP name" ;;
*) nok "-J: GTYPE is one of the five types" "got $gtype" ;;
esac

# --- every column: raw, cell by cell equal to the JSON values
R=$T/all.raw
restartx "$R" -r -n -o "$ALL" "$PCOL"
status_is "$R" 1 "-o <every column> -r: exit 1"
check "-r: every line has $NCOL cells" rsj rawcells "$R" "$NCOL"
cells=()
for c in $COLS_ALL; do
	v=$(rsj values "$J" "$(keys_of <<<"$c")" pid="$PCOL")
	case $v in null) v= ;; esac
	cells+=("$v")
done
check "-r: the row's cells equal the JSON values" rsj rawhas "$R" "${cells[@]}"
is "$(wc -l <"$R")" 1 "-r -n: one line"

# --- every column: table
TAB=$T/all.tab
restartx "$TAB" -o "$ALL" "$PCOL"
status_is "$TAB" 1 "-o <every column>, table: exit 1"
read -r -a head <"$TAB"
is "${head[*]}" "$(echo $COLS_ALL)" "table: the header lists every column in -o order"
is "$(wc -l <"$TAB")" 2 "table: header and one row"
if grep -F -- "$T/libcol.so" "$TAB" | grep -qw "$COL_INO"; then
	ok "table: the row shows FILE and INODE"
else
	nok "table: the row shows FILE and INODE" "$(cat "$TAB")"
fi

# --- +LIST appends to the default columns
restartx "$T/plus.tab" -o +GTYPE,CGROUP "$PCOL"
read -r -a head <"$T/plus.tab"
is "${head[*]}" "GROUP PID USER COMM REASON TYPE PATH GTYPE CGROUP" "-o +LIST appends to the defaults"

# --- --summary=BY
restartx "$T/by.tab" --summary=bogus "$PCOL"
status_is "$T/by.tab" 2 "--summary=bogus: usage error"
restartx "$T/by.tab" --summary=package -o PID "$PCOL"
status_is "$T/by.tab" 2 "--summary=package takes no -o"
restartx "$T/by.tab" --summary=group "$PCOL"
is "$(head -n 1 "$T/by.tab" | tr -s ' ')" "CATEGORY GTYPE GROUP CONTAINER COUNT PIDS" "--summary=group is plain -s"
