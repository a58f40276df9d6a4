/* The model file format (docs/model-format.md): save and load of linear SVMs,
 * KNN models and pipelines, to memory and, atomically, to files.
 *
 * Every field goes through the byte-assembling helpers below, so the bytes
 * do not depend on the host's endianness, struct padding or locale. Loading
 * checks the container (magic, version, length, CRC) before it looks at any
 * section, and every count against the limits and the section length before
 * it allocates anything. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "featmap.h"
#include "le.h"
#include "private.h"

_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE binary32 and binary64 required");

/* PNG's trick: a high-bit byte catches 7-bit channels, CR LF and LF catch
 * newline conversion in either direction, and ^Z stops DOS `type`. */
static const unsigned char MF_MAGIC[8] = {0x89, 'H', 'O', 'G', '\r', '\n', 0x1A, '\n'};
#define MF_MAJOR 1u
#define MF_MINOR 3u /* 1.1 added the HOGX section, 1.2 LSMC and LSPR, 1.3 DESC and FMAP */
#define MF_HEADER_BYTES 24u
#define MF_SECTION_HEADER_BYTES 16u
#define MF_TRAILER_BYTES 4u
#define MF_SECTION_CRITICAL 1u

#define MF_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define MF_TAG_FEAT MF_TAG('F', 'E', 'A', 'T')
#define MF_TAG_HOGX MF_TAG('H', 'O', 'G', 'X')
#define MF_TAG_LSVM MF_TAG('L', 'S', 'V', 'M')
#define MF_TAG_KNN MF_TAG('K', 'N', 'N', ' ')
#define MF_TAG_LSMC MF_TAG('L', 'S', 'M', 'C') /* linear SVM multi-class strategy (1.2) */
#define MF_TAG_LSPR MF_TAG('L', 'S', 'P', 'R') /* linear SVM probability calibration (1.2) */
#define MF_TAG_DESC MF_TAG('D', 'E', 'S', 'C') /* pipeline descriptors after the first HOG (1.3) */
#define MF_TAG_FMAP MF_TAG('F', 'M', 'A', 'P') /* pipeline feature map (1.3) */

#define MF_FEAT_BYTES 56u
#define MF_HOGX_BYTES 16u
#define MF_LSVM_FIXED_BYTES 56u /* without labels and weights */
#define MF_KNN_FIXED_BYTES 32u  /* without labels and features */
#define MF_LSMC_BYTES 4u
#define MF_LSPR_FIXED_BYTES 8u  /* without the (A, B) records */

#define MF_KNN_MAX_K 1024
#define MF_MAX_THREADS 256

