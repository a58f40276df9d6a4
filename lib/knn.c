/* Exact k-nearest-neighbour classifier. Model (de)serialisation lives in model_io.c. */
#include <math.h>
#include <string.h>

#include "private.h"

/* ---- parameters ---------------------------------------------------------- */

hogfeat_status hogfeat_knn_params_create(hogfeat_knn_params **out_params)
{
    if (!out_params)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_params_create: out_params is NULL");
    *out_params = NULL;
    hogfeat_knn_params *p = hogfeat__calloc(1, sizeof *p);
    if (!p)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate KNN parameters");
    p->k = 3;
    p->metric = HOGFEAT_METRIC_L2;
    p->weighting = HOGFEAT_KNN_UNIFORM;
    p->threads = 1;
    *out_params = p;
    return HOGFEAT_OK;
}

void hogfeat_knn_params_destroy(hogfeat_knn_params *params)
{
    hogfeat__free(params);
}

#define REQUIRE_PARAMS(params, fn)                                                                 \
    do {                                                                                           \
        if (!(params))                                                                             \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": params is NULL");                 \
    } while (0)

#define HOGFEAT__KNN_MAX_K 1024

hogfeat_status hogfeat_knn_params_set_k(hogfeat_knn_params *params, int32_t k)
{
    REQUIRE_PARAMS(params, "hogfeat_knn_params_set_k");
    if (k < 1 || k > HOGFEAT__KNN_MAX_K)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "k = %d is outside [1, %d]", (int)k, HOGFEAT__KNN_MAX_K);
    params->k = k;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_knn_params_set_metric(hogfeat_knn_params *params, hogfeat_metric metric)
{
    REQUIRE_PARAMS(params, "hogfeat_knn_params_set_metric");
    switch (metric) {
    case HOGFEAT_METRIC_L2:
    case HOGFEAT_METRIC_L1:
    case HOGFEAT_METRIC_COSINE:
    case HOGFEAT_METRIC_CHI2:
        params->metric = metric;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "metric %d is not a hogfeat_metric", (int)metric);
}

hogfeat_status hogfeat_knn_params_set_weighting(hogfeat_knn_params *params, hogfeat_knn_weighting weighting)
{
    REQUIRE_PARAMS(params, "hogfeat_knn_params_set_weighting");
    if (weighting != HOGFEAT_KNN_UNIFORM && weighting != HOGFEAT_KNN_DISTANCE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "weighting %d is not a hogfeat_knn_weighting",
                             (int)weighting);
    params->weighting = weighting;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_knn_params_set_threads(hogfeat_knn_params *params, int32_t num_threads)
{
    REQUIRE_PARAMS(params, "hogfeat_knn_params_set_threads");
    if (num_threads < 0 || num_threads > 256)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "thread count %d is outside [0, 256]", (int)num_threads);
    params->threads = num_threads;
    return HOGFEAT_OK;
}

/* ---- model handle ---------------------------------------------------------- */

hogfeat_status hogfeat__knn_new(size_t num_samples, size_t num_features, hogfeat_knn **out_model)
{
    *out_model = NULL;
    size_t total;
    if (num_samples == 0 || num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "a KNN model needs >= 1 sample and >= 1 feature");
    if (hogfeat__mul_overflow(num_samples, num_features, &total) || total > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu samples x %zu features overflow", num_samples,
                             num_features);
    hogfeat_knn *m = hogfeat__calloc(1, sizeof *m);
    float *features = hogfeat__malloc(total * sizeof *features);
    int32_t *labels = hogfeat__malloc(num_samples * sizeof *labels);
    if (!m || !features || !labels) {
        hogfeat__free(m);
        hogfeat__free(features);
        hogfeat__free(labels);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a KNN model of %zu x %zu", num_samples,
                             num_features);
    }
    atomic_init(&m->refs, 1);
    m->k = 3;
    m->metric = HOGFEAT_METRIC_L2;
    m->weighting = HOGFEAT_KNN_UNIFORM;
    m->threads = 1;
    m->num_samples = num_samples;
    m->num_features = num_features;
    m->features = features;
    m->labels = labels;
    *out_model = m;
    return HOGFEAT_OK;
}

void hogfeat__knn_ref(const hogfeat_knn *model)
{
    atomic_fetch_add(&((hogfeat_knn *)(uintptr_t)model)->refs, 1);
}

void hogfeat__knn_unref(const hogfeat_knn *model)
{
    if (!model)
        return;
    hogfeat_knn *m = (hogfeat_knn *)(uintptr_t)model;
    if (atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    hogfeat__free(m->features);
    hogfeat__free(m->labels);
    hogfeat__free(m->classes);
    hogfeat__free(m->sample_class);
    hogfeat__free(m->norms);
    hogfeat__free(m);
}

void hogfeat_knn_destroy(hogfeat_knn *model)
{
    hogfeat__knn_unref(model);
}

int32_t hogfeat_knn_k(const hogfeat_knn *model)
{
    return model ? model->k : 0;
}

size_t hogfeat_knn_num_samples(const hogfeat_knn *model)
{
    return model ? model->num_samples : 0;
}

size_t hogfeat_knn_num_features(const hogfeat_knn *model)
{
    return model ? model->num_features : 0;
}

int32_t hogfeat_knn_num_classes(const hogfeat_knn *model)
{
    return model ? model->num_classes : 0;
}

hogfeat_status hogfeat_knn_get_labels(const hogfeat_knn *model, int32_t *out_labels, size_t out_capacity)
{
    if (!model || !out_labels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_get_labels: NULL argument");
    if (out_capacity < (size_t)model->num_classes)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%d labels do not fit in %zu", (int)model->num_classes,
                             out_capacity);
    memcpy(out_labels, model->classes, (size_t)model->num_classes * sizeof *out_labels);
    return HOGFEAT_OK;
}

/* ---- derived data, fit, prediction ---------------------------------------------- */
