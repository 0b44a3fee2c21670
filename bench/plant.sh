#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# plant.sh: start N long-sleeping processes in the classes procexe must tell
# apart, for bench/run.sh.  Run as root on a disposable machine.
#
#   bench/plant.sh [-n N] [-b BASE] [-g PER_COPY] [-l LIFETIME_S] [-s]
#
# Prints the scratch directory on the last line of stdout.  It holds
#   manifest.tsv   pid <TAB> class <TAB> starttime <TAB> argv0   (one per process)
#   counts.tsv     class <TAB> planned count
#   bin/           the executables (copies of sleep), helpers
# and /dev/shm/<scratch-name>/ holds the /dev/shm class.
#
# Classes (half intact, half flagged):
#   intact     copies of sleep, PER_COPY processes share each copy
#              (-s: run the system's sleep itself, a file older than the
#              boot, as most intact processes on a real host do)
#   deleted    copy removed after start                     (rm)
#   replaced   a new, different copy renamed over it        (mv -f)
#   memfd      memfd_create + fexecve (bench/memfd-exec.c)
#   shm        run from /dev/shm, then removed
#   hardlink   started through name A; A removed, hard link B survives
#   ldso       "$LDSO ./prog", then prog removed (exe is the loader)
#
# Processes are started by bench/spawn.c (compiled into DIR/bin with $CC).
# Every process has argv[0] = procexe-bench-<id>-<class> and ends by itself
# after LIFETIME_S seconds (default 6 h) even if nobody tears it down.
# Remove everything with bench/teardown.sh DIR: it kills exactly the PIDs of
# the manifest whose start time and argv[0] still match.
# If planting fails or is interrupted, what was planted is torn down.
#
# Environment: CC (default cc), SLEEP (default: command -v sleep),
# LDSO (default: the sleep binary's ELF interpreter).
set -eu
shopt -s nullglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

N=2000
BASE=/srv
PER_COPY=20
LIFETIME=21600
SYSTEM_INTACT=0

usage() {
	sed -n '4,/^set -eu/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

while getopts "n:b:g:l:sh" opt; do
	case $opt in
	n) N=$OPTARG ;;
	b) BASE=$OPTARG ;;
	g) PER_COPY=$OPTARG ;;
	l) LIFETIME=$OPTARG ;;
	s) SYSTEM_INTACT=1 ;;
	h) usage 0 ;;
	*) usage ;;
	esac
done

