/* HOG presets and output layouts: hogfeat_hog_config_set_preset/_layout/
 * _window_sigma, hogfeat_hog_convert_layout, and their model-file section. */
#include "common.h"

static hogfeat_hog_config *small_config(void)
{
    hogfeat_hog_config *c = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&c), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(c, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(c, 3, 2), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(c, 5), HOGFEAT_OK);
    return c;
}

START_TEST(test_preset_setters)
{
    hogfeat_hog_config *c = small_config();
    ck_assert_int_eq(hogfeat_hog_config_get_preset(c), HOGFEAT_HOG_PRESET_SKIMAGE);
    ck_assert_int_eq(hogfeat_hog_config_get_layout(c), HOGFEAT_HOG_LAYOUT_SKIMAGE);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(c, HOGFEAT_HOG_PRESET_OPENCV), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_get_preset(c), HOGFEAT_HOG_PRESET_OPENCV);
    ck_assert_int_eq(hogfeat_hog_config_get_layout(c), HOGFEAT_HOG_LAYOUT_OPENCV);
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(c), 8);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(c), 2);
    ck_assert_int_eq(hogfeat_hog_config_get_block_height(c), 2);
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(c), 9);
    ck_assert_int_eq(hogfeat_hog_config_get_block_norm(c), HOGFEAT_NORM_L2HYS);
    ck_assert(hogfeat_hog_config_get_window_sigma(c) == 0.0);
    /* The scikit-image preset restores hogfeat_hog_config_create()'s state. */
    ck_assert_int_eq(hogfeat_hog_config_set_preset(c, HOGFEAT_HOG_PRESET_SKIMAGE), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(c), 3);
    ck_assert_int_eq(hogfeat_hog_config_get_layout(c), HOGFEAT_HOG_LAYOUT_SKIMAGE);

    ck_assert_int_eq(hogfeat_hog_config_set_preset(c, (hogfeat_hog_preset)0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(c, (hogfeat_hog_preset)3), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(NULL, HOGFEAT_HOG_PRESET_OPENCV), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(c, (hogfeat_hog_layout)0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(c, (hogfeat_hog_layout)7), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(NULL, HOGFEAT_HOG_LAYOUT_OPENCV), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, -1.0), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, NAN), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, INFINITY), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, 4.5), HOGFEAT_OK);
    ck_assert(hogfeat_hog_config_get_window_sigma(c) == 4.5);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(NULL, 1.0), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_config_get_preset(NULL), 0);
    ck_assert_int_eq(hogfeat_hog_config_get_layout(NULL), 0);
    ck_assert(hogfeat_hog_config_get_window_sigma(NULL) == 0.0);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* OpenCV order by hand on a 2 x 2 grid of 2 x 1-cell blocks. */
START_TEST(test_opencv_order_by_hand)
{
    hogfeat_hog_config *c = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&c), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(c, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(c, 2, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(c, 1), HOGFEAT_OK);
    /* 12 x 8 px: 3 x 2 cells, blocks 2 x 2 (x, y), 2 cells of 1 bin each. */
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 12, 8, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 8);
    /* scikit-image order: (by, bx, cy, cx) row-major; value = 10 * block + cell. */
    const float in[8] = {0, 1, 10, 11, 20, 21, 30, 31}; /* blocks (0,0) (0,1) (1,0) (1,1) */
    float out[8], back[8];
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, in, HOGFEAT_HOG_LAYOUT_SKIMAGE, out,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 8),
                     HOGFEAT_OK);
    /* OpenCV: blocks column by column: (0,0) (1,0) (0,1) (1,1); cells within a block column by column. */
    const float want[8] = {0, 1, 20, 21, 10, 11, 30, 31};
    for (int i = 0; i < 8; i++)
        ck_assert_msg(out[i] == want[i], "out[%d] = %g, want %g", i, (double)out[i], (double)want[i]);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, out, HOGFEAT_HOG_LAYOUT_OPENCV, back,
                                                HOGFEAT_HOG_LAYOUT_SKIMAGE, 8),
                     HOGFEAT_OK);
    ck_assert_int_eq(memcmp(back, in, sizeof in), 0);
    /* Errors. */
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, in, HOGFEAT_HOG_LAYOUT_SKIMAGE, out,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 7),
                     HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, in, (hogfeat_hog_layout)3, out,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 8),
                     HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, out, HOGFEAT_HOG_LAYOUT_SKIMAGE, out + 1,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 7),
                     HOGFEAT_ERR_BUFFER_TOO_SMALL);
    float big[16];
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, big, HOGFEAT_HOG_LAYOUT_SKIMAGE, big + 4,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 12),
                     HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 12, 8, NULL, HOGFEAT_HOG_LAYOUT_SKIMAGE, out,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 8),
                     HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 4, 4, in, HOGFEAT_HOG_LAYOUT_SKIMAGE, out,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, 8),
                     HOGFEAT_ERR_IMAGE_TOO_SMALL);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* compute in OpenCV order == compute in scikit-image order, converted. */
