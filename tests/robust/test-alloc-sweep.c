/* Allocation-failure sweeps: for each operation, fail the Nth allocation
 * for N = 1, 2, ... past the last one the operation makes, once ("one-off")
 * and from N on ("persistent"). Every run must return HOGFEAT_OK (with a
 * correct result, checked against a clean run) or HOGFEAT_ERR_OUT_OF_MEMORY
 * with NULL handles, and never crash; leaks are caught by LeakSanitizer in
 * the ASan build and by valgrind. Prints each operation's allocation points
 * (scripts/ci-robust adds them up). */
#include <stdalign.h>

#include "private.h"
#include "robust.h"

/* An operation: returns its status after checking its own result on OK and
 * freeing everything it made. */
typedef hogfeat_status (*op_fn)(void *ctx);

static void sweep(const char *name, op_fn op, void *ctx)
{
    hogfeat__test_alloc_reset();
    hogfeat_status st = op(ctx);
    size_t count = hogfeat__test_alloc_count();
    hogfeat__test_alloc_reset();
    ck_assert_msg(st == HOGFEAT_OK, "%s: clean run: %s (%s)", name, R_STATUS_TEXT(st));
    ck_assert_msg(count > 0, "%s makes no allocation", name);
    size_t oom[2] = {0, 0};
    for (int persistent = 0; persistent <= 1; persistent++) {
        for (size_t n = 1; n <= count + 1; n++) {
            hogfeat__test_alloc_fail_at((long)n, persistent);
            st = op(ctx);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_reset();
            ck_assert_msg(st == HOGFEAT_OK || st == HOGFEAT_ERR_OUT_OF_MEMORY,
                          "%s: allocation %zu failing (%s): %s (%s)", name, n, persistent ? "persistent" : "once",
                          R_STATUS_TEXT(st));
            if (failures == 0)
                ck_assert_msg(st == HOGFEAT_OK, "%s: nothing failed, yet %s", name, hogfeat_status_name(st));
            if (st == HOGFEAT_ERR_OUT_OF_MEMORY) {
                ck_assert_msg(failures > 0, "%s: OUT_OF_MEMORY without a failed allocation", name);
                ck_assert_msg(hogfeat_last_error_message()[0] != '\0', "%s: no message", name);
                oom[persistent]++;
            }
        }
    }
    /* The last allocation can only be reached by failing the ones before. */
    ck_assert_msg(oom[0] > 0 && oom[1] > 0, "%s: no run failed", name);
    printf("sweep %-28s %3zu allocation points, %3zu + %3zu runs with OUT_OF_MEMORY (once + persistent)\n", name,
           count, oom[0], oom[1]);
    fflush(stdout);
}

/* ---- image and HOG ------------------------------------------------------------------ */

static hogfeat_status op_image_create(void *ctx)
{
    (void)ctx;
    hogfeat_status st = HOGFEAT_OK;
    for (int f = HOGFEAT_FORMAT_U8_GRAY; f <= HOGFEAT_FORMAT_F32_RGB && st == HOGFEAT_OK; f++) {
        hogfeat_image *img = (hogfeat_image *)(uintptr_t)1;
        st = hogfeat_image_create((hogfeat_format)f, 17, 9, &img);
        ck_assert((st == HOGFEAT_OK) == (img != NULL));
        if (img)
            ck_assert_ptr_nonnull(hogfeat_image_writable_data(img));
        hogfeat_image_destroy(img);
    }
    return st;
}

/* Every small handle constructor, each failure leaving NULL. */
static hogfeat_status op_handles(void *ctx)
{
    (void)ctx;
    hogfeat_hog_config *cfg = (hogfeat_hog_config *)(uintptr_t)1, *copy = NULL;
    hogfeat_linsvm_params *sp = NULL;
    hogfeat_knn_params *kp = NULL;
    hogfeat_limits *lim = NULL;
    hogfeat_pipeline *pipe = NULL;
    hogfeat_image *img = NULL;
    static const unsigned char px[16];
    hogfeat_status st = hogfeat_hog_config_create(&cfg);
    ck_assert((st == HOGFEAT_OK) == (cfg != NULL));
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_copy(cfg, &copy);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_create(&sp);
    for (int32_t label = 0; label < 3 && st == HOGFEAT_OK; label++)
        st = hogfeat_linsvm_params_set_class_weight(sp, label, 1.5);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_create(&kp);
    if (st == HOGFEAT_OK)
        st = hogfeat_limits_create(&lim);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_create(copy, &pipe);
    if (st == HOGFEAT_OK)
        st = hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, 4, 4, 0, &img);
    ck_assert(st == HOGFEAT_OK || (img == NULL));
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(pipe);
    hogfeat_limits_destroy(lim);
    hogfeat_knn_params_destroy(kp);
    hogfeat_linsvm_params_destroy(sp);
    hogfeat_hog_config_destroy(copy);
    hogfeat_hog_config_destroy(cfg); /* NULL after a failed create */
    return st;
}

