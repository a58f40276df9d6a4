/* KNN classifier: parameters, fit, derived tables, exact search against a
 * double-precision reference, tie rules, voting, threads, hostile input,
 * allocation failure. */
#include <float.h>
#include <limits.h>

#include "common.h"
#include "private.h"

/* ck_assert_msg records a checkpoint on every pass; hot loops use this,
 * which only calls into Check on failure. */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

#define LABEL_SENTINEL INT32_C(-123456789)
#define INDEX_SENTINEL ((size_t)0xDEADBEEF)
#define DIST_SENTINEL (-7777.25f)

/* Distances compared within REL_TOL relative (plus a tiny absolute floor for 0). */
#define REL_TOL 1e-4

static const hogfeat_metric all_metrics[] = {HOGFEAT_METRIC_L2, HOGFEAT_METRIC_L1, HOGFEAT_METRIC_COSINE,
                                             HOGFEAT_METRIC_CHI2};

/* ---- helpers ------------------------------------------------------------------ */

static hogfeat_knn_params *make_params(int32_t k, hogfeat_metric metric, hogfeat_knn_weighting weighting,
                                       int32_t threads)
{
    hogfeat_knn_params *p = NULL;
    ck_assert_int_eq(hogfeat_knn_params_create(&p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, k), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_metric(p, metric), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_weighting(p, weighting), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_threads(p, threads), HOGFEAT_OK);
    return p;
}

static hogfeat_knn *fit_or_fail(int32_t k, hogfeat_metric metric, hogfeat_knn_weighting weighting, int32_t threads,
                                const float *x, size_t n, size_t d, size_t stride, const int32_t *labels)
{
    hogfeat_knn_params *p = make_params(k, metric, weighting, threads);
    hogfeat_knn *m = NULL;
    hogfeat_status st = hogfeat_knn_fit(p, x, n, d, stride, labels, &m);
    hogfeat_knn_params_destroy(p);
    ck_assert_msg(st == HOGFEAT_OK, "fit failed: %d (%s)", (int)st, hogfeat_last_error_message());
    ck_assert_ptr_nonnull(m);
    return m;
}

/* rows x stride floats; the padding after d columns holds NaN, which no call may read. */
static float *random_matrix(test_rng *rng, size_t rows, size_t d, size_t stride, float lo, float hi)
{
    float *a = malloc(rows * stride * sizeof *a);
    ck_assert_ptr_nonnull(a);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < stride; c++)
            a[r * stride + c] = c < d ? lo + (hi - lo) * test_rng_float(rng) : NAN;
    return a;
}

static double ref_distance(hogfeat_metric metric, const float *a, const float *b, size_t d)
{
    double s = 0.0, na = 0.0, nb = 0.0;
    for (size_t i = 0; i < d; i++) {
        double x = a[i], y = b[i];
        switch (metric) {
        case HOGFEAT_METRIC_L2:
            s += (x - y) * (x - y);
            break;
        case HOGFEAT_METRIC_L1:
            s += fabs(x - y);
            break;
        case HOGFEAT_METRIC_COSINE:
            s += x * y;
            na += x * x;
            nb += y * y;
            break;
        case HOGFEAT_METRIC_CHI2:
            if (x + y > 0.0)
                s += (x - y) * (x - y) / (x + y);
            break;
        }
    }
    if (metric == HOGFEAT_METRIC_L2)
        return sqrt(s);
    if (metric == HOGFEAT_METRIC_COSINE)
        return na == 0.0 || nb == 0.0 ? 1.0 : 1.0 - s / sqrt(na * nb);
    return s;
}

typedef struct ref_entry {
    double dist;
    size_t index;
} ref_entry;

static int ref_cmp(const void *pa, const void *pb)
{
    const ref_entry *a = pa, *b = pb;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* All rows sorted by (distance, index): the naive reference. */
static void ref_sorted(hogfeat_metric metric, const float *x, size_t n, size_t d, size_t stride, const float *q,
                       ref_entry *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].dist = ref_distance(metric, q, x + i * stride, d);
        out[i].index = i;
    }
    qsort(out, n, sizeof *out, ref_cmp);
}

static double tol_of(double d)
{
    return REL_TOL * fabs(d) + 1e-6;
}

static int separated(double a, double b)
{
    return fabs(a - b) > tol_of(a > b ? a : b);
}

/* The header's vote over sorted neighbours; *margin receives the gap between
 * the winner's vote and the best other class (0 on a tie). */
static int32_t ref_vote(const ref_entry *nb, size_t k, const int32_t *labels, hogfeat_knn_weighting w,
                        double *margin)
{
    int32_t cls[1024];
    double votes[1024];
    size_t nc = 0, voters = k;
    int weighted = w == HOGFEAT_KNN_DISTANCE;
    if (weighted && nb[0].dist == 0.0) {
        voters = 1;
        while (voters < k && nb[voters].dist == 0.0)
            voters++;
        weighted = 0;
    }
    for (size_t t = 0; t < voters; t++) {
        int32_t c = labels[nb[t].index];
        size_t j = 0;
        while (j < nc && cls[j] != c)
            j++;
        if (j == nc) {
            cls[nc] = c;
            votes[nc++] = 0.0;
        }
        votes[j] += weighted ? 1.0 / nb[t].dist : 1.0;
    }
    /* cls is in order of first appearance, i.e. by nearest neighbour. */
    size_t best = 0;
    for (size_t j = 1; j < nc; j++)
        if (votes[j] > votes[best])
            best = j;
    double second = -1.0;
    for (size_t j = 0; j < nc; j++)
        if (j != best && votes[j] > second)
            second = votes[j];
    *margin = nc == 1 ? INFINITY : votes[best] - second;
    return cls[best];
}

static int32_t *class_labels(test_rng *rng, size_t n)
{
    static const int32_t pool[] = {-5, 3, 7, 100};
    int32_t *l = malloc(n * sizeof *l);
    ck_assert_ptr_nonnull(l);
    for (size_t i = 0; i < n; i++)
        l[i] = pool[test_rng_below(rng, 4)];
    return l;
}

/* Checks kneighbors output against the reference for one query set:
 * rank-wise distances within tolerance, each returned index at the distance
 * reported, indices identical wherever the reference separates them, order
 * nearest first with equal distances by increasing index. */
static void check_against_reference(hogfeat_metric metric, const float *x, size_t n, size_t d, size_t xstride,
                                    const float *qs, size_t nq, size_t qstride, size_t k, const size_t *idx,
                                    const float *dist, size_t *out_separated)
{
    ref_entry *ref = malloc(n * sizeof *ref);
    unsigned char *seen = calloc(n, 1);
    ck_assert_ptr_nonnull(ref);
    ck_assert_ptr_nonnull(seen);
    size_t separated_count = 0;
    for (size_t qi = 0; qi < nq; qi++) {
        const float *q = qs + qi * qstride;
        ref_sorted(metric, x, n, d, xstride, q, ref);
        memset(seen, 0, n);
        for (size_t t = 0; t < k; t++) {
            size_t gi = idx[qi * k + t];
            double gd = dist[qi * k + t];
            CHECK(gi < n, "query %zu rank %zu: index %zu out of range", qi, t, gi);
            CHECK(!seen[gi], "query %zu: index %zu returned twice", qi, gi);
            seen[gi] = 1;
            CHECK(fabs(gd - ref[t].dist) <= tol_of(ref[t].dist), "query %zu rank %zu: distance %.9g, reference %.9g",
                  qi, t, gd, ref[t].dist);
            double own = ref_distance(metric, q, x + gi * xstride, d);
            CHECK(fabs(gd - own) <= tol_of(own), "query %zu rank %zu: row %zu reported at %.9g, is at %.9g", qi, t,
                  gi, gd, own);
            if (t > 0) {
                double pd = dist[qi * k + t - 1];
                CHECK(pd < gd || (pd == gd && idx[qi * k + t - 1] < gi),
                      "query %zu rank %zu: order broken (%.9g #%zu before %.9g #%zu)", qi, t, pd,
                      idx[qi * k + t - 1], gd, gi);
            }
            int sep = (t == 0 || separated(ref[t].dist, ref[t - 1].dist)) &&
                      (t + 1 >= n || separated(ref[t].dist, ref[t + 1].dist));
            if (sep) {
                separated_count++;
                CHECK(gi == ref[t].index, "query %zu rank %zu: index %zu, reference %zu (separated)", qi, t, gi,
                      ref[t].index);
            }
        }
    }
    free(seen);
    free(ref);
    if (out_separated)
        *out_separated = separated_count;
}

