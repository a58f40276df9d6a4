/* Linear SVM: parameters, model handle, training (dual coordinate descent;
 * one-vs-rest, one-vs-one, Crammer-Singer; Platt scaling by
 * cross-validation) and prediction. Model (de)serialisation lives in
 * model_io.c, LIBLINEAR and OpenCV interchange in linsvm_interop.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linsvm_solver.h"
#include "private.h"

/* ---- parameters ---------------------------------------------------------- */

/* Also used by hogfeat_linsvm_train() when it is given no parameters. */
static void set_default_params(hogfeat_linsvm_params *p)
{
    memset(p, 0, sizeof *p);
    p->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    p->c = 1.0;
    p->bias = 1.0;
    p->tolerance = 0.1;
    p->max_iterations = 1000;
    p->seed = 1;
    p->threads = 1;
    p->multiclass = HOGFEAT_SVM_OVR;
    p->probability = 0;
    p->probability_folds = 5;
}

hogfeat_status hogfeat_linsvm_params_create(hogfeat_linsvm_params **out_params)
{
    if (!out_params)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_params_create: out_params is NULL");
    *out_params = NULL;
    hogfeat_linsvm_params *p = hogfeat__calloc(1, sizeof *p);
    if (!p)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate SVM parameters");
    set_default_params(p);
    *out_params = p;
    return HOGFEAT_OK;
}

void hogfeat_linsvm_params_destroy(hogfeat_linsvm_params *params)
{
    if (!params)
        return;
    hogfeat__free(params->class_weight_labels);
    hogfeat__free(params->class_weights);
    hogfeat__free(params);
}

#define REQUIRE_PARAMS(params, fn)                                                                 \
    do {                                                                                           \
        if (!(params))                                                                             \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": params is NULL");                 \
    } while (0)

hogfeat_status hogfeat_linsvm_params_set_loss(hogfeat_linsvm_params *params, hogfeat_svm_loss loss)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_loss");
    if (loss != HOGFEAT_SVM_LOSS_SQUARED_HINGE && loss != HOGFEAT_SVM_LOSS_HINGE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "loss %d is not a hogfeat_svm_loss", (int)loss);
    params->loss = loss;
    return HOGFEAT_OK;
}

/* Doubles are reported with %g only when finite and harmless; messages never
 * depend on the locale because the values are printed as integers otherwise. */
static hogfeat_status check_positive(const char *what, double v, int allow_zero)
{
    if (!isfinite(v) || v < 0.0 || (!allow_zero && v == 0.0))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s must be finite and %s", what,
                             allow_zero ? ">= 0" : "> 0");
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_params_set_c(hogfeat_linsvm_params *params, double c)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_c");
    hogfeat_status st = check_positive("C", c, 0);
    if (st == HOGFEAT_OK)
        params->c = c;
    return st;
}

hogfeat_status hogfeat_linsvm_params_set_bias(hogfeat_linsvm_params *params, double bias)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_bias");
    hogfeat_status st = check_positive("bias", bias, 1);
    if (st == HOGFEAT_OK)
        params->bias = bias;
    return st;
}

hogfeat_status hogfeat_linsvm_params_set_tolerance(hogfeat_linsvm_params *params, double tolerance)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_tolerance");
    hogfeat_status st = check_positive("tolerance", tolerance, 0);
    if (st == HOGFEAT_OK)
        params->tolerance = tolerance;
    return st;
}

hogfeat_status hogfeat_linsvm_params_set_max_iterations(hogfeat_linsvm_params *params, int32_t max_iterations)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_max_iterations");
    if (max_iterations < 1)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "max_iterations %d must be >= 1", (int)max_iterations);
    params->max_iterations = max_iterations;
    return HOGFEAT_OK;
}

#define MAX_CLASS_WEIGHTS 65536

hogfeat_status hogfeat_linsvm_params_set_class_weight(hogfeat_linsvm_params *params, int32_t label, double weight)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_class_weight");
    hogfeat_status st = check_positive("class weight", weight, 0);
    if (st != HOGFEAT_OK)
        return st;
    for (size_t i = 0; i < params->num_class_weights; i++) {
        if (params->class_weight_labels[i] == label) {
            params->class_weights[i] = weight;
            return HOGFEAT_OK;
        }
    }
    if (params->num_class_weights >= MAX_CLASS_WEIGHTS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "more than %d class weights", MAX_CLASS_WEIGHTS);
    size_t n = params->num_class_weights + 1;
    int32_t *labels = hogfeat__malloc(n * sizeof *labels);
    double *weights = hogfeat__malloc(n * sizeof *weights);
    if (!labels || !weights) {
        hogfeat__free(labels);
        hogfeat__free(weights);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot grow the class weight table");
    }
    if (n > 1) {
        memcpy(labels, params->class_weight_labels, (n - 1) * sizeof *labels);
        memcpy(weights, params->class_weights, (n - 1) * sizeof *weights);
    }
    labels[n - 1] = label;
    weights[n - 1] = weight;
    hogfeat__free(params->class_weight_labels);
    hogfeat__free(params->class_weights);
    params->class_weight_labels = labels;
    params->class_weights = weights;
    params->num_class_weights = n;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_params_set_seed(hogfeat_linsvm_params *params, int32_t seed)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_seed");
    params->seed = seed;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_params_set_threads(hogfeat_linsvm_params *params, int32_t num_threads)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_threads");
    if (num_threads < 0 || num_threads > 256)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "thread count %d is outside [0, 256]", (int)num_threads);
    params->threads = num_threads;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_params_set_progress(hogfeat_linsvm_params *params, hogfeat_progress_fn callback,
                                                  void *user_data)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_progress");
    params->progress = callback;
    params->progress_user_data = user_data;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_params_set_multiclass(hogfeat_linsvm_params *params, hogfeat_svm_multiclass multiclass)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_multiclass");
    if (multiclass != HOGFEAT_SVM_OVR && multiclass != HOGFEAT_SVM_OVO && multiclass != HOGFEAT_SVM_CRAMMER_SINGER)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "multiclass %d is not a hogfeat_svm_multiclass",
                             (int)multiclass);
    params->multiclass = multiclass;
    return HOGFEAT_OK;
}

int hogfeat_linsvm_params_get_multiclass(const hogfeat_linsvm_params *params)
{
    return params ? (int)params->multiclass : 0;
}

hogfeat_status hogfeat_linsvm_params_set_probability(hogfeat_linsvm_params *params, int enabled)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_probability");
    if (enabled != 0 && enabled != 1)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "probability must be 0 or 1, got %d", enabled);
    params->probability = enabled;
    return HOGFEAT_OK;
}

#define MAX_PROBABILITY_FOLDS 100

hogfeat_status hogfeat_linsvm_params_set_probability_folds(hogfeat_linsvm_params *params, int32_t folds)
{
    REQUIRE_PARAMS(params, "hogfeat_linsvm_params_set_probability_folds");
    if (folds < 2 || folds > MAX_PROBABILITY_FOLDS)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%d probability folds are outside [2, %d]", (int)folds,
                             MAX_PROBABILITY_FOLDS);
    params->probability_folds = folds;
    return HOGFEAT_OK;
}

/* ---- model handle ---------------------------------------------------------- */

