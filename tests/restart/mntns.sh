#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart and private mount namespaces (unshare -m): a library on a
# tmpfs mounted only inside the process's namespace is intact and not
# flagged, whether the host has no file at that path or a different one;
# removed inside the namespace it is flagged deleted, replaced there it is
# flagged replaced.
. "$(dirname "$0")/restart-lib.sh"

need_root "mount namespaces"
command -v unshare >/dev/null || skip_all "unshare(1) not found"
command -v nsenter >/dev/null || skip_all "nsenter(1) not found"
unshare -m true 2>/dev/null || skip_all "unshare -m not permitted here"

plan 14

# A holder process per namespace: unshare -m, a tmpfs mounted on DIR only
# there, pe-lib.so copied to DIR/libns.so, then pe-spin keeps the namespace.
# The process judged is started in that namespace afterwards (nsenter execs
# pe-dlopen, same PID), once the copy has settled: a library written after
# the process was forked would rightly be "modified".
holder() {
	exec unshare -m --propagation private sh -c '
		mount -t tmpfs pe-rt "$1" || exit 1
		cp "$2" "$1/libns.so" || exit 1
		exec "$3" pe-rt-holder' sh "$1" "$PELIB" "$PE_HELPERS/pe-spin"
}

# ns1, ns3, ns5: nothing at the path on the host; ns2, ns4: the host has a
# different file at the same path
for n in ns1 ns2 ns3 ns4 ns5; do
	mkdir "$T/$n"
done
for n in ns2 ns4; do
	lib_copy "$T/$n/libns.so"
	printf 'host' >>"$T/$n/libns.so"
done

declare -A P H
started=1
for n in ns1 ns2 ns3 ns4 ns5; do
	if start_fixture "holder-$n" "$T/out.h$n" holder "$T/$n"; then
		H[$n]=$FIXTURE_PID
	else
		started=0
	fi
done
settle_since "$(date +%s.%N)" "$PE_SETTLE"
settle "$T"/ns2/libns.so "$T"/ns4/libns.so
if [ $started = 1 ]; then
	for n in ns1 ns2 ns3 ns4 ns5; do
		if start_fixture "$n" "$T/out.$n" nsenter -t "${H[$n]}" -m -- \
				"$DLOPEN" "$T/$n/libns.so" -- pe-rt-mntns; then
			P[$n]=$FIXTURE_PID
		else
			started=0
		fi
	done
fi
fixtures_started "fixtures in private mount namespaces started"
if [ ! -e "$T/ns1/libns.so" ] && grep -q "$T/ns1/libns.so\$" "/proc/${P[ns1]}/maps"; then
	ok "precondition: the library is mapped, and absent on the host"
else
	nok "precondition: the library is mapped, and absent on the host" \
		"$(ls -l "$T/ns1"; grep libns "/proc/${P[ns1]}/maps")"
fi

J=$T/a.json
restartj "$J" "${P[@]}" "${H[@]}"
status_is "$J" 0 "intact libraries in private namespaces: exit 0"
rows_is "private tmpfs library, absent on the host: not flagged" "$J" 0 pid="${P[ns1]}"
rows_is "private tmpfs library, another file at the path on the host: not flagged" "$J" 0 pid="${P[ns2]}"
rows_is "no row for any of them (nor for the holders)" "$J" 0

# changes inside the namespaces
if nsenter -t "${P[ns3]}" -m rm "$T/ns3/libns.so" &&
   nsenter -t "${P[ns4]}" -m rm "$T/ns4/libns.so" &&
   nsenter -t "${P[ns5]}" -m sh -c 'cp "$1" "$2.new" && printf X >>"$2.new" && mv -f "$2.new" "$2"' \
	sh "$PELIB" "$T/ns5/libns.so"; then
	ok "changed the libraries inside their namespaces"
else
	nok "changed the libraries inside their namespaces"
fi
if [ -e "$T/ns4/libns.so" ]; then
	ok "precondition: the host's file at ns4's path is still there"
else
	nok "precondition: the host's file at ns4's path is still there"
fi

J=$T/b.json
restartj "$J" "${P[@]}" "${H[@]}"
status_is "$J" 1 "after the changes: exit 1"
finding "removed inside the namespace: deleted, FILE the path" "$J" \
	pid="${P[ns3]}" reason=deleted type=lib path="$T/ns3/libns.so"
finding "removed inside the namespace, the host has a file there: still deleted" "$J" \
	pid="${P[ns4]}" reason=deleted type=lib path="$T/ns4/libns.so"
finding "replaced inside the namespace: replaced" "$J" \
	pid="${P[ns5]}" reason=replaced type=lib path="$T/ns5/libns.so"
rows_is "still intact (ns1): not flagged" "$J" 0 pid="${P[ns1]}"
rows_is "still intact, host file differs (ns2): not flagged" "$J" 0 pid="${P[ns2]}"
