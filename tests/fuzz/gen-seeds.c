/* Writes the hand-made seed inputs of every fuzz target:
 *   fuzz-gen-seeds OUTDIR   ->  OUTDIR/<target>/seed-<name>
 * Seeds are small valid inputs plus typical hostile variants, so the fuzzers
 * start past the format checks. The committed corpus (tests/fuzz/corpus) is
 * this output plus inputs the fuzzers found (crashers and coverage). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <hogfeat/hogfeat.h>

static const char *outdir;

static void die(const char *what)
{
    fprintf(stderr, "fuzz-gen-seeds: %s: %s\n", what, hogfeat_last_error_message());
    exit(1);
}

static void put(const char *target, const char *name, const void *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof path, "%s/%s/seed-%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        die(path);
}

/* ---- bytes ----------------------------------------------------------------- */

typedef struct buf {
    unsigned char *p;
    size_t n;
} buf;

static void add(buf *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->n + n + 1);
    if (!b->p)
        die("realloc");
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void add8(buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    add(b, &c, 1);
}

static void add16(buf *b, unsigned v)
{
    add8(b, v & 0xff);
    add8(b, (v >> 8) & 0xff);
}

static void addbe32(buf *b, uint32_t v)
{
    add8(b, v >> 24);
    add8(b, (v >> 16) & 0xff);
    add8(b, (v >> 8) & 0xff);
    add8(b, v & 0xff);
}

static buf gzip_of(const buf *src, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    buf out = {malloc(deflateBound(&zs, (uLong)src->n) + 32), 0};
    zs.next_in = src->p;
    zs.avail_in = (uInt)src->n;
    zs.next_out = out.p;
    zs.avail_out = (uInt)deflateBound(&zs, (uLong)src->n) + 32;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        die("deflate");
    out.n = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static uint32_t get32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void fix_crc(buf *b)
{
    uLong crc = crc32(crc32(0L, Z_NULL, 0), b->p, (uInt)(b->n - 4));
    put32le(b->p + b->n - 4, (uint32_t)crc);
}

/* ---- models ---------------------------------------------------------------- */

static float feat(size_t i, size_t j, int32_t label)
{
    return (float)((int)((i * 7 + j * 3) % 5) - 2) * 0.25f + (float)label * (j % 2 ? 0.5f : -0.5f);
}

static void training_set(size_t n, size_t d, int32_t classes, float *x, int32_t *y)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)(i % (size_t)classes) * 3 - 1;
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = feat(i, j, y[i]);
    }
}

static hogfeat_linsvm *make_svm(int32_t classes, size_t d, double bias)
{
    float x[64 * 16];
    int32_t y[64];
    size_t n = 12;
    training_set(n, d, classes, x, y);
    hogfeat_linsvm_params *p = NULL;
    hogfeat_linsvm *m = NULL;
    if (hogfeat_linsvm_params_create(&p) || hogfeat_linsvm_params_set_bias(p, bias) ||
        hogfeat_linsvm_train(p, x, n, d, d, y, &m))
        die("train");
    hogfeat_linsvm_params_destroy(p);
    return m;
}

static hogfeat_knn *make_knn(int32_t classes, size_t n, size_t d, int32_t k, hogfeat_metric metric)
{
    float x[64 * 16];
    int32_t y[64];
    training_set(n, d, classes, x, y);
    hogfeat_knn_params *p = NULL;
    hogfeat_knn *m = NULL;
    if (hogfeat_knn_params_create(&p) || hogfeat_knn_params_set_k(p, k) || hogfeat_knn_params_set_metric(p, metric) ||
        hogfeat_knn_params_set_weighting(p, HOGFEAT_KNN_DISTANCE) || hogfeat_knn_fit(p, x, n, d, d, y, &m))
        die("fit");
    hogfeat_knn_params_destroy(p);
    return m;
}