/* zlib's crc32 takes a uInt length; feed large buffers in pieces. */
static uint32_t crc_of(const unsigned char *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

/* A tag for messages: its four characters when printable. */
static void tag_text(uint32_t tag, char out[16])
{
    unsigned char c[4] = {(unsigned char)tag, (unsigned char)(tag >> 8), (unsigned char)(tag >> 16),
                          (unsigned char)(tag >> 24)};
    int printable = 1;
    for (int i = 0; i < 4; i++)
        printable &= c[i] >= 0x20 && c[i] < 0x7F;
    if (printable)
        snprintf(out, 16, "'%c%c%c%c'", c[0], c[1], c[2], c[3]);
    else
        snprintf(out, 16, "0x%08lx", (unsigned long)tag);
}

/* ---- sizes ------------------------------------------------------------------ */

/* What one file holds; exactly one of svm and knn is set. */
typedef struct mf_parts {
    const hogfeat_pipeline *pipeline; /* FEAT section when set */
    const hogfeat_linsvm *svm;
    const hogfeat_knn *knn;
} mf_parts;

/* Payload bytes of an LSVM section: fixed fields, 4 K label bytes and
 * 4 * vectors * (D + 1) weight bytes. 0 on overflow. */
static size_t lsvm_payload_bytes(size_t num_classes, size_t num_vectors, size_t num_features)
{
    size_t labels, row, weights, total;
    if (hogfeat__mul_overflow(num_classes, 4, &labels) || hogfeat__add_overflow(num_features, 1, &row) ||
        hogfeat__mul_overflow(num_vectors, row, &weights) || hogfeat__mul_overflow(weights, 4, &weights) ||
        hogfeat__add_overflow(MF_LSVM_FIXED_BYTES, labels, &total) ||
        hogfeat__add_overflow(total, weights, &total))
        return 0;
    return total;
}

/* Payload bytes of a KNN section: fixed fields, 4 N label bytes, 4 N D feature bytes. 0 on overflow. */
static size_t knn_payload_bytes(size_t num_samples, size_t num_features)
{
    size_t labels, feats, total;
    if (hogfeat__mul_overflow(num_samples, 4, &labels) ||
        hogfeat__mul_overflow(num_samples, num_features, &feats) || hogfeat__mul_overflow(feats, 4, &feats) ||
        hogfeat__add_overflow(MF_KNN_FIXED_BYTES, labels, &total) || hogfeat__add_overflow(total, feats, &total))
        return 0;
    return total;
}

/* HOG settings added in format 1.1 (preset, layout, window sigma) go in a
 * HOGX section, written only when one differs from 1.0's implied values, so
 * such files stay readable by 1.0 readers; it is critical, because a 1.0
 * reader ignoring it would compute other features. */
static int needs_hogx(const hogfeat_hog_config *h)
{
    return h->preset != HOGFEAT_HOG_PRESET_SKIMAGE || h->layout != HOGFEAT_HOG_LAYOUT_SKIMAGE ||
           h->window_sigma != 0.0;
}

/* Linear SVM data added in format 1.2, each in its own section written only
 * when used, so plain one-vs-rest models keep the exact bytes of 1.1:
 * LSMC (critical: a 1.1 reader would mistake one-vs-one or Crammer-Singer
 * weights for one-vs-rest ones, or refuse the vector count as corrupt) and
 * LSPR (optional: a 1.1 reader loses only the probabilities). */
static int needs_lsmc(const hogfeat_linsvm *m)
{
    return m && m->multiclass != HOGFEAT_SVM_OVR;
}

static int needs_lspr(const hogfeat_linsvm *m)
{
    return m && m->num_platt > 0;
}

/* Payload bytes of an LSPR section; 0 on overflow. */
static size_t lspr_payload_bytes(size_t records)
{
    size_t bytes;
    if (hogfeat__mul_overflow(records, 16, &bytes) || hogfeat__add_overflow(bytes, MF_LSPR_FIXED_BYTES, &bytes))
        return 0;
    return bytes;
}

/* The minor version a file is stamped with: the lowest that defines all of
 * its sections, so files without 1.2 sections stay byte-identical to 1.1. */
static unsigned file_minor(const mf_parts *parts)
{
    if (parts->pipeline && (hogfeat__desc_payload_bytes(parts->pipeline) > 0 ||
                            hogfeat__fmap_payload_bytes(parts->pipeline) > 0))
        return 3u;
    return needs_lsmc(parts->svm) || needs_lspr(parts->svm) ? 2u : 1u;
}

static hogfeat_status encoded_size(const mf_parts *parts, size_t *out_size)
{
    size_t payload = parts->svm ? lsvm_payload_bytes((size_t)parts->svm->num_classes, parts->svm->num_vectors,
                                                     parts->svm->num_features)
                                : knn_payload_bytes(parts->knn->num_samples, parts->knn->num_features);
    size_t total = MF_HEADER_BYTES + MF_TRAILER_BYTES + MF_SECTION_HEADER_BYTES;
    if (parts->pipeline)
        total += MF_SECTION_HEADER_BYTES + MF_FEAT_BYTES;
    if (parts->pipeline && needs_hogx(&parts->pipeline->hog))
        total += MF_SECTION_HEADER_BYTES + MF_HOGX_BYTES;
    if (parts->pipeline) {
        const size_t extra[2] = {hogfeat__desc_payload_bytes(parts->pipeline),
                                 hogfeat__fmap_payload_bytes(parts->pipeline)};
        for (int i = 0; i < 2; i++) {
            if (extra[i] > 0 && (hogfeat__add_overflow(total, MF_SECTION_HEADER_BYTES, &total) ||
                                 hogfeat__add_overflow(total, extra[i], &total)))
                return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the model is too large to serialise in memory");
        }
    }
    if (needs_lsmc(parts->svm))
        total += MF_SECTION_HEADER_BYTES + MF_LSMC_BYTES;
    if (needs_lspr(parts->svm)) {
        size_t lspr = lspr_payload_bytes(parts->svm->num_platt);
        if (lspr == 0 || hogfeat__add_overflow(total, MF_SECTION_HEADER_BYTES, &total) ||
            hogfeat__add_overflow(total, lspr, &total))
            return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the model is too large to serialise in memory");
    }
    if (payload == 0 || hogfeat__add_overflow(total, payload, &total))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the model is too large to serialise in memory");
    *out_size = total;
    return HOGFEAT_OK;
}

/* ---- encoding ------------------------------------------------------------------ */

static unsigned char *wr_section_header(unsigned char *p, uint32_t tag, uint32_t flags, size_t length)
{
    p = wr_u32(p, tag);
    p = wr_u32(p, flags);
    return wr_u64(p, (uint64_t)length);
}

static unsigned char *encode_feat(unsigned char *p, const hogfeat_pipeline *pipe)
{
    const hogfeat_hog_config *h = &pipe->hog;
    p = wr_section_header(p, MF_TAG_FEAT, MF_SECTION_CRITICAL, MF_FEAT_BYTES);
    p = wr_u32(p, (uint32_t)h->orientations);
    p = wr_u32(p, (uint32_t)h->cell_w);
    p = wr_u32(p, (uint32_t)h->cell_h);
    p = wr_u32(p, (uint32_t)h->block_w);
    p = wr_u32(p, (uint32_t)h->block_h);
    p = wr_u32(p, (uint32_t)h->stride_x);
    p = wr_u32(p, (uint32_t)h->stride_y);
    p = wr_u32(p, (uint32_t)h->norm);
    p = wr_u32(p, (uint32_t)h->transform_sqrt);
    p = wr_u32(p, (uint32_t)h->signed_orientations);
    p = wr_f64(p, pipe->blur_sigma);
    /* set_resize keeps width * height within 2^28 pixels, so each fits. */
    p = wr_u32(p, (uint32_t)pipe->resize_w);
    return wr_u32(p, (uint32_t)pipe->resize_h);
}

static unsigned char *encode_hogx(unsigned char *p, const hogfeat_hog_config *h)
{
    p = wr_section_header(p, MF_TAG_HOGX, MF_SECTION_CRITICAL, MF_HOGX_BYTES);
    p = wr_u32(p, (uint32_t)h->preset);
    p = wr_u32(p, (uint32_t)h->layout);
    return wr_f64(p, h->window_sigma);
}

static unsigned char *encode_lsvm(unsigned char *p, const hogfeat_linsvm *m)
{
    const size_t k = (size_t)m->num_classes, d = m->num_features;
    p = wr_section_header(p, MF_TAG_LSVM, MF_SECTION_CRITICAL, lsvm_payload_bytes(k, m->num_vectors, d));
    p = wr_u64(p, (uint64_t)k);
    p = wr_u64(p, (uint64_t)d);
    for (size_t i = 0; i < k; i++)
        p = wr_i32(p, m->labels[i]);
    p = wr_u32(p, (uint32_t)m->loss);
    p = wr_f64(p, m->c);
    p = wr_f64(p, m->tolerance);
    p = wr_i32(p, m->max_iterations);
    p = wr_f64(p, m->bias);
    p = wr_u64(p, (uint64_t)m->num_vectors);
    const size_t n = m->num_vectors * (d + 1);
    for (size_t i = 0; i < n; i++)
        p = wr_f32(p, m->weights[i]);
    return p;
}

static unsigned char *encode_lsmc(unsigned char *p, const hogfeat_linsvm *m)
{
    p = wr_section_header(p, MF_TAG_LSMC, MF_SECTION_CRITICAL, MF_LSMC_BYTES);
    return wr_u32(p, (uint32_t)m->multiclass);
}

static unsigned char *encode_lspr(unsigned char *p, const hogfeat_linsvm *m)
{
    p = wr_section_header(p, MF_TAG_LSPR, 0, lspr_payload_bytes(m->num_platt));
    p = wr_u64(p, (uint64_t)m->num_platt);
    for (size_t i = 0; i < 2 * m->num_platt; i++)
        p = wr_f64(p, m->platt[i]);
    return p;
}

static unsigned char *encode_knn(unsigned char *p, const hogfeat_knn *m)
{
    const size_t n = m->num_samples, d = m->num_features;
    p = wr_section_header(p, MF_TAG_KNN, MF_SECTION_CRITICAL, knn_payload_bytes(n, d));
    p = wr_i32(p, m->k);
    p = wr_u32(p, (uint32_t)m->metric);
    p = wr_u32(p, (uint32_t)m->weighting);
    p = wr_i32(p, m->threads);
    p = wr_u64(p, (uint64_t)n);
    p = wr_u64(p, (uint64_t)d);
    for (size_t i = 0; i < n; i++)
        p = wr_i32(p, m->labels[i]);
    for (size_t i = 0; i < n * d; i++)
        p = wr_f32(p, m->features[i]);
    return p;
}

/* Writes exactly size bytes (from encoded_size) to dst. */
static void encode(const mf_parts *parts, unsigned char *dst, size_t size)
{
    unsigned char *p = dst;
    memcpy(p, MF_MAGIC, sizeof MF_MAGIC);
    p += sizeof MF_MAGIC;
    p = wr_u16(p, MF_MAJOR);
    p = wr_u16(p, (uint16_t)file_minor(parts));
    p = wr_u32(p, 0); /* header flags: none defined */
    p = wr_u64(p, (uint64_t)size);
    if (parts->pipeline)
        p = encode_feat(p, parts->pipeline);
    if (parts->pipeline && needs_hogx(&parts->pipeline->hog))
        p = encode_hogx(p, &parts->pipeline->hog);
    if (parts->pipeline) {
        size_t bytes = hogfeat__desc_payload_bytes(parts->pipeline);
        if (bytes > 0)
            p = hogfeat__desc_encode(wr_section_header(p, MF_TAG_DESC, MF_SECTION_CRITICAL, bytes), parts->pipeline);
        bytes = hogfeat__fmap_payload_bytes(parts->pipeline);
        if (bytes > 0)
            p = hogfeat__fmap_encode(wr_section_header(p, MF_TAG_FMAP, MF_SECTION_CRITICAL, bytes), parts->pipeline);
    }
    if (needs_lsmc(parts->svm))
        p = encode_lsmc(p, parts->svm);
    p = parts->svm ? encode_lsvm(p, parts->svm) : encode_knn(p, parts->knn);
    if (needs_lspr(parts->svm))
        p = encode_lspr(p, parts->svm);
    wr_u32(p, crc_of(dst, size - MF_TRAILER_BYTES));
}

static hogfeat_status save_buffer(const mf_parts *parts, void *buffer, size_t capacity, size_t *out_size)
{
    size_t size = 0;
    hogfeat_status st = encoded_size(parts, &size);
    if (st != HOGFEAT_OK)
        return st;
    *out_size = size;
    if (!buffer || capacity < size)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "the model needs %zu bytes; the buffer holds %zu", size,
                             buffer ? capacity : (size_t)0);
    encode(parts, buffer, size);
    return HOGFEAT_OK;
}

