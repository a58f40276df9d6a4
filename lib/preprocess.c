/* Pipeline preprocessing: bilinear resize (OpenCV INTER_LINEAR geometry) and
 * Gaussian blur (scikit-image 0.19 filters.gaussian defaults, which is
 * scipy.ndimage.gaussian_filter with mode='nearest' and truncate=4). */
#include <math.h>
#include <string.h>

#include "preprocess.h"

static inline const unsigned char *src_row(const hogfeat_image *image, size_t y)
{
    return image->pixels + y * image->stride_bytes;
}

/* Row y of image as doubles times scale, channels interleaved. */
static void load_row(const hogfeat_image *image, size_t y, double scale, double *dst)
{
    const size_t n = image->width * (size_t)image->channels;
    const unsigned char *row = src_row(image, y);
    if (image->sample_bytes == 1) {
        for (size_t i = 0; i < n; i++)
            dst[i] = (double)row[i] * scale;
    } else {
        const float *f = (const float *)(const void *)row;
        for (size_t i = 0; i < n; i++)
            dst[i] = (double)f[i] * scale;
    }
}

static hogfeat_format float_format(int channels)
{
    return channels == 3 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY;
}

/* ---- resize -------------------------------------------------------------- */

typedef struct lin_tap {
    size_t i0, i1;
    double frac; /* weight of i1 */
} lin_tap;

/* OpenCV's INTER_LINEAR geometry: s = (d + 0.5) * in / out - 0.5, then
 * s < 0 clamps to the first sample and s >= in - 1 to the last one. OpenCV
 * does this in float for float images; double here differs by < 1e-6 px. */
static lin_tap make_tap(size_t d, size_t in, size_t out)
{
    lin_tap t;
    double s = ((double)d + 0.5) * ((double)in / (double)out) - 0.5;
    if (s < 0.0)
        s = 0.0;
    double fl = floor(s);
    t.i0 = (size_t)fl;
    t.frac = s - fl;
    if (t.i0 >= in - 1) {
        t.i0 = in - 1;
        t.frac = 0.0;
    }
    t.i1 = t.i0 + 1 < in ? t.i0 + 1 : t.i0;
    return t;
}

/* Horizontal pass of one source row into out_w * channels doubles. */
static void resize_row_h(const double *src, const lin_tap *xt, size_t out_w, int channels, double *dst)
{
    const size_t c = (size_t)channels;
    for (size_t x = 0; x < out_w; x++) {
        const double *a = src + xt[x].i0 * c, *b = src + xt[x].i1 * c;
        const double f = xt[x].frac;
        for (size_t ch = 0; ch < c; ch++)
            dst[x * c + ch] = a[ch] * (1.0 - f) + b[ch] * f;
    }
}

/* Scratch bytes of resize_core: taps, one input row, two output rows. */
static size_t resize_scratch_bytes(const hogfeat_image *src, size_t out_width)
{
    /* Cannot overflow: every width * channels here is at most 3 * 2^28. */
    const size_t c = (size_t)src->channels;
    return out_width * sizeof(lin_tap) + (src->width * c + 2 * out_width * c) * sizeof(double);
}

static void resize_core(const hogfeat_image *src, size_t out_width, size_t out_height, float *o,
                        unsigned char *scratch)
{
    const size_t c = (size_t)src->channels;
    const size_t in_row = src->width * c, out_row = out_width * c;
    double *row_in = (double *)(void *)scratch;
    double *h0 = row_in + in_row, *h1 = h0 + out_row;
    lin_tap *xt = (lin_tap *)(void *)(h1 + out_row);
    for (size_t x = 0; x < out_width; x++)
        xt[x] = make_tap(x, src->width, out_width);

    size_t have0 = SIZE_MAX, have1 = SIZE_MAX; /* source rows now in h0 and h1 */
    for (size_t y = 0; y < out_height; y++) {
        lin_tap yt = make_tap(y, src->height, out_height);
        if (have0 != yt.i0) {
            if (have1 == yt.i0) {
                double *t = h0;
                h0 = h1;
                h1 = t;
                have0 = have1;
                have1 = SIZE_MAX;
            } else {
                load_row(src, yt.i0, 1.0, row_in);
                resize_row_h(row_in, xt, out_width, src->channels, h0);
                have0 = yt.i0;
            }
        }
        if (have1 != yt.i1) {
            load_row(src, yt.i1, 1.0, row_in);
            resize_row_h(row_in, xt, out_width, src->channels, h1);
            have1 = yt.i1;
        }
        const double f = yt.frac;
        for (size_t i = 0; i < out_row; i++)
            o[i] = (float)(h0[i] * (1.0 - f) + h1[i] * f);
        o += out_row;
    }
}

