/* Pipeline: resize -> blur -> descriptors (HOG, more HOGs, LBP) laid end
 * to end -> feature map -> classifier. Save and load live in model_io.c,
 * the image operations in preprocess.c, the maps in featmap.c. */
#include <math.h>
#include <string.h>

#include "featmap.h"
#include "preprocess.h"

hogfeat_status hogfeat_pipeline_create(const hogfeat_hog_config *hog, hogfeat_pipeline **out_pipeline)
{
    if (!out_pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_create: out_pipeline is NULL");
    *out_pipeline = NULL;
    if (!hog)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_create: hog is NULL");
    hogfeat_pipeline *p = hogfeat__calloc(1, sizeof *p);
    if (!p)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a pipeline");
    p->hog = *hog;
    *out_pipeline = p;
    return HOGFEAT_OK;
}

void hogfeat_pipeline_destroy(hogfeat_pipeline *pipeline)
{
    if (!pipeline)
        return;
    hogfeat__linsvm_unref(pipeline->svm);
    hogfeat__knn_unref(pipeline->knn);
    hogfeat__pipeline_ext_free(pipeline->ext);
    hogfeat__free(pipeline);
}

hogfeat_status hogfeat_pipeline_set_blur(hogfeat_pipeline *pipeline, double sigma)
{
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_blur: pipeline is NULL");
    if (isnan(sigma))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "blur sigma is NaN");
    if (sigma < 0.0 || sigma > HOGFEAT_PIPELINE_MAX_SIGMA)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "blur sigma must be 0 (off) or in (0, %g] px; %s", HOGFEAT_PIPELINE_MAX_SIGMA,
                             sigma < 0.0 ? "it is negative" : "it is larger");
    pipeline->blur_sigma = sigma;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_set_resize(hogfeat_pipeline *pipeline, size_t width, size_t height)
{
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_resize: pipeline is NULL");
    if ((width == 0) != (height == 0))
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY,
                             "resize to %zux%zu: both sides must be 0 (off) or both at least 1", width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "resize to %zux%zu exceeds the limit of %zu pixels", width,
                             height, (size_t)HOGFEAT__MAX_PIXELS);
    pipeline->resize_w = width;
    pipeline->resize_h = height;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_set_linsvm(hogfeat_pipeline *pipeline, const hogfeat_linsvm *model)
{
    if (!pipeline || !model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_linsvm: %s is NULL",
                             !pipeline ? "pipeline" : "model");
    /* Take the new reference before dropping the old one: they may be the same model. */
    hogfeat__linsvm_ref(model);
    hogfeat__linsvm_unref(pipeline->svm);
    hogfeat__knn_unref(pipeline->knn);
    pipeline->svm = (hogfeat_linsvm *)(uintptr_t)model;
    pipeline->knn = NULL;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_set_knn(hogfeat_pipeline *pipeline, const hogfeat_knn *model)
{
    if (!pipeline || !model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_knn: %s is NULL",
                             !pipeline ? "pipeline" : "model");
    hogfeat__knn_ref(model);
    hogfeat__knn_unref(pipeline->knn);
    hogfeat__linsvm_unref(pipeline->svm);
    pipeline->knn = (hogfeat_knn *)(uintptr_t)model;
    pipeline->svm = NULL;
    return HOGFEAT_OK;
}

const hogfeat_hog_config *hogfeat_pipeline_hog_config(const hogfeat_pipeline *pipeline)
{
    return pipeline ? &pipeline->hog : NULL;
}

double hogfeat_pipeline_blur(const hogfeat_pipeline *pipeline)
{
    return pipeline ? pipeline->blur_sigma : 0.0;
}

size_t hogfeat_pipeline_resize_width(const hogfeat_pipeline *pipeline)
{
    return pipeline ? pipeline->resize_w : 0;
}

size_t hogfeat_pipeline_resize_height(const hogfeat_pipeline *pipeline)
{
    return pipeline ? pipeline->resize_h : 0;
}

const hogfeat_linsvm *hogfeat_pipeline_linsvm(const hogfeat_pipeline *pipeline)
{
    return pipeline ? pipeline->svm : NULL;
}

const hogfeat_knn *hogfeat_pipeline_knn(const hogfeat_pipeline *pipeline)
{
    return pipeline ? pipeline->knn : NULL;
}

/* Validates an input size and gives the size the descriptors see (the
 * resize target, if any). */
static hogfeat_status described_size(const hogfeat_pipeline *p, size_t width, size_t height, size_t *out_w,
                                     size_t *out_h)
{
    if (p->resize_w == 0) {
        *out_w = width;
        *out_h = height;
        return HOGFEAT_OK;
    }
    /* The input size must still be a valid image even though the resize
     * decides the descriptor length. */
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "image size %zux%zu has a zero side", width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "image size %zux%zu exceeds the limit of %zu pixels",
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    *out_w = p->resize_w;
    *out_h = p->resize_h;
    return HOGFEAT_OK;
}

static size_t num_descriptors(const hogfeat_pipeline *p)
{
    return 1 + (p->ext ? p->ext->num_extra : 0);
}

/* Length of descriptor index on a width x height image (after the resize). */
static hogfeat_status part_length(const hogfeat_pipeline *p, size_t index, size_t width, size_t height,
                                  size_t *out_length)
{
    if (index == 0)
        return hogfeat_hog_feature_length(&p->hog, width, height, out_length);
    const hogfeat__descriptor *d = &p->ext->extra[index - 1];
    if (d->kind == HOGFEAT_DESCRIPTOR_HOG)
        return hogfeat_hog_feature_length(&d->hog, width, height, out_length);
    return hogfeat_lbp_feature_length(d->lbp, width, height, out_length);
}

/* Every descriptor's length and their sum, before the map. */
static hogfeat_status concat_length(const hogfeat_pipeline *p, size_t width, size_t height,
                                    size_t lengths[HOGFEAT_PIPELINE_MAX_DESCRIPTORS], size_t *out_total)
{
    size_t total = 0;
    const size_t count = num_descriptors(p);
    for (size_t i = 0; i < count; i++) {
        size_t len = 0;
        hogfeat_status st = part_length(p, i, width, height, &len);
        if (st != HOGFEAT_OK)
            return st;
        if (hogfeat__add_overflow(total, len, &total))
            return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the concatenated descriptors overflow size_t");
        lengths[i] = len;
    }
    *out_total = total;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_feature_length(const hogfeat_pipeline *pipeline, size_t width, size_t height,
                                               size_t *out_length)
{
    if (!pipeline || !out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_feature_length: %s is NULL",
                             !pipeline ? "pipeline" : "out_length");
    size_t w = 0, h = 0;
    hogfeat_status st = described_size(pipeline, width, height, &w, &h);
    if (st != HOGFEAT_OK)
        return st;
    if (hogfeat__pipeline_is_plain(pipeline))
        return hogfeat_hog_feature_length(&pipeline->hog, w, h, out_length);
    size_t lengths[HOGFEAT_PIPELINE_MAX_DESCRIPTORS], total = 0;
    st = concat_length(pipeline, w, h, lengths, &total);
    if (st != HOGFEAT_OK)
        return st;
    return hogfeat__map_output_length(&pipeline->ext->map, total, out_length);
}

/* Describes one image with this pipeline's preprocessing; results and
 * scratch live in ws, so a batch allocates nothing once ws has grown. The
 * caller has checked the feature length against length. */
static hogfeat_status extract_ws(const void *ctx, const hogfeat_image *image, float *out, size_t length,
                                 hogfeat__workspace *ws)
{
    const hogfeat_pipeline *p = ctx;
    const hogfeat_image *cur = image;
    hogfeat_image resized, blurred;
    hogfeat_status st;
    if (p->resize_w != 0) {
        st = hogfeat__resize_bilinear_ws(cur, p->resize_w, p->resize_h, &ws->pre1, &resized);
        if (st != HOGFEAT_OK)
            return st;
        cur = &resized;
    }
    if (p->blur_sigma > 0.0) {
        /* scikit-image scales uint8 to [0, 1] before filtering; a resized
         * uint8 image still holds 0..255 values, so the scale follows the
         * caller's format, not the intermediate one. */
        double scale = image->sample_bytes == 1 ? 1.0 / 255.0 : 1.0;
        st = hogfeat__gaussian_blur_ws(cur, p->blur_sigma, scale, &ws->pre2, &blurred);
        if (st != HOGFEAT_OK)
            return st;
        cur = &blurred;
    }
    if (hogfeat__pipeline_is_plain(p))
        return hogfeat__hog_compute_ws(&p->hog, cur, out, length, ws);

    const hogfeat__pipeline_ext *ext = p->ext;
    size_t lengths[HOGFEAT_PIPELINE_MAX_DESCRIPTORS], total = 0;
    st = concat_length(p, cur->width, cur->height, lengths, &total);
    if (st != HOGFEAT_OK)
        return st;
    float *dst = out;
    if (hogfeat__map_needs_scratch(&ext->map)) {
        st = hogfeat__buffer_reserve(&ws->concat, total * sizeof *dst);
        if (st != HOGFEAT_OK)
            return st;
        dst = (float *)(void *)ws->concat.data;
    }
    size_t offset = 0;
    for (size_t i = 0; i < 1 + ext->num_extra; i++) {
        const hogfeat__descriptor *d = i > 0 ? &ext->extra[i - 1] : NULL;
        if (!d || d->kind == HOGFEAT_DESCRIPTOR_HOG)
            st = hogfeat__hog_compute_ws(d ? &d->hog : &p->hog, cur, dst + offset, lengths[i], ws);
        else
            st = hogfeat_lbp_compute(d->lbp, cur, dst + offset, lengths[i]);
        if (st != HOGFEAT_OK)
            return st;
        offset += lengths[i];
    }
    hogfeat__map_apply(&ext->map, dst, total, out);
    return HOGFEAT_OK;
}

static hogfeat_status pipeline_length(const void *ctx, size_t width, size_t height, size_t *out_length)
{
    return hogfeat_pipeline_feature_length(ctx, width, height, out_length);
}

hogfeat_status hogfeat_pipeline_extract(const hogfeat_pipeline *pipeline, const hogfeat_image *image,
                                        float *out_features, size_t out_capacity)
{
    if (!pipeline || !image || !out_features)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_extract: %s is NULL",
                             !pipeline ? "pipeline" : !image ? "image" : "out_features");
    /* Size checks first, so a short buffer costs no preprocessing. */
    size_t length;
    hogfeat_status st = hogfeat_pipeline_feature_length(pipeline, image->width, image->height, &length);
    if (st != HOGFEAT_OK)
        return st;
    if (out_capacity < length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "the descriptor has %zu floats; the output holds %zu",
                             length, out_capacity);
    hogfeat__workspace ws;
    memset(&ws, 0, sizeof ws);
    st = extract_ws(pipeline, image, out_features, out_capacity, &ws);
    hogfeat__workspace_release(&ws);
    return st;
}

hogfeat_status hogfeat_pipeline_extract_batch(const hogfeat_pipeline *pipeline, const hogfeat_image *const *images,
                                              size_t num_images, int32_t num_threads, float *out_features,
                                              size_t out_row_stride, size_t out_capacity)
{
    static const char fn[] = "hogfeat_pipeline_extract_batch";
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: pipeline is NULL", fn);
    if (!images && num_images > 0)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: images is NULL", fn);
    return hogfeat__batch_run(fn, extract_ws, pipeline, pipeline_length, images, NULL, 0, num_images, num_threads,
                              out_features, out_row_stride, out_capacity);
}

hogfeat_status hogfeat_pipeline_extract_stack(const hogfeat_pipeline *pipeline, const void *pixels,
                                              hogfeat_format format, size_t num_images, size_t width, size_t height,
                                              size_t row_stride_bytes, size_t image_stride_bytes, int32_t num_threads,
                                              float *out_features, size_t out_row_stride, size_t out_capacity)
{
    static const char fn[] = "hogfeat_pipeline_extract_stack";
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: pipeline is NULL", fn);
    if (num_images == 0)
        return HOGFEAT_OK;
    hogfeat_image first;
    hogfeat_status st = hogfeat__stack_first(fn, pixels, format, num_images, width, height, row_stride_bytes,
                                             &image_stride_bytes, &first);
    if (st != HOGFEAT_OK)
        return st;
    return hogfeat__batch_run(fn, extract_ws, pipeline, pipeline_length, NULL, &first, image_stride_bytes,
                              num_images, num_threads, out_features, out_row_stride, out_capacity);
}

hogfeat_status hogfeat_pipeline_predict(const hogfeat_pipeline *pipeline, const hogfeat_image *image,
                                        int32_t *out_label)
{
    if (!pipeline || !image || !out_label)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_predict: %s is NULL",
                             !pipeline ? "pipeline" : !image ? "image" : "out_label");
    if (!pipeline->svm && !pipeline->knn)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND, "hogfeat_pipeline_predict: the pipeline has no classifier");
    const size_t dim = pipeline->svm ? pipeline->svm->num_features : pipeline->knn->num_features;
    size_t length;
    hogfeat_status st = hogfeat_pipeline_feature_length(pipeline, image->width, image->height, &length);
    if (st != HOGFEAT_OK)
        return st;
    if (length != dim)
        return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH,
                             "a %zux%zu image gives %zu features; the classifier expects %zu", image->width,
                             image->height, length, dim);
    /* The classifier holds dim floats per vector, so this cannot overflow. */
    float *features = hogfeat__malloc(length * sizeof *features);
    if (!features)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu features", length);
    st = hogfeat_pipeline_extract(pipeline, image, features, length);
    int32_t label = 0;
    if (st == HOGFEAT_OK)
        st = pipeline->svm ? hogfeat_linsvm_predict(pipeline->svm, features, 1, length, length, &label)
                           : hogfeat_knn_predict(pipeline->knn, features, 1, length, length, &label);
    hogfeat__free(features);
    if (st == HOGFEAT_OK)
        *out_label = label;
    return st;
}

