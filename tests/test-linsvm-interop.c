/* Linear SVM interchange: LIBLINEAR's model text both ways (exact text,
 * bit-exact float round trips, LIBLINEAR's label and sign conventions,
 * every hostile input, the locale, atomic files, allocation failure) and
 * the OpenCV detector vector (the layout mapping against features computed
 * in OpenCV's order).
 *
 * With arguments DATA_DIR CLI it runs the data check instead: models trained
 * on CMATERdb HOG features, exported, and run by Debian's liblinear-predict
 * on the features `hogfeat extract --format libsvm` writes; the predictions
 * must be ours. Exits 77 (skipped) when the data, the CLI or
 * liblinear-predict is missing. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "private.h"

extern char **environ;

#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

static hogfeat_linsvm *const POISON = (hogfeat_linsvm *)(uintptr_t)0x5a5a5a50u;

/* A model with the given weights (V rows of d + 1), labels 0..K-1 scaled. */
static hogfeat_linsvm *hand_model(int32_t k, size_t d, hogfeat_svm_multiclass mc, const int32_t *labels,
                                  const float *weights, double bias, hogfeat_svm_loss loss)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new_multiclass(k, d, mc, &m), HOGFEAT_OK);
    memcpy(m->labels, labels, (size_t)k * sizeof *labels);
    memcpy(m->weights, weights, m->num_vectors * (d + 1) * sizeof *weights);
    m->bias = bias;
    m->loss = loss;
    return m;
}

/* The export as a NUL-terminated string (malloc'd). */
static char *export_text(const hogfeat_linsvm *m, size_t *out_len)
{
    size_t n = 0;
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, NULL, 0, &n), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    size_t got = 0;
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, t, n, &got), HOGFEAT_OK);
    ck_assert_uint_eq(got, n);
    t[n] = '\0';
    if (out_len)
        *out_len = n;
    return t;
}

static hogfeat_status import_status(const char *text)
{
    hogfeat_linsvm *m = POISON;
    hogfeat_status st = hogfeat_linsvm_import_liblinear(text, strlen(text), NULL, &m);
    if (st == HOGFEAT_OK) {
        ck_assert_ptr_nonnull(m);
        hogfeat_linsvm_destroy(m);
    } else {
        ck_assert_ptr_null(m);
    }
    return st;
}

static hogfeat_linsvm *import_ok(const char *text)
{
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat_linsvm_import_liblinear(text, strlen(text), NULL, &m);
    ck_assert_msg(st == HOGFEAT_OK, "import: %s (%s)", hogfeat_status_name(st), hogfeat_last_error_message());
    return m;
}

static void assert_same_model(const hogfeat_linsvm *a, const hogfeat_linsvm *b)
{
    ck_assert_int_eq(a->num_classes, b->num_classes);
    ck_assert_uint_eq(a->num_features, b->num_features);
    ck_assert_int_eq(a->multiclass, b->multiclass);
    ck_assert_uint_eq(a->num_vectors, b->num_vectors);
    ck_assert(memcmp(a->labels, b->labels, (size_t)a->num_classes * sizeof *a->labels) == 0);
    ck_assert(memcmp(&a->bias, &b->bias, sizeof a->bias) == 0);
    ck_assert_int_eq(a->loss, b->loss);
    const size_t d = a->num_features;
    for (size_t v = 0; v < a->num_vectors; v++) {
        /* Without a bias the w_b column is not part of the text. */
        const size_t n = a->bias > 0.0 ? d + 1 : d;
        CHECK(memcmp(a->weights + v * (d + 1), b->weights + v * (d + 1), n * sizeof(float)) == 0,
              "vector %zu differs", v);
    }
}

/* ---- export ------------------------------------------------------------------------ */

START_TEST(test_export_exact_text)
{
    static const int32_t two[] = {-1, 3};
    static const float w2[] = {0.5f, -0.25f, 0.125f};
    hogfeat_linsvm *m = hand_model(2, 2, HOGFEAT_SVM_OVR, two, w2, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    char *t = export_text(m, NULL);
    ck_assert_str_eq(t, "solver_type L2R_L2LOSS_SVC_DUAL\n"
                        "nr_class 2\n"
                        "label 3 -1\n"
                        "nr_feature 2\n"
                        "bias 1\n"
                        "w\n"
                        "0.5 \n"
                        "-0.25 \n"
                        "0.125 \n");
    free(t);
    /* Hinge loss, no bias (LIBLINEAR's -1, no bias row), a value %.9g needs in full. */
    m->loss = HOGFEAT_SVM_LOSS_HINGE;
    m->bias = 0.0;
    m->weights[0] = 0.1f;
    t = export_text(m, NULL);
    ck_assert_str_eq(t, "solver_type L2R_L1LOSS_SVC_DUAL\n"
                        "nr_class 2\n"
                        "label 3 -1\n"
                        "nr_feature 2\n"
                        "bias -1\n"
                        "w\n"
                        "0.100000001 \n"
                        "-0.25 \n");
    free(t);
    hogfeat_linsvm_destroy(m);

    /* Crammer-Singer, 3 classes: one column per class, ascending labels, B printed exactly. */
    static const int32_t three[] = {-5, 0, 12};
    static const float w3[] = {1.0f, -2.0f, 0.75f, 3.0f, 4.0f, -1e-3f, -4.0f, -2.0f, 2.5e-8f};
    m = hand_model(3, 2, HOGFEAT_SVM_CRAMMER_SINGER, three, w3, 0.1, HOGFEAT_SVM_LOSS_HINGE);
    t = export_text(m, NULL);
    ck_assert_str_eq(t, "solver_type MCSVM_CS\n"
                        "nr_class 3\n"
                        "label -5 0 12\n"
                        "nr_feature 2\n"
                        "bias 0.10000000000000001\n"
                        "w\n"
                        "1 3 -4 \n"
                        "-2 4 -2 \n"
                        "0.75 -0.00100000005 2.50000003e-08 \n");
    free(t);
    hogfeat_linsvm_destroy(m);
}
END_TEST

START_TEST(test_export_bad_input)
{
    static const int32_t two[] = {0, 1};
    static const float w[] = {1.0f, 2.0f, 3.0f};
    hogfeat_linsvm *m = hand_model(2, 2, HOGFEAT_SVM_OVR, two, w, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    size_t n = 0, len = 0;
    char *t = export_text(m, &len);
    char buf[256];
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(NULL, buf, sizeof buf, &n), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, buf, sizeof buf, NULL), HOGFEAT_ERR_NULL_POINTER);
    /* Query and short buffers: the size, nothing written. */
    n = 0;
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, NULL, 1000, &n), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, len);
    memset(buf, 'x', sizeof buf);
    n = 0;
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, buf, len - 1, &n), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(n, len);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 'x', "byte %zu written", i);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, buf, len, &n), HOGFEAT_OK);
    ck_assert(memcmp(buf, t, len) == 0);
    ck_assert_int_eq(buf[len], 'x'); /* no terminating NUL */
    free(t);
    hogfeat_linsvm_destroy(m);
    /* One-vs-one has no LIBLINEAR form. */
    static const int32_t three[] = {0, 1, 2};
    static const float w3[9] = {0};
    m = hand_model(3, 2, HOGFEAT_SVM_OVO, three, w3, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear(m, buf, sizeof buf, &n), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "one-vs-one"));
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, "/tmp/never-written"), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(access("/tmp/never-written", F_OK), -1);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(NULL, "/tmp/x"), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_linsvm_destroy(m);
}
END_TEST

