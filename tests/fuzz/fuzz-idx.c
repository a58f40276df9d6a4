/* Fuzz target: hogfeat_dataset_read_idx on arbitrary bytes, plain or gzip
 * (the reader recognises gzip by its magic bytes).
 *
 * Input: a control byte (bit 0: a label file follows; bit 1: tight limits
 * from the next three bytes), a 16-bit length of the image part, the image
 * bytes, then the label bytes. For plain (not gzip) input an independent
 * oracle decides whether the files are well formed: the reader must accept
 * exactly those within the limits, refuse those beyond with
 * LIMIT_EXCEEDED, and return the bytes as stored. */
#include "fuzz-common.h"

static size_t be32(const uint8_t *p)
{
    return (size_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static int is_gzip(const uint8_t *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* 1 when the plain files are well formed (sizes exact, magic right). */
static int well_formed(const uint8_t *img, size_t img_n, const uint8_t *lab, size_t lab_n, int has_labels,
                       size_t *count, size_t *rows, size_t *cols)
{
    if (img_n < 16 || img[0] != 0 || img[1] != 0 || img[2] != 8 || img[3] != 3)
        return 0;
    *count = be32(img + 4);
    *rows = be32(img + 8);
    *cols = be32(img + 12);
    if (*rows == 0 || *cols == 0)
        return 0;
    /* Each factor is below 2^32, so the product of three fits in 128 bits;
     * compare without overflow against the bytes present. */
    size_t payload = img_n - 16;
    if (*count != 0 && (*rows > payload / *count || *cols > payload / *count / *rows ||
                        *count * *rows * *cols != payload))
        return 0;
    if (*count == 0 && payload != 0)
        return 0;
    if (!has_labels)
        return 1;
    return lab_n >= 8 && lab[0] == 0 && lab[1] == 0 && lab[2] == 8 && lab[3] == 1 && be32(lab + 4) == *count &&
           lab_n - 8 == *count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t control = fz_u8(&r);
    const int has_labels = control & 1;
    hogfeat_limits *limits = NULL;
    size_t max_items = (size_t)1 << 24, max_pixels = (size_t)1 << 28, max_bytes = (size_t)1 << 33;
    if (control & 2) {
        FZ_CHECK(hogfeat_limits_create(&limits) == HOGFEAT_OK, "limits");
        max_items = 1 + (size_t)fz_u8(&r);
        max_pixels = 1 + 4 * (size_t)fz_u8(&r);
        max_bytes = 1 + 64 * (size_t)fz_u8(&r);
        FZ_CHECK(hogfeat_limits_set(limits, HOGFEAT_LIMIT_MAX_ITEMS, max_items) == HOGFEAT_OK &&
                     hogfeat_limits_set(limits, HOGFEAT_LIMIT_MAX_PIXELS, max_pixels) == HOGFEAT_OK &&
                     hogfeat_limits_set(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES, max_bytes) == HOGFEAT_OK,
                 "limits_set");
    }
    size_t img_n = fz_u16(&r);
    if (img_n > r.n)
        img_n = r.n;
    const uint8_t *img = r.p, *lab = r.p + img_n;
    size_t lab_n = r.n - img_n;

    hogfeat_dataset *ds = (hogfeat_dataset *)(uintptr_t)1;
    hogfeat_status st = hogfeat_dataset_read_idx(img, img_n, has_labels ? lab : NULL, lab_n, limits, &ds);
    FZ_EXPECT_STATUS(st, "hogfeat_dataset_read_idx", HOGFEAT_OK, HOGFEAT_ERR_UNSUPPORTED_FORMAT,
                     HOGFEAT_ERR_CORRUPT_DATA, HOGFEAT_ERR_LIMIT_EXCEEDED, HOGFEAT_ERR_BAD_GEOMETRY,
                     HOGFEAT_ERR_OUT_OF_MEMORY);
    FZ_CHECK((st == HOGFEAT_OK) == (ds != NULL), "dataset handle and %s disagree", hogfeat_status_name(st));

    if (!is_gzip(img, img_n) && !(has_labels && is_gzip(lab, lab_n))) {
        size_t count = 0, rows = 0, cols = 0;
        int valid = well_formed(img, img_n, lab, lab_n, has_labels, &count, &rows, &cols);
        if (valid) {
            int within = rows * cols <= max_pixels && count <= max_items &&
                         count * rows * cols + (has_labels ? 4 * count : 0) <= max_bytes;
            FZ_CHECK(within ? st == HOGFEAT_OK : st == HOGFEAT_ERR_LIMIT_EXCEEDED,
                     "well-formed IDX (%zu x %zu x %zu, %s limits) read as %s", count, rows, cols,
                     within ? "within" : "beyond", hogfeat_status_name(st));
        } else {
            FZ_CHECK(st != HOGFEAT_OK, "malformed IDX was accepted");
        }
        if (st == HOGFEAT_OK) {
            FZ_CHECK(hogfeat_dataset_count(ds) == count && hogfeat_dataset_height(ds) == rows &&
                         hogfeat_dataset_width(ds) == cols,
                     "dataset geometry differs from the header");
            FZ_CHECK(count == 0 || memcmp(hogfeat_dataset_pixels(ds), img + 16, count * rows * cols) == 0,
                     "pixels differ from the file");
            const int32_t *labels = hogfeat_dataset_labels(ds);
            FZ_CHECK((labels != NULL) == (has_labels != 0), "labels pointer %p with%s a label file",
                     (const void *)labels, has_labels ? "" : "out");
            for (size_t i = 0; has_labels && i < count; i++)
                FZ_CHECK(labels[i] == lab[8 + i], "label %zu is %d, the file says %d", i, (int)labels[i], lab[8 + i]);
        }
    }

    if (ds) {
        size_t count = hogfeat_dataset_count(ds);
        size_t w = hogfeat_dataset_width(ds), h = hogfeat_dataset_height(ds);
        FZ_CHECK(w >= 1 && h >= 1, "dataset of %zux%zu images", w, h);
        /* Touch every pixel and label (ASan catches a short allocation). */
        const uint8_t *px = hogfeat_dataset_pixels(ds);
        unsigned sum = 0;
        for (size_t i = 0; i < count * w * h; i++)
            sum += px[i];
        const int32_t *labels = hogfeat_dataset_labels(ds);
        for (size_t i = 0; labels && i < count; i++)
            FZ_CHECK(labels[i] >= 0 && labels[i] <= 255, "label %zu is %d", i, (int)labels[i]);
        (void)sum;
        hogfeat_image *im = NULL;
        if (count > 0) {
            FZ_CHECK(hogfeat_dataset_image(ds, count - 1, &im) == HOGFEAT_OK, "last image");
            FZ_CHECK(hogfeat_image_width(im) == w && hogfeat_image_height(im) == h, "image size");
            hogfeat_image_destroy(im);
        }
        FZ_CHECK(hogfeat_dataset_image(ds, count, &im) == HOGFEAT_ERR_INVALID_ARGUMENT && im == NULL,
                 "index past the end");
        hogfeat_dataset_destroy(ds);
    }
    hogfeat_limits_destroy(limits);
    return 0;
}