START_TEST(test_image_and_config)
{
    sweep("image_create (4 formats)", op_image_create, NULL);
    sweep("handle constructors", op_handles, NULL);
}
END_TEST

typedef struct hog_ctx {
    hogfeat_hog_config *cfg;
    hogfeat_image *img;
    float *ref;
    size_t len;
} hog_ctx;

static hogfeat_status op_hog(void *c)
{
    hog_ctx *x = c;
    float *out = malloc(x->len * sizeof *out);
    hogfeat_status st = hogfeat_hog_compute(x->cfg, x->img, out, x->len);
    if (st == HOGFEAT_OK && x->ref)
        ck_assert_int_eq(memcmp(out, x->ref, x->len * sizeof *out), 0);
    free(out);
    return st;
}

static void hog_sweep(const char *name, hogfeat_format f, int sqrt_on)
{
    test_rng r = test_rng_seed(11);
    hog_ctx x = {NULL, test_random_image(&r, f, 37, 29), NULL, 0};
    ROK(hogfeat_hog_config_create(&x.cfg));
    ROK(hogfeat_hog_config_set_transform_sqrt(x.cfg, sqrt_on));
    ROK(hogfeat_hog_feature_length(x.cfg, 37, 29, &x.len));
    ck_assert_int_eq(op_hog(&x), HOGFEAT_OK);
    x.ref = malloc(x.len * sizeof *x.ref);
    ROK(hogfeat_hog_compute(x.cfg, x.img, x.ref, x.len));
    sweep(name, op_hog, &x);
    free(x.ref);
    hogfeat_image_destroy(x.img);
    hogfeat_hog_config_destroy(x.cfg);
}

START_TEST(test_hog_compute)
{
    hog_sweep("hog_compute u8 gray", HOGFEAT_FORMAT_U8_GRAY, 0);
    hog_sweep("hog_compute f32 rgb sqrt", HOGFEAT_FORMAT_F32_RGB, 1);
}
END_TEST

/* ---- batch extraction with threads ---------------------------------------------------------- */

#define STACK_N 40
#define STACK_W 24
#define STACK_H 20

typedef struct stack_ctx {
    hogfeat_hog_config *cfg;
    hogfeat_pipeline *pipe;
    unsigned char *pixels;
    int32_t threads;
    size_t len;
    float *ref;
} stack_ctx;

static hogfeat_status op_stack(void *c)
{
    stack_ctx *x = c;
    float *out = malloc(STACK_N * x->len * sizeof *out);
    hogfeat_status st =
        x->pipe ? hogfeat_pipeline_extract_stack(x->pipe, x->pixels, HOGFEAT_FORMAT_U8_GRAY, STACK_N, STACK_W,
                                                 STACK_H, 0, 0, x->threads, out, x->len, STACK_N * x->len)
                : hogfeat_hog_compute_stack(x->cfg, x->pixels, HOGFEAT_FORMAT_U8_GRAY, STACK_N, STACK_W, STACK_H, 0, 0,
                                            x->threads, out, x->len, STACK_N * x->len);
    if (st == HOGFEAT_OK && x->ref)
        ck_assert_int_eq(memcmp(out, x->ref, STACK_N * x->len * sizeof *out), 0);
    free(out);
    return st;
}

