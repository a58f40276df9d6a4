/**
 * @file gabor.h
 * @brief Gabor filters: kernels numerically equal to scikit-image 0.19
 *        @c skimage.filters.gabor_kernel, filter responses equal to
 *        @c skimage.filters.gabor (within 1e-4), and a filter bank pooling
 *        the response magnitude per cell.
 *
 * @par Kernel
 * With frequency f (cycles per pixel), orientation theta, and standard
 * deviations sigma_x, sigma_y (by default both
 * (1 / pi) sqrt(ln 2 / 2) (2^b + 1) / (2^b - 1) / f for the bandwidth b in
 * octaves), the complex kernel at integer offsets (x, y), y pointing down, is
 *
 *     g(x, y) = exp(-(x'^2 / sigma_x^2 + y'^2 / sigma_y^2) / 2 + i (2 pi f x' + offset))
 *               / (2 pi sigma_x sigma_y),
 *     x' = x cos(theta) + y sin(theta),  y' = -x sin(theta) + y cos(theta),
 *
 * computed in double precision in scikit-image's order. Its automatic size
 * is (2 x0 + 1) x (2 y0 + 1) with
 * x0 = ceil(max(|n sigma_x cos(theta)|, |n sigma_y sin(theta)|, 1)) and
 * y0 = ceil(max(|n sigma_y cos(theta)|, |n sigma_x sin(theta)|, 1)) for
 * n = n_stds, so it changes with theta. A fixed size (odd width and height)
 * evaluates the same formula on a different window: where the windows
 * overlap, the values are identical.
 *
 * @par Filtering
 * The image is convolved with the real and the imaginary part of the kernel
 * (true convolution, as @c scipy.ndimage.convolve), summing in double
 * precision; the magnitude is sqrt(real^2 + imag^2). Outside the image,
 * samples come from the ::hogfeat_gabor_border rule (scipy's @c mode names).
 * Responses are floats for every input format: scikit-image writes the
 * response of a uint8 image into a uint8 array (wrapping negative and large
 * values), so for ::HOGFEAT_FORMAT_U8_GRAY libhogfeat equals
 * @c skimage.filters.gabor(image.astype(float64), ...) instead.
 * One known difference: scipy 1.10's multi-dimensional "reflect" reads 0
 * instead of the reflected sample at taps exactly k * 2 * side pixels before
 * the first row or column (k >= 1); only kernels reaching more than twice
 * the image side beyond the border meet such taps. libhogfeat reflects there
 * too, as numpy.pad(mode="symmetric") does.
 * Only one-channel images are accepted (::HOGFEAT_FORMAT_U8_GRAY,
 * ::HOGFEAT_FORMAT_F32_GRAY); a NaN or infinite pixel gives
 * ::HOGFEAT_ERR_NONFINITE.
 *
 * @par Bank
 * A bank holds F frequencies and K orientations theta_k = k pi / K, so
 * F * K filters, numbered filter = i_f * K + k, all sharing the other
 * parameters of one template filter. Cells of cell_w x cell_h pixels tile
 * the image from the top-left corner (pixels right of or below the last
 * whole cell are not pooled, but they are filtered). For each cell and
 * filter the descriptor holds the mean and the standard deviation (divided
 * by the cell area, like numpy.std) of the response magnitude:
 * value s (0 mean, 1 std) of filter j in cell (row cy, column cx) is at
 * index ((cy * n_cells_x + cx) * F * K + j) * 2 + s, with
 * n_cells_x = floor(width / cell_w), n_cells_y = floor(height / cell_h).
 *
 * The implementation is a plain direct convolution (about kernel area
 * multiply-adds per pixel and filter), not yet part of the SIMD kernels.
 */
#ifndef HOGFEAT_GABOR_H
#define HOGFEAT_GABOR_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/image.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque parameters of one Gabor filter. */
typedef struct hogfeat_gabor_config hogfeat_gabor_config;

/** Opaque Gabor filter bank. */
typedef struct hogfeat_gabor_bank hogfeat_gabor_bank;

/** How samples outside the image are made (scipy.ndimage @c mode). Values are pinned. */
typedef enum hogfeat_gabor_border {
    HOGFEAT_GABOR_BORDER_REFLECT = 1,  /**< "reflect": d c b a | a b c d | d c b a (default). */
    HOGFEAT_GABOR_BORDER_CONSTANT = 2, /**< "constant" with cval 0: 0 0 0 0 | a b c d | 0 0 0 0. */
    HOGFEAT_GABOR_BORDER_NEAREST = 3,  /**< "nearest": a a a a | a b c d | d d d d. */
    HOGFEAT_GABOR_BORDER_MIRROR = 4,   /**< "mirror": d c b | a b c d | c b a. */
    HOGFEAT_GABOR_BORDER_WRAP = 5      /**< "wrap": a b c d | a b c d | a b c d. */
} hogfeat_gabor_border;

