/**
 * @file dataset.h
 * @brief Reading image datasets: MNIST IDX files (plain or gzip), and PGM
 *        images (P5 8- and 16-bit, P2) with a writer.
 *
 * Readers treat their input as untrusted: every declared size is checked
 * against the ::hogfeat_limits and against the bytes present before
 * anything is allocated (for gzip input, against the limits while
 * inflating, so a decompression bomb stops at the limit).
 */
#ifndef HOGFEAT_DATASET_H
#define HOGFEAT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include <hogfeat/image.h>
#include <hogfeat/limits.h>
#include <hogfeat/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque dataset: N grayscale uint8 images of one size, with optional labels. */
typedef struct hogfeat_dataset hogfeat_dataset;

/** Split of an MNIST-style directory. Values are pinned. */
typedef enum hogfeat_split {
    HOGFEAT_SPLIT_TRAIN = 1, /**< train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]. */
    HOGFEAT_SPLIT_TEST = 2   /**< t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]. */
} hogfeat_split;

/**
 * @brief Read an IDX image file (magic 0x00000803, uint8, N x rows x cols)
 *        and optionally an IDX label file (0x00000801, uint8, N) from memory.
 *
 * Either input may be gzip-compressed (recognised by its magic bytes).
 * A count of 0 gives an empty dataset; bytes after the declared payload are
 * an error (a well-formed IDX file has none).
 * The bytes are copied (decompressed) into the dataset; the inputs are not
 * referenced afterwards.
 * @param[in]  images       Image-file bytes.
 * @param[in]  images_size  Their count.
 * @param[in]  labels       Label-file bytes, or NULL for an unlabelled set.
 * @param[in]  labels_size  Their count (ignored when @p labels is NULL).
 * @param[in]  limits       Limits, or NULL for the defaults.
 * @param[out] out_dataset  Receives the dataset; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT
 *         (another IDX type); ::HOGFEAT_ERR_CORRUPT_DATA (bad magic, truncated data,
 *         broken gzip, label count differs from image count); ::HOGFEAT_ERR_LIMIT_EXCEEDED;
 *         ::HOGFEAT_ERR_BAD_GEOMETRY (zero rows or columns); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_dataset_read_idx(const void *images, size_t images_size,
                                                    const void *labels, size_t labels_size,
                                                    const hogfeat_limits *limits,
                                                    hogfeat_dataset **out_dataset);

/**
 * @brief Read IDX image and label files (see hogfeat_dataset_read_idx()).
 * @param[in]  images_path Image file, plain or gzip.
 * @param[in]  labels_path Label file, or NULL.
 * @param[in]  limits      Limits, or NULL for the defaults.
 * @param[out] out_dataset Receives the dataset; set to NULL on failure.
 * @return As hogfeat_dataset_read_idx(), plus ::HOGFEAT_ERR_IO naming the file.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_dataset_load_idx(const char *images_path, const char *labels_path,
                                                    const hogfeat_limits *limits,
                                                    hogfeat_dataset **out_dataset);

/**
 * @brief Read one split of an MNIST-style directory, preferring the
 *        uncompressed file name and falling back to the @c .gz one.
 * @param[in]  directory   Directory holding the four IDX files.
 * @param[in]  split       A ::hogfeat_split.
 * @param[in]  limits      Limits, or NULL for the defaults.
 * @param[out] out_dataset Receives the dataset; set to NULL on failure.
 * @return As hogfeat_dataset_load_idx(); ::HOGFEAT_ERR_INVALID_ARGUMENT for a bad split;
 *         ::HOGFEAT_ERR_IO when a file is missing.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_dataset_load_mnist(const char *directory, hogfeat_split split,
                                                      const hogfeat_limits *limits,
                                                      hogfeat_dataset **out_dataset);

/**
 * @brief Free a dataset. NULL is a no-op. Image handles from
 *        hogfeat_dataset_image() must be destroyed first.
 * @param[in] dataset Handle or NULL.
 * @threadsafety Safe on distinct handles.
 * @since 0.2
 */
HOGFEAT_API void hogfeat_dataset_destroy(hogfeat_dataset *dataset);