/* ---- several descriptors and feature maps (0.5) ---------------------------------- */

hogfeat_status hogfeat_pipeline_add_hog(hogfeat_pipeline *pipeline, const hogfeat_hog_config *hog)
{
    if (!pipeline || !hog)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_add_hog: %s is NULL",
                             !pipeline ? "pipeline" : "hog");
    if (num_descriptors(pipeline) >= HOGFEAT_PIPELINE_MAX_DESCRIPTORS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "a pipeline holds at most %d descriptors",
                             HOGFEAT_PIPELINE_MAX_DESCRIPTORS);
    hogfeat__pipeline_ext *ext = NULL;
    hogfeat_status st = hogfeat__pipeline_ext_get(pipeline, &ext);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat__descriptor *d = &ext->extra[ext->num_extra];
    memset(d, 0, sizeof *d);
    d->kind = HOGFEAT_DESCRIPTOR_HOG;
    d->hog = *hog;
    ext->num_extra++;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_add_lbp(hogfeat_pipeline *pipeline, const hogfeat_lbp_config *lbp)
{
    if (!pipeline || !lbp)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_add_lbp: %s is NULL",
                             !pipeline ? "pipeline" : "lbp");
    if (hogfeat_lbp_config_get_method(lbp) == HOGFEAT_LBP_VAR)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "hogfeat_pipeline_add_lbp: the 'var' method gives real values, not histograms");
    const size_t bins = hogfeat_lbp_num_bins(lbp);
    if (bins == 0 || bins > HOGFEAT_LBP_MAX_HISTOGRAM_BINS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "an LBP histogram of %zu bins exceeds the limit of %d",
                             bins, HOGFEAT_LBP_MAX_HISTOGRAM_BINS);
    if (num_descriptors(pipeline) >= HOGFEAT_PIPELINE_MAX_DESCRIPTORS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "a pipeline holds at most %d descriptors",
                             HOGFEAT_PIPELINE_MAX_DESCRIPTORS);
    hogfeat_lbp_config *copy = NULL;
    hogfeat_status st = hogfeat_lbp_config_copy(lbp, &copy);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat__pipeline_ext *ext = NULL;
    st = hogfeat__pipeline_ext_get(pipeline, &ext);
    if (st != HOGFEAT_OK) {
        hogfeat_lbp_config_destroy(copy);
        return st;
    }
    hogfeat__descriptor *d = &ext->extra[ext->num_extra];
    memset(d, 0, sizeof *d);
    d->kind = HOGFEAT_DESCRIPTOR_LBP;
    d->lbp = copy;
    ext->num_extra++;
    return HOGFEAT_OK;
}

