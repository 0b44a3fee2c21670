#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print one 'N passed, N failed, N skipped' line from meson testlog.json files.

Counting: TAP lines (ok / not ok / # SKIP) and cmocka case lines count one
each; a test without such lines counts once from its result; a test that
failed (crash, sanitizer report at exit, timeout) without a failing case
line adds one failure.  Exit status 1 when anything failed.
"""
import json
import re
import sys

TAP = re.compile(r'^(not )?ok\b[^#]*(#\s*(SKIP|TODO)\b)?', re.IGNORECASE)
CMOCKA = {'[       OK ]': 'passed', '[  FAILED  ]': 'failed', '[  SKIPPED ]': 'skipped'}
BAD = {'FAIL', 'ERROR', 'TIMEOUT', 'UNEXPECTEDPASS'}


def count(rec):
    c = {'passed': 0, 'failed': 0, 'skipped': 0}
    for line in (rec.get('stdout') or '').splitlines():
        m = TAP.match(line)
        if m:
            c['skipped' if m.group(3) else 'failed' if m.group(1) else 'passed'] += 1
            continue
        for marker, key in CMOCKA.items():
            if line.startswith(marker):
                c[key] += 1
    if not any(c.values()):
        r = rec.get('result')
        c['skipped' if r == 'SKIP' else 'failed' if r in BAD else 'passed'] = 1
    elif rec.get('result') in BAD and c['failed'] == 0:
        c['failed'] = 1
    return c


def main(paths):
    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    for path in paths:
        try:
            f = open(path, encoding='utf-8', errors='replace')
        except OSError as e:
            print(f'test-summary: {path}: {e.strerror}', file=sys.stderr)
            total['failed'] += 1
            continue
        with f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                for k, v in count(json.loads(line)).items():
                    total[k] += v
    print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if total['failed'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or ['build/meson-logs/testlog.json']))
