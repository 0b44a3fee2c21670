#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PID reuse, forced in a new pid namespace through ns_last_pid: one PID is
# held in turn by A (uid 0, ./reuse-a marker-a) and B (uid 65534,
# ./reuse-b marker-b).  `procexe ls PID` must describe the process that
# holds the PID, and while A and B replace each other as fast as possible,
# no row may mix facts of the two (EXE, COMM, CMDLINE, UID, INODE).
. "$(dirname "$0")/lib.sh"

need_root "ns_last_pid"
command -v unshare >/dev/null || skip_all "unshare(1) not found"
unshare -p -f --mount-proc true 2>/dev/null || skip_all "unshare --pid --mount-proc not permitted here"

plan 16

N=100
cp "$PE_HELPERS/pe-spin" "$T/reuse-a"
cp "$PE_HELPERS/pe-spin" "$T/reuse-b"
cp "$PE_HELPERS/pe-reuse" "$T/pe-reuse"
chmod 755 "$T"/reuse-? "$T/pe-reuse"
settle "$T/reuse-a" "$T/reuse-b"

mkfifo "$T/ctl"
# the controller reads commands from the FIFO; opened inside the background
# job (opening it here would block until a writer appears)
controller() {
	exec unshare -p -f --mount-proc --kill-child "$T/pe-reuse" "$N" \
		"$T/reuse-a" "$T/reuse-b" <"$T/ctl"
}
spawn "$T/out" controller
U=$SPAWNED
exec 3>"$T/ctl"
if ! wait_ready "$T/out" "$U"; then
	nok "controller started" "$READY_LINE $(tail -n 3 "$T/stderr.log")"
	skip_rest "rest" "controller did not start"
	exit 0
fi
ok "controller started"
C=$(cat "/proc/$U/task/$U/children" 2>/dev/null)
C=${C%% *}
track_pid "$C" "$U"
PROC=/proc/$C/root/proc

# send CMD: write a command and wait for its reply line (REPLY_LINE)
nlines=1
send() {
	local tries=500 got
	echo "$1" >&3
	nlines=$((nlines + 1))
	while [ $tries -gt 0 ]; do
		got=$(wc -l <"$T/out")
		if [ "$got" -ge "$nlines" ]; then
			REPLY_LINE=$(sed -n "${nlines}p" "$T/out")
			return 0
		fi
		sleep 0.01
		tries=$((tries - 1))
	done
	REPLY_LINE="(no reply)"
	return 1
}

ino_a=$(stat -c %i "$T/reuse-a")
ino_b=$(stat -c %i "$T/reuse-b")
COLS=PID,UID,COMM,EXE,CMDLINE,INODE,STATE

# --- deterministic: A at N, then B at N
send a
is "$REPLY_LINE" "ok a $N" "A holds PID $N"
J=$T/a.json
"$PROCEXE" ls --proc "$PROC" -J -o "$COLS" "$N" >"$J" 2>"$J.err"
jload "$J"
check "A: exe is reuse-a" jeq "$J" "$N" exe "$T/reuse-a"
is "$(jget "$J" "$N" uid)" 0 "A: uid 0"
is "$(jget "$J" "$N" inode)" "$ino_a" "A: inode of reuse-a"

send b
is "$REPLY_LINE" "ok b $N" "B replaced A at PID $N"
J=$T/b.json
"$PROCEXE" ls --proc "$PROC" -J -o "$COLS" "$N" >"$J" 2>"$J.err"
rc=$?
jload "$J"
is "$rc" 0 "B: ls exits 0"
check "B: exe is reuse-b" jeq "$J" "$N" exe "$T/reuse-b"
check "B: comm is reuse-b" jeq "$J" "$N" comm reuse-b
is "$(jget "$J" "$N" uid)" 65534 "B: uid 65534"
is "$(jget "$J" "$N" inode)" "$ino_b" "B: inode of reuse-b"
case $(jget "$J" "$N" cmdline) in
*marker-b*) ok "B: cmdline is B's" ;;
*) nok "B: cmdline is B's" "$(jget "$J" "$N" cmdline)" ;;
esac

