#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# restart.sh: the `procexe restart` benchmark (not a test).  Run as root on a
# disposable machine; it starts and later kills N processes of its own.
#
#   bench/restart.sh [-p PROCEXE] [-B BASE] [-n N] [-r ROUNDS] [-R SLOW_ROUNDS]
#                    [-o OUTDIR] [-q LOAD] [-I] [-P] [-s] [-t TOOLS] [-M SIZES]
#
#   -p PROCEXE     binary to measure (default: $PROCEXE, else build/procexe)
#   -B BASE        another procexe binary (e.g. the one before a change):
#                  adds the tools base-restart and base-restart-pkg, timed in
#                  the same rounds, and BASE to the -M phase
#   -n N           processes planted (default 2000)
#   -r ROUNDS      alternating timing rounds (default 7)
#   -R SLOW_ROUNDS of which needrestart runs in this many (default 3): it
#                  takes minutes at N = 2000
#   -q LOAD        before timing, wait (at most 15 min) until the 1-minute
#                  load average is <= LOAD (default 0: do not wait)
#   -I             intact processes run the system's sleep and preload the
#                  system's libm (files older than the boot) instead of fresh
#                  copies (plant.sh -s)
#   -P             peers and floors only, no procexe (for trying the script
#                  before `procexe restart` exists)
#   -s             also record `strace -c -f` syscall counts of procexe
#                  restart and of the maps floor, and which procfs files
#                  procexe opens (strace slows everything: never timed)
#   -t TOOLS       comma-separated subset of the default tool list:
#                  floor-maps,floor-maps-j2,restart,restart-pkg,restart-J,
#                  restart-one,checkrestart,needrestart
#                  (more: restart-jsonl, restart-r, restart-s, base-restart,
#                  base-restart-pkg; see bench/measure.py)
#   -M SIZES       only the peak-RSS phase, at each of the comma-separated
#                  sizes (e.g. 2000,10000,20000): plant, measure each restart
#                  form 3 times (max) with GNU time, tear down; OUTDIR/rss.md
#   -o OUTDIR      where results go (default /var/tmp/procexe-bench-results/restart-DATE)
#
# Plants N processes with bench/plant.sh -m restart (half intact; deleted,
# replaced and in-place modified libraries, deleted and replaced executables,
# loader launches, a surviving hard link, memfd), times in alternating rounds
# (bench/measure.py):
#   floor-maps      bench/floor-maps.c: read every /proc/PID/maps, 1 thread
#   floor-maps-j2   the same with 2 threads
#   restart         procexe restart                 (table to /dev/null)
#   restart-pkg     procexe restart -o +PACKAGE     (+ the dpkg lookup: the
#                                                    default columns have no
#                                                    PACKAGE, so no lookup)
#   restart-J       procexe restart -J              (JSON to /dev/null)
#   restart-one     procexe restart 1               (the fixed cost: start-up,
#                                                    init detection, kernel and
#                                                    microcode status)
# Every procexe restart run reads the kernel and microcode status (the
# timed ones too); only a PACKAGE column or --summary=package looks up
# packages.  The report prices the package lookup and -J as the paired
# (same round) difference to procexe restart.
#   checkrestart    checkrestart                    (debian-goodies)
#   needrestart     needrestart -b -l -r l          (batch, libraries, list only:
#                                                    it never restarts anything)
# then scores which planted classes each reports (procexe restart -J,
# checkrestart -v, needrestart -v -b -l -r l; its -v lines go to stderr),
# measures peak RSS (not of needrestart), tears down (bench/teardown.sh) and
# writes OUTDIR/summary.md.  Installs nothing; needs
#   apt-get install -y needrestart debian-goodies lsof time
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

PROCEXE=${PROCEXE:-$top/build/procexe}
N=2000
ROUNDS=7
SLOW_ROUNDS=3
QUIET=0
PEERS_ONLY=0
STRACE=0
TOOLS=
BASE=
SIZES=
PLANT_OPTS=(-m restart)
OUT=/var/tmp/procexe-bench-results/restart-$(date -u +%Y%m%dT%H%M%SZ)

