"""LinearSVM, KNN and Pipeline: fit / predict / decision_function / kneighbors,
save and load through bytes and files, pickling, errors; and the round trip
on CMATERdb (skipped when the data is absent)."""
import os
import pickle
import tempfile
import time
import unittest

import numpy as np

import hogfeat

from common import require_cmaterdb


def blobs(n=300, d=20, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 4, (k, d))
    y = np.arange(n) % k
    X = (centers[y] + rng.normal(0, 1, (n, d))).astype(np.float32)
    return X, (y * 3 + 1).astype(np.int32)  # labels 1, 4, 7


def digit_images(n=120, seed=0):
    """Bars at three angles, noisy: a tiny 3-class image problem."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    images = rng.integers(0, 40, (n, 24, 24)).astype(np.uint8)
    for i, label in enumerate(y):
        o = rng.integers(-3, 4)
        if label == 0:
            images[i, 4:20, 10 + o:14 + o] = 255
        elif label == 1:
            images[i, 10 + o:14 + o, 4:20] = 255
        else:
            for t in range(16):
                images[i, 4 + t, 4 + t + o // 2:7 + t + o // 2] = 255
    return images, y.astype(np.int32)


class LinearSVMTest(unittest.TestCase):
    def test_fit_predict_decision(self):
        X, y = blobs()
        svm = hogfeat.LinearSVM(C=1.0).fit(X, y)
        self.assertEqual(svm.classes_.tolist(), [1, 4, 7])
        self.assertEqual(svm.n_features_in_, 20)
        pred = svm.predict(X)
        self.assertEqual(pred.dtype, np.int32)
        self.assertGreater(np.mean(pred == y), 0.95)
        self.assertAlmostEqual(svm.score(X, y), float(np.mean(pred == y)))
        scores = svm.decision_function(X)
        self.assertEqual(scores.shape, (300, 3))
        np.testing.assert_array_equal(svm.classes_[np.argmax(scores, axis=1)], pred)
        self.assertEqual(svm.coef_.shape, (3, 20))
        np.testing.assert_allclose(X @ svm.coef_.T + svm.intercept_, scores, rtol=1e-4, atol=1e-4)

    def test_binary_decision_is_one_column(self):
        X, y = blobs(k=2)
        svm = hogfeat.LinearSVM().fit(X, y)
        scores = svm.decision_function(X)
        self.assertEqual(scores.shape, (300,))
        self.assertEqual(svm.coef_.shape, (1, 20))
        np.testing.assert_array_equal(np.where(scores > 0, svm.classes_[1], svm.classes_[0]), svm.predict(X))

    def test_strided_and_other_dtypes(self):
        X, y = blobs()
        want = hogfeat.LinearSVM().fit(X, y).decision_function(X)
        wide = np.zeros((300, 30), np.float32)
        wide[:, 3:23] = X
        view = wide[:, 3:23]  # row stride 30 floats: read in place
        np.testing.assert_array_equal(hogfeat.LinearSVM().fit(view, y.astype(np.int64)).decision_function(view),
                                      want)
        np.testing.assert_array_equal(hogfeat.LinearSVM().fit(X.astype(np.float64), y).decision_function(X), want)

    def test_save_load_pickle(self):
        X, y = blobs()
        svm = hogfeat.LinearSVM(C=0.5).fit(X, y)
        want = svm.decision_function(X)
        data = svm.save()
        self.assertIsInstance(data, bytes)
        for source in (data, bytearray(data), memoryview(data)):
            np.testing.assert_array_equal(hogfeat.LinearSVM.load(source).decision_function(X), want)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'svm.model')
            self.assertIsNone(svm.save(path))
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), data)
            loaded = hogfeat.LinearSVM.load(path)
            np.testing.assert_array_equal(loaded.predict(X), svm.predict(X))
            self.assertEqual(loaded.save(), data)
        clone = pickle.loads(pickle.dumps(svm))
        np.testing.assert_array_equal(clone.decision_function(X), want)
        self.assertEqual(clone.C, 0.5)
        unfitted = pickle.loads(pickle.dumps(hogfeat.LinearSVM(C=3)))
        self.assertFalse(unfitted.fitted)
        self.assertEqual(unfitted.C, 3)

    def test_errors(self):
        X, y = blobs()
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.LinearSVM().fit(X, np.zeros(300, np.int32))
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_BAD_TRAINING_SET)
        svm = hogfeat.LinearSVM().fit(X, y)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            svm.predict(X[:, :10])
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_DIMENSION_MISMATCH)
        self.assertIn('10', cm.exception.message)
        with self.assertRaises(ValueError):
            hogfeat.LinearSVM().predict(X)
        with self.assertRaises(ValueError):
            svm.fit(X, y[:10])
        data = bytearray(svm.save())
        data[len(data) // 2] ^= 0xFF
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.LinearSVM.load(bytes(data))
        self.assertIn(cm.exception.status, (hogfeat.Status.ERR_CHECKSUM, hogfeat.Status.ERR_CORRUPT_DATA))
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.KNN.load(svm.save())
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_MODEL_KIND)
        svm.close()
        with self.assertRaises(ValueError):
            svm.predict(X)

    def test_progress_callback(self):
        X, y = blobs()
        calls = []
        hogfeat.LinearSVM(progress=lambda done, total: calls.append((done, total))).fit(X, y)
        self.assertTrue(calls)
        self.assertTrue(all(total == 3 for _, total in calls))

        class Stop(Exception):
            pass

        def stop(done, total):
            raise Stop()

        with self.assertRaises(Stop):
            hogfeat.LinearSVM(progress=stop).fit(X, y)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.LinearSVM(progress=lambda d, t: True).fit(X, y)
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_CANCELLED)


class KNNTest(unittest.TestCase):
    def test_fit_predict_kneighbors(self):
        X, y = blobs(n=200)
        Q = X[::7] + np.float32(0.1)
        knn = hogfeat.KNN(n_neighbors=4).fit(X, y)
        self.assertEqual(knn.classes_.tolist(), [1, 4, 7])
        self.assertEqual(knn.n_samples_fit_, 200)
        dist, ind = knn.kneighbors(Q)
        self.assertEqual(ind.dtype, np.intp)
        brute = np.sqrt(((Q[:, None, :].astype(np.float64) - X[None, :, :]) ** 2).sum(-1))
        want = np.argsort(brute, axis=1, kind='stable')[:, :4]
        np.testing.assert_array_equal(ind, want)
        np.testing.assert_allclose(dist, np.take_along_axis(brute, want, 1), rtol=1e-4, atol=1e-3)
        self.assertEqual(knn.kneighbors(Q, n_neighbors=2, return_distance=False).shape, (len(Q), 2))
        self.assertGreater(knn.score(X, y), 0.95)
        loaded = hogfeat.KNN.load(knn.save())
        np.testing.assert_array_equal(loaded.predict(Q), knn.predict(Q))
        self.assertEqual(loaded.n_neighbors, 4)
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(knn)).predict(Q), knn.predict(Q))
        cos = hogfeat.KNN(n_neighbors=1, metric='cosine').fit(X, y)
        self.assertEqual(cos.predict(X[:5]).tolist(), y[:5].tolist())

    def test_predict_proba_vote_fractions(self):
        X, y = blobs(n=150)
        Q = X[::5] + np.float32(0.3)
        for weights in ('uniform', 'distance'):
            knn = hogfeat.KNN(n_neighbors=5, weights=weights).fit(X, y)
            proba = knn.predict_proba(Q)
            self.assertEqual(proba.shape, (len(Q), 3))
            np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
            dist, ind = knn.kneighbors(Q)
            w = np.ones_like(dist, dtype=np.float64) if weights == 'uniform' else 1.0 / dist.astype(np.float64)
            want = np.stack([(w * (y[ind] == c)).sum(1) for c in knn.classes_], 1) / w.sum(1, keepdims=True)
            np.testing.assert_allclose(proba, want, rtol=1e-5, atol=1e-6)
            self.assertEqual(knn.classes_[proba.argmax(1)].tolist(), knn.predict(Q).tolist())


class PipelineTest(unittest.TestCase):
    hog = dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2))

    def test_fit_predict_save_load(self):
        images, y = digit_images()
        for clf in (hogfeat.LinearSVM(C=0.5), hogfeat.KNN(n_neighbors=1)):
            with self.subTest(classifier=type(clf).__name__):
                pipe = hogfeat.Pipeline(clf, hog=self.hog, blur=1.0).fit(images[:90], y[:90])
                self.assertTrue(pipe.fitted)
                self.assertEqual(pipe.blur, 1.0)
                pred = pipe.predict(images[90:])
                self.assertGreaterEqual(np.mean(pred == y[90:]), 0.9)
                self.assertEqual([pipe.predict_image(im) for im in images[90:]], pred.tolist())
                for source in ('bytes', 'file'):
                    with tempfile.TemporaryDirectory() as tmp:
                        if source == 'bytes':
                            loaded = hogfeat.Pipeline.load(pipe.save())
                        else:
                            path = os.path.join(tmp, 'p.model')
                            pipe.save(path)
                            loaded = hogfeat.Pipeline.load(path)
                    self.assertIsInstance(loaded.classifier, type(clf))
                    self.assertEqual(loaded.hog.get_params(), pipe.hog.get_params())
                    self.assertEqual(loaded.blur, 1.0)
                    np.testing.assert_array_equal(loaded.predict(images[90:]), pred)
                    np.testing.assert_array_equal(loaded.transform(images), pipe.transform(images))
                np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).predict(images[90:]), pred)

    def test_transform_equals_hog_without_preprocessing(self):
        images, _ = digit_images(10)
        pipe = hogfeat.Pipeline(hog=self.hog)
        np.testing.assert_array_equal(pipe.transform(images), hogfeat.hog_batch(images, **self.hog))
        np.testing.assert_array_equal(pipe.transform(list(images)), hogfeat.hog_batch(images, **self.hog))
        sized = hogfeat.Pipeline(hog=self.hog, resize=(24, 24))
        varied = [images[0], np.ascontiguousarray(images[1][:20, :22]), images[2][::2, ::2]]
        self.assertEqual(sized.transform(varied).shape, (3, sized.feature_length((24, 24))))
        self.assertEqual(sized.resize, (24, 24))

    def test_extra_descriptors_and_maps(self):
        images, y = digit_images()
        one = hogfeat.Pipeline(hog=self.hog, blur=1.0).transform(images)
        eight = hogfeat.Pipeline(hog=dict(pixels_per_cell=(8, 8), cells_per_block=(2, 2)), blur=1.0).transform(images)
        both = hogfeat.Pipeline(hog=self.hog, blur=1.0, extra_hogs=[dict(pixels_per_cell=(8, 8),
                                                                           cells_per_block=(2, 2))])
        self.assertEqual(both.n_descriptors, 2)
        np.testing.assert_array_equal(both.transform(images), np.hstack([one, eight]))
        hel = hogfeat.Pipeline(hog=self.hog, blur=1.0, feature_map='hellinger')
        np.testing.assert_allclose(hel.transform(images), np.sqrt(one), rtol=1e-6)
        chi = hogfeat.Pipeline(hog=self.hog, blur=1.0, feature_map=('chi2', 2))
        self.assertEqual(chi.feature_map, ('chi2', 2, 0.5))
        self.assertEqual(chi.transform(images).shape, (len(images), 3 * one.shape[1]))
        with self.assertRaises(ValueError):
            hogfeat.Pipeline(feature_map='rbf')
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            hogfeat.Pipeline(feature_map=('chi2', 99))
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_INVALID_ARGUMENT)
        # Fit, probabilities, save and load keep the descriptors and the map.
        clf = hogfeat.LinearSVM(C=0.5, probability=True)
        pipe = hogfeat.Pipeline(clf, hog=self.hog, blur=1.0, feature_map=('chi2', 2),
                                extra_hogs=[dict(pixels_per_cell=(8, 8), cells_per_block=(2, 2))]).fit(images[:90],
                                                                                                        y[:90])
        proba = pipe.predict_proba(images[90:])
        np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
        loaded = hogfeat.Pipeline.load(pipe.save())
        self.assertEqual(loaded.n_descriptors, 2)
        self.assertEqual(loaded.feature_map, ('chi2', 2, 0.5))
        self.assertEqual(loaded.extra_hogs[0].pixels_per_cell, (8, 8))
        np.testing.assert_array_equal(loaded.transform(images), pipe.transform(images))
        np.testing.assert_array_equal(loaded.predict_proba(images[90:]), proba)
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).predict(images[90:]), pipe.predict(images[90:]))
        knn = hogfeat.Pipeline(hogfeat.KNN(n_neighbors=3), hog=self.hog, blur=1.0).fit(images[:90], y[:90])
        self.assertEqual(knn.predict_proba(images[90:]).shape, (30, len(np.unique(y[:90]))))

    def test_unfitted(self):
        images, y = digit_images(12)
        pipe = hogfeat.Pipeline(hog=self.hog)
        with self.assertRaises(ValueError):
            pipe.predict(images)
        with self.assertRaises(hogfeat.HogfeatError) as cm:
            pipe.save()
        self.assertEqual(cm.exception.status, hogfeat.Status.ERR_MODEL_KIND)


class Cmaterdb(unittest.TestCase):
    def test_round_trip(self):
        root = require_cmaterdb()
        train, train_labels = hogfeat.load_mnist(root, 'train')
        test, test_labels = hogfeat.load_mnist(root, 'test')
        t0 = time.perf_counter()
        pipe = hogfeat.Pipeline(hogfeat.LinearSVM(C=0.1, tol=0.01, n_jobs=-1),
                                hog=dict(pixels_per_cell=(4, 4), cells_per_block=(2, 2)), blur=1.2)
        pipe.fit(train, train_labels)
        t1 = time.perf_counter()
        pred = pipe.predict(test)
        accuracy = float(np.mean(pred == test_labels))
        print('CMATERdb: fit %.2f s, test accuracy %.2f %%' % (t1 - t0, 100 * accuracy))
        self.assertGreaterEqual(accuracy, 0.95)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'cmaterdb.model')
            pipe.save(path)
            loaded = hogfeat.Pipeline.load(path)
        np.testing.assert_array_equal(loaded.predict(test), pred)
        np.testing.assert_array_equal(loaded.decision_function(test[:50]), pipe.decision_function(test[:50]))
        self.assertEqual(hogfeat.Pipeline.load(loaded.save()).save(), pipe.save())


if __name__ == '__main__':
    unittest.main()
