/* IDX datasets (the MNIST file format) and PGM images. Both readers treat
 * their input as hostile: every declared size is checked against the limits
 * and, where possible, against the bytes present before anything is
 * allocated. */
#define ZLIB_CONST
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "private.h"

/* ======================================================================== */
/* IDX                                                                      */
/* ======================================================================== */

#define IDX_TYPE_UBYTE 0x08
#define IDX_IMAGE_DIMS 3
#define IDX_LABEL_DIMS 1
#define IDX_MAX_HEADER (4 + 4 * IDX_IMAGE_DIMS)

/* zlib counts bytes in 32-bit uInt, so inputs and outputs above 4 GiB (the
 * default byte limit is 8 GiB) are handed over in pieces. */
#define ZLIB_PIECE ((size_t)1 << 30)

/* A deflate stream cannot expand its input more than 1032 times: the
 * cheapest code is a 258-byte match in two bits (zlib_tech.html). A gzip
 * input that declares more is truncated, and is refused before the
 * allocation it asks for. */
#define DEFLATE_MAX_RATIO 1032

typedef struct idx_input {
    const char *name;              /* for messages: a path, or "image data" */
    const unsigned char *data;
    size_t size;
    size_t pos;                    /* bytes consumed (plain) or given to zlib (gzip) */
    int gzip;
    int zlib_ready;                /* inflateEnd is due */
    int ended;                     /* gzip: the last member ended with the input */
    z_stream zs;
} idx_input;

typedef struct idx_header {
    size_t count;
    size_t rows, cols;             /* images only */
} idx_header;

/* zlib's internal state goes through the library allocator too, so failure
 * injection covers it and nothing bypasses the accounting. */
static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return hogfeat__calloc(items, size);
}

static void zlib_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    hogfeat__free(ptr);
}

static hogfeat_status input_open(idx_input *in, const char *name, const void *data, size_t size)
{
    memset(in, 0, sizeof *in);
    in->name = name;
    in->data = data;
    in->size = size;
    in->gzip = size >= 2 && in->data[0] == 0x1f && in->data[1] == 0x8b;
    if (!in->gzip)
        return HOGFEAT_OK;
    in->zs.zalloc = zlib_alloc;
    in->zs.zfree = zlib_free;
    in->zs.opaque = NULL;
    /* 16 + MAX_WBITS: gzip wrapper only, so a raw zlib stream is not taken
     * for one by accident. */
    int zr = inflateInit2(&in->zs, 16 + MAX_WBITS);
    if (zr == Z_MEM_ERROR)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate a gzip decoder", name);
    if (zr != Z_OK)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: cannot start the gzip decoder (zlib %d)", name, zr);
    in->zlib_ready = 1;
    return HOGFEAT_OK;
}

static void input_close(idx_input *in)
{
    if (in->zlib_ready)
        inflateEnd(&in->zs);
    in->zlib_ready = 0;
}

/* Inflates up to n bytes into dst; *got is less than n only when the gzip
 * data ended cleanly before that. A stream that stops early (no end marker or
 * checksum) is truncated: CORRUPT_DATA. */
static hogfeat_status gzip_read(idx_input *in, unsigned char *dst, size_t n, size_t *got)
{
    size_t done = 0;
    while (done < n && !in->ended) {
        if (in->zs.avail_in == 0 && in->pos < in->size) {
            size_t piece = in->size - in->pos < ZLIB_PIECE ? in->size - in->pos : ZLIB_PIECE;
            in->zs.next_in = in->data + in->pos;
            in->zs.avail_in = (uInt)piece;
            in->pos += piece;
        }
        size_t want = n - done < ZLIB_PIECE ? n - done : ZLIB_PIECE;
        in->zs.next_out = dst + done;
        in->zs.avail_out = (uInt)want;
        int zr = inflate(&in->zs, Z_NO_FLUSH);
        done += want - in->zs.avail_out;
        int input_left = in->zs.avail_in > 0 || in->pos < in->size;
        switch (zr) {
        case Z_OK:
            break;
        case Z_STREAM_END:
            /* RFC 1952 2.2: a gzip file is a series of members; each
             * continues the data of the one before. */
            if (!input_left)
                in->ended = 1;
            else if (inflateReset(&in->zs) != Z_OK)
                return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: cannot restart the gzip decoder",
                                     in->name);
            break;
        case Z_BUF_ERROR:
            /* No progress although the output has room: the input is used
             * up. Input still left would be a zlib fault; stop either way
             * rather than loop. */
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 input_left ? "%s: the gzip decoder stopped making progress"
                                            : "%s: the gzip data is truncated (it stops before its end marker)",
                                 in->name);
        case Z_MEM_ERROR:
            return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: out of memory in the gzip decoder", in->name);
        default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: broken gzip data after %zu compressed bytes: %s",
                                 in->name, in->pos - in->zs.avail_in,
                                 in->zs.msg ? in->zs.msg : "invalid stream");
        }
    }
    *got = done;
    return HOGFEAT_OK;
}

