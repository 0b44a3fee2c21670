# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers of the self-*.sh TAP scripts (sourced, POSIX sh).
#
# Environment: PE_SELF = the pe-self probe (built against the shared
# library, found through LD_LIBRARY_PATH).
#
# Every case compares the probe's answer with a truth computed here
# independently (pwd -P, stat -c %d:%i), never with another procexe answer.

: "${PE_SELF:?PE_SELF must name the pe-self probe}"

T=$(mktemp -d "${TMPDIR:-/tmp}/pe-self.XXXXXX") || exit 1
chmod 755 "$T"
# Physical name of $T: the kernel renders paths without symlinks.
T=$(cd "$T" && pwd -P) || exit 1
PIDS=""
TESTNO=0
FAILED=0

cleanup() {
	exec 3>&- 2>/dev/null
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for m in $MOUNTS; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$T"
}
MOUNTS=""
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ok DESC / not_ok DESC [DIAG] / skip DESC REASON
# A known library bug: set KNOWN="reason" around the checks it breaks; they
# are then reported as TAP "# TODO" (an expected failure; a pass shows up as
# an unexpected pass, the hint to drop the marker).  PE_SELF_STRICT=1 turns
# them into plain checks.
KNOWN=""
_todo() {
	[ -n "$KNOWN" ] && [ "${PE_SELF_STRICT:-0}" != 1 ] && printf ' # TODO %s' "$KNOWN"
}
ok() {
	TESTNO=$((TESTNO + 1))
	echo "ok $TESTNO - $1$(_todo)"
}
not_ok() {
	TESTNO=$((TESTNO + 1))
	[ -n "$(_todo)" ] || FAILED=$((FAILED + 1))
	echo "not ok $TESTNO - $1$(_todo)"
	# Diagnostics: every line as a TAP comment, long ones (deep paths) cut.
	[ $# -ge 2 ] && printf '%s\n' "$2" | cut -c1-300 | sed 's/^/#   /'
	return 0
}
skip() {
	TESTNO=$((TESTNO + 1))
	echo "ok $TESTNO - $1 # SKIP $2"
}

# check DESC GOT EXPECTED [OUTFILE]: GOT = EXPECTED, else not ok with both
# (and the probe's whole output when OUTFILE is given).
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected: $3
got:      $2${4:+
output:
$(cat "$4" 2>/dev/null)}"
	fi
}

# has_flag FLAGS NAME: the comma list FLAGS contains NAME.
has_flag() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# check_flag DESC FLAGS NAME [OUTFILE] / check_noflag: flag set / not set.
check_flag() {
	if has_flag "$2" "$3"; then ok "$1"; else
		not_ok "$1" "expected flag '$3' in: $2${4:+
output:
$(cat "$4" 2>/dev/null)}"
	fi
}
check_noflag() {
	if has_flag "$2" "$3"; then
		not_ok "$1" "unexpected flag '$3' in: $2"
	else ok "$1"; fi
}

# field KEY FILE: the value of the first "KEY=..." line of FILE (no
# external command: CI machines can be slow to fork and exec).
field() {
	while IFS= read -r _l; do
		case $_l in
		"$1="*) printf '%s\n' "${_l#"$1="}"; return 0 ;;
		esac
	done <"$2"
	return 0
}

# devino FILE: dev:ino as the kernel reports it (stat -c %d:%i).
devino() {
	stat -L -c %d:%i "$1"
}

# run OUT [cd DIR] CMD...: run CMD (in DIR) with output to OUT.
run() {
	_out=$1
	shift
	if [ "$1" = cd ]; then
		_dir=$2
		shift 2
		(cd "$_dir" && exec "$@") >"$_out" 2>&1
	else
		"$@" >"$_out" 2>&1
	fi
}

# start OUT DIR CMD...: start CMD (which must be "probe -w ...") in DIR with
# its stdin on a fifo; return once it printed "ready".  Sets SPID.  The
# caller then changes the world and calls go.
start() {
	_out=$1 _dir=$2
	shift 2
	rm -f "$T/fifo"
	mkfifo "$T/fifo" || return 1
	(cd "$_dir" && exec "$@") <"$T/fifo" >"$_out" 2>&1 &
	SPID=$!
	PIDS="$PIDS $SPID"
	exec 3>"$T/fifo"
	_i=0
	while ! grep -q '^ready' "$_out" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$SPID" 2>/dev/null; then
			echo "# probe did not get ready: $(cat "$_out" 2>/dev/null)"
			return 1
		fi
		sleep 0.05
	done
	return 0
}

# go: let the started probe answer, wait for it.
go() {
	exec 3>&-
	wait "$SPID"
	_rc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $SPID\$//; s/ $SPID / /")
	return $_rc
}

# fresh NAME [DIR]: a new copy of the probe at DIR/NAME (DIR is created).
fresh() {
	_d=${2:-$T/bin}
	mkdir -p "$_d" && cp "$PE_SELF" "$_d/$1" && chmod 755 "$_d/$1"
}

finish() {
	echo "1..$TESTNO"
	[ "$FAILED" -eq 0 ]
}
