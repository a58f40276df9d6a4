"""The ctypes layer: every public function bound with the header's types,
the bound set equal to the exported symbols and to lib/hogfeat.sym, the
version check, errors, handle lifetime, the GIL, and import failures."""
import ctypes
import gc
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np

import hogfeat
from hogfeat import _capi

from common import SOURCE_ROOT


def exported_functions(path):
    nm = shutil.which('nm')
    if nm is None:
        raise AssertionError('nm (binutils) is needed to list the exported symbols of %s' % path)
    out = subprocess.run([nm, '-D', '--defined-only', path], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == 'T':
            names.add(parts[2].split('@')[0])
    return names


def version_script_functions(path):
    text = re.sub(r'/\*.*?\*/', '', open(path).read(), flags=re.S)
    return set(re.findall(r'^\s*(hogfeat_\w+)\s*;', text, flags=re.M))


def header_declarations():
    """{name: (return type, [parameter types])} from the public headers."""
    decls = {}
    headers = sorted(glob.glob(os.path.join(SOURCE_ROOT, 'include', 'hogfeat', '*.h')))
    headers.append(os.path.join(SOURCE_ROOT, 'include', 'hogfeat', 'version.h.in'))
    for path in headers:
        text = re.sub(r'/\*.*?\*/', '', open(path).read(), flags=re.S)
        for m in re.finditer(r'HOGFEAT_API\s+([^;(]*?)\b(hogfeat_\w+)\s*\(([^;]*?)\)\s*;', text, flags=re.S):
            ret = ' '.join(m.group(1).split())
            params = ' '.join(m.group(3).split())
            types = []
            if params != 'void':
                for p in params.split(','):
                    p = p.strip()
                    # drop the parameter name (the last identifier)
                    types.append(re.sub(r'\s*\b\w+$', '', p).strip() if not p.endswith('*') else p)
            decls[m.group(2)] = (ret, types)
    return decls


def header_enums():
    names = set()
    for path in glob.glob(os.path.join(SOURCE_ROOT, 'include', 'hogfeat', '*.h')):
        names.update(re.findall(r'typedef\s+enum\s+(hogfeat_\w+)', open(path).read()))
    return names


ENUMS = header_enums() - {'hogfeat_status'}


def expected_ctypes(ctype):
    """The ctypes types acceptable for one C type."""
    t = ' '.join(ctype.replace('*', ' * ').split())
    if t == 'hogfeat_status':
        return {_capi.ST}
    if t == 'void':
        return {None}
    if t == 'int' or t in ENUMS:  # enums are passed as int
        return {ctypes.c_int}
    if t == 'float':
        return {ctypes.c_float}
    if t == 'int32_t':
        return {ctypes.c_int32}
    if t == 'size_t':
        return {ctypes.c_size_t}
    if t == 'double':
        return {ctypes.c_double}
    if t == 'const char *':
        return {ctypes.c_char_p}
    if t == 'hogfeat_progress_fn':
        return {_capi.PROGRESS_FN}
    if t.count('*') == 2:  # T ** (out handle) or const T *const * (array of handles)
        return {ctypes.POINTER(ctypes.c_void_p)}
    if t == 'size_t *':
        return {ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p}
    if t == 'int32_t *':
        return {ctypes.POINTER(ctypes.c_int32), ctypes.c_void_p}
    if t.endswith('*'):
        return {ctypes.c_void_p}
    raise AssertionError('no ctypes mapping for C type %r' % ctype)


class Bindings(unittest.TestCase):
    def test_bound_set_equals_exports_and_version_script(self):
        bound = set(_capi.SIGNATURES)
        exported = exported_functions(hogfeat.library_path())
        listed = version_script_functions(os.path.join(SOURCE_ROOT, 'lib', 'hogfeat.sym'))
        print('%d bound, %d exported, %d in lib/hogfeat.sym' % (len(bound), len(exported), len(listed)))
        self.assertEqual(sorted(exported - bound), [], 'exported but not bound')
        self.assertEqual(sorted(bound - exported), [], 'bound but not exported')
        self.assertEqual(sorted(listed ^ bound), [], 'lib/hogfeat.sym and the bindings differ')

    def test_signatures_match_headers(self):
        decls = header_declarations()
        self.assertEqual(sorted(set(decls) ^ set(_capi.SIGNATURES)), [], 'headers and bindings differ')
        for name, (ret, params) in sorted(decls.items()):
            restype, argtypes = _capi.SIGNATURES[name]
            self.assertIn(restype, expected_ctypes(ret), '%s returns %s' % (name, ret))
            self.assertEqual(len(argtypes), len(params), '%s takes %d parameters' % (name, len(params)))
            for i, (ctype, bound) in enumerate(zip(params, argtypes)):
                self.assertIn(bound, expected_ctypes(ctype), '%s parameter %d is %s' % (name, i, ctype))

    def test_every_function_declared(self):
        for name, (restype, argtypes) in _capi.SIGNATURES.items():
            fn = getattr(_capi.lib, name)
            self.assertIsNotNone(fn.argtypes, name)
            self.assertEqual(list(fn.argtypes), list(argtypes), name)
            if restype is _capi.ST:
                self.assertIs(fn.restype, ctypes.c_int, name)
                self.assertIs(fn.errcheck, _capi.check_status, name)
            else:
                self.assertIs(fn.restype, restype, name)

    def test_gil_is_released(self):
        self.assertIs(type(_capi._cdll), ctypes.CDLL)  # not PyDLL, which holds the GIL
        images = np.random.default_rng(1).integers(0, 256, (3000, 32, 32), dtype=np.uint8)
        hogfeat.hog_batch(images[:10], pixels_per_cell=(4, 4), cells_per_block=(2, 2))
        count = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                count[0] += 1

        t = threading.Thread(target=spin)
        t.start()
        try:
            time.sleep(0.02)
            before = count[0]
            t0 = time.perf_counter()
            hogfeat.hog_batch(images, pixels_per_cell=(4, 4), cells_per_block=(2, 2), num_threads=1)
            elapsed = time.perf_counter() - t0
            during = count[0] - before
        finally:
            stop.set()
            t.join()
        print('a Python thread ran %d iterations during a %.0f ms C call' % (during, elapsed * 1e3))
        self.assertGreater(during, 1000)


class Versions(unittest.TestCase):
    def test_versions_agree(self):
        self.assertEqual(hogfeat.__version__, hogfeat.library_version())
        self.assertEqual(hogfeat.__version_number__, _capi.lib.hogfeat_version_number())
        major, minor, patch = (int(x) for x in hogfeat.__version__.split('.'))
        self.assertEqual(hogfeat.__version_number__, major * 10000 + minor * 100 + patch)

    def test_library_path(self):
        path = hogfeat.library_path()
        self.assertTrue(os.path.isfile(path), path)
        self.assertIn('libhogfeat.so', os.path.basename(path))
        if os.environ.get('HOGFEAT_LIBRARY'):
            self.assertEqual(os.path.realpath(os.environ['HOGFEAT_LIBRARY']), path)


def run_python(code, env_changes, extra_path=None):
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    if extra_path:
        env['PYTHONPATH'] = extra_path + os.pathsep + env.get('PYTHONPATH', '')
    return subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=60)


