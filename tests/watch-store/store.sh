#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The content store of procexe watch (src/watch-store.c through the
# wstore-keep driver), as root: 3 distinct files and a duplicate give 3
# copies named by their sha256sum, mode 0400, owned by root, and 4
# manifest lines (valid JSON, record "stored", "new" true 3 times); a
# symlink planted as DIR or as DIR/manifest.jsonl is refused and its
# target untouched; a full cap (max bytes, min free) gives "store-full"
# and no file.
. "$PE_SRCDIR/lib.sh"

K=${WSTORE_KEEP:?WSTORE_KEEP must name the wstore-keep driver}
need_root "the store runs as root"
command -v sha256sum >/dev/null || skip_all "no sha256sum"

plan 21

for i in 1 2 3; do
	head -c $((20000 * i + 7)) /dev/urandom >"$T/f$i"
done
cp "$T/f2" "$T/dup"
S=$T/store
"$K" "$S" 0 0 "$T/f1" "$T/f2" "$T/f3" "$T/dup" >"$T/out" 2>"$T/err"
is "$?" 0 "the driver ran"
is "$(awk '$4 == 1' "$T/out" | wc -l)" 3 "3 new copies"
is "$(awk '$4 == 0 && $2 != "-"' "$T/out" | wc -l)" 1 "the duplicate refers to a stored copy"
is "$(awk '$5 != 0 || $3 != "-"' "$T/out" | wc -l)" 0 "no error, nothing missed"
is "$(sed -n 4p "$T/out" | cut -d' ' -f2)" "$(sha256sum <"$T/f2" | cut -d' ' -f1)" \
	"the duplicate's copy is f2's content"
is "$(find "$S" -mindepth 1 -name manifest.jsonl -prune -o -print | wc -l)" 3 "3 files in the store"
bad=0
for i in 1 2 3; do
	h=$(sha256sum <"$T/f$i" | cut -d' ' -f1)
	[ -f "$S/$h" ] && [ ! -L "$S/$h" ] || { bad=1; diag "no copy $h"; continue; }
	[ "$(sha256sum <"$S/$h" | cut -d' ' -f1)" = "$h" ] || { bad=1; diag "$h: other content"; }
	[ "$(stat -c '%a %u' "$S/$h")" = "400 0" ] || { bad=1; diag "$h: $(stat -c '%a %u' "$S/$h")"; }
done
is "$bad" 0 "each copy is named by its sha256sum, mode 0400, root's"
is "$(stat -c %a "$S")" 700 "the store directory is 0700"
is "$(stat -c %a "$S/manifest.jsonl")" 600 "the manifest is 0600"
is "$(wc -l <"$S/manifest.jsonl")" 4 "4 manifest lines"
check "each line is a stored record with the file's sha256" "$PYTHON" -c '
import hashlib, json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"" and len(lines) == 5, lines
news = 0
for raw in lines[:-1]:
    r = json.loads(raw)
    assert list(r)[:9] == ["schema", "command", "record", "time", "sha256", "copy",
                           "size", "new", "exe"], list(r)
    assert (r["schema"], r["command"], r["record"]) == (1, "watch", "stored"), r
    h = hashlib.sha256(open(r["exe"], "rb").read()).hexdigest()
    assert r["sha256"] == h == r["copy"], r
    news += r["new"]
assert news == 3, news
' "$S/manifest.jsonl"

# A second run appends, refers to the stored content, copies nothing.
"$K" "$S" 0 0 "$T/f1" >"$T/out2" 2>"$T/err"
is "$(cut -d' ' -f4,5 "$T/out2")" "0 0" "a later run refers to the stored copy"
is "$(wc -l <"$S/manifest.jsonl")" 5 "and appends its line"

# Symlinks planted as DIR and as DIR/manifest.jsonl.
mkdir -m 700 "$T/victim"
ln -s "$T/victim" "$T/lnk"
"$K" "$T/lnk" 0 0 "$T/f1" >"$T/out" 2>"$T/err"
is "$?" 2 "a symlink as DIR is refused"
is "$(ls -A "$T/victim" | wc -l)" 0 "nothing written through it"
mkdir -m 700 "$T/s2"
ln -s "$T/victim/m" "$T/s2/manifest.jsonl"
"$K" "$T/s2" 0 0 "$T/f1" >"$T/out" 2>"$T/err"
is "$?" 2 "a symlink as DIR/manifest.jsonl is refused"
check "the symlink's target is not created" test ! -e "$T/victim/m"

# Full caps: hashed only, "store-full", no file.
"$K" "$T/s3" 50000 0 "$T/f1" "$T/f2" >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f3 "$T/out" | tr '\n' ' ')" "- store-full " "past max bytes: store-full"
is "$(sed -n 2p "$T/out" | cut -d' ' -f1,2)" "$(sha256sum <"$T/f2" | cut -d' ' -f1) -" \
	"hashed, not copied"
"$K" "$T/s4" 0 $((1 << 62)) "$T/f1" >"$T/out" 2>"$T/err"
is "$(cut -d' ' -f2,3 "$T/out")" "- store-full" "below min free: store-full"
is "$(ls -A "$T/s4")" manifest.jsonl "no file but the manifest"