while getopts "p:B:n:r:R:o:q:IPst:M:h" opt; do
	case $opt in
	p) PROCEXE=$OPTARG ;;
	B) BASE=$(readlink -f "$OPTARG") ;;
	M) SIZES=$OPTARG ;;
	n) N=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	R) SLOW_ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	q) QUIET=$OPTARG ;;
	I) PLANT_OPTS+=(-s) ;;
	P) PEERS_ONLY=1 ;;
	s) STRACE=1 ;;
	t) TOOLS=$OPTARG ;;
	h) sed -n '4,/^set -eu/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done

log() { printf 'restart-bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

APT="apt-get install -y needrestart debian-goodies lsof time"
((EUID == 0)) || die "run as root (the scan must see every process)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found ($APT)"

# the RSS phase measures procexe only
[[ -n $SIZES ]] && TOOLS=restart
if [[ -z $TOOLS ]]; then
	if ((PEERS_ONLY)); then
		TOOLS=floor-maps,floor-maps-j2,checkrestart,needrestart
	else
		TOOLS=floor-maps,floor-maps-j2,restart,restart-pkg,restart-J,restart-one,checkrestart,needrestart
	fi
	[[ -n $BASE ]] && TOOLS+=,base-restart,base-restart-pkg
fi
[[ -z $BASE ]] || [[ -x $BASE ]] || die "base binary $BASE not found"
# what the chosen tools need (the peers only when they are measured)
needs=(python3 "${CC:-cc}" lsof dpkg-query)
case ,$TOOLS, in *,checkrestart,*) needs+=(checkrestart) ;; esac
case ,$TOOLS, in *,needrestart,*) needs+=(needrestart) ;; esac
for t in "${needs[@]}"; do
	command -v "$t" >/dev/null || die "$t not found ($APT)"
done
case ,$TOOLS, in
*,restart,* | *,restart-J,* | *,restart-pkg,*)
	[[ -x $PROCEXE ]] || die "procexe binary $PROCEXE not found (set -p or \$PROCEXE; -P for peers only)"
	PROCEXE=$(readlink -f "$PROCEXE")
	"$PROCEXE" restart --help >/dev/null 2>&1 || die "$PROCEXE has no working 'restart' command (-P for peers only)"
	;;
*) PROCEXE=${PROCEXE:-/bin/false} ;;
esac

mkdir -p "$OUT"
bench_provenance

# rss_phase: -M; peak RSS (KiB, max of 3 runs) of each restart form of
# PROCEXE (and BASE) at each size, into OUT/rss.md
rss_phase() {
	local n dir b name args forms=("" "-J" "--jsonl" "-r" "-s" "-o +PACKAGE")
	local bins=("$PROCEXE") hdr="| binary | command |" sep="|---|---|"
	[[ -n $BASE ]] && bins+=("$BASE")
	IFS=, read -r -a sizes <<<"$SIZES"
	for n in "${sizes[@]}"; do
		hdr+=" $n planted (in /proc) |"
		sep+="---:|"
	done
	declare -A cell
	for n in "${sizes[@]}"; do
		log "RSS phase: planting $n processes"
		run_bg "$here/plant.sh" -n "$n" "${PLANT_OPTS[@]}" >"$OUT/plantdir" || die "plant.sh failed"
		DIR=$(tail -n 1 "$OUT/plantdir")
		rm -f "$OUT/plantdir"
		cell[procs,$n]=$(ls /proc | grep -c '^[0-9]')
		for args in "${forms[@]}"; do
			for b in "${bins[@]}"; do
				local max=0 v i
				for i in 1 2 3; do
					# shellcheck disable=SC2086 # ARGS are words
					v=$(/usr/bin/time -f %M "$b" restart $args 2>&1 >/dev/null | tail -n 1)
					[[ $v =~ ^[0-9]+$ ]] && ((v > max)) && max=$v
				done
				cell[$b,$args,$n]=$max
			done
		done
		"$here/teardown.sh" "$DIR" >/dev/null
		DIR=''
	done
	{
		echo "Peak RSS, KiB (GNU time %M, max of 3 runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
		echo
		echo "$hdr"
		echo "$sep"
		for args in "${forms[@]}"; do
			for b in "${bins[@]}"; do
				name=$b
				[[ $b == "$BASE" ]] && name="base $(basename "$b")"
				[[ $b == "$PROCEXE" ]] && name="procexe"
				local row="| $name | \`restart${args:+ $args}\` |"
				for n in "${sizes[@]}"; do
					row+=" ${cell[$b,$args,$n]} (${cell[procs,$n]}) |"
				done
				echo "$row"
			done
		done
	} >"$OUT/rss.md"
	cat "$OUT/rss.md"
}
if [[ -n $SIZES ]]; then
	rss_phase
	log "results in $OUT"
	exit 0
