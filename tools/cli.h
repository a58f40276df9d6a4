/* Shared declarations of the hogfeat command-line tool.
 *
 * The tool uses only the public API of libhogfeat. Its own names start with
 * cli_ / CLI_ (they are not library symbols). It keeps no global mutable
 * state: main() owns a cli_ctx and passes it down. It never calls
 * setlocale(), so the C locale applies to every number it parses or prints.
 */
#ifndef HOGFEAT_CLI_H
#define HOGFEAT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hogfeat/hogfeat.h>

/* ------------------------------------------------------------------------
 * Defaults of the tool, all in one place. They are the tool's choices and
 * differ from the library's (which follow scikit-image); --help prints them
 * from these constants, so documentation cannot drift.
 * ---------------------------------------------------------------------- */

/* HOG cell side in pixels. 4x4 cells give 7-8 cells per side on the 28-32 px
 * digit and clothing images the tool is tuned for; scikit-image's 8x8 is
 * too coarse there. */
#define CLI_DEFAULT_CELL_PX 4
/* Block side in cells. 2x2 blocks (8x8 px) normalise over a stroke-sized
 * neighbourhood; 3x3 blurs away local contrast on small images. */
#define CLI_DEFAULT_BLOCK_CELLS 2
/* Step between blocks in cells; 1 is the Dalal-Triggs dense overlap. */
#define CLI_DEFAULT_BLOCK_STRIDE 1
/* Orientation bins over 0-180 degrees (Dalal-Triggs: 9 is the knee of the
 * accuracy curve). */
#define CLI_DEFAULT_BINS 9
/* Block normalisation; L2-Hys is the Dalal-Triggs recommendation. */
#define CLI_DEFAULT_NORM HOGFEAT_NORM_L2HYS
/* Gaussian blur sigma in pixels before HOG; 0 = off. Handwritten digits are
 * often binary (CMATERdb is 0/255): without smoothing their staircase edges
 * put most gradients on the 0/45/90 degree axes. 1.2 is the reference
 * pipeline's value. Measured on the CMATERdb test split: linear SVM 95.70 %
 * off, 96.50 % at 1.2; KNN k=3 95.70 % off, 96.70 % at 1.2. Smooth
 * grayscale photographs gain nothing: Fashion-MNIST SVM 88.92 % off,
 * 88.59 % at 1.2, so pass --blur 0 for such data. */
#define CLI_DEFAULT_BLUR_SIGMA 1.2
/* Linear SVM regularisation C. HOG vectors are normalised per block and
 * the classes overlap, so a fairly strong regulariser generalises better;
 * 0.1 is the value of the published scikit-learn LinearSVC reference on
 * CMATERdb (shared/data/README.md). The library's own default is 1. */
#define CLI_DEFAULT_SVM_C 0.1
/* SVM loss: squared hinge (LIBLINEAR -s 1, LinearSVC's default). */
#define CLI_DEFAULT_SVM_LOSS HOGFEAT_SVM_LOSS_SQUARED_HINGE
/* Constant bias feature B (LIBLINEAR -B 1). */
#define CLI_DEFAULT_SVM_BIAS 1.0
/* Dual coordinate descent stopping tolerance. LIBLINEAR's -e 0.1 stops a
 * little early for these features (CMATERdb 96.40 % vs 96.50 % at 0.01);
 * 0.01 costs about 10 % more training time. */
#define CLI_DEFAULT_SVM_TOL 0.01
/* Cap on solver passes per binary problem. */
#define CLI_DEFAULT_SVM_MAX_ITER 1000
/* Seed of the sample permutation (and of an RBF feature map); same seed,
 * same data => same model bytes. */
#define CLI_DEFAULT_SEED 1
/* Multi-class strategy of the linear SVM. One-vs-rest is LinearSVC's and
 * the fastest; one-vs-one (--multiclass ovo) is more accurate on the digit
 * sets (CMATERdb, 4x4 cells: 96.50 % one-vs-rest, 97.80 % one-vs-one). */
