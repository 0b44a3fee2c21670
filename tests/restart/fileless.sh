#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart, fileless code: an executable shared mapping of a memfd
# (a JIT cache: "/memfd:NAME (deleted)" in the maps) is REASON and CATEGORY
# fileless, FILE "/memfd:NAME", and alone gives exit 0; --ignore-fileless
# hides it with a note on stderr.  With a deleted library in the same
# process the restart row comes first and the exit status is 1.  A program
# executed from a memfd or an O_TMPFILE file is a fileless exe.
. "$(dirname "$0")/restart-lib.sh"

plan 34

S=$PE_HELPERS/pe-spin
MAP=$PE_HELPERS/pe-memfd-map
NAME=pe-rt-jit-$$

# --- memfd mapped r-xs, nothing else
spawn "$T/out.m" "$MAP" "$NAME" marker
wait_ready "$T/out.m" "$SPAWNED"
rc=$?
if [ $rc = 77 ]; then
	skip_all "${READY_LINE#skip: }"
elif [ $rc != 0 ]; then
	nok "memfd-map fixture started" "$READY_LINE $(tail -n 3 "$T/stderr.log")"
	skip_rest "rest" "fixture did not start"
	exit 0
fi
M=$READY_PID
ok "memfd-map fixture started"
if grep -q "r-xs .*/memfd:$NAME (deleted)\$" "/proc/$M/maps"; then
	ok "precondition: the maps line is an executable shared memfd mapping"
else
	nok "precondition: the maps line is an executable shared memfd mapping" \
		"$(grep memfd "/proc/$M/maps")"
fi

J=$T/m.json
restartj "$J" "$M"
status_is "$J" 0 "memfd executable mapping alone: exit 0"
check "valid JSON" rsj valid "$J"
rows_is "memfd: exactly one row for the process" "$J" 1 pid="$M"
finding "memfd: REASON fileless, CATEGORY fileless, TYPE lib, FILE /memfd:NAME" "$J" \
	pid="$M" reason=fileless category=fileless type=lib path="/memfd:$NAME"
stderr_clean "memfd: nothing on stderr" "$J.err"
is "$(rsj summary "$J" flagged):$(rsj summary "$J" fileless)" "0:1" \
	"memfd: summary flagged 0 (nothing must restart: exit 0), fileless 1"

restartx "$T/m.tab" "$M"
status_is "$T/m.tab" 0 "memfd, table output: exit 0"
if grep -E "(^|[[:space:]])${M}[[:space:]].*fileless[[:space:]]+lib[[:space:]]+/memfd:${NAME}[[:space:]]*\$" "$T/m.tab" >/dev/null; then
	ok "memfd, table output: the fileless row"
else
	nok "memfd, table output: the fileless row" "$(cat "$T/m.tab")"
fi
restartx "$T/m.raw" -r -n -o PID,CATEGORY,REASON,PATH "$M"
check "memfd, raw output: PID fileless fileless /memfd:NAME" \
	rsj rawhas "$T/m.raw" "$M" fileless fileless "/memfd:$NAME"

J=$T/m-ign.json
restartj "$J" --ignore-fileless "$M"
status_is "$J" 0 "--ignore-fileless: exit 0"
rows_is "--ignore-fileless: the row is gone" "$J" 0
if stderr_notes "$J.err" | grep -w 1 | grep -q -- --ignore-fileless; then
	ok "--ignore-fileless: a note on stderr (1 dropped)"
else
	nok "--ignore-fileless: a note on stderr (1 dropped)" "stderr: $(cat "$J.err")"
fi
restartx "$T/m-ign.tab" --ignore-fileless "$M"
if grep -q "memfd:" "$T/m-ign.tab"; then
	nok "--ignore-fileless, table: no memfd row" "$(cat "$T/m-ign.tab")"
else
	ok "--ignore-fileless, table: no memfd row"
fi

