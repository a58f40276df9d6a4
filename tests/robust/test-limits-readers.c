/* Every reader honours hogfeat_limits: for each limit that applies to a
 * reader (pixels, items, classes, features, samples, total bytes), the
 * exact value the input needs is accepted and one less is refused with
 * HOGFEAT_ERR_LIMIT_EXCEEDED. Readers: IDX from memory (plain, gzip) and
 * from files, PGM from memory and from a file, and the three model loaders
 * from memory and from files. */
#include "robust.h"

typedef hogfeat_status (*reader_fn)(const void *ctx, const hogfeat_limits *limits);

static hogfeat_limits *limits_with(hogfeat_limit which, size_t value)
{
    hogfeat_limits *l = NULL;
    ROK(hogfeat_limits_create(&l));
    ROK(hogfeat_limits_set(l, which, value));
    return l;
}

static hogfeat_status run_with(reader_fn fn, const void *ctx, hogfeat_limit which, size_t value)
{
    hogfeat_limits *l = limits_with(which, value);
    hogfeat_status st = fn(ctx, l);
    hogfeat_limits_destroy(l);
    return st;
}

/* value is accepted, value - 1 is refused with LIMIT_EXCEEDED. */
static void boundary(reader_fn fn, const void *ctx, hogfeat_limit which, size_t value, const char *what)
{
    hogfeat_status at = run_with(fn, ctx, which, value);
    ck_assert_msg(at == HOGFEAT_OK, "%s: limit %d = %zu: %s (%s)", what, (int)which, value, R_STATUS_TEXT(at));
    if (value > 1) {
        hogfeat_status below = run_with(fn, ctx, which, value - 1);
        ck_assert_msg(below == HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: limit %d = %zu: %s (%s), expected LIMIT_EXCEEDED", what,
                      (int)which, value - 1, R_STATUS_TEXT(below));
    }
}

