#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe path: one line per PID in the order given (duplicates kept, an
# empty line for a failure), -J with the failures in order and a summary,
# exit 3 for a missing PID, -L/--link (the kernel's text), option errors
# naming the option, -V, -q.  Needs no root: the fixtures are our children.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
plan 36

cp "$S" "$T/a"
cp "$S" "$T/b"
cp "$S" "$T/d"
NL=$T/'new
line'
cp "$S" "$NL"
settle "$T/a" "$T/b" "$T/d" "$NL"
started=1
start_fixture a "$T/out.a" "$T/a" marker-a && A=$FIXTURE_PID || started=0
start_fixture b "$T/out.b" "$T/b" marker-b && B=$FIXTURE_PID || started=0
start_fixture d "$T/out.d" "$T/d" marker-d && D=$FIXTURE_PID || started=0
start_fixture nl "$T/out.nl" "$NL" marker-nl && N=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/d"

# A PID that cannot exist: above the kernel's limit.
M=$(($(cat /proc/sys/kernel/pid_max) + 1))

# pe ARGS...: RC, $T/out, $T/err
pe() {
	"$PROCEXE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# ---- order, duplicates, failures -------------------------------------------

pe path "$B" "$M" "$A" "$A"
is "$RC" 3 "a missing PID: exit 3"
is "$(wc -l <"$T/out")" 4 "four PIDs, four lines"
is "$(cat "$T/out")" "$T/b

$T/a
$T/a" "lines in the order given, duplicates kept, an empty line for the missing PID"
is "$(cat "$T/err")" "procexe: PID $M: no such process" "the missing PID is named on stderr"

pe path "$A" "$B"
is "$RC" 0 "every PID answered: exit 0"
is "$(cat "$T/out")" "$T/a
$T/b" "two PIDs, their paths in that order"

# A newline in a path is escaped: the lines still line up with the PIDs.
pe path "$N" "$M" "$A"
is "$(wc -l <"$T/out")" 3 "a path with a newline: still one line per PID"
is "$(sed -n 3p "$T/out")" "$T/a" "a path with a newline: the next PID's line is in its place"
is "$(sed -n 2p "$T/out")" "" "a path with a newline: the failure's line is empty"

# -q: nothing on stderr (as every command); the empty line and the status tell
pe path -q "$M"
is "$RC" 3 "-q: a missing PID still exits 3"
check "-q: stderr empty, the empty line still printed" \
	bash -c '[ ! -s "$1" ] && [ "$(wc -l <"$2")" = 1 ]' _ "$T/err" "$T/out"

# ---- JSON ---------------------------------------------------------------------

# pyjson FILE CODE: run CODE with d = the parsed FILE (asserts)
pyjson() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])' "$@"
}

pe path -J "$B" "$M" "$A" "$A"
is "$RC" 3 "-J: a missing PID: exit 3"
cp "$T/out" "$T/p.json"
check "-J: schema 1, command path, summary last" pyjson "$T/p.json" '
assert d["schema"] == 1 and d["command"] == "path", d
assert list(d)[0:3] == ["schema", "command", "processes"], list(d)
assert list(d)[-1] == "summary", list(d)'
check "-J: every PID in the order given, failures and duplicates included" pyjson "$T/p.json" "
assert [p['pid'] for p in d['processes']] == [$B, $M, $A, $A], d['processes']"
check "-J: each process has exactly pid, exe, flags, error" pyjson "$T/p.json" '
for p in d["processes"]:
    assert list(p) == ["pid", "exe", "flags", "error"], p'
check "-J: the failure has exe null, flags [] and its error" pyjson "$T/p.json" '
p = d["processes"][1]
assert p["exe"] is None and p["flags"] == [] and p["error"] == "no such process", p'
check "-J: the answers have their exe and error null" pyjson "$T/p.json" "
p = d['processes']
assert p[0]['exe'] == '$T/b' and p[2]['exe'] == '$T/a' and p[3]['exe'] == '$T/a', p
assert all(x['error'] is None for x in (p[0], p[2], p[3])), p"
check "-J: the summary counts the missing PID and the exit status" pyjson "$T/p.json" '
s = d["summary"]
assert s["unseen"]["missing"] == 1 and s["complete"] is False, s
assert s["exit_status"] == 3 and s["processes"] == 3, s'

pe path -J "$D"
cp "$T/out" "$T/d.json"
is "$RC" 0 "-J: a deleted image: exit 0"
check "-J: a deleted image: its path and the flag deleted" pyjson "$T/d.json" "
p = d['processes'][0]
assert p['exe'] == '$T/d' and p['flags'] == ['deleted'] and p['error'] is None, p
assert d['summary']['complete'] is True and d['summary']['exit_status'] == 0, d['summary']"

pe path -J
check "-J without PID: procexe's own executable" pyjson "$T/out" "
import os
p = d['processes']
assert len(p) == 1 and p[0]['exe'] == os.path.realpath('$PROCEXE'), p"

# ---- -L / --link, -f --------------------------------------------------------

pe path -L "$D" "$A"
is "$RC" 0 "-L: exit 0"
is "$(cat "$T/out")" "$T/d (deleted)
$T/a" "-L: the kernel's text, ' (deleted)' kept"
pe path --link -f "$D"
is "$(cat "$T/out")" "$T/d (deleted) [deleted]" "--link -f: the kernel's text with the flags"
pe path -f "$D"
is "$(cat "$T/out")" "$T/d [deleted]" "-f: the path without the suffix, flag deleted"
pe path -L -J "$D" "$M"
check "-L -J: link beside exe; the failure's link is null" pyjson "$T/out" "
p = d['processes']
assert p[0]['link'] == '$T/d (deleted)' and p[0]['exe'] == '$T/d', p
assert p[1]['link'] is None and p[1]['exe'] is None and p[1]['error'], p"

# ---- options ---------------------------------------------------------------

# usage_err DESC WANT ARGS...: exit 2, WANT and the path hint on stderr, no stdout
usage_err() {
	local desc=$1 want=$2
	shift 2
	pe "$@"
	if [ "$RC" = 2 ] && grep -qF -- "$want" "$T/err" &&
	   grep -qxF "Try 'procexe path --help' for more information." "$T/err" &&
	   [ ! -s "$T/out" ]; then
		ok "$desc"
	else
		nok "$desc" "rc=$RC stdout=$(head -c 200 "$T/out") stderr=$(cat "$T/err")"
	fi
}
usage_err "-r (was the link text) is a usage error naming it" "invalid option -- 'r'" path -r "$A"
usage_err "--raw is a usage error naming it" "unrecognized option '--raw'" path --raw "$A"
usage_err "path -5 names the option" "invalid option -- '5'" path -5
usage_err "an unknown long option is named" "unrecognized option '--bogus'" path --bogus
usage_err "a bad PID is named" "invalid PID: '12x'" path 12x

pe path -V
if [ "$RC" = 0 ] && grep -qE '^procexe [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"; then
	ok "path -V prints the version"
else
	nok "path -V prints the version" "rc=$RC $(cat "$T/out" "$T/err")"
fi
pe path --help
is "$RC" 0 "path --help: exit 0"
check "path --help: its own usage, -L/--link, no --raw" \
	bash -c 'grep -q "procexe path \[options\]" "$1" && grep -q -- "-L, --link" "$1" &&
	         ! grep -q -- "--raw" "$1"' _ "$T/out"
check "path --help: -q and -V listed" bash -c 'grep -q -- "-q, --quiet" "$1" && grep -q -- "-V, --version" "$1"' _ "$T/out"
