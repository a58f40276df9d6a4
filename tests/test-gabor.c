/* Gabor filters and banks: parameter validation, kernel sizes, error
 * statuses, parity with scikit-image 0.19 gabor_kernel / gabor (fixtures in
 * $HOGFEAT_TEST_FIXTURES/gabor, written by tests/gen_gabor_fixtures.py:
 * kernels within 1e-12, responses and pooled bank values within 1e-4), the
 * fixed-size kernel option, threads and allocation failure. */
#include <dirent.h>
#include <float.h>
#include <limits.h>
#include <pthread.h>

#include "common.h"
#include "private.h"

#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

#define SENTINEL (-7777.25f)
#define KERNEL_TOL 1e-12
#define RESPONSE_TOL 1e-4
#define TEST_PI 3.14159265358979323846

/* ---- fixture files (format: tests/data/gabor/README.md) ----------------------- */

#include "fixture.h"

static char g_dir[PATH_MAX];
/* Fixture names of the two kinds, pointers into g_files. */
static char **g_files;
static size_t g_nfiles;
static const char *g_filter_files[256];
static size_t g_nfilter;
static const char *g_bank_files[64];
static size_t g_nbank;

/* ---- helpers ------------------------------------------------------------------ */

static hogfeat_gabor_config *new_config(void)
{
    hogfeat_gabor_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_gabor_config_create(&cfg), HOGFEAT_OK);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static hogfeat_gabor_bank *new_bank(void)
{
    hogfeat_gabor_bank *bank = NULL;
    ck_assert_int_eq(hogfeat_gabor_bank_create(&bank), HOGFEAT_OK);
    ck_assert_ptr_nonnull(bank);
    return bank;
}

static float *sentinel_buffer(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = SENTINEL;
    return p;
}

static int all_sentinel(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&p[i], &(float){SENTINEL}, sizeof(float)) != 0)
            return 0;
    return 1;
}

static hogfeat_gabor_border parse_border(const char *s)
{
    if (strcmp(s, "reflect") == 0)
        return HOGFEAT_GABOR_BORDER_REFLECT;
    if (strcmp(s, "constant") == 0)
        return HOGFEAT_GABOR_BORDER_CONSTANT;
    if (strcmp(s, "nearest") == 0)
        return HOGFEAT_GABOR_BORDER_NEAREST;
    if (strcmp(s, "mirror") == 0)
        return HOGFEAT_GABOR_BORDER_MIRROR;
    ck_assert_str_eq(s, "wrap");
    return HOGFEAT_GABOR_BORDER_WRAP;
}

typedef struct gsnap {
    double f, theta, bw, sx, sy, n, off;
    int border;
    size_t kw, kh;
    hogfeat_status kst;
} gsnap;

static gsnap snap(const hogfeat_gabor_config *c)
{
    gsnap s = {hogfeat_gabor_config_get_frequency(c), hogfeat_gabor_config_get_theta(c),
               hogfeat_gabor_config_get_bandwidth(c), hogfeat_gabor_config_get_sigma_x(c),
               hogfeat_gabor_config_get_sigma_y(c), hogfeat_gabor_config_get_n_stds(c),
               hogfeat_gabor_config_get_offset(c), hogfeat_gabor_config_get_border(c), 0, 0, HOGFEAT_OK};
    s.kst = hogfeat_gabor_kernel_size(c, &s.kw, &s.kh);
    return s;
}

static void assert_same(gsnap a, gsnap b, const char *what)
{
    ck_assert_msg(a.f == b.f && a.theta == b.theta && a.bw == b.bw && a.sx == b.sx && a.sy == b.sy && a.n == b.n &&
                      a.off == b.off && a.border == b.border && a.kw == b.kw && a.kh == b.kh && a.kst == b.kst,
                  "%s changed the parameters", what);
}

/* scikit-image's _sigma_prefactor(b) / f */
static double ref_sigma(double b, double f)
{
    return 1.0 / TEST_PI * sqrt(log(2) / 2.0) * (pow(2.0, b) + 1) / (pow(2.0, b) - 1) / f;
}

/* ---- parameters ------------------------------------------------------------------ */

