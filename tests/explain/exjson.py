#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks on `procexe explain -J` output for tests/explain/*.sh.

  valid FILE              FILE is strict UTF-8 JSON with pid, attention,
                          facts (with mappings) and steps
  get FILE KEY[.KEY...]   print json.dumps of the value (exit 4: no such key)
  attention FILE          print the attention reasons, space-separated
  mapping FILE PATH       print "STATE DEV INODE" of the mapping whose path
                          is the bytes PATH, rendered per the JSON rule
                          (exit 3: none)
  step FILE TITLE         print the text of the first step whose title
                          starts with TITLE (exit 3: none)
  text FILE               print every step's title and text, one a line
"""
import json
import os
import sys


def load(path):
    with open(path, 'rb') as f:
        doc = json.loads(f.read().decode('utf-8'))
    for key in ('pid', 'attention', 'facts', 'steps'):
        if key not in doc:
            raise ValueError('no key %r' % key)
    if not isinstance(doc['facts'].get('mappings'), list):
        raise ValueError('facts.mappings is not a list')
    return doc


def rendered(b):
    """BYTES as the JSON escaper renders them: invalid UTF-8 as the text
    \\xHH, a backslash as the text \\\\."""
    out = []
    for ch in b.decode('utf-8', errors='surrogateescape'):
        if '\udc80' <= ch <= '\udcff':
            out.append('\\x%02x' % (ord(ch) - 0xdc00))
        elif ch == '\\':
            out.append('\\\\')
        else:
            out.append(ch)
    return ''.join(out)


def main(argv):
    cmd, path = argv[1], argv[2]
    try:
        # the steps alone are read from any well-formed output
        doc = load(path) if cmd not in ('step', 'text') else \
            json.loads(open(path, 'rb').read().decode('utf-8'))
    except (OSError, ValueError) as e:
        print('invalid: %s' % e, file=sys.stderr)
        return 2
    if cmd == 'valid':
        return 0
    if cmd == 'get':
        v = doc
        for k in argv[3].split('.'):
            if not isinstance(v, dict) or k not in v:
                print('no key %s' % argv[3], file=sys.stderr)
                return 4
            v = v[k]
        print(json.dumps(v))
        return 0
    if cmd == 'attention':
        print(' '.join(doc['attention']))
        return 0
    if cmd == 'mapping':
        want = rendered(os.fsencode(argv[3]))
        for m in doc['facts']['mappings']:
            if m.get('path') == want:
                print('%s %s %s' % (m['state'], m['dev'], m['inode']))
                return 0
        print('no mapping %r in %r' % (want, doc['facts']['mappings']), file=sys.stderr)
        return 3
    if cmd == 'step':
        for s in doc['steps']:
            if s['title'].startswith(argv[3]):
                print(s['text'])
                return 0
        return 3
    if cmd == 'text':
        for s in doc['steps']:
            print(s['title'])
            print(s['text'])
        return 0
    print('unknown command %s' % cmd, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
