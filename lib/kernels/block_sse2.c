/* Blocked dot products for KNN (SSE2; built with -msse2).
 *
 * Register tiles of 3 query rows x 3 data rows: nine 4-lane accumulators,
 * three data vectors, a query vector and a product. Lane l of an
 * accumulator is block_scalar.c's running sum s_l (products of features
 * 4m + l, each rounded and then added; SSE2 has no FMA), the last dim % 4
 * products go into s0 in increasing order, and the result is
 * (s0 + s1) + (s2 + s3): exactly the scalar specification, so the order
 * depends on dim only and this table gives the scalar table's values. */
#include <emmintrin.h>

#include "kernels.h"

#define MR 3 /* query rows per tile */
#define NR 3 /* data rows per tile */

#if defined(__GNUC__)
#  define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define ALWAYS_INLINE inline
#endif

/* out[i * out_stride + j] = q_i . x_j for i < mr, j < nr; mr <= MR and
 * nr <= NR are constants after inlining, so the accumulators stay in
 * registers. */
static ALWAYS_INLINE void tile(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, int nr,
                               size_t dim, float *out, size_t out_stride)
{
    __m128 acc[MR][NR];
    const float *qr[MR], *xr[NR];
    for (int i = 0; i < mr; i++) {
        qr[i] = q + (size_t)i * q_stride;
        for (int j = 0; j < nr; j++)
            acc[i][j] = _mm_setzero_ps();
    }
    for (int j = 0; j < nr; j++)
        xr[j] = x + (size_t)j * x_stride;
    const size_t full = dim & ~(size_t)3;
    for (size_t k = 0; k < full; k += 4) {
        __m128 xv[NR];
        for (int j = 0; j < nr; j++)
            xv[j] = _mm_loadu_ps(xr[j] + k);
        for (int i = 0; i < mr; i++) {
            __m128 qv = _mm_loadu_ps(qr[i] + k);
            for (int j = 0; j < nr; j++)
                acc[i][j] = _mm_add_ps(acc[i][j], _mm_mul_ps(qv, xv[j]));
        }
    }
    for (int i = 0; i < mr; i++) {
        for (int j = 0; j < nr; j++) {
            float s[4];
            _mm_storeu_ps(s, acc[i][j]);
            for (size_t k = full; k < dim; k++)
                s[0] += qr[i][k] * xr[j][k];
            out[(size_t)i * out_stride + (size_t)j] = (s[0] + s[1]) + (s[2] + s[3]);
        }
    }
}

/* One band of mr query rows against all nx data rows. */
static ALWAYS_INLINE void band(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, size_t nx,
                               size_t dim, float *out, size_t out_stride)
{
    size_t j = 0;
    for (; j + NR <= nx; j += NR)
        tile(q, q_stride, mr, x + j * x_stride, x_stride, NR, dim, out + j, out_stride);
    if (nx - j == 2)
        tile(q, q_stride, mr, x + j * x_stride, x_stride, 2, dim, out + j, out_stride);
    else if (nx - j == 1)
        tile(q, q_stride, mr, x + j * x_stride, x_stride, 1, dim, out + j, out_stride);
}

void hogfeat__dot_block_sse2(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride)
{
    size_t i = 0;
    for (; i + MR <= nq; i += MR)
        band(q + i * q_stride, q_stride, MR, x, x_stride, nx, dim, out + i * out_stride, out_stride);
    if (nq - i == 2)
        band(q + i * q_stride, q_stride, 2, x, x_stride, nx, dim, out + i * out_stride, out_stride);
    else if (nq - i == 1)
        band(q + i * q_stride, q_stride, 1, x, x_stride, nx, dim, out + i * out_stride, out_stride);
}
