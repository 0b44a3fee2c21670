#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart grouping and --units, with processes moved into cgroups
# made for the test (as root): /system.slice/pe-test-ID-a.service is the
# unit pe-test-ID-a.service (GTYPE unit), a .scope is a unit but not listed
# by --units, user@UID.service/.../X.service a user-unit, session-N.scope a
# session, docker-<id>.scope a container (docker:<id12>, also inside
# system.slice), an unrecognised path none (GROUP null).  The cgroup read
# is the v2 path unless it is "/", else the v1 name=systemd path.  --units
# prints the .service units needing a restart, sorted, distinct, nothing
# else.  Rows are sorted by group type, group name, PID.  Every process is
# moved back and every cgroup made here removed on exit.
. "$(dirname "$0")/restart-lib.sh"

need_root "moving processes between cgroups"

# mount point of the cgroup2 hierarchy and of the v1 name=systemd one
V2= V1=
while read -r -a f; do
	for ((i = 6; i < ${#f[@]}; i++)); do
		[ "${f[i]}" = - ] || continue
		case ${f[i + 1]} in
		cgroup2) [ -z "$V2" ] && [ "${f[3]}" = / ] && V2=${f[4]} ;;
		cgroup) case ,${f[i + 3]}, in
			*,name=systemd,*) [ -z "$V1" ] && [ "${f[3]}" = / ] && V1=${f[4]} ;;
			esac ;;
		esac
		break
	done
done </proc/self/mountinfo

