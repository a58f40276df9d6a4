/**
 * @file image.h
 * @brief Image buffers: an opaque handle over 8-bit or float pixels, 1 or 3
 *        interleaved channels, any row stride, owned or borrowed.
 *
 * Row @c y starts @c y * stride_bytes bytes after the first pixel; within a
 * row, pixels are packed and channels interleaved. A handle from
 * hogfeat_image_create() owns its (zeroed) pixels; a handle from
 * hogfeat_image_wrap() borrows the caller's pixels without copying them.
 *
 * Limits: width and height are at least 1 and width * height is at most
 * hogfeat_image_max_pixels() (2^28), so an absurd size is an error before
 * any allocation.
 */
#ifndef HOGFEAT_IMAGE_H
#define HOGFEAT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque image handle. */
typedef struct hogfeat_image hogfeat_image;

/** Pixel formats. Values are pinned. */
typedef enum hogfeat_format {
    HOGFEAT_FORMAT_U8_GRAY = 1,  /**< One uint8_t sample per pixel. */
    HOGFEAT_FORMAT_U8_RGB = 2,   /**< Three interleaved uint8_t samples per pixel (any channel order). */
    HOGFEAT_FORMAT_F32_GRAY = 3, /**< One float sample per pixel; pointer and stride 4-byte aligned. */
    HOGFEAT_FORMAT_F32_RGB = 4   /**< Three interleaved float samples per pixel; 4-byte aligned. */
} hogfeat_format;

/**
 * @brief Largest width * height any image handle accepts: 2^28 pixels.
 * @return The limit in pixels.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API size_t hogfeat_image_max_pixels(void);

/**
 * @brief Create an image that owns zero-filled pixels, rows packed
 *        (stride = width * bytes per pixel).
 * @param[in]  format    A ::hogfeat_format.
 * @param[in]  width     Width in pixels, >= 1.
 * @param[in]  height    Height in pixels, >= 1.
 * @param[out] out_image Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER if @p out_image is NULL;
 *         ::HOGFEAT_ERR_UNSUPPORTED_FORMAT for an unknown format;
 *         ::HOGFEAT_ERR_BAD_GEOMETRY for a zero width or height;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED above hogfeat_image_max_pixels();
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * The library allocates and owns the pixels; they are freed by hogfeat_image_destroy().
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_image_create(hogfeat_format format, size_t width, size_t height,
                                                hogfeat_image **out_image);

/**
 * @brief Wrap caller-owned pixels in an image handle without copying them.
 *
 * The handle borrows @p pixels: the caller keeps them alive and unchanged
 * until hogfeat_image_destroy() is called on the handle. The library never
 * writes through a borrowed pointer.
 * @param[in]  pixels       First sample of row 0; for float formats 4-byte aligned.
 * @param[in]  format       A ::hogfeat_format.
 * @param[in]  width        Width in pixels, >= 1.
 * @param[in]  height       Height in pixels, >= 1.
 * @param[in]  stride_bytes Bytes from one row to the next, >= width * bytes per
 *                          pixel and a multiple of the sample size; 0 means packed rows.
 * @param[out] out_image    Receives the handle; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT;
 *         ::HOGFEAT_ERR_BAD_GEOMETRY; ::HOGFEAT_ERR_LIMIT_EXCEEDED (also when
 *         stride * height overflows); ::HOGFEAT_ERR_BAD_STRIDE for a stride shorter
 *         than a row or a misaligned float pointer or stride; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.1
 */
HOGFEAT_API hogfeat_status hogfeat_image_wrap(const void *pixels, hogfeat_format format, size_t width,
                                              size_t height, size_t stride_bytes,
                                              hogfeat_image **out_image);

/**
 * @brief Free an image handle, and its pixels if it owns them. NULL is a no-op.
 * @param[in] image Handle from hogfeat_image_create() or hogfeat_image_wrap(), or NULL.
 * @threadsafety Safe on distinct handles; no other call may use @p image meanwhile.
 * @since 0.1
 */
HOGFEAT_API void hogfeat_image_destroy(hogfeat_image *image);

/**
 * @brief Width in pixels. @param[in] image Handle. @return Width, or 0 if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API size_t hogfeat_image_width(const hogfeat_image *image);

/**
 * @brief Height in pixels. @param[in] image Handle. @return Height, or 0 if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API size_t hogfeat_image_height(const hogfeat_image *image);

/**
 * @brief Samples per pixel. @param[in] image Handle. @return 1 or 3, or 0 if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int hogfeat_image_channels(const hogfeat_image *image);

/**
 * @brief Pixel format. @param[in] image Handle.
 * @return A ::hogfeat_format value, or 0 if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API int hogfeat_image_format(const hogfeat_image *image);

/**
 * @brief Bytes from one row to the next. @param[in] image Handle.
 * @return The stride, or 0 if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API size_t hogfeat_image_stride_bytes(const hogfeat_image *image);

/**
 * @brief First sample of row 0, for reading.
 * @param[in] image Handle.
 * @return A pointer borrowed from the handle, valid until hogfeat_image_destroy();
 *         NULL if @p image is NULL.
 * @threadsafety Thread-safe. @since 0.1
 */
HOGFEAT_API const void *hogfeat_image_data(const hogfeat_image *image);

/**
 * @brief First sample of row 0, for writing; only images that own their pixels.
 * @param[in] image Handle.
 * @return A pointer borrowed from the handle, valid until hogfeat_image_destroy();
 *         NULL if @p image is NULL or borrows its pixels (hogfeat_image_wrap()).
 * @threadsafety Thread-safe; writing pixels while another thread reads them is a data race.
 * @since 0.1
 */
HOGFEAT_API void *hogfeat_image_writable_data(hogfeat_image *image);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_IMAGE_H */
