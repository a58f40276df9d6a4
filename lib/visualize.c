/* HOG pictures as scikit-image 0.19 skimage/feature/_hog.py draws them
 * (visualize=True), with its cell histograms recomputed exactly
 * (skimage/feature/_hoghistogram.pyx) and skimage.draw.line's Bresenham.
 *
 * Plain scalar code: a picture is a viewing aid, not a hot path, so it does
 * not go through lib/kernels/ and recomputes gradients in double precision
 * rather than sharing hog.c's float kernels (whose sums differ in the last
 * bits). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "sqrt_u8_table.h"

#define VIS_PI 3.14159265358979323846

static inline const unsigned char *row_at(const hogfeat_image *image, size_t y)
{
    return image->pixels + y * image->stride_bytes;
}

/* Sample in scikit-image's working type: float64 for uint8 images, float32
 * for float images, after the optional square root. */
static inline double sample_u8(const hogfeat_image *image, size_t x, size_t y, int c, int transform_sqrt)
{
    uint8_t v = row_at(image, y)[x * (size_t)image->channels + (size_t)c];
    return transform_sqrt ? hogfeat__sqrt_u8[v] : (double)v;
}

static inline float sample_f32(const hogfeat_image *image, size_t x, size_t y, int c, int transform_sqrt)
{
    float v;
    memcpy(&v, row_at(image, y) + (x * (size_t)image->channels + (size_t)c) * sizeof(float), sizeof v);
    return transform_sqrt ? sqrtf(v) : v;
}

/* _hog_channel_gradient plus the channel choice of hog(): g_row and g_col
 * of the channel with the largest hypot (numpy argmax: the first maximum),
 * in the image's float type, returned widened to double. */
static void gradient(const hogfeat_image *image, int transform_sqrt, size_t x, size_t y, double *out_gcol,
                     double *out_grow)
{
    const int has_x = x > 0 && x + 1 < image->width, has_y = y > 0 && y + 1 < image->height;
    double best_c = 0.0, best_r = 0.0;
    if (image->sample_bytes == 1) {
        double best_m = -1.0;
        for (int c = 0; c < image->channels; c++) {
            double gc = has_x ? sample_u8(image, x + 1, y, c, transform_sqrt) - sample_u8(image, x - 1, y, c, transform_sqrt)
                              : 0.0;
            double gr = has_y ? sample_u8(image, x, y + 1, c, transform_sqrt) - sample_u8(image, x, y - 1, c, transform_sqrt)
                              : 0.0;
            double m = hypot(gr, gc);
            if (c == 0 || m > best_m) {
                best_m = m;
                best_c = gc;
                best_r = gr;
            }
        }
    } else {
        float best_m = -1.0f;
        for (int c = 0; c < image->channels; c++) {
            float gc = has_x ? sample_f32(image, x + 1, y, c, transform_sqrt) - sample_f32(image, x - 1, y, c, transform_sqrt)
                             : 0.0f;
            float gr = has_y ? sample_f32(image, x, y + 1, c, transform_sqrt) - sample_f32(image, x, y - 1, c, transform_sqrt)
                             : 0.0f;
            float m = hypotf(gr, gc);
            if (c == 0 || m > best_m) {
                best_m = m;
                best_c = (double)gc;
                best_r = (double)gr;
            }
        }
    }
    *out_gcol = best_c;
    *out_grow = best_r;
}

static hogfeat_status check_samples(const char *fn, const hogfeat_image *image, int transform_sqrt)
{
    if (image->sample_bytes == 1)
        return HOGFEAT_OK;
    for (size_t y = 0; y < image->height; y++)
        for (size_t x = 0; x < image->width; x++)
            for (int c = 0; c < image->channels; c++) {
                float v = sample_f32(image, x, y, c, transform_sqrt);
                if (HOGFEAT_UNLIKELY(!isfinite(v)))
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                                         "%s: sample (x %zu, y %zu, channel %d) is %s%s", fn, x, y, c,
                                         isnan(v) ? "NaN" : "infinite",
                                         transform_sqrt ? " (after the square root)" : "");
            }
    return HOGFEAT_OK;
}

