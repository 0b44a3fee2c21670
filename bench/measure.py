#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Timing, correctness and peak-RSS passes of bench/run.sh and bench/restart.sh.

  measure.py bench  --manifest DIR/manifest.tsv --procexe P --floor F
                    [--floor-maps FM] --label L --out RESULT.json [--rounds 7]
                    [--tools a,b,...] [--slow a,b --slow-rounds 3]
  measure.py report RESULT.json...                  (markdown on stdout)

"bench" needs the processes of bench/plant.sh to be running.  The planted
classes come from DIR/counts.tsv and DIR/mode (exe: bench/run.sh; restart:
bench/restart.sh, which times `procexe restart` against the maps floor,
checkrestart and needrestart); "report" picks the table layout from the mode.  Every command
runs with stdout and stderr on /dev/null.  Wall time is taken with
time.perf_counter_ns() (CLOCK_MONOTONIC) around posix_spawn() + wait4();
user and system time come from wait4's rusage.  One untimed warm-up run of
every command comes first, then ROUNDS rounds; each round runs every command
once, and the order rotates by one position per round, so that drift and
cache effects are spread over all commands.  A --slow command (needrestart,
about 0.1-0.4 s per flagged process) runs in only --slow-rounds of the
rounds, spread evenly over them; its warm-up is its scoring run, and it gets
no peak-RSS run.

Peak RSS is measured with GNU time (/usr/bin/time -f %M): it forks from its
own small process, so the value is the measured program's VmHWM (never below
GNU time's own ~1 MiB).  ru_maxrss of a posix_spawn()ed child would include
the memory of this Python process and is not used.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

CLASSES = ["intact", "deleted", "replaced", "memfd", "shm", "hardlink", "ldso"]
FLAGGED = CLASSES[1:]

# -m restart classes and what an ideal "what must restart" tool reports:
# "restart" (the process must restart), "none" (intact: reporting it is a
# false positive) or "fileless" (memfd: its own category, no restart needed)
RESTART_CLASSES = ["intact", "intact_lib", "exe_deleted", "exe_replaced", "lib_deleted",
                   "lib_replaced", "lib_modified", "ldso", "hardlink", "memfd"]
RESTART_EXPECT = {c: "restart" for c in RESTART_CLASSES}
RESTART_EXPECT.update(intact="none", intact_lib="none", memfd="fileless")

LSFD_QUERY = 'ASSOC == "exe" && DELETED'
FIND_CMD = "find /proc/[0-9]*/exe -maxdepth 0 -lname '*(deleted)' 2>/dev/null"


# ---- parsers: command output -> set of PIDs --------------------------------

def pids_procexe(out):
    doc = json.loads(out)
    return {p["pid"]: p.get("state") for p in doc.get("processes", [])}


def pids_lines(out):
    return {int(l) for l in out.split() if l.isdigit()}


def pids_find(out):
    return {int(m) for m in re.findall(r"^/proc/(\d+)/exe$", out, re.M)}


def pids_lsof_F(out):
    return {int(l[1:]) for l in out.splitlines() if l.startswith("p") and l[1:].isdigit()}


def pids_floor(out):
    return {int(l) for l in out.splitlines() if l.isdigit()}


def pids_restart(out):
    """procexe restart -J: pid -> "restart reason/type,..." or "fileless ..."."""
    doc = json.loads(out)
    rows = {}
    for r in doc.get("restart", []):
        cat = r.get("category") or ("fileless" if r.get("reason") == "fileless" else "restart")
        rows.setdefault(r["pid"], set()).add((cat, f"{r.get('reason')}/{r.get('type')}"))
    res = {}
    for pid, rs in rows.items():
        cat = "restart" if any(c == "restart" for c, _ in rs) else "fileless"
        res[pid] = cat + " " + ",".join(sorted(d for c, d in rs if c == cat))
    return res


def pids_checkrestart(out):
    return {int(m) for m in re.findall(r"^\[DEBUG\] Process .* \(PID: (\d+)\)", out, re.M)}


NEEDRESTART_RE = re.compile(r"#(\d+) uses (obsolete binary|deleted|non-existing|obsolete) ")


def pids_needrestart(out):
    """needrestart -v: pid -> the first reason it logged."""
    res = {}
    for m in NEEDRESTART_RE.finditer(out):
        res.setdefault(int(m.group(1)), m.group(2))
    return res


# tools whose findings are on stderr: scored from stdout + stderr
SCORE_STDERR = {"needrestart"}

NEEDRESTART_B = ["needrestart", "-b", "-l", "-r", "l"]


