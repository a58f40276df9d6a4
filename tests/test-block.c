/* dot_block of every kernel table (lib/kernels/block_*.c).
 *
 * Tolerance: each output agrees with a double-precision dot product within
 * 1e-5 of the sum of |terms|, as kernels.h allows each table its own order
 * of additions. The order itself must depend on dim only: the same pair of
 * rows gives bit-identical outputs wherever it sits in a block (i, j, tile
 * position, block origin, alignment, strides), and a row's product with
 * itself equals the squared norm KNN caches. NaN and Inf propagate. */
#include "common.h"
#include "private.h"
#include "kernels/kernels.h"

/* ck_assert_msg records a checkpoint on every pass; hot loops use this,
 * which only calls into Check on failure. */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

#define TOL_REL 1e-5
#define SENTINEL_VALUE (-7777.25f)
/* Largest block edge of the random shapes, and the largest dim. */
#define MAX_ROWS 37
#define MAX_DIM 300

/* Every kernel table this build has and this CPU runs, scalar first. */
static const hogfeat__kernels *tables[8];
static int n_tables;

static int same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A strided matrix of rows x dim values, offset floats into a buffer that
 * ends with the last value (so that ASan sees any read past it); the stride
 * padding holds NaN, which no call may read. */
typedef struct matrix {
    float *buffer;
    float *data;
    size_t rows, dim, stride;
} matrix;

static matrix matrix_new(size_t rows, size_t dim, size_t stride, size_t offset)
{
    matrix m;
    size_t count = offset + (rows - 1) * stride + dim;
    m.buffer = malloc(count * sizeof(float));
    ck_assert_ptr_nonnull(m.buffer);
    for (size_t i = 0; i < count; i++)
        m.buffer[i] = NAN;
    m.data = m.buffer + offset;
    m.rows = rows;
    m.dim = dim;
    m.stride = stride;
    return m;
}

static float *row_of(const matrix *m, size_t r)
{
    return m->data + r * m->stride;
}

/* Values of mixed sign and magnitude: a random scale per row over four
 * decades, a few exact zeros. */
static void matrix_fill(test_rng *rng, matrix *m)
{
    for (size_t r = 0; r < m->rows; r++) {
        float scale = powf(10.0f, 4.0f * test_rng_float(rng) - 2.0f);
        float *row = row_of(m, r);
        for (size_t c = 0; c < m->dim; c++)
            row[c] = test_rng_below(rng, 50) == 0 ? 0.0f : scale * (2.0f * test_rng_float(rng) - 1.0f);
    }
}

static void matrix_free(matrix *m)
{
    free(m->buffer);
}

/* An output block of nq x nx inside rows of out_stride, sentinels around it. */
static float *out_new(size_t nq, size_t out_stride)
{
    size_t count = (nq + 1) * out_stride + 8;
    float *out = malloc(count * sizeof *out);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < count; i++)
        out[i] = SENTINEL_VALUE;
    return out;
}

static void check_sentinels(const hogfeat__kernels *t, const float *out, size_t nq, size_t nx, size_t out_stride)
{
    size_t count = (nq + 1) * out_stride + 8;
    for (size_t p = 0; p < count; p++) {
        size_t i = p / out_stride, j = p % out_stride;
        if (i < nq && j < nx)
            continue;
        CHECK(same_bits(out[p], SENTINEL_VALUE), "%s: dot_block wrote outside the block at %zu (nq %zu, nx %zu)",
              t->name, p, nq, nx);
    }
}

/* One block against the double reference; returns how many outputs. */
static size_t check_block(const hogfeat__kernels *t, const matrix *q, const matrix *x, size_t out_stride)
{
    float *out = out_new(q->rows, out_stride);
    t->dot_block(q->data, q->stride, q->rows, x->data, x->stride, x->rows, q->dim, out, out_stride);
    for (size_t i = 0; i < q->rows; i++) {
        const float *a = row_of(q, i);
        for (size_t j = 0; j < x->rows; j++) {
            const float *b = row_of(x, j);
            double sum = 0.0, mag = 0.0;
            for (size_t c = 0; c < q->dim; c++) {
                double term = (double)a[c] * (double)b[c];
                sum += term;
                mag += fabs(term);
            }
            double got = out[i * out_stride + j];
            CHECK(fabs(got - sum) <= TOL_REL * mag, "%s: nq %zu nx %zu dim %zu (%zu, %zu): %.9g, reference %.9g",
                  t->name, q->rows, x->rows, q->dim, i, j, got, sum);
        }
    }
    check_sentinels(t, out, q->rows, x->rows, out_stride);
    free(out);
    return q->rows * x->rows;
}

