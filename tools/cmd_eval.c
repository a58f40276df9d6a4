/* hogfeat eval [OPTIONS] MODEL DATA
 *
 * Loads a pipeline, extracts features of the test split, predicts in batch
 * and prints accuracy, per-class precision and recall, the confusion matrix
 * and timings. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_FULL_MATRIX = CLI_OPT_FIRST_LOCAL, OPT_PROBA };

/* Probabilities are clipped to [CLI_LOG_LOSS_EPS, 1] for the log loss, as
 * scikit-learn's log_loss does (a KNN vote fraction may be 0). */
#define CLI_LOG_LOSS_EPS 1e-15

static void eval_help(void)
{
    printf("Usage: hogfeat eval [OPTIONS] MODEL DATA\n"
           "\n"
           "Classify the test split of DATA with MODEL and print 'accuracy: NN.NN%%',\n"
           "the number correct, per-class precision and recall, the confusion matrix\n"
           "(rows = true label, columns = predicted label) and timings.\n"
           "\n"
           "      --split SPLIT     MNIST split to evaluate: train, test, both (default test)\n"
           "      --labels FILE     labels file of a PGM folder (default DATA/" CLI_DEFAULT_LABELS_FILE ")\n"
           "      --threads N       threads for extraction and SVM prediction, 0 = all CPUs\n"
           "                        (default %d); a KNN model predicts with the thread\n"
           "                        count given to 'hogfeat train --threads'\n"
           "      --full-matrix     print the confusion matrix even above %d classes\n"
           "      --proba           also score the class probabilities: log loss and Brier\n"
           "                        score (an SVM trained with --probability; KNN: vote\n"
           "                        fractions)\n"
           "  -q, --quiet           print only the accuracy line\n"
           "  -h, --help            show this help and exit\n"
           "\n"
           "Feature settings come from the model file.\n"
           "Exit status: 0 success, 1 runtime error, 2 usage error.\n",
           CLI_DEFAULT_THREADS, CLI_MAX_PRINTED_CLASSES);
}

static int compare_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static size_t label_index(const int32_t *classes, size_t num_classes, int32_t label)
{
    const int32_t *p = bsearch(&label, classes, num_classes, sizeof(int32_t), compare_i32);
    return p ? (size_t)(p - classes) : 0;
}

static int digits_of(long long v)
{
    char buf[32];
    return snprintf(buf, sizeof(buf), "%lld", v);
}

static void print_report(const int32_t *truth, const int32_t *pred, size_t n, int full_matrix, int quiet)
{
    size_t correct = 0;
    for (size_t i = 0; i < n; i++)
        correct += truth[i] == pred[i];
    printf("accuracy: %.2f%%\n", 100.0 * (double)correct / (double)n);
    if (quiet)
        return;
    printf("correct: %zu / %zu\n", correct, n);

    /* Classes: every label that occurs as truth or prediction, ascending. */
    int32_t *both = cli_calloc_array(2 * n, sizeof(int32_t));
    if (!both)
        return;
    memcpy(both, truth, n * sizeof(int32_t));
    memcpy(both + n, pred, n * sizeof(int32_t));
    size_t k = 0;
    int32_t *classes = cli_distinct_labels(both, 2 * n, &k);
    free(both);
    if (!classes)
        return;
    size_t *matrix = k <= SIZE_MAX / sizeof(size_t) / k ? cli_calloc_array(k * k, sizeof(size_t)) : NULL;
    if (!matrix) {
        free(classes);
        return;
    }
    for (size_t i = 0; i < n; i++)
        matrix[label_index(classes, k, truth[i]) * k + label_index(classes, k, pred[i])]++;

    int width = 5;
    for (size_t c = 0; c < k; c++)
        if (digits_of(classes[c]) > width)
            width = digits_of(classes[c]);
    printf("per-class:\n  %*s  %9s  %9s  %9s\n", width, "label", "precision", "recall", "support");
    for (size_t c = 0; c < k; c++) {
        size_t tp = matrix[c * k + c], predicted = 0, support = 0;
        for (size_t j = 0; j < k; j++) {
            predicted += matrix[j * k + c];
            support += matrix[c * k + j];
        }
        char prec[32], rec[32];
        if (predicted)
            snprintf(prec, sizeof(prec), "%.2f%%", 100.0 * (double)tp / (double)predicted);
        else
            snprintf(prec, sizeof(prec), "n/a");
        if (support)
            snprintf(rec, sizeof(rec), "%.2f%%", 100.0 * (double)tp / (double)support);
        else
            snprintf(rec, sizeof(rec), "n/a");
        printf("  %*ld  %9s  %9s  %9zu\n", width, (long)classes[c], prec, rec, support);
    }

    if (k > CLI_MAX_PRINTED_CLASSES && !full_matrix) {
        printf("confusion matrix: %zu classes, not printed (use --full-matrix)\n", k);
    } else {
        int cw = width;
        for (size_t i = 0; i < k * k; i++)
            if (digits_of((long long)matrix[i]) > cw)
                cw = digits_of((long long)matrix[i]);
        printf("confusion matrix (rows = true label, columns = predicted label):\n");
        printf("  %*s", width, "");
        for (size_t c = 0; c < k; c++)
            printf(" %*ld", cw, (long)classes[c]);
        printf("\n");
        for (size_t r = 0; r < k; r++) {
            printf("  %*ld", width, (long)classes[r]);
            for (size_t c = 0; c < k; c++)
                printf(" %*zu", cw, matrix[r * k + c]);
            printf("\n");
        }
    }
    free(matrix);
    free(classes);
}

