/* Helpers shared by the hogfeat subcommands: messages, option parsing,
 * data loading, batch feature extraction, threaded prediction, progress line. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE in <sys/mman.h> (glibc) */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- misc */

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void *cli_calloc_array(size_t n, size_t size)
{
    if (n == 0 || size == 0)
        return malloc(1);
    if (n > SIZE_MAX / size)
        return NULL;
    return calloc(n, size);
}

/* Transparent huge pages for the matrix: the SVM solver reads its rows in
 * a random order, and with 4 KiB pages every row of a few KiB costs TLB
 * misses and restarts the hardware prefetcher at each page; 2 MiB pages
 * measured about 30 % more throughput for such reads (Fashion-MNIST rows of
 * 5 KiB). Only advice: without THP this is an ordinary allocation. */
#define CLI_HUGE_PAGE ((size_t)2 << 20)

float *cli_alloc_features(size_t rows, size_t dim)
{
    if (rows == 0 || dim == 0 || dim > SIZE_MAX / sizeof(float) / rows)
        return NULL;
    size_t bytes = rows * dim * sizeof(float);
#if defined(MADV_HUGEPAGE)
    if (bytes >= 4 * CLI_HUGE_PAGE && bytes <= SIZE_MAX - CLI_HUGE_PAGE) {
        /* Whole huge pages: the advice covers the buffer and nothing else. */
        size_t rounded = (bytes + CLI_HUGE_PAGE - 1) / CLI_HUGE_PAGE * CLI_HUGE_PAGE;
        void *p = NULL;
        if (posix_memalign(&p, CLI_HUGE_PAGE, rounded) == 0) {
            (void)madvise(p, rounded, MADV_HUGEPAGE);
            return p;
        }
    }
#endif
    return malloc(bytes);
}

char *cli_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

char *cli_path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || dir[0] == '\0')
        return cli_strdup(name);
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dir[dl - 1] != '/';
    char *path = malloc(dl + (size_t)slash + nl + 1);
    if (!path)
        return NULL;
    memcpy(path, dir, dl);
    if (slash)
        path[dl] = '/';
    memcpy(path + dl + (size_t)slash, name, nl + 1);
    return path;
}

static char *cli_sprintf_alloc(const char *fmt, ...) CLI_PRINTF(1, 2);
static char *cli_sprintf_alloc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    char *buf = malloc((size_t)len + 1);
    if (!buf)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return buf;
}

/* ------------------------------------------------------------ messages */

void cli_error(const cli_ctx *ctx, const char *file, const char *fmt, ...)
{
    fflush(stdout);
    fprintf(stderr, "hogfeat %s: ", ctx->cmd);
    if (file)
        fprintf(stderr, "%s: ", file);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_lib_error_msg(const cli_ctx *ctx, const char *file, hogfeat_status status, const char *message)
{
    if (!message || !message[0])
        message = hogfeat_strerror((int)status);
    /* File readers already start their messages with the path they opened
     * ("dir/file.pgm: truncated"); do not name it twice. */
    if (file && strncmp(message, file, strlen(file)) == 0)
        file = NULL;
    cli_error(ctx, file, "%s", message);
}

void cli_lib_error(const cli_ctx *ctx, const char *file, hogfeat_status status)
{
    cli_lib_error_msg(ctx, file, status, hogfeat_last_error_message());
}

int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...)
{
    fflush(stdout);
    fprintf(stderr, "hogfeat %s: ", ctx->cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'hogfeat %s --help' for more information.\n", ctx->cmd);
    return CLI_EXIT_USAGE;
}

int cli_getopt_error(const cli_ctx *ctx, int opt, int optopt_value, char **argv, int optind_value)
{
    const char *word = optind_value > 0 ? argv[optind_value - 1] : "?";
    if (opt == ':') {
        if (optopt_value > 0 && optopt_value < 256 && strncmp(word, "--", 2) != 0)
            return cli_usage_error(ctx, "option '-%c' requires an argument", optopt_value);
        return cli_usage_error(ctx, "option '%s' requires an argument", word);
    }
    if (optopt_value > 0 && optopt_value < 256 && strncmp(word, "--", 2) != 0)
        return cli_usage_error(ctx, "unknown option '-%c'", optopt_value);
    /* A long option: unknown, ambiguous, or given an argument it does not take. */
    if (strchr(word, '=') && strncmp(word, "--", 2) == 0) {
        const char *eq = strchr(word, '=');
        return cli_usage_error(ctx, "unknown option or unexpected argument '%.*s'", (int)(eq - word), word);
    }
    return cli_usage_error(ctx, "unknown or ambiguous option '%s'", word);
}

/* ------------------------------------------------------- option parsing */

int cli_parse_int(const cli_ctx *ctx, const char *option, const char *arg, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || errno == ERANGE)
        return cli_usage_error(ctx, "%s: '%s' is not an integer", option, arg);
    if (v < min || v > max)
        return cli_usage_error(ctx, "%s: %ld is outside [%ld, %ld]", option, v, min, max);
    *out = v;
    return 0;
}

int cli_parse_double(const cli_ctx *ctx, const char *option, const char *arg, double min, double max,
                     int min_exclusive, double *out)
{
    char *end = NULL;
    errno = 0;
    /* strtod follows LC_NUMERIC; the tool never calls setlocale(), so '.' is the separator. */
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(v))
        return cli_usage_error(ctx, "%s: '%s' is not a finite number", option, arg);
    if (min_exclusive ? !(v > min) : !(v >= min))
        return cli_usage_error(ctx, "%s: %s must be %s %g", option, arg, min_exclusive ? ">" : ">=", min);
    if (v > max)
        return cli_usage_error(ctx, "%s: %s must be <= %g", option, arg, max);
    *out = v;
    return 0;
}

int cli_parse_size_wxh(const cli_ctx *ctx, const char *option, const char *arg, size_t *out_w, size_t *out_h)
{
    char *end = NULL;
    errno = 0;
    if (arg[0] < '0' || arg[0] > '9')
        goto bad;
    unsigned long w = strtoul(arg, &end, 10);
    if (errno == ERANGE || (*end != 'x' && *end != 'X'))
        goto bad;
    const char *hs = end + 1;
    if (hs[0] < '0' || hs[0] > '9')
        goto bad;
    unsigned long h = strtoul(hs, &end, 10);
    if (errno == ERANGE || *end != '\0')
        goto bad;
    if (w == 0 || h == 0 || w > 65536 || h > 65536)
        return cli_usage_error(ctx, "%s: %s: width and height must be in [1, 65536]", option, arg);
    *out_w = w;
    *out_h = h;
    return 0;
bad:
    return cli_usage_error(ctx, "%s: '%s' is not WIDTHxHEIGHT (e.g. 28x28)", option, arg);
}