# --- the same in a process that also maps a deleted library
lib_copy "$T/libdel.so"
settle "$T/libdel.so"
if start_preload both "$T/out.b" "$T/libdel.so" "$MAP" "$NAME-b" marker; then
	B=$FIXTURE_PID
	rm "$T/libdel.so"
	J=$T/b.json
	restartj "$J" "$M" "$B"
	status_is "$J" 1 "deleted library next to fileless code: exit 1"
	finding "deleted library: restart row" "$J" pid="$B" category=restart reason=deleted \
		type=lib path="$T/libdel.so"
	finding "the process's memfd: fileless row" "$J" pid="$B" category=fileless \
		reason=fileless path="/memfd:$NAME-b"
	cats=$(rsj values "$J" category | uniq | tr '\n' ' ')
	is "$cats" "restart fileless " "restart rows first, then fileless (whatever the PIDs)"
	is "$(rsj values "$J" pid category=fileless | tr '\n' ' ')" "$(printf '%s\n' "$M" "$B" | sort -n | tr '\n' ' ')" \
		"fileless rows sorted by PID"
	J=$T/b-ign.json
	restartj "$J" --ignore-fileless "$M" "$B"
	status_is "$J" 1 "--ignore-fileless with a restart finding: exit 1"
	rows_is "--ignore-fileless: only the restart row left" "$J" 1
	finding "--ignore-fileless: it is the deleted library" "$J" pid="$B" reason=deleted
	J=$T/b-ign2.json
	restartj "$J" --ignore "$T/*" "$M" "$B"
	status_is "$J" 0 "--ignore dropping the restart row, fileless left: exit 0"
	rows_is "--ignore dropping the restart row: two fileless rows left" "$J" 2 category=fileless
else
	nok "fixture with a deleted library and a memfd started"
	skip_n 10 "deleted library next to fileless code" "fixture did not start"
fi

# --- program executed from a memfd: a fileless exe
spawn "$T/out.x" "$PE_HELPERS/pe-memfd-exec" "$S" "$NAME-exe" marker
wait_ready "$T/out.x" "$SPAWNED"
rc=$?
if [ $rc = 77 ]; then
	skip_n 4 "memfd exec" "${READY_LINE#skip: }"
elif [ $rc != 0 ]; then
	nok "memfd-exec fixture started" "$READY_LINE"
	skip_n 3 "memfd exec" "fixture did not start"
else
	X=$READY_PID
	ok "memfd-exec fixture started"
	J=$T/x.json
	restartj "$J" "$X"
	status_is "$J" 0 "program run from a memfd: exit 0"
	rows_is "program run from a memfd: one row" "$J" 1 pid="$X"
	finding "program run from a memfd: TYPE exe, REASON/CATEGORY fileless, FILE /memfd:NAME" "$J" \
		pid="$X" type=exe reason=fileless category=fileless path="/memfd:$NAME-exe"
fi

# --- program executed from an O_TMPFILE file in /dev/shm: a fileless exe
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	spawn "$T/out.o" "$PE_HELPERS/pe-tmpfile-exec" /dev/shm "$S" marker
	wait_ready "$T/out.o" "$SPAWNED"
	rc=$?
else
	rc=77 READY_LINE="skip: /dev/shm not writable"
fi
if [ $rc = 77 ]; then
	skip_n 4 "O_TMPFILE exec" "${READY_LINE#skip: }"
elif [ $rc != 0 ]; then
	nok "O_TMPFILE fixture started" "$READY_LINE"
	skip_n 3 "O_TMPFILE exec" "fixture did not start"
else
	O=$READY_PID
	ok "O_TMPFILE fixture started"
	J=$T/o.json
	restartj "$J" "$O"
	status_is "$J" 0 "program run from an O_TMPFILE file: exit 0"
	rows_is "program run from an O_TMPFILE file: one row" "$J" 1 pid="$O"
	finding "program run from an O_TMPFILE file: TYPE exe, REASON/CATEGORY fileless" "$J" \
		pid="$O" type=exe reason=fileless category=fileless
fi

# all of them at once: still exit 1 only because of the deleted library
J=$T/all.json
restartj "$J" "$M" ${B:-} ${X:-} ${O:-}
if [ -n "${B:-}" ]; then
	status_is "$J" 1 "all together: exit 1 (the deleted library)"
else
	skip "all together" "no deleted-library fixture"
fi
