#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rows are written as the scan reads them (-r, --jsonl): the row of a
# process is on stdout while a process of a higher PID still holds the
# scan (its procfs reads hang until procexe gives up on it, about 3 s
# later).  A scan that writes only at the end shows every line at once.
set -u
: "${PROCEXE:?}" "${PE_STALL_SO:?}"
echo 1..4
sleep 600 &
a=$!
sleep 600 &
b=$!
trap 'kill $a $b 2>/dev/null' EXIT
# the hung one must come second in PID order (PIDs may wrap)
if [ "$a" -lt "$b" ]; then low=$a high=$b; else low=$b high=$a; fi
dir=$(mktemp -d) || exit 1

# FORMAT... : the first line that names $low, and the milliseconds from
# its arrival to the end of the output, into $dir/first and $dir/gap.
run() {
	PE_STALL_NAME=$high timeout 60 env LD_PRELOAD="$PE_STALL_SO" \
		"$PROCEXE" ls -n -o PID,STATE "$@" "$low" "$high" 2>/dev/null | {
		first=
		while [ -z "$first" ] && IFS= read -r line; do
			case $line in *"$low"*) first=$line ;; esac
		done
		t1=$(date +%s%N)
		cat >/dev/null
		t2=$(date +%s%N)
		printf '%s\n' "$first" >"$dir/first"
		echo $(( (t2 - t1) / 1000000 )) >"$dir/gap"
	}
}

n=0
for fmt in -r --jsonl; do
	run "$fmt"
	gap=$(cat "$dir/gap")
	first=$(cat "$dir/first")
	n=$((n + 1))
	case $fmt in
	-r) want="$low ok" ;;
	--jsonl) want="*\"pid\":$low,*" ;;
	esac
	# shellcheck disable=SC2254
	case $first in
	$want) echo "ok $n - $fmt: the row of PID $low comes first" ;;
	*) echo "not ok $n - $fmt: the row of PID $low comes first # got: $first" ;;
	esac
	n=$((n + 1))
	if [ "$gap" -ge 1000 ]; then
		echo "ok $n - $fmt: written ${gap} ms before the scan ends (a hung process holds it)"
	else
		echo "not ok $n - $fmt: written before the scan ends # only ${gap} ms before"
	fi
done
rm -rf "$dir"