START_TEST(test_defaults)
{
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_double_eq(hogfeat_gabor_config_get_frequency(cfg), 0.25);
    ck_assert_double_eq(hogfeat_gabor_config_get_theta(cfg), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_bandwidth(cfg), 1.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_x(cfg), ref_sigma(1.0, 0.25));
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_y(cfg), ref_sigma(1.0, 0.25));
    ck_assert_double_eq(hogfeat_gabor_config_get_n_stds(cfg), 3.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_offset(cfg), 0.0);
    ck_assert_int_eq(hogfeat_gabor_config_get_border(cfg), HOGFEAT_GABOR_BORDER_REFLECT);
    size_t kw = 0, kh = 0;
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_uint_eq(kw, 15); /* x0 = ceil(3 * 2.2489) = 7 */
    ck_assert_uint_eq(kh, 15);
    hogfeat_gabor_config_destroy(cfg);
    hogfeat_gabor_config_destroy(NULL);

    hogfeat_gabor_bank *bank = new_bank();
    ck_assert_uint_eq(hogfeat_gabor_bank_num_frequencies(bank), 3);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(bank, 0), 0.1);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(bank, 1), 0.2);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(bank, 2), 0.4);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(bank, 3), 0.0);
    ck_assert_int_eq(hogfeat_gabor_bank_num_orientations(bank), 4);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_width(bank), 16);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_height(bank), 16);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 64, 48, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 4 * 3 * 12 * 2);
    hogfeat_gabor_bank_destroy(bank);
    hogfeat_gabor_bank_destroy(NULL);
}
END_TEST