int cli_parse_choice(const cli_ctx *ctx, const char *option, const char *arg, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcasecmp(arg, names[i]) == 0)
            return i;
    size_t len = 0;
    for (int i = 0; names[i]; i++)
        len += strlen(names[i]) + 2;
    char *list = malloc(len + 1);
    if (list) {
        list[0] = '\0';
        for (int i = 0; names[i]; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, names[i]);
        }
    }
    cli_usage_error(ctx, "%s: unknown value '%s' (expected one of: %s)", option, arg, list ? list : "?");
    free(list);
    return -1;
}

/* Choice tables: index i <-> enum value (i + 1), as the enums are pinned 1..n. */
static const char *const norm_names[] = {"L1", "L1-sqrt", "L2", "L2-Hys", NULL};
static const char *const metric_names[] = {"l2", "l1", "cosine", "chi2", NULL};
static const char *const weighting_names[] = {"uniform", "distance", NULL};
static const char *const loss_names[] = {"l2", "l1", NULL};
static const char *const split_names[] = {"train", "test", "both", NULL};

const char *cli_norm_name(int norm)
{
    return norm >= 1 && norm <= 4 ? norm_names[norm - 1] : "?";
}

const char *cli_metric_name(int metric)
{
    return metric >= 1 && metric <= 4 ? metric_names[metric - 1] : "?";
}

const char *cli_weighting_name(int weighting)
{
    return weighting >= 1 && weighting <= 2 ? weighting_names[weighting - 1] : "?";
}

const char *cli_loss_name(int loss)
{
    return loss >= 1 && loss <= 2 ? loss_names[loss - 1] : "?";
}

const char *cli_split_name(cli_split_sel split)
{
    return split >= 1 && split <= 3 ? split_names[split - 1] : "default";
}

int cli_parse_split(const cli_ctx *ctx, const char *arg, cli_split_sel *out)
{
    int i = cli_parse_choice(ctx, "--split", arg, split_names);
    if (i < 0)
        return CLI_EXIT_USAGE;
    *out = (cli_split_sel)(i + 1);
    return 0;
}

static int cli_parse_norm_choice(const cli_ctx *ctx, const char *arg, int *out)
{
    /* Also accept the spellings without a dash (L2Hys, L1sqrt). */
    if (strcasecmp(arg, "L2Hys") == 0) {
        *out = HOGFEAT_NORM_L2HYS;
        return 0;
    }
    if (strcasecmp(arg, "L1sqrt") == 0) {
        *out = HOGFEAT_NORM_L1_SQRT;
        return 0;
    }
    int i = cli_parse_choice(ctx, "--norm", arg, norm_names);
    if (i < 0)
        return CLI_EXIT_USAGE;
    *out = i + 1;
    return 0;
}

int cli_resolve_threads(long requested)
{
    long n = requested;
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
            n = 1;
    }
    if (n > CLI_MAX_THREADS)
        n = CLI_MAX_THREADS;
    return (int)n;
}

/* ------------------------------------------------------------ features */

static const char *const map_names[] = {"none", "hellinger", "chi2", "intersection", "rbf", NULL};

const char *cli_multiclass_name(int multiclass)
{
    static const char *const long_names[] = {"one-vs-rest", "one-vs-one", "Crammer-Singer"};
    return multiclass >= 1 && multiclass <= 3 ? long_names[multiclass - 1] : "?";
}

const char *cli_map_name(int map)
{
    return map >= 1 && map <= 5 ? map_names[map - 1] : "?";
}

void cli_features_defaults(cli_features *f)
{
    memset(f, 0, sizeof(*f));
    f->cell_px = CLI_DEFAULT_CELL_PX;
    f->block_cells = CLI_DEFAULT_BLOCK_CELLS;
    f->block_stride = CLI_DEFAULT_BLOCK_STRIDE;
    f->bins = CLI_DEFAULT_BINS;
    f->norm = CLI_DEFAULT_NORM;
    f->transform_sqrt = 0;
    f->signed_orientations = 0;
    f->blur_sigma = CLI_DEFAULT_BLUR_SIGMA;
    f->resize_w = 0;
    f->resize_h = 0;
    f->cell_given = 0;
    f->num_hog_cells = 0;
    f->lbp_cell_px = 0;
    f->map = HOGFEAT_FEATURE_MAP_NONE;
    f->map_steps = 0;
    f->map_param = 0.0;
    f->map_seed = CLI_DEFAULT_SEED;
}

/* --hog-cells 4,6,8: comma-separated cell sides, at least one. */
static int parse_hog_cells(const cli_ctx *ctx, const char *arg, cli_features *f)
{
    size_t n = 0;
    const char *p = arg;
    for (;;) {
        char *end = NULL;
        errno = 0;
        if (*p < '0' || *p > '9')
            return cli_usage_error(ctx, "--hog-cells: '%s' is not a comma-separated list of cell sides (e.g. 4,6,8)",
                                   arg);
        long v = strtol(p, &end, 10);
        if (errno == ERANGE || v < 1 || v > HOGFEAT_HOG_MAX_CELL_PX)
            return cli_usage_error(ctx, "--hog-cells: cell side '%.*s' is outside [1, %d]", (int)(end - p), p,
                                   HOGFEAT_HOG_MAX_CELL_PX);
        if (n == CLI_MAX_HOG_CELLS)
            return cli_usage_error(ctx, "--hog-cells: more than %d cell sizes", CLI_MAX_HOG_CELLS);
        f->hog_cells[n++] = (int32_t)v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return cli_usage_error(ctx, "--hog-cells: '%s' is not a comma-separated list of cell sides (e.g. 4,6,8)",
                                   arg);
        p = end + 1;
    }
    f->num_hog_cells = n;
    return 0;
}

/* Split "name:a:b" at the colons into at most @p max fields (in place). */
static size_t split_colons(char *s, char **fields, size_t max)
{
    size_t n = 0;
    fields[n++] = s;
    for (char *c = s; *c; c++) {
        if (*c == ':') {
            *c = '\0';
            if (n == max)
                return max + 1;
            fields[n++] = c + 1;
        }
    }
    return n;
}

