/* hogfeat extract [OPTIONS] DATA -o FILE
 *
 * Writes the features of the chosen split(s) as a NumPy .npy float32 (N, D)
 * array plus FILE.labels.npy int32 (N,) when labelled, or as LIBSVM text.
 * Rows are extracted in chunks, so memory stays bounded for any N. Every
 * output goes to a temporary file that is renamed into place on success. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_FORMAT = CLI_OPT_FIRST_LOCAL, OPT_SEED };

/* Rows extracted per chunk: about this many bytes of features. */
#define EXTRACT_CHUNK_BYTES ((size_t)64 << 20)

/* The .npy writer stores IEEE 754 binary32 samples. */
_Static_assert(sizeof(float) == 4 && FLT_MANT_DIG == 24 && FLT_MAX_EXP == 128, "float must be IEEE binary32");

static void extract_help(void)
{
    printf("Usage: hogfeat extract [OPTIONS] DATA -o FILE\n"
           "\n"
           "Write HOG features of DATA to FILE: one row per image, train rows then\n"
           "test rows.\n"
           "\n"
           "  -o, --output FILE     output file (required)\n"
           "      --format NAME     npy: NumPy float32 array (N, D) in FILE, plus int32 (N,)\n"
           "                        labels in FILE.labels.npy when the data is labelled;\n"
           "                        libsvm: text lines 'label 1:v1 2:v2 ...' (1-based indices,\n"
           "                        zeros omitted, %%.9g values, label 0 when unlabelled)\n"
           "                        (default npy)\n"
           "      --split SPLIT     MNIST split(s): train, test, both (default both: every\n"
           "                        split present; a PGM folder is a single set)\n"
           "      --labels FILE     labels file of a PGM folder (default DATA/" CLI_DEFAULT_LABELS_FILE
           "; without\n"
           "                        it, every *.pgm of DATA is extracted unlabelled, by name)\n"
           "      --threads N       worker threads, 0 = all CPUs (default %d)\n"
           "      --seed N          seed of an RBF --map, as 'hogfeat train --seed' (default %d)\n"
           "  -q, --quiet           no progress line and no summary\n"
           "  -h, --help            show this help and exit\n"
           "\n",
           CLI_DEFAULT_THREADS, CLI_DEFAULT_SEED);
    cli_features_help(stdout);
    printf("\nExit status: 0 success, 1 runtime error, 2 usage error.\n");
}

/* An output file written under a temporary name and renamed on commit. */
typedef struct out_file {
    char *path;
    char *tmp_path;
    FILE *fp;
} out_file;

static int out_open(const cli_ctx *ctx, out_file *of, const char *path, const char *mode)
{
    of->fp = NULL;
    of->path = cli_strdup(path);
    size_t len = strlen(path) + 32;
    of->tmp_path = malloc(len);
    if (!of->path || !of->tmp_path) {
        cli_error(ctx, path, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    snprintf(of->tmp_path, len, "%s.tmp-%ld", path, (long)getpid());
    /* O_EXCL: never follow or clobber a file someone else put there; 0666
     * lets the umask decide the permissions, as for any new file. */
    int fd = open(of->tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0 || !(of->fp = fdopen(fd, mode))) {
        cli_error(ctx, path, "cannot create '%s': %s", of->tmp_path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(of->tmp_path);
        }
        return CLI_EXIT_RUNTIME;
    }
    return 0;
}

static int out_commit(const cli_ctx *ctx, out_file *of)
{
    int failed = ferror(of->fp);
    if (fflush(of->fp) != 0 || fsync(fileno(of->fp)) != 0)
        failed = 1;
    int saved = errno;
    if (fclose(of->fp) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    of->fp = NULL;
    if (failed) {
        cli_error(ctx, of->path, "write error: %s", strerror(saved));
        unlink(of->tmp_path);
        return CLI_EXIT_RUNTIME;
    }
    if (rename(of->tmp_path, of->path) != 0) {
        cli_error(ctx, of->path, "cannot rename '%s' into place: %s", of->tmp_path, strerror(errno));
        unlink(of->tmp_path);
        return CLI_EXIT_RUNTIME;
    }
    return 0;
}

static void out_discard(out_file *of)
{
    if (of->fp) {
        fclose(of->fp);
        of->fp = NULL;
        unlink(of->tmp_path);
    }
    free(of->path);
    free(of->tmp_path);
    of->path = NULL;
    of->tmp_path = NULL;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

static void swap32(void *data, size_t count)
{
    unsigned char *p = data;
    for (size_t i = 0; i < count; i++, p += 4) {
        unsigned char t0 = p[0], t1 = p[1];
        p[0] = p[3];
        p[1] = p[2];
        p[2] = t1;
        p[3] = t0;
    }
}

/* NPY format 1.0: magic, version, little-endian uint16 header length, then a
 * Python dict literal padded with spaces and a newline so that the data
 * starts at a multiple of 64 bytes. */
static void write_npy_header(FILE *fp, const char *descr, size_t rows, size_t cols, int two_d)
{
    char dict[256];
    int len;
    if (two_d)
        len = snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                       descr, rows, cols);
    else
        len = snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }", descr,
                       rows);
    size_t total = 10 + (size_t)len + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t header_len = padded - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(header_len & 0xff),
                             (unsigned char)(header_len >> 8)};
    fwrite(pre, 1, sizeof(pre), fp);
    fputs(dict, fp);
    for (size_t i = (size_t)len + 1; i < header_len; i++)
        fputc(' ', fp);
    fputc('\n', fp);
}

