/* The OpenCV preset of HOG: cv::HOGDescriptor::compute (OpenCV 4.6,
 * modules/objdetect/src/hog.cpp) on the whole image with no padding,
 * keeping the top-left window. winSize is the largest window OpenCV accepts
 * inside the image, blockSize + k * blockStride on each axis; its block
 * grid is exactly hogfeat_hog_block_grid()'s, so the length is
 * hogfeat_hog_feature_length()'s.
 *
 * The steps follow OpenCV's float arithmetic operation by operation, so that
 * the result matches to rounding noise:
 *   computeGradient: samples through a 256-entry LUT (identity, or sqrtf for
 *     gammaCorrection); centred differences on the whole image with
 *     BORDER_REFLECT_101 (so pixels right of or below the window still feed
 *     its edge gradients); for 3 channels the largest squared magnitude wins,
 *     ties resolved as OpenCV's vector and scalar loops do; cartToPolar
 *     (magnitude, hal::fastAtan32f); bilinear orientation split
 *     angle * nbins / pi - 0.5 with wrap-around.
 *   HOGCache::init: the Gaussian block window and the trilinear spatial
 *     weights; HOGCache::getBlock: the votes, in the same pixel order;
 *   normalizeBlockHistogram: L2-Hys with OpenCV's constants and summation
 *     order (four partial sums, as its 128-bit SIMD path).
 * Defined here, where OpenCV has no answer:
 *   - float images run the same algorithm on their float values (a float
 *     image holding uint8 values gives the uint8 result bit for bit); a NaN
 *     or infinity that reaches a window gradient, or a block whose float sum
 *     of squares overflows, gives HOGFEAT_ERR_NONFINITE;
 *   - more than 256 bins: OpenCV stores bin indices in uint8 and wraps them;
 *     here they do not wrap;
 *   - only L2-Hys (histogramNormType has no other value in OpenCV). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "private.h"

#define OCV_PI 3.1415926535897932384626433832795

/* hal::fastAtan32f: OpenCV's polynomial atan2 in degrees, [0, 360). Its error
 * reaches 0.0095 degrees (1.7e-4 rad), which moves descriptor values by up to
 * 8e-4, so it is replicated rather than replaced by atan2. Coefficients are
 * OpenCV's, each scaled by (float)(180 / CV_PI) in float arithmetic. */
static const float ocv_atan_p1 = 0.9997878412794807f * (float)(180 / OCV_PI);
static const float ocv_atan_p3 = -0.3258083974640975f * (float)(180 / OCV_PI);
static const float ocv_atan_p5 = 0.1555786518463281f * (float)(180 / OCV_PI);
static const float ocv_atan_p7 = -0.04432655554792128f * (float)(180 / OCV_PI);

static inline float ocv_fast_atan_deg(float y, float x)
{
    float ax = fabsf(x), ay = fabsf(y), a, c, c2;
    if (ax >= ay) {
        c = ay / (ax + (float)DBL_EPSILON);
        c2 = c * c;
        a = (((ocv_atan_p7 * c2 + ocv_atan_p5) * c2 + ocv_atan_p3) * c2 + ocv_atan_p1) * c;
    } else {
        c = ax / (ay + (float)DBL_EPSILON);
        c2 = c * c;
        a = 90.f - (((ocv_atan_p7 * c2 + ocv_atan_p5) * c2 + ocv_atan_p3) * c2 + ocv_atan_p1) * c;
    }
    if (x < 0)
        a = 180.f - a;
    if (y < 0)
        a = 360.f - a;
    return a;
}

/* cvFloor for finite floats within int range. */
static inline int ocv_floor(float v)
{
    int i = (int)v;
    return i - (v < (float)i);
}

/* Cell interpolation along one axis for block pixel coordinate j
 * (HOGCache::init): one or two cells with their weights. Offsets are in
 * floats of the block histogram. */
typedef struct ocv_axis {
    int32_t n;      /* 1 or 2 */
    int32_t off[2]; /* histogram offset of the cell(s) */
    float w[2];     /* (1 - frac) and/or frac, as OpenCV computes them */
} ocv_axis;

