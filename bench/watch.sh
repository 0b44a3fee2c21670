#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# watch.sh: procexe watch (#12), how many short-lived self-deleting programs
# each mechanism pins, and what the watcher adds to every exec (not a test).
# Run as root on a disposable machine: the watchers see (and with --all
# store) every exec of the host while they run.
#
#   bench/watch.sh [-p PROCEXE] [-n N] [-r ROUNDS] [-c COUNT] [-m MECHS]
#                  [-s SHAPES] [-o OUTDIR]
#
#   -p PROCEXE  binary to measure (default: $PROCEXE, else build/procexe)
#   -n N        copies per burst (default 1000)
#   -r ROUNDS   exec-overhead rounds, each without and with a watcher
#               (default 5)
#   -c COUNT    execs timed per round (default 1000)
#   -m MECHS    mechanisms, comma-separated, from fanotify, bpf, bpf-freeze,
#               connector (default: all four)
#   -s SHAPES   burst shapes, comma-separated (default: all eight),
#               each {static,dynamic}-{seq,par}-{file,memfd}
#   -o OUTDIR   results (default /var/tmp/procexe-bench-results/watch-DATE)
#
# 1. Pinning.  For each mechanism M (bpf-freeze = --mechanism bpf
#    --freeze=CG, CG a scratch cgroup v2 directory made here) and each
#    shape: `procexe watch --mechanism M --all --store STORE --jsonl` is
#    started; tests/helpers/pe-watch-burst runs N copies of pe-selfdel
#    (static, libc-free: ~30 us from exec to unlink) or pe-selfdel-dyn,
#    each with a unique trailer "PEW:M-SHAPE:INDEX\n" appended, one at a
#    time (seq) or all at once (par), from files that delete themselves
#    (file) or from memfds (memfd); the burst runs in CG, whatever M.  Once
#    the watcher has reported N copies, or no more for 3 s (at most 120 s),
#    it gets SIGTERM.
#    "pinned" counts the N trailers found at the end of a file of STORE:
#    content-verified (the stored copy is that copy), not just reported.
#    "reported" counts the burst's PIDs with an exec record.
# 2. Exec overhead.  ROUNDS times, in alternating order: bench/watch-exec
#    times COUNT fork+exec+wait of /bin/true (dynamic) and of pe-selfdel
#    (static; argv[0] names no file, so it deletes nothing) with no watcher,
#    and with `procexe watch` with its defaults running (output to
#    /dev/null).  Per round the p50; the table gives the median of the
#    rounds' p50s and their difference: the median added per exec; and
#    the watcher's own CPU time (utime + stime) per exec it reported,
#    which a busy host disturbs less than the wall times.
#
# Needs: cc (gcc or clang), python3.  Builds its own copies of the helpers
# (cc -O2, from tests/helpers and bench) in OUTDIR/bin; scratch files under
# /tmp (removed on exit; the copies live there, a path the watch policy
# calls suspicious), the cgroup removed on exit.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
PROCEXE=${PROCEXE:-$top/build/procexe}
N=1000 ROUNDS=5 COUNT=1000
MECHS=fanotify,bpf,bpf-freeze,connector
SHAPES=
OUT=/var/tmp/procexe-bench-results/watch-$(date -u +%Y%m%dT%H%M%SZ)

while getopts "p:n:r:c:m:s:o:h" opt; do
	case $opt in
	p) PROCEXE=$OPTARG ;;
	n) N=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	c) COUNT=$OPTARG ;;
	m) MECHS=$OPTARG ;;
	s) SHAPES=$OPTARG ;;
	o) OUT=$OPTARG ;;
	h) sed -n '4,/^set -u/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
if [[ -z $SHAPES ]]; then
	for l in static dynamic; do for o in seq par; do for b in file memfd; do
		SHAPES+=${SHAPES:+,}$l-$o-$b
	done; done; done
fi

