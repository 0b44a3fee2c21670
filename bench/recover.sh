#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# recover.sh: procexe recover against one SHA-256 pass and the two-pass way
# on a deleted image.
#
#   bench/recover.sh PROCEXE [SIZE_MIB [RUNS]]
#
# 1. One process runs a deleted SIZE_MIB (default 1024) image (a copy of
#    sleep with random bytes appended).  After one warm-up read, each of
#    RUNS (default 7) rounds times, on the same warm image:
#      openssl  openssl dgst -sha256 /proc/PID/exe  (one hash pass, the floor)
#      procexe  PROCEXE recover -d DIR PID  (copy, hash, read-back check)
#      base     $PROCEXE_BASE recover -d DIR PID, when PROCEXE_BASE is set
#               (e.g. the binary of main, to compare builds in one run)
#      cp       cp /proc/PID/exe X && sha256sum X, unless BENCH_CP=0
#    in an order that is reversed every other round (outputs removed between
#    commands, outside the timing).  It prints per command the median and
#    the minimum wall time, the median CPU time, and for procexe (and base) the ratio to openssl:
#    of the medians, of the minimums, and the median of the per-round ratios
#    (each round pairs the commands under the same load).
# 2. 400 processes running 20 deleted images (20 each): recover must yield
#    20 files and 400 manifest entries.
#
# Scratch space: mktemp -d under TMPDIR (default /tmp): needs 3 x SIZE_MIB.
# Only processes started here are killed; everything is removed on exit.
set -u
PROCEXE=${1:?usage: recover.sh PROCEXE [SIZE_MIB [RUNS]]}
SIZE=${2:-1024}
RUNS=${3:-7}
BASE=${PROCEXE_BASE:-}
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
minimum() { sort -g | head -n 1; }

cp "$SLEEP" "$W/big"
head -c "$((SIZE << 20))" /dev/urandom >>"$W/big"
"$W/big" 86400 &
P=$!
pids+=("$P")
sleep 0.3
rm "$W/big"
echo "image: $(stat -L -c %s "/proc/$P/exe") bytes, deleted, run by PID $P"
echo "procexe: $PROCEXE${BASE:+; base: $BASE}; $RUNS rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

tools=(openssl procexe)
[[ -n $BASE ]] && tools+=(base)
[[ ${BENCH_CP:-1} != 0 ]] && tools+=(cp)

# run_tool NAME: run it once, timed; "WALL CPU" (seconds; CPU is user +
# system of the command and its children) on stdout.
run_tool() {
	local rc=0 tm
	TIMEFORMAT='%R %U %S'
	tm=$({
		time case $1 in
		openssl) openssl dgst -sha256 "/proc/$P/exe" >/dev/null || rc=$? ;;
		procexe) "$PROCEXE" recover -d "$W/out" "$P" >/dev/null || rc=$? ;;
		base) "$BASE" recover -d "$W/out" "$P" >/dev/null || rc=$? ;;
		cp) { cp "/proc/$P/exe" "$W/X" && sha256sum "$W/X" >/dev/null; } || rc=$? ;;
		esac 2>"$W/err"
		echo "rc=$rc" >&2
	} 2>&1)
	rm -rf --one-file-system "$W/out" "$W/X"
	rc=${tm##*rc=}
	# recover exits 1 when it recovered something
	if [[ $1 == procexe || $1 == base ]] && [[ $rc == 1 ]]; then rc=0; fi
	if [[ $rc != 0 ]]; then
		echo "recover.sh: $1 failed with status $rc: $(cat "$W/err")" >&2
		exit 1
	fi
	awk '{ printf "%s %.3f\n", $1, $2 + $3; exit }' <<<"$tm"
}

openssl dgst -sha256 "/proc/$P/exe" >/dev/null   # warm-up
for t in "${tools[@]}"; do : >"$W/t.$t"; done
: >"$W/r.procexe"
: >"$W/r.base"
for ((i = 0; i < RUNS; i++)); do
	order=("${tools[@]}")
	if ((i % 2)); then
		order=()
		for ((k = ${#tools[@]} - 1; k >= 0; k--)); do order+=("${tools[k]}"); done
	fi
	declare -A this=()
	for t in "${order[@]}"; do
		read -r this[$t] cpu < <(run_tool "$t" || echo fail)
		[[ ${this[$t]} == fail ]] && exit 1
		echo "${this[$t]}" >>"$W/t.$t"
		echo "$cpu" >>"$W/c.$t"
	done
	for t in procexe base; do
		[[ -n ${this[$t]:-} ]] &&
			awk -v a="${this[$t]}" -v b="${this[openssl]}" 'BEGIN { printf "%.4f\n", a / b }' >>"$W/r.$t"
	done
	unset this
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${tools[@]}"; do
	printf '%-8s median %.3f s, min %.3f s (%s); CPU median %.3f s\n' "$t" \
		"$(median <"$W/t.$t")" "$(minimum <"$W/t.$t")" "$(tr '\n' ' ' <"$W/t.$t")" \
		"$(median <"$W/c.$t")"
done
for t in procexe base; do
	[[ -s $W/r.$t ]] || continue
	awk -v m="$(median <"$W/t.$t")" -v om="$(median <"$W/t.openssl")" \
		-v n="$(minimum <"$W/t.$t")" -v on="$(minimum <"$W/t.openssl")" \
		-v p="$(median <"$W/r.$t")" -v t="$t" \
		'BEGIN { printf "%s / openssl: %.2fx by median, %.2fx by minimum, %.2fx median of paired rounds\n", t, m / om, n / on, p }'
done
{ kill -KILL "$P"; wait "$P"; } 2>/dev/null

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