size_t hogfeat_pipeline_num_descriptors(const hogfeat_pipeline *pipeline)
{
    return pipeline ? num_descriptors(pipeline) : 0;
}

int hogfeat_pipeline_descriptor_kind(const hogfeat_pipeline *pipeline, size_t index)
{
    if (!pipeline || index >= num_descriptors(pipeline))
        return 0;
    return index == 0 ? HOGFEAT_DESCRIPTOR_HOG : (int)pipeline->ext->extra[index - 1].kind;
}

const hogfeat_hog_config *hogfeat_pipeline_descriptor_hog(const hogfeat_pipeline *pipeline, size_t index)
{
    if (hogfeat_pipeline_descriptor_kind(pipeline, index) != HOGFEAT_DESCRIPTOR_HOG)
        return NULL;
    return index == 0 ? &pipeline->hog : &pipeline->ext->extra[index - 1].hog;
}

const hogfeat_lbp_config *hogfeat_pipeline_descriptor_lbp(const hogfeat_pipeline *pipeline, size_t index)
{
    if (hogfeat_pipeline_descriptor_kind(pipeline, index) != HOGFEAT_DESCRIPTOR_LBP)
        return NULL;
    return pipeline->ext->extra[index - 1].lbp;
}

hogfeat_status hogfeat_pipeline_descriptor_length(const hogfeat_pipeline *pipeline, size_t index, size_t width,
                                                  size_t height, size_t *out_length)
{
    if (!pipeline || !out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_descriptor_length: %s is NULL",
                             !pipeline ? "pipeline" : "out_length");
    if (index >= num_descriptors(pipeline))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "descriptor %zu does not exist; the pipeline has %zu",
                             index, num_descriptors(pipeline));
    size_t w = 0, h = 0, len = 0;
    hogfeat_status st = described_size(pipeline, width, height, &w, &h);
    if (st == HOGFEAT_OK)
        st = part_length(pipeline, index, w, h, &len);
    if (st == HOGFEAT_OK)
        *out_length = len;
    return st;
}

