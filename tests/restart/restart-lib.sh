# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the `procexe restart` tests: tests/integration/lib.sh (TAP,
# fixtures, cleanup, scratch directory $T) plus queries on the restart
# output, whose rows are (process, file) findings rather than processes.
#
# Environment (set by meson): PROCEXE, PE_HELPERS, PE_SRCDIR (the directory
# of tests/integration/lib.sh and pejson.py), PYTHON.

PE_RESTART_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PE_SRCDIR=${PE_SRCDIR:-$PE_RESTART_DIR/../integration}
export PE_SRCDIR
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

RSJSON=$PE_RESTART_DIR/rsjson.py
PELIB=$PE_HELPERS/pe-lib.so
DLOPEN=$PE_HELPERS/pe-dlopen
[ -r "$PELIB" ] || skip_all "no $PELIB"
[ -x "$DLOPEN" ] || skip_all "no $DLOPEN"

rsj() {
	"$PYTHON" "$RSJSON" "$@"
}

# Every column of the spec: the JSON queries filter on any of them.
RCOLS=GROUP,GTYPE,PID,PPID,USER,UID,COMM,CATEGORY,REASON,TYPE,PATH,DEV,INODE,CGROUP

# restartj OUT ARGS...: procexe restart -J -o $RCOLS ARGS > OUT (stderr
# OUT.err); RS_RC = exit status.  restartjo: the same without -o.
restartj() {
	local out=$1
	shift
	# shellcheck disable=SC2086 # PE_RESTART_OPTS: words on purpose
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} -J -o "$RCOLS" "$@" >"$out" 2>"$out.err"
	RS_RC=$?
}
restartjo() {
	local out=$1
	shift
	# shellcheck disable=SC2086
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} -J "$@" >"$out" 2>"$out.err"
	RS_RC=$?
}

# restartx OUT ARGS...: procexe restart ARGS (table, raw, --units...)
restartx() {
	local out=$1
	shift
	# shellcheck disable=SC2086
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} "$@" >"$out" 2>"$out.err"
	RS_RC=$?
}

# status_is OUT WANT DESC: RS_RC of the run that wrote OUT is WANT
status_is() {
	if [ "$RS_RC" = "$2" ]; then
		ok "$3"
	else
		nok "$3" "exit $RS_RC, want $2; stderr: $(head -c 600 "$1.err" 2>/dev/null)"
	fi
}

# lib_copy DEST: a copy of pe-lib.so at DEST, readable by everyone
lib_copy() {
	cp "$PELIB" "$1" && chmod 644 "$1"
}

# start_dl NAME OUT LIB...: pe-dlopen loading LIB...; FIXTURE_PID
start_dl() {
	local name=$1 out=$2
	shift 2
	start_fixture "$name" "$out" "$DLOPEN" "$@" -- "pe-rt-$name"
}

# start_preload NAME OUT LIB [CMD...]: CMD (default pe-spin) with LIB in
# LD_PRELOAD (no space or colon in LIB); FIXTURE_PID
start_preload() {
	local name=$1 out=$2 lib=$3
	shift 3
	[ $# -gt 0 ] || set -- "$PE_HELPERS/pe-spin" "pe-rt-$name"
	start_fixture "$name" "$out" env LD_PRELOAD="$lib" "$@"
}

# _rows_diag OUT FILTER...: the rows of the PID named in FILTERs (or all)
_rows_diag() {
	local out=$1 f pidf=
	shift
	for f in "$@"; do
		case $f in pid=*) pidf=$f ;; esac
	done
	if ! rsj valid "$out" 2>&1; then
		return
	fi
	echo "rows${pidf:+ of $pidf}:"
	rsj show "$out" $pidf | head -n 20
	[ -s "$out.err" ] && echo "stderr: $(head -c 400 "$out.err")"
}

