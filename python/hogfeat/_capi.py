"""Loading libhogfeat and declaring every public function for ctypes.

The library is found by its versioned name (libhogfeat.so.0, the SONAME
recorded in _version.py), so an incompatible future libhogfeat.so.1 is never
picked up by accident:

1. ``HOGFEAT_LIBRARY``: a path to the library file (or to the directory that
   holds it) overrides everything;
2. the dynamic loader's search for the versioned name (``LD_LIBRARY_PATH``,
   the ld.so cache, the default directories);
3. last resort, ``ctypes.util.find_library('hogfeat')``, accepted only when it
   names the same versioned file.

After loading, hogfeat_version_number() must equal the number this package
was configured with; anything else raises ImportError naming both.

Every status-returning function gets an ``errcheck`` that turns a non-zero
status into :class:`HogfeatError`, with the thread-local message of
hogfeat_last_error_message() read in the calling thread right after the
call. ctypes.CDLL releases the GIL for the duration of each call.
"""

import ctypes
import ctypes.util
import enum
import os
import weakref
from ctypes import POINTER, c_char_p, c_double, c_float, c_int, c_int32, c_size_t, c_void_p

from . import _version

__all__ = ['HogfeatError', 'Status', 'lib', 'library_path', 'check_status', 'Handle', 'new_handle',
           'query_then_write']


class Status(enum.IntEnum):
    """hogfeat_status codes; the values are pinned by the C ABI."""

    OK = 0
    ERR_INVALID_ARGUMENT = 1
    ERR_NULL_POINTER = 2
    ERR_OUT_OF_MEMORY = 3
    ERR_BUFFER_TOO_SMALL = 4
    ERR_IMAGE_TOO_SMALL = 5
    ERR_BAD_GEOMETRY = 6
    ERR_BAD_STRIDE = 7
    ERR_UNSUPPORTED_FORMAT = 8
    ERR_NONFINITE = 9
    ERR_LIMIT_EXCEEDED = 10
    ERR_IO = 11
    ERR_CORRUPT_DATA = 12
    ERR_VERSION_MISMATCH = 13
    ERR_DIMENSION_MISMATCH = 14
    ERR_BAD_TRAINING_SET = 15
    ERR_CHECKSUM = 16
    ERR_CANCELLED = 17
    ERR_MODEL_KIND = 18


class HogfeatError(Exception):
    """A libhogfeat call failed.

    Attributes: ``code`` (int, a :class:`Status` value when known), ``name``
    (the C enum constant, e.g. ``'HOGFEAT_ERR_BAD_STRIDE'``) and ``message``
    (hogfeat_last_error_message(): why the call failed).
    """

    def __init__(self, code, name, message):
        super().__init__(code, name, message)
        self.code = code
        self.name = name
        self.message = message

    @property
    def status(self):
        """The code as a :class:`Status`, or the plain int for a code this package does not know."""
        try:
            return Status(self.code)
        except ValueError:
            return self.code

    def __str__(self):
        return '%s (%d): %s' % (self.name, self.code, self.message)


# --- loading --------------------------------------------------------------

_INSTALL_HINT = ('install libhogfeat (meson install), add the directory that holds {soname} to '
                 'LD_LIBRARY_PATH (or run ldconfig), or set HOGFEAT_LIBRARY to the library file')


def _load_library():
    soname = _version.soname
    override = os.environ.get('HOGFEAT_LIBRARY')
    if override:
        path = os.path.join(override, soname) if os.path.isdir(override) else override
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            raise ImportError('hogfeat: HOGFEAT_LIBRARY=%r cannot be loaded: %s' % (override, exc)) from None
    try:
        return ctypes.CDLL(soname), soname
    except OSError as exc:
        first_error = exc
    found = ctypes.util.find_library('hogfeat')
    if found and os.path.basename(found) == soname:
        try:
            return ctypes.CDLL(found), found
        except OSError:
            pass
    raise ImportError('hogfeat: the C library %s was not found (%s); %s'
                      % (soname, first_error, _INSTALL_HINT.format(soname=soname))) from None


