#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The one CLI skeleton (procexe(1)): every command has its own --help, -V
# and -q, names a bad option and points to its own help, checks that what
# it wrote to stdout was written, and 'procexe foo' is an unknown command.
# Starts no process.  Prints TAP.
#
# Usage: skeleton.sh PROCEXE

set -u
PROCEXE=${1:?usage: skeleton.sh PROCEXE}
COMMANDS="scan ls path explain recover restart metrics"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}

T=$(mktemp -d "${TMPDIR:-/tmp}/procexe-skel.XXXXXXXX") || { echo "1..0 # SKIP mktemp"; exit 0; }
trap 'rm -rf "$T"' EXIT

run() {
	"$PROCEXE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# A PID that does not exist: above pid_max.
NOPID=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))

for c in $COMMANDS; do
	others=$(for o in $COMMANDS; do [ "$o" = "$c" ] || printf '%s|' "$o"; done)
	run "$c" --help
	if [ $RC -eq 0 ] && [ ! -s "$T/err" ] &&
	   grep -qE "^ *procexe $c( |\$)" "$T/out" &&
	   ! grep -q "^ *procexe <command>" "$T/out" &&
	   ! grep -qE "^ *procexe (${others%|})( |\$)" "$T/out"; then
		ok "$c --help: its own usage on stdout"
	else
		nok "$c --help" "rc=$RC" "$(head -n 5 "$T/out")" "$(cat "$T/err")"
	fi

	"$PROCEXE" "$c" --help >/dev/full 2>"$T/err"
	RC=$?
	if [ $RC -eq 2 ] && grep -q "^procexe: write error" "$T/err"; then
		ok "$c --help >/dev/full: write error, status 2"
	else
		nok "$c --help >/dev/full" "rc=$RC" "$(cat "$T/err")"
	fi

	run "$c" -V
	if [ $RC -eq 0 ] && grep -qxE 'procexe [0-9]+\.[0-9]+\.[0-9]+' "$T/out"; then
		ok "$c -V prints the version"
	else
		nok "$c -V" "rc=$RC" "$(cat "$T/out" "$T/err")"
	fi

	run "$c" --bogus
	if [ $RC -eq 2 ] && [ ! -s "$T/out" ] &&
	   grep -q "^procexe: unrecognized option '--bogus'" "$T/err" &&
	   grep -qxF "Try 'procexe $c --help' for more information." "$T/err"; then
		ok "$c --bogus: names the option, points to 'procexe $c --help'"
	else
		nok "$c --bogus" "rc=$RC" "$(cat "$T/err")"
	fi

	run "$c" -5
	if [ $RC -eq 2 ] && grep -q "^procexe: invalid option -- '5'" "$T/err" &&
	   grep -qxF "Try 'procexe $c --help' for more information." "$T/err"; then
		ok "$c -5: names the option"
	else
		nok "$c -5" "rc=$RC" "$(cat "$T/err")"
	fi
done

# -q is an option of every command (its effect is checked where each
# command's summary is tested); a missing PID is still status 3.
for c in ls path explain restart; do
	run "$c" -q "$NOPID"
	if [ $RC -eq 3 ] && ! grep -qE "unrecognized|invalid option" "$T/err"; then
		ok "$c -q with a missing PID: accepted, status 3"
	else
		nok "$c -q $NOPID" "rc=$RC" "$(cat "$T/err")"
	fi
done
run scan -q -o PID
if [ $RC -ne 2 ] && [ ! -s "$T/err" ]; then
	ok "scan -q: nothing on stderr"
else
	nok "scan -q" "rc=$RC" "$(cat "$T/err")"
fi

run foo
if [ $RC -eq 2 ] && [ ! -s "$T/out" ] && grep -q "^procexe: unknown command 'foo'" "$T/err" &&
   grep -q "scan ls path explain recover restart" "$T/err"; then
	ok "procexe foo: unknown command, the commands listed"
else
	nok "procexe foo" "rc=$RC" "$(cat "$T/err")"
fi

run -J foo
if [ $RC -eq 2 ] && grep -q "^procexe: unknown command 'foo'" "$T/err"; then
	ok "procexe -J foo: unknown command too"
else
	nok "procexe -J foo" "rc=$RC" "$(cat "$T/err")"
fi

run "$(printf 'x\033[2Jy')"
if [ $RC -eq 2 ] && ! grep -q "$(printf '\033')" "$T/err"; then
	ok "an unknown command's name is escaped"
else
	nok "escaped unknown command" "rc=$RC" "$(cat -v "$T/err")"
fi

# The summary is complete exactly when nothing was unseen or denied: a
# copy that failed (a kernel thread has no image) is not complete either.
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] && command -v python3 >/dev/null; then
	run recover -J -d "$T/rec" 2
	got=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]
print(s["complete"], s["exit_status"], s["unseen"]["unreadable"])' "$T/out" 2>&1)
	if [ $RC -eq 3 ] && [ "$got" = "False 3 1" ]; then
		ok "recover of a kernel thread: status 3, summary complete false, unreadable 1"
	else
		nok "recover of a kernel thread: complete false" "rc=$RC" "$got"
	fi
	# what was never compared is unknown (null), not false
	run ls -J -o PID,MODIFIED,DELETED 2
	got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["processes"][0]
print(r["modified"], r["deleted"])' "$T/out" 2>&1)
	if [ "$got" = "None None" ]; then
		ok "ls -J of a kernel thread: modified and deleted null (unknown)"
	else
		nok "ls -J of a kernel thread: modified and deleted null" "$got"
	fi
else
	ok "# SKIP no kthreadd at PID 2"
	ok "# SKIP no kthreadd at PID 2"
fi

# Option errors name what is wrong with the option.
for args in "ls --json=x|option '--json' doesn't allow an argument" \
            "--quiet=1|option '--quiet' doesn't allow an argument" \
            "restart --units=1|option '--units' doesn't allow an argument" \
            "-Jo|option requires an argument -- 'o'" \
            "ls --output|option '--output' requires an argument"; do
	want=${args#*|}
	# shellcheck disable=SC2086
	run ${args%%|*}
	if [ $RC -eq 2 ] && grep -qxF "procexe: $want" "$T/err"; then
		ok "${args%%|*}: $want"
	else
		nok "${args%%|*}" "rc=$RC" "$(cat "$T/err")"
	fi
done

# A reader that went away is not a write error, also where SIGPIPE is
# ignored (systemd services): the output is larger than a pipe buffer.
for c in "ls --output-all" "ls -J --output-all" "ls --jsonl --output-all"; do
	# shellcheck disable=SC2086
	bash -c 'trap "" PIPE; "$@" 2>"'"$T/err"'" | head -c1 >/dev/null; exit "${PIPESTATUS[0]}"' \
		_ "$PROCEXE" $c
	RC=$?
	if [ $RC -ne 2 ] && ! grep -q "write error" "$T/err"; then
		ok "$c | head -c1 with SIGPIPE ignored: no write error (rc=$RC)"
	else
		nok "$c | head -c1 with SIGPIPE ignored" "rc=$RC" "$(cat "$T/err")"
	fi
done

echo "1..$n"
