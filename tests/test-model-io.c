/* Model file format (docs/model-format.md): round trips of SVM, KNN and
 * pipelines with byte-identical re-saves, the exact bytes of a tiny file,
 * and hostile input: every prefix, every single-bit flip, bad magic and
 * versions, forged counts with recomputed CRCs, non-finite values, unknown
 * sections, limits, NULL arguments, short buffers and allocation failures. */
#include "common.h"

#include <zlib.h>

#include "private.h"

/* ---- byte helpers ------------------------------------------------------------- */

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void putf32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(p, u);
}

static void putf64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put64(p, u);
}

/* Recomputes the CRC-32 trailer after a deliberate edit. */
static void fix_crc(unsigned char *buf, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, buf, (uInt)(size - 4));
    put32(buf + size - 4, (uint32_t)crc);
}

/* Offset of the payload of the section with this tag, and its length; 0 if absent. */
static size_t find_section(const unsigned char *buf, size_t size, const char *tag, size_t *out_len)
{
    size_t pos = 24;
    while (pos + 16 <= size - 4) {
        uint64_t len = get64(buf + pos + 8);
        if (memcmp(buf + pos, tag, 4) == 0) {
            *out_len = (size_t)len;
            return pos + 16;
        }
        pos += 16 + (size_t)len;
    }
    return 0;
}

/* ---- models ------------------------------------------------------------------ */

static hogfeat_linsvm *make_svm(int32_t k, size_t dim, uint64_t seed)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(k, dim, &m), HOGFEAT_OK);
    test_rng rng = test_rng_seed(seed);
    for (int32_t i = 0; i < k; i++)
        m->labels[i] = 7 * i - 9;
    for (size_t i = 0; i < m->num_vectors * (dim + 1); i++)
        m->weights[i] = 4.0f * test_rng_float(&rng) - 2.0f;
    m->weights[0] = -0.0f; /* the sign of zero survives too */
    m->bias = 1.25;
    m->loss = HOGFEAT_SVM_LOSS_HINGE;
    m->c = 0.37;
    m->tolerance = 1e-3;
    m->max_iterations = 777;
    return m;
}

static hogfeat_knn *make_knn(size_t n, size_t dim, uint64_t seed)
{
    hogfeat_knn *m = NULL;
    ck_assert_int_eq(hogfeat__knn_new(n, dim, &m), HOGFEAT_OK);
    test_rng rng = test_rng_seed(seed);
    for (size_t i = 0; i < n * dim; i++)
        m->features[i] = test_rng_float(&rng);
    for (size_t i = 0; i < n; i++)
        m->labels[i] = (int32_t)(i % 3) * 11 - 4;
    m->k = 3;
    m->metric = HOGFEAT_METRIC_COSINE;
    m->weighting = HOGFEAT_KNN_DISTANCE;
    m->threads = 2;
    ck_assert_int_eq(hogfeat__knn_prepare(m), HOGFEAT_OK);
    return m;
}

#define PIPE_W 40
#define PIPE_H 36

/* A pipeline with every setting off its default; classifier attached by the caller. */
static hogfeat_pipeline *make_pipeline(void)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 12), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, 6, 5), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, 2, 3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_stride(cfg, 2, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(cfg, HOGFEAT_NORM_L1_SQRT), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, 1), HOGFEAT_OK);
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    hogfeat_hog_config_destroy(cfg);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.7), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, PIPE_W, PIPE_H), HOGFEAT_OK);
    return p;
}

static size_t pipeline_dim(const hogfeat_pipeline *p)
{
    size_t d = 0;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, PIPE_W, PIPE_H, &d), HOGFEAT_OK);
    return d;
}

/* ---- save helpers ---------------------------------------------------------------- */

typedef enum kind { K_SVM, K_KNN, K_PIPE } kind;

static hogfeat_status save_any(kind k, const void *model, void *buf, size_t cap, size_t *out)
{
    switch (k) {
    case K_SVM: return hogfeat_linsvm_save(model, buf, cap, out);
    case K_KNN: return hogfeat_knn_save(model, buf, cap, out);
    default: return hogfeat_pipeline_save(model, buf, cap, out);
    }
}

