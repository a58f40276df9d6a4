/* PNG output of hogfeat show (built only when libpng is found): an 8-bit
 * grayscale image written under a temporary name, flushed to disk and
 * renamed into place, like every other file the tool writes. */
#include "png_write.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libpng reports errors through longjmp; the message is kept for the caller. */
typedef struct png_err {
    char message[256];
} png_err;

static void on_error(png_structp png, png_const_charp msg)
{
    png_err *e = png_get_error_ptr(png);
    snprintf(e->message, sizeof e->message, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Encodes to fp; returns 0 or -1 with why filled. volatile: the locals
 * survive the longjmp. */
static int encode(FILE *fp, const unsigned char *pixels, size_t width, size_t height, size_t stride, char *why,
                  size_t why_size)
{
    png_err err = {{0}};
    png_structp volatile png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_error, on_warning);
    png_infop volatile info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(why, why_size, "out of memory");
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        snprintf(why, why_size, "%s", err.message[0] ? err.message : "libpng error");
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        return -1;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < height; y++)
        png_write_row(png, pixels + y * stride);
    png_write_end(png, NULL);
    png_structp p = png;
    png_infop i = info;
    png_destroy_write_struct(&p, &i);
    return 0;
}

int cli_png_write_gray8(const char *path, const unsigned char *pixels, size_t width, size_t height, size_t stride,
                        char *why, size_t why_size)
{
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu) {
        snprintf(why, why_size, "a PNG cannot hold a %zux%zu image", width, height);
        return -1;
    }
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    snprintf(tmp, len, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        snprintf(why, why_size, "cannot create '%s': %s", tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return -1;
    }
    int rc = encode(fp, pixels, width, height, stride, why, why_size);
    if (rc == 0 && (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || ferror(fp))) {
        snprintf(why, why_size, "write error: %s", strerror(errno));
        rc = -1;
    }
    if (fclose(fp) != 0 && rc == 0) {
        snprintf(why, why_size, "write error: %s", strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(why, why_size, "cannot rename '%s' into place: %s", tmp, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
