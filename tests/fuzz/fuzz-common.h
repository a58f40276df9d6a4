/* Shared by the fuzz targets: a cursor over the fuzzer's bytes for targets
 * that take structured input, invariant checks that abort (so libFuzzer
 * records the input as a crash), and status contracts. Public API only. */
#ifndef HOGFEAT_FUZZ_COMMON_H
#define HOGFEAT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hogfeat/hogfeat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the library that the input broke: print and abort. */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n  ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n  last error message: %s\n", hogfeat_last_error_message());       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A status must be one a function documents; a failure must leave a message. */
static inline int fz_status_in(hogfeat_status st, const hogfeat_status *allowed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (allowed[i] == st)
            return 1;
    return 0;
}

#define FZ_EXPECT_STATUS(st, fn, ...)                                                              \
    do {                                                                                           \
        static const hogfeat_status allowed_[] = {__VA_ARGS__};                                    \
        hogfeat_status st_ = (st);                                                                 \
        FZ_CHECK(fz_status_in(st_, allowed_, sizeof allowed_ / sizeof allowed_[0]),                \
                 "%s returned %s, which it does not document", fn, hogfeat_status_name(st_));      \
        FZ_CHECK(st_ == HOGFEAT_OK || hogfeat_last_error_message()[0] != '\0',                     \
                 "%s failed with %s but left no message", fn, hogfeat_status_name(st_));           \
    } while (0)

/* Reads structured values from the input; past the end every value is 0. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

static inline uint8_t fz_u8(fz_reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static inline uint16_t fz_u16(fz_reader *r)
{
    uint16_t lo = fz_u8(r);
    return (uint16_t)(lo | (uint16_t)fz_u8(r) << 8);
}

static inline uint32_t fz_u32(fz_reader *r)
{
    uint32_t lo = fz_u16(r);
    return lo | (uint32_t)fz_u16(r) << 16;
}

/* lo + (a value from the input) mod (hi - lo + 1). */
static inline uint32_t fz_range(fz_reader *r, uint32_t lo, uint32_t hi)
{
    uint32_t span = hi - lo + 1;
    uint32_t v = span <= 256 ? fz_u8(r) : span <= 65536 ? fz_u16(r) : fz_u32(r);
    return span == 0 ? lo + v : lo + v % span;
}

static inline float fz_f32_bits(fz_reader *r)
{
    uint32_t u = fz_u32(r);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* A float from one byte: mostly tame values, sometimes extremes and non-finite ones. */
static inline float fz_f32_tame(fz_reader *r)
{
    uint8_t b = fz_u8(r);
    switch (b) {
    case 255: return 3.0e38f;
    case 254: return -3.0e38f;
    case 253: return 1.0e-40f; /* subnormal */
    case 252: return -0.0f;
    default: return (float)((int)b - 126) / 16.0f;
    }
}

static inline int32_t fz_i32(fz_reader *r)
{
    uint32_t u = fz_u32(r);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* malloc that treats failure as a harness problem, not a library finding. */
static inline void *fz_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "fuzz harness: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

#endif /* HOGFEAT_FUZZ_COMMON_H */
