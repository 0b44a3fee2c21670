#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe metrics --textfile DIR: DIR/procexe.prom replaced atomically.
# Afterwards DIR holds procexe.prom only (no temporary file), mode 0644
# whatever the umask, nothing on stdout; the old file is replaced, not
# written in place (a hard link to it keeps its content); a reader never
# sees a partial file nor another *.prom name; a failed run keeps the old
# file.  A symlink never makes procexe write elsewhere: at DIR, on the
# way to DIR, or at DIR/procexe.prom (the link itself is replaced, its
# target untouched).  As root, a DIR owned by another user is accepted
# (node_exporter's directory usually is).
. "$(dirname "$0")/metrics-lib.sh"

plan 21

TF=$T/tf
mkdir "$TF"
V=$T/victim
printf 'victim\n' >"$V"

# --- a plain run, umask 077
(umask 077 && exec "$PROCEXE" metrics -q --textfile "$TF" >"$T/out" 2>"$T/err")
rc=$?
case $rc in
0 | 1 | 3) ok "--textfile: status $rc" ;;
*) nok "--textfile: status 0, 1 or 3" "status $rc: $(cat "$T/err")" ;;
esac
is "$(ls -A "$TF")" procexe.prom "DIR holds procexe.prom only"
is "$(stat -c '%a %u %F' "$TF/procexe.prom")" "644 $(id -u) regular file" \
	"procexe.prom: mode 0644 despite umask 077, ours, a regular file"
is "$(wc -c <"$T/out")" 0 "nothing on stdout"
check "procexe.prom is well formed" prom check "$TF/procexe.prom"

# --- replaced, not rewritten: a hard link to the old file keeps its content
ino=$(stat -c %i "$TF/procexe.prom")
ln "$TF/procexe.prom" "$T/old-link"
old=$(cat "$T/old-link")
metrics "$T/r2" -q --textfile "$TF"
isnt "$(stat -c %i "$TF/procexe.prom")" "$ino" "a second run gives procexe.prom a new inode"
is "$(cat "$T/old-link")" "$old" "the old file (a hard link to it) is left as it was"

# --- a failed run keeps the old file
ino=$(stat -c %i "$TF/procexe.prom")
metrics "$T/fail" -q --textfile "$TF" --proc "$T/no-proc"
is "$RS_RC:$(stat -c %i "$TF/procexe.prom"):$(ls -A "$TF")" "2:$ino:procexe.prom" \
	"a run that cannot scan: status 2, procexe.prom untouched, no temporary file"

# --- procexe.prom a symlink to a victim: the link is replaced, not followed
rm "$TF/procexe.prom"
ln -s "$V" "$TF/procexe.prom"
metrics "$T/s1" -q --textfile "$TF"
is "$(cat "$V")|$(stat -c %F "$TF/procexe.prom")" "victim|regular file" \
	"DIR/procexe.prom -> victim: victim untouched, the link replaced by a file"

# --- DIR a symlink to a directory
mkdir "$T/elsewhere"
ln -s "$T/elsewhere" "$T/tf-link"
metrics "$T/s2" -q --textfile "$T/tf-link"
is "$RS_RC:$(ls -A "$T/elsewhere")" "2:" "DIR a symlink: status 2, nothing written through it"
check "DIR a symlink: the error names the directory and says why" \
	grep -q "tf-link: Too many levels of symbolic links" "$T/s2.err"

# --- a symlink on the way to DIR
mkdir -p "$T/real/tf"
ln -s "$T/real" "$T/via"
metrics "$T/s3" -q --textfile "$T/via/tf"
is "$RS_RC:$(ls -A "$T/real/tf")" "2:" "a symlink on the way: status 2, nothing written"
metrics "$T/s3b" -q --textfile "$T/real/../real/tf"
is "$(ls -A "$T/real/tf")" procexe.prom "\"..\" on the way (no symlink): written"

# --- DIR missing, a file, or procexe.prom a directory
metrics "$T/e1" -q --textfile "$T/missing"
is "$RS_RC:$(ls -d "$T/missing" 2>/dev/null)" "2:" "DIR missing: status 2, not created"
metrics "$T/e2" -q --textfile "$V"
is "$RS_RC:$(cat "$V")" "2:victim" "DIR a regular file: status 2, the file untouched"
mkdir "$T/tfd" "$T/tfd/procexe.prom"
metrics "$T/e3" -q --textfile "$T/tfd"
is "$RS_RC:$(ls -A "$T/tfd")" "2:procexe.prom" \
	"procexe.prom a directory: status 2, no temporary file left"

# --- a reader never sees a part, nor another *.prom name
rm -f "$T/stop"
"$PYTHON" - "$TF" "$T/stop" >"$T/reader.out" 2>&1 <<'PY' &
import os, sys, time
d, stop = sys.argv[1], sys.argv[2]
reads = bad = names = 0
end = time.monotonic() + 60
while not os.path.exists(stop) and time.monotonic() < end:
    for n in os.listdir(d):
        if n.endswith('.prom') and n != 'procexe.prom':
            names += 1
    try:
        data = open(os.path.join(d, 'procexe.prom'), 'rb').read()
    except FileNotFoundError:
        bad += 1
        continue
    reads += 1
    if not data.endswith(b'\n') or b'\nprocexe_scan_complete ' not in data:
        bad += 1
print(reads, bad, names)
PY
READER=$!
track_pid "$READER"
for ((i = 0; i < 15; i++)); do
	"$PROCEXE" metrics -q --textfile "$TF" >/dev/null 2>&1
done
: >"$T/stop"
wait "$READER"
read -r reads bad names <"$T/reader.out"
check "a reader during 15 rewrites read the file ($reads reads)" test "${reads:-0}" -gt 0
is "${bad:-?}:${names:-?}" "0:0" "no partial or missing file, no other *.prom name seen"
is "$(ls -A "$TF")" procexe.prom "after 15 rewrites: procexe.prom only"

# --- a directory owned by another user (node_exporter's, usually)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/foreign/tf"
	chown nobody "$T/foreign" "$T/foreign/tf"
	metrics "$T/f" -q --textfile "$T/foreign/tf"
	is "$(ls -A "$T/foreign/tf"):$(stat -c '%a %u' "$T/foreign/tf/procexe.prom" 2>&1)" \
		"procexe.prom:644 0" "a DIR (and parent) owned by nobody: written, root's, 0644"
	check "a DIR owned by nobody: status 0, 1 or 3" test "$RS_RC" != 2
else
	skip_n 2 "a DIR owned by another user" "needs root and the user nobody"
fi
