/* Local Binary Patterns, bit-identical to scikit-image 0.19
 * skimage/feature/_texture.pyx (_local_binary_pattern) and the bilinear
 * interpolation of skimage/_shared/interpolation.pxd.
 *
 * A plain scalar implementation: LBP is not one of the kernels of
 * lib/kernels/ yet. Moving it there (with SIMD variants) must keep the
 * double-precision expressions below in the same order, or the codes stop
 * being bit-identical. */
#include <math.h>
#include <string.h>

#include "private.h"

#if defined(__clang__)
/* a * b + c must round twice, as in scikit-image's build (no FMA). GCC
 * already keeps them apart in ISO C mode (-std=c11 implies -ffp-contract=off). */
#  pragma STDC FP_CONTRACT OFF
#endif

#define LBP_PI 3.14159265358979323846

struct hogfeat_lbp_config {
    int32_t points;
    float radius;
    hogfeat_lbp_method method;
    int32_t cell_w, cell_h;
    hogfeat_lbp_norm norm;
    /* Offsets of the sampling points, derived from points and radius. */
    double rp[HOGFEAT_LBP_MAX_POINTS];
    double cp[HOGFEAT_LBP_MAX_POINTS];
};

/* numpy.round(v, 5): multiply by 10^5, round half to even, divide. */
static double round5(double v)
{
    return nearbyint(v * 100000.0) / 100000.0;
}

static void update_offsets(hogfeat_lbp_config *config)
{
    /* rr = -R * sin(2 * pi * arange(P) / P), cc = R * cos(...), with R
     * widened from float (the Cython signature declares "float R"). The
     * argument is (2 * pi) * i / P in that order. numpy may use its own SIMD
     * sin/cos, which can differ from libm in the last bit; after rounding to
     * 5 decimals that never mattered for P <= 32 (checked by the fixture
     * generator). */
    const double r = (double)config->radius;
    const double two_pi = 2.0 * LBP_PI;
    for (int32_t i = 0; i < config->points; i++) {
        double a = two_pi * (double)i / (double)config->points;
        config->rp[i] = round5(-r * sin(a));
        config->cp[i] = round5(r * cos(a));
    }
}

static void set_defaults(hogfeat_lbp_config *config)
{
    config->points = 8;
    config->radius = 1.0f;
    config->method = HOGFEAT_LBP_UNIFORM;
    config->cell_w = config->cell_h = 16;
    config->norm = HOGFEAT_LBP_NORM_L1;
    update_offsets(config);
}

hogfeat_status hogfeat_lbp_config_create(hogfeat_lbp_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_lbp_config_create: out_config is NULL");
    *out_config = NULL;
    hogfeat_lbp_config *config = hogfeat__calloc(1, sizeof *config);
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an LBP configuration");
    set_defaults(config);
    *out_config = config;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_config_copy(const hogfeat_lbp_config *config, hogfeat_lbp_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_lbp_config_copy: out_config is NULL");
    *out_config = NULL;
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_lbp_config_copy: config is NULL");
    hogfeat_lbp_config *copy = hogfeat__malloc(sizeof *copy);
    if (!copy)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an LBP configuration");
    *copy = *config;
    *out_config = copy;
    return HOGFEAT_OK;
}

void hogfeat_lbp_config_destroy(hogfeat_lbp_config *config)
{
    hogfeat__free(config);
}

#define REQUIRE_CONFIG(config, fn)                                                                 \
    do {                                                                                           \
        if (!(config))                                                                             \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": config is NULL");                 \
    } while (0)

