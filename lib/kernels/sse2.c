/* SSE2 kernels: the x86-64 baseline, so every x86-64 CPU gets vector code.
 * Same algorithms and guarantees as avx2.c (see there), four lanes wide and
 * without FMA, blendv or variable permutes. */
#include <emmintrin.h>
#include <math.h>

#include "binning.h"
#include "kernels.h"

#define HF_PI_F 3.14159265358979323846f

static inline __m128 sel_ps(__m128 mask, __m128 a, __m128 b) /* mask ? a : b */
{
    return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b));
}

static inline __m128i sel_si(__m128i mask, __m128i a, __m128i b)
{
    return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}

typedef struct binv {
    __m128 scale, margin, one_minus_margin, nbins, period;
    __m128i dir[8];
} binv;

static inline binv binv_make(const hogfeat__binparams *bp)
{
    binv v;
    v.scale = _mm_set1_ps(bp->scale);
    v.margin = _mm_set1_ps(bp->margin);
    v.one_minus_margin = _mm_set1_ps(1.0f - bp->margin);
    v.nbins = _mm_set1_ps((float)bp->nbins);
    v.period = _mm_set1_ps(bp->is_signed ? 2.0f * HF_PI_F : HF_PI_F);
    for (int d = 0; d < 8; d++)
        v.dir[d] = _mm_set1_epi32(bp->dir_bin[d]);
    return v;
}

static inline __m128i bin4(__m128 gx, __m128 gy, const binv *v, size_t *rechecks)
{
    const __m128 zero = _mm_setzero_ps();
    const __m128 sign = _mm_set1_ps(-0.0f);
    const __m128 pi = _mm_set1_ps(HF_PI_F);
    __m128 ax = _mm_andnot_ps(sign, gx), ay = _mm_andnot_ps(sign, gy);
    __m128 t = _mm_div_ps(_mm_min_ps(ax, ay), _mm_max_ps(ax, ay));
    __m128 t2 = _mm_mul_ps(t, t);
    __m128 p = _mm_set1_ps(0.00681178196f);
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(-0.0336041967f));
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(0.079623663f));
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(-0.132333432f));
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(0.198078166f));
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(-0.333173683f));
    p = _mm_add_ps(_mm_mul_ps(p, t2), _mm_set1_ps(0.999996112f));
    __m128 r = _mm_mul_ps(p, t);
    r = sel_ps(_mm_cmpgt_ps(ay, ax), _mm_sub_ps(_mm_set1_ps(0.5f * HF_PI_F), r), r);
    __m128 gx_neg = _mm_cmplt_ps(gx, zero);
    r = sel_ps(gx_neg, _mm_sub_ps(pi, r), r);
    r = _mm_xor_ps(r, _mm_and_ps(_mm_cmplt_ps(gy, zero), sign));
    r = _mm_add_ps(r, _mm_and_ps(_mm_cmplt_ps(r, zero), v->period));
    __m128 pos = _mm_mul_ps(r, v->scale);
    __m128 ok = _mm_and_ps(_mm_cmpge_ps(pos, zero), _mm_cmplt_ps(pos, v->nbins));
    pos = _mm_and_ps(pos, ok);
    __m128i b = _mm_cvttps_epi32(pos);
    __m128 frac = _mm_sub_ps(pos, _mm_cvtepi32_ps(b));
    __m128 bad = _mm_or_ps(_mm_cmplt_ps(frac, v->margin), _mm_cmpgt_ps(frac, v->one_minus_margin));
    bad = _mm_or_ps(bad, _mm_xor_ps(ok, _mm_castsi128_ps(_mm_set1_epi32(-1))));

    __m128 s0 = _mm_cmpeq_ps(ay, zero), s1 = _mm_cmpeq_ps(ax, zero), s2 = _mm_cmpeq_ps(ax, ay);
    __m128i gxn = _mm_castps_si128(gx_neg);
    __m128i gyp = _mm_castps_si128(_mm_cmpgt_ps(gy, zero));
    __m128i gxp = _mm_castps_si128(_mm_cmpgt_ps(gx, zero));
    const __m128i two = _mm_set1_epi32(2), four = _mm_set1_epi32(4);
    __m128i idx0 = _mm_and_si128(gxn, four);
    __m128i idx1 = _mm_sub_epi32(_mm_set1_epi32(6), _mm_and_si128(gyp, four));
    __m128i gx2 = _mm_and_si128(gxp, two);
    __m128i idx2 = sel_si(gyp, _mm_sub_epi32(_mm_set1_epi32(3), gx2), _mm_add_epi32(_mm_set1_epi32(5), gx2));
    __m128i idx = sel_si(_mm_castps_si128(s1), idx1, idx2);
    idx = sel_si(_mm_castps_si128(s0), idx0, idx);
    __m128i dir_bin = _mm_setzero_si128();
    for (int d = 0; d < 8; d++)
        dir_bin = _mm_or_si128(dir_bin, _mm_and_si128(_mm_cmpeq_epi32(idx, _mm_set1_epi32(d)), v->dir[d]));
    __m128 special = _mm_or_ps(_mm_or_ps(s0, s1), s2);

    b = sel_si(_mm_castps_si128(bad), _mm_set1_epi32((int)HOGFEAT__BIN_RECHECK), b);
    b = sel_si(_mm_castps_si128(special), dir_bin, b);
    *rechecks += (size_t)__builtin_popcount((unsigned)_mm_movemask_ps(_mm_andnot_ps(special, bad)));
    return b;
}

