/* HOG pictures: argument checks, parity with scikit-image 0.19
 * hog(..., visualize=True) (fixtures in $HOGFEAT_TEST_FIXTURES/visualize,
 * written by tests/gen_visualize_fixtures.py: |delta| <= 1e-5 * max(1, |ref|),
 * the float32 output being unable to hold float64 values of order 100 more
 * closely), the 8-bit helper, threads and allocation failure. */
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

#define VIS_TOL 1e-5
#define SENTINEL (-7777.25f)

/* ---- fixture files (format: tests/data/visualize/README.md) ----------------------- */

#include "fixture.h"

static char g_dir[PATH_MAX];
static char **g_files;
static size_t g_nfiles;

/* ---- helpers ------------------------------------------------------------------ */

static hogfeat_hog_config *new_config(int32_t bins, int32_t cw, int32_t ch)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, bins), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, cw, ch), HOGFEAT_OK);
    return cfg;
}

static hogfeat_image *new_image(hogfeat_format f, size_t w, size_t h, float fill)
{
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(f, w, h, &img), HOGFEAT_OK);
    if (f == HOGFEAT_FORMAT_F32_GRAY) {
        float *p = hogfeat_image_writable_data(img);
        for (size_t i = 0; i < w * h; i++)
            p[i] = fill;
    }
    return img;
}

static int all_value(const hogfeat_image *img, float v)
{
    const float *p = hogfeat_image_data(img);
    size_t n = hogfeat_image_width(img) * hogfeat_image_height(img);
    for (size_t i = 0; i < n; i++)
        if (memcmp(&p[i], &v, sizeof v) != 0)
            return 0;
    return 1;
}

/* ---- errors --------------------------------------------------------------------- */

START_TEST(test_visualize_errors)
{
    hogfeat_hog_config *cfg = new_config(9, 8, 8);
    test_rng rng = test_rng_seed(41);
    hogfeat_image *in = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 32, 24);
    hogfeat_image *out = new_image(HOGFEAT_FORMAT_F32_GRAY, 32, 24, SENTINEL);
    hogfeat_image *small = new_image(HOGFEAT_FORMAT_F32_GRAY, 32, 23, SENTINEL);
    hogfeat_image *u8 = new_image(HOGFEAT_FORMAT_U8_GRAY, 32, 24, 0);
    hogfeat_image *rgbf = new_image(HOGFEAT_FORMAT_F32_RGB, 32, 24, 0);
    float *pixels = calloc(32 * 24, sizeof *pixels);
    hogfeat_image *borrowed = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(pixels, HOGFEAT_FORMAT_F32_GRAY, 32, 24, 0, &borrowed), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_visualize(NULL, in, out), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, NULL, out), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, u8), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, rgbf), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, small), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, borrowed), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert(all_value(small, SENTINEL));
    for (size_t i = 0; i < 32 * 24; i++)
        CHECK(pixels[i] == 0.0f, "borrowed pixels written");

    /* non-finite samples, a negative sample under the square root, overflow */
    hogfeat_image *f = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 32, 24);
    float *fp = hogfeat_image_writable_data(f);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        fp[31] = bad[k]; /* a corner */
        ck_assert_int_eq(hogfeat_hog_visualize(cfg, f, out), HOGFEAT_ERR_NONFINITE);
    }
    fp[31] = -0.25f;
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, f, out), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, f, out), HOGFEAT_ERR_NONFINITE);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 0), HOGFEAT_OK);
    fp[31] = 0.5f;
    fp[5 * 32 + 4] = FLT_MAX;
    fp[5 * 32 + 6] = -FLT_MAX;
    for (size_t i = 0; i < 32 * 24; i++)
        ((float *)hogfeat_image_writable_data(out))[i] = SENTINEL;
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, f, out), HOGFEAT_ERR_NONFINITE);
    ck_assert(all_value(out, SENTINEL));

    hogfeat_image_destroy(f);
    hogfeat_image_destroy(borrowed);
    free(pixels);
    hogfeat_image_destroy(rgbf);
    hogfeat_image_destroy(u8);
    hogfeat_image_destroy(small);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- parity with scikit-image --------------------------------------------------------- */

