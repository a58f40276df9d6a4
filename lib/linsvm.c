/* Linear SVM: parameters, model handle, training (dual coordinate descent)
 * and prediction. Model (de)serialisation lives in model_io.c. */
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

/* ---- model handle ---------------------------------------------------------- */

hogfeat_status hogfeat__linsvm_new(int32_t num_classes, size_t num_features, hogfeat_linsvm **out_model)
{
    *out_model = NULL;
    if (num_classes < 2 || num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "a linear SVM needs >= 2 classes and >= 1 feature");
    size_t vectors = num_classes == 2 ? 1 : (size_t)num_classes;
    size_t row = num_features + 1, total;
    if (row == 0 || hogfeat__mul_overflow(vectors, row, &total) || total > SIZE_MAX / sizeof(float))
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

/* ---- training and prediction ------------------------------------------------ */

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

/* Shared by the tasks of one training run. */
typedef struct train_ctx {
    hogfeat__svm_problem base;    /* everything but the class and C */
    int32_t num_classes;
    size_t num_problems;
    size_t num_groups;            /* task g solves problems [g P / G, (g + 1) P / G) together */
    size_t group_max;             /* members of the largest group */
    const double *class_c;        /* per class: C * weight(class) */
    double c;
    hogfeat_linsvm *model;
    double *alpha;                /* per worker: group_max x num_samples */
    size_t *order;                /* per worker: num_samples */
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
    if (ctx->progress &&
        ctx->progress(ctx->progress_user_data, (int32_t)atomic_load(&ctx->done), (int32_t)ctx->num_problems) != 0) {
        stop_training(ctx, HOGFEAT_ERR_CANCELLED);
        return 1;
    }
    return 0;
}

/* One group of binary problems in flight. */
typedef struct group_run {
    train_ctx *ctx;
    size_t first;                         /* problem number of member 0 */
    double wb[HOGFEAT__SVM_GROUP_MAX];
} group_run;

/* A member finished: store its bias weight and report progress. */
static int member_finished(void *vrun, size_t member)
{
    group_run *run = vrun;
    train_ctx *ctx = run->ctx;
    const size_t d = ctx->base.num_features;
    ctx->model->weights[(run->first + member) * (d + 1) + d] = (float)run->wb[member];
    int32_t done = (int32_t)atomic_fetch_add(&ctx->done, 1) + 1;
    if (ctx->progress && ctx->progress(ctx->progress_user_data, done, (int32_t)ctx->num_problems) != 0) {
        stop_training(ctx, HOGFEAT_ERR_CANCELLED);
        return 1;
    }
    return 0;
}

/* Task number task: a group of hyperplanes, each written to its own model
 * row, with the worker's own scratch, so tasks share nothing they write.
 * Every problem is solved as it would be alone (see
 * hogfeat__svm_solve_group()), so the model does not depend on the grouping,
 * hence not on the thread count. */
static hogfeat_status train_task(void *vctx, size_t task, int worker)
{
    train_ctx *ctx = vctx;
    const size_t n = ctx->base.num_samples, d = ctx->base.num_features;
    const size_t first = task * ctx->num_problems / ctx->num_groups;
    const size_t count = (task + 1) * ctx->num_problems / ctx->num_groups - first;
    hogfeat__svm_problem p[HOGFEAT__SVM_GROUP_MAX];
    float *w[HOGFEAT__SVM_GROUP_MAX];
    for (size_t m = 0; m < count; m++) {
        const size_t problem = first + m;
        p[m] = ctx->base;
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
        w[m] = ctx->model->weights + problem * (d + 1);
    }
    group_run run;
    run.ctx = ctx;
    run.first = first;
    hogfeat_status st =
        hogfeat__svm_solve_group(p, count, ctx->alpha + (size_t)worker * ctx->group_max * n,
                                 ctx->order + (size_t)worker * n, w, run.wb, NULL, member_finished, &run);
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
    if (num_samples == 0 || num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "cannot train on %zu samples of %zu features",
                             num_samples, num_features);
    if (row_stride < num_features)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "row stride %zu floats is shorter than a row of %zu",
                             row_stride, num_features);
    /* Solver scratch per worker: alpha for a whole group, and the order. */
    size_t per_sample_bytes = HOGFEAT__SVM_GROUP_MAX * sizeof(double) + sizeof(size_t), scratch_bytes;
    if (matrix_extent_overflows(num_samples, num_features, row_stride) ||
        hogfeat__mul_overflow(num_samples, per_sample_bytes, &scratch_bytes))
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
    hogfeat_status st = HOGFEAT_OK;
    hogfeat_linsvm *model = NULL;
    double *class_c = NULL, *alpha = NULL;
    size_t *order = NULL;
    int32_t *sample_class = NULL;

    /* Classes: sorted distinct labels. The sorted copy becomes the list. */
    int32_t *classes = hogfeat__malloc(num_samples * sizeof *classes);
    sample_class = hogfeat__malloc(num_samples * sizeof *sample_class);
    double *sqnorm = hogfeat__malloc(num_samples * sizeof *sqnorm);
    if (!classes || !sample_class || !sqnorm) {
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

    st = hogfeat__linsvm_new((int32_t)num_classes, num_features, &model);
    if (st != HOGFEAT_OK)
        goto done;
    memcpy(model->labels, classes, num_classes * sizeof *classes);
    model->bias = params->bias;
    model->loss = params->loss;
    model->c = params->c;
    model->tolerance = params->tolerance;
    model->max_iterations = params->max_iterations;

    /* The problems run in groups that share their passes over the rows
     * (hogfeat__svm_solve_group): one group per thread, more only when a
     * group would exceed its capacity. Fewer, larger groups read the matrix
     * fewer times; the grouping never changes the result. */
    size_t num_problems = model->num_vectors;
    int threads = hogfeat__thread_count(params->threads, num_problems);
    size_t capacity = hogfeat__svm_group_capacity(num_samples);
    size_t num_groups = (num_problems + capacity - 1) / capacity;
    if (num_groups < (size_t)threads)
        num_groups = (size_t)threads;
    size_t group_max = (num_problems + num_groups - 1) / num_groups;
    size_t total_scratch;
    if (hogfeat__mul_overflow(scratch_bytes, (size_t)threads, &total_scratch)) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "solver scratch for %d threads overflows", threads);
        goto done;
    }
    alpha = hogfeat__malloc((size_t)threads * group_max * num_samples * sizeof *alpha);
    order = hogfeat__malloc((size_t)threads * num_samples * sizeof *order);
    if (!alpha || !order) {
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
    /* One order for every problem, so that groups can share passes. */
    ctx.base.seed = hogfeat__svm_problem_seed(params->seed, 0);
    ctx.base.should_stop = train_should_stop;
    ctx.base.stop_ctx = &ctx;
    ctx.num_classes = (int32_t)num_classes;
    ctx.num_problems = num_problems;
    ctx.num_groups = num_groups;
    ctx.group_max = group_max;
    ctx.class_c = class_c;
    ctx.c = params->c;
    ctx.model = model;
    ctx.alpha = alpha;
    ctx.order = order;
    ctx.progress = params->progress;
    ctx.progress_user_data = params->progress_user_data;
    atomic_init(&ctx.done, 0);
    atomic_init(&ctx.stop, 0);
    atomic_init(&ctx.cause, HOGFEAT_OK);

    st = hogfeat__parallel_for(threads, num_groups, train_task, &ctx);
    if (st != HOGFEAT_OK && atomic_load(&ctx.cause) != HOGFEAT_OK)
        st = (hogfeat_status)atomic_load(&ctx.cause);
    /* The tasks ran on other threads, whose error messages this thread
     * cannot see: report here. */
    if (st == HOGFEAT_ERR_CANCELLED)
        hogfeat__fail(st, "training cancelled by the progress callback after %d of %d problems",
                      (int)atomic_load(&ctx.done), (int)num_problems);
    else if (st == HOGFEAT_ERR_NONFINITE)
        hogfeat__fail(st, "the solver diverged: a step or a weight overflows float "
                          "(C too large, or features badly scaled?)");
    else if (st != HOGFEAT_OK)
        hogfeat__fail(st, "training failed");

done:
    hogfeat__free(classes);
    hogfeat__free(sample_class);
    hogfeat__free(sqnorm);
    hogfeat__free(class_c);
    hogfeat__free(alpha);
    hogfeat__free(order);
    if (st != HOGFEAT_OK) {
        hogfeat_linsvm_destroy(model);
        return st;
    }
    *out_model = model;
    return HOGFEAT_OK;
}

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

