#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch and fileless (memfd) programs, each mechanism alone:
#  - fanotify marks filesystems; a memfd lives on the kernel's internal
#    mount, so fanotify alone never pins one: no record of the memfd
#    programs of a burst has pinned set (either no record, or a miss); a
#    dynamic one is not reported as its loader (the kernel's open of
#    ld.so under its PID): its record is the memfd image;
#  - bpf with --freeze scoped to the test's cgroup: a burst of memfd
#    programs (each ~30 us long) run in that cgroup is pinned, every copy
#    stored with its own trailer, reasons holding "fileless";
#  - bpf without freeze and the connector: a memfd program that waits on
#    a pipe is pinned through /proc/PID/exe and stored, "fileless";
# every --jsonl line validates against docs/schema-v1.json.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs

MEMFD_EXEC=$PE_HELPERS/pe-memfd-exec
plan 20
watch_fs
watch_cgroup || CG=
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || { skip_rest fifo "cannot make a fifo"; exit 0; }

# a probe: memfd execution allowed here (vm.memfd_noexec)?
mkdir "$FS/probe"
"$BURST" -n 1 --memfd "$FS/probe" >"$T/probe" 2>&1
case $? in
0) ;;
77) skip_all "$(cat "$T/probe")" ;;
*) skip_all "pe-watch-burst --memfd fails: $(head -c 300 "$T/probe")" ;;
esac

finish() {
	watch_stop TERM
	if validate_jsonl "$WOUT" "$WRC" 2>"$T/why"; then
		ok "$1: every --jsonl line validates (exit $WRC)"
	else
		nok "$1: every --jsonl line validates" "$(head -c 1500 "$T/why")"
	fi
}

# fileless_all OUT PID...: each PID's last record has "fileless" in reasons
fileless_all() {
	local out=$1 pid r
	shift
	for pid in "$@"; do
		r=$(wj get "$out" "$pid" reasons) || { echo "pid $pid: $r" >&2; return 1; }
		case $r in *'"fileless"'*) ;; *) echo "pid $pid: reasons $r" >&2; return 1 ;; esac
	done
}

# --- fanotify alone (5 tests)
S=$T/store.fan
WOUT=$T/fan.jsonl
watch_start "$WOUT" --mechanism fanotify --all --store "$S" --jsonl
case $? in
0)
	ok "fanotify: watcher started"
	mkdir "$FS/fan"
	"$BURST" -n 4 --memfd --trailer-prefix fan "$FS/fan" >"$T/fan.burst" 2>&1
	# a file-backed sentinel after the burst: once its record is out,
	# the memfd programs' events (had there been any) were read before
	payload "$SELFDEL" "$FS/sentinel" PEW:sentinel:0
	"$FS/sentinel" &
	sp=$!
	wait "$sp"
	check "fanotify: the file-backed sentinel is reported" wait_records "$WOUT" 20 "$sp"
	unpinned=0
	for p in $(burst_pids "$T/fan.burst"); do
		[ "$(wj get "$WOUT" "$p" pinned 2>/dev/null)" = null ] ||
			! has_record "$WOUT" "$p" || unpinned=1
	done
	is "$unpinned" 0 "fanotify: no memfd program is pinned (no record, or a miss)"
	# a dynamic one: fanotify sees only the kernel's exec open of its
	# loader (ld.so, under the program's PID); that open must not pass for
	# the program: its record is the memfd image, pinned through
	# /proc/PID/exe once the exec has switched it (the program waits on
	# the fifo, so it runs when the watcher looks)
	payload "$PE_HELPERS/pe-selfdel-dyn" "$T/img.fan-dyn" "PEW:memfd-fan-dyn:0"
	"$MEMFD_EXEC" "$T/img.fan-dyn" "pew-dyn" -w <&7 7<&- >/dev/null &
	p=$!
	track_pid "$p"
	# its records: pe-memfd-exec's own exec, then the memfd program's
	for ((i = 0; i < 400; i++)); do
		[ "$(wj count "$WOUT" "$p")" -ge 2 ] && break
		sleep 0.05
	done
	printf x >&7
	wait_exit "$p" 10
	is "$(wj get "$WOUT" "$p" exe 2>&1)|$(wj get "$WOUT" "$p" pinned 2>&1)" \
		'"/memfd:pew-dyn"|"procfs"' \
		"fanotify: a dynamic memfd program is reported as itself, not as its loader"
	finish fanotify
	;;