hogfeat_status hogfeat_lbp_config_set_points(hogfeat_lbp_config *config, int32_t num_points)
{
    REQUIRE_CONFIG(config, "hogfeat_lbp_config_set_points");
    if (num_points < 1 || num_points > HOGFEAT_LBP_MAX_POINTS)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "number of LBP points %d is outside [1, %d]",
                             (int)num_points, HOGFEAT_LBP_MAX_POINTS);
    config->points = num_points;
    update_offsets(config);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_config_set_radius(hogfeat_lbp_config *config, float radius_px)
{
    REQUIRE_CONFIG(config, "hogfeat_lbp_config_set_radius");
    if (!(radius_px > 0.0f && radius_px <= (float)HOGFEAT_LBP_MAX_RADIUS_PX))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "LBP radius %g px is not in (0, %d]",
                             (double)radius_px, HOGFEAT_LBP_MAX_RADIUS_PX);
    config->radius = radius_px;
    update_offsets(config);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_config_set_method(hogfeat_lbp_config *config, hogfeat_lbp_method method)
{
    REQUIRE_CONFIG(config, "hogfeat_lbp_config_set_method");
    switch (method) {
    case HOGFEAT_LBP_DEFAULT:
    case HOGFEAT_LBP_ROR:
    case HOGFEAT_LBP_UNIFORM:
    case HOGFEAT_LBP_NRI_UNIFORM:
    case HOGFEAT_LBP_VAR:
        config->method = method;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "LBP method %d is not a hogfeat_lbp_method", (int)method);
}

hogfeat_status hogfeat_lbp_config_set_cell_size(hogfeat_lbp_config *config, int32_t cell_width_px,
                                                int32_t cell_height_px)
{
    REQUIRE_CONFIG(config, "hogfeat_lbp_config_set_cell_size");
    if (cell_width_px < 1 || cell_width_px > HOGFEAT_LBP_MAX_CELL_PX || cell_height_px < 1 ||
        cell_height_px > HOGFEAT_LBP_MAX_CELL_PX)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "LBP cell size %dx%d px is outside [1, %d]",
                             (int)cell_width_px, (int)cell_height_px, HOGFEAT_LBP_MAX_CELL_PX);
    config->cell_w = cell_width_px;
    config->cell_h = cell_height_px;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_config_set_norm(hogfeat_lbp_config *config, hogfeat_lbp_norm norm)
{
    REQUIRE_CONFIG(config, "hogfeat_lbp_config_set_norm");
    switch (norm) {
    case HOGFEAT_LBP_NORM_NONE:
    case HOGFEAT_LBP_NORM_L1:
    case HOGFEAT_LBP_NORM_L2:
        config->norm = norm;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "LBP norm %d is not a hogfeat_lbp_norm", (int)norm);
}

int32_t hogfeat_lbp_config_get_points(const hogfeat_lbp_config *config)
{
    return config ? config->points : 0;
}
float hogfeat_lbp_config_get_radius(const hogfeat_lbp_config *config)
{
    return config ? config->radius : 0.0f;
}
int hogfeat_lbp_config_get_method(const hogfeat_lbp_config *config)
{
    return config ? (int)config->method : 0;
}
int32_t hogfeat_lbp_config_get_cell_width(const hogfeat_lbp_config *config)
{
    return config ? config->cell_w : 0;
}
int32_t hogfeat_lbp_config_get_cell_height(const hogfeat_lbp_config *config)
{
    return config ? config->cell_h : 0;
}
int hogfeat_lbp_config_get_norm(const hogfeat_lbp_config *config)
{
    return config ? (int)config->norm : 0;
}

/* Number of codes as uint64 (2^32 for P = 32 does not fit 32-bit size_t). */
static uint64_t num_codes(const hogfeat_lbp_config *config)
{
    const uint64_t p = (uint64_t)config->points;
    switch (config->method) {
    case HOGFEAT_LBP_DEFAULT:
    case HOGFEAT_LBP_ROR:
        return (uint64_t)1 << p;
    case HOGFEAT_LBP_UNIFORM:
        return p + 2;
    case HOGFEAT_LBP_NRI_UNIFORM:
        return p * (p - 1) + 3;
    case HOGFEAT_LBP_VAR:
        break;
    }
    return 0;
}

size_t hogfeat_lbp_num_bins(const hogfeat_lbp_config *config)
{
    if (!config)
        return 0;
    uint64_t n = num_codes(config);
    return n > (uint64_t)SIZE_MAX ? 0 : (size_t)n;
}

/* ---- codes ---------------------------------------------------------------- */

typedef struct lbp_image {
    const unsigned char *pixels;
    size_t stride;
    long rows, cols;
    int f32;
} lbp_image;

