/* Linear SVM: training on separable and overlapping synthetic data, labels,
 * decision values, bias, class weights, both losses, determinism across
 * seeds and thread counts, cancellation, strided input, every hostile
 * argument, and allocation failure; the one-vs-one and Crammer-Singer
 * strategies, the probability calibration, and their model file sections. */
#include <limits.h>
#include <unistd.h>
#include <zlib.h>

#include "common.h"
#include "linsvm_solver.h"
#include "private.h"

/* Failure-only assertion for loops (ck_assert_* logs every pass). */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

/* A non-NULL pointer that a failing call must overwrite with NULL. */
static hogfeat_linsvm *const POISON = (hogfeat_linsvm *)(uintptr_t)0x5a5a5a50u;

/* ---- synthetic data ------------------------------------------------------ */

typedef struct blobs {
    float *x;       /* n rows, stride floats apart; padding holds NaN */
    int32_t *y;
    size_t n, d, stride;
} blobs;

/* Class c (label labels[c]) sits around scale * e_(c mod d) + offset, with
 * uniform noise in [-noise, noise) per feature. With scale well above noise
 * every class is linearly separable from the others. */
static blobs make_blobs(uint64_t seed, size_t n, size_t d, size_t stride, const int32_t *labels, size_t k,
                        float scale, float noise, float offset)
{
    blobs b = {NULL, NULL, n, d, stride};
    test_rng r = test_rng_seed(seed);
    b.x = malloc(n * stride * sizeof *b.x);
    b.y = malloc(n * sizeof *b.y);
    ck_assert_ptr_nonnull(b.x);
    ck_assert_ptr_nonnull(b.y);
    for (size_t i = 0; i < n; i++) {
        size_t c = i % k; /* every class present, interleaved */
        b.y[i] = labels[c];
        for (size_t j = 0; j < stride; j++) {
            if (j >= d) {
                b.x[i * stride + j] = NAN; /* never to be read */
                continue;
            }
            float v = offset + noise * (2.0f * test_rng_float(&r) - 1.0f);
            if (j == c % d)
                v += scale;
            b.x[i * stride + j] = v;
        }
    }
    return b;
}

static void free_blobs(blobs *b)
{
    free(b->x);
    free(b->y);
}

static hogfeat_linsvm_params *new_params(void)
{
    hogfeat_linsvm_params *p = NULL;
    ck_assert_int_eq(hogfeat_linsvm_params_create(&p), HOGFEAT_OK);
    ck_assert_ptr_nonnull(p);
    return p;
}

static hogfeat_linsvm *train_ok(const hogfeat_linsvm_params *p, const blobs *b)
{
    hogfeat_linsvm *m = POISON;
    hogfeat_status st = hogfeat_linsvm_train(p, b->x, b->n, b->d, b->stride, b->y, &m);
    ck_assert_msg(st == HOGFEAT_OK, "train: %s (%s)", hogfeat_status_name(st), hogfeat_last_error_message());
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_ne(m, POISON);
    return m;
}

/* Fraction of rows of b predicted right. */
static double accuracy(const hogfeat_linsvm *m, const blobs *b)
{
    int32_t *pred = malloc(b->n * sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b->x, b->n, b->d, b->stride, pred), HOGFEAT_OK);
    size_t right = 0;
    for (size_t i = 0; i < b->n; i++)
        right += pred[i] == b->y[i];
    free(pred);
    return (double)right / (double)b->n;
}

/* All weights of a model, as bytes. */
static size_t weight_bytes(const hogfeat_linsvm *m)
{
    return m->num_vectors * (m->num_features + 1) * sizeof(float);
}

static void assert_same_weights(const hogfeat_linsvm *a, const hogfeat_linsvm *b)
{
    ck_assert_uint_eq(a->num_vectors, b->num_vectors);
    ck_assert_uint_eq(a->num_features, b->num_features);
    ck_assert_msg(memcmp(a->weights, b->weights, weight_bytes(a)) == 0, "weights differ");
}

/* Decision value computed by hand in double: w.x + w_b * B. */
static double hand_decision(const hogfeat_linsvm *m, size_t v, const float *x)
{
    const float *w = hogfeat_linsvm_weights(m, v);
    ck_assert_ptr_nonnull(w);
    size_t d = hogfeat_linsvm_num_features(m);
    double f = (double)w[d] * hogfeat_linsvm_bias(m);
    for (size_t j = 0; j < d; j++)
        f += (double)w[j] * (double)x[j];
    return f;
}

/* ---- learning ------------------------------------------------------------ */

START_TEST(test_binary_separable)
{
    static const int32_t labels[] = {0, 1};
    blobs tr = make_blobs(1, 200, 6, 6, labels, 2, 3.0f, 0.5f, 0.0f);
    blobs te = make_blobs(2, 400, 6, 6, labels, 2, 3.0f, 0.5f, 0.0f);
    hogfeat_linsvm *m = train_ok(NULL, &tr);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(m), 2);
    ck_assert_uint_eq(hogfeat_linsvm_num_features(m), 6);
    ck_assert_ptr_nonnull(hogfeat_linsvm_weights(m, 0));
    ck_assert_ptr_null(hogfeat_linsvm_weights(m, 1)); /* one hyperplane for K = 2 */
    ck_assert_double_eq(accuracy(m, &tr), 1.0);
    ck_assert_double_eq(accuracy(m, &te), 1.0);
    hogfeat_linsvm_destroy(m);
    free_blobs(&tr);
    free_blobs(&te);
}
END_TEST

START_TEST(test_multiclass_separable)
{
    static const int32_t labels[] = {0, 1, 2, 3, 4};
    blobs tr = make_blobs(3, 250, 8, 8, labels, 5, 4.0f, 0.5f, 0.2f);
    blobs te = make_blobs(4, 500, 8, 8, labels, 5, 4.0f, 0.5f, 0.2f);
    hogfeat_linsvm *m = train_ok(NULL, &tr);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(m), 5);
    for (size_t v = 0; v < 5; v++)
        ck_assert_ptr_nonnull(hogfeat_linsvm_weights(m, v));
    ck_assert_ptr_null(hogfeat_linsvm_weights(m, 5));
    ck_assert_double_eq(accuracy(m, &tr), 1.0);
    ck_assert_double_eq(accuracy(m, &te), 1.0);
    hogfeat_linsvm_destroy(m);
    free_blobs(&tr);
    free_blobs(&te);
}
END_TEST

/* Labels are reported ascending whatever order they come in, and predictions
 * return the caller's labels, including negative and sparse ones. */
START_TEST(test_arbitrary_labels)
{
    static const int32_t sparse[] = {1000000, -7, 3};
    blobs tr = make_blobs(5, 150, 4, 4, sparse, 3, 4.0f, 0.5f, 0.0f);
    hogfeat_linsvm *m = train_ok(NULL, &tr);
    int32_t got[4] = {99, 99, 99, 99};
    ck_assert_int_eq(hogfeat_linsvm_num_classes(m), 3);
    ck_assert_int_eq(hogfeat_linsvm_get_labels(m, got, 3), HOGFEAT_OK);
    ck_assert_int_eq(got[0], -7);
    ck_assert_int_eq(got[1], 3);
    ck_assert_int_eq(got[2], 1000000);
    ck_assert_int_eq(got[3], 99);
    ck_assert_int_eq(hogfeat_linsvm_get_labels(m, got, 2), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_double_eq(accuracy(m, &tr), 1.0);
    /* Class j's hyperplane scores class j highest: row 0 has label 1000000. */
    float scores[3];
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, tr.x, 1, 4, 4, scores, 3), HOGFEAT_OK);
    ck_assert_float_gt(scores[2], scores[0]);
    ck_assert_float_gt(scores[2], scores[1]);
    hogfeat_linsvm_destroy(m);
    free_blobs(&tr);

    static const int32_t negative[] = {-2, -5};
    blobs b = make_blobs(6, 100, 3, 3, negative, 2, 3.0f, 0.5f, 0.0f);
    m = train_ok(NULL, &b);
    ck_assert_int_eq(hogfeat_linsvm_get_labels(m, got, 2), HOGFEAT_OK);
    ck_assert_int_eq(got[0], -5);
    ck_assert_int_eq(got[1], -2);
    ck_assert_double_eq(accuracy(m, &b), 1.0);
    /* Positive side is labels[1] = -2, the class of row 0. */
    ck_assert_double_gt(hand_decision(m, 0, b.x), 0.0);
    hogfeat_linsvm_destroy(m);
    free_blobs(&b);
}
END_TEST

/* decision_function matches w.x + w_b B by hand, predict is its argmax, and
 * K = 2 gives exactly (-f, f). */
START_TEST(test_decision_consistency)
{
    static const int32_t labels3[] = {10, 20, 30};
    static const int32_t labels2[] = {10, 20};
    for (int k = 2; k <= 3; k++) {
        /* Overlapping classes, so scores are not all far from 0. */
        blobs b = make_blobs(7 + (uint64_t)k, 300, 5, 5, k == 2 ? labels2 : labels3, (size_t)k, 1.0f, 1.0f, 0.5f);
        hogfeat_linsvm_params *p = new_params();
        ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 1.5), HOGFEAT_OK);
        hogfeat_linsvm *m = train_ok(p, &b);
        ck_assert_double_eq(hogfeat_linsvm_bias(m), 1.5);
        float *scores = malloc(b.n * (size_t)k * sizeof *scores);
        int32_t *pred = malloc(b.n * sizeof *pred);
        ck_assert_ptr_nonnull(scores);
        ck_assert_ptr_nonnull(pred);
        ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, b.n, 5, 5, scores, b.n * (size_t)k), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, b.n, 5, 5, pred), HOGFEAT_OK);
        size_t wrong = 0;
        for (size_t i = 0; i < b.n; i++) {
            const float *s = scores + i * (size_t)k;
            size_t best = 0;
            for (size_t j = 1; j < (size_t)k; j++)
                if (s[j] > s[best])
                    best = j;
            CHECK(pred[i] == labels3[best], "row %zu: predict %d, argmax %d", i, (int)pred[i], (int)labels3[best]);
            if (k == 2) {
                double f = hand_decision(m, 0, b.x + i * 5);
                CHECK(s[0] == -s[1], "row %zu: scores %g %g are not (-f, f)", i, (double)s[0], (double)s[1]);
                CHECK(fabs((double)s[1] - f) <= 1e-5 * (1.0 + fabs(f)), "row %zu: %g vs %g", i, (double)s[1], f);
            } else {
                for (size_t j = 0; j < 3; j++) {
                    double f = hand_decision(m, j, b.x + i * 5);
                    CHECK(fabs((double)s[j] - f) <= 1e-5 * (1.0 + fabs(f)), "row %zu class %zu: %g vs %g", i, j,
                          (double)s[j], f);
                }
            }
            wrong += pred[i] != b.y[i];
        }
        /* The data overlap: some rows are misclassified, so scores near
         * the boundary were exercised; yet the model is far from chance. */
        ck_assert_uint_gt(wrong, 0);
        ck_assert_uint_lt(wrong, b.n / 3);
        free(scores);
        free(pred);
        hogfeat_linsvm_destroy(m);
        hogfeat_linsvm_params_destroy(p);
        free_blobs(&b);
    }
}
END_TEST

/* An exact tie goes to the lowest class index: a zero model scores 0 for all. */
START_TEST(test_tie_lowest_index)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(3, 2, &m), HOGFEAT_OK);
    m->labels[0] = 4;
    m->labels[1] = 5;
    m->labels[2] = 6;
    m->bias = 1.0;
    float x[2] = {1.0f, -2.0f};
    int32_t out = 0;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, 1, 2, 2, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 4);
    m->weights[2 * 3 + 2] = 1.0f; /* w_b of class 2 */
    m->weights[1 * 3 + 2] = 1.0f; /* w_b of class 1: ties with class 2 */
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, 1, 2, 2, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 5);
    hogfeat_linsvm_destroy(m);

    ck_assert_int_eq(hogfeat__linsvm_new(2, 2, &m), HOGFEAT_OK);
    m->labels[0] = 1;
    m->labels[1] = 2;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, 1, 2, 2, &out), HOGFEAT_OK);
    ck_assert_int_eq(out, 1); /* f = 0: (-0, 0) ties, labels[0] */
    hogfeat_linsvm_destroy(m);
}
END_TEST

/* B = 0 trains no bias weight; B > 0 does. One feature, both classes on the
 * positive side of 0: without an intercept every row gets the same sign. */
START_TEST(test_bias_zero_vs_one)
{
    test_rng r = test_rng_seed(9);
    blobs b = {malloc(200 * sizeof(float)), malloc(200 * sizeof(int32_t)), 200, 1, 1};
    ck_assert_ptr_nonnull(b.x);
    ck_assert_ptr_nonnull(b.y);
    for (size_t i = 0; i < 200; i++) {
        b.y[i] = (int32_t)(i % 2);
        b.x[i] = 3.0f + (float)b.y[i] + 0.4f * (test_rng_float(&r) - 0.5f);
    }
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 10.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 0.0), HOGFEAT_OK);
    hogfeat_linsvm *without = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 1.0), HOGFEAT_OK);
    hogfeat_linsvm *with = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 5.0), HOGFEAT_OK);
    hogfeat_linsvm *with5 = train_ok(p, &b);
    ck_assert_double_eq(hogfeat_linsvm_bias(without), 0.0);
    ck_assert_double_eq(hogfeat_linsvm_bias(with), 1.0);
    ck_assert_double_eq(hogfeat_linsvm_bias(with5), 5.0);
    ck_assert_float_eq(hogfeat_linsvm_weights(without, 0)[1], 0.0f);
    /* The boundary sits near x = 3.5: w_b B ~ -3.5 w. */
    const float *w1 = hogfeat_linsvm_weights(with, 0), *w5 = hogfeat_linsvm_weights(with5, 0);
    ck_assert_float_gt(w1[0], 0.0f);
    ck_assert_float_lt(w1[1], 0.0f);
    ck_assert_double_gt(-(double)w1[1] / (double)w1[0], 3.0);
    ck_assert_double_lt(-(double)w1[1] / (double)w1[0], 4.0);
    ck_assert_double_gt(-5.0 * (double)w5[1] / (double)w5[0], 3.0);
    ck_assert_double_lt(-5.0 * (double)w5[1] / (double)w5[0], 4.0);
    ck_assert_double_eq(accuracy(with, &b), 1.0);
    ck_assert_double_eq(accuracy(with5, &b), 1.0);
    ck_assert_double_eq(accuracy(without, &b), 0.5);
    /* Without a bias the decision is w.x exactly. */
    float s[2];
    ck_assert_int_eq(hogfeat_linsvm_decision_function(without, b.x, 1, 1, 1, s, 2), HOGFEAT_OK);
    ck_assert_float_eq(s[1], hogfeat_linsvm_weights(without, 0)[0] * b.x[0]);
    hogfeat_linsvm_destroy(with);
    hogfeat_linsvm_destroy(with5);
    hogfeat_linsvm_destroy(without);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

