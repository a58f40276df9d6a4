#include <math.h>
#include <string.h>

#include "private.h"
#include "sqrt_u8_table.h"

#define HF_PI 3.14159265358979323846

/* ---- configuration ---------------------------------------------------- */

int hogfeat__hog_reference_bin(double gx, double gy, int32_t nbins, int is_signed)
{
    /* scikit-image 0.19 _hoghistogram.pyx: orientation =
     * rad2deg(arctan2(g_row, g_col)) % 180, and a pixel belongs to bin i when
     * (180 / n) * i <= orientation < (180 / n) * (i + 1), all in float64.
     * numpy's rad2deg multiplies by 180 / pi; its % adds the divisor to a
     * negative fmod and turns a zero into +0. */
    const double period = is_signed ? 360.0 : 180.0;
    double deg = atan2(gy, gx) * (180.0 / HF_PI);
    double m = fmod(deg, period);
    if (m != 0.0) {
        if (m < 0.0)
            m += period;
    } else {
        m = 0.0;
    }
    if (isnan(m))
        return -1;
    const double width = period / nbins;
    if (is_signed && m >= period)
        m = 0.0; /* our own 0-360 rule: an angle that rounds to 360 is 0 */
    int guess = (int)(m / width);
    for (int i = guess - 1; i <= guess + 1; i++) {
        if (i < 0 || i >= nbins)
            continue;
        double start = width * (i + 1), end = width * i;
        if (!(m >= start || m < end))
            return i;
    }
    if (is_signed)
        return nbins - 1; /* rounding left [width * n, 360) uncovered: last bin */
    return -1;
}

static void update_bins(hogfeat_hog_config *config)
{
    hogfeat__binparams *bp = &config->bins;
    static const int dir[8][2] = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
    bp->nbins = config->orientations;
    bp->is_signed = config->signed_orientations;
    bp->scale = (float)(config->orientations / (config->signed_orientations ? 2.0 * HF_PI : HF_PI));
    /* 4e-6 rad covers the polynomial (2.5e-7) and float rounding of angles up
     * to 2 pi; hogfeat_hog_compute widens it where gradients are inexact. */
    bp->margin = (float)(4e-6 * bp->scale);
    for (int d = 0; d < 8; d++) {
        int b = hogfeat__hog_reference_bin(dir[d][0], dir[d][1], config->orientations,
                                           config->signed_orientations);
        /* An angle in no bin (possible only at 180 exactly) can not be a
         * compass direction here: 180 folds to 0 in unsigned mode. */
        bp->dir_bin[d] = (uint16_t)(b < 0 ? 0 : b);
    }
}

static void set_defaults(hogfeat_hog_config *config)
{
    config->orientations = 9;
    config->cell_w = config->cell_h = 8;
    config->block_w = config->block_h = 3;
    config->stride_x = config->stride_y = 1;
    config->norm = HOGFEAT_NORM_L2HYS;
    config->transform_sqrt = 0;
    config->signed_orientations = 0;
    config->preset = HOGFEAT_HOG_PRESET_SKIMAGE;
    config->layout = HOGFEAT_HOG_LAYOUT_SKIMAGE;
    config->window_sigma = 0.0;
    update_bins(config);
}

hogfeat_status hogfeat_hog_config_create(hogfeat_hog_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_config_create: out_config is NULL");
    *out_config = NULL;
    hogfeat_hog_config *config = hogfeat__calloc(1, sizeof *config);
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a HOG configuration");
    set_defaults(config);
    *out_config = config;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_copy(const hogfeat_hog_config *config, hogfeat_hog_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_config_copy: out_config is NULL");
    *out_config = NULL;
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_config_copy: config is NULL");
    hogfeat_hog_config *copy = hogfeat__malloc(sizeof *copy);
    if (!copy)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a HOG configuration");
    *copy = *config;
    *out_config = copy;
    return HOGFEAT_OK;
}

void hogfeat_hog_config_destroy(hogfeat_hog_config *config)
{
    hogfeat__free(config);
}

#define REQUIRE_CONFIG(config, fn)                                                                 \
    do {                                                                                           \
        if (!(config))                                                                             \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": config is NULL");                 \
    } while (0)

