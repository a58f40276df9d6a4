/**
 * @file fhog.h
 * @brief Felzenszwalb / UoCTTI HOG ("FHOG", Felzenszwalb, Girshick, McAllester
 *        and Ramanan, TPAMI 2010) with 31 values per cell for 9 orientations,
 *        numerically equal (within 1e-4) to VLFeat 0.9.21 @c vl_hog with
 *        @c VlHogVariantUoctti.
 *
 * @par Algorithm (VLFeat's, step by step)
 * 1. Cells are square, cell_size pixels; the grid has
 *    n_cells_x = (width + cell_size / 2) / cell_size columns and
 *    n_cells_y = (height + cell_size / 2) / cell_size rows (integer division:
 *    the last cell is at least half inside the image).
 * 2. For every pixel not on the image border, gradients by centred
 *    differences; for colour images the channel with the largest squared
 *    magnitude (the first on a tie). The gradient picks the directed
 *    orientation o in [0, 2 n): k in [0, n) with the largest
 *    |dot(gradient, (cos(k pi / n), sin(k pi / n)))| (the first on a tie),
 *    y pointing down, and o = k if that dot product is >= 0, else k + n
 *    (hard assignment; with n = 1 a vertical gradient goes to o = 0).
 * 3. The magnitude is spread over the four cells around the pixel by
 *    bilinear interpolation between cell centres.
 * 4. Each cell's energy is the squared norm of its undirected histogram
 *    (directed bins o and o + n summed). Each cell is normalised by the four
 *    2x2 blocks of cells that contain it (cells beyond the grid edge are
 *    replaced by the nearest cell): factor = 1 / sqrt(block energy + 1e-4).
 * 5. Per cell: 2 n directed values 0.5 * sum over the 4 blocks of
 *    min(h * factor, 0.2); n undirected values, the same on the folded
 *    histogram; 4 texture values, one per block (upper-left, upper-right,
 *    lower-left, lower-right), (1 / sqrt(18)) * sum over the n orientations
 *    of the clipped undirected values.
 *
 * @par Layout
 * libhogfeat is cell-major: value d of cell (row cy, column cx) is at index
 * (cy * n_cells_x + cx) * D + d, with D = 3 n + 4 (31 for n = 9):
 * d in [0, 2n) directed (signed) orientations, [2n, 3n) undirected,
 * [3n, 3n + 4) texture. VLFeat's @c vl_hog_extract (non-transposed) is
 * dimension-major: the same value is at d * n_cells_x * n_cells_y +
 * cy * n_cells_x + cx, so ours[(cy * W + cx) * D + d] = vlfeat[d * W * H + cy * W + cx]
 * for W = n_cells_x, H = n_cells_y. The order of d is VLFeat's.
 *
 * @par Input
 * Any ::hogfeat_format. Samples are used as floats without scaling: uint8
 * images keep their 0-255 range (VLFeat's MATLAB interface is usually fed
 * [0, 1] images; give a float image for that). Pass the same values to
 * VLFeat to compare. Only the 1e-4 in the block normalisation makes the
 * result depend on the scale. A NaN or infinite sample gives
 * ::HOGFEAT_ERR_NONFINITE, as does a gradient whose squared magnitude
 * overflows float (differences beyond about 1.8e19).
 *
 * The implementation is plain scalar code, not yet part of the SIMD kernels.
 */
#ifndef HOGFEAT_FHOG_H
#define HOGFEAT_FHOG_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/image.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque FHOG configuration. */
typedef struct hogfeat_fhog_config hogfeat_fhog_config;

/** Largest accepted number of undirected orientations n. */
#define HOGFEAT_FHOG_MAX_ORIENTATIONS 64
/** Largest accepted cell side, in pixels. */
#define HOGFEAT_FHOG_MAX_CELL_PX 4096