/* Saves through the size query; the caller frees. */
static unsigned char *save_bytes(kind k, const void *model, size_t *out_size)
{
    size_t need = 0;
    ck_assert_int_eq(save_any(k, model, NULL, 0, &need), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_gt(need, 28);
    unsigned char *buf = malloc(need);
    ck_assert_ptr_nonnull(buf);
    size_t written = 0;
    ck_assert_int_eq(save_any(k, model, buf, need, &written), HOGFEAT_OK);
    ck_assert_uint_eq(written, need);
    *out_size = need;
    return buf;
}

/* Loads with the loader of kind k; the handle goes to *out (destroy with destroy_any). */
static hogfeat_status load_any(kind k, const void *data, size_t size, const hogfeat_limits *lim, void **out)
{
    switch (k) {
    case K_SVM: return hogfeat_linsvm_load(data, size, lim, (hogfeat_linsvm **)out);
    case K_KNN: return hogfeat_knn_load(data, size, lim, (hogfeat_knn **)out);
    default: return hogfeat_pipeline_load(data, size, lim, (hogfeat_pipeline **)out);
    }
}

static void destroy_any(kind k, void *h)
{
    switch (k) {
    case K_SVM: hogfeat_linsvm_destroy(h); break;
    case K_KNN: hogfeat_knn_destroy(h); break;
    default: hogfeat_pipeline_destroy(h); break;
    }
}

/* Loads, expects status want; on success re-saves and compares bytes. */
static void expect_load(kind k, const unsigned char *buf, size_t size, const hogfeat_limits *lim,
                        hogfeat_status want)
{
    void *h = (void *)(uintptr_t)1;
    hogfeat_status st = load_any(k, buf, size, lim, &h);
    ck_assert_msg(st == want, "load gave %s (%s), want %s", hogfeat_status_name(st), hogfeat_last_error_message(),
                  hogfeat_status_name(want));
    if (st != HOGFEAT_OK)
        ck_assert_ptr_null(h);
    else
        destroy_any(k, h);
}

/* ---- round trips ---------------------------------------------------------------------- */

static void check_svm_equal(const hogfeat_linsvm *a, const hogfeat_linsvm *b)
{
    ck_assert_int_eq(a->num_classes, b->num_classes);
    ck_assert_uint_eq(a->num_features, b->num_features);
    ck_assert_uint_eq(a->num_vectors, b->num_vectors);
    ck_assert_int_eq(memcmp(a->labels, b->labels, (size_t)a->num_classes * 4), 0);
    ck_assert_int_eq(memcmp(a->weights, b->weights, a->num_vectors * (a->num_features + 1) * 4), 0);
    ck_assert_int_eq(memcmp(&a->bias, &b->bias, 8), 0);
    ck_assert_int_eq(memcmp(&a->c, &b->c, 8), 0);
    ck_assert_int_eq(memcmp(&a->tolerance, &b->tolerance, 8), 0);
    ck_assert_int_eq(a->max_iterations, b->max_iterations);
    ck_assert_int_eq(a->loss, b->loss);
}

static void svm_round_trip(int32_t k, size_t dim)
{
    hogfeat_linsvm *m = make_svm(k, dim, (uint64_t)k * 100 + dim);
    size_t size;
    unsigned char *bytes = save_bytes(K_SVM, m, &size);
    ck_assert_uint_eq(size, 24 + 16 + 56 + 4 * (size_t)k + 4 * m->num_vectors * (dim + 1) + 4);
    hogfeat_linsvm *l = NULL;
    ck_assert_int_eq(hogfeat_linsvm_load(bytes, size, NULL, &l), HOGFEAT_OK);
    check_svm_equal(m, l);
    size_t size2;
    unsigned char *again = save_bytes(K_SVM, l, &size2);
    ck_assert_uint_eq(size, size2);
    ck_assert_int_eq(memcmp(bytes, again, size), 0);

    /* Same decisions and predictions on random rows. */
    enum { ROWS = 16 };
    test_rng rng = test_rng_seed(77);
    float *x = malloc(ROWS * dim * sizeof *x);
    for (size_t i = 0; i < ROWS * dim; i++)
        x[i] = test_rng_float(&rng) - 0.5f;
    size_t ns = ROWS * (size_t)k;
    float *s1 = malloc(ns * sizeof *s1), *s2 = malloc(ns * sizeof *s2);
    int32_t p1[ROWS], p2[ROWS];
    ck_assert_int_eq(hogfeat_linsvm_decision_function(m, x, ROWS, dim, dim, s1, ns), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_decision_function(l, x, ROWS, dim, dim, s2, ns), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(s1, s2, ns * sizeof *s1), 0);
    ck_assert_int_eq(hogfeat_linsvm_predict(m, x, ROWS, dim, dim, p1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_predict(l, x, ROWS, dim, dim, p2), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(p1, p2, sizeof p1), 0);
    free(x);
    free(s1);
    free(s2);
    free(bytes);
    free(again);
    hogfeat_linsvm_destroy(l);
    hogfeat_linsvm_destroy(m);
}

START_TEST(test_svm_round_trip)
{
    svm_round_trip(2, 1);
    svm_round_trip(2, 37);
    svm_round_trip(5, 64);
}
END_TEST

START_TEST(test_knn_round_trip)
{
    hogfeat_knn *m = make_knn(20, 9, 3);
    size_t size;
    unsigned char *bytes = save_bytes(K_KNN, m, &size);
    ck_assert_uint_eq(size, 24 + 16 + 32 + 20 * 4 + 20 * 9 * 4 + 4);
    hogfeat_knn *l = NULL;
    ck_assert_int_eq(hogfeat_knn_load(bytes, size, NULL, &l), HOGFEAT_OK);
    ck_assert_int_eq(l->k, 3);
    ck_assert_int_eq(l->metric, HOGFEAT_METRIC_COSINE);
    ck_assert_int_eq(l->weighting, HOGFEAT_KNN_DISTANCE);
    ck_assert_int_eq(l->threads, 2);
    ck_assert_uint_eq(l->num_samples, 20);
    ck_assert_uint_eq(l->num_features, 9);
    ck_assert_int_eq(memcmp(l->features, m->features, 20 * 9 * 4), 0);
    ck_assert_int_eq(memcmp(l->labels, m->labels, 20 * 4), 0);
    ck_assert_int_eq(hogfeat_knn_num_classes(l), 3); /* derived state rebuilt */
    size_t size2;
    unsigned char *again = save_bytes(K_KNN, l, &size2);
    ck_assert_uint_eq(size, size2);
    ck_assert_int_eq(memcmp(bytes, again, size), 0);
    test_rng rng = test_rng_seed(5);
    float q[8 * 9];
    for (int i = 0; i < 8 * 9; i++)
        q[i] = test_rng_float(&rng);
    int32_t a[8], b[8];
    ck_assert_int_eq(hogfeat_knn_predict(m, q, 8, 9, 9, a), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_predict(l, q, 8, 9, 9, b), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    free(bytes);
    free(again);
    hogfeat_knn_destroy(l);
    hogfeat_knn_destroy(m);
}
END_TEST

static void pipeline_round_trip(int with_knn)
{
    hogfeat_pipeline *p = make_pipeline();
    size_t dim = pipeline_dim(p);
    if (with_knn) {
        hogfeat_knn *knn = make_knn(4, dim, 9);
        ck_assert_int_eq(hogfeat_pipeline_set_knn(p, knn), HOGFEAT_OK);
        hogfeat_knn_destroy(knn);
    } else {
        hogfeat_linsvm *svm = make_svm(3, dim, 4);
        ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
        hogfeat_linsvm_destroy(svm);
    }
    size_t size;
    unsigned char *bytes = save_bytes(K_PIPE, p, &size);
    hogfeat_pipeline *l = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load(bytes, size, NULL, &l), HOGFEAT_OK);
    const hogfeat_hog_config *c = hogfeat_pipeline_hog_config(l);
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(c), 12);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(c), 6);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_height(c), 5);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(c), 2);
    ck_assert_int_eq(hogfeat_hog_config_get_block_height(c), 3);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_x(c), 2);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_y(c), 1);
    ck_assert_int_eq(hogfeat_hog_config_get_block_norm(c), HOGFEAT_NORM_L1_SQRT);
    ck_assert_int_eq(hogfeat_hog_config_get_transform_sqrt(c), 1);
    ck_assert_int_eq(hogfeat_hog_config_get_signed_orientations(c), 1);
    ck_assert_double_eq(hogfeat_pipeline_blur(l), 1.7);
    ck_assert_uint_eq(hogfeat_pipeline_resize_width(l), PIPE_W);
    ck_assert_uint_eq(hogfeat_pipeline_resize_height(l), PIPE_H);
    /* The derived orientation tables match too: the whole config struct is equal. */
    ck_assert_int_eq(memcmp(&l->hog, &p->hog, sizeof p->hog), 0);
    ck_assert(with_knn ? hogfeat_pipeline_knn(l) != NULL : hogfeat_pipeline_linsvm(l) != NULL);
    ck_assert(with_knn ? hogfeat_pipeline_linsvm(l) == NULL : hogfeat_pipeline_knn(l) == NULL);
    size_t size2;
    unsigned char *again = save_bytes(K_PIPE, l, &size2);
    ck_assert_uint_eq(size, size2);
    ck_assert_int_eq(memcmp(bytes, again, size), 0);

    /* Same descriptors and labels on raw images of various sizes. */
    test_rng rng = test_rng_seed(21);
    for (int i = 0; i < 6; i++) {
        hogfeat_image *img = test_random_image(&rng, i % 2 ? HOGFEAT_FORMAT_U8_RGB : HOGFEAT_FORMAT_F32_GRAY,
                                               30 + (size_t)i * 7, 50 - (size_t)i * 3);
        float *f1 = malloc(dim * sizeof *f1), *f2 = malloc(dim * sizeof *f2);
        ck_assert_int_eq(hogfeat_pipeline_extract(p, img, f1, dim), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_extract(l, img, f2, dim), HOGFEAT_OK);
        ck_assert_int_eq(memcmp(f1, f2, dim * sizeof *f1), 0);
        int32_t a = 0, b = 1;
        ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &a), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_predict(l, img, &b), HOGFEAT_OK);
        ck_assert_int_eq(a, b);
        free(f1);
        free(f2);
        hogfeat_image_destroy(img);
    }
    /* The classifier alone loads from a pipeline file (its FEAT is ignored). */
    void *h = NULL;
    ck_assert_int_eq(load_any(with_knn ? K_KNN : K_SVM, bytes, size, NULL, &h), HOGFEAT_OK);
    destroy_any(with_knn ? K_KNN : K_SVM, h);
    /* and the other classifier kind is refused */
    expect_load(with_knn ? K_SVM : K_KNN, bytes, size, NULL, HOGFEAT_ERR_MODEL_KIND);
    free(bytes);
    free(again);
    hogfeat_pipeline_destroy(l);
    hogfeat_pipeline_destroy(p);
}