static void ocv_axis_init(ocv_axis *ax, int32_t block_px, int32_t cell_px, int32_t ncells, size_t off_per_cell)
{
    for (int32_t j = 0; j < block_px; j++) {
        float cell = ((float)j + 0.5f) / (float)cell_px - 0.5f;
        int32_t c0 = ocv_floor(cell), c1 = c0 + 1;
        float frac = cell - (float)c0;
        ocv_axis *a = &ax[j];
        int in0 = c0 >= 0 && c0 < ncells, in1 = c1 >= 0 && c1 < ncells;
        if (in0 && in1) {
            a->n = 2;
            a->off[0] = (int32_t)((size_t)c0 * off_per_cell);
            a->w[0] = 1.f - frac;
            a->off[1] = (int32_t)((size_t)c1 * off_per_cell);
            a->w[1] = frac;
        } else {
            /* OpenCV folds the missing neighbour: cell = 1 - cell when the
             * first cell is the one inside. */
            a->n = 1;
            a->off[0] = (int32_t)((size_t)(in0 ? c0 : c1) * off_per_cell);
            a->w[0] = in0 ? 1.f - frac : frac;
            a->off[1] = 0;
            a->w[1] = 0.f;
        }
    }
}

/* One pixel of the block with its precomputed votes (HOGCache's PixData):
 * the gradient offset from the block origin, and up to four cells with
 * weight gradWeight * histWeight, the product OpenCV forms per vote. */
typedef struct ocv_pix {
    uint32_t grad_ofs;
    int32_t hist_ofs[4];
    float w[4];
} ocv_pix;

typedef struct ocv_ctx {
    size_t stride_px_x, stride_px_y;  /* pixels */
    size_t win_w;                     /* pixels: row length of the gradient arrays */
    size_t block_len;                 /* floats per block */
    const float *grad;                /* window: 2 weighted magnitudes per pixel */
    const uint16_t *qangle;           /* window: 2 bins per pixel */
    const ocv_pix *pix;               /* block pixels, OpenCV's order */
    size_t count1, count2, count4;    /* ends of the 1-, 2- and 4-cell groups in pix */
    float thresh;                     /* (float) L2HysThreshold */
} ocv_ctx;

/* Builds the block pixel table in HOGCache::init's order: pixels voting
 * into one cell, then two, then four; each group column by column. */
static void ocv_pix_init(ocv_ctx *c, ocv_pix *pix, float sigma, const ocv_axis *ax, const ocv_axis *ay,
                         int32_t block_px_w, int32_t block_px_h)
{
    /* Gaussian window exp(-(di^2 + dj^2) / (2 sigma^2)) about the block
     * centre (w / 2, h / 2), in OpenCV's float steps. */
    const float scale = 1.f / (sigma * sigma * 2);
    const float bh = (float)block_px_h * 0.5f, bw = (float)block_px_w * 0.5f;
    size_t k = 0;
    for (int32_t cls = 1; cls <= 4; cls *= 2) {
        for (int32_t j = 0; j < block_px_w; j++) {
            const ocv_axis *xa = &ax[j];
            for (int32_t i = 0; i < block_px_h; i++) {
                const ocv_axis *ya = &ay[i];
                if (xa->n * ya->n != cls)
                    continue;
                ocv_pix *p = &pix[k++];
                float di = (float)i - bh, dj = (float)j - bw;
                di *= di;
                dj *= dj;
                const float gw = expf(-(di + dj) * scale);
                p->grad_ofs = (uint32_t)((size_t)i * c->win_w + (size_t)j);
                /* OpenCV's histWeights are x weight * y weight, cells in the
                 * order x0y0, x1y0, x0y1, x1y1. */
                int v = 0;
                for (int32_t ky = 0; ky < ya->n; ky++) {
                    for (int32_t kx = 0; kx < xa->n; kx++, v++) {
                        p->hist_ofs[v] = xa->off[kx] + ya->off[ky];
                        p->w[v] = gw * (xa->w[kx] * ya->w[ky]);
                    }
                }
                for (; v < 4; v++) {
                    p->hist_ofs[v] = 0;
                    p->w[v] = 0.0f;
                }
            }
        }
        if (cls == 1)
            c->count1 = k;
        else if (cls == 2)
            c->count2 = k;
        else
            c->count4 = k;
    }
}