# rows_is DESC OUT N FILTER...: exactly N rows of OUT match the FILTERs
rows_is() {
	local desc=$1 out=$2 want=$3 got
	shift 3
	got=$(rsj count "$out" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc" "$want row(s) wanted with $(printf '%q ' "$@"), got $got
$(_rows_diag "$out" "$@")"
	fi
}

# finding DESC OUT FILTER... / no_finding DESC OUT FILTER...
finding() {
	local desc=$1 out=$2
	shift 2
	rows_is "$desc" "$out" 1 "$@"
}
no_finding() {
	local desc=$1 out=$2
	shift 2
	rows_is "$desc" "$out" 0 "$@"
}

# rget OUT KEY FILTER...: json.dumps of KEY in the one matching row
rget() {
	rsj get "$@" 2>&1
}

# procexe restart ends every run with one summary line on stderr, e.g.
# "procexe: 12 processes, 1 must restart, 0 run fileless code, 0 denied"
# Notes (--ignore, --ignore-fileless) and the warning about processes it
# could not inspect are further lines.
RS_SUMMARY_RE='^procexe: [0-9]+ processes?, [0-9]+ must restart, [0-9]+ run fileless code, [0-9]+ denied$'

# Other processes of the host may exit while a whole-host run reads them:
# that note depends on the machine, not on what a test planted.
RS_EXITED_RE='^procexe: [0-9]+ processes exited during the scan$'
# the last line of every run: the kernel's and the microcode's state
RS_HOST_RE='^procexe: kernel (current|abi-upgrade|version-upgrade|unknown) \(running .*; microcode (current|upgrade|unknown): '

# stderr_notes FILE: the lines of FILE (stderr of a run) but the summary
# and the note of processes that exited meanwhile
stderr_notes() {
	grep -Ev "$RS_SUMMARY_RE|$RS_EXITED_RE|$RS_HOST_RE" "$1"
}

# stderr_clean DESC FILE: FILE (stderr of a run) holds nothing but (at
# most) the summary line
stderr_clean() {
	local extra
	extra=$(stderr_notes "$2")
	if [ -z "$extra" ] && [ "$(grep -Ec "$RS_SUMMARY_RE" "$2")" -le 1 ]; then
		ok "$1"
	else
		nok "$1" "stderr: $(head -c 600 "$2")"
	fi
}

# denied_count FILE: the denied count of the summary line in FILE
denied_count() {
	grep -E "$RS_SUMMARY_RE" "$1" | sed -E 's/.* ([0-9]+) denied$/\1/'
}

# dev_of FILE: maj:min of the file system holding FILE (decimal)
dev_of() {
	stat -c '%Hd:%Ld' -- "$1"
}

# cgroup_of PID: the cgroup path the spec groups by: the v2 path unless it
# is "/", else the v1 name=systemd path ("" when there is neither)
cgroup_of() {
	local line v2= v1=
	while IFS= read -r line; do
		case $line in
		0::*) v2=${line#0::} ;;
		*:name=systemd:*) v1=${line#*:name=systemd:} ;;
		esac
	done <"/proc/$1/cgroup"
	if [ -n "$v2" ] && [ "$v2" != / ]; then
		echo "$v2"
	else
		echo "${v1:-$v2}"
	fi
}

# Fake kernel layouts for the test build (procexe-test, $PROCEXE_TEST_ROOT).
# mkroot DIR REL BUILD: a running kernel REL whose /proc/version has BUILD
mkroot() {
	mkdir -p "$1/proc/sys/kernel" "$1/boot"
	echo "$2" >"$1/proc/sys/kernel/osrelease"
	echo "Linux version $2 (builder@host) (gcc (Debian 12.2.0-14) 12.2.0) $3" >"$1/proc/version"
}

# image FILE REL BUILD: an x86 boot image head ("HdrS", protocol 2.15)
# whose version string is "REL (builder@host) BUILD"
image() {
	mkdir -p "$(dirname "$1")"
	"$PYTHON" - "$1" "$2 (builder@host) $3" <<'PY'
import struct, sys
buf = bytearray(0x4000)
buf[0x202:0x206] = b'HdrS'
struct.pack_into('<H', buf, 0x206, 0x020f)
struct.pack_into('<H', buf, 0x20e, 0x1000)
s = sys.argv[2].encode() + b'\0'
buf[0x1200:0x1200 + len(s)] = s
open(sys.argv[1], 'wb').write(bytes(buf))
PY
}
