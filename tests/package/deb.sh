#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# debian/ as Debian's tools see it: dpkg-buildpackage -us -uc -b on a copy
# of the tree (the files git tracks: what a fresh clone has), lintian with
# no error and no warning, then the three packages unpacked with dpkg -x
# into a scratch root (never installed on this machine): procexe --version
# runs from there, the packaged unit passes systemd-analyze verify, and the
# packaged example builds with the packaged procexe.pc and runs against the
# packaged shared library.  Everything is written under one mktemp -d.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PE_SOURCE_ROOT,
# PE_VERSION, PE_SANITIZE, PE_CC.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

for tool in dpkg-buildpackage dpkg-checkbuilddeps dpkg-architecture dpkg-deb dh lintian \
	pkg-config tar; do
	command -v "$tool" >/dev/null || skip_all "no $tool (apt-get install debhelper lintian pkgconf)"
done
# The package is built with its own flags, whatever this build's: once is
# enough, in the unsanitized build.
[ "${PE_SANITIZE:-none}" = none ] || skip_all "built in the unsanitized build only"
missing=$(cd "$PE_SOURCE_ROOT" && dpkg-checkbuilddeps -B 2>&1) ||
	skip_all "build dependencies missing: ${missing##*: }"

plan 12

src="$T/src"
mkdir -p "$src"
if command -v git >/dev/null && git -C "$PE_SOURCE_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$PE_SOURCE_ROOT" && git ls-files -z | tar --null -T - --ignore-failed-read -cf -) |
		tar -xf - -C "$src"
else
	(cd "$PE_SOURCE_ROOT" && tar --exclude='./build*' --exclude='./obj-*' --exclude=./.git -cf - .) |
		tar -xf - -C "$src"
fi

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
rc=$?
changes=$(ls "$T"/procexe_*.changes 2>/dev/null)
if [ "$rc" = 0 ] && [ -n "$changes" ]; then
	ok "dpkg-buildpackage -us -uc -b builds from a clean copy of the tree"
else
	nok "dpkg-buildpackage -us -uc -b builds from a clean copy of the tree" \
		"status $rc; the end of the log:
$(tail -n 40 "$T/build.log")"
	skip_rest "the packages" "the build failed"
	exit 0
fi
grep -E '^dpkg-gensymbols: warning' -A 20 "$T/build.log" >"$T/gensymbols" && diag "$(cat "$T/gensymbols")"
is "$(wc -c <"$T/gensymbols")" 0 "dpkg-gensymbols finds what debian/libprocexe0.symbols lists"

lintian --fail-on error,warning "$changes" >"$T/lintian.out" 2>"$T/lintian.err"
rc=$?
diag "lintian: $(cat "$T/lintian.out")"
tags=$(grep -E '^[EW]: ' "$T/lintian.out")
is "$rc:$tags" "0:" "lintian: no error, no warning"

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
root="$T/root"
mkdir -p "$root"
for p in procexe libprocexe0 libprocexe-dev; do
	deb=$(ls "$T/${p}"_*.deb)
	dpkg -x "$deb" "$root" || nok "dpkg -x $deb"
done
listed=""
for f in usr/bin/procexe usr/share/man/man1/procexe.1.gz \
	lib/systemd/system/procexe-restart-check.service lib/systemd/system/procexe-restart-check.timer \
	lib/systemd/system/procexe-watch.service usr/lib/tmpfiles.d/procexe.conf "usr/lib/$ma/libprocexe.so.0" "usr/lib/$ma/libprocexe.so" \
	"usr/lib/$ma/pkgconfig/procexe.pc" usr/include/procexe.h usr/share/man/man3/procexe.3.gz \
	usr/share/man/man3/procexe_version.3.gz; do
	[ -e "$root/$f" ] || listed+=" $f"
done
is "$listed" "" "the packages hold the command, units, library, header, .pc and manual pages"

out=$(LD_LIBRARY_PATH="$root/usr/lib/$ma" "$root/usr/bin/procexe" --version 2>&1)
is "$out" "procexe $PE_VERSION" "the packaged procexe --version runs"

dpkg-deb -f "$T"/libprocexe-dev_*.deb Depends >"$T/dev-depends"
is "$(cat "$T/dev-depends")" "libprocexe0 (= $PE_VERSION)" "libprocexe-dev depends on the very libprocexe0"
is "$(dpkg-deb --ctrl-tarfile "$T"/libprocexe0_*.deb | tar -tf - ./symbols 2>/dev/null)" "./symbols" \
	"libprocexe0 ships its symbols file"

# the packaged unit names the packaged command and manual page
mkdir -p "$T/units"
sed "s|^ExecStart=/usr/bin/procexe |ExecStart=$root/usr/bin/procexe |" \
	"$root/lib/systemd/system/procexe-restart-check.service" >"$T/units/procexe-restart-check.service"
cp "$root/lib/systemd/system/procexe-restart-check.timer" "$T/units/"
sed "s|^ExecStart=/usr/bin/procexe |ExecStart=$root/usr/bin/procexe |" \
	"$root/lib/systemd/system/procexe-watch.service" >"$T/units/procexe-watch.service"
if command -v systemd-analyze >/dev/null; then
	man_opt=()
	command -v man >/dev/null || man_opt=(--man=no)
	out=$(MANPATH="$root/usr/share/man" systemd-analyze verify "${man_opt[@]}" "$T/units/"* 2>&1)
	is "$?:$out" "0:" "systemd-analyze verify accepts the packaged units"
else
	skip "systemd-analyze verify accepts the packaged units" "no systemd-analyze"
fi

# a user's build: pkg-config finds the packaged procexe.pc, the sysroot
# prefixes its paths
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/$ma/pkgconfig"
flags=$(pkg-config --cflags --libs procexe 2>&1)
case $flags in
*"-I$root/usr/include"*"-L$root/usr/lib/$ma"*"-lprocexe"*) ok "pkg-config --cflags --libs procexe points into the scratch root" ;;
*) nok "pkg-config --cflags --libs procexe points into the scratch root" "$flags" ;;
esac
cat >"$T/version.c" <<'C'
#include <stdio.h>
#include <procexe.h>
int main(void)
{
	printf("%s\n", procexe_version());
	return 0;
}
C
cc=${PE_CC:-cc}
# shellcheck disable=SC2086
if "$cc" -o "$T/version" "$T/version.c" $flags 2>"$T/cc.err" &&
	"$cc" -o "$T/whereami" "$root/usr/share/doc/libprocexe-dev/examples/whereami.c" $flags \
		2>>"$T/cc.err"; then
	ok "programs build with the packaged header, .pc and library"
else
	nok "programs build with the packaged header, .pc and library" "$(head -c 2000 "$T/cc.err")"
fi
out=$(LD_LIBRARY_PATH="$root/usr/lib/$ma" LD_DEBUG=libs "$T/version" 2>"$T/ld.log")
loaded=$(grep -c "calling init: $root/usr/lib/$ma/libprocexe.so.0" "$T/ld.log")
is "$out:$loaded" "$PE_VERSION:1" "procexe_version() answers from the packaged libprocexe.so.0"
out=$(LD_LIBRARY_PATH="$root/usr/lib/$ma" "$T/whereami" 2>&1)
case $out in
"path: $T/whereami"*) ok "the packaged example runs" ;;
*) nok "the packaged example runs" "$out" ;;
esac