int cli_cmd_eval(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"split", required_argument, NULL, CLI_OPT_SPLIT},
        {"labels", required_argument, NULL, CLI_OPT_LABELS},
        {"threads", required_argument, NULL, CLI_OPT_THREADS},
        {"full-matrix", no_argument, NULL, OPT_FULL_MATRIX},
        {"proba", no_argument, NULL, OPT_PROBA},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_split_sel split = CLI_SPLIT_TEST;
    const char *labels_file = NULL;
    long threads_opt = CLI_DEFAULT_THREADS;
    int full_matrix = 0, want_proba = 0;
    int opt, rc = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (opt) {
        case CLI_OPT_SPLIT:
            rc = cli_parse_split(ctx, optarg, &split);
            break;
        case CLI_OPT_LABELS:
            labels_file = optarg;
            break;
        case CLI_OPT_THREADS:
            rc = cli_parse_int(ctx, "--threads", optarg, 0, CLI_MAX_THREADS, &threads_opt);
            break;
        case OPT_FULL_MATRIX:
            full_matrix = 1;
            break;
        case OPT_PROBA:
            want_proba = 1;
            break;
        case 'q':
            ctx->quiet = 1;
            break;
        case 'h':
            eval_help();
            return CLI_EXIT_OK;
        default:
            return cli_getopt_error(ctx, opt, optopt, argv, optind);
        }
        if (rc)
            return rc;
    }
    if (argc - optind < 2)
        return cli_usage_error(ctx, "missing operand%s: expected MODEL DATA", argc - optind == 1 ? "" : "s");
    if (argc - optind > 2)
        return cli_usage_error(ctx, "unexpected operand '%s'", argv[optind + 2]);
    const char *model_path = argv[optind];
    const char *data_dir = argv[optind + 1];
    int threads = cli_resolve_threads(threads_opt);

    hogfeat_pipeline *pipeline = NULL;
    hogfeat_status st = hogfeat_pipeline_load_file(model_path, NULL, &pipeline);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, model_path, st);
        return CLI_EXIT_RUNTIME;
    }
    const hogfeat_linsvm *svm = hogfeat_pipeline_linsvm(pipeline);
    const hogfeat_knn *knn = hogfeat_pipeline_knn(pipeline);
    if (!svm && !knn) {
        cli_error(ctx, model_path, "the model holds no classifier");
        hogfeat_pipeline_destroy(pipeline);
        return CLI_EXIT_RUNTIME;
    }
    if (want_proba && svm && !hogfeat_linsvm_has_probability(svm)) {
        cli_error(ctx, model_path,
                  "the SVM has no probability calibration (train it with 'hogfeat train --probability')");
        hogfeat_pipeline_destroy(pipeline);
        return CLI_EXIT_RUNTIME;
    }
    size_t model_dim = svm ? hogfeat_linsvm_num_features(svm) : hogfeat_knn_num_features(knn);
    int32_t model_classes = svm ? hogfeat_linsvm_num_classes(svm) : hogfeat_knn_num_classes(knn);

    cli_data data;
    cli_data_request req = {data_dir, labels_file, split, 1, 1};
    rc = cli_data_load(ctx, &req, &data);
    if (rc) {
        hogfeat_pipeline_destroy(pipeline);
        return rc;
    }
    float *features = NULL, *proba = NULL;
    int32_t *truth = NULL, *pred = NULL, *classes = NULL;
    size_t n = data.total, dim = 0;
    rc = cli_data_feature_length(ctx, pipeline, &data, &dim);
    if (rc)
        goto out;
    if (dim != model_dim) {
        cli_error(ctx, data_dir,
                  "these images give %zu features but the model expects %zu (trained on images of "
                  "another size or with a --resize that no longer fits?)",
                  dim, model_dim);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (n == 0) {
        cli_error(ctx, data_dir, "no images to evaluate");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    truth = cli_data_labels(&data);
    pred = cli_calloc_array(n, sizeof(int32_t));
    if (dim > SIZE_MAX / sizeof(float) / n || !truth || !pred ||
        !(features = cli_alloc_features(n, dim))) {
        cli_error(ctx, data_dir, "cannot allocate %zu x %zu features", n, dim);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    cli_progress progress;
    cli_progress_init(&progress, ctx, "extracting", n);
    double t0 = cli_now();
    rc = cli_extract_rows(ctx, pipeline, &data, 0, n, dim, threads, features, &progress, 0);
    double t_extract = cli_now() - t0;
    cli_progress_finish(&progress);
    if (rc)
        goto out;

    char message[512];
    t0 = cli_now();
    /* A KNN model predicts with the thread count stored in it (train
     * --threads, default all CPUs): splitting its rows over threads of our
     * own would oversubscribe the CPUs. SVM rows are split over --threads. */
    st = cli_predict_rows(svm, knn, features, n, dim, knn ? 1 : threads, pred, message, sizeof(message));
    double t_predict = cli_now() - t0;
    if (st != HOGFEAT_OK) {
        cli_lib_error_msg(ctx, model_path, st, message);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    if (!ctx->quiet) {
        printf("model: %s (%s, %ld classes, %zu features)\n", model_path, svm ? "linear SVM" : "KNN",
               (long)model_classes, model_dim);
        for (size_t s = 0; s < data.num_sets; s++)
            printf("data: %s: %zu images\n", data.sets[s]->description, data.sets[s]->count);
    }
    print_report(truth, pred, n, full_matrix, ctx->quiet);
    double t_proba = 0.0;
    if (want_proba && !ctx->quiet) {
        /* Rows x K probabilities, classes in the model's (ascending) order. */
        size_t k = model_classes > 0 ? (size_t)model_classes : 1;
        classes = cli_calloc_array(k, sizeof(int32_t));
        proba = k <= SIZE_MAX / sizeof(float) / n ? cli_calloc_array(n * k, sizeof(float)) : NULL;
        t0 = cli_now();
        st = !classes || !proba ? HOGFEAT_ERR_OUT_OF_MEMORY
             : svm              ? hogfeat_linsvm_get_labels(svm, classes, k)
                                : hogfeat_knn_get_labels(knn, classes, k);
        if (st == HOGFEAT_OK)
            st = svm ? hogfeat_linsvm_predict_proba(svm, features, n, dim, dim, proba, n * k)
                     : hogfeat_knn_predict_proba(knn, features, n, dim, dim, proba, n * k);
        t_proba = cli_now() - t0;
        if (st != HOGFEAT_OK) {
            cli_lib_error(ctx, model_path, st);
            rc = CLI_EXIT_RUNTIME;
            goto out;
        }
        double log_loss = 0.0, brier = 0.0;
        for (size_t i = 0; i < n; i++) {
            double p_true = 0.0; /* a label the model never saw has probability 0 */
            for (size_t c = 0; c < k; c++) {
                double p = proba[i * k + c], y = classes[c] == truth[i] ? 1.0 : 0.0;
                brier += (p - y) * (p - y);
                if (y > 0)
                    p_true = p;
            }
            log_loss -= log(p_true > CLI_LOG_LOSS_EPS ? (p_true < 1.0 ? p_true : 1.0) : CLI_LOG_LOSS_EPS);
        }
        printf("log loss: %.4f\n", log_loss / (double)n);
        printf("brier score: %.4f\n", brier / (double)n);
    }
    if (!ctx->quiet) {
        printf("extract: %.3f s (%.0f images/s, %d thread%s)\n", t_extract,
               t_extract > 0 ? (double)n / t_extract : 0.0, threads, threads == 1 ? "" : "s");
        printf("predict: %.3f s\n", t_predict);
        if (want_proba)
            printf("proba: %.3f s\n", t_proba);
    }
    rc = CLI_EXIT_OK;

out:
    free(features);
    free(proba);
    free(classes);
    free(truth);
    free(pred);
    cli_data_free(&data);
    hogfeat_pipeline_destroy(pipeline);
    return rc;
}
