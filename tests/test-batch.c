/* Batch extraction: hogfeat_hog_compute_batch/_stack and
 * hogfeat_pipeline_extract_batch/_stack against one-image calls, thread-count
 * independence, no allocation per image, and every bad argument. */
#include "common.h"
#include "private.h"

#define N_IMAGES 53 /* not a multiple of the chunk size */

static hogfeat_hog_config *digit_config(void)
{
    hogfeat_hog_config *c = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&c), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(c, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(c, 2, 2), HOGFEAT_OK);
    return c;
}

/* n images of w x h in one buffer with padded rows and gaps between images. */
typedef struct stack {
    unsigned char *buf;
    size_t row_stride, image_stride;
    hogfeat_image *handles[N_IMAGES];
} stack;

static size_t sample_size(hogfeat_format f)
{
    return f == HOGFEAT_FORMAT_F32_GRAY || f == HOGFEAT_FORMAT_F32_RGB ? 4 : 1;
}

static size_t channels_of(hogfeat_format f)
{
    return f == HOGFEAT_FORMAT_U8_RGB || f == HOGFEAT_FORMAT_F32_RGB ? 3 : 1;
}

static stack make_stack(test_rng *rng, hogfeat_format f, size_t w, size_t h)
{
    stack s;
    const size_t ss = sample_size(f), row = w * channels_of(f) * ss;
    s.row_stride = row + 4 * ss;
    s.image_stride = h * s.row_stride + 8 * ss;
    s.buf = malloc(N_IMAGES * s.image_stride);
    ck_assert_ptr_nonnull(s.buf);
    for (size_t i = 0; i < N_IMAGES * s.image_stride / ss; i++) {
        if (ss == 1)
            s.buf[i] = (unsigned char)(test_rng_below(rng, 4) == 0 ? 255 : test_rng_below(rng, 40));
        else
            ((float *)(void *)s.buf)[i] = test_rng_float(rng);
    }
    for (size_t i = 0; i < N_IMAGES; i++)
        ck_assert_int_eq(hogfeat_image_wrap(s.buf + i * s.image_stride, f, w, h, s.row_stride, &s.handles[i]),
                         HOGFEAT_OK);
    return s;
}

static void free_stack(stack *s)
{
    for (size_t i = 0; i < N_IMAGES; i++)
        hogfeat_image_destroy(s->handles[i]);
    free(s->buf);
}

static const hogfeat_format formats[] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                         HOGFEAT_FORMAT_F32_RGB};

/* Batch, stack and one-image results agree bit for bit, for 1, 2 and 7 threads. */
START_TEST(test_batch_equals_single)
{
    const hogfeat_format f = formats[_i];
    test_rng rng = test_rng_seed(77 + (uint64_t)_i);
    hogfeat_hog_config *cfg = digit_config();
    stack s = make_stack(&rng, f, 32, 30);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 30, &len), HOGFEAT_OK);
    const size_t stride = len + 3;
    float *ref = calloc(N_IMAGES * stride, sizeof *ref), *out = malloc(N_IMAGES * stride * sizeof *out);
    for (size_t i = 0; i < N_IMAGES; i++)
        ck_assert_int_eq(hogfeat_hog_compute(cfg, s.handles[i], ref + i * stride, len), HOGFEAT_OK);
    const int32_t threads[] = {1, 2, 7, 0};
    for (size_t t = 0; t < 4; t++) {
        memset(out, 0, N_IMAGES * stride * sizeof *out);
        ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, (const hogfeat_image *const *)s.handles, N_IMAGES,
                                                   threads[t], out, stride, N_IMAGES * stride),
                         HOGFEAT_OK);
        ck_assert_msg(memcmp(out, ref, N_IMAGES * stride * sizeof *out) == 0, "batch, %d threads", threads[t]);
        memset(out, 0, N_IMAGES * stride * sizeof *out);
        ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, f, N_IMAGES, 32, 30, s.row_stride, s.image_stride,
                                                   threads[t], out, stride, N_IMAGES * stride),
                         HOGFEAT_OK);
        ck_assert_msg(memcmp(out, ref, N_IMAGES * stride * sizeof *out) == 0, "stack, %d threads", threads[t]);
    }
    free(ref);
    free(out);
    free_stack(&s);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* The pipeline batch (resize + blur + HOG) equals hogfeat_pipeline_extract. */
