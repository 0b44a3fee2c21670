#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart while processes exit during the scan: short-lived
# processes that map a library deleted while they run (some exit by
# themselves, some are killed at once) are started all the time while
# procexe restart runs again and again (JSON, table, -m, --units, raw).
# Every run over every process exits 0 or 1 (never 2 or 3, never a
# signal; named PIDs that are gone make it 3), every JSON output is valid,
# and stderr never says more than a run over the quiet system did, but
# the one line that counts the processes that exited during the scan.
# One churn-style process is held alive for the whole loop, so that every
# scan has one to catch.
. "$(dirname "$0")/restart-lib.sh"

plan 8

ROUNDS=${PE_RACE_ROUNDS:-8}
WANT=${PE_RACE_PROCS:-200}
mkdir "$T/c"

# churn: until $T/stop exists, start pe-dlopen processes on fresh library
# copies, remove the copies while they run, kill one of each batch at once
# (an unreaped child of this subshell: its PID cannot have been reused).
# PIDs go to $T/pids, the running count to $T/count.
churn() {
	local n=0 i p
	while [ ! -e "$T/stop" ]; do
		for i in 1 2 3 4 5 6; do
			cp "$PELIB" "$T/c/lib$n-$i.so"
			"$DLOPEN" -t $((RANDOM % 500 + 20)) "$T/c/lib$n-$i.so" -- pe-rt-churn >/dev/null 2>&1 &
			p=$!
			echo "$p" >>"$T/pids"
		done
		sleep 0.0$((RANDOM % 3 + 1))
		rm -f "$T/c/lib$n-"*.so
		kill -KILL "$p" 2>/dev/null
		wait
		n=$((n + 6))
		echo "$n" >"$T/count.new" && mv -f "$T/count.new" "$T/count"
	done
}
count_now() {
	local c
	c=$(cat "$T/count" 2>/dev/null)
	echo "${c:-0}"
}

# shape FILE: the lines of FILE but the summary, digits as N, sorted, distinct
shape() {
	stderr_notes "$1" | grep -v ' processes exited during the scan$' |
		grep -Ev '^procexe: (restart PID [0-9]+ \(|no .* applies to the [0-9]+ processes)' |
		sed -E 's/[0-9]+/N/g' | sort -u
}

# baseline: what a run over the system says on stderr without the churn
"$PROCEXE" restart -J >"$T/base.json" 2>"$T/base.err"
shape "$T/base.err" >"$T/base.shape"

: >"$T/pids"
# held: a churn-style process (its library deleted while it runs) that
# lives until the loop is over, so every scan has one to catch
cp "$PELIB" "$T/c/held.so"
if start_dl held "$T/out.held" "$T/c/held.so"; then
	HELD=$FIXTURE_PID
	echo "$HELD" >>"$T/pids"
	rm -f "$T/c/held.so"
else
	HELD=
fi
churn 2>/dev/null &       # (no "Killed" job notices)
CHURN=$!
track_pid "$CHURN"

bad_rc=0 crash=0 runs=0 extra_err=0 detail= jsons=()
note() { [ ${#detail} -lt 3000 ] && detail="$detail$*
"; }
deadline=$(( $(date +%s) + 60 ))
r=0
while [ $r -lt "$ROUNDS" ] || [ "$(count_now)" -lt "$WANT" ]; do
	[ "$(date +%s)" -ge "$deadline" ] && break
	r=$((r + 1))
	for mode in json table all units raw pids text; do
		out=$T/r.$mode.$r
		case $mode in
		json)  "$PROCEXE" restart -J -o "$RCOLS" >"$out" 2>"$out.err" ;;
		table) "$PROCEXE" restart >"$out" 2>"$out.err" ;;
		all)   "$PROCEXE" restart -J -m >"$out" 2>"$out.err" ;;
		units) "$PROCEXE" restart --units >"$out" 2>"$out.err" ;;
		raw)   "$PROCEXE" restart -r -o +CGROUP >"$out" 2>"$out.err" ;;
		pids)  "$PROCEXE" restart -J $(tail -n 30 "$T/pids") >"$out" 2>"$out.err" ;;
		text)  "$PROCEXE" restart --maps-text -J -o "$RCOLS" >"$out" 2>"$out.err" ;;
		esac
		rc=$?
		runs=$((runs + 1))
		if [ $rc -ge 128 ]; then
			crash=$((crash + 1)); note "$mode: killed by signal $((rc - 128))"
		elif [ $rc -ne 0 ] && [ $rc -ne 1 ] && { [ $mode != pids ] || [ $rc -ne 3 ]; }; then
			bad_rc=$((bad_rc + 1)); note "$mode: exit $rc: $(head -c 300 "$out.err")"
		fi
		case $mode in json|all|pids|text) jsons+=("$out") ;; esac
		# explicitly given PIDs may be reported missing; the others not
		if [ $mode != pids ] && [ -n "$(shape "$out.err" | comm -23 - "$T/base.shape")" ]; then
			extra_err=$((extra_err + 1)); note "$mode: stderr: $(head -c 300 "$out.err")"
		fi
	done
done
touch "$T/stop"
wait "$CHURN" 2>/dev/null
[ -n "$HELD" ] && kill_tracked "$HELD"
count=$(count_now)

bad=0
for f in "${jsons[@]}"; do
	if ! rsj valid "$f" 2>>"$T/json.bad"; then
		bad=$((bad + 1))
	fi
done
[ $bad -gt 0 ] && note "$(head -n 5 "$T/json.bad")"

# how often a churn process (the held one at least) was caught with its
# deleted library
caught=0
for f in "${jsons[@]}"; do
	case $f in */r.json.*|*/r.pids.*) ;; *) continue ;; esac
	n=$(rsj values "$f" pid reason=deleted type=lib 2>/dev/null | grep -cFxf "$T/pids")
	caught=$((caught + ${n:-0}))
done

if [ "$count" -ge "$WANT" ]; then
	ok "at least $WANT short-lived processes ran during the scans ($count, $r rounds)"
else
	nok "at least $WANT short-lived processes ran during the scans" "only $count in $r rounds"
fi
if [ "$caught" -gt 0 ]; then
	ok "scans caught churn processes with their deleted library ($caught rows)"
else
	nok "scans caught churn processes with their deleted library" \
		"no row in ${#jsons[@]} outputs${HELD:+ (held process $HELD)}${HELD:- (the held process did not start)}"
fi
is "$crash" 0 "no run was killed by a signal ($runs runs)"
is "$bad_rc" 0 "every run exited 0 or 1 (named PIDs: or 3)"
is "$bad" 0 "every JSON output was valid"
is "$extra_err" 0 "no run said more on stderr than the run over the quiet system (exited processes: one count)"
[ -n "$detail" ] && diag "$detail"

# after the churn: the quiet system again
restartj "$T/final.json"
case $RS_RC in
0|1) ok "run after the churn: exit $RS_RC" ;;
*) nok "run after the churn: exit 0 or 1" "exit $RS_RC: $(cat "$T/final.json.err")" ;;
esac
if [ -z "$(shape "$T/final.json.err" | comm -23 - "$T/base.shape")" ]; then
	ok "run after the churn: stderr as before"
else
	nok "run after the churn: stderr as before" "$(cat "$T/final.json.err")"
fi