/* ---- against the double reference ----------------------------------------- */

/* _i: table. Random shapes nq, nx in [1, 37], dim in [1, 300], strides
 * above dim, any alignment. */
START_TEST(test_reference_random_shapes)
{
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB10C + (uint64_t)_i);
    size_t outputs = 0;
    for (int iter = 0; iter < 400; iter++) {
        size_t nq = 1 + test_rng_below(&rng, MAX_ROWS), nx = 1 + test_rng_below(&rng, MAX_ROWS);
        size_t dim = iter < MAX_DIM ? (size_t)iter + 1 : 1 + test_rng_below(&rng, MAX_DIM);
        matrix q = matrix_new(nq, dim, dim + 1 + test_rng_below(&rng, 9), test_rng_below(&rng, 16));
        matrix x = matrix_new(nx, dim, dim + 1 + test_rng_below(&rng, 9), test_rng_below(&rng, 16));
        matrix_fill(&rng, &q);
        matrix_fill(&rng, &x);
        outputs += check_block(t, &q, &x, nx + test_rng_below(&rng, 5));
        matrix_free(&x);
        matrix_free(&q);
    }
    ck_assert_uint_gt(outputs, 10000);
}
END_TEST

/* _i: table. Shapes beyond the random ones: long rows (a kernel may work
 * through dim in chunks), many rows (and slabs of rows), packed strides,
 * and a block of one row or one column. */
START_TEST(test_reference_large_shapes)
{
    static const size_t shapes[][3] = {
        {4, 3, 511}, {4, 3, 512},  {5, 7, 513},  {9, 4, 1024}, {3, 5, 1025}, {6, 6, 1764}, {2, 200, 64},
        {1, 301, 17}, {130, 1, 9}, {13, 97, 40}, {1, 1, 4096}, {8, 9, 1296}, {37, 37, 8},   {1, 1, 1},
    };
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB10D + (uint64_t)_i);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t nq = shapes[s][0], nx = shapes[s][1], dim = shapes[s][2];
        int packed = s % 2 == 0;
        matrix q = matrix_new(nq, dim, packed ? dim : dim + 3, s % 8);
        matrix x = matrix_new(nx, dim, packed ? dim : dim + 5, (s + 3) % 8);
        matrix_fill(&rng, &q);
        matrix_fill(&rng, &x);
        check_block(t, &q, &x, packed ? nx : nx + 2);
        matrix_free(&x);
        matrix_free(&q);
    }
}
END_TEST

/* Integer-valued rows: every partial sum is exact in float, so each table
 * must give the exact dot product whatever its order. */
START_TEST(test_exact_integers)
{
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB10E + (uint64_t)_i);
    for (int iter = 0; iter < 50; iter++) {
        size_t nq = 1 + test_rng_below(&rng, 9), nx = 1 + test_rng_below(&rng, 9);
        size_t dim = 1 + test_rng_below(&rng, 700);
        matrix q = matrix_new(nq, dim, dim, 0), x = matrix_new(nx, dim, dim + 1, 1);
        long long want[9][9];
        for (size_t r = 0; r < nq; r++)
            for (size_t c = 0; c < dim; c++)
                row_of(&q, r)[c] = (float)((int)test_rng_below(&rng, 15) - 7);
        for (size_t r = 0; r < nx; r++)
            for (size_t c = 0; c < dim; c++)
                row_of(&x, r)[c] = (float)((int)test_rng_below(&rng, 15) - 7);
        for (size_t i = 0; i < nq; i++) {
            for (size_t j = 0; j < nx; j++) {
                want[i][j] = 0;
                for (size_t c = 0; c < dim; c++)
                    want[i][j] += (long long)row_of(&q, i)[c] * (long long)row_of(&x, j)[c];
            }
        }
        float out[81];
        t->dot_block(q.data, q.stride, nq, x.data, x.stride, nx, dim, out, 9);
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nx; j++)
                CHECK(out[i * 9 + j] == (float)want[i][j], "%s: dim %zu (%zu, %zu): %.9g, exact %lld", t->name,
                      dim, i, j, (double)out[i * 9 + j], want[i][j]);
        matrix_free(&x);
        matrix_free(&q);
    }
}
END_TEST