# --- racing: A and B replace each other while procexe reads PID N
send run
is "$REPLY_LINE" running "controller alternates A and B at PID $N"
mkdir "$T/race"
# at least PE_REUSE_SECONDS (4) seconds and 30 listings, and until both A
# and B were listed (a slow, loaded machine may need more rounds for
# that), at most 40 s
start=$(date +%s)
end=$(( start + ${PE_REUSE_SECONDS:-4} ))
i=0 seen_a=0 seen_b=0
while { [ "$(date +%s)" -lt "$end" ] || [ $i -lt 30 ] || [ $((seen_a * seen_b)) = 0 ]; } &&
      [ "$(date +%s)" -lt $(( start + 40 )) ]; do
	"$PROCEXE" ls --proc "$PROC" -J -o "$COLS" "$N" >"$T/race/$i.json" 2>"$T/race/$i.err"
	echo $? >"$T/race/$i.rc"
	grep -q "reuse-a\"" "$T/race/$i.json" && seen_a=1
	grep -q "reuse-b\"" "$T/race/$i.json" && seen_b=1
	i=$((i + 1))
	[ $i -ge 2000 ] && break
done
send stop
diag "controller: $REPLY_LINE; $i listings"

# Judge every listing.  Each field points to A, B or neither (the forked
# controller before its exec): a row must not point to both.  UID is 0 for
# A, 65534 for B after the setresuid that precedes B's exec.
"$PYTHON" - "$T/race" "$i" "$N" "$T" "$ino_a" "$ino_b" "$PEJSON" >"$T/verdict" 2>&1 <<'PY'
import json, os, sys
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(sys.argv[7]))
import pejson
d, n, pid, t, ino_a, ino_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
counts = {'A': 0, 'B': 0, 'none': 0, 'missing': 0}
bad = []
for i in range(n):
    rc = int(open('%s/%d.rc' % (d, i)).read())
    if rc not in (0, 3):
        bad.append('run %d: exit %d: %s' % (i, rc, open('%s/%d.err' % (d, i)).read()[:200]))
        continue
    try:
        doc = pejson.load('%s/%d.json' % (d, i))
    except Exception as e:
        bad.append('run %d: invalid JSON: %s' % (i, e))
        continue
    rows = doc['processes']
    if rc == 3:
        if rows:
            bad.append('run %d: exit 3 but rows %r' % (i, rows))
        counts['missing'] += 1
        continue
    if len(rows) != 1 or str(rows[0].get('pid')) != pid:
        bad.append('run %d: rows %r' % (i, rows))
        continue
    r = rows[0]
    sides = set()
    exe = r.get('exe') or ''
    if exe == t + '/reuse-a': sides.add('A')
    if exe == t + '/reuse-b': sides.add('B')
    comm = r.get('comm') or ''
    if comm == 'reuse-a': sides.add('A')
    if comm == 'reuse-b': sides.add('B')
    cmd = r.get('cmdline') or ''
    if 'marker-a' in cmd: sides.add('A')
    if 'marker-b' in cmd: sides.add('B')
    ino = r.get('inode')
    if ino == ino_a: sides.add('A')
    if ino == ino_b: sides.add('B')
    uid = r.get('uid')
    if uid == 65534 and 'A' in sides: sides.add('B')
    if uid == 0 and 'B' in sides: sides.add('A')
    if sides == {'A', 'B'}:
        bad.append('run %d: mixed row %s' % (i, json.dumps(r)))
    elif sides:
        counts[sides.pop()] += 1
    else:
        counts['none'] += 1
print('counts', json.dumps(counts))
for b in bad[:10]:
    print('BAD', b)
sys.exit(1 if bad else 0)
PY
verdict=$?
diag "$(cat "$T/verdict")"
is "$verdict" 0 "no listing mixed A and B (or failed)"
counts=$(sed -n 's/^counts //p' "$T/verdict")
a=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["A"])' "$counts" 2>/dev/null || echo 0)
b=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["B"])' "$counts" 2>/dev/null || echo 0)
if [ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ]; then
	ok "the race was exercised: rows of both A ($a) and B ($b) seen"
else
	nok "the race was exercised: rows of both A and B seen" "counts: $counts"
fi

# --- finally A again: the listing follows the PID's new holder
send a
J=$T/final.json
"$PROCEXE" ls --proc "$PROC" -J -o "$COLS" "$N" >"$J" 2>"$J.err"
check "after the race, A again: exe is reuse-a" jeq "$J" "$N" exe "$T/reuse-a"
exec 3>&-
