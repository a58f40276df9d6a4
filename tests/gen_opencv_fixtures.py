#!/usr/bin/python3
"""Generate OpenCV HOG parity fixtures for libhogfeat's OpenCV preset.

Run with Debian's interpreter, which has python3-opencv (4.6.0) and numpy
(the pyenv python3 on PATH has no cv2):

    /usr/bin/python3 tests/gen_opencv_fixtures.py [output-dir]

It rewrites tests/data/opencv/*.fix and tests/data/opencv/README.md. Every
image comes from a fixed seed or a closed formula, so a rerun with the same
OpenCV and numpy versions reproduces the files byte for byte.

Each case is cv2.HOGDescriptor(winSize, blockSize, blockStride, cellSize,
nbins, derivAperture=1, winSigma, histogramNormType=L2Hys,
L2HysThreshold=0.2, gammaCorrection, nlevels=64, signedGradient).compute(img)
on the whole image, keeping the first (top-left) window. winSize is the
largest size OpenCV accepts inside the image: blockSize + k * blockStride.

File format: the scikit-image fixtures' `hogfeat-fixture 1` (see
tests/data/hog/README.md) with more header keys; see README_TEXT below.
"""

import os
import sys

import cv2
import numpy as np

FORMAT_VERSION = 1
SIZE_BUDGET = 1_500_000  # bytes, all fixtures together

README_TEXT = """\
# OpenCV HOG parity fixtures

Reference descriptors from `cv2.HOGDescriptor.compute` (OpenCV {cvver},
numpy {npver}, Python {pyver}), read by `tests/test-opencv.c` (the `opencv`
test: `meson test -C build opencv`), which compares libhogfeat's
`HOGFEAT_HOG_PRESET_OPENCV` with them at max |delta| <= 1e-4.

## How they were made

    /usr/bin/python3 tests/gen_opencv_fixtures.py

run from the repository root with Debian's `python3-opencv` installed. The
script is deterministic (fixed seeds, closed-form images): it deletes the
`*.fix` files in this directory and writes them, and this README, again.
Each fixture holds one case:

    d = cv2.HOGDescriptor((window_width, window_height),
                          (block_width * cell_width, block_height * cell_height),
                          (block_stride_x * cell_width, block_stride_y * cell_height),
                          (cell_width, cell_height), orientations,
                          1,                          # derivAperture
                          window_sigma or -1,         # winSigma; -1: (block w + h in px) / 8
                          0,                          # histogramNormType: L2Hys
                          0.2,                        # L2HysThreshold
                          transform_sqrt == 1,        # gammaCorrection
                          64,                         # nlevels
                          signed == 1)                # signedGradient
    descriptor = d.compute(image)[:d.getDescriptorSize()]

on the whole `width` x `height` image (no padding, default winStride), so
the descriptor is that of the top-left window. The window is the largest
size OpenCV accepts inside the image: block size + k * block stride (in
pixels) on each axis. Gradients are computed on the whole image, so pixels
right of or below the window still feed the window's edge gradients.

{ncases} cases, {total} bytes in all.

## File format `hogfeat-fixture 1`

As in `tests/data/hog/README.md`: an ASCII header of `key value` lines
ended by `end`, then the raw image (row-major, channels interleaved; the
channel order is the memory order OpenCV sees), then `length` float64
values (OpenCV's float32 output widened, unchanged). Every key below
appears exactly once:

| key              | value                                                          |
| ---------------- | -------------------------------------------------------------- |
| `hogfeat-fixture`| format version, `1`                                            |
| `name`           | short case name (letters, digits, `-`, `_`, `.`)               |
| `preset`         | `opencv`                                                       |
| `width`          | image width in pixels                                          |
| `height`         | image height in pixels                                         |
| `channels`       | `1` or `3`                                                     |
| `dtype`          | `u8` (OpenCV takes 8-bit images only)                          |
| `orientations`   | nbins                                                          |
| `signed`         | `1` for signedGradient (0-360 degrees), else `0`               |
| `cell_width`     | cellSize.width in pixels                                       |
| `cell_height`    | cellSize.height in pixels                                      |
| `block_width`    | block width in cells (blockSize.width / cellSize.width)        |
| `block_height`   | block height in cells                                          |
| `block_stride_x` | horizontal block stride in cells (blockStride.width / cell w)  |
| `block_stride_y` | vertical block stride in cells                                 |
| `window_sigma`   | winSigma in pixels; `0` means OpenCV's default (-1)            |
| `norm`           | `L2-Hys`                                                       |
| `transform_sqrt` | gammaCorrection, `0` or `1`                                    |
| `layout`         | `opencv`: the stored order is cv::HOGDescriptor's (see below)  |
| `window_width`   | winSize.width used, in pixels                                  |
| `window_height`  | winSize.height used, in pixels                                 |
| `length`         | number of descriptor values (getDescriptorSize())              |

The descriptor order (`layout opencv`, libhogfeat's `HOGFEAT_HOG_LAYOUT_OPENCV`):
blocks column by column (block x outer, block y inner), inside a block the
cells column by column, then the bins. Nothing follows the descriptor: the
file size is exactly header bytes + image bytes + 8 * length.

## Cases

| file | image | ch | content | bins | signed | cell (w x h) | block | stride | sigma | gamma | window | length |
| ---- | ----- | -- | ------- | ---- | ------ | ------------ | ----- | ------ | ----- | ----- | ------ | ------ |
{table}
"""