/* ---- parameters, getters ------------------------------------------------------ */

START_TEST(test_params_validate)
{
    ck_assert_int_eq(hogfeat_knn_params_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_knn_params *p = NULL;
    ck_assert_int_eq(hogfeat_knn_params_create(&p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_k(NULL, 3), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, 0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, -1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, 1025), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, 1024), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_k(p, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_params_set_metric(NULL, HOGFEAT_METRIC_L1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_params_set_metric(p, (hogfeat_metric)0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_metric(p, (hogfeat_metric)5), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_weighting(NULL, HOGFEAT_KNN_UNIFORM), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_params_set_weighting(p, (hogfeat_knn_weighting)0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_weighting(p, (hogfeat_knn_weighting)3), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_threads(NULL, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_params_set_threads(p, -1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_threads(p, 257), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_knn_params_set_threads(p, 0), HOGFEAT_OK);
    hogfeat_knn_params_destroy(p);
    hogfeat_knn_params_destroy(NULL);
}
END_TEST

START_TEST(test_defaults_and_getters)
{
    const float x[] = {0, 0, 1, 1, 2, 2, 3, 3};
    const int32_t labels[] = {7, -3, 7, 100};
    hogfeat_knn *m = (hogfeat_knn *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_knn_fit(NULL, x, 4, 2, 2, labels, &m), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_k(m), 3);
    ck_assert_uint_eq(hogfeat_knn_num_samples(m), 4);
    ck_assert_uint_eq(hogfeat_knn_num_features(m), 2);
    ck_assert_int_eq(hogfeat_knn_num_classes(m), 3);
    ck_assert_int_eq(m->metric, HOGFEAT_METRIC_L2);
    ck_assert_int_eq(m->weighting, HOGFEAT_KNN_UNIFORM);
    ck_assert_int_eq(m->threads, 1);
    int32_t out[4] = {LABEL_SENTINEL, LABEL_SENTINEL, LABEL_SENTINEL, LABEL_SENTINEL};
    ck_assert_int_eq(hogfeat_knn_get_labels(m, out, 2), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(out[0], LABEL_SENTINEL);
    ck_assert_int_eq(hogfeat_knn_get_labels(m, NULL, 4), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_get_labels(NULL, out, 4), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_get_labels(m, out, 4), HOGFEAT_OK);
    ck_assert_int_eq(out[0], -3);
    ck_assert_int_eq(out[1], 7);
    ck_assert_int_eq(out[2], 100);
    ck_assert_int_eq(out[3], LABEL_SENTINEL);
    hogfeat_knn_destroy(m);

    ck_assert_int_eq(hogfeat_knn_k(NULL), 0);
    ck_assert_uint_eq(hogfeat_knn_num_samples(NULL), 0);
    ck_assert_uint_eq(hogfeat_knn_num_features(NULL), 0);
    ck_assert_int_eq(hogfeat_knn_num_classes(NULL), 0);
    hogfeat_knn_destroy(NULL);
}
END_TEST

/* What model_io does after reading a file: new, fill, prepare. */
START_TEST(test_prepare_derived)
{
    const float x[] = {1, 2, 0, 0, 3, 4, -1, 0.5f, 2, 2};
    const int32_t labels[] = {INT32_MAX, INT32_MIN, 0, INT32_MIN, 5};
    for (size_t mi = 0; mi < 4; mi++) {
        hogfeat_knn *m = NULL;
        ck_assert_int_eq(hogfeat__knn_new(5, 2, &m), HOGFEAT_OK);
        memcpy(m->features, x, sizeof x);
        memcpy(m->labels, labels, sizeof labels);
        m->metric = all_metrics[mi];
        m->k = 5;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_OK);
        /* Twice: recomputes without leaking the first tables. */
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_OK);
        ck_assert_int_eq(m->num_classes, 4);
        ck_assert_int_eq(m->classes[0], INT32_MIN);
        ck_assert_int_eq(m->classes[1], 0);
        ck_assert_int_eq(m->classes[2], 5);
        ck_assert_int_eq(m->classes[3], INT32_MAX);
        const int32_t want_class[] = {3, 0, 1, 0, 2};
        for (size_t i = 0; i < 5; i++)
            ck_assert_int_eq(m->sample_class[i], want_class[i]);
        if (m->metric == HOGFEAT_METRIC_L2 || m->metric == HOGFEAT_METRIC_COSINE) {
            /* Squared norms for both (see hogfeat__knn_prepare). */
            ck_assert_ptr_nonnull(m->norms);
            for (size_t i = 0; i < 5; i++)
                ck_assert_float_eq(m->norms[i], x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]);
        } else {
            ck_assert_ptr_null(m->norms);
        }

        int32_t out[2];
        const float q[] = {0.9f, 2.1f, 2.9f, 4.2f};
        ck_assert_int_eq(hogfeat_knn_predict(m, q, 2, 2, 2, out), HOGFEAT_OK);

        m->k = 6;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_BAD_TRAINING_SET);
        ck_assert_ptr_null(m->classes);
        m->k = 0;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->k = 1025;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->k = 1;
        m->metric = (hogfeat_metric)9;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->metric = all_metrics[mi];
        m->weighting = (hogfeat_knn_weighting)0;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->weighting = HOGFEAT_KNN_DISTANCE;
        m->threads = 300;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->threads = -1;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_INVALID_ARGUMENT);
        m->threads = 2;
        m->features[7] = NAN;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_NONFINITE);
        m->features[7] = -INFINITY;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_ERR_NONFINITE);
        ck_assert_int_eq(m->num_classes, 0);
        m->features[7] = 0.5f;
        ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_OK);
        hogfeat_knn_destroy(m);
    }
    ck_assert_int_eq(hogfeat__knn_prepare(NULL), HOGFEAT_ERR_NULL_POINTER);
}
END_TEST

/* ---- exact search against the reference ---------------------------------------- */

/* _i: metric (4) x k in {1, 3, 7} x weighting (2). */
START_TEST(test_reference_random)
{
    static const int32_t ks[] = {1, 3, 7};
    hogfeat_metric metric = all_metrics[_i % 4];
    int32_t k = ks[(_i / 4) % 3];
    hogfeat_knn_weighting w = _i / 12 ? HOGFEAT_KNN_DISTANCE : HOGFEAT_KNN_UNIFORM;
    const size_t n = 300, d = 37, xs = 41, nq = 70, qs = 39;
    test_rng rng = test_rng_seed(1000 + (uint64_t)_i);
    float lo = metric == HOGFEAT_METRIC_CHI2 ? 0.0f : -1.0f;
    float *x = random_matrix(&rng, n, d, xs, lo, 1.0f);
    float *q = random_matrix(&rng, nq, d, qs, lo, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(k, metric, w, 2, x, n, d, xs, labels);

    size_t cap = nq * (size_t)k;
    size_t *idx = malloc(cap * sizeof *idx);
    float *dist = malloc(cap * sizeof *dist);
    int32_t *pred = malloc(nq * sizeof *pred);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, qs, k, idx, dist, cap), HOGFEAT_OK);
    size_t sep = 0;
    check_against_reference(metric, x, n, d, xs, q, nq, qs, (size_t)k, idx, dist, &sep);
    /* Random data: nearly every rank must have been checked exactly. */
    ck_assert_uint_ge(sep, cap * 9 / 10);

    ck_assert_int_eq(hogfeat_knn_predict(m, q, nq, d, qs, pred), HOGFEAT_OK);
    ref_entry *ref = malloc(n * sizeof *ref);
    size_t checked = 0;
    for (size_t qi = 0; qi < nq; qi++) {
        ref_sorted(metric, x, n, d, xs, q + qi * qs, ref);
        int clear = 1;
        for (size_t t = 1; t <= (size_t)k; t++)
            clear &= separated(ref[t].dist, ref[t - 1].dist);
        double margin;
        int32_t want = ref_vote(ref, (size_t)k, labels, w, &margin);
        if (w == HOGFEAT_KNN_DISTANCE && margin < 1e-6)
            clear = 0; /* a weighted near-tie: rounding decides */
        if (!clear)
            continue;
        checked++;
        CHECK(pred[qi] == want, "query %zu: predicted %d, reference %d", qi, (int)pred[qi], (int)want);
    }
    ck_assert_uint_ge(checked, nq * 8 / 10);
    free(ref);
    free(pred);
    free(dist);
    free(idx);
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

