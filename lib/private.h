/* Internals shared across lib/. Never installed. */
#ifndef HOGFEAT_PRIVATE_H
#define HOGFEAT_PRIVATE_H

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
    hogfeat__binparams bins; /* derived from orientations and signedness */
};

/* Exact orientation bin of a gradient, as scikit-image computes it in
 * double precision; -1 when the angle falls in no bin. */
int hogfeat__hog_reference_bin(double gx, double gy, int32_t nbins, int is_signed);

#ifdef HOGFEAT_TESTING
/* Test-build hooks (tests link a static copy of lib/ built with HOGFEAT_TESTING). */
void hogfeat__test_alloc_reset(void);
/* Fail the nth allocation from now (1 = the next one); persistent: every one after too. 0 disables. */
void hogfeat__test_alloc_fail_at(long nth, int persistent);
size_t hogfeat__test_alloc_count(void);
size_t hogfeat__test_alloc_failures(void);
#endif

#endif /* HOGFEAT_PRIVATE_H */