/* Validates the target size the way hogfeat_image_create() does. */
static hogfeat_status check_target(const hogfeat_image *src, size_t width, size_t height)
{
    int channels;
    size_t sample_bytes;
    return hogfeat__check_image_geometry(float_format(src->channels), width, height, &channels, &sample_bytes);
}

hogfeat_status hogfeat__resize_bilinear(const hogfeat_image *src, size_t out_width, size_t out_height,
                                        hogfeat_image **out)
{
    if (!out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "resize: output pointer is NULL");
    *out = NULL;
    if (!src)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "resize: image is NULL");
    hogfeat_image *dst = NULL;
    hogfeat_status st = hogfeat_image_create(float_format(src->channels), out_width, out_height, &dst);
    if (st != HOGFEAT_OK)
        return st;
    size_t bytes = resize_scratch_bytes(src, out_width);
    unsigned char *scratch = hogfeat__malloc(bytes);
    if (!scratch) {
        hogfeat_image_destroy(dst);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "resize: cannot allocate %zu bytes of workspace", bytes);
    }
    resize_core(src, out_width, out_height, hogfeat_image_writable_data(dst), scratch);
    hogfeat__free(scratch);
    *out = dst;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__resize_bilinear_ws(const hogfeat_image *src, size_t out_width, size_t out_height,
                                           hogfeat__buffer *ws, hogfeat_image *dst)
{
    hogfeat_status st = check_target(src, out_width, out_height);
    if (st != HOGFEAT_OK)
        return st;
    /* Output pixels first (float aligned), then the scratch. */
    const size_t pixels = out_width * out_height * (size_t)src->channels * sizeof(float);
    const size_t offset = (pixels + 15) & ~(size_t)15;
    st = hogfeat__buffer_reserve(ws, offset + resize_scratch_bytes(src, out_width));
    if (st != HOGFEAT_OK)
        return st;
    resize_core(src, out_width, out_height, (float *)(void *)ws->data, ws->data + offset);
    return hogfeat__image_init_borrowed(dst, ws->data, float_format(src->channels), out_width, out_height, 0);
}

/* ---- Gaussian blur ---------------------------------------------------------- */

/* scipy.ndimage._gaussian_kernel1d(sigma, 0, radius): exp(-0.5 / sigma^2 * x^2)
 * over x in [-radius, radius], divided by its sum. Returns the radius. */
static size_t gaussian_kernel(double sigma, double *weights)
{
    size_t radius = (size_t)(4.0 * sigma + 0.5);
    if (radius == 0) {
        /* Also covers sigma so small that sigma^2 underflows, where scipy
         * skips the axis (sigma <= 1e-15) rather than divide by zero. */
        weights[0] = 1.0;
        return 0;
    }
    const double sigma2 = sigma * sigma;
    double sum = 0.0;
    for (size_t i = 0; i <= 2 * radius; i++) {
        double x = (double)i - (double)radius;
        weights[i] = exp(-0.5 / sigma2 * (x * x));
        sum += weights[i];
    }
    for (size_t i = 0; i <= 2 * radius; i++)
        weights[i] /= sum;
    return radius;
}

static hogfeat_status check_sigma(double sigma)
{
    if (!(sigma >= 0.0 && sigma <= HOGFEAT_PIPELINE_MAX_SIGMA))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "blur sigma must be finite and in [0, %g]",
                             HOGFEAT_PIPELINE_MAX_SIGMA);
    return HOGFEAT_OK;
}

