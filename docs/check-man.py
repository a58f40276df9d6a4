#!/usr/bin/env python3
"""Checks of the hogfeat(1) manual page, run by meson test (suite 'docs').

  check-man.py --groff GROFF --lint PAGE
      fails on any message of `groff -ww -man -Tutf8 -z PAGE` (every warning
      category enabled);
  check-man.py --groff GROFF --options HOGFEAT PAGE
      fails unless every command listed by `hogfeat --help` has a section
      "hogfeat COMMAND ..." in the page, and every option printed by
      `hogfeat COMMAND --help` appears in that section (or, for the feature
      options, in FEATURE OPTIONS when the section refers to it); the
      options of `hogfeat --help` itself must appear in OPTIONS.
"""
import argparse
import re
import subprocess
import sys

OPTION_LINE = re.compile(r'^\s{1,8}(-[A-Za-z0-9](?:,\s*--[A-Za-z0-9][\w-]*)?|--[A-Za-z0-9][\w-]*)')
OPTION = re.compile(r'(?<![\w-])(--?[A-Za-z0-9][\w-]*)')


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return proc.returncode, proc.stdout, proc.stderr


def lint(groff, page):
    rc, out, err = run([groff, '-ww', '-man', '-Tutf8', '-z', page])
    messages = [line for line in (out + err).splitlines() if line.strip()]
    for line in messages:
        print(line)
    if rc != 0 or messages:
        print('FAIL: groff -ww reported %d message(s) (exit %d) for %s' % (len(messages), rc, page))
        return 1
    print('ok: groff -ww -man -Tutf8 -z %s: no warnings' % page)
    return 0


def help_options(text):
    """Options defined on the option lines of a --help text."""
    found = []
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            for opt in OPTION.findall(m.group(1)):
                if opt not in found:
                    found.append(opt)
    return found


def sections(rendered):
    """Map heading -> body text of the rendered page (.SH and .SS headings)."""
    result, current = {}, None
    for line in rendered.splitlines():
        if re.match(r'^\S', line) or re.match(r'^ {3}\S', line):  # .SH at column 0, .SS at column 3
            current = line.strip()
            result[current] = ''
        elif current is not None:
            result[current] += line + '\n'
    return result


def options(groff, hogfeat, page):
    # No hyphenation, very long lines: every option stays whole on one line.
    rc, rendered, err = run([groff, '-man', '-Tascii', '-P-cbou', '-rHY=0', '-rLL=300n', page])
    if rc != 0:
        print(err)
        print('FAIL: groff could not render ' + page)
        return 1
    secs = sections(rendered)
    failures = []

    rc, top, err = run([hogfeat, '--help'])
    if rc != 0:
        print('FAIL: %s --help exited %d: %s' % (hogfeat, rc, err))
        return 1
    commands = re.findall(r'^\s+hogfeat\s+([a-z][\w-]*)\s', top, re.M)
    if not commands:
        failures.append('no command found in `hogfeat --help`')
    for opt in help_options(top):
        if not re.search(r'(?<![\w-])' + re.escape(opt) + r'(?![\w-])', secs.get('OPTIONS', '')):
            failures.append('hogfeat %s: missing from OPTIONS' % opt)

    feature = secs.get('FEATURE OPTIONS', '')
    checked = 0
    for cmd in commands:
        heading = next((h for h in secs if h.startswith('hogfeat %s ' % cmd) or h == 'hogfeat ' + cmd), None)
        if heading is None:
            failures.append('command %s: no section "hogfeat %s ..." under COMMANDS' % (cmd, cmd))
            continue
        body = heading + '\n' + secs[heading]
        rc, text, err = run([hogfeat, cmd, '--help'])
        if rc != 0:
            failures.append('hogfeat %s --help exited %d' % (cmd, rc))
            continue
        for opt in help_options(text):
            checked += 1
            pattern = r'(?<![\w-])' + re.escape(opt) + r'(?![\w-])'
            if re.search(pattern, body):
                continue
            if 'FEATURE OPTIONS' in body and re.search(pattern, feature):
                continue
            failures.append('hogfeat %s %s: printed by --help, missing from the man page section "%s"'
                            % (cmd, opt, heading))
    for f in failures:
        print('FAIL: ' + f)
    if failures:
        print('%d option(s) or command(s) of --help are not in %s' % (len(failures), page))
        return 1
    print('ok: %d commands, %d command options and the global options of --help are all in %s'
          % (len(commands), checked, page))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--groff', default='groff')
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument('--lint', action='store_true')
    mode.add_argument('--options', metavar='HOGFEAT')
    ap.add_argument('page')
    args = ap.parse_args()
    if args.lint:
        return lint(args.groff, args.page)
    return options(args.groff, args.options, args.page)


if __name__ == '__main__':
    sys.exit(main())
