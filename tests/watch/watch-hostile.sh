#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch against what the watched processes choose:
#  - names: programs whose path and argv[0] hold a newline, ESC sequences,
#    invalid UTF-8, quotes and backslashes: the table and -r print no raw
#    control byte and no split line, --jsonl stays valid (schema v1);
#  - a FUSE filesystem whose daemon never answers, mounted while the
#    watcher runs: re-marking the mount table must not wait on it (the
#    watcher still ends by --duration);
#  - the same mount named by a process's argv[0]: a program re-executes
#    itself into `sleep` with argv[0] inside that mount while the watcher
#    is stopped (SIGSTOP, so the order is fixed): the first exec's record
#    is a "reexec" whose argv0 is not the next program's, and the name is
#    never looked up (the watcher ends by --duration).
# The daemon is this script's python3 holding /dev/fuse and never reading
# it; killing it aborts the connection and releases any waiter.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs
plan 14

# --- hostile names (5 tests)
D=$T/names
mkdir "$D" && chmod 755 "$D"
names=($'nl\nesc\e[31mRED\e]0;title\a' $'bad\xff\xfeutf8' 'q"uo\te\\bs')
for n in "${names[@]}"; do cp /bin/true "$D/$n"; done
JOUT=$T/names.jsonl TOUT=$T/names.table ROUT=$T/names.raw
"$PROCEXE" watch --duration 120 --jsonl >"$JOUT" 2>"$JOUT.err" &
JPID=$!
track_pid "$JPID"
"$PROCEXE" watch --duration 120 >"$TOUT" 2>"$TOUT.err" &
TPID=$!
track_pid "$TPID"
watch_start "$ROUT" -r
rc=$?
[ $rc = 77 ] && skip_all "no mechanism: $WHY"
for ((i = 0; i < 750; i++)); do
	grep -q 'connector: ' "$JOUT.err" && grep -q 'connector: ' "$TOUT.err" && break
	sleep 0.02
done
pids=()
for n in "${names[@]}"; do
	"$D/$n" &
	pids+=($!)
	wait $!
	(exec -a $'argv\n0\e[2J\xff"\\' "$D/$n") &
	pids+=($!)
	wait $!
done
is "$rc" 0 "names: the watchers started ($WHY)"
check "names: --jsonl has a record of every exec" wait_records "$JOUT" 30 "${pids[@]}"
watch_stop TERM
RRC=$WRC
WPID=$JPID watch_stop TERM
JRC=$WRC
WPID=$TPID watch_stop TERM
check "names: --jsonl validates (status $JRC)" validate_jsonl "$JOUT" "$JRC"
# control bytes other than the line ends, and lines of our execs that do
# not start with the time (a name split the line)
bad_lines() {
	LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$1"
	LC_ALL=C grep -v '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$1" | grep -v '^TIME ' | grep -c .
}
is "$(bad_lines "$TOUT" | tr '\n' ' ')" "0 0 " "names: the table has no control byte, no split line (status $WRC)"
is "$(bad_lines "$ROUT" | tr '\n' ' ')" "0 0 " "names: -r has no control byte, no split line (status $RRC)"

# --- out of descriptors (1 test): fanotify alone, RLIMIT_NOFILE 40, the
# watcher stopped while 200 execs queue their events: reading them runs
# out of descriptors, the kernel drops what it could not open, and the
# summary must count them as lost (never a silent loss)
EOUT=$T/emfile.jsonl
prlimit --nofile=40:40 "$PROCEXE" watch --duration 120 --jsonl --mechanism fanotify \
	>"$EOUT" 2>"$EOUT.err" &
EPID=$!
track_pid "$EPID"
for ((i = 0; i < 750; i++)); do
	grep -q 'connector: ' "$EOUT.err" 2>/dev/null && break
	[ -e "/proc/$EPID" ] || break
	sleep 0.02
done
if ! grep -q 'fanotify: on' "$EOUT.err"; then
	skip "emfile: lost events counted" "fanotify: $(head -c 200 "$EOUT.err")"