size_t hogfeat__linsvm_num_vectors(size_t num_classes, hogfeat_svm_multiclass multiclass)
{
    size_t pairs;
    switch (multiclass) {
    case HOGFEAT_SVM_OVR:
        return num_classes == 2 ? 1 : num_classes;
    case HOGFEAT_SVM_OVO:
        if (num_classes < 2 || hogfeat__mul_overflow(num_classes, num_classes - 1, &pairs))
            return 0;
        return pairs / 2;
    case HOGFEAT_SVM_CRAMMER_SINGER:
        return num_classes;
    }
    return 0;
}

size_t hogfeat__linsvm_num_platt(const hogfeat_linsvm *model)
{
    return model->multiclass == HOGFEAT_SVM_CRAMMER_SINGER ? 1 : model->num_vectors;
}

hogfeat_status hogfeat__linsvm_alloc_platt(hogfeat_linsvm *model)
{
    const size_t count = hogfeat__linsvm_num_platt(model);
    if (count > SIZE_MAX / (2 * sizeof(double)))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu Platt records overflow", count);
    double *platt = hogfeat__calloc(2 * count, sizeof *platt);
    if (!platt)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu Platt records", count);
    hogfeat__free(model->platt);
    model->platt = platt;
    model->num_platt = count;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__linsvm_new(int32_t num_classes, size_t num_features, hogfeat_linsvm **out_model)
{
    return hogfeat__linsvm_new_multiclass(num_classes, num_features, HOGFEAT_SVM_OVR, out_model);
}

hogfeat_status hogfeat__linsvm_new_multiclass(int32_t num_classes, size_t num_features,
                                              hogfeat_svm_multiclass multiclass, hogfeat_linsvm **out_model)
{
    *out_model = NULL;
    if (num_classes < 2 || num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "a linear SVM needs >= 2 classes and >= 1 feature");
    size_t vectors = hogfeat__linsvm_num_vectors((size_t)num_classes, multiclass);
    size_t row = num_features + 1, total;
    if (vectors == 0 || row == 0 || hogfeat__mul_overflow(vectors, row, &total) || total > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%d classes x %zu features overflow", (int)num_classes,
                             num_features);
    hogfeat_linsvm *m = hogfeat__calloc(1, sizeof *m);
    int32_t *labels = hogfeat__calloc((size_t)num_classes, sizeof *labels);
    float *weights = hogfeat__calloc(total, sizeof *weights);
    if (!m || !labels || !weights) {
        hogfeat__free(m);
        hogfeat__free(labels);
        hogfeat__free(weights);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a %d-class SVM of %zu features",
                             (int)num_classes, num_features);
    }
    atomic_init(&m->refs, 1);
    m->num_classes = num_classes;
    m->num_features = num_features;
    m->labels = labels;
    m->multiclass = multiclass;
    m->num_vectors = vectors;
    m->weights = weights;
    m->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    *out_model = m;
    return HOGFEAT_OK;
}

void hogfeat__linsvm_ref(const hogfeat_linsvm *model)
{
    /* The count is the one mutable field of an otherwise immutable model. */
    atomic_fetch_add(&((hogfeat_linsvm *)(uintptr_t)model)->refs, 1);
}

void hogfeat__linsvm_unref(const hogfeat_linsvm *model)
{
    if (!model)
        return;
    hogfeat_linsvm *m = (hogfeat_linsvm *)(uintptr_t)model;
    if (atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    hogfeat__free(m->labels);
    hogfeat__free(m->weights);
    hogfeat__free(m->platt);
    hogfeat__free(m);
}

void hogfeat_linsvm_destroy(hogfeat_linsvm *model)
{
    hogfeat__linsvm_unref(model);
}

int32_t hogfeat_linsvm_num_classes(const hogfeat_linsvm *model)
{
    return model ? model->num_classes : 0;
}

size_t hogfeat_linsvm_num_features(const hogfeat_linsvm *model)
{
    return model ? model->num_features : 0;
}

hogfeat_status hogfeat_linsvm_get_labels(const hogfeat_linsvm *model, int32_t *out_labels, size_t out_capacity)
{
    if (!model || !out_labels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_get_labels: NULL argument");
    if (out_capacity < (size_t)model->num_classes)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%d labels do not fit in %zu", (int)model->num_classes,
                             out_capacity);
    memcpy(out_labels, model->labels, (size_t)model->num_classes * sizeof *out_labels);
    return HOGFEAT_OK;
}

const float *hogfeat_linsvm_weights(const hogfeat_linsvm *model, size_t vector_index)
{
    if (!model || vector_index >= model->num_vectors)
        return NULL;
    return model->weights + vector_index * (model->num_features + 1);
}

double hogfeat_linsvm_bias(const hogfeat_linsvm *model)
{
    return model ? model->bias : 0.0;
}

size_t hogfeat_linsvm_num_vectors(const hogfeat_linsvm *model)
{
    return model ? model->num_vectors : 0;
}

int hogfeat_linsvm_multiclass(const hogfeat_linsvm *model)
{
    return model ? (int)model->multiclass : 0;
}

int hogfeat_linsvm_has_probability(const hogfeat_linsvm *model)
{
    return model && model->num_platt > 0;
}

/* ---- training ------------------------------------------------------------------ */

/* Above this many classes a model could not be loaded back with the default
 * limits, and a label column of real-valued targets is the likely mistake. */
#define MAX_TRAIN_CLASSES ((size_t)65536)

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Index of label in the ascending array classes[0, k); the label is present. */
static int32_t class_index(const int32_t *classes, size_t k, int32_t label)
{
    size_t lo = 0, hi = k;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (classes[mid] <= label)
            lo = mid;
        else
            hi = mid;
    }
    return (int32_t)lo;
}

/* 1 when rows of num_features floats, row_stride apart, span more bytes
 * than size_t counts: (num_samples - 1) * row_stride + num_features floats. */
static int matrix_extent_overflows(size_t num_samples, size_t num_features, size_t row_stride)
{
    size_t floats, bytes;
    return num_samples > 0 && (hogfeat__mul_overflow(num_samples - 1, row_stride, &floats) ||
                                hogfeat__add_overflow(floats, num_features, &floats) ||
                                hogfeat__mul_overflow(floats, sizeof(float), &bytes));
}

/* One-vs-one pair p of K classes: (i, j), i < j, in the order (0,1), (0,2),
 * ..., (0,K-1), (1,2), ...; pair_first(i) is the index of (i, i + 1). */
static size_t pair_first(size_t k, size_t i)
{
    return i * (2 * k - i - 1) / 2;
}

static size_t pair_index(size_t k, size_t i, size_t j)
{
    return pair_first(k, i) + (j - i - 1);
}

static void pair_classes(size_t k, size_t p, size_t *out_i, size_t *out_j)
{
    /* Invert pair_first with a square root, then correct its rounding. */
    double kk = 2.0 * (double)k - 1.0;
    double disc = kk * kk - 8.0 * (double)p;
    double guess = (kk - sqrt(disc > 0.0 ? disc : 0.0)) / 2.0;
    size_t i = guess > 0.0 ? (size_t)guess : 0;
    if (i > k - 2)
        i = k - 2;
    while (i > 0 && pair_first(k, i) > p)
        i--;
    while (i + 1 < k - 1 && pair_first(k, i + 1) <= p)
        i++;
    *out_i = i;
    *out_j = i + 1 + (p - pair_first(k, i));
}

