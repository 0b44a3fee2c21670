#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart with hostile library names.  The kernel writes a newline
# in a maps path as "\012" (and nothing else escaped, not even a
# backslash): FILE in JSON must be the real name, table and raw output
# must show a newline as \x0a (never raw) and a backslash as \\.  Intact
# libraries with such names are not flagged, also when a literal "\012"
# name and a newline name give the same maps text; removed, they are
# flagged deleted under their real names.  bs2 holds a literal "\012" with
# no newline twin; bs has a twin whose name has a newline there.
. "$(dirname "$0")/restart-lib.sh"

plan 41

D=$T/n
D2=$T/n2
mkdir "$D" "$D2"
declare -A NAME P F
NAME[nl]=$(printf 'lib new\nline.so')       # newline and space
NAME[bs]='lib\012x.so'                      # a literal backslash, 0, 1, 2
NAME[twin]=$(printf 'lib\nx.so')            # same maps text as bs
NAME[esc]=$(printf 'lib\033[31mred.so')
NAME[ff]=$(printf 'lib\377\376 bad.so')
NAME[tab]=$(printf 'lib\ttab.so')
NAME[bs2]='lib\012y.so'
KEYS="nl bs twin esc ff tab bs2"
DEL="nl bs esc ff tab bs2"
for k in $KEYS; do
	F[$k]=$D/${NAME[$k]}
done
F[bs2]=$D2/${NAME[bs2]}
for k in $KEYS; do
	lib_copy "${F[$k]}"
done
settle "$D"/* "$D2"/*

started=1
for k in $KEYS; do
	if start_dl "$k" "$T/out.$k" "${F[$k]}"; then P[$k]=$FIXTURE_PID; else started=0; fi
done
fixtures_started "fixtures started"
PIDS=$(for k in $KEYS; do echo "${P[$k]}"; done)
if grep -qF 'lib new\012line.so' "/proc/${P[nl]}/maps"; then
	ok "precondition: the maps show the newline as \\012"
else
	nok "precondition: the maps show the newline as \\012" "$(grep -a line "/proc/${P[nl]}/maps")"
fi

# --- intact: nothing flagged
J=$T/live.json
restartj "$J" $PIDS
status_is "$J" 0 "intact libraries with hostile names: exit 0"
for k in $KEYS; do
	rows_is "$k: intact library not flagged" "$J" 0 pid="${P[$k]}"
done

# --- all removed but twin: deleted, real names
for k in $DEL; do
	rm "${F[$k]}"
done
J=$T/del.json
restartj "$J" $PIDS
status_is "$J" 1 "removed: exit 1"
check "removed: valid JSON (strict, UTF-8)" rsj valid "$J"
for k in $DEL; do
	finding "$k: deleted, JSON FILE is the real name" "$J" \
		pid="${P[$k]}" reason=deleted type=lib path="${F[$k]}"
done
rows_is "twin: its library (same maps text as bs) is intact: not flagged" "$J" 0 pid="${P[twin]}"
# a JSON escape of the newline (\n or \u000a), never the kernel's \012
if grep -Eq 'new(\\n|\\u000a)line\.so' "$J" && ! grep -q 'line\.so' <(grep -F '\\012' "$J"); then
	ok "JSON: the newline is written as a JSON escape, not as the kernel's \\012"
else
	nok "JSON: the newline is written as a JSON escape, not as the kernel's \\012" "$(grep -a line "$J")"
fi

# --- raw output: one line per row, escaped names
R=$T/del.raw
restartx "$R" -r -n -o PID,PATH $PIDS
status_is "$R" 1 "raw: exit 1"
check "raw: no raw control character or invalid UTF-8" pejson clean "$R"
is "$(wc -l <"$R")" 6 "raw: one line per row (the newline is escaped)"
check "raw: every line has 2 cells (spaces escaped)" rsj rawcells "$R" 2
for k in $DEL; do
	check "$k: raw FILE is the escaped real name" rsj rawhas "$R" "${P[$k]}" "${F[$k]}"
done
if grep -qF 'lib\x20new\x0aline.so' "$R"; then
	ok "raw: newline shown as \\x0a, space as \\x20"
else
	nok "raw: newline shown as \\x0a, space as \\x20" "$(grep -a line "$R")"
fi

# --- table output
TAB=$T/del.tab
restartx "$TAB" -o PID,REASON,PATH $PIDS
status_is "$TAB" 1 "table: exit 1"
check "table: no raw control character or invalid UTF-8" pejson clean "$TAB"
is "$(wc -l <"$TAB")" 7 "table: header and one line per row"
if grep -qF 'lib new\x0aline.so' "$TAB"; then
	ok "table: newline shown as \\x0a"
else
	nok "table: newline shown as \\x0a" "$(cat "$TAB")"
fi
if grep -qF 'lib\\012x.so' "$TAB" && grep -qF 'lib\\012y.so' "$TAB"; then
	ok "table: the literal backslash shown as \\\\"
else
	nok "table: the literal backslash shown as \\\\" "$(cat "$TAB")"
fi
if grep -qiF 'lib\x1b[31mred.so' "$TAB"; then
	ok "table: ESC shown as \\x1b"
else
	nok "table: ESC shown as \\x1b" "$(cat "$TAB")"
fi
if grep -qiF 'lib\xff\xfe bad.so' "$TAB"; then
	ok "table: invalid UTF-8 shown as \\xHH"
else
	nok "table: invalid UTF-8 shown as \\xHH" "$(cat "$TAB")"
fi
if grep -qiF 'lib\x09tab.so' "$TAB"; then
	ok "table: tab shown as \\x09"
else
	nok "table: tab shown as \\x09" "$(cat "$TAB")"
fi
restartx "$T/def.tab" $PIDS
check "default table output: no raw control character or invalid UTF-8" pejson clean "$T/def.tab"

# --- now twin goes too: deleted under the newline name
rm "$D/${NAME[twin]}"
J=$T/twin.json
restartj "$J" "${P[twin]}"
finding "twin removed: deleted, JSON FILE has the newline" "$J" \
	pid="${P[twin]}" reason=deleted type=lib path="${F[twin]}"
