/* Pipeline: preprocessing parity (blur against scikit-image, resize against
 * OpenCV and hand-computed values), extraction equal to hogfeat_hog_compute,
 * prediction with hand-made classifiers, argument validation, reference
 * counting and allocation failures.
 *
 * Fixtures: $HOGFEAT_TEST_FIXTURES/blur/\*.pre, written by
 * tests/gen_blur_fixtures.py (format in tests/data/blur/README.md). Tolerance:
 * max |delta| <= 1e-5 in [0, 1] units for both blur and resize. */
#include "common.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>

#include "preprocess.h"
#include "private.h"

#define PRE_TOL 1e-5
#define PRE_MIN_BLUR 8
#define PRE_MIN_RESIZE 4

/* ---- fixtures ---------------------------------------------------------------- */

typedef struct pre_fixture {
    char name[256];
    uint32_t kind, dtype, channels, w, h, ow, oh;
    double sigma;
    unsigned char *input; /* raw samples */
    double *expect;       /* oh * ow * channels */
} pre_fixture;

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double lef64(const unsigned char *p)
{
    uint64_t u = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static int read_whole(const char *path, unsigned char **out, size_t *out_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > (64L << 20)) {
        fclose(f);
        return -1;
    }
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = buf;
    *out_size = (size_t)n;
    return 0;
}

/* Loads and checks one .pre file; fails the test on any inconsistency. */
static void load_fixture(const char *path, pre_fixture *fx)
{
    unsigned char *b = NULL;
    size_t n = 0;
    ck_assert_msg(read_whole(path, &b, &n) == 0, "cannot read %s", path);
    ck_assert_msg(n >= 48 && memcmp(b, "HFPRE1\r\n", 8) == 0, "%s: bad magic", path);
    fx->kind = le32(b + 8);
    fx->dtype = le32(b + 12);
    fx->channels = le32(b + 16);
    fx->w = le32(b + 20);
    fx->h = le32(b + 24);
    fx->ow = le32(b + 28);
    fx->oh = le32(b + 32);
    fx->sigma = lef64(b + 40);
    ck_assert(fx->kind == 1 || fx->kind == 2);
    ck_assert(fx->dtype == 1 || fx->dtype == 2);
    ck_assert(fx->channels == 1 || fx->channels == 3);
    ck_assert(fx->w >= 1 && fx->h >= 1 && fx->w <= 4096 && fx->h <= 4096);
    ck_assert(fx->ow >= 1 && fx->oh >= 1 && fx->ow <= 4096 && fx->oh <= 4096);
    size_t in_bytes = (size_t)fx->w * fx->h * fx->channels * (fx->dtype == 1 ? 1 : 4);
    size_t out_n = (size_t)fx->ow * fx->oh * fx->channels;
    ck_assert_msg(n == 48 + in_bytes + 8 * out_n, "%s: size %zu does not match its header", path, n);
    fx->input = malloc(in_bytes);
    fx->expect = malloc(out_n * sizeof(double));
    ck_assert(fx->input && fx->expect);
    if (fx->dtype == 1) {
        memcpy(fx->input, b + 48, in_bytes);
    } else {
        for (size_t i = 0; i < in_bytes / 4; i++) {
            uint32_t u = le32(b + 48 + 4 * i);
            memcpy(fx->input + 4 * i, &u, 4);
        }
    }
    for (size_t i = 0; i < out_n; i++)
        fx->expect[i] = lef64(b + 48 + in_bytes + 8 * i);
    free(b);
}

static void free_fixture(pre_fixture *fx)
{
    free(fx->input);
    free(fx->expect);
}

static hogfeat_format fixture_format(const pre_fixture *fx)
{
    if (fx->dtype == 1)
        return fx->channels == 3 ? HOGFEAT_FORMAT_U8_RGB : HOGFEAT_FORMAT_U8_GRAY;
    return fx->channels == 3 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sorted list of the .pre files of one kind. */
static size_t list_fixtures(uint32_t kind, char names[][512], size_t cap)
{
    char dir[200];
    snprintf(dir, sizeof dir, "%s/blur", test_fixture_dir());
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "fixture directory %s is missing", dir);
    size_t count = 0;
    struct dirent *e;
    const char *want = kind == 1 ? "-blur-" : "-resize-";
    while ((e = readdir(d)) != NULL && count < cap) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".pre") == 0 && strstr(e->d_name, want))
            snprintf(names[count++], 512, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], cmp_names);
    return count;
}

