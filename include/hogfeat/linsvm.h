/**
 * @file linsvm.h
 * @brief Linear support vector machine: L2-regularised L2-loss or L1-loss
 *        SVM trained by dual coordinate descent; one-vs-rest, one-vs-one or
 *        Crammer-Singer for K classes; optional calibrated probabilities;
 *        LIBLINEAR and OpenCV interchange.
 *
 * The solver is the one of LIBLINEAR (@c -s 1 and @c -s 3; Hsieh et al.,
 * "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008),
 * with its shrinking heuristic and stopping rule, on dense float32 rows that
 * it reads in place (no copy of the data).
 *
 * Classes are the distinct labels sorted ascending; "class j" is labels[j].
 * Every hyperplane v gives f_v = w_v.x + w_b,v * B.
 *
 * @par One-vs-rest (::HOGFEAT_SVM_OVR, the default)
 * For K = 2 one hyperplane w separates labels[1] (positive) from labels[0];
 * the decision values are (-f, f). For K > 2 class j has its own hyperplane
 * against all others (vector j), the decision values are (f_0 .. f_K-1), and
 * the prediction is the class with the largest decision value (the lowest
 * class index on an exact tie).
 *
 * @par One-vs-one (::HOGFEAT_SVM_OVO)
 * One binary problem per pair of classes (i, j), i < j, trained on the rows
 * of those two classes only (read in place through a list of row numbers)
 * with class j positive, each class's rows with its own weighted C (as
 * libsvm does); with K = 2 the one pair is the one-vs-rest problem, bit for
 * bit. Vector p is pair p in the order (0,1), (0,2), ...,
 * (0,K-1), (1,2), ..., (K-2,K-1), so p = i (2K - i - 1) / 2 + j - i - 1;
 * K (K - 1) / 2 vectors in all. Each pair votes for j when f_p > 0, else for
 * i. The decision value of class k is, as scikit-learn's
 * @c OneVsOneClassifier.decision_function computes it,
 * votes_k + s_k / (3 (|s_k| + 1)), where s_k sums +f_p over the pairs in
 * which k is j and -f_p over those in which k is i (computed in double,
 * rounded to float once). The second term lies in (-1/3, 1/3), so the
 * prediction, the class with the largest decision value, is the class with
 * the most votes; among classes with as many votes, the one with the
 * largest s_k; among those, the lowest class index. Ties are judged on the
 * float values decision_function returns, so two s_k that round to the same
 * decision value count as equal.
 *
 * @par Crammer-Singer (::HOGFEAT_SVM_CRAMMER_SINGER)
 * One joint problem over all classes (Crammer and Singer, JMLR 2001), solved
 * as LIBLINEAR's @c -s 4 does: K vectors, also for K = 2; decision values
 * (f_0 .. f_K-1) and the prediction their argmax (lowest index on a tie).
 * The loss setting does not apply (the problem has its own multi-class
 * hinge loss; the model records ::HOGFEAT_SVM_LOSS_HINGE).
 *
 * @par Probabilities
 * With hogfeat_linsvm_params_set_probability() training also fits, on
 * decision values of rows held out by a stratified k-fold cross-validation
 * (k = 5 by default, folds drawn from the seed), the numerically robust
 * Platt sigmoid of Lin, Lin and Weng (Machine Learning 68, 2007; libsvm's
 * @c sigmoid_train) P(positive | f) = 1 / (1 + exp(A f + B)) for every
 * binary problem. hogfeat_linsvm_predict_proba() then gives: one-vs-rest
 * K = 2, (1 - P, P); K > 2, the K sigmoids divided by their sum; one-vs-one,
 * libsvm's pairwise coupling (Wu, Lin and Weng, JMLR 2004, method 2) of the
 * pair probabilities, each clipped to [1e-7, 1 - 1e-7]; Crammer-Singer, a
 * softmax of the decision values with a fitted temperature,
 * p_k = exp(s f_k) / sum_j exp(s f_j), s >= 0 minimising the held-out
 * cross-entropy against Platt's smoothed targets (the true class gets
 * (n_c + 1) / (n_c + 2), the others share the rest). The model itself is
 * trained on all rows, as libsvm does: its weights are the same, bit for
 * bit, with or without the calibration.
 *
 * A bias B > 0 appends a constant feature B to every sample, as LIBLINEAR's
 * @c -B does: f = w.x + w_b * B, and w_b is regularised like the rest.
 */
#ifndef HOGFEAT_LINSVM_H
#define HOGFEAT_LINSVM_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/hog.h>
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