static hogfeat_status input_read(idx_input *in, unsigned char *dst, size_t n, size_t *got)
{
    if (in->gzip)
        return gzip_read(in, dst, n, got);
    size_t left = in->size - in->pos;
    size_t take = n < left ? n : left;
    memcpy(dst, in->data + in->pos, take);
    in->pos += take;
    *got = take;
    return HOGFEAT_OK;
}

/* Can the input still supply exactly payload bytes? Plain input is checked
 * exactly, gzip input against the deflate ratio bound; a full check of gzip
 * happens while inflating. */
static hogfeat_status input_check_payload(const idx_input *in, size_t payload, const char *what)
{
    if (in->gzip) {
        size_t bound;
        if (!hogfeat__mul_overflow(in->size, DEFLATE_MAX_RATIO, &bound) && payload > bound)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "%s: the header declares %zu bytes of %s, more than %zu gzip bytes can hold",
                                 in->name, payload, what, in->size);
        return HOGFEAT_OK;
    }
    size_t present = in->size - in->pos;
    if (present < payload)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "%s: the header declares %zu bytes of %s but only %zu are present", in->name,
                             payload, what, present);
    /* A well-formed IDX file ends with its payload; extra bytes mean the
     * header and the data disagree, so they are refused rather than ignored. */
    if (present > payload)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: %zu trailing bytes after the %zu bytes of %s",
                             in->name, present - payload, payload, what);
    return HOGFEAT_OK;
}

/* After the payload the gzip data must end: no more decompressed bytes. */
static hogfeat_status input_check_end(idx_input *in, size_t payload)
{
    if (!in->gzip)
        return HOGFEAT_OK; /* checked before reading by input_check_payload */
    unsigned char extra;
    size_t got = 0;
    hogfeat_status st = gzip_read(in, &extra, 1, &got);
    if (st != HOGFEAT_OK)
        return st;
    if (got != 0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "%s: the gzip data holds more than the %zu payload bytes its IDX header declares",
                             in->name, payload);
    return HOGFEAT_OK;
}

static size_t be32(const unsigned char *p)
{
    return (size_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static const char *idx_type_name(unsigned type)
{
    switch (type) {
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    default: return NULL;
    }
}

static hogfeat_status read_header(idx_input *in, unsigned dims, idx_header *out)
{
    unsigned char b[IDX_MAX_HEADER];
    const size_t header_len = 4 + 4 * (size_t)dims;
    const char *kind = dims == IDX_IMAGE_DIMS ? "image" : "label";
    const char *a_kind = dims == IDX_IMAGE_DIMS ? "an image" : "a label";
    size_t got = 0;
    hogfeat_status st = input_read(in, b, 4, &got);
    if (st != HOGFEAT_OK)
        return st;
    if (got < 4)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: %zu bytes, too short for an IDX %s header (%zu bytes)",
                             in->name, got, kind, header_len);
    if (b[0] != 0 || b[1] != 0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "%s: not an IDX file (magic %02x %02x %02x %02x; expected 00 00 08 %02x)", in->name,
                             b[0], b[1], b[2], b[3], dims);
    if (b[2] != IDX_TYPE_UBYTE) {
        const char *type = idx_type_name(b[2]);
        if (type)
            return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT,
                                 "%s: IDX element type 0x%02x (%s) is not supported; only unsigned bytes (0x08) are",
                                 in->name, b[2], type);
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: 0x%02x is not an IDX element type", in->name, b[2]);
    }
    if (b[3] != dims)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "%s: the IDX file has %u dimensions; %s file has %u", in->name, b[3],
                             a_kind, dims);
    st = input_read(in, b + 4, header_len - 4, &got);
    if (st != HOGFEAT_OK)
        return st;
    if (got < header_len - 4)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: %zu bytes, too short for an IDX %s header (%zu bytes)",
                             in->name, 4 + got, kind, header_len);
    out->count = be32(b + 4);
    out->rows = dims == IDX_IMAGE_DIMS ? be32(b + 8) : 1;
    out->cols = dims == IDX_IMAGE_DIMS ? be32(b + 12) : 1;
    return HOGFEAT_OK;
}

