/* Local Binary Patterns: configuration validation, length queries, error
 * statuses, parity with scikit-image 0.19 local_binary_pattern (fixtures in
 * $HOGFEAT_TEST_FIXTURES/lbp, written by tests/gen_lbp_fixtures.py; codes
 * must be identical, histograms within 1e-6), histogram properties, strides,
 * threads and allocation failure. */
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
#define SENTINEL_CODE 0xDEADBEEFu
#define HIST_TOL 1e-6

/* ---- fixture files (format: tests/data/lbp/README.md) ----------------------- */

#include "fixture.h"

static char g_dir[PATH_MAX];
static char **g_files;
static size_t g_nfiles;

/* ---- helpers ------------------------------------------------------------------ */

static hogfeat_lbp_config *new_config(void)
{
    hogfeat_lbp_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_lbp_config_create(&cfg), HOGFEAT_OK);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static void configure(hogfeat_lbp_config *cfg, int32_t p, float r, hogfeat_lbp_method m, int32_t cw, int32_t ch,
                      hogfeat_lbp_norm norm)
{
    ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_radius(cfg, r), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, m), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(cfg, cw, ch), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_norm(cfg, norm), HOGFEAT_OK);
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

static float *compute_new(const hogfeat_lbp_config *cfg, const hogfeat_image *img, size_t *out_len)
{
    size_t len = 0;
    hogfeat_status st = hogfeat_lbp_feature_length(cfg, hogfeat_image_width(img), hogfeat_image_height(img), &len);
    ck_assert_msg(st == HOGFEAT_OK, "feature_length: %d (%s)", (int)st, hogfeat_last_error_message());
    float *out = sentinel_buffer(len);
    st = hogfeat_lbp_compute(cfg, img, out, len);
    ck_assert_msg(st == HOGFEAT_OK, "compute: %d (%s)", (int)st, hogfeat_last_error_message());
    *out_len = len;
    return out;
}

typedef struct snapshot {
    int32_t points, cw, ch;
    float radius;
    int method, norm;
    size_t bins;
} snapshot;

static snapshot snap(const hogfeat_lbp_config *cfg)
{
    snapshot s = {hogfeat_lbp_config_get_points(cfg), hogfeat_lbp_config_get_cell_width(cfg),
                  hogfeat_lbp_config_get_cell_height(cfg), hogfeat_lbp_config_get_radius(cfg),
                  hogfeat_lbp_config_get_method(cfg), hogfeat_lbp_config_get_norm(cfg), hogfeat_lbp_num_bins(cfg)};
    return s;
}

static void assert_same(snapshot a, snapshot b, const char *what)
{
    ck_assert_msg(a.points == b.points && a.cw == b.cw && a.ch == b.ch && memcmp(&a.radius, &b.radius, sizeof(float)) == 0 &&
                      a.method == b.method && a.norm == b.norm && a.bins == b.bins,
                  "%s changed the configuration", what);
}

/* ---- configuration -------------------------------------------------------------- */

START_TEST(test_defaults)
{
    hogfeat_lbp_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_lbp_config_get_points(cfg), 8);
    ck_assert_float_eq(hogfeat_lbp_config_get_radius(cfg), 1.0f);
    ck_assert_int_eq(hogfeat_lbp_config_get_method(cfg), HOGFEAT_LBP_UNIFORM);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_width(cfg), 16);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_height(cfg), 16);
    ck_assert_int_eq(hogfeat_lbp_config_get_norm(cfg), HOGFEAT_LBP_NORM_L1);
    ck_assert_uint_eq(hogfeat_lbp_num_bins(cfg), 10);
    hogfeat_lbp_config_destroy(cfg);
    hogfeat_lbp_config_destroy(NULL);
}
END_TEST