77) skip_n 5 fanotify "cannot load: $WHY" ;;
*) nok "fanotify: watcher started" "$WHY"; skip_n 4 fanotify "did not start" ;;
esac

# --- bpf --freeze=CG (5 tests)
S=$T/store.frz
WOUT=$T/frz.jsonl
if [ -z "$CG" ]; then
	skip_n 5 "bpf --freeze" "no cgroup v2 hierarchy"
else
	watch_start "$WOUT" --mechanism bpf --freeze="$CG" --all --store "$S" --jsonl
	case $? in
	0)
		ok "bpf --freeze: watcher started"
		mkdir "$FS/frz"
		# shellcheck disable=SC2016
		bash -c 'echo $$ >"$1/cgroup.procs" && exec "${@:2}"' _ "$CG" \
			"$BURST" -n 8 --par --memfd --trailer-prefix frz "$FS/frz" \
			>"$T/frz.burst" 2>"$T/frz.err"
		# shellcheck disable=SC2046
		wait_records "$WOUT" 20 $(burst_pids "$T/frz.burst")
		# shellcheck disable=SC2046
		check "bpf --freeze: every memfd program pinned" \
			wj pinned "$WOUT" $(burst_pids "$T/frz.burst")
		check "bpf --freeze: every stored file is that program (its trailer)" \
			wj trailers "$S" "$WOUT" "$T/frz.burst"
		# shellcheck disable=SC2046
		check "bpf --freeze: reasons hold fileless" \
			fileless_all "$WOUT" $(burst_pids "$T/frz.burst")
		finish "bpf --freeze"
		;;
	77) skip_n 5 "bpf --freeze" "cannot load: $WHY" ;;
	*) nok "bpf --freeze: watcher started" "$WHY"; skip_n 4 "bpf --freeze" "did not start" ;;
	esac
fi

# --- bpf, connector alone: a memfd program waiting on the fifo (5 tests each)
for m in bpf connector; do
	S=$T/store.$m
	WOUT=$T/$m.jsonl
	watch_start "$WOUT" --mechanism "$m" --all --store "$S" --jsonl
	case $? in
	0) ok "$m: watcher started" ;;
	77) skip_n 5 "$m" "cannot load: $WHY"; continue ;;
	*) nok "$m: watcher started" "$WHY"; skip_n 4 "$m" "did not start"; continue ;;
	esac
	payload "$SELFDEL" "$T/img.$m" "PEW:memfd-$m:0"
	"$MEMFD_EXEC" "$T/img.$m" "pew-wait-$m" -w <&7 7<&- >/dev/null &
	p=$!
	track_pid "$p"
	# the record of the memfd exec: the second of this PID (the first is
	# pe-memfd-exec's own, reported by bpf and the connector alike)
	for ((i = 0; i < 400; i++)); do
		[ "$(wj count "$WOUT" "$p")" -ge 2 ] && break
		sleep 0.05
	done
	printf x >&7
	wait_exit "$p" 10
	check "$m: the memfd program was pinned" wj pinned "$WOUT" "$p"
	echo "0 $p PEW:memfd-$m:0" >"$T/$m.one"
	check "$m: the stored file is that program" wj trailers "$S" "$WOUT" "$T/$m.one"
	check "$m: reasons hold fileless" fileless_all "$WOUT" "$p"
	finish "$m"
done