log() { printf 'plant: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $N =~ ^[0-9]+$ ]] && ((N >= 10)) || die "N must be an integer >= 10"
[[ $PER_COPY =~ ^[0-9]+$ ]] && ((PER_COPY >= 1)) || die "bad PER_COPY"
[[ $LIFETIME =~ ^[0-9]+$ ]] || die "bad LIFETIME"
[[ -d $BASE ]] || die "$BASE is not a directory"
case $BASE in /tmp | /tmp/*) log "warning: some peers ignore /tmp; prefer /srv or /var/tmp" ;; esac

SLEEP=${SLEEP:-$(command -v sleep)}
SLEEP=$(readlink -f "$SLEEP")
if [[ -z ${LDSO:-} ]]; then
	LDSO=$(ldd "$SLEEP" | awk '/ld-linux/ { print $1; exit }')
fi
[[ -x $LDSO ]] || die "cannot find the ELF interpreter (set LDSO)"

# ---- class sizes --------------------------------------------------------
small=$((N / 200)); ((small >= 1)) || small=1
n_intact=$((N / 2))
rest=$((N - n_intact - 4 * small))
n_deleted=$((rest / 2))
n_replaced=$((rest - n_deleted))
declare -A want=(
	[intact]=$n_intact [deleted]=$n_deleted [replaced]=$n_replaced
	[memfd]=$small [shm]=$small [hardlink]=$small [ldso]=$small
)
classes=(intact deleted replaced memfd shm hardlink ldso)

# ---- limits ---------------------------------------------------------------
nprocs_now=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
nthreads_now=$(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg)
pid_max=$(cat /proc/sys/kernel/pid_max)
threads_max=$(cat /proc/sys/kernel/threads-max)
ulim=$(ulimit -u)
margin=2000
((nthreads_now + N + margin <= pid_max)) ||
	die "pid_max $pid_max too small for $N more processes ($nthreads_now threads running): sysctl kernel.pid_max=$((nthreads_now + N + 2 * margin))"
((nthreads_now + N + margin <= threads_max)) ||
	die "threads-max $threads_max too small for $N more processes"
if [[ $ulim != unlimited ]] && ((EUID != 0)); then
	mine=$(ps -U "$EUID" -L --no-headers | wc -l)
	((mine + N + 100 <= ulim)) || die "ulimit -u $ulim too small for $N more processes"
fi
cg_pids=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)
if [[ -n $cg_pids && -r /sys/fs/cgroup/pids$cg_pids/pids.max ]]; then
	pm=$(cat "/sys/fs/cgroup/pids$cg_pids/pids.max")
	pc=$(cat "/sys/fs/cgroup/pids$cg_pids/pids.current")
	[[ $pm == max ]] || ((pc + N + 100 <= pm)) || die "cgroup pids.max $pm too small"
fi
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
# A sleep costs ~200 KiB (private pages, page tables, kernel stack); ask for 512.
((avail_kb > N * 512)) || die "MemAvailable ${avail_kb} kB is short for $N processes"
log "limits ok: $nprocs_now processes / $nthreads_now threads running, pid_max $pid_max, threads-max $threads_max, ulimit -u $ulim"

# ---- scratch --------------------------------------------------------------
DIR=$(mktemp -d "$BASE/procexe-bench.XXXXXX")
chmod 755 "$DIR"
id=${DIR##*.}
SHMDIR=/dev/shm/procexe-bench.$id
mkdir -m 755 "$SHMDIR" "$DIR/bin"
MANIFEST=$DIR/manifest.tsv
: >"$MANIFEST"
for c in "${classes[@]}"; do printf '%s\t%s\n' "$c" "${want[$c]}"; done >"$DIR/counts.tsv"
printf '%s\n' "$SHMDIR" >"$DIR/shmdir"
TAG=procexe-bench-$id

done_ok=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if ((!done_ok)); then
		log "planting failed or interrupted (rc=$rc): tearing down $DIR"
		"$here/teardown.sh" "$DIR" >&2 || true
		wait 2>/dev/null || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

B=$DIR/bin
for h in memfd-exec spawn; do
	"${CC:-cc}" -O2 -Wall -o "$B/$h" "$here/$h.c" || die "cannot compile $h.c"
done

# spawn CLASS COUNT [-C DIR] PROG [ARGS...]: start COUNT processes with
# argv[0]=$TAG-CLASS, record them in the manifest, and return once all of
# them sleep (exec and loading done: removing the file cannot race the exec).
# spawn.c appends to the manifest itself, right after each fork.
spawn() {
	local class=$1 count=$2
	shift 2
	"$B/spawn" -w -n "$count" -a "$TAG-$class" -m "$MANIFEST" -c "$class" "$@" ||
		die "spawn failed for class $class"
}

# groups TOTAL -> sizes of the groups that share one copy
groups() {
	local left=$1
	while ((left > 0)); do
		if ((left > PER_COPY)); then echo "$PER_COPY"; else echo "$left"; fi
		left=$((left - PER_COPY))
	done
}

t0=$SECONDS

i=0
for g in $(groups "${want[intact]}"); do
	if ((SYSTEM_INTACT)); then
		spawn intact "$g" "$SLEEP" "$LIFETIME"
	else
		cp "$SLEEP" "$B/intact-$i"
		spawn intact "$g" "$B/intact-$i" "$LIFETIME"
	fi
	i=$((i + 1))
done
if ((SYSTEM_INTACT)); then
	log "intact: ${want[intact]} processes running $SLEEP itself"
else
	log "intact: ${want[intact]} processes, $i copies"
fi

i=0
for g in $(groups "${want[deleted]}"); do
	cp "$SLEEP" "$B/deleted-$i"
	spawn deleted "$g" "$B/deleted-$i" "$LIFETIME"
	rm -f "$B/deleted-$i"
	i=$((i + 1))
done
log "deleted: ${want[deleted]} processes, $i copies"

i=0
for g in $(groups "${want[replaced]}"); do
	cp "$SLEEP" "$B/replaced-$i"
	spawn replaced "$g" "$B/replaced-$i" "$LIFETIME"
	cp "$SLEEP" "$B/.replaced-$i.new"
	printf 'X' >>"$B/.replaced-$i.new" # different content, not just a new inode
	mv -f "$B/.replaced-$i.new" "$B/replaced-$i"
	i=$((i + 1))
done
log "replaced: ${want[replaced]} processes, $i copies"

# memfd-exec SRC NAME ARGV0 ARGS: argv[0] of sleep is set by memfd-exec
spawn memfd "${want[memfd]}" "$B/memfd-exec" "$SLEEP" "procexe-bench" "$TAG-memfd" "$LIFETIME"
log "memfd: ${want[memfd]} processes"

i=0
for g in $(groups "${want[shm]}"); do
	cp "$SLEEP" "$SHMDIR/shm-$i"
	spawn shm "$g" "$SHMDIR/shm-$i" "$LIFETIME"
	rm -f "$SHMDIR/shm-$i"
	i=$((i + 1))
done
log "shm: ${want[shm]} processes, $i copies"

i=0
for g in $(groups "${want[hardlink]}"); do
	cp "$SLEEP" "$B/hardlink-$i"
	ln "$B/hardlink-$i" "$B/hardlink-$i.survivor"
	spawn hardlink "$g" "$B/hardlink-$i" "$LIFETIME"
	rm -f "$B/hardlink-$i"
	i=$((i + 1))
done
log "hardlink: ${want[hardlink]} processes, $i copies"

i=0
for g in $(groups "${want[ldso]}"); do
	cp "$SLEEP" "$B/ldso-$i"
	spawn ldso "$g" -C "$B" "$LDSO" "./ldso-$i" "$LIFETIME"
	rm -f "$B/ldso-$i"
	i=$((i + 1))
done
log "ldso: ${want[ldso]} processes, $i copies"

planted=$(wc -l <"$MANIFEST")
((planted == N)) || die "planted $planted processes, expected $N"
log "planted $planted processes in $((SECONDS - t0)) s under $DIR (teardown: $here/teardown.sh $DIR)"
done_ok=1
printf '%s\n' "$DIR"
