#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Processes exiting during the scan: while short-lived processes (some of
# them from deleted binaries) are started and exit all the time, repeated
# scans and listings must never fail (exit 2), crash or print invalid JSON.
. "$(dirname "$0")/lib.sh"

plan 9

S=$PE_HELPERS/pe-spin
ROUNDS=${PE_RACE_ROUNDS:-8}
cp "$(command -v true)" "$T/blip"
SLEEP=$(command -v sleep)
mkdir "$T/del"

# churn: start short-lived processes until $T/stop exists; each one's PID
# is appended to $T/pids, the count to $T/count.
churn() {
	local n=0 i p
	while [ ! -e "$T/stop" ]; do
		for i in 1 2 3 4 5 6 7 8; do
			"$T/blip" & p=$!
			echo "$p" >>"$T/pids"
		done
		# a process whose binary is deleted while it runs, then exits
		cp "$SLEEP" "$T/del/x$n"
		"$T/del/x$n" 0.01 & p=$!
		echo "$p" >>"$T/pids"
		rm -f "$T/del/x$n"
		wait
		n=$((n + 9))
		# atomic: a reader never sees the file empty
		echo "$n" >"$T/count.new" && mv -f "$T/count.new" "$T/count"
	done
}
count_now() {
	local c
	c=$(cat "$T/count" 2>/dev/null)
	echo "${c:-0}"
}
: >"$T/pids"
churn &
CHURN=$!
track_pid "$CHURN"

fail2=0 crash=0 runs=0 detail= jsons=()
note() { [ ${#detail} -lt 2000 ] && detail="$detail$*
"; }
# at least ROUNDS rounds, and on until 200 short-lived processes have run
# (at most 45 s)
deadline=$(( $(date +%s) + 45 ))
r=0
while [ $r -lt "$ROUNDS" ] || [ "$(count_now)" -lt 200 ]; do
	[ "$(date +%s)" -ge "$deadline" ] && break
	r=$((r + 1))
	for mode in scan scan4 ls lstable; do
		out=$T/r.$mode.$r
		case $mode in
		scan)    "$PROCEXE" -J >"$out" 2>"$out.err" ;;
		scan4)   "$PROCEXE" -J --threads 4 -o +PPID,CMDLINE,START >"$out" 2>"$out.err" ;;
		ls)      "$PROCEXE" ls -J --output-all >"$out" 2>"$out.err" ;;
		lstable) "$PROCEXE" ls -o +LINK,CMDLINE >"$out" 2>"$out.err" ;;
		esac
		rc=$?
		runs=$((runs + 1))
		if [ $rc -ge 128 ]; then
			crash=$((crash + 1)); note "$mode: killed by signal $((rc - 128))"
		elif [ $rc -eq 2 ] || { [ $mode = ls ] && [ $rc -ne 0 ]; }; then
			fail2=$((fail2 + 1)); note "$mode: exit $rc: $(head -c 200 "$out.err")"
		fi
		[ $mode != lstable ] && jsons+=("$out")
	done
done

# ls of PIDs that existed moments ago (most are gone, some are reused)
"$PROCEXE" ls -J -o PID,STATE $(tail -n 200 "$T/pids") >"$T/gone.json" 2>"$T/gone.err"
rc_gone=$?

touch "$T/stop"
pejson validall "${jsons[@]}" >"$T/json.bad"
badjson=$(wc -l <"$T/json.bad")
[ "$badjson" -gt 0 ] && note "$(head -n 5 "$T/json.bad")"
wait "$CHURN" 2>/dev/null
count=$(count_now)

if [ "$count" -ge 200 ]; then
	ok "at least 200 short-lived processes ran during the scans ($count)"
else
	nok "at least 200 short-lived processes ran during the scans" "only $count"
fi
is "$crash" 0 "no run was killed by a signal ($runs runs)"
is "$fail2" 0 "no scan exited 2 and no ls failed"
is "$badjson" 0 "every JSON output was valid"
[ -n "$detail" ] && diag "$detail"
case $rc_gone in
0|3) ok "ls of vanished PIDs exits 0 or 3 (got $rc_gone)" ;;
*) nok "ls of vanished PIDs exits 0 or 3" "got $rc_gone: $(head -c 300 "$T/gone.err")" ;;
esac
check "ls of vanished PIDs: valid JSON" jvalid "$T/gone.json"
if [ $rc_gone = 3 ]; then
	if [ -s "$T/gone.err" ]; then
		ok "ls of vanished PIDs: they are reported on stderr"
	else
		nok "ls of vanished PIDs: they are reported on stderr" "exit 3 but stderr empty"
	fi
else
	skip "ls of vanished PIDs: stderr" "all of them existed (reused)"
fi
asked=" $(tail -n 200 "$T/pids" | tr '\n' ' ') "
extra=
for p in $(jpids "$T/gone.json" 2>/dev/null); do
	case $asked in *" $p "*) ;; *) extra="$extra $p" ;; esac
done
is "$extra" "" "ls of vanished PIDs lists no PID that was not asked for"

# scan once more after the churn: still exit 0/1 and valid JSON
scanj "$T/final.json"
if { [ "$SCAN_RC" = 0 ] || [ "$SCAN_RC" = 1 ]; } && jvalid "$T/final.json"; then
	ok "scan after the churn: exit $SCAN_RC, valid JSON"
else
	nok "scan after the churn" "exit $SCAN_RC"
fi
