#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe recover on planted processes: deleted, replaced, memfd, O_TMPFILE,
# /dev/shm, loader-launched and hard-link-survivor images come back equal
# (cmp) to what was executed, mode 0400, described in a strict manifest;
# a process killed after its image was pinned still yields it; one image
# run by 20 processes (and two copies of equal content) gives one file;
# --libs recovers deleted and replaced libraries (root), and tells an
# unprivileged caller per file that map_files needs a capability.  The
# manifest is the schema v1 document -J prints (mode "0755", "copy", the
# summary); a PID that does not exist creates nothing and gives status 3,
# also beside one recovered; -q, -V, --help and option errors.
. "$PE_SRCDIR/lib.sh"

M="$PE_RECOVER_SRCDIR/manifest.py"
mf() { "$PYTHON" "$M" "$@"; }

S=$PE_HELPERS/pe-spin
[ -x "$S" ] || skip_all "no pe-spin"

plan 67

D=$T/bin
mkdir "$D"
cp "$S" "$T/orig"
ORIG_SHA=$(sha256sum <"$S" | cut -d' ' -f1)

# recover_ok DESC PID [OPTS...]: recover PID into a new directory $OUT;
# ok when it succeeded and gave a file equal to $S with mode 0400.
OUT=
n_out=0
recover_ok() {
	local desc=$1 pid=$2 file rc
	shift 2
	n_out=$((n_out + 1))
	OUT=$T/out.$n_out
	"$PROCEXE" recover -d "$OUT" "$@" "$pid" >"$OUT.stdout" 2>"$OUT.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		nok "$desc" "recover exited $rc: $(cat "$OUT.err")"
		return 1
	fi
	if ! mf check "$OUT/manifest.json" 2>"$OUT.mferr"; then
		nok "$desc" "$(cat "$OUT.mferr")"
		return 1
	fi
	file=$(mf get "$OUT/manifest.json" "$pid" copy) || { nok "$desc" "no entry"; return 1; }
	if ! cmp -s "$OUT/$file" "$S"; then
		nok "$desc" "$file differs from the original"
		return 1
	fi
	if [ "$(stat -c %a "$OUT/$file")" != 400 ]; then
		nok "$desc" "mode $(stat -c %a "$OUT/$file")"
		return 1
	fi
	ok "$desc"
}

# ---- deleted
cp "$S" "$D/del"
settle "$D/del"
DELMODE=$(printf '%04d' "$(stat -c %a "$D/del")")
if start_fixture del "$T/o.del" "$D/del" m; then
	P=$FIXTURE_PID
	rm "$D/del"
	recover_ok "deleted image recovered, equal, 0400" "$P"
	is "$(mf get "$OUT/manifest.json" "$P" state)" deleted "deleted: state in the manifest"
	is "$(mf get "$OUT/manifest.json" "$P" source)" exe "deleted: source exe"
	is "$(mf get "$OUT/manifest.json" "$P" path)" "$D/del" "deleted: path as judged (as restart's PATH)"
	is "$(mf get "$OUT/manifest.json" "$P" link)" "$D/del (deleted)" "deleted: link as the kernel shows it"
	is "$(mf get "$OUT/manifest.json" "$P" sha256)" "$ORIG_SHA" "deleted: sha256 is the original's"
	is "$(mf get "$OUT/manifest.json" "$P" size)" "$(stat -c %s "$S")" "deleted: size"
	is "$(mf get "$OUT/manifest.json" "$P" comm)" del "deleted: comm"
	is "$(mf get "$OUT/manifest.json" "$P" copy)" "del-${ORIG_SHA:0:16}" "deleted: file named <base>-<sha256[:16]>"
	is "$(stat -c %a "$OUT")" 700 "the directory is created 0700"
	check "summary names the file" grep -q "del-${ORIG_SHA:0:16}" "$OUT.stdout"
	"$PROCEXE" recover -J -d "$T/out.json" "$P" >"$T/json.out" 2>/dev/null
	check "-J prints the manifest" cmp "$T/json.out" "$T/out.json/manifest.json"
	is "$(mf get "$OUT/manifest.json" "$P" mode)" "$DELMODE" "deleted: mode is the permission bits, 4 digits"
	is "$(mf summary "$OUT/manifest.json" directory):$(mf summary "$OUT/manifest.json" recovered):$(mf summary "$OUT/manifest.json" failed)" \
		"$OUT:1:0" "summary: directory, recovered, failed"
	is "$(mf summary "$OUT/manifest.json" exit_status):$(mf summary "$OUT/manifest.json" complete)" 0:true \
		"summary: exit_status 0, complete"
	# one PID recovered, one missing: the first is recovered, status 3
	"$PROCEXE" recover -q -J -d "$T/out.mixed" "$P" 999999999 >"$T/mixed.json" 2>"$T/mixed.err"
	is "$?" 3 "recovered + missing PID: status 3"
	check "recovered + missing PID: the image is recovered" \
		cmp "$T/out.mixed/$(mf get "$T/out.mixed/manifest.json" "$P" copy)" "$S"
	is "$(mf fail "$T/out.mixed/manifest.json" 999999999 source):$(mf fail "$T/out.mixed/manifest.json" 999999999 error)" \
		"null:No such process" "recovered + missing PID: the missing one is a failure, source null"
	is "$(mf summary "$T/mixed.json" exit_status):$(mf summary "$T/mixed.json" unseen.missing)" 3:1 \
		"recovered + missing PID: summary exit_status 3, one missing"
	is "$(cat "$T/mixed.err")" "" "-q: nothing on stderr"
	kill_tracked "$P"