/* Eight int32 in [0, 65535] to uint16: bias into the signed range for packs. */
static inline void store_bins8(uint16_t *dst, __m128i lo, __m128i hi)
{
    const __m128i bias32 = _mm_set1_epi32(32768), bias16 = _mm_set1_epi16((short)0x8000);
    __m128i packed = _mm_packs_epi32(_mm_sub_epi32(lo, bias32), _mm_sub_epi32(hi, bias32));
    _mm_storeu_si128((__m128i *)(void *)dst, _mm_xor_si128(packed, bias16));
}

static inline __m128 hypot4(__m128 gx, __m128 gy)
{
    __m128d xl = _mm_cvtps_pd(gx), xh = _mm_cvtps_pd(_mm_movehl_ps(gx, gx));
    __m128d yl = _mm_cvtps_pd(gy), yh = _mm_cvtps_pd(_mm_movehl_ps(gy, gy));
    __m128d ml = _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(xl, xl), _mm_mul_pd(yl, yl)));
    __m128d mh = _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(xh, xh), _mm_mul_pd(yh, yh)));
    return _mm_movelh_ps(_mm_cvtpd_ps(ml), _mm_cvtpd_ps(mh));
}

static size_t grad_bin_row_sse2(const float *prev, const float *cur, const float *next, int channels,
                                size_t width, size_t count, const hogfeat__binparams *bp, float *mag,
                                uint16_t *bin)
{
    if (channels != 1)
        return hogfeat__kernels_scalar.grad_bin_row(prev, cur, next, channels, width, count, bp, mag, bin);
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8) {
        __m128 gx0 = _mm_sub_ps(_mm_loadu_ps(cur + x + 1), _mm_loadu_ps(cur + x - 1));
        __m128 gx1 = _mm_sub_ps(_mm_loadu_ps(cur + x + 5), _mm_loadu_ps(cur + x + 3));
        __m128 gy0 = _mm_setzero_ps(), gy1 = gy0;
        if (prev) {
            gy0 = _mm_sub_ps(_mm_loadu_ps(next + x), _mm_loadu_ps(prev + x));
            gy1 = _mm_sub_ps(_mm_loadu_ps(next + x + 4), _mm_loadu_ps(prev + x + 4));
        }
        _mm_storeu_ps(mag + x, hypot4(gx0, gy0));
        _mm_storeu_ps(mag + x + 4, hypot4(gx1, gy1));
        __m128i b0 = bin4(gx0, gy0, &v, &rechecks), b1 = bin4(gx1, gy1, &v, &rechecks);
        store_bins8(bin + x, b0, b1);
    }
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