static double max_diff_image(const hogfeat_image *img, const double *expect, size_t n)
{
    const float *p = hogfeat_image_data(img);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)p[i] - expect[i]);
        if (!(d <= worst))
            worst = d; /* also propagates NaN */
    }
    return worst;
}

START_TEST(test_blur_fixtures)
{
    char names[64][512];
    size_t count = list_fixtures(1, names, 64);
    ck_assert_msg(count >= PRE_MIN_BLUR, "only %zu blur fixtures", count);
    double overall = 0.0;
    for (size_t i = 0; i < count; i++) {
        pre_fixture fx;
        load_fixture(names[i], &fx);
        ck_assert_uint_eq(fx.kind, 1);
        hogfeat_image *in = NULL, *out = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(fx.input, fixture_format(&fx), fx.w, fx.h, 0, &in), HOGFEAT_OK);
        double scale = fx.dtype == 1 ? 1.0 / 255.0 : 1.0;
        ck_assert_int_eq(hogfeat__gaussian_blur(in, fx.sigma, scale, &out), HOGFEAT_OK);
        ck_assert_uint_eq(hogfeat_image_width(out), fx.w);
        ck_assert_uint_eq(hogfeat_image_height(out), fx.h);
        ck_assert_int_eq(hogfeat_image_channels(out), (int)fx.channels);
        double d = max_diff_image(out, fx.expect, (size_t)fx.w * fx.h * fx.channels);
        printf("blur   %-60s max |delta| %.3g\n", strrchr(names[i], '/') + 1, d);
        ck_assert_msg(d <= PRE_TOL, "%s: max |delta| %g > %g", names[i], d, PRE_TOL);
        if (d > overall)
            overall = d;
        hogfeat_image_destroy(out);
        hogfeat_image_destroy(in);
        free_fixture(&fx);
    }
    printf("blur: %zu fixtures, overall max |delta| %.3g\n", count, overall);
}
END_TEST

START_TEST(test_resize_fixtures)
{
    char names[64][512];
    size_t count = list_fixtures(2, names, 64);
    ck_assert_msg(count >= PRE_MIN_RESIZE, "only %zu resize fixtures", count);
    double overall = 0.0;
    for (size_t i = 0; i < count; i++) {
        pre_fixture fx;
        load_fixture(names[i], &fx);
        hogfeat_image *in = NULL, *out = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(fx.input, fixture_format(&fx), fx.w, fx.h, 0, &in), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat__resize_bilinear(in, fx.ow, fx.oh, &out), HOGFEAT_OK);
        ck_assert_uint_eq(hogfeat_image_width(out), fx.ow);
        ck_assert_uint_eq(hogfeat_image_height(out), fx.oh);
        double d = max_diff_image(out, fx.expect, (size_t)fx.ow * fx.oh * fx.channels);
        printf("resize %-60s max |delta| %.3g\n", strrchr(names[i], '/') + 1, d);
        ck_assert_msg(d <= PRE_TOL, "%s: max |delta| %g > %g", names[i], d, PRE_TOL);
        if (d > overall)
            overall = d;
        hogfeat_image_destroy(out);
        hogfeat_image_destroy(in);
        free_fixture(&fx);
    }
    printf("resize: %zu fixtures, overall max |delta| %.3g\n", count, overall);
}
END_TEST

/* ---- hand-computed resize and blur ------------------------------------------------ */