/* A pipeline for 16x16 images: 4x4 cells, 2x2 blocks, 4 bins -> 9 blocks x 16 = 144 features. */
static hogfeat_pipeline *make_pipeline(int with_svm, double sigma, size_t rw, size_t rh)
{
    hogfeat_hog_config *cfg = NULL;
    hogfeat_pipeline *p = NULL;
    if (hogfeat_hog_config_create(&cfg) || hogfeat_hog_config_set_cell_size(cfg, 4, 4) ||
        hogfeat_hog_config_set_block_size(cfg, 2, 2) || hogfeat_hog_config_set_orientations(cfg, 4) ||
        hogfeat_pipeline_create(cfg, &p) || hogfeat_pipeline_set_blur(p, sigma) ||
        hogfeat_pipeline_set_resize(p, rw, rh))
        die("pipeline");
    size_t d = 144;
    if (with_svm) {
        hogfeat_linsvm *m = make_svm(2, 16, 1.0);
        /* A model for 16 features does not fit a 144-feature pipeline for
         * predict, but saves and loads fine: the fuzzer checks both paths. */
        if (hogfeat_pipeline_set_linsvm(p, m))
            die("set_linsvm");
        hogfeat_linsvm_destroy(m);
    } else {
        hogfeat_knn *m = make_knn(3, 4, d, 1, HOGFEAT_METRIC_L2);
        if (hogfeat_pipeline_set_knn(p, m))
            die("set_knn");
        hogfeat_knn_destroy(m);
    }
    hogfeat_hog_config_destroy(cfg);
    return p;
}

typedef hogfeat_status (*save_fn)(const void *, void *, size_t, size_t *);
static hogfeat_status s_svm(const void *m, void *b, size_t c, size_t *o) { return hogfeat_linsvm_save(m, b, c, o); }
static hogfeat_status s_knn(const void *m, void *b, size_t c, size_t *o) { return hogfeat_knn_save(m, b, c, o); }
static hogfeat_status s_pipe(const void *m, void *b, size_t c, size_t *o) { return hogfeat_pipeline_save(m, b, c, o); }

static buf saved(save_fn save, const void *m)
{
    size_t need = 0;
    save(m, NULL, 0, &need);
    buf b = {malloc(need + 1), need};
    if (save(m, b.p, need, &need))
        die("save");
    return b;
}

