/**
 * @file pipeline.h
 * @brief Raw image in, label out: preprocessing + HOG + one classifier,
 *        saved and loaded as one model file.
 *
 * Preprocessing, in order: (1) resize to a fixed size (bilinear, pixel
 * centres aligned, as OpenCV's INTER_LINEAR), (2) Gaussian blur. The blur
 * follows scikit-image's @c filters.gaussian with default arguments: the
 * image is first converted to float in [0, 1] (uint8 divided by 255; float
 * images as given), then filtered separably with a kernel truncated at
 * 4 sigma and edges repeated (@c mode='nearest'). HOG then runs on that
 * float image (a uint8 input is scaled to [0, 1] even after a resize).
 * Without blur, HOG runs on the (resized) image as is.
 *
 * The pipeline keeps its own reference to the classifier given to it, so
 * the caller may destroy its handle at any time.
 *
 * @par Several descriptors
 * The HOG configuration given to hogfeat_pipeline_create() is descriptor 0.
 * hogfeat_pipeline_add_hog() and hogfeat_pipeline_add_lbp() append more
 * descriptors (copies of the configurations), all computed on the same
 * preprocessed image; the feature vector is their outputs laid end to end,
 * descriptor 0 first, each in its own layout. An LBP descriptor needs a
 * one-channel image (colour input gives ::HOGFEAT_ERR_UNSUPPORTED_FORMAT).
 *
 * @par Feature maps
 * An explicit feature map may then transform the concatenated vector x of
 * length n (hogfeat_pipeline_set_feature_map(), hogfeat_pipeline_set_rbf_map()),
 * so that a linear classifier on the mapped vector approximates a kernel
 * machine on x. The classifier's dimension is the mapped length.
 * - ::HOGFEAT_FEATURE_MAP_HELLINGER: sign(x_i) sqrt(|x_i|); n values.
 * - ::HOGFEAT_FEATURE_MAP_CHI2: the additive chi-squared map of Vedaldi and
 *   Zisserman (CVPR 2010), exactly scikit-learn 1.2's
 *   @c AdditiveChi2Sampler(sample_steps=s, sample_interval=L): n (2s - 1)
 *   values in blocks of n, block 0 = sqrt(x_i L), block 2j - 1 =
 *   sqrt(2 x_i L / cosh(pi j L)) cos(j L log x_i), block 2j the same with
 *   sin, for j = 1 .. s - 1; x_i <= 0 gives zeros.
 * - ::HOGFEAT_FEATURE_MAP_INTERSECTION: the same construction for the
 *   histogram-intersection kernel, whose spectrum is kappa(w) =
 *   2 / (pi (1 + 4 w^2)): VLFeat's @c vl_homkermap(x, s - 1, 'kinters',
 *   'window', 'uniform', 'period', 2 pi / L) evaluated exactly (VLFeat
 *   interpolates a table), in VLFeat's order: the 2s - 1 values of x_i are
 *   contiguous, sqrt(x_i L kappa(0)), then for each j the cos and sin terms
 *   with factor sqrt(2 x_i L kappa(j L)).
 * - ::HOGFEAT_FEATURE_MAP_RBF: random Fourier features (Rahimi and Recht,
 *   NIPS 2007) with scikit-learn's @c RBFSampler semantics:
 *   z = sqrt(2 / D) cos(x W + b), W an n x D matrix of N(0, 2 gamma) draws
 *   and b D draws of U(0, 2 pi), from the library's own generator
 *   (SplitMix64 and Box-Muller) seeded by the caller. W and b are stored in
 *   the model file, so a loaded pipeline computes the same features on any
 *   platform; the map is drawn for one input length n.
 */
#ifndef HOGFEAT_PIPELINE_H
#define HOGFEAT_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/hog.h>
#include <hogfeat/image.h>
#include <hogfeat/knn.h>
#include <hogfeat/lbp.h>
#include <hogfeat/limits.h>
#include <hogfeat/linsvm.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque pipeline. */
typedef struct hogfeat_pipeline hogfeat_pipeline;

/** Largest accepted blur sigma, in pixels. */
#define HOGFEAT_PIPELINE_MAX_SIGMA 64.0