/* Export then import gives the same bits for every float, including zeros
 * of both signs, subnormals and the extremes; a second export the same text. */
START_TEST(test_roundtrip_bits)
{
    static const hogfeat_svm_multiclass mcs[] = {HOGFEAT_SVM_OVR, HOGFEAT_SVM_CRAMMER_SINGER};
    static const int32_t labels[] = {-7, 2, 3, 1000, 1001};
    static const double biases[] = {1.0, 0.0, 2.5, 1e-300};
    test_rng r = test_rng_seed(11);
    for (size_t s = 0; s < 2; s++) {
        for (int32_t k = 2; k <= 5; k += 3) {
            for (size_t bi = 0; bi < 4; bi++) {
                const size_t d = 37;
                hogfeat_linsvm *m = NULL;
                ck_assert_int_eq(hogfeat__linsvm_new_multiclass(k, d, mcs[s], &m), HOGFEAT_OK);
                memcpy(m->labels, labels, (size_t)k * sizeof *labels);
                m->bias = biases[bi];
                m->loss = s || bi % 2 ? HOGFEAT_SVM_LOSS_HINGE : HOGFEAT_SVM_LOSS_SQUARED_HINGE;
                static const float special[] = {0.0f, -0.0f, 1e-45f, -1.17549421e-38f, 1.17549435e-38f,
                                                3.40282347e38f, -3.40282347e38f, 0.1f, 1.0f / 3.0f, 16777217.0f};
                for (size_t i = 0; i < m->num_vectors * (d + 1); i++) {
                    if (i < 10) {
                        m->weights[i] = special[i];
                    } else {
                        uint32_t bits = (uint32_t)test_rng_next(&r);
                        float f;
                        memcpy(&f, &bits, 4);
                        m->weights[i] = isfinite(f) ? f : 0.5f;
                    }
                }
                if (!(m->bias > 0.0))
                    for (size_t v = 0; v < m->num_vectors; v++)
                        m->weights[v * (d + 1) + d] = 0.0f; /* not in the text */
                size_t n1, n2;
                char *t1 = export_text(m, &n1);
                hogfeat_linsvm *back = import_ok(t1);
                assert_same_model(m, back);
                char *t2 = export_text(back, &n2);
                ck_assert_str_eq(t1, t2);
                free(t1);
                free(t2);
                hogfeat_linsvm_destroy(back);
                hogfeat_linsvm_destroy(m);
            }
        }
    }
}
END_TEST

/* ---- import ------------------------------------------------------------------------ */

/* LIBLINEAR's conventions: labels in any order, a two-class w favouring the
 * first label, keywords in any order, any white space, no bias row for -1. */
