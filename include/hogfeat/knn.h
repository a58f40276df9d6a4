/**
 * @file knn.h
 * @brief Exact k-nearest-neighbour classifier (brute force).
 *
 * @par Distances
 * L2: Euclidean distance; L1: sum of absolute differences; cosine:
 * 1 - a.b / (|a| |b|) (1 when either vector is zero); chi-squared:
 * sum over features of (a - b)^2 / (a + b), terms with a + b <= 0 skipped
 * (meant for non-negative features such as HOG).
 *
 * @par Ties, stated once
 * Neighbours are ordered by distance, then by training-row index, so equal
 * distances favour the earlier row. Votes: uniform (1 each) or distance
 * weighted (1 / d; if some neighbours are at distance 0, only they vote,
 * equally). The class with the largest vote wins; among tied classes, the
 * one owning the nearest neighbour wins.
 */
#ifndef HOGFEAT_KNN_H
#define HOGFEAT_KNN_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/limits.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque fitted KNN model; immutable once fitted or loaded. */
typedef struct hogfeat_knn hogfeat_knn;
/** Opaque KNN parameters. */
typedef struct hogfeat_knn_params hogfeat_knn_params;

/** Distance. Values are pinned. */
typedef enum hogfeat_metric {
    HOGFEAT_METRIC_L2 = 1,     /**< Euclidean (default). */
    HOGFEAT_METRIC_L1 = 2,     /**< Manhattan. */
    HOGFEAT_METRIC_COSINE = 3, /**< 1 - cosine similarity. */
    HOGFEAT_METRIC_CHI2 = 4    /**< Chi-squared. */
} hogfeat_metric;

/** Vote weighting. Values are pinned. */
typedef enum hogfeat_knn_weighting {
    HOGFEAT_KNN_UNIFORM = 1, /**< One vote per neighbour (default). */
    HOGFEAT_KNN_DISTANCE = 2 /**< Vote 1 / distance. */
} hogfeat_knn_weighting;