#define CLI_DEFAULT_SVM_MULTICLASS HOGFEAT_SVM_OVR
/* Sampling steps of the chi-squared and intersection maps when --map gives
 * none: scikit-learn's AdditiveChi2Sampler default (3 values per input). */
#define CLI_DEFAULT_MAP_STEPS 2
/* Training augmentation: shifted copies per image (0, 4 or 8) and the
 * shift in pixels. Off by default: it multiplies the training time. */
#define CLI_DEFAULT_JITTER 0
#define CLI_DEFAULT_JITTER_PX 1
/* Largest --jitter-px: beyond a few pixels a shift moves strokes out of
 * small images rather than imitating handwriting variation. */
#define CLI_MAX_JITTER_PX 8
/* Neighbours of the KNN classifier (odd, so two-class votes cannot tie). */
#define CLI_DEFAULT_KNN_K 3
/* KNN distance and vote weighting. */
#define CLI_DEFAULT_KNN_METRIC HOGFEAT_METRIC_L2
#define CLI_DEFAULT_KNN_WEIGHTING HOGFEAT_KNN_UNIFORM
/* Worker threads; 0 = one per online CPU. Results never depend on it. */
#define CLI_DEFAULT_THREADS 0
/* Largest accepted --threads value (the library's limit as well). */
#define CLI_MAX_THREADS 256
/* Labels file looked up inside a PGM folder when --labels is not given. */
#define CLI_DEFAULT_LABELS_FILE "labels.txt"
/* Confusion matrices with more classes than this are not printed by eval
 * unless --full-matrix is given. */
#define CLI_MAX_PRINTED_CLASSES 64

/* Exit codes, documented in `hogfeat --help`. */
enum {
    CLI_EXIT_OK = 0,      /* success */
    CLI_EXIT_RUNTIME = 1, /* I/O error, bad data, training failure */
    CLI_EXIT_USAGE = 2    /* bad command line */
};

/* ------------------------------------------------------------------------
 * Context: owned by main(), passed to every subcommand.
 * ---------------------------------------------------------------------- */
typedef struct cli_ctx {
    const char *cmd;  /* subcommand name, for "hogfeat <cmd>: " prefixes */
    int stderr_tty;   /* isatty(2), sampled once by main() */
    int quiet;        /* -q: no progress line, no informational output */
} cli_ctx;

/* A progress line ("\r<what>: done/total") on stderr, only when stderr is a
 * terminal and -q is not given. Updated at most ~10 times a second. */
typedef struct cli_progress {
    int enabled;
    const char *what;
    size_t total;
    double last_print;
} cli_progress;

void cli_progress_init(cli_progress *p, const cli_ctx *ctx, const char *what, size_t total);
void cli_progress_update(cli_progress *p, size_t done);
void cli_progress_finish(cli_progress *p);

/* ------------------------------------------------------------------------
 * Messages. All go to stderr as "hogfeat <cmd>: [<file>: ]<problem>".
 * ---------------------------------------------------------------------- */
#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* Runtime error about @p file (may be NULL). */
void cli_error(const cli_ctx *ctx, const char *file, const char *fmt, ...) CLI_PRINTF(3, 4);
/* Runtime error from a failed library call: the thread's last error message,
 * or the status text when the message is empty. */
void cli_lib_error(const cli_ctx *ctx, const char *file, hogfeat_status status);
/* Same with a given message (for errors captured in worker threads). */
void cli_lib_error_msg(const cli_ctx *ctx, const char *file, hogfeat_status status, const char *message);
/* Usage error: message plus "Try 'hogfeat <cmd> --help'". Returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Report a getopt_long failure ('?' or ':' return). Returns CLI_EXIT_USAGE. */
int cli_getopt_error(const cli_ctx *ctx, int opt, int optopt_value, char **argv, int optind_value);