START_TEST(test_import_conventions)
{
    /* Two classes with LIBLINEAR's first label the smaller: the vector is negated. */
    hogfeat_linsvm *m = import_ok("solver_type L2R_L2LOSS_SVC_DUAL\nnr_class 2\nlabel 0 1\nnr_feature 2\n"
                                  "bias 1\nw\n0.5 \n-2 \n0.25 \n");
    ck_assert_int_eq(m->labels[0], 0);
    ck_assert_int_eq(m->labels[1], 1);
    ck_assert_float_eq(m->weights[0], -0.5f);
    ck_assert_float_eq(m->weights[1], 2.0f);
    ck_assert_float_eq(m->weights[2], -0.25f);
    ck_assert_int_eq(m->multiclass, HOGFEAT_SVM_OVR);
    ck_assert_int_eq(m->loss, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    ck_assert_double_eq(m->c, 0.0);
    /* LIBLINEAR predicts label[0] = 0 where 0.5 x0 - 2 x1 + 0.25 > 0. */
    float x[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    int32_t out[2];
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, 2, 2, 2, out), HOGFEAT_OK);
    ck_assert_int_eq(out[0], 0);
    ck_assert_int_eq(out[1], 1);
    hogfeat_linsvm_destroy(m);
    /* ... and the larger: kept as is. */
    m = import_ok("solver_type L2R_L1LOSS_SVC_DUAL nr_class 2 label 1 0 nr_feature 2 bias -1 w 0.5 -2");
    ck_assert_float_eq(m->weights[0], 0.5f);
    ck_assert_float_eq(m->weights[1], -2.0f);
    ck_assert_double_eq(m->bias, 0.0);
    ck_assert_int_eq(m->loss, HOGFEAT_SVM_LOSS_HINGE);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, 2, 2, 2, out), HOGFEAT_OK);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 0);
    hogfeat_linsvm_destroy(m);
    /* Several classes in LIBLINEAR's first-seen order, keywords shuffled, CR LF, tabs. */
    m = import_ok("nr_class 3\r\nsolver_type\tL2R_L2LOSS_SVC\r\nlabel 9 -4 5\r\nbias 0.5\r\nnr_feature 1\r\n"
                  "w\r\n1 2 3 \r\n10\t20\t30\r\n");
    ck_assert_int_eq(m->labels[0], -4);
    ck_assert_int_eq(m->labels[1], 5);
    ck_assert_int_eq(m->labels[2], 9);
    ck_assert_double_eq(m->bias, 0.5);
    /* Class -4 was LIBLINEAR's column 1: w = 2, w_b = 20. */
    ck_assert_float_eq(m->weights[0], 2.0f);
    ck_assert_float_eq(m->weights[1], 20.0f);
    ck_assert_float_eq(m->weights[2], 3.0f);
    ck_assert_float_eq(m->weights[3], 30.0f);
    ck_assert_float_eq(m->weights[4], 1.0f);
    ck_assert_float_eq(m->weights[5], 10.0f);
    float s[3], x1 = 1.0f;
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, &x1, 1, 1, 1, s, 3), HOGFEAT_OK);
    ck_assert_float_eq(s[0], 12.0f);
    ck_assert_float_eq(s[1], 18.0f);
    ck_assert_float_eq(s[2], 6.0f);
    hogfeat_linsvm_destroy(m);
    /* bias 0: LIBLINEAR keeps a bias row whose feature is 0; it is read and ignored. */
    m = import_ok("solver_type L1R_L2LOSS_SVC\nnr_class 2\nlabel 4 2\nnr_feature 1\nbias 0\nw\n3 \n7 \n");
    ck_assert_double_eq(m->bias, 0.0);
    ck_assert_float_eq(m->weights[0], 3.0f);
    hogfeat_linsvm_destroy(m);
    /* Crammer-Singer with two classes keeps both columns. */
    m = import_ok("solver_type MCSVM_CS\nnr_class 2\nlabel 1 0\nnr_feature 1\nbias -1\nw\n0.5 -0.5 \n");
    ck_assert_int_eq(m->multiclass, HOGFEAT_SVM_CRAMMER_SINGER);
    ck_assert_uint_eq(m->num_vectors, 2);
    ck_assert_float_eq(m->weights[0], -0.5f); /* class 0 = LIBLINEAR column 1 */
    ck_assert_float_eq(m->weights[2], 0.5f);
    hogfeat_linsvm_destroy(m);
    /* Not NUL-terminated: only size bytes are read. */
    const char text[] = "solver_type MCSVM_CS nr_class 2 label 1 0 nr_feature 1 bias -1 w 1 2 GARBAGE";
    m = NULL;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(text, strlen(text) - 8, NULL, &m), HOGFEAT_OK);
    hogfeat_linsvm_destroy(m);
}
END_TEST