static size_t count_label(const hogfeat_linsvm *m, const blobs *b, int32_t label)
{
    int32_t *pred = malloc(b->n * sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b->x, b->n, b->d, b->stride, pred), HOGFEAT_OK);
    size_t c = 0;
    for (size_t i = 0; i < b->n; i++)
        c += pred[i] == label;
    free(pred);
    return c;
}

/* A heavier class weight pulls the boundary away from that class, binary and
 * one-vs-rest; weights of absent labels change nothing. */
START_TEST(test_class_weight)
{
    static const int32_t labels2[] = {3, 8};
    blobs b = make_blobs(10, 400, 4, 4, labels2, 2, 0.8f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    hogfeat_linsvm *plain = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 12345, 50.0), HOGFEAT_OK); /* absent */
    hogfeat_linsvm *absent = train_ok(p, &b);
    assert_same_weights(plain, absent);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 8, 20.0), HOGFEAT_OK);
    hogfeat_linsvm *pos = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 8, 1.0), HOGFEAT_OK); /* last one wins */
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 3, 20.0), HOGFEAT_OK);
    hogfeat_linsvm *neg = train_ok(p, &b);
    size_t n_plain = count_label(plain, &b, 8), n_pos = count_label(pos, &b, 8), n_neg = count_label(neg, &b, 8);
    ck_assert_uint_gt(n_pos, n_plain);
    ck_assert_uint_lt(n_neg, n_plain);
    /* Same shift in the mean decision value. */
    double f_plain = 0.0, f_pos = 0.0;
    for (size_t i = 0; i < b.n; i++) {
        f_plain += hand_decision(plain, 0, b.x + i * 4);
        f_pos += hand_decision(pos, 0, b.x + i * 4);
    }
    ck_assert_double_gt(f_pos, f_plain);
    hogfeat_linsvm_destroy(plain);
    hogfeat_linsvm_destroy(absent);
    hogfeat_linsvm_destroy(pos);
    hogfeat_linsvm_destroy(neg);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);

    static const int32_t labels3[] = {0, 1, 2};
    blobs m3 = make_blobs(11, 450, 3, 3, labels3, 3, 1.0f, 1.0f, 0.0f);
    p = new_params();
    plain = train_ok(p, &m3);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 1, 10.0), HOGFEAT_OK);
    pos = train_ok(p, &m3);
    ck_assert_uint_gt(count_label(pos, &m3, 1), count_label(plain, &m3, 1));
    /* One-vs-rest: only hyperplane 1 sees the weight (Cn stays C elsewhere). */
    size_t row = 4 * sizeof(float);
    ck_assert(memcmp(plain->weights, pos->weights, row) == 0);
    ck_assert(memcmp(plain->weights + 4, pos->weights + 4, row) != 0);
    ck_assert(memcmp(plain->weights + 8, pos->weights + 8, row) == 0);
    hogfeat_linsvm_destroy(plain);
    hogfeat_linsvm_destroy(pos);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&m3);
}
END_TEST

/* Primal objective of a binary problem for weights (w, w_b). */
static double primal(const blobs *b, int32_t positive, const float *w, double bias, double c, int hinge)
{
    double v = 0.0;
    for (size_t j = 0; j <= b->d; j++)
        v += 0.5 * (double)w[j] * (double)w[j];
    for (size_t i = 0; i < b->n; i++) {
        double f = (double)w[b->d] * bias;
        for (size_t j = 0; j < b->d; j++)
            f += (double)w[j] * (double)b->x[i * b->stride + j];
        double xi = 1.0 - (b->y[i] == positive ? f : -f);
        if (xi > 0.0)
            v += hinge ? c * xi : c * xi * xi;
    }
    return v;
}

/* Both losses converge (stopping rule met well before the cap), reach a
 * duality gap that shrinks with the tolerance, and differ from each other. */
START_TEST(test_losses_converge)
{
    static const int32_t labels[] = {0, 1};
    blobs b = make_blobs(12, 300, 5, 5, labels, 2, 1.0f, 1.0f, 0.3f);
    double *sqnorm = malloc(b.n * sizeof *sqnorm), *alpha = malloc(b.n * sizeof *alpha);
    size_t *index = malloc(b.n * sizeof *index);
    float w[2][6];
    ck_assert_ptr_nonnull(sqnorm);
    ck_assert_ptr_nonnull(alpha);
    ck_assert_ptr_nonnull(index);
    for (size_t i = 0; i < b.n; i++) {
        double s = 1.0;
        for (size_t j = 0; j < b.d; j++)
            s += (double)b.x[i * 5 + j] * (double)b.x[i * 5 + j];
        sqnorm[i] = s;
    }
    for (int hinge = 0; hinge <= 1; hinge++) {
        for (int t = 0; t < 2; t++) {
            hogfeat__svm_problem p;
            memset(&p, 0, sizeof p);
            p.features = b.x;
            p.num_samples = b.n;
            p.num_features = b.d;
            p.row_stride = b.stride;
            p.sample_class = b.y;
            p.positive_class = 1;
            p.sqnorm = sqnorm;
            p.bias = 1.0;
            p.loss = hinge ? HOGFEAT_SVM_LOSS_HINGE : HOGFEAT_SVM_LOSS_SQUARED_HINGE;
            p.cp = p.cn = 0.5;
            p.tolerance = t == 0 ? 0.1 : 1e-5;
            p.max_iterations = 1000;
            p.seed = hogfeat__svm_problem_seed(1, 0);
            p.kernels = hogfeat__kernels_get();
            hogfeat__svm_stats stats;
            double wb;
            ck_assert_int_eq(hogfeat__svm_solve(&p, alpha, index, w[hinge], &wb, &stats), HOGFEAT_OK);
            w[hinge][5] = (float)wb;
            ck_assert_int_eq(stats.converged, 1);
            ck_assert_int_lt(stats.iterations, 1000);
            ck_assert_uint_gt(stats.support_vectors, 0);
            double primal_v = primal(&b, 1, w[hinge], 1.0, 0.5, hinge);
            double gap = (primal_v + stats.dual_objective) / primal_v;
            ck_assert_double_ge(gap, -1e-5); /* weak duality, up to float w */
            ck_assert_double_le(gap, (t == 0 ? 5e-3 : 1e-5));
        }
    }
    ck_assert(memcmp(w[0], w[1], sizeof w[0]) != 0);

    /* The same through the public call, which reports no stats: both losses
     * give models that classify the data. */
    hogfeat_linsvm_params *params = new_params();
    hogfeat_linsvm *l2 = train_ok(params, &b);
    ck_assert_int_eq(hogfeat_linsvm_params_set_loss(params, HOGFEAT_SVM_LOSS_HINGE), HOGFEAT_OK);
    hogfeat_linsvm *l1 = train_ok(params, &b);
    ck_assert_int_eq(l1->loss, HOGFEAT_SVM_LOSS_HINGE);
    ck_assert_int_eq(l2->loss, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    ck_assert_double_gt(accuracy(l1, &b), 0.7);
    ck_assert_double_gt(accuracy(l2, &b), 0.7);
    ck_assert(memcmp(l1->weights, l2->weights, weight_bytes(l1)) != 0);
    hogfeat_linsvm_destroy(l1);
    hogfeat_linsvm_destroy(l2);
    hogfeat_linsvm_params_destroy(params);
    free(sqnorm);
    free(alpha);
    free(index);
    free_blobs(&b);
}
END_TEST

/* The hinge loss with no bias lets a zero row have Q_ii = 0: no division by
 * zero, finite weights. */
START_TEST(test_zero_row_hinge)
{
    static const int32_t labels[] = {0, 1};
    blobs b = make_blobs(13, 50, 3, 3, labels, 2, 3.0f, 0.5f, 0.0f);
    for (size_t j = 0; j < 3; j++)
        b.x[7 * 3 + j] = 0.0f;
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_loss(p, HOGFEAT_SVM_LOSS_HINGE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 0.0), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    for (size_t j = 0; j < 4; j++)
        ck_assert(isfinite(hogfeat_linsvm_weights(m, 0)[j]));
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* A finite feature whose square overflows float is not "non-finite". */
START_TEST(test_huge_finite_feature)
{
    static const int32_t labels[] = {0, 1};
    blobs b = make_blobs(14, 40, 3, 3, labels, 2, 3.0f, 0.5f, 0.0f);
    b.x[5 * 3 + 1] = 1e30f;
    hogfeat_linsvm *m = train_ok(NULL, &b);
    for (size_t j = 0; j < 4; j++)
        ck_assert(isfinite(hogfeat_linsvm_weights(m, 0)[j]));
    hogfeat_linsvm_destroy(m);
    free_blobs(&b);
}
END_TEST

/* An enormous C lets the step of a zero row (B = 0, Q_ii = 1/(2C)) overflow
 * float: NONFINITE, not NaN weights, whatever the thread count. */
START_TEST(test_divergence)
{
    static const int32_t labels[] = {0, 1, 2};
    blobs b = make_blobs(26, 30, 3, 3, labels, 3, 3.0f, 0.5f, 0.0f);
    for (size_t j = 0; j < 3; j++)
        b.x[4 * 3 + j] = 0.0f;
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 0.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 1e300), HOGFEAT_OK);
    for (int32_t threads = 1; threads <= 3; threads += 2) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
        hogfeat_linsvm *m = POISON;
        ck_assert_int_eq(hogfeat_linsvm_train(p, b.x, b.n, 3, 3, b.y, &m), HOGFEAT_ERR_NONFINITE);
        ck_assert_ptr_null(m);
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "diverged"));
        /* Binary too. */
        int32_t two[30];
        for (size_t i = 0; i < 30; i++)
            two[i] = b.y[i] == 0 ? 0 : 1;
        m = POISON;
        ck_assert_int_eq(hogfeat_linsvm_train(p, b.x, b.n, 3, 3, two, &m), HOGFEAT_ERR_NONFINITE);
        ck_assert_ptr_null(m);
    }
    /* A sane C trains on the same data. */
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 1.0), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* The model records what the model file needs. */
START_TEST(test_model_fields)
{
    static const int32_t labels[] = {5, -1, 2, 9};
    blobs b = make_blobs(15, 80, 6, 6, labels, 4, 4.0f, 0.5f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_loss(p, HOGFEAT_SVM_LOSS_HINGE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 0.25), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 2.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_tolerance(p, 0.01), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_max_iterations(p, 321), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    ck_assert_int_eq(m->num_classes, 4);
    ck_assert_uint_eq(m->num_features, 6);
    ck_assert_uint_eq(m->num_vectors, 4);
    ck_assert_int_eq(m->labels[0], -1);
    ck_assert_int_eq(m->labels[1], 2);
    ck_assert_int_eq(m->labels[2], 5);
    ck_assert_int_eq(m->labels[3], 9);
    ck_assert_double_eq(m->bias, 2.0);
    ck_assert_int_eq(m->loss, HOGFEAT_SVM_LOSS_HINGE);
    ck_assert_double_eq(m->c, 0.25);
    ck_assert_double_eq(m->tolerance, 0.01);
    ck_assert_int_eq(m->max_iterations, 321);
    ck_assert_int_eq(atomic_load(&m->refs), 1);
    for (size_t v = 0; v < 4; v++) {
        const float *w = hogfeat_linsvm_weights(m, v);
        ck_assert_ptr_eq(w, m->weights + v * 7);
        ck_assert_float_ne(w[6], 0.0f); /* every hyperplane got a bias weight */
    }
    hogfeat_linsvm_destroy(m);

    /* Defaults (params NULL) equal a fresh parameter handle. */
    hogfeat_linsvm_params *fresh = new_params();
    hogfeat_linsvm *a = train_ok(NULL, &b), *c = train_ok(fresh, &b);
    assert_same_weights(a, c);
    ck_assert_int_eq(a->loss, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    ck_assert_double_eq(a->c, 1.0);
    ck_assert_double_eq(a->bias, 1.0);
    ck_assert_double_eq(a->tolerance, 0.1);
    ck_assert_int_eq(a->max_iterations, 1000);
    hogfeat_linsvm_destroy(a);
    hogfeat_linsvm_destroy(c);
    hogfeat_linsvm_params_destroy(fresh);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* ---- determinism ----------------------------------------------------------- */

START_TEST(test_determinism)
{
    static const int32_t labels[] = {0, 1, 2, 3, 4};
    blobs b = make_blobs(16, 500, 10, 10, labels, 5, 1.0f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_seed(p, 77), HOGFEAT_OK);
    hogfeat_linsvm *first = train_ok(p, &b), *again = train_ok(p, &b);
    assert_same_weights(first, again);
    for (int32_t threads = 2; threads <= 3; threads++) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
        hogfeat_linsvm *m = train_ok(p, &b);
        assert_same_weights(first, m);
        hogfeat_linsvm_destroy(m);
    }
    ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, 0), HOGFEAT_OK);
    hogfeat_linsvm *all_cpus = train_ok(p, &b);
    assert_same_weights(first, all_cpus);
    /* The seed is used: another one visits rows in another order. */
    ck_assert_int_eq(hogfeat_linsvm_params_set_seed(p, 78), HOGFEAT_OK);
    hogfeat_linsvm *other = train_ok(p, &b);
    ck_assert(memcmp(first->weights, other->weights, weight_bytes(first)) != 0);
    hogfeat_linsvm_destroy(first);
    hogfeat_linsvm_destroy(again);
    hogfeat_linsvm_destroy(all_cpus);
    hogfeat_linsvm_destroy(other);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* A binary problem solved inside a group gives the bits it gives alone, in
 * any group and at any position: weights, bias weight and statistics. */
START_TEST(test_group_independence)
{
    enum { K = 6, N = 360, D = 9 };
    static const int32_t labels[K] = {0, 1, 2, 3, 4, 5};
    blobs b = make_blobs(31, N, D, D, labels, K, 1.0f, 1.2f, 0.1f);
    double *sqnorm = malloc(N * sizeof *sqnorm), *alpha = malloc(K * N * sizeof *alpha);
    size_t *order = malloc(N * sizeof *order);
    float *w_alone = malloc(K * D * sizeof *w_alone), *w_group = malloc(K * D * sizeof *w_group);
    ck_assert_ptr_nonnull(sqnorm);
    ck_assert_ptr_nonnull(alpha);
    ck_assert_ptr_nonnull(order);
    ck_assert_ptr_nonnull(w_alone);
    ck_assert_ptr_nonnull(w_group);
    for (size_t i = 0; i < N; i++) {
        double v = 1.0;
        for (size_t j = 0; j < D; j++)
            v += (double)b.x[i * D + j] * (double)b.x[i * D + j];
        sqnorm[i] = v;
    }
    hogfeat__svm_problem p[K];
    for (size_t m = 0; m < K; m++) {
        memset(&p[m], 0, sizeof p[m]);
        p[m].features = b.x;
        p[m].num_samples = N;
        p[m].num_features = D;
        p[m].row_stride = D;
        p[m].sample_class = b.y;
        p[m].positive_class = (int32_t)m;
        p[m].sqnorm = sqnorm;
        p[m].bias = 1.0;
        p[m].loss = m % 2 ? HOGFEAT_SVM_LOSS_HINGE : HOGFEAT_SVM_LOSS_SQUARED_HINGE;
        p[m].cp = 0.5 + 0.25 * (double)m; /* members differ in C too */
        p[m].cn = 0.5;
        p[m].tolerance = 0.01;
        p[m].max_iterations = 1000;
        p[m].seed = hogfeat__svm_problem_seed(5, 0);
        p[m].kernels = hogfeat__kernels_get();
    }
    /* Members of one group share the loss: run the two losses separately. */
    for (int hinge = 0; hinge <= 1; hinge++) {
        hogfeat__svm_problem q[K];
        size_t count = 0;
        for (size_t m = 0; m < K; m++)
            if ((int)(m % 2) == hinge)
                q[count++] = p[m];
        hogfeat__svm_stats alone[K], grouped[K];
        double wb_alone[K], wb_group[K];
        for (size_t m = 0; m < count; m++)
            ck_assert_int_eq(hogfeat__svm_solve(&q[m], alpha, order, w_alone + m * D, &wb_alone[m], &alone[m]),
                             HOGFEAT_OK);
        /* All together, then in groups of 2 + 1, and in reverse order. */
        float *ws[K];
        for (size_t m = 0; m < count; m++)
            ws[m] = w_group + m * D;
        ck_assert_int_eq(hogfeat__svm_solve_group(q, count, alpha, order, ws, wb_group, grouped, NULL, NULL),
                         HOGFEAT_OK);
        for (size_t m = 0; m < count; m++) {
            CHECK(memcmp(w_alone + m * D, w_group + m * D, D * sizeof(float)) == 0, "member %zu: weights", m);
            CHECK(wb_alone[m] == wb_group[m], "member %zu: bias weight", m);
            CHECK(alone[m].iterations == grouped[m].iterations && alone[m].converged == grouped[m].converged &&
                      alone[m].support_vectors == grouped[m].support_vectors &&
                      alone[m].dual_objective == grouped[m].dual_objective,
                  "member %zu: statistics", m);
            ck_assert_int_eq(grouped[m].converged, 1);
        }
        memset(w_group, 0, K * D * sizeof *w_group);
        ck_assert_int_eq(hogfeat__svm_solve_group(q, 2, alpha, order, ws, wb_group, grouped, NULL, NULL),
                         HOGFEAT_OK);
        ck_assert_int_eq(
            hogfeat__svm_solve_group(q + 2, 1, alpha, order, ws + 2, wb_group + 2, grouped + 2, NULL, NULL),
            HOGFEAT_OK);
        ck_assert(memcmp(w_alone, w_group, count * D * sizeof(float)) == 0);
        hogfeat__svm_problem r[K];
        float *wr[K];
        for (size_t m = 0; m < count; m++) {
            r[m] = q[count - 1 - m];
            wr[m] = w_group + (count - 1 - m) * D;
        }
        memset(w_group, 0, K * D * sizeof *w_group);
        ck_assert_int_eq(hogfeat__svm_solve_group(r, count, alpha, order, wr, wb_group, grouped, NULL, NULL),
                         HOGFEAT_OK);
        ck_assert(memcmp(w_alone, w_group, count * D * sizeof(float)) == 0);
    }
    free(sqnorm);
    free(alpha);
    free(order);
    free(w_alone);
    free(w_group);
    free_blobs(&b);
}
END_TEST

/* The finished callback runs once per member, as each one stops, and can
 * cancel the rest. */
typedef struct finish_log {
    size_t calls;
    size_t seen[HOGFEAT__SVM_GROUP_MAX];
    size_t cancel_at; /* 1-based call that returns non-zero; 0 never */
} finish_log;

static int on_finished(void *ctx, size_t member)
{
    finish_log *log = ctx;
    log->seen[member]++;
    return ++log->calls == log->cancel_at;
}

START_TEST(test_group_finished)
{
    enum { K = 4, N = 200, D = 5 };
    static const int32_t labels[K] = {0, 1, 2, 3};
    blobs b = make_blobs(32, N, D, D, labels, K, 1.0f, 1.0f, 0.0f);
    double sqnorm[N], alpha[K * N];
    size_t order[N];
    float w[K][D];
    float *ws[K] = {w[0], w[1], w[2], w[3]};
    double wb[K];
    for (size_t i = 0; i < N; i++) {
        sqnorm[i] = 1.0;
        for (size_t j = 0; j < D; j++)
            sqnorm[i] += (double)b.x[i * D + j] * (double)b.x[i * D + j];
    }
    hogfeat__svm_problem p[K];
    for (size_t m = 0; m < K; m++) {
        memset(&p[m], 0, sizeof p[m]);
        p[m].features = b.x;
        p[m].num_samples = N;
        p[m].num_features = D;
        p[m].row_stride = D;
        p[m].sample_class = b.y;
        p[m].positive_class = (int32_t)m;
        p[m].sqnorm = sqnorm;
        p[m].bias = 1.0;
        p[m].loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
        p[m].cp = p[m].cn = 1.0;
        p[m].tolerance = 0.1;
        p[m].max_iterations = 1000;
        p[m].seed = hogfeat__svm_problem_seed(1, 0);
        p[m].kernels = hogfeat__kernels_get();
    }
    finish_log log;
    memset(&log, 0, sizeof log);
    ck_assert_int_eq(hogfeat__svm_solve_group(p, K, alpha, order, ws, wb, NULL, on_finished, &log),
                     HOGFEAT_OK);
    ck_assert_uint_eq(log.calls, K);
    for (size_t m = 0; m < K; m++)
        ck_assert_uint_eq(log.seen[m], 1);
    memset(&log, 0, sizeof log);
    log.cancel_at = 2;
    ck_assert_int_eq(hogfeat__svm_solve_group(p, K, alpha, order, ws, wb, NULL, on_finished, &log),
                     HOGFEAT_ERR_CANCELLED);
    ck_assert_uint_eq(log.calls, 2);
    free_blobs(&b);
}
END_TEST

/* Group capacity: the flags use the spare high bits of the order entries. */
START_TEST(test_group_capacity)
{
    ck_assert_uint_eq(hogfeat__svm_group_capacity(2), HOGFEAT__SVM_GROUP_MAX);
    ck_assert_uint_eq(hogfeat__svm_group_capacity(60000), HOGFEAT__SVM_GROUP_MAX);
    const size_t bits = sizeof(size_t) * CHAR_BIT;
    /* The largest row count whose float rows size_t can address. */
    size_t most = SIZE_MAX / sizeof(float);
    ck_assert_uint_ge(hogfeat__svm_group_capacity(most), 2);
    ck_assert_uint_le(hogfeat__svm_group_capacity(most), HOGFEAT__SVM_GROUP_MAX);
    /* n rows need bit_length(n - 1) bits. */
    size_t n = ((size_t)1 << (bits - 5)) + 1;
    ck_assert_uint_eq(hogfeat__svm_group_capacity(n), 4);
}
END_TEST

/* More classes than a group holds: several groups per thread or one per
 * thread, side by side or not; always the same model. */
START_TEST(test_many_classes)
{
    enum { K = 37 };
    int32_t labels[K];
    for (int32_t c = 0; c < K; c++)
        labels[c] = 3 * c - 50;
    blobs b = make_blobs(33, 12 * K, 40, 40, labels, K, 2.0f, 0.8f, 0.0f); /* one axis per class */
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_tolerance(p, 0.01), HOGFEAT_OK);
    hogfeat_linsvm *first = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(first), K);
    ck_assert_double_gt(accuracy(first, &b), 0.9);
    static const int32_t thread_counts[] = {2, 3, 4, 5, 8};
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, thread_counts[t]), HOGFEAT_OK);
        hogfeat_linsvm *m = train_ok(p, &b);
        assert_same_weights(first, m);
        hogfeat_linsvm_destroy(m);
    }
    hogfeat_linsvm_destroy(first);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* Padded rows (padding full of NaN) give the same bytes as packed rows. */