START_TEST(test_pipeline_round_trip)
{
    pipeline_round_trip(0);
    pipeline_round_trip(1);
}
END_TEST

/* The exact bytes of a tiny model, written field by field here, pin the format. */
START_TEST(test_exact_bytes)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(2, 1, &m), HOGFEAT_OK);
    m->labels[0] = -1;
    m->labels[1] = 3;
    m->weights[0] = 0.5f;
    m->weights[1] = -0.25f;
    m->bias = 1.0;
    m->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    m->c = 2.0;
    m->tolerance = 0.1;
    m->max_iterations = 1000;
    unsigned char want[116];
    memset(want, 0, sizeof want);
    memcpy(want, "\x89HOG\r\n\x1a\n", 8);
    want[8] = 1;     /* major 1 */
    want[10] = 1;    /* minor 1 */
    put32(want + 12, 0);
    put64(want + 16, 116);
    memcpy(want + 24, "LSVM", 4);
    put32(want + 28, 1); /* critical */
    put64(want + 32, 116 - 24 - 16 - 4);
    put64(want + 40, 2); /* K */
    put64(want + 48, 1); /* D */
    put32(want + 56, (uint32_t)-1);
    put32(want + 60, 3);
    put32(want + 64, 1); /* loss */
    putf64(want + 68, 2.0);
    putf64(want + 76, 0.1);
    put32(want + 84, 1000);
    putf64(want + 88, 1.0);
    put64(want + 96, 1); /* vectors */
    putf32(want + 104, 0.5f);
    putf32(want + 108, -0.25f);
    fix_crc(want, sizeof want);
    size_t size;
    unsigned char *got = save_bytes(K_SVM, m, &size);
    ck_assert_uint_eq(size, sizeof want);
    for (size_t i = 0; i < size; i++)
        ck_assert_msg(got[i] == want[i], "byte %zu: %02x, want %02x", i, got[i], want[i]);
    /* The CRC as printed in docs/model-format.md. */
    ck_assert_uint_eq(get32(got + 112), 0xbb72d16au);
    free(got);
    hogfeat_linsvm_destroy(m);
}
END_TEST