START_TEST(test_import_hostile)
{
    static const struct {
        const char *text;
        hogfeat_status status;
    } cases[] = {
        {"", HOGFEAT_ERR_CORRUPT_DATA},
        {"   \n\t", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type L2R_L2LOSS_SVC_DUAL\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias 1\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"nr_class 2\nlabel 0 1\nnr_feature 1\nbias 1\nw\n1 2", HOGFEAT_ERR_CORRUPT_DATA},      /* no solver */
        {"solver_type MCSVM_CS\nlabel 0 1\nnr_feature 1\nbias 1\nw\n1 2", HOGFEAT_ERR_CORRUPT_DATA}, /* label first */
        {"solver_type MCSVM_CS\nnr_class 2\nnr_feature 1\nbias 1\nw\n1 2 3 4", HOGFEAT_ERR_CORRUPT_DATA}, /* no label */
        /* no nr_feature */
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nbias 1\nw\n1 2 3 4", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nw\n1 2", HOGFEAT_ERR_CORRUPT_DATA}, /* no bias */
        {"solver_type MCSVM_CS\nsolver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2",
         HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2",
         HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2",
         HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nnr_feature 1\nbias -1\nw\n1 2",
         HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nbias -1\nw\n1 2",
         HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nrho 0\nw\n1 2", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type FOO\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type L2R_LR\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type L2R_LR_DUAL\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type L1R_LR\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type L2R_L2LOSS_SVR\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type L2R_L2LOSS_SVR_DUAL\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type L2R_L1LOSS_SVR_DUAL\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type ONECLASS_SVM\n", HOGFEAT_ERR_MODEL_KIND},
        {"solver_type MCSVM_CS\nnr_class 1\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class -3\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2x\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 99999999999999999999999\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 65537\n", HOGFEAT_ERR_LIMIT_EXCEEDED},
        {"solver_type MCSVM_CS\nnr_class 3\nlabel 0 1\nnr_feature 1", HOGFEAT_ERR_CORRUPT_DATA}, /* too few labels */
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 2147483648\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1.5\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 7 7\nnr_feature 1\nbias -1\nw\n1 2", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 0\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature -1\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1073741825\n", HOGFEAT_ERR_LIMIT_EXCEEDED},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias nan\n", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias inf\n", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias 1e999\n", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias 1,5\n", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias 1\nw\n1 2 3", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 abc", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 0,5", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 nan", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n-inf 1", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 1e39", HOGFEAT_ERR_NONFINITE},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2 3", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2\nextra", HOGFEAT_ERR_CORRUPT_DATA},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2\n \r\n\t", HOGFEAT_OK},
        {"solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1e-50 -2e-46", HOGFEAT_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hogfeat_status st = import_status(cases[i].text);
        CHECK(st == cases[i].status, "case %zu: %s, want %s (%s)", i, hogfeat_status_name(st),
              hogfeat_status_name(cases[i].status), hogfeat_last_error_message());
    }
    /* NULL arguments; an embedded NUL; a number longer than any float needs. */
    hogfeat_linsvm *m = POISON;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(NULL, 10, NULL, &m), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear("w", 1, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    const char nul[] = "solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 2\0 3";
    m = POISON;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(nul, sizeof nul - 1, NULL, &m), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(m);
    char longnum[400];
    int off = snprintf(longnum, sizeof longnum,
                       "solver_type MCSVM_CS\nnr_class 2\nlabel 0 1\nnr_feature 1\nbias -1\nw\n1 0.");
    for (int i = 0; i < 150; i++)
        longnum[off++] = '1';
    longnum[off] = '\0';
    ck_assert_int_eq(import_status(longnum), HOGFEAT_ERR_CORRUPT_DATA);
    /* Limits: classes, features and bytes. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    const char *ok = "solver_type MCSVM_CS\nnr_class 3\nlabel 0 1 2\nnr_feature 2\nbias 1\nw\n1 2 3\n4 5 6\n7 8 9\n";
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 2), HOGFEAT_OK);
    m = POISON;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(ok, strlen(ok), lim, &m), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(ok, strlen(ok), lim, &m), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 3 * 3 * 4 - 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(ok, strlen(ok), lim, &m), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 3 * 3 * 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear(ok, strlen(ok), lim, &m), HOGFEAT_OK);
    hogfeat_linsvm_destroy(m);
    hogfeat_limits_destroy(lim);
}
END_TEST

/* ---- locale ------------------------------------------------------------------------ */

static void *export_in_thread(void *arg)
{
    const hogfeat_linsvm *m = arg;
    for (int i = 0; i < 50; i++) {
        size_t n = 0;
        char buf[512];
        if (hogfeat_linsvm_export_liblinear(m, buf, sizeof buf, &n) != HOGFEAT_OK || memchr(buf, ',', n))
            return (void *)1;
        hogfeat_linsvm *back = NULL;
        if (hogfeat_linsvm_import_liblinear(buf, n, NULL, &back) != HOGFEAT_OK)
            return (void *)1;
        hogfeat_linsvm_destroy(back);
    }
    return NULL;
}

/* Numbers keep '.' whatever LC_NUMERIC says, and the library changes
 * neither the global locale nor the calling thread's. */
START_TEST(test_locale_independent)
{
    const char *locale = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    if (!locale)
        locale = setlocale(LC_NUMERIC, "C.UTF-8");
    ck_assert_ptr_nonnull(locale);
    char *before = strdup(setlocale(LC_NUMERIC, NULL));
    char probe[32];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    printf("LC_NUMERIC %s: printf writes 0.5 as '%s'\n", before, probe);
    locale_t thread_before = uselocale((locale_t)0);

    static const int32_t two[] = {0, 1};
    static const float w[] = {0.5f, -1.25f, 3.0e-5f};
    hogfeat_linsvm *m = hand_model(2, 2, HOGFEAT_SVM_OVR, two, w, 0.5, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    size_t n;
    char *t = export_text(m, &n);
    ck_assert_ptr_null(strchr(t, ','));
    ck_assert_ptr_nonnull(strstr(t, "bias 0.5\n"));
    ck_assert_ptr_nonnull(strstr(t, "-1.25 \n"));
    ck_assert_ptr_nonnull(strstr(t, "2.99999992e-05 \n"));
    hogfeat_linsvm *back = import_ok(t);
    ck_assert_float_eq(back->weights[0], 0.5f);
    ck_assert_float_eq(back->weights[1], -1.25f);
    ck_assert_double_eq(back->bias, 0.5);
    hogfeat_linsvm_destroy(back);
    /* A comma is never a decimal point here. */
    ck_assert_int_eq(import_status("solver_type MCSVM_CS nr_class 2 label 0 1 nr_feature 1 bias -1 w 0,5 1"),
                     HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_str_eq(setlocale(LC_NUMERIC, NULL), before);
    ck_assert(uselocale((locale_t)0) == thread_before);
    /* Threads exporting and importing at once see no interference. */
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, export_in_thread, m), 0);
    for (int i = 0; i < 4; i++) {
        void *ret = (void *)1;
        ck_assert_int_eq(pthread_join(th[i], &ret), 0);
        ck_assert_ptr_null(ret);
    }
    free(t);
    free(before);
    hogfeat_linsvm_destroy(m);
    setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ---- files ------------------------------------------------------------------------- */

static char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    b[len] = '\0';
    *n = (size_t)len;
    return b;
}

START_TEST(test_files)
{
    char dir[] = "/tmp/hogfeat-ll-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256], missing[256];
    snprintf(path, sizeof path, "%s/model.txt", dir);
    snprintf(missing, sizeof missing, "%s/no/such/dir/model.txt", dir);
    static const int32_t three[] = {1, 2, 3};
    static const float w[] = {0.5f, 1.0f, -1.0f, 2.0f, 0.25f, 3.0f};
    hogfeat_linsvm *m = hand_model(3, 1, HOGFEAT_SVM_OVR, three, w, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, path), HOGFEAT_OK);
    size_t n, tn;
    char *got = read_whole(path, &n);
    char *t = export_text(m, &tn);
    ck_assert_uint_eq(n, tn);
    ck_assert_str_eq(got, t);
    hogfeat_linsvm *back = NULL;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(path, NULL, &back), HOGFEAT_OK);
    ck_assert_float_eq(back->weights[2], -1.0f);
    hogfeat_linsvm_destroy(back);
    /* I/O errors: a missing directory, an empty name, a missing file, NULLs. */
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, missing), HOGFEAT_ERR_IO);
    ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, ""), HOGFEAT_ERR_IO);
    back = POISON;
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(missing, NULL, &back), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(back);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(NULL, NULL, &back), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(path, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    /* A bad file names its path. */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    FILE *f = fopen(bad, "w");
    ck_assert_ptr_nonnull(f);
    fputs("solver_type L2R_LR\n", f);
    fclose(f);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(bad, NULL, &back), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), bad));
    /* The file's bytes count against the byte limit. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, n + 3 * 2 * 4 - 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(path, lim, &back), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, n + 3 * 2 * 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(path, lim, &back), HOGFEAT_OK);
    hogfeat_linsvm_destroy(back);
    hogfeat_limits_destroy(lim);
    /* Every failing file-system call of the atomic write leaves the old file. */
    static const int32_t two[] = {0, 1};
    static const float w2[] = {9.0f, 9.0f};
    hogfeat_linsvm *other = hand_model(2, 1, HOGFEAT_SVM_OVR, two, w2, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    long nth;
    for (nth = 1; nth < 50; nth++) {
        ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, path), HOGFEAT_OK);
        hogfeat__test_io_fail_at(nth, EIO);
        hogfeat_status st = hogfeat_linsvm_export_liblinear_file(other, path);
        hogfeat__test_io_fail_at(0, 0);
        size_t gn;
        char *now = read_whole(path, &gn);
        if (st == HOGFEAT_OK) {
            ck_assert_ptr_nonnull(strstr(now, "label 1 0"));
            free(now);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_IO);
        ck_assert_str_eq(now, t); /* untouched */
        free(now);
    }
    ck_assert_int_lt(nth, 50);
    ck_assert_int_gt(nth, 3);
    unlink(path);
    unlink(bad);
    rmdir(dir);
    free(got);
    free(t);
    hogfeat_linsvm_destroy(other);
    hogfeat_linsvm_destroy(m);
}
END_TEST