/* Shared by the tasks of one training run. A run fits num_fits models of
 * the same strategy: fit 0 on every row (the model), fits 1..folds on the
 * rows outside one cross-validation fold (for the probability calibration).
 * Tasks are (fit, part) pairs: a group of one-vs-rest classes, one
 * one-vs-one pair, or a whole Crammer-Singer problem. */
typedef struct train_ctx {
    hogfeat__svm_problem base;    /* the binary fields every problem shares */
    hogfeat_svm_multiclass multiclass;
    int32_t seed;
    size_t num_classes;
    const size_t *class_rows;     /* row numbers grouped by class, ascending within a class */
    const size_t *class_start;    /* K + 1 offsets into class_rows */
    const double *class_c;        /* per class: C * weight(class) */
    double c;
    size_t num_vectors;           /* per fit */
    size_t num_fits;
    float *const *fit_weights;    /* per fit: num_vectors rows of num_features + 1 */
    const int32_t *fold_of;       /* per row, or NULL without cross-validation */
    const size_t *const *fit_rows;/* per fit: its rows ascending, NULL for fit 0 (every row) */
    const size_t *fit_count;      /* per fit: rows */
    size_t parts;                 /* tasks per fit */
    size_t group_max;             /* one-vs-rest: members of the largest group */
    unsigned char *scratch;       /* per worker: worker_bytes */
    size_t worker_bytes;
    int32_t total;                /* problems in all, for progress */
    hogfeat_progress_fn progress;
    void *progress_user_data;
    atomic_int done;              /* problems finished */
    atomic_int stop;              /* set once any task fails or is cancelled */
    atomic_int cause;             /* the failure that set stop first */
} train_ctx;

/* Tasks stopped because another one failed return HOGFEAT_ERR_CANCELLED and
 * may report first; cause keeps the status that started it all. */
static void stop_training(train_ctx *ctx, hogfeat_status why)
{
    int expected = HOGFEAT_OK;
    atomic_compare_exchange_strong(&ctx->cause, &expected, (int)why);
    atomic_store(&ctx->stop, 1);
}

static int train_should_stop(void *vctx)
{
    train_ctx *ctx = vctx;
    if (atomic_load(&ctx->stop))
        return 1;
    if (ctx->progress && ctx->progress(ctx->progress_user_data, (int32_t)atomic_load(&ctx->done), ctx->total) != 0) {
        stop_training(ctx, HOGFEAT_ERR_CANCELLED);
        return 1;
    }
    return 0;
}

/* A problem finished: report progress; non-zero cancels. */
static int problem_finished(train_ctx *ctx)
{
    int32_t done = (int32_t)atomic_fetch_add(&ctx->done, 1) + 1;
    if (ctx->progress && ctx->progress(ctx->progress_user_data, done, ctx->total) != 0) {
        stop_training(ctx, HOGFEAT_ERR_CANCELLED);
        return 1;
    }
    return 0;
}

/* One group of one-vs-rest problems in flight. */
typedef struct group_run {
    train_ctx *ctx;
    float *weights;                       /* the fit's weight rows */
    size_t first;                         /* problem number of member 0 */
    double wb[HOGFEAT__SVM_GROUP_MAX];
} group_run;

/* A member finished: store its bias weight and report progress. */
static int member_finished(void *vrun, size_t member)
{
    group_run *run = vrun;
    const size_t d = run->ctx->base.num_features;
    run->weights[(run->first + member) * (d + 1) + d] = (float)run->wb[member];
    return problem_finished(run->ctx);
}

static uint64_t fit_seed(const train_ctx *ctx, size_t fit)
{
    /* Fit 0 keeps the state of problem 0, as one-vs-rest always had. */
    return hogfeat__svm_problem_seed(ctx->seed, (uint32_t)fit);
}

/* One-vs-rest: a group of hyperplanes, each written to its own model row,
 * with the worker's own scratch, so tasks share nothing they write. Every
 * problem is solved as it would be alone (see hogfeat__svm_solve_group()),
 * so the model does not depend on the grouping, hence not on the thread
 * count. */
static hogfeat_status ovr_task(train_ctx *ctx, size_t fit, size_t part, unsigned char *scratch)
{
    const size_t d = ctx->base.num_features, problems = ctx->num_vectors;
    const size_t first = part * problems / ctx->parts;
    const size_t count = (part + 1) * problems / ctx->parts - first;
    const size_t n = ctx->fit_count[fit];
    double *alpha = (double *)(void *)scratch;
    size_t *order = (size_t *)(void *)(alpha + ctx->group_max * ctx->base.num_samples);
    hogfeat__svm_problem p[HOGFEAT__SVM_GROUP_MAX];
    float *w[HOGFEAT__SVM_GROUP_MAX];
    for (size_t m = 0; m < count; m++) {
        const size_t problem = first + m;
        p[m] = ctx->base;
        p[m].rows = ctx->fit_rows[fit];
        p[m].num_samples = n;
        p[m].seed = fit_seed(ctx, fit);
        if (ctx->num_classes == 2) {
            /* As the header promises: labels[1] is the positive class. */
            p[m].positive_class = 1;
            p[m].cp = ctx->class_c[1];
            p[m].cn = ctx->class_c[0];
        } else {
            /* One-vs-rest as LIBLINEAR: only the class's own weight scales C. */
            p[m].positive_class = (int32_t)problem;
            p[m].cp = ctx->class_c[problem];
            p[m].cn = ctx->c;
        }
        w[m] = ctx->fit_weights[fit] + problem * (d + 1);
    }
    group_run run;
    run.ctx = ctx;
    run.weights = ctx->fit_weights[fit];
    run.first = first;
    return hogfeat__svm_solve_group(p, count, alpha, order, w, run.wb, NULL, member_finished, &run);
}

/* One-vs-one: pair (i, j) on the rows of classes i and j (those of the
 * fit), listed in ascending order in the worker's scratch; class j is the
 * positive one, and each class keeps its own weighted C, as in libsvm. */
static hogfeat_status ovo_task(train_ctx *ctx, size_t fit, size_t pair, unsigned char *scratch)
{
    const size_t n_all = ctx->base.num_samples, d = ctx->base.num_features;
    double *alpha = (double *)(void *)scratch;
    size_t *order = (size_t *)(void *)(alpha + n_all);
    size_t *rows = order + n_all;
    size_t ci, cj;
    pair_classes(ctx->num_classes, pair, &ci, &cj);
    const size_t *a = ctx->class_rows + ctx->class_start[ci], *a_end = ctx->class_rows + ctx->class_start[ci + 1];
    const size_t *b = ctx->class_rows + ctx->class_start[cj], *b_end = ctx->class_rows + ctx->class_start[cj + 1];
    const int32_t held_out = fit == 0 ? -1 : (int32_t)(fit - 1);
    size_t n = 0;
    while (a < a_end || b < b_end) {
        size_t r = (b == b_end || (a < a_end && *a < *b)) ? *a++ : *b++;
        if (held_out < 0 || ctx->fold_of[r] != held_out)
            rows[n++] = r;
    }
    hogfeat__svm_problem p = ctx->base;
    p.rows = rows;
    p.num_samples = n;
    p.seed = fit_seed(ctx, fit);
    p.positive_class = (int32_t)cj;
    p.cp = ctx->class_c[cj];
    p.cn = ctx->class_c[ci];
    float *w = ctx->fit_weights[fit] + pair * (d + 1);
    double wb = 0.0;
    hogfeat_status st = hogfeat__svm_solve_group(&p, 1, alpha, order, &w, &wb, NULL, NULL, NULL);
    if (st != HOGFEAT_OK)
        return st;
    w[d] = (float)wb;
    return problem_finished(ctx) ? HOGFEAT_ERR_CANCELLED : HOGFEAT_OK;
}

