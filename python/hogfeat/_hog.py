"""HOG descriptors: HogConfig, hog() (scikit-image's signature) and hog_batch()."""

import ctypes
import functools
import operator

import numpy as np

from . import _arrays
from ._capi import lib, new_handle

NORMS = {'L1': 1, 'L1-sqrt': 2, 'L2': 3, 'L2-Hys': 4}
_NORM_NAMES = {v: k for k, v in NORMS.items()}


def _pair(value, name):
    try:
        first, second = value
        return operator.index(first), operator.index(second)
    except (TypeError, ValueError):
        raise TypeError('%s must be a pair of ints (rows, cols), got %r' % (name, value)) from None


class HogConfig:
    """A frozen HOG configuration (hogfeat_hog_config).

    Sizes are (rows, cols), as in scikit-image: ``pixels_per_cell=(cell_h,
    cell_w)``, ``cells_per_block=(block_h, block_w)``, ``block_stride=(y, x)``
    in cells. The defaults are scikit-image's. The object is immutable, so one
    instance may be shared by any number of threads; it pickles by value.
    """

    def __init__(self, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3), block_norm='L2-Hys',
                 transform_sqrt=False, block_stride=(1, 1), signed_orientations=False):
        cell_h, cell_w = _pair(pixels_per_cell, 'pixels_per_cell')
        block_h, block_w = _pair(cells_per_block, 'cells_per_block')
        stride_y, stride_x = _pair(block_stride, 'block_stride')
        try:
            norm = NORMS[block_norm]
        except (KeyError, TypeError):
            raise ValueError('block_norm must be one of %s, got %r' % (', '.join(NORMS), block_norm)) from None
        handle = new_handle(lib.hogfeat_hog_config_create, destroy=lib.hogfeat_hog_config_destroy)
        ptr = handle.ptr
        try:
            lib.hogfeat_hog_config_set_orientations(ptr, operator.index(orientations))
            lib.hogfeat_hog_config_set_cell_size(ptr, cell_w, cell_h)
            lib.hogfeat_hog_config_set_block_size(ptr, block_w, block_h)
            lib.hogfeat_hog_config_set_block_stride(ptr, stride_x, stride_y)
            lib.hogfeat_hog_config_set_block_norm(ptr, norm)
            lib.hogfeat_hog_config_set_transform_sqrt(ptr, 1 if transform_sqrt else 0)
            lib.hogfeat_hog_config_set_signed_orientations(ptr, 1 if signed_orientations else 0)
        except BaseException:
            handle.close()
            raise
        self._h = handle

    @classmethod
    def _from_handle(cls, handle):
        self = cls.__new__(cls)
        self._h = handle
        return self

    @property
    def _ptr(self):
        h = self._h
        if h is None or not h.alive:
            raise ValueError('HogConfig is closed')
        return h.ptr

    def close(self):
        """Free the C configuration now (it is freed on garbage collection anyway)."""
        if self._h is not None:
            self._h.close()
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Read-back through the C getters, so the values are the library's own.
    @property
    def orientations(self):
        return int(lib.hogfeat_hog_config_get_orientations(self._ptr))

    @property
    def pixels_per_cell(self):
        p = self._ptr
        return (int(lib.hogfeat_hog_config_get_cell_height(p)), int(lib.hogfeat_hog_config_get_cell_width(p)))

    @property
    def cells_per_block(self):
        p = self._ptr
        return (int(lib.hogfeat_hog_config_get_block_height(p)), int(lib.hogfeat_hog_config_get_block_width(p)))

    @property
    def block_stride(self):
        p = self._ptr
        return (int(lib.hogfeat_hog_config_get_block_stride_y(p)), int(lib.hogfeat_hog_config_get_block_stride_x(p)))

    @property
    def block_norm(self):
        return _NORM_NAMES[lib.hogfeat_hog_config_get_block_norm(self._ptr)]

    @property
    def transform_sqrt(self):
        return bool(lib.hogfeat_hog_config_get_transform_sqrt(self._ptr))

    @property
    def signed_orientations(self):
        return bool(lib.hogfeat_hog_config_get_signed_orientations(self._ptr))

    def get_params(self):
        """The constructor arguments, as a dict."""
        return {'orientations': self.orientations, 'pixels_per_cell': self.pixels_per_cell,
                'cells_per_block': self.cells_per_block, 'block_norm': self.block_norm,
                'transform_sqrt': self.transform_sqrt, 'block_stride': self.block_stride,
                'signed_orientations': self.signed_orientations}

    def __reduce__(self):
        return (_config_from_params, (self.get_params(),))

    def __repr__(self):
        return 'HogConfig(%s)' % ', '.join('%s=%r' % kv for kv in self.get_params().items())

    def __eq__(self, other):
        return isinstance(other, HogConfig) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash(tuple(self.get_params().items()))

    def block_grid(self, shape):
        """(n_blocks_row, n_blocks_col) for an image of ``shape`` (rows, cols[, ...])."""
        bx, by = ctypes.c_size_t(), ctypes.c_size_t()
        lib.hogfeat_hog_block_grid(self._ptr, shape[1], shape[0], ctypes.byref(bx), ctypes.byref(by))
        return by.value, bx.value

    def feature_length(self, shape):
        """Descriptor length for an image of ``shape`` (rows, cols[, ...])."""
        n = ctypes.c_size_t()
        lib.hogfeat_hog_feature_length(self._ptr, shape[1], shape[0], ctypes.byref(n))
        return n.value

    def _length(self, ptr, height, width):
        """feature_length(), remembered per size: the configuration never changes."""
        lengths = self.__dict__.setdefault('_lengths', {})
        length = lengths.get((height, width))
        if length is None:
            n = ctypes.c_size_t()
            lib.hogfeat_hog_feature_length(ptr, width, height, ctypes.byref(n))
            length = lengths[(height, width)] = n.value
        return length

    def compute(self, image, channel_axis=None, feature_vector=True):
        """The descriptor of one image; see :func:`hog` for ``image`` and the result."""
        view = _arrays.as_image(image, channel_axis)
        ptr = self._ptr
        length = self._length(ptr, view.height, view.width)
        out = np.empty(length, dtype=np.float32)
        lib.hogfeat_hog_compute_stack(ptr, view.data, view.format, 1, view.width, view.height, view.row_stride,
                                      0, 1, _arrays.address(out), length, length)
        if feature_vector:
            return out
        return out.reshape(self._block_shape(view.height, view.width))

    def visualize(self, image, channel_axis=None):
        """The picture of the cell histograms, as skimage.feature.hog(...,
        visualize=True) draws it: float32 (rows, cols), written by C into an
        image libhogfeat allocates and viewed without a copy."""
        view = _arrays.as_image(image, channel_axis)
        ptr = self._ptr
        src = new_handle(lib.hogfeat_image_wrap, view.data, view.format, view.width, view.height, view.row_stride,
                         destroy=lib.hogfeat_image_destroy, keep=view.array)
        try:
            dst = new_handle(lib.hogfeat_image_create, _arrays.F32_GRAY, view.width, view.height,
                             destroy=lib.hogfeat_image_destroy)
            lib.hogfeat_hog_visualize(ptr, src.ptr, dst.ptr)
        finally:
            src.close()
        stride = lib.hogfeat_image_stride_bytes(dst.ptr)
        return _arrays.borrowed(lib.hogfeat_image_writable_data(dst.ptr), (view.height, view.width), np.float32,
                                dst, strides=(stride, 4), readonly=False)

    def compute_batch(self, images, out=None, num_threads=0, channel_axis=None):
        """Descriptors of a stack of equally sized images, one row each.

        ``images``: (N, rows, cols) or, with ``channel_axis``, (N, rows, cols,
        3) (``channel_axis`` counts within one image, as for :func:`hog`);
        any strides (see the module docs: copied only when they cannot be
        described). ``out``: an optional preallocated float32 (N, D) array
        with contiguous rows (row stride free), filled in place and returned.
        ``num_threads``: 0 = one per CPU. The GIL is released meanwhile.
        """
        view = _arrays.as_stack(images, channel_axis)
        ptr = self._ptr
        out, row_stride, capacity = _arrays.output_matrix(out, view.count, self._length(ptr, view.height, view.width))
        if view.count:
            lib.hogfeat_hog_compute_stack(ptr, view.data, view.format, view.count, view.width, view.height,
                                          view.row_stride, view.image_stride, num_threads, _arrays.address(out),
                                          row_stride, capacity)
        return out

    def _block_shape(self, height, width):
        by, bx = self.block_grid((height, width))
        bh, bw = self.cells_per_block
        return (by, bx, bh, bw, self.orientations)


