/* AVX2 + FMA kernels (built with -mavx2 -mfma, chosen at run time).
 *
 * Bins equal the scalar table's: both approximate the angle within the
 * recheck margin and send anything closer to a bin edge to the exact
 * reference, and edge pixels use the shared scalar code of binning.h.
 * Magnitudes are the same exactly rounded values. Block normalisation and
 * the vector kernels sum in float lanes, so they differ from scalar.c by
 * reassociation only (tests/test-kernels.c states the tolerance). */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "binning.h"
#include "kernels.h"

#define HF_PI_F 3.14159265358979323846f

typedef struct binv {
    __m256 scale, margin, one_minus_margin, nbins, period;
    __m256i dir;
} binv;

static inline binv binv_make(const hogfeat__binparams *bp)
{
    binv v;
    v.scale = _mm256_set1_ps(bp->scale);
    v.margin = _mm256_set1_ps(bp->margin);
    v.one_minus_margin = _mm256_set1_ps(1.0f - bp->margin);
    v.nbins = _mm256_set1_ps((float)bp->nbins);
    v.period = _mm256_set1_ps(bp->is_signed ? 2.0f * HF_PI_F : HF_PI_F);
    v.dir = _mm256_setr_epi32(bp->dir_bin[0], bp->dir_bin[1], bp->dir_bin[2], bp->dir_bin[3], bp->dir_bin[4],
                              bp->dir_bin[5], bp->dir_bin[6], bp->dir_bin[7]);
    return v;
}

/* Bins of eight gradients, as hogfeat__bin_of() computes them; lanes to
 * recheck hold HOGFEAT__BIN_RECHECK and are set in *recheck_bits. */
