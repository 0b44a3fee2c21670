#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart's kernel and microcode status (issue #13 item 2), on fake
# layouts under $PROCEXE_TEST_ROOT read by the test build of the command
# (procexe-test): proc/sys/kernel/osrelease and proc/version (the running
# kernel), boot/vmlinuz-REL, lib/modules/REL/vmlinuz, usr/lib/modules/
# REL/vmlinuz (x86 boot images whose embedded version string carries the
# build), sys/devices/system/cpu/cpuN/microcode, proc/cpuinfo and
# lib/firmware/{intel,amd}-ucode.  Every state is driven: current,
# abi-upgrade, version-upgrade (dpkg order: 6.1.0-13 after 6.1.0-9),
# unknown (no image, unreadable build, running release not installed);
# microcode current, upgrade, unknown.  The summary's kernel/microcode
# objects, the stderr line, and the exit status: a pending kernel upgrade
# makes a whole-host run exit 1 (seen in a new PID namespace where only
# procexe runs, so that nothing else must restart), unknown does not, a
# named PID is not judged by the kernel.  The installed command ignores
# $PROCEXE_TEST_ROOT.
. "$(dirname "$0")/restart-lib.sh"

[ -x "${PROCEXE_TEST:-}" ] || skip_all "no test build of procexe (PROCEXE_TEST)"

plan 32

# kstate ROOT KEY: the summary's KEY of a run on ROOT (naming this
# shell's PID keeps the run small)
J=$T/k.json
kstate() {
	PROCEXE_TEST_ROOT=$1 "$PROCEXE_TEST" restart -J $$ >"$J" 2>"$J.err"
	rsj summary "$J" "$2"
}

B1='#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)'
B2='#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-2 (2023-10-11)'

R=$T/none
mkroot "$R" 6.18.44-fc-v1147 "$B1"
mkdir -p "$R/lib/modules/6.18.44-fc-v1147"     # modules without an image
is "$(kstate "$R" kernel.state)" '"unknown"' "no image installed: unknown, never current"
is "$(rsj summary "$J" kernel.newest)" null "no image installed: newest null"
is "$(rsj summary "$J" kernel.running)" '"6.18.44-fc-v1147"' "running release from osrelease"
check "no image: the reason says so" grep -q 'no kernel image is installed' "$J"
check "no image: one stderr line names the state and the reason" \
	grep -q '^procexe: kernel unknown (running 6.18.44-fc-v1147, newest installed none): no kernel image' "$J.err"
check "-J with kernel and microcode validates (schema v1)" rsj valid "$J"

R=$T/current
mkroot "$R" 6.1.0-13-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-9-amd64" 6.1.0-9-amd64 "$B1"
is "$(kstate "$R" kernel.state)" '"current"' "running = newest image, same build: current"
is "$(rsj summary "$J" kernel.newest)" '"6.1.0-13-amd64"' "current: newest 6.1.0-13 (dpkg order, not text: -9 sorts after -13)"

R=$T/abi
mkroot "$R" 6.1.0-13-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B2"
is "$(kstate "$R" kernel.state)" '"abi-upgrade"' "same release, the image is another build: abi-upgrade"

R=$T/version
mkroot "$R" 6.1.0-9-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-9-amd64" 6.1.0-9-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-13-amd64" 6.1.0-13-amd64 "$B2"
is "$(kstate "$R" kernel.state)" '"version-upgrade"' "a newer release installed: version-upgrade"
is "$(rsj summary "$J" kernel.newest)" '"6.1.0-13-amd64"' "version-upgrade: newest 6.1.0-13-amd64"

R=$T/usrmods
mkroot "$R" 6.5.6-300.fc39.x86_64 "$B1"
image "$R/usr/lib/modules/6.5.6-300.fc39.x86_64/vmlinuz" 6.5.6-300.fc39.x86_64 "$B1"
image "$R/usr/lib/modules/6.5.10-300.fc39.x86_64/vmlinuz" 6.5.10-300.fc39.x86_64 "$B1"
is "$(kstate "$R" kernel.state)" '"version-upgrade"' "images in /usr/lib/modules/REL/vmlinuz: version-upgrade"

