#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP: the self API where privileges matter: a chroot without /proc, a
# masked /proc, and another user's processes.  Needs root (chroot, mount,
# setpriv); skipped otherwise.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (chroot, mount namespaces, setpriv)"
	exit 0
fi

O=$T/out

# copy_libs ROOT: the probe's shared objects (ldd) at the same paths in ROOT.
copy_libs() {
	ldd "$PE_SELF" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
	while read -r lib; do
		mkdir -p "$1$(dirname "$lib")" && cp -L "$lib" "$1$lib" || exit 1
	done
}

# ---- chroot without /proc -------------------------------------------------
# In sanitized builds the probe carries ASan, which needs /proc (it reads
# even its options from /proc/self/environ, and its leak check stops the
# world through /proc/PID/task): without /proc it aborts the probe instead
# of testing the library.  These cases run in the unsanitized build.
NO_PROC_SKIP=
[ "${PE_SANITIZE:-none}" != none ] && NO_PROC_SKIP="probe built with $PE_SANITIZE, which needs /proc"
R=$T/root
mkdir -p "$R"
if [ -n "$NO_PROC_SKIP" ]; then
	skip "chroot without /proc" "$NO_PROC_SKIP"
elif ldd "$PE_SELF" | grep -q 'not found'; then
	skip "chroot without /proc" "ldd cannot resolve the probe's libraries"
elif ! copy_libs "$R" || ! cp "$PE_SELF" "$R/pe-self" || ! command -v chroot >/dev/null; then
	skip "chroot without /proc" "cannot build the chroot"
else
	want=$(devino "$R/pe-self")
	run "$O" chroot "$R" /pe-self all
	check "chroot without /proc: path from AT_EXECFN" "$(field path "$O")" /pe-self "$O"
	check "chroot without /proc: flags unverified" "$(field flags "$O")" unverified "$O"
	check "chroot without /proc: procexe_self_open finds the file" "$(field devino "$O")" "$want" "$O"
	run "$O" chroot "$R" /pe-self dir
	check "chroot without /proc: procexe_self_dir of a file in / is /" "$(field path "$O")" / "$O"
	run "$O" chroot "$R" /pe-self pid 1
	check "chroot without /proc: procexe_pid_path says -ENOENT" "$(field rc "$O")" ENOENT "$O"
	run "$O" chroot "$R" /pe-self reexec
	check "chroot without /proc: re-exec works" "$(field gen "$O") $(field devino "$O")" "2 $want" "$O"
	# exec -a style argv[0] that names nothing: AT_EXECFN still wins.
	mkdir -p "$R/sub"
	cp "$PE_SELF" "$R/sub/prog"
	run "$O" chroot "$R" /sub/prog all
	check "chroot without /proc: file in a subdirectory" "$(field path "$O") $(field flags "$O")" "/sub/prog unverified" "$O"

	# Deleted in a chroot without /proc: nothing can find it.
	start "$O" "$T" chroot "$R" /sub/prog -w all
	rm -f "$R/sub/prog"
	go
	check "chroot without /proc, deleted: -ENOENT (no way to find it)" "$(field rc "$O")" ENOENT "$O"

	# The same process seen from outside: its text is reachable from here.
	start "$T/chr.out" "$T" chroot "$R" /pe-self -w path
	run "$O" "$PE_SELF" pid "$SPID"
	check "chrooted process seen from the host: host path, flags none" \
		"$(field path "$O") $(field flags "$O")" "$R/pe-self none" "$O"
	go

	# ---- chroot with /proc mounted --------------------------------------
	mkdir -p "$R/proc"
	if mount -t proc proc "$R/proc" 2>/dev/null; then
		MOUNTS="$MOUNTS $R/proc"
		run "$O" chroot "$R" /pe-self all
		check "chroot with /proc: path relative to the chroot" "$(field path "$O")" /pe-self "$O"
		check "chroot with /proc: flags none (verified)" "$(field flags "$O")" none "$O"
		start "$O" "$T" chroot "$R" /pe-self -w all
		rm -f "$R/pe-self"
		go
		check "chroot with /proc, deleted: path and flags" \
			"$(field path "$O") $(field flags "$O")" "/pe-self deleted" "$O"
		umount "$R/proc" && MOUNTS=""
	else
		skip "chroot with /proc" "cannot mount procfs"
	fi
fi

# ---- /proc masked by a tmpfs in a private mount namespace -------------------
fresh pe-self "$T/mask"
want=$(devino "$T/mask/pe-self")
if [ -n "$NO_PROC_SKIP" ]; then
	skip "masked /proc" "$NO_PROC_SKIP"
