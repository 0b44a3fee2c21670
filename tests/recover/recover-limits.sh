#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe recover within limits: 1,100 distinct deleted files mapped by one
# process are all recovered under a hard limit of 1,024 descriptors
# (batches); a low soft limit is raised; libcrypto that cannot be loaded
# fails the run before anything is pinned (status 2, named); a deleted
# sparse executable of 1 TiB apparent size is refused quickly (EFBIG, over
# the default --max-size of 4 GiB) while a 64 MiB sparse one is recovered,
# equal and still sparse; --max-size parsing and its boundary.
. "$PE_SRCDIR/lib.sh"

M="$PE_RECOVER_SRCDIR/manifest.py"
mf() { "$PYTHON" "$M" "$@"; }
# fail_says FILE PID TEXT: PID's failure in manifest FILE has TEXT in its error
fail_says() { mf fail "$1" "$2" error | grep -qF -- "$3"; }

S=$PE_HELPERS/pe-spin
MANY=$PE_HELPERS/pe-map-many
[ -x "$S" ] && [ -x "$MANY" ] || skip_all "no pe-spin or pe-map-many"
command -v timeout >/dev/null || skip_all "no timeout(1)"

plan 32

D=$T/bin
mkdir "$D"

# ---- 1,100 deleted mapped files, 1,024 descriptors (soft and hard)
N=1100
if [ "$(id -u)" = 0 ]; then
	mkdir "$T/many"
	if start_fixture many "$T/o.many" "$MANY" "$T/many" "$N"; then
		P=$FIXTURE_PID
		O=$T/out.many
		timeout 120 bash -c 'ulimit -n 1024 && ulimit -Hn 1024 && exec "$0" recover --libs -d "$1" "$2"' \
			"$PROCEXE" "$O" "$P" >"$O.stdout" 2>"$O.err"
		rc=$?
		is "$rc" 0 "fd limit 1024: recover succeeded$( [ $rc = 0 ] || echo ": $(head -c 300 "$O.err")")"
		check "fd limit 1024: manifest is strict JSON" mf check "$O/manifest.json"
		is "$(mf count "$O/manifest.json" images 2>&1)" $((N + 1)) "fd limit 1024: $N maps and the exe recovered"
		is "$(mf count "$O/manifest.json" failures 2>&1)" 0 "fd limit 1024: no failure"
		is "$(mf files "$O/manifest.json" 2>/dev/null | wc -l)" $((N + 1)) "fd limit 1024: one file per distinct image"
		for i in 0 511 1023 $((N - 1)); do
			f=$(mf map "$O/manifest.json" "$P" "$T/many/live.$i" copy 2>/dev/null)
			check "fd limit 1024: file $i equals its original" cmp "$O/$f" "$T/many/orig.$i"
		done
		kill_tracked "$P"
	else
		skip_n 9 many "fixture did not start"
	fi
else
	skip_n 9 many "needs root (map_files)"
fi

# ---- a soft limit too low to open anything is raised to the hard one
cp "$S" "$D/soft"
settle "$D/soft"
if start_fixture soft "$T/o.soft" "$D/soft" m; then
	P=$FIXTURE_PID
	rm "$D/soft"
	O=$T/out.soft
	timeout 60 bash -c 'ulimit -Sn 4 && exec "$0" recover -d "$1" "$2"' "$PROCEXE" "$O" "$P" \
		>"$O.stdout" 2>"$O.err"
	is "$?" 0 "soft limit 4: raised, recover succeeded"
	check "soft limit 4: the image is recovered" cmp "$O/$(mf get "$O/manifest.json" "$P" copy)" "$S"

	# ---- libcrypto cannot be loaded: status 2 before anything is pinned
	mkdir "$T/fakelib"
	: >"$T/fakelib/libcrypto.so.3"
	: >"$T/fakelib/libcrypto.so.1.1"
	O=$T/out.nocrypto
	LD_LIBRARY_PATH=$T/fakelib timeout 60 "$PROCEXE" recover -d "$O" "$P" >"$O.stdout" 2>"$O.err"
	is "$?" 2 "no libcrypto: status 2"
	check "no libcrypto: the message names libcrypto and its soname" \
		grep -q "cannot load libcrypto (libcrypto\.so\.[0-9.]*)" "$O.err"
	if [ -e "$O" ]; then nok "no libcrypto: nothing written"; else ok "no libcrypto: nothing written"; fi
	kill_tracked "$P"