R=$T/arch
mkroot "$R" 6.6.1-arch1-1 "$B1"
image "$R/boot/vmlinuz-linux" 6.6.1-arch1-1 "$B1"
image "$R/boot/vmlinuz-0-rescue-0123456789abcdef" 6.6.1-arch1-1 "$B1"
image "$R/usr/lib/modules/6.6.1-arch1-1/vmlinuz" 6.6.1-arch1-1 "$B1"
is "$(kstate "$R" kernel.state)/$(rsj summary "$J" kernel.newest)" '"current"/"6.6.1-arch1-1"' \
	"vmlinuz-linux and a rescue image are no releases: current from /usr/lib/modules"

R=$T/libmods
mkroot "$R" 6.1.0-13-amd64 "$B1"
image "$R/lib/modules/6.1.0-13-amd64/vmlinuz" 6.1.0-13-amd64 "$B1"
is "$(kstate "$R" kernel.state)" '"current"' "image in /lib/modules/REL/vmlinuz: current"

R=$T/garbage
mkroot "$R" 6.1.0-13-amd64 "$B1"
head -c 8192 /dev/zero >"$R/boot/vmlinuz-6.1.0-13-amd64"
is "$(kstate "$R" kernel.state)" '"unknown"' "the image's build cannot be read: unknown, not current"

R=$T/gone
mkroot "$R" 6.1.0-13-amd64 "$B1"
image "$R/boot/vmlinuz-6.1.0-9-amd64" 6.1.0-9-amd64 "$B1"
is "$(kstate "$R" kernel.state)" '"unknown"' "the running release has no image, only an older one: unknown"

R=$T/link
mkroot "$R" 6.1.0-13-amd64 "$B1"
image "$T/elsewhere" 6.1.0-13-amd64 "$B1"
ln -s "$T/elsewhere" "$R/boot/vmlinuz-6.1.0-13-amd64"
is "$(kstate "$R" kernel.state)" '"unknown"' "an image that is a symlink is not followed: unknown"

# --- microcode
R=$T/intel
mkroot "$R" 6.1.0-13-amd64 "$B1"
mkdir -p "$R/sys/devices/system/cpu/cpu0/microcode" "$R/sys/devices/system/cpu/cpu1/microcode" \
	"$R/lib/firmware/intel-ucode"
echo 0xf4 >"$R/sys/devices/system/cpu/cpu0/microcode/version"
echo 0xf0 >"$R/sys/devices/system/cpu/cpu1/microcode/version"
echo 0x80 >"$R/sys/devices/system/cpu/cpu1/microcode/processor_flags"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 142\nstepping\t: 10\n\n' \
	>"$R/proc/cpuinfo"
# intel_ucode FILE REV PF...: one 1 KiB update per REV for signature 0x806ea
intel_ucode() {
	"$PYTHON" - "$@" <<'PY'
import struct, sys
out = b''
for rev, pf in zip(sys.argv[2::2], sys.argv[3::2]):
    hdr = struct.pack('<IIIIIIIII12x', 1, int(rev, 16), 0x20230101, 0x806ea, 0, 1,
                      int(pf, 16), 1024 - 48, 1024)
    out += hdr + bytes(1024 - 48)
open(sys.argv[1], 'wb').write(out)
PY
}
intel_ucode "$R/lib/firmware/intel-ucode/06-8e-0a" 0xf2 0x80 0xf6 0x01
is "$(kstate "$R" microcode.state)" '"upgrade"' "Intel: the lowest CPU revision 0xf0 < 0xf2 for its platform: upgrade"
is "$(rsj summary "$J" microcode.running)/$(rsj summary "$J" microcode.newest)" '"0xf0"/"0xf2"' \
	"Intel: running 0xf0 (lowest CPU), newest 0xf2 (0xf6 is for another platform)"
