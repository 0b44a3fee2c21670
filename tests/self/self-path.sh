#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP: procexe_self_path() & co. for the calling process, in the situations
# that break naive readlink("/proc/self/exe"): symlinks, deletion,
# replacement, the dynamic loader, long paths, " (deleted)" in a real name,
# re-exec, memfd, threads.  Needs no privileges.
set -u
. "$(dirname "$0")/lib.sh"

O=$T/out

# ---- plain run ------------------------------------------------------------
fresh pe-self "$T/plain"
run "$O" cd "$T/plain" ./pe-self all
check "plain: path is the real path" "$(field path "$O")" "$T/plain/pe-self" "$O"
check "plain: flags none" "$(field flags "$O")" none "$O"
check "plain: procexe_self_open is the file" "$(field devino "$O")" "$(devino "$T/plain/pe-self")" "$O"
run "$O" cd / "$T/plain/pe-self" dir
check "plain: procexe_self_dir is the directory" "$(field path "$O")" "$T/plain" "$O"
run "$O" cd "$T/plain" ./pe-self open
check "plain: procexe_self_open(O_RDONLY) is the file" "$(field rdonly "$O")" "$(devino "$T/plain/pe-self")" "$O"
run "$O" cd "$T/plain" env PATH="$T/plain:/usr/bin:/bin" pe-self invoked
check "found via PATH: invoked path is the PATH hit" "$(field path "$O")" "$T/plain/pe-self" "$O"

# ---- symlinked invocation ---------------------------------------------------
mkdir -p "$T/links"
ln -s ../plain/pe-self "$T/links/sl"
run "$O" cd "$T/links" ./sl all
check "symlink: path is the target's real path" "$(field path "$O")" "$T/plain/pe-self" "$O"
check "symlink: flags none" "$(field flags "$O")" none "$O"
run "$O" cd "$T/links" ./sl invoked
check "symlink: invoked path is the symlink" "$(field path "$O")" "$T/links/sl" "$O"
run "$O" cd / "$T/links/sl" invoked
check "symlink (absolute): invoked path is the symlink" "$(field path "$O")" "$T/links/sl" "$O"
ln -s "$T/links/sl" "$T/links/sl2"
run "$O" cd "$T/links" ./sl2 all
check "symlink to symlink: path is the final target" "$(field path "$O")" "$T/plain/pe-self" "$O"

# Invoked path after the file was replaced: it no longer reaches the image.
fresh pe-self "$T/inv"
start "$O" "$T/inv" ./pe-self -w invoked
cp "$PE_SELF" "$T/inv/new" && mv -f "$T/inv/new" "$T/inv/pe-self"
go
check "invoked path after replacement: -ESTALE" "$(field rc "$O")" ESTALE "$O"
# A relative AT_EXECFN after chdir: the answer must never name another
# place; the symlink path (still reaching the image) or -ESTALE are fine.
run "$O" cd "$T/links" ./sl -C / invoked
case "$(field rc "$O"):$(field path "$O")" in
"0:$T/links/sl") ok "invoked path after chdir: the symlink path" ;;
"ESTALE:") ok "invoked path after chdir: -ESTALE (relative AT_EXECFN cannot be resolved any more)" ;;
*) not_ok "invoked path after chdir: the symlink path or -ESTALE" "$(cat "$O")" ;;
esac

# ---- renamed / deleted / replaced / unlinked while running ------------------
fresh pe-self "$T/ren"
start "$O" "$T/ren" ./pe-self -w all
mv "$T/ren/pe-self" "$T/ren/renamed"
go
check "renamed: path is the new name" "$(field path "$O")" "$T/ren/renamed" "$O"
check "renamed: flags none" "$(field flags "$O")" none "$O"

fresh pe-self "$T/del"
want=$(devino "$T/del/pe-self")
start "$O" "$T/del" ./pe-self -w all
rm -f "$T/del/pe-self"
go
check "deleted: path without ' (deleted)'" "$(field path "$O")" "$T/del/pe-self" "$O"
check_flag "deleted: flags include deleted" "$(field flags "$O")" deleted "$O"
check_noflag "deleted: not replaced" "$(field flags "$O")" replaced
check "deleted: procexe_self_open still reaches the image" "$(field devino "$O")" "$want" "$O"