/**
 * @brief Number of images. @param[in] dataset Handle.
 * @return The count, or 0 if @p dataset is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_dataset_count(const hogfeat_dataset *dataset);

/**
 * @brief Image width (IDX columns). @param[in] dataset Handle.
 * @return The width, or 0 if @p dataset is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_dataset_width(const hogfeat_dataset *dataset);

/**
 * @brief Image height (IDX rows). @param[in] dataset Handle.
 * @return The height, or 0 if @p dataset is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API size_t hogfeat_dataset_height(const hogfeat_dataset *dataset);

/**
 * @brief All pixels: count x height x width uint8, contiguous, row-major.
 * @param[in] dataset Handle.
 * @return A pointer borrowed from the dataset, valid until it is destroyed; NULL if @p dataset is NULL.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const uint8_t *hogfeat_dataset_pixels(const hogfeat_dataset *dataset);

/**
 * @brief All labels, one per image.
 * @param[in] dataset Handle.
 * @return A pointer borrowed from the dataset, valid until it is destroyed; NULL if
 *         @p dataset is NULL or has no labels.
 * @threadsafety Thread-safe. @since 0.2
 */
HOGFEAT_API const int32_t *hogfeat_dataset_labels(const hogfeat_dataset *dataset);

/**
 * @brief An image handle over one dataset image, without copying pixels.
 *
 * The handle borrows the dataset's pixels: destroy it before the dataset.
 * @param[in]  dataset   Handle.
 * @param[in]  index     0 to count - 1.
 * @param[out] out_image Receives a ::HOGFEAT_FORMAT_U8_GRAY handle; NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_INVALID_ARGUMENT
 *         (index out of range); ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_dataset_image(const hogfeat_dataset *dataset, size_t index,
                                                 hogfeat_image **out_image);

/**
 * @brief Decode a PGM image (P5 with maxval 1-65535, or plain-text P2).
 *
 * maxval 255 gives a ::HOGFEAT_FORMAT_U8_GRAY image with the samples as
 * stored; any other maxval gives ::HOGFEAT_FORMAT_F32_GRAY with samples
 * scaled to 0-255 (v * 255 / maxval), so descriptors do not depend on the
 * bit depth. Comments (# to end of line) are allowed in the header. The
 * pixels are copied into a new owned image.
 * @param[in]  data      File bytes.
 * @param[in]  size      Byte count.
 * @param[in]  limits    Limits, or NULL for the defaults.
 * @param[out] out_image Receives the image; set to NULL on failure.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT
 *         (not P2/P5, e.g. a PPM); ::HOGFEAT_ERR_CORRUPT_DATA (bad header, maxval 0 or
 *         above 65535, a sample above maxval, truncated data); ::HOGFEAT_ERR_BAD_GEOMETRY;
 *         ::HOGFEAT_ERR_LIMIT_EXCEEDED; ::HOGFEAT_ERR_OUT_OF_MEMORY.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pgm_read(const void *data, size_t size, const hogfeat_limits *limits,
                                            hogfeat_image **out_image);

/**
 * @brief Read a PGM file (see hogfeat_pgm_read()).
 * @param[in]  path      File name.
 * @param[in]  limits    Limits, or NULL for the defaults.
 * @param[out] out_image Receives the image; set to NULL on failure.
 * @return As hogfeat_pgm_read(), plus ::HOGFEAT_ERR_IO.
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pgm_read_file(const char *path, const hogfeat_limits *limits,
                                                 hogfeat_image **out_image);

/**
 * @brief Encode a grayscale image as binary PGM (P5, maxval 255).
 *
 * ::HOGFEAT_FORMAT_U8_GRAY is written as is; ::HOGFEAT_FORMAT_F32_GRAY is
 * clamped to [0, 255] and rounded to nearest (NaN writes 0).
 * @param[in]  image    Grayscale image.
 * @param[out] buffer   Destination, or NULL to query the size.
 * @param[in]  capacity Bytes available.
 * @param[out] out_size Bytes written, or needed when the buffer is short.
 * @return ::HOGFEAT_OK; ::HOGFEAT_ERR_NULL_POINTER; ::HOGFEAT_ERR_UNSUPPORTED_FORMAT
 *         (3-channel images); ::HOGFEAT_ERR_BUFFER_TOO_SMALL (nothing written).
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pgm_write(const hogfeat_image *image, void *buffer, size_t capacity,
                                             size_t *out_size);

/**
 * @brief Write a PGM file atomically (temporary file, fsync, rename).
 * @param[in] image Grayscale image.
 * @param[in] path  Destination file name.
 * @return As hogfeat_pgm_write() without the buffer cases, plus ::HOGFEAT_ERR_IO;
 *         ::HOGFEAT_ERR_OUT_OF_MEMORY (the file is built in memory first);
 *         ::HOGFEAT_ERR_INVALID_ARGUMENT (empty path or one over 4000 bytes).
 * @threadsafety Thread-safe.
 * @since 0.2
 */
HOGFEAT_API hogfeat_status hogfeat_pgm_write_file(const hogfeat_image *image, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_DATASET_H */
