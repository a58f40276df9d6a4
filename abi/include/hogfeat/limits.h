/**
 * @file limits.h
 * @brief Size limits applied when reading untrusted input (model files,
 *        IDX datasets, PGM images).
 *
 * Every size read from a file is checked against these limits and against
 * the bytes actually present before anything is allocated. Pass NULL to a
 * reader to use the defaults.
 */
#ifndef HOGFEAT_LIMITS_H
#define HOGFEAT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque set of input limits. */
typedef struct hogfeat_limits hogfeat_limits;

/** Which limit a setter or getter addresses. Values are pinned. */
typedef enum hogfeat_limit {
    HOGFEAT_LIMIT_MAX_PIXELS = 1,      /**< Pixels of one image (default and maximum 2^28). */
    HOGFEAT_LIMIT_MAX_ITEMS = 2,       /**< Images or labels in one dataset file (default 2^24). */
    HOGFEAT_LIMIT_MAX_CLASSES = 3,     /**< Classes in one model (default 65536). */
    HOGFEAT_LIMIT_MAX_FEATURES = 4,    /**< Feature dimension of one model (default 2^24). */
    HOGFEAT_LIMIT_MAX_SAMPLES = 5,     /**< Stored training samples of a KNN model (default 2^24). */
    HOGFEAT_LIMIT_MAX_TOTAL_BYTES = 6  /**< Bytes one read may allocate in total (default 2^33 = 8 GiB; SIZE_MAX on 32-bit). */
} hogfeat_limit;

/**
 * @brief Create a set of limits holding the defaults.
 * @param[out] out_limits Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_limits_create(hogfeat_limits **out_limits);

/**
 * @brief Free a set of limits. NULL is a no-op.
 * @param[in] limits Handle or NULL.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_limits_destroy(hogfeat_limits *limits);

/**
 * @brief Set one limit.
 * @param[in] limits Handle.
 * @param[in] which  A ::hogfeat_limit.
 * @param[in] value  New value, >= 1 and at most the default for ::HOGFEAT_LIMIT_MAX_PIXELS.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while a reader uses @p limits.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_limits_set(hogfeat_limits *limits, hogfeat_limit which, size_t value);

/**
 * @brief Read one limit.
 * @param[in] limits Handle, or NULL for the defaults.
 * @param[in] which  A ::hogfeat_limit.
 * @return The value; 0 for an unknown @p which.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API size_t hogfeat_limits_get(const hogfeat_limits *limits, hogfeat_limit which);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_LIMITS_H */
