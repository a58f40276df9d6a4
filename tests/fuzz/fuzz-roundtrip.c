/* Fuzz target: save -> load round trip of models built from the input
 * through the public API (a trained linear SVM, a fitted KNN model, or a
 * pipeline holding either), aborting on any mismatch.
 *
 * Input: kind, sizes, training parameters, labels and features (tame floats
 * or raw bit patterns), and for pipelines the HOG and preprocessing settings.
 * Invariants: training/fitting returns a documented status; a model saves,
 * loads back, and saves again to the same bytes; the loaded model predicts
 * the same labels (and, for the SVM, the same decision values bit for bit)
 * on the training rows. */
#include "fuzz-common.h"

enum { KIND_SVM, KIND_KNN, KIND_PIPE_SVM, KIND_PIPE_KNN };

typedef hogfeat_status (*save_fn)(const void *model, void *buffer, size_t capacity, size_t *out_size);
static hogfeat_status save_svm(const void *m, void *b, size_t c, size_t *o) { return hogfeat_linsvm_save(m, b, c, o); }
static hogfeat_status save_knn(const void *m, void *b, size_t c, size_t *o) { return hogfeat_knn_save(m, b, c, o); }
static hogfeat_status save_pipe(const void *m, void *b, size_t c, size_t *o) { return hogfeat_pipeline_save(m, b, c, o); }

static unsigned char *save_bytes(save_fn save, const void *model, size_t *out_size)
{
    size_t need = 0, got = 0;
    FZ_CHECK(save(model, NULL, 0, &need) == HOGFEAT_ERR_BUFFER_TOO_SMALL, "size query");
    unsigned char *buf = fz_alloc(need);
    hogfeat_status st = save(model, buf, need, &got);
    FZ_CHECK(st == HOGFEAT_OK && got == need, "save: %s", hogfeat_status_name(st));
    *out_size = need;
    return buf;
}

static void same_bytes(const unsigned char *a, size_t an, const unsigned char *b, size_t bn, const char *what)
{
    FZ_CHECK(an == bn, "%s: re-save is %zu bytes, first save %zu", what, bn, an);
    for (size_t i = 0; i < an; i++)
        FZ_CHECK(a[i] == b[i], "%s: re-save differs at byte %zu of %zu", what, i, an);
}

static void check_svm(const hogfeat_linsvm *m, const float *x, size_t n, size_t d)
{
    size_t n1, n2;
    unsigned char *b1 = save_bytes(save_svm, m, &n1);
    hogfeat_linsvm *l = NULL;
    hogfeat_status st = hogfeat_linsvm_load(b1, n1, NULL, &l);
    FZ_CHECK(st == HOGFEAT_OK, "a trained SVM does not load back: %s", hogfeat_status_name(st));
    unsigned char *b2 = save_bytes(save_svm, l, &n2);
    same_bytes(b1, n1, b2, n2, "linsvm");
    int32_t k = hogfeat_linsvm_num_classes(m);
    FZ_CHECK(k == hogfeat_linsvm_num_classes(l) && d == hogfeat_linsvm_num_features(l), "shape changed");
    size_t cap = n * (size_t)k;
    float *s1 = fz_alloc(cap * sizeof *s1), *s2 = fz_alloc(cap * sizeof *s2);
    FZ_CHECK(hogfeat_linsvm_decision_function(m, x, n, d, d, s1, cap) == HOGFEAT_OK &&
                 hogfeat_linsvm_decision_function(l, x, n, d, d, s2, cap) == HOGFEAT_OK,
             "decision_function");
    FZ_CHECK(memcmp(s1, s2, cap * sizeof *s1) == 0, "decision values changed by the round trip");
    int32_t *p1 = fz_alloc(n * sizeof *p1), *p2 = fz_alloc(n * sizeof *p2);
    hogfeat_status a = hogfeat_linsvm_predict(m, x, n, d, d, p1), b = hogfeat_linsvm_predict(l, x, n, d, d, p2);
    FZ_CHECK(a == b, "predict: %s before, %s after", hogfeat_status_name(a), hogfeat_status_name(b));
    FZ_CHECK(a != HOGFEAT_OK || memcmp(p1, p2, n * sizeof *p1) == 0, "predictions changed by the round trip");
    free(s1);
    free(s2);
    free(p1);
    free(p2);
    free(b1);
    free(b2);
    hogfeat_linsvm_destroy(l);
}