# --------------------------------------------------------------------------
# image content (uint8, (h, w) or (h, w, 3))

def person(w, h, rng, c=1):
    """A pedestrian-like silhouette (head, torso, legs) on a textured
    background, with a little noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    bg = 90 + 40 * np.sin(2 * np.pi * (xx / w * 1.3 + yy / h * 0.7))
    fg = np.zeros((h, w), dtype=bool)
    cx = w / 2.0
    fg |= ((xx - cx) / (w * 0.12)) ** 2 + ((yy - h * 0.16) / (h * 0.07)) ** 2 <= 1.0
    fg |= (np.abs(xx - cx) <= w * 0.2) & (yy >= h * 0.23) & (yy <= h * 0.58)
    fg |= (np.abs(xx - (cx - w * 0.1) + (yy - h * 0.58) * 0.12) <= w * 0.07) & (yy > h * 0.56) & (yy < h * 0.94)
    fg |= (np.abs(xx - (cx + w * 0.1) - (yy - h * 0.58) * 0.12) <= w * 0.07) & (yy > h * 0.56) & (yy < h * 0.94)
    chans = []
    for k in range(c):
        img = np.where(fg, 200 - 35 * k, bg + 20 * k)
        img = img + rng.normal(0, 6, size=(h, w))
        chans.append(img)
    out = np.stack(chans, axis=-1) if c == 3 else chans[0]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def radial(w, h, rng, c=1):
    """Rings around an off-centre point: gradients in every direction."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for k in range(c):
        r = np.hypot(xx - w * (0.45 + 0.05 * k), yy - h * (0.55 - 0.04 * k))
        chans.append(127.5 + 120 * np.sin(r / (2.2 + 0.6 * k)))
    out = np.stack(chans, axis=-1) if c == 3 else chans[0]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def noise(w, h, rng, c=1):
    shape = (h, w, 3) if c == 3 else (h, w)
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def quant(w, h, rng, c=1, step=5):
    """Values in {0, step, 2 step}: many pixels where two channels have equal
    squared gradient magnitudes in different directions (tie rules)."""
    shape = (h, w, 3) if c == 3 else (h, w)
    return (rng.integers(0, 3, size=shape) * step).astype(np.uint8)


