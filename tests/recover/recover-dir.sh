#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The output directory of procexe recover, run as root while an
# unprivileged user (nobody) plants symlinks and directories under a
# sticky world-writable directory: a symlink anywhere in DIR (also before a
# final "/" or "/.", or followed by "/..") is refused, so is a directory on
# the way that is not root's (or is writable by others without the sticky
# bit); nothing is ever written into a victim directory and no victim's
# mode changes, also while nobody swaps the directories of the path with
# renameat2(RENAME_EXCHANGE).  The legitimate cases still work: a new DIR
# is created 0700 whatever the umask, an existing own DIR, a relative DIR,
# ".." between checked directories, a sticky parent like /tmp.
. "$PE_SRCDIR/lib.sh"

M="$PE_RECOVER_SRCDIR/manifest.py"
mf() { "$PYTHON" "$M" "$@"; }

S=$PE_HELPERS/pe-spin
SW=$PE_HELPERS/pe-swap
[ -x "$S" ] || skip_all "no pe-spin"
[ -x "$SW" ] || skip_all "no pe-swap"
need_root "runs as nobody against root"
command -v setpriv >/dev/null || skip_all "no setpriv"

plan 69

asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

D=$T/bin
mkdir "$D"
cp "$S" "$D/prog"
settle "$D/prog"
start_fixture prog "$T/o.prog" "$D/prog" m || { skip_rest all "fixture did not start"; exit 0; }
P=$FIXTURE_PID
rm "$D/prog"

PUB=$T/pub
mkdir -m 1777 "$PUB"
V=$T/victim
mkdir -m 755 "$V"

# victim_intact WHAT: $V still empty and 0755
victim_intact() {
	is "$(ls -A "$V")" "" "$1: nothing written into the victim"
	is "$(stat -c %a "$V")" 755 "$1: victim mode unchanged"
}

# refused WHAT PATTERN DIR: recover -d DIR fails with status 2 and says PATTERN
refused() {
	local what=$1 pat=$2 dir=$3
	"$PROCEXE" recover -d "$dir" "$P" >/dev/null 2>"$T/err"
	is "$?" 2 "$what: refused with status 2"
	if grep -qF -- "$pat" "$T/err"; then
		ok "$what: says '$pat'"
	else
		nok "$what: says '$pat'" "$(cat "$T/err")"
	fi
}

# ---- symlinks planted by nobody under the sticky directory
asnobody ln -s "$V" "$PUB/ev"
refused "symlink DIR" "symbolic link" "$PUB/ev"
refused "symlink DIR/" "symbolic link" "$PUB/ev/"
refused "symlink DIR/." "symbolic link" "$PUB/ev/."
refused "symlink DIR//./" "symbolic link" "$PUB/ev//./"
victim_intact "symlink final component"
refused "symlink/../victim" "$PUB/ev is a symbolic link" "$PUB/ev/../victim"
refused "symlink/../new" "symbolic link" "$PUB/ev/../made"
check "symlink/..: nothing created beside the victim" test ! -e "$T/made"
asnobody ln -s "$V" "$PUB/lnk"
refused "symlinked parent" "$PUB/lnk is a symbolic link" "$PUB/lnk/sub"
refused "symlinked parent, then .." "$PUB/lnk is a symbolic link" "$PUB/lnk/../sub"
victim_intact "symlinked parent"
check "symlinked parent: no sub created" test ! -e "$T/sub"

# ---- untrusted directories on the way
asnobody mkdir -m 755 "$PUB/nd"
refused "nobody's directory on the way" "$PUB/nd is not owned by root or you" "$PUB/nd/out"
check "nobody's directory: nothing created in it" test ! -e "$PUB/nd/out"
# checked before the processes: a missing PID does not hide the refusal
"$PROCEXE" recover -d "$PUB/nd/out" 999999999 >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:procexe: $PUB/nd/out: $PUB/nd is not owned by root or you, or is writable by others without the sticky bit: refused" \
	"nobody's directory on the way, missing PID: refused first (status 2)"
refused "nobody's directory, then .." "$PUB/nd is not owned" "$PUB/nd/../x"
check "nobody's directory, then ..: nothing created" test ! -e "$PUB/x"
mkdir "$T/ow"
chmod 0777 "$T/ow"
refused "other-writable directory on the way" "$T/ow is not owned by root or you, or is writable" "$T/ow/out"
check "other-writable directory: nothing created" test ! -e "$T/ow/out"
mkdir "$T/gw"
chmod 0775 "$T/gw"
refused "group-writable directory on the way" "$T/gw is not owned" "$T/gw/out"
mkdir "$T/gw/out"
refused "group-writable directory, existing DIR" "$T/gw is not owned" "$T/gw/out"
is "$(ls -A "$T/gw/out")" "" "group-writable directory: nothing written below it"

# ---- the final directory: a symlink made by root, another user's, shared
mkdir "$T/real"
ln -s "$T/real" "$T/link"
refused "root's symlink DIR" "is a symbolic link" "$T/link"
is "$(ls -A "$T/real")" "" "root's symlink DIR: nothing written behind it"
mkdir "$T/other"
chown 65534 "$T/other"
refused "DIR of another user" "not owned by you" "$T/other"
mkdir "$T/shared"
chmod 0777 "$T/shared"
refused "DIR of yours writable by others" "is writable by others" "$T/shared"
is "$(find "$T/other" "$T/shared" -mindepth 1 | wc -l)" 0 "foreign and shared DIR: nothing written"
refused "missing parent" "$PUB/nope does not exist" "$PUB/nope/out"

