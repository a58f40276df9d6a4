/* The whole job through the C API on a real MNIST-format dataset (directory
 * in argv[1]): pipeline (blur, HOG), train a linear SVM and a KNN on part of
 * the training split, save, load, save again -> identical bytes, and the
 * loaded pipelines predict raw test images exactly as the originals do.
 * Exits 77 (skipped) with a message when the directory lacks the data. */
#include <unistd.h>

#include "common.h"

#define N_TRAIN 2000
#define N_TEST 300

static const char *data_dir;

static hogfeat_dataset *load(hogfeat_split split)
{
    hogfeat_dataset *ds = NULL;
    hogfeat_status st = hogfeat_dataset_load_mnist(data_dir, split, NULL, &ds);
    ck_assert_msg(st == HOGFEAT_OK, "load %s: %s", data_dir, hogfeat_last_error_message());
    return ds;
}

static hogfeat_pipeline *make_pipeline(void)
{
    hogfeat_hog_config *hog = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&hog), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(hog, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(hog, 2, 2), HOGFEAT_OK);
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(hog, &p), HOGFEAT_OK);
    hogfeat_hog_config_destroy(hog);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 1.2), HOGFEAT_OK);
    return p;
}

/* Features of the first n images, row-major. */
static float *extract(const hogfeat_pipeline *p, const hogfeat_dataset *ds, size_t n, size_t *out_dim)
{
    size_t dim = 0;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, hogfeat_dataset_width(ds), hogfeat_dataset_height(ds), &dim),
                     HOGFEAT_OK);
    float *x = malloc(n * dim * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++) {
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_dataset_image(ds, i, &img), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_extract(p, img, x + i * dim, dim), HOGFEAT_OK);
        hogfeat_image_destroy(img);
    }
    *out_dim = dim;
    return x;
}

static unsigned char *save(const hogfeat_pipeline *p, size_t *out_size)
{
    size_t size = 0;
    ck_assert_int_eq(hogfeat_pipeline_save(p, NULL, 0, &size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *buf = malloc(size);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(hogfeat_pipeline_save(p, buf, size, out_size), HOGFEAT_OK);
    ck_assert_uint_eq(*out_size, size);
    return buf;
}

/* save -> load -> save is byte-identical, and the loaded pipeline predicts
 * every raw test image as the original does; returns the accuracy. */
static double check_roundtrip(const hogfeat_pipeline *p, const hogfeat_dataset *test, const char *what)
{
    size_t n1, n2;
    unsigned char *b1 = save(p, &n1);
    hogfeat_pipeline *loaded = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load(b1, n1, NULL, &loaded), HOGFEAT_OK);
    unsigned char *b2 = save(loaded, &n2);
    ck_assert_msg(n1 == n2 && memcmp(b1, b2, n1) == 0, "%s: save -> load -> save changed the bytes", what);

    char path[] = "/tmp/hogfeat-roundtrip-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(hogfeat_pipeline_save_file(loaded, path), HOGFEAT_OK);
    hogfeat_pipeline *from_file = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load_file(path, NULL, &from_file), HOGFEAT_OK);
    unlink(path);

    const int32_t *labels = hogfeat_dataset_labels(test);
    size_t correct = 0;
    for (size_t i = 0; i < N_TEST; i++) {
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_dataset_image(test, i, &img), HOGFEAT_OK);
        int32_t a = -1, b = -2, c = -3;
        ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &a), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_predict(loaded, img, &b), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_predict(from_file, img, &c), HOGFEAT_OK);
        ck_assert_msg(a == b && b == c, "%s: image %zu predicted %d, after load %d, from file %d", what, i, a, b, c);
        correct += a == labels[i];
        hogfeat_image_destroy(img);
    }
    free(b1);
    free(b2);
    hogfeat_pipeline_destroy(loaded);
    hogfeat_pipeline_destroy(from_file);
    return 100.0 * (double)correct / N_TEST;
}

START_TEST(test_svm_roundtrip)
{
    hogfeat_dataset *train = load(HOGFEAT_SPLIT_TRAIN), *test = load(HOGFEAT_SPLIT_TEST);
    ck_assert_uint_ge(hogfeat_dataset_count(train), N_TRAIN);
    ck_assert_uint_ge(hogfeat_dataset_count(test), N_TEST);
    hogfeat_pipeline *p = make_pipeline();
    size_t dim;
    float *x = extract(p, train, N_TRAIN, &dim);
    hogfeat_linsvm_params *params = NULL;
    ck_assert_int_eq(hogfeat_linsvm_params_create(&params), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_params_set_c(params, 0.1), HOGFEAT_OK);
    hogfeat_linsvm *svm = NULL;
    ck_assert_int_eq(hogfeat_linsvm_train(params, x, N_TRAIN, dim, dim, hogfeat_dataset_labels(train), &svm),
                     HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm); /* the pipeline keeps its reference */
    double acc = check_roundtrip(p, test, "linear SVM");
    printf("%s: linear SVM trained on %d images: %.2f %% of %d test images\n", data_dir, N_TRAIN, acc, N_TEST);
    /* Far above chance (10 %) on either dataset with 2000 training images. */
    ck_assert_msg(acc >= 70.0, "accuracy %.2f %%", acc);
    hogfeat_linsvm_params_destroy(params);
    hogfeat_pipeline_destroy(p);
    free(x);
    hogfeat_dataset_destroy(train);
    hogfeat_dataset_destroy(test);
}
END_TEST

START_TEST(test_knn_roundtrip)
{
    hogfeat_dataset *train = load(HOGFEAT_SPLIT_TRAIN), *test = load(HOGFEAT_SPLIT_TEST);
    hogfeat_pipeline *p = make_pipeline();
    size_t dim;
    float *x = extract(p, train, N_TRAIN, &dim);
    hogfeat_knn *knn = NULL;
    ck_assert_int_eq(hogfeat_knn_fit(NULL, x, N_TRAIN, dim, dim, hogfeat_dataset_labels(train), &knn), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_knn(p, knn), HOGFEAT_OK);
    hogfeat_knn_destroy(knn);
    double acc = check_roundtrip(p, test, "KNN");
    printf("%s: KNN k=3 on %d images: %.2f %% of %d test images\n", data_dir, N_TRAIN, acc, N_TEST);
    ck_assert_msg(acc >= 70.0, "accuracy %.2f %%", acc);
    hogfeat_pipeline_destroy(p);
    free(x);
    hogfeat_dataset_destroy(train);
    hogfeat_dataset_destroy(test);
}
END_TEST

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : NULL;
    hogfeat_dataset *probe = NULL;
    if (!data_dir || hogfeat_dataset_load_mnist(data_dir, HOGFEAT_SPLIT_TEST, NULL, &probe) != HOGFEAT_OK) {
        printf("SKIP: no MNIST-format dataset in '%s': %s\n", data_dir ? data_dir : "(none given)",
               hogfeat_last_error_message());
        return TEST_SKIP_EXIT;
    }
    hogfeat_dataset_destroy(probe);
    Suite *s = suite_create("data-roundtrip");
    TCase *tc = tcase_create("svm");
    tcase_add_test(tc, test_svm_roundtrip);
    suite_add_tcase(s, tc);
    tc = tcase_create("knn");
    tcase_add_test(tc, test_knn_roundtrip);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
