#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks on procexe output for the integration tests (see lib.sh).

  valid FILE                 FILE is a schema v1 document of the scan or ls
                             ({"schema": 1, "command", "processes": [...],
                             "summary": {...}}) or their --jsonl lines
  summary FILE KEY           print json.dumps(value) of the summary's KEY
                             ("unseen.missing": a member of a member)
  jsonl FILE                 FILE is --jsonl output (not a -J document)
  get FILE PID KEY           print json.dumps(value) of KEY in PID's row
                             (exit 3: no such row, 4: no such key)
  has FILE PID               exit 0 when PID has a row
  pids FILE                  print the PIDs of all rows
  jeq FILE PID KEY BYTES     the string value equals BYTES rendered per the
                             JSON rule (invalid UTF-8 -> text \\xHH, backslash
                             -> text \\\\, everything else as decoded)
  raweq FILE PID BYTES       in `ls -r -n -o PID,<COL>` output FILE, PID's
                             value equals BYTES rendered per the table rule
  clean FILE                 FILE (table/raw output) holds no raw control
                             character, C1 control or invalid UTF-8
  interp ELF                 print the PT_INTERP path of ELF (exit 1: none)
  dump FILE                  bash assignments describing FILE, for lib.sh's
                             cache: JVALID, JERR, JPIDS, JROW[pid],
                             JV[pid/key] = json.dumps(value), JNROWS,
                             JS[key] and JS[key.member] = json.dumps(value)
                             of the summary
  validall FILE...           print the FILEs that are not valid; exit 1 if any
BYTES arguments are taken as raw bytes (os.fsencode).
"""
import json
import os
import sys


def _no_dups(items):
    keys = [k for k, _ in items]
    if len(keys) != len(set(keys)):
        raise ValueError('duplicate key in %r' % keys)
    return dict(items)


def _no_constant(name):
    raise ValueError('non-standard JSON constant ' + name)


def strict_load(path):
    """The JSON document in PATH, strictly: UTF-8, no duplicate keys, no
    NaN/Infinity, no raw control characters.  Every test helper reads
    procexe's JSON through this."""
    with open(path, 'rb') as f:
        data = f.read()
    text = data.decode('utf-8')           # strict: JSON output must be UTF-8
    return json.loads(text, object_pairs_hook=_no_dups, parse_constant=_no_constant)


COMMANDS = ('scan', 'ls')
HEAD = ['schema', 'command']
SUMMARY_KEYS = ['version', 'host', 'boot_id', 'time', 'processes', 'states', 'flagged',
                'denied', 'vanished', 'unseen', 'complete', 'exit_status']
UNSEEN_KEYS = ['timeout', 'unreadable', 'maps_incomplete', 'missing']


def _count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def check_summary(s):
    """The summary object of schema v1, with the counts consistent."""
    if not isinstance(s, dict):
        raise ValueError('summary is not an object: %r' % (s,))
    if list(s)[:len(SUMMARY_KEYS)] != SUMMARY_KEYS:
        raise ValueError('summary keys %r, want %r first' % (list(s), SUMMARY_KEYS))
    for k in ('processes', 'flagged', 'denied', 'vanished'):
        if not _count(s[k]):
            raise ValueError('summary %s is not a count: %r' % (k, s[k]))
    states = s['states']
    if not isinstance(states, dict) or not states or \
            not all(_count(v) for v in states.values()):
        raise ValueError('summary states is not an object of counts: %r' % (states,))
    if sum(states.values()) != s['processes']:
        raise ValueError('summary states add up to %d, processes is %d'
                         % (sum(states.values()), s['processes']))
    if states.get('denied') != s['denied']:
        raise ValueError('summary denied %r != states.denied %r'
                         % (s['denied'], states.get('denied')))
    u = s['unseen']
    if not isinstance(u, dict) or sorted(u) != sorted(UNSEEN_KEYS) or \
            not all(_count(v) for v in u.values()):
        raise ValueError('summary unseen is not {%s}: %r' % (', '.join(UNSEEN_KEYS), u))
    if s['complete'] is not (sum(u.values()) == 0 and s['denied'] == 0):
        raise ValueError('summary complete %r with unseen %r, denied %r'
                         % (s['complete'], u, s['denied']))
    if s['exit_status'] not in (0, 1, 2, 3) or isinstance(s['exit_status'], bool):
        raise ValueError('summary exit_status %r' % (s['exit_status'],))


def _check_rows(rows):
    for row in rows:
        if not isinstance(row, dict):
            raise ValueError('row is not an object: %r' % (row,))
        for k in row:
            if k != k.lower():
                raise ValueError('key not lowercase: %r' % k)


