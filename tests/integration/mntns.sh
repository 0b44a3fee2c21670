#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Private mount namespaces (unshare -m): a binary that exists only on a
# tmpfs mounted inside the namespace is ok and not flagged, also when the
# host has a different file at the same path; removing it inside the
# namespace makes it deleted.
. "$(dirname "$0")/lib.sh"

need_root "mount namespaces"
command -v unshare >/dev/null || skip_all "unshare(1) not found"
command -v nsenter >/dev/null || skip_all "nsenter(1) not found"
unshare -m true 2>/dev/null || skip_all "unshare -m not permitted here"

S=$PE_HELPERS/pe-spin
plan 14

# in_ns_run DIR: in a new mount namespace, mount a tmpfs on DIR, copy the
# spin binary there, let its timestamps settle, and exec it (same PID).
in_ns_run() {
	local dir=$1
	exec unshare -m --propagation private sh -c '
		mount -t tmpfs pe-int "$1" || exit 1
		cp "$2" "$1/prog" || exit 1
		t=$(stat -c %.9Z "$1/prog")
		while ! awk -v n="$(date +%s.%N)" -v t="$t" -v m="$3" "BEGIN { exit !(n >= t + m) }"; do
			sleep 0.05
		done
		exec "$1/prog" marker' sh "$dir" "$S" "$PE_SETTLE"
}

mkdir "$T/mnt1" "$T/mnt2" "$T/mnt3"
# mnt3: the host has its own, different file at the same path
cp "$PE_HELPERS/pe-zombie" "$T/mnt3/prog"

declare -A P
started=1
for n in mnt1 mnt2 mnt3; do
	if start_fixture "$n" "$T/out.$n" in_ns_run "$T/$n"; then
		P[$n]=$FIXTURE_PID
	else
		started=0
	fi
done
fixtures_started "fixtures in private mount namespaces started"
if [ ! -e "$T/mnt1/prog" ]; then
	ok "precondition: the binary does not exist on the host"
else
	nok "precondition: the binary does not exist on the host"
fi

COLS=PID,STATE,EXE,LINK,MODIFIED
J=$T/a.json
lsj "$J" "${P[@]}"
is "$(jstate "$J" "${P[mnt1]}")" ok "private tmpfs binary: state ok"
check "private tmpfs binary: EXE is the launch path" jeq "$J" "${P[mnt1]}" exe "$T/mnt1/prog"
is "$(jget "$J" "${P[mnt1]}" modified)" false "private tmpfs binary: not MODIFIED"
is "$(jstate "$J" "${P[mnt3]}")" ok "host has another file at the same path: still ok"
is "$(jget "$J" "${P[mnt3]}" modified)" false "host has another file at the same path: not MODIFIED"

scanj "$T/scan0.json"
for n in mnt1 mnt3; do
	if jhas "$T/scan0.json" "${P[$n]}"; then
		nok "scan does not list $n" "$(jget "$T/scan0.json" "${P[$n]}" state)"
	else
		ok "scan does not list $n"
	fi
done

# remove the binary of mnt2 inside its namespace
if nsenter -t "${P[mnt2]}" -m rm "$T/mnt2/prog"; then
	ok "removed the binary inside the namespace"
else
	nok "removed the binary inside the namespace"
fi
J=$T/b.json
lsj "$J" "${P[mnt2]}"
is "$(jstate "$J" "${P[mnt2]}")" deleted "private tmpfs binary removed: state deleted"
check "private tmpfs binary removed: EXE is the launch path" jeq "$J" "${P[mnt2]}" exe "$T/mnt2/prog"
scanj "$T/scan.json"
is "$SCAN_RC" 1 "scan exits 1"
check "scan lists it" jhas "$T/scan.json" "${P[mnt2]}"
