/* The hostile-input catalogue: one table of named cases, each with the
 * exact status the library must return, across image buffers, HOG
 * parameters, training sets, model files, IDX datasets and PGM images.
 * Groups ("every prefix", "every bit flip in ...") check each variant
 * against the same exact status. Prints one line per case and a counted
 * summary: "catalogue: N cases, N passed". */
#include <float.h>
#include <stdalign.h>

#include "robust.h"

/* ---- fixtures (built once per run) ------------------------------------------ */

static rbuf svm_file, knn_file, pipe_file; /* small valid model files */
static rbuf idx_img, idx_lab;              /* 3 images of 4x5, 3 labels */

static void fixtures(void)
{
    hogfeat_linsvm *s = r_make_svm(2, 8, 3, 1);
    hogfeat_knn *k = r_make_knn(3, 6, 2, 3, 2);
    hogfeat_pipeline *p = r_make_pipeline(0, 3);
    svm_file = r_save_svm(s);
    knn_file = r_save_knn(k);
    pipe_file = r_save_pipeline(p);
    hogfeat_linsvm_destroy(s);
    hogfeat_knn_destroy(k);
    hogfeat_pipeline_destroy(p);
    idx_img = r_idx_images(3, 4, 5, 60);
    idx_lab = r_idx_labels(3, 3);
}

static hogfeat_status load_svm_bytes(const rbuf *b)
{
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat_linsvm_load(b->p, b->n, NULL, &m);
    hogfeat_linsvm_destroy(m);
    return st;
}

static hogfeat_status load_knn_bytes(const rbuf *b)
{
    hogfeat_knn *m = NULL;
    hogfeat_status st = hogfeat_knn_load(b->p, b->n, NULL, &m);
    hogfeat_knn_destroy(m);
    return st;
}

static hogfeat_status load_pipe_bytes(const rbuf *b)
{
    hogfeat_pipeline *m = NULL;
    hogfeat_status st = hogfeat_pipeline_load(b->p, b->n, NULL, &m);
    hogfeat_pipeline_destroy(m);
    return st;
}

/* The SVM file with the u64 at offset `at` replaced, CRC recomputed. */
static hogfeat_status svm_with_u64(size_t at, uint64_t v)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    r_put_le64(b.p + at, v);
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}

/* Offsets in the SVM file: header 24, LSVM section header 16, then K (u64), D (u64), labels. */
#define SVM_K_AT (24 + 16)
#define SVM_D_AT (24 + 16 + 8)
#define SVM_LABELS_AT (24 + 16 + 16)
/* The first weight: after 2 labels, loss, C, tolerance, max_iterations, bias, V. */
#define SVM_W0_AT (SVM_LABELS_AT + 2 * 4 + 4 + 8 + 8 + 4 + 8 + 8)

static hogfeat_status svm_with_f32(size_t at, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    r_put_le32(b.p + at, u);
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}

/* ---- image buffers ------------------------------------------------------------ */

static hogfeat_status create(hogfeat_format f, size_t w, size_t h)
{
    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_image_create(f, w, h, &img);
    hogfeat_image_destroy(img);
    return st;
}

static hogfeat_status c_create_zero_width(void) { return create(HOGFEAT_FORMAT_U8_GRAY, 0, 10); }
static hogfeat_status c_create_zero_height(void) { return create(HOGFEAT_FORMAT_F32_RGB, 10, 0); }
static hogfeat_status c_create_size_max(void) { return create(HOGFEAT_FORMAT_U8_GRAY, SIZE_MAX, 1); }
static hogfeat_status c_create_overflow(void) { return create(HOGFEAT_FORMAT_U8_GRAY, (size_t)1 << 33, (size_t)1 << 33); }
static hogfeat_status c_create_one_over_max(void) { return create(HOGFEAT_FORMAT_U8_GRAY, 16385, 16384); }
static hogfeat_status c_create_format0(void) { return create((hogfeat_format)0, 4, 4); }
static hogfeat_status c_create_format5(void) { return create((hogfeat_format)5, 4, 4); }
static hogfeat_status c_create_null_out(void) { return hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 4, 4, NULL); }

static hogfeat_status wrap(const void *px, hogfeat_format f, size_t w, size_t h, size_t stride)
{
    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_image_wrap(px, f, w, h, stride, &img);
    hogfeat_image_destroy(img);
    return st;
}

static alignas(16) float pixbuf[4096];
static hogfeat_status c_wrap_null(void) { return wrap(NULL, HOGFEAT_FORMAT_U8_GRAY, 4, 4, 0); }
static hogfeat_status c_wrap_stride_short(void) { return wrap(pixbuf, HOGFEAT_FORMAT_U8_RGB, 10, 2, 29); }
static hogfeat_status c_wrap_f32_stride_odd(void) { return wrap(pixbuf, HOGFEAT_FORMAT_F32_GRAY, 4, 2, 18); }
static hogfeat_status c_wrap_f32_misaligned(void)
{
    return wrap((const unsigned char *)pixbuf + 2, HOGFEAT_FORMAT_F32_GRAY, 4, 2, 16);
}
static hogfeat_status c_wrap_stride_overflow(void) { return wrap(pixbuf, HOGFEAT_FORMAT_U8_GRAY, 4, 3, SIZE_MAX / 2); }

/* HOG of a w x h float image holding v at (x, y) and gentle values elsewhere. */
static hogfeat_status hog_f32_with(size_t w, size_t h, size_t x, size_t y, float v, int sqrt_on)
{
    float *px = malloc(w * h * sizeof *px);
    ck_assert_ptr_nonnull(px);
    for (size_t i = 0; i < w * h; i++)
        px[i] = (float)(i % 7) * 0.25f;
    px[y * w + x] = v;
    hogfeat_image *img = NULL;
    hogfeat_hog_config *cfg = NULL;
    ROK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_F32_GRAY, w, h, 0, &img));
    ROK(hogfeat_hog_config_create(&cfg));
    ROK(hogfeat_hog_config_set_transform_sqrt(cfg, sqrt_on));
    size_t len = 0;
    hogfeat_status st = hogfeat_hog_feature_length(cfg, w, h, &len);
    if (st == HOGFEAT_OK) {
        float *out = malloc(len * sizeof *out);
        st = hogfeat_hog_compute(cfg, img, out, len);
        free(out);
    }
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(img);
    free(px);
    return st;
}