static inline __m256i bin8(__m256 gx, __m256 gy, const binv *v, unsigned *recheck_bits)
{
    const __m256 zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 pi = _mm256_set1_ps(HF_PI_F);
    __m256 ax = _mm256_andnot_ps(sign, gx), ay = _mm256_andnot_ps(sign, gy);
    /* lo / hi by a reciprocal estimate and one Newton step (rel. error
     * ~1e-7, inside the recheck margin) instead of a slow division. */
    __m256 lo = _mm256_min_ps(ax, ay), hi = _mm256_max_ps(ax, ay);
    __m256 rcp = _mm256_rcp_ps(hi);
    rcp = _mm256_mul_ps(rcp, _mm256_fnmadd_ps(hi, rcp, _mm256_set1_ps(2.0f)));
    __m256 t = _mm256_mul_ps(lo, rcp);
    __m256 t2 = _mm256_mul_ps(t, t);
    __m256 p = _mm256_set1_ps(0.00681178196f);
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(-0.0336041967f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(0.079623663f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(-0.132333432f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(0.198078166f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(-0.333173683f));
    p = _mm256_fmadd_ps(p, t2, _mm256_set1_ps(0.999996112f));
    __m256 r = _mm256_mul_ps(p, t);
    r = _mm256_blendv_ps(r, _mm256_sub_ps(_mm256_set1_ps(0.5f * HF_PI_F), r), _mm256_cmp_ps(ay, ax, _CMP_GT_OQ));
    __m256 gx_neg = _mm256_cmp_ps(gx, zero, _CMP_LT_OQ);
    r = _mm256_blendv_ps(r, _mm256_sub_ps(pi, r), gx_neg);
    r = _mm256_xor_ps(r, _mm256_and_ps(_mm256_cmp_ps(gy, zero, _CMP_LT_OQ), sign));
    r = _mm256_add_ps(r, _mm256_and_ps(_mm256_cmp_ps(r, zero, _CMP_LT_OQ), v->period));
    __m256 pos = _mm256_mul_ps(r, v->scale);
    /* NaN and out-of-range positions fail ok and are rechecked. */
    __m256 ok = _mm256_and_ps(_mm256_cmp_ps(pos, zero, _CMP_GE_OQ), _mm256_cmp_ps(pos, v->nbins, _CMP_LT_OQ));
    pos = _mm256_and_ps(pos, ok);
    __m256i b = _mm256_cvttps_epi32(pos);
    __m256 frac = _mm256_sub_ps(pos, _mm256_cvtepi32_ps(b));
    __m256 bad = _mm256_or_ps(_mm256_cmp_ps(frac, v->margin, _CMP_LT_OQ),
                              _mm256_cmp_ps(frac, v->one_minus_margin, _CMP_GT_OQ));
    bad = _mm256_or_ps(bad, _mm256_xor_ps(ok, _mm256_castsi256_ps(_mm256_set1_epi32(-1))));

    /* The exactly representable directions, in hogfeat__bin_of()'s order. */
    __m256 s0 = _mm256_cmp_ps(ay, zero, _CMP_EQ_OQ);
    __m256 s1 = _mm256_cmp_ps(ax, zero, _CMP_EQ_OQ);
    __m256 s2 = _mm256_cmp_ps(ax, ay, _CMP_EQ_OQ);
    __m256i gxn = _mm256_castps_si256(gx_neg);
    __m256i gyp = _mm256_castps_si256(_mm256_cmp_ps(gy, zero, _CMP_GT_OQ));
    __m256i gxp = _mm256_castps_si256(_mm256_cmp_ps(gx, zero, _CMP_GT_OQ));
    const __m256i two = _mm256_set1_epi32(2), four = _mm256_set1_epi32(4);
    __m256i idx0 = _mm256_and_si256(gxn, four);                                   /* gx < 0 ? 4 : 0 */
    __m256i idx1 = _mm256_sub_epi32(_mm256_set1_epi32(6), _mm256_and_si256(gyp, four)); /* gy > 0 ? 2 : 6 */
    __m256i gx2 = _mm256_and_si256(gxp, two);
    __m256i idx2 = _mm256_blendv_epi8(_mm256_add_epi32(_mm256_set1_epi32(5), gx2),
                                      _mm256_sub_epi32(_mm256_set1_epi32(3), gx2), gyp);
    __m256i idx = _mm256_blendv_epi8(idx2, idx1, _mm256_castps_si256(s1));
    idx = _mm256_blendv_epi8(idx, idx0, _mm256_castps_si256(s0));
    __m256 special = _mm256_or_ps(_mm256_or_ps(s0, s1), s2);
    __m256i dir_bin = _mm256_permutevar8x32_epi32(v->dir, idx);

    b = _mm256_blendv_epi8(b, _mm256_set1_epi32((int)HOGFEAT__BIN_RECHECK), _mm256_castps_si256(bad));
    b = _mm256_blendv_epi8(b, dir_bin, _mm256_castps_si256(special));
    *recheck_bits = (unsigned)_mm256_movemask_ps(_mm256_andnot_ps(special, bad));
    return b;
}

static inline void store_bins(uint16_t *dst, __m256i b)
{
    __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
    _mm_storeu_si128((__m128i *)(void *)dst, packed);
}

/* float32 hypot of eight lanes: in double, rounded once. */
static inline __m256 hypot8(__m256 gx, __m256 gy)
{
    __m256d xl = _mm256_cvtps_pd(_mm256_castps256_ps128(gx)), xh = _mm256_cvtps_pd(_mm256_extractf128_ps(gx, 1));
    __m256d yl = _mm256_cvtps_pd(_mm256_castps256_ps128(gy)), yh = _mm256_cvtps_pd(_mm256_extractf128_ps(gy, 1));
    __m256d ml = _mm256_sqrt_pd(_mm256_fmadd_pd(xl, xl, _mm256_mul_pd(yl, yl)));
    __m256d mh = _mm256_sqrt_pd(_mm256_fmadd_pd(xh, xh, _mm256_mul_pd(yh, yh)));
    return _mm256_set_m128(_mm256_cvtpd_ps(mh), _mm256_cvtpd_ps(ml));
}

/* One vector of eight pixels at x of a one-channel float row. */
static inline unsigned f32_vector(const float *prev, const float *cur, const float *next, size_t x, const binv *v,
                                  float *mag, uint16_t *bin)
{
    __m256 gx = _mm256_sub_ps(_mm256_loadu_ps(cur + x + 1), _mm256_loadu_ps(cur + x - 1));
    __m256 gy = prev ? _mm256_sub_ps(_mm256_loadu_ps(next + x), _mm256_loadu_ps(prev + x)) : _mm256_setzero_ps();
    _mm256_storeu_ps(mag + x, hypot8(gx, gy));
    unsigned bits;
    store_bins(bin + x, bin8(gx, gy, v, &bits));
    return bits;
}

static size_t grad_bin_row_avx2(const float *prev, const float *cur, const float *next, int channels,
                                size_t width, size_t count, const hogfeat__binparams *bp, float *mag,
                                uint16_t *bin)
{
    if (channels != 1)
        return hogfeat__kernels_scalar.grad_bin_row(prev, cur, next, channels, width, count, bp, mag, bin);
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    /* Interior columns [1, lim) have both horizontal neighbours. */
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8)
        rechecks += (size_t)__builtin_popcount(f32_vector(prev, cur, next, x, &v, mag, bin));
    if (x < lim && lim >= 9) {
        /* The last interior pixels as one vector overlapping the previous
         * one; recomputed pixels get the same values and are not recounted. */
        unsigned bits = f32_vector(prev, cur, next, lim - 8, &v, mag, bin);
        rechecks += (size_t)__builtin_popcount(bits >> (x - (lim - 8)));
        x = lim;
    }
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_f1(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

static inline __m256 load8_u8(const uint8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p)));
}

static inline unsigned u8_vector(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t x,
                                 const binv *v, float *mag, uint16_t *bin)
{
    __m256 gx = _mm256_sub_ps(load8_u8(cur + x + 1), load8_u8(cur + x - 1));
    __m256 gy = prev ? _mm256_sub_ps(load8_u8(next + x), load8_u8(prev + x)) : _mm256_setzero_ps();
    /* Integer gradients: gx^2 + gy^2 is exact, so sqrt is exactly rounded. */
    __m256 m2 = _mm256_fmadd_ps(gx, gx, _mm256_mul_ps(gy, gy));
    if (_mm256_testz_si256(_mm256_castps_si256(m2), _mm256_castps_si256(m2))) {
        /* Eight flat pixels (common in digits and backgrounds): zero votes,
         * whose bins nothing reads. */
        _mm256_storeu_ps(mag + x, m2);
        _mm_storeu_si128((__m128i *)(void *)(bin + x), _mm_setzero_si128());
        return 0;
    }
    _mm256_storeu_ps(mag + x, _mm256_sqrt_ps(m2));
    unsigned bits;
    store_bins(bin + x, bin8(gx, gy, v, &bits));
    return bits;
}

static size_t grad_bin_row_u8_avx2(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                                   size_t count, const hogfeat__binparams *bp, float *mag, uint16_t *bin)
{
    size_t rechecks = 0;
    const binv v = binv_make(bp);
    const size_t lim = count < width - 1 ? count : width - 1;
    size_t x = 0;
    if (count > 0)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x++, bp, mag, bin);
    for (; x + 8 <= lim; x += 8)
        rechecks += (size_t)__builtin_popcount(u8_vector(prev, cur, next, x, &v, mag, bin));
    if (x < lim && lim >= 9) {
        unsigned bits = u8_vector(prev, cur, next, lim - 8, &v, mag, bin);
        rechecks += (size_t)__builtin_popcount(bits >> (x - (lim - 8)));
        x = lim;
    }
    for (; x < count; x++)
        rechecks += (size_t)hogfeat__pixel_u8(prev, cur, next, width, x, bp, mag, bin);
    return rechecks;
}

