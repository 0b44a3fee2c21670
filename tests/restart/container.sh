#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart on real containers: podman under its cgroupfs and its
# systemd cgroup manager, docker under its cgroupfs and its systemd cgroup
# driver (the systemd halves only where PID 1 is systemd).  Each runs an
# image imported from a tarball made here (a static busybox, no registry)
# holding three copies of it: /a/sleep stays intact (no row), /b/sleep is
# deleted and /c/sleep renamed over once they run (one restart row each),
# all grouped as container ENGINE:ID12 and named by the engine's state on
# disk (key container, column CONTAINER, the -s group).  Containers,
# images and the dockerd started here are removed on exit, failure
# included; nothing the test did not start is touched.  A half that cannot
# run is skipped with the reason.
. "$(dirname "$0")/restart-lib.sh"

need_root "running containers"
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && LC_ALL=C ldd "$b" 2>&1 | grep -q 'not a dynamic executable'; then
		BUSYBOX=$b
		break
	fi
done
[ -n "$BUSYBOX" ] || skip_all "no static busybox (Debian: busybox-static) for the image"

VALIDATE=$PE_RESTART_DIR/../schema/validate.py
SCHEMA=$PE_RESTART_DIR/../../docs/schema-v1.json
PER_RUN=10
plan $((4 * PER_RUN))

TAG=pe-test-cont-$$
# the three programs' arguments: unique to this run
NA=$((7000000 + $$ * 3)) NB=$((7000001 + $$ * 3)) NC=$((7000002 + $$ * 3))