static hogfeat_status c_hog_nan_pixel(void) { return hog_f32_with(32, 32, 10, 10, NAN, 0); }
static hogfeat_status c_hog_inf_pixel(void) { return hog_f32_with(32, 32, 5, 20, INFINITY, 0); }
static hogfeat_status c_hog_overflowing_difference(void)
{
    /* FLT_MAX beside -FLT_MAX: the centred difference overflows to infinity. */
    float *px = calloc(32 * 32, sizeof *px);
    px[10 * 32 + 9] = FLT_MAX;
    px[10 * 32 + 11] = -FLT_MAX;
    hogfeat_image *img = NULL;
    hogfeat_hog_config *cfg = NULL;
    float out[3000];
    ROK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_F32_GRAY, 32, 32, 0, &img));
    ROK(hogfeat_hog_config_create(&cfg));
    hogfeat_status st = hogfeat_hog_compute(cfg, img, out, 3000);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(img);
    free(px);
    return st;
}
static hogfeat_status c_hog_sqrt_negative(void) { return hog_f32_with(24, 24, 3, 3, -1.0f, 1); }
/* 26 px wide, 8-px cells: columns 0-23 are used, 24 is read for gx, 25 never. */
static hogfeat_status c_hog_nan_outside_cells(void) { return hog_f32_with(26, 24, 25, 7, NAN, 0); }
static hogfeat_status c_hog_smaller_than_cell(void) { return hog_f32_with(7, 7, 0, 0, 0.5f, 0); }
static hogfeat_status c_hog_smaller_than_block(void) { return hog_f32_with(16, 23, 0, 0, 0.5f, 0); }

static hogfeat_status hog_u8(size_t w, size_t h, const hogfeat_hog_config *cfg_in, size_t cap_delta, int null_img,
                             int null_out)
{
    unsigned char *px = malloc(w * h);
    for (size_t i = 0; i < w * h; i++)
        px[i] = (unsigned char)(i * 13);
    hogfeat_image *img = NULL;
    hogfeat_hog_config *cfg = NULL;
    ROK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, w, h, 0, &img));
    if (!cfg_in)
        ROK(hogfeat_hog_config_create(&cfg));
    size_t len = 0;
    hogfeat_status st = hogfeat_hog_feature_length(cfg_in ? cfg_in : cfg, w, h, &len);
    if (st == HOGFEAT_OK) {
        float *out = malloc((len + 1) * sizeof *out);
        st = hogfeat_hog_compute(cfg_in ? cfg_in : cfg, null_img ? NULL : img, null_out ? NULL : out,
                                 len - cap_delta);
        free(out);
    }
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(img);
    free(px);
    return st;
}

static hogfeat_status c_hog_null_image(void) { return hog_u8(32, 32, NULL, 0, 1, 0); }
static hogfeat_status c_hog_null_output(void) { return hog_u8(32, 32, NULL, 0, 0, 1); }
static hogfeat_status c_hog_output_one_short(void) { return hog_u8(32, 32, NULL, 1, 0, 0); }

static hogfeat_status length_of(size_t w, size_t h)
{
    hogfeat_hog_config *cfg = NULL;
    ROK(hogfeat_hog_config_create(&cfg));
    size_t len = 0;
    hogfeat_status st = hogfeat_hog_feature_length(cfg, w, h, &len);
    hogfeat_hog_config_destroy(cfg);
    return st;
}
static hogfeat_status c_length_size_max(void) { return length_of(SIZE_MAX, 1); }
static hogfeat_status c_length_zero(void) { return length_of(0, 5); }

/* ---- HOG parameters ------------------------------------------------------------ */

static hogfeat_hog_config *cfg_new(void)
{
    hogfeat_hog_config *c = NULL;
    ROK(hogfeat_hog_config_create(&c));
    return c;
}

#define SETTER_CASE(fn_name, call)                                                                 \
    static hogfeat_status fn_name(void)                                                            \
    {                                                                                              \
        hogfeat_hog_config *cfg = cfg_new();                                                       \
        hogfeat_status st = call;                                                                  \
        hogfeat_hog_config_destroy(cfg);                                                           \
        return st;                                                                                 \
    }

SETTER_CASE(c_bins_zero, hogfeat_hog_config_set_orientations(cfg, 0))
SETTER_CASE(c_bins_361, hogfeat_hog_config_set_orientations(cfg, 361))
SETTER_CASE(c_bins_negative, hogfeat_hog_config_set_orientations(cfg, -9))
SETTER_CASE(c_cell_zero, hogfeat_hog_config_set_cell_size(cfg, 0, 8))
SETTER_CASE(c_cell_4097, hogfeat_hog_config_set_cell_size(cfg, 8, 4097))
SETTER_CASE(c_cell_int_max, hogfeat_hog_config_set_cell_size(cfg, INT32_MAX, INT32_MAX))
SETTER_CASE(c_block_zero, hogfeat_hog_config_set_block_size(cfg, 0, 0))
SETTER_CASE(c_block_65, hogfeat_hog_config_set_block_size(cfg, 65, 1))
SETTER_CASE(c_stride_zero, hogfeat_hog_config_set_block_stride(cfg, 1, 0))
SETTER_CASE(c_norm_zero, hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)0))
SETTER_CASE(c_norm_five, hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)5))
SETTER_CASE(c_sqrt_two, hogfeat_hog_config_set_transform_sqrt(cfg, 2))
SETTER_CASE(c_signed_minus_one, hogfeat_hog_config_set_signed_orientations(cfg, -1))
SETTER_CASE(c_setter_null_config, hogfeat_hog_config_set_orientations(NULL, 9))

static hogfeat_status c_cell_larger_than_image(void)
{
    hogfeat_hog_config *cfg = cfg_new();
    ROK(hogfeat_hog_config_set_cell_size(cfg, 4096, 4096));
    ROK(hogfeat_hog_config_set_block_size(cfg, 1, 1));
    hogfeat_status st = hog_u8(100, 100, cfg, 0, 0, 0);
    hogfeat_hog_config_destroy(cfg);
    return st;
}

