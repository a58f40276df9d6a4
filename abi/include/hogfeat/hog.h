/**
 * @file hog.h
 * @brief Histogram of Oriented Gradients (Dalal and Triggs, CVPR 2005),
 *        numerically equal to scikit-image 0.19 @c skimage.feature.hog.
 *
 * @par Algorithm
 * 1. Optional power-law compression: every sample becomes its square root
 *    (@c transform_sqrt; negative samples then give ::HOGFEAT_ERR_NONFINITE).
 * 2. Gradients by centred differences, per channel:
 *    gx(x, y) = I(x+1, y) - I(x-1, y), gy(x, y) = I(x, y+1) - I(x, y-1);
 *    gx is 0 in the first and last column, gy in the first and last row.
 *    For 3-channel images each pixel keeps the gradient of the channel with
 *    the largest magnitude (the first such channel on a tie).
 * 3. Magnitude sqrt(gx^2 + gy^2); angle = atan2(gy, gx) in degrees, y
 *    pointing down. Unsigned (default): angle mod 180, bin b covers
 *    [b * 180 / n, (b + 1) * 180 / n). Signed: angle mod 360, bins of 360 / n.
 *    Each pixel votes its magnitude into one bin (hard binning, no
 *    interpolation), exactly as scikit-image does.
 * 4. Cells of cell_w x cell_h pixels tile the image from the top-left corner;
 *    pixels right of or below the last whole cell are ignored. A cell's
 *    histogram is the sum of its votes divided by cell_w * cell_h.
 * 5. Blocks of block_w x block_h cells, moved by the block stride (in cells),
 *    are normalised with eps = 1e-5: L1 v / (sum|v| + eps); L1-sqrt
 *    sqrt(v / (sum|v| + eps)); L2 v / sqrt(sum v^2 + eps^2); L2-Hys L2, then
 *    min(v, 0.2), then L2 again.
 *
 * @par Layout and length
 * With n_cells_x = floor(width / cell_w), n_cells_y = floor(height / cell_h),
 * n_blocks_x = (n_cells_x - block_w) / stride_x + 1 and
 * n_blocks_y = (n_cells_y - block_h) / stride_y + 1 (integer division), the
 * descriptor has n_blocks_y * n_blocks_x * block_h * block_w * n_bins floats.
 * Value (block row by, block column bx, cell row cy and column cx inside the
 * block, bin b) is at index
 * (((by * n_blocks_x + bx) * block_h + cy) * block_w + cx) * n_bins + b and
 * describes image cell (by * stride_y + cy, bx * stride_x + cx). This is the
 * order of scikit-image's @c feature_vector=True output.
 *
 * @par Defaults
 * scikit-image's: 9 unsigned orientations, 8x8-pixel cells, 3x3-cell blocks,
 * block stride 1, L2-Hys, no transform_sqrt.
 *
 * @par Non-finite input
 * Float images must be finite where they reach the descriptor: if a NaN or
 * infinity (in a pixel, after the square root, or from an overflowing
 * difference) reaches a cell, compute returns ::HOGFEAT_ERR_NONFINITE and
 * writes nothing.
 */
#ifndef HOGFEAT_HOG_H
#define HOGFEAT_HOG_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/image.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque HOG configuration. */
typedef struct hogfeat_hog_config hogfeat_hog_config;

/** Block normalisation. Values are pinned. */
typedef enum hogfeat_norm {
    HOGFEAT_NORM_L1 = 1,      /**< v / (sum|v| + eps). */
    HOGFEAT_NORM_L1_SQRT = 2, /**< sqrt(v / (sum|v| + eps)). */
    HOGFEAT_NORM_L2 = 3,      /**< v / sqrt(sum v^2 + eps^2). */
    HOGFEAT_NORM_L2HYS = 4    /**< L2, clip at 0.2, L2 again (default). */
} hogfeat_norm;

/** Largest accepted number of orientation bins. */
#define HOGFEAT_HOG_MAX_ORIENTATIONS 360
/** Largest accepted cell side, in pixels. */
#define HOGFEAT_HOG_MAX_CELL_PX 4096
/** Largest accepted block side and block stride, in cells. */
#define HOGFEAT_HOG_MAX_BLOCK_CELLS 64

/**
 * @brief Create a configuration with scikit-image's defaults.
 * @param[out] out_config Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_create(hogfeat_hog_config **out_config);

/**
 * @brief Create an independent copy of a configuration.
 * @param[in]  config     Configuration to copy.
 * @param[out] out_config Receives the copy; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_copy(const hogfeat_hog_config *config,
                                                   hogfeat_hog_config **out_config);

/**
 * @brief Free a configuration. NULL is a no-op.
 * @param[in] config Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p config meanwhile.
 * @since 0.1
 */
HOGFEAT_API void hogfeat_hog_config_destroy(hogfeat_hog_config *config);