else
	skip_n 5 soft "fixture did not start"
fi

# ---- sparse images and --max-size
if ! truncate -s 1T "$T/probe" 2>/dev/null; then
	rm -f "$T/probe"
	skip_n 14 sparse "the scratch filesystem refuses a file of 1 TiB"
else
	rm -f "$T/probe"
	cp "$S" "$D/huge"
	truncate -s 1T "$D/huge"
	if start_fixture huge "$T/o.huge" "$D/huge" m; then
		P=$FIXTURE_PID
		rm "$D/huge"
		O=$T/out.huge
		timeout 60 "$PROCEXE" recover -d "$O" "$P" >"$O.stdout" 2>"$O.err"
		is "$?" 3 "1 TiB sparse image: status 3 (not recovered), quickly (timeout 60 s)"
		check "1 TiB: manifest is strict JSON" mf check "$O/manifest.json"
		check "1 TiB: the failure is EFBIG" fail_says "$O/manifest.json" "$P" "(File too large)"
		check "1 TiB: the reason names the size and the limit" \
			grep -q "1099511627776 bytes, over the limit of 4294967296 bytes" "$O/manifest.json"
		is "$(find "$O" -type f ! -name 'manifest*.json' | wc -l)" 0 "1 TiB: no file copied"
		kill_tracked "$P"
	else
		skip_n 5 huge "fixture did not start"
	fi

	cp "$S" "$D/sp64"
	truncate -s 64M "$D/sp64"
	cp --sparse=always "$D/sp64" "$T/sp64.orig"
	if start_fixture sp64 "$T/o.sp64" "$D/sp64" m; then
		P=$FIXTURE_PID
		rm "$D/sp64"
		O=$T/out.sp64
		timeout 60 "$PROCEXE" recover -d "$O" "$P" >"$O.stdout" 2>"$O.err"
		is "$?" 0 "64 MiB sparse image: recovered under the default limit"
		f=$(mf get "$O/manifest.json" "$P" copy 2>/dev/null)
		check "64 MiB: the copy equals the image" cmp "$O/$f" "$T/sp64.orig"
		is "$(stat -c %s "$O/$f" 2>&1)" 67108864 "64 MiB: apparent size kept"
		alloc=$(stat -c '%b*%B' "$O/$f" 2>/dev/null)
		if [ -n "$alloc" ] && [ $((alloc)) -lt $((4 << 20)) ]; then
			ok "64 MiB: the copy is sparse"
		else
			nok "64 MiB: the copy is sparse" "allocated: $((alloc)) bytes"
		fi
		timeout 60 "$PROCEXE" recover --max-size 1M -d "$T/out.1m" "$P" >/dev/null 2>&1
		is "$?" 3 "--max-size 1M: status 3"
		check "--max-size 1M: EFBIG" fail_says "$T/out.1m/manifest.json" "$P" "(File too large)"
		timeout 60 "$PROCEXE" recover --max-size 64M -d "$T/out.64m" "$P" >/dev/null 2>&1
		is "$?" 0 "--max-size 64M: an image of exactly 64 MiB is recovered"
		timeout 60 "$PROCEXE" recover --max-size 67108863 -d "$T/out.64m-1" "$P" >/dev/null 2>&1
		is "$?" 3 "--max-size 67108863: one byte over, refused"
		timeout 60 "$PROCEXE" recover --max-size 0 -d "$T/out.0" "$P" >/dev/null 2>&1
		is "$?" 0 "--max-size 0: no limit"
		kill_tracked "$P"
	else
		skip_n 9 sp64 "fixture did not start"
	fi
	rm -f "$T/sp64.orig"
fi

# ---- --max-size parsing and help
n=0
for bad in garbage 1X -1 "" " 1" 17179869184T 4GB; do
	"$PROCEXE" recover --max-size "$bad" -d "$T/out.bad" 1 >/dev/null 2>&1
	[ $? = 2 ] && n=$((n + 1))
done
is "$n" 7 "--max-size: 7 invalid sizes rejected with status 2"
if [ -e "$T/out.bad" ]; then nok "--max-size invalid: nothing written"; else ok "--max-size invalid: nothing written"; fi
"$PROCEXE" recover --help >"$T/help" 2>&1
check "help mentions --max-size" grep -q -- "--max-size <size>" "$T/help"
check "help mentions EFBIG" grep -q EFBIG "$T/help"