def _config_from_params(params):
    return HogConfig(**params)


@functools.lru_cache(maxsize=64)
def _cached_config(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt):
    # Shared by hog()/hog_batch() calls with the same arguments; never
    # exposed, so never closed or changed while another thread computes.
    return HogConfig(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt)


def _config(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt):
    if type(pixels_per_cell) is tuple and type(cells_per_block) is tuple:  # hashable: the fast path
        return _cached_config(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt)
    return _cached_config(operator.index(orientations), _pair(pixels_per_cell, 'pixels_per_cell'),
                          _pair(cells_per_block, 'cells_per_block'), block_norm, bool(transform_sqrt))


def hog(image, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3), block_norm='L2-Hys',
        visualize=False, transform_sqrt=False, feature_vector=True, *, channel_axis=None):
    """Histogram of Oriented Gradients, as ``skimage.feature.hog`` (0.19).

    Same signature, defaults and values (within 1e-5 for uint8 images, 1e-4
    for float32 ones). ``image``: (rows, cols), or (rows, cols, C) with
    ``channel_axis`` (C = 1 or 3); uint8 and float32 are read in place
    through their strides, other numeric dtypes are converted to float32.
    ``pixels_per_cell`` and ``cells_per_block`` are (rows, cols).

    Returns float32: a 1-D vector, or with ``feature_vector=False`` the 5-D
    (n_blocks_row, n_blocks_col, b_row, b_col, orientations) array; with
    ``visualize=True`` a pair (descriptor, hog_image), hog_image being the
    (rows, cols) picture of the cell histograms (hogfeat_hog_visualize).

    Differences from scikit-image: results are always float32 (skimage
    gives float64 for non-float32 input); an image too small for one block
    raises :class:`HogfeatError` (ERR_IMAGE_TOO_SMALL) instead of returning
    an empty array; colour images take 1 or 3 channels.
    """
    config = _config(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt)
    features = config.compute(image, channel_axis=channel_axis, feature_vector=feature_vector)
    if visualize:
        return features, config.visualize(image, channel_axis=channel_axis)
    return features