fresh pe-self "$T/deldir"
start "$O" "$T/deldir" ./pe-self -w dir
rm -f "$T/deldir/pe-self"
go
check "deleted: procexe_self_dir is the directory" "$(field path "$O")" "$T/deldir" "$O"

fresh pe-self "$T/rep"
want=$(devino "$T/rep/pe-self")
start "$O" "$T/rep" ./pe-self -w all
cp "$PE_SELF" "$T/rep/pe-self.new" && mv -f "$T/rep/pe-self.new" "$T/rep/pe-self"
go
check "replaced: path without ' (deleted)'" "$(field path "$O")" "$T/rep/pe-self" "$O"
check_flag "replaced: flags include replaced" "$(field flags "$O")" replaced "$O"
check "replaced: procexe_self_open is the old image, not the new file" "$(field devino "$O")" "$want" "$O"

fresh pe-self "$T/hl"
ln "$T/hl/pe-self" "$T/hl/other"
start "$O" "$T/hl" ./pe-self -w all
rm -f "$T/hl/pe-self"
go
check_flag "launch name removed, other hard link left: flags include unlinked" "$(field flags "$O")" unlinked "$O"
check_noflag "launch name removed, other hard link left: not deleted" "$(field flags "$O")" deleted

# ---- through the dynamic loader ---------------------------------------------
LDSO=$(ldd "$PE_SELF" 2>/dev/null | awk '$1 ~ /^\// && /ld-/ {print $1; exit}')
if [ -n "$LDSO" ] && [ -x "$LDSO" ]; then
	fresh pe-self "$T/ld"
	run "$O" cd "$T/ld" "$LDSO" ./pe-self all
	check "loader: path is the program" "$(field path "$O")" "$T/ld/pe-self" "$O"
	check_flag "loader: flags include loader" "$(field flags "$O")" loader "$O"
	check "loader: procexe_self_open is the program" "$(field devino "$O")" "$(devino "$T/ld/pe-self")" "$O"
	run "$O" cd "$T/ld" "$LDSO" ./pe-self dir
	check "loader: procexe_self_dir is the program's directory" "$(field path "$O")" "$T/ld" "$O"
	run "$O" cd "$T/ld" "$LDSO" ./pe-self invoked
	check "loader: invoked path is the program" "$(field path "$O")" "$T/ld/pe-self" "$O"
	run "$O" cd "$T/ld" "$LDSO" ./pe-self reexec
	check "loader: re-exec runs again (second generation)" "$(field gen "$O")" 2 "$O"
	check "loader: re-exec'd program reports the program" "$(field path "$O")" "$T/ld/pe-self" "$O"
	check_flag "loader: re-exec'd program still flagged loader" "$(field flags "$O")" loader "$O"

	fresh pe-self "$T/lddel"
	want=$(devino "$T/lddel/pe-self")
	start "$O" "$T/lddel" "$LDSO" ./pe-self -w all
	rm -f "$T/lddel/pe-self"
	go
	check "loader + deleted: path is the program" "$(field path "$O")" "$T/lddel/pe-self" "$O"
	check_flag "loader + deleted: flags include loader" "$(field flags "$O")" loader "$O"
	check_flag "loader + deleted: flags include deleted" "$(field flags "$O")" deleted "$O"
	# The program is then reachable only through map_files, which needs
	# CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE): unprivileged, a clean error.
	got="$(field devino_rc "$O"):$(field devino "$O")"
	if [ "$got" = "0:$want" ]; then
		ok "loader + deleted: procexe_self_open is the program"
	elif [ "$(id -u)" != 0 ] && { [ "$got" = EPERM: ] || [ "$got" = EACCES: ]; }; then
		ok "loader + deleted: procexe_self_open fails cleanly unprivileged (${got%:})"
	else
		not_ok "loader + deleted: procexe_self_open is the program" "$(cat "$O")"
	fi
else
	skip "loader: path is the program" "no ELF interpreter found by ldd"
fi

