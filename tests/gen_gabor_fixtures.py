#!/usr/bin/python3
"""Generate scikit-image Gabor parity fixtures for libhogfeat.

Run with Debian's interpreter, which has python3-skimage (0.19.3), scipy and
numpy:

    /usr/bin/python3 tests/gen_gabor_fixtures.py

It rewrites tests/data/gabor/*.fix and tests/data/gabor/README.md (the
output directory can be given as the only argument). Every image comes from
a fixed seed or a closed formula, so a rerun with the same library versions
reproduces the files byte for byte.
"""

import os
import sys

import numpy as np
import scipy
from scipy import ndimage as ndi
import skimage
from skimage.filters import gabor, gabor_kernel

FORMAT_VERSION = 1
SIZE_BUDGET = 800_000

README_TEXT = """\
# scikit-image Gabor parity fixtures

Reference kernels from `skimage.filters.gabor_kernel`, responses from
`skimage.filters.gabor` and pooled bank descriptors built on it
(scikit-image {skver}, scipy {spver}, numpy {npver}, Python {pyver}), read by
`tests/test-gabor.c` (the `gabor` test: `meson test -C build gabor`).

## How they were made

    /usr/bin/python3 tests/gen_gabor_fixtures.py

run from the repository root with Debian's `python3-skimage` installed. The
script is deterministic: it deletes the `*.fix` files in this directory and
writes them, and this README, again.

* Filter cases (`filter-*.fix`): `gabor_kernel(frequency, theta, bandwidth,
  sigma_x, sigma_y, n_stds, offset)` in complex128, and
  `gabor(image, ..., mode=border)`. scikit-image returns the response of a
  uint8 image as uint8 (scipy.ndimage writes into an array of the input
  type, wrapping negative values); for uint8 cases the reference is
  therefore `gabor(image.astype(float64), ...)`, the response libhogfeat
  promises. For float32 images it is `gabor(image, ...)` itself (float32,
  computed with a complex64 kernel).
  Exception: scipy {spver}'s multi-dimensional `reflect` extension
  (`NI_InitFilterOffsets`) reads 0 instead of a reflected sample at taps
  exactly k * 2 * side pixels before the first row or column (k >= 1), which
  only kernels reaching two image sides beyond the border meet. The script
  also convolves an image padded by `np.pad` (modes `symmetric`, `reflect`,
  `wrap`, `edge`, `constant` for scipy's `reflect`, `mirror`, `wrap`,
  `nearest`, `constant`) and checks that both agree; where scipy hits that
  bug (tiny images only) the padded result is the reference and the header
  says `reference numpy-pad` instead of `reference skimage`.
* Bank cases (`bank-*.fix`): for frequency f (outer loop) and
  theta = k * pi / K (inner loop), `m = hypot(*gabor(image, f, theta,
  bandwidth, n_stds=n_stds, mode=border))` (uint8 images as float64), then
  for each cell (row-major) and filter the mean and `np.std` of `m` over the
  cell, stored as ((cell * F * K) + filter) * 2 + (0 mean, 1 std).

{ncases} cases, {total} bytes in all.

## File format

All binary numbers are little-endian. Each file starts with an ASCII header
of `key value` lines ended by the line `end`; the image follows (height *
width samples, row-major, uint8 or float32), then float64 arrays.

`hogfeat-gabor-fixture 1` keys: `name`, `width`, `height`, `dtype` (`u8` or
`f32`), `frequency`, `theta`, `bandwidth`, `sigma_x` and `sigma_y` (`0` for
scikit-image's None), `n_stds`, `offset` (all printed with `repr`, so they
parse back to the same doubles), `border` (scipy mode), `kernel_width`,
`kernel_height`, `reference` (`skimage` or `numpy-pad`, see above). Arrays: kernel real part and imaginary part (kernel_height
* kernel_width each, row 0 at y = -y0), then the real and imaginary
responses (height * width each).

`hogfeat-gabor-bank-fixture 1` keys: `name`, `width`, `height`, `dtype`,
`frequencies` (space-separated), `orientations`, `bandwidth`, `n_stds`,
`border`, `cell_width`, `cell_height`, `length`. Array: `length` values.

## Cases

{table}
"""