/* The most extreme valid settings still compute: 1-px cells, 64x64 blocks, 360 bins. */
static hogfeat_status c_absurd_but_valid(void)
{
    hogfeat_hog_config *cfg = cfg_new();
    ROK(hogfeat_hog_config_set_cell_size(cfg, 1, 1));
    ROK(hogfeat_hog_config_set_block_size(cfg, 64, 64));
    ROK(hogfeat_hog_config_set_orientations(cfg, 360));
    ROK(hogfeat_hog_config_set_signed_orientations(cfg, 1));
    hogfeat_status st = hog_u8(65, 64, cfg, 0, 0, 0);
    hogfeat_hog_config_destroy(cfg);
    return st;
}

static hogfeat_status c_batch_257_threads(void)
{
    hogfeat_hog_config *cfg = cfg_new();
    float out[1];
    unsigned char px[64 * 64] = {0};
    hogfeat_status st =
        hogfeat_hog_compute_stack(cfg, px, HOGFEAT_FORMAT_U8_GRAY, 1, 64, 64, 0, 0, 257, out, 1, 1);
    hogfeat_hog_config_destroy(cfg);
    return st;
}

static hogfeat_status c_stack_overlapping_images(void)
{
    hogfeat_hog_config *cfg = cfg_new();
    static unsigned char px[3 * 32 * 32];
    float out[3 * 324];
    hogfeat_status st = hogfeat_hog_compute_stack(cfg, px, HOGFEAT_FORMAT_U8_GRAY, 3, 32, 32, 0, 32 * 31, 1, out,
                                                  324, 3 * 324);
    hogfeat_hog_config_destroy(cfg);
    return st;
}

static hogfeat_status batch_of(size_t w2, int null_second)
{
    hogfeat_hog_config *cfg = cfg_new();
    static unsigned char px[64 * 64];
    hogfeat_image *a = NULL, *b = NULL;
    ROK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, 32, 32, 0, &a));
    ROK(hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, w2, 32, 0, &b));
    const hogfeat_image *images[2] = {a, null_second ? NULL : b};
    float out[2 * 2000];
    hogfeat_status st = hogfeat_hog_compute_batch(cfg, images, 2, 2, out, 2000, 4000);
    hogfeat_image_destroy(a);
    hogfeat_image_destroy(b);
    hogfeat_hog_config_destroy(cfg);
    return st;
}
static hogfeat_status c_batch_mixed_sizes(void) { return batch_of(40, 0); }
static hogfeat_status c_batch_null_image(void) { return batch_of(32, 1); }

static hogfeat_status pipeline_call(int which)
{
    hogfeat_hog_config *cfg = cfg_new();
    hogfeat_pipeline *p = NULL;
    ROK(hogfeat_pipeline_create(cfg, &p));
    hogfeat_status st = which == 0   ? hogfeat_pipeline_set_blur(p, NAN)
                        : which == 1 ? hogfeat_pipeline_set_blur(p, 64.5)
                        : which == 2 ? hogfeat_pipeline_set_resize(p, 16384, 16385)
                        : which == 3 ? hogfeat_pipeline_set_resize(p, 5, 0)
                                     : hogfeat_pipeline_set_blur(p, -1.0);
    hogfeat_pipeline_destroy(p);
    hogfeat_hog_config_destroy(cfg);
    return st;
}
static hogfeat_status c_blur_nan(void) { return pipeline_call(0); }
static hogfeat_status c_blur_too_wide(void) { return pipeline_call(1); }
static hogfeat_status c_resize_over_max_pixels(void) { return pipeline_call(2); }
static hogfeat_status c_resize_one_zero_side(void) { return pipeline_call(3); }
static hogfeat_status c_blur_negative(void) { return pipeline_call(4); }

/* ---- training sets ----------------------------------------------------------------- */

static float train_x[64 * 8];
static int32_t train_y[64];

static void train_data(void)
{
    r_training_set(64, 8, 3, 7, train_x, train_y);
}

static hogfeat_status svm_train(size_t n, size_t d, size_t stride, const int32_t *y)
{
    train_data();
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat_linsvm_train(NULL, train_x, n, d, stride, y, &m);
    hogfeat_linsvm_destroy(m);
    return st;
}

static hogfeat_status c_svm_one_sample(void) { return svm_train(1, 8, 8, train_y); }
static hogfeat_status c_svm_one_class(void)
{
    int32_t same[64];
    for (int i = 0; i < 64; i++)
        same[i] = 4;
    return svm_train(64, 8, 8, same);
}
static hogfeat_status c_svm_zero_features(void) { return svm_train(8, 0, 8, train_y); }
static hogfeat_status c_svm_stride_short(void) { return svm_train(8, 8, 7, train_y); }
static hogfeat_status c_svm_extent_overflow(void) { return svm_train(SIZE_MAX / 2, 8, 8, train_y); }
static hogfeat_status c_svm_null_labels(void) { return svm_train(8, 8, 8, NULL); }
static hogfeat_status svm_train_poisoned(float v)
{
    train_data();
    train_x[5 * 8 + 3] = v;
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat_linsvm_train(NULL, train_x, 64, 8, 8, train_y, &m);
    hogfeat_linsvm_destroy(m);
    return st;
}
static hogfeat_status c_svm_nan(void) { return svm_train_poisoned(NAN); }
static hogfeat_status c_svm_inf(void) { return svm_train_poisoned(-INFINITY); }
static hogfeat_status svm_param(int which)
{
    hogfeat_linsvm_params *p = NULL;
    ROK(hogfeat_linsvm_params_create(&p));
    hogfeat_status st = which == 0   ? hogfeat_linsvm_params_set_c(p, 0.0)
                        : which == 1 ? hogfeat_linsvm_params_set_c(p, NAN)
                        : which == 2 ? hogfeat_linsvm_params_set_tolerance(p, -1.0)
                                     : hogfeat_linsvm_params_set_max_iterations(p, 0);
    hogfeat_linsvm_params_destroy(p);
    return st;
}
static hogfeat_status c_svm_c_zero(void) { return svm_param(0); }
static hogfeat_status c_svm_c_nan(void) { return svm_param(1); }
static hogfeat_status c_svm_tolerance_negative(void) { return svm_param(2); }
static hogfeat_status c_svm_zero_iterations(void) { return svm_param(3); }

