#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Interpreted programs: real python3, perl, bash and dash processes started
# on script files.  Untouched scripts, "python3 -c CODE FILE" and "sh -c
# CMD" give no row; a script replaced by rename (relative and absolute
# names), written in place (a while after its birth), or deleted gives a
# row of type script with reason replaced, modified or deleted; explain
# agrees; "bash /dev/fd/3" is not judged (magic link).  A dash in a chroot runs "/c/s.sh", which exists only inside the
# chroot: resolved there (no false "deleted"), replaced there (a row).
. "$(dirname "$0")/restart-lib.sh"

PY=
for c in /usr/bin/python3 "$PYTHON"; do
	# the interpreter itself, not a version manager's shell shim
	if [ -x "$c" ] && "$c" -c 'import os, sys; sys.exit(os.path.basename(os.path.realpath(sys.executable)).startswith("python") == False)'; then
		PY=$c
		break
	fi
done
[ -n "$PY" ] || skip_all "no python3 interpreter"
PERL=$(command -v perl) || skip_all "perl not found"
BASH=$(command -v bash) || skip_all "bash not found"
DASH=$(command -v dash) || skip_all "dash not found"

plan 27

D=$T/s
mkdir "$D"
PYSRC='import os, time
print("ready", os.getpid(), flush=True)
time.sleep(600)
'
for n in keep rep del mod; do
	printf '%s' "$PYSRC" >"$D/$n.py"
done
printf 'use strict; $| = 1; print "ready $$\\n"; sleep 600;\n' >"$D/p.pl"
printf 'echo ready $$\nsleep 600\n' >"$D/b.sh"
printf 'echo ready $$\nsleep 600\n' >"$D/d.sh"
printf 'echo ready $$\nsleep 600\n' >"$D/fd.sh"
t0=$(date +%s.%N)

# the chroot: dash, its libraries, a fifo to block on, the script
CH=
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null && command -v ldd >/dev/null; then
	CH=$T/root
	mkdir -p "$CH/bin" "$CH/c"
	cp "$DASH" "$CH/bin/dash"
	for l in $(ldd "$DASH" | grep -o '/[^ ]*'); do
		mkdir -p "$CH$(dirname "$l")" && cp -L "$l" "$CH$l"
	done
	mkfifo "$CH/c/fifo"
	printf 'echo ready $$\nexec 3<>/c/fifo\nread x <&3\n' >"$CH/c/s.sh"
fi

declare -A P
started=1
sf() {
	if start_fixture "$1" "$T/out.$1" "${@:2}"; then P[$1]=$FIXTURE_PID; else started=0; fi
}
sf keep "$PY" -u "$D/keep.py"
sf rep run_in "$D" "$PY" rep.py
sf del "$PY" "$D/del.py"
sf mod "$PY" -B "$D/mod.py"
sf pyc run_in "$D" "$PY" -c 'import os, time; print("ready", os.getpid(), flush=True); time.sleep(600)' gone.py
sf shc "$DASH" -c 'echo ready $$; sleep 600; :'
sf perl "$PERL" -w "$D/p.pl"
sf bash "$BASH" -e "$D/b.sh"
sf dash "$DASH" "$D/d.sh"
# bash reading its script through a magic link: never followed
sf fdsh sh -c 'exec "$0" /dev/fd/3 3<"$1"' "$BASH" "$D/fd.sh"
if [ -n "$CH" ]; then
	sf chroot chroot "$CH" /bin/dash /c/s.sh
fi
fixtures_started "python3, perl, bash, dash (and chroot) processes started"
ALL=("${P[@]}")

J=$T/before.json
restartj "$J" "${ALL[@]}"
status_is "$J" 0 "untouched scripts: nothing to restart"
rows_is "untouched scripts: no row" "$J" 0
if [ -n "$CH" ]; then
	rows_is "chroot: /c/s.sh, absent from the host, resolved inside: no row" "$J" 0 \
		pid="${P[chroot]}"
else
	skip "chroot: needs root, chroot(8) and ldd"
fi