/* Checks that out is an owned F32_GRAY or U8_GRAY image of in's size. */
static hogfeat_status check_output(const char *fn, const hogfeat_image *in, const hogfeat_image *out,
                                   hogfeat_format format)
{
    if (out->format != format)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: the output must have format %d, not %d", fn,
                             (int)format, (int)out->format);
    if (out->width != in->width || out->height != in->height)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: the output is %zux%zu, the input %zux%zu", fn, out->width,
                             out->height, in->width, in->height);
    if (!out->owned)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "%s: the output borrows its pixels; create it with hogfeat_image_create", fn);
    return HOGFEAT_OK;
}

/* skimage.draw.line (the Cython _line): calls add(r, c) for each pixel. */
static void draw_line(long r0, long c0, long r1, long c1, double value, int f32, double *acc, long rows, long cols)
{
    long r = r0, c = c0;
    long dr = labs(r1 - r0), dc = labs(c1 - c0);
    long sc = (c1 - c) > 0 ? 1 : -1, sr = (r1 - r) > 0 ? 1 : -1;
    int steep = 0;
    if (dr > dc) {
        steep = 1;
        long t = c;
        c = r;
        r = t;
        t = dc;
        dc = dr;
        dr = t;
        t = sc;
        sc = sr;
        sr = t;
    }
    long d = (2 * dr) - dc;
    for (long i = 0; i <= dc; i++) {
        long pr, pc;
        if (i == dc) {
            pr = r1;
            pc = c1;
        } else if (steep) {
            pr = c;
            pc = r;
        } else {
            pr = r;
            pc = c;
        }
        /* Unreachable for any cell size (lines stay within the image), but
         * cheap to keep. */
        if (pr >= 0 && pr < rows && pc >= 0 && pc < cols) {
            double *p = &acc[(size_t)pr * (size_t)cols + (size_t)pc];
            /* float images: numpy adds in float32 */
            *p = f32 ? (double)((float)*p + (float)value) : *p + value;
        }
        if (i == dc)
            break;
        while (d >= 0) {
            r = r + sr;
            d = d - (2 * dc);
        }
        c = c + sc;
        d = d + (2 * dr);
    }
}

