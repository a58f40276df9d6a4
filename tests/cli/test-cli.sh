#!/bin/bash
# End-to-end test of the hogfeat command-line tool.
#
# Usage: test-cli.sh PATH/TO/hogfeat
#
# Builds its own tiny data: an MNIST-format directory (three easy classes of
# synthetic 16x16 images: horizontal, vertical and diagonal strokes; the test
# split gzip-compressed) and a PGM folder with labels.txt, using only the
# Python 3 standard library. Then runs train -> eval -> predict -> info ->
# extract (npy, libsvm) -> bench and checks outputs and exit codes.
set -euo pipefail

HOGFEAT=${1:?usage: test-cli.sh PATH/TO/hogfeat}
# meson passes a path relative to the build directory; the tests cd elsewhere.
[[ "$HOGFEAT" = /* ]] || HOGFEAT=$PWD/$HOGFEAT
PYTHON3=${PYTHON3:-python3}
# Under sanitizers, make a report abort (exit 134) so that it can never pass
# for an expected exit status 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hogfeat-cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

STEP=""
step() { STEP=$*; echo "== $*"; }
fail() {
    echo "FAIL [$STEP]: $*" >&2
    exit 1
}

# run WANT CMD...: run CMD with stdout in out.txt and stderr in err.txt, and
# check the exit status.
run() {
    local want=$1 got=0
    shift
    "$@" >out.txt 2>err.txt || got=$?
    if [ "$got" -ne "$want" ]; then
        echo "--- stdout:"; cat out.txt
        echo "--- stderr:"; cat err.txt
        fail "exit status $got, expected $want: $*"
    fi
}
out_has() { grep -Eq -e "$1" out.txt || { cat out.txt; fail "stdout lacks /$1/"; }; }
err_has() { grep -Eq -e "$1" err.txt || { cat err.txt; fail "stderr lacks /$1/"; }; }

# ---------------------------------------------------------------- data
step "generate data"
"$PYTHON3" - <<'PY'
import gzip, os, random, struct

rng = random.Random(12345)
W = H = 16

def draw(cls):
    img = [[rng.randrange(0, 40) for _ in range(W)] for _ in range(H)]
    t = rng.choice((2, 3))
    lo, hi = rng.randrange(1, 4), rng.randrange(12, 15)
    if cls == 0:    # horizontal stroke
        y = rng.randrange(3, 12)
        for yy in range(y, y + t):
            for x in range(lo, hi):
                img[yy][x] = rng.randrange(200, 256)
    elif cls == 1:  # vertical stroke
        x = rng.randrange(3, 12)
        for xx in range(x, x + t):
            for y in range(lo, hi):
                img[y][xx] = rng.randrange(200, 256)
    else:           # diagonal stroke
        off = rng.randrange(-3, 4)
        for i in range(lo, hi):
            for d in range(t):
                x, y = i, i + off + d
                if 0 <= y < H:
                    img[y][x] = rng.randrange(200, 256)
    return img

def make(n_per_class, classes):
    items = [(c, draw(c)) for c in classes for _ in range(n_per_class)]
    rng.shuffle(items)
    return items

def write_idx(path, items, compress=False):
    images = struct.pack(">IIII", 0x803, len(items), H, W) + bytes(
        v for _, img in items for row in img for v in row)
    labels = struct.pack(">II", 0x801, len(items)) + bytes(c for c, _ in items)
    opener = gzip.open if compress else open
    suffix = ".gz" if compress else ""
    with opener(f"mnist/{path}-images-idx3-ubyte{suffix}", "wb") as f:
        f.write(images)
    with opener(f"mnist/{path}-labels-idx1-ubyte{suffix}", "wb") as f:
        f.write(labels)

def write_pgm(path, img, kind="P5"):
    with open(path, "wb") as f:
        if kind == "P5":
            f.write(b"P5\n# synthetic\n%d %d\n255\n" % (W, H) + bytes(v for row in img for v in row))
        elif kind == "P5-16":
            f.write(b"P5 %d %d 65535\n" % (W, H) +
                    b"".join(struct.pack(">H", v * 257) for row in img for v in row))
        else:
            f.write(b"P2\n%d %d\n255\n" % (W, H) +
                    "\n".join(" ".join(str(v) for v in row) for row in img).encode() + b"\n")

os.makedirs("mnist")
write_idx("train", make(100, (0, 1, 2)))
write_idx("t10k", make(30, (0, 1, 2)), compress=True)

# PGM folder: arbitrary int32 labels per class, mixed PGM variants.
pgm_label = {0: -7, 1: 2147483647, 2: 40}
os.makedirs("pgm")
kinds = ("P5", "P5", "P2", "P5-16")
with open("pgm/labels.txt", "w") as f:
    f.write("# synthetic strokes: FILENAME LABEL\n\n")
    for i, (c, img) in enumerate(make(20, (0, 1, 2))):
        name = f"img {i:03d}.pgm" if i % 10 == 0 else f"img{i:03d}.pgm"  # some names with a space
        write_pgm(f"pgm/{name}", img, kinds[i % 4])
        f.write(f"{name}\t{pgm_label[c]}" + ("   # trailing comment\n" if i % 7 == 0 else "\n"))

# Images to predict, with the expected MNIST label in the name.
os.makedirs("predict")
for i, (c, img) in enumerate(make(4, (0, 1, 2))):
    write_pgm(f"predict/q{i:02d}_class{c}.pgm", img, kinds[i % 4])

# 24x24 images, for a model trained on 16x16 ones.
os.makedirs("big")
with open("big/labels.txt", "w") as f:
    for i in range(3):
        W = H = 24
        write_pgm(f"big/{'abc'[i]}.pgm", draw(i))
        f.write(f"{'abc'[i]}.pgm {i}\n")
W = H = 16

# Bad labels files.
for name, line in (("range", "a.pgm 99999999999"), ("word", "a.pgm seven"), ("short", "a.pgm")):
    os.makedirs(f"bad-{name}")
    write_pgm(f"bad-{name}/a.pgm", draw(0))
    with open(f"bad-{name}/labels.txt", "w") as f:
        f.write("# comment\n\n" + line + "\n")
PY

# -------------------------------------------------------------- help etc.
step "help and version"
run 0 "$HOGFEAT" --help
out_has '^Usage: hogfeat'
out_has 'Exit status'
out_has '^  2  usage error'
run 0 "$HOGFEAT" --version
out_has '^hogfeat [0-9]+\.[0-9]+\.[0-9]+$'
for cmd in train eval predict info extract bench; do
    run 0 "$HOGFEAT" "$cmd" --help
    out_has "^Usage: hogfeat $cmd"
    run 0 "$HOGFEAT" help "$cmd"
    out_has "^Usage: hogfeat $cmd"
done
run 0 "$HOGFEAT" train --help
for opt in --cell --block --bins --norm --sqrt --signed --blur --resize --classifier --svm-c \
           --loss --bias --tol --max-iter --seed --k --metric --weighting --threads \
           --hog-cells --lbp-cells --map --multiclass --probability --jitter --jitter-px; do
    out_has "$opt"
done
out_has '--cell N .*\(default 4\)'
out_has '--svm-c C .*\(default 0\.1\)'

# ---------------------------------------------------------- usage errors
step "usage errors exit 2"
run 2 "$HOGFEAT"
run 2 "$HOGFEAT" frobnicate
err_has "unknown command 'frobnicate'"
run 2 "$HOGFEAT" --bogus
run 2 "$HOGFEAT" train --bogus mnist -o m.model
err_has "hogfeat train: unknown .*--bogus"
run 2 "$HOGFEAT" train mnist
err_has 'missing -o'
run 2 "$HOGFEAT" train -o m.model
err_has 'missing operand'
run 2 "$HOGFEAT" train mnist extra -o m.model
run 2 "$HOGFEAT" train mnist -o
run 2 "$HOGFEAT" train --cell 0 mnist -o m.model
run 2 "$HOGFEAT" train --cell x mnist -o m.model
run 2 "$HOGFEAT" train --norm L3 mnist -o m.model
run 2 "$HOGFEAT" train --blur -1 mnist -o m.model
run 2 "$HOGFEAT" train --resize 10by10 mnist -o m.model
run 2 "$HOGFEAT" train --classifier tree mnist -o m.model
run 2 "$HOGFEAT" train --threads 1000 mnist -o m.model
run 2 "$HOGFEAT" eval m.model
run 2 "$HOGFEAT" eval
run 2 "$HOGFEAT" predict m.model
run 2 "$HOGFEAT" info
run 2 "$HOGFEAT" info a b
run 2 "$HOGFEAT" extract mnist
run 2 "$HOGFEAT" extract --format csv mnist -o f
run 2 "$HOGFEAT" bench
run 2 "$HOGFEAT" bench --split train mnist
[ ! -e m.model ] || fail "a usage error created a model file"

# --------------------------------------------------------- train (SVM)
step "train svm"
run 0 "$HOGFEAT" train --threads 2 mnist -o svm.model
out_has '^data: .*300 images'
out_has '^features: 324 per image$'
out_has '^extract: [0-9.]+ s'
out_has '^train: [0-9.]+ s'
out_has '^model: svm\.model'
[ -s svm.model ] || fail "no model written"
[ ! -s err.txt ] || { cat err.txt; fail "train wrote to stderr"; }

step "determinism: same seed, any thread count, same bytes"
run 0 "$HOGFEAT" train -q --threads 1 mnist -o svm2.model
[ ! -s out.txt ] || fail "-q still printed"
cmp svm.model svm2.model || fail "models differ between --threads 2 and --threads 1"
run 0 "$HOGFEAT" train -q --threads 3 mnist -o svm2.model
cmp svm.model svm2.model || fail "models differ between --threads 2 and --threads 3"

# ---------------------------------------------------------------- eval
step "eval svm"
run 0 "$HOGFEAT" eval svm.model mnist
out_has '^accuracy: [0-9]+\.[0-9]{2}%$'
out_has '^correct: [0-9]+ / 90$'
out_has '^per-class:'
out_has '^confusion matrix'
out_has '^extract: [0-9.]+ s'
out_has '^predict: [0-9.]+ s'
acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' out.txt)
echo "svm accuracy on the synthetic test split: $acc%"
awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }' || fail "accuracy $acc% < 95%"
# The confusion matrix has one row per class and its cells sum to 90.
total=$(awk '/^confusion matrix/ { m = 1; getline; next } m && NF == 4 { s += $2 + $3 + $4 } END { print s }' out.txt)
[ "$total" = 90 ] || fail "confusion matrix sums to $total, expected 90"
run 0 "$HOGFEAT" eval -q svm.model mnist
[ "$(wc -l <out.txt)" -eq 1 ] || fail "eval -q printed more than the accuracy line"
out_has '^accuracy: '
run 0 "$HOGFEAT" eval --split train svm.model mnist
out_has '^correct: [0-9]+ / 300$'

# ------------------------------------------------------------- predict
step "predict"
run 0 "$HOGFEAT" predict svm.model predict/*.pgm
[ "$(wc -l <out.txt)" -eq 12 ] || fail "predict printed $(wc -l <out.txt) lines, expected 12"
wrong=0
while IFS=$'\t' read -r path label; do
    want=${path##*_class}
    want=${want%.pgm}
    [ "$label" = "$want" ] || { echo "mispredicted $path: $label (want $want)"; wrong=$((wrong + 1)); }
done <out.txt
[ "$wrong" -le 1 ] || fail "$wrong of 12 predictions wrong"
run 1 "$HOGFEAT" predict svm.model predict/q00_class*.pgm missing.pgm
[ "$(wc -l <out.txt)" -eq 1 ] || fail "predict did not print the good image before the bad one"
err_has '^hogfeat predict: missing\.pgm: '

# ---------------------------------------------------------------- info
step "info"
run 0 "$HOGFEAT" info svm.model
out_has 'linear SVM'
out_has 'classes: 3$'
out_has 'labels: 0 1 2$'
out_has 'feature dimension: 324$'
out_has 'cell: 4x4 px'
out_has 'block: 2x2 cells'
out_has 'normalisation: L2-Hys'
out_has 'blur: Gaussian, sigma 1.2 px'
out_has "size: $(wc -c <svm.model) bytes"

# ----------------------------------------------------------------- KNN
step "train and eval knn"
run 0 "$HOGFEAT" train --classifier knn --k 3 --metric l2 --blur 1.0 mnist -o knn.model
out_has 'KNN'
run 0 "$HOGFEAT" info knn.model
out_has 'KNN \(k = 3\)'
out_has 'stored training samples: 300'
out_has 'blur: Gaussian, sigma 1 px'
run 0 "$HOGFEAT" eval knn.model mnist
acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' out.txt)
echo "knn accuracy on the synthetic test split: $acc%"
awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }' || fail "knn accuracy $acc% < 95%"
run 0 "$HOGFEAT" train -q --classifier knn --k 3 --metric l2 --blur 1.0 mnist -o knn2.model
cmp knn.model knn2.model || fail "saving a KNN model twice gave different bytes"
run 0 "$HOGFEAT" train --classifier knn --k 5 --svm-c 3 mnist -o knn5.model
err_has 'warning: SVM options are ignored'

# ---------------------------------------------------------- PGM folder
step "pgm folder"
run 0 "$HOGFEAT" train pgm -o pgm.model
out_has '60 images'
run 0 "$HOGFEAT" eval pgm.model pgm
out_has '^accuracy: '
acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' out.txt)
awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }' || fail "pgm training accuracy $acc% < 95%"
run 0 "$HOGFEAT" info pgm.model
out_has 'labels: -7 40 2147483647$'
run 0 "$HOGFEAT" predict pgm.model "pgm/img 000.pgm"
grep -Eq $'^pgm/img 000\\.pgm\t(-7|40|2147483647)$' out.txt || fail "bad predict line: $(cat out.txt)"
# --labels elsewhere, names still relative to DATA.
cp pgm/labels.txt other-labels.txt
run 0 "$HOGFEAT" train --labels other-labels.txt pgm -o pgm2.model
cmp pgm.model pgm2.model || fail "--labels changed the model"
# Model trained on 16x16 images, applied to MNIST 16x16 too: dimensions agree.
run 0 "$HOGFEAT" eval -q pgm.model mnist
# Resize: a model for 16x16 inputs resized to 24x24 has another dimension.
run 0 "$HOGFEAT" train --resize 24x24 mnist -o resized.model
out_has '^features: 900 per image$'
run 0 "$HOGFEAT" eval -q resized.model pgm

# ------------------------------------------- descriptors and feature maps
step "descriptors and maps: usage errors"
run 2 "$HOGFEAT" train --hog-cells 0 mnist -o m.model
run 2 "$HOGFEAT" train --hog-cells 4,,8 mnist -o m.model
err_has 'hog-cells'
run 2 "$HOGFEAT" train --hog-cells 4,x mnist -o m.model
run 2 "$HOGFEAT" train --hog-cells '' mnist -o m.model
run 2 "$HOGFEAT" train --cell 6 --hog-cells 4,8 mnist -o m.model
err_has '--cell 6 and --hog-cells 4'
run 2 "$HOGFEAT" train --lbp-cells -1 mnist -o m.model
run 2 "$HOGFEAT" train --map bogus mnist -o m.model
err_has "unknown map 'bogus'"
run 2 "$HOGFEAT" train --map hellinger:2 mnist -o m.model
run 2 "$HOGFEAT" train --map chi2:0 mnist -o m.model
run 2 "$HOGFEAT" train --map chi2:17 mnist -o m.model
run 2 "$HOGFEAT" train --map chi2:5 mnist -o m.model
err_has 'needs an interval'
run 2 "$HOGFEAT" train --map chi2:2:0 mnist -o m.model
run 2 "$HOGFEAT" train --map chi2:2:0.5:1 mnist -o m.model
run 2 "$HOGFEAT" train --map rbf mnist -o m.model
run 2 "$HOGFEAT" train --map rbf:100 mnist -o m.model
run 2 "$HOGFEAT" train --map rbf:0:1 mnist -o m.model
run 2 "$HOGFEAT" train --map rbf:100:-1 mnist -o m.model
run 2 "$HOGFEAT" train --multiclass all mnist -o m.model
run 2 "$HOGFEAT" train --jitter 3 mnist -o m.model
err_has 'expected 0, 4 or 8'
run 2 "$HOGFEAT" train --jitter-px 0 mnist -o m.model
run 2 "$HOGFEAT" train --jitter-px 9 mnist -o m.model
run 2 "$HOGFEAT" extract --map rbf:10 mnist -o f.npy
run 2 "$HOGFEAT" extract --seed x mnist -o f.npy
run 2 "$HOGFEAT" bench --hog-cells 4,0 mnist
run 2 "$HOGFEAT" predict --bogus svm.model predict/q00_class0.pgm
[ ! -e m.model ] || fail "a usage error created a model file"

step "descriptors and maps: train, info, eval, predict"
# Two HOGs (4 and 8 px cells) and an LBP: 324 + 36 + 2*2*10 = 400 values,
# tripled by the chi-squared map with 2 steps.
run 0 "$HOGFEAT" train --hog-cells 4,8 --lbp-cells 8 --map chi2 --multiclass ovo pgm -o multi.model
out_has '^features: 1200 per image$'
out_has '^descriptors: HOG 4x4 px \(324\) \+ HOG 8x8 px \(36\) \+ LBP 8x8 px \(40\), chi2 map \(2 steps, interval 0\.5\)$'
out_has 'linear SVM, one-vs-one'
run 0 "$HOGFEAT" train -q --cell 4 --hog-cells 4,8 --lbp-cells 8 --map chi2 --multiclass ovo pgm -o multi2.model
cmp multi.model multi2.model || fail "--cell 4 with --hog-cells 4,8 changed the model"
run 0 "$HOGFEAT" info multi.model
out_has 'linear SVM \(one-vs-one, 3 hyperplanes\)'
out_has '^descriptors: 3$'
out_has '^  0: HOG, cell 4x4 px, block 2x2 cells'
out_has '^  1: HOG, cell 8x8 px'
out_has '^  2: LBP, cell 8x8 px, 8 points, radius 1, uniform codes, L1 histograms$'
out_has '^feature map: chi2, 2 steps, interval 0\.5$'
out_has 'feature dimension: 1200$'
out_has 'probabilities: no$'
run 0 "$HOGFEAT" eval multi.model pgm
out_has '^correct: [0-9]+ / 60$'
eval_correct=$(sed -n 's/^correct: \([0-9]*\) .*/\1/p' out.txt)
# predict (one image at a time) agrees with eval (batches) image by image:
# the labels it prints are right exactly as often as eval counts.
mapfile -t files < <("$PYTHON3" -c '
import re
for line in open("pgm/labels.txt"):
    line = line.split("#")[0].strip()
    if line:
        print("pgm/" + re.match(r"(.*\.pgm)\s+-?\d+$", line).group(1))')
[ "${#files[@]}" -eq 60 ] || fail "parsed ${#files[@]} names from pgm/labels.txt, expected 60"
run 0 "$HOGFEAT" predict multi.model "${files[@]}"
predict_correct=$("$PYTHON3" - <<'PY'
import re
want = {}
for line in open("pgm/labels.txt"):
    line = line.split("#")[0].strip()
    if line:
        name, label = re.match(r"(.*\.pgm)\s+(-?\d+)$", line).groups()
        want["pgm/" + name] = int(label)
right = 0
for line in open("out.txt"):
    path, label = line.rstrip("\n").split("\t")
    right += want[path] == int(label)
print(right)
PY
)
[ "$predict_correct" = "$eval_correct" ] || fail "predict got $predict_correct right, eval counted $eval_correct"
# The model for 16x16 images on 24x24 ones: a clear error.
run 1 "$HOGFEAT" eval multi.model big
# Hellinger and intersection maps.
run 0 "$HOGFEAT" train --map hellinger mnist -o hell.model
out_has '^features: 324 per image$'
run 0 "$HOGFEAT" info hell.model
out_has '^feature map: hellinger'
run 0 "$HOGFEAT" eval -q hell.model mnist
run 0 "$HOGFEAT" train --map intersection:3 --multiclass cs mnist -o inter.model
out_has '^features: 1620 per image$'
out_has 'Crammer-Singer'
run 0 "$HOGFEAT" info inter.model
out_has '^feature map: intersection, 3 steps'
out_has 'Crammer-Singer, 3 hyperplanes'

step "rbf map"
run 0 "$HOGFEAT" train --map rbf:64:0.5 --seed 3 mnist -o rbf.model
out_has '^features: 64 per image$'
out_has 'rbf map \(64 components, gamma 0\.5, seed 3\)'
run 0 "$HOGFEAT" info rbf.model
out_has '^feature map: rbf, 64 components, gamma 0\.5, seed 3, input length 324$'
run 0 "$HOGFEAT" train -q --map rbf:64:0.5 --seed 3 --threads 1 mnist -o rbf2.model
cmp rbf.model rbf2.model || fail "the same rbf map seed gave another model"
run 0 "$HOGFEAT" train -q --map rbf:64:0.5 --seed 4 mnist -o rbf3.model
cmp -s rbf.model rbf3.model && fail "another rbf map seed gave the same model"
run 0 "$HOGFEAT" eval rbf.model mnist
out_has '^accuracy: '
run 1 "$HOGFEAT" predict rbf.model big/a.pgm
# KNN uses the map too, and --seed then is not an ignored SVM option.
run 0 "$HOGFEAT" train --classifier knn --map rbf:64:0.5 --seed 3 mnist -o rbfknn.model
[ ! -s err.txt ] || { cat err.txt; fail "train --classifier knn --map rbf --seed warned"; }
run 0 "$HOGFEAT" eval -q rbfknn.model mnist
run 0 "$HOGFEAT" train --classifier knn --seed 3 mnist -o knnseed.model
err_has 'warning: SVM options are ignored'
# extract computes the same map: 64 columns, as train.
run 0 "$HOGFEAT" extract --map rbf:64:0.5 --seed 3 --split train mnist -o rbf.npy
out_has 'features: 300 x 64'

# -------------------------------------------------------------- jitter
step "jitter: the shifted copies are exactly the images moved, edges repeated"
# A KNN model stores its training rows in order, so training on DATA with
# --jitter gives the same bytes as training without it on a copy of DATA
# that lists the images, then the images shifted in --jitter order (up,
# down, left, right, then the diagonals), made here independently.
"$PYTHON3" - <<'PY'
import os, re, struct

SHIFTS = [(0, -1), (0, 1), (-1, 0), (1, 0), (-1, -1), (1, -1), (-1, 1), (1, 1)]

def shift(img, w, h, dx, dy):
    clamp = lambda v, n: min(max(v, 0), n - 1)
    return [img[clamp(y - dy, h) * w + clamp(x - dx, w)] for y in range(h) for x in range(w)]

# MNIST IDX: 8 copies at 2 px, in one train split.
raw = open("mnist/train-images-idx3-ubyte", "rb").read()
lab = open("mnist/train-labels-idx1-ubyte", "rb").read()
n, h, w = struct.unpack(">III", raw[4:16])
imgs = [list(raw[16 + i * w * h:16 + (i + 1) * w * h]) for i in range(n)]
out = list(imgs)
for dx, dy in SHIFTS:
    out += [shift(im, w, h, 2 * dx, 2 * dy) for im in imgs]
os.makedirs("jitter-idx")
with open("jitter-idx/train-images-idx3-ubyte", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, len(out), h, w) + bytes(v for im in out for v in im))
with open("jitter-idx/train-labels-idx1-ubyte", "wb") as f:
    f.write(struct.pack(">II", 0x801, len(out)) + lab[8:] * 9)

# PGM folder: 4 copies at 1 px, every PGM variant of pgm/ (P5, P2, 16-bit).
def read_pgm(path):
    data = open(path, "rb").read()
    fields = re.findall(rb"\S+", re.sub(rb"#[^\n]*", b"", data[:64]))[:4]
    magic, w, h, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    if magic == b"P2":
        vals = [int(t) for t in re.sub(rb"#[^\n]*", b"", data).split()[4:]]
    else:
        body = data[len(data) - w * h * (2 if maxval > 255 else 1):]
        vals = list(body) if maxval <= 255 else list(struct.unpack(">%dH" % (w * h), body))
    return magic, w, h, maxval, vals

def write_pgm(path, magic, w, h, maxval, vals):
    with open(path, "wb") as f:
        if magic == b"P2":
            f.write(b"P2\n%d %d\n%d\n" % (w, h, maxval) + " ".join(map(str, vals)).encode() + b"\n")
        elif maxval > 255:
            f.write(b"P5\n%d %d\n%d\n" % (w, h, maxval) + struct.pack(">%dH" % (w * h), *vals))
        else:
            f.write(b"P5\n%d %d\n%d\n" % (w, h, maxval) + bytes(vals))

entries = []
for line in open("pgm/labels.txt"):
    line = line.split("#")[0].strip()
    if line:
        entries.append(re.match(r"(.*\.pgm)\s+(-?\d+)$", line).groups())
os.makedirs("jitter-pgm")
with open("jitter-pgm/labels.txt", "w") as lf:
    for c, (dx, dy) in enumerate([(0, 0)] + SHIFTS[:4]):
        for i, (name, label) in enumerate(entries):
            magic, w, h, maxval, vals = read_pgm("pgm/" + name)
            out_name = "c%d_%03d.pgm" % (c, i)
            write_pgm("jitter-pgm/" + out_name, magic, w, h, maxval, shift(vals, w, h, dx, dy))
            lf.write("%s %s\n" % (out_name, label))
PY
run 0 "$HOGFEAT" train --classifier knn --k 1 --jitter 8 --jitter-px 2 --split train mnist -o jit-idx.model
out_has '^jitter: 8 shifted copies of each image \(2 px\), 2700 training rows$'
run 0 "$HOGFEAT" train -q --classifier knn --k 1 --split train jitter-idx -o ref-idx.model
cmp jit-idx.model ref-idx.model || fail "--jitter 8 --jitter-px 2 rows differ from the images shifted by hand (IDX)"
run 0 "$HOGFEAT" info jit-idx.model
out_has 'stored training samples: 2700'
run 0 "$HOGFEAT" train --classifier knn --k 1 --jitter 4 pgm -o jit-pgm.model
out_has '^jitter: 4 shifted copies of each image \(1 px\), 300 training rows$'
run 0 "$HOGFEAT" train -q --classifier knn --k 1 jitter-pgm -o ref-pgm.model
cmp jit-pgm.model ref-pgm.model || fail "--jitter 4 rows differ from the images shifted by hand (PGM)"

step "jitter: SVM, deterministic across thread counts"
run 0 "$HOGFEAT" train --threads 2 --hog-cells 4,8 --jitter 8 --multiclass ovo mnist -o jit.model
out_has '^jitter: 8 shifted copies of each image \(1 px\), 2700 training rows$'
out_has '^extract: [0-9.]+ s'
out_has '^train: [0-9.]+ s \(linear SVM, one-vs-one'
out_has '^total: [0-9.]+ s \(extract \+ train\)$'
run 0 "$HOGFEAT" train -q --threads 1 --hog-cells 4,8 --jitter 8 --multiclass ovo mnist -o jit1.model
cmp jit.model jit1.model || fail "jittered models differ between --threads 2 and --threads 1"
run 0 "$HOGFEAT" eval jit.model mnist
acc=$(sed -n 's/^accuracy: \([0-9.]*\)%$/\1/p' out.txt)
awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }' || fail "jittered accuracy $acc% < 95%"

# ------------------------------------------------------- probabilities
step "probabilities"
run 1 "$HOGFEAT" predict --proba svm.model predict/q00_class0.pgm
err_has 'no probability calibration.*--probability'
run 1 "$HOGFEAT" eval --proba svm.model mnist
err_has 'no probability calibration'
run 0 "$HOGFEAT" train --probability --multiclass ovo --hog-cells 4,8 mnist -o proba.model
out_has 'probabilities\)$'
run 0 "$HOGFEAT" info proba.model
out_has 'probabilities: calibrated'
run 0 "$HOGFEAT" predict proba.model predict/*.pgm
cp out.txt plain-predict.txt
run 0 "$HOGFEAT" predict --proba proba.model predict/*.pgm
cp out.txt svm-proba.txt
run 0 "$HOGFEAT" predict --proba knn.model predict/*.pgm
cp out.txt knn-proba.txt
"$PYTHON3" - <<'PY' || fail "predict --proba output"
plain = [l.rstrip("\n").split("\t") for l in open("plain-predict.txt")]
for name, k in (("svm-proba.txt", None), ("knn-proba.txt", 3)):
    rows = [l.rstrip("\n").split("\t") for l in open(name)]
    assert len(rows) == 12, (name, len(rows))
    for r, row in enumerate(rows):
        assert len(row) == 3, (name, row)
        pairs = [p.split(":") for p in row[2].split(" ")]
        labels = [int(a) for a, _ in pairs]
        probs = [float(b) for _, b in pairs]
        assert labels == [0, 1, 2], (name, labels)
        assert all(0.0 <= p <= 1.0 for p in probs), (name, probs)
        assert abs(sum(probs) - 1.0) < 1e-4, (name, probs)
        if k:  # KNN: fractions of the k votes
            assert all(abs(p * k - round(p * k)) < 1e-4 for p in probs), (name, probs)
            assert probs[labels.index(int(row[1]))] == max(probs), (name, row)
        else:  # the same labels as without --proba
            assert row[:2] == plain[r], (row, plain[r])
print("predict --proba OK")
PY
run 0 "$HOGFEAT" eval --proba proba.model mnist
out_has '^log loss: [0-9]+\.[0-9]{4}$'
out_has '^brier score: [0-9]+\.[0-9]{4}$'
out_has '^proba: [0-9.]+ s$'
ll=$(sed -n 's/^log loss: \([0-9.]*\)$/\1/p' out.txt)
awk -v a="$ll" 'BEGIN { exit !(a < 0.5) }' || fail "log loss $ll of a 95 % accurate model is not below 0.5"
run 0 "$HOGFEAT" eval --proba knn.model mnist
out_has '^log loss: '

# ------------------------------------------------------ runtime errors
step "runtime errors exit 1"
run 1 "$HOGFEAT" train no-such-dir -o x.model
err_has '^hogfeat train: no-such-dir: '
run 1 "$HOGFEAT" eval svm.model no-such-dir
run 1 "$HOGFEAT" train predict -o x.model        # a folder without labels.txt
err_has 'labels\.txt'
[ ! -e x.model ] || fail "a failed train created a model file"
run 1 "$HOGFEAT" train bad-range -o x.model
err_has "^hogfeat train: bad-range/labels\.txt: line 3: label '99999999999' is out of range"
run 1 "$HOGFEAT" train bad-word -o x.model
err_has "bad-word/labels\.txt: line 3: malformed label 'seven'"
run 1 "$HOGFEAT" train bad-short -o x.model
err_has "bad-short/labels\.txt: line 3: expected 'FILENAME LABEL'"
printf 'this is not a model\n' >garbage.model
run 1 "$HOGFEAT" eval garbage.model mnist
err_has '^hogfeat eval: garbage\.model: '
run 1 "$HOGFEAT" info garbage.model
run 1 "$HOGFEAT" predict garbage.model predict/q00_class*.pgm
head -c 100 svm.model >truncated.model
run 1 "$HOGFEAT" info truncated.model
# One flipped byte in the middle must fail the checksum.
cp svm.model flipped.model
size=$(wc -c <svm.model)
"$PYTHON3" -c "
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[off] ^= 0x55; open(p, 'wb').write(b)" flipped.model $((size / 2))
run 1 "$HOGFEAT" eval flipped.model mnist
run 1 "$HOGFEAT" info flipped.model
run 1 "$HOGFEAT" eval svm.model empty-dir-does-not-exist
# A model for 16x16 images applied to 24x24 images: feature lengths differ.
run 1 "$HOGFEAT" eval svm.model big
err_has 'features but the model expects 324'
run 1 "$HOGFEAT" predict svm.model big/a.pgm
# A failed train leaves an existing model untouched.
cp svm.model keep.model
run 1 "$HOGFEAT" train bad-range -o keep.model
cmp svm.model keep.model || fail "a failed train modified the existing model"
# Images too small for one block.
run 1 "$HOGFEAT" train --cell 16 mnist -o x.model

# ------------------------------------------------------------- extract
step "extract npy"
run 0 "$HOGFEAT" extract --threads 2 mnist -o feats.npy
out_has 'features: 390 x 324'
[ -s feats.npy.labels.npy ] || fail "no labels file"
run 0 "$HOGFEAT" extract -q --threads 1 mnist -o feats1.npy
cmp feats.npy feats1.npy || fail "extract output depends on the thread count"
cmp feats.npy.labels.npy feats1.npy.labels.npy
run 0 "$HOGFEAT" extract -q --split test mnist -o test.npy
run 0 "$HOGFEAT" extract -q --format libsvm mnist -o feats.svm
run 0 "$HOGFEAT" extract -q --format libsvm --split train mnist -o train.svm
run 0 "$HOGFEAT" extract -q predict -o unlabelled.npy     # no labels.txt: every *.pgm, by name
[ ! -e unlabelled.npy.labels.npy ] || fail "labels written for unlabelled data"
run 0 "$HOGFEAT" extract -q --format libsvm predict -o unlabelled.svm
"$PYTHON3" - <<'PY' || fail "extract output check"
import ast, gzip, math, struct, sys

def load_npy(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", "bad magic"
    assert data[6:8] == b"\x01\x00", "bad version"
    hlen = struct.unpack("<H", data[8:10])[0]
    assert (10 + hlen) % 64 == 0, "header not aligned to 64 bytes"
    header = ast.literal_eval(data[10:10 + hlen].decode("latin1"))
    assert header["fortran_order"] is False
    shape, descr = header["shape"], header["descr"]
    body = data[10 + hlen:]
    count = 1
    for s in shape:
        count *= s
    assert len(body) == 4 * count, f"{path}: {len(body)} bytes for shape {shape}"
    fmt = {"<f4": "f", "<i4": "i"}[descr]
    return shape, struct.unpack(f"<{count}{fmt}", body)

def read_idx_labels(path, opener=open):
    data = opener(path, "rb").read()
    return list(data[8:])

shape, x = load_npy("feats.npy")
assert shape == (390, 324), shape
assert all(math.isfinite(v) and v >= 0 for v in x), "features must be finite and non-negative"
lshape, y = load_npy("feats.npy.labels.npy")
assert lshape == (390,), lshape
want = read_idx_labels("mnist/train-labels-idx1-ubyte") + read_idx_labels("mnist/t10k-labels-idx1-ubyte.gz", gzip.open)
assert list(y) == want, "labels differ from the IDX labels (train rows, then test rows)"

# --split test gives exactly the last 90 rows.
tshape, tx = load_npy("test.npy")
assert tshape == (90, 324)
assert tx == x[300 * 324:], "test split rows differ"

# LIBSVM text carries the same numbers: %.9g round-trips float32.
rows = open("feats.svm").read().splitlines()
assert len(rows) == 390
for r, line in enumerate(rows):
    parts = line.split()
    assert int(parts[0]) == y[r], f"row {r}: label"
    dense = [0.0] * 324
    last = 0
    for p in parts[1:]:
        i, v = p.split(":")
        i = int(i)
        assert i > last, f"row {r}: indices not increasing"
        last = i
        assert 1 <= i <= 324
        assert float(v) != 0.0, "zeros must be omitted"
        dense[i - 1] = struct.unpack("<f", struct.pack("<f", float(v)))[0]
    assert dense == list(x[r * 324:(r + 1) * 324]), f"row {r}: values differ from the npy"
assert open("train.svm").read().splitlines() == rows[:300]

ushape, ux = load_npy("unlabelled.npy")
assert ushape == (12, 324), ushape
ulines = open("unlabelled.svm").read().splitlines()
assert len(ulines) == 12 and all(l.split()[0] == "0" for l in ulines)
print("extract outputs OK")
PY

step "extract in batches"
# More images than one batch call takes (4096): a train split of 4100
# images that repeats the 300 of mnist/ (period 300), and a test split.
mkdir -p many
"$PYTHON3" - <<'PY'
import struct
def read(path):
    return open(path, "rb").read()
img = read("mnist/train-images-idx3-ubyte")
lab = read("mnist/train-labels-idx1-ubyte")
n, size = 4100, 16 * 16
pix, labels = img[16:], lab[8:]
with open("many/train-images-idx3-ubyte", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, n, 16, 16) + b"".join(pix[(i % 300) * size:(i % 300 + 1) * size] for i in range(n)))
with open("many/train-labels-idx1-ubyte", "wb") as f:
    f.write(struct.pack(">II", 0x801, n) + bytes(labels[i % 300] for i in range(n)))
PY
cp mnist/t10k-images-idx3-ubyte.gz mnist/t10k-labels-idx1-ubyte.gz many/
run 0 "$HOGFEAT" extract -q --threads 2 many -o many.npy
run 0 "$HOGFEAT" extract -q --threads 1 many -o many1.npy
cmp many.npy many1.npy || fail "batched extract output depends on the thread count"
"$PYTHON3" - <<'PY' || fail "batched extract rows"
import struct
def load(path):
    data = open(path, "rb").read()
    hlen = struct.unpack("<H", data[8:10])[0]
    return data[10 + hlen:]
row = 324 * 4
many, ref = load("many.npy"), load("feats.npy")
assert len(many) == (4100 + 90) * row, len(many)
for i in (0, 299, 300, 4095, 4096, 4099):
    assert many[i * row:(i + 1) * row] == ref[(i % 300) * row:(i % 300 + 1) * row], f"train row {i}"
assert many[4100 * row:] == ref[300 * row:], "test rows after the train rows"
print("batched extract OK")
PY
run 0 "$HOGFEAT" train -q --threads 2 many -o many.model
run 0 "$HOGFEAT" eval -q many.model mnist
out_has '^accuracy: '

# --------------------------------------------------------------- bench
step "bench"
run 0 "$HOGFEAT" bench --threads 2 mnist
out_has '^extract: [0-9]+ images/s'
out_has '^svm-fit: [0-9.]+ s'
out_has '^svm-predict: [0-9.]+ s'
out_has '^knn-predict: [0-9.]+ s'
out_has '^svm-accuracy: [0-9.]+%$'
out_has '^knn-accuracy: [0-9.]+%$'
cat out.txt
run 0 "$HOGFEAT" bench --cell 8 --block 1 --bins 6 pgm
out_has '^extract: '
run 1 "$HOGFEAT" bench no-such-dir

# ---------------------------------------------------------------- show
step "show"
img=$(ls predict/*.pgm | head -n 1)
run 0 "$HOGFEAT" show --cell 4 --bins 9 "$img" -o picture.pgm
out_has '^picture: '
head -c 2 picture.pgm | grep -q P5 || fail "show did not write a binary PGM"
# Same size as the input, 8-bit, and not all black (the test images have edges).
python3 - "$img" picture.pgm <<'PY' || fail "show wrote a picture of the wrong size or an all-black one"
import sys
def pgm(path):
    data = open(path, 'rb').read()
    tokens, pos = [], 2
    while len(tokens) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        tokens.append(int(data[pos:end]))
        pos = end
    return tokens, data[pos + 1:]
(w1, h1, _), _ = pgm(sys.argv[1])
(w2, h2, maxval), pixels = pgm(sys.argv[2])
sys.exit(0 if (w1, h1) == (w2, h2) and maxval == 255 and len(pixels) == w2 * h2 and max(pixels) > 0 else 1)
PY
# PNG: when this build has it (the help says), the PNG holds the PGM's pixels.
if "$HOGFEAT" show --help | grep -q 'PNG output: yes'; then
    run 0 "$HOGFEAT" show --cell 4 --bins 9 "$img" -o picture.png
    python3 - picture.pgm picture.png <<'PY' || fail "show wrote a PNG whose pixels differ from the PGM"
import struct, sys, zlib
pgm = open(sys.argv[1], 'rb').read()
png = open(sys.argv[2], 'rb').read()
assert png[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG signature'
pos, idat, ihdr = 8, b'', None
while pos < len(png):
    n, kind = struct.unpack('>I4s', png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    assert zlib.crc32(kind + body) == struct.unpack('>I', png[pos + 8 + n:pos + 12 + n])[0], 'bad chunk CRC'
    if kind == b'IHDR':
        ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
w, h, depth, colour, _, _, interlace = ihdr
assert (depth, colour, interlace) == (8, 0, 0), ihdr
raw, rows, prev = zlib.decompress(idat), [], bytearray(w)
for y in range(h):
    f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
    for x in range(w):
        a = line[x - 1] if x else 0
        b, c = prev[x], (prev[x - 1] if x else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
pixels = pgm[-w * h:]
sys.exit(0 if b''.join(rows) == pixels else 1)
PY
    run 1 "$HOGFEAT" show "$img" -o no-such-dir/picture.png
    err_has '^hogfeat show: no-such-dir/picture\.png: cannot create'
else
    run 2 "$HOGFEAT" show "$img" -o picture.png
    err_has 'built without libpng'
fi
run 2 "$HOGFEAT" show "$img"
run 2 "$HOGFEAT" show --cell 0 "$img" -o x.pgm
run 1 "$HOGFEAT" show missing.pgm -o x.pgm
err_has '^hogfeat show: missing\.pgm: '
run 0 "$HOGFEAT" show --help

echo "all cli tests passed"
