/* hogfeat predict [OPTIONS] MODEL IMAGE...
 *
 * Classifies PGM images one by one and prints "IMAGE<TAB>LABEL" lines, in
 * the order given; with --proba each line also carries the class
 * probabilities. An image that cannot be read or classified is reported on
 * stderr; the others are still printed and the exit status is 1. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>

enum { OPT_PROBA = CLI_OPT_FIRST_LOCAL };

static void predict_help(void)
{
    printf("Usage: hogfeat predict [OPTIONS] MODEL IMAGE...\n"
           "\n"
           "Classify PGM images (P5 8/16-bit or P2) with MODEL and print one line\n"
           "'IMAGE<TAB>LABEL' per image, in the order given.\n"
           "\n"
           "      --proba           append '<TAB>L1:P1 L2:P2 ...': the probability of every\n"
           "                        class, labels ascending (an SVM trained with\n"
           "                        --probability; KNN: the neighbours' vote fractions)\n"
           "  -h, --help            show this help and exit\n"
           "\n"
           "Feature settings come from the model file. Images that fail are reported on\n"
           "stderr and skipped.\n"
           "Exit status: 0 success, 1 runtime error (any image failed), 2 usage error.\n");
}

/* Class probabilities of one image into @p proba (K floats). */
static hogfeat_status image_proba(const hogfeat_pipeline *pipeline, const hogfeat_image *image, float *proba,
                                  size_t k)
{
    const hogfeat_linsvm *svm = hogfeat_pipeline_linsvm(pipeline);
    const hogfeat_knn *knn = hogfeat_pipeline_knn(pipeline);
    size_t dim = 0;
    hogfeat_status st = hogfeat_pipeline_feature_length(pipeline, hogfeat_image_width(image),
                                                        hogfeat_image_height(image), &dim);
    if (st != HOGFEAT_OK)
        return st;
    float *features = cli_alloc_features(1, dim);
    if (!features)
        return HOGFEAT_ERR_OUT_OF_MEMORY;
    st = hogfeat_pipeline_extract(pipeline, image, features, dim);
    if (st == HOGFEAT_OK)
        st = svm ? hogfeat_linsvm_predict_proba(svm, features, 1, dim, dim, proba, k)
                 : hogfeat_knn_predict_proba(knn, features, 1, dim, dim, proba, k);
    free(features);
    return st;
}

int cli_cmd_predict(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"proba", no_argument, NULL, OPT_PROBA},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt, want_proba = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_PROBA:
            want_proba = 1;
            break;
        case 'h':
            predict_help();
            return CLI_EXIT_OK;
        default:
            return cli_getopt_error(ctx, opt, optopt, argv, optind);
        }
    }
    if (argc - optind < 1)
        return cli_usage_error(ctx, "missing operands: expected MODEL IMAGE...");
    if (argc - optind < 2)
        return cli_usage_error(ctx, "missing operand IMAGE");
    const char *model_path = argv[optind];

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
    int32_t *classes = NULL;
    float *proba = NULL;
    size_t k = 0;
    if (want_proba) {
        if (svm && !hogfeat_linsvm_has_probability(svm)) {
            cli_error(ctx, model_path,
                      "the SVM has no probability calibration (train it with 'hogfeat train --probability')");
            hogfeat_pipeline_destroy(pipeline);
            return CLI_EXIT_RUNTIME;
        }
        int32_t nk = svm ? hogfeat_linsvm_num_classes(svm) : hogfeat_knn_num_classes(knn);
        k = nk > 0 ? (size_t)nk : 1;
        classes = cli_calloc_array(k, sizeof(int32_t));
        proba = cli_calloc_array(k, sizeof(float));
        st = !classes || !proba ? HOGFEAT_ERR_OUT_OF_MEMORY
             : svm              ? hogfeat_linsvm_get_labels(svm, classes, k)
                                : hogfeat_knn_get_labels(knn, classes, k);
        if (st != HOGFEAT_OK) {
            cli_lib_error(ctx, model_path, st);
            free(classes);
            free(proba);
            hogfeat_pipeline_destroy(pipeline);
            return CLI_EXIT_RUNTIME;
        }
    }
    int rc = CLI_EXIT_OK;
    for (int i = optind + 1; i < argc; i++) {
        const char *path = argv[i];
        hogfeat_image *image = NULL;
        int32_t label = 0;
        st = hogfeat_pgm_read_file(path, NULL, &image);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_predict(pipeline, image, &label);
        if (st == HOGFEAT_OK && want_proba)
            st = image_proba(pipeline, image, proba, k);
        hogfeat_image_destroy(image);
        if (st != HOGFEAT_OK) {
            cli_lib_error(ctx, path, st);
            rc = CLI_EXIT_RUNTIME;
            continue;
        }
        printf("%s\t%ld", path, (long)label);
        for (size_t c = 0; want_proba && c < k; c++)
            printf("%c%ld:%.6f", c ? ' ' : '\t', (long)classes[c], (double)proba[c]);
        printf("\n");
    }
    free(classes);
    free(proba);
    hogfeat_pipeline_destroy(pipeline);
    return rc;
}
