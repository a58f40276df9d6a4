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

void cli_features_defaults(cli_features *f)
{
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
}

int cli_features_option(const cli_ctx *ctx, cli_features *f, int opt, const char *arg)
{
    long v;
    int rc;
    switch (opt) {
    case CLI_OPT_CELL:
        rc = cli_parse_int(ctx, "--cell", arg, 1, HOGFEAT_HOG_MAX_CELL_PX, &v);
        if (rc == 0)
            f->cell_px = (int32_t)v;
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
    default:
        return -1;
    }
}

void cli_features_help(FILE *out)
{
    fprintf(out,
            "Feature options (preprocessing, then HOG):\n"
            "      --cell N          cell side in pixels, 1-%d (default %d)\n"
            "      --block N         block side in cells, 1-%d (default %d)\n"
            "      --block-stride N  step between blocks in cells (default %d)\n"
            "      --bins N          orientation bins, 1-%d (default %d)\n"
            "      --norm NAME       block normalisation: L1, L1-sqrt, L2, L2-Hys (default %s)\n"
            "      --sqrt            square-root (power-law) compression of pixels (default off)\n"
            "      --signed          signed orientations over 0-360 degrees (default unsigned, 0-180)\n"
            "      --blur SIGMA      Gaussian blur in pixels before HOG, 0 = off, max %g (default %g)\n"
            "      --resize WxH      resize every image to W x H first (default off)\n",
            HOGFEAT_HOG_MAX_CELL_PX, CLI_DEFAULT_CELL_PX, HOGFEAT_HOG_MAX_BLOCK_CELLS, CLI_DEFAULT_BLOCK_CELLS,
            CLI_DEFAULT_BLOCK_STRIDE, HOGFEAT_HOG_MAX_ORIENTATIONS, CLI_DEFAULT_BINS,
            cli_norm_name(CLI_DEFAULT_NORM), HOGFEAT_PIPELINE_MAX_SIGMA, CLI_DEFAULT_BLUR_SIGMA);
}

hogfeat_status cli_features_pipeline(const cli_ctx *ctx, const cli_features *f, hogfeat_pipeline **out)
{
    *out = NULL;
    hogfeat_hog_config *cfg = NULL;
    hogfeat_pipeline *pipeline = NULL;
    hogfeat_status st = hogfeat_hog_config_create(&cfg);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(cfg, f->cell_px, f->cell_px);
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
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_create(cfg, &pipeline);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_blur(pipeline, f->blur_sigma);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_resize(pipeline, f->resize_w, f->resize_h);
    if (st != HOGFEAT_OK) {
        cli_lib_error(ctx, NULL, st);
        hogfeat_pipeline_destroy(pipeline);
        pipeline = NULL;
    }
    hogfeat_hog_config_destroy(cfg);
    *out = pipeline;
    return st;
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

/* Rows [index, index + count) of one set with the library's batch API: an
 * MNIST split is one contiguous stack of pixels, described in place; a PGM
 * folder is an array of image handles. */
static hogfeat_status extract_set_rows(const hogfeat_pipeline *pipeline, const cli_set *set, size_t index,
                                       size_t count, size_t dim, int threads, float *out)
{
    if (set->dataset) {
        size_t w = hogfeat_dataset_width(set->dataset), h = hogfeat_dataset_height(set->dataset);
        const uint8_t *pixels = hogfeat_dataset_pixels(set->dataset) + index * w * h;
        return hogfeat_pipeline_extract_stack(pipeline, pixels, HOGFEAT_FORMAT_U8_GRAY, count, w, h, 0, 0,
                                              (int32_t)threads, out, dim, count * dim);
    }
    return hogfeat_pipeline_extract_batch(pipeline, (const hogfeat_image *const *)(set->images + index), count,
                                          (int32_t)threads, out, dim, count * dim);
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
        hogfeat_status st = extract_set_rows(pipeline, set, index, rows, dim, threads, features + done * dim);
        if (st != HOGFEAT_OK) {
            char message[512];
            snprintf(message, sizeof(message), "%s", hogfeat_last_error_message());
            cli_progress_finish(progress);
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