static hogfeat_status check_range(const char *what, int32_t value, int32_t lo, int32_t hi)
{
    if (value < lo || value > hi)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s %d is outside [%d, %d]", what,
                             (int)value, (int)lo, (int)hi);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_orientations(hogfeat_hog_config *config, int32_t num_bins)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_orientations");
    hogfeat_status st = check_range("number of orientations", num_bins, 1, HOGFEAT_HOG_MAX_ORIENTATIONS);
    if (st != HOGFEAT_OK)
        return st;
    config->orientations = num_bins;
    update_bins(config);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_cell_size(hogfeat_hog_config *config, int32_t cell_width_px,
                                                int32_t cell_height_px)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_cell_size");
    hogfeat_status st = check_range("cell width (px)", cell_width_px, 1, HOGFEAT_HOG_MAX_CELL_PX);
    if (st == HOGFEAT_OK)
        st = check_range("cell height (px)", cell_height_px, 1, HOGFEAT_HOG_MAX_CELL_PX);
    if (st != HOGFEAT_OK)
        return st;
    config->cell_w = cell_width_px;
    config->cell_h = cell_height_px;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_block_size(hogfeat_hog_config *config, int32_t block_width_cells,
                                                 int32_t block_height_cells)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_block_size");
    hogfeat_status st = check_range("block width (cells)", block_width_cells, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS);
    if (st == HOGFEAT_OK)
        st = check_range("block height (cells)", block_height_cells, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS);
    if (st != HOGFEAT_OK)
        return st;
    config->block_w = block_width_cells;
    config->block_h = block_height_cells;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_block_stride(hogfeat_hog_config *config, int32_t stride_x_cells,
                                                   int32_t stride_y_cells)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_block_stride");
    hogfeat_status st = check_range("block stride x (cells)", stride_x_cells, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS);
    if (st == HOGFEAT_OK)
        st = check_range("block stride y (cells)", stride_y_cells, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS);
    if (st != HOGFEAT_OK)
        return st;
    config->stride_x = stride_x_cells;
    config->stride_y = stride_y_cells;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_block_norm(hogfeat_hog_config *config, hogfeat_norm norm)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_block_norm");
    switch (norm) {
    case HOGFEAT_NORM_L1:
    case HOGFEAT_NORM_L1_SQRT:
    case HOGFEAT_NORM_L2:
    case HOGFEAT_NORM_L2HYS:
        config->norm = norm;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "block norm %d is not a hogfeat_norm", (int)norm);
}

static hogfeat_status check_flag(const char *what, int enabled)
{
    if (enabled != 0 && enabled != 1)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s must be 0 or 1, not %d", what, enabled);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_transform_sqrt(hogfeat_hog_config *config, int enabled)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_transform_sqrt");
    hogfeat_status st = check_flag("transform_sqrt", enabled);
    if (st != HOGFEAT_OK)
        return st;
    config->transform_sqrt = enabled;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_signed_orientations(hogfeat_hog_config *config, int enabled)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_signed_orientations");
    hogfeat_status st = check_flag("signed orientations", enabled);
    if (st != HOGFEAT_OK)
        return st;
    config->signed_orientations = enabled;
    update_bins(config);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_config_set_preset(hogfeat_hog_config *config, hogfeat_hog_preset preset)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_preset");
    switch (preset) {
    case HOGFEAT_HOG_PRESET_SKIMAGE:
        set_defaults(config);
        return HOGFEAT_OK;
    case HOGFEAT_HOG_PRESET_OPENCV:
        /* cv::HOGDescriptor() defaults, in cells: 8x8 cells, 16x16 blocks,
         * 8x8 stride, 9 bins, L2-Hys 0.2, no gamma, winSigma -1 (automatic). */
        set_defaults(config);
        config->block_w = config->block_h = 2;
        config->preset = HOGFEAT_HOG_PRESET_OPENCV;
        config->layout = HOGFEAT_HOG_LAYOUT_OPENCV;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "preset %d is not a hogfeat_hog_preset", (int)preset);
}

