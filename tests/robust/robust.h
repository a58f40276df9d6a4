/* Helpers shared by the robustness tests (tests/robust): small models built
 * through the public API, IDX/gzip/PGM byte builders, temporary directories
 * and whole-file I/O. */
#ifndef HOGFEAT_TESTS_ROBUST_H
#define HOGFEAT_TESTS_ROBUST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common.h"

#define R_STATUS_TEXT(st) hogfeat_status_name(st), hogfeat_last_error_message()

#define R_ASSERT_STATUS(expr, expected)                                                                     \
    do {                                                                                                    \
        hogfeat_status st_ = (expr);                                                                        \
        ck_assert_msg(st_ == (expected), "%s: got %s (%s), expected %s", #expr, R_STATUS_TEXT(st_),         \
                      hogfeat_status_name(expected));                                                       \
    } while (0)

#define ROK(expr) R_ASSERT_STATUS(expr, HOGFEAT_OK)

/* ---- growable byte buffer ------------------------------------------------ */

typedef struct rbuf {
    unsigned char *p;
    size_t n;
} rbuf;

static inline void rb_add(rbuf *b, const void *p, size_t n)
{
    unsigned char *q = realloc(b->p, b->n + n + 1);
    ck_assert_ptr_nonnull(q);
    b->p = q;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void rb_u8(rbuf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    rb_add(b, &c, 1);
}

static inline void rb_be32(rbuf *b, uint32_t v)
{
    rb_u8(b, v >> 24);
    rb_u8(b, (v >> 16) & 0xff);
    rb_u8(b, (v >> 8) & 0xff);
    rb_u8(b, v & 0xff);
}

static inline rbuf rb_copy(const void *p, size_t n)
{
    rbuf b = {NULL, 0};
    rb_add(&b, p, n);
    return b;
}

static inline void rb_free(rbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

static inline void r_put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void r_put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Recomputes a model file's CRC-32 trailer after a deliberate edit. */
static inline void r_fix_crc(unsigned char *p, size_t n)
{
    uLong crc = crc32(crc32(0L, Z_NULL, 0), p, (uInt)(n - 4));
    r_put_le32(p + n - 4, (uint32_t)crc);
}

/* ---- IDX, gzip, PGM ---------------------------------------------------------- */

/* IDX image file: header (count, rows, cols) and payload_bytes pixel bytes. */
static inline rbuf r_idx_images(uint32_t count, uint32_t rows, uint32_t cols, size_t payload_bytes)
{
    rbuf b = {NULL, 0};
    rb_u8(&b, 0);
    rb_u8(&b, 0);
    rb_u8(&b, 8);
    rb_u8(&b, 3);
    rb_be32(&b, count);
    rb_be32(&b, rows);
    rb_be32(&b, cols);
    for (size_t i = 0; i < payload_bytes; i++)
        rb_u8(&b, (unsigned)((i * 31 + 7) & 0xff));
    return b;
}

static inline rbuf r_idx_labels(uint32_t count, size_t payload_bytes)
{
    rbuf b = {NULL, 0};
    rb_u8(&b, 0);
    rb_u8(&b, 0);
    rb_u8(&b, 8);
    rb_u8(&b, 1);
    rb_be32(&b, count);
    for (size_t i = 0; i < payload_bytes; i++)
        rb_u8(&b, (unsigned)(i % 10));
    return b;
}

/* One gzip member of src. */
static inline rbuf r_gzip(const void *src, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n) + 64;
    rbuf out = {malloc(cap), 0};
    ck_assert_ptr_nonnull(out.p);
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    zs.next_out = out.p;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.n = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* ---- models through the public API ---------------------------------------- */

/* n rows of d features in `classes` separable-ish classes labelled 10, 20, ... */
static inline void r_training_set(size_t n, size_t d, int32_t classes, uint64_t seed, float *x, int32_t *y)
{
    test_rng rng = test_rng_seed(seed);
    for (size_t i = 0; i < n; i++) {
        int32_t c = (int32_t)(i % (size_t)classes);
        y[i] = 10 * (c + 1);
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = test_rng_float(&rng) + (j % (size_t)classes == (size_t)c ? 1.5f : 0.0f);
    }
}

static inline hogfeat_linsvm *r_make_svm(int32_t classes, size_t n, size_t d, uint64_t seed)
{
    float *x = malloc(n * d * sizeof *x);
    int32_t *y = malloc(n * sizeof *y);
    ck_assert(x && y);
    r_training_set(n, d, classes, seed, x, y);
    hogfeat_linsvm_params *p = NULL;
    hogfeat_linsvm *m = NULL;
    ROK(hogfeat_linsvm_params_create(&p));
    ROK(hogfeat_linsvm_params_set_max_iterations(p, 50));
    ROK(hogfeat_linsvm_params_set_seed(p, (int32_t)seed));
    ROK(hogfeat_linsvm_train(p, x, n, d, d, y, &m));
    hogfeat_linsvm_params_destroy(p);
    free(x);
    free(y);
    return m;
}

static inline hogfeat_knn *r_make_knn(int32_t classes, size_t n, size_t d, int32_t k, uint64_t seed)
{
    float *x = malloc(n * d * sizeof *x);
    int32_t *y = malloc(n * sizeof *y);
    ck_assert(x && y);
    r_training_set(n, d, classes, seed, x, y);
    hogfeat_knn_params *p = NULL;
    hogfeat_knn *m = NULL;
    ROK(hogfeat_knn_params_create(&p));
    ROK(hogfeat_knn_params_set_k(p, k));
    ROK(hogfeat_knn_fit(p, x, n, d, d, y, &m));
    hogfeat_knn_params_destroy(p);
    free(x);
    free(y);
    return m;
}

/* A pipeline for 16x16 images (4x4 cells, 2x2 blocks, 9 bins: 324 features)
 * with blur, resize to 16x16, and a linear SVM or KNN of that dimension. */
#define R_PIPE_DIM 324
static inline hogfeat_pipeline *r_make_pipeline(int with_svm, uint64_t seed)
{
    hogfeat_hog_config *cfg = NULL;
    hogfeat_pipeline *p = NULL;
    ROK(hogfeat_hog_config_create(&cfg));
    ROK(hogfeat_hog_config_set_cell_size(cfg, 4, 4));
    ROK(hogfeat_hog_config_set_block_size(cfg, 2, 2));
    ROK(hogfeat_pipeline_create(cfg, &p));
    ROK(hogfeat_pipeline_set_blur(p, 1.0));
    ROK(hogfeat_pipeline_set_resize(p, 16, 16));
    if (with_svm) {
        hogfeat_linsvm *m = r_make_svm(3, 12, R_PIPE_DIM, seed);
        ROK(hogfeat_pipeline_set_linsvm(p, m));
        hogfeat_linsvm_destroy(m);
    } else {
        hogfeat_knn *m = r_make_knn(2, 6, R_PIPE_DIM, 3, seed);
        ROK(hogfeat_pipeline_set_knn(p, m));
        hogfeat_knn_destroy(m);
    }
    hogfeat_hog_config_destroy(cfg);
    return p;
}

static inline rbuf r_save_svm(const hogfeat_linsvm *m)
{
    size_t need = 0;
    R_ASSERT_STATUS(hogfeat_linsvm_save(m, NULL, 0, &need), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    rbuf b = {malloc(need), need};
    ck_assert_ptr_nonnull(b.p);
    ROK(hogfeat_linsvm_save(m, b.p, need, &need));
    return b;
}

static inline rbuf r_save_knn(const hogfeat_knn *m)
{
    size_t need = 0;
    R_ASSERT_STATUS(hogfeat_knn_save(m, NULL, 0, &need), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    rbuf b = {malloc(need), need};
    ck_assert_ptr_nonnull(b.p);
    ROK(hogfeat_knn_save(m, b.p, need, &need));
    return b;
}

static inline rbuf r_save_pipeline(const hogfeat_pipeline *m)
{
    size_t need = 0;
    R_ASSERT_STATUS(hogfeat_pipeline_save(m, NULL, 0, &need), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    rbuf b = {malloc(need), need};
    ck_assert_ptr_nonnull(b.p);
    ROK(hogfeat_pipeline_save(m, b.p, need, &need));
    return b;
}

/* ---- files ------------------------------------------------------------------ */

typedef struct rtmp {
    char dir[256];
} rtmp;

static inline void r_tmp_make(rtmp *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/hogfeat-robust-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

static inline void r_path(const rtmp *t, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", t->dir, name);
}

/* Removes the directory and everything in it (one level). */
static inline void r_tmp_remove(rtmp *t)
{
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
}

/* Number of entries in dir other than . and ..; the first name goes to first. */
static inline int r_count_entries(const char *dir, char *first, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == 0 && first)
            snprintf(first, cap, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static inline void r_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Whole file, or .p == NULL if it cannot be opened. */
static inline rbuf r_read_file(const char *path)
{
    rbuf b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return b;
    unsigned char tmp[65536];
    size_t got;
    rb_add(&b, "", 0);
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        rb_add(&b, tmp, got);
    fclose(f);
    return b;
}

static inline int r_same(const rbuf *a, const rbuf *b)
{
    return a->p && b->p && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

#endif /* HOGFEAT_TESTS_ROBUST_H */
