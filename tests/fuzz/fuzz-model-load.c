/* Fuzz target: the model file readers hogfeat_linsvm_load, hogfeat_knn_load
 * and hogfeat_pipeline_load on arbitrary bytes.
 *
 * Each input is tried as is and, when it is long enough for a header and a
 * checksum, once more with its declared length and CRC-32 trailer made
 * right, so mutations reach the section parsers instead of all stopping at
 * the checksum. Invariants: statuses are the documented ones; a file is a
 * pipeline only if it also holds exactly one classifier; whatever loads
 * re-saves, re-loads and re-saves to the same bytes, and predicts. */
#include <math.h>
#include <zlib.h>

#include "fuzz-common.h"

#define LOAD_STATUSES                                                                               \
    HOGFEAT_OK, HOGFEAT_ERR_CORRUPT_DATA, HOGFEAT_ERR_CHECKSUM, HOGFEAT_ERR_VERSION_MISMATCH,        \
        HOGFEAT_ERR_MODEL_KIND, HOGFEAT_ERR_LIMIT_EXCEEDED, HOGFEAT_ERR_NONFINITE, HOGFEAT_ERR_OUT_OF_MEMORY

typedef hogfeat_status (*save_fn)(const void *model, void *buffer, size_t capacity, size_t *out_size);
typedef hogfeat_status (*load_fn)(const void *data, size_t size, const hogfeat_limits *limits, void **out);
typedef void (*destroy_fn)(void *model);

static hogfeat_status save_svm(const void *m, void *b, size_t c, size_t *o) { return hogfeat_linsvm_save(m, b, c, o); }
static hogfeat_status save_knn(const void *m, void *b, size_t c, size_t *o) { return hogfeat_knn_save(m, b, c, o); }
static hogfeat_status save_pipe(const void *m, void *b, size_t c, size_t *o) { return hogfeat_pipeline_save(m, b, c, o); }
static hogfeat_status load_svm(const void *d, size_t n, const hogfeat_limits *l, void **o)
{
    return hogfeat_linsvm_load(d, n, l, (hogfeat_linsvm **)o);
}
static hogfeat_status load_knn(const void *d, size_t n, const hogfeat_limits *l, void **o)
{
    return hogfeat_knn_load(d, n, l, (hogfeat_knn **)o);
}
static hogfeat_status load_pipe(const void *d, size_t n, const hogfeat_limits *l, void **o)
{
    return hogfeat_pipeline_load(d, n, l, (hogfeat_pipeline **)o);
}
static void destroy_svm(void *m) { hogfeat_linsvm_destroy(m); }
static void destroy_knn(void *m) { hogfeat_knn_destroy(m); }
static void destroy_pipe(void *m) { hogfeat_pipeline_destroy(m); }

/* Serialises model (size query, then a second call into an exact buffer). */
static unsigned char *save_bytes(save_fn save, const void *model, size_t *out_size, const char *what)
{
    size_t need = 0;
    hogfeat_status st = save(model, NULL, 0, &need);
    FZ_CHECK(st == HOGFEAT_ERR_BUFFER_TOO_SMALL && need >= 28, "%s size query: %s, %zu bytes", what,
             hogfeat_status_name(st), need);
    unsigned char *buf = fz_alloc(need);
    size_t got = 0;
    if (need > 1) {
        st = save(model, buf, need - 1, &got);
        FZ_CHECK(st == HOGFEAT_ERR_BUFFER_TOO_SMALL && got == need, "%s into a short buffer: %s", what,
                 hogfeat_status_name(st));
    }
    st = save(model, buf, need, &got);
    FZ_CHECK(st == HOGFEAT_OK && got == need, "%s: %s, %zu of %zu bytes", what, hogfeat_status_name(st), got, need);
    *out_size = need;
    return buf;
}

/* save -> load -> save gives the same bytes. */
static void check_resave(const void *model, save_fn save, load_fn load, destroy_fn destroy, const char *what)
{
    size_t n1, n2;
    unsigned char *b1 = save_bytes(save, model, &n1, what);
    void *again = NULL;
    hogfeat_status st = load(b1, n1, NULL, &again);
    FZ_CHECK(st == HOGFEAT_OK, "%s: a saved model does not load back: %s", what, hogfeat_status_name(st));
    unsigned char *b2 = save_bytes(save, again, &n2, what);
    FZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "%s: save -> load -> save changed the bytes (%zu vs %zu)", what,
             n1, n2);
    destroy(again);
    free(b1);
    free(b2);
}