else
	skip_n 19 deleted "fixture did not start"
fi

# ---- replaced
cp "$S" "$D/rep"
settle "$D/rep"
if start_fixture rep "$T/o.rep" "$D/rep" m; then
	P=$FIXTURE_PID
	cp /bin/true "$D/rep.new" && mv "$D/rep.new" "$D/rep"
	recover_ok "replaced: the running image is recovered, not the new file" "$P"
	is "$(mf get "$OUT/manifest.json" "$P" state)" replaced "replaced: state"
	kill_tracked "$P"
else
	skip_n 2 replaced "fixture did not start"
fi

# ---- hard-link survivor (unlinked)
cp "$S" "$D/hl"
ln "$D/hl" "$D/hl.survivor"
settle "$D/hl"
if start_fixture hl "$T/o.hl" "$D/hl" m; then
	P=$FIXTURE_PID
	rm "$D/hl"
	recover_ok "hard-link survivor recovered" "$P"
	is "$(mf get "$OUT/manifest.json" "$P" state)" unlinked "hard-link survivor: state unlinked"
	kill_tracked "$P"
else
	skip_n 2 unlinked "fixture did not start"
fi

# ---- memfd
spawn "$T/o.memfd" "$PE_HELPERS/pe-memfd-exec" "$S" pe-rec-memfd m
wait_ready "$T/o.memfd" "$SPAWNED"
case $? in
0)
	P=$READY_PID
	recover_ok "memfd image recovered" "$P"
	is "$(mf get "$OUT/manifest.json" "$P" state)" fileless "memfd: state fileless"
	kill_tracked "$P" ;;
77) skip_n 2 memfd "$READY_LINE" ;;
*) nok "memfd fixture"; skip memfd "fixture did not start" ;;
esac

# ---- O_TMPFILE
spawn "$T/o.tmpf" "$PE_HELPERS/pe-tmpfile-exec" "$T" "$S" m
wait_ready "$T/o.tmpf" "$SPAWNED"
case $? in
0)
	P=$READY_PID
	recover_ok "O_TMPFILE image recovered" "$P"
	kill_tracked "$P" ;;
77) skip tmpfile "$READY_LINE" ;;
*) nok "tmpfile fixture" ;;
esac

# ---- /dev/shm, deleted
if [ -d /dev/shm ] && [ -w /dev/shm ] && scratch_dir SHM /dev/shm && cp "$S" "$SHM/shmprog" &&
   settle "$SHM/shmprog" && start_fixture shm "$T/o.shm" "$SHM/shmprog" m; then
	P=$FIXTURE_PID
	rm "$SHM/shmprog"
	recover_ok "/dev/shm deleted image recovered" "$P"
	kill_tracked "$P"
else
	skip shm "cannot run a program from /dev/shm here"
fi

# ---- loader-launched: the program, not ld.so
LDSO=$(pejson interp "$S" 2>/dev/null)
if [ -n "$LDSO" ] && [ -x "$LDSO" ]; then
	cp "$S" "$D/ldprog"
	settle "$D/ldprog"
	if start_fixture ld "$T/o.ld" run_in "$D" "$LDSO" ./ldprog m; then
		P=$FIXTURE_PID
		rm "$D/ldprog"
		if [ "$(id -u)" = 0 ]; then
			recover_ok "loader-launched: the program is recovered, not ld.so" "$P"
			is "$(mf get "$OUT/manifest.json" "$P" path)" "$D/ldprog" "loader-launched: path is the program's"
		else
			"$PROCEXE" recover -d "$T/out.ld" "$P" >/dev/null 2>"$T/out.ld.err"
			is "$?" 1 "loader-launched, unprivileged: a failure"
			check "loader-launched, unprivileged: says which capability" grep -q CAP_CHECKPOINT_RESTORE "$T/out.ld.err"
		fi
		kill_tracked "$P"
	else
		skip_n 2 loader "fixture did not start"
	fi
