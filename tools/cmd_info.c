/* hogfeat info MODEL
 *
 * Describes a model file: a pipeline (preprocessing + HOG + classifier) or a
 * bare classifier saved by the library. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Labels printed before the list is abbreviated. */
#define INFO_MAX_LABELS 32

static void info_help(void)
{
    printf("Usage: hogfeat info MODEL\n"
           "\n"
           "Print what a model file holds: classifier kind, classes and their labels,\n"
           "feature dimension, descriptors (HOG, LBP), feature map, preprocessing and\n"
           "file size.\n"
           "\n"
           "  -h, --help            show this help and exit\n"
           "\n"
           "Exit status: 0 success, 1 runtime error (unreadable or corrupt file), 2 usage error.\n");
}

static void print_labels(const int32_t *labels, size_t n)
{
    printf("  labels:");
    for (size_t i = 0; i < n && i < INFO_MAX_LABELS; i++)
        printf(" %ld", (long)labels[i]);
    if (n > INFO_MAX_LABELS)
        printf(" ... (%zu more)", n - INFO_MAX_LABELS);
    printf("\n");
}

static int print_svm(const cli_ctx *ctx, const char *path, const hogfeat_linsvm *svm)
{
    int32_t k = hogfeat_linsvm_num_classes(svm);
    int32_t *labels = cli_calloc_array(k > 0 ? (size_t)k : 1, sizeof(int32_t));
    if (!labels) {
        cli_error(ctx, path, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    hogfeat_status st = hogfeat_linsvm_get_labels(svm, labels, (size_t)k);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, path, st);
        free(labels);
        return CLI_EXIT_RUNTIME;
    }
    int multiclass = hogfeat_linsvm_multiclass(svm);
    if (multiclass == HOGFEAT_SVM_OVR && k == 2)
        printf("classifier: linear SVM (one hyperplane)\n");
    else
        printf("classifier: linear SVM (%s, %zu hyperplanes)\n", cli_multiclass_name(multiclass),
               hogfeat_linsvm_num_vectors(svm));
    printf("  classes: %ld\n", (long)k);
    print_labels(labels, (size_t)k);
    printf("  feature dimension: %zu\n", hogfeat_linsvm_num_features(svm));
    double bias = hogfeat_linsvm_bias(svm);
    if (bias > 0)
        printf("  bias feature: %g\n", bias);
    else
        printf("  bias feature: none\n");
    printf("  probabilities: %s\n", hogfeat_linsvm_has_probability(svm) ? "calibrated (Platt)" : "no");
    free(labels);
    return 0;
}

static int print_knn(const cli_ctx *ctx, const char *path, const hogfeat_knn *knn)
{
    int32_t k = hogfeat_knn_num_classes(knn);
    int32_t *labels = cli_calloc_array(k > 0 ? (size_t)k : 1, sizeof(int32_t));
    if (!labels) {
        cli_error(ctx, path, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    hogfeat_status st = hogfeat_knn_get_labels(knn, labels, (size_t)k);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, path, st);
        free(labels);
        return CLI_EXIT_RUNTIME;
    }
    printf("classifier: KNN (k = %ld)\n", (long)hogfeat_knn_k(knn));
    printf("  classes: %ld\n", (long)k);
    print_labels(labels, (size_t)k);
    printf("  feature dimension: %zu\n", hogfeat_knn_num_features(knn));
    printf("  stored training samples: %zu\n", hogfeat_knn_num_samples(knn));
    free(labels);
    return 0;
}

static void print_hog(const hogfeat_hog_config *hog)
{
    int32_t bins = hogfeat_hog_config_get_orientations(hog);
    int sign = hogfeat_hog_config_get_signed_orientations(hog);
    printf("  orientations: %ld bins over %s\n", (long)bins, sign ? "0-360 degrees (signed)" : "0-180 degrees (unsigned)");
    printf("  cell: %ldx%ld px\n", (long)hogfeat_hog_config_get_cell_width(hog),
           (long)hogfeat_hog_config_get_cell_height(hog));
    printf("  block: %ldx%ld cells, stride %ldx%ld cells\n", (long)hogfeat_hog_config_get_block_width(hog),
           (long)hogfeat_hog_config_get_block_height(hog), (long)hogfeat_hog_config_get_block_stride_x(hog),
           (long)hogfeat_hog_config_get_block_stride_y(hog));
    printf("  normalisation: %s\n", cli_norm_name(hogfeat_hog_config_get_block_norm(hog)));
    printf("  sqrt compression: %s\n", hogfeat_hog_config_get_transform_sqrt(hog) ? "on" : "off");
}

static const char *lbp_method_name(int method)
{
    static const char *const names[] = {"default", "ror", "uniform", "nri_uniform", "var"};
    return method >= 1 && method <= 5 ? names[method - 1] : "?";
}

static const char *lbp_norm_name(int norm)
{
    static const char *const names[] = {"none", "L1", "L2"};
    return norm >= 1 && norm <= 3 ? names[norm - 1] : "?";
}

