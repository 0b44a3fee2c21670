#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Safety of procexe recover: a DIR that is a symlink or not the caller's is
# refused; planted files and symlinks named like the outputs are neither
# followed nor overwritten (nothing outside DIR is written); a read-only
# or full target gives a clear error and no partial file; an unwritable
# DIR (read-only mount, immutable, a 0555 one for nobody; or one that
# cannot be created there) is refused before any process is read, naming
# DIR, status 2, nothing created; an unprivileged caller recovers its own
# processes and is told why others fail.
. "$PE_SRCDIR/lib.sh"

M="$PE_RECOVER_SRCDIR/manifest.py"
mf() { "$PYTHON" "$M" "$@"; }
# fail_says FILE PID TEXT: PID's failure in manifest FILE has TEXT in its error
fail_says() { mf fail "$1" "$2" error | grep -qF -- "$3"; }

S=$PE_HELPERS/pe-spin
[ -x "$S" ] || skip_all "no pe-spin"
need_root "mounts tmpfs, runs as nobody"

plan 38

D=$T/bin
mkdir "$D"
SHA=$(sha256sum <"$S" | cut -d' ' -f1)
cp "$S" "$D/prog"
settle "$D/prog"
start_fixture prog "$T/o.prog" "$D/prog" m || { skip_rest all "fixture did not start"; exit 0; }
P=$FIXTURE_PID
rm "$D/prog"
NAME=prog-${SHA:0:16}

# only_manifests DIR: DIR holds nothing but manifest files
only_manifests() {
	[ -z "$(find "$1" -mindepth 1 ! -name 'manifest*.json' -print -quit)" ]
}

# ---- DIR is a symlink
mkdir "$T/real"
ln -s "$T/real" "$T/link"
"$PROCEXE" recover -d "$T/link" "$P" >/dev/null 2>"$T/link.err"
is "$?" 2 "DIR symlink: refused with status 2"
check "DIR symlink: says so" grep -q 'symbolic link' "$T/link.err"
is "$(ls -A "$T/real")" "" "DIR symlink: nothing written behind it"

# ---- DIR not owned by the caller
mkdir "$T/other"
chown 65534 "$T/other"
"$PROCEXE" recover -d "$T/other" "$P" >/dev/null 2>"$T/other.err"
is "$?" 2 "DIR of another user: refused"
check "DIR of another user: says so" grep -q 'not owned by you' "$T/other.err"
is "$(ls -A "$T/other")" "" "DIR of another user: nothing written"

# ---- DIR holding symlinks and files named like the outputs
O=$T/planted
mkdir -m 700 "$O"
echo mine >"$O/$NAME"
ln -s "$T/victim" "$O/$NAME-2"
ln -s "$T/victim-m" "$O/manifest.json"
ln -s "$T/victim-d" "$O/sub"
"$PROCEXE" recover -d "$O" "$P" >"$T/planted.out" 2>"$T/planted.err"
is "$?" 0 "planted names: recover succeeded"
is "$(cat "$O/$NAME")" mine "planted names: existing file untouched"
check "planted names: symlink target outside not created" test ! -e "$T/victim"
check "planted names: manifest symlink not followed" test ! -e "$T/victim-m"
check "planted names: the image went to a fresh name" cmp "$O/$NAME-3" "$S"
check "planted names: manifest written under a fresh name" mf check "$O/manifest-2.json"
is "$(mf get "$O/manifest-2.json" "$P" copy)" "$NAME-3" "planted names: manifest names the fresh file"
is "$(find "$T" -maxdepth 1 -newer "$O/$NAME" -name 'victim*' | wc -l)" 0 "planted names: nothing written outside DIR"

# unwritable WHAT DIR VERB ERR [RUNNER...]: recover -d DIR P refused before
# any process is read: status 2, "procexe: cannot VERB DIR: ERR", no line
# about the process, nothing on stdout
unwritable() {
	local what=$1 dir=$2 verb=$3 err=$4
	shift 4
	"$@" "$PROCEXE" recover -d "$dir" "$P" >"$T/uw.out" 2>"$T/uw.err"
	is "$?" 2 "$what: status 2"
	if [ "$(cat "$T/uw.err")" = "procexe: cannot $verb $dir: $err" ] && [ ! -s "$T/uw.out" ]; then
		ok "$what: the error names the directory, and only it"
	else
		nok "$what: the error names the directory, and only it" "$(cat "$T/uw.err")"
	fi
}

