/* Our linear SVM against LIBLINEAR (-s 1, i.e. L2R_L2LOSS_SVC_DUAL) on a
 * fixed synthetic 6-class problem of overlapping Gaussians, and our float32
 * solver against a double-precision port of the same algorithm.
 *
 * Needs liblinear-dev (<linear.h>, -llinear). Prints the measured figures. */
#ifndef _POSIX_C_SOURCE
#  define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <time.h>

#include <linear.h>

#include "common.h"
#include "linsvm_solver.h"
#include "private.h"

enum {
    TRAIN_N = 3000,
    TEST_N = 6000,
    DIM = 200,
    CLASSES = 6,
};

static const double C_VALUE = 0.1, BIAS = 1.0, EPS = 0.1;

typedef struct dataset {
    float *x;      /* n x DIM, packed */
    int32_t *y;
    size_t n;
} dataset;

static double gaussian(test_rng *r)
{
    /* Box-Muller; u1 in (0, 1]. */
    double u1 = 1.0 - (double)test_rng_float(r), u2 = (double)test_rng_float(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Class means drawn once from the seed; samples are mean + N(0, 1) + 0.5,
 * the offset making the bias term matter. Labels 0..5 in random order. */
static void make_data(uint64_t seed, size_t n, const double *means, dataset *out)
{
    test_rng r = test_rng_seed(seed);
    out->n = n;
    out->x = malloc(n * DIM * sizeof *out->x);
    out->y = malloc(n * sizeof *out->y);
    ck_assert_ptr_nonnull(out->x);
    ck_assert_ptr_nonnull(out->y);
    for (size_t i = 0; i < n; i++) {
        int32_t c = (int32_t)test_rng_below(&r, CLASSES);
        out->y[i] = c;
        for (size_t j = 0; j < DIM; j++)
            out->x[i * DIM + j] = (float)(means[c * DIM + j] + gaussian(&r) + 0.5);
    }
}

static void make_means(double *means)
{
    test_rng r = test_rng_seed(20240601);
    for (size_t i = 0; i < CLASSES * DIM; i++)
        means[i] = 0.19 * gaussian(&r);
}

static void free_data(dataset *d)
{
    free(d->x);
    free(d->y);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_null(const char *s)
{
    (void)s;
}

/* LIBLINEAR rows: DIM features, the bias node (index DIM + 1), terminator. */
static struct feature_node *liblinear_rows(const dataset *d, struct feature_node ***out_rows)
{
    struct feature_node *space = malloc(d->n * (DIM + 2) * sizeof *space);
    struct feature_node **rows = malloc(d->n * sizeof *rows);
    ck_assert_ptr_nonnull(space);
    ck_assert_ptr_nonnull(rows);
    for (size_t i = 0; i < d->n; i++) {
        struct feature_node *row = space + i * (DIM + 2);
        rows[i] = row;
        for (int j = 0; j < DIM; j++) {
            row[j].index = j + 1;
            row[j].value = d->x[i * DIM + (size_t)j];
        }
        row[DIM].index = DIM + 1;
        row[DIM].value = BIAS;
        row[DIM + 1].index = -1;
        row[DIM + 1].value = 0.0;
    }
    *out_rows = rows;
    return space;
}

/* Primal objective of one-vs-rest problem `cls` for hyperplane (w, wb):
 * 1/2 |w|^2 + 1/2 wb^2 + C sum max(0, 1 - y f)^2. */
static double primal_objective(const dataset *d, int32_t cls, const double *w, double wb)
{
    double v = wb * wb;
    for (size_t j = 0; j < DIM; j++)
        v += w[j] * w[j];
    v *= 0.5;
    for (size_t i = 0; i < d->n; i++) {
        double f = wb * BIAS;
        for (size_t j = 0; j < DIM; j++)
            f += w[j] * (double)d->x[i * DIM + j];
        double y = d->y[i] == cls ? 1.0 : -1.0;
        double xi = 1.0 - y * f;
        if (xi > 0.0)
            v += C_VALUE * xi * xi;
    }
    return v;
}

START_TEST(test_against_liblinear)
{
    double *means = malloc(CLASSES * DIM * sizeof *means);
    ck_assert_ptr_nonnull(means);
    make_means(means);
    dataset train_set, test_set;
    make_data(11, TRAIN_N, means, &train_set);
    make_data(12, TEST_N, means, &test_set);

    /* LIBLINEAR -s 1 -c 0.1 -B 1 -e 0.1 */
    struct feature_node **train_rows, **test_rows;
    struct feature_node *train_space = liblinear_rows(&train_set, &train_rows);
    struct feature_node *test_space = liblinear_rows(&test_set, &test_rows);
    double *yd = malloc(TRAIN_N * sizeof *yd);
    ck_assert_ptr_nonnull(yd);
    for (size_t i = 0; i < TRAIN_N; i++)
        yd[i] = train_set.y[i];
    struct problem prob = {TRAIN_N, DIM + 1, yd, train_rows, BIAS};
    struct parameter param;
    memset(&param, 0, sizeof param);
    param.solver_type = L2R_L2LOSS_SVC_DUAL;
    param.eps = EPS;
    param.C = C_VALUE;
    param.p = 0.1;
    ck_assert_ptr_null(check_parameter(&prob, &param));
    set_print_string_function(print_null);
    srand(1);
    double t0 = now_seconds();
    struct model *ll = train(&prob, &param);
    double t_ll = now_seconds() - t0;
    ck_assert_ptr_nonnull(ll);
    ck_assert_int_eq(ll->nr_class, CLASSES);

    size_t ll_correct = 0;
    for (size_t i = 0; i < TEST_N; i++)
        ll_correct += (int32_t)predict(ll, test_rows[i]) == test_set.y[i];

    /* Ours, same settings, one thread, then three for the timing. */
    hogfeat_linsvm_params *params = NULL;
    ck_assert_int_eq(hogfeat_linsvm_params_create(&params), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(params, C_VALUE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(params, BIAS), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_tolerance(params, EPS), HOGFEAT_OK);
    hogfeat_linsvm *ours = NULL;
    t0 = now_seconds();
    ck_assert_int_eq(hogfeat_linsvm_train(params, train_set.x, TRAIN_N, DIM, DIM, train_set.y, &ours), HOGFEAT_OK);
    double t_ours = now_seconds() - t0;
    ck_assert_int_eq(hogfeat_linsvm_params_set_threads(params, 3), HOGFEAT_OK);
    hogfeat_linsvm *ours3 = NULL;
    t0 = now_seconds();
    ck_assert_int_eq(hogfeat_linsvm_train(params, train_set.x, TRAIN_N, DIM, DIM, train_set.y, &ours3), HOGFEAT_OK);
    double t_ours3 = now_seconds() - t0;
    hogfeat_linsvm_destroy(ours3);

    int32_t *pred = malloc(TEST_N * sizeof *pred);
    ck_assert_ptr_nonnull(pred);
    ck_assert_int_eq(hogfeat_linsvm_predict(ours, test_set.x, TEST_N, DIM, DIM, pred), HOGFEAT_OK);
    size_t our_correct = 0, agree = 0;
    for (size_t i = 0; i < TEST_N; i++) {
        our_correct += pred[i] == test_set.y[i];
        agree += pred[i] == (int32_t)predict(ll, test_rows[i]);
    }
    double acc_ll = 100.0 * (double)ll_correct / TEST_N, acc_ours = 100.0 * (double)our_correct / TEST_N;
    printf("test accuracy: LIBLINEAR %.2f %%, ours %.2f %% (difference %.2f points; predictions agree on %.2f %%)\n",
           acc_ll, acc_ours, acc_ours - acc_ll, 100.0 * (double)agree / TEST_N);
    printf("training time: LIBLINEAR %.3f s, ours %.3f s (1 thread), %.3f s (3 threads)\n", t_ll, t_ours, t_ours3);

    /* Per class: primal objectives of both solutions and how far apart the
     * hyperplanes are. Both solve the same problem to the same dual
     * tolerance, so the objectives must be close. */
    double worst_obj = 0.0, worst_w = 0.0;
    double *w_ll = malloc((DIM + 1) * sizeof *w_ll), *w_us = malloc((DIM + 1) * sizeof *w_us);
    ck_assert_ptr_nonnull(w_ll);
    ck_assert_ptr_nonnull(w_us);
    for (int32_t cls = 0; cls < CLASSES; cls++) {
        int ll_index = -1;
        for (int i = 0; i < ll->nr_class; i++)
            if (ll->label[i] == cls)
                ll_index = i;
        ck_assert_int_ge(ll_index, 0);
        const float *wf = hogfeat_linsvm_weights(ours, (size_t)cls);
        ck_assert_ptr_nonnull(wf);
        double diff2 = 0.0, norm2 = 0.0;
        for (size_t j = 0; j <= DIM; j++) {
            w_ll[j] = ll->w[j * CLASSES + (size_t)ll_index];
            w_us[j] = wf[j];
            diff2 += (w_ll[j] - w_us[j]) * (w_ll[j] - w_us[j]);
            norm2 += w_ll[j] * w_ll[j];
        }
        double p_ll = primal_objective(&train_set, cls, w_ll, w_ll[DIM]);
        double p_us = primal_objective(&train_set, cls, w_us, w_us[DIM]);
        double rel_obj = (p_us - p_ll) / p_ll, rel_w = sqrt(diff2 / norm2);
        printf("class %d: primal objective LIBLINEAR %.4f, ours %.4f (relative %+.2e); |w - w_ll| / |w_ll| = %.2e\n",
               (int)cls, p_ll, p_us, rel_obj, rel_w);
        if (fabs(rel_obj) > worst_obj)
            worst_obj = fabs(rel_obj);
        if (rel_w > worst_w)
            worst_w = rel_w;
    }
    ck_assert_double_le(fabs(acc_ours - acc_ll), 0.3);
    ck_assert_double_le(worst_obj, 0.01);
    ck_assert_double_le(worst_w, 0.1);

    free(w_ll);
    free(w_us);
    free(pred);
    hogfeat_linsvm_destroy(ours);
    hogfeat_linsvm_params_destroy(params);
    free_and_destroy_model(&ll);
    free(yd);
    free(train_rows);
    free(test_rows);
    free(train_space);
    free(test_space);
    free_data(&train_set);
    free_data(&test_set);
    free(means);
}
END_TEST

/* Reference: the same algorithm with a double w and double dot products,
 * LIBLINEAR's per-problem shuffle of the active set (the solver shuffles all rows with one generator per group, so the trajectories differ; the dual objectives must still agree). Returns the dual objective. */
static double reference_dual(const hogfeat__svm_problem *p, int32_t *out_iterations)
{
    const size_t l = p->num_samples, n = p->num_features;
    double *w = calloc(n + 1, sizeof *w), *alpha = calloc(l, sizeof *alpha);
    size_t *index = malloc(l * sizeof *index);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(alpha);
    ck_assert_ptr_nonnull(index);
    const double diag[2] = {0.5 / p->cn, 0.5 / p->cp};
    for (size_t i = 0; i < l; i++)
        index[i] = i;
    uint64_t state = p->seed;
    size_t active = l;
    double pgmax_old = HUGE_VAL, pgmin_old = -HUGE_VAL;
    int32_t iter = 0;
    while (iter < p->max_iterations) {
        double pgmax_new = -HUGE_VAL, pgmin_new = HUGE_VAL;
        for (size_t i = 0; i < active; i++) {
            /* splitmix64, as documented in lib/linsvm_solver.c */
            state += 0x9E3779B97F4A7C15ull;
            uint64_t z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            size_t j = i + (size_t)(z % (uint64_t)(active - i));
            size_t t = index[i];
            index[i] = index[j];
            index[j] = t;
        }
        for (size_t s = 0; s < active;) {
            size_t i = index[s];
            int pos = p->sample_class[i] == p->positive_class;
            double yi = pos ? 1.0 : -1.0;
            const float *xi = p->features + i * p->row_stride;
            double f = w[n] * p->bias;
            for (size_t j = 0; j < n; j++)
                f += w[j] * (double)xi[j];
            double g = yi * f - 1.0 + alpha[i] * diag[pos], pg = 0.0;
            if (alpha[i] == 0.0) {
                if (g > pgmax_old) {
                    active--;
                    size_t t = index[s];
                    index[s] = index[active];
                    index[active] = t;
                    continue;
                }
                if (g < 0.0)
                    pg = g;
            } else {
                pg = g;
            }
            pgmax_new = pg > pgmax_new ? pg : pgmax_new;
            pgmin_new = pg < pgmin_new ? pg : pgmin_new;
            if (fabs(pg) > 1e-12) {
                double old = alpha[i];
                double a = old - g / (p->sqnorm[i] + diag[pos]);
                alpha[i] = a > 0.0 ? a : 0.0;
                double d = (alpha[i] - old) * yi;
                for (size_t j = 0; j < n; j++)
                    w[j] += d * (double)xi[j];
                w[n] += d * p->bias;
            }
            s++;
        }
        iter++;
        if (pgmax_new - pgmin_new <= p->tolerance) {
            if (active == l)
                break;
            active = l;
            pgmax_old = HUGE_VAL;
            pgmin_old = -HUGE_VAL;
        } else {
            pgmax_old = pgmax_new > 0.0 ? pgmax_new : HUGE_VAL;
            pgmin_old = pgmin_new < 0.0 ? pgmin_new : -HUGE_VAL;
        }
    }
    (void)pgmin_old;
    double v = 0.0;
    for (size_t j = 0; j <= n; j++)
        v += w[j] * w[j];
    for (size_t i = 0; i < l; i++)
        v += alpha[i] * (alpha[i] * diag[p->sample_class[i] == p->positive_class] - 2.0);
    *out_iterations = iter;
    free(w);
    free(alpha);
    free(index);
    return v / 2.0;
}

/* Float32 w with the kernel table against double w: same permutation, same
 * stopping rule; the dual objectives must agree closely at eps = 0.1 and
 * at a tight eps = 1e-4, showing float accumulation does not stall or bias
 * convergence. */
START_TEST(test_float_vs_double)
{
    double *means = malloc(CLASSES * DIM * sizeof *means);
    ck_assert_ptr_nonnull(means);
    make_means(means);
    dataset train_set;
    make_data(11, TRAIN_N, means, &train_set);
    double *sqnorm = malloc(TRAIN_N * sizeof *sqnorm), *alpha = malloc(TRAIN_N * sizeof *alpha);
    size_t *index = malloc(TRAIN_N * sizeof *index);
    float *w = malloc(DIM * sizeof *w);
    ck_assert_ptr_nonnull(sqnorm);
    ck_assert_ptr_nonnull(alpha);
    ck_assert_ptr_nonnull(index);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < TRAIN_N; i++) {
        double s = 0.0;
        for (size_t j = 0; j < DIM; j++)
            s += (double)train_set.x[i * DIM + j] * (double)train_set.x[i * DIM + j];
        sqnorm[i] = s + BIAS * BIAS;
    }
    static const double tolerances[] = {0.1, 1e-4};
    for (size_t t = 0; t < 2; t++) {
        for (int32_t cls = 0; cls < 2; cls++) {
            hogfeat__svm_problem p;
            memset(&p, 0, sizeof p);
            p.features = train_set.x;
            p.num_samples = TRAIN_N;
            p.num_features = DIM;
            p.row_stride = DIM;
            p.sample_class = train_set.y;
            p.positive_class = cls;
            p.sqnorm = sqnorm;
            p.bias = BIAS;
            p.loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
            p.cp = p.cn = C_VALUE;
            p.tolerance = tolerances[t];
            p.max_iterations = 1000;
            p.seed = hogfeat__svm_problem_seed(1, (uint32_t)cls);
            p.kernels = hogfeat__kernels_get();
            hogfeat__svm_stats stats;
            double wb;
            double t0 = now_seconds();
            ck_assert_int_eq(hogfeat__svm_solve(&p, alpha, index, w, &wb, &stats), HOGFEAT_OK);
            double t_f = now_seconds() - t0;
            int32_t ref_iter;
            t0 = now_seconds();
            double ref = reference_dual(&p, &ref_iter);
            double t_d = now_seconds() - t0;
            double rel = (stats.dual_objective - ref) / fabs(ref);
            printf("eps %g class %d: dual objective float %.8f (%d passes, %.3f s), double %.8f (%d passes, "
                   "%.3f s), relative %+.2e\n",
                   tolerances[t], (int)cls, stats.dual_objective, (int)stats.iterations, t_f, ref, (int)ref_iter,
                   t_d, rel);
            ck_assert_int_eq(stats.converged, 1);
            ck_assert_double_le(fabs(rel), t == 0 ? 1e-3 : 1e-5);
        }
    }
    free(w);
    free(index);
    free(alpha);
    free(sqnorm);
    free_data(&train_set);
    free(means);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("liblinear-compare");
    TCase *tc = tcase_create("against-liblinear");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_against_liblinear);
    suite_add_tcase(s, tc);
    tc = tcase_create("float-vs-double");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_float_vs_double);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