START_TEST(test_pipeline_batch_equals_single)
{
    const hogfeat_format f = formats[_i];
    test_rng rng = test_rng_seed(5 + (uint64_t)_i);
    hogfeat_hog_config *cfg = digit_config();
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 28, 28), HOGFEAT_OK);
    stack s = make_stack(&rng, f, 33, 31);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, 33, 31, &len), HOGFEAT_OK);
    float *ref = malloc(N_IMAGES * len * sizeof *ref), *out = malloc(N_IMAGES * len * sizeof *out);
    for (size_t i = 0; i < N_IMAGES; i++)
        ck_assert_int_eq(hogfeat_pipeline_extract(p, s.handles[i], ref + i * len, len), HOGFEAT_OK);
    for (int32_t t = 1; t <= 3; t++) {
        ck_assert_int_eq(hogfeat_pipeline_extract_batch(p, (const hogfeat_image *const *)s.handles, N_IMAGES, t, out,
                                                        len, N_IMAGES * len),
                         HOGFEAT_OK);
        ck_assert_msg(memcmp(out, ref, N_IMAGES * len * sizeof *out) == 0, "pipeline batch, %d threads", t);
        ck_assert_int_eq(hogfeat_pipeline_extract_stack(p, s.buf, f, N_IMAGES, 33, 31, s.row_stride, s.image_stride,
                                                        t, out, len, N_IMAGES * len),
                         HOGFEAT_OK);
        ck_assert_msg(memcmp(out, ref, N_IMAGES * len * sizeof *out) == 0, "pipeline stack, %d threads", t);
    }
    free(ref);
    free(out);
    free_stack(&s);
    hogfeat_pipeline_destroy(p);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* Allocations of one batch call do not grow with the number of images. */
static size_t allocations_for(const hogfeat_hog_config *cfg, const hogfeat_pipeline *p, const stack *s, size_t n,
                              float *out, size_t len)
{
    hogfeat__test_alloc_reset();
    hogfeat_status st = p ? hogfeat_pipeline_extract_stack(p, s->buf, HOGFEAT_FORMAT_U8_GRAY, n, 32, 30, s->row_stride,
                                                           s->image_stride, 1, out, len, n * len)
                          : hogfeat_hog_compute_stack(cfg, s->buf, HOGFEAT_FORMAT_U8_GRAY, n, 32, 30, s->row_stride,
                                                      s->image_stride, 1, out, len, n * len);
    ck_assert_int_eq(st, HOGFEAT_OK);
    return hogfeat__test_alloc_count();
}

START_TEST(test_no_allocation_per_image)
{
    test_rng rng = test_rng_seed(9);
    hogfeat_hog_config *cfg = digit_config();
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_resize(p, 32, 30), HOGFEAT_OK);
    stack s = make_stack(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 30);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 30, &len), HOGFEAT_OK);
    float *out = malloc(N_IMAGES * len * sizeof *out);
    size_t one = allocations_for(cfg, NULL, &s, 1, out, len), all = allocations_for(cfg, NULL, &s, N_IMAGES, out, len);
    printf("hog stack: %zu allocations for 1 image, %zu for %d\n", one, all, N_IMAGES);
    ck_assert_uint_eq(one, all);
    ck_assert_uint_le(all, 4);
    one = allocations_for(NULL, p, &s, 1, out, len);
    all = allocations_for(NULL, p, &s, N_IMAGES, out, len);
    printf("pipeline stack: %zu allocations for 1 image, %zu for %d\n", one, all, N_IMAGES);
    ck_assert_uint_eq(one, all);
    ck_assert_uint_le(all, 6);
    hogfeat__test_alloc_reset();
    free(out);
    free_stack(&s);
    hogfeat_pipeline_destroy(p);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

