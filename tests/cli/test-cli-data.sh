#!/bin/bash
# Accuracy of `hogfeat train` + `hogfeat eval` with the default options on
# CMATERdb 3.1.1 (Bangla digits, MNIST IDX layout) in $HOGFEAT_TEST_DATA.
#
# Usage: test-cli-data.sh PATH/TO/hogfeat
# Exits 77 (skipped) when the data is absent; fails below MIN_ACCURACY.
set -euo pipefail

HOGFEAT=${1:?usage: test-cli-data.sh PATH/TO/hogfeat}
# meson passes a path relative to the build directory; the tests cd elsewhere.
[[ "$HOGFEAT" = /* ]] || HOGFEAT=$PWD/$HOGFEAT
MIN_ACCURACY=96.4
DATA=${HOGFEAT_TEST_DATA:-}

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

have() { [ -f "$DATA/$1" ] || [ -f "$DATA/$1.gz" ]; }
if [ -z "$DATA" ] || ! have train-images-idx3-ubyte || ! have train-labels-idx1-ubyte ||
   ! have t10k-images-idx3-ubyte || ! have t10k-labels-idx1-ubyte; then
    echo "SKIP: no CMATERdb IDX files in '${DATA:-<HOGFEAT_TEST_DATA unset>}'" \
         "(configure with HOGFEAT_DATA_DIR=DIR in the environment, or run this script with HOGFEAT_TEST_DATA=DIR)"
    exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-cli-data.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "data: $DATA"
"$HOGFEAT" train "$DATA" -o "$WORK/model"
"$HOGFEAT" eval "$WORK/model" "$DATA" | tee "$WORK/eval.txt"

acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' "$WORK/eval.txt")
[ -n "$acc" ] || { echo "FAIL: eval printed no accuracy line"; exit 1; }
echo "CMATERdb accuracy with the default options: $acc% (required: >= $MIN_ACCURACY%)"
if awk -v a="$acc" -v m="$MIN_ACCURACY" 'BEGIN { exit !(a >= m) }'; then
    echo "PASS"
else
    echo "FAIL: accuracy $acc% is below $MIN_ACCURACY%"
    exit 1
fi
