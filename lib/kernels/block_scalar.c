/* Blocked dot products for KNN (scalar): the specification of dot_block.
 *
 * Each output q_i . x_j is summed in this order, which depends on dim only:
 * four running sums take the products of features 4m, 4m + 1, 4m + 2 and
 * 4m + 3 in turn (each product rounded, then added), the products of the
 * last dim % 4 features go into the first sum in increasing order, and the
 * result is (s0 + s1) + (s2 + s3) -- the order of dot in scalar.c. Equal rows
 * therefore give equal values wherever they sit in a block. block_sse2.c
 * keeps this order exactly; block_avx2.c uses FMA and eight lanes
 * (kernels.h allows each table its own order).
 *
 * This relies on the compiler not contracting a * b + c into an FMA
 * (-ffp-contract=off, which GCC and Clang use in ISO C mode: c_std=c11). */
#include "kernels.h"

static float dot_row(const float *a, const float *b, size_t dim)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t k = 0;
    for (; k + 4 <= dim; k += 4) {
        s0 += a[k] * b[k];
        s1 += a[k + 1] * b[k + 1];
        s2 += a[k + 2] * b[k + 2];
        s3 += a[k + 3] * b[k + 3];
    }
    for (; k < dim; k++)
        s0 += a[k] * b[k];
    return (s0 + s1) + (s2 + s3);
}

void hogfeat__dot_block_scalar(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                               size_t dim, float *out, size_t out_stride)
{
    /* Query row i stays in L1 while the data rows stream past it. */
    for (size_t i = 0; i < nq; i++) {
        const float *qi = q + i * q_stride;
        for (size_t j = 0; j < nx; j++)
            out[i * out_stride + j] = dot_row(qi, x + j * x_stride, dim);
    }
}
