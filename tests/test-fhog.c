/* FHOG (UoCTTI HOG): configuration validation, grid and length queries,
 * error statuses, parity with VLFeat 0.9.21 vl_hog / VlHogVariantUoctti
 * (fixtures in $HOGFEAT_TEST_FIXTURES/fhog, written by
 * tests/gen_fhog_fixtures.c: max |delta| <= 1e-4 on interior cells, the
 * promise; every cell is checked and reported too), layout mapping, strides,
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
#define INTERIOR_TOL 1e-4
#define BORDER_TOL 1e-4

/* ---- fixture files (format: tests/data/fhog/README.md) ----------------------- */

#include "fixture.h"

static char g_dir[PATH_MAX];
static char **g_files;
static size_t g_nfiles;

/* ---- helpers ------------------------------------------------------------------ */

static hogfeat_fhog_config *new_config(void)
{
    hogfeat_fhog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_fhog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
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

static float *compute_new(const hogfeat_fhog_config *cfg, const hogfeat_image *img, size_t *out_len)
{
    size_t len = 0;
    hogfeat_status st = hogfeat_fhog_feature_length(cfg, hogfeat_image_width(img), hogfeat_image_height(img), &len);
    ck_assert_msg(st == HOGFEAT_OK, "feature_length: %d (%s)", (int)st, hogfeat_last_error_message());
    float *out = sentinel_buffer(len);
    st = hogfeat_fhog_compute(cfg, img, out, len);
    ck_assert_msg(st == HOGFEAT_OK, "compute: %d (%s)", (int)st, hogfeat_last_error_message());
    *out_len = len;
    return out;
}

/* ---- configuration ------------------------------------------------------------- */

START_TEST(test_defaults)
{
    hogfeat_fhog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_fhog_config_get_orientations(cfg), 9);
    ck_assert_int_eq(hogfeat_fhog_config_get_cell_size(cfg), 8);
    ck_assert_int_eq(hogfeat_fhog_cell_dimension(cfg), 31);
    hogfeat_fhog_config_destroy(cfg);
    hogfeat_fhog_config_destroy(NULL);
}
END_TEST

START_TEST(test_setters)
{
    hogfeat_fhog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_fhog_config_set_orientations(cfg, 6), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 5), HOGFEAT_OK);
    const int32_t bad_o[] = {0, -1, 65, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_o / sizeof bad_o[0]; i++) {
        ck_assert_int_eq(hogfeat_fhog_config_set_orientations(cfg, bad_o[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_str_ne(hogfeat_last_error_message(), "");
    }
    const int32_t bad_c[] = {0, -8, 4097, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_c / sizeof bad_c[0]; i++)
        ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, bad_c[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_fhog_config_get_orientations(cfg), 6);
    ck_assert_int_eq(hogfeat_fhog_config_get_cell_size(cfg), 5);
    ck_assert_int_eq(hogfeat_fhog_cell_dimension(cfg), 22);
    ck_assert_int_eq(hogfeat_fhog_config_set_orientations(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_set_orientations(cfg, 64), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_cell_dimension(cfg), 196);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 4096), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_get_cell_size(cfg), 4096);
    ck_assert_int_eq(hogfeat_fhog_config_set_orientations(NULL, 9), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(NULL, 8), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_config_get_orientations(NULL), 0);
    ck_assert_int_eq(hogfeat_fhog_config_get_cell_size(NULL), 0);
    ck_assert_int_eq(hogfeat_fhog_cell_dimension(NULL), 0);
    ck_assert_int_eq(hogfeat_fhog_config_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_fhog_config *copy = (hogfeat_fhog_config *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_fhog_config_copy(NULL, &copy), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(copy);
    ck_assert_int_eq(hogfeat_fhog_config_copy(cfg, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_config_copy(cfg, &copy), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(copy, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_get_cell_size(cfg), 4096);
    ck_assert_int_eq(hogfeat_fhog_config_get_orientations(copy), 64);
    hogfeat_fhog_config_destroy(copy);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

START_TEST(test_grid_and_length)
{
    hogfeat_fhog_config *cfg = new_config();
    const struct {
        int32_t cell;
        size_t w, h, cx, cy;
    } table[] = {
        {8, 64, 48, 8, 6}, {8, 67, 51, 8, 6}, {8, 68, 52, 9, 7}, {8, 4, 4, 1, 1},   {8, 1024, 8, 128, 1},
        {4, 5, 9, 1, 2},   {3, 25, 19, 8, 6}, {1, 7, 3, 7, 3},   {5, 3, 3, 1, 1},   {16, 80, 70, 5, 4},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, table[i].cell), HOGFEAT_OK);
        size_t cx = 0, cy = 0, len = 0;
        ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, table[i].w, table[i].h, &cx, &cy), HOGFEAT_OK);
        ck_assert_msg(cx == table[i].cx && cy == table[i].cy, "cell %d, %zux%zu: %zux%zu cells", (int)table[i].cell,
                      table[i].w, table[i].h, cx, cy);
        ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, table[i].w, table[i].h, &len), HOGFEAT_OK);
        ck_assert_uint_eq(len, cx * cy * 31);
    }
    size_t cx = 77, cy = 77, len = 77;
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, 3, 40, &cx, &cy), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, 40, 3, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, 0, 40, &cx, &cy), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, 40, 0, &len), HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, SIZE_MAX, 40, &cx, &cy), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, SIZE_MAX, SIZE_MAX, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, ((size_t)1 << 28) + 1, 1, &len), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(cx, 77);
    ck_assert_uint_eq(cy, 77);
    ck_assert_uint_eq(len, 77);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(NULL, 40, 40, &cx, &cy), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, 40, 40, NULL, &cy), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, 40, 40, &cx, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_feature_length(NULL, 40, 40, &len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, 40, 40, NULL), HOGFEAT_ERR_NULL_POINTER);
    /* the largest image */
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, (size_t)1 << 14, (size_t)1 << 14, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, (size_t)2048 * 2048 * 31);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