static void stack_sweep(const char *name, int pipeline, int32_t threads)
{
    stack_ctx x = {NULL, NULL, malloc(STACK_N * STACK_W * STACK_H), threads, 0, NULL};
    test_rng r = test_rng_seed(5);
    for (size_t i = 0; i < STACK_N * STACK_W * STACK_H; i++)
        x.pixels[i] = (unsigned char)test_rng_below(&r, 256);
    ROK(hogfeat_hog_config_create(&x.cfg));
    ROK(hogfeat_hog_config_set_cell_size(x.cfg, 4, 4));
    if (pipeline) {
        ROK(hogfeat_pipeline_create(x.cfg, &x.pipe));
        ROK(hogfeat_pipeline_set_blur(x.pipe, 1.5));
        ROK(hogfeat_pipeline_set_resize(x.pipe, 30, 22));
        ROK(hogfeat_pipeline_feature_length(x.pipe, STACK_W, STACK_H, &x.len));
    } else {
        ROK(hogfeat_hog_feature_length(x.cfg, STACK_W, STACK_H, &x.len));
    }
    ck_assert_int_eq(op_stack(&x), HOGFEAT_OK);
    x.ref = malloc(STACK_N * x.len * sizeof *x.ref);
    int32_t t = x.threads;
    x.threads = 1;
    float *keep = x.ref;
    x.ref = NULL;
    /* Reference: one thread, no injection. */
    {
        float *out = keep;
        hogfeat_status st =
            pipeline ? hogfeat_pipeline_extract_stack(x.pipe, x.pixels, HOGFEAT_FORMAT_U8_GRAY, STACK_N, STACK_W,
                                                      STACK_H, 0, 0, 1, out, x.len, STACK_N * x.len)
                     : hogfeat_hog_compute_stack(x.cfg, x.pixels, HOGFEAT_FORMAT_U8_GRAY, STACK_N, STACK_W, STACK_H, 0,
                                                 0, 1, out, x.len, STACK_N * x.len);
        ROK(st);
    }
    x.ref = keep;
    x.threads = t;
    sweep(name, op_stack, &x);
    free(x.ref);
    free(x.pixels);
    hogfeat_pipeline_destroy(x.pipe);
    hogfeat_hog_config_destroy(x.cfg);
}

START_TEST(test_batch)
{
    stack_sweep("hog_compute_stack 3 threads", 0, 3);
    stack_sweep("pipeline_extract_stack 2 thr", 1, 2);
}
END_TEST

/* ---- training ------------------------------------------------------------------------- */

typedef struct train_ctx {
    float *x;
    int32_t *y;
    size_t n, d;
    int32_t threads;
    rbuf ref;
} train_ctx;

static hogfeat_status op_svm_train(void *c)
{
    train_ctx *x = c;
    hogfeat_linsvm_params *p = NULL;
    hogfeat_linsvm *m = (hogfeat_linsvm *)(uintptr_t)1;
    hogfeat_status st = hogfeat_linsvm_params_create(&p);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_class_weight(p, 20, 2.0);
    if (st == HOGFEAT_OK) {
        ROK(hogfeat_linsvm_params_set_threads(p, x->threads));
        st = hogfeat_linsvm_train(p, x->x, x->n, x->d, x->d, x->y, &m);
        ck_assert((st == HOGFEAT_OK) == (m != NULL));
    } else {
        m = NULL;
    }
    if (st == HOGFEAT_OK && x->ref.p) {
        rbuf b = r_save_svm(m);
        ck_assert_msg(r_same(&b, &x->ref), "a model trained under allocation failures differs");
        rb_free(&b);
    }
    hogfeat_linsvm_destroy(m);
    hogfeat_linsvm_params_destroy(p);
    return st;
}

typedef struct knn_ctx {
    float *x;
    int32_t *y;
    size_t n, d;
    int32_t *ref_labels;
    size_t *ref_idx;
} knn_ctx;

