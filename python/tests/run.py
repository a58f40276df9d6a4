"""Run one test module of python/tests for meson.

Usage: python3 run.py test_MODULE

Exit status: 0 all passed; 1 a failure or error; 77 (meson's skip) when
numpy cannot be imported by this interpreter, or when every test of the
module was skipped (the reasons are printed).
"""
import os
import sys
import unittest


def main():
    try:
        import numpy  # noqa: F401
    except ImportError as exc:
        print('SKIP: numpy cannot be imported by %s (%s); on Debian: apt-get install python3-numpy, '
              'and run the tests with /usr/bin/python3' % (sys.executable, exc))
        return 77
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1])
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    print('%d passed, %d failed, %d skipped' % (result.testsRun - failed - skipped, failed, skipped))
    if failed:
        return 1
    if result.testsRun and skipped == result.testsRun:
        for test, reason in result.skipped:
            print('SKIP: %s: %s' % (test.id(), reason))
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main())