static void cell_accumulate_row_avx2(const float *mag, const uint16_t *bin, const int32_t *cell_base,
                                     size_t count, float *acc, size_t row_len)
{
    /* Every vote's address is computed in vector registers: even lanes go to
     * the first row, odd lanes to the second (a run of equal bins alternates
     * between two locations instead of waiting on one), zero magnitudes to
     * their lane's scratch slot. The scatter below is then straight-line
     * code without data-dependent branches. All-zero chunks (flat areas)
     * are skipped. */
    const __m256 zero = _mm256_setzero_ps();
    const __m256i odd_rows = _mm256_setr_epi32(0, (int)row_len, 0, (int)row_len, 0, (int)row_len, 0, (int)row_len);
    const __m256i sinks = _mm256_add_epi32(_mm256_set1_epi32((int)(2 * row_len)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    int32_t off[8];
    float m[8];
    size_t x = 0;
    for (; x + 8 <= count; x += 8) {
        __m256 mv = _mm256_loadu_ps(mag + x);
        __m256 nz = _mm256_cmp_ps(mv, zero, _CMP_NEQ_UQ);
        unsigned bits = (unsigned)_mm256_movemask_ps(nz);
        if (!bits)
            continue;
        __m256i b = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(bin + x)));
        __m256i o = _mm256_add_epi32(_mm256_add_epi32(b, odd_rows),
                                     _mm256_loadu_si256((const __m256i *)(const void *)(cell_base + x)));
        _mm256_storeu_si256((__m256i *)(void *)off, _mm256_blendv_epi8(sinks, o, _mm256_castps_si256(nz)));
        _mm256_storeu_ps(m, mv);
        if (__builtin_popcount(bits) <= 3) {
            /* Sparse chunks (stroke edges in a flat image): only the votes. */
            do {
                unsigned i = (unsigned)__builtin_ctz(bits);
                bits &= bits - 1;
                acc[off[i]] += m[i];
            } while (bits);
            continue;
        }
        acc[off[0]] += m[0];
        acc[off[1]] += m[1];
        acc[off[2]] += m[2];
        acc[off[3]] += m[3];
        acc[off[4]] += m[4];
        acc[off[5]] += m[5];
        acc[off[6]] += m[6];
        acc[off[7]] += m[7];
    }
    for (; x < count; x++)
        acc[(x & 1) * row_len + (size_t)cell_base[x] + bin[x]] += mag[x];
}