/** Largest kernel side, in pixels (automatic or fixed). */
#define HOGFEAT_GABOR_MAX_KERNEL_PX 1025
/** Largest number of frequencies, and of orientations, in a bank. */
#define HOGFEAT_GABOR_MAX_BANK_SIZE 64
/** Largest accepted bank cell side, in pixels. */
#define HOGFEAT_GABOR_MAX_CELL_PX 4096

/**
 * @brief Create filter parameters: frequency 0.25, theta 0, bandwidth 1,
 *        sigmas from the bandwidth, n_stds 3, offset 0, automatic size,
 *        ::HOGFEAT_GABOR_BORDER_REFLECT (scikit-image's defaults, which have
 *        no default frequency).
 * @param[out] out_config Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_create(hogfeat_gabor_config **out_config);

/**
 * @brief Create an independent copy of filter parameters.
 * @param[in]  config     Parameters to copy.
 * @param[out] out_config Receives the copy; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_copy(const hogfeat_gabor_config *config,
                                                     hogfeat_gabor_config **out_config);

/**
 * @brief Free filter parameters. NULL is a no-op.
 * @param[in] config Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p config meanwhile.
 * @since 0.4
 */
HOGFEAT_API void hogfeat_gabor_config_destroy(hogfeat_gabor_config *config);

