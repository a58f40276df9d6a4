/* hogfeat predict [OPTIONS] MODEL IMAGE...
 *
 * Classifies PGM images one by one and prints "IMAGE<TAB>LABEL" lines, in
 * the order given. An image that cannot be read or classified is reported
 * on stderr; the others are still printed and the exit status is 1. */
#include "cli.h"

#include <getopt.h>

static void predict_help(void)
{
    printf("Usage: hogfeat predict [OPTIONS] MODEL IMAGE...\n"
           "\n"
           "Classify PGM images (P5 8/16-bit or P2) with MODEL and print one line\n"
           "'IMAGE<TAB>LABEL' per image, in the order given.\n"
           "\n"
           "  -h, --help            show this help and exit\n"
           "\n"
           "Feature settings come from the model file. Images that fail are reported on\n"
           "stderr and skipped.\n"
           "Exit status: 0 success, 1 runtime error (any image failed), 2 usage error.\n");
}

int cli_cmd_predict(cli_ctx *ctx, int argc, char **argv)
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
    if (!hogfeat_pipeline_linsvm(pipeline) && !hogfeat_pipeline_knn(pipeline)) {
        cli_error(ctx, model_path, "the model holds no classifier");
        hogfeat_pipeline_destroy(pipeline);
        return CLI_EXIT_RUNTIME;
    }
    int rc = CLI_EXIT_OK;
    for (int i = optind + 1; i < argc; i++) {
        const char *path = argv[i];
        hogfeat_image *image = NULL;
        int32_t label = 0;
        st = hogfeat_pgm_read_file(path, NULL, &image);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_predict(pipeline, image, &label);
        hogfeat_image_destroy(image);
        if (st != HOGFEAT_OK) {
            cli_lib_error(ctx, path, st);
            rc = CLI_EXIT_RUNTIME;
            continue;
        }
        printf("%s\t%ld\n", path, (long)label);
    }
    hogfeat_pipeline_destroy(pipeline);
    return rc;
}