else
	skip_n 2 loader "pe-spin has no usable PT_INTERP"
fi

# ---- killed right after being pinned
cp "$S" "$D/pinned"
settle "$D/pinned"
if start_fixture pinned "$T/o.pinned" "$D/pinned" m; then
	P=$FIXTURE_PID
	rm "$D/pinned"
	PROCEXE_TEST_PIN_DELAY_MS=3000 "$PROCEXE" recover -d "$T/out.pinned" "$P" \
		>"$T/out.pinned.stdout" 2>"$T/out.pinned.err" &
	RP=$!
	track_pid "$RP"
	for ((i = 0; i < 500; i++)); do
		grep -q 'test: pinned' "$T/out.pinned.err" 2>/dev/null && break
		sleep 0.02
	done
	check "pin: recover reports the image pinned" grep -q 'test: pinned' "$T/out.pinned.err"
	kill_tracked "$P"
	wait "$P" 2>/dev/null
	if [ -e "/proc/$P" ]; then nok "pin: the process is gone before the copy"; else ok "pin: the process is gone before the copy"; fi
	# the delay is a plain sleep (3 s): the copy starts after the kill
	wait "$RP"
	rc=$?
	is "$rc" 0 "pin: recover succeeded after the process exited"
	f=$(mf get "$T/out.pinned/manifest.json" "$P" copy 2>/dev/null)
	check "pin: the recovered image equals the original" cmp "$T/out.pinned/$f" "$S"
else
	skip_n 4 pinned "fixture did not start"
fi

# ---- dedup: 20 processes of one deleted binary -> 1 file, 20 entries
cp "$S" "$D/many"
settle "$D/many"
pids=()
for ((i = 0; i < 20; i++)); do
	if start_fixture "many$i" "$T/o.many$i" "$D/many" m; then
		pids+=("$FIXTURE_PID")
	fi