START_TEST(test_setters_validate)
{
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, 0.3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, 0.4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 2.0, 0.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_border(cfg, HOGFEAT_GABOR_BORDER_WRAP), HOGFEAT_OK);
    const gsnap before = snap(cfg);
    const double not_positive[] = {0.0, -0.0, -1.0, NAN, INFINITY, -INFINITY, -DBL_MIN};
    for (size_t i = 0; i < sizeof not_positive / sizeof not_positive[0]; i++) {
        double v = not_positive[i];
        ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, v), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(hogfeat_gabor_config_set_bandwidth(cfg, v), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(hogfeat_gabor_config_set_n_stds(cfg, v), HOGFEAT_ERR_INVALID_ARGUMENT);
        if (v != 0.0) { /* 0 means "from the bandwidth" */
            ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, v, 1.0), HOGFEAT_ERR_INVALID_ARGUMENT);
            ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 1.0, v), HOGFEAT_ERR_INVALID_ARGUMENT);
        }
        assert_same(before, snap(cfg), "a positive-value setter");
    }
    const double not_finite[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, not_finite[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(hogfeat_gabor_config_set_offset(cfg, not_finite[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_theta/set_offset");
    }
    const int32_t bad_sizes[][2] = {{2, 3},  {3, 2},  {0, 3},       {3, 0},       {-1, -1}, {1027, 3},
                                    {3, 1027}, {1026, 3}, {INT32_MIN, 1}, {INT32_MAX, 1}};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, bad_sizes[i][0], bad_sizes[i][1]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_kernel_size");
    }
    const int bad_borders[] = {0, -1, 6, 1000};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(hogfeat_gabor_config_set_border(cfg, (hogfeat_gabor_border)bad_borders[i]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_border");
    }
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(NULL, 0.1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(NULL, 0.1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_bandwidth(NULL, 0.1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(NULL, 1, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_n_stds(NULL, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_offset(NULL, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(NULL, 3, 3), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_set_border(NULL, HOGFEAT_GABOR_BORDER_WRAP), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_config_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_gabor_config *c2 = (hogfeat_gabor_config *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_gabor_config_copy(NULL, &c2), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(c2);
    ck_assert_int_eq(hogfeat_gabor_config_copy(cfg, NULL), HOGFEAT_ERR_NULL_POINTER);
    /* getters */
    ck_assert_double_eq(hogfeat_gabor_config_get_frequency(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_theta(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_bandwidth(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_x(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_y(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_n_stds(NULL), 0.0);
    ck_assert_double_eq(hogfeat_gabor_config_get_offset(NULL), 0.0);
    ck_assert_int_eq(hogfeat_gabor_config_get_border(NULL), 0);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

START_TEST(test_setters_accept)
{
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 1.5, 0.0), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_x(cfg), 1.5);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_y(cfg), ref_sigma(1.0, 0.25));
    ck_assert_int_eq(hogfeat_gabor_config_set_bandwidth(cfg, 2.0), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_gabor_config_get_sigma_y(cfg), ref_sigma(2.0, 0.25));
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, -123.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_offset(cfg, 1e6), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, 1, 1025), HOGFEAT_OK);
    size_t kw, kh;
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_uint_eq(kw, 1);
    ck_assert_uint_eq(kh, 1025);
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, 0, 0), HOGFEAT_OK);
    for (int b = HOGFEAT_GABOR_BORDER_REFLECT; b <= HOGFEAT_GABOR_BORDER_WRAP; b++) {
        ck_assert_int_eq(hogfeat_gabor_config_set_border(cfg, (hogfeat_gabor_border)b), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_gabor_config_get_border(cfg), b);
    }
    /* copies are independent */
    hogfeat_gabor_config *copy = NULL;
    ck_assert_int_eq(hogfeat_gabor_config_copy(cfg, &copy), HOGFEAT_OK);
    assert_same(snap(cfg), snap(copy), "copy");
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(copy, 0.05), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_gabor_config_get_frequency(cfg), 0.25);
    hogfeat_gabor_config_destroy(copy);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

START_TEST(test_kernel_size_and_limits)
{
    hogfeat_gabor_config *cfg = new_config();
    size_t kw = 77, kh = 77;
    /* theta changes the automatic size: sigma_x = 2, sigma_y = 4, 3 sigmas */
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 2.0, 4.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_uint_eq(kw, 13);
    ck_assert_uint_eq(kh, 25);
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, TEST_PI / 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_uint_eq(kw, 25);
    ck_assert_uint_eq(kh, 13);
    /* at least 3 x 3 */
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 0.01, 0.01), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_uint_eq(kw, 3);
    ck_assert_uint_eq(kh, 3);
    /* too large */
    kw = kh = 77;
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, 0.0, 0.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, 1e-3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, DBL_MIN), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, 0.25), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_n_stds(cfg, 1e300), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(kw, 77);
    double kr[9], ki[9];
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, kr, ki, 9), HOGFEAT_ERR_LIMIT_EXCEEDED);
    /* a fixed size overrides the limit of the automatic one */
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, 3, 3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, kr, ki, 9), HOGFEAT_OK);
    /* NULL and short buffers */
    ck_assert_int_eq(hogfeat_gabor_kernel_size(NULL, &kw, &kh), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, NULL, &kh), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_kernel(NULL, kr, ki, 9), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, NULL, ki, 9), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, kr, NULL, 9), HOGFEAT_ERR_NULL_POINTER);
    kr[0] = ki[0] = -5.0;
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, kr, ki, 8), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_double_eq(kr[0], -5.0);
    ck_assert_double_eq(ki[0], -5.0);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

START_TEST(test_filter_errors)
{
    hogfeat_gabor_config *cfg = new_config();
    test_rng rng = test_rng_seed(21);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 19, 13);
    hogfeat_image *rgb = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 19, 13);
    const size_t n = 19 * 13;
    float *re = sentinel_buffer(n), *im = sentinel_buffer(n), *mag = sentinel_buffer(n);
    ck_assert_int_eq(hogfeat_gabor_filter(NULL, img, re, im, mag, n), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, NULL, re, im, mag, n), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, NULL, NULL, NULL, n), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, 0), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, rgb, re, im, mag, n), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    float *px = hogfeat_image_writable_data(img);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        float keep = px[n - 1];
        px[n - 1] = bad[k];
        ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n), HOGFEAT_ERR_NONFINITE);
        px[n - 1] = keep;
    }
    /* finite pixels whose responses would overflow float */
    float keep = px[7];
    px[7] = FLT_MAX;
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n), HOGFEAT_ERR_NONFINITE);
    px[7] = keep;
    ck_assert(all_sentinel(re, n) && all_sentinel(im, n) && all_sentinel(mag, n));
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, 1e-4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert(all_sentinel(re, n) && all_sentinel(im, n) && all_sentinel(mag, n));
    /* any one output alone gives the same values as all three */
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, 0.2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n), HOGFEAT_OK);
    float *one = sentinel_buffer(n);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, NULL, one, NULL, n), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(one, im, n * sizeof *one), 0);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, NULL, NULL, one, n), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(one, mag, n * sizeof *one), 0);
    for (size_t i = 0; i < n; i++)
        CHECK(fabs(hypot(re[i], im[i]) - mag[i]) <= 1e-6 * fmax(1.0, mag[i]), "magnitude at %zu", i);
    free(one);
    free(re);
    free(im);
    free(mag);
    hogfeat_image_destroy(img);
    hogfeat_image_destroy(rgb);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