void hogfeat_dataset_destroy(hogfeat_dataset *dataset)
{
    if (!dataset)
        return;
    hogfeat__free(dataset->pixels);
    hogfeat__free(dataset->labels);
    hogfeat__free(dataset);
}

/* Shared by the memory and file readers; the names go into messages. */
static hogfeat_status read_idx(const void *images, size_t images_size, const char *images_name,
                               const void *labels, size_t labels_size, const char *labels_name,
                               const hogfeat_limits *limits, hogfeat_dataset **out_dataset)
{
    idx_input img_in, lab_in;
    idx_header ih = {0, 0, 0}, lh = {0, 0, 0};
    hogfeat_dataset *ds = NULL;
    hogfeat_status st;
    memset(&lab_in, 0, sizeof lab_in);

    st = input_open(&img_in, images_name, images, images_size);
    if (st != HOGFEAT_OK)
        goto out;
    if (labels) {
        st = input_open(&lab_in, labels_name, labels, labels_size);
        if (st != HOGFEAT_OK)
            goto out;
    }

    st = read_header(&img_in, IDX_IMAGE_DIMS, &ih);
    if (st != HOGFEAT_OK)
        goto out;
    if (ih.rows == 0 || ih.cols == 0) {
        st = hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: images of %zu rows x %zu columns have a zero side",
                           images_name, ih.rows, ih.cols);
        goto out;
    }
    size_t max_pixels = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_PIXELS);
    size_t max_items = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_ITEMS);
    size_t max_bytes = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES);
    size_t image_pixels, pixel_bytes;
    if (hogfeat__mul_overflow(ih.rows, ih.cols, &image_pixels) || image_pixels > max_pixels) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: images of %zu x %zu exceed the limit of %zu pixels",
                           images_name, ih.rows, ih.cols, max_pixels);
        goto out;
    }
    if (ih.count > max_items) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu images exceed the limit of %zu items", images_name,
                           ih.count, max_items);
        goto out;
    }
    if (hogfeat__mul_overflow(ih.count, image_pixels, &pixel_bytes) || pixel_bytes > max_bytes) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                           "%s: %zu images of %zu x %zu pixels exceed the limit of %zu bytes", images_name,
                           ih.count, ih.rows, ih.cols, max_bytes);
        goto out;
    }

    size_t label_bytes = 0, total_bytes = pixel_bytes;
    if (labels) {
        st = read_header(&lab_in, IDX_LABEL_DIMS, &lh);
        if (st != HOGFEAT_OK)
            goto out;
        if (lh.count > max_items) {
            st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zu labels exceed the limit of %zu items",
                               labels_name, lh.count, max_items);
            goto out;
        }
        if (lh.count != ih.count) {
            st = hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s holds %zu labels but %s holds %zu images", labels_name,
                               lh.count, images_name, ih.count);
            goto out;
        }
        if (hogfeat__mul_overflow(lh.count, sizeof(int32_t), &label_bytes) ||
            hogfeat__add_overflow(pixel_bytes, label_bytes, &total_bytes) || total_bytes > max_bytes) {
            st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                               "%s: %zu images and their labels exceed the limit of %zu bytes", images_name,
                               ih.count, max_bytes);
            goto out;
        }
    }

    st = input_check_payload(&img_in, pixel_bytes, "pixels");
    if (st == HOGFEAT_OK && labels)
        st = input_check_payload(&lab_in, lh.count, "labels");
    if (st != HOGFEAT_OK)
        goto out;

    /* An IDX file with zero items is well formed; it gives an empty dataset. */
    ds = hogfeat__calloc(1, sizeof *ds);
    if (ds)
        ds->pixels = hogfeat__malloc(pixel_bytes);
    if (ds && labels)
        ds->labels = hogfeat__malloc(label_bytes);
    if (!ds || !ds->pixels || (labels && !ds->labels)) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes for %zu images", images_name,
                           total_bytes, ih.count);
        goto out;
    }
    ds->count = ih.count;
    ds->height = ih.rows;
    ds->width = ih.cols;

    size_t got = 0;
    st = input_read(&img_in, ds->pixels, pixel_bytes, &got);
    if (st != HOGFEAT_OK)
        goto out;
    if (got < pixel_bytes) {
        st = hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends after %zu of the %zu pixel bytes declared",
                           images_name, got, pixel_bytes);
        goto out;
    }
    st = input_check_end(&img_in, pixel_bytes);
    if (st != HOGFEAT_OK)
        goto out;

    if (labels) {
        /* The bytes land in the last quarter of the int32 array and widen in
         * place: label i is read (byte 3n + i) before its int32 is stored
         * (bytes 4i..4i+3), and 4i + 3 <= 3n + i for every i < n. */
        unsigned char *raw = (unsigned char *)ds->labels + 3 * lh.count;
        st = input_read(&lab_in, raw, lh.count, &got);
        if (st != HOGFEAT_OK)
            goto out;
        if (got < lh.count) {
            st = hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends after %zu of the %zu labels declared",
                               labels_name, got, lh.count);
            goto out;
        }
        st = input_check_end(&lab_in, lh.count);
        if (st != HOGFEAT_OK)
            goto out;
        for (size_t i = 0; i < lh.count; i++) {
            int32_t v = raw[i];
            ds->labels[i] = v;
        }
    }