START_TEST(test_row_stride)
{
    static const int32_t labels[] = {0, 1, 2};
    blobs packed = make_blobs(17, 120, 7, 7, labels, 3, 2.0f, 1.0f, 0.0f);
    blobs padded = make_blobs(17, 120, 7, 11, labels, 3, 2.0f, 1.0f, 0.0f);
    /* make_blobs draws noise only for the d real features: same values. */
    for (size_t i = 0; i < packed.n; i++)
        ck_assert(memcmp(padded.x + i * 11, packed.x + i * 7, 7 * sizeof(float)) == 0);
    hogfeat_linsvm *a = train_ok(NULL, &packed), *b = train_ok(NULL, &padded);
    assert_same_weights(a, b);
    int32_t pa[120], pb[120];
    float sa[360], sb[360];
    ck_assert_int_eq(hogfeat_linsvm_predict(a, packed.x, 120, 7, 7, pa), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_predict(a, padded.x, 120, 7, 11, pb), HOGFEAT_OK);
    ck_assert(memcmp(pa, pb, sizeof pa) == 0);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(a, packed.x, 120, 7, 7, sa, 360), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(a, padded.x, 120, 7, 11, sb, 360), HOGFEAT_OK);
    ck_assert(memcmp(sa, sb, sizeof sa) == 0);
    hogfeat_linsvm_destroy(a);
    hogfeat_linsvm_destroy(b);
    free_blobs(&packed);
    free_blobs(&padded);
}
END_TEST

/* ---- progress and cancellation ---------------------------------------------- */

typedef struct progress_log {
    atomic_int calls;
    atomic_int max_done;
    atomic_int bad;          /* a call with done > total or total != expected */
    int32_t expected_total;
    int cancel_after;        /* return 1 on this call number (1-based); 0 never */
} progress_log;

static int on_progress(void *user_data, int32_t done, int32_t total)
{
    progress_log *log = user_data;
    int call = atomic_fetch_add(&log->calls, 1) + 1;
    if (done < 0 || done > total || total != log->expected_total)
        atomic_store(&log->bad, 1);
    int prev = atomic_load(&log->max_done);
    while (done > prev && !atomic_compare_exchange_weak(&log->max_done, &prev, done))
        ;
    return log->cancel_after != 0 && call >= log->cancel_after;
}

static void init_log(progress_log *log, int32_t total, int cancel_after)
{
    atomic_init(&log->calls, 0);
    atomic_init(&log->max_done, 0);
    atomic_init(&log->bad, 0);
    log->expected_total = total;
    log->cancel_after = cancel_after;
}

