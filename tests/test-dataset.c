/* Datasets: IDX images and labels (plain, gzip, multi-member gzip), the MNIST
 * directory loader, PGM reading (P5 8/16-bit, P2) and writing. Every hostile
 * input checks its exact status; allocation failure is injected at every
 * allocation of each reader. */
#include <stdalign.h>
#include <sys/stat.h>
#include <unistd.h>
#define ZLIB_CONST
#include <zlib.h>

#include "common.h"
#include "private.h"

/* Non-NULL values that a failing call must overwrite with NULL. */
static hogfeat_dataset *const DS_POISON = (hogfeat_dataset *)(uintptr_t)0x5a5a5a50u;
static hogfeat_image *const IMG_POISON = (hogfeat_image *)(uintptr_t)0x5a5a5a50u;

#define STATUS_TEXT(st) hogfeat_status_name(st), hogfeat_last_error_message()

#define ASSERT_STATUS(expr, expected)                                                                       \
    do {                                                                                                    \
        hogfeat_status st_ = (expr);                                                                        \
        ck_assert_msg(st_ == (expected), "%s: got %s (%s), expected %s", #expr, STATUS_TEXT(st_),           \
                      hogfeat_status_name(expected));                                                       \
    } while (0)

#define ASSERT_MESSAGE_HAS(sub)                                                                             \
    ck_assert_msg(strstr(hogfeat_last_error_message(), (sub)) != NULL, "message \"%s\" lacks \"%s\"",       \
                  hogfeat_last_error_message(), (sub))

/* Puts a known message in the thread's slot, so a test can see that the call
 * under test replaced it. */
static const char *arm_message(void)
{
    ck_assert_int_eq(hogfeat_limits_set(NULL, HOGFEAT_LIMIT_MAX_ITEMS, 1), HOGFEAT_ERR_NULL_POINTER);
    return "hogfeat_limits_set: limits is NULL";
}

static void assert_new_message(const char *armed)
{
    const char *msg = hogfeat_last_error_message();
    ck_assert_msg(msg[0] != '\0' && strcmp(msg, armed) != 0, "the failing call left no message of its own: \"%s\"",
                  msg);
}

/* ---- byte buffers ---------------------------------------------------- */

typedef struct buf {
    unsigned char *p;
    size_t n;
} buf;

static buf buf_new(size_t n)
{
    buf b = {malloc(n ? n : 1), n};
    ck_assert_ptr_nonnull(b.p);
    return b;
}

static void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

static buf buf_cat(buf a, buf b)
{
    buf c = buf_new(a.n + b.n);
    memcpy(c.p, a.p, a.n);
    memcpy(c.p + a.n, b.p, b.n);
    return c;
}

static buf buf_slice(buf a, size_t from, size_t n)
{
    buf c = buf_new(n);
    memcpy(c.p, a.p + from, n);
    return c;
}

static buf bytes_of_array(const unsigned char *p, size_t n)
{
    buf b = buf_new(n);
    memcpy(b.p, p, n);
    return b;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Pixel i of a generated image set: varied, not periodic in 256. */
static unsigned char pixel_value(size_t i)
{
    return (unsigned char)((i * 131u + (i >> 8) * 17u + 3u) & 0xffu);
}

static int32_t label_value(size_t i)
{
    return (int32_t)((i * 7u + 3u) % 10u);
}

/* An IDX header with any type byte and dimension count; 4 * dims size words. */
static buf idx_header(unsigned type, unsigned dims, const uint32_t *sizes)
{
    unsigned char bytes[4 + 4 * 8] = {0, 0, (unsigned char)type, (unsigned char)dims};
    ck_assert_uint_le(dims, 8);
    for (unsigned d = 0; d < dims; d++)
        put_be32(bytes + 4 + 4 * d, sizes[d]);
    return bytes_of_array(bytes, 4 + 4 * (size_t)dims);
}

static buf idx_images(uint32_t count, uint32_t rows, uint32_t cols)
{
    uint32_t sizes[3] = {count, rows, cols};
    buf h = idx_header(0x08, 3, sizes);
    size_t n = (size_t)count * rows * cols;
    buf b = buf_new(h.n + n);
    memcpy(b.p, h.p, h.n);
    for (size_t i = 0; i < n; i++)
        b.p[h.n + i] = pixel_value(i);
    buf_free(&h);
    return b;
}

static buf idx_labels(uint32_t count)
{
    uint32_t sizes[1] = {count};
    buf h = idx_header(0x08, 1, sizes);
    buf b = buf_new(h.n + count);
    memcpy(b.p, h.p, h.n);
    for (size_t i = 0; i < count; i++)
        b.p[h.n + i] = (unsigned char)label_value(i);
    buf_free(&h);
    return b;
}

/* One gzip member holding a.p[0 .. a.n). */
static buf gzip_member(buf a)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    buf out = buf_new(deflateBound(&zs, (uLong)a.n) + 64);
    zs.next_in = a.p;
    zs.avail_in = (uInt)a.n;
    zs.next_out = out.p;
    zs.avail_out = (uInt)out.n;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.n = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* Two gzip members: a.p[0 .. split) and a.p[split .. a.n). */
static buf gzip_two_members(buf a, size_t split)
{
    buf first = buf_slice(a, 0, split), second = buf_slice(a, split, a.n - split);
    buf g1 = gzip_member(first), g2 = gzip_member(second);
    buf both = buf_cat(g1, g2);
    buf_free(&first);
    buf_free(&second);
    buf_free(&g1);
    buf_free(&g2);
    return both;
}

/* ---- expectations ------------------------------------------------------ */

static hogfeat_dataset *read_ok(buf img, const buf *lab, const hogfeat_limits *limits)
{
    hogfeat_dataset *ds = DS_POISON;
    hogfeat_status st =
        hogfeat_dataset_read_idx(img.p, img.n, lab ? lab->p : NULL, lab ? lab->n : 0, limits, &ds);
    ck_assert_msg(st == HOGFEAT_OK, "read_idx: %s (%s)", STATUS_TEXT(st));
    ck_assert_ptr_nonnull(ds);
    ck_assert_ptr_ne(ds, DS_POISON);
    return ds;
}

static void expect_read_fail(buf img, const buf *lab, const hogfeat_limits *limits, hogfeat_status want,
                             const char *what)
{
    const char *armed = arm_message();
    hogfeat_dataset *ds = DS_POISON;
    hogfeat_status st =
        hogfeat_dataset_read_idx(img.p, img.n, lab ? lab->p : NULL, lab ? lab->n : 0, limits, &ds);
    ck_assert_msg(st == want, "%s: got %s (%s), expected %s", what, STATUS_TEXT(st), hogfeat_status_name(want));
    ck_assert_msg(ds == NULL, "%s: out_dataset is %p after a failure, expected NULL", what, (void *)ds);
    assert_new_message(armed);
}

/* The generated pattern of count images of rows x cols, labelled or not. */
static void check_dataset(const hogfeat_dataset *ds, size_t count, size_t rows, size_t cols, int labelled)
{
    ck_assert_uint_eq(hogfeat_dataset_count(ds), count);
    ck_assert_uint_eq(hogfeat_dataset_height(ds), rows);
    ck_assert_uint_eq(hogfeat_dataset_width(ds), cols);
    const uint8_t *px = hogfeat_dataset_pixels(ds);
    ck_assert_ptr_nonnull(px);
    for (size_t i = 0; i < count * rows * cols; i++)
        if (px[i] != pixel_value(i))
            ck_abort_msg("pixel %zu is %u, expected %u", i, px[i], pixel_value(i));
    const int32_t *labels = hogfeat_dataset_labels(ds);
    if (!labelled) {
        ck_assert_ptr_null(labels);
        return;
    }
    ck_assert_ptr_nonnull(labels);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(labels[i] == label_value(i), "label %zu is %d, expected %d", i, labels[i], label_value(i));
}

static hogfeat_limits *limits_with(hogfeat_limit which, size_t value)
{
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, which, value), HOGFEAT_OK);
    return lim;
}

/* ======================================================================== */
/* IDX: reading valid data                                                  */
/* ======================================================================== */

START_TEST(test_idx_plain_roundtrip)
{
    buf img = idx_images(7, 5, 6), lab = idx_labels(7);
    hogfeat_dataset *ds = read_ok(img, &lab, NULL);
    check_dataset(ds, 7, 5, 6, 1);

    /* The input is copied, not referenced. */
    memset(img.p, 0xEE, img.n);
    memset(lab.p, 0xEE, lab.n);
    check_dataset(ds, 7, 5, 6, 1);
    hogfeat_dataset_destroy(ds);

    buf img2 = idx_images(3, 1, 1);
    ds = read_ok(img2, NULL, NULL);
    check_dataset(ds, 3, 1, 1, 0);
    hogfeat_dataset_destroy(ds);
    buf_free(&img);
    buf_free(&lab);
    buf_free(&img2);
}
END_TEST

START_TEST(test_idx_gzip_roundtrip)
{
    buf img = idx_images(9, 28, 28), lab = idx_labels(9);
    buf gimg = gzip_member(img), glab = gzip_member(lab);
    ck_assert(gimg.p[0] == 0x1f && gimg.p[1] == 0x8b);

    hogfeat_dataset *ds = read_ok(gimg, &glab, NULL);
    check_dataset(ds, 9, 28, 28, 1);
    hogfeat_dataset_destroy(ds);
    /* Any mix of plain and compressed inputs. */
    ds = read_ok(gimg, &lab, NULL);
    check_dataset(ds, 9, 28, 28, 1);
    hogfeat_dataset_destroy(ds);
    ds = read_ok(img, &glab, NULL);
    check_dataset(ds, 9, 28, 28, 1);
    hogfeat_dataset_destroy(ds);
    ds = read_ok(gimg, NULL, NULL);
    check_dataset(ds, 9, 28, 28, 0);
    hogfeat_dataset_destroy(ds);

    buf_free(&img);
    buf_free(&lab);
    buf_free(&gimg);
    buf_free(&glab);
}
END_TEST

