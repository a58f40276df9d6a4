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

/* Heapsort: no allocation, and labels are plain int32 so stability is moot. */
static void sift_down_i32(int32_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        int32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_i32(int32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down_i32(a, i, n);
    for (size_t end = n; end-- > 1;) {
        int32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down_i32(a, 0, end);
    }
}

static size_t class_index(const int32_t *classes, size_t num_classes, int32_t label)
{
    size_t lo = 0, hi = num_classes;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (classes[mid] <= label)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* 1 with the position of the first NaN or infinity of a strided matrix, else 0. */
static int find_nonfinite(const float *rows, size_t num_rows, size_t num_features, size_t row_stride,
                          size_t *out_row, size_t *out_col)
{
    for (size_t r = 0; r < num_rows; r++) {
        const float *row = rows + r * row_stride;
        for (size_t c = 0; c < num_features; c++) {
            if (!isfinite(row[c])) {
                *out_row = r;
                *out_col = c;
                return 1;
            }
        }
    }
    return 0;
}

static void clear_derived(hogfeat_knn *model)
{
    hogfeat__free(model->classes);
    hogfeat__free(model->sample_class);
    hogfeat__free(model->norms);
    model->classes = NULL;
    model->sample_class = NULL;
    model->norms = NULL;
    model->num_classes = 0;
}

hogfeat_status hogfeat__knn_prepare(hogfeat_knn *model)
{
    if (!model || !model->features || !model->labels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat__knn_prepare: model or its arrays are NULL");
    clear_derived(model);
    size_t n = model->num_samples, dim = model->num_features;
    if (n == 0 || dim == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "a KNN model needs >= 1 sample and >= 1 feature");
    if (model->k < 1 || model->k > HOGFEAT__KNN_MAX_K)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "k = %d is outside [1, %d]", (int)model->k,
                             HOGFEAT__KNN_MAX_K);
    if ((size_t)model->k > n)
        return hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "k = %d exceeds the %zu training samples", (int)model->k,
                             n);
    if (model->metric != HOGFEAT_METRIC_L2 && model->metric != HOGFEAT_METRIC_L1 &&
        model->metric != HOGFEAT_METRIC_COSINE && model->metric != HOGFEAT_METRIC_CHI2)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "metric %d is not a hogfeat_metric", (int)model->metric);
    if (model->weighting != HOGFEAT_KNN_UNIFORM && model->weighting != HOGFEAT_KNN_DISTANCE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "weighting %d is not a hogfeat_knn_weighting",
                             (int)model->weighting);
    if (model->threads < 0 || model->threads > 256)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "thread count %d is outside [0, 256]",
                             (int)model->threads);
    size_t bad_row, bad_col;
    if (find_nonfinite(model->features, n, dim, dim, &bad_row, &bad_col))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "training sample %zu, feature %zu is NaN or infinite", bad_row,
                             bad_col);

    /* hogfeat__knn_new checked n * dim * sizeof(float), so n * sizeof(int32_t) cannot overflow. */
    int32_t *sorted = hogfeat__malloc(n * sizeof *sorted);
    if (!sorted)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot sort %zu labels", n);
    memcpy(sorted, model->labels, n * sizeof *sorted);
    sort_i32(sorted, n);
    size_t distinct = 1;
    for (size_t i = 1; i < n; i++)
        if (sorted[i] != sorted[distinct - 1])
            sorted[distinct++] = sorted[i];
    if (distinct > INT32_MAX) {
        hogfeat__free(sorted);
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu distinct labels exceed INT32_MAX", distinct);
    }

    int32_t *classes = hogfeat__malloc(distinct * sizeof *classes);
    int32_t *sample_class = hogfeat__malloc(n * sizeof *sample_class);
    float *norms = NULL;
    int want_norms = model->metric == HOGFEAT_METRIC_L2 || model->metric == HOGFEAT_METRIC_COSINE;
    if (want_norms)
        norms = hogfeat__malloc(n * sizeof *norms);
    if (!classes || !sample_class || (want_norms && !norms)) {
        hogfeat__free(sorted);
        hogfeat__free(classes);
        hogfeat__free(sample_class);
        hogfeat__free(norms);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate the class tables of %zu samples", n);
    }
    memcpy(classes, sorted, distinct * sizeof *classes);
    hogfeat__free(sorted);
    for (size_t i = 0; i < n; i++)
        sample_class[i] = (int32_t)class_index(classes, distinct, model->labels[i]);

    /* Both metrics keep the squared norm |x|^2, as dot_block computes it:
     * a query bitwise equal to a row then gives q.q == x.x == q.x, so L2's
     * |q|^2 + |x|^2 - 2 q.x and cosine's 1 - q.x / sqrt(|q|^2 |x|^2) (the
     * product of two floats is exact in double) are both exactly 0, which the
     * zero-distance voting rule relies on. Storing |x| would lose that. It
     * needs every one of these values from the same kernel, dot_block, whose
     * order of additions depends on dim only, never on where the rows sit in
     * a block or how they are aligned (query rows are not aligned like the
     * packed rows); the search takes q.x and |q|^2 from it too. */
    if (want_norms) {
        const hogfeat__kernels *kern = hogfeat__kernels_get();
        for (size_t i = 0; i < n; i++) {
            const float *row = model->features + i * dim;
            kern->dot_block(row, dim, 1, row, dim, 1, dim, &norms[i], 1);
        }
    }
    model->classes = classes;
    model->sample_class = sample_class;
    model->norms = norms;
    model->num_classes = (int32_t)distinct;
    return HOGFEAT_OK;
}

