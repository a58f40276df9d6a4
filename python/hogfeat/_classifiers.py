"""LinearSVM and KNN with a scikit-learn-like interface over libhogfeat."""

import ctypes
import os

import numpy as np

from . import _arrays
from ._capi import PROGRESS_FN, Handle, HogfeatError, Status, lib, new_handle, query_then_write
from ._dataset import _limits_ptr


def _n_jobs(n_jobs):
    """scikit-learn's n_jobs (None = 1, -1 = all CPUs) as the C thread count (0 = all CPUs)."""
    if n_jobs is None:
        return 1
    n = int(n_jobs)
    if n < 0:
        return 0
    if n == 0:
        raise ValueError('n_jobs must be a positive number, -1 or None')
    return n


def _as_bytes_source(source):
    """(pointer, size, keepalive) for a bytes-like source."""
    buf = np.frombuffer(source, dtype=np.uint8)
    return buf.ctypes.data, buf.size, buf


def _is_bytes(source):
    return isinstance(source, (bytes, bytearray, memoryview))


def _save(save_fn, save_file_fn, ptr, path):
    if path is not None:
        save_file_fn(ptr, os.fsencode(path))
        return None
    return query_then_write(lambda buf, cap, size: save_fn(ptr, buf, cap, size))


class _Model:
    """Shared handle plumbing: close(), context manager, pickling by saved bytes."""

    _kind = 'model'
    _h = None

    @property
    def _ptr(self):
        h = self._h
        if h is None:
            raise ValueError('this %s is not fitted; call fit() or load()' % type(self).__name__)
        if not h.alive:
            raise ValueError('this %s is closed' % type(self).__name__)
        return h.ptr

    @property
    def fitted(self):
        return self._h is not None and self._h.alive

    def close(self):
        """Release the C model now (also done on garbage collection)."""
        if self._h is not None:
            self._h.close()
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def save(self, path=None):
        """Serialise (docs/model-format.md): to bytes, or atomically to ``path`` when given."""
        raise NotImplementedError

    def __reduce__(self):
        if self.fitted:
            return (type(self)._unpickle, (self.get_params(), self.save()))
        return (type(self)._unpickle, (self.get_params(), None))

    @classmethod
    def _unpickle(cls, params, data):
        model = cls.__new__(cls)
        model.__dict__.update(params)
        model._h = cls._load_handle(data, None) if data is not None else None
        return model

    @classmethod
    def load(cls, source, limits=None):
        """A model from bytes (bytes, bytearray, memoryview) or from a file path.

        ``limits``: a :class:`Limits` bounding what an untrusted file may allocate.
        """
        model = cls.__new__(cls)
        model._h = cls._load_handle(source, limits)
        model._params_from_model()
        return model

    def score(self, X, y):
        """Accuracy of predict(X) against y."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def _check_features(self, X):
        arr, rows, cols, stride = _arrays.features_matrix(X)
        return arr, rows, cols, stride

    @property
    def classes_(self):
        """The class labels, ascending (int32)."""
        ptr = self._ptr
        n = self._num_classes(ptr)
        labels = np.empty(n, dtype=np.int32)
        self._get_labels(ptr, labels.ctypes.data, n)
        return labels


_MULTICLASS = {'ovr': 1, 'ovo': 2, 'crammer_singer': 3}


class LinearSVM(_Model):
    """L2-regularised linear SVM (LIBLINEAR's dual coordinate descent).

    Parameters mirror scikit-learn's LinearSVC where they exist: ``C``,
    ``loss`` ('squared_hinge' or 'hinge'), ``tol`` (LIBLINEAR's -e; default
    0.1 as in libhogfeat), ``max_iter``, ``class_weight`` (dict label ->
    weight), ``random_state`` (the sample-order seed; the same seed gives
    the same model), ``n_jobs`` (threads over the binary problems; None =
    1, -1 = all CPUs). ``bias`` is LIBLINEAR's -B (0 = no intercept).
    ``multiclass``: 'ovr' (one-vs-rest, default), 'ovo' (one-vs-one voting,
    as scikit-learn's OneVsOneClassifier) or 'crammer_singer' (LIBLINEAR -s 4).
    ``probability``: also fit Platt scaling on 5-fold cross-validated
    decision values, for predict_proba() (training then costs about 6 times
    as much). ``progress``: optional callable(problems_done, problems_total),
    called from the training threads; returning True or raising stops training.
    """

    _kind = 'linear SVM'
    progress = None  # not pickled: a callable may not be
    multiclass = 'ovr'  # models pickled before these existed
    probability = False

    def __init__(self, C=1.0, loss='squared_hinge', bias=1.0, tol=0.1, max_iter=1000, class_weight=None,
                 random_state=1, n_jobs=1, progress=None, multiclass='ovr', probability=False):
        if loss not in ('squared_hinge', 'hinge'):
            raise ValueError("loss must be 'squared_hinge' or 'hinge', got %r" % (loss,))
        if multiclass not in _MULTICLASS:
            raise ValueError("multiclass must be 'ovr', 'ovo' or 'crammer_singer', got %r" % (multiclass,))
        self.multiclass = multiclass
        self.probability = bool(probability)
        self.C = C
        self.loss = loss
        self.bias = bias
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self._h = None

    def get_params(self):
        return {'C': self.C, 'loss': self.loss, 'bias': self.bias, 'tol': self.tol, 'max_iter': self.max_iter,
                'class_weight': self.class_weight, 'random_state': self.random_state, 'n_jobs': self.n_jobs,
                'multiclass': self.multiclass, 'probability': self.probability}

    def _params_from_model(self):
        self.C, self.loss, self.tol, self.max_iter = None, None, None, None
        self.class_weight, self.random_state, self.n_jobs, self.progress = None, None, 1, None
        self.bias = float(lib.hogfeat_linsvm_bias(self._ptr))
        names = {v: k for k, v in _MULTICLASS.items()}
        self.multiclass = names[lib.hogfeat_linsvm_multiclass(self._ptr)]
        self.probability = bool(lib.hogfeat_linsvm_has_probability(self._ptr))

    def __repr__(self):
        return 'LinearSVM(C=%r, loss=%r, bias=%r, tol=%r, max_iter=%r, multiclass=%r, probability=%r)' % (
            self.C, self.loss, self.bias, self.tol, self.max_iter, self.multiclass, self.probability)

    def fit(self, X, y):
        """Train on float32 features X (n_samples, n_features; read in place) and integer labels y."""
        if self.C is None:
            raise ValueError('a loaded LinearSVM keeps no training parameters; train a new LinearSVM instead')
        arr, rows, cols, stride = self._check_features(X)
        labels = _arrays.labels_array(y, rows)
        params = new_handle(lib.hogfeat_linsvm_params_create, destroy=lib.hogfeat_linsvm_params_destroy)
        failure = []
        try:
            p = params.ptr
            lib.hogfeat_linsvm_params_set_c(p, float(self.C))
            lib.hogfeat_linsvm_params_set_loss(p, 1 if self.loss == 'squared_hinge' else 2)
            lib.hogfeat_linsvm_params_set_bias(p, float(self.bias))
            lib.hogfeat_linsvm_params_set_tolerance(p, float(self.tol))
            lib.hogfeat_linsvm_params_set_max_iterations(p, int(self.max_iter))
            lib.hogfeat_linsvm_params_set_seed(p, int(self.random_state if self.random_state is not None else 1))
            lib.hogfeat_linsvm_params_set_threads(p, _n_jobs(self.n_jobs))
            lib.hogfeat_linsvm_params_set_multiclass(p, _MULTICLASS[self.multiclass])
            lib.hogfeat_linsvm_params_set_probability(p, 1 if self.probability else 0)
            for label, weight in (self.class_weight or {}).items():
                lib.hogfeat_linsvm_params_set_class_weight(p, int(label), float(weight))
            callback = None
            if self.progress is not None:
                user = self.progress

                def trampoline(_user_data, done, total):
                    if failure:
                        return 1
                    try:
                        return 1 if user(done, total) else 0
                    except BaseException as exc:  # re-raised after the C call returns
                        failure.append(exc)
                        return 1

                callback = PROGRESS_FN(trampoline)
                lib.hogfeat_linsvm_params_set_progress(p, callback, None)
            out = ctypes.c_void_p()
            try:
                lib.hogfeat_linsvm_train(p, arr.ctypes.data, rows, cols, stride, labels.ctypes.data,
                                         ctypes.byref(out))
            except HogfeatError as exc:
                if failure and exc.code == Status.ERR_CANCELLED:
                    raise failure[0] from exc
                raise
        finally:
            params.close()
        self.close()
        self._h = Handle(out.value, lib.hogfeat_linsvm_destroy)
        return self

    _num_classes = staticmethod(lambda p: lib.hogfeat_linsvm_num_classes(p))
    _get_labels = staticmethod(lambda p, buf, n: lib.hogfeat_linsvm_get_labels(p, buf, n))

    @property
    def n_features_in_(self):
        return int(lib.hogfeat_linsvm_num_features(self._ptr))

    @property
    def coef_(self):
        """Hyperplane weights, one row per vector (a copy): one-vs-rest (1, n_features) for two
        classes, else (K, n_features); one-vs-one (K (K - 1) / 2, n_features), pairs (0,1), (0,2),
        ...; Crammer-Singer (K, n_features)."""
        ptr = self._ptr
        d = lib.hogfeat_linsvm_num_features(ptr)
        rows = lib.hogfeat_linsvm_num_vectors(ptr)
        out = np.empty((rows, d), dtype=np.float32)
        for i in range(rows):
            w = lib.hogfeat_linsvm_weights(ptr, i)
            ctypes.memmove(out[i].ctypes.data, w, 4 * d)
        return out

    @property
    def intercept_(self):
        """Bias weight times B per hyperplane (zeros when trained without a bias)."""
        ptr = self._ptr
        d = lib.hogfeat_linsvm_num_features(ptr)
        b = lib.hogfeat_linsvm_bias(ptr)
        rows = lib.hogfeat_linsvm_num_vectors(ptr)
        return np.array([ctypes.c_float.from_address(lib.hogfeat_linsvm_weights(ptr, i) + 4 * d).value * b
                         for i in range(rows)], dtype=np.float32)

    def predict(self, X):
        """Labels (int32) of the rows of X."""
        ptr = self._ptr
        arr, rows, cols, stride = self._check_features(X)
        out = np.empty(rows, dtype=np.int32)
        lib.hogfeat_linsvm_predict(ptr, arr.ctypes.data, rows, cols, stride, out.ctypes.data)
        return out

    def decision_function(self, X):
        """Decision values: (n_samples,) for two classes (positive means classes_[1], as
        scikit-learn: f for one-vs-rest, f_1 - f_0 for Crammer-Singer, the second class's
        vote score for one-vs-one), (n_samples, K) otherwise (one-vs-one: votes plus a
        confidence in (-1/3, 1/3), as OneVsOneClassifier)."""
        ptr = self._ptr
        arr, rows, cols, stride = self._check_features(X)
        k = lib.hogfeat_linsvm_num_classes(ptr)
        out = np.empty((rows, k), dtype=np.float32)
        lib.hogfeat_linsvm_decision_function(ptr, arr.ctypes.data, rows, cols, stride, out.ctypes.data,
                                             rows * k)
        if k != 2:
            return out
        if lib.hogfeat_linsvm_multiclass(ptr) == _MULTICLASS['crammer_singer']:
            return out[:, 1] - out[:, 0]
        return np.ascontiguousarray(out[:, 1])

    def predict_proba(self, X):
        """Class probabilities (n_samples, K), float32, rows summing to 1, columns in
        classes_ order. Needs probability=True at fit time (else HogfeatError
        ERR_MODEL_KIND)."""
        ptr = self._ptr
        arr, rows, cols, stride = self._check_features(X)
        k = lib.hogfeat_linsvm_num_classes(ptr)
        out = np.empty((rows, k), dtype=np.float32)
        lib.hogfeat_linsvm_predict_proba(ptr, arr.ctypes.data, rows, cols, stride, out.ctypes.data, rows * k)
        return out

    def save(self, path=None):
        return _save(lib.hogfeat_linsvm_save, lib.hogfeat_linsvm_save_file, self._ptr, path)

    @staticmethod
    def _load_handle(source, limits):
        out = ctypes.c_void_p()
        lp = _limits_ptr(limits)
        if _is_bytes(source):
            ptr, size, _keep = _as_bytes_source(source)
            lib.hogfeat_linsvm_load(ptr, size, lp, ctypes.byref(out))
        else:
            lib.hogfeat_linsvm_load_file(os.fsencode(source), lp, ctypes.byref(out))
        return Handle(out.value, lib.hogfeat_linsvm_destroy)


_METRICS = {'l2': 1, 'euclidean': 1, 'l1': 2, 'manhattan': 2, 'cityblock': 2, 'cosine': 3, 'chi2': 4}
_WEIGHTS = {'uniform': 1, 'distance': 2}


class KNN(_Model):
    """Exact k-nearest-neighbour classifier (brute force; libhogfeat copies the training set).

    ``n_neighbors`` (k, 1-1024), ``metric`` ('l2'/'euclidean', 'l1'/'manhattan',
    'cosine', 'chi2'), ``weights`` ('uniform' or 'distance'), ``n_jobs``
    (threads for predict and kneighbors; None = 1, -1 = all CPUs).
    """

    _kind = 'KNN model'

    def __init__(self, n_neighbors=3, metric='l2', weights='uniform', n_jobs=1):
        if metric not in _METRICS:
            raise ValueError('metric must be one of %s, got %r' % (', '.join(_METRICS), metric))
        if weights not in _WEIGHTS:
            raise ValueError("weights must be 'uniform' or 'distance', got %r" % (weights,))
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.weights = weights
        self.n_jobs = n_jobs
        self._h = None

    def get_params(self):
        return {'n_neighbors': self.n_neighbors, 'metric': self.metric, 'weights': self.weights,
                'n_jobs': self.n_jobs}

    def _params_from_model(self):
        self.n_neighbors = int(lib.hogfeat_knn_k(self._ptr))
        self.metric, self.weights, self.n_jobs = None, None, 1

    def __repr__(self):
        return 'KNN(n_neighbors=%r, metric=%r, weights=%r)' % (self.n_neighbors, self.metric, self.weights)

    def fit(self, X, y):
        """Store (a copy of) the training set."""
        if self.metric is None:
            raise ValueError('a loaded KNN keeps no fitting parameters; fit a new KNN instead')
        arr, rows, cols, stride = self._check_features(X)
        labels = _arrays.labels_array(y, rows)
        params = new_handle(lib.hogfeat_knn_params_create, destroy=lib.hogfeat_knn_params_destroy)
        try:
            p = params.ptr
            lib.hogfeat_knn_params_set_k(p, int(self.n_neighbors))
            lib.hogfeat_knn_params_set_metric(p, _METRICS[self.metric])
            lib.hogfeat_knn_params_set_weighting(p, _WEIGHTS[self.weights])
            lib.hogfeat_knn_params_set_threads(p, _n_jobs(self.n_jobs))
            out = ctypes.c_void_p()
            lib.hogfeat_knn_fit(p, arr.ctypes.data, rows, cols, stride, labels.ctypes.data, ctypes.byref(out))
        finally:
            params.close()
        self.close()
        self._h = Handle(out.value, lib.hogfeat_knn_destroy)
        return self

    _num_classes = staticmethod(lambda p: lib.hogfeat_knn_num_classes(p))
    _get_labels = staticmethod(lambda p, buf, n: lib.hogfeat_knn_get_labels(p, buf, n))

    @property
    def n_features_in_(self):
        return int(lib.hogfeat_knn_num_features(self._ptr))

    @property
    def n_samples_fit_(self):
        return int(lib.hogfeat_knn_num_samples(self._ptr))

    def predict(self, X):
        ptr = self._ptr
        arr, rows, cols, stride = self._check_features(X)
        out = np.empty(rows, dtype=np.int32)
        lib.hogfeat_knn_predict(ptr, arr.ctypes.data, rows, cols, stride, out.ctypes.data)
        return out

    def predict_proba(self, X):
        """Vote fractions (n_samples, K), float32, columns in classes_ order: each
        class's share of the k neighbours' (uniform or 1/distance) votes, as
        scikit-learn's KNeighborsClassifier.predict_proba."""
        ptr = self._ptr
        arr, rows, cols, stride = self._check_features(X)
        k = lib.hogfeat_knn_num_classes(ptr)
        out = np.empty((rows, k), dtype=np.float32)
        lib.hogfeat_knn_predict_proba(ptr, arr.ctypes.data, rows, cols, stride, out.ctypes.data, rows * k)
        return out

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        """(distances float32 (n, k), indices intp (n, k)) of the nearest training rows, nearest first;
        indices only when ``return_distance`` is False (scikit-learn's order)."""
        ptr = self._ptr
        k = int(lib.hogfeat_knn_k(ptr) if n_neighbors is None else n_neighbors)
        arr, rows, cols, stride = self._check_features(X)
        indices = np.empty((rows, k), dtype=np.uintp)
        distances = np.empty((rows, k), dtype=np.float32) if return_distance else None
        lib.hogfeat_knn_kneighbors(ptr, arr.ctypes.data, rows, cols, stride, k, indices.ctypes.data,
                                   distances.ctypes.data if return_distance else None, rows * k)
        indices = indices.view(np.intp)
        return (distances, indices) if return_distance else indices

    def save(self, path=None):
        return _save(lib.hogfeat_knn_save, lib.hogfeat_knn_save_file, self._ptr, path)

    @staticmethod
    def _load_handle(source, limits):
        out = ctypes.c_void_p()
        lp = _limits_ptr(limits)
        if _is_bytes(source):
            ptr, size, _keep = _as_bytes_source(source)
            lib.hogfeat_knn_load(ptr, size, lp, ctypes.byref(out))
        else:
            lib.hogfeat_knn_load_file(os.fsencode(source), lp, ctypes.byref(out))
        return Handle(out.value, lib.hogfeat_knn_destroy)