/* ------------------------------------------------------------------------
 * Option parsing helpers. Each returns 0 on success, or prints a usage
 * error and returns CLI_EXIT_USAGE.
 * ---------------------------------------------------------------------- */
int cli_parse_int(const cli_ctx *ctx, const char *option, const char *arg, long min, long max, long *out);
int cli_parse_double(const cli_ctx *ctx, const char *option, const char *arg, double min, double max,
                     int min_exclusive, double *out);
int cli_parse_size_wxh(const cli_ctx *ctx, const char *option, const char *arg, size_t *out_w, size_t *out_h);
/* Match @p arg against a NULL-terminated list of names (case-insensitive);
 * returns the index, or prints a usage error and returns -1. */
int cli_parse_choice(const cli_ctx *ctx, const char *option, const char *arg, const char *const *names);

const char *cli_norm_name(int norm);
const char *cli_metric_name(int metric);
const char *cli_weighting_name(int weighting);
const char *cli_loss_name(int loss);
const char *cli_multiclass_name(int multiclass);

/* Long-option codes shared by the subcommands (values above any char). */
enum {
    CLI_OPT_CELL = 256,
    CLI_OPT_BLOCK,
    CLI_OPT_BLOCK_STRIDE,
    CLI_OPT_BINS,
    CLI_OPT_NORM,
    CLI_OPT_SQRT,
    CLI_OPT_SIGNED,
    CLI_OPT_BLUR,
    CLI_OPT_RESIZE,
    CLI_OPT_HOG_CELLS,
    CLI_OPT_LBP_CELLS,
    CLI_OPT_MAP,
    CLI_OPT_THREADS,
    CLI_OPT_SPLIT,
    CLI_OPT_LABELS,
    CLI_OPT_HELP,
    /* first code free for a subcommand's own options */
    CLI_OPT_FIRST_LOCAL
};

/* getopt_long entries of the feature options, to splice into a table. */
#define CLI_FEATURE_LONG_OPTIONS                                       \
    {"cell", required_argument, NULL, CLI_OPT_CELL},                   \
    {"block", required_argument, NULL, CLI_OPT_BLOCK},                 \
    {"block-stride", required_argument, NULL, CLI_OPT_BLOCK_STRIDE},   \
    {"bins", required_argument, NULL, CLI_OPT_BINS},                   \
    {"norm", required_argument, NULL, CLI_OPT_NORM},                   \
    {"sqrt", no_argument, NULL, CLI_OPT_SQRT},                         \
    {"signed", no_argument, NULL, CLI_OPT_SIGNED},                     \
    {"blur", required_argument, NULL, CLI_OPT_BLUR},                   \
    {"resize", required_argument, NULL, CLI_OPT_RESIZE},               \
    {"hog-cells", required_argument, NULL, CLI_OPT_HOG_CELLS},         \
    {"lbp-cells", required_argument, NULL, CLI_OPT_LBP_CELLS},         \
    {"map", required_argument, NULL, CLI_OPT_MAP}

/* Largest number of --hog-cells entries (the library's descriptor limit). */
#define CLI_MAX_HOG_CELLS HOGFEAT_PIPELINE_MAX_DESCRIPTORS

/* Feature extraction settings: preprocessing, descriptors, feature map. */
typedef struct cli_features {
    int32_t cell_px; /* cell of the first HOG (--cell, or the first of --hog-cells) */
    int32_t block_cells;
    int32_t block_stride;
    int32_t bins;
    int norm; /* hogfeat_norm */
    int transform_sqrt;
    int signed_orientations;
    double blur_sigma;
    size_t resize_w, resize_h; /* 0 x 0 = off */
    int cell_given;            /* --cell was given */
    /* --hog-cells: every HOG's cell side; [0] is the first HOG's. */
    int32_t hog_cells[CLI_MAX_HOG_CELLS];
    size_t num_hog_cells;      /* 0 = not given: one HOG of cell_px */
    int32_t lbp_cell_px;       /* --lbp-cells: 0 = no LBP descriptor */
    int map;                   /* hogfeat_feature_map */
    int32_t map_steps;         /* chi2, intersection: steps; rbf: D */
    double map_param;          /* chi2, intersection: interval (0 = default); rbf: gamma */
    int32_t map_seed;          /* rbf: seed (train --seed) */
} cli_features;