class ImportFailures(unittest.TestCase):
    def test_library_path_override_missing(self):
        with tempfile.TemporaryDirectory() as empty:
            r = run_python('import hogfeat', {'HOGFEAT_LIBRARY': empty})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('ImportError: hogfeat: HOGFEAT_LIBRARY=', r.stderr)
        self.assertIn('libhogfeat.so.0', r.stderr)

    def test_library_absent(self):
        env = {'HOGFEAT_LIBRARY': None, 'LD_LIBRARY_PATH': None}
        probe = run_python('import ctypes; ctypes.CDLL("libhogfeat.so.0")', env)
        if probe.returncode == 0:
            self.skipTest('a libhogfeat.so.0 is installed system-wide, so it cannot be absent here')
        r = run_python('import hogfeat', env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('ImportError: hogfeat: the C library libhogfeat.so.0 was not found', r.stderr)
        self.assertIn('HOGFEAT_LIBRARY', r.stderr)

    def test_version_mismatch(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, 'hogfeat'))
            with open(os.path.join(tmp, 'hogfeat', '_version.py'), 'w') as f:
                f.write("__version__ = '9.8.7'\nversion_number = 90807\nsoname = 'libhogfeat.so.0'\n")
            r = run_python('import hogfeat', {}, extra_path=tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('ImportError: hogfeat: version mismatch', r.stderr)
        self.assertIn('90807', r.stderr)
        self.assertIn('version number %d' % hogfeat.__version_number__, r.stderr)


class Errors(unittest.TestCase):
    def test_status_becomes_exception_with_message(self):
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.HogConfig(orientations=0)
        e = cm.exception
        self.assertEqual(e.code, hogfeat.Status.ERR_INVALID_ARGUMENT)
        self.assertEqual(e.status, hogfeat.Status.ERR_INVALID_ARGUMENT)
        self.assertEqual(e.name, 'HOGFEAT_ERR_INVALID_ARGUMENT')
        self.assertTrue(e.message)
        self.assertIn(e.message, str(e))
        self.assertIn('HOGFEAT_ERR_INVALID_ARGUMENT', str(e))

    def test_image_too_small(self):
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.hog(np.zeros((4, 4), np.uint8))
        self.assertEqual(cm.exception.name, 'HOGFEAT_ERR_IMAGE_TOO_SMALL')
        self.assertRegex(cm.exception.message, r'\d')  # says which sizes

    def test_nonfinite(self):
        img = np.zeros((16, 16), np.float32)
        img[3, 3] = np.nan
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.hog(img, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_NONFINITE)

    def test_message_is_per_thread(self):
        messages = {}

        def fail(name, orientations):
            try:
                hogfeat.HogConfig(orientations=orientations)
            except hogfeat.HogfeatError as e:
                messages[name] = e.message

        threads = [threading.Thread(target=fail, args=('a', 0)), threading.Thread(target=fail, args=('b', 100000))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIn('0', messages['a'])
        self.assertIn('100000', messages['b'])

    def test_python_level_errors(self):
        with self.assertRaises(ValueError):
            hogfeat.hog(np.zeros((16, 16), np.uint8), block_norm='L3')
        with self.assertRaises(ValueError):
            hogfeat.hog(np.zeros((16, 16, 3), np.uint8))  # colour without channel_axis
        with self.assertRaises(ValueError):
            hogfeat.hog(np.zeros((16, 16, 4), np.uint8), channel_axis=-1)
        with self.assertRaises(TypeError):
            hogfeat.hog(np.zeros((16, 16), np.complex64))


class Handles(unittest.TestCase):
    def test_close_and_context_manager(self):
        with hogfeat.HogConfig() as cfg:
            handle = cfg._h
            self.assertTrue(handle.alive)
            self.assertEqual(cfg.orientations, 9)
        self.assertFalse(handle.alive)
        with self.assertRaises(ValueError):
            cfg.orientations
        cfg.close()  # twice is fine

    def test_finalized_by_gc(self):
        cfg = hogfeat.HogConfig()
        finalizer = cfg._h._finalizer
        self.assertTrue(finalizer.alive)
        del cfg
        gc.collect()
        self.assertFalse(finalizer.alive)

    def test_borrowed_classifier_keeps_pipeline(self):
        rng = np.random.default_rng(3)
        X = rng.integers(0, 256, (40, 16, 16), dtype=np.uint8)
        y = np.arange(40) % 2
        pipe = hogfeat.Pipeline(hog=dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2))).fit(X, y)
        loaded = hogfeat.Pipeline.load(pipe.save())
        clf = loaded.classifier
        finalizer = loaded._h._finalizer
        loaded.close()          # the classifier still borrows it: not destroyed yet
        del loaded
        gc.collect()
        self.assertTrue(finalizer.alive)
        self.assertEqual(clf.predict(pipe.transform(X)).tolist(), pipe.predict(X).tolist())
        del clf
        gc.collect()
        self.assertFalse(finalizer.alive)


if __name__ == '__main__':
    unittest.main()
