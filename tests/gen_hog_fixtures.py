#!/usr/bin/python3
"""Generate scikit-image HOG parity fixtures for libhogfeat.

Run with Debian's interpreter, which has python3-skimage (0.19.3) and numpy:

    /usr/bin/python3 tests/gen_hog_fixtures.py

It rewrites tests/data/hog/*.fix and tests/data/hog/README.md (the output
directory can be given as the only argument). Every image comes from a fixed
seed or a closed formula, so a rerun with the same skimage and numpy
versions reproduces the files byte for byte.

File format (version 1, little-endian): see README_TEXT below.
"""

import os
import sys

import numpy as np
import skimage
from skimage.feature import hog

FORMAT_VERSION = 1
SIZE_BUDGET = 1_500_000  # bytes, all fixtures together

README_TEXT = """\
# scikit-image HOG parity fixtures

Reference descriptors from `skimage.feature.hog` (scikit-image {skver},
numpy {npver}, Python {pyver}), read by `tests/test-parity.c` (the `parity`
test: `meson test -C build parity`).

## How they were made

    /usr/bin/python3 tests/gen_hog_fixtures.py

run from the repository root with Debian's `python3-skimage` installed. The
script is deterministic (fixed seeds, closed-form images): it deletes the
`*.fix` files in this directory and writes them, and this README, again.
Each fixture holds one case: `hog(image, orientations=O,
pixels_per_cell=(cell_height, cell_width), cells_per_block=(block_height,
block_width), block_norm=NORM, transform_sqrt=S, feature_vector=True,
channel_axis=-1 if channels == 3 else None)`. Note that scikit-image takes
sizes as (rows, columns) = (height, width).

{ncases} cases, {total} bytes in all.

## File format `hogfeat-fixture 1`

All binary numbers are little-endian.

1. An ASCII header of `key value` lines (one space between key and value,
   each line ended by `\\n`), terminated by the line `end`. The first line
   is `hogfeat-fixture 1`. Every key below appears exactly once:

   | key              | value                                                     |
   | ---------------- | --------------------------------------------------------- |
   | `hogfeat-fixture`| format version, `1`                                       |
   | `name`           | short case name (letters, digits, `-`, `_`, `.`)          |
   | `width`          | image width in pixels                                     |
   | `height`         | image height in pixels                                    |
   | `channels`       | `1` (grey) or `3` (interleaved; skimage `channel_axis=-1`)|
   | `dtype`          | `u8` (uint8) or `f32` (IEEE float32)                      |
   | `orientations`   | number of unsigned orientation bins                       |
   | `cell_width`     | cell width in pixels (skimage `pixels_per_cell[1]`)       |
   | `cell_height`    | cell height in pixels (skimage `pixels_per_cell[0]`)      |
   | `block_width`    | block width in cells (skimage `cells_per_block[1]`)       |
   | `block_height`   | block height in cells (skimage `cells_per_block[0]`)      |
   | `norm`           | `L1`, `L1-sqrt`, `L2` or `L2-Hys`                         |
   | `transform_sqrt` | `0` or `1`                                                |
   | `length`         | number of descriptor values                               |

2. Right after the `end\\n` line, the raw image: height * width * channels
   samples, row-major, channels interleaved, no padding; uint8 or float32.
3. Then `length` float64 values: scikit-image's descriptor (its
   `feature_vector=True` order, which is libhogfeat's layout). For float32
   input scikit-image returns float32 values; they are stored widened to
   float64, unchanged.

Nothing follows the descriptor: the file size is exactly header bytes +
image bytes + 8 * length.

## Cases

| file | size | ch | dtype | content | bins | cell (w x h) | block (w x h) | norm | sqrt | length |
| ---- | ---- | -- | ----- | ------- | ---- | ------------ | ------------- | ---- | ---- | ------ |
{table}
"""


# --------------------------------------------------------------------------
# image content