/* 1 if a strided matrix, (rows - 1) * stride + cols floats, spans more bytes than size_t counts. */
static int matrix_span_overflows(size_t rows, size_t cols, size_t stride)
{
    size_t elems;
    if (rows == 0)
        return 0;
    if (hogfeat__mul_overflow(rows - 1, stride, &elems) || hogfeat__add_overflow(elems, cols, &elems))
        return 1;
    return elems > SIZE_MAX / sizeof(float);
}

hogfeat_status hogfeat_knn_fit(const hogfeat_knn_params *params, const float *features, size_t num_samples,
                               size_t num_features, size_t row_stride, const int32_t *labels, hogfeat_knn **out_model)
{
    if (!out_model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_fit: out_model is NULL");
    *out_model = NULL;
    if (!features || !labels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_fit: %s is NULL",
                             !features ? "features" : "labels");
    int32_t k = params ? params->k : 3;
    if (num_samples == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "hogfeat_knn_fit: the training set is empty");
    if (num_features == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "hogfeat_knn_fit: num_features is 0");
    if (row_stride < num_features)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "row stride %zu is shorter than %zu features", row_stride,
                             num_features);
    if (matrix_span_overflows(num_samples, num_features, row_stride))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu samples with a row stride of %zu overflow size_t",
                             num_samples, row_stride);
    if ((size_t)k > num_samples)
        return hogfeat__fail(HOGFEAT_ERR_BAD_TRAINING_SET, "k = %d exceeds the %zu training samples", (int)k,
                             num_samples);
    /* Before allocating: a NaN in a large training set should not cost a copy first. */
    size_t bad_row, bad_col;
    if (find_nonfinite(features, num_samples, num_features, row_stride, &bad_row, &bad_col))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "training sample %zu, feature %zu is NaN or infinite", bad_row,
                             bad_col);

    hogfeat_knn *m = NULL;
    hogfeat_status st = hogfeat__knn_new(num_samples, num_features, &m);
    if (st != HOGFEAT_OK)
        return st;
    if (row_stride == num_features) {
        memcpy(m->features, features, num_samples * num_features * sizeof *features);
    } else {
        for (size_t i = 0; i < num_samples; i++)
            memcpy(m->features + i * num_features, features + i * row_stride, num_features * sizeof *features);
    }
    memcpy(m->labels, labels, num_samples * sizeof *labels);
    if (params) {
        m->k = params->k;
        m->metric = params->metric;
        m->weighting = params->weighting;
        m->threads = params->threads;
    }
    st = hogfeat__knn_prepare(m);
    if (st != HOGFEAT_OK) {
        hogfeat__knn_unref(m);
        return st;
    }
    *out_model = m;
    return HOGFEAT_OK;
}

/* ---- search ---------------------------------------------------------------- */

/* A candidate neighbour. For L2 dist holds the squared distance until the
 * final pass; the square root is monotonic, so the order is the same. */
typedef struct knn_entry {
    double dist;
    size_t index;
} knn_entry;

static inline int entry_before(double d, size_t i, const knn_entry *e)
{
    return d < e->dist || (d == e->dist && i < e->index);
}