/* Large k (the heap path) and k = all rows, on random data. */
START_TEST(test_reference_large_k)
{
    static const int32_t ks[] = {48, 49, 100, 250};
    hogfeat_metric metric = all_metrics[_i % 4];
    const size_t n = 250, d = 19, nq = 20;
    test_rng rng = test_rng_seed(2000 + (uint64_t)_i);
    float *x = random_matrix(&rng, n, d, d, 0.0f, 1.0f);
    float *q = random_matrix(&rng, nq, d, d, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(1, metric, HOGFEAT_KNN_UNIFORM, 1, x, n, d, d, labels);
    for (size_t ki = 0; ki < 4; ki++) {
        size_t k = (size_t)ks[ki], cap = nq * k;
        size_t *idx = malloc(cap * sizeof *idx);
        float *dist = malloc(cap * sizeof *dist);
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx, dist, cap), HOGFEAT_OK);
        size_t sep = 0;
        check_against_reference(metric, x, n, d, d, q, nq, d, k, idx, dist, &sep);
        ck_assert_uint_ge(sep, cap * 8 / 10);
        free(dist);
        free(idx);
    }
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

/* Small integer coordinates: L1 and L2 are exact in float, so every tie is a
 * true tie and the whole order, indices included, must match the reference. */
START_TEST(test_exact_ties_integer_grid)
{
    static const int32_t ks[] = {1, 3, 7, 48, 49, 200, 400};
    hogfeat_metric metric = _i ? HOGFEAT_METRIC_L1 : HOGFEAT_METRIC_L2;
    const size_t n = 400, d = 3, nq = 30;
    test_rng rng = test_rng_seed(3000 + (uint64_t)_i);
    float *x = malloc(n * d * sizeof *x), *q = malloc(nq * d * sizeof *q);
    for (size_t i = 0; i < n * d; i++)
        x[i] = (float)test_rng_below(&rng, 4);
    for (size_t i = 0; i < nq * d; i++)
        q[i] = (float)test_rng_below(&rng, 4);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(1, metric, HOGFEAT_KNN_UNIFORM, 3, x, n, d, d, labels);
    ref_entry *ref = malloc(n * sizeof *ref);
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
        size_t k = (size_t)ks[ki], cap = nq * k;
        size_t *idx = malloc(cap * sizeof *idx);
        float *dist = malloc(cap * sizeof *dist);
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx, dist, cap), HOGFEAT_OK);
        for (size_t qi = 0; qi < nq; qi++) {
            ref_sorted(metric, x, n, d, d, q + qi * d, ref);
            for (size_t t = 0; t < k; t++) {
                CHECK(idx[qi * k + t] == ref[t].index, "k %zu query %zu rank %zu: index %zu, reference %zu", k, qi,
                      t, idx[qi * k + t], ref[t].index);
                CHECK(dist[qi * k + t] == (float)ref[t].dist, "k %zu query %zu rank %zu: distance %.9g vs %.9g", k,
                      qi, t, (double)dist[qi * k + t], ref[t].dist);
            }
        }
        free(dist);
        free(idx);
    }
    free(ref);
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

START_TEST(test_nearest_first)
{
    /* 1-D rows at 0, 1, 3, 6, 10; query 2.75: 3 (0.25), 1 (1.75), 6 (3.25), 0 (2.75)... */
    const float x[] = {10, 3, 0, 6, 1};
    const int32_t labels[] = {0, 1, 2, 3, 4};
    hogfeat_knn *m = fit_or_fail(1, HOGFEAT_METRIC_L1, HOGFEAT_KNN_UNIFORM, 1, x, 5, 1, 1, labels);
    const float q = 2.75f;
    size_t idx[5];
    float dist[5];
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, &q, 1, 1, 1, 5, idx, dist, 5), HOGFEAT_OK);
    const size_t want_idx[] = {1, 4, 2, 3, 0};
    const float want_dist[] = {0.25f, 1.75f, 2.75f, 3.25f, 7.25f};
    for (size_t t = 0; t < 5; t++) {
        ck_assert_uint_eq(idx[t], want_idx[t]);
        ck_assert_float_eq(dist[t], want_dist[t]);
    }
    hogfeat_knn_destroy(m);
}
END_TEST

/* Duplicated rows and equidistant rows: the lower index comes first, for every metric. */
START_TEST(test_ties_lower_index_first)
{
    hogfeat_metric metric = all_metrics[_i];
    /* Rows: 0 = B, 1 = A, 2 = C, 3 = A, 4 = A, 5 = B. */
    const float a[] = {0.5f, 0.25f, 1.0f}, b[] = {2.0f, 1.0f, 0.5f}, c[] = {0.125f, 3.0f, 2.0f};
    const float *rows[] = {b, a, c, a, a, b};
    float x[18];
    for (size_t i = 0; i < 6; i++)
        memcpy(x + 3 * i, rows[i], 3 * sizeof(float));
    const int32_t labels[] = {1, 2, 3, 2, 2, 1};
    hogfeat_knn *m = fit_or_fail(1, metric, HOGFEAT_KNN_UNIFORM, 1, x, 6, 3, 3, labels);
    size_t idx[6];
    float dist[6];
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, a, 1, 3, 3, 6, idx, dist, 6), HOGFEAT_OK);
    /* The three copies of A at exactly 0, in index order, then the B copies in index order. */
    ck_assert_uint_eq(idx[0], 1);
    ck_assert_uint_eq(idx[1], 3);
    ck_assert_uint_eq(idx[2], 4);
    ck_assert_float_eq(dist[0], 0.0f);
    ck_assert_float_eq(dist[1], 0.0f);
    ck_assert_float_eq(dist[2], 0.0f);
    /* C (row 2) lands before or after the two copies of B, never between. */
    size_t b_first = idx[3] == 0 || idx[3] == 5 ? 3 : 4;
    ck_assert_uint_eq(idx[b_first], 0);
    ck_assert_uint_eq(idx[b_first + 1], 5);
    ck_assert_float_eq(dist[b_first], dist[b_first + 1]);
    hogfeat_knn_destroy(m);

    /* Equidistant distinct rows: 1-D at 2 (index 0) and 0 (index 1), query 1. */
    if (metric == HOGFEAT_METRIC_L1 || metric == HOGFEAT_METRIC_L2) {
        const float x2[] = {2, 0, 5};
        const int32_t l2[] = {9, 4, 4};
        m = fit_or_fail(1, metric, HOGFEAT_KNN_UNIFORM, 1, x2, 3, 1, 1, l2);
        const float q = 1.0f;
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, &q, 1, 1, 1, 2, idx, dist, 2), HOGFEAT_OK);
        ck_assert_uint_eq(idx[0], 0);
        ck_assert_uint_eq(idx[1], 1);
        ck_assert_float_eq(dist[0], 1.0f);
        ck_assert_float_eq(dist[1], 1.0f);
        hogfeat_knn_destroy(m);
    }
}
END_TEST

/* ---- voting ------------------------------------------------------------------- */