/* Crammer-Singer: the whole problem of one fit. */
static hogfeat_status cs_task(train_ctx *ctx, size_t fit, unsigned char *scratch)
{
    const size_t k = ctx->num_classes, d = ctx->base.num_features;
    hogfeat__svm_cs_problem p;
    memset(&p, 0, sizeof p);
    p.features = ctx->base.features;
    p.rows = ctx->fit_rows[fit];
    p.num_samples = ctx->fit_count[fit];
    p.num_features = d;
    p.row_stride = ctx->base.row_stride;
    p.sample_class = ctx->base.sample_class;
    p.num_classes = k;
    p.class_c = ctx->class_c;
    p.sqnorm = ctx->base.sqnorm;
    p.bias = ctx->base.bias;
    p.tolerance = ctx->base.tolerance;
    p.max_iterations = ctx->base.max_iterations;
    p.seed = fit_seed(ctx, fit);
    p.kernels = ctx->base.kernels;
    p.should_stop = train_should_stop;
    p.stop_ctx = ctx;
    /* Scratch: the solver's, then K weight pointers and K bias weights. */
    size_t solver_bytes = hogfeat__svm_cs_scratch_bytes(ctx->base.num_samples, k);
    solver_bytes = (solver_bytes + 15) & ~(size_t)15;
    double *wb = (double *)(void *)(scratch + solver_bytes);
    float **w = (float **)(void *)(wb + k);
    float *weights = ctx->fit_weights[fit];
    for (size_t m = 0; m < k; m++)
        w[m] = weights + m * (d + 1);
    hogfeat_status st = hogfeat__svm_solve_cs(&p, scratch, w, wb, NULL);
    if (st != HOGFEAT_OK)
        return st;
    for (size_t m = 0; m < k; m++)
        w[m][d] = (float)wb[m];
    return problem_finished(ctx) ? HOGFEAT_ERR_CANCELLED : HOGFEAT_OK;
}

static hogfeat_status train_task(void *vctx, size_t task, int worker)
{
    train_ctx *ctx = vctx;
    const size_t fit = task / ctx->parts, part = task % ctx->parts;
    unsigned char *scratch = ctx->scratch + (size_t)worker * ctx->worker_bytes;
    hogfeat_status st;
    if (atomic_load(&ctx->stop))
        return HOGFEAT_ERR_CANCELLED;
    if (ctx->multiclass == HOGFEAT_SVM_OVO)
        st = ovo_task(ctx, fit, part, scratch);
    else if (ctx->multiclass == HOGFEAT_SVM_CRAMMER_SINGER)
        st = cs_task(ctx, fit, scratch);
    else
        st = ovr_task(ctx, fit, part, scratch);
    if (st != HOGFEAT_OK)
        stop_training(ctx, st);
    return st;
}

/* One pass over the rows: rejects NaN and infinities and stores
 * |x_i|^2 + bias^2 (the diagonal of Q, bias feature included). */
static hogfeat_status row_norms(const hogfeat__kernels *k, const float *features, size_t num_samples,
                                size_t num_features, size_t row_stride, double bias, double *sqnorm)
{
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        /* A sum of squares is finite exactly when every term is finite and
         * none overflowed, so the element scan below runs only for bad rows.
         * Float precision is plenty for Q_ii, which only sets a step size. */
        double s = (double)k->dot(x, x, num_features);
        if (!isfinite(s)) {
            s = 0.0;
            for (size_t j = 0; j < num_features; j++) {
                if (!isfinite(x[j]))
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "feature %zu of sample %zu is %s", j, i,
                                         isnan(x[j]) ? "NaN" : "infinite");
                s += (double)x[j] * (double)x[j];
            }
        }
        sqnorm[i] = s + bias * bias;
    }
    return HOGFEAT_OK;
}

/* f = w.x + w_b B of the vector at w, rounded to float: predict,
 * decision_function, predict_proba and the cross-validation all use these
 * same rounded values, so they agree. */
static float decision_at(const float *w, size_t d, double bias, const hogfeat__kernels *k, const float *x)
{
    return (float)((double)k->dot(w, x, d) + (double)w[d] * bias);
}

static float decision_value(const hogfeat_linsvm *model, const hogfeat__kernels *k, const float *x, size_t v)
{
    const size_t d = model->num_features;
    return decision_at(model->weights + v * (d + 1), d, model->bias, k, x);
}

/* Decision values of the held-out rows under the cross-validation fits,
 * then one calibration per problem. dec: num_samples x K doubles. */