static hogfeat_status op_knn(void *c)
{
    knn_ctx *x = c;
    hogfeat_knn_params *p = NULL;
    hogfeat_knn *m = NULL;
    int32_t labels[64];
    size_t idx[64 * 4];
    float dist[64 * 4];
    hogfeat_status st = hogfeat_knn_params_create(&p);
    if (st == HOGFEAT_OK) {
        ROK(hogfeat_knn_params_set_k(p, 4));
        ROK(hogfeat_knn_params_set_threads(p, 2));
        ROK(hogfeat_knn_params_set_metric(p, HOGFEAT_METRIC_COSINE));
        st = hogfeat_knn_fit(p, x->x, x->n, x->d, x->d, x->y, &m);
    }
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_predict(m, x->x, x->n, x->d, x->d, labels);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_kneighbors(m, x->x, x->n, x->d, x->d, 4, idx, dist, 64 * 4);
    if (st == HOGFEAT_OK && x->ref_labels) {
        ck_assert_int_eq(memcmp(labels, x->ref_labels, x->n * sizeof *labels), 0);
        ck_assert_int_eq(memcmp(idx, x->ref_idx, x->n * 4 * sizeof *idx), 0);
    }
    if (st == HOGFEAT_OK && !x->ref_labels) {
        x->ref_labels = malloc(x->n * sizeof *labels);
        x->ref_idx = malloc(x->n * 4 * sizeof *idx);
        memcpy(x->ref_labels, labels, x->n * sizeof *labels);
        memcpy(x->ref_idx, idx, x->n * 4 * sizeof *idx);
    }
    hogfeat_knn_destroy(m);
    hogfeat_knn_params_destroy(p);
    return st;
}

START_TEST(test_training)
{
    train_ctx t = {malloc(60 * 7 * sizeof(float)), malloc(60 * sizeof(int32_t)), 60, 7, 1, {NULL, 0}};
    r_training_set(60, 7, 3, 9, t.x, t.y);
    for (int32_t threads = 1; threads <= 2; threads++) {
        t.threads = threads;
        ck_assert_int_eq(op_svm_train(&t), HOGFEAT_OK);
        /* reference model from a clean run */
        hogfeat_linsvm_params *p = NULL;
        hogfeat_linsvm *m = NULL;
        ROK(hogfeat_linsvm_params_create(&p));
        ROK(hogfeat_linsvm_params_set_class_weight(p, 20, 2.0));
        ROK(hogfeat_linsvm_train(p, t.x, t.n, t.d, t.d, t.y, &m));
        t.ref = r_save_svm(m);
        hogfeat_linsvm_destroy(m);
        hogfeat_linsvm_params_destroy(p);
        sweep(threads == 1 ? "linsvm_train 3 classes" : "linsvm_train 2 threads", op_svm_train, &t);
        rb_free(&t.ref);
    }
    knn_ctx k = {t.x, t.y, t.n, t.d, NULL, NULL};
    ck_assert_int_eq(op_knn(&k), HOGFEAT_OK);
    sweep("knn fit+predict+kneighbors", op_knn, &k);
    free(k.ref_labels);
    free(k.ref_idx);
    free(t.x);
    free(t.y);
}
END_TEST

/* ---- model save and load ---------------------------------------------------------------------- */

typedef struct model_ctx {
    int kind;
    const void *model;
    rbuf bytes;
    rtmp tmp;
    char path[512], dst[512];
} model_ctx;

static hogfeat_status load_kind(int kind, const void *data, size_t n, const char *path, rbuf *resaved)
{
    hogfeat_status st;
    void *h = (void *)(uintptr_t)1;
    if (kind == 0) {
        st = path ? hogfeat_linsvm_load_file(path, NULL, (hogfeat_linsvm **)&h)
                  : hogfeat_linsvm_load(data, n, NULL, (hogfeat_linsvm **)&h);
        if (h && st == HOGFEAT_OK)
            *resaved = r_save_svm(h);
        hogfeat_linsvm_destroy(st == HOGFEAT_OK ? h : NULL);
    } else if (kind == 1) {
        st = path ? hogfeat_knn_load_file(path, NULL, (hogfeat_knn **)&h)
                  : hogfeat_knn_load(data, n, NULL, (hogfeat_knn **)&h);
        if (st == HOGFEAT_OK)
            *resaved = r_save_knn(h);
        hogfeat_knn_destroy(st == HOGFEAT_OK ? h : NULL);
    } else {
        st = path ? hogfeat_pipeline_load_file(path, NULL, (hogfeat_pipeline **)&h)
                  : hogfeat_pipeline_load(data, n, NULL, (hogfeat_pipeline **)&h);
        if (st == HOGFEAT_OK)
            *resaved = r_save_pipeline(h);
        hogfeat_pipeline_destroy(st == HOGFEAT_OK ? h : NULL);
    }
    ck_assert_msg((st == HOGFEAT_OK) == (h != NULL), "handle %p with %s", h, hogfeat_status_name(st));
    return st;
}