START_TEST(test_resize_hand)
{
    /* 2x2 -> 4x4: source x = (d + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1). */
    static const float src[4] = {0.0f, 1.0f, 2.0f, 3.0f};
    static const float pos[4] = {0.0f, 0.25f, 0.75f, 1.0f};
    hogfeat_image *in = NULL, *out = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(src, HOGFEAT_FORMAT_F32_GRAY, 2, 2, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, 4, 4, &out), HOGFEAT_OK);
    const float *o = hogfeat_image_data(out);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            ck_assert_float_eq(o[y * 4 + x], pos[x] + 2.0f * pos[y]);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);

    /* 4x1 -> 2x1: source x = 0.5 and 2.5, the means of neighbours. */
    static const float row[4] = {10.0f, 20.0f, 30.0f, 40.0f};
    ck_assert_int_eq(hogfeat_image_wrap(row, HOGFEAT_FORMAT_F32_GRAY, 4, 1, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, 2, 1, &out), HOGFEAT_OK);
    o = hogfeat_image_data(out);
    ck_assert_float_eq(o[0], 15.0f);
    ck_assert_float_eq(o[1], 35.0f);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);

    /* uint8 keeps its range and is not rounded: 2x1 -> 3x1, x = -1/6 (0), 0.5, 7/6 (1). */
    static const uint8_t u8[6] = {0, 255, 10, 255, 0, 20}; /* two RGB pixels */
    ck_assert_int_eq(hogfeat_image_wrap(u8, HOGFEAT_FORMAT_U8_RGB, 2, 1, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, 3, 1, &out), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_format(out), HOGFEAT_FORMAT_F32_RGB);
    o = hogfeat_image_data(out);
    static const float want[9] = {0, 255, 10, 127.5f, 127.5f, 15, 255, 0, 20};
    for (int i = 0; i < 9; i++)
        ck_assert_msg(o[i] == want[i], "sample %d: %g, want %g", i, (double)o[i], (double)want[i]);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);

    /* Same size: an exact copy; a strided source reads only its rows. */
    float padded[3 * 8];
    for (int i = 0; i < 24; i++)
        padded[i] = i % 8 < 5 ? (float)i * 0.25f : NAN;
    ck_assert_int_eq(hogfeat_image_wrap(padded, HOGFEAT_FORMAT_F32_GRAY, 5, 3, 8 * sizeof(float), &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, 5, 3, &out), HOGFEAT_OK);
    o = hogfeat_image_data(out);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++)
            ck_assert_float_eq(o[y * 5 + x], padded[y * 8 + x]);
    hogfeat_image_destroy(out);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, 0, 3, &out), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(hogfeat__resize_bilinear(in, (size_t)1 << 20, (size_t)1 << 20, &out), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_ptr_null(out);
    hogfeat_image_destroy(in);
}
END_TEST

START_TEST(test_blur_hand)
{
    /* A constant image stays constant (kernel sums to 1, edges repeat);
     * uint8 200 becomes 200 / 255. */
    uint8_t flat[7 * 5];
    memset(flat, 200, sizeof flat);
    hogfeat_image *in = NULL, *out = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(flat, HOGFEAT_FORMAT_U8_GRAY, 7, 5, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__gaussian_blur(in, 2.5, 1.0 / 255.0, &out), HOGFEAT_OK);
    const float *o = hogfeat_image_data(out);
    for (int i = 0; i < 35; i++)
        ck_assert_float_eq_tol(o[i], 200.0f / 255.0f, 1e-6f);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);

    /* sigma 1, radius 4: an impulse in the middle of a 9x1 row gives the
     * normalised kernel exp(-x^2 / 2) / sum. */
    float impulse[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
    ck_assert_int_eq(hogfeat_image_wrap(impulse, HOGFEAT_FORMAT_F32_GRAY, 9, 1, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat__gaussian_blur(in, 1.0, 1.0, &out), HOGFEAT_OK);
    o = hogfeat_image_data(out);
    double sum = 0.0;
    for (int x = -4; x <= 4; x++)
        sum += exp(-0.5 * x * x);
    for (int x = -4; x <= 4; x++)
        ck_assert_double_eq_tol((double)o[x + 4], exp(-0.5 * x * x) / sum, 1e-7);
    hogfeat_image_destroy(out);

    /* Invalid sigma at the internal level too. */
    ck_assert_int_eq(hogfeat__gaussian_blur(in, NAN, 1.0, &out), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(hogfeat__gaussian_blur(in, 64.5, 1.0, &out), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat__gaussian_blur(NULL, 1.0, 1.0, &out), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_image_destroy(in);
}
END_TEST

/* ---- pipeline basics ------------------------------------------------------------------ */

static hogfeat_hog_config *small_config(void)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, 6, 5), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, 2, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 8), HOGFEAT_OK);
    return cfg;
}

static hogfeat_pipeline *make_pipeline(void)
{
    hogfeat_hog_config *cfg = small_config();
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    hogfeat_hog_config_destroy(cfg);
    return p;
}