/* The smallest MAX_TOTAL_BYTES that the reader accepts (it must refuse 1). */
static size_t smallest_total(reader_fn fn, const void *ctx)
{
    ck_assert_int_eq(run_with(fn, ctx, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 1), HOGFEAT_ERR_LIMIT_EXCEEDED);
    size_t lo = 1, hi = (size_t)1 << 32; /* refused at lo, accepted at hi */
    ck_assert_int_eq(run_with(fn, ctx, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, hi), HOGFEAT_OK);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        hogfeat_status st = run_with(fn, ctx, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, mid);
        ck_assert_msg(st == HOGFEAT_OK || st == HOGFEAT_ERR_LIMIT_EXCEEDED, "total bytes %zu: %s (%s)", mid,
                      R_STATUS_TEXT(st));
        if (st == HOGFEAT_OK)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* ---- IDX ------------------------------------------------------------------- */

typedef struct idx_ctx {
    rbuf img, lab;
    const char *img_path, *lab_path;
} idx_ctx;

static hogfeat_status idx_mem(const void *c, const hogfeat_limits *l)
{
    const idx_ctx *x = c;
    hogfeat_dataset *ds = NULL;
    hogfeat_status st = hogfeat_dataset_read_idx(x->img.p, x->img.n, x->lab.p, x->lab.n, l, &ds);
    ck_assert((st == HOGFEAT_OK) == (ds != NULL));
    hogfeat_dataset_destroy(ds);
    return st;
}

static hogfeat_status idx_file(const void *c, const hogfeat_limits *l)
{
    const idx_ctx *x = c;
    hogfeat_dataset *ds = NULL;
    hogfeat_status st = hogfeat_dataset_load_idx(x->img_path, x->lab_path, l, &ds);
    hogfeat_dataset_destroy(ds);
    return st;
}

/* 7 images of 5 x 6 with labels: 210 pixel bytes + 28 label bytes. */
static void idx_limits(int gzip)
{
    rbuf img = r_idx_images(7, 5, 6, 210), lab = r_idx_labels(7, 7);
    idx_ctx x = {img, lab, NULL, NULL};
    if (gzip) {
        x.img = r_gzip(img.p, img.n);
        x.lab = r_gzip(lab.p, lab.n);
    }
    const char *what = gzip ? "IDX gzip" : "IDX";
    boundary(idx_mem, &x, HOGFEAT_LIMIT_MAX_PIXELS, 30, what);
    boundary(idx_mem, &x, HOGFEAT_LIMIT_MAX_ITEMS, 7, what);
    boundary(idx_mem, &x, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 210 + 7 * 4, what);
    /* Without labels only the pixels count. */
    rbuf no_lab = {NULL, 0};
    idx_ctx y = {x.img, no_lab, NULL, NULL};
    boundary(idx_mem, &y, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 210, what);
    /* Labels alone over the item limit: the label file has more items than allowed. */
    if (gzip) {
        rb_free(&x.img);
        rb_free(&x.lab);
    }
    rb_free(&img);
    rb_free(&lab);
}

START_TEST(test_idx_memory)
{
    idx_limits(0);
}
END_TEST

START_TEST(test_idx_gzip)
{
    idx_limits(1);
}
END_TEST

START_TEST(test_idx_files)
{
    rtmp t;
    r_tmp_make(&t);
    char ip[512], lp[512];
    r_path(&t, "images", ip, sizeof ip);
    r_path(&t, "labels", lp, sizeof lp);
    rbuf img = r_idx_images(7, 5, 6, 210), lab = r_idx_labels(7, 7);
    r_write_file(ip, img.p, img.n);
    r_write_file(lp, lab.p, lab.n);
    idx_ctx x = {img, lab, ip, lp};
    boundary(idx_file, &x, HOGFEAT_LIMIT_MAX_PIXELS, 30, "IDX file");
    boundary(idx_file, &x, HOGFEAT_LIMIT_MAX_ITEMS, 7, "IDX file");
    /* The dataset needs 238 bytes and the image file has 226. How the file
     * bytes should count is pinned by test-known-bugs (they do not, yet). */
    size_t b = smallest_total(idx_file, &x);
    ck_assert_msg(b >= 210 + 28, "IDX file read with a total-bytes limit of %zu, below the dataset's 238", b);
    rb_free(&img);
    rb_free(&lab);
    r_tmp_remove(&t);
}
END_TEST

/* ---- PGM ------------------------------------------------------------------- */

typedef struct pgm_ctx {
    rbuf bytes;
    const char *path;
} pgm_ctx;

static hogfeat_status pgm_mem(const void *c, const hogfeat_limits *l)
{
    const pgm_ctx *x = c;
    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_pgm_read(x->bytes.p, x->bytes.n, l, &img);
    hogfeat_image_destroy(img);
    return st;
}

static hogfeat_status pgm_file(const void *c, const hogfeat_limits *l)
{
    const pgm_ctx *x = c;
    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_pgm_read_file(x->path, l, &img);
    hogfeat_image_destroy(img);
    return st;
}

static rbuf pgm_bytes(unsigned maxval, size_t w, size_t h)
{
    rbuf b = {NULL, 0};
    char hdr[64];
    int n = snprintf(hdr, sizeof hdr, "P5\n%zu %zu\n%u\n", w, h, maxval);
    rb_add(&b, hdr, (size_t)n);
    for (size_t i = 0; i < w * h * (maxval > 255 ? 2 : 1); i++)
        rb_u8(&b, maxval > 255 ? 1 : (unsigned)(i % (maxval + 1)));
    return b;
}

START_TEST(test_pgm)
{
    /* maxval 255: one byte per pixel; another maxval: a float per pixel. */
    pgm_ctx a = {pgm_bytes(255, 9, 7), NULL}, b = {pgm_bytes(1000, 9, 7), NULL};
    boundary(pgm_mem, &a, HOGFEAT_LIMIT_MAX_PIXELS, 63, "PGM u8");
    boundary(pgm_mem, &a, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 63, "PGM u8");
    boundary(pgm_mem, &b, HOGFEAT_LIMIT_MAX_PIXELS, 63, "PGM 16-bit");
    boundary(pgm_mem, &b, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 63 * 4, "PGM 16-bit");
    rtmp t;
    r_tmp_make(&t);
    char p[512];
    r_path(&t, "image.pgm", p, sizeof p);
    r_write_file(p, b.bytes.p, b.bytes.n);
    b.path = p;
    boundary(pgm_file, &b, HOGFEAT_LIMIT_MAX_PIXELS, 63, "PGM file");
    size_t s = smallest_total(pgm_file, &b);
    ck_assert_msg(s >= b.bytes.n && s >= 63 * 4, "PGM file read with a total-bytes limit of %zu", s);
    r_tmp_remove(&t);
    rb_free(&a.bytes);
    rb_free(&b.bytes);
}
END_TEST

/* ---- models ------------------------------------------------------------------- */

typedef struct model_ctx {
    int kind; /* 0 svm, 1 knn, 2 pipeline */
    rbuf bytes;
    const char *path;
} model_ctx;

static hogfeat_status model_mem(const void *c, const hogfeat_limits *l)
{
    const model_ctx *x = c;
    hogfeat_status st;
    if (x->kind == 0) {
        hogfeat_linsvm *m = NULL;
        st = hogfeat_linsvm_load(x->bytes.p, x->bytes.n, l, &m);
        hogfeat_linsvm_destroy(m);
    } else if (x->kind == 1) {
        hogfeat_knn *m = NULL;
        st = hogfeat_knn_load(x->bytes.p, x->bytes.n, l, &m);
        hogfeat_knn_destroy(m);
    } else {
        hogfeat_pipeline *m = NULL;
        st = hogfeat_pipeline_load(x->bytes.p, x->bytes.n, l, &m);
        hogfeat_pipeline_destroy(m);
    }
    return st;
}

static hogfeat_status model_file(const void *c, const hogfeat_limits *l)
{
    const model_ctx *x = c;
    hogfeat_status st;
    if (x->kind == 0) {
        hogfeat_linsvm *m = NULL;
        st = hogfeat_linsvm_load_file(x->path, l, &m);
        hogfeat_linsvm_destroy(m);
    } else if (x->kind == 1) {
        hogfeat_knn *m = NULL;
        st = hogfeat_knn_load_file(x->path, l, &m);
        hogfeat_knn_destroy(m);
    } else {
        hogfeat_pipeline *m = NULL;
        st = hogfeat_pipeline_load_file(x->path, l, &m);
        hogfeat_pipeline_destroy(m);
    }
    return st;
}

/* Memory and file: total bytes of the file load = memory load + file size. */
static void model_totals(model_ctx *x, size_t payload_floats)
{
    size_t mem = smallest_total(model_mem, x);
    ck_assert_msg(mem >= 4 * payload_floats && mem <= x->bytes.n + 4096,
                  "kind %d: total-bytes boundary %zu for a %zu-byte file", x->kind, mem, x->bytes.n);
    rtmp t;
    r_tmp_make(&t);
    char p[512];
    r_path(&t, "model", p, sizeof p);
    r_write_file(p, x->bytes.p, x->bytes.n);
    x->path = p;
    size_t file = smallest_total(model_file, x);
    ck_assert_msg(file == mem + x->bytes.n, "kind %d: file boundary %zu != memory %zu + file %zu", x->kind, file, mem,
                  x->bytes.n);
    /* The other limits hold for files too. */
    hogfeat_status st = run_with(model_file, x, HOGFEAT_LIMIT_MAX_FEATURES, 1);
    ck_assert_int_eq(st, HOGFEAT_ERR_LIMIT_EXCEEDED);
    x->path = NULL;
    r_tmp_remove(&t);
}

START_TEST(test_svm)
{
    hogfeat_linsvm *m = r_make_svm(4, 12, 9, 3);
    model_ctx x = {0, r_save_svm(m), NULL};
    boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_CLASSES, 4, "SVM");
    boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_FEATURES, 9, "SVM");
    /* Samples and pixels do not apply to a bare SVM. */
    ck_assert_int_eq(run_with(model_mem, &x, HOGFEAT_LIMIT_MAX_SAMPLES, 1), HOGFEAT_OK);
    ck_assert_int_eq(run_with(model_mem, &x, HOGFEAT_LIMIT_MAX_PIXELS, 1), HOGFEAT_OK);
    model_totals(&x, 4 * 10);
    rb_free(&x.bytes);
    hogfeat_linsvm_destroy(m);
}
END_TEST

