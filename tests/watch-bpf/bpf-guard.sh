#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The freeze guardian when the watcher is SIGKILLed: bpf-probe hold stops
# one exec of its own child (a copy of sleep, in a scratch cgroup v2
# directory) and never resumes it; after SIGKILL of bpf-probe the child
# must run again within 1 s, the program must be gone and the guardian too.
# Environment: BPF_PROBE (the driver), BPFTOOL, PE_SRCDIR (lib.sh).
. "$PE_SRCDIR/lib.sh"

need_root
: "${BPF_PROBE:?}" "${BPFTOOL:=bpftool}"
cg2=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || skip_all "no cgroup v2 hierarchy"
CG=$cg2/pe-bpf-guard.$$
mkdir "$CG" 2>/dev/null || skip_all "cannot create a cgroup v2 directory under $cg2"
trap 'rmdir "$CG" 2>/dev/null; _pe_cleanup' EXIT

ms() { echo $(($(date +%s%N) / 1000000)); }
state() { awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null; }
# poll_until SECONDS CMD...: run CMD every 20 ms until it succeeds
poll_until() {
	local end=$(($(ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(ms)" -lt "$end" ] || return 1
		sleep 0.02
	done
}
not_stopped() { [ "$(state "$child")" != T ]; }
prog_gone() { ! "$BPFTOOL" prog show id "$prog" >/dev/null 2>&1; }
guard_gone() { [ "$(cat "/proc/$guard/comm" 2>/dev/null)" != procexe-guard ]; }
child_gone() { [ "$(cat "/proc/$child/comm" 2>/dev/null)" != payload ]; }

spawn "$T/out" "$BPF_PROBE" hold /bin/sleep "$CG" 2
probe=$SPAWNED
wait_ready "$T/out" "$probe" 20
case $? in
0) ;;
77) skip_all "bpf: ${READY_LINE#skip: }" ;;
*) plan 1; nok "bpf-probe hold froze its child" "${READY_LINE:-no output}"; exit 0 ;;
esac
read -r _ prog child guard scratch <<<"$READY_LINE"
[ "${scratch#/tmp/pe-bpf.}" != "$scratch" ] && _pe_dirs+=("$scratch")

plan 9
is "$(state "$child")" T "the child is stopped"
check "the program is loaded (id $prog)" "$BPFTOOL" prog show id "$prog"
is "$(cat "/proc/$guard/comm")" procexe-guard "the guardian is named procexe-guard"
if sh -c 'echo -1000 >/proc/self/oom_score_adj' 2>/dev/null; then
	is "$(cat "/proc/$guard/oom_score_adj")" -1000 "the guardian's oom_score_adj is -1000"
else
	skip "the guardian's oom_score_adj" "no CAP_SYS_RESOURCE here"
fi
fds=$(for f in /proc/"$guard"/fd/*; do readlink "$f"; done | sort | tr '\n' ' ')
# 0-2 on /dev/null, the frozen map, the socket: never the program or link
is "$(echo "$fds" | sed 's/socket:\[[0-9]*\]/socket/')" \
	"/dev/null /dev/null /dev/null anon_inode:bpf-map socket " \
	"the guardian holds only the frozen map and its socket"

kill -KILL "$probe"
t0=$(ms)
if poll_until 3 not_stopped; then
	dt=$(($(ms) - t0))
	if [ "$dt" -lt 1000 ]; then ok "the child runs again ${dt} ms after SIGKILL"
	else nok "the child runs again within 1 s" "after $dt ms"; fi
else
	nok "the child runs again within 1 s" "still stopped after 3 s"
fi
check "the program is gone after SIGKILL" poll_until 3 prog_gone
check "the guardian exits" poll_until 3 guard_gone
check "the child ends by itself" poll_until 5 child_gone
