#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# End-to-end checks of the procexe command line: options, exit statuses,
# write errors, and the escaping of a hostile executable name through
# libsmartcols in table, raw and JSON output.  Prints TAP.
#
# Usage: test-cli.sh PROCEXE
# Starts one process (a copy of sleep under a hostile name, deleted while
# it runs) and kills only that process, by its PID, on exit.

set -u
PROCEXE=${1:?usage: test-cli.sh PROCEXE}
PYTHON=${PYTHON:-python3}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

T=$(mktemp -d "${TMPDIR:-/tmp}/procexe-cli.XXXXXXXX") || { echo "1..0 # SKIP mktemp"; exit 0; }
victim=
cleanup() {
	if [ -n "$victim" ]; then
		kill -KILL "$victim" 2>/dev/null
		wait "$victim" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# run ARGS...: RC, $T/out, $T/err
run() {
	"$PROCEXE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# expect_usage_error DESC ARGS...: exit 2 with the two-line message
expect_usage_error() {
	local desc=$1
	shift
	local hint="procexe --help"
	case "${1-}" in
	scan|ls|path|explain|recover|restart) hint="procexe $1 --help" ;;
	esac
	run "$@"
	if [ $RC -eq 2 ] && grep -q "^procexe: " "$T/err" &&
	   grep -qxF "Try '$hint' for more information." "$T/err" &&
	   [ ! -s "$T/out" ]; then
		ok "$desc"
	else
		nok "$desc" "rc=$RC" "$(cat "$T/err")"
	fi
}

have_python() { command -v "$PYTHON" >/dev/null 2>&1; }

# ------------------------------------------------------------ options ---

run --help
if [ $RC -eq 0 ] && grep -q '^ procexe <command> \[options\]' "$T/out" &&
   grep -q '^ ls  *list every process' "$T/out" &&
   grep -q -- '--list-columns' "$T/out" && grep -q '^ deleted ' "$T/out" &&
   [ "$(tail -n 1 "$T/out")" = "For more details see procexe(1)." ] && [ ! -s "$T/err" ]; then
	ok "--help: usage on stdout, states listed, man page last"
else
	nok "--help" "rc=$RC"
fi

run -V
if [ $RC -eq 0 ] && grep -qE '^procexe [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"; then
	ok "-V prints the version"
else
	nok "-V" "rc=$RC" "$(cat "$T/out")"
fi

expect_usage_error "unknown short option" -x
expect_usage_error "unknown long option" --bogus
expect_usage_error "missing option argument" -o
expect_usage_error "unknown column" -o PID,NOSUCH
expect_usage_error "empty column list" -o ''
expect_usage_error "unknown state" --state deleted,nosuch
expect_usage_error "bad thread count" --threads many
expect_usage_error "bad PID" ls 12x
expect_usage_error "PID 0" ls 0
expect_usage_error "scan takes no operands" 123
expect_usage_error "--json with --raw" -J -r
expect_usage_error "--jsonl with --raw" ls --jsonl -r
expect_usage_error "--json with --jsonl" -J --jsonl

run -H
if [ $RC -eq 0 ] && grep -q '^PID ' "$T/out" && grep -q '^CMDLINE ' "$T/out"; then
	ok "-H lists the columns"
else
	nok "-H" "rc=$RC"
fi

if have_python; then
	run -H -J
	if [ $RC -eq 0 ] && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = [c["name"] for c in d["columns"]]
assert "PID" in names and "EXE" in names, names
assert all(c["description"] for c in d["columns"])
' "$T/out" 2>"$T/py"; then
		ok "-H -J is JSON"
	else
		nok "-H -J" "rc=$RC" "$(cat "$T/py")"
	fi
else
	skip "-H -J: no python3"
fi

if [ -w /dev/full ]; then
	"$PROCEXE" ls -J $$ >/dev/full 2>"$T/err"
	RC=$?
	if [ $RC -eq 2 ] && grep -q '^procexe: write error' "$T/err"; then
		ok "a write error on stdout exits 2"
	else
		nok "write error" "rc=$RC" "$(cat "$T/err")"
	fi
else
	skip "no /dev/full"
fi

run --proc "$T"
if [ $RC -eq 2 ] && grep -q "^procexe: cannot read $T: " "$T/err"; then
	ok "--proc on a non-procfs directory exits 2"
else
	nok "--proc on a directory" "rc=$RC" "$(cat "$T/err")"
fi

# ----------------------------------------------------------- ls / PIDs ---

run ls -r -n -o PID,STATE $$
if [ $RC -eq 0 ] && [ "$(cut -d' ' -f1 "$T/out")" = "$$" ]; then
	ok "ls PID lists that process"
else
	nok "ls \$\$" "rc=$RC" "$(cat "$T/out" "$T/err")"
fi

run ls -r -n -o PID $$ 2147483647
if [ $RC -eq 3 ] && grep -qx "procexe: PID 2147483647: no such process" "$T/err" &&
   [ "$(cat "$T/out")" = "$$" ]; then
	ok "a missing PID exits 3, the others are still listed"
else
	nok "missing PID" "rc=$RC" "$(cat "$T/out" "$T/err")"
fi

# ------------------------------------------------------ hostile name ---

# A copy of sleep named with an escape sequence, a newline, a lone C1 byte,
# C1 in UTF-8, invalid UTF-8, backslashes, é, DEL, a tab and a space.
name=$'x y\e[31m\n\x9b\xc2\x9b\xff\\x41\\\\\xc3\xa9\x7f\t'
sleep_bin=$(command -v sleep)
if mkdir "$T/bin" && cp "$sleep_bin" "$T/bin/$name" 2>/dev/null; then
	"$T/bin/$name" 300 &
	victim=$!
	# wait until the exec happened (the exe link names the copy)
	for _ in $(seq 100); do
		case $(readlink "/proc/$victim/exe" 2>/dev/null) in
		"$T/bin/"*) break ;;
		esac
		sleep 0.05
	done
	rm -f "$T/bin/$name"
