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
	run "$c" --help
	if [ $RC -eq 0 ] && [ ! -s "$T/err" ] &&
	   grep -qE "^ *procexe $c( |\$)" "$T/out" &&
	   ! grep -q "^ *procexe <command>" "$T/out"; then
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

echo "1..$n"
