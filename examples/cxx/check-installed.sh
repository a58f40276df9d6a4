#!/bin/bash
# The C++ example built as a downstream C++ project would build it: against
# the INSTALLED library (meson install into a scratch DESTDIR), with flags
# from pkg-config only, c++ -std=c++17, run with LD_LIBRARY_PATH.
# (scripts/check-install does the same for C.)
# Usage: examples/cxx/check-installed.sh BUILD_DIR [MNIST_DIR]
# HOGFEAT_SANITIZE (meson's b_sanitize, e.g. address,undefined): the library
# was built with sanitizers, so the program must be too (-fsanitize=...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: check-installed.sh BUILD_DIR [MNIST_DIR]}
data=${2:-}
cxx=${CXX:-c++}
command -v "$cxx" >/dev/null || { echo "check-installed: no C++ compiler ($cxx); skipping"; exit 77; }
command -v pkg-config >/dev/null || { echo "check-installed: pkg-config not found; skipping"; exit 77; }
dest=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-cxx-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT

if ! log=$(meson install -C "$build" --destdir "$dest" --no-rebuild 2>&1); then
  printf '%s\n' "$log" | tail -n 20 >&2
  echo "$(basename "$0"): meson install into $dest failed (output above)" >&2
  exit 1
fi
pc=$(find "$dest" -name hogfeat.pc | head -n 1)
[ -n "$pc" ] || { echo "check-installed: no hogfeat.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
libdir=$(pkg-config --variable=libdir hogfeat)
[[ "$libdir" = "$dest"* ]] || libdir=$dest$libdir

sanitize=()
case "${HOGFEAT_SANITIZE:-none}" in
    none | "") ;;
    *) sanitize=("-fsanitize=$HOGFEAT_SANITIZE") ;;
esac

# Only the example's own directory and what pkg-config says: no source tree.
# shellcheck disable=SC2046
"$cxx" -std=c++17 -Wall -Wextra -Wpedantic -Werror "${sanitize[@]}" -I"$here" "$here/digits.cpp" \
    $(pkg-config --cflags --libs hogfeat) -o "$dest/digits"
LD_LIBRARY_PATH=$libdir ldd "$dest/digits" | grep -q "libhogfeat.so.0 => $libdir/" || {
    echo "check-installed: digits is not linked to the installed libhogfeat.so.0"; exit 1; }
LD_LIBRARY_PATH=$libdir "$dest/digits"
if [ -n "$data" ] && { [ -f "$data/train-images-idx3-ubyte.gz" ] || [ -f "$data/train-images-idx3-ubyte" ]; }; then
    LD_LIBRARY_PATH=$libdir "$dest/digits" "$data"
else
    echo "check-installed: no MNIST-layout data given or found (${data:-none}); the training part is not run"
fi
echo "check-installed: OK (C++17, pkg-config $(pkg-config --modversion hogfeat), installed library)"
