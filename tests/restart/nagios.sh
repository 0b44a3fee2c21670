#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart --nagios (issue #13 item 4): exactly one line on stdout,
# "PROCEXE RESTART STATUS - text | processes=N;;; services=N;;;
# containers=N;;; kernel=0|1;;;", nothing on stderr, and the Monitoring
# Plugins exit statuses: 0 OK (an intact process, kernel current), 1
# WARNING (a process must restart; a newer microcode), 2 CRITICAL (a
# kernel upgrade pending, whole-host run in a PID namespace of its own),
# 3 UNKNOWN (a named PID missing, a mapping list incomplete); WARNING wins
# over UNKNOWN.  A SysV service counts in services.  A kernel release with
# '|' cannot break the perfdata.  Fake layouts through the test build.
. "$(dirname "$0")/restart-lib.sh"

[ -x "${PROCEXE_TEST:-}" ] || skip_all "no test build of procexe (PROCEXE_TEST)"
MANY=$PE_HELPERS/pe-many-maps

plan 28

B1='#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)'
B2='#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-2 (2023-10-11)'
CUR=$T/cur
mkroot "$CUR" 6.1.0-13-amd64 "$B1"
image "$CUR/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B1"
VER=$T/ver
mkroot "$VER" 6.1.0-9-amd64 "$B1"
image "$VER/boot/vmlinuz-6.1.0-9-amd64" 6.1.0-9-amd64 "$B1"
image "$VER/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B2"

lib_copy "$T/libok.so"
lib_copy "$T/libdel.so"
settle "$T"/lib*.so
started=1
start_dl ok "$T/out.ok" "$T/libok.so" && POK=$FIXTURE_PID || started=0
start_dl del "$T/out.del" "$T/libdel.so" && PDEL=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/libdel.so"
MISSING=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))

LINE_RE='^PROCEXE RESTART (OK|WARNING|CRITICAL|UNKNOWN) - [^|]* \| processes=[0-9]+;;; services=[0-9]+;;; containers=[0-9]+;;; kernel=[01];;;$'

# nag ROOT ARGS...: procexe-test restart --nagios ARGS on ROOT; OUT, RC
N=$T/n
nag() {
	local root=$1
	shift
	PROCEXE_TEST_ROOT=$root "$PROCEXE_TEST" restart --nagios "$@" >"$N" 2>"$N.err"
	RC=$?
}

# shape DESC: one line of the plugin form, nothing on stderr
shape() {
	if [ "$(wc -l <"$N")" = 1 ] && grep -Eq "$LINE_RE" "$N" && [ ! -s "$N.err" ]; then
		ok "$1"
	else
		nok "$1" "stdout: $(cat "$N") stderr: $(cat "$N.err")"
	fi
}

nag "$CUR" "$POK"
is "$RC" 0 "intact process, kernel current: exit 0"
check "OK: the status word" grep -q '^PROCEXE RESTART OK - ' "$N"
shape "OK: one plugin line, nothing on stderr"
check "OK: perfdata processes=0, kernel=0" grep -q '| processes=0;;; services=0;;; containers=0;;; kernel=0;;;$' "$N"

nag "$CUR" "$POK" "$PDEL"
is "$RC" 1 "a process must restart: exit 1"
check "WARNING: the status word" grep -q '^PROCEXE RESTART WARNING - 1 processes must restart' "$N"
shape "WARNING: one plugin line"
check "WARNING: processes=1" grep -q '| processes=1;;; ' "$N"

nag "$CUR" "$POK" "$MISSING"
is "$RC" 3 "a named PID missing, nothing to restart: exit 3"
check "UNKNOWN: the status word and why" grep -q '^PROCEXE RESTART UNKNOWN - .*could not be read' "$N"
shape "UNKNOWN: one plugin line"

nag "$CUR" "$PDEL" "$MISSING"
is "$RC" 1 "a process to restart and a missing PID: WARNING wins over UNKNOWN"

