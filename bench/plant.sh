#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# plant.sh: start N long-sleeping processes in the classes procexe must tell
# apart, for bench/run.sh and bench/restart.sh.  Run as root on a disposable
# machine.
#
#   bench/plant.sh [-m exe|restart] [-n N] [-b BASE] [-g PER_COPY] [-l LIFETIME_S] [-s]
#
# Prints the scratch directory on the last line of stdout.  It holds
#   manifest.tsv   pid <TAB> class <TAB> starttime <TAB> argv0   (one per process)
#   counts.tsv     class <TAB> planned count
#   mode           exe or restart
#   bin/           the executables (copies of sleep), helpers
#   lib/           (-m restart) the library copies
# and /dev/shm/<scratch-name>/ holds the /dev/shm class.
#
# -m exe (default; bench/run.sh), classes (half intact, half flagged):
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
# -m restart (bench/restart.sh): the exe classes above plus libraries.  A
# library is a copy of $LIB (default libm.so.6 next to the sleep binary's
# libc) that the sleeping copy loads with LD_PRELOAD; PER_COPY processes
# share each copy (of the library and of sleep).  Half the processes are
# intact:
#   intact        copies of sleep, no preload   (-s: the system's sleep)
#   intact_lib    copies of sleep + an intact library copy
#                 (-s: the system's sleep + LD_PRELOAD of $LIB itself)
#   exe_deleted   exe copy removed after start               (rm)
#   exe_replaced  a new, different exe copy renamed over it  (mv -f)
#   lib_deleted   library copy removed after start           (rm)
#   lib_replaced  a new, different library copy renamed over it (mv -f)
#   lib_modified  a byte appended to the library copy, in place (same
#                 inode), at least 2 s after the last of these processes
#                 started
#   ldso          "$LDSO ./prog", then prog removed
#   hardlink      started through name A; A removed, hard link B survives
#   memfd         memfd_create + fexecve: fileless, needs no restart
# In the library classes the executable is an intact copy of sleep (-s: the
# system's sleep).
#
# Processes are started by bench/spawn.c (compiled into DIR/bin with $CC).
# Every process has argv[0] = procexe-bench-<id>-<class> and ends by itself
# after LIFETIME_S seconds (default 6 h) even if nobody tears it down.
# Remove everything with bench/teardown.sh DIR: it kills exactly the PIDs of
# the manifest whose start time and argv[0] still match.
# If planting fails or is interrupted, what was planted is torn down.
#
# Environment: CC (default cc), SLEEP (default: command -v sleep),
# LDSO (default: the sleep binary's ELF interpreter), LIB (-m restart).
set -eu
shopt -s nullglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

N=2000
BASE=/srv
PER_COPY=20
LIFETIME=21600
SYSTEM_INTACT=0
MODE=exe

usage() {
	sed -n '4,/^set -eu/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

while getopts "m:n:b:g:l:sh" opt; do
	case $opt in
	m) MODE=$OPTARG ;;
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