START_TEST(test_progress)
{
    static const int32_t labels[] = {0, 1, 2, 3};
    blobs b = make_blobs(18, 200, 6, 6, labels, 4, 1.0f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    progress_log log;
    init_log(&log, 4, 0);
    ck_assert_int_eq(hogfeat_linsvm_params_set_progress(p, on_progress, &log), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    ck_assert_int_eq(atomic_load(&log.bad), 0);
    ck_assert_int_eq(atomic_load(&log.max_done), 4);
    ck_assert_int_gt(atomic_load(&log.calls), 4); /* per problem and per pass */
    hogfeat_linsvm_destroy(m);

    /* One pass per problem: only the per-problem calls remain. */
    ck_assert_int_eq(hogfeat_linsvm_params_set_max_iterations(p, 1), HOGFEAT_OK);
    init_log(&log, 4, 0);
    m = train_ok(p, &b);
    ck_assert_int_eq(atomic_load(&log.calls), 4);
    ck_assert_int_eq(atomic_load(&log.max_done), 4);
    hogfeat_linsvm_destroy(m);

    /* Binary: one problem in all. */
    static const int32_t two[] = {0, 1};
    blobs b2 = make_blobs(19, 100, 6, 6, two, 2, 1.0f, 1.0f, 0.0f);
    init_log(&log, 1, 0);
    m = train_ok(p, &b2);
    ck_assert_int_eq(atomic_load(&log.calls), 1);
    ck_assert_int_eq(atomic_load(&log.max_done), 1);
    ck_assert_int_eq(atomic_load(&log.bad), 0);
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
    free_blobs(&b2);
}
END_TEST

START_TEST(test_cancel)
{
    static const int32_t labels[] = {0, 1, 2, 3};
    blobs b = make_blobs(20, 200, 6, 6, labels, 4, 1.0f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    progress_log log;
    /* Cancel on the first call, a later one, and the very last one (after
     * every problem finished), with one and with three threads. */
    static const int cancel_at[] = {1, 7, 0};
    for (int threads = 1; threads <= 3; threads += 2) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
        for (size_t c = 0; c < 3; c++) {
            int at = cancel_at[c];
            if (at == 0) {
                init_log(&log, 4, 0);
                ck_assert_int_eq(hogfeat_linsvm_params_set_progress(p, on_progress, &log), HOGFEAT_OK);
                hogfeat_linsvm *m = train_ok(p, &b);
                hogfeat_linsvm_destroy(m);
                at = atomic_load(&log.calls);
            }
            init_log(&log, 4, at);
            ck_assert_int_eq(hogfeat_linsvm_params_set_progress(p, on_progress, &log), HOGFEAT_OK);
            hogfeat_linsvm *m = POISON;
            ck_assert_int_eq(hogfeat_linsvm_train(p, b.x, b.n, 6, 6, b.y, &m), HOGFEAT_ERR_CANCELLED);
            ck_assert_ptr_null(m);
            ck_assert_int_ge(atomic_load(&log.calls), at);
            ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "cancel"));
        }
    }
    /* Removing the callback trains again. */
    ck_assert_int_eq(hogfeat_linsvm_params_set_progress(p, NULL, NULL), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* ---- hostile input ----------------------------------------------------------- */

static hogfeat_status train_status(const hogfeat_linsvm_params *p, const float *x, size_t n, size_t d, size_t stride,
                                   const int32_t *y)
{
    hogfeat_linsvm *m = POISON;
    hogfeat_status st = hogfeat_linsvm_train(p, x, n, d, stride, y, &m);
    if (st != HOGFEAT_OK)
        ck_assert_ptr_null(m);
    else
        hogfeat_linsvm_destroy(m);
    return st;
}

START_TEST(test_train_bad_input)
{
    static const int32_t labels[] = {0, 1};
    blobs b = make_blobs(21, 20, 3, 3, labels, 2, 3.0f, 0.5f, 0.0f);
    ck_assert_int_eq(hogfeat_linsvm_train(NULL, b.x, 20, 3, 3, b.y, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(train_status(NULL, NULL, 20, 3, 3, b.y), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(train_status(NULL, b.x, 20, 3, 3, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(train_status(NULL, b.x, 0, 3, 3, b.y), HOGFEAT_ERR_BAD_TRAINING_SET);
    ck_assert_int_eq(train_status(NULL, b.x, 20, 0, 3, b.y), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(train_status(NULL, b.x, 20, 3, 2, b.y), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(train_status(NULL, b.x, 20, 3, 0, b.y), HOGFEAT_ERR_BAD_STRIDE);
    /* Sizes whose extent overflows; nothing may be read. */
    ck_assert_int_eq(train_status(NULL, b.x, SIZE_MAX, 3, 3, b.y), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(train_status(NULL, b.x, 3, 3, SIZE_MAX / 2, b.y), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(train_status(NULL, b.x, 2, SIZE_MAX / 4, SIZE_MAX / 4, b.y), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(train_status(NULL, b.x, 2, SIZE_MAX, SIZE_MAX, b.y), HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* Too few samples or classes. */
    ck_assert_int_eq(train_status(NULL, b.x, 1, 3, 3, b.y), HOGFEAT_ERR_BAD_TRAINING_SET);
    int32_t same[20];
    for (size_t i = 0; i < 20; i++)
        same[i] = -4;
    ck_assert_int_eq(train_status(NULL, b.x, 20, 3, 3, same), HOGFEAT_ERR_BAD_TRAINING_SET);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "-4"));
    /* Two samples of two classes is enough. */
    ck_assert_int_eq(train_status(NULL, b.x, 2, 3, 3, b.y), HOGFEAT_OK);

    /* NaN, +inf, -inf, each in a different place; the message names it. */
    static const float bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; k++) {
        size_t row = 4 + 5 * k, col = k;
        float saved = b.x[row * 3 + col];
        b.x[row * 3 + col] = bad[k];
        ck_assert_int_eq(train_status(NULL, b.x, 20, 3, 3, b.y), HOGFEAT_ERR_NONFINITE);
        char expect[64];
        snprintf(expect, sizeof expect, "feature %zu of sample %zu", col, row);
        ck_assert_msg(strstr(hogfeat_last_error_message(), expect), "message '%s'", hogfeat_last_error_message());
        b.x[row * 3 + col] = saved;
    }
    /* C times a class weight overflows double; an absent label's does not matter. */
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 1e300), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 77, 1e300), HOGFEAT_OK);
    ck_assert_int_eq(train_status(p, b.x, 20, 3, 3, b.y), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 1, 1e300), HOGFEAT_OK);
    ck_assert_int_eq(train_status(p, b.x, 20, 3, 3, b.y), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "label 1"));
    hogfeat_linsvm_params_destroy(p);

    /* NaN in the padding of a strided matrix is not part of the data. */
    blobs padded = make_blobs(22, 20, 3, 5, labels, 2, 3.0f, 0.5f, 0.0f);
    ck_assert_int_eq(train_status(NULL, padded.x, 20, 3, 5, padded.y), HOGFEAT_OK);
    free_blobs(&padded);

    free_blobs(&b);
}
END_TEST

/* More distinct labels than a model may hold. */
START_TEST(test_too_many_classes)
{
    size_t n = 65537;
    float *x = malloc(n * sizeof *x);
    int32_t *y = malloc(n * sizeof *y);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)i;
        y[i] = (int32_t)i - 30000;
    }
    ck_assert_int_eq(train_status(NULL, x, n, 1, 1, y), HOGFEAT_ERR_LIMIT_EXCEEDED);
    free(x);
    free(y);
}
END_TEST

START_TEST(test_predict_bad_input)
{
    static const int32_t labels[] = {1, 2, 3};
    blobs b = make_blobs(23, 30, 4, 4, labels, 3, 3.0f, 0.5f, 0.0f);
    hogfeat_linsvm *m = train_ok(NULL, &b);
    int32_t out[30];
    float scores[90];

    ck_assert_int_eq(hogfeat_linsvm_predict(NULL, b.x, 30, 4, 4, out), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, NULL, 30, 4, 4, out), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 30, 4, 4, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 30, 3, 4, out), HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 30, 5, 5, out), HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 30, 4, 3, out), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, SIZE_MAX, 4, 4, out), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 2, 4, SIZE_MAX / 2, out), HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* No rows: nothing read or written, empty arrays may be NULL. */
    ck_assert_int_eq(hogfeat_linsvm_predict(m, NULL, 0, 4, 4, NULL), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, NULL, 0, 4, 4, NULL, 0), HOGFEAT_OK);

    ck_assert_int_eq(hogfeat_linsvm_decision_function(NULL, b.x, 30, 4, 4, scores, 90), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, NULL, 30, 4, 4, scores, 90), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 4, 4, NULL, 90), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 2, 4, scores, 90),
                     HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 4, 2, scores, 90), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, SIZE_MAX / 2, 4, 4, scores, SIZE_MAX),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 2, 4, SIZE_MAX / 2, scores, SIZE_MAX),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* Short buffer: nothing written. */
    for (size_t i = 0; i < 90; i++)
        scores[i] = 42.0f;
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 4, 4, scores, 89), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < 90; i++)
        CHECK(scores[i] == 42.0f, "score %zu was written", i);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 4, 4, scores, 90), HOGFEAT_OK);

    /* A NaN feature: predict fails on that row (earlier rows written),
     * decision_function reports the NaN scores. */
    b.x[5 * 4 + 2] = NAN;
    for (size_t i = 0; i < 30; i++)
        out[i] = -99;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 30, 4, 4, out), HOGFEAT_ERR_NONFINITE);
    ck_assert_int_ne(out[4], -99);
    ck_assert_int_eq(out[6], -99);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 30, 4, 4, scores, 90), HOGFEAT_OK);
    ck_assert(isnan(scores[15]) && isnan(scores[16]) && isnan(scores[17]));
    ck_assert(!isnan(scores[14]) && !isnan(scores[18]));
    /* Infinite features give infinite or NaN scores; a NaN score fails predict. */
    b.x[5 * 4 + 2] = INFINITY;
    hogfeat_status st = hogfeat_linsvm_predict(m, b.x + 5 * 4, 1, 4, 4, out);
    ck_assert(st == HOGFEAT_OK || st == HOGFEAT_ERR_NONFINITE);

    /* Binary model: NaN too. */
    hogfeat_linsvm_destroy(m);
    static const int32_t two[] = {1, 2};
    blobs b2 = make_blobs(24, 10, 2, 2, two, 2, 3.0f, 0.5f, 0.0f);
    m = train_ok(NULL, &b2);
    b2.x[3] = NAN;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b2.x, 10, 2, 2, out), HOGFEAT_ERR_NONFINITE);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b2.x, 10, 2, 2, scores, 19), HOGFEAT_ERR_BUFFER_TOO_SMALL);

    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_destroy(NULL);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(NULL), 0);
    ck_assert_uint_eq(hogfeat_linsvm_num_features(NULL), 0);
    ck_assert_ptr_null(hogfeat_linsvm_weights(NULL, 0));
    ck_assert_double_eq(hogfeat_linsvm_bias(NULL), 0.0);
    free_blobs(&b);
    free_blobs(&b2);
}
END_TEST

/* ---- allocation failure --------------------------------------------------------- */

/* Fail the 1st, 2nd, ... allocation of train (alone, then from then on) until
 * a run needs no failure: every run is OK or OUT_OF_MEMORY with a NULL model;
 * the sanitiser build checks that nothing leaks. */
START_TEST(test_alloc_failure)
{
    static const int32_t labels[] = {0, 1, 2};
    blobs b = make_blobs(25, 60, 4, 4, labels, 3, 3.0f, 0.5f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 1, 2.0), HOGFEAT_OK);
    for (int32_t threads = 1; threads <= 2; threads++) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
        for (int persistent = 0; persistent <= 1; persistent++) {
            size_t ooms = 0;
            long nth;
            for (nth = 1; nth < 100; nth++) {
                hogfeat__test_alloc_fail_at(nth, persistent);
                hogfeat_linsvm *m = POISON;
                hogfeat_status st = hogfeat_linsvm_train(p, b.x, b.n, 4, 4, b.y, &m);
                size_t failures = hogfeat__test_alloc_failures();
                hogfeat__test_alloc_reset();
                if (st == HOGFEAT_OK) {
                    ck_assert_ptr_nonnull(m);
                    ck_assert_ptr_ne(m, POISON);
                    hogfeat_linsvm_destroy(m);
                    if (failures == 0)
                        break;
                    continue;
                }
                ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld: %s", nth, hogfeat_status_name(st));
                ck_assert_ptr_null(m);
                ck_assert_uint_gt(failures, 0);
                ooms++;
            }
            ck_assert_int_lt(nth, 100);
            ck_assert_uint_ge(ooms, 5); /* tables, model, scratch */
        }
    }
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* ---- multi-class strategies ------------------------------------------------------ */

static hogfeat_linsvm *train_strategy(hogfeat_linsvm_params *p, const blobs *b, hogfeat_svm_multiclass mc, int prob)
{
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, mc), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, prob), HOGFEAT_OK);
    return train_ok(p, b);
}

START_TEST(test_params_multiclass)
{
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_get_multiclass(p), HOGFEAT_SVM_OVR);
    ck_assert_int_eq(hogfeat_linsvm_params_get_multiclass(NULL), 0);
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, HOGFEAT_SVM_OVO), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_get_multiclass(p), HOGFEAT_SVM_OVO);
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, HOGFEAT_SVM_CRAMMER_SINGER), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_get_multiclass(p), HOGFEAT_SVM_CRAMMER_SINGER);
    static const int bad_mc[] = {0, 4, -1, 1000};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, (hogfeat_svm_multiclass)bad_mc[i]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(hogfeat_linsvm_params_get_multiclass(p), HOGFEAT_SVM_CRAMMER_SINGER); /* unchanged */
    }
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "1000"));
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(NULL, HOGFEAT_SVM_OVR), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 2), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, -1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(NULL, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 100), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 101), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, INT32_MIN), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(NULL, 5), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(p->probability_folds, 100);
    /* Getters of a NULL model. */
    ck_assert_uint_eq(hogfeat_linsvm_num_vectors(NULL), 0);
    ck_assert_int_eq(hogfeat_linsvm_multiclass(NULL), 0);
    ck_assert_int_eq(hogfeat_linsvm_has_probability(NULL), 0);
    hogfeat_linsvm_params_destroy(p);
}
END_TEST

/* The decision value of vector v as the library computes it (float dot,
 * then the bias term in double, rounded once). */
static float lib_decision(const hogfeat_linsvm *m, size_t v, const float *x)
{
    const size_t d = m->num_features;
    const float *w = m->weights + v * (d + 1);
    return (float)((double)hogfeat__kernels_get()->dot(w, x, d) + (double)w[d] * m->bias);
}

/* Two classes: the one pair is the one-vs-rest problem, bit for bit. */
START_TEST(test_ovo_binary_equals_ovr)
{
    static const int32_t labels[] = {4, 9};
    blobs b = make_blobs(31, 300, 5, 5, labels, 2, 1.0f, 1.0f, 0.3f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 9, 3.0), HOGFEAT_OK);
    hogfeat_linsvm *ovr = train_strategy(p, &b, HOGFEAT_SVM_OVR, 0);
    hogfeat_linsvm *ovo = train_strategy(p, &b, HOGFEAT_SVM_OVO, 0);
    ck_assert_int_eq(hogfeat_linsvm_multiclass(ovo), HOGFEAT_SVM_OVO);
    ck_assert_uint_eq(hogfeat_linsvm_num_vectors(ovo), 1);
    assert_same_weights(ovr, ovo);
    int32_t *a = malloc(b.n * sizeof *a), *c = malloc(b.n * sizeof *c);
    float *s = malloc(2 * b.n * sizeof *s);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(hogfeat_linsvm_predict(ovr, b.x, b.n, 5, 5, a), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_predict(ovo, b.x, b.n, 5, 5, c), HOGFEAT_OK);
    ck_assert(memcmp(a, c, b.n * sizeof *a) == 0);
    /* Votes: the winner has 1 + squash(+-f), the loser squash(-+f). */
    ck_assert_int_eq(hogfeat_linsvm_decision_function(ovo, b.x, b.n, 5, 5, s, 2 * b.n), HOGFEAT_OK);
    for (size_t i = 0; i < b.n; i++) {
        const double f = (double)lib_decision(ovo, 0, b.x + i * 5);
        const double sq1 = f / (3.0 * (fabs(f) + 1.0)), sq0 = -f / (3.0 * (fabs(f) + 1.0));
        CHECK(s[2 * i] == (float)((f > 0.0 ? 0.0 : 1.0) + sq0), "row %zu class 0: %g", i, (double)s[2 * i]);
        CHECK(s[2 * i + 1] == (float)((f > 0.0 ? 1.0 : 0.0) + sq1), "row %zu class 1: %g", i, (double)s[2 * i + 1]);
    }
    free(a);
    free(c);
    free(s);
    hogfeat_linsvm_destroy(ovr);
    hogfeat_linsvm_destroy(ovo);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* Each pair (i, j), in the documented order, is exactly the binary model
 * trained on a copy of the rows of classes i and j: the index list reads
 * the same rows in the same order, with the same per-class C. */