START_TEST(test_idx_gzip_two_members)
{
    buf img = idx_images(6, 10, 12), lab = idx_labels(6);
    /* Splits inside the magic, inside the size words, at the end of the
     * header, inside the pixels and one byte before the end. */
    const size_t splits[] = {0, 2, 9, 16, 17, 400, img.n - 1, img.n};
    for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        buf gimg = gzip_two_members(img, splits[s]);
        buf glab = gzip_two_members(lab, splits[s] < lab.n ? splits[s] : lab.n / 2);
        hogfeat_dataset *ds = DS_POISON;
        hogfeat_status st = hogfeat_dataset_read_idx(gimg.p, gimg.n, glab.p, glab.n, NULL, &ds);
        ck_assert_msg(st == HOGFEAT_OK, "split at %zu: %s (%s)", splits[s], STATUS_TEXT(st));
        check_dataset(ds, 6, 10, 12, 1);
        hogfeat_dataset_destroy(ds);
        buf_free(&gimg);
        buf_free(&glab);
    }
    /* Three members, the middle one empty. */
    buf a = buf_slice(img, 0, 100), empty = buf_new(0), b = buf_slice(img, 100, img.n - 100);
    buf ga = gzip_member(a), ge = gzip_member(empty), gb = gzip_member(b);
    buf t1 = buf_cat(ga, ge), three = buf_cat(t1, gb);
    hogfeat_dataset *ds = read_ok(three, NULL, NULL);
    check_dataset(ds, 6, 10, 12, 0);
    hogfeat_dataset_destroy(ds);
    buf *all[] = {&a, &empty, &b, &ga, &ge, &gb, &t1, &three, &img, &lab};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        buf_free(all[i]);
}
END_TEST