/* Eight uint8 to two vectors of four floats. */
static inline void load8_u8(const uint8_t *p, __m128 *lo, __m128 *hi)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i w = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)p), zero);
    *lo = _mm_cvtepi32_ps(_mm_unpacklo_epi16(w, zero));
    *hi = _mm_cvtepi32_ps(_mm_unpackhi_epi16(w, zero));
}

static size_t grad_bin_row_u8_sse2(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                                   size_t count, const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8) {
        __m128 r0, r1, l0, l1, gy0 = _mm_setzero_ps(), gy1 = gy0;
        load8_u8(cur + x + 1, &r0, &r1);
        load8_u8(cur + x - 1, &l0, &l1);
        __m128 gx0 = _mm_sub_ps(r0, l0), gx1 = _mm_sub_ps(r1, l1);
        if (prev) {
            __m128 n0, n1, p0, p1;
            load8_u8(next + x, &n0, &n1);
            load8_u8(prev + x, &p0, &p1);
            gy0 = _mm_sub_ps(n0, p0);
            gy1 = _mm_sub_ps(n1, p1);
        }
        _mm_storeu_ps(mag + x, _mm_sqrt_ps(_mm_add_ps(_mm_mul_ps(gx0, gx0), _mm_mul_ps(gy0, gy0))));
        _mm_storeu_ps(mag + x + 4, _mm_sqrt_ps(_mm_add_ps(_mm_mul_ps(gx1, gx1), _mm_mul_ps(gy1, gy1))));
        __m128i b0 = bin4(gx0, gy0, &v, &rechecks), b1 = bin4(gx1, gy1, &v, &rechecks);
        store_bins8(bin + x, b0, b1);
    }
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

static inline float hsum4(__m128 v)
{
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
    return _mm_cvtss_f32(v);
}

static void normalize_block_sse2(const float *first, size_t row_stride, int32_t block_w, int32_t block_h,
                                 int32_t nbins, hogfeat_norm norm, double area, float *out)
{
    const size_t row_len = (size_t)block_w * (size_t)nbins;
    const size_t full = row_len & ~(size_t)3;
    const int l1 = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT;
    const __m128 sign = _mm_set1_ps(-0.0f);
    __m128 acc = _mm_setzero_ps();
    float tail = 0.0f;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < full; i += 4) {
            __m128 x = _mm_loadu_ps(v + i);
            acc = _mm_add_ps(acc, l1 ? _mm_andnot_ps(sign, x) : _mm_mul_ps(x, x));
        }
        for (size_t i = full; i < row_len; i++)
            tail += l1 ? fabsf(v[i]) : v[i] * v[i];
    }
    const double eps = 1e-5, eps1 = eps * area, sum = (double)hsum4(acc) + tail;
    if (!isfinite(sum)) {
        /* Squares above 3.4e38 overflow float lanes; the double scalar code does not. */
        hogfeat__kernels_scalar.normalize_block(first, row_stride, block_w, block_h, nbins, norm, area, out);
        return;
    }
    const float s = (float)(l1 ? 1.0 / (sum + eps1) : 1.0 / sqrt(sum + eps1 * eps1));
    const __m128 scale = _mm_set1_ps(s), clip = _mm_set1_ps(0.2f);
    __m128 acc2 = _mm_setzero_ps();
    float tail2 = 0.0f;
    float *o = out;
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t i = 0; i < full; i += 4) {
            __m128 q = _mm_mul_ps(_mm_loadu_ps(v + i), scale);
            if (norm == HOGFEAT_NORM_L1_SQRT)
                q = _mm_sqrt_ps(q);
            else if (norm == HOGFEAT_NORM_L2HYS) {
                q = _mm_min_ps(q, clip);
                acc2 = _mm_add_ps(acc2, _mm_mul_ps(q, q));
            }
            _mm_storeu_ps(o + i, q);
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
        const float s2 = (float)(1.0 / sqrt((double)hsum4(acc2) + tail2 + eps * eps));
        const __m128 scale2 = _mm_set1_ps(s2);
        const size_t total = row_len * (size_t)block_h;
        size_t i = 0;
        for (; i + 4 <= total; i += 4)
            _mm_storeu_ps(out + i, _mm_mul_ps(_mm_loadu_ps(out + i), scale2));
        for (; i < total; i++)
            out[i] *= s2;
    }
}

