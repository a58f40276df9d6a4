/* NEON kernels: AArch64 Advanced SIMD, part of the AArch64 baseline, so this
 * table needs no compiler flags and no run-time CPU check.
 *
 * The algorithms of sse2.c, four lanes wide, with what AArch64 adds: FMA,
 * a vector division, bit selects, a byte table lookup and horizontal adds.
 * Bins equal the scalar table's: the angle is approximated within the
 * recheck margin (the FMA polynomial differs from scalar.c by rounding only)
 * and anything closer to a bin edge goes to the exact reference; edge pixels
 * use the shared scalar code of binning.h. Magnitudes are the same exactly
 * rounded values. Block normalisation and the vector kernels sum in float
 * lanes, so they differ from scalar.c by reassociation only
 * (tests/test-kernels.c states the tolerance). Little-endian only (the
 * byte table lookup of the exact directions assumes it; lib/meson.build
 * builds this file for little-endian AArch64). */
#include <arm_neon.h>
#include <math.h>

#include "binning.h"
#include "kernels.h"

#if defined(__ARM_BIG_ENDIAN)
#  error "neon.c assumes little-endian AArch64"
#endif

#define HF_PI_F 3.14159265358979323846f

typedef struct binv {
    float32x4_t scale, margin, one_minus_margin, nbins, period;
    uint8x16_t dir; /* dir_bin[0..7] as little-endian uint16, a vqtbl1q_u8 table */
} binv;

static inline binv binv_make(const hogfeat__binparams *bp)
{
    binv v;
    v.scale = vdupq_n_f32(bp->scale);
    v.margin = vdupq_n_f32(bp->margin);
    v.one_minus_margin = vdupq_n_f32(1.0f - bp->margin);
    v.nbins = vdupq_n_f32((float)bp->nbins);
    v.period = vdupq_n_f32(bp->is_signed ? 2.0f * HF_PI_F : HF_PI_F);
    v.dir = vreinterpretq_u8_u16(vld1q_u16(bp->dir_bin));
    return v;
}

/* Bins of four gradients, as hogfeat__bin_of() computes them; lanes to
 * recheck hold HOGFEAT__BIN_RECHECK and add 1 to their lane of
 * *recheck_count. */