/** How K classes are separated (see the file description). Values are pinned. @since 0.5 */
typedef enum hogfeat_svm_multiclass {
    HOGFEAT_SVM_OVR = 1,            /**< One-vs-rest (default): K binary problems, 1 for K = 2. */
    HOGFEAT_SVM_OVO = 2,            /**< One-vs-one voting: K (K - 1) / 2 binary problems. */
    HOGFEAT_SVM_CRAMMER_SINGER = 3  /**< Crammer-Singer joint problem, LIBLINEAR -s 4. */
} hogfeat_svm_multiclass;

/**
 * @brief Training progress callback.
 * @param user_data     The pointer given to hogfeat_linsvm_params_set_progress().
 * @param classes_done  Problems finished so far.
 * @param classes_total Problems in all: for one-vs-rest 1 when K = 2, else K;
 *                      for one-vs-one K (K - 1) / 2; for Crammer-Singer 1;
 *                      times (1 + folds) when probabilities are trained (the
 *                      cross-validation models count too).
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
 * @brief Set the loss of the binary problems (one-vs-rest, one-vs-one;
 *        Crammer-Singer has its own and ignores this).
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
 * @brief Set the cap on solver passes over the data, per problem (each binary
 *        problem, or the one Crammer-Singer problem, for which LIBLINEAR uses 100000).
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
 * @brief Threads training problems in parallel (one-vs-rest classes, one-vs-one pairs,
 *        cross-validation models); results do not depend on it, bit for bit.
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
 * @param[in] user_data Kept in @p params and passed back unchanged; may be NULL. The library
 *                      never dereferences or frees it.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER if @p params is NULL.
 * @threadsafety Safe on distinct handles. With several threads the callback
 *         runs concurrently and must be thread-safe itself.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_progress(hogfeat_linsvm_params *params,
                                                              hogfeat_progress_fn callback,
                                                              void *user_data);

/**
 * @brief Choose the multi-class strategy.
 * @param[in] params     Handle.
 * @param[in] multiclass A ::hogfeat_svm_multiclass (default ::HOGFEAT_SVM_OVR).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT (not a
 *         ::hogfeat_svm_multiclass value; @p params unchanged).
 * @threadsafety Safe on distinct handles.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_multiclass(hogfeat_linsvm_params *params,
                                                                hogfeat_svm_multiclass multiclass);

/**
 * @brief The multi-class strategy set in @p params. @param[in] params Handle.
 * @return A ::hogfeat_svm_multiclass value, or 0 if @p params is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int hogfeat_linsvm_params_get_multiclass(const hogfeat_linsvm_params *params);

/**
 * @brief Also fit calibrated probabilities (Platt scaling on cross-validated
 *        decision values; see the file description).
 *
 * Training then costs about 1 + folds times as much, and every class needs
 * at least as many rows as there are folds.
 * @param[in] params  Handle.
 * @param[in] enabled 1 to fit them, 0 not to (default 0).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT (not 0 or 1).
 * @threadsafety Safe on distinct handles.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_probability(hogfeat_linsvm_params *params, int enabled);

/**
 * @brief Number of cross-validation folds for the probability fit.
 * @param[in] params Handle.
 * @param[in] folds  2 to 100 (default 5).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_params_set_probability_folds(hogfeat_linsvm_params *params,
                                                                       int32_t folds);

/**
 * @brief Train a linear SVM.
 *
 * Borrows @p features and @p labels for the duration of the call only.
 * @param[in]  params       Parameters, or NULL for the defaults.
 * @param[in]  features     Row-major float32 matrix, @p num_samples rows (borrowed for the
 *                          call, read in place, not kept).
 * @param[in]  num_samples  Rows, >= 2.
 * @param[in]  num_features Columns, >= 1.
 * @param[in]  row_stride   Floats from one row to the next, >= @p num_features.
 * @param[in]  labels       One label per row; at least two distinct values (borrowed for the
 *                          call; the model keeps its own copy of the distinct labels).
 * @param[out] out_model    Receives the model; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (num_features 0, C times a class weight overflowing); ::HOGFEAT_ERR_BAD_STRIDE
 *         (stride < num_features); ::HOGFEAT_ERR_BAD_TRAINING_SET (no samples, fewer than 2
 *         samples or classes; with probabilities, a class with fewer rows than
 *         folds); ::HOGFEAT_ERR_NONFINITE (a NaN or infinite feature,
 *         or weights diverging with an extreme C); ::HOGFEAT_ERR_LIMIT_EXCEEDED
 *         (sizes overflow, more than 65536 classes, one-vs-one weights beyond
 *         size_t); ::HOGFEAT_ERR_CANCELLED; ::HOGFEAT_ERR_OUT_OF_MEMORY.
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
 * @param[out] out_labels   Caller's buffer of @p out_capacity labels, written during the call only.
 * @param[in]  out_capacity >= K.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written).
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_get_labels(const hogfeat_linsvm *model, int32_t *out_labels,
                                                     size_t out_capacity);

/**
 * @brief Weights of one hyperplane, followed by the bias weight w_b.
 * @param[in] model        Handle.
 * @param[in] vector_index 0 to hogfeat_linsvm_num_vectors() - 1: one-vs-rest 0 for K = 2,
 *                         else the class index; one-vs-one the pair index ((0,1), (0,2), ...,
 *                         see the file description); Crammer-Singer the class index.
 * @return num_features + 1 floats borrowed from the model, valid until it is
 *         destroyed; NULL if @p model is NULL or the index is out of range.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const float *hogfeat_linsvm_weights(const hogfeat_linsvm *model, size_t vector_index);

/**
 * @brief Number of weight vectors: one-vs-rest 1 for K = 2, else K; one-vs-one
 *        K (K - 1) / 2; Crammer-Singer K. @param[in] model Handle.
 * @return The count, or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API size_t hogfeat_linsvm_num_vectors(const hogfeat_linsvm *model);

/**
 * @brief The multi-class strategy the model was trained with. @param[in] model Handle.
 * @return A ::hogfeat_svm_multiclass value (::HOGFEAT_SVM_OVR for models of format 1.1 and
 *         earlier), or 0 if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int hogfeat_linsvm_multiclass(const hogfeat_linsvm *model);

/**
 * @brief Whether the model holds a probability calibration (trained with
 *        hogfeat_linsvm_params_set_probability(), or loaded with one).
 * @param[in] model Handle.
 * @return 1 if it does; 0 if not or if @p model is NULL.
 * @threadsafety Thread-safe. @since 0.5
 */
