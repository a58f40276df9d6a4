"""read_idx / load_mnist / read_pgm / write_pgm: values, dtypes, zero-copy
views of the library's buffer, errors, and lifetime of that buffer."""
import gc
import gzip
import os
import struct
import tempfile
import unittest

import numpy as np

import hogfeat

from common import CMATERDB, mnist_dir_present


def idx_images(images):
    n, h, w = images.shape
    return struct.pack('>IIII', 0x803, n, h, w) + images.astype(np.uint8).tobytes()


def idx_labels(labels):
    return struct.pack('>II', 0x801, len(labels)) + np.asarray(labels, np.uint8).tobytes()


class Idx(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(4)
        self.images = rng.integers(0, 256, (12, 7, 5), dtype=np.uint8)
        self.labels = rng.integers(0, 10, 12).astype(np.int32)

    def test_from_bytes_plain_and_gzip(self):
        for wrap in (lambda b: b, gzip.compress, bytearray, memoryview):
            images, labels = hogfeat.read_idx(wrap(idx_images(self.images)), wrap(idx_labels(self.labels)))
            self.assertEqual(images.dtype, np.uint8)
            self.assertEqual(labels.dtype, np.int32)
            np.testing.assert_array_equal(images, self.images)
            np.testing.assert_array_equal(labels, self.labels)
        images, labels = hogfeat.read_idx(idx_images(self.images))
        self.assertIsNone(labels)

    def test_from_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            ip, lp = os.path.join(tmp, 'i.idx.gz'), os.path.join(tmp, 'l.idx')
            with open(ip, 'wb') as f:
                f.write(gzip.compress(idx_images(self.images)))
            with open(lp, 'wb') as f:
                f.write(idx_labels(self.labels))
            images, labels = hogfeat.read_idx(ip, lp)
            mixed_images, mixed_labels = hogfeat.read_idx(ip, idx_labels(self.labels))  # a path and bytes
        np.testing.assert_array_equal(images, self.images)
        np.testing.assert_array_equal(labels, self.labels)
        np.testing.assert_array_equal(mixed_images, self.images)
        np.testing.assert_array_equal(mixed_labels, self.labels)

    def test_views_share_one_buffer_and_keep_it_alive(self):
        images, labels = hogfeat.read_idx(idx_images(self.images), idx_labels(self.labels))
        self.assertFalse(images.flags.writeable)
        self.assertFalse(images.flags.owndata)
        self.assertTrue(images.flags.c_contiguous)
        owner = images.base.owner
        self.assertIs(owner, labels.base.owner)
        finalizer = owner._finalizer
        del owner, labels
        gc.collect()
        self.assertTrue(finalizer.alive)               # images still refers to the dataset
        view = images[3:5]                             # views keep it too
        del images
        gc.collect()
        self.assertTrue(finalizer.alive)
        np.testing.assert_array_equal(view, self.images[3:5])
        del view
        gc.collect()
        self.assertFalse(finalizer.alive)              # the C dataset is freed

    def test_errors(self):
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_idx(idx_images(self.images)[:-1])
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_CORRUPT_DATA)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_idx(idx_images(self.images), idx_labels(self.labels[:5]))
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_CORRUPT_DATA)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_idx('/nonexistent/images.idx')
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_IO)
        self.assertIn('/nonexistent/images.idx', cm.exception.message)
        limits = hogfeat.Limits(max_items=5)
        self.assertEqual(limits['max_items'], 5)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_idx(idx_images(self.images), limits=limits)
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_LIMIT_EXCEEDED)

    def test_load_mnist(self):
        if not mnist_dir_present(CMATERDB):
            self.skipTest('CMATERdb not found in %s' % CMATERDB)
        train, train_labels = hogfeat.load_mnist(CMATERDB, 'train')
        test, test_labels = hogfeat.load_mnist(CMATERDB, 'test')
        self.assertEqual(train.shape, (5000, 32, 32))
        self.assertEqual(test.shape, (1000, 32, 32))
        self.assertEqual(train_labels.dtype, np.int32)
        self.assertEqual(sorted(set(train_labels.tolist())), list(range(10)))
        with gzip.open(os.path.join(CMATERDB, 't10k-images-idx3-ubyte.gz')) as f:
            raw = f.read()
        np.testing.assert_array_equal(test, np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 32, 32))


class Pgm(unittest.TestCase):
    def test_round_trip(self):
        image = np.random.default_rng(9).integers(0, 256, (13, 17), dtype=np.uint8)
        data = hogfeat.write_pgm(image)
        self.assertTrue(data.startswith(b'P5'))
        back = hogfeat.read_pgm(data)
        self.assertEqual(back.dtype, np.uint8)
        np.testing.assert_array_equal(back, image)
        np.testing.assert_array_equal(hogfeat.read_pgm(hogfeat.write_pgm(image[::2, 1:])), image[::2, 1:])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'x.pgm')
            hogfeat.write_pgm(image, path)
            np.testing.assert_array_equal(hogfeat.read_pgm(path), image)

    def test_sixteen_bit_is_scaled(self):
        data = b'P5\n2 1\n1023\n' + struct.pack('>HH', 0, 1023)
        image = hogfeat.read_pgm(data)
        self.assertEqual(image.dtype, np.float32)
        np.testing.assert_allclose(image, [[0.0, 255.0]])

    def test_errors(self):
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_pgm(b'P6\n1 1\n255\n\x00\x00\x00')
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_UNSUPPORTED_FORMAT)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.read_pgm(b'P5\n4 4\n255\n\x00')
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_CORRUPT_DATA)


if __name__ == '__main__':
    unittest.main()