/* ---- parity with scikit-image ------------------------------------------------------- */

static double g_worst_kernel, g_worst_response;

START_TEST(test_fixture_count)
{
    ck_assert_msg(g_nfilter >= 10 && g_nbank >= 3, "expected >= 10 filter and >= 3 bank fixtures in %s, found %zu and %zu",
                  g_dir, g_nfilter, g_nbank);
}
END_TEST

static double max_diff_f64(const double *a, const double *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (!(d <= worst))
            worst = d; /* NaN sticks */
    }
    return worst;
}

static double max_diff_f32(const float *a, const double *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

START_TEST(test_filter_parity)
{
    fix f;
    fix_open(&f, g_dir, g_filter_files[_i], "hogfeat-gabor-fixture");
    const size_t w = (size_t)fix_long(&f, "width"), h = (size_t)fix_long(&f, "height");
    const int f32 = strcmp(fix_str(&f, "dtype"), "f32") == 0;
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(cfg, fix_double(&f, "frequency")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, fix_double(&f, "theta")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_bandwidth(cfg, fix_double(&f, "bandwidth")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_sigma(cfg, fix_double(&f, "sigma_x"), fix_double(&f, "sigma_y")),
                     HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_n_stds(cfg, fix_double(&f, "n_stds")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_offset(cfg, fix_double(&f, "offset")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_border(cfg, parse_border(fix_str(&f, "border"))), HOGFEAT_OK);
    const size_t rkw = (size_t)fix_long(&f, "kernel_width"), rkh = (size_t)fix_long(&f, "kernel_height");
    char reference[16];
    snprintf(reference, sizeof reference, "%.15s", fix_str(&f, "reference"));
    hogfeat_image *img = fix_image(&f, f32 ? HOGFEAT_FORMAT_F32_GRAY : HOGFEAT_FORMAT_U8_GRAY, w, h);
    double *ref_kr = fix_f64(&f, rkw * rkh), *ref_ki = fix_f64(&f, rkw * rkh);
    double *ref_re = fix_f64(&f, w * h), *ref_im = fix_f64(&f, w * h);
    fix_close(&f);

    size_t kw = 0, kh = 0;
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &kw, &kh), HOGFEAT_OK);
    ck_assert_msg(kw == rkw && kh == rkh, "%s: kernel %zux%zu, scikit-image %zux%zu", g_filter_files[_i], kw, kh, rkw,
                  rkh);
    double *kr = malloc(kw * kh * sizeof *kr), *ki = malloc(kw * kh * sizeof *ki);
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, kr, ki, kw * kh), HOGFEAT_OK);
    double dk = fmax(max_diff_f64(kr, ref_kr, kw * kh), max_diff_f64(ki, ref_ki, kw * kh));
    ck_assert_msg(dk <= KERNEL_TOL, "%s: kernel max |delta| %g", g_filter_files[_i], dk);

    const size_t n = w * h;
    float *re = sentinel_buffer(n), *im = sentinel_buffer(n), *mag = sentinel_buffer(n);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re, im, mag, n), HOGFEAT_OK);
    double *ref_mag = malloc(n * sizeof *ref_mag);
    for (size_t i = 0; i < n; i++)
        ref_mag[i] = hypot(ref_re[i], ref_im[i]);
    double dr = max_diff_f32(re, ref_re, n), di = max_diff_f32(im, ref_im, n), dm = max_diff_f32(mag, ref_mag, n);
    double dresp = fmax(dr, fmax(di, dm));
    ck_assert_msg(dresp <= RESPONSE_TOL, "%s: response max |delta| real %g imag %g magnitude %g", g_filter_files[_i],
                  dr, di, dm);

    /* A fixed size larger than the automatic one: the same values in the middle. */
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, (int32_t)kw + 4, (int32_t)kh + 2), HOGFEAT_OK);
    size_t bw = 0, bh = 0;
    ck_assert_int_eq(hogfeat_gabor_kernel_size(cfg, &bw, &bh), HOGFEAT_OK);
    ck_assert_uint_eq(bw, kw + 4);
    ck_assert_uint_eq(bh, kh + 2);
    double *br = malloc(bw * bh * sizeof *br), *bi = malloc(bw * bh * sizeof *bi);
    ck_assert_int_eq(hogfeat_gabor_kernel(cfg, br, bi, bw * bh), HOGFEAT_OK);
    for (size_t y = 0; y < kh; y++)
        for (size_t x = 0; x < kw; x++) {
            size_t a = y * kw + x, b = (y + 1) * bw + x + 2;
            CHECK(br[b] == kr[a] && bi[b] == ki[a], "fixed-size kernel differs at (%zu, %zu)", x, y);
        }
    /* ... and the automatic size given explicitly changes nothing */
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(cfg, (int32_t)kw, (int32_t)kh), HOGFEAT_OK);
    float *re2 = sentinel_buffer(n);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, re2, NULL, NULL, n), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(re, re2, n * sizeof *re), 0);

    if (dk > g_worst_kernel)
        g_worst_kernel = dk;
    if (dresp > g_worst_response)
        g_worst_response = dresp;
    printf("gabor parity %-40s kernel %zux%zu max |delta| %.3g; response max |delta| real %.3g imag %.3g magnitude "
           "%.3g (reference: %s)\n",
           g_filter_files[_i], kw, kh, dk, dr, di, dm, reference);
    free(re2);
    free(br);
    free(bi);
    free(kr);
    free(ki);
    free(re);
    free(im);
    free(mag);
    free(ref_mag);
    free(ref_kr);
    free(ref_ki);
    free(ref_re);
    free(ref_im);
    hogfeat_image_destroy(img);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

