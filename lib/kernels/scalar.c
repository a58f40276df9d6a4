/* Scalar reference kernels: the specification every ISA table must match. */
#include <math.h>

#include "binning.h"
#include "kernels.h"

static size_t grad_bin_row_scalar(const float *prev, const float *cur, const float *next,
                                  int channels, size_t width, size_t count,
                                  const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    const size_t nc = (size_t)channels;
    size_t rechecks = 0;
    if (nc == 1) {
        for (size_t x = 0; x < count; x++)
            rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x, bp, mag, bin);
        return rechecks;
    }
    for (size_t x = 0; x < count; x++) {
        int has_x = x > 0 && x + 1 < width;
        size_t i = x * nc;
        float gx = has_x ? cur[i + nc] - cur[i - nc] : 0.0f;
        float gy = prev ? next[i] - prev[i] : 0.0f;
        /* Magnitude in double, rounded once: float32 hypot, which neither
         * overflows above 1.8e19 nor underflows below 1e-19 as gx*gx would. */
        float m = (float)sqrt((double)gx * gx + (double)gy * gy);
        if (nc > 1) {
            /* The channel with the largest magnitude, compared as scikit-image
             * does: float32 hypot, i.e. the double result rounded once. The
             * first channel wins ties and a NaN wins, like numpy's argmax. */
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
        uint16_t b = hogfeat__bin_of(gx, gy, bp);
        rechecks += b == HOGFEAT__BIN_RECHECK;
        bin[x] = b;
    }
    return rechecks;
}

static size_t grad_bin_row_u8_scalar(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                                     size_t count, const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    size_t rechecks = 0;
    for (size_t x = 0; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

void hogfeat__cell_accumulate_row_scalar(const float *mag, const uint16_t *bin, const int32_t *cell_base,
                                         size_t count, float *acc, size_t row_len)
{
    /* The specification uses the first row only, in pixel order, as
     * scikit-image sums each cell. */
    (void)row_len;
    for (size_t x = 0; x < count; x++)
        acc[cell_base[x] + bin[x]] += mag[x];
}

/* scikit-image's cell value: the float32 sum divided by the area in float32. */
static inline double mean(float sum, double area)
{
    return (double)(sum / (float)area);
}

static void normalize_block_scalar(const float *first, size_t row_stride, int32_t block_w,
                                   int32_t block_h, int32_t nbins, hogfeat_norm norm, double area, float *out)
{
    const double eps = 1e-5;
    size_t row_len = (size_t)block_w * (size_t)nbins;
    double sum = 0.0;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < row_len; i++)
            sum += norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT ? fabs(mean(v[i], area))
                                                                           : mean(v[i], area) * mean(v[i], area);
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
            double q = mean(v[i], area) / denom;
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
                double q = mean(v[i], area) / denom;
                q = q < 0.2 ? q : 0.2;
                *o = (float)(q / denom2);
            }
        }
    }
}

/* Four partial sums: the compiler can keep them in registers and the order
 * of additions is fixed, so results are reproducible across builds. */
static float dot_scalar(const float *a, const float *b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static void axpy_scalar(float alpha, const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

static float sqdist_scalar(const float *a, const float *b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

static float l1dist_scalar(const float *a, const float *b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += fabsf(a[i] - b[i]);
        s1 += fabsf(a[i + 1] - b[i + 1]);
        s2 += fabsf(a[i + 2] - b[i + 2]);
        s3 += fabsf(a[i + 3] - b[i + 3]);
    }
    for (; i < n; i++)
        s0 += fabsf(a[i] - b[i]);
    return (s0 + s1) + (s2 + s3);
}

static float chi2dist_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float sum = a[i] + b[i], d = a[i] - b[i];
        if (sum > 0.0f)
            s += d * d / sum;
    }
    return s;
}

const hogfeat__kernels hogfeat__kernels_scalar = {
    .name = "scalar",
    .grad_bin_row = grad_bin_row_scalar,
    .grad_bin_row_u8 = grad_bin_row_u8_scalar,
    .cell_accumulate_row = hogfeat__cell_accumulate_row_scalar,
    .normalize_block = normalize_block_scalar,
    .dot = dot_scalar,
    .axpy = axpy_scalar,
    .sqdist = sqdist_scalar,
    .l1dist = l1dist_scalar,
    .chi2dist = chi2dist_scalar,
    .dot_block = hogfeat__dot_block_scalar,
};