static hogfeat_status save_file(const mf_parts *parts, const char *path)
{
    size_t size = 0;
    hogfeat_status st = encoded_size(parts, &size);
    if (st != HOGFEAT_OK)
        return st;
    unsigned char *bytes = hogfeat__malloc(size);
    if (!bytes)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes to serialise the model",
                             path, size);
    encode(parts, bytes, size);
    st = hogfeat__write_file_atomic(path, bytes, size);
    hogfeat__free(bytes);
    if (st == HOGFEAT_ERR_INVALID_ARGUMENT) {
        /* An empty or overlong name: the public contract calls every
         * failure to produce the file an I/O error, as open() would. */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", hogfeat_last_error_message());
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s", msg);
    }
    return st;
}

/* ---- public save ------------------------------------------------------------------ */

hogfeat_status hogfeat_linsvm_save(const hogfeat_linsvm *model, void *buffer, size_t capacity, size_t *out_size)
{
    if (!model || !out_size)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_save: %s is NULL",
                             !model ? "model" : "out_size");
    mf_parts parts = {NULL, model, NULL};
    return save_buffer(&parts, buffer, capacity, out_size);
}

hogfeat_status hogfeat_linsvm_save_file(const hogfeat_linsvm *model, const char *path)
{
    if (!model || !path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_save_file: %s is NULL",
                             !model ? "model" : "path");
    mf_parts parts = {NULL, model, NULL};
    return save_file(&parts, path);
}

hogfeat_status hogfeat_knn_save(const hogfeat_knn *model, void *buffer, size_t capacity, size_t *out_size)
{
    if (!model || !out_size)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_save: %s is NULL",
                             !model ? "model" : "out_size");
    mf_parts parts = {NULL, NULL, model};
    return save_buffer(&parts, buffer, capacity, out_size);
}

hogfeat_status hogfeat_knn_save_file(const hogfeat_knn *model, const char *path)
{
    if (!model || !path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_knn_save_file: %s is NULL",
                             !model ? "model" : "path");
    mf_parts parts = {NULL, NULL, model};
    return save_file(&parts, path);
}

static hogfeat_status pipeline_parts(const hogfeat_pipeline *pipeline, const char *fn, mf_parts *parts)
{
    if (!pipeline->svm && !pipeline->knn)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND, "%s: the pipeline has no classifier to save", fn);
    /* Such a file would be refused on load (read_hogx, DESC): refuse it here. */
    for (size_t i = 0; i < hogfeat_pipeline_num_descriptors(pipeline); i++) {
        const hogfeat_hog_config *h = hogfeat_pipeline_descriptor_hog(pipeline, i);
        if (h && hogfeat__hog_norm_unsupported(h))
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                                 "%s: HOG descriptor %zu uses the OpenCV preset with block norm %d, which "
                                 "hogfeat_hog_compute refuses (L2-Hys only)", fn, i, (int)h->norm);
    }
    parts->pipeline = pipeline;
    parts->svm = pipeline->svm;
    parts->knn = pipeline->svm ? NULL : pipeline->knn;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_pipeline_save(const hogfeat_pipeline *pipeline, void *buffer, size_t capacity,
                                     size_t *out_size)
{
    if (!pipeline || !out_size)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_save: %s is NULL",
                             !pipeline ? "pipeline" : "out_size");
    mf_parts parts = {NULL, NULL, NULL};
    hogfeat_status st = pipeline_parts(pipeline, "hogfeat_pipeline_save", &parts);
    if (st != HOGFEAT_OK)
        return st;
    return save_buffer(&parts, buffer, capacity, out_size);
}

hogfeat_status hogfeat_pipeline_save_file(const hogfeat_pipeline *pipeline, const char *path)
{
    if (!pipeline || !path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_pipeline_save_file: %s is NULL",
                             !pipeline ? "pipeline" : "path");
    mf_parts parts = {NULL, NULL, NULL};
    hogfeat_status st = pipeline_parts(pipeline, "hogfeat_pipeline_save_file", &parts);
    if (st != HOGFEAT_OK)
        return st;
    return save_file(&parts, path);
}

/* ---- container parsing ---------------------------------------------------------- */

typedef struct mf_section {
    const unsigned char *data; /* payload; NULL when the section is absent */
    size_t length;
} mf_section;

