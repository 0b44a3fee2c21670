#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --proc DIR that is not a procfs: the scan (plain and named), ls and restart exit 2 and
# say "DIR: not a procfs", not the errno's text ("Wrong medium type").
. "$(dirname "$0")/lib.sh"

plan 12

mkdir "$T/notproc"
for dir in /tmp "$T/notproc" /proc/sys; do
	for cmd in "" scan ls restart; do
		"$PROCEXE" ${cmd:+"$cmd"} --proc "$dir" >"$T/out" 2>"$T/err"
		rc=$?
		if [ "$rc" = 2 ] && grep -qF "$dir: not a procfs" "$T/err" &&
		   ! grep -qi "wrong medium" "$T/err" && [ ! -s "$T/out" ]; then
			ok "${cmd:-procexe} --proc $dir: exit 2, 'not a procfs'"
		else
			nok "${cmd:-procexe} --proc $dir: exit 2, 'not a procfs'" "rc=$rc stderr: $(cat "$T/err")"
		fi
	done
done