done
rm "$D/many"
# plus another inode with the same content: deduplicated by hash
cp "$S" "$D/twin"
settle "$D/twin"
start_fixture twin "$T/o.twin" "$D/twin" m && TWIN=$FIXTURE_PID
rm "$D/twin"
if [ ${#pids[@]} = 20 ] && [ -n "${TWIN:-}" ]; then
	"$PROCEXE" recover -d "$T/out.many" "${pids[@]}" "$TWIN" >"$T/out.many.stdout" 2>"$T/out.many.err"
	is "$?" 0 "dedup: recover succeeded"
	check "dedup: manifest is strict JSON" mf check "$T/out.many/manifest.json"
	is "$(mf count "$T/out.many/manifest.json" images)" 21 "dedup: 21 manifest entries"
	is "$(mf files "$T/out.many/manifest.json" | wc -l)" 1 "dedup: one file for one content"
	is "$(find "$T/out.many" -type f ! -name 'manifest*.json' | wc -l)" 1 "dedup: one file in the directory"
	is "$(mf get "$T/out.many/manifest.json" "$TWIN" copy)" "$(mf get "$T/out.many/manifest.json" "${pids[0]}" copy)" \
		"dedup: the same-content twin points at the same file"
	# --all finds them too (other suspicious processes of this machine may join)
	"$PROCEXE" recover --all -d "$T/out.all" >"$T/out.all.stdout" 2>"$T/out.all.err"
	rc=$?
	# 0, or 3 when a suspicious process of this machine was not recovered; never 1
	if [ $rc = 0 ] || [ $rc = 3 ]; then ok "--all ran (status $rc)"; else nok "--all ran" "status $rc: $(cat "$T/out.all.err")"; fi
	check "--all: manifest is strict JSON" mf check "$T/out.all/manifest.json"
	n=0
	for p in "${pids[@]}"; do
		[ "$(mf get "$T/out.all/manifest.json" "$p" sha256 2>/dev/null)" = "$ORIG_SHA" ] && n=$((n + 1))
	done
	is "$n" 20 "--all: the 20 processes are listed"
	is "$(ls "$T/out.all" | grep -c "${ORIG_SHA:0:16}")" 1 "--all: one file for their image"
	for p in "${pids[@]}" "$TWIN"; do kill_tracked "$p"; done
else
	nok "dedup fixtures started" "${#pids[@]} of 20"
	skip_n 9 dedup "fixtures did not start"
fi

# ---- a PID that does not exist: nothing created
"$PROCEXE" recover -d "$T/out.none" 999999999 >/dev/null 2>"$T/out.none.err"
is "$?" 3 "no such PID: status 3 (not seen)"
check "no such PID: no directory created" test ! -e "$T/out.none"
check "no such PID: said on stderr" grep -q "PID 999999999: No such process" "$T/out.none.err"
"$PROCEXE" recover -J -d "$T/out.none" 999999999 >"$T/none.json" 2>/dev/null
is "$?" 3 "no such PID, -J: status 3"
check "no such PID, -J: a valid document all the same" mf check "$T/none.json"
is "$(mf summary "$T/none.json" unseen.missing):$(mf summary "$T/none.json" recovered)" 1:0 \
	"no such PID, -J: the summary counts it missing"
check "no such PID, -J: still no directory" test ! -e "$T/out.none"
mkdir -m 700 "$T/out.exist"
"$PROCEXE" recover -d "$T/out.exist" 999999999 >/dev/null 2>&1
is "$?:$(ls -A "$T/out.exist")" 3: "no such PID, existing DIR: status 3, no manifest"

# ---- options: -V, its own --help, an option error naming the option
"$PROCEXE" recover -V >"$T/v.out" 2>&1
is "$?:$(cat "$T/v.out")" "0:$("$PROCEXE" --version 2>&1)" "-V prints the version"
"$PROCEXE" recover --help >"$T/h.out" 2>&1
check "--help: its own usage" grep -q '^ procexe recover ' "$T/h.out"
check "--help: lists -q" grep -q -- "-q, --quiet" "$T/h.out"
check "--help: lists -V" grep -q -- "-V, --version" "$T/h.out"
"$PROCEXE" recover -5 1 >/dev/null 2>"$T/opt.err"
is "$?:$(head -n 1 "$T/opt.err")" "2:procexe: invalid option -- '5'" "an invalid option is named"
check "an invalid option points to 'procexe recover --help'" \
	grep -qxF "Try 'procexe recover --help' for more information." "$T/opt.err"

# ---- --libs: deleted and replaced libraries
LIB=
for l in /lib/x86_64-linux-gnu/libm.so.6 /usr/lib/x86_64-linux-gnu/libm.so.6 /lib64/libm.so.6 \
	 /usr/lib64/libm.so.6 /lib/aarch64-linux-gnu/libm.so.6; do
	[ -f "$l" ] && { LIB=$l; break; }
done
if [ -n "$LIB" ] && [ "$(id -u)" = 0 ]; then
	cp "$LIB" "$D/libdel.so"
	cp "$LIB" "$D/librep.so"
	settle "$D/libdel.so" "$D/librep.so"
	if start_fixture libs "$T/o.libs" env LD_PRELOAD="$D/libdel.so:$D/librep.so" "$S" m; then
		P=$FIXTURE_PID
		rm "$D/libdel.so"
		cp /bin/true "$D/librep.new" && mv "$D/librep.new" "$D/librep.so"
		"$PROCEXE" recover --libs -d "$T/out.libs" "$P" >"$T/out.libs.stdout" 2>"$T/out.libs.err"
		is "$?" 0 "--libs: recover succeeded"
		check "--libs: manifest is strict JSON" mf check "$T/out.libs/manifest.json"
		f=$(mf map "$T/out.libs/manifest.json" "$P" "$D/libdel.so" copy 2>/dev/null)
		check "--libs: deleted library recovered, equal" cmp "$T/out.libs/$f" "$LIB"
		# (replaced by rename: the kernel marks the old dentry deleted)
		f=$(mf map "$T/out.libs/manifest.json" "$P" "$D/librep.so" copy 2>/dev/null)
		check "--libs: replaced library recovered (the mapped one)" cmp "$T/out.libs/$f" "$LIB"
		is "$(mf files "$T/out.libs/manifest.json" | wc -l)" 2 "--libs: exe + one file for the two equal libraries"
		is "$(mf count "$T/out.libs/manifest.json" images)" 3 "--libs: three entries (exe, two maps)"
		kill_tracked "$P"
	else
		skip_n 6 libs "fixture did not start"
	fi
	# unprivileged: map_files cannot be followed; said per file, the exe still comes
	scratch_dir NBL "$T"
	chown 65534:65534 "$NBL"
	cp "$LIB" "$D/libnb.so"
	settle "$D/libnb.so"
	if start_fixture libnb "$T/o.libnb" setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LD_PRELOAD="$D/libnb.so" "$S" m; then
		P=$FIXTURE_PID
		rm "$D/libnb.so"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$PROCEXE" recover --libs -d "$NBL/out" "$P" >"$T/nbl.out" 2>"$T/nbl.err"
		is "$?" 3 "--libs unprivileged: status 3 (a file not recovered)"
		check "--libs unprivileged: names the capability for the file" \
			grep -q "libnb.so.*CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE" "$T/nbl.err"
		check "--libs unprivileged: the exe is still recovered" \
			cmp "$NBL/out/$(mf get "$NBL/out/manifest.json" "$P" copy)" "$S"
		kill_tracked "$P"
	else
		skip_n 3 libs-nobody "fixture did not start"
	fi
else
	skip_n 9 libs "needs root and libm"
fi
