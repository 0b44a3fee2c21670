#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart, the reasons: a library deleted (LD_PRELOAD and dlopen),
# replaced (mv -f of a new file over it), modified in place after the
# process started (a process started after the change is not flagged),
# renamed (not deleted nor replaced), a live library whose name ends in " (deleted)"
# (not flagged until it is removed); the executable deleted, replaced and
# unlinked (hard link survives).  Exit status 0 for intact processes, 1 with
# a finding; rows sorted (PID, exe first, FILE); default table columns.
. "$(dirname "$0")/restart-lib.sh"

plan 61

S=$PE_HELPERS/pe-spin
D=$T/r
mkdir "$D"
for n in ok del pre rep mod ren a b exe meta; do
	lib_copy "$D/lib$n.so"
done
lib_copy "$D/libx.so (deleted)"
lib_copy "$D/librep.new"
printf 'X' >>"$D/librep.new"          # different content, new inode
for n in spin-del spin-rep spin-unl spin-ok; do
	cp "$S" "$D/$n"
done
cp "$S" "$D/spin-rep.new"
printf 'X' >>"$D/spin-rep.new"
ln "$D/spin-unl" "$D/spin-unl.hl"
settle "$D"/*

declare -A P
started=1
sdl() {   # sdl KEY LIB...
	local k=$1
	shift
	if start_dl "$k" "$T/out.$k" "$@"; then P[$k]=$FIXTURE_PID; else started=0; fi
}
sdl ok "$D/libok.so"
sdl del "$D/libdel.so"
sdl rep "$D/librep.so"
sdl mod "$D/libmod.so"
sdl ren "$D/libren.so"
sdl meta "$D/libmeta.so"
sdl two "$D/liba.so" "$D/libb.so"
sdl xdel "$D/libx.so (deleted)"
if start_preload pre "$T/out.pre" "$D/libpre.so"; then P[pre]=$FIXTURE_PID; else started=0; fi
# executable and a library both deleted: two rows, the exe first
if start_preload exe "$T/out.exe" "$D/libexe.so" "$D/spin-del" marker; then
	P[exe]=$FIXTURE_PID
else
	started=0
fi
for k in spin-rep spin-unl spin-ok; do
	if start_fixture "$k" "$T/out.$k" "$D/$k" marker; then P[$k]=$FIXTURE_PID; else started=0; fi
done
t_start=$(date +%s.%N)
fixtures_started "fixtures started"

# --- before any change: nothing to restart, exit 0
J=$T/intact.json
restartj "$J" "${P[@]}"
status_is "$J" 0 "intact processes: exit 0"
check "intact: valid JSON of the form {\"restart\": [...]}" rsj valid "$J"
rows_is "intact: no rows for the planted PIDs" "$J" 0
stderr_clean "intact: nothing but the summary line on stderr" "$J.err"
restartx "$T/intact.tab" "${P[ok]}"
status_is "$T/intact.tab" 0 "intact process alone, table output: exit 0"

# --- the changes
rm "$D/libdel.so" "$D/libpre.so" "$D/liba.so" "$D/libb.so" "$D/libexe.so" "$D/spin-del"
mv -f "$D/librep.new" "$D/librep.so"
mv "$D/libren.so" "$D/libren-moved.so"
chmod 600 "$D/libmeta.so"                # metadata only: ctime moves, the code does not
ln "$D/libmeta.so" "$D/libmeta-link.so"
mv -f "$D/spin-rep.new" "$D/spin-rep"
rm "$D/spin-unl"
settle_since "$t_start"
printf 'appended' >>"$D/libmod.so"      # same inode, mtime after the start
# control: started after the change (and after PE_SETTLE) maps the same,
# modified file and must not be flagged
settle "$D/libmod.so"
if start_dl modctl "$T/out.modctl" "$D/libmod.so"; then
	P[modctl]=$FIXTURE_PID
	ok "control process started after the modification"
else
	nok "control process started after the modification"
fi

J=$T/all.json
restartj "$J" "${P[@]}"
status_is "$J" 1 "with findings: exit 1"
check "valid JSON" rsj valid "$J"

finding "deleted library (dlopen): one row" "$J" pid="${P[del]}"
finding "deleted library: REASON deleted, TYPE lib, FILE the path, CATEGORY restart" "$J" \
	pid="${P[del]}" reason=deleted type=lib path="$D/libdel.so" category=restart
finding "deleted library (LD_PRELOAD): one row" "$J" pid="${P[pre]}"
finding "deleted library (LD_PRELOAD): REASON deleted, TYPE lib, FILE the path" "$J" \
	pid="${P[pre]}" reason=deleted type=lib path="$D/libpre.so"
finding "replaced library: one row" "$J" pid="${P[rep]}"
finding "replaced library: REASON replaced, TYPE lib, FILE the path" "$J" \
	pid="${P[rep]}" reason=replaced type=lib path="$D/librep.so" category=restart
finding "library modified in place: one row" "$J" pid="${P[mod]}"
finding "library modified in place: REASON modified, TYPE lib, FILE the path" "$J" \
	pid="${P[mod]}" reason=modified type=lib path="$D/libmod.so" category=restart
is "$(rget "$J" inode pid="${P[mod]}")" "$(stat -c %i "$D/libmod.so")" \
	"modified: INODE is the library's (same inode)"
no_finding "control started after the modification: not flagged" "$J" pid="${P[modctl]:-none}"
# a rename, chmod or new hard link moves ctime only: MODIFIED goes by mtime
rows_is "renamed library (same inode): not deleted" "$J" 0 pid="${P[ren]}" reason=deleted
rows_is "renamed library (same inode): not replaced" "$J" 0 pid="${P[ren]}" reason=replaced
rows_is "renamed library: no row under its old name" "$J" 0 pid="${P[ren]}" path="$D/libren.so"
no_finding "renamed library: no row at all (a rename is not a modification)" "$J" pid="${P[ren]}"
no_finding "chmod and a new hard link of a library: not flagged" "$J" pid="${P[meta]}"
no_finding "intact library: not flagged" "$J" pid="${P[ok]}"
no_finding "intact executable: not flagged" "$J" pid="${P[spin-ok]}"
no_finding "live library named \"... (deleted)\": not flagged" "$J" pid="${P[xdel]}"

rows_is "two deleted libraries: two rows" "$J" 2 pid="${P[two]}"
is "$(rsj values "$J" path pid="${P[two]}" | tr '\n' '|')" "$D/liba.so|$D/libb.so|" \
	"two deleted libraries: rows sorted by FILE"

rows_is "deleted executable and library: two rows" "$J" 2 pid="${P[exe]}"
finding "deleted executable: REASON deleted, TYPE exe, FILE the path" "$J" \
	pid="${P[exe]}" reason=deleted type=exe path="$D/spin-del"
finding "deleted executable: its library row too" "$J" \
	pid="${P[exe]}" reason=deleted type=lib path="$D/libexe.so"
is "$(rsj values "$J" type pid="${P[exe]}" | tr '\n' ' ')" "exe lib " \
	"deleted executable and library: the exe row first"

finding "replaced executable: one row" "$J" pid="${P[spin-rep]}"
finding "replaced executable: REASON replaced, TYPE exe, FILE the path" "$J" \
	pid="${P[spin-rep]}" reason=replaced type=exe path="$D/spin-rep"
finding "unlinked executable: one row" "$J" pid="${P[spin-unl]}"
finding "unlinked executable (other link survives): REASON unlinked, TYPE exe" "$J" \
	pid="${P[spin-unl]}" reason=unlinked type=exe path="$D/spin-unl"

# rows sorted: everything here is in the test's own cgroup, so by PID
pids=$(rsj values "$J" pid)
if [ "$pids" = "$(sort -n <<<"$pids")" ]; then
	ok "rows sorted by PID within one group"
else
	nok "rows sorted by PID within one group" "order: $(echo $pids)"
fi
is "$(rsj extra "$J" "${P[@]}")" "" "no row for a PID that was not asked for"

# one PID alone: exit status follows its findings
restartj "$T/one-ok.json" "${P[ok]}"
status_is "$T/one-ok.json" 0 "intact library alone: exit 0"
restartj "$T/one-del.json" "${P[del]}"
status_is "$T/one-del.json" 1 "deleted library alone: exit 1"
restartj "$T/one-mod.json" "${P[mod]}"
status_is "$T/one-mod.json" 1 "modified library alone: exit 1"
restartj "$T/one-ctl.json" "${P[modctl]:-1}"
if [ -n "${P[modctl]:-}" ]; then
	status_is "$T/one-ctl.json" 0 "control after the modification alone: exit 0"
else
	skip "control alone" "control did not start"
fi

# the live "... (deleted)" library is now removed: flagged, real name
rm "$D/libx.so (deleted)"
restartj "$T/xdel.json" "${P[xdel]}"
status_is "$T/xdel.json" 1 "library named \"... (deleted)\" removed: exit 1"
finding "library named \"... (deleted)\" removed: deleted, FILE keeps its own suffix" \
	"$T/xdel.json" pid="${P[xdel]}" reason=deleted type=lib path="$D/libx.so (deleted)"

# --- table output: default columns and the rows
TAB=$T/all.tab
restartx "$TAB" "${P[del]}" "${P[spin-rep]}" "${P[ok]}"
status_is "$TAB" 1 "table output: exit 1"
read -r -a head <"$TAB"
is "${head[*]}" "GROUP PID USER COMM REASON TYPE PATH" "table: default columns in the spec's order"
if grep -E "(^|[[:space:]])${P[del]}[[:space:]]+$(id -un)[[:space:]]+pe-dlopen[[:space:]]+deleted[[:space:]]+lib[[:space:]]+$D/libdel\.so[[:space:]]*\$" "$TAB" >/dev/null; then
	ok "table: the deleted library's row"
else
	nok "table: the deleted library's row" "$(cat "$TAB")"
fi
if grep -E "(^|[[:space:]])${P[spin-rep]}[[:space:]].*replaced[[:space:]]+exe[[:space:]]+$D/spin-rep[[:space:]]*\$" "$TAB" >/dev/null; then
	ok "table: the replaced executable's row"
else
	nok "table: the replaced executable's row" "$(cat "$TAB")"
fi
if grep -Eq "(^|[[:space:]])${P[ok]}[[:space:]]" "$TAB"; then
	nok "table: no row for the intact process" "$(cat "$TAB")"
else
	ok "table: no row for the intact process"
fi
is "$(wc -l <"$TAB")" 3 "table: header and two rows"

restartx "$T/all.noh" -n "${P[del]}" "${P[spin-rep]}"
is "$(wc -l <"$T/all.noh")" 2 "--noheadings: two rows, no header"

# --- raw output
RAW=$T/all.raw
restartx "$RAW" -r -n -o PID,REASON,TYPE,PATH "${P[@]}"
status_is "$RAW" 1 "raw output: exit 1"
check "raw: deleted library row" rsj rawhas "$RAW" "${P[del]}" deleted lib "$D/libdel.so"
check "raw: replaced library row" rsj rawhas "$RAW" "${P[rep]}" replaced lib "$D/librep.so"
check "raw: modified library row" rsj rawhas "$RAW" "${P[mod]}" modified lib "$D/libmod.so"
check "raw: unlinked executable row" rsj rawhas "$RAW" "${P[spin-unl]}" unlinked exe "$D/spin-unl"
check "raw: every line has 4 cells" rsj rawcells "$RAW" 4
restartj "$T/all2.json" "${P[@]}"
is "$(wc -l <"$RAW")" "$(rsj count "$T/all2.json")" "raw: as many lines as JSON rows"

# --- a PID that does not exist next to a real one: not an error (exit 0/1)
restartj "$T/gone.json" "${P[del]}" 999999999
case $RS_RC in
0|1) ok "a PID that does not exist: exit $RS_RC, not 2" ;;
*) nok "a PID that does not exist: exit 0 or 1" "exit $RS_RC: $(cat "$T/gone.json.err")" ;;
esac
finding "a PID that does not exist: the other PID still reported" "$T/gone.json" \
	pid="${P[del]}" reason=deleted
