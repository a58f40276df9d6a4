#!/bin/bash
# Accuracy of one documented `hogfeat train` invocation on a real
# MNIST-format dataset, with its extraction and training times.
#
# Usage: test-cli-accuracy.sh HOGFEAT NAME DIR MIN_ACCURACY TRAIN_OPTIONS...
#   Trains with TRAIN_OPTIONS on the train split of DIR, evaluates on its
#   test split, prints accuracy and times, and fails below MIN_ACCURACY (%).
#   The times are printed, not judged: they depend on the machine and its
#   load (the goal on the 2-core reference machine is extract + train
#   <= 10 s for CMATERdb; docs/user-guide.md has the measured figures).
# Exits 77 (skipped) with a message when DIR lacks the IDX files.
set -euo pipefail

HOGFEAT=${1:?usage: test-cli-accuracy.sh HOGFEAT NAME DIR MIN_ACCURACY TRAIN_OPTIONS...}
NAME=${2:?} DATA=${3:?} MIN=${4:?}
shift 4
# meson passes a path relative to the build directory; the test cds elsewhere.
[[ "$HOGFEAT" = /* ]] || HOGFEAT=$PWD/$HOGFEAT

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

have() { [ -f "$DATA/$1" ] || [ -f "$DATA/$1.gz" ]; }
if [ ! -d "$DATA" ] || ! have train-images-idx3-ubyte || ! have train-labels-idx1-ubyte ||
   ! have t10k-images-idx3-ubyte || ! have t10k-labels-idx1-ubyte; then
    echo "SKIP: $NAME: no MNIST-format IDX files in '$DATA'" \
         "(for CMATERdb set HOGFEAT_DATA_DIR=DIR when configuring)"
    exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-accuracy.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $NAME: $*"; exit 1; }

echo "data: $NAME in $DATA"
echo "command: hogfeat train $* DATA -o MODEL"
"$HOGFEAT" train "$@" "$DATA" -o "$WORK/model" | tee "$WORK/train.txt"
"$HOGFEAT" eval "$WORK/model" "$DATA" | tee "$WORK/eval.txt"

acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' "$WORK/eval.txt")
extract=$(sed -n 's/^extract: \([0-9.]*\) s.*/\1/p' "$WORK/train.txt")
train=$(sed -n 's/^train: \([0-9.]*\) s.*/\1/p' "$WORK/train.txt")
total=$(sed -n 's/^total: \([0-9.]*\) s.*/\1/p' "$WORK/train.txt")
[ -n "$acc" ] || fail "eval printed no accuracy line"
[ -n "$extract" ] && [ -n "$train" ] && [ -n "$total" ] || fail "train printed no extract/train/total times"
echo "$NAME: accuracy $acc% (required >= $MIN%); training: extract $extract s + fit $train s = $total s" \
     "(goal on the 2-core reference machine: <= 10 s)"
awk -v a="$acc" -v m="$MIN" 'BEGIN { exit !(a >= m) }' || fail "accuracy $acc% < $MIN%"
echo "PASS: $NAME"