/**
 * @brief Set the spatial frequency of the harmonic.
 * @param[in] config         Handle.
 * @param[in] cycles_per_px  Finite and > 0 (default 0.25).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (the configuration is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_frequency(hogfeat_gabor_config *config, double cycles_per_px);

/**
 * @brief Set the orientation; 0 puts the harmonic along x.
 * @param[in] config        Handle.
 * @param[in] theta_radians Finite (default 0).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_theta(hogfeat_gabor_config *config, double theta_radians);

/**
 * @brief Set the bandwidth, which gives the sigmas that are not set explicitly.
 * @param[in] config            Handle.
 * @param[in] bandwidth_octaves Finite and > 0 (default 1).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_bandwidth(hogfeat_gabor_config *config,
                                                              double bandwidth_octaves);

/**
 * @brief Set the Gaussian standard deviations before rotation.
 * @param[in] config      Handle.
 * @param[in] sigma_x_px  Finite and > 0, or 0 to derive it from the bandwidth
 *                        (scikit-image's None; default).
 * @param[in] sigma_y_px  Likewise for y.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_sigma(hogfeat_gabor_config *config, double sigma_x_px,
                                                          double sigma_y_px);

/**
 * @brief Set how many standard deviations the automatic kernel size covers.
 * @param[in] config Handle.
 * @param[in] n_stds Finite and > 0 (default 3).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_n_stds(hogfeat_gabor_config *config, double n_stds);

/**
 * @brief Set the phase offset of the harmonic.
 * @param[in] config         Handle.
 * @param[in] offset_radians Finite (default 0).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_offset(hogfeat_gabor_config *config, double offset_radians);

/**
 * @brief Fix the kernel size instead of scikit-image's theta-dependent one.
 * @param[in] config           Handle.
 * @param[in] kernel_width_px  Odd, 1 to ::HOGFEAT_GABOR_MAX_KERNEL_PX; or 0 together
 *                             with @p kernel_height_px for the automatic size (default).
 * @param[in] kernel_height_px Odd, 1 to ::HOGFEAT_GABOR_MAX_KERNEL_PX; or 0.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_kernel_size(hogfeat_gabor_config *config,
                                                                int32_t kernel_width_px, int32_t kernel_height_px);

/**
 * @brief Set how samples outside the image are made.
 * @param[in] config Handle.
 * @param[in] border A ::hogfeat_gabor_border (default ::HOGFEAT_GABOR_BORDER_REFLECT).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread filters with @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_config_set_border(hogfeat_gabor_config *config,
                                                           hogfeat_gabor_border border);

/**
 * @brief Frequency in cycles per pixel. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_frequency(const hogfeat_gabor_config *config);

/**
 * @brief Orientation in radians. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_theta(const hogfeat_gabor_config *config);

/**
 * @brief Bandwidth in octaves. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_bandwidth(const hogfeat_gabor_config *config);

/**
 * @brief Effective sigma_x in pixels (set, or derived from bandwidth and frequency).
 * @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_sigma_x(const hogfeat_gabor_config *config);

/**
 * @brief Effective sigma_y in pixels (set, or derived from bandwidth and frequency).
 * @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_sigma_y(const hogfeat_gabor_config *config);

/**
 * @brief Number of standard deviations of the automatic size. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_n_stds(const hogfeat_gabor_config *config);

/**
 * @brief Phase offset in radians. @param[in] config Handle.
 * @return The value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_config_get_offset(const hogfeat_gabor_config *config);

/**
 * @brief Border rule. @param[in] config Handle.
 * @return A ::hogfeat_gabor_border value, or 0 if @p config is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int hogfeat_gabor_config_get_border(const hogfeat_gabor_config *config);

/**
 * @brief Size of the kernel the parameters give (automatic or fixed).
 * @param[in]  config         Handle.
 * @param[out] out_width_px   Receives the width (untouched on failure).
 * @param[out] out_height_px  Receives the height (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_LIMIT_EXCEEDED when
 *         the automatic size exceeds ::HOGFEAT_GABOR_MAX_KERNEL_PX (a very low
 *         frequency or a large n_stds).
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_kernel_size(const hogfeat_gabor_config *config, size_t *out_width_px,
                                                     size_t *out_height_px);

/**
 * @brief Compute the complex kernel, row-major, row 0 at y = -y0.
 *
 * Writes width * height values (hogfeat_gabor_kernel_size()) to each of
 * @p out_real and @p out_imag; on any error nothing is written.
 * @param[in]  config       Handle.
 * @param[out] out_real     Caller's buffer of @p out_capacity doubles: real part.
 * @param[out] out_imag     Caller's buffer of @p out_capacity doubles: imaginary part.
 * @param[in]  out_capacity Capacity of each buffer, in doubles.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_LIMIT_EXCEEDED;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL.
 * @threadsafety Thread-safe as long as no setter runs on @p config.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_kernel(const hogfeat_gabor_config *config, double *out_real,
                                                double *out_imag, size_t out_capacity);

/**
 * @brief Filter an image: real and imaginary responses and their magnitude.
 *
 * Each non-NULL output receives width * height floats, row-major; at least
 * one output must be given. On any error nothing is written. Borrows
 * @p config and @p image for the call only; allocates the kernel.
 * @param[in]  config        Handle.
 * @param[in]  image         A one-channel image.
 * @param[out] out_real      Caller's buffer for the real response, or NULL.
 * @param[out] out_imag      Caller's buffer for the imaginary response, or NULL.
 * @param[out] out_magnitude Caller's buffer for the magnitude, or NULL.
 * @param[in]  out_capacity  Capacity of each given buffer, in floats.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER (@p config, @p image, or all
 *         three outputs); ::HOGFEAT_ERR_UNSUPPORTED_FORMAT for a colour image;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_BUFFER_TOO_SMALL;
 *         ::HOGFEAT_ERR_NONFINITE (a non-finite pixel, or a response that overflows
 *         float); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe: many threads may filter at once with one shared
 *         @p config, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_filter(const hogfeat_gabor_config *config, const hogfeat_image *image,
                                                float *out_real, float *out_imag, float *out_magnitude,
                                                size_t out_capacity);

/**
 * @brief Create a bank: frequencies 0.1, 0.2 and 0.4, 4 orientations, the
 *        default filter parameters, 16 x 16-pixel cells.
 * @param[out] out_bank Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_create(hogfeat_gabor_bank **out_bank);

/**
 * @brief Free a bank. NULL is a no-op.
 * @param[in] bank Handle or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p bank meanwhile.
 * @since 0.4
 */
HOGFEAT_API void hogfeat_gabor_bank_destroy(hogfeat_gabor_bank *bank);