out:
    input_close(&img_in);
    input_close(&lab_in);
    if (st != HOGFEAT_OK) {
        hogfeat_dataset_destroy(ds);
        return st;
    }
    *out_dataset = ds;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_dataset_read_idx(const void *images, size_t images_size, const void *labels,
                                        size_t labels_size, const hogfeat_limits *limits,
                                        hogfeat_dataset **out_dataset)
{
    if (!out_dataset)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_read_idx: out_dataset is NULL");
    *out_dataset = NULL;
    if (!images)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_read_idx: images is NULL");
    return read_idx(images, images_size, "image data", labels, labels_size, "label data", limits, out_dataset);
}

/* limits (or the defaults) with used bytes taken off the total-bytes limit. */
static hogfeat_limits reduced_limits(const hogfeat_limits *limits, size_t used)
{
    hogfeat_limits l;
    for (int i = 0; i < HOGFEAT__LIMIT_COUNT; i++)
        l.values[i] = hogfeat__limit(limits, (hogfeat_limit)i);
    size_t total = l.values[HOGFEAT_LIMIT_MAX_TOTAL_BYTES];
    l.values[HOGFEAT_LIMIT_MAX_TOTAL_BYTES] = used < total ? total - used : 0;
    return l;
}

hogfeat_status hogfeat_dataset_load_idx(const char *images_path, const char *labels_path,
                                        const hogfeat_limits *limits, hogfeat_dataset **out_dataset)
{
    if (!out_dataset)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_load_idx: out_dataset is NULL");
    *out_dataset = NULL;
    if (!images_path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_load_idx: images_path is NULL");
    /* The file buffers count against the total-bytes limit together with
     * the dataset they decode into, as for model files. */
    hogfeat_limits left = reduced_limits(limits, 0);
    unsigned char *images = NULL, *labels = NULL;
    size_t images_size = 0, labels_size = 0;
    hogfeat_status st = hogfeat__read_file(images_path, left.values[HOGFEAT_LIMIT_MAX_TOTAL_BYTES], &images,
                                           &images_size);
    left = reduced_limits(limits, images_size);
    if (st == HOGFEAT_OK && labels_path) {
        st = hogfeat__read_file(labels_path, left.values[HOGFEAT_LIMIT_MAX_TOTAL_BYTES], &labels, &labels_size);
        left = reduced_limits(limits, images_size + labels_size);
    }
    if (st == HOGFEAT_OK)
        st = read_idx(images, images_size, images_path, labels, labels_size, labels_path, &left, out_dataset);
    hogfeat__free(images);
    hogfeat__free(labels);
    return st;
}

/* "<directory>/<stem>" if it exists, else "<directory>/<stem>.gz"; the
 * uncompressed name wins so an unpacked copy is read without inflating. */
static hogfeat_status find_idx_file(const char *directory, const char *stem, char **out_path)
{
    *out_path = NULL;
    size_t dir_len = strlen(directory);
    int slash = dir_len > 0 && directory[dir_len - 1] != '/';
    size_t cap = dir_len + (size_t)slash + strlen(stem) + sizeof ".gz";
    char *path = hogfeat__malloc(cap);
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a file name under %s", directory);
    snprintf(path, cap, "%s%s%s", directory, slash ? "/" : "", stem);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        *out_path = path;
        return HOGFEAT_OK;
    }
    if (errno != ENOENT) {
        int err = errno;
        char errtext[128];
        if (strerror_r(err, errtext, sizeof errtext) != 0)
            snprintf(errtext, sizeof errtext, "error %d", err);
        hogfeat_status st = hogfeat__fail(HOGFEAT_ERR_IO, "%s: cannot access: %s", path, errtext);
        hogfeat__free(path);
        return st;
    }
    size_t plain_len = strlen(path);
    memcpy(path + plain_len, ".gz", sizeof ".gz");
    if (stat(path, &sb) == 0) {
        *out_path = path;
        return HOGFEAT_OK;
    }
    path[plain_len] = '\0';
    hogfeat_status st = hogfeat__fail(HOGFEAT_ERR_IO, "%s: no such file, and no %s.gz either", path, path);
    hogfeat__free(path);
    return st;
}

