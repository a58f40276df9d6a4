#!/usr/bin/env python3
"""Build the Doxygen reference for the meson 'docs-html' target.

Usage: run-doxygen.py --doxygen DOXYGEN --doxyfile DOXYFILE --srcroot SRC
                      --version-h BUILT_VERSION_H --html HTML_DIR

1. Checks that the generated API tables of docs/mainpage.md (thread safety,
   status codes) match the headers (gen-api-tables.py --check), so the
   published tables are always complete and true.
2. Stages the inputs in a temporary directory (%STAGE% in DOXYFILE), laid
   out as in the source tree: include/hogfeat/*.h (plus the generated
   version.h), docs/*.md and examples/*.c. The output then has one
   include/hogfeat directory, and every path in it is relative to the
   stage. The stage lives in the system's temporary directory because
   doxygen 1.9.4 cannot resolve links between Markdown pages whose path
   contains '~', as Debian's build directories (hogfeat-0.3.0~dev) do.
3. Removes HTML_DIR and runs doxygen. Fails when doxygen fails or prints
   anything on stderr: the Doxyfile sets WARN_AS_ERROR = YES, and a message
   doxygen does not count as a warning (a configuration problem, say) fails
   the build too. Messages name the source files, not the staged copies.
4. Makes the output independent of the build directory: doxygen 1.9.4 names
   directory pages dir_<md5 of the absolute path>.html; they are renamed
   after the md5 of the path relative to the stage.
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile


# Pages the user guide links to that other work adds to docs/. Until a page
# exists, a stub says so (and this script prints a notice), so the
# reference builds; every other broken link is an error.
PENDING_PAGES = {
    'python.md': 'Python',
    'dask.md': 'Dask',
}


def stage(srcroot, version_h, stage_dir):
    shutil.rmtree(stage_dir, ignore_errors=True)
    layout = [('include/hogfeat', '*.h'), ('docs', '*.md'), ('examples', '*.c')]
    for sub, pattern in layout:
        os.makedirs(os.path.join(stage_dir, sub))
        for path in sorted(glob.glob(os.path.join(srcroot, sub, pattern))):
            shutil.copy2(path, os.path.join(stage_dir, sub))
    shutil.copy2(version_h, os.path.join(stage_dir, 'include', 'hogfeat', 'version.h'))
    for name, title in sorted(PENDING_PAGES.items()):
        path = os.path.join(stage_dir, 'docs', name)
        if not os.path.exists(path):
            print('run-doxygen: notice: docs/%s is not in this tree; the reference shows a stub page' % name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write('# %s\n\nThis page (`docs/%s`) is not part of this source tree yet.\n' % (title, name))


def rename_dir_pages(html_dir):
    """dir_<md5 of absolute path>.html -> dir_<md5 of relative path>.html."""
    renames = {}
    for path in sorted(glob.glob(os.path.join(html_dir, 'dir_*.html'))):
        text = open(path, encoding='utf-8').read()
        chain = re.findall(r'<li class="navelem"><a class="el" href="[^"]*">([^<]*)</a>', text)
        if not chain:
            raise SystemExit('run-doxygen: cannot tell which directory %s describes' % path)
        relative = '/'.join(chain)
        new = 'dir_' + hashlib.md5(relative.encode('utf-8')).hexdigest()
        old = os.path.basename(path)[:-len('.html')]
        if new in renames.values():
            raise SystemExit('run-doxygen: two directory pages for %s' % relative)
        renames[old] = new
    if not renames:
        return
    pattern = re.compile('|'.join(re.escape(old) for old in renames))
    for path in glob.glob(os.path.join(html_dir, '*')):
        if not path.endswith(('.html', '.js', '.map', '.md5')):
            continue
        text = open(path, encoding='utf-8').read()
        updated = pattern.sub(lambda m: renames[m.group(0)], text)
        if updated != text:
            open(path, 'w', encoding='utf-8').write(updated)
    for old, new in renames.items():
        for ext in ('.html', '.map', '.md5', '.png'):
            if os.path.exists(os.path.join(html_dir, old + ext)):
                os.rename(os.path.join(html_dir, old + ext), os.path.join(html_dir, new + ext))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ('doxygen', 'doxyfile', 'srcroot', 'version-h', 'html'):
        ap.add_argument('--' + name, required=True)
    args = ap.parse_args()
    srcroot = os.path.abspath(args.srcroot)

    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'gen-api-tables.py')
    if subprocess.call([sys.executable, gen, '--headers', os.path.join(srcroot, 'include', 'hogfeat'),
                        '--page', os.path.join(srcroot, 'docs', 'mainpage.md'), '--check']) != 0:
        return 1

    tmp = tempfile.mkdtemp(prefix='hogfeat-doxygen-')
    try:
        return build(args, srcroot, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build(args, srcroot, tmp):
    stage_dir = os.path.join(tmp, 'stage')
    if '~' in stage_dir:
        print('run-doxygen: the temporary directory %s contains "~"; set TMPDIR' % tmp, file=sys.stderr)
        return 1
    stage(srcroot, args.version_h, stage_dir)
    doxyfile = os.path.join(tmp, 'Doxyfile')
    with open(args.doxyfile, encoding='utf-8') as f:
        text = f.read().replace('%STAGE%', stage_dir)
    with open(doxyfile, 'w', encoding='utf-8') as f:
        f.write(text)
    shutil.rmtree(args.html, ignore_errors=True)
    env = dict(os.environ)
    # Doxygen 1.9.4 writes no date with HTML_TIMESTAMP = NO; pin the epoch
    # anyway so nothing it stamps can depend on the clock.
    env.setdefault('SOURCE_DATE_EPOCH', '0')
    proc = subprocess.run([args.doxygen, doxyfile], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    sys.stdout.write(proc.stdout)
    messages = [line for line in proc.stderr.splitlines() if line.strip()]
    for line in messages:
        line = line.replace(os.path.join(stage_dir, 'include', 'hogfeat', 'version.h'),
                            os.path.join(srcroot, 'include', 'hogfeat', 'version.h.in'))
        print(line.replace(stage_dir, srcroot), file=sys.stderr)
    if proc.returncode != 0 or messages:
        print('run-doxygen: doxygen failed (exit %d, %d line(s) on stderr); warnings are errors'
              % (proc.returncode, len(messages)), file=sys.stderr)
        return 1
    if not os.path.isfile(os.path.join(args.html, 'index.html')):
        print('run-doxygen: %s/index.html was not written' % args.html, file=sys.stderr)
        return 1
    rename_dir_pages(args.html)
    print('run-doxygen: 0 warnings; reference in %s' % args.html)
    return 0


if __name__ == '__main__':
    sys.exit(main())