static void exercise_svm(const hogfeat_linsvm *m)
{
    size_t d = hogfeat_linsvm_num_features(m);
    int32_t k = hogfeat_linsvm_num_classes(m);
    FZ_CHECK(k >= 2 && d >= 1, "loaded SVM has %d classes, %zu features", (int)k, d);
    if (d > 4096)
        return;
    float *x = fz_alloc(d * sizeof *x);
    memset(x, 0, d * sizeof *x);
    int32_t label = 0;
    hogfeat_status st = hogfeat_linsvm_predict(m, x, 1, d, d, &label);
    FZ_EXPECT_STATUS(st, "hogfeat_linsvm_predict", HOGFEAT_OK, HOGFEAT_ERR_NONFINITE);
    if (st == HOGFEAT_OK) {
        int32_t labels[64];
        if ((size_t)k <= 64) {
            FZ_CHECK(hogfeat_linsvm_get_labels(m, labels, 64) == HOGFEAT_OK, "get_labels");
            int found = 0;
            for (int32_t i = 0; i < k; i++)
                found |= labels[i] == label;
            FZ_CHECK(found, "predicted label %d is not one of the model's classes", (int)label);
        }
    }
    st = hogfeat_linsvm_predict(m, x, 1, d + 1, d + 1, &label);
    FZ_CHECK(st == HOGFEAT_ERR_DIMENSION_MISMATCH, "wrong dimension gave %s", hogfeat_status_name(st));
    free(x);
}

static void exercise_knn(const hogfeat_knn *m)
{
    size_t d = hogfeat_knn_num_features(m), n = hogfeat_knn_num_samples(m);
    FZ_CHECK(d >= 1 && n >= 1 && hogfeat_knn_k(m) >= 1 && (size_t)hogfeat_knn_k(m) <= n, "loaded KNN: %zu x %zu, k %d",
             n, d, (int)hogfeat_knn_k(m));
    if (d > 4096 || n * d > 65536)
        return;
    float *x = fz_alloc(d * sizeof *x);
    memset(x, 0, d * sizeof *x);
    int32_t label = 0;
    hogfeat_status st = hogfeat_knn_predict(m, x, 1, d, d, &label);
    FZ_EXPECT_STATUS(st, "hogfeat_knn_predict", HOGFEAT_OK);
    size_t idx[4];
    float dist[4];
    int32_t k = hogfeat_knn_k(m) < 4 ? hogfeat_knn_k(m) : 4;
    st = hogfeat_knn_kneighbors(m, x, 1, d, d, k, idx, dist, 4);
    FZ_EXPECT_STATUS(st, "hogfeat_knn_kneighbors", HOGFEAT_OK);
    for (int32_t i = 0; i < k; i++) {
        FZ_CHECK(idx[i] < n, "neighbour index %zu of %zu rows", idx[i], n);
        FZ_CHECK(!(dist[i] < 0.0f) && dist[i] == dist[i], "neighbour distance %g", (double)dist[i]);
        FZ_CHECK(i == 0 || !(dist[i] < dist[i - 1]), "neighbours out of order");
    }
    free(x);
}

static void exercise_pipeline(const hogfeat_pipeline *p)
{
    const hogfeat_linsvm *svm = hogfeat_pipeline_linsvm(p);
    const hogfeat_knn *knn = hogfeat_pipeline_knn(p);
    FZ_CHECK((svm != NULL) != (knn != NULL), "a loaded pipeline holds %s", svm ? "two classifiers" : "none");
    /* Describe a small image only when the work stays small. */
    size_t rw = hogfeat_pipeline_resize_width(p), rh = hogfeat_pipeline_resize_height(p);
    if (rw * rh > 4096 || hogfeat_pipeline_blur(p) > 8.0)
        return;
    const size_t w = 24, h = 20;
    size_t len = 0;
    hogfeat_status st = hogfeat_pipeline_feature_length(p, w, h, &len);
    /* An RBF map drawn for another image size gives DIMENSION_MISMATCH. */
    FZ_EXPECT_STATUS(st, "hogfeat_pipeline_feature_length", HOGFEAT_OK, HOGFEAT_ERR_IMAGE_TOO_SMALL,
                     HOGFEAT_ERR_DIMENSION_MISMATCH);
    if (st != HOGFEAT_OK || len > 200000)
        return;
    unsigned char px[24 * 20];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (unsigned char)(i * 37 + (i / w) * 11);
    hogfeat_image *img = NULL;
    FZ_CHECK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, w, h, 0, &img) == HOGFEAT_OK, "wrap");
    float *f = fz_alloc(len * sizeof *f);
    st = hogfeat_pipeline_extract(p, img, f, len);
    FZ_EXPECT_STATUS(st, "hogfeat_pipeline_extract", HOGFEAT_OK);
    /* HOG values lie in [0, 1], and so do their square roots; LBP counts and
     * the other maps' values are only finite. */
    int only_hog = 1;
    for (size_t i = 0; i < hogfeat_pipeline_num_descriptors(p); i++)
        only_hog &= hogfeat_pipeline_descriptor_kind(p, i) == HOGFEAT_DESCRIPTOR_HOG;
    const int map = hogfeat_pipeline_feature_map(p);
    const int unit = only_hog && (map == HOGFEAT_FEATURE_MAP_NONE || map == HOGFEAT_FEATURE_MAP_HELLINGER);
    for (size_t i = 0; i < len; i++) {
        FZ_CHECK(isfinite(f[i]), "feature %zu is %g", i, (double)f[i]);
        FZ_CHECK(!unit || (f[i] >= 0.0f && f[i] <= 1.0001f), "feature %zu is %g", i, (double)f[i]);
    }
    int32_t label;
    st = hogfeat_pipeline_predict(p, img, &label);
    FZ_EXPECT_STATUS(st, "hogfeat_pipeline_predict", HOGFEAT_OK, HOGFEAT_ERR_DIMENSION_MISMATCH,
                     HOGFEAT_ERR_NONFINITE);
    free(f);
    hogfeat_image_destroy(img);
}