hogfeat_status hogfeat_dataset_load_mnist(const char *directory, hogfeat_split split, const hogfeat_limits *limits,
                                          hogfeat_dataset **out_dataset)
{
    if (!out_dataset)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_load_mnist: out_dataset is NULL");
    *out_dataset = NULL;
    if (!directory)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_load_mnist: directory is NULL");
    const char *images_stem, *labels_stem;
    switch (split) {
    case HOGFEAT_SPLIT_TRAIN:
        images_stem = "train-images-idx3-ubyte";
        labels_stem = "train-labels-idx1-ubyte";
        break;
    case HOGFEAT_SPLIT_TEST:
        images_stem = "t10k-images-idx3-ubyte";
        labels_stem = "t10k-labels-idx1-ubyte";
        break;
    default:
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "split %d is not a hogfeat_split", (int)split);
    }
    if (!*directory)
        return hogfeat__fail(HOGFEAT_ERR_IO, "the MNIST directory name is empty");
    char *images_path = NULL, *labels_path = NULL;
    hogfeat_status st = find_idx_file(directory, images_stem, &images_path);
    if (st == HOGFEAT_OK)
        st = find_idx_file(directory, labels_stem, &labels_path);
    if (st == HOGFEAT_OK)
        st = hogfeat_dataset_load_idx(images_path, labels_path, limits, out_dataset);
    hogfeat__free(images_path);
    hogfeat__free(labels_path);
    return st;
}

size_t hogfeat_dataset_count(const hogfeat_dataset *dataset)
{
    return dataset ? dataset->count : 0;
}

size_t hogfeat_dataset_width(const hogfeat_dataset *dataset)
{
    return dataset ? dataset->width : 0;
}

size_t hogfeat_dataset_height(const hogfeat_dataset *dataset)
{
    return dataset ? dataset->height : 0;
}

const uint8_t *hogfeat_dataset_pixels(const hogfeat_dataset *dataset)
{
    return dataset ? dataset->pixels : NULL;
}

