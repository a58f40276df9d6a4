#!/usr/bin/python3
"""Generate scikit-image HOG picture (visualize=True) fixtures for libhogfeat.

Run with Debian's interpreter, which has python3-skimage (0.19.3) and numpy:

    /usr/bin/python3 tests/gen_visualize_fixtures.py

It rewrites tests/data/visualize/*.fix and tests/data/visualize/README.md
(the output directory can be given as the only argument). Every image comes
from a fixed seed or a closed formula, so a rerun with the same skimage and
numpy versions reproduces the files byte for byte.
"""

import math
import os
import sys

import numpy as np
import skimage
from skimage.feature import hog

FORMAT_VERSION = 1
SIZE_BUDGET = 400_000

README_TEXT = """\
# scikit-image HOG picture fixtures

Reference pictures from `skimage.feature.hog(..., visualize=True)`
(scikit-image {skver}, numpy {npver}, Python {pyver}), read by
`tests/test-visualize.c` (the `visualize` test:
`meson test -C build visualize`).

## How they were made

    /usr/bin/python3 tests/gen_visualize_fixtures.py

run from the repository root with Debian's `python3-skimage` installed. The
script is deterministic: it deletes the `*.fix` files in this directory and
writes them, and this README, again. Each case is
`hog(image, orientations=O, pixels_per_cell=(cell_height, cell_width),
cells_per_block=(1, 1), transform_sqrt=S, visualize=True,
channel_axis=-1 if channels == 3 else None)[1]` (the block settings do not
change the picture).

scikit-image computes the line ends with numpy's sin and cos, which on
AVX-512 machines use SIMD code that can differ from the C library in the
last bit; libhogfeat uses the C library. The script checks, for each case,
that both give the same pixels for every line (all cases here do).

{ncases} cases, {total} bytes in all.

## File format `hogfeat-hogvis-fixture 1`

All binary numbers are little-endian. An ASCII header of `key value` lines
ended by the line `end`: `name`, `width`, `height`, `channels` (1 or 3,
interleaved), `dtype` (`u8` or `f32`), `orientations`, `cell_width`,
`cell_height`, `transform_sqrt` (0 or 1). Then the image (height * width *
channels samples, row-major), then height * width float64 values: the
picture (float64 for uint8 images; float32 for float images, stored widened).

## Cases

| file | size | ch | dtype | content | bins | cell (w x h) | sqrt | radius |
| ---- | ---- | -- | ----- | ------- | ---- | ------------ | ---- | ------ |
{table}
"""


def make_image(kind, w, h, c, dt, rng):
    shape = (h, w, 3) if c == 3 else (h, w)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == 'noise':
        if dt == 'u8':
            return rng.integers(0, 256, size=shape, dtype=np.uint8)
        return rng.random(size=shape, dtype=np.float32)
    if kind == 'noise-large':
        return (rng.random(size=shape, dtype=np.float32) * np.float32(4000)).astype(np.float32)
    if kind == 'sin':
        chans = []
        for k in range(c):
            s = 0.5 + 0.5 * np.sin(2 * np.pi * ((1.3 + 0.3 * k) * xx / w + (0.9 - 0.2 * k) * yy / h) + k)
            chans.append(s)
        s = np.stack(chans, axis=-1) if c == 3 else chans[0]
        return np.round(s * 255).astype(np.uint8) if dt == 'u8' else s.astype(np.float32)
    if kind == 'shapes':
        g = ((yy - h / 2.0) ** 2 + (xx - w / 2.5) ** 2 <= (min(h, w) / 3.0) ** 2) \
            | ((np.abs(xx - yy) <= 1.5) & (yy > h / 2)) \
            | ((yy > h / 8) & (yy < h / 8 + 3) & (xx > w / 2))
        g = g.astype(np.float64)
        if c == 3:
            g = np.stack([g, np.roll(g, 2, axis=1), 0.3 + 0 * g], axis=-1)
        return (g * 255).astype(np.uint8) if dt == 'u8' else g.astype(np.float32)
    raise ValueError(kind)


def C(name, w, h, content, o, cell, c=1, dtype='u8', sqrt=False):
    return dict(name=name, w=w, h=h, content=content, o=o, cell=cell, c=c, dtype=dtype, sqrt=sqrt)


