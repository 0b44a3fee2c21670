#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# prctl(PR_SET_MM, PR_SET_MM_MAP) with exe_fd: the fixture unmaps its own
# image from an anonymous trampoline and points its exe link at another
# file, which it never maps: state "repointed".  A normal process running
# that other file is ok.
. "$(dirname "$0")/lib.sh"

need_root "PR_SET_MM_MAP needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE"
RP=$PE_HELPERS/pe-repoint
[ -x "$RP" ] || skip_all "pe-repoint not built (needs x86_64 and static linking)"

plan 9

cp "$RP" "$T/repointer"
cp "$PE_HELPERS/pe-spin" "$T/decoy"
settle "$T/repointer" "$T/decoy"

spawn "$T/out.rp" "$T/repointer" "$T/decoy"
RPID=$SPAWNED
wait_ready "$T/out.rp" "$RPID"
case $READY_LINE in
ready*) ;;
"fail "*" errno=1"|"fail "*" errno=22")
	skip_rest "repointed" "PR_SET_MM_MAP refused here: $READY_LINE"
	exit 0 ;;
*)
	nok "repoint fixture started" "${READY_LINE:-no output} $(tail -n 3 "$T/stderr.log")"
	skip_rest "repointed" "fixture did not start"
	exit 0 ;;
esac
ok "repoint fixture started"
is "$(exe_link "$RPID")" "$T/decoy" "precondition: the exe link names the decoy"
if grep -q "$T/decoy" "/proc/$RPID/maps"; then
	nok "precondition: the decoy is not mapped"
else
	ok "precondition: the decoy is not mapped"
fi

if start_fixture decoy "$T/out.d" "$T/decoy"; then
	DPID=$FIXTURE_PID
else
	DPID=
fi

COLS=PID,STATE,EXE,LINK,MODIFIED
J=$T/a.json
lsj "$J" "$RPID" $DPID
is "$LS_RC" 0 "ls exits 0"
is "$(jstate "$J" "$RPID")" repointed "PR_SET_MM_MAP exe change: state repointed"
check "repointed: LINK is the decoy" jeq "$J" "$RPID" link "$T/decoy"
if [ -n "$DPID" ]; then
	is "$(jstate "$J" "$DPID")" ok "a process really running the decoy: ok"
else
	nok "a process really running the decoy: ok" "decoy fixture did not start"
fi

scanj "$T/scan.json"
is "$SCAN_RC" 1 "scan exits 1"
check "scan lists the repointed process" jhas "$T/scan.json" "$RPID"