const int32_t *hogfeat_dataset_labels(const hogfeat_dataset *dataset)
{
    return dataset ? dataset->labels : NULL;
}

hogfeat_status hogfeat_dataset_image(const hogfeat_dataset *dataset, size_t index, hogfeat_image **out_image)
{
    if (!out_image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_image: out_image is NULL");
    *out_image = NULL;
    if (!dataset)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_dataset_image: dataset is NULL");
    if (index >= dataset->count)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "image index %zu is out of range for %zu images", index,
                             dataset->count);
    /* Cannot overflow: count * width * height was checked when reading. */
    size_t offset = index * dataset->width * dataset->height;
    return hogfeat_image_wrap(dataset->pixels + offset, HOGFEAT_FORMAT_U8_GRAY, dataset->width, dataset->height,
                              0, out_image);
}

/* ======================================================================== */
/* PGM (netpbm pgm(5))                                                      */
/* ======================================================================== */

/* Header numbers above this are refused before any arithmetic on them. */
#define PGM_NUMBER_CAP ((uint64_t)1 << 31)
#define PGM_MAX_MAXVAL 65535u

typedef struct pgm_cursor {
    const char *name;
    const unsigned char *data;
    size_t size;
    size_t pos;
} pgm_cursor;

/* The C locale's isspace(), spelled out so the locale cannot change it. */
static int pgm_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void pgm_skip_space(pgm_cursor *c)
{
    while (c->pos < c->size) {
        unsigned char ch = c->data[c->pos];
        if (pgm_is_space(ch)) {
            c->pos++;
        } else if (ch == '#') {
            while (c->pos < c->size && c->data[c->pos] != '\n' && c->data[c->pos] != '\r')
                c->pos++;
        } else {
            break;
        }
    }
}

/* Reads an unsigned decimal after whitespace and comments. A value above
 * PGM_NUMBER_CAP comes back as PGM_NUMBER_CAP + 1, however many digits it
 * has. The number must end at whitespace, a comment, or (when end_ok) the end
 * of the data. */
static hogfeat_status pgm_number(pgm_cursor *c, const char *what, int end_ok, uint64_t *out)
{
    pgm_skip_space(c);
    if (c->pos >= c->size)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends before the %s (truncated)", c->name,
                             what);
    unsigned char ch = c->data[c->pos];
    if (ch < '0' || ch > '9')
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "%s: expected the %s as an unsigned decimal at byte %zu, found 0x%02x", c->name,
                             what, c->pos, ch);
    uint64_t v = 0;
    while (c->pos < c->size && c->data[c->pos] >= '0' && c->data[c->pos] <= '9') {
        if (v <= PGM_NUMBER_CAP)
            v = v * 10 + (uint64_t)(c->data[c->pos] - '0');
        c->pos++;
    }
    if (v > PGM_NUMBER_CAP)
        v = PGM_NUMBER_CAP + 1;
    if (c->pos >= c->size) {
        if (!end_ok)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends after the %s (truncated)", c->name,
                                 what);
    } else if (!pgm_is_space(c->data[c->pos]) && c->data[c->pos] != '#') {
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the %s is followed by 0x%02x at byte %zu", c->name,
                             what, c->data[c->pos], c->pos);
    }
    *out = v;
    return HOGFEAT_OK;
}