CASES = [
    C('u8-shapes-o9-c8', 32, 32, 'shapes', 9, (8, 8)),
    C('u8-noise-o9-c4', 40, 24, 'noise', 9, (4, 4)),
    C('f32-sin-o12-c8x6', 48, 40, 'sin', 12, (8, 6), dtype='f32'),
    C('u8-rgb-noise-o6-c10-sqrt', 30, 30, 'noise', 6, (10, 10), c=3, sqrt=True),
    C('f32-rgb-shapes-o8-c12x10', 36, 20, 'shapes', 8, (12, 10), c=3, dtype='f32'),
    C('u8-shapes-o9-c16', 64, 48, 'shapes', 9, (16, 16)),
    C('u8-tiny-o4-c3', 7, 5, 'noise', 4, (3, 3)),
    C('f32-large-o9-c8-partial', 37, 29, 'noise-large', 9, (8, 8), dtype='f32'),
    C('u8-sin-o5-c7x9-sqrt', 30, 40, 'sin', 5, (7, 9), sqrt=True),
    C('f32-noise-o3-c2x3', 11, 10, 'noise', 3, (2, 3), dtype='f32'),
    C('u8-noise-o7-c2', 9, 8, 'noise', 7, (2, 2)),
]


def lines_agree(spec):
    """Do numpy's and libm's sin/cos give the same line pixels for every cell?"""
    cw, ch = spec['cell']
    n = spec['o']
    radius = min(ch, cw) // 2 - 1
    mids = np.pi * (np.arange(n) + .5) / n
    dr_np, dc_np = radius * np.sin(mids), radius * np.cos(mids)
    for r in range(spec['h'] // ch):
        for c in range(spec['w'] // cw):
            cr, cc = r * ch + ch // 2, c * cw + cw // 2
            for o in range(n):
                dr_m, dc_m = radius * math.sin(mids[o]), radius * math.cos(mids[o])
                a = (int(cr - dc_np[o]), int(cc + dr_np[o]), int(cr + dc_np[o]), int(cc - dr_np[o]))
                b = (int(cr - dc_m), int(cc + dr_m), int(cr + dc_m), int(cc - dr_m))
                if a != b:
                    return False
    return True


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'visualize')
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith('.fix'):
            os.remove(os.path.join(out_dir, f))
    rows, total = [], 0
    for i, spec in enumerate(CASES):
        if not lines_agree(spec):
            sys.exit('%s: numpy and libm sin/cos draw different lines; pick another case' % spec['name'])
        rng = np.random.default_rng(3000 + i)
        img = make_image(spec['content'], spec['w'], spec['h'], spec['c'], spec['dtype'], rng)
        cw, ch = spec['cell']
        _, pic = hog(img, orientations=spec['o'], pixels_per_cell=(ch, cw), cells_per_block=(1, 1),
                     transform_sqrt=spec['sqrt'], visualize=True,
                     channel_axis=-1 if spec['c'] == 3 else None)
        assert pic.shape == (spec['h'], spec['w'])
        assert pic.dtype == (np.float64 if spec['dtype'] == 'u8' else np.float32)
        header = [
            'hogfeat-hogvis-fixture %d' % FORMAT_VERSION,
            'name %s' % spec['name'],
            'width %d' % spec['w'], 'height %d' % spec['h'], 'channels %d' % spec['c'],
            'dtype %s' % spec['dtype'], 'orientations %d' % spec['o'],
            'cell_width %d' % cw, 'cell_height %d' % ch,
            'transform_sqrt %d' % (1 if spec['sqrt'] else 0),
            'end',
        ]
        body = ('\n'.join(header) + '\n').encode('ascii')
        body += np.ascontiguousarray(img).astype('<u1' if spec['dtype'] == 'u8' else '<f4').tobytes()
        body += pic.astype('<f8').tobytes()
        fname = '%03d-%s.fix' % (i, spec['name'])
        with open(os.path.join(out_dir, fname), 'wb') as fh:
            fh.write(body)
        total += len(body)
        rows.append('| `%s` | %dx%d | %d | %s | %s | %d | %dx%d | %d | %d |' % (
            fname, spec['w'], spec['h'], spec['c'], spec['dtype'], spec['content'], spec['o'],
            cw, ch, 1 if spec['sqrt'] else 0, min(cw, ch) // 2 - 1))
        print('%-40s %7d bytes, max %.6g' % (fname, len(body), float(pic.max())))
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
