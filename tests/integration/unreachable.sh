#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Mount tricks: a binary on a tmpfs that was lazily unmounted (umount -l,
# detached) is unreachable, also when its detached-relative path names a
# different live file on the host; a directory mounted over the binary's
# directory makes it unreachable; exec through a bind mount or a symlink
# stays ok.
. "$(dirname "$0")/lib.sh"

need_root "mounts"
S=$PE_HELPERS/pe-spin
plan 17

# m1: detached tmpfs, text "/sub/prog" (nothing there on the host)
mkdir "$T/m1" "$T/m2" "$T/om" "$T/bsrc" "$T/bdst" "$T/collide"
mount -t tmpfs pe-int "$T/m1" && track_mount "$T/m1" || skip_all "cannot mount tmpfs"
mkdir "$T/m1/sub"
cp "$S" "$T/m1/sub/prog"
# m2: detached tmpfs whose file sits at $T/collide/prog relative to the
# tmpfs root; the host has another file at $T/collide/prog
mount -t tmpfs pe-int "$T/m2" && track_mount "$T/m2"
mkdir -p "$T/m2$T/collide"
cp "$S" "$T/m2$T/collide/prog"
cp "$PE_HELPERS/pe-zombie" "$T/collide/prog"
# om: to be overmounted
cp "$S" "$T/om/prog"
# bind mount and symlink
cp "$S" "$T/bsrc/prog"
mount --bind "$T/bsrc" "$T/bdst" && track_mount "$T/bdst"
cp "$S" "$T/real"
ln -s real "$T/sl"
settle "$T/m1/sub/prog" "$T/m2$T/collide/prog" "$T/om/prog" "$T/bsrc/prog" "$T/real"

declare -A P
started=1
start_fixture m1 "$T/out.m1" run_in "$T/m1/sub" ./prog && P[m1]=$FIXTURE_PID || started=0
start_fixture m2 "$T/out.m2" "$T/m2$T/collide/prog" && P[m2]=$FIXTURE_PID || started=0
start_fixture om "$T/out.om" "$T/om/prog" && P[om]=$FIXTURE_PID || started=0
start_fixture bind "$T/out.b" "$T/bdst/prog" && P[bind]=$FIXTURE_PID || started=0
start_fixture sl "$T/out.sl" "$T/sl" && P[sl]=$FIXTURE_PID || started=0
fixtures_started "fixtures started"

J=$T/before.json
lsj "$J" "${P[@]}"
is "$(jstate "$J" "${P[m1]}")" ok "tmpfs binary before umount: ok"
is "$(jstate "$J" "${P[om]}")" ok "binary before overmount: ok"

umount -l "$T/m1"
umount -l "$T/m2"
mount -t tmpfs pe-int-over "$T/om" && track_mount "$T/om"

is "$(exe_link "${P[m1]}")" /sub/prog "precondition: detached text is /sub/prog"
J=$T/after.json
lsj "$J" "${P[@]}"
is "$LS_RC" 0 "ls exits 0"
is "$(jstate "$J" "${P[m1]}")" unreachable "lazily unmounted tmpfs: unreachable"
check "lazily unmounted tmpfs: LINK is the detached-relative text" jeq "$J" "${P[m1]}" link /sub/prog
is "$(jstate "$J" "${P[m2]}")" unreachable "lazily unmounted, text names another live host file: unreachable"
is "$(jstate "$J" "${P[om]}")" unreachable "directory mounted over: unreachable"
check "directory mounted over: LINK unchanged" jeq "$J" "${P[om]}" link "$T/om/prog"
is "$(jstate "$J" "${P[bind]}")" ok "exec through a bind mount: ok"
check "exec through a bind mount: EXE is the bind path" jeq "$J" "${P[bind]}" exe "$T/bdst/prog"
is "$(jstate "$J" "${P[sl]}")" ok "exec through a symlink: ok"
check "exec through a symlink: EXE is the target" jeq "$J" "${P[sl]}" exe "$T/real"

scanj "$T/scan.json"
is "$SCAN_RC" 1 "scan exits 1"
miss=
for n in m1 m2 om; do
	jhas "$T/scan.json" "${P[$n]}" || miss="$miss $n"
done
is "$miss" "" "scan lists the unreachable ones"
extra=
for n in bind sl; do
	jhas "$T/scan.json" "${P[$n]}" && extra="$extra $n"
done
is "$extra" "" "scan does not list the bind-mount and symlink launches"