START_TEST(test_compute_errors)
{
    hogfeat_fhog_config *cfg = new_config();
    test_rng rng = test_rng_seed(31);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 40, 33);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_fhog_feature_length(cfg, 40, 33, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 5 * 4 * 31);
    float *out = sentinel_buffer(len);
    ck_assert_int_eq(hogfeat_fhog_compute(NULL, img, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, NULL, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, NULL, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, len - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, 0), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    float *px = hogfeat_image_writable_data(img);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        float keep = px[3 * 40 * 33 - 1];
        px[3 * 40 * 33 - 1] = bad[k]; /* last sample, a border pixel VLFeat never reads */
        ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, len), HOGFEAT_ERR_NONFINITE);
        px[3 * 40 * 33 - 1] = keep;
    }
    /* finite samples whose difference overflows float */
    px[3 * (10 * 40 + 9)] = FLT_MAX;
    px[3 * (10 * 40 + 11)] = -FLT_MAX;
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, len), HOGFEAT_ERR_NONFINITE);
    ck_assert(all_sentinel(out, len));
    /* a finite difference whose square overflows float */
    px[3 * (10 * 40 + 9)] = 3e19f;
    px[3 * (10 * 40 + 11)] = 0.0f;
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, len), HOGFEAT_ERR_NONFINITE);
    ck_assert(all_sentinel(out, len));
    px[3 * (10 * 40 + 9)] = 1e18f; /* squares to 1e36: fine */
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, len), HOGFEAT_OK);
    hogfeat_image *tiny = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 3, 3);
    for (size_t i = 0; i < len; i++)
        out[i] = SENTINEL;
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, tiny, out, len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert(all_sentinel(out, len));
    hogfeat_image_destroy(tiny);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

/* ---- parity with VLFeat -------------------------------------------------------------- */

START_TEST(test_fixture_count)
{
    ck_assert_msg(g_nfiles >= 10, "expected at least 10 FHOG fixtures in %s, found %zu", g_dir, g_nfiles);
}
END_TEST