static void print_pipeline(const hogfeat_pipeline *pipeline)
{
    /* Descriptor 0 is the pipeline's HOG; further ones follow it in the
     * feature vector, in this order. */
    size_t nd = hogfeat_pipeline_num_descriptors(pipeline);
    printf("HOG:\n");
    print_hog(hogfeat_pipeline_hog_config(pipeline));
    printf("descriptors: %zu\n", nd);
    for (size_t i = 0; i < nd; i++) {
        const hogfeat_hog_config *hog = hogfeat_pipeline_descriptor_hog(pipeline, i);
        const hogfeat_lbp_config *lbp = hogfeat_pipeline_descriptor_lbp(pipeline, i);
        if (hog) {
            printf("  %zu: HOG, cell %ldx%ld px, block %ldx%ld cells, stride %ldx%ld, %ld bins %s, %s%s\n", i,
                   (long)hogfeat_hog_config_get_cell_width(hog), (long)hogfeat_hog_config_get_cell_height(hog),
                   (long)hogfeat_hog_config_get_block_width(hog), (long)hogfeat_hog_config_get_block_height(hog),
                   (long)hogfeat_hog_config_get_block_stride_x(hog), (long)hogfeat_hog_config_get_block_stride_y(hog),
                   (long)hogfeat_hog_config_get_orientations(hog),
                   hogfeat_hog_config_get_signed_orientations(hog) ? "signed" : "unsigned",
                   cli_norm_name(hogfeat_hog_config_get_block_norm(hog)),
                   hogfeat_hog_config_get_transform_sqrt(hog) ? ", sqrt" : "");
        } else if (lbp) {
            printf("  %zu: LBP, cell %ldx%ld px, %ld points, radius %g, %s codes, %s histograms\n", i,
                   (long)hogfeat_lbp_config_get_cell_width(lbp), (long)hogfeat_lbp_config_get_cell_height(lbp),
                   (long)hogfeat_lbp_config_get_points(lbp), (double)hogfeat_lbp_config_get_radius(lbp),
                   lbp_method_name(hogfeat_lbp_config_get_method(lbp)),
                   lbp_norm_name(hogfeat_lbp_config_get_norm(lbp)));
        } else {
            printf("  %zu: kind %d\n", i, hogfeat_pipeline_descriptor_kind(pipeline, i));
        }
    }
    int map = hogfeat_pipeline_feature_map(pipeline);
    switch (map) {
    case HOGFEAT_FEATURE_MAP_NONE:
        printf("feature map: none\n");
        break;
    case HOGFEAT_FEATURE_MAP_HELLINGER:
        printf("feature map: hellinger (signed square root)\n");
        break;
    case HOGFEAT_FEATURE_MAP_CHI2:
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        printf("feature map: %s, %ld steps, interval %g\n", cli_map_name(map),
               (long)hogfeat_pipeline_feature_map_param(pipeline), hogfeat_pipeline_feature_map_param2(pipeline));
        break;
    case HOGFEAT_FEATURE_MAP_RBF:
        printf("feature map: rbf, %ld components, gamma %g, seed %ld, input length %zu\n",
               (long)hogfeat_pipeline_feature_map_param(pipeline), hogfeat_pipeline_feature_map_param2(pipeline),
               (long)hogfeat_pipeline_feature_map_seed(pipeline), hogfeat_pipeline_feature_map_input_length(pipeline));
        break;
    default:
        printf("feature map: unknown (%d)\n", map);
        break;
    }
    printf("preprocessing:\n");
    size_t rw = hogfeat_pipeline_resize_width(pipeline), rh = hogfeat_pipeline_resize_height(pipeline);
    if (rw && rh)
        printf("  resize: %zux%zu (bilinear)\n", rw, rh);
    else
        printf("  resize: off\n");
    double sigma = hogfeat_pipeline_blur(pipeline);
    if (sigma > 0)
        printf("  blur: Gaussian, sigma %g px\n", sigma);
    else
        printf("  blur: off\n");
}

int cli_cmd_info(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            info_help();
            return CLI_EXIT_OK;
        default:
            return cli_getopt_error(ctx, opt, optopt, argv, optind);
        }
    }
    if (argc - optind < 1)
        return cli_usage_error(ctx, "missing operand MODEL");
    if (argc - optind > 1)
        return cli_usage_error(ctx, "unexpected operand '%s'", argv[optind + 1]);
    const char *path = argv[optind];

    hogfeat_pipeline *pipeline = NULL;
    hogfeat_status st = hogfeat_pipeline_load_file(path, NULL, &pipeline);
    int rc = CLI_EXIT_OK;
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    if (st == HOGFEAT_OK) {
        printf("file: %s\n", path);
        printf("size: %lld bytes\n", size);
        printf("content: pipeline (preprocessing, HOG and classifier)\n");
        const hogfeat_linsvm *svm = hogfeat_pipeline_linsvm(pipeline);
        const hogfeat_knn *knn = hogfeat_pipeline_knn(pipeline);
        if (svm)
            rc = print_svm(ctx, path, svm);
        else if (knn)
            rc = print_knn(ctx, path, knn);
        else
            printf("classifier: none\n");
        if (rc == 0)
            print_pipeline(pipeline);
        hogfeat_pipeline_destroy(pipeline);
        return rc;
    }
    if (st != HOGFEAT_ERR_MODEL_KIND) {
        cli_lib_error(ctx, path, st);
        return CLI_EXIT_RUNTIME;
    }
    /* A bare classifier, saved without a feature extractor. */
    hogfeat_linsvm *svm = NULL;
    hogfeat_knn *knn = NULL;
    st = hogfeat_linsvm_load_file(path, NULL, &svm);
    if (st == HOGFEAT_ERR_MODEL_KIND)
        st = hogfeat_knn_load_file(path, NULL, &knn);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, path, st);
        return CLI_EXIT_RUNTIME;
    }
    printf("file: %s\n", path);
    printf("size: %lld bytes\n", size);
    printf("content: bare classifier (no feature extractor: not usable by eval or predict)\n");
    rc = svm ? print_svm(ctx, path, svm) : print_knn(ctx, path, knn);
    hogfeat_linsvm_destroy(svm);
    hogfeat_knn_destroy(knn);
    return rc;
}