def _load_jsonl(text):
    """--jsonl: one compact object per line, each starting with schema,
    command and record; process records, then one summary line, last."""
    if not text.endswith('\n'):
        raise ValueError('--jsonl output does not end with a newline')
    lines = text[:-1].split('\n')
    rows, command = [], None
    for n, line in enumerate(lines, 1):
        obj = json.loads(line, object_pairs_hook=_no_dups, parse_constant=_no_constant)
        if not isinstance(obj, dict) or list(obj)[:3] != HEAD + ['record']:
            raise ValueError('line %d does not start with schema, command, record' % n)
        if obj['schema'] != 1 or isinstance(obj['schema'], bool):
            raise ValueError('line %d: schema %r' % (n, obj['schema']))
        command = command or obj['command']
        if obj['command'] != command or command not in COMMANDS:
            raise ValueError('line %d: command %r' % (n, obj['command']))
        want = 'summary' if n == len(lines) else 'process'
        if obj['record'] != want:
            raise ValueError('line %d: record %r, want %r' % (n, obj['record'], want))
        for k in HEAD + ['record']:
            del obj[k]
        if want == 'process':
            rows.append(obj)
    return {'schema': 1, 'command': command, 'processes': rows, 'summary': obj,
            'jsonl': True}


def load(path):
    """A -J document or --jsonl output of the scan or ls, checked, as
    {"schema", "command", "processes", "summary"} (+ "jsonl": True)."""
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8')   # strict: JSON output must be UTF-8
    if text.startswith('{"schema":1,'):
        doc = _load_jsonl(text)
    else:
        doc = json.loads(text, object_pairs_hook=_no_dups, parse_constant=_no_constant)
        if not isinstance(doc, dict):
            raise ValueError('top level is not an object')
        keys = HEAD + ['processes', 'summary']
        if list(doc) != keys:
            raise ValueError('top-level keys %r, want %r' % (list(doc), keys))
        if doc['schema'] != 1 or isinstance(doc['schema'], bool) or \
                doc['command'] not in COMMANDS:
            raise ValueError('schema %r, command %r' % (doc['schema'], doc['command']))
        if not isinstance(doc['processes'], list):
            raise ValueError('processes is not an array')
    _check_rows(doc['processes'])
    check_summary(doc['summary'])
    return doc


def row_of(doc, pid):
    for row in doc['processes']:
        if str(row.get('pid')) == str(pid):
            return row
    return None


def decode(b):
    return b.decode('utf-8', errors='surrogateescape')


def is_bad_byte(ch):
    return 0xDC80 <= ord(ch) <= 0xDCFF


def json_forms(b):
    forms = []
    for hexfmt in ('\\x%02x', '\\x%02X'):
        out = []
        for ch in decode(b):
            if ch == '\\':
                out.append('\\\\')
            elif is_bad_byte(ch):
                out.append(hexfmt % (ord(ch) - 0xDC00))
            elif ch == '\x7f' or 0x80 <= ord(ch) <= 0x9f:
                # DEL and C1 controls: each UTF-8 byte as \xHH, so that no
                # terminal control is left raw in the JSON text
                out.append(''.join(hexfmt % c for c in ch.encode('utf-8')))
            else:
                out.append(ch)
        forms.append(''.join(out))
    return forms


def table_forms(b):
    forms = set()
    for hexfmt in ('\\x%02x', '\\x%02X'):
        for esc_space in (False, True):
            for c1_bytes in (True, False):
                out = []
                for ch in decode(b):
                    o = ord(ch)
                    if ch == '\\':
                        out.append('\\\\')
                    elif is_bad_byte(ch):
                        out.append(hexfmt % (o - 0xDC00))
                    elif o < 0x20 or o == 0x7f:
                        out.append(hexfmt % o)
                    elif 0x80 <= o <= 0x9f:
                        if c1_bytes:
                            out.append(''.join(hexfmt % x for x in ch.encode('utf-8')))
                        else:
                            out.append(hexfmt % o)
                    elif ch == ' ' and esc_space:
                        out.append(hexfmt % 0x20)
                    else:
                        out.append(ch)
                forms.add(''.join(out))
    return forms


def clean(path):
    with open(path, 'rb') as f:
        data = f.read()
    for n, line in enumerate(data.split(b'\n'), 1):
        try:
            text = line.decode('utf-8')
        except UnicodeDecodeError as e:
            return 'line %d: invalid UTF-8 (%s): %r' % (n, e.reason, line)
        for ch in text:
            o = ord(ch)
            if o < 0x20 or o == 0x7f or 0x80 <= o <= 0x9f:
                return 'line %d: raw control U+%04X: %r' % (n, o, line)
    return None