log() { printf 'watch: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

((EUID == 0)) || die "run as root (fanotify, BPF and the proc connector need it)"
[[ $(uname -m) == x86_64 ]] || die "pe-selfdel is x86_64 only"
for t in python3 "${CC:-cc}"; do command -v "$t" >/dev/null || die "$t not found"; done
[[ -x $PROCEXE ]] || die "procexe binary $PROCEXE not found (set -p or \$PROCEXE)"
PROCEXE=$(readlink -f "$PROCEXE")

W='' CG='' WPID=''
cleanup() {
	trap - EXIT INT TERM HUP
	[[ -n $WPID ]] && kill -KILL "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null
	[[ -n $CG ]] && rmdir "$CG" 2>/dev/null
	[[ -n $W ]] && rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$OUT" || die "cannot create $OUT"
B=$OUT/bin
mkdir -p "$B"
W=$(mktemp -d /tmp/pe-bench-watch.XXXXXXXX) || die "mktemp failed"
chmod 755 "$W"
cc=${CC:-cc}
H=$top/tests/helpers
$cc -O2 -Wall -o "$B/pe-watch-burst" "$H/pe-watch-burst.c" || die "cannot compile pe-watch-burst.c"
$cc -O2 -Wall -o "$B/pe-selfdel-dyn" "$H/pe-selfdel-dyn.c" || die "cannot compile pe-selfdel-dyn.c"
$cc -O2 -Wall -ffreestanding -fno-stack-protector -fno-pie -nostdlib -static \
	-o "$B/pe-selfdel" "$H/pe-selfdel.c" || die "cannot compile pe-selfdel.c"
$cc -O2 -Wall -o "$B/watch-exec" "$here/watch-exec.c" || die "cannot compile watch-exec.c"

root=$(awk '$(NF-2) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[[ -n $root ]] || die "no cgroup v2 hierarchy in /proc/self/mountinfo"
CG=$(mktemp -d "$root/pe-bench-watch.XXXXXXXX") || die "cannot create a cgroup under $root"

{
	echo "procexe: $PROCEXE ($("$PROCEXE" --version 2>&1 | head -n 1))"
	echo "git: $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "kernel: $(uname -r); cpus: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "vm.memfd_noexec: $(cat /proc/sys/vm/memfd_noexec 2>/dev/null || echo n/a)"
	echo "cgroup for the bursts and --freeze: $CG"
} | tee "$OUT/env.txt" >&2

# watch_start LOG ARGS...: start procexe watch ARGS (stdout to LOG, stderr
# to LOG.err); WPID.  0 once the start-up line is out (at most 30 s), 1 if
# it exited or never said it runs.
watch_start() {
	local log=$1 i
	shift
	"$PROCEXE" watch --duration 3600 "$@" >"$log" 2>"$log.err" &
	WPID=$!
	for ((i = 0; i < 1500; i++)); do
		grep -E 'bpf: .*connector: ' "$log.err" | grep -qE '(fanotify|bpf|connector): on' &&
			return 0
		kill -0 "$WPID" 2>/dev/null || { wait "$WPID"; WPID=; return 1; }
		sleep 0.02
	done
	return 1
}

# watch_stop: SIGTERM, wait (30 s, then SIGKILL); WRC
watch_stop() {
	local i
	kill -TERM "$WPID" 2>/dev/null
	# (bash may have reaped it already: gone counts as exited)
	for ((i = 0; i < 3000; i++)); do
		case $(awk '{ print $3 }' "/proc/$WPID/stat" 2>/dev/null) in '' | Z) break ;; esac
		sleep 0.01
	done
	((i < 3000)) || { log "the watcher did not exit 30 s after SIGTERM: SIGKILL"; kill -KILL "$WPID"; }
	wait "$WPID"
	WRC=$?
	WPID=
}

# settle FILE: wait until FILE (the watcher's --jsonl output) holds N
# records of burst copies (argv0 DIR/pew.I or pew-memfd.I), or their number
# has not grown for 3 s (at most 120 s): on a busy host the output never
# goes quiet, the watcher reporting every exec.
settle() {
	local last=-1 got same=0 i
	for ((i = 0; i < 1200 && same < 30; i++)); do
		got=$(grep -c '"argv0":"[^"]*pew[.-][0-9]' "$1" 2>/dev/null)
		((got >= N)) && return 0
		if [[ $got == "$last" ]]; then same=$((same + 1)); else same=0; fi
		last=$got
		sleep 0.1
	done
}

# count STORE PREFIX JSONL BURST_OUT: "reported pinned"
count() {
	python3 - "$@" <<'PY'
import json, os, sys
store, prefix, jsonl, burst = sys.argv[1], os.fsencode(sys.argv[2]), sys.argv[3], sys.argv[4]
head = b'PEW:' + prefix + b':'
seen = set()
for name in (os.listdir(store) if os.path.isdir(store) else []):
    try:
        with open(os.path.join(store, name), 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - len(head) - 24))
            tail = f.read()
    except OSError:
        continue
    i = tail.rfind(head)
    idx = tail[i + len(head):-1] if i >= 0 and tail.endswith(b'\n') else b''
    if idx.isdigit():
        seen.add(int(idx))
pids = set()
with open(burst, 'rb') as f:
    for line in f:
        p = line.split()
        if len(p) == 3:
            pids.add(int(p[1]))
reported = set()
with open(jsonl, 'rb') as f:
    for line in f:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get('record') == 'exec' and r.get('pid') in pids:
            reported.add(r['pid'])
print(len(reported), len(seen))
PY
}

mech_args() {
	case $1 in
	fanotify | bpf | connector) echo "--mechanism $1" ;;
	bpf-freeze) echo "--mechanism bpf --freeze=$CG" ;;
	*) die "unknown mechanism $1" ;;
	esac
}

shape_args() {
	local l o b
	IFS=- read -r l o b <<<"$1"
	[[ $l == dynamic ]] && printf -- '--dyn '
	[[ $o == par ]] && printf -- '--par '
	[[ $b == memfd ]] && printf -- '--memfd '
	return 0
}

