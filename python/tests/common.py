"""Shared helpers of the Python tests: paths from the meson test environment."""
import os
import unittest

SOURCE_ROOT = os.environ.get('HOGFEAT_SOURCE_ROOT', os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD_ROOT = os.environ.get('HOGFEAT_BUILD_ROOT', '')
FIXTURES = os.environ.get('HOGFEAT_TEST_FIXTURES', os.path.join(SOURCE_ROOT, 'tests', 'data'))
CMATERDB = os.environ.get('HOGFEAT_TEST_DATA', os.path.join(SOURCE_ROOT, '..', 'shared', 'data', 'cmaterdb-bangla'))
FASHION = os.environ.get('HOGFEAT_FASHION_DIR', '/usr/share/datasets/fashion-mnist')
SANITIZED = os.environ.get('HOGFEAT_SANITIZE', 'none') not in ('', 'none')


def mnist_dir_present(directory):
    names = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
    return all(os.path.exists(os.path.join(directory, n)) or os.path.exists(os.path.join(directory, n + '.gz'))
               for n in names)


def require_cmaterdb():
    if not mnist_dir_present(CMATERDB):
        raise unittest.SkipTest('CMATERdb not found in %s (set HOGFEAT_DATA_DIR and reconfigure)' % CMATERDB)
    return CMATERDB


def optional_import(name):
    """A module, or SkipTest naming the Debian package to install."""
    import importlib
    packages = {'skimage': 'python3-skimage', 'dask': 'python3-dask', 'distributed': 'python3-distributed'}
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise unittest.SkipTest('%s is not importable (%s); on Debian: apt-get install %s'
                                % (name, exc, packages.get(name, name))) from None