elif unshare -m true 2>/dev/null; then
	# shellcheck disable=SC2016
	run "$O" unshare -m --propagation private sh -c \
		'mount -t tmpfs none /proc && exec "$1" all' sh "$T/mask/pe-self"
	check "masked /proc: path from AT_EXECFN" "$(field path "$O")" "$T/mask/pe-self" "$O"
	check "masked /proc: flags unverified" "$(field flags "$O")" unverified "$O"
	check "masked /proc: procexe_self_open finds the file" "$(field devino "$O")" "$want" "$O"
	run "$O" cd "$T/mask" unshare -m --propagation private sh -c \
		'mount -t tmpfs none /proc && exec ./pe-self -C / all' sh
	check "masked /proc, relative AT_EXECFN, chdir: never another file" \
		"$(field rc "$O"):$(field devino "$O")" "ENOENT:" "$O"
else
	skip "masked /proc" "unshare -m not permitted"
fi

# ---- another user's processes -------------------------------------------------
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
	# The probe and its library where nobody can read them.
	mkdir -p "$T/nb/lib"
	cp "$PE_SELF" "$T/nb/pe-self"
	lib=$(ldd "$PE_SELF" | awk '$1 ~ /^libprocexe/ {print $3}')
	cp -L "$lib" "$T/nb/lib/"
	chmod -R a+rX "$T/nb"
	NB="env LD_LIBRARY_PATH=$T/nb/lib $AS_NOBODY $T/nb/pe-self"

	sleep 600 &
	rootpid=$!
	PIDS="$PIDS $rootpid"
	# shellcheck disable=SC2086
	run "$O" $NB pid "$rootpid"
	check "nobody asks for a root process: -EACCES" "$(field rc "$O")" EACCES "$O"
	check "nobody asks for a root process: no path" "$(field path "$O")" "" "$O"
	# shellcheck disable=SC2086
	run "$O" $NB pid 1
	case $(field rc "$O") in
	EACCES|EPERM) ok "nobody asks for PID 1: $(field rc "$O")" ;;
	*) not_ok "nobody asks for PID 1: -EACCES/-EPERM" "$(cat "$O")" ;;
	esac
	kill "$rootpid"
	wait "$rootpid" 2>/dev/null
	PIDS=""
	# shellcheck disable=SC2086
	run "$O" $NB all
	check "nobody: own path" "$(field path "$O") $(field flags "$O")" "$T/nb/pe-self none" "$O"
	# shellcheck disable=SC2086
	start "$T/nb.out" "$T" $NB -w path
	# shellcheck disable=SC2086
	run "$O" $NB pid "$SPID"
	check "nobody asks for its own other process" "$(field path "$O") $(field flags "$O")" "$T/nb/pe-self none" "$O"
	go

	# An execute-only binary (0711): O_PATH works, O_RDONLY may not.
	cp "$PE_SELF" "$T/nb/xonly"
	chmod 0711 "$T/nb/xonly"
	want=$(devino "$T/nb/xonly")
	# shellcheck disable=SC2086
	run "$O" env LD_LIBRARY_PATH="$T/nb/lib" $AS_NOBODY "$T/nb/xonly" all
	check "nobody, execute-only binary: path and flags" "$(field path "$O") $(field flags "$O")" \
		"$T/nb/xonly none" "$O"
	# shellcheck disable=SC2086
	run "$O" env LD_LIBRARY_PATH="$T/nb/lib" $AS_NOBODY "$T/nb/xonly" open
	check "nobody, execute-only binary: procexe_self_open(O_PATH) works" "$(field devino "$O")" "$want" "$O"
	check "nobody, execute-only binary: procexe_self_open(O_RDONLY) is -EACCES" "$(field rdonly_rc "$O")" EACCES "$O"

	# Loader-launched and deleted, unprivileged: the program is reachable
	# only through map_files (CAP_SYS_ADMIN/CAP_CHECKPOINT_RESTORE).  A clean
	# error, or an fd of the very image, never of another file.
	LDSO=$(ldd "$PE_SELF" 2>/dev/null | awk '$1 ~ /^\// && /ld-/ {print $1; exit}')
	if [ -n "$LDSO" ]; then
		cp "$PE_SELF" "$T/nb/ldprog"
		want=$(devino "$T/nb/ldprog")
		# shellcheck disable=SC2086
		start "$O" "$T/nb" env LD_LIBRARY_PATH="$T/nb/lib" $AS_NOBODY "$LDSO" ./ldprog -w all
		rm -f "$T/nb/ldprog"
		go
		check "nobody, loader + deleted: path and flags" "$(field path "$O") $(field flags "$O")" \
			"$T/nb/ldprog deleted,loader" "$O"
		case "$(field devino_rc "$O"):$(field devino "$O")" in
		"0:$want") ok "nobody, loader + deleted: procexe_self_open is the image" ;;
		EPERM:|EACCES:) ok "nobody, loader + deleted: procexe_self_open fails cleanly ($(field devino_rc "$O"))" ;;
		*) not_ok "nobody, loader + deleted: procexe_self_open is the image or a clean error" "$(cat "$O")" ;;
		esac
	fi
else
	skip "another user's PID" "no setpriv or no user nobody"
fi

finish