static double g_worst_abs, g_worst_rel;

START_TEST(test_fixture_count)
{
    ck_assert_msg(g_nfiles >= 5, "expected at least 5 picture fixtures in %s, found %zu", g_dir, g_nfiles);
}
END_TEST

START_TEST(test_parity)
{
    fix f;
    fix_open(&f, g_dir, g_files[_i], "hogfeat-hogvis-fixture");
    const size_t w = (size_t)fix_long(&f, "width"), h = (size_t)fix_long(&f, "height");
    const int ch = (int)fix_long(&f, "channels");
    const int f32 = strcmp(fix_str(&f, "dtype"), "f32") == 0;
    hogfeat_hog_config *cfg = new_config((int32_t)fix_long(&f, "orientations"), (int32_t)fix_long(&f, "cell_width"),
                                         (int32_t)fix_long(&f, "cell_height"));
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, (int)fix_long(&f, "transform_sqrt")), HOGFEAT_OK);
    hogfeat_format fmt = ch == 3 ? (f32 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_U8_RGB)
                                 : (f32 ? HOGFEAT_FORMAT_F32_GRAY : HOGFEAT_FORMAT_U8_GRAY);
    hogfeat_image *img = fix_image(&f, fmt, w, h);
    double *ref = fix_f64(&f, w * h);
    fix_close(&f);

    hogfeat_image *out = new_image(HOGFEAT_FORMAT_F32_GRAY, w, h, SENTINEL);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, img, out), HOGFEAT_OK);
    const float *pic = hogfeat_image_data(out);
    double worst_abs = 0.0, worst_rel = 0.0, peak = 0.0;
    for (size_t i = 0; i < w * h; i++) {
        double d = fabs((double)pic[i] - ref[i]);
        double rel = d / fmax(1.0, fabs(ref[i]));
        CHECK(rel <= VIS_TOL, "%s: pixel (x %zu, y %zu): %.9g, scikit-image %.17g", g_files[_i], i % w, i / w,
              (double)pic[i], ref[i]);
        if (d > worst_abs)
            worst_abs = d;
        if (rel > worst_rel)
            worst_rel = rel;
        if (fabs(ref[i]) > peak)
            peak = fabs(ref[i]);
    }
    if (worst_abs > g_worst_abs)
        g_worst_abs = worst_abs;
    if (worst_rel > g_worst_rel)
        g_worst_rel = worst_rel;
    printf("visualize parity %-38s max |delta| %.3g, max |delta| / max(1, |ref|) %.3g (peak %.6g)\n", g_files[_i],
           worst_abs, worst_rel, peak);
    free(ref);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- geometry ------------------------------------------------------------------------- */