/* --map none | hellinger | chi2[:STEPS[:INTERVAL]] | intersection[:STEPS[:INTERVAL]] | rbf:D:GAMMA */
static int parse_map(const cli_ctx *ctx, const char *arg, cli_features *f)
{
    char buf[256];
    char *fields[4] = {NULL, NULL, NULL, NULL};
    if (strlen(arg) >= sizeof(buf))
        return cli_usage_error(ctx, "--map: '%.40s...' is too long", arg);
    snprintf(buf, sizeof(buf), "%s", arg);
    size_t n = split_colons(buf, fields, 3);
    int i = -1;
    for (int k = 0; map_names[k]; k++)
        if (strcasecmp(fields[0], map_names[k]) == 0)
            i = k;
    if (i < 0)
        return cli_usage_error(ctx, "--map: unknown map '%s' (expected none, hellinger, chi2[:STEPS[:INTERVAL]], "
                                    "intersection[:STEPS[:INTERVAL]] or rbf:D:GAMMA)",
                               fields[0]);
    int map = i + 1;
    long steps = 0;
    double param = 0.0;
    int rc = 0;
    switch (map) {
    case HOGFEAT_FEATURE_MAP_NONE:
    case HOGFEAT_FEATURE_MAP_HELLINGER:
        if (n > 1)
            return cli_usage_error(ctx, "--map: '%s' takes no parameters", fields[0]);
        break;
    case HOGFEAT_FEATURE_MAP_CHI2:
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        if (n > 3)
            return cli_usage_error(ctx, "--map: too many parameters in '%s' (%s[:STEPS[:INTERVAL]])", arg, fields[0]);
        steps = CLI_DEFAULT_MAP_STEPS;
        if (n > 1)
            rc = cli_parse_int(ctx, "--map STEPS", fields[1], 1, HOGFEAT_FEATURE_MAP_MAX_STEPS, &steps);
        if (rc == 0 && n > 2)
            rc = cli_parse_double(ctx, "--map INTERVAL", fields[2], 0.0, 1e6, 1, &param);
        if (rc)
            return rc;
        if (map == HOGFEAT_FEATURE_MAP_CHI2 && steps > 3 && n < 3)
            return cli_usage_error(ctx, "--map: chi2 with more than 3 steps needs an interval (chi2:%ld:INTERVAL)",
                                   steps);
        break;
    default: /* rbf */
        if (n != 3)
            return cli_usage_error(ctx, "--map: rbf needs a number of components and a gamma (rbf:D:GAMMA, "
                                        "e.g. rbf:4000:0.5)");
        rc = cli_parse_int(ctx, "--map D", fields[1], 1, HOGFEAT_FEATURE_MAP_MAX_COMPONENTS, &steps);
        if (rc == 0)
            rc = cli_parse_double(ctx, "--map GAMMA", fields[2], 0.0, 1e30, 1, &param);
        if (rc)
            return rc;
        break;
    }
    f->map = map;
    f->map_steps = (int32_t)steps;
    f->map_param = param;
    return 0;
}

int cli_features_option(const cli_ctx *ctx, cli_features *f, int opt, const char *arg)
{
    long v;
    int rc;
    switch (opt) {
    case CLI_OPT_CELL:
        rc = cli_parse_int(ctx, "--cell", arg, 1, HOGFEAT_HOG_MAX_CELL_PX, &v);
        if (rc == 0) {
            f->cell_px = (int32_t)v;
            f->cell_given = 1;
        }
        return rc;
    case CLI_OPT_BLOCK:
        rc = cli_parse_int(ctx, "--block", arg, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &v);
        if (rc == 0)
            f->block_cells = (int32_t)v;
        return rc;
    case CLI_OPT_BLOCK_STRIDE:
        rc = cli_parse_int(ctx, "--block-stride", arg, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &v);
        if (rc == 0)
            f->block_stride = (int32_t)v;
        return rc;
    case CLI_OPT_BINS:
        rc = cli_parse_int(ctx, "--bins", arg, 1, HOGFEAT_HOG_MAX_ORIENTATIONS, &v);
        if (rc == 0)
            f->bins = (int32_t)v;
        return rc;
    case CLI_OPT_NORM:
        return cli_parse_norm_choice(ctx, arg, &f->norm);
    case CLI_OPT_SQRT:
        f->transform_sqrt = 1;
        return 0;
    case CLI_OPT_SIGNED:
        f->signed_orientations = 1;
        return 0;
    case CLI_OPT_BLUR:
        return cli_parse_double(ctx, "--blur", arg, 0.0, HOGFEAT_PIPELINE_MAX_SIGMA, 0, &f->blur_sigma);
    case CLI_OPT_RESIZE:
        return cli_parse_size_wxh(ctx, "--resize", arg, &f->resize_w, &f->resize_h);
    case CLI_OPT_HOG_CELLS:
        return parse_hog_cells(ctx, arg, f);
    case CLI_OPT_LBP_CELLS:
        rc = cli_parse_int(ctx, "--lbp-cells", arg, 0, HOGFEAT_LBP_MAX_CELL_PX, &v);
        if (rc == 0)
            f->lbp_cell_px = (int32_t)v;
        return rc;
    case CLI_OPT_MAP:
        return parse_map(ctx, arg, f);
    default:
        return -1;
    }
}

int cli_features_check(const cli_ctx *ctx, cli_features *f)
{
    if (f->num_hog_cells > 0) {
        if (f->cell_given && f->cell_px != f->hog_cells[0])
            return cli_usage_error(ctx, "--cell %ld and --hog-cells %ld,... give two sizes for the first HOG's cells "
                                        "(the first entry of --hog-cells is the --cell value)",
                                   (long)f->cell_px, (long)f->hog_cells[0]);
        f->cell_px = f->hog_cells[0];
    }
    size_t descriptors = (f->num_hog_cells > 0 ? f->num_hog_cells : 1) + (f->lbp_cell_px > 0);
    if (descriptors > HOGFEAT_PIPELINE_MAX_DESCRIPTORS)
        return cli_usage_error(ctx, "more than %d descriptors (--hog-cells entries plus --lbp-cells)",
                               HOGFEAT_PIPELINE_MAX_DESCRIPTORS);
    return 0;
}

void cli_features_help(FILE *out)
{
    fprintf(out,
            "Feature options (preprocessing, descriptors, feature map):\n"
            "      --cell N          cell side in pixels, 1-%d (default %d)\n"
            "      --block N         block side in cells, 1-%d (default %d)\n"
            "      --block-stride N  step between blocks in cells (default %d)\n"
            "      --bins N          orientation bins, 1-%d (default %d)\n"
            "      --norm NAME       block normalisation: L1, L1-sqrt, L2, L2-Hys (default %s)\n"
            "      --sqrt            square-root (power-law) compression of pixels (default off)\n"
            "      --signed          signed orientations over 0-360 degrees (default unsigned, 0-180)\n"
            "      --blur SIGMA      Gaussian blur in pixels before HOG, 0 = off, max %g (default %g)\n"
            "      --resize WxH      resize every image to W x H first (default off)\n"
            "      --hog-cells LIST  one HOG per cell side in LIST (e.g. 4,6,8), features laid end\n"
            "                        to end; the first replaces --cell, all share the other HOG\n"
            "                        options (default: one HOG, --cell)\n"
            "      --lbp-cells N     also an LBP histogram (8 points, radius 1, uniform, L1) per\n"
            "                        N x N cell, 0 = none (default 0)\n"
            "      --map MAP         feature map after the descriptors: none, hellinger,\n"
            "                        chi2[:STEPS[:INTERVAL]], intersection[:STEPS[:INTERVAL]]\n"
            "                        (STEPS 1-%d, default %d) or rbf:D:GAMMA (D random Fourier\n"
            "                        features, drawn from --seed) (default none)\n",
            HOGFEAT_HOG_MAX_CELL_PX, CLI_DEFAULT_CELL_PX, HOGFEAT_HOG_MAX_BLOCK_CELLS, CLI_DEFAULT_BLOCK_CELLS,
            CLI_DEFAULT_BLOCK_STRIDE, HOGFEAT_HOG_MAX_ORIENTATIONS, CLI_DEFAULT_BINS,
            cli_norm_name(CLI_DEFAULT_NORM), HOGFEAT_PIPELINE_MAX_SIGMA, CLI_DEFAULT_BLUR_SIGMA,
            HOGFEAT_FEATURE_MAP_MAX_STEPS, CLI_DEFAULT_MAP_STEPS);
}

