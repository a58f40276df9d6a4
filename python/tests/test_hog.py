"""hogfeat.hog / hog_batch: equal to the C parity fixtures (tests/data/hog) and
to scikit-image on random arrays; strided views give what contiguous copies
give, without copying when the layout can be described."""
import glob
import os
import unittest

import numpy as np

import hogfeat
from hogfeat import _arrays

from common import FIXTURES, optional_import

TOL = {'u8': 1e-5, 'f32': 1e-4}


def read_fixture(path):
    """One `hogfeat-fixture 1` file (tests/data/hog/README.md): (header dict, image, descriptor)."""
    data = open(path, 'rb').read()
    header, pos = {}, 0
    while True:
        end = data.index(b'\n', pos)
        line = data[pos:end].decode('ascii')
        pos = end + 1
        if line == 'end':
            break
        key, value = line.split(' ', 1)
        header[key] = value
    if header.get('hogfeat-fixture') != '1':
        raise ValueError('%s: not a hogfeat-fixture 1 file' % path)
    w, h, c = int(header['width']), int(header['height']), int(header['channels'])
    dtype = np.uint8 if header['dtype'] == 'u8' else np.dtype('<f4')
    n_samples = w * h * c
    image = np.frombuffer(data, dtype=dtype, count=n_samples, offset=pos)
    pos += image.nbytes
    length = int(header['length'])
    ref = np.frombuffer(data, dtype='<f8', count=length, offset=pos)
    if pos + ref.nbytes != len(data):
        raise ValueError('%s: %d trailing bytes' % (path, len(data) - pos - ref.nbytes))
    image = image.reshape((h, w, c) if c == 3 else (h, w)).astype(image.dtype.newbyteorder('='))
    return header, image, ref


def fixture_kwargs(header):
    return dict(orientations=int(header['orientations']),
                pixels_per_cell=(int(header['cell_height']), int(header['cell_width'])),
                cells_per_block=(int(header['block_height']), int(header['block_width'])),
                block_norm=header['norm'], transform_sqrt=header['transform_sqrt'] == '1',
                channel_axis=-1 if header['channels'] == '3' else None)