else
	kill -STOP "$EPID"
	for ((i = 0; i < 500; i++)); do
		[ "$(proc_state "$EPID")" = T ] && break
		sleep 0.01
	done
	for ((i = 0; i < 200; i++)); do /bin/true & done
	for ((i = 0; i < 200; i++)); do wait -n 2>/dev/null; done
	kill -CONT "$EPID"
	# events come in order: once a later exec's record is out (or 15 s
	# passed: its own event may be dropped too) the burst has been read
	/bin/true &
	p=$!
	wait $p
	wait_records "$EOUT" 15 "$p"
	WPID=$EPID
	watch_stop TERM
	lost=$("$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("record") == "summary":
        print(r["lost"])' "$EOUT")
	check "emfile: the events the kernel dropped are counted as lost ($lost, status $WRC)" \
		test "${lost:-0}" -gt 0
fi

# --- a FUSE mount that never answers (6 tests: 3 + 3 argv0)
[ -c /dev/fuse ] || { skip_rest fuse "no /dev/fuse"; exit 0; }
# outside /tmp: a name under a temporary directory is judged by its text
scratch_dir FD /run || { skip_rest fuse "cannot make a directory in /run"; exit 0; }
FM=$FD/mnt
mkdir "$FM"
"$PYTHON" -c '
import ctypes, os, sys, time
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other" % fd
if libc.mount(b"pe-hang", sys.argv[1].encode(), b"fuse.pehang", 0, opts.encode()) != 0:
    print("mount: " + os.strerror(ctypes.get_errno()), flush=True)
    sys.exit(1)
print("mounted", flush=True)
time.sleep(300)' "$FM" >"$FD/daemon.out" 2>&1 &
DAEMON=$!
DAEMON_UP=
FOUT=$T/fuse.jsonl
watch_start "$FOUT" --jsonl
rc=$?
is "$rc" 0 "fuse: watcher started ($WHY)"
for ((i = 0; i < 500; i++)); do
	grep -q . "$FD/daemon.out" && break
	sleep 0.02
done
# unmounted before the daemon is killed: a FUSE mount without its daemon
# fails lib.sh's `mountpoint -q` and would be left behind
track_pid "$DAEMON"
trap 'umount -l "$FM" 2>/dev/null; _pe_cleanup' EXIT
grep -qx mounted "$FD/daemon.out" && DAEMON_UP=1
if [ -z "$DAEMON_UP" ]; then
	skip_rest fuse "cannot mount a FUSE filesystem: $(head -c 200 "$FD/daemon.out")"
	exit 0
fi
# an exec after the mount: once its record is out, the main thread has
# seen the table change (mountinfo's POLLPRI comes before its events)
/bin/true &
p=$!
wait $p
wait_records "$FOUT" 15 "$p"
kill -TERM "$WPID"
if wait_exit "$WPID" 15; then
	wait "$WPID"
	WRC=$?
	ok "fuse: mounted while watching: the watcher still ends (status $WRC)"
	check "fuse: its --jsonl validates" validate_jsonl "$FOUT" "$WRC"
else
	nok "fuse: mounted while watching: the watcher still ends" \
		"state $(proc_state "$WPID"), wchan $(cat "/proc/$WPID/wchan" 2>/dev/null)"
	skip "fuse: its --jsonl validates" "it did not end"
fi

# argv[0] inside the mount, seen only through a re-exec record
AOUT=$T/argv0.jsonl
watch_start "$AOUT" --jsonl --mechanism bpf
rc=$?
if [ $rc != 0 ]; then
	skip_n 3 argv0 "bpf: $WHY"
else
	kill -STOP "$WPID"
	for ((i = 0; i < 500; i++)); do
		[ "$(proc_state "$WPID")" = T ] && break
		sleep 0.01
	done
	bash -c 'exec -a "$0/a/b" sleep 60' "$FM" &
	HOP=$!
	track_pid "$HOP"
	for ((i = 0; i < 500; i++)); do
		[ "$(readlink "/proc/$HOP/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.01
	done
	kill -CONT "$WPID"
	wait_records "$AOUT" 15 "$HOP"
	kill -TERM "$WPID"
	if wait_exit "$WPID" 15; then
		wait "$WPID"
		WRC=$?
		ok "argv0: a name inside the hung mount: the watcher still ends (status $WRC)"
	else
		nok "argv0: a name inside the hung mount: the watcher still ends" \
			"state $(proc_state "$WPID"), wchan $(cat "/proc/$WPID/task"/*/wchan 2>/dev/null)"
	fi
	re=$("$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("record") == "exec" and r["pid"] == int(sys.argv[2]) and r["missed"] == "reexec":
        print(r["argv0"])' "$AOUT" "$HOP")
	isnt "$re" "" "argv0: the first exec is a reexec record"
	check "argv0: its argv0 is not the next program's ($re)" test "$re" != "$FM/a/b"
fi

# --- --flagged --count N counts the lines printed (2 tests): our plain
# /bin/true execs are not flagged (they ended the old run with nothing
# printed); a copy under $T (a temporary directory) is
COUT=$T/count.jsonl
watch_start "$COUT" --jsonl --flagged --count 1
rc=$?
if [ $rc != 0 ]; then
	skip_n 2 count "$WHY"
else
	for i in 1 2 3; do /bin/true; done
	cp /bin/true "$T/flagged-true"
	"$T/flagged-true" &
	p=$!
	wait $p
	wait_exit "$WPID" 30
	watch_stop TERM
	is "$(grep -c '"record":"exec"' "$COUT")" 1 "count: --flagged --count 1 prints one record (status $WRC)"
	# (the host's own flagged execs, or its execs whose image or script
	# was missed, which --flagged prints too, may come first)
	check "count: the record printed is a flagged or missed one" \
		grep -Eq '"suspicious":true|"missed":"' "$COUT"
fi
