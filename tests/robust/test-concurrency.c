/* Concurrency, meant for the ThreadSanitizer build (scripts/ci-robust) and
 * correct in any build: N threads share one HOG configuration, one trained
 * linear SVM, one KNN model and one pipeline, and compute, predict and
 * extract at once; batch extraction runs with several worker threads; the
 * model loaders run concurrently; threads save different models to one path
 * at once. Every result must equal the serial one bit for bit, and each
 * thread keeps its own error message. */
#include <pthread.h>

#include "robust.h"

#define THREADS 6
#define ROUNDS 8
#define IMG_W 48
#define IMG_H 40
#define N_IMAGES 40

typedef struct shared {
    const hogfeat_hog_config *cfg;
    const hogfeat_linsvm *svm;
    const hogfeat_knn *knn;
    const hogfeat_pipeline *pipe;
    const unsigned char *stack; /* N_IMAGES images of IMG_W x IMG_H, u8 */
    size_t len;                 /* HOG length */
    size_t plen;                /* pipeline length */
    const float *ref_hog;       /* N_IMAGES x len */
    const float *ref_pipe;      /* N_IMAGES x plen */
    const int32_t *ref_svm, *ref_knn, *ref_pipe_labels;
    rbuf svm_file, knn_file;
    const char *save_path;
} shared;

typedef struct worker {
    const shared *sh;
    int index;
    int mismatches;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const shared *sh = w->sh;
    float *f = malloc(sh->len * sizeof *f), *pf = malloc(sh->plen * sizeof *pf);
    int32_t label;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = (size_t)w->index; i < N_IMAGES; i += 2) {
            hogfeat_image *img = NULL;
            if (hogfeat_image_wrap(sh->stack + i * IMG_W * IMG_H, HOGFEAT_FORMAT_U8_GRAY, IMG_W, IMG_H, 0, &img))
                w->mismatches++;
            if (hogfeat_hog_compute(sh->cfg, img, f, sh->len) != HOGFEAT_OK ||
                memcmp(f, sh->ref_hog + i * sh->len, sh->len * sizeof *f) != 0)
                w->mismatches++;
            if (hogfeat_linsvm_predict(sh->svm, f, 1, sh->len, sh->len, &label) != HOGFEAT_OK ||
                label != sh->ref_svm[i])
                w->mismatches++;
            if (hogfeat_knn_predict(sh->knn, f, 1, sh->len, sh->len, &label) != HOGFEAT_OK || label != sh->ref_knn[i])
                w->mismatches++;
            if (hogfeat_pipeline_extract(sh->pipe, img, pf, sh->plen) != HOGFEAT_OK ||
                memcmp(pf, sh->ref_pipe + i * sh->plen, sh->plen * sizeof *pf) != 0)
                w->mismatches++;
            if (hogfeat_pipeline_predict(sh->pipe, img, &label) != HOGFEAT_OK || label != sh->ref_pipe_labels[i])
                w->mismatches++;
            hogfeat_image_destroy(img);
        }
        /* Loading shared bytes at the same time. */
        hogfeat_linsvm *s = NULL;
        hogfeat_knn *k = NULL;
        if (hogfeat_linsvm_load(sh->svm_file.p, sh->svm_file.n, NULL, &s) != HOGFEAT_OK ||
            hogfeat_knn_load(sh->knn_file.p, sh->knn_file.n, NULL, &k) != HOGFEAT_OK)
            w->mismatches++;
        hogfeat_linsvm_destroy(s);
        hogfeat_knn_destroy(k);
        /* Each thread has its own last error message. */
        char want[64];
        snprintf(want, sizeof want, "%zu", sh->len + 1000 + (size_t)w->index);
        hogfeat_status st = hogfeat_hog_config_set_orientations(NULL, 9);
        if (st != HOGFEAT_ERR_NULL_POINTER || hogfeat_linsvm_predict(sh->svm, f, 1, sh->len + 1000 + (size_t)w->index,
                                                                     sh->len + 1000 + (size_t)w->index, &label) !=
                                                  HOGFEAT_ERR_DIMENSION_MISMATCH ||
            strstr(hogfeat_last_error_message(), want) == NULL)
            w->mismatches++;
    }
    free(f);
    free(pf);
    return NULL;
}

typedef struct saver {
    const hogfeat_linsvm *model;
    const char *path;
    int failures;
} saver;