START_TEST(test_vote_tie_nearest_class)
{
    /* k = 2, one row per class: each class has one vote; the nearest wins. */
    const float x[] = {0.0f, 1.0f};
    const int32_t labels[] = {5, 9};
    const float q[] = {0.8f, 0.2f, 0.51f, 0.49f};
    for (int w = 1; w <= 2; w++) {
        hogfeat_knn *m = fit_or_fail(2, HOGFEAT_METRIC_L2, (hogfeat_knn_weighting)w, 1, x, 2, 1, 1, labels);
        int32_t out[4];
        ck_assert_int_eq(hogfeat_knn_predict(m, q, 4, 1, 1, out), HOGFEAT_OK);
        ck_assert_int_eq(out[0], 9);
        ck_assert_int_eq(out[1], 5);
        ck_assert_int_eq(out[2], 9);
        ck_assert_int_eq(out[3], 5);
        hogfeat_knn_destroy(m);
    }
    /* Uniform, k = 2: exactly midway, the nearest is the lower index; both orders of the rows. */
    const float mid = 1.0f;
    const float xa[] = {0.0f, 2.0f};
    const int32_t la[] = {5, 9}, lb[] = {9, 5};
    for (int w = 1; w <= 2; w++) {
        int32_t out;
        hogfeat_knn *m = fit_or_fail(2, HOGFEAT_METRIC_L1, (hogfeat_knn_weighting)w, 1, xa, 2, 1, 1, la);
        ck_assert_int_eq(hogfeat_knn_predict(m, &mid, 1, 1, 1, &out), HOGFEAT_OK);
        ck_assert_int_eq(out, 5);
        hogfeat_knn_destroy(m);
        m = fit_or_fail(2, HOGFEAT_METRIC_L1, (hogfeat_knn_weighting)w, 1, xa, 2, 1, 1, lb);
        ck_assert_int_eq(hogfeat_knn_predict(m, &mid, 1, 1, 1, &out), HOGFEAT_OK);
        ck_assert_int_eq(out, 9); /* row 0 now has label 9 */
        hogfeat_knn_destroy(m);
    }
    /* Three classes, k = 4: classes 1 and 2 tie at two votes each, class 2
     * owns the nearest row, and the larger label must not win by default. */
    const float x3[] = {0.0f, 0.1f, 0.3f, 0.35f, 5.0f};
    const int32_t l3[] = {2, 1, 1, 2, 3};
    hogfeat_knn *m = fit_or_fail(4, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 1, x3, 5, 1, 1, l3);
    const float q3 = -0.01f;
    int32_t out3;
    ck_assert_int_eq(hogfeat_knn_predict(m, &q3, 1, 1, 1, &out3), HOGFEAT_OK);
    ck_assert_int_eq(out3, 2);
    hogfeat_knn_destroy(m);
    const int32_t l4[] = {1, 2, 2, 1, 3};
    m = fit_or_fail(4, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 1, x3, 5, 1, 1, l4);
    ck_assert_int_eq(hogfeat_knn_predict(m, &q3, 1, 1, 1, &out3), HOGFEAT_OK);
    ck_assert_int_eq(out3, 1);
    hogfeat_knn_destroy(m);
}
END_TEST

START_TEST(test_distance_weighting)
{
    /* Query 0; rows at 1 (label 4), 3 and 3.5 (label 8). Uniform: 8 (2 votes);
     * weighted: 4 has 1, 8 has 1/3 + 1/3.5 = 0.62. */
    const float x[] = {1.0f, 3.0f, 3.5f};
    const int32_t labels[] = {4, 8, 8};
    const float q = 0.0f;
    int32_t out;
    hogfeat_knn *m = fit_or_fail(3, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 1, x, 3, 1, 1, labels);
    ck_assert_int_eq(hogfeat_knn_predict(m, &q, 1, 1, 1, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 8);
    hogfeat_knn_destroy(m);
    m = fit_or_fail(3, HOGFEAT_METRIC_L2, HOGFEAT_KNN_DISTANCE, 1, x, 3, 1, 1, labels);
    ck_assert_int_eq(hogfeat_knn_predict(m, &q, 1, 1, 1, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 4);
    hogfeat_knn_destroy(m);

    /* The weight is 1 / distance, not 1 / squared distance: rows at 2 (label 4),
     * 3 and 3.1 (label 8). 1/d: 0.5 against 0.656, so 8; 1/d^2 would give 4. */
    const float y[] = {2.0f, 3.0f, 3.1f};
    for (size_t mi = 0; mi < 2; mi++) {
        m = fit_or_fail(3, all_metrics[mi], HOGFEAT_KNN_DISTANCE, 1, y, 3, 1, 1, labels);
        ck_assert_int_eq(hogfeat_knn_predict(m, &q, 1, 1, 1, &out), HOGFEAT_OK);
        ck_assert_int_eq(out, 8);
        hogfeat_knn_destroy(m);
    }
}
END_TEST

/* A query equal to a training row predicts its label even when outvoted, for
 * every metric; several rows at distance 0 vote equally among themselves. */
START_TEST(test_zero_distance_rule)
{
    hogfeat_metric metric = all_metrics[_i];
    test_rng rng = test_rng_seed(4000 + (uint64_t)_i);
    const size_t d = 24;
    float *base = random_matrix(&rng, 1, d, d, 0.1f, 1.0f);
    /* Rows: 0 = base (label 1), 1..4 = near copies (label 2). */
    float x[5 * 24];
    for (size_t r = 0; r < 5; r++)
        for (size_t c = 0; c < d; c++)
            x[r * d + c] = base[c] * (r == 0 ? 1.0f : 1.0f + 0.05f * (float)(r + c % 3));
    const int32_t labels[] = {1, 2, 2, 2, 2};
    int32_t out;
    hogfeat_knn *m = fit_or_fail(5, metric, HOGFEAT_KNN_UNIFORM, 1, x, 5, d, d, labels);
    ck_assert_int_eq(hogfeat_knn_predict(m, base, 1, d, d, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 2);
    hogfeat_knn_destroy(m);
    m = fit_or_fail(5, metric, HOGFEAT_KNN_DISTANCE, 1, x, 5, d, d, labels);
    ck_assert_int_eq(hogfeat_knn_predict(m, base, 1, d, d, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 1);
    size_t idx;
    float dist;
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, base, 1, d, d, 1, &idx, &dist, 1), HOGFEAT_OK);
    ck_assert_uint_eq(idx, 0);
    ck_assert_float_eq(dist, 0.0f);
    hogfeat_knn_destroy(m);

    /* Rows 0 (label 1), 1 and 2 (label 2) equal the query; 3 and 4 (label 1)
     * are near. Distance weighting: only the zero rows vote, 2 beats 1. */
    float y[5 * 24];
    for (size_t r = 0; r < 5; r++)
        for (size_t c = 0; c < d; c++)
            y[r * d + c] = r < 3 ? base[c] : base[c] * (1.0f + 0.05f * (float)(r + c % 3));
    const int32_t ly[] = {1, 2, 2, 1, 1};
    m = fit_or_fail(5, metric, HOGFEAT_KNN_DISTANCE, 1, y, 5, d, d, ly);
    ck_assert_int_eq(hogfeat_knn_predict(m, base, 1, d, d, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 2);
    hogfeat_knn_destroy(m);
    m = fit_or_fail(5, metric, HOGFEAT_KNN_UNIFORM, 1, y, 5, d, d, ly);
    ck_assert_int_eq(hogfeat_knn_predict(m, base, 1, d, d, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 1);
    hogfeat_knn_destroy(m);
    free(base);
}
END_TEST

/* ---- metric details ------------------------------------------------------------ */

START_TEST(test_cosine_zero_vector)
{
    /* Row 1 is zero: distance 1 from anything. A zero query is at 1 from every row. */
    const float x[] = {1, 0, 0, 0, 0, 0, 0, 2, 0, -1, -1, 0};
    const int32_t labels[] = {1, 2, 3, 4};
    hogfeat_knn *m = fit_or_fail(1, HOGFEAT_METRIC_COSINE, HOGFEAT_KNN_UNIFORM, 1, x, 4, 3, 3, labels);
    const float q[] = {2, 0, 0, 0, 0, 0};
    size_t idx[8];
    float dist[8];
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 2, 3, 3, 4, idx, dist, 8), HOGFEAT_OK);
    /* Query (2,0,0): row 0 parallel (0), rows 1 and 2 at 1 (index order), row 3 opposite-ish. */
    ck_assert_uint_eq(idx[0], 0);
    ck_assert_float_eq(dist[0], 0.0f);
    ck_assert_uint_eq(idx[1], 1);
    ck_assert_float_eq(dist[1], 1.0f);
    ck_assert_uint_eq(idx[2], 2);
    ck_assert_float_eq(dist[2], 1.0f);
    ck_assert_uint_eq(idx[3], 3);
    ck_assert_float_eq_tol(dist[3], (float)(1.0 + 1.0 / sqrt(2.0)), 1e-6f);
    for (size_t t = 0; t < 4; t++) {
        ck_assert_uint_eq(idx[4 + t], t);
        ck_assert_float_eq(dist[4 + t], 1.0f);
    }
    int32_t out[2];
    ck_assert_int_eq(hogfeat_knn_predict(m, q, 2, 3, 3, out), HOGFEAT_OK);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 1);
    hogfeat_knn_destroy(m);
}
END_TEST

START_TEST(test_chi2_zero_and_negative)
{
    const float x[] = {
        0, 0,  /* 0 */
        -1, 1, /* 1 */
        3, 1,  /* 2 */
        1, 2,  /* 3 */
    };
    const int32_t labels[] = {1, 2, 3, 4};
    hogfeat_knn *m = fit_or_fail(1, HOGFEAT_METRIC_CHI2, HOGFEAT_KNN_UNIFORM, 1, x, 4, 2, 2, labels);
    const float q[] = {1, -2, 0, 0};
    size_t idx[8];
    float dist[8];
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 2, 2, 2, 4, idx, dist, 8), HOGFEAT_OK);
    /* (1,-2) vs: row 0 -> 1 (first term), second term sum -2 skipped;
     * row 1: sums 0 and -1, both skipped -> 0; row 2: 4/4 = 1, sum -1 skipped -> 1;
     * row 3: 0, sum 0 skipped -> 0. Order: 1, 3, 0, 2. */
    const size_t want0[] = {1, 3, 0, 2};
    const float wantd0[] = {0.0f, 0.0f, 1.0f, 1.0f};
    /* (0,0) vs: row 0 all skipped -> 0; row 1: sum -1 skipped, 1/1 = 1; row 2: 3 + 1 = 4; row 3: 1 + 2 = 3. */
    const size_t want1[] = {0, 1, 3, 2};
    const float wantd1[] = {0.0f, 1.0f, 3.0f, 4.0f};
    for (size_t t = 0; t < 4; t++) {
        ck_assert_uint_eq(idx[t], want0[t]);
        ck_assert_float_eq(dist[t], wantd0[t]);
        ck_assert_uint_eq(idx[4 + t], want1[t]);
        ck_assert_float_eq(dist[4 + t], wantd1[t]);
    }
    hogfeat_knn_destroy(m);
}
END_TEST

