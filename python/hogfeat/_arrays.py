"""numpy arrays as libhogfeat buffers, without copying when the layout allows.

libhogfeat describes an image by a pointer, a row stride in bytes and
packed, interleaved channels (hogfeat_image_wrap), and a stack of images by
one more stride between images (hogfeat_hog_compute_stack). Any numpy view
whose strides fit that description is passed as it is: slices, row crops,
every other row, an image stack with gaps. A copy (np.ascontiguousarray) is
made only when they do not fit: negative or zero strides, pixels or channels
that are not adjacent (a column step, planar channels), a row stride that is
not a multiple of the sample size, or a misaligned float pointer.

Samples must be uint8 or native float32; other numeric dtypes (bool, other
integers, float16/64, big-endian) are converted to float32 first, as
scikit-image converts its input to float.
"""

import collections
import operator

import numpy as np

U8_GRAY = 1
U8_RGB = 2
F32_GRAY = 3
F32_RGB = 4

_FORMATS = {(np.dtype(np.uint8), 1): U8_GRAY, (np.dtype(np.uint8), 3): U8_RGB,
            (np.dtype(np.float32), 1): F32_GRAY, (np.dtype(np.float32), 3): F32_RGB}

#: What a stack of n images looks like to the C library.
Stack = collections.namedtuple('Stack', 'array data format count height width row_stride image_stride copied')

_F32 = np.dtype(np.float32)
_U8 = np.dtype(np.uint8)


def address(arr):
    """The address of an array's first element (faster than arr.ctypes.data)."""
    return arr.__array_interface__['data'][0]


def _supported(arr):
    """uint8 and native float32 pass; other numeric dtypes become float32."""
    if arr.dtype == _U8 or arr.dtype == _F32:
        return arr
    if arr.dtype.kind not in 'biuf':
        raise TypeError('images must be numeric (uint8, float32, or another real dtype converted to '
                        'float32), not %s' % arr.dtype)
    return arr.astype(np.float32)


def _layout(arr, data, channels, stacked):
    """(row_stride, image_stride) in bytes if libhogfeat can read ``arr`` (first
    element at ``data``) in place, else None."""
    item = arr.itemsize
    if data % item:
        return None
    shape, strides = arr.shape, arr.strides
    base = 1 if stacked else 0
    height, width = shape[base], shape[base + 1]
    pixel = channels * item
    if channels == 3 and strides[-1] != item:
        return None
    if width > 1 and strides[base + 1] != pixel:
        return None
    row_bytes = width * pixel
    row_stride = strides[base] if height > 1 else row_bytes
    if row_stride < row_bytes or row_stride % item:
        return None
    image_stride = 0
    if stacked and shape[0] > 1:
        image_stride = strides[0]
        if image_stride < (height - 1) * row_stride + row_bytes or image_stride % item:
            return None
    return row_stride, image_stride


def _channel_last(arr, channel_axis, stacked):
    """Move the channel axis last; returns (array, channels)."""
    spatial = 3 if stacked else 2
    what = 'an image stack' if stacked else 'an image'
    if channel_axis is None:
        if arr.ndim != spatial:
            raise ValueError('%s must have %d dimensions (%s), got shape %s; for colour images pass '
                             'channel_axis' % (what, spatial, '(N, rows, cols)' if stacked else '(rows, cols)',
                                               arr.shape))
        return arr, 1
    if arr.ndim != spatial + 1:
        raise ValueError('%s with channel_axis must have %d dimensions, got shape %s'
                         % (what, spatial + 1, arr.shape))
    axis = operator.index(channel_axis)
    if not -arr.ndim + stacked <= axis < arr.ndim - stacked:
        raise ValueError('channel_axis %d is out of range for %s of shape %s' % (axis, what, arr.shape))
    if axis >= 0 and stacked:
        axis += 1  # counted within each image
    arr = np.moveaxis(arr, axis, -1)
    channels = arr.shape[-1]
    if channels == 1:
        return arr[..., 0], 1
    if channels != 3:
        raise ValueError('libhogfeat takes 1 or 3 channels, got %d' % channels)
    return arr, 3