/* ---- the order of additions depends on dim only ------------------------------ */

/* _i: table. Each output of a random block equals, bit for bit, the same
 * pair computed alone (1 x 1), inside sub-blocks with other origins, and
 * from copies of the rows at other alignments and strides. */
START_TEST(test_position_independent)
{
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB10F + (uint64_t)_i);
    for (int iter = 0; iter < 120; iter++) {
        size_t nq = 1 + test_rng_below(&rng, MAX_ROWS), nx = 1 + test_rng_below(&rng, MAX_ROWS);
        size_t dim = iter % 10 == 9 ? 500 + test_rng_below(&rng, 1300) : 1 + test_rng_below(&rng, MAX_DIM);
        matrix q = matrix_new(nq, dim, dim + test_rng_below(&rng, 4), test_rng_below(&rng, 16));
        matrix x = matrix_new(nx, dim, dim + test_rng_below(&rng, 4), test_rng_below(&rng, 16));
        matrix_fill(&rng, &q);
        matrix_fill(&rng, &x);
        size_t os = nx + 1;
        float *full = out_new(nq, os);
        t->dot_block(q.data, q.stride, nq, x.data, x.stride, nx, dim, full, os);

        /* Alone. */
        for (int p = 0; p < 12; p++) {
            size_t i = test_rng_below(&rng, (uint32_t)nq), j = test_rng_below(&rng, (uint32_t)nx);
            float one = SENTINEL_VALUE;
            t->dot_block(row_of(&q, i), q.stride, 1, row_of(&x, j), x.stride, 1, dim, &one, 1);
            CHECK(same_bits(one, full[i * os + j]), "%s: dim %zu (%zu, %zu): alone %a, in a %zu x %zu block %a",
                  t->name, dim, i, j, (double)one, nq, nx, (double)full[i * os + j]);
        }
        /* A sub-block with another origin: rows land in other tile slots. */
        size_t i0 = test_rng_below(&rng, (uint32_t)nq), j0 = test_rng_below(&rng, (uint32_t)nx);
        size_t sq = 1 + test_rng_below(&rng, (uint32_t)(nq - i0)), sx = 1 + test_rng_below(&rng, (uint32_t)(nx - j0));
        float *sub = out_new(sq, sx);
        t->dot_block(row_of(&q, i0), q.stride, sq, row_of(&x, j0), x.stride, sx, dim, sub, sx);
        for (size_t i = 0; i < sq; i++)
            for (size_t j = 0; j < sx; j++)
                CHECK(same_bits(sub[i * sx + j], full[(i0 + i) * os + j0 + j]),
                      "%s: dim %zu (%zu, %zu): %a from the block at (%zu, %zu), %a from the whole", t->name, dim,
                      i0 + i, j0 + j, (double)sub[i * sx + j], i0, j0, (double)full[(i0 + i) * os + j0 + j]);
        free(sub);
        /* Copies at another alignment and stride, roles of q and x kept. */
        matrix q2 = matrix_new(nq, dim, dim + 1 + test_rng_below(&rng, 7), 1 + test_rng_below(&rng, 15));
        matrix x2 = matrix_new(nx, dim, dim + 1 + test_rng_below(&rng, 7), 1 + test_rng_below(&rng, 15));
        for (size_t r = 0; r < nq; r++)
            memcpy(row_of(&q2, r), row_of(&q, r), dim * sizeof(float));
        for (size_t r = 0; r < nx; r++)
            memcpy(row_of(&x2, r), row_of(&x, r), dim * sizeof(float));
        float *moved = out_new(nq, nx);
        t->dot_block(q2.data, q2.stride, nq, x2.data, x2.stride, nx, dim, moved, nx);
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nx; j++)
                CHECK(same_bits(moved[i * nx + j], full[i * os + j]),
                      "%s: dim %zu (%zu, %zu): %a after moving the rows, %a before", t->name, dim, i, j,
                      (double)moved[i * nx + j], (double)full[i * os + j]);
        free(moved);
        matrix_free(&x2);
        matrix_free(&q2);
        free(full);
        matrix_free(&x);
        matrix_free(&q);
    }
}
END_TEST