static hogfeat_status pgm_decode(const unsigned char *data, size_t size, const hogfeat_limits *limits,
                                 const char *name, hogfeat_image **out_image)
{
    if (size == 0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: empty, no PGM header", name);
    if (data[0] != 'P')
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: not a PGM file (first byte 0x%02x, expected 'P')",
                             name, data[0]);
    if (size < 2)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends inside the magic number", name);
    int plain;
    switch (data[1]) {
    case '5': plain = 0; break;
    case '2': plain = 1; break;
    case '1': case '4':
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: P%c is a PBM bitmap; only PGM (P2, P5) is read",
                             name, data[1]);
    case '3': case '6':
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: P%c is a PPM colour image; only PGM (P2, P5) is read",
                             name, data[1]);
    case '7':
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: P7 is a PAM file; only PGM (P2, P5) is read", name);
    default:
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: not a netpbm file (magic 0x%02x 0x%02x)", name,
                             data[0], data[1]);
    }
    if (size < 3)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the data ends after the magic number", name);
    if (!pgm_is_space(data[2]) && data[2] != '#')
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the magic number is followed by 0x%02x, not whitespace",
                             name, data[2]);

    pgm_cursor c = {name, data, size, 2};
    uint64_t width, height, maxval;
    hogfeat_status st = pgm_number(&c, "width", 0, &width);
    if (st != HOGFEAT_OK)
        return st;
    if (width > PGM_NUMBER_CAP)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the width exceeds 2^31", name);
    st = pgm_number(&c, "height", 0, &height);
    if (st != HOGFEAT_OK)
        return st;
    if (height > PGM_NUMBER_CAP)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the height exceeds 2^31", name);
    st = pgm_number(&c, "maxval", 0, &maxval);
    if (st != HOGFEAT_OK)
        return st;
    if (maxval == 0 || maxval > PGM_MAX_MAXVAL)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: maxval %s; it must be 1 to 65535", name,
                             maxval == 0 ? "is 0" : "is above 65535");
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: the image is %llux%llu; a side is zero", name,
                             (unsigned long long)width, (unsigned long long)height);
    size_t w = (size_t)width, h = (size_t)height, pixels;
    size_t max_pixels = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_PIXELS);
    if (hogfeat__mul_overflow(w, h, &pixels) || pixels > max_pixels)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %zux%zu pixels exceed the limit of %zu", name, w, h,
                             max_pixels);
    const int as_u8 = maxval == 255;
    size_t out_bytes = pixels * (as_u8 ? 1 : sizeof(float)); /* <= 2^30 */
    size_t max_bytes = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES);
    if (out_bytes > max_bytes)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: a %zux%zu image needs %zu bytes, above the limit of %zu",
                             name, w, h, out_bytes, max_bytes);

    const size_t sample_bytes = maxval > 255 ? 2 : 1;
    if (!plain) {
        /* pgm(5): exactly one whitespace byte ends the header, since the
         * first sample may itself be a whitespace or '#' byte. */
        if (c.pos >= size || !pgm_is_space(data[c.pos]))
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: no whitespace byte after maxval (truncated header)",
                                 name);
        c.pos++;
        size_t raster = pixels * sample_bytes;
        /* Netpbm allows several images in one file; only the first is read
         * and whatever follows it is ignored. */
        if (size - c.pos < raster)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: the raster has %zu of its %zu bytes (truncated)",
                                 name, size - c.pos, raster);
    } else if (size - c.pos < 2 * pixels - 1) {
        /* Each plain sample takes at least a digit and a separator. */
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: %zu bytes cannot hold %zu plain samples (truncated)", name,
                             size - c.pos, pixels);
    }

    hogfeat_image *image = NULL;
    st = hogfeat_image_create(as_u8 ? HOGFEAT_FORMAT_U8_GRAY : HOGFEAT_FORMAT_F32_GRAY, w, h, &image);
    if (st != HOGFEAT_OK)
        return st;
    unsigned char *u8 = hogfeat_image_writable_data(image);
    float *f32 = (float *)(void *)u8;
    for (size_t i = 0; i < pixels; i++) {
        uint64_t v;
        if (plain) {
            st = pgm_number(&c, "sample", 1, &v);
            if (st != HOGFEAT_OK)
                break;
        } else if (sample_bytes == 2) {
            v = (uint64_t)data[c.pos] << 8 | data[c.pos + 1];
            c.pos += 2;
        } else {
            v = data[c.pos++];
        }
        if (v > maxval) {
            if (v > PGM_NUMBER_CAP)
                st = hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: sample %zu exceeds maxval %u", name, i,
                                   (unsigned)maxval);
            else
                st = hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "%s: sample %zu is %llu, above maxval %u", name, i,
                                   (unsigned long long)v, (unsigned)maxval);
            break;
        }
        if (as_u8)
            u8[i] = (unsigned char)v;
        else
            f32[i] = (float)((double)v * 255.0 / (double)maxval);
    }
    if (st != HOGFEAT_OK) {
        hogfeat_image_destroy(image);
        return st;
    }
    *out_image = image;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pgm_read(const void *data, size_t size, const hogfeat_limits *limits,
                                hogfeat_image **out_image)
{
    if (!out_image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_read: out_image is NULL");
    *out_image = NULL;
    if (!data)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_read: data is NULL");
    return pgm_decode(data, size, limits, "PGM data", out_image);
}

hogfeat_status hogfeat_pgm_read_file(const char *path, const hogfeat_limits *limits, hogfeat_image **out_image)
{
    if (!out_image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_read_file: out_image is NULL");
    *out_image = NULL;
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_read_file: path is NULL");
    unsigned char *data = NULL;
    size_t size = 0;
    hogfeat_status st =
        hogfeat__read_file(path, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES), &data, &size);
    /* The file buffer counts against the total-bytes limit with the image. */
    hogfeat_limits left = reduced_limits(limits, size);
    if (st == HOGFEAT_OK)
        st = pgm_decode(data, size, &left, path, out_image);
    hogfeat__free(data);
    return st;
}

static size_t pgm_header(const hogfeat_image *image, char *hdr, size_t hdr_cap, size_t *out_total)
{
    int n = snprintf(hdr, hdr_cap, "P5\n%zu %zu\n255\n", image->width, image->height);
    size_t len = n > 0 ? (size_t)n : 0;
    /* Cannot overflow: width * height <= 2^28 for any image handle. */
    *out_total = len + image->width * image->height;
    return len;
}

static hogfeat_status pgm_check_image(const hogfeat_image *image, const char *fn)
{
    if (!image)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: image is NULL", fn);
    if (image->format != HOGFEAT_FORMAT_U8_GRAY && image->format != HOGFEAT_FORMAT_F32_GRAY)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT,
                             "%s: PGM holds grayscale only; the image has %d channels", fn, image->channels);
    return HOGFEAT_OK;
}