# ---- long paths -------------------------------------------------------------
# mkdeep BASE TOTAL: directories under BASE such that BASE/<dirs>/pe-self is
# exactly TOTAL bytes; prints the directory (relative to BASE).
mkdeep() {
	_left=$(($2 - ${#1} - 8)) _rel="" _c=0
	while [ "$_left" -gt 0 ]; do
		_c=$((_c + 1))
		_n=200
		[ $((_left - 1)) -lt 200 ] && _n=$((_left - 1))
		[ "$_n" -lt 1 ] && _n=1
		_comp=$(printf "%0${_n}d" 0 | tr 0 "$(printf '%x' $((_c % 16)))")
		_rel=${_rel:+$_rel/}$_comp
		_left=$((_left - _n - 1))
	done
	(cd "$1" && mkdir -p "$_rel") && printf '%s' "$_rel"
}

# 4090 bytes: readable while live, ENAMETOOLONG once " (deleted)" is added.
mkdir -p "$T/L"
rel=$(mkdeep "$T/L" 4090)
D=$T/L/$rel
fresh pe-self "$D"
[ ${#D} -eq $((4090 - 8)) ] || echo "# warning: long path has ${#D}+8 bytes"
run "$O" cd "$D" ./pe-self all
check "4090-byte path, live: path correct" "$(field path "$O")" "$D/pe-self" "$O"
check "4090-byte path, live: flags none" "$(field flags "$O")" none "$O"
want=$(devino "$D/pe-self")
start "$O" "$D" ./pe-self -w all
rm -f "$D/pe-self"
go
rc=$(field rc "$O")
echo "# 4090-byte path, deleted: rc=$rc path_len=$(field path "$O" | wc -c) flags=$(field flags "$O")"
check "4090-byte path, deleted: procexe_self_open still reaches the image" "$(field devino "$O")" "$want" "$O"
# The header gives -ENAMETOOLONG for PIDs only ("use procexe_self_open()
# for self"); the launch path is known (AT_EXECFN), so self should answer.
check "4090-byte path, deleted: an answer, not an error" "$rc" 0 "$O"
check "4090-byte path, deleted: path is the launch path" "$(field path "$O")" "$D/pe-self" "$O"
check_flag "4090-byte path, deleted: flags include deleted" "$(field flags "$O")" deleted "$O"
fresh pe-self "$D"
want=$(devino "$D/pe-self")
start "$O" "$D" ./pe-self -w reexec
rm -f "$D/pe-self"
go
check "4090-byte path, deleted: re-exec works" "$(field gen "$O")" 2 "$O"
check "4090-byte path, deleted: re-exec'd image is the same" "$(field devino "$O")" "$want" "$O"

# Beyond PATH_MAX (5000 bytes): the kernel cannot render the path at all.
# The shell enters the first ~2,400 bytes and starts the probe relative.
mkdir -p "$T/X"
rel=$(mkdeep "$T/X" 5000)
outer="" inner=""
for c in $(echo "$rel" | tr / ' '); do
	if [ ${#outer} -lt 2400 ]; then outer=${outer:+$outer/}$c; else inner=${inner:+$inner/}$c; fi
done
D=$T/X/$rel
(cd "$T/X/$outer" && cp "$PE_SELF" "$inner/pe-self")
want=$(cd "$T/X/$outer" && stat -c %d:%i "$inner/pe-self")
run "$O" cd "$T/X/$outer" "$inner/pe-self" all
check "5000-byte path, live: path correct" "$(field path "$O")" "$D/pe-self" "$O"
check "5000-byte path, live: flags none" "$(field flags "$O")" none "$O"
check "5000-byte path, live: procexe_self_open works" "$(field devino "$O")" "$want" "$O"
run "$O" cd "$T/X/$outer" "$inner/pe-self" dir
check "5000-byte path, live: procexe_self_dir correct" "$(field path "$O")" "$D" "$O"
# After a chdir the relative AT_EXECFN cannot be rebuilt: a clean error or
# the right path, never another one.
run "$O" cd "$T/X/$outer" "$inner/pe-self" -C / all
case "$(field rc "$O")" in
0) check "5000-byte path, live, after chdir: path correct" "$(field path "$O")" "$D/pe-self" "$O" ;;
ENAMETOOLONG) ok "5000-byte path, live, after chdir: -ENAMETOOLONG (cannot rebuild the path)" ;;
*) not_ok "5000-byte path, live, after chdir: the path or -ENAMETOOLONG" "$(cat "$O")" ;;
esac
start "$O" "$T/X/$outer" "$inner/pe-self" -w all
(cd "$T/X/$outer" && rm -f "$inner/pe-self")
go
rc=$(field rc "$O")
echo "# 5000-byte path, deleted: rc=$rc path_len=$(field path "$O" | wc -c) flags=$(field flags "$O")"
check "5000-byte path, deleted: procexe_self_open still reaches the image" "$(field devino "$O")" "$want" "$O"
check "5000-byte path, deleted: an answer, not an error" "$rc" 0 "$O"
check "5000-byte path, deleted: path is the launch path" "$(field path "$O")" "$D/pe-self" "$O"
check_flag "5000-byte path, deleted: flags include deleted" "$(field flags "$O")" deleted "$O"

# ---- a real file named "x (deleted)" ---------------------------------------
mkdir -p "$T/sfx"
cp "$PE_SELF" "$T/sfx/x (deleted)"
run "$O" cd "$T/sfx" "./x (deleted)" all
check "file named 'x (deleted)': path keeps the suffix" "$(field path "$O")" "$T/sfx/x (deleted)" "$O"
check "file named 'x (deleted)': flags none" "$(field flags "$O")" none "$O"
start "$O" "$T/sfx" "./x (deleted)" -w all
rm -f "$T/sfx/x (deleted)"
go
check "file named 'x (deleted)', deleted: path is '.../x (deleted)'" "$(field path "$O")" "$T/sfx/x (deleted)" "$O"
check_flag "file named 'x (deleted)', deleted: flags include deleted" "$(field flags "$O")" deleted "$O"
# The stripped name exists but is another file: still deleted, not replaced.
cp "$PE_SELF" "$T/sfx/y (deleted)"
start "$O" "$T/sfx" "./y (deleted)" -w all
cp "$PE_SELF" "$T/sfx/y"
rm -f "$T/sfx/y (deleted)"
go
check "file named 'y (deleted)', deleted, 'y' exists: path is '.../y (deleted)'" "$(field path "$O")" "$T/sfx/y (deleted)" "$O"
check_flag "file named 'y (deleted)', deleted, 'y' exists: deleted" "$(field flags "$O")" deleted "$O"
check_noflag "file named 'y (deleted)', deleted, 'y' exists: not replaced" "$(field flags "$O")" replaced

# ---- re-exec ----------------------------------------------------------------
fresh pe-self "$T/rx"
want=$(devino "$T/rx/pe-self")
run "$O" cd "$T/rx" ./pe-self reexec
check "re-exec (plain): second generation runs" "$(field gen "$O")" 2 "$O"
check "re-exec (plain): same path, flags none" "$(field path "$O") $(field flags "$O")" "$T/rx/pe-self none" "$O"
check "re-exec (plain): invoked path unknown (AT_EXECFN is /dev/fd/N): -ENOENT" "$(field invoked_rc "$O")" ENOENT "$O"
start "$O" "$T/rx" ./pe-self -w reexec
rm -f "$T/rx/pe-self"
go
check "re-exec of a deleted self: second generation runs" "$(field gen "$O")" 2 "$O"
check_flag "re-exec of a deleted self: second run reports deleted" "$(field flags "$O")" deleted "$O"
check "re-exec of a deleted self: second run's path" "$(field path "$O")" "$T/rx/pe-self" "$O"
check "re-exec of a deleted self: same dev:ino" "$(field devino "$O")" "$want" "$O"
fresh pe-self "$T/rx"
want=$(devino "$T/rx/pe-self")
start "$O" "$T/rx" ./pe-self -w reexec
cp "$PE_SELF" "$T/rx/new" && mv -f "$T/rx/new" "$T/rx/pe-self"
go
check "re-exec of a replaced self: runs the old image, not the new file" "$(field devino "$O")" "$want" "$O"
check_flag "re-exec of a replaced self: second run reports replaced" "$(field flags "$O")" replaced "$O"

# ---- other processes ---------------------------------------------------------
fresh pe-self "$T/tgt"
start "$T/tgt.out" "$T/tgt" ./pe-self -w path
tpid=$SPID
run "$O" "$PE_SELF" pid "$tpid"
check "procexe_pid_path of a live probe" "$(field path "$O") $(field flags "$O")" "$T/tgt/pe-self none" "$O"
rm -f "$T/tgt/pe-self"
run "$O" "$PE_SELF" pid "$tpid"
check "procexe_pid_path of a deleted probe: path without suffix" "$(field path "$O")" "$T/tgt/pe-self" "$O"
check_flag "procexe_pid_path of a deleted probe: deleted" "$(field flags "$O")" deleted "$O"
go
sh -c 'exit 0' &
gone=$!
wait "$gone"
run "$O" "$PE_SELF" pid "$gone"
check "vanished PID: -ESRCH" "$(field rc "$O")" ESRCH "$O"
run "$O" "$PE_SELF" pid 0
check "PID 0: -ESRCH" "$(field rc "$O")" ESRCH "$O"

# ---- threads -----------------------------------------------------------------
run "$O" cd "$T/plain" ./pe-self threads
check "8 threads x 1000 calls: all answers equal" \
	"$(field calls "$O") $(field mismatches "$O")" "8000 0" "$O"
check "8 threads x 1000 calls: the right answer" "$(field path "$O")" "$T/plain/pe-self" "$O"
# The slow path (deleted image: the general reader) from many threads.
fresh pe-self "$T/thr"
start "$O" "$T/thr" ./pe-self -w threads
rm -f "$T/thr/pe-self"
go
check "deleted, 8 threads x 1000 calls: all answers equal" \
	"$(field calls "$O") $(field mismatches "$O")" "8000 0" "$O"
check "deleted, 8 threads x 1000 calls: the right answer" \
	"$(field path "$O") $(field flags "$O")" "$T/thr/pe-self deleted" "$O"
if [ -n "$LDSO" ]; then
	run "$O" cd "$T/ld" "$LDSO" ./pe-self threads
	check "loader, 8 threads x 1000 calls: all answers equal" \
		"$(field calls "$O") $(field mismatches "$O")" "8000 0" "$O"
	check "loader, 8 threads x 1000 calls: the right answer" \
		"$(field path "$O") $(field flags "$O")" "$T/ld/pe-self loader" "$O"
fi

# ---- fileless ----------------------------------------------------------------
run "$O" cd "$T/plain" ./pe-self memfd
why=$(field skip "$O")
if [ -z "$why" ]; then
	check "memfd: flags fileless" "$(field flags "$O")" fileless "$O"
	case $(field path "$O") in
	/memfd:pe-self-memfd*) ok "memfd: path is the memfd name" ;;
	*) not_ok "memfd: path is the memfd name" "got: $(field path "$O")" ;;
	esac
	check "memfd: invoked path unknown: -ENOENT" "$(field invoked_rc "$O")" ENOENT "$O"
else
	skip "memfd: flags fileless" "$why"
fi

# ---- the main thread exited (pthread_exit) -----------------------------------
# /proc/self/exe then fails with ENOENT (the leader has no mm) while
# /proc/thread-self/exe still works: /proc is there, so the answers must be
# verified, and deleted/replaced images must still be told apart.
fresh pe-self "$T/mx"
run "$O" cd "$T/mx" ./pe-self mainexit
check "main thread gone: path correct" "$(field path "$O")" "$T/mx/pe-self" "$O"
check "main thread gone: flags none (/proc is there: answer verified)" "$(field flags "$O")" none "$O"
want=$(devino "$T/mx/pe-self")
start "$O" "$T/mx" ./pe-self -w mainexit
cp "$PE_SELF" "$T/mx/new" && mv -f "$T/mx/new" "$T/mx/pe-self"
go
check "main thread gone + replaced: procexe_self_open is the running image, not the new file" "$(field devino "$O")" "$want" "$O"
check_flag "main thread gone + replaced: flags include replaced" "$(field flags "$O")" replaced "$O"
fresh pe-self "$T/mx"
want=$(devino "$T/mx/pe-self")
start "$O" "$T/mx" ./pe-self -w mainexit
rm -f "$T/mx/pe-self"
go
check "main thread gone + deleted: an answer" "$(field rc "$O") $(field path "$O")" "0 $T/mx/pe-self" "$O"
check "main thread gone + deleted: procexe_self_open still reaches the image" "$(field devino "$O")" "$want" "$O"

finish