START_TEST(test_bank_parity)
{
    fix f;
    fix_open(&f, g_dir, g_bank_files[_i], "hogfeat-gabor-bank-fixture");
    const size_t w = (size_t)fix_long(&f, "width"), h = (size_t)fix_long(&f, "height");
    const int f32 = strcmp(fix_str(&f, "dtype"), "f32") == 0;
    double freqs[64];
    size_t nf = 0;
    const char *s = fix_str(&f, "frequencies");
    while (*s) {
        char *end = NULL;
        freqs[nf++] = strtod(s, &end);
        ck_assert(end != s && nf < 64);
        s = end;
        while (*s == ' ')
            s++;
    }
    hogfeat_gabor_bank *bank = new_bank();
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, freqs, nf), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_orientations(bank, (int32_t)fix_long(&f, "orientations")), HOGFEAT_OK);
    ck_assert_int_eq(
        hogfeat_gabor_bank_set_cell_size(bank, (int32_t)fix_long(&f, "cell_width"), (int32_t)fix_long(&f, "cell_height")),
        HOGFEAT_OK);
    hogfeat_gabor_config *tmpl = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_bandwidth(tmpl, fix_double(&f, "bandwidth")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_n_stds(tmpl, fix_double(&f, "n_stds")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_border(tmpl, parse_border(fix_str(&f, "border"))), HOGFEAT_OK);
    /* frequency and theta of the template are ignored */
    ck_assert_int_eq(hogfeat_gabor_config_set_frequency(tmpl, 0.123), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(tmpl, 1.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_filter(bank, tmpl), HOGFEAT_OK);
    hogfeat_gabor_config_destroy(tmpl); /* the bank keeps a copy */
    const size_t ref_len = (size_t)fix_long(&f, "length");
    hogfeat_image *img = fix_image(&f, f32 ? HOGFEAT_FORMAT_F32_GRAY : HOGFEAT_FORMAT_U8_GRAY, w, h);
    double *ref = fix_f64(&f, ref_len);
    fix_close(&f);

    size_t len = 0;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, w, h, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, ref_len);
    float *out = sentinel_buffer(len);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, out, len), HOGFEAT_OK);
    double d = max_diff_f32(out, ref, len);
    ck_assert_msg(d <= RESPONSE_TOL, "%s: bank max |delta| %g", g_bank_files[_i], d);
    printf("gabor bank parity %-40s %zu values, max |delta| %.3g\n", g_bank_files[_i], len, d);
    free(out);
    free(ref);
    hogfeat_image_destroy(img);
    hogfeat_gabor_bank_destroy(bank);
}
END_TEST

