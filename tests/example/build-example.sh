#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# usage: build-example.sh BUILD_ROOT SOURCE CC [EXTRA_CFLAGS]
set -u
build=$1 src=$2 cc=$3 extra=${4:-}
command -v pkg-config >/dev/null || { echo "1..0 # SKIP no pkg-config"; exit 0; }
export PKG_CONFIG_PATH="$build/meson-uninstalled"
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
echo 1..3
# shellcheck disable=SC2046
if "$cc" $extra -o "$out/whereami" "$src" $(pkg-config --cflags --libs procexe-uninstalled); then
	echo "ok 1 - whereami compiles with pkg-config --cflags --libs"
else
	echo "not ok 1 - whereami compiles with pkg-config --cflags --libs"; exit 1
fi
cp "$out/whereami" "$out/copy"
res=$(LD_LIBRARY_PATH="$build/lib" "$out/copy")
case $res in
"path: $out/copy"*"flags: none"*) echo "ok 2 - prints its own path" ;;
*) echo "not ok 2 - prints its own path # got: $res" ;;
esac
# Deleted while running: the re-exec'd copy sees itself deleted.
res=$(LD_LIBRARY_PATH="$build/lib" sh -c 'rm -f "$1"; exec "$2"' sh "$out/copy" /proc/self/fd/3 3<"$out/copy" 2>&1)
case $res in
*"flags:"*deleted*) echo "ok 3 - reports a deleted image" ;;
*) echo "not ok 3 - reports a deleted image # got: $res" ;;
esac