/* get_pixel2d with mode 'C' and cval 0, as float64. */
static inline double pixel(const lbp_image *im, long r, long c)
{
    if (r < 0 || r >= im->rows || c < 0 || c >= im->cols)
        return 0.0;
    const unsigned char *row = im->pixels + (size_t)r * im->stride;
    if (im->f32) {
        float v;
        memcpy(&v, row + (size_t)c * sizeof(float), sizeof v);
        return (double)v;
    }
    return (double)row[c];
}

/* skimage's bilinear_interpolation[float64, double, double]. */
static inline double bilinear(const lbp_image *im, double r, double c)
{
    long minr = (long)floor(r), minc = (long)floor(c);
    long maxr = (long)ceil(r), maxc = (long)ceil(c);
    double dr = r - (double)minr, dc = c - (double)minc;
    double top_left = pixel(im, minr, minc), top_right = pixel(im, minr, maxc);
    double bottom_left = pixel(im, maxr, minc), bottom_right = pixel(im, maxr, maxc);
    double top = (1 - dc) * top_left + dc * top_right;
    double bottom = (1 - dc) * bottom_left + dc * bottom_right;
    return (1 - dr) * top + dr * bottom;
}

static inline uint32_t rotate_right(uint32_t v, int32_t bits)
{
    return (v >> 1) | ((v & 1u) << (bits - 1));
}

/* Code of pixel (r, c); for the var method *out_var receives the value. */
static uint32_t lbp_pixel(const hogfeat_lbp_config *config, const lbp_image *im, long r, long c, double *out_var)
{
    const int32_t p = config->points;
    double texture[HOGFEAT_LBP_MAX_POINTS];
    unsigned char bit[HOGFEAT_LBP_MAX_POINTS];
    const double centre = pixel(im, r, c);
    for (int32_t i = 0; i < p; i++)
        texture[i] = bilinear(im, (double)r + config->rp[i], (double)c + config->cp[i]);
    for (int32_t i = 0; i < p; i++)
        bit[i] = texture[i] - centre >= 0 ? 1 : 0;

    switch (config->method) {
    case HOGFEAT_LBP_VAR: {
        /* Biased variance, as the LBP paper and scikit-image. */
        double sum = 0.0, var = 0.0;
        for (int32_t i = 0; i < p; i++) {
            sum += texture[i];
            var += texture[i] * texture[i];
        }
        var = (var - (sum * sum) / p) / p;
        *out_var = var != 0 ? var : NAN;
        return 0;
    }
    case HOGFEAT_LBP_UNIFORM:
    case HOGFEAT_LBP_NRI_UNIFORM: {
        /* Changes along the open chain 0..P-1; for an even circular count
         * this is the same test as "at most two circular changes". */
        int32_t changes = 0;
        for (int32_t i = 0; i + 1 < p; i++)
            changes += bit[i] != bit[i + 1];
        if (config->method == HOGFEAT_LBP_UNIFORM) {
            if (changes > 2)
                return (uint32_t)p + 1;
            uint32_t ones = 0;
            for (int32_t i = 0; i < p; i++)
                ones += bit[i];
            return ones;
        }
        if (changes > 2)
            return (uint32_t)(p * (p - 1) + 2);
        int32_t n_ones = 0, first_one = -1, first_zero = -1;
        for (int32_t i = 0; i < p; i++) {
            if (bit[i]) {
                n_ones++;
                if (first_one == -1)
                    first_one = i;
            } else if (first_zero == -1) {
                first_zero = i;
            }
        }
        if (n_ones == 0)
            return 0;
        if (n_ones == p)
            return (uint32_t)(p * (p - 1) + 1);
        int32_t rot_index = first_one == 0 ? n_ones - first_zero : p - first_one;
        return (uint32_t)(1 + (n_ones - 1) * p + rot_index);
    }
    case HOGFEAT_LBP_DEFAULT:
    case HOGFEAT_LBP_ROR:
        break;
    }
    uint32_t code = 0;
    for (int32_t i = 0; i < p; i++)
        code |= (uint32_t)bit[i] << i;
    if (config->method == HOGFEAT_LBP_ROR) {
        uint32_t v = code, best = code;
        for (int32_t i = 1; i < p; i++) {
            v = rotate_right(v, p);
            if (v < best)
                best = v;
        }
        code = best;
    }
    return code;
}

