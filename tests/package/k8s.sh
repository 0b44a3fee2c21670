#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# deploy/kubernetes/procexe-daemonset.yaml: yamllint, the structural check
# of the fields that matter (k8s-check.py: hostPID, the read-only host
# /proc, capabilities, no privilege, limits), that check's own teeth on
# broken copies, and kubectl's client-side dry run where kubectl works
# without a cluster.
#
# Environment (from meson): PROCEXE, PE_HELPERS, PE_SRCDIR, PE_SOURCE_ROOT, PYTHON.
# shellcheck source=../integration/lib.sh
. "$PE_SRCDIR/lib.sh"

manifest="$PE_SOURCE_ROOT/deploy/kubernetes/procexe-daemonset.yaml"
checker="$(dirname "${BASH_SOURCE[0]}")/k8s-check.py"
py=${PYTHON:-python3}
plan 5

if command -v yamllint >/dev/null; then
	out=$(yamllint -s "$manifest" 2>&1)
	is "$?:$out" "0:" "yamllint -s accepts the manifest"
else
	skip "yamllint -s accepts the manifest" "no yamllint (apt-get install yamllint)"
fi

if ! "$py" -c 'import yaml' 2>/dev/null; then
	skip_n 3 "structural check" "no python3-yaml"
else
	out=$("$py" "$checker" "$manifest" 2>&1)
	is "$?:$out" "0:" "hostPID, read-only /host/proc, SYS_PTRACE + DAC_READ_SEARCH only, limits"
	# the check fails where it should
	sed 's/readOnly: true/readOnly: false/' "$manifest" >"$T/rw.yaml"
	out=$("$py" "$checker" "$T/rw.yaml" 2>&1)
	case "$?:$out" in
	1:*"not mounted read-only"*) ok "the check rejects a writable /proc mount" ;;
	*) nok "the check rejects a writable /proc mount" "$out" ;;
	esac
	sed -e 's/privileged: false/privileged: true/' -e 's/"DAC_READ_SEARCH"/"SYS_ADMIN"/' \
		"$manifest" >"$T/priv.yaml"
	out=$("$py" "$checker" "$T/priv.yaml" 2>&1)
	case "$?:$out" in
	1:*"privileged"*"capabilities.add"*) ok "the check rejects a privileged container and extra capabilities" ;;
	*) nok "the check rejects a privileged container and extra capabilities" "$out" ;;
	esac
fi

# kubectl apply --dry-run=client still asks the API server for its groups:
# a kubeconfig naming a closed local port keeps it from reaching any real
# cluster, and the test is skipped when that is what stops it.
if ! command -v kubectl >/dev/null; then
	skip "kubectl apply --dry-run=client" "no kubectl"
else
	cat >"$T/kubeconfig" <<'K'
apiVersion: v1
kind: Config
clusters:
- name: none
  cluster:
    server: https://127.0.0.1:9
contexts:
- name: none
  context:
    cluster: none
    user: none
users:
- name: none
  user:
    token: none
current-context: none
K
	out=$(KUBECONFIG="$T/kubeconfig" timeout 60 kubectl apply --dry-run=client --validate=false \
		-f "$manifest" </dev/null 2>&1)
	rc=$?
	case "$rc:$out" in
	0:*"daemonset.apps/procexe created (dry run)"*) ok "kubectl apply --dry-run=client" ;;
	*"connection refused"* | *"API group list"*)
		skip "kubectl apply --dry-run=client" "kubectl $(kubectl version --client 2>/dev/null |
			sed -n 's/^Client Version: //p') needs an API server even for a client dry run" ;;
	*) nok "kubectl apply --dry-run=client" "status $rc: $out" ;;
	esac
fi