/* A HOG configuration of the settings with cells of @p cell_px. */
static hogfeat_status make_hog_config(const cli_features *f, int32_t cell_px, hogfeat_hog_config **out)
{
    hogfeat_hog_config *cfg = NULL;
    hogfeat_status st = hogfeat_hog_config_create(&cfg);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(cfg, cell_px, cell_px);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_size(cfg, f->block_cells, f->block_cells);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_stride(cfg, f->block_stride, f->block_stride);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_orientations(cfg, f->bins);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_norm(cfg, (hogfeat_norm)f->norm);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_transform_sqrt(cfg, f->transform_sqrt);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_signed_orientations(cfg, f->signed_orientations);
    if (st != HOGFEAT_OK) {
        hogfeat_hog_config_destroy(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return st;
}

static hogfeat_status add_lbp(hogfeat_pipeline *pipeline, int32_t cell_px)
{
    hogfeat_lbp_config *cfg = NULL;
    hogfeat_status st = hogfeat_lbp_config_create(&cfg);
    if (st == HOGFEAT_OK)
        st = hogfeat_lbp_config_set_points(cfg, 8);
    if (st == HOGFEAT_OK)
        st = hogfeat_lbp_config_set_radius(cfg, 1.0f);
    if (st == HOGFEAT_OK)
        st = hogfeat_lbp_config_set_method(cfg, HOGFEAT_LBP_UNIFORM);
    if (st == HOGFEAT_OK)
        st = hogfeat_lbp_config_set_cell_size(cfg, cell_px, cell_px);
    if (st == HOGFEAT_OK)
        st = hogfeat_lbp_config_set_norm(cfg, HOGFEAT_LBP_NORM_L1);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_add_lbp(pipeline, cfg);
    hogfeat_lbp_config_destroy(cfg);
    return st;
}

hogfeat_status cli_features_pipeline(const cli_ctx *ctx, const cli_features *f, hogfeat_pipeline **out)
{
    *out = NULL;
    hogfeat_hog_config *cfg = NULL;
    hogfeat_pipeline *pipeline = NULL;
    hogfeat_status st = make_hog_config(f, f->cell_px, &cfg);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_create(cfg, &pipeline);
    hogfeat_hog_config_destroy(cfg);
    cfg = NULL;
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_blur(pipeline, f->blur_sigma);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_resize(pipeline, f->resize_w, f->resize_h);
    for (size_t i = 1; st == HOGFEAT_OK && i < f->num_hog_cells; i++) {
        st = make_hog_config(f, f->hog_cells[i], &cfg);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_add_hog(pipeline, cfg);
        hogfeat_hog_config_destroy(cfg);
        cfg = NULL;
    }
    if (st == HOGFEAT_OK && f->lbp_cell_px > 0)
        st = add_lbp(pipeline, f->lbp_cell_px);
    if (st == HOGFEAT_OK && f->map != HOGFEAT_FEATURE_MAP_NONE && f->map != HOGFEAT_FEATURE_MAP_RBF)
        st = hogfeat_pipeline_set_feature_map(pipeline, (hogfeat_feature_map)f->map, f->map_steps, f->map_param);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, NULL, st);
        hogfeat_pipeline_destroy(pipeline);
        pipeline = NULL;
    }
    *out = pipeline;
    return st;
}

void cli_data_first_size(const cli_data *data, size_t *out_w, size_t *out_h)
{
    *out_w = 0;
    *out_h = 0;
    for (size_t s = 0; s < data->num_sets; s++) {
        const cli_set *set = data->sets[s];
        if (set->dataset) {
            *out_w = hogfeat_dataset_width(set->dataset);
            *out_h = hogfeat_dataset_height(set->dataset);
            return;
        }
        if (set->images && set->count > 0 && set->images[0]) {
            *out_w = hogfeat_image_width(set->images[0]);
            *out_h = hogfeat_image_height(set->images[0]);
            return;
        }
    }
}

int cli_features_prepare(const cli_ctx *ctx, const cli_features *f, hogfeat_pipeline *pipeline,
                         const cli_data *data)
{
    if (f->map != HOGFEAT_FEATURE_MAP_RBF)
        return 0;
    size_t w = 0, h = 0;
    cli_data_first_size(data, &w, &h);
    if (w == 0 || h == 0) {
        cli_error(ctx, data->dir, "no images");
        return CLI_EXIT_RUNTIME;
    }
    hogfeat_status st = hogfeat_pipeline_set_rbf_map(pipeline, w, h, f->map_steps, f->map_param, f->map_seed);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, data->dir, st);
        return CLI_EXIT_RUNTIME;
    }
    return 0;
}

void cli_describe_features(const hogfeat_pipeline *pipeline, size_t width, size_t height, char *buf,
                           size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
#define CLI_APPEND(...)                                                              \
    do {                                                                             \
        if (used < cap) {                                                            \
            int n_ = snprintf(buf + used, cap - used, __VA_ARGS__);                  \
            used = n_ < 0 ? cap : (size_t)n_ >= cap - used ? cap : used + (size_t)n_; \
        }                                                                            \
    } while (0)
    size_t nd = hogfeat_pipeline_num_descriptors(pipeline);
    for (size_t i = 0; i < nd; i++) {
        size_t len = 0;
        int have_len = hogfeat_pipeline_descriptor_length(pipeline, i, width, height, &len) == HOGFEAT_OK;
        const hogfeat_hog_config *hog = hogfeat_pipeline_descriptor_hog(pipeline, i);
        const hogfeat_lbp_config *lbp = hogfeat_pipeline_descriptor_lbp(pipeline, i);
        if (i)
            CLI_APPEND(" + ");
        if (hog)
            CLI_APPEND("HOG %ldx%ld px", (long)hogfeat_hog_config_get_cell_width(hog),
                       (long)hogfeat_hog_config_get_cell_height(hog));
        else if (lbp)
            CLI_APPEND("LBP %ldx%ld px", (long)hogfeat_lbp_config_get_cell_width(lbp),
                       (long)hogfeat_lbp_config_get_cell_height(lbp));
        else
            CLI_APPEND("descriptor %zu", i);
        if (have_len)
            CLI_APPEND(" (%zu)", len);
    }
    int map = hogfeat_pipeline_feature_map(pipeline);
    switch (map) {
    case HOGFEAT_FEATURE_MAP_NONE:
        break;
    case HOGFEAT_FEATURE_MAP_HELLINGER:
        CLI_APPEND(", hellinger map");
        break;
    case HOGFEAT_FEATURE_MAP_CHI2:
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        CLI_APPEND(", %s map (%ld steps, interval %g)", cli_map_name(map),
                   (long)hogfeat_pipeline_feature_map_param(pipeline), hogfeat_pipeline_feature_map_param2(pipeline));
        break;
    case HOGFEAT_FEATURE_MAP_RBF:
        CLI_APPEND(", rbf map (%ld components, gamma %g, seed %ld)", (long)hogfeat_pipeline_feature_map_param(pipeline),
                   hogfeat_pipeline_feature_map_param2(pipeline), (long)hogfeat_pipeline_feature_map_seed(pipeline));
        break;
    default:
        CLI_APPEND(", map %d", map);
        break;
    }
#undef CLI_APPEND
}