START_TEST(test_small_cells_and_images)
{
    test_rng rng = test_rng_seed(42);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 9, 7);
    hogfeat_image *out = new_image(HOGFEAT_FORMAT_F32_GRAY, 9, 7, SENTINEL);
    /* 1-pixel cells: lines may leave the image (scikit-image fails there) */
    const int32_t sides[][2] = {{1, 1}, {1, 4}, {5, 1}, {2, 2}, {3, 3}};
    for (size_t k = 0; k < 5; k++) {
        hogfeat_hog_config *cfg = new_config(9, sides[k][0], sides[k][1]);
        ck_assert_int_eq(hogfeat_hog_visualize(cfg, img, out), HOGFEAT_OK);
        const float *p = hogfeat_image_data(out);
        for (size_t i = 0; i < 63; i++)
            CHECK(isfinite(p[i]) && p[i] >= 0.0f, "cell %dx%d: pixel %zu = %g", (int)sides[k][0], (int)sides[k][1], i,
                  (double)p[i]);
        hogfeat_hog_config_destroy(cfg);
    }
    /* no whole cell: all zeros (scikit-image's hog() would raise) */
    hogfeat_hog_config *cfg = new_config(9, 10, 8);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, img, out), HOGFEAT_OK);
    ck_assert(all_value(out, 0.0f));
    /* signed orientations: finite, non-negative, and not the unsigned picture */
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image *big = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 40, 32);
    hogfeat_image *a = new_image(HOGFEAT_FORMAT_F32_GRAY, 40, 32, 0), *b = new_image(HOGFEAT_FORMAT_F32_GRAY, 40, 32, 0);
    cfg = new_config(8, 8, 8);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, big, a), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, big, b), HOGFEAT_OK);
    ck_assert(memcmp(hogfeat_image_data(a), hogfeat_image_data(b), 40 * 32 * sizeof(float)) != 0);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(a);
    hogfeat_image_destroy(b);
    hogfeat_image_destroy(big);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(img);
}
END_TEST

/* The input may be the output image itself: every read happens first. */
START_TEST(test_in_place)
{
    test_rng rng = test_rng_seed(43);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 24, 24);
    hogfeat_image *out = new_image(HOGFEAT_FORMAT_F32_GRAY, 24, 24, 0);
    hogfeat_hog_config *cfg = new_config(9, 6, 6);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, img, out), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, img, img), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(hogfeat_image_data(img), hogfeat_image_data(out), 24 * 24 * sizeof(float)), 0);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(img);
}
END_TEST

/* ---- 8-bit helper ----------------------------------------------------------------------- */

START_TEST(test_to_u8)
{
    const float vals[6] = {0.0f, 1.0f, 2.0f, 4.0f, -3.0f, 0.5f};
    hogfeat_image *in = NULL, *out = NULL, *bad = NULL, *u8in = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(vals, HOGFEAT_FORMAT_F32_GRAY, 3, 2, 0, &in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 3, 2, &out), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 2, 3, &bad), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 3, 2, &u8in), HOGFEAT_OK);
    uint8_t *o = hogfeat_image_writable_data(out);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 0.0f, out), HOGFEAT_OK);
    const uint8_t expect_auto[6] = {0, 64, 128, 255, 0, 32}; /* floor(255 v / 4 + 0.5) */
    ck_assert_int_eq(memcmp(o, expect_auto, 6), 0);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 2.0f, out), HOGFEAT_OK);
    const uint8_t expect_2[6] = {0, 128, 255, 255, 0, 64};
    ck_assert_int_eq(memcmp(o, expect_2, 6), 0);
    /* errors leave the output alone */
    memset(o, 7, 6);
    ck_assert_int_eq(hogfeat_visualize_to_u8(NULL, 0.0f, out), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 0.0f, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_visualize_to_u8(u8in, 0.0f, out), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    hogfeat_image *fout = new_image(HOGFEAT_FORMAT_F32_GRAY, 3, 2, 0);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 0.0f, fout), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 0.0f, bad), HOGFEAT_ERR_BAD_GEOMETRY);
    const float bad_max[] = {-1.0f, -FLT_MIN, NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(hogfeat_visualize_to_u8(in, bad_max[k], out), HOGFEAT_ERR_INVALID_ARGUMENT);
    uint8_t ext[6] = {0};
    hogfeat_image *borrowed = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(ext, HOGFEAT_FORMAT_U8_GRAY, 3, 2, 0, &borrowed), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_visualize_to_u8(in, 0.0f, borrowed), HOGFEAT_ERR_INVALID_ARGUMENT);
    float nan_vals[6] = {0, 1, NAN, 3, 4, 5};
    hogfeat_image *nan_in = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(nan_vals, HOGFEAT_FORMAT_F32_GRAY, 3, 2, 0, &nan_in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_visualize_to_u8(nan_in, 0.0f, out), HOGFEAT_ERR_NONFINITE);
    ck_assert_int_eq(hogfeat_visualize_to_u8(nan_in, 8.0f, out), HOGFEAT_ERR_NONFINITE);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(o[i], 7);
    /* an image without a positive value becomes black */
    const float neg[6] = {0.0f, -1.0f, -2.0f, 0.0f, -0.5f, -9.0f};
    hogfeat_image *neg_in = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(neg, HOGFEAT_FORMAT_F32_GRAY, 3, 2, 0, &neg_in), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_visualize_to_u8(neg_in, 0.0f, out), HOGFEAT_OK);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(o[i], 0);
    hogfeat_image_destroy(neg_in);
    hogfeat_image_destroy(nan_in);
    hogfeat_image_destroy(borrowed);
    hogfeat_image_destroy(fout);
    hogfeat_image_destroy(u8in);
    hogfeat_image_destroy(bad);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);
}
END_TEST