static hogfeat_status fit_probability(const train_ctx *ctx, hogfeat_linsvm *model, const float *const *cv_weights)
{
    const size_t n = ctx->base.num_samples, d = ctx->base.num_features, k = ctx->num_classes;
    const size_t stride = ctx->base.row_stride;
    const hogfeat__kernels *kern = ctx->base.kernels;
    const double bias = ctx->base.bias;
    const int32_t *cls = ctx->base.sample_class;
    /* Per row: OvR the V problems' values; OvO the K - 1 pairs it is in
     * (slot o < c ? o : o - 1 for the other class o); CS the K classes. */
    const size_t per_row = ctx->multiclass == HOGFEAT_SVM_OVO ? k - 1 : ctx->num_vectors;
    size_t cells, bytes;
    if (hogfeat__mul_overflow(n, per_row, &cells) || hogfeat__mul_overflow(cells, sizeof(double), &bytes))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "cross-validation values for %zu rows overflow", n);
    double *dec = hogfeat__malloc(bytes);
    double *f = hogfeat__malloc(n * sizeof *f);
    unsigned char *pos = hogfeat__malloc(n);
    hogfeat_status st = hogfeat__linsvm_alloc_platt(model);
    if (st == HOGFEAT_OK && (!dec || !f || !pos))
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate the probability calibration of %zu rows", n);
    if (st != HOGFEAT_OK)
        goto done;

    for (size_t i = 0; i < n; i++) {
        const float *x = ctx->base.features + i * stride;
        const float *w = cv_weights[ctx->fold_of[i]];
        double *out = dec + i * per_row;
        if (ctx->multiclass == HOGFEAT_SVM_OVO) {
            const size_t c = (size_t)cls[i];
            for (size_t o = 0; o < k; o++) {
                if (o == c)
                    continue;
                const size_t p = o < c ? pair_index(k, o, c) : pair_index(k, c, o);
                out[o < c ? o : o - 1] = (double)decision_at(w + p * (d + 1), d, bias, kern, x);
            }
        } else {
            for (size_t v = 0; v < per_row; v++)
                out[v] = (double)decision_at(w + v * (d + 1), d, bias, kern, x);
        }
    }

    if (ctx->multiclass == HOGFEAT_SVM_OVR) {
        for (size_t v = 0; v < ctx->num_vectors; v++) {
            const int32_t positive = k == 2 ? 1 : (int32_t)v;
            for (size_t i = 0; i < n; i++) {
                f[i] = dec[i * per_row + v];
                pos[i] = cls[i] == positive;
            }
            hogfeat__platt_fit(f, pos, n, &model->platt[2 * v], &model->platt[2 * v + 1]);
        }
    } else if (ctx->multiclass == HOGFEAT_SVM_OVO) {
        for (size_t ci = 0; ci + 1 < k; ci++) {
            for (size_t cj = ci + 1; cj < k; cj++) {
                /* Rows of class ci hold pair (ci, cj) in slot cj - 1, rows of cj in slot ci. */
                size_t l = 0;
                for (size_t c = 0; c < 2; c++) {
                    const size_t cc = c ? cj : ci, slot = c ? ci : cj - 1;
                    for (size_t r = ctx->class_start[cc]; r < ctx->class_start[cc + 1]; r++) {
                        const size_t i = ctx->class_rows[r];
                        f[l] = dec[i * per_row + slot];
                        pos[l] = (unsigned char)c;
                        l++;
                    }
                }
                const size_t p = pair_index(k, ci, cj);
                hogfeat__platt_fit(f, pos, l, &model->platt[2 * p], &model->platt[2 * p + 1]);
            }
        }
    } else {
        /* f doubles as each row's true-class target. */
        for (size_t i = 0; i < n; i++) {
            const double nc = (double)(ctx->class_start[cls[i] + 1] - ctx->class_start[cls[i]]);
            f[i] = (nc + 1.0) / (nc + 2.0);
        }
        model->platt[0] = -hogfeat__softmax_scale_fit(dec, cls, f, n, k);
        model->platt[1] = 0.0;
    }
    for (size_t i = 0; i < 2 * model->num_platt; i++) {
        if (!isfinite(model->platt[i])) {
            st = hogfeat__fail(HOGFEAT_ERR_NONFINITE, "the probability calibration diverged");
            break;
        }
    }
done:
    hogfeat__free(dec);
    hogfeat__free(f);
    hogfeat__free(pos);
    return st;
}

/* Stratified folds drawn from the seed: each class's rows are shuffled and
 * dealt out in turn, continuing the count from class to class, so folds
 * differ in size by at most one row and every class spreads evenly. */
static void assign_folds(int32_t seed, const size_t *class_rows, const size_t *class_start, size_t k, size_t folds,
                         size_t *tmp, int32_t *fold_of)
{
    uint64_t rng = hogfeat__svm_problem_seed(seed, UINT32_MAX);
    size_t next = 0;
    for (size_t c = 0; c < k; c++) {
        const size_t first = class_start[c], count = class_start[c + 1] - first;
        memcpy(tmp, class_rows + first, count * sizeof *tmp);
        for (size_t s = 0; s + 1 < count; s++) {
            size_t r = s + hogfeat__svm_rng_below(&rng, count - s);
            size_t t = tmp[s];
            tmp[s] = tmp[r];
            tmp[r] = t;
        }
        for (size_t s = 0; s < count; s++) {
            fold_of[tmp[s]] = (int32_t)(next % folds);
            next++;
        }
    }
}