/* _i: table. One row v copied into several slots of a query block and a
 * data block (other rows random): every (v, v) output is the same bits,
 * v . v computed alone, which is how KNN computes the squared norms. */
START_TEST(test_equal_rows_identical)
{
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB110 + (uint64_t)_i);
    for (int iter = 0; iter < 60; iter++) {
        size_t dim = iter % 6 == 5 ? 1000 + test_rng_below(&rng, 800) : 1 + test_rng_below(&rng, MAX_DIM);
        size_t nq = 1 + test_rng_below(&rng, MAX_ROWS), nx = 1 + test_rng_below(&rng, MAX_ROWS);
        matrix v = matrix_new(1, dim, dim, test_rng_below(&rng, 16));
        matrix q = matrix_new(nq, dim, dim + test_rng_below(&rng, 5), test_rng_below(&rng, 16));
        matrix x = matrix_new(nx, dim, dim + 1 + test_rng_below(&rng, 5), test_rng_below(&rng, 16));
        matrix_fill(&rng, &v);
        matrix_fill(&rng, &q);
        matrix_fill(&rng, &x);
        unsigned char is_v_q[MAX_ROWS] = {0}, is_v_x[MAX_ROWS] = {0};
        for (size_t r = 0; r < nq; r++) {
            if (test_rng_below(&rng, 3) == 0 || r == nq - 1) {
                memcpy(row_of(&q, r), v.data, dim * sizeof(float));
                is_v_q[r] = 1;
            }
        }
        for (size_t r = 0; r < nx; r++) {
            if (test_rng_below(&rng, 3) == 0 || r == 0) {
                memcpy(row_of(&x, r), v.data, dim * sizeof(float));
                is_v_x[r] = 1;
            }
        }
        float norm = SENTINEL_VALUE;
        t->dot_block(v.data, dim, 1, v.data, dim, 1, dim, &norm, 1);
        float *out = out_new(nq, nx);
        t->dot_block(q.data, q.stride, nq, x.data, x.stride, nx, dim, out, nx);
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < nx; j++)
                if (is_v_q[i] && is_v_x[j])
                    CHECK(same_bits(out[i * nx + j], norm), "%s: dim %zu: v.v at (%zu, %zu) is %a, alone %a",
                          t->name, dim, i, j, (double)out[i * nx + j], (double)norm);
        /* The data block against itself: its diagonal holds the norms. */
        float *self = out_new(nx, nx);
        t->dot_block(x.data, x.stride, nx, x.data, x.stride, nx, dim, self, nx);
        for (size_t j = 0; j < nx; j++) {
            float alone;
            t->dot_block(row_of(&x, j), x.stride, 1, row_of(&x, j), x.stride, 1, dim, &alone, 1);
            CHECK(same_bits(self[j * nx + j], alone), "%s: dim %zu: diagonal %zu is %a, alone %a", t->name, dim, j,
                  (double)self[j * nx + j], (double)alone);
            /* Symmetric too: q_i . x_j and x_j . q_i multiply the same pairs. */
            for (size_t i = 0; i < nx; i++)
                CHECK(same_bits(self[j * nx + i], self[i * nx + j]), "%s: dim %zu: (%zu, %zu) %a, (%zu, %zu) %a",
                      t->name, dim, j, i, (double)self[j * nx + i], i, j, (double)self[i * nx + j]);
        }
        free(self);
        free(out);
        matrix_free(&x);
        matrix_free(&q);
        matrix_free(&v);
    }
}
END_TEST

/* The table in use: KNN's cached squared norms are dot_block's v . v, and a
 * training row given back as a query is at distance exactly 0. */
