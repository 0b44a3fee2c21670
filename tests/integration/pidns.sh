#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A pid namespace with its own procfs, read from the host with --proc DIR:
# PIDs are the namespace's (the fixture is PID 1 there).  Two ways to reach
# such a procfs: mount -t proc -o pidns=... (Linux 6.18) and the
# namespace's own /proc through /proc/PID/root/proc.
. "$(dirname "$0")/lib.sh"

need_root "pid namespaces"
command -v unshare >/dev/null || skip_all "unshare(1) not found"
unshare -p -f --mount-proc true 2>/dev/null || skip_all "unshare --pid --mount-proc not permitted here"

S=$PE_HELPERS/pe-spin
plan 21

cp "$S" "$T/spin"
settle "$T/spin"
if ! start_fixture pidns "$T/out.ns" unshare -p -f --mount-proc --kill-child "$T/spin" marker; then
	nok "fixture in a new pid namespace started"
	skip_rest "rest" "fixture did not start"
	exit 0
fi
U=$SPAWNED
ok "fixture in a new pid namespace started"
is "$READY_PID" 1 "precondition: the fixture is PID 1 in its namespace"
C=$(cat "/proc/$U/task/$U/children" 2>/dev/null)
C=${C%% *}
track_pid "$C" "$U"

# the two procfs views of the namespace
PROCS=()
mkdir "$T/p"
if mount -t proc -o "pidns=/proc/$C/ns/pid" proc "$T/p" 2>"$T/mount.err"; then
	track_mount "$T/p"
	if [ -d "$T/p/1" ] && [ ! -e "$T/p/$C" ]; then
		PROCS+=("$T/p")
	else
		diag "mount -o pidns= gave the host's procfs; option ignored"
		umount "$T/p"
	fi
else
	diag "mount -o pidns= not available: $(cat "$T/mount.err")"
fi
PROCS+=("/proc/$C/root/proc")

view_tests() {    # view_tests PROCDIR LABEL
	local p=$1 l=$2 j=$T/v.$RANDOM.json rc
	"$PROCEXE" ls --proc "$p" -J -o PID,STATE,EXE 1 >"$j" 2>"$j.err"
	rc=$?
	jload "$j"
	is "$rc" 0 "$l: ls 1 exits 0"
	is "$(jstate "$j" 1)" ok "$l: PID 1 is the fixture, state ok"
	check "$l: EXE is the fixture's path" jeq "$j" 1 exe "$T/spin"
	"$PROCEXE" ls --proc "$p" -J -o PID,STATE >"$j" 2>"$j.err"
	is "$(jpids "$j" 2>&1)" 1 "$l: ls lists the namespace's only process, PID 1"
	"$PROCEXE" ls --proc "$p" -o PID,STATE 2 >/dev/null 2>&1
	is "$?" 3 "$l: PID 2 (a host PID) does not exist there: exit 3"
	"$PROCEXE" --proc "$p" -J >"$j" 2>"$j.err"
	is "$?" 0 "$l: scan finds nothing: exit 0"
}
after_rm_tests() {
	local p=$1 l=$2 j=$T/w.$RANDOM.json rc
	"$PROCEXE" ls --proc "$p" -J -o PID,STATE,EXE 1 >"$j" 2>"$j.err"
	jload "$j"
	is "$(jstate "$j" 1)" deleted "$l: binary removed: PID 1 deleted"
	"$PROCEXE" --proc "$p" -J >"$j" 2>"$j.err"
	rc=$?
	jload "$j"
	is "$rc" 1 "$l: binary removed: scan exits 1"
	is "$(jpids "$j" 2>&1)" 1 "$l: binary removed: scan lists PID 1 only"
}

labels=("pidns= procfs" "/proc/PID/root/proc")
if [ ${#PROCS[@]} = 1 ]; then
	skip_n 6 "pidns= procfs" "mount -o pidns= not supported"
	view_tests "${PROCS[0]}" "${labels[1]}"
else
	view_tests "${PROCS[0]}" "${labels[0]}"
	view_tests "${PROCS[1]}" "${labels[1]}"
fi

rm "$T/spin"
if [ ${#PROCS[@]} = 1 ]; then
	skip_n 3 "pidns= procfs" "mount -o pidns= not supported"
	after_rm_tests "${PROCS[0]}" "${labels[1]}"
else
	after_rm_tests "${PROCS[0]}" "${labels[0]}"
	after_rm_tests "${PROCS[1]}" "${labels[1]}"
fi

# the host view of the same process agrees
J=$T/host.json
lsj "$J" "$C"
is "$(jstate "$J" "$C")" deleted "host view: the same process is deleted"