static void model_seeds(void)
{
    const char *t = "model-load";
    hogfeat_linsvm *s2 = make_svm(2, 3, 1.0), *s3 = make_svm(3, 2, 0.0);
    hogfeat_knn *k1 = make_knn(2, 3, 2, 1, HOGFEAT_METRIC_L2), *k2 = make_knn(4, 6, 3, 3, HOGFEAT_METRIC_COSINE);
    hogfeat_knn *k3 = make_knn(3, 5, 2, 2, HOGFEAT_METRIC_CHI2), *k4 = make_knn(2, 2, 1, 2, HOGFEAT_METRIC_L1);
    hogfeat_pipeline *ps = make_pipeline(1, 0.0, 0, 0), *pk = make_pipeline(0, 1.5, 16, 16);
    buf b;
    b = saved(s_svm, s2); put(t, "svm-2class", b.p, b.n);
    /* Variants of the 2-class SVM. */
    buf v = {NULL, 0};
    add(&v, b.p, b.n);
    v.p[v.n - 1] ^= 1;
    put(t, "svm-bad-crc", v.p, v.n);
    put(t, "svm-truncated", b.p, b.n / 2);
    put(t, "empty", b.p, 0);
    put(t, "magic-only", b.p, 8);
    v.n = 0;
    add(&v, b.p, b.n);
    v.p[8] = 2;
    fix_crc(&v);
    put(t, "svm-major-2", v.p, v.n);
    v.n = 0;
    add(&v, b.p, b.n);
    v.p[4] = '\n'; /* CR lost in a text transfer (length now wrong too) */
    put(t, "svm-text-mode", v.p, v.n);
    v.n = 0;
    add(&v, b.p, b.n);
    add8(&v, 0);
    put(t, "svm-trailing-byte", v.p, v.n);
    /* Weight 0 made NaN, then a huge class count, both with a valid CRC. */
    v.n = 0;
    add(&v, b.p, b.n);
    put32le(v.p + v.n - 8, 0x7fc00000u);
    fix_crc(&v);
    put(t, "svm-nan-weight", v.p, v.n);
    v.n = 0;
    add(&v, b.p, b.n);
    put32le(v.p + 40, 0xffffffffu);
    fix_crc(&v);
    put(t, "svm-huge-classes", v.p, v.n);
    /* An unknown optional section and an unknown critical one before the classifier. */
    for (int critical = 0; critical <= 1; critical++) {
        v.n = 0;
        add(&v, b.p, 24);
        add(&v, "XTRA", 4);
        unsigned char hdr[12] = {(unsigned char)critical, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
        add(&v, hdr, 12);
        add(&v, "abc", 3);
        add(&v, b.p + 24, b.n - 24);
        uint64_t len = v.n;
        for (int i = 0; i < 8; i++)
            v.p[16 + i] = (unsigned char)(len >> (8 * i));
        fix_crc(&v);
        put(t, critical ? "svm-unknown-critical" : "svm-unknown-optional", v.p, v.n);
    }
    free(b.p);
    b = saved(s_svm, s3); put(t, "svm-3class-nobias", b.p, b.n); free(b.p);
    b = saved(s_knn, k1); put(t, "knn-l2", b.p, b.n);
    v.n = 0;
    add(&v, b.p, b.n);
    put32le(v.p + 40, 99); /* k */
    fix_crc(&v);
    put(t, "knn-k-too-large", v.p, v.n);
    free(b.p);
    b = saved(s_knn, k2); put(t, "knn-cosine", b.p, b.n); free(b.p);
    b = saved(s_knn, k3); put(t, "knn-chi2", b.p, b.n); free(b.p);
    b = saved(s_knn, k4); put(t, "knn-l1", b.p, b.n); free(b.p);
    b = saved(s_pipe, ps); put(t, "pipeline-svm", b.p, b.n);
    /* FEAT and LSVM swapped: readers accept any order. */
    {
        size_t feat_len = 16 + 56, body = b.n - 4;
        v.n = 0;
        add(&v, b.p, 24);
        add(&v, b.p + 24 + feat_len, body - 24 - feat_len);
        add(&v, b.p + 24, feat_len);
        add(&v, b.p + body, 4);
        fix_crc(&v);
        put(t, "pipeline-swapped", v.p, v.n);
        v.n = 0;
        add(&v, b.p, b.n);
        put32le(v.p + 24 + 16 + 4, 5000); /* cell width above 4096 */
        fix_crc(&v);
        put(t, "pipeline-bad-cell", v.p, v.n);
        (void)get32le;
    }
    free(b.p);
    b = saved(s_pipe, pk); put(t, "pipeline-knn-blur-resize", b.p, b.n); free(b.p);
    /* Format 1.3: a second HOG and an LBP (DESC), then each feature map (FMAP). */
    {
        hogfeat_hog_config *h8 = NULL;
        hogfeat_lbp_config *lbp = NULL;
        if (hogfeat_hog_config_create(&h8) || hogfeat_hog_config_set_cell_size(h8, 8, 8) ||
            hogfeat_hog_config_set_block_size(h8, 1, 1) || hogfeat_lbp_config_create(&lbp) ||
            hogfeat_lbp_config_set_method(lbp, HOGFEAT_LBP_UNIFORM) || hogfeat_lbp_config_set_cell_size(lbp, 8, 8) ||
            hogfeat_pipeline_add_hog(ps, h8) || hogfeat_pipeline_add_lbp(ps, lbp))
            die("descriptors");
        b = saved(s_pipe, ps); put(t, "pipeline-desc", b.p, b.n); free(b.p);
        if (hogfeat_pipeline_set_feature_map(ps, HOGFEAT_FEATURE_MAP_HELLINGER, 0, 0.0))
            die("hellinger");
        b = saved(s_pipe, ps); put(t, "pipeline-desc-hellinger", b.p, b.n); free(b.p);
        if (hogfeat_pipeline_set_feature_map(ps, HOGFEAT_FEATURE_MAP_CHI2, 2, 0.0))
            die("chi2");
        b = saved(s_pipe, ps); put(t, "pipeline-desc-chi2", b.p, b.n); free(b.p);
        if (hogfeat_pipeline_set_feature_map(pk, HOGFEAT_FEATURE_MAP_INTERSECTION, 3, 0.0))
            die("intersection");
        b = saved(s_pipe, pk); put(t, "pipeline-knn-intersection", b.p, b.n); free(b.p);
        /* RBF with D = 16, the SVM's feature count, drawn for 16x16 images. */
        if (hogfeat_pipeline_set_rbf_map(ps, 16, 16, 16, 0.5, 3))
            die("rbf");
        b = saved(s_pipe, ps); put(t, "pipeline-desc-rbf", b.p, b.n); free(b.p);
        hogfeat_lbp_config_destroy(lbp);
        hogfeat_hog_config_destroy(h8);
    }
    free(v.p);
    hogfeat_linsvm_destroy(s2);
    hogfeat_linsvm_destroy(s3);
    hogfeat_knn_destroy(k1);
    hogfeat_knn_destroy(k2);
    hogfeat_knn_destroy(k3);
    hogfeat_knn_destroy(k4);
    hogfeat_pipeline_destroy(ps);
    hogfeat_pipeline_destroy(pk);
}

/* ---- IDX ------------------------------------------------------------------- */

static buf idx_images(uint32_t count, uint32_t rows, uint32_t cols, size_t actual_payload)
{
    buf b = {NULL, 0};
    add8(&b, 0);
    add8(&b, 0);
    add8(&b, 8);
    add8(&b, 3);
    addbe32(&b, count);
    addbe32(&b, rows);
    addbe32(&b, cols);
    for (size_t i = 0; i < actual_payload; i++)
        add8(&b, (unsigned)(i * 29 % 256));
    return b;
}

static buf idx_labels(uint32_t count, size_t actual)
{
    buf b = {NULL, 0};
    add8(&b, 0);
    add8(&b, 0);
    add8(&b, 8);
    add8(&b, 1);
    addbe32(&b, count);
    for (size_t i = 0; i < actual; i++)
        add8(&b, (unsigned)(i % 10));
    return b;
}

/* fuzz-idx input: control, 16-bit image length, images, labels. */
static void idx_seed(const char *name, unsigned control, const buf *img, const buf *lab)
{
    buf s = {NULL, 0};
    add8(&s, control);
    if (control & 2) {
        add8(&s, 3);   /* items 4 */
        add8(&s, 10);  /* pixels 41 */
        add8(&s, 4);   /* bytes 257 */
    }
    add16(&s, (unsigned)img->n);
    add(&s, img->p, img->n);
    if (lab)
        add(&s, lab->p, lab->n);
    put("idx", name, s.p, s.n);
    free(s.p);
}

/* fuzz-idx-gzip input: control, mutation, where, value, 16-bit image length, images, labels. */
static void idxgz_seed(const char *name, unsigned control, unsigned mutation, unsigned where, const buf *img,
                       const buf *lab)
{
    buf s = {NULL, 0};
    add8(&s, control);
    add8(&s, mutation);
    add16(&s, where);
    add8(&s, 0x5a);
    add16(&s, (unsigned)img->n);
    add(&s, img->p, img->n);
    if (lab)
        add(&s, lab->p, lab->n);
    put("idx-gzip", name, s.p, s.n);
    free(s.p);
}

static void idx_seeds(void)
{
    buf img = idx_images(3, 4, 5, 60), lab = idx_labels(3, 3);
    buf empty_img = idx_images(0, 28, 28, 0), empty_lab = idx_labels(0, 0);
    buf short_img = idx_images(3, 4, 5, 59), long_img = idx_images(3, 4, 5, 61);
    buf zero_rows = idx_images(1, 0, 5, 0), huge = idx_images(0xffffffffu, 0xffffffffu, 0xffffffffu, 4);
    buf lab_more = idx_labels(4, 4);
    idx_seed("images-only", 0, &img, NULL);
    idx_seed("images-labels", 1, &img, &lab);
    idx_seed("empty", 1, &empty_img, &empty_lab);
    idx_seed("short-payload", 1, &short_img, &lab);
    idx_seed("trailing-byte", 0, &long_img, NULL);
    idx_seed("zero-rows", 0, &zero_rows, NULL);
    idx_seed("huge-header", 1, &huge, &lab);
    idx_seed("label-count-mismatch", 1, &img, &lab_more);
    idx_seed("tight-limits", 3, &img, &lab);
    buf bad = {NULL, 0};
    add(&bad, img.p, img.n);
    bad.p[2] = 0x0d;
    idx_seed("float-type", 0, &bad, NULL);
    bad.p[2] = 8;
    bad.p[3] = 1;
    idx_seed("wrong-dims", 0, &bad, NULL);
    buf gimg = gzip_of(&img, 9), glab = gzip_of(&lab, 1);
    idx_seed("gzip-both", 1, &gimg, &glab);
    idx_seed("gzip-images", 1, &gimg, &lab);
    buf trunc = {NULL, 0};
    add(&trunc, gimg.p, gimg.n - 5);
    idx_seed("gzip-truncated", 0, &trunc, NULL);
    /* A bomb: a small header declaring 1000 images of 32x32, then zeros. */
    buf bomb_plain = idx_images(1000, 32, 32, 1000 * 1024);
    buf bomb = gzip_of(&bomb_plain, 9);
    idx_seed("gzip-bomb-exact", 0, &bomb, NULL);
    buf bomb_hdr = idx_images(60000, 28, 28, 0);
    buf bomb_lie_plain = bomb_hdr;
    for (int i = 0; i < 20000; i++)
        add8(&bomb_lie_plain, 0);
    buf bomb_lie = gzip_of(&bomb_lie_plain, 9);
    idx_seed("gzip-lying-header", 0, &bomb_lie, NULL);

    idxgz_seed("plain", 0x61, 0, 0, &img, NULL);
    idxgz_seed("both-level9", 0x97, 0, 0, &img, &lab);
    idxgz_seed("two-members", 0x6f, 0, 17, &img, &lab);
    idxgz_seed("truncated", 0x63, 0x01, 20, &img, NULL);
    idxgz_seed("flipped", 0x67, 0x12, 30, &img, &lab);
    idxgz_seed("garbage-after", 0x63, 0x03, 0, &img, NULL);
    idxgz_seed("empty-member-after", 0x67, 0x24, 0, &img, &lab);
    idxgz_seed("empty-dataset", 0x07, 0, 0, &empty_img, &empty_lab);
    idxgz_seed("short", 0x03, 0, 0, &short_img, NULL);
    idxgz_seed("long", 0x03, 0, 0, &long_img, NULL);
    idxgz_seed("level0", 0x07, 0, 0, &img, &lab);
    free(img.p); free(lab.p); free(empty_img.p); free(empty_lab.p); free(short_img.p); free(long_img.p);
    free(zero_rows.p); free(huge.p); free(lab_more.p); free(bad.p); free(gimg.p); free(glab.p); free(trunc.p);
    free(bomb_plain.p); free(bomb.p); free(bomb_lie_plain.p); free(bomb_lie.p);
}

/* ---- PGM ------------------------------------------------------------------- */

static void pgm_seeds(void)
{
    const char *t = "pgm";
    static const char *const text[][2] = {
        {"p2-small", "P2\n3 2\n255\n0 128 255\n1 2 3\n"},
        {"p2-comments", "P2 # comment\n# another\n2 2 # size\n15\n0 15\n7 8"},
        {"p2-maxval1", "P2\n4 1\n1\n0 1 1 0\n"},
        {"p2-16bit", "P2\n2 1\n65535\n65535 0\n"},
        {"p2-sample-above", "P2\n2 1\n10\n11 0\n"},
        {"p2-maxval0", "P2\n1 1\n0\n0\n"},
        {"p2-maxval-65536", "P2\n1 1\n65536\n0\n"},
        {"p2-huge-width", "P2\n99999999999999999999 1\n255\n0\n"},
        {"p2-zero-height", "P2\n5 0\n255\n"},
        {"p2-truncated", "P2\n3 3\n255\n1 2 3\n"},
        {"ppm", "P6\n1 1\n255\nabc"},
        {"pbm", "P4\n8 1\n\xff"},
        {"pam", "P7\nWIDTH 1\n"},
        {"not-netpbm", "GIF89a"},
        {"magic-only", "P5"},
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        put(t, text[i][0], text[i][1], strlen(text[i][1]));
    buf b = {NULL, 0};
    add(&b, "P5\n4 3\n255\n", 11);
    for (int i = 0; i < 12; i++)
        add8(&b, (unsigned)(i * 21));
    put(t, "p5-8bit", b.p, b.n);
    put(t, "p5-truncated", b.p, b.n - 3);
    add(&b, "P5 1 1 255 x", 12); /* a second image follows: ignored */
    put(t, "p5-two-images", b.p, b.n);
    b.n = 0;
    add(&b, "P5\n3 2\n1000\n", 12);
    for (int i = 0; i < 6; i++) {
        add8(&b, (unsigned)((i * 190) >> 8));
        add8(&b, (unsigned)((i * 190) & 0xff));
    }
    put(t, "p5-16bit", b.p, b.n);
    b.p[b.n - 2] = 0xff;
    put(t, "p5-16bit-above-maxval", b.p, b.n);
    b.n = 0;
    add(&b, "P5\n2 2\n100\n\x00\x64\x32\x01", 15);
    put(t, "p5-maxval100", b.p, b.n);
    b.n = 0;
    add(&b, "P5\n# c\n2 1\n255\n# #", 19); /* samples that look like a comment */
    put(t, "p5-hash-samples", b.p, b.n);
    free(b.p);
}

/* ---- HOG and round trip (structured inputs) ---------------------------------- */

static void hog_seed(const char *name, const unsigned char *params, size_t np, size_t pixels, unsigned seed)
{
    buf b = {NULL, 0};
    add(&b, params, np);
    for (size_t i = 0; i < pixels; i++)
        add8(&b, (seed * 131 + (unsigned)i * 37 + (unsigned)(i / 17) * 91) & 0xff);
    put("hog", name, b.p, b.n);
    free(b.p);
}

static void hog_seeds(void)
{
    /* signed, bins(u16), cw, ch, bw, bh, sx, sy, norm, sqrt, format, w, h, pad, mode[, sigma, rw, rh] */
    static const struct {
        const char *name;
        unsigned char p[20];
        size_t np, pixels;
    } seeds[] = {
        {"default-u8-gray", {0, 9, 0, 8, 8, 3, 3, 1, 1, 4, 0, 1, 23, 23, 0, 0}, 16, 576},
        {"u8-rgb-signed", {1, 18, 0, 4, 4, 2, 2, 1, 1, 3, 0, 2, 15, 11, 3, 0}, 16, 3 * 16 * 12},
        {"f32-gray-tame", {0, 9, 0, 5, 3, 2, 1, 2, 1, 1, 1, 3, 19, 9, 0, 1}, 16, 400},
        {"f32-rgb-raw", {0, 6, 0, 2, 2, 1, 1, 1, 1, 2, 0, 4, 7, 7, 4, 0}, 16, 12 * 8 * 8 * 2},
        {"f32-misaligned-stride", {0, 9, 0, 4, 4, 1, 1, 1, 1, 4, 0, 3, 7, 7, 2, 1}, 16, 300},
        {"cell-too-big", {0, 9, 0, 24, 24, 3, 3, 1, 1, 4, 0, 1, 15, 15, 0, 0}, 16, 256},
        {"one-bin-one-px", {0, 1, 0, 1, 1, 1, 1, 1, 1, 3, 1, 1, 3, 2, 0, 0}, 16, 16},
        {"max-bins", {1, 104, 1, 3, 3, 1, 1, 1, 1, 4, 1, 1, 11, 11, 0, 0}, 16, 144},
        {"invalid-params", {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 7, 7, 0, 0}, 16, 64},
        {"bad-format", {0, 9, 0, 8, 8, 3, 3, 1, 1, 4, 0, 5, 7, 7, 0, 0}, 16, 64},
        {"pipeline-blur", {0, 9, 0, 4, 4, 2, 2, 1, 1, 4, 0, 1, 23, 17, 0, 2, 40, 0, 0}, 19, 600},
        {"pipeline-resize-f32", {0, 8, 0, 4, 4, 2, 2, 1, 1, 3, 0, 3, 9, 9, 0, 3, 16, 31, 23}, 19, 400},
        {"pipeline-u8-rgb", {0, 9, 0, 3, 3, 2, 2, 1, 1, 2, 1, 2, 20, 20, 1, 6, 8, 12, 12}, 19, 1300},
        {"threads", {0, 9, 0, 4, 4, 2, 2, 1, 1, 4, 0, 1, 30, 30, 0, 12}, 16, 961},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        hog_seed(seeds[i].name, seeds[i].p, seeds[i].np, seeds[i].pixels, (unsigned)i);
}

static void roundtrip_seed(const char *name, const unsigned char *head, size_t nh, size_t body, unsigned seed)
{
    buf b = {NULL, 0};
    add(&b, head, nh);
    for (size_t i = 0; i < body; i++)
        add8(&b, (seed * 77 + (unsigned)i * 53 + (unsigned)(i / 7) * 13) & 0xff);
    put("roundtrip", name, b.p, b.n);
    free(b.p);
}

static void roundtrip_seeds(void)
{
    /* kind, n, d, flags, classes, then labels, features, parameters. */
    static const struct {
        const char *name;
        unsigned char head[5];
        size_t body;
    } seeds[] = {
        {"svm-binary", {0, 11, 3, 0, 1}, 200},
        {"svm-multiclass", {0, 17, 5, 0, 3}, 300},
        {"svm-class-weight", {0, 9, 2, 4, 2}, 200},
        {"svm-raw-floats", {0, 7, 2, 1, 1}, 200},
        {"svm-raw-labels", {0, 8, 4, 2, 1}, 200},
        {"svm-one-class", {0, 6, 2, 0, 0}, 120},
        {"knn-l2", {1, 9, 3, 0, 2}, 200},
        {"knn-k-large", {1, 2, 2, 0, 1}, 120},
        {"knn-raw", {1, 13, 6, 3, 5}, 400},
        {"pipe-svm", {2, 11, 4, 0, 1}, 300},
        {"pipe-knn", {3, 9, 5, 0, 3}, 300},
        {"pipe-knn-raw", {3, 7, 1, 1, 2}, 300},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        roundtrip_seed(seeds[i].name, seeds[i].head, 5, seeds[i].body, (unsigned)i);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST)
        die(outdir);
    model_seeds();
    idx_seeds();
    pgm_seeds();
    hog_seeds();
    roundtrip_seeds();
    return 0;
}
