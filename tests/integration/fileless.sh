#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fileless execution: a memfd and an O_TMPFILE file in /dev/shm are
# "fileless" (never had a name); a binary run from /dev/shm and then removed
# is "deleted".  A live file whose name looks like a memfd's text is ok.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
plan 13

# --- memfd
spawn "$T/out.memfd" "$PE_HELPERS/pe-memfd-exec" "$S" pe-int-memfd marker
wait_ready "$T/out.memfd" "$SPAWNED"
rc=$?
if [ $rc = 77 ]; then
	skip_n 5 "memfd exec" "${READY_LINE#skip: } (vm.memfd_noexec=$(cat /proc/sys/vm/memfd_noexec 2>/dev/null))"
elif [ $rc != 0 ]; then
	nok "memfd fixture started" "$READY_LINE $(tail -n 3 "$T/stderr.log")"
	skip_n 4 "memfd exec" "fixture did not start"
else
	M=$READY_PID
	ok "memfd fixture started"
	J=$T/memfd.json
	lsj "$J" "$M"
	is "$(jstate "$J" "$M")" fileless "memfd: state fileless"
	check "memfd: LINK is the kernel's memfd text" jeq "$J" "$M" link "/memfd:pe-int-memfd (deleted)"
	scanj "$T/scan1.json"
	is "$SCAN_RC" 1 "memfd: scan exits 1"
	check "memfd: listed by the scan" jhas "$T/scan1.json" "$M"
fi

# --- O_TMPFILE in /dev/shm
if [ ! -d /dev/shm ] || [ ! -w /dev/shm ]; then
	skip_n 3 "O_TMPFILE exec" "/dev/shm not available"
else
	spawn "$T/out.tmpfile" "$PE_HELPERS/pe-tmpfile-exec" /dev/shm "$S" marker
	wait_ready "$T/out.tmpfile" "$SPAWNED"
	rc=$?
	if [ $rc = 77 ]; then
		skip_n 3 "O_TMPFILE exec" "${READY_LINE#skip: }"
	elif [ $rc != 0 ]; then
		nok "O_TMPFILE fixture started" "$READY_LINE $(tail -n 3 "$T/stderr.log")"
		skip_n 2 "O_TMPFILE exec" "fixture did not start"
	else
		O=$READY_PID
		ok "O_TMPFILE fixture started"
		J=$T/tmpfile.json
		lsj "$J" "$O"
		is "$(jstate "$J" "$O")" fileless "O_TMPFILE: state fileless"
		scanj "$T/scan2.json"
		check "O_TMPFILE: listed by the scan" jhas "$T/scan2.json" "$O"
	fi
fi

# --- a named file in /dev/shm, then removed: deleted, not fileless
if scratch_dir SHM /dev/shm 2>/dev/null; then
	cp "$S" "$SHM/prog"
	settle "$SHM/prog"
	if start_fixture shm "$T/out.shm" run_in "$SHM" ./prog; then
		P=$FIXTURE_PID
		J=$T/shm.json
		lsj "$J" "$P"
		is "$(jstate "$J" "$P")" ok "/dev/shm binary: state ok while it exists"
		rm "$SHM/prog"
		lsj "$J" "$P"
		is "$(jstate "$J" "$P")" deleted "/dev/shm binary removed: state deleted"
		check "/dev/shm binary removed: EXE is the launch path" jeq "$J" "$P" exe "$SHM/prog"
	else
		nok "/dev/shm fixture started"
		skip_n 2 "/dev/shm" "fixture did not start"
	fi
else
	skip_n 3 "/dev/shm" "cannot create a directory in /dev/shm"
fi

# --- a real file whose path looks like memfd text is not fileless
mkdir -p "$T/m/memfd:x (deleted)"
cp "$S" "$T/m/memfd:x (deleted)/prog"
settle "$T/m/memfd:x (deleted)/prog"
if start_fixture lookalike "$T/out.look" run_in "$T/m/memfd:x (deleted)" ./prog; then
	P=$FIXTURE_PID
	J=$T/look.json
	lsj "$J" "$P"
	is "$(jstate "$J" "$P")" ok "file under a \"memfd:x (deleted)\" directory: state ok"
	is "$(jget "$J" "$P" modified)" false "file under a \"memfd:x (deleted)\" directory: not MODIFIED"
else
	nok "look-alike fixture started"
	skip_n 1 "look-alike" "fixture did not start"
fi