def make_image(kind, w, h, dt, rng):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == 'noise':
        if dt == 'u8':
            return rng.integers(0, 256, size=(h, w), dtype=np.uint8)
        return rng.random(size=(h, w), dtype=np.float32)
    if kind == 'sin':
        s = 0.5 + 0.5 * np.sin(2 * np.pi * (2.3 * xx / w + 1.1 * yy / h) + 0.3)
        return np.round(s * 255).astype(np.uint8) if dt == 'u8' else s.astype(np.float32)
    if kind == 'bars':
        g = ((xx + 2 * yy) // 3) % 2
        return (g * 255).astype(np.uint8) if dt == 'u8' else g.astype(np.float32)
    if kind == 'disc':
        g = (yy - h / 2.0) ** 2 + (xx - w / 2.0) ** 2 <= (min(h, w) / 3.0) ** 2
        return (g * 200 + 30).astype(np.uint8) if dt == 'u8' else (g * 0.8 + 0.1).astype(np.float32)
    raise ValueError(kind)


def F(name, w, h, content, f, theta=0.0, dtype='u8', bandwidth=1.0, sx=None, sy=None,
      n_stds=3.0, offset=0.0, border='reflect'):
    return dict(kind='filter', name=name, w=w, h=h, content=content, f=f, theta=theta,
                dtype=dtype, bandwidth=bandwidth, sx=sx, sy=sy, n_stds=n_stds,
                offset=offset, border=border)


def B(name, w, h, content, freqs, k, dtype='u8', bandwidth=1.0, n_stds=3.0,
      border='reflect', cell=(16, 16)):
    return dict(kind='bank', name=name, w=w, h=h, content=content, freqs=freqs, k=k,
                dtype=dtype, bandwidth=bandwidth, n_stds=n_stds, border=border, cell=cell)


PI = np.pi
CASES = [
    F('u8-f0.1-t0', 40, 32, 'noise', 0.1),
    F('u8-f0.25-t45', 24, 20, 'sin', 0.25, PI / 4),
    F('f32-f0.3-t60-bw1.5', 25, 19, 'noise', 0.3, PI / 3, dtype='f32', bandwidth=1.5),
    F('f32-sigmas-offset', 30, 22, 'sin', 0.2, 0.7, dtype='f32', sx=2.0, sy=4.0, offset=0.5),
    F('u8-sigma-x-only', 21, 21, 'disc', 0.15, 2.0, sx=3.5),
    F('u8-nstds2-t2', 26, 18, 'bars', 0.15, 2.0, n_stds=2.0),
    F('u8-f0.5-t90', 16, 16, 'noise', 0.5, PI / 2),
    F('f32-f0.1-t30-bw0.8', 40, 30, 'sin', 0.1, PI / 6, dtype='f32', bandwidth=0.8),
    F('u8-constant-mode', 20, 17, 'noise', 0.2, 1.0, border='constant'),
    F('u8-nearest-mode', 20, 17, 'noise', 0.2, 1.0, border='nearest'),
    F('u8-mirror-mode', 20, 17, 'noise', 0.2, 1.0, border='mirror'),
    F('u8-wrap-mode', 20, 17, 'noise', 0.2, 1.0, border='wrap'),
    F('f32-negative-theta', 18, 23, 'disc', 0.35, -1.2, dtype='f32', offset=-2.0),
    # images smaller than the kernel: the border rules repeat periodically
    F('tiny-u8-3x2-reflect', 3, 2, 'noise', 0.2, 0.3),
    F('tiny-u8-4x3-mirror', 4, 3, 'noise', 0.2, 0.3, border='mirror'),
    F('tiny-u8-2x5-wrap', 2, 5, 'noise', 0.2, 0.3, border='wrap'),
    F('tiny-f32-1x1-reflect', 1, 1, 'noise', 0.25, 0.0, dtype='f32'),
    F('tiny-u8-1x4-mirror', 1, 4, 'noise', 0.25, 1.0, border='mirror'),
    F('tiny-u8-5x1-nearest', 5, 1, 'noise', 0.1, 0.5, border='nearest'),
    B('bank-u8-3f-4k', 32, 32, 'noise', [0.1, 0.2, 0.4], 4),
    B('bank-f32-1f-2k', 20, 12, 'sin', [0.25], 2, dtype='f32', cell=(5, 4)),
    B('bank-u8-2f-3k-wrap', 24, 24, 'disc', [0.15, 0.3], 3, bandwidth=1.5, border='wrap',
      cell=(8, 12)),
    B('bank-u8-partial-cells', 27, 19, 'bars', [0.2, 0.35], 2, n_stds=2.5, cell=(9, 6)),
]


def r(v):
    return repr(float(v))


NUMPY_PAD_MODE = {'reflect': 'symmetric', 'mirror': 'reflect', 'wrap': 'wrap',
                  'nearest': 'edge', 'constant': 'constant'}


def pad_reference(src, kernel, border):
    """Convolution of src padded with np.pad (the border rule applied
    periodically however far the kernel reaches), cropped back."""
    ky, kx = kernel.shape[0] // 2, kernel.shape[1] // 2
    p = np.pad(src, ((ky, ky), (kx, kx)), mode=NUMPY_PAD_MODE[border])
    h, w = src.shape
    re = ndi.convolve(p, np.real(kernel), mode='constant')[ky:ky + h, kx:kx + w]
    im = ndi.convolve(p, np.imag(kernel), mode='constant')[ky:ky + h, kx:kx + w]
    return re, im


def filter_case(spec, img):
    kw = dict(frequency=spec['f'], theta=spec['theta'], bandwidth=spec['bandwidth'],
              sigma_x=spec['sx'], sigma_y=spec['sy'], n_stds=spec['n_stds'],
              offset=spec['offset'])
    k = gabor_kernel(dtype=np.complex128, **kw)
    src = img.astype(np.float64) if spec['dtype'] == 'u8' else img
    re, im = gabor(src, mode=spec['border'], **kw)
    assert re.dtype == (np.float64 if spec['dtype'] == 'u8' else np.float32)
    # The same convolution on an explicitly padded image. They agree except
    # where scipy.ndimage's multi-dimensional 'reflect' reads 0 (see README).
    kd = gabor_kernel(dtype=np.complex64 if spec['dtype'] == 'f32' else np.complex128, **kw)
    pre, pim = pad_reference(src, kd, spec['border'])
    scale = max(1.0, float(np.max(np.abs(src))))
    agree = (np.max(np.abs(pre - re)) <= 1e-6 * scale and np.max(np.abs(pim - im)) <= 1e-6 * scale)
    reference = 'skimage'
    if not agree:
        reach = max(k.shape) // 2
        assert spec['border'] == 'reflect' and reach >= 2 * min(spec['w'], spec['h']), spec['name']
        re, im, reference = pre, pim, 'numpy-pad'
        print('  %s: scipy reflect bug hit; reference from np.pad' % spec['name'])
    header = [
        'hogfeat-gabor-fixture %d' % FORMAT_VERSION,
        'name %s' % spec['name'],
        'width %d' % spec['w'], 'height %d' % spec['h'], 'dtype %s' % spec['dtype'],
        'frequency %s' % r(spec['f']), 'theta %s' % r(spec['theta']),
        'bandwidth %s' % r(spec['bandwidth']),
        'sigma_x %s' % r(spec['sx'] or 0.0), 'sigma_y %s' % r(spec['sy'] or 0.0),
        'n_stds %s' % r(spec['n_stds']), 'offset %s' % r(spec['offset']),
        'border %s' % spec['border'],
        'kernel_width %d' % k.shape[1], 'kernel_height %d' % k.shape[0],
        'reference %s' % reference,
        'end',
    ]
    arrays = [k.real, k.imag, re.astype(np.float64), im.astype(np.float64)]
    row = '| `%%s` | filter | %dx%d | %s | %s | f=%s theta=%.4g bw=%s sx=%s sy=%s n=%s off=%s | %s | %dx%d%s |' % (
        spec['w'], spec['h'], spec['dtype'], spec['content'], spec['f'], spec['theta'],
        spec['bandwidth'], spec['sx'], spec['sy'], spec['n_stds'], spec['offset'],
        spec['border'], k.shape[1], k.shape[0],
        ' (numpy-pad reference)' if reference != 'skimage' else '')
    return header, arrays, row


def bank_case(spec, img):
    src = img.astype(np.float64) if spec['dtype'] == 'u8' else img
    K = spec['k']
    cw, ch = spec['cell']
    ncx, ncy = spec['w'] // cw, spec['h'] // ch
    mags = []
    for f in spec['freqs']:
        for k in range(K):
            theta = k * np.pi / K
            re, im = gabor(src, f, theta, spec['bandwidth'], n_stds=spec['n_stds'],
                           mode=spec['border'])
            mags.append(np.hypot(re.astype(np.float64), im.astype(np.float64)))
    out = np.zeros((ncy, ncx, len(mags), 2))
    for cy in range(ncy):
        for cx in range(ncx):
            for j, m in enumerate(mags):
                cell = m[cy * ch:(cy + 1) * ch, cx * cw:(cx + 1) * cw]
                out[cy, cx, j, 0] = np.mean(cell)
                out[cy, cx, j, 1] = np.std(cell)
    out = out.ravel()
    header = [
        'hogfeat-gabor-bank-fixture %d' % FORMAT_VERSION,
        'name %s' % spec['name'],
        'width %d' % spec['w'], 'height %d' % spec['h'], 'dtype %s' % spec['dtype'],
        'frequencies %s' % ' '.join(r(f) for f in spec['freqs']),
        'orientations %d' % K, 'bandwidth %s' % r(spec['bandwidth']),
        'n_stds %s' % r(spec['n_stds']), 'border %s' % spec['border'],
        'cell_width %d' % cw, 'cell_height %d' % ch, 'length %d' % out.size,
        'end',
    ]
    row = '| `%%s` | bank | %dx%d | %s | %s | f=%s K=%d bw=%s n=%s cell %dx%d | %s | %d values |' % (
        spec['w'], spec['h'], spec['dtype'], spec['content'], spec['freqs'], K,
        spec['bandwidth'], spec['n_stds'], cw, ch, spec['border'], out.size)
    return header, [out], row


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'gabor')
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith('.fix'):
            os.remove(os.path.join(out_dir, f))
    rows, total, names = [], 0, set()
    for i, spec in enumerate(CASES):
        assert spec['name'] not in names
        names.add(spec['name'])
        rng = np.random.default_rng(2000 + i)
        img = make_image(spec['content'], spec['w'], spec['h'], spec['dtype'], rng)
        if spec['kind'] == 'filter':
            header, arrays, row = filter_case(spec, img)
            fname = 'filter-%03d-%s.fix' % (i, spec['name'])
        else:
            header, arrays, row = bank_case(spec, img)
            fname = 'bank-%03d-%s.fix' % (i, spec['name'])
        body = ('\n'.join(header) + '\n').encode('ascii')
        body += np.ascontiguousarray(img).astype('<u1' if spec['dtype'] == 'u8' else '<f4').tobytes()
        for a in arrays:
            body += np.ascontiguousarray(a).astype('<f8').tobytes()
        with open(os.path.join(out_dir, fname), 'wb') as fh:
            fh.write(body)
        total += len(body)
        rows.append(row % fname)
        print('%-40s %7d bytes' % (fname, len(body)))
    table = ('| file | kind | size | dtype | content | parameters | border | kernel / length |\n'
             '| ---- | ---- | ---- | ----- | ------- | ---------- | ------ | --------------- |\n'
             + '\n'.join(rows))
    readme = README_TEXT.format(
        skver=skimage.__version__, spver=scipy.__version__, npver=np.__version__,
        pyver='%d.%d' % sys.version_info[:2], ncases=len(CASES), total=total, table=table)
    with open(os.path.join(out_dir, 'README.md'), 'w', encoding='ascii') as fh:
        fh.write(readme)
    print('%d cases, %d bytes of fixtures' % (len(CASES), total))
    if total > SIZE_BUDGET:
        sys.exit('fixtures exceed the %d-byte budget' % SIZE_BUDGET)


if __name__ == '__main__':
    main()