int hogfeat_hog_config_get_preset(const hogfeat_hog_config *config)
{
    return config ? (int)config->preset : 0;
}

static int valid_layout(hogfeat_hog_layout layout)
{
    return layout == HOGFEAT_HOG_LAYOUT_SKIMAGE || layout == HOGFEAT_HOG_LAYOUT_OPENCV;
}

hogfeat_status hogfeat_hog_config_set_layout(hogfeat_hog_config *config, hogfeat_hog_layout layout)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_layout");
    if (!valid_layout(layout))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "layout %d is not a hogfeat_hog_layout", (int)layout);
    config->layout = layout;
    return HOGFEAT_OK;
}

int hogfeat_hog_config_get_layout(const hogfeat_hog_config *config)
{
    return config ? (int)config->layout : 0;
}

hogfeat_status hogfeat_hog_config_set_window_sigma(hogfeat_hog_config *config, double sigma_px)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_config_set_window_sigma");
    if (!(sigma_px >= 0.0 && sigma_px <= 1e6))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "window sigma must be finite and in [0, 1e6] px");
    config->window_sigma = sigma_px;
    return HOGFEAT_OK;
}

double hogfeat_hog_config_get_window_sigma(const hogfeat_hog_config *config)
{
    return config ? config->window_sigma : 0.0;
}

int32_t hogfeat_hog_config_get_orientations(const hogfeat_hog_config *config)
{
    return config ? config->orientations : 0;
}
int32_t hogfeat_hog_config_get_cell_width(const hogfeat_hog_config *config)
{
    return config ? config->cell_w : 0;
}
int32_t hogfeat_hog_config_get_cell_height(const hogfeat_hog_config *config)
{
    return config ? config->cell_h : 0;
}
int32_t hogfeat_hog_config_get_block_width(const hogfeat_hog_config *config)
{
    return config ? config->block_w : 0;
}
int32_t hogfeat_hog_config_get_block_height(const hogfeat_hog_config *config)
{
    return config ? config->block_h : 0;
}
int32_t hogfeat_hog_config_get_block_stride_x(const hogfeat_hog_config *config)
{
    return config ? config->stride_x : 0;
}
int32_t hogfeat_hog_config_get_block_stride_y(const hogfeat_hog_config *config)
{
    return config ? config->stride_y : 0;
}
int hogfeat_hog_config_get_block_norm(const hogfeat_hog_config *config)
{
    return config ? (int)config->norm : 0;
}
int hogfeat_hog_config_get_transform_sqrt(const hogfeat_hog_config *config)
{
    return config ? config->transform_sqrt : 0;
}
int hogfeat_hog_config_get_signed_orientations(const hogfeat_hog_config *config)
{
    return config ? config->signed_orientations : 0;
}

/* ---- geometry ----------------------------------------------------------- */

typedef struct hog_grid {
    size_t cells_x, cells_y;
    size_t blocks_x, blocks_y;
    size_t length;
} hog_grid;

