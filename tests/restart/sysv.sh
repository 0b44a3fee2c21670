#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart without systemd (issue #13 item 3): real processes that
# must restart (a deleted library), a fake init layout under
# $PROCEXE_TEST_ROOT read by the test build (procexe-test): etc/init.d
# scripts naming pidfiles in a scratch run/ (and var/run/) directory, no
# run/systemd/system.  A process whose pidfile (or whose parent's pidfile)
# a script names is grouped as group_type sysv under the script's name and
# --units prints that name; the others get "restart PID N (COMM)" on
# stderr; with no service at all --units prints nothing, says so, and
# still exits 1.  A pidfile owned by another user, or a symlink, is not
# believed.  With run/systemd/system present, the systemd rules apply.
. "$(dirname "$0")/restart-lib.sh"

[ -x "${PROCEXE_TEST:-}" ] || skip_all "no test build of procexe (PROCEXE_TEST)"

plan 22

ID=$$$RANDOM
R=$T/root
mkdir -p "$R/etc/init.d" "$R/run" "$R/var/run/pe-b-$ID" "$R/proc"
for n in a b c; do
	lib_copy "$T/lib$n.so"
done
settle "$T"/lib*.so

started=1
start_dl a "$T/out.a" "$T/liba.so" && PA=$FIXTURE_PID || started=0
start_dl b "$T/out.b" "$T/libb.so" && PB=$FIXTURE_PID || started=0
start_dl c "$T/out.c" "$T/libc.so" && PC=$FIXTURE_PID || started=0
fixtures_started "fixtures started"
rm "$T/liba.so" "$T/libb.so" "$T/libc.so"

# service a names its pidfile in the script; b's is the usual
# /var/run/NAME/NAME.pid; c has none
printf '#!/bin/sh\nDAEMON=/usr/sbin/pe-a-daemon\nPIDFILE=/run/pe-a-%s.pid\n' "$ID" \
	>"$R/etc/init.d/pe-a-$ID"
printf '#!/bin/sh\nexit 0\n' >"$R/etc/init.d/pe-b-$ID"
printf '#!/bin/sh\nexit 0\n' >"$R/etc/init.d/README"
echo "$PA" >"$R/run/pe-a-$ID.pid"
echo "$PB" >"$R/var/run/pe-b-$ID/pe-b-$ID.pid"

# rst OUT ARGS...: procexe-test restart ARGS on the fake root
rst() {
	local out=$1
	shift
	PROCEXE_TEST_ROOT=$R "$PROCEXE_TEST" restart "$@" >"$out" 2>"$out.err"
	RS_RC=$?
}

J=$T/j.json
rst "$J" -J -o "$RCOLS" "$PA" "$PB" "$PC"
status_is "$J" 1 "-J: exit 1"
is "$(rsj values "$J" group_type pid="$PA" | sort -u)" sysv "a (its pidfile named by its script): group_type sysv"
is "$(rsj values "$J" group pid="$PA" | sort -u)" "pe-a-$ID" "a: group is the script's name"
is "$(rsj values "$J" group pid="$PB" | sort -u)" "pe-b-$ID" "b (/var/run/NAME/NAME.pid): its service"
is "$(rsj values "$J" group_type pid="$PC" | sort -u)" none "c (no pidfile): group_type none"
check "-J with sysv groups: valid" rsj valid "$J"

U=$T/units
rst "$U" --units "$PA" "$PB" "$PC"
status_is "$U" 1 "--units: exit 1"
is "$(cat "$U")" "$(printf 'pe-a-%s\npe-b-%s' "$ID" "$ID")" "--units: the SysV services, sorted"
check "--units: 'restart PID N (COMM)' for the process no service covers" \
	grep -q "^procexe: restart PID $PC (pe-dlopen)\$" "$U.err"
is "$(grep -c '^procexe: restart PID' "$U.err")" 1 "--units: no hint for the processes a service covers"
rst "$U" --units -q "$PA" "$PC"
is "$(cat "$U.err")" "" "--units -q: no hints on stderr"

rst "$U" --units "$PC"
status_is "$U" 1 "--units, no service applies: still exit 1 (something must restart)"
is "$(cat "$U")" "" "--units, no service applies: nothing on stdout"
check "--units, no service applies: says so" \
	grep -q '^procexe: no service unit or SysV service applies to the 1 processes that must restart (PID 1 is not systemd)' "$U.err"

S=$T/s.json
rst "$S" -s -J "$PA" "$PB" "$PC"
is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted(g["group_type"]+":"+str(g["group"]) for g in d["groups"])))' "$S")" \
	"none:None sysv:pe-a-$ID sysv:pe-b-$ID" "-s -J: one sysv group per service, none for the rest"

# a pidfile naming the parent of c (this shell): c gets that service
printf '#!/bin/sh\nexit 0\n' >"$R/etc/init.d/pe-p-$ID"
echo $$ >"$R/run/pe-p-$ID.pid"
rst "$U" --units "$PC"
is "$(cat "$U")" "pe-p-$ID" "a pidfile naming the parent: the child is the service's"
rm "$R/run/pe-p-$ID.pid"

# a symlinked pidfile is not read
ln -s "$R/var/run/pe-b-$ID/pe-b-$ID.pid" "$R/run/pe-c-$ID.pid"
printf '#!/bin/sh\nexit 0\n' >"$R/etc/init.d/pe-c-$ID"
rst "$U" --units "$PB"
is "$(cat "$U")" "pe-b-$ID" "a symlink as pidfile is not followed (b stays b's)"
rm "$R/run/pe-c-$ID.pid"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	echo "$PC" >"$R/run/pe-c-$ID.pid"
	chown nobody "$R/run/pe-c-$ID.pid"
	rst "$U" --units "$PC"
	is "$(cat "$U")" "" "a pidfile owned by another user than the process's is not believed"
	chown root "$R/run/pe-c-$ID.pid"
	rst "$U" --units "$PC"
	is "$(cat "$U")" "pe-c-$ID" "the same pidfile owned by root is"
	rm "$R/run/pe-c-$ID.pid"
else
	skip_n 2 "pidfile owners" "needs root and a nobody user"
fi

# systemd present: units only, SysV not consulted
mkdir -p "$R/run/systemd/system"
rst "$U" --units "$PA"
is "$(cat "$U")" "" "with run/systemd/system: no SysV service printed"
check "with systemd: the statement names systemd units" \
	grep -q '^procexe: no systemd service unit applies' "$U.err"
rmdir "$R/run/systemd/system"