START_TEST(test_parity)
{
    fix f;
    fix_open(&f, g_dir, g_files[_i], "hogfeat-fhog-fixture");
    const size_t w = (size_t)fix_long(&f, "width"), h = (size_t)fix_long(&f, "height");
    const int ch = (int)fix_long(&f, "channels");
    const int f32 = strcmp(fix_str(&f, "dtype"), "f32") == 0;
    const size_t W = (size_t)fix_long(&f, "cells_x"), H = (size_t)fix_long(&f, "cells_y");
    const size_t D = (size_t)fix_long(&f, "dimension");
    hogfeat_fhog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_fhog_config_set_orientations(cfg, (int32_t)fix_long(&f, "orientations")), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, (int32_t)fix_long(&f, "cell_size")), HOGFEAT_OK);
    hogfeat_format fmt = ch == 3 ? (f32 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_U8_RGB)
                                 : (f32 ? HOGFEAT_FORMAT_F32_GRAY : HOGFEAT_FORMAT_U8_GRAY);
    hogfeat_image *img = fix_image(&f, fmt, w, h);
    float *ref = fix_f32(&f, W * H * D);
    fix_close(&f);

    size_t cx = 0, cy = 0;
    ck_assert_int_eq(hogfeat_fhog_cell_grid(cfg, w, h, &cx, &cy), HOGFEAT_OK);
    ck_assert_msg(cx == W && cy == H, "%s: grid %zux%zu, VLFeat %zux%zu", g_files[_i], cx, cy, W, H);
    ck_assert_uint_eq((size_t)hogfeat_fhog_cell_dimension(cfg), D);
    size_t len = 0;
    float *out = compute_new(cfg, img, &len);
    ck_assert_uint_eq(len, W * H * D);
    double worst_interior = 0.0, worst_all = 0.0;
    size_t interior = 0;
    for (size_t y = 0; y < H; y++) {
        for (size_t x = 0; x < W; x++) {
            const int is_interior = x > 0 && y > 0 && x + 1 < W && y + 1 < H;
            interior += (size_t)is_interior;
            for (size_t d = 0; d < D; d++) {
                /* ours: cell-major; VLFeat: dimension-major planes */
                double a = out[(y * W + x) * D + d], b = ref[d * W * H + y * W + x];
                double diff = fabs(a - b);
                if (!(diff <= worst_all))
                    worst_all = diff;
                if (is_interior && !(diff <= worst_interior))
                    worst_interior = diff;
            }
        }
    }
    ck_assert_msg(worst_interior <= INTERIOR_TOL, "%s: interior max |delta| %g", g_files[_i], worst_interior);
    ck_assert_msg(worst_all <= BORDER_TOL, "%s: max |delta| over all cells %g", g_files[_i], worst_all);
    printf("fhog parity %-34s %zux%zu cells (%zu interior) x %zu: max |delta| interior %.3g, all cells %.3g\n",
           g_files[_i], W, H, interior, D, worst_interior, worst_all);
    free(out);
    free(ref);
    hogfeat_image_destroy(img);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

/* ---- properties --------------------------------------------------------------------- */

START_TEST(test_equivalent_inputs)
{
    hogfeat_fhog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 6), HOGFEAT_OK);
    test_rng rng = test_rng_seed(32);
    const size_t w = 41, h = 29;
    hogfeat_image *gray = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, w, h);
    const uint8_t *g = hogfeat_image_data(gray);
    /* the same samples as float, as RGB with three equal channels, and strided */
    hogfeat_image *fgray = NULL, *rgb = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, w, h, &fgray), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_RGB, w, h, &rgb), HOGFEAT_OK);
    float *fp = hogfeat_image_writable_data(fgray);
    uint8_t *rp = hogfeat_image_writable_data(rgb);
    uint8_t *strided = calloc(50 * h, 1);
    for (size_t i = 0; i < w * h; i++) {
        fp[i] = g[i];
        rp[3 * i] = rp[3 * i + 1] = rp[3 * i + 2] = g[i];
        strided[(i / w) * 50 + i % w] = g[i];
    }
    hogfeat_image *wrapped = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(strided, HOGFEAT_FORMAT_U8_GRAY, w, h, 50, &wrapped), HOGFEAT_OK);
    size_t l0, l1, l2, l3;
    float *a = compute_new(cfg, gray, &l0), *b = compute_new(cfg, fgray, &l1);
    float *c = compute_new(cfg, rgb, &l2), *d = compute_new(cfg, wrapped, &l3);
    ck_assert(l0 == l1 && l0 == l2 && l0 == l3);
    ck_assert_int_eq(memcmp(a, b, l0 * sizeof *a), 0);
    ck_assert_int_eq(memcmp(a, c, l0 * sizeof *a), 0);
    ck_assert_int_eq(memcmp(a, d, l0 * sizeof *a), 0);
    /* all values are finite and within VLFeat's bounds: directed/undirected
     * 0.5 * 4 * 0.2 = 0.4, texture n * 0.2 * 4 / sqrt(18) */
    for (size_t i = 0; i < l0; i++) {
        size_t dd = i % 31;
        double hi = dd < 27 ? 0.4 + 1e-6 : 9 * 0.2 * 4 / sqrt(18.0) + 1e-6;
        CHECK(a[i] >= 0.0f && a[i] <= hi, "value %zu = %g out of range", i, (double)a[i]);
    }
    free(a);
    free(b);
    free(c);
    free(d);
    hogfeat_image_destroy(wrapped);
    free(strided);
    hogfeat_image_destroy(rgb);
    hogfeat_image_destroy(fgray);
    hogfeat_image_destroy(gray);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

