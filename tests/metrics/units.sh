#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe-metrics.service and .timer as systemd reads them (the pattern of
# tests/package/units.sh): systemd-analyze verify with the built procexe
# in ExecStart=, the offline security review under the restart check's
# threshold, the settings the metrics rely on (statuses 1 and 3 are
# successes, the textfile directory writable in a read-only system, the
# unit skipped where node_exporter's directory does not exist), and the
# service's command run for real on a scratch directory.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PE_SOURCE_ROOT,
# PE_UNIT_DIR (the configured units in the build directory), PE_BINDIR.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

command -v systemd-analyze >/dev/null || skip_all "no systemd-analyze"
threshold=2.0
svc=procexe-metrics.service
tmr=procexe-metrics.timer
TFDIR=/var/lib/prometheus/node-exporter

plan 9

man_opt=()
command -v man >/dev/null || { man_opt=(--man=no); diag "no man(1): verify --man=no"; }
u="$T/units"
mkdir -p "$u" "$T/man/man1"
cp "$PE_SOURCE_ROOT/man/procexe.1" "$T/man/man1/"
exec_line=$(grep '^ExecStart=' "$PE_UNIT_DIR/$svc")
is "$exec_line" "ExecStart=$PE_BINDIR/procexe metrics -q --textfile $TFDIR" \
	"the configured service runs the installed procexe metrics on node_exporter's directory"
sed "s|^ExecStart=$PE_BINDIR/procexe |ExecStart=$PROCEXE |" "$PE_UNIT_DIR/$svc" >"$u/$svc"
cp "$PE_SOURCE_ROOT/systemd/$tmr" "$u/"

out=$(MANPATH="$T/man" systemd-analyze verify "${man_opt[@]}" "$u/$svc" "$u/$tmr" 2>&1)
is "$?:$out" "0:" "systemd-analyze verify accepts the service and the timer"

if systemd-analyze security --help 2>&1 | grep -q -- '--offline'; then
	sec=$(systemd-analyze security --offline=true "$u/$svc" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec")
	diag "systemd-analyze security --offline=true: exposure $score (threshold $threshold)"
	if [ -n "$score" ] && awk -v s="$score" -v t="$threshold" 'BEGIN { exit !(s <= t) }'; then
		ok "security exposure $score <= $threshold"
	else
		nok "security exposure ${score:-?} <= $threshold" "$(grep '✗' <<<"$sec")"
	fi
else
	skip "security exposure" "systemd-analyze security has no --offline (systemd < 250)"
fi

key() { sed -n "s/^$1=//p" "$u/$svc"; }
is "$(key SuccessExitStatus)" "1 3" "exit statuses 1 (found) and 3 (incomplete) are successes"
is "$(key ProtectSystem)|$(key ReadWritePaths)|$(key ConditionPathIsDirectory)" \
	"strict|$TFDIR|$TFDIR" "read-only system but the textfile directory; skipped without it"
is "$(key CapabilityBoundingSet)" "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" \
	"the bounding set holds CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only"
is "$(sed -n 's/^\(OnCalendar\|WantedBy\)=//p' "$u/$tmr" | tr '\n' ' ')" \
	"*:0/15 timers.target " "the timer: every 15 minutes, wanted by timers.target"

# the command, on a scratch directory in place of node_exporter's
read -r -a argv <<<"${exec_line#"ExecStart=$PE_BINDIR/procexe "}"
argv[${#argv[@]} - 1]=$T/tf
mkdir "$T/tf"
"$PROCEXE" "${argv[@]}" >"$T/out" 2>"$T/err"
rc=$?
case $rc in
0 | 1 | 3) ok "the service's command exits $rc (a success for the unit)" ;;
*) nok "the service's command exits 0, 1 or 3" "status $rc: $(head -c 2000 "$T/err")" ;;
esac
is "$(ls -A "$T/tf")|$(wc -c <"$T/out")" "procexe.prom|0" \
	"it writes procexe.prom and nothing on stdout"
