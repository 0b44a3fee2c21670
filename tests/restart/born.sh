#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One MODIFIED rule for executables and libraries: a program and a library
# copied in after the process forked and then executed and loaded, as a
# container entrypoint does (a private mount namespace, a tmpfs, cp, exec:
# birth, write and exec within a clock tick or two), are not modified, by
# restart nor by the scan; a later write in place (printf >> file) to the
# library and to a loader-launched program (not write-protected) is.  The
# tmpfs is mounted noatime so that the exec's read cannot hide the case.
. "$(dirname "$0")/restart-lib.sh"

command -v unshare >/dev/null || skip_all "unshare(1) not found"
command -v nsenter >/dev/null || skip_all "nsenter(1) not found"
unshare -m true 2>/dev/null || skip_all "unshare -m not permitted here"
LDSO=$(pejson interp "$DLOPEN") || skip_all "pe-dlopen has no PT_INTERP (static build)"
[ -x "$LDSO" ] || skip_all "loader $LDSO not executable"

plan 13

# entry DIR MODE: in a new mount namespace, a tmpfs on DIR, pe-dlopen and
# pe-lib.so copied in, then the copy executed in place of the shell (same
# PID, forked before the copies): directly (MODE direct) or through the
# loader (MODE loader).
entry() {
	exec unshare -m --propagation private sh -c '
		mount -t tmpfs -o noatime pe-born "$1" || exit 1
		cp "$2" "$1/prog" && cp "$3" "$1/lib.so" || exit 1
		if [ "$5" = loader ]; then
			exec "$4" "$1/prog" "$1/lib.so" -- pe-rt-born
		fi
		exec "$1/prog" "$1/lib.so" -- pe-rt-born' sh "$1" "$DLOPEN" "$PELIB" "$LDSO" "$2"
}

mkdir "$T/direct" "$T/loader"
declare -A P
started=1
t0=$(date +%s.%N)
for m in direct loader; do
	if start_fixture "$m" "$T/out.$m" entry "$T/$m" "$m"; then P[$m]=$FIXTURE_PID; else started=0; fi
done
fixtures_started "entrypoint-style processes started"

# --- born after the fork, written only then: not modified
J=$T/born.json
restartj "$J" "${P[direct]}" "${P[loader]}"
status_is "$J" 0 "program and library copied in after the fork: nothing to restart"
rows_is "direct exec: no row (exe and library born after the start)" "$J" 0 pid="${P[direct]}"
rows_is "loader launch: no row" "$J" 0 pid="${P[loader]}"
L=$T/born-ls.json
lsj "$L" "${P[direct]}" "${P[loader]}"
is "$(jget "$L" "${P[direct]}" modified)" false "scan: the copied-in program is not MODIFIED"
is "$(jget "$L" "${P[loader]}" modified)" false "scan: the copied-in loader-launched program is not MODIFIED"

# --- a write in place a while after the birth: modified
settle_since "$t0" "$PE_SETTLE"
for m in direct loader; do
	nsenter -t "${P[$m]}" -m -- sh -c 'printf X >>"$1"' sh "$T/$m/lib.so"
done
nsenter -t "${P[loader]}" -m -- sh -c 'printf X >>"$1"' sh "$T/loader/prog"
J=$T/written.json
restartj "$J" "${P[direct]}" "${P[loader]}"
status_is "$J" 1 "written in place after the exec: must restart"
finding "direct exec: the library written in place is modified" "$J" \
	pid="${P[direct]}" reason=modified type=lib path="$T/direct/lib.so"
finding "loader launch: the library written in place is modified" "$J" \
	pid="${P[loader]}" reason=modified type=lib path="$T/loader/lib.so"
finding "loader launch: the program written in place is modified" "$J" \
	pid="${P[loader]}" reason=modified type=exe path="$T/loader/prog"
rows_is "direct exec: its untouched program is still not modified" "$J" 0 \
	pid="${P[direct]}" type=exe
L=$T/written-ls.json
lsj "$L" "${P[direct]}" "${P[loader]}"
is "$(jget "$L" "${P[loader]}" modified)" true "scan: the loader-launched program written in place is MODIFIED"
is "$(jget "$L" "${P[direct]}" modified)" false "scan: the untouched program is not MODIFIED"