START_TEST(test_ovo_pairs_are_subproblems)
{
    enum { K = 4 };
    static const int32_t labels[K] = {-3, 0, 5, 7};
    blobs b = make_blobs(32, 400, 6, 8, labels, K, 1.0f, 1.0f, 0.2f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 5, 2.5), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, -3, 0.5), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, 3), HOGFEAT_OK);
    hogfeat_linsvm *ovo = train_strategy(p, &b, HOGFEAT_SVM_OVO, 0);
    ck_assert_uint_eq(hogfeat_linsvm_num_vectors(ovo), K * (K - 1) / 2);
    ck_assert_ptr_nonnull(hogfeat_linsvm_weights(ovo, K * (K - 1) / 2 - 1));
    ck_assert_ptr_null(hogfeat_linsvm_weights(ovo, K * (K - 1) / 2));
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, HOGFEAT_SVM_OVR), HOGFEAT_OK);
    size_t pair = 0;
    for (size_t i = 0; i < K; i++) {
        for (size_t j = i + 1; j < K; j++, pair++) {
            blobs sub = {malloc(b.n * b.stride * sizeof(float)), malloc(b.n * sizeof(int32_t)), 0, b.d, b.stride};
            ck_assert_ptr_nonnull(sub.x);
            ck_assert_ptr_nonnull(sub.y);
            for (size_t r = 0; r < b.n; r++) {
                if (b.y[r] != labels[i] && b.y[r] != labels[j])
                    continue;
                memcpy(sub.x + sub.n * b.stride, b.x + r * b.stride, b.stride * sizeof(float));
                sub.y[sub.n++] = b.y[r];
            }
            hogfeat_linsvm *bin = train_ok(p, &sub);
            CHECK(memcmp(hogfeat_linsvm_weights(bin, 0), hogfeat_linsvm_weights(ovo, pair),
                         (b.d + 1) * sizeof(float)) == 0,
                  "pair %zu (%zu, %zu) differs from its binary problem", pair, i, j);
            hogfeat_linsvm_destroy(bin);
            free_blobs(&sub);
        }
    }
    hogfeat_linsvm_destroy(ovo);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* decision_function is votes + s / (3 (|s| + 1)) computed from the pair
 * values, and predict its argmax; separable data are learnt. */
START_TEST(test_ovo_decision_votes)
{
    enum { K = 5 };
    static const int32_t labels[K] = {1, 2, 3, 4, 5};
    blobs b = make_blobs(33, 500, 7, 7, labels, K, 1.2f, 1.0f, 0.1f);
    hogfeat_linsvm_params *p = new_params();
    hogfeat_linsvm *m = train_strategy(p, &b, HOGFEAT_SVM_OVO, 0);
    float *s = malloc(b.n * K * sizeof *s);
    int32_t *pred = malloc(b.n * sizeof *pred);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(pred);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, b.n, 7, 7, s, b.n * K), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, b.n, 7, 7, pred), HOGFEAT_OK);
    size_t wrong = 0;
    for (size_t r = 0; r < b.n; r++) {
        double votes[K] = {0}, conf[K] = {0};
        size_t pair = 0;
        for (size_t i = 0; i < K; i++)
            for (size_t j = i + 1; j < K; j++, pair++) {
                const float f = lib_decision(m, pair, b.x + r * 7);
                conf[i] -= (double)f;
                conf[j] += (double)f;
                votes[f > 0.0f ? j : i] += 1.0;
            }
        size_t best = 0;
        for (size_t c = 0; c < K; c++) {
            const float want = (float)(votes[c] + conf[c] / (3.0 * (fabs(conf[c]) + 1.0)));
            CHECK(s[r * K + c] == want, "row %zu class %zu: %.9g, want %.9g", r, c, (double)s[r * K + c],
                  (double)want);
            if (s[r * K + c] > s[r * K + best])
                best = c;
        }
        CHECK(pred[r] == labels[best], "row %zu: predict %d, argmax %d", r, (int)pred[r], (int)labels[best]);
        wrong += pred[r] != b.y[r];
    }
    ck_assert_uint_gt(wrong, 0); /* overlapping classes: votes near the boundaries were exercised */
    ck_assert_uint_lt(wrong, b.n / 4);
    free(s);
    free(pred);
    hogfeat_linsvm_destroy(m);
    /* Separable classes: every row right. */
    blobs sep = make_blobs(34, 300, 6, 6, labels, K, 4.0f, 0.5f, 0.2f);
    m = train_ok(p, &sep);
    ck_assert_double_eq(accuracy(m, &sep), 1.0);
    hogfeat_linsvm_destroy(m);
    free_blobs(&sep);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* A hand-made 3-class one-vs-one model whose pair values are its bias
 * weights (w = 0, B = 1): f01, f02, f12. */
static int32_t ovo_vote(float f01, float f02, float f12, float *scores)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new_multiclass(3, 1, HOGFEAT_SVM_OVO, &m), HOGFEAT_OK);
    m->labels[0] = 10;
    m->labels[1] = 20;
    m->labels[2] = 30;
    m->bias = 1.0;
    m->weights[0 * 2 + 1] = f01;
    m->weights[1 * 2 + 1] = f02;
    m->weights[2 * 2 + 1] = f12;
    float x = 0.5f;
    int32_t out = 0;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, &x, 1, 1, 1, &out), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, &x, 1, 1, 1, scores, 3), HOGFEAT_OK);
    hogfeat_linsvm_destroy(m);
    return out;
}

/* Votes first, then summed decision values, then the lowest class index. */
START_TEST(test_ovo_ties)
{
    float s[3];
    /* All zero: f = 0 votes for the first class of each pair: votes 2, 1, 0. */
    ck_assert_int_eq(ovo_vote(0.0f, 0.0f, 0.0f, s), 10);
    ck_assert_float_eq(s[0], 2.0f);
    ck_assert_float_eq(s[1], 1.0f);
    ck_assert_float_eq(s[2], 0.0f);
    /* A cycle: one vote each (0 beats 2, 1 beats 0, 2 beats 1); summed values decide. */
    ck_assert_int_eq(ovo_vote(1.0f, -3.0f, 1.0f, s), 10);  /* s = (2, 0, -2) */
    ck_assert_float_eq(s[0], (float)(1.0 + 2.0 / 9.0));
    ck_assert_float_eq(s[1], 1.0f);
    ck_assert_float_eq(s[2], (float)(1.0 - 2.0 / 9.0));
    ck_assert_int_eq(ovo_vote(1.0f, -1.0f, 3.0f, s), 30);  /* s = (0, -2, 2) */
    ck_assert_int_eq(ovo_vote(3.0f, -1.0f, 1.0f, s), 20);  /* s = (-2, 2, 0) */
    /* A cycle with equal sums: the lowest index. */
    ck_assert_int_eq(ovo_vote(1.0f, -1.0f, 1.0f, s), 10);
    ck_assert_float_eq(s[0], s[1]);
    ck_assert_float_eq(s[1], s[2]);
    /* Plain majorities: votes 0, 1, 2 and 0, 2, 1 (f = 0 votes for the first class). */
    ck_assert_int_eq(ovo_vote(1.0f, 1.0f, 0.5f, s), 30);
    ck_assert_int_eq(ovo_vote(2.0f, 1.0f, 0.0f, s), 20);
    /* NaN: predict fails, decision_function reports NaN. */
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new_multiclass(3, 1, HOGFEAT_SVM_OVO, &m), HOGFEAT_OK);
    m->labels[1] = 1;
    m->labels[2] = 2;
    float x = NAN;
    int32_t out = 0;
    ck_assert_int_eq(hogfeat_linsvm_predict(m, &x, 1, 1, 1, &out), HOGFEAT_ERR_NONFINITE);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, &x, 1, 1, 1, s, 3), HOGFEAT_OK);
    ck_assert(isnan(s[0]) && isnan(s[1]) && isnan(s[2]));
    hogfeat_linsvm_destroy(m);
}
END_TEST

/* Crammer-Singer primal: 1/2 sum |w_m|^2 + sum_i C max_m (e_i^m + f_m - f_{y_i}). */
static double cs_primal(const blobs *b, const int32_t *sample_class, size_t k, const hogfeat_linsvm *m, double c)
{
    const size_t d = b->d;
    double v = 0.0;
    for (size_t i = 0; i < k * (d + 1); i++)
        v += 0.5 * (double)m->weights[i] * (double)m->weights[i];
    for (size_t i = 0; i < b->n; i++) {
        double f[16];
        for (size_t c2 = 0; c2 < k; c2++)
            f[c2] = hand_decision(m, c2, b->x + i * b->stride);
        double worst = 0.0;
        for (size_t c2 = 0; c2 < k; c2++) {
            double e = (c2 == (size_t)sample_class[i] ? 0.0 : 1.0) + f[c2] - f[sample_class[i]];
            worst = e > worst ? e : worst;
        }
        v += c * worst;
    }
    return v;
}

START_TEST(test_crammer_singer)
{
    enum { K = 4 };
    static const int32_t labels[K] = {0, 1, 2, 3};
    blobs b = make_blobs(35, 400, 6, 6, labels, K, 1.0f, 1.0f, 0.3f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_loss(p, HOGFEAT_SVM_LOSS_SQUARED_HINGE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_tolerance(p, 1e-4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_max_iterations(p, 100000), HOGFEAT_OK);
    hogfeat_linsvm *m = train_strategy(p, &b, HOGFEAT_SVM_CRAMMER_SINGER, 0);
    ck_assert_int_eq(hogfeat_linsvm_multiclass(m), HOGFEAT_SVM_CRAMMER_SINGER);
    ck_assert_int_eq(m->loss, HOGFEAT_SVM_LOSS_HINGE); /* the loss setting does not apply */
    ck_assert_uint_eq(hogfeat_linsvm_num_vectors(m), K);
    /* sum_m alpha_i^m = 0 for every row, so the K vectors sum to 0. */
    double wmax = 0.0, sum_max = 0.0;
    for (size_t j = 0; j <= b.d; j++) {
        double sum = 0.0;
        for (size_t c = 0; c < K; c++) {
            sum += (double)m->weights[c * (b.d + 1) + j];
            wmax = fabs((double)m->weights[c * (b.d + 1) + j]) > wmax ? fabs((double)m->weights[c * (b.d + 1) + j])
                                                                       : wmax;
        }
        sum_max = fabs(sum) > sum_max ? fabs(sum) : sum_max;
    }
    ck_assert_double_gt(wmax, 0.1);
    ck_assert_double_lt(sum_max, 1e-5 * wmax);
    /* At a tight tolerance, the duality gap primal + dual is small. */
    int32_t cls[400];
    for (size_t i = 0; i < b.n; i++)
        cls[i] = b.y[i];
    const double primal_v = cs_primal(&b, cls, K, m, 1.0);
    hogfeat__svm_cs_problem cp;
    memset(&cp, 0, sizeof cp);
    double *sqnorm = malloc(b.n * sizeof *sqnorm), class_c[K] = {1.0, 1.0, 1.0, 1.0};
    ck_assert_ptr_nonnull(sqnorm);
    for (size_t i = 0; i < b.n; i++) /* as training computes it */
        sqnorm[i] = (double)hogfeat__kernels_get()->dot(b.x + i * 6, b.x + i * 6, b.d) + 1.0;
    cp.features = b.x;
    cp.num_samples = b.n;
    cp.num_features = b.d;
    cp.row_stride = 6;
    cp.sample_class = cls;
    cp.num_classes = K;
    cp.class_c = class_c;
    cp.sqnorm = sqnorm;
    cp.bias = 1.0;
    cp.tolerance = 1e-4;
    cp.max_iterations = 100000;
    cp.seed = hogfeat__svm_problem_seed(1, 0);
    cp.kernels = hogfeat__kernels_get();
    size_t bytes = hogfeat__svm_cs_scratch_bytes(b.n, K);
    ck_assert_uint_gt(bytes, 0);
    void *scratch = malloc(bytes);
    float wv[K][7];
    float *wp[K] = {wv[0], wv[1], wv[2], wv[3]};
    double wb[K];
    hogfeat__svm_stats stats;
    ck_assert_int_eq(hogfeat__svm_solve_cs(&cp, scratch, wp, wb, &stats), HOGFEAT_OK);
    ck_assert_int_eq(stats.converged, 1);
    ck_assert_uint_gt(stats.support_vectors, 0);
    /* The same problem as the training above, so the same weights. */
    for (size_t c = 0; c < K; c++) {
        wv[c][6] = (float)wb[c];
        CHECK(memcmp(wv[c], m->weights + c * 7, sizeof wv[c]) == 0, "class %zu differs from training", c);
    }
    const double gap = primal_v + stats.dual_objective;
    CHECK(gap >= -1e-3 * primal_v && gap <= 1e-2 * primal_v, "primal %g dual %g", primal_v, stats.dual_objective);
    free(scratch);
    free(sqnorm);
    /* Accuracy comparable to one-vs-rest on these overlapping classes. */
    double acc_cs = accuracy(m, &b);
    hogfeat_linsvm *ovr = train_strategy(p, &b, HOGFEAT_SVM_OVR, 0);
    ck_assert_double_gt(acc_cs, accuracy(ovr, &b) - 0.05);
    hogfeat_linsvm_destroy(ovr);
    /* decision_function: K hand-computed values; predict their argmax. */
    float s[4 * K];
    int32_t pred[4];
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 4, 6, 6, s, 4 * K), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 4, 6, 6, pred), HOGFEAT_OK);
    for (size_t r = 0; r < 4; r++) {
        size_t best = 0;
        for (size_t c = 0; c < K; c++) {
            ck_assert_float_eq(s[r * K + c], lib_decision(m, c, b.x + r * 6));
            if (s[r * K + c] > s[r * K + best])
                best = c;
        }
        ck_assert_int_eq(pred[r], labels[best]);
    }
    hogfeat_linsvm_destroy(m);

    /* Two classes: still two vectors, and separable data are learnt. */
    static const int32_t two[] = {-1, 1};
    blobs b2 = make_blobs(36, 200, 4, 4, two, 2, 3.0f, 0.5f, 0.0f);
    ck_assert_int_eq(hogfeat_linsvm_params_set_tolerance(p, 0.1), HOGFEAT_OK);
    m = train_strategy(p, &b2, HOGFEAT_SVM_CRAMMER_SINGER, 0);
    ck_assert_uint_eq(hogfeat_linsvm_num_vectors(m), 2);
    ck_assert_ptr_nonnull(hogfeat_linsvm_weights(m, 1));
    ck_assert_ptr_null(hogfeat_linsvm_weights(m, 2));
    ck_assert_double_eq(accuracy(m, &b2), 1.0);
    hogfeat_linsvm_destroy(m);
    free_blobs(&b2);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* Rows whose squared norm is 0 (no bias) are skipped by the CS solver, as
 * LIBLINEAR skips them, and class weights scale each row's C. */