typedef struct mf_file {
    mf_section feat, hogx, lsvm, knn;
    mf_section lsmc, lspr;
    mf_section desc, fmap;
} mf_file;

/* Checks magic, version, length and CRC, then walks the sections. Nothing
 * inside a section is looked at here. */
static hogfeat_status parse_container(const unsigned char *data, size_t size, mf_file *file)
{
    memset(file, 0, sizeof *file);
    if (size == 0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "model data is empty (0 bytes)");
    size_t magic_n = size < sizeof MF_MAGIC ? size : sizeof MF_MAGIC;
    if (memcmp(data, MF_MAGIC, magic_n) != 0) {
        /* Name the usual culprits: a text-mode transfer rewrites CR LF. */
        if (size >= 7 && data[0] == 0x89 && memcmp(data + 1, "HOG\n", 4) == 0)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "not a model file: its signature lost a CR (the file went through a "
                                 "text-mode transfer)");
        if (size >= 8 && data[0] == 0x89 && memcmp(data + 1, "HOG\r\r\n", 6) == 0)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "not a model file: its signature gained a CR (the file went through a "
                                 "text-mode transfer)");
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "not a model file: the first bytes are not the "
                                                       "libhogfeat signature 89 48 4F 47 0D 0A 1A 0A");
    }
    if (size < sizeof MF_MAGIC + 2)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "model data is truncated: %zu bytes, the header alone "
                                                       "needs %u", size, MF_HEADER_BYTES);
    /* A different major may lay out everything after it differently. */
    unsigned major = rd_u16(data + 8);
    if (major != MF_MAJOR)
        return hogfeat__fail(HOGFEAT_ERR_VERSION_MISMATCH,
                             "model format version %u.x; this library reads version %u.x only", major,
                             MF_MAJOR);
    if (size < MF_HEADER_BYTES + MF_TRAILER_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "model data is truncated: %zu bytes, the header and "
                                                       "checksum alone need %u", size,
                             MF_HEADER_BYTES + MF_TRAILER_BYTES);
    uint64_t declared = rd_u64(data + 16);
    if (declared != (uint64_t)size) {
        if (declared > (uint64_t)size)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "model data is truncated: the header declares %llu bytes, %zu are present",
                                 (unsigned long long)declared, size);
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "model data has %llu bytes of trailing garbage after the declared %llu",
                             (unsigned long long)((uint64_t)size - declared), (unsigned long long)declared);
    }
    const size_t body_end = size - MF_TRAILER_BYTES;
    uint32_t stored = rd_u32(data + body_end), actual = crc_of(data, body_end);
    if (stored != actual)
        return hogfeat__fail(HOGFEAT_ERR_CHECKSUM,
                             "model data fails its CRC-32 check (stored %08lx, computed %08lx): the bytes "
                             "were altered", (unsigned long)stored, (unsigned long)actual);

    size_t pos = MF_HEADER_BYTES;
    while (pos < body_end) {
        if (body_end - pos < MF_SECTION_HEADER_BYTES)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "a section header at byte %zu is cut short by the end of the data", pos);
        uint32_t tag = rd_u32(data + pos), flags = rd_u32(data + pos + 4);
        uint64_t length = rd_u64(data + pos + 8);
        char name[16];
        tag_text(tag, name);
        pos += MF_SECTION_HEADER_BYTES;
        if (length > (uint64_t)(body_end - pos))
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "section %s at byte %zu declares %llu bytes; only %zu remain", name,
                                 pos - MF_SECTION_HEADER_BYTES, (unsigned long long)length, body_end - pos);
        mf_section *slot = tag == MF_TAG_FEAT   ? &file->feat
                           : tag == MF_TAG_HOGX ? &file->hogx
                           : tag == MF_TAG_LSVM ? &file->lsvm
                           : tag == MF_TAG_KNN  ? &file->knn
                           : tag == MF_TAG_LSMC ? &file->lsmc
                           : tag == MF_TAG_LSPR ? &file->lspr
                           : tag == MF_TAG_DESC ? &file->desc
                           : tag == MF_TAG_FMAP ? &file->fmap
                                                : NULL;
        if (!slot && (flags & MF_SECTION_CRITICAL))
            return hogfeat__fail(HOGFEAT_ERR_VERSION_MISMATCH,
                                 "section %s is marked critical but unknown to this library (format %u.%u); "
                                 "a newer libhogfeat wrote it", name, MF_MAJOR, MF_MINOR);
        if (slot) {
            if (slot->data)
                return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "section %s appears twice", name);
            slot->data = data + pos;
            slot->length = (size_t)length;
        }
        pos += (size_t)length;
    }
    if (file->lsvm.data && file->knn.data)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "the file holds both an LSVM and a KNN section; "
                                                       "exactly one classifier is allowed");
    if (!file->lsvm.data && !file->knn.data)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "the file holds no classifier section (LSVM or KNN)");
    if ((file->hogx.data || file->desc.data || file->fmap.data) && !file->feat.data)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "the file holds a %s section without a FEAT section",
                             file->hogx.data ? "HOGX" : file->desc.data ? "DESC" : "FMAP");
    if ((file->lsmc.data || file->lspr.data) && !file->lsvm.data)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "the file holds an %s section without an LSVM section",
                             file->lsmc.data ? "LSMC" : "LSPR");
    return HOGFEAT_OK;
}

/* ---- section validation (no allocation) --------------------------------------------- */

/* Converts a count read from the file; LIMIT_EXCEEDED above limit. */
static hogfeat_status check_count(uint64_t value, size_t limit, const char *what, size_t *out)
{
    if (value > (uint64_t)limit)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the file declares %llu %s; the limit is %zu",
                             (unsigned long long)value, what, limit);
    *out = (size_t)value;
    return HOGFEAT_OK;
}

/* Bytes a load may still allocate; LIMIT_EXCEEDED when need exceeds it. */
static hogfeat_status check_budget(size_t need, size_t budget, const char *what)
{
    if (need > budget)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "loading this %s needs %zu bytes; the limit allows %zu more", what, need, budget);
    return HOGFEAT_OK;
}

static hogfeat_status check_finite_f32(const unsigned char *p, size_t count, const char *what)
{
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(rd_f32(p + 4 * i)))
            return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s value %zu is NaN or infinite", what, i);
    }
    return HOGFEAT_OK;
}

typedef struct mf_feat {
    hogfeat_hog_config hog; /* built through the public setters */
    double sigma;
    size_t resize_w, resize_h;
} mf_feat;