def hog_batch(images, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3), block_norm='L2-Hys',
              transform_sqrt=False, *, channel_axis=None, out=None, num_threads=0):
    """:func:`hog` of every image of an (N, rows, cols[, 3]) stack, as an (N, D)
    float32 matrix, in one call of hogfeat_hog_compute_stack (see
    :meth:`HogConfig.compute_batch` for ``out`` and ``num_threads``)."""
    config = _config(orientations, pixels_per_cell, cells_per_block, block_norm, transform_sqrt)
    return config.compute_batch(images, out=out, num_threads=num_threads, channel_axis=channel_axis)


def _wrap_images(images, channel_axis=None):
    """Image handles borrowing each array of a list (for the *_batch calls).
    Returns (handles, ctypes array of their pointers)."""
    handles = []
    for image in images:
        view = _arrays.as_image(image, channel_axis)
        handles.append(new_handle(lib.hogfeat_image_wrap, view.data, view.format, view.width, view.height,
                                  view.row_stride, destroy=lib.hogfeat_image_destroy, keep=view.array))
    pointers = (ctypes.c_void_p * len(handles))(*[h.ptr for h in handles])
    return handles, pointers


def wrap_image(image, channel_axis=None):
    """One image handle borrowing ``image`` (kept alive by the handle)."""
    view = _arrays.as_image(image, channel_axis)
    return new_handle(lib.hogfeat_image_wrap, view.data, view.format, view.width, view.height, view.row_stride,
                      destroy=lib.hogfeat_image_destroy, keep=view.array)