# --- cleanup: our containers, images, dockerd (before lib.sh's own) ---
CLEAN=()        # commands (eval'd, last first)
DOCKERD_PID=
cont_cleanup() {
	local i
	for ((i = ${#CLEAN[@]} - 1; i >= 0; i--)); do
		eval "${CLEAN[i]}" >/dev/null 2>&1
	done
	CLEAN=()
	stop_dockerd
}
trap 'cont_cleanup; _pe_cleanup' EXIT

stop_dockerd() {
	local i
	[ -n "$DOCKERD_PID" ] || return 0
	kill -TERM "$DOCKERD_PID" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DOCKERD_PID" 2>/dev/null
	wait "$DOCKERD_PID" 2>/dev/null
	DOCKERD_PID=
}

# --- the image: busybox as the shell and three copies as sleep ---
R=$T/rootfs
mkdir -p "$R/bin" "$R/a" "$R/b" "$R/c" "$R/proc" "$R/dev" "$R/sys" "$R/etc"
cp "$BUSYBOX" "$R/bin/busybox"
for a in sh sleep rm cp mv readlink cat; do
	ln -s busybox "$R/bin/$a"
done
for d in a b c; do
	cp "$BUSYBOX" "$R/$d/sleep"
done
tar -C "$R" -cf "$T/rootfs.tar" . || skip_all "tar failed"

# Inside: the three programs, then (once each runs its file) /b/sleep
# deleted, /c/sleep replaced, /ready written; bounded waits.
# shellcheck disable=SC2016 # expanded inside the container
SCRIPT='/a/sleep '$NA' & a=$!; /b/sleep '$NB' & b=$!; /c/sleep '$NC' & c=$!
for p in "$a:/a/sleep" "$b:/b/sleep" "$c:/c/sleep"; do
	i=0
	while [ "$(readlink /proc/${p%%:*}/exe)" != "${p#*:}" ]; do
		i=$((i + 1)); [ $i -lt 600 ] || exit 1; sleep 0.05
	done
done
rm /b/sleep && cp /a/sleep /c/new && mv /c/new /c/sleep && echo ok >/ready
wait'

# host_pid CID ARG: the host PID of "/?/sleep ARG" in the container CID
host_pid() {
	local pid
	for pid in $(pgrep -x sleep); do
		[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "/${3}/sleep $2 " ] || continue
		grep -q "$1" "/proc/$pid/cgroup" 2>/dev/null && { echo "$pid"; return 0; }
	done
	return 1
}

# scenario LABEL ENGINE-LABEL CMD...: import, run, judge, remove (PER_RUN tests)
scenario() {
	local label=$1 elabel=$2 name img cid cpid keep del rep i J S
	shift 2
	name=$TAG-$label
	img=$TAG:1
	[ "$elabel" = podman ] && img=localhost/$TAG:1
	CLEAN+=("$(printf '%q ' "$@") rmi -f $img")
	CLEAN+=("$(printf '%q ' "$@") rm -f $name")
	if ! "$@" import "$T/rootfs.tar" "$img" >"$T/$label.import" 2>&1 ||
		! "$@" run -d --name "$name" --network none --ulimit nofile=1024:1024 \
			--ulimit nproc=1024:1024 "$img" /bin/sh -c "$SCRIPT" >"$T/$label.run" 2>&1; then
		nok "$label: container started" "$(tail -c 600 "$T/$label.import" "$T/$label.run")"
		skip_n $((PER_RUN - 1)) "$label" "the container did not start"
		return
	fi
	cid=$("$@" inspect -f '{{.Id}}' "$name" 2>/dev/null)
	cpid=$("$@" inspect -f '{{.State.Pid}}' "$name" 2>/dev/null)
	for ((i = 0; i < 600; i++)); do
		[ -e "/proc/$cpid/root/ready" ] && break
		kill -0 "$cpid" 2>/dev/null || break
		sleep 0.05
	done
	keep=$(host_pid "$cid" "$NA" a) del=$(host_pid "$cid" "$NB" b) rep=$(host_pid "$cid" "$NC" c)
	if [ ! -e "/proc/$cpid/root/ready" ] || [ -z "$keep" ] || [ -z "$del" ] || [ -z "$rep" ]; then
		nok "$label: container started, its programs ready" \
			"cid=$cid pid=$cpid keep=$keep del=$del rep=$rep; $("$@" logs "$name" 2>&1 | tail -c 400)"
		skip_n $((PER_RUN - 1)) "$label" "the container's programs did not start"
		return
	fi
	ok "$label: container started, its programs ready ($name, ${cid:0:12})"

	J=$T/$label.json
	# shellcheck disable=SC2086 # PE_RESTART_OPTS: words on purpose
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} -J -o "$RCOLS,CONTAINER" "$cpid" "$keep" "$del" "$rep" \
		>"$J" 2>"$J.err"
	RS_RC=$?
	status_is "$J" 1 "$label: exit status 1 (something must restart)"
	if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
		check "$label: -J follows the schema" "$PYTHON" "$VALIDATE" "$SCHEMA" --status 1 "$J"
	else
		skip "$label: -J follows the schema" "python3-jsonschema not installed"
	fi
	is "$(rsj extra "$J" "$del" "$rep" 2>&1)" "" \
		"$label: no row for the intact program ($keep) nor the container's shell ($cpid)"
	case $(rsj values "$J" reason pid="$del" category=restart type=exe path=/b/sleep) in
	deleted | unlinked) ok "$label: the deleted program: one restart row (deleted/unlinked)" ;;
	*) nok "$label: the deleted program: one restart row" "$(_rows_diag "$J")" ;;
	esac
	finding "$label: the replaced program: one restart row (replaced)" "$J" \
		pid="$rep" category=restart reason=replaced type=exe path=/c/sleep
	rows_is "$label: both grouped as container $elabel:${cid:0:12}" "$J" 2 \
		group_type=container group="$elabel:${cid:0:12}"
	rows_is "$label: both named $name by the engine's state" "$J" 2 container="$name"

	S=$T/$label.sum.json
	# shellcheck disable=SC2086
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} -s -J "$keep" "$del" "$rep" >"$S" 2>"$S.err"
	check "$label: -s -J: one group, the container's, named, with both PIDs" "$PYTHON" -c '
import json, sys
g = json.load(open(sys.argv[1]))["groups"]
want = [{"category": "restart", "group_type": "container", "group": sys.argv[2],
         "container": sys.argv[3], "count": 2, "pids": sorted(int(p) for p in sys.argv[4:])}]
