/* hogfeat train [OPTIONS] DATA -o MODEL
 *
 * Builds a pipeline (resize, blur, descriptors, feature map), extracts the
 * features of every training image (and, with --jitter, of shifted copies
 * of it) into one matrix, trains a linear SVM or a KNN model on it,
 * attaches the classifier and saves the pipeline as one model file. */
#include "cli.h"

#include <getopt.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    OPT_CLASSIFIER = CLI_OPT_FIRST_LOCAL,
    OPT_LOSS,
    OPT_BIAS,
    OPT_TOL,
    OPT_MAX_ITER,
    OPT_SEED,
    OPT_K,
    OPT_METRIC,
    OPT_WEIGHTING,
    OPT_MULTICLASS,
    OPT_PROBABILITY,
    OPT_JITTER,
    OPT_JITTER_PX
};

/* Shifts of --jitter, as (dx, dy): 4 = up, down, left, right; 8 = those
 * and the four diagonals. Multiplied by --jitter-px. */
static const int jitter_shifts[8][2] = {{0, -1}, {0, 1}, {-1, 0}, {1, 0}, {-1, -1}, {1, -1}, {-1, 1}, {1, 1}};

static const char *const multiclass_names[] = {"ovr", "ovo", "cs", NULL};

static void train_help(void)
{
    printf("Usage: hogfeat train [OPTIONS] DATA -o MODEL\n"
           "\n"
           "Extract HOG features of the training split of DATA, train a classifier and\n"
           "save preprocessing, HOG settings and classifier as one model file.\n"
           "\n"
           "  -o, --output MODEL    model file to write (required; replaced atomically)\n"
           "      --split SPLIT     MNIST split to train on: train, test, both (default train)\n"
           "      --labels FILE     labels file of a PGM folder (default DATA/" CLI_DEFAULT_LABELS_FILE ")\n"
           "      --threads N       worker threads for extraction and SVM training, 0 = all\n"
           "                        CPUs (default %d); a KNN model keeps it for prediction\n"
           "      --jitter N        training augmentation: each image also contributes N\n"
           "                        shifted copies, 0, 4 (up, down, left, right) or 8 (and\n"
           "                        the diagonals); borders repeat the edge pixels (default %d)\n"
           "      --jitter-px P     shift of the --jitter copies in pixels, 1-%d (default %d)\n"
           "  -q, --quiet           no progress line and no summary\n"
           "  -h, --help            show this help and exit\n"
           "\n",
           CLI_DEFAULT_THREADS, CLI_DEFAULT_JITTER, CLI_MAX_JITTER_PX, CLI_DEFAULT_JITTER_PX);
    cli_features_help(stdout);
    printf("\n"
           "Classifier options:\n"
           "      --classifier NAME  svm or knn (default svm)\n"
           "  -C, --svm-c C         SVM regularisation constant, > 0 (default %g)\n"
           "      --multiclass NAME SVM strategy for more than two classes: ovr (one-vs-rest),\n"
           "                        ovo (one-vs-one) or cs (Crammer-Singer) (default %s)\n"
           "      --probability     SVM: also fit calibrated class probabilities (Platt, 5-fold\n"
           "                        cross-validation; about 6 times the training time)\n"
           "      --loss NAME       SVM loss: l2 (squared hinge) or l1 (hinge) (default %s)\n"
           "      --bias B          SVM bias feature value, 0 = no bias (default %g)\n"
           "      --tol E           SVM stopping tolerance, > 0 (default %g)\n"
           "      --max-iter N      SVM solver passes per binary problem (default %d)\n"
           "      --seed N          SVM sample-order seed and RBF map seed; same seed, same\n"
           "                        model (default %d)\n"
           "      --k N             KNN neighbours, 1-1024 (default %d)\n"
           "      --metric NAME     KNN distance: l2, l1, cosine, chi2 (default %s)\n"
           "      --weighting NAME  KNN votes: uniform or distance (default %s)\n"
           "\n"
           "Prints the dataset size, feature dimension, extraction and training times and\n"
           "the model path. Exit status: 0 success, 1 runtime error, 2 usage error.\n",
           CLI_DEFAULT_SVM_C, multiclass_names[CLI_DEFAULT_SVM_MULTICLASS - 1], cli_loss_name(CLI_DEFAULT_SVM_LOSS),
           CLI_DEFAULT_SVM_BIAS, CLI_DEFAULT_SVM_TOL, CLI_DEFAULT_SVM_MAX_ITER, CLI_DEFAULT_SEED, CLI_DEFAULT_KNN_K,
           cli_metric_name(CLI_DEFAULT_KNN_METRIC),
           cli_weighting_name(CLI_DEFAULT_KNN_WEIGHTING));
}