START_TEST(test_alloc_failure)
{
    static const int32_t three[] = {1, 2, 3};
    static const float w[] = {0.5f, 1.0f, -1.0f, 2.0f, 0.25f, 3.0f};
    hogfeat_linsvm *m = hand_model(3, 1, HOGFEAT_SVM_CRAMMER_SINGER, three, w, 1.0, HOGFEAT_SVM_LOSS_HINGE);
    size_t n;
    char *t = export_text(m, &n);
    char path[] = "/tmp/hogfeat-ll-alloc-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (int which = 0; which < 3; which++) {
        long nth;
        size_t ooms = 0;
        for (nth = 1; nth < 50; nth++) {
            hogfeat__test_alloc_fail_at(nth, 0);
            hogfeat_linsvm *back = POISON;
            hogfeat_status st = which == 0   ? hogfeat_linsvm_import_liblinear(t, n, NULL, &back)
                                : which == 1 ? hogfeat_linsvm_export_liblinear_file(m, path)
                                             : hogfeat_linsvm_import_liblinear_file(path, NULL, &back);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_reset();
            if (which != 1) {
                if (st == HOGFEAT_OK)
                    hogfeat_linsvm_destroy(back);
                else
                    ck_assert_ptr_null(back);
            }
            if (failures == 0) {
                ck_assert_int_eq(st, HOGFEAT_OK);
                break;
            }
            ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "case %d allocation %ld: %s", which, nth,
                          hogfeat_status_name(st));
            ooms++;
        }
        ck_assert_int_lt(nth, 50);
        ck_assert_uint_ge(ooms, 1);
    }
    unlink(path);
    free(t);
    hogfeat_linsvm_destroy(m);
}
END_TEST

/* ---- OpenCV ------------------------------------------------------------------------ */

enum { WIN_W = 32, WIN_H = 48, N_WIN = 80 };

/* HOG of N_WIN random windows in the layout of cfg. */
static float *window_features(const hogfeat_hog_config *cfg, size_t *dim)
{
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, WIN_W, WIN_H, dim), HOGFEAT_OK);
    float *x = malloc(N_WIN * *dim * sizeof *x);
    ck_assert_ptr_nonnull(x);
    test_rng r = test_rng_seed(123);
    for (size_t i = 0; i < N_WIN; i++) {
        hogfeat_image *img = test_random_image(&r, HOGFEAT_FORMAT_U8_GRAY, WIN_W, WIN_H);
        /* Class 1 windows get a bright vertical bar: something to learn. */
        if (i % 2) {
            uint8_t *px = hogfeat_image_writable_data(img);
            for (size_t y = 0; y < WIN_H; y++)
                for (size_t xx = 12; xx < 20; xx++)
                    px[y * WIN_W + xx] = 255;
        }
        ck_assert_int_eq(hogfeat_hog_compute(cfg, img, x + i * *dim, *dim), HOGFEAT_OK);
        hogfeat_image_destroy(img);
    }
    return x;
}