static void load_all(const uint8_t *data, size_t size)
{
    hogfeat_linsvm *svm = (hogfeat_linsvm *)(uintptr_t)1;
    hogfeat_knn *knn = (hogfeat_knn *)(uintptr_t)1;
    hogfeat_pipeline *pipe = (hogfeat_pipeline *)(uintptr_t)1;
    hogfeat_status st_svm = hogfeat_linsvm_load(data, size, NULL, &svm);
    FZ_EXPECT_STATUS(st_svm, "hogfeat_linsvm_load", LOAD_STATUSES);
    hogfeat_status st_knn = hogfeat_knn_load(data, size, NULL, &knn);
    FZ_EXPECT_STATUS(st_knn, "hogfeat_knn_load", LOAD_STATUSES);
    hogfeat_status st_pipe = hogfeat_pipeline_load(data, size, NULL, &pipe);
    FZ_EXPECT_STATUS(st_pipe, "hogfeat_pipeline_load", LOAD_STATUSES);
    FZ_CHECK((st_svm == HOGFEAT_OK) == (svm != NULL), "linsvm handle %p with %s", (void *)svm,
             hogfeat_status_name(st_svm));
    FZ_CHECK((st_knn == HOGFEAT_OK) == (knn != NULL), "knn handle with %s", hogfeat_status_name(st_knn));
    FZ_CHECK((st_pipe == HOGFEAT_OK) == (pipe != NULL), "pipeline handle with %s", hogfeat_status_name(st_pipe));
    /* A file is valid for all readers or none: one classifier loads, the other is the wrong kind. */
    FZ_CHECK(!(st_svm == HOGFEAT_OK && st_knn != HOGFEAT_ERR_MODEL_KIND), "SVM loads, KNN load says %s",
             hogfeat_status_name(st_knn));
    FZ_CHECK(!(st_knn == HOGFEAT_OK && st_svm != HOGFEAT_ERR_MODEL_KIND), "KNN loads, SVM load says %s",
             hogfeat_status_name(st_svm));
    FZ_CHECK(!(st_pipe == HOGFEAT_OK && st_svm != HOGFEAT_OK && st_knn != HOGFEAT_OK),
             "the pipeline loads but neither classifier does (%s, %s)", hogfeat_status_name(st_svm),
             hogfeat_status_name(st_knn));
    if (svm) {
        exercise_svm(svm);
        check_resave(svm, save_svm, load_svm, destroy_svm, "linsvm");
    }
    if (knn) {
        exercise_knn(knn);
        check_resave(knn, save_knn, load_knn, destroy_knn, "knn");
    }
    if (pipe) {
        exercise_pipeline(pipe);
        check_resave(pipe, save_pipe, load_pipe, destroy_pipe, "pipeline");
    }
    hogfeat_linsvm_destroy(svm);
    hogfeat_knn_destroy(knn);
    hogfeat_pipeline_destroy(pipe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all(data, size);
    /* Header (24 bytes) and CRC trailer (4): make the length and CRC right. */
    if (size >= 28) {
        unsigned char *fixed = fz_alloc(size);
        memcpy(fixed, data, size);
        uint64_t n = size;
        for (int i = 0; i < 8; i++)
            fixed[16 + i] = (unsigned char)(n >> (8 * i));
        uLong crc = crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(size - 4));
        for (int i = 0; i < 4; i++)
            fixed[size - 4 + i] = (unsigned char)(crc >> (8 * i));
        if (memcmp(fixed, data, size) != 0)
            load_all(fixed, size);
        free(fixed);
    }
    return 0;
}
