#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queries on `procexe watch --jsonl` output for the watch tests.

  get FILE PID KEY        json.dumps of KEY in the last "exec" record of
                          PID (exit 3: no record, 4: no such key)
  count FILE PID          number of "exec" records of PID
  pinned FILE PID...      exit 0 when each PID's last record has pinned
                          and copy non-null; else the first failure on stderr
  trailers STORE FILE OUT for the "INDEX PID TRAILER" lines of OUT (a
                          pe-watch-burst output): exit 0 when each PID's
                          stored copy (STORE/<copy>) ends with TRAILER+"\\n"
  found STORE PREFIX      print how many distinct "PEW:PREFIX:INDEX\\n"
                          trailers end a file of STORE (bench/watch.sh's
                          count, content-verified)
  jeq FILE PID KEY BYTES  the string value equals BYTES per the JSON rule
                          (tests/integration/pejson.py)
  sget, sjeq              get, jeq of KEY in the record's "script" object
                          (exit 4: no key, or script null)
BYTES arguments are raw bytes (os.fsencode).
"""
import json
import os
import sys

sys.path.insert(0, os.environ.get('PE_SRCDIR', os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', 'integration')))


def records(path):
    out = []
    with open(path, 'rb') as f:
        for line in f.read().split(b'\n'):
            if not line.strip():
                continue
            rec = json.loads(line.decode('utf-8'))
            if rec.get('record') == 'exec':
                out.append(rec)
    return out


def last_of(recs, pid):
    found = [r for r in recs if str(r.get('pid')) == str(pid)]
    return found[-1] if found else None


def tail_is(store, name, want):
    if not isinstance(name, str) or '/' in name or name in ('', '.', '..'):
        return 'copy %r is not a store file name' % (name,)
    try:
        with open(os.path.join(store, name), 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - len(want)))
            got = f.read()
    except OSError as e:
        return 'store file %s: %s' % (name, e)
    return None if got == want else 'store file %s ends with %r, want %r' % (name, got, want)


def check_pinned(recs, pids):
    if not pids:
        return 'no PID given'
    for pid in pids:
        r = last_of(recs, pid)
        if r is None:
            return 'pid %s: no exec record' % pid
        if r.get('pinned') is None or r.get('copy') is None:
            return 'pid %s: pinned %r, copy %r, missed %r' % (
                pid, r.get('pinned'), r.get('copy'), r.get('missed'))
    return None


def check_trailers(store, recs, burst_out):
    n = 0
    with open(burst_out, 'rb') as f:
        for line in f.read().split(b'\n'):
            parts = line.split(b' ')
            if len(parts) != 3:
                continue
            pid, trailer = parts[1].decode(), parts[2] + b'\n'
            r = last_of(recs, pid)
            if r is None:
                return 'pid %s: no exec record' % pid
            err = tail_is(store, r.get('copy'), trailer)
            if err:
                return 'pid %s: %s' % (pid, err)
            n += 1
    return None if n else 'no burst line in %s' % burst_out


def found(store, prefix):
    head = b'PEW:' + prefix + b':'
    seen = set()
    for name in os.listdir(store):
        p = os.path.join(store, name)
        try:
            with open(p, 'rb') as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - len(head) - 24))
                tail = f.read()
        except OSError:
            continue
        if not tail.endswith(b'\n'):
            continue
        i = tail.rfind(head)
        idx = tail[i + len(head):-1] if i >= 0 else b''
        if idx.isdigit():
            seen.add(int(idx))
    return len(seen)


def main(argv):
    cmd = argv[1]
    if cmd == 'found':
        print(found(argv[2], os.fsencode(argv[3])))
        return 0
    if cmd == 'trailers':
        err = check_trailers(argv[2], records(argv[3]), argv[4])
    elif cmd == 'pinned':
        err = check_pinned(records(argv[2]), argv[3:])
    elif cmd == 'count':
        print(len([r for r in records(argv[2]) if str(r.get('pid')) == argv[3]]))
        return 0
    elif cmd in ('get', 'jeq', 'sget', 'sjeq'):
        r = last_of(records(argv[2]), argv[3])
        if r is None:
            print('no exec record for pid %s' % argv[3], file=sys.stderr)
            return 3
        if cmd[0] == 's':
            cmd = cmd[1:]
            r = r.get('script')
            if not isinstance(r, dict):
                print('script of pid %s: %s' % (argv[3], json.dumps(r)), file=sys.stderr)
                return 4
        if argv[4] not in r:
            print('no key %s for pid %s' % (argv[4], argv[3]), file=sys.stderr)
            return 4
        if cmd == 'get':
            print(json.dumps(r[argv[4]]))
            return 0
        import pejson
        forms = pejson.json_forms(os.fsencode(argv[5]))
        if r[argv[4]] in forms:
            return 0
        err = 'got %s, want %s' % (ascii(r[argv[4]]), ascii(forms[0]))
    else:
        print('wj.py: unknown command %s' % cmd, file=sys.stderr)
        return 2
    if err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
