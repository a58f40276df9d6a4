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
 */
#ifndef HOGFEAT_PIPELINE_H
#define HOGFEAT_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/hog.h>
#include <hogfeat/image.h>
#include <hogfeat/knn.h>
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
 * @brief Descriptor length for an input image size (after the resize, if any).
 * @param[in]  pipeline   Handle.
 * @param[in]  width      Input width in pixels.
 * @param[in]  height     Input height in pixels.
 * @param[out] out_length Receives the length.
 * @return As hogfeat_hog_feature_length().
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_feature_length(const hogfeat_pipeline *pipeline, size_t width,
                                                           size_t height, size_t *out_length);

/**
 * @brief Preprocess an image and compute its descriptor.
 * @param[in]  pipeline     Handle.
 * @param[in]  image        Any ::hogfeat_format (borrowed for the call).
 * @param[out] out_features Caller buffer.
 * @param[in]  out_capacity Its capacity in floats.
 * @return As hogfeat_hog_compute().
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_extract(const hogfeat_pipeline *pipeline,
                                                    const hogfeat_image *image, float *out_features,
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
 * @param[out] buffer   Destination, or NULL to query the size.
 * @param[in]  capacity Bytes available.
 * @param[out] out_size Bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (no classifier);
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL.
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
 * @param[in] path     Destination file name.
 * @return As hogfeat_pipeline_save() without the buffer cases, plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe on a shared pipeline.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_save_file(const hogfeat_pipeline *pipeline, const char *path);

/**
 * @brief Load a pipeline from a file.
 * @param[in]  path         File name.
 * @param[in]  limits       Limits, or NULL for the defaults.
 * @param[out] out_pipeline Receives the pipeline; set to NULL on failure.
 * @return As hogfeat_pipeline_load(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pipeline_load_file(const char *path, const hogfeat_limits *limits,
                                                      hogfeat_pipeline **out_pipeline);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_PIPELINE_H */