/* Finite values of extreme magnitude overflow float sums; the order stays
 * total: no NaN distance, every index once. */
START_TEST(test_extreme_magnitudes)
{
    const float big = 3.0e38f;
    const float x[] = {big, -big, 1e20f, 1e20f, -big, big, 0, 0, 1e-30f, 1e-30f, big, big};
    const int32_t labels[] = {1, 2, 3, 4, 5, 6};
    const float q[] = {big, big, 1e20f, 1e20f, 0, 0, -big, -big};
    for (size_t mi = 0; mi < 4; mi++) {
        for (int w = 1; w <= 2; w++) {
            hogfeat_knn *m = fit_or_fail(3, all_metrics[mi], (hogfeat_knn_weighting)w, 1, x, 6, 2, 2, labels);
            size_t idx[24];
            float dist[24];
            ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 4, 2, 2, 6, idx, dist, 24), HOGFEAT_OK);
            for (size_t qi = 0; qi < 4; qi++) {
                unsigned seen = 0;
                for (size_t t = 0; t < 6; t++) {
                    ck_assert_msg(!isnan(dist[qi * 6 + t]), "metric %d query %zu rank %zu: NaN",
                                  (int)all_metrics[mi], qi, t);
                    ck_assert_uint_lt(idx[qi * 6 + t], 6);
                    seen |= 1u << idx[qi * 6 + t];
                    if (t > 0)
                        ck_assert(dist[qi * 6 + t - 1] <= dist[qi * 6 + t]);
                }
                ck_assert_uint_eq(seen, 0x3Fu);
            }
            /* Query 1 equals row 1: still found at 0 although |x|^2 overflows float
             * (cosine cannot tell: its norms overflow, see knn.c). */
            if (all_metrics[mi] != HOGFEAT_METRIC_COSINE) {
                ck_assert_uint_eq(idx[6], 1);
                ck_assert_float_eq(dist[6], 0.0f);
            }
            int32_t out[4];
            ck_assert_int_eq(hogfeat_knn_predict(m, q, 4, 2, 2, out), HOGFEAT_OK);
            for (size_t qi = 0; qi < 4; qi++)
                ck_assert(out[qi] >= 1 && out[qi] <= 6);
            hogfeat_knn_destroy(m);
        }
    }
}
END_TEST

/* k = 1 on the training rows themselves: each row finds itself at 0. */
START_TEST(test_k1_self)
{
    hogfeat_metric metric = all_metrics[_i];
    const size_t n = 200, d = 20;
    test_rng rng = test_rng_seed(5000 + (uint64_t)_i);
    float *x = random_matrix(&rng, n, d, d, metric == HOGFEAT_METRIC_CHI2 ? 0.0f : -1.0f, 1.0f);
    int32_t *labels = malloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = (int32_t)i * 3 - 250;
    hogfeat_knn *m = fit_or_fail(1, metric, HOGFEAT_KNN_DISTANCE, 2, x, n, d, d, labels);
    int32_t *pred = malloc(n * sizeof *pred);
    size_t *idx = malloc(n * sizeof *idx);
    float *dist = malloc(n * sizeof *dist);
    ck_assert_int_eq(hogfeat_knn_predict(m, x, n, d, d, pred), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, x, n, d, d, 1, idx, dist, n), HOGFEAT_OK);
    for (size_t i = 0; i < n; i++) {
        CHECK(pred[i] == labels[i], "row %zu: predicted %d, own label %d", i, (int)pred[i], (int)labels[i]);
        CHECK(idx[i] == i, "row %zu: nearest is %zu", i, idx[i]);
        CHECK(dist[i] == 0.0f, "row %zu: distance to itself %.9g", i, (double)dist[i]);
    }
    free(dist);
    free(idx);
    free(pred);
    hogfeat_knn_destroy(m);
    free(labels);
    free(x);
}
END_TEST

/* ---- threads ------------------------------------------------------------------- */

