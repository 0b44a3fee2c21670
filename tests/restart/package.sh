#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart's PACKAGE (JSON package) after a real dpkg reinstall under
# a running process: a package procexe-test-pkg made here with dpkg-deb
# ships a copy of pe-spin in /usr/lib/procexe-test/ (and, where /lib is a
# link to usr/lib, one under /lib, which the database lists as /lib/... and
# the kernel names /usr/lib/...); both copies run, version 2 (other bytes)
# is installed over version 1 with dpkg -i, and restart names the package
# of both processes (reason replaced), in the table, -J, --jsonl and
# --summary=package.  A process chrooted into a scratch copy of the same
# path is not the host's file: package null; nor is a process whose private
# mount namespace has a directory of the same device bind-mounted over
# /usr/lib/procexe-test, while one in a private mount namespace without
# such a mount runs the host's file.  The package is purged on exit.
. "$(dirname "$0")/restart-lib.sh"

need_root "installing a package with dpkg"
command -v dpkg >/dev/null && command -v dpkg-deb >/dev/null ||
	skip_all "no dpkg or dpkg-deb"
[ -d /var/lib/dpkg/info ] || skip_all "no dpkg database"
PKG=procexe-test-pkg
if dpkg-query -W "$PKG" >/dev/null 2>&1; then
	skip_all "$PKG is installed already (a previous run left it?)"
fi
SPIN=$PE_HELPERS/pe-spin
[ -x "$SPIN" ] || skip_all "no $SPIN"

ALIAS=0
[ "$(readlink /lib)" = usr/lib ] && ALIAS=1

plan 15

purge() {
	dpkg --purge "$PKG" >/dev/null 2>&1
	_pe_cleanup
}
trap purge EXIT

# mkdeb VERSION MARK: $T/v$VERSION.deb holding pe-spin with MARK appended
mkdeb() {
	local d=$T/pkg$1
	mkdir -p "$d/DEBIAN" "$d/usr/lib/procexe-test" || return 1
	cat >"$d/DEBIAN/control" <<CTL || return 1
Package: $PKG
Version: $1
Architecture: $(dpkg --print-architecture)
Maintainer: procexe tests <root@localhost>
Description: procexe test package (removed by the test)
CTL
	cp "$SPIN" "$d/usr/lib/procexe-test/pe-spin" && printf '%s' "$2" >>"$d/usr/lib/procexe-test/pe-spin" ||
		return 1
	if [ "$ALIAS" = 1 ]; then
		mkdir -p "$d/lib/procexe-test-alias" &&
			cp "$d/usr/lib/procexe-test/pe-spin" "$d/lib/procexe-test-alias/pe-spin" || return 1
	fi
	dpkg-deb --root-owner-group -b "$d" "$T/v$1.deb" >/dev/null
}

mkdeb 1 one && mkdeb 2 two
check "two versions of $PKG built" test -s "$T/v1.deb" -a -s "$T/v2.deb"
if ! dpkg -i "$T/v1.deb" >"$T/dpkg1.log" 2>&1; then
	diag "$(tail -n 5 "$T/dpkg1.log")"
	nok "dpkg -i version 1"
	skip_rest "rest" "dpkg -i failed (database locked by another run?)"
	exit 0
fi
ok "dpkg -i version 1"

started=1
start_fixture pkg "$T/pkg.out" /usr/lib/procexe-test/pe-spin pe-rt-pkg || started=0
P1=$FIXTURE_PID
P2=
if [ "$ALIAS" = 1 ]; then
	start_fixture alias "$T/alias.out" /usr/lib/procexe-test-alias/pe-spin pe-rt-pkg || started=0
	P2=$FIXTURE_PID
fi
# the same path in a chroot: a copy of the program's libraries and loader
R=$T/root
mkdir -p "$R/usr/lib/procexe-test"
cp /usr/lib/procexe-test/pe-spin "$R/usr/lib/procexe-test/pe-spin"
for f in $(ldd "$SPIN" | grep -o '/[^ ]*'); do
	mkdir -p "$R$(dirname "$f")" && cp -L "$f" "$R$f"
done
for d in lib lib64 bin; do
	[ -L "/$d" ] && ln -s "$(readlink "/$d")" "$R/$d" 2>/dev/null