static inline uint32x4_t bin4(float32x4_t gx, float32x4_t gy, const binv *v, uint32x4_t *recheck_count)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    float32x4_t ax = vabsq_f32(gx), ay = vabsq_f32(gy);
    /* FMIN/FMAX propagate NaN (unlike SSE's minps/maxps), so a NaN gradient
     * gives a NaN position, which the range test sends to the recheck. */
    float32x4_t t = vdivq_f32(vminq_f32(ax, ay), vmaxq_f32(ax, ay));
    float32x4_t t2 = vmulq_f32(t, t);
    float32x4_t p = vdupq_n_f32(0.00681178196f);
    p = vfmaq_f32(vdupq_n_f32(-0.0336041967f), p, t2);
    p = vfmaq_f32(vdupq_n_f32(0.079623663f), p, t2);
    p = vfmaq_f32(vdupq_n_f32(-0.132333432f), p, t2);
    p = vfmaq_f32(vdupq_n_f32(0.198078166f), p, t2);
    p = vfmaq_f32(vdupq_n_f32(-0.333173683f), p, t2);
    p = vfmaq_f32(vdupq_n_f32(0.999996112f), p, t2);
    float32x4_t r = vmulq_f32(p, t);
    r = vbslq_f32(vcgtq_f32(ay, ax), vsubq_f32(vdupq_n_f32(0.5f * HF_PI_F), r), r);
    uint32x4_t gx_neg = vcltq_f32(gx, zero);
    r = vbslq_f32(gx_neg, vsubq_f32(vdupq_n_f32(HF_PI_F), r), r);
    r = vbslq_f32(vcltq_f32(gy, zero), vnegq_f32(r), r);
    r = vaddq_f32(r, vreinterpretq_f32_u32(vandq_u32(vcltq_f32(r, zero), vreinterpretq_u32_f32(v->period))));
    float32x4_t pos = vmulq_f32(r, v->scale);
    /* NaN and out-of-range positions fail ok and are rechecked. */
    uint32x4_t ok = vandq_u32(vcgeq_f32(pos, zero), vcltq_f32(pos, v->nbins));
    pos = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(pos), ok));
    uint32x4_t b = vreinterpretq_u32_s32(vcvtq_s32_f32(pos)); /* truncates, pos >= 0 */
    float32x4_t frac = vsubq_f32(pos, vcvtq_f32_u32(b));
    uint32x4_t bad = vorrq_u32(vcltq_f32(frac, v->margin), vcgtq_f32(frac, v->one_minus_margin));
    bad = vorrq_u32(bad, vmvnq_u32(ok));

    /* The exactly representable directions, in hogfeat__bin_of()'s order. */
    uint32x4_t s0 = vceqq_f32(ay, zero), s1 = vceqq_f32(ax, zero), s2 = vceqq_f32(ax, ay);
    uint32x4_t gyp = vcgtq_f32(gy, zero), gxp = vcgtq_f32(gx, zero);
    const uint32x4_t two = vdupq_n_u32(2), four = vdupq_n_u32(4);
    uint32x4_t idx0 = vandq_u32(gx_neg, four);                        /* gx < 0 ? 4 : 0 */
    uint32x4_t idx1 = vsubq_u32(vdupq_n_u32(6), vandq_u32(gyp, four)); /* gy > 0 ? 2 : 6 */
    uint32x4_t gx2 = vandq_u32(gxp, two);
    uint32x4_t idx2 = vbslq_u32(gyp, vsubq_u32(vdupq_n_u32(3), gx2), vaddq_u32(vdupq_n_u32(5), gx2));
    uint32x4_t idx = vbslq_u32(s1, idx1, idx2);
    idx = vbslq_u32(s0, idx0, idx);
    /* Byte indices 2 idx and 2 idx + 1 in the two low bytes of each lane,
     * 0xFF (out of the table: zero) in the two high bytes. */
    uint32x4_t bytes = vmlaq_u32(vdupq_n_u32(0xFFFF0100u), idx, vdupq_n_u32(0x0202u));
    uint32x4_t dir_bin = vreinterpretq_u32_u8(vqtbl1q_u8(v->dir, vreinterpretq_u8_u32(bytes)));
    uint32x4_t special = vorrq_u32(vorrq_u32(s0, s1), s2);

    b = vbslq_u32(bad, vdupq_n_u32(HOGFEAT__BIN_RECHECK), b);
    b = vbslq_u32(special, dir_bin, b);
    *recheck_count = vsubq_u32(*recheck_count, vbicq_u32(bad, special)); /* all ones is -1 */
    return b;
}

static inline size_t recheck_total(uint32x4_t count)
{
    return (size_t)vaddlvq_u32(count);
}

/* Eight uint32 in [0, 65535] to uint16. */
static inline void store_bins8(uint16_t *dst, uint32x4_t lo, uint32x4_t hi)
{
    vst1q_u16(dst, vcombine_u16(vmovn_u32(lo), vmovn_u32(hi)));
}

/* float32 hypot of four lanes: in double (products of floats are exact
 * there), rounded once, as the scalar code does. */
static inline float32x4_t hypot4(float32x4_t gx, float32x4_t gy)
{
    float64x2_t xl = vcvt_f64_f32(vget_low_f32(gx)), xh = vcvt_high_f64_f32(gx);
    float64x2_t yl = vcvt_f64_f32(vget_low_f32(gy)), yh = vcvt_high_f64_f32(gy);
    float64x2_t ml = vsqrtq_f64(vaddq_f64(vmulq_f64(xl, xl), vmulq_f64(yl, yl)));
    float64x2_t mh = vsqrtq_f64(vaddq_f64(vmulq_f64(xh, xh), vmulq_f64(yh, yh)));
    return vcvt_high_f32_f64(vcvt_f32_f64(ml), mh);
}

