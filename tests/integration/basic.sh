#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Planted file states: ok, deleted, replaced, renamed, moved, unlinked (hard
# link removed), a live file named "x (deleted)" and a deleted one, MODIFIED
# (touch of a running binary); the default scan lists the flagged ones.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
D=$T/b
mkdir "$D"

plan 59

for n in ok1 a b 'c (deleted)' 'd (deleted)' e f g mod modm modc; do
	cp "$S" "$D/$n"
done
ln "$D/g" "$D/g.hl"
cp "$S" "$D/b.new"
printf 'X' >>"$D/b.new"     # a different file to rename over b
settle "$D"/*

declare -A P
started=1
for n in ok1 a b 'c (deleted)' 'd (deleted)' e f g g.hl mod modm modc; do
	if start_fixture "$n" "$T/out.$RANDOM" run_in "$D" "./$n" marker; then
		P[$n]=$FIXTURE_PID
	else
		started=0
	fi
done
t_start=$(date +%s.%N)
if [ $started = 0 ]; then
	nok "fixtures started" "see diagnostics above"
	skip_rest "rest" "fixtures did not start"
	exit 0
fi
ok "fixtures started"

rm "$D/a"                           # deleted
mv "$D/b.new" "$D/b"                # replaced (package-manager style)
rm "$D/d (deleted)"                 # deleted, name already ends in the suffix
mv "$D/e" "$D/e.renamed"            # renamed
mkdir "$D/sub" && mv "$D/f" "$D/sub/f"   # moved to another directory
rm "$D/g"                           # unlinked: g.hl still names the inode
settle_since "$t_start"
touch "$D/mod"                      # MODIFIED: mtime, atime, ctime after the start
touch -m "$D/modm"                  # MODIFIED: mtime (and ctime) only
chmod 700 "$D/modc"                 # ctime only (metadata change): not MODIFIED

COLS=PID,STATE,EXE,LINK,MODIFIED,NLINK
J=$T/all.json
lsj "$J" "${P[@]}"
is "$LS_RC" 0 "ls of all planted PIDs exits 0"
check "ls -J output is valid JSON" jvalid "$J"

# state_is NAME STATE / exe_is NAME PATH / link_is NAME TEXT
state_is() { is "$(jstate "$J" "${P[$1]}")" "$2" "$1: state $2"; }
exe_is() { check "$1: EXE is $(printf %q "$2")" jeq "$J" "${P[$1]}" exe "$2"; }
link_is() { check "$1: LINK is $(printf %q "$2")" jeq "$J" "${P[$1]}" link "$2"; }

state_is ok1 ok
exe_is ok1 "$D/ok1"
link_is ok1 "$D/ok1"
is "$(jget "$J" "${P[ok1]}" modified)" false "ok1: not MODIFIED"

state_is a deleted
exe_is a "$D/a"
link_is a "$D/a (deleted)"
is "$(jget "$J" "${P[a]}" nlink)" 0 "a: NLINK 0"
is "$(jget "$J" "${P[a]}" modified)" false "a: not MODIFIED (unlink alone changes ctime only)"

state_is b replaced
exe_is b "$D/b"
link_is b "$D/b (deleted)"

state_is 'c (deleted)' ok
exe_is 'c (deleted)' "$D/c (deleted)"
is "$(jget "$J" "${P['c (deleted)']}" modified)" false "c (deleted): not MODIFIED"

state_is 'd (deleted)' deleted
exe_is 'd (deleted)' "$D/d (deleted)"
link_is 'd (deleted)' "$D/d (deleted) (deleted)"

state_is e ok
exe_is e "$D/e.renamed"
state_is f ok
exe_is f "$D/sub/f"

state_is g unlinked
exe_is g "$D/g"
link_is g "$D/g (deleted)"
is "$(jget "$J" "${P[g]}" nlink)" 1 "g: NLINK 1 (other link survives)"
is "$(jget "$J" "${P[g]}" modified)" false "g: not MODIFIED (judged on mtime)"

state_is g.hl ok
exe_is g.hl "$D/g.hl"
is "$(jget "$J" "${P[g.hl]}" modified)" false "g.hl: not MODIFIED (removing the other link changed only the ctime of its live image)"

state_is mod ok
is "$(jget "$J" "${P[mod]}" modified)" true "mod: MODIFIED after touch (mtime+atime+ctime)"
state_is modm ok
is "$(jget "$J" "${P[modm]}" modified)" true "modm: MODIFIED after touch -m (mtime)"
state_is modc ok
is "$(jget "$J" "${P[modc]}" modified)" false "modc: not MODIFIED after chmod (ctime only: the code did not change)"

is "$(rawstate "${P[a]}")" deleted "raw output: STATE of a is deleted"
is "$(rawstate "${P[g]}")" unlinked "raw output: STATE of g is unlinked"

# Default scan: the flagged ones are listed, exit status 1.
SJ=$T/scan.json
scanj "$SJ"
is "$SCAN_RC" 1 "scan exits 1 when something is flagged"
check "scan -J output is valid JSON" jvalid "$SJ"
for n in a b 'd (deleted)' g mod modm; do
	check "scan lists $n" jhas "$SJ" "${P[$n]}"
done
for n in ok1 'c (deleted)' g.hl modc; do
	if jhas "$SJ" "${P[$n]}"; then
		nok "scan does not list $n" "$(pejson get "$SJ" "${P[$n]}" state 2>&1)"
	else
		ok "scan does not list $n"
	fi
done
is "$(jstate "$SJ" "${P[b]}")" replaced "scan row of b says replaced"

"$PROCEXE" >/dev/null 2>"$T/scan.err"
rc=$?
is "$rc" 1 "table scan exits 1 too"
if grep -Eq '^procexe: [0-9]+ processes, [0-9]+ flagged, [0-9]+ denied$' "$T/scan.err"; then
	ok "scan prints the summary line on stderr"
else
	nok "scan prints the summary line on stderr" "stderr: $(cat "$T/scan.err")"
fi

# The live file named "c (deleted)" is removed in turn: now deleted, the
# kernel's text gains a second suffix, EXE keeps the real name.
rm "$D/c (deleted)"
J=$T/c.json
lsj "$J" "${P['c (deleted)']}"
state_is 'c (deleted)' deleted
link_is 'c (deleted)' "$D/c (deleted) (deleted)"
exe_is 'c (deleted)' "$D/c (deleted)"
