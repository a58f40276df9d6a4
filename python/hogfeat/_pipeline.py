"""Pipeline: raw images in, labels out (resize, blur, HOG, one classifier), saved as one model file."""

import ctypes
import os

import numpy as np

from . import _arrays
from ._capi import Handle, lib, new_handle
from ._classifiers import KNN, LinearSVM, _as_bytes_source, _is_bytes, _n_jobs, _save
from ._dataset import _limits_ptr
from ._hog import HogConfig, _wrap_images, wrap_image


class Pipeline:
    """Preprocessing + HOG + a classifier (hogfeat_pipeline), scikit-learn style.

    ``classifier``: an unfitted :class:`LinearSVM` (default) or :class:`KNN`;
    ``hog``: a :class:`HogConfig` (or a dict of its arguments; default
    scikit-image's settings); ``blur``: Gaussian sigma in pixels before HOG
    (0 = off; the image is then scaled to [0, 1] first, as
    skimage.filters.gaussian does); ``resize``: (rows, cols) every input is
    resized to first (bilinear), or None; ``channel_axis``: as for
    :func:`hog`, counted within one image; ``n_jobs``: extraction threads
    (-1 = all CPUs); ``extra_hogs``: more :class:`HogConfig` (or dicts)
    computed on the same preprocessed image, their descriptors appended in
    order (e.g. other cell sizes); ``feature_map``: None, ``'hellinger'``,
    ``'chi2'`` / ``('chi2', steps[, interval])`` (scikit-learn's
    AdditiveChi2Sampler) or ``'intersection'`` / ``('intersection', steps[,
    interval])`` (VLFeat's homogeneous kernel map), applied to the
    concatenated descriptors. Pipelines loaded from files may also hold LBP
    descriptors and an RBF map (made by the C API or the CLI); they predict
    as saved.

    ``X`` is an (N, rows, cols[, 3]) stack (any strides, read in place) or a
    list of images (they must give descriptors of one length, e.g. through
    ``resize``). The pipeline is immutable once built; fit() builds a new one.
    """

    def __init__(self, classifier=None, hog=None, blur=0.0, resize=None, channel_axis=None, n_jobs=-1,
                 extra_hogs=(), feature_map=None):
        if isinstance(hog, dict):
            hog = HogConfig(**hog)
        self._hog = hog if hog is not None else HogConfig()
        self._extra_hogs = tuple(HogConfig(**h) if isinstance(h, dict) else h for h in extra_hogs)
        for h in self._extra_hogs:
            if not isinstance(h, HogConfig):
                raise TypeError('extra_hogs must hold hogfeat.HogConfig objects or dicts of their arguments')
        self._feature_map = _map_args(feature_map)
        self._classifier = classifier if classifier is not None else LinearSVM()
        if not isinstance(self._classifier, (LinearSVM, KNN)):
            raise TypeError('classifier must be a hogfeat.LinearSVM or hogfeat.KNN')
        self._blur = float(blur)
        self._resize = None if resize is None else (int(resize[0]), int(resize[1]))
        self.channel_axis = channel_axis
        self.n_jobs = n_jobs
        self._h = self._build(None)

    def _build(self, model):
        h = new_handle(lib.hogfeat_pipeline_create, self._hog._ptr, destroy=lib.hogfeat_pipeline_destroy)
        try:
            lib.hogfeat_pipeline_set_blur(h.ptr, self._blur)
            if self._resize is not None:
                lib.hogfeat_pipeline_set_resize(h.ptr, self._resize[1], self._resize[0])
            for extra in self._extra_hogs:
                lib.hogfeat_pipeline_add_hog(h.ptr, extra._ptr)
            if self._feature_map is not None:
                kind, steps, interval = self._feature_map
                lib.hogfeat_pipeline_set_feature_map(h.ptr, _MAP_KINDS[kind], steps, interval)
            if isinstance(model, LinearSVM):
                lib.hogfeat_pipeline_set_linsvm(h.ptr, model._ptr)
            elif isinstance(model, KNN):
                lib.hogfeat_pipeline_set_knn(h.ptr, model._ptr)
        except BaseException:
            h.close()
            raise
        return h

    @property
    def _ptr(self):
        if self._h is None or not self._h.alive:
            raise ValueError('this Pipeline is closed')
        return self._h.ptr

    def close(self):
        """Release the C pipeline now (also done on garbage collection)."""
        if self._h is not None:
            self._h.close()
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- read-back ---------------------------------------------------------
    @property
    def hog(self):
        return self._hog

    @property
    def blur(self):
        return float(lib.hogfeat_pipeline_blur(self._ptr))

    @property
    def resize(self):
        w, h = lib.hogfeat_pipeline_resize_width(self._ptr), lib.hogfeat_pipeline_resize_height(self._ptr)
        return (int(h), int(w)) if w else None

    @property
    def classifier(self):
        return self._classifier

    @property
    def extra_hogs(self):
        """The HOG configurations after the first (a tuple of :class:`HogConfig`)."""
        return self._extra_hogs

    @property
    def n_descriptors(self):
        """Descriptors in the C pipeline, the first HOG included (LBP ones too)."""
        return int(lib.hogfeat_pipeline_num_descriptors(self._ptr))

    @property
    def feature_map(self):
        """(name, steps or D, interval or gamma), or None."""
        kind = lib.hogfeat_pipeline_feature_map(self._ptr)
        name = {v: k for k, v in _MAP_KINDS.items()}.get(kind)
        if name is None:
            return None
        return (name, int(lib.hogfeat_pipeline_feature_map_param(self._ptr)),
                float(lib.hogfeat_pipeline_feature_map_param2(self._ptr)))

    @property
    def fitted(self):
        p = self._ptr
        return bool(lib.hogfeat_pipeline_linsvm(p) or lib.hogfeat_pipeline_knn(p))

    def __repr__(self):
        return 'Pipeline(classifier=%r, hog=%r, blur=%r, resize=%r)' % (
            self._classifier, self._hog, self._blur, self._resize)

    # --- features ------------------------------------------------------------
    def feature_length(self, shape):
        """Descriptor length for input images of ``shape`` (rows, cols[, ...])."""
        n = ctypes.c_size_t()
        lib.hogfeat_pipeline_feature_length(self._ptr, shape[1], shape[0], ctypes.byref(n))
        return n.value

    def transform(self, X, out=None):
        """Preprocess and describe images: an (N, D) float32 matrix (``out`` if given)."""
        ptr = self._ptr
        threads = _n_jobs(self.n_jobs)
        if isinstance(X, (list, tuple)):
            handles, pointers = _wrap_images(X, self.channel_axis)
            try:
                first = (lib.hogfeat_image_height(handles[0].ptr), lib.hogfeat_image_width(handles[0].ptr)) \
                    if handles else (1, 1)
                length = self.feature_length(first) if handles else 0
                out, row_stride, capacity = _arrays.output_matrix(out, len(handles), length)
                if handles:
                    lib.hogfeat_pipeline_extract_batch(ptr, pointers, len(handles), threads, out.ctypes.data,
                                                       row_stride, capacity)
            finally:
                for h in handles:
                    h.close()
            return out
        view = _arrays.as_stack(X, self.channel_axis)
        length = self.feature_length((view.height, view.width))
        out, row_stride, capacity = _arrays.output_matrix(out, view.count, length)
        if view.count:
            lib.hogfeat_pipeline_extract_stack(ptr, view.data, view.format, view.count, view.width, view.height,
                                               view.row_stride, view.image_stride, threads, out.ctypes.data,
                                               row_stride, capacity)
        return out

    # --- classifier ------------------------------------------------------------
    def fit(self, X, y):
        """Extract the features of X, fit the classifier on them and attach it."""
        features = self.transform(X)
        self._classifier.fit(features, y)
        new = self._build(self._classifier)
        self.close()
        self._h = new
        return self

    def predict(self, X):
        """Labels (int32) of the images of X."""
        return self._fitted_classifier().predict(self.transform(X))

    def decision_function(self, X):
        """Decision values of a linear-SVM pipeline (see LinearSVM.decision_function)."""
        clf = self._fitted_classifier()
        if not isinstance(clf, LinearSVM):
            raise TypeError('decision_function needs a LinearSVM classifier')
        return clf.decision_function(self.transform(X))

    def predict_proba(self, X):
        """Class probabilities (linear SVM trained with probability=True) or KNN vote
        fractions, (N, K) float32 in classes_ order."""
        return self._fitted_classifier().predict_proba(self.transform(X))

    def score(self, X, y):
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def predict_image(self, image):
        """The label of one image, in one C call (hogfeat_pipeline_predict)."""
        handle = wrap_image(image, self.channel_axis)
        try:
            label = ctypes.c_int32()
            lib.hogfeat_pipeline_predict(self._ptr, handle.ptr, ctypes.byref(label))
            return int(label.value)
        finally:
            handle.close()

    def _fitted_classifier(self):
        if not self.fitted or not self._classifier.fitted:
            raise ValueError('this Pipeline is not fitted; call fit() or load()')
        return self._classifier

    # --- persistence -------------------------------------------------------------
    def save(self, path=None):
        """Preprocessing, HOG settings and classifier as one model file: bytes, or
        written atomically to ``path`` when given."""
        return _save(lib.hogfeat_pipeline_save, lib.hogfeat_pipeline_save_file, self._ptr, path)

    @classmethod
    def load(cls, source, limits=None):
        """A fitted pipeline from bytes or a file path (``limits``: a :class:`Limits`)."""
        out = ctypes.c_void_p()
        lp = _limits_ptr(limits)
        if _is_bytes(source):
            ptr, size, _keep = _as_bytes_source(source)
            lib.hogfeat_pipeline_load(ptr, size, lp, ctypes.byref(out))
        else:
            lib.hogfeat_pipeline_load_file(os.fsencode(source), lp, ctypes.byref(out))
        return cls._from_handle(Handle(out.value, lib.hogfeat_pipeline_destroy))

    @classmethod
    def _from_handle(cls, handle):
        self = cls.__new__(cls)
        self._h = handle
        self.channel_axis = None
        self.n_jobs = -1
        copy = new_handle(lib.hogfeat_hog_config_copy, lib.hogfeat_pipeline_hog_config(handle.ptr),
                          destroy=lib.hogfeat_hog_config_destroy)
        self._hog = HogConfig._from_handle(copy)
        extras = []
        for i in range(1, int(lib.hogfeat_pipeline_num_descriptors(handle.ptr))):
            cfg = lib.hogfeat_pipeline_descriptor_hog(handle.ptr, i)
            if cfg:
                extras.append(HogConfig._from_handle(new_handle(lib.hogfeat_hog_config_copy, cfg,
                                                                destroy=lib.hogfeat_hog_config_destroy)))
        self._extra_hogs = tuple(extras)
        self._feature_map = None  # read back through the feature_map property
        self._blur = float(lib.hogfeat_pipeline_blur(handle.ptr))
        w = lib.hogfeat_pipeline_resize_width(handle.ptr)
        self._resize = (int(lib.hogfeat_pipeline_resize_height(handle.ptr)), int(w)) if w else None
        # The classifier is borrowed from the pipeline: its wrapper keeps the
        # C pipeline alive and never destroys the model itself.
        svm, knn = lib.hogfeat_pipeline_linsvm(handle.ptr), lib.hogfeat_pipeline_knn(handle.ptr)
        if svm or knn:
            clf = LinearSVM.__new__(LinearSVM) if svm else KNN.__new__(KNN)
            clf._h = Handle(svm or knn, None, keep=handle)
            clf._params_from_model()
        else:
            clf = LinearSVM()
        self._classifier = clf
        return self

    def __reduce__(self):
        if self.fitted:
            return (_pipeline_from_bytes, (self.save(), self.channel_axis, self.n_jobs))
        return (Pipeline, (self._classifier, self._hog, self._blur, self._resize, self.channel_axis, self.n_jobs,
                           self._extra_hogs, self._feature_map))


_MAP_KINDS = {'none': 1, 'hellinger': 2, 'chi2': 3, 'intersection': 4, 'rbf': 5}


def _map_args(feature_map):
    """Normalises the feature_map argument to (name, steps, interval) or None."""
    if feature_map is None or feature_map == 'none':
        return None
    if isinstance(feature_map, str):
        feature_map = (feature_map,)
    name = feature_map[0]
    if name == 'hellinger' and len(feature_map) == 1:
        return ('hellinger', 0, 0.0)
    if name in ('chi2', 'intersection') and 1 <= len(feature_map) <= 3:
        steps = int(feature_map[1]) if len(feature_map) > 1 else 2
        interval = float(feature_map[2]) if len(feature_map) > 2 else 0.0
        return (name, steps, interval)
    raise ValueError("feature_map must be None, 'hellinger', ('chi2', steps[, interval]) or "
                     "('intersection', steps[, interval]); got %r" % (feature_map,))


def _pipeline_from_bytes(data, channel_axis, n_jobs):
    pipe = Pipeline.load(data)
    pipe.channel_axis = channel_axis
    pipe.n_jobs = n_jobs
    return pipe