/* ---- bank ------------------------------------------------------------------------------ */

START_TEST(test_bank_setters)
{
    hogfeat_gabor_bank *bank = new_bank();
    const double good[] = {0.05, 0.5};
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, good, 2), HOGFEAT_OK);
    const double bad1[] = {0.1, 0.0}, bad2[] = {NAN}, bad3[] = {-0.2}, bad4[] = {INFINITY};
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, bad1, 2), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, bad2, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, bad3, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, bad4, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, good, 0), HOGFEAT_ERR_INVALID_ARGUMENT);
    double many[65];
    for (int i = 0; i < 65; i++)
        many[i] = 0.1 + 0.001 * i;
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, many, 65), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, many, SIZE_MAX), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, NULL, 2), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(NULL, good, 2), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_uint_eq(hogfeat_gabor_bank_num_frequencies(bank), 2);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(bank, 1), 0.5);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, many, 64), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_gabor_bank_num_frequencies(bank), 64);

    const int32_t bad_k[] = {0, -1, 65, INT32_MIN};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(hogfeat_gabor_bank_set_orientations(bank, bad_k[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_num_orientations(bank), 4);
    ck_assert_int_eq(hogfeat_gabor_bank_set_orientations(bank, 64), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_orientations(NULL, 4), HOGFEAT_ERR_NULL_POINTER);
    const int32_t bad_cells[][2] = {{0, 4}, {4, 0}, {-3, 4}, {4097, 4}, {4, 4097}};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(hogfeat_gabor_bank_set_cell_size(bank, bad_cells[i][0], bad_cells[i][1]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_width(bank), 16);
    ck_assert_int_eq(hogfeat_gabor_bank_set_cell_size(bank, 1, 4096), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_height(bank), 4096);
    ck_assert_int_eq(hogfeat_gabor_bank_set_cell_size(NULL, 4, 4), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_gabor_bank_set_filter(bank, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_set_filter(NULL, cfg), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_uint_eq(hogfeat_gabor_bank_num_frequencies(NULL), 0);
    ck_assert_double_eq(hogfeat_gabor_bank_frequency(NULL, 0), 0.0);
    ck_assert_int_eq(hogfeat_gabor_bank_num_orientations(NULL), 0);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_width(NULL), 0);
    ck_assert_int_eq(hogfeat_gabor_bank_cell_height(NULL), 0);
    hogfeat_gabor_config_destroy(cfg);
    hogfeat_gabor_bank_destroy(bank);
}
END_TEST

START_TEST(test_bank_errors)
{
    hogfeat_gabor_bank *bank = new_bank();
    test_rng rng = test_rng_seed(22);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 40, 36);
    hogfeat_image *rgb = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 40, 36);
    size_t len = 999;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 40, 36, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 2 * 2 * 12 * 2);
    float *out = sentinel_buffer(len);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(NULL, 40, 36, &len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 40, 36, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 0, 36, &len), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, SIZE_MAX, SIZE_MAX, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 15, 36, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_uint_eq(len, 96);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(NULL, img, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, NULL, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, NULL, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, out, len - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, rgb, out, len), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    const double tiny[] = {0.2, 1e-4};
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, tiny, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 40, 36, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, out, 96), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert(all_sentinel(out, 96));
    /* non-finite and overflowing pixels */
    hogfeat_image *fimg = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 40, 36);
    float *px = hogfeat_image_writable_data(fimg);
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, tiny, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 40, 36, &len), HOGFEAT_OK);
    px[39] = NAN; /* outside the pooled cells, but filtered */
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, fimg, out, len), HOGFEAT_ERR_NONFINITE);
    px[39] = 3e38f;
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, fimg, out, len), HOGFEAT_ERR_NONFINITE);
    ck_assert(all_sentinel(out, 96));
    px[39] = 0.5f;
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, fimg, out, len), HOGFEAT_OK);
    free(out);
    hogfeat_image_destroy(fimg);
    hogfeat_image_destroy(img);
    hogfeat_image_destroy(rgb);
    hogfeat_gabor_bank_destroy(bank);
}
END_TEST

