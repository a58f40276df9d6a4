/* Scalar reference kernels: the specification every ISA table must match. */
#include <math.h>

#include "kernels.h"

#define HF_PI_F 3.14159265358979323846f

/* atan(t) for t in [0, 1]: odd polynomial fitted to |error| < 2.5e-7 rad.
 * The binning margin (hog.c) covers this error plus float rounding. */
static inline float atan01(float t)
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
static inline uint16_t bin_of(float gx, float gy, const hogfeat__binparams *bp)
{
    float ax = fabsf(gx), ay = fabsf(gy);
    if (ay == 0.0f)
        return bp->dir_bin[gx < 0.0f ? 4 : 0];
    if (ax == 0.0f)
        return bp->dir_bin[gy > 0.0f ? 2 : 6];
    if (ax == ay)
        return bp->dir_bin[gy > 0.0f ? (gx > 0.0f ? 1 : 3) : (gx > 0.0f ? 7 : 5)];
    float lo = ax < ay ? ax : ay, hi = ax < ay ? ay : ax;
    float r = atan01(lo / hi);
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

static size_t grad_bin_row_scalar(const float *prev, const float *cur, const float *next,
                                  int channels, size_t width, size_t count,
                                  const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    const size_t nc = (size_t)channels;
    size_t rechecks = 0;
    for (size_t x = 0; x < count; x++) {
        int has_x = x > 0 && x + 1 < width;
        size_t i = x * nc;
        float gx = has_x ? cur[i + nc] - cur[i - nc] : 0.0f;
        float gy = prev ? next[i] - prev[i] : 0.0f;
        float m;
        if (nc == 1) {
            m = sqrtf(gx * gx + gy * gy);
        } else {
            /* The channel with the largest magnitude, compared as scikit-image
             * does: float32 hypot, i.e. the double result rounded once. The
             * first channel wins ties and a NaN wins, like numpy's argmax. */
            m = (float)sqrt((double)gx * gx + (double)gy * gy);
            for (size_t c = 1; c < nc; c++) {
                float cx = has_x ? cur[i + c + nc] - cur[i + c - nc] : 0.0f;
                float cy = prev ? next[i + c] - prev[i + c] : 0.0f;
                float cm = (float)sqrt((double)cx * cx + (double)cy * cy);
                if (cm > m || (cm != cm && m == m)) {
                    m = cm;
                    gx = cx;
                    gy = cy;
                }
            }
        }
        mag[x] = m;
        uint16_t b = bin_of(gx, gy, bp);
        rechecks += b == HOGFEAT__BIN_RECHECK;
        bin[x] = b;
    }
    return rechecks;
}

static void cell_accumulate_row_scalar(const float *mag, const uint16_t *bin, size_t n_cells,
                                       int32_t cell_w, int32_t nbins, float *hist_row)
{
    for (size_t c = 0; c < n_cells; c++) {
        float *h = hist_row + c * (size_t)nbins;
        for (int32_t k = 0; k < cell_w; k++, mag++, bin++)
            h[*bin] += *mag;
    }
}

static void normalize_block_scalar(const float *first, size_t row_stride, int32_t block_w,
                                   int32_t block_h, int32_t nbins, hogfeat_norm norm, float *out)
{
    const double eps = 1e-5;
    size_t row_len = (size_t)block_w * (size_t)nbins;
    double sum = 0.0;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < row_len; i++)
            sum += norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT ? fabs((double)v[i])
                                                                           : (double)v[i] * v[i];
    }
    /* Divide (not multiply by a reciprocal) as scikit-image does, so results
     * round as numpy's do. */
    double denom = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT ? sum + eps
                                                                           : sqrt(sum + eps * eps);
    float *o = out;
    double sum2 = 0.0;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < row_len; i++, o++) {
            double q = (double)v[i] / denom;
            switch (norm) {
            case HOGFEAT_NORM_L1_SQRT: q = sqrt(q); break;
            case HOGFEAT_NORM_L2HYS:
                q = q < 0.2 ? q : 0.2;
                sum2 += q * q;
                break;
            default: break;
            }
            *o = (float)q;
        }
    }
    if (norm == HOGFEAT_NORM_L2HYS) {
        /* Second pass needs the clipped values in double; recompute them. */
        double denom2 = sqrt(sum2 + eps * eps);
        o = out;
        for (int32_t r = 0; r < block_h; r++) {
            const float *v = first + (size_t)r * row_stride;
            for (size_t i = 0; i < row_len; i++, o++) {
                double q = (double)v[i] / denom;
                q = q < 0.2 ? q : 0.2;
                *o = (float)(q / denom2);
            }
        }
    }
}

const hogfeat__kernels hogfeat__kernels_scalar = {
    "scalar",
    grad_bin_row_scalar,
    cell_accumulate_row_scalar,
    normalize_block_scalar,
};