START_TEST(test_setters_validate)
{
    hogfeat_lbp_config *cfg = new_config();
    configure(cfg, 12, 2.5f, HOGFEAT_LBP_NRI_UNIFORM, 7, 9, HOGFEAT_LBP_NORM_L2);
    const snapshot before = snap(cfg);
    const int32_t bad_points[] = {0, -1, 33, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_points / sizeof bad_points[0]; i++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, bad_points[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_str_ne(hogfeat_last_error_message(), "");
        assert_same(before, snap(cfg), "set_points");
    }
    const float bad_radius[] = {0.0f, -0.0f, -1.0f, NAN, INFINITY, -INFINITY, 4096.5f, FLT_MAX, -FLT_MIN};
    for (size_t i = 0; i < sizeof bad_radius / sizeof bad_radius[0]; i++) {
        ck_assert_msg(hogfeat_lbp_config_set_radius(cfg, bad_radius[i]) == HOGFEAT_ERR_INVALID_ARGUMENT,
                      "radius %g accepted", (double)bad_radius[i]);
        assert_same(before, snap(cfg), "set_radius");
    }
    const int bad_methods[] = {0, -1, 6, 100};
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, (hogfeat_lbp_method)bad_methods[i]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_method");
    }
    const int32_t bad_cells[][2] = {{0, 8}, {8, 0}, {-1, 8}, {8, -1}, {4097, 8}, {8, 4097}, {INT32_MIN, INT32_MAX}};
    for (size_t i = 0; i < sizeof bad_cells / sizeof bad_cells[0]; i++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(cfg, bad_cells[i][0], bad_cells[i][1]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_cell_size");
    }
    const int bad_norms[] = {0, -1, 4, 99};
    for (size_t i = 0; i < sizeof bad_norms / sizeof bad_norms[0]; i++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_norm(cfg, (hogfeat_lbp_norm)bad_norms[i]),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        assert_same(before, snap(cfg), "set_norm");
    }
    /* NULL handles */
    ck_assert_int_eq(hogfeat_lbp_config_set_points(NULL, 8), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_set_radius(NULL, 1.0f), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(NULL, HOGFEAT_LBP_ROR), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(NULL, 4, 4), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_set_norm(NULL, HOGFEAT_LBP_NORM_L1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_lbp_config *c2 = (hogfeat_lbp_config *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_lbp_config_copy(NULL, &c2), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(c2);
    ck_assert_int_eq(hogfeat_lbp_config_copy(cfg, NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_setters_accept_bounds)
{
    hogfeat_lbp_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, 32), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_get_points(cfg), 32);
    ck_assert_int_eq(hogfeat_lbp_config_set_radius(cfg, FLT_MIN), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_radius(cfg, 4096.0f), HOGFEAT_OK);
    ck_assert_float_eq(hogfeat_lbp_config_get_radius(cfg), 4096.0f);
    ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(cfg, 1, 4096), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_width(cfg), 1);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_height(cfg), 4096);
    for (int m = HOGFEAT_LBP_DEFAULT; m <= HOGFEAT_LBP_VAR; m++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, (hogfeat_lbp_method)m), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_lbp_config_get_method(cfg), m);
    }
    for (int n = HOGFEAT_LBP_NORM_NONE; n <= HOGFEAT_LBP_NORM_L2; n++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_norm(cfg, (hogfeat_lbp_norm)n), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_lbp_config_get_norm(cfg), n);
    }
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_getters_null)
{
    ck_assert_int_eq(hogfeat_lbp_config_get_points(NULL), 0);
    ck_assert_float_eq(hogfeat_lbp_config_get_radius(NULL), 0.0f);
    ck_assert_int_eq(hogfeat_lbp_config_get_method(NULL), 0);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_width(NULL), 0);
    ck_assert_int_eq(hogfeat_lbp_config_get_cell_height(NULL), 0);
    ck_assert_int_eq(hogfeat_lbp_config_get_norm(NULL), 0);
    ck_assert_uint_eq(hogfeat_lbp_num_bins(NULL), 0);
}
END_TEST