hogfeat_status hogfeat_linsvm_train(const hogfeat_linsvm_params *params, const float *features, size_t num_samples,
                                    size_t num_features, size_t row_stride, const int32_t *labels,
                                    hogfeat_linsvm **out_model)
{
    if (!out_model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_train: out_model is NULL");
    *out_model = NULL;
    if (!features || !labels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_train: %s is NULL",
                             !features ? "features" : "labels");
    /* No samples is an unusable training set, as for KNN; no features is a bad argument. */
    if (num_samples == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "cannot train on an empty set (0 samples)");
    if (num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "cannot train on samples of 0 features");
    if (row_stride < num_features)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "row stride %zu floats is shorter than a row of %zu",
                             row_stride, num_features);
    /* Per-row tables: class, norm, rows by class, fold, and up to 100 fold
     * row lists; the solver scratch of one worker is below that too. */
    size_t per_sample_bytes = (MAX_PROBABILITY_FOLDS + HOGFEAT__SVM_GROUP_MAX + 8) * sizeof(double), table_bytes;
    if (matrix_extent_overflows(num_samples, num_features, row_stride) ||
        hogfeat__mul_overflow(num_samples, per_sample_bytes, &table_bytes))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "%zu samples of %zu features with stride %zu overflow size arithmetic", num_samples,
                             num_features, row_stride);
    if (num_samples < 2)
        return hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "an SVM needs at least 2 samples, got %zu",
                             num_samples);

    hogfeat_linsvm_params defaults;
    if (!params) {
        set_default_params(&defaults);
        params = &defaults;
    }
    const hogfeat__kernels *k = hogfeat__kernels_get();
    const hogfeat_svm_multiclass mc = params->multiclass;
    hogfeat_status st = HOGFEAT_OK;
    hogfeat_linsvm *model = NULL;
    double *class_c = NULL;
    size_t *class_start = NULL, *fit_count = NULL;
    unsigned char *scratch = NULL;
    int32_t *fold_of = NULL;
    float *cv_weights = NULL;
    float **fit_weights = NULL;
    size_t **fit_rows = NULL;
    size_t num_fits = 1;

    /* Classes: sorted distinct labels. The sorted copy becomes the list. */
    int32_t *classes = hogfeat__malloc(num_samples * sizeof *classes);
    int32_t *sample_class = hogfeat__malloc(num_samples * sizeof *sample_class);
    double *sqnorm = hogfeat__malloc(num_samples * sizeof *sqnorm);
    size_t *class_rows = hogfeat__malloc(num_samples * sizeof *class_rows);
    if (!classes || !sample_class || !sqnorm || !class_rows) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate training tables for %zu samples",
                           num_samples);
        goto done;
    }
    memcpy(classes, labels, num_samples * sizeof *classes);
    qsort(classes, num_samples, sizeof *classes, compare_int32);
    size_t num_classes = 1;
    for (size_t i = 1; i < num_samples; i++)
        if (classes[i] != classes[num_classes - 1])
            classes[num_classes++] = classes[i];
    if (num_classes < 2) {
        st = hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "all %zu samples have the label %d", num_samples,
                           (int)classes[0]);
        goto done;
    }
    if (num_classes > MAX_TRAIN_CLASSES) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu distinct labels exceed the %zu classes a model may have",
                           num_classes, MAX_TRAIN_CLASSES);
        goto done;
    }
    for (size_t i = 0; i < num_samples; i++)
        sample_class[i] = class_index(classes, num_classes, labels[i]);

    /* Rows grouped by class (a counting sort keeps them ascending within a class). */
    class_start = hogfeat__calloc(num_classes + 1, sizeof *class_start);
    if (!class_start) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate tables for %zu classes", num_classes);
        goto done;
    }
    for (size_t i = 0; i < num_samples; i++)
        class_start[sample_class[i] + 1]++;
    for (size_t c = 0; c < num_classes; c++)
        class_start[c + 1] += class_start[c];
    for (size_t i = 0; i < num_samples; i++)
        class_rows[class_start[sample_class[i]]++] = i;
    for (size_t c = num_classes; c > 0; c--)
        class_start[c] = class_start[c - 1];
    class_start[0] = 0;

    if (params->probability) {
        num_fits = 1 + (size_t)params->probability_folds;
        for (size_t c = 0; c < num_classes; c++) {
            const size_t count = class_start[c + 1] - class_start[c];
            if (count < (size_t)params->probability_folds) {
                st = hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET,
                                   "label %d has %zu samples; %d-fold probability calibration needs at least %d",
                                   (int)classes[c], count, (int)params->probability_folds,
                                   (int)params->probability_folds);
                goto done;
            }
        }
    }

    st = row_norms(k, features, num_samples, num_features, row_stride, params->bias, sqnorm);
    if (st != HOGFEAT_OK)
        goto done;

    /* Per-class C, with the weights of labels present in the set. */
    class_c = hogfeat__malloc(num_classes * sizeof *class_c);
    if (!class_c) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu class weights", num_classes);
        goto done;
    }
    for (size_t j = 0; j < num_classes; j++)
        class_c[j] = params->c;
    for (size_t i = 0; i < params->num_class_weights; i++) {
        int32_t label = params->class_weight_labels[i];
        int32_t j = class_index(classes, num_classes, label);
        if (classes[j] == label)
            class_c[j] = params->c * params->class_weights[i];
        if (!isfinite(class_c[j])) {
            st = hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "C times the weight of label %d overflows",
                               (int)label);
            goto done;
        }
    }

    st = hogfeat__linsvm_new_multiclass((int32_t)num_classes, num_features, mc, &model);
    if (st != HOGFEAT_OK)
        goto done;
    memcpy(model->labels, classes, num_classes * sizeof *classes);
    model->bias = params->bias;
    model->loss = mc == HOGFEAT_SVM_CRAMMER_SINGER ? HOGFEAT_SVM_LOSS_HINGE : params->loss;
    model->c = params->c;
    model->tolerance = params->tolerance;
    model->max_iterations = params->max_iterations;

    const size_t d = num_features, vectors = model->num_vectors;
    const size_t problems = mc == HOGFEAT_SVM_CRAMMER_SINGER ? 1 : vectors;
    size_t weight_floats = vectors * (d + 1); /* fits: hogfeat__linsvm_new checked it */

    /* The fits, their rows and weights. */
    fit_weights = hogfeat__calloc(num_fits, sizeof *fit_weights);
    fit_rows = hogfeat__calloc(num_fits, sizeof *fit_rows);
    fit_count = hogfeat__calloc(num_fits, sizeof *fit_count);
    if (!fit_weights || !fit_rows || !fit_count) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu fits", num_fits);
        goto done;
    }
    fit_weights[0] = model->weights;
    fit_count[0] = num_samples;
    if (num_fits > 1) {
        const size_t folds = num_fits - 1;
        size_t cv_floats;
        if (hogfeat__mul_overflow(weight_floats, folds, &cv_floats) || cv_floats > SIZE_MAX / sizeof(float)) {
            st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu cross-validation models overflow", folds);
            goto done;
        }
        cv_weights = hogfeat__malloc(cv_floats * sizeof *cv_weights);
        fold_of = hogfeat__malloc(num_samples * sizeof *fold_of);
        size_t *tmp = hogfeat__malloc(num_samples * sizeof *tmp);
        if (!cv_weights || !fold_of || !tmp) {
            hogfeat__free(tmp);
            st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu cross-validation models", folds);
            goto done;
        }
        assign_folds(params->seed, class_rows, class_start, num_classes, folds, tmp, fold_of);
        hogfeat__free(tmp);
        for (size_t f = 0; f < folds; f++) {
            fit_weights[1 + f] = cv_weights + f * weight_floats;
            /* One-vs-one pairs list their own rows; the others need the fold's complement. */
            size_t count = 0;
            for (size_t i = 0; i < num_samples; i++)
                count += fold_of[i] != (int32_t)f;
            fit_count[1 + f] = count;
            if (mc == HOGFEAT_SVM_OVO)
                continue;
            fit_rows[1 + f] = hogfeat__malloc(count * sizeof **fit_rows);
            if (!fit_rows[1 + f]) {
                st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate the rows of fold %zu", f);
                goto done;
            }
            size_t m = 0;
            for (size_t i = 0; i < num_samples; i++)
                if (fold_of[i] != (int32_t)f)
                    fit_rows[1 + f][m++] = i;
        }
    }

    /* Tasks: (fit, part). One-vs-rest problems run in groups that share
     * their passes over the rows (hogfeat__svm_solve_group): enough groups
     * to keep every thread busy, more only when a group would exceed its
     * capacity. Fewer, larger groups read the matrix fewer times; the
     * grouping never changes the result. */
    size_t max_tasks;
    if (hogfeat__mul_overflow(problems, num_fits, &max_tasks)) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu problems x %zu fits overflow", problems, num_fits);
        goto done;
    }
    int threads = hogfeat__thread_count(params->threads, max_tasks);
    size_t parts = problems, group_max = 1, worker_bytes;
    if (mc == HOGFEAT_SVM_OVR) {
        size_t capacity = hogfeat__svm_group_capacity(num_samples);
        size_t groups = (problems + capacity - 1) / capacity;
        size_t spread = ((size_t)threads + num_fits - 1) / num_fits;
        if (groups < spread)
            groups = spread;
        if (groups > problems)
            groups = problems;
        parts = groups;
        group_max = (problems + groups - 1) / groups;
        worker_bytes = group_max * num_samples * sizeof(double) + num_samples * sizeof(size_t);
    } else if (mc == HOGFEAT_SVM_OVO) {
        worker_bytes = num_samples * (sizeof(double) + 2 * sizeof(size_t));
    } else {
        size_t cs = hogfeat__svm_cs_scratch_bytes(num_samples, num_classes);
        size_t extra = num_classes * (sizeof(double) + sizeof(float *));
        if (cs == 0 || hogfeat__add_overflow((cs + 15) & ~(size_t)15, extra, &worker_bytes)) {
            st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "Crammer-Singer scratch for %zu samples x %zu classes "
                                                           "overflows", num_samples, num_classes);
            goto done;
        }
    }
    worker_bytes = (worker_bytes + 63) & ~(size_t)63;
    size_t total_scratch;
    if (hogfeat__mul_overflow(worker_bytes, (size_t)threads, &total_scratch)) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "solver scratch for %d threads overflows", threads);
        goto done;
    }
    scratch = hogfeat__malloc(total_scratch);
    if (!scratch) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate solver scratch for %d threads x %zu samples",
                           threads, num_samples);
        goto done;
    }

    train_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.base.features = features;
    ctx.base.num_samples = num_samples;
    ctx.base.num_features = num_features;
    ctx.base.row_stride = row_stride;
    ctx.base.sample_class = sample_class;
    ctx.base.sqnorm = sqnorm;
    ctx.base.bias = params->bias;
    ctx.base.loss = params->loss;
    ctx.base.tolerance = params->tolerance;
    ctx.base.max_iterations = params->max_iterations;
    ctx.base.kernels = k;
    ctx.base.should_stop = train_should_stop;
    ctx.base.stop_ctx = &ctx;
    ctx.multiclass = mc;
    ctx.seed = params->seed;
    ctx.num_classes = num_classes;
    ctx.class_rows = class_rows;
    ctx.class_start = class_start;
    ctx.class_c = class_c;
    ctx.c = params->c;
    ctx.num_vectors = vectors;
    ctx.num_fits = num_fits;
    ctx.fit_weights = fit_weights;
    ctx.fold_of = fold_of;
    ctx.fit_rows = (const size_t *const *)fit_rows;
    ctx.fit_count = fit_count;
    ctx.parts = parts;
    ctx.group_max = group_max;
    ctx.scratch = scratch;
    ctx.worker_bytes = worker_bytes;
    ctx.total = max_tasks > (size_t)INT32_MAX ? INT32_MAX : (int32_t)max_tasks;
    ctx.progress = params->progress;
    ctx.progress_user_data = params->progress_user_data;
    atomic_init(&ctx.done, 0);
    atomic_init(&ctx.stop, 0);
    atomic_init(&ctx.cause, HOGFEAT_OK);

    st = hogfeat__parallel_for(threads, parts * num_fits, train_task, &ctx);
    if (st != HOGFEAT_OK && atomic_load(&ctx.cause) != HOGFEAT_OK)
        st = (hogfeat_status)atomic_load(&ctx.cause);
    /* The tasks ran on other threads, whose error messages this thread
     * cannot see: report here. */
    if (st == HOGFEAT_ERR_CANCELLED)
        hogfeat__fail(st, "training cancelled by the progress callback after %d of %d problems",
                      (int)atomic_load(&ctx.done), (int)ctx.total);
    else if (st == HOGFEAT_ERR_NONFINITE)
        hogfeat__fail(st, "the solver diverged: a step or a weight overflows float "
                          "(C too large, or features badly scaled?)");
    else if (st != HOGFEAT_OK)
        hogfeat__fail(st, "training failed");
    if (st == HOGFEAT_OK && num_fits > 1)
        st = fit_probability(&ctx, model, (const float *const *)(fit_weights + 1));