# ---- legitimate directories
(umask 0777 && "$PROCEXE" recover -d "$PUB/u777" "$P" >/dev/null 2>"$T/u777.err")
is "$?" 0 "new DIR under umask 0777: recovered"
is "$(stat -c %a:%U "$PUB/u777")" 700:root "new DIR under umask 0777: mode 0700"
(umask 0 && "$PROCEXE" recover -d "$PUB/u000/" "$P" >/dev/null 2>"$T/u000.err")
is "$?" 0 "new DIR under umask 0 (trailing /): recovered"
is "$(stat -c %a "$PUB/u000")" 700 "new DIR under umask 0: mode 0700"
check "new DIR: the image is there" cmp "$PUB/u000/$(mf get "$PUB/u000/manifest.json" "$P" copy)" "$S"
(umask 0777 && asnobody "$PROCEXE" recover -d "$PUB/nb777" "$P" >/dev/null 2>"$T/nb777.err")
isnt "$?" 2 "nobody, new DIR under umask 0777: DIR accepted"
is "$(stat -c %a:%U "$PUB/nb777")" 700:nobody "nobody, new DIR under umask 0777: mode 0700"
mkdir -m 700 "$T/mine"
"$PROCEXE" recover -d "$T/mine/." "$P" >/dev/null 2>"$T/mine.err"
is "$?" 0 "existing own DIR: recovered"
check "existing own DIR: manifest written" test -f "$T/mine/manifest.json"
(cd "$PUB" && "$PROCEXE" recover -d rel "$P" >/dev/null 2>"$T/rel.err")
is "$?" 0 "relative DIR: recovered"
is "$(stat -c %a "$PUB/rel")" 700 "relative DIR: created 0700 in the working directory"
"$PROCEXE" recover -d "$PUB/u777/../dd" "$P" >/dev/null 2>"$T/dd.err"
is "$?" 0 ".. between checked directories: recovered"
check ".. between checked directories: DIR created beside" test -f "$PUB/dd/manifest.json"

# ---- the rename race: nobody swaps its directory userdir with another one
# holding a root-owned directory "out" while root recovers into userdir/out
asnobody mkdir -m 755 "$PUB/userdir" "$PUB/alt"
mkdir -m 755 "$PUB/alt/out"
RV=$PUB/alt/out
RVINO=$(stat -c %i "$RV")
start_fixture swap "$T/o.swap" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$SW" "$PUB/userdir" "$PUB/alt" 30
rc=$?
if [ $rc = 0 ]; then
	SWP=$FIXTURE_PID
	n=0 bad=0 inos=
	end=$((SECONDS + 10))
	while [ $n -lt 200 ] && [ $SECONDS -lt $end ]; do
		"$PROCEXE" recover -d "$PUB/userdir/out" "$P" >/dev/null 2>"$T/race.err"
		[ $? = 2 ] || bad=$((bad + 1))
		inos+=" $(stat -c %i "$PUB/userdir" 2>/dev/null)"
		# what the attacker would do after a run that created userdir/out
		# (nobody may rename it in its own directory): move it away, so
		# that the next run creates it again
		for o in "$PUB/userdir/out" "$PUB/alt/out"; do
			i=$(stat -c %i "$o" 2>/dev/null) && [ "$i" != "$RVINO" ] &&
				mv -T "$o" "$PUB/moved.$n" 2>/dev/null
		done
		n=$((n + 1))
	done
	kill_tracked "$SWP"
	{ wait "$SWP"; } 2>/dev/null
	RV=$(find "$PUB" -inum "$RVINO")
	diag "race: $n runs"
	is "$bad" 0 "race: every run refused"
	isnt "$(tr ' ' '\n' <<<"$inos" | sort -u | grep -c .)" 1 "race: the directories were being swapped"
	out=$(find "$PUB/userdir" "$PUB/alt" -mindepth 1 ! -inum "$RVINO" -print)
	is "$out" "" "race: nothing created in either directory"
	is "$(ls -A "$RV")" "" "race: nothing written into the root-owned directory"
	is "$(stat -c %a:%U "$RV")" 755:root "race: the root-owned directory's mode unchanged"
	check "race: the error names userdir" grep -q "$PUB/userdir is not owned by root or you" "$T/race.err"
else
	skip_n 6 race "swapper did not start (rc=$rc)"
fi
victim_intact "end"
is "$(find "$T" -type f ! -path "$T/o.*" ! -name '*.err' ! -path "$T/err" \
	! -path "$T/stderr.log" ! -path "$T/mine/*" ! -path "$PUB/u777/*" ! -path "$PUB/u000/*" \
	! -path "$PUB/rel/*" ! -path "$PUB/dd/*" ! -path "$PUB/nb777/*" -print | head -n 20)" "" "no file anywhere but in the accepted DIRs"
kill_tracked "$P"
