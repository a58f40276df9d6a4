/* Linear SVM: training on separable and overlapping synthetic data, labels,
 * decision values, bias, class weights, both losses, determinism across
 * seeds and thread counts, cancellation, strided input, every hostile
 * argument, and allocation failure. */
#include <limits.h>

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
    ck_assert_int_eq(train_status(NULL, b.x, 0, 3, 3, b.y), HOGFEAT_ERR_INVALID_ARGUMENT);
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
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