START_TEST(test_crammer_singer_edges)
{
    static const int32_t labels[] = {0, 1, 2};
    blobs b = make_blobs(37, 90, 3, 3, labels, 3, 3.0f, 0.5f, 0.0f);
    for (size_t j = 0; j < 3; j++)
        b.x[5 * 3 + j] = 0.0f;
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 0.0), HOGFEAT_OK);
    hogfeat_linsvm *m = train_strategy(p, &b, HOGFEAT_SVM_CRAMMER_SINGER, 0);
    ck_assert_double_ge(accuracy(m, &b), 0.98);
    for (size_t c = 0; c < 3; c++)
        ck_assert_float_eq(m->weights[c * 4 + 3], 0.0f); /* no bias weight without a bias */
    hogfeat_linsvm_destroy(m);
    /* A heavy weight on class 2 moves predictions towards it on overlapping data. */
    blobs o = make_blobs(38, 300, 3, 3, labels, 3, 0.8f, 1.0f, 0.0f);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 1.0), HOGFEAT_OK);
    hogfeat_linsvm *plain = train_ok(p, &o);
    ck_assert_int_eq(hogfeat_linsvm_params_set_class_weight(p, 2, 20.0), HOGFEAT_OK);
    hogfeat_linsvm *heavy = train_ok(p, &o);
    ck_assert_uint_gt(count_label(heavy, &o, 2), count_label(plain, &o, 2));
    hogfeat_linsvm_destroy(plain);
    hogfeat_linsvm_destroy(heavy);
    /* One pass only: still a model (not converged, but valid). */
    ck_assert_int_eq(hogfeat_linsvm_params_set_max_iterations(p, 1), HOGFEAT_OK);
    m = train_ok(p, &o);
    hogfeat_linsvm_destroy(m);
    /* An enormous C with extreme features diverges: NONFINITE, as for one-vs-rest. */
    ck_assert_int_eq(hogfeat_linsvm_params_set_max_iterations(p, 1000), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 1e38), HOGFEAT_OK);
    for (size_t i = 0; i < o.n * o.stride; i++)
        o.x[i] *= 1e18f;
    hogfeat_status st = train_status(p, o.x, o.n, 3, 3, o.y);
    ck_assert_msg(st == HOGFEAT_ERR_NONFINITE || st == HOGFEAT_OK, "%s", hogfeat_status_name(st));
    free_blobs(&o);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* ---- probabilities ------------------------------------------------------------------ */

START_TEST(test_platt_fit_recovers)
{
    /* Labels drawn from a known sigmoid: the fit finds it again. */
    const size_t n = 40000;
    const double a_true = -1.5, b_true = 0.4;
    double *f = malloc(n * sizeof *f);
    unsigned char *pos = malloc(n);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(pos);
    test_rng r = test_rng_seed(77);
    for (size_t i = 0; i < n; i++) {
        f[i] = 6.0 * (double)test_rng_float(&r) - 3.0;
        pos[i] = (double)test_rng_float(&r) < 1.0 / (1.0 + exp(a_true * f[i] + b_true));
    }
    double a = 0.0, b = 0.0;
    hogfeat__platt_fit(f, pos, n, &a, &b);
    ck_assert_double_lt(fabs(a - a_true), 0.06);
    ck_assert_double_lt(fabs(b - b_true), 0.06);
    /* Degenerate inputs stay finite: one class only, one value only, one row. */
    for (size_t i = 0; i < 100; i++)
        pos[i] = 1;
    hogfeat__platt_fit(f, pos, 100, &a, &b);
    ck_assert(isfinite(a) && isfinite(b));
    for (size_t i = 0; i < 100; i++)
        f[i] = 2.0;
    hogfeat__platt_fit(f, pos, 100, &a, &b);
    ck_assert(isfinite(a) && isfinite(b));
    hogfeat__platt_fit(f, pos, 1, &a, &b);
    ck_assert(isfinite(a) && isfinite(b));
    /* Perfectly separated values: the regularised targets keep A finite. */
    for (size_t i = 0; i < 200; i++) {
        f[i] = i < 100 ? -1.0 - (double)i : 1.0 + (double)i;
        pos[i] = i >= 100;
    }
    hogfeat__platt_fit(f, pos, 200, &a, &b);
    ck_assert(isfinite(a) && isfinite(b));
    ck_assert_double_lt(a, 0.0);
    /* log(1 / (1 + exp(z))) without overflow. */
    ck_assert_double_eq_tol(hogfeat__log_sigmoid_neg(0.0), -log(2.0), 1e-15);
    ck_assert_double_eq_tol(hogfeat__log_sigmoid_neg(1000.0), -1000.0, 1e-9);
    ck_assert_double_eq_tol(hogfeat__log_sigmoid_neg(-1000.0), 0.0, 1e-300);
    free(f);
    free(pos);
}
END_TEST

START_TEST(test_couple_pairs_exact)
{
    /* Pairwise probabilities consistent with p are coupled back into p. */
    static const double want[4] = {0.5, 0.25, 0.15, 0.1};
    for (size_t k = 2; k <= 4; k++) {
        double p[4], qp[4], q[16] = {0}, sum = 0.0;
        for (size_t i = 0; i < k; i++)
            sum += want[i];
        for (size_t i = 0; i < k; i++)
            for (size_t j = i + 1; j < k; j++) {
                const double rji = want[j] / (want[i] + want[j]); /* P(j | i or j) */
                q[i * k + i] += rji * rji;
                q[j * k + j] += (1.0 - rji) * (1.0 - rji);
                q[i * k + j] = q[j * k + i] = -rji * (1.0 - rji);
            }
        hogfeat__couple_pairs(k, q, p, qp);
        /* libsvm stops once every |(Qp)_t - p'Qp| < 0.005 / K: p is that close, not exact. */
        double total = 0.0;
        for (size_t i = 0; i < k; i++) {
            ck_assert_double_eq_tol(p[i], want[i] / sum, 5e-3);
            total += p[i];
        }
        ck_assert_double_eq_tol(total, 1.0, 1e-12);
    }
}
END_TEST

START_TEST(test_softmax_scale_fit)
{
    /* Informative values: a positive scale that is a local minimum of the loss. */
    enum { L = 300, K = 3 };
    double f[L * K], tt[L];
    int32_t cls[L];
    test_rng r = test_rng_seed(5);
    for (size_t i = 0; i < L; i++) {
        cls[i] = (int32_t)(i % K);
        tt[i] = 0.9;
        for (size_t c = 0; c < K; c++)
            f[i * K + c] = (double)test_rng_float(&r) - 0.5 + (c == (size_t)cls[i] ? 0.6 : 0.0);
    }
    const double s = hogfeat__softmax_scale_fit(f, cls, tt, L, K);
    ck_assert_double_gt(s, 0.0);
    ck_assert(isfinite(s));
    /* Constant values carry nothing: scale 0 (uniform probabilities). */
    for (size_t i = 0; i < L * K; i++)
        f[i] = 1.0;
    ck_assert_double_eq(hogfeat__softmax_scale_fit(f, cls, tt, L, K), 0.0);
}
END_TEST

/* K probabilities per row summing to 1, mostly agreeing with predict, and
 * better than chance on held-out rows, for every strategy. */
START_TEST(test_probability_strategies)
{
    static const int32_t labels3[] = {1, 2, 3};
    static const int32_t labels2[] = {0, 1};
    static const hogfeat_svm_multiclass mcs[] = {HOGFEAT_SVM_OVR, HOGFEAT_SVM_OVO, HOGFEAT_SVM_CRAMMER_SINGER};
    for (size_t kk = 2; kk <= 3; kk++) {
        const int32_t *labels = kk == 2 ? labels2 : labels3;
        blobs tr = make_blobs(40 + kk, 600, 5, 5, labels, kk, 1.0f, 1.0f, 0.2f);
        blobs te = make_blobs(50 + kk, 600, 5, 5, labels, kk, 1.0f, 1.0f, 0.2f);
        for (size_t s = 0; s < 3; s++) {
            hogfeat_linsvm_params *p = new_params();
            ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 0.5), HOGFEAT_OK);
            hogfeat_linsvm *m = train_strategy(p, &tr, mcs[s], 1);
            ck_assert_int_eq(hogfeat_linsvm_has_probability(m), 1);
            ck_assert_uint_eq(m->num_platt, mcs[s] == HOGFEAT_SVM_CRAMMER_SINGER ? 1 : m->num_vectors);
            float *pr = malloc(te.n * kk * sizeof *pr);
            int32_t *pred = malloc(te.n * sizeof *pred);
            ck_assert_ptr_nonnull(pr);
            ck_assert_ptr_nonnull(pred);
            ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, te.x, te.n, 5, 5, pr, te.n * kk), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_linsvm_predict(m, te.x, te.n, 5, 5, pred), HOGFEAT_OK);
            double logloss = 0.0;
            size_t agree = 0;
            for (size_t i = 0; i < te.n; i++) {
                double sum = 0.0;
                size_t best = 0;
                for (size_t c = 0; c < kk; c++) {
                    const float v = pr[i * kk + c];
                    CHECK(v >= 0.0f && v <= 1.0f, "strategy %zu row %zu: p = %g", s, i, (double)v);
                    sum += (double)v;
                    if (v > pr[i * kk + best])
                        best = c;
                    if (labels[c] == te.y[i])
                        logloss -= log(v > 1e-12f ? (double)v : 1e-12);
                }
                CHECK(fabs(sum - 1.0) < 1e-5, "strategy %zu row %zu sums to %.9g", s, i, sum);
                agree += labels[best] == pred[i];
            }
            logloss /= (double)te.n;
            ck_assert_msg(logloss < 0.8 * log((double)kk), "strategy %zu, %zu classes: log-loss %g", s, kk, logloss);
            ck_assert_uint_ge(agree, te.n * 9 / 10);
            free(pr);
            free(pred);
            hogfeat_linsvm_destroy(m);
            hogfeat_linsvm_params_destroy(p);
        }
        free_blobs(&tr);
        free_blobs(&te);
    }
}
END_TEST

/* One-vs-rest with two classes: P(labels[1]) is the fitted sigmoid of f and
 * grows with it; the two add up to 1. */
START_TEST(test_probability_binary_sigmoid)
{
    static const int32_t labels[] = {3, 8};
    blobs b = make_blobs(61, 400, 4, 4, labels, 2, 1.0f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 1), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    ck_assert_double_lt(m->platt[0], 0.0); /* A < 0: larger f, larger P(positive) */
    float pr[2 * 400];
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, b.n, 4, 4, pr, 2 * b.n), HOGFEAT_OK);
    for (size_t i = 0; i < b.n; i++) {
        const double f = (double)lib_decision(m, 0, b.x + i * 4);
        const double want = 1.0 / (1.0 + exp(m->platt[0] * f + m->platt[1]));
        CHECK(fabs((double)pr[2 * i + 1] - want) < 1e-6, "row %zu: %g vs %g", i, (double)pr[2 * i + 1], want);
        CHECK(fabs((double)pr[2 * i] + (double)pr[2 * i + 1] - 1.0) < 1e-6, "row %zu", i);
    }
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

START_TEST(test_probability_bad_input)
{
    static const int32_t labels[] = {1, 2, 3};
    blobs b = make_blobs(62, 60, 4, 4, labels, 3, 3.0f, 0.5f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    /* Without calibration: MODEL_KIND, whatever else is wrong. */
    hogfeat_linsvm *plain = train_ok(p, &b);
    float out[180];
    ck_assert_int_eq(hogfeat_linsvm_has_probability(plain), 0);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(plain, b.x, 60, 4, 4, out, 180), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "hogfeat_linsvm_params_set_probability"));
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(plain, NULL, 0, 4, 4, NULL, 0), HOGFEAT_ERR_MODEL_KIND);
    hogfeat_linsvm_destroy(plain);

    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 1), HOGFEAT_OK);
    hogfeat_linsvm *m = train_ok(p, &b);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(NULL, b.x, 60, 4, 4, out, 180), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, NULL, 60, 4, 4, out, 180), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 4, 4, NULL, 180), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 3, 4, out, 180), HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 4, 3, out, 180), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, SIZE_MAX, 4, 4, out, 180), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, SIZE_MAX / 2, 4, 0 + 4, out, SIZE_MAX),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, NULL, 0, 4, 4, NULL, 0), HOGFEAT_OK);
    for (size_t i = 0; i < 180; i++)
        out[i] = 42.0f;
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 4, 4, out, 179), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < 180; i++)
        CHECK(out[i] == 42.0f, "probability %zu was written", i);
    /* A NaN or infinite feature: that row's probabilities are NaN, no error. */
    b.x[7 * 4 + 1] = NAN;
    b.x[9 * 4 + 2] = INFINITY;
    ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 4, 4, out, 180), HOGFEAT_OK);
    for (size_t c = 0; c < 3; c++) {
        ck_assert(isnan(out[7 * 3 + c]));
        ck_assert(isnan(out[9 * 3 + c]));
        ck_assert(!isnan(out[8 * 3 + c]));
    }
    hogfeat_linsvm_destroy(m);
    free_blobs(&b);

    /* Every class needs as many rows as there are folds. */
    b = make_blobs(63, 14, 4, 4, labels, 3, 3.0f, 0.5f, 0.0f); /* 5, 5, 4 rows */
    ck_assert_int_eq(train_status(p, b.x, 14, 4, 4, b.y), HOGFEAT_ERR_BAD_TRAINING_SET);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "label 3 has 4 samples"));
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 4), HOGFEAT_OK);
    ck_assert_int_eq(train_status(p, b.x, 14, 4, 4, b.y), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 100), HOGFEAT_OK);
    ck_assert_int_eq(train_status(p, b.x, 14, 4, 4, b.y), HOGFEAT_OK); /* folds matter only with probability */
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

/* Same seed, same bits, for any thread count; for every strategy, with and
 * without the calibration (whose folds and fits run in parallel too). */
