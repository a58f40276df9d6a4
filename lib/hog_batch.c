/* Batch HOG extraction: many images into one matrix on several threads.
 *
 * Images are handed out in chunks in increasing order; each chunk's rows go
 * to their own part of the output, so the result is the same bit for bit
 * whatever the thread count. Each worker keeps one workspace for the whole
 * call: after the first image of a size, nothing is allocated. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

/* Images per task: at most 16 (amortises the task hand-out), and small
 * enough that every thread gets about four tasks, so a few large images
 * still spread over all threads. Output does not depend on it. */
#define BATCH_MAX_CHUNK 16

/* Where image i comes from: a handle array, or a stack in one buffer. */
typedef struct batch_source {
    const hogfeat_image *const *images; /* NULL for a stack */
    hogfeat_image first;                /* stack: image 0, borrowed */
    size_t image_stride_bytes;
} batch_source;

/* Image i of the source, as a handle (for a stack, filled in *tmp). */
static const hogfeat_image *source_image(const batch_source *src, size_t i, hogfeat_image *tmp)
{
    if (src->images)
        return src->images[i];
    *tmp = src->first;
    tmp->pixels = src->first.pixels + i * src->image_stride_bytes;
    return tmp;
}

typedef struct batch_job {
    const batch_source *src;
    size_t num_images;
    size_t length;
    float *out;
    size_t out_row_stride;
    hogfeat__batch_fn fn;
    const void *ctx;
    size_t chunk;                   /* images per task */
    hogfeat__workspace *workspaces; /* one per worker */
    pthread_mutex_t lock;           /* guards the two fields below */
    size_t first_failure;           /* lowest failing image index, SIZE_MAX if none */
    char message[400];              /* its worker thread's error message */
} batch_job;

static hogfeat_status run_chunk(void *arg, size_t task, int worker)
{
    batch_job *job = arg;
    size_t begin = task * job->chunk, end = begin + job->chunk;
    if (end > job->num_images)
        end = job->num_images;
    for (size_t i = begin; i < end; i++) {
        hogfeat_image tmp;
        const hogfeat_image *image = source_image(job->src, i, &tmp);
        hogfeat_status st =
            job->fn(job->ctx, image, job->out + i * job->out_row_stride, job->length, &job->workspaces[worker]);
        if (st != HOGFEAT_OK) {
            /* The message lives in this worker's thread-local storage: copy
             * it for the caller's thread, keeping the lowest image index. */
            pthread_mutex_lock(&job->lock);
            if (i < job->first_failure) {
                job->first_failure = i;
                snprintf(job->message, sizeof job->message, "%s", hogfeat_last_error_message());
            }
            pthread_mutex_unlock(&job->lock);
            return st;
        }
    }
    return HOGFEAT_OK;
}

static hogfeat_status hog_fn(const void *ctx, const hogfeat_image *image, float *out, size_t length,
                             hogfeat__workspace *ws)
{
    return hogfeat__hog_compute_ws(ctx, image, out, length, ws);
}

hogfeat_status hogfeat__batch_run(const char *fn_name, hogfeat__batch_fn fn, const void *ctx,
                                  hogfeat__length_fn length_fn, const hogfeat_image *const *images,
                                  const hogfeat_image *stack_first, size_t image_stride_bytes, size_t num_images,
                                  int32_t num_threads, float *out_features, size_t out_row_stride,
                                  size_t out_capacity)
{
    if (num_threads < 0 || num_threads > 256)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: thread count %d is outside [0, 256]", fn_name,
                             (int)num_threads);
    if (num_images == 0)
        return HOGFEAT_OK;
    if (!out_features)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out_features is NULL", fn_name);

    batch_source src;
    memset(&src, 0, sizeof src);
    src.images = images;
    if (!images) {
        src.first = *stack_first;
        src.image_stride_bytes = image_stride_bytes;
    }

    /* Image 0 sets the length; the output size is checked against it before
     * the other images are looked at (the caller's array is num_images long
     * only if the output can hold that many rows). Nothing is written until
     * every image has been checked. */
    hogfeat_image tmp;
    const hogfeat_image *image0 = source_image(&src, 0, &tmp);
    if (!image0)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image 0 is NULL", fn_name);
    size_t length = 0;
    hogfeat_status st = length_fn(ctx, image0->width, image0->height, &length);
    if (st != HOGFEAT_OK)
        return st;
    if (out_row_stride < length)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "%s: output row stride %zu is shorter than the descriptor (%zu)",
                             fn_name, out_row_stride, length);
    size_t need;
    if (hogfeat__mul_overflow(num_images - 1, out_row_stride, &need) || hogfeat__add_overflow(need, length, &need))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu rows of stride %zu overflow size_t", fn_name,
                             num_images, out_row_stride);
    if (out_capacity < need)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: %zu descriptors need %zu floats; the output holds %zu",
                             fn_name, num_images, need, out_capacity);
    for (size_t i = 1; images && i < num_images; i++) {
        /* A stack shares one geometry; handles are checked one by one. */
        if (!images[i])
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image %zu is NULL", fn_name, i);
        size_t len;
        st = length_fn(ctx, images[i]->width, images[i]->height, &len);
        if (st != HOGFEAT_OK)
            return st;
        if (len != length)
            return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH,
                                 "%s: image %zu (%zux%zu) gives %zu floats, image 0 gives %zu", fn_name, i,
                                 images[i]->width, images[i]->height, len, length);
    }

    const int threads = hogfeat__thread_count(num_threads, num_images);
    size_t chunk = num_images / ((size_t)threads * 4);
    chunk = chunk < 1 ? 1 : chunk > BATCH_MAX_CHUNK ? BATCH_MAX_CHUNK : chunk;
    const size_t tasks = (num_images + chunk - 1) / chunk;
    hogfeat__workspace *ws = hogfeat__calloc((size_t)threads, sizeof *ws);
    if (!ws)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %d workspaces", fn_name, threads);
    batch_job job;
    job.src = &src;
    job.num_images = num_images;
    job.length = length;
    job.out = out_features;
    job.out_row_stride = out_row_stride;
    job.chunk = chunk;
    job.fn = fn;
    job.ctx = ctx;
    job.workspaces = ws;
    pthread_mutex_init(&job.lock, NULL);
    job.first_failure = SIZE_MAX;
    job.message[0] = '\0';
    st = hogfeat__parallel_for(threads, tasks, run_chunk, &job);
    pthread_mutex_destroy(&job.lock);
    for (int t = 0; t < threads; t++)
        hogfeat__workspace_release(&ws[t]);
    hogfeat__free(ws);
    if (st != HOGFEAT_OK)
        return hogfeat__fail(st, "%s: image %zu: %s", fn_name, job.first_failure, job.message);
    return HOGFEAT_OK;
}

