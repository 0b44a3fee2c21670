#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Why processes were denied (denial_advice()): root in a user namespace
# without the full uid map, root without CAP_SYS_PTRACE, an unprivileged
# user, and (where this machine's PID 1 is unreadable even to root) root
# refused by the kernel itself are each told their own cause, never "run
# as root" when procexe runs as root.  A named PID that was denied is not
# seen: exit 3.  The scan gives the same advice.
. "$(dirname "$0")/restart-lib.sh"

need_root "to start processes of another user and drop capabilities"
command -v setpriv >/dev/null || skip_all "no setpriv(1)"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${NOBODY[@]}" test -x "$PROCEXE" || skip_all "nobody cannot execute $PROCEXE"

plan 14

started=1
start_fixture root "$T/out.r" "$PE_HELPERS/pe-spin" pe-rt-root && PR=$FIXTURE_PID || started=0
start_fixture nobody "$T/out.n" "${NOBODY[@]}" "$PE_HELPERS/pe-spin" pe-rt-nobody &&
	PN=$FIXTURE_PID || started=0
fixtures_started "fixtures started"

# says DESC FILE WORDS: stderr FILE has WORDS, and no "run as root"
says() {
	if grep -qF -- "$3" "$2" && ! grep -q "run as root" "$2"; then
		ok "$1"
	else
		nok "$1" "stderr: $(head -c 600 "$2")"
	fi
}

# --- root of a user namespace with only its own uid mapped
if unshare -U -r true 2>/dev/null; then
	J=$T/userns.json
	unshare -U -r "$PROCEXE" restart -J "$PR" >"$J" 2>"$J.err"
	RS_RC=$?
	status_is "$J" 3 "user namespace, the named process denied: exit 3"
	is "$(rsj summary "$J" denied) $(rsj summary "$J" unseen.unreadable) $(rsj summary "$J" complete)" \
		"1 1 false" "user namespace: summary denied 1, unreadable 1, complete false"
	says "user namespace: the advice names the user namespace" "$J.err" "user namespace"
else
	skip_n 3 "user namespace" "unshare -U -r is not allowed here"
fi

# --- root without CAP_SYS_PTRACE, another user's process
DROP=(setpriv --bounding-set=-sys_ptrace)
if "${DROP[@]}" true 2>/dev/null; then
	E=$T/noptrace
	"${DROP[@]}" "$PROCEXE" restart "$PN" >"$E" 2>"$E.err"
	RS_RC=$?
	status_is "$E" 3 "root without CAP_SYS_PTRACE, nobody's process named: exit 3"
	says "root without CAP_SYS_PTRACE: the advice names the capability" "$E.err" "CAP_SYS_PTRACE"
	if grep -q "PID $PN: permission denied\|PID $PN (.*): permission denied" "$E.err"; then
		ok "root without CAP_SYS_PTRACE: the named PID is said to be denied"
	else
		nok "root without CAP_SYS_PTRACE: the named PID is said to be denied" "$(cat "$E.err")"
	fi
	"${DROP[@]}" "$PROCEXE" scan >"$T/scan" 2>"$T/scan.err"
	says "scan, root without CAP_SYS_PTRACE: the same advice" "$T/scan.err" "CAP_SYS_PTRACE"
	"${DROP[@]}" "$PROCEXE" restart -q "$PN" >"$E" 2>"$E.err"
	is "$?:$(cat "$E.err")" "3:" "-q: exit 3, the advice silenced too"
else
	skip_n 5 "without CAP_SYS_PTRACE" "setpriv cannot drop it here"
fi

# --- an unprivileged user: run as root
E=$T/nobody
"${NOBODY[@]}" "$PROCEXE" restart "$PR" >"$E" 2>"$E.err"
RS_RC=$?
status_is "$E" 3 "nobody, root's process named: exit 3"
if grep -q "could not be inspected (permission denied); run as root" "$E.err"; then
	ok "nobody: told to run as root"
else
	nok "nobody: told to run as root" "$(cat "$E.err")"
fi

# --- root refused by the kernel (a hardened PID 1, an LSM)
J=$T/pid1.json
restartjo "$J" 1
if [ "$(rsj summary "$J" denied 2>/dev/null)" = 1 ]; then
	status_is "$J" 3 "root, PID 1 denied: exit 3"
	says "root, PID 1 denied: not told to run as root" "$J.err" "could not be inspected"
	"$PROCEXE" scan >"$T/scan1" 2>"$T/scan1.err"
	says "scan as root, PID 1 denied: not told to run as root" "$T/scan1.err" "could not be inspected"
else
	skip_n 3 "PID 1 denied to root" "PID 1 is readable here"
fi