static hogfeat_status check_range_u32(uint32_t v, uint32_t lo, uint32_t hi, const char *what)
{
    if (v < lo || v > hi)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FEAT section: %s %lu is outside [%lu, %lu]", what,
                             (unsigned long)v, (unsigned long)lo, (unsigned long)hi);
    return HOGFEAT_OK;
}

static hogfeat_status read_feat(const mf_section *s, const hogfeat_limits *limits, mf_feat *out)
{
    if (s->length != MF_FEAT_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FEAT section is %zu bytes; format %u.x defines %u",
                             s->length, MF_MAJOR, MF_FEAT_BYTES);
    const unsigned char *p = s->data;
    uint32_t v[10];
    for (int i = 0; i < 10; i++)
        v[i] = rd_u32(p + 4 * i);
    static const char *const names[10] = {"orientations", "cell width", "cell height", "block width",
                                          "block height", "block stride x", "block stride y", "block norm",
                                          "transform_sqrt", "signed orientations"};
    static const uint32_t hi[10] = {HOGFEAT_HOG_MAX_ORIENTATIONS, HOGFEAT_HOG_MAX_CELL_PX,
                                    HOGFEAT_HOG_MAX_CELL_PX, HOGFEAT_HOG_MAX_BLOCK_CELLS,
                                    HOGFEAT_HOG_MAX_BLOCK_CELLS, HOGFEAT_HOG_MAX_BLOCK_CELLS,
                                    HOGFEAT_HOG_MAX_BLOCK_CELLS, HOGFEAT_NORM_L2HYS, 1, 1};
    for (int i = 0; i < 10; i++) {
        hogfeat_status st = check_range_u32(v[i], i < 8 ? 1 : 0, hi[i], names[i]);
        if (st != HOGFEAT_OK)
            return st;
    }
    double sigma = rd_f64(p + 40);
    if (!isfinite(sigma))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "FEAT section: the blur sigma is NaN or infinite");
    if (sigma < 0.0 || sigma > HOGFEAT_PIPELINE_MAX_SIGMA)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FEAT section: blur sigma outside [0, %g]",
                             HOGFEAT_PIPELINE_MAX_SIGMA);
    size_t rw = rd_u32(p + 48), rh = rd_u32(p + 52), pixels;
    if ((rw == 0) != (rh == 0))
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FEAT section: resize %zux%zu has one zero side", rw, rh);
    size_t max_pixels = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_PIXELS);
    if (hogfeat__mul_overflow(rw, rh, &pixels) || pixels > max_pixels)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "FEAT section: resize to %zux%zu exceeds the limit of "
                                                         "%zu pixels", rw, rh, max_pixels);

    /* The setters derive the orientation-bin parameters; signedness first,
     * as the bins depend on it. Ranges were checked above. */
    memset(&out->hog, 0, sizeof out->hog);
    hogfeat_hog_config *h = &out->hog;
    if (hogfeat_hog_config_set_preset(h, HOGFEAT_HOG_PRESET_SKIMAGE) != HOGFEAT_OK ||
        hogfeat_hog_config_set_signed_orientations(h, (int)v[9]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_orientations(h, (int32_t)v[0]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_cell_size(h, (int32_t)v[1], (int32_t)v[2]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_size(h, (int32_t)v[3], (int32_t)v[4]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_stride(h, (int32_t)v[5], (int32_t)v[6]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_norm(h, (hogfeat_norm)v[7]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_transform_sqrt(h, (int)v[8]) != HOGFEAT_OK)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FEAT section: the HOG configuration is invalid");
    out->sigma = sigma;
    out->resize_w = rw;
    out->resize_h = rh;
    return HOGFEAT_OK;
}

/* Applies a HOGX section to a configuration read from FEAT. */
static hogfeat_status read_hogx(const mf_section *s, hogfeat_hog_config *h)
{
    if (s->length != MF_HOGX_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "HOGX section is %zu bytes; format %u.x defines %u",
                             s->length, MF_MAJOR, MF_HOGX_BYTES);
    uint32_t preset = rd_u32(s->data), layout = rd_u32(s->data + 4);
    double sigma = rd_f64(s->data + 8);
    if (!isfinite(sigma))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "HOGX section: the window sigma is NaN or infinite");
    /* The preset sets defaults, so keep FEAT's explicit values around it. */
    hogfeat_hog_config keep = *h;
    if (preset != HOGFEAT_HOG_PRESET_SKIMAGE && preset != HOGFEAT_HOG_PRESET_OPENCV)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "HOGX section: preset %lu is unknown", (unsigned long)preset);
    if (hogfeat_hog_config_set_preset(h, (hogfeat_hog_preset)preset) != HOGFEAT_OK)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "HOGX section: bad preset");
    h->orientations = keep.orientations;
    h->cell_w = keep.cell_w;
    h->cell_h = keep.cell_h;
    h->block_w = keep.block_w;
    h->block_h = keep.block_h;
    h->stride_x = keep.stride_x;
    h->stride_y = keep.stride_y;
    h->norm = keep.norm;
    h->transform_sqrt = keep.transform_sqrt;
    h->signed_orientations = keep.signed_orientations;
    h->bins = keep.bins;
    if (hogfeat_hog_config_set_layout(h, (hogfeat_hog_layout)layout) != HOGFEAT_OK ||
        hogfeat_hog_config_set_window_sigma(h, sigma) != HOGFEAT_OK)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "HOGX section: layout %lu or window sigma out of range",
                             (unsigned long)layout);
    /* The setters allow it, hogfeat_hog_compute() refuses it: a file is
     * valid only if its features can be computed. */
    if (hogfeat__hog_norm_unsupported(h))
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "HOGX section: the OpenCV preset with block norm %d (it "
                                                       "normalises with L2-Hys only)", (int)h->norm);
    return HOGFEAT_OK;
}

typedef struct mf_lsvm {
    hogfeat_svm_multiclass multiclass; /* from LSMC (read first), else one-vs-rest */
    size_t num_classes, num_features, num_vectors;
    const unsigned char *labels, *weights;
    hogfeat_svm_loss loss;
    double c, tolerance, bias;
    int32_t max_iterations;
    size_t alloc_bytes;                /* what building the model allocates */
    size_t num_platt;                  /* from LSPR: 0 when absent */
    const unsigned char *platt;
} mf_lsvm;