done
start_fixture chroot "$T/chroot.out" chroot "$R" /usr/lib/procexe-test/pe-spin pe-rt-pkg || started=0
P3=$FIXTURE_PID
# a private mount namespace, the host's directory
start_fixture privns "$T/privns.out" unshare -m --propagation private \
	/usr/lib/procexe-test/pe-spin pe-rt-pkg || started=0
P4=$FIXTURE_PID
# a private mount namespace with a scratch directory (same device as /usr
# here, likely) bind-mounted over the package's
mkdir -p "$T/over"
cp "$SPIN" "$T/over/pe-spin"
start_fixture overns "$T/overns.out" unshare -m --propagation private sh -c \
	"mount --bind '$T/over' /usr/lib/procexe-test && exec /usr/lib/procexe-test/pe-spin pe-rt-pkg" ||
	started=0
P5=$FIXTURE_PID
fixtures_started "fixtures run from the package, a chroot and private mount namespaces"
# replace the program under the bind mount too
nsenter -t "$P5" -m sh -c 'cp /usr/lib/procexe-test/pe-spin /usr/lib/procexe-test/new &&
	mv /usr/lib/procexe-test/new /usr/lib/procexe-test/pe-spin' 

# replace both: dpkg's new version, and the chroot's file renamed over too
cp "$R/usr/lib/procexe-test/pe-spin" "$R/usr/lib/procexe-test/pe-spin.new"
mv "$R/usr/lib/procexe-test/pe-spin.new" "$R/usr/lib/procexe-test/pe-spin"
if ! dpkg -i "$T/v2.deb" >"$T/dpkg2.log" 2>&1; then
	diag "$(tail -n 5 "$T/dpkg2.log")"
fi
is "$(dpkg-query -W -f '${Version}' "$PKG")" 2 "dpkg -i version 2 over it"

pids="$P1 $P3 $P4 $P5${P2:+ $P2}"
# shellcheck disable=SC2086
restartx "$T/j" -J -o PID,REASON,TYPE,PATH,PACKAGE $pids
is "$(rsj get "$T/j" package pid="$P1" type=exe)" '"procexe-test-pkg"' \
	"-J: the reinstalled program's package (reason $(rsj get "$T/j" reason pid="$P1" type=exe))"
is "$(rsj get "$T/j" reason pid="$P1" type=exe)" '"replaced"' "-J: the program was replaced"
is "$(rsj get "$T/j" package pid="$P3" type=exe)" null \
	"-J: the same path in a chroot is not the host's package"
is "$(rsj get "$T/j" package pid="$P4" type=exe)" '"procexe-test-pkg"' \
	"-J: a private mount namespace seeing the host's directory: the package"
is "$(rsj get "$T/j" package pid="$P5" type=exe)" null \
	"-J: a directory mounted over the package's in a private namespace: no package"
if [ -n "$P2" ]; then
	is "$(rsj get "$T/j" package pid="$P2" type=exe)" '"procexe-test-pkg"' \
		"-J: listed as /lib/..., run as /usr/lib/...: the same package"
else
	skip "merged-/usr alias" "/lib is not a link to usr/lib"
fi
# shellcheck disable=SC2086
restartx "$T/d" -J $pids
is "$(rsj keys "$T/d" | grep -c package)" 0 "without -o PACKAGE no package key"
# shellcheck disable=SC2086
restartx "$T/l" --jsonl -o +PACKAGE $pids
is "$(rsj get "$T/l" package pid="$P1" type=exe)" '"procexe-test-pkg"' "--jsonl: the package"
# shellcheck disable=SC2086
restartx "$T/t" -r -o PID,PACKAGE $pids
check "table: PID and PACKAGE" grep -qx "$P1 procexe-test-pkg" "$T/t"
# shellcheck disable=SC2086
restartx "$T/s" -J --summary=package $pids
got=$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (g["package"], ",".join(map(str, g["pids"]))) for g in d["packages"]))
' "$T/s")
want="procexe-test-pkg=$(echo "$P1 $P4${P2:+ $P2}" | tr ' ' '\n' | sort -n | paste -sd,)"
want="$want None=$(echo "$P3 $P5" | tr ' ' '\n' | sort -n | paste -sd,)"
is "$got" "$want" "--summary=package: the package's processes, the chroot's apart"
# shellcheck disable=SC2086
restartx "$T/st" --summary=package $pids
check "--summary=package table lists the package" grep -q "^procexe-test-pkg " "$T/st"
