#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh: the procexe benchmark (not a test).  Run as root on a disposable
# machine; it starts and later kills up to 20,000 processes of its own.
#
#   bench/run.sh [-p PROCEXE] [-n N] [-N BIG_N] [-r ROUNDS] [-R BIG_ROUNDS]
#                [-o OUTDIR] [-q LOAD] [-s] [-B] [-I]
#
#   -p PROCEXE    binary to measure (default: $PROCEXE, else build/procexe)
#   -n N          processes planted for the main run (default 2000)
#   -r ROUNDS     alternating timing rounds at N (default 7)
#   -N BIG_N      processes planted for the second run (default 20000)
#   -R BIG_ROUNDS timing rounds at BIG_N (default 3)
#   -B            skip the BIG_N run
#   -I            intact processes run the system's sleep (untouched since
#                 boot) instead of fresh copies (plant.sh -s)
#   -q LOAD       before timing, wait (at most 15 min; 5 min at >= 10,000
#                 processes) until the 1-minute load average is <= LOAD
#                 (default 0: do not wait)
#   -s            also record `strace -c -f` syscall counts of procexe at N
#                 (strace slows everything down; never used for timing)
#   -o OUTDIR     where results go (default /var/tmp/procexe-bench-results/DATE)
#
# For each size: plant (bench/plant.sh), warm up, time every command in
# alternating rounds (bench/measure.py), score which planted PIDs each
# command reports, measure peak RSS with GNU time, tear down
# (bench/teardown.sh).  Finally prints a markdown summary (OUTDIR/summary.md).
#
# Needs: lsof, lsfd (util-linux), GNU time (/usr/bin/time), python3, cc.
#   apt-get install -y lsof time
set -eu

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

PROCEXE=${PROCEXE:-$top/build/procexe}
N=2000
ROUNDS=7
BIG_N=20000
BIG_ROUNDS=3
BIG=1
STRACE=0
QUIET=0
PLANT_OPTS=()
OUT=/var/tmp/procexe-bench-results/$(date -u +%Y%m%dT%H%M%SZ)

while getopts "p:n:N:r:R:o:q:sBIh" opt; do
	case $opt in
	p) PROCEXE=$OPTARG ;;
	n) N=$OPTARG ;;
	N) BIG_N=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	R) BIG_ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	s) STRACE=1 ;;
	q) QUIET=$OPTARG ;;
	B) BIG=0 ;;
	I) PLANT_OPTS+=(-s) ;;
	h) sed -n '4,/^set -eu/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done

log() { printf 'run: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

((EUID == 0)) || die "run as root (the scan must see every process, and planting 20,000 needs it)"
for t in lsof lsfd python3 "${CC:-cc}" find; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install -y lsof time)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install -y time)"
[[ -x $PROCEXE ]] || die "procexe binary $PROCEXE not found (set -p or \$PROCEXE)"
PROCEXE=$(readlink -f "$PROCEXE")
"$PROCEXE" --version >/dev/null 2>&1 || die "$PROCEXE --version fails"
lsfd -Q 'ASSOC == "exe" && DELETED' >/dev/null ||
	die "this lsfd does not accept the -Q filter used here"

mkdir -p "$OUT"
bench_provenance
"${CC:-cc}" -O2 -Wall -o "$OUT/floor" "$here/floor.c"


TOOLS_MAIN=procexe,procexe-t1,floor,find,lsof,lsfd,true,floor-d,floor-dp,floor-dpm,floor-dpms
TOOLS_BIG=procexe,procexe-t1,floor,find,lsof,lsfd,true

# one_size N ROUNDS LABEL TOOLS
one_size() {
	local n=$1 rounds=$2 label=$3 tools=$4 qmax=900
	# 20,000 sleepers keep some hosts' PID 1 or monitors busy: wait less
	((n < 10000)) || qmax=300
	log "planting $n processes"
	run_bg "$here/plant.sh" -n "$n" "${PLANT_OPTS[@]}" >"$OUT/plantdir-$label" || die "plant.sh failed"
	DIR=$(tail -n 1 "$OUT/plantdir-$label")
	rm -f "$OUT/plantdir-$label"
	[[ -f $DIR/manifest.tsv ]] || die "plant.sh failed"
	cp "$DIR/manifest.tsv" "$OUT/manifest-$label.tsv"
	run_bg python3 "$here/measure.py" bench --manifest "$DIR/manifest.tsv" \
		--procexe "$PROCEXE" --floor "$OUT/floor" --rounds "$rounds" \
		--label "$label" --out "$OUT/result-$label.json" --quiet-load "$QUIET" --quiet-max "$qmax" --tools "$tools"
	if ((STRACE)) && [[ $label == main ]] && command -v strace >/dev/null; then
		strace -c -f -o "$OUT/strace-procexe-$label.txt" "$PROCEXE" >/dev/null 2>&1 || true
		strace -c -f -o "$OUT/strace-floor-$label.txt" "$OUT/floor" >/dev/null 2>&1 || true
		# which procfs files procexe touches, per call type
		strace -f -e trace=openat,readlinkat,statx,newfstatat,pidfd_send_signal \
			-o "$OUT/strace-procexe-calls-$label.raw" "$PROCEXE" >/dev/null 2>&1 || true
		sed -E -n 's/^[0-9]+ +//; s/^(openat|readlinkat|statx|newfstatat)\(([0-9]+|AT_FDCWD), "([^"]*)".*/\1 \2 \3/p; s/^(pidfd_send_signal)\(.*/\1/p' \
			"$OUT/strace-procexe-calls-$label.raw" |
			awk '{ f = $3; if (f ~ /^[0-9]+$/) f = "<pid>"; else if ($2 == "AT_FDCWD" && f ~ /^\//) f = "<absolute path>"
			       print $1 "(" ($2 == "AT_FDCWD" ? "AT_FDCWD" : "fd") ", " f ")" }' |
			sort | uniq -c | sort -rn >"$OUT/strace-procexe-calls-$label.txt"
		rm -f "$OUT/strace-procexe-calls-$label.raw"
		log "syscall counts in $OUT/strace-*-$label.txt"
	fi
	"$here/teardown.sh" "$DIR"
	DIR=
}

one_size "$N" "$ROUNDS" main "$TOOLS_MAIN"
results=("$OUT/result-main.json")
if ((BIG)); then
	one_size "$BIG_N" "$BIG_ROUNDS" big "$TOOLS_BIG"
	results+=("$OUT/result-big.json")
fi

python3 "$here/measure.py" report "${results[@]}" >"$OUT/summary.md"
cat "$OUT/summary.md"
log "results in $OUT"