START_TEST(test_copy_independent)
{
    hogfeat_lbp_config *cfg = new_config();
    configure(cfg, 16, 2.0f, HOGFEAT_LBP_NRI_UNIFORM, 5, 6, HOGFEAT_LBP_NORM_NONE);
    hogfeat_lbp_config *copy = NULL;
    ck_assert_int_eq(hogfeat_lbp_config_copy(cfg, &copy), HOGFEAT_OK);
    assert_same(snap(cfg), snap(copy), "copy");
    ck_assert_int_eq(hogfeat_lbp_config_set_points(copy, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_get_points(cfg), 16);
    /* The copy computes like a fresh configuration with the same settings. */
    test_rng rng = test_rng_seed(5);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 20, 18);
    hogfeat_lbp_config *fresh = new_config();
    configure(fresh, 8, 2.0f, HOGFEAT_LBP_NRI_UNIFORM, 5, 6, HOGFEAT_LBP_NORM_NONE);
    size_t la, lb;
    float *a = compute_new(copy, img, &la), *b = compute_new(fresh, img, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(a, b, la * sizeof *a), 0);
    free(a);
    free(b);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(fresh);
    hogfeat_lbp_config_destroy(copy);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_num_bins)
{
    hogfeat_lbp_config *cfg = new_config();
    const struct {
        int32_t p;
        hogfeat_lbp_method m;
        uint64_t bins;
    } table[] = {
        {8, HOGFEAT_LBP_DEFAULT, 256},      {8, HOGFEAT_LBP_ROR, 256},      {8, HOGFEAT_LBP_UNIFORM, 10},
        {8, HOGFEAT_LBP_NRI_UNIFORM, 59},   {8, HOGFEAT_LBP_VAR, 0},        {1, HOGFEAT_LBP_DEFAULT, 2},
        {1, HOGFEAT_LBP_UNIFORM, 3},        {1, HOGFEAT_LBP_NRI_UNIFORM, 3}, {2, HOGFEAT_LBP_NRI_UNIFORM, 5},
        {16, HOGFEAT_LBP_NRI_UNIFORM, 243}, {24, HOGFEAT_LBP_UNIFORM, 26},  {32, HOGFEAT_LBP_NRI_UNIFORM, 995},
        {16, HOGFEAT_LBP_DEFAULT, 65536},   {32, HOGFEAT_LBP_DEFAULT, (uint64_t)1 << 32},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, table[i].p), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, table[i].m), HOGFEAT_OK);
        uint64_t expect = table[i].bins > (uint64_t)SIZE_MAX ? 0 : table[i].bins;
        ck_assert_msg(hogfeat_lbp_num_bins(cfg) == (size_t)expect, "P=%d method %d: %zu bins", (int)table[i].p,
                      (int)table[i].m, hogfeat_lbp_num_bins(cfg));
    }
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

/* ---- lengths and errors ---------------------------------------------------------- */

