/* Fuzz target: the gzip path of hogfeat_dataset_read_idx, structure-aware.
 *
 * Input: a control byte, a mutation word, a 16-bit length of the image part,
 * then plain IDX image bytes and label bytes. The target gzips the parts the
 * control byte selects (level 0-9, optionally as two members split where the
 * input says), then, if asked, corrupts the compressed bytes (truncate, flip a
 * byte, append garbage or a second member). Without corruption, reading the
 * gzip files must give exactly what reading the plain bytes gives: the same
 * status and, on success, the same dataset. */
#include <zlib.h>

#include "fuzz-common.h"

typedef struct bytes {
    unsigned char *p;
    size_t n;
} bytes;

/* Appends one gzip member of src to out. */
static void gzip_append(bytes *out, const uint8_t *src, size_t n, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FZ_CHECK(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
    size_t cap = deflateBound(&zs, (uLong)n) + 32;
    out->p = realloc(out->p, out->n + cap);
    FZ_CHECK(out->p != NULL, "realloc");
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    zs.next_out = out->p + out->n;
    zs.avail_out = (uInt)cap;
    FZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
    out->n += cap - zs.avail_out;
    deflateEnd(&zs);
}

static bytes gzip_of(const uint8_t *src, size_t n, int level, int two_members, size_t split)
{
    bytes out = {NULL, 0};
    if (two_members) {
        split = n ? split % (n + 1) : 0;
        gzip_append(&out, src, split, level);
        gzip_append(&out, src + split, n - split, level);
    } else {
        gzip_append(&out, src, n, level);
    }
    return out;
}

/* mode 1: truncate; 2: flip a byte; 3: append a garbage byte; 4: append an empty member. */
static void corrupt(bytes *b, unsigned mode, uint16_t where, uint8_t value)
{
    if (b->n == 0)
        return;
    switch (mode) {
    case 1: b->n = where % b->n; break;
    case 2: b->p[where % b->n] ^= (unsigned char)(value | 1); break;
    case 3:
        b->p = realloc(b->p, b->n + 1);
        FZ_CHECK(b->p != NULL, "realloc");
        b->p[b->n++] = value;
        break;
    case 4: gzip_append(b, NULL, 0, 6); break;
    default: break;
    }
}

static void same_dataset(const hogfeat_dataset *a, const hogfeat_dataset *b)
{
    size_t n = hogfeat_dataset_count(a), w = hogfeat_dataset_width(a), h = hogfeat_dataset_height(a);
    FZ_CHECK(n == hogfeat_dataset_count(b) && w == hogfeat_dataset_width(b) && h == hogfeat_dataset_height(b),
             "gzip and plain datasets differ in geometry");
    FZ_CHECK(n == 0 || memcmp(hogfeat_dataset_pixels(a), hogfeat_dataset_pixels(b), n * w * h) == 0,
             "gzip and plain pixels differ");
    const int32_t *la = hogfeat_dataset_labels(a), *lb = hogfeat_dataset_labels(b);
    FZ_CHECK((la == NULL) == (lb == NULL), "only one dataset has labels");
    FZ_CHECK(!la || n == 0 || memcmp(la, lb, n * sizeof *la) == 0, "gzip and plain labels differ");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    /* control: bit 0 labels; 1 gzip images; 2 gzip labels; 3 two members; 4-7 level (mod 10) */
    uint8_t control = fz_u8(&r);
    /* mutation: bits 0-2 mode for images, 3-5 for labels; then position and value */
    uint8_t mutation = fz_u8(&r);
    uint16_t where = fz_u16(&r);
    uint8_t value = fz_u8(&r);
    size_t img_n = fz_u16(&r);
    if (img_n > r.n)
        img_n = r.n;
    const uint8_t *img = r.p, *lab = r.p + img_n;
    size_t lab_n = r.n - img_n;
    const int has_labels = control & 1, level = (control >> 4) % 10, two = (control >> 3) & 1;
    const unsigned img_mode = mutation & 7, lab_mode = (mutation >> 3) & 7;

    bytes gimg = {NULL, 0}, glab = {NULL, 0};
    const uint8_t *in_img = img, *in_lab = has_labels ? lab : NULL;
    size_t in_img_n = img_n, in_lab_n = lab_n;
    int corrupted = 0;
    if (control & 2) {
        gimg = gzip_of(img, img_n, level, two, where);
        corrupt(&gimg, img_mode, where, value);
        corrupted |= img_mode >= 1 && img_mode <= 4;
        in_img = gimg.p;
        in_img_n = gimg.n;
    }
    if (has_labels && (control & 4)) {
        glab = gzip_of(lab, lab_n, level, two, (size_t)where >> 3);
        corrupt(&glab, lab_mode, (uint16_t)(where >> 1), value);
        corrupted |= lab_mode >= 1 && lab_mode <= 4;
        in_lab = glab.p;
        in_lab_n = glab.n;
    }
    if (!in_img) /* an empty image part compressed to nothing after truncation */
        in_img = img;

    hogfeat_dataset *dz = (hogfeat_dataset *)(uintptr_t)1;
    hogfeat_status sz = hogfeat_dataset_read_idx(in_img, in_img_n, in_lab, in_lab_n, NULL, &dz);
    FZ_EXPECT_STATUS(sz, "hogfeat_dataset_read_idx (gzip)", HOGFEAT_OK, HOGFEAT_ERR_UNSUPPORTED_FORMAT,
                     HOGFEAT_ERR_CORRUPT_DATA, HOGFEAT_ERR_LIMIT_EXCEEDED, HOGFEAT_ERR_BAD_GEOMETRY,
                     HOGFEAT_ERR_OUT_OF_MEMORY);
    FZ_CHECK((sz == HOGFEAT_OK) == (dz != NULL), "handle and status disagree");

    /* A part that is itself gzip is decompressed twice by nobody: skip the
     * comparison when the plain bytes already look like gzip. */
    int plain_is_gzip = (img_n >= 2 && img[0] == 0x1f && img[1] == 0x8b) ||
                        (has_labels && lab_n >= 2 && lab[0] == 0x1f && lab[1] == 0x8b);
    if (!corrupted && !plain_is_gzip) {
        hogfeat_dataset *dp = (hogfeat_dataset *)(uintptr_t)1;
        hogfeat_status sp = hogfeat_dataset_read_idx(img, img_n, has_labels ? lab : NULL, lab_n, NULL, &dp);
        FZ_CHECK(sp == sz, "plain read gives %s, gzip read gives %s", hogfeat_status_name(sp),
                 hogfeat_status_name(sz));
        if (sp == HOGFEAT_OK)
            same_dataset(dp, dz);
        hogfeat_dataset_destroy(dp);
    }
    hogfeat_dataset_destroy(dz);
    free(gimg.p);
    free(glab.p);
    return 0;
}