/**
 * @brief Set the number of orientation bins.
 * @param[in] config   Handle.
 * @param[in] num_bins 1 to ::HOGFEAT_HOG_MAX_ORIENTATIONS (default 9).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (the configuration is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_orientations(hogfeat_hog_config *config,
                                                               int32_t num_bins);

/**
 * @brief Set the cell size.
 * @param[in] config         Handle.
 * @param[in] cell_width_px  1 to ::HOGFEAT_HOG_MAX_CELL_PX (default 8).
 * @param[in] cell_height_px 1 to ::HOGFEAT_HOG_MAX_CELL_PX (default 8).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_cell_size(hogfeat_hog_config *config,
                                                            int32_t cell_width_px,
                                                            int32_t cell_height_px);

/**
 * @brief Set the block size in cells.
 * @param[in] config             Handle.
 * @param[in] block_width_cells  1 to ::HOGFEAT_HOG_MAX_BLOCK_CELLS (default 3).
 * @param[in] block_height_cells 1 to ::HOGFEAT_HOG_MAX_BLOCK_CELLS (default 3).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_block_size(hogfeat_hog_config *config,
                                                             int32_t block_width_cells,
                                                             int32_t block_height_cells);

/**
 * @brief Set the step between neighbouring blocks, in cells.
 *
 * scikit-image always uses 1 (the default). A stride larger than the block
 * leaves cells out of the descriptor.
 * @param[in] config          Handle.
 * @param[in] stride_x_cells  1 to ::HOGFEAT_HOG_MAX_BLOCK_CELLS.
 * @param[in] stride_y_cells  1 to ::HOGFEAT_HOG_MAX_BLOCK_CELLS.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_block_stride(hogfeat_hog_config *config,
                                                               int32_t stride_x_cells,
                                                               int32_t stride_y_cells);

/**
 * @brief Set the block normalisation.
 * @param[in] config Handle.
 * @param[in] norm   A ::hogfeat_norm (default ::HOGFEAT_NORM_L2HYS).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_block_norm(hogfeat_hog_config *config,
                                                             hogfeat_norm norm);

/**
 * @brief Enable or disable power-law (square-root) compression of the samples.
 * @param[in] config  Handle.
 * @param[in] enabled 1 to enable, 0 to disable (default).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_transform_sqrt(hogfeat_hog_config *config,
                                                                 int enabled);

/**
 * @brief Bin signed gradient angles over 0-360 degrees instead of 0-180.
 *
 * Not in scikit-image. The angle is atan2(gy, gx) mod 360, bin b covers
 * [b * 360 / n, (b + 1) * 360 / n).
 * @param[in] config  Handle.
 * @param[in] enabled 1 for signed, 0 for unsigned (default).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_config_set_signed_orientations(hogfeat_hog_config *config,
                                                                      int enabled);

/**
 * @brief Number of orientation bins. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_orientations(const hogfeat_hog_config *config);

/**
 * @brief Cell width in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_cell_width(const hogfeat_hog_config *config);

/**
 * @brief Cell height in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_cell_height(const hogfeat_hog_config *config);

/**
 * @brief Block width in cells. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_block_width(const hogfeat_hog_config *config);

/**
 * @brief Block height in cells. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_block_height(const hogfeat_hog_config *config);

/**
 * @brief Horizontal block stride in cells. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_block_stride_x(const hogfeat_hog_config *config);

/**
 * @brief Vertical block stride in cells. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int32_t hogfeat_hog_config_get_block_stride_y(const hogfeat_hog_config *config);

/**
 * @brief Block normalisation. @param[in] config Handle.
 * @return A ::hogfeat_norm value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int hogfeat_hog_config_get_block_norm(const hogfeat_hog_config *config);

/**
 * @brief Whether square-root compression is on. @param[in] config Handle.
 * @return 1 or 0 (also 0 if @p config is NULL).
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int hogfeat_hog_config_get_transform_sqrt(const hogfeat_hog_config *config);

/**
 * @brief Whether orientations are signed (0-360). @param[in] config Handle.
 * @return 1 or 0 (also 0 if @p config is NULL).
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int hogfeat_hog_config_get_signed_orientations(const hogfeat_hog_config *config);

/**
 * @brief Number of blocks along each axis for an image size (see @ref hog.h "Layout").
 * @param[in]  config        Handle.
 * @param[in]  width         Image width in pixels.
 * @param[in]  height        Image height in pixels.
 * @param[out] out_blocks_x  Receives n_blocks_x (untouched on failure).
 * @param[out] out_blocks_y  Receives n_blocks_y (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BAD_GEOMETRY for a
 *         zero size; ::HOGFEAT_ERR_LIMIT_EXCEEDED above hogfeat_image_max_pixels();
 *         ::HOGFEAT_ERR_IMAGE_TOO_SMALL when not even one block fits.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_block_grid(const hogfeat_hog_config *config, size_t width,
                                                  size_t height, size_t *out_blocks_x,
                                                  size_t *out_blocks_y);

/**
 * @brief Descriptor length, in floats, for an image size.
 *
 * n_blocks_y * n_blocks_x * block_h * block_w * n_bins (see @ref hog.h "Layout").
 * @param[in]  config       Handle.
 * @param[in]  width        Image width in pixels.
 * @param[in]  height       Image height in pixels.
 * @param[out] out_length   Receives the length (untouched on failure).
 * @return As hogfeat_hog_block_grid().
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_feature_length(const hogfeat_hog_config *config, size_t width,
                                                      size_t height, size_t *out_length);

/**
 * @brief Compute the HOG descriptor of an image.
 *
 * Writes exactly hogfeat_hog_feature_length() floats to @p out_features; on
 * any error nothing is written. Borrows @p config and @p image for the call
 * only; allocates a temporary workspace proportional to the image.
 * @param[in]  config        Handle; must not be modified during the call.
 * @param[in]  image         Image of any ::hogfeat_format.
 * @param[out] out_features  Caller's buffer of @p out_capacity floats.
 * @param[in]  out_capacity  Capacity of @p out_features in floats.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_IMAGE_TOO_SMALL;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL if @p out_capacity is shorter than the
 *         descriptor; ::HOGFEAT_ERR_NONFINITE (float images, see above);
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p config and shared images, provided no setter runs meanwhile.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_hog_compute(const hogfeat_hog_config *config,
                                               const hogfeat_image *image, float *out_features,
                                               size_t out_capacity);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_HOG_H */
