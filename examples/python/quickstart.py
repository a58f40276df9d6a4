#!/usr/bin/env python3
"""hogfeat from Python in one page (docs/python.md walks through it).

    python3 quickstart.py [MNIST_DIR]

Without a directory (or when it is absent) a small synthetic dataset is used.
"""
import os
import sys
import tempfile

import numpy as np

import hogfeat


def synthetic(n, seed):
    """Bright bars on noise, three orientations: labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 3).astype(np.int32)
    images = rng.integers(0, 60, (n, 32, 32), dtype=np.uint8)
    for image, label in zip(images, labels):
        o = rng.integers(-4, 5)
        if label == 0:
            image[6:26, 14 + o:18 + o] = 255
        elif label == 1:
            image[14 + o:18 + o, 6:26] = 255
        else:
            for t in range(20):
                image[6 + t, 6 + t:9 + t] = 255
    return images, labels


def main(data=None):
    print('hogfeat', hogfeat.__version__, 'using', hogfeat.library_path())

    # 1. One descriptor: the same call, defaults and values as skimage.feature.hog.
    image = np.random.default_rng(0).integers(0, 256, (64, 48), dtype=np.uint8)
    features = hogfeat.hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2))
    print('hog of a 64x48 image:', features.shape, features.dtype)

    # Views are read in place: a crop or every other row costs no copy.
    crop = image[8:56, 4:44]
    assert np.array_equal(hogfeat.hog(crop), hogfeat.hog(crop.copy()))

    # 2. A dataset: uint8 (N, H, W) images and int32 labels, views of the decoded file.
    if data and os.path.isdir(data):
        train_x, train_y = hogfeat.load_mnist(data, 'train')
        test_x, test_y = hogfeat.load_mnist(data, 'test')
    else:
        train_x, train_y = synthetic(600, 1)
        test_x, test_y = synthetic(150, 2)
    print('train', train_x.shape, train_x.dtype, 'test', test_x.shape)

    # 3. Batch extraction into a matrix Python allocates and C fills, on all CPUs.
    X = hogfeat.hog_batch(train_x, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    print('features', X.shape, X.dtype)

    # 4. A classifier on features, scikit-learn style.
    svm = hogfeat.LinearSVM(C=0.1).fit(X, train_y)
    X_test = hogfeat.hog_batch(test_x, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    print('LinearSVM accuracy: %.2f %%' % (100 * svm.score(X_test, test_y)))

    # 5. Or the whole pipeline (blur + HOG + classifier) as one model file.
    pipe = hogfeat.Pipeline(hogfeat.LinearSVM(C=0.1),
                            hog=hogfeat.HogConfig(pixels_per_cell=(4, 4), cells_per_block=(2, 2)),
                            blur=1.2)
    pipe.fit(train_x, train_y)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'digits.model')
        pipe.save(path)
        loaded = hogfeat.Pipeline.load(path)
    print('Pipeline accuracy after save/load: %.2f %%' % (100 * loaded.score(test_x, test_y)))

    # 6. Errors carry the library's status and message.
    try:
        hogfeat.hog(np.zeros((8, 8), np.uint8))
    except hogfeat.HogfeatError as e:
        print('error:', e.name, '-', e.message)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
