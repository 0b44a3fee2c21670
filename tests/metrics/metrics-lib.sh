# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the `procexe metrics` tests: tests/restart/restart-lib.sh
# (TAP, fixtures, cleanup, $T, lib_copy, start_dl), queries on the
# exposition text (promparse.py), processes planted in a cgroup of their
# own so that a series can be asserted exactly on a busy host.
#
# Environment (set by meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PYTHON.

PE_METRICS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../restart/restart-lib.sh
. "$PE_METRICS_DIR/../restart/restart-lib.sh"

PROMPARSE=$PE_METRICS_DIR/promparse.py
SPIN=$PE_HELPERS/pe-spin
[ -x "$SPIN" ] || skip_all "no $SPIN"

prom() {
	"$PYTHON" "$PROMPARSE" "$@"
}

# metrics OUT ARGS...: procexe metrics ARGS > OUT (stderr OUT.err); RS_RC
metrics() {
	local out=$1
	shift
	"$PROCEXE" metrics "$@" >"$out" 2>"$out.err"
	RS_RC=$?
}

# value_is DESC OUT WANT NAME [K=V...]: the sample's value in OUT is WANT
value_is() {
	local desc=$1 out=$2 want=$3 got
	shift 3
	got=$(prom get "$out" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc" "$* = $got, want $want"
	fi
}

# value_ge DESC OUT MIN NAME [K=V...]: the sample's value is at least MIN
value_ge() {
	local desc=$1 out=$2 min=$3 got
	shift 3
	got=$(prom get "$out" "$@" 2>&1)
	if [[ "$got" =~ ^[0-9]+$ ]] && [ "$got" -ge "$min" ]; then
		ok "$desc"
	else
		nok "$desc" "$* = $got, want >= $min"
	fi
}

# --------------------------------------------------------- cgroups ---
# The test's own cgroup directory on the cgroup2 hierarchy (or the v1
# name=systemd one when the v2 path is "/" there), where planted
# processes are moved so that their group is known.  CG_ROOT is empty
# when no hierarchy is writable (not root, or a read-only cgroupfs).

CG_ROOT= CG_HOME=
_cg_made=()
_cg_moved=()

_cg_find() {
	local v2= v1= self_v2= self_v1= line
	local -a f
	while read -r -a f; do
		for ((i = 6; i < ${#f[@]}; i++)); do
			[ "${f[i]}" = - ] || continue
			case ${f[i + 1]} in
			cgroup2) [ -z "$v2" ] && [ "${f[3]}" = / ] && v2=${f[4]} ;;
			cgroup) case ,${f[i + 3]}, in
				*,name=systemd,*) [ -z "$v1" ] && [ "${f[3]}" = / ] && v1=${f[4]} ;;
				esac ;;
			esac
			break
		done
	done </proc/self/mountinfo
	while IFS= read -r line; do
		case $line in
		0::*) self_v2=${line#0::} ;;
		*:name=systemd:*) self_v1=${line#*:name=systemd:} ;;
		esac
	done </proc/self/cgroup
	if [ -n "$v2" ] && [ -w "$v2/cgroup.procs" ] && mkdir "$v2/pe-m-probe-$$" 2>/dev/null; then
		rmdir "$v2/pe-m-probe-$$"
		CG_ROOT=$v2 CG_HOME=$v2${self_v2%/}
	elif { [ -z "$self_v2" ] || [ "$self_v2" = / ]; } && [ -n "$v1" ] &&
	     [ -w "$v1/cgroup.procs" ] && mkdir "$v1/pe-m-probe-$$" 2>/dev/null; then
		rmdir "$v1/pe-m-probe-$$"
		CG_ROOT=$v1 CG_HOME=$v1${self_v1%/}
	fi
}
[ "$(id -u)" = 0 ] && _cg_find

# cg_move PID NAME: move PID (a child of this shell) into CG_ROOT/NAME
cg_move() {
	local d=$CG_ROOT/$2
	if [ ! -d "$d" ]; then
		mkdir "$d" || return 1
		_cg_made+=("$d")
	fi
	_cg_moved+=("$1")
	echo "$1" >"$d/cgroup.procs"
}

# put the moved processes back, remove the directories made
cg_cleanup() {
	local pid i
	for pid in "${_cg_moved[@]}"; do
		[ "$(ppid_of "$pid")" = $$ ] && echo "$pid" >"$CG_HOME/cgroup.procs" 2>/dev/null
	done
	for ((i = ${#_cg_made[@]} - 1; i >= 0; i--)); do
		[ -d "${_cg_made[i]}" ] && rmdir "${_cg_made[i]}" 2>/dev/null
	done
	return 0
}
trap 'cg_cleanup; _pe_cleanup; cg_cleanup' EXIT

# plant_deleted DIR NAME: a copy of pe-spin run as DIR/NAME, then removed
# (FIXTURE_PID); and plant_deleted_lib DIR NAME: pe-dlopen mapping
# DIR/NAME (a copy of pe-lib.so), then removed
plant_deleted() {
	cp "$SPIN" "$1/$2" || return 1
	start_fixture "exe" "$T/out.exe.$RANDOM" "$1/$2" marker || return 1
	rm -f -- "$1/$2"
}
plant_deleted_lib() {
	lib_copy "$1/$2" || return 1
	start_dl "lib$RANDOM" "$T/out.lib.$RANDOM" "$1/$2" || return 1
	rm -f -- "$1/$2"
}