static size_t grad_bin_row_neon(const float *prev, const float *cur, const float *next, int channels,
                                size_t width, size_t count, const hogfeat__binparams *bp, float *mag,
                                uint16_t *bin)
{
    if (channels != 1)
        return hogfeat__kernels_scalar.grad_bin_row(prev, cur, next, channels, width, count, bp, mag, bin);
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    uint32x4_t counter = vdupq_n_u32(0);
    /* Interior columns [1, lim) have both horizontal neighbours. */
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8) {
        float32x4_t gx0 = vsubq_f32(vld1q_f32(cur + x + 1), vld1q_f32(cur + x - 1));
        float32x4_t gx1 = vsubq_f32(vld1q_f32(cur + x + 5), vld1q_f32(cur + x + 3));
        float32x4_t gy0 = vdupq_n_f32(0.0f), gy1 = gy0;
        if (prev) {
            gy0 = vsubq_f32(vld1q_f32(next + x), vld1q_f32(prev + x));
            gy1 = vsubq_f32(vld1q_f32(next + x + 4), vld1q_f32(prev + x + 4));
        }
        vst1q_f32(mag + x, hypot4(gx0, gy0));
        vst1q_f32(mag + x + 4, hypot4(gx1, gy1));
        uint32x4_t b0 = bin4(gx0, gy0, &v, &counter), b1 = bin4(gx1, gy1, &v, &counter);
        store_bins8(bin + x, b0, b1);
    }
    rechecks += recheck_total(counter);
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

/* b - a of eight uint8 pairs as two vectors of four floats (exact). */
static inline void diff8_u8(const uint8_t *b, const uint8_t *a, float32x4_t *lo, float32x4_t *hi)
{
    int16x8_t d = vreinterpretq_s16_u16(vsubl_u8(vld1_u8(b), vld1_u8(a))); /* wraps to the signed value */
    *lo = vcvtq_f32_s32(vmovl_s16(vget_low_s16(d)));
    *hi = vcvtq_f32_s32(vmovl_high_s16(d));
}

static size_t grad_bin_row_u8_neon(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                                   size_t count, const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    uint32x4_t counter = vdupq_n_u32(0);
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8) {
        float32x4_t gx0, gx1, gy0 = vdupq_n_f32(0.0f), gy1 = gy0;
        diff8_u8(cur + x + 1, cur + x - 1, &gx0, &gx1);
        if (prev)
            diff8_u8(next + x, prev + x, &gy0, &gy1);
        /* gx^2 + gy^2 < 2^24 is exact in float: sqrtf's value. */
        vst1q_f32(mag + x, vsqrtq_f32(vfmaq_f32(vmulq_f32(gy0, gy0), gx0, gx0)));
        vst1q_f32(mag + x + 4, vsqrtq_f32(vfmaq_f32(vmulq_f32(gy1, gy1), gx1, gx1)));
        uint32x4_t b0 = bin4(gx0, gy0, &v, &counter), b1 = bin4(gx1, gy1, &v, &counter);
        store_bins8(bin + x, b0, b1);
    }
    rechecks += recheck_total(counter);
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

static void normalize_block_neon(const float *first, size_t row_stride, int32_t block_w, int32_t block_h,
                                 int32_t nbins, hogfeat_norm norm, double area, float *out)
{
    const size_t row_len = (size_t)block_w * (size_t)nbins;
    const size_t full = row_len & ~(size_t)3;
    const int l1 = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT;
    float32x4_t acc = vdupq_n_f32(0.0f);
    float tail = 0.0f;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        if (l1) {
            for (size_t i = 0; i < full; i += 4)
                acc = vaddq_f32(acc, vabsq_f32(vld1q_f32(v + i)));
            for (size_t i = full; i < row_len; i++)
                tail += fabsf(v[i]);
        } else {
            for (size_t i = 0; i < full; i += 4) {
                float32x4_t x = vld1q_f32(v + i);
                acc = vfmaq_f32(acc, x, x);
            }
            for (size_t i = full; i < row_len; i++)
                tail += v[i] * v[i];
        }
    }
    /* eps of the cell means (1e-5) is eps * area of the raw sums. */
    const double eps = 1e-5, eps1 = eps * area, sum = (double)vaddvq_f32(acc) + tail;
    if (!isfinite(sum)) {
        /* Squares above 3.4e38 overflow float lanes; the double scalar code does not. */
        hogfeat__kernels_scalar.normalize_block(first, row_stride, block_w, block_h, nbins, norm, area, out);
        return;
    }
    const float s = (float)(l1 ? 1.0 / (sum + eps1) : 1.0 / sqrt(sum + eps1 * eps1));
    const float32x4_t scale = vdupq_n_f32(s), clip = vdupq_n_f32(0.2f);
    float32x4_t acc2 = vdupq_n_f32(0.0f);
    float tail2 = 0.0f;
    float *o = out;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < full; i += 4) {
            float32x4_t q = vmulq_f32(vld1q_f32(v + i), scale);
            if (norm == HOGFEAT_NORM_L1_SQRT)
                q = vsqrtq_f32(q);
            else if (norm == HOGFEAT_NORM_L2HYS) {
                q = vminq_f32(q, clip);
                acc2 = vfmaq_f32(acc2, q, q);
            }
            vst1q_f32(o + i, q);
        }
        for (size_t i = full; i < row_len; i++) {
            float q = v[i] * s;
            if (norm == HOGFEAT_NORM_L1_SQRT)
                q = sqrtf(q);
            else if (norm == HOGFEAT_NORM_L2HYS) {
                q = q < 0.2f ? q : 0.2f;
                tail2 += q * q;
            }
            o[i] = q;
        }
        o += row_len;
    }
    if (norm == HOGFEAT_NORM_L2HYS) {
        const float s2 = (float)(1.0 / sqrt((double)vaddvq_f32(acc2) + tail2 + eps * eps));
        const float32x4_t scale2 = vdupq_n_f32(s2);
        const size_t total = row_len * (size_t)block_h;
        size_t i = 0;
        for (; i + 4 <= total; i += 4)
            vst1q_f32(out + i, vmulq_f32(vld1q_f32(out + i), scale2));
        for (; i < total; i++)
            out[i] *= s2;
    }
}