START_TEST(test_knn_norms_match)
{
    static const size_t dims[] = {2, 7, 8, 9, 300, 513, 1764};
    static const hogfeat_metric metrics[] = {HOGFEAT_METRIC_L2, HOGFEAT_METRIC_COSINE};
    const hogfeat__kernels *t = hogfeat__kernels_get();
    test_rng rng = test_rng_seed(0xB111);
    enum { N = 23 };
    int32_t labels[N];
    for (size_t r = 0; r < N; r++)
        labels[r] = (int32_t)r;
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        size_t dim = dims[di];
        /* Rows with no zeros and of random directions: no two coincide, no
         * two are parallel. */
        matrix x = matrix_new(N, dim, dim, 0);
        for (size_t r = 0; r < N; r++)
            for (size_t c = 0; c < dim; c++)
                row_of(&x, r)[c] = (test_rng_below(&rng, 2) ? 1.0f : -1.0f) * (0.25f + test_rng_float(&rng));
        /* The rows as queries, at another alignment and stride. */
        matrix q = matrix_new(N, dim, dim + 3, 5);
        for (size_t r = 0; r < N; r++)
            memcpy(row_of(&q, r), row_of(&x, r), dim * sizeof(float));
        for (size_t mi = 0; mi < 2; mi++) {
            hogfeat_knn_params *p = NULL;
            ck_assert_int_eq(hogfeat_knn_params_create(&p), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_knn_params_set_metric(p, metrics[mi]), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_knn_params_set_k(p, 1), HOGFEAT_OK);
            hogfeat_knn *m = NULL;
            ck_assert_int_eq(hogfeat_knn_fit(p, x.data, N, dim, dim, labels, &m), HOGFEAT_OK);
            hogfeat_knn_params_destroy(p);
            ck_assert_ptr_nonnull(m->norms);
            for (size_t r = 0; r < N; r++) {
                float alone;
                t->dot_block(row_of(&q, r), q.stride, 1, row_of(&q, r), q.stride, 1, dim, &alone, 1);
                CHECK(same_bits(m->norms[r], alone), "%s: dim %zu row %zu: cached norm %a, dot_block %a", t->name,
                      dim, r, (double)m->norms[r], (double)alone);
            }
            size_t idx[N];
            float dist[N];
            ck_assert_int_eq(hogfeat_knn_kneighbors(m, q.data, N, dim, q.stride, 1, idx, dist, N), HOGFEAT_OK);
            for (size_t r = 0; r < N; r++) {
                CHECK(idx[r] == r, "dim %zu metric %d: row %zu found %zu", dim, (int)metrics[mi], r, idx[r]);
                CHECK(dist[r] == 0.0f, "dim %zu metric %d: row %zu at %.9g from itself", dim, (int)metrics[mi], r,
                      (double)dist[r]);
            }
            hogfeat_knn_destroy(m);
        }
        matrix_free(&q);
        matrix_free(&x);
    }
}
END_TEST

/* ---- NaN and Inf ------------------------------------------------------------- */

/* _i: table. A NaN or Inf anywhere in a row (the tail beyond the last full
 * vector included) reaches exactly that row's outputs: NaN gives NaN, Inf
 * times a positive value gives Inf of the same sign, Inf times 0 and
 * Inf - Inf give NaN. The other outputs stay finite. */
