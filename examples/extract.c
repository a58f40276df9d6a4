/* extract: the HOG descriptor of a PGM image, with every error handled as a
 * program for users should: a message that names the file and says why
 * (hogfeat_last_error_message()), and an exit status a script can test.
 *
 *   extract [--cell WxH] [--block WxH] [--bins N] [--norm L1|L1-sqrt|L2|L2-Hys]
 *           [--sqrt] [--binary] IMAGE.pgm [OUTPUT]
 *
 * Writes one value per line (or raw little-endian float32 with --binary) to
 * OUTPUT or to standard output. Defaults are scikit-image's: 8x8-pixel
 * cells, 3x3-cell blocks, 9 bins, L2-Hys.
 * Exit status: 0 success; 1 the image cannot be read or described, or the
 * output cannot be written; 2 usage error. */
#include <hogfeat/hogfeat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_USAGE = 2 };

static const char *prog = "extract";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: %s [--cell WxH] [--block WxH] [--bins N] [--norm L1|L1-sqrt|L2|L2-Hys]\n"
            "       [--sqrt] [--binary] IMAGE.pgm [OUTPUT]\n",
            prog);
}

/* "WxH" with both parts in 1..INT32_MAX; the library checks the real ranges. */
static int parse_pair(const char *text, int32_t *w, int32_t *h)
{
    char *end;
    errno = 0;
    long a = strtol(text, &end, 10);
    if (errno || end == text || (*end != 'x' && *end != 'X'))
        return -1;
    const char *second = end + 1;
    long b = strtol(second, &end, 10);
    if (errno || end == second || *end || a < 1 || b < 1 || a > INT32_MAX || b > INT32_MAX)
        return -1;
    *w = (int32_t)a;
    *h = (int32_t)b;
    return 0;
}

/* Reports a failed library call: on what (NULL when the message says), why, and the code. */
static void report(const char *what, hogfeat_status st)
{
    fprintf(stderr, "%s: %s%s%s (%s)\n", prog, what ? what : "", what ? ": " : "", hogfeat_last_error_message(),
            hogfeat_status_name(st));
}

static int write_features(const char *path, const float *features, size_t length, int binary)
{
    FILE *out = path ? fopen(path, binary ? "wb" : "w") : stdout;
    if (!out) {
        fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
        return EXIT_FAILURE;
    }
    if (binary)
        fwrite(features, sizeof *features, length, out);
    else
        for (size_t i = 0; i < length; i++)
            fprintf(out, "%.9g\n", (double)features[i]);
    /* Check both: a full disk may only show when the buffer is flushed. */
    int failed = ferror(out);
    if (out == stdout)
        failed |= fflush(out) != 0;
    else
        failed |= fclose(out) != 0;
    if (failed) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, path ? path : "standard output", strerror(errno));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    int32_t cell_w = 8, cell_h = 8, block_w = 3, block_h = 3, bins = 9;
    hogfeat_norm norm = HOGFEAT_NORM_L2HYS;
    int sqrt_on = 0, binary = 0, i = 1;
    static const char *const norm_names[] = {"L1", "L1-sqrt", "L2", "L2-Hys"};

    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (!strcmp(opt, "--")) {
            i++;
            break;
        } else if (!strcmp(opt, "--help")) {
            usage(stdout);
            return EXIT_SUCCESS;
        } else if (!strcmp(opt, "--sqrt")) {
            sqrt_on = 1;
            continue;
        } else if (!strcmp(opt, "--binary")) {
            binary = 1;
            continue;
        } else if (!arg) {
            ok = 0;
        } else if (!strcmp(opt, "--cell")) {
            ok = parse_pair(arg, &cell_w, &cell_h) == 0;
        } else if (!strcmp(opt, "--block")) {
            ok = parse_pair(arg, &block_w, &block_h) == 0;
        } else if (!strcmp(opt, "--bins")) {
            char *end;
            errno = 0;
            long v = strtol(arg, &end, 10);
            ok = !errno && end != arg && !*end && v >= 1 && v <= INT32_MAX;
            bins = ok ? (int32_t)v : 0;
        } else if (!strcmp(opt, "--norm")) {
            ok = 0;
            for (int n = 0; n < 4; n++)
                if (!strcmp(arg, norm_names[n])) {
                    norm = (hogfeat_norm)(HOGFEAT_NORM_L1 + n);
                    ok = 1;
                }
        } else {
            fprintf(stderr, "%s: unknown option %s\n", prog, opt);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (!ok) {
            fprintf(stderr, "%s: %s needs a valid value%s%s\n", prog, opt, arg ? ", not " : "", arg ? arg : "");
            usage(stderr);
            return EXIT_USAGE;
        }
        i++; /* the option's value */
    }
    if (argc - i < 1 || argc - i > 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *input = argv[i], *output = argc - i == 2 ? argv[i + 1] : NULL;

    hogfeat_hog_config *config = NULL;
    hogfeat_image *image = NULL;
    float *features = NULL;
    size_t length = 0;
    int rc = EXIT_SUCCESS;
    hogfeat_status st = hogfeat_hog_config_create(&config);
    if (st != HOGFEAT_OK) {
        report("configuration", st);
        return EXIT_FAILURE;
    }
    st = hogfeat_hog_config_set_cell_size(config, cell_w, cell_h);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_size(config, block_w, block_h);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_orientations(config, bins);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_norm(config, norm);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_transform_sqrt(config, sqrt_on);
    if (st != HOGFEAT_OK) { /* a value outside the library's range: the user's mistake */
        report("settings", st);
        rc = EXIT_USAGE;
        goto done;
    }
    st = hogfeat_pgm_read_file(input, NULL, &image);
    if (st != HOGFEAT_OK) {
        report(NULL, st); /* the library's message names the file */
        rc = EXIT_FAILURE;
        goto done;
    }
    st = hogfeat_hog_feature_length(config, hogfeat_image_width(image), hogfeat_image_height(image), &length);
    if (st != HOGFEAT_OK) {
        report(input, st);
        rc = EXIT_FAILURE;
        goto done;
    }
    features = malloc(length * sizeof *features);
    if (!features) {
        fprintf(stderr, "%s: out of memory for %zu features\n", prog, length);
        rc = EXIT_FAILURE;
        goto done;
    }
    st = hogfeat_hog_compute(config, image, features, length);
    if (st != HOGFEAT_OK) {
        report(input, st);
        rc = EXIT_FAILURE;
        goto done;
    }
    rc = write_features(output, features, length, binary);
done:
    free(features);
    hogfeat_image_destroy(image);
    hogfeat_hog_config_destroy(config);
    return rc;
}