START_TEST(test_strategy_thread_independence)
{
    static const int32_t labels[] = {0, 1, 2, 3, 4};
    blobs b = make_blobs(64, 350, 6, 7, labels, 5, 1.0f, 1.0f, 0.1f);
    static const hogfeat_svm_multiclass mcs[] = {HOGFEAT_SVM_OVR, HOGFEAT_SVM_OVO, HOGFEAT_SVM_CRAMMER_SINGER};
    static const int32_t threads[] = {2, 3, 7, 0};
    for (size_t s = 0; s < 3; s++) {
        for (int prob = 0; prob <= 1; prob++) {
            hogfeat_linsvm_params *p = new_params();
            ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 3), HOGFEAT_OK);
            hogfeat_linsvm *ref = train_strategy(p, &b, mcs[s], prob);
            for (size_t t = 0; t < 4; t++) {
                ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads[t]), HOGFEAT_OK);
                hogfeat_linsvm *m = train_ok(p, &b);
                assert_same_weights(ref, m);
                ck_assert_uint_eq(ref->num_platt, m->num_platt);
                if (prob)
                    CHECK(memcmp(ref->platt, m->platt, 2 * m->num_platt * sizeof(double)) == 0,
                          "strategy %zu, %d threads: Platt parameters differ", s, (int)threads[t]);
                hogfeat_linsvm_destroy(m);
            }
            /* The calibration does not change the model itself. */
            ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, !prob), HOGFEAT_OK);
            hogfeat_linsvm *other = train_ok(p, &b);
            assert_same_weights(ref, other);
            hogfeat_linsvm_destroy(other);
            /* Another seed: other folds, other calibration. */
            if (prob) {
                ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 1), HOGFEAT_OK);
                ck_assert_int_eq(hogfeat_linsvm_params_set_seed(p, 99), HOGFEAT_OK);
                other = train_ok(p, &b);
                ck_assert(memcmp(ref->platt, other->platt, 2 * ref->num_platt * sizeof(double)) != 0);
                hogfeat_linsvm_destroy(other);
            }
            hogfeat_linsvm_destroy(ref);
            hogfeat_linsvm_params_destroy(p);
        }
    }
    free_blobs(&b);
}
END_TEST

START_TEST(test_strategy_progress_cancel)
{
    static const int32_t labels[] = {0, 1, 2, 3};
    blobs b = make_blobs(65, 200, 6, 6, labels, 4, 1.0f, 1.0f, 0.0f);
    struct {
        hogfeat_svm_multiclass mc;
        int prob;
        int32_t total;
    } cases[] = {
        {HOGFEAT_SVM_OVO, 0, 6}, {HOGFEAT_SVM_CRAMMER_SINGER, 0, 1}, {HOGFEAT_SVM_OVR, 1, 4 * 6},
        {HOGFEAT_SVM_OVO, 1, 6 * 6}, {HOGFEAT_SVM_CRAMMER_SINGER, 1, 6},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int32_t threads = 1; threads <= 3; threads += 2) {
            hogfeat_linsvm_params *p = new_params();
            ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
            progress_log log;
            init_log(&log, cases[c].total, 0);
            ck_assert_int_eq(hogfeat_linsvm_params_set_progress(p, on_progress, &log), HOGFEAT_OK);
            hogfeat_linsvm *m = train_strategy(p, &b, cases[c].mc, cases[c].prob);
            ck_assert_int_eq(atomic_load(&log.bad), 0);
            ck_assert_int_eq(atomic_load(&log.max_done), cases[c].total);
            hogfeat_linsvm_destroy(m);
            /* Cancel on the first call and on the last. */
            const int last = atomic_load(&log.calls);
            for (int at = 1; at <= last; at += last - 1 > 0 ? last - 1 : 1) {
                init_log(&log, cases[c].total, at);
                m = POISON;
                ck_assert_int_eq(hogfeat_linsvm_train(p, b.x, b.n, 6, 6, b.y, &m), HOGFEAT_ERR_CANCELLED);
                ck_assert_ptr_null(m);
                ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "cancel"));
            }
            hogfeat_linsvm_params_destroy(p);
        }
    }
    free_blobs(&b);
}
END_TEST

/* Allocation failure anywhere in training (every strategy, with the
 * calibration) and in the one-vs-one and probability predictions. */
START_TEST(test_strategy_alloc_failure)
{
    static const int32_t labels[] = {0, 1, 2};
    blobs b = make_blobs(66, 60, 4, 4, labels, 3, 1.0f, 1.0f, 0.0f);
    static const hogfeat_svm_multiclass mcs[] = {HOGFEAT_SVM_OVR, HOGFEAT_SVM_OVO, HOGFEAT_SVM_CRAMMER_SINGER};
    for (size_t s = 0; s < 3; s++) {
        hogfeat_linsvm_params *p = new_params();
        ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, mcs[s]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, 1), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_linsvm_params_set_probability_folds(p, 3), HOGFEAT_OK);
        for (int32_t threads = 1; threads <= 2; threads++) {
            ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, threads), HOGFEAT_OK);
            for (int persistent = 0; persistent <= 1; persistent++) {
                size_t ooms = 0;
                long nth;
                for (nth = 1; nth < 200; nth++) {
                    hogfeat__test_alloc_fail_at(nth, persistent);
                    hogfeat_linsvm *m = POISON;
                    hogfeat_status st = hogfeat_linsvm_train(p, b.x, b.n, 4, 4, b.y, &m);
                    size_t failures = hogfeat__test_alloc_failures();
                    hogfeat__test_alloc_reset();
                    if (st == HOGFEAT_OK) {
                        ck_assert_ptr_nonnull(m);
                        hogfeat_linsvm_destroy(m);
                        if (failures == 0)
                            break;
                        continue;
                    }
                    ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "strategy %zu allocation %ld: %s", s, nth,
                                  hogfeat_status_name(st));
                    ck_assert_ptr_null(m);
                    ooms++;
                }
                ck_assert_int_lt(nth, 200);
                ck_assert_uint_ge(ooms, 8);
            }
        }
        /* Predictions that allocate scratch. */
        hogfeat_linsvm *m = train_ok(p, &b);
        float out[180];
        int32_t lab[60];
        hogfeat__test_alloc_fail_at(1, 0);
        ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, b.x, 60, 4, 4, out, 180), HOGFEAT_ERR_OUT_OF_MEMORY);
        hogfeat__test_alloc_reset();
        hogfeat__test_alloc_fail_at(1, 0);
        ck_assert_int_eq(hogfeat_linsvm_predict(m, b.x, 60, 4, 4, lab),
                         mcs[s] == HOGFEAT_SVM_OVO ? HOGFEAT_ERR_OUT_OF_MEMORY : HOGFEAT_OK);
        hogfeat__test_alloc_reset();
        hogfeat__test_alloc_fail_at(1, 0);
        ck_assert_int_eq(hogfeat_linsvm_decision_function(m, b.x, 60, 4, 4, out, 180),
                         mcs[s] == HOGFEAT_SVM_OVO ? HOGFEAT_ERR_OUT_OF_MEMORY : HOGFEAT_OK);
        hogfeat__test_alloc_reset();
        hogfeat_linsvm_destroy(m);
        hogfeat_linsvm_params_destroy(p);
    }
    free_blobs(&b);
}
END_TEST

/* Too many classes for one-vs-one weights in size_t is refused before any
 * work (simulated on the vector count, as 65536 classes still fit 64-bit). */
START_TEST(test_ovo_vector_count)
{
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(2, HOGFEAT_SVM_OVO), 1);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(10, HOGFEAT_SVM_OVO), 45);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(2, HOGFEAT_SVM_CRAMMER_SINGER), 2);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(2, HOGFEAT_SVM_OVR), 1);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(7, HOGFEAT_SVM_OVR), 7);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(7, (hogfeat_svm_multiclass)9), 0);
    ck_assert_uint_eq(hogfeat__linsvm_num_vectors(SIZE_MAX, HOGFEAT_SVM_OVO), 0);
    hogfeat_linsvm *m = POISON;
    ck_assert_int_eq(hogfeat__linsvm_new_multiclass(65536, SIZE_MAX / 1024, HOGFEAT_SVM_OVO, &m),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_ptr_null(m);
}
END_TEST

/* ---- model file: the LSMC and LSPR sections ------------------------------------------- */

static uint64_t mf_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t mf_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void mf_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void mf_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Total length and CRC of an edited file. */
static void mf_fix(unsigned char *b, size_t n)
{
    mf_put64(b + 16, n);
    mf_put32(b + n - 4, (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4)));
}

static unsigned char *mf_save(const hogfeat_linsvm *m, size_t *n)
{
    ck_assert_int_eq(hogfeat_linsvm_save(m, NULL, 0, n), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *b = malloc(*n);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(hogfeat_linsvm_save(m, b, *n, n), HOGFEAT_OK);
    return b;
}

/* Offset of the header of section tag, 0 when absent. */
static size_t mf_find(const unsigned char *b, size_t n, const char *tag)
{
    size_t pos = 24;
    while (pos + 16 <= n - 4) {
        if (memcmp(b + pos, tag, 4) == 0)
            return pos;
        pos += 16 + (size_t)mf_get64(b + pos + 8);
    }
    return 0;
}

/* A copy of b with bytes [at, at + removed) replaced by insert; length and
 * CRC fixed. */
static unsigned char *mf_splice(const unsigned char *b, size_t n, size_t at, size_t removed, const void *insert,
                                size_t insert_len, size_t *out_n)
{
    *out_n = n - removed + insert_len;
    unsigned char *c = malloc(*out_n);
    ck_assert_ptr_nonnull(c);
    memcpy(c, b, at);
    if (insert_len)
        memcpy(c + at, insert, insert_len);
    memcpy(c + at + insert_len, b + at + removed, n - at - removed);
    mf_fix(c, *out_n);
    return c;
}

/* A copy with section tag's payload replaced (its length field too). */
static unsigned char *mf_with_payload(const unsigned char *b, size_t n, const char *tag, const void *payload,
                                      size_t len, size_t *out_n)
{
    size_t at = mf_find(b, n, tag);
    ck_assert_uint_gt(at, 0);
    unsigned char *c = mf_splice(b, n, at + 16, (size_t)mf_get64(b + at + 8), payload, len, out_n);
    mf_put64(c + at + 8, len);
    mf_fix(c, *out_n);
    return c;
}

static hogfeat_status mf_load(const unsigned char *b, size_t n, const hogfeat_limits *limits)
{
    hogfeat_linsvm *m = POISON;
    hogfeat_status st = hogfeat_linsvm_load(b, n, limits, &m);
    if (st == HOGFEAT_OK)
        hogfeat_linsvm_destroy(m);
    else
        ck_assert_ptr_null(m);
    return st;
}

/* One-vs-rest without probabilities: exactly the bytes of format 1.1. */
START_TEST(test_model_file_ovr_unchanged)
{
    static const int32_t labels[] = {0, 1, 2};
    for (size_t k = 2; k <= 3; k++) {
        blobs b = make_blobs(70 + k, 60, 4, 4, labels, k, 3.0f, 0.5f, 0.0f);
        hogfeat_linsvm *m = train_ok(NULL, &b);
        size_t n;
        unsigned char *bytes = mf_save(m, &n);
        const size_t v = k == 2 ? 1 : k;
        ck_assert_uint_eq(n, 24 + 16 + (56 + 4 * k + 4 * v * 5) + 4);
        ck_assert_int_eq(bytes[10], 1); /* minor 1 */
        ck_assert_int_eq(bytes[11], 0);
        ck_assert_uint_eq(mf_find(bytes, n, "LSMC"), 0);
        ck_assert_uint_eq(mf_find(bytes, n, "LSPR"), 0);
        ck_assert_uint_eq(mf_find(bytes, n, "LSVM"), 24);
        free(bytes);
        hogfeat_linsvm_destroy(m);
        free_blobs(&b);
    }
}
END_TEST

static void assert_same_outputs(const hogfeat_linsvm *a, const hogfeat_linsvm *b, const blobs *x)
{
    const size_t k = (size_t)a->num_classes, n = x->n;
    float *sa = malloc(n * k * sizeof *sa), *sb = malloc(n * k * sizeof *sb);
    ck_assert_ptr_nonnull(sa);
    ck_assert_ptr_nonnull(sb);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(a, x->x, n, x->d, x->stride, sa, n * k), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(b, x->x, n, x->d, x->stride, sb, n * k), HOGFEAT_OK);
    ck_assert(memcmp(sa, sb, n * k * sizeof *sa) == 0);
    if (hogfeat_linsvm_has_probability(a)) {
        ck_assert_int_eq(hogfeat_linsvm_predict_proba(a, x->x, n, x->d, x->stride, sa, n * k), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_linsvm_predict_proba(b, x->x, n, x->d, x->stride, sb, n * k), HOGFEAT_OK);
        ck_assert(memcmp(sa, sb, n * k * sizeof *sa) == 0);
    }
    free(sa);
    free(sb);
}

/* Every strategy, with and without probabilities: save -> load -> save is
 * byte-identical, the loaded model computes the same bits, LSMC is critical
 * and precedes LSVM, LSPR is optional and follows it, the minor is 2. */
