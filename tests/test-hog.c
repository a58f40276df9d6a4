/* HOG configuration, geometry and compute: validation, layout, non-finite
 * input, numerical properties, strides, threads, allocation failure. */
#include <float.h>
#include <limits.h>
#include <pthread.h>

#include "common.h"
#include "private.h"

/* ck_assert_msg records a checkpoint (a write to Check's log) on every pass;
 * hot loops use this instead, which only calls into Check on failure. */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

/* A value compute never writes (descriptors are in [0, 1]). */
#define SENTINEL (-7777.25f)

static hogfeat_hog_config *new_config(void)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

/* Configures every field; fails the test on error. */
static void configure(hogfeat_hog_config *cfg, int32_t orient, int32_t cw, int32_t ch, int32_t bw, int32_t bh,
                      int32_t sx, int32_t sy, hogfeat_norm norm, int sqrt_on, int signed_on)
{
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, orient), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, cw, ch), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, bw, bh), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_stride(cfg, sx, sy), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(cfg, norm), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, sqrt_on), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, signed_on), HOGFEAT_OK);
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

/* Computes into a fresh buffer of exactly feature_length floats. */
static float *compute_new(const hogfeat_hog_config *cfg, const hogfeat_image *img, size_t *out_len)
{
    size_t len = 0;
    hogfeat_status st = hogfeat_hog_feature_length(cfg, hogfeat_image_width(img), hogfeat_image_height(img), &len);
    ck_assert_msg(st == HOGFEAT_OK, "feature_length returned %d (%s)", (int)st, hogfeat_last_error_message());
    float *out = sentinel_buffer(len);
    st = hogfeat_hog_compute(cfg, img, out, len);
    ck_assert_msg(st == HOGFEAT_OK, "compute returned %d (%s)", (int)st, hogfeat_last_error_message());
    *out_len = len;
    return out;
}

/* Copy of a u8 image as floats of the same values (same format family). */
static hogfeat_image *u8_to_f32(const hogfeat_image *src)
{
    hogfeat_format f = hogfeat_image_format(src) == HOGFEAT_FORMAT_U8_GRAY ? HOGFEAT_FORMAT_F32_GRAY
                                                                            : HOGFEAT_FORMAT_F32_RGB;
    size_t w = hogfeat_image_width(src), h = hogfeat_image_height(src);
    size_t n = w * h * (size_t)hogfeat_image_channels(src);
    hogfeat_image *dst = NULL;
    ck_assert_int_eq(hogfeat_image_create(f, w, h, &dst), HOGFEAT_OK);
    const uint8_t *s = hogfeat_image_data(src);
    float *d = hogfeat_image_writable_data(dst);
    for (size_t i = 0; i < n; i++)
        d[i] = (float)s[i];
    return dst;
}

/* ---- configuration ------------------------------------------------------- */

START_TEST(test_defaults)
{
    hogfeat_hog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(cfg), 9);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(cfg), 8);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_height(cfg), 8);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(cfg), 3);
    ck_assert_int_eq(hogfeat_hog_config_get_block_height(cfg), 3);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_x(cfg), 1);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_y(cfg), 1);
    ck_assert_int_eq(hogfeat_hog_config_get_block_norm(cfg), HOGFEAT_NORM_L2HYS);
    ck_assert_int_eq(hogfeat_hog_config_get_transform_sqrt(cfg), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_signed_orientations(cfg), 0);
    ck_assert_int_eq(cfg->bins.nbins, 9);
    ck_assert_int_eq(cfg->bins.is_signed, 0);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_hog_config_destroy(NULL); /* no-op */
}
END_TEST

typedef struct cfg_snapshot {
    int32_t v[10];
    hogfeat__binparams bins;
} cfg_snapshot;

static cfg_snapshot snapshot(const hogfeat_hog_config *cfg)
{
    cfg_snapshot s;
    memset(&s, 0, sizeof s);
    s.v[0] = hogfeat_hog_config_get_orientations(cfg);
    s.v[1] = hogfeat_hog_config_get_cell_width(cfg);
    s.v[2] = hogfeat_hog_config_get_cell_height(cfg);
    s.v[3] = hogfeat_hog_config_get_block_width(cfg);
    s.v[4] = hogfeat_hog_config_get_block_height(cfg);
    s.v[5] = hogfeat_hog_config_get_block_stride_x(cfg);
    s.v[6] = hogfeat_hog_config_get_block_stride_y(cfg);
    s.v[7] = hogfeat_hog_config_get_block_norm(cfg);
    s.v[8] = hogfeat_hog_config_get_transform_sqrt(cfg);
    s.v[9] = hogfeat_hog_config_get_signed_orientations(cfg);
    memcpy(&s.bins, &cfg->bins, sizeof s.bins);
    return s;
}

static void assert_unchanged(const hogfeat_hog_config *cfg, const cfg_snapshot *before, const char *what)
{
    cfg_snapshot now = snapshot(cfg);
    static const char *names[10] = {"orientations", "cell_w", "cell_h", "block_w", "block_h",
                                    "stride_x", "stride_y", "norm", "transform_sqrt", "signed"};
    for (int i = 0; i < 10; i++)
        ck_assert_msg(now.v[i] == before->v[i], "%s changed %s from %d to %d", what, names[i], (int)before->v[i],
                      (int)now.v[i]);
    ck_assert_msg(memcmp(&now.bins, &before->bins, sizeof now.bins) == 0, "%s changed the derived bin parameters",
                  what);
}

#define EXPECT_REJECT(call, desc)                                                                           \
    do {                                                                                                    \
        cfg_snapshot before_ = snapshot(cfg);                                                               \
        hogfeat_status st_ = (call);                                                                        \
        ck_assert_msg(st_ == HOGFEAT_ERR_INVALID_ARGUMENT, "%s returned %d, expected INVALID_ARGUMENT", desc, \
                      (int)st_);                                                                            \
        ck_assert_msg(hogfeat_last_error_message()[0] != '\0', "%s: empty message", desc);                  \
        assert_unchanged(cfg, &before_, desc);                                                              \
    } while (0)

