/**
 * @file linsvm.h
 * @brief Linear support vector machine: L2-regularised L2-loss or L1-loss
 *        SVM trained by dual coordinate descent, one-vs-rest for K classes.
 *
 * The solver is the one of LIBLINEAR (@c -s 1 and @c -s 3; Hsieh et al.,
 * "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008),
 * with its shrinking heuristic and stopping rule, on dense float32 rows that
 * it reads in place (no copy of the data).
 *
 * Classes are the distinct labels sorted ascending. For K = 2 one
 * hyperplane w separates labels[1] (positive) from labels[0]; the decision
 * values are (-f, f) with f = w.x + b. For K > 2 class j has its own
 * hyperplane against all others, and the prediction is the class with the
 * largest decision value (the lowest class index on an exact tie).
 *
 * A bias B > 0 appends a constant feature B to every sample, as LIBLINEAR's
 * @c -B does: f = w.x + w_b * B, and w_b is regularised like the rest.
 */
#ifndef HOGFEAT_LINSVM_H
#define HOGFEAT_LINSVM_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/limits.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque trained linear SVM; immutable once trained or loaded. */
typedef struct hogfeat_linsvm hogfeat_linsvm;
/** Opaque training parameters. */
typedef struct hogfeat_linsvm_params hogfeat_linsvm_params;

/** Loss of the linear SVM. Values are pinned. */
typedef enum hogfeat_svm_loss {
    HOGFEAT_SVM_LOSS_SQUARED_HINGE = 1, /**< L2-loss (squared hinge), LIBLINEAR -s 1 (default). */
    HOGFEAT_SVM_LOSS_HINGE = 2          /**< L1-loss (hinge), LIBLINEAR -s 3. */
} hogfeat_svm_loss;

/**
 * @brief Training progress callback.
 * @param user_data     The pointer given to hogfeat_linsvm_params_set_progress().
 * @param classes_done  Binary problems finished so far.
 * @param classes_total Binary problems in all (1 for K = 2, else K).
 * @return 0 to continue; non-zero to stop training with ::HOGFEAT_ERR_CANCELLED.
 * Called from the training threads after each solver pass over the data
 * (reporting the problems finished so far) and after each finished problem;
 * with several threads, calls may interleave and arrive out of order.
 */
typedef int (*hogfeat_progress_fn)(void *user_data, int32_t classes_done, int32_t classes_total);

