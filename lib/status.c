#include <stdarg.h>
#include <stdio.h>

#include "private.h"

/* The one list of codes: X(code, name, message). A new code is one line here
 * and one enum constant in include/hogfeat/status.h. */
#define HOGFEAT_STATUS_MAP(X)                                                                      \
    X(HOGFEAT_OK, "success")                                                                       \
    X(HOGFEAT_ERR_INVALID_ARGUMENT, "invalid argument")                                            \
    X(HOGFEAT_ERR_NULL_POINTER, "required pointer is NULL")                                        \
    X(HOGFEAT_ERR_OUT_OF_MEMORY, "out of memory")                                                  \
    X(HOGFEAT_ERR_BUFFER_TOO_SMALL, "output buffer too small")                                     \
    X(HOGFEAT_ERR_IMAGE_TOO_SMALL, "image too small for one block")                                \
    X(HOGFEAT_ERR_BAD_GEOMETRY, "bad geometry")                                                    \
    X(HOGFEAT_ERR_BAD_STRIDE, "bad row stride")                                                    \
    X(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "unsupported format")                                        \
    X(HOGFEAT_ERR_NONFINITE, "NaN or infinite value")                                              \
    X(HOGFEAT_ERR_LIMIT_EXCEEDED, "size limit exceeded")                                           \
    X(HOGFEAT_ERR_IO, "input/output error")                                                        \
    X(HOGFEAT_ERR_CORRUPT_DATA, "corrupt or truncated data")                                       \
    X(HOGFEAT_ERR_VERSION_MISMATCH, "unsupported format version")                                 \
    X(HOGFEAT_ERR_DIMENSION_MISMATCH, "feature dimension mismatch")                                \
    X(HOGFEAT_ERR_BAD_TRAINING_SET, "unusable training set")                                       \
    X(HOGFEAT_ERR_CHECKSUM, "checksum mismatch")                                                   \
    X(HOGFEAT_ERR_CANCELLED, "cancelled by the progress callback")                                 \
    X(HOGFEAT_ERR_MODEL_KIND, "model absent or of another kind")

struct status_entry {
    int code;
    const char *name;
    const char *message;
};

#define HOGFEAT_STATUS_ENTRY(code, message) {code, #code, message},
static const struct status_entry status_table[] = {HOGFEAT_STATUS_MAP(HOGFEAT_STATUS_ENTRY)};
#undef HOGFEAT_STATUS_ENTRY

static const struct status_entry *find_status(int status)
{
    /* Codes are dense from 0, so the table is indexed directly. */
    if (status < 0 || (size_t)status >= sizeof status_table / sizeof status_table[0])
        return NULL;
    return &status_table[status];
}

const char *hogfeat_strerror(int status)
{
    const struct status_entry *entry = find_status(status);
    return entry ? entry->message : "unknown status code";
}

const char *hogfeat_status_name(int status)
{
    const struct status_entry *entry = find_status(status);
    return entry ? entry->name : "HOGFEAT_ERR_UNKNOWN";
}

static _Thread_local char last_error[512];

const char *hogfeat_last_error_message(void)
{
    return last_error;
}

hogfeat_status hogfeat__fail(hogfeat_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    /* Messages use only %s, %d, %zu and friends: no locale-dependent output. */
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return status;
}