START_TEST(test_knn)
{
    hogfeat_knn *m = r_make_knn(3, 11, 5, 2, 4);
    model_ctx x = {1, r_save_knn(m), NULL};
    boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_SAMPLES, 11, "KNN");
    boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_FEATURES, 5, "KNN");
    boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_CLASSES, 3, "KNN");
    model_totals(&x, 11 * 5);
    rb_free(&x.bytes);
    hogfeat_knn_destroy(m);
}
END_TEST

START_TEST(test_pipeline)
{
    for (int with_svm = 0; with_svm <= 1; with_svm++) {
        hogfeat_pipeline *p = r_make_pipeline(with_svm, 5);
        model_ctx x = {2, r_save_pipeline(p), NULL};
        boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_PIXELS, 16 * 16, "pipeline resize");
        boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_FEATURES, R_PIPE_DIM, "pipeline");
        boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_CLASSES, with_svm ? 3 : 2, "pipeline");
        if (!with_svm)
            boundary(model_mem, &x, HOGFEAT_LIMIT_MAX_SAMPLES, 6, "pipeline KNN");
        model_totals(&x, with_svm ? 3 * (R_PIPE_DIM + 1) : 6 * R_PIPE_DIM);
        rb_free(&x.bytes);
        hogfeat_pipeline_destroy(p);
    }
}
END_TEST

