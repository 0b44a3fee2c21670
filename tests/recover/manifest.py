#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queries on a procexe recover manifest (or `recover -J` output): a schema
v1 document {"schema":1, "command":"recover", "images", "failures",
"summary"}, for the TAP scripts.

  manifest.py check FILE           strict JSON with the documented shape
  manifest.py get FILE PID KEY     KEY of the (first) image entry of PID
  manifest.py fail FILE PID KEY    KEY of the (first) failure of PID
  manifest.py count FILE WHAT      number of entries in images/failures
  manifest.py files FILE           distinct recovered copies, one a line
  manifest.py map FILE PID PATH KEY  KEY of PID's "map" image entry for PATH
  manifest.py summary FILE KEY[.KEY...]  a value of the summary

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

STR_OR_NULL = (str, type(None))
TOP_KEYS = ["schema", "command", "images", "failures", "summary"]
IMAGE_KEYS = {"pid": int, "comm": STR_OR_NULL, "state": STR_OR_NULL,
              "modified": bool, "source": str, "path": STR_OR_NULL,
              "dev": str, "inode": int, "size": int, "mode": str, "uid": int,
              "sha256": str, "copy": str}
FAIL_KEYS = {"pid": int, "source": STR_OR_NULL, "path": STR_OR_NULL, "error": str}
SUMMARY_KEYS = {"version": str, "host": STR_OR_NULL, "boot_id": STR_OR_NULL,
                "time": str, "processes": int, "states": dict, "flagged": int,
                "denied": int, "vanished": int, "unseen": dict, "complete": bool,
                "exit_status": int, "directory": str, "recovered": int, "failed": int}
UNSEEN_KEYS = {"timeout", "unreadable", "maps_incomplete", "missing"}
TIME_RE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"


def load(path):
    return pejson.strict_load(path)


def typed(what, obj, keys):
    """OBJ has exactly KEYS (in that order), each of its type."""
    if list(obj) != list(keys):
        raise ValueError("%s keys: %r" % (what, list(obj)))
    for k, t in keys.items():
        if not isinstance(obj[k], t) or (t is int and isinstance(obj[k], bool)):
            raise ValueError("%s.%s has type %s" % (what, k, type(obj[k]).__name__))


def with_text_key(keys, e):
    """KEYS with the kernel's text after "path": "link" for the exe (and a
    failure without a source), "maps_text" for a mapped file."""
    text = "maps_text" if e.get("source") == "map" else "link"
    out = {}
    for k, t in keys.items():
        out[k] = t
        if k == "path":
            out[text] = STR_OR_NULL
    return out


def check(m):
    if not isinstance(m, dict) or list(m) != TOP_KEYS:
        raise ValueError("top-level keys: %r" % (list(m) if isinstance(m, dict) else m))
    if m["schema"] != 1 or isinstance(m["schema"], bool) or m["command"] != "recover":
        raise ValueError("schema %r, command %r" % (m["schema"], m["command"]))
    for what, keys in (("images", IMAGE_KEYS), ("failures", FAIL_KEYS)):
        for e in m[what]:
            typed(what, e, with_text_key(keys, e))
            if e["source"] not in ("exe", "map", None) or \
               (what == "images" and e["source"] is None):
                raise ValueError("bad source %r" % e["source"])
    for e in m["images"]:
        if not re.fullmatch(r"[0-9a-f]{64}", e["sha256"]):
            raise ValueError("bad sha256 %r" % e["sha256"])
        if not re.fullmatch(r"\d+:\d+", e["dev"]):
            raise ValueError("bad dev %r" % e["dev"])
        if not re.fullmatch(r"[0-7]{4}", e["mode"]):
            raise ValueError("bad mode %r (permission bits, 4 octal digits)" % e["mode"])
        f = e["copy"]
        if "/" in f or f.startswith(".") or not f.isprintable() or not f.isascii():
            raise ValueError("unsafe copy name %r" % f)
    for e in m["failures"]:
        if not e["error"]:
            raise ValueError("empty error")
    s = m["summary"]
    typed("summary", s, SUMMARY_KEYS)
    if set(s["unseen"]) != UNSEEN_KEYS:
        raise ValueError("summary.unseen keys: %r" % sorted(s["unseen"]))
    if not re.fullmatch(TIME_RE, s["time"]):
        raise ValueError("summary.time %r is not RFC 3339 with nanoseconds" % s["time"])
    if s["recovered"] != len(m["images"]) or s["failed"] != len(m["failures"]):
        raise ValueError("summary counts %d/%d, entries %d/%d" % (
            s["recovered"], s["failed"], len(m["images"]), len(m["failures"])))
    if s["exit_status"] not in (0, 2, 3):
        raise ValueError("summary.exit_status %r (recover never exits 1)" % s["exit_status"])


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
        for f in sorted({e["copy"] for e in m["images"]}):
            print(f)
        return 0
    if cmd == "summary":
        v = m["summary"]
        for k in sys.argv[3].split("."):
            if not isinstance(v, dict) or k not in v:
                print("no summary key %s" % sys.argv[3], file=sys.stderr)
                return 3
            v = v[k]
        show(v)
        return 0
    print("unknown command " + cmd, file=sys.stderr)
    return 2


sys.exit(main())