START_TEST(test_compute_in_opencv_layout)
{
    test_rng rng = test_rng_seed(21);
    hogfeat_hog_config *c = small_config();
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 37, 29);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 37, 29, &len), HOGFEAT_OK);
    float *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b), *conv = malloc(len * sizeof *conv);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, a, len), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(c, HOGFEAT_HOG_LAYOUT_OPENCV), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, b, len), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_convert_layout(c, 37, 29, a, HOGFEAT_HOG_LAYOUT_SKIMAGE, conv,
                                                HOGFEAT_HOG_LAYOUT_OPENCV, len),
                     HOGFEAT_OK);
    ck_assert_int_eq(memcmp(b, conv, len * sizeof *b), 0);
    ck_assert_msg(memcmp(a, b, len * sizeof *a) != 0, "the layouts should differ for this grid");
    free(a);
    free(b);
    free(conv);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* The model file keeps preset, layout and window sigma (HOGX section), and
 * writes nothing extra for scikit-image defaults. */
static unsigned char *save(const hogfeat_pipeline *p, size_t *size)
{
    ck_assert_int_eq(hogfeat_pipeline_save(p, NULL, 0, size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *buf = malloc(*size);
    ck_assert_int_eq(hogfeat_pipeline_save(p, buf, *size, size), HOGFEAT_OK);
    return buf;
}

START_TEST(test_model_file_keeps_layout)
{
    hogfeat_hog_config *c = small_config();
    hogfeat_linsvm *svm = NULL;
    const float x[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    const int32_t y[2] = {0, 1};
    ck_assert_int_eq(hogfeat_linsvm_train(NULL, x, 2, 2, 2, y, &svm), HOGFEAT_OK);
    hogfeat_pipeline *plain = NULL, *custom = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(c, &plain), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(plain, svm), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(c, HOGFEAT_HOG_LAYOUT_OPENCV), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, 3.25), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_create(c, &custom), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(custom, svm), HOGFEAT_OK);
    size_t n_plain, n_custom, n_again;
    unsigned char *b_plain = save(plain, &n_plain), *b_custom = save(custom, &n_custom);
    ck_assert_uint_eq(n_custom, n_plain + 16 + 16); /* one HOGX section: header + payload */
    hogfeat_pipeline *loaded = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load(b_custom, n_custom, NULL, &loaded), HOGFEAT_OK);
    const hogfeat_hog_config *lc = hogfeat_pipeline_hog_config(loaded);
    ck_assert_int_eq(hogfeat_hog_config_get_layout(lc), HOGFEAT_HOG_LAYOUT_OPENCV);
    ck_assert(hogfeat_hog_config_get_window_sigma(lc) == 3.25);
    ck_assert_int_eq(hogfeat_hog_config_get_block_width(lc), 3);
    ck_assert_int_eq(hogfeat_hog_config_get_orientations(lc), 5);
    unsigned char *b_again = save(loaded, &n_again);
    ck_assert_uint_eq(n_again, n_custom);
    ck_assert_int_eq(memcmp(b_again, b_custom, n_custom), 0);
    free(b_plain);
    free(b_custom);
    free(b_again);
    hogfeat_pipeline_destroy(loaded);
    hogfeat_pipeline_destroy(plain);
    hogfeat_pipeline_destroy(custom);
    hogfeat_linsvm_destroy(svm);
    hogfeat_hog_config_destroy(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hog-layout");
    TCase *tc = tcase_create("preset_setters");
    tcase_add_test(tc, test_preset_setters);
    suite_add_tcase(s, tc);
    tc = tcase_create("opencv_order_by_hand");
    tcase_add_test(tc, test_opencv_order_by_hand);
    suite_add_tcase(s, tc);
    tc = tcase_create("compute_in_opencv_layout");
    tcase_add_test(tc, test_compute_in_opencv_layout);
    suite_add_tcase(s, tc);
    tc = tcase_create("model_file_keeps_layout");
    tcase_add_test(tc, test_model_file_keeps_layout);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