fi

"${CC:-cc}" -O2 -Wall -o "$OUT/floor-maps" "$here/floor-maps.c" -pthread
"${CC:-cc}" -O2 -Wall -o "$OUT/floor" "$here/floor.c"


log "planting $N processes"
run_bg "$here/plant.sh" -n "$N" "${PLANT_OPTS[@]}" >"$OUT/plantdir" || die "plant.sh failed"
DIR=$(tail -n 1 "$OUT/plantdir")
rm -f "$OUT/plantdir"
[[ -f $DIR/manifest.tsv ]] || die "plant.sh failed"
cp "$DIR/manifest.tsv" "$OUT/manifest.tsv"
cp "$DIR/counts.tsv" "$OUT/counts.tsv"

run_bg python3 "$here/measure.py" bench --manifest "$DIR/manifest.tsv" \
	--procexe "$PROCEXE" --floor "$OUT/floor" --floor-maps "$OUT/floor-maps" \
	--rounds "$ROUNDS" --slow needrestart --slow-rounds "$SLOW_ROUNDS" \
	--label restart --out "$OUT/result.json" --quiet-load "$QUIET" --quiet-max 900 \
	--tools "$TOOLS" ${BASE:+--base "$BASE"}

if ((STRACE)) && command -v strace >/dev/null; then
	strace -c -f -o "$OUT/strace-floor-maps.txt" "$OUT/floor-maps" >/dev/null 2>&1 || true
	if [[ ,$TOOLS, == *,restart,* ]]; then
		strace -c -f -o "$OUT/strace-restart.txt" "$PROCEXE" restart >/dev/null 2>&1 || true
		# which procfs files procexe opens or stats, per call type
		strace -f -e trace=openat,readlinkat,statx,newfstatat,pidfd_send_signal \
			-o "$OUT/strace-restart-calls.raw" "$PROCEXE" restart >/dev/null 2>&1 || true
		sed -E -n 's/^[0-9]+ +//; s/^(openat|readlinkat|statx|newfstatat)\(([0-9]+|AT_FDCWD), "([^"]*)".*/\1 \2 \3/p; s/^(pidfd_send_signal)\(.*/\1/p' \
			"$OUT/strace-restart-calls.raw" |
			awk '{ f = $3; if (f ~ /^[0-9]+$/) f = "<pid>"; else if (f ~ /^\/proc\/[0-9]+\//) { sub(/^\/proc\/[0-9]+\//, "/proc/<pid>/", f) }
			       else if ($2 == "AT_FDCWD" && f ~ /^\//) f = "<absolute path>"
			       print $1 "(" ($2 == "AT_FDCWD" ? "AT_FDCWD" : "fd") ", " f ")" }' |
			sort | uniq -c | sort -rn >"$OUT/strace-restart-calls.txt"
		rm -f "$OUT/strace-restart-calls.raw"
	fi
	log "syscall counts in $OUT/strace-*.txt"
fi

"$here/teardown.sh" "$DIR"
DIR=''

python3 "$here/measure.py" report "$OUT/result.json" >"$OUT/summary.md"
cat "$OUT/summary.md"
log "results in $OUT"
