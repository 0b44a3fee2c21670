#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Command-line behaviour on real processes: errors (exit 2), missing PIDs
# (exit 3), --proc on something that is not the root of a procfs, column selection,
# JSON value types, --state filtering, --threads, headings.
. "$(dirname "$0")/lib.sh"

S=$PE_HELPERS/pe-spin
plan 48

cp "$S" "$T/okspin"
cp "$S" "$T/delspin"
settle "$T/okspin" "$T/delspin"
if ! start_fixture ok "$T/out.ok" "$T/okspin" marker-ok ||
   ! { POK=$FIXTURE_PID; start_fixture del "$T/out.del" "$T/delspin" marker-del; }; then
	nok "fixtures started"
	skip_rest "rest" "fixtures did not start"
	exit 0
fi
PDEL=$FIXTURE_PID
rm "$T/delspin"
ok "fixtures started"

# --- usage errors: exit 2 with a message
expect2() {   # expect2 DESC ARGS...
	local desc=$1
	shift
	"$PROCEXE" "$@" >"$T/e.out" 2>"$T/e.err"
	local rc=$?
	if [ $rc = 2 ] && [ -s "$T/e.err" ]; then
		ok "$desc: exit 2 with a message"
	else
		nok "$desc: exit 2 with a message" "exit $rc, stderr: $(head -c 300 "$T/e.err")"
	fi
}
expect2 "invalid option" --no-such-option
expect2 "invalid option after ls" ls --no-such-option
expect2 "unknown column" ls -o PID,NOSUCHCOLUMN "$POK"
expect2 "unknown state name" ls --state nosuchstate "$POK"
expect2 "non-numeric PID" ls notapid
expect2 "--threads without a number" --threads x

mkdir "$T/notproc"
"$PROCEXE" --proc "$T/notproc" >"$T/np.out" 2>"$T/np.err"
rc=$?
is "$rc" 2 "--proc on a plain directory: scan exits 2"
if grep -q "$T/notproc" "$T/np.err" || grep -qi proc "$T/np.err"; then
	ok "--proc on a plain directory: the message names the problem"
else
	nok "--proc on a plain directory: the message names the problem" "stderr: $(cat "$T/np.err")"
fi
is "$(wc -c <"$T/np.out")" 0 "--proc on a plain directory: nothing on stdout"
"$PROCEXE" ls --proc "$T/notproc" "$POK" >/dev/null 2>"$T/np2.err"
is "$?" 2 "--proc on a plain directory: ls exits 2"
"$PROCEXE" ls --proc "$T/does-not-exist" >/dev/null 2>"$T/np3.err"
is "$?" 2 "--proc on a missing directory: exit 2"
"$PROCEXE" --proc "$T/okspin" >/dev/null 2>/dev/null
is "$?" 2 "--proc on a regular file: exit 2"
# Directories inside a procfs have its magic, yet are not one to scan.
for d in /proc/self /proc/sys; do
	"$PROCEXE" --proc "$d" >"$T/np4.out" 2>"$T/np4.err"
	rc=$?
	if [ $rc = 2 ] && grep -q "cannot read $d: not a procfs (not the root of a procfs mount)" "$T/np4.err" &&
	   [ ! -s "$T/np4.out" ]; then
		ok "--proc $d: scan refuses it (exit 2, not the root of a procfs mount)"
	else
		nok "--proc $d: scan refuses it" "exit $rc, stderr: $(cat "$T/np4.err")"
	fi
done
"$PROCEXE" ls --proc /proc/sys "$POK" >/dev/null 2>"$T/np5.err"
is "$?" 2 "--proc /proc/sys: ls exits 2"
if grep -q "not the root of a procfs mount" "$T/np.err"; then
	ok "--proc on a plain directory: said to be no procfs root"
else
	nok "--proc on a plain directory: said to be no procfs root" "$(cat "$T/np.err")"
fi

# --- a PID that does not exist
# above pid_max: no process can ever have it (a free PID below could be
# taken by another process while the test runs)
MISSING=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
"$PROCEXE" ls -J -o PID,STATE "$POK" "$MISSING" >"$T/m.json" 2>"$T/m.err"
rc=$?
jload "$T/m.json"
is "$rc" 3 "ls with a missing PID exits 3 (incomplete)"
if [ -s "$T/m.err" ] && grep -q "$MISSING" "$T/m.err"; then
	ok "ls with a missing PID: stderr names it"
else
	nok "ls with a missing PID: stderr names it" "stderr: $(cat "$T/m.err")"
fi
check "ls with a missing PID: the other PID is still listed" jhas "$T/m.json" "$POK"
if jhas "$T/m.json" "$MISSING"; then
	nok "ls with a missing PID: no row for it"
else
	ok "ls with a missing PID: no row for it"
fi