/**
 * @brief Set the frequencies of the bank. Copies @p frequencies.
 * @param[in] bank            Handle.
 * @param[in] frequencies     @p num_frequencies values in cycles per pixel, each finite and > 0.
 * @param[in] num_frequencies 1 to ::HOGFEAT_GABOR_MAX_BANK_SIZE.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (the bank is then unchanged).
 * @threadsafety Safe on distinct handles; not while another thread computes with @p bank.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_set_frequencies(hogfeat_gabor_bank *bank, const double *frequencies,
                                                              size_t num_frequencies);

/**
 * @brief Set the number of orientations K (theta_k = k pi / K).
 * @param[in] bank             Handle.
 * @param[in] num_orientations 1 to ::HOGFEAT_GABOR_MAX_BANK_SIZE (default 4).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p bank.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_set_orientations(hogfeat_gabor_bank *bank, int32_t num_orientations);

/**
 * @brief Set the pooling cell size.
 * @param[in] bank           Handle.
 * @param[in] cell_width_px  1 to ::HOGFEAT_GABOR_MAX_CELL_PX (default 16).
 * @param[in] cell_height_px 1 to ::HOGFEAT_GABOR_MAX_CELL_PX (default 16).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p bank.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_set_cell_size(hogfeat_gabor_bank *bank, int32_t cell_width_px,
                                                            int32_t cell_height_px);

/**
 * @brief Take every filter parameter but frequency and theta from a template.
 *
 * Copies bandwidth, sigmas, n_stds, offset, kernel size and border from
 * @p filter; the bank does not keep @p filter.
 * @param[in] bank   Handle.
 * @param[in] filter Template parameters.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER.
 * @threadsafety Safe on distinct handles; not while another thread computes with @p bank.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_set_filter(hogfeat_gabor_bank *bank,
                                                         const hogfeat_gabor_config *filter);

/**
 * @brief Number of frequencies F. @param[in] bank Handle.
 * @return The value, or 0 if @p bank is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API size_t hogfeat_gabor_bank_num_frequencies(const hogfeat_gabor_bank *bank);

/**
 * @brief Frequency number @p index. @param[in] bank Handle. @param[in] index 0 to F - 1.
 * @return The value, or 0 if @p bank is NULL or @p index is out of range.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API double hogfeat_gabor_bank_frequency(const hogfeat_gabor_bank *bank, size_t index);

/**
 * @brief Number of orientations K. @param[in] bank Handle.
 * @return The value, or 0 if @p bank is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_gabor_bank_num_orientations(const hogfeat_gabor_bank *bank);

/**
 * @brief Cell width in pixels. @param[in] bank Handle.
 * @return The value, or 0 if @p bank is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_gabor_bank_cell_width(const hogfeat_gabor_bank *bank);

/**
 * @brief Cell height in pixels. @param[in] bank Handle.
 * @return The value, or 0 if @p bank is NULL.
 * @threadsafety Thread-safe. @since 0.4
 */
HOGFEAT_API int32_t hogfeat_gabor_bank_cell_height(const hogfeat_gabor_bank *bank);

/**
 * @brief Descriptor length, in floats, for an image size: n_cells_y * n_cells_x * F * K * 2.
 * @param[in]  bank       Handle.
 * @param[in]  width      Image width in pixels.
 * @param[in]  height     Image height in pixels.
 * @param[out] out_length Receives the length (untouched on failure).
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_BAD_GEOMETRY for a
 *         zero size; ::HOGFEAT_ERR_LIMIT_EXCEEDED above hogfeat_image_max_pixels() or
 *         when a kernel of the bank exceeds ::HOGFEAT_GABOR_MAX_KERNEL_PX;
 *         ::HOGFEAT_ERR_IMAGE_TOO_SMALL when not even one cell fits.
 * @threadsafety Thread-safe as long as no setter runs on @p bank.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_feature_length(const hogfeat_gabor_bank *bank, size_t width,
                                                             size_t height, size_t *out_length);

/**
 * @brief Compute the pooled bank descriptor of an image (see @ref gabor.h "Bank").
 *
 * Writes exactly hogfeat_gabor_bank_feature_length() floats; on any error
 * nothing is written. Borrows @p bank and @p image for the call only;
 * allocates a workspace of the pooled area in doubles and the kernels.
 * @param[in]  bank         Handle; must not be modified during the call.
 * @param[in]  image        A one-channel image.
 * @param[out] out_features Caller's buffer of @p out_capacity floats.
 * @param[in]  out_capacity Capacity of @p out_features in floats.
 * @return As hogfeat_gabor_bank_feature_length(), plus ::HOGFEAT_ERR_UNSUPPORTED_FORMAT;
 *         ::HOGFEAT_ERR_BUFFER_TOO_SMALL; ::HOGFEAT_ERR_NONFINITE;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe: many threads may compute at once with one shared
 *         @p bank, provided no setter runs meanwhile.
 * @since 0.4
 */
HOGFEAT_API hogfeat_status hogfeat_gabor_bank_compute(const hogfeat_gabor_bank *bank, const hogfeat_image *image,
                                                      float *out_features, size_t out_capacity);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_GABOR_H */