static hogfeat_status knn_fit(size_t n, int32_t k, float poison, const int32_t *y)
{
    train_data();
    if (poison != 0.0f)
        train_x[2 * 8 + 1] = poison;
    hogfeat_knn_params *p = NULL;
    hogfeat_knn *m = NULL;
    ROK(hogfeat_knn_params_create(&p));
    ROK(hogfeat_knn_params_set_k(p, k));
    hogfeat_status st = hogfeat_knn_fit(p, train_x, n, 8, 8, y, &m);
    hogfeat_knn_destroy(m);
    hogfeat_knn_params_destroy(p);
    return st;
}
static hogfeat_status c_knn_k_above_n(void) { return knn_fit(4, 5, 0.0f, train_y); }
static hogfeat_status c_knn_empty(void) { return knn_fit(0, 1, 0.0f, train_y); }
static hogfeat_status c_knn_nan(void) { return knn_fit(64, 3, NAN, train_y); }
static hogfeat_status c_knn_one_class_ok(void)
{
    int32_t same[64];
    for (int i = 0; i < 64; i++)
        same[i] = -3;
    return knn_fit(10, 3, 0.0f, same);
}
static hogfeat_status knn_k(int32_t k)
{
    hogfeat_knn_params *p = NULL;
    ROK(hogfeat_knn_params_create(&p));
    hogfeat_status st = hogfeat_knn_params_set_k(p, k);
    hogfeat_knn_params_destroy(p);
    return st;
}
static hogfeat_status c_knn_k_zero(void) { return knn_k(0); }
static hogfeat_status c_knn_k_1025(void) { return knn_k(1025); }