assert g == want, (g, want)' "$S" "$elabel:${cid:0:12}" "$name" "$del" "$rep"

	# shellcheck disable=SC2086
	"$PROCEXE" restart ${PE_RESTART_OPTS:-} -r -n -o PID,GROUP,CONTAINER "$rep" \
		>"$T/$label.raw" 2>/dev/null
	is "$(cat "$T/$label.raw")" "$rep $elabel:${cid:0:12} $name" \
		"$label: raw table: PID GROUP CONTAINER"

	"$@" rm -f "$name" >/dev/null 2>&1
	"$@" rmi -f "$img" >/dev/null 2>&1
}

pid1_systemd() {
	[ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

# --- podman ---
if ! command -v podman >/dev/null; then
	skip_n $((2 * PER_RUN)) "podman" "podman not installed (Debian: podman, runc)"
elif ! command -v runc >/dev/null; then
	skip_n $((2 * PER_RUN)) "podman" "runc not installed"
else
	PODMAN=(podman --runtime runc --cgroup-manager=cgroupfs)
	if ! "${PODMAN[@]}" info >"$T/podman.info" 2>&1; then
		skip_n $((2 * PER_RUN)) "podman" "podman cannot run here: $(tail -n 1 "$T/podman.info")"
	else
		scenario podman-cgroupfs podman "${PODMAN[@]}"
		if pid1_systemd; then
			scenario podman-systemd podman podman --runtime runc --cgroup-manager=systemd
		else
			skip_n "$PER_RUN" "podman-systemd" \
				"PID 1 is not systemd: podman's systemd cgroup manager needs it"
		fi
	fi
fi

# --- docker: our own dockerd (its state at the default /var/lib/docker,
# where the names are read), or the host's when one answers ---
# start_dockerd DRIVER: DOCKER=(docker -H our socket); false when it does not come up
start_dockerd() {
	local sock=$T/dockerd-$1/docker.sock i
	mkdir -p "$T/dockerd-$1"
	dockerd -H "unix://$sock" --exec-root "$T/dockerd-$1/exec" \
		--pidfile "$T/dockerd-$1/docker.pid" --iptables=false --ip6tables=false \
		--bridge=none --ip-masq=false --userland-proxy=false \
		--exec-opt "native.cgroupdriver=$1" >"$T/dockerd-$1.log" 2>&1 &
	DOCKERD_PID=$!
	DOCKER=(docker -H "unix://$sock")
	for ((i = 0; i < 600; i++)); do
		[ -S "$sock" ] && "${DOCKER[@]}" version >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	DOCKER_WHY="dockerd did not come up: $(tail -n 2 "$T/dockerd-$1.log" | tr '\n' ' ')"
	stop_dockerd
	return 1
}

docker_half() { # DRIVER
	local label=docker-$1
	if [ "$1" = systemd ] && ! pid1_systemd; then
		skip_n "$PER_RUN" "$label" "PID 1 is not systemd: docker's systemd cgroup driver needs it"
	elif [ -n "$HOST_DRIVER" ]; then
		if [ "$HOST_DRIVER" = "$1" ]; then
			DOCKER=(docker)
			scenario "$label" docker "${DOCKER[@]}"
		else
			skip_n "$PER_RUN" "$label" "the host's running dockerd uses the $HOST_DRIVER driver"
		fi
	elif start_dockerd "$1"; then
		scenario "$label" docker "${DOCKER[@]}"
		cont_cleanup
	else
		skip_n "$PER_RUN" "$label" "$DOCKER_WHY"
	fi
}

HOST_DRIVER=
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
	skip_n $((2 * PER_RUN)) "docker" "dockerd not installed (Debian: docker.io)"
else
	if docker version >/dev/null 2>&1; then
		HOST_DRIVER=$(docker info -f '{{.CgroupDriver}}' 2>/dev/null)
		[ -n "$HOST_DRIVER" ] || HOST_DRIVER=unknown
	fi
	docker_half cgroupfs
	docker_half systemd
fi
