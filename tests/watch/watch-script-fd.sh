#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# procexe watch --mechanism bpf and a script named "/dev/fd/9" that is not
# the process's descriptor 9: in a mount namespace of its own, /dev is a
# tmpfs whose fd/9 is an executable script, while descriptor 9 is a file
# nobody may execute (mode 600, the process's secret).  The exec runs the
# script at the name; the watcher, which takes /dev/fd/N for the
# process's descriptor N, must not read, hash or store the secret as the
# script: script.missed "not-executable", no stored copy of it, and every
# --jsonl line validates (exit 3: a script missed, nothing flagged).
. "$PE_SRCDIR/lib.sh"
. "$PE_WATCH_SRCDIR/watch-lib.sh"
watch_needs
command -v unshare >/dev/null || skip_all "no unshare(1)"
unshare -m true 2>/dev/null || skip_all "cannot make a mount namespace"

plan 5
watch_fs
mkfifo "$T/fifo" && exec 7<>"$T/fifo" || skip_all "cannot make a fifo"
printf '#!/bin/sh\nread -r x\n# PEW:script-fakefd\n' >"$FS/fake" && chmod 755 "$FS/fake"
printf 'PE-SECRET-%s\n' "$$" >"$T/secret" && chmod 600 "$T/secret"
S=$T/store
WOUT=$T/bpf.jsonl

watch_start "$WOUT" --mechanism bpf --all --store "$S" --jsonl
case $? in
0) ok "bpf: watcher started" ;;
77) skip_all "bpf cannot load: $WHY" ;;
*) nok "bpf: watcher started" "$WHY"; skip_rest "watcher" "did not start"; exit 0 ;;
esac

# shellcheck disable=SC2016
unshare -m --propagation private bash -c \
	'mount -t tmpfs pe-fakedev /dev && mkdir /dev/fd && cp "$1" /dev/fd/9 &&
	 exec 9<"$2" && exec /dev/fd/9' _ "$FS/fake" "$T/secret" <&7 7<&- &
P=$!
track_pid "$P"
end=$((SECONDS + 20))
until grep -qE "\"record\": ?\"exec\".*\"pid\": ?$P[,} ].*\"script\": ?\{" "$WOUT"; do
	[ "$SECONDS" -ge "$end" ] && break
	sleep 0.05
done
echo x >&7
wait_exit "$P" 10
is "$(wj sget "$WOUT" "$P" path 2>&1)" '"/dev/fd/9"' "script.path is the name the exec was given"
is "$(wj sget "$WOUT" "$P" missed 2>&1)" '"not-executable"' \
	"descriptor 9 (mode 600) is not taken for the script: missed not-executable"
if grep -rqs "PE-SECRET-$$" "$S"; then
	nok "the secret behind descriptor 9 is not stored" "$(grep -rls "PE-SECRET-$$" "$S")"
else
	ok "the secret behind descriptor 9 is not stored"
fi
watch_stop TERM
if [ "$WRC" = 3 ] && validate_jsonl "$WOUT" "$WRC" 2>"$T/why"; then
	ok "every --jsonl line validates, exit 3 (a script missed)"
else
	nok "every --jsonl line validates, exit 3" "exit $WRC: $(head -c 1500 "$T/why")"
fi
