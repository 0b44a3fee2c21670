# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared by bench/run.sh and bench/restart.sh, sourced after they define
# log() and set $here, $top and $PROCEXE: the provenance of the binary, and
# the teardown of what was planted, on any exit.
# shellcheck disable=SC2154 # here, top: set by the sourcing script

# bench_provenance: export BENCH_GIT, which source tree the binary was
# probably built from (informational; a value already set is kept, e.g. for
# a binary built from git archive) and when the binary was modified.
bench_provenance() {
	if [[ -z ${BENCH_GIT:-} ]]; then
		BENCH_GIT=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || true)
		if [[ -n $BENCH_GIT ]] && ! git -C "$top" diff --quiet HEAD -- lib src include 2>/dev/null; then
			BENCH_GIT+=-dirty
		fi
	fi
	if [[ -e $PROCEXE ]]; then
		BENCH_GIT+="${BENCH_GIT:+, }binary modified $(date -u -r "$PROCEXE" +%Y-%m-%dT%H:%M:%SZ)"
	fi
	export BENCH_GIT
}

# DIR: the planted set to tear down on exit; CHILD: the background command
# run_bg waits for.
DIR='' CHILD=''

bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [[ -n $CHILD ]]; then
		# plant.sh tears down what it planted itself when signalled
		kill -TERM "$CHILD" 2>/dev/null || true
		wait "$CHILD" 2>/dev/null || true
	fi
	if [[ -n $DIR ]]; then
		log "tearing down $DIR"
		"$here/teardown.sh" "$DIR" || true
	fi
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# run_bg CMD...: run CMD in the background and wait for it, so that a signal
# is acted on at once instead of after a long foreground command.
run_bg() {
	local rc=0
	"$@" &
	CHILD=$!
	wait "$CHILD" || rc=$?
	CHILD=''
	return "$rc"
}