/** Largest number of descriptors in one pipeline, the first HOG included. */
#define HOGFEAT_PIPELINE_MAX_DESCRIPTORS 64
/** Largest number of sampling steps of the chi-squared and intersection maps. */
#define HOGFEAT_FEATURE_MAP_MAX_STEPS 16
/** Largest number of random Fourier features of the RBF map. */
#define HOGFEAT_FEATURE_MAP_MAX_COMPONENTS 1048576
/** Largest sampling interval of the chi-squared and intersection maps (the defaults are 0.4 to 1.2). */
#define HOGFEAT_FEATURE_MAP_MAX_INTERVAL 100.0
/** Largest gamma of the RBF map. */
#define HOGFEAT_FEATURE_MAP_MAX_GAMMA 1e6

/** Kind of a pipeline descriptor. Values are pinned. */
typedef enum hogfeat_descriptor_kind {
    HOGFEAT_DESCRIPTOR_HOG = 1, /**< Histogram of oriented gradients (hog.h). */
    HOGFEAT_DESCRIPTOR_LBP = 2  /**< Per-cell local binary pattern histograms (lbp.h). */
} hogfeat_descriptor_kind;

/** Explicit feature map applied to the concatenated descriptors (see @ref pipeline.h). Values are pinned. */
typedef enum hogfeat_feature_map {
    HOGFEAT_FEATURE_MAP_NONE = 1,         /**< The concatenated descriptors as they are (default). */
    HOGFEAT_FEATURE_MAP_HELLINGER = 2,    /**< Signed square root of every value. */
    HOGFEAT_FEATURE_MAP_CHI2 = 3,         /**< Additive chi-squared kernel map (scikit-learn AdditiveChi2Sampler). */
    HOGFEAT_FEATURE_MAP_INTERSECTION = 4, /**< Intersection kernel map (VLFeat vl_homkermap, uniform window). */
    HOGFEAT_FEATURE_MAP_RBF = 5           /**< Random Fourier features of the Gaussian kernel (scikit-learn RBFSampler). */
} hogfeat_feature_map;

