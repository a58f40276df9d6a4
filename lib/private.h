/* Internals shared across lib/. Never installed. */
#ifndef HOGFEAT_PRIVATE_H
#define HOGFEAT_PRIVATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hogfeat/hogfeat.h"
#include "kernels/kernels.h"

#if defined(__GNUC__)
#  define HOGFEAT_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#  define HOGFEAT_LIKELY(x) __builtin_expect(!!(x), 1)
#  define HOGFEAT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define HOGFEAT_PRINTF(fmt_index, first_arg)
#  define HOGFEAT_LIKELY(x) (x)
#  define HOGFEAT_UNLIKELY(x) (x)
#endif

/* Records a message for hogfeat_last_error_message() and returns status. */
hogfeat_status hogfeat__fail(hogfeat_status status, const char *fmt, ...) HOGFEAT_PRINTF(2, 3);

/* Every allocation of the library goes through these, so a test build can
 * count them and make the Nth one fail (HOGFEAT_TESTING). */
void *hogfeat__malloc(size_t size);
void *hogfeat__calloc(size_t count, size_t size);
void hogfeat__free(void *ptr);

/* 1 if a * b overflows size_t, else 0 and *out = a * b. */
static inline int hogfeat__mul_overflow(size_t a, size_t b, size_t *out)
{
#if defined(__GNUC__)
    return __builtin_mul_overflow(a, b, out);
#else
    if (a != 0 && b > SIZE_MAX / a)
        return 1;
    *out = a * b;
    return 0;
#endif
}

static inline int hogfeat__add_overflow(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return 1;
    *out = a + b;
    return 0;
}

#define HOGFEAT__MAX_PIXELS ((size_t)1 << 28)

struct hogfeat_image {
    hogfeat_format format;
    int channels;
    size_t sample_bytes; /* 1 or 4 */
    size_t width;
    size_t height;
    size_t stride_bytes;
    const unsigned char *pixels;
    unsigned char *owned; /* == pixels when the handle owns them, else NULL */
};

/* Fills *image as hogfeat_image_wrap() would, without allocating (for
 * handles on the stack); same checks and statuses. */
hogfeat_status hogfeat__image_init_borrowed(hogfeat_image *image, const void *pixels, hogfeat_format format,
                                           size_t width, size_t height, size_t stride_bytes);

/* Checks a (format, width, height) triple; fills channels and sample size. */
hogfeat_status hogfeat__check_image_geometry(hogfeat_format format, size_t width, size_t height,
                                             int *out_channels, size_t *out_sample_bytes);

struct hogfeat_hog_config {
    int32_t orientations;
    int32_t cell_w, cell_h;
    int32_t block_w, block_h;
    int32_t stride_x, stride_y;
    hogfeat_norm norm;
    int transform_sqrt;
    int signed_orientations;
    hogfeat_hog_preset preset;
    hogfeat_hog_layout layout;
    double window_sigma;     /* OpenCV preset; 0 = (block w + h in px) / 8 */
    hogfeat__binparams bins; /* derived from orientations and signedness */
};

/* 1 when hogfeat_hog_compute() refuses a configuration that every setter
 * accepted: the OpenCV preset normalises blocks with L2-Hys only. Loaders
 * and savers use it so that a model file always computes. */
static inline int hogfeat__hog_norm_unsupported(const hogfeat_hog_config *h)
{
    return h->preset == HOGFEAT_HOG_PRESET_OPENCV && h->norm != HOGFEAT_NORM_L2HYS;
}


/* Output position of value (block by, bx; cell cy, cx within the block; bin b)
 * in a layout, for a grid of blocks_x x blocks_y blocks. */
static inline size_t hogfeat__hog_index(hogfeat_hog_layout layout, size_t blocks_x, size_t blocks_y, int32_t block_w,
                                        int32_t block_h, int32_t nbins, size_t by, size_t bx, size_t cy, size_t cx,
                                        size_t b)
{
    const size_t block_len = (size_t)block_w * (size_t)block_h * (size_t)nbins;
    if (layout == HOGFEAT_HOG_LAYOUT_OPENCV)
        return (bx * blocks_y + by) * block_len + (cx * (size_t)block_h + cy) * (size_t)nbins + b;
    return (by * blocks_x + bx) * block_len + (cy * (size_t)block_w + cx) * (size_t)nbins + b;
}

/* A reusable scratch buffer: batch work keeps one per thread, so steady
 * state allocates nothing. */
typedef struct hogfeat__buffer {
    unsigned char *data;
    size_t capacity;
} hogfeat__buffer;
/* Ensures buf holds at least bytes (contents not kept). */
hogfeat_status hogfeat__buffer_reserve(hogfeat__buffer *buf, size_t bytes);
void hogfeat__buffer_release(hogfeat__buffer *buf);

/* One worker's buffers: HOG scratch, and two for preprocessing results. */
/* Each buffer has one owner, so a descriptor never overwrites what a later
 * one reads: hog (HOG's grids and histograms), pre1 (the resized image),
 * pre2 (the blurred image), block (HOG's one-block scratch for the OpenCV
 * order), concat (a pipeline's descriptors before its feature map). */
