#!/bin/bash
# examples/train_digits on CMATERdb: accuracy at least 95 % (the reference
# pipeline reaches 96.4 %) and a model file written. Skipped (77) when the
# data is absent. Usage: test-train-digits.sh TRAIN_DIGITS DATA_DIR
set -euo pipefail
exe=${1:?usage: test-train-digits.sh TRAIN_DIGITS DATA_DIR}
data=${2:?usage: test-train-digits.sh TRAIN_DIGITS DATA_DIR}
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] && [ ! -f "$data/train-images-idx3-ubyte" ]; then
    echo "SKIP: CMATERdb not found in $data (set HOGFEAT_DATA_DIR and reconfigure)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-train-digits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$exe" "$data" "$tmp/digits.model" | tee "$tmp/out"
acc=$(sed -n 's/^test accuracy: \([0-9.]*\) %.*/\1/p' "$tmp/out")
[ -s "$tmp/digits.model" ] || { echo "FAIL: no model written"; exit 1; }
awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }' || { echo "FAIL: accuracy $acc % < 95 %"; exit 1; }
set +e
"$exe" "$tmp/nowhere" "$tmp/x.model" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q HOGFEAT_ERR_IO "$tmp/err" || { echo "FAIL: a missing directory gave $rc: $(cat "$tmp/err")"; exit 1; }
echo "ok: accuracy $acc %, model $(stat -c %s "$tmp/digits.model") bytes; a missing directory: $(cat "$tmp/err")"
