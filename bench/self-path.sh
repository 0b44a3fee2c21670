#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# self-path.sh: how much procexe_self_path() costs against a bare
# readlink("/proc/self/exe") (not a test; see docs/performance.md).
#
#   bench/self-path.sh [-B BUILDDIR] [-n CALLS_PER_BLOCK] [-b BLOCKS]
#
#   -B BUILDDIR  a configured and built meson build directory of procexe
#                (default: build); the program is compiled against its
#                uninstalled library with pkg-config procexe-uninstalled
#   -n, -b       passed to bench/self-path.c (default 20000 x 10 blocks)
#
# Three runs of the same program: the plain case (the library's fast path:
# readlink + lstat), the image deleted while running and the image started
# through the ELF interpreter ("ld.so ./prog"); the last two are answered
# from the per-process memo after the first call.  Needs cc and pkg-config.
# Target: procexe_self_path <= 2x readlink.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
top=$(dirname "$here")
BUILD=$top/build
ARGS=""

while getopts "B:n:b:h" opt; do
	case $opt in
	B) BUILD=$OPTARG ;;
	n) ARGS="$ARGS -n $OPTARG" ;;
	b) ARGS="$ARGS -b $OPTARG" ;;
	h) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd -P)
[ -f "$BUILD/meson-uninstalled/procexe-uninstalled.pc" ] ||
	{ echo "self-path.sh: $BUILD is not a configured procexe build directory" >&2; exit 1; }
[ -e "$BUILD/lib/libprocexe.so" ] ||
	{ echo "self-path.sh: build the library first: ninja -C $BUILD" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pe-bench-self.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The uninstalled .pc may lack the public header's directory: add it.
# shellcheck disable=SC2046
"${CC:-cc}" -std=gnu17 -O2 -o "$tmp/self-path" "$here/self-path.c" -I"$top/include" \
	$(PKG_CONFIG_PATH="$BUILD/meson-uninstalled" pkg-config --cflags --libs procexe-uninstalled)

export LD_LIBRARY_PATH="$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== plain"
# shellcheck disable=SC2086
"$tmp/self-path" $ARGS

echo "== deleted while running (answered from the per-process memo)"
cp "$tmp/self-path" "$tmp/deleted"
# Started through an fd of the file, which is removed first: the exe link
# then reads "$tmp/deleted (deleted)".
# shellcheck disable=SC2086,SC2094
sh -c 'rm -f "$1"; shift; exec /proc/self/fd/3 "$@"' sh "$tmp/deleted" $ARGS 3<"$tmp/deleted"

LDSO=$(ldd "$tmp/self-path" | awk '$1 ~ /^\// && /ld-/ {print $1; exit}')
if [ -n "$LDSO" ]; then
	echo "== through the ELF interpreter ($LDSO)"
	# shellcheck disable=SC2086
	"$LDSO" "$tmp/self-path" $ARGS
fi