done:
    hogfeat__free(classes);
    hogfeat__free(sample_class);
    hogfeat__free(sqnorm);
    hogfeat__free(class_rows);
    hogfeat__free(class_start);
    hogfeat__free(class_c);
    hogfeat__free(scratch);
    hogfeat__free(fold_of);
    hogfeat__free(cv_weights);
    if (fit_rows)
        for (size_t f = 0; f < num_fits; f++)
            hogfeat__free(fit_rows[f]);
    hogfeat__free(fit_rows);
    hogfeat__free(fit_weights);
    hogfeat__free(fit_count);
    if (st != HOGFEAT_OK) {
        hogfeat_linsvm_destroy(model);
        return st;
    }
    *out_model = model;
    return HOGFEAT_OK;
}

/* ---- prediction -------------------------------------------------------------------- */

/* Validates a prediction call; overflow_status is what each function's
 * documentation promises for a matrix that cannot be addressed. */
static hogfeat_status check_query(const char *fn, const hogfeat_linsvm *model, const float *features,
                                  size_t num_samples, size_t num_features, size_t row_stride, const void *out,
                                  hogfeat_status overflow_status)
{
    if (!model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: model is NULL", fn);
    /* No rows means nothing is read or written: empty arrays may be NULL. */
    if (num_samples > 0 && (!features || !out))
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn, !features ? "features" : "output");
    if (num_features != model->num_features)
        return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH, "%s: %zu features given, the model expects %zu", fn,
                             num_features, model->num_features);
    if (row_stride < num_features)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "%s: row stride %zu floats is shorter than a row of %zu",
                             fn, row_stride, num_features);
    if (matrix_extent_overflows(num_samples, num_features, row_stride))
        return hogfeat__fail(overflow_status, "%s: %zu rows with stride %zu overflow size arithmetic", fn,
                             num_samples, row_stride);
    return HOGFEAT_OK;
}

/* Checks out_capacity >= num_samples * K. */
static hogfeat_status check_capacity(const hogfeat_linsvm *model, size_t num_samples, size_t out_capacity,
                                     const char *what)
{
    const size_t classes = (size_t)model->num_classes;
    size_t needed;
    if (hogfeat__mul_overflow(num_samples, classes, &needed))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu samples x %zu classes overflow", num_samples, classes);
    if (out_capacity < needed)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%zu %s do not fit in %zu", needed, what, out_capacity);
    return HOGFEAT_OK;
}

/* Scratch of count doubles for one call (count >= 1). */
static hogfeat_status alloc_doubles(const char *fn, size_t count, double **out)
{
    *out = NULL;
    if (count > SIZE_MAX / sizeof(double))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu doubles of scratch overflow", fn, count);
    *out = hogfeat__malloc(count * sizeof(double));
    if (!*out)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu doubles of scratch", fn, count);
    return HOGFEAT_OK;
}

/* scikit-learn's monotone map of a summed confidence into (-1/3, 1/3). */
static double ovo_squash(double s)
{
    if (isinf(s))
        return s > 0.0 ? 1.0 / 3.0 : -1.0 / 3.0;
    return s / (3.0 * (fabs(s) + 1.0));
}

/* One-vs-one scores of row x: votes + squash(summed confidence), computed in
 * double and rounded once. votes and conf are K doubles of scratch. Returns
 * 1 (and NaN scores) when a pair's decision value is NaN. */
static int ovo_scores(const hogfeat_linsvm *model, const hogfeat__kernels *k, const float *x, double *votes,
                      double *conf, float *out)
{
    const size_t nk = (size_t)model->num_classes;
    for (size_t c = 0; c < nk; c++)
        votes[c] = conf[c] = 0.0;
    int nan = 0;
    size_t p = 0;
    for (size_t i = 0; i + 1 < nk; i++) {
        for (size_t j = i + 1; j < nk; j++, p++) {
            const float f = decision_value(model, k, x, p);
            nan |= isnan(f);
            conf[i] -= (double)f;
            conf[j] += (double)f;
            votes[f > 0.0f ? j : i] += 1.0;
        }
    }
    for (size_t c = 0; c < nk; c++)
        out[c] = nan ? NAN : (float)(votes[c] + ovo_squash(conf[c]));
    return nan;
}