/* Vector kernels: FMA, and the order of additions depends only on n. */
static float dot_neon(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float t = 0.0f;
    for (; i < n; i++)
        t += a[i] * b[i];
    return vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3))) + t;
}

static void axpy_neon(float alpha, const float *x, float *y, size_t n)
{
    const float32x4_t va = vdupq_n_f32(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), va, vld1q_f32(x + i)));
        vst1q_f32(y + i + 4, vfmaq_f32(vld1q_f32(y + i + 4), va, vld1q_f32(x + i + 4)));
    }
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), va, vld1q_f32(x + i)));
    for (; i < n; i++)
        y[i] += alpha * x[i];
}

static float sqdist_neon(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t d0 = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
        float32x4_t d1 = vsubq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s0 = vfmaq_f32(s0, d0, d0);
        s1 = vfmaq_f32(s1, d1, d1);
    }
    float t = 0.0f;
    for (; i < n; i++) {
        float d = a[i] - b[i];
        t += d * d;
    }
    return vaddvq_f32(vaddq_f32(s0, s1)) + t;
}

static float l1dist_neon(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 = vaddq_f32(s0, vabdq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
        s1 = vaddq_f32(s1, vabdq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4)));
    }
    float t = 0.0f;
    for (; i < n; i++)
        t += fabsf(a[i] - b[i]);
    return vaddvq_f32(vaddq_f32(s0, s1)) + t;
}

static float chi2dist_neon(const float *a, const float *b, size_t n)
{
    const float32x4_t zero = vdupq_n_f32(0.0f), one = vdupq_n_f32(1.0f);
    float32x4_t s0 = zero;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t x = vld1q_f32(a + i), y = vld1q_f32(b + i);
        float32x4_t sum = vaddq_f32(x, y), d = vsubq_f32(x, y);
        uint32x4_t pos = vcgtq_f32(sum, zero);
        float32x4_t q = vdivq_f32(vmulq_f32(d, d), vbslq_f32(pos, sum, one));
        s0 = vaddq_f32(s0, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(q), pos)));
    }
    float t = 0.0f;
    for (; i < n; i++) {
        float sum = a[i] + b[i], d = a[i] - b[i];
        if (sum > 0.0f)
            t += d * d / sum;
    }
    return vaddvq_f32(s0) + t;
}

const hogfeat__kernels hogfeat__kernels_neon = {
    .name = "neon",
    .grad_bin_row = grad_bin_row_neon,
    .grad_bin_row_u8 = grad_bin_row_u8_neon,
    .cell_accumulate_row = hogfeat__cell_accumulate_row_scalar,
    .normalize_block = normalize_block_neon,
    .dot = dot_neon,
    .axpy = axpy_neon,
    .sqdist = sqdist_neon,
    .l1dist = l1dist_neon,
    .chi2dist = chi2dist_neon,
    .dot_block = hogfeat__dot_block_neon,
};