START_TEST(test_setters_validate)
{
    hogfeat_hog_config *cfg = new_config();
    /* Non-default state, so "unchanged" differs from "reset". */
    configure(cfg, 12, 6, 5, 2, 4, 2, 3, HOGFEAT_NORM_L1, 1, 1);
    char desc[128];

    const int32_t bad_orient[] = {0, -1, 361, 1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_orient / sizeof bad_orient[0]; i++) {
        snprintf(desc, sizeof desc, "set_orientations(%d)", (int)bad_orient[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_orientations(cfg, bad_orient[i]), desc);
    }
    const int32_t bad_cell[] = {0, -1, HOGFEAT_HOG_MAX_CELL_PX + 1, INT32_MIN, INT32_MAX};
    const int32_t bad_block[] = {0, -1, HOGFEAT_HOG_MAX_BLOCK_CELLS + 1, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_cell / sizeof bad_cell[0]; i++) {
        /* Invalid first, invalid second (with a valid first: nothing half-applied), both. */
        snprintf(desc, sizeof desc, "set_cell_size(%d, 7)", (int)bad_cell[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_cell_size(cfg, bad_cell[i], 7), desc);
        snprintf(desc, sizeof desc, "set_cell_size(7, %d)", (int)bad_cell[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_cell_size(cfg, 7, bad_cell[i]), desc);
        snprintf(desc, sizeof desc, "set_cell_size(%d, %d)", (int)bad_cell[i], (int)bad_cell[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_cell_size(cfg, bad_cell[i], bad_cell[i]), desc);
    }
    for (size_t i = 0; i < sizeof bad_block / sizeof bad_block[0]; i++) {
        snprintf(desc, sizeof desc, "set_block_size(%d, 1)", (int)bad_block[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_block_size(cfg, bad_block[i], 1), desc);
        snprintf(desc, sizeof desc, "set_block_size(1, %d)", (int)bad_block[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_block_size(cfg, 1, bad_block[i]), desc);
        snprintf(desc, sizeof desc, "set_block_stride(%d, 1)", (int)bad_block[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_block_stride(cfg, bad_block[i], 1), desc);
        snprintf(desc, sizeof desc, "set_block_stride(1, %d)", (int)bad_block[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_block_stride(cfg, 1, bad_block[i]), desc);
    }
    const int bad_norm[] = {0, 5, -1, 100, INT_MIN};
    for (size_t i = 0; i < sizeof bad_norm / sizeof bad_norm[0]; i++) {
        snprintf(desc, sizeof desc, "set_block_norm(%d)", bad_norm[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)bad_norm[i]), desc);
    }
    const int bad_flag[] = {2, -1, 255, INT_MIN, INT_MAX};
    for (size_t i = 0; i < sizeof bad_flag / sizeof bad_flag[0]; i++) {
        snprintf(desc, sizeof desc, "set_transform_sqrt(%d)", bad_flag[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_transform_sqrt(cfg, bad_flag[i]), desc);
        snprintf(desc, sizeof desc, "set_signed_orientations(%d)", bad_flag[i]);
        EXPECT_REJECT(hogfeat_hog_config_set_signed_orientations(cfg, bad_flag[i]), desc);
    }
    /* The message names the rejected value. */
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 361), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_msg(strstr(hogfeat_last_error_message(), "361") != NULL, "message \"%s\" lacks 361",
                  hogfeat_last_error_message());

    /* NULL config. */
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(NULL, 9), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(NULL, 8, 8), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(NULL, 3, 3), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_block_stride(NULL, 1, 1), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(NULL, HOGFEAT_NORM_L2), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(NULL, 0), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(NULL, 0), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_setters_accept_bounds)
{
    hogfeat_hog_config *cfg = new_config();
    const int32_t orient[] = {1, 2, 180, HOGFEAT_HOG_MAX_ORIENTATIONS};
    for (size_t i = 0; i < sizeof orient / sizeof orient[0]; i++) {
        for (int sg = 0; sg <= 1; sg++) {
            ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, sg), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, orient[i]), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_hog_config_get_orientations(cfg), orient[i]);
            ck_assert_int_eq(hogfeat_hog_config_get_signed_orientations(cfg), sg);
            /* The derived binning follows both setters. */
            ck_assert_int_eq(cfg->bins.nbins, orient[i]);
            ck_assert_int_eq(cfg->bins.is_signed, sg);
            for (int d = 0; d < 8; d++)
                ck_assert_msg(cfg->bins.dir_bin[d] < orient[i], "n=%d signed=%d: dir_bin[%d] = %u out of range",
                              (int)orient[i], sg, d, (unsigned)cfg->bins.dir_bin[d]);
        }
    }
    const int32_t cells[][2] = {{1, 1}, {HOGFEAT_HOG_MAX_CELL_PX, 1}, {1, HOGFEAT_HOG_MAX_CELL_PX}, {5, 11}};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, cells[i][0], cells[i][1]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_get_cell_width(cfg), cells[i][0]);
        ck_assert_int_eq(hogfeat_hog_config_get_cell_height(cfg), cells[i][1]);
    }
    const int32_t blocks[][2] = {{1, 1}, {HOGFEAT_HOG_MAX_BLOCK_CELLS, 1}, {1, HOGFEAT_HOG_MAX_BLOCK_CELLS}, {2, 5}};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, blocks[i][0], blocks[i][1]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_get_block_width(cfg), blocks[i][0]);
        ck_assert_int_eq(hogfeat_hog_config_get_block_height(cfg), blocks[i][1]);
        ck_assert_int_eq(hogfeat_hog_config_set_block_stride(cfg, blocks[i][1], blocks[i][0]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_get_block_stride_x(cfg), blocks[i][1]);
        ck_assert_int_eq(hogfeat_hog_config_get_block_stride_y(cfg), blocks[i][0]);
    }
    for (int n = HOGFEAT_NORM_L1; n <= HOGFEAT_NORM_L2HYS; n++) {
        ck_assert_int_eq(hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)n), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_get_block_norm(cfg), n);
    }
    for (int f = 1; f >= 0; f--) {
        ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, f), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_get_transform_sqrt(cfg), f);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_getters_null)
{
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_height(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_block_height(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_x(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_block_stride_y(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_block_norm(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_transform_sqrt(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_signed_orientations(NULL), 0);
}
END_TEST

START_TEST(test_copy_independent)
{
    hogfeat_hog_config *a = new_config();
    configure(a, 12, 6, 4, 2, 3, 1, 2, HOGFEAT_NORM_L2, 1, 1);
    hogfeat_hog_config *b = (hogfeat_hog_config *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_hog_config_copy(a, &b), HOGFEAT_OK);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    cfg_snapshot sa = snapshot(a);
    assert_unchanged(b, &sa, "copy");

    /* Changing the original leaves the copy alone, and the other way round. */
    cfg_snapshot sb = snapshot(b);
    configure(a, 5, 9, 9, 1, 1, 1, 1, HOGFEAT_NORM_L1, 0, 0);
    assert_unchanged(b, &sb, "changing the original");
    cfg_snapshot sa2 = snapshot(a);
    configure(b, 30, 3, 3, 4, 4, 2, 2, HOGFEAT_NORM_L1_SQRT, 0, 1);
    assert_unchanged(a, &sa2, "changing the copy");

    /* The copy outlives the original and still computes. */
    hogfeat_hog_config_destroy(a);
    test_rng rng = test_rng_seed(5);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 40, 40);
    size_t len = 0;
    float *out = compute_new(b, img, &len);
    /* 30 bins, 3x3 cells, 4x4 blocks, stride 2: cells 13x13, blocks (13 - 4) / 2 + 1 = 5 per side. */
    ck_assert_uint_eq(len, 5 * 5 * 4 * 4 * 30);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(b);

    /* NULL arguments. */
    hogfeat_hog_config *c = (hogfeat_hog_config *)(uintptr_t)0x40;
    ck_assert_int_eq(hogfeat_hog_config_copy(NULL, &c), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(hogfeat_hog_config_copy(NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_create(NULL), HOGFEAT_ERR_NULL_POINTER);
}
END_TEST

/* ---- geometry ------------------------------------------------------------ */

typedef struct length_case {
    size_t w, h;
    int32_t orient, cw, ch, bw, bh, sx, sy;
    size_t blocks_x, blocks_y, length; /* computed by hand */
} length_case;

static const length_case length_cases[] = {
    /* scikit-image defaults: 9 bins, 8x8 cells, 3x3 blocks, stride 1. */
    {24, 24, 9, 8, 8, 3, 3, 1, 1, 1, 1, 81},             /* cells 3x3 */
    {31, 31, 9, 8, 8, 3, 3, 1, 1, 1, 1, 81},             /* 31/8 = 3: leftover pixels ignored */
    {32, 24, 9, 8, 8, 3, 3, 1, 1, 2, 1, 162},            /* cells 4x3 */
    {64, 128, 9, 8, 8, 3, 3, 1, 1, 6, 14, 6804},         /* cells 8x16 */
    {130, 70, 9, 8, 8, 3, 3, 1, 1, 14, 6, 6804},         /* cells 16x8 */
    /* Custom cells and blocks. */
    {50, 37, 12, 6, 4, 2, 3, 1, 1, 7, 7, 3528},          /* cells 8x9; 49 blocks * 72 */
    {50, 37, 12, 6, 4, 2, 3, 3, 2, 3, 4, 864},           /* (8-2)/3+1 = 3, (9-3)/2+1 = 4 */
    {101, 52, 8, 5, 5, 1, 1, 4, 5, 5, 2, 80},            /* stride > block: cells 20x10 */
    {7, 3, 1, 1, 1, 1, 1, 1, 1, 7, 3, 21},               /* 1x1 everything */
    {64, 64, 18, 8, 8, 2, 2, 2, 2, 4, 4, 1152},          /* 16 blocks * 4 * 18 */
    {48, 4, 9, 16, 4, 3, 1, 1, 1, 1, 1, 27},             /* wide cells */
    {63, 7, 9, 16, 4, 3, 1, 1, 1, 1, 1, 27},             /* 63/16 = 3, 7/4 = 1 */
    {41, 29, 7, 3, 5, 4, 2, 3, 1, 4, 4, 896},            /* cells 13x5: (13-4)/3+1 = 4, (5-2)/1+1 = 4; 16 * 56 */
};

START_TEST(test_feature_length_table)
{
    hogfeat_hog_config *cfg = new_config();
    for (size_t i = 0; i < sizeof length_cases / sizeof length_cases[0]; i++) {
        const length_case *c = &length_cases[i];
        configure(cfg, c->orient, c->cw, c->ch, c->bw, c->bh, c->sx, c->sy, HOGFEAT_NORM_L2HYS, 0, 0);
        size_t len = 0, bx = 0, by = 0;
        hogfeat_status st = hogfeat_hog_feature_length(cfg, c->w, c->h, &len);
        ck_assert_msg(st == HOGFEAT_OK, "case %zu (%zux%zu): feature_length returned %d (%s)", i, c->w, c->h, (int)st,
                      hogfeat_last_error_message());
        ck_assert_msg(len == c->length, "case %zu (%zux%zu, %d bins, cell %dx%d, block %dx%d, stride %dx%d): length %zu, expected %zu",
                      i, c->w, c->h, (int)c->orient, (int)c->cw, (int)c->ch, (int)c->bw, (int)c->bh, (int)c->sx,
                      (int)c->sy, len, c->length);
        st = hogfeat_hog_block_grid(cfg, c->w, c->h, &bx, &by);
        ck_assert_msg(st == HOGFEAT_OK, "case %zu: block_grid returned %d", i, (int)st);
        ck_assert_msg(bx == c->blocks_x && by == c->blocks_y, "case %zu: block grid %zux%zu, expected %zux%zu", i, bx,
                      by, c->blocks_x, c->blocks_y);
        ck_assert_uint_eq(len, bx * by * (size_t)c->bw * (size_t)c->bh * (size_t)c->orient);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_feature_length_matches_compute)
{
    static const hogfeat_format fmts[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                          HOGFEAT_FORMAT_F32_RGB};
    const size_t extra = 37;
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(11);
    for (size_t i = 0; i < sizeof length_cases / sizeof length_cases[0]; i++) {
        const length_case *c = &length_cases[i];
        hogfeat_format f = fmts[i % 4];
        configure(cfg, c->orient, c->cw, c->ch, c->bw, c->bh, c->sx, c->sy, (hogfeat_norm)(1 + (int)(i % 4)),
                  (int)(i % 2), (int)(i / 2 % 2));
        hogfeat_image *img = test_random_image(&rng, f, c->w, c->h);
        float *out = sentinel_buffer(c->length + extra);
        hogfeat_status st = hogfeat_hog_compute(cfg, img, out, c->length + extra);
        ck_assert_msg(st == HOGFEAT_OK, "case %zu: compute returned %d (%s)", i, (int)st, hogfeat_last_error_message());
        for (size_t k = 0; k < c->length; k++)
            CHECK(out[k] != SENTINEL && isfinite(out[k]) && out[k] >= 0.0f && out[k] <= 1.0f,
                          "case %zu: out[%zu] = %g not written or out of [0, 1] (length %zu)", i, k, (double)out[k],
                          c->length);
        ck_assert_msg(all_sentinel(out + c->length, extra), "case %zu: compute wrote past the %zu floats", i,
                      c->length);
        /* Exactly-sized buffer gives the same bytes. */
        float *exact = sentinel_buffer(c->length);
        ck_assert_int_eq(hogfeat_hog_compute(cfg, img, exact, c->length), HOGFEAT_OK);
        ck_assert_msg(memcmp(exact, out, c->length * sizeof *out) == 0, "case %zu: results depend on capacity", i);
        free(exact);
        free(out);
        hogfeat_image_destroy(img);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_buffer_too_small)
{
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(3);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 40, 32); /* 5x4 cells: 3x2 blocks */
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 40, 32, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 6 * 81);
    const size_t caps[] = {len - 1, len / 2, 1, 0};
    float *out = sentinel_buffer(len);
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        hogfeat_status st = hogfeat_hog_compute(cfg, img, out, caps[i]);
        ck_assert_msg(st == HOGFEAT_ERR_BUFFER_TOO_SMALL, "capacity %zu of %zu returned %d", caps[i], len, (int)st);
        ck_assert_msg(all_sentinel(out, len), "capacity %zu: compute wrote into a too-short buffer", caps[i]);
    }
    ck_assert_msg(strstr(hogfeat_last_error_message(), "486") != NULL, "message \"%s\" lacks the length 486",
                  hogfeat_last_error_message());
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_image_too_small)
{
    hogfeat_hog_config *cfg = new_config();
    const struct {
        int32_t cw, ch, bw, bh;
        size_t w, h;
        const char *need, *have;
    } cases[] = {
        {8, 8, 3, 3, 23, 24, "24x24", "23x24"},
        {8, 8, 3, 3, 24, 23, "24x24", "24x23"},
        {8, 8, 3, 3, 1, 1, "24x24", "1x1"},
        {5, 7, 2, 3, 9, 300, "10x21", "9x300"},
        {5, 7, 2, 3, 300, 20, "10x21", "300x20"},
    };
    float out[16];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(hogfeat_hog_config_set_cell_size(cfg, cases[i].cw, cases[i].ch), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_hog_config_set_block_size(cfg, cases[i].bw, cases[i].bh), HOGFEAT_OK);
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, cases[i].w, cases[i].h, &img), HOGFEAT_OK);
        for (size_t k = 0; k < 16; k++)
            out[k] = SENTINEL;
        hogfeat_status st = hogfeat_hog_compute(cfg, img, out, 16);
        ck_assert_msg(st == HOGFEAT_ERR_IMAGE_TOO_SMALL, "case %zu (%zux%zu) returned %d", i, cases[i].w, cases[i].h,
                      (int)st);
        const char *msg = hogfeat_last_error_message();
        ck_assert_msg(strstr(msg, cases[i].need) && strstr(msg, cases[i].have),
                      "case %zu: message \"%s\" should mention %s and %s", i, msg, cases[i].need, cases[i].have);
        ck_assert_msg(all_sentinel(out, 16), "case %zu: output written on failure", i);
        size_t len = 12345, bx = 777, by = 888;
        ck_assert_int_eq(hogfeat_hog_feature_length(cfg, cases[i].w, cases[i].h, &len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
        ck_assert_uint_eq(len, 12345);
        ck_assert_int_eq(hogfeat_hog_block_grid(cfg, cases[i].w, cases[i].h, &bx, &by), HOGFEAT_ERR_IMAGE_TOO_SMALL);
        ck_assert_msg(bx == 777 && by == 888, "block_grid wrote %zu, %zu on failure", bx, by);
        hogfeat_image_destroy(img);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_null_pointers)
{
    hogfeat_hog_config *cfg = new_config();
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 24, 24, &img), HOGFEAT_OK);
    float out[81];
    for (int i = 0; i < 81; i++)
        out[i] = SENTINEL;
    ck_assert_int_eq(hogfeat_hog_compute(NULL, img, out, 81), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute(cfg, NULL, out, 81), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute(cfg, img, NULL, 81), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute(NULL, NULL, NULL, 0), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_msg(all_sentinel(out, 81), "compute wrote on a NULL-pointer error");
    size_t len = 5, bx = 6, by = 7;
    ck_assert_int_eq(hogfeat_hog_feature_length(NULL, 24, 24, &len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 24, 24, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_block_grid(NULL, 24, 24, &bx, &by), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_block_grid(cfg, 24, 24, NULL, &by), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_block_grid(cfg, 24, 24, &bx, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_msg(len == 5 && bx == 6 && by == 7, "outputs written on NULL-pointer errors: %zu %zu %zu", len, bx, by);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_huge_sizes)
{
    hogfeat_hog_config *cfg = new_config();
    const size_t two31 = (size_t)1 << 31;
    const struct {
        size_t w, h;
        hogfeat_status want;
    } cases[] = {
        {two31, two31, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {SIZE_MAX, 1, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {1, SIZE_MAX, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {SIZE_MAX, SIZE_MAX, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {SIZE_MAX / 2 + 1, 2, HOGFEAT_ERR_LIMIT_EXCEEDED}, /* product wraps to 0 */
        {((size_t)1 << 28) + 1, 1, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {(1u << 14) + 1, 1u << 14, HOGFEAT_ERR_LIMIT_EXCEEDED},
        {0, 5, HOGFEAT_ERR_BAD_GEOMETRY},
        {5, 0, HOGFEAT_ERR_BAD_GEOMETRY},
        {0, 0, HOGFEAT_ERR_BAD_GEOMETRY},
        {0, SIZE_MAX, HOGFEAT_ERR_BAD_GEOMETRY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 4242, bx = 1, by = 2;
        hogfeat_status st = hogfeat_hog_feature_length(cfg, cases[i].w, cases[i].h, &len);
        ck_assert_msg(st == cases[i].want, "feature_length(%zu, %zu) returned %d, expected %d", cases[i].w, cases[i].h,
                      (int)st, (int)cases[i].want);
        ck_assert_msg(len == 4242, "feature_length(%zu, %zu) wrote %zu on failure", cases[i].w, cases[i].h, len);
        st = hogfeat_hog_block_grid(cfg, cases[i].w, cases[i].h, &bx, &by);
        ck_assert_msg(st == cases[i].want, "block_grid(%zu, %zu) returned %d", cases[i].w, cases[i].h, (int)st);
        ck_assert_msg(bx == 1 && by == 2, "block_grid wrote on failure");
    }
    /* The largest accepted image: 2^14 x 2^14 = 2^28 pixels; cells 2048x2048, blocks 2046x2046. */
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 1u << 14, 1u << 14, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, (size_t)2046 * 2046 * 81);
    /* Worst case of compute_grid's "cannot overflow" claim: 1x1 cells, 64x64
     * blocks, 360 bins, the largest image. The exact length needs 49 bits; a
     * size_t that cannot hold it must get LIMIT_EXCEEDED, never a wrapped value
     * (on this 64-bit host it fits; a 32-bit build would overflow there). */
    configure(cfg, 360, 1, 1, 64, 64, 1, 1, HOGFEAT_NORM_L2, 0, 0);
    const uint64_t side = (1u << 14) - 63, exact = side * side * 64 * 64 * 360;
    len = 0;
    hogfeat_status st = hogfeat_hog_feature_length(cfg, 1u << 14, 1u << 14, &len);
    if (exact <= SIZE_MAX) {
        ck_assert_int_eq(st, HOGFEAT_OK);
        ck_assert_msg((uint64_t)len == exact, "length %zu, expected %llu", len, (unsigned long long)exact);
    } else {
        ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "length %llu does not fit size_t: got status %d, length %zu",
                      (unsigned long long)exact, (int)st, len);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- non-finite input ---------------------------------------------------- */

static hogfeat_image *f32_random(test_rng *rng, hogfeat_format f, size_t w, size_t h)
{
    return test_random_image(rng, f, w, h);
}

static void set_sample(hogfeat_image *img, size_t x, size_t y, int c, float v)
{
    float *p = hogfeat_image_writable_data(img);
    size_t ch = (size_t)hogfeat_image_channels(img);
    p[(y * hogfeat_image_width(img) + x) * ch + (size_t)c] = v;
}

START_TEST(test_nonfinite_rejected)
{
    const float bad[] = {NAN, INFINITY, -INFINITY};
    const char *bad_name[] = {"NaN", "+Inf", "-Inf"};
    const hogfeat_format fmts[] = {HOGFEAT_FORMAT_F32_GRAY, HOGFEAT_FORMAT_F32_RGB};
    /* Interior pixels: cell interior, cell corner, next to the last used column. */
    const size_t where[][2] = {{13, 17}, {8, 8}, {22, 5}, {5, 22}};
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(21);
    for (int sg = 0; sg <= 1; sg++) {
        ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, sg), HOGFEAT_OK);
        for (size_t f = 0; f < 2; f++) {
            for (size_t b = 0; b < 3; b++) {
                for (size_t wi = 0; wi < sizeof where / sizeof where[0]; wi++) {
                    int nch = f == 0 ? 1 : 3;
                    for (int c = 0; c < nch; c++) {
                        hogfeat_image *img = f32_random(&rng, fmts[f], 32, 32);
                        set_sample(img, where[wi][0], where[wi][1], c, bad[b]);
                        size_t len = 0;
                        ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 32, &len), HOGFEAT_OK);
                        float *out = sentinel_buffer(len);
                        hogfeat_status st = hogfeat_hog_compute(cfg, img, out, len);
                        ck_assert_msg(st == HOGFEAT_ERR_NONFINITE,
                                      "%s at (%zu, %zu) channel %d of %s, signed %d: compute returned %d", bad_name[b],
                                      where[wi][0], where[wi][1], c, f == 0 ? "gray" : "rgb", sg, (int)st);
                        ck_assert_msg(all_sentinel(out, len), "%s: output written on NONFINITE", bad_name[b]);
                        ck_assert_msg(hogfeat_last_error_message()[0] != '\0', "no message");
                        free(out);
                        hogfeat_image_destroy(img);
                    }
                }
            }
        }
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_nonfinite_outside_cells)
{
    /* 27x27 with 8x8 cells: cells cover [0, 24); column/row 24 is read for the
     * last cells' gradients; 25 and 26 are never read. */
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(22);
    const hogfeat_format fmts[] = {HOGFEAT_FORMAT_F32_GRAY, HOGFEAT_FORMAT_F32_RGB};
    const size_t outside[][2] = {{25, 3}, {26, 3}, {26, 26}, {3, 25}, {3, 26}, {25, 25}, {26, 0}, {0, 26}};
    for (int sq = 0; sq <= 1; sq++) {
        ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, sq), HOGFEAT_OK);
        for (size_t f = 0; f < 2; f++) {
            hogfeat_image *clean = f32_random(&rng, fmts[f], 27, 27);
            size_t len = 0;
            float *ref = compute_new(cfg, clean, &len);
            for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++) {
                set_sample(clean, outside[k][0], outside[k][1], 0, NAN);
                set_sample(clean, outside[k][0], outside[k][1], hogfeat_image_channels(clean) - 1, -INFINITY);
            }
            if (sq) /* a negative sample outside the cells is no error either */
                set_sample(clean, 26, 10, 0, -4.0f);
            float *out = sentinel_buffer(len);
            hogfeat_status st = hogfeat_hog_compute(cfg, clean, out, len);
            ck_assert_msg(st == HOGFEAT_OK, "sqrt %d %s: NaN outside every cell gave %d (%s)", sq,
                          f == 0 ? "gray" : "rgb", (int)st, hogfeat_last_error_message());
            ck_assert_msg(memcmp(out, ref, len * sizeof *out) == 0, "pixels outside the cells changed the descriptor");
            /* Column 24 is adjacent to the last cell: its NaN reaches cell column 2. */
            set_sample(clean, 24, 12, 0, NAN);
            st = hogfeat_hog_compute(cfg, clean, out, len);
            ck_assert_msg(st == HOGFEAT_ERR_NONFINITE, "NaN in the column right of the last cell gave %d", (int)st);
            free(out);
            free(ref);
            hogfeat_image_destroy(clean);
        }
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_sqrt_negative)
{
    hogfeat_hog_config *cfg = new_config();
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 1), HOGFEAT_OK);
    test_rng rng = test_rng_seed(23);
    const hogfeat_format fmts[] = {HOGFEAT_FORMAT_F32_GRAY, HOGFEAT_FORMAT_F32_RGB};
    const float neg[] = {-1.0f, -1e-30f, -FLT_MIN};
    for (size_t f = 0; f < 2; f++) {
        for (size_t k = 0; k < sizeof neg / sizeof neg[0]; k++) {
            hogfeat_image *img = f32_random(&rng, fmts[f], 32, 32);
            set_sample(img, 11, 14, 0, neg[k]);
            size_t len = 0;
            ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 32, &len), HOGFEAT_OK);
            float *out = sentinel_buffer(len);
            hogfeat_status st = hogfeat_hog_compute(cfg, img, out, len);
            ck_assert_msg(st == HOGFEAT_ERR_NONFINITE, "%s: transform_sqrt with sample %g returned %d",
                          f == 0 ? "gray" : "rgb", (double)neg[k], (int)st);
            ck_assert_msg(all_sentinel(out, len), "output written on NONFINITE");
            /* Without the square root the same image is fine. */
            ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 0), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_hog_compute(cfg, img, out, len), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(cfg, 1), HOGFEAT_OK);
            free(out);
            hogfeat_image_destroy(img);
        }
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* Finite pixels with finite differences must not be reported as non-finite. */
START_TEST(test_large_finite_gradients)
{
    const hogfeat_format fmts[] = {HOGFEAT_FORMAT_F32_GRAY, HOGFEAT_FORMAT_F32_RGB};
    const float values[] = {1e18f, 1e20f, 1e30f, -1e30f, 1e36f};
    hogfeat_hog_config *cfg = new_config();
    for (size_t f = 0; f < 2; f++) {
        for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
            hogfeat_image *img = NULL;
            ck_assert_int_eq(hogfeat_image_create(fmts[f], 32, 32, &img), HOGFEAT_OK);
            for (int c = 0; c < hogfeat_image_channels(img); c++)
                set_sample(img, 13, 14, c, values[k]);
            size_t len = 0;
            ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 32, &len), HOGFEAT_OK);
            float *out = sentinel_buffer(len);
            hogfeat_status st = hogfeat_hog_compute(cfg, img, out, len);
            ck_assert_msg(st == HOGFEAT_OK, "%s: one pixel of %g in a zero image gave %d (%s)",
                          f == 0 ? "gray" : "rgb", (double)values[k], (int)st, hogfeat_last_error_message());
            double sum = 0;
            for (size_t i = 0; i < len; i++) {
                CHECK(isfinite(out[i]) && out[i] >= 0.0f, "out[%zu] = %g", i, (double)out[i]);
                sum += out[i];
            }
            ck_assert_msg(sum > 0, "%s: descriptor of a one-pixel spike of %g is all zero", f == 0 ? "gray" : "rgb",
                          (double)values[k]);
            free(out);
            hogfeat_image_destroy(img);
        }
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- numerical properties ------------------------------------------------ */

START_TEST(test_constant_image_zero)
{
    static const hogfeat_format fmts[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                          HOGFEAT_FORMAT_F32_RGB};
    hogfeat_hog_config *cfg = new_config();
    for (size_t f = 0; f < 4; f++) {
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_image_create(fmts[f], 45, 38, &img), HOGFEAT_OK);
        size_t n = 45 * 38 * (size_t)hogfeat_image_channels(img);
        if (f < 2)
            memset(hogfeat_image_writable_data(img), 77, n);
        else
            for (size_t i = 0; i < n; i++)
                ((float *)hogfeat_image_writable_data(img))[i] = 0.37f;
        for (int norm = HOGFEAT_NORM_L1; norm <= HOGFEAT_NORM_L2HYS; norm++) {
            for (int sq = 0; sq <= 1; sq++) {
                for (int sg = 0; sg <= 1; sg++) {
                    configure(cfg, 9 + 3 * sg, 6, 5, 2, 2, 1, 1, (hogfeat_norm)norm, sq, sg);
                    size_t len = 0;
                    float *out = compute_new(cfg, img, &len);
                    ck_assert_uint_gt(len, 0);
                    for (size_t i = 0; i < len; i++)
                        CHECK(out[i] == 0.0f, "format %d norm %d sqrt %d signed %d: out[%zu] = %g, expected 0",
                                      (int)fmts[f], norm, sq, sg, i, (double)out[i]);
                    free(out);
                }
            }
        }
        hogfeat_image_destroy(img);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_block_norms)
{
    static const hogfeat_format fmts[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                          HOGFEAT_FORMAT_F32_RGB};
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(31);
    for (size_t f = 0; f < 4; f++) {
        hogfeat_image *img = test_random_image(&rng, fmts[f], 64, 48);
        for (int sg = 0; sg <= 1; sg++) {
            float *res[5] = {NULL};
            size_t len = 0;
            for (int norm = HOGFEAT_NORM_L1; norm <= HOGFEAT_NORM_L2HYS; norm++) {
                configure(cfg, 9, 8, 8, 3, 2, 1, 1, (hogfeat_norm)norm, 0, sg);
                res[norm] = compute_new(cfg, img, &len);
            }
            const size_t blen = 3 * 2 * 9;
            ck_assert_uint_eq(len % blen, 0);
            for (size_t b = 0; b < len / blen; b++) {
                double l1 = 0, l1s = 0, l2 = 0, hys = 0, c2 = 0;
                const float *v1 = res[HOGFEAT_NORM_L1] + b * blen, *v1s = res[HOGFEAT_NORM_L1_SQRT] + b * blen;
                const float *v2 = res[HOGFEAT_NORM_L2] + b * blen, *vh = res[HOGFEAT_NORM_L2HYS] + b * blen;
                for (size_t i = 0; i < blen; i++) {
                    CHECK(v1[i] >= 0 && v1s[i] >= 0 && v2[i] >= 0 && vh[i] >= 0, "negative value in block %zu", b);
                    l1 += v1[i];
                    l1s += (double)v1s[i] * v1s[i];
                    l2 += (double)v2[i] * v2[i];
                    hys += (double)vh[i] * vh[i];
                    double c = v2[i] < 0.2f ? v2[i] : 0.2;
                    c2 += c * c;
                }
                l2 = sqrt(l2);
                hys = sqrt(hys);
                /* Random images are far from flat: the eps terms are negligible. */
                CHECK(l1 <= 1 + 1e-6 && l1 > 1 - 1e-4, "format %d block %zu: L1 sum %.9g", (int)fmts[f], b, l1);
                CHECK(l1s <= 1 + 1e-6 && l1s > 1 - 1e-4, "block %zu: L1-sqrt sum of squares %.9g", b, l1s);
                CHECK(l2 <= 1 + 1e-6 && l2 > 1 - 1e-4, "block %zu: L2 norm %.9g", b, l2);
                CHECK(hys <= 1 + 1e-6 && hys > 1 - 1e-4, "block %zu: L2-Hys norm %.9g", b, hys);
                /* L2-Hys = min(L2, 0.2) renormalised; so every value <= 0.2 / |clipped|. */
                double cn = sqrt(c2);
                for (size_t i = 0; i < blen; i++) {
                    double c = v2[i] < 0.2f ? v2[i] : 0.2;
                    CHECK(vh[i] <= 0.2 / cn + 1e-6, "block %zu value %zu: L2-Hys %.9g > 0.2 / %.9g", b, i,
                                  (double)vh[i], cn);
                    CHECK(fabs(vh[i] - c / cn) <= 1e-5, "block %zu value %zu: L2-Hys %.9g, expected %.9g", b, i,
                                  (double)vh[i], c / cn);
                    /* L1-sqrt is the square root of L1. */
                    CHECK(fabs(v1s[i] - sqrt(v1[i])) <= 1e-5, "block %zu value %zu: L1-sqrt %.9g vs sqrt(L1) %.9g",
                                  b, i, (double)v1s[i], sqrt(v1[i]));
                }
            }
            for (int norm = 1; norm <= 4; norm++)
                free(res[norm]);
        }
        hogfeat_image_destroy(img);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_u8_equals_f32)
{
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(41);
    const hogfeat_format fmts[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB};
    for (size_t f = 0; f < 2; f++) {
        hogfeat_image *u8 = test_random_image(&rng, fmts[f], 61, 53);
        hogfeat_image *f32 = u8_to_f32(u8);
        for (int k = 0; k < 4; k++) {
            if (k == 0)
                configure(cfg, 9, 8, 8, 3, 3, 1, 1, HOGFEAT_NORM_L2HYS, 0, 0);
            else if (k == 1)
                configure(cfg, 18, 6, 6, 2, 2, 1, 1, HOGFEAT_NORM_L1, 0, 1);
            else if (k == 2)
                configure(cfg, 12, 4, 7, 3, 2, 2, 1, HOGFEAT_NORM_L2, 0, 0);
            else
                configure(cfg, 36, 5, 5, 1, 1, 1, 1, HOGFEAT_NORM_L1_SQRT, 0, 1);
            size_t la = 0, lb = 0;
            float *a = compute_new(cfg, u8, &la);
            float *b = compute_new(cfg, f32, &lb);
            ck_assert_uint_eq(la, lb);
            double d = test_max_abs_diff(a, b, la);
            ck_assert_msg(d <= 1e-5, "%s config %d: u8 and f32 descriptors differ by %g", f == 0 ? "gray" : "rgb", k, d);
            free(a);
            free(b);
        }
        hogfeat_image_destroy(f32);
        hogfeat_image_destroy(u8);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_strided_wrap)
{
    static const hogfeat_format fmts[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                          HOGFEAT_FORMAT_F32_RGB};
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(51);
    const size_t w = 43, h = 37, big_w = 60, big_h = 50, x0 = 9, y0 = 7, pad = 12;
    for (size_t f = 0; f < 4; f++) {
        int ch = f % 2 ? 3 : 1;
        size_t sb = f < 2 ? 1 : 4, bpp = (size_t)ch * sb;
        size_t stride = big_w * bpp + pad;
        size_t total = stride * big_h;
        unsigned char *buf = malloc(total);
        ck_assert_ptr_nonnull(buf);
        if (sb == 1) {
            for (size_t i = 0; i < total; i++)
                buf[i] = (unsigned char)test_rng_below(&rng, 256);
        } else {
            /* NaN everywhere outside the sub-image: any stray read shows. */
            float *p = (float *)(void *)buf;
            for (size_t i = 0; i < total / 4; i++)
                p[i] = NAN;
            for (size_t y = 0; y < h; y++)
                for (size_t i = 0; i < w * (size_t)ch; i++)
                    p[((y0 + y) * stride + x0 * bpp) / 4 + i] = test_rng_float(&rng);
        }
        const unsigned char *sub = buf + y0 * stride + x0 * bpp;
        hogfeat_image *wrapped = NULL, *packed = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(sub, fmts[f], w, h, stride, &wrapped), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_image_create(fmts[f], w, h, &packed), HOGFEAT_OK);
        for (size_t y = 0; y < h; y++)
            memcpy((unsigned char *)hogfeat_image_writable_data(packed) + y * w * bpp, sub + y * stride, w * bpp);
        for (int k = 0; k < 3; k++) {
            configure(cfg, k == 1 ? 18 : 9, 6 + k, 5, 2, 3, 1, 1 + k % 2, (hogfeat_norm)(2 + k), k == 2, k == 1);
            size_t la = 0, lb = 0;
            float *a = compute_new(cfg, wrapped, &la);
            float *b = compute_new(cfg, packed, &lb);
            ck_assert_uint_eq(la, lb);
            ck_assert_msg(memcmp(a, b, la * sizeof *a) == 0,
                          "format %d config %d: strided sub-image differs from its packed copy (max diff %g)",
                          (int)fmts[f], k, test_max_abs_diff(a, b, la));
            free(a);
            free(b);
        }
        hogfeat_image_destroy(packed);
        hogfeat_image_destroy(wrapped);
        free(buf);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* Horizontal (dir 0) or vertical (dir 1) ramp, increasing (sign +1) or decreasing. */
static hogfeat_image *ramp(int dir, int sign, size_t w, size_t h)
{
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, w, h, &img), HOGFEAT_OK);
    float *p = hogfeat_image_writable_data(img);
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            p[y * w + x] = 100.0f + (float)sign * 3.0f * (float)(dir == 0 ? x : y);
    return img;
}

START_TEST(test_signed_orientations)
{
    hogfeat_hog_config *cfg = new_config();
    const int32_t ns[] = {2, 4, 6, 8, 12, 18, 36, 360};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        int32_t n = ns[i];
        for (int sg = 0; sg <= 1; sg++) {
            configure(cfg, n, 4, 4, 1, 1, 1, 1, HOGFEAT_NORM_L1, 0, sg);
            for (int dir = 0; dir <= 1; dir++) {
                if (dir == 1 && n % 4 != 0)
                    continue;
                for (int sign = 1; sign >= -1; sign -= 2) {
                    /* y points down: +x is 0 deg, -x 180, +y (down) 90, -y 270. */
                    int32_t expect;
                    if (dir == 0)
                        expect = sign > 0 || !sg ? 0 : n / 2;
                    else if (sg)
                        expect = sign > 0 ? n / 4 : 3 * n / 4;
                    else
                        expect = n / 2;
                    hogfeat_image *img = ramp(dir, sign, 16, 12);
                    size_t len = 0;
                    float *out = compute_new(cfg, img, &len);
                    ck_assert_uint_eq(len, 4 * 3 * (size_t)n);
                    for (size_t c = 0; c < 12; c++) {
                        for (int32_t b = 0; b < n; b++) {
                            float v = out[c * (size_t)n + (size_t)b];
                            CHECK(b == expect ? v > 0.0f : v == 0.0f,
                                          "n=%d signed=%d %s ramp %s: cell %zu bin %d = %g; expected all votes in bin %d",
                                          (int)n, sg, dir == 0 ? "horizontal" : "vertical",
                                          sign > 0 ? "increasing" : "decreasing", c, (int)b, (double)v, (int)expect);
                        }
                    }
                    free(out);
                    hogfeat_image_destroy(img);
                }
            }
        }
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- threads --------------------------------------------------------------- */

#define N_THREADS 8
#define N_ITER 50
#define N_IMAGES 4

typedef struct thread_job {
    const hogfeat_hog_config *cfg;
    hogfeat_image *const *images;
    float *const *expect;
    const size_t *lens;
    int index;
    int errors;
    int mismatches;
} thread_job;

static void *hog_thread(void *arg)
{
    thread_job *job = arg;
    size_t cap = 0;
    for (int k = 0; k < N_IMAGES; k++)
        cap = job->lens[k] > cap ? job->lens[k] : cap;
    float *out = malloc(cap * sizeof *out);
    if (!out) {
        job->errors++;
        return NULL;
    }
    for (int it = 0; it < N_ITER; it++) {
        for (int k = 0; k < N_IMAGES; k++) {
            int m = (k + job->index + it) % N_IMAGES; /* different order per thread */
            if (hogfeat_hog_compute(job->cfg, job->images[m], out, job->lens[m]) != HOGFEAT_OK)
                job->errors++;
            else if (memcmp(out, job->expect[m], job->lens[m] * sizeof *out) != 0)
                job->mismatches++;
        }
    }
    free(out);
    return NULL;
}

START_TEST(test_threads_shared_config)
{
    hogfeat_hog_config *cfg = new_config();
    configure(cfg, 9, 8, 8, 3, 3, 1, 1, HOGFEAT_NORM_L2HYS, 1, 0);
    test_rng rng = test_rng_seed(61);
    hogfeat_image *images[N_IMAGES] = {
        test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 64, 128),
        test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 97, 61),
        test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 40, 40),
        test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, 130, 70),
    };
    float *expect[N_IMAGES];
    size_t lens[N_IMAGES];
    for (int k = 0; k < N_IMAGES; k++)
        expect[k] = compute_new(cfg, images[k], &lens[k]);
    thread_job jobs[N_THREADS];
    pthread_t tid[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){cfg, images, expect, lens, t, 0, 0};
        ck_assert_int_eq(pthread_create(&tid[t], NULL, hog_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++) {
        ck_assert_msg(jobs[t].errors == 0, "thread %d: %d computes failed", t, jobs[t].errors);
        ck_assert_msg(jobs[t].mismatches == 0, "thread %d: %d results differ from the serial run", t,
                      jobs[t].mismatches);
    }
    for (int k = 0; k < N_IMAGES; k++) {
        free(expect[k]);
        hogfeat_image_destroy(images[k]);
    }
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* ---- allocation failure ------------------------------------------------------ */

START_TEST(test_alloc_failure)
{
    hogfeat_hog_config *cfg = new_config();
    test_rng rng = test_rng_seed(71);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 48, 48);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 48, 48, &len), HOGFEAT_OK);
    float *out = sentinel_buffer(len);
    for (int persistent = 0; persistent <= 1; persistent++) {
        hogfeat__test_alloc_fail_at(1, persistent);
        hogfeat_status st = hogfeat_hog_compute(cfg, img, out, len);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "persistent %d: compute returned %d", persistent, (int)st);
        ck_assert_uint_ge(failures, 1);
        ck_assert_msg(all_sentinel(out, len), "output written on OUT_OF_MEMORY");
    }
    /* And after the reset it works. */
    ck_assert_int_eq(hogfeat_hog_compute(cfg, img, out, len), HOGFEAT_OK);

    hogfeat_hog_config *c2 = (hogfeat_hog_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_hog_config_create(&c2);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(c2);

    c2 = (hogfeat_hog_config *)(uintptr_t)0x40;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_hog_config_copy(cfg, &c2);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(c2);

    free(out);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

static Suite *hog_suite(void)
{
    Suite *s = suite_create("hog");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"defaults", test_defaults},
        {"setters_validate", test_setters_validate},
        {"setters_accept_bounds", test_setters_accept_bounds},
        {"getters_null", test_getters_null},
        {"copy_independent", test_copy_independent},
        {"feature_length_table", test_feature_length_table},
        {"feature_length_matches_compute", test_feature_length_matches_compute},
        {"buffer_too_small", test_buffer_too_small},
        {"image_too_small", test_image_too_small},
        {"null_pointers", test_null_pointers},
        {"huge_sizes", test_huge_sizes},
        {"nonfinite_rejected", test_nonfinite_rejected},
        {"nonfinite_outside_cells", test_nonfinite_outside_cells},
        {"sqrt_negative", test_sqrt_negative},
        {"large_finite_gradients", test_large_finite_gradients},
        {"constant_image_zero", test_constant_image_zero},
        {"block_norms", test_block_norms},
        {"u8_equals_f32", test_u8_equals_f32},
        {"strided_wrap", test_strided_wrap},
        {"signed_orientations", test_signed_orientations},
        {"threads_shared_config", test_threads_shared_config},
        {"alloc_failure", test_alloc_failure},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return test_run_suite(hog_suite());
}
