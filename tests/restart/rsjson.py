#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Queries on `procexe restart` output for the restart tests (restart-lib.sh).

Output is schema v1: -J gives {"schema": 1, "command": "restart",
"restart": [ {row}, ... ], "summary": {...}}, --jsonl one line per row
{"schema": 1, "command": "restart", "record": "restart", ...} and the
summary line {"schema": 1, "command": "restart", "record": "summary", ...}
last; every command below reads either form.  One row per (process, file)
finding, so rows are selected by filters, not by PID alone.  A FILTER is
KEY=VALUE: the row's KEY equals VALUE, where VALUE is compared with
  null / true / false    the JSON literal,
  a number               str(number),
  a string               VALUE taken as raw bytes (os.fsencode) rendered by
                         the JSON rule of pejson.py (invalid UTF-8 -> \\xHH
                         text, backslash -> \\\\ text, anything else as is).

  valid FILE                   strict JSON of the restart form: UTF-8, no
                               duplicate keys, the v1 envelope or lines,
                               lowercase keys (none of the old command,
                               file, gtype), numbers for pid/ppid/uid/inode,
                               "MAJ:MIN" for dev, a non-empty string or null
                               for group
  summary FILE KEY[.KEY...]    print json.dumps of the summary's KEY
  count FILE [FILTER...]       print the number of matching rows
  get FILE KEY [FILTER...]     print json.dumps(KEY) of the one matching row
                               (exit 3: none, 5: several, 4: no such key)
  values FILE KEY [FILTER...]  print KEY of each matching row, in output
                               order, one per line (strings ascii()-escaped
                               without quotes, others as JSON)
  show FILE [FILTER...]        print the matching rows (ascii, diagnostics)
  extra FILE PID...            print the PIDs of rows whose PID is not one of
                               these, in output order (distinct)
  keys FILE                    print the sorted key set of every row, one
                               set per line, comma-separated, distinct
  rawhas FILE CELL...          exit 0 when a line of raw output FILE (cells
                               separated by one space) has exactly these
                               cells, each the escaped form of the raw bytes
                               CELL (table rule of pejson.py, spaces as \\x20)
  rawcells FILE N              exit 0 when every non-empty line of FILE has
                               exactly N space-separated cells