START_TEST(test_create_and_getters)
{
    hogfeat_pipeline *p = (hogfeat_pipeline *)(uintptr_t)1;
    hogfeat_hog_config *cfg = small_config();
    ck_assert_int_eq(hogfeat_pipeline_create(NULL, &p), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    /* The configuration is copied: changing the original later has no effect. */
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 3), HOGFEAT_OK);
    const hogfeat_hog_config *pc = hogfeat_pipeline_hog_config(p);
    ck_assert_ptr_nonnull(pc);
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(pc), 8);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(pc), 6);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_height(pc), 5);
    hogfeat_hog_config_destroy(cfg);
    ck_assert_double_eq(hogfeat_pipeline_blur(p), 0.0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_width(p), 0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_height(p), 0);
    ck_assert_ptr_null(hogfeat_pipeline_linsvm(p));
    ck_assert_ptr_null(hogfeat_pipeline_knn(p));
    /* NULL handles. */
    ck_assert_ptr_null(hogfeat_pipeline_hog_config(NULL));
    ck_assert_double_eq(hogfeat_pipeline_blur(NULL), 0.0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_width(NULL), 0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_height(NULL), 0);
    ck_assert_ptr_null(hogfeat_pipeline_linsvm(NULL));
    ck_assert_ptr_null(hogfeat_pipeline_knn(NULL));
    ck_assert_int_eq(hogfeat_pipeline_set_blur(NULL, 1.0), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(NULL, 4, 4), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_set_knn(p, NULL), HOGFEAT_ERR_NULL_POINTER);
    size_t len = 99;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(NULL, 10, 10, &len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 10, 10, NULL), HOGFEAT_ERR_NULL_POINTER);
    float f[4];
    int32_t label = 7;
    ck_assert_int_eq(hogfeat_pipeline_extract(p, NULL, f, 4), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_predict(p, NULL, &label), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(label, 7);
    hogfeat_pipeline_destroy(p);
    hogfeat_pipeline_destroy(NULL);
}
END_TEST

START_TEST(test_set_blur_validation)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.5), HOGFEAT_OK);
    static const double bad[] = {-1.0, -1e-300, 64.000001, 65.0, 1e300};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, bad[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_double_eq(hogfeat_pipeline_blur(p), 1.5); /* unchanged */
        ck_assert_msg(strstr(hogfeat_last_error_message(), "sigma") != NULL, "message: %s",
                      hogfeat_last_error_message());
    }
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, NAN), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, INFINITY), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, -INFINITY), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_double_eq(hogfeat_pipeline_blur(p), 1.5);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, HOGFEAT_PIPELINE_MAX_SIGMA), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_pipeline_blur(p), 64.0);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1e-300), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.0), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_pipeline_blur(p), 0.0);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_set_resize_validation)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 32, 24), HOGFEAT_OK);
    struct {
        size_t w, h;
        hogfeat_status want;
    } bad[] = {
        {0, 5, HOGFEAT_ERR_BAD_GEOMETRY},
        {5, 0, HOGFEAT_ERR_BAD_GEOMETRY},
        {SIZE_MAX, 2, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {SIZE_MAX, SIZE_MAX, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {(size_t)1 << 15, (size_t)1 << 14, HOGFEAT_ERR_LIMIT_EXCEEDED}, /* 2^29 pixels */
        {((size_t)1 << 28) + 1, 1, HOGFEAT_ERR_LIMIT_EXCEEDED},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(hogfeat_pipeline_set_resize(p, bad[i].w, bad[i].h), bad[i].want);
        ck_assert_uint_eq(hogfeat_pipeline_resize_width(p), 32);
        ck_assert_uint_eq(hogfeat_pipeline_resize_height(p), 24);
    }
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, (size_t)1 << 14, (size_t)1 << 14), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 1, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 0, 0), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_pipeline_resize_width(p), 0);
    ck_assert_uint_eq(hogfeat_pipeline_resize_height(p), 0);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* Descriptor of img by hogfeat_hog_compute with the pipeline's configuration; malloc'd. */
static float *hog_of(const hogfeat_pipeline *p, const hogfeat_image *img, size_t *out_len)
{
    const hogfeat_hog_config *cfg = hogfeat_pipeline_hog_config(p);
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, hogfeat_image_width(img), hogfeat_image_height(img), out_len),
                     HOGFEAT_OK);
    float *f = malloc(*out_len * sizeof *f);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(hogfeat_hog_compute(cfg, img, f, *out_len), HOGFEAT_OK);
    return f;
}