/* ---- threads and allocation --------------------------------------------------------------- */

#define N_THREADS 4

typedef struct thread_job {
    const hogfeat_hog_config *cfg;
    const hogfeat_image *in;
    const float *expect;
    int mismatches, errors;
} thread_job;

static void *vis_thread(void *arg)
{
    thread_job *job = arg;
    size_t w = hogfeat_image_width(job->in), h = hogfeat_image_height(job->in);
    hogfeat_image *out = NULL;
    if (hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, w, h, &out) != HOGFEAT_OK) {
        job->errors++;
        return NULL;
    }
    for (int r = 0; r < 6; r++) {
        if (hogfeat_hog_visualize(job->cfg, job->in, out) != HOGFEAT_OK)
            job->errors++;
        else if (memcmp(hogfeat_image_data(out), job->expect, w * h * sizeof(float)) != 0)
            job->mismatches++;
    }
    hogfeat_image_destroy(out);
    return NULL;
}

START_TEST(test_threads)
{
    hogfeat_hog_config *cfg = new_config(9, 8, 8);
    test_rng rng = test_rng_seed(44);
    hogfeat_image *in = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 96, 64);
    hogfeat_image *expect = new_image(HOGFEAT_FORMAT_F32_GRAY, 96, 64, 0);
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, expect), HOGFEAT_OK);
    thread_job jobs[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){cfg, in, hogfeat_image_data(expect), 0, 0};
        ck_assert_int_eq(pthread_create(&tid[t], NULL, vis_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_msg(jobs[t].errors == 0 && jobs[t].mismatches == 0, "thread %d: %d errors, %d mismatches", t,
                      jobs[t].errors, jobs[t].mismatches);
    hogfeat_image_destroy(expect);
    hogfeat_image_destroy(in);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_hog_config *cfg = new_config(9, 4, 4);
    test_rng rng = test_rng_seed(45);
    hogfeat_image *in = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 20, 20);
    hogfeat_image *out = new_image(HOGFEAT_FORMAT_F32_GRAY, 20, 20, SENTINEL);
    hogfeat__test_alloc_fail_at(1, 1);
    hogfeat_status st = hogfeat_hog_visualize(cfg, in, out);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert(all_value(out, SENTINEL));
    ck_assert_int_eq(hogfeat_hog_visualize(cfg, in, out), HOGFEAT_OK);
    hogfeat_image_destroy(out);
    hogfeat_image_destroy(in);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

static Suite *visualize_suite(void)
{
    Suite *s = suite_create("visualize");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"visualize_errors", test_visualize_errors},
        {"fixture_count", test_fixture_count},
        {"small_cells_and_images", test_small_cells_and_images},
        {"in_place", test_in_place},
        {"to_u8", test_to_u8},
        {"threads", test_threads},
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
    snprintf(g_dir, sizeof g_dir, "%s/visualize", test_fixture_dir());
    g_files = list_fixtures(g_dir, &g_nfiles);
    int rc = test_run_suite(visualize_suite());
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    return rc;
}