# ---------------------------------------------------------- pinning ---
T1=$OUT/pinning.md
{
	echo "| mechanism | shape | reported/N | pinned/N (content-verified) | watcher exit |"
	echo "| --- | --- | --- | --- | --- |"
} >"$T1"
run=0
for m in ${MECHS//,/ }; do
	for s in ${SHAPES//,/ }; do
		run=$((run + 1))
		d=$W/d.$run store=$W/store.$run log=$OUT/$m.$s.jsonl
		mkdir "$d"
		# shellcheck disable=SC2046
		if ! watch_start "$log" $(mech_args "$m") --all --store "$store" --jsonl; then
			why=$(head -n 3 "$log.err" | tr '\n' ' ')
			log "$m $s: watcher did not start: $why"
			echo "| $m | $s | n/a | n/a ($why) | |" >>"$T1"
			continue
		fi
		# shellcheck disable=SC2016,SC2046
		bash -c 'echo $$ >"$1/cgroup.procs" && exec "${@:2}"' _ "$CG" \
			"$B/pe-watch-burst" -n "$N" $(shape_args "$s") --trailer-prefix "$m-$s" "$d" \
			>"$OUT/$m.$s.burst" 2>"$OUT/$m.$s.burst.err"
		brc=$?
		settle "$log"
		watch_stop
		if [[ $brc == 77 ]]; then
			echo "| $m | $s | skipped | $(head -n 1 "$OUT/$m.$s.burst") | $WRC |" >>"$T1"
			continue
		fi
		read -r rep pin < <(count "$store" "$m-$s" "$log" "$OUT/$m.$s.burst")
		[[ $brc == 0 ]] || pin+=" (burst exit $brc)"
		echo "| $m | $s | $rep/$N | $pin/$N | $WRC |" >>"$T1"
		log "$m $s: reported $rep/$N, pinned $pin/$N"
		rm -rf --one-file-system "$store" "$d"
	done
done

# ---------------------------------------------------- exec overhead ---
# p50 of COUNT runs of PROG: "none" or "watch" (default watcher running)
timed() {
	local mode=$1 r t0=0
	shift
	if [[ $mode == watch ]]; then
		watch_start "$W/ovh.out" || { echo "n/a"; return; }
		t0=$(awk '{ print $14 + $15 }' "/proc/$WPID/stat")
	fi
	r=$("$B/watch-exec" -n "$COUNT" "$@" | cut -d' ' -f1)
	if [[ $mode == watch ]]; then
		# the watcher's CPU time (utime + stime, clock ticks) since it
		# was ready, and the execs it reported
		awk -v t0="$t0" '{ print $14 + $15 - t0 }' "/proc/$WPID/stat" >>"$W/cpu.ticks"
		watch_stop
		sed -n 's/.* \([0-9][0-9]*\) execs,.*/\1/p' "$W/ovh.out.err" >>"$W/cpu.execs"
	fi
	rm -f "$W/ovh.out" "$W/ovh.out.err"
	echo "$r"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A P50
for ((r = 1; r <= ROUNDS; r++)); do
	order="none watch"
	((r % 2 == 0)) && order="watch none"
	for mode in $order; do
		P50[true.$mode]+="$(timed "$mode" /bin/true) "
		P50[static.$mode]+="$(timed "$mode" -a /nonexistent/pe-selfdel "$B/pe-selfdel") "
	done
	log "overhead round $r/$ROUNDS done"
done
T2=$OUT/overhead.md
{
	echo "| program | p50 no watcher (ns) | p50 with watcher (ns) | added per exec (ns) |"
	echo "| --- | --- | --- | --- |"
	for p in true static; do
		a=$(tr ' ' '\n' <<<"${P50[$p.none]}" | grep -v '^$' | median)
		b=$(tr ' ' '\n' <<<"${P50[$p.watch]}" | grep -v '^$' | grep -v n/a | median)
		name=/bin/true
		[[ $p == static ]] && name="pe-selfdel (static)"
		echo "| $name | $a | ${b:-n/a} | $([[ -n $b ]] && echo $((b - a)) || echo n/a) |"
	done
	echo
	ticks=$(awk '{ t += $1 } END { print t + 0 }' "$W/cpu.ticks" 2>/dev/null)
	execs=$(awk '{ e += $1 } END { print e + 0 }' "$W/cpu.execs" 2>/dev/null)
	if ((execs > 0)); then
		echo "watcher CPU: $ticks ticks ($(getconf CLK_TCK)/s) over $execs execs it reported:" \
			"$((ticks * 1000000000 / $(getconf CLK_TCK) / execs)) ns per exec"
	fi
	echo
	echo "per-round p50s: none: true ${P50[true.none]}; static ${P50[static.none]}"
	echo "per-round p50s: watch: true ${P50[true.watch]}; static ${P50[static.watch]}"
} >"$T2"

{
	echo "## watch (#12) $(date -u +%Y-%m-%d)"
	echo
	sed 's/^/    /' "$OUT/env.txt"
	echo
	echo "N = $N per burst; exec overhead: $ROUNDS rounds x $COUNT execs"
	echo
	cat "$T1"
	echo
	cat "$T2"
} | tee "$OUT/summary.md"