START_TEST(test_bad_arguments)
{
    test_rng rng = test_rng_seed(3);
    hogfeat_hog_config *cfg = digit_config();
    stack s = make_stack(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 30);
    const hogfeat_image *const *h = (const hogfeat_image *const *)s.handles;
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 30, &len), HOGFEAT_OK);
    const size_t cap = N_IMAGES * len;
    float *out = malloc(cap * sizeof *out);
    for (size_t i = 0; i < cap; i++)
        out[i] = -7.0f;

    ck_assert_int_eq(hogfeat_hog_compute_batch(NULL, h, 2, 1, out, len, cap), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, NULL, 2, 1, out, len, cap), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 2, 1, NULL, len, cap), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 2, -1, out, len, cap), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 2, 257, out, len, cap), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 2, 1, out, len - 1, cap), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 3, 1, out, len, 3 * len - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, SIZE_MAX / 2, 1, out, len, cap), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, h, 0, 1, NULL, 0, 0), HOGFEAT_OK);
    const hogfeat_image *with_null[3] = {h[0], NULL, h[2]};
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, with_null, 3, 1, out, len, cap), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "image 1"));
    /* Images of another descriptor length. */
    hogfeat_image *big = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 40, 40, &big), HOGFEAT_OK);
    const hogfeat_image *mixed[2] = {h[0], big};
    ck_assert_int_eq(hogfeat_hog_compute_batch(cfg, mixed, 2, 1, out, len, cap), HOGFEAT_ERR_DIMENSION_MISMATCH);
    for (size_t i = 0; i < cap; i++)
        ck_assert_msg(out[i] == -7.0f, "output written before an argument error (index %zu)", i);

    /* Stack geometry. */
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, NULL, HOGFEAT_FORMAT_U8_GRAY, 2, 32, 30, 0, 0, 1, out, len, cap),
                     HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, (hogfeat_format)9, 2, 32, 30, 0, 0, 1, out, len, cap),
                     HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, HOGFEAT_FORMAT_U8_GRAY, 2, 32, 30, 31, 0, 1, out, len, cap),
                     HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, HOGFEAT_FORMAT_U8_GRAY, 2, 32, 30, 32, 32 * 29, 1, out,
                                               len, cap),
                     HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, HOGFEAT_FORMAT_U8_GRAY, 2, 0, 30, 0, 0, 1, out, len, cap),
                     HOGFEAT_ERR_BAD_GEOMETRY);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, HOGFEAT_FORMAT_U8_GRAY, SIZE_MAX / 1024, 32, 30, 0, 0, 1,
                                               out, len, cap),
                     HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, s.buf, HOGFEAT_FORMAT_U8_GRAY, 2, 4, 4, 0, 0, 1, out, len, cap),
                     HOGFEAT_ERR_IMAGE_TOO_SMALL);
    for (size_t i = 0; i < cap; i++)
        ck_assert_msg(out[i] == -7.0f, "output written before an argument error (index %zu)", i);

    hogfeat_image_destroy(big);
    free(out);
    free_stack(&s);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* A failing image is named in the message, whichever thread hit it. */
START_TEST(test_failing_image_named)
{
    hogfeat_hog_config *cfg = digit_config();
    enum { N = 40, W = 16 };
    static float px[N][W * W];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < W * W; j++)
            px[i][j] = (float)((i + j) % 7);
    px[29][5 * W + 5] = NAN;
    px[33][5 * W + 5] = INFINITY;
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, W, W, &len), HOGFEAT_OK);
    float *out = malloc(N * len * sizeof *out);
    for (int32_t t = 1; t <= 4; t++) {
        ck_assert_int_eq(hogfeat_hog_compute_stack(cfg, px, HOGFEAT_FORMAT_F32_GRAY, N, W, W, 0, 0, t, out, len,
                                                   N * len),
                         HOGFEAT_ERR_NONFINITE);
        ck_assert_msg(strstr(hogfeat_last_error_message(), "image 29") != NULL, "%d threads: message '%s'", t,
                      hogfeat_last_error_message());
    }
    free(out);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* Allocation n of a batch fails: OUT_OF_MEMORY, never a crash or a leak. */
START_TEST(test_allocation_failures)
{
    test_rng rng = test_rng_seed(11);
    hogfeat_hog_config *cfg = digit_config();
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.0), HOGFEAT_OK);
    stack s = make_stack(&rng, HOGFEAT_FORMAT_U8_GRAY, 32, 30);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 30, &len), HOGFEAT_OK);
    float *out = malloc(N_IMAGES * len * sizeof *out);
    for (int which = 0; which < 2; which++) {
        long n;
        for (n = 1; n < 100; n++) {
            hogfeat__test_alloc_fail_at(n, which);
            hogfeat_status st = hogfeat_pipeline_extract_stack(p, s.buf, HOGFEAT_FORMAT_U8_GRAY, N_IMAGES, 32, 30,
                                                               s.row_stride, s.image_stride, 2, out, len,
                                                               N_IMAGES * len);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_reset();
            if (failures == 0) {
                ck_assert_int_eq(st, HOGFEAT_OK);
                break;
            }
            ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld failed: got %s", n, hogfeat_status_name(st));
        }
        ck_assert_msg(n > 1 && n < 100, "the sweep ended at %ld", n);
    }
    free(out);
    free_stack(&s);
    hogfeat_pipeline_destroy(p);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch_equals_single");
    tcase_add_loop_test(tc, test_batch_equals_single, 0, 4);
    suite_add_tcase(s, tc);
    tc = tcase_create("pipeline_batch_equals_single");
    tcase_add_loop_test(tc, test_pipeline_batch_equals_single, 0, 4);
    suite_add_tcase(s, tc);
    tc = tcase_create("no_allocation_per_image");
    tcase_add_test(tc, test_no_allocation_per_image);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad_arguments");
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("failing_image_named");
    tcase_add_test(tc, test_failing_image_named);
    suite_add_tcase(s, tc);
    tc = tcase_create("allocation_failures");
    tcase_add_test(tc, test_allocation_failures);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