"""
import json
import os
import re
import sys

sys.path.insert(0, os.environ.get('PE_SRCDIR') or
                os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             '..', 'integration'))
import pejson  # noqa: E402  (strict_load, json_forms, table_forms)

NUMERIC = ('pid', 'ppid', 'uid', 'inode')
OLD_KEYS = ('command', 'file', 'gtype')
HEAD = ['schema', 'command']


def check_row(row):
    if not isinstance(row, dict):
        raise ValueError('row is not an object: %s' % ascii(row))
    for k, v in row.items():
        if k != k.lower():
            raise ValueError('key not lowercase: %r' % k)
        if k in OLD_KEYS:
            raise ValueError('key %r of before schema v1 in %s' % (k, ascii(row)))
        # an incomplete row names a process, no file: no inode, no dev;
        # nor has a deleted script (nothing stands at its name)
        if k in ('inode', 'dev') and v is None and (
                row.get('category') == 'incomplete' or
                (row.get('type') == 'script' and row.get('reason') == 'deleted')):
            continue
        if k in NUMERIC and (not isinstance(v, int) or isinstance(v, bool)):
            raise ValueError('%s is not a number in %s' % (k, ascii(row)))
        if k == 'dev' and not (isinstance(v, str) and re.fullmatch(r'[0-9]+:[0-9]+', v)):
            raise ValueError('dev is not "MAJ:MIN" in %s' % ascii(row))
        if k == 'group' and not (v is None or (isinstance(v, str) and v)):
            raise ValueError('group is neither null nor a non-empty string '
                             'in %s' % ascii(row))


def check_summary(summ):
    if not isinstance(summ, dict):
        raise ValueError('summary is not an object')
    for k in ('processes', 'flagged', 'denied', 'exit_status', 'restart', 'fileless'):
        if not isinstance(summ.get(k), int) or isinstance(summ.get(k), bool):
            raise ValueError('summary %s is not a number: %s' % (k, ascii(summ.get(k))))
    if not isinstance(summ.get('complete'), bool):
        raise ValueError('summary complete is not a boolean')


def load_lines(path):
    '''--jsonl output: rows, then one summary line, each with the v1 head.'''
    with open(path, 'rb') as f:
        lines = f.read().decode('utf-8').split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    rows, summ = [], None
    for i, line in enumerate(lines, 1):
        obj = json.loads(line, object_pairs_hook=pejson._no_dups,
                         parse_constant=pejson._no_constant)
        if not isinstance(obj, dict) or list(obj)[:3] != HEAD + ['record'] or \
                obj['schema'] != 1 or obj['command'] != 'restart':
            raise ValueError('line %d does not start with schema, command, record' % i)
        if summ is not None:
            raise ValueError('line %d follows the summary line' % i)
        rec = obj.pop('record')
        del obj['schema'], obj['command']
        if rec == 'summary':
            summ = obj
        elif rec == 'restart':
            rows.append(obj)
        else:
            raise ValueError('line %d: unknown record %r' % (i, rec))
    if summ is None:
        raise ValueError('no summary line')
    return {'restart': rows, 'summary': summ, 'lines': len(lines)}


def load(path):
    with open(path, 'rb') as f:
        first = f.readline()
    if first.startswith(b'{"schema":1,"command":"restart","record":'):
        doc = load_lines(path)
    else:
        doc = pejson.strict_load(path)
        if not isinstance(doc, dict) or list(doc) != HEAD + ['restart', 'summary'] or \
                doc['schema'] != 1 or doc['command'] != 'restart' or \
                not isinstance(doc['restart'], list):
            raise ValueError('top level is not {"schema": 1, "command": "restart", '
                             '"restart": [...], "summary": {...}}')
    for row in doc['restart']:
        check_row(row)
    check_summary(doc['summary'])
    return doc


def matches(row, filters):
    for f in filters:
        key, sep, want = f.partition('=')
        if not sep:
            raise ValueError('bad filter %r' % f)
        if key not in row:
            return False
        v = row[key]
        if v is None or isinstance(v, bool):
            if json.dumps(v) != want:
                return False
        elif isinstance(v, (int, float)):
            if str(v) != want:
                return False
        elif isinstance(v, str):
            if v not in pejson.json_forms(os.fsencode(want)):
                return False
        else:
            if json.dumps(v) != want:
                return False
    return True


def select(doc, filters):
    return [r for r in doc['restart'] if matches(r, filters)]


def plain(v):
    if isinstance(v, str):
        return ascii(v)[1:-1]
    return json.dumps(v)


def raw_forms(b):
    return set(f for f in pejson.table_forms(b) if ' ' not in f)


def main(argv):
    cmd = argv[1]
    path = argv[2]
    try:
        if cmd == 'rawhas':
            want = [raw_forms(os.fsencode(c)) for c in argv[3:]]
            with open(path, 'rb') as f:
                for line in f.read().split(b'\n'):
                    cells = line.decode('utf-8', errors='replace').split(' ')
                    if len(cells) == len(want) and \
                            all(c in w for c, w in zip(cells, want)):
                        return 0
            return 1
        if cmd == 'rawcells':
            n = int(argv[3])
            with open(path, 'rb') as f:
                for i, line in enumerate(f.read().split(b'\n'), 1):
                    if line and len(line.split(b' ')) != n:
                        print('line %d has %d cells: %s' % (i, len(line.split(b' ')),
                                                           ascii(line)), file=sys.stderr)
                        return 1
            return 0
        doc = load(path)
        if cmd == 'valid':
            return 0
        if cmd == 'summary':
            v = doc['summary']
            for k in argv[3].split('.'):
                if not isinstance(v, dict) or k not in v:
                    print('no summary key %r' % argv[3], file=sys.stderr)
                    return 4
                v = v[k]
            print(json.dumps(v))
            return 0
        if cmd == 'keys':
            seen = []
            for r in doc['restart']:
                k = ','.join(sorted(r))
                if k not in seen:
                    seen.append(k)
            print('\n'.join(seen))
            return 0
        if cmd == 'extra':
            asked = set(argv[3:])
            out = []
            for r in doc['restart']:
                p = str(r.get('pid'))
                if p not in asked and p not in out:
                    out.append(p)
            print(' '.join(out))
            return 0
        if cmd == 'count':
            print(len(select(doc, argv[3:])))
            return 0
        if cmd == 'show':
            for r in select(doc, argv[3:]):
                print(ascii(r))
            return 0
        key = argv[3]
        rows = select(doc, argv[4:])
        if cmd == 'values':
            for r in rows:
                if key in r:
                    print(plain(r[key]))
            return 0
        if cmd == 'get':
            if not rows:
                print('no row matching %s' % ascii(argv[4:]), file=sys.stderr)
                return 3
            if len(rows) > 1:
                print('%d rows matching %s' % (len(rows), ascii(argv[4:])), file=sys.stderr)
                return 5
            if key not in rows[0]:
                print('no key %r in %s' % (key, ascii(rows[0])), file=sys.stderr)
                return 4
            print(json.dumps(rows[0][key]))
            return 0
    except (OSError, ValueError) as e:
        print('%s: %s' % (path, ascii(str(e))[:400]), file=sys.stderr)
        return 2
    print('unknown command %r' % cmd, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
