/**
 * @file visualize.h
 * @brief Pictures of HOG cell histograms, like scikit-image 0.19
 *        @c skimage.feature.hog(..., visualize=True), and scaling to 8 bits.
 *
 * @par Rendering
 * The cell histograms are the ones of @ref hog.h (before block
 * normalisation): orientations, cell size, transform_sqrt and signedness come
 * from the ::hogfeat_hog_config; block settings play no part. For each cell
 * (row r, column c) and bin o, a line through the cell centre (cy, cx) =
 * (r * cell_h + cell_h / 2, c * cell_w + cell_w / 2) is drawn perpendicular to
 * the bin's mid-angle a = pi (o + 0.5) / n,
 * with radius min(cell_w, cell_h) / 2 - 1 (integer division): from
 * (row, column) = (int(cy - dc), int(cx + dr)) to (int(cy + dc), int(cx - dr)),
 * dr = radius sin(a), dc = radius cos(a), int() truncating toward zero.
 * Lines are rasterised with scikit-image's @c skimage.draw.line (Bresenham)
 * and every pixel of the line gains the bin's value; lines of different bins
 * and cells add up. Pixels outside all cells stay 0. Cells with a side of
 * 2 or 3 pixels get a single dot (radius 0). With a side of 1 pixel the
 * radius is -1 and a line can reach one pixel past the image, where
 * scikit-image raises IndexError (or, at column -1, wraps around); libhogfeat
 * drops the pixels outside the image.
 *
 * The histograms are always scikit-image's (hard binning, cell means), also
 * for a configuration with the OpenCV preset; only the orientations, cell
 * size, transform_sqrt and signedness of @p config are used. Signed
 * orientations draw bin o at the mid-angle 2 pi (o + 0.5) / n.
 *
 * @par Precision
 * The histograms are computed exactly as scikit-image does (float64 gradients
 * for uint8 images, float32 for float images, cell sums accumulated in
 * float32), and the picture is accumulated in float64 for uint8 images and
 * float32 for float images, then stored as float: values equal scikit-image's
 * @c hog_image within 1e-5 relative. scikit-image computes sin and cos with
 * numpy, which on CPUs with AVX-512 may differ from the C library in the last
 * bit; when radius * sin(a) or radius * cos(a) is then within an ulp of an
 * integer, a line end can move by one pixel. libhogfeat uses the C library.
 * (With 9 bins this happens for radius 2, 4, 6, 8, 12, ... - cells of 6, 10,
 * 14, 18 px -, not for 8- or 16-pixel cells; 4, 6, 8, 12 and 18 bins are not
 * affected up to radius 63.)
 *
 * @par Inputs
 * Any ::hogfeat_format, as hogfeat_hog_compute(). A NaN or infinite sample
 * gives ::HOGFEAT_ERR_NONFINITE.
 */
#ifndef HOGFEAT_VISUALIZE_H
#define HOGFEAT_VISUALIZE_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/hog.h>
#include <hogfeat/image.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Render the HOG cell histograms of an image (see @ref visualize.h "Rendering").
 *
 * Overwrites every pixel of @p out; on any error @p out is unchanged.
 * Borrows @p config and @p in for the call only; allocates a workspace of
 * one double per pixel. @p in may be @p out itself (every read comes first).
 * @param[in]  config Handle; must not be modified during the call.
 * @param[in]  in     Image of any ::hogfeat_format.
 * @param[out] out    An image created by hogfeat_image_create() with
 *                    ::HOGFEAT_FORMAT_F32_GRAY and the size of @p in.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT
 *         if @p out is not ::HOGFEAT_FORMAT_F32_GRAY; ::HOGFEAT_ERR_BAD_GEOMETRY if
 *         the sizes differ; ::HOGFEAT_ERR_INVALID_ARGUMENT if @p out borrows its
 *         pixels (hogfeat_image_wrap()); ::HOGFEAT_ERR_NONFINITE;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED if the workspace size overflows size_t
 *         (32-bit platforms only); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe with a shared @p config and @p in, on distinct
 *         @p out images.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_hog_visualize(const hogfeat_hog_config *config, const hogfeat_image *in,
                                                 hogfeat_image *out);

/**
 * @brief Scale a float grayscale image to 8 bits for viewing.
 *
 * out = floor(255 * in / max_value + 0.5), clamped to [0, 255]; with
 * @p max_value 0 the image's own maximum is used, and an image whose
 * maximum is <= 0 becomes all zeros. Overwrites every pixel of @p out; on
 * any error @p out is unchanged. Borrows @p in for the call only.
 * @param[in]  in        A ::HOGFEAT_FORMAT_F32_GRAY image (owned or borrowed).
 * @param[in]  max_value The value that becomes 255: finite and > 0, or 0 for the image maximum.
 * @param[out] out       An image created by hogfeat_image_create() with
 *                       ::HOGFEAT_FORMAT_U8_GRAY and the size of @p in.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT
 *         for other formats; ::HOGFEAT_ERR_BAD_GEOMETRY if the sizes differ;
 *         ::HOGFEAT_ERR_INVALID_ARGUMENT for a negative or non-finite @p max_value
 *         or a borrowed @p out; ::HOGFEAT_ERR_NONFINITE if @p in holds NaN or infinity.
 * @threadsafety Thread-safe on distinct @p out images.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_visualize_to_u8(const hogfeat_image *in, float max_value, hogfeat_image *out);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_VISUALIZE_H */