/* Scratch doubles of blur_core: one row, and one row padded by the radius. */
static size_t blur_scratch_bytes(const hogfeat_image *src, double sigma)
{
    /* Bounded: a row is at most 3 * 2^28 samples and the radius at most 256. */
    const size_t radius = (size_t)(4.0 * sigma + 0.5), c = (size_t)src->channels;
    return (src->width * c + (src->width + 2 * radius) * c) * sizeof(double);
}

static void blur_core(const hogfeat_image *src, double sigma, double sample_scale, float *o, double *ws)
{
    double weights[2 * HOGFEAT__MAX_BLUR_RADIUS + 1];
    const size_t radius = gaussian_kernel(sigma, weights);
    const size_t taps = 2 * radius + 1;
    const size_t c = (size_t)src->channels, w = src->width, h = src->height;
    const size_t row = w * c;
    double *line = ws;      /* one source row, scaled */
    double *pad = ws + row; /* vertical result with radius repeated edge pixels each side */
    double *mid = pad + radius * c;

    for (size_t y = 0; y < h; y++) {
        /* Vertical pass first, as gaussian_filter walks axis 0 then axis 1. */
        for (size_t i = 0; i < row; i++)
            mid[i] = 0.0;
        for (size_t k = 0; k < taps; k++) {
            /* mode='nearest': rows beyond the image repeat the edge row. */
            size_t sy;
            if (y + k < radius)
                sy = 0;
            else if (y + k - radius >= h)
                sy = h - 1;
            else
                sy = y + k - radius;
            load_row(src, sy, sample_scale, line);
            const double wk = weights[k];
            for (size_t i = 0; i < row; i++)
                mid[i] += wk * line[i];
        }
        for (size_t p = 0; p < radius; p++) {
            for (size_t ch = 0; ch < c; ch++) {
                pad[p * c + ch] = mid[ch];
                mid[row + p * c + ch] = mid[row - c + ch];
            }
        }
        for (size_t i = 0; i < row; i++) {
            double acc = 0.0;
            const double *p = pad + i;
            for (size_t k = 0; k < taps; k++)
                acc += weights[k] * p[k * c];
            o[i] = (float)acc;
        }
        o += row;
    }
}

hogfeat_status hogfeat__gaussian_blur(const hogfeat_image *src, double sigma, double sample_scale,
                                      hogfeat_image **out)
{
    if (!out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "blur: output pointer is NULL");
    *out = NULL;
    if (!src)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "blur: image is NULL");
    hogfeat_status st = check_sigma(sigma);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat_image *dst = NULL;
    st = hogfeat_image_create(float_format(src->channels), src->width, src->height, &dst);
    if (st != HOGFEAT_OK)
        return st;
    size_t bytes = blur_scratch_bytes(src, sigma);
    double *scratch = hogfeat__malloc(bytes);
    if (!scratch) {
        hogfeat_image_destroy(dst);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "blur: cannot allocate %zu bytes of workspace", bytes);
    }
    blur_core(src, sigma, sample_scale, hogfeat_image_writable_data(dst), scratch);
    hogfeat__free(scratch);
    *out = dst;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__gaussian_blur_ws(const hogfeat_image *src, double sigma, double sample_scale,
                                         hogfeat__buffer *ws, hogfeat_image *dst)
{
    hogfeat_status st = check_sigma(sigma);
    if (st != HOGFEAT_OK)
        return st;
    const size_t pixels = src->width * src->height * (size_t)src->channels * sizeof(float);
    const size_t offset = (pixels + 15) & ~(size_t)15;
    st = hogfeat__buffer_reserve(ws, offset + blur_scratch_bytes(src, sigma));
    if (st != HOGFEAT_OK)
        return st;
    blur_core(src, sigma, sample_scale, (float *)(void *)ws->data, (double *)(void *)(ws->data + offset));
    return hogfeat__image_init_borrowed(dst, ws->data, float_format(src->channels), src->width, src->height, 0);
}