static void check_detector(hogfeat_hog_preset preset, hogfeat_svm_multiclass mc)
{
    hogfeat_hog_config *cfg = NULL, *cv = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(cfg, preset), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(cfg, HOGFEAT_HOG_LAYOUT_SKIMAGE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, 8, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, 2, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_copy(cfg, &cv), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(cv, HOGFEAT_HOG_LAYOUT_OPENCV), HOGFEAT_OK);
    size_t d = 0, d2 = 0;
    float *x = window_features(cfg, &d), *xcv = window_features(cv, &d2);
    ck_assert_uint_eq(d, d2);
    int32_t y[N_WIN];
    for (size_t i = 0; i < N_WIN; i++)
        y[i] = (int32_t)(i % 2);
    hogfeat_linsvm_params *p = NULL;
    ck_assert_int_eq(hogfeat_linsvm_params_create(&p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, mc), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_bias(p, 2.0), HOGFEAT_OK);
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat_linsvm_train(p, x, N_WIN, d, d, y, &m), HOGFEAT_OK);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(m, cfg, WIN_W, WIN_H, NULL, 0, &len),
                     HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(len, d + 1);
    float *det = malloc(len * sizeof *det);
    ck_assert_ptr_nonnull(det);
    for (size_t i = 0; i < len; i++)
        det[i] = 42.0f;
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(m, cfg, WIN_W, WIN_H, det, len - 1, &len),
                     HOGFEAT_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < len; i++)
        CHECK(det[i] == 42.0f, "detector value %zu written", i);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(m, cfg, WIN_W, WIN_H, det, len, &len), HOGFEAT_OK);
    ck_assert_float_eq(det[d], (float)((double)m->weights[d] * 2.0));
    /* OpenCV's score of a window, w_cv . x_cv + rho, is our decision value. */
    float scores[2 * N_WIN];
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, x, N_WIN, d, d, scores, 2 * N_WIN), HOGFEAT_OK);
    int32_t pred[N_WIN];
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, N_WIN, d, d, pred), HOGFEAT_OK);
    size_t right = 0;
    for (size_t i = 0; i < N_WIN; i++) {
        double s = (double)det[d], f = (double)m->weights[d] * 2.0;
        for (size_t j = 0; j < d; j++) {
            s += (double)det[j] * (double)xcv[i * d + j];
            f += (double)m->weights[j] * (double)x[i * d + j];
        }
        CHECK(fabs(s - f) <= 1e-9 * (1.0 + fabs(f)), "window %zu: OpenCV score %g, ours %g", i, s, f);
        if (mc == HOGFEAT_SVM_OVR)
            CHECK(fabs(s - (double)scores[2 * i + 1]) <= 1e-5 * (1.0 + fabs(f)), "window %zu: %g vs %g", i, s,
                  (double)scores[2 * i + 1]);
        CHECK((s > 0.0) == (pred[i] == 1) || fabs(s) < 1e-5, "window %zu: score %g, predicted %d", i, s,
              (int)pred[i]);
        right += pred[i] == y[i];
    }
    ck_assert_uint_ge(right, N_WIN * 9 / 10);
    free(det);
    free(x);
    free(xcv);
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_hog_config_destroy(cv);
}

START_TEST(test_opencv_detector)
{
    check_detector(HOGFEAT_HOG_PRESET_SKIMAGE, HOGFEAT_SVM_OVR);
    check_detector(HOGFEAT_HOG_PRESET_OPENCV, HOGFEAT_SVM_OVR);
    check_detector(HOGFEAT_HOG_PRESET_SKIMAGE, HOGFEAT_SVM_OVO);
}
END_TEST

