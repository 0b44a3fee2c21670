#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe metrics on the real host with two planted processes that must
# restart: one runs a deleted executable, one maps a deleted library.
# promtool (Debian package prometheus) accepts the text; the values say
# what procexe restart says: both counted under reason="deleted" (exe and
# lib), and, moved into a unit's cgroup of their own (as root), that unit
# with exactly 2 processes; every state of the summary has its series,
# zeros included; the info metric carries the version; the last-success
# timestamp is there exactly when the scan was complete; exit status 1.
. "$(dirname "$0")/metrics-lib.sh"

PROMTOOL=$(command -v promtool) || skip_all "no promtool (Debian package prometheus)"

plan 18

D=$T/d
mkdir "$D"
started=1
plant_deleted "$D" pe-m-exe && PE=$FIXTURE_PID || started=0
plant_deleted_lib "$D" libpe-m.so && PL=$FIXTURE_PID || started=0
fixtures_started "a deleted executable and a deleted library running"

UNIT=pe-m-$$-$RANDOM.service
if [ -n "$CG_ROOT" ] && cg_move "$PE" "$UNIT" && cg_move "$PL" "$UNIT"; then
	in_unit=1
else
	in_unit=0
fi

t0=$(date +%s)
metrics "$T/m.prom"
t1=$(date +%s)
status_is "$T/m.prom" 1 "something must restart: exit status 1"

out=$("$PROMTOOL" check metrics <"$T/m.prom" 2>&1)
is "$?:$out" "0:" "promtool check metrics accepts the output"
check "every sample follows its HELP and TYPE, valid UTF-8, no control byte" \
	prom check "$T/m.prom"
# the harness rejects what it must: an unescaped quote in a label value
printf '# HELP x y\n# TYPE x gauge\nx{a="b"c"} 1\n' >"$T/bad.prom"
"$PROMTOOL" check metrics <"$T/bad.prom" >/dev/null 2>&1
isnt "$?" 0 "promtool rejects a label value with a raw quote"

value_ge "the deleted executable: procexe_restart_processes{reason=deleted,type=exe} >= 1" \
	"$T/m.prom" 1 procexe_restart_processes reason=deleted type=exe
value_ge "the deleted library: procexe_restart_processes{reason=deleted,type=lib} >= 1" \
	"$T/m.prom" 1 procexe_restart_processes reason=deleted type=lib
# restart judges executable mappings only (no -m): data is always 0, written
value_is "zeros are written: procexe_restart_processes{reason=replaced,type=data} 0" \
	"$T/m.prom" 0 procexe_restart_processes reason=replaced type=data
if [ "$in_unit" = 1 ]; then
	value_is "their unit: procexe_restart_group_processes{group=$UNIT} is 2" "$T/m.prom" 2 \
		procexe_restart_group_processes group_type=unit group="$UNIT"
	value_ge "procexe_restart_units{group_type=unit} >= 1" "$T/m.prom" 1 \
		procexe_restart_units group_type=unit
else
	skip_n 2 "the planted unit" "no writable cgroup hierarchy (needs root)"
fi

is "$(prom values "$T/m.prom" procexe_restart_units group_type | tr '\n' ' ')" \
	"container session unit user-unit " "procexe_restart_units: every group type, zeros included"

# every state of the summary, no more
"$PROCEXE" restart -J -q >"$T/r.json" 2>/dev/null
want=$("$PYTHON" -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["summary"]["states"])))' "$T/r.json")
is "$(prom values "$T/m.prom" procexe_processes state | tr '\n' ' ')" "$want " \
	"procexe_processes: one series per state of the summary"
is "$(prom values "$T/m.prom" procexe_unseen_processes reason | tr '\n' ' ')" \
	"maps-incomplete timeout unreadable " "procexe_unseen_processes: the three reasons"

version=$("$PROCEXE" -V | cut -d' ' -f2)
value_is "procexe_info{version=$version} 1" "$T/m.prom" 1 procexe_info version="$version"

complete=$(prom get "$T/m.prom" procexe_scan_complete)
ts=$(prom get "$T/m.prom" procexe_last_success_timestamp_seconds)
case $complete in
1) check "complete scan: last success between the start and the end ($ts)" \
	awk -v t="$ts" -v a="$t0" -v b="$t1" 'BEGIN { exit !(t >= a && t <= b + 1) }' ;;
0) is "$ts" absent "incomplete scan: no last-success timestamp" ;;
*) nok "procexe_scan_complete is 0 or 1" "got $complete" ;;
esac
check "procexe_scan_duration_seconds is a number" \
	awk -v d="$(prom get "$T/m.prom" procexe_scan_duration_seconds)" \
	'BEGIN { exit !(d + 0 > 0 && d + 0 < 120) }'

# -q: nothing on stderr; an operand or an empty --textfile is a usage error
metrics "$T/q.prom" -q
is "$RS_RC:$(cat "$T/q.prom.err")" "1:" "-q: status 1 and nothing on stderr"
metrics "$T/u.prom" 1
is "$RS_RC:$(wc -c <"$T/u.prom")" "2:0" "an operand: usage error, nothing on stdout"
