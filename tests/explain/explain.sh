#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe explain on planted processes, one per state, its text and JSON
# checked against the facts: an intact process (nothing amiss, exit 0, each
# step names its kernel function), a deleted LD_PRELOAD library in an
# intact process (reported, exit 1), a program started through the loader
# and then deleted (the program's path and inode, map_files, no
# " (deleted)" claimed for the exe link, procexe recover advised), a memfd
# program, a zombie (its parent named), a library with a hostile name
# (escaped), and a PID that cannot exist (exit 3).  No output ever advises
# copying /proc/PID/exe.  The JSON is the schema v1 document (process with
# exe/link, "0755" modes, RFC 3339 start, attention names; steps; summary);
# -q, -V, --help and option errors.
. "$(dirname "$0")/../integration/lib.sh"

EXJSON=$(dirname "$0")/exjson.py
S=$PE_HELPERS/pe-spin
PELIB=$PE_HELPERS/pe-lib.so
[ -x "$S" ] && [ -r "$PELIB" ] || skip_all "no pe-spin or pe-lib.so"
LDSO=$(pejson interp "$S") || skip_all "pe-spin has no PT_INTERP (static build)"
[ -x "$LDSO" ] || skip_all "loader $LDSO not executable"

exj() {
	"$PYTHON" "$EXJSON" "$@"
}

# explain NAME PID: text in $T/NAME.txt, JSON in $T/NAME.json; exit
# statuses in RC_TXT and RC_JSON
explain() {
	"$PROCEXE" explain "$2" >"$T/$1.txt" 2>"$T/$1.txt.err"
	RC_TXT=$?
	"$PROCEXE" explain -J "$2" >"$T/$1.json" 2>"$T/$1.json.err"
	RC_JSON=$?
}

# has FILE STRING: FILE contains STRING (fixed string, any line)
has() {
	grep -qF -- "$2" "$1" || { echo "no '$2' in $1: $(head -c 3000 "$1")" >&2; return 1; }
}

# hasnt FILE STRING
hasnt() {
	! grep -qF -- "$2" "$1" || { echo "unwanted '$2' in $1" >&2; return 1; }
}

# step_has FILE TITLE STRING: the JSON step TITLE... contains STRING
step_has() {
	local text
	text=$(exj step "$1" "$2") || { echo "no step '$2'" >&2; return 1; }
	case $text in
	*"$3"*) return 0 ;;
	esac
	echo "step '$2' lacks '$3': $text" >&2
	return 1
}

step_hasnt() {
	local text
	text=$(exj step "$1" "$2") || { echo "no step '$2'" >&2; return 1; }
	case $text in
	*"$3"*) echo "step '$2' has '$3': $text" >&2; return 1 ;;
	esac
	return 0
}

# no_exe_suffix_claim FILE: neither the exe link step nor the verdict says
# the kernel appended " (deleted)" to the exe link (only to the program's
# name in maps)
no_exe_suffix_claim() {
	local verdict
	step_hasnt "$1" "The exe link" "appended" || return 1
	verdict=$(exj step "$1" "Verdict") || return 1
	verdict=${verdict//"appended \" (deleted)\" to the program's name in maps"/}
	case $verdict in
	*'appended " (deleted)"'*) echo "verdict: $verdict" >&2; return 1 ;;
	esac
	return 0
}

errtext() { # NAME: strerror of errno NAME
	"$PYTHON" -c 'import errno, os, sys; print(os.strerror(getattr(errno, sys.argv[1])))' "$1"
}

devof() { # FILE: its st_dev as MAJOR:MINOR
	"$PYTHON" -c 'import os, sys; d = os.stat(sys.argv[1]).st_dev; print("%d:%d" % (os.major(d), os.minor(d)))' "$1"
}

status() { # DESC GOT WANT
	is "$2" "$3" "$1"
}

plan 70

D=$T/d
mkdir "$D"
cp "$S" "$D/intact"
cp "$S" "$D/prog"
cp "$PELIB" "$D/libpre.so"
HOSTILE=$D/$'lib\nevil\e[31m\x9b.so'
cp "$PELIB" "$HOSTILE"
chmod 644 "$D/libpre.so" "$HOSTILE"
settle "$D/intact" "$D/prog" "$D/libpre.so" "$HOSTILE"
PROG_INO=$(stat -c %i "$D/prog")
LIB_INO=$(stat -c %i "$D/libpre.so")
LDSO_INO=$(stat -L -c %i "$LDSO")

started=1
start_fixture intact "$T/out.intact" "$D/intact" marker || started=0
PI=$FIXTURE_PID
start_fixture preload "$T/out.pre" env LD_PRELOAD="$D/libpre.so" "$S" marker || started=0
PP=$FIXTURE_PID
start_fixture loader "$T/out.ld" run_in "$D" "$LDSO" ./prog marker || started=0
PL=$FIXTURE_PID
start_fixture hostile "$T/out.host" env LD_PRELOAD="$HOSTILE" "$S" marker || started=0
PH=$FIXTURE_PID
start_fixture zombie "$T/out.z" "$PE_HELPERS/pe-zombie" || started=0
read -r _ ZPARENT ZPID <<<"$READY_LINE"
fixtures_started "fixtures started"
rm "$D/prog" "$D/libpre.so" "$HOSTILE"