static inline float hsum8(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Lane mask for the first n (0..8) lanes. */
static inline __m256i tail_mask(size_t n)
{
    static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(const void *)(ramp + 8 - n));
}

/* Copies n floats (unaligned both sides). */
static inline void copy_floats(float *dst, const float *src, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
    if (i < n) {
        __m256i m = tail_mask(n - i);
        _mm256_maskstore_ps(dst + i, m, _mm256_maskload_ps(src + i, m));
    }
}

/* Small blocks (up to SMALL_BLOCK floats) are gathered into an aligned
 * local buffer padded with zeros to whole vectors, normalised there with
 * full-width loads and stores only, and copied out with memcpy: AMD cores
 * run masked stores (vmaskmovps) as slow microcode, and they dominated the
 * digit workload. Zero padding does not change any sum. Larger blocks use
 * the masked path. The norm is a constant in each inlined instance. */
#define SMALL_BLOCK 256

static inline __attribute__((always_inline)) void normalize_small(const float *first, size_t row_stride,
                                                                  int32_t block_h, size_t row_len,
                                                                  hogfeat_norm norm, double area, float *out)
{
    const size_t n = row_len * (size_t)block_h, nv = (n + 7) / 8;
    __attribute__((aligned(32))) float buf[SMALL_BLOCK + 8];
    for (int32_t r = 0; r < block_h; r++)
        memcpy(buf + (size_t)r * row_len, first + (size_t)r * row_stride, row_len * sizeof(float));
    for (size_t i = n; i < nv * 8; i++)
        buf[i] = 0.0f;
    const int l1 = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    size_t v = 0;
    for (; v + 2 <= nv; v += 2) {
        __m256 x0 = _mm256_load_ps(buf + 8 * v), x1 = _mm256_load_ps(buf + 8 * v + 8);
        if (l1) {
            acc0 = _mm256_add_ps(acc0, _mm256_andnot_ps(sign, x0));
            acc1 = _mm256_add_ps(acc1, _mm256_andnot_ps(sign, x1));
        } else {
            acc0 = _mm256_fmadd_ps(x0, x0, acc0);
            acc1 = _mm256_fmadd_ps(x1, x1, acc1);
        }
    }
    if (v < nv) {
        __m256 x = _mm256_load_ps(buf + 8 * v);
        acc0 = l1 ? _mm256_add_ps(acc0, _mm256_andnot_ps(sign, x)) : _mm256_fmadd_ps(x, x, acc0);
    }
    const float sum = hsum8(_mm256_add_ps(acc0, acc1));
    if (!isfinite(sum)) {
        /* Squares above 3.4e38 overflow float lanes; the double scalar code does not. */
        hogfeat__kernels_scalar.normalize_block(first, row_stride, (int32_t)row_len, block_h, 1, norm, area, out);
        return;
    }
    /* eps of the cell means (1e-5) is eps * area of the raw sums. */
    const float eps1 = (float)(1e-5 * area);
    const __m256 scale = _mm256_set1_ps(l1 ? 1.0f / (sum + eps1) : 1.0f / sqrtf(sum + eps1 * eps1));
    const __m256 clip = _mm256_set1_ps(0.2f);
    __m256 acc2 = _mm256_setzero_ps();
    for (v = 0; v < nv; v++) {
        __m256 x = _mm256_mul_ps(_mm256_load_ps(buf + 8 * v), scale);
        if (norm == HOGFEAT_NORM_L1_SQRT)
            x = _mm256_sqrt_ps(x);
        if (norm == HOGFEAT_NORM_L2HYS) {
            x = _mm256_min_ps(x, clip);
            acc2 = _mm256_fmadd_ps(x, x, acc2);
        }
        _mm256_store_ps(buf + 8 * v, x);
    }
    if (norm == HOGFEAT_NORM_L2HYS) {
        const __m256 scale2 = _mm256_set1_ps(1.0f / sqrtf(hsum8(acc2) + 1e-10f));
        for (v = 0; v < nv; v++)
            _mm256_store_ps(buf + 8 * v, _mm256_mul_ps(_mm256_load_ps(buf + 8 * v), scale2));
    }
    memcpy(out, buf, n * sizeof(float));
}