/* A limits handle refuses 0 and pixel limits above 2^28; NULL means defaults. */
START_TEST(test_limit_values)
{
    hogfeat_limits *l = NULL;
    ROK(hogfeat_limits_create(&l));
    for (int w = HOGFEAT_LIMIT_MAX_PIXELS; w <= HOGFEAT_LIMIT_MAX_TOTAL_BYTES; w++) {
        R_ASSERT_STATUS(hogfeat_limits_set(l, (hogfeat_limit)w, 0), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_uint_eq(hogfeat_limits_get(l, (hogfeat_limit)w), hogfeat_limits_get(NULL, (hogfeat_limit)w));
    }
    R_ASSERT_STATUS(hogfeat_limits_set(l, HOGFEAT_LIMIT_MAX_PIXELS, ((size_t)1 << 28) + 1),
                    HOGFEAT_ERR_INVALID_ARGUMENT);
    R_ASSERT_STATUS(hogfeat_limits_set(l, (hogfeat_limit)7, 5), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(hogfeat_limits_get(NULL, HOGFEAT_LIMIT_MAX_PIXELS), (size_t)1 << 28);
    ck_assert_uint_eq(hogfeat_limits_get(NULL, HOGFEAT_LIMIT_MAX_ITEMS), (size_t)1 << 24);
    ck_assert_uint_eq(hogfeat_limits_get(NULL, HOGFEAT_LIMIT_MAX_CLASSES), 65536);
    hogfeat_limits_destroy(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits-readers");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"idx_memory", test_idx_memory}, {"idx_gzip", test_idx_gzip}, {"idx_files", test_idx_files},
        {"pgm", test_pgm},               {"svm", test_svm},           {"knn", test_knn},
        {"pipeline", test_pipeline},     {"limit_values", test_limit_values},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