class Fixtures(unittest.TestCase):
    def test_parity_fixtures(self):
        paths = sorted(glob.glob(os.path.join(FIXTURES, 'hog', '*.fix')))
        self.assertGreater(len(paths), 40, 'fixtures missing in %s' % FIXTURES)
        worst = 0.0
        for path in paths:
            header, image, ref = read_fixture(path)
            kwargs = fixture_kwargs(header)
            with self.subTest(fixture=os.path.basename(path)):
                got = hogfeat.hog(image, **kwargs)
                self.assertEqual(got.shape, ref.shape)
                self.assertEqual(got.dtype, np.float32)
                delta = float(np.max(np.abs(got - ref))) if ref.size else 0.0
                worst = max(worst, delta)
                self.assertLessEqual(delta, TOL[header['dtype']], header['name'])
                # the same through the batch entry point, on a stack of three copies
                stack = np.stack([image] * 3)
                batch = hogfeat.hog_batch(stack, **kwargs)
                np.testing.assert_array_equal(batch, np.stack([got] * 3))
        print('%d fixtures, max |delta| %.3g' % (len(paths), worst))

    def test_feature_vector_false_shape(self):
        header, image, ref = read_fixture(os.path.join(FIXTURES, 'hog', '013-shapes-o8.fix'))
        kwargs = fixture_kwargs(header)
        blocks = hogfeat.hog(image, feature_vector=False, **kwargs)
        ch, cw = kwargs['pixels_per_cell']
        bh, bw = kwargs['cells_per_block']
        shape = ((image.shape[0] // ch) - bh + 1, (image.shape[1] // cw) - bw + 1, bh, bw, kwargs['orientations'])
        self.assertEqual(blocks.shape, shape)
        np.testing.assert_array_equal(blocks.ravel(), hogfeat.hog(image, **kwargs))


def random_cases(rng):
    norms = ['L1', 'L1-sqrt', 'L2', 'L2-Hys']
    for i in range(24):
        h, w = int(rng.integers(12, 70)), int(rng.integers(12, 70))
        ch, cw = int(rng.integers(3, 9)), int(rng.integers(3, 9))
        bh = int(rng.integers(1, max(2, min(4, h // ch) + 1)))
        bw = int(rng.integers(1, max(2, min(4, w // cw) + 1)))
        color = i % 4 == 3
        shape = (h, w, 3) if color else (h, w)
        if i % 2:
            image = rng.random(shape, dtype=np.float32)
        else:
            image = rng.integers(0, 256, shape, dtype=np.uint8)
        yield image, dict(orientations=int(rng.integers(3, 13)), pixels_per_cell=(ch, cw),
                          cells_per_block=(bh, bw), block_norm=norms[i % 4], transform_sqrt=bool(i % 3 == 0),
                          channel_axis=-1 if color else None)


class SkimageParity(unittest.TestCase):
    def test_random_arrays(self):
        feature = optional_import('skimage.feature')
        rng = np.random.default_rng(20240611)
        n = 0
        for image, kwargs in random_cases(rng):
            with self.subTest(shape=image.shape, dtype=str(image.dtype), **{k: str(v) for k, v in kwargs.items()}):
                ref = feature.hog(image, **kwargs)
                got = hogfeat.hog(image, **kwargs)
                self.assertEqual(got.shape, ref.shape)
                tol = TOL['u8' if image.dtype == np.uint8 else 'f32']
                self.assertLessEqual(float(np.max(np.abs(got - ref))), tol)
                ref5 = feature.hog(image, feature_vector=False, **kwargs)
                self.assertEqual(hogfeat.hog(image, feature_vector=False, **kwargs).shape, ref5.shape)
                n += 1
        # defaults, positional arguments in skimage's order, planar colour
        image = rng.integers(0, 256, (64, 48), dtype=np.uint8)
        np.testing.assert_allclose(hogfeat.hog(image), feature.hog(image), rtol=0, atol=1e-5)
        np.testing.assert_allclose(hogfeat.hog(image, 8, (8, 8), (2, 2), 'L1', False, True, True),
                                   feature.hog(image, 8, (8, 8), (2, 2), 'L1', False, True, True), rtol=0, atol=1e-5)
        planar = rng.integers(0, 256, (3, 40, 32), dtype=np.uint8)
        np.testing.assert_allclose(hogfeat.hog(planar, channel_axis=0, pixels_per_cell=(4, 4)),
                                   feature.hog(planar, channel_axis=0, pixels_per_cell=(4, 4)), rtol=0, atol=1e-5)
        print('%d random cases equal to skimage.feature.hog' % (n + 3))

    def test_visualize(self):
        feature = optional_import('skimage.feature')
        rng = np.random.default_rng(31)
        # 9 bins with 8-px cells: line ends never sit within an ulp of an integer (visualize.h)
        for image, kwargs in ((rng.integers(0, 256, (48, 40), dtype=np.uint8), {}),
                              (rng.random((40, 56), dtype=np.float32), dict(transform_sqrt=True)),
                              (rng.integers(0, 256, (32, 40, 3), dtype=np.uint8), dict(channel_axis=-1))):
            with self.subTest(dtype=str(image.dtype), **{k: str(v) for k, v in kwargs.items()}):
                ref_features, ref_image = feature.hog(image, visualize=True, **kwargs)
                features, picture = hogfeat.hog(image, visualize=True, **kwargs)
                np.testing.assert_allclose(features, ref_features, rtol=0, atol=1e-4)
                self.assertEqual(picture.shape, ref_image.shape)
                self.assertEqual(picture.dtype, np.float32)
                np.testing.assert_allclose(picture, ref_image, rtol=1e-5, atol=1e-5 * float(np.abs(ref_image).max()))


class Strides(unittest.TestCase):
    kw = dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2), orientations=9)

    def check(self, view, zero_copy, channel_axis=None):
        described = _arrays.as_image(view, channel_axis)
        self.assertEqual(not described.copied, zero_copy, 'view with strides %s' % (view.strides,))
        if zero_copy:
            self.assertTrue(np.shares_memory(described.array, view))
        got = hogfeat.hog(view, channel_axis=channel_axis, **self.kw)
        want = hogfeat.hog(np.ascontiguousarray(view), channel_axis=channel_axis, **self.kw)
        np.testing.assert_array_equal(got, want)

    def test_views(self):
        rng = np.random.default_rng(7)
        for dtype in (np.uint8, np.float32):
            big = (rng.random((80, 90)) * 255).astype(dtype)
            self.check(big, True)
            self.check(big[5:45, 7:47], True)          # crop: row stride > row
            self.check(big[::2, :], True)              # every other row
            self.check(big[1:60:3, 2:70], True)
            self.check(big[:, ::2], False)             # column step: copied
            self.check(big[::-1, :], False)            # negative row stride: copied
            self.check(big[:, ::-1], False)
            self.check(big.T, False)                   # transposed: copied
            self.check(np.asfortranarray(big), False)
            rgb = (rng.random((50, 60, 3)) * 255).astype(dtype)
            self.check(rgb, True, channel_axis=-1)
            self.check(rgb[3:43, 5:45], True, channel_axis=-1)
            self.check(rgb[::2], True, channel_axis=2)
            self.check(np.moveaxis(rgb, -1, 0), True, channel_axis=0)    # a view of interleaved memory
            self.check(np.ascontiguousarray(np.moveaxis(rgb, -1, 0)), False, channel_axis=0)  # planar: copied
            self.check(rgb[:, :, ::-1], False, channel_axis=-1)          # BGR view: copied

    def test_misaligned_float_is_copied(self):
        raw = np.zeros(4 * 32 * 32 + 1, np.uint8)
        view = raw[1:].view(np.float32).reshape(32, 32)
        view[:] = np.random.default_rng(1).random((32, 32), dtype=np.float32)
        self.check(view, False)

    def test_other_dtypes_become_float32(self):
        rng = np.random.default_rng(5)
        base = rng.integers(0, 256, (32, 32))
        want = hogfeat.hog(base.astype(np.float32), **self.kw)
        for dtype in (np.int16, np.int64, np.uint16, np.float64, '>f4'):
            np.testing.assert_array_equal(hogfeat.hog(base.astype(dtype), **self.kw), want)
        b = base > 128
        np.testing.assert_array_equal(hogfeat.hog(b, **self.kw), hogfeat.hog(b.astype(np.float32), **self.kw))


class Batch(unittest.TestCase):
    kw = dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2))

    def singles(self, stack, channel_axis=None):
        return np.stack([hogfeat.hog(np.ascontiguousarray(im), channel_axis=channel_axis, **self.kw) for im in stack])

    def test_stack_views(self):
        rng = np.random.default_rng(11)
        big = rng.integers(0, 256, (30, 40, 44), dtype=np.uint8)
        cases = [(big, True), (big[:, 2:34, 3:35], True), (big[::3], True), (big[:, ::2], True),
                 (big[:, :, ::2], False), (big[::-1], False), (np.transpose(big, (0, 2, 1)), False)]
        for view, zero_copy in cases:
            with self.subTest(strides=view.strides):
                self.assertEqual(not _arrays.as_stack(view).copied, zero_copy)
                np.testing.assert_array_equal(hogfeat.hog_batch(view, **self.kw), self.singles(view))
        f32 = rng.random((7, 24, 20, 3), dtype=np.float32)
        np.testing.assert_array_equal(hogfeat.hog_batch(f32, channel_axis=-1, **self.kw),
                                      self.singles(f32, channel_axis=-1))
        planar = np.ascontiguousarray(np.moveaxis(f32, -1, 1))  # (N, 3, H, W)
        np.testing.assert_array_equal(hogfeat.hog_batch(planar, channel_axis=0, **self.kw),
                                      self.singles(f32, channel_axis=-1))

    def test_out_and_threads(self):
        rng = np.random.default_rng(12)
        stack = rng.integers(0, 256, (50, 32, 32), dtype=np.uint8)
        want = hogfeat.hog_batch(stack, num_threads=1, **self.kw)
        d = want.shape[1]
        out = np.empty((50, d), np.float32)
        self.assertIs(hogfeat.hog_batch(stack, out=out, num_threads=0, **self.kw), out)
        np.testing.assert_array_equal(out, want)
        wide = np.zeros((50, d + 10), np.float32)
        hogfeat.hog_batch(stack, out=wide[:, 5:5 + d], **self.kw)  # filled in place, row stride d + 10
        np.testing.assert_array_equal(wide[:, 5:5 + d], want)
        self.assertFalse(wide[:, :5].any() or wide[:, 5 + d:].any())
        with self.assertRaises(ValueError):
            hogfeat.hog_batch(stack, out=np.empty((50, d), np.float64), **self.kw)
        with self.assertRaises(ValueError):
            hogfeat.hog_batch(stack, out=np.empty((d, 50), np.float32).T, **self.kw)
        empty = hogfeat.hog_batch(stack[:0], **self.kw)
        self.assertEqual(empty.shape, (0, d))

    def test_config_object(self):
        cfg = hogfeat.HogConfig(orientations=8, pixels_per_cell=(4, 6), cells_per_block=(2, 3), block_norm='L1')
        self.assertEqual(cfg.pixels_per_cell, (4, 6))
        self.assertEqual(cfg.cells_per_block, (2, 3))
        self.assertEqual(cfg.block_norm, 'L1')
        image = np.random.default_rng(2).integers(0, 256, (40, 50), dtype=np.uint8)
        np.testing.assert_array_equal(
            cfg.compute(image),
            hogfeat.hog(image, orientations=8, pixels_per_cell=(4, 6), cells_per_block=(2, 3), block_norm='L1'))
        self.assertEqual(cfg.feature_length(image.shape), cfg.compute(image).size)
        import pickle
        clone = pickle.loads(pickle.dumps(cfg))
        self.assertEqual(clone, cfg)
        np.testing.assert_array_equal(clone.compute(image), cfg.compute(image))


if __name__ == '__main__':
    unittest.main()