void cli_features_defaults(cli_features *f);
/* Handle one feature option. Returns 0 if handled, CLI_EXIT_USAGE on a bad
 * value, -1 if @p opt is not a feature option. */
int cli_features_option(const cli_ctx *ctx, cli_features *f, int opt, const char *arg);
/* Checks across feature options, once all are parsed. Returns 0 or
 * CLI_EXIT_USAGE (error printed). */
int cli_features_check(const cli_ctx *ctx, cli_features *f);
/* Print the feature options with their defaults, for --help. */
void cli_features_help(FILE *out);
/* Build a pipeline (no classifier) from the settings: preprocessing, every
 * descriptor and a deterministic feature map. An RBF map depends on the
 * image size and is drawn by cli_features_prepare(). Prints the error. */
hogfeat_status cli_features_pipeline(const cli_ctx *ctx, const cli_features *f, hogfeat_pipeline **out);
/* Name of a hogfeat_feature_map value ("none", "hellinger", ...). */
const char *cli_map_name(int map);
/* Write "HOG 4x4 px (1764) + LBP 8x8 px (160) -> chi2 ..." for images of
 * @p width x @p height into @p buf. */
void cli_describe_features(const hogfeat_pipeline *pipeline, size_t width, size_t height, char *buf,
                           size_t cap);

/* --threads value -> actual thread count (0 = online CPUs), at least 1. */
int cli_resolve_threads(long requested);

/* ------------------------------------------------------------------------
 * Data sets.
 *
 * DATA is a directory. If it holds MNIST IDX files (train-images-idx3-ubyte
 * or t10k-images-idx3-ubyte, plain or .gz) it is an MNIST directory with a
 * train and a test split. Otherwise it is a folder of PGM images listed in
 * labels.txt ("FILENAME LABEL" lines, names relative to DATA); such a folder
 * is a single set that serves as every split. --labels FILE names the
 * labels file explicitly (DATA is then always a PGM folder).
 * ---------------------------------------------------------------------- */
typedef enum cli_split_sel {
    CLI_SPLIT_DEFAULT = 0, /* the command's default */
    CLI_SPLIT_TRAIN = 1,
    CLI_SPLIT_TEST = 2,
    CLI_SPLIT_BOTH = 3
} cli_split_sel;

int cli_parse_split(const cli_ctx *ctx, const char *arg, cli_split_sel *out);
const char *cli_split_name(cli_split_sel split);

typedef struct cli_set {
    char *description;        /* for messages, e.g. "data/ (test split)" */
    char *source;             /* file name used in error messages */
    hogfeat_dataset *dataset; /* MNIST split, or NULL */
    hogfeat_image **images;   /* PGM images, or NULL */
    char **paths;             /* PGM file names, or NULL */
    int32_t *labels;          /* owned copy; NULL when unlabelled */
    size_t count;
} cli_set;

typedef struct cli_data {
    char *dir;
    int is_mnist;
    cli_set *sets[2]; /* loaded splits in row order; sets[1] may be NULL */
    size_t num_sets;
    size_t total;     /* images over all loaded sets */
} cli_data;

/* Which files DATA offers. Returns 0 or CLI_EXIT_RUNTIME (error printed). */
typedef struct cli_data_request {
    const char *dir;
    const char *labels_file; /* --labels, or NULL */
    cli_split_sel split;     /* TRAIN, TEST or BOTH (already defaulted) */
    int split_explicit;      /* given on the command line */
    int need_labels;         /* fail when the data is unlabelled */
} cli_data_request;

int cli_data_load(const cli_ctx *ctx, const cli_data_request *req, cli_data *out);
void cli_data_free(cli_data *data);
/* Free the pixels of every set once the features are extracted; counts,
 * descriptions, labels and file names stay. cli_data_free() still follows. */
