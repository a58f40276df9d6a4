/* Blocked dot products for KNN (AVX2 + FMA; built with -mavx2 -mfma).
 *
 * Register tiles of 4 query rows x 3 data rows: twelve 8-lane accumulators,
 * three data vectors and one query vector fill the 16 ymm registers, and
 * each step of 8 features costs 7 loads for 12 FMAs.
 *
 * Every output is summed the same way wherever it sits: lane l accumulates
 * the products of features l, l + 8, l + 16, ... with FMA in increasing
 * order; the last dim % 8 products arrive through a masked load whose mask
 * depends on dim only; then the lanes are added by one fixed tree,
 * ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). Edge tiles run the same
 * code with fewer rows, so an output depends on dim and on its two rows,
 * never on i, j, the tile or alignment (kernels.h). */
#include <immintrin.h>

#include "kernels.h"

#define MR 4 /* query rows per tile */
#define NR 3 /* data rows per tile */

#if defined(__GNUC__)
#  define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define ALWAYS_INLINE inline
#endif

/* Lanes [0, n) set, n in [0, 8]. */
static inline __m256i tail_mask(size_t n)
{
    static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(const void *)(ramp + 8 - n));
}

/* The sums of a, b, c and d, each by the fixed tree above: hadd pairs
 * neighbouring lanes twice within each 128-bit half, then the halves add. */
static inline __m128 hsum_x4(__m256 a, __m256 b, __m256 c, __m256 d)
{
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

/* Long rows go in chunks of KC features, and the data rows in slabs of
 * SLAB: a band's 4 query rows of one chunk (8 KiB) stay in L1 while the
 * slab's rows stream past from L2, and the slab's accumulators wait in a
 * stack buffer between chunks. Storing and reloading them is exact, so the
 * order of additions stays the one described above. */
#define KC 512 /* a multiple of 8 */
#define SLAB (NR * 32)

/* Runs features [k0, k1) of one tile: acc (mr x nr vectors) is loaded from
 * buf (or zeroed when first), updated, and then stored back to buf, or
 * reduced into out when last. */
static ALWAYS_INLINE void tile(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, int nr,
                               size_t k0, size_t k1, int first, int last, size_t dim, __m256i tmask, __m256 *buf,
                               float *out, size_t out_stride)
{
    __m256 acc[MR][NR];
    const float *qr[MR], *xr[NR];
    for (int i = 0; i < mr; i++) {
        qr[i] = q + (size_t)i * q_stride;
        for (int j = 0; j < nr; j++)
            acc[i][j] = first ? _mm256_setzero_ps() : buf[i * NR + j];
    }
    for (int j = 0; j < nr; j++)
        xr[j] = x + (size_t)j * x_stride;
    const size_t full = dim & ~(size_t)7;
    const size_t kend = k1 < full ? k1 : full;
    for (size_t k = k0; k < kend; k += 8) {
        __m256 xv[NR];
        for (int j = 0; j < nr; j++)
            xv[j] = _mm256_loadu_ps(xr[j] + k);
        for (int i = 0; i < mr; i++) {
            __m256 qv = _mm256_loadu_ps(qr[i] + k);
            for (int j = 0; j < nr; j++)
                acc[i][j] = _mm256_fmadd_ps(qv, xv[j], acc[i][j]);
        }
    }
    if (!last) {
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < nr; j++)
                buf[i * NR + j] = acc[i][j];
        return;
    }
    if (full < dim) {
        /* Masked lanes load 0 and add 0 * 0: no read past dim. */
        __m256 xv[NR];
        for (int j = 0; j < nr; j++)
            xv[j] = _mm256_maskload_ps(xr[j] + full, tmask);
        for (int i = 0; i < mr; i++) {
            __m256 qv = _mm256_maskload_ps(qr[i] + full, tmask);
            for (int j = 0; j < nr; j++)
                acc[i][j] = _mm256_fmadd_ps(qv, xv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < mr; i++) {
        __m128 s = hsum_x4(acc[i][0], acc[i][nr > 1 ? 1 : 0], acc[i][nr > 2 ? 2 : 0], acc[i][0]);
        float *o = out + (size_t)i * out_stride;
        o[0] = _mm_cvtss_f32(s);
        if (nr > 1)
            o[1] = _mm_cvtss_f32(_mm_shuffle_ps(s, s, _MM_SHUFFLE(1, 1, 1, 1)));
        if (nr > 2)
            o[2] = _mm_cvtss_f32(_mm_movehl_ps(s, s));
    }
}

/* One band of mr query rows against nx <= SLAB data rows, chunk by chunk. */
static ALWAYS_INLINE void band(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, size_t nx,
                               size_t dim, __m256i tmask, float *out, size_t out_stride)
{
    __m256 buf[SLAB / NR][MR * NR];
    for (size_t k0 = 0;; k0 += KC) {
        /* Only the last chunk may end off a multiple of 8. */
        size_t k1 = dim - k0 <= KC ? dim : k0 + KC;
        int first = k0 == 0, last = k1 == dim;
        size_t j = 0;
        for (; j + NR <= nx; j += NR)
            tile(q, q_stride, mr, x + j * x_stride, x_stride, NR, k0, k1, first, last, dim, tmask, buf[j / NR],
                 out + j, out_stride);
        if (nx - j == 2)
            tile(q, q_stride, mr, x + j * x_stride, x_stride, 2, k0, k1, first, last, dim, tmask, buf[j / NR],
                 out + j, out_stride);
        else if (nx - j == 1)
            tile(q, q_stride, mr, x + j * x_stride, x_stride, 1, k0, k1, first, last, dim, tmask, buf[j / NR],
                 out + j, out_stride);
        if (last)
            break;
    }
}

/* One band of mr query rows against all nx data rows, slab by slab. */
static void band_rows(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, size_t nx,
                      size_t dim, __m256i tmask, float *out, size_t out_stride)
{
    for (size_t j0 = 0; j0 < nx; j0 += SLAB) {
        size_t ns = nx - j0 < SLAB ? nx - j0 : SLAB;
        switch (mr) {
        case 4:
            band(q, q_stride, 4, x + j0 * x_stride, x_stride, ns, dim, tmask, out + j0, out_stride);
            break;
        case 3:
            band(q, q_stride, 3, x + j0 * x_stride, x_stride, ns, dim, tmask, out + j0, out_stride);
            break;
        case 2:
            band(q, q_stride, 2, x + j0 * x_stride, x_stride, ns, dim, tmask, out + j0, out_stride);
            break;
        default:
            band(q, q_stride, 1, x + j0 * x_stride, x_stride, ns, dim, tmask, out + j0, out_stride);
            break;
        }
    }
}

void hogfeat__dot_block_avx2(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride)
{
    const __m256i tmask = tail_mask(dim & 7);
    for (size_t i = 0; i < nq; i += MR) {
        int mr = nq - i < MR ? (int)(nq - i) : MR;
        band_rows(q + i * q_stride, q_stride, mr, x, x_stride, nx, dim, tmask, out + i * out_stride, out_stride);
    }
}