START_TEST(test_opencv_detector_bad_input)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, 8, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, 2, 2), HOGFEAT_OK);
    size_t d = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 48, &d), HOGFEAT_OK);
    float *w = calloc(3 * (d + 1), sizeof *w);
    ck_assert_ptr_nonnull(w);
    static const int32_t labels[] = {0, 1, 2};
    hogfeat_linsvm *bin = hand_model(2, d, HOGFEAT_SVM_OVR, labels, w, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    hogfeat_linsvm *three = hand_model(3, d, HOGFEAT_SVM_OVR, labels, w, 1.0, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    hogfeat_linsvm *cs2 = hand_model(2, d, HOGFEAT_SVM_CRAMMER_SINGER, labels, w, 1.0, HOGFEAT_SVM_LOSS_HINGE);
    float *out = malloc((d + 1) * sizeof *out);
    size_t len = 7;
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(NULL, cfg, 32, 48, out, d + 1, &len),
                     HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, NULL, 32, 48, out, d + 1, &len),
                     HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, cfg, 32, 48, out, d + 1, NULL),
                     HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(three, cfg, 32, 48, out, d + 1, &len),
                     HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(cs2, cfg, 32, 48, out, d + 1, &len),
                     HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, cfg, 40, 48, out, d + 1, &len),
                     HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "40x48"));
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, cfg, 8, 8, out, d + 1, &len),
                     HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, cfg, 0, 48, out, d + 1, &len),
                     HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_uint_eq(len, 7); /* untouched by every failure above */
    ck_assert_int_eq(hogfeat_linsvm_export_opencv_detector(bin, cfg, 32, 48, out, d + 1, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, d + 1);
    free(out);
    free(w);
    hogfeat_linsvm_destroy(bin);
    hogfeat_linsvm_destroy(three);
    hogfeat_linsvm_destroy(cs2);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- the data check: CMATERdb through liblinear-predict ------------------------------ */

static const char *data_dir, *cli_path;

/* Runs argv (PATH searched) with stdout to out_path (or /dev/null); returns its exit status, -1 if it did not run. */
static int run(char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* 1 if an executable named name is on PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    char buf[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, name);
        if (access(buf, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

static float *cmater_features(hogfeat_split split, int32_t **labels, size_t *n, size_t *dim)
{
    hogfeat_dataset *ds = NULL;
    ck_assert_int_eq(hogfeat_dataset_load_mnist(data_dir, split, NULL, &ds), HOGFEAT_OK);
    hogfeat_hog_config *hog = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&hog), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(hog, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(hog, 2, 2), HOGFEAT_OK);
    hogfeat_pipeline *pipe = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(hog, &pipe), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(pipe, 1.2), HOGFEAT_OK);
    const size_t w = hogfeat_dataset_width(ds), h = hogfeat_dataset_height(ds);
    *n = hogfeat_dataset_count(ds);
    ck_assert_int_eq(hogfeat_pipeline_feature_length(pipe, w, h, dim), HOGFEAT_OK);
    float *x = malloc(*n * *dim * sizeof *x);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(hogfeat_pipeline_extract_stack(pipe, hogfeat_dataset_pixels(ds), HOGFEAT_FORMAT_U8_GRAY, *n, w,
                                                    h, 0, 0, 0, x, *dim, *n * *dim),
                     HOGFEAT_OK);
    *labels = malloc(*n * sizeof **labels);
    ck_assert_ptr_nonnull(*labels);
    memcpy(*labels, hogfeat_dataset_labels(ds), *n * sizeof **labels);
    hogfeat_pipeline_destroy(pipe);
    hogfeat_hog_config_destroy(hog);
    hogfeat_dataset_destroy(ds);
    return x;
}

typedef struct cmater {
    float *xtr, *xte;
    int32_t *ytr, *yte;
    size_t ntr, nte, d;
} cmater;

static cmater load_cmater(void)
{
    cmater c;
    size_t d2;
    c.xtr = cmater_features(HOGFEAT_SPLIT_TRAIN, &c.ytr, &c.ntr, &c.d);
    c.xte = cmater_features(HOGFEAT_SPLIT_TEST, &c.yte, &c.nte, &d2);
    ck_assert_uint_eq(c.d, d2);
    return c;
}

static void free_cmater(cmater *c)
{
    free(c->xtr);
    free(c->xte);
    free(c->ytr);
    free(c->yte);
}

static hogfeat_linsvm *train_cmater(const cmater *c, hogfeat_svm_multiclass mc, int prob, const int32_t *labels)
{
    hogfeat_linsvm_params *p = NULL;
    ck_assert_int_eq(hogfeat_linsvm_params_create(&p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 0.1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, 0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_multiclass(p, mc), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_probability(p, prob), HOGFEAT_OK);
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat_linsvm_train(p, c->xtr, c->ntr, c->d, c->d, labels ? labels : c->ytr, &m), HOGFEAT_OK);
    hogfeat_linsvm_params_destroy(p);
    return m;
}

static double test_accuracy(const cmater *c, const hogfeat_linsvm *m, int32_t *pred)
{
    ck_assert_int_eq(hogfeat_linsvm_predict(m, c->xte, c->nte, c->d, c->d, pred), HOGFEAT_OK);
    size_t right = 0;
    for (size_t i = 0; i < c->nte; i++)
        right += pred[i] == c->yte[i];
    return 100.0 * (double)right / (double)c->nte;
}

/* OvR, OvO and Crammer-Singer accuracies, and the calibration's quality. */
START_TEST(test_cmater_accuracy)
{
    cmater c = load_cmater();
    int32_t *pred = malloc(c.nte * sizeof *pred);
    float *pr = malloc(c.nte * 10 * sizeof *pr);
    ck_assert_ptr_nonnull(pred);
    ck_assert_ptr_nonnull(pr);
    static const char *const names[] = {"", "one-vs-rest", "one-vs-one", "Crammer-Singer"};
    static const double floor_acc[] = {0.0, 96.3, 97.5, 96.5};
    for (int mc = 1; mc <= 3; mc++) {
        hogfeat_linsvm *m = train_cmater(&c, (hogfeat_svm_multiclass)mc, 1, NULL);
        const double acc = test_accuracy(&c, m, pred);
        ck_assert_int_eq(hogfeat_linsvm_predict_proba(m, c.xte, c.nte, c.d, c.d, pr, c.nte * 10), HOGFEAT_OK);
        double logloss = 0.0, ece = 0.0, conf[10] = {0}, hit[10] = {0};
        for (size_t i = 0; i < c.nte; i++) {
            size_t best = 0;
            for (size_t k = 0; k < 10; k++)
                if (pr[i * 10 + k] > pr[i * 10 + best])
                    best = k;
            const double pt = (double)pr[i * 10 + (size_t)c.yte[i]];
            logloss -= log(pt > 1e-15 ? pt : 1e-15);
            size_t bin = (size_t)(pr[i * 10 + best] * 10.0f);
            bin = bin > 9 ? 9 : bin;
            conf[bin] += (double)pr[i * 10 + best];
            hit[bin] += best == (size_t)c.yte[i];
        }
        for (size_t k = 0; k < 10; k++)
            ece += fabs(conf[k] - hit[k]) / (double)c.nte;
        logloss /= (double)c.nte;
        printf("CMATERdb, C = 0.1, %s: accuracy %.2f %%; calibrated (5-fold Platt): log-loss %.4f, ECE %.4f\n",
               names[mc], acc, logloss, ece);
        ck_assert_msg(acc >= floor_acc[mc], "%s: %.2f %%", names[mc], acc);
        ck_assert_double_lt(logloss, 0.15);
        ck_assert_double_lt(ece, 0.05);
        hogfeat_linsvm_destroy(m);
    }
    free(pred);
    free(pr);
    free_cmater(&c);
}
END_TEST

/* Models exported here, predicted by liblinear-predict on the CLI's
 * LIBSVM-format features: the same labels, row for row. */
START_TEST(test_cmater_liblinear_predict)
{
    char dir[] = "/tmp/hogfeat-ll-data-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char feats[512], model[512], out[512];
    snprintf(feats, sizeof feats, "%s/test.svm", dir);
    snprintf(model, sizeof model, "%s/model.txt", dir);
    snprintf(out, sizeof out, "%s/predictions.txt", dir);
    char *extract[] = {(char *)cli_path, "extract", "--split", "test", "--format", "libsvm", "-q", "-o", feats,
                       (char *)data_dir, NULL};
    ck_assert_int_eq(run(extract, NULL), 0);

    cmater c = load_cmater();
    int32_t *pred = malloc(c.nte * sizeof *pred);
    int32_t *binary_labels = malloc(c.ntr * sizeof *binary_labels);
    ck_assert_ptr_nonnull(pred);
    ck_assert_ptr_nonnull(binary_labels);
    for (size_t i = 0; i < c.ntr; i++)
        binary_labels[i] = c.ytr[i] == 3 ? 1 : -1; /* digit 3 against the rest */
    static const char *const names[] = {"one-vs-rest", "one-vs-rest, hinge", "Crammer-Singer", "binary 3 vs rest"};
    for (int which = 0; which < 4; which++) {
        hogfeat_linsvm *m;
        if (which == 1) {
            hogfeat_linsvm_params *p = NULL;
            ck_assert_int_eq(hogfeat_linsvm_params_create(&p), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_linsvm_params_set_c(p, 0.1), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_linsvm_params_set_loss(p, HOGFEAT_SVM_LOSS_HINGE), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_linsvm_params_set_threads(p, 0), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_linsvm_train(p, c.xtr, c.ntr, c.d, c.d, c.ytr, &m), HOGFEAT_OK);
            hogfeat_linsvm_params_destroy(p);
        } else {
            m = train_cmater(&c, which == 2 ? HOGFEAT_SVM_CRAMMER_SINGER : HOGFEAT_SVM_OVR, 0,
                             which == 3 ? binary_labels : NULL);
        }
        double acc = test_accuracy(&c, m, pred);
        if (which == 3) {
            size_t right = 0;
            for (size_t i = 0; i < c.nte; i++)
                right += pred[i] == (c.yte[i] == 3 ? 1 : -1);
            acc = 100.0 * (double)right / (double)c.nte;
        }
        ck_assert_int_eq(hogfeat_linsvm_export_liblinear_file(m, model), HOGFEAT_OK);
        char *predict[] = {"liblinear-predict", feats, model, out, NULL};
        ck_assert_int_eq(run(predict, NULL), 0);
        FILE *f = fopen(out, "r");
        ck_assert_ptr_nonnull(f);
        size_t differ = 0, rows = 0;
        long v;
        while (fscanf(f, "%ld", &v) == 1) {
            ck_assert_uint_lt(rows, c.nte);
            differ += v != (long)pred[rows];
            rows++;
        }
        fclose(f);
        ck_assert_uint_eq(rows, c.nte);
        printf("CMATERdb %s (our accuracy %.2f %%): liblinear-predict agrees on %zu of %zu test rows\n", names[which],
               acc, rows - differ, rows);
        ck_assert_uint_eq(differ, 0);
        hogfeat_linsvm_destroy(m);
    }

    /* The other way: a model liblinear-train writes (-s 1, doubles printed
     * with %.17g), imported. Its weights are rounded to float32, so a row
     * whose best two decision values are closer than that rounding may go
     * the other way; on CMATERdb none does. */
    if (on_path("liblinear-train")) {
        char train[512];
        snprintf(train, sizeof train, "%s/train.svm", dir);
        char *extract_train[] = {(char *)cli_path, "extract", "--split", "train", "--format", "libsvm", "-q", "-o",
                                 train, (char *)data_dir, NULL};
        ck_assert_int_eq(run(extract_train, NULL), 0);
        char *fit[] = {"liblinear-train", "-q", "-s", "1", "-c", "0.1", "-B", "1", train, model, NULL};
        ck_assert_int_eq(run(fit, NULL), 0);
        char *predict[] = {"liblinear-predict", feats, model, out, NULL};
        ck_assert_int_eq(run(predict, NULL), 0);
        hogfeat_linsvm *m = NULL;
        ck_assert_int_eq(hogfeat_linsvm_import_liblinear_file(model, NULL, &m), HOGFEAT_OK);
        const double acc = test_accuracy(&c, m, pred);
        FILE *f = fopen(out, "r");
        ck_assert_ptr_nonnull(f);
        size_t differ = 0, rows = 0;
        long v;
        while (fscanf(f, "%ld", &v) == 1 && rows < c.nte)
            differ += v != (long)pred[rows++];
        fclose(f);
        ck_assert_uint_eq(rows, c.nte);
        printf("CMATERdb model from liblinear-train -s 1 -c 0.1 -B 1, imported (accuracy %.2f %%): "
               "liblinear-predict agrees on %zu of %zu test rows\n", acc, rows - differ, rows);
        ck_assert_uint_le(differ, c.nte / 500);
        hogfeat_linsvm_destroy(m);
        unlink(train);
    }
    unlink(feats);
    unlink(model);
    unlink(out);
    rmdir(dir);
    free(pred);
    free(binary_labels);
    free_cmater(&c);
}
END_TEST

static int data_main(void)
{
    hogfeat_dataset *probe = NULL;
    if (!data_dir || hogfeat_dataset_load_mnist(data_dir, HOGFEAT_SPLIT_TEST, NULL, &probe) != HOGFEAT_OK) {
        printf("SKIP: no MNIST-format dataset in '%s': %s\n", data_dir ? data_dir : "(none given)",
               hogfeat_last_error_message());
        return TEST_SKIP_EXIT;
    }
    hogfeat_dataset_destroy(probe);
    if (!cli_path || access(cli_path, X_OK) != 0) {
        printf("SKIP: the hogfeat CLI '%s' is not built\n", cli_path ? cli_path : "(none given)");
        return TEST_SKIP_EXIT;
    }
    if (!on_path("liblinear-predict")) {
        printf("SKIP: liblinear-predict is not installed (Debian: liblinear-tools)\n");
        return TEST_SKIP_EXIT;
    }
    Suite *s = suite_create("linsvm-interop-data");
    TCase *tc = tcase_create("accuracy");
    tcase_add_test(tc, test_cmater_accuracy);
    suite_add_tcase(s, tc);
    tc = tcase_create("liblinear_predict");
    tcase_add_test(tc, test_cmater_liblinear_predict);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        data_dir = argv[1];
        cli_path = argc > 2 ? argv[2] : NULL;
        return data_main();
    }
    Suite *s = suite_create("linsvm-interop");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"export_exact_text", test_export_exact_text},
        {"export_bad_input", test_export_bad_input},
        {"roundtrip_bits", test_roundtrip_bits},
        {"import_conventions", test_import_conventions},
        {"import_hostile", test_import_hostile},
        {"locale_independent", test_locale_independent},
        {"files", test_files},
        {"alloc_failure", test_alloc_failure},
        {"opencv_detector", test_opencv_detector},
        {"opencv_detector_bad_input", test_opencv_detector_bad_input},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
