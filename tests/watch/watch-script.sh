#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch and interpreted scripts: the record of an exec of a "#!"
# script describes its interpreter (the image) and carries a "script"
# object about the script itself, with each mechanism that can tell:
# fanotify alone, bpf alone, bpf --freeze scoped to the test's cgroup.
#  - a script on the test tmpfs (under /tmp) that deletes itself and waits
#    on a fifo: script.path, pinned, its stored copy byte-identical to what
#    ran (sha256 too), exe the interpreter, suspicious with "script-tmp"
#    (bpf alone, best effort by design, waits once before deleting itself);
#  - a script deleted before its exec, run through /dev/fd/9 (the same
#    open file): state "deleted", reason "script-deleted", stored;
#  - a plain script on a tmpfs under /run (no temporary directory, not
#    world-writable): a script object, state ok, not suspicious;
#  - a script whose name holds a newline, ESC, a quote and a backslash:
#    script.path is that name, escaped;
# and every --jsonl line validates against docs/schema-v1.json.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs

plan 42
watch_fs
watch_cgroup || CG=
scratch_dir RUN /run && mount -t tmpfs -o mode=755,size=16m pe-watch-script "$RUN" ||
	skip_all "cannot mount a tmpfs under /run"
track_mount "$RUN"
SH=$(readlink -f /bin/sh)
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || skip_all "cannot make a fifo"

# wait_script OUT SECONDS PID: wait until OUT has an exec record of PID
# with a script object (grep), then check PID's last record has one
wait_script() {
	local end=$((SECONDS + $2))
	until grep -qE "\"record\": ?\"exec\".*\"pid\": ?$3[,} ].*\"script\": ?\{" "$1"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	wj sget "$1" "$3" path >/dev/null
}

# reason_in PID REASON: PID's last record lists REASON
reason_in() {
	wj get "$WOUT" "$1" reasons | grep -q "\"$2\""
}

