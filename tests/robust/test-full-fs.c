/* Saving into a full or failing file system.
 *
 * injected: every file-system call of an atomic save (create, write, fsync,
 *   rename, directory fsync) fails in turn with ENOSPC, EIO and EDQUOT, for
 *   the SVM, KNN, pipeline and PGM writers: the call returns HOGFEAT_ERR_IO,
 *   the old file is byte-identical and no temporary file is left; only the
 *   directory fsync after the rename cannot undo the save, and is ignored.
 * tmpfs: a real 64 KiB tmpfs (mounted in a private mount namespace when
 *   unshare works; skipped with a message when mounting is not permitted):
 *   a model larger than the free space, a nearly full file system, and one
 *   out of inodes. */
#define _GNU_SOURCE /* unshare(), CLONE_NEWNS */
#include <sched.h>
#include <sys/mount.h>

#include "private.h"
#include "robust.h"

typedef hogfeat_status (*save_fn)(const void *obj, const char *path);
static hogfeat_status save_svm(const void *o, const char *p) { return hogfeat_linsvm_save_file(o, p); }
static hogfeat_status save_knn(const void *o, const char *p) { return hogfeat_knn_save_file(o, p); }
static hogfeat_status save_pipe(const void *o, const char *p) { return hogfeat_pipeline_save_file(o, p); }
static hogfeat_status save_pgm(const void *o, const char *p) { return hogfeat_pgm_write_file(o, p); }

typedef struct writer {
    const char *name;
    save_fn save;
    const void *obj;
} writer;

static hogfeat_image *make_image(void)
{
    test_rng r = test_rng_seed(3);
    return test_random_image(&r, HOGFEAT_FORMAT_U8_GRAY, 40, 30);
}

/* Each writer's expected bytes, from a save into a fresh directory. */
static rbuf expected_bytes(const writer *w)
{
    rtmp t;
    r_tmp_make(&t);
    char p[512];
    r_path(&t, "x", p, sizeof p);
    ROK(w->save(w->obj, p));
    rbuf b = r_read_file(p);
    r_tmp_remove(&t);
    return b;
}

static size_t injected_total;

static void io_sweep(const writer *w, int err)
{
    rbuf want = expected_bytes(w);
    rtmp t;
    r_tmp_make(&t);
    char path[512];
    r_path(&t, "target", path, sizeof path);
    static const char old[] = "the previous file";
    r_write_file(path, old, sizeof old);
    hogfeat__test_io_fail_at(0, 0);
    ROK(w->save(w->obj, path));
    size_t calls = hogfeat__test_io_count();
    ck_assert_uint_ge(calls, 4);
    for (size_t n = 1; n <= calls; n++) {
        r_write_file(path, old, sizeof old);
        hogfeat__test_io_fail_at((long)n, err);
        hogfeat_status st = w->save(w->obj, path);
        hogfeat__test_io_fail_at(0, 0);
        char first[256];
        ck_assert_msg(r_count_entries(t.dir, first, sizeof first) == 1, "%s, call %zu (%s): a temporary file is left",
                      w->name, n, strerror(err));
        rbuf now = r_read_file(path);
        if (n == calls) {
            /* The directory fsync: the rename already happened. */
            ck_assert_msg(st == HOGFEAT_OK && r_same(&now, &want), "%s: directory fsync failure: %s", w->name,
                          hogfeat_status_name(st));
        } else {
            ck_assert_msg(st == HOGFEAT_ERR_IO, "%s, call %zu (%s): %s", w->name, n, strerror(err),
                          hogfeat_status_name(st));
            ck_assert_msg(now.n == sizeof old && memcmp(now.p, old, sizeof old) == 0,
                          "%s, call %zu (%s): the old file changed", w->name, n, strerror(err));
            ck_assert_msg(strstr(hogfeat_last_error_message(), path) != NULL, "message lacks the path: %s",
                          hogfeat_last_error_message());
        }
        rb_free(&now);
        injected_total++;
    }
    rb_free(&want);
    r_tmp_remove(&t);
}

static void with_writers(void (*fn)(const writer *, int), int err)
{
    hogfeat_linsvm *s = r_make_svm(3, 12, 50, 1);
    hogfeat_knn *k = r_make_knn(2, 20, 30, 3, 2);
    hogfeat_pipeline *p = r_make_pipeline(1, 3);
    hogfeat_image *img = make_image();
    const writer ws[] = {{"linsvm_save_file", save_svm, s},
                         {"knn_save_file", save_knn, k},
                         {"pipeline_save_file", save_pipe, p},
                         {"pgm_write_file", save_pgm, img}};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
        fn(&ws[i], err);
    hogfeat_linsvm_destroy(s);
    hogfeat_knn_destroy(k);
    hogfeat_pipeline_destroy(p);
    hogfeat_image_destroy(img);
}

START_TEST(test_injected)
{
    static const int errs[] = {ENOSPC, EIO, EDQUOT};
    with_writers(io_sweep, errs[_i]);
    printf("full-fs: %zu injected file-system failures (%s), old file intact every time\n", injected_total,
           strerror(errs[_i]));
}
END_TEST

/* ---- a real tmpfs --------------------------------------------------------------- */

