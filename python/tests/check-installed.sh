#!/bin/bash
# The installed Python package, used as a user would: meson install into a
# scratch DESTDIR, then, from a clean environment with only PYTHONPATH and
# LD_LIBRARY_PATH set, `import hogfeat` must work, and without the library
# it must fail with a message that says what to do.
# Usage: check-installed.sh BUILD_DIR PYTHON
set -euo pipefail
build=${1:?usage: check-installed.sh BUILD_DIR PYTHON}
py=${2:?usage: check-installed.sh BUILD_DIR PYTHON}
src=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-py-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT

if ! log=$(meson install -C "$build" --destdir "$dest" --no-rebuild 2>&1); then
  printf '%s\n' "$log" | tail -n 20 >&2
  echo "$(basename "$0"): meson install into $dest failed (output above)" >&2
  exit 1
fi
init=$(find "$dest" -path '*/hogfeat/__init__.py' | head -n 1)
[ -n "$init" ] || { echo "check-installed: no hogfeat/__init__.py under $dest"; exit 1; }
lib=$(find "$dest" -name libhogfeat.so.0 | head -n 1)
[ -n "$lib" ] || { echo "check-installed: no libhogfeat.so.0 under $dest"; exit 1; }
pkgdir=$(dirname "$init")
pydir=$(dirname "$pkgdir")
libdir=$(dirname "$lib")
echo "package: $pkgdir"
echo "library: $lib"

# Every module of the source package is installed, plus the generated _version.py.
want=$( (cd "$src/python/hogfeat" && ls ./*.py; echo ./_version.py) | sed 's|^\./||' | sort -u)
have=$( (cd "$pkgdir" && ls ./*.py) | sed 's|^\./||' | sort -u)
if [ "$want" != "$have" ]; then
    echo "check-installed: installed modules differ from python/hogfeat:"
    diff <(echo "$want") <(echo "$have") || true
    exit 1
fi

# A clean environment (only what a sanitizer build needs is passed on).
user_env=(env -i HOME="${HOME:-/tmp}" PATH=/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8)
for v in LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS; do
    [ -z "${!v:-}" ] || user_env+=("$v=${!v}")
done

cd "$dest"   # not the source tree: nothing can be imported from there
out=$("${user_env[@]}" PYTHONPATH="$pydir" LD_LIBRARY_PATH="$libdir" "$py" -c '
import numpy as np, hogfeat
print(hogfeat.__version__)
print(hogfeat.library_path())
assert hogfeat.hog(np.zeros((16, 16), np.uint8), pixels_per_cell=(4, 4), cells_per_block=(2, 2)).shape == (324,)
')
echo "import hogfeat: $out" | head -n 1
version=$(sed -n 1p <<<"$out")
loaded=$(sed -n 2p <<<"$out")
expected=$(meson introspect --projectinfo "$build" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["version"])')
[ "$version" = "$expected" ] || { echo "check-installed: __version__ $version, project $expected"; exit 1; }
case "$loaded" in
    "$dest"/*) ;;
    *) echo "check-installed: loaded $loaded, not the installed library"; exit 1 ;;
esac
echo "loaded: $loaded"

# Without the library: a clear ImportError (unless one is installed system-wide).
if "${user_env[@]}" "$py" -c 'import ctypes; ctypes.CDLL("libhogfeat.so.0")' 2>/dev/null; then
    echo "check-installed: a libhogfeat.so.0 is installed system-wide; the absent-library case is not checked"
else
    set +e
    err=$("${user_env[@]}" PYTHONPATH="$pydir" "$py" -c 'import hogfeat' 2>&1)
    rc=$?
    set -e
    [ $rc -ne 0 ] || { echo "check-installed: import hogfeat worked without the library"; exit 1; }
    echo "without the library: $(tail -n 1 <<<"$err")"
    grep -q 'ImportError: hogfeat: the C library libhogfeat.so.0 was not found' <<<"$err" || {
        echo "check-installed: unclear message:"; echo "$err"; exit 1; }
fi
echo "check-installed: OK"