/* Up to this k the best list is kept sorted by insertion; above it a binary
 * max-heap bounds the cost of each accepted candidate by log k instead of k. */
#define KNN_INSERTION_MAX 48

static void heap_sift_down(knn_entry *h, size_t root, size_t n)
{
    knn_entry item = h[root];
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && entry_before(h[child].dist, h[child].index, &h[child + 1]))
            child++;
        if (!entry_before(item.dist, item.index, &h[child]))
            break;
        h[root] = h[child];
        root = child;
    }
    h[root] = item;
}

/* Offers (d, i) to the best list of capacity k holding *count entries. */
static inline void best_offer(knn_entry *best, size_t *count, size_t k, double d, size_t i)
{
    size_t n = *count;
    if (k <= KNN_INSERTION_MAX) {
        size_t pos;
        if (n < k) {
            pos = n;
            *count = n + 1;
        } else {
            if (!entry_before(d, i, &best[k - 1]))
                return;
            pos = k - 1;
        }
        while (pos > 0 && entry_before(d, i, &best[pos - 1])) {
            best[pos] = best[pos - 1];
            pos--;
        }
        best[pos].dist = d;
        best[pos].index = i;
        return;
    }
    if (n < k) {
        size_t pos = n;
        while (pos > 0) {
            size_t parent = (pos - 1) / 2;
            if (!entry_before(best[parent].dist, best[parent].index, &(knn_entry){d, i}))
                break;
            best[pos] = best[parent];
            pos = parent;
        }
        best[pos].dist = d;
        best[pos].index = i;
        *count = n + 1;
        return;
    }
    if (!entry_before(d, i, &best[0]))
        return;
    best[0].dist = d;
    best[0].index = i;
    heap_sift_down(best, 0, k);
}

/* The largest entry of a full list: the one a candidate must beat. */
static inline double best_worst(const knn_entry *best, size_t k)
{
    return k <= KNN_INSERTION_MAX ? best[k - 1].dist : best[0].dist;
}

/* Leaves the list sorted nearest first. */
static void best_finish(knn_entry *best, size_t count, size_t k)
{
    if (k <= KNN_INSERTION_MAX)
        return;
    for (size_t end = count; end-- > 1;) {
        knn_entry t = best[0];
        best[0] = best[end];
        best[end] = t;
        heap_sift_down(best, 0, end);
    }
}

typedef struct knn_job {
    const hogfeat_knn *model;
    const hogfeat__kernels *kern;
    const float *queries;
    size_t num_queries;
    size_t row_stride;
    size_t k;
    size_t block_queries; /* queries per task */
    size_t block_rows;    /* training rows per cache block */
    unsigned char *scratch;
    size_t scratch_bytes; /* per worker */
    size_t off_lists, off_qnorm, off_dots, off_votes;
    int32_t *out_labels;
    float *out_proba; /* K vote fractions per query, or NULL */
    size_t *out_indices;
    float *out_distances;
} knn_job;

/* The ordering keys of (query, row). Ties are resolved on these computed
 * values: L2 expands |q - x|^2 = |q|^2 + |x|^2 - 2 q.x so that blocks of rows
 * go through dot_block, which rounds differently from summing squared
 * differences and can therefore reorder distances that differ by a few ulps;
 * cancellation can also make a tiny positive distance 0. Finite inputs of
 * extreme magnitude can overflow a kernel's float sums into NaN (Inf - Inf,
 * Inf / Inf); such a pair counts as infinitely far so that the order stays
 * total. */

/* L2 from the expansion's value d = (|q|^2 + |x|^2) - 2 q.x, for the cases
 * the search's quick test does not settle. */
static double l2_key_slow(const knn_job *job, const float *q, size_t row, double d)
{
    const hogfeat_knn *m = job->model;
    const float *x = m->features + row * m->num_features;
    if (!(d > 0.0)) {
        /* NaN only when a squared norm overflowed float (Inf - Inf): fall
         * back to the difference form, which saturates at Inf. */
        d = isnan(d) ? (double)job->kern->sqdist(q, x, m->num_features) : 0.0;
    } else if (isinf(d)) {
        d = (double)job->kern->sqdist(q, x, m->num_features);
    }
    return isnan(d) ? INFINITY : d;
}