def as_stack(images, channel_axis=None, stacked=True):
    """Describe ``images`` ((N, H, W[, C]), or one (H, W[, C]) image when not
    stacked) as a :class:`Stack`, copying only when the layout cannot be described."""
    arr = _supported(np.asarray(images))
    arr, channels = _channel_last(arr, channel_axis, stacked)
    data = address(arr)
    layout = _layout(arr, data, channels, stacked)
    copied = layout is None
    if copied:
        arr = np.array(arr, order='C', copy=True)  # a fresh, aligned buffer
        data = address(arr)
        layout = _layout(arr, data, channels, stacked)
    row_stride, image_stride = layout
    base = 1 if stacked else 0
    count = arr.shape[0] if stacked else 1
    return Stack(arr, data, _FORMATS[(arr.dtype, channels)], count, arr.shape[base],
                 arr.shape[base + 1], row_stride, image_stride, copied)


def as_image(image, channel_axis=None):
    """One image as a :class:`Stack` of one."""
    return as_stack(image, channel_axis, stacked=False)


def features_matrix(features, name='X'):
    """A 2-D float32 matrix as (array, rows, cols, row_stride in floats), copied only when needed."""
    arr = np.asarray(features)
    if arr.ndim != 2:
        raise ValueError('%s must be a 2-D (n_samples, n_features) array, got shape %s' % (name, arr.shape))
    if arr.dtype != _F32:
        if arr.dtype.kind not in 'biuf':
            raise TypeError('%s must be numeric, not %s' % (name, arr.dtype))
        arr = arr.astype(np.float32)
    rows, cols = arr.shape
    ok = arr.ctypes.data % 4 == 0 and (cols <= 1 or arr.strides[1] == 4)
    stride = arr.strides[0] if rows > 1 else 4 * cols
    if not ok or stride < 4 * cols or stride % 4:
        arr = np.array(arr, order='C', copy=True)
        stride = 4 * cols
    return arr, rows, cols, stride // 4


def output_matrix(out, rows, cols):
    """Validate a caller's (rows, cols) float32 output, or allocate one.
    Returns (array, row_stride in floats, capacity in floats)."""
    if out is None:
        out = np.empty((rows, cols), dtype=np.float32)
    else:
        if not isinstance(out, np.ndarray) or out.dtype != _F32 or out.shape != (rows, cols):
            raise ValueError('out must be a float32 array of shape (%d, %d)' % (rows, cols))
        if not out.flags.writeable:
            raise ValueError('out is read-only')
        if out.ctypes.data % 4 or (cols > 1 and out.strides[1] != 4) or \
                (rows > 1 and (out.strides[0] < 4 * cols or out.strides[0] % 4)):
            raise ValueError('out must have contiguous float32 rows and a positive row stride '
                             '(strides %s)' % (out.strides,))
    stride = out.strides[0] // 4 if rows > 1 else cols
    capacity = (rows - 1) * stride + cols if rows else 0
    return out, stride, capacity


def labels_array(labels, count):
    """Class labels as a contiguous int32 vector of length ``count``."""
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != count:
        raise ValueError('y must be a 1-D array of %d labels, got shape %s' % (count, arr.shape))
    if arr.dtype.kind == 'f':
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError('labels must be integers')
    elif arr.dtype.kind not in 'biu':
        raise ValueError('labels must be integers (int32 range), not %s' % arr.dtype)
    if arr.size and arr.dtype.kind != 'b' and (arr.min() < -2**31 or arr.max() > 2**31 - 1):
        raise ValueError('labels must fit in int32')
    return np.ascontiguousarray(arr, dtype=np.int32)


class BorrowedArray:
    """Exposes C memory to numpy through __array_interface__; the array it
    becomes keeps this object, and so ``owner``, alive as its base."""

    def __init__(self, address, shape, typestr, owner, strides=None, readonly=True):
        self.owner = owner
        self.__array_interface__ = {'version': 3, 'shape': tuple(shape), 'typestr': typestr,
                                    'data': (address, readonly), 'strides': strides}


def borrowed(address, shape, dtype, owner, strides=None, readonly=True):
    """A numpy array over ``address`` that keeps ``owner`` alive."""
    return np.asarray(BorrowedArray(address, shape, np.dtype(dtype).str, owner, strides, readonly))