START_TEST(test_feature_length)
{
    hogfeat_lbp_config *cfg = new_config();
    size_t len = 12345;
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 64, 48, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 4 * 3 * 10);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 79, 63, &len), HOGFEAT_OK); /* partial cells dropped */
    ck_assert_uint_eq(len, 4 * 3 * 10);
    configure(cfg, 8, 1.0f, HOGFEAT_LBP_NRI_UNIFORM, 7, 5, HOGFEAT_LBP_NORM_L1);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 28, 28, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 4 * 5 * 59);
    configure(cfg, 16, 2.0f, HOGFEAT_LBP_DEFAULT, 16, 16, HOGFEAT_LBP_NORM_NONE);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 16, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 2 * 65536);

    /* failures leave the output alone */
    len = 12345;
    ck_assert_int_eq(hogfeat_lbp_config_set_points(cfg, 17), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 32, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, HOGFEAT_LBP_ROR), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 32, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, HOGFEAT_LBP_VAR), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 32, &len), HOGFEAT_ERR_INVALID_ARGUMENT);
    configure(cfg, 8, 1.0f, HOGFEAT_LBP_UNIFORM, 16, 16, HOGFEAT_LBP_NORM_L1);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 0, 32, &len), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 0, &len), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, SIZE_MAX, 32, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, SIZE_MAX, SIZE_MAX, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, (size_t)1 << 15, ((size_t)1 << 13) + 1, &len),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 15, 100, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 100, 15, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_uint_eq(len, 12345);
    ck_assert_int_eq(hogfeat_lbp_feature_length(NULL, 32, 32, &len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 32, 32, NULL), HOGFEAT_ERR_NULL_POINTER);
    /* largest image: 2^28 pixels */
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, (size_t)1 << 14, (size_t)1 << 14, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, (size_t)1024 * 1024 * 10);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_null_pointers)
{
    hogfeat_lbp_config *cfg = new_config();
    test_rng rng = test_rng_seed(7);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 32);
    uint32_t codes[32 * 32];
    float values[32 * 32];
    ck_assert_int_eq(hogfeat_lbp_codes(NULL, img, codes, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, NULL, codes, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, NULL, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_codes_f32(NULL, img, values, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, NULL, values, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, img, NULL, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_compute(NULL, img, values, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, NULL, values, 1024), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, img, NULL, 1024), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_buffer_too_small)
{
    hogfeat_lbp_config *cfg = new_config();
    test_rng rng = test_rng_seed(8);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 33, 20);
    const size_t n = 33 * 20;
    uint32_t *codes = malloc(n * sizeof *codes);
    float *values = sentinel_buffer(n);
    for (size_t i = 0; i < n; i++)
        codes[i] = SENTINEL_CODE;
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, n - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 0), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < n; i++)
        CHECK(codes[i] == SENTINEL_CODE, "codes written on BUFFER_TOO_SMALL");
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, img, values, n - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert(all_sentinel(values, n));
    size_t len = 0;
    ck_assert_int_eq(hogfeat_lbp_feature_length(cfg, 33, 20, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 2 * 1 * 10);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, img, values, len - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, img, values, 0), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert(all_sentinel(values, n));
    /* exact sizes work, and a larger buffer is written only up to the length */
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, n), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, img, values, n), HOGFEAT_OK);
    ck_assert(all_sentinel(values + len, n - len));
    free(codes);
    free(values);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_formats_and_methods)
{
    hogfeat_lbp_config *cfg = new_config();
    test_rng rng = test_rng_seed(9);
    hogfeat_image *rgb8 = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 32, 32);
    hogfeat_image *rgbf = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 32, 32);
    hogfeat_image *gray = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 32);
    uint32_t *codes = malloc(1024 * sizeof *codes);
    float *values = sentinel_buffer(1024);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, rgb8, codes, 1024), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, rgbf, values, 1024), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, rgb8, values, 1024), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, rgbf, values, 1024), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert(all_sentinel(values, 1024));
    /* var: real values only */
    ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, HOGFEAT_LBP_VAR), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, gray, codes, 1024), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, gray, values, 1024), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert(all_sentinel(values, 1024));
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, gray, values, 1024), HOGFEAT_OK);
    /* histograms too large */
    configure(cfg, 20, 2.0f, HOGFEAT_LBP_DEFAULT, 16, 16, HOGFEAT_LBP_NORM_NONE);
    float one = SENTINEL;
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, gray, &one, 1), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, gray, codes, 1024), HOGFEAT_OK);
    /* image too small for a cell */
    configure(cfg, 8, 1.0f, HOGFEAT_LBP_UNIFORM, 33, 8, HOGFEAT_LBP_NORM_NONE);
    ck_assert_int_eq(hogfeat_lbp_compute(cfg, gray, &one, 1), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_float_eq(one, SENTINEL);
    free(codes);
    free(values);
    hogfeat_image_destroy(rgb8);
    hogfeat_image_destroy(rgbf);
    hogfeat_image_destroy(gray);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_nonfinite_rejected)
{
    const float bad[] = {NAN, INFINITY, -INFINITY};
    hogfeat_lbp_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(cfg, 8, 8), HOGFEAT_OK);
    for (size_t k = 0; k < 3; k++) {
        test_rng rng = test_rng_seed(10 + k);
        hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 21, 19);
        float *px = hogfeat_image_writable_data(img);
        /* outside every cell (column 20 of a 16-px cell grid), yet sampled */
        px[5 * 21 + 20] = bad[k];
        uint32_t codes[21 * 19];
        float values[21 * 19];
        for (size_t i = 0; i < 21 * 19; i++) {
            codes[i] = SENTINEL_CODE;
            values[i] = SENTINEL;
        }
        ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 21 * 19), HOGFEAT_ERR_NONFINITE);
        ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, img, values, 21 * 19), HOGFEAT_ERR_NONFINITE);
        ck_assert_int_eq(hogfeat_lbp_compute(cfg, img, values, 21 * 19), HOGFEAT_ERR_NONFINITE);
        ck_assert(strstr(hogfeat_last_error_message(), "x 20, y 5") != NULL);
        ck_assert(all_sentinel(values, 21 * 19));
        for (size_t i = 0; i < 21 * 19; i++)
            CHECK(codes[i] == SENTINEL_CODE, "codes written on NONFINITE");
        hogfeat_image_destroy(img);
    }
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

