#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queries on a procexe recover manifest, for the TAP scripts.

  manifest.py check FILE           strict JSON with the documented shape
  manifest.py get FILE PID KEY     KEY of the (first) image entry of PID
  manifest.py fail FILE PID KEY    KEY of the (first) failure of PID
  manifest.py count FILE WHAT      number of entries in images/failures
  manifest.py files FILE           distinct recovered file names, one a line
  manifest.py map FILE PID PATH KEY  KEY of PID's "map" image entry for PATH

Values are printed as they are for strings, json.dumps otherwise; exit 3
when there is no such entry.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.environ.get("PE_SRCDIR") or
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import pejson  # noqa: E402  (strict_load)

IMAGE_KEYS = {"pid": int, "comm": (str, type(None)), "state": (str, type(None)),
              "modified": bool, "source": str, "path": (str, type(None)),
              "dev": str, "inode": int, "size": int, "mode": str, "uid": int,
              "sha256": str, "file": str}
FAIL_KEYS = {"pid": int, "comm": (str, type(None)), "state": (str, type(None)),
             "modified": bool, "source": str, "path": (str, type(None)),
             "error": (str, type(None)), "reason": str}


def load(path):
    return pejson.strict_load(path)


def check(m):
    if set(m) != {"tool", "created", "directory", "images", "failures"}:
        raise ValueError("top-level keys: %r" % sorted(m))
    for what, keys in (("images", IMAGE_KEYS), ("failures", FAIL_KEYS)):
        for e in m[what]:
            if set(e) != set(keys):
                raise ValueError("%s keys: %r" % (what, sorted(e)))
            for k, t in keys.items():
                if not isinstance(e[k], t) or (t is int and isinstance(e[k], bool)):
                    raise ValueError("%s.%s has type %s" % (what, k, type(e[k]).__name__))
            if e["source"] not in ("exe", "map"):
                raise ValueError("bad source %r" % e["source"])
    for e in m["images"]:
        if not re.fullmatch(r"[0-9a-f]{64}", e["sha256"]):
            raise ValueError("bad sha256 %r" % e["sha256"])
        if not re.fullmatch(r"\d+:\d+", e["dev"]):
            raise ValueError("bad dev %r" % e["dev"])
        f = e["file"]
        if "/" in f or f.startswith(".") or not f.isprintable() or not f.isascii():
            raise ValueError("unsafe file name %r" % f)


def show(v):
    print(v if isinstance(v, str) else json.dumps(v))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    try:
        m = load(path)
        if cmd == "check":
            check(m)
            return 0
    except (ValueError, UnicodeDecodeError, OSError) as e:
        print("invalid manifest: %s" % e, file=sys.stderr)
        return 2
    if cmd in ("get", "fail"):
        pid, key = int(sys.argv[3]), sys.argv[4]
        for e in m["images" if cmd == "get" else "failures"]:
            if e["pid"] == pid:
                show(e[key])
                return 0
        print("no entry for pid %d" % pid, file=sys.stderr)
        return 3
    if cmd == "map":
        pid, want, key = int(sys.argv[3]), sys.argv[4], sys.argv[5]
        for e in m["images"] + m["failures"]:
            if e["pid"] == pid and e["source"] == "map" and e["path"] == want:
                show(e[key])
                return 0
        print("no map entry for pid %d path %s" % (pid, want), file=sys.stderr)
        return 3
    if cmd == "count":
        print(len(m[sys.argv[3]]))
        return 0
    if cmd == "files":
        for f in sorted({e["file"] for e in m["images"]}):
            print(f)
        return 0
    print("unknown command " + cmd, file=sys.stderr)
    return 2


sys.exit(main())
