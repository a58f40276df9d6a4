/* PNG output of the hogfeat tool (png_write.c; only with libpng). */
#ifndef HOGFEAT_CLI_PNG_WRITE_H
#define HOGFEAT_CLI_PNG_WRITE_H

#include <stddef.h>

/* Writes an 8-bit grayscale PNG atomically (temporary file, fsync, rename).
 * Returns 0, or -1 with a message in why. */
int cli_png_write_gray8(const char *path, const unsigned char *pixels, size_t width, size_t height, size_t stride,
                        char *why, size_t why_size);

#endif