HOGFEAT_API int hogfeat_linsvm_has_probability(const hogfeat_linsvm *model);

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
 * @param[out] out_labels   Caller's buffer of @p num_samples labels, written during the call only.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_LIMIT_EXCEEDED (the matrix extent
 *         overflows); ::HOGFEAT_ERR_NONFINITE (a decision value is NaN; labels of
 *         earlier rows may have been written); ::HOGFEAT_ERR_OUT_OF_MEMORY (one-vs-one
 *         models only: K scores of scratch, allocated once per call).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_predict(const hogfeat_linsvm *model, const float *features,
                                                  size_t num_samples, size_t num_features,
                                                  size_t row_stride, int32_t *out_labels);

/**
 * @brief Decision values, K per sample, row-major (per strategy: see the file description).
 * @param[in]  model        Handle.
 * @param[in]  features     Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_samples  Rows.
 * @param[in]  num_features Must equal hogfeat_linsvm_num_features().
 * @param[in]  row_stride   Floats between rows, >= @p num_features.
 * @param[out] out_scores   Caller's buffer of @p out_capacity floats, written during the call only.
 * @param[in]  out_capacity >= num_samples * K.
 * A NaN row gives NaN scores (no error), so callers can see which row it was.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_DIMENSION_MISMATCH;
 *         ::HOGFEAT_ERR_BAD_STRIDE; ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written);
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_OUT_OF_MEMORY (one-vs-one only, as
 *         hogfeat_linsvm_predict()).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_decision_function(const hogfeat_linsvm *model,
                                                            const float *features, size_t num_samples,
                                                            size_t num_features, size_t row_stride,
                                                            float *out_scores, size_t out_capacity);

/**
 * @brief Class probabilities, K per sample, row-major, each row summing to 1
 *        (within float rounding).
 *
 * Needs a model trained with hogfeat_linsvm_params_set_probability(); the
 * method per strategy is in the file description. The argmax of a row is
 * usually, but not always, the predicted label (Platt's sigmoids are fitted
 * per problem). A row with a NaN decision value gives K NaN (no error).
 * @param[in]  model             Handle.
 * @param[in]  features          Row-major float32 matrix (borrowed for the call).
 * @param[in]  num_samples       Rows (0 is allowed and writes nothing; the arrays may then be NULL).
 * @param[in]  num_features      Must equal hogfeat_linsvm_num_features().
 * @param[in]  row_stride        Floats between rows, >= @p num_features.
 * @param[out] out_probabilities Caller's buffer of @p out_capacity floats, written during the call only.
 * @param[in]  out_capacity      >= num_samples * K.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (the model has
 *         no probability calibration); ::HOGFEAT_ERR_DIMENSION_MISMATCH; ::HOGFEAT_ERR_BAD_STRIDE;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written); ::HOGFEAT_ERR_LIMIT_EXCEEDED;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY (scratch: 3 K doubles, plus K^2 for one-vs-one).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_predict_proba(const hogfeat_linsvm *model, const float *features,
                                                        size_t num_samples, size_t num_features,
                                                        size_t row_stride, float *out_probabilities,
                                                        size_t out_capacity);

/**
 * @brief Serialise to a caller buffer in the model file format (docs/model-format.md).
 * @param[in]  model        Handle.
 * @param[out] buffer       Caller's buffer of @p capacity bytes, written during the call only;
 *                          or NULL to query the size.
 * @param[in]  capacity     Bytes available at @p buffer.
 * @param[out] out_size     Receives the bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BUFFER_TOO_SMALL
 *         (nothing written, @p out_size holds the size needed); ::HOGFEAT_ERR_LIMIT_EXCEEDED
 *         (the serialised size overflows size_t, possible only on 32-bit hosts).
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
 * @param[in]  data      Bytes (read during the call; copied from, not referenced afterwards).
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
 * @param[in] path  Destination file name (read during the call, not kept).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_IO; ::HOGFEAT_ERR_OUT_OF_MEMORY;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED (as hogfeat_linsvm_save()).
 * @threadsafety Thread-safe on a shared model; concurrent saves to one path leave one complete file.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_save_file(const hogfeat_linsvm *model, const char *path);

/**
 * @brief Load a linear SVM from a file (see hogfeat_linsvm_load()).
 * @param[in]  path      File name (read during the call, not kept).
 * @param[in]  limits    Size limits, or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return As hogfeat_linsvm_load(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_load_file(const char *path, const hogfeat_limits *limits,
                                                    hogfeat_linsvm **out_model);

/**
 * @brief Write the model as LIBLINEAR's model text (what @c save_model of
 *        LIBLINEAR 2.x writes and @c load_model, @c liblinear-predict read).
 *
 * Lines: @c solver_type (@c L2R_L2LOSS_SVC_DUAL or @c L2R_L1LOSS_SVC_DUAL for
 * one-vs-rest by loss, @c MCSVM_CS for Crammer-Singer), @c nr_class, @c label,
 * @c nr_feature, @c bias (B, or -1 without a bias), @c w, then one line per
 * feature (the bias feature last) with that feature's weight in each vector,
 * each value followed by a space. Labels are in LIBLINEAR's column order:
 * ascending, except that a two-class model lists labels[1] first, because
 * LIBLINEAR's single two-class vector favours its first label. Weights are
 * printed with @c "%.9g", which gives back the same float32 bits when read,
 * always with a '.' decimal point whatever the locale (the library never
 * calls setlocale()). LIBLINEAR predicts a two-class Crammer-Singer model by
 * the sign of the first decision value, not the argmax: the weights here
 * satisfy w_0 = -w_1 only up to rounding, so rows with f_0 near 0 may differ.
 * @param[in]  model    Handle (one-vs-rest or Crammer-Singer).
 * @param[out] buffer   Caller's buffer of @p capacity bytes, written during the call only; or NULL
 *                      to query the size. The text is not NUL-terminated.
 * @param[in]  capacity Bytes available at @p buffer.
 * @param[out] out_size Receives the bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (a one-vs-one
 *         model: LIBLINEAR has none); ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written,
 *         @p out_size holds the size needed); ::HOGFEAT_ERR_LIMIT_EXCEEDED;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY (the C locale object could not be created).
 * @threadsafety Thread-safe on a shared model.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_export_liblinear(const hogfeat_linsvm *model, char *buffer,
                                                           size_t capacity, size_t *out_size);

/**
 * @brief hogfeat_linsvm_export_liblinear() into a file, atomically (as
 *        hogfeat_linsvm_save_file(): on failure @p path is untouched).
 * @param[in] model Handle.
 * @param[in] path  Destination file name (read during the call, not kept).
 * @return As hogfeat_linsvm_export_liblinear() (but never ::HOGFEAT_ERR_BUFFER_TOO_SMALL),
 *         plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe on a shared model; concurrent writes to one path leave one complete file.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_export_liblinear_file(const hogfeat_linsvm *model, const char *path);

/**
 * @brief Read LIBLINEAR's model text into a model.
 *
 * Accepts the solver types @c L2R_L2LOSS_SVC_DUAL, @c L2R_L2LOSS_SVC and
 * @c L1R_L2LOSS_SVC (recorded as ::HOGFEAT_SVM_LOSS_SQUARED_HINGE),
 * @c L2R_L1LOSS_SVC_DUAL (::HOGFEAT_SVM_LOSS_HINGE), all one-vs-rest, and
 * @c MCSVM_CS (::HOGFEAT_SVM_CRAMMER_SINGER). Header keywords may come in any
 * order before @c w; tokens are separated by any white space; nothing but
 * white space may follow the weights. Numbers are read in the C locale,
 * whatever LC_NUMERIC says, and weights are rounded to float32 (a file from
 * hogfeat_linsvm_export_liblinear() gives back the same bits). Labels are
 * sorted ascending; a two-class vector is negated when LIBLINEAR's first label
 * is the smaller one (an exact negation), so predictions agree except on rows
 * whose decision value is exactly 0. A bias < 0 means none (B = 0); C,
 * tolerance and max_iterations are not in the text and read as 0.
 * Copies what it needs; @p text is not referenced afterwards.
 * @param[in]  text      Model text, @p size bytes, not necessarily NUL-terminated (read during
 *                       the call only).
 * @param[in]  size      Bytes of text.
 * @param[in]  limits    Size limits (classes, features, total bytes), or NULL for the defaults.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_CORRUPT_DATA (empty text, a
 *         missing, repeated or unknown keyword, a malformed number, fewer than 2 classes or 1
 *         feature, a label twice, too few weights, trailing text); ::HOGFEAT_ERR_MODEL_KIND
 *         (a LIBLINEAR solver type that is not a linear SVM classifier: logistic regression,
 *         regression, one-class); ::HOGFEAT_ERR_NONFINITE (a NaN or infinite bias or weight,
 *         or a weight beyond float range); ::HOGFEAT_ERR_LIMIT_EXCEEDED;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_import_liblinear(const char *text, size_t size,
                                                           const hogfeat_limits *limits,
                                                           hogfeat_linsvm **out_model);

/**
 * @brief hogfeat_linsvm_import_liblinear() from a file (e.g. one written by
 *        @c liblinear-train).
 * @param[in]  path      File name (read during the call, not kept).
 * @param[in]  limits    Size limits, or NULL for the defaults; the file's bytes count against
 *                       ::HOGFEAT_LIMIT_MAX_TOTAL_BYTES.
 * @param[out] out_model Receives the model; set to NULL on failure.
 * @return As hogfeat_linsvm_import_liblinear(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_import_liblinear_file(const char *path, const hogfeat_limits *limits,
                                                                hogfeat_linsvm **out_model);

/**
 * @brief The vector cv::HOGDescriptor::setSVMDetector() expects, for a
 *        two-class model trained on HOG descriptors of @p width x @p height
 *        windows computed with @p hog.
 *
 * The weights are reordered from @p hog's layout into OpenCV's block and
 * cell order (as hogfeat_hog_convert_layout() does), and the bias term
 * w_b * B follows as the last element, which OpenCV adds to the dot product
 * (its rho): a window is a detection when w.x + w_b B >= hitThreshold, so
 * the detected class is labels[1], the larger label (train objects as 1 and
 * background as 0, or -1). The result detects with OpenCV's own descriptor
 * only if @p hog computes that descriptor: ::HOGFEAT_HOG_PRESET_OPENCV with
 * OpenCV's window, block, stride, cell and bin settings.
 * @param[in]  model    Handle with one hyperplane (two classes, one-vs-rest or one-vs-one).
 * @param[in]  hog      The HOG configuration the model was trained with.
 * @param[in]  width    Window width in pixels.
 * @param[in]  height   Window height in pixels.
 * @param[out] out      Caller's buffer of @p capacity floats, written during the call only; or
 *                      NULL to query the length.
 * @param[in]  capacity Floats available at @p out.
 * @param[out] out_len  Receives the length (HOG length + 1), written or needed.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_MODEL_KIND (more than one
 *         hyperplane); ::HOGFEAT_ERR_DIMENSION_MISMATCH (the HOG length differs from the
 *         model's feature count); ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written); and the
 *         errors of hogfeat_hog_feature_length().
 * @threadsafety Thread-safe on a shared model and configuration.
 * @since 0.5
 */
HOGFEAT_API hogfeat_status hogfeat_linsvm_export_opencv_detector(const hogfeat_linsvm *model,
                                                                 const hogfeat_hog_config *hog, size_t width,
                                                                 size_t height, float *out, size_t capacity,
                                                                 size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_LINSVM_H */