static hogfeat_status check_format(const char *fn, const hogfeat_image *image)
{
    if (image->format != HOGFEAT_FORMAT_U8_GRAY && image->format != HOGFEAT_FORMAT_F32_GRAY)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: LBP needs a one-channel image, not format %d",
                             fn, (int)image->format);
    return HOGFEAT_OK;
}

/* Fills *im from a one-channel image; fails on any non-finite pixel (every
 * pixel can be sampled by a neighbour's circle). */
static hogfeat_status prepare_image(const char *fn, const hogfeat_image *image, lbp_image *im)
{
    im->pixels = image->pixels;
    im->stride = image->stride_bytes;
    im->rows = (long)image->height;
    im->cols = (long)image->width;
    im->f32 = image->format == HOGFEAT_FORMAT_F32_GRAY;
    if (im->f32) {
        for (size_t y = 0; y < image->height; y++) {
            const unsigned char *row = image->pixels + y * image->stride_bytes;
            for (size_t x = 0; x < image->width; x++) {
                float v;
                memcpy(&v, row + x * sizeof(float), sizeof v);
                if (HOGFEAT_UNLIKELY(!isfinite(v)))
                    return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: pixel (x %zu, y %zu) is %s", fn, x, y,
                                         isnan(v) ? "NaN" : "infinite");
            }
        }
    }
    return HOGFEAT_OK;
}

static hogfeat_status check_codes_call(const char *fn, const hogfeat_lbp_config *config, const hogfeat_image *image,
                                       const void *out, size_t out_capacity, lbp_image *im)
{
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: config is NULL", fn);
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image is NULL", fn);
    if (!out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: output buffer is NULL", fn);
    hogfeat_status st = check_format(fn, image);
    if (st != HOGFEAT_OK)
        return st;
    /* width * height <= 2^28: no overflow. */
    size_t n = image->width * image->height;
    if (out_capacity < n)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the image has %zu pixels; the output holds %zu", fn,
                             n, out_capacity);
    return prepare_image(fn, image, im);
}

hogfeat_status hogfeat_lbp_codes(const hogfeat_lbp_config *config, const hogfeat_image *image, uint32_t *out_codes,
                                 size_t out_capacity)
{
    static const char fn[] = "hogfeat_lbp_codes";
    if (config && config->method == HOGFEAT_LBP_VAR)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "%s: the var method gives real values, not codes; use hogfeat_lbp_codes_f32", fn);
    lbp_image im;
    hogfeat_status st = check_codes_call(fn, config, image, out_codes, out_capacity, &im);
    if (st != HOGFEAT_OK)
        return st;
    double unused = 0.0;
    for (long r = 0; r < im.rows; r++)
        for (long c = 0; c < im.cols; c++)
            out_codes[(size_t)r * (size_t)im.cols + (size_t)c] = lbp_pixel(config, &im, r, c, &unused);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_codes_f32(const hogfeat_lbp_config *config, const hogfeat_image *image, float *out_values,
                                     size_t out_capacity)
{
    static const char fn[] = "hogfeat_lbp_codes_f32";
    lbp_image im;
    hogfeat_status st = check_codes_call(fn, config, image, out_values, out_capacity, &im);
    if (st != HOGFEAT_OK)
        return st;
    const int var = config->method == HOGFEAT_LBP_VAR;
    for (long r = 0; r < im.rows; r++) {
        for (long c = 0; c < im.cols; c++) {
            double v = 0.0;
            uint32_t code = lbp_pixel(config, &im, r, c, &v);
            out_values[(size_t)r * (size_t)im.cols + (size_t)c] = var ? (float)v : (float)code;
        }
    }
    return HOGFEAT_OK;
}

/* ---- histograms ----------------------------------------------------------- */

typedef struct lbp_grid {
    size_t cells_x, cells_y, bins, length;
} lbp_grid;

