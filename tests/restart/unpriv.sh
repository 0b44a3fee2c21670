#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart run by an unprivileged reader (nobody): its own process
# with a deleted library is listed (exit 1), root's planted process with a
# deleted library is not, and the warning on stderr counts the processes
# it could not inspect (and names a PID given that was denied); root's
# process alone, named, was not seen: exit 3; never exit 2.
. "$(dirname "$0")/restart-lib.sh"

need_root "to switch to nobody"
if command -v setpriv >/dev/null; then
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
elif command -v runuser >/dev/null; then
	NOBODY=(runuser -u "$(id -nu 65534 2>/dev/null || echo nobody)" --)
else
	skip_all "neither setpriv(1) nor runuser(1) found"
fi
"${NOBODY[@]}" test -x "$PROCEXE" || skip_all "nobody cannot execute $PROCEXE"
"${NOBODY[@]}" test -x "$DLOPEN" || skip_all "nobody cannot execute the helpers"
"${NOBODY[@]}" test -r "$PELIB" || skip_all "nobody cannot read the helpers"

plan 17

# warn_is FILE N DESC [PID...]: besides the summary line, stderr FILE holds
# the warning, which gives the count N, and a line per named PID denied
warn_is() {
	local notes file=$1 n=$2 desc=$3 p
	shift 3
	notes=$(stderr_notes "$file")
	for p in "$@"; do
		grep -qx "procexe: PID $p: permission denied" <<<"$notes" || notes=
		notes=$(grep -vx "procexe: PID $p: permission denied" <<<"$notes")
	done
	if [ "$(grep -c . <<<"$notes")" = 1 ] && grep -qw -- "$n" <<<"$notes" &&
	   grep -q "could not be inspected (permission denied); run as root" <<<"$notes"; then
		ok "$desc"
	else
		nok "$desc" "stderr: $(cat "$file")"
	fi
}

for n in root nobody nobodyok; do
	lib_copy "$T/lib$n.so"
done
settle "$T"/lib*.so

started=1
start_dl root "$T/out.r" "$T/libroot.so" && R=$FIXTURE_PID || started=0
start_fixture nobody "$T/out.n" "${NOBODY[@]}" "$DLOPEN" "$T/libnobody.so" -- pe-rt-nobody &&
	N=$FIXTURE_PID || started=0
start_fixture nobodyok "$T/out.no" "${NOBODY[@]}" "$DLOPEN" "$T/libnobodyok.so" -- pe-rt-nobodyok &&
	NO=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/libroot.so" "$T/libnobody.so"
if [ "$(stat -c %u "/proc/$N")" = 65534 ]; then
	ok "precondition: nobody's fixture runs as uid 65534"
else
	nok "precondition: nobody's fixture runs as uid 65534" "owner $(stat -c %u "/proc/$N")"
fi

# as root, for comparison: both deleted libraries are seen
restartj "$T/root.json" "$R" "$N"
rows_is "root sees both deleted libraries" "$T/root.json" 2 reason=deleted

# nobody, the given PIDs
J=$T/pids.json
"${NOBODY[@]}" "$PROCEXE" restart -J -o "$RCOLS" "$R" "$N" "$NO" >"$J" 2>"$J.err"
RS_RC=$?
status_is "$J" 1 "nobody, three PIDs: exit 1 (its own deleted library)"
check "nobody, three PIDs: valid JSON" rsj valid "$J"
finding "nobody: own process, deleted library listed" "$J" \
	pid="$N" reason=deleted type=lib path="$T/libnobody.so" uid=65534
rows_is "nobody: root's process not listed" "$J" 0 pid="$R"
rows_is "nobody: own intact process not listed" "$J" 0 pid="$NO"
warn_is "$J.err" 1 "nobody, three PIDs: one warning line counts 1 process not inspected, a line names it" "$R"

# nobody, root's process alone: nothing it may see, not seen: exit 3 (not 2)
J=$T/root-only.json
"${NOBODY[@]}" "$PROCEXE" restart -J "$R" >"$J" 2>"$J.err"
RS_RC=$?
status_is "$J" 3 "nobody, root's process alone: exit 3 (a named PID not seen)"
rows_is "nobody, root's process alone: no rows" "$J" 0
warn_is "$J.err" 1 "nobody, root's process alone: one warning line counts it, a line names it" "$R"

# nobody, every process
J=$T/all.json
"${NOBODY[@]}" "$PROCEXE" restart -J -o "$RCOLS" >"$J" 2>"$J.err"
RS_RC=$?
status_is "$J" 1 "nobody, every process: exit 1"
check "nobody, every process: valid JSON" rsj valid "$J"
finding "nobody, every process: own deleted library listed" "$J" pid="$N" reason=deleted
rows_is "nobody, every process: root's process not listed" "$J" 0 pid="$R"
d=$(denied_count "$J.err")
if [ -n "$d" ] && [ "$d" -ge 1 ]; then
	warn_is "$J.err" "$d" "nobody, every process: one warning line counts the $d processes not inspected"
else
	nok "nobody, every process: one warning line counts the processes not inspected" \
		"no denied count in the summary: $(cat "$J.err")"
fi