hogfeat_status hogfeat_linsvm_predict(const hogfeat_linsvm *model, const float *features, size_t num_samples,
                                      size_t num_features, size_t row_stride, int32_t *out_labels)
{
    static const char fn[] = "hogfeat_linsvm_predict";
    hogfeat_status st = check_query(fn, model, features, num_samples, num_features, row_stride, out_labels,
                                    HOGFEAT_ERR_LIMIT_EXCEEDED);
    if (st != HOGFEAT_OK)
        return st;
    const hogfeat__kernels *k = hogfeat__kernels_get();
    const size_t nk = (size_t)model->num_classes;
    double *scratch = NULL;
    if (model->multiclass == HOGFEAT_SVM_OVO && num_samples > 0) {
        /* votes, conf, then K floats. */
        st = alloc_doubles(fn, 3 * nk, &scratch);
        if (st != HOGFEAT_OK)
            return st;
    }
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        size_t best = 0;
        if (model->multiclass == HOGFEAT_SVM_OVO) {
            float *scores = (float *)(void *)(scratch + 2 * nk);
            if (ovo_scores(model, k, x, scratch, scratch + nk, scores)) {
                hogfeat__free(scratch);
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "a decision value of sample %zu is NaN", i);
            }
            for (size_t c = 1; c < nk; c++)
                if (scores[c] > scores[best])
                    best = c;
        } else if (model->num_vectors == 1) {
            float f = decision_value(model, k, x, 0);
            if (isnan(f))
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "decision value of sample %zu is NaN", i);
            /* Scores (-f, f): the first wins ties, as in decision_function. */
            best = f > -f ? 1 : 0;
        } else {
            float best_f = 0.0f;
            for (size_t v = 0; v < model->num_vectors; v++) {
                float f = decision_value(model, k, x, v);
                if (isnan(f))
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "decision value %zu of sample %zu is NaN", v, i);
                if (v == 0 || f > best_f) {
                    best = v;
                    best_f = f;
                }
            }
        }
        out_labels[i] = model->labels[best];
    }
    hogfeat__free(scratch);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_decision_function(const hogfeat_linsvm *model, const float *features,
                                                size_t num_samples, size_t num_features, size_t row_stride,
                                                float *out_scores, size_t out_capacity)
{
    static const char fn[] = "hogfeat_linsvm_decision_function";
    hogfeat_status st = check_query(fn, model, features, num_samples, num_features, row_stride, out_scores,
                                    HOGFEAT_ERR_LIMIT_EXCEEDED);
    if (st == HOGFEAT_OK)
        st = check_capacity(model, num_samples, out_capacity, "scores");
    if (st != HOGFEAT_OK)
        return st;
    const hogfeat__kernels *k = hogfeat__kernels_get();
    const size_t classes = (size_t)model->num_classes;
    double *scratch = NULL;
    if (model->multiclass == HOGFEAT_SVM_OVO && num_samples > 0) {
        st = alloc_doubles(fn, 2 * classes, &scratch);
        if (st != HOGFEAT_OK)
            return st;
    }
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        float *out = out_scores + i * classes;
        if (model->multiclass == HOGFEAT_SVM_OVO) {
            (void)ovo_scores(model, k, x, scratch, scratch + classes, out);
        } else if (model->num_vectors == 1) {
            float f = decision_value(model, k, x, 0);
            out[0] = -f;
            out[1] = f;
        } else {
            for (size_t v = 0; v < classes; v++)
                out[v] = decision_value(model, k, x, v);
        }
    }
    hogfeat__free(scratch);
    return HOGFEAT_OK;
}

/* Probabilities of one row whose decision values are finite; scratch as
 * hogfeat_linsvm_predict_proba allocates it. */
static void row_proba(const hogfeat_linsvm *model, const hogfeat__kernels *k, const float *x, double *scratch,
                      float *out)
{
    const size_t nk = (size_t)model->num_classes;
    const double *platt = model->platt;
    double *v = scratch, *p = scratch + nk, *aux = scratch + 2 * nk;
    double sum = 0.0;
    if (model->multiclass == HOGFEAT_SVM_OVO) {
        double *q = scratch + 3 * nk;
        for (size_t i = 0; i < nk * nk; i++)
            q[i] = 0.0;
        size_t pi = 0;
        for (size_t i = 0; i + 1 < nk; i++) {
            for (size_t j = i + 1; j < nk; j++, pi++) {
                const double f = (double)decision_value(model, k, x, pi);
                /* P(j | i or j), clipped as libsvm clips it. */
                double r = exp(hogfeat__log_sigmoid_neg(platt[2 * pi] * f + platt[2 * pi + 1]));
                r = r < 1e-7 ? 1e-7 : (r > 1.0 - 1e-7 ? 1.0 - 1e-7 : r);
                q[i * nk + i] += r * r;
                q[j * nk + j] += (1.0 - r) * (1.0 - r);
                q[i * nk + j] = q[j * nk + i] = -r * (1.0 - r);
            }
        }
        hogfeat__couple_pairs(nk, q, p, aux);
        for (size_t c = 0; c < nk; c++)
            sum += p[c];
        for (size_t c = 0; c < nk; c++)
            out[c] = (float)(p[c] / sum);
        return;
    }
    if (model->multiclass == HOGFEAT_SVM_OVR && nk == 2) {
        const double z = platt[0] * (double)decision_value(model, k, x, 0) + platt[1];
        out[1] = (float)exp(hogfeat__log_sigmoid_neg(z));
        out[0] = (float)exp(hogfeat__log_sigmoid_neg(-z));
        return;
    }
    /* OvR: log sigmoid per class; Crammer-Singer: s f_k with s = -A. */
    double mx = -HUGE_VAL;
    for (size_t c = 0; c < nk; c++) {
        const double f = (double)decision_value(model, k, x, c);
        v[c] = model->multiclass == HOGFEAT_SVM_OVR ? hogfeat__log_sigmoid_neg(platt[2 * c] * f + platt[2 * c + 1])
                                                     : -platt[0] * f;
        if (v[c] > mx)
            mx = v[c];
    }
    for (size_t c = 0; c < nk; c++) {
        p[c] = exp(v[c] - mx);
        sum += p[c];
    }
    for (size_t c = 0; c < nk; c++)
        out[c] = (float)(p[c] / sum);
}

hogfeat_status hogfeat_linsvm_predict_proba(const hogfeat_linsvm *model, const float *features, size_t num_samples,
                                            size_t num_features, size_t row_stride, float *out_probabilities,
                                            size_t out_capacity)
{
    static const char fn[] = "hogfeat_linsvm_predict_proba";
    if (model && model->num_platt == 0)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND,
                             "%s: the model has no probability calibration; train it with "
                             "hogfeat_linsvm_params_set_probability(params, 1)", fn);
    hogfeat_status st = check_query(fn, model, features, num_samples, num_features, row_stride, out_probabilities,
                                    HOGFEAT_ERR_LIMIT_EXCEEDED);
    if (st == HOGFEAT_OK)
        st = check_capacity(model, num_samples, out_capacity, "probabilities");
    if (st != HOGFEAT_OK || num_samples == 0)
        return st;
    const hogfeat__kernels *k = hogfeat__kernels_get();
    const size_t nk = (size_t)model->num_classes;
    size_t count = 3 * nk, square;
    if (model->multiclass == HOGFEAT_SVM_OVO &&
        (hogfeat__mul_overflow(nk, nk, &square) || hogfeat__add_overflow(count, square, &count)))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu x %zu coupling matrix overflows", fn, nk, nk);
    double *scratch = NULL;
    st = alloc_doubles(fn, count, &scratch);
    if (st != HOGFEAT_OK)
        return st;
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        float *out = out_probabilities + i * nk;
        int finite = 1;
        for (size_t v = 0; v < model->num_vectors && finite; v++)
            finite = isfinite(decision_value(model, k, x, v));
        if (!finite) {
            for (size_t c = 0; c < nk; c++)
                out[c] = NAN;
            continue;
        }
        row_proba(model, k, x, scratch, out);
    }
    hogfeat__free(scratch);
    return HOGFEAT_OK;
}
