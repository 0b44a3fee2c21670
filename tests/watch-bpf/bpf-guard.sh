#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The freeze guardian when the watcher is SIGKILLed: bpf-probe hold stops
# one exec of its own child (a copy of sleep, in a scratch cgroup v2
# directory) and never resumes it; after SIGKILL of bpf-probe the child
# must run again within 1 s, the program must be gone and the guardian too,
# even though another process holds copies of bpf-probe's sockets (taken
# with pidfd_getfd), so that the guardian's end of its socket never closes.
# Environment: BPF_PROBE (the driver), BPFTOOL, PE_SRCDIR (lib.sh).
. "$PE_SRCDIR/lib.sh"

need_root
: "${BPF_PROBE:?}" "${BPFTOOL:=bpftool}"
cg2=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || skip_all "no cgroup v2 hierarchy"
CG=$cg2/pe-bpf-guard.$$
mkdir "$CG" 2>/dev/null || skip_all "cannot create a cgroup v2 directory under $cg2"
guard=
# a guardian left behind by a failure is ours (bpf-probe's child): end it
trap '[ -n "$guard" ] && ! guard_gone && kill -KILL "$guard"
      rmdir "$CG" 2>/dev/null; _pe_cleanup' EXIT

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

# hold_sockets PID: duplicate every socket of PID into this process, print
# "ready HOLDER-PID COUNT", then wait (30 s at most) to be killed.
hold_sockets() {
	exec python3 - "$1" <<'PY'
import ctypes, os, sys, time
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(pid)
held = []
for name in os.listdir(f"/proc/{pid}/fd"):
    try:
        if os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
            fd = libc.syscall(438, pidfd, int(name), 0)  # pidfd_getfd
            if fd >= 0:
                held.append(fd)
    except OSError:
        pass
print("ready", os.getpid(), len(held), flush=True)
time.sleep(30)
PY
}

plan 10
is "$(state "$child")" T "the child is stopped"
check "the program is loaded (id $prog)" "$BPFTOOL" prog show id "$prog"
is "$(cat "/proc/$guard/comm")" procexe-guard "the guardian is named procexe-guard"
if sh -c 'echo -1000 >/proc/self/oom_score_adj' 2>/dev/null; then
	is "$(cat "/proc/$guard/oom_score_adj")" -1000 "the guardian's oom_score_adj is -1000"
else
	skip "the guardian's oom_score_adj" "no CAP_SYS_RESOURCE here"
fi
fds=$(for f in /proc/"$guard"/fd/*; do readlink "$f"; done |
	sed 's/socket:\[[0-9]*\]/socket/; s/.*pidfd.*/pidfd/' | LC_ALL=C sort | tr '\n' ' ')
# 0-2 on /dev/null, the frozen map, the socket, the watcher's pidfd: never
# the program or link
is "$fds" "/dev/null /dev/null /dev/null anon_inode:bpf-map pidfd socket " \
	"the guardian holds only the frozen map, its socket and the watcher's pidfd"

spawn "$T/holder" hold_sockets "$probe"
holder=$SPAWNED
wait_ready "$T/holder" "$holder" 10
read -r _ _ nheld <<<"$READY_LINE"
if [ "${nheld:-0}" -ge 1 ]; then ok "a holder keeps $nheld copies of the watcher's sockets"
else nok "a holder keeps copies of the watcher's sockets" "${READY_LINE:-no output}"; fi

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
check "the guardian exits although its socket's peer is still open" poll_until 3 guard_gone
check "the child ends by itself" poll_until 5 child_gone
