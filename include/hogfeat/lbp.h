/**
 * @file lbp.h
 * @brief Local Binary Patterns (Ojala, Pietikainen and Maenpaa, TPAMI 2002):
 *        per-pixel codes numerically equal to scikit-image 0.19
 *        @c skimage.feature.local_binary_pattern, and per-cell histograms.
 *
 * @par Codes
 * For each pixel (x, y) of a grayscale image, P points are sampled on a
 * circle of radius R: point i lies at row y - R sin(2 pi i / P) and column
 * x + R cos(2 pi i / P), both offsets rounded to 5 decimals, the radius
 * first rounded to float as scikit-image does. A point's value is the
 * bilinear interpolation of the four surrounding pixels, pixels outside the
 * image counting as 0; all arithmetic is in double precision, in scikit-image's
 * order, so codes are bit-identical. Bit i is 1 when value_i - centre >= 0.
 * - ::HOGFEAT_LBP_DEFAULT: sum of bit_i * 2^i; 2^P codes.
 * - ::HOGFEAT_LBP_ROR: the smallest of the P cyclic rotations of that code.
 * - ::HOGFEAT_LBP_UNIFORM (rotation-invariant uniform, "riu2"): the number of
 *   1 bits when the circular pattern has at most two 0/1 changes, else P + 1;
 *   P + 2 codes.
 * - ::HOGFEAT_LBP_NRI_UNIFORM: 0 for all zeros, P (P - 1) + 1 for all ones,
 *   1 + (n_ones - 1) P + rotation for the other uniform patterns, and
 *   P (P - 1) + 2 for every non-uniform pattern; P (P - 1) + 3 codes
 *   (59 for P = 8).
 * - ::HOGFEAT_LBP_VAR: the variance (population, divided by P) of the P
 *   values, NaN where it is exactly 0. Real-valued: only
 *   hogfeat_lbp_codes_f32() gives it, and it has no histogram.
 *
 * @par P = 32
 * libhogfeat accepts 1 <= P <= 32 and returns codes as uint32_t. scikit-image
 * holds the weights 2^i in int32, so for P = 32 its default codes with bit 31
 * set come out 2^32 too small (negative) and its ror codes are undefined;
 * ours are the plain unsigned values (equal to scikit-image's modulo 2^32
 * for ::HOGFEAT_LBP_DEFAULT). The uniform methods agree for every P.
 *
 * @par Histograms
 * Cells of cell_w x cell_h pixels tile the image from the top-left corner;
 * pixels right of or below the last whole cell are ignored (their codes
 * are not computed, but they are sampled by the codes of pixels near them).
 * Each cell gets a histogram of hogfeat_lbp_num_bins() bins, bin c counting
 * the pixels of code c; ::HOGFEAT_LBP_ROR uses all 2^P bins although only
 * rotation minima occur. Normalisation: none (counts), L1 (counts divided by
 * the cell area) or L2 (counts divided by their Euclidean norm). With
 * n_cells_x = floor(width / cell_w) and n_cells_y = floor(height / cell_h),
 * the descriptor has n_cells_y * n_cells_x * num_bins floats; bin b of cell
 * (row cy, column cx) is at index (cy * n_cells_x + cx) * num_bins + b.
 * Histograms need at most ::HOGFEAT_LBP_MAX_HISTOGRAM_BINS bins, so
 * ::HOGFEAT_LBP_DEFAULT and ::HOGFEAT_LBP_ROR are limited to P <= 16 there.
 *
 * @par Images
 * ::HOGFEAT_FORMAT_U8_GRAY and ::HOGFEAT_FORMAT_F32_GRAY; colour images give
 * ::HOGFEAT_ERR_UNSUPPORTED_FORMAT (scikit-image accepts only 2-D arrays).
 * A NaN or infinite float pixel anywhere gives ::HOGFEAT_ERR_NONFINITE.
 *
 * @par Defaults
 * P = 8, R = 1, ::HOGFEAT_LBP_UNIFORM, 16 x 16-pixel cells, ::HOGFEAT_LBP_NORM_L1.
 */
#ifndef HOGFEAT_LBP_H
#define HOGFEAT_LBP_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/image.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque LBP configuration. */
typedef struct hogfeat_lbp_config hogfeat_lbp_config;

