#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The systemd units as systemd itself reads them: systemd-analyze verify
# (with the built procexe in ExecStart= and procexe(1) on MANPATH, so that
# both references resolve), the offline security review under a measured
# threshold, the sandbox settings the restart check relies on, the
# tmpfiles.d entry, and the service's command line run for real.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR (tests/integration),
# PE_SOURCE_ROOT, PE_UNIT_SERVICE (the configured service in the build
# directory), PE_BINDIR (the bindir it was configured with).
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

command -v systemd-analyze >/dev/null || skip_all "no systemd-analyze"
# measured 1.4 with systemd 252; a setting lost from the unit raises it
threshold=2.0
svc=procexe-restart-check.service
tmr=procexe-restart-check.timer

plan 14

# verify runs man(1) to check Documentation=: without man, not that part
man_opt=()
command -v man >/dev/null || { man_opt=(--man=no); diag "no man(1): verify --man=no"; }

u="$T/units"
mkdir -p "$u" "$T/man/man1"
cp "$PE_SOURCE_ROOT/man/procexe.1" "$T/man/man1/"
exec_line=$(grep '^ExecStart=' "$PE_UNIT_SERVICE")
is "$exec_line" "ExecStart=$PE_BINDIR/procexe restart --jsonl -q" \
	"the configured service runs the installed procexe"
sed "s|^ExecStart=$PE_BINDIR/procexe |ExecStart=$PROCEXE |" "$PE_UNIT_SERVICE" >"$u/$svc"
cp "$PE_SOURCE_ROOT/systemd/$tmr" "$u/"

out=$(MANPATH="$T/man" systemd-analyze verify "${man_opt[@]}" "$u/$svc" "$u/$tmr" 2>&1)
is "$?:$out" "0:" "systemd-analyze verify accepts the service and the timer"

# the harness really checks: a unit whose program does not exist fails
mkdir -p "$T/bad"
sed "s|^ExecStart=[^ ]*|ExecStart=$T/missing/procexe|" "$u/$svc" >"$T/bad/$svc"
MANPATH="$T/man" systemd-analyze verify "${man_opt[@]}" "$T/bad/$svc" >"$T/bad.out" 2>&1
rc=$?
out=$(cat "$T/bad.out")
case "$rc:$out" in
0:*) nok "verify rejects a unit naming a missing program" "$out" ;;
*"is not executable"*) ok "verify rejects a unit naming a missing program" ;;
*) nok "verify rejects a unit naming a missing program" "$out" ;;
esac

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

# key VALUE: every value the service gives KEY, one line each
key() { sed -n "s/^$1=//p" "$u/$svc"; }
is "$(key Type)" oneshot "Type=oneshot"
is "$(key CapabilityBoundingSet)" "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" \
	"the bounding set holds CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only"
is "$(key SuccessExitStatus)" "1 3" "exit statuses 1 (found) and 3 (incomplete) are successes"
is "$(key StandardOutput)|$(key StandardError)" \
	"truncate:/var/lib/procexe/restart.jsonl|journal" \
	"stdout replaces restart.jsonl, stderr goes to the journal (not into the file)"
# Settings that would hide processes from procexe or strip its capabilities
# in the initial user namespace
is "$(grep -cE '^(ProtectProc|ProcSubset|PrivateUsers|PrivatePIDs|DynamicUser|User)=' "$u/$svc")" 0 \
	"nothing hides processes or drops the capabilities' namespace"
is "$(sed -n 's/^\(OnCalendar\|Persistent\|WantedBy\)=//p' "$u/$tmr" | tr '\n' ' ')" \
	"hourly true timers.target " "the timer: hourly, persistent, wanted by timers.target"
grep -q '^RandomizedDelaySec=' "$u/$tmr"
is $? 0 "the timer spreads a fleet's runs (RandomizedDelaySec=)"

# the state directory exists before the first run, 0700
if command -v systemd-tmpfiles >/dev/null; then
	systemd-tmpfiles --create --root="$T/root" "$PE_SOURCE_ROOT/systemd/procexe.tmpfiles" \
		2>"$T/tmpfiles.err"
	is "$(stat -c '%a %u' "$T/root/var/lib/procexe" 2>&1)" "700 0" \
		"tmpfiles.d creates /var/lib/procexe, mode 0700, owned by root"
else
	skip "tmpfiles.d creates /var/lib/procexe" "no systemd-tmpfiles"
fi

# The service's command, as systemd would run it: exit 0, 1 or 3; JSON
# lines ending with the summary.
if ! "$PROCEXE" restart --help 2>&1 | grep -q -- '--jsonl'; then
	skip_n 2 "the service's command" "procexe restart has no --jsonl yet (issue #11)"
else
	read -r -a argv <<<"${exec_line#"ExecStart=$PE_BINDIR/procexe "}"
	"$PROCEXE" "${argv[@]}" >"$T/restart.jsonl" 2>"$T/restart.err"
	rc=$?
	case $rc in
	0 | 1 | 3) ok "the service's command exits $rc (a success for the unit)" ;;
	*) nok "the service's command exits 0, 1 or 3" "status $rc: $(head -c 2000 "$T/restart.err")" ;;
	esac
	"${PYTHON:-python3}" - "$T/restart.jsonl" <<'PY' >"$T/jsonl.err" 2>&1
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
recs = [json.loads(l) for l in lines]
assert recs and recs[-1]["record"] == "summary", "last line is not the summary"
assert all(r["command"] == "restart" for r in recs)
PY
	is "$?" 0 "the service's command writes JSON lines ending with the summary"
	if [ -s "$T/jsonl.err" ]; then diag "$(head -c 2000 "$T/jsonl.err")"; fi
fi