/* The bank's values are the cell means and standard deviations of
 * hogfeat_gabor_filter's magnitudes. */
START_TEST(test_bank_matches_filter)
{
    hogfeat_gabor_bank *bank = new_bank();
    const double freqs[] = {0.15, 0.3};
    ck_assert_int_eq(hogfeat_gabor_bank_set_frequencies(bank, freqs, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_orientations(bank, 3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_cell_size(bank, 7, 5), HOGFEAT_OK);
    hogfeat_gabor_config *tmpl = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_kernel_size(tmpl, 9, 11), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_config_set_border(tmpl, HOGFEAT_GABOR_BORDER_NEAREST), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_bank_set_filter(bank, tmpl), HOGFEAT_OK);
    test_rng rng = test_rng_seed(23);
    const size_t w = 30, h = 17, cx = 4, cy = 3, nfilt = 6;
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, w, h);
    size_t len;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, w, h, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, cx * cy * nfilt * 2);
    float *out = sentinel_buffer(len), *mag = sentinel_buffer(w * h);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, out, len), HOGFEAT_OK);
    for (size_t j = 0; j < nfilt; j++) {
        ck_assert_int_eq(hogfeat_gabor_config_set_frequency(tmpl, freqs[j / 3]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_gabor_config_set_theta(tmpl, (double)(j % 3) * TEST_PI / 3.0), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_gabor_filter(tmpl, img, NULL, NULL, mag, w * h), HOGFEAT_OK);
        for (size_t c = 0; c < cx * cy; c++) {
            double sum = 0.0, ss = 0.0;
            for (size_t y = (c / cx) * 5; y < (c / cx + 1) * 5; y++)
                for (size_t x = (c % cx) * 7; x < (c % cx + 1) * 7; x++)
                    sum += mag[y * w + x];
            double mean = sum / 35.0;
            for (size_t y = (c / cx) * 5; y < (c / cx + 1) * 5; y++)
                for (size_t x = (c % cx) * 7; x < (c % cx + 1) * 7; x++)
                    ss += (mag[y * w + x] - mean) * (mag[y * w + x] - mean);
            const float *o = out + (c * nfilt + j) * 2;
            CHECK(fabs(o[0] - mean) <= 1e-4 * fmax(1.0, mean) && fabs(o[1] - sqrt(ss / 35.0)) <= 1e-4 * fmax(1.0, mean),
                  "filter %zu cell %zu: %g %g, expected %g %g", j, c, (double)o[0], (double)o[1], mean, sqrt(ss / 35.0));
        }
    }
    free(out);
    free(mag);
    hogfeat_image_destroy(img);
    hogfeat_gabor_config_destroy(tmpl);
    hogfeat_gabor_bank_destroy(bank);
}
END_TEST

/* ---- threads and allocation ---------------------------------------------------------------- */

#define N_THREADS 4

typedef struct thread_job {
    const hogfeat_gabor_bank *bank;
    const hogfeat_gabor_config *cfg;
    const hogfeat_image *img;
    const float *expect_bank, *expect_mag;
    size_t len, npix;
    int mismatches, errors;
} thread_job;

static void *gabor_thread(void *arg)
{
    thread_job *job = arg;
    float *out = malloc(job->len * sizeof *out), *mag = malloc(job->npix * sizeof *mag);
    for (int r = 0; out && mag && r < 3; r++) {
        if (hogfeat_gabor_bank_compute(job->bank, job->img, out, job->len) != HOGFEAT_OK ||
            hogfeat_gabor_filter(job->cfg, job->img, NULL, NULL, mag, job->npix) != HOGFEAT_OK)
            job->errors++;
        else if (memcmp(out, job->expect_bank, job->len * sizeof *out) != 0 ||
                 memcmp(mag, job->expect_mag, job->npix * sizeof *mag) != 0)
            job->mismatches++;
    }
    if (!out || !mag)
        job->errors++;
    free(out);
    free(mag);
    return NULL;
}

