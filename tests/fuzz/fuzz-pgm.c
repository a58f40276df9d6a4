/* Fuzz target: hogfeat_pgm_read on arbitrary bytes.
 *
 * Invariants: documented statuses only; an image comes back only with OK;
 * maxval 255 gives U8 samples, any other maxval F32 samples in [0, 255];
 * an image re-encoded with hogfeat_pgm_write reads back to the same pixels
 * (F32 through the documented rounding). */
#include <math.h>

#include "fuzz-common.h"

static void check_roundtrip(const hogfeat_image *img)
{
    size_t need = 0;
    hogfeat_status st = hogfeat_pgm_write(img, NULL, 0, &need);
    FZ_CHECK(st == HOGFEAT_ERR_BUFFER_TOO_SMALL && need > 0, "pgm_write size query: %s", hogfeat_status_name(st));
    unsigned char *buf = fz_alloc(need);
    size_t got = 0;
    st = hogfeat_pgm_write(img, buf, need, &got);
    FZ_CHECK(st == HOGFEAT_OK && got == need, "pgm_write: %s", hogfeat_status_name(st));
    hogfeat_image *back = NULL;
    st = hogfeat_pgm_read(buf, got, NULL, &back);
    FZ_CHECK(st == HOGFEAT_OK, "re-reading a written PGM: %s", hogfeat_status_name(st));
    size_t w = hogfeat_image_width(img), h = hogfeat_image_height(img);
    FZ_CHECK(hogfeat_image_width(back) == w && hogfeat_image_height(back) == h &&
                 hogfeat_image_format(back) == HOGFEAT_FORMAT_U8_GRAY,
             "re-read image is %zux%zu format %d", hogfeat_image_width(back), hogfeat_image_height(back),
             hogfeat_image_format(back));
    const unsigned char *b = hogfeat_image_data(back);
    size_t bs = hogfeat_image_stride_bytes(back), as = hogfeat_image_stride_bytes(img);
    const unsigned char *a = hogfeat_image_data(img);
    for (size_t y = 0; y < h; y++) {
        for (size_t x = 0; x < w; x++) {
            unsigned expect;
            if (hogfeat_image_format(img) == HOGFEAT_FORMAT_U8_GRAY) {
                expect = a[y * as + x];
            } else {
                float v;
                memcpy(&v, a + y * as + 4 * x, sizeof v);
                expect = (unsigned)roundf(v);
            }
            FZ_CHECK(b[y * bs + x] == expect, "pixel (%zu, %zu): wrote %u, read %u", x, y, expect, b[y * bs + x]);
        }
    }
    hogfeat_image_destroy(back);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hogfeat_image *img = (hogfeat_image *)(uintptr_t)1;
    hogfeat_status st = hogfeat_pgm_read(data, size, NULL, &img);
    FZ_EXPECT_STATUS(st, "hogfeat_pgm_read", HOGFEAT_OK, HOGFEAT_ERR_UNSUPPORTED_FORMAT, HOGFEAT_ERR_CORRUPT_DATA,
                     HOGFEAT_ERR_BAD_GEOMETRY, HOGFEAT_ERR_LIMIT_EXCEEDED, HOGFEAT_ERR_OUT_OF_MEMORY);
    FZ_CHECK((st == HOGFEAT_OK) == (img != NULL), "handle and %s disagree", hogfeat_status_name(st));
    if (!img)
        return 0;
    size_t w = hogfeat_image_width(img), h = hogfeat_image_height(img);
    int fmt = hogfeat_image_format(img);
    FZ_CHECK(w >= 1 && h >= 1 && w * h <= hogfeat_image_max_pixels(), "image %zux%zu", w, h);
    FZ_CHECK(fmt == HOGFEAT_FORMAT_U8_GRAY || fmt == HOGFEAT_FORMAT_F32_GRAY, "format %d", fmt);
    /* P5 needs a byte per sample and P2 two (digit and separator, less one). */
    FZ_CHECK(w * h <= size, "%zux%zu image from %zu bytes", w, h, size);
    if (fmt == HOGFEAT_FORMAT_F32_GRAY) {
        const unsigned char *a = hogfeat_image_data(img);
        size_t stride = hogfeat_image_stride_bytes(img);
        for (size_t y = 0; y < h; y++)
            for (size_t x = 0; x < w; x++) {
                float v;
                memcpy(&v, a + y * stride + 4 * x, sizeof v);
                FZ_CHECK(v >= 0.0f && v <= 255.0f, "sample (%zu, %zu) is %g", x, y, (double)v);
            }
    }
    check_roundtrip(img);
    hogfeat_image_destroy(img);
    return 0;
}
