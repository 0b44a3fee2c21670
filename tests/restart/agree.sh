#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One verdict: the scan, restart, recover --all --libs and explain agree on
# a planted set mixing every state and library case.  Each planted process
# either needs attention or not, and every subcommand says the same:
#   intact, intact with an intact library       -> nobody flags it
#   exe deleted, exe replaced                   -> everyone
#   a deleted LD_PRELOAD library (exe intact)   -> restart, recover (the
#                                                  library), explain; not
#                                                  the exe scan
#   a replaced dlopen'ed library, a library modified in place -> likewise
#   memfd code mapped (exe intact)              -> restart (fileless), recover
#   a loader-launched program deleted           -> everyone, about the program
. "$(dirname "$0")/restart-lib.sh"

S=$PE_HELPERS/pe-spin
MAP=$PE_HELPERS/pe-memfd-map
LDSO=$(pejson interp "$S") || skip_all "pe-spin has no PT_INTERP (static build)"
[ -x "$LDSO" ] || skip_all "loader $LDSO not executable"
[ -x "$MAP" ] || skip_all "no $MAP"
need_root "recover --libs opens map_files"

plan 24

D=$T/a
mkdir "$D"
for n in ok del rep mod pre; do
	lib_copy "$D/lib$n.so"
done
for n in spin-ok spin-del spin-rep prog; do
	cp "$S" "$D/$n"
done
cp "$S" "$D/spin-rep.new"
printf 'X' >>"$D/spin-rep.new"
lib_copy "$D/librep.new"
printf 'X' >>"$D/librep.new"
settle "$D"/*

declare -A P
started=1
sf() {  # sf KEY CMD...
	local k=$1
	shift
	if start_fixture "$k" "$T/out.$k" "$@"; then P[$k]=$FIXTURE_PID; else started=0; fi
}
sf intact "$D/spin-ok" marker
sf intact-lib "$DLOPEN" "$D/libok.so" -- pe-rt-agree
sf exe-del "$D/spin-del" marker
sf exe-rep "$D/spin-rep" marker
sf lib-pre env LD_PRELOAD="$D/libpre.so" "$D/spin-ok" marker
sf lib-rep "$DLOPEN" "$D/librep.so" -- pe-rt-agree
sf lib-mod "$DLOPEN" "$D/libmod.so" -- pe-rt-agree
sf memfd "$MAP" pe-agree-jit
sf loader run_in "$D" "$LDSO" ./prog marker
t_start=$(date +%s.%N)
fixtures_started "planted processes started"

rm "$D/spin-del" "$D/libpre.so" "$D/prog"
mv -f "$D/spin-rep.new" "$D/spin-rep"
mv -f "$D/librep.new" "$D/librep.so"
settle_since "$t_start"
printf 'appended' >>"$D/libmod.so"

# what each planted process is: needs attention? which subcommands see it?
declare -A WANT_ANY=( [intact]=0 [intact-lib]=0 [exe-del]=1 [exe-rep]=1 [lib-pre]=1
	[lib-rep]=1 [lib-mod]=1 [memfd]=1 [loader]=1 )
declare -A WANT_SCAN=( [exe-del]=1 [exe-rep]=1 [loader]=1 )

PIDS=("${P[@]}")
SJ=$T/scan.json
"$PROCEXE" -J >"$SJ" 2>"$SJ.err"      # the whole host; planted PIDs compared
RJ=$T/restart.json
restartj "$RJ" "${PIDS[@]}"
MJ=$T/ev/manifest.json
"$PROCEXE" recover --all --libs -J -d "$T/ev" >"$T/recover.json" 2>"$T/recover.err"

pids_of() {     # pids_of FILE: the PIDs listed in a scan, restart or manifest JSON
	"$PYTHON" - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d.get("processes") or d.get("restart") or (d.get("images", []) + d.get("failures", []))
print("\n".join(sorted({str(r["pid"]) for r in rows})))
EOF
}
sp=$(pids_of "$SJ")
rp=$(pids_of "$RJ")
mp=$(pids_of "$MJ")
in_list() { grep -qx "$1" <<<"$2"; }

for k in intact intact-lib exe-del exe-rep lib-pre lib-rep lib-mod memfd loader; do
	p=${P[$k]}
	want=${WANT_ANY[$k]}
	scan=0 rs=0 rec=0
	in_list "$p" "$sp" && scan=1
	in_list "$p" "$rp" && rs=1
	in_list "$p" "$mp" && rec=1
	if [ "$scan" = "${WANT_SCAN[$k]:-0}" ] && [ "$rs" = "$want" ] && [ "$rec" = "$want" ]; then
		ok "$k: scan $scan, restart $rs, recover --all --libs $rec"
	else
		nok "$k: scan ${WANT_SCAN[$k]:-0}, restart $want, recover $want wanted" \
			"got scan $scan, restart $rs, recover $rec"
	fi
done

# mentry PID SOURCE [PATH]: the manifest lists PID with SOURCE (and PATH)
mentry() {
	"$PYTHON" - "$MJ" "$@" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
pid, src, path = int(sys.argv[2]), sys.argv[3], sys.argv[4:]
sys.exit(0 if any(e["pid"] == pid and e["source"] == src and (not path or e["path"] == path[0])
                  for e in m["images"] + m["failures"]) else 1)
EOF
}

# recover --all --libs copies what restart lists: the libraries of intact
# executables included, each distinct image once
check "deleted LD_PRELOAD library of an intact exe recovered" mentry "${P[lib-pre]}" map
check "replaced dlopen'ed library recovered" mentry "${P[lib-rep]}" map
check "library modified in place recovered" mentry "${P[lib-mod]}" map
check "the intact exe of lib-pre is not copied for its library" eval "! mentry ${P[lib-pre]} exe"
check "the loader launch yields the program, not ld.so" mentry "${P[loader]}" exe "$D/prog"

# explain: exit 1 for what needs attention, 0 for the rest
for k in intact intact-lib exe-del exe-rep lib-pre lib-rep lib-mod memfd loader; do
	"$PROCEXE" explain "${P[$k]}" >"$T/explain.$k" 2>&1
	rc=$?
	is "$rc" "$((WANT_ANY[$k]))" "explain $k: exit $((WANT_ANY[$k]))"
done
