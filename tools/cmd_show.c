/* hogfeat show IMAGE -o OUT.pgm|OUT.png
 *
 * Draws what HOG sees: for every cell, one line per orientation bin through
 * the cell centre, perpendicular to the bin's mid-angle (along the edge that
 * produced the gradient), as bright as the bin's value, as scikit-image's
 * hog(..., visualize=True). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef HOGFEAT_CLI_HAVE_PNG
#  include "png_write.h"
#  define SHOW_PNG "yes"
#else
#  define SHOW_PNG "no: this hogfeat was built without libpng"
#endif

/* 1 when path ends in ".png" (any case). */
static int wants_png(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".png") == 0;
}

static void show_help(void)
{
    printf("Usage: hogfeat show [OPTIONS] IMAGE -o OUT\n"
           "\n"
           "Draw the HOG cell histograms of a PGM image as a picture (a line per\n"
           "orientation bin in every cell, brightness by the bin's value) and write it\n"
           "as an 8-bit grayscale picture of the image's size.\n"
           "\n"
           "  -o, --output OUT      file to write (required; replaced atomically): PNG\n"
           "                        when OUT ends in .png (PNG output: %s), else PGM\n"
           "      --cell N          cell side in pixels, 1-4096 (default %d)\n"
           "      --bins N          orientation bins, 1-360 (default %d)\n"
           "      --signed          signed orientations over 0-360 degrees\n"
           "      --max V           histogram value drawn as white; 0 = the brightest\n"
           "                        pixel (default 0); smaller values brighten the picture\n"
           "  -h, --help            show this help and exit\n"
           "\n"
           "Exit status: 0 success, 1 runtime error (unreadable image, write failure),\n"
           "2 usage error.\n",
           SHOW_PNG, CLI_DEFAULT_CELL_PX, CLI_DEFAULT_BINS);
}

enum { OPT_CELL = 1000, OPT_BINS, OPT_SIGNED, OPT_MAX };

int cli_cmd_show(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"cell", required_argument, NULL, OPT_CELL},
        {"bins", required_argument, NULL, OPT_BINS}, {"signed", no_argument, NULL, OPT_SIGNED},
        {"max", required_argument, NULL, OPT_MAX},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out_path = NULL;
    long cell = CLI_DEFAULT_CELL_PX, bins = CLI_DEFAULT_BINS;
    int is_signed = 0;
    double max_value = 0.0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        int rc = 0;
        switch (opt) {
        case 'o': out_path = optarg; break;
        case OPT_CELL: rc = cli_parse_int(ctx, "--cell", optarg, 1, HOGFEAT_HOG_MAX_CELL_PX, &cell); break;
        case OPT_BINS: rc = cli_parse_int(ctx, "--bins", optarg, 1, HOGFEAT_HOG_MAX_ORIENTATIONS, &bins); break;
        case OPT_SIGNED: is_signed = 1; break;
        case OPT_MAX: rc = cli_parse_double(ctx, "--max", optarg, 0.0, 3.0e38, 0, &max_value); break;
        case 'h': show_help(); return CLI_EXIT_OK;
        default: return cli_getopt_error(ctx, opt, optopt, argv, optind);
        }
        if (rc != 0)
            return rc;
    }
    if (argc - optind < 1)
        return cli_usage_error(ctx, "missing IMAGE operand");
    if (argc - optind > 1)
        return cli_usage_error(ctx, "unexpected operand '%s'", argv[optind + 1]);
    if (!out_path)
        return cli_usage_error(ctx, "missing -o OUT");
    const char *in_path = argv[optind];
#ifndef HOGFEAT_CLI_HAVE_PNG
    if (wants_png(out_path))
        return cli_usage_error(ctx, "cannot write '%s': %s; write a .pgm instead", out_path, SHOW_PNG);
#endif

    hogfeat_image *img = NULL, *picture = NULL, *view = NULL;
    hogfeat_hog_config *cfg = NULL;
    const char *where = in_path;
    hogfeat_status st = hogfeat_pgm_read_file(in_path, NULL, &img);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_create(&cfg);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(cfg, (int32_t)cell, (int32_t)cell);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_orientations(cfg, (int32_t)bins);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_signed_orientations(cfg, is_signed);
    if (st == HOGFEAT_OK)
        st = hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, hogfeat_image_width(img), hogfeat_image_height(img),
                                  &picture);
    if (st == HOGFEAT_OK)
        st = hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, hogfeat_image_width(img), hogfeat_image_height(img),
                                  &view);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_visualize(cfg, img, picture);
    if (st == HOGFEAT_OK)
        st = hogfeat_visualize_to_u8(picture, (float)max_value, view);
    int png_failed = 0;
    if (st == HOGFEAT_OK && wants_png(out_path)) {
#ifdef HOGFEAT_CLI_HAVE_PNG
        char why[512];
        if (cli_png_write_gray8(out_path, hogfeat_image_data(view), hogfeat_image_width(view),
                                hogfeat_image_height(view), hogfeat_image_stride_bytes(view), why, sizeof why) != 0) {
            cli_error(ctx, out_path, "%s", why);
            png_failed = 1;
        }
#endif
    } else if (st == HOGFEAT_OK) {
        where = out_path;
        st = hogfeat_pgm_write_file(view, out_path);
    }
    if (st != HOGFEAT_OK)
        cli_lib_error(ctx, where, st);
    else if (!png_failed && !ctx->quiet)
        printf("picture: %zux%zu, %ldx%ld-px cells, %ld bins -> %s\n", hogfeat_image_width(img),
               hogfeat_image_height(img), cell, cell, bins, out_path);
    hogfeat_image_destroy(view);
    hogfeat_image_destroy(picture);
    hogfeat_hog_config_destroy(cfg);
    hogfeat_image_destroy(img);
    return st == HOGFEAT_OK && !png_failed ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