void cli_data_release_pixels(cli_data *data);

/* Name of image i for messages ("path.pgm" or "data/ image 17"). Writes into buf. */
const char *cli_set_image_name(const cli_set *set, size_t index, char *buf, size_t cap);

/* Feature length for the data under a pipeline; fails (error printed) when
 * images give different lengths. Returns 0 or CLI_EXIT_RUNTIME. */
int cli_data_feature_length(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                            size_t *out_length);

/* Extract features of rows [first, first + count) of the data (rows run
 * over the sets in order) into @p features (count x dim, row-major), with
 * the library's batch calls on @p threads threads: an MNIST split as one
 * stack of pixels read in place (hogfeat_pipeline_extract_stack), a PGM
 * folder as an array of images (hogfeat_pipeline_extract_batch). The output
 * does not depend on the thread count. Updates @p progress with
 * @p progress_base + rows done. Returns 0 or CLI_EXIT_RUNTIME (error
 * printed, naming the first image that fails). */
int cli_extract_rows(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                     size_t first, size_t count, size_t dim, int threads, float *features,
                     cli_progress *progress, size_t progress_base);
/* The same for shifted copies of the images: each image is moved @p dx
 * pixels right and @p dy down (negative: left, up) before the pipeline sees
 * it, the uncovered border repeating the nearest edge pixels. The copies
 * are made one batch at a time; dx = dy = 0 is cli_extract_rows(). */
int cli_extract_rows_shifted(const cli_ctx *ctx, const hogfeat_pipeline *pipeline, const cli_data *data,
                             size_t first, size_t count, size_t dim, int threads, int dx, int dy,
                             float *features, cli_progress *progress, size_t progress_base);
/* Draw an RBF feature map (if the settings ask for one) for the size of the
 * first image of @p data. Call before cli_data_feature_length(). Returns 0
 * or CLI_EXIT_RUNTIME (error printed). */
int cli_features_prepare(const cli_ctx *ctx, const cli_features *f, hogfeat_pipeline *pipeline,
                         const cli_data *data);
/* Size of the first image of @p data (0 x 0 when there is none). */
void cli_data_first_size(const cli_data *data, size_t *out_w, size_t *out_h);
/* Labels of all rows, concatenated (NULL if any set is unlabelled). Caller frees. */
int32_t *cli_data_labels(const cli_data *data);

/* Predict labels of @p n rows with a linear SVM or a KNN model (exactly one
 * non-NULL), splitting the rows over @p threads threads. */
hogfeat_status cli_predict_rows(const hogfeat_linsvm *svm, const hogfeat_knn *knn, const float *features,
                                size_t n, size_t dim, int threads, int32_t *out_labels, char *errbuf,
                                size_t errcap);

/* Sorted distinct values of @p n labels (caller frees); *out_n gets their count. */
int32_t *cli_distinct_labels(const int32_t *labels, size_t n, size_t *out_n);

/* Monotonic clock in seconds. */
double cli_now(void);

/* Allocation helpers: NULL on overflow or failure. */
void *cli_calloc_array(size_t n, size_t size);
/* An uninitialised rows x dim float matrix (free() it), advised onto
 * transparent huge pages when it is large; NULL for a zero size. */
float *cli_alloc_features(size_t rows, size_t dim);
char *cli_strdup(const char *s);
char *cli_path_join(const char *dir, const char *name);

/* ------------------------------------------------------------------------
 * Subcommands: each parses its own arguments (argv[0] is the subcommand
 * name) and returns an exit code.
 * ---------------------------------------------------------------------- */
int cli_cmd_train(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_eval(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_predict(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_info(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_extract(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_bench(cli_ctx *ctx, int argc, char **argv);
int cli_cmd_show(cli_ctx *ctx, int argc, char **argv);

#endif /* HOGFEAT_CLI_H */
