#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart does not ignore libraries and programs under /dev/shm and
# /tmp (needrestart and checkrestart skip such paths): deleted there they
# are flagged deleted, intact there they are not flagged.
. "$(dirname "$0")/restart-lib.sh"

plan 14

# exec_ok DIR: the file system of DIR allows executable mappings
exec_ok() {
	! findmnt -n -o OPTIONS -T "$1" 2>/dev/null | tr ',' '\n' | grep -qx noexec
}

# one block per directory: 7 tests each
run_dir() {
	local top=$1 tag=$2 dir pdel pok pexe
	if ! scratch_dir dir "$top" 2>/dev/null; then
		skip_n 7 "$top" "cannot create a directory in $top"
		return
	fi
	if ! exec_ok "$dir"; then
		skip_n 7 "$top" "$top is mounted noexec"
		return
	fi
	lib_copy "$dir/lib$tag-del.so"
	lib_copy "$dir/lib$tag-ok.so"
	cp "$PE_HELPERS/pe-spin" "$dir/spin-$tag"
	settle "$dir"/*
	if ! start_dl "$tag-del" "$T/out.$tag-del" "$dir/lib$tag-del.so" ||
	   ! { pdel=$FIXTURE_PID; start_dl "$tag-ok" "$T/out.$tag-ok" "$dir/lib$tag-ok.so"; } ||
	   ! { pok=$FIXTURE_PID; start_fixture "$tag-exe" "$T/out.$tag-exe" "$dir/spin-$tag" marker; }; then
		nok "$top: fixtures started"
		skip_n 6 "$top" "fixtures did not start"
		return
	fi
	pexe=$FIXTURE_PID
	ok "$top: fixtures started ($dir)"

	local j=$T/$tag-before.json
	restartj "$j" "$pdel" "$pok" "$pexe"
	status_is "$j" 0 "$top: intact library and program: exit 0"

	rm "$dir/lib$tag-del.so" "$dir/spin-$tag"
	j=$T/$tag.json
	restartj "$j" "$pdel" "$pok" "$pexe"
	status_is "$j" 1 "$top: deleted library and program: exit 1"
	finding "$top: deleted library flagged deleted, FILE the path" "$j" \
		pid="$pdel" reason=deleted type=lib category=restart path="$dir/lib$tag-del.so"
	rows_is "$top: deleted library: the only row of its process" "$j" 1 pid="$pdel"
	finding "$top: deleted program flagged deleted, TYPE exe" "$j" \
		pid="$pexe" reason=deleted type=exe category=restart path="$dir/spin-$tag"
	rows_is "$top: intact library: not flagged" "$j" 0 pid="$pok"
}

run_dir /dev/shm shm
run_dir /tmp tmp
