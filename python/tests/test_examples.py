"""examples/python run as a user runs them: the quickstart, and the Dask
extraction on a 2000-image slice with 2 local workers, whose features must be
identical to a serial extraction. Also examples/extract (C) against hogfeat.hog."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import hogfeat

from common import CMATERDB, FASHION, SANITIZED, SOURCE_ROOT, mnist_dir_present, optional_import

EXAMPLES = os.path.join(SOURCE_ROOT, 'examples', 'python')


def run(args, timeout=150):
    r = subprocess.run([sys.executable] + args, capture_output=True, text=True, timeout=timeout)
    print(r.stdout)
    if r.returncode != 0:
        print(r.stderr)
    return r


class PythonExamples(unittest.TestCase):
    def test_quickstart(self):
        data = CMATERDB if mnist_dir_present(CMATERDB) else None
        r = run([os.path.join(EXAMPLES, 'quickstart.py')] + ([data] if data else []))
        self.assertEqual(r.returncode, 0)
        accuracy = float(re.search(r'Pipeline accuracy after save/load: ([\d.]+) %', r.stdout).group(1))
        self.assertGreaterEqual(accuracy, 95.0 if data else 90.0)
        self.assertIn('error: HOGFEAT_ERR_IMAGE_TOO_SMALL', r.stdout)

    def test_dask_slice_matches_serial(self):
        optional_import('distributed')
        if SANITIZED:
            self.skipTest('sanitizer build: worker processes are not run under the sanitizer runtime')
        data = FASHION if mnist_dir_present(FASHION) else CMATERDB
        if not mnist_dir_present(data):
            self.skipTest('neither Fashion-MNIST (%s) nor CMATERdb (%s) is present' % (FASHION, CMATERDB))
        r = run([os.path.join(EXAMPLES, 'dask_extract.py'), data, '--workers', '2', '--chunk', '250',
                 '--train-limit', '1500', '--test-limit', '500', '--verify'])
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertIn('extracted 2000 x ', r.stdout)
        self.assertIn('features identical to a serial extraction: yes', r.stdout)
        workers = re.findall(r'worker tcp://127\.0\.0\.1:\d+: (\d+) images', r.stdout)
        self.assertEqual(len(workers), 2, 'two workers took part')
        self.assertEqual(sum(int(n) for n in workers), 2000)
        accuracy = float(re.search(r'test accuracy ([\d.]+) %', r.stdout).group(1))
        self.assertGreater(accuracy, 70.0)


class CExtractExample(unittest.TestCase):
    def test_same_values_as_python(self):
        exe = os.environ.get('HOGFEAT_EXAMPLE_EXTRACT')
        if not exe or not os.path.exists(exe):
            self.skipTest('HOGFEAT_EXAMPLE_EXTRACT is not set; run through meson test')
        image = np.random.default_rng(8).integers(0, 256, (37, 29), dtype=np.uint8)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'x.pgm')
            hogfeat.write_pgm(image, path)
            out = subprocess.run([exe, '--cell', '5x4', '--block', '2x3', '--bins', '7', '--norm', 'L1', path],
                                 check=True, capture_output=True, text=True).stdout
        got = np.array(out.split(), dtype=np.float32)
        want = hogfeat.hog(image, orientations=7, pixels_per_cell=(4, 5), cells_per_block=(3, 2), block_norm='L1')
        np.testing.assert_array_equal(got, want)


if __name__ == '__main__':
    unittest.main()