/* The multi-class strategy (LSMC, since 1.2). */
static hogfeat_status read_lsmc(const mf_section *s, mf_lsvm *out)
{
    if (s->length != MF_LSMC_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSMC section is %zu bytes; format %u.x defines %u",
                             s->length, MF_MAJOR, MF_LSMC_BYTES);
    uint32_t mc = rd_u32(s->data);
    if (mc != HOGFEAT_SVM_OVR && mc != HOGFEAT_SVM_OVO && mc != HOGFEAT_SVM_CRAMMER_SINGER)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSMC section: strategy %lu is not a hogfeat_svm_multiclass",
                             (unsigned long)mc);
    out->multiclass = (hogfeat_svm_multiclass)mc;
    return HOGFEAT_OK;
}

/* The Platt records (LSPR, since 1.2), after read_lsvm: their count must be
 * the one the strategy implies. */
static hogfeat_status read_lspr(const mf_section *s, size_t budget, mf_lsvm *out)
{
    if (s->length < MF_LSPR_FIXED_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSPR section is %zu bytes; its count alone needs %u",
                             s->length, MF_LSPR_FIXED_BYTES);
    const size_t want = out->multiclass == HOGFEAT_SVM_CRAMMER_SINGER ? 1 : out->num_vectors;
    uint64_t records = rd_u64(s->data);
    if (records != (uint64_t)want)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSPR section: %llu records; this model needs %zu",
                             (unsigned long long)records, want);
    size_t expect = lspr_payload_bytes(want);
    if (expect == 0 || s->length != expect)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSPR section is %zu bytes; %zu records need exactly %zu",
                             s->length, want, expect);
    hogfeat_status st = check_budget(expect - MF_LSPR_FIXED_BYTES,
                                     budget > out->alloc_bytes ? budget - out->alloc_bytes : 0,
                                     "probability calibration");
    if (st != HOGFEAT_OK)
        return st;
    for (size_t i = 0; i < 2 * want; i++) {
        if (!isfinite(rd_f64(s->data + MF_LSPR_FIXED_BYTES + 8 * i)))
            return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "LSPR section: Platt parameter %zu is NaN or infinite", i);
    }
    out->num_platt = want;
    out->platt = s->data + MF_LSPR_FIXED_BYTES;
    return HOGFEAT_OK;
}

static hogfeat_status read_lsvm(const mf_section *s, const hogfeat_limits *limits, size_t budget, mf_lsvm *out)
{
    const unsigned char *p = s->data;
    if (s->length < MF_LSVM_FIXED_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSVM section is %zu bytes; its fixed fields alone need %u",
                             s->length, MF_LSVM_FIXED_BYTES);
    uint64_t k64 = rd_u64(p), d64 = rd_u64(p + 8);
    if (k64 < 2)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSVM section: %llu classes; a linear SVM needs >= 2",
                             (unsigned long long)k64);
    if (d64 < 1)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSVM section: 0 features; a model needs >= 1");
    size_t max_classes = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_CLASSES);
    if (max_classes > INT32_MAX)
        max_classes = INT32_MAX; /* the model holds K as int32_t */
    hogfeat_status st = check_count(k64, max_classes, "classes", &out->num_classes);
    if (st == HOGFEAT_OK)
        st = check_count(d64, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_FEATURES), "features", &out->num_features);
    if (st != HOGFEAT_OK)
        return st;
    const size_t k = out->num_classes, d = out->num_features;
    out->num_vectors = hogfeat__linsvm_num_vectors(k, out->multiclass);
    size_t expect = out->num_vectors ? lsvm_payload_bytes(k, out->num_vectors, d) : 0;
    if (expect == 0)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "LSVM section: %zu classes x %zu features overflow", k, d);
    if (s->length != expect)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "LSVM section is %zu bytes; %zu classes x %zu features need exactly %zu", s->length,
                             k, d, expect);
    /* Allocation is the payload less its fixed fields, plus the handle. */
    out->alloc_bytes = expect - MF_LSVM_FIXED_BYTES + sizeof(hogfeat_linsvm);
    st = check_budget(out->alloc_bytes, budget, "linear SVM");
    if (st != HOGFEAT_OK)
        return st;
    out->labels = p + 16;
    for (size_t i = 1; i < k; i++) {
        if (rd_i32(out->labels + 4 * i) <= rd_i32(out->labels + 4 * (i - 1)))
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "LSVM section: labels are not strictly ascending at index %zu", i);
    }
    const unsigned char *q = out->labels + 4 * k;
    uint32_t loss = rd_u32(q);
    out->c = rd_f64(q + 4);
    out->tolerance = rd_f64(q + 12);
    out->max_iterations = rd_i32(q + 20);
    out->bias = rd_f64(q + 24);
    uint64_t vectors = rd_u64(q + 32);
    out->weights = q + 40;
    if (loss != HOGFEAT_SVM_LOSS_SQUARED_HINGE && loss != HOGFEAT_SVM_LOSS_HINGE)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSVM section: loss %lu is not a hogfeat_svm_loss",
                             (unsigned long)loss);
    out->loss = (hogfeat_svm_loss)loss;
    if (!isfinite(out->c) || !isfinite(out->tolerance) || !isfinite(out->bias))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "LSVM section: C, tolerance or bias is NaN or infinite");
    /* C, tolerance and max_iterations are provenance only; 0 means "not
     * recorded" (a model assembled without training). */
    if (out->c < 0.0 || out->tolerance < 0.0 || out->max_iterations < 0 || out->bias < 0.0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "LSVM section: C, tolerance, max_iterations and bias must be >= 0");
    if (vectors != (uint64_t)out->num_vectors)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LSVM section: %llu weight vectors; %zu classes need %zu",
                             (unsigned long long)vectors, k, out->num_vectors);
    return check_finite_f32(out->weights, out->num_vectors * (d + 1), "LSVM weight");
}

typedef struct mf_knn {
    int32_t k, threads;
    hogfeat_metric metric;
    hogfeat_knn_weighting weighting;
    size_t num_samples, num_features;
    const unsigned char *labels, *features;
} mf_knn;