def tool_table(procexe, floor, floor_maps=None, base=None):
    """name -> (timed argv, scoring argv or None, parser)."""
    fm = floor_maps or "floor-maps"
    bp = base or procexe
    return {
        "procexe": ([procexe], [procexe, "-J"], pids_procexe),
        "procexe-t1": ([procexe, "--threads", "1"], None, None),
        "floor": ([floor], [floor, "-l"], pids_floor),
        "find": (["bash", "-c", FIND_CMD], ["bash", "-c", FIND_CMD], pids_find),
        "lsof": (["lsof", "-n", "-P", "+L1"], ["lsof", "-n", "-P", "+L1", "-F", "p"], pids_lsof_F),
        "lsfd": (["lsfd", "-Q", LSFD_QUERY], ["lsfd", "-n", "-o", "PID", "-Q", LSFD_QUERY], pids_lines),
        "true": (["/bin/true"], None, None),
        # cost breakdown: the floor plus the extra steps of a real detector
        "floor-d": ([floor, "-d"], None, None),
        "floor-dp": ([floor, "-dp"], None, None),
        "floor-dpm": ([floor, "-dpm"], None, None),
        "floor-dpms": ([floor, "-dpms"], None, None),
        # bench/restart.sh
        "floor-maps": ([fm], [fm, "-l"], pids_floor),
        "floor-maps-j2": ([fm, "-j", "2"], None, None),
        "restart": ([procexe, "restart"], [procexe, "restart", "-J"], pids_restart),
        "restart-J": ([procexe, "restart", "-J"], None, None),
        "restart-jsonl": ([procexe, "restart", "--jsonl"], None, None),
        "restart-r": ([procexe, "restart", "-r"], None, None),
        "restart-s": ([procexe, "restart", "-s"], None, None),
        # the package lookup (one batch over the dpkg database) in the timed path
        "restart-pkg": ([procexe, "restart", "-o", "+PACKAGE"], None, None),
        # the fixed cost: start-up, init detection, kernel and microcode status, one process
        "restart-one": ([procexe, "restart", "1"], None, None),
        # --base: the same commands of another binary (before/after pairs)
        "base-restart": ([bp, "restart"], None, None),
        "base-restart-pkg": ([bp, "restart", "-o", "+PACKAGE"], None, None),
        "checkrestart": (["checkrestart"], ["checkrestart", "-v"], pids_checkrestart),
        # batch mode never restarts anything; -r l (list only) says so twice
        "needrestart": (NEEDRESTART_B, ["needrestart", "-v"] + NEEDRESTART_B[1:], pids_needrestart),
    }


DISPLAY = {
    "procexe": "`procexe` (default scan)",
    "procexe-t1": "`procexe --threads 1`",
    "floor": "floor (`bench/floor.c`)",
    "find": "`find /proc/[0-9]*/exe -maxdepth 0 -lname '*(deleted)'`",
    "lsof": "`lsof -n -P +L1`",
    "lsfd": "`lsfd -Q 'ASSOC == \"exe\" && DELETED'`",
    "true": "`/bin/true` (spawn overhead)",
    "floor-d": "floor -d: + open /proc/PID dirfd",
    "floor-dp": "floor -dp: + stat launch path",
    "floor-dpm": "floor -dpm: + read 512 B of maps",
    "floor-dpms": "floor -dpms: + read stat",
    "floor-maps": "maps floor (`bench/floor-maps.c`)",
    "floor-maps-j2": "maps floor, 2 threads (`floor-maps -j 2`)",
    "restart": "`procexe restart`",
    "restart-J": "`procexe restart -J`",
    "restart-jsonl": "`procexe restart --jsonl`",
    "restart-r": "`procexe restart -r`",
    "restart-s": "`procexe restart -s`",
    "restart-pkg": "`procexe restart -o +PACKAGE` (dpkg lookup)",
    "restart-one": "`procexe restart 1` (fixed cost: start-up, kernel/microcode status)",
    "base-restart": "`procexe restart`, --base binary",
    "base-restart-pkg": "`procexe restart -o +PACKAGE`, --base binary",
    "checkrestart": "`checkrestart`",
    "needrestart": "`needrestart -b -l -r l`",
}


# ---- helpers --------------------------------------------------------------

def which(cmd):
    if "/" in cmd:
        return cmd if os.access(cmd, os.X_OK) else None
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        p = os.path.join(d, cmd)
        if os.access(p, os.X_OK):
            return p
    return None