static hogfeat_status compute_grid(const char *fn, const hogfeat_lbp_config *config, size_t width, size_t height,
                                   lbp_grid *grid)
{
    if (config->method == HOGFEAT_LBP_VAR)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: the var method has no histogram", fn);
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: image size %zux%zu has a zero side", fn, width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: image size %zux%zu exceeds the limit of %zu pixels", fn,
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    uint64_t bins = num_codes(config);
    if (bins > HOGFEAT_LBP_MAX_HISTOGRAM_BINS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "%s: %d points give %llu codes; histograms allow at most %d bins (use P <= 16 or a "
                             "uniform method)",
                             fn, (int)config->points, (unsigned long long)bins, HOGFEAT_LBP_MAX_HISTOGRAM_BINS);
    grid->cells_x = width / (size_t)config->cell_w;
    grid->cells_y = height / (size_t)config->cell_h;
    if (grid->cells_x == 0 || grid->cells_y == 0)
        return hogfeat__fail(HOGFEAT_ERR_IMAGE_TOO_SMALL, "%s: a cell of %dx%d px does not fit a %zux%zu image", fn,
                             (int)config->cell_w, (int)config->cell_h, width, height);
    grid->bins = (size_t)bins;
    /* At most 2^28 cells of 2^16 bins: fits 64-bit size_t, maybe not 32-bit. */
    size_t len;
    if (hogfeat__mul_overflow(grid->cells_x * grid->cells_y, grid->bins, &len) || len > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the descriptor of a %zux%zu image overflows size_t", fn,
                             width, height);
    grid->length = len;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_feature_length(const hogfeat_lbp_config *config, size_t width, size_t height,
                                          size_t *out_length)
{
    static const char fn[] = "hogfeat_lbp_feature_length";
    REQUIRE_CONFIG(config, "hogfeat_lbp_feature_length");
    if (!out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out_length is NULL", fn);
    lbp_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = compute_grid(fn, config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_length = grid.length;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_lbp_compute(const hogfeat_lbp_config *config, const hogfeat_image *image, float *out_features,
                                   size_t out_capacity)
{
    static const char fn[] = "hogfeat_lbp_compute";
    REQUIRE_CONFIG(config, "hogfeat_lbp_compute");
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image is NULL", fn);
    if (!out_features)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: out_features is NULL", fn);
    lbp_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = compute_grid(fn, config, image->width, image->height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    st = check_format(fn, image);
    if (st != HOGFEAT_OK)
        return st;
    if (out_capacity < grid.length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the descriptor has %zu floats; the output holds %zu",
                             fn, grid.length, out_capacity);
    lbp_image im;
    st = prepare_image(fn, image, &im);
    if (st != HOGFEAT_OK)
        return st;

    /* Counts are exact in float: a cell has at most 2^24 pixels. */
    memset(out_features, 0, grid.length * sizeof *out_features);
    const size_t cw = (size_t)config->cell_w, ch = (size_t)config->cell_h;
    const size_t used_w = grid.cells_x * cw, used_h = grid.cells_y * ch;
    double unused = 0.0;
    for (size_t y = 0; y < used_h; y++) {
        float *cell_row = out_features + (y / ch) * grid.cells_x * grid.bins;
        for (size_t x = 0; x < used_w; x++) {
            uint32_t code = lbp_pixel(config, &im, (long)y, (long)x, &unused);
            cell_row[(x / cw) * grid.bins + code] += 1.0f;
        }
    }
    if (config->norm == HOGFEAT_LBP_NORM_NONE)
        return HOGFEAT_OK;
    const size_t cells = grid.cells_x * grid.cells_y;
    for (size_t i = 0; i < cells; i++) {
        float *h = out_features + i * grid.bins;
        double denom;
        if (config->norm == HOGFEAT_LBP_NORM_L1) {
            denom = (double)cw * (double)ch;
        } else {
            double ss = 0.0;
            for (size_t b = 0; b < grid.bins; b++)
                ss += (double)h[b] * (double)h[b];
            denom = sqrt(ss); /* > 0: every pixel has a code */
        }
        for (size_t b = 0; b < grid.bins; b++)
            h[b] = (float)((double)h[b] / denom);
    }
    return HOGFEAT_OK;
}