/* Blocks whose rows are at least 8 floats and that fit in 16 vectors are
 * normalised entirely in registers: each row is read as whole vectors, the
 * last one overlapping the one before (its repeated lanes are masked out of
 * the sums), and written back the same way, the overlap receiving the same
 * values twice. No masked or partial load or store, and no store later
 * reloaded at another width, which would stall store-to-load forwarding. */
#define REG_BLOCK_VECTORS 16

static inline __attribute__((always_inline)) void normalize_regs(const float *first, size_t row_stride,
                                                                 int32_t block_h, size_t row_len, hogfeat_norm norm,
                                                                 double area, float *out)
{
    const size_t full = row_len / 8, tail = row_len % 8, nvr = full + (tail != 0);
    /* Lanes of the overlapping last vector that are new (not in the vector before). */
    const __m256i keep_i = _mm256_cmpgt_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                              _mm256_set1_epi32((int)(7 - tail)));
    const __m256 keep = _mm256_castsi256_ps(keep_i);
    const int l1 = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 q[REG_BLOCK_VECTORS];
    __m256 acc = _mm256_setzero_ps();
    for (int32_t r = 0; r < block_h; r++) {
        const float *v = first + (size_t)r * row_stride;
        for (size_t j = 0; j < nvr; j++) {
            const int last = j == full;
            __m256 x = _mm256_loadu_ps(last ? v + row_len - 8 : v + 8 * j);
            q[(size_t)r * nvr + j] = x;
            __m256 c = l1 ? _mm256_andnot_ps(sign, x) : _mm256_mul_ps(x, x);
            acc = _mm256_add_ps(acc, last ? _mm256_and_ps(c, keep) : c);
        }
    }
    const float sum = hsum8(acc);
    if (!isfinite(sum)) {
        /* Squares above 3.4e38 overflow float lanes; the double scalar code does not. */
        hogfeat__kernels_scalar.normalize_block(first, row_stride, (int32_t)row_len, block_h, 1, norm, area, out);
        return;
    }
    const float eps1 = (float)(1e-5 * area); /* eps of the cell means is eps * area of the raw sums */
    const __m256 scale = _mm256_set1_ps(l1 ? 1.0f / (sum + eps1) : 1.0f / sqrtf(sum + eps1 * eps1));
    const __m256 clip = _mm256_set1_ps(0.2f);
    __m256 acc2 = _mm256_setzero_ps();
    const size_t nq = (size_t)block_h * nvr;
    for (size_t i = 0; i < nq; i++) {
        __m256 x = _mm256_mul_ps(q[i], scale);
        if (norm == HOGFEAT_NORM_L1_SQRT)
            x = _mm256_sqrt_ps(x);
        if (norm == HOGFEAT_NORM_L2HYS) {
            x = _mm256_min_ps(x, clip);
            __m256 c = _mm256_mul_ps(x, x);
            acc2 = _mm256_add_ps(acc2, i % nvr == full ? _mm256_and_ps(c, keep) : c);
        }
        q[i] = x;
    }
    if (norm == HOGFEAT_NORM_L2HYS) {
        const __m256 scale2 = _mm256_set1_ps(1.0f / sqrtf(hsum8(acc2) + 1e-10f));
        for (size_t i = 0; i < nq; i++)
            q[i] = _mm256_mul_ps(q[i], scale2);
    }
    for (int32_t r = 0; r < block_h; r++) {
        float *o = out + (size_t)r * row_len;
        for (size_t j = 0; j < nvr; j++)
            _mm256_storeu_ps(j == full ? o + row_len - 8 : o + 8 * j, q[(size_t)r * nvr + j]);
    }
}