/** How the P neighbour bits become a code (scikit-image's @c method). Values are pinned. */
typedef enum hogfeat_lbp_method {
    HOGFEAT_LBP_DEFAULT = 1,     /**< "default": sum of bit_i * 2^i. */
    HOGFEAT_LBP_ROR = 2,         /**< "ror": smallest cyclic rotation of the default code. */
    HOGFEAT_LBP_UNIFORM = 3,     /**< "uniform": rotation-invariant uniform (riu2), P + 2 codes (default). */
    HOGFEAT_LBP_NRI_UNIFORM = 4, /**< "nri_uniform": non-rotation-invariant uniform, P (P - 1) + 3 codes. */
    HOGFEAT_LBP_VAR = 5          /**< "var": local variance, real-valued. */
} hogfeat_lbp_method;

/** Per-cell histogram normalisation. Values are pinned. */
typedef enum hogfeat_lbp_norm {
    HOGFEAT_LBP_NORM_NONE = 1, /**< Raw counts. */
    HOGFEAT_LBP_NORM_L1 = 2,   /**< Counts / sum of counts (= cell area) (default). */
    HOGFEAT_LBP_NORM_L2 = 3    /**< Counts / sqrt(sum of squared counts). */
} hogfeat_lbp_norm;

/** Largest accepted number of sampling points P. */
#define HOGFEAT_LBP_MAX_POINTS 32
/** Largest accepted radius, in pixels. */
#define HOGFEAT_LBP_MAX_RADIUS_PX 4096
/** Largest accepted cell side, in pixels. */
#define HOGFEAT_LBP_MAX_CELL_PX 4096
/** Largest number of bins a per-cell histogram may have. */
#define HOGFEAT_LBP_MAX_HISTOGRAM_BINS 65536

/**
 * @brief Create a configuration with the defaults (see @ref lbp.h "Defaults").
 * @param[out] out_config Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_create(hogfeat_lbp_config **out_config);

/**
 * @brief Create an independent copy of a configuration.
 * @param[in]  config     Configuration to copy.
 * @param[out] out_config Receives the copy; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_copy(const hogfeat_lbp_config *config,
                                                   hogfeat_lbp_config **out_config);

/**
 * @brief Free a configuration. NULL is a no-op.
 * @param[in] config Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p config meanwhile.
 * @since 0.4
 */
HOGFEAT_API void hogfeat_lbp_config_destroy(hogfeat_lbp_config *config);