# --- headings and raw output
out=$("$PROCEXE" ls -r -o PID,STATE "$POK" 2>/dev/null)
is "$out" "PID STATE
$POK ok" "raw output with headings"
is "$("$PROCEXE" ls -r -n -o PID,STATE,NLINK "$PDEL" 2>/dev/null)" "$PDEL deleted 0" "raw output without headings"
n=$("$PROCEXE" ls -n -o PID "$POK" "$PDEL" 2>/dev/null | wc -l)
is "$n" 2 "-n: one line per process, no heading"

# --- -H lists every column
"$PROCEXE" -H >"$T/cols" 2>/dev/null
is "$?" 0 "-H exits 0"
missing=
for c in PID PPID UID USER COMM STATE EXE LOADER LINK DELETED MODIFIED NLINK DEV \
         INODE SIZE MODE MNTID ROOT START CMDLINE CGROUP ERROR; do
	grep -qw "$c" "$T/cols" || missing="$missing $c"
done
is "$missing" "" "-H lists all 22 columns"

# --- JSON values and types for a known process
J=$T/all.json
"$PROCEXE" ls -J --output-all "$POK" "$PDEL" >"$J" 2>"$J.err"
rc=$?
jload "$J"
is "$rc" 0 "ls -J --output-all exits 0"
check "--output-all JSON is valid" jvalid "$J"
is "$(jget "$J" "$POK" pid)" "$POK" "pid is a JSON number"
is "$(jget "$J" "$POK" ppid)" "$$" "ppid is this shell, as a number"
is "$(jget "$J" "$POK" uid)" "$(id -u)" "uid is a number"
is "$(jget "$J" "$POK" user)" "\"$(id -un)\"" "user is the user name"
is "$(jget "$J" "$POK" comm)" '"okspin"' "comm"
case $(jget "$J" "$POK" cmdline) in
"\"$T/okspin marker-ok\"") ok "cmdline: arguments joined by spaces" ;;
*) nok "cmdline: arguments joined by spaces" "got $(jget "$J" "$POK" cmdline)" ;;
esac
is "$(jget "$J" "$POK" inode)" "$(stat -c %i "$T/okspin")" "inode is the image's, as a number"
is "$(jget "$J" "$POK" size)" "$(stat -c %s "$T/okspin")" "size is the image's, as a number"
is "$(jget "$J" "$POK" nlink)" 1 "nlink is a number"
is "$(jget "$J" "$POK" deleted)" false "deleted is a boolean (false for a live image)"
is "$(jget "$J" "$PDEL" deleted)" true "deleted is a boolean (true after rm)"
is "$(jget "$J" "$POK" dev)" "\"$(stat -c '%Hd:%Ld' "$T/okspin")\"" "dev is major:minor"
is "$(jget "$J" "$POK" root)" null "root is null for a process whose root is /"
is "$(jget "$J" "$POK" loader)" null "loader is null for a direct launch"
mnt=$(jget "$J" "$POK" mntid)
if [[ $mnt =~ ^[0-9]+$ ]] && [ "$mnt" -gt 0 ]; then
	ok "mntid is a positive number ($mnt)"
else
	nok "mntid is a positive number" "got $mnt"
fi

# --- -o +LIST appends to the default columns
J=$T/plus.json
"$PROCEXE" ls -J -o +INODE "$POK" >"$J" 2>/dev/null
keys=$("$PYTHON" -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["processes"][0].keys()))' "$J" 2>&1)
is "$keys" "pid,user,comm,state,exe,inode" "-o +INODE appends to the default ls columns"

# --- --state
J=$T/st.json
"$PROCEXE" ls -J -o PID,STATE --state deleted "$POK" "$PDEL" >"$J" 2>/dev/null
is "$(jpids "$J" 2>&1)" "$PDEL" "ls --state deleted keeps only the deleted one"
"$PROCEXE" ls -J -o PID,STATE --state ok,deleted "$POK" "$PDEL" >"$J" 2>/dev/null
both=$(printf '%s\n' "$POK" "$PDEL" | sort -n | tr '\n' ' ')
is "$(jpids "$J" 2>&1)" "${both% }" "ls --state ok,deleted keeps both, sorted by PID"
"$PROCEXE" -J -o PID,STATE --state ok >"$J" 2>/dev/null
rc=$?
if [ $rc = 1 ] && jhas "$J" "$POK" && ! jhas "$J" "$PDEL"; then
	ok "scan --state ok replaces the selection (exit 1, lists the ok one only)"
else
	nok "scan --state ok replaces the selection" "exit $rc"
fi

# --- --threads: same answer
"$PROCEXE" -J -o PID,STATE --threads 1 >"$T/t1.json" 2>/dev/null
rc1=$?
"$PROCEXE" -J -o PID,STATE --threads 4 >"$T/t4.json" 2>/dev/null
rc4=$?
if [ $rc1 = 1 ] && [ $rc4 = 1 ] && jhas "$T/t1.json" "$PDEL" && jhas "$T/t4.json" "$PDEL"; then
	ok "--threads 1 and --threads 4 both flag the deleted process"
else
	nok "--threads 1 and --threads 4 both flag the deleted process" "exit $rc1/$rc4"
fi