/* Votes of the pixels [begin, end) of the table, each into ncell cells
 * (HOGCache::getBlock). Both sums are read before either store: with one
 * bin h0 == h1 and the second store wins, as in OpenCV. */
static inline void ocv_vote(const ocv_ctx *c, const float *grad, const uint16_t *qangle, size_t begin, size_t end,
                            int ncell, float *hist)
{
    for (size_t k = begin; k < end; k++) {
        const ocv_pix *p = &c->pix[k];
        const float a0 = grad[2 * (size_t)p->grad_ofs], a1 = grad[2 * (size_t)p->grad_ofs + 1];
        const int h0 = qangle[2 * (size_t)p->grad_ofs], h1 = qangle[2 * (size_t)p->grad_ofs + 1];
        for (int v = 0; v < ncell; v++) {
            float *h = hist + p->hist_ofs[v];
            float t0 = h[h0] + a0 * p->w[v];
            float t1 = h[h1] + a1 * p->w[v];
            h[h0] = t0;
            h[h1] = t1;
        }
    }
}

/* Sum of squares in the order of OpenCV's 128-bit SIMD loop: four lane sums
 * over the first multiple of 4 values, folded (0+1)+(2+3), then the tail. */
static float ocv_sumsq(const float *h, size_t n)
{
    size_t i = 0;
    float sum = 0.0f;
    if (n >= 4) {
        float s0 = h[0] * h[0], s1 = h[1] * h[1], s2 = h[2] * h[2], s3 = h[3] * h[3];
        for (i = 4; i + 4 <= n; i += 4) {
            s0 += h[i] * h[i];
            s1 += h[i + 1] * h[i + 1];
            s2 += h[i + 2] * h[i + 2];
            s3 += h[i + 3] * h[i + 3];
        }
        float t0 = s0 + s1, t1 = s2 + s3;
        sum = t0 + t1;
    }
    for (; i < n; i++)
        sum += h[i] * h[i];
    return sum;
}

/* One block's histogram, normalised as normalizeBlockHistogram does, in
 * OpenCV's in-block order (cell column by column, then bins). Returns the
 * first sum of squares (not finite when float input overflowed). */
static float ocv_block(const ocv_ctx *c, size_t bx, size_t by, float *hist)
{
    const size_t n = c->block_len;
    memset(hist, 0, n * sizeof *hist);
    const size_t origin = by * c->stride_px_y * c->win_w + bx * c->stride_px_x;
    const float *grad = c->grad + 2 * origin;
    const uint16_t *qangle = c->qangle + 2 * origin;
    ocv_vote(c, grad, qangle, 0, c->count1, 1, hist);
    ocv_vote(c, grad, qangle, c->count1, c->count2, 2, hist);
    ocv_vote(c, grad, qangle, c->count2, c->count4, 4, hist);

    const float sum1 = ocv_sumsq(hist, n);
    float scale = 1.f / (sqrtf(sum1) + (float)n * 0.1f);
    for (size_t i = 0; i < n; i++) {
        float v = hist[i] * scale;
        hist[i] = v < c->thresh ? v : c->thresh;
    }
    scale = 1.f / (sqrtf(ocv_sumsq(hist, n)) + 1e-3f);
    for (size_t i = 0; i < n; i++)
        hist[i] *= scale;
    return sum1;
}

/* Converts columns [0, ncols) of source row y to float samples through the
 * LUT (uint8) or the optional square root (float). */
