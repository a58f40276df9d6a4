"""Datasets and images from files: IDX (MNIST layout), PGM; and input limits.

The readers are libhogfeat's, which treat files as untrusted (sizes checked
against :class:`Limits` and against the bytes present before allocating,
gzip inflated under the same limits). The arrays they return are views of
the library's buffer, not copies: read-only, and the C dataset is freed when
the last array referring to it is garbage-collected.
"""

import ctypes
import os

import numpy as np

from . import _arrays
from ._capi import Handle, lib, new_handle, query_then_write
from ._hog import wrap_image

_LIMITS = {'max_pixels': 1, 'max_items': 2, 'max_classes': 3, 'max_features': 4, 'max_samples': 5,
           'max_total_bytes': 6}


class Limits:
    """Size limits for reading untrusted files (hogfeat_limits).

    Keyword arguments: max_pixels, max_items, max_classes, max_features,
    max_samples, max_total_bytes (see limits.h); unset ones keep the defaults.
    """

    def __init__(self, **limits):
        self._h = new_handle(lib.hogfeat_limits_create, destroy=lib.hogfeat_limits_destroy)
        for name, value in limits.items():
            if name not in _LIMITS:
                raise TypeError('unknown limit %r (known: %s)' % (name, ', '.join(_LIMITS)))
            lib.hogfeat_limits_set(self._h.ptr, _LIMITS[name], int(value))

    def __getitem__(self, name):
        return int(lib.hogfeat_limits_get(self._h.ptr, _LIMITS[name]))

    def as_dict(self):
        return {name: self[name] for name in _LIMITS}

    def __repr__(self):
        return 'Limits(%s)' % ', '.join('%s=%d' % kv for kv in self.as_dict().items())


def _limits_ptr(limits):
    if limits is None:
        return None
    if not isinstance(limits, Limits):
        raise TypeError('limits must be a hogfeat.Limits')
    return limits._h.ptr


def _dataset_arrays(handle, with_labels=True):
    """(images (N, H, W) uint8, labels int32 or None) viewing the dataset's memory."""
    ptr = handle.ptr
    n = lib.hogfeat_dataset_count(ptr)
    h = lib.hogfeat_dataset_height(ptr)
    w = lib.hogfeat_dataset_width(ptr)
    pixels = lib.hogfeat_dataset_pixels(ptr)
    if n == 0 or not pixels:
        images = np.empty((n, h, w), dtype=np.uint8)
    else:
        images = _arrays.borrowed(pixels, (n, h, w), np.uint8, handle)
    labels_ptr = lib.hogfeat_dataset_labels(ptr)
    labels = None
    if labels_ptr and n:
        labels = _arrays.borrowed(labels_ptr, (n,), np.int32, handle)
    elif with_labels:
        labels = np.empty(0, dtype=np.int32)
    return images, labels


def _bytes_view(data):
    buf = np.frombuffer(data, dtype=np.uint8)
    return buf.ctypes.data, buf.size, buf


def read_idx(images, labels=None, limits=None):
    """Read an IDX image file (and optionally its label file), plain or gzip.

    ``images``/``labels``: file paths, or the file contents as bytes-like
    objects. Returns ``(images, labels)``: uint8 (N, rows, cols) and int32 (N,)
    (``labels`` is None when no label file was given). Both are read-only
    views of one buffer that libhogfeat decompressed into: no further copy.
    """
    out = ctypes.c_void_p()
    lp = _limits_ptr(limits)
    in_memory = (bytes, bytearray, memoryview)
    if isinstance(images, in_memory) or isinstance(labels, in_memory):
        # One of them in memory: read the other file too, and parse both from memory.
        if not isinstance(images, in_memory):
            with open(images, 'rb') as f:
                images = f.read()
        if labels is not None and not isinstance(labels, in_memory):
            with open(labels, 'rb') as f:
                labels = f.read()
        iptr, isize, _ikeep = _bytes_view(images)
        lptr, lsize, _lkeep = _bytes_view(labels) if labels is not None else (None, 0, None)
        lib.hogfeat_dataset_read_idx(iptr, isize, lptr, lsize, lp, ctypes.byref(out))
    else:
        lib.hogfeat_dataset_load_idx(os.fsencode(images), os.fsencode(labels) if labels is not None else None, lp,
                                     ctypes.byref(out))
    return _dataset_arrays(Handle(out.value, lib.hogfeat_dataset_destroy), labels is not None)


_SPLITS = {'train': 1, 'test': 2}


def load_mnist(directory, split='train', limits=None):
    """One split ('train' or 't10k'/'test') of an MNIST-layout directory
    (train-images-idx3-ubyte[.gz], ...): ``(images, labels)`` as :func:`read_idx`."""
    if split == 't10k':
        split = 'test'
    if split not in _SPLITS:
        raise ValueError("split must be 'train' or 'test', got %r" % (split,))
    out = ctypes.c_void_p()
    lib.hogfeat_dataset_load_mnist(os.fsencode(directory), _SPLITS[split], _limits_ptr(limits), ctypes.byref(out))
    return _dataset_arrays(Handle(out.value, lib.hogfeat_dataset_destroy))


def _image_array(handle):
    """A read-only view of an image handle's pixels: (H, W) or (H, W, 3), uint8 or float32."""
    ptr = handle.ptr
    h, w = lib.hogfeat_image_height(ptr), lib.hogfeat_image_width(ptr)
    channels = lib.hogfeat_image_channels(ptr)
    dtype = np.uint8 if lib.hogfeat_image_format(ptr) in (_arrays.U8_GRAY, _arrays.U8_RGB) else np.float32
    item = np.dtype(dtype).itemsize
    stride = lib.hogfeat_image_stride_bytes(ptr)
    shape, strides = ((h, w), (stride, item)) if channels == 1 else ((h, w, 3), (stride, 3 * item, item))
    return _arrays.borrowed(lib.hogfeat_image_data(ptr), shape, dtype, handle, strides=strides)


def read_pgm(source, limits=None):
    """Decode a PGM image (P5 8/16-bit or P2) from a path or bytes.

    maxval 255 gives uint8 (rows, cols); other maxvals give float32 scaled to
    0-255. The array is a read-only view of the decoded image.
    """
    out = ctypes.c_void_p()
    lp = _limits_ptr(limits)
    if isinstance(source, (bytes, bytearray, memoryview)):
        ptr, size, _keep = _bytes_view(source)
        lib.hogfeat_pgm_read(ptr, size, lp, ctypes.byref(out))
    else:
        lib.hogfeat_pgm_read_file(os.fsencode(source), lp, ctypes.byref(out))
    return _image_array(Handle(out.value, lib.hogfeat_image_destroy))


def write_pgm(image, path=None):
    """Encode a (rows, cols) uint8 or float32 image as binary PGM: bytes, or
    written atomically to ``path`` when given (float samples are clamped to
    0-255 and rounded)."""
    handle = wrap_image(image)
    try:
        if path is not None:
            lib.hogfeat_pgm_write_file(handle.ptr, os.fsencode(path))
            return None
        return query_then_write(lambda buf, cap, size: lib.hogfeat_pgm_write(handle.ptr, buf, cap, size))
    finally:
        handle.close()