static inline double cosine_key(double q_norm, double x_norm, double dot)
{
    if (q_norm == 0.0 || x_norm == 0.0)
        return 1.0;
    double d = 1.0 - (double)dot / sqrt(q_norm * x_norm);
    /* Rounding can step just outside the true range [0, 2]. */
    d = d < 0.0 ? 0.0 : d > 2.0 ? 2.0 : d;
    return isnan(d) ? INFINITY : d;
}

/* Cosine in double straight from the rows, for pairs whose float norms or
 * dot product overflowed (|x| above about 1.8e19): the float path would
 * give NaN or Inf where the true distance is finite. */
static double cosine_key_slow(const knn_job *job, const float *q, size_t row)
{
    const hogfeat_knn *m = job->model;
    const float *x = m->features + row * m->num_features;
    double qq = 0.0, xx = 0.0, qx = 0.0;
    for (size_t i = 0; i < m->num_features; i++) {
        qq += (double)q[i] * q[i];
        xx += (double)x[i] * x[i];
        qx += (double)q[i] * x[i];
    }
    return cosine_key(qq, xx, qx);
}

/* L1 and chi-squared, one pair at a time. */
static inline double pair_key(const knn_job *job, const float *q, size_t row)
{
    const hogfeat_knn *m = job->model;
    size_t dim = m->num_features;
    const float *x = m->features + row * dim;
    double d = m->metric == HOGFEAT_METRIC_L1 ? (double)job->kern->l1dist(q, x, dim)
                                              : (double)job->kern->chi2dist(q, x, dim);
    return isnan(d) ? INFINITY : d;
}

static inline double key_to_distance(const hogfeat_knn *m, double key)
{
    return m->metric == HOGFEAT_METRIC_L2 ? sqrt(key) : key;
}

/* Class of the vote for one query's sorted neighbours (header rules);
 * with proba, also the K vote fractions. votes is zero on entry and on return. */
static int32_t vote(const hogfeat_knn *m, const knn_entry *best, size_t k, double *votes, float *proba)
{
    size_t voters = k;
    int weighted = m->weighting == HOGFEAT_KNN_DISTANCE;
    if (weighted && best[0].dist == 0.0) {
        /* Neighbours at distance 0 would have infinite weight: they alone vote, equally. */
        voters = 1;
        while (voters < k && best[voters].dist == 0.0)
            voters++;
        weighted = 0;
    }
    for (size_t t = 0; t < voters; t++) {
        int32_t c = m->sample_class[best[t].index];
        votes[c] += weighted ? 1.0 / key_to_distance(m, best[t].dist) : 1.0;
    }
    /* Scanning nearest first and replacing only on a strictly larger vote
     * gives ties to the class owning the nearest neighbour. */
    int32_t winner = m->sample_class[best[0].index];
    for (size_t t = 1; t < voters; t++) {
        int32_t c = m->sample_class[best[t].index];
        if (votes[c] > votes[winner])
            winner = c;
    }
    if (proba) {
        double sum = 0.0;
        for (size_t t = 0; t < voters; t++)
            sum += weighted ? 1.0 / key_to_distance(m, best[t].dist) : 1.0;
        for (int32_t c = 0; c < m->num_classes; c++)
            proba[c] = (float)(votes[c] / sum);
    }
    for (size_t t = 0; t < voters; t++)
        votes[m->sample_class[best[t].index]] = 0.0;
    return m->classes[winner];
}

/* One query's best list while it is being filled. */
typedef struct knn_list {
    knn_entry *best;
    size_t count;
    double worst; /* the key a candidate must beat: INFINITY until full */
} knn_list;

/* Rows arrive in increasing index order, so a candidate equal to the worst
 * kept one has the larger index and loses: only keys below worst enter. */
static inline void list_offer(knn_list *l, size_t k, double d, size_t row)
{
    if (l->count == k && !(d < l->worst))
        return;
    best_offer(l->best, &l->count, k, d, row);
    if (l->count == k)
        l->worst = best_worst(l->best, k);
}