START_TEST(test_model_file_roundtrip)
{
    static const int32_t labels[] = {2, 4, 6, 8};
    static const struct {
        hogfeat_svm_multiclass mc;
        int prob;
        size_t k;
    } cases[] = {
        {HOGFEAT_SVM_OVO, 0, 4}, {HOGFEAT_SVM_CRAMMER_SINGER, 0, 4}, {HOGFEAT_SVM_OVR, 1, 4},
        {HOGFEAT_SVM_OVO, 1, 4}, {HOGFEAT_SVM_CRAMMER_SINGER, 1, 4}, {HOGFEAT_SVM_CRAMMER_SINGER, 1, 2},
        {HOGFEAT_SVM_OVO, 1, 2}, {HOGFEAT_SVM_OVR, 1, 2},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        blobs b = make_blobs(80 + c, 120, 5, 5, labels, cases[c].k, 1.5f, 1.0f, 0.0f);
        hogfeat_linsvm_params *p = new_params();
        hogfeat_linsvm *m = train_strategy(p, &b, cases[c].mc, cases[c].prob);
        size_t n1, n2;
        unsigned char *b1 = mf_save(m, &n1);
        ck_assert_int_eq(b1[10], 2);
        size_t lsmc = mf_find(b1, n1, "LSMC"), lsvm = mf_find(b1, n1, "LSVM"), lspr = mf_find(b1, n1, "LSPR");
        if (cases[c].mc == HOGFEAT_SVM_OVR) {
            ck_assert_uint_eq(lsmc, 0);
        } else {
            ck_assert_uint_gt(lsmc, 0);
            ck_assert_uint_lt(lsmc, lsvm);
            ck_assert_uint_eq(mf_get32(b1 + lsmc + 4), 1); /* critical */
            ck_assert_uint_eq(mf_get64(b1 + lsmc + 8), 4);
            ck_assert_uint_eq(mf_get32(b1 + lsmc + 16), (uint32_t)cases[c].mc);
        }
        if (cases[c].prob) {
            ck_assert_uint_gt(lspr, lsvm);
            ck_assert_uint_eq(mf_get32(b1 + lspr + 4), 0); /* optional */
            ck_assert_uint_eq(mf_get64(b1 + lspr + 16), m->num_platt);
            ck_assert_uint_eq(mf_get64(b1 + lspr + 8), 8 + 16 * m->num_platt);
        } else {
            ck_assert_uint_eq(lspr, 0);
        }
        hogfeat_linsvm *loaded = NULL;
        ck_assert_int_eq(hogfeat_linsvm_load(b1, n1, NULL, &loaded), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_linsvm_multiclass(loaded), cases[c].mc);
        ck_assert_int_eq(hogfeat_linsvm_has_probability(loaded), cases[c].prob);
        ck_assert_uint_eq(hogfeat_linsvm_num_vectors(loaded), hogfeat_linsvm_num_vectors(m));
        unsigned char *b2 = mf_save(loaded, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert(memcmp(b1, b2, n1) == 0);
        assert_same_outputs(m, loaded, &b);
        /* Through a file, and inside a pipeline. */
        char path[] = "/tmp/hogfeat-svm-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(hogfeat_linsvm_save_file(m, path), HOGFEAT_OK);
        hogfeat_linsvm *from_file = NULL;
        ck_assert_int_eq(hogfeat_linsvm_load_file(path, NULL, &from_file), HOGFEAT_OK);
        unlink(path);
        assert_same_outputs(m, from_file, &b);
        hogfeat_hog_config *hog = NULL;
        ck_assert_int_eq(hogfeat_hog_config_create(&hog), HOGFEAT_OK);
        hogfeat_pipeline *pipe = NULL, *pipe2 = NULL;
        ck_assert_int_eq(hogfeat_pipeline_create(hog, &pipe), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_set_linsvm(pipe, m), HOGFEAT_OK);
        size_t pn1, pn2;
        ck_assert_int_eq(hogfeat_pipeline_save(pipe, NULL, 0, &pn1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
        unsigned char *pb1 = malloc(pn1), *pb2 = malloc(pn1);
        ck_assert_int_eq(hogfeat_pipeline_save(pipe, pb1, pn1, &pn1), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_load(pb1, pn1, NULL, &pipe2), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_save(pipe2, pb2, pn1, &pn2), HOGFEAT_OK);
        ck_assert(pn1 == pn2 && memcmp(pb1, pb2, pn1) == 0);
        assert_same_outputs(m, hogfeat_pipeline_linsvm(pipe2), &b);
        free(pb1);
        free(pb2);
        hogfeat_pipeline_destroy(pipe);
        hogfeat_pipeline_destroy(pipe2);
        hogfeat_hog_config_destroy(hog);
        hogfeat_linsvm_destroy(from_file);
        hogfeat_linsvm_destroy(loaded);
        hogfeat_linsvm_destroy(m);
        hogfeat_linsvm_params_destroy(p);
        free(b1);
        free(b2);
        free_blobs(&b);
    }
}
END_TEST

/* Hostile LSMC and LSPR sections, each with a valid CRC: exact statuses. */
START_TEST(test_model_file_hostile)
{
    static const int32_t labels[] = {2, 4, 6, 8};
    blobs b = make_blobs(90, 120, 5, 5, labels, 4, 1.5f, 1.0f, 0.0f);
    hogfeat_linsvm_params *p = new_params();
    hogfeat_linsvm *ovo = train_strategy(p, &b, HOGFEAT_SVM_OVO, 1);  /* 6 vectors, 6 records */
    hogfeat_linsvm *cs = train_strategy(p, &b, HOGFEAT_SVM_CRAMMER_SINGER, 1); /* 4 vectors, 1 record */
    hogfeat_linsvm *ovr = train_strategy(p, &b, HOGFEAT_SVM_OVR, 0);
    size_t n, n_cs, n_ovr, m;
    unsigned char *f = mf_save(ovo, &n), *fcs = mf_save(cs, &n_cs), *fovr = mf_save(ovr, &n_ovr), *e;
    ck_assert_int_eq(mf_load(f, n, NULL), HOGFEAT_OK);

    /* Every strict prefix is truncated data. */
    for (size_t len = 0; len < n; len++) {
        hogfeat_status st = mf_load(f, len, NULL);
        CHECK(st == HOGFEAT_ERR_CORRUPT_DATA, "prefix of %zu bytes: %s", len, hogfeat_status_name(st));
    }
    /* LSMC: values outside the enum, wrong lengths, twice, removed. */
    static const uint32_t bad_mc[] = {0, 4, 255, 0xFFFFFFFFu};
    for (size_t i = 0; i < 4; i++) {
        unsigned char v[4];
        mf_put32(v, bad_mc[i]);
        e = mf_with_payload(f, n, "LSMC", v, 4, &m);
        ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "LSMC"));
        free(e);
    }
    static const unsigned char five[5] = {2, 0, 0, 0, 0};
    e = mf_with_payload(f, n, "LSMC", five, 3, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    e = mf_with_payload(f, n, "LSMC", five, 5, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    e = mf_with_payload(f, n, "LSMC", five, 0, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    size_t at = mf_find(f, n, "LSMC");
    e = mf_splice(f, n, at, 0, f + at, 20, &m); /* twice */
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "twice"));
    free(e);
    e = mf_splice(f, n, at, 20, NULL, 0, &m); /* removed: 6 vectors are not one-vs-rest's 4 */
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    /* The strategy must match the vector count: one-vs-one read as Crammer-Singer. */
    unsigned char three[4] = {3, 0, 0, 0};
    e = mf_with_payload(f, n, "LSMC", three, 4, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    /* An explicit one-vs-rest LSMC is valid (never written: a re-save drops it). */
    at = mf_find(fovr, n_ovr, "LSVM");
    unsigned char lsmc_ovr[20] = {'L', 'S', 'M', 'C', 1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    e = mf_splice(fovr, n_ovr, at, 0, lsmc_ovr, 20, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_OK);
    free(e);
    /* LSMC or LSPR beside a KNN model, or with no classifier of its kind. */
    hogfeat_knn *knn = NULL;
    ck_assert_int_eq(hogfeat_knn_fit(NULL, b.x, b.n, 5, 5, b.y, &knn), HOGFEAT_OK);
    size_t nk;
    ck_assert_int_eq(hogfeat_knn_save(knn, NULL, 0, &nk), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *fk = malloc(nk);
    ck_assert_int_eq(hogfeat_knn_save(knn, fk, nk, &nk), HOGFEAT_OK);
    e = mf_splice(fk, nk, 24, 0, lsmc_ovr, 20, &m);
    hogfeat_knn *knn2 = NULL;
    ck_assert_int_eq(hogfeat_knn_load(e, m, NULL, &knn2), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(knn2);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    size_t lspr_at = mf_find(f, n, "LSPR"), lspr_len = 16 + (size_t)mf_get64(f + lspr_at + 8);
    e = mf_splice(fk, nk, 24, 0, f + lspr_at, lspr_len, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    free(fk);
    hogfeat_knn_destroy(knn);

    /* LSPR: NaN and infinite parameters, counts and lengths that disagree. */
    const size_t pay = lspr_at + 16;
    static const double bad_values[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        for (size_t slot = 0; slot < 2; slot++) {
            e = malloc(n);
            memcpy(e, f, n);
            uint64_t bits;
            memcpy(&bits, &bad_values[i], 8);
            mf_put64(e + pay + 8 + 16 * 3 + 8 * slot, bits);
            mf_fix(e, n);
            ck_assert_int_eq(mf_load(e, n, NULL), HOGFEAT_ERR_NONFINITE);
            ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "LSPR"));
            free(e);
        }
    }
    unsigned char buf[8 + 16 * 8];
    memset(buf, 0, sizeof buf);
    for (size_t records = 0; records <= 7; records++) {
        mf_put64(buf, records);
        e = mf_with_payload(f, n, "LSPR", buf, 8 + 16 * records, &m);
        ck_assert_int_eq(mf_load(e, m, NULL), records == 6 ? HOGFEAT_OK : HOGFEAT_ERR_CORRUPT_DATA);
        free(e);
    }
    mf_put64(buf, 6);
    static const size_t wrong_len[] = {0, 4, 7, 8, 8 + 16 * 6 - 8, 8 + 16 * 6 + 1, 8 + 16 * 7};
    for (size_t i = 0; i < sizeof wrong_len / sizeof wrong_len[0]; i++) {
        e = mf_with_payload(f, n, "LSPR", buf, wrong_len[i], &m);
        CHECK(mf_load(e, m, NULL) == HOGFEAT_ERR_CORRUPT_DATA, "LSPR of %zu bytes", wrong_len[i]);
        free(e);
    }
    /* A count of 2^64 - 1 (length overflow) is corrupt, not an allocation. */
    mf_put64(buf, UINT64_MAX);
    e = mf_with_payload(f, n, "LSPR", buf, 8, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    /* Crammer-Singer holds one record. */
    mf_put64(buf, 4);
    e = mf_with_payload(fcs, n_cs, "LSPR", buf, 8 + 16 * 4, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    /* LSPR twice; LSPR marked critical is still known and loads. */
    e = mf_splice(f, n, lspr_at, 0, f + lspr_at, lspr_len, &m);
    ck_assert_int_eq(mf_load(e, m, NULL), HOGFEAT_ERR_CORRUPT_DATA);
    free(e);
    e = malloc(n);
    memcpy(e, f, n);
    mf_put32(e + lspr_at + 4, 1);
    mf_fix(e, n);
    ck_assert_int_eq(mf_load(e, n, NULL), HOGFEAT_OK);
    free(e);
    /* The sections in another order (LSPR first, LSMC last) load the same model. */
    {
        size_t lsvm_at = mf_find(f, n, "LSVM"), lsvm_len = 16 + (size_t)mf_get64(f + lsvm_at + 8);
        size_t lsmc_at = mf_find(f, n, "LSMC");
        unsigned char *o = malloc(n);
        size_t q = 24;
        memcpy(o, f, 24);
        memcpy(o + q, f + lspr_at, lspr_len);
        q += lspr_len;
        memcpy(o + q, f + lsvm_at, lsvm_len);
        q += lsvm_len;
        memcpy(o + q, f + lsmc_at, 20);
        q += 20;
        ck_assert_uint_eq(q + 4, n);
        mf_fix(o, n);
        hogfeat_linsvm *reordered = NULL;
        ck_assert_int_eq(hogfeat_linsvm_load(o, n, NULL, &reordered), HOGFEAT_OK);
        size_t n2;
        unsigned char *again = mf_save(reordered, &n2);
        ck_assert(n2 == n && memcmp(again, f, n) == 0); /* the writer's order again */
        free(again);
        free(o);
        hogfeat_linsvm_destroy(reordered);
    }
    /* A lower minor does not matter to this reader. */
    e = malloc(n);
    memcpy(e, f, n);
    e[10] = 1;
    mf_fix(e, n);
    ck_assert_int_eq(mf_load(e, n, NULL), HOGFEAT_OK);
    free(e);
    /* The byte limit counts the Platt records: enough for the weights only. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    size_t lsvm_payload = (size_t)mf_get64(f + mf_find(f, n, "LSVM") + 8);
    size_t svm_bytes = lsvm_payload - 56 + sizeof(hogfeat_linsvm);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, svm_bytes + 16 * 6 - 1), HOGFEAT_OK);
    ck_assert_int_eq(mf_load(f, n, lim), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, svm_bytes + 16 * 6), HOGFEAT_OK);
    ck_assert_int_eq(mf_load(f, n, lim), HOGFEAT_OK);
    hogfeat_limits_destroy(lim);
    /* Allocation failure while loading either new section's data. */
    for (long nth = 1; nth < 20; nth++) {
        hogfeat__test_alloc_fail_at(nth, 0);
        hogfeat_status st = mf_load(f, n, NULL);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        if (failures == 0) {
            ck_assert_int_eq(st, HOGFEAT_OK);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    }
    free(f);
    free(fcs);
    free(fovr);
    hogfeat_linsvm_destroy(ovo);
    hogfeat_linsvm_destroy(cs);
    hogfeat_linsvm_destroy(ovr);
    hogfeat_linsvm_params_destroy(p);
    free_blobs(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linsvm");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"binary_separable", test_binary_separable},
        {"multiclass_separable", test_multiclass_separable},
        {"arbitrary_labels", test_arbitrary_labels},
        {"decision_consistency", test_decision_consistency},
        {"tie_lowest_index", test_tie_lowest_index},
        {"bias", test_bias_zero_vs_one},
        {"class_weight", test_class_weight},
        {"losses_converge", test_losses_converge},
        {"zero_row_hinge", test_zero_row_hinge},
        {"huge_finite_feature", test_huge_finite_feature},
        {"divergence", test_divergence},
        {"model_fields", test_model_fields},
        {"determinism", test_determinism},
        {"group_independence", test_group_independence},
        {"group_finished", test_group_finished},
        {"group_capacity", test_group_capacity},
        {"many_classes", test_many_classes},
        {"row_stride", test_row_stride},
        {"progress", test_progress},
        {"cancel", test_cancel},
        {"train_bad_input", test_train_bad_input},
        {"too_many_classes", test_too_many_classes},
        {"predict_bad_input", test_predict_bad_input},
        {"alloc_failure", test_alloc_failure},
        {"params_multiclass", test_params_multiclass},
        {"ovo_binary_equals_ovr", test_ovo_binary_equals_ovr},
        {"ovo_pairs_are_subproblems", test_ovo_pairs_are_subproblems},
        {"ovo_decision_votes", test_ovo_decision_votes},
        {"ovo_ties", test_ovo_ties},
        {"ovo_vector_count", test_ovo_vector_count},
        {"crammer_singer", test_crammer_singer},
        {"crammer_singer_edges", test_crammer_singer_edges},
        {"platt_fit_recovers", test_platt_fit_recovers},
        {"couple_pairs_exact", test_couple_pairs_exact},
        {"softmax_scale_fit", test_softmax_scale_fit},
        {"probability_strategies", test_probability_strategies},
        {"probability_binary_sigmoid", test_probability_binary_sigmoid},
        {"probability_bad_input", test_probability_bad_input},
        {"strategy_thread_independence", test_strategy_thread_independence},
        {"strategy_progress_cancel", test_strategy_progress_cancel},
        {"strategy_alloc_failure", test_strategy_alloc_failure},
        {"model_file_ovr_unchanged", test_model_file_ovr_unchanged},
        {"model_file_roundtrip", test_model_file_roundtrip},
        {"model_file_hostile", test_model_file_hostile},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