/* ---- hostile input -------------------------------------------------------------------------- */

/* Small valid files of each kind; the caller frees. */
static unsigned char *small_file(kind k, size_t *size)
{
    unsigned char *bytes;
    if (k == K_SVM) {
        hogfeat_linsvm *m = make_svm(3, 4, 1);
        bytes = save_bytes(K_SVM, m, size);
        hogfeat_linsvm_destroy(m);
    } else if (k == K_KNN) {
        hogfeat_knn *m = make_knn(4, 3, 2);
        bytes = save_bytes(K_KNN, m, size);
        hogfeat_knn_destroy(m);
    } else {
        hogfeat_pipeline *p = make_pipeline();
        hogfeat_linsvm *m = make_svm(2, pipeline_dim(p), 3);
        ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, m), HOGFEAT_OK);
        hogfeat_linsvm_destroy(m);
        bytes = save_bytes(K_PIPE, p, size);
        hogfeat_pipeline_destroy(p);
    }
    return bytes;
}

START_TEST(test_every_prefix)
{
    /* The length field always holds the full size, so a prefix never
     * reaches the CRC check: every one is CORRUPT_DATA. */
    for (kind k = K_SVM; k <= K_PIPE; k++) {
        size_t size;
        unsigned char *bytes = small_file(k, &size);
        for (size_t n = 0; n < size; n++) {
            unsigned char *copy = malloc(n ? n : 1); /* exact size: ASan catches over-reads */
            memcpy(copy, bytes, n);
            expect_load(k, copy, n, NULL, HOGFEAT_ERR_CORRUPT_DATA);
            free(copy);
        }
        expect_load(k, bytes, size, NULL, HOGFEAT_OK);
        free(bytes);
    }
}
END_TEST

START_TEST(test_every_bit_flip)
{
    for (kind k = K_SVM; k <= K_PIPE; k++) {
        size_t size;
        unsigned char *bytes = small_file(k, &size);
        size_t count[32] = {0};
        for (size_t i = 0; i < size; i++) {
            for (int b = 0; b < 8; b++) {
                bytes[i] ^= (unsigned char)(1u << b);
                void *h = (void *)(uintptr_t)1;
                hogfeat_status st = load_any(k, bytes, size, NULL, &h);
                ck_assert_msg(st != HOGFEAT_OK, "flipping bit %d of byte %zu still loads", b, i);
                ck_assert_ptr_null(h);
                count[st]++;
                bytes[i] ^= (unsigned char)(1u << b);
            }
        }
        /* Magic -> CORRUPT_DATA (64 bits), major -> VERSION_MISMATCH (16),
         * length -> CORRUPT_DATA (64); everything else fails the CRC. */
        ck_assert_uint_eq(count[HOGFEAT_ERR_VERSION_MISMATCH], 16);
        ck_assert_uint_eq(count[HOGFEAT_ERR_CORRUPT_DATA], 128);
        ck_assert_uint_eq(count[HOGFEAT_ERR_CHECKSUM], size * 8 - 144);
        printf("%s: %zu bit flips: %zu CORRUPT_DATA, %zu VERSION_MISMATCH, %zu CHECKSUM\n",
               k == K_SVM ? "svm" : k == K_KNN ? "knn" : "pipeline", size * 8, count[HOGFEAT_ERR_CORRUPT_DATA],
               count[HOGFEAT_ERR_VERSION_MISMATCH], count[HOGFEAT_ERR_CHECKSUM]);
        free(bytes);
    }
}
END_TEST

