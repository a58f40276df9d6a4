/* Model files on disk: atomic save over an existing file, load back, and
 * every injected I/O failure of the save (hogfeat__test_io_fail_at) leaving
 * the previous file intact with no temporary file behind; load errors
 * (missing file, directory, empty, truncated, over the byte limit) naming
 * the path. */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

typedef struct tmpdir {
    char dir[256];
    char path[320];
} tmpdir;

static void tmpdir_make(tmpdir *t, const char *file)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/hogfeat-fileio-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, file);
}

/* Names in the directory other than . and ..; writes the first into first. */
static int count_entries(const char *dir, char *first, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == 0 && first)
            snprintf(first, cap, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static void tmpdir_remove(tmpdir *t)
{
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(t->dir);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return b;
}

static void write_all(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
}

static hogfeat_linsvm *make_svm(int32_t k, size_t dim, float scale)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(k, dim, &m), HOGFEAT_OK);
    for (int32_t i = 0; i < k; i++)
        m->labels[i] = i * 2;
    for (size_t i = 0; i < m->num_vectors * (dim + 1); i++)
        m->weights[i] = scale * (float)i;
    m->bias = 1.0;
    m->c = 1.0;
    m->tolerance = 0.1;
    m->max_iterations = 10;
    return m;
}

static unsigned char *svm_bytes(const hogfeat_linsvm *m, size_t *size)
{
    ck_assert_int_eq(hogfeat_linsvm_save(m, NULL, 0, size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *b = malloc(*size);
    ck_assert_int_eq(hogfeat_linsvm_save(m, b, *size, size), HOGFEAT_OK);
    return b;
}

START_TEST(test_save_over_existing)
{
    tmpdir t;
    tmpdir_make(&t, "model.hogf");
    write_all(t.path, "old contents, not a model", 25);
    hogfeat_linsvm *m = make_svm(4, 33, 0.5f);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, t.path), HOGFEAT_OK);
    size_t want_n, got_n;
    unsigned char *want = svm_bytes(m, &want_n);
    unsigned char *got = read_all(t.path, &got_n);
    ck_assert_uint_eq(got_n, want_n);
    ck_assert_int_eq(memcmp(got, want, want_n), 0);
    char name[256];
    ck_assert_int_eq(count_entries(t.dir, name, sizeof name), 1);
    ck_assert_str_eq(name, "model.hogf");
    hogfeat_linsvm *l = NULL;
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, NULL, &l), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_num_classes(l), 4);
    ck_assert_int_eq(memcmp(hogfeat_linsvm_weights(l, 3), hogfeat_linsvm_weights(m, 3), 34 * sizeof(float)), 0);
    /* The KNN loader reads the same file as another kind. */
    hogfeat_knn *k = (hogfeat_knn *)(uintptr_t)1;
    ck_assert_int_eq(hogfeat_knn_load_file(t.path, NULL, &k), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_null(k);
    hogfeat_linsvm_destroy(l);
    hogfeat_linsvm_destroy(m);
    free(want);
    free(got);
    tmpdir_remove(&t);
}
END_TEST