/* The block is first gathered into out (its rows are contiguous there), so
 * every pass below runs over one contiguous array with a single masked tail
 * (blocks larger than SMALL_BLOCK floats). */
static inline __attribute__((always_inline)) void normalize_impl(const float *first, size_t row_stride,
                                                                 int32_t block_h, size_t row_len, hogfeat_norm norm,
                                                                 double area, float *out)
{
    const size_t n = row_len * (size_t)block_h, full = n & ~(size_t)7;
    const __m256i tmask = tail_mask(n - full);
    for (int32_t r = 0; r < block_h; r++)
        copy_floats(out + (size_t)r * row_len, first + (size_t)r * row_stride, row_len);
    const int l1 = norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 x0 = _mm256_loadu_ps(out + i), x1 = _mm256_loadu_ps(out + i + 8);
        if (l1) {
            acc0 = _mm256_add_ps(acc0, _mm256_andnot_ps(sign, x0));
            acc1 = _mm256_add_ps(acc1, _mm256_andnot_ps(sign, x1));
        } else {
            acc0 = _mm256_fmadd_ps(x0, x0, acc0);
            acc1 = _mm256_fmadd_ps(x1, x1, acc1);
        }
    }
    for (; i < n; i += 8) {
        __m256 x = i < full ? _mm256_loadu_ps(out + i) : _mm256_maskload_ps(out + i, tmask);
        acc0 = l1 ? _mm256_add_ps(acc0, _mm256_andnot_ps(sign, x)) : _mm256_fmadd_ps(x, x, acc0);
    }
    const float sum = hsum8(_mm256_add_ps(acc0, acc1));
    if (!isfinite(sum)) {
        /* Squares above 3.4e38 overflow float lanes; the double scalar code does not. */
        hogfeat__kernels_scalar.normalize_block(first, row_stride, (int32_t)row_len, block_h, 1, norm, area, out);
        return;
    }
    /* eps of the cell means (1e-5) is eps * area of the raw sums. */
    const float eps1 = (float)(1e-5 * area);
    const __m256 scale = _mm256_set1_ps(l1 ? 1.0f / (sum + eps1) : 1.0f / sqrtf(sum + eps1 * eps1));
    const __m256 clip = _mm256_set1_ps(0.2f);
    __m256 acc2 = _mm256_setzero_ps();
    for (i = 0; i < n; i += 8) {
        const int tail = i >= full;
        __m256 x = _mm256_mul_ps(tail ? _mm256_maskload_ps(out + i, tmask) : _mm256_loadu_ps(out + i), scale);
        if (norm == HOGFEAT_NORM_L1_SQRT)
            x = _mm256_sqrt_ps(x);
        if (norm == HOGFEAT_NORM_L2HYS) {
            x = _mm256_min_ps(x, clip);
            acc2 = _mm256_fmadd_ps(x, x, acc2);
        }
        if (tail)
            _mm256_maskstore_ps(out + i, tmask, x);
        else
            _mm256_storeu_ps(out + i, x);
    }
    if (norm == HOGFEAT_NORM_L2HYS) {
        const __m256 scale2 = _mm256_set1_ps(1.0f / sqrtf(hsum8(acc2) + 1e-10f));
        for (i = 0; i < full; i += 8)
            _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(out + i), scale2));
        if (full < n)
            _mm256_maskstore_ps(out + full, tmask, _mm256_mul_ps(_mm256_maskload_ps(out + full, tmask), scale2));
    }
}