static float *extract_of(const hogfeat_pipeline *p, const hogfeat_image *img, size_t *out_len)
{
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, hogfeat_image_width(img), hogfeat_image_height(img), out_len),
                     HOGFEAT_OK);
    float *f = malloc((*out_len + 1) * sizeof *f);
    ck_assert_ptr_nonnull(f);
    f[*out_len] = 12345.0f;
    ck_assert_int_eq(hogfeat_pipeline_extract(p, img, f, *out_len + 1), HOGFEAT_OK);
    ck_assert_float_eq(f[*out_len], 12345.0f); /* nothing past the descriptor */
    return f;
}

START_TEST(test_extract_plain_equals_hog)
{
    static const hogfeat_format formats[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                             HOGFEAT_FORMAT_F32_RGB};
    test_rng rng = test_rng_seed(11);
    hogfeat_pipeline *p = make_pipeline();
    for (size_t i = 0; i < 4; i++) {
        hogfeat_image *img = test_random_image(&rng, formats[i], 37, 29);
        size_t n1, n2;
        float *want = hog_of(p, img, &n1);
        float *got = extract_of(p, img, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_int_eq(memcmp(want, got, n1 * sizeof(float)), 0);
        /* Short buffer: BUFFER_TOO_SMALL and nothing written. */
        for (size_t j = 0; j < n2; j++)
            got[j] = -3.0f;
        ck_assert_int_eq(hogfeat_pipeline_extract(p, img, got, n2 - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
        for (size_t j = 0; j < n2; j++)
            ck_assert_float_eq(got[j], -3.0f);
        free(want);
        free(got);
        hogfeat_image_destroy(img);
    }
    /* An image too small for one block: as hogfeat_hog_compute. */
    hogfeat_image *tiny = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 11, 9);
    float buf[64];
    size_t len;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 11, 9, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_pipeline_extract(p, tiny, buf, 64), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 0, 9, &len), HOGFEAT_ERR_BAD_GEOMETRY);
    hogfeat_image_destroy(tiny);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_extract_with_preprocessing)
{
    test_rng rng = test_rng_seed(12);
    hogfeat_pipeline *p = make_pipeline();
    static const hogfeat_format formats[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_F32_RGB};
    for (size_t i = 0; i < 2; i++) {
        hogfeat_image *img = test_random_image(&rng, formats[i], 53, 31);
        const int is_u8 = formats[i] == HOGFEAT_FORMAT_U8_GRAY;
        size_t n1, n2;

        /* Blur only: HOG of the blurred float image (uint8 scaled to [0, 1]). */
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.3), HOGFEAT_OK);
        hogfeat_image *blurred = NULL;
        ck_assert_int_eq(hogfeat__gaussian_blur(img, 1.3, is_u8 ? 1.0 / 255.0 : 1.0, &blurred), HOGFEAT_OK);
        float *want = hog_of(p, blurred, &n1);
        float *got = extract_of(p, img, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_int_eq(memcmp(want, got, n1 * sizeof(float)), 0);
        free(want);
        free(got);
        hogfeat_image_destroy(blurred);

        /* Resize only: the descriptor length follows the resize, whatever the input. */
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.0), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 30, 20), HOGFEAT_OK);
        size_t len_small, len_big;
        ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 3, 2, &len_small), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 3000, 2000, &len_big), HOGFEAT_OK);
        ck_assert_uint_eq(len_small, len_big);
        ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 0, 2, &len_big), HOGFEAT_ERR_BAD_GEOMETRY);
        ck_assert_int_eq(hogfeat_pipeline_feature_length(p, SIZE_MAX, 2, &len_big), HOGFEAT_ERR_LIMIT_EXCEEDED);
        hogfeat_image *resized = NULL;
        ck_assert_int_eq(hogfeat__resize_bilinear(img, 30, 20, &resized), HOGFEAT_OK);
        want = hog_of(p, resized, &n1);
        got = extract_of(p, img, &n2);
        ck_assert_uint_eq(n1, n2);
        ck_assert_uint_eq(n1, len_small);
        ck_assert_int_eq(memcmp(want, got, n1 * sizeof(float)), 0);
        free(want);
        free(got);

        /* Resize then blur: the uint8 scale still applies after the resize. */
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.8), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat__gaussian_blur(resized, 0.8, is_u8 ? 1.0 / 255.0 : 1.0, &blurred), HOGFEAT_OK);
        want = hog_of(p, blurred, &n1);
        got = extract_of(p, img, &n2);
        ck_assert_int_eq(memcmp(want, got, n1 * sizeof(float)), 0);
        /* and blurring really changed the descriptor */
        float *plain = hog_of(p, resized, &n1);
        ck_assert_int_ne(memcmp(plain, got, n1 * sizeof(float)), 0);
        free(plain);
        free(want);
        free(got);
        hogfeat_image_destroy(blurred);
        hogfeat_image_destroy(resized);
        ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 0, 0), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.0), HOGFEAT_OK);
        hogfeat_image_destroy(img);
    }
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* Blur through the pipeline on fixture images: uint8 fixture outputs are in
 * [0, 1], so a pipeline on the raw uint8 image must see the same values. */
