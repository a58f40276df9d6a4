/* Felzenszwalb (UoCTTI) HOG, following VLFeat 0.9.21 vl/hog.c
 * (vl_hog_put_image and vl_hog_extract with VlHogVariantUoctti, not
 * transposed, hard orientation assignment) operation by operation, in the
 * same float/double precision, so results agree to rounding.
 *
 * A plain scalar implementation: FHOG is not one of the kernels of
 * lib/kernels/ yet. */
#include <math.h>
#include <string.h>

#include "private.h"

#if defined(__clang__)
#  pragma STDC FP_CONTRACT OFF /* VLFeat's products and sums round separately */
#endif

#define FHOG_PI 3.141592653589793 /* VL_PI */

struct hogfeat_fhog_config {
    int32_t orientations;
    int32_t cell_size;
    /* Direction of each undirected orientation, as VLFeat stores it. */
    float dir_x[HOGFEAT_FHOG_MAX_ORIENTATIONS];
    float dir_y[HOGFEAT_FHOG_MAX_ORIENTATIONS];
};

static void update_directions(hogfeat_fhog_config *config)
{
    for (int32_t o = 0; o < config->orientations; o++) {
        double angle = o * FHOG_PI / config->orientations;
        config->dir_x[o] = (float)cos(angle);
        config->dir_y[o] = (float)sin(angle);
    }
}

hogfeat_status hogfeat_fhog_config_create(hogfeat_fhog_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_fhog_config_create: out_config is NULL");
    *out_config = NULL;
    hogfeat_fhog_config *config = hogfeat__calloc(1, sizeof *config);
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an FHOG configuration");
    config->orientations = 9;
    config->cell_size = 8;
    update_directions(config);
    *out_config = config;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_fhog_config_copy(const hogfeat_fhog_config *config, hogfeat_fhog_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_fhog_config_copy: out_config is NULL");
    *out_config = NULL;
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_fhog_config_copy: config is NULL");
    hogfeat_fhog_config *copy = hogfeat__malloc(sizeof *copy);
    if (!copy)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an FHOG configuration");
    *copy = *config;
    *out_config = copy;
    return HOGFEAT_OK;
}

void hogfeat_fhog_config_destroy(hogfeat_fhog_config *config)
{
    hogfeat__free(config);
}

#define REQUIRE_CONFIG(config, fn)                                                                 \
    do {                                                                                           \
        if (!(config))                                                                             \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": config is NULL");                 \
    } while (0)

hogfeat_status hogfeat_fhog_config_set_orientations(hogfeat_fhog_config *config, int32_t num_orientations)
{
    REQUIRE_CONFIG(config, "hogfeat_fhog_config_set_orientations");
    if (num_orientations < 1 || num_orientations > HOGFEAT_FHOG_MAX_ORIENTATIONS)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "FHOG orientations %d is outside [1, %d]",
                             (int)num_orientations, HOGFEAT_FHOG_MAX_ORIENTATIONS);
    config->orientations = num_orientations;
    update_directions(config);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_fhog_config_set_cell_size(hogfeat_fhog_config *config, int32_t cell_size_px)
{
    REQUIRE_CONFIG(config, "hogfeat_fhog_config_set_cell_size");
    if (cell_size_px < 1 || cell_size_px > HOGFEAT_FHOG_MAX_CELL_PX)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "FHOG cell size %d px is outside [1, %d]",
                             (int)cell_size_px, HOGFEAT_FHOG_MAX_CELL_PX);
    config->cell_size = cell_size_px;
    return HOGFEAT_OK;
}

int32_t hogfeat_fhog_config_get_orientations(const hogfeat_fhog_config *config)
{
    return config ? config->orientations : 0;
}

int32_t hogfeat_fhog_config_get_cell_size(const hogfeat_fhog_config *config)
{
    return config ? config->cell_size : 0;
}

int32_t hogfeat_fhog_cell_dimension(const hogfeat_fhog_config *config)
{
    return config ? 3 * config->orientations + 4 : 0;
}