/* The common shapes get instances where row_len and block_h are constants,
 * so the compiler unrolls every loop: 2x2 cells of 9 bins (36 floats, the
 * Dalal-Triggs and digit default) and 3x3 of 9 (81, scikit-image's). */
#define NORMALIZE_FIXED(ROW_LEN, BLOCK_H)                                                                  \
    do {                                                                                                   \
        switch (norm) {                                                                                    \
        case HOGFEAT_NORM_L1: normalize_regs(first, row_stride, BLOCK_H, ROW_LEN, HOGFEAT_NORM_L1, area, out); break; \
        case HOGFEAT_NORM_L1_SQRT:                                                                         \
            normalize_regs(first, row_stride, BLOCK_H, ROW_LEN, HOGFEAT_NORM_L1_SQRT, area, out);         \
            break;                                                                                         \
        case HOGFEAT_NORM_L2: normalize_regs(first, row_stride, BLOCK_H, ROW_LEN, HOGFEAT_NORM_L2, area, out); break; \
        default: normalize_regs(first, row_stride, BLOCK_H, ROW_LEN, HOGFEAT_NORM_L2HYS, area, out); break; \
        }                                                                                                  \
        return;                                                                                            \
    } while (0)

static void normalize_block_avx2(const float *first, size_t row_stride, int32_t block_w, int32_t block_h,
                                 int32_t nbins, hogfeat_norm norm, double area, float *out)
{
    const size_t row_len = (size_t)block_w * (size_t)nbins;
    if (row_len == 18 && block_h == 2)
        NORMALIZE_FIXED(18, 2);
    if (row_len == 27 && block_h == 3)
        NORMALIZE_FIXED(27, 3);
    if (row_len >= 8 && (size_t)block_h * ((row_len + 7) / 8) <= REG_BLOCK_VECTORS) {
        switch (norm) {
        case HOGFEAT_NORM_L1: normalize_regs(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1, area, out); break;
        case HOGFEAT_NORM_L1_SQRT:
            normalize_regs(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1_SQRT, area, out);
            break;
        case HOGFEAT_NORM_L2: normalize_regs(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2, area, out); break;
        default: normalize_regs(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2HYS, area, out); break;
        }
        return;
    }
    if (row_len * (size_t)block_h <= SMALL_BLOCK) {
        switch (norm) {
        case HOGFEAT_NORM_L1: normalize_small(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1, area, out); break;
        case HOGFEAT_NORM_L1_SQRT:
            normalize_small(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1_SQRT, area, out);
            break;
        case HOGFEAT_NORM_L2: normalize_small(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2, area, out); break;
        default: normalize_small(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2HYS, area, out); break;
        }
        return;
    }
    switch (norm) {
    case HOGFEAT_NORM_L1: normalize_impl(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1, area, out); break;
    case HOGFEAT_NORM_L1_SQRT:
        normalize_impl(first, row_stride, block_h, row_len, HOGFEAT_NORM_L1_SQRT, area, out);
        break;
    case HOGFEAT_NORM_L2: normalize_impl(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2, area, out); break;
    default: normalize_impl(first, row_stride, block_h, row_len, HOGFEAT_NORM_L2HYS, area, out); break;
    }
}

