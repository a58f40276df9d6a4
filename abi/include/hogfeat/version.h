/**
 * @file version.h
 * @brief Compile-time and run-time version of libhogfeat.
 *
 * ABI promise: within one SONAME (@c libhogfeat.so.0) no
 * exported function is removed and no signature or documented behaviour
 * changes; releases only add.
 */
#ifndef HOGFEAT_VERSION_H
#define HOGFEAT_VERSION_H

#include <hogfeat/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of the headers in use. */
#define HOGFEAT_VERSION_MAJOR 0
/** Minor version of the headers in use. */
#define HOGFEAT_VERSION_MINOR 2
/** Patch version of the headers in use. */
#define HOGFEAT_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, comparable with hogfeat_version_number(). */
#define HOGFEAT_VERSION_NUMBER \
    (HOGFEAT_VERSION_MAJOR * 10000 + HOGFEAT_VERSION_MINOR * 100 + HOGFEAT_VERSION_PATCH)
/** "MAJOR.MINOR.PATCH" of the headers in use. */
#define HOGFEAT_VERSION_STRING "0.2.0"

/**
 * @brief Version of the library actually loaded, as MAJOR * 10000 + MINOR * 100 + PATCH.
 *
 * Compare with @c HOGFEAT_VERSION_NUMBER to detect a header/library mismatch.
 * @return The run-time version number.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API int hogfeat_version_number(void);

/**
 * @brief Version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 * @return A static string; never NULL; do not free.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API const char *hogfeat_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_VERSION_H */
