#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch (fanotify alone, and fanotify with bpf) and a process whose exec of a script
# fails after the script was opened (its interpreter does not exist),
# then execs another script from the same PID: the second exec's record
# carries the second script, not the first (the second's exec open is no
# interpreter of the first: a process could hide a script behind a decoy),
# and (fanotify alone) the decoy's failed exec is recorded too.  A script whose
# interpreter is a script itself still gives one record, of the script
# execve'd; and every --jsonl line validates.
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs

plan 11
watch_fs
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || skip_all "cannot make a fifo"
printf '#!/nonexistent/pe-interp\n# PEW:script-decoy\n' >"$FS/decoy" && chmod 755 "$FS/decoy"
printf '#!/bin/sh\nread -r x\n# PEW:script-hidden\n' >"$FS/hidden" && chmod 755 "$FS/hidden"
printf '#!/bin/sh\nexec /bin/sh "$@"\n' >"$FS/interp" && chmod 755 "$FS/interp"
printf '#!%s\nread -r x\n# PEW:script-nested\n' "$FS/interp" >"$FS/nested" &&
	chmod 755 "$FS/nested"
SH=$(readlink -f /bin/sh)

# recs PID: PID's exec records
recs() {
	grep -E "\"record\": ?\"exec\".*\"pid\": ?$1[,} ]" "$WOUT"
}

# run_released ARGS...: run ARGS with stdin on the fifo (P its PID), wait
# (bounded) for its record whose image is the shell, release it, wait
# for its exit
run_released() {
	local end=$((SECONDS + 20))
	"$@" <&7 7<&- &
	P=$!
	track_pid "$P"
	until recs "$P" | grep -qE "\"exe\": ?\"$SH\""; do
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.05
	done
	echo x >&7
	wait_exit "$P" 10
}

# mech_tests M (4 tests, 5 for fanotify alone)
mech_tests() {
	local rec
	# shellcheck disable=SC2016
	run_released bash -c 'shopt -s execfail; exec "$1" 2>/dev/null; exec "$2"' _ \
		"$FS/decoy" "$FS/hidden"
	rec=$(recs "$P" | grep -E "\"exe\": ?\"$SH\"")
	case $rec in
	*"\"path\":\"$FS/hidden\""*) ok "$1: the interpreter's record carries the script it ran" ;;
	*) nok "$1: the interpreter's record carries the script it ran" "${rec:0:1500}" ;;
	esac
	if [ "$1" = fanotify ]; then
		if recs "$P" | grep -q "\"path\":\"$FS/decoy\""; then
			ok "$1: the decoy's failed exec is recorded too"
		else
			nok "$1: the decoy's failed exec is recorded too" "$(recs "$P" | head -c 1500)"
		fi
	fi

	run_released "$FS/nested"
	rec=$(recs "$P")
	case $rec in
	*"\"path\":\"$FS/nested\""*) ok "$1: nested interpreter: the record carries the script execve'd" ;;
	*) nok "$1: nested interpreter: the record carries the script execve'd" "${rec:0:1500}" ;;
	esac
	is "$(grep -c "\"$FS/interp\"" <<<"$rec")" 0 "$1: nested interpreter: not recorded as a script"
}

for m in fanotify fanotify,bpf; do
	WOUT=$T/$m.jsonl
	n=5
	[ "$m" = fanotify ] && n=6
	watch_start "$WOUT" --mechanism "$m" --all --jsonl
	case $? in
	0) ok "$m: watcher started" ;;
	77) skip_n "$n" "$m" "cannot load: $WHY"; continue ;;
	*) nok "$m: watcher started" "$WHY"; skip_n $((n - 1)) "$m" "did not start"; continue ;;
	esac
	mech_tests "$m"
	watch_stop TERM
	if validate_jsonl "$WOUT" "$WRC" 2>"$T/why"; then
		ok "$m: every --jsonl line validates (exit $WRC)"
	else
		nok "$m: every --jsonl line validates" "exit $WRC: $(head -c 1500 "$T/why")"
	fi
done