def seg_dist(yy, xx, y0, x0, y1, x1):
    """Distance from pixel centres to a segment (all float64)."""
    dy, dx = y1 - y0, x1 - x0
    ll = dy * dy + dx * dx
    if ll == 0.0:
        return np.hypot(yy - y0, xx - x0)
    t = ((yy - y0) * dy + (xx - x0) * dx) / ll
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx))


def arc(cy, cx, ry, rx, a0, a1, n=24):
    """Polyline points of an elliptic arc (angles in degrees)."""
    a = np.deg2rad(np.linspace(a0, a1, n))
    return [(cy + ry * np.sin(t), cx + rx * np.cos(t)) for t in a]


def polyline(points):
    return [(points[i], points[i + 1]) for i in range(len(points) - 1)]


# Digit strokes in unit coordinates (y down, x right), as lists of segments.
DIGITS = {
    '0': polyline(arc(0.5, 0.5, 0.36, 0.24, 0, 360, 33)),
    '1': [((0.14, 0.5), (0.86, 0.5)), ((0.14, 0.5), (0.3, 0.34)),
          ((0.86, 0.36), (0.86, 0.64))],
    '2': polyline(arc(0.33, 0.5, 0.19, 0.24, 180, 380, 16))
    + [((0.43, 0.72), (0.84, 0.26)), ((0.84, 0.26), (0.84, 0.76))],
    '3': polyline(arc(0.32, 0.5, 0.18, 0.22, 160, 450, 20))
    + polyline(arc(0.68, 0.5, 0.18, 0.24, 270, 560, 20)),
    '4': [((0.14, 0.62), (0.62, 0.22)), ((0.62, 0.22), (0.62, 0.8)),
          ((0.14, 0.62), (0.86, 0.62))],
    '7': [((0.16, 0.22), (0.16, 0.78)), ((0.16, 0.78), (0.86, 0.4))],
    '8': polyline(arc(0.31, 0.5, 0.17, 0.2, 0, 360, 25))
    + polyline(arc(0.69, 0.5, 0.19, 0.23, 0, 360, 25)),
}