/* Offers rows [r0, r0 + nr) to one query from its dot products with them. */
static void scan_dots(const knn_job *job, knn_list *l, const float *q, double q_norm, const float *dots, size_t r0,
                      size_t nr)
{
    const hogfeat_knn *m = job->model;
    const float *x_norms = m->norms + r0;
    size_t k = job->k;
    if (m->metric == HOGFEAT_METRIC_COSINE) {
        for (size_t t = 0; t < nr; t++) {
            double key = isfinite(q_norm) && isfinite(x_norms[t]) && isfinite(dots[t])
                             ? cosine_key(q_norm, (double)x_norms[t], (double)dots[t])
                             : cosine_key_slow(job, q, r0 + t);
            list_offer(l, k, key, r0 + t);
        }
        return;
    }
    for (size_t t = 0; t < nr; t++) {
        double d = (q_norm + (double)x_norms[t]) - 2.0 * (double)dots[t];
        /* The common case costs one compare: a positive finite d is the key
         * itself, and at or above worst it cannot enter. Everything else
         * (d <= 0, Inf, NaN, or a candidate) takes the full path. */
        if (d >= l->worst && d < INFINITY)
            continue;
        list_offer(l, k, d > 0.0 && d < INFINITY ? d : l2_key_slow(job, q, r0 + t, d), r0 + t);
    }
}

static hogfeat_status knn_task(void *ctx, size_t task, int worker)
{
    const knn_job *job = ctx;
    const hogfeat_knn *m = job->model;
    const hogfeat__kernels *kern = job->kern;
    size_t k = job->k, n = m->num_samples, dim = m->num_features, stride = job->row_stride;
    size_t q0 = task * job->block_queries;
    size_t nq = job->num_queries - q0 < job->block_queries ? job->num_queries - q0 : job->block_queries;
    const float *queries = job->queries + q0 * stride;
    unsigned char *scratch = job->scratch + (size_t)worker * job->scratch_bytes;
    knn_entry *best_all = (knn_entry *)(void *)scratch;
    knn_list *lists = (knn_list *)(void *)(scratch + job->off_lists);
    double *q_norms = (double *)(void *)(scratch + job->off_qnorm);
    float *dots = (float *)(void *)(scratch + job->off_dots);

    for (size_t j = 0; j < nq; j++) {
        const float *q = queries + j * stride;
        lists[j].best = best_all + j * k;
        lists[j].count = 0;
        lists[j].worst = INFINITY;
        if (m->norms) {
            float qq;
            kern->dot_block(q, stride, 1, q, stride, 1, dim, &qq, 1);
            q_norms[j] = (double)qq;
        }
    }
    /* Training rows in the outer loop, by cache-sized blocks: each block is
     * read from memory once for all the queries of this task. Every query
     * still sees the rows in increasing index order, and dot_block's values
     * do not depend on the blocking, so neither do the results. */
    for (size_t r0 = 0; r0 < n; r0 += job->block_rows) {
        size_t nr = n - r0 < job->block_rows ? n - r0 : job->block_rows;
        if (m->norms) {
            kern->dot_block(queries, stride, nq, m->features + r0 * dim, dim, nr, dim, dots, job->block_rows);
            for (size_t j = 0; j < nq; j++)
                scan_dots(job, &lists[j], queries + j * stride, q_norms[j], dots + j * job->block_rows, r0, nr);
        } else {
            for (size_t j = 0; j < nq; j++) {
                const float *q = queries + j * stride;
                for (size_t r = r0; r < r0 + nr; r++) {
                    double d = pair_key(job, q, r);
                    list_offer(&lists[j], k, d, r);
                }
            }
        }
    }
    for (size_t j = 0; j < nq; j++) {
        knn_entry *best = lists[j].best;
        best_finish(best, lists[j].count, k);
        size_t out = (q0 + j) * k;
        if (job->out_labels)
            job->out_labels[q0 + j] = vote(m, best, k, (double *)(void *)(scratch + job->off_votes),
                                           job->out_proba ? job->out_proba + (q0 + j) * (size_t)m->num_classes
                                                          : NULL);
        for (size_t t = 0; t < k; t++) {
            if (job->out_indices)
                job->out_indices[out + t] = best[t].index;
            if (job->out_distances)
                job->out_distances[out + t] = (float)key_to_distance(m, best[t].dist);
        }
    }
    return HOGFEAT_OK;
}

#define KNN_ALIGN 64
/* Budget for one worker's best lists; bounds the query block when k is large. */
#define KNN_BEST_BUDGET ((size_t)1 << 20)
/* Queries per task: each training block comes from memory once per task
 * and then serves this many queries, so more is better until the lists and
 * the balance between threads suffer. */