# --- intact: nothing amiss, exit 0, every step names its kernel function
explain intact "$PI"
status "intact: exit 0 (text)" "$RC_TXT" 0
status "intact: exit 0 (JSON)" "$RC_JSON" 0
check "intact: says nothing is amiss" has "$T/intact.txt" "Nothing is amiss"
is "$(exj attention "$T/intact.json")" "" "intact: JSON attention is empty"
check "intact: JSON is a valid schema v1 document" exj valid "$T/intact.json"
is "$(exj get "$T/intact.json" process.exe)" "\"$D/intact\"" "intact: process.exe is the launch path"
is "$(exj get "$T/intact.json" process.link)" "\"$(readlink "/proc/$PI/exe")\"" \
	"intact: process.link is the kernel's exe link text"
is "$(exj get "$T/intact.json" process.image.mode)" "\"$(printf '%04d' "$(stat -c %a "$D/intact")")\"" \
	"intact: mode is the permission bits, 4 octal digits"
is "$(exj get "$T/intact.json" process.image.dev)" "\"$(devof "$D/intact")\"" \
	"intact: dev is \"MAJ:MIN\""
is "$(exj get "$T/intact.json" summary.exit_status):$(exj get "$T/intact.json" summary.complete)" \
	0:true "intact: summary exit_status 0, complete"
for fn in proc_self_get_link proc_pid_lookup proc_exe_link get_task_exe_file d_path \
	begin_new_exec set_mm_exe_file; do
	check "intact: a step names $fn()" has "$T/intact.txt" "$fn()"
done

# --- deleted LD_PRELOAD library, exe intact
explain preload "$PP"
status "deleted preload library: exit 1 (text)" "$RC_TXT" 1
status "deleted preload library: exit 1 (JSON)" "$RC_JSON" 1
check "deleted preload library: not 'nothing is amiss'" hasnt "$T/preload.txt" "Nothing is amiss"
is "$(exj mapping "$T/preload.json" "$D/libpre.so" | cut -d' ' -f1,3)" "deleted $LIB_INO" \
	"deleted preload library: JSON mapping with its path, state deleted, its inode"
check "deleted preload library: JSON attention has 'mapped'" \
	eval "exj attention '$T/preload.json' | grep -qw mapped"
check "deleted preload library: JSON valid" exj valid "$T/preload.json"
is "$(exj get "$T/preload.json" summary.exit_status):$(exj get "$T/preload.json" summary.flagged)" 1:1 \
	"deleted preload library: summary exit_status 1, flagged 1"
check "deleted preload library: the text names it" has "$T/preload.txt" "\"$D/libpre.so\""
check "deleted preload library: the text names map_files" has "$T/preload.txt" "/proc/$PP/map_files/"
check "deleted preload library: the text names proc_map_files_get_link()" \
	has "$T/preload.txt" "proc_map_files_get_link()"
check "deleted preload library: advises procexe recover --libs" \
	has "$T/preload.txt" "procexe recover --libs $PP"

# --- loader launch, program deleted
explain loader "$PL"
status "loader launch, program deleted: exit 1" "$RC_JSON" 1
check "loader: valid JSON" exj valid "$T/loader.json"
is "$(exj get "$T/loader.json" process.image.inode)" "$PROG_INO" \
	"loader: JSON image inode is the program's"
is "$(exj get "$T/loader.json" process.image.exe)" "\"$D/prog\"" \
	"loader: JSON image exe is the program's"
is "$(exj get "$T/loader.json" process.exe)" "\"$D/prog\"" \
	"loader: JSON process exe is the program's"
is "$(exj get "$T/loader.json" process.link)" "\"$(readlink "/proc/$PL/exe")\"" \
	"loader: JSON process link is the kernel's text (the loader)"
is "$(exj get "$T/loader.json" process.image.maps_text)" "\"$D/prog (deleted)\"" \
	"loader: the program's name as maps shows it is maps_text, not link"
is "$(exj get "$T/loader.json" process.loader.inode)" "$LDSO_INO" \
	"loader: JSON loader inode is the loader's"
check "loader: the program step names the program's path and inode" \
	eval "step_has '$T/loader.json' 'The program' '$D/prog' &&
	      step_has '$T/loader.json' 'The program' 'inode $PROG_INO'"
check "loader: the program step names map_files" \
	step_has "$T/loader.json" "The program" "/proc/$PL/map_files/"
check "loader: the loader's inode is only ever given as the loader's" \
	eval "! exj text '$T/loader.json' | grep -F 'inode $LDSO_INO' | grep -qvF 'loader'"
check "loader: no ' (deleted)' claimed for the exe link" no_exe_suffix_claim "$T/loader.json"
check "loader: the exe link step quotes the kernel's text (no suffix)" \
	step_has "$T/loader.json" "The exe link" "returns \"$(readlink "/proc/$PL/exe")\"."