START_TEST(test_knn_and_pipeline_files)
{
    tmpdir t;
    tmpdir_make(&t, "m.bin");
    hogfeat_knn *k = NULL;
    ck_assert_int_eq(hogfeat__knn_new(5, 2, &k), HOGFEAT_OK);
    for (int i = 0; i < 10; i++)
        k->features[i] = (float)i;
    for (int i = 0; i < 5; i++)
        k->labels[i] = i % 2;
    k->k = 1;
    ck_assert_int_eq(hogfeat__knn_prepare(k), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_knn_save_file(k, t.path), HOGFEAT_OK);
    hogfeat_knn *kl = NULL;
    ck_assert_int_eq(hogfeat_knn_load_file(t.path, NULL, &kl), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_knn_num_samples(kl), 5);
    ck_assert_int_eq(memcmp(kl->features, k->features, 10 * sizeof(float)), 0);
    hogfeat_pipeline *p = (hogfeat_pipeline *)(uintptr_t)1;
    ck_assert_int_eq(hogfeat_pipeline_load_file(t.path, NULL, &p), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_ptr_null(p);

    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_create(cfg, &p), HOGFEAT_OK);
    hogfeat_hog_config_destroy(cfg);
    ck_assert_int_eq(hogfeat_pipeline_set_blur(p, 0.9), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_set_knn(p, k), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_save_file(p, t.path), HOGFEAT_OK);
    hogfeat_pipeline *pl = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load_file(t.path, NULL, &pl), HOGFEAT_OK);
    ck_assert_double_eq(hogfeat_pipeline_blur(pl), 0.9);
    ck_assert_ptr_nonnull(hogfeat_pipeline_knn(pl));
    ck_assert_int_eq(count_entries(t.dir, NULL, 0), 1);
    hogfeat_pipeline_destroy(pl);
    hogfeat_pipeline_destroy(p);
    hogfeat_knn_destroy(kl);
    hogfeat_knn_destroy(k);
    tmpdir_remove(&t);
}
END_TEST

/* Fails file-system call n = 1, 2, ... of a save over an existing model
 * until the save succeeds. Every failing save leaves the old file intact.
 * The last call, the directory fsync after the rename, can not undo the
 * rename: its failure is ignored and the save succeeds with the new file.
 * Never a temporary file left behind. */
static void io_failures(int err)
{
    tmpdir t;
    tmpdir_make(&t, "model.hogf");
    hogfeat_linsvm *old = make_svm(2, 5, 1.0f), *neu = make_svm(3, 9, -2.0f);
    size_t old_n, new_n;
    unsigned char *old_b = svm_bytes(old, &old_n), *new_b = svm_bytes(neu, &new_n);

    /* How many calls a clean save makes. */
    write_all(t.path, old_b, old_n);
    hogfeat__test_io_fail_at(0, 0);
    ck_assert_int_eq(hogfeat_linsvm_save_file(neu, t.path), HOGFEAT_OK);
    size_t calls = hogfeat__test_io_count();
    ck_assert_uint_ge(calls, 4); /* open, write, fsync, rename (+ directory fsync) */

    long n;
    size_t failures = 0;
    for (n = 1; n < 100; n++) {
        write_all(t.path, old_b, old_n);
        hogfeat__test_io_fail_at(n, err);
        hogfeat_status st = hogfeat_linsvm_save_file(neu, t.path);
        hogfeat__test_io_fail_at(0, 0);
        char name[256];
        ck_assert_int_eq(count_entries(t.dir, name, sizeof name), 1);
        ck_assert_str_eq(name, "model.hogf");
        size_t got_n;
        unsigned char *got = read_all(t.path, &got_n);
        if (st == HOGFEAT_OK) {
            ck_assert_uint_eq(got_n, new_n);
            ck_assert_int_eq(memcmp(got, new_b, new_n), 0);
            free(got);
            break;
        }
        failures++;
        ck_assert_msg(st == HOGFEAT_ERR_IO, "call %ld: %s", n, hogfeat_status_name(st));
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), t.path));
        ck_assert_msg(got_n == old_n && memcmp(got, old_b, old_n) == 0,
                      "call %ld failed but the old file changed", n);
        free(got);
    }
    ck_assert_uint_eq((size_t)n, calls);
    ck_assert_uint_eq(failures, calls - 1);
    free(old_b);
    free(new_b);
    hogfeat_linsvm_destroy(old);
    hogfeat_linsvm_destroy(neu);
    tmpdir_remove(&t);
}

START_TEST(test_io_failures_enospc)
{
    io_failures(ENOSPC);
}
END_TEST

START_TEST(test_io_failures_eio)
{
    io_failures(EIO);
}
END_TEST