static void *save_loop(void *arg)
{
    saver *s = arg;
    for (int i = 0; i < 10; i++)
        s->failures += hogfeat_linsvm_save_file(s->model, s->path) != HOGFEAT_OK;
    return NULL;
}

START_TEST(test_shared_handles)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    unsigned char *stack = malloc(N_IMAGES * IMG_W * IMG_H);
    test_rng r = test_rng_seed(77);
    for (size_t i = 0; i < N_IMAGES * IMG_W * IMG_H; i++)
        stack[i] = (unsigned char)((i % IMG_W) * 3 + test_rng_below(&r, 60) + (i / (IMG_W * IMG_H)) * 5);
    sh.stack = stack;
    hogfeat_hog_config *cfg = NULL;
    ROK(hogfeat_hog_config_create(&cfg));
    ROK(hogfeat_hog_config_set_cell_size(cfg, 6, 5));
    ROK(hogfeat_hog_feature_length(cfg, IMG_W, IMG_H, &sh.len));
    sh.cfg = cfg;

    /* Serial references: HOG of every image, then models trained on them. */
    float *ref = malloc(N_IMAGES * sh.len * sizeof *ref);
    ROK(hogfeat_hog_compute_stack(cfg, stack, HOGFEAT_FORMAT_U8_GRAY, N_IMAGES, IMG_W, IMG_H, 0, 0, 1, ref, sh.len,
                                  N_IMAGES * sh.len));
    sh.ref_hog = ref;
    int32_t *y = malloc(N_IMAGES * sizeof *y);
    for (size_t i = 0; i < N_IMAGES; i++)
        y[i] = (int32_t)(i % 3);
    hogfeat_linsvm *svm = NULL;
    hogfeat_knn *knn = NULL;
    ROK(hogfeat_linsvm_train(NULL, ref, N_IMAGES, sh.len, sh.len, y, &svm));
    ROK(hogfeat_knn_fit(NULL, ref, N_IMAGES, sh.len, sh.len, y, &knn));
    sh.svm = svm;
    sh.knn = knn;
    int32_t *ref_svm = malloc(N_IMAGES * sizeof *ref_svm), *ref_knn = malloc(N_IMAGES * sizeof *ref_knn);
    ROK(hogfeat_linsvm_predict(svm, ref, N_IMAGES, sh.len, sh.len, ref_svm));
    ROK(hogfeat_knn_predict(knn, ref, N_IMAGES, sh.len, sh.len, ref_knn));
    sh.ref_svm = ref_svm;
    sh.ref_knn = ref_knn;
    sh.svm_file = r_save_svm(svm);
    sh.knn_file = r_save_knn(knn);

    /* A pipeline with blur and resize holding the KNN model's twin for its own length. */
    hogfeat_pipeline *pipe = NULL;
    ROK(hogfeat_pipeline_create(cfg, &pipe));
    ROK(hogfeat_pipeline_set_blur(pipe, 1.2));
    ROK(hogfeat_pipeline_set_resize(pipe, 36, 30));
    ROK(hogfeat_pipeline_feature_length(pipe, IMG_W, IMG_H, &sh.plen));
    float *pref = malloc(N_IMAGES * sh.plen * sizeof *pref);
    ROK(hogfeat_pipeline_extract_stack(pipe, stack, HOGFEAT_FORMAT_U8_GRAY, N_IMAGES, IMG_W, IMG_H, 0, 0, 1, pref,
                                       sh.plen, N_IMAGES * sh.plen));
    hogfeat_linsvm *psvm = NULL;
    ROK(hogfeat_linsvm_train(NULL, pref, N_IMAGES, sh.plen, sh.plen, y, &psvm));
    ROK(hogfeat_pipeline_set_linsvm(pipe, psvm));
    int32_t *ref_pl = malloc(N_IMAGES * sizeof *ref_pl);
    ROK(hogfeat_linsvm_predict(psvm, pref, N_IMAGES, sh.plen, sh.plen, ref_pl));
    hogfeat_linsvm_destroy(psvm); /* the pipeline keeps its reference */
    sh.pipe = pipe;
    sh.ref_pipe = pref;
    sh.ref_pipe_labels = ref_pl;

    pthread_t th[THREADS];
    worker ws[THREADS];
    for (int i = 0; i < THREADS; i++) {
        ws[i].sh = &sh;
        ws[i].index = i;
        ws[i].mismatches = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &ws[i]), 0);
    }
    /* Meanwhile: batch extraction with worker threads of its own. */
    float *batch = malloc(N_IMAGES * sh.len * sizeof *batch);
    for (int32_t t = 1; t <= 4; t++) {
        ROK(hogfeat_hog_compute_stack(cfg, stack, HOGFEAT_FORMAT_U8_GRAY, N_IMAGES, IMG_W, IMG_H, 0, 0, t, batch,
                                      sh.len, N_IMAGES * sh.len));
        ck_assert_msg(memcmp(batch, ref, N_IMAGES * sh.len * sizeof *batch) == 0, "stack with %d threads differs", t);
    }
    float *pbatch = malloc(N_IMAGES * sh.plen * sizeof *pbatch);
    ROK(hogfeat_pipeline_extract_stack(pipe, stack, HOGFEAT_FORMAT_U8_GRAY, N_IMAGES, IMG_W, IMG_H, 0, 0, 3, pbatch,
                                       sh.plen, N_IMAGES * sh.plen));
    ck_assert_int_eq(memcmp(pbatch, pref, N_IMAGES * sh.plen * sizeof *pbatch), 0);
    int total = 0;
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        total += ws[i].mismatches;
    }
    printf("concurrency: %d threads x %d rounds on shared handles, %d mismatches against serial results\n", THREADS,
           ROUNDS, total);
    ck_assert_int_eq(total, 0);

    /* Threaded training and KNN search equal their serial results too. */
    hogfeat_linsvm_params *sp = NULL;
    hogfeat_linsvm *svm4 = NULL;
    ROK(hogfeat_linsvm_params_create(&sp));
    ROK(hogfeat_linsvm_params_set_threads(sp, 3));
    ROK(hogfeat_linsvm_train(sp, ref, N_IMAGES, sh.len, sh.len, y, &svm4));
    rbuf b4 = r_save_svm(svm4);
    ck_assert(r_same(&b4, &sh.svm_file));
    rb_free(&b4);
    hogfeat_knn_params *kp = NULL;
    hogfeat_knn *knn4 = NULL;
    ROK(hogfeat_knn_params_create(&kp));
    ROK(hogfeat_knn_params_set_threads(kp, 4));
    ROK(hogfeat_knn_fit(kp, ref, N_IMAGES, sh.len, sh.len, y, &knn4));
    int32_t *l4 = malloc(N_IMAGES * sizeof *l4);
    ROK(hogfeat_knn_predict(knn4, ref, N_IMAGES, sh.len, sh.len, l4));
    ck_assert_int_eq(memcmp(l4, ref_knn, N_IMAGES * sizeof *l4), 0);

    /* Concurrent saves of different models to one path leave one complete file. */
    rtmp t;
    r_tmp_make(&t);
    char path[512];
    r_path(&t, "model.hogf", path, sizeof path);
    hogfeat_linsvm *other = r_make_svm(2, 10, 7, 9);
    saver sv[3] = {{svm, path, 0}, {svm4, path, 0}, {other, path, 0}};
    pthread_t st[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pthread_create(&st[i], NULL, save_loop, &sv[i]), 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(pthread_join(st[i], NULL), 0);
        ck_assert_int_eq(sv[i].failures, 0);
    }
    rbuf final = r_read_file(path), ob = r_save_svm(other);
    ck_assert(r_same(&final, &sh.svm_file) || r_same(&final, &ob));
    ck_assert_int_eq(r_count_entries(t.dir, NULL, 0), 1);
    rb_free(&final);
    rb_free(&ob);
    r_tmp_remove(&t);

    free(l4);
    hogfeat_knn_destroy(knn4);
    hogfeat_knn_params_destroy(kp);
    hogfeat_linsvm_destroy(svm4);
    hogfeat_linsvm_params_destroy(sp);
    hogfeat_linsvm_destroy(other);
    free(batch);
    free(pbatch);
    free(ref_pl);
    free(pref);
    hogfeat_pipeline_destroy(pipe);
    rb_free(&sh.svm_file);
    rb_free(&sh.knn_file);
    free(ref_svm);
    free(ref_knn);
    hogfeat_linsvm_destroy(svm);
    hogfeat_knn_destroy(knn);
    free(y);
    free(ref);
    hogfeat_hog_config_destroy(cfg);
    free(stack);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("shared");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_shared_handles);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
