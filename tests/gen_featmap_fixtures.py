#!/usr/bin/env python3
"""Reference outputs of scikit-learn's AdditiveChi2Sampler for test-featmap.c.

Writes tests/data/featmap/chi2.txt: for each case a line
    case STEPS INTERVAL N
then N input values, then N * (2 STEPS - 1) outputs in scikit-learn's order
(block k of N values holds component k of every input), one per line,
printed with repr() so they round-trip. Run with a Python that has
scikit-learn (Debian 12 python3-sklearn 1.2.1):  /usr/bin/python3 tests/gen_featmap_fixtures.py
"""
import os
import sys

import numpy as np
from sklearn.kernel_approximation import AdditiveChi2Sampler


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'featmap')
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20261127)
    # HOG-like values: many zeros, most in (0, 0.3], a few up to 1.
    x = rng.random(48).astype(np.float32) * 0.3
    x[::5] = 0.0
    x[3] = 1.0
    x[7] = 1e-6
    lines = []
    for steps, interval in ((1, None), (2, None), (3, None), (4, 0.3)):
        sampler = AdditiveChi2Sampler(sample_steps=steps, sample_interval=interval)
        y = sampler.fit_transform(x.astype(np.float64)[None, :])[0]
        used = sampler.sample_interval_ if hasattr(sampler, 'sample_interval_') else interval
        if used is None:
            used = {1: 0.8, 2: 0.5, 3: 0.4}[steps]
        lines.append('case %d %r %d' % (steps, float(used), x.size))
        lines += [repr(float(v)) for v in x]
        lines += [repr(float(v)) for v in y]
    with open(os.path.join(out_dir, 'chi2.txt'), 'w') as f:
        f.write('# scikit-learn %s AdditiveChi2Sampler; see tests/gen_featmap_fixtures.py\n'
                % __import__('sklearn').__version__)
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    sys.exit(main())