# ---- read-only target
mkdir "$T/ro"
if mount -t tmpfs -o ro,mode=700 pe-rec-ro "$T/ro" 2>/dev/null; then
	track_mount "$T/ro"
	unwritable "read-only target" "$T/ro" "write to" "Read-only file system"
	is "$(ls -A "$T/ro")" "" "read-only target: no file left"
	unwritable "new DIR on a read-only mount" "$T/ro/new" create "Read-only file system"
else
	skip_n 5 read-only "cannot mount tmpfs"
fi

# ---- immutable DIR, and a new DIR in an immutable directory
mkdir -m 700 "$T/imm"
if chattr +i "$T/imm" 2>/dev/null; then
	unwritable "immutable DIR" "$T/imm" "write to" "Operation not permitted"
	unwritable "new DIR in an immutable directory" "$T/imm/new" create "Operation not permitted"
	chattr -i "$T/imm"
	is "$(ls -A "$T/imm")" "" "immutable: nothing created"
else
	skip_n 5 immutable "chattr +i not supported on the scratch filesystem"
fi

# ---- full target: 64 KiB of space, a 1 MiB image
mkdir "$T/full"
cp "$S" "$D/big"
head -c 1048576 /dev/urandom >>"$D/big"
settle "$D/big"
if mount -t tmpfs -o size=64k,mode=700 pe-rec-full "$T/full" 2>/dev/null &&
   track_mount "$T/full" && start_fixture big "$T/o.big" "$D/big" m; then
	B=$FIXTURE_PID
	rm "$D/big"
	"$PROCEXE" recover -d "$T/full" "$B" >/dev/null 2>"$T/full.err"
	is "$?" 3 "full target: status 3 (not recovered)"
	check "full target: clear ENOSPC error" grep -q 'No space left' "$T/full.err"
	check "full target: no partial file left" only_manifests "$T/full"
	check "full target: failure in the manifest" \
		fail_says "$T/full/manifest.json" "$B" "No space left on device"
	kill_tracked "$B"
else
	skip_n 4 full "cannot mount tmpfs or start the fixture"
fi

# ---- unprivileged caller: its own process only
NB=$T/nb
mkdir "$NB"
chown 65534:65534 "$NB"
cp "$S" "$NB/nbprog"
chown 65534:65534 "$NB/nbprog"
settle "$NB/nbprog"
if start_fixture nobody "$T/o.nb" setpriv --reuid=65534 --regid=65534 --clear-groups "$NB/nbprog" m; then
	N=$FIXTURE_PID
	rm "$NB/nbprog"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PROCEXE" recover -d "$NB/out" "$N" "$P" >"$T/nb.out" 2>"$T/nb.err"
	is "$?" 3 "nobody: status 3 (one not recovered)"
	check "nobody: own process recovered" cmp "$NB/out/$(mf get "$NB/out/manifest.json" "$N" copy)" "$S"
	check "nobody: root's process: clear message" grep -q "PID $P.*run as root" "$T/nb.err"
	is "$(mf fail "$NB/out/manifest.json" "$P" pid)" "$P" "nobody: root's process listed as a failure"
	is "$(stat -c %U "$NB/out")" nobody "nobody: DIR belongs to the caller"
	mkdir -m 555 "$NB/ro555"
	chown 65534:65534 "$NB/ro555"
	unwritable "nobody, own DIR of mode 0555" "$NB/ro555" "write to" "Permission denied" \
		setpriv --reuid=65534 --regid=65534 --clear-groups
	unwritable "nobody, new DIR in a 0555 directory" "$NB/ro555/new" create "Permission denied" \
		setpriv --reuid=65534 --regid=65534 --clear-groups
	is "$(ls -A "$NB/ro555")" "" "nobody, 0555: nothing created"
	kill_tracked "$N"
else
	skip_n 10 nobody "fixture did not start"
fi
kill_tracked "$P"