/* Vector kernels: the order of additions depends only on n. */
static float dot_sse2(const float *a, const float *b, size_t n)
{
    __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
        s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4)));
        s2 = _mm_add_ps(s2, _mm_mul_ps(_mm_loadu_ps(a + i + 8), _mm_loadu_ps(b + i + 8)));
        s3 = _mm_add_ps(s3, _mm_mul_ps(_mm_loadu_ps(a + i + 12), _mm_loadu_ps(b + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    float t = 0.0f;
    for (; i < n; i++)
        t += a[i] * b[i];
    return hsum4(_mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3))) + t;
}

static void axpy_sse2(float alpha, const float *x, float *y, size_t n)
{
    const __m128 va = _mm_set1_ps(alpha);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_mul_ps(va, _mm_loadu_ps(x + i))));
    for (; i < n; i++)
        y[i] += alpha * x[i];
}

static float sqdist_sse2(const float *a, const float *b, size_t n)
{
    __m128 s0 = _mm_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128 d0 = _mm_sub_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i));
        __m128 d1 = _mm_sub_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4));
        s0 = _mm_add_ps(s0, _mm_mul_ps(d0, d0));
        s1 = _mm_add_ps(s1, _mm_mul_ps(d1, d1));
    }
    float t = 0.0f;
    for (; i < n; i++) {
        float d = a[i] - b[i];
        t += d * d;
    }
    return hsum4(_mm_add_ps(s0, s1)) + t;
}

static float l1dist_sse2(const float *a, const float *b, size_t n)
{
    const __m128 sign = _mm_set1_ps(-0.0f);
    __m128 s0 = _mm_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 = _mm_add_ps(s0, _mm_andnot_ps(sign, _mm_sub_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i))));
        s1 = _mm_add_ps(s1, _mm_andnot_ps(sign, _mm_sub_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4))));
    }
    float t = 0.0f;
    for (; i < n; i++)
        t += fabsf(a[i] - b[i]);
    return hsum4(_mm_add_ps(s0, s1)) + t;
}

static float chi2dist_sse2(const float *a, const float *b, size_t n)
{
    const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f);
    __m128 s0 = zero;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 x = _mm_loadu_ps(a + i), y = _mm_loadu_ps(b + i);
        __m128 sum = _mm_add_ps(x, y), d = _mm_sub_ps(x, y);
        __m128 pos = _mm_cmpgt_ps(sum, zero);
        __m128 q = _mm_div_ps(_mm_mul_ps(d, d), sel_ps(pos, sum, one));
        s0 = _mm_add_ps(s0, _mm_and_ps(q, pos));
    }
    float t = 0.0f;
    for (; i < n; i++) {
        float sum = a[i] + b[i], d = a[i] - b[i];
        if (sum > 0.0f)
            t += d * d / sum;
    }
    return hsum4(s0) + t;
}

const hogfeat__kernels hogfeat__kernels_sse2 = {
    .name = "sse2",
    .grad_bin_row = grad_bin_row_sse2,
    .grad_bin_row_u8 = grad_bin_row_u8_sse2,
    .cell_accumulate_row = hogfeat__cell_accumulate_row_scalar,
    .normalize_block = normalize_block_sse2,
    .dot = dot_sse2,
    .axpy = axpy_sse2,
    .sqdist = sqdist_sse2,
    .l1dist = l1dist_sse2,
    .chi2dist = chi2dist_sse2,
    .dot_block = hogfeat__dot_block_sse2,
};