check "loader: advises procexe recover PID" has "$T/loader.txt" "procexe recover $PL"

# --- memfd program
spawn "$T/out.mfd" "$PE_HELPERS/pe-memfd-exec" "$S" pe-explain-memfd marker
wait_ready "$T/out.mfd" "$SPAWNED"
rc=$?
if [ $rc -eq 0 ]; then
	PM=$READY_PID
	explain memfd "$PM"
	status "memfd program: exit 1" "$RC_JSON" 1
	is "$(exj get "$T/memfd.json" process.state)" '"fileless"' "memfd program: state fileless"
	check "memfd program: advises procexe recover PID" has "$T/memfd.txt" "procexe recover $PM"
else
	skip_n 3 "memfd program" "cannot execute a memfd here: ${READY_LINE:-rc $rc}"
fi

# --- zombie: its parent named
explain zombie "$ZPID"
is "$(exj get "$T/zombie.json" process.state)" '"zombie"' "zombie: state zombie"
is "$(exj get "$T/zombie.json" process.ppid)" "$ZPARENT" "zombie: JSON ppid is its parent"
check "zombie: JSON valid" exj valid "$T/zombie.json"
check "zombie: the text names the parent that should reap it" \
	has "$T/zombie.txt" "parent, process $ZPARENT"

# --- hostile library name: escaped in the text, exact in the JSON
explain hostile "$PH"
status "hostile library name: exit 1" "$RC_JSON" 1
is "$(exj mapping "$T/hostile.json" "$HOSTILE" | cut -d' ' -f1)" "deleted" \
	"hostile library name: JSON mapping with the exact bytes"
check "hostile library name: JSON valid" exj valid "$T/hostile.json"
check "hostile library name: the text holds no raw control byte" pejson clean "$T/hostile.txt"

# --- more mapped files than procexe keeps: incomplete, said with the
# reason, what was judged still reported (exit 1: deleted files found)
max=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
mkdir "$T/many"
if [ "$max" -gt 5400 ] && [ -x "$PE_HELPERS/pe-many-maps" ] &&
	start_fixture many "$T/out.many" "$PE_HELPERS/pe-many-maps" deleted "$T/many" 5000 1; then
	explain many "$FIXTURE_PID"
	status "5,000 deleted mapped files: exit 1" "$RC_JSON" 1
	is "$(exj get "$T/many.json" process.maps_error)" "\"$(errtext E2BIG)\"" \
		"5,000 deleted mapped files: JSON maps_error is E2BIG"
	is "$(exj attention "$T/many.json")" "mapped incomplete" \
		"5,000 deleted mapped files: JSON attention mapped and incomplete"
	check "5,000 deleted mapped files: a step says the list is incomplete, and why" \
		step_has "$T/many.json" "The mapped files: incomplete" "more files than procexe keeps"
else
	skip_n 4 "5,000 deleted mapped files" "vm.max_map_count $max or the fixture did not start"
fi

# --- a PID that cannot exist
nopid=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
"$PROCEXE" explain "$nopid" >"$T/nopid.txt" 2>"$T/nopid.err"
status "PID beyond pid_max: exit 3" "$?" 3
check "PID beyond pid_max: 'no such process'" has "$T/nopid.err" "no such process"
"$PROCEXE" explain -J "$nopid" >"$T/nopid.json" 2>/dev/null
status "PID beyond pid_max, -J: exit 3" "$?" 3
check "PID beyond pid_max, -J: a valid document" exj valid "$T/nopid.json"
is "$(exj get "$T/nopid.json" process):$(exj get "$T/nopid.json" summary.unseen.missing):$(exj get "$T/nopid.json" summary.exit_status)" \
	"null:1:3" "PID beyond pid_max, -J: process null, counted missing, exit_status 3"

# --- options: -q, -V, its own --help, an option error naming the option
"$PROCEXE" explain -q "$PI" >"$T/q.txt" 2>"$T/q.err"
is "$?:$(cat "$T/q.err")" 0: "-q: accepted, nothing on stderr"
"$PROCEXE" explain -V >"$T/v.out" 2>&1
is "$?:$(cat "$T/v.out")" "0:$("$PROCEXE" --version 2>&1)" "-V prints the version"
"$PROCEXE" explain --help >"$T/h.out" 2>&1
check "--help: its own usage" grep -q '^ procexe explain ' "$T/h.out"
check "--help: lists -q and -V" eval "grep -q -- '-q, --quiet' '$T/h.out' && grep -q -- '-V, --version' '$T/h.out'"
"$PROCEXE" explain -5 1 >/dev/null 2>"$T/opt.err"
is "$?:$(head -n 1 "$T/opt.err")" "2:procexe: invalid option -- '5'" "an invalid option is named"
check "an invalid option points to 'procexe explain --help'" \
	grep -qxF "Try 'procexe explain --help' for more information." "$T/opt.err"

# --- never advise copying the exe link
check "no output advises 'cp /proc/'" eval "! grep -lF 'cp /proc/' '$T'/*.txt '$T'/*.json"
