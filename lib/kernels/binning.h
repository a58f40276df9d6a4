/* Scalar orientation binning shared by scalar.c (the specification) and the
 * tails of the SIMD kernels, so every table bins edge pixels identically. */
#ifndef HOGFEAT_KERNELS_BINNING_H
#define HOGFEAT_KERNELS_BINNING_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

#define HF_PI_F 3.14159265358979323846f

/* atan(t) for t in [0, 1]: odd polynomial fitted to |error| < 2.5e-7 rad.
 * The binning margin (hog.c) covers this error plus float rounding. */
static inline float hogfeat__atan01(float t)
{
    float t2 = t * t;
    float p = 0.00681178196f;
    p = p * t2 - 0.0336041967f;
    p = p * t2 + 0.079623663f;
    p = p * t2 - 0.132333432f;
    p = p * t2 + 0.198078166f;
    p = p * t2 - 0.333173683f;
    p = p * t2 + 0.999996112f;
    return p * t;
}

/* Bin of one gradient; the exact special directions are resolved from bp->dir_bin. */
static inline uint16_t hogfeat__bin_of(float gx, float gy, const hogfeat__binparams *bp)
{
    float ax = fabsf(gx), ay = fabsf(gy);
    if (ay == 0.0f)
        return bp->dir_bin[gx < 0.0f ? 4 : 0];
    if (ax == 0.0f)
        return bp->dir_bin[gy > 0.0f ? 2 : 6];
    if (ax == ay)
        return bp->dir_bin[gy > 0.0f ? (gx > 0.0f ? 1 : 3) : (gx > 0.0f ? 7 : 5)];
    float lo = ax < ay ? ax : ay, hi = ax < ay ? ay : ax;
    float r = hogfeat__atan01(lo / hi);
    if (ay > ax)
        r = 0.5f * HF_PI_F - r;
    if (gx < 0.0f)
        r = HF_PI_F - r;
    if (gy < 0.0f)
        r = -r;
    if (r < 0.0f)
        r += bp->is_signed ? 2.0f * HF_PI_F : HF_PI_F;
    float pos = r * bp->scale;
    /* NaN and out-of-range positions fail this test and go to the recheck. */
    if (!(pos >= 0.0f && pos < (float)bp->nbins))
        return HOGFEAT__BIN_RECHECK;
    int b = (int)pos;
    float frac = pos - (float)b;
    if (frac < bp->margin || frac > 1.0f - bp->margin)
        return HOGFEAT__BIN_RECHECK;
    return (uint16_t)b;
}

/* One pixel of a one-channel float row: gradient, float32-hypot magnitude
 * (double, rounded once: no overflow above 1.8e19 nor underflow below 1e-19)
 * and bin. prev == NULL on the first and last image row. Returns 1 when the
 * bin needs the exact recheck. */
static inline int hogfeat__pixel_f1(const float *prev, const float *cur, const float *next, size_t width, size_t x,
                                    const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    int has_x = x > 0 && x + 1 < width;
    float gx = has_x ? cur[x + 1] - cur[x - 1] : 0.0f;
    float gy = prev ? next[x] - prev[x] : 0.0f;
    mag[x] = (float)sqrt((double)gx * gx + (double)gy * gy);
    uint16_t b = hogfeat__bin_of(gx, gy, bp);
    bin[x] = b;
    return b == HOGFEAT__BIN_RECHECK;
}

/* The same for a one-channel uint8 row: gx*gx + gy*gy < 2^24 is exact in
 * float, so sqrtf gives the same exactly rounded magnitude. */
static inline int hogfeat__pixel_u8(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                                    size_t x, const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    int has_x = x > 0 && x + 1 < width;
    float gx = has_x ? (float)(cur[x + 1] - cur[x - 1]) : 0.0f;
    float gy = prev ? (float)(next[x] - prev[x]) : 0.0f;
    mag[x] = sqrtf(gx * gx + gy * gy);
    uint16_t b = hogfeat__bin_of(gx, gy, bp);
    bin[x] = b;
    return b == HOGFEAT__BIN_RECHECK;
}

#endif /* HOGFEAT_KERNELS_BINNING_H */