#define KNN_MAX_BLOCK_QUERIES 256
/* Training rows per block: about this many bytes, so that a block stays in
 * L2 while the task's queries stream past it (384 KiB measured best for
 * 1296 and 1764 features on a 1 MiB L2); at most KNN_MAX_BLOCK_ROWS, which
 * bounds the dot products kept per worker to 128 KiB. */
#define KNN_ROW_BLOCK_BYTES ((size_t)384 << 10)
#define KNN_MAX_BLOCK_ROWS 128

static size_t align_up(size_t v)
{
    return (v + (KNN_ALIGN - 1)) / KNN_ALIGN * KNN_ALIGN;
}

/* Shared by predict and kneighbors once the arguments are checked. */
static hogfeat_status knn_search(const hogfeat_knn *m, const float *queries, size_t num_queries, size_t row_stride,
                                 size_t k, int32_t *out_labels, float *out_proba, size_t *out_indices,
                                 float *out_distances)
{
    knn_job job;
    memset(&job, 0, sizeof job);
    job.model = m;
    job.kern = hogfeat__kernels_get();
    job.queries = queries;
    job.num_queries = num_queries;
    job.row_stride = row_stride;
    job.k = k;
    job.out_labels = out_labels;
    job.out_proba = out_proba;
    job.out_indices = out_indices;
    job.out_distances = out_distances;

    size_t per_query, best_bytes, votes_bytes = 0, total;
    if (hogfeat__mul_overflow(k, sizeof(knn_entry), &per_query))
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "k = %zu neighbours overflow the scratch size", k);
    size_t bq = KNN_BEST_BUDGET / per_query;
    bq = bq < 1 ? 1 : bq > KNN_MAX_BLOCK_QUERIES ? KNN_MAX_BLOCK_QUERIES : bq;
    /* Tasks of equal size, at least one per thread when there are enough
     * queries. The results do not depend on the blocking, so this may
     * follow the thread count. */
    size_t threads_wanted = (size_t)hogfeat__thread_count(m->threads, num_queries);
    size_t num_tasks = (num_queries + bq - 1) / bq;
    num_tasks = (num_tasks + threads_wanted - 1) / threads_wanted * threads_wanted;
    bq = (num_queries + num_tasks - 1) / num_tasks;
    num_tasks = (num_queries + bq - 1) / bq;
    job.block_queries = bq;
    size_t row_bytes = m->num_features * sizeof(float);
    job.block_rows = KNN_ROW_BLOCK_BYTES / row_bytes;
    job.block_rows = job.block_rows < 1 ? 1 : job.block_rows > KNN_MAX_BLOCK_ROWS ? KNN_MAX_BLOCK_ROWS : job.block_rows;
    if (job.block_rows > m->num_samples)
        job.block_rows = m->num_samples;

    if (out_labels)
        votes_bytes = (size_t)m->num_classes * sizeof(double);
    /* bq <= 256 and per_query <= the budget unless bq == 1, so only the
     * first term can be large; align_up adds less than KNN_ALIGN per section. */
    best_bytes = bq * per_query;
    if (best_bytes > SIZE_MAX / 2 || votes_bytes > SIZE_MAX / 4)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "KNN scratch size overflows");
    job.off_lists = align_up(best_bytes);
    job.off_qnorm = job.off_lists + align_up(bq * sizeof(knn_list));
    job.off_dots = job.off_qnorm + align_up(bq * sizeof(double));
    job.off_votes = job.off_dots + (m->norms ? align_up(bq * job.block_rows * sizeof(float)) : 0);
    job.scratch_bytes = align_up(job.off_votes + votes_bytes);

    int threads = hogfeat__thread_count(m->threads, num_tasks);
    if (hogfeat__mul_overflow((size_t)threads, job.scratch_bytes, &total))
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "KNN scratch size overflows");
    /* Zeroed: the vote tallies start at 0 and each query clears what it used. */
    job.scratch = hogfeat__calloc(1, total);
    if (!job.scratch)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes of KNN scratch", total);
    hogfeat_status st = hogfeat__parallel_for(threads, num_tasks, knn_task, &job);
    hogfeat__free(job.scratch);
    return st;
}