START_TEST(test_magic_and_versions)
{
    size_t size;
    unsigned char *bytes = small_file(K_SVM, &size);
    unsigned char *copy = malloc(size + 1);

    /* Wrong magic, even with a valid CRC. */
    memcpy(copy, bytes, size);
    memcpy(copy, "\x89HOGFEAT", 8);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "signature"));
    /* Text-mode damage: CR LF -> LF drops a byte. */
    memcpy(copy, bytes, 4);
    memcpy(copy + 4, bytes + 5, size - 5);
    expect_load(K_SVM, copy, size - 1, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "text-mode"));

    /* Major version + 1 with a recomputed CRC. */
    memcpy(copy, bytes, size);
    copy[8]++;
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_VERSION_MISMATCH);
    expect_load(K_KNN, copy, size, NULL, HOGFEAT_ERR_VERSION_MISMATCH);
    expect_load(K_PIPE, copy, size, NULL, HOGFEAT_ERR_VERSION_MISMATCH);
    /* Major 0 too. */
    copy[8] = 0;
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_VERSION_MISMATCH);

    /* Minor version + 1 and unknown header flags: still load; a re-save writes 1.0. */
    memcpy(copy, bytes, size);
    copy[10]++;
    copy[12] = 0xA5;
    fix_crc(copy, size);
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat_linsvm_load(copy, size, NULL, &m), HOGFEAT_OK);
    size_t size2;
    unsigned char *again = save_bytes(K_SVM, m, &size2);
    ck_assert_uint_eq(size2, size);
    ck_assert_int_eq(memcmp(again, bytes, size), 0);
    free(again);
    hogfeat_linsvm_destroy(m);

    /* Trailing garbage, with and without a matching length field. */
    memcpy(copy, bytes, size);
    copy[size] = 0;
    expect_load(K_SVM, copy, size + 1, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "trailing"));
    /* A byte slipped in before the CRC, length and CRC fixed: a cut-short section header. */
    memcpy(copy, bytes, size - 4);
    copy[size - 4] = 0x42;
    put64(copy + 16, size + 1);
    fix_crc(copy, size + 1);
    expect_load(K_SVM, copy, size + 1, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    /* A wrong CRC alone. */
    memcpy(copy, bytes, size);
    copy[size - 1] ^= 0x80;
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CHECKSUM);
    free(copy);
    free(bytes);
}
END_TEST

START_TEST(test_forged_counts)
{
    size_t size, len;
    unsigned char *bytes = small_file(K_SVM, &size); /* K = 3, D = 4 */
    unsigned char *copy = malloc(size);
    size_t off = find_section(bytes, size, "LSVM", &len);
    ck_assert_uint_eq(off, 40);

    /* 2^40 classes: refused before any allocation. */
    memcpy(copy, bytes, size);
    put64(copy + off, (uint64_t)1 << 40);
    fix_crc(copy, size);
    hogfeat_linsvm *m = (hogfeat_linsvm *)(uintptr_t)1;
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(hogfeat_linsvm_load(copy, size, NULL, &m), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    ck_assert_ptr_null(m);
    /* Inside the limit but larger than the section: CORRUPT_DATA, no allocation. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, SIZE_MAX), HOGFEAT_OK);
    put64(copy + off, 1000000);
    fix_crc(copy, size);
    hogfeat__test_alloc_reset();
    expect_load(K_SVM, copy, size, lim, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    hogfeat_limits_destroy(lim);
    /* K = 2 with a 3-class body, K = 1, K = 0. */
    static const uint64_t bad_k[] = {2, 1, 0, 4};
    for (size_t i = 0; i < 4; i++) {
        memcpy(copy, bytes, size);
        put64(copy + off, bad_k[i]);
        fix_crc(copy, size);
        expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    }
    /* D = 0, D huge, D + 1 (length mismatch). */
    memcpy(copy, bytes, size);
    put64(copy + off + 8, 0);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    put64(copy + off + 8, UINT64_MAX);
    fix_crc(copy, size);
    hogfeat__test_alloc_reset();
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    put64(copy + off + 8, 5);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    /* Section length larger than the file / smaller than its fields. */
    memcpy(copy, bytes, size);
    put64(copy + off - 8, len + 1);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    put64(copy + off - 8, UINT64_MAX);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    put64(copy + off - 8, 8);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    /* Labels not strictly ascending. */
    memcpy(copy, bytes, size);
    put32(copy + off + 16 + 4, get32(copy + off + 16)); /* labels[1] = labels[0] */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "ascending"));
    /* Fields after the labels (K = 3): loss, C, tolerance, max_iterations, bias, vectors. */
    const size_t q = off + 16 + 12;
    static const uint32_t bad_loss[] = {0, 3, 0xFFFFFFFFu};
    for (size_t i = 0; i < 3; i++) {
        memcpy(copy, bytes, size);
        put32(copy + q, bad_loss[i]);
        fix_crc(copy, size);
        expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    }
    memcpy(copy, bytes, size);
    putf64(copy + q + 4, -1.0); /* C < 0 */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    memcpy(copy, bytes, size);
    put32(copy + q + 20, (uint32_t)-5); /* max_iterations < 0 */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    memcpy(copy, bytes, size);
    putf64(copy + q + 24, NAN); /* bias */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    memcpy(copy, bytes, size);
    putf64(copy + q + 12, INFINITY); /* tolerance */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    memcpy(copy, bytes, size);
    put64(copy + q + 32, 1); /* vectors: 3 classes need 3 */
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    /* NaN and infinite weights, first and last. */
    memcpy(copy, bytes, size);
    putf32(copy + q + 40, NAN);
    fix_crc(copy, size);
    hogfeat__test_alloc_reset();
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    memcpy(copy, bytes, size);
    putf32(copy + size - 8, -INFINITY);
    fix_crc(copy, size);
    expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    free(copy);
    free(bytes);
}
END_TEST