/* f = w.x + w_b B of hyperplane v, rounded to float: predict and
 * decision_function compare these same rounded values, so they agree. */
static float decision_value(const hogfeat_linsvm *model, const hogfeat__kernels *k, const float *x, size_t v)
{
    const size_t d = model->num_features;
    const float *w = model->weights + v * (d + 1);
    return (float)((double)k->dot(w, x, d) + (double)w[d] * model->bias);
}

hogfeat_status hogfeat_linsvm_predict(const hogfeat_linsvm *model, const float *features, size_t num_samples,
                                      size_t num_features, size_t row_stride, int32_t *out_labels)
{
    hogfeat_status st = check_query("hogfeat_linsvm_predict", model, features, num_samples, num_features, row_stride,
                                    out_labels, HOGFEAT_ERR_LIMIT_EXCEEDED);
    if (st != HOGFEAT_OK)
        return st;
    const hogfeat__kernels *k = hogfeat__kernels_get();
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        size_t best = 0;
        if (model->num_classes == 2) {
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
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_decision_function(const hogfeat_linsvm *model, const float *features,
                                                size_t num_samples, size_t num_features, size_t row_stride,
                                                float *out_scores, size_t out_capacity)
{
    hogfeat_status st = check_query("hogfeat_linsvm_decision_function", model, features, num_samples, num_features,
                                    row_stride, out_scores, HOGFEAT_ERR_LIMIT_EXCEEDED);
    if (st != HOGFEAT_OK)
        return st;
    const size_t classes = (size_t)model->num_classes;
    size_t needed;
    if (hogfeat__mul_overflow(num_samples, classes, &needed))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu samples x %zu classes overflow", num_samples, classes);
    if (out_capacity < needed)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%zu scores do not fit in %zu", needed, out_capacity);
    const hogfeat__kernels *k = hogfeat__kernels_get();
    for (size_t i = 0; i < num_samples; i++) {
        const float *x = features + i * row_stride;
        float *out = out_scores + i * classes;
        if (classes == 2) {
            float f = decision_value(model, k, x, 0);
            out[0] = -f;
            out[1] = f;
        } else {
            for (size_t v = 0; v < classes; v++)
                out[v] = decision_value(model, k, x, v);
        }
    }
    return HOGFEAT_OK;
}