def interp(path):
    import struct
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF':
        return None
    is64 = data[4] == 2
    end = '<' if data[5] == 1 else '>'
    if is64:
        phoff, = struct.unpack_from(end + 'Q', data, 0x20)
        phentsize, phnum = struct.unpack_from(end + 'HH', data, 0x36)
    else:
        phoff, = struct.unpack_from(end + 'I', data, 0x1c)
        phentsize, phnum = struct.unpack_from(end + 'HH', data, 0x2a)
    for i in range(phnum):
        off = phoff + i * phentsize
        p_type, = struct.unpack_from(end + 'I', data, off)
        if p_type != 3:          # PT_INTERP
            continue
        if is64:
            p_offset, = struct.unpack_from(end + 'Q', data, off + 8)
            p_filesz, = struct.unpack_from(end + 'Q', data, off + 32)
        else:
            p_offset, p_filesz = struct.unpack_from(end + 'I', data, off + 4)[0], \
                struct.unpack_from(end + 'I', data, off + 16)[0]
        return data[p_offset:p_offset + p_filesz].rstrip(b'\0')
    return None


def sh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def dump(path):
    out = []
    try:
        doc = load(path)
    except Exception as e:          # report anything as "invalid"
        print('JVALID=0')
        print('JERR=' + sh_quote(ascii('%s: %s' % (path, e))))
        return 0
    pids = []
    for row in doc['processes']:
        pid = str(row.get('pid'))
        pids.append(pid)
        out.append('JROW[%s]=1' % sh_quote(pid))
        for k, v in row.items():
            out.append('JV[%s]=%s' % (sh_quote(pid + '/' + k), sh_quote(json.dumps(v))))
    for k, v in doc['summary'].items():
        out.append('JS[%s]=%s' % (sh_quote(k), sh_quote(json.dumps(v))))
        if isinstance(v, dict):
            for m, w in v.items():
                out.append('JS[%s]=%s' % (sh_quote(k + '.' + m), sh_quote(json.dumps(w))))
    print('JVALID=1')
    print("JERR=''")
    print('JPIDS=' + sh_quote(' '.join(pids)))
    print('JNROWS=%d' % len(pids))
    print('JCOMMAND=' + sh_quote(doc['command']))
    print('\n'.join(out))
    return 0


def main(argv):
    cmd = argv[1]
    try:
        if cmd == 'dump':
            return dump(argv[2])
        if cmd == 'validall':
            bad = 0
            for path in argv[2:]:
                try:
                    load(path)
                except Exception as e:
                    print('%s: %s' % (path, ascii(str(e))[:300]))
                    bad += 1
            return 1 if bad else 0
        if cmd == 'interp':
            path = interp(argv[2])
            if path is None:
                return 1
            sys.stdout.buffer.write(path + b'\n')
            return 0
        if cmd == 'valid':
            load(argv[2])
            return 0
        if cmd == 'clean':
            err = clean(argv[2])
            if err:
                print(err, file=sys.stderr)
                return 1
            return 0
        if cmd == 'raweq':
            want = table_forms(os.fsencode(argv[4]))
            with open(argv[2], 'rb') as f:
                lines = f.read().split(b'\n')
            for line in lines:
                pid, _, rest = line.partition(b' ')
                if pid == argv[3].encode():
                    got = rest.decode('utf-8', errors='replace').strip(' ')
                    if got in want:
                        return 0
                    print('got %s, want one of %s' % (ascii(got), ascii(sorted(want))),
                          file=sys.stderr)
                    return 1
            print('no row for pid %s' % argv[3], file=sys.stderr)
            return 3
        doc = load(argv[2])
        if cmd == 'summary':
            v = doc['summary']
            for k in argv[3].split('.'):
                v = v[k]
            print(json.dumps(v))
            return 0
        if cmd == 'jsonl':
            return 0 if doc.get('jsonl') else 1
        if cmd == 'pids':
            print(' '.join(str(r.get('pid')) for r in doc['processes']))
            return 0
        row = row_of(doc, argv[3])
        if cmd == 'has':
            return 0 if row is not None else 1
        if row is None:
            print('no row for pid %s' % argv[3], file=sys.stderr)
            return 3
        key = argv[4]
        if key not in row:
            print('no key %r in row %s' % (key, ascii(row)), file=sys.stderr)
            return 4
        if cmd == 'get':
            print(json.dumps(row[key]))
            return 0
        if cmd == 'jeq':
            want = json_forms(os.fsencode(argv[5]))
            if row[key] in want:
                return 0
            print('got %s, want %s' % (ascii(row[key]), ascii(want[0])), file=sys.stderr)
            return 1
    except (OSError, ValueError, KeyError) as e:
        print('%s: %s' % (argv[2], e), file=sys.stderr)
        return 2
    print('unknown command %r' % cmd, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
