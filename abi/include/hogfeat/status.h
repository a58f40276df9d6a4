/**
 * @file status.h
 * @brief Status codes returned by every fallible call, and their messages.
 *
 * Every fallible function returns a ::hogfeat_status. ::HOGFEAT_OK is zero;
 * errors are positive, their values are pinned and never renumbered or
 * reused, and new codes are only appended. On failure a call also records a
 * sentence saying why in thread-local storage, readable with
 * hogfeat_last_error_message(); successful calls leave it unchanged.
 */
#ifndef HOGFEAT_STATUS_H
#define HOGFEAT_STATUS_H

#include <hogfeat/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of a fallible call. Values are pinned: they never change. */
typedef enum hogfeat_status {
    HOGFEAT_OK = 0,                      /**< Success. */
    HOGFEAT_ERR_INVALID_ARGUMENT = 1,    /**< An argument is outside its documented range. */
    HOGFEAT_ERR_NULL_POINTER = 2,        /**< A required pointer or handle is NULL. */
    HOGFEAT_ERR_OUT_OF_MEMORY = 3,       /**< An allocation failed. */
    HOGFEAT_ERR_BUFFER_TOO_SMALL = 4,    /**< A caller's output buffer is shorter than needed; nothing was written. */
    HOGFEAT_ERR_IMAGE_TOO_SMALL = 5,     /**< The image cannot hold one block of cells. */
    HOGFEAT_ERR_BAD_GEOMETRY = 6,        /**< Zero width or height, or sizes that do not fit together. */
    HOGFEAT_ERR_BAD_STRIDE = 7,          /**< A row stride is shorter than a row or misaligned for the sample type. */
    HOGFEAT_ERR_UNSUPPORTED_FORMAT = 8,  /**< A pixel format or file variant this call does not handle. */
    HOGFEAT_ERR_NONFINITE = 9,           /**< NaN or infinity where finite values are required. */
    HOGFEAT_ERR_LIMIT_EXCEEDED = 10,     /**< A size exceeds a documented limit or overflows size arithmetic. */
    HOGFEAT_ERR_IO = 11,                 /**< A file could not be opened, read, written, synced or renamed. */
    HOGFEAT_ERR_CORRUPT_DATA = 12,       /**< Input bytes are truncated, inconsistent or fail their checksum. */
    HOGFEAT_ERR_VERSION_MISMATCH = 13,   /**< Data written by an incompatible format version. */
    HOGFEAT_ERR_DIMENSION_MISMATCH = 14, /**< Feature length differs from what the model or extractor expects. */
    HOGFEAT_ERR_BAD_TRAINING_SET = 15,   /**< Training data unusable: no samples, one class, k larger than the set. */
    HOGFEAT_ERR_CHECKSUM = 16,           /**< Stored checksum does not match the bytes. */
    HOGFEAT_ERR_CANCELLED = 17,          /**< A progress callback asked to stop. */
    HOGFEAT_ERR_MODEL_KIND = 18          /**< The model is absent or of another kind than the call needs. */
} hogfeat_status;

/**
 * @brief Short English description of a status code.
 * @param[in] status Any int; values that are not a known code get a generic text.
 * @return A static string; never NULL, never allocated, do not free.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API const char *hogfeat_strerror(int status);

/**
 * @brief Name of a status code's enum constant, e.g. "HOGFEAT_ERR_BAD_STRIDE".
 * @param[in] status Any int; unknown values give "HOGFEAT_ERR_UNKNOWN".
 * @return A static string; never NULL, do not free.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API const char *hogfeat_status_name(int status);

/**
 * @brief Detail of the last failure in the calling thread.
 *
 * Set by every call that returns an error, for example
 * "cell size 9x9 px does not fit a 4x4 image"; successful calls do not
 * clear it. Each thread has its own message.
 * @return A thread-local string, valid until the calling thread's next
 *         failing libhogfeat call; never NULL (empty before any failure).
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API const char *hogfeat_last_error_message(void);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_STATUS_H */