static void pgm_encode(const hogfeat_image *image, const char *hdr, size_t hdr_len, unsigned char *dst)
{
    memcpy(dst, hdr, hdr_len);
    dst += hdr_len;
    for (size_t y = 0; y < image->height; y++) {
        const unsigned char *row = image->pixels + y * image->stride_bytes;
        if (image->format == HOGFEAT_FORMAT_U8_GRAY) {
            memcpy(dst, row, image->width);
        } else {
            const float *src = (const float *)(const void *)row;
            for (size_t x = 0; x < image->width; x++) {
                float v = src[x];
                /* NaN fails both comparisons and ends up 0; roundf rounds
                 * halves away from zero. */
                float clamped = v >= 255.0f ? 255.0f : v > 0.0f ? v : 0.0f;
                dst[x] = (unsigned char)roundf(clamped);
            }
        }
        dst += image->width;
    }
}

hogfeat_status hogfeat_pgm_write(const hogfeat_image *image, void *buffer, size_t capacity, size_t *out_size)
{
    if (!out_size)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_write: out_size is NULL");
    hogfeat_status st = pgm_check_image(image, "hogfeat_pgm_write");
    if (st != HOGFEAT_OK)
        return st;
    char hdr[64];
    size_t total;
    size_t hdr_len = pgm_header(image, hdr, sizeof hdr, &total);
    if (!buffer || capacity < total) {
        *out_size = total;
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "the PGM file takes %zu bytes; the buffer holds %zu", total,
                             buffer ? capacity : 0);
    }
    pgm_encode(image, hdr, hdr_len, buffer);
    *out_size = total;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pgm_write_file(const hogfeat_image *image, const char *path)
{
    hogfeat_status st = pgm_check_image(image, "hogfeat_pgm_write_file");
    if (st != HOGFEAT_OK)
        return st;
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pgm_write_file: path is NULL");
    char hdr[64];
    size_t total;
    size_t hdr_len = pgm_header(image, hdr, sizeof hdr, &total);
    unsigned char *bytes = hogfeat__malloc(total);
    if (!bytes)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes for the PGM file", path, total);
    pgm_encode(image, hdr, hdr_len, bytes);
    st = hogfeat__write_file_atomic(path, bytes, total);
    hogfeat__free(bytes);
    return st;
}
