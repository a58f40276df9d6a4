/* The real CMATERdb 3.1.1 IDX files (Bangla digits) from $HOGFEAT_TEST_DATA:
 * train 5000 images of 32 x 32 with 500 per class 0-9, t10k 1000 with 100 per
 * class, binarised to 0 and 255. Exits 77 (skipped) when the data is absent. */
#include <sys/stat.h>

#include "common.h"

static const char *const file_stems[] = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
};

/* "<dir>/<stem>" or "<dir>/<stem>.gz", whichever exists, into out; 0 if neither. */
static int find_file(const char *dir, const char *stem, char *out, size_t cap)
{
    struct stat sb;
    snprintf(out, cap, "%s/%s", dir, stem);
    if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode))
        return 1;
    snprintf(out, cap, "%s/%s.gz", dir, stem);
    return stat(out, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int data_present(void)
{
    const char *dir = test_dataset_dir();
    if (!dir)
        return 0;
    char path[4096];
    for (size_t i = 0; i < sizeof file_stems / sizeof file_stems[0]; i++)
        if (!find_file(dir, file_stems[i], path, sizeof path))
            return 0;
    return 1;
}

static void check_split(hogfeat_split split, size_t count, size_t per_class, size_t zero_pixels)
{
    hogfeat_dataset *ds = NULL;
    hogfeat_status st = hogfeat_dataset_load_mnist(test_dataset_dir(), split, NULL, &ds);
    ck_assert_msg(st == HOGFEAT_OK, "load_mnist: %s (%s)", hogfeat_status_name(st), hogfeat_last_error_message());
    ck_assert_uint_eq(hogfeat_dataset_count(ds), count);
    ck_assert_uint_eq(hogfeat_dataset_width(ds), 32);
    ck_assert_uint_eq(hogfeat_dataset_height(ds), 32);

    const int32_t *labels = hogfeat_dataset_labels(ds);
    ck_assert_ptr_nonnull(labels);
    size_t per[10] = {0};
    for (size_t i = 0; i < count; i++) {
        if (labels[i] < 0 || labels[i] > 9)
            ck_abort_msg("label %zu is %d", i, labels[i]);
        per[labels[i]]++;
    }
    for (int c = 0; c < 10; c++)
        ck_assert_msg(per[c] == per_class, "class %d has %zu images, expected %zu", c, per[c], per_class);

    /* This release of CMATERdb is binarised (0 and 255 only); pin the
     * number of 0 pixels so a decoding slip cannot pass, and require every
     * image to hold both values. */
    const uint8_t *px = hogfeat_dataset_pixels(ds);
    size_t zeros = 0;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *im = px + i * 32 * 32;
        size_t im_zeros = 0;
        /* Plain tests in the loops: a Check assertion per pixel is slow. */
        for (size_t j = 0; j < 32 * 32; j++) {
            if (im[j] != 0 && im[j] != 255)
                ck_abort_msg("image %zu pixel %zu is %u", i, j, im[j]);
            im_zeros += im[j] == 0;
        }
        ck_assert_msg(im_zeros > 0 && im_zeros < 32 * 32, "image %zu is blank", i);
        zeros += im_zeros;
    }
    ck_assert_uint_eq(zeros, zero_pixels);

    /* The same files through load_idx give the same bytes. */
    char images[4096], labels_path[4096];
    const char *dir = test_dataset_dir();
    int train = split == HOGFEAT_SPLIT_TRAIN;
    ck_assert(find_file(dir, file_stems[train ? 0 : 2], images, sizeof images));
    ck_assert(find_file(dir, file_stems[train ? 1 : 3], labels_path, sizeof labels_path));
    hogfeat_dataset *again = NULL;
    st = hogfeat_dataset_load_idx(images, labels_path, NULL, &again);
    ck_assert_msg(st == HOGFEAT_OK, "load_idx: %s (%s)", hogfeat_status_name(st), hogfeat_last_error_message());
    ck_assert_uint_eq(hogfeat_dataset_count(again), count);
    ck_assert_mem_eq(hogfeat_dataset_pixels(again), px, count * 32 * 32);
    ck_assert_mem_eq(hogfeat_dataset_labels(again), labels, count * sizeof(int32_t));
    hogfeat_dataset_destroy(again);

    /* The default limits hold it; a byte limit just under its size does not. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, count * (32 * 32 + 4) - 1), HOGFEAT_OK);
    st = hogfeat_dataset_load_mnist(dir, split, lim, &again);
    ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "below the byte limit: %s", hogfeat_status_name(st));
    ck_assert_ptr_null(again);
    hogfeat_limits_destroy(lim);

    hogfeat_dataset_destroy(ds);
}

START_TEST(test_cmaterdb_train)
{
    check_split(HOGFEAT_SPLIT_TRAIN, 5000, 500, 1646632);
}
END_TEST

START_TEST(test_cmaterdb_test)
{
    check_split(HOGFEAT_SPLIT_TEST, 1000, 100, 331582);
}
END_TEST

int main(void)
{
    if (!data_present()) {
        printf("HOGFEAT_TEST_DATA not set or missing: skipping (needs the CMATERdb IDX files, plain or .gz, "
               "in the directory it names; HOGFEAT_TEST_DATA=%s)\n",
               test_dataset_dir() ? test_dataset_dir() : "<unset>");
        return TEST_SKIP_EXIT;
    }
    Suite *s = suite_create("data-idx");
    TCase *tc = tcase_create("cmaterdb");
    tcase_add_test(tc, test_cmaterdb_train);
    tcase_add_test(tc, test_cmaterdb_test);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