/* Vector kernels: 32 floats per step in four accumulators, then a fixed
 * reduction; the order depends only on n (never on alignment), so equal
 * inputs give equal sums, which KNN's zero-distance rule relies on. */
#define REDUCE4(a0, a1, a2, a3) hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)))

static float dot_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    if (i < n) {
        __m256i m = tail_mask(n - i);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), s1);
    }
    return REDUCE4(s0, s1, s2, s3);
}

static void axpy_avx2(float alpha, const float *x, float *y, size_t n)
{
    const __m256 va = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    if (i < n) {
        __m256i m = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, m, _mm256_fmadd_ps(va, _mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m)));
    }
}

static float sqdist_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s2 = _mm256_fmadd_ps(d, d, s2);
    }
    if (i < n) {
        __m256i m = tail_mask(n - i);
        __m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m));
        s3 = _mm256_fmadd_ps(d, d, s3);
    }
    return REDUCE4(s0, s1, s2, s3);
}

static float l1dist_avx2(const float *a, const float *b, size_t n)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
        s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i + 8),
                                                                    _mm256_loadu_ps(b + i + 8))));
    }
    for (; i + 8 <= n; i += 8)
        s2 = _mm256_add_ps(s2, _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
    if (i < n) {
        __m256i m = tail_mask(n - i);
        s3 = _mm256_andnot_ps(sign, _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m)));
    }
    return REDUCE4(s0, s1, s2, s3);
}

static float chi2dist_avx2(const float *a, const float *b, size_t n)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 s0 = zero, s1 = zero;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(a + i), y = _mm256_loadu_ps(b + i);
        __m256 sum = _mm256_add_ps(x, y), d = _mm256_sub_ps(x, y);
        __m256 pos = _mm256_cmp_ps(sum, zero, _CMP_GT_OQ);
        /* Lanes with a + b <= 0 divide by 1 and are masked out. */
        __m256 q = _mm256_div_ps(_mm256_mul_ps(d, d), _mm256_blendv_ps(_mm256_set1_ps(1.0f), sum, pos));
        s0 = _mm256_add_ps(s0, _mm256_and_ps(q, pos));
    }
    if (i < n) {
        __m256i m = tail_mask(n - i);
        __m256 x = _mm256_maskload_ps(a + i, m), y = _mm256_maskload_ps(b + i, m);
        __m256 sum = _mm256_add_ps(x, y), d = _mm256_sub_ps(x, y);
        __m256 pos = _mm256_cmp_ps(sum, zero, _CMP_GT_OQ);
        __m256 q = _mm256_div_ps(_mm256_mul_ps(d, d), _mm256_blendv_ps(_mm256_set1_ps(1.0f), sum, pos));
        s1 = _mm256_and_ps(q, pos);
    }
    return hsum8(_mm256_add_ps(s0, s1));
}

const hogfeat__kernels hogfeat__kernels_avx2 = {
    .name = "avx2",
    .grad_bin_row = grad_bin_row_avx2,
    .grad_bin_row_u8 = grad_bin_row_u8_avx2,
    .cell_accumulate_row = cell_accumulate_row_avx2,
    .normalize_block = normalize_block_avx2,
    .dot = dot_avx2,
    .axpy = axpy_avx2,
    .sqdist = sqdist_avx2,
    .l1dist = l1dist_avx2,
    .chi2dist = chi2dist_avx2,
    .dot_block = hogfeat__dot_block_avx2,
};
