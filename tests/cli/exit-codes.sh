#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The exit-status table of procexe(1) (EXIT STATUS), a test per row and
# subcommand: 0 nothing found and everything seen; 1 found (scan: flagged,
# restart: something must restart, explain: the verdict flags it; ls, path
# and recover never); 2 usage or operational error (a bad option, an
# unknown command, a write error on stdout), which wins over all; 3 a named
# PID that does not exist or was not seen, when nothing was found (1 wins
# over 3).  Each test checks the status and what stderr says.
#
# Planted (and the only processes signalled): a copy of pe-spin left intact
# (LIVE), one deleted while it runs (DEL), and pe-dlopen holding a copy of
# pe-lib.so that is then deleted (LIB).
#
# Environment (set by meson): PROCEXE, PE_HELPERS, PE_SRCDIR (the directory
# of tests/integration/lib.sh), PYTHON.
. "$PE_SRCDIR/lib.sh"

plan 63

COMMANDS="scan ls path explain recover restart"
# A PID that does not exist: above pid_max.
NOPID=$(($(cat /proc/sys/kernel/pid_max) + 1))

D=$T/bin
mkdir "$D"
cp "$PE_HELPERS/pe-spin" "$D/live"
cp "$PE_HELPERS/pe-spin" "$D/del"
cp "$PE_HELPERS/pe-lib.so" "$D/libgone.so"
settle "$D"/*
started=1 LIVE= DEL= LIB=
start_fixture live "$T/out.live" "$D/live" marker && LIVE=$FIXTURE_PID || started=0
start_fixture del "$T/out.del" "$D/del" marker && DEL=$FIXTURE_PID || started=0
start_fixture lib "$T/out.lib" "$PE_HELPERS/pe-dlopen" "$D/libgone.so" -- pe-exit-lib &&
	LIB=$FIXTURE_PID || started=0
rm -f "$D/del" "$D/libgone.so"
fixtures_started "fixtures started (live $LIVE, deleted exe $DEL, deleted library $LIB)"

# run ARGS...: RC, $T/out, $T/err
run() {
	"$PROCEXE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# status DESC WANT ERE ARGS...: procexe ARGS exits WANT and its stderr
# matches the extended regular expression ERE (case-insensitive; '': stderr
# is empty; '!ERE': no line matches ERE)
status() {
	local desc=$1 want=$2 ere=$3 good=1
	shift 3
	run "$@"
	[ "$RC" = "$want" ] || good=0
	if [ -z "$ere" ]; then
		[ -s "$T/err" ] && good=0
	elif [ "${ere#!}" != "$ere" ]; then
		grep -qiE -- "${ere#!}" "$T/err" && good=0
	else
		grep -qiE -- "$ere" "$T/err" || good=0
	fi
	if [ $good = 1 ]; then
		ok "$desc"
	else
		nok "$desc" "procexe $* exited $RC, want $want; stderr should match '${ere:-(empty)}':" \
			"$(head -c 800 "$T/err")"
	fi
}

# --- 0: nothing found, everything seen (-q: nothing on stderr)
status "ls -q LIVE: 0" 0 '' ls -q "$LIVE"
status "ls -q DEL: 0 (ls lists, it finds nothing)" 0 '' ls -q "$DEL"
status "path -q LIVE: 0" 0 '' path -q "$LIVE"
status "path -q DEL: 0 (the path of a deleted image is a path)" 0 '' path -q "$DEL"
status "explain -q LIVE: 0" 0 '' explain -q "$LIVE"
scratch_dir R "$T"
status "recover -q LIVE: 0" 0 '' recover -q -d "$R/live" "$LIVE"
status "recover -q DEL: 0 (recover never finds)" 0 '' recover -q -d "$R/del" "$DEL"
status "restart -q LIVE: 0" 0 '' restart -q "$LIVE"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   unshare --pid --fork --mount-proc true 2>/dev/null; then
	# a new pid namespace holds nothing but procexe itself
	unshare --pid --fork --mount-proc "$PROCEXE" -q >"$T/out" 2>"$T/err"
	RC=$?
	if [ $RC = 0 ] && [ ! -s "$T/err" ]; then
		ok "scan -q in a pid namespace of its own: 0, stderr empty"
	else
		nok "scan -q in a pid namespace of its own: 0" "exit $RC" "$(head -c 800 "$T/err")"
	fi
else
	skip "scan in a pid namespace of its own" "needs root and unshare --pid"
fi

# --- 1: found
status "scan with a deleted executable running: 1, flagged counted" 1 \
	'^procexe: [0-9]+ processes, [1-9][0-9]* flagged' scan
# (a whole-host run may meet processes it cannot read: those errors are
# still printed; the summary lines are not)
SUMMARY_LINE='^procexe: [0-9]+ processes'
status "scan -q with a deleted executable running: 1, no summary line" 1 "!$SUMMARY_LINE" scan -q
status "restart -q DEL (its executable deleted): 1" 1 '' restart -q "$DEL"
status "restart -q LIB (maps a deleted library): 1" 1 '' restart -q "$LIB"
status "restart -q (whole host, LIB among it): 1, no summary line" 1 "!$SUMMARY_LINE" restart -q
status "explain -q DEL: 1 (the verdict flags it)" 1 '' explain -q "$DEL"
status "explain -q LIB: 1 (a mapped file to restart for)" 1 '' explain -q "$LIB"
# 1 wins over 3
status "restart LIB NOPID: 1 (found wins over a missing PID), the PID named" 1 \
	"$NOPID" restart "$LIB" "$NOPID"

# --- 2: usage errors, unknown command, write errors (2 wins over all)
for c in $COMMANDS; do
	hint="Try 'procexe $c --help' for more information."
	status "$c --bogus: 2, the option named" 2 \
		"^procexe: unrecognized option '--bogus'" "$c" --bogus
	if grep -qxF "$hint" "$T/err"; then
		ok "$c --bogus: points to 'procexe $c --help'"
	else
		nok "$c --bogus: points to 'procexe $c --help'" "$(cat "$T/err")"
	fi
done
status "procexe --bogus (the scan): 2, points to 'procexe --help'" 2 \
	"^Try 'procexe --help' for more information\.\$" --bogus
status "path -r (removed: -L/--link): 2" 2 "^procexe: invalid option -- 'r'" path -r "$LIVE"
status "restart -a (removed: -m/--all-mappings): 2" 2 "^procexe: invalid option -- 'a'" restart -a
status "procexe foo: 2, unknown command" 2 "^procexe: unknown command 'foo'" foo
status "procexe foo 123: 2, unknown command" 2 "^procexe: unknown command 'foo'" foo 123

# write errors: stdout is /dev/full
full() { # DESC ARGS...
	local desc=$1
	shift
	"$PROCEXE" "$@" >/dev/full 2>"$T/err"
	RC=$?
	if [ $RC = 2 ] && grep -q '^procexe: write error' "$T/err"; then
		ok "$desc"
	else
		nok "$desc" "procexe $* >/dev/full exited $RC, want 2" "$(head -c 800 "$T/err")"
	fi
}
full "scan >/dev/full: 2 (wins over 1), write error" scan
full "scan -J >/dev/full: 2, write error" -J
full "ls >/dev/full: 2, write error" ls
full "ls LIVE >/dev/full: 2, write error" ls "$LIVE"
full "path LIVE >/dev/full: 2, write error" path "$LIVE"
full "path -J LIVE >/dev/full: 2, write error" path -J "$LIVE"
full "explain LIVE >/dev/full: 2, write error" explain "$LIVE"
full "explain DEL >/dev/full: 2 (wins over 1), write error" explain "$DEL"
full "recover LIVE >/dev/full: 2, write error" recover -d "$R/full" "$LIVE"
full "restart >/dev/full: 2 (wins over 1), write error" restart
full "restart -J NOPID >/dev/full: 2 (wins over 3), write error" restart -J "$NOPID"

# --- 3: a named PID that does not exist (and nothing found)
missing="PID $NOPID: no such process"
status "ls NOPID: 3, the PID named" 3 "$missing" ls "$NOPID"
status "ls LIVE NOPID: 3 (LIVE still listed)" 3 "$missing" ls "$LIVE" "$NOPID"
if grep -qE "^ *$LIVE " "$T/out"; then
	ok "ls LIVE NOPID: LIVE listed"
else
	nok "ls LIVE NOPID: LIVE listed" "$(cat "$T/out")"
fi
status "path NOPID: 3, the PID named" 3 "$missing" path "$NOPID"
status "path LIVE NOPID: 3" 3 "$missing" path "$LIVE" "$NOPID"
status "explain NOPID: 3, the PID named" 3 "$missing" explain "$NOPID"
status "restart NOPID: 3, the PID named" 3 "$missing" restart "$NOPID"
status "restart LIVE NOPID: 3 (nothing found, one not seen)" 3 "$missing" restart "$LIVE" "$NOPID"
status "recover -d DIR NOPID: 3, the PID named" 3 "$missing" recover -d "$R/none" "$NOPID"
if [ ! -e "$R/none" ]; then
	ok "recover NOPID: nothing created (no directory, no manifest)"
else
	nok "recover NOPID: nothing created" "$(ls -la "$R/none" 2>&1)"
fi
mkdir "$R/empty"
status "recover -d EXISTING NOPID: 3" 3 "$missing" recover -d "$R/empty" "$NOPID"
if [ -z "$(ls -A "$R/empty")" ]; then
	ok "recover NOPID into an existing directory: no manifest written"
else
	nok "recover NOPID into an existing directory: nothing written" "$(ls -la "$R/empty")"
fi

# --- 3: a named process that could not be seen (denied to the reader)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	# LIVE is root's: nobody is denied it
	asnobody "$PROCEXE" ls -r -n -o STATE "$LIVE" >"$T/out" 2>"$T/err"
	is "$(cat "$T/out")" denied "as nobody, LIVE (root's) is denied"
	for c in ls path explain restart; do
		asnobody "$PROCEXE" "$c" "$LIVE" >"$T/out" 2>"$T/err"
		RC=$?
		if [ $RC = 3 ] && grep -q "$LIVE" "$T/err"; then
			ok "as nobody, $c LIVE (named, denied): 3, the PID named"
		else
			nok "as nobody, $c LIVE (named, denied): 3" "exit $RC" "$(head -c 800 "$T/err")"
		fi
	done
else
	skip_n 5 "a named process denied to the reader" "needs root and setpriv"
fi