static hogfeat_status predict_case(int which)
{
    hogfeat_linsvm *s = r_make_svm(2, 8, 3, 1);
    hogfeat_knn *k = r_make_knn(2, 6, 3, 3, 1);
    float q[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
    int32_t label;
    size_t idx[8];
    hogfeat_status st;
    switch (which) {
    case 0: st = hogfeat_linsvm_predict(s, q, 1, 4, 4, &label); break;
    case 1: st = hogfeat_knn_predict(k, q, 1, 2, 2, &label); break;
    case 2:
        q[1] = NAN;
        st = hogfeat_knn_predict(k, q, 1, 3, 3, &label);
        break;
    case 3: st = hogfeat_knn_kneighbors(k, q, 1, 3, 3, 7, idx, NULL, 8); break;
    default: {
        float scores[2];
        q[0] = NAN;
        st = hogfeat_linsvm_decision_function(s, q, 1, 3, 3, scores, 2);
        if (st == HOGFEAT_OK && !(scores[0] != scores[0]))
            st = HOGFEAT_ERR_INVALID_ARGUMENT; /* documented: a NaN row gives NaN scores */
        break;
    }
    }
    hogfeat_linsvm_destroy(s);
    hogfeat_knn_destroy(k);
    return st;
}
static hogfeat_status c_svm_predict_wrong_dim(void) { return predict_case(0); }
static hogfeat_status c_knn_predict_wrong_dim(void) { return predict_case(1); }
static hogfeat_status c_knn_predict_nan_query(void) { return predict_case(2); }
static hogfeat_status c_knn_kneighbors_k_above_n(void) { return predict_case(3); }
static hogfeat_status c_svm_decision_nan_row(void) { return predict_case(4); }

/* ---- model files --------------------------------------------------------------------- */

static hogfeat_status c_model_zero_length(void)
{
    rbuf b = rb_copy(svm_file.p, 0);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}

/* Every proper prefix of a file gives `expected` from its loader. */
static hogfeat_status every_prefix(const rbuf *file, hogfeat_status (*load)(const rbuf *), hogfeat_status expected)
{
    for (size_t n = 0; n < file->n; n++) {
        rbuf b = rb_copy(file->p, n); /* exact size: ASan sees any read past the end */
        hogfeat_status st = load(&b);
        rb_free(&b);
        if (st != expected) {
            printf("    prefix of %zu bytes: %s\n", n, hogfeat_status_name(st));
            return st;
        }
    }
    return expected;
}
static hogfeat_status c_every_prefix_svm(void) { return every_prefix(&svm_file, load_svm_bytes, HOGFEAT_ERR_CORRUPT_DATA); }
static hogfeat_status c_every_prefix_knn(void) { return every_prefix(&knn_file, load_knn_bytes, HOGFEAT_ERR_CORRUPT_DATA); }
static hogfeat_status c_every_prefix_pipeline(void)
{
    return every_prefix(&pipe_file, load_pipe_bytes, HOGFEAT_ERR_CORRUPT_DATA);
}

/* Every single-bit flip in bytes [lo, hi) of the SVM file gives `expected`. */
static hogfeat_status flips(size_t lo, size_t hi, hogfeat_status expected)
{
    if (hi > svm_file.n)
        hi = svm_file.n;
    for (size_t i = lo; i < hi; i++) {
        for (int bit = 0; bit < 8; bit++) {
            rbuf b = rb_copy(svm_file.p, svm_file.n);
            b.p[i] ^= (unsigned char)(1u << bit);
            hogfeat_status st = load_svm_bytes(&b);
            rb_free(&b);
            if (st != expected) {
                printf("    flip of byte %zu bit %d: %s (%s)\n", i, bit, hogfeat_status_name(st),
                       hogfeat_last_error_message());
                return st;
            }
        }
    }
    return expected;
}
static hogfeat_status c_flip_signature(void) { return flips(0, 8, HOGFEAT_ERR_CORRUPT_DATA); }
static hogfeat_status c_flip_major(void) { return flips(8, 10, HOGFEAT_ERR_VERSION_MISMATCH); }
static hogfeat_status c_flip_minor_flags(void) { return flips(10, 16, HOGFEAT_ERR_CHECKSUM); }
static hogfeat_status c_flip_length(void) { return flips(16, 24, HOGFEAT_ERR_CORRUPT_DATA); }
static hogfeat_status c_flip_body_and_crc(void) { return flips(24, SIZE_MAX, HOGFEAT_ERR_CHECKSUM); }

static hogfeat_status c_wrong_magic(void)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    memcpy(b.p, "GIF89a\0\0", 8);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status header_u16(size_t at, unsigned v, int fix)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    b.p[at] = (unsigned char)v;
    b.p[at + 1] = (unsigned char)(v >> 8);
    if (fix)
        r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_major_2(void) { return header_u16(8, 2, 1); }
static hogfeat_status c_major_0(void) { return header_u16(8, 0, 1); }
static hogfeat_status c_minor_7_accepted(void) { return header_u16(10, 7, 1); }
static hogfeat_status c_huge_classes(void) { return svm_with_u64(SVM_K_AT, (uint64_t)1 << 40); }
static hogfeat_status c_huge_features(void) { return svm_with_u64(SVM_D_AT, (uint64_t)1 << 63); }
static hogfeat_status c_class_count_lies(void) { return svm_with_u64(SVM_K_AT, 3); }
static hogfeat_status c_nan_weight(void) { return svm_with_f32(SVM_W0_AT, NAN); }
static hogfeat_status c_inf_weight(void) { return svm_with_f32(SVM_W0_AT + 4, -INFINITY); }
static hogfeat_status c_labels_not_ascending(void)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    r_put_le32(b.p + SVM_LABELS_AT + 4, 10); /* labels 10, 10 */
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_knn_huge_samples(void)
{
    rbuf b = rb_copy(knn_file.p, knn_file.n);
    r_put_le64(b.p + 24 + 16 + 16, (uint64_t)1 << 40);
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_knn_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_knn_nan_feature(void)
{
    rbuf b = rb_copy(knn_file.p, knn_file.n);
    r_put_le32(b.p + b.n - 8, 0x7fc00001u); /* the last feature */
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_knn_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_trailing_garbage(void)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n);
    rb_u8(&b, 0);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
/* Garbage between the last section and the CRC, with length and CRC made right. */
static hogfeat_status c_garbage_before_crc(void)
{
    rbuf b = rb_copy(svm_file.p, svm_file.n - 4);
    rb_add(&b, "junk!", 5);
    rb_add(&b, "\0\0\0\0", 4);
    r_put_le64(b.p + 16, b.n);
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status with_extra_section(const char *tag, uint32_t flags, int dup)
{
    rbuf b = rb_copy(svm_file.p, 24);
    if (dup) {
        rb_add(&b, svm_file.p + 24, svm_file.n - 28);
    } else {
        unsigned char hdr[16];
        memcpy(hdr, tag, 4);
        r_put_le32(hdr + 4, flags);
        r_put_le64(hdr + 8, 6);
        rb_add(&b, hdr, 16);
        rb_add(&b, "abcdef", 6);
    }
    rb_add(&b, svm_file.p + 24, svm_file.n - 24);
    r_put_le64(b.p + 16, b.n);
    r_fix_crc(b.p, b.n);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_unknown_critical_section(void) { return with_extra_section("ZZZZ", 1, 0); }
static hogfeat_status c_unknown_optional_section(void) { return with_extra_section("zzzz", 2, 0); }
static hogfeat_status c_duplicate_section(void) { return with_extra_section(NULL, 0, 1); }
static hogfeat_status c_svm_file_as_knn(void) { return load_knn_bytes(&svm_file); }
static hogfeat_status c_svm_file_as_pipeline(void) { return load_pipe_bytes(&svm_file); }
static hogfeat_status c_pipeline_file_as_knn_ok(void) { return load_knn_bytes(&pipe_file); }
static hogfeat_status c_text_mode_transfer(void)
{
    rbuf b = {NULL, 0};
    for (size_t i = 0; i < svm_file.n; i++)
        if (!(svm_file.p[i] == '\r' && i + 1 < svm_file.n && svm_file.p[i + 1] == '\n'))
            rb_u8(&b, svm_file.p[i]);
    hogfeat_status st = load_svm_bytes(&b);
    rb_free(&b);
    return st;
}
static hogfeat_status c_load_null_data(void)
{
    hogfeat_linsvm *m = NULL;
    return hogfeat_linsvm_load(NULL, 100, NULL, &m);
}
static hogfeat_status c_load_features_over_limit(void)
{
    hogfeat_limits *l = NULL;
    hogfeat_linsvm *m = NULL;
    ROK(hogfeat_limits_create(&l));
    ROK(hogfeat_limits_set(l, HOGFEAT_LIMIT_MAX_FEATURES, 2));
    hogfeat_status st = hogfeat_linsvm_load(svm_file.p, svm_file.n, l, &m);
    hogfeat_limits_destroy(l);
    hogfeat_linsvm_destroy(m);
    return st;
}

/* ---- IDX datasets ---------------------------------------------------------------------- */

static hogfeat_status read_idx(const rbuf *img, const rbuf *lab)
{
    hogfeat_dataset *ds = NULL;
    hogfeat_status st = hogfeat_dataset_read_idx(img->p, img->n, lab ? lab->p : NULL, lab ? lab->n : 0, NULL, &ds);
    hogfeat_dataset_destroy(ds);
    return st;
}
static hogfeat_status idx_case(uint32_t count, uint32_t rows, uint32_t cols, size_t payload)
{
    rbuf b = r_idx_images(count, rows, cols, payload);
    hogfeat_status st = read_idx(&b, NULL);
    rb_free(&b);
    return st;
}
static hogfeat_status c_idx_count_lies_high(void) { return idx_case(4, 4, 5, 60); }
static hogfeat_status c_idx_count_lies_low(void) { return idx_case(2, 4, 5, 60); }
static hogfeat_status c_idx_zero_rows(void) { return idx_case(1, 0, 5, 0); }
static hogfeat_status c_idx_huge_dims(void) { return idx_case(0xffffffffu, 0xffffffffu, 0xffffffffu, 16); }
static hogfeat_status c_idx_items_over_limit(void) { return idx_case((1u << 24) + 1, 1, 1, 0); }
static hogfeat_status c_idx_zero_images_ok(void) { return idx_case(0, 28, 28, 0); }
static hogfeat_status idx_byte(size_t at, unsigned v)
{
    rbuf b = rb_copy(idx_img.p, idx_img.n);
    b.p[at] = (unsigned char)v;
    hogfeat_status st = read_idx(&b, NULL);
    rb_free(&b);
    return st;
}
static hogfeat_status c_idx_float_type(void) { return idx_byte(2, 0x0d); }
static hogfeat_status c_idx_bogus_type(void) { return idx_byte(2, 0x42); }
static hogfeat_status c_idx_two_dims(void) { return idx_byte(3, 2); }
static hogfeat_status c_idx_label_count_mismatch(void)
{
    rbuf lab = r_idx_labels(4, 4);
    hogfeat_status st = read_idx(&idx_img, &lab);
    rb_free(&lab);
    return st;
}
static hogfeat_status c_idx_empty_input(void)
{
    rbuf b = rb_copy("", 0);
    hogfeat_status st = read_idx(&b, NULL);
    rb_free(&b);
    return st;
}
/* Header: 1 image of 28x28; the gzip data holds 64 MiB of zeros behind it. */
static hogfeat_status c_gzip_bomb_past_header(void)
{
    size_t n = 16 + ((size_t)64 << 20);
    unsigned char *plain = calloc(1, n);
    rbuf hdr = r_idx_images(1, 28, 28, 0);
    memcpy(plain, hdr.p, 16);
    rb_free(&hdr);
    rbuf gz = r_gzip(plain, n);
    free(plain);
    hogfeat_status st = read_idx(&gz, NULL);
    rb_free(&gz);
    return st;
}
/* 2^24 images of 28x28 declared: 13 GB, beyond the 8 GiB default byte limit. */
static hogfeat_status c_gzip_bomb_beyond_limit(void)
{
    rbuf hdr = r_idx_images(1u << 24, 28, 28, 4096);
    rbuf gz = r_gzip(hdr.p, hdr.n);
    hogfeat_status st = read_idx(&gz, NULL);
    rb_free(&hdr);
    rb_free(&gz);
    return st;
}
/* 60000 x 28 x 28 declared in a gzip file far too small to inflate to it. */
static hogfeat_status c_gzip_lying_header(void)
{
    rbuf plain = r_idx_images(60000, 28, 28, 1000);
    rbuf gz = r_gzip(plain.p, plain.n);
    hogfeat_status st = read_idx(&gz, NULL);
    rb_free(&plain);
    rb_free(&gz);
    return st;
}
static hogfeat_status gz_edit(int mode)
{
    rbuf gz = r_gzip(idx_img.p, idx_img.n);
    if (mode == 0)
        gz.n -= 10;                   /* truncated */
    else if (mode == 1)
        gz.p[gz.n - 6] ^= 0x40;       /* CRC-32 of the member */
    else if (mode == 2)
        rb_u8(&gz, 0x42);             /* garbage after the member */
    else if (mode == 3)
        memset(gz.p + 10, 0xA5, 8);   /* deflate data trashed */
    hogfeat_status st = read_idx(&gz, NULL);
    rb_free(&gz);
    return st;
}
static hogfeat_status c_gzip_truncated(void) { return gz_edit(0); }
static hogfeat_status c_gzip_bad_crc(void) { return gz_edit(1); }
static hogfeat_status c_gzip_trailing_garbage(void) { return gz_edit(2); }
static hogfeat_status c_gzip_trashed_deflate(void) { return gz_edit(3); }
static hogfeat_status c_gzip_two_members_ok(void)
{
    rbuf a = r_gzip(idx_img.p, 20), b = r_gzip(idx_img.p + 20, idx_img.n - 20);
    rb_add(&a, b.p, b.n);
    hogfeat_status st = read_idx(&a, &idx_lab);
    rb_free(&a);
    rb_free(&b);
    return st;
}
static hogfeat_status c_idx_missing_file(void)
{
    hogfeat_dataset *ds = NULL;
    return hogfeat_dataset_load_idx("/nonexistent/hogfeat/images", NULL, NULL, &ds);
}
static hogfeat_status c_idx_directory(void)
{
    hogfeat_dataset *ds = NULL;
    return hogfeat_dataset_load_idx("/", NULL, NULL, &ds);
}

/* ---- PGM ---------------------------------------------------------------------------------- */

static hogfeat_status pgm(const char *text, size_t n)
{
    hogfeat_image *img = NULL;
    hogfeat_status st = hogfeat_pgm_read(text, n, NULL, &img);
    hogfeat_image_destroy(img);
    return st;
}
#define PGM_CASE(fn_name, literal)                                                                 \
    static hogfeat_status fn_name(void)                                                            \
    {                                                                                              \
        return pgm(literal, sizeof literal - 1);                                                   \
    }
PGM_CASE(c_pgm_maxval_zero, "P2\n1 1\n0\n0\n")
PGM_CASE(c_pgm_maxval_65536, "P5\n1 1\n65536\n\0\0")
PGM_CASE(c_pgm_sample_above_maxval, "P2\n2 1\n100\n50 101\n")
PGM_CASE(c_pgm_16bit_sample_above, "P5\n1 1\n1000\n\x03\xe9")
PGM_CASE(c_pgm_truncated_raster, "P5\n4 4\n255\n0123456789")
PGM_CASE(c_pgm_ppm, "P6\n1 1\n255\nabc")
PGM_CASE(c_pgm_zero_width, "P5\n0 4\n255\n")
PGM_CASE(c_pgm_width_over_2_31, "P5\n2147483649 1\n255\nx")
PGM_CASE(c_pgm_over_max_pixels, "P5\n20000 20000\n255\nx")
PGM_CASE(c_pgm_16bit_ok, "P5\n1 1\n65535\n\xff\xff")
PGM_CASE(c_pgm_comments_ok, "P2 # c\n# c\n2 # w\n1\n# m\n255 # v\n0 255")
PGM_CASE(c_pgm_empty, "")
PGM_CASE(c_pgm_negative_sample, "P2\n1 1\n255\n-1\n")
static hogfeat_status c_pgm_write_rgb(void)
{
    hogfeat_image *img = NULL;
    ROK(hogfeat_image_create(HOGFEAT_FORMAT_U8_RGB, 2, 2, &img));
    size_t n = 0;
    unsigned char buf[64];
    hogfeat_status st = hogfeat_pgm_write(img, buf, sizeof buf, &n);
    hogfeat_image_destroy(img);
    return st;
}

/* ---- the table ---------------------------------------------------------------------------- */

typedef struct hostile_case {
    const char *name;
    hogfeat_status expected;
    hogfeat_status (*run)(void);
} hostile_case;

#define C(fn, st) {#fn + 2, HOGFEAT_##st, fn}
static const hostile_case catalogue[] = {
    /* image buffers */
    C(c_create_zero_width, ERR_BAD_GEOMETRY),
    C(c_create_zero_height, ERR_BAD_GEOMETRY),
    C(c_create_size_max, ERR_LIMIT_EXCEEDED),
    C(c_create_overflow, ERR_LIMIT_EXCEEDED),
    C(c_create_one_over_max, ERR_LIMIT_EXCEEDED),
    C(c_create_format0, ERR_UNSUPPORTED_FORMAT),
    C(c_create_format5, ERR_UNSUPPORTED_FORMAT),
    C(c_create_null_out, ERR_NULL_POINTER),
    C(c_wrap_null, ERR_NULL_POINTER),
    C(c_wrap_stride_short, ERR_BAD_STRIDE),
    C(c_wrap_f32_stride_odd, ERR_BAD_STRIDE),
    C(c_wrap_f32_misaligned, ERR_BAD_STRIDE),
    C(c_wrap_stride_overflow, ERR_LIMIT_EXCEEDED),
    C(c_hog_nan_pixel, ERR_NONFINITE),
    C(c_hog_inf_pixel, ERR_NONFINITE),
    C(c_hog_overflowing_difference, ERR_NONFINITE),
    C(c_hog_sqrt_negative, ERR_NONFINITE),
    C(c_hog_nan_outside_cells, OK),
    C(c_hog_smaller_than_cell, ERR_IMAGE_TOO_SMALL),
    C(c_hog_smaller_than_block, ERR_IMAGE_TOO_SMALL),
    C(c_hog_null_image, ERR_NULL_POINTER),
    C(c_hog_null_output, ERR_NULL_POINTER),
    C(c_hog_output_one_short, ERR_BUFFER_TOO_SMALL),
    C(c_length_size_max, ERR_LIMIT_EXCEEDED),
    C(c_length_zero, ERR_BAD_GEOMETRY),
    /* HOG parameters */
    C(c_bins_zero, ERR_INVALID_ARGUMENT),
    C(c_bins_361, ERR_INVALID_ARGUMENT),
    C(c_bins_negative, ERR_INVALID_ARGUMENT),
    C(c_cell_zero, ERR_INVALID_ARGUMENT),
    C(c_cell_4097, ERR_INVALID_ARGUMENT),
    C(c_cell_int_max, ERR_INVALID_ARGUMENT),
    C(c_block_zero, ERR_INVALID_ARGUMENT),
    C(c_block_65, ERR_INVALID_ARGUMENT),
    C(c_stride_zero, ERR_INVALID_ARGUMENT),
    C(c_norm_zero, ERR_INVALID_ARGUMENT),
    C(c_norm_five, ERR_INVALID_ARGUMENT),
    C(c_sqrt_two, ERR_INVALID_ARGUMENT),
    C(c_signed_minus_one, ERR_INVALID_ARGUMENT),
    C(c_setter_null_config, ERR_NULL_POINTER),
    C(c_cell_larger_than_image, ERR_IMAGE_TOO_SMALL),
    C(c_absurd_but_valid, OK),
    C(c_batch_257_threads, ERR_INVALID_ARGUMENT),
    C(c_stack_overlapping_images, ERR_BAD_STRIDE),
    C(c_batch_mixed_sizes, ERR_DIMENSION_MISMATCH),
    C(c_batch_null_image, ERR_NULL_POINTER),
    C(c_blur_nan, ERR_INVALID_ARGUMENT),
    C(c_blur_too_wide, ERR_INVALID_ARGUMENT),
    C(c_blur_negative, ERR_INVALID_ARGUMENT),
    C(c_resize_over_max_pixels, ERR_LIMIT_EXCEEDED),
    C(c_resize_one_zero_side, ERR_BAD_GEOMETRY),
    /* training sets */
    C(c_svm_one_sample, ERR_BAD_TRAINING_SET),
    C(c_svm_one_class, ERR_BAD_TRAINING_SET),
    C(c_svm_zero_features, ERR_INVALID_ARGUMENT),
    C(c_svm_stride_short, ERR_BAD_STRIDE),
    C(c_svm_extent_overflow, ERR_LIMIT_EXCEEDED),
    C(c_svm_null_labels, ERR_NULL_POINTER),
    C(c_svm_nan, ERR_NONFINITE),
    C(c_svm_inf, ERR_NONFINITE),
    C(c_svm_c_zero, ERR_INVALID_ARGUMENT),
    C(c_svm_c_nan, ERR_INVALID_ARGUMENT),
    C(c_svm_tolerance_negative, ERR_INVALID_ARGUMENT),
    C(c_svm_zero_iterations, ERR_INVALID_ARGUMENT),
    C(c_knn_k_above_n, ERR_BAD_TRAINING_SET),
    C(c_knn_empty, ERR_BAD_TRAINING_SET),
    C(c_knn_nan, ERR_NONFINITE),
    C(c_knn_one_class_ok, OK),
    C(c_knn_k_zero, ERR_INVALID_ARGUMENT),
    C(c_knn_k_1025, ERR_INVALID_ARGUMENT),
    C(c_svm_predict_wrong_dim, ERR_DIMENSION_MISMATCH),
    C(c_knn_predict_wrong_dim, ERR_DIMENSION_MISMATCH),
    C(c_knn_predict_nan_query, ERR_NONFINITE),
    C(c_knn_kneighbors_k_above_n, ERR_INVALID_ARGUMENT),
    C(c_svm_decision_nan_row, OK),
    /* model files */
    C(c_model_zero_length, ERR_CORRUPT_DATA),
    C(c_every_prefix_svm, ERR_CORRUPT_DATA),
    C(c_every_prefix_knn, ERR_CORRUPT_DATA),
    C(c_every_prefix_pipeline, ERR_CORRUPT_DATA),
    C(c_flip_signature, ERR_CORRUPT_DATA),
    C(c_flip_major, ERR_VERSION_MISMATCH),
    C(c_flip_minor_flags, ERR_CHECKSUM),
    C(c_flip_length, ERR_CORRUPT_DATA),
    C(c_flip_body_and_crc, ERR_CHECKSUM),
    C(c_wrong_magic, ERR_CORRUPT_DATA),
    C(c_major_2, ERR_VERSION_MISMATCH),
    C(c_major_0, ERR_VERSION_MISMATCH),
    C(c_minor_7_accepted, OK),
    C(c_huge_classes, ERR_LIMIT_EXCEEDED),
    C(c_huge_features, ERR_LIMIT_EXCEEDED),
    C(c_class_count_lies, ERR_CORRUPT_DATA),
    C(c_nan_weight, ERR_NONFINITE),
    C(c_inf_weight, ERR_NONFINITE),
    C(c_labels_not_ascending, ERR_CORRUPT_DATA),
    C(c_knn_huge_samples, ERR_LIMIT_EXCEEDED),
    C(c_knn_nan_feature, ERR_NONFINITE),
    C(c_trailing_garbage, ERR_CORRUPT_DATA),
    C(c_garbage_before_crc, ERR_CORRUPT_DATA),
    C(c_unknown_critical_section, ERR_VERSION_MISMATCH),
    C(c_unknown_optional_section, OK),
    C(c_duplicate_section, ERR_CORRUPT_DATA),
    C(c_svm_file_as_knn, ERR_MODEL_KIND),
    C(c_svm_file_as_pipeline, ERR_MODEL_KIND),
    C(c_pipeline_file_as_knn_ok, OK),
    C(c_text_mode_transfer, ERR_CORRUPT_DATA),
    C(c_load_null_data, ERR_NULL_POINTER),
    C(c_load_features_over_limit, ERR_LIMIT_EXCEEDED),
    /* IDX datasets */
    C(c_idx_count_lies_high, ERR_CORRUPT_DATA),
    C(c_idx_count_lies_low, ERR_CORRUPT_DATA),
    C(c_idx_zero_rows, ERR_BAD_GEOMETRY),
    C(c_idx_huge_dims, ERR_LIMIT_EXCEEDED),
    C(c_idx_items_over_limit, ERR_LIMIT_EXCEEDED),
    C(c_idx_zero_images_ok, OK),
    C(c_idx_float_type, ERR_UNSUPPORTED_FORMAT),
    C(c_idx_bogus_type, ERR_CORRUPT_DATA),
    C(c_idx_two_dims, ERR_CORRUPT_DATA),
    C(c_idx_label_count_mismatch, ERR_CORRUPT_DATA),
    C(c_idx_empty_input, ERR_CORRUPT_DATA),
    C(c_gzip_bomb_past_header, ERR_CORRUPT_DATA),
    C(c_gzip_bomb_beyond_limit, ERR_LIMIT_EXCEEDED),
    C(c_gzip_lying_header, ERR_CORRUPT_DATA),
    C(c_gzip_truncated, ERR_CORRUPT_DATA),
    C(c_gzip_bad_crc, ERR_CORRUPT_DATA),
    C(c_gzip_trailing_garbage, ERR_CORRUPT_DATA),
    C(c_gzip_trashed_deflate, ERR_CORRUPT_DATA),
    C(c_gzip_two_members_ok, OK),
    C(c_idx_missing_file, ERR_IO),
    C(c_idx_directory, ERR_IO),
    /* PGM */
    C(c_pgm_maxval_zero, ERR_CORRUPT_DATA),
    C(c_pgm_maxval_65536, ERR_CORRUPT_DATA),
    C(c_pgm_sample_above_maxval, ERR_CORRUPT_DATA),
    C(c_pgm_16bit_sample_above, ERR_CORRUPT_DATA),
    C(c_pgm_truncated_raster, ERR_CORRUPT_DATA),
    C(c_pgm_ppm, ERR_UNSUPPORTED_FORMAT),
    C(c_pgm_zero_width, ERR_BAD_GEOMETRY),
    C(c_pgm_width_over_2_31, ERR_LIMIT_EXCEEDED),
    C(c_pgm_over_max_pixels, ERR_LIMIT_EXCEEDED),
    C(c_pgm_16bit_ok, OK),
    C(c_pgm_comments_ok, OK),
    C(c_pgm_empty, ERR_CORRUPT_DATA),
    C(c_pgm_negative_sample, ERR_CORRUPT_DATA),
    C(c_pgm_write_rgb, ERR_UNSUPPORTED_FORMAT),
};

START_TEST(test_catalogue)
{
    fixtures();
    size_t total = sizeof catalogue / sizeof catalogue[0], passed = 0;
    for (size_t i = 0; i < total; i++) {
        const hostile_case *c = &catalogue[i];
        hogfeat_status got = c->run();
        if (got == c->expected) {
            passed++;
            printf("ok   %-28s %s\n", c->name, hogfeat_status_name(got));
        } else {
            printf("FAIL %-28s expected %s, got %s (%s)\n", c->name, hogfeat_status_name(c->expected),
                   hogfeat_status_name(got), hogfeat_last_error_message());
        }
    }
    printf("catalogue: %zu cases, %zu passed\n", total, passed);
    fflush(stdout);
    rb_free(&svm_file);
    rb_free(&knn_file);
    rb_free(&pipe_file);
    rb_free(&idx_img);
    rb_free(&idx_lab);
    ck_assert_uint_ge(total, 60);
    ck_assert_uint_eq(passed, total);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("catalogue");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_catalogue);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