/**
 * @brief Set the number of sampling points P on the circle.
 * @param[in] config     Handle.
 * @param[in] num_points 1 to ::HOGFEAT_LBP_MAX_POINTS (default 8).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (the configuration is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_set_points(hogfeat_lbp_config *config, int32_t num_points);

/**
 * @brief Set the circle radius R.
 * @param[in] config    Handle.
 * @param[in] radius_px Finite, > 0 and <= ::HOGFEAT_LBP_MAX_RADIUS_PX pixels (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (also for NaN; the configuration is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_set_radius(hogfeat_lbp_config *config, float radius_px);

/**
 * @brief Set the coding method.
 * @param[in] config Handle.
 * @param[in] method A ::hogfeat_lbp_method (default ::HOGFEAT_LBP_UNIFORM).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_set_method(hogfeat_lbp_config *config, hogfeat_lbp_method method);

/**
 * @brief Set the histogram cell size.
 * @param[in] config         Handle.
 * @param[in] cell_width_px  1 to ::HOGFEAT_LBP_MAX_CELL_PX (default 16).
 * @param[in] cell_height_px 1 to ::HOGFEAT_LBP_MAX_CELL_PX (default 16).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_set_cell_size(hogfeat_lbp_config *config, int32_t cell_width_px,
                                                            int32_t cell_height_px);

/**
 * @brief Set the histogram normalisation.
 * @param[in] config Handle.
 * @param[in] norm   A ::hogfeat_lbp_norm (default ::HOGFEAT_LBP_NORM_L1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_config_set_norm(hogfeat_lbp_config *config, hogfeat_lbp_norm norm);

/**
 * @brief Number of sampling points P. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_lbp_config_get_points(const hogfeat_lbp_config *config);

/**
 * @brief Circle radius in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API float hogfeat_lbp_config_get_radius(const hogfeat_lbp_config *config);

/**
 * @brief Coding method. @param[in] config Handle.
 * @return A ::hogfeat_lbp_method value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int hogfeat_lbp_config_get_method(const hogfeat_lbp_config *config);

/**
 * @brief Cell width in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_lbp_config_get_cell_width(const hogfeat_lbp_config *config);

/**
 * @brief Cell height in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_lbp_config_get_cell_height(const hogfeat_lbp_config *config);

/**
 * @brief Histogram normalisation. @param[in] config Handle.
 * @return A ::hogfeat_lbp_norm value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int hogfeat_lbp_config_get_norm(const hogfeat_lbp_config *config);

/**
 * @brief Number of distinct codes of the method, which is the number of histogram bins.
 *
 * 2^P for ::HOGFEAT_LBP_DEFAULT and ::HOGFEAT_LBP_ROR, P + 2 for
 * ::HOGFEAT_LBP_UNIFORM, P (P - 1) + 3 for ::HOGFEAT_LBP_NRI_UNIFORM.
 * @param[in] config Handle.
 * @return The count; 0 if @p config is NULL, for ::HOGFEAT_LBP_VAR, or if
 *         the count does not fit size_t.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API size_t hogfeat_lbp_num_bins(const hogfeat_lbp_config *config);

/**
 * @brief Compute the code of every pixel, as unsigned integers.
 *
 * Writes width * height codes, row-major, to @p out_codes; on any error
 * nothing is written. Borrows @p config and @p image for the call only.
 * @param[in]  config       Handle; its method must not be ::HOGFEAT_LBP_VAR.
 * @param[in]  image        A one-channel image.
 * @param[out] out_codes    Caller's buffer of @p out_capacity codes.
 * @param[in]  out_capacity Capacity of @p out_codes, in codes.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         for ::HOGFEAT_LBP_VAR; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT for a colour image;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL; ::HOGFEAT_ERR_NONFINITE.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p config, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_codes(const hogfeat_lbp_config *config, const hogfeat_image *image,
                                             uint32_t *out_codes, size_t out_capacity);

/**
 * @brief Compute the code of every pixel as floats, like scikit-image's float64 output.
 *
 * Codes are exact below 2^24 (always for the uniform methods and for P <= 24);
 * for ::HOGFEAT_LBP_VAR the value is the variance rounded to float, or NaN
 * where the variance is 0. Writes width * height values, row-major; on any
 * error nothing is written. Borrows @p config and @p image for the call only.
 * @param[in]  config       Handle.
 * @param[in]  image        A one-channel image.
 * @param[out] out_values   Caller's buffer of @p out_capacity floats.
 * @param[in]  out_capacity Capacity of @p out_values, in floats.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL; ::HOGFEAT_ERR_NONFINITE.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p config, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_codes_f32(const hogfeat_lbp_config *config, const hogfeat_image *image,
                                                 float *out_values, size_t out_capacity);

/**
 * @brief Length, in floats, of the per-cell histogram descriptor for an image size.
 *
 * n_cells_y * n_cells_x * hogfeat_lbp_num_bins() (see @ref lbp.h "Histograms").
 * @param[in]  config     Handle.
 * @param[in]  width      Image width in pixels.
 * @param[in]  height     Image height in pixels.
 * @param[out] out_length Receives the length (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT for
 *         ::HOGFEAT_LBP_VAR; ::HOGFEAT_ERR_BAD_GEOMETRY for a zero size;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED above hogfeat_image_max_pixels() or above
 *         ::HOGFEAT_LBP_MAX_HISTOGRAM_BINS bins; ::HOGFEAT_ERR_IMAGE_TOO_SMALL when
 *         not even one cell fits.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_feature_length(const hogfeat_lbp_config *config, size_t width,
                                                      size_t height, size_t *out_length);

/**
 * @brief Compute the concatenated per-cell LBP histograms of an image.
 *
 * Writes exactly hogfeat_lbp_feature_length() floats to @p out_features; on
 * any error nothing is written. Borrows @p config and @p image for the call
 * only; allocates nothing.
 * @param[in]  config       Handle; must not be modified during the call.
 * @param[in]  image        A one-channel image.
 * @param[out] out_features Caller's buffer of @p out_capacity floats.
 * @param[in]  out_capacity Capacity of @p out_features in floats.
 * @return As hogfeat_lbp_feature_length(), plus ::HOGFEAT_ERR_UNSUPPORTED_FORMAT;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL; ::HOGFEAT_ERR_NONFINITE.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p config and shared images, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_lbp_compute(const hogfeat_lbp_config *config, const hogfeat_image *image,
                                               float *out_features, size_t out_capacity);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_LBP_H */