hogfeat_status hogfeat_hog_visualize(const hogfeat_hog_config *config, const hogfeat_image *in, hogfeat_image *out)
{
    static const char fn[] = "hogfeat_hog_visualize";
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: config is NULL", fn);
    if (!in)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: in is NULL", fn);
    if (!out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out is NULL", fn);
    hogfeat_status st = check_output(fn, in, out, HOGFEAT_FORMAT_F32_GRAY);
    if (st != HOGFEAT_OK)
        return st;
    const int tsqrt = config->transform_sqrt;
    st = check_samples(fn, in, tsqrt);
    if (st != HOGFEAT_OK)
        return st;

    const size_t cw = (size_t)config->cell_w, ch = (size_t)config->cell_h;
    const size_t cells_x = in->width / cw, cells_y = in->height / ch;
    const size_t nbins = (size_t)config->orientations;
    const size_t npix = in->width * in->height; /* <= 2^28 */
    const size_t ncells = cells_x * cells_y;   /* <= 2^28 */
    /* acc: one double per pixel; hist: one float per cell and bin. */
    size_t bytes;
    if (hogfeat__mul_overflow(ncells, nbins * sizeof(float), &bytes) ||
        hogfeat__add_overflow(bytes, npix * sizeof(double), &bytes))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the workspace overflows size_t", fn);
    double *acc = hogfeat__malloc(bytes ? bytes : 1);
    if (!acc)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of workspace", fn, bytes);
    float *hist = (float *)(void *)(acc + npix);

    /* Cell histograms: scikit-image sums each cell in a float32 "total",
     * row by row, and divides by the cell area in float32. */
    const float area = (float)(cw * ch);
    for (size_t cy = 0; cy < cells_y; cy++) {
        for (size_t cx = 0; cx < cells_x; cx++) {
            float *h = hist + (cy * cells_x + cx) * nbins;
            for (size_t b = 0; b < nbins; b++)
                h[b] = 0.0f;
            for (size_t y = cy * ch; y < (cy + 1) * ch; y++) {
                for (size_t x = cx * cw; x < (cx + 1) * cw; x++) {
                    double gc, gr;
                    gradient(in, tsqrt, x, y, &gc, &gr);
                    int b = hogfeat__hog_reference_bin(gc, gr, config->orientations, config->signed_orientations);
                    if (b < 0)
                        continue;
                    h[b] = (float)((double)h[b] + hypot(gc, gr));
                }
            }
            for (size_t b = 0; b < nbins; b++) {
                h[b] = h[b] / area;
                if (HOGFEAT_UNLIKELY(!isfinite(h[b]))) {
                    hogfeat__free(acc);
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                                         "%s: cell (row %zu, column %zu) has an overflowing gradient", fn, cy, cx);
                }
            }
        }
    }

    memset(acc, 0, npix * sizeof(double));
    const long radius = (long)(cw < ch ? cw : ch) / 2 - 1;
    const double period = config->signed_orientations ? 2.0 * VIS_PI : VIS_PI;
    const int f32 = in->sample_bytes == 4;
    const long rows = (long)in->height, cols = (long)in->width;
    for (size_t cy = 0; cy < cells_y; cy++) {
        for (size_t cx = 0; cx < cells_x; cx++) {
            const long centre_r = (long)(cy * ch + ch / 2), centre_c = (long)(cx * cw + cw / 2);
            const float *h = hist + (cy * cells_x + cx) * nbins;
            for (size_t o = 0; o < nbins; o++) {
                /* Mid-angle of the bin; the line is perpendicular to it. */
                double mid = period * ((double)o + 0.5) / (double)nbins;
                double dr = (double)radius * sin(mid), dc = (double)radius * cos(mid);
                draw_line((long)((double)centre_r - dc), (long)((double)centre_c + dr),
                          (long)((double)centre_r + dc), (long)((double)centre_c - dr), (double)h[o], f32, acc,
                          rows, cols);
            }
        }
    }

    unsigned char *dst = out->owned;
    for (size_t y = 0; y < in->height; y++) {
        float *drow = (float *)(void *)(dst + y * out->stride_bytes);
        for (size_t x = 0; x < in->width; x++)
            drow[x] = (float)acc[y * in->width + x];
    }
    hogfeat__free(acc);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_visualize_to_u8(const hogfeat_image *in, float max_value, hogfeat_image *out)
{
    static const char fn[] = "hogfeat_visualize_to_u8";
    if (!in)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: in is NULL", fn);
    if (!out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out is NULL", fn);
    if (in->format != HOGFEAT_FORMAT_F32_GRAY)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: the input must be a float grayscale image", fn);
    hogfeat_status st = check_output(fn, in, out, HOGFEAT_FORMAT_U8_GRAY);
    if (st != HOGFEAT_OK)
        return st;
    if (!(isfinite(max_value) && max_value >= 0.0f))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: max_value %g must be finite and >= 0", fn,
                             (double)max_value);
    /* 0 asks for the image maximum. */
    double top = max_value > 0.0f ? (double)max_value : -HUGE_VAL;
    for (size_t y = 0; y < in->height; y++) {
        const float *row = (const float *)(const void *)row_at(in, y);
        for (size_t x = 0; x < in->width; x++) {
            if (HOGFEAT_UNLIKELY(!isfinite(row[x])))
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: pixel (x %zu, y %zu) is not finite", fn, x, y);
            if (max_value == 0.0f && (double)row[x] > top)
                top = (double)row[x];
        }
    }
    for (size_t y = 0; y < in->height; y++) {
        const float *row = (const float *)(const void *)row_at(in, y);
        unsigned char *drow = out->owned + y * out->stride_bytes;
        for (size_t x = 0; x < in->width; x++) {
            double v = top > 0.0 ? floor(255.0 * (double)row[x] / top + 0.5) : 0.0;
            drow[x] = (unsigned char)(v < 0.0 ? 0.0 : v > 255.0 ? 255.0 : v);
        }
    }
    return HOGFEAT_OK;
}
