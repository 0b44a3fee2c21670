#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch pins a self-deleting binary, with each mechanism alone:
#  - fanotify: a burst of short-lived copies of pe-selfdel (static, libc
#    free: ~30 us between exec and unlink) and of pe-selfdel-dyn, run one
#    at a time and all at once: every copy is pinned (the fanotify event
#    carries the fd), and with --store the stored file is that copy
#    (content-verified: it ends with the copy's own trailer);
#  - bpf with --freeze scoped to the test's cgroup: the same burst, run in
#    that cgroup, every copy pinned ("freeze" stops it until pinned);
#  - bpf without freeze and the connector (best effort by design: they pin
#    through /proc/PID/exe after the event): a copy that waits on a pipe
#    before deleting itself is pinned and stored;
# and every --jsonl line validates against docs/schema-v1.json, the
# summary's exit_status being the status the watcher exited with.  A
# mechanism that cannot load here is skipped with the watcher's reason.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs

plan 24
watch_fs
watch_cgroup || CG=

# pinned_burst NAME BURST_ARGS...: run pe-watch-burst (-n 8) in DIR
# $FS/NAME, then check its PIDs are pinned and stored with their trailer
# (2 tests); BURST_OUT = the burst's output
pinned_burst() {
	local name=$1 rc
	shift
	mkdir "$FS/$name"
	BURST_OUT=$T/$name.burst
	"$@" "$FS/$name" >"$BURST_OUT" 2>"$BURST_OUT.err"
	rc=$?
	if [ "$rc" != 0 ]; then
		nok "$name: burst ran" "exit $rc: $(head -c 400 "$BURST_OUT.err")"
		skip "$name: stored copies" "burst failed"
		return
	fi
	# shellcheck disable=SC2046 # (one word per PID)
	wait_records "$WOUT" 20 $(burst_pids "$BURST_OUT")
	# shellcheck disable=SC2046
	check "$name: every copy pinned (pinned and copy not null)" \
		wj pinned "$WOUT" $(burst_pids "$BURST_OUT")
	check "$name: every stored file is that copy (its trailer)" \
		wj trailers "$S" "$WOUT" "$BURST_OUT"
}

# finish: stop the watcher, validate its output (1 test)
finish() {
	watch_stop TERM
	if validate_jsonl "$WOUT" "$WRC" 2>"$T/why"; then
		ok "$1: every --jsonl line validates (exit $WRC)"
	else
		nok "$1: every --jsonl line validates" "$(head -c 1500 "$T/why")"
	fi
}

# --- fanotify alone (9 tests)
S=$T/store.fan
WOUT=$T/fan.jsonl
watch_start "$WOUT" --mechanism fanotify --all --store "$S" --jsonl
case $? in
0)
	ok "fanotify: watcher started"
	pinned_burst fan-seq "$BURST" -n 8 --trailer-prefix fan-seq
	pinned_burst fan-par "$BURST" -n 8 --par --trailer-prefix fan-par
	pinned_burst fan-dyn "$BURST" -n 8 --dyn --par --trailer-prefix fan-dyn
	finish fanotify
	is "$WRC" 1 "fanotify: exit status 1 (suspicious execs seen)"
	;;
77) skip_n 9 fanotify "cannot load: $WHY" ;;
*) nok "fanotify: watcher started" "$WHY"; skip_n 8 fanotify "did not start" ;;
esac

# --- bpf --freeze=CG, the burst in CG (5 tests)
S=$T/store.frz
WOUT=$T/frz.jsonl
if [ -z "$CG" ]; then
	skip_n 5 "bpf --freeze" "no cgroup v2 hierarchy"
else
	watch_start "$WOUT" --mechanism bpf --freeze="$CG" --all --store "$S" --jsonl
	case $? in
	0)
		ok "bpf --freeze: watcher started"
		# shellcheck disable=SC2016
		pinned_burst frz-par bash -c 'echo $$ >"$1/cgroup.procs" && exec "${@:2}"' _ "$CG" \
			"$BURST" -n 8 --par --trailer-prefix frz-par
		finish "bpf --freeze"
		is "$WRC" 1 "bpf --freeze: exit status 1"
		;;
	77) skip_n 5 "bpf --freeze" "cannot load: $WHY" ;;
	*) nok "bpf --freeze: watcher started" "$WHY"; skip_n 4 "bpf --freeze" "did not start" ;;
	esac
fi

# --- bpf and connector alone: a copy that waits before deleting itself
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || { skip_rest fifo "cannot make a fifo"; exit 0; }
# waiting_copy M: start $FS/wait.M (pe-selfdel -w, stdin on the fifo),
# wait for its record, release it, wait for its exit and the watcher's
# stop; check it was pinned and stored (4 tests with finish)
waiting_copy() {
	local m=$1 p trailer=PEW:wait-$1:0 out
	payload "$SELFDEL" "$FS/wait.$m" "$trailer"
	"$FS/wait.$m" -w <&7 7<&- &
	p=$!
	track_pid "$p"
	wait_records "$WOUT" 20 "$p"
	printf x >&7
	wait_exit "$p" 10
	is "$(test -e "$FS/wait.$m" && echo left || echo deleted)" deleted "$m: the copy deleted itself"
	check "$m: the copy was pinned" wj pinned "$WOUT" "$p"
	out=$T/$m.one
	echo "0 $p $trailer" >"$out"
	check "$m: the stored file is that copy" wj trailers "$S" "$WOUT" "$out"
	finish "$m"
}

for m in bpf connector; do
	S=$T/store.$m
	WOUT=$T/$m.jsonl
	watch_start "$WOUT" --mechanism "$m" --all --store "$S" --jsonl
	case $? in
	0) ok "$m: watcher started"; waiting_copy "$m" ;;
	77) skip_n 5 "$m" "cannot load: $WHY" ;;
	*) nok "$m: watcher started" "$WHY"; skip_n 4 "$m" "did not start" ;;
	esac
done