echo 0xf2 >"$R/sys/devices/system/cpu/cpu1/microcode/version"
is "$(kstate "$R" microcode.state)" '"current"' "Intel: revision 0xf2 is the newest: current"
rm "$R/lib/firmware/intel-ucode/06-8e-0a"
is "$(kstate "$R" microcode.state)" '"unknown"' "Intel: no microcode file: unknown"
check "no microcode file: the reason names it" grep -q 'no microcode file /lib/firmware/intel-ucode/06-8e-0a' "$J"

R=$T/amd
mkroot "$R" 6.1.0-13-amd64 "$B1"
mkdir -p "$R/sys/devices/system/cpu/cpu0/microcode" "$R/lib/firmware/amd-ucode"
echo 0xa001143 >"$R/sys/devices/system/cpu/cpu0/microcode/version"
printf 'vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nstepping\t: 1\n' >"$R/proc/cpuinfo"
"$PYTHON" - "$R/lib/firmware/amd-ucode/microcode_amd_fam19h.bin" <<'PY'
import struct, sys
eq = struct.pack('<IIIHH', 0xa00f11, 0, 0, 0xa011, 0) + bytes(16)
out = struct.pack('<III', 0x00414d44, 0, len(eq)) + eq
patch = bytearray(64)
struct.pack_into('<I', patch, 4, 0xa001173)
struct.pack_into('<H', patch, 24, 0xa011)
out += struct.pack('<II', 1, len(patch)) + bytes(patch)
open(sys.argv[1], 'wb').write(out)
PY
is "$(kstate "$R" microcode.state)" '"upgrade"' "AMD: 0xa001173 in the family 19h container: upgrade"

R=$T/vm
mkroot "$R" 6.1.0-13-amd64 "$B1"
is "$(kstate "$R" microcode.state)" '"unknown"' "no sysfs microcode revision (a VM): unknown"

# --- the installed command ignores the variable; this machine kind has no image
PROCEXE_TEST_ROOT=$T/current "$PROCEXE" restart -J $$ >"$J" 2>/dev/null
if compgen -G '/boot/vmlinu[xz]-*' >/dev/null || compgen -G '/lib/modules/*/vmlinuz' >/dev/null ||
   compgen -G '/usr/lib/modules/*/vmlinuz' >/dev/null; then
	skip "this host (no image installed): unknown" "this host has kernel images"
	isnt "$(rsj summary "$J" kernel.running)" '"6.1.0-13-amd64"' "the installed command ignores PROCEXE_TEST_ROOT"
else
	is "$(rsj summary "$J" kernel.state)" '"unknown"' "this host (no image installed): unknown"
	is "$(rsj summary "$J" kernel.newest)" null "the installed command ignores PROCEXE_TEST_ROOT"
fi

# --- the exit status: a whole-host run in a PID namespace where only
# procexe runs (nothing else can need a restart)
if [ "$(id -u)" = 0 ] && unshare -pf --mount-proc true 2>/dev/null; then
	alone() {
		PROCEXE_TEST_ROOT=$1 unshare -pf --mount-proc "$PROCEXE_TEST" restart -q "${@:2}" >/dev/null 2>&1
	}
	alone "$T/current"
	is "$?" 0 "whole host, kernel current, nothing to restart: exit 0"
	alone "$T/version"
	is "$?" 1 "whole host, version upgrade pending: exit 1 (the host must restart)"
	alone "$T/abi"
	is "$?" 1 "whole host, ABI upgrade pending: exit 1"
	alone "$T/none"
	is "$?" 0 "whole host, kernel unknown: exit 0 (unknown is not found)"
	PROCEXE_TEST_ROOT=$T/version unshare -pf --mount-proc "$PROCEXE_TEST" restart -J >"$J" 2>/dev/null
	is "$(rsj summary "$J" exit_status)" 1 "version upgrade: the summary's exit_status is 1"
else
	skip_n 5 "exit status in a PID namespace" "no PID namespace (needs root)"
fi
spawn "$T/out.sleep" sleep 1000
PROCEXE_TEST_ROOT=$T/version "$PROCEXE_TEST" restart -q "$SPAWNED" >/dev/null 2>&1
rc=$?
is "$rc" 0 "a named PID is not judged by the kernel: a pending upgrade does not make it 1"