START_TEST(test_pipeline_blur_fixture)
{
    char names[64][512];
    size_t count = list_fixtures(1, names, 64);
    hogfeat_pipeline *p = make_pipeline();
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        pre_fixture fx;
        load_fixture(names[i], &fx);
        size_t len;
        if (hogfeat_pipeline_feature_length(p, fx.w, fx.h, &len) != HOGFEAT_OK) {
            free_fixture(&fx);
            continue; /* too small for one block */
        }
        hogfeat_image *in = NULL, *ref = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(fx.input, fixture_format(&fx), fx.w, fx.h, 0, &in), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_image_create(fx.channels == 3 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY,
                                              fx.w, fx.h, &ref),
                         HOGFEAT_OK);
        float *r = hogfeat_image_writable_data(ref);
        for (size_t j = 0; j < (size_t)fx.w * fx.h * fx.channels; j++)
            r[j] = (float)fx.expect[j];
        ck_assert_int_eq(hogfeat_pipeline_set_blur(p, fx.sigma), HOGFEAT_OK);
        size_t n1, n2;
        float *want = hog_of(p, ref, &n1);
        float *got = extract_of(p, in, &n2);
        ck_assert_uint_eq(n1, n2);
        /* The images agree to 1e-5; HOG may move a vote across a bin edge
         * only where a gradient sits on it, so compare loosely. */
        double d = test_max_abs_diff(want, got, n1);
        ck_assert_msg(d <= 2e-2, "%s: descriptor differs by %g", names[i], d);
        free(want);
        free(got);
        hogfeat_image_destroy(ref);
        hogfeat_image_destroy(in);
        free_fixture(&fx);
        used++;
    }
    ck_assert_uint_ge(used, 4);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* ---- prediction ------------------------------------------------------------------------- */

#define PRED_W 36
#define PRED_H 30

static hogfeat_linsvm *make_svm(int32_t k, size_t dim, uint64_t seed)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(k, dim, &m), HOGFEAT_OK);
    test_rng rng = test_rng_seed(seed);
    for (int32_t i = 0; i < k; i++)
        m->labels[i] = 10 * i - 5;
    for (size_t i = 0; i < m->num_vectors * (dim + 1); i++)
        m->weights[i] = 2.0f * test_rng_float(&rng) - 1.0f;
    m->bias = 1.0;
    m->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    m->c = 1.0;
    m->tolerance = 0.1;
    m->max_iterations = 1000;
    return m;
}

/* The SVM's own decision rule, in double. */
static int32_t svm_label(const hogfeat_linsvm *m, const float *x)
{
    size_t d = m->num_features;
    double best = -INFINITY;
    int32_t label = 0;
    for (size_t v = 0; v < m->num_vectors; v++) {
        const float *w = m->weights + v * (d + 1);
        double f = (double)w[d] * m->bias;
        for (size_t i = 0; i < d; i++)
            f += (double)w[i] * (double)x[i];
        if (m->num_classes == 2)
            return f > 0 ? m->labels[1] : m->labels[0];
        if (f > best) {
            best = f;
            label = m->labels[v];
        }
    }
    return label;
}