typedef struct hogfeat__workspace {
    hogfeat__buffer hog, pre1, pre2, block, concat;
} hogfeat__workspace;
void hogfeat__workspace_release(hogfeat__workspace *ws);

/* hogfeat_hog_compute() with a caller-kept workspace. */
hogfeat_status hogfeat__hog_compute_ws(const hogfeat_hog_config *config, const hogfeat_image *image,
                                       float *out_features, size_t out_capacity, hogfeat__workspace *ws);

/* The OpenCV preset's compute (lib/hog_opencv.c): same contract as
 * hogfeat__hog_compute_ws, arguments already validated (out_capacity holds
 * the descriptor), writing in the configuration's layout. */
hogfeat_status hogfeat__hog_compute_opencv(const hogfeat_hog_config *config, const hogfeat_image *image,
                                           float *out_features, hogfeat__workspace *ws);

/* Batch extraction shared by hog_batch.c and pipeline.c: fn describes one
 * image into out (length floats) with a per-worker workspace; length_fn
 * gives the descriptor length of a size. Either images (a handle array) or
 * stack_first + image_stride_bytes (a stack) is the source. */
typedef hogfeat_status (*hogfeat__batch_fn)(const void *ctx, const hogfeat_image *image, float *out, size_t length,
                                            hogfeat__workspace *ws);
typedef hogfeat_status (*hogfeat__length_fn)(const void *ctx, size_t width, size_t height, size_t *out_length);
hogfeat_status hogfeat__batch_run(const char *fn_name, hogfeat__batch_fn fn, const void *ctx,
                                  hogfeat__length_fn length_fn, const hogfeat_image *const *images,
                                  const hogfeat_image *stack_first, size_t image_stride_bytes, size_t num_images,
                                  int32_t num_threads, float *out_features, size_t out_row_stride,
                                  size_t out_capacity);
/* Validates a stack's geometry and fills image 0's handle; an image stride
 * of 0 becomes height * row stride. */
hogfeat_status hogfeat__stack_first(const char *fn_name, const void *pixels, hogfeat_format format, size_t num_images,
                                    size_t width, size_t height, size_t row_stride_bytes, size_t *image_stride_bytes,
                                    hogfeat_image *first);

/* Exact orientation bin of a gradient, as scikit-image computes it in
 * double precision; -1 when the angle falls in no bin. */
int hogfeat__hog_reference_bin(double gx, double gy, int32_t nbins, int is_signed);

/* ---- limits ---------------------------------------------------------- */

#define HOGFEAT__LIMIT_COUNT 7 /* hogfeat_limit values 1..6, slot 0 unused */
struct hogfeat_limits {
    size_t values[HOGFEAT__LIMIT_COUNT];
};
/* The limit in force: from limits, or the default when limits is NULL. */
size_t hogfeat__limit(const hogfeat_limits *limits, hogfeat_limit which);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole file into a new buffer (free with hogfeat__free); fails with
 * HOGFEAT_ERR_LIMIT_EXCEEDED above max_bytes, HOGFEAT_ERR_IO naming the path. */
hogfeat_status hogfeat__read_file(const char *path, size_t max_bytes, unsigned char **out_data,
                                  size_t *out_size);
/* Writes path atomically: temporary file in the same directory (created with
 * mode 0666 & ~umask, or the replaced file's mode), write, fsync, rename over
 * path, fsync the directory. A process killed mid-save can leave a
 * "<path>.tmp-*" file behind, never a damaged path.
 * On failure path is untouched and the temporary file removed; a failing
 * directory fsync after the rename is ignored (the new file is in place). */
hogfeat_status hogfeat__write_file_atomic(const char *path, const void *data, size_t size);

/* ---- threads ----------------------------------------------------------- */

/* Number of threads to use for a request of num_threads (0 = online CPUs),
 * never more than tasks, at least 1. */
int hogfeat__thread_count(int32_t num_threads, size_t tasks);
/* Runs fn(ctx, task, worker) for every task in [0, num_tasks) on up to
 * num_threads threads, the calling thread being worker 0; worker is in
 * [0, num_threads). Tasks are claimed in increasing order. After a task
 * fails, no new task starts and the first failure's status is returned.
 * If a thread cannot be started, its share runs on the others. */
typedef hogfeat_status (*hogfeat__task_fn)(void *ctx, size_t task, int worker);
hogfeat_status hogfeat__parallel_for(int num_threads, size_t num_tasks, hogfeat__task_fn fn, void *ctx);

/* ---- classifiers --------------------------------------------------------- */

struct hogfeat_linsvm_params {
    hogfeat_svm_loss loss;
    double c;
    double bias;
    double tolerance;
    int32_t max_iterations;
    int32_t seed;
    int32_t threads;
    size_t num_class_weights;
    int32_t *class_weight_labels;
    double *class_weights;
    hogfeat_progress_fn progress;
    void *progress_user_data;
    hogfeat_svm_multiclass multiclass;
    int probability;              /* 1: fit Platt parameters by cross-validation */
    int32_t probability_folds;
};