/* ---- parity with scikit-image --------------------------------------------------- */

static hogfeat_lbp_method parse_method(const char *s)
{
    if (strcmp(s, "default") == 0)
        return HOGFEAT_LBP_DEFAULT;
    if (strcmp(s, "ror") == 0)
        return HOGFEAT_LBP_ROR;
    if (strcmp(s, "uniform") == 0)
        return HOGFEAT_LBP_UNIFORM;
    if (strcmp(s, "nri_uniform") == 0)
        return HOGFEAT_LBP_NRI_UNIFORM;
    ck_assert_str_eq(s, "var");
    return HOGFEAT_LBP_VAR;
}

static hogfeat_lbp_norm parse_norm(const char *s)
{
    if (strcmp(s, "none") == 0)
        return HOGFEAT_LBP_NORM_NONE;
    if (strcmp(s, "L1") == 0)
        return HOGFEAT_LBP_NORM_L1;
    ck_assert_str_eq(s, "L2");
    return HOGFEAT_LBP_NORM_L2;
}

START_TEST(test_fixture_count)
{
    ck_assert_msg(g_nfiles >= 20, "expected at least 20 LBP fixtures in %s, found %zu", g_dir, g_nfiles);
}
END_TEST

START_TEST(test_parity)
{
    fix f;
    fix_open(&f, g_dir, g_files[_i], "hogfeat-lbp-fixture");
    const size_t w = (size_t)fix_long(&f, "width"), h = (size_t)fix_long(&f, "height");
    const int f32 = strcmp(fix_str(&f, "dtype"), "f32") == 0;
    const int32_t p = (int32_t)fix_long(&f, "points");
    const float r = (float)fix_double(&f, "radius");
    const hogfeat_lbp_method m = parse_method(fix_str(&f, "method"));
    const size_t hist_len = (size_t)fix_long(&f, "hist_length");
    hogfeat_lbp_config *cfg = new_config();
    configure(cfg, p, r, m, (int32_t)fix_long(&f, "cell_width"), (int32_t)fix_long(&f, "cell_height"),
              parse_norm(fix_str(&f, "norm")));
    hogfeat_image *img = fix_image(&f, f32 ? HOGFEAT_FORMAT_F32_GRAY : HOGFEAT_FORMAT_U8_GRAY, w, h);
    double *ref = fix_f64(&f, w * h);
    double *ref_hist = fix_f64(&f, hist_len);
    fix_close(&f);

    const size_t n = w * h;
    float *values = sentinel_buffer(n);
    ck_assert_int_eq(hogfeat_lbp_codes_f32(cfg, img, values, n), HOGFEAT_OK);
    double worst_var = 0.0;
    size_t mismatches = 0;
    if (m == HOGFEAT_LBP_VAR) {
        for (size_t i = 0; i < n; i++) {
            if (isnan(ref[i])) {
                CHECK(isnan(values[i]), "%s: pixel %zu: %g, scikit-image NaN", g_files[_i], i, (double)values[i]);
                continue;
            }
            double d = fabs((double)values[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
            CHECK(d <= 1e-6, "%s: pixel %zu: var %.9g, scikit-image %.17g", g_files[_i], i, (double)values[i], ref[i]);
            if (d > worst_var)
                worst_var = d;
        }
    } else {
        uint32_t *codes = malloc(n * sizeof *codes);
        ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, n), HOGFEAT_OK);
        for (size_t i = 0; i < n; i++) {
            /* scikit-image's P = 32 default codes are 2^32 too small when bit 31 is set */
            uint32_t expect = (uint32_t)(int64_t)ref[i];
            if (codes[i] != expect || (p < 32 && (double)codes[i] != ref[i])) {
                if (mismatches++ < 5)
                    fprintf(stderr, "%s: pixel (x %zu, y %zu): code %u, scikit-image %.17g\n", g_files[_i], i % w,
                            i / w, codes[i], ref[i]);
            }
            CHECK(values[i] == (float)codes[i], "codes_f32 differs from codes at %zu", i);
        }
        free(codes);
    }
    ck_assert_msg(mismatches == 0, "%s: %zu codes differ from scikit-image", g_files[_i], mismatches);

    double worst_hist = 0.0;
    if (hist_len > 0) {
        size_t len = 0;
        float *hist = compute_new(cfg, img, &len);
        ck_assert_uint_eq(len, hist_len);
        for (size_t i = 0; i < len; i++) {
            double d = fabs((double)hist[i] - ref_hist[i]);
            if (d > worst_hist)
                worst_hist = d;
        }
        ck_assert_msg(worst_hist <= HIST_TOL, "%s: histogram max |delta| %g > %g", g_files[_i], worst_hist, HIST_TOL);
        free(hist);
    }
    printf("lbp parity %-36s codes %s, var max rel delta %.3g, histogram max |delta| %.3g (%zu values)\n",
           g_files[_i], m == HOGFEAT_LBP_VAR ? "n/a" : "identical", worst_var, worst_hist, hist_len);
    free(values);
    free(ref);
    free(ref_hist);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

/* ---- properties ------------------------------------------------------------------- */

/* Histogram with NORM_NONE equals the counts of hogfeat_lbp_codes; L1 and L2 rescale it. */
START_TEST(test_histogram_matches_codes)
{
    test_rng rng = test_rng_seed(12);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 37, 29);
    const hogfeat_lbp_method methods[] = {HOGFEAT_LBP_DEFAULT, HOGFEAT_LBP_ROR, HOGFEAT_LBP_UNIFORM,
                                          HOGFEAT_LBP_NRI_UNIFORM};
    for (size_t mi = 0; mi < 4; mi++) {
        hogfeat_lbp_config *cfg = new_config();
        configure(cfg, 8, 1.5f, methods[mi], 9, 7, HOGFEAT_LBP_NORM_NONE);
        const size_t bins = hogfeat_lbp_num_bins(cfg), cx = 37 / 9, cy = 29 / 7;
        uint32_t codes[37 * 29];
        ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 37 * 29), HOGFEAT_OK);
        double *expect = calloc(cx * cy * bins, sizeof *expect);
        for (size_t y = 0; y < cy * 7; y++)
            for (size_t x = 0; x < cx * 9; x++) {
                ck_assert_uint_lt(codes[y * 37 + x], bins);
                expect[((y / 7) * cx + x / 9) * bins + codes[y * 37 + x]] += 1.0;
            }
        size_t len;
        float *counts = compute_new(cfg, img, &len);
        ck_assert_uint_eq(len, cx * cy * bins);
        for (size_t i = 0; i < len; i++)
            CHECK((double)counts[i] == expect[i], "method %d: bin %zu: %g, expected %g", (int)methods[mi], i,
                  (double)counts[i], expect[i]);
        ck_assert_int_eq(hogfeat_lbp_config_set_norm(cfg, HOGFEAT_LBP_NORM_L1), HOGFEAT_OK);
        float *l1 = compute_new(cfg, img, &len);
        ck_assert_int_eq(hogfeat_lbp_config_set_norm(cfg, HOGFEAT_LBP_NORM_L2), HOGFEAT_OK);
        float *l2 = compute_new(cfg, img, &len);
        for (size_t c = 0; c < cx * cy; c++) {
            double s1 = 0.0, s2 = 0.0;
            for (size_t b = 0; b < bins; b++) {
                CHECK(fabs((double)l1[c * bins + b] - expect[c * bins + b] / 63.0) <= 1e-7, "L1 value");
                s1 += l1[c * bins + b];
                s2 += (double)l2[c * bins + b] * l2[c * bins + b];
            }
            CHECK(fabs(s1 - 1.0) < 1e-5 && fabs(s2 - 1.0) < 1e-5, "cell %zu: L1 sum %g, L2 norm^2 %g", c, s1, s2);
        }
        free(expect);
        free(counts);
        free(l1);
        free(l2);
        hogfeat_lbp_config_destroy(cfg);
    }
    hogfeat_image_destroy(img);
}
END_TEST