hogfeat_status hogfeat_pipeline_set_feature_map(hogfeat_pipeline *pipeline, hogfeat_feature_map kind, int32_t steps,
                                                double interval)
{
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_feature_map: pipeline is NULL");
    double resolved = 0.0;
    hogfeat_status st = hogfeat__map_check(kind, steps, interval, &resolved);
    if (st != HOGFEAT_OK)
        return st;
    if (kind == HOGFEAT_FEATURE_MAP_NONE && !pipeline->ext)
        return HOGFEAT_OK; /* nothing to reset, nothing to allocate */
    hogfeat__pipeline_ext *ext = NULL;
    st = hogfeat__pipeline_ext_get(pipeline, &ext);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat__map_clear(&ext->map);
    ext->map.kind = kind;
    ext->map.param = steps;
    ext->map.param2 = resolved;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_set_rbf_map(hogfeat_pipeline *pipeline, size_t width, size_t height,
                                            int32_t num_components, double gamma, int32_t seed)
{
    if (!pipeline)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_set_rbf_map: pipeline is NULL");
    if (num_components < 1 || num_components > HOGFEAT_FEATURE_MAP_MAX_COMPONENTS)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "RBF map: %d components is outside [1, %d]",
                             (int)num_components, HOGFEAT_FEATURE_MAP_MAX_COMPONENTS);
    if (!(gamma > 0.0 && gamma <= HOGFEAT_FEATURE_MAP_MAX_GAMMA))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "RBF map: gamma %g is outside (0, %g]", gamma,
                             HOGFEAT_FEATURE_MAP_MAX_GAMMA);
    size_t w = 0, h = 0, total = 0, lengths[HOGFEAT_PIPELINE_MAX_DESCRIPTORS];
    hogfeat_status st = described_size(pipeline, width, height, &w, &h);
    if (st == HOGFEAT_OK)
        st = concat_length(pipeline, w, h, lengths, &total);
    if (st != HOGFEAT_OK)
        return st;
    float *weights = NULL, *offsets = NULL;
    st = hogfeat__rbf_draw(total, num_components, gamma, seed, &weights, &offsets);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat__pipeline_ext *ext = NULL;
    st = hogfeat__pipeline_ext_get(pipeline, &ext);
    if (st != HOGFEAT_OK) {
        hogfeat__free(weights);
        hogfeat__free(offsets);
        return st;
    }
    hogfeat__map_set_rbf(&ext->map, num_components, gamma, seed, total, weights, offsets);
    return HOGFEAT_OK;
}

