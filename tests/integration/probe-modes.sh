#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The repointed check (is the image among the process's file mappings?)
# peeks at the lowest mapping through PROCMAP_QUERY where the kernel has it
# and at the first line of the maps text otherwise.  pe-probe-modes reads
# the same planted processes both ways (procexe_proc_load and
# procexe_scan) and must get the same state and flags: a normal process, one
# whose lowest file mapping is not its image, a loader launch, a deleted
# image, a memfd, a repointed process (maps no file at all).
. "$(dirname "$0")/lib.sh"

PM=${PE_PROBE_MODES:?PE_PROBE_MODES must name the pe-probe-modes binary}
S=$PE_HELPERS/pe-spin
plan 10

cp "$S" "$T/normal"
cp "$S" "$T/prog"
cp "$S" "$T/gone"
cp "$PM" "$T/lowmap"
head -c 4096 /dev/zero >"$T/data"
settle "$T/normal" "$T/prog" "$T/gone" "$T/lowmap" "$T/data"

declare -A P EXPECT
add() { # add CASE STATE NAME OUT CMD...: plant CMD, expect STATE in both modes
	local c=$1 st=$2
	shift 2
	if start_fixture "$@"; then
		P[$c]=$FIXTURE_PID EXPECT[$c]=$st
	fi
}
add normal ok normal "$T/out.n" "$T/normal" marker
add lowmap ok lowmap "$T/out.l" "$T/lowmap" --low-map "$T/data"
LDSO=$(pejson interp "$S" 2>/dev/null) && [ -x "$LDSO" ] &&
	add loader ok loader "$T/out.ld" "$LDSO" "$T/prog" marker
add deleted deleted gone "$T/out.g" "$T/gone" marker && rm "$T/gone"
spawn "$T/out.m" "$PE_HELPERS/pe-memfd-exec" "$S" pe-int-probe marker
wait_ready "$T/out.m" "$SPAWNED" && P[memfd]=$READY_PID EXPECT[memfd]=fileless
if [ "$(id -u)" = 0 ] && [ -x "$PE_HELPERS/pe-repoint" ]; then
	cp "$PE_HELPERS/pe-repoint" "$T/repointer"
	cp "$S" "$T/decoy"
	settle "$T/repointer" "$T/decoy"
	spawn "$T/out.rp" "$T/repointer" "$T/decoy"
	wait_ready "$T/out.rp" "$SPAWNED" && case $READY_LINE in
	ready*) P[repointed]=$READY_PID EXPECT[repointed]=repointed ;;
	esac
fi

is "${P[normal]:+y}${P[lowmap]:+y}${P[deleted]:+y}" yyy "the basic fixtures started"
"$PM" "${P[@]}" >"$T/modes" 2>>"$T/stderr.log"
rc=$?
diag "$(cat "$T/modes")"
if [ $rc = 77 ]; then
	skip_rest "both modes" "this kernel lacks PROCMAP_QUERY (before Linux 6.11)"
	exit 0
fi
is "$rc" 0 "same state and flags, same lowest file mapping, with PROCMAP_QUERY and with the text"

# line_of PID: "PID STATE FLAGS STATE FLAGS FIRST FIRST" for the loads
line_of() { awk -v p="$1" '$1 == p' "$T/modes"; }
for c in normal lowmap loader deleted memfd repointed; do
	if [ -z "${P[$c]:-}" ]; then
		skip "$c: state ${EXPECT[$c]:-?} both ways" "fixture did not start or not possible here"
		continue
	fi
	set -- $(line_of "${P[$c]}")
	is "$2/$4" "${EXPECT[$c]}/${EXPECT[$c]}" "$c: state ${EXPECT[$c]} with PROCMAP_QUERY and with the text"
done

# the lowest file mapping of the lowmap fixture is the data file, not its image
set -- $(line_of "${P[lowmap]:-none}")
is "${6:-}" "${6:+${6%:*}:}$(stat -c %i "$T/data")" "lowmap: the query finds the data file first"
if [ -n "${P[repointed]:-}" ]; then
	set -- $(line_of "${P[repointed]}")
	is "$6/$7" "-/-" "repointed: no file mapped at all, both ways"
else
	skip "repointed: no file mapped at all, both ways" "needs root and pe-repoint (x86_64, PR_SET_MM_MAP)"
fi