# the changes: by rename, by deletion, in place a while after the births
printf '%s# v2\n' "$PYSRC" >"$D/rep.py.new" && mv "$D/rep.py.new" "$D/rep.py"
rm "$D/del.py" "$D/d.sh" "$D/fd.sh"
printf 'print "v2";\n' >"$D/p.pl.new" && mv "$D/p.pl.new" "$D/p.pl"
printf 'echo v2\n' >"$D/b.sh.new" && mv "$D/b.sh.new" "$D/b.sh"
[ -n "$CH" ] && printf 'echo v2\n' >"$CH/c/s.sh.new" && mv "$CH/c/s.sh.new" "$CH/c/s.sh"
settle_since "$t0" "$PE_SETTLE"
printf '# written in place\n' >>"$D/mod.py"

J=$T/after.json
restartj "$J" "${ALL[@]}"
status_is "$J" 1 "changed scripts: something must restart"
finding "python3, relative name replaced by rename: script replaced" "$J" \
	pid="${P[rep]}" type=script reason=replaced path=rep.py category=restart
finding "python3, script deleted: script deleted, no identity" "$J" \
	pid="${P[del]}" type=script reason=deleted path="$D/del.py" dev=null inode=null
finding "python3 -B, script written in place: script modified" "$J" \
	pid="${P[mod]}" type=script reason=modified path="$D/mod.py"
finding "perl -w, script replaced" "$J" pid="${P[perl]}" type=script reason=replaced path="$D/p.pl"
finding "bash -e, script replaced" "$J" pid="${P[bash]}" type=script reason=replaced path="$D/b.sh"
finding "dash, script deleted" "$J" pid="${P[dash]}" type=script reason=deleted path="$D/d.sh"
ino=$(stat -c %i "$D/rep.py")
is "$(rget "$J" inode pid="${P[rep]}" type=script)" "$ino" "replaced: INODE is the file standing there now"
rows_is "untouched script: still no row" "$J" 0 pid="${P[keep]}"
rows_is "python3 -c CODE gone.py: no script file, no row" "$J" 0 pid="${P[pyc]}"
rows_is "sh -c CMD: no script file, no row" "$J" 0 pid="${P[shc]}"
rows_is "bash /dev/fd/3: a magic link is not followed, no row" "$J" 0 pid="${P[fdsh]}"
nscripts=6
[ -z "$CH" ] || nscripts=7
rows_is "one row per changed script, nothing else" "$J" "$nscripts" type=script
rows_is "no row but the scripts'" "$J" 0 type=exe
rows_is "no library row" "$J" 0 type=lib
if [ -n "$CH" ]; then
	finding "chroot: /c/s.sh replaced inside the chroot" "$J" \
		pid="${P[chroot]}" type=script reason=replaced path=/c/s.sh
else
	skip "chroot: needs root, chroot(8) and ldd"
fi

# the documents follow docs/schema-v1.json (type script)
VALIDATE=$PE_RESTART_DIR/../schema/validate.py
SCHEMA=$PE_RESTART_DIR/../../docs/schema-v1.json
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	check "restart -J with script rows follows the schema" \
		"$PYTHON" "$VALIDATE" "$SCHEMA" --status 1 "$J"
else
	skip "python3-jsonschema not installed"
fi

# --jsonl, the table and explain say the same
L=$T/after.jsonl
restartx "$L" --jsonl "${P[rep]}"
check "--jsonl: valid restart lines" rsj valid "$L"
finding "--jsonl: the replaced script" "$L" pid="${P[rep]}" type=script reason=replaced
X=$T/explain.json
"$PROCEXE" explain -J "${P[mod]}" >"$X" 2>"$X.err"
is "$?" 1 "explain: the process with a modified script is flagged (exit 1)"
check "explain -J: attention names mapped, the mapping is the script" \
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
m = [x for x in d["process"]["mappings"] if x.get("script")]
assert "mapped" in d["process"]["attention"], d["process"]["attention"]
assert len(m) == 1 and m[0]["state"] == "modified" and m[0]["map_files"] is None, m' "$X"
EXJSON=$PE_RESTART_DIR/../explain/exjson.py
X2=$T/explain-del.json
"$PROCEXE" explain -J "${P[del]}" >"$X2" 2>"$X2.err"
check "explain -J of a deleted script: valid (script entry, dev and inode null)" \
	"$PYTHON" "$EXJSON" valid "$X2"
check "explain -J of a modified script: valid" "$PYTHON" "$EXJSON" valid "$X"