int hogfeat_pipeline_feature_map(const hogfeat_pipeline *pipeline)
{
    if (!pipeline)
        return 0;
    return pipeline->ext ? (int)pipeline->ext->map.kind : HOGFEAT_FEATURE_MAP_NONE;
}

int32_t hogfeat_pipeline_feature_map_param(const hogfeat_pipeline *pipeline)
{
    return pipeline && pipeline->ext ? pipeline->ext->map.param : 0;
}

double hogfeat_pipeline_feature_map_param2(const hogfeat_pipeline *pipeline)
{
    return pipeline && pipeline->ext ? pipeline->ext->map.param2 : 0.0;
}

int32_t hogfeat_pipeline_feature_map_seed(const hogfeat_pipeline *pipeline)
{
    return pipeline && pipeline->ext ? pipeline->ext->map.seed : 0;
}

size_t hogfeat_pipeline_feature_map_input_length(const hogfeat_pipeline *pipeline)
{
    return pipeline && pipeline->ext ? pipeline->ext->map.input_length : 0;
}

hogfeat_status hogfeat_pipeline_rbf_parameters(const hogfeat_pipeline *pipeline, float *out_weights,
                                               size_t weights_capacity, float *out_offsets, size_t offsets_capacity)
{
    if (!pipeline || !out_weights || !out_offsets)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_rbf_parameters: %s is NULL",
                             !pipeline ? "pipeline" : !out_weights ? "out_weights" : "out_offsets");
    if (hogfeat_pipeline_feature_map(pipeline) != HOGFEAT_FEATURE_MAP_RBF)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND, "the pipeline has no RBF feature map");
    const hogfeat__map *m = &pipeline->ext->map;
    const size_t d = (size_t)m->param, count = m->input_length * d; /* checked when drawn or loaded */
    if (weights_capacity < count || offsets_capacity < d)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL,
                             "the RBF map has %zu weights and %zu offsets; the buffers hold %zu and %zu", count, d,
                             weights_capacity, offsets_capacity);
    memcpy(out_weights, m->weights, count * sizeof *out_weights);
    memcpy(out_offsets, m->offsets, d * sizeof *out_offsets);
    return HOGFEAT_OK;
}