/**
 * @brief Create parameters with the defaults: squared hinge, C = 1, bias 1,
 *        tolerance 0.1, 1000 iterations, seed 1, 1 thread, no class weights.
 * @param[out] out_params Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_create(hogfeat_linsvm_params **out_params);

/**
 * @brief Free parameters. NULL is a no-op.
 * @param[in] params Handle or NULL.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_linsvm_params_destroy(hogfeat_linsvm_params *params);

/**
 * @brief Set the loss.
 * @param[in] params Handle.
 * @param[in] loss   A ::hogfeat_svm_loss.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_loss(hogfeat_linsvm_params *params,
                                                          hogfeat_svm_loss loss);

/**
 * @brief Set the regularisation constant C.
 * @param[in] params Handle.
 * @param[in] c      Finite, > 0 (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_c(hogfeat_linsvm_params *params, double c);

/**
 * @brief Set the bias feature value B; 0 trains without a bias term.
 * @param[in] params Handle.
 * @param[in] bias   Finite, >= 0 (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_bias(hogfeat_linsvm_params *params, double bias);

/**
 * @brief Set the stopping tolerance (LIBLINEAR's -e: projected-gradient gap).
 * @param[in] params    Handle.
 * @param[in] tolerance Finite, > 0 (default 0.1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_tolerance(hogfeat_linsvm_params *params,
                                                               double tolerance);

/**
 * @brief Set the cap on solver passes over the data, per binary problem.
 * @param[in] params         Handle.
 * @param[in] max_iterations >= 1 (default 1000).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_max_iterations(hogfeat_linsvm_params *params,
                                                                    int32_t max_iterations);

/**
 * @brief Multiply C by @p weight for samples of class @p label (LIBLINEAR -wi).
 *
 * Setting a label twice keeps the last weight; labels absent from the
 * training set are ignored.
 * @param[in] params Handle.
 * @param[in] label  Class label.
 * @param[in] weight Finite, > 0.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED beyond 65536 weights; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_class_weight(hogfeat_linsvm_params *params,
                                                                  int32_t label, double weight);

/**
 * @brief Seed of the random permutation of samples; training is deterministic per seed.
 * @param[in] params Handle.
 * @param[in] seed   Any value (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_seed(hogfeat_linsvm_params *params, int32_t seed);

/**
 * @brief Threads training one-vs-rest problems in parallel; results do not depend on it.
 * @param[in] params      Handle.
 * @param[in] num_threads 1 to 256, or 0 for one per online CPU (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_threads(hogfeat_linsvm_params *params,
                                                             int32_t num_threads);

/**
 * @brief Install a progress callback (NULL removes it).
 * @param[in] params    Handle.
 * @param[in] callback  Function or NULL.
 * @param[in] user_data Passed back unchanged; may be NULL.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER if @p params is NULL.
 * @threadsafety Safe on distinct handles. With several threads the callback
 *         runs concurrently and must be thread-safe itself.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_progress(hogfeat_linsvm_params *params,
                                                              hogfeat_progress_fn callback,
                                                              void *user_data);

/**
 * @brief Train a linear SVM.
 *
 * Borrows @p features and @p labels for the duration of the call only.
 * @param[in]  params       Parameters, or NULL for the defaults.
 * @param[in]  features     Row-major float32 matrix, @p num_samples rows.
 * @param[in]  num_samples  Rows, >= 2.
 * @param[in]  num_features Columns, >= 1.
 * @param[in]  row_stride   Floats from one row to the next, >= @p num_features.
 * @param[in]  labels       One label per row; at least two distinct values.
 * @param[out] out_model    Receives the model; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (zero sizes, C times a class weight overflowing); ::HOGFEAT_ERR_BAD_STRIDE
 *         (stride < num_features); ::HOGFEAT_ERR_BAD_TRAINING_SET (fewer than 2
 *         samples or classes); ::HOGFEAT_ERR_NONFINITE (a NaN or infinite feature,
 *         or weights diverging with an extreme C); ::HOGFEAT_ERR_LIMIT_EXCEEDED
 *         (sizes overflow, more than 65536 classes); ::HOGFEAT_ERR_CANCELLED;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe; @p params must not change during the call.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_train(const hogfeat_linsvm_params *params,
                                                const float *features, size_t num_samples,
                                                size_t num_features, size_t row_stride,
                                                const int32_t *labels, hogfeat_linsvm **out_model);

/**
 * @brief Release a model. NULL is a no-op. A pipeline holding the model keeps it alive.
 * @param[in] model Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use this handle meanwhile.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_linsvm_destroy(hogfeat_linsvm *model);

/**
 * @brief Number of classes K. @param[in] model Handle.
 * @return K, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API int32_t hogfeat_linsvm_num_classes(const hogfeat_linsvm *model);

/**
 * @brief Feature dimension the model expects. @param[in] model Handle.
 * @return The dimension, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_linsvm_num_features(const hogfeat_linsvm *model);

/**
 * @brief Copy the class labels, ascending, into a caller buffer.
 * @param[in]  model        Handle.
 * @param[out] out_labels   Buffer of @p out_capacity labels.
 * @param[in]  out_capacity >= K.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written).
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_get_labels(const hogfeat_linsvm *model, int32_t *out_labels,
                                                     size_t out_capacity);

/**
 * @brief Weights of one hyperplane, followed by the bias weight w_b.
 * @param[in] model        Handle.
 * @param[in] vector_index 0 for K = 2; 0 to K - 1 otherwise.
 * @return num_features + 1 floats borrowed from the model, valid until it is
 *         destroyed; NULL if @p model is NULL or the index is out of range.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const float *hogfeat_linsvm_weights(const hogfeat_linsvm *model, size_t vector_index);

/**
 * @brief Bias feature value B the model was trained with (0: no bias).
 * @param[in] model Handle.
 * @return B, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API double hogfeat_linsvm_bias(const hogfeat_linsvm *model);

/**
 * @brief Predict labels.
 * @param[in]  model        Handle.
 * @param[in]  features     Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_samples  Rows (0 is allowed, writes nothing, and then the arrays may be NULL).
 * @param[in]  num_features Must equal hogfeat_linsvm_num_features().
 * @param[in]  row_stride   Floats between rows, >= @p num_features.
 * @param[out] out_labels   @p num_samples labels.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_LIMIT_EXCEEDED (the matrix extent
 *         overflows); ::HOGFEAT_ERR_NONFINITE (a decision value is NaN; labels of
 *         earlier rows may have been written).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_predict(const hogfeat_linsvm *model, const float *features,
                                                  size_t num_samples, size_t num_features,
                                                  size_t row_stride, int32_t *out_labels);

/**
 * @brief Decision values, K per sample, row-major.
 * @param[in]  model        Handle.
 * @param[in]  features     Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_samples  Rows.
 * @param[in]  num_features Must equal hogfeat_linsvm_num_features().
 * @param[in]  row_stride   Floats between rows, >= @p num_features.
 * @param[out] out_scores   Buffer of @p out_capacity floats.
 * @param[in]  out_capacity >= num_samples * K.
 * A NaN row gives NaN scores (no error), so callers can see which row it was.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written);
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED.
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_decision_function(const hogfeat_linsvm *model,
                                                            const float *features, size_t num_samples,
                                                            size_t num_features, size_t row_stride,
                                                            float *out_scores, size_t out_capacity);

/**
 * @brief Serialise to a caller buffer in the model file format (docs/model-format.md).
 * @param[in]  model        Handle.
 * @param[out] buffer       Destination, or NULL to query the size.
 * @param[in]  capacity     Bytes available at @p buffer.
 * @param[out] out_size     Receives the bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL
 *         (nothing written, @p out_size holds the size needed).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_save(const hogfeat_linsvm *model, void *buffer, size_t capacity,
                                               size_t *out_size);

/**
 * @brief Load a linear SVM from bytes in the model file format.
 *
 * Accepts a file saved by hogfeat_linsvm_save() or by hogfeat_pipeline_save()
 * of a pipeline holding a linear SVM (its feature extractor is ignored).
 * Copies what it needs; @p data is not referenced afterwards.
 * @param[in]  data      Bytes.
 * @param[in]  size      Byte count.
 * @param[in]  limits    Size limits, or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_CORRUPT_DATA;
 *         ::HOGFEAT_ERR_CHECKSUM; ::HOGFEAT_ERR_VERSION_MISMATCH; ::HOGFEAT_ERR_MODEL_KIND
 *         (another classifier); ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_NONFINITE
 *         (NaN weights); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_load(const void *data, size_t size, const hogfeat_limits *limits,
                                               hogfeat_linsvm **out_model);

/**
 * @brief Save to a file atomically: write a temporary file beside @p path,
 *        fsync it, rename it over @p path, fsync the directory.
 *
 * On any failure @p path is untouched and the temporary file is removed.
 * @param[in] model Handle.
 * @param[in] path  Destination file name.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_IO; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe on a shared model; concurrent saves to one path leave one complete file.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_save_file(const hogfeat_linsvm *model, const char *path);

/**
 * @brief Load a linear SVM from a file (see hogfeat_linsvm_load()).
 * @param[in]  path      File name.
 * @param[in]  limits    Size limits, or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return As hogfeat_linsvm_load(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_load_file(const char *path, const hogfeat_limits *limits,
                                                    hogfeat_linsvm **out_model);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_LINSVM_H */
