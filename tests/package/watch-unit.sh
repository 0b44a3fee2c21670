#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe-watch.service as systemd reads it: systemd-analyze verify (the
# built procexe in ExecStart=, procexe(1) on MANPATH), the capabilities the
# mechanisms need and no more, the store as the only writable path, and
# none of the sandbox settings that would hide what the watch is for.
#
# Environment (from meson): PROCEXE, PE_SRCDIR, PE_SOURCE_ROOT,
# PE_WATCH_SERVICE (the configured unit), PE_BINDIR.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

command -v systemd-analyze >/dev/null || skip_all "no systemd-analyze"
svc=procexe-watch.service

plan 8

man_opt=()
command -v man >/dev/null || { man_opt=(--man=no); diag "no man(1): verify --man=no"; }
u="$T/units"
mkdir -p "$u" "$T/man/man1"
cp "$PE_SOURCE_ROOT/man/procexe.1" "$T/man/man1/"
exec_line=$(grep '^ExecStart=' "$PE_WATCH_SERVICE")
is "$exec_line" "ExecStart=$PE_BINDIR/procexe watch -q --jsonl --flagged --store /var/lib/procexe/watch" \
	"the configured unit runs the installed procexe watch into the store"
sed "s|^ExecStart=$PE_BINDIR/procexe |ExecStart=$PROCEXE |" "$PE_WATCH_SERVICE" >"$u/$svc"
out=$(MANPATH="$T/man" systemd-analyze verify "${man_opt[@]}" "$u/$svc" 2>&1)
is "$?:$out" "0:" "systemd-analyze verify accepts the watch service"

key() { sed -n "s/^$1=//p" "$u/$svc"; }
is "$(key CapabilityBoundingSet)" \
	"CAP_SYS_ADMIN CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_KILL CAP_SYS_RESOURCE" \
	"the bounding set: fanotify, bpf, /proc/PID/exe, the freeze's resume, the guardian"
is "$(key ProtectSystem)|$(key ReadWritePaths)" "strict|/var/lib/procexe/watch" \
	"a read-only system but the store"
is "$(grep -cE '^(PrivateTmp|PrivateDevices|ProtectProc|ProcSubset|PrivateUsers|PrivatePIDs|PrivateNetwork|DynamicUser|User)=' "$u/$svc")" 0 \
	"nothing hides /tmp, /dev/shm, processes or the proc connector"
is "$(key RestrictAddressFamilies)" "AF_UNIX AF_NETLINK" "netlink for the proc connector, nothing else"
is "$(key Type)|$(key KillMode)" "simple|mixed" \
	"a daemon; SIGTERM to procexe alone first (it resumes what it stopped), then the rest"

# the unit's command line is one procexe accepts
read -r -a argv <<<"${exec_line#"ExecStart=$PE_BINDIR/procexe "}"
out=$("$PROCEXE" "${argv[0]}" --help 2>&1)
ok=1
for a in "${argv[@]:1}"; do
	case $a in -*) grep -q -- "${a%%=*}" <<<"$out" || ok=0 ;; esac
done
is "$ok" 1 "every option of the unit's command line is in 'procexe watch --help'"
