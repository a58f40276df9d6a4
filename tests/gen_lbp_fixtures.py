#!/usr/bin/python3
"""Generate scikit-image LBP parity fixtures for libhogfeat.

Run with Debian's interpreter, which has python3-skimage (0.19.3) and numpy:

    /usr/bin/python3 tests/gen_lbp_fixtures.py

It rewrites tests/data/lbp/*.fix and tests/data/lbp/README.md (the output
directory can be given as the only argument). Every image comes from a fixed
seed or a closed formula, so a rerun with the same skimage and numpy
versions reproduces the files byte for byte.
"""

import math
import os
import sys

import numpy as np
import skimage
from skimage.feature import local_binary_pattern

FORMAT_VERSION = 1
SIZE_BUDGET = 600_000  # bytes, all fixtures together
HIST_MAX_BINS = 4096   # larger histograms are left out of the fixtures

README_TEXT = """\
# scikit-image LBP parity fixtures

Reference codes from `skimage.feature.local_binary_pattern` (scikit-image
{skver}, numpy {npver}, Python {pyver}), read by `tests/test-lbp.c` (the `lbp`
test: `meson test -C build lbp`).

## How they were made

    /usr/bin/python3 tests/gen_lbp_fixtures.py

run from the repository root with Debian's `python3-skimage` installed. The
script is deterministic (fixed seeds, closed-form images): it deletes the
`*.fix` files in this directory and writes them, and this README, again.
Each fixture holds one case: `local_binary_pattern(image, P, R, method)`
with `R` a float32 value (scikit-image's Cython signature rounds it to
float). The script checks that numpy's sin/cos (SIMD on AVX-512 machines)
and the C library's give the same rounded sampling offsets for every case.

Per-cell histograms are not a scikit-image feature: the reference histogram
is computed by the script with numpy from scikit-image's codes (bin c counts
the pixels of code c in each cell; cells tile the image from the top-left,
partial cells are dropped; `L1` divides by the sum, `L2` by the Euclidean
norm).

{ncases} cases, {total} bytes in all.

## File format `hogfeat-lbp-fixture 1`

All binary numbers are little-endian.

1. An ASCII header of `key value` lines (one space between key and value,
   each line ended by `\\n`), terminated by the line `end`. The first line is
   `hogfeat-lbp-fixture 1`. Every key below appears exactly once:

   | key           | value                                                          |
   | ------------- | -------------------------------------------------------------- |
   | `name`        | short case name                                                |
   | `width`       | image width in pixels                                          |
   | `height`      | image height in pixels                                         |
   | `dtype`       | `u8` (uint8) or `f32` (IEEE float32)                           |
   | `points`      | P                                                              |
   | `radius`      | R, printed with 9 significant digits (a float32 value)         |
   | `method`      | `default`, `ror`, `uniform`, `nri_uniform` or `var`            |
   | `cell_width`  | histogram cell width in pixels                                 |
   | `cell_height` | histogram cell height in pixels                                |
   | `norm`        | `none`, `L1` or `L2`                                           |
   | `hist_length` | number of histogram values (0: no histogram in this fixture)   |

2. Right after the `end\\n` line, the raw image: height * width samples,
   row-major, no padding; uint8 or float32.
3. Then height * width float64 values: scikit-image's output, row-major
   (integers for the code methods; NaN where the var method's variance is 0;
   for P = 32 scikit-image's int32 overflow leaves codes with bit 31 set
   2^32 too small, i.e. negative).
4. Then `hist_length` float64 values: the reference histograms, cell by cell
   (row-major), bins within a cell.

## Cases

| file | size | dtype | content | P | R | method | cell (w x h) | norm | hist |
| ---- | ---- | ----- | ------- | - | - | ------ | ------------ | ---- | ---- |
{table}
"""


def num_bins(p, method):
    if method in ('default', 'ror'):
        return 1 << p
    if method == 'uniform':
        return p + 2
    if method == 'nri_uniform':
        return p * (p - 1) + 3
    return 0


def check_offsets(p, r):
    """scikit-image rounds numpy sin/cos to 5 decimals; libhogfeat uses the C
    library's. Make sure they agree for this case."""
    a = 2 * np.pi * np.arange(p, dtype=np.double) / p
    rr = np.round(-r * np.sin(a), 5)
    cc = np.round(r * np.cos(a), 5)
    rr2 = np.array([round(-r * math.sin(x) * 1e5) / 1e5 for x in a])
    cc2 = np.array([round(r * math.cos(x) * 1e5) / 1e5 for x in a])
    if not (np.array_equal(rr, rr2) and np.array_equal(cc, cc2)):
        sys.exit('P=%d R=%r: numpy and libm sampling offsets differ' % (p, r))


