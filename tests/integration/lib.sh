# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the integration tests: TAP output, fixture processes,
# cleanup, and queries on procexe's output.  Sourced by every test script.
#
# Environment (set by meson): PROCEXE = the CLI, PE_HELPERS = directory of
# the fixture programs (tests/helpers), PE_SRCDIR = this directory.
#
# Rules kept here: only processes started by the script are ever signalled
# (and only while they are still its children), everything lives under one
# mktemp -d directory, mounts are undone on exit, waits poll for readiness.

set -u

: "${PROCEXE:?PROCEXE must name the procexe binary}"
: "${PE_HELPERS:?PE_HELPERS must name the helper directory}"
PE_SRCDIR=${PE_SRCDIR:-$(dirname "${BASH_SOURCE[0]}")}
PEJSON="$PE_SRCDIR/pejson.py"
if [ -z "${PYTHON:-}" ]; then
	# prefer the system interpreter: version-manager shims are slow to start
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi

# Margin between the last change of a fixture file and the start of the
# process running it: keeps the MODIFIED flag (mtime/ctime later than the
# process start) out of tests that do not plant it, whatever the precision
# of the start time procexe derives from /proc (btime has 1 s resolution).
PE_SETTLE=${PE_SETTLE:-1.2}

# ---------------------------------------------------------------- TAP ---

_tap_n=0
_tap_planned=0

plan() {
	_tap_planned=$1
	echo "1..$1"
}

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# (a "#" in a description would start a TAP directive: escape it)
ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - ${1//#/\\#}"
}

nok() {
	_tap_n=$((_tap_n + 1))
	echo "not ok $_tap_n - ${1//#/\\#}"
	shift
	[ $# -gt 0 ] && diag "$*"
	return 0
}

# check DESC CMD...: ok when CMD succeeds (its stderr becomes a diagnostic)
# (runs in this shell, so lookups can use the cache of jload)
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>"$T/check.err"; then
		ok "$desc"
	else
		nok "$desc" "command failed: $(printf '%q ' "$@")
$(head -c 2000 "$T/check.err")"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		nok "$3" "got:  $(printf '%q' "$1")
want: $(printf '%q' "$2")"
	fi
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		ok "$3"
	else
		nok "$3" "got unwanted value $(printf '%q' "$1")"
	fi
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1: $2"
}

# skip_n N DESC REASON: skip N planned tests at once
skip_n() {
	local i
	for ((i = 0; i < $1; i++)); do
		skip "$2" "$3"
	done
}

# skip_rest DESC REASON: skip every planned test not run yet
skip_rest() {
	skip_n $((_tap_planned - _tap_n)) "$1" "$2"
}

# fixtures_started DESC: after starting fixtures (the script sets started=0
# when one fails): ok DESC; or not ok DESC, the rest of the plan skipped,
# and the script ends.
fixtures_started() {
	if [ "${started:-0}" = 1 ]; then
		ok "$1"
		return 0
	fi
	nok "$1"
	skip_rest "rest" "fixtures did not start"
	exit 0
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0  # TAP: a plan of 0 with SKIP (an exit status of 77 would be an ERROR)
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root${1:+ ($1)}"
}

# ------------------------------------------------------------ cleanup ---

_pe_pids=()     # "PID PARENT" pairs
_pe_mounts=()
_pe_dirs=()     # extra scratch directories outside $T

# track_pid PID [PARENT]: kill PID on exit, if its parent is still PARENT
# (default: this shell), so that a recycled number is never signalled.
track_pid() {
	_pe_pids+=("$1 ${2:-$$}")
}

track_mount() {
	_pe_mounts+=("$1")
}

# scratch_dir VAR PARENT: VAR = a new mktemp -d directory under PARENT,
# removed on exit (not usable in $(...): the registration would be lost)
scratch_dir() {
	local d
	d=$(mktemp -d "$2/pe-int.XXXXXXXX") || return 1
	chmod 755 "$d"
	_pe_dirs+=("$d")
	printf -v "$1" '%s' "$d"
}

ppid_of() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	echo "$2"
}

# kill_tracked PID: SIGKILL a tracked process now (same parent check)
kill_tracked() {
	local entry pid parent
	for entry in "${_pe_pids[@]}"; do
		read -r pid parent <<<"$entry"
		[ "$pid" = "$1" ] || continue
		if [ "$(ppid_of "$pid")" = "$parent" ]; then
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	return 0
}