START_TEST(test_constant_and_tiny)
{
    hogfeat_fhog_config *cfg = new_config();
    hogfeat_image *img = NULL;
    /* 3x3 with 4-px cells: one cell, no gradient computed (VLFeat asserts
     * width > 3; libhogfeat accepts it and gives zeros) */
    ck_assert_int_eq(hogfeat_fhog_config_set_cell_size(cfg, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 3, 3, &img), HOGFEAT_OK);
    memset(hogfeat_image_writable_data(img), 200, 9);
    size_t len;
    float *out = compute_new(cfg, img, &len);
    ck_assert_uint_eq(len, 31);
    for (size_t i = 0; i < len; i++)
        ck_assert_float_eq(out[i], 0.0f);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

/* ---- threads and allocation ------------------------------------------------------------ */

#define N_THREADS 4

typedef struct thread_job {
    const hogfeat_fhog_config *cfg;
    const hogfeat_image *img;
    const float *expect;
    size_t len;
    int mismatches, errors;
} thread_job;

static void *fhog_thread(void *arg)
{
    thread_job *job = arg;
    float *out = malloc(job->len * sizeof *out);
    for (int r = 0; out && r < 8; r++) {
        if (hogfeat_fhog_compute(job->cfg, job->img, out, job->len) != HOGFEAT_OK)
            job->errors++;
        else if (memcmp(out, job->expect, job->len * sizeof *out) != 0)
            job->mismatches++;
    }
    if (!out)
        job->errors++;
    free(out);
    return NULL;
}

START_TEST(test_threads_shared_config)
{
    hogfeat_fhog_config *cfg = new_config();
    test_rng rng = test_rng_seed(33);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 120, 96);
    size_t len;
    float *expect = compute_new(cfg, img, &len);
    thread_job jobs[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){cfg, img, expect, len, 0, 0};
        ck_assert_int_eq(pthread_create(&tid[t], NULL, fhog_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_msg(jobs[t].errors == 0 && jobs[t].mismatches == 0, "thread %d: %d errors, %d mismatches", t,
                      jobs[t].errors, jobs[t].mismatches);
    free(expect);
    hogfeat_image_destroy(img);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_fhog_config *cfg = (hogfeat_fhog_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_fhog_config_create(&cfg);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(cfg);
    cfg = new_config();
    hogfeat_fhog_config *copy = (hogfeat_fhog_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_fhog_config_copy(cfg, &copy);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(copy);
    test_rng rng = test_rng_seed(34);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 32);
    float *out = sentinel_buffer(16 * 31);
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_fhog_compute(cfg, img, out, 16 * 31);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert(all_sentinel(out, 16 * 31));
    ck_assert_int_eq(hogfeat_fhog_compute(cfg, img, out, 16 * 31), HOGFEAT_OK);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_fhog_config_destroy(cfg);
}
END_TEST

static Suite *fhog_suite(void)
{
    Suite *s = suite_create("fhog");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"defaults", test_defaults},
        {"setters", test_setters},
        {"grid_and_length", test_grid_and_length},
        {"compute_errors", test_compute_errors},
        {"fixture_count", test_fixture_count},
        {"equivalent_inputs", test_equivalent_inputs},
        {"constant_and_tiny", test_constant_and_tiny},
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
    snprintf(g_dir, sizeof g_dir, "%s/fhog", test_fixture_dir());
    g_files = list_fixtures(g_dir, &g_nfiles);
    int rc = test_run_suite(fhog_suite());
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    return rc;
}