START_TEST(test_idx_zero_items)
{
    /* A well-formed file with no images is an empty dataset. */
    buf img = idx_images(0, 28, 28), lab = idx_labels(0);
    hogfeat_dataset *ds = read_ok(img, &lab, NULL);
    ck_assert_uint_eq(hogfeat_dataset_count(ds), 0);
    ck_assert_uint_eq(hogfeat_dataset_width(ds), 28);
    ck_assert_uint_eq(hogfeat_dataset_height(ds), 28);
    hogfeat_image *im = IMG_POISON;
    ASSERT_STATUS(hogfeat_dataset_image(ds, 0, &im), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(im);
    hogfeat_dataset_destroy(ds);
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_dataset_image)
{
    buf img = idx_images(4, 3, 5), lab = idx_labels(4);
    hogfeat_dataset *ds = read_ok(img, &lab, NULL);
    const uint8_t *px = hogfeat_dataset_pixels(ds);
    for (size_t i = 0; i < 4; i++) {
        hogfeat_image *im = IMG_POISON;
        ASSERT_STATUS(hogfeat_dataset_image(ds, i, &im), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_U8_GRAY);
        ck_assert_uint_eq(hogfeat_image_width(im), 5);
        ck_assert_uint_eq(hogfeat_image_height(im), 3);
        ck_assert_uint_eq(hogfeat_image_stride_bytes(im), 5);
        /* Borrowed: the handle points into the dataset and is read-only. */
        ck_assert_ptr_eq(hogfeat_image_data(im), px + i * 15);
        ck_assert_ptr_null(hogfeat_image_writable_data(im));
        hogfeat_image_destroy(im);
    }
    hogfeat_image *im = IMG_POISON;
    ASSERT_STATUS(hogfeat_dataset_image(ds, 4, &im), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(im);
    im = IMG_POISON;
    ASSERT_STATUS(hogfeat_dataset_image(ds, SIZE_MAX, &im), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(im);
    hogfeat_dataset_destroy(ds);
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_limits_exact)
{
    /* Each limit at exactly the size needed passes; one less fails. */
    buf img = idx_images(7, 5, 6), lab = idx_labels(7);
    const struct {
        hogfeat_limit which;
        size_t exact;
        int with_labels;
    } cases[] = {
        {HOGFEAT_LIMIT_MAX_ITEMS, 7, 1},
        {HOGFEAT_LIMIT_MAX_PIXELS, 30, 1},
        {HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 7 * 30, 0},
        /* Labels are stored as int32 and count towards the total. */
        {HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 7 * 30 + 7 * 4, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const buf *l = cases[c].with_labels ? &lab : NULL;
        hogfeat_limits *lim = limits_with(cases[c].which, cases[c].exact);
        hogfeat_dataset *ds = read_ok(img, l, lim);
        check_dataset(ds, 7, 5, 6, cases[c].with_labels);
        hogfeat_dataset_destroy(ds);
        ck_assert_int_eq(hogfeat_limits_set(lim, cases[c].which, cases[c].exact - 1), HOGFEAT_OK);
        expect_read_fail(img, l, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "one below the limit");
        hogfeat_limits_destroy(lim);
    }
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

/* ======================================================================== */
/* IDX: hostile input                                                       */
/* ======================================================================== */

START_TEST(test_idx_bad_magic)
{
    buf img = idx_images(2, 4, 4), lab = idx_labels(2);
    const size_t positions[] = {0, 1};
    for (size_t p = 0; p < 2; p++) {
        for (unsigned v = 1; v < 256; v += 37) {
            buf bad = buf_slice(img, 0, img.n);
            bad.p[positions[p]] = (unsigned char)v;
            if (bad.p[0] == 0x1f && bad.p[1] == 0x8b)
                bad.p[1] = 0x8c;
            expect_read_fail(bad, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "bad image magic");
            ASSERT_MESSAGE_HAS("not an IDX file");
            buf bad_lab = buf_slice(lab, 0, lab.n);
            bad_lab.p[positions[p]] = (unsigned char)v;
            expect_read_fail(img, &bad_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "bad label magic");
            buf_free(&bad);
            buf_free(&bad_lab);
        }
    }
    /* Other files entirely. */
    static const char pgm[] = "P5\n2 2\n255\n\1\2\3\4";
    buf b = buf_new(sizeof pgm - 1);
    memcpy(b.p, pgm, b.n);
    expect_read_fail(b, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "a PGM file");
    buf_free(&b);
    /* Files swapped: labels where images belong and the other way round. */
    expect_read_fail(lab, &img, NULL, HOGFEAT_ERR_CORRUPT_DATA, "swapped files");
    ASSERT_MESSAGE_HAS("dimensions");
    expect_read_fail(img, &img, NULL, HOGFEAT_ERR_CORRUPT_DATA, "images as labels");
    ASSERT_MESSAGE_HAS("dimensions");
    /* A gzip magic with garbage behind it. */
    b = buf_new(40);
    memset(b.p, 0x55, b.n);
    b.p[0] = 0x1f;
    b.p[1] = 0x8b;
    expect_read_fail(b, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "gzip magic and garbage");
    buf_free(&b);
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_other_types)
{
    const unsigned known[] = {0x09, 0x0B, 0x0C, 0x0D, 0x0E};
    const unsigned unknown[] = {0x00, 0x01, 0x07, 0x0A, 0x0F, 0x10, 0x80, 0xFF};
    buf img = idx_images(2, 3, 3), lab = idx_labels(2);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        buf bad = buf_slice(img, 0, img.n);
        bad.p[2] = (unsigned char)known[i];
        expect_read_fail(bad, &lab, NULL, HOGFEAT_ERR_UNSUPPORTED_FORMAT, "known non-byte image type");
        ASSERT_MESSAGE_HAS("not supported");
        buf gbad = gzip_member(bad);
        expect_read_fail(gbad, &lab, NULL, HOGFEAT_ERR_UNSUPPORTED_FORMAT, "gzip, known non-byte image type");
        buf bad_lab = buf_slice(lab, 0, lab.n);
        bad_lab.p[2] = (unsigned char)known[i];
        expect_read_fail(img, &bad_lab, NULL, HOGFEAT_ERR_UNSUPPORTED_FORMAT, "known non-byte label type");
        buf_free(&bad);
        buf_free(&gbad);
        buf_free(&bad_lab);
    }
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        buf bad = buf_slice(img, 0, img.n);
        bad.p[2] = (unsigned char)unknown[i];
        expect_read_fail(bad, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "unknown image type");
        buf bad_lab = buf_slice(lab, 0, lab.n);
        bad_lab.p[2] = (unsigned char)unknown[i];
        expect_read_fail(img, &bad_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "unknown label type");
        buf_free(&bad);
        buf_free(&bad_lab);
    }
    /* Dimension counts other than 3 (images) and 1 (labels). */
    for (unsigned dims = 0; dims < 6; dims++) {
        uint32_t sizes[5] = {2, 3, 3, 1, 1};
        buf h = idx_header(0x08, dims, sizes);
        buf body = buf_new(18);
        memset(body.p, 1, body.n);
        buf file = buf_cat(h, body);
        if (dims != 3)
            expect_read_fail(file, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "image file with other dimensions");
        if (dims != 1)
            expect_read_fail(img, &file, NULL, HOGFEAT_ERR_CORRUPT_DATA, "label file with other dimensions");
        buf_free(&h);
        buf_free(&body);
        buf_free(&file);
    }
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_declared_more_than_present)
{
    buf img = idx_images(5, 4, 4), lab = idx_labels(5);
    /* One pixel missing. */
    buf short_img = buf_slice(img, 0, img.n - 1);
    expect_read_fail(short_img, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "one pixel short");
    ASSERT_MESSAGE_HAS("80 bytes of pixels but only 79");
    /* The header claims one more image than there is. */
    buf more = buf_slice(img, 0, img.n);
    put_be32(more.p + 4, 6);
    buf more_lab = buf_slice(lab, 0, lab.n);
    put_be32(more_lab.p + 4, 6);
    expect_read_fail(more, &more_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "count + 1");
    ASSERT_MESSAGE_HAS("declares 96 bytes");
    /* The label file alone claims more. */
    expect_read_fail(img, &more_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "labels count + 1 (count mismatch)");
    buf six = idx_images(6, 4, 4);
    expect_read_fail(six, &more_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "one label short");
    ASSERT_MESSAGE_HAS("6 bytes of labels but only 5");
    /* Header only. */
    buf header_only = buf_slice(img, 0, 16);
    expect_read_fail(header_only, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "header only");
    /* A huge count within the limits on a small file: refused before allocating. */
    buf big = buf_slice(img, 0, img.n);
    put_be32(big.p + 4, 1000000);
    hogfeat__test_alloc_reset();
    expect_read_fail(big, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "a million images declared, five present");
    ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
    buf *all[] = {&img, &lab, &short_img, &more, &more_lab, &six, &header_only, &big};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        buf_free(all[i]);
}
END_TEST

START_TEST(test_idx_truncated_header)
{
    buf img = idx_images(2, 3, 3), lab = idx_labels(2);
    for (size_t len = 0; len < 16; len++) {
        buf prefix = buf_slice(img, 0, len);
        char what[128];
        snprintf(what, sizeof what, "image header prefix of %zu bytes", len);
        expect_read_fail(prefix, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        buf gprefix = gzip_member(prefix);
        snprintf(what, sizeof what, "gzip of an image header prefix of %zu bytes", len);
        expect_read_fail(gprefix, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        buf_free(&prefix);
        buf_free(&gprefix);
    }
    for (size_t len = 0; len < 8; len++) {
        buf prefix = buf_slice(lab, 0, len);
        char what[128];
        snprintf(what, sizeof what, "label header prefix of %zu bytes", len);
        expect_read_fail(img, &prefix, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        buf_free(&prefix);
    }
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_trailing_bytes)
{
    buf img = idx_images(3, 4, 4), lab = idx_labels(3);
    const size_t extra[] = {1, 100};
    for (size_t e = 0; e < 2; e++) {
        buf tail = buf_new(extra[e]);
        memset(tail.p, 0, tail.n);
        buf long_img = buf_cat(img, tail), long_lab = buf_cat(lab, tail);
        expect_read_fail(long_img, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "trailing image bytes");
        char text[64];
        snprintf(text, sizeof text, "%zu trailing bytes", extra[e]);
        ASSERT_MESSAGE_HAS(text);
        expect_read_fail(img, &long_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "trailing label bytes");
        ASSERT_MESSAGE_HAS(text);
        /* Inside the compressed data: more decompressed bytes than declared. */
        buf glong = gzip_member(long_img), glong_lab = gzip_member(long_lab);
        expect_read_fail(glong, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "gzip holding trailing image bytes");
        ASSERT_MESSAGE_HAS("more than");
        expect_read_fail(img, &glong_lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "gzip holding trailing label bytes");
        /* The extra bytes in a second member. */
        buf gimg = gzip_member(img), gtail = gzip_member(tail);
        buf two = buf_cat(gimg, gtail);
        expect_read_fail(two, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "a second member after the payload");
        /* Raw bytes after the gzip member (not another member). */
        buf raw_after = buf_cat(gimg, tail);
        expect_read_fail(raw_after, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "zeros after the gzip member");
        buf *all[] = {&tail, &long_img, &long_lab, &glong, &glong_lab, &gimg, &gtail, &two, &raw_after};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            buf_free(all[i]);
    }
    buf_free(&img);
    buf_free(&lab);
}
END_TEST

START_TEST(test_idx_label_count_mismatch)
{
    buf img = idx_images(7, 2, 2);
    const uint32_t counts[] = {0, 6, 8, 100};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        buf lab = idx_labels(counts[c]);
        expect_read_fail(img, &lab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "label count differs");
        ASSERT_MESSAGE_HAS("labels but");
        buf glab = gzip_member(lab);
        expect_read_fail(img, &glab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "gzip label count differs");
        buf_free(&lab);
        buf_free(&glab);
    }
    buf_free(&img);
}
END_TEST

START_TEST(test_idx_zero_side)
{
    const uint32_t dims[][3] = {{5, 0, 28}, {5, 28, 0}, {5, 0, 0}, {0, 0, 7}};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        buf h = idx_header(0x08, 3, dims[d]);
        expect_read_fail(h, NULL, NULL, HOGFEAT_ERR_BAD_GEOMETRY, "a zero side");
        ASSERT_MESSAGE_HAS("zero side");
        buf g = gzip_member(h);
        expect_read_fail(g, NULL, NULL, HOGFEAT_ERR_BAD_GEOMETRY, "gzip, a zero side");
        buf_free(&h);
        buf_free(&g);
    }
}
END_TEST

START_TEST(test_idx_huge_dims)
{
    /* Each is refused from the header alone: no allocation at all for plain
     * input, only zlib's own state and window for gzip input. */
    const uint32_t dims[][3] = {
        {0xFFFFFFFFu, 65535, 65535},
        {0xFFFFFFFFu, 28, 28},          /* count above MAX_ITEMS */
        {1, 65535, 65535},              /* one image above MAX_PIXELS */
        {1, 0xFFFFFFFFu, 0xFFFFFFFFu},  /* rows * cols near 2^64 */
        {(1u << 24), 1u << 14, 1u << 14}, /* count * pixels = 2^52 bytes */
        {(1u << 24), 1000, 1000},       /* 16.8 TB: above MAX_TOTAL_BYTES */
    };
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        buf h = idx_header(0x08, 3, dims[d]);
        hogfeat__test_alloc_reset();
        expect_read_fail(h, NULL, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED, "huge dimensions");
        ck_assert_msg(hogfeat__test_alloc_count() == 0, "case %zu: %zu allocations before refusing", d,
                      hogfeat__test_alloc_count());
        buf g = gzip_member(h);
        hogfeat__test_alloc_reset();
        expect_read_fail(g, NULL, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED, "gzip, huge dimensions");
        ck_assert_msg(hogfeat__test_alloc_count() <= 2, "case %zu: %zu allocations before refusing", d,
                      hogfeat__test_alloc_count());
        buf_free(&h);
        buf_free(&g);
    }
    /* A label file declaring 2^32 - 1 labels. */
    buf img = idx_images(2, 2, 2);
    uint32_t n[1] = {0xFFFFFFFFu};
    buf lab = idx_header(0x08, 1, n);
    expect_read_fail(img, &lab, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED, "2^32 - 1 labels");
    buf_free(&img);
    buf_free(&lab);
    /* A tight limits handle. */
    buf ok = idx_images(3, 28, 28);
    hogfeat_limits *lim = limits_with(HOGFEAT_LIMIT_MAX_ITEMS, 2);
    expect_read_fail(ok, NULL, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "3 images, limit 2");
    ASSERT_MESSAGE_HAS("limit of 2 items");
    hogfeat_limits_destroy(lim);
    lim = limits_with(HOGFEAT_LIMIT_MAX_PIXELS, 28 * 28 - 1);
    expect_read_fail(ok, NULL, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "28x28, pixel limit 783");
    hogfeat_limits_destroy(lim);
    buf_free(&ok);
}
END_TEST

/* A gzip member of the 16-byte header followed by zero_bytes zeros, made
 * without holding the zeros in memory. */
static buf gzip_bomb(const uint32_t dims[3], size_t zero_bytes)
{
    buf h = idx_header(0x08, 3, dims);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    buf out = buf_new(zero_bytes / 1000 + 4096);
    static const unsigned char zeros[1 << 16];
    zs.next_out = out.p;
    zs.avail_out = (uInt)out.n;
    zs.next_in = h.p;
    zs.avail_in = (uInt)h.n;
    ck_assert_int_eq(deflate(&zs, Z_NO_FLUSH), Z_OK);
    for (size_t left = zero_bytes; left > 0;) {
        size_t piece = left < sizeof zeros ? left : sizeof zeros;
        zs.next_in = zeros;
        zs.avail_in = (uInt)piece;
        ck_assert_int_eq(deflate(&zs, Z_NO_FLUSH), Z_OK);
        ck_assert_uint_eq(zs.avail_in, 0);
        left -= piece;
    }
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.n = zs.total_out;
    deflateEnd(&zs);
    buf_free(&h);
    return out;
}

START_TEST(test_idx_gzip_bomb)
{
    /* 64 MiB of zeros in about 64 KiB, declaring 2^24 images of 28 x 28. */
    const uint32_t dims[3] = {1u << 24, 28, 28};
    buf bomb = gzip_bomb(dims, (size_t)64 << 20);
    ck_assert_uint_lt(bomb.n, 200000);
    hogfeat_limits *lim = limits_with(HOGFEAT_LIMIT_MAX_TOTAL_BYTES, (size_t)1 << 20);
    hogfeat__test_alloc_reset();
    expect_read_fail(bomb, NULL, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "gzip bomb, 1 MiB limit");
    ck_assert_msg(hogfeat__test_alloc_count() <= 2, "%zu allocations: more than zlib's state and window",
                  hogfeat__test_alloc_count());
    ASSERT_MESSAGE_HAS("limit of 1048576 bytes");
    /* 13 GB declared is above the default limit too. */
    expect_read_fail(bomb, NULL, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED, "gzip bomb, default limits");
    hogfeat_limits_destroy(lim);
    buf_free(&bomb);

    /* Within the limits, but more than the compressed bytes can expand to
     * (deflate's 1032:1): refused as truncated before allocating. */
    const uint32_t dims2[3] = {1u << 20, 28, 28};
    bomb = gzip_bomb(dims2, (size_t)1 << 20);
    hogfeat__test_alloc_reset();
    expect_read_fail(bomb, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "822 MB declared in ~1 KiB of gzip");
    ck_assert_uint_le(hogfeat__test_alloc_count(), 2);
    buf_free(&bomb);

    /* Plausible size (noise does not compress), but the stream ends early:
     * allocated, then freed. */
    buf img = idx_images(1000, 28, 28);
    test_rng rng = test_rng_seed(7);
    for (size_t i = 16; i < img.n; i++)
        img.p[i] = (unsigned char)test_rng_below(&rng, 256);
    put_be32(img.p + 4, 2000);
    bomb = gzip_member(img);
    expect_read_fail(bomb, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, "half the declared images");
    ASSERT_MESSAGE_HAS("784000 of the 1568000");
    buf_free(&bomb);
    buf_free(&img);
}
END_TEST

START_TEST(test_idx_gzip_truncated)
{
    /* 100 images: half noise (incompressible), half pattern. */
    buf img = idx_images(100, 28, 28), lab = idx_labels(100);
    test_rng rng = test_rng_seed(11);
    for (size_t i = 16; i < 16 + 50 * 784; i++)
        img.p[i] = (unsigned char)test_rng_below(&rng, 256);
    buf gimg = gzip_member(img), glab = gzip_member(lab);
    size_t tried = 0;
    for (size_t len = 0; len < gimg.n; len += 97) {
        buf prefix = buf_slice(gimg, 0, len);
        char what[128];
        snprintf(what, sizeof what, "gzip prefix of %zu of %zu bytes", len, gimg.n);
        expect_read_fail(prefix, &glab, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        buf_free(&prefix);
        tried++;
    }
    /* Every cut inside the 8-byte trailer (CRC32, ISIZE). */
    for (size_t cut = 1; cut <= 8; cut++) {
        buf prefix = buf_slice(gimg, 0, gimg.n - cut);
        expect_read_fail(prefix, &glab, NULL, HOGFEAT_ERR_CORRUPT_DATA, "gzip without its trailer");
        ASSERT_MESSAGE_HAS("truncated");
        buf_free(&prefix);
        buf lprefix = buf_slice(glab, 0, glab.n - cut);
        expect_read_fail(gimg, &lprefix, NULL, HOGFEAT_ERR_CORRUPT_DATA, "label gzip without its trailer");
        buf_free(&lprefix);
    }
    ck_assert_uint_gt(tried, 100);
    buf_free(&img);
    buf_free(&lab);
    buf_free(&gimg);
    buf_free(&glab);
}
END_TEST

/* Up to n leading decompressed bytes of a possibly broken gzip input. */
static size_t gzip_peek(buf g, unsigned char *out, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = g.p;
    zs.avail_in = (uInt)g.n;
    zs.next_out = out;
    zs.avail_out = (uInt)n;
    while (zs.avail_out > 0 && inflate(&zs, Z_NO_FLUSH) == Z_OK)
        ;
    size_t got = n - zs.avail_out;
    inflateEnd(&zs);
    return got;
}

START_TEST(test_idx_gzip_corrupted_byte)
{
    buf img = idx_images(20, 16, 16);
    test_rng rng = test_rng_seed(5);
    for (size_t i = 16; i < img.n; i += 3)
        img.p[i] = (unsigned char)test_rng_below(&rng, 256);
    buf gimg = gzip_member(img);
    /* Bytes 4-9 of the gzip header (MTIME, XFL, OS) are not checked by any
     * reader; every other byte is covered by the format or the CRC. */
    size_t flipped = 0, header_changed = 0;
    for (size_t pos = 0; pos < gimg.n; pos++) {
        if (pos >= 4 && pos < 10)
            continue;
        buf bad = buf_slice(gimg, 0, gimg.n);
        /* The high bits of the last deflate byte (before the 8-byte
         * trailer) may be padding that no decoder reads; bit 0 never is. */
        bad.p[pos] ^= pos == gimg.n - 9 ? 0x01 : 0x5A;
        char what[128];
        snprintf(what, sizeof what, "gzip byte %zu of %zu flipped", pos, gimg.n);
        unsigned char head[16];
        if (gzip_peek(bad, head, sizeof head) < sizeof head || memcmp(head, img.p, sizeof head) == 0) {
            expect_read_fail(bad, NULL, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        } else {
            /* The flip rewrote the IDX header itself, which is judged
             * before the CRC at the end can be: whatever it now declares is
             * refused, but not necessarily as corrupt (e.g. huge sizes). */
            hogfeat_dataset *ds = DS_POISON;
            hogfeat_status st = hogfeat_dataset_read_idx(bad.p, bad.n, NULL, 0, NULL, &ds);
            ck_assert_msg(st == HOGFEAT_ERR_CORRUPT_DATA || st == HOGFEAT_ERR_LIMIT_EXCEEDED ||
                              st == HOGFEAT_ERR_BAD_GEOMETRY || st == HOGFEAT_ERR_UNSUPPORTED_FORMAT,
                          "%s (header changed): %s (%s)", what, STATUS_TEXT(st));
            ck_assert_ptr_null(ds);
            header_changed++;
        }
        buf_free(&bad);
        flipped++;
    }
    ck_assert_uint_gt(flipped, 1000);
    ck_assert_uint_lt(header_changed, 20);
    buf_free(&img);
    buf_free(&gimg);
}
END_TEST

START_TEST(test_idx_null_args)
{
    buf img = idx_images(2, 2, 2);
    const char *armed = arm_message();
    ASSERT_STATUS(hogfeat_dataset_read_idx(img.p, img.n, NULL, 0, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    assert_new_message(armed);
    hogfeat_dataset *ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_read_idx(NULL, img.n, NULL, 0, NULL, &ds), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(ds);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_read_idx(NULL, 0, NULL, 0, NULL, &ds), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(ds);
    /* An empty (non-NULL) label input is a truncated file, not "no labels". */
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_read_idx(img.p, img.n, img.p, 0, NULL, &ds), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(ds);

    ASSERT_STATUS(hogfeat_dataset_load_idx("x", NULL, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(NULL, "y", NULL, &ds), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(ds);
    ASSERT_STATUS(hogfeat_dataset_load_mnist("/tmp", HOGFEAT_SPLIT_TRAIN, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_mnist(NULL, HOGFEAT_SPLIT_TRAIN, NULL, &ds), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(ds);
    const int bad_splits[] = {0, 3, -1, 1000};
    for (size_t i = 0; i < 4; i++) {
        ds = DS_POISON;
        ASSERT_STATUS(hogfeat_dataset_load_mnist("/tmp", (hogfeat_split)bad_splits[i], NULL, &ds),
                      HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_null(ds);
    }

    hogfeat_image *im = IMG_POISON;
    ASSERT_STATUS(hogfeat_dataset_image(NULL, 0, &im), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(im);
    ds = read_ok(img, NULL, NULL);
    ASSERT_STATUS(hogfeat_dataset_image(ds, 0, NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_dataset_destroy(ds);

    ck_assert_uint_eq(hogfeat_dataset_count(NULL), 0);
    ck_assert_uint_eq(hogfeat_dataset_width(NULL), 0);
    ck_assert_uint_eq(hogfeat_dataset_height(NULL), 0);
    ck_assert_ptr_null(hogfeat_dataset_pixels(NULL));
    ck_assert_ptr_null(hogfeat_dataset_labels(NULL));
    hogfeat_dataset_destroy(NULL);
    buf_free(&img);
}
END_TEST

/* Fails allocation 1, 2, ... until the call succeeds; every failure must be
 * OUT_OF_MEMORY with the out-handle NULL (leaks show under ASan). */
static void idx_alloc_failures(buf img, const buf *lab, int labelled, size_t count, size_t rows, size_t cols)
{
    for (int persistent = 0; persistent < 2; persistent++) {
        long n;
        for (n = 1; n < 100; n++) {
            hogfeat_dataset *ds = DS_POISON;
            hogfeat__test_alloc_fail_at(n, persistent);
            hogfeat_status st =
                hogfeat_dataset_read_idx(img.p, img.n, lab ? lab->p : NULL, lab ? lab->n : 0, NULL, &ds);
            size_t failures = hogfeat__test_alloc_failures();
            hogfeat__test_alloc_fail_at(0, 0);
            if (st == HOGFEAT_OK) {
                ck_assert_uint_eq(failures, 0);
                check_dataset(ds, count, rows, cols, labelled);
                hogfeat_dataset_destroy(ds);
                break;
            }
            ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld failing: %s (%s)", n, STATUS_TEXT(st));
            ck_assert_ptr_null(ds);
        }
        ck_assert_msg(n > 1 && n < 100, "succeeded at allocation %ld", n);
    }
}

START_TEST(test_idx_alloc_failure)
{
    buf img = idx_images(5, 7, 3), lab = idx_labels(5);
    buf gimg = gzip_member(img), glab = gzip_member(lab);
    idx_alloc_failures(img, &lab, 1, 5, 7, 3);
    idx_alloc_failures(img, NULL, 0, 5, 7, 3);
    idx_alloc_failures(gimg, &glab, 1, 5, 7, 3);
    idx_alloc_failures(gimg, &lab, 1, 5, 7, 3);

    hogfeat_dataset *ds = read_ok(img, NULL, NULL);
    for (long n = 1;; n++) {
        hogfeat_image *im = IMG_POISON;
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_dataset_image(ds, 2, &im);
        hogfeat__test_alloc_fail_at(0, 0);
        if (st == HOGFEAT_OK) {
            ck_assert_int_eq(n, 2);
            hogfeat_image_destroy(im);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
        ck_assert_ptr_null(im);
    }
    hogfeat_dataset_destroy(ds);
    buf_free(&img);
    buf_free(&lab);
    buf_free(&gimg);
    buf_free(&glab);
}
END_TEST

/* ======================================================================== */
/* Files: load_idx and load_mnist                                           */
/* ======================================================================== */

typedef struct temp_dir {
    char path[64];
} temp_dir;

static temp_dir temp_dir_make(void)
{
    temp_dir d;
    snprintf(d.path, sizeof d.path, "/tmp/hogfeat-dataset-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d.path));
    return d;
}

static void file_path(const temp_dir *d, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", d->path, name);
}

static void write_file(const temp_dir *d, const char *name, buf b)
{
    char path[256];
    file_path(d, name, path, sizeof path);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b.p, 1, b.n, f), b.n);
    ck_assert_int_eq(fclose(f), 0);
}

static void remove_file(const temp_dir *d, const char *name)
{
    char path[256];
    file_path(d, name, path, sizeof path);
    unlink(path);
}

static const char *const mnist_names[] = {
    "train-images-idx3-ubyte",    "train-labels-idx1-ubyte",    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",     "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",  "t10k-labels-idx1-ubyte.gz",  "bad.idx",
    "empty.idx",                  "subdir",                     "img.pgm",
};

static void temp_dir_remove(temp_dir *d)
{
    for (size_t i = 0; i < sizeof mnist_names / sizeof mnist_names[0]; i++)
        remove_file(d, mnist_names[i]);
    char path[256];
    file_path(d, "subdir", path, sizeof path);
    rmdir(path);
    ck_assert_int_eq(rmdir(d->path), 0);
}

START_TEST(test_files_load_idx)
{
    temp_dir d = temp_dir_make();
    buf img = idx_images(4, 6, 5), lab = idx_labels(4);
    buf gimg = gzip_member(img);
    write_file(&d, "train-images-idx3-ubyte", img);
    write_file(&d, "train-labels-idx1-ubyte", lab);
    write_file(&d, "t10k-images-idx3-ubyte.gz", gimg);
    char ipath[256], lpath[256], gpath[256];
    file_path(&d, "train-images-idx3-ubyte", ipath, sizeof ipath);
    file_path(&d, "train-labels-idx1-ubyte", lpath, sizeof lpath);
    file_path(&d, "t10k-images-idx3-ubyte.gz", gpath, sizeof gpath);

    hogfeat_dataset *ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(ipath, lpath, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 4, 6, 5, 1);
    hogfeat_dataset_destroy(ds);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(gpath, NULL, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 4, 6, 5, 0);
    hogfeat_dataset_destroy(ds);

    /* Errors name the file. */
    char missing[256];
    file_path(&d, "no-such-file", missing, sizeof missing);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(missing, NULL, NULL, &ds), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS(missing);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(ipath, missing, NULL, &ds), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS(missing);
    ASSERT_STATUS(hogfeat_dataset_load_idx(d.path, NULL, NULL, &ds), HOGFEAT_ERR_IO);
    ASSERT_MESSAGE_HAS("directory");
    /* Corrupt content: the status of the parser, the message prefixed with the path. */
    buf bad = buf_slice(img, 0, img.n - 3);
    write_file(&d, "bad.idx", bad);
    char bpath[256];
    file_path(&d, "bad.idx", bpath, sizeof bpath);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_idx(bpath, NULL, NULL, &ds), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strncmp(hogfeat_last_error_message(), bpath, strlen(bpath)) == 0,
                  "message \"%s\" does not start with the path", hogfeat_last_error_message());
    ASSERT_STATUS(hogfeat_dataset_load_idx(ipath, bpath, NULL, &ds), HOGFEAT_ERR_CORRUPT_DATA);
    ASSERT_MESSAGE_HAS(bpath);
    buf empty = buf_new(0);
    write_file(&d, "empty.idx", empty);
    file_path(&d, "empty.idx", bpath, sizeof bpath);
    ASSERT_STATUS(hogfeat_dataset_load_idx(bpath, NULL, NULL, &ds), HOGFEAT_ERR_CORRUPT_DATA);
    /* A file above the byte limit is not read. */
    hogfeat_limits *lim = limits_with(HOGFEAT_LIMIT_MAX_TOTAL_BYTES, img.n - 1);
    ASSERT_STATUS(hogfeat_dataset_load_idx(ipath, NULL, lim, &ds), HOGFEAT_ERR_LIMIT_EXCEEDED);
    hogfeat_limits_destroy(lim);

    /* Allocation failure along the whole file path. */
    for (long n = 1;; n++) {
        ds = DS_POISON;
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_dataset_load_idx(gpath, lpath, NULL, &ds);
        hogfeat__test_alloc_fail_at(0, 0);
        if (st == HOGFEAT_OK) {
            check_dataset(ds, 4, 6, 5, 1);
            hogfeat_dataset_destroy(ds);
            ck_assert_int_gt(n, 4);
            break;
        }
        ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld: %s (%s)", n, STATUS_TEXT(st));
        ck_assert_ptr_null(ds);
    }

    buf_free(&img);
    buf_free(&lab);
    buf_free(&gimg);
    buf_free(&bad);
    buf_free(&empty);
    temp_dir_remove(&d);
}
END_TEST

START_TEST(test_files_load_mnist)
{
    temp_dir d = temp_dir_make();
    buf train = idx_images(6, 4, 4), train_lab = idx_labels(6);
    buf test = idx_images(3, 4, 4), test_lab = idx_labels(3);
    buf gtrain = gzip_member(train), gtrain_lab = gzip_member(train_lab);
    buf gtest = gzip_member(test), gtest_lab = gzip_member(test_lab);

    /* Nothing there yet: IO naming the missing file. */
    hogfeat_dataset *ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TRAIN, NULL, &ds), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS("train-images-idx3-ubyte");
    ASSERT_MESSAGE_HAS(d.path);

    /* Compressed files only: the .gz fallback. */
    write_file(&d, "train-images-idx3-ubyte.gz", gtrain);
    write_file(&d, "train-labels-idx1-ubyte.gz", gtrain_lab);
    write_file(&d, "t10k-images-idx3-ubyte.gz", gtest);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS("t10k-labels-idx1-ubyte");
    write_file(&d, "t10k-labels-idx1-ubyte.gz", gtest_lab);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TRAIN, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 6, 4, 4, 1);
    hogfeat_dataset_destroy(ds);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 3, 4, 4, 1);
    hogfeat_dataset_destroy(ds);

    /* An uncompressed file wins over the .gz one (here: different sizes). */
    buf other = idx_images(2, 4, 4), other_lab = idx_labels(2);
    write_file(&d, "train-images-idx3-ubyte", other);
    write_file(&d, "train-labels-idx1-ubyte", other_lab);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TRAIN, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 2, 4, 4, 1);
    hogfeat_dataset_destroy(ds);
    /* Mixed: plain images, compressed labels of another count. */
    remove_file(&d, "train-labels-idx1-ubyte");
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TRAIN, NULL, &ds), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS("train-labels-idx1-ubyte.gz");

    /* A trailing slash on the directory is fine. */
    char slash[128];
    snprintf(slash, sizeof slash, "%s/", d.path);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(slash, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_OK);
    check_dataset(ds, 3, 4, 4, 1);
    hogfeat_dataset_destroy(ds);

    /* A missing directory, a path through a regular file, an empty name. */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/subdir", d.path);
    ds = DS_POISON;
    ASSERT_STATUS(hogfeat_dataset_load_mnist(missing, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(ds);
    ASSERT_MESSAGE_HAS(missing);
    snprintf(missing, sizeof missing, "%s/train-images-idx3-ubyte", d.path);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(missing, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_ERR_IO);
    ASSERT_STATUS(hogfeat_dataset_load_mnist("", HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_ERR_IO);
    /* The image name exists but is a directory: no fallback to .gz, IO. */
    char sub[128], sub_images[192], sub_labels[192];
    snprintf(sub, sizeof sub, "%s/subdir", d.path);
    snprintf(sub_images, sizeof sub_images, "%s/t10k-images-idx3-ubyte", sub);
    snprintf(sub_labels, sizeof sub_labels, "%s/t10k-labels-idx1-ubyte", sub);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(mkdir(sub_images, 0700), 0);
    ck_assert_int_eq(mkdir(sub_labels, 0700), 0);
    ASSERT_STATUS(hogfeat_dataset_load_mnist(sub, HOGFEAT_SPLIT_TEST, NULL, &ds), HOGFEAT_ERR_IO);
    ASSERT_MESSAGE_HAS(sub_images);
    ASSERT_MESSAGE_HAS("is a directory");
    ck_assert_int_eq(rmdir(sub_images), 0);
    ck_assert_int_eq(rmdir(sub_labels), 0);

    for (long n = 1;; n++) {
        ds = DS_POISON;
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_dataset_load_mnist(d.path, HOGFEAT_SPLIT_TEST, NULL, &ds);
        hogfeat__test_alloc_fail_at(0, 0);
        if (st == HOGFEAT_OK) {
            check_dataset(ds, 3, 4, 4, 1);
            hogfeat_dataset_destroy(ds);
            ck_assert_int_gt(n, 4);
            break;
        }
        ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld: %s (%s)", n, STATUS_TEXT(st));
        ck_assert_ptr_null(ds);
    }

    buf *all[] = {&train, &train_lab, &test, &test_lab, &gtrain, &gtrain_lab,
                  &gtest, &gtest_lab, &other, &other_lab};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        buf_free(all[i]);
    temp_dir_remove(&d);
}
END_TEST

/* ======================================================================== */
/* PGM reading                                                              */
/* ======================================================================== */

static buf bytes_of(const char *s, size_t n)
{
    buf b = buf_new(n);
    memcpy(b.p, s, n);
    return b;
}

#define LIT(s) bytes_of((s), sizeof(s) - 1)

static hogfeat_image *pgm_ok(buf b, const hogfeat_limits *limits)
{
    hogfeat_image *im = IMG_POISON;
    hogfeat_status st = hogfeat_pgm_read(b.p, b.n, limits, &im);
    ck_assert_msg(st == HOGFEAT_OK, "pgm_read: %s (%s)", STATUS_TEXT(st));
    ck_assert_ptr_nonnull(im);
    ck_assert_ptr_ne(im, IMG_POISON);
    return im;
}

static void expect_pgm_fail(buf b, const hogfeat_limits *limits, hogfeat_status want, const char *what)
{
    const char *armed = arm_message();
    hogfeat_image *im = IMG_POISON;
    hogfeat_status st = hogfeat_pgm_read(b.p, b.n, limits, &im);
    ck_assert_msg(st == want, "%s: got %s (%s), expected %s", what, STATUS_TEXT(st), hogfeat_status_name(want));
    ck_assert_ptr_null(im);
    assert_new_message(armed);
}

/* Frees b after the check: for literal inputs. */
static void expect_pgm_fail_lit(buf b, hogfeat_status want, const char *what)
{
    expect_pgm_fail(b, NULL, want, what);
    buf_free(&b);
}

START_TEST(test_pgm_p5_8bit)
{
    buf b = LIT("P5\n# a comment\n3 2 # trailing comment\n255\n\x00\x01\x7f\x80\xfe\xff");
    hogfeat_image *im = pgm_ok(b, NULL);
    ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_U8_GRAY);
    ck_assert_uint_eq(hogfeat_image_width(im), 3);
    ck_assert_uint_eq(hogfeat_image_height(im), 2);
    const uint8_t want[6] = {0, 1, 0x7f, 0x80, 0xfe, 0xff};
    ck_assert_mem_eq(hogfeat_image_data(im), want, 6);
    ck_assert_ptr_nonnull(hogfeat_image_writable_data(im)); /* owned copy */
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* Exactly one whitespace byte ends the header: the second newline and
     * a '#' are samples. */
    b = LIT("P5 3 1 255\n\n#\x05");
    im = pgm_ok(b, NULL);
    const uint8_t want2[3] = {'\n', '#', 5};
    ck_assert_mem_eq(hogfeat_image_data(im), want2, 3);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* A second image (netpbm sequence) or other trailing bytes are ignored. */
    b = LIT("P5\n2 1\n255\n\x09\x08P5\n2 1\n255\n\x01\x02");
    im = pgm_ok(b, NULL);
    const uint8_t want3[2] = {9, 8};
    ck_assert_mem_eq(hogfeat_image_data(im), want3, 2);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* maxval below 255: float, scaled to 0-255. */
    b = LIT("P5\n4 1\n100\n\x00\x01\x32\x64");
    im = pgm_ok(b, NULL);
    ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_F32_GRAY);
    const float *f = hogfeat_image_data(im);
    const unsigned v[4] = {0, 1, 50, 100};
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(f[i], (float)((double)v[i] * 255.0 / 100.0));
    ck_assert_float_eq(f[3], 255.0f);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* maxval 1 (a bilevel PGM). */
    b = LIT("P5 2 1 1\n\x00\x01");
    im = pgm_ok(b, NULL);
    f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], 0.0f);
    ck_assert_float_eq(f[1], 255.0f);
    hogfeat_image_destroy(im);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_p5_16bit)
{
    /* Big-endian samples. */
    buf b = LIT("P5\n3 1\n65535\n\x00\x00\x01\x02\xff\xff");
    hogfeat_image *im = pgm_ok(b, NULL);
    ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_F32_GRAY);
    const float *f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], 0.0f);
    ck_assert_float_eq(f[1], (float)(258.0 * 255.0 / 65535.0));
    ck_assert_float_eq(f[2], 255.0f);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* maxval 256 already takes two bytes per sample. */
    b = LIT("P5 2 1 256\n\x01\x00\x00\x80");
    im = pgm_ok(b, NULL);
    f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], (float)(256.0 * 255.0 / 256.0));
    ck_assert_float_eq(f[1], (float)(128.0 * 255.0 / 256.0));
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* Every 16-bit value, and every value of a 10-bit maxval. */
    const unsigned maxvals[] = {65535, 1023};
    for (int m = 0; m < 2; m++) {
        char header[32];
        int hl = snprintf(header, sizeof header, "P5 256 256 %u\n", maxvals[m]);
        b = buf_new((size_t)hl + 2 * 65536);
        memcpy(b.p, header, (size_t)hl);
        for (size_t i = 0; i < 65536; i++) {
            unsigned v = (unsigned)(i % (maxvals[m] + 1));
            b.p[hl + 2 * i] = (unsigned char)(v >> 8);
            b.p[hl + 2 * i + 1] = (unsigned char)v;
        }
        im = pgm_ok(b, NULL);
        f = hogfeat_image_data(im);
        for (size_t i = 0; i < 65536; i++) {
            double v = (double)(i % (maxvals[m] + 1));
            float want = (float)(v * 255.0 / (double)maxvals[m]);
            if (f[i] != want)
                ck_abort_msg("maxval %u, sample %g: %.9g, expected %.9g", maxvals[m], v, (double)f[i], (double)want);
        }
        hogfeat_image_destroy(im);
        buf_free(&b);
    }

    /* 12-bit data: 4095 is white. */
    b = LIT("P5 2 1 4095\n\x0f\xff\x08\x00");
    im = pgm_ok(b, NULL);
    f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], 255.0f);
    ck_assert_float_eq(f[1], (float)(2048.0 * 255.0 / 4095.0));
    hogfeat_image_destroy(im);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_p2)
{
    buf b = LIT("P2\n# comment line\n4 # after width\n2\n#before maxval\n255\n"
                "0 1 # inside the raster\n 254\t255\r\n7\n8 9 10");
    hogfeat_image *im = pgm_ok(b, NULL);
    ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_U8_GRAY);
    ck_assert_uint_eq(hogfeat_image_width(im), 4);
    ck_assert_uint_eq(hogfeat_image_height(im), 2);
    const uint8_t want[8] = {0, 1, 254, 255, 7, 8, 9, 10};
    ck_assert_mem_eq(hogfeat_image_data(im), want, 8);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* Leading zeros; maxval 15 scales to float. */
    b = LIT("P2 3 1 15 0015 7 000\n");
    im = pgm_ok(b, NULL);
    ck_assert_int_eq(hogfeat_image_format(im), HOGFEAT_FORMAT_F32_GRAY);
    const float *f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], 255.0f);
    ck_assert_float_eq(f[1], (float)(7.0 * 255.0 / 15.0));
    ck_assert_float_eq(f[2], 0.0f);
    hogfeat_image_destroy(im);
    buf_free(&b);

    /* 16-bit plain. */
    b = LIT("P2 2 1 65535 65535 32768");
    im = pgm_ok(b, NULL);
    f = hogfeat_image_data(im);
    ck_assert_float_eq(f[0], 255.0f);
    ck_assert_float_eq(f[1], (float)(32768.0 * 255.0 / 65535.0));
    hogfeat_image_destroy(im);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_bad_maxval)
{
    expect_pgm_fail_lit(LIT("P5 1 1 0\n\x00"), HOGFEAT_ERR_CORRUPT_DATA, "maxval 0");
    ASSERT_MESSAGE_HAS("maxval");
    expect_pgm_fail_lit(LIT("P5 1 1 65536\n\x00\x00"), HOGFEAT_ERR_CORRUPT_DATA, "maxval 65536");
    ASSERT_MESSAGE_HAS("maxval");
    expect_pgm_fail_lit(LIT("P5 1 1 99999999999999999999999\n\x00\x00"), HOGFEAT_ERR_CORRUPT_DATA,
                        "maxval overflowing 64 bits");
    expect_pgm_fail_lit(LIT("P2 1 1 0 0"), HOGFEAT_ERR_CORRUPT_DATA, "plain maxval 0");
    expect_pgm_fail_lit(LIT("P2 1 1 -255 0"), HOGFEAT_ERR_CORRUPT_DATA, "negative maxval");
    expect_pgm_fail_lit(LIT("P5 1 1 255#c\n\x00"), HOGFEAT_ERR_CORRUPT_DATA, "comment right after maxval");
    expect_pgm_fail_lit(LIT("P5 1 1 255x\x00"), HOGFEAT_ERR_CORRUPT_DATA, "junk after maxval");
}
END_TEST