_pe_cleanup() {
	local entry pid parent i
	if [ "$_tap_planned" -gt 0 ] && [ "$_tap_n" -ne "$_tap_planned" ]; then
		echo "# planned $_tap_planned tests but ran $_tap_n" >&2
	fi
	exec 2>/dev/null     # no "Killed" job notices for the fixtures
	for ((i = ${#_pe_pids[@]} - 1; i >= 0; i--)); do
		read -r pid parent <<<"${_pe_pids[i]}"
		if [ "$(ppid_of "$pid")" = "$parent" ]; then
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	{ wait; } 2>/dev/null
	for ((i = ${#_pe_mounts[@]} - 1; i >= 0; i--)); do
		if mountpoint -q "${_pe_mounts[i]}" 2>/dev/null; then
			umount -l "${_pe_mounts[i]}" 2>/dev/null
		fi
	done
	for ((i = ${#_pe_dirs[@]} - 1; i >= 0; i--)); do
		rm -rf --one-file-system "${_pe_dirs[i]}" 2>/dev/null
	done
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf --one-file-system "$T" 2>/dev/null
	fi
}

trap _pe_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Scratch directory: searchable by everyone (tests run processes as nobody).
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-int.XXXXXXXX") || skip_all "mktemp failed"
chmod 755 "$T"
: >"$T/stderr.log"

# ----------------------------------------------------------- fixtures ---

# spawn OUT CMD...: start CMD in the background with stdout to OUT;
# SPAWNED = its PID (the PID the exec'd program keeps).
spawn() {
	local out=$1
	shift
	"$@" >"$out" 2>>"$T/stderr.log" &
	SPAWNED=$!
	track_pid "$SPAWNED"
}

# wait_ready OUT [PID [SECONDS]]: wait for the "ready ..." line a fixture
# prints once it runs.  Sets READY_LINE and READY_PID (second word).
# Returns 1 on timeout or when PID died first, 77 when the fixture printed
# "skip: ..." (READY_LINE holds it).
wait_ready() {
	local out=$1 pid=${2:-} limit=${3:-15} line tries
	READY_LINE= READY_PID=
	tries=$(awk -v s="$limit" 'BEGIN { print int(s / 0.02) }')
	while [ "$tries" -gt 0 ]; do
		if [ -s "$out" ] && IFS= read -r line <"$out"; then
			case $line in
			"ready "*)
				READY_LINE=$line
				set -- $line
				READY_PID=$2
				return 0 ;;
			"skip:"*)
				READY_LINE=$line
				return 77 ;;
			*)
				READY_LINE=$line
				return 1 ;;
			esac
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			# one last look: it may have written and exited
			if IFS= read -r line <"$out" 2>/dev/null; then
				continue
			fi
			READY_LINE=$line
			return 1
		fi
		sleep 0.02
		tries=$((tries - 1))
	done
	return 1
}

# start_fixture NAME OUT CMD...: spawn + wait_ready; on failure print a
# diagnostic and return non-zero.  PID in FIXTURE_PID.
start_fixture() {
	local name=$1 out=$2 rc
	shift 2
	spawn "$out" "$@"
	wait_ready "$out" "$SPAWNED"
	rc=$?
	FIXTURE_PID=$READY_PID
	if [ $rc -ne 0 ]; then
		diag "fixture $name did not start (rc=$rc): ${READY_LINE:-no output}"
		diag "$(tail -n 5 "$T/stderr.log")"
	fi
	return $rc
}

# run_in DIR CMD...: cd DIR, then exec CMD (keeps the PID of the caller's
# background subshell, so spawn OUT run_in DIR ./prog gives prog's PID)
run_in() {
	cd "$1" || exit 1
	shift
	exec "$@"
}

# settle FILE...: wait until PE_SETTLE seconds have passed since the last
# mtime/ctime change of the FILEs.
settle() {
	local newest now
	newest=$(stat -c '%.9Y
%.9Z' -- "$@" | sort -g | tail -n 1)
	while :; do
		now=$(date +%s.%N)
		awk -v n="$now" -v t="$newest" -v m="$PE_SETTLE" \
			'BEGIN { exit !(n >= t + m) }' && return 0
		sleep 0.05
	done
}

# settle_since TIME [SECONDS]: wait until SECONDS (default 2) have passed
# since TIME (date +%s.%N)
settle_since() {
	local since=$1 margin=${2:-2}
	while ! awk -v n="$(date +%s.%N)" -v t="$since" -v m="$margin" \
			'BEGIN { exit !(n >= t + m) }'; do
		sleep 0.05
	done
}

# exe_link PID: the kernel's text of /proc/PID/exe (for diagnostics)
exe_link() {
	readlink "/proc/$1/exe" 2>&1
}

# ------------------------------------------------------------ queries ---

pejson() {
	"$PYTHON" "$PEJSON" "$@"
}

# JSON results are parsed once per file (python is slow to start) into:
# JVALID (1/0), JERR, JPIDS, JROW[pid], JV[pid/key] = json.dumps(value),
# JNROWS, JCOMMAND, JS[key] / JS[key.member] = json.dumps(summary value).
declare -A JV JROW JS
_jkey=
jload() {
	local key
	key=$(stat -c '%n %.9Y %s %i' -- "$1" 2>/dev/null) || key="missing $1"
	[ "$key" = "$_jkey" ] && return 0
	JV=() JROW=() JS=() JVALID=0 JERR="cannot read $1" JPIDS= JNROWS= JCOMMAND=
	if [ -r "$1" ]; then
		eval "$(pejson dump "$1" 2>/dev/null)"
	fi
	_jkey=$key
}

# (call jload in the main shell after writing a file: lookups made in
# $(...) subshells then find the cache filled instead of starting python)

# jvalid FILE: FILE is a schema v1 document of the scan or ls (strict JSON:
# {"schema": 1, "command", "processes": [...], "summary": {...}}, the
# summary's counts consistent) or their --jsonl output
jvalid() {
	jload "$1"
	[ "$JVALID" = 1 ] && return 0
	echo "$JERR" >&2
	return 1
}

# jsum FILE KEY: json.dumps of the summary's KEY ("unseen.missing" for a
# member of a member); "invalid" when FILE is not valid
jsum() {
	jload "$1"
	if [ "$JVALID" != 1 ]; then
		echo invalid
		return 2
	fi
	echo "${JS[$2]-absent}"
}

# jpids FILE: the PIDs of its rows, in output order
jpids() {
	jload "$1"
	echo "$JPIDS"
}

# jhas FILE PID
jhas() {
	jload "$1"
	[ -n "${JROW[$2]+x}" ]
}

# jget FILE PID KEY: json.dumps of the value ("deleted" with quotes, 0,
# true, null); an explanation and status 3/4 when there is no such row/key
jget() {
	jload "$1"
	if [ "$JVALID" != 1 ]; then
		echo "invalid JSON: $JERR"
		return 2
	fi
	if [ -z "${JROW[$2]+x}" ]; then
		echo "no row for pid $2"
		return 3
	fi
	if [ -z "${JV[$2/$3]+x}" ]; then
		echo "no key $3 for pid $2"
		return 4
	fi
	echo "${JV[$2/$3]}"
}

# jstate FILE PID: the state without quotes
jstate() {
	local v
	v=$(jget "$1" "$2" state) || { echo "$v"; return 1; }
	v=${v#\"}
	echo "${v%\"}"
}

# jeq FILE PID KEY BYTES: the string value is BYTES (any bytes) encoded by
# the JSON rule (invalid UTF-8 -> \xHH text, backslash -> \\ text)
jeq() {
	local got want
	case $4 in
	*[!A-Za-z0-9\ ./_:+,=@%\(\)-]*)
		pejson jeq "$@"
		return ;;
	esac
	got=$(jget "$1" "$2" "$3")
	want="\"$4\""
	[ "$got" = "$want" ] && return 0
	echo "got $got, want $want" >&2
	return 1
}

# lsj OUT PID... : procexe ls -J -o $COLS PID... > OUT; LS_RC = exit status
COLS=PID,STATE,EXE,LINK,MODIFIED
lsj() {
	local out=$1
	shift
	"$PROCEXE" ls -J -o "$COLS" "$@" >"$out" 2>"$out.err"
	LS_RC=$?
	jload "$out"
}

# scanj OUT [OPTS...]: default scan as JSON; SCAN_RC = exit status
scanj() {
	local out=$1
	shift
	"$PROCEXE" -J "$@" >"$out" 2>"$out.err"
	SCAN_RC=$?
	jload "$out"
}

# rawstate PID [OPTS...]: STATE via raw output
rawstate() {
	local pid=$1
	shift
	"$PROCEXE" ls "$@" -r -n -o STATE "$pid" 2>/dev/null
}