static void check_knn(const hogfeat_knn *m, const float *x, size_t n, size_t d)
{
    size_t n1, n2;
    unsigned char *b1 = save_bytes(save_knn, m, &n1);
    hogfeat_knn *l = NULL;
    hogfeat_status st = hogfeat_knn_load(b1, n1, NULL, &l);
    FZ_CHECK(st == HOGFEAT_OK, "a fitted KNN does not load back: %s", hogfeat_status_name(st));
    unsigned char *b2 = save_bytes(save_knn, l, &n2);
    same_bytes(b1, n1, b2, n2, "knn");
    int32_t *p1 = fz_alloc(n * sizeof *p1), *p2 = fz_alloc(n * sizeof *p2);
    hogfeat_status a = hogfeat_knn_predict(m, x, n, d, d, p1), b = hogfeat_knn_predict(l, x, n, d, d, p2);
    FZ_EXPECT_STATUS(a, "hogfeat_knn_predict", HOGFEAT_OK);
    FZ_CHECK(a == b && memcmp(p1, p2, n * sizeof *p1) == 0, "KNN predictions changed by the round trip");
    free(p1);
    free(p2);
    free(b1);
    free(b2);
    hogfeat_knn_destroy(l);
}

static void check_pipeline(const hogfeat_pipeline *p)
{
    size_t n1, n2;
    unsigned char *b1 = save_bytes(save_pipe, p, &n1);
    hogfeat_pipeline *l = NULL;
    hogfeat_status st = hogfeat_pipeline_load(b1, n1, NULL, &l);
    FZ_CHECK(st == HOGFEAT_OK, "a pipeline does not load back: %s", hogfeat_status_name(st));
    unsigned char *b2 = save_bytes(save_pipe, l, &n2);
    same_bytes(b1, n1, b2, n2, "pipeline");
    FZ_CHECK(hogfeat_pipeline_blur(p) == hogfeat_pipeline_blur(l) &&
                 hogfeat_pipeline_resize_width(p) == hogfeat_pipeline_resize_width(l) &&
                 hogfeat_pipeline_resize_height(p) == hogfeat_pipeline_resize_height(l),
             "preprocessing changed by the round trip");
    /* The classifier alone loads from a pipeline file and saves as a bare model. */
    if (hogfeat_pipeline_linsvm(p)) {
        hogfeat_linsvm *s = NULL;
        FZ_CHECK(hogfeat_linsvm_load(b1, n1, NULL, &s) == HOGFEAT_OK, "linsvm from a pipeline file");
        size_t n3, n4;
        unsigned char *b3 = save_bytes(save_svm, s, &n3), *b4 = save_bytes(save_svm, hogfeat_pipeline_linsvm(p), &n4);
        same_bytes(b3, n3, b4, n4, "linsvm inside a pipeline");
        free(b3);
        free(b4);
        hogfeat_linsvm_destroy(s);
    }
    free(b1);
    free(b2);
    hogfeat_pipeline_destroy(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    const int kind = (int)fz_range(&r, 0, 3);
    const int svm = kind == KIND_SVM || kind == KIND_PIPE_SVM;
    const size_t n = fz_range(&r, 1, 24), d = fz_range(&r, 1, 12);
    const uint8_t flags = fz_u8(&r); /* bit 0: raw float bits; 1: raw labels; 2: class weights */
    const uint32_t classes = fz_range(&r, 1, 6);

    int32_t *labels = fz_alloc(n * sizeof *labels);
    for (size_t i = 0; i < n; i++)
        labels[i] = (flags & 2) ? fz_i32(&r) : (int32_t)fz_range(&r, 0, classes - 1) - 1;
    float *x = fz_alloc(n * d * sizeof *x);
    for (size_t i = 0; i < n * d; i++)
        x[i] = (flags & 1) ? fz_f32_bits(&r) : fz_f32_tame(&r);

    hogfeat_linsvm *sm = NULL;
    hogfeat_knn *km = NULL;
    hogfeat_status st;
    if (svm) {
        hogfeat_linsvm_params *p = NULL;
        FZ_CHECK(hogfeat_linsvm_params_create(&p) == HOGFEAT_OK, "params");
        static const double cs[] = {1e-6, 0.01, 0.1, 1.0, 10.0, 1e4, 1e12};
        static const double biases[] = {0.0, 1.0, 0.5, 100.0};
        FZ_CHECK(hogfeat_linsvm_params_set_loss(p, (hogfeat_svm_loss)fz_range(&r, 1, 2)) == HOGFEAT_OK, "loss");
        FZ_CHECK(hogfeat_linsvm_params_set_c(p, cs[fz_range(&r, 0, 6)]) == HOGFEAT_OK, "c");
        FZ_CHECK(hogfeat_linsvm_params_set_bias(p, biases[fz_range(&r, 0, 3)]) == HOGFEAT_OK, "bias");
        FZ_CHECK(hogfeat_linsvm_params_set_tolerance(p, 0.001 + fz_u8(&r) / 256.0) == HOGFEAT_OK, "tolerance");
        FZ_CHECK(hogfeat_linsvm_params_set_max_iterations(p, (int32_t)fz_range(&r, 1, 40)) == HOGFEAT_OK, "iters");
        FZ_CHECK(hogfeat_linsvm_params_set_seed(p, fz_i32(&r)) == HOGFEAT_OK, "seed");
        FZ_CHECK(hogfeat_linsvm_params_set_threads(p, (int32_t)fz_range(&r, 1, 2)) == HOGFEAT_OK, "threads");
        if (flags & 4)
            FZ_CHECK(hogfeat_linsvm_params_set_class_weight(p, labels[0], 0.25 + fz_u8(&r) / 16.0) == HOGFEAT_OK,
                     "class weight");
        st = hogfeat_linsvm_train(p, x, n, d, d, labels, &sm);
        FZ_EXPECT_STATUS(st, "hogfeat_linsvm_train", HOGFEAT_OK, HOGFEAT_ERR_BAD_TRAINING_SET, HOGFEAT_ERR_NONFINITE,
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        hogfeat_linsvm_params_destroy(p);
    } else {
        hogfeat_knn_params *p = NULL;
        FZ_CHECK(hogfeat_knn_params_create(&p) == HOGFEAT_OK, "params");
        FZ_CHECK(hogfeat_knn_params_set_k(p, (int32_t)fz_range(&r, 1, 8)) == HOGFEAT_OK, "k");
        FZ_CHECK(hogfeat_knn_params_set_metric(p, (hogfeat_metric)fz_range(&r, 1, 4)) == HOGFEAT_OK, "metric");
        FZ_CHECK(hogfeat_knn_params_set_weighting(p, (hogfeat_knn_weighting)fz_range(&r, 1, 2)) == HOGFEAT_OK,
                 "weighting");
        FZ_CHECK(hogfeat_knn_params_set_threads(p, (int32_t)fz_range(&r, 0, 4)) == HOGFEAT_OK, "threads");
        st = hogfeat_knn_fit(p, x, n, d, d, labels, &km);
        FZ_EXPECT_STATUS(st, "hogfeat_knn_fit", HOGFEAT_OK, HOGFEAT_ERR_BAD_TRAINING_SET, HOGFEAT_ERR_NONFINITE);
        hogfeat_knn_params_destroy(p);
    }
    FZ_CHECK((st == HOGFEAT_OK) == (sm != NULL || km != NULL), "handle and %s disagree", hogfeat_status_name(st));

    if (st == HOGFEAT_OK && kind <= KIND_KNN) {
        if (sm)
            check_svm(sm, x, n, d);
        else
            check_knn(km, x, n, d);
    } else if (st == HOGFEAT_OK) {
        hogfeat_hog_config *cfg = NULL;
        FZ_CHECK(hogfeat_hog_config_create(&cfg) == HOGFEAT_OK, "config");
        /* Valid settings only: invalid ones are the HOG target's business. */
        (void)hogfeat_hog_config_set_signed_orientations(cfg, (int)fz_range(&r, 0, 1));
        (void)hogfeat_hog_config_set_orientations(cfg, (int32_t)fz_range(&r, 1, 360));
        (void)hogfeat_hog_config_set_cell_size(cfg, (int32_t)fz_range(&r, 1, 4096), (int32_t)fz_range(&r, 1, 4096));
        (void)hogfeat_hog_config_set_block_size(cfg, (int32_t)fz_range(&r, 1, 64), (int32_t)fz_range(&r, 1, 64));
        (void)hogfeat_hog_config_set_block_stride(cfg, (int32_t)fz_range(&r, 1, 64), (int32_t)fz_range(&r, 1, 64));
        (void)hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)fz_range(&r, 1, 4));
        (void)hogfeat_hog_config_set_transform_sqrt(cfg, (int)fz_range(&r, 0, 1));
        hogfeat_pipeline *p = NULL;
        FZ_CHECK(hogfeat_pipeline_create(cfg, &p) == HOGFEAT_OK, "pipeline");
        uint8_t s = fz_u8(&r);
        double sigma = s == 255 ? 64.0 : s / 16.0;
        FZ_CHECK(hogfeat_pipeline_set_blur(p, sigma) == HOGFEAT_OK, "blur %g", sigma);
        size_t rw = fz_range(&r, 0, 16384), rh = rw ? fz_range(&r, 1, 16384) : 0;
        st = hogfeat_pipeline_set_resize(p, rw, rh);
        FZ_CHECK(st == (rw * rh <= hogfeat_image_max_pixels() ? HOGFEAT_OK : HOGFEAT_ERR_LIMIT_EXCEEDED),
                 "resize %zux%zu: %s", rw, rh, hogfeat_status_name(st));
        FZ_CHECK((sm ? hogfeat_pipeline_set_linsvm(p, sm) : hogfeat_pipeline_set_knn(p, km)) == HOGFEAT_OK, "attach");
        /* The pipeline holds its own reference: drop ours before saving. */
        hogfeat_linsvm_destroy(sm);
        hogfeat_knn_destroy(km);
        sm = NULL;
        km = NULL;
        check_pipeline(p);
        hogfeat_pipeline_destroy(p);
        hogfeat_hog_config_destroy(cfg);
    }
    hogfeat_linsvm_destroy(sm);
    hogfeat_knn_destroy(km);
    free(labels);
    free(x);
    return 0;
}
