/* Pipeline: resize -> blur -> HOG -> classifier. Save and load live in
 * model_io.c, the image operations in preprocess.c. */
#include <math.h>
#include <string.h>

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

hogfeat_status hogfeat_pipeline_feature_length(const hogfeat_pipeline *pipeline, size_t width, size_t height,
                                               size_t *out_length)
{
    if (!pipeline || !out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_feature_length: %s is NULL",
                             !pipeline ? "pipeline" : "out_length");
    if (pipeline->resize_w == 0)
        return hogfeat_hog_feature_length(&pipeline->hog, width, height, out_length);
    /* The input size must still be a valid image even though the resize
     * decides the descriptor length. */
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "image size %zux%zu has a zero side", width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "image size %zux%zu exceeds the limit of %zu pixels",
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    return hogfeat_hog_feature_length(&pipeline->hog, pipeline->resize_w, pipeline->resize_h, out_length);
}

/* Describes one image with this pipeline's preprocessing; results and
 * scratch live in ws, so a batch allocates nothing once ws has grown. The
 * caller has checked the descriptor length against length. */
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
    return hogfeat__hog_compute_ws(&p->hog, cur, out, length, ws);
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
                             "a %zux%zu image gives %zu HOG features; the classifier expects %zu", image->width,
                             image->height, length, dim);
    /* length <= 2^28 pixels worth of blocks, far below SIZE_MAX / 4. */
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