static hogfeat_status hog_length(const void *ctx, size_t width, size_t height, size_t *out_length)
{
    return hogfeat_hog_feature_length(ctx, width, height, out_length);
}

hogfeat_status hogfeat_hog_compute_batch(const hogfeat_hog_config *config, const hogfeat_image *const *images,
                                         size_t num_images, int32_t num_threads, float *out_features,
                                         size_t out_row_stride, size_t out_capacity)
{
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_compute_batch: config is NULL");
    if (!images && num_images > 0)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_compute_batch: images is NULL");
    return hogfeat__batch_run("hogfeat_hog_compute_batch", hog_fn, config, hog_length, images, NULL, 0, num_images,
                              num_threads, out_features, out_row_stride, out_capacity);
}

hogfeat_status hogfeat__stack_first(const char *fn_name, const void *pixels, hogfeat_format format, size_t num_images,
                                    size_t width, size_t height, size_t row_stride_bytes, size_t *image_stride_bytes,
                                    hogfeat_image *first)
{
    hogfeat_status st = hogfeat__image_init_borrowed(first, pixels, format, width, height, row_stride_bytes);
    if (st != HOGFEAT_OK)
        return st;
    size_t image_bytes;
    if (hogfeat__mul_overflow(first->stride_bytes, height, &image_bytes))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: image size overflows size_t", fn_name);
    if (*image_stride_bytes == 0)
        *image_stride_bytes = image_bytes;
    /* The last row of an image may end before the stride does, so an image
     * needs (height - 1) * stride + row bytes; a shorter step overlaps it. */
    size_t row_bytes = width * (size_t)first->channels * first->sample_bytes;
    size_t span = (height - 1) * first->stride_bytes + row_bytes;
    if (num_images > 1 && *image_stride_bytes < span)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "%s: image stride %zu bytes is shorter than an image (%zu bytes)",
                             fn_name, *image_stride_bytes, span);
    if (*image_stride_bytes % first->sample_bytes != 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE, "%s: image stride %zu is not a multiple of the sample size",
                             fn_name, *image_stride_bytes);
    size_t total;
    if (num_images > 0 && (hogfeat__mul_overflow(num_images - 1, *image_stride_bytes, &total) ||
                           hogfeat__add_overflow(total, span, &total) || total > (size_t)PTRDIFF_MAX))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu images of stride %zu overflow the address space",
                             fn_name, num_images, *image_stride_bytes);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_compute_stack(const hogfeat_hog_config *config, const void *pixels, hogfeat_format format,
                                         size_t num_images, size_t width, size_t height, size_t row_stride_bytes,
                                         size_t image_stride_bytes, int32_t num_threads, float *out_features,
                                         size_t out_row_stride, size_t out_capacity)
{
    static const char fn[] = "hogfeat_hog_compute_stack";
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: config is NULL", fn);
    if (num_images == 0)
        return HOGFEAT_OK;
    hogfeat_image first;
    hogfeat_status st = hogfeat__stack_first(fn, pixels, format, num_images, width, height, row_stride_bytes,
                                             &image_stride_bytes, &first);
    if (st != HOGFEAT_OK)
        return st;
    return hogfeat__batch_run(fn, hog_fn, config, hog_length, NULL, &first, image_stride_bytes, num_images,
                              num_threads, out_features, out_row_stride, out_capacity);
}
