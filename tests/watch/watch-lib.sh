# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared code of the watch tests (sourced after tests/integration/lib.sh):
# starting and stopping `procexe watch` in the background, waiting for the
# records of the processes a test started, a scratch tmpfs and a scratch
# cgroup v2 directory, payload copies with a unique trailer.  The watcher
# sees every exec of the host: every assertion is filtered to the PIDs and
# trailers the test made.  Every wait is bounded.
#
# Environment (set by meson): besides lib.sh's, PE_WATCH_SRCDIR (this
# directory), PE_SCHEMA (docs/schema-v1.json), PE_VALIDATE
# (tests/schema/validate.py).

WJ="$PE_WATCH_SRCDIR/wj.py"
wj() { "$PYTHON" "$WJ" "$@"; }

SELFDEL=$PE_HELPERS/pe-selfdel
BURST=$PE_HELPERS/pe-watch-burst

watch_needs() {
	need_root "fanotify, BPF and the proc connector need root"
	[ -x "$SELFDEL" ] || skip_all "no pe-selfdel (built on x86_64 only)"
	"$PYTHON" -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema not installed"
}

# watch_fs: mount a tmpfs at $T/fs (FS), where payload copies go: a
# filesystem of its own, mounted before any watcher starts (so fanotify
# marks it), and one the BPF side calls suspicious (tmpfs).
watch_fs() {
	FS=$T/fs
	mkdir "$FS" && mount -t tmpfs -o mode=755,size=256m pe-watch-test "$FS" ||
		skip_all "cannot mount a tmpfs"
	track_mount "$FS"
}

# watch_cgroup: CG = a new directory of the cgroup v2 hierarchy (from
# /proc/self/mountinfo), removed on exit; empty when there is none.
CG=
watch_cgroup() {
	local root
	root=$(awk '$(NF-2) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$root" ] || return 1
	CG=$(mktemp -d "$root/pe-watch-test.XXXXXXXX") || { CG=; return 1; }
	trap '_pe_cleanup; [ -n "$CG" ] && rmdir "$CG" 2>/dev/null' EXIT
}

# in_cgroup PID: PID is in CG (its cgroup v2 line names CG's path)
in_cgroup() {
	local rel=${CG#"$(dirname "$CG")"}
	grep -qx "0::.*$rel" "/proc/$1/cgroup" 2>/dev/null
}

# payload SRC DEST TRAILER: DEST = a copy of SRC with "TRAILER\n" appended
payload() {
	{ cat "$1" && printf '%s\n' "$3"; } >"$2" && chmod 755 "$2"
}

# watch_start OUT ARGS...: `procexe watch ARGS --duration 120` in the
# background, stdout to OUT, stderr to OUT.err; WPID = its PID.  Waits (at
# most 15 s) for the start-up line saying a mechanism is on.  Returns 0
# when it runs, 77 when it exited saying no mechanism could start (WHY = its
# stderr), 1 otherwise (WHY).
watch_start() {
	local out=$1 i
	shift
	"$PROCEXE" watch --duration 120 "$@" >"$out" 2>"$out.err" &
	WPID=$!
	track_pid "$WPID"
	WHY=
	for ((i = 0; i < 750; i++)); do
		# the start-up line, one mechanism on (when none loads, the
		# line is printed too, then "no mechanism could start")
		if grep -E 'bpf: .*connector: ' "$out.err" 2>/dev/null |
				grep -qE '(fanotify|bpf|connector): on'; then
			return 0
		fi
		if [ ! -e "/proc/$WPID" ] || [ "$(proc_state "$WPID")" = Z ]; then
			wait "$WPID"
			WRC=$?
			WHY=$(head -c 400 "$out.err")
			if [ "$WRC" = 2 ] && grep -q 'no mechanism' "$out.err"; then
				# one line: it becomes a TAP skip reason
				WHY=$(grep -m 1 'no mechanism' "$out.err" | head -c 300)
				return 77
			fi
			WHY="exited $WRC: $WHY"
			return 1
		fi
		sleep 0.02
	done
	WHY="no start-up line after 15 s: $(head -c 400 "$out.err")"
	return 1
}

# proc_state PID: the state letter of /proc/PID/stat (empty: gone)
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# wait_exit PID SECONDS: wait (bounded) until our child PID has exited
# (zombie or gone); 1 on timeout
wait_exit() {
	local pid=$1 tries
	tries=$(awk -v s="$2" 'BEGIN { print int(s / 0.01) }')
	while [ "$tries" -gt 0 ]; do
		case $(proc_state "$pid") in '' | Z) return 0 ;; esac
		sleep 0.01
		tries=$((tries - 1))
	done
	return 1
}

# watch_stop [SIGNAL]: signal the watcher (default TERM), wait at most 10 s
# for it to exit (then SIGKILL); WRC = its exit status (137 when killed).
watch_stop() {
	kill "-${1:-TERM}" "$WPID" 2>/dev/null
	if ! wait_exit "$WPID" 10; then
		kill -KILL "$WPID" 2>/dev/null
	fi
	wait "$WPID"
	WRC=$?
}

# has_record OUT PID: OUT (--jsonl) holds an exec record of PID
has_record() {
	grep -qE "\"record\": ?\"exec\".*\"pid\": ?$2[,} ]" "$1" 2>/dev/null
}

# wait_records OUT SECONDS PID...: wait until OUT holds a record of every
# PID; 1 on timeout (MISSING = the PIDs without one)
wait_records() {
	local out=$1 tries pid
	tries=$(awk -v s="$2" 'BEGIN { print int(s / 0.05) }')
	shift 2
	while :; do
		MISSING=
		for pid in "$@"; do
			has_record "$out" "$pid" || MISSING+=" $pid"
		done
		[ -z "$MISSING" ] && return 0
		[ "$tries" -le 0 ] && return 1
		sleep 0.05
		tries=$((tries - 1))
	done
}

# burst_pids OUT: the PIDs of a pe-watch-burst output
burst_pids() {
	awk 'NF == 3 { print $2 }' "$1"
}

# validate_jsonl OUT STATUS: every line of OUT validates against the schema
# and the summary's exit_status is STATUS
validate_jsonl() {
	"$PYTHON" "$PE_VALIDATE" "$PE_SCHEMA" --jsonl --status "$2" "$1"
}

# prog_ids PID: the IDs of the BPF programs PID holds (the prog_id of its
# fds on anon_inode:bpf-prog and bpf_link; bpftool here may not list pids)
prog_ids() {
	local f
	for f in /proc/"$1"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in
		anon_inode:bpf-prog | anon_inode:bpf_link)
			awk '$1 == "prog_id:" { print $2 }' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null ;;
		esac
	done | sort -un
}

# progs_gone SECONDS ID...: wait until no BPF program has one of the IDs
progs_gone() {
	local tries left id
	tries=$(awk -v s="$1" 'BEGIN { print int(s / 0.05) }')
	shift
	while :; do
		left=
		for id in "$@"; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left+=" $id"
		done
		LEFT=$left
		[ -z "$left" ] && return 0
		[ "$tries" -le 0 ] && return 1
		sleep 0.05
		tries=$((tries - 1))
	done
}

# todo_is GOT WANT DESC WHY: like is, as a TAP TODO (a known gap of the
# watcher: reported, not counted as a failure; an unexpected pass shows)
todo_is() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_tap_n - ${3//#/\\#} # TODO ${4//#/\\#}"
	else
		echo "not ok $_tap_n - ${3//#/\\#} # TODO ${4//#/\\#}"
		diag "got:  $(printf '%q' "$1")"
	fi
}
