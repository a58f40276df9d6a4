/* Crash-safe save: a child process saves a model over an existing file
 * again and again, alternating two different models, and is killed with
 * SIGKILL at a random moment; 200 times. After every kill the file must load
 * and be byte-identical to one of the two models. Temporary files orphaned
 * by a kill (the process died between creating and renaming them) are
 * counted and removed: no library can clean up after SIGKILL.
 * HOGFEAT_CRASH_RUNS overrides the number of kills. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "robust.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Removes temporary files beside path; returns how many there were. */
static int remove_orphans(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, keep) == 0)
            continue;
        ck_assert_msg(strstr(e->d_name, ".tmp-") != NULL, "unexpected file %s", e->d_name);
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        ck_assert_int_eq(unlink(p), 0);
        n++;
    }
    closedir(d);
    return n;
}

START_TEST(test_kill_during_save)
{
    const char *env = getenv("HOGFEAT_CRASH_RUNS");
    int runs = env && atoi(env) > 0 ? atoi(env) : 200;
    /* Two models of different sizes (about 320 and 480 KB): a torn write
     * would show in the size as well as the bytes. */
    hogfeat_linsvm *a = r_make_svm(10, 40, 8000, 1), *b = r_make_svm(4, 24, 30000, 2);
    rbuf ab = r_save_svm(a), bb = r_save_svm(b);
    ck_assert_uint_ne(ab.n, bb.n);
    rtmp t;
    r_tmp_make(&t);
    char path[512];
    r_path(&t, "model.hogf", path, sizeof path);
    ROK(hogfeat_linsvm_save_file(a, path));

    /* How long one save takes here: kills are spread over about three saves. */
    double t0 = now_s();
    for (int i = 0; i < 4; i++)
        ROK(hogfeat_linsvm_save_file(i % 2 ? a : b, path));
    double per_save = (now_s() - t0) / 4;
    ROK(hogfeat_linsvm_save_file(a, path));

    test_rng rng = test_rng_seed(20240601);
    int saw_a = 0, saw_b = 0, orphans = 0, unreadable = 0;
    for (int run = 0; run < runs; run++) {
        fflush(stdout);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            for (unsigned i = 0;; i++) {
                if (hogfeat_linsvm_save_file((i + (unsigned)run) % 2 ? a : b, path) != HOGFEAT_OK)
                    _exit(3);
            }
        }
        double delay = per_save * 3.0 * test_rng_float(&rng);
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int status = 0;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "run %d: the saver exited (status %d)",
                      run, status);

        hogfeat_linsvm *m = NULL;
        hogfeat_status st = hogfeat_linsvm_load_file(path, NULL, &m);
        rbuf now = r_read_file(path);
        int is_a = r_same(&now, &ab), is_b = r_same(&now, &bb);
        if (st != HOGFEAT_OK || !(is_a || is_b)) {
            unreadable++;
            printf("run %d: the file (%zu bytes) %s: %s (%s)\n", run, now.n,
                   st == HOGFEAT_OK ? "loads but matches neither model" : "does not load", R_STATUS_TEXT(st));
        }
        saw_a += is_a;
        saw_b += is_b;
        rb_free(&now);
        hogfeat_linsvm_destroy(m);
        orphans += remove_orphans(t.dir, "model.hogf");
    }
    printf("crash-save: %d kill -9 runs, %d unreadable, file held model A %d times and B %d times, "
           "%d orphaned temporary files removed (one save: %.1f ms)\n",
           runs, unreadable, saw_a, saw_b, orphans, per_save * 1e3);
    ck_assert_int_eq(unreadable, 0);
    ck_assert_int_eq(saw_a + saw_b, runs);
    rb_free(&ab);
    rb_free(&bb);
    hogfeat_linsvm_destroy(a);
    hogfeat_linsvm_destroy(b);
    r_tmp_remove(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crash-save");
    TCase *tc = tcase_create("kill9");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_kill_during_save);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
