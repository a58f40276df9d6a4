/* hogfeat bench [OPTIONS] DATA
 *
 * Loads both splits into memory, then times batch feature extraction of all
 * images, linear SVM training on the training features, SVM prediction, and
 * KNN prediction of the test features against the training features. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_K = CLI_OPT_FIRST_LOCAL };

static void bench_help(void)
{
    printf("Usage: hogfeat bench [OPTIONS] DATA\n"
           "\n"
           "Load the train and test splits of DATA into memory and time:\n"
           "  extract:      HOG extraction of every image (images/s)\n"
           "  svm-fit:      linear SVM training on the training features\n"
           "  svm-predict:  SVM prediction of the test features\n"
           "  knn-predict:  KNN prediction of the test features against the training features\n"
           "and print the accuracy of both classifiers on the test split. A PGM folder is\n"
           "one set and serves as both splits (the accuracies are then training accuracies).\n"
           "\n"
           "      --threads N       worker threads, 0 = all CPUs (default %d)\n"
           "      --labels FILE     labels file of a PGM folder (default DATA/" CLI_DEFAULT_LABELS_FILE ")\n"
           "  -C, --svm-c C         SVM regularisation constant (default %g)\n"
           "      --k N             KNN neighbours (default %d)\n"
           "  -q, --quiet           no progress line\n"
           "  -h, --help            show this help and exit\n"
           "\n",
           CLI_DEFAULT_THREADS, CLI_DEFAULT_SVM_C, CLI_DEFAULT_KNN_K);
    cli_features_help(stdout);
    printf("\nOther SVM and KNN settings are the defaults of 'hogfeat train'.\n"
           "Exit status: 0 success, 1 runtime error, 2 usage error.\n");
}

static double accuracy(const int32_t *truth, const int32_t *pred, size_t n)
{
    size_t correct = 0;
    for (size_t i = 0; i < n; i++)
        correct += truth[i] == pred[i];
    return n ? 100.0 * (double)correct / (double)n : 0.0;
}

int cli_cmd_bench(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_FEATURE_LONG_OPTIONS,
        {"threads", required_argument, NULL, CLI_OPT_THREADS},
        {"labels", required_argument, NULL, CLI_OPT_LABELS},
        {"svm-c", required_argument, NULL, 'C'},
        {"k", required_argument, NULL, OPT_K},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_features feat;
    cli_features_defaults(&feat);
    const char *labels_file = NULL;
    long threads_opt = CLI_DEFAULT_THREADS, k = CLI_DEFAULT_KNN_K;
    double svm_c = CLI_DEFAULT_SVM_C;
    int opt, rc = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":C:qh", longopts, NULL)) != -1) {
        rc = cli_features_option(ctx, &feat, opt, optarg);
        if (rc >= 0) {
            if (rc)
                return rc;
            continue;
        }
        rc = 0;
        switch (opt) {
        case CLI_OPT_THREADS:
            rc = cli_parse_int(ctx, "--threads", optarg, 0, CLI_MAX_THREADS, &threads_opt);
            break;
        case CLI_OPT_LABELS:
            labels_file = optarg;
            break;
        case 'C':
            rc = cli_parse_double(ctx, "--svm-c", optarg, 0.0, 1e30, 1, &svm_c);
            break;
        case OPT_K:
            rc = cli_parse_int(ctx, "--k", optarg, 1, 1024, &k);
            break;
        case 'q':
            ctx->quiet = 1;
            break;
        case 'h':
            bench_help();
            return CLI_EXIT_OK;
        default:
            return cli_getopt_error(ctx, opt, optopt, argv, optind);
        }
        if (rc)
            return rc;
    }
    if (optind >= argc)
        return cli_usage_error(ctx, "missing operand DATA");
    if (argc - optind > 1)
        return cli_usage_error(ctx, "unexpected operand '%s'", argv[optind + 1]);
    rc = cli_features_check(ctx, &feat);
    if (rc)
        return rc;
    const char *data_dir = argv[optind];
    int threads = cli_resolve_threads(threads_opt);

    hogfeat_pipeline *pipeline = NULL;
    if (cli_features_pipeline(ctx, &feat, &pipeline) != HOGFEAT_OK)
        return CLI_EXIT_RUNTIME;
    cli_data data;
    cli_data_request req = {data_dir, labels_file, CLI_SPLIT_BOTH, 1, 1};
    double t0 = cli_now();
    rc = cli_data_load(ctx, &req, &data);
    double t_load = cli_now() - t0;
    if (rc) {
        hogfeat_pipeline_destroy(pipeline);
        return rc;
    }

    float *features = NULL;
    int32_t *labels = NULL, *pred = NULL;
    hogfeat_linsvm_params *svm_params = NULL;
    hogfeat_knn_params *knn_params = NULL;
    hogfeat_linsvm *svm = NULL;
    hogfeat_knn *knn = NULL;
    size_t n = data.total, dim = 0;
    /* Rows [0, n_train) train; [test_first, test_first + n_test) test. */
    size_t n_train = data.sets[0]->count;
    size_t test_first = data.num_sets > 1 ? n_train : 0;
    size_t n_test = data.num_sets > 1 ? data.sets[1]->count : n_train;
    const char *fail_file = data_dir;
    hogfeat_status st = HOGFEAT_OK;

    rc = cli_features_prepare(ctx, &feat, pipeline, &data);
    if (rc == 0)
        rc = cli_data_feature_length(ctx, pipeline, &data, &dim);
    if (rc)
        goto out;
    labels = cli_data_labels(&data);
    pred = cli_calloc_array(n_test, sizeof(int32_t));
    if (n == 0 || dim > SIZE_MAX / sizeof(float) / n || !labels || !pred ||
        !(features = cli_alloc_features(n, dim))) {
        cli_error(ctx, data_dir, "cannot allocate %zu x %zu features", n, dim);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    printf("data: %s", data.sets[0]->description);
    if (data.num_sets > 1)
        printf(" + %s", data.sets[1]->description);
    printf(": %zu train, %zu test images, loaded in %.3f s\n", n_train, n_test, t_load);
    printf("features: %zu per image, %d thread%s\n", dim, threads, threads == 1 ? "" : "s");
    fflush(stdout);

    cli_progress progress;
    cli_progress_init(&progress, ctx, "extracting", n);
    t0 = cli_now();
    rc = cli_extract_rows(ctx, pipeline, &data, 0, n, dim, threads, features, &progress, 0);
    double t_extract = cli_now() - t0;
    cli_progress_finish(&progress);
    if (rc)
        goto out;
    cli_data_release_pixels(&data);
    printf("extract: %.0f images/s (%zu images in %.3f s)\n", t_extract > 0 ? (double)n / t_extract : 0.0, n,
           t_extract);
    fflush(stdout);

    const float *train_x = features, *test_x = features + test_first * dim;
    const int32_t *train_y = labels, *test_y = labels + test_first;

    st = hogfeat_linsvm_params_create(&svm_params);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_c(svm_params, svm_c);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_loss(svm_params, CLI_DEFAULT_SVM_LOSS);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_bias(svm_params, CLI_DEFAULT_SVM_BIAS);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_tolerance(svm_params, CLI_DEFAULT_SVM_TOL);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_max_iterations(svm_params, CLI_DEFAULT_SVM_MAX_ITER);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_seed(svm_params, CLI_DEFAULT_SEED);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_threads(svm_params, threads);
    if (st != HOGFEAT_OK)
        goto lib_fail;
    t0 = cli_now();
    st = hogfeat_linsvm_train(svm_params, train_x, n_train, dim, dim, train_y, &svm);
    double t_svm_fit = cli_now() - t0;
    if (st != HOGFEAT_OK)
        goto lib_fail;
    printf("svm-fit: %.3f s (C=%g, %zu samples)\n", t_svm_fit, svm_c, n_train);
    fflush(stdout);

    t0 = cli_now();
    st = hogfeat_linsvm_predict(svm, test_x, n_test, dim, dim, pred);
    double t_svm_predict = cli_now() - t0;
    if (st != HOGFEAT_OK)
        goto lib_fail;
    double svm_acc = accuracy(test_y, pred, n_test);
    printf("svm-predict: %.3f s (%zu samples)\n", t_svm_predict, n_test);
    printf("svm-accuracy: %.2f%%\n", svm_acc);
    fflush(stdout);

    st = hogfeat_knn_params_create(&knn_params);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_k(knn_params, (int32_t)k);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_metric(knn_params, CLI_DEFAULT_KNN_METRIC);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_weighting(knn_params, CLI_DEFAULT_KNN_WEIGHTING);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_threads(knn_params, threads);
    if (st != HOGFEAT_OK)
        goto lib_fail;
    t0 = cli_now();
    st = hogfeat_knn_fit(knn_params, train_x, n_train, dim, dim, train_y, &knn);
    double t_knn_fit = cli_now() - t0;
    if (st != HOGFEAT_OK)
        goto lib_fail;
    t0 = cli_now();
    st = hogfeat_knn_predict(knn, test_x, n_test, dim, dim, pred);
    double t_knn_predict = cli_now() - t0;
    if (st != HOGFEAT_OK)
        goto lib_fail;
    printf("knn-predict: %.3f s (k=%ld, %zu x %zu samples; fit %.3f s)\n", t_knn_predict, k, n_test, n_train,
           t_knn_fit);
    printf("knn-accuracy: %.2f%%\n", accuracy(test_y, pred, n_test));
    rc = CLI_EXIT_OK;
    goto out;

lib_fail:
    cli_lib_error(ctx, fail_file, st);
    rc = CLI_EXIT_RUNTIME;
out:
    hogfeat_linsvm_params_destroy(svm_params);
    hogfeat_knn_params_destroy(knn_params);
    hogfeat_linsvm_destroy(svm);
    hogfeat_knn_destroy(knn);
    free(features);
    free(labels);
    free(pred);
    cli_data_free(&data);
    hogfeat_pipeline_destroy(pipeline);
    return rc;
}
