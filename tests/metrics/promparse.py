#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A strict reader of the Prometheus text exposition format 0.0.4, for the
metrics tests: independent of promtool, and stricter about bytes.

  promparse.py check FILE          the whole file is well formed: valid
                                   UTF-8, no control byte but the line ends,
                                   no C1 control, every sample after its
                                   family's HELP and TYPE; exit 1 and the
                                   reason otherwise
  promparse.py get FILE NAME [K=V...]   the value of the one sample NAME
                                   whose labels are exactly K=V... (label
                                   values compared after unescaping), or
                                   "absent"
  promparse.py values FILE NAME KEY     the values of label KEY of the NAME
                                   samples, one per line, sorted
  promparse.py families FILE       the families with HELP and TYPE, sorted
  promparse.py fetch URL OUT       GET URL (2 s timeout) into OUT; exit 1
                                   when it does not answer
"""
import re
import sys
import urllib.request

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def unescape(s, lineno):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            nxt = s[i + 1:i + 2]
            if nxt not in ('\\', '"', 'n'):
                fail(f'line {lineno}: bad escape \\{nxt!r} in a label value')
            out.append({'\\': '\\', '"': '"', 'n': '\n'}[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def parse_labels(text, lineno):
    """{k: v} of the text between the braces."""
    labels, i = {}, 0
    while i < len(text):
        m = re.match(LABEL + r'="', text[i:])
        if not m:
            fail(f'line {lineno}: bad label at {text[i:]!r}')
        key = m.group(0)[:-2]
        i += m.end()
        j = i
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == '\\' else 1
        if j >= len(text):
            fail(f'line {lineno}: unterminated label value')
        if key in labels:
            fail(f'line {lineno}: label {key} twice')
        labels[key] = unescape(text[i:j], lineno)
        i = j + 1
        if i < len(text):
            if text[i] != ',':
                fail(f'line {lineno}: expected "," after a label, got {text[i:]!r}')
            i += 1
    return labels


def parse(path):
    """(samples [(name, labels, value)], families {name: (help, type)})."""
    raw = open(path, 'rb').read()
    try:
        text = raw.decode('utf-8', errors='strict')
    except UnicodeDecodeError as e:
        fail(f'not UTF-8: {e}')
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch != '\n') or o == 0x7f or 0x80 <= o <= 0x9f:
            fail(f'control character U+{o:04X} in the text')
    if text and not text.endswith('\n'):
        fail('the last line does not end with a newline')
    helps, types, samples = {}, {}, []
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('# HELP '):
            m = re.fullmatch(r'# HELP (' + NAME + r') (.*)', line)
            if not m:
                fail(f'line {n}: bad HELP')
            helps[m.group(1)] = m.group(2)
        elif line.startswith('# TYPE '):
            m = re.fullmatch(r'# TYPE (' + NAME + r') (gauge|counter|untyped|summary|histogram)',
                             line)
            if not m:
                fail(f'line {n}: bad TYPE')
            types[m.group(1)] = m.group(2)
        elif line.startswith('#'):
            continue
        else:
            m = re.fullmatch(r'(' + NAME + r')(?:\{(.*)\})? (\S+)(?: -?[0-9]+)?', line)
            if not m:
                fail(f'line {n}: not a sample: {line!r}')
            name = m.group(1)
            base = re.sub(r'_(sum|count|bucket)$', '', name)
            if (name not in helps or name not in types) and \
                    types.get(base) not in ('summary', 'histogram'):
                fail(f'line {n}: sample of {name} before its HELP and TYPE')
            float(m.group(3))
            samples.append((name, parse_labels(m.group(2) or '', n), m.group(3)))
    return samples, {k: (helps[k], types[k]) for k in helps if k in types}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'fetch':
        try:
            with urllib.request.urlopen(args[0], timeout=2) as r:
                data = r.read()
        except OSError as e:
            fail(str(e))
        open(args[1], 'wb').write(data)
        return
    samples, families = parse(args[0])
    if cmd == 'check':
        return
    if cmd == 'families':
        print('\n'.join(sorted(families)))
    elif cmd == 'get':
        want = dict(a.split('=', 1) for a in args[2:])
        found = [v for n, lab, v in samples if n == args[1] and lab == want]
        if len(found) > 1:
            fail(f'{len(found)} samples {args[1]} {want}')
        print(found[0] if found else 'absent')
    elif cmd == 'values':
        print('\n'.join(sorted(lab.get(args[2], '') for n, lab, v in samples
                               if n == args[1])))
    else:
        fail(f'unknown command {cmd}')


main()
