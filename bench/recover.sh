#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# recover.sh: procexe recover against the two-pass way on a deleted image.
#
#   bench/recover.sh PROCEXE [SIZE_MIB [RUNS]]
#
# 1. One process runs a deleted SIZE_MIB (default 1024) image (a copy of
#    sleep with random bytes appended); each of RUNS (default 5) rounds
#    times "cp /proc/PID/exe X && sha256sum X" and "procexe recover -d DIR
#    PID" (alternating, page cache warm for both, outputs removed between
#    rounds) and prints the medians of wall time.
# 2. 400 processes running 20 deleted images (20 each): recover must yield
#    20 files and 400 manifest entries.
#
# Scratch space: mktemp -d under TMPDIR (default /tmp): needs 3 x SIZE_MIB.
# Only processes started here are killed; everything is removed on exit.
set -u
PROCEXE=${1:?usage: recover.sh PROCEXE [SIZE_MIB [RUNS]]}
SIZE=${2:-1024}
RUNS=${3:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/pe-bench-rec.XXXXXXXX") || exit 1
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

SLEEP=$(command -v sleep)
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

cp "$SLEEP" "$W/big"
head -c "$((SIZE << 20))" /dev/urandom >>"$W/big"
"$W/big" 86400 &
P=$!
pids+=("$P")
sleep 0.3
rm "$W/big"
echo "image: $(stat -L -c %s "/proc/$P/exe") bytes, deleted, run by PID $P"

: >"$W/t.cp"
: >"$W/t.rec"
for ((i = 0; i < RUNS; i++)); do
	t0=$(now)
	cp "/proc/$P/exe" "$W/X" && sha256sum "$W/X" >/dev/null
	t1=$(now)
	rm -f "$W/X"
	"$PROCEXE" recover -d "$W/out" "$P" >/dev/null
	t2=$(now)
	rm -rf "$W/out"
	echo "$t1 - $t0" | bc >>"$W/t.cp"
	echo "$t2 - $t1" | bc >>"$W/t.rec"
done
cp_m=$(median <"$W/t.cp")
rec_m=$(median <"$W/t.rec")
printf 'cp + sha256sum: median %.3f s (%s)\n' "$cp_m" "$(tr '\n' ' ' <"$W/t.cp")"
printf 'procexe recover: median %.3f s (%s)\n' "$rec_m" "$(tr '\n' ' ' <"$W/t.rec")"
awk -v a="$cp_m" -v b="$rec_m" 'BEGIN { printf "recover takes %.2fx the wall time of cp && sha256sum\n", b / a }'
kill -KILL "$P"

# 400 processes, 20 deleted images
many=()
for ((k = 0; k < 20; k++)); do
	cp "$SLEEP" "$W/img$k"
	printf 'image %d\n' "$k" >>"$W/img$k"   # 20 different contents
	for ((j = 0; j < 20; j++)); do
		"$W/img$k" 86400 &
		pids+=("$!")
		many+=("$!")
	done
done
sleep 0.5
rm -f "$W"/img*
t0=$(now)
"$PROCEXE" recover -d "$W/many" "${many[@]}" >/dev/null
rc=$?
t1=$(now)
files=$(find "$W/many" -type f ! -name 'manifest*.json' | wc -l)
entries=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["images"]))' "$W/many/manifest.json")
printf '400 processes, 20 deleted images: status %d, %d files, %d entries, %.3f s\n' \
	"$rc" "$files" "$entries" "$(echo "$t1 - $t0" | bc)"
