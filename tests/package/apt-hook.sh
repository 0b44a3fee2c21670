#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# examples/apt/99procexe-restart as apt reads it (apt-config -c FILE dump),
# and its command run by /bin/sh as apt would, with the built procexe in
# place of /usr/bin/procexe: it must never fail the apt run.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PE_SOURCE_ROOT.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

command -v apt-config >/dev/null || skip_all "no apt-config"
hook="$PE_SOURCE_ROOT/examples/apt/99procexe-restart"
plan 5

apt-config -c "$hook" dump >"$T/dump" 2>"$T/dump.err"
is "$?:$(cat "$T/dump.err")" "0:" "apt-config parses the hook file"
# the machine's own apt.conf.d may add hooks too: only ours
cmd=$(sed -n 's/^DPkg::Post-Invoke:: "\(.*procexe.*\)";$/\1/p' "$T/dump")
is "$(grep -c . <<<"$cmd")" 1 "the file adds one DPkg::Post-Invoke command"
case $cmd in
*"/usr/bin/procexe restart "*"|| true"*) ok "the command runs procexe restart and ignores its status" ;;
*) nok "the command runs procexe restart and ignores its status" "$cmd" ;;
esac

# apt runs the command with sh -c; with the built procexe:
sh -c "${cmd//\/usr\/bin\/procexe/$PROCEXE}" >"$T/out" 2>"$T/err"
is "$?" 0 "the command exits 0 (apt never reports the hook as failed)"
if "$PROCEXE" restart --help 2>&1 | grep -q -- '--quiet'; then
	is "$(grep -c "Try 'procexe" "$T/err")" 0 "procexe accepts the hook's options"
else
	skip "procexe accepts the hook's options" "procexe restart has no -q yet (issue #11)"
fi