typedef struct train_options {
    cli_features features;
    const char *output;
    const char *data;
    const char *labels_file;
    cli_split_sel split;
    long threads;
    int use_knn;
    double svm_c;
    int loss;
    double bias;
    double tol;
    long max_iter;
    long seed;
    long k;
    int metric;
    int weighting;
    int multiclass;
    int probability;
    long jitter;
    long jitter_px;
    int svm_option_given; /* for warnings about options the classifier ignores */
    int knn_option_given;
    int seed_given;
} train_options;

/* SVM training progress on the terminal. The callback runs on training
 * threads, so it only touches atomics and makes single stdio calls. */
typedef struct train_progress {
    int enabled;
    atomic_int shown;
} train_progress;

static int train_progress_cb(void *user_data, int32_t classes_done, int32_t classes_total)
{
    train_progress *tp = user_data;
    int prev = atomic_load(&tp->shown);
    while (classes_done > prev) {
        if (atomic_compare_exchange_weak(&tp->shown, &prev, classes_done)) {
            fprintf(stderr, "\rtraining: %d/%d binary problems", (int)classes_done, (int)classes_total);
            break;
        }
    }
    return 0;
}

static int parse_train_options(cli_ctx *ctx, int argc, char **argv, train_options *o, int *done)
{
    static const char *const classifier_names[] = {"svm", "knn", NULL};
    static const char *const loss_names[] = {"l2", "l1", NULL};
    static const char *const metric_names[] = {"l2", "l1", "cosine", "chi2", NULL};
    static const char *const weighting_names[] = {"uniform", "distance", NULL};
    static const struct option longopts[] = {
        CLI_FEATURE_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"split", required_argument, NULL, CLI_OPT_SPLIT},
        {"labels", required_argument, NULL, CLI_OPT_LABELS},
        {"threads", required_argument, NULL, CLI_OPT_THREADS},
        {"classifier", required_argument, NULL, OPT_CLASSIFIER},
        {"svm-c", required_argument, NULL, 'C'},
        {"loss", required_argument, NULL, OPT_LOSS},
        {"bias", required_argument, NULL, OPT_BIAS},
        {"tol", required_argument, NULL, OPT_TOL},
        {"max-iter", required_argument, NULL, OPT_MAX_ITER},
        {"seed", required_argument, NULL, OPT_SEED},
        {"k", required_argument, NULL, OPT_K},
        {"metric", required_argument, NULL, OPT_METRIC},
        {"weighting", required_argument, NULL, OPT_WEIGHTING},
        {"multiclass", required_argument, NULL, OPT_MULTICLASS},
        {"probability", no_argument, NULL, OPT_PROBABILITY},
        {"jitter", required_argument, NULL, OPT_JITTER},
        {"jitter-px", required_argument, NULL, OPT_JITTER_PX},
        {NULL, 0, NULL, 0},
    };
    *done = 0;
    cli_features_defaults(&o->features);
    o->output = NULL;
    o->data = NULL;
    o->labels_file = NULL;
    o->split = CLI_SPLIT_TRAIN;
    o->threads = CLI_DEFAULT_THREADS;
    o->use_knn = 0;
    o->svm_c = CLI_DEFAULT_SVM_C;
    o->loss = CLI_DEFAULT_SVM_LOSS;
    o->bias = CLI_DEFAULT_SVM_BIAS;
    o->tol = CLI_DEFAULT_SVM_TOL;
    o->max_iter = CLI_DEFAULT_SVM_MAX_ITER;
    o->seed = CLI_DEFAULT_SEED;
    o->k = CLI_DEFAULT_KNN_K;
    o->metric = CLI_DEFAULT_KNN_METRIC;
    o->weighting = CLI_DEFAULT_KNN_WEIGHTING;
    o->multiclass = CLI_DEFAULT_SVM_MULTICLASS;
    o->probability = 0;
    o->jitter = CLI_DEFAULT_JITTER;
    o->jitter_px = CLI_DEFAULT_JITTER_PX;
    o->svm_option_given = 0;
    o->knn_option_given = 0;
    o->seed_given = 0;

    opterr = 0;
    int opt, rc = 0, i;
    while ((opt = getopt_long(argc, argv, ":o:qhC:", longopts, NULL)) != -1) {
        rc = cli_features_option(ctx, &o->features, opt, optarg);
        if (rc >= 0) {
            if (rc)
                return rc;
            continue;
        }
        rc = 0;
        switch (opt) {
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            ctx->quiet = 1;
            break;
        case 'h':
            train_help();
            *done = 1;
            return 0;
        case CLI_OPT_SPLIT:
            rc = cli_parse_split(ctx, optarg, &o->split);
            break;
        case CLI_OPT_LABELS:
            o->labels_file = optarg;
            break;
        case CLI_OPT_THREADS:
            rc = cli_parse_int(ctx, "--threads", optarg, 0, CLI_MAX_THREADS, &o->threads);
            break;
        case OPT_CLASSIFIER:
            i = cli_parse_choice(ctx, "--classifier", optarg, classifier_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            o->use_knn = i == 1;
            break;
        case 'C':
            rc = cli_parse_double(ctx, "--svm-c", optarg, 0.0, 1e30, 1, &o->svm_c);
            o->svm_option_given = 1;
            break;
        case OPT_LOSS:
            i = cli_parse_choice(ctx, "--loss", optarg, loss_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            o->loss = i == 0 ? HOGFEAT_SVM_LOSS_SQUARED_HINGE : HOGFEAT_SVM_LOSS_HINGE;
            o->svm_option_given = 1;
            break;
        case OPT_BIAS:
            rc = cli_parse_double(ctx, "--bias", optarg, 0.0, 1e30, 0, &o->bias);
            o->svm_option_given = 1;
            break;
        case OPT_TOL:
            rc = cli_parse_double(ctx, "--tol", optarg, 0.0, 1e30, 1, &o->tol);
            o->svm_option_given = 1;
            break;
        case OPT_MAX_ITER:
            rc = cli_parse_int(ctx, "--max-iter", optarg, 1, INT32_MAX, &o->max_iter);
            o->svm_option_given = 1;
            break;
        case OPT_SEED:
            rc = cli_parse_int(ctx, "--seed", optarg, INT32_MIN, INT32_MAX, &o->seed);
            o->seed_given = 1;
            break;
        case OPT_MULTICLASS:
            i = cli_parse_choice(ctx, "--multiclass", optarg, multiclass_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            o->multiclass = i + 1;
            o->svm_option_given = 1;
            break;
        case OPT_PROBABILITY:
            o->probability = 1;
            o->svm_option_given = 1;
            break;
        case OPT_JITTER:
            rc = cli_parse_int(ctx, "--jitter", optarg, 0, 8, &o->jitter);
            if (rc == 0 && o->jitter != 0 && o->jitter != 4 && o->jitter != 8)
                return cli_usage_error(ctx, "--jitter: %ld copies; expected 0, 4 or 8", o->jitter);
            break;
        case OPT_JITTER_PX:
            rc = cli_parse_int(ctx, "--jitter-px", optarg, 1, CLI_MAX_JITTER_PX, &o->jitter_px);
            break;
        case OPT_K:
            rc = cli_parse_int(ctx, "--k", optarg, 1, 1024, &o->k);
            o->knn_option_given = 1;
            break;
        case OPT_METRIC:
            i = cli_parse_choice(ctx, "--metric", optarg, metric_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            o->metric = i + 1;
            o->knn_option_given = 1;
            break;
        case OPT_WEIGHTING:
            i = cli_parse_choice(ctx, "--weighting", optarg, weighting_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            o->weighting = i + 1;
            o->knn_option_given = 1;
            break;
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
    o->data = argv[optind];
    if (!o->output)
        return cli_usage_error(ctx, "missing -o MODEL (the model file to write)");
    rc = cli_features_check(ctx, &o->features);
    if (rc)
        return rc;
    o->features.map_seed = (int32_t)o->seed;
    /* --seed also draws an RBF map, which KNN uses too. */
    if (o->seed_given && o->features.map != HOGFEAT_FEATURE_MAP_RBF)
        o->svm_option_given = 1;
    if (o->use_knn && o->svm_option_given)
        cli_error(ctx, NULL, "warning: SVM options are ignored with --classifier knn");
    if (!o->use_knn && o->knn_option_given)
        cli_error(ctx, NULL, "warning: KNN options are ignored with --classifier svm");
    return 0;
}

static hogfeat_status train_svm(const train_options *o, train_progress *tp, const float *features,
                                size_t n, size_t dim, const int32_t *labels, hogfeat_linsvm **out)
{
    hogfeat_linsvm_params *params = NULL;
    hogfeat_status st = hogfeat_linsvm_params_create(&params);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_c(params, o->svm_c);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_loss(params, (hogfeat_svm_loss)o->loss);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_bias(params, o->bias);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_tolerance(params, o->tol);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_max_iterations(params, (int32_t)o->max_iter);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_seed(params, (int32_t)o->seed);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_threads(params, (int32_t)o->threads);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_multiclass(params, (hogfeat_svm_multiclass)o->multiclass);
    if (st == HOGFEAT_OK && o->probability)
        st = hogfeat_linsvm_params_set_probability(params, 1);
    if (st == HOGFEAT_OK && tp->enabled)
        st = hogfeat_linsvm_params_set_progress(params, train_progress_cb, tp);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_train(params, features, n, dim, dim, labels, out);
    hogfeat_linsvm_params_destroy(params);
    return st;
}

static hogfeat_status train_knn(const train_options *o, const float *features, size_t n,
                                size_t dim, const int32_t *labels, hogfeat_knn **out)
{
    hogfeat_knn_params *params = NULL;
    hogfeat_status st = hogfeat_knn_params_create(&params);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_k(params, (int32_t)o->k);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_metric(params, (hogfeat_metric)o->metric);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_weighting(params, (hogfeat_knn_weighting)o->weighting);
    if (st == HOGFEAT_OK)
        /* A KNN model stores this as its prediction thread count: pass the
         * option as given (0 = all CPUs of whatever machine predicts), so
         * that the file does not depend on the CPUs of the training machine. */
        st = hogfeat_knn_params_set_threads(params, (int32_t)o->threads);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_fit(params, features, n, dim, dim, labels, out);
    hogfeat_knn_params_destroy(params);
    return st;
}

int cli_cmd_train(cli_ctx *ctx, int argc, char **argv)
{
    train_options o;
    int done = 0;
    int rc = parse_train_options(ctx, argc, argv, &o, &done);
    if (rc || done)
        return rc;
    int threads = cli_resolve_threads(o.threads);

    cli_data data;
    cli_data_request req = {o.data, o.labels_file, o.split, 1, 1};
    hogfeat_pipeline *pipeline = NULL;
    float *features = NULL;
    int32_t *labels = NULL;
    int32_t *classes = NULL;
    hogfeat_linsvm *svm = NULL;
    hogfeat_knn *knn = NULL;

    if (cli_features_pipeline(ctx, &o.features, &pipeline) != HOGFEAT_OK)
        return CLI_EXIT_RUNTIME;
    rc = cli_data_load(ctx, &req, &data);
    if (rc) {
        hogfeat_pipeline_destroy(pipeline);
        return rc;
    }

    /* Rows: the n images, then, for each --jitter shift in jitter_shifts
     * order, the n images shifted; the labels repeat. */
    size_t dim = 0, n = data.total, num_classes = 0;
    size_t copies = 1 + (size_t)o.jitter, rows = 0;
    size_t image_w = 0, image_h = 0; /* for the summary: the first image's size */
    cli_data_first_size(&data, &image_w, &image_h);
    rc = cli_features_prepare(ctx, &o.features, pipeline, &data);
    if (rc == 0)
        rc = cli_data_feature_length(ctx, pipeline, &data, &dim);
    if (rc)
        goto out;
    if (n < 2) {
        cli_error(ctx, o.data, "%zu image(s): training needs at least 2", n);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (n > SIZE_MAX / copies || !(features = cli_alloc_features(n * copies, dim))) {
        cli_error(ctx, o.data, "cannot allocate %zu x %zu features", n * copies, dim);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    rows = n * copies;
    labels = cli_calloc_array(rows, sizeof(int32_t));
    int32_t *image_labels = cli_data_labels(&data);
    int have_labels = labels && image_labels;
    if (have_labels)
        for (size_t c = 0; c < copies; c++)
            memcpy(labels + c * n, image_labels, n * sizeof(int32_t));
    free(image_labels);
    classes = have_labels ? cli_distinct_labels(labels, n, &num_classes) : NULL;
    if (!labels || !classes) {
        cli_error(ctx, o.data, "out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    cli_progress progress;
    cli_progress_init(&progress, ctx, "extracting", rows);
    double t0 = cli_now();
    for (size_t c = 0; c < copies && rc == 0; c++) {
        int dx = c ? jitter_shifts[c - 1][0] * (int)o.jitter_px : 0;
        int dy = c ? jitter_shifts[c - 1][1] * (int)o.jitter_px : 0;
        rc = cli_extract_rows_shifted(ctx, pipeline, &data, 0, n, dim, threads, dx, dy, features + c * n * dim,
                                      &progress, c * n);
    }
    double t_extract = cli_now() - t0;
    cli_progress_finish(&progress);
    if (rc)
        goto out;
    /* The images are no longer needed: training holds only the matrix. */
    cli_data_release_pixels(&data);

    train_progress tp;
    tp.enabled = ctx->stderr_tty && !ctx->quiet;
    atomic_init(&tp.shown, -1);
    t0 = cli_now();
    hogfeat_status st = o.use_knn ? train_knn(&o, features, rows, dim, labels, &knn)
                                  : train_svm(&o, &tp, features, rows, dim, labels, &svm);
    double t_train = cli_now() - t0;
    if (tp.enabled && !o.use_knn)
        fprintf(stderr, "\r%48s\r", "");
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, o.data, st);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    /* The classifier no longer needs the matrix (KNN copied it); free it
     * before saving, which may serialise a large KNN model in memory. */
    free(features);
    features = NULL;
    st = o.use_knn ? hogfeat_pipeline_set_knn(pipeline, knn) : hogfeat_pipeline_set_linsvm(pipeline, svm);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_save_file(pipeline, o.output);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, o.output, st);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    if (!ctx->quiet) {
        struct stat sb;
        long long model_bytes = stat(o.output, &sb) == 0 ? (long long)sb.st_size : -1;
        printf("data: %s: %zu images", data.sets[0]->description, data.sets[0]->count);
        if (data.num_sets > 1)
            printf(" + %s: %zu images", data.sets[1]->description, data.sets[1]->count);
        printf(", %zu classes\n", num_classes);
        if (o.jitter)
            printf("jitter: %ld shifted copies of each image (%ld px), %zu training rows\n", o.jitter, o.jitter_px,
                   rows);
        printf("features: %zu per image\n", dim);
        char description[1024];
        cli_describe_features(pipeline, image_w, image_h, description, sizeof(description));
        printf("descriptors: %s\n", description);
        printf("extract: %.3f s (%.0f images/s, %d thread%s)\n", t_extract,
               t_extract > 0 ? (double)rows / t_extract : 0.0, threads, threads == 1 ? "" : "s");
        if (o.use_knn)
            printf("train: %.3f s (KNN, k=%ld, metric %s, %s votes)\n", t_train, o.k, cli_metric_name(o.metric),
                   cli_weighting_name(o.weighting));
        else
            /* Crammer-Singer has its own multi-class hinge loss. */
            printf("train: %.3f s (linear SVM, %s, C=%g%s%s, bias %g, tol %g%s)\n", t_train,
                   cli_multiclass_name(o.multiclass), o.svm_c,
                   o.multiclass == HOGFEAT_SVM_CRAMMER_SINGER ? "" : ", loss ",
                   o.multiclass == HOGFEAT_SVM_CRAMMER_SINGER ? "" : cli_loss_name(o.loss), o.bias, o.tol,
                   o.probability ? ", probabilities" : "");
        printf("total: %.3f s (extract + train)\n", t_extract + t_train);
        printf("model: %s (%lld bytes)\n", o.output, model_bytes);
    }
    rc = CLI_EXIT_OK;

out:
    hogfeat_linsvm_destroy(svm);
    hogfeat_knn_destroy(knn);
    hogfeat_pipeline_destroy(pipeline);
    free(features);
    free(labels);
    free(classes);
    cli_data_free(&data);
    return rc;
}
