#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# teardown.sh: undo bench/plant.sh.
#
#   bench/teardown.sh DIR...          DIR = scratch dir printed by plant.sh
#   bench/teardown.sh --all [BASE]    every BASE/procexe-bench.*/ (default /srv)
#
# Kills (SIGKILL) exactly the PIDs listed in DIR/manifest.tsv whose start
# time (field 22 of /proc/PID/stat) and argv[0] still equal the manifest's,
# so a reused PID is never touched.  Then waits for them to exit and removes
# DIR and its /dev/shm directory.  DIR is kept (exit 1) if any listed
# process is still alive.
set -u

log() { printf 'teardown: %s\n' "$*" >&2; }

dirs=()
if [[ ${1:-} == --all ]]; then
	base=${2:-/srv}
	for d in "$base"/procexe-bench.*/; do
		[[ -f $d/manifest.tsv ]] && dirs+=("${d%/}")
	done
	((${#dirs[@]})) || { log "nothing planted under $base"; exit 0; }
else
	(($#)) || { echo "usage: $0 DIR... | --all [BASE]" >&2; exit 2; }
	for d in "$@"; do
		[[ -f $d ]] && d=$(dirname "$d")
		dirs+=("$d")
	done
fi

# ours PID STARTTIME ARGV0: is PID still the process we planted (and not a zombie)?
ours() {
	local p=$1 want_st=$2 want_a0=$3 s a0=
	read -r s 2>/dev/null <"/proc/$p/stat" || return 1
	s=${s##*) }
	set -- $s
	(($# >= 20)) && [[ $1 != Z && $1 != X && ${20} == "$want_st" ]] || return 1
	read -r -d "" a0 2>/dev/null <"/proc/$p/cmdline"
	[[ $a0 == "$want_a0" ]]
}

rc=0
for dir in "${dirs[@]}"; do
	manifest=$dir/manifest.tsv
	if [[ ! -f $manifest ]]; then
		log "$dir: no manifest.tsv, skipped"
		rc=1
		continue
	fi
	killed=() nkilled=0 gone=0
	while IFS=$'\t' read -r pid class st a0; do
		[[ $pid =~ ^[0-9]+$ ]] || continue
		if ours "$pid" "$st" "$a0"; then
			kill -KILL "$pid" 2>/dev/null && { killed+=("$pid $st $a0"); nkilled=$((nkilled + 1)); }
		else
			gone=$((gone + 1))
		fi
	done <"$manifest"

	# Wait until none of them runs any more (zombies count as done: their
	# parent or init reaps them).
	deadline=$((SECONDS + 60))
	while :; do
		left=()
		for e in "${killed[@]}"; do
			set -- $e
			ours "$1" "$2" "$3" && left+=("$e")
		done
		killed=("${left[@]}")
		((${#killed[@]} == 0 || SECONDS >= deadline)) && break
		sleep 0.2
	done
	if ((${#killed[@]})); then
		log "$dir: ${#killed[@]} processes still alive after SIGKILL; keeping $dir"
		rc=1
		continue
	fi

	# Orphaned zombies are reaped by PID 1, which may take a few seconds;
	# wait a little so that the next plant starts with a clean PID space.
	deadline=$((SECONDS + 30))
	while :; do
		z=0
		while IFS=$'\t' read -r pid class st a0; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			read -r s 2>/dev/null <"/proc/$pid/stat" || continue
			s=${s##*) }
			set -- $s
			(($# >= 20)) && [[ $1 == Z && ${20} == "$st" && $2 == 1 ]] && z=$((z + 1))
		done <"$manifest"
		((z == 0 || SECONDS >= deadline)) && break
		sleep 0.5
	done
	((z)) && log "$dir: $z orphaned zombies not reaped by PID 1 yet"

	shm=
	[[ -f $dir/shmdir ]] && read -r shm <"$dir/shmdir"
	case $shm in /dev/shm/procexe-bench.*) rm -rf -- "$shm" ;; esac
	case ${dir##*/} in
	procexe-bench.*) rm -rf -- "$dir" ;;
	*) log "$dir: unexpected name, files left in place" ;;
	esac
	log "$dir: killed $nkilled, $gone already gone; removed"
done
exit "$rc"
