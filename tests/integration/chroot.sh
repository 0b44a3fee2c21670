#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# chroot: a process chrooted into a directory with a static binary is ok,
# ROOT shows the directory; removing the binary inside the chroot makes it
# deleted; a file planted on the host at the process's own view of the path
# ("/spin" relative to the chroot) must not matter.
. "$(dirname "$0")/lib.sh"

need_root "chroot"
SS=$PE_HELPERS/pe-spin-static
[ -x "$SS" ] || skip_all "pe-spin-static not built (no static linking)"
command -v chroot >/dev/null || skip_all "chroot(8) not found"

plan 12

R1=$T/root1
R2=$T/root2
mkdir "$R1" "$R2"
cp "$SS" "$R1/spin"
cp "$SS" "$R2/spin"
settle "$R1/spin" "$R2/spin"

if ! start_fixture chroot1 "$T/out.1" chroot "$R1" /spin marker ||
   ! { P1=$FIXTURE_PID; start_fixture chroot2 "$T/out.2" chroot "$R2" /spin marker; }; then
	nok "chrooted fixtures started"
	skip_rest "rest" "fixtures did not start"
	exit 0
fi
P2=$FIXTURE_PID
ok "chrooted fixtures started"

COLS=PID,STATE,EXE,LINK,ROOT,MODIFIED
J=$T/a.json
lsj "$J" "$P1" "$P2"
is "$LS_RC" 0 "ls exits 0"
is "$(jstate "$J" "$P1")" ok "chroot: state ok"
check "chroot: ROOT is the chroot directory" jeq "$J" "$P1" root "$R1"
check "chroot: LINK is the kernel's (host-relative) text" jeq "$J" "$P1" link "$R1/spin"
check "chroot: EXE is the launch path as seen from the reader's root" jeq "$J" "$P1" exe "$R1/spin"
is "$(jget "$J" "$P1" modified)" false "chroot: not MODIFIED"

rm "$R2/spin"
J=$T/b.json
lsj "$J" "$P1" "$P2"
is "$(jstate "$J" "$P2")" deleted "chroot, binary removed: state deleted"
is "$(jstate "$J" "$P1")" ok "chroot, other one: still ok"

scanj "$T/scan.json"
is "$SCAN_RC" 1 "scan exits 1"
check "scan lists the chrooted process whose binary was removed" jhas "$T/scan.json" "$P2"
if jhas "$T/scan.json" "$P1"; then
	nok "scan does not list the intact chrooted process" "$(jget "$T/scan.json" "$P1" state)"
else
	ok "scan does not list the intact chrooted process"
fi