START_TEST(test_forged_knn)
{
    size_t size, len;
    unsigned char *bytes = small_file(K_KNN, &size); /* N = 4, D = 3, k = 3 */
    unsigned char *copy = malloc(size);
    size_t off = find_section(bytes, size, "KNN ", &len);
    ck_assert_uint_eq(off, 40);
    struct {
        size_t at;
        int width; /* 4 or 8 */
        uint64_t value;
        hogfeat_status want;
    } cases[] = {
        {0, 4, 0, HOGFEAT_ERR_CORRUPT_DATA},                    /* k = 0 */
        {0, 4, 5, HOGFEAT_ERR_CORRUPT_DATA},                    /* k > N */
        {0, 4, 0x80000000u, HOGFEAT_ERR_CORRUPT_DATA},          /* k < 0 */
        {4, 4, 0, HOGFEAT_ERR_CORRUPT_DATA},                    /* metric */
        {4, 4, 5, HOGFEAT_ERR_CORRUPT_DATA},
        {8, 4, 0, HOGFEAT_ERR_CORRUPT_DATA},                    /* weighting */
        {8, 4, 3, HOGFEAT_ERR_CORRUPT_DATA},
        {12, 4, 257, HOGFEAT_ERR_CORRUPT_DATA},                 /* threads */
        {12, 4, 0xFFFFFFFFu, HOGFEAT_ERR_CORRUPT_DATA},
        {16, 8, 0, HOGFEAT_ERR_CORRUPT_DATA},                   /* N = 0 */
        {16, 8, 5, HOGFEAT_ERR_CORRUPT_DATA},                   /* N: length mismatch */
        {16, 8, (uint64_t)1 << 40, HOGFEAT_ERR_LIMIT_EXCEEDED}, /* N huge */
        {24, 8, 0, HOGFEAT_ERR_CORRUPT_DATA},                   /* D = 0 */
        {24, 8, (uint64_t)1 << 62, HOGFEAT_ERR_LIMIT_EXCEEDED}, /* D huge */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(copy, bytes, size);
        if (cases[i].width == 4)
            put32(copy + off + cases[i].at, (uint32_t)cases[i].value);
        else
            put64(copy + off + cases[i].at, cases[i].value);
        fix_crc(copy, size);
        hogfeat__test_alloc_reset();
        void *h = (void *)(uintptr_t)1;
        hogfeat_status st = hogfeat_knn_load(copy, size, NULL, (hogfeat_knn **)&h);
        ck_assert_msg(st == cases[i].want, "case %zu: %s (%s)", i, hogfeat_status_name(st),
                      hogfeat_last_error_message());
        ck_assert_ptr_null(h);
        ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    }
    /* A NaN and an infinite feature. */
    memcpy(copy, bytes, size);
    putf32(copy + off + 32 + 16 + 5 * 4, NAN);
    fix_crc(copy, size);
    expect_load(K_KNN, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    memcpy(copy, bytes, size);
    putf32(copy + size - 8, INFINITY);
    fix_crc(copy, size);
    expect_load(K_KNN, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    free(copy);
    free(bytes);
}
END_TEST

START_TEST(test_forged_feat)
{
    size_t size, len;
    unsigned char *bytes = small_file(K_PIPE, &size);
    unsigned char *copy = malloc(size);
    size_t off = find_section(bytes, size, "FEAT", &len);
    ck_assert_uint_eq(off, 40);
    ck_assert_uint_eq(len, 56);
    struct {
        size_t at;
        uint32_t value;
    } bad[] = {
        {0, 0}, {0, 361},            /* orientations */
        {4, 0}, {8, 4097},           /* cell */
        {12, 0}, {16, 65},           /* block */
        {20, 0}, {24, 65},           /* stride */
        {28, 0}, {28, 5},            /* norm */
        {32, 2}, {36, 0xFFFFFFFFu},  /* flags */
        {48, 0}, {52, 0},            /* resize with one zero side */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(copy, bytes, size);
        put32(copy + off + bad[i].at, bad[i].value);
        fix_crc(copy, size);
        expect_load(K_PIPE, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
        /* The classifier loaders check FEAT too. */
        expect_load(K_SVM, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    }
    static const double bad_sigma[] = {-0.5, 64.5};
    for (size_t i = 0; i < 2; i++) {
        memcpy(copy, bytes, size);
        putf64(copy + off + 40, bad_sigma[i]);
        fix_crc(copy, size);
        expect_load(K_PIPE, copy, size, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    }
    memcpy(copy, bytes, size);
    putf64(copy + off + 40, NAN);
    fix_crc(copy, size);
    expect_load(K_PIPE, copy, size, NULL, HOGFEAT_ERR_NONFINITE);
    /* Resize beyond the pixel limit. */
    memcpy(copy, bytes, size);
    put32(copy + off + 48, 1u << 16);
    put32(copy + off + 52, 1u << 16);
    fix_crc(copy, size);
    expect_load(K_PIPE, copy, size, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* Sigma 0 and no resize are valid. */
    memcpy(copy, bytes, size);
    putf64(copy + off + 40, 0.0);
    put32(copy + off + 48, 0);
    put32(copy + off + 52, 0);
    fix_crc(copy, size);
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load(copy, size, NULL, &p), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_pipeline_blur(p), 0.0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_width(p), 0);
    hogfeat_pipeline_destroy(p);
    free(copy);
    free(bytes);
}
END_TEST

/* Builds a file from an SVM file with an extra section inserted before the classifier. */
static unsigned char *with_extra_section(const unsigned char *bytes, size_t size, const char *tag, uint32_t flags,
                                         size_t payload, size_t *out_size)
{
    size_t n = size + 16 + payload;
    unsigned char *out = calloc(1, n);
    memcpy(out, bytes, 24);
    memcpy(out + 24, tag, 4);
    put32(out + 28, flags);
    put64(out + 32, payload);
    for (size_t i = 0; i < payload; i++)
        out[40 + i] = (unsigned char)(i * 37);
    memcpy(out + 40 + payload, bytes + 24, size - 24);
    put64(out + 16, n);
    fix_crc(out, n);
    *out_size = n;
    return out;
}

START_TEST(test_sections)
{
    size_t size, n;
    unsigned char *bytes = small_file(K_SVM, &size);
    /* An unknown, non-critical section is skipped; a re-save drops it. */
    unsigned char *x = with_extra_section(bytes, size, "XTRA", 0, 13, &n);
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat_linsvm_load(x, n, NULL, &m), HOGFEAT_OK);
    size_t size2;
    unsigned char *again = save_bytes(K_SVM, m, &size2);
    ck_assert_uint_eq(size2, size);
    ck_assert_int_eq(memcmp(again, bytes, size), 0);
    free(again);
    hogfeat_linsvm_destroy(m);
    free(x);
    x = with_extra_section(bytes, size, "XTRA", 0xFFFFFFFEu, 0, &n); /* other flag bits are ignored */
    expect_load(K_SVM, x, n, NULL, HOGFEAT_OK);
    free(x);
    /* An unknown critical section: a newer writer's feature. */
    x = with_extra_section(bytes, size, "XTRA", 1, 5, &n);
    expect_load(K_SVM, x, n, NULL, HOGFEAT_ERR_VERSION_MISMATCH);
    free(x);
    /* A second LSVM section. */
    unsigned char *two = malloc(2 * size);
    memcpy(two, bytes, size - 4);
    memcpy(two + size - 4, bytes + 24, size - 28);
    size_t n2 = 2 * size - 28;
    put64(two + 16, n2);
    fix_crc(two, n2);
    expect_load(K_SVM, two, n2, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "twice"));
    free(two);
    /* An LSVM and a KNN section together. */
    size_t ksize;
    unsigned char *kbytes = small_file(K_KNN, &ksize);
    unsigned char *both = malloc(size + ksize);
    memcpy(both, bytes, size - 4);
    memcpy(both + size - 4, kbytes + 24, ksize - 28);
    n2 = size + ksize - 28;
    put64(both + 16, n2);
    fix_crc(both, n2);
    expect_load(K_SVM, both, n2, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    expect_load(K_KNN, both, n2, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    free(both);
    free(kbytes);
    /* No classifier at all: header and CRC only, or a lone unknown section. */
    unsigned char empty[28];
    memcpy(empty, bytes, 24);
    put64(empty + 16, 28);
    fix_crc(empty, 28);
    expect_load(K_SVM, empty, 28, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    expect_load(K_PIPE, empty, 28, NULL, HOGFEAT_ERR_CORRUPT_DATA);
    free(bytes);
}
END_TEST

START_TEST(test_kind_mismatch)
{
    size_t ssize, ksize, psize;
    unsigned char *s = small_file(K_SVM, &ssize);
    unsigned char *k = small_file(K_KNN, &ksize);
    unsigned char *p = small_file(K_PIPE, &psize);
    expect_load(K_KNN, s, ssize, NULL, HOGFEAT_ERR_MODEL_KIND);
    expect_load(K_SVM, k, ksize, NULL, HOGFEAT_ERR_MODEL_KIND);
    expect_load(K_PIPE, s, ssize, NULL, HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "feature extractor"));
    expect_load(K_PIPE, k, ksize, NULL, HOGFEAT_ERR_MODEL_KIND);
    expect_load(K_KNN, p, psize, NULL, HOGFEAT_ERR_MODEL_KIND);
    expect_load(K_SVM, p, psize, NULL, HOGFEAT_OK);
    /* A pipeline without a classifier cannot be saved. */
    hogfeat_pipeline *bare = make_pipeline();
    size_t need = 5;
    ck_assert_int_eq(hogfeat_pipeline_save(bare, NULL, 0, &need), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(hogfeat_pipeline_save_file(bare, "/nonexistent/x"), HOGFEAT_ERR_MODEL_KIND);
    hogfeat_pipeline_destroy(bare);
    free(s);
    free(k);
    free(p);
}
END_TEST

START_TEST(test_null_and_buffers)
{
    hogfeat_linsvm *m = make_svm(2, 5, 8);
    size_t size;
    unsigned char *bytes = save_bytes(K_SVM, m, &size);
    /* Loads. */
    hogfeat_linsvm *l = (hogfeat_linsvm *)(uintptr_t)1;
    ck_assert_int_eq(hogfeat_linsvm_load(NULL, size, NULL, &l), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(hogfeat_linsvm_load(bytes, size, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_load(NULL, 0, NULL, (hogfeat_knn **)&l), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_load(bytes, size, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_load(bytes, 0, NULL, &l), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(l);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "empty"));
    ck_assert_int_eq(hogfeat_linsvm_load_file(NULL, NULL, &l), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_load_file("x", NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_load_file(NULL, NULL, (hogfeat_pipeline **)&l), HOGFEAT_ERR_NULL_POINTER);
    /* Saves. */
    size_t got = 0;
    ck_assert_int_eq(hogfeat_linsvm_save(NULL, bytes, size, &got), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_save(m, bytes, size, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_save(NULL, NULL, 0, &got), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_save(NULL, NULL, 0, &got), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_save_file(NULL, "x"), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_knn_save_file(NULL, "x"), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_save_file(NULL, "x"), HOGFEAT_ERR_NULL_POINTER);
    /* Short buffers: size reported, nothing written. */
    unsigned char *buf = malloc(size + 8);
    for (size_t cap = 0; cap < size; cap += (cap < 40 ? 1 : 17)) {
        memset(buf, 0xEE, size + 8);
        got = 0;
        ck_assert_int_eq(hogfeat_linsvm_save(m, buf, cap, &got), HOGFEAT_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(got, size);
        for (size_t i = 0; i < size + 8; i++)
            ck_assert_uint_eq(buf[i], 0xEE);
    }
    got = 0;
    ck_assert_int_eq(hogfeat_linsvm_save(m, NULL, 1000000, &got), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(got, size);
    /* A larger buffer: exactly size bytes written. */
    memset(buf, 0xEE, size + 8);
    ck_assert_int_eq(hogfeat_linsvm_save(m, buf, size + 8, &got), HOGFEAT_OK);
    ck_assert_uint_eq(got, size);
    ck_assert_int_eq(memcmp(buf, bytes, size), 0);
    for (size_t i = size; i < size + 8; i++)
        ck_assert_uint_eq(buf[i], 0xEE);
    free(buf);
    free(bytes);
    hogfeat_linsvm_destroy(m);
}
END_TEST

START_TEST(test_limits)
{
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    hogfeat_linsvm *m5 = make_svm(5, 10, 1);
    size_t size;
    unsigned char *bytes = save_bytes(K_SVM, m5, &size);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 4), HOGFEAT_OK);
    hogfeat__test_alloc_reset();
    expect_load(K_SVM, bytes, size, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 5), HOGFEAT_OK);
    expect_load(K_SVM, bytes, size, lim, HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, 9), HOGFEAT_OK);
    expect_load(K_SVM, bytes, size, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, 10), HOGFEAT_OK);
    /* Total bytes: the weights alone are 5 * 11 * 4 = 220 bytes. */
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 200), HOGFEAT_OK);
    expect_load(K_SVM, bytes, size, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 4096), HOGFEAT_OK);
    expect_load(K_SVM, bytes, size, lim, HOGFEAT_OK);
    free(bytes);
    hogfeat_linsvm_destroy(m5);

    /* KNN: samples, and the number of distinct classes (3 here). */
    hogfeat_knn *k = make_knn(12, 4, 2);
    bytes = save_bytes(K_KNN, k, &size);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_SAMPLES, 11), HOGFEAT_OK);
    expect_load(K_KNN, bytes, size, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_SAMPLES, 12), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 2), HOGFEAT_OK);
    expect_load(K_KNN, bytes, size, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_CLASSES, 3), HOGFEAT_OK);
    expect_load(K_KNN, bytes, size, lim, HOGFEAT_OK);
    free(bytes);
    hogfeat_knn_destroy(k);

    /* Pipeline: the resize counts against the pixel limit. */
    size_t psize;
    unsigned char *p = small_file(K_PIPE, &psize);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, (size_t)1 << 30), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, (size_t)1 << 20), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, PIPE_W * PIPE_H - 1), HOGFEAT_OK);
    expect_load(K_PIPE, p, psize, lim, HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, PIPE_W * PIPE_H), HOGFEAT_OK);
    expect_load(K_PIPE, p, psize, lim, HOGFEAT_OK);
    free(p);
    hogfeat_limits_destroy(lim);
}
END_TEST

