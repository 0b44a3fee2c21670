#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# usage: lint.sh GROFF PAGE
#
# Fails when groff has anything to say about PAGE.  groff reports mistakes
# as warnings but still exits 0 (so does man --warnings), so any output is
# a failure.  Alias pages hold ".so man3/TARGET": the source tree keeps all
# sections in one directory, so the request is resolved through a scratch
# directory whose manN entries point back at it.
set -u
groff=$1 page=$2
src=$(cd "$(dirname "$page")" && pwd) || exit 1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
for n in 1 3; do
	ln -s "$src" "$dir/man$n" || exit 1
done
out=$("$groff" -I "$dir" -man -Tutf8 -ww -z "$page" 2>&1) || { printf '%s\n' "$out"; exit 1; }
[ -z "$out" ] || { printf '%s\n' "$out"; exit 1; }
exit 0