static hogfeat_status read_knn(const mf_section *s, const hogfeat_limits *limits, size_t budget, mf_knn *out)
{
    const unsigned char *p = s->data;
    if (s->length < MF_KNN_FIXED_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section is %zu bytes; its fixed fields alone need %u",
                             s->length, MF_KNN_FIXED_BYTES);
    int32_t k = rd_i32(p), threads = rd_i32(p + 12);
    uint32_t metric = rd_u32(p + 4), weighting = rd_u32(p + 8);
    uint64_t n64 = rd_u64(p + 16), d64 = rd_u64(p + 24);
    if (n64 < 1 || d64 < 1)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section: %llu samples of %llu features; both must be >= 1",
                             (unsigned long long)n64, (unsigned long long)d64);
    hogfeat_status st = check_count(n64, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_SAMPLES), "samples",
                                    &out->num_samples);
    if (st == HOGFEAT_OK)
        st = check_count(d64, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_FEATURES), "features", &out->num_features);
    if (st != HOGFEAT_OK)
        return st;
    const size_t n = out->num_samples, d = out->num_features;
    size_t expect = knn_payload_bytes(n, d);
    if (expect == 0)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "KNN section: %zu samples x %zu features overflow", n, d);
    if (s->length != expect)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                             "KNN section is %zu bytes; %zu samples x %zu features need exactly %zu", s->length, n,
                             d, expect);
    /* Features and labels, then what hogfeat__knn_prepare allocates: a
     * sorted label copy, the classes, a class index and a norm per sample
     * (at most 16 bytes per sample). */
    size_t need = expect - MF_KNN_FIXED_BYTES + sizeof(hogfeat_knn), derived;
    if (hogfeat__mul_overflow(n, 16, &derived) || hogfeat__add_overflow(need, derived, &need))
        need = SIZE_MAX;
    st = check_budget(need, budget, "KNN model");
    if (st != HOGFEAT_OK)
        return st;
    if (k < 1 || k > MF_KNN_MAX_K || (uint64_t)k > n64)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section: k = %d must be in [1, min(%d, %zu samples)]",
                             (int)k, MF_KNN_MAX_K, n);
    if (metric < HOGFEAT_METRIC_L2 || metric > HOGFEAT_METRIC_CHI2)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section: metric %lu is not a hogfeat_metric",
                             (unsigned long)metric);
    if (weighting != HOGFEAT_KNN_UNIFORM && weighting != HOGFEAT_KNN_DISTANCE)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section: weighting %lu is not a hogfeat_knn_weighting",
                             (unsigned long)weighting);
    if (threads < 0 || threads > MF_MAX_THREADS)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "KNN section: thread count %d is outside [0, %d]",
                             (int)threads, MF_MAX_THREADS);
    out->k = k;
    out->threads = threads;
    out->metric = (hogfeat_metric)metric;
    out->weighting = (hogfeat_knn_weighting)weighting;
    out->labels = p + MF_KNN_FIXED_BYTES;
    out->features = out->labels + 4 * n;
    return check_finite_f32(out->features, n * d, "KNN feature");
}

/* ---- building models ---------------------------------------------------------------- */

static hogfeat_status build_lsvm(const mf_lsvm *v, hogfeat_linsvm **out)
{
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = hogfeat__linsvm_new_multiclass((int32_t)v->num_classes, v->num_features, v->multiclass, &m);
    if (st == HOGFEAT_OK && v->num_platt > 0) {
        st = hogfeat__linsvm_alloc_platt(m);
        if (st == HOGFEAT_OK)
            for (size_t i = 0; i < 2 * v->num_platt; i++)
                m->platt[i] = rd_f64(v->platt + 8 * i);
    }
    if (st != HOGFEAT_OK) {
        hogfeat__linsvm_unref(m);
        return st;
    }
    for (size_t i = 0; i < v->num_classes; i++)
        m->labels[i] = rd_i32(v->labels + 4 * i);
    const size_t n = v->num_vectors * (v->num_features + 1);
    for (size_t i = 0; i < n; i++)
        m->weights[i] = rd_f32(v->weights + 4 * i);
    m->bias = v->bias;
    m->loss = v->loss;
    m->c = v->c;
    m->tolerance = v->tolerance;
    m->max_iterations = v->max_iterations;
    *out = m;
    return HOGFEAT_OK;
}

static hogfeat_status build_knn(const mf_knn *v, const hogfeat_limits *limits, hogfeat_knn **out)
{
    hogfeat_knn *m = NULL;
    hogfeat_status st = hogfeat__knn_new(v->num_samples, v->num_features, &m);
    if (st != HOGFEAT_OK)
        return st;
    m->k = v->k;
    m->metric = v->metric;
    m->weighting = v->weighting;
    m->threads = v->threads;
    for (size_t i = 0; i < v->num_samples; i++)
        m->labels[i] = rd_i32(v->labels + 4 * i);
    const size_t n = v->num_samples * v->num_features;
    for (size_t i = 0; i < n; i++)
        m->features[i] = rd_f32(v->features + 4 * i);
    st = hogfeat__knn_prepare(m);
    if (st == HOGFEAT_OK && (size_t)m->num_classes > hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_CLASSES))
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the KNN model has %d classes; the limit is %zu",
                           (int)m->num_classes, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_CLASSES));
    if (st != HOGFEAT_OK) {
        hogfeat__knn_unref(m);
        return st;
    }
    *out = m;
    return HOGFEAT_OK;
}

/* ---- public load -------------------------------------------------------------------- */

typedef enum mf_want { WANT_LSVM, WANT_KNN, WANT_PIPELINE } mf_want;

typedef struct mf_result {
    hogfeat_linsvm *svm;
    hogfeat_knn *knn;
    hogfeat_pipeline *pipeline;
} mf_result;

