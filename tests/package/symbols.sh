#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# debian/libprocexe0.symbols lists exactly what lib/libprocexe.sym exports
# (debian/update-symbols rewrites it), and the built library exports it.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PE_SOURCE_ROOT.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"
plan 2

mkdir -p "$T/tree/lib" "$T/tree/debian"
cp "$PE_SOURCE_ROOT/lib/libprocexe.sym" "$T/tree/lib/"
cp "$PE_SOURCE_ROOT/meson.build" "$T/tree/"
cp "$PE_SOURCE_ROOT/debian/libprocexe0.symbols" "$T/tree/debian/"
(cd "$T/tree" && sh "$PE_SOURCE_ROOT/debian/update-symbols") 2>"$T/upd.err"
if cmp -s "$T/tree/debian/libprocexe0.symbols" "$PE_SOURCE_ROOT/debian/libprocexe0.symbols"; then
	ok "debian/libprocexe0.symbols matches lib/libprocexe.sym"
else
	nok "debian/libprocexe0.symbols matches lib/libprocexe.sym" \
		"run debian/update-symbols; the difference:
$(diff "$PE_SOURCE_ROOT/debian/libprocexe0.symbols" "$T/tree/debian/libprocexe0.symbols" | head -40)
$(cat "$T/upd.err")"
fi

# the shared library built next to procexe exports the listed symbols
so="$(dirname "$PROCEXE")/lib/libprocexe.so.0"
if ! command -v nm >/dev/null; then
	skip "the built library exports the listed symbols" "no nm"
elif [ ! -e "$so" ]; then
	skip "the built library exports the listed symbols" "no $so"
else
	nm -D --defined-only --with-symbol-versions "$so" 2>/dev/null |
		awk '{ n = $3; sub(/@@?/, "@", n); if (n !~ /@/) n = n "@" n; print n }' | LC_ALL=C sort -u >"$T/exported"
	sed -n 's/^ \([^ ]*\) .*/\1/p' "$PE_SOURCE_ROOT/debian/libprocexe0.symbols" |
		LC_ALL=C sort -u >"$T/listed"
	is "$(diff "$T/listed" "$T/exported")" "" "the built library exports the listed symbols"
fi
