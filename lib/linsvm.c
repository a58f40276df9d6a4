/* Linear SVM: parameters, model handle, training (dual coordinate descent)
 * and prediction. Model (de)serialisation lives in model_io.c. */
#include <math.h>
#include <string.h>

#include "private.h"

/* ---- parameters ---------------------------------------------------------- */

hogfeat_status hogfeat_linsvm_params_create(hogfeat_linsvm_params **out_params)
{
    if (!out_params)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_params_create: out_params is NULL");
    *out_params = NULL;
    hogfeat_linsvm_params *p = hogfeat__calloc(1, sizeof *p);
    if (!p)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate SVM parameters");
    p->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    p->c = 1.0;
    p->bias = 1.0;
    p->tolerance = 0.1;
    p->max_iterations = 1000;
    p->seed = 1;
    p->threads = 1;
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