/* used: bytes the caller already allocated for this read (the file image). */
static hogfeat_status load_model(const unsigned char *data, size_t size, const hogfeat_limits *limits,
                                 size_t used, mf_want want, mf_result *res)
{
    mf_file file;
    hogfeat_status st = parse_container(data, size, &file);
    if (st != HOGFEAT_OK)
        return st;
    if (want == WANT_LSVM && !file.lsvm.data)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND, "the file holds a KNN model, not a linear SVM");
    if (want == WANT_KNN && !file.knn.data)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND, "the file holds a linear SVM, not a KNN model");
    if (want == WANT_PIPELINE && !file.feat.data)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND,
                             "the file holds a bare %s without a feature extractor (FEAT section), not a pipeline",
                             file.lsvm.data ? "linear SVM" : "KNN model");

    size_t max_total = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES);
    size_t budget = used < max_total ? max_total - used : 0;
    mf_feat feat;
    memset(&feat, 0, sizeof feat);
    if (file.feat.data) {
        /* Checked even when only the classifier is wanted: a file is valid for all readers or none. */
        st = read_feat(&file.feat, limits, &feat);
        if (st == HOGFEAT_OK && file.hogx.data)
            st = read_hogx(&file.hogx, &feat.hog);
        size_t need = sizeof(hogfeat_pipeline), part = 0;
        if (st == HOGFEAT_OK && file.desc.data) {
            st = hogfeat__desc_check(file.desc.data, file.desc.length, &part);
            need += part;
        }
        if (st == HOGFEAT_OK && file.fmap.data) {
            st = hogfeat__fmap_check(file.fmap.data, file.fmap.length, limits, &part);
            need += part + (file.desc.data ? 0 : sizeof(hogfeat__pipeline_ext));
        }
        if (st != HOGFEAT_OK)
            return st;
        if (want == WANT_PIPELINE) {
            st = check_budget(need, budget, "pipeline");
            if (st != HOGFEAT_OK)
                return st;
            budget -= need;
        }
    }
    mf_lsvm lv;
    mf_knn kv;
    memset(&lv, 0, sizeof lv);
    memset(&kv, 0, sizeof kv);
    lv.multiclass = HOGFEAT_SVM_OVR;
    if (file.lsmc.data)
        st = read_lsmc(&file.lsmc, &lv);
    if (st == HOGFEAT_OK && file.lsvm.data)
        st = read_lsvm(&file.lsvm, limits, budget, &lv);
    else if (st == HOGFEAT_OK)
        st = read_knn(&file.knn, limits, budget, &kv);
    if (st == HOGFEAT_OK && file.lspr.data)
        st = read_lspr(&file.lspr, budget, &lv);
    if (st != HOGFEAT_OK)
        return st;
    if (file.fmap.data) {
        /* An RBF map fixes the feature length; the classifier must take it. */
        const size_t fixed = hogfeat__fmap_fixed_output(file.fmap.data, file.fmap.length);
        const size_t dim = file.lsvm.data ? lv.num_features : kv.num_features;
        if (fixed != 0 && fixed != dim)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "the RBF feature map gives %zu values; the classifier takes %zu", fixed, dim);
    }

    hogfeat_linsvm *svm = NULL;
    hogfeat_knn *knn = NULL;
    st = file.lsvm.data ? build_lsvm(&lv, &svm) : build_knn(&kv, limits, &knn);
    if (st != HOGFEAT_OK)
        return st;
    if (want != WANT_PIPELINE) {
        res->svm = svm;
        res->knn = knn;
        return HOGFEAT_OK;
    }
    hogfeat_pipeline *pipe = NULL;
    st = hogfeat_pipeline_create(&feat.hog, &pipe);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_blur(pipe, feat.sigma);
    if (st == HOGFEAT_OK)
        st = hogfeat_pipeline_set_resize(pipe, feat.resize_w, feat.resize_h);
    if (st == HOGFEAT_OK && file.desc.data)
        st = hogfeat__desc_apply(pipe, file.desc.data, file.desc.length);
    if (st == HOGFEAT_OK && file.fmap.data)
        st = hogfeat__fmap_apply(pipe, file.fmap.data, file.fmap.length);
    if (st != HOGFEAT_OK) {
        hogfeat_pipeline_destroy(pipe);
        hogfeat__linsvm_unref(svm);
        hogfeat__knn_unref(knn);
        return st;
    }
    /* The pipeline takes over the only reference. */
    pipe->svm = svm;
    pipe->knn = knn;
    res->pipeline = pipe;
    return HOGFEAT_OK;
}

/* Common argument checks and out-handle reset of the six loaders. */
#define LOAD_PROLOGUE(fn, out, in, in_name)                                                       \
    do {                                                                                          \
        if (!(out))                                                                               \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": output pointer is NULL");        \
        *(out) = NULL;                                                                            \
        if (!(in))                                                                                \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": " in_name " is NULL");           \
    } while (0)

hogfeat_status hogfeat_linsvm_load(const void *data, size_t size, const hogfeat_limits *limits,
                                   hogfeat_linsvm **out_model)
{
    LOAD_PROLOGUE("hogfeat_linsvm_load", out_model, data, "data");
    mf_result res = {0};
    hogfeat_status st = load_model(data, size, limits, 0, WANT_LSVM, &res);
    if (st == HOGFEAT_OK)
        *out_model = res.svm;
    return st;
}

hogfeat_status hogfeat_knn_load(const void *data, size_t size, const hogfeat_limits *limits, hogfeat_knn **out_model)
{
    LOAD_PROLOGUE("hogfeat_knn_load", out_model, data, "data");
    mf_result res = {0};
    hogfeat_status st = load_model(data, size, limits, 0, WANT_KNN, &res);
    if (st == HOGFEAT_OK)
        *out_model = res.knn;
    return st;
}

hogfeat_status hogfeat_pipeline_load(const void *data, size_t size, const hogfeat_limits *limits,
                                     hogfeat_pipeline **out_pipeline)
{
    LOAD_PROLOGUE("hogfeat_pipeline_load", out_pipeline, data, "data");
    mf_result res = {0};
    hogfeat_status st = load_model(data, size, limits, 0, WANT_PIPELINE, &res);
    if (st == HOGFEAT_OK)
        *out_pipeline = res.pipeline;
    return st;
}

/* The file's bytes count against MAX_TOTAL_BYTES together with the model. */
static hogfeat_status load_path(const char *path, const hogfeat_limits *limits, mf_want want, mf_result *res)
{
    unsigned char *data = NULL;
    size_t size = 0;
    hogfeat_status st = hogfeat__read_file(path, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES), &data, &size);
    if (st != HOGFEAT_OK)
        return st;
    st = load_model(data, size, limits, size, want, res);
    hogfeat__free(data);
    if (st != HOGFEAT_OK) {
        /* Say which file: the message of load_model names no path. */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", hogfeat_last_error_message());
        return hogfeat__fail(st, "%s: %s", path, msg);
    }
    return st;
}

hogfeat_status hogfeat_linsvm_load_file(const char *path, const hogfeat_limits *limits, hogfeat_linsvm **out_model)
{
    LOAD_PROLOGUE("hogfeat_linsvm_load_file", out_model, path, "path");
    mf_result res = {0};
    hogfeat_status st = load_path(path, limits, WANT_LSVM, &res);
    if (st == HOGFEAT_OK)
        *out_model = res.svm;
    return st;
}

hogfeat_status hogfeat_knn_load_file(const char *path, const hogfeat_limits *limits, hogfeat_knn **out_model)
{
    LOAD_PROLOGUE("hogfeat_knn_load_file", out_model, path, "path");
    mf_result res = {0};
    hogfeat_status st = load_path(path, limits, WANT_KNN, &res);
    if (st == HOGFEAT_OK)
        *out_model = res.knn;
    return st;
}

hogfeat_status hogfeat_pipeline_load_file(const char *path, const hogfeat_limits *limits,
                                          hogfeat_pipeline **out_pipeline)
{
    LOAD_PROLOGUE("hogfeat_pipeline_load_file", out_pipeline, path, "path");
    mf_result res = {0};
    hogfeat_status st = load_path(path, limits, WANT_PIPELINE, &res);
    if (st == HOGFEAT_OK)
        *out_pipeline = res.pipeline;
    return st;
}