def _loaded_path(cdll, fallback):
    """The file the loader actually mapped, through dladdr(); the requested name if that fails."""

    class DlInfo(ctypes.Structure):
        _fields_ = [('dli_fname', c_char_p), ('dli_fbase', c_void_p),
                    ('dli_sname', c_char_p), ('dli_saddr', c_void_p)]

    try:
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.argtypes = [c_void_p, POINTER(DlInfo)]
        dladdr.restype = c_int
        info = DlInfo()
        if dladdr(ctypes.cast(cdll.hogfeat_version_number, c_void_p), ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(os.fsdecode(info.dli_fname))
    except (AttributeError, OSError):
        pass
    return fallback


# --- signatures -----------------------------------------------------------
# Short names keep each declaration on one line, as the C header promises:
#   ST  hogfeat_status (int, with errcheck)   H   any handle (void *)
#   OUT handle out-parameter (T **)           P   data pointer (array, buffer)
#   SZP size_t out-parameter                  I32P int32_t out-parameter
#   INT int and every enum                    FLT float, DBL double

ST = 'status'
H = c_void_p
P = c_void_p
OUT = POINTER(c_void_p)
SZ = c_size_t
SZP = POINTER(c_size_t)
I32 = c_int32
I32P = POINTER(c_int32)
INT = c_int
DBL = c_double
FLT = c_float
STR = c_char_p

#: hogfeat_progress_fn: int (*)(void *user_data, int32_t classes_done, int32_t classes_total)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_int32, c_int32)

SIGNATURES = {
    # version.h
    'hogfeat_version_number': (INT, []),
    'hogfeat_version_string': (STR, []),
    # status.h
    'hogfeat_strerror': (STR, [INT]),
    'hogfeat_status_name': (STR, [INT]),
    'hogfeat_last_error_message': (STR, []),
    # image.h
    'hogfeat_image_max_pixels': (SZ, []),
    'hogfeat_image_create': (ST, [INT, SZ, SZ, OUT]),
    'hogfeat_image_wrap': (ST, [P, INT, SZ, SZ, SZ, OUT]),
    'hogfeat_image_destroy': (None, [H]),
    'hogfeat_image_width': (SZ, [H]),
    'hogfeat_image_height': (SZ, [H]),
    'hogfeat_image_channels': (INT, [H]),
    'hogfeat_image_format': (INT, [H]),
    'hogfeat_image_stride_bytes': (SZ, [H]),
    'hogfeat_image_data': (P, [H]),
    'hogfeat_image_writable_data': (P, [H]),
    # hog.h
    'hogfeat_hog_config_create': (ST, [OUT]),
    'hogfeat_hog_config_copy': (ST, [H, OUT]),
    'hogfeat_hog_config_destroy': (None, [H]),
    'hogfeat_hog_config_set_orientations': (ST, [H, I32]),
    'hogfeat_hog_config_set_cell_size': (ST, [H, I32, I32]),
    'hogfeat_hog_config_set_block_size': (ST, [H, I32, I32]),
    'hogfeat_hog_config_set_block_stride': (ST, [H, I32, I32]),
    'hogfeat_hog_config_set_block_norm': (ST, [H, INT]),
    'hogfeat_hog_config_set_transform_sqrt': (ST, [H, INT]),
    'hogfeat_hog_config_set_signed_orientations': (ST, [H, INT]),
    'hogfeat_hog_config_get_orientations': (I32, [H]),
    'hogfeat_hog_config_get_cell_width': (I32, [H]),
    'hogfeat_hog_config_get_cell_height': (I32, [H]),
    'hogfeat_hog_config_get_block_width': (I32, [H]),
    'hogfeat_hog_config_get_block_height': (I32, [H]),
    'hogfeat_hog_config_get_block_stride_x': (I32, [H]),
    'hogfeat_hog_config_get_block_stride_y': (I32, [H]),
    'hogfeat_hog_config_get_block_norm': (INT, [H]),
    'hogfeat_hog_config_get_transform_sqrt': (INT, [H]),
    'hogfeat_hog_config_get_signed_orientations': (INT, [H]),
    'hogfeat_hog_block_grid': (ST, [H, SZ, SZ, SZP, SZP]),
    'hogfeat_hog_feature_length': (ST, [H, SZ, SZ, SZP]),
    'hogfeat_hog_compute': (ST, [H, H, P, SZ]),
    'hogfeat_hog_compute_batch': (ST, [H, OUT, SZ, I32, P, SZ, SZ]),
    'hogfeat_hog_compute_stack': (ST, [H, P, INT, SZ, SZ, SZ, SZ, SZ, I32, P, SZ, SZ]),
    'hogfeat_hog_config_set_preset': (ST, [H, INT]),
    'hogfeat_hog_config_get_preset': (INT, [H]),
    'hogfeat_hog_config_set_layout': (ST, [H, INT]),
    'hogfeat_hog_config_get_layout': (INT, [H]),
    'hogfeat_hog_config_set_window_sigma': (ST, [H, DBL]),
    'hogfeat_hog_config_get_window_sigma': (DBL, [H]),
    'hogfeat_hog_convert_layout': (ST, [H, SZ, SZ, P, INT, P, INT, SZ]),
    # visualize.h
    'hogfeat_hog_visualize': (ST, [H, H, H]),
    'hogfeat_visualize_to_u8': (ST, [H, FLT, H]),
    # fhog.h
    'hogfeat_fhog_config_create': (ST, [OUT]),
    'hogfeat_fhog_config_copy': (ST, [H, OUT]),
    'hogfeat_fhog_config_destroy': (None, [H]),
    'hogfeat_fhog_config_set_orientations': (ST, [H, I32]),
    'hogfeat_fhog_config_set_cell_size': (ST, [H, I32]),
    'hogfeat_fhog_config_get_orientations': (I32, [H]),
    'hogfeat_fhog_config_get_cell_size': (I32, [H]),
    'hogfeat_fhog_cell_dimension': (I32, [H]),
    'hogfeat_fhog_cell_grid': (ST, [H, SZ, SZ, SZP, SZP]),
    'hogfeat_fhog_feature_length': (ST, [H, SZ, SZ, SZP]),
    'hogfeat_fhog_compute': (ST, [H, H, P, SZ]),
    # gabor.h
    'hogfeat_gabor_config_create': (ST, [OUT]),
    'hogfeat_gabor_config_copy': (ST, [H, OUT]),
    'hogfeat_gabor_config_destroy': (None, [H]),
    'hogfeat_gabor_config_set_frequency': (ST, [H, DBL]),
    'hogfeat_gabor_config_set_theta': (ST, [H, DBL]),
    'hogfeat_gabor_config_set_bandwidth': (ST, [H, DBL]),
    'hogfeat_gabor_config_set_sigma': (ST, [H, DBL, DBL]),
    'hogfeat_gabor_config_set_n_stds': (ST, [H, DBL]),
    'hogfeat_gabor_config_set_offset': (ST, [H, DBL]),
    'hogfeat_gabor_config_set_kernel_size': (ST, [H, I32, I32]),
    'hogfeat_gabor_config_set_border': (ST, [H, INT]),
    'hogfeat_gabor_config_get_frequency': (DBL, [H]),
    'hogfeat_gabor_config_get_theta': (DBL, [H]),
    'hogfeat_gabor_config_get_bandwidth': (DBL, [H]),
    'hogfeat_gabor_config_get_sigma_x': (DBL, [H]),
    'hogfeat_gabor_config_get_sigma_y': (DBL, [H]),
    'hogfeat_gabor_config_get_n_stds': (DBL, [H]),
    'hogfeat_gabor_config_get_offset': (DBL, [H]),
    'hogfeat_gabor_config_get_border': (INT, [H]),
    'hogfeat_gabor_kernel_size': (ST, [H, SZP, SZP]),
    'hogfeat_gabor_kernel': (ST, [H, P, P, SZ]),
    'hogfeat_gabor_filter': (ST, [H, H, P, P, P, SZ]),
    'hogfeat_gabor_bank_create': (ST, [OUT]),
    'hogfeat_gabor_bank_destroy': (None, [H]),
    'hogfeat_gabor_bank_set_frequencies': (ST, [H, P, SZ]),
    'hogfeat_gabor_bank_set_orientations': (ST, [H, I32]),
    'hogfeat_gabor_bank_set_cell_size': (ST, [H, I32, I32]),
    'hogfeat_gabor_bank_set_filter': (ST, [H, H]),
    'hogfeat_gabor_bank_num_frequencies': (SZ, [H]),
    'hogfeat_gabor_bank_frequency': (DBL, [H, SZ]),
    'hogfeat_gabor_bank_num_orientations': (I32, [H]),
    'hogfeat_gabor_bank_cell_width': (I32, [H]),
    'hogfeat_gabor_bank_cell_height': (I32, [H]),
    'hogfeat_gabor_bank_feature_length': (ST, [H, SZ, SZ, SZP]),
    'hogfeat_gabor_bank_compute': (ST, [H, H, P, SZ]),
    # lbp.h
    'hogfeat_lbp_config_create': (ST, [OUT]),
    'hogfeat_lbp_config_copy': (ST, [H, OUT]),
    'hogfeat_lbp_config_destroy': (None, [H]),
    'hogfeat_lbp_config_set_points': (ST, [H, I32]),
    'hogfeat_lbp_config_set_radius': (ST, [H, FLT]),
    'hogfeat_lbp_config_set_method': (ST, [H, INT]),
    'hogfeat_lbp_config_set_cell_size': (ST, [H, I32, I32]),
    'hogfeat_lbp_config_set_norm': (ST, [H, INT]),
    'hogfeat_lbp_config_get_points': (I32, [H]),
    'hogfeat_lbp_config_get_radius': (FLT, [H]),
    'hogfeat_lbp_config_get_method': (INT, [H]),
    'hogfeat_lbp_config_get_cell_width': (I32, [H]),
    'hogfeat_lbp_config_get_cell_height': (I32, [H]),
    'hogfeat_lbp_config_get_norm': (INT, [H]),
    'hogfeat_lbp_num_bins': (SZ, [H]),
    'hogfeat_lbp_codes': (ST, [H, H, P, SZ]),
    'hogfeat_lbp_codes_f32': (ST, [H, H, P, SZ]),
    'hogfeat_lbp_feature_length': (ST, [H, SZ, SZ, SZP]),
    'hogfeat_lbp_compute': (ST, [H, H, P, SZ]),
    # limits.h
    'hogfeat_limits_create': (ST, [OUT]),
    'hogfeat_limits_destroy': (None, [H]),
    'hogfeat_limits_set': (ST, [H, INT, SZ]),
    'hogfeat_limits_get': (SZ, [H, INT]),
    # linsvm.h
    'hogfeat_linsvm_params_create': (ST, [OUT]),
    'hogfeat_linsvm_params_destroy': (None, [H]),
    'hogfeat_linsvm_params_set_loss': (ST, [H, INT]),
    'hogfeat_linsvm_params_set_c': (ST, [H, DBL]),
    'hogfeat_linsvm_params_set_bias': (ST, [H, DBL]),
    'hogfeat_linsvm_params_set_tolerance': (ST, [H, DBL]),
    'hogfeat_linsvm_params_set_max_iterations': (ST, [H, I32]),
    'hogfeat_linsvm_params_set_class_weight': (ST, [H, I32, DBL]),
    'hogfeat_linsvm_params_set_seed': (ST, [H, I32]),
    'hogfeat_linsvm_params_set_threads': (ST, [H, I32]),
    'hogfeat_linsvm_params_set_progress': (ST, [H, PROGRESS_FN, P]),
    'hogfeat_linsvm_train': (ST, [H, P, SZ, SZ, SZ, P, OUT]),
    'hogfeat_linsvm_destroy': (None, [H]),
    'hogfeat_linsvm_num_classes': (I32, [H]),
    'hogfeat_linsvm_num_features': (SZ, [H]),
    'hogfeat_linsvm_get_labels': (ST, [H, P, SZ]),
    'hogfeat_linsvm_weights': (P, [H, SZ]),
    'hogfeat_linsvm_bias': (DBL, [H]),
    'hogfeat_linsvm_predict': (ST, [H, P, SZ, SZ, SZ, P]),
    'hogfeat_linsvm_decision_function': (ST, [H, P, SZ, SZ, SZ, P, SZ]),
    'hogfeat_linsvm_save': (ST, [H, P, SZ, SZP]),
    'hogfeat_linsvm_load': (ST, [P, SZ, H, OUT]),
    'hogfeat_linsvm_save_file': (ST, [H, STR]),
    'hogfeat_linsvm_load_file': (ST, [STR, H, OUT]),
    'hogfeat_linsvm_params_set_multiclass': (ST, [H, INT]),
    'hogfeat_linsvm_params_get_multiclass': (INT, [H]),
    'hogfeat_linsvm_params_set_probability': (ST, [H, INT]),
    'hogfeat_linsvm_params_set_probability_folds': (ST, [H, I32]),
    'hogfeat_linsvm_num_vectors': (SZ, [H]),
    'hogfeat_linsvm_multiclass': (INT, [H]),
    'hogfeat_linsvm_has_probability': (INT, [H]),
    'hogfeat_linsvm_predict_proba': (ST, [H, P, SZ, SZ, SZ, P, SZ]),
    'hogfeat_linsvm_export_liblinear': (ST, [H, P, SZ, SZP]),
    'hogfeat_linsvm_export_liblinear_file': (ST, [H, STR]),
    'hogfeat_linsvm_import_liblinear': (ST, [STR, SZ, H, OUT]),
    'hogfeat_linsvm_import_liblinear_file': (ST, [STR, H, OUT]),
    'hogfeat_linsvm_export_opencv_detector': (ST, [H, H, SZ, SZ, P, SZ, SZP]),
    # knn.h
    'hogfeat_knn_params_create': (ST, [OUT]),
    'hogfeat_knn_params_destroy': (None, [H]),
    'hogfeat_knn_params_set_k': (ST, [H, I32]),
    'hogfeat_knn_params_set_metric': (ST, [H, INT]),
    'hogfeat_knn_params_set_weighting': (ST, [H, INT]),
    'hogfeat_knn_params_set_threads': (ST, [H, I32]),
    'hogfeat_knn_fit': (ST, [H, P, SZ, SZ, SZ, P, OUT]),
    'hogfeat_knn_destroy': (None, [H]),
    'hogfeat_knn_k': (I32, [H]),
    'hogfeat_knn_num_samples': (SZ, [H]),
    'hogfeat_knn_num_features': (SZ, [H]),
    'hogfeat_knn_num_classes': (I32, [H]),
    'hogfeat_knn_get_labels': (ST, [H, P, SZ]),
    'hogfeat_knn_predict': (ST, [H, P, SZ, SZ, SZ, P]),
    'hogfeat_knn_kneighbors': (ST, [H, P, SZ, SZ, SZ, I32, P, P, SZ]),
    'hogfeat_knn_save': (ST, [H, P, SZ, SZP]),
    'hogfeat_knn_load': (ST, [P, SZ, H, OUT]),
    'hogfeat_knn_save_file': (ST, [H, STR]),
    'hogfeat_knn_load_file': (ST, [STR, H, OUT]),
    # dataset.h
    'hogfeat_dataset_read_idx': (ST, [P, SZ, P, SZ, H, OUT]),
    'hogfeat_dataset_load_idx': (ST, [STR, STR, H, OUT]),
    'hogfeat_dataset_load_mnist': (ST, [STR, INT, H, OUT]),
    'hogfeat_dataset_destroy': (None, [H]),
    'hogfeat_dataset_count': (SZ, [H]),
    'hogfeat_dataset_width': (SZ, [H]),
    'hogfeat_dataset_height': (SZ, [H]),
    'hogfeat_dataset_pixels': (P, [H]),
    'hogfeat_dataset_labels': (P, [H]),
    'hogfeat_dataset_image': (ST, [H, SZ, OUT]),
    'hogfeat_pgm_read': (ST, [P, SZ, H, OUT]),
    'hogfeat_pgm_read_file': (ST, [STR, H, OUT]),
    'hogfeat_pgm_write': (ST, [H, P, SZ, SZP]),
    'hogfeat_pgm_write_file': (ST, [H, STR]),
    # pipeline.h
    'hogfeat_pipeline_create': (ST, [H, OUT]),
    'hogfeat_pipeline_destroy': (None, [H]),
    'hogfeat_pipeline_set_blur': (ST, [H, DBL]),
    'hogfeat_pipeline_set_resize': (ST, [H, SZ, SZ]),
    'hogfeat_pipeline_set_linsvm': (ST, [H, H]),
    'hogfeat_pipeline_set_knn': (ST, [H, H]),
    'hogfeat_pipeline_hog_config': (H, [H]),
    'hogfeat_pipeline_blur': (DBL, [H]),
    'hogfeat_pipeline_resize_width': (SZ, [H]),
    'hogfeat_pipeline_resize_height': (SZ, [H]),
    'hogfeat_pipeline_linsvm': (H, [H]),
    'hogfeat_pipeline_knn': (H, [H]),
    'hogfeat_pipeline_feature_length': (ST, [H, SZ, SZ, SZP]),
    'hogfeat_pipeline_extract': (ST, [H, H, P, SZ]),
    'hogfeat_pipeline_extract_batch': (ST, [H, OUT, SZ, I32, P, SZ, SZ]),
    'hogfeat_pipeline_extract_stack': (ST, [H, P, INT, SZ, SZ, SZ, SZ, SZ, I32, P, SZ, SZ]),
    'hogfeat_pipeline_predict': (ST, [H, H, I32P]),
    'hogfeat_pipeline_save': (ST, [H, P, SZ, SZP]),
    'hogfeat_pipeline_load': (ST, [P, SZ, H, OUT]),
    'hogfeat_pipeline_save_file': (ST, [H, STR]),
    'hogfeat_pipeline_load_file': (ST, [STR, H, OUT]),
    # 0.5: several descriptors, feature maps, KNN vote fractions
    'hogfeat_pipeline_add_hog': (ST, [H, H]),
    'hogfeat_pipeline_add_lbp': (ST, [H, H]),
    'hogfeat_pipeline_num_descriptors': (SZ, [H]),
    'hogfeat_pipeline_descriptor_kind': (INT, [H, SZ]),
    'hogfeat_pipeline_descriptor_hog': (H, [H, SZ]),
    'hogfeat_pipeline_descriptor_lbp': (H, [H, SZ]),
    'hogfeat_pipeline_descriptor_length': (ST, [H, SZ, SZ, SZ, SZP]),
    'hogfeat_pipeline_set_feature_map': (ST, [H, INT, I32, DBL]),
    'hogfeat_pipeline_set_rbf_map': (ST, [H, SZ, SZ, I32, DBL, I32]),
    'hogfeat_pipeline_feature_map': (INT, [H]),
    'hogfeat_pipeline_feature_map_param': (I32, [H]),
    'hogfeat_pipeline_feature_map_param2': (DBL, [H]),
    'hogfeat_pipeline_feature_map_seed': (I32, [H]),
    'hogfeat_pipeline_feature_map_input_length': (SZ, [H]),
    'hogfeat_pipeline_rbf_parameters': (ST, [H, P, SZ, P, SZ]),
    'hogfeat_knn_predict_proba': (ST, [H, P, SZ, SZ, SZ, P, SZ]),
}


class _Lib:
    """The bound functions, as attributes named like the C functions."""

    def __init__(self, cdll):
        self._cdll = cdll
        missing = []
        for name, (restype, argtypes) in SIGNATURES.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                missing.append(name)
                continue
            fn.argtypes = argtypes
            if restype is ST:
                fn.restype = c_int
                fn.errcheck = check_status
            else:
                fn.restype = restype
            setattr(self, name, fn)
        if missing:
            raise ImportError('hogfeat: the loaded library lacks %s' % ', '.join(sorted(missing)))


def check_status(result, func, args):
    """ctypes errcheck: a non-zero hogfeat_status becomes HogfeatError."""
    if result:
        _raise(result)
    return result


def _raise(code):
    message = _cdll.hogfeat_last_error_message() or b''
    name = _cdll.hogfeat_status_name(code) or b'HOGFEAT_ERR_UNKNOWN'
    text = message.decode('utf-8', 'replace') or _cdll.hogfeat_strerror(code).decode('utf-8', 'replace')
    raise HogfeatError(int(code), name.decode('ascii', 'replace'), text)


def _check_version(lib, path):
    got = lib.hogfeat_version_number()
    if got != _version.version_number:
        got_string = lib.hogfeat_version_string().decode('ascii', 'replace')
        raise ImportError('hogfeat: version mismatch: this Python package %s was built for libhogfeat %s '
                          '(version number %d), but %s is libhogfeat %s (version number %d); install '
                          'matching versions or set HOGFEAT_LIBRARY to the right library'
                          % (_version.__version__, _version.__version__, _version.version_number, path,
                             got_string, got))


_cdll, _requested = _load_library()
lib = _Lib(_cdll)  # also declares the three string functions _raise() uses (no errcheck on them)
_loaded = _loaded_path(_cdll, _requested)
_check_version(lib, _loaded)


def library_path():
    """Path of the libhogfeat file this process loaded."""
    return _loaded


# --- handles --------------------------------------------------------------

class Handle:
    """One C handle, destroyed exactly once.

    ``destroy`` runs on :meth:`close` or, failing that, when the object is
    garbage-collected (weakref.finalize, which also runs at interpreter exit).
    ``keep`` holds what the handle borrows (a numpy array, a parent handle)
    so that it outlives the handle. A handle with live borrowers (other
    Handles whose ``keep`` is this one) is not destroyed by close(); it goes
    when the last borrower does.
    """

    __slots__ = ('ptr', '_finalizer', '_keep', '_borrowers', '__weakref__')

    def __init__(self, ptr, destroy, keep=None):
        if not ptr:
            raise ValueError('NULL handle')
        self.ptr = ptr
        self._keep = keep
        self._borrowers = weakref.WeakSet()
        if isinstance(keep, Handle):
            keep._borrowers.add(self)
        self._finalizer = weakref.finalize(self, destroy, ptr) if destroy is not None else None

    def close(self):
        if self._finalizer is not None and not len(self._borrowers):
            self._finalizer()

    @property
    def alive(self):
        return self._finalizer is None or self._finalizer.alive


def new_handle(create, *args, destroy, keep=None):
    """Call a constructor ``create(*args, &out)`` and wrap its result."""
    out = c_void_p()
    create(*args, ctypes.byref(out))
    return Handle(out.value, destroy, keep)


def query_then_write(call):
    """The size-query protocol of the *_save/pgm_write calls: a NULL buffer
    gives ERR_BUFFER_TOO_SMALL with the size needed; then write into a buffer
    of that size."""
    size = ctypes.c_size_t()
    try:
        call(None, 0, ctypes.byref(size))
    except HogfeatError as exc:
        if exc.code != Status.ERR_BUFFER_TOO_SMALL:
            raise
    buf = ctypes.create_string_buffer(size.value)
    call(buf, size.value, ctypes.byref(size))
    return buf.raw[:size.value]
