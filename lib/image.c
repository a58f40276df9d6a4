#include <stdint.h>
#include <string.h>

#include "private.h"

size_t hogfeat_image_max_pixels(void)
{
    return HOGFEAT__MAX_PIXELS;
}

hogfeat_status hogfeat__check_image_geometry(hogfeat_format format, size_t width, size_t height,
                                             int *out_channels, size_t *out_sample_bytes)
{
    int channels = 0;
    size_t sample_bytes = 0;
    switch (format) {
    case HOGFEAT_FORMAT_U8_GRAY: channels = 1; sample_bytes = 1; break;
    case HOGFEAT_FORMAT_U8_RGB: channels = 3; sample_bytes = 1; break;
    case HOGFEAT_FORMAT_F32_GRAY: channels = 1; sample_bytes = 4; break;
    case HOGFEAT_FORMAT_F32_RGB: channels = 3; sample_bytes = 4; break;
    default:
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "pixel format %d is not a hogfeat_format",
                             (int)format);
    }
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "image size %zux%zu has a zero side", width,
                             height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "image size %zux%zu exceeds the limit of %zu pixels", width, height,
                             (size_t)HOGFEAT__MAX_PIXELS);
    *out_channels = channels;
    *out_sample_bytes = sample_bytes;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_image_create(hogfeat_format format, size_t width, size_t height,
                                    hogfeat_image **out_image)
{
    if (!out_image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_image_create: out_image is NULL");
    *out_image = NULL;
    int channels = 0;
    size_t sample_bytes = 0;
    hogfeat_status st = hogfeat__check_image_geometry(format, width, height, &channels, &sample_bytes);
    if (st != HOGFEAT_OK)
        return st;
    /* Cannot overflow: width * height <= 2^28 and channels * sample_bytes <= 12. */
    size_t stride = width * (size_t)channels * sample_bytes;
    hogfeat_image *image = hogfeat__calloc(1, sizeof *image);
    unsigned char *pixels = hogfeat__calloc(height, stride);
    if (!image || !pixels) {
        hogfeat__free(image);
        hogfeat__free(pixels);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a %zux%zu image", width,
                             height);
    }
    image->format = format;
    image->channels = channels;
    image->sample_bytes = sample_bytes;
    image->width = width;
    image->height = height;
    image->stride_bytes = stride;
    image->pixels = pixels;
    image->owned = pixels;
    *out_image = image;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__image_init_borrowed(hogfeat_image *image, const void *pixels, hogfeat_format format,
                                           size_t width, size_t height, size_t stride_bytes)
{
    if (!pixels)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_image_wrap: pixels is NULL");
    int channels = 0;
    size_t sample_bytes = 0;
    hogfeat_status st = hogfeat__check_image_geometry(format, width, height, &channels, &sample_bytes);
    if (st != HOGFEAT_OK)
        return st;
    size_t row_bytes = width * (size_t)channels * sample_bytes;
    if (stride_bytes == 0)
        stride_bytes = row_bytes;
    if (stride_bytes < row_bytes)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE,
                             "row stride %zu bytes is shorter than a row of %zu pixels (%zu bytes)",
                             stride_bytes, width, row_bytes);
    if (stride_bytes % sample_bytes != 0 || (uintptr_t)pixels % sample_bytes != 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_STRIDE,
                             "float pixels need a 4-byte aligned pointer and stride (stride %zu)",
                             stride_bytes);
    /* The last row must be addressable: (height - 1) * stride + row_bytes. */
    size_t span;
    if (hogfeat__mul_overflow(height - 1, stride_bytes, &span) ||
        hogfeat__add_overflow(span, row_bytes, &span) || span > (size_t)PTRDIFF_MAX)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "stride %zu bytes times %zu rows overflows the address space",
                             stride_bytes, height);
    image->format = format;
    image->channels = channels;
    image->sample_bytes = sample_bytes;
    image->width = width;
    image->height = height;
    image->stride_bytes = stride_bytes;
    image->pixels = pixels;
    image->owned = NULL;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_image_wrap(const void *pixels, hogfeat_format format, size_t width,
                                  size_t height, size_t stride_bytes, hogfeat_image **out_image)
{
    if (!out_image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_image_wrap: out_image is NULL");
    *out_image = NULL;
    hogfeat_image tmp;
    hogfeat_status st = hogfeat__image_init_borrowed(&tmp, pixels, format, width, height, stride_bytes);
    if (st != HOGFEAT_OK)
        return st;
    hogfeat_image *image = hogfeat__malloc(sizeof *image);
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an image handle");
    *image = tmp;
    *out_image = image;
    return HOGFEAT_OK;
}

void hogfeat_image_destroy(hogfeat_image *image)
{
    if (!image)
        return;
    hogfeat__free(image->owned);
    hogfeat__free(image);
}

size_t hogfeat_image_width(const hogfeat_image *image)
{
    return image ? image->width : 0;
}

size_t hogfeat_image_height(const hogfeat_image *image)
{
    return image ? image->height : 0;
}

int hogfeat_image_channels(const hogfeat_image *image)
{
    return image ? image->channels : 0;
}

int hogfeat_image_format(const hogfeat_image *image)
{
    return image ? (int)image->format : 0;
}

size_t hogfeat_image_stride_bytes(const hogfeat_image *image)
{
    return image ? image->stride_bytes : 0;
}

const void *hogfeat_image_data(const hogfeat_image *image)
{
    return image ? image->pixels : NULL;
}

void *hogfeat_image_writable_data(hogfeat_image *image)
{
    return image ? image->owned : NULL;
}