START_TEST(test_alloc_failure_keeps_old_file)
{
    tmpdir t;
    tmpdir_make(&t, "model.hogf");
    write_all(t.path, "previous", 8);
    hogfeat_linsvm *m = make_svm(2, 3, 1.0f);
    hogfeat__test_alloc_fail_at(1, 0);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, t.path), HOGFEAT_ERR_OUT_OF_MEMORY);
    hogfeat__test_alloc_reset();
    size_t n;
    unsigned char *b = read_all(t.path, &n);
    ck_assert_uint_eq(n, 8);
    ck_assert_int_eq(memcmp(b, "previous", 8), 0);
    ck_assert_int_eq(count_entries(t.dir, NULL, 0), 1);
    free(b);
    /* load_file: failing the file buffer or the model leaks nothing. */
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, t.path), HOGFEAT_OK);
    long i;
    for (i = 1; i < 32; i++) {
        hogfeat_linsvm *l = (hogfeat_linsvm *)(uintptr_t)1;
        hogfeat__test_alloc_fail_at(i, 0);
        hogfeat_status st = hogfeat_linsvm_load_file(t.path, NULL, &l);
        hogfeat__test_alloc_reset();
        if (st == HOGFEAT_OK) {
            hogfeat_linsvm_destroy(l);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
        ck_assert_ptr_null(l);
    }
    ck_assert_int_gt(i, 1);
    ck_assert_int_lt(i, 32);
    hogfeat_linsvm_destroy(m);
    tmpdir_remove(&t);
}
END_TEST

START_TEST(test_load_errors)
{
    tmpdir t;
    tmpdir_make(&t, "missing.hogf");
    hogfeat_linsvm *l = (hogfeat_linsvm *)(uintptr_t)1;
    /* Missing file. */
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, NULL, &l), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(l);
    ck_assert_msg(strstr(hogfeat_last_error_message(), t.path) != NULL, "message: %s", hogfeat_last_error_message());
    hogfeat_pipeline *p = (hogfeat_pipeline *)(uintptr_t)1;
    ck_assert_int_eq(hogfeat_pipeline_load_file(t.path, NULL, &p), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(p);
    /* A directory. */
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.dir, NULL, &l), HOGFEAT_ERR_IO);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), t.dir));
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "directory"));
    /* Saving into a missing directory, or onto a directory. */
    hogfeat_linsvm *m = make_svm(2, 4, 1.0f);
    char bad[400];
    snprintf(bad, sizeof bad, "%s/no/such/dir/m.hogf", t.dir);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, bad), HOGFEAT_ERR_IO);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, t.dir), HOGFEAT_ERR_IO);
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, ""), HOGFEAT_ERR_IO);
    ck_assert_int_eq(hogfeat_linsvm_load_file("", NULL, &l), HOGFEAT_ERR_IO);
    char *longname = malloc(5000);
    memset(longname, 'a', 4999);
    longname[4999] = '\0';
    ck_assert_int_eq(hogfeat_linsvm_save_file(m, longname), HOGFEAT_ERR_IO);
    free(longname);
    ck_assert_int_eq(count_entries(t.dir, NULL, 0), 0);
    /* Empty file. */
    write_all(t.path, "", 0);
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, NULL, &l), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), t.path));
    /* Truncated file: the message names the path and the cause. */
    size_t n;
    unsigned char *b = svm_bytes(m, &n);
    write_all(t.path, b, n - 1);
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, NULL, &l), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), t.path));
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "truncated"));
    /* Over the byte limit: refused before reading. */
    write_all(t.path, b, n);
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, n - 1), HOGFEAT_OK);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, lim, &l), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    /* The file's bytes and the model's count together. */
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, n + 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, lim, &l), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 4 * n + 4096), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_linsvm_load_file(t.path, lim, &l), HOGFEAT_OK);
    hogfeat_linsvm_destroy(l);
    hogfeat_limits_destroy(lim);
    free(b);
    hogfeat_linsvm_destroy(m);
    tmpdir_remove(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fileio");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"save_over_existing", test_save_over_existing},
        {"knn_and_pipeline_files", test_knn_and_pipeline_files},
        {"io_failures_enospc", test_io_failures_enospc},
        {"io_failures_eio", test_io_failures_eio},
        {"alloc_failure_keeps_old_file", test_alloc_failure_keeps_old_file},
        {"load_errors", test_load_errors},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