/**
 * @brief Create a configuration: 9 orientations, 8-pixel cells (31 values per cell).
 * @param[out] out_config Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_config_create(hogfeat_fhog_config **out_config);

/**
 * @brief Create an independent copy of a configuration.
 * @param[in]  config     Configuration to copy.
 * @param[out] out_config Receives the copy; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_config_copy(const hogfeat_fhog_config *config,
                                                    hogfeat_fhog_config **out_config);

/**
 * @brief Free a configuration. NULL is a no-op.
 * @param[in] config Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p config meanwhile.
 * @since 0.4
 */
HOGFEAT_API void hogfeat_fhog_config_destroy(hogfeat_fhog_config *config);

/**
 * @brief Set the number of undirected orientations n (VLFeat's numOrientations).
 * @param[in] config           Handle.
 * @param[in] num_orientations 1 to ::HOGFEAT_FHOG_MAX_ORIENTATIONS (default 9).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (the configuration is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_config_set_orientations(hogfeat_fhog_config *config,
                                                                int32_t num_orientations);

/**
 * @brief Set the (square) cell size.
 * @param[in] config       Handle.
 * @param[in] cell_size_px 1 to ::HOGFEAT_FHOG_MAX_CELL_PX (default 8).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_config_set_cell_size(hogfeat_fhog_config *config, int32_t cell_size_px);

/**
 * @brief Number of undirected orientations n. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_fhog_config_get_orientations(const hogfeat_fhog_config *config);

/**
 * @brief Cell size in pixels. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_fhog_config_get_cell_size(const hogfeat_fhog_config *config);

/**
 * @brief Values per cell, D = 3 n + 4 (31 for the default 9 orientations).
 * @param[in] config Handle.
 * @return D, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_fhog_cell_dimension(const hogfeat_fhog_config *config);

/**
 * @brief Number of cells along each axis for an image size (see @ref fhog.h "Algorithm").
 * @param[in]  config      Handle.
 * @param[in]  width       Image width in pixels.
 * @param[in]  height      Image height in pixels.
 * @param[out] out_cells_x Receives n_cells_x (untouched on failure).
 * @param[out] out_cells_y Receives n_cells_y (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BAD_GEOMETRY for a
 *         zero size; ::HOGFEAT_ERR_LIMIT_EXCEEDED above hogfeat_image_max_pixels();
 *         ::HOGFEAT_ERR_IMAGE_TOO_SMALL when a side is under half a cell (no cell).
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_cell_grid(const hogfeat_fhog_config *config, size_t width, size_t height,
                                                  size_t *out_cells_x, size_t *out_cells_y);

/**
 * @brief Descriptor length in floats: n_cells_x * n_cells_y * D.
 * @param[in]  config     Handle.
 * @param[in]  width      Image width in pixels.
 * @param[in]  height     Image height in pixels.
 * @param[out] out_length Receives the length (untouched on failure).
 * @return As hogfeat_fhog_cell_grid().
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_feature_length(const hogfeat_fhog_config *config, size_t width,
                                                       size_t height, size_t *out_length);

/**
 * @brief Compute the FHOG descriptor of an image, cell-major (see @ref fhog.h "Layout").
 *
 * Writes exactly hogfeat_fhog_feature_length() floats; on any error nothing
 * is written. Borrows @p config and @p image for the call only; allocates
 * the cell histograms (2 n + 1 floats per cell).
 * @param[in]  config       Handle; must not be modified during the call.
 * @param[in]  image        Image of any ::hogfeat_format.
 * @param[out] out_features Caller's buffer of @p out_capacity floats.
 * @param[in]  out_capacity Capacity of @p out_features in floats.
 * @return As hogfeat_fhog_feature_length(), plus ::HOGFEAT_ERR_BUFFER_TOO_SMALL;
 *         ::HOGFEAT_ERR_NONFINITE; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p config and shared images, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_fhog_compute(const hogfeat_fhog_config *config, const hogfeat_image *image,
                                                float *out_features, size_t out_capacity);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_FHOG_H */