typedef struct fhog_grid {
    size_t cells_x, cells_y, length;
} fhog_grid;

static hogfeat_status compute_grid(const char *fn, const hogfeat_fhog_config *config, size_t width, size_t height,
                                   fhog_grid *grid)
{
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: image size %zux%zu has a zero side", fn, width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: image size %zux%zu exceeds the limit of %zu pixels", fn,
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    const size_t cs = (size_t)config->cell_size;
    grid->cells_x = (width + cs / 2) / cs;
    grid->cells_y = (height + cs / 2) / cs;
    if (grid->cells_x == 0 || grid->cells_y == 0)
        return hogfeat__fail(HOGFEAT_ERR_IMAGE_TOO_SMALL,
                             "%s: a %zux%zu image holds no FHOG cell of %d px (a side needs at least %zu px)", fn, width,
                             height, (int)config->cell_size, cs - cs / 2);
    /* cells <= 2^28 * 4 (cells may hang half out), D <= 196: fits 64-bit size_t. */
    size_t len;
    if (hogfeat__mul_overflow(grid->cells_x * grid->cells_y, (size_t)(3 * config->orientations + 4), &len) ||
        len > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the descriptor of a %zux%zu image overflows size_t", fn,
                             width, height);
    grid->length = len;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_fhog_cell_grid(const hogfeat_fhog_config *config, size_t width, size_t height,
                                      size_t *out_cells_x, size_t *out_cells_y)
{
    REQUIRE_CONFIG(config, "hogfeat_fhog_cell_grid");
    if (!out_cells_x || !out_cells_y)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_fhog_cell_grid: output pointer is NULL");
    fhog_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = compute_grid("hogfeat_fhog_cell_grid", config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_cells_x = grid.cells_x;
    *out_cells_y = grid.cells_y;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_fhog_feature_length(const hogfeat_fhog_config *config, size_t width, size_t height,
                                           size_t *out_length)
{
    REQUIRE_CONFIG(config, "hogfeat_fhog_feature_length");
    if (!out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_fhog_feature_length: out_length is NULL");
    fhog_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = compute_grid("hogfeat_fhog_feature_length", config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_length = grid.length;
    return HOGFEAT_OK;
}

static inline float sample(const hogfeat_image *image, size_t x, size_t y, int c)
{
    const unsigned char *row = image->pixels + y * image->stride_bytes;
    size_t i = x * (size_t)image->channels + (size_t)c;
    if (image->sample_bytes == 1)
        return (float)row[i];
    float v;
    memcpy(&v, row + i * sizeof(float), sizeof v);
    return v;
}

static hogfeat_status check_finite(const char *fn, const hogfeat_image *image)
{
    if (image->sample_bytes == 1)
        return HOGFEAT_OK;
    for (size_t y = 0; y < image->height; y++)
        for (size_t x = 0; x < image->width; x++)
            for (int c = 0; c < image->channels; c++) {
                float v = sample(image, x, y, c);
                if (HOGFEAT_UNLIKELY(!isfinite(v)))
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: sample (x %zu, y %zu, channel %d) is %s", fn, x,
                                         y, c, isnan(v) ? "NaN" : "infinite");
            }
    return HOGFEAT_OK;
}

/* VLFeat's vl_floor_f. */
static inline long floor_f(float x)
{
    long xi = (long)x;
    if (x >= 0 || (float)xi == x)
        return xi;
    return xi - 1;
}

static inline double min_d(double a, double b)
{
    return a < b ? a : b; /* VL_MIN(a, b) */
}

hogfeat_status hogfeat_fhog_compute(const hogfeat_fhog_config *config, const hogfeat_image *image,
                                    float *out_features, size_t out_capacity)
{
    static const char fn[] = "hogfeat_fhog_compute";
    REQUIRE_CONFIG(config, "hogfeat_fhog_compute");
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image is NULL", fn);
    if (!out_features)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out_features is NULL", fn);
    fhog_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = compute_grid(fn, config, image->width, image->height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    if (out_capacity < grid.length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the descriptor has %zu floats; the output holds %zu",
                             fn, grid.length, out_capacity);
    st = check_finite(fn, image);
    if (st != HOGFEAT_OK)
        return st;

    const long no = config->orientations;
    const long hog_w = (long)grid.cells_x, hog_h = (long)grid.cells_y;
    const size_t cells = grid.cells_x * grid.cells_y;
    /* Planar like VLFeat: hist[o * cells + cell], then one norm per cell. */
    float *hist = hogfeat__calloc(cells * (size_t)(2 * no + 1), sizeof(float));
    if (!hist)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu cell histograms", fn, cells);
    float *norm = hist + cells * (size_t)(2 * no);
#define AT(bx, by, o) hist[(size_t)(o) * cells + (size_t)(by) * (size_t)hog_w + (size_t)(bx)]

    const long width = (long)image->width, height = (long)image->height;
    const double cell_size = (double)config->cell_size;
    for (long y = 1; y < height - 1; y++) {
        for (long x = 1; x < width - 1; x++) {
            float gradx = 0, grady = 0, grad2 = 0;
            for (int c = 0; c < image->channels; c++) {
                float gx = sample(image, (size_t)x + 1, (size_t)y, c) - sample(image, (size_t)x - 1, (size_t)y, c);
                float gy = sample(image, (size_t)x, (size_t)y + 1, c) - sample(image, (size_t)x, (size_t)y - 1, c);
                float g2 = gx * gx + gy * gy;
                if (g2 > grad2) {
                    gradx = gx;
                    grady = gy;
                    grad2 = g2;
                }
            }
            if (HOGFEAT_UNLIKELY(!isfinite(grad2))) {
                hogfeat__free(hist);
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                                     "%s: the squared gradient at (x %ld, y %ld) overflows float", fn, x, y);
            }
            const float grad = sqrtf(grad2);
            /* The raw gradient is scored against each direction. The best
             * score starts at -1, not 0: when no score is positive (for
             * n = 1, a vertical gradient scores 0) the pixel still votes,
             * into the first bin with the highest score. */
            float best = -1;
            long bin = -1;
            for (long k = 0; k < no; k++) {
                float score = gradx * config->dir_x[k] + grady * config->dir_y[k];
                long b = k;
                if (score < 0) {
                    score = -score;
                    b += no;
                }
                if (score > best) {
                    best = score;
                    bin = b;
                }
            }
            if (bin < 0)
                continue;
            /* hx: distance from the centre of the cell on the left, in cells. */
            float hx = (float)(((double)x + 0.5) / cell_size - 0.5);
            float hy = (float)(((double)y + 0.5) / cell_size - 0.5);
            long binx = floor_f(hx), biny = floor_f(hy);
            float wx2 = hx - (float)binx, wy2 = hy - (float)biny;
            float wx1 = (float)(1.0 - wx2), wy1 = (float)(1.0 - wy2);
            const float ow = 1;
            if (binx >= 0 && biny >= 0)
                AT(binx, biny, bin) += grad * ow * wx1 * wy1;
            if (binx < hog_w - 1 && biny >= 0)
                AT(binx + 1, biny, bin) += grad * ow * wx2 * wy1;
            if (binx < hog_w - 1 && biny < hog_h - 1)
                AT(binx + 1, biny + 1, bin) += grad * ow * wx2 * wy2;
            if (binx >= 0 && biny < hog_h - 1)
                AT(binx, biny + 1, bin) += grad * ow * wx1 * wy2;
        }
    }

    /* Squared norm of each cell's undirected histogram, in float. */
    for (long k = 0; k < no; k++) {
        const float *h1 = hist + (size_t)k * cells, *h2 = hist + (size_t)(k + no) * cells;
        for (size_t i = 0; i < cells; i++) {
            float h = h1[i] + h2[i];
            norm[i] += h * h;
        }
    }
    for (size_t i = 0; i < cells; i++) {
        if (HOGFEAT_UNLIKELY(!isfinite(norm[i]))) {
            hogfeat__free(hist);
            return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: cell (row %zu, column %zu) has an overflowing gradient",
                                 fn, i / grid.cells_x, i % grid.cells_x);
        }
    }

    const size_t dim = (size_t)(3 * no + 4);
    const double texture_scale = (double)(1.0f / sqrtf(18.0f));
#define NORM_AT(bx, by) ((double)norm[(size_t)(by) * (size_t)hog_w + (size_t)(bx)])
    for (long y = 0; y < hog_h; y++) {
        for (long x = 0; x < hog_w; x++) {
            const long xm = x - 1 > 0 ? x - 1 : 0, xp = x + 1 < hog_w - 1 ? x + 1 : hog_w - 1;
            const long ym = y - 1 > 0 ? y - 1 : 0, yp = y + 1 < hog_h - 1 ? y + 1 : hog_h - 1;
            const double n1 = NORM_AT(xm, ym), n2 = NORM_AT(x, ym), n3 = NORM_AT(xp, ym);
            const double n4 = NORM_AT(xm, y), n5 = NORM_AT(x, y), n6 = NORM_AT(xp, y);
            const double n7 = NORM_AT(xm, yp), n8 = NORM_AT(x, yp), n9 = NORM_AT(xp, yp);
            /* "as implemented in UOCTTI code": upper-left, upper-right,
             * lower-left, lower-right blocks. */
            const double f1 = 1.0 / sqrt(n1 + n2 + n4 + n5 + 1e-4);
            const double f2 = 1.0 / sqrt(n2 + n3 + n5 + n6 + 1e-4);
            const double f3 = 1.0 / sqrt(n4 + n5 + n7 + n8 + 1e-4);
            const double f4 = 1.0 / sqrt(n5 + n6 + n8 + n9 + 1e-4);
            double t1 = 0, t2 = 0, t3 = 0, t4 = 0;
            const size_t cell = (size_t)y * (size_t)hog_w + (size_t)x;
            float *o = out_features + cell * dim;
            for (long k = 0; k < no; k++) {
                double ha = hist[(size_t)k * cells + cell];
                double hb = hist[(size_t)(k + no) * cells + cell];
                double ha1 = f1 * ha, ha2 = f2 * ha, ha3 = f3 * ha, ha4 = f4 * ha;
                double hb1 = f1 * hb, hb2 = f2 * hb, hb3 = f3 * hb, hb4 = f4 * hb;
                double hc1 = ha1 + hb1, hc2 = ha2 + hb2, hc3 = ha3 + hb3, hc4 = ha4 + hb4;
                ha1 = min_d(0.2, ha1);
                ha2 = min_d(0.2, ha2);
                ha3 = min_d(0.2, ha3);
                ha4 = min_d(0.2, ha4);
                hb1 = min_d(0.2, hb1);
                hb2 = min_d(0.2, hb2);
                hb3 = min_d(0.2, hb3);
                hb4 = min_d(0.2, hb4);
                hc1 = min_d(0.2, hc1);
                hc2 = min_d(0.2, hc2);
                hc3 = min_d(0.2, hc3);
                hc4 = min_d(0.2, hc4);
                t1 += hc1;
                t2 += hc2;
                t3 += hc3;
                t4 += hc4;
                o[k] = (float)(0.5 * (ha1 + ha2 + ha3 + ha4));
                o[k + no] = (float)(0.5 * (hb1 + hb2 + hb3 + hb4));
                o[k + 2 * no] = (float)(0.5 * (hc1 + hc2 + hc3 + hc4));
            }
            o[3 * no + 0] = (float)(texture_scale * t1);
            o[3 * no + 1] = (float)(texture_scale * t2);
            o[3 * no + 2] = (float)(texture_scale * t3);
            o[3 * no + 3] = (float)(texture_scale * t4);
        }
    }
#undef NORM_AT
#undef AT
    hogfeat__free(hist);
    return HOGFEAT_OK;
}
