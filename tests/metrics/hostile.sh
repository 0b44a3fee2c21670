#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile names in procexe metrics: a process whose executable and mapped
# library have names with a double quote, a backslash, a newline, ESC and
# a 0xff byte (both deleted), in a systemd unit's cgroup named with the
# same bytes (but the newline, which the kernel refuses in cgroup names).
# The text stays valid for promtool and for a strict reader (UTF-8, no
# control byte); the unit's label reads back as the text procexe restart
# prints for it (\\ and \xHH), and no raw ESC or 0xff reaches the output.
. "$(dirname "$0")/metrics-lib.sh"

PROMTOOL=$(command -v promtool) || skip_all "no promtool (Debian package prometheus)"
need_root "a cgroup named by the test"
[ -n "$CG_ROOT" ] || skip_all "no writable cgroup hierarchy"

plan 10

BAD=$'"q\\b\n\e[31m\xff'
D=$T/d
mkdir "$D"
cp "$DLOPEN" "$D/pe-m$BAD" && lib_copy "$D/lib$BAD.so"
started=1
start_fixture hostile "$T/out.hostile" "$D/pe-m$BAD" "$D/lib$BAD.so" -- "pe-m$BAD" || started=0
P=$FIXTURE_PID
rm -f -- "$D/pe-m$BAD" "$D/lib$BAD.so"
fixtures_started "a process with hostile names running"

ID=$$-$RANDOM
UNIT="pe-m${BAD//$'\n'/}-$ID.service"
if cg_move "$P" "$UNIT"; then
	ok "moved into the unit ${UNIT@Q}"
else
	nok "moved into the unit ${UNIT@Q}"
fi

metrics "$T/m.prom" -q
status_is "$T/m.prom" 1 "something must restart: exit status 1"
out=$("$PROMTOOL" check metrics <"$T/m.prom" 2>&1)
is "$?:$out" "0:" "promtool check metrics accepts the output"
check "valid UTF-8, no control byte, every escape one of \\\\ \\\" \\n" prom check "$T/m.prom"
is "$(LC_ALL=C grep -c $'[\e\xff]' "$T/m.prom")" 0 "no raw ESC or 0xff byte in the output"

# the label as procexe restart's raw table prints the group
want=$("$PROCEXE" restart -r -n -o GROUP "$P" 2>/dev/null | head -n 1)
is "$want" "pe-m\"q\\\\b\\x1b[31m\\xff-$ID.service" "procexe restart prints the unit escaped"
value_is "the unit's series: label = restart's text, value 1" "$T/m.prom" 1 \
	procexe_restart_group_processes group_type=unit group="$want"
# on the wire: the exposition format's escapes over that text
line="procexe_restart_group_processes{group_type=\"unit\",group=\"pe-m\\\"q\\\\\\\\b\\\\x1b[31m\\\\xff-$ID.service\"} 1"
check "the exposition line escapes \\ and \" of that text" grep -qxF -- "$line" "$T/m.prom"
value_ge "the deleted library with a hostile path is counted" "$T/m.prom" 1 \
	procexe_restart_processes reason=deleted type=lib
