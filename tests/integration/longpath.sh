#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Long paths: a binary at a 4090-byte path is ok while it lives; once
# deleted the kernel's text (path + " (deleted)") exceeds 4095 bytes and
# readlink fails with ENAMETOOLONG, yet the state is deleted by identity.
# A path longer than 4095 bytes cannot be rendered at all.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
plan 12

# make_deep BASE TOTAL: create directories under BASE so that
# BASE/dirs.../NAME is exactly TOTAL bytes; prints the relative dir and name
comp=$(printf 'd%.0s' $(seq 200))
make_deep() {
	local base=$1 total=$2 rel= name len
	len=$(( ${#base} + 1 ))            # BASE + "/"
	while [ $(( total - len )) -gt 255 ]; do   # NAME_MAX
		rel=$rel$comp/
		len=$((len + 201))
	done
	name=$(printf 'p%.0s' $(seq $(( total - len ))))
	( cd "$base" && for ((i = 0; i < ${#rel} / 201; i++)); do
		mkdir "$comp" && cd "$comp" || exit 1
	  done && cp "$S" "$name" ) || return 1
	echo "$rel"
	echo "$name"
}

# deep_cd REL: cd one component at a time (REL may exceed PATH_MAX)
deep_cd() {
	local c cs
	IFS=/ read -ra cs <<<"$1"
	for c in "${cs[@]}"; do
		[ -n "$c" ] || continue
		cd "$c" || return 1
	done
}
# run_deep BASE REL ./PROG: exec PROG in BASE/REL; through env(1), since
# bash would exec a relative command by its absolute (too long) name
run_deep() {
	cd "$1" && deep_cd "$2" || exit 1
	shift 2
	exec env "$@"
}

# 1) exactly 4090 bytes
mkdir "$T/L"
{ read -r rel; read -r name; } < <(make_deep "$T/L" 4090)
full=$T/L/$rel$name
is "${#full}" 4090 "fixture path is 4090 bytes long"
settle "$full"
if ! start_fixture long "$T/out.long" run_deep "$T/L" "$rel" "./$name"; then
	nok "fixture at a 4090-byte path started"
	skip_rest "rest" "fixture did not start"
	exit 0
fi
P=$FIXTURE_PID
ok "fixture at a 4090-byte path started"

J=$T/live.json
lsj "$J" "$P"
is "$(jstate "$J" "$P")" ok "4090-byte path, live: state ok"
check "4090-byte path, live: EXE is the full path" jeq "$J" "$P" exe "$full"

rm "$full"
if readlink "/proc/$P/exe" >/dev/null 2>&1; then
	diag "readlink unexpectedly works: $(readlink "/proc/$P/exe" | wc -c) bytes"
fi
J=$T/del.json
lsj "$J" "$P"
is "$LS_RC" 0 "4090-byte path, deleted: ls exits 0"
check "4090-byte path, deleted: valid JSON" jvalid "$J"
is "$(jstate "$J" "$P")" deleted "4090-byte path, deleted: state deleted (ENAMETOOLONG, by identity)"
is "$(jget "$J" "$P" link)" null "4090-byte path, deleted: LINK unknown (null)"
scanj "$T/scan.json"
check "4090-byte path, deleted: listed by the scan" jhas "$T/scan.json" "$P"

# 2) longer than PATH_MAX while live
mkdir "$T/X"
{ read -r rel; read -r name; } < <(make_deep "$T/X" 4300)
(cd "$T/X" && deep_cd "$rel" && settle "$name")
if ! start_fixture toolong "$T/out.toolong" run_deep "$T/X" "$rel" "./$name"; then
	nok "fixture at a 4300-byte path started"
	skip_rest "rest" "fixture did not start"
	exit 0
fi
P2=$FIXTURE_PID
ok "fixture at a 4300-byte path started"
J=$T/toolong.json
lsj "$J" "$P2"
st=$(jstate "$J" "$P2")
case $st in
ok|unreachable) ok "4300-byte path, live: state ok or unreachable (got $st)" ;;
*) nok "4300-byte path, live: state ok or unreachable" "got $st (rc=$LS_RC): $(head -c 300 "$J.err")" ;;
esac
is "$(jget "$J" "$P2" link)" null "4300-byte path, live: LINK unknown (null)"