struct hogfeat_linsvm {
    atomic_int refs;        /* handles + pipelines holding this model */
    int32_t num_classes;
    size_t num_features;
    int32_t *labels;        /* num_classes, ascending */
    hogfeat_svm_multiclass multiclass;
    size_t num_vectors;     /* hogfeat__linsvm_num_vectors(num_classes, multiclass) */
    float *weights;         /* num_vectors rows of num_features + 1: w, then w_b */
    double bias;            /* B; decision = w.x + w_b * B */
    size_t num_platt;       /* 0 (no probabilities) or hogfeat__linsvm_num_platt(model) */
    double *platt;          /* num_platt (A, B) pairs: linsvm.h (Probabilities), LSPR in docs/model-format.md */
    /* Training parameters, kept for provenance (saved in the model file). */
    hogfeat_svm_loss loss;
    double c;
    double tolerance;
    int32_t max_iterations;
};

/* A zeroed one-vs-rest model with arrays for num_classes x num_features and refs = 1. */
hogfeat_status hogfeat__linsvm_new(int32_t num_classes, size_t num_features, hogfeat_linsvm **out_model);
/* The same for a multi-class strategy (weights for its number of vectors). */
hogfeat_status hogfeat__linsvm_new_multiclass(int32_t num_classes, size_t num_features,
                                              hogfeat_svm_multiclass multiclass, hogfeat_linsvm **out_model);
/* Weight vectors of a strategy: one-vs-rest 1 for K = 2 else K, one-vs-one
 * K (K - 1) / 2, Crammer-Singer K; 0 for an unknown strategy or on overflow. */
size_t hogfeat__linsvm_num_vectors(size_t num_classes, hogfeat_svm_multiclass multiclass);
/* Platt records a probability model of this model has: num_vectors, or 1 for Crammer-Singer. */
size_t hogfeat__linsvm_num_platt(const hogfeat_linsvm *model);
/* Allocates model->platt for hogfeat__linsvm_num_platt() records (zeroed). */
hogfeat_status hogfeat__linsvm_alloc_platt(hogfeat_linsvm *model);
void hogfeat__linsvm_ref(const hogfeat_linsvm *model);
/* Drops one reference; frees at zero. (hogfeat_linsvm_destroy does this.) */
void hogfeat__linsvm_unref(const hogfeat_linsvm *model);

struct hogfeat_knn_params {
    int32_t k;
    hogfeat_metric metric;
    hogfeat_knn_weighting weighting;
    int32_t threads;
};

struct hogfeat_knn {
    atomic_int refs;
    int32_t k;
    hogfeat_metric metric;
    hogfeat_knn_weighting weighting;
    int32_t threads;
    size_t num_samples;
    size_t num_features;
    float *features;        /* num_samples x num_features, packed */
    int32_t *labels;        /* per sample */
    /* Derived by hogfeat__knn_prepare(), not saved: */
    int32_t num_classes;
    int32_t *classes;       /* distinct labels, ascending */
    int32_t *sample_class;  /* per sample: index into classes */
    float *norms;           /* per sample: |x|^2 (L2 and cosine) from dot_block; NULL otherwise */
};

/* A model with uninitialised features/labels arrays for num_samples rows and refs = 1. */
hogfeat_status hogfeat__knn_new(size_t num_samples, size_t num_features, hogfeat_knn **out_model);
/* Computes the derived fields from features and labels (after fit or load). */
hogfeat_status hogfeat__knn_prepare(hogfeat_knn *model);
void hogfeat__knn_ref(const hogfeat_knn *model);
void hogfeat__knn_unref(const hogfeat_knn *model);

struct hogfeat_pipeline {
    hogfeat_hog_config hog;
    double blur_sigma;
    size_t resize_w, resize_h;
    hogfeat_linsvm *svm;    /* a reference, or NULL */
    hogfeat_knn *knn;       /* a reference, or NULL */
    struct hogfeat__pipeline_ext *ext; /* extra descriptors and feature map (featmap.h), or NULL */
};

struct hogfeat_dataset {
    size_t count, width, height;
    uint8_t *pixels;        /* count x height x width */
    int32_t *labels;        /* count, or NULL */
};

#ifdef HOGFEAT_TESTING
/* Test-build hooks (tests link a static copy of lib/ built with HOGFEAT_TESTING). */
void hogfeat__test_alloc_reset(void);
/* Fail the nth allocation from now (1 = the next one); persistent: every one after too. 0 disables. */
void hogfeat__test_alloc_fail_at(long nth, int persistent);
size_t hogfeat__test_alloc_count(void);
size_t hogfeat__test_alloc_failures(void);
/* Make the nth file-system call from now (open, write, fsync, rename, ...)
 * of hogfeat__write_file_atomic fail with errno_value; 0 disables. */
void hogfeat__test_io_fail_at(long nth, int errno_value);
size_t hogfeat__test_io_count(void);
#endif

#endif /* HOGFEAT_PRIVATE_H */
