#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every subcommand's -J document and every --jsonl line validates against
# docs/schema-v1.json (tests/schema/validate.py, python3-jsonschema), and
# the summary's exit_status is the status the run exited with.  Planted: a
# copy of pe-spin left intact (LIVE) and one deleted while it runs (DEL),
# so that the scan, restart and recover have rows to print.  A document
# whose key was renamed must fail (the schema is closed).
#
# Environment (set by meson): PROCEXE, PE_HELPERS, PE_SRCDIR (the directory
# of tests/integration/lib.sh), PYTHON, PE_SCHEMA (docs/schema-v1.json),
# PE_VALIDATE (validate.py).
. "$PE_SRCDIR/lib.sh"

: "${PE_SCHEMA:?PE_SCHEMA must name docs/schema-v1.json}"
: "${PE_VALIDATE:?PE_VALIDATE must name tests/schema/validate.py}"
"$PYTHON" -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema not installed"

plan 31

# A PID that does not exist: above pid_max.
NOPID=$(($(cat /proc/sys/kernel/pid_max) + 1))

D=$T/bin
mkdir "$D"
cp "$PE_HELPERS/pe-spin" "$D/live"
cp "$PE_HELPERS/pe-spin" "$D/del"
settle "$D"/*
started=1 LIVE= DEL=
start_fixture live "$T/out.live" "$D/live" marker && LIVE=$FIXTURE_PID || started=0
start_fixture del "$T/out.del" "$D/del" marker && DEL=$FIXTURE_PID || started=0
rm -f "$D/del"
fixtures_started "fixtures started (live $LIVE, deleted $DEL)"

validate() {
	"$PYTHON" "$PE_VALIDATE" "$PE_SCHEMA" "$@"
}

# doc DESC STATUSES ARGS...: procexe ARGS exits with one of STATUSES (a
# '|' list) and its stdout validates, exit_status included
n_doc=0
doc() {
	local desc=$1 want=$2 out rc
	shift 2
	n_doc=$((n_doc + 1))
	out=$T/doc.$n_doc
	case " $* " in *" --jsonl "*) out=$out.jsonl ;; *) out=$out.json ;; esac
	"$PROCEXE" "$@" >"$out" 2>"$out.err"
	rc=$?
	DOC=$out
	if ! [[ "|$want|" == *"|$rc|"* ]]; then
		nok "$desc" "procexe $* exited $rc, want $want" "$(head -c 600 "$out.err")"
	elif validate --status "$rc" "$out" 2>"$out.why"; then
		ok "$desc"
	else
		nok "$desc" "$(head -c 1500 "$out.why")" "output: $(head -c 600 "$out")"
	fi
}

# --- scan, ls
doc "scan -J" 1 -J
doc "scan --jsonl" 1 --jsonl
doc "scan -J --output-all" 1 -J --output-all
doc "scan -J --state ok,kernel,zombie,denied (no finding listed)" "0|1|3" \
	-J --state ok,kernel,zombie,denied
doc "ls -J" "0|3" ls -J
doc "ls --jsonl" "0|3" ls --jsonl
doc "ls -J --output-all" "0|3" ls -J --output-all
doc "ls --jsonl --output-all" "0|3" ls --jsonl --output-all
doc "ls -J LIVE DEL --output-all" 0 ls -J --output-all "$LIVE" "$DEL"
doc "ls -J of a missing PID" 3 ls -J "$NOPID"
doc "ls --jsonl of a missing PID" 3 ls --jsonl "$NOPID"

# --- path
doc "path -J LIVE NOPID DEL LIVE" 3 path -J "$LIVE" "$NOPID" "$DEL" "$LIVE"
doc "path -J LIVE" 0 path -J "$LIVE"

# --- explain
doc "explain -J LIVE" 0 explain -J "$LIVE"
doc "explain -J DEL" 1 explain -J "$DEL"
doc "explain -J of a missing PID (process null)" 3 explain -J "$NOPID"

# --- recover: the document on stdout and the manifest
scratch_dir R "$T"
doc "recover -J -d DIR DEL" 0 recover -J -d "$R/out" "$DEL"
if [ -f "$R/out/manifest.json" ] && validate "$R/out/manifest.json" 2>"$T/manifest.why"; then
	ok "recover: DIR/manifest.json validates"
else
	nok "recover: DIR/manifest.json validates" "$(ls -l "$R/out" 2>&1)" \
		"$(head -c 1500 "$T/manifest.why" 2>/dev/null)"
fi

# --- restart
doc "restart -J" 1 restart -J
doc "restart --jsonl" 1 restart --jsonl
doc "restart -J --output-all" 1 restart -J --output-all
doc "restart -s -J" 1 restart -s -J
doc "restart --summary=package -J" 1 restart --summary=package -J
doc "restart -J LIVE (nothing to restart)" 0 restart -J "$LIVE"
doc "restart --jsonl DEL" 1 restart --jsonl "$DEL"

# --- --list-columns
doc "ls -H -J" 0 ls -H -J
doc "scan -H -J" 0 -H -J
doc "restart -H -J" 0 restart -H -J

# --- a renamed key fails: the schema is closed
doc "ls -J -o PID,COMM LIVE" 0 ls -J -o PID,COMM "$LIVE"
sed 's/"comm":/"command":/' "$DOC" >"$T/renamed.json"
if ! cmp -s "$DOC" "$T/renamed.json" && validate "$DOC" 2>/dev/null &&
   ! validate "$T/renamed.json" 2>"$T/renamed.why" &&
   grep -q "'command' was unexpected" "$T/renamed.why"; then
	ok "the same document with comm renamed to command fails validation"
else
	nok "a renamed key fails validation" "$(cat "$T/renamed.why" 2>/dev/null)" \
		"document: $(head -c 600 "$DOC")"
fi