START_TEST(test_threads_identical)
{
    hogfeat_metric metric = all_metrics[_i];
    const size_t n = 700, d = 50, nq = 300, k = 5;
    test_rng rng = test_rng_seed(6000 + (uint64_t)_i);
    float *x = random_matrix(&rng, n, d, d, 0.0f, 1.0f);
    float *q = random_matrix(&rng, nq, d, d + 2, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    static const int32_t threads[] = {1, 2, 4, 0, 7};
    int32_t *pred[5];
    size_t *idx[5];
    float *dist[5];
    for (size_t t = 0; t < 5; t++) {
        hogfeat_knn *m = fit_or_fail((int32_t)k, metric, HOGFEAT_KNN_DISTANCE, threads[t], x, n, d, d, labels);
        pred[t] = malloc(nq * sizeof *pred[t]);
        idx[t] = malloc(nq * k * sizeof *idx[t]);
        dist[t] = malloc(nq * k * sizeof *dist[t]);
        ck_assert_int_eq(hogfeat_knn_predict(m, q, nq, d, d + 2, pred[t]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d + 2, (int32_t)k, idx[t], dist[t], nq * k),
                         HOGFEAT_OK);
        hogfeat_knn_destroy(m);
        if (t > 0) {
            ck_assert_msg(memcmp(pred[0], pred[t], nq * sizeof *pred[0]) == 0, "labels differ at %d threads",
                          (int)threads[t]);
            ck_assert_msg(memcmp(idx[0], idx[t], nq * k * sizeof *idx[0]) == 0, "indices differ at %d threads",
                          (int)threads[t]);
            ck_assert_msg(memcmp(dist[0], dist[t], nq * k * sizeof *dist[0]) == 0, "distances differ at %d threads",
                          (int)threads[t]);
        }
    }
    /* And the shared result is right. */
    check_against_reference(metric, x, n, d, d, q, nq, d + 2, k, idx[0], dist[0], NULL);
    for (size_t t = 0; t < 5; t++) {
        free(pred[t]);
        free(idx[t]);
        free(dist[t]);
    }
    free(labels);
    free(q);
    free(x);
}
END_TEST

/* Long rows (several of dot_block's feature chunks, and a tail), several
 * training blocks and several tasks per call. Queries that copy a training
 * row, at another stride and alignment, find it and its duplicates at
 * exactly 0, lower index first; everything matches the reference and does
 * not depend on the thread count. _i: L2, cosine. */
START_TEST(test_long_rows_blocks)
{
    hogfeat_metric metric = _i ? HOGFEAT_METRIC_COSINE : HOGFEAT_METRIC_L2;
    const size_t n = 400, d = 1301, nq = 150, qs = d + 3, k = 3;
    test_rng rng = test_rng_seed(6500 + (uint64_t)_i);
    float *x = random_matrix(&rng, n, d, d, -1.0f, 1.0f);
    /* Row 7 appears again as rows 100 and 350. */
    memcpy(x + 100 * d, x + 7 * d, d * sizeof *x);
    memcpy(x + 350 * d, x + 7 * d, d * sizeof *x);
    /* d + 1 finite columns, so that q, one float in, has d per row. */
    float *q_buffer = random_matrix(&rng, nq + 1, d + 1, qs, -1.0f, 1.0f);
    float *q = q_buffer + 1; /* not aligned like the packed training rows */
    for (size_t qi = 0; qi < nq; qi += 3)
        memcpy(q + qi * qs, x + ((qi * 7) % n) * d, d * sizeof *q);
    memcpy(q + 5 * qs, x + 350 * d, d * sizeof *q);
    int32_t *labels = class_labels(&rng, n);
    static const int32_t threads[] = {1, 2, 3};
    size_t *idx[3];
    float *dist[3];
    for (size_t t = 0; t < 3; t++) {
        hogfeat_knn *m = fit_or_fail((int32_t)k, metric, HOGFEAT_KNN_UNIFORM, threads[t], x, n, d, d, labels);
        idx[t] = malloc(nq * k * sizeof *idx[t]);
        dist[t] = malloc(nq * k * sizeof *dist[t]);
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, qs, (int32_t)k, idx[t], dist[t], nq * k), HOGFEAT_OK);
        hogfeat_knn_destroy(m);
        if (t > 0) {
            ck_assert_msg(memcmp(idx[0], idx[t], nq * k * sizeof *idx[0]) == 0, "indices differ at %d threads",
                          (int)threads[t]);
            ck_assert_msg(memcmp(dist[0], dist[t], nq * k * sizeof *dist[0]) == 0, "distances differ at %d threads",
                          (int)threads[t]);
        }
    }
    for (size_t qi = 0; qi < nq; qi++) {
        if (qi % 3 != 0 && qi != 5)
            continue;
        size_t row = qi == 5 ? 350 : (qi * 7) % n;
        if (row == 7 || row == 100 || row == 350) {
            static const size_t copies[] = {7, 100, 350};
            for (size_t t = 0; t < 3; t++) {
                CHECK(idx[0][qi * k + t] == copies[t], "query %zu rank %zu: row %zu, want %zu", qi, t,
                      idx[0][qi * k + t], copies[t]);
                CHECK(dist[0][qi * k + t] == 0.0f, "query %zu rank %zu: distance %.9g", qi, t,
                      (double)dist[0][qi * k + t]);
            }
        } else {
            CHECK(idx[0][qi * k] == row, "query %zu: nearest %zu, want %zu", qi, idx[0][qi * k], row);
            CHECK(dist[0][qi * k] == 0.0f, "query %zu: distance %.9g", qi, (double)dist[0][qi * k]);
            CHECK(dist[0][qi * k + 1] > 0.0f, "query %zu: a second row at 0", qi);
        }
    }
    check_against_reference(metric, x, n, d, d, q, nq, qs, k, idx[0], dist[0], NULL);
    for (size_t t = 0; t < 3; t++) {
        free(idx[t]);
        free(dist[t]);
    }
    free(labels);
    free(q_buffer);
    free(x);
}
END_TEST

/* ---- copies and strides -------------------------------------------------------- */

START_TEST(test_fit_copies)
{
    const size_t n = 40, d = 6, xs = 9;
    test_rng rng = test_rng_seed(7000);
    float *x = random_matrix(&rng, n, d, xs, -1.0f, 1.0f); /* NaN padding must not be read */
    float *q = random_matrix(&rng, 5, d, d, -1.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(3, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 1, x, n, d, xs, labels);
    int32_t before[5], after[5];
    size_t idx0[15], idx1[15];
    float d0[15], d1[15];
    ck_assert_int_eq(hogfeat_knn_predict(m, q, 5, d, d, before), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 5, d, d, 3, idx0, d0, 15), HOGFEAT_OK);
    for (size_t i = 0; i < n * xs; i++)
        x[i] = 1000.0f;
    for (size_t i = 0; i < n; i++)
        labels[i] = 424242;
    ck_assert_int_eq(hogfeat_knn_predict(m, q, 5, d, d, after), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 5, d, d, 3, idx1, d1, 15), HOGFEAT_OK);
    ck_assert_mem_eq(before, after, sizeof before);
    ck_assert_mem_eq(idx0, idx1, sizeof idx0);
    ck_assert_mem_eq(d0, d1, sizeof d0);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_ne(after[i], 424242);
    /* The copy is packed. */
    ck_assert_uint_eq(hogfeat_knn_num_features(m), d);
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

/* One output may be NULL; the other is filled alike. */
START_TEST(test_kneighbors_single_output)
{
    const size_t n = 30, d = 4, k = 4, nq = 3;
    test_rng rng = test_rng_seed(7100);
    float *x = random_matrix(&rng, n, d, d, 0.0f, 1.0f);
    float *q = random_matrix(&rng, nq, d, d, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(2, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 1, x, n, d, d, labels);
    size_t idx_both[12], idx_only[12];
    float dist_both[12], dist_only[12];
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx_both, dist_both, 12), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx_only, NULL, 12), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, NULL, dist_only, 12), HOGFEAT_OK);
    ck_assert_mem_eq(idx_both, idx_only, sizeof idx_both);
    ck_assert_mem_eq(dist_both, dist_only, sizeof dist_both);
    /* Exactly num_queries * k is enough; the slot after it is left alone. */
    size_t idx_big[13];
    idx_big[12] = INDEX_SENTINEL;
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx_big, NULL, 13), HOGFEAT_OK);
    ck_assert_uint_eq(idx_big[12], INDEX_SENTINEL);
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

/* ---- hostile input ------------------------------------------------------------- */

