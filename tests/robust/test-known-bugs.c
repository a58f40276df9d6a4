/* Minimal failing tests for library bugs found by the robustness work and
 * not yet fixed. Each runs as its own meson test with should_fail: true, so
 * the suite stays green while the bug exists and turns red ("unexpected
 * pass") the day it is fixed: then drop should_fail for that case.
 *   svm-empty:       hogfeat_linsvm_train with 0 samples returns
 *                    INVALID_ARGUMENT; status.h defines BAD_TRAINING_SET for
 *                    "no samples" and hogfeat_knn_fit returns it.
 *   idx-file-total:  hogfeat_dataset_load_idx does not count the bytes of
 *                    the files it reads against MAX_TOTAL_BYTES ("bytes one
 *                    read may allocate in total"), unlike the model loaders.
 *   pgm-file-total:  the same for hogfeat_pgm_read_file.
 *   knn-cosine-overflow: cosine distances are wrong once a squared norm
 *                    overflows float (|x| above about 1.8e19): a query
 *                    parallel to a stored row gets distance inf instead of
 *                    0, and another row is returned as the nearest. The L2
 *                    path already falls back to the difference form. */
#include <unistd.h>

#include "common.h"

static int svm_empty(void)
{
    float x[8] = {0};
    int32_t y[1] = {1};
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat_linsvm_train(NULL, x, 0, 8, 8, y, &m);
    printf("linsvm_train, 0 samples: %s (%s); expected HOGFEAT_ERR_BAD_TRAINING_SET\n", hogfeat_status_name(st),
           hogfeat_last_error_message());
    hogfeat_linsvm_destroy(m);
    return st == HOGFEAT_ERR_BAD_TRAINING_SET;
}

/* A file of file_bytes whose content needs content_bytes: a limit between
 * the larger of the two and their sum must be refused. */
static int file_total(int pgm)
{
    char dir[] = "/tmp/hogfeat-known-bug-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    char path[128];
    snprintf(path, sizeof path, "%s/input", dir);
    size_t file_bytes, content_bytes;
    FILE *f = fopen(path, "wb");
    if (pgm) {
        /* 9 x 7, maxval 1000: 2 bytes per sample in the file, a float per pixel in memory. */
        fprintf(f, "P5\n9 7\n1000\n");
        for (int i = 0; i < 63; i++)
            fputc(0, f), fputc(i, f);
        content_bytes = 63 * 4;
    } else {
        /* 7 images of 5 x 6 (written by hand: robust.h's builders assert through Check). */
        static const unsigned char hdr[16] = {0, 0, 8, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 6};
        fwrite(hdr, 1, sizeof hdr, f);
        for (int i = 0; i < 210; i++)
            fputc(i, f);
        content_bytes = 210;
    }
    file_bytes = (size_t)ftell(f);
    fclose(f);
    hogfeat_limits *l = NULL;
    hogfeat_limits_create(&l);
    size_t limit = (file_bytes > content_bytes ? file_bytes : content_bytes) + 10;
    hogfeat_limits_set(l, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, limit);
    hogfeat_status st;
    if (pgm) {
        hogfeat_image *img = NULL;
        st = hogfeat_pgm_read_file(path, l, &img);
        hogfeat_image_destroy(img);
    } else {
        hogfeat_dataset *ds = NULL;
        st = hogfeat_dataset_load_idx(path, NULL, l, &ds);
        hogfeat_dataset_destroy(ds);
    }
    printf("%s of a %zu-byte file needing %zu bytes, total-bytes limit %zu: %s; expected "
           "HOGFEAT_ERR_LIMIT_EXCEEDED (%zu + %zu bytes allocated, as the model loaders count)\n",
           pgm ? "pgm_read_file" : "dataset_load_idx", file_bytes, content_bytes, limit, hogfeat_status_name(st),
           file_bytes, content_bytes);
    hogfeat_limits_destroy(l);
    unlink(path);
    rmdir(dir);
    return st == HOGFEAT_ERR_LIMIT_EXCEEDED;
}

static int knn_cosine_overflow(void)
{
    float x[4] = {3e38f, 3e38f, 1.0f, 0.5f};
    float q[2] = {1e20f, 1e20f}; /* parallel to row 0: cosine distance 0 */
    int32_t y[2] = {1, 2};
    hogfeat_knn_params *p = NULL;
    hogfeat_knn *m = NULL;
    size_t idx[1] = {99};
    float d[1] = {-1.0f};
    hogfeat_status st = hogfeat_knn_params_create(&p);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_k(p, 1);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_metric(p, HOGFEAT_METRIC_COSINE);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_fit(p, x, 2, 2, 2, y, &m);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_kneighbors(m, q, 1, 2, 2, 1, idx, d, 1);
    printf("cosine nearest of (1e20, 1e20) among (3e38, 3e38) and (1, 0.5): %s, row %zu at %g; expected row 0 at 0\n",
           hogfeat_status_name(st), idx[0], (double)d[0]);
    hogfeat_knn_destroy(m);
    hogfeat_knn_params_destroy(p);
    return st == HOGFEAT_OK && idx[0] == 0 && d[0] >= 0.0f && d[0] < 1e-6f;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s svm-empty|idx-file-total|pgm-file-total|knn-cosine-overflow\n", argv[0]);
        return 2;
    }
    int fixed;
    if (strcmp(argv[1], "svm-empty") == 0)
        fixed = svm_empty();
    else if (strcmp(argv[1], "idx-file-total") == 0)
        fixed = file_total(0);
    else if (strcmp(argv[1], "pgm-file-total") == 0)
        fixed = file_total(1);
    else if (strcmp(argv[1], "knn-cosine-overflow") == 0)
        fixed = knn_cosine_overflow();
    else
        return 2;
    printf("%s: %s\n", argv[1], fixed ? "behaves as documented (bug fixed)" : "BUG still present");
    return fixed ? 0 : 1;
}