/* A constant image: interior pixels see ties only (all bits 1); bits of
 * samples outside the image are 0. Checks the code formulas at P = 32. */
START_TEST(test_constant_image_codes)
{
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 20, 20, &img), HOGFEAT_OK);
    memset(hogfeat_image_writable_data(img), 90, 400);
    hogfeat_lbp_config *cfg = new_config();
    uint32_t codes[400];
    const struct {
        int32_t p;
        hogfeat_lbp_method m;
        uint32_t interior;
    } table[] = {
        {8, HOGFEAT_LBP_DEFAULT, 255},         {32, HOGFEAT_LBP_DEFAULT, 0xFFFFFFFFu}, {32, HOGFEAT_LBP_ROR, 0xFFFFFFFFu},
        {32, HOGFEAT_LBP_UNIFORM, 32},         {32, HOGFEAT_LBP_NRI_UNIFORM, 993},     {8, HOGFEAT_LBP_NRI_UNIFORM, 57},
        {1, HOGFEAT_LBP_DEFAULT, 1},           {1, HOGFEAT_LBP_NRI_UNIFORM, 1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        configure(cfg, table[i].p, 3.0f, table[i].m, 4, 4, HOGFEAT_LBP_NORM_NONE);
        ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 400), HOGFEAT_OK);
        ck_assert_msg(codes[10 * 20 + 10] == table[i].interior, "P=%d method %d: interior code %u, expected %u",
                      (int)table[i].p, (int)table[i].m, codes[10 * 20 + 10], table[i].interior);
    }
    /* Corner (0, 0) at P = 32, R = 3: the samples of angles in (90, 360)
     * degrees, measured with rows going up, fall outside (bits 0), those in
     * [0, 90] inside or on the border. Its ror code is a rotation minimum. */
    configure(cfg, 32, 3.0f, HOGFEAT_LBP_DEFAULT, 4, 4, HOGFEAT_LBP_NORM_NONE);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 400), HOGFEAT_OK);
    uint32_t def = codes[0];
    ck_assert_int_eq(hogfeat_lbp_config_set_method(cfg, HOGFEAT_LBP_ROR), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, img, codes, 400), HOGFEAT_OK);
    uint32_t best = def;
    for (int k = 1; k < 32; k++) {
        uint32_t rot = (def >> k) | (def << (32 - k));
        if (rot < best)
            best = rot;
    }
    ck_assert_uint_eq(codes[0], best);
    hogfeat_lbp_config_destroy(cfg);
    hogfeat_image_destroy(img);
}
END_TEST