static hogfeat_status op_load_mem(void *c)
{
    model_ctx *x = c;
    rbuf again = {NULL, 0};
    hogfeat_status st = load_kind(x->kind, x->bytes.p, x->bytes.n, NULL, &again);
    if (st == HOGFEAT_OK)
        ck_assert(r_same(&again, &x->bytes));
    rb_free(&again);
    return st;
}

static hogfeat_status op_load_file(void *c)
{
    model_ctx *x = c;
    rbuf again = {NULL, 0};
    hogfeat_status st = load_kind(x->kind, NULL, 0, x->path, &again);
    if (st == HOGFEAT_OK)
        ck_assert(r_same(&again, &x->bytes));
    rb_free(&again);
    return st;
}

/* Save over an existing file: on failure the old bytes stay, and no temporary file is left. */
static hogfeat_status op_save_file(void *c)
{
    model_ctx *x = c;
    r_write_file(x->dst, "old", 3);
    hogfeat_status st = x->kind == 0   ? hogfeat_linsvm_save_file(x->model, x->dst)
                        : x->kind == 1 ? hogfeat_knn_save_file(x->model, x->dst)
                                       : hogfeat_pipeline_save_file(x->model, x->dst);
    rbuf now = r_read_file(x->dst);
    if (st == HOGFEAT_OK)
        ck_assert(r_same(&now, &x->bytes));
    else
        ck_assert(now.n == 3 && memcmp(now.p, "old", 3) == 0);
    rb_free(&now);
    ck_assert_int_eq(r_count_entries(x->tmp.dir, NULL, 0), 2); /* the source model and dst */
    return st;
}

