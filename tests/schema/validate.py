#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validate procexe JSON output against docs/schema-v1.json.

usage: validate.py SCHEMA [--jsonl] [--invalid] [--status N] FILE...
       validate.py SCHEMA --tap [--invalid] FILE...

A FILE is one -J document, or with --jsonl (or a name ending in .jsonl)
the lines of one --jsonl run; a directory stands for its *.json and
*.jsonl files.  Besides the schema, the text must be strict
JSON (UTF-8, no duplicate key, no NaN) and keep the envelope's key order:
"schema", "command" ("record" in a line) first, "summary" last in a
document; a --jsonl run is rows of one command, then exactly one summary
line, last.  With --status N, the summary's exit_status must be N (the
status the run exited with).

Exit status 0 when every FILE is valid (with --invalid: when every FILE is
invalid), 1 otherwise, 2 for a usage error; the reasons go to stderr.
With --tap, one TAP test per FILE on stdout instead.  Without the jsonschema
module (Debian: python3-jsonschema), prints "1..0 # SKIP ..." and exits 0
with --tap, exits 77 without.
"""
import glob
import json
import os
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    jsonschema = None


class Invalid(Exception):
    pass


def _pairs(pairs):
    keys = [k for k, _ in pairs]
    seen = set()
    for k in keys:
        if k in seen:
            raise Invalid('duplicate key %r' % k)
        seen.add(k)
    return _Ordered(pairs)


class _Ordered(dict):
    """A dict that remembers the key order of the text (dicts do, but
    keep the list explicitly for the envelope checks)."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.order = [k for k, _ in pairs]


def _constant(name):
    raise Invalid('not JSON: %s' % name)


def strict_load(text):
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except ValueError as e:
        raise Invalid('not JSON: %s' % e)


def decode(raw, what):
    try:
        return raw.decode('utf-8', errors='strict')
    except UnicodeDecodeError as e:
        raise Invalid('%s: not UTF-8: %s' % (what, e))


def schema_errors(validator, doc, ref=None):
    """The validation errors of DOC against the whole schema, or against
    $defs REF; for a failed top-level oneOf the errors of the branch its
    "command" selects, which name the key at fault."""
    if ref is None and isinstance(doc, dict) and 'command' not in doc:
        return ['(top): no "command" key: not a schema v1 document (keys: %s)'
                % ', '.join(list(doc)[:8])]
    v = validator
    if ref is not None:
        v = validator.evolve(schema={'$ref': '#/$defs/' + ref})
    errors = list(v.iter_errors(doc))
    if not errors:
        return []
    if ref is None and isinstance(doc, dict) and isinstance(doc.get('command'), str):
        branch = doc['command'] + '_document'
        if branch in validator.schema.get('$defs', {}):
            sub = list(validator.evolve(
                schema={'$ref': '#/$defs/' + branch}).iter_errors(doc))
            if sub:
                errors = sub
    if ref == 'record' and isinstance(doc, dict):
        kind = {'process': 'process_record', 'restart': 'restart_record',
                'summary': 'summary_record'}.get(doc.get('record'))
        if kind:
            sub = list(validator.evolve(
                schema={'$ref': '#/$defs/' + kind}).iter_errors(doc))
            if sub:
                errors = sub
    out = []
    for e in errors[:5]:
        path = '/'.join(str(p) for p in e.absolute_path) or '(top)'
        out.append('%s: %s' % (path, e.message[:300]))
    return out


def check_status(summary, status):
    if status is not None and summary.get('exit_status') != status:
        raise Invalid('summary: exit_status %r, but the run exited with %d'
                      % (summary.get('exit_status'), status))


def check_document(validator, raw, status=None):
    doc = strict_load(decode(raw, 'document'))
    errs = schema_errors(validator, doc)
    if errs:
        raise Invalid('; '.join(errs))
    order = doc.order
    if order[:2] != ['schema', 'command'] or order[-1] != 'summary':
        raise Invalid('envelope order: keys are %s' % order)
    check_status(doc['summary'], status)


def check_jsonl(validator, raw, status=None):
    lines = raw.split(b'\n')
    if not raw.endswith(b'\n'):
        raise Invalid('the last line has no newline')
    lines.pop()
    if not lines:
        raise Invalid('no line')
    command = None
    for n, line in enumerate(lines, 1):
        where = 'line %d' % n
        try:
            rec = strict_load(decode(line, where))
            if not isinstance(rec, dict):
                raise Invalid('not an object')
            errs = schema_errors(validator, rec, 'record')
            if errs:
                raise Invalid('; '.join(errs))
            if rec.order[:3] != ['schema', 'command', 'record']:
                raise Invalid('head order: keys are %s' % rec.order)
            if command is None:
                command = rec['command']
            elif rec['command'] != command:
                raise Invalid('command %r after %r' % (rec['command'], command))
            last = n == len(lines)
            if (rec['record'] == 'summary') != last:
                raise Invalid('the summary must be the last line, and only it')
            if last:
                check_status(rec, status)
        except Invalid as e:
            raise Invalid('%s: %s' % (where, e))


def check(validator, name, jsonl, status=None):
    with open(name, 'rb') as f:
        raw = f.read()
    if jsonl or name.endswith('.jsonl'):
        check_jsonl(validator, raw, status)
    else:
        check_document(validator, raw, status)


def main(argv):
    args = argv[1:]
    tap = '--tap' in args
    invalid = '--invalid' in args
    jsonl = '--jsonl' in args
    args = [a for a in args if a not in ('--tap', '--invalid', '--jsonl')]
    status = None
    if '--status' in args:
        i = args.index('--status')
        try:
            status = int(args[i + 1])
        except (IndexError, ValueError):
            print('validate.py: --status needs a number', file=sys.stderr)
            return 2
        del args[i:i + 2]
    if len(args) < 1 or (not tap and len(args) < 2):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    if jsonschema is None:
        if tap:
            print('1..0 # SKIP python3-jsonschema not installed')
            return 0
        print('validate.py: python3-jsonschema not installed', file=sys.stderr)
        return 77
    with open(args[0], 'rb') as f:
        schema = json.loads(f.read().decode('utf-8'))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    files = []
    for a in args[1:]:
        if os.path.isdir(a):
            files += sorted(glob.glob(os.path.join(a, '*.json')) +
                            glob.glob(os.path.join(a, '*.jsonl')))
        else:
            files.append(a)
    failed = 0
    if tap:
        print('1..%d' % (len(files) + 1))
        print('ok 1 - the schema is a valid draft 2020-12 schema')
    for i, name in enumerate(files, 2):
        try:
            check(validator, name, jsonl, status)
            problem = 'valid, but should not be' if invalid else None
            why = ''
        except (Invalid, OSError) as e:
            problem = None if invalid else str(e)
            why = str(e)
        want = 'invalid' if invalid else 'valid'
        if tap:
            if problem:
                print('not ok %d - %s is %s' % (i, name, want))
                print('# ' + problem.replace('\n', '\n# '))
            else:
                why = (' (' + why[:120] + ')') if why else ''
                print('ok %d - %s is %s%s' % (i, name, want, why.replace('#', '\\#')))
        elif problem:
            print('%s: %s' % (name, problem), file=sys.stderr)
        if problem:
            failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
