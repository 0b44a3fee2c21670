#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks on `procexe explain -J` output for tests/explain/*.sh: a schema
v1 document {"schema":1, "command":"explain", "process", "steps",
"summary"}.

  valid FILE              FILE is strict UTF-8 JSON of that shape, with the
                          v1 keys and types (exe/link, "0755" modes, "M:m"
                          devices, RFC 3339 times, attention names)
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
import re
import sys

sys.path.insert(0, os.environ.get('PE_SRCDIR') or
                os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration'))
import pejson  # noqa: E402  (strict_load)

STR_OR_NULL = (str, type(None))
INT_OR_NULL = (int, type(None))
TOP_KEYS = ['schema', 'command', 'process', 'steps', 'summary']
PROCESS_KEYS = {'pid': int, 'comm': STR_OR_NULL, 'state': str, 'exe': STR_OR_NULL,
                'link': STR_OR_NULL, 'ppid': INT_OR_NULL, 'start': STR_OR_NULL,
                'root': STR_OR_NULL, 'attention': list, 'given_up': bool,
                'modified': bool, 'loader_launched': bool, 'deleted_suffix': bool,
                'path_too_long': bool, 'error': STR_OR_NULL, 'self_link': STR_OR_NULL,
                'image': (dict, type(None)), 'loader': (dict, type(None)),
                'mappings': list, 'maps_error': STR_OR_NULL}
IMAGE_KEYS = {'link': STR_OR_NULL, 'maps_text': STR_OR_NULL, 'exe': STR_OR_NULL,
              'dev': str, 'inode': int, 'nlink': INT_OR_NULL, 'size': int, 'mode': str,
              'mntid': int}
# dev, inode and map_files are null only for an interpreter's script (script
# true): it is not mapped, and a deleted one has no identity
MAPPING_KEYS = {'path': str, 'state': str, 'dev': STR_OR_NULL, 'inode': INT_OR_NULL,
                'executable': bool, 'deleted_suffix': bool, 'script': bool,
                'map_files': STR_OR_NULL, 'error': STR_OR_NULL}
SUMMARY_KEYS = ['version', 'host', 'boot_id', 'time', 'processes', 'states', 'flagged',
                'denied', 'vanished', 'unseen', 'complete', 'exit_status']
ATTENTION = {'image', 'modified', 'mapped', 'mapped-fileless', 'incomplete'}
TIME_RE = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z'


def typed(what, obj, keys, exact=True):
    if exact and list(obj) != list(keys):
        raise ValueError('%s keys: %r' % (what, list(obj)))
    for k, v in obj.items():
        if k not in keys:
            raise ValueError('%s: unknown key %r' % (what, k))
        t = keys[k]
        if not isinstance(v, t) or (isinstance(v, bool) and t in (int, INT_OR_NULL)):
            raise ValueError('%s.%s has type %s' % (what, k, type(v).__name__))


def check_image(what, img, link):
    typed(what, img, IMAGE_KEYS, exact=False)
    if ('link' in img) != link or ('maps_text' in img) == link:
        raise ValueError('%s: text under %r' % (what, sorted(img)))
    if 'dev' in img and not re.fullmatch(r'\d+:\d+', img['dev']):
        raise ValueError('%s.dev %r' % (what, img['dev']))
    if 'mode' in img and not re.fullmatch(r'[0-7]{4}', img['mode']):
        raise ValueError('%s.mode %r (permission bits, 4 octal digits)' % (what, img['mode']))


def check(doc):
    if not isinstance(doc, dict) or list(doc) != TOP_KEYS:
        raise ValueError('top-level keys: %r' % (list(doc) if isinstance(doc, dict) else doc))
    if doc['schema'] != 1 or doc['command'] != 'explain':
        raise ValueError('schema %r, command %r' % (doc['schema'], doc['command']))
    if list(doc['summary']) != SUMMARY_KEYS:
        raise ValueError('summary keys: %r' % list(doc['summary']))
    if not re.fullmatch(TIME_RE, doc['summary']['time']):
        raise ValueError('summary.time %r' % doc['summary']['time'])
    for s in doc['steps']:
        if list(s) != ['title', 'text'] or not all(isinstance(v, str) for v in s.values()):
            raise ValueError('step %r' % s)
    p = doc['process']
    if p is None:
        return
    typed('process', p, PROCESS_KEYS)
    if p['start'] is not None and not re.fullmatch(TIME_RE, p['start']):
        raise ValueError('process.start %r is not RFC 3339 with nanoseconds' % p['start'])
    if not set(p['attention']) <= ATTENTION:
        raise ValueError('attention %r' % p['attention'])
    if p['image'] is not None:
        check_image('process.image', p['image'], not p['loader_launched'])
    if p['loader'] is not None:
        check_image('process.loader', p['loader'], True)
    for m in p['mappings']:
        typed('mapping', m, MAPPING_KEYS)
        nulls = [k for k in ('dev', 'inode', 'map_files') if m[k] is None]
        if nulls and not m['script']:
            raise ValueError('mapping %s null for a mapped file' % nulls)
        if m['script'] and (m['map_files'] is not None or
                            (m['dev'] is None) != (m['state'] == 'deleted')):
            raise ValueError('script mapping: map_files %r, dev %r, state %r'
                             % (m['map_files'], m['dev'], m['state']))
        if m['dev'] is not None and not re.fullmatch(r'\d+:\d+', m['dev']):
            raise ValueError('mapping.dev %r' % m['dev'])


def load(path):
    doc = pejson.strict_load(path)
    check(doc)
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
        doc = load(path) if cmd not in ('step', 'text') else pejson.strict_load(path)
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
        print(' '.join(doc['process']['attention']))
        return 0
    if cmd == 'mapping':
        want = rendered(os.fsencode(argv[3]))
        for m in doc['process']['mappings']:
            if m.get('path') == want:
                print('%s %s %s' % (m['state'], m['dev'], m['inode']))
                return 0
        print('no mapping %r in %r' % (want, doc['process']['mappings']), file=sys.stderr)
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