/* Mounts a tmpfs with the given options on dir; 0 when not permitted. */
static int mount_tmpfs(const char *dir, const char *options, char *why, size_t cap)
{
    if (mount("hogfeat-robust", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) {
        snprintf(why, cap, "mount -t tmpfs -o %s: %s", options, strerror(errno));
        return 0;
    }
    return 1;
}

static int private_namespace(void)
{
    /* A private mount namespace: the mounts vanish with this process, even
     * if it crashes, and never show outside it. */
    if (unshare(CLONE_NEWNS) != 0)
        return 0;
    return mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0;
}

START_TEST(test_real_tmpfs)
{
    rtmp t;
    r_tmp_make(&t);
    char mnt[512], why[256] = "";
    r_path(&t, "mnt", mnt, sizeof mnt);
    ck_assert_int_eq(mkdir(mnt, 0700), 0);
    int ns = private_namespace();
    if (!mount_tmpfs(mnt, "size=64k,mode=0700", why, sizeof why)) {
        printf("full-fs: real tmpfs test SKIPPED: %s (needs root or CAP_SYS_ADMIN)\n", why);
        rmdir(mnt);
        r_tmp_remove(&t);
        return;
    }
    char path[600], filler[600];
    snprintf(path, sizeof path, "%s/model.hogf", mnt);
    snprintf(filler, sizeof filler, "%s/filler", mnt);

    hogfeat_linsvm *small = r_make_svm(2, 10, 20, 1);           /* ~200 bytes */
    hogfeat_linsvm *big = r_make_svm(3, 12, 10000, 2);          /* ~120 KB: never fits */
    hogfeat_linsvm *mid = r_make_svm(2, 10, 6000, 3);           /* ~24 KB */
    rbuf small_b = r_save_svm(small), mid_b = r_save_svm(mid);
    ROK(hogfeat_linsvm_save_file(small, path));

    /* 1. Larger than the whole file system. */
    R_ASSERT_STATUS(hogfeat_linsvm_save_file(big, path), HOGFEAT_ERR_IO);
    rbuf now = r_read_file(path);
    ck_assert(r_same(&now, &small_b));
    rb_free(&now);
    ck_assert_int_eq(r_count_entries(mnt, NULL, 0), 1);
    printf("full-fs tmpfs: model larger than the file system: %s\n", hogfeat_last_error_message());

    /* 2. Nearly full: a filler leaves less than the 24 KB model needs. */
    unsigned char *fill = calloc(1, 48 * 1024);
    r_write_file(filler, fill, 48 * 1024);
    free(fill);
    R_ASSERT_STATUS(hogfeat_linsvm_save_file(mid, path), HOGFEAT_ERR_IO);
    now = r_read_file(path);
    ck_assert(r_same(&now, &small_b));
    rb_free(&now);
    ck_assert_int_eq(r_count_entries(mnt, NULL, 0), 2);
    /* The other writers fail the same way. */
    hogfeat_knn *k = r_make_knn(2, 40, 300, 3, 4);
    hogfeat_image *img = NULL;
    ROK(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 200, 100, &img));
    char other[600];
    snprintf(other, sizeof other, "%s/other", mnt);
    R_ASSERT_STATUS(hogfeat_knn_save_file(k, other), HOGFEAT_ERR_IO);
    R_ASSERT_STATUS(hogfeat_pgm_write_file(img, other), HOGFEAT_ERR_IO);
    ck_assert_int_eq(r_count_entries(mnt, NULL, 0), 2);

    /* 3. Space freed: the same save now succeeds. */
    ck_assert_int_eq(unlink(filler), 0);
    ROK(hogfeat_linsvm_save_file(mid, path));
    now = r_read_file(path);
    ck_assert(r_same(&now, &mid_b));
    rb_free(&now);
    ck_assert_int_eq(umount(mnt), 0);

    /* 4. Out of inodes: the temporary file cannot be created. */
    ck_assert(mount_tmpfs(mnt, "size=64k,nr_inodes=2,mode=0700", why, sizeof why));
    ROK(hogfeat_linsvm_save_file(small, path));
    R_ASSERT_STATUS(hogfeat_linsvm_save_file(mid, path), HOGFEAT_ERR_IO);
    printf("full-fs tmpfs: out of inodes: %s\n", hogfeat_last_error_message());
    now = r_read_file(path);
    ck_assert(r_same(&now, &small_b));
    rb_free(&now);
    ck_assert_int_eq(r_count_entries(mnt, NULL, 0), 1);
    ck_assert_int_eq(umount(mnt), 0);
    printf("full-fs: real 64 KiB tmpfs (%s): 4 scenarios passed\n",
           ns ? "private mount namespace" : "host mount namespace");

    rb_free(&small_b);
    rb_free(&mid_b);
    hogfeat_knn_destroy(k);
    hogfeat_image_destroy(img);
    hogfeat_linsvm_destroy(small);
    hogfeat_linsvm_destroy(big);
    hogfeat_linsvm_destroy(mid);
    rmdir(mnt);
    r_tmp_remove(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("full-fs");
    TCase *tc = tcase_create("injected");
    tcase_add_loop_test(tc, test_injected, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("tmpfs");
    tcase_add_test(tc, test_real_tmpfs);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