START_TEST(test_models)
{
    hogfeat_linsvm *s = r_make_svm(3, 12, 6, 1);
    hogfeat_knn *k = r_make_knn(2, 9, 5, 3, 2);
    hogfeat_pipeline *p = r_make_pipeline(1, 3);
    const void *models[3] = {s, k, p};
    static const char *const names[3][3] = {{"linsvm_load", "linsvm_load_file", "linsvm_save_file"},
                                            {"knn_load", "knn_load_file", "knn_save_file"},
                                            {"pipeline_load", "pipeline_load_file", "pipeline_save_file"}};
    for (int kind = 0; kind < 3; kind++) {
        model_ctx x;
        memset(&x, 0, sizeof x);
        x.kind = kind;
        x.model = models[kind];
        x.bytes = kind == 0 ? r_save_svm(s) : kind == 1 ? r_save_knn(k) : r_save_pipeline(p);
        r_tmp_make(&x.tmp);
        r_path(&x.tmp, "model", x.path, sizeof x.path);
        r_path(&x.tmp, "saved", x.dst, sizeof x.dst);
        r_write_file(x.path, x.bytes.p, x.bytes.n);
        sweep(names[kind][0], op_load_mem, &x);
        sweep(names[kind][1], op_load_file, &x);
        sweep(names[kind][2], op_save_file, &x);
        rb_free(&x.bytes);
        r_tmp_remove(&x.tmp);
    }
    hogfeat_linsvm_destroy(s);
    hogfeat_knn_destroy(k);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* ---- datasets and PGM --------------------------------------------------------------------------- */

typedef struct idx_ctx {
    rbuf img, lab;
    const char *img_path, *lab_path, *dir;
} idx_ctx;

static hogfeat_status check_dataset(hogfeat_status st, hogfeat_dataset *ds)
{
    ck_assert((st == HOGFEAT_OK) == (ds != NULL));
    if (ds) {
        ck_assert_uint_eq(hogfeat_dataset_count(ds), 50);
        ck_assert_int_eq(hogfeat_dataset_labels(ds)[49], 9);
        hogfeat_image *im = NULL;
        st = hogfeat_dataset_image(ds, 3, &im);
        ck_assert((st == HOGFEAT_OK) == (im != NULL));
        hogfeat_image_destroy(im);
    }
    hogfeat_dataset_destroy(ds);
    return st;
}

static hogfeat_status op_idx_mem(void *c)
{
    idx_ctx *x = c;
    hogfeat_dataset *ds = (hogfeat_dataset *)(uintptr_t)1;
    hogfeat_status st = hogfeat_dataset_read_idx(x->img.p, x->img.n, x->lab.p, x->lab.n, NULL, &ds);
    return check_dataset(st, ds);
}

static hogfeat_status op_idx_files(void *c)
{
    idx_ctx *x = c;
    hogfeat_dataset *ds = (hogfeat_dataset *)(uintptr_t)1;
    hogfeat_status st = x->dir ? hogfeat_dataset_load_mnist(x->dir, HOGFEAT_SPLIT_TEST, NULL, &ds)
                               : hogfeat_dataset_load_idx(x->img_path, x->lab_path, NULL, &ds);
    return check_dataset(st, ds);
}

START_TEST(test_datasets)
{
    rbuf img = r_idx_images(50, 12, 10, 50 * 120), lab = r_idx_labels(50, 50);
    idx_ctx plain = {img, lab, NULL, NULL, NULL};
    sweep("dataset_read_idx plain", op_idx_mem, &plain);
    idx_ctx gz = {r_gzip(img.p, img.n), r_gzip(lab.p, lab.n), NULL, NULL, NULL};
    sweep("dataset_read_idx gzip", op_idx_mem, &gz);
    rtmp t;
    r_tmp_make(&t);
    char ip[512], lp[512];
    r_path(&t, "t10k-images-idx3-ubyte.gz", ip, sizeof ip);
    r_path(&t, "t10k-labels-idx1-ubyte", lp, sizeof lp);
    r_write_file(ip, gz.img.p, gz.img.n);
    r_write_file(lp, lab.p, lab.n);
    idx_ctx files = {img, lab, ip, lp, NULL};
    sweep("dataset_load_idx files", op_idx_files, &files);
    idx_ctx dir = {img, lab, NULL, NULL, t.dir};
    sweep("dataset_load_mnist", op_idx_files, &dir);
    r_tmp_remove(&t);
    rb_free(&gz.img);
    rb_free(&gz.lab);
    rb_free(&img);
    rb_free(&lab);
}
END_TEST

typedef struct pgm_ctx {
    rbuf bytes;
    const char *path, *out_path;
} pgm_ctx;

static hogfeat_status op_pgm(void *c)
{
    pgm_ctx *x = c;
    hogfeat_image *img = (hogfeat_image *)(uintptr_t)1;
    hogfeat_status st = x->path ? hogfeat_pgm_read_file(x->path, NULL, &img)
                                : hogfeat_pgm_read(x->bytes.p, x->bytes.n, NULL, &img);
    ck_assert((st == HOGFEAT_OK) == (img != NULL));
    if (st == HOGFEAT_OK && x->out_path)
        st = hogfeat_pgm_write_file(img, x->out_path);
    hogfeat_image_destroy(img);
    return st;
}

START_TEST(test_pgm)
{
    static const char p2[] = "P2\n3 2\n1000\n0 500 1000\n1 2 3\n";
    rbuf p5 = rb_copy("P5\n4 3\n255\n", 11);
    for (int i = 0; i < 12; i++)
        rb_u8(&p5, (unsigned)(i * 20));
    pgm_ctx a = {p5, NULL, NULL}, b = {rb_copy(p2, sizeof p2 - 1), NULL, NULL};
    sweep("pgm_read P5", op_pgm, &a);
    sweep("pgm_read P2 16-bit", op_pgm, &b);
    rtmp t;
    r_tmp_make(&t);
    char in[512], out[512];
    r_path(&t, "in.pgm", in, sizeof in);
    r_path(&t, "out.pgm", out, sizeof out);
    r_write_file(in, b.bytes.p, b.bytes.n);
    pgm_ctx f = {b.bytes, in, out};
    sweep("pgm_read_file + write_file", op_pgm, &f);
    r_tmp_remove(&t);
    rb_free(&a.bytes);
    rb_free(&b.bytes);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc-sweep");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"image", test_image_and_config}, {"hog", test_hog_compute}, {"batch", test_batch},
        {"training", test_training},      {"models", test_models},   {"datasets", test_datasets},
        {"pgm", test_pgm},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 900);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