START_TEST(test_u8_equals_f32_and_strides)
{
    test_rng rng = test_rng_seed(13);
    const size_t w = 23, h = 17;
    hogfeat_image *u8 = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, w, h);
    hogfeat_image *f = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, w, h, &f), HOGFEAT_OK);
    const uint8_t *s = hogfeat_image_data(u8);
    float *d = hogfeat_image_writable_data(f);
    for (size_t i = 0; i < w * h; i++)
        d[i] = (float)s[i];
    /* the float pixels again, in rows of 29 floats */
    float *padded = calloc(29 * h, sizeof *padded);
    for (size_t y = 0; y < h; y++)
        memcpy(padded + y * 29, d + y * w, w * sizeof *padded);
    hogfeat_image *wrapped = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(padded, HOGFEAT_FORMAT_F32_GRAY, w, h, 29 * sizeof(float), &wrapped),
                     HOGFEAT_OK);
    hogfeat_lbp_config *cfg = new_config();
    configure(cfg, 12, 1.7f, HOGFEAT_LBP_NRI_UNIFORM, 5, 4, HOGFEAT_LBP_NORM_L2);
    uint32_t a[23 * 17], b[23 * 17], c[23 * 17];
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, u8, a, w * h), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, f, b, w * h), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_codes(cfg, wrapped, c, w * h), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert_int_eq(memcmp(a, c, sizeof a), 0);
    size_t l1, l2;
    float *ha = compute_new(cfg, u8, &l1), *hc = compute_new(cfg, wrapped, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert_int_eq(memcmp(ha, hc, l1 * sizeof *ha), 0);
    free(ha);
    free(hc);
    hogfeat_lbp_config_destroy(cfg);
    hogfeat_image_destroy(wrapped);
    free(padded);
    hogfeat_image_destroy(f);
    hogfeat_image_destroy(u8);
}
END_TEST