START_TEST(test_nonfinite_propagate)
{
    const hogfeat__kernels *t = tables[_i];
    test_rng rng = test_rng_seed(0xB112 + (uint64_t)_i);
    for (int iter = 0; iter < 200; iter++) {
        size_t dim = 1 + test_rng_below(&rng, iter % 4 == 3 ? 1200 : 40);
        size_t nq = 1 + test_rng_below(&rng, 9), nx = 1 + test_rng_below(&rng, 9);
        matrix q = matrix_new(nq, dim, dim + 1, test_rng_below(&rng, 8));
        matrix x = matrix_new(nx, dim, dim, test_rng_below(&rng, 8));
        /* Positive finite values, so that the expected signs are known. */
        for (size_t r = 0; r < nq; r++)
            for (size_t c = 0; c < dim; c++)
                row_of(&q, r)[c] = 0.5f + test_rng_float(&rng);
        for (size_t r = 0; r < nx; r++)
            for (size_t c = 0; c < dim; c++)
                row_of(&x, r)[c] = 0.5f + test_rng_float(&rng);
        size_t bi = test_rng_below(&rng, (uint32_t)nq), bj = test_rng_below(&rng, (uint32_t)nx);
        size_t c1 = test_rng_below(&rng, (uint32_t)dim), c2 = test_rng_below(&rng, (uint32_t)dim);
        int kind = iter % 5;
        /* want: 0 NaN in row bi of q; 1 +Inf in q; 2 -Inf in x; 3 Inf * 0; 4 +Inf and -Inf in one row. */
        switch (kind) {
        case 0:
            row_of(&q, bi)[c1] = NAN;
            break;
        case 1:
            row_of(&q, bi)[c1] = INFINITY;
            break;
        case 2:
            row_of(&x, bj)[c1] = -INFINITY;
            break;
        case 3:
            row_of(&q, bi)[c1] = INFINITY;
            for (size_t r = 0; r < nx; r++)
                row_of(&x, r)[c1] = r == bj ? 0.0f : row_of(&x, r)[c1];
            break;
        default:
            if (dim < 2) {
                row_of(&q, bi)[c1] = NAN;
                kind = 0;
                break;
            }
            if (c2 == c1)
                c2 = (c1 + 1) % dim;
            row_of(&q, bi)[c1] = INFINITY;
            row_of(&q, bi)[c2] = -INFINITY;
            break;
        }
        float *out = out_new(nq, nx);
        t->dot_block(q.data, q.stride, nq, x.data, x.stride, nx, dim, out, nx);
        for (size_t i = 0; i < nq; i++) {
            for (size_t j = 0; j < nx; j++) {
                float v = out[i * nx + j];
                int hit_q = i == bi && (kind == 0 || kind == 1 || kind == 3 || kind == 4);
                int hit_x = j == bj && kind == 2;
                if (kind == 0 && hit_q)
                    CHECK(isnan(v), "%s: dim %zu: NaN at %zu gave %a at (%zu, %zu)", t->name, dim, c1, (double)v, i,
                          j);
                else if (kind == 1 && hit_q)
                    CHECK(isinf(v) && v > 0, "%s: dim %zu: +Inf gave %a at (%zu, %zu)", t->name, dim, (double)v, i, j);
                else if (kind == 2 && hit_x)
                    CHECK(isinf(v) && v < 0, "%s: dim %zu: -Inf gave %a at (%zu, %zu)", t->name, dim, (double)v, i, j);
                else if (kind == 3 && hit_q)
                    CHECK(j == bj ? isnan(v) : isinf(v) && v > 0, "%s: dim %zu: Inf (x 0 at column %zu) gave %a at "
                          "(%zu, %zu)", t->name, dim, bj, (double)v, i, j);
                else if (kind == 4 && hit_q)
                    CHECK(isnan(v), "%s: dim %zu: Inf - Inf gave %a at (%zu, %zu)", t->name, dim, (double)v, i, j);
                else
                    CHECK(isfinite(v), "%s: dim %zu: (%zu, %zu) is %a, its rows are finite", t->name, dim, i, j,
                          (double)v);
            }
        }
        free(out);
        matrix_free(&x);
        matrix_free(&q);
    }
}
END_TEST

/* Products that overflow float give Inf, not a wrapped or saturated value. */
START_TEST(test_overflow_to_inf)
{
    const hogfeat__kernels *t = tables[_i];
    float big[19], out[2];
    for (size_t c = 0; c < 19; c++)
        big[c] = 3.0e38f;
    t->dot_block(big, 19, 1, big, 19, 1, 19, out, 1);
    ck_assert(isinf(out[0]) && out[0] > 0);
    for (size_t c = 0; c < 19; c++)
        big[c] = c % 2 ? 1.0e30f : -1.0e30f; /* each product overflows */
    t->dot_block(big, 19, 1, big, 19, 1, 19, out, 1);
    ck_assert(isinf(out[0]) && out[0] > 0);
}
END_TEST

static Suite *block_suite(void)
{
    Suite *s = suite_create("block");
    struct {
        const char *name;
        const TTest *test;
        int per_table;
    } cases[] = {
        {"reference_random_shapes", test_reference_random_shapes, 1},
        {"reference_large_shapes", test_reference_large_shapes, 1},
        {"exact_integers", test_exact_integers, 1},
        {"position_independent", test_position_independent, 1},
        {"equal_rows_identical", test_equal_rows_identical, 1},
        {"knn_norms_match", test_knn_norms_match, 0},
        {"nonfinite_propagate", test_nonfinite_propagate, 1},
        {"overflow_to_inf", test_overflow_to_inf, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_loop_test(tc, cases[i].test, 0, cases[i].per_table ? n_tables : 1);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    n_tables = hogfeat__kernels_available(tables, 8);
    if (n_tables < 1) {
        fprintf(stderr, "no kernel table\n");
        return EXIT_FAILURE;
    }
    printf("kernel tables:");
    for (int i = 0; i < n_tables; i++)
        printf(" %s", tables[i]->name);
    printf(" (in use: %s)\n", hogfeat__kernels_get()->name);
    return test_run_suite(block_suite());
}
