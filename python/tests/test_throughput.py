"""Batch throughput of the Python binding against C.

What is compared: 6000 32x32 digits (CMATERdb's 5000 + 1000 images when
present, else synthetic ones) described with 4x4-px cells and 2x2-cell
blocks into one preallocated (6000, 1764) float32 matrix.
  C:      python/tests/bench-stack, a C program calling
          hogfeat_hog_compute_stack on the images read into malloc'd memory;
  Python: hogfeat.hog_batch(images, out=out) on the numpy array: argument
          checks, layout description, then the same C call through ctypes.
Both load the same libhogfeat.so; single C and Python runs alternate (the
C program stays running and times one run per request), each side keeps its
best, with 1 thread and with one thread per CPU. Python must reach >= 80 % of C's
images/s in both. A second test isolates the Python-level overhead of one
call (hog_batch and hog on one image against the bare ctypes call)."""
import os
import subprocess
import tempfile
import time
import unittest

import numpy as np

import hogfeat

from common import CMATERDB, SANITIZED, mnist_dir_present

MIN_PAIRS = 7    # alternating C and Python runs: at least
MAX_PAIRS = 40   # and at most, while Python is below 80 % of C
HOG = dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2))


def digits():
    if mnist_dir_present(CMATERDB):
        train, _ = hogfeat.load_mnist(CMATERDB, 'train')
        test, _ = hogfeat.load_mnist(CMATERDB, 'test')
        return np.concatenate([train, test]), 'CMATERdb'
    rng = np.random.default_rng(6000)
    images = np.full((6000, 32, 32), 255, np.uint8)
    for i in range(6000):
        r0, c0 = rng.integers(4, 12, 2)
        images[i, r0:r0 + 16, c0:c0 + 3] = 0
        images[i, r0:r0 + 3, c0:c0 + 14] = 0
    return images, 'synthetic digits'


class CBench:
    """The bench-stack program, kept running: one timed C run per request."""

    def __init__(self, path, n, threads):
        exe = os.environ.get('HOGFEAT_BENCH_STACK')
        if not exe or not os.path.exists(exe):
            raise unittest.SkipTest('HOGFEAT_BENCH_STACK (the bench-stack program) is not set; run through meson test')
        self.proc = subprocess.Popen([exe, path, str(n), '32', '32', str(threads)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def ask(self, command):
        self.proc.stdin.write(command + '\n')
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise AssertionError('bench-stack stopped (exit status %s)' % self.proc.wait())
        return float(answer)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def py_once(images, out, threads):
    t0 = time.perf_counter()
    hogfeat.hog_batch(images, out=out, num_threads=threads, **HOG)
    return time.perf_counter() - t0


class Throughput(unittest.TestCase):
    def test_batch_vs_c(self):
        if SANITIZED:
            self.skipTest('sanitizer build: timings are not meaningful')
        images, source = digits()
        n = len(images)
        out = np.empty((n, 1764), np.float32)
        with tempfile.NamedTemporaryFile(suffix='.u8') as f:
            f.write(images.tobytes())
            f.flush()
            for threads, label in ((1, '1 thread'), (0, 'all CPUs (%d)' % os.cpu_count())):
                bench = CBench(f.name, n, threads)
                try:
                    # Single runs alternate C and Python, each side keeping its
                    # best, so that load from other processes hits both alike.
                    py_once(images[:100], out[:100], threads)
                    c_best = py_best = float('inf')
                    for pair in range(MAX_PAIRS):
                        c_best = min(c_best, bench.ask('run'))
                        py_best = min(py_best, py_once(images, out, threads))
                        if pair + 1 >= MIN_PAIRS and c_best >= 0.8 * py_best:
                            break
                    c_sum = bench.ask('sum')
                finally:
                    bench.close()
                c_rate, py_rate = n / c_best, n / py_best
                print('%s, %d images, %s, best of %d alternating runs: C hogfeat_hog_compute_stack %.0f images/s, '
                      'Python hog_batch %.0f images/s (%.1f %% of C)'
                      % (source, n, label, pair + 1, c_rate, py_rate, 100 * py_rate / c_rate))
                self.assertAlmostEqual(float(out.astype(np.float64).sum()), c_sum, delta=1e-6 * abs(c_sum) + 1e-3)
                self.assertGreaterEqual(py_rate / c_rate, 0.8)

    def test_wrapper_overhead(self):
        """The Python-level cost of one call: hog_batch against the bare ctypes
        call it makes, on a one-image batch (so the C work is small), best of
        several runs of many calls each."""
        images, _ = digits()
        one = np.ascontiguousarray(images[:1])
        out = np.empty((1, 1764), np.float32)
        config = hogfeat.HogConfig(**HOG)
        compute_stack = hogfeat._capi.lib.hogfeat_hog_compute_stack
        ptr, data, dst = config._ptr, one.ctypes.data, out.ctypes.data

        def bare():
            compute_stack(ptr, data, 1, 1, 32, 32, 32, 1024, 1, dst, 1764, 1764)

        def wrapped():
            hogfeat.hog_batch(one, out=out, num_threads=1, **HOG)

        def single():
            hogfeat.hog(one[0], **HOG)

        calls, best = 300, {}
        for _ in range(7):
            for name, fn in (('bare', bare), ('hog_batch', wrapped), ('hog', single)):
                t0 = time.perf_counter()
                for _ in range(calls):
                    fn()
                best[name] = min(best.get(name, float('inf')), (time.perf_counter() - t0) / calls)
        print('one 32x32 image per call: bare ctypes call %.1f us, hog_batch %.1f us, hog %.1f us: '
              'Python-level overhead %.1f us (hog_batch), %.1f us (hog) per call'
              % (1e6 * best['bare'], 1e6 * best['hog_batch'], 1e6 * best['hog'],
                 1e6 * (best['hog_batch'] - best['bare']), 1e6 * (best['hog'] - best['bare'])))
        self.assertLess(best['hog_batch'] - best['bare'], 1e-3)

if __name__ == '__main__':
    unittest.main()