def run_timed(argv):
    """Run ARGV with all output to /dev/null. Returns (wall_s, user_s, sys_s, status)."""
    exe = which(argv[0])
    fa = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0),
    ]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(exe, argv, os.environ, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    return (t1 - t0) / 1e9, ru.ru_utime, ru.ru_stime, os.waitstatus_to_exitcode(status)


def read_manifest(path):
    procs = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[0].isdigit():
                procs[int(parts[0])] = (parts[1], parts[2], parts[3])
    return procs


def still_ours(pid, st, argv0):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            a0 = f.read().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return False
    fields = s[s.rfind(")") + 2:].split()
    return len(fields) >= 20 and fields[0] not in ("Z", "X") and fields[19] == st and a0 == argv0


def read_classes(manifest):
    """(mode, classes, planned counts) from the scratch dir of the manifest."""
    d = os.path.dirname(os.path.abspath(manifest))
    mode = "exe"
    try:
        with open(os.path.join(d, "mode")) as f:
            mode = f.read().strip() or "exe"
    except OSError:
        pass
    classes, counts = [], {}
    try:
        with open(os.path.join(d, "counts.tsv")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    classes.append(parts[0])
                    counts[parts[0]] = int(parts[1])
    except OSError:
        pass
    if not classes:
        classes = list(CLASSES)
    return mode, classes, counts


def proc_count():
    return sum(1 for n in os.listdir("/proc") if n.isdigit())


def machine():
    info = {
        "nproc": os.cpu_count(),
        "kernel": platform.release(),
        "cpu": "",
        "mem_total_kb": 0,
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_total_kb"] = int(line.split()[1])
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return info


def dpkg_version(pkg):
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True, timeout=30)
        return r.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def versions(procexe):
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"
    return {
        "procexe": first_line([procexe, "--version"]) + (
            f" (source tree at run time: {os.environ['BENCH_GIT']})" if os.environ.get("BENCH_GIT") else ""),
        "lsof": first_line(["sh", "-c", "lsof -v 2>&1 | sed -n 's/^ *revision: *//p'"]),
        "lsfd": first_line(["lsfd", "--version"]),
        "find": first_line(["find", "--version"]),
        "needrestart": "needrestart " + dpkg_version("needrestart"),
        "checkrestart": "debian-goodies " + dpkg_version("debian-goodies"),
    }


# ---- bench ----------------------------------------------------------------

def cmd_bench(a):
    procs = read_manifest(a.manifest)
    mode, classes, _ = read_classes(a.manifest)
    planted = {c: sum(1 for v in procs.values() if v[0] == c) for c in classes}
    table = tool_table(a.procexe, a.floor, a.floor_maps, a.base)
    names = [n for n in a.tools.split(",") if n]
    slow = [n for n in a.slow.split(",") if n in names]
    for n in names:
        if n not in table:
            sys.exit(f"unknown tool {n}")
        if not which(table[n][0][0]):
            sys.exit(f"{table[n][0][0]} not found")
    # the rounds a slow tool runs in: slow_rounds of them, evenly spread
    k = max(1, min(a.slow_rounds, a.rounds))
    slow_at = {round(i * (a.rounds - 1) / (k - 1)) for i in range(k)} if k > 1 else {a.rounds // 2}

    def log(msg):
        print(f"measure[{a.label}]: {msg}", file=sys.stderr, flush=True)

    alive = sum(1 for p, (c, st, a0) in procs.items() if still_ours(p, st, a0))
    if alive != len(procs):
        sys.exit(f"only {alive} of {len(procs)} planted processes are alive")
    res = {
        "label": a.label, "mode": mode, "classes": classes,
        "machine": machine(), "versions": versions(a.procexe),
        "planted": planted, "n_planted": len(procs), "procs_before": proc_count(),
        "rounds": a.rounds, "tools": names, "commands": {n: table[n][0] for n in names},
        "score_commands": {n: table[n][1] for n in names if table[n][1]},
        "slow": slow, "slow_rounds": sorted(slow_at) if slow else [],
        "times": {n: [] for n in names}, "status": {n: [] for n in names},
    }
    if a.quiet_load > 0:
        t0 = time.monotonic()
        while os.getloadavg()[0] > a.quiet_load and time.monotonic() - t0 < a.quiet_max:
            if int(time.monotonic() - t0) % 60 == 0:
                log(f"waiting for load average <= {a.quiet_load} (now {os.getloadavg()[0]:.2f})")
            time.sleep(1)
        res["quiet_wait_s"] = time.monotonic() - t0
    res["loadavg_before"] = os.getloadavg()

    res["found"], res["other"], res["states"], res["fileless"] = {}, {}, {}, {}
    res["other_detail"], res["wrong"] = {}, {}

    # correctness: which planted PIDs did each tool report?
    def score(n):
        score_argv, parse = table[n][1], table[n][2]
        if not score_argv:
            return
        t0 = time.monotonic()
        r = subprocess.run(score_argv, capture_output=True, text=True)
        dt = time.monotonic() - t0
        text = r.stdout + ("\n" + r.stderr if n in SCORE_STDERR else "")
        with open(f"{a.out}.{n}.out", "w") as f:  # raw output, for checking the scoring
            f.write(text)
        try:
            got = parse(text)
        except (ValueError, KeyError) as e:
            log(f"{n}: cannot parse output ({e}); exit {r.returncode}: {r.stderr[:200]}")
            return
        labels = got if isinstance(got, dict) else {p: "" for p in got}
        # procexe restart's fileless category is not a restart finding
        restart = {p for p, s in labels.items() if not (parse is pids_restart and s.startswith("fileless"))}
        found = {c: 0 for c in classes}
        fileless = {c: 0 for c in classes}
        for p, s in labels.items():
            if p in procs:
                if p in restart:
                    found[procs[p][0]] += 1
                else:
                    fileless[procs[p][0]] += 1
        res["found"][n] = found
        if any(fileless.values()):
            res["fileless"][n] = fileless
        res["other"][n] = sum(1 for p in restart if p not in procs)
        res["other_detail"][n] = {str(p): labels[p] for p in sorted(labels) if p not in procs}
        if isinstance(got, dict):  # state / reason per class
            st = {c: {} for c in classes}
            for p, s in got.items():
                if p in procs:
                    c = procs[p][0]
                    st[c][s] = st[c].get(s, 0) + 1
            res["states"][n] = st
            if n == "procexe":
                res["other_pids"] = {str(p): s for p, s in got.items() if p not in procs}
        # planted PIDs reported against expectation (restart mode), for the lead
        if mode == "restart":
            wrong = []
            for p, (c, _, _) in procs.items():
                want = RESTART_EXPECT.get(c, "restart")
                is_r, is_f = p in restart, p in labels and p not in restart
                if want == "restart":
                    bad = not is_r
                elif want == "none":
                    bad = p in labels
                else:  # fileless: never a restart; procexe must say fileless
                    bad = is_r or (parse is pids_restart and not is_f)
                if bad:
                    wrong.append([p, c, labels.get(p, "not reported")])
            res["wrong"][n] = sorted(wrong)
        log(f"{n} (score run {dt:.1f} s, exit {r.returncode}): " +
            ", ".join(f"{c} {found[c]}" for c in classes) + f", other {res['other'][n]}")

    log(f"{len(procs)} planted, {res['procs_before']} processes in /proc; warm-up")
    for n in names:
        if n in slow:
            score(n)  # the warm-up of a slow tool is its scoring run
        else:
            run_timed(table[n][0])

    t_start = time.monotonic()
    for r in range(a.rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        for n in order:
            if n in slow and r not in slow_at:
                continue
            w, u, s, st = run_timed(table[n][0])
            res["times"][n].append([w, u, s])
            res["status"][n].append(st)
        res.setdefault("round_load", []).append(os.getloadavg()[0])
        log(f"round {r + 1}/{a.rounds}: " + ", ".join(
            f"{n} {res['times'][n][-1][0] * 1000:.1f} ms" for n in names if res["times"][n]) +
            f"; load {os.getloadavg()[0]:.2f}")
    res["timing_seconds"] = time.monotonic() - t_start
    res["loadavg_after"] = os.getloadavg()

    for n in names:
        if n not in slow:
            score(n)

    # peak RSS (GNU time)
    res["rss_kb"] = {}
    gtime = which("/usr/bin/time")
    if gtime:
        for n in names:
            if n in slow:
                continue
            runs = a.rss_runs if n.startswith("procexe") or n.startswith("restart") else 1
            vals = []
            for _ in range(runs):
                r = subprocess.run([gtime, "-f", "%M"] + table[n][0],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                m = re.findall(r"^(\d+)$", r.stderr, re.M)
                if m:
                    vals.append(int(m[-1]))
            res["rss_kb"][n] = vals
        log("peak RSS (KiB): " + ", ".join(f"{n} {max(v) if v else '?'}"
                                            for n, v in res["rss_kb"].items()))
    else:
        log("/usr/bin/time missing (apt-get install time): no RSS")

    alive = sum(1 for p, (c, st, a0) in procs.items() if still_ours(p, st, a0))
    res["alive_after"] = alive
    res["procs_after"] = proc_count()
    if alive != len(procs):
        log(f"warning: only {alive} of {len(procs)} planted processes survived the run")
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    log(f"results in {a.out}")


# ---- report ---------------------------------------------------------------

def ms(x):
    return f"{x * 1000:.1f}" if x < 10 else f"{x * 1000:.0f}"


def stats(res, n):
    t = res["times"].get(n) or []
    if not t:
        return None
    w = [x[0] for x in t]
    return {
        "median": statistics.median(w), "min": min(w), "max": max(w),
        "user": statistics.median(x[1] for x in t), "sys": statistics.median(x[2] for x in t),
    }


def ratio(a, b):
    return a / b if a and b else float("nan")


def report_restart(res):
    """Markdown for one bench/restart.sh result (plant.sh -m restart)."""
    out = []
    m, v = res["machine"], res["versions"]
    classes = res["classes"]
    names = res["tools"]
    S = {n: stats(res, n) for n in names}
    out.append(f"Machine: {m.get('os', '?')}, kernel {m['kernel']}, {m['nproc']} CPUs "
               f"({m['cpu']}), {m['mem_total_kb'] // 1024} MiB RAM.  ")
    out.append(f"Versions: {v['procexe']}; {v.get('checkrestart', '?')} (checkrestart); "
               f"{v.get('needrestart', '?')}; lsof {v['lsof']}.")
    out.append("")
    slow = [n for n in res.get("slow") or [] if n in names]
    sl = (f" ({', '.join(slow)}: {len(res['slow_rounds'])} of them, rounds "
          f"{', '.join(str(r + 1) for r in res['slow_rounds'])})") if slow else ""
    qw = res.get("quiet_wait_s")
    out.append(f"### {res['n_planted']} planted processes ({res['procs_before']} in /proc; "
               f"{res['rounds']} alternating rounds{sl} after one warm-up; "
               f"load average {res['loadavg_before'][0]:.2f} before"
               + (f" (after waiting {qw:.0f} s)" if qw else "")
               + f", {res['loadavg_after'][0]:.2f} after"
               + (f", {min(res['round_load']):.2f}-{max(res['round_load']):.2f} at the ends of the rounds"
                  if res.get("round_load") else "")
               + f"; timing took {res['timing_seconds']:.0f} s)")
    out.append("")
    out.append("| command | runs | median ms | min ms | max ms | user ms | sys ms | µs / process "
               "| median / maps floor | exit |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    nproc_scan = (res["procs_before"] + res["procs_after"]) / 2
    fl = S.get("floor-maps")
    for n in names:
        s = S[n]
        if not s:
            continue
        codes = sorted(set(res["status"][n]))
        out.append(f"| {DISPLAY.get(n, n)} | {len(res['times'][n])} | {ms(s['median'])} | {ms(s['min'])} "
                   f"| {ms(s['max'])} | {ms(s['user'])} | {ms(s['sys'])} "
                   f"| {s['median'] * 1e6 / nproc_scan:.1f} "
                   f"| {ratio(s['median'], fl['median']) if fl else float('nan'):.2f} "
                   f"| {','.join(map(str, codes))} |")
    out.append("")

    targets = []
    pe = S.get("restart")
    fl2 = S.get("floor-maps-j2")
    rows = []
    if pe:
        if fl:
            rows.append(("procexe restart / maps floor", pe, fl, "<= 1.2", lambda r: r <= 1.2))
        if fl2:
            # issue #14: against the floor that uses both CPUs as procexe does
            rows.append(("procexe restart / maps floor -j 2", pe, fl2, "<= 1.2", lambda r: r <= 1.2))
        for n in ("restart-pkg", "restart-J", "base-restart"):
            if S.get(n) and fl2:
                rows.append((f"{n} / maps floor -j 2", S[n], fl2,
                             "<= 1.2" if n == "restart-pkg" else "-",
                             (lambda r: r <= 1.2) if n == "restart-pkg" else None))
        if S.get("base-restart"):
            rows.append(("procexe restart / base-restart (after / before)", pe, S["base-restart"],
                         "-", None))
        if S.get("checkrestart"):
            rows.append(("checkrestart / procexe restart", S["checkrestart"], pe, ">= 5", lambda r: r >= 5))
        if S.get("needrestart"):
            rows.append(("needrestart -b / procexe restart", S["needrestart"], pe, ">= 100",
                         lambda r: r >= 100))
    elif fl:
        for peer in ("checkrestart", "needrestart"):
            if S.get(peer):
                rows.append((f"{peer} / maps floor", S[peer], fl, "-", None))
    if rows:
        out.append("| ratio (same run) | of medians | of minima | target | met? |")
        out.append("|---|---:|---:|---|---|")
        for name, a, b, tgt, ok in rows:
            rm, rmin = ratio(a["median"], b["median"]), ratio(a["min"], b["min"])
            met = "-" if ok is None else ("yes" if ok(rm) else "**no**")
            out.append(f"| {name} | {rm:.2f} | {rmin:.2f} | {tgt} | {met} |")
            if ok is not None:
                targets.append((name, f"{rm:.2f} (medians; minima {rmin:.2f})", tgt, met))
        out.append("")
    prices = [(n, "restart", what) for n, what in (
        ("restart-pkg", "the package lookup (PACKAGE column: one dpkg database batch)"),
        ("restart-J", "JSON instead of the table"),
        ("base-restart", "the --base binary instead of this one"))]
    prices = [p for p in prices if res["times"].get(p[0]) and res["times"].get(p[1])]
    if prices or res["times"].get("restart-one"):
        out.append("| price (paired: the same round's difference) | median ms | min ms |")
        out.append("|---|---:|---:|")
        for a_, b_, what in prices:
            d = [x[0] - y[0] for x, y in zip(res["times"][a_], res["times"][b_])]
            out.append(f"| {what} | {ms(statistics.median(d))} | {ms(min(d))} |")
        if S.get("restart-one"):
            one = S["restart-one"]
            out.append(f"| fixed cost: `restart 1` (start-up, init detection, kernel and microcode "
                       f"status, one process) | {ms(one['median'])} | {ms(one['min'])} |")
        out.append("")

    if res.get("found"):
        expect = {c: RESTART_EXPECT.get(c, "restart") for c in classes}
        out.append("| tool | " + " | ".join(f"{c} {res['planted'][c]}" for c in classes) + " | other PIDs |")
        out.append("|---|" + "---:|" * (len(classes) + 1))
        ideal = []
        for c in classes:
            ideal.append(str(res["planted"][c]) if expect[c] == "restart" else "0")
        out.append("| *ideal* | " + " | ".join(ideal) + " | |")
        for n, f in res["found"].items():
            fless = res.get("fileless", {}).get(n, {})
            cells = []
            for c in classes:
                want = res["planted"][c] if expect[c] == "restart" else 0
                cell = str(f[c])
                if f[c] != want:
                    cell = f"**{cell}**"
                if fless.get(c):
                    cell += f" (+{fless[c]} fileless)"
                cells.append(cell)
            out.append(f"| {DISPLAY.get(n, n).split(' (')[0]} | " + " | ".join(cells)
                       + f" | {res['other'][n]} |")
        out.append("")
        out.append("Each cell counts the planted PIDs of that class a tool reports as needing a "
                   "restart.  Bold cells differ from the ideal: every PID of a changed class, none "
                   "of the intact ones, and none of memfd (fileless code: `procexe restart` lists it "
                   "in its own fileless category, which does not ask for a restart).  \"other PIDs\" "
                   "are reported processes that were not planted.")
        out.append("")
        for n, st in res.get("states", {}).items():
            out.append(f"{DISPLAY.get(n, n).split(' (')[0]} reasons per class: " + "; ".join(
                f"{c}: " + (", ".join(f"{k} {v}" for k, v in sorted(st[c].items())) or "none")
                for c in classes) + ".")
            out.append("")
        for n, w in res.get("wrong", {}).items():
            if not w:
                continue
            per = {}
            for p, c, lab in w:
                per.setdefault(c, []).append(f"{p} ({lab})")
            out.append(f"{DISPLAY.get(n, n).split(' (')[0]} differs from the ideal for {len(w)} planted PIDs: " +
                       "; ".join(f"{c}: {len(ps)}" + (f", e.g. {', '.join(ps[:3])}" if n.startswith("restart") else "")
                                 for c, ps in per.items()) + ".")
            out.append("")
        for n, od in res.get("other_detail", {}).items():
            if od and n.startswith("restart"):
                out.append(f"{DISPLAY.get(n, n).split(' (')[0]} other PIDs: " +
                           ", ".join(f"{p} ({lab})" for p, lab in list(od.items())[:10]) + ".")
                out.append("")
        if "restart" in res["found"]:
            f = res["found"]["restart"]
            fless = res.get("fileless", {}).get("restart", {})
            miss = sum(res["planted"][c] - f[c] for c in classes if expect[c] == "restart")
            fp = sum(f[c] for c in classes if expect[c] != "restart")
            fpf = sum(fless.get(c, 0) for c in classes if expect[c] == "none")
            ff = sum(fless.get(c, 0) for c in classes if expect[c] == "fileless")
            nf = sum(res["planted"][c] for c in classes if expect[c] == "fileless")
            targets.append(("procexe restart finds every planted case, flags no intact one",
                            f"{miss} missed, {fp + fpf} intact/fileless flagged; memfd as fileless {ff} of {nf}",
                            "0, 0", "yes" if miss == 0 and fp + fpf == 0 and ff == nf else "**no**"))
        for peer in ("checkrestart", "needrestart"):
            if peer in res["found"]:
                f = res["found"][peer]
                missed = [f"{c} {res['planted'][c] - f[c]}" for c in classes
                          if expect[c] == "restart" and f[c] != res["planted"][c]]
                extra = [f"{c} {f[c]}" for c in classes if expect[c] != "restart" and f[c]]
                targets.append((f"{peer}: planted cases missed / wrongly flagged (info)",
                                "misses " + (", ".join(missed) or "none") + "; flags "
                                + (", ".join(extra) or "nothing else"), "-", "-"))
    rss = res.get("rss_kb", {})
    if rss:
        out.append("Peak RSS (GNU time `%M`, KiB; max of the runs): " + ", ".join(
            f"{n} {max(v)}" for n, v in rss.items() if v) + ".")
        out.append("")
    if targets:
        out.append("### Targets")
        out.append("")
        out.append("| target | measured | goal | met? |")
        out.append("|---|---|---|---|")
        for t in targets:
            out.append("| " + " | ".join(t) + " |")
        out.append("")
    out.append("Commands (timed with all output on /dev/null; scored once with the second form):")
    out.append("")
    for n in names:
        sc = res.get("score_commands", {}).get(n)
        out.append(f"* {n}: `{' '.join(res['commands'][n])}`" + (f"; scored: `{' '.join(sc)}`" if sc else ""))
    out.append("")
    return out


def cmd_report(a):
    results = []
    for p in a.results:
        with open(p) as f:
            results.append(json.load(f))
    if all(r.get("mode") == "restart" for r in results):
        out = []
        for r in results:
            out += report_restart(r)
        print("\n".join(out))
        return
    out = []
    m = results[0]["machine"]
    v = results[0]["versions"]
    out.append(f"Machine: {m.get('os', '?')}, kernel {m['kernel']}, {m['nproc']} CPUs "
               f"({m['cpu']}), {m['mem_total_kb'] // 1024} MiB RAM.  ")
    out.append(f"Versions: {v['procexe']}; lsof {v['lsof']}; {v['lsfd']}; {v['find']}.")
    out.append("")
    targets = []
    for res in results:
        lab = res["label"]
        names = res["tools"]
        S = {n: stats(res, n) for n in names}
        out.append(f"### {res['n_planted']} planted processes ({res['procs_before']} in /proc; "
                   f"{res['rounds']} alternating rounds after one warm-up; "
                   f"load average {res['loadavg_before'][0]:.2f} before, "
                   f"{res['loadavg_after'][0]:.2f} after)")
        out.append("")
        out.append("| command | median ms | min ms | max ms | user ms | sys ms | µs / process | median / floor | exit |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        nproc_scan = (res["procs_before"] + res["procs_after"]) / 2
        fl = S.get("floor")
        for n in names:
            s = S[n]
            codes = sorted(set(res["status"][n]))
            out.append(f"| {DISPLAY.get(n, n)} | {ms(s['median'])} | {ms(s['min'])} | {ms(s['max'])} "
                       f"| {ms(s['user'])} | {ms(s['sys'])} "
                       f"| {s['median'] * 1e6 / nproc_scan:.1f} "
                       f"| {ratio(s['median'], fl['median']) if fl else float('nan'):.2f} "
                       f"| {','.join(map(str, codes))} |")
        out.append("")
        pe = S.get("procexe")
        if pe:
            rows = []
            if fl:
                rows.append(("procexe / floor", ratio(pe["median"], fl["median"]),
                             ratio(pe["min"], fl["min"]), "<= 1.5", lambda r: r <= 1.5))
            for peer in ("lsof", "lsfd", "find"):
                if S.get(peer):
                    ok = (lambda r: r >= 10) if peer in ("lsof", "lsfd") else None
                    rows.append((f"{peer} / procexe", ratio(S[peer]["median"], pe["median"]),
                                 ratio(S[peer]["min"], pe["min"]),
                                 ">= 10" if ok else "-", ok))
            out.append("| ratio | of medians | of minima | target | met? |")
            out.append("|---|---:|---:|---|---|")
            for name, rm, rmin, tgt, ok in rows:
                met = "-" if ok is None else ("yes" if ok(rm) else "**no**")
                out.append(f"| {name} | {rm:.2f} | {rmin:.2f} | {tgt} | {met} |")
                if ok is not None:
                    targets.append((f"{name} at {res['n_planted']}", f"{rm:.2f} (median)", tgt, met))
            out.append("")
        if res.get("found"):
            hdr = "| tool | " + " | ".join(f"{c} {res['planted'][c]}" for c in CLASSES) + " | other PIDs |"
            out.append(hdr)
            out.append("|---|" + "---:|" * (len(CLASSES) + 1))
            for n, f in res["found"].items():
                cells = []
                for c in CLASSES:
                    want = 0 if c == "intact" else res["planted"][c]
                    cell = str(f[c])
                    if f[c] != want:
                        cell = f"**{cell}**"
                    cells.append(cell)
                out.append(f"| {n} | " + " | ".join(cells) + f" | {res['other'][n]} |")
            out.append("")
            out.append("Cells in bold differ from the ideal (0 for intact, all for the other classes).  "
                       "\"other PIDs\" are reported processes that were not planted (background "
                       "and other workloads).")
            out.append("")
            if "procexe" in res.get("states", {}):
                st = res["states"]["procexe"]
                out.append("procexe states per class: " + "; ".join(
                    f"{c}: " + (", ".join(f"{k} {v}" for k, v in sorted(st[c].items())) or "none")
                    for c in CLASSES) + ".")
                out.append("")
            if "procexe" in res["found"]:
                f = res["found"]["procexe"]
                miss = sum(res["planted"][c] - f[c] for c in FLAGGED)
                fp = f["intact"]
                targets.append((f"procexe finds every planted case at {res['n_planted']}",
                                f"{miss} missed, {fp} intact flagged", "0, 0",
                                "yes" if miss == 0 and fp == 0 else "**no**"))
        rss = res.get("rss_kb", {})
        if rss:
            out.append("Peak RSS (GNU time `%M`, KiB; max of the runs): " + ", ".join(
                f"{n} {max(v)}" + (f" (runs: {', '.join(map(str, v))})" if len(v) > 1 else "")
                for n, v in rss.items() if v) + ".")
            out.append("")
            if rss.get("procexe"):
                mx = max(rss["procexe"])
                if res["n_planted"] >= 20000:
                    targets.append((f"procexe peak RSS at {res['n_planted']}",
                                    f"{mx / 1024:.1f} MiB", "<= 8 MiB",
                                    "yes" if mx <= 8 * 1024 else "**no**"))
                else:
                    targets.append((f"procexe peak RSS at {res['n_planted']} (info)",
                                    f"{mx / 1024:.1f} MiB", "-", "-"))
    if targets:
        out.append("### Targets")
        out.append("")
        out.append("| target | measured | goal | met? |")
        out.append("|---|---|---|---|")
        for t in targets:
            out.append("| " + " | ".join(t) + " |")
        out.append("")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--manifest", required=True)
    b.add_argument("--procexe", required=True)
    b.add_argument("--floor", required=True)
    b.add_argument("--label", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--rounds", type=int, default=7)
    b.add_argument("--rss-runs", type=int, default=5)
    b.add_argument("--quiet-load", type=float, default=0,
                   help="first wait until the 1-minute load average is at most this")
    b.add_argument("--quiet-max", type=float, default=900,
                   help="but wait no longer than this many seconds")
    b.add_argument("--tools", default="procexe,procexe-t1,floor,find,lsof,lsfd,true")
    b.add_argument("--floor-maps", help="the bench/floor-maps.c binary")
    b.add_argument("--base", help="another procexe binary for the base-* tools")
    b.add_argument("--slow", default="", help="tools that run in only --slow-rounds rounds")
    b.add_argument("--slow-rounds", type=int, default=3)
    r = sub.add_parser("report")
    r.add_argument("results", nargs="+")
    a = ap.parse_args()
    if a.cmd == "bench":
        cmd_bench(a)
    else:
        cmd_report(a)


if __name__ == "__main__":
    main()