/* ------------------------------------------------------------ progress */

void cli_progress_init(cli_progress *p, const cli_ctx *ctx, const char *what, size_t total)
{
    p->enabled = ctx->stderr_tty && !ctx->quiet;
    p->what = what;
    p->total = total;
    p->last_print = 0.0;
}

void cli_progress_update(cli_progress *p, size_t done)
{
    if (!p || !p->enabled)
        return;
    double now = cli_now();
    if (done < p->total && now - p->last_print < 0.1)
        return;
    p->last_print = now;
    fprintf(stderr, "\r%s: %zu/%zu images", p->what, done, p->total);
    fflush(stderr);
}

void cli_progress_finish(cli_progress *p)
{
    if (!p || !p->enabled)
        return;
    /* Erase the line so that later output starts clean. */
    fprintf(stderr, "\r%*s\r", (int)strlen(p->what) + 48, "");
    fflush(stderr);
    p->enabled = 0;
}

/* ------------------------------------------------------------ data sets */

static void cli_set_free(cli_set *set)
{
    if (!set)
        return;
    if (set->images) {
        for (size_t i = 0; i < set->count; i++)
            hogfeat_image_destroy(set->images[i]);
        free(set->images);
    }
    if (set->paths) {
        for (size_t i = 0; i < set->count; i++)
            free(set->paths[i]);
        free(set->paths);
    }
    hogfeat_dataset_destroy(set->dataset);
    free(set->labels);
    free(set->description);
    free(set->source);
    free(set);
}

void cli_data_free(cli_data *data)
{
    for (size_t i = 0; i < 2; i++)
        cli_set_free(data->sets[i]);
    free(data->dir);
    memset(data, 0, sizeof(*data));
}

static int file_exists(const char *dir, const char *name)
{
    char *path = cli_path_join(dir, name);
    if (!path)
        return 0;
    struct stat sb;
    int ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    free(path);
    return ok;
}

static int mnist_split_present(const char *dir, cli_split_sel split)
{
    const char *base = split == CLI_SPLIT_TRAIN ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
    char name[64];
    snprintf(name, sizeof(name), "%s.gz", base);
    return file_exists(dir, base) || file_exists(dir, name);
}

static int load_mnist_split(const cli_ctx *ctx, const char *dir, cli_split_sel split, int need_labels,
                            cli_set **out)
{
    *out = NULL;
    cli_set *set = calloc(1, sizeof(*set));
    if (!set) {
        cli_error(ctx, dir, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    hogfeat_status st = hogfeat_dataset_load_mnist(
        dir, split == CLI_SPLIT_TRAIN ? HOGFEAT_SPLIT_TRAIN : HOGFEAT_SPLIT_TEST, NULL, &set->dataset);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, dir, st);
        cli_set_free(set);
        return CLI_EXIT_RUNTIME;
    }
    set->count = hogfeat_dataset_count(set->dataset);
    set->description = cli_sprintf_alloc("%s (%s split)", dir, cli_split_name(split));
    set->source = cli_strdup(dir);
    const int32_t *labels = hogfeat_dataset_labels(set->dataset);
    if (labels) {
        set->labels = cli_calloc_array(set->count, sizeof(int32_t));
        if (set->labels && set->count)
            memcpy(set->labels, labels, set->count * sizeof(int32_t));
    }
    if (!set->description || !set->source || (labels && !set->labels)) {
        cli_error(ctx, dir, "out of memory");
        cli_set_free(set);
        return CLI_EXIT_RUNTIME;
    }
    if (need_labels && !set->labels) {
        cli_error(ctx, dir, "the %s split has no labels", cli_split_name(split));
        cli_set_free(set);
        return CLI_EXIT_RUNTIME;
    }
    *out = set;
    return 0;
}

/* One parsed line of a labels file. */
typedef struct label_entry {
    char *name;
    int32_t label;
} label_entry;