def shapes(w, h, rng, c=1):
    """Disc, rectangle and a diagonal bar, channels shifted against each other."""
    yy, xx = np.mgrid[0:h, 0:w]
    chans = []
    for k in range(c):
        img = np.full((h, w), 30 + 10 * k, dtype=np.int64)
        img[(xx - w // 3 - k) ** 2 + (yy - h // 2) ** 2 <= (min(w, h) // 4) ** 2] = 220
        img[h // 6:h // 6 + h // 5, w // 2 + 1 + k:w - 2] = 160
        img[np.abs((yy - xx) - h // 3 + k) <= 1] = 250 - 40 * k
        chans.append(img)
    out = np.stack(chans, axis=-1) if c == 3 else chans[0]
    return out.astype(np.uint8)


def constant(w, h, rng, c=1):
    shape = (h, w, 3) if c == 3 else (h, w)
    return np.full(shape, 117, dtype=np.uint8)


CONTENT = dict(person=person, radial=radial, noise=noise, quant=quant, shapes=shapes,
               constant=constant)


# --------------------------------------------------------------------------
# cases. cell in pixels (w, h); block and stride in cells (w/x, h/y).

def C(name, w, h, content, c=1, o=9, cell=(8, 8), block=(2, 2), stride=(1, 1),
      sigma=0.0, gamma=False, signed=False):
    return dict(name=name, w=w, h=h, content=content, c=c, o=o, cell=cell, block=block,
                stride=stride, sigma=sigma, gamma=gamma, signed=signed)


CASES = [
    # --- OpenCV's default people detector geometry: 64x128, 8x8 cells,
    #     16x16 blocks, 8x8 stride, 9 unsigned bins
    C('people-64x128', 64, 128, 'person'),
    C('people-64x128-rgb', 64, 128, 'person', c=3),
    C('people-64x128-gamma', 64, 128, 'person', gamma=True),
    C('people-64x128-rgb-gamma-signed18', 64, 128, 'person', c=3, o=18, gamma=True, signed=True),
    C('people-noise-64x128-sigma3', 64, 128, 'noise', sigma=3.0),
    # --- 32x32 digit-sized windows
    C('radial-32-cell4', 32, 32, 'radial', cell=(4, 4)),
    C('radial-32-cell4-stride-block', 32, 32, 'radial', cell=(4, 4), stride=(2, 2)),
    C('shapes-32-cell4-signed', 32, 32, 'shapes', cell=(4, 4), signed=True),
    C('noise-32-cell4-gamma', 32, 32, 'noise', cell=(4, 4), gamma=True),
    C('tiny-8x8', 8, 8, 'noise', cell=(4, 4)),
    # --- non-square cells, blocks and strides
    C('cell4x8', 40, 48, 'radial', cell=(4, 8)),
    C('cell8x4-block3x2-stride1x2', 56, 36, 'shapes', cell=(8, 4), block=(3, 2), stride=(1, 2)),
    C('cell6x5-block2x3-stride2x1-rgb', 48, 45, 'person', c=3, o=12, cell=(6, 5), block=(2, 3),
      stride=(2, 1)),
    C('block1x3-tall', 40, 72, 'radial', cell=(8, 8), block=(1, 3)),
    C('block3x3-cell6-o12', 48, 48, 'shapes', o=12, cell=(6, 6), block=(3, 3)),
    C('block4x4-stride2', 64, 64, 'radial', cell=(4, 4), block=(4, 4), stride=(2, 2)),
    C('block1x1-o4', 32, 32, 'noise', o=4, cell=(8, 8), block=(1, 1)),
    C('block1x1-cell5', 40, 40, 'radial', cell=(5, 5), block=(1, 1)),
    C('cell16', 64, 64, 'person', cell=(16, 16)),
    # --- window sigma
    C('sigma2', 48, 48, 'radial', sigma=2.0),
    C('sigma6.5-gamma', 48, 64, 'shapes', sigma=6.5, gamma=True),
    C('sigma1.25-rgb-signed', 40, 40, 'noise', c=3, sigma=1.25, signed=True),
    # --- images larger than the window (OpenCV's cropping) and odd sizes
    C('crop-70x133-stride2', 70, 133, 'person', stride=(2, 2)),
    C('crop-35x35-gamma-signed', 35, 35, 'radial', cell=(4, 4), gamma=True, signed=True),
    C('odd-45x37-cell5x6', 45, 37, 'noise', cell=(5, 6)),
    C('crop-rgb-61x50-cell4x5-stride3x2', 61, 50, 'shapes', c=3, o=7, cell=(4, 5), block=(2, 2),
      stride=(3, 2)),
    # --- bins
    C('signed9-radial', 64, 64, 'radial', signed=True),
    C('o1-block2x2', 32, 32, 'radial', o=1, cell=(8, 8), block=(2, 2)),
    # one bin: OpenCV's two votes of a pixel go to the same bin and the
    # second store overwrites the first; a 6x6-cell block keeps the values
    # under the 0.2 clip so that this shows
    C('o1-block6x6', 48, 48, 'shapes', o=1, cell=(4, 4), block=(6, 6)),
    C('o2-signed', 32, 32, 'radial', o=2, cell=(8, 8), signed=True),
    C('o30', 40, 40, 'radial', o=30, cell=(5, 5)),
    # --- colour ties: the last columns (42 = 4 * 10 + 2) go through OpenCV's
    #     one-pixel loop, the rest through its four-pixel loop
    C('ties-rgb-42x30', 42, 30, 'quant', c=3, cell=(3, 3)),
    C('ties-rgb-42x30-gamma-signed', 42, 30, 'quant', c=3, cell=(3, 3), gamma=True, signed=True),
    C('constant-rgb', 32, 32, 'constant', c=3, cell=(4, 4)),
]


# --------------------------------------------------------------------------

def window_size(size, block_px, stride_px):
    """Largest window OpenCV accepts: block + k * stride <= size."""
    return block_px + ((size - block_px) // stride_px) * stride_px


def header_bytes(spec, win, length):
    cw, chh = spec['cell']
    bw, bh = spec['block']
    sx, sy = spec['stride']
    lines = [
        'hogfeat-fixture %d' % FORMAT_VERSION,
        'name %s' % spec['name'],
        'preset opencv',
        'width %d' % spec['w'],
        'height %d' % spec['h'],
        'channels %d' % spec['c'],
        'dtype u8',
        'orientations %d' % spec['o'],
        'signed %d' % (1 if spec['signed'] else 0),
        'cell_width %d' % cw,
        'cell_height %d' % chh,
        'block_width %d' % bw,
        'block_height %d' % bh,
        'block_stride_x %d' % sx,
        'block_stride_y %d' % sy,
        'window_sigma %s' % repr(float(spec['sigma'])),
        'norm L2-Hys',
        'transform_sqrt %d' % (1 if spec['gamma'] else 0),
        'layout opencv',
        'window_width %d' % win[0],
        'window_height %d' % win[1],
        'length %d' % length,
        'end',
    ]
    return ('\n'.join(lines) + '\n').encode('ascii')


def run_case(index, spec):
    rng = np.random.default_rng(20240917 + 7919 * index)
    img = CONTENT[spec['content']](spec['w'], spec['h'], rng, spec['c'])
    img = np.ascontiguousarray(img, dtype=np.uint8)
    expect_shape = (spec['h'], spec['w'], 3) if spec['c'] == 3 else (spec['h'], spec['w'])
    assert img.shape == expect_shape, (spec['name'], img.shape)
    cw, chh = spec['cell']
    bw, bh = spec['block']
    sx, sy = spec['stride']
    block_px = (bw * cw, bh * chh)
    stride_px = (sx * cw, sy * chh)
    win = (window_size(spec['w'], block_px[0], stride_px[0]),
           window_size(spec['h'], block_px[1], stride_px[1]))
    d = cv2.HOGDescriptor(win, block_px, stride_px, (cw, chh), spec['o'], 1,
                          float(spec['sigma']) if spec['sigma'] > 0 else -1.0,
                          0, 0.2, bool(spec['gamma']), 64, bool(spec['signed']))
    size = d.getDescriptorSize()
    ref = np.asarray(d.compute(img)).reshape(-1)
    assert ref.dtype == np.float32 and ref.size >= size and ref.size % size == 0, (spec['name'], ref.shape)
    ref = ref[:size]
    # libhogfeat's length formula: cells = floor(size / cell), blocks with the
    # stride; it must agree with OpenCV's window.
    ncx, ncy = spec['w'] // cw, spec['h'] // chh
    nbx, nby = (ncx - bw) // sx + 1, (ncy - bh) // sy + 1
    assert nbx * nby * bw * bh * spec['o'] == size, (spec['name'], nbx, nby, size)
    assert np.all(np.isfinite(ref)), spec['name']
    body = header_bytes(spec, win, size)
    body += img.tobytes(order='C')
    body += ref.astype('<f8').tobytes()
    return body, ref, win


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'opencv')
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith('.fix'):
            os.remove(os.path.join(out_dir, f))

    names = set()
    rows = []
    total = 0
    for i, spec in enumerate(CASES):
        assert spec['name'] not in names, spec['name']
        names.add(spec['name'])
        body, ref, win = run_case(i, spec)
        fname = '%03d-%s.fix' % (i, spec['name'])
        with open(os.path.join(out_dir, fname), 'wb') as fh:
            fh.write(body)
        total += len(body)
        rows.append('| `%s` | %dx%d | %d | %s | %d | %d | %dx%d | %dx%d | %dx%d | %s | %d | %dx%d | %d |' % (
            fname, spec['w'], spec['h'], spec['c'], spec['content'], spec['o'],
            1 if spec['signed'] else 0, spec['cell'][0], spec['cell'][1],
            spec['block'][0], spec['block'][1], spec['stride'][0], spec['stride'][1],
            ('%g' % spec['sigma']) if spec['sigma'] > 0 else 'default',
            1 if spec['gamma'] else 0, win[0], win[1], ref.size))
        print('%-44s %6d values, %7d bytes, nonzero %5.1f%%' % (
            fname, ref.size, len(body), 100.0 * np.count_nonzero(ref) / ref.size))

    readme = README_TEXT.format(
        cvver=cv2.__version__, npver=np.__version__,
        pyver='%d.%d' % sys.version_info[:2], ncases=len(CASES), total=total,
        table='\n'.join(rows))
    with open(os.path.join(out_dir, 'README.md'), 'w', encoding='ascii') as fh:
        fh.write(readme)
    print('%d cases, %d bytes of fixtures' % (len(CASES), total))
    if total > SIZE_BUDGET:
        sys.exit('fixtures exceed the %d-byte budget' % SIZE_BUDGET)


if __name__ == '__main__':
    main()