START_TEST(test_threads_shared)
{
    hogfeat_gabor_bank *bank = new_bank();
    hogfeat_gabor_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_gabor_config_set_theta(cfg, 0.6), HOGFEAT_OK);
    test_rng rng = test_rng_seed(24);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 48, 40);
    size_t len;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 48, 40, &len), HOGFEAT_OK);
    float *expect = sentinel_buffer(len), *mag = sentinel_buffer(48 * 40);
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, expect, len), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_gabor_filter(cfg, img, NULL, NULL, mag, 48 * 40), HOGFEAT_OK);
    thread_job jobs[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){bank, cfg, img, expect, mag, len, 48 * 40, 0, 0};
        ck_assert_int_eq(pthread_create(&tid[t], NULL, gabor_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_msg(jobs[t].errors == 0 && jobs[t].mismatches == 0, "thread %d: %d errors, %d mismatches", t,
                      jobs[t].errors, jobs[t].mismatches);
    free(expect);
    free(mag);
    hogfeat_image_destroy(img);
    hogfeat_gabor_config_destroy(cfg);
    hogfeat_gabor_bank_destroy(bank);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_gabor_config *cfg = (hogfeat_gabor_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_gabor_config_create(&cfg);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(cfg);
    hogfeat_gabor_bank *bank = (hogfeat_gabor_bank *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_gabor_bank_create(&bank);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(bank);
    cfg = new_config();
    bank = new_bank();
    hogfeat_gabor_config *copy = (hogfeat_gabor_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_gabor_config_copy(cfg, &copy);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(copy);

    test_rng rng = test_rng_seed(25);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 32);
    size_t len;
    ck_assert_int_eq(hogfeat_gabor_bank_feature_length(bank, 32, 32, &len), HOGFEAT_OK);
    float *out = sentinel_buffer(len), *mag = sentinel_buffer(1024);
    for (long nth = 1; nth <= 2; nth++) {
        hogfeat__test_alloc_fail_at(nth, 0);
        st = hogfeat_gabor_bank_compute(bank, img, out, len);
        hogfeat__test_alloc_reset();
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
        ck_assert(all_sentinel(out, len));
        hogfeat__test_alloc_fail_at(nth, 0);
        st = hogfeat_gabor_filter(cfg, img, NULL, NULL, mag, 1024);
        hogfeat__test_alloc_reset();
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
        ck_assert(all_sentinel(mag, 1024));
    }
    ck_assert_int_eq(hogfeat_gabor_bank_compute(bank, img, out, len), HOGFEAT_OK);
    free(out);
    free(mag);
    hogfeat_image_destroy(img);
    hogfeat_gabor_bank_destroy(bank);
    hogfeat_gabor_config_destroy(cfg);
}
END_TEST

static Suite *gabor_suite(void)
{
    Suite *s = suite_create("gabor");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"defaults", test_defaults},
        {"setters_validate", test_setters_validate},
        {"setters_accept", test_setters_accept},
        {"kernel_size_and_limits", test_kernel_size_and_limits},
        {"filter_errors", test_filter_errors},
        {"fixture_count", test_fixture_count},
        {"bank_setters", test_bank_setters},
        {"bank_errors", test_bank_errors},
        {"bank_matches_filter", test_bank_matches_filter},
        {"threads_shared", test_threads_shared},
        {"alloc_failure", test_alloc_failure},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("filter_parity");
    tcase_add_loop_test(tc, test_filter_parity, 0, (int)g_nfilter);
    suite_add_tcase(s, tc);
    tc = tcase_create("bank_parity");
    tcase_add_loop_test(tc, test_bank_parity, 0, (int)g_nbank);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/gabor", test_fixture_dir());
    g_files = list_fixtures(g_dir, &g_nfiles);
    for (size_t i = 0; i < g_nfiles; i++) {
        if (strncmp(g_files[i], "filter-", 7) == 0 && g_nfilter < 256)
            g_filter_files[g_nfilter++] = g_files[i];
        else if (strncmp(g_files[i], "bank-", 5) == 0 && g_nbank < 64)
            g_bank_files[g_nbank++] = g_files[i];
    }
    int rc = test_run_suite(gabor_suite());
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    return rc;
}