START_TEST(test_predict_svm)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.7), HOGFEAT_OK);
    size_t dim;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, PRED_W, PRED_H, &dim), HOGFEAT_OK);
    hogfeat_linsvm *svm = make_svm(4, dim, 99);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    ck_assert_ptr_eq(hogfeat_pipeline_linsvm(p), svm);
    test_rng rng = test_rng_seed(13);
    int seen[4] = {0};
    for (int i = 0; i < 24; i++) {
        hogfeat_image *img = test_random_image(&rng, i % 2 ? HOGFEAT_FORMAT_U8_GRAY : HOGFEAT_FORMAT_F32_RGB,
                                               PRED_W, PRED_H);
        size_t n;
        float *x = extract_of(p, img, &n);
        int32_t want = svm_label(svm, x), lib = 0, got = 12345;
        ck_assert_int_eq(hogfeat_linsvm_predict(svm, x, 1, n, n, &lib), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &got), HOGFEAT_OK);
        ck_assert_int_eq(got, lib);
        ck_assert_int_eq(got, want);
        seen[(want + 5) / 10]++;
        free(x);
        hogfeat_image_destroy(img);
    }
    int distinct = 0;
    for (int i = 0; i < 4; i++)
        distinct += seen[i] > 0;
    ck_assert_int_ge(distinct, 2); /* the check can tell classes apart */

    /* The caller drops its handle: the pipeline's reference keeps the model. */
    hogfeat_linsvm_destroy(svm);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, PRED_W, PRED_H);
    int32_t label = 0;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &label), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(hogfeat_pipeline_linsvm(p)), 4);

    /* Another image size: DIMENSION_MISMATCH, label untouched. */
    hogfeat_image *other = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, PRED_W + 6, PRED_H);
    label = 4242;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, other, &label), HOGFEAT_ERR_DIMENSION_MISMATCH);
    ck_assert_int_eq(label, 4242);
    /* With a resize to the training size, any input size works. */
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, PRED_W, PRED_H), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_predict(p, other, &label), HOGFEAT_OK);
    ck_assert_int_ne(label, 4242);
    hogfeat_image_destroy(other);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_predict_knn)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, PRED_W, PRED_H), HOGFEAT_OK);
    test_rng rng = test_rng_seed(14);
    enum { N = 6 };
    hogfeat_image *imgs[N];
    size_t dim = 0;
    float *rows[N];
    for (int i = 0; i < N; i++) {
        imgs[i] = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 40 + (size_t)i, 33);
        rows[i] = extract_of(p, imgs[i], &dim);
    }
    hogfeat_knn *knn = NULL;
    ck_assert_int_eq(hogfeat__knn_new(N, dim, &knn), HOGFEAT_OK);
    for (int i = 0; i < N; i++) {
        memcpy(knn->features + (size_t)i * dim, rows[i], dim * sizeof(float));
        knn->labels[i] = 100 + 7 * i;
        free(rows[i]);
    }
    knn->k = 1;
    knn->metric = HOGFEAT_METRIC_L2;
    knn->weighting = HOGFEAT_KNN_UNIFORM;
    knn->threads = 1;
    ck_assert_int_eq(hogfeat__knn_prepare(knn), HOGFEAT_OK);

    /* Attach an SVM first: set_knn replaces it. */
    hogfeat_linsvm *svm = make_svm(2, dim, 5);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_knn(p, knn), HOGFEAT_OK);
    ck_assert_ptr_null(hogfeat_pipeline_linsvm(p));
    ck_assert_ptr_eq(hogfeat_pipeline_knn(p), knn);
    hogfeat_linsvm_destroy(svm); /* the last reference: freed now */
    hogfeat_knn_destroy(knn);    /* the pipeline's reference remains */
    /* Setting the same model again keeps it alive. */
    ck_assert_int_eq(hogfeat_pipeline_set_knn(p, hogfeat_pipeline_knn(p)), HOGFEAT_OK);
    for (int i = 0; i < N; i++) {
        int32_t label = -1;
        ck_assert_int_eq(hogfeat_pipeline_predict(p, imgs[i], &label), HOGFEAT_OK);
        ck_assert_int_eq(label, 100 + 7 * i); /* 1-NN of a training image is itself */
        hogfeat_image_destroy(imgs[i]);
    }
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_predict_without_classifier)
{
    hogfeat_pipeline *p = make_pipeline();
    test_rng rng = test_rng_seed(15);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, PRED_W, PRED_H);
    int32_t label = 77;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &label), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(label, 77);
    ck_assert_msg(strstr(hogfeat_last_error_message(), "classifier") != NULL, "message: %s",
                  hogfeat_last_error_message());
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_nonfinite_input)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.0), HOGFEAT_OK);
    float px[PRED_W * PRED_H];
    for (int i = 0; i < PRED_W * PRED_H; i++)
        px[i] = (float)(i % 7) * 0.1f;
    px[PRED_W * 10 + 10] = NAN;
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(px, HOGFEAT_FORMAT_F32_GRAY, PRED_W, PRED_H, 0, &img), HOGFEAT_OK);
    size_t len;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, PRED_W, PRED_H, &len), HOGFEAT_OK);
    float *out = malloc(len * sizeof *out);
    ck_assert_int_eq(hogfeat_pipeline_extract(p, img, out, len), HOGFEAT_ERR_NONFINITE);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_alloc_failures)
{
    hogfeat_hog_config *cfg = small_config();
    hogfeat_pipeline *p = NULL;
    hogfeat__test_alloc_fail_at(1, 0);
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(p);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    hogfeat_hog_config_destroy(cfg);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, PRED_W, PRED_H), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.1), HOGFEAT_OK);
    size_t dim;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, PRED_W, PRED_H, &dim), HOGFEAT_OK);
    hogfeat_linsvm *svm = make_svm(3, dim, 8);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm);
    test_rng rng = test_rng_seed(16);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 50, 41);
    int32_t want = 0;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &want), HOGFEAT_OK);
    long n;
    for (n = 1; n < 100; n++) {
        int32_t label = -999;
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_pipeline_predict(p, img, &label);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        if (st == HOGFEAT_OK) {
            ck_assert_uint_eq(failures, 0);
            ck_assert_int_eq(label, want);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
        ck_assert_int_eq(label, -999);
    }
    ck_assert_int_gt(n, 3); /* features, resized, blurred images at least */
    ck_assert_int_lt(n, 100);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* predict on one shared pipeline from several threads at once. */
#define SHARED_IMAGES 8
typedef struct shared_job {
    const hogfeat_pipeline *p;
    hogfeat_image *const *imgs;
    int32_t labels[SHARED_IMAGES];
    hogfeat_status st;
} shared_job;

static void *shared_worker(void *arg)
{
    shared_job *job = arg;
    job->st = HOGFEAT_OK;
    for (int r = 0; r < 5 && job->st == HOGFEAT_OK; r++)
        for (int i = 0; i < SHARED_IMAGES && job->st == HOGFEAT_OK; i++)
            job->st = hogfeat_pipeline_predict(job->p, job->imgs[i], &job->labels[i]);
    return NULL;
}

START_TEST(test_shared_predict_threads)
{
    hogfeat_pipeline *p = make_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, PRED_W, PRED_H), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.9), HOGFEAT_OK);
    size_t dim;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 1, 1, &dim), HOGFEAT_OK);
    hogfeat_linsvm *svm = make_svm(5, dim, 31);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm);
    test_rng rng = test_rng_seed(17);
    hogfeat_image *imgs[SHARED_IMAGES];
    int32_t serial[SHARED_IMAGES];
    for (int i = 0; i < SHARED_IMAGES; i++) {
        imgs[i] = test_random_image(&rng, i % 2 ? HOGFEAT_FORMAT_U8_GRAY : HOGFEAT_FORMAT_F32_RGB, 45, 38);
        ck_assert_int_eq(hogfeat_pipeline_predict(p, imgs[i], &serial[i]), HOGFEAT_OK);
    }
    enum { T = 4 };
    shared_job jobs[T];
    pthread_t th[T];
    for (int t = 0; t < T; t++) {
        jobs[t].p = p;
        jobs[t].imgs = imgs;
        ck_assert_int_eq(pthread_create(&th[t], NULL, shared_worker, &jobs[t]), 0);
    }
    for (int t = 0; t < T; t++) {
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
        ck_assert_int_eq(jobs[t].st, HOGFEAT_OK);
        ck_assert_int_eq(memcmp(jobs[t].labels, serial, sizeof serial), 0);
    }
    for (int i = 0; i < SHARED_IMAGES; i++)
        hogfeat_image_destroy(imgs[i]);
    hogfeat_pipeline_destroy(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pipeline");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"blur_fixtures", test_blur_fixtures},
        {"resize_fixtures", test_resize_fixtures},
        {"resize_hand", test_resize_hand},
        {"blur_hand", test_blur_hand},
        {"create_and_getters", test_create_and_getters},
        {"set_blur_validation", test_set_blur_validation},
        {"set_resize_validation", test_set_resize_validation},
        {"extract_plain_equals_hog", test_extract_plain_equals_hog},
        {"extract_with_preprocessing", test_extract_with_preprocessing},
        {"pipeline_blur_fixture", test_pipeline_blur_fixture},
        {"predict_svm", test_predict_svm},
        {"predict_knn", test_predict_knn},
        {"predict_without_classifier", test_predict_without_classifier},
        {"nonfinite_input", test_nonfinite_input},
        {"alloc_failures", test_alloc_failures},
        {"shared_predict_threads", test_shared_predict_threads},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
