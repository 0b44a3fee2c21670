#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Stopping procexe watch leaves nothing behind:
#  - SIGTERM: the watcher exits cleanly (status 0, 1 or 3, its --jsonl
#    output valid), its helper processes (the freeze guardian) exit, no
#    process of its is left holding a fanotify fd, and the BPF programs it
#    held are gone;
#  - SIGKILL during --freeze (scoped to the test's cgroup): deterministic
#    order: a child of the test in that cgroup waits on a pipe; the test
#    SIGSTOPs the watcher, releases the child, whose memfd exec is frozen
#    (state T) while the watcher cannot resume it; the test SIGKILLs the
#    watcher: within 1.5 s the child runs again (or has exited), and the
#    BPF programs the watcher held are gone (`bpftool prog show id`).
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs
command -v bpftool >/dev/null || skip_all "no bpftool"

MEMFD_EXEC=$PE_HELPERS/pe-memfd-exec
plan 12
watch_fs
watch_cgroup || skip_all "no cgroup v2 hierarchy"
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || skip_all "cannot make a fifo"

# children_of PID: PIDs whose parent is PID
children_of() {
	cat /proc/"$1"/task/*/children 2>/dev/null
}

# fan_holders PID...: those of the PIDs that hold a fanotify fd
fan_holders() {
	local pid f
	for pid in "$@"; do
		for f in /proc/"$pid"/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:[fanotify]" ] && {
				echo "$pid"
				break
			}
		done
	done
}

# --- SIGTERM (6 tests)
WOUT=$T/term.jsonl
watch_start "$WOUT" --all --freeze="$CG" --jsonl
rc=$?
if [ $rc = 0 ]; then
	ok "SIGTERM: watcher started: $(head -n 1 "$WOUT.err")"
	kids=$(children_of "$WPID")
	progs=$(prog_ids "$WPID")
	fan=$(fan_holders "$WPID")
	if grep -q 'bpf: on' "$WOUT.err"; then
		isnt "$progs" "" "SIGTERM: while it runs, the watcher holds BPF programs"
	else
		skip "SIGTERM: BPF programs listed" "bpf is off here"
	fi
	watch_stop TERM
	case $WRC in 0 | 1 | 3) ok "SIGTERM: exits cleanly (status $WRC)" ;;
	*) nok "SIGTERM: exits cleanly" "status $WRC: $(head -c 400 "$WOUT.err")" ;; esac
	check "SIGTERM: its --jsonl output validates" validate_jsonl "$WOUT" "$WRC"
	left=
	for k in $kids; do wait_exit "$k" 3 || left+=" $k"; done
	is "$left$(fan_holders "$WPID" $kids)" "" \
		"SIGTERM: the watcher and its helpers ($kids) exited; no fanotify fd left (held one: ${fan:-none})"
	# shellcheck disable=SC2086
	if progs_gone 3 $progs; then
		ok "SIGTERM: its BPF programs are gone (${progs//$'\n'/ })"
	else
		nok "SIGTERM: its BPF programs are gone" "left: $LEFT"
	fi
else
	[ $rc = 77 ] || nok "SIGTERM: watcher started" "$WHY"
	[ $rc = 77 ] && skip "SIGTERM: watcher started" "$WHY"
	skip_n 5 SIGTERM "watcher did not start"
fi

# --- SIGKILL of a stopped watcher while a program is frozen (6 tests)
payload "$SELFDEL" "$T/img" PEW:kill:0
# the child: joins CG, waits for the release, then executes the memfd
# program (fileless: frozen by --freeze)
# shellcheck disable=SC2016
bash -c 'echo $$ >"$1/cgroup.procs" && read -r -n 1 _ && exec "$2" "$3" pew-frozen' \
	_ "$CG" "$MEMFD_EXEC" "$T/img" <&7 7<&- >"$T/child.out" 2>&1 &
C=$!
track_pid "$C"
for ((i = 0; i < 200; i++)); do in_cgroup "$C" && break; sleep 0.02; done
WOUT=$T/kill.jsonl
watch_start "$WOUT" --mechanism bpf --freeze="$CG" --all --jsonl
rc=$?
if [ $rc != 0 ]; then
	[ $rc = 77 ] && skip "SIGKILL: watcher started" "$WHY" || nok "SIGKILL: watcher started" "$WHY"
	skip_n 5 SIGKILL "watcher did not start"
	exit 0
fi
ok "SIGKILL: watcher started, child $C in the test cgroup"
progs=$(prog_ids "$WPID")
kill -STOP "$WPID"
printf x >&7
frozen=0
for ((i = 0; i < 100; i++)); do
	case $(proc_state "$C") in
	T) frozen=1; break ;;
	'' | Z) break ;;
	esac
	sleep 0.005
done
is "$frozen" 1 "SIGKILL: the child's memfd exec is frozen while the watcher is stopped"
kill -KILL "$WPID"
wait "$WPID" 2>/dev/null
t0=$(date +%s%N)
state=T
for ((i = 0; i < 150; i++)); do
	state=$(proc_state "$C")
	[ "$state" != T ] && break
	sleep 0.01
done
ms=$((($(date +%s%N) - t0) / 1000000))
isnt "$state" T "SIGKILL: the child is not stopped $ms ms after the watcher's death (state ${state:-gone})"
if [ "$state" = T ]; then
	kill -CONT "$C" 2>/dev/null   # (ours: never leave it stopped)
fi
wait_exit "$C" 5
wait "$C"
is "$?" 0 "SIGKILL: the child ran to its end (status 0)"
# shellcheck disable=SC2086
if [ -z "$progs" ]; then
	nok "SIGKILL: the watcher held BPF programs" "no bpf-prog or bpf_link fd in pid $WPID"
else
	ok "SIGKILL: the watcher held BPF programs (${progs//$'\n'/ })"
fi
# shellcheck disable=SC2086
if progs_gone 3 $progs; then
	ok "SIGKILL: its BPF programs are gone"
else
	nok "SIGKILL: its BPF programs are gone" "left: $LEFT"
fi