if [ -x "$MANY" ]; then
	mkdir "$T/del"
	if start_fixture many "$T/out.many" "$MANY" deleted "$T/del" 400 20; then
		nag "$CUR" "$FIXTURE_PID" "$POK"
		# the process's own deleted files may or may not make rows: the
		# list is cut, so restart or unknown, never OK
		isnt "$RC" 0 "a mapping list incomplete: not OK"
		nag "$CUR" "$FIXTURE_PID"
		check "a mapping list incomplete: reported" grep -q 'could not be read\|must restart' "$N"
	else
		skip_n 2 "mapping list incomplete" "pe-many-maps did not start"
	fi
else
	skip_n 2 "mapping list incomplete" "no $MANY"
fi

# microcode upgrade: WARNING with nothing else
UC=$T/uc
mkroot "$UC" 6.1.0-13-amd64 "$B1"
image "$UC/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B1"
mkdir -p "$UC/sys/devices/system/cpu/cpu0/microcode" "$UC/lib/firmware/intel-ucode"
echo 0xf0 >"$UC/sys/devices/system/cpu/cpu0/microcode/version"
printf 'vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 142\nstepping\t: 10\n' >"$UC/proc/cpuinfo"
"$PYTHON" -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IIIIIIIII12x",1,0xf4,0,0x806ea,0,1,0,976,1024)+bytes(976))' \
	"$UC/lib/firmware/intel-ucode/06-8e-0a"
nag "$UC" "$POK"
is "$RC" 1 "a newer microcode, nothing else: WARNING (exit 1)"
check "microcode: named in the text" grep -q 'microcode upgrade available (0xf4)' "$N"

# a SysV service counts in services
mkdir -p "$CUR/etc/init.d" "$CUR/run"
printf '#!/bin/sh\nPIDFILE=/run/pe-nag.pid\n' >"$CUR/etc/init.d/pe-nag"
echo "$PDEL" >"$CUR/run/pe-nag.pid"
nag "$CUR" "$PDEL"
check "a SysV service: services=1" grep -q '| processes=1;;; services=1;;; containers=0;;; ' "$N"
rm "$CUR/run/pe-nag.pid"

# CRITICAL: a whole-host run where only procexe runs (a PID namespace)
if [ "$(id -u)" = 0 ] && unshare -pf --mount-proc true 2>/dev/null; then
	PROCEXE_TEST_ROOT=$VER unshare -pf --mount-proc "$PROCEXE_TEST" restart --nagios >"$N" 2>"$N.err"
	RC=$?
	is "$RC" 2 "a kernel upgrade pending, whole host: exit 2"
	check "CRITICAL: the status word and the kernel" \
		grep -q '^PROCEXE RESTART CRITICAL - 0 processes must restart .*kernel version-upgrade pending (6.1.0-13-amd64 installed)' "$N"
	shape "CRITICAL: one plugin line"
	check "CRITICAL: kernel=1" grep -q 'kernel=1;;;$' "$N"
	PROCEXE_TEST_ROOT=$CUR unshare -pf --mount-proc "$PROCEXE_TEST" restart --nagios >"$N" 2>"$N.err"
	is "$?" 0 "the same run with the kernel current: OK"
	# a release with '|' and '=' in its name cannot add perfdata
	HOST=$T/hostile
	mkroot "$HOST" 6.1.0-9-amd64 "$B1"
	image "$HOST/boot/vmlinuz-9.9|x=1;;" "9.9|x=1;;" "$B1"
	PROCEXE_TEST_ROOT=$HOST unshare -pf --mount-proc "$PROCEXE_TEST" restart --nagios >"$N" 2>"$N.err"
	is "$(tr -cd '|' <"$N" | wc -c)" 1 "a hostile release name: one '|' on the line"
	shape "a hostile release name: still the plugin form"
else
	skip_n 7 "CRITICAL in a PID namespace" "no PID namespace (needs root)"
fi

# the named-PID run is not judged by the kernel
nag "$VER" "$POK"
is "$RC" 0 "a pending kernel with a named intact PID: OK (the kernel judges whole-host runs)"
check "named PID: kernel=1 still in the perfdata" grep -q 'kernel=1;;;$' "$N"

"$PROCEXE_TEST" restart --nagios -J >"$N" 2>"$N.err"
is "$?" 2 "--nagios with -J: usage error, exit 2"