/* ---- threads ------------------------------------------------------------------------ */

#define N_THREADS 4
#define N_ROUNDS 8

typedef struct thread_job {
    const hogfeat_lbp_config *cfg;
    const hogfeat_image *img;
    const float *expect;
    size_t len;
    int mismatches, errors;
} thread_job;

static void *lbp_thread(void *arg)
{
    thread_job *job = arg;
    float *out = malloc(job->len * sizeof *out);
    if (!out) {
        job->errors++;
        return NULL;
    }
    for (int r = 0; r < N_ROUNDS; r++) {
        if (hogfeat_lbp_compute(job->cfg, job->img, out, job->len) != HOGFEAT_OK)
            job->errors++;
        else if (memcmp(out, job->expect, job->len * sizeof *out) != 0)
            job->mismatches++;
    }
    free(out);
    return NULL;
}

START_TEST(test_threads_shared_config)
{
    hogfeat_lbp_config *cfg = new_config();
    configure(cfg, 8, 2.0f, HOGFEAT_LBP_NRI_UNIFORM, 8, 8, HOGFEAT_LBP_NORM_L1);
    test_rng rng = test_rng_seed(14);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 96, 80);
    size_t len;
    float *expect = compute_new(cfg, img, &len);
    thread_job jobs[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){cfg, img, expect, len, 0, 0};
        ck_assert_int_eq(pthread_create(&tid[t], NULL, lbp_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_msg(jobs[t].errors == 0 && jobs[t].mismatches == 0, "thread %d: %d errors, %d mismatches", t,
                      jobs[t].errors, jobs[t].mismatches);
    free(expect);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_lbp_config *cfg = (hogfeat_lbp_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_lbp_config_create(&cfg);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(cfg);
    cfg = new_config();
    hogfeat_lbp_config *copy = (hogfeat_lbp_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_lbp_config_copy(cfg, &copy);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(copy);
    /* compute allocates nothing */
    test_rng rng = test_rng_seed(15);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 32);
    float out[4 * 10];
    hogfeat__test_alloc_fail_at(1, 1);
    st = hogfeat_lbp_compute(cfg, img, out, 40);
    size_t allocs = hogfeat__test_alloc_failures();
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_OK);
    ck_assert_uint_eq(allocs, 0);
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(cfg);
}
END_TEST

static Suite *lbp_suite(void)
{
    Suite *s = suite_create("lbp");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"defaults", test_defaults},
        {"setters_validate", test_setters_validate},
        {"setters_accept_bounds", test_setters_accept_bounds},
        {"getters_null", test_getters_null},
        {"copy_independent", test_copy_independent},
        {"num_bins", test_num_bins},
        {"feature_length", test_feature_length},
        {"null_pointers", test_null_pointers},
        {"buffer_too_small", test_buffer_too_small},
        {"formats_and_methods", test_formats_and_methods},
        {"nonfinite_rejected", test_nonfinite_rejected},
        {"fixture_count", test_fixture_count},
        {"histogram_matches_codes", test_histogram_matches_codes},
        {"constant_image_codes", test_constant_image_codes},
        {"u8_equals_f32_and_strides", test_u8_equals_f32_and_strides},
        {"threads_shared_config", test_threads_shared_config},
        {"alloc_failure", test_alloc_failure},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("parity");
    tcase_add_loop_test(tc, test_parity, 0, (int)g_nfiles);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/lbp", test_fixture_dir());
    g_files = list_fixtures(g_dir, &g_nfiles);
    int rc = test_run_suite(lbp_suite());
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    return rc;
}