START_TEST(test_fit_bad_inputs)
{
    const float x[] = {0, 1, 2, 3, 4, 5, 6, 7};
    const int32_t labels[] = {1, 2, 1, 2};
    hogfeat_knn *m;
#define EXPECT_FIT(params, feat, n, d, stride, lab, want)                                                     \
    do {                                                                                                      \
        m = (hogfeat_knn *)(uintptr_t)0x40;                                                                   \
        ck_assert_int_eq(hogfeat_knn_fit(params, feat, n, d, stride, lab, &m), want);                         \
        ck_assert_ptr_null(m);                                                                                \
        ck_assert_str_ne(hogfeat_last_error_message(), "");                                                   \
    } while (0)
    ck_assert_int_eq(hogfeat_knn_fit(NULL, x, 4, 2, 2, labels, NULL), HOGFEAT_ERR_NULL_POINTER);
    EXPECT_FIT(NULL, NULL, 4, 2, 2, labels, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_FIT(NULL, x, 4, 2, 2, NULL, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_FIT(NULL, x, 0, 2, 2, labels, HOGFEAT_ERR_BAD_TRAINING_SET);
    EXPECT_FIT(NULL, x, 4, 0, 2, labels, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_FIT(NULL, x, 4, 2, 1, labels, HOGFEAT_ERR_BAD_STRIDE);
    EXPECT_FIT(NULL, x, 2, 2, 2, labels, HOGFEAT_ERR_BAD_TRAINING_SET); /* 2 rows < default k = 3 */
    hogfeat_knn_params *p = make_params(5, HOGFEAT_METRIC_L1, HOGFEAT_KNN_UNIFORM, 1);
    EXPECT_FIT(p, x, 4, 2, 2, labels, HOGFEAT_ERR_BAD_TRAINING_SET);
    hogfeat_knn_params_destroy(p);
    /* Sizes whose span overflows: rejected before any element is read. */
    EXPECT_FIT(NULL, x, SIZE_MAX / 2, 4, 4, labels, HOGFEAT_ERR_LIMIT_EXCEEDED);
    EXPECT_FIT(NULL, x, SIZE_MAX / 8, 4, 4, labels, HOGFEAT_ERR_LIMIT_EXCEEDED); /* elements fit, bytes do not */
    EXPECT_FIT(NULL, x, 4, 2, SIZE_MAX, labels, HOGFEAT_ERR_LIMIT_EXCEEDED);
    EXPECT_FIT(NULL, x, 4, SIZE_MAX, SIZE_MAX, labels, HOGFEAT_ERR_LIMIT_EXCEEDED);
    static const float bad_values[] = {NAN, INFINITY, -INFINITY};
    for (size_t b = 0; b < 3; b++) {
        for (size_t pos = 0; pos < 8; pos++) {
            float y[8];
            memcpy(y, x, sizeof y);
            y[pos] = bad_values[b];
            EXPECT_FIT(NULL, y, 4, 2, 2, labels, HOGFEAT_ERR_NONFINITE);
        }
    }
    /* A NaN in the stride padding is not part of the data. */
    const float padded[] = {0, 1, NAN, 2, 3, NAN, 4, 5, NAN, 6, 7};
    m = NULL;
    ck_assert_int_eq(hogfeat_knn_fit(NULL, padded, 4, 2, 3, labels, &m), HOGFEAT_OK);
    hogfeat_knn_destroy(m);
    /* A single class is a valid KNN training set. */
    const int32_t one[] = {7, 7, 7, 7};
    m = NULL;
    ck_assert_int_eq(hogfeat_knn_fit(NULL, x, 4, 2, 2, one, &m), HOGFEAT_OK);
    int32_t out = 0;
    ck_assert_int_eq(hogfeat_knn_predict(m, x, 1, 2, 2, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 7);
    hogfeat_knn_destroy(m);
#undef EXPECT_FIT
}
END_TEST

static int labels_untouched(const int32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != LABEL_SENTINEL)
            return 0;
    return 1;
}

static int outputs_untouched(const size_t *idx, const float *dist, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] != INDEX_SENTINEL || memcmp(&dist[i], &(float){DIST_SENTINEL}, sizeof(float)) != 0)
            return 0;
    return 1;
}

static void reset_outputs(int32_t *lab, size_t *idx, float *dist, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lab[i] = LABEL_SENTINEL;
        idx[i] = INDEX_SENTINEL;
        dist[i] = DIST_SENTINEL;
    }
}