[[ $MODE == exe || $MODE == restart ]] || die "mode must be exe or restart"
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 10)); then die "N must be an integer >= 10"; fi
if ! [[ $PER_COPY =~ ^[0-9]+$ ]] || ((PER_COPY < 1)); then die "bad PER_COPY"; fi
[[ $LIFETIME =~ ^[0-9]+$ ]] || die "bad LIFETIME"
[[ -d $BASE ]] || die "$BASE is not a directory"
case $BASE in /tmp | /tmp/*) log "warning: some peers ignore /tmp; prefer /srv or /var/tmp" ;; esac

SLEEP=${SLEEP:-$(command -v sleep)}
SLEEP=$(readlink -f "$SLEEP")
if [[ -z ${LDSO:-} ]]; then
	LDSO=$(ldd "$SLEEP" | awk '/ld-linux/ { print $1; exit }')
fi
[[ -x $LDSO ]] || die "cannot find the ELF interpreter (set LDSO)"
if [[ $MODE == restart ]]; then
	if [[ -z ${LIB:-} ]]; then
		libc=$(ldd "$SLEEP" | awk '$1 ~ /^libc\.so/ && $3 ~ /^\// { print $3; exit }')
		[[ -n $libc ]] && LIB=$(dirname "$libc")/libm.so.6
	fi
	[[ -n ${LIB:-} && -f $LIB ]] || die "cannot find libm.so.6 next to libc (set LIB)"
	LIB=$(readlink -f "$LIB")
fi

# ---- class sizes --------------------------------------------------------
small=$((N / 200)); ((small >= 1)) || small=1
n_intact=$((N / 2))
declare -A want
if [[ $MODE == exe ]]; then
	rest=$((N - n_intact - 4 * small))
	n_deleted=$((rest / 2))
	n_replaced=$((rest - n_deleted))
	want=(
		[intact]=$n_intact [deleted]=$n_deleted [replaced]=$n_replaced
		[memfd]=$small [shm]=$small [hardlink]=$small [ldso]=$small
	)
	classes=(intact deleted replaced memfd shm hardlink ldso)
else
	medium=$((N / 40)); ((medium >= 1)) || medium=1
	rest=$((N - n_intact - 2 * small - 2 * medium))
	((rest >= 4)) || die "N too small for -m restart"
	q=$((rest / 4)) r=$((rest % 4))
	want=(
		[intact]=$((n_intact / 2)) [intact_lib]=$((n_intact - n_intact / 2))
		[exe_deleted]=$((q + (r > 0))) [exe_replaced]=$((q + (r > 1)))
		[lib_deleted]=$((q + (r > 2))) [lib_replaced]=$q
		[lib_modified]=$medium [ldso]=$medium [hardlink]=$small [memfd]=$small
	)
	classes=(intact intact_lib exe_deleted exe_replaced lib_deleted lib_replaced
		lib_modified ldso hardlink memfd)
fi

# ---- limits ---------------------------------------------------------------
nprocs_now=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
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
mkdir -m 755 "$SHMDIR" "$DIR/bin" "$DIR/lib"
printf '%s\n' "$MODE" >"$DIR/mode"
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

# spawn_lib CLASS COUNT LIBFILE EXE: COUNT processes of EXE preloading LIBFILE
spawn_lib() {
	local class=$1 count=$2 lib=$3 exe=$4
	spawn "$class" "$count" -E "LD_PRELOAD=$lib" "$exe" "$LIFETIME"
}

# groups TOTAL -> sizes of the groups that share one copy
groups() {
	local left=$1
	while ((left > 0)); do
		if ((left > PER_COPY)); then echo "$PER_COPY"; else echo "$left"; fi
		left=$((left - PER_COPY))
	done
}

# ---- the classes, one function each: plant_CLASS CLASS COUNT ---------------

# the executable of the intact and library classes for group I of CLASS
intact_exe() {
	local class=$1 i=$2
	if ((SYSTEM_INTACT)); then
		printf '%s\n' "$SLEEP"
	else
		cp "$SLEEP" "$B/$class-$i"
		printf '%s\n' "$B/$class-$i"
	fi
}

plant_intact() {
	local class=$1 i=0 g exe
	for g in $(groups "$2"); do
		exe=$(intact_exe "$class" "$i")
		spawn "$class" "$g" "$exe" "$LIFETIME"
		i=$((i + 1))
	done
	if ((SYSTEM_INTACT)); then
		log "$class: $2 processes running $SLEEP itself"
	else
		log "$class: $2 processes, $i copies"
	fi
}

plant_exe_deleted() {
	local class=$1 i=0 g
	for g in $(groups "$2"); do
		cp "$SLEEP" "$B/$class-$i"
		spawn "$class" "$g" "$B/$class-$i" "$LIFETIME"
		rm -f "$B/$class-$i"
		i=$((i + 1))
	done
	log "$class: $2 processes, $i copies"
}

plant_exe_replaced() {
	local class=$1 i=0 g
	for g in $(groups "$2"); do
		cp "$SLEEP" "$B/$class-$i"
		spawn "$class" "$g" "$B/$class-$i" "$LIFETIME"
		cp "$SLEEP" "$B/.$class-$i.new"
		printf 'X' >>"$B/.$class-$i.new" # different content, not just a new inode
		mv -f "$B/.$class-$i.new" "$B/$class-$i"
		i=$((i + 1))
	done
	log "$class: $2 processes, $i copies"
}

plant_memfd() {
	# memfd-exec SRC NAME ARGV0 ARGS: argv[0] of sleep is set by memfd-exec
	spawn "$1" "$2" "$B/memfd-exec" "$SLEEP" "procexe-bench" "$TAG-$1" "$LIFETIME"
	log "$1: $2 processes"
}

plant_shm() {
	local class=$1 i=0 g
	for g in $(groups "$2"); do
		cp "$SLEEP" "$SHMDIR/$class-$i"
		spawn "$class" "$g" "$SHMDIR/$class-$i" "$LIFETIME"
		rm -f "$SHMDIR/$class-$i"
		i=$((i + 1))
	done
	log "$class: $2 processes, $i copies"
}

plant_hardlink() {
	local class=$1 i=0 g
	for g in $(groups "$2"); do
		cp "$SLEEP" "$B/$class-$i"
		ln "$B/$class-$i" "$B/$class-$i.survivor"
		spawn "$class" "$g" "$B/$class-$i" "$LIFETIME"
		rm -f "$B/$class-$i"
		i=$((i + 1))
	done
	log "$class: $2 processes, $i copies"
}

plant_ldso() {
	local class=$1 i=0 g
	for g in $(groups "$2"); do
		cp "$SLEEP" "$B/$class-$i"
		spawn "$class" "$g" -C "$B" "$LDSO" "./$class-$i" "$LIFETIME"
		rm -f "$B/$class-$i"
		i=$((i + 1))
	done
	log "$class: $2 processes, $i copies"
}

# plant_lib_how CLASS COUNT HOW: library copies, HOW = intact, deleted,
# replaced or modified (the last is only recorded in MODIFY_LATER here and
# done by modify_libs once every lib_modified process is at least 2 s old)
MODIFY_LATER=() MODIFY_AFTER=0
plant_lib_how() {
	local class=$1 n=$2 how=$3 i=0 g exe lib
	for g in $(groups "$n"); do
		exe=$(intact_exe "$class" "$i")
		if [[ $how == intact ]] && ((SYSTEM_INTACT)); then
			lib=$LIB
		else
			lib=$DIR/lib/$class-$i.so.6
			cp "$LIB" "$lib"
		fi
		spawn_lib "$class" "$g" "$lib" "$exe"
		case $how in
		deleted) rm -f "$lib" ;;
		replaced)
			cp "$LIB" "$DIR/lib/.$class-$i.new"
			printf 'X' >>"$DIR/lib/.$class-$i.new"
			mv -f "$DIR/lib/.$class-$i.new" "$lib"
			;;
		modified) MODIFY_LATER+=("$lib") ;;
		esac
		i=$((i + 1))
	done
	[[ $how == modified ]] && MODIFY_AFTER=$((SECONDS + 3)) # SECONDS counts whole seconds: >= 2 s
	if [[ $lib == "$LIB" ]]; then
		log "$class: $n processes preloading $LIB itself"
	else
		log "$class: $n processes, $i library copies"
	fi
}

# the in-place change: append to the mapped file (the same inode; never
# overwrite mapped pages, which would change the running code)
modify_libs() {
	local lib
	((${#MODIFY_LATER[@]})) || return 0
	while ((SECONDS < MODIFY_AFTER)); do sleep 0.2; done
	for lib in "${MODIFY_LATER[@]}"; do
		printf 'X' >>"$lib"
	done
	log "lib_modified: ${#MODIFY_LATER[@]} library copies changed in place"
}

plant_intact_lib() { plant_lib_how "$1" "$2" intact; }
plant_lib_deleted() { plant_lib_how "$1" "$2" deleted; }
plant_lib_replaced() { plant_lib_how "$1" "$2" replaced; }
plant_lib_modified() { plant_lib_how "$1" "$2" modified; }
# the exe-mode names
plant_deleted() { plant_exe_deleted "$@"; }
plant_replaced() { plant_exe_replaced "$@"; }

t0=$SECONDS
if [[ $MODE == restart ]]; then
	# the in-place change comes last: plant its processes first, so that
	# the other classes fill the 2 s it waits for
	order=(lib_modified)
	for c in "${classes[@]}"; do [[ $c == lib_modified ]] || order+=("$c"); done
else
	order=("${classes[@]}")
fi
for c in "${order[@]}"; do
	"plant_$c" "$c" "${want[$c]}"
done
modify_libs

planted=$(wc -l <"$MANIFEST")
((planted == N)) || die "planted $planted processes, expected $N"
log "planted $planted processes in $((SECONDS - t0)) s under $DIR (teardown: $here/teardown.sh $DIR)"
done_ok=1
printf '%s\n' "$DIR"