/**
 * @brief Create parameters with the defaults: k = 3, L2, uniform votes, 1 thread.
 * @param[out] out_params Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_params_create(hogfeat_knn_params **out_params);

/**
 * @brief Free parameters. NULL is a no-op.
 * @param[in] params Handle or NULL.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_knn_params_destroy(hogfeat_knn_params *params);

/**
 * @brief Set the number of neighbours.
 * @param[in] params Handle.
 * @param[in] k      1 to 1024 (default 3); must not exceed the training set at fit.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_params_set_k(hogfeat_knn_params *params, int32_t k);

/**
 * @brief Set the distance.
 * @param[in] params Handle.
 * @param[in] metric A ::hogfeat_metric.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_params_set_metric(hogfeat_knn_params *params, hogfeat_metric metric);

/**
 * @brief Set the vote weighting.
 * @param[in] params    Handle.
 * @param[in] weighting A ::hogfeat_knn_weighting.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_params_set_weighting(hogfeat_knn_params *params,
                                                            hogfeat_knn_weighting weighting);

/**
 * @brief Threads used by predict and kneighbors of models fitted with these parameters.
 * @param[in] params      Handle.
 * @param[in] num_threads 1 to 256, or 0 for one per online CPU (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_params_set_threads(hogfeat_knn_params *params, int32_t num_threads);

/**
 * @brief Fit: copies the training set into the model.
 * @param[in]  params       Parameters, or NULL for the defaults.
 * @param[in]  features     Row-major float32 matrix, @p num_samples rows (copied).
 * @param[in]  num_samples  Rows, >= k.
 * @param[in]  num_features Columns, >= 1.
 * @param[in]  row_stride   Floats between rows, >= @p num_features.
 * @param[in]  labels       One label per row (copied).
 * @param[out] out_model    Receives the model; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (num_features 0); ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_BAD_TRAINING_SET
 *         (no samples, or fewer than k);
 *         ::HOGFEAT_ERR_NONFINITE; ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe; @p params must not change during the call.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_fit(const hogfeat_knn_params *params, const float *features,
                                           size_t num_samples, size_t num_features, size_t row_stride,
                                           const int32_t *labels, hogfeat_knn **out_model);

/**
 * @brief Release a model. NULL is a no-op. A pipeline holding the model keeps it alive.
 * @param[in] model Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use this handle meanwhile.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_knn_destroy(hogfeat_knn *model);

/**
 * @brief Number of neighbours k. @param[in] model Handle.
 * @return k, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API int32_t hogfeat_knn_k(const hogfeat_knn *model);

/**
 * @brief Stored training rows. @param[in] model Handle.
 * @return The count, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_knn_num_samples(const hogfeat_knn *model);

/**
 * @brief Feature dimension. @param[in] model Handle.
 * @return The dimension, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_knn_num_features(const hogfeat_knn *model);

/**
 * @brief Number of distinct classes. @param[in] model Handle.
 * @return The count, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API int32_t hogfeat_knn_num_classes(const hogfeat_knn *model);

/**
 * @brief Copy the distinct class labels, ascending, into a caller buffer.
 * @param[in]  model        Handle.
 * @param[out] out_labels   Caller's buffer of @p out_capacity labels, written during the call only.
 * @param[in]  out_capacity >= number of classes.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written).
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_get_labels(const hogfeat_knn *model, int32_t *out_labels,
                                                  size_t out_capacity);

/**
 * @brief Predict labels by majority (or weighted) vote of the k nearest rows.
 * @param[in]  model        Handle.
 * @param[in]  queries      Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_queries  Rows (0 writes nothing; the pointers may then be NULL).
 * @param[in]  num_features Must equal hogfeat_knn_num_features().
 * @param[in]  row_stride   Floats between rows, >= @p num_features.
 * @param[out] out_labels   Caller's buffer of @p num_queries labels, written during the call only.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_LIMIT_EXCEEDED (the matrix extent
 *         overflows); ::HOGFEAT_ERR_NONFINITE (a NaN or infinite query);
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_predict(const hogfeat_knn *model, const float *queries,
                                               size_t num_queries, size_t num_features, size_t row_stride,
                                               int32_t *out_labels);

/**
 * @brief Vote fractions: for each query, the share of the k neighbours' votes
 *        each class received, K per query in hogfeat_knn_get_labels() order.
 *
 * The votes are those of hogfeat_knn_predict() (uniform, or 1 / distance
 * weighted, with neighbours at distance 0 voting alone), so each row sums to
 * 1 within float rounding and its largest entry is the predicted class
 * (ties as there). These are vote shares, not calibrated probabilities.
 * @param[in]  model             Handle.
 * @param[in]  queries           Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_queries       Rows (0 writes nothing; the pointers may then be NULL).
 * @param[in]  num_features      Must equal hogfeat_knn_num_features().
 * @param[in]  row_stride        Floats between rows, >= @p num_features.
 * @param[out] out_probabilities Caller's buffer, written during the call only.
 * @param[in]  out_capacity      Its capacity in floats, >= num_queries * K.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_BUFFER_TOO_SMALL
 *         (nothing written); ::HOGFEAT_ERR_NONFINITE; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe on a shared model.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_knn_predict_proba(const hogfeat_knn *model, const float *queries,
                                                     size_t num_queries, size_t num_features, size_t row_stride,
                                                     float *out_probabilities, size_t out_capacity);

/**
 * @brief The k nearest training rows of each query, nearest first.
 * @param[in]  model          Handle.
 * @param[in]  queries        Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_queries    Rows (0 writes nothing; the pointers may then be NULL).
 * @param[in]  num_features   Must equal hogfeat_knn_num_features().
 * @param[in]  row_stride     Floats between rows, >= @p num_features.
 * @param[in]  k              Neighbours per query, 1 to the number of stored rows (may exceed 1024).
 * @param[out] out_indices    Caller's buffer for num_queries * k training-row indices, or NULL.
 * @param[out] out_distances  Caller's buffer for num_queries * k distances, or NULL. Both are
 *                            written during the call only.
 * @param[in]  out_capacity   Capacity of each non-NULL output, in elements.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_INVALID_ARGUMENT (k out of range); ::HOGFEAT_ERR_BAD_STRIDE;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written);
 *         ::HOGFEAT_ERR_NONFINITE; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_kneighbors(const hogfeat_knn *model, const float *queries,
                                                  size_t num_queries, size_t num_features,
                                                  size_t row_stride, int32_t k, size_t *out_indices,
                                                  float *out_distances, size_t out_capacity);

/**
 * @brief Serialise to a caller buffer (see hogfeat_linsvm_save() for the protocol).
 * @param[in]  model    Handle.
 * @param[out] buffer   Caller's buffer of @p capacity bytes, written during the call only;
 *                      or NULL to query the size.
 * @param[in]  capacity Bytes available.
 * @param[out] out_size Bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing
 *         written, @p out_size holds the size needed); ::HOGFEAT_ERR_LIMIT_EXCEEDED (the
 *         serialised size overflows size_t, possible only on 32-bit hosts).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_save(const hogfeat_knn *model, void *buffer, size_t capacity,
                                            size_t *out_size);

/**
 * @brief Load a KNN model from bytes (a KNN file or a pipeline holding one).
 * @param[in]  data      Bytes (copied from; not referenced afterwards).
 * @param[in]  size      Byte count.
 * @param[in]  limits    Size limits, or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return As hogfeat_linsvm_load().
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_load(const void *data, size_t size, const hogfeat_limits *limits,
                                            hogfeat_knn **out_model);

/**
 * @brief Save to a file atomically (see hogfeat_linsvm_save_file()).
 * @param[in] model Handle.
 * @param[in] path  Destination file name (read during the call, not kept).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_IO; ::HOGFEAT_ERR_OUT_OF_MEMORY;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED (as hogfeat_knn_save()).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_save_file(const hogfeat_knn *model, const char *path);

/**
 * @brief Load a KNN model from a file.
 * @param[in]  path      File name (read during the call, not kept).
 * @param[in]  limits    Size limits, or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return As hogfeat_knn_load(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_knn_load_file(const char *path, const hogfeat_limits *limits,
                                                 hogfeat_knn **out_model);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_KNN_H */
