#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The content store of procexe watch (--store DIR) and its output escaping:
#  - the same content run twice (two inodes, the second written after the
#    first deleted itself) is stored once: one file, named by its SHA-256,
#    mode 0400, holding that content; manifest.jsonl has two lines for it;
#    both records give the same sha256 and copy;
#  - a hostile program name (newline, ESC, a quote, invalid UTF-8) comes
#    out escaped in the table output (no raw control byte, no invalid
#    UTF-8, the record on one line) and valid in the --jsonl output, where
#    argv0, comm and exe render the bytes per the JSON rule;
#  - a store too small for any image (--max-store 1) keeps nothing: the
#    record says "too-large", the summary counts it in unstored, and the
#    run exits 3 (1 when something was flagged), never 0.
# Default mechanisms; the programs wait on a pipe until their record is
# out, so any mechanism pins them.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs

plan 19
watch_fs
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || skip_all "cannot make a fifo"

# run_waiting PATH OUT...: run PATH -w (argv0 = PATH) on the fifo, wait
# for its record in each OUT, release it, wait for its exit; RUN_PID
run_waiting() {
	local path=$1 out
	shift
	"$path" -w <&7 7<&- &
	RUN_PID=$!
	track_pid "$RUN_PID"
	for out in "$@"; do
		wait_records "$out" 20 "$RUN_PID"
	done
	printf x >&7
	wait_exit "$RUN_PID" 10
	wait "$RUN_PID" 2>/dev/null
}

# --- one file per content (8 tests)
S=$T/store
WOUT=$T/dup.jsonl
watch_start "$WOUT" --all --store "$S" --jsonl
rc=$?
if [ $rc = 0 ]; then
	ok "store: watcher started: $(head -n 1 "$WOUT.err")"
	tr=PEW:dup:$$
	payload "$SELFDEL" "$T/img" "$tr"
	printf '%s\n' "$tr" >"$T/tr"
	SHA=$(sha256sum <"$T/img" | cut -d' ' -f1)
	cp "$T/img" "$FS/dup"
	run_waiting "$FS/dup" "$WOUT"
	P1=$RUN_PID
	cp "$T/img" "$FS/dup"
	run_waiting "$FS/dup" "$WOUT"
	P2=$RUN_PID
	watch_stop TERM
	check "store: the --jsonl output validates (exit $WRC)" validate_jsonl "$WOUT" "$WRC"
	is "$(wj get "$WOUT" "$P1" sha256) $(wj get "$WOUT" "$P2" sha256)" "\"$SHA\" \"$SHA\"" \
		"store: both runs hashed to the content's SHA-256"
	is "$(wj get "$WOUT" "$P1" copy) $(wj get "$WOUT" "$P2" copy)" "\"$SHA\" \"$SHA\"" \
		"store: both records name the one stored file"
	n=0
	for f in "$S"/*; do
		tail -c $((${#tr} + 1)) "$f" 2>/dev/null | cmp -s - "$T/tr" && n=$((n + 1))
	done
	is "$n" 1 "store: one file holds that content"
	check "store: it is named by its SHA-256 and holds the content" cmp "$S/$SHA" "$T/img"
	is "$(stat -c %a "$S/$SHA" 2>&1)" 400 "store: mode 0400"
	is "$(grep -c "$SHA" "$S/manifest.jsonl" 2>&1)" 2 "store: two manifest lines for it"
else
	[ $rc = 77 ] && skip "store: watcher started" "$WHY" || nok "store: watcher started" "$WHY"
	skip_n 7 store "watcher did not start"
fi

# --- a store with no room (3 tests): nothing collected is not "all seen"
FOUT=$T/full.jsonl
watch_start "$FOUT" --all --store "$T/full" --max-store 1 --jsonl
rc=$?
if [ $rc = 0 ]; then
	/bin/true &
	TPID=$!
	wait "$TPID"
	wait_records "$FOUT" 20 "$TPID"
	watch_stop TERM
	is "$(wj get "$FOUT" "$TPID" missed)" '"too-large"' "full store: the record says too-large"
	check "full store: the summary counts it in unstored" "$PYTHON" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if "\"summary\"" in l][-1]
assert s["unstored"] >= 1, s' "$FOUT"
	want=3
	grep -q '"record":"summary".*"flagged":0,' "$FOUT" || want=1
	check "full store: exit $want (got $WRC), the --jsonl output validates" \
		sh -c '[ "$1" = "$2" ] && "$3" "$4" "$5" --jsonl --status "$1" "$6"' _ \
		"$WRC" "$want" "$PYTHON" "$PE_VALIDATE" "$PE_SCHEMA" "$FOUT"
else
	skip_n 3 "full store" "${WHY:-watcher did not start}"
fi

# --- hostile names (8 tests): two watchers at once, table and --jsonl
name=$'pe\nx\e[1m"q\xff\xfe'
payload "$SELFDEL" "$FS/$name" PEW:hostile:0
TOUT=$T/hostile.table
watch_start "$TOUT" --all
rc1=$? TPID=$WPID
WOUT=$T/hostile.jsonl
watch_start "$WOUT" --all --jsonl
rc2=$?
if [ $rc1 != 0 ] || [ $rc2 != 0 ]; then
	[ $rc1 = 77 ] && skip_n 8 hostile "$WHY" && exit 0
	nok "hostile: both watchers started" "$WHY"
	skip_n 7 hostile "watcher did not start"
	exit 0
fi
ok "hostile: both watchers started"
run_waiting "$FS/$name" "$WOUT"
# the table may only be written at the end: stop, then look
watch_stop TERM
check "hostile: the --jsonl output validates (exit $WRC)" validate_jsonl "$WOUT" "$WRC"
check "hostile: argv0 rendered per the JSON rule" wj jeq "$WOUT" "$RUN_PID" argv0 "$FS/$name"
check "hostile: comm rendered per the JSON rule" wj jeq "$WOUT" "$RUN_PID" comm "$name"
check "hostile: exe rendered per the JSON rule" wj jeq "$WOUT" "$RUN_PID" exe "$FS/$name"
WPID=$TPID
watch_stop TERM
check "hostile: the table holds no raw control byte or invalid UTF-8" pejson clean "$TOUT"
rows=$(grep -cw -- "$RUN_PID" "$TOUT")
is "$rows" 1 "hostile: the record is one line of the table"
row=$(grep -w -- "$RUN_PID" "$TOUT")
case $row in
*'\x1b'* | *'\x1B'*) ok "hostile: ESC shown as \\x1b" ;;
*) nok "hostile: ESC shown as \\x1b" "row: $(printf '%q' "$row")" ;;
esac