START_TEST(test_query_bad_inputs)
{
    const size_t n = 20, d = 3;
    test_rng rng = test_rng_seed(8000);
    float *x = random_matrix(&rng, n, d, d, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail(3, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 2, x, n, d, d, labels);
    float q[4 * 4];
    for (size_t i = 0; i < 16; i++)
        q[i] = test_rng_float(&rng);
    int32_t lab[64];
    size_t idx[64];
    float dist[64];

#define EXPECT_PREDICT(model, qs, nq, nf, stride, out, want)                                                  \
    do {                                                                                                      \
        reset_outputs(lab, idx, dist, 64);                                                                    \
        ck_assert_int_eq(hogfeat_knn_predict(model, qs, nq, nf, stride, out), want);                          \
        ck_assert_msg(labels_untouched(lab, 64), "predict wrote on failure");                                 \
    } while (0)
    EXPECT_PREDICT(NULL, q, 4, d, d, lab, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_PREDICT(m, NULL, 4, d, d, lab, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_PREDICT(m, q, 4, d, d, NULL, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_PREDICT(m, q, 4, d + 1, d + 1, lab, HOGFEAT_ERR_DIMENSION_MISMATCH);
    EXPECT_PREDICT(m, q, 4, d - 1, d, lab, HOGFEAT_ERR_DIMENSION_MISMATCH);
    EXPECT_PREDICT(m, q, 4, 0, d, lab, HOGFEAT_ERR_DIMENSION_MISMATCH);
    EXPECT_PREDICT(m, q, 4, d, d - 1, lab, HOGFEAT_ERR_BAD_STRIDE);
    EXPECT_PREDICT(m, q, 4, d, 0, lab, HOGFEAT_ERR_BAD_STRIDE);
    EXPECT_PREDICT(m, q, SIZE_MAX / 2, d, d, lab, HOGFEAT_ERR_LIMIT_EXCEEDED);
    EXPECT_PREDICT(m, q, 2, d, SIZE_MAX, lab, HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* An empty batch is fine, NULL buffers included, and writes nothing. */
    EXPECT_PREDICT(m, q, 0, d, d, lab, HOGFEAT_OK);
    EXPECT_PREDICT(m, NULL, 0, d, d, NULL, HOGFEAT_OK);
    /* ... but its shape is still checked. */
    EXPECT_PREDICT(m, q, 0, d + 1, d + 1, lab, HOGFEAT_ERR_DIMENSION_MISMATCH);
    static const float bad_values[] = {NAN, INFINITY, -INFINITY};
    for (size_t b = 0; b < 3; b++) {
        float y[16];
        memcpy(y, q, sizeof y);
        y[3 * 4 + 2] = bad_values[b]; /* the last element of the last query */
        EXPECT_PREDICT(m, y, 4, d, 4, lab, HOGFEAT_ERR_NONFINITE);
        memcpy(y, q, sizeof y);
        y[0] = bad_values[b];
        EXPECT_PREDICT(m, y, 4, d, 4, lab, HOGFEAT_ERR_NONFINITE);
        /* Padding is not data. */
        memcpy(y, q, sizeof y);
        y[3] = bad_values[b];
        y[7] = bad_values[b];
        reset_outputs(lab, idx, dist, 64);
        ck_assert_int_eq(hogfeat_knn_predict(m, y, 4, d, 4, lab), HOGFEAT_OK);
        ck_assert_int_ne(lab[3], LABEL_SENTINEL);
        ck_assert_int_eq(lab[4], LABEL_SENTINEL);
    }
#undef EXPECT_PREDICT

#define EXPECT_KN(model, qs, nq, nf, stride, k, oi, od, cap, want)                                            \
    do {                                                                                                      \
        reset_outputs(lab, idx, dist, 64);                                                                    \
        ck_assert_int_eq(hogfeat_knn_kneighbors(model, qs, nq, nf, stride, k, oi, od, cap), want);            \
        ck_assert_msg(outputs_untouched(idx, dist, 64), "kneighbors wrote on failure");                       \
    } while (0)
    EXPECT_KN(NULL, q, 4, d, d, 3, idx, dist, 64, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_KN(m, q, 4, d, d, 3, NULL, NULL, 64, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_KN(m, NULL, 4, d, d, 3, idx, dist, 64, HOGFEAT_ERR_NULL_POINTER);
    EXPECT_KN(m, q, 4, d + 1, d + 1, 3, idx, dist, 64, HOGFEAT_ERR_DIMENSION_MISMATCH);
    EXPECT_KN(m, q, 4, d, d - 1, 3, idx, dist, 64, HOGFEAT_ERR_BAD_STRIDE);
    EXPECT_KN(m, q, 4, d, d, 0, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 4, d, d, -1, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 4, d, d, INT32_MIN, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 4, d, d, (int32_t)n + 1, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 4, d, d, INT32_MAX, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 0, d, d, 0, idx, dist, 64, HOGFEAT_ERR_INVALID_ARGUMENT);
    EXPECT_KN(m, q, 4, d, d, 3, idx, dist, 11, HOGFEAT_ERR_BUFFER_TOO_SMALL);
    EXPECT_KN(m, q, 4, d, d, 3, idx, NULL, 11, HOGFEAT_ERR_BUFFER_TOO_SMALL);
    EXPECT_KN(m, q, 4, d, d, 3, idx, dist, 0, HOGFEAT_ERR_BUFFER_TOO_SMALL);
    /* num_queries * k overflows while the query matrix itself would fit. */
    EXPECT_KN(m, q, SIZE_MAX / 16, d, d, 20, idx, dist, SIZE_MAX, HOGFEAT_ERR_BUFFER_TOO_SMALL);
    EXPECT_KN(m, q, SIZE_MAX / 2, d, d, 3, idx, dist, SIZE_MAX, HOGFEAT_ERR_LIMIT_EXCEEDED);
    EXPECT_KN(m, q, 0, d, d, 3, idx, dist, 0, HOGFEAT_OK);
    EXPECT_KN(m, NULL, 0, d, d, 3, idx, NULL, 0, HOGFEAT_OK);
    for (size_t b = 0; b < 3; b++) {
        float y[16];
        memcpy(y, q, sizeof y);
        y[3 * 4 + 2] = bad_values[b];
        EXPECT_KN(m, y, 4, d, 4, 3, idx, dist, 64, HOGFEAT_ERR_NONFINITE);
        EXPECT_KN(m, y, 4, d, 4, 3, NULL, dist, 64, HOGFEAT_ERR_NONFINITE);
    }
    /* k = num_samples is the largest allowed. */
    reset_outputs(lab, idx, dist, 64);
    ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, 1, d, d, (int32_t)n, idx, dist, n), HOGFEAT_OK);
    ck_assert_uint_eq(idx[n], INDEX_SENTINEL);
#undef EXPECT_KN

    hogfeat_knn_destroy(m);
    free(labels);
    free(x);
}
END_TEST

/* ---- allocation failure ------------------------------------------------------------ */

START_TEST(test_alloc_failure_fit)
{
    hogfeat_metric metric = all_metrics[_i];
    const size_t n = 50, d = 7;
    test_rng rng = test_rng_seed(9000);
    float *x = random_matrix(&rng, n, d, d + 1, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn_params *p = make_params(3, metric, HOGFEAT_KNN_DISTANCE, 2);
    for (int persistent = 0; persistent <= 1; persistent++) {
        long nth = 1;
        for (;; nth++) {
            ck_assert_int_lt(nth, 100);
            hogfeat_knn *m = (hogfeat_knn *)(uintptr_t)0x40;
            hogfeat__test_alloc_fail_at(nth, persistent);
            hogfeat_status st = hogfeat_knn_fit(p, x, n, d, d + 1, labels, &m);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_reset();
            if (failures == 0) {
                ck_assert_int_eq(st, HOGFEAT_OK);
                ck_assert_ptr_nonnull(m);
                hogfeat_knn_destroy(m);
                break;
            }
            ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld failing: fit returned %d", nth, (int)st);
            ck_assert_ptr_null(m);
        }
        /* handle, features, labels, sorted labels, classes, per-sample classes (+ norms) */
        ck_assert_int_ge(nth, metric == HOGFEAT_METRIC_L2 || metric == HOGFEAT_METRIC_COSINE ? 8 : 7);
    }
    hogfeat_knn_params_destroy(p);
    free(labels);
    free(x);
}
END_TEST

START_TEST(test_alloc_failure_query)
{
    const size_t n = 60, d = 5, nq = 70, k = 4;
    test_rng rng = test_rng_seed(9100);
    float *x = random_matrix(&rng, n, d, d, 0.0f, 1.0f);
    float *q = random_matrix(&rng, nq, d, d, 0.0f, 1.0f);
    int32_t *labels = class_labels(&rng, n);
    hogfeat_knn *m = fit_or_fail((int32_t)k, HOGFEAT_METRIC_L2, HOGFEAT_KNN_UNIFORM, 4, x, n, d, d, labels);
    int32_t *lab = malloc(nq * sizeof *lab), *lab_ok = malloc(nq * sizeof *lab_ok);
    size_t *idx = malloc(nq * k * sizeof *idx);
    float *dist = malloc(nq * k * sizeof *dist);
    ck_assert_int_eq(hogfeat_knn_predict(m, q, nq, d, d, lab_ok), HOGFEAT_OK);
    for (int which = 0; which < 2; which++) {
        for (int persistent = 0; persistent <= 1; persistent++) {
            long nth = 1;
            for (;; nth++) {
                ck_assert_int_lt(nth, 50);
                for (size_t i = 0; i < nq; i++)
                    lab[i] = LABEL_SENTINEL;
                for (size_t i = 0; i < nq * k; i++)
                    idx[i] = INDEX_SENTINEL;
                hogfeat__test_alloc_fail_at(nth, persistent);
                hogfeat_status st = which == 0 ? hogfeat_knn_predict(m, q, nq, d, d, lab)
                                               : hogfeat_knn_kneighbors(m, q, nq, d, d, (int32_t)k, idx, NULL,
                                                                        nq * k);
                size_t failures = hogfeat__test_alloc_failures();
                hogfeat__test_alloc_reset();
                if (failures == 0) {
                    ck_assert_int_eq(st, HOGFEAT_OK);
                    if (which == 0)
                        ck_assert_mem_eq(lab, lab_ok, nq * sizeof *lab);
                    break;
                }
                ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld failing: returned %d", nth, (int)st);
                ck_assert(labels_untouched(lab, nq));
                for (size_t i = 0; i < nq * k; i++)
                    ck_assert_uint_eq(idx[i], INDEX_SENTINEL);
            }
            ck_assert_int_ge(nth, 2); /* at least the scratch allocation was tried */
        }
    }
    free(dist);
    free(idx);
    free(lab_ok);
    free(lab);
    hogfeat_knn_destroy(m);
    free(labels);
    free(q);
    free(x);
}
END_TEST

static Suite *knn_suite(void)
{
    Suite *s = suite_create("knn");
    struct {
        const char *name;
        const TTest *test;
        int loops;
    } cases[] = {
        {"params_validate", test_params_validate, 1},
        {"defaults_and_getters", test_defaults_and_getters, 1},
        {"prepare_derived", test_prepare_derived, 1},
        {"reference_random", test_reference_random, 24},
        {"reference_large_k", test_reference_large_k, 4},
        {"exact_ties_integer_grid", test_exact_ties_integer_grid, 2},
        {"nearest_first", test_nearest_first, 1},
        {"ties_lower_index_first", test_ties_lower_index_first, 4},
        {"vote_tie_nearest_class", test_vote_tie_nearest_class, 1},
        {"distance_weighting", test_distance_weighting, 1},
        {"zero_distance_rule", test_zero_distance_rule, 4},
        {"cosine_zero_vector", test_cosine_zero_vector, 1},
        {"chi2_zero_and_negative", test_chi2_zero_and_negative, 1},
        {"extreme_magnitudes", test_extreme_magnitudes, 1},
        {"k1_self", test_k1_self, 4},
        {"threads_identical", test_threads_identical, 4},
        {"long_rows_blocks", test_long_rows_blocks, 2},
        {"fit_copies", test_fit_copies, 1},
        {"kneighbors_single_output", test_kneighbors_single_output, 1},
        {"fit_bad_inputs", test_fit_bad_inputs, 1},
        {"query_bad_inputs", test_query_bad_inputs, 1},
        {"alloc_failure_fit", test_alloc_failure_fit, 4},
        {"alloc_failure_query", test_alloc_failure_query, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_loop_test(tc, cases[i].test, 0, cases[i].loops);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return test_run_suite(knn_suite());
}
