/* The hot loops of libhogfeat, behind one function table.
 *
 * scalar.c is the specification; every ISA table must give the same bins
 * and agree on floats within the tolerance stated in tests/test-kernels.c.
 * Code outside lib/kernels/ reaches these only through hogfeat__kernels_get(). */
#ifndef HOGFEAT_KERNELS_H
#define HOGFEAT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "hogfeat/hog.h"

/* Bin value meaning "too close to a bin edge for float arithmetic: ask the
 * exact double-precision reference". */
#define HOGFEAT__BIN_RECHECK 0xFFFFu

/* Orientation binning parameters, derived from a HOG configuration. */
typedef struct hogfeat__binparams {
    int32_t nbins;
    int is_signed;
    float scale;  /* bins per radian: nbins / pi (unsigned) or nbins / (2 pi) (signed) */
    float margin; /* a position within margin (in bins) of an edge is rechecked */
    /* Exact bins of the eight directions whose angles are exactly representable
     * boundaries for some bin counts: index 0 = +x, then counter-clockwise in
     * 45 degree steps with y down (1 = (+1,+1), 2 = +y, 3 = (-1,+1), 4 = -x, ...). */
    uint16_t dir_bin[8];
} hogfeat__binparams;

typedef struct hogfeat__kernels {
    const char *name;

    /* Gradient, magnitude and orientation bin for pixels [0, count) of one row.
     * prev, cur, next: rows of float samples, channels interleaved, width pixels;
     * prev and next are both NULL on the first and last image row (gy = 0).
     * gx is 0 at x = 0 and x = width - 1. For 3 channels the channel with the
     * largest squared magnitude wins (first on ties). Writes mag[x], bin[x];
     * bin[x] is HOGFEAT__BIN_RECHECK where the caller must recompute exactly.
     * Returns how many pixels were marked for recheck. count <= width. */
    size_t (*grad_bin_row)(const float *prev, const float *cur, const float *next, int channels,
                           size_t width, size_t count, const hogfeat__binparams *bp, float *mag,
                           uint16_t *bin);

    /* The same for one-channel uint8 rows without conversion (the common
     * case); magnitudes are exact square roots of integers. */
    size_t (*grad_bin_row_u8)(const uint8_t *prev, const uint8_t *cur, const uint8_t *next, size_t width,
                              size_t count, const hogfeat__binparams *bp, float *mag, uint16_t *bin);

    /* Votes of one row into a band accumulator acc of 2 * row_len + 8
     * floats: the vote of pixel x, hist[cell_base[x] + bin[x]] += mag[x], goes
     * to acc[...] or to acc[row_len + ...] as the table likes (two rows break
     * the store-to-load chains of runs of equal bins); the last 8 floats are
     * scratch for votes of zero (the caller ignores them). The caller adds
     * both rows into the cell histograms at the end of each row of cells.
     * cell_base[x] = (x / cell_w) * nbins. */
    void (*cell_accumulate_row)(const float *mag, const uint16_t *bin, const int32_t *cell_base, size_t count,
                                float *acc, size_t row_len);

    /* Normalise one block of raw cell sums: rows of block_w * nbins
     * contiguous floats, block_h rows, row_stride floats apart; writes
     * block_h * block_w * nbins floats. The result is that of dividing every
     * sum by the cell area first (scikit-image's cell mean) and normalising
     * with eps = 1e-5; tables may fold the division into eps. */
    void (*normalize_block)(const float *first, size_t row_stride, int32_t block_w, int32_t block_h,
                            int32_t nbins, hogfeat_norm norm, double area, float *out);

    /* Dense float32 vector kernels for the classifiers. Sums may be
     * reassociated by ISA tables (tolerance: relative 1e-5 of sum |terms|). */
    float (*dot)(const float *a, const float *b, size_t n);          /* sum a[i] b[i] */
    void (*axpy)(float alpha, const float *x, float *y, size_t n);   /* y += alpha x */
    float (*sqdist)(const float *a, const float *b, size_t n);       /* sum (a[i] - b[i])^2 */
    float (*l1dist)(const float *a, const float *b, size_t n);       /* sum |a[i] - b[i]| */
    float (*chi2dist)(const float *a, const float *b, size_t n);     /* sum (a-b)^2/(a+b), a+b > 0 */

    /* out[i * out_stride + j] = q_i . x_j for nq query rows and nx data rows
     * (KNN's L2 and cosine). The order of additions of each output depends
     * only on dim, never on i, j or alignment, so dot_block(x, x) of equal
     * rows gives equal values (KNN's exact zero distance relies on it). */
    void (*dot_block)(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                      size_t dim, float *out, size_t out_stride);
} hogfeat__kernels;

/* Each table's dot_block, in lib/kernels/block_<isa>.c. */
void hogfeat__dot_block_scalar(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                               size_t dim, float *out, size_t out_stride);
void hogfeat__dot_block_sse2(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride);
void hogfeat__dot_block_avx2(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride);
void hogfeat__dot_block_neon(const float *q, size_t q_stride, size_t nq, const float *x, size_t x_stride, size_t nx,
                             size_t dim, float *out, size_t out_stride);

extern const hogfeat__kernels hogfeat__kernels_scalar;
/* Shared by tables that have no faster version. */
void hogfeat__cell_accumulate_row_scalar(const float *mag, const uint16_t *bin, const int32_t *cell_base,
                                         size_t count, float *acc, size_t row_len);
#if defined(HOGFEAT_HAVE_SSE2)
extern const hogfeat__kernels hogfeat__kernels_sse2;
#endif
#if defined(HOGFEAT_HAVE_AVX2)
extern const hogfeat__kernels hogfeat__kernels_avx2;
#endif
#if defined(HOGFEAT_HAVE_NEON)
/* AArch64 Advanced SIMD: baseline there, so always runnable when built. */
extern const hogfeat__kernels hogfeat__kernels_neon;
#endif

/* Every table this build contains and this CPU can run, scalar first;
 * returns the count (at most 4). For tests and benchmarks. */
int hogfeat__kernels_available(const hogfeat__kernels **out_tables, int capacity);

/* The table for this CPU, chosen once (pthread_once): the best available,
 * unless the environment variable HOGFEAT_SIMD names another one
 * ("scalar", "sse2", "avx2", "neon") that this build and CPU provide. */
const hogfeat__kernels *hogfeat__kernels_get(void);

#endif /* HOGFEAT_KERNELS_H */
