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
plan 6

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

# kubectl apply --dry-run=client still asks a server for the API groups and
# whether the objects exist: kube-discovery.py answers that on loopback
# (only those questions), so no real cluster is ever reached.  kubectl then
# parses the manifest and maps each object to its kind; the field types are
# k8s-check.py's to check (without a server's OpenAPI, kubectl does not).
if ! command -v kubectl >/dev/null; then
	skip_n 2 "kubectl apply --dry-run=client" "no kubectl"
else
	"$py" "$(dirname "${BASH_SOURCE[0]}")/kube-discovery.py" >"$T/port" &
	stub=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
	cat >"$T/kubeconfig" <<K
apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: http://127.0.0.1:$(cat "$T/port")
contexts:
- name: stub
  context:
    cluster: stub
    user: stub
users:
- name: stub
  user:
    token: none
current-context: stub
K
	out=$(KUBECONFIG="$T/kubeconfig" timeout 60 kubectl apply --dry-run=client --validate=false \
		-f "$manifest" </dev/null 2>&1)
	is "$?:$(grep -c 'created (dry run)' <<<"$out")" "0:2" \
		"kubectl apply --dry-run=client maps the Namespace and the DaemonSet ($(tr '\n' ' ' <<<"$out"))"
	printf 'apiVersion: apps/v1\nkind: DaemonSett\nmetadata:\n  name: x\n' >"$T/bad.yaml"
	out=$(KUBECONFIG="$T/kubeconfig" timeout 60 kubectl apply --dry-run=client --validate=false \
		-f "$T/bad.yaml" </dev/null 2>&1)
	case "$?:$out" in
	0:*) nok "kubectl rejects an unknown kind (the stub does not accept everything)" "$out" ;;
	*DaemonSett*) ok "kubectl rejects an unknown kind (the stub does not accept everything)" ;;
	*) nok "kubectl rejects an unknown kind (the stub does not accept everything)" "$out" ;;
	esac
	kill "$stub" 2>/dev/null
	wait "$stub" 2>/dev/null || :
fi
