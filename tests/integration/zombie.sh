#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Processes without an executable: a zombie (parent does not reap) is
# "zombie", a kernel thread is "kernel"; neither is flagged.  A live
# multithreaded process whose main thread exited (leader shows State Z,
# its exe link fails) still runs its image: it must not be "zombie".
. "$(dirname "$0")/lib.sh"

plan 12

# --- zombie
spawn "$T/out.z" "$PE_HELPERS/pe-zombie"
if wait_ready "$T/out.z" "$SPAWNED"; then
	read -r _ ZP ZC <"$T/out.z"
	ok "zombie fixture started"
	J=$T/z.json
	COLS=PID,STATE,EXE,PPID
	lsj "$J" "$ZC" "$ZP"
	is "$LS_RC" 0 "ls of the zombie exits 0"
	is "$(jstate "$J" "$ZC")" zombie "zombie: state zombie"
	is "$(jget "$J" "$ZC" exe)" null "zombie: EXE unknown (null)"
	is "$(jstate "$J" "$ZP")" ok "zombie's parent: state ok"
	is "$(rawstate "$ZC")" zombie "raw output: zombie"
else
	nok "zombie fixture started" "$READY_LINE"
	skip_n 5 "zombie" "fixture did not start"
fi

# --- kernel thread: kthreadd (PID 2) or any thread with PF_KTHREAD
is_kthread() {
	local stat flags
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	flags=$7           # field 9 of /proc/PID/stat
	(( flags & 0x00200000 ))
}
K=
if is_kthread 2; then
	K=2
else
	for d in /proc/[0-9]*; do
		if is_kthread "${d#/proc/}"; then K=${d#/proc/}; break; fi
	done
fi
if [ -z "$K" ]; then
	skip_n 3 "kernel thread" "no kernel thread visible (container?)"
else
	J=$T/k.json
	COLS=PID,STATE,EXE,LINK
	lsj "$J" "$K"
	is "$(jstate "$J" "$K")" kernel "kernel thread $K: state kernel"
	is "$(jget "$J" "$K" exe)" null "kernel thread $K: EXE null"
	is "$(rawstate "$K")" kernel "raw output: kernel"
fi

# --- leader exited, other thread alive
spawn "$T/out.le" "$PE_HELPERS/pe-leader-exit"
if wait_ready "$T/out.le" "$SPAWNED"; then
	L=$READY_PID
	J=$T/le.json
	COLS=PID,STATE,EXE
	lsj "$J" "$L"
	is "$(jstate "$J" "$L")" ok "leader exited, thread alive: state ok (task/*/exe)"
	check "leader exited, thread alive: EXE is the helper" jeq "$J" "$L" exe "$PE_HELPERS/pe-leader-exit"
else
	nok "leader-exit fixture started" "$READY_LINE"
	skip "leader-exit" "fixture did not start"
fi

# --- none of them is flagged
scanj "$T/scan.json"
bad=
for p in ${ZC:-} ${K:-} ${L:-}; do
	jhas "$T/scan.json" "$p" && bad="$bad $p"
done
is "$bad" "" "scan lists neither zombie, kernel thread nor leader-exited process"
