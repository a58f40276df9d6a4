/* Fuzz target: HOG with fuzzer-chosen parameters, image size (up to 64x64),
 * pixel format, row padding and pixels; optionally through a pipeline with
 * blur and resize.
 *
 * Invariants: out-of-range setters return INVALID_ARGUMENT and change
 * nothing; compute gives the status of hogfeat_hog_feature_length (or
 * NONFINITE for float pixels), writes exactly the descriptor on success and
 * nothing at all on failure; every value is in [0, 1]; the result is
 * deterministic and equal, bit for bit, to the batch and stack paths with
 * one or more threads. */
#include "fuzz-common.h"

#define MAX_SIDE 64
#define CANARY 16
#define POISON 12345.0f
#define MAX_LENGTH 65536

static size_t bytes_per_pixel(int format)
{
    switch (format) {
    case HOGFEAT_FORMAT_U8_GRAY: return 1;
    case HOGFEAT_FORMAT_U8_RGB: return 3;
    case HOGFEAT_FORMAT_F32_GRAY: return 4;
    case HOGFEAT_FORMAT_F32_RGB: return 12;
    default: return 1;
    }
}

/* Applies a setter; an out-of-range value must fail and leave the config as it was. */
#define SET_OR_REFUSE(valid, call, cfg)                                                            \
    do {                                                                                           \
        hogfeat_hog_config *before_ = NULL;                                                        \
        FZ_CHECK(hogfeat_hog_config_copy((cfg), &before_) == HOGFEAT_OK, "config copy");          \
        hogfeat_status st_ = (call);                                                               \
        if (valid) {                                                                               \
            FZ_CHECK(st_ == HOGFEAT_OK, "%s: %s", #call, hogfeat_status_name(st_));               \
        } else {                                                                                   \
            FZ_CHECK(st_ == HOGFEAT_ERR_INVALID_ARGUMENT, "%s: %s", #call, hogfeat_status_name(st_)); \
            FZ_CHECK(same_config(before_, (cfg)), "%s changed the config", #call);                \
        }                                                                                          \
        hogfeat_hog_config_destroy(before_);                                                       \
    } while (0)

static int same_config(const hogfeat_hog_config *a, const hogfeat_hog_config *b)
{
    return hogfeat_hog_config_get_orientations(a) == hogfeat_hog_config_get_orientations(b) &&
           hogfeat_hog_config_get_cell_width(a) == hogfeat_hog_config_get_cell_width(b) &&
           hogfeat_hog_config_get_cell_height(a) == hogfeat_hog_config_get_cell_height(b) &&
           hogfeat_hog_config_get_block_width(a) == hogfeat_hog_config_get_block_width(b) &&
           hogfeat_hog_config_get_block_height(a) == hogfeat_hog_config_get_block_height(b) &&
           hogfeat_hog_config_get_block_stride_x(a) == hogfeat_hog_config_get_block_stride_x(b) &&
           hogfeat_hog_config_get_block_stride_y(a) == hogfeat_hog_config_get_block_stride_y(b) &&
           hogfeat_hog_config_get_block_norm(a) == hogfeat_hog_config_get_block_norm(b) &&
           hogfeat_hog_config_get_transform_sqrt(a) == hogfeat_hog_config_get_transform_sqrt(b) &&
           hogfeat_hog_config_get_signed_orientations(a) == hogfeat_hog_config_get_signed_orientations(b);
}

static void check_values(const float *f, size_t len, const char *what)
{
    for (size_t i = 0; i < len; i++)
        FZ_CHECK(f[i] >= 0.0f && f[i] <= 1.0001f, "%s value %zu is %g", what, i, (double)f[i]);
}

static void fill(float *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        f[i] = POISON;
}

static int untouched(const float *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i] != POISON)
            return 0;
    return 1;
}

/* hogfeat_pipeline_extract and its stack path on the same image. */
static void run_pipeline(const hogfeat_hog_config *cfg, fz_reader *r, const hogfeat_image *img, const void *pixels,
                         int format, size_t w, size_t h, size_t stride)
{
    hogfeat_pipeline *p = NULL;
    FZ_CHECK(hogfeat_pipeline_create(cfg, &p) == HOGFEAT_OK, "pipeline_create");
    double sigma = fz_u8(r) / 80.0; /* 0 .. 3.2: wider kernels only cost time */
    FZ_CHECK(hogfeat_pipeline_set_blur(p, sigma) == HOGFEAT_OK, "set_blur %g", sigma);
    size_t rw = fz_range(r, 0, 48), rh = fz_range(r, 0, 48);
    hogfeat_status st = hogfeat_pipeline_set_resize(p, rw, rh);
    FZ_CHECK((rw == 0) == (rh == 0) ? st == HOGFEAT_OK : st == HOGFEAT_ERR_BAD_GEOMETRY, "set_resize %zux%zu: %s", rw,
             rh, hogfeat_status_name(st));
    size_t len = 0;
    hogfeat_status sl = hogfeat_pipeline_feature_length(p, w, h, &len);
    FZ_EXPECT_STATUS(sl, "hogfeat_pipeline_feature_length", HOGFEAT_OK, HOGFEAT_ERR_IMAGE_TOO_SMALL);
    if (sl == HOGFEAT_OK && len > MAX_LENGTH) {
        hogfeat_pipeline_destroy(p);
        return;
    }
    size_t cap = sl == HOGFEAT_OK ? len : 64;
    float *a = fz_alloc((cap + CANARY) * sizeof *a), *b = fz_alloc((2 * cap + CANARY) * sizeof *b);
    fill(a, cap + CANARY);
    st = hogfeat_pipeline_extract(p, img, a, cap);
    FZ_EXPECT_STATUS(st, "hogfeat_pipeline_extract", HOGFEAT_OK, HOGFEAT_ERR_IMAGE_TOO_SMALL, HOGFEAT_ERR_NONFINITE);
    FZ_CHECK(sl != HOGFEAT_OK ? st == sl : st == HOGFEAT_OK || format >= HOGFEAT_FORMAT_F32_GRAY,
             "length says %s, extract says %s", hogfeat_status_name(sl), hogfeat_status_name(st));
    FZ_CHECK(untouched(a + cap, CANARY), "pipeline extract wrote past the descriptor");
    if (st == HOGFEAT_OK) {
        check_values(a, len, "pipeline");
        fill(b, 2 * cap + CANARY);
        hogfeat_status s2 = hogfeat_pipeline_extract_stack(p, pixels, (hogfeat_format)format, 2, w, h, stride, 0,
                                                           2, b, cap, 2 * cap);
        FZ_CHECK(s2 == HOGFEAT_OK, "pipeline stack: %s", hogfeat_status_name(s2));
        FZ_CHECK(memcmp(a, b, len * sizeof *a) == 0 && memcmp(a, b + cap, len * sizeof *a) == 0,
                 "pipeline stack differs from single extraction");
        FZ_CHECK(untouched(b + 2 * cap, CANARY), "pipeline stack wrote past the output");
    } else {
        FZ_CHECK(untouched(a, cap), "a failing pipeline extract wrote output");
    }
    free(a);
    free(b);
    hogfeat_pipeline_destroy(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    hogfeat_hog_config *cfg = NULL;
    FZ_CHECK(hogfeat_hog_config_create(&cfg) == HOGFEAT_OK, "config_create");

    /* Parameters, each with a few out-of-range values in its span. */
    int32_t signed_o = (int32_t)fz_range(&r, 0, 2);
    SET_OR_REFUSE(signed_o <= 1, hogfeat_hog_config_set_signed_orientations(cfg, signed_o), cfg);
    int32_t bins = (int32_t)fz_range(&r, 0, 361);
    SET_OR_REFUSE(bins >= 1 && bins <= 360, hogfeat_hog_config_set_orientations(cfg, bins), cfg);
    int32_t cw = (int32_t)fz_range(&r, 0, 24), ch = (int32_t)fz_range(&r, 0, 24);
    SET_OR_REFUSE(cw >= 1 && ch >= 1, hogfeat_hog_config_set_cell_size(cfg, cw, ch), cfg);
    int32_t bw = (int32_t)fz_range(&r, 0, 6), bh = (int32_t)fz_range(&r, 0, 6);
    SET_OR_REFUSE(bw >= 1 && bh >= 1, hogfeat_hog_config_set_block_size(cfg, bw, bh), cfg);
    int32_t sx = (int32_t)fz_range(&r, 0, 5), sy = (int32_t)fz_range(&r, 0, 5);
    SET_OR_REFUSE(sx >= 1 && sy >= 1, hogfeat_hog_config_set_block_stride(cfg, sx, sy), cfg);
    int32_t norm = (int32_t)fz_range(&r, 0, 5);
    SET_OR_REFUSE(norm >= 1 && norm <= 4, hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)norm), cfg);
    int32_t tsqrt = (int32_t)fz_range(&r, 0, 2);
    SET_OR_REFUSE(tsqrt <= 1, hogfeat_hog_config_set_transform_sqrt(cfg, tsqrt), cfg);

    /* Image geometry: format, size, padding (not always a multiple of 4). */
    int format = (int)fz_range(&r, 0, 5);
    size_t w = fz_range(&r, 1, MAX_SIDE), h = fz_range(&r, 1, MAX_SIDE);
    size_t pad = fz_range(&r, 0, 9);
    uint8_t mode = fz_u8(&r); /* bit 0: tame floats; 1: pipeline; 2-3: threads */
    size_t bpp = bytes_per_pixel(format);
    size_t stride = w * bpp + pad;
    /* Two images back to back for the stack path; float buffer for alignment. */
    size_t total = 2 * h * stride;
    float *store = fz_alloc(total + 4);
    unsigned char *px = (unsigned char *)store;
    if (format >= HOGFEAT_FORMAT_F32_GRAY && (mode & 1)) {
        for (size_t i = 0; i + 4 <= h * stride; i += 4) {
            float v = fz_f32_tame(&r);
            memcpy(px + i, &v, 4);
        }
    } else {
        for (size_t i = 0; i < h * stride; i++)
            px[i] = fz_u8(&r);
    }
    memcpy(px + h * stride, px, h * stride);

    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_image_wrap(px, (hogfeat_format)format, w, h, stride, &img);
    if (format < HOGFEAT_FORMAT_U8_GRAY || format > HOGFEAT_FORMAT_F32_RGB) {
        FZ_CHECK(st == HOGFEAT_ERR_UNSUPPORTED_FORMAT, "format %d: %s", format, hogfeat_status_name(st));
    } else if (format >= HOGFEAT_FORMAT_F32_GRAY && stride % 4 != 0) {
        FZ_CHECK(st == HOGFEAT_ERR_BAD_STRIDE, "float stride %zu: %s", stride, hogfeat_status_name(st));
    } else {
        FZ_CHECK(st == HOGFEAT_OK, "wrap %zux%zu format %d stride %zu: %s", w, h, format, stride,
                 hogfeat_status_name(st));
    }
    if (st != HOGFEAT_OK) {
        free(store);
        hogfeat_hog_config_destroy(cfg);
        return 0;
    }

    size_t len = 0, bx = 0, by = 0;
    hogfeat_status sl = hogfeat_hog_feature_length(cfg, w, h, &len);
    FZ_EXPECT_STATUS(sl, "hogfeat_hog_feature_length", HOGFEAT_OK, HOGFEAT_ERR_IMAGE_TOO_SMALL);
    hogfeat_status sg = hogfeat_hog_block_grid(cfg, w, h, &bx, &by);
    FZ_CHECK(sg == sl, "block_grid %s, feature_length %s", hogfeat_status_name(sg), hogfeat_status_name(sl));
    if (sl == HOGFEAT_OK) {
        size_t cells = (size_t)hogfeat_hog_config_get_block_width(cfg) * hogfeat_hog_config_get_block_height(cfg);
        FZ_CHECK(len == bx * by * cells * (size_t)hogfeat_hog_config_get_orientations(cfg),
                 "length %zu != %zu x %zu blocks x %zu cells x bins", len, bx, by, cells);
    }
    if (sl == HOGFEAT_OK && len > MAX_LENGTH) {
        /* 1-px cells with 360 bins: correct but slow; not worth the fuzzer's time. */
        hogfeat_image_destroy(img);
        hogfeat_hog_config_destroy(cfg);
        free(store);
        return 0;
    }
    size_t cap = sl == HOGFEAT_OK ? len : 64;
    float *a = fz_alloc((cap + CANARY) * sizeof *a);
    fill(a, cap + CANARY);
    st = hogfeat_hog_compute(cfg, img, a, cap);
    FZ_EXPECT_STATUS(st, "hogfeat_hog_compute", HOGFEAT_OK, HOGFEAT_ERR_IMAGE_TOO_SMALL, HOGFEAT_ERR_NONFINITE);
    if (sl != HOGFEAT_OK)
        FZ_CHECK(st == sl, "length says %s, compute says %s", hogfeat_status_name(sl), hogfeat_status_name(st));
    else if (format <= HOGFEAT_FORMAT_U8_RGB)
        FZ_CHECK(st == HOGFEAT_OK, "8-bit image: %s", hogfeat_status_name(st));
    FZ_CHECK(untouched(a + cap, CANARY), "compute wrote past the descriptor");

    if (st == HOGFEAT_OK) {
        check_values(a, len, "hog");
        /* Deterministic, and a short buffer is refused without a write. */
        float *b = fz_alloc((2 * len + CANARY) * sizeof *b);
        fill(b, 2 * len + CANARY);
        FZ_CHECK(hogfeat_hog_compute(cfg, img, b, len - 1) == HOGFEAT_ERR_BUFFER_TOO_SMALL, "short buffer");
        FZ_CHECK(untouched(b, 2 * len + CANARY), "a refused compute wrote output");
        FZ_CHECK(hogfeat_hog_compute(cfg, img, b, len) == HOGFEAT_OK && memcmp(a, b, len * sizeof *a) == 0,
                 "compute is not deterministic");
        /* Stack of two copies and batch of two handles, 1-3 threads. */
        int32_t threads = 1 + ((mode >> 2) & 3) % 3;
        fill(b, 2 * len + CANARY);
        st = hogfeat_hog_compute_stack(cfg, px, (hogfeat_format)format, 2, w, h, stride, 0, threads, b, len,
                                       2 * len);
        FZ_CHECK(st == HOGFEAT_OK, "stack: %s", hogfeat_status_name(st));
        FZ_CHECK(memcmp(a, b, len * sizeof *a) == 0 && memcmp(a, b + len, len * sizeof *a) == 0,
                 "stack differs from compute (%d threads)", (int)threads);
        FZ_CHECK(untouched(b + 2 * len, CANARY), "stack wrote past the output");
        const hogfeat_image *pair[2] = {img, img};
        fill(b, 2 * len + CANARY);
        st = hogfeat_hog_compute_batch(cfg, pair, 2, threads, b, len, 2 * len);
        FZ_CHECK(st == HOGFEAT_OK && memcmp(a, b + len, len * sizeof *a) == 0, "batch differs: %s",
                 hogfeat_status_name(st));
        free(b);
    } else {
        FZ_CHECK(untouched(a, cap), "a failing compute wrote output");
    }
    if (mode & 2)
        run_pipeline(cfg, &r, img, px, format, w, h, stride);

    free(a);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
    free(store);
    return 0;
}