static void free_entries(label_entry *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(entries[i].name);
    free(entries);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Parse "FILENAME LABEL" lines. The label is the last whitespace-separated
 * word, so file names may contain spaces; '#' at the start of a line (after
 * blanks) or after a blank starts a comment. */
static int parse_labels_file(const cli_ctx *ctx, const char *path, label_entry **out_entries, size_t *out_n)
{
    *out_entries = NULL;
    *out_n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        cli_error(ctx, path, "cannot open labels file: %s", strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    label_entry *entries = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &line_cap, fp)) >= 0) {
        lineno++;
        if (memchr(line, '\0', (size_t)len)) {
            cli_error(ctx, path, "line %lu: NUL byte in a text file", lineno);
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        char *s = line;
        while (is_blank(*s))
            s++;
        if (*s == '#' || *s == '\0')
            continue;
        for (char *c = s + 1; *c; c++) {
            if (*c == '#' && is_blank(c[-1])) {
                *c = '\0';
                break;
            }
        }
        char *end = s + strlen(s);
        while (end > s && is_blank(end[-1]))
            *--end = '\0';
        char *word = end;
        while (word > s && !is_blank(word[-1]))
            word--;
        char *name_end = word;
        while (name_end > s && is_blank(name_end[-1]))
            name_end--;
        if (word == s || name_end == s) {
            cli_error(ctx, path, "line %lu: expected 'FILENAME LABEL', got '%s'", lineno, s);
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        *name_end = '\0';
        errno = 0;
        char *num_end = NULL;
        long long v = strtoll(word, &num_end, 10);
        if (num_end == word || *num_end != '\0') {
            cli_error(ctx, path, "line %lu: malformed label '%s' (expected an integer)", lineno, word);
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX) {
            cli_error(ctx, path, "line %lu: label '%s' is out of range (labels must fit int32: %ld to %ld)",
                      lineno, word, (long)INT32_MIN, (long)INT32_MAX);
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        if (n == cap) {
            size_t new_cap = cap ? cap * 2 : 256;
            label_entry *grown = realloc(entries, new_cap * sizeof(*grown));
            if (!grown) {
                cli_error(ctx, path, "out of memory");
                rc = CLI_EXIT_RUNTIME;
                break;
            }
            entries = grown;
            cap = new_cap;
        }
        entries[n].name = cli_strdup(s);
        entries[n].label = (int32_t)v;
        if (!entries[n].name) {
            cli_error(ctx, path, "out of memory");
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        n++;
    }
    if (rc == 0 && ferror(fp)) {
        cli_error(ctx, path, "read error: %s", strerror(errno));
        rc = CLI_EXIT_RUNTIME;
    }
    free(line);
    fclose(fp);
    if (rc == 0 && n == 0) {
        cli_error(ctx, path, "no images listed");
        rc = CLI_EXIT_RUNTIME;
    }
    if (rc != 0) {
        free_entries(entries, n);
        return rc;
    }
    *out_entries = entries;
    *out_n = n;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    const label_entry *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* Every *.pgm file of a directory, sorted by name, unlabelled. */
static int list_pgm_files(const cli_ctx *ctx, const char *dir, label_entry **out_entries, size_t *out_n)
{
    *out_entries = NULL;
    *out_n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        cli_error(ctx, dir, "%s", strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    label_entry *entries = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcasecmp(de->d_name + len - 4, ".pgm") != 0)
            continue;
        if (n == cap) {
            size_t new_cap = cap ? cap * 2 : 256;
            label_entry *grown = realloc(entries, new_cap * sizeof(*grown));
            if (!grown) {
                rc = CLI_EXIT_RUNTIME;
                break;
            }
            entries = grown;
            cap = new_cap;
        }
        entries[n].name = cli_strdup(de->d_name);
        entries[n].label = 0;
        if (!entries[n].name) {
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != 0) {
        cli_error(ctx, dir, "out of memory");
        free_entries(entries, n);
        return rc;
    }
    if (n == 0) {
        cli_error(ctx, dir, "no MNIST IDX files, no %s and no .pgm files in this directory",
                  CLI_DEFAULT_LABELS_FILE);
        free(entries);
        return CLI_EXIT_RUNTIME;
    }
    qsort(entries, n, sizeof(*entries), compare_names);
    *out_entries = entries;
    *out_n = n;
    return 0;
}

static int load_pgm_folder(const cli_ctx *ctx, const cli_data_request *req, cli_set **out)
{
    *out = NULL;
    char *labels_path = NULL;
    label_entry *entries = NULL;
    size_t n = 0;
    int labelled = 1;
    int rc;
    if (req->labels_file) {
        labels_path = cli_strdup(req->labels_file);
    } else {
        labels_path = cli_path_join(req->dir, CLI_DEFAULT_LABELS_FILE);
    }
    if (!labels_path) {
        cli_error(ctx, req->dir, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    struct stat sb;
    if (!req->labels_file && stat(labels_path, &sb) != 0 && errno == ENOENT) {
        if (req->need_labels) {
            cli_error(ctx, req->dir, "not a dataset: no MNIST IDX files (train-images-idx3-ubyte[.gz], "
                                     "t10k-images-idx3-ubyte[.gz]) and no %s", CLI_DEFAULT_LABELS_FILE);
            free(labels_path);
            return CLI_EXIT_RUNTIME;
        }
        labelled = 0;
        rc = list_pgm_files(ctx, req->dir, &entries, &n);
    } else {
        rc = parse_labels_file(ctx, labels_path, &entries, &n);
    }
    if (rc != 0) {
        free(labels_path);
        return rc;
    }

    cli_set *set = calloc(1, sizeof(*set));
    if (set) {
        set->count = n;
        set->images = cli_calloc_array(n, sizeof(*set->images));
        set->paths = cli_calloc_array(n, sizeof(*set->paths));
        set->labels = labelled ? cli_calloc_array(n, sizeof(int32_t)) : NULL;
        if (labelled)
            set->description = cli_sprintf_alloc("%s (%zu images listed in %s)", req->dir, n, labels_path);
        else
            set->description = cli_sprintf_alloc("%s (%zu .pgm files, unlabelled)", req->dir, n);
        set->source = cli_strdup(labels_path);
    }
    if (!set || !set->images || !set->paths || (labelled && !set->labels) || !set->description ||
        !set->source) {
        cli_error(ctx, req->dir, "out of memory");
        free_entries(entries, n);
        free(labels_path);
        cli_set_free(set);
        return CLI_EXIT_RUNTIME;
    }

    cli_progress progress;
    cli_progress_init(&progress, ctx, "loading", n);
    rc = 0;
    for (size_t i = 0; i < n; i++) {
        set->paths[i] = cli_path_join(req->dir, entries[i].name);
        if (!set->paths[i]) {
            cli_error(ctx, req->dir, "out of memory");
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        if (labelled)
            set->labels[i] = entries[i].label;
        hogfeat_status st = hogfeat_pgm_read_file(set->paths[i], NULL, &set->images[i]);
        if (st != HOGFEAT_OK) {
            cli_progress_finish(&progress);
            cli_lib_error(ctx, set->paths[i], st);
            rc = CLI_EXIT_RUNTIME;
            break;
        }
        cli_progress_update(&progress, i + 1);
    }
    cli_progress_finish(&progress);
    free_entries(entries, n);
    free(labels_path);
    if (rc != 0) {
        cli_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

int cli_data_load(const cli_ctx *ctx, const cli_data_request *req, cli_data *out)
{
    memset(out, 0, sizeof(*out));
    struct stat sb;
    if (stat(req->dir, &sb) != 0) {
        cli_error(ctx, req->dir, "%s", strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    if (!S_ISDIR(sb.st_mode)) {
        cli_error(ctx, req->dir, "not a directory (DATA is an MNIST directory or a folder of PGM images)");
        return CLI_EXIT_RUNTIME;
    }
    out->dir = cli_strdup(req->dir);
    if (!out->dir) {
        cli_error(ctx, req->dir, "out of memory");
        return CLI_EXIT_RUNTIME;
    }
    int has_train = mnist_split_present(req->dir, CLI_SPLIT_TRAIN);
    int has_test = mnist_split_present(req->dir, CLI_SPLIT_TEST);
    int rc = 0;
    if (!req->labels_file && (has_train || has_test)) {
        out->is_mnist = 1;
        cli_split_sel want[2] = {CLI_SPLIT_DEFAULT, CLI_SPLIT_DEFAULT};
        if (req->split == CLI_SPLIT_BOTH) {
            if (req->split_explicit || (has_train && has_test)) {
                want[0] = CLI_SPLIT_TRAIN;
                want[1] = CLI_SPLIT_TEST;
            } else {
                want[0] = has_train ? CLI_SPLIT_TRAIN : CLI_SPLIT_TEST;
            }
        } else {
            want[0] = req->split;
        }
        for (size_t i = 0; i < 2 && rc == 0; i++) {
            if (want[i] == CLI_SPLIT_DEFAULT)
                continue;
            rc = load_mnist_split(ctx, req->dir, want[i], req->need_labels, &out->sets[out->num_sets]);
            if (rc == 0)
                out->num_sets++;
        }
    } else {
        rc = load_pgm_folder(ctx, req, &out->sets[0]);
        if (rc == 0)
            out->num_sets = 1;
    }
    if (rc != 0) {
        cli_data_free(out);
        return rc;
    }
    for (size_t i = 0; i < out->num_sets; i++)
        out->total += out->sets[i]->count;
    return 0;
}

void cli_data_release_pixels(cli_data *data)
{
    for (size_t s = 0; s < data->num_sets; s++) {
        cli_set *set = data->sets[s];
        hogfeat_dataset_destroy(set->dataset);
        set->dataset = NULL;
        if (set->images) {
            for (size_t i = 0; i < set->count; i++) {
                hogfeat_image_destroy(set->images[i]);
                set->images[i] = NULL;
            }
        }
    }
}

const char *cli_set_image_name(const cli_set *set, size_t index, char *buf, size_t cap)
{
    if (set->paths)
        snprintf(buf, cap, "%s", set->paths[index]);
    else
        snprintf(buf, cap, "%s: image %zu", set->source, index);
    return buf;
}

int32_t *cli_data_labels(const cli_data *data)
{
    for (size_t s = 0; s < data->num_sets; s++)
        if (!data->sets[s]->labels)
            return NULL;
    int32_t *labels = cli_calloc_array(data->total, sizeof(int32_t));
    if (!labels)
        return NULL;
    size_t row = 0;
    for (size_t s = 0; s < data->num_sets; s++) {
        if (data->sets[s]->count)
            memcpy(labels + row, data->sets[s]->labels, data->sets[s]->count * sizeof(int32_t));
        row += data->sets[s]->count;
    }
    return labels;
}

int cli_data_feature_length(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                            size_t *out_length)
{
    size_t length = 0;
    size_t first_w = 0, first_h = 0;
    int have = 0;
    for (size_t s = 0; s < data->num_sets; s++) {
        const cli_set *set = data->sets[s];
        size_t n = set->dataset ? 1 : set->count;
        for (size_t i = 0; i < n; i++) {
            size_t w, h;
            if (set->dataset) {
                w = hogfeat_dataset_width(set->dataset);
                h = hogfeat_dataset_height(set->dataset);
            } else {
                w = hogfeat_image_width(set->images[i]);
                h = hogfeat_image_height(set->images[i]);
            }
            if (have && w == first_w && h == first_h)
                continue;
            size_t len = 0;
            hogfeat_status st = hogfeat_pipeline_feature_length(pipeline, w, h, &len);
            const char *name = set->dataset ? set->source : set->paths[i];
            if (st != HOGFEAT_OK) {
                cli_lib_error(ctx, name, st);
                return CLI_EXIT_RUNTIME;
            }
            if (!have) {
                have = 1;
                length = len;
                first_w = w;
                first_h = h;
            } else if (len != length) {
                cli_error(ctx, name,
                          "image is %zux%zu (%zu features) but earlier images are %zux%zu (%zu features); "
                          "use --resize WxH to give all images one size",
                          w, h, len, first_w, first_h, length);
                return CLI_EXIT_RUNTIME;
            }
        }
    }
    if (!have) {
        cli_error(ctx, data->dir, "no images");
        return CLI_EXIT_RUNTIME;
    }
    *out_length = length;
    return 0;
}

/* --------------------------------------------------- batch extraction */

/* Rows per library call. The batch calls have no progress hook, so the
 * progress line moves between calls; at 4096 rows a call lasts long enough
 * (tens of milliseconds) that starting its threads costs nothing. */
#define CLI_EXTRACT_BATCH ((size_t)4096)

/* Copy a w x h plane of @p bpp-byte pixels moved dx right and dy down;
 * pixels that come from outside the source repeat its nearest edge pixel
 * (scipy.ndimage.shift's mode 'nearest'), so that no artificial edge
 * appears whatever the background (CMATERdb's paper is white, MNIST's
 * black). */
static void shift_plane(const uint8_t *src, size_t src_stride, uint8_t *dst, size_t dst_stride, size_t w,
                        size_t h, size_t bpp, int dx, int dy)
{
    for (size_t y = 0; y < h; y++) {
        long sy = (long)y - dy;
        sy = sy < 0 ? 0 : sy >= (long)h ? (long)h - 1 : sy;
        const uint8_t *srow = src + (size_t)sy * src_stride;
        uint8_t *drow = dst + y * dst_stride;
        for (size_t x = 0; x < w; x++) {
            long sx = (long)x - dx;
            sx = sx < 0 ? 0 : sx >= (long)w ? (long)w - 1 : sx;
            memcpy(drow + x * bpp, srow + (size_t)sx * bpp, bpp);
        }
    }
}

static size_t format_bytes_per_pixel(int format)
{
    switch (format) {
    case HOGFEAT_FORMAT_U8_GRAY:
        return 1;
    case HOGFEAT_FORMAT_U8_RGB:
        return 3;
    case HOGFEAT_FORMAT_F32_GRAY:
        return 4;
    case HOGFEAT_FORMAT_F32_RGB:
        return 12;
    default:
        return 0;
    }
}

/* A shifted copy of @p image (an owned image of the same format and size). */
static hogfeat_status shifted_image(const hogfeat_image *image, int dx, int dy, hogfeat_image **out)
{
    *out = NULL;
    int format = hogfeat_image_format(image);
    size_t w = hogfeat_image_width(image), h = hogfeat_image_height(image);
    size_t bpp = format_bytes_per_pixel(format);
    if (bpp == 0)
        return HOGFEAT_ERR_UNSUPPORTED_FORMAT;
    hogfeat_image *copy = NULL;
    hogfeat_status st = hogfeat_image_create((hogfeat_format)format, w, h, &copy);
    if (st != HOGFEAT_OK)
        return st;
    shift_plane(hogfeat_image_data(image), hogfeat_image_stride_bytes(image), hogfeat_image_writable_data(copy),
                hogfeat_image_stride_bytes(copy), w, h, bpp, dx, dy);
    *out = copy;
    return HOGFEAT_OK;
}

/* Rows [index, index + count) of one set with the library's batch API: an
 * MNIST split is one contiguous stack of pixels, described in place; a PGM
 * folder is an array of image handles. With a shift, the batch's images
 * are first copied shifted into a buffer of this call. */
static hogfeat_status extract_set_rows(const hogfeat_pipeline *pipeline, const cli_set *set, size_t index,
                                       size_t count, size_t dim, int threads, int dx, int dy, float *out,
                                       int *out_copy_failed)
{
    *out_copy_failed = 0;
    hogfeat_status st = HOGFEAT_OK;
    if (set->dataset) {
        size_t w = hogfeat_dataset_width(set->dataset), h = hogfeat_dataset_height(set->dataset);
        const uint8_t *pixels = hogfeat_dataset_pixels(set->dataset) + index * w * h;
        uint8_t *shifted = NULL;
        if (dx || dy) {
            if (!(shifted = cli_calloc_array(count, w * h))) {
                *out_copy_failed = 1;
                return HOGFEAT_ERR_OUT_OF_MEMORY;
            }
            for (size_t i = 0; i < count; i++)
                shift_plane(pixels + i * w * h, w, shifted + i * w * h, w, w, h, 1, dx, dy);
            pixels = shifted;
        }
        st = hogfeat_pipeline_extract_stack(pipeline, pixels, HOGFEAT_FORMAT_U8_GRAY, count, w, h, 0, 0,
                                            (int32_t)threads, out, dim, count * dim);
        free(shifted);
        return st;
    }
    if (!dx && !dy)
        return hogfeat_pipeline_extract_batch(pipeline, (const hogfeat_image *const *)(set->images + index),
                                              count, (int32_t)threads, out, dim, count * dim);
    hogfeat_image **copies = cli_calloc_array(count, sizeof(*copies));
    if (!copies) {
        *out_copy_failed = 1;
        return HOGFEAT_ERR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < count && st == HOGFEAT_OK; i++)
        st = shifted_image(set->images[index + i], dx, dy, &copies[i]);
    if (st != HOGFEAT_OK)
        *out_copy_failed = 1;
    else
        st = hogfeat_pipeline_extract_batch(pipeline, (const hogfeat_image *const *)copies, count,
                                            (int32_t)threads, out, dim, count * dim);
    for (size_t i = 0; i < count; i++)
        hogfeat_image_destroy(copies[i]);
    free(copies);
    return st;
}

/* A batch failed. Its message counts images from the start of the call;
 * find the first failing image again, one by one on this thread, to name
 * its file (or its index in the split) and give its own message. */
static void report_failed_batch(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_set *set,
                                size_t index, size_t count, size_t dim, hogfeat_status batch_status,
                                const char *batch_message)
{
    char name[1024];
    float *row = cli_calloc_array(dim, sizeof(float));
    for (size_t i = index; row && i < index + count; i++) {
        hogfeat_image *image = NULL;
        hogfeat_status st = set->dataset ? hogfeat_dataset_image(set->dataset, i, &image) : HOGFEAT_OK;
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_extract(pipeline, set->dataset ? image : set->images[i], row, dim);
        if (set->dataset)
            hogfeat_image_destroy(image);
        if (st != HOGFEAT_OK) {
            cli_lib_error(ctx, cli_set_image_name(set, i, name, sizeof(name)), st);
            free(row);
            return;
        }
    }
    free(row);
    cli_lib_error_msg(ctx, set->source, batch_status, batch_message);
}

int cli_extract_rows(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                     size_t first, size_t count, size_t dim, int threads, float *features,
                     cli_progress *progress, size_t progress_base)
{
    return cli_extract_rows_shifted(ctx, pipeline, data, first, count, dim, threads, 0, 0, features, progress,
                                    progress_base);
}

int cli_extract_rows_shifted(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                             size_t first, size_t count, size_t dim, int threads, int dx, int dy,
                             float *features, cli_progress *progress, size_t progress_base)
{
    size_t done = 0;
    while (done < count) {
        /* Row first + done lives in set s at index; a call never crosses sets. */
        size_t s = 0, index = first + done;
        while (s + 1 < data->num_sets && index >= data->sets[s]->count) {
            index -= data->sets[s]->count;
            s++;
        }
        const cli_set *set = data->sets[s];
        size_t rows = count - done;
        if (rows > set->count - index)
            rows = set->count - index;
        if (rows > CLI_EXTRACT_BATCH)
            rows = CLI_EXTRACT_BATCH;
        int copy_failed = 0;
        hogfeat_status st =
            extract_set_rows(pipeline, set, index, rows, dim, threads, dx, dy, features + done * dim, &copy_failed);
        if (st != HOGFEAT_OK && copy_failed) {
            cli_progress_finish(progress);
            cli_error(ctx, set->source, "cannot make shifted copies of %zu images: %s", rows, hogfeat_strerror(st));
            return CLI_EXIT_RUNTIME;
        }
        if (st != HOGFEAT_OK) {
            char message[512];
            snprintf(message, sizeof(message), "%s", hogfeat_last_error_message());
            cli_progress_finish(progress);
            /* The unshifted images are tried one by one to name the failing
             * one; a copy fails like its original (same size and format). */
            report_failed_batch(ctx, pipeline, set, index, rows, dim, st, message);
            return CLI_EXIT_RUNTIME;
        }
        done += rows;
        cli_progress_update(progress, progress_base + done);
    }
    return 0;
}

/* ------------------------------------------------- threaded prediction */

typedef struct predict_job {
    const hogfeat_linsvm *svm;
    const hogfeat_knn *knn;
    const float *features;
    size_t n, dim;
    int32_t *out;
    hogfeat_status status;
    char message[512];
} predict_job;

static void *predict_thread(void *arg)
{
    predict_job *job = arg;
    if (job->svm)
        job->status = hogfeat_linsvm_predict(job->svm, job->features, job->n, job->dim, job->dim, job->out);
    else
        job->status = hogfeat_knn_predict(job->knn, job->features, job->n, job->dim, job->dim, job->out);
    if (job->status != HOGFEAT_OK)
        snprintf(job->message, sizeof(job->message), "%s", hogfeat_last_error_message());
    return NULL;
}

hogfeat_status cli_predict_rows(const hogfeat_linsvm *svm, const hogfeat_knn *knn, const float *features,
                                size_t n, size_t dim, int threads, int32_t *out_labels, char *errbuf,
                                size_t errcap)
{
    if (errcap)
        errbuf[0] = '\0';
    if (n == 0)
        return HOGFEAT_OK;
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > n)
        threads = (int)n;
    predict_job *jobs = cli_calloc_array((size_t)threads, sizeof(*jobs));
    pthread_t *tids = cli_calloc_array((size_t)threads, sizeof(*tids));
    int *started = cli_calloc_array((size_t)threads, sizeof(*started));
    if (!jobs || !tids || !started) {
        free(jobs);
        free(tids);
        free(started);
        snprintf(errbuf, errcap, "out of memory");
        return HOGFEAT_ERR_OUT_OF_MEMORY;
    }
    /* Contiguous row ranges; each thread writes only its own labels. */
    size_t begin = 0;
    for (int i = 0; i < threads; i++) {
        size_t end = n * (size_t)(i + 1) / (size_t)threads;
        jobs[i].svm = svm;
        jobs[i].knn = knn;
        jobs[i].features = features + begin * dim;
        jobs[i].n = end - begin;
        jobs[i].dim = dim;
        jobs[i].out = out_labels + begin;
        begin = end;
    }
    for (int i = 1; i < threads; i++)
        started[i] = pthread_create(&tids[i], NULL, predict_thread, &jobs[i]) == 0;
    predict_thread(&jobs[0]);
    for (int i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            predict_thread(&jobs[i]);
    }
    hogfeat_status st = HOGFEAT_OK;
    for (int i = 0; i < threads; i++) {
        if (jobs[i].status != HOGFEAT_OK) {
            st = jobs[i].status;
            snprintf(errbuf, errcap, "%s", jobs[i].message);
            break;
        }
    }
    free(jobs);
    free(tids);
    free(started);
    return st;
}

static int compare_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int32_t *cli_distinct_labels(const int32_t *labels, size_t n, size_t *out_n)
{
    int32_t *sorted = cli_calloc_array(n, sizeof(int32_t));
    if (!sorted)
        return NULL;
    if (n)
        memcpy(sorted, labels, n * sizeof(int32_t));
    qsort(sorted, n, sizeof(int32_t), compare_i32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || sorted[k - 1] != sorted[i])
            sorted[k++] = sorted[i];
    *out_n = k;
    return sorted;
}