START_TEST(test_pgm_sample_above_maxval)
{
    expect_pgm_fail_lit(LIT("P5 3 1 100\n\x00\x65\x01"), HOGFEAT_ERR_CORRUPT_DATA, "8-bit 101 > 100");
    ASSERT_MESSAGE_HAS("101");
    expect_pgm_fail_lit(LIT("P5 2 1 1000\n\x03\xe8\x03\xe9"), HOGFEAT_ERR_CORRUPT_DATA, "16-bit 1001 > 1000");
    ASSERT_MESSAGE_HAS("1001");
    expect_pgm_fail_lit(LIT("P5 1 1 256\n\xff\xff"), HOGFEAT_ERR_CORRUPT_DATA, "16-bit 65535 > 256");
    expect_pgm_fail_lit(LIT("P2 3 1 100 0 100 101"), HOGFEAT_ERR_CORRUPT_DATA, "plain 101 > 100");
    expect_pgm_fail_lit(LIT("P2 1 1 255 256"), HOGFEAT_ERR_CORRUPT_DATA, "plain 256 > 255");
    expect_pgm_fail_lit(LIT("P2 1 1 65535 99999999999999999999"), HOGFEAT_ERR_CORRUPT_DATA,
                        "plain sample overflowing 64 bits");
    expect_pgm_fail_lit(LIT("P2 2 1 255 -1 3"), HOGFEAT_ERR_CORRUPT_DATA, "plain negative sample");
    expect_pgm_fail_lit(LIT("P2 2 1 255 1x 3"), HOGFEAT_ERR_CORRUPT_DATA, "plain sample with junk");
    expect_pgm_fail_lit(LIT("P2 2 1 255 1,3"), HOGFEAT_ERR_CORRUPT_DATA, "comma separated");
    /* At maxval exactly is fine. */
    buf b = LIT("P5 1 1 100\n\x64");
    hogfeat_image *im = pgm_ok(b, NULL);
    hogfeat_image_destroy(im);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_truncated)
{
    /* Every prefix of a P5 file (8- and 16-bit), header comment included. */
    static const char p5[] = "P5\n# c\n4 3\n255\n0123456789AB";
    static const char p5w[] = "P5 2 2 65535\n\x01\x02\x03\x04\x05\x06\x07\x08";
    const char *files[] = {p5, p5w};
    const size_t lens[] = {sizeof p5 - 1, sizeof p5w - 1};
    for (int f = 0; f < 2; f++) {
        buf full = bytes_of(files[f], lens[f]);
        hogfeat_image *im = pgm_ok(full, NULL);
        hogfeat_image_destroy(im);
        for (size_t len = 0; len < full.n; len++) {
            buf prefix = buf_slice(full, 0, len);
            char what[128];
            snprintf(what, sizeof what, "file %d, prefix of %zu bytes", f, len);
            expect_pgm_fail(prefix, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
            buf_free(&prefix);
        }
        buf_free(&full);
    }
    /* Plain: every prefix that stops before the last sample. */
    static const char p2[] = "P2\n#c\n3 2\n255\n10 20 30\n40 50 60\n";
    buf full = bytes_of(p2, sizeof p2 - 1);
    size_t last = (size_t)(strstr(p2, "60") - p2);
    for (size_t len = 0; len <= last; len++) {
        buf prefix = buf_slice(full, 0, len);
        char what[128];
        snprintf(what, sizeof what, "plain prefix of %zu bytes", len);
        expect_pgm_fail(prefix, NULL, HOGFEAT_ERR_CORRUPT_DATA, what);
        buf_free(&prefix);
    }
    buf_free(&full);
}
END_TEST

START_TEST(test_pgm_dimensions)
{
    expect_pgm_fail_lit(LIT("P5 -3 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "negative width");
    expect_pgm_fail_lit(LIT("P5 3 -2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "negative height");
    expect_pgm_fail_lit(LIT("P5 +3 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "signed width");
    expect_pgm_fail_lit(LIT("P5 3.0 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "fractional width");
    expect_pgm_fail_lit(LIT("P5 0x3 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "hexadecimal width");
    expect_pgm_fail_lit(LIT("P5 three 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "width in words");
    expect_pgm_fail_lit(LIT("P53 2 255\n123456"), HOGFEAT_ERR_CORRUPT_DATA, "no space after the magic");
    expect_pgm_fail_lit(LIT("P5 0 2 255\n"), HOGFEAT_ERR_BAD_GEOMETRY, "zero width");
    expect_pgm_fail_lit(LIT("P5 2 0 255\n"), HOGFEAT_ERR_BAD_GEOMETRY, "zero height");
    expect_pgm_fail_lit(LIT("P2 0 0 255\n"), HOGFEAT_ERR_BAD_GEOMETRY, "plain zero size");
    /* Huge: refused before allocating or looking for the raster. */
    const char *huge[] = {
        "P5 100000 100000 255\n",               /* 10^10 pixels */
        "P5 16385 16384 255\n",                 /* 2^28 + 2^14 */
        "P5 2147483648 1 255\n",                /* 2^31: parsed, above the pixel limit */
        "P5 2147483649 1 255\n",                /* above 2^31 */
        "P5 1 4294967296 255\n",                /* 2^32 */
        "P5 99999999999999999999999999 1 255\n", /* overflows 64 bits */
        "P2 18446744073709551617 18446744073709551617 255\n", /* 2^64 + 1 each */
    };
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        buf b = bytes_of(huge[i], strlen(huge[i]));
        hogfeat__test_alloc_reset();
        expect_pgm_fail(b, NULL, HOGFEAT_ERR_LIMIT_EXCEEDED, huge[i]);
        ck_assert_uint_eq(hogfeat__test_alloc_count(), 0);
        buf_free(&b);
    }
    /* The pixel limit of a handle, exact and one over. */
    hogfeat_limits *lim = limits_with(HOGFEAT_LIMIT_MAX_PIXELS, 6);
    buf b = LIT("P5 3 2 255\n123456");
    hogfeat_image *im = pgm_ok(b, lim);
    hogfeat_image_destroy(im);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, 5), HOGFEAT_OK);
    expect_pgm_fail(b, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "6 pixels, limit 5");
    hogfeat_limits_destroy(lim);
    /* The byte limit: 6 pixels take 6 bytes as U8, 24 as float. */
    lim = limits_with(HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 6);
    im = pgm_ok(b, lim);
    hogfeat_image_destroy(im);
    buf_free(&b);
    b = LIT("P5 3 2 254\n123456");
    expect_pgm_fail(b, lim, HOGFEAT_ERR_LIMIT_EXCEEDED, "6 float pixels, byte limit 6");
    hogfeat_limits_destroy(lim);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_other_formats)
{
    const char *unsupported[] = {
        "P6\n2 2\n255\n012345678901", "P3\n1 1\n255\n1 2 3\n", "P1\n2 2\n0 1 1 0\n", "P4\n8 1\n\x55",
        "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n\x01",
        "P8 1 1 255\n\x00", "P0 1 1 255\n\x00", "Pa", "GIF89a", "\x89PNG\r\n\x1a\n", "p5 1 1 255\n\x00",
        " P5 1 1 255\n\x00",
    };
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        buf b = bytes_of(unsupported[i], strlen(unsupported[i]));
        expect_pgm_fail(b, NULL, HOGFEAT_ERR_UNSUPPORTED_FORMAT, unsupported[i]);
        buf_free(&b);
    }
    buf b = LIT("P6\n2 2\n255\n012345678901");
    expect_pgm_fail(b, NULL, HOGFEAT_ERR_UNSUPPORTED_FORMAT, "P6");
    ASSERT_MESSAGE_HAS("PPM");
    buf_free(&b);
    /* Empty input and a lone 'P' are truncated PGM, not another format. */
    expect_pgm_fail_lit(LIT(""), HOGFEAT_ERR_CORRUPT_DATA, "empty");
    expect_pgm_fail_lit(LIT("P"), HOGFEAT_ERR_CORRUPT_DATA, "lone P");
}
END_TEST

START_TEST(test_pgm_null_and_files)
{
    buf b = LIT("P5 2 2 255\n\x01\x02\x03\x04");
    hogfeat_image *im = IMG_POISON;
    ASSERT_STATUS(hogfeat_pgm_read(b.p, b.n, NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    ASSERT_STATUS(hogfeat_pgm_read(NULL, b.n, NULL, &im), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(im);
    ASSERT_STATUS(hogfeat_pgm_read_file("x.pgm", NULL, NULL), HOGFEAT_ERR_NULL_POINTER);
    im = IMG_POISON;
    ASSERT_STATUS(hogfeat_pgm_read_file(NULL, NULL, &im), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_null(im);

    temp_dir d = temp_dir_make();
    char path[256];
    file_path(&d, "img.pgm", path, sizeof path);
    im = IMG_POISON;
    ASSERT_STATUS(hogfeat_pgm_read_file(path, NULL, &im), HOGFEAT_ERR_IO);
    ck_assert_ptr_null(im);
    ASSERT_MESSAGE_HAS(path);
    write_file(&d, "img.pgm", b);
    ASSERT_STATUS(hogfeat_pgm_read_file(path, NULL, &im), HOGFEAT_OK);
    const uint8_t want[4] = {1, 2, 3, 4};
    ck_assert_mem_eq(hogfeat_image_data(im), want, 4);
    hogfeat_image_destroy(im);
    /* A corrupt file: the parser's status, the path in the message. */
    buf bad = LIT("P5 2 2 255\n\x01\x02\x03");
    write_file(&d, "img.pgm", bad);
    im = IMG_POISON;
    ASSERT_STATUS(hogfeat_pgm_read_file(path, NULL, &im), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_null(im);
    ASSERT_MESSAGE_HAS(path);
    hogfeat_limits *lim = limits_with(HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 5);
    ASSERT_STATUS(hogfeat_pgm_read_file(path, lim, &im), HOGFEAT_ERR_LIMIT_EXCEEDED);
    hogfeat_limits_destroy(lim);
    buf_free(&bad);
    temp_dir_remove(&d);

    /* Allocation failure while decoding, 8-bit and 16-bit. */
    buf w = LIT("P5 2 1 1000\n\x03\xe8\x00\x01");
    buf *inputs[] = {&b, &w};
    for (int i = 0; i < 2; i++) {
        for (long n = 1;; n++) {
            im = IMG_POISON;
            hogfeat__test_alloc_fail_at(n, 0);
            hogfeat_status st = hogfeat_pgm_read(inputs[i]->p, inputs[i]->n, NULL, &im);
            hogfeat__test_alloc_fail_at(0, 0);
            if (st == HOGFEAT_OK) {
                ck_assert_int_gt(n, 1);
                hogfeat_image_destroy(im);
                break;
            }
            ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld: %s (%s)", n, STATUS_TEXT(st));
            ck_assert_ptr_null(im);
        }
    }
    buf_free(&w);
    buf_free(&b);
}
END_TEST

/* ======================================================================== */
/* PGM writing                                                              */
/* ======================================================================== */

START_TEST(test_pgm_write_roundtrip_u8)
{
    /* A borrowed view with a padded stride: only the visible pixels are written. */
    static alignas(16) uint8_t pixels[3 * 16];
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)(i * 29 + 1);
    hogfeat_image *src = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(pixels, HOGFEAT_FORMAT_U8_GRAY, 7, 3, 16, &src), HOGFEAT_OK);
    static const char header[] = "P5\n7 3\n255\n";
    const size_t need = sizeof header - 1 + 21;
    size_t size = 0;
    ASSERT_STATUS(hogfeat_pgm_write(src, NULL, 0, &size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(size, need);
    unsigned char out[128];
    memset(out, 0xCC, sizeof out);
    size = 0;
    ASSERT_STATUS(hogfeat_pgm_write(src, out, need, &size), HOGFEAT_OK);
    ck_assert_uint_eq(size, need);
    ck_assert_mem_eq(out, header, sizeof header - 1);
    for (size_t y = 0; y < 3; y++)
        ck_assert_mem_eq(out + sizeof header - 1 + y * 7, pixels + y * 16, 7);
    ck_assert_uint_eq(out[need], 0xCC);

    hogfeat_image *back = NULL;
    ASSERT_STATUS(hogfeat_pgm_read(out, size, NULL, &back), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_format(back), HOGFEAT_FORMAT_U8_GRAY);
    ck_assert_uint_eq(hogfeat_image_width(back), 7);
    ck_assert_uint_eq(hogfeat_image_height(back), 3);
    for (size_t y = 0; y < 3; y++)
        ck_assert_mem_eq((const uint8_t *)hogfeat_image_data(back) + y * 7, pixels + y * 16, 7);
    hogfeat_image_destroy(back);

    /* A larger random image through a file. */
    test_rng rng = test_rng_seed(3);
    hogfeat_image *big = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 123, 77);
    temp_dir d = temp_dir_make();
    char path[256];
    file_path(&d, "img.pgm", path, sizeof path);
    ASSERT_STATUS(hogfeat_pgm_write_file(big, path), HOGFEAT_OK);
    ASSERT_STATUS(hogfeat_pgm_read_file(path, NULL, &back), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_image_width(back), 123);
    ck_assert_uint_eq(hogfeat_image_height(back), 77);
    ck_assert_mem_eq(hogfeat_image_data(back), hogfeat_image_data(big), 123 * 77);
    hogfeat_image_destroy(back);
    /* Allocation failure in the file writer. */
    for (long n = 1;; n++) {
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_pgm_write_file(big, path);
        hogfeat__test_alloc_fail_at(0, 0);
        if (st == HOGFEAT_OK)
            break;
        ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld: %s (%s)", n, STATUS_TEXT(st));
    }
    /* A directory that does not exist. */
    char nowhere[300];
    snprintf(nowhere, sizeof nowhere, "%s/subdir/img.pgm", d.path);
    ASSERT_STATUS(hogfeat_pgm_write_file(big, nowhere), HOGFEAT_ERR_IO);
    ASSERT_MESSAGE_HAS(nowhere);
    temp_dir_remove(&d);
    hogfeat_image_destroy(big);
    hogfeat_image_destroy(src);
}
END_TEST

START_TEST(test_pgm_write_f32)
{
    const float in[] = {-5.0f, -0.0f, NAN, 0.49999997f, 0.5f, 1.5f, 2.49f, 2.5f,
                        127.5f, 254.5f, 254.49f, 255.0f, 255.5f, 300.0f, INFINITY, -INFINITY};
    const uint8_t want[] = {0, 0, 0, 0, 1, 2, 2, 3, 128, 255, 254, 255, 255, 255, 255, 0};
    const size_t n = sizeof in / sizeof in[0];
    hogfeat_image *im = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, n, 1, &im), HOGFEAT_OK);
    memcpy(hogfeat_image_writable_data(im), in, sizeof in);
    unsigned char out[64];
    size_t size = 0;
    ASSERT_STATUS(hogfeat_pgm_write(im, out, sizeof out, &size), HOGFEAT_OK);
    static const char header[] = "P5\n16 1\n255\n";
    ck_assert_uint_eq(size, sizeof header - 1 + n);
    ck_assert_mem_eq(out, header, sizeof header - 1);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[sizeof header - 1 + i] == want[i], "%g wrote %u, expected %u", (double)in[i],
                      out[sizeof header - 1 + i], want[i]);
    hogfeat_image_destroy(im);

    /* 16-bit PGM -> float image -> 8-bit PGM: v * 255 / maxval rounded. */
    buf b = LIT("P5 4 1 1000\n\x00\x00\x00\x02\x01\xf4\x03\xe8");
    hogfeat_image *wide = pgm_ok(b, NULL);
    ASSERT_STATUS(hogfeat_pgm_write(wide, out, sizeof out, &size), HOGFEAT_OK);
    static const char header4[] = "P5\n4 1\n255\n";
    const uint8_t want4[4] = {0, 1, 128, 255}; /* 0, 0.51, 127.5, 255 */
    ck_assert_uint_eq(size, sizeof header4 - 1 + 4);
    ck_assert_mem_eq(out + sizeof header4 - 1, want4, 4);
    hogfeat_image_destroy(wide);
    buf_free(&b);
}
END_TEST

START_TEST(test_pgm_write_buffer_and_errors)
{
    hogfeat_image *im = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 10, 10, &im), HOGFEAT_OK);
    const size_t need = strlen("P5\n10 10\n255\n") + 100;
    unsigned char out[256];
    memset(out, 0xAB, sizeof out);
    const size_t caps[] = {0, 1, 13, need - 1};
    for (size_t c = 0; c < 4; c++) {
        size_t size = 12345;
        ASSERT_STATUS(hogfeat_pgm_write(im, out, caps[c], &size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(size, need);
        for (size_t i = 0; i < sizeof out; i++)
            ck_assert_msg(out[i] == 0xAB, "byte %zu written with capacity %zu", i, caps[c]);
    }
    size_t size = 0;
    ASSERT_STATUS(hogfeat_pgm_write(im, NULL, 1000, &size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(size, need);
    ASSERT_STATUS(hogfeat_pgm_write(im, out, sizeof out, &size), HOGFEAT_OK);
    ck_assert_uint_eq(size, need);
    ck_assert_uint_eq(out[need], 0xAB);

    ASSERT_STATUS(hogfeat_pgm_write(NULL, out, sizeof out, &size), HOGFEAT_ERR_NULL_POINTER);
    ASSERT_STATUS(hogfeat_pgm_write(im, out, sizeof out, NULL), HOGFEAT_ERR_NULL_POINTER);
    ASSERT_STATUS(hogfeat_pgm_write_file(NULL, "/tmp/never-written.pgm"), HOGFEAT_ERR_NULL_POINTER);
    ASSERT_STATUS(hogfeat_pgm_write_file(im, NULL), HOGFEAT_ERR_NULL_POINTER);
    hogfeat_image_destroy(im);

    const hogfeat_format rgb[] = {HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_RGB};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(hogfeat_image_create(rgb[i], 4, 4, &im), HOGFEAT_OK);
        size = 777;
        ASSERT_STATUS(hogfeat_pgm_write(im, out, sizeof out, &size), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
        ASSERT_STATUS(hogfeat_pgm_write(im, NULL, 0, &size), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
        ASSERT_STATUS(hogfeat_pgm_write_file(im, "/tmp/never-written.pgm"), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
        hogfeat_image_destroy(im);
    }
    ck_assert_int_ne(access("/tmp/never-written.pgm", F_OK), 0);
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"idx_plain_roundtrip", test_idx_plain_roundtrip},
        {"idx_gzip_roundtrip", test_idx_gzip_roundtrip},
        {"idx_gzip_two_members", test_idx_gzip_two_members},
        {"idx_zero_items", test_idx_zero_items},
        {"idx_dataset_image", test_idx_dataset_image},
        {"idx_limits_exact", test_idx_limits_exact},
        {"idx_bad_magic", test_idx_bad_magic},
        {"idx_other_types", test_idx_other_types},
        {"idx_declared_more_than_present", test_idx_declared_more_than_present},
        {"idx_truncated_header", test_idx_truncated_header},
        {"idx_trailing_bytes", test_idx_trailing_bytes},
        {"idx_label_count_mismatch", test_idx_label_count_mismatch},
        {"idx_zero_side", test_idx_zero_side},
        {"idx_huge_dims", test_idx_huge_dims},
        {"idx_gzip_bomb", test_idx_gzip_bomb},
        {"idx_gzip_truncated", test_idx_gzip_truncated},
        {"idx_gzip_corrupted_byte", test_idx_gzip_corrupted_byte},
        {"idx_null_args", test_idx_null_args},
        {"idx_alloc_failure", test_idx_alloc_failure},
        {"files_load_idx", test_files_load_idx},
        {"files_load_mnist", test_files_load_mnist},
        {"pgm_p5_8bit", test_pgm_p5_8bit},
        {"pgm_p5_16bit", test_pgm_p5_16bit},
        {"pgm_p2", test_pgm_p2},
        {"pgm_bad_maxval", test_pgm_bad_maxval},
        {"pgm_sample_above_maxval", test_pgm_sample_above_maxval},
        {"pgm_truncated", test_pgm_truncated},
        {"pgm_dimensions", test_pgm_dimensions},
        {"pgm_other_formats", test_pgm_other_formats},
        {"pgm_null_and_files", test_pgm_null_and_files},
        {"pgm_write_roundtrip_u8", test_pgm_write_roundtrip_u8},
        {"pgm_write_f32", test_pgm_write_f32},
        {"pgm_write_buffer_and_errors", test_pgm_write_buffer_and_errors},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return test_run_suite(dataset_suite());
}