fi

if [ -z "$victim" ]; then
	skip "hostile name: cannot create the file"
	skip "hostile name: table"
	skip "hostile name: raw"
	skip "hostile name: JSON"
else
	run ls -o PID,STATE,EXE,LINK,COMM,CMDLINE "$victim"
	# no raw control, C1 or invalid UTF-8 may reach a terminal
	if [ $RC -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 2 ] &&
	   LC_ALL=C grep -q '\\x1b\[31m\\x0a\\x9b\\xc2\\x9b\\xff\\\\x41\\\\\\\\' "$T/out" &&
	   ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$T/out" &&
	   ! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$T/out" &&
	   iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1; then
		ok "hostile name: table output is escaped"
	else
		nok "hostile name: table" "rc=$RC" "$(od -c "$T/out" | head -20)"
	fi

	run ls -r -n -o PID,EXE "$victim"
	want="$victim $T/bin/x\\x20y\\x1b[31m\\x0a\\x9b\\xc2\\x9b\\xff\\\\x41\\\\\\\\é\\x7f\\x09"
	if [ $RC -eq 0 ] && [ "$(cat "$T/out")" = "$want" ]; then
		ok "hostile name: raw output is escaped, fields split on spaces"
	else
		nok "hostile name: raw" "rc=$RC" "got:  $(cat "$T/out")" "want: $want"
	fi

	if have_python; then
		run ls -J -o PID,STATE,EXE,COMM,DELETED,NLINK,ROOT,LOADER "$victim"
		if [ $RC -eq 0 ] && "$PYTHON" - "$T/out" "$victim" "$T/bin/" <<'EOF' 2>"$T/py"; then
import json, os, sys
raw = open(sys.argv[1], 'rb').read()
doc = json.loads(raw.decode('utf-8'))            # strict: valid UTF-8 JSON
assert list(doc) == ['schema', 'command', 'processes', 'summary'], list(doc)
assert doc['schema'] == 1 and doc['command'] == 'ls', doc
assert doc['summary']['processes'] == 1 and doc['summary']['exit_status'] == 0, doc
row = doc['processes'][0]
assert row['pid'] == int(sys.argv[2]), row
assert row['state'] == 'deleted', row
assert row['deleted'] is True and row['nlink'] == 0, row
assert row['root'] is None and row['loader'] is None, row
name = b'x y\x1b[31m\n\x9b\xc2\x9b\xff\\x41\\\\\xc3\xa9\x7f\t'
# JSON rule: backslash -> \\, invalid byte, DEL and each byte of a C1
# control -> \xHH, the rest as decoded
want = ''
for ch in name.decode('utf-8', errors='surrogateescape'):
    if ch == '\\':
        want += '\\\\'
    elif 0xdc80 <= ord(ch) <= 0xdcff:
        want += '\\x%02x' % (ord(ch) - 0xdc00)
    elif ch == '\x7f' or 0x80 <= ord(ch) <= 0x9f:
        want += ''.join('\\x%02x' % b for b in ch.encode('utf-8'))
    else:
        want += ch
dirpart = os.fsdecode(os.fsencode(sys.argv[3]))
assert row['exe'] == dirpart + want, (ascii(row['exe']), ascii(dirpart + want))
EOF
			ok "hostile name: JSON is valid and lossless"
		else
			nok "hostile name: JSON" "rc=$RC" "$(cat "$T/py")"
		fi
	else
		skip "hostile name: JSON: no python3"
	fi
fi

echo "1..$n"
[ $failed -eq 0 ]