/* Fails allocation n = 1, 2, ... until the call succeeds; each failure must
 * be OUT_OF_MEMORY with a NULL handle (ASan reports any leak). */
START_TEST(test_alloc_failures)
{
    for (kind k = K_SVM; k <= K_PIPE; k++) {
        size_t size;
        unsigned char *bytes = small_file(k, &size);
        long n;
        for (n = 1; n < 64; n++) {
            void *h = (void *)(uintptr_t)1;
            hogfeat__test_alloc_fail_at(n, 0);
            hogfeat_status st = load_any(k, bytes, size, NULL, &h);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_reset();
            if (st == HOGFEAT_OK) {
                ck_assert_uint_eq(failures, 0);
                destroy_any(k, h);
                break;
            }
            ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
            ck_assert_ptr_null(h);
        }
        ck_assert_int_gt(n, 1);
        ck_assert_int_lt(n, 64);
        /* Persistent failure from the first allocation on. */
        void *h = (void *)(uintptr_t)1;
        hogfeat__test_alloc_fail_at(1, 1);
        ck_assert_int_eq(load_any(k, bytes, size, NULL, &h), HOGFEAT_ERR_OUT_OF_MEMORY);
        hogfeat__test_alloc_reset();
        ck_assert_ptr_null(h);
        free(bytes);
    }
    /* Saving to memory allocates nothing; saving to a file allocates the image. */
    hogfeat_linsvm *m = make_svm(3, 7, 2);
    unsigned char buf[4096];
    size_t got;
    hogfeat__test_alloc_fail_at(1, 1);
    ck_assert_int_eq(hogfeat_linsvm_save(m, buf, sizeof buf, &got), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, "/tmp/hogfeat-never-written"), HOGFEAT_ERR_OUT_OF_MEMORY);
    hogfeat__test_alloc_reset();
    hogfeat_linsvm_destroy(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_io");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"svm_round_trip", test_svm_round_trip},
        {"knn_round_trip", test_knn_round_trip},
        {"pipeline_round_trip", test_pipeline_round_trip},
        {"exact_bytes", test_exact_bytes},
        {"every_prefix", test_every_prefix},
        {"every_bit_flip", test_every_bit_flip},
        {"magic_and_versions", test_magic_and_versions},
        {"forged_counts", test_forged_counts},
        {"forged_knn", test_forged_knn},
        {"forged_feat", test_forged_feat},
        {"sections", test_sections},
        {"kind_mismatch", test_kind_mismatch},
        {"null_and_buffers", test_null_and_buffers},
        {"limits", test_limits},
        {"alloc_failures", test_alloc_failures},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