# the test's own cgroups (processes are moved back there)
SELF_V2= SELF_V1=
while IFS= read -r line; do
	case $line in
	0::*) SELF_V2=${line#0::} ;;
	*:name=systemd:*) SELF_V1=${line#*:name=systemd:} ;;
	esac
done </proc/self/cgroup

ID=$$$RANDOM
_cg_made=()      # "HIER DIR" of every directory made, in order
_cg_moved=()     # "HIER PID" of every process moved

# cg_writable HIER: a directory can be made (and removed) at its top
cg_writable() {
	local d="$1/pe-rt-probe-$ID"
	[ -n "$1" ] && [ -w "$1/cgroup.procs" ] && mkdir "$d" 2>/dev/null && rmdir "$d"
}

# cg_move PID HIER PATH: make HIER/PATH (each missing level) and move PID
# into it
cg_move() {
	local pid=$1 hier=$2 path=$3 d=$2 comp
	local IFS=/
	for comp in ${path#/}; do
		d=$d/$comp
		if [ ! -d "$d" ]; then
			mkdir "$d" || return 1
			_cg_made+=("$hier $d")
		fi
	done
	unset IFS
	_cg_moved+=("$hier $pid")
	echo "$pid" >"$d/cgroup.procs"
}

# put the moved processes back where the test runs, remove the directories
cg_cleanup() {
	local e hier pid d i home
	for e in "${_cg_moved[@]}"; do
		read -r hier pid <<<"$e"
		if [ "$hier" = "$V2" ]; then home=$SELF_V2; else home=$SELF_V1; fi
		if [ "$(ppid_of "$pid")" = $$ ] && [ -n "$home" ]; then
			echo "$pid" >"$hier${home%/}/cgroup.procs" 2>/dev/null
		fi
	done
	for ((i = ${#_cg_made[@]} - 1; i >= 0; i--)); do
		d=${_cg_made[i]#* }
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
trap 'cg_cleanup; _pe_cleanup; cg_cleanup' EXIT

USE_V2=0 USE_V1=0
cg_writable "$V2" && USE_V2=1
# v1 counts only for processes whose v2 path is "/"
if cg_writable "$V1" && { [ -z "$SELF_V2" ] || [ "$SELF_V2" = / ]; }; then
	USE_V1=1
fi
if [ $USE_V2 = 1 ]; then
	H=$V2
elif [ $USE_V1 = 1 ]; then
	H=$V1
else
	skip_all "no writable cgroup hierarchy (cgroup2: ${V2:-none}, name=systemd: ${V1:-none})"
fi

plan 39

HEX=$(printf '%s' "pe-rt-$ID" | sha256sum | cut -c1-64)
SYS=/system.slice
TOP=/pe-rt-$ID.slice
declare -A CG WANT_GROUP WANT_GTYPE
CG[a1]=$SYS/pe-test-$ID-a.service
CG[a2]=$SYS/pe-test-$ID-a.service
CG[b]=$SYS/pe-test-$ID-b.service
CG[c]=$SYS/pe-test-$ID-c.service            # intact
CG[scope]=$SYS/pe-test-$ID.scope
CG[uunit]=$TOP/user-4242.slice/user@4242.service/app.slice/pe-app-$ID.service
CG[umgr]=$TOP/user-4242.slice/user@4242.service
CG[sess]=$TOP/user-4242.slice/session-4242.scope
CG[dock]=$SYS/docker-$HEX.scope
CG[none]=$TOP/pe-none
WANT_GROUP[a1]=pe-test-$ID-a.service;  WANT_GTYPE[a1]=unit
WANT_GROUP[a2]=pe-test-$ID-a.service;  WANT_GTYPE[a2]=unit
WANT_GROUP[b]=pe-test-$ID-b.service;   WANT_GTYPE[b]=unit
WANT_GROUP[scope]=pe-test-$ID.scope;   WANT_GTYPE[scope]=unit
WANT_GROUP[uunit]=user@4242.service/pe-app-$ID.service; WANT_GTYPE[uunit]=user-unit
WANT_GROUP[umgr]=user@4242.service;    WANT_GTYPE[umgr]=user-unit
WANT_GROUP[sess]=session-4242.scope;   WANT_GTYPE[sess]=session
WANT_GROUP[dock]=docker:${HEX:0:12};   WANT_GTYPE[dock]=container
WANT_GROUP[none]=null;                 WANT_GTYPE[none]=none
FLAGGED="a1 a2 b scope uunit umgr sess dock none"
KEYS="$FLAGGED c"
SERVICES="pe-test-$ID-a.service pe-test-$ID-b.service"
# v1 fallback (the v2 path is "/"), and v2 over v1 when both are set
if [ $USE_V2 = 1 ] && [ $USE_V1 = 1 ]; then
	KEYS="$KEYS v1 both"
	FLAGGED="$FLAGGED v1 both"
	WANT_GROUP[v1]=pe-test-$ID-v1.service; WANT_GTYPE[v1]=unit
	WANT_GROUP[both]=pe-test-$ID-v2.service; WANT_GTYPE[both]=unit
	SERVICES="$SERVICES pe-test-$ID-v1.service pe-test-$ID-v2.service"
fi

declare -A P
started=1
for k in $KEYS; do
	lib_copy "$T/lib$k.so"
done
settle "$T"/lib*.so
for k in $KEYS; do
	if start_dl "$k" "$T/out.$k" "$T/lib$k.so"; then P[$k]=$FIXTURE_PID; else started=0; fi
done
if [ $started = 0 ]; then
	nok "fixtures started"
	skip_rest "rest" "fixtures did not start"
	exit 0
fi
moved=1
for k in $KEYS; do
	case $k in
	v1) cg_move "${P[$k]}" "$V1" "$SYS/pe-test-$ID-v1.service" || moved=0 ;;
	both) cg_move "${P[$k]}" "$V2" "$SYS/pe-test-$ID-v2.service" &&
	      cg_move "${P[$k]}" "$V1" "$SYS/pe-test-$ID-wrong.service" || moved=0 ;;
	*) cg_move "${P[$k]}" "$H" "${CG[$k]}" || moved=0 ;;
	esac
done
if [ $moved = 0 ]; then
	nok "fixtures started and moved into their cgroups" "$(cat "$T/stderr.log")"
	skip_rest "rest" "cgroups not writable here"
	exit 0
fi
ok "fixtures started and moved into their cgroups (hierarchy $H)"
for k in $FLAGGED; do
	rm "$T/lib$k.so"
done
if grep -qx "0::${CG[a1]}\|[0-9]*:name=systemd:${CG[a1]}" "/proc/${P[a1]}/cgroup"; then
	ok "precondition: /proc/PID/cgroup shows the unit's path"
else
	nok "precondition: /proc/PID/cgroup shows the unit's path" "$(cat "/proc/${P[a1]}/cgroup")"
fi

J=$T/all.json
restartj "$J" "${P[@]}"
status_is "$J" 1 "exit 1"
check "valid JSON" rsj valid "$J"

# GROUP, GTYPE and CGROUP of every flagged process: 2 tests each for the 9
# fixed ones, v1 and both are checked below
for k in a1 a2 b scope uunit umgr sess dock none; do
	finding "$k: GROUP ${WANT_GROUP[$k]}, GTYPE ${WANT_GTYPE[$k]}" "$J" pid="${P[$k]}" \
		group="${WANT_GROUP[$k]}" group_type="${WANT_GTYPE[$k]}" reason=deleted path="$T/lib$k.so"
	finding "$k: CGROUP is the path moved into" "$J" pid="${P[$k]}" cgroup="${CG[$k]}"
done
rows_is "the intact process in a unit: not flagged" "$J" 0 pid="${P[c]}"
if [ $USE_V2 = 1 ] && [ $USE_V1 = 1 ]; then
	finding "v2 path \"/\": the v1 name=systemd path groups (unit pe-test-ID-v1.service)" "$J" \
		pid="${P[v1]}" group="${WANT_GROUP[v1]}" group_type=unit cgroup="$SYS/pe-test-$ID-v1.service"
	finding "v2 and v1 paths both set: the v2 one groups" "$J" \
		pid="${P[both]}" group="${WANT_GROUP[both]}" group_type=unit cgroup="$SYS/pe-test-$ID-v2.service"
else
	skip_n 2 "v1 fallback and v2 precedence" "needs both a writable cgroup2 and a name=systemd hierarchy, v2 path \"/\""
fi

# sort: unit < user-unit < session < container < none, then GROUP, then PID
rsj values "$J" group_type >"$T/s.gtype"
rsj values "$J" group >"$T/s.group"
rsj values "$J" pid >"$T/s.pid"
paste -d'\t' "$T/s.gtype" "$T/s.group" "$T/s.pid" |
	awk -F'\t' 'BEGIN { r["unit"] = 1; r["user-unit"] = 2; r["session"] = 3; r["container"] = 4; r["none"] = 5 }
		{ print r[$1] "\t" ($2 == "null" ? "" : $2) "\t" $3 }' >"$T/s.keys"
if LC_ALL=C sort -c -t "$(printf '\t')" -k1,1n -k2,2 -k3,3n "$T/s.keys" 2>"$T/s.err"; then
	ok "rows sorted by group type, group name, PID"
else
	nok "rows sorted by group type, group name, PID" "$(cat "$T/s.keys")"
fi
is "$(cut -f1 "$T/s.gtype" | uniq | tr '\n' ' ')" "unit user-unit session container none " \
	"group types in the order unit, user-unit, session, container, none"

# --- --units
restartx "$T/units" --units "${P[@]}"
status_is "$T/units" 1 "--units: exit 1"
is "$(cat "$T/units")" "$(printf '%s\n' $SERVICES | LC_ALL=C sort)" \
	"--units: exactly the .service units, sorted, each once (no .scope, user unit, session, container)"
restartx "$T/units-a" --units "${P[a1]}"
is "$(cat "$T/units-a")" "pe-test-$ID-a.service" "--units with the one process: exactly its unit"
restartx "$T/units-c" --units "${P[c]}"
status_is "$T/units-c" 0 "--units, intact process in a unit: exit 0"
is "$(cat "$T/units-c")" "" "--units, intact process in a unit: prints nothing"
restartx "$T/units-s" --units "${P[scope]}" "${P[sess]}" "${P[uunit]}" "${P[dock]}" "${P[none]}"
is "$(cat "$T/units-s")" "" "--units: a scope, session, user unit, container or none prints nothing"
restartx "$T/units-i" --units --ignore "$T/liba1.so" "${P[a1]}" "${P[b]}"
is "$(cat "$T/units-i")" "pe-test-$ID-b.service" "--units with --ignore: the unit with only ignored findings is left out"

# --- table and raw
restartx "$T/all.raw" -r -n -o PID,GTYPE,GROUP "${P[@]}"
check "raw: a1 row with GTYPE unit and its unit" rsj rawhas "$T/all.raw" "${P[a1]}" unit "pe-test-$ID-a.service"
check "raw: user unit" rsj rawhas "$T/all.raw" "${P[uunit]}" user-unit "user@4242.service/pe-app-$ID.service"
check "raw: container" rsj rawhas "$T/all.raw" "${P[dock]}" container "docker:${HEX:0:12}"
check "raw: none has an empty GROUP" rsj rawhas "$T/all.raw" "${P[none]}" none ""
restartx "$T/all.tab" "${P[a1]}" "${P[sess]}"
if grep -Eq "^pe-test-$ID-a\.service[[:space:]]+${P[a1]}[[:space:]]" "$T/all.tab" &&
   grep -Eq "^session-4242\.scope[[:space:]]+${P[sess]}[[:space:]]" "$T/all.tab"; then
	ok "table: GROUP is the first default column"
else
	nok "table: GROUP is the first default column" "$(cat "$T/all.tab")"
fi