static void ocv_convert_row(const hogfeat_image *image, const float *lut, int gamma, size_t y, size_t ncols,
                            float *dst)
{
    const size_t n = ncols * (size_t)image->channels;
    const unsigned char *src = image->pixels + y * image->stride_bytes;
    if (image->sample_bytes == 1) {
        for (size_t i = 0; i < n; i++)
            dst[i] = lut[src[i]];
    } else {
        const float *s = (const float *)(const void *)src;
        if (gamma)
            for (size_t i = 0; i < n; i++)
                dst[i] = sqrtf(s[i]);
        else
            memcpy(dst, s, n * sizeof *dst);
    }
}

/* BORDER_REFLECT_101 for the neighbours -1 and len of [0, len). */
static inline size_t ocv_reflect_low(size_t len)
{
    return len > 1 ? 1 : 0;
}
static inline size_t ocv_reflect_high(size_t len)
{
    return len > 1 ? len - 2 : 0;
}

hogfeat_status hogfeat__hog_compute_opencv(const hogfeat_hog_config *config, const hogfeat_image *image,
                                           float *out_features, hogfeat__workspace *ws)
{
    if (!config || !image || !out_features || !ws)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_hog_compute (OpenCV preset): NULL argument");
    if (hogfeat__hog_norm_unsupported(config))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "the OpenCV preset normalises blocks with L2-Hys only; block norm %d was set",
                             (int)config->norm);
    if (config->layout != HOGFEAT_HOG_LAYOUT_OPENCV && config->layout != HOGFEAT_HOG_LAYOUT_SKIMAGE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "layout %d is not a hogfeat_hog_layout",
                             (int)config->layout);
    if (image->channels != 1 && image->channels != 3)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "the OpenCV preset takes 1 or 3 channels, not %d",
                             image->channels);
    size_t blocks_x = 0, blocks_y = 0;
    hogfeat_status st = hogfeat_hog_block_grid(config, image->width, image->height, &blocks_x, &blocks_y);
    if (st != HOGFEAT_OK)
        return st;

    const int32_t nbins = config->orientations;
    const int channels = image->channels;
    const int is_f32 = image->sample_bytes == 4;
    const int gamma = config->transform_sqrt;
    const size_t width = image->width, height = image->height;

    ocv_ctx c;
    const int32_t block_px_w = config->block_w * config->cell_w; /* <= 64 * 4096 */
    const int32_t block_px_h = config->block_h * config->cell_h;
    c.stride_px_x = (size_t)config->stride_x * (size_t)config->cell_w;
    c.stride_px_y = (size_t)config->stride_y * (size_t)config->cell_h;
    c.block_len = (size_t)config->block_w * (size_t)config->block_h * (size_t)nbins;
    c.thresh = (float)0.2;
    /* winSize: the largest window with (winSize - blockSize) a multiple of
     * blockStride, which is what the block grid already describes. */
    const size_t win_w = (size_t)block_px_w + (blocks_x - 1) * c.stride_px_x;
    const size_t win_h = (size_t)block_px_h + (blocks_y - 1) * c.stride_px_y;
    c.win_w = win_w;
    if (win_w > width || win_h > height)
        return hogfeat__fail(HOGFEAT_ERR_IMAGE_TOO_SMALL, "the %zux%zu window does not fit the %zux%zu image", win_w,
                             win_h, width, height); /* unreachable: the grid fits */

    /* Workspace (ws->hog only: a pipeline's preprocessed image may live in
     * ws->pre1 or ws->pre2): the block pixel table, gradients and bins of
     * the window, three converted rows, one block, the two axis tables. All
     * counts are bounded by the 2^28-pixel limit; the products are checked
     * anyway for 32-bit size_t. */
    const size_t ncols = win_w + 1 < width ? win_w + 1 : width;
    const size_t row_floats = ncols * (size_t)channels;
    const size_t block_px = (size_t)block_px_w * (size_t)block_px_h;
    size_t win_px = 0, pix_bytes = 0, grad_bytes = 0, qangle_bytes = 0, total = 0;
    if (hogfeat__mul_overflow(win_w, win_h, &win_px) || hogfeat__mul_overflow(block_px, sizeof(ocv_pix), &pix_bytes) ||
        hogfeat__mul_overflow(win_px, 2 * sizeof(float), &grad_bytes) ||
        hogfeat__mul_overflow(win_px, 2 * sizeof(uint16_t), &qangle_bytes) ||
        hogfeat__add_overflow(pix_bytes, grad_bytes, &total) || hogfeat__add_overflow(total, qangle_bytes, &total) ||
        hogfeat__add_overflow(total, ((size_t)block_px_w + (size_t)block_px_h) * sizeof(ocv_axis), &total) ||
        hogfeat__add_overflow(total, (3 * row_floats + c.block_len) * sizeof(float) + 64, &total))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "the workspace for a %zux%zu window overflows size_t", win_w,
                             win_h);
    st = hogfeat__buffer_reserve(&ws->hog, total);
    if (st != HOGFEAT_OK)
        return st;
    /* 4-byte items first, the 2-byte bins last. */
    ocv_pix *pix = (ocv_pix *)(void *)ws->hog.data;
    float *grad = (float *)(void *)(pix + block_px);
    float *rows = grad + 2 * win_px;
    float *block = rows + 3 * row_floats;
    ocv_axis *axx = (ocv_axis *)(void *)(block + c.block_len);
    ocv_axis *axy = axx + block_px_w;
    uint16_t *qangle = (uint16_t *)(void *)(axy + block_px_h);

    /* HOGCache::init: cell weights, Gaussian window, the pixel table. */
    ocv_axis_init(axx, block_px_w, config->cell_w, config->block_w, (size_t)config->block_h * (size_t)nbins);
    ocv_axis_init(axy, block_px_h, config->cell_h, config->block_h, (size_t)nbins);
    const double sigma = config->window_sigma > 0.0 ? config->window_sigma : (block_px_w + block_px_h) / 8.0;
    ocv_pix_init(&c, pix, (float)sigma, axx, axy, block_px_w, block_px_h);

    /* HOGDescriptor::computeGradient over the window's pixels. */
    float lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = gamma ? sqrtf((float)i) : (float)i;
    const float angle_scale = config->signed_orientations ? (float)(nbins / (2.0 * OCV_PI)) : (float)(nbins / OCV_PI);
    const float deg2rad = (float)(OCV_PI / 180);
    /* OpenCV's 3-channel loop runs 4 pixels at a time up to the last whole
     * group of 4 of the image row, then one at a time; the two resolve equal
     * squared magnitudes differently (lowest channel first, resp. highest). */
    const size_t simd_end = width & ~(size_t)3;
    float max_mag = 0.0f;
    size_t ring_row[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    for (size_t y = 0; y < win_h; y++) {
        size_t yp = y > 0 ? y - 1 : ocv_reflect_low(height);
        size_t yn = y + 1 < height ? y + 1 : ocv_reflect_high(height);
        size_t need[3] = {yp, y, yn};
        for (int k = 0; k < 3; k++) {
            size_t r = need[k];
            if (ring_row[r % 3] != r) {
                ocv_convert_row(image, lut, gamma, r, ncols, rows + (r % 3) * row_floats);
                ring_row[r % 3] = r;
            }
        }
        const float *prev = rows + (yp % 3) * row_floats;
        const float *cur = rows + (y % 3) * row_floats;
        const float *next = rows + (yn % 3) * row_floats;
        float *g = grad + 2 * y * win_w;
        uint16_t *q = qangle + 2 * y * win_w;
        for (size_t x = 0; x < win_w; x++) {
            size_t xl = x > 0 ? x - 1 : ocv_reflect_low(width);
            size_t xr = x + 1 < width ? x + 1 : ocv_reflect_high(width);
            float dx, dy;
            if (channels == 1) {
                dx = cur[xr] - cur[xl];
                dy = next[x] - prev[x];
                if (is_f32 && !(dx * dx + dy * dy <= FLT_MAX))
                    goto nonfinite;
            } else {
                const size_t l = 3 * xl, r = 3 * xr, m = 3 * x;
                float dx0 = cur[r] - cur[l], dy0 = next[m] - prev[m];
                float dx1 = cur[r + 1] - cur[l + 1], dy1 = next[m + 1] - prev[m + 1];
                float dx2 = cur[r + 2] - cur[l + 2], dy2 = next[m + 2] - prev[m + 2];
                float m0 = dx0 * dx0 + dy0 * dy0;
                float m1 = dx1 * dx1 + dy1 * dy1;
                float m2 = dx2 * dx2 + dy2 * dy2;
                if (is_f32 && !(m0 <= FLT_MAX && m1 <= FLT_MAX && m2 <= FLT_MAX))
                    goto nonfinite;
                if (x < simd_end) {
                    float m12 = m2 > m1 ? m2 : m1;
                    if (m12 > m0) {
                        dx = m2 > m1 ? dx2 : dx1;
                        dy = m2 > m1 ? dy2 : dy1;
                    } else {
                        dx = dx0;
                        dy = dy0;
                    }
                } else {
                    float best = m2;
                    dx = dx2;
                    dy = dy2;
                    if (best < m1) {
                        dx = dx1;
                        dy = dy1;
                        best = m1;
                    }
                    if (best < m0) {
                        dx = dx0;
                        dy = dy0;
                    }
                }
            }
            /* cartToPolar(angleInDegrees = false): magnitude32f, fastAtan32f. */
            float mag = sqrtf(dx * dx + dy * dy);
            float angle = ocv_fast_atan_deg(dy, dx) * deg2rad * angle_scale - 0.5f;
            int hidx = ocv_floor(angle);
            angle -= (float)hidx;
            g[2 * x] = mag * (1.f - angle);
            g[2 * x + 1] = mag * angle;
            if (hidx < 0)
                hidx += nbins;
            else if (hidx >= nbins)
                hidx -= nbins;
            q[2 * x] = (uint16_t)hidx;
            hidx++;
            q[2 * x + 1] = (uint16_t)(hidx < nbins ? hidx : 0);
            if (mag > max_mag)
                max_mag = mag;
        }
    }

    c.grad = grad;
    c.qangle = qangle;
    c.pix = pix;

    /* Float input: a histogram entry is at most block_px * max_mag, so the
     * sums of squares can only overflow beyond this bound; then a dry run
     * finds the block before anything is written. */
    if (is_f32) {
        double bound = (double)block_px * (double)max_mag * 1.01;
        if (!((double)c.block_len * bound * bound < 0.25 * FLT_MAX)) {
            for (size_t bx = 0; bx < blocks_x; bx++)
                for (size_t by = 0; by < blocks_y; by++)
                    if (!(ocv_block(&c, bx, by, block) <= FLT_MAX))
                        return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                                             "block (row %zu, column %zu): the gradients are too large for "
                                             "float sums of squares",
                                             by, bx);
        }
    }

    const hogfeat_hog_layout layout = config->layout;
    const size_t nb = (size_t)nbins;
    for (size_t bx = 0; bx < blocks_x; bx++) {
        for (size_t by = 0; by < blocks_y; by++) {
            (void)ocv_block(&c, bx, by, block);
            for (int32_t cx = 0; cx < config->block_w; cx++)
                for (int32_t cy = 0; cy < config->block_h; cy++)
                    memcpy(out_features + hogfeat__hog_index(layout, blocks_x, blocks_y, config->block_w,
                                                             config->block_h, nbins, by, bx, (size_t)cy,
                                                             (size_t)cx, 0),
                           block + ((size_t)cx * (size_t)config->block_h + (size_t)cy) * nb, nb * sizeof(float));
        }
    }
    return HOGFEAT_OK;

nonfinite:
    return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                         "a NaN or infinite gradient (a non-finite sample, a negative sample under the square "
                         "root, or an overflowing difference) reaches the %zux%zu window",
                         win_w, win_h);
}
