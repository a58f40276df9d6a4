#!/usr/bin/env python3
"""ABI check: the shared library exports exactly the symbols of the version
script, each declared with HOGFEAT_API in a public header, and its SONAME is
the pinned one.  Usage: check-symbols.py LIB.so SYMFILE HEADER_DIR SONAME"""
import os
import re
import subprocess
import sys


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 5:
        fail(__doc__)
    lib, symfile, header_dir, soname = sys.argv[1:]
    for path in (lib, symfile, header_dir):
        if not os.path.exists(path):
            fail('missing input: ' + path)

    # Version script: nodes and their global symbols.
    text = re.sub(r'/\*.*?\*/', '', open(symfile).read(), flags=re.S)
    nodes = re.findall(r'(HOGFEAT_[0-9.]+)\s*\{(.*?)\}\s*(?:HOGFEAT_[0-9.]+)?\s*;', text, flags=re.S)
    if not nodes:
        fail('no version node in ' + symfile)
    script = {}
    for node, body in nodes:
        if 'local:' in body and not re.search(r'local:\s*\*\s*;', body):
            fail(node + ': local section must be "local: *;"')
        glob = body.split('local:')[0].replace('global:', '')
        for sym in re.findall(r'([A-Za-z_][A-Za-z0-9_]*)\s*;', glob):
            if sym in script:
                fail('%s listed twice (%s and %s)' % (sym, script[sym], node))
            script[sym] = node
    if not re.search(r'local:\s*\*\s*;', text):
        fail('version script lacks "local: *;"')

    # Exported symbols of the library, with their version node.
    out = subprocess.run(['nm', '-D', '--defined-only', '--with-symbol-versions', lib],
                         check=True, capture_output=True, text=True).stdout
    exported = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == 'A':  # the version node definitions themselves
            continue
        base, _, ver = name.partition('@')
        exported[base] = ver.lstrip('@')
    bad = sorted(s for s in exported if not s.startswith('hogfeat_'))
    if bad:
        fail('exported symbols outside the hogfeat_ prefix: ' + ', '.join(bad))
    if set(exported) != set(script):
        fail('exported but not in the version script: %s; in the script but not exported: %s' % (
            sorted(set(exported) - set(script)), sorted(set(script) - set(exported))))
    for sym, node in script.items():
        if exported[sym] != node:
            fail('%s is exported in node %s, the script says %s' % (sym, exported[sym], node))

    # Public declarations marked HOGFEAT_API.
    declared = set()
    for name in sorted(os.listdir(header_dir)):
        if not (name.endswith('.h') or name.endswith('.h.in')):
            continue
        src = open(os.path.join(header_dir, name)).read()
        for m in re.finditer(r'HOGFEAT_API\b[^;{]*?\b(hogfeat_[a-z0-9_]+)\s*\(', src, flags=re.S):
            declared.add(m.group(1))
    if declared != set(script):
        fail('declared with HOGFEAT_API but not in the script: %s; in the script but not declared: %s' % (
            sorted(declared - set(script)), sorted(set(script) - declared)))

    # SONAME.
    dyn = subprocess.run(['objdump', '-p', lib], check=True, capture_output=True, text=True).stdout
    m = re.search(r'^\s*SONAME\s+(\S+)', dyn, flags=re.M)
    if not m or m.group(1) != soname:
        fail('SONAME is %s, expected %s' % (m.group(1) if m else 'missing', soname))

    print('abi: %d symbols in %d version node(s), SONAME %s' % (len(script), len(nodes), soname))


if __name__ == '__main__':
    main()