static hogfeat_status compute_grid(const hogfeat_hog_config *config, size_t width, size_t height,
                                   hog_grid *grid)
{
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "image size %zux%zu has a zero side", width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "image size %zux%zu exceeds the limit of %zu pixels",
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    grid->cells_x = width / (size_t)config->cell_w;
    grid->cells_y = height / (size_t)config->cell_h;
    if (grid->cells_x < (size_t)config->block_w || grid->cells_y < (size_t)config->block_h)
        return hogfeat__fail(HOGFEAT_ERR_IMAGE_TOO_SMALL,
                             "a block of %dx%d cells of %dx%d px needs at least %dx%d px; the image is %zux%zu",
                             (int)config->block_w, (int)config->block_h, (int)config->cell_w,
                             (int)config->cell_h, (int)(config->block_w * config->cell_w),
                             (int)(config->block_h * config->cell_h), width, height);
    grid->blocks_x = (grid->cells_x - (size_t)config->block_w) / (size_t)config->stride_x + 1;
    grid->blocks_y = (grid->cells_y - (size_t)config->block_h) / (size_t)config->stride_y + 1;
    /* Up to 2^28 blocks of 64 * 64 * 360 values: fits 64-bit size_t, not 32-bit. */
    size_t len = grid->blocks_x;
    if (hogfeat__mul_overflow(len, grid->blocks_y, &len) ||
        hogfeat__mul_overflow(len, (size_t)config->block_w * (size_t)config->block_h, &len) ||
        hogfeat__mul_overflow(len, (size_t)config->orientations, &len) || len > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the descriptor of a %zux%zu image overflows size_t",
                             width, height);
    grid->length = len;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_block_grid(const hogfeat_hog_config *config, size_t width, size_t height,
                                      size_t *out_blocks_x, size_t *out_blocks_y)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_block_grid");
    if (!out_blocks_x || !out_blocks_y)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_block_grid: output pointer is NULL");
    hog_grid grid = {0, 0, 0, 0, 0};
    hogfeat_status st = compute_grid(config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_blocks_x = grid.blocks_x;
    *out_blocks_y = grid.blocks_y;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_feature_length(const hogfeat_hog_config *config, size_t width, size_t height,
                                          size_t *out_length)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_feature_length");
    if (!out_length)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_feature_length: out_length is NULL");
    hog_grid grid = {0, 0, 0, 0, 0};
    hogfeat_status st = compute_grid(config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_length = grid.length;
    return HOGFEAT_OK;
}

/* ---- compute ------------------------------------------------------------ */

static inline const unsigned char *row_ptr(const hogfeat_image *image, size_t y)
{
    return image->pixels + y * image->stride_bytes;
}

/* Sample (x, c) of row y in scikit-image's working precision: float64 for
 * uint8 images, float32 for float images, after the optional square root. */
static double exact_sample(const hogfeat_image *image, int transform_sqrt, size_t x, int c, size_t y)
{
    size_t i = x * (size_t)image->channels + (size_t)c;
    if (image->sample_bytes == 1) {
        uint8_t v = row_ptr(image, y)[i];
        return transform_sqrt ? hogfeat__sqrt_u8[v] : (double)v;
    }
    float v;
    memcpy(&v, row_ptr(image, y) + i * sizeof(float), sizeof v);
    return transform_sqrt ? (double)sqrtf(v) : (double)v;
}

/* One pixel exactly as scikit-image computes it, for the rare pixels the
 * float kernel cannot bin with certainty. */
static void exact_pixel(const hogfeat_image *image, const hogfeat_hog_config *config, size_t x, size_t y,
                        float *out_mag, uint16_t *out_bin)
{
    const int f32 = image->sample_bytes == 4;
    double best_gx = 0.0, best_gy = 0.0, best_m = -1.0;
    for (int c = 0; c < image->channels; c++) {
        double gx = 0.0, gy = 0.0;
        if (x > 0 && x + 1 < image->width)
            gx = exact_sample(image, config->transform_sqrt, x + 1, c, y) -
                 exact_sample(image, config->transform_sqrt, x - 1, c, y);
        if (y > 0 && y + 1 < image->height)
            gy = exact_sample(image, config->transform_sqrt, x, c, y + 1) -
                 exact_sample(image, config->transform_sqrt, x, c, y - 1);
        if (f32) {
            /* float32 arithmetic, and numpy's float32 hypot for the argmax */
            gx = (float)gx;
            gy = (float)gy;
        }
        double m = f32 ? (double)(float)sqrt(gx * gx + gy * gy) : hypot(gx, gy);
        if (c == 0 || m > best_m || (isnan(m) && !isnan(best_m))) {
            best_m = m;
            best_gx = gx;
            best_gy = gy;
        }
    }
    int b = hogfeat__hog_reference_bin(best_gx, best_gy, config->orientations, config->signed_orientations);
    *out_mag = b < 0 ? 0.0f : (float)hypot(best_gx, best_gy);
    *out_bin = (uint16_t)(b < 0 ? 0 : b);
    if (isnan(best_gx) || isnan(best_gy))
        *out_mag = NAN; /* keep the NaN visible to the finiteness check */
}

/* Converts source row y to float samples (with the optional square root) for
 * columns [0, ncols). */
static void convert_row(const hogfeat_image *image, int transform_sqrt, size_t y, size_t ncols, float *dst)
{
    size_t n = ncols * (size_t)image->channels;
    const unsigned char *src = row_ptr(image, y);
    if (image->sample_bytes == 1) {
        if (transform_sqrt)
            for (size_t i = 0; i < n; i++)
                dst[i] = (float)hogfeat__sqrt_u8[src[i]];
        else
            for (size_t i = 0; i < n; i++)
                dst[i] = (float)src[i];
    } else {
        const float *s = (const float *)(const void *)src;
        for (size_t i = 0; i < n; i++)
            dst[i] = sqrtf(s[i]);
    }
}

hogfeat_status hogfeat__buffer_reserve(hogfeat__buffer *buf, size_t bytes)
{
    if (bytes <= buf->capacity)
        return HOGFEAT_OK;
    /* Grow geometrically so a batch of slightly different sizes settles fast. */
    size_t want = buf->capacity + buf->capacity / 2;
    if (want < bytes)
        want = bytes;
    unsigned char *data = hogfeat__malloc(want);
    if (!data)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu bytes of workspace", want);
    hogfeat__free(buf->data);
    buf->data = data;
    buf->capacity = want;
    return HOGFEAT_OK;
}

void hogfeat__buffer_release(hogfeat__buffer *buf)
{
    hogfeat__free(buf->data);
    buf->data = NULL;
    buf->capacity = 0;
}

void hogfeat__workspace_release(hogfeat__workspace *ws)
{
    hogfeat__buffer_release(&ws->hog);
    hogfeat__buffer_release(&ws->pre1);
    hogfeat__buffer_release(&ws->pre2);
    hogfeat__buffer_release(&ws->block);
    hogfeat__buffer_release(&ws->concat);
}

hogfeat_status hogfeat_hog_compute(const hogfeat_hog_config *config, const hogfeat_image *image,
                                   float *out_features, size_t out_capacity)
{
    hogfeat__workspace ws;
    memset(&ws, 0, sizeof ws);
    hogfeat_status st = hogfeat__hog_compute_ws(config, image, out_features, out_capacity, &ws);
    hogfeat__workspace_release(&ws);
    return st;
}

hogfeat_status hogfeat__hog_compute_ws(const hogfeat_hog_config *config, const hogfeat_image *image,
                                       float *out_features, size_t out_capacity, hogfeat__workspace *wsp)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_compute");
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_compute: image is NULL");
    if (!out_features)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_compute: out_features is NULL");
    hog_grid grid = {0, 0, 0, 0, 0};
    hogfeat_status st = compute_grid(config, image->width, image->height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    if (out_capacity < grid.length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL,
                             "the descriptor has %zu floats; the output holds %zu", grid.length, out_capacity);

    if (config->preset == HOGFEAT_HOG_PRESET_OPENCV)
        return hogfeat__hog_compute_opencv(config, image, out_features, wsp);

    const hogfeat__kernels *k = hogfeat__kernels_get();
    const size_t nbins = (size_t)config->orientations;
    const size_t width = image->width, height = image->height;
    const size_t used_w = grid.cells_x * (size_t)config->cell_w;
    const size_t used_h = grid.cells_y * (size_t)config->cell_h;
    const int channels = image->channels;
    /* Columns read: up to used_w, plus one to the right for gx. */
    const size_t read_w = used_w < width ? used_w + 1 : width;
    /* One-channel uint8 goes to its own kernel unconverted; float images
     * without the square root are read in place; the rest is converted to
     * float rows, three at a time. */
    const int direct_u8 = image->format == HOGFEAT_FORMAT_U8_GRAY && !config->transform_sqrt;
    const int needs_convert = !direct_u8 && (image->sample_bytes == 1 || config->transform_sqrt);
    const size_t row_floats = read_w * (size_t)channels;
    const size_t hist_len = grid.cells_x * grid.cells_y * nbins;

    /* Workspace: histograms of all cells, the band accumulator (see
     * cell_accumulate_row), magnitudes, per-column cell offsets, three
     * converted rows, bins. Sizes are bounded by 2^28 pixels, so these sums
     * can not overflow. */
    const size_t hist_row_len = grid.cells_x * nbins;
    size_t bytes = (hist_len + 2 * hist_row_len + 8 + used_w) * sizeof(float) + used_w * sizeof(int32_t) +
                   (needs_convert ? 3 * row_floats * sizeof(float) : 0) + used_w * sizeof(uint16_t) + 64;
    st = hogfeat__buffer_reserve(&wsp->hog, bytes);
    if (st != HOGFEAT_OK)
        return st;
    float *hist = (float *)(void *)wsp->hog.data;
    float *acc = hist + hist_len; /* the row of cells being filled: 2 rows + 8 sinks */
    float *mag = acc + 2 * hist_row_len + 8;
    int32_t *cell_base = (int32_t *)(void *)(mag + used_w);
    float *rows = (float *)(void *)(cell_base + used_w);
    uint16_t *bin = (uint16_t *)(void *)(rows + (needs_convert ? 3 * row_floats : 0));
    memset(acc, 0, (2 * hist_row_len + 8) * sizeof *acc);
    for (size_t x = 0; x < used_w; x++)
        cell_base[x] = (int32_t)((x / (size_t)config->cell_w) * nbins);

    hogfeat__binparams bp = config->bins;
    if (image->sample_bytes == 1 && config->transform_sqrt) {
        /* float square roots of uint8 differ from float64 ones by up to
         * 2e-6 absolute; the smallest non-zero difference is 0.031, so angles
         * can be off by 7e-5 rad: recheck anything within 3e-4 rad of an edge. */
        bp.margin = (float)(3e-4 * bp.scale);
    }

    size_t ring_row[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    for (size_t y = 0; y < used_h; y++) {
        const int border = y == 0 || y + 1 >= height;
        size_t rechecks;
        if (direct_u8) {
            const uint8_t *cur = row_ptr(image, y), *prev = NULL, *next = NULL;
            if (!border) {
                prev = row_ptr(image, y - 1);
                next = row_ptr(image, y + 1);
            }
            rechecks = k->grad_bin_row_u8(prev, cur, next, width, used_w, &bp, mag, bin);
        } else {
            const float *cur, *prev = NULL, *next = NULL;
            if (needs_convert) {
                size_t lo = y == 0 ? 0 : y - 1, hi = y + 1 < height ? y + 1 : y;
                for (size_t r = lo; r <= hi; r++) {
                    if (ring_row[r % 3] != r) {
                        convert_row(image, config->transform_sqrt, r, read_w, rows + (r % 3) * row_floats);
                        ring_row[r % 3] = r;
                    }
                }
                cur = rows + (y % 3) * row_floats;
                if (!border) {
                    prev = rows + ((y - 1) % 3) * row_floats;
                    next = rows + ((y + 1) % 3) * row_floats;
                }
            } else {
                cur = (const float *)(const void *)row_ptr(image, y);
                if (!border) {
                    prev = (const float *)(const void *)row_ptr(image, y - 1);
                    next = (const float *)(const void *)row_ptr(image, y + 1);
                }
            }
            rechecks = k->grad_bin_row(prev, cur, next, channels, width, used_w, &bp, mag, bin);
        }
        /* The count only says whether to look: every marked pixel must be
         * resolved, or the accumulation would index past the histogram. */
        if (rechecks > 0) {
            for (size_t x = 0; x < used_w; x++)
                if (bin[x] == HOGFEAT__BIN_RECHECK)
                    exact_pixel(image, config, x, y, &mag[x], &bin[x]);
        }
        k->cell_accumulate_row(mag, bin, cell_base, used_w, acc, hist_row_len);
        if ((y + 1) % (size_t)config->cell_h == 0) {
            /* End of a row of cells: its histograms are the two rows' sum. */
            float *hist_row = hist + (y / (size_t)config->cell_h) * hist_row_len;
            for (size_t i = 0; i < hist_row_len; i++) {
                hist_row[i] = acc[i] + acc[hist_row_len + i];
                acc[i] = acc[hist_row_len + i] = 0.0f;
            }
        }
    }

    /* Only float samples can be NaN or infinite (uint8 gradients are
     * bounded); check the raw sums before anything is written. */
    if (image->sample_bytes == 4) {
        for (size_t i = 0; i < hist_len; i++) {
            if (HOGFEAT_UNLIKELY(!isfinite(hist[i]))) {
                size_t cell = i / nbins;
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                                     "cell (row %zu, column %zu) has a NaN or infinite gradient",
                                     cell / grid.cells_x, cell % grid.cells_x);
            }
        }
    }
    /* scikit-image divides each cell's float32 sum by the cell area; the
     * normalisation kernels do that (or fold it into eps). */
    const double area = (double)config->cell_w * (double)config->cell_h;

    const size_t block_len = (size_t)config->block_w * (size_t)config->block_h * nbins;
    const size_t cell_row_stride = grid.cells_x * nbins;
    /* OpenCV order: blocks column by column, and cells column by column
     * inside a block; each block is normalised into a scratch buffer of its
     * own (the preprocessing ones may hold the image a later descriptor of a
     * pipeline reads) and scattered. */
    const int opencv_order = config->layout == HOGFEAT_HOG_LAYOUT_OPENCV;
    float *block_tmp = NULL;
    if (opencv_order) {
        st = hogfeat__buffer_reserve(&wsp->block, block_len * sizeof(float));
        if (st != HOGFEAT_OK)
            return st;
        block_tmp = (float *)(void *)wsp->block.data;
    }
    float *o = out_features;
    for (size_t by = 0; by < grid.blocks_y; by++) {
        for (size_t bx = 0; bx < grid.blocks_x; bx++) {
            const float *first = hist + by * (size_t)config->stride_y * cell_row_stride +
                                 bx * (size_t)config->stride_x * nbins;
            k->normalize_block(first, cell_row_stride, config->block_w, config->block_h,
                               config->orientations, config->norm, area, opencv_order ? block_tmp : o);
            if (opencv_order) {
                for (int32_t cy = 0; cy < config->block_h; cy++)
                    for (int32_t cx = 0; cx < config->block_w; cx++)
                        memcpy(out_features + hogfeat__hog_index(HOGFEAT_HOG_LAYOUT_OPENCV, grid.blocks_x,
                                                                 grid.blocks_y, config->block_w, config->block_h,
                                                                 config->orientations, by, bx, (size_t)cy,
                                                                 (size_t)cx, 0),
                               block_tmp + ((size_t)cy * (size_t)config->block_w + (size_t)cx) * nbins,
                               nbins * sizeof(float));
            }
            o += block_len;
        }
    }
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_hog_convert_layout(const hogfeat_hog_config *config, size_t width, size_t height,
                                          const float *in, hogfeat_hog_layout from, float *out, hogfeat_hog_layout to,
                                          size_t capacity)
{
    REQUIRE_CONFIG(config, "hogfeat_hog_convert_layout");
    if (!in || !out)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_convert_layout: %s is NULL", !in ? "in" : "out");
    if (!valid_layout(from) || !valid_layout(to))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "layout %d is not a hogfeat_hog_layout",
                             (int)(valid_layout(from) ? to : from));
    hog_grid grid = {0, 0, 0, 0, 0};
    hogfeat_status st = compute_grid(config, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    if (capacity < grid.length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "the descriptor has %zu floats; the output holds %zu",
                             grid.length, capacity);
    if (in < out + grid.length && out < in + grid.length)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "hogfeat_hog_convert_layout: in and out overlap");
    const size_t nbins = (size_t)config->orientations;
    for (size_t by = 0; by < grid.blocks_y; by++)
        for (size_t bx = 0; bx < grid.blocks_x; bx++)
            for (size_t cy = 0; cy < (size_t)config->block_h; cy++)
                for (size_t cx = 0; cx < (size_t)config->block_w; cx++)
                    memcpy(out + hogfeat__hog_index(to, grid.blocks_x, grid.blocks_y, config->block_w,
                                                    config->block_h, config->orientations, by, bx, cy, cx, 0),
                           in + hogfeat__hog_index(from, grid.blocks_x, grid.blocks_y, config->block_w,
                                                   config->block_h, config->orientations, by, bx, cy, cx, 0),
                           nbins * sizeof(float));
    return HOGFEAT_OK;
}
