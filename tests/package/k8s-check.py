# SPDX-License-Identifier: LGPL-2.1-or-later
"""usage: k8s-check.py MANIFEST

The fields of the procexe DaemonSet that decide what it can see and do:
prints one line per violation and exits 1 if there is any, else exits 0."""
import sys

import yaml


def daemonset(docs):
    sets = [d for d in docs if d and d.get("kind") == "DaemonSet"]
    if len(sets) != 1:
        raise SystemExit(f"expected one DaemonSet, found {len(sets)}")
    return sets[0]


def check(ds):
    bad = []
    pod = ds["spec"]["template"]["spec"]
    if pod.get("hostPID") is not True:
        bad.append("hostPID is not true")
    for key in ("hostNetwork", "hostIPC"):
        if pod.get(key, False) is not False:
            bad.append(f"{key} is set")
    if pod.get("automountServiceAccountToken") is not False:
        bad.append("the service account token is mounted")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    host = [v for v in vols.values() if "hostPath" in v]
    if [v["hostPath"]["path"] for v in host] != ["/proc"]:
        bad.append(f"host paths other than /proc alone: {[v['hostPath'] for v in host]}")
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    if len(containers) != 1:
        bad.append(f"expected one container, found {len(containers)}")
    for c in containers:
        name = c.get("name")
        mounts = [m for m in c.get("volumeMounts", []) if "hostPath" in vols.get(m["name"], {})]
        if [(m["mountPath"], m.get("readOnly")) for m in mounts] != [("/host/proc", True)]:
            bad.append(f"{name}: host /proc not mounted read-only at /host/proc: {mounts}")
        cmd = " ".join(c.get("command", []) + c.get("args", []))
        if "procexe restart --proc /host/proc --jsonl" not in cmd:
            bad.append(f"{name}: the command does not run procexe restart --proc /host/proc --jsonl")
        sc = c.get("securityContext", {})
        if sc.get("privileged", False) is not False:
            bad.append(f"{name}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            bad.append(f"{name}: allowPrivilegeEscalation is not false")
        if sc.get("readOnlyRootFilesystem") is not True:
            bad.append(f"{name}: readOnlyRootFilesystem is not true")
        if sc.get("runAsUser") != 0:
            bad.append(f"{name}: runAsUser is not 0")
        caps = sc.get("capabilities", {})
        if caps.get("drop") != ["ALL"]:
            bad.append(f"{name}: capabilities.drop is not [ALL]: {caps.get('drop')}")
        if sorted(caps.get("add", [])) != ["DAC_READ_SEARCH", "SYS_PTRACE"]:
            bad.append(f"{name}: capabilities.add is not SYS_PTRACE, DAC_READ_SEARCH: {caps.get('add')}")
        res = c.get("resources", {})
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(kind, {}):
                    bad.append(f"{name}: no {kind}.{r}")
    return bad


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    bad = check(daemonset(docs))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
