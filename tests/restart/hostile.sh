#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe restart against processes shaped to make it slow or huge: 60,000
# mappings of one inode under 60,000 names (hard links: nothing to flag),
# and 60,000 mappings of deleted files whose paths are past PATH_MAX (5 KB
# each: 300 MB of maps text).  Each is judged in bounded time and memory:
# never given up on (no time-out), the first flagged without a time-out and
# reported as incomplete rather than clean, peak RSS far below the text's
# size.  Runs in both modes (PROCMAP_QUERY and --maps-text).
. "$(dirname "$0")/restart-lib.sh"

MANY=$PE_HELPERS/pe-many-maps
[ -x "$MANY" ] || skip_all "no $MANY"
N=60000
max=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
[ "$max" -gt $((N + 200)) ] || skip_all "vm.max_map_count $max is below $((N + 200))"

plan 13

mkdir "$T/links" "$T/del"
started=1
if start_fixture links "$T/out.links" "$MANY" links "$T/links" "$N"; then
	PL=$FIXTURE_PID
else
	started=0
fi
if start_fixture deleted "$T/out.del" "$MANY" deleted "$T/del" "$N" 20; then
	PD=$FIXTURE_PID
else
	started=0
fi
fixtures_started "fixtures with $N mappings each started"

# peak_rss_mib CMD...: run CMD (output discarded), print its peak RSS in MiB
peak_rss_mib() {
	"$PYTHON" - "$@" <<'EOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
EOF
}

# --- one inode, 60,000 names: merged in O(n log n), judged ok, not timed out
# (a process that holds a worker 3 s is given up on: judged well before)
J=$T/links.json
t0=$(date +%s%N)
restartj "$J" "$PL"
ms=$((($(date +%s%N) - t0) / 1000000))
check "60,000 names of one intact inode: judged in ${ms} ms, before the 3 s give-up" \
	test "$ms" -lt 3000
status_is "$J" 0 "60,000 names of one intact inode: exit 0 (seen, nothing to restart)"
rows_is "60,000 names of one intact inode: no row" "$J" 0 pid="$PL"
check "60,000 names of one intact inode: not timed out" \
	eval "! grep -qiE 'timed out|ETIMEDOUT|incomplete|could not' '$J.err'"

# --- 60,000 deleted files with 5 KB names
J=$T/del.json
restartj "$J" "$PD"
status_is "$J" 1 "60,000 deleted 5 KB names: exit 1 (must restart)"
n=$(rsj count "$J" pid="$PD" reason=deleted type=lib category=restart)
check "deleted 5 KB names: flagged as deleted libraries ($n rows)" test "${n:-0}" -ge 1
check "deleted 5 KB names: at most 4,096 rows kept" test "${n:-0}" -le 4096
check "deleted 5 KB names: not timed out" eval "! grep -qiE 'timed out|ETIMEDOUT' '$J.err'"
check "deleted 5 KB names: the listing is said to be incomplete" grep -q "$PD" "$J.err"

# --- memory: bounded whatever the process maps (the text is 300 MB); a
# sanitizer's shadow memory and quarantine would be measured instead
if [ "${PE_SANITIZE:-none}" != none ]; then
	skip "peak RSS of -m" "built with -Db_sanitize=$PE_SANITIZE"
	skip "peak RSS of both" "built with -Db_sanitize=$PE_SANITIZE"
else
	# shellcheck disable=SC2086
	mib=$(peak_rss_mib "$PROCEXE" restart ${PE_RESTART_OPTS:-} -m "$PD")
	check "deleted 5 KB names, -m: peak RSS ${mib} MiB < 64 MiB" test "${mib:-999}" -lt 64
	# shellcheck disable=SC2086
	mib=$(peak_rss_mib "$PROCEXE" restart ${PE_RESTART_OPTS:-} "$PL" "$PD")
	check "both processes: peak RSS ${mib} MiB < 64 MiB" test "${mib:-999}" -lt 64
fi

# --- both in one run alongside the rest of the host: neither hides the other
J=$T/both.json
restartj "$J" "$PL" "$PD"
check "both in one run: the deleted files are still flagged" \
	test "$(rsj count "$J" pid="$PD" reason=deleted)" -ge 1