def make_image(spec, rng):
    w, h, dt, kind = spec['w'], spec['h'], spec['dtype'], spec['content']
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == 'noise':
        if dt == 'u8':
            return rng.integers(0, 256, size=(h, w), dtype=np.uint8)
        return rng.random(size=(h, w), dtype=np.float32)
    if kind == 'noise-signed':
        return (rng.random(size=(h, w), dtype=np.float32) * 2 - 1).astype(np.float32)
    if kind == 'noise-large':
        return (rng.random(size=(h, w), dtype=np.float32) * np.float32(1e6)).astype(np.float32)
    if kind == 'levels':  # few grey levels: many ties with the centre
        v = rng.integers(0, 4, size=(h, w))
        return (v * 60).astype(np.uint8) if dt == 'u8' else (v * 0.25).astype(np.float32)
    if kind == 'constant':
        return np.full((h, w), 77, dtype=np.uint8 if dt == 'u8' else np.float32)
    if kind == 'sin':
        s = 0.5 + 0.5 * np.sin(2 * np.pi * (1.3 * xx / w + 0.8 * yy / h) + 0.4)
        return np.round(s * 255).astype(np.uint8) if dt == 'u8' else s.astype(np.float32)
    if kind == 'disc':  # binary disc and bar, like a digit stroke
        g = ((yy - h / 2.0) ** 2 + (xx - w / 2.5) ** 2 <= (min(h, w) / 3.0) ** 2) \
            | ((np.abs(xx - yy) <= 1.5) & (yy > h / 2))
        return (g * 255).astype(np.uint8) if dt == 'u8' else g.astype(np.float32)
    if kind == 'checker':
        g = ((yy // 3 + xx // 3) % 2 == 0)
        return (g * 200 + 20).astype(np.uint8) if dt == 'u8' else (g * 0.8).astype(np.float32)
    raise ValueError(kind)


def C(name, w, h, content, p, r, method, dtype='u8', cell=(4, 4), norm='L1'):
    return dict(name=name, w=w, h=h, content=content, p=p, r=r, method=method,
                dtype=dtype, cell=cell, norm=norm)


CASES = [
    # the four code methods and var on the same u8 noise
    C('u8-p8-r1-default', 16, 12, 'noise', 8, 1.0, 'default', cell=(8, 6), norm='none'),
    C('u8-p8-r1-ror', 16, 12, 'noise', 8, 1.0, 'ror', cell=(8, 6), norm='L1'),
    C('u8-p8-r1-uniform', 16, 12, 'noise', 8, 1.0, 'uniform', cell=(4, 4), norm='L1'),
    C('u8-p8-r1-nri', 16, 12, 'noise', 8, 1.0, 'nri_uniform', cell=(4, 3), norm='L2'),
    C('u8-p8-r1-var', 16, 12, 'noise', 8, 1.0, 'var'),
    # float images, radii that are not exact in binary, signed values
    C('f32-p8-r1.5-uniform', 15, 17, 'noise', 8, 1.5, 'uniform', dtype='f32', cell=(5, 5)),
    C('f32-p8-r0.7-default', 13, 11, 'noise-signed', 8, 0.7, 'default', dtype='f32', cell=(6, 5), norm='none'),
    C('f32-p12-r2.2-nri', 20, 14, 'sin', 12, 2.2, 'nri_uniform', dtype='f32', cell=(10, 7), norm='L2'),
    C('f32-p8-r3-var-large', 14, 14, 'noise-large', 8, 3.0, 'var', dtype='f32'),
    C('f32-p6-r1-uniform-levels', 18, 9, 'levels', 6, 1.0, 'uniform', dtype='f32', cell=(3, 3)),
    # larger P, up to the 32 that scikit-image overflows at
    C('u8-p16-r2-nri', 24, 20, 'noise', 16, 2.0, 'nri_uniform', cell=(12, 10), norm='none'),
    C('u8-p16-r2-default', 12, 10, 'noise', 16, 2.0, 'default', cell=(12, 10), norm='none'),
    C('u8-p24-r3-uniform', 22, 18, 'sin', 24, 3.0, 'uniform', cell=(11, 9)),
    C('u8-p24-r3-nri', 22, 18, 'noise', 24, 3.0, 'nri_uniform', cell=(11, 9), norm='L2'),
    C('f32-p31-r4-default', 17, 15, 'noise', 31, 4.0, 'default', dtype='f32'),
    C('u8-p31-r2.5-ror', 15, 13, 'noise', 31, 2.5, 'ror'),
    C('u8-p32-r3-default', 16, 16, 'noise', 32, 3.0, 'default'),
    C('u8-p32-r3-uniform', 16, 16, 'noise', 32, 3.0, 'uniform', cell=(8, 8)),
    C('u8-p32-r3-nri', 16, 16, 'sin', 32, 3.0, 'nri_uniform', cell=(16, 16), norm='none'),
    # tiny images: every sample near or outside the border
    C('u8-1x1-p8-default', 1, 1, 'noise', 8, 1.0, 'default', cell=(1, 1), norm='none'),
    C('f32-2x3-p4-uniform', 2, 3, 'noise', 4, 1.0, 'uniform', dtype='f32', cell=(1, 1)),
    C('u8-3x1-p1-default', 3, 1, 'noise', 1, 1.0, 'default', cell=(1, 1), norm='none'),
    C('u8-2x2-p2-nri', 2, 2, 'noise', 2, 1.0, 'nri_uniform', cell=(2, 2), norm='none'),
    C('u8-9x9-p12-r5.25-nri', 9, 9, 'noise', 12, 5.25, 'nri_uniform', cell=(3, 3), norm='L1'),
    # ties and flat areas
    C('u8-constant-p8-default', 8, 6, 'constant', 8, 1.0, 'default', cell=(4, 3), norm='none'),
    C('u8-constant-p8-var', 8, 6, 'constant', 8, 1.0, 'var'),
    C('u8-levels-p8-r2-ror', 20, 16, 'levels', 8, 2.0, 'ror', cell=(5, 4), norm='L2'),
    C('u8-checker-p8-r1-uniform', 24, 24, 'checker', 8, 1.0, 'uniform', cell=(6, 6)),
    # the usual texture descriptor: uniform / nri_uniform histograms
    C('u8-disc-p8-r1-uniform', 32, 32, 'disc', 8, 1.0, 'uniform', cell=(8, 8), norm='L1'),
    C('u8-disc-p8-r2-nri', 28, 28, 'disc', 8, 2.0, 'nri_uniform', cell=(7, 7), norm='none'),
    C('f32-sin-p8-r2-ror', 40, 30, 'sin', 8, 2.0, 'ror', dtype='f32', cell=(10, 10), norm='L2'),
    C('f32-disc-p4-r1-var', 12, 10, 'disc', 4, 1.0, 'var', dtype='f32'),
]


def reference_hist(codes, spec):
    bins = num_bins(spec['p'], spec['method'])
    if bins == 0 or bins > HIST_MAX_BINS:
        return np.zeros(0)
    cw, ch = spec['cell']
    h, w = codes.shape
    ncx, ncy = w // cw, h // ch
    if ncx == 0 or ncy == 0:
        return np.zeros(0)
    out = []
    for cy in range(ncy):
        for cx in range(ncx):
            cell = codes[cy * ch:(cy + 1) * ch, cx * cw:(cx + 1) * cw].astype(np.int64).ravel()
            hist = np.bincount(cell, minlength=bins).astype(np.float64)
            if spec['norm'] == 'L1':
                hist = hist / hist.sum()
            elif spec['norm'] == 'L2':
                hist = hist / np.sqrt(np.sum(hist ** 2))
            out.append(hist)
    return np.concatenate(out)


def run_case(index, spec):
    rng = np.random.default_rng(1000 + index)
    img = make_image(spec, rng)
    assert img.shape == (spec['h'], spec['w'])
    r32 = float(np.float32(spec['r']))
    check_offsets(spec['p'], r32)
    codes = local_binary_pattern(img, spec['p'], r32, spec['method'])
    assert codes.dtype == np.float64
    hist = reference_hist(codes, spec)
    header = [
        'hogfeat-lbp-fixture %d' % FORMAT_VERSION,
        'name %s' % spec['name'],
        'width %d' % spec['w'],
        'height %d' % spec['h'],
        'dtype %s' % spec['dtype'],
        'points %d' % spec['p'],
        'radius %s' % ('%.9g' % r32),
        'method %s' % spec['method'],
        'cell_width %d' % spec['cell'][0],
        'cell_height %d' % spec['cell'][1],
        'norm %s' % spec['norm'],
        'hist_length %d' % hist.size,
        'end',
    ]
    body = ('\n'.join(header) + '\n').encode('ascii')
    body += np.ascontiguousarray(img).astype('<u1' if spec['dtype'] == 'u8' else '<f4').tobytes()
    body += codes.astype('<f8').tobytes()
    body += hist.astype('<f8').tobytes()
    return body, hist.size


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'lbp')
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith('.fix'):
            os.remove(os.path.join(out_dir, f))
    rows, total, names = [], 0, set()
    for i, spec in enumerate(CASES):
        assert spec['name'] not in names, spec['name']
        names.add(spec['name'])
        body, nhist = run_case(i, spec)
        fname = '%03d-%s.fix' % (i, spec['name'])
        with open(os.path.join(out_dir, fname), 'wb') as fh:
            fh.write(body)
        total += len(body)
        rows.append('| `%s` | %dx%d | %s | %s | %d | %s | %s | %dx%d | %s | %d |' % (
            fname, spec['w'], spec['h'], spec['dtype'], spec['content'], spec['p'],
            '%.9g' % np.float32(spec['r']), spec['method'], spec['cell'][0], spec['cell'][1],
            spec['norm'], nhist))
        print('%-36s %7d bytes' % (fname, len(body)))
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
