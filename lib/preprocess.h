/* Image preprocessing for the pipeline: bilinear resize and Gaussian blur.
 * Internal to lib/; never installed. */
#ifndef HOGFEAT_PREPROCESS_H
#define HOGFEAT_PREPROCESS_H

#include <stddef.h>

#include "private.h"

/* Largest blur radius in pixels: int(4 * HOGFEAT_PIPELINE_MAX_SIGMA + 0.5). */
#define HOGFEAT__MAX_BLUR_RADIUS 256

/* Bilinear resize of src to out_width x out_height with pixel centres
 * aligned: source coordinate (d + 0.5) * in / out - 0.5, clamped to the
 * first and last pixel (OpenCV INTER_LINEAR). Each channel separately. The
 * result is a new owned float image (F32_GRAY or F32_RGB) in the value range
 * of src (uint8 stays 0..255, unrounded). *out is NULL on failure.
 * Returns OK, NULL_POINTER, BAD_GEOMETRY, LIMIT_EXCEEDED, OUT_OF_MEMORY.
 * Thread-safe; src is borrowed for the call. */
hogfeat_status hogfeat__resize_bilinear(const hogfeat_image *src, size_t out_width, size_t out_height,
                                        hogfeat_image **out);

/* Gaussian blur as scikit-image 0.19 filters.gaussian(image, sigma) with its
 * defaults: each sample times sample_scale (1/255 turns uint8 into [0, 1]),
 * then a separable kernel of radius int(4 sigma + 0.5), weights
 * exp(-x^2 / (2 sigma^2)) normalised to sum 1, edges repeated
 * (mode='nearest'), per channel, in double precision. The result is a new
 * owned float image of src's size and channel count. sigma must be finite
 * and in [0, HOGFEAT_PIPELINE_MAX_SIGMA]; 0 only scales.
 * Returns OK, NULL_POINTER, INVALID_ARGUMENT, OUT_OF_MEMORY.
 * Thread-safe; src is borrowed for the call. */
hogfeat_status hogfeat__gaussian_blur(const hogfeat_image *src, double sigma, double sample_scale,
                                      hogfeat_image **out);

/* The same two, with the result's pixels and all scratch in ws (grown as
 * needed, so repeated calls allocate nothing) and *dst filled as a borrowed
 * handle onto them, valid until ws is next reused or released. */
hogfeat_status hogfeat__resize_bilinear_ws(const hogfeat_image *src, size_t out_width, size_t out_height,
                                           hogfeat__buffer *ws, hogfeat_image *dst);
hogfeat_status hogfeat__gaussian_blur_ws(const hogfeat_image *src, double sigma, double sample_scale,
                                         hogfeat__buffer *ws, hogfeat_image *dst);

#endif /* HOGFEAT_PREPROCESS_H */