/* Checks shared by predict and kneighbors, up to (not including) the scan for non-finite values. */
static hogfeat_status check_queries(const char *fn, const hogfeat_knn *model, size_t num_queries,
                                    size_t num_features, size_t row_stride)
{
    if (num_features != model->num_features)
        return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH, "%s: queries have %zu features, the model %zu", fn,
                             num_features, model->num_features);
    if (row_stride < num_features)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "%s: row stride %zu is shorter than %zu features", fn,
                             row_stride, num_features);
    if (matrix_span_overflows(num_queries, num_features, row_stride))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu queries with a row stride of %zu overflow size_t",
                             fn, num_queries, row_stride);
    return HOGFEAT_OK;
}

static hogfeat_status check_finite_queries(const char *fn, const float *queries, size_t num_queries,
                                           size_t num_features, size_t row_stride)
{
    size_t bad_row, bad_col;
    if (find_nonfinite(queries, num_queries, num_features, row_stride, &bad_row, &bad_col))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: query %zu, feature %zu is NaN or infinite", fn, bad_row,
                             bad_col);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_knn_predict(const hogfeat_knn *model, const float *queries, size_t num_queries,
                                   size_t num_features, size_t row_stride, int32_t *out_labels)
{
    static const char fn[] = "hogfeat_knn_predict";
    if (!model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: model is NULL", fn);
    /* An empty batch may come with NULL buffers (malloc(0), empty arrays). */
    if (num_queries > 0 && (!queries || !out_labels))
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn, !queries ? "queries" : "out_labels");
    hogfeat_status st = check_queries(fn, model, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK || num_queries == 0)
        return st;
    st = check_finite_queries(fn, queries, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK)
        return st;
    return knn_search(model, queries, num_queries, row_stride, (size_t)model->k, out_labels, NULL, NULL, NULL);
}

hogfeat_status hogfeat_knn_predict_proba(const hogfeat_knn *model, const float *queries, size_t num_queries,
                                         size_t num_features, size_t row_stride, float *out_probabilities,
                                         size_t out_capacity)
{
    static const char fn[] = "hogfeat_knn_predict_proba";
    if (!model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: model is NULL", fn);
    if (num_queries > 0 && (!queries || !out_probabilities))
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn,
                             !queries ? "queries" : "out_probabilities");
    hogfeat_status st = check_queries(fn, model, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK)
        return st;
    size_t needed;
    if (hogfeat__mul_overflow(num_queries, (size_t)model->num_classes, &needed))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu queries x %d classes overflow size_t", fn,
                             num_queries, (int)model->num_classes);
    if (out_capacity < needed)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: %zu probabilities do not fit in %zu", fn, needed,
                             out_capacity);
    if (num_queries == 0)
        return HOGFEAT_OK;
    st = check_finite_queries(fn, queries, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK)
        return st;
    /* The labels are computed anyway (the vote makes both); they go to scratch. */
    /* The caller holds num_queries * K >= num_queries floats, so this cannot overflow. */
    int32_t *labels = hogfeat__malloc(num_queries * sizeof *labels);
    if (!labels)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu labels", fn, num_queries);
    st = knn_search(model, queries, num_queries, row_stride, (size_t)model->k, labels, out_probabilities, NULL, NULL);
    hogfeat__free(labels);
    return st;
}

hogfeat_status hogfeat_knn_kneighbors(const hogfeat_knn *model, const float *queries, size_t num_queries,
                                      size_t num_features, size_t row_stride, int32_t k, size_t *out_indices,
                                      float *out_distances, size_t out_capacity)
{
    static const char fn[] = "hogfeat_knn_kneighbors";
    if (!model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: model is NULL", fn);
    if (!out_indices && !out_distances)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out_indices and out_distances are both NULL", fn);
    if (num_queries > 0 && !queries)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: queries is NULL", fn);
    hogfeat_status st = check_queries(fn, model, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK)
        return st;
    if (k < 1 || (uint64_t)k > (uint64_t)model->num_samples)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: k = %d is outside [1, %zu]", fn, (int)k,
                             model->num_samples);
    size_t needed;
    if (hogfeat__mul_overflow(num_queries, (size_t)k, &needed))
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: %zu queries x k = %d overflows size_t", fn,
                             num_queries, (int)k);
    if (out_capacity < needed)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: %zu results do not fit in %zu", fn, needed,
                             out_capacity);
    if (num_queries == 0)
        return HOGFEAT_OK;
    st = check_finite_queries(fn, queries, num_queries, num_features, row_stride);
    if (st != HOGFEAT_OK)
        return st;
    return knn_search(model, queries, num_queries, row_stride, (size_t)k, NULL, NULL, out_indices, out_distances);
}