# stored_same PID ORIG: PID's script was stored, byte-identical to ORIG,
# and its sha256 is ORIG's
stored_same() {
	local copy sum
	copy=$(wj sget "$WOUT" "$1" copy) || return 1
	copy=${copy//\"/}
	sum=$(sha256sum <"$2")
	sum=${sum%% *}
	[ "$(wj sget "$WOUT" "$1" sha256)" = "\"$sum\"" ] ||
		{ echo "sha256 $(wj sget "$WOUT" "$1" sha256), want $sum" >&2; return 1; }
	cmp "$S/$copy" "$2" >&2
}

# script FILE TRAILER LINES...: write a /bin/sh script (mode 755) of LINES
# ending with the comment TRAILER; a pristine copy in FILE.orig under $T
script() {
	local f=$1 t=$2
	shift 2
	{ echo '#!/bin/sh'; printf '%s\n' "$@"; echo "# $t"; } >"$f" && chmod 755 "$f"
	cp "$f" "$T/${f##*/}.orig"
}

# start_script ARGS...: run ARGS (through PFX: into the cgroup) with stdin
# on the fifo; P = its PID, once its record with a script came (0: none)
start_script() {
	"${PFX[@]}" "$@" <&7 7<&- &
	P=$!
	track_pid "$P"
	wait_script "$WOUT" 20 "$P" || P=0
}

release() {
	echo x >&7
}

# mech_tests M (12 tests)
mech_tests() {
	local m=$1 d f pl h pinned
	# a script that deletes itself (first, or once released: bpf alone)
	d=$FS/del.$m
	if [ "$m" = bpf ]; then
		script "$d" "PEW:script-del-$m" 'read -r x' 'rm -f -- "$0"' 'read -r x'
	else
		script "$d" "PEW:script-del-$m" 'rm -f -- "$0"' 'read -r x'
	fi
	start_script "$d"
	[ "$m" = bpf ] && release
	release
	wait_exit "$P" 10
	[ -e "$d" ] && diag "$m: the script did not delete itself"
	check "$m: self-deleting script: script.path" wj sjeq "$WOUT" "$P" path "$d"
	check "$m: self-deleting script: exe is the interpreter" wj jeq "$WOUT" "$P" exe "$SH"
	# fanotify: its exec open; bpf: opened by name before it deleted
	# itself; --freeze: opened by name while stopped
	case $m in
	fanotify) pinned=fanotify ;;
	bpf) pinned=procfs ;;
	freeze) pinned=freeze ;;
	esac
	is "$(wj sget "$WOUT" "$P" pinned 2>&1)" "\"$pinned\"" "$m: self-deleting script: pinned"
	check "$m: self-deleting script: stored byte-identical" stored_same "$P" "$T/del.$m.orig"
	check "$m: self-deleting script: suspicious, script-tmp" reason_in "$P" script-tmp

	# a script deleted before its exec, run by its open descriptor
	f=$FS/fd.$m
	script "$f" "PEW:script-fd-$m" 'read -r x'
	# shellcheck disable=SC2016
	start_script bash -c 'exec 9<"$1" && rm -f -- "$1" && exec /dev/fd/9' _ "$f"
	release
	wait_exit "$P" 10
	is "$(wj sget "$WOUT" "$P" state 2>&1)" '"deleted"' "$m: script deleted before its exec: state deleted"
	check "$m: script deleted before its exec: reason script-deleted" \
		reason_in "$P" script-deleted
	check "$m: script deleted before its exec: stored byte-identical" \
		stored_same "$P" "$T/fd.$m.orig"

	# a plain script, in no temporary directory
	pl=$RUN/plain.$m
	script "$pl" "PEW:script-plain-$m" 'read -r x'
	start_script "$pl"
	release
	wait_exit "$P" 10
	check "$m: plain script: script.path" wj sjeq "$WOUT" "$P" path "$pl"
	is "$(wj sget "$WOUT" "$P" state 2>&1) $(wj get "$WOUT" "$P" suspicious 2>&1)" \
		'"ok" false' "$m: plain script: state ok, not suspicious"
	check "$m: plain script: stored byte-identical (--all)" stored_same "$P" "$T/plain.$m.orig"

	# a hostile name
	h=$FS/$'h\nx\e[1m"q\\'.$m
	script "$h" "PEW:script-name-$m" 'read -r x'
	start_script "$h"
	release
	wait_exit "$P" 10
	check "$m: hostile script name escaped" wj sjeq "$WOUT" "$P" path "$h"
}

# finish M: stop the watcher, validate its output, its status (1 test)
finish() {
	watch_stop TERM
	if [ "$WRC" = 1 ] && validate_jsonl "$WOUT" "$WRC" 2>"$T/why"; then
		ok "$1: every --jsonl line validates, exit 1 (suspicious scripts seen)"
	else
		nok "$1: every --jsonl line validates, exit 1" "exit $WRC: $(head -c 1500 "$T/why")"
	fi
}

for m in fanotify bpf freeze; do
	S=$T/store.$m
	WOUT=$T/$m.jsonl
	PFX=()
	case $m in
	freeze)
		if [ -z "$CG" ]; then
			skip_n 14 "$m" "no cgroup v2 hierarchy"
			continue
		fi
		# shellcheck disable=SC2016
		PFX=(bash -c 'echo $$ >"$1/cgroup.procs" && exec "${@:2}"' _ "$CG")
		watch_start "$WOUT" --mechanism bpf --freeze="$CG" --all --store "$S" --jsonl ;;
	*) watch_start "$WOUT" --mechanism "$m" --all --store "$S" --jsonl ;;
	esac
	case $? in
	0) ok "$m: watcher started"; mech_tests "$m"; finish "$m" ;;
	77) skip_n 14 "$m" "cannot load: $WHY" ;;
	*) nok "$m: watcher started" "$WHY"; skip_n 13 "$m" "did not start" ;;
	esac
done