/**
 * @brief Create a pipeline with a copy of a HOG configuration, no
 *        preprocessing and no classifier.
 * @param[in]  hog          HOG configuration (copied).
 * @param[out] out_pipeline Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_create(const hogfeat_hog_config *hog,
                                                   hogfeat_pipeline **out_pipeline);

/**
 * @brief Free a pipeline and its references. NULL is a no-op.
 * @param[in] pipeline Handle or NULL.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_pipeline_destroy(hogfeat_pipeline *pipeline);

/**
 * @brief Set the Gaussian blur applied before HOG.
 * @param[in] pipeline Handle.
 * @param[in] sigma    Standard deviation in pixels, 0 (off, default) or in (0, ::HOGFEAT_PIPELINE_MAX_SIGMA].
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_blur(hogfeat_pipeline *pipeline, double sigma);

/**
 * @brief Resize every input to a fixed size before anything else; 0 x 0 turns it off (default).
 * @param[in] pipeline Handle.
 * @param[in] width    Target width in pixels (both 0, or both >= 1).
 * @param[in] height   Target height in pixels.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BAD_GEOMETRY;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_resize(hogfeat_pipeline *pipeline, size_t width,
                                                       size_t height);

/**
 * @brief Attach a linear SVM, replacing any classifier; the pipeline keeps a reference.
 * @param[in] pipeline Handle.
 * @param[in] model    Trained model.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_linsvm(hogfeat_pipeline *pipeline,
                                                       const hogfeat_linsvm *model);

/**
 * @brief Attach a KNN model, replacing any classifier; the pipeline keeps a reference.
 * @param[in] pipeline Handle.
 * @param[in] model    Fitted model.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_knn(hogfeat_pipeline *pipeline, const hogfeat_knn *model);

/**
 * @brief The pipeline's HOG configuration.
 * @param[in] pipeline Handle.
 * @return Borrowed from the pipeline, valid until it is destroyed; NULL if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const hogfeat_hog_config *hogfeat_pipeline_hog_config(const hogfeat_pipeline *pipeline);

/**
 * @brief Blur sigma (0 when off). @param[in] pipeline Handle.
 * @return Sigma, or 0 if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API double hogfeat_pipeline_blur(const hogfeat_pipeline *pipeline);

/**
 * @brief Resize target width (0 when off). @param[in] pipeline Handle.
 * @return The width, or 0.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_pipeline_resize_width(const hogfeat_pipeline *pipeline);

/**
 * @brief Resize target height (0 when off). @param[in] pipeline Handle.
 * @return The height, or 0.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_pipeline_resize_height(const hogfeat_pipeline *pipeline);

/**
 * @brief The attached linear SVM.
 * @param[in] pipeline Handle.
 * @return Borrowed from the pipeline, valid until it is destroyed or its classifier
 *         replaced; NULL if none.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const hogfeat_linsvm *hogfeat_pipeline_linsvm(const hogfeat_pipeline *pipeline);

/**
 * @brief The attached KNN model.
 * @param[in] pipeline Handle.
 * @return Borrowed from the pipeline, valid until it is destroyed or its classifier
 *         replaced; NULL if none.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const hogfeat_knn *hogfeat_pipeline_knn(const hogfeat_pipeline *pipeline);

/**
 * @brief Feature vector length for an input image size: the descriptors' lengths at the
 *        size after the resize (if any), summed, then through the feature map.
 * @param[in]  pipeline   Handle.
 * @param[in]  width      Input width in pixels.
 * @param[in]  height     Input height in pixels.
 * @param[out] out_length Receives the length.
 * @return As hogfeat_hog_feature_length() and hogfeat_lbp_feature_length();
 *         ::HOGFEAT_ERR_DIMENSION_MISMATCH (an RBF map drawn for another input length);
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED (the mapped length overflows size_t).
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_feature_length(const hogfeat_pipeline *pipeline, size_t width,
                                                           size_t height, size_t *out_length);

/**
 * @brief Preprocess an image and compute its feature vector (every descriptor, then the map).
 * @param[in]  pipeline     Handle.
 * @param[in]  image        Any ::hogfeat_format (borrowed for the call).
 * @param[out] out_features Caller buffer.
 * @param[in]  out_capacity Its capacity in floats.
 * @return As hogfeat_pipeline_feature_length(), hogfeat_hog_compute() and
 *         hogfeat_lbp_compute().
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_extract(const hogfeat_pipeline *pipeline,
                                                    const hogfeat_image *image, float *out_features,
                                                    size_t out_capacity);

/**
 * @brief Preprocess and describe many images into one matrix, on several threads.
 *
 * As hogfeat_hog_compute_batch(), with this pipeline's preprocessing; each
 * worker keeps its buffers for the whole call. Results do not depend on the
 * thread count.
 * @param[in]  pipeline       Handle; must not be modified during the call.
 * @param[in]  images         @p num_images image handles (borrowed for the call).
 * @param[in]  num_images     Number of images (0 does nothing).
 * @param[in]  num_threads    1 to 256, or 0 for one per online CPU.
 * @param[out] out_features   Caller's matrix.
 * @param[in]  out_row_stride Floats between rows, >= the descriptor length.
 * @param[in]  out_capacity   Floats available.
 * @return As hogfeat_hog_compute_batch().
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.3
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_extract_batch(const hogfeat_pipeline *pipeline,
                                                          const hogfeat_image *const *images, size_t num_images,
                                                          int32_t num_threads, float *out_features,
                                                          size_t out_row_stride, size_t out_capacity);

/**
 * @brief Preprocess and describe a stack of equally sized images in one buffer.
 *
 * Layout as hogfeat_hog_compute_stack(); the buffer is borrowed for the call.
 * @param[in]  pipeline           Handle; must not be modified during the call.
 * @param[in]  pixels             First sample of image 0 (borrowed for the call only, never written).
 * @param[in]  format             A ::hogfeat_format.
 * @param[in]  num_images         Number of images.
 * @param[in]  width              Image width in pixels.
 * @param[in]  height             Image height in pixels.
 * @param[in]  row_stride_bytes   Bytes between rows; 0 means packed.
 * @param[in]  image_stride_bytes Bytes between images; 0 means height * row stride.
 * @param[in]  num_threads        1 to 256, or 0 for one per online CPU.
 * @param[out] out_features       Caller's matrix.
 * @param[in]  out_row_stride     Floats between rows.
 * @param[in]  out_capacity       Floats available.
 * @return As hogfeat_hog_compute_stack().
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.3
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_extract_stack(const hogfeat_pipeline *pipeline, const void *pixels,
                                                          hogfeat_format format, size_t num_images, size_t width,
                                                          size_t height, size_t row_stride_bytes,
                                                          size_t image_stride_bytes, int32_t num_threads,
                                                          float *out_features, size_t out_row_stride,
                                                          size_t out_capacity);

/**
 * @brief Classify one raw image.
 * @param[in]  pipeline  Handle with a classifier.
 * @param[in]  image     Any ::hogfeat_format (borrowed for the call).
 * @param[out] out_label Receives the predicted label.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_MODEL_KIND (no classifier); ::HOGFEAT_ERR_DIMENSION_MISMATCH
 *         (the image size gives descriptors of another length than the classifier's);
 *         and the errors of hogfeat_pipeline_extract().
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_predict(const hogfeat_pipeline *pipeline,
                                                    const hogfeat_image *image, int32_t *out_label);

/**
 * @brief Serialise preprocessing, HOG configuration and classifier (see hogfeat_linsvm_save()).
 * @param[in]  pipeline Handle with a classifier.
 * @param[out] buffer   Caller's buffer of @p capacity bytes, written during the call only;
 *                      or NULL to query the size.
 * @param[in]  capacity Bytes available.
 * @param[out] out_size Bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (no classifier);
 *         ::HOGFEAT_ERR_INVALID_ARGUMENT (a HOG descriptor that hogfeat_hog_compute() refuses:
 *         the OpenCV preset with a block norm other than L2-Hys; nothing written);
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written, @p out_size holds the size needed);
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED (the serialised size overflows size_t, possible only on
 *         32-bit hosts).
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_save(const hogfeat_pipeline *pipeline, void *buffer,
                                                 size_t capacity, size_t *out_size);

/**
 * @brief Load a pipeline (a model file with a feature-extractor section).
 * @param[in]  data         Bytes (not referenced afterwards).
 * @param[in]  size         Byte count.
 * @param[in]  limits       Limits, or NULL for the defaults.
 * @param[out] out_pipeline Receives the pipeline; set to NULL on failure.
 * @return As hogfeat_linsvm_load(); ::HOGFEAT_ERR_MODEL_KIND when the file holds a bare
 *         classifier without a feature extractor.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_load(const void *data, size_t size, const hogfeat_limits *limits,
                                                 hogfeat_pipeline **out_pipeline);

/**
 * @brief Save to a file atomically (see hogfeat_linsvm_save_file()).
 * @param[in] pipeline Handle with a classifier.
 * @param[in] path     Destination file name (read during the call, not kept).
 * @return As hogfeat_pipeline_save() without the buffer cases, plus ::HOGFEAT_ERR_IO and
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY (the file is built in memory first).
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_save_file(const hogfeat_pipeline *pipeline, const char *path);

/**
 * @brief Load a pipeline from a file.
 * @param[in]  path         File name (read during the call, not kept).
 * @param[in]  limits       Limits, or NULL for the defaults.
 * @param[out] out_pipeline Receives the pipeline; set to NULL on failure.
 * @return As hogfeat_pipeline_load(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_load_file(const char *path, const hogfeat_limits *limits,
                                                      hogfeat_pipeline **out_pipeline);

/**
 * @brief Append a HOG descriptor (a copy of @p hog) after the pipeline's descriptors.
 * @param[in] pipeline Handle.
 * @param[in] hog      HOG configuration (copied; the caller may destroy it at once).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_LIMIT_EXCEEDED (already
 *         ::HOGFEAT_PIPELINE_MAX_DESCRIPTORS descriptors); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 *         On failure the pipeline is unchanged.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_add_hog(hogfeat_pipeline *pipeline, const hogfeat_hog_config *hog);

/**
 * @brief Append an LBP histogram descriptor (a copy of @p lbp) after the pipeline's descriptors.
 * @param[in] pipeline Handle.
 * @param[in] lbp      LBP configuration (copied; the caller may destroy it at once).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (::HOGFEAT_LBP_VAR, which has no histogram); ::HOGFEAT_ERR_LIMIT_EXCEEDED
 *         (more than ::HOGFEAT_LBP_MAX_HISTOGRAM_BINS bins per cell, or already
 *         ::HOGFEAT_PIPELINE_MAX_DESCRIPTORS descriptors); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 *         On failure the pipeline is unchanged.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_add_lbp(hogfeat_pipeline *pipeline, const hogfeat_lbp_config *lbp);

/**
 * @brief Number of descriptors, the first HOG included.
 * @param[in] pipeline Handle.
 * @return 1 to ::HOGFEAT_PIPELINE_MAX_DESCRIPTORS; 0 if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API size_t hogfeat_pipeline_num_descriptors(const hogfeat_pipeline *pipeline);

/**
 * @brief Kind of descriptor @p index (0 is the first HOG).
 * @param[in] pipeline Handle.
 * @param[in] index    0 to hogfeat_pipeline_num_descriptors() - 1.
 * @return A ::hogfeat_descriptor_kind value; 0 if @p pipeline is NULL or @p index is out of range.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int hogfeat_pipeline_descriptor_kind(const hogfeat_pipeline *pipeline, size_t index);

/**
 * @brief HOG configuration of descriptor @p index.
 * @param[in] pipeline Handle.
 * @param[in] index    Descriptor index; 0 gives hogfeat_pipeline_hog_config().
 * @return Borrowed from the pipeline, valid until it is destroyed; NULL if @p pipeline is
 *         NULL, @p index is out of range or the descriptor is not a HOG.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API const hogfeat_hog_config *hogfeat_pipeline_descriptor_hog(const hogfeat_pipeline *pipeline,
                                                                      size_t index);

/**
 * @brief LBP configuration of descriptor @p index.
 * @param[in] pipeline Handle.
 * @param[in] index    Descriptor index.
 * @return Borrowed from the pipeline, valid until it is destroyed; NULL if @p pipeline is
 *         NULL, @p index is out of range or the descriptor is not an LBP.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API const hogfeat_lbp_config *hogfeat_pipeline_descriptor_lbp(const hogfeat_pipeline *pipeline,
                                                                      size_t index);

/**
 * @brief Length of one descriptor's part of the feature vector, before any feature map.
 * @param[in]  pipeline   Handle.
 * @param[in]  index      Descriptor index.
 * @param[in]  width      Input width in pixels (before the resize, if any).
 * @param[in]  height     Input height in pixels.
 * @param[out] out_length Receives the length (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT (@p index out
 *         of range); the errors of hogfeat_hog_feature_length() or hogfeat_lbp_feature_length().
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_descriptor_length(const hogfeat_pipeline *pipeline, size_t index,
                                                              size_t width, size_t height, size_t *out_length);

/**
 * @brief Set a deterministic feature map applied after the concatenation (see @ref pipeline.h).
 *
 * Replaces any map, an RBF map included.
 * @param[in] pipeline Handle.
 * @param[in] kind     ::HOGFEAT_FEATURE_MAP_NONE, ::HOGFEAT_FEATURE_MAP_HELLINGER,
 *                     ::HOGFEAT_FEATURE_MAP_CHI2 or ::HOGFEAT_FEATURE_MAP_INTERSECTION
 *                     (the RBF map needs hogfeat_pipeline_set_rbf_map()).
 * @param[in] steps    Chi-squared and intersection: sampling steps s, 1 to
 *                     ::HOGFEAT_FEATURE_MAP_MAX_STEPS (2s - 1 values per input value); 0 for
 *                     the other kinds.
 * @param[in] interval Chi-squared and intersection: sampling interval L in
 *                     (0, ::HOGFEAT_FEATURE_MAP_MAX_INTERVAL], or 0
 *                     for the default: chi-squared 0.8, 0.5, 0.4 for s = 1, 2, 3 (scikit-learn's;
 *                     larger s need an explicit L), intersection 2 pi / P with VLFeat's
 *                     uniform-window period P = max(1, 2.38 ln(s - 1 + 0.8) + 5.6); 0 for the
 *                     other kinds. The getter returns the interval in use.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT (unknown
 *         kind, ::HOGFEAT_FEATURE_MAP_RBF, a parameter out of range or non-zero where unused;
 *         the pipeline is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_feature_map(hogfeat_pipeline *pipeline, hogfeat_feature_map kind,
                                                            int32_t steps, double interval);

/**
 * @brief Draw a random Fourier feature map of the Gaussian kernel exp(-gamma |x - y|^2) for images of one size.
 *
 * The input length n is the concatenated descriptor length of a @p width x
 * @p height input (hogfeat_pipeline_feature_length() before this call, with
 * no map); the n x @p num_components matrix and the offsets are drawn now,
 * from @p seed, and kept (and saved) with the pipeline. Afterwards images
 * whose descriptors have another length give ::HOGFEAT_ERR_DIMENSION_MISMATCH,
 * so add descriptors and set the resize first. Replaces any map.
 * @param[in] pipeline       Handle.
 * @param[in] width          Input width in pixels (before the resize, if any).
 * @param[in] height         Input height in pixels.
 * @param[in] num_components D, the output length: 1 to ::HOGFEAT_FEATURE_MAP_MAX_COMPONENTS.
 * @param[in] gamma          Kernel width, in (0, ::HOGFEAT_FEATURE_MAP_MAX_GAMMA].
 * @param[in] seed           Any value; the same seed and sizes give the same map.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT;
 *         the errors of hogfeat_pipeline_feature_length(); ::HOGFEAT_ERR_LIMIT_EXCEEDED
 *         (n x D floats overflow size_t); ::HOGFEAT_ERR_OUT_OF_MEMORY. On failure the
 *         pipeline is unchanged.
 * @threadsafety Safe on distinct handles; not while another thread uses @p pipeline.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_set_rbf_map(hogfeat_pipeline *pipeline, size_t width, size_t height,
                                                        int32_t num_components, double gamma, int32_t seed);

/**
 * @brief The feature map in use.
 * @param[in] pipeline Handle.
 * @return A ::hogfeat_feature_map value (::HOGFEAT_FEATURE_MAP_NONE by default); 0 if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int hogfeat_pipeline_feature_map(const hogfeat_pipeline *pipeline);

/**
 * @brief Integer parameter of the map: steps (chi-squared, intersection) or D (RBF).
 * @param[in] pipeline Handle.
 * @return The value; 0 for the other maps or if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int32_t hogfeat_pipeline_feature_map_param(const hogfeat_pipeline *pipeline);

/**
 * @brief Real parameter of the map: the sampling interval in use (chi-squared, intersection) or gamma (RBF).
 * @param[in] pipeline Handle.
 * @return The value; 0 for the other maps or if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API double hogfeat_pipeline_feature_map_param2(const hogfeat_pipeline *pipeline);

/**
 * @brief Seed the RBF map was drawn from.
 * @param[in] pipeline Handle.
 * @return The seed; 0 for the other maps or if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int32_t hogfeat_pipeline_feature_map_seed(const hogfeat_pipeline *pipeline);

/**
 * @brief Input length n the RBF map was drawn for.
 * @param[in] pipeline Handle.
 * @return n; 0 for the other maps (which take any length) or if @p pipeline is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API size_t hogfeat_pipeline_feature_map_input_length(const hogfeat_pipeline *pipeline);

/**
 * @brief Copy the RBF map's matrix W and offsets b.
 * @param[in]  pipeline         Handle with an RBF map.
 * @param[out] out_weights      Caller's buffer for the n x D matrix, row-major (row i = input value i).
 * @param[in]  weights_capacity Its capacity in floats.
 * @param[out] out_offsets      Caller's buffer for the D offsets.
 * @param[in]  offsets_capacity Its capacity in floats.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (no RBF map);
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written).
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_rbf_parameters(const hogfeat_pipeline *pipeline, float *out_weights,
                                                           size_t weights_capacity, float *out_offsets,
                                                           size_t offsets_capacity);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_PIPELINE_H */