static void write_libsvm_rows(FILE *fp, const float *features, size_t rows, size_t dim, const int32_t *labels)
{
    /* %.9g round-trips float32; printf uses the C locale because the tool
     * never calls setlocale(), so the decimal separator is always '.'. */
    for (size_t r = 0; r < rows; r++) {
        const float *row = features + r * dim;
        fprintf(fp, "%ld", labels ? (long)labels[r] : 0L);
        for (size_t j = 0; j < dim; j++)
            if (row[j] != 0.0f)
                fprintf(fp, " %zu:%.9g", j + 1, (double)row[j]);
        fputc('\n', fp);
    }
}

int cli_cmd_extract(cli_ctx *ctx, int argc, char **argv)
{
    static const char *const format_names[] = {"npy", "libsvm", NULL};
    static const struct option longopts[] = {
        CLI_FEATURE_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"split", required_argument, NULL, CLI_OPT_SPLIT},
        {"labels", required_argument, NULL, CLI_OPT_LABELS},
        {"threads", required_argument, NULL, CLI_OPT_THREADS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_features feat;
    cli_features_defaults(&feat);
    const char *output = NULL, *labels_file = NULL;
    cli_split_sel split = CLI_SPLIT_BOTH;
    int split_explicit = 0, libsvm = 0;
    long threads_opt = CLI_DEFAULT_THREADS, seed = CLI_DEFAULT_SEED;
    int opt, rc = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        rc = cli_features_option(ctx, &feat, opt, optarg);
        if (rc >= 0) {
            if (rc)
                return rc;
            continue;
        }
        rc = 0;
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case OPT_FORMAT: {
            int i = cli_parse_choice(ctx, "--format", optarg, format_names);
            if (i < 0)
                return CLI_EXIT_USAGE;
            libsvm = i == 1;
            break;
        }
        case CLI_OPT_SPLIT:
            rc = cli_parse_split(ctx, optarg, &split);
            split_explicit = 1;
            break;
        case CLI_OPT_LABELS:
            labels_file = optarg;
            break;
        case CLI_OPT_THREADS:
            rc = cli_parse_int(ctx, "--threads", optarg, 0, CLI_MAX_THREADS, &threads_opt);
            break;
        case OPT_SEED:
            rc = cli_parse_int(ctx, "--seed", optarg, INT32_MIN, INT32_MAX, &seed);
            break;
        case 'q':
            ctx->quiet = 1;
            break;
        case 'h':
            extract_help();
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
    if (!output)
        return cli_usage_error(ctx, "missing -o FILE (the output file)");
    rc = cli_features_check(ctx, &feat);
    if (rc)
        return rc;
    feat.map_seed = (int32_t)seed;
    const char *data_dir = argv[optind];
    int threads = cli_resolve_threads(threads_opt);

    hogfeat_pipeline *pipeline = NULL;
    if (cli_features_pipeline(ctx, &feat, &pipeline) != HOGFEAT_OK)
        return CLI_EXIT_RUNTIME;
    cli_data data;
    cli_data_request req = {data_dir, labels_file, split, split_explicit, 0};
    rc = cli_data_load(ctx, &req, &data);
    if (rc) {
        hogfeat_pipeline_destroy(pipeline);
        return rc;
    }

    out_file feat_out = {NULL, NULL, NULL}, label_out = {NULL, NULL, NULL};
    char *labels_path = NULL;
    float *chunk = NULL;
    int32_t *labels = NULL;
    size_t n = data.total, dim = 0;
    rc = cli_features_prepare(ctx, &feat, pipeline, &data);
    if (rc == 0)
        rc = cli_data_feature_length(ctx, pipeline, &data, &dim);
    if (rc)
        goto out;
    int labelled = 1;
    for (size_t s = 0; s < data.num_sets; s++)
        labelled &= data.sets[s]->labels != NULL;
    if (labelled && !(labels = cli_data_labels(&data))) {
        cli_error(ctx, data_dir, "out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    size_t chunk_rows = EXTRACT_CHUNK_BYTES / (dim * sizeof(float));
    if (chunk_rows == 0)
        chunk_rows = 1;
    if (chunk_rows > n)
        chunk_rows = n ? n : 1;
    if (dim > SIZE_MAX / sizeof(float) / chunk_rows || !(chunk = malloc(chunk_rows * dim * sizeof(float)))) {
        cli_error(ctx, data_dir, "out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }

    int little = host_is_little_endian();
    rc = out_open(ctx, &feat_out, output, libsvm ? "w" : "wb");
    if (rc)
        goto out;
    if (!libsvm) {
        write_npy_header(feat_out.fp, "<f4", n, dim, 1);
        if (labels) {
            size_t len = strlen(output) + sizeof(".labels.npy");
            labels_path = malloc(len);
            if (!labels_path) {
                cli_error(ctx, output, "out of memory");
                rc = CLI_EXIT_RUNTIME;
                goto out;
            }
            snprintf(labels_path, len, "%s.labels.npy", output);
            rc = out_open(ctx, &label_out, labels_path, "wb");
            if (rc)
                goto out;
            write_npy_header(label_out.fp, "<i4", n, 0, 0);
            if (!little)
                swap32(labels, n);
            if (n)
                fwrite(labels, sizeof(int32_t), n, label_out.fp);
            if (!little)
                swap32(labels, n);
        }
    }

    cli_progress progress;
    cli_progress_init(&progress, ctx, "extracting", n);
    double t_extract = 0.0;
    for (size_t first = 0; first < n; first += chunk_rows) {
        size_t rows = n - first < chunk_rows ? n - first : chunk_rows;
        double t0 = cli_now();
        rc = cli_extract_rows(ctx, pipeline, &data, first, rows, dim, threads, chunk, &progress, first);
        t_extract += cli_now() - t0;
        if (rc)
            break;
        if (libsvm) {
            write_libsvm_rows(feat_out.fp, chunk, rows, dim, labels ? labels + first : NULL);
        } else {
            if (!little)
                swap32(chunk, rows * dim);
            fwrite(chunk, sizeof(float), rows * dim, feat_out.fp);
        }
        if (ferror(feat_out.fp)) {
            cli_error(ctx, output, "write error: %s", strerror(errno));
            rc = CLI_EXIT_RUNTIME;
            break;
        }
    }
    cli_progress_finish(&progress);
    if (rc)
        goto out;
    rc = out_commit(ctx, &feat_out);
    if (rc == 0 && label_out.fp)
        rc = out_commit(ctx, &label_out);
    if (rc)
        goto out;

    if (!ctx->quiet) {
        for (size_t s = 0; s < data.num_sets; s++)
            printf("data: %s: %zu images\n", data.sets[s]->description, data.sets[s]->count);
        printf("features: %zu x %zu -> %s (%s)\n", n, dim, output,
               libsvm ? "LIBSVM text" : "npy float32");
        if (labels_path)
            printf("labels: %zu -> %s (npy int32)\n", n, labels_path);
        else if (!labels)
            printf("labels: none (unlabelled data)\n");
        printf("extract: %.3f s (%.0f images/s, %d thread%s)\n", t_extract,
               t_extract > 0 ? (double)n / t_extract : 0.0, threads, threads == 1 ? "" : "s");
    }

out:
    out_discard(&feat_out);
    out_discard(&label_out);
    free(labels_path);
    free(chunk);
    free(labels);
    cli_data_free(&data);
    hogfeat_pipeline_destroy(pipeline);
    return rc;
}