def digit(ch, w, h, thickness=1.6, shift=(0.0, 0.0), hi=255):
    """Binary 0/hi image of a thick digit, like a handwritten-digit sample."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    yy += 0.5 + shift[0]
    xx += 0.5 + shift[1]
    d = np.full((h, w), np.inf)
    for (p0, p1) in DIGITS[ch]:
        d = np.minimum(d, seg_dist(yy, xx, p0[0] * h, p0[1] * w, p1[0] * h, p1[1] * w))
    return np.where(d <= thickness, hi, 0)


def shapes(w, h, hi=255):
    """Binary shapes with exact 0/45/90/135-degree edges: a diamond (45-degree
    staircases), an axis-aligned rectangle, and a thick diagonal bar."""
    img = np.zeros((h, w), dtype=np.int64)
    yy, xx = np.mgrid[0:h, 0:w]
    cy, cx, r = h // 2, w // 3, min(h, w) // 4
    img[np.abs(yy - cy) + np.abs(xx - cx) <= r] = hi
    img[h // 6:h // 6 + max(2, h // 5), w // 2 + 1:w - 2] = hi
    bar = (np.abs((yy - xx) - (h - w) // 2 - h // 3) <= 1) & (yy > h // 2)
    img[bar] = hi
    return img


def diamond(w, h, hi=255):
    yy, xx = np.mgrid[0:h, 0:w]
    cy, cx, r = (h - 1) / 2.0, (w - 1) / 2.0, min(h, w) * 0.35
    return np.where(np.abs(yy - cy) + np.abs(xx - cx) <= r, hi, 0)


def checker(w, h, sq, hi=255):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.where(((yy // sq) + (xx // sq)) % 2 == 0, hi, 0)


def sinusoid(w, h, c, fx, fy, phase=0.0):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.empty((h, w, c))
    for k in range(c):
        out[:, :, k] = 0.5 + 0.5 * np.sin(2 * np.pi * (fx * (1 + 0.3 * k) * xx / w
                                                       + fy * (1 - 0.2 * k) * yy / h)
                                          + phase + k)
    return out if c == 3 else out[:, :, 0]


def make_image(spec, rng):
    """Returns the image as uint8 or float32 ndarray, (h, w) or (h, w, 3)."""
    w, h, c, dt, kind = spec['w'], spec['h'], spec['c'], spec['dtype'], spec['content']
    shape = (h, w, 3) if c == 3 else (h, w)
    if kind == 'noise':
        if dt == 'u8':
            return rng.integers(0, 256, size=shape, dtype=np.uint8)
        return rng.random(size=shape, dtype=np.float32)
    if kind == 'noise-signed':  # f32 in [-1, 1)
        return (rng.random(size=shape, dtype=np.float32) * 2 - 1).astype(np.float32)
    if kind == 'noise-large':  # f32 in [0, 4000)
        return (rng.random(size=shape, dtype=np.float32) * np.float32(4000)).astype(np.float32)
    if kind == 'noise-tiny':  # f32 of order 1e-6: the 1e-5 eps dominates
        return (rng.random(size=shape, dtype=np.float32) * np.float32(3e-6)).astype(np.float32)
    if kind == 'quant':  # f32 in steps of 0.25: exact ties between channels
        return (rng.integers(0, 5, size=shape).astype(np.float32) * np.float32(0.25))
    if kind == 'quant-pattern':
        # channels share edges of equal strength in different directions
        yy, xx = np.mgrid[0:h, 0:w]
        base = ((xx // 3 + yy // 4) % 5).astype(np.float32) * np.float32(0.25)
        if c == 1:
            return base
        alt = ((yy // 3 + xx // 4) % 5).astype(np.float32) * np.float32(0.25)
        return np.stack([base, alt, base[::-1, :].copy()], axis=-1).astype(np.float32)
    if kind == 'constant':
        v = spec.get('value', 117)
        return np.full(shape, v, dtype=np.uint8 if dt == 'u8' else np.float32)
    if kind.startswith('sin'):
        fx, fy = spec.get('freq', (1.5, 2.0))
        s = sinusoid(w, h, c, fx, fy, spec.get('phase', 0.3))
        if dt == 'u8':
            return np.round(s * 255).astype(np.uint8)
        scale = spec.get('scale', 1.0)
        return (s * scale).astype(np.float32)
    # binary 0/hi images
    if dt == 'u8':
        hi = 255
    else:
        hi = 1
    if kind.startswith('digit'):
        ch = kind.split('-')[1]
        g = digit(ch, w, h, spec.get('thick', 1.6), spec.get('shift', (0.0, 0.0)), 1)
    elif kind == 'shapes':
        g = shapes(w, h, 1)
    elif kind == 'diamond':
        g = diamond(w, h, 1)
    elif kind == 'checker':
        g = checker(w, h, spec.get('square', 3), 1)
    else:
        raise ValueError(kind)
    if spec.get('noise_amp'):
        # binary digit with a little noise (u8 only): 0..amp and 255-amp..255
        amp = spec['noise_amp']
        n = rng.integers(0, amp + 1, size=g.shape)
        img = np.where(g > 0, 255 - n, n).astype(np.uint8)
    else:
        img = (g * hi).astype(np.uint8 if dt == 'u8' else np.float32)
    if c == 3:
        # colour: the same shape in channel 0, a shifted copy in 1, noise-free
        # blank in 2 with a constant offset (u8) so channels compete
        img2 = np.roll(img, 1, axis=1)
        img3 = np.zeros_like(img) + (img.dtype.type(40) if dt == 'u8' else img.dtype.type(0.2))
        img = np.stack([img, img2, img3], axis=-1)
    return img


# --------------------------------------------------------------------------
# cases: (short name, spec). w/h in pixels, cell/block as (width, height).

def C(name, w, h, content, dtype='u8', c=1, o=9, cell=(8, 8), block=(3, 3),
      norm='L2-Hys', sqrt=False, **extra):
    d = dict(name=name, w=w, h=h, content=content, dtype=dtype, c=c, o=o,
             cell=cell, block=block, norm=norm, sqrt=sqrt)
    d.update(extra)
    return d


DIGIT = dict(o=9, cell=(4, 4), block=(2, 2), norm='L2-Hys')

CASES = [
    # --- the project's main use: 32x32 digits, 4x4 cells, 2x2 blocks, 9 bins, L2-Hys
    C('digit0', 32, 32, 'digit-0', **DIGIT),
    C('digit1', 32, 32, 'digit-1', **DIGIT),
    C('digit2', 32, 32, 'digit-2', **DIGIT),
    C('digit3', 32, 32, 'digit-3', thick=1.2, **DIGIT),
    C('digit4', 32, 32, 'digit-4', **DIGIT),
    C('digit7', 32, 32, 'digit-7', **DIGIT),
    C('digit8-shifted', 32, 32, 'digit-8', shift=(0.3, -0.4), thick=2.0, **DIGIT),
    C('digit7-noisy', 32, 32, 'digit-7', noise_amp=20, **DIGIT),
    C('digit2-sqrt', 32, 32, 'digit-2', sqrt=True, **DIGIT),
    C('digit0-f32', 32, 32, 'digit-0', dtype='f32', **DIGIT),
    C('digit4-rgb', 32, 32, 'digit-4', c=3, **DIGIT),
    C('digit3-l1', 32, 32, 'digit-3', o=9, cell=(4, 4), block=(2, 2), norm='L1'),
    # --- bins whose edges fall exactly on 45/90-degree gradients, and 1 bin
    C('diamond-o4', 24, 24, 'diamond', o=4, cell=(8, 8), block=(2, 2), norm='L1'),
    C('shapes-o8', 32, 32, 'shapes', o=8, cell=(4, 4), block=(3, 3), norm='L2'),
    C('checker-o4-sqrt', 27, 21, 'checker', o=4, cell=(6, 5), block=(2, 2),
      norm='L2-Hys', sqrt=True, square=3),
    C('shapes-o8-f32-rgb', 40, 28, 'shapes', dtype='f32', c=3, o=8, cell=(5, 7),
      block=(2, 2), norm='L1-sqrt'),
    C('noise-o1', 16, 16, 'noise', o=1, cell=(8, 8), block=(1, 1), norm='L2-Hys'),
    C('digit1-o1-l1', 24, 24, 'digit-1', o=1, cell=(6, 6), block=(2, 2), norm='L1'),
    C('checker-o2', 20, 20, 'checker', o=2, cell=(5, 5), block=(2, 2), norm='L2',
      square=4),
    # --- sizes: smallest, odd, not multiples of the cell, large
    C('tiny8-u8', 8, 8, 'noise', o=9, cell=(4, 4), block=(2, 2), norm='L2-Hys'),
    C('tiny8-f32-onecell', 8, 8, 'noise', dtype='f32', o=6, cell=(8, 8),
      block=(1, 1), norm='L1'),
    C('odd13x11', 13, 11, 'noise', o=7, cell=(4, 5), block=(2, 1), norm='L1-sqrt'),
    C('odd37x29-sqrt', 37, 29, 'noise', o=10, cell=(6, 6), block=(3, 2), norm='L2',
      sqrt=True),
    C('wide130x67-rgb', 130, 67, 'sin', c=3, o=7, cell=(16, 5), block=(2, 3),
      norm='L2-Hys', freq=(2.5, 1.5)),
    C('wide130x67-f32', 130, 67, 'noise', dtype='f32', o=9, cell=(12, 12),
      block=(3, 3), norm='L2-Hys', sqrt=True),
    C('tall67x130', 67, 130, 'sin', o=6, cell=(9, 9), block=(4, 4), norm='L1',
      freq=(1.2, 3.0)),
    C('cell16', 50, 45, 'noise', o=12, cell=(16, 16), block=(2, 1), norm='L2'),
    # --- non-square cells and blocks, all norms, u8 and f32
    C('cell4x6-block3x2', 35, 31, 'noise', o=11, cell=(4, 6), block=(3, 2),
      norm='L1'),
    C('cell16x5-block1x4', 49, 43, 'noise', dtype='f32', o=8, cell=(16, 5),
      block=(1, 4), norm='L1-sqrt'),
    C('cell5x8-block4x2', 44, 37, 'sin', o=9, cell=(5, 8), block=(4, 2),
      norm='L2', freq=(3.0, 1.0)),
    C('cell7x4-block2x3-rgb', 30, 26, 'noise', c=3, o=10, cell=(7, 4),
      block=(2, 3), norm='L1-sqrt', sqrt=True),
    C('cell12x7-f32-sin', 61, 40, 'sin', dtype='f32', o=12, cell=(12, 7),
      block=(3, 3), norm='L2', freq=(2.2, 2.7)),
    C('cell6x10-l1sqrt-sqrt', 38, 52, 'sin', o=6, cell=(6, 10), block=(2, 2),
      norm='L1-sqrt', sqrt=True, freq=(1.7, 0.9)),
    C('block4x4-l2hys', 28, 28, 'noise', o=9, cell=(4, 4), block=(4, 4),
      norm='L2-Hys'),
    # --- float content: ties, ranges, signs
    C('quant-rgb', 24, 20, 'quant', dtype='f32', c=3, o=9, cell=(4, 4),
      block=(2, 2), norm='L2-Hys'),
    C('quant-pattern-rgb', 33, 29, 'quant-pattern', dtype='f32', c=3, o=8,
      cell=(4, 6), block=(2, 2), norm='L1'),
    C('quant-gray-sqrt', 26, 22, 'quant', dtype='f32', o=12, cell=(5, 5),
      block=(2, 2), norm='L2', sqrt=True),
    C('f32-large', 30, 30, 'noise-large', dtype='f32', o=9, cell=(6, 6),
      block=(2, 2), norm='L2-Hys'),
    C('f32-large-sqrt-rgb', 24, 24, 'noise-large', dtype='f32', c=3, o=7,
      cell=(8, 6), block=(2, 3), norm='L1', sqrt=True),
    C('f32-tiny', 24, 24, 'noise-tiny', dtype='f32', o=9, cell=(4, 4),
      block=(2, 2), norm='L2'),
    C('f32-tiny-l1', 20, 28, 'noise-tiny', dtype='f32', o=6, cell=(5, 7),
      block=(2, 2), norm='L1'),
    C('f32-signed', 28, 22, 'noise-signed', dtype='f32', o=11, cell=(4, 4),
      block=(3, 2), norm='L2-Hys'),
    C('f32-sin-x1000', 36, 36, 'sin', dtype='f32', o=9, cell=(6, 6), block=(2, 2),
      norm='L2-Hys', scale=1000.0, freq=(1.0, 2.0)),
    C('f32-noise-rgb', 24, 20, 'noise', dtype='f32', c=3, o=9, cell=(4, 4),
      block=(2, 2), norm='L2-Hys'),
    C('u8-noise-rgb-sqrt', 26, 26, 'noise', c=3, o=9, cell=(4, 4), block=(2, 2),
      norm='L2-Hys', sqrt=True),
    # --- constant images: all-zero histograms
    C('constant-u8', 16, 16, 'constant', o=9, cell=(4, 4), block=(2, 2),
      norm='L2-Hys', value=117),
    C('constant-f32-l1sqrt', 20, 12, 'constant', dtype='f32', o=6, cell=(5, 4),
      block=(2, 2), norm='L1-sqrt', value=0.75),
]


# --------------------------------------------------------------------------

def header_bytes(spec, length):
    cw, chh = spec['cell']
    bw, bh = spec['block']
    lines = [
        'hogfeat-fixture %d' % FORMAT_VERSION,
        'name %s' % spec['name'],
        'width %d' % spec['w'],
        'height %d' % spec['h'],
        'channels %d' % spec['c'],
        'dtype %s' % spec['dtype'],
        'orientations %d' % spec['o'],
        'cell_width %d' % cw,
        'cell_height %d' % chh,
        'block_width %d' % bw,
        'block_height %d' % bh,
        'norm %s' % spec['norm'],
        'transform_sqrt %d' % (1 if spec['sqrt'] else 0),
        'length %d' % length,
        'end',
    ]
    return ('\n'.join(lines) + '\n').encode('ascii')


def run_case(index, spec):
    rng = np.random.default_rng(20240601 + 7919 * index)
    img = make_image(spec, rng)
    want_dtype = np.uint8 if spec['dtype'] == 'u8' else np.float32
    img = np.ascontiguousarray(img, dtype=want_dtype)
    expect_shape = (spec['h'], spec['w'], 3) if spec['c'] == 3 else (spec['h'], spec['w'])
    assert img.shape == expect_shape, (spec['name'], img.shape)
    cw, chh = spec['cell']
    bw, bh = spec['block']
    ref = hog(img, orientations=spec['o'], pixels_per_cell=(chh, cw),
              cells_per_block=(bh, bw), block_norm=spec['norm'],
              transform_sqrt=spec['sqrt'], feature_vector=True,
              channel_axis=-1 if spec['c'] == 3 else None)
    ref = np.asarray(ref)
    ncx, ncy = spec['w'] // cw, spec['h'] // chh
    expect_len = (ncy - bh + 1) * (ncx - bw + 1) * bh * bw * spec['o']
    assert ref.ndim == 1 and ref.size == expect_len, (spec['name'], ref.shape, expect_len)
    assert np.all(np.isfinite(ref)), spec['name']
    body = header_bytes(spec, ref.size)
    body += img.astype(img.dtype.newbyteorder('<'), copy=False).tobytes(order='C')
    body += ref.astype('<f8').tobytes()
    return body, ref


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'hog')
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
        body, ref = run_case(i, spec)
        fname = '%03d-%s.fix' % (i, spec['name'])
        with open(os.path.join(out_dir, fname), 'wb') as fh:
            fh.write(body)
        total += len(body)
        rows.append('| `%s` | %dx%d | %d | %s | %s | %d | %dx%d | %dx%d | %s | %d | %d |' % (
            fname, spec['w'], spec['h'], spec['c'], spec['dtype'], spec['content'],
            spec['o'], spec['cell'][0], spec['cell'][1], spec['block'][0],
            spec['block'][1], spec['norm'], 1 if spec['sqrt'] else 0, ref.size))
        print('%-36s %6d values, %7d bytes, nonzero %5.1f%%' % (
            fname, ref.size, len(body), 100.0 * np.count_nonzero(ref) / ref.size))

    readme = README_TEXT.format(
        skver=skimage.__version__, npver=np.__version__,
        pyver='%d.%d' % sys.version_info[:2], ncases=len(CASES), total=total,
        table='\n'.join(rows))
    with open(os.path.join(out_dir, 'README.md'), 'w', encoding='ascii') as fh:
        fh.write(readme)
    print('%d cases, %d bytes of fixtures' % (len(CASES), total))
    if total > SIZE_BUDGET:
        sys.exit('fixtures exceed the %d-byte budget' % SIZE_BUDGET)


if __name__ == '__main__':
    main()
