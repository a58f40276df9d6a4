/* Blocked dot products for KNN (sse2). */
#include "kernels.h"

void hogfeat__dot_block_sse2(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                        size_t dim, float *out, size_t out_stride)
{
    for (size_t i = 0; i < nq; i++)
        for (size_t j = 0; j < nx; j++)
            out[i * out_stride + j] = hogfeat__kernels_scalar.dot(q + i * q_stride, x + j * x_stride, dim);
}
