/* Blocked dot products for KNN (AArch64 Advanced SIMD: no flags needed).
 *
 * Register tiles of 4 query rows x 4 data rows: sixteen 4-lane
 * accumulators, four data vectors and a query vector (21 of the 32 vector
 * registers); each step of 4 features costs 8 loads for 16 FMAs.
 *
 * Every output is summed the same way wherever it sits: lane l accumulates
 * the products of features 4m + l with FMA in increasing m; the last
 * dim % 4 features arrive as one more vector, zero-padded, in lanes
 * [0, dim % 4) (a padded lane adds 0 * 0); then the lanes are added by
 * one fixed tree, (l0 + l1) + (l2 + l3), with pairwise adds. Edge tiles run
 * the same code with fewer rows, so an output depends on dim and on its two
 * rows, never on i, j, the tile or alignment (kernels.h). No value outside
 * [0, dim) of a row is read. */
#include <arm_neon.h>
#include <string.h>

#include "kernels.h"

#define MR 4 /* query rows per tile */
#define NR 4 /* data rows per tile */

#if defined(__GNUC__)
#  define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define ALWAYS_INLINE inline
#endif

/* Features [full, dim) of a row, dim - full < 4, zero-padded to a vector. */
static inline float32x4_t load_tail(const float *row, size_t full, size_t dim)
{
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(buf, row + full, (dim - full) * sizeof(float));
    return vld1q_f32(buf);
}

/* out[i * out_stride + j] = q_i . x_j for i < mr, j < nr; mr <= MR and
 * nr <= NR are constants after inlining, so the accumulators stay in
 * registers. */
static ALWAYS_INLINE void tile(const float *q, size_t q_stride, int mr, const float *x, size_t x_stride, int nr,
                               size_t dim, float *out, size_t out_stride)
{
    float32x4_t acc[MR][NR];
    const float *qr[MR], *xr[NR];
    for (int i = 0; i < MR; i++) {
        qr[i] = q + (size_t)(i < mr ? i : 0) * q_stride;
        for (int j = 0; j < NR; j++)
            acc[i][j] = vdupq_n_f32(0.0f);
    }
    for (int j = 0; j < NR; j++)
        xr[j] = x + (size_t)(j < nr ? j : 0) * x_stride;
    const size_t full = dim & ~(size_t)3;
    for (size_t k = 0; k < full; k += 4) {
        float32x4_t xv[NR];
        for (int j = 0; j < nr; j++)
            xv[j] = vld1q_f32(xr[j] + k);
        for (int i = 0; i < mr; i++) {
            float32x4_t qv = vld1q_f32(qr[i] + k);
            for (int j = 0; j < nr; j++)
                acc[i][j] = vfmaq_f32(acc[i][j], qv, xv[j]);
        }
    }
    if (full < dim) {
        float32x4_t xv[NR];
        for (int j = 0; j < nr; j++)
            xv[j] = load_tail(xr[j], full, dim);
        for (int i = 0; i < mr; i++) {
            float32x4_t qv = load_tail(qr[i], full, dim);
            for (int j = 0; j < nr; j++)
                acc[i][j] = vfmaq_f32(acc[i][j], qv, xv[j]);
        }
    }
    for (int i = 0; i < mr; i++) {
        /* Lane j of s is (a_j0 + a_j1) + (a_j2 + a_j3) for accumulator a_j;
         * unused accumulators are zero and their lanes are not stored. */
        float32x4_t s = vpaddq_f32(vpaddq_f32(acc[i][0], acc[i][1]), vpaddq_f32(acc[i][2], acc[i][3]));
        float *o = out + (size_t)i * out_stride;
        if (nr == NR) {
            vst1q_f32(o, s);
        } else {
            float lanes[4];
            vst1q_f32(lanes, s);
            for (int j = 0; j < nr; j++)
                o[j] = lanes[j];
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
    switch (nx - j) {
    case 3: tile(q, q_stride, mr, x + j * x_stride, x_stride, 3, dim, out + j, out_stride); break;
    case 2: tile(q, q_stride, mr, x + j * x_stride, x_stride, 2, dim, out + j, out_stride); break;
    case 1: tile(q, q_stride, mr, x + j * x_stride, x_stride, 1, dim, out + j, out_stride); break;
    default: break;
    }
}

void hogfeat__dot_block_neon(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride)
{
    size_t i = 0;
    for (; i + MR <= nq; i += MR)
        band(q + i * q_stride, q_stride, MR, x, x_stride, nx, dim, out + i * out_stride, out_stride);
    switch (nq - i) {
    case 3: band(q + i * q_stride, q_stride, 3, x, x_stride, nx, dim, out + i * out_stride, out_stride); break;
    case 2: band(q + i * q_stride, q_stride, 2, x, x_stride, nx, dim, out + i * out_stride, out_stride); break;
    case 1: band(q + i * q_stride, q_stride, 1, x, x_stride, nx, dim, out + i * out_stride, out_stride); break;
    default: break;
    }
}
