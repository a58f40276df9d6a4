#!/usr/bin/env python3
"""Generate the API tables of docs/mainpage.md from the public headers.

Two tables are derived from include/hogfeat/*.h, so they cannot drift:

* the thread-safety table: every function declared with HOGFEAT_API, its
  header, the release that added it (@since) and its @threadsafety text;
* the status-code table: every value of enum hogfeat_status in status.h with
  its pinned number and its documentation.

Each table sits in mainpage.md between "<!-- BEGIN name -->" and
"<!-- END name -->" lines.

Usage:
  gen-api-tables.py --headers DIR --page docs/mainpage.md --check
      exit 1 (and say what to run) when the committed tables are stale or a
      public function lacks @threadsafety or @since;
  gen-api-tables.py --headers DIR --page docs/mainpage.md --update
      rewrite the tables in place;
  gen-api-tables.py --headers DIR --page docs/mainpage.md --output FILE
      write the page with fresh tables to FILE (used by the Doxygen build).
"""
import argparse
import os
import re
import sys

DECL = re.compile(
    r'/\*\*((?:(?!\*/).)*?)\*/\s*'          # the doc block right before ...
    r'(?:HOGFEAT_DEPRECATED\s*\([^)]*\)\s*)?'
    r'HOGFEAT_API\s+[^;{}]*?\b(hogfeat_\w+)\s*\(',  # ... a HOGFEAT_API declaration
    re.S)
ANY_DECL = re.compile(r'HOGFEAT_API\s+[^;{}]*?\b(hogfeat_\w+)\s*\(', re.S)
STATUS = re.compile(r'\b(HOGFEAT_(?:OK|ERR_\w+))\s*=\s*(\d+)\s*,?\s*/\*\*<\s*(.*?)\s*\*/', re.S)


def clean(text):
    """Doc-comment text -> one line of Markdown."""
    text = re.sub(r'^\s*\*\s?', '', text, flags=re.M)
    text = ' '.join(text.split())
    text = re.sub(r'[@\\]p\s+(\w+)', r'`\1`', text)
    text = re.sub(r'[@\\]c\s+(\w+)', r'`\1`', text)
    return text.replace('|', '\\|')


def command(doc, name):
    """Text of one @command up to the next @command or the end of the block."""
    m = re.search(r'[@\\]' + name + r'\b(.*?)(?=[@\\](?:param|return|threadsafety|since|brief|par|note|'
                  r'deprecated|see|pre|post|warning)\b|\Z)', doc, re.S)
    return clean(m.group(1)) if m else None


def scan(headers_dir):
    functions, problems, statuses = [], [], []
    seen = set()
    for fname in sorted(os.listdir(headers_dir)):
        if not (fname.endswith('.h') or fname.endswith('.h.in')):
            continue
        text = open(os.path.join(headers_dir, fname), encoding='utf-8').read()
        fname = fname[:-3] if fname.endswith('.in') else fname  # version.h.in -> version.h
        documented = set()
        for m in DECL.finditer(text):
            doc, func = m.group(1), m.group(2)
            # A block followed by code before the declaration is not its doc.
            if '*/' in doc:
                continue
            documented.add(func)
            safety = command(doc, 'threadsafety')
            since = command(doc, 'since')
            if not safety:
                problems.append('%s (%s): no @threadsafety' % (func, fname))
                safety = '**undocumented**'
            if not since:
                problems.append('%s (%s): no @since' % (func, fname))
                since = '?'
            if func in seen:
                problems.append('%s declared twice' % func)
            seen.add(func)
            functions.append((func, fname, since.rstrip('.'), safety))
        for m in ANY_DECL.finditer(text):
            if m.group(1) not in documented:
                problems.append('%s (%s): HOGFEAT_API declaration without a doc block' % (m.group(1), fname))
        if fname == 'status.h':
            statuses = [(int(v), n, clean(d)) for n, v, d in STATUS.findall(text)]
    if not statuses:
        problems.append('status.h: no hogfeat_status values found')
    return functions, statuses, problems


def threadsafety_table(functions):
    rows = ['| Function | Header | Since | Thread safety |', '|---|---|---|---|']
    for func, fname, since, safety in functions:
        rows.append('| %s() | %s | %s | %s |' % (func, fname, since, safety))
    return '\n'.join(rows)


def status_table(statuses):
    rows = ['| Value | Name | Meaning |', '|---:|---|---|']
    for value, name, doc in sorted(statuses):
        rows.append('| %d | ::%s | %s |' % (value, name, doc))
    return '\n'.join(rows)


def render(page, tables):
    for name, body in tables.items():
        pattern = re.compile(r'(<!-- BEGIN %s -->\n).*?(<!-- END %s -->)' % (name, name), re.S)
        if not pattern.search(page):
            raise SystemExit('gen-api-tables: the page lacks the <!-- BEGIN %s --> / <!-- END %s --> markers'
                             % (name, name))
        page = pattern.sub(lambda m: m.group(1) + body + '\n' + m.group(2), page)
    return page


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--headers', required=True, help='directory of the public headers')
    ap.add_argument('--page', required=True, help='docs/mainpage.md')
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument('--check', action='store_true')
    mode.add_argument('--update', action='store_true')
    mode.add_argument('--output')
    args = ap.parse_args()

    functions, statuses, problems = scan(args.headers)
    page = open(args.page, encoding='utf-8').read()
    fresh = render(page, {'threadsafety': threadsafety_table(functions), 'status-codes': status_table(statuses)})
    if problems:
        print('gen-api-tables: the public headers are incomplete:', file=sys.stderr)
        for p in problems:
            print('  ' + p, file=sys.stderr)
        return 1
    if args.update:
        if fresh != page:
            open(args.page, 'w', encoding='utf-8').write(fresh)
            print('gen-api-tables: updated %s (%d functions, %d status codes)'
                  % (args.page, len(functions), len(statuses)))
        return 0
    if args.output:
        open(args.output, 'w', encoding='utf-8').write(fresh)
        return 0
    if fresh != page:
        print('gen-api-tables: the tables in %s are stale (the headers changed).\n'
              'Run: python3 docs/gen-api-tables.py --headers include/hogfeat --page docs/mainpage.md --update'
              % args.page, file=sys.stderr)
        old = set(re.findall(r'^\| (hogfeat_\w+)\(\)', page, re.M))
        new = {f[0] for f in functions}
        if new - old:
            print('  missing from the table: ' + ', '.join(sorted(new - old)), file=sys.stderr)
        if old - new:
            print('  in the table but not declared: ' + ', '.join(sorted(old - new)), file=sys.stderr)
        return 1
    print('gen-api-tables: %s is up to date (%d functions, %d status codes)'
          % (args.page, len(functions), len(statuses)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
