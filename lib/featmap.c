/* Extra pipeline descriptors and explicit feature maps: the maps'
 * arithmetic, the RBF map's draws and the DESC / FMAP model sections.
 *
 * The additive maps follow Vedaldi and Zisserman, "Efficient additive
 * kernels via explicit feature maps" (CVPR 2010; PAMI 34(3), 2012): for a
 * gamma = 1 homogeneous kernel k(x, y) = sqrt(xy) K(log y - log x) with
 * spectrum kappa, sampling the spectrum every L gives
 *   psi_0(x) = sqrt(x L kappa(0)),
 *   psi_2j-1(x) = sqrt(2 x L kappa(jL)) cos(j L log x),
 *   psi_2j(x)   = sqrt(2 x L kappa(jL)) sin(j L log x).
 * chi2: kappa(w) = sech(pi w) (scikit-learn's AdditiveChi2Sampler computes
 * exactly this, in this order of operations); intersection:
 * kappa(w) = 2 / (pi (1 + 4 w^2)). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "featmap.h"
#include "le.h"

#ifndef M_PI
#  define M_PI 3.14159265358979323846
#endif

/* ---- the pipeline extension ---------------------------------------------- */

hogfeat_status hogfeat__pipeline_ext_get(hogfeat_pipeline *pipeline, hogfeat__pipeline_ext **out)
{
    if (!pipeline->ext) {
        hogfeat__pipeline_ext *ext = hogfeat__calloc(1, sizeof *ext);
        if (!ext)
            return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate the pipeline's descriptor list");
        ext->map.kind = HOGFEAT_FEATURE_MAP_NONE;
        pipeline->ext = ext;
    }
    *out = pipeline->ext;
    return HOGFEAT_OK;
}

void hogfeat__map_clear(hogfeat__map *map)
{
    hogfeat__free(map->weights);
    hogfeat__free(map->offsets);
    memset(map, 0, sizeof *map);
    map->kind = HOGFEAT_FEATURE_MAP_NONE;
}

void hogfeat__map_set_rbf(hogfeat__map *map, int32_t num_components, double gamma, int32_t seed, size_t n,
                          float *weights, float *offsets)
{
    hogfeat__map_clear(map);
    map->kind = HOGFEAT_FEATURE_MAP_RBF;
    map->param = num_components;
    map->param2 = gamma;
    map->seed = seed;
    map->input_length = n;
    map->weights = weights;
    map->offsets = offsets;
}

void hogfeat__pipeline_ext_free(hogfeat__pipeline_ext *ext)
{
    if (!ext)
        return;
    for (size_t i = 0; i < ext->num_extra; i++)
        hogfeat_lbp_config_destroy(ext->extra[i].lbp);
    hogfeat__map_clear(&ext->map);
    hogfeat__free(ext);
}

/* ---- map parameters --------------------------------------------------------- */

/* VLFeat's default period for the intersection kernel with a uniform window
 * (vl_homogeneouskernelmap_new), for order s - 1. */
static double intersection_default_interval(int32_t steps)
{
    double period = 2.38 * log((double)(steps - 1) + 0.8) + 5.6;
    if (period < 1.0)
        period = 1.0;
    return 2.0 * M_PI / period;
}

hogfeat_status hogfeat__map_check(hogfeat_feature_map kind, int32_t steps, double interval, double *out_interval)
{
    switch (kind) {
    case HOGFEAT_FEATURE_MAP_NONE:
    case HOGFEAT_FEATURE_MAP_HELLINGER:
        if (steps != 0 || interval != 0.0)
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                                 "the %s map takes no parameters; steps and interval must be 0",
                                 kind == HOGFEAT_FEATURE_MAP_NONE ? "identity" : "Hellinger");
        *out_interval = 0.0;
        return HOGFEAT_OK;
    case HOGFEAT_FEATURE_MAP_CHI2:
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        if (steps < 1 || steps > HOGFEAT_FEATURE_MAP_MAX_STEPS)
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "feature map steps %d is outside [1, %d]", (int)steps,
                                 HOGFEAT_FEATURE_MAP_MAX_STEPS);
        /* The bound keeps sqrt(x L) and the other values finite for any
         * descriptor value a float can hold. */
        if (!(interval >= 0.0 && interval <= HOGFEAT_FEATURE_MAP_MAX_INTERVAL))
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                                 "feature map interval %g is outside (0, %g] (0 asks for the default)", interval,
                                 HOGFEAT_FEATURE_MAP_MAX_INTERVAL);
        if (interval > 0.0) {
            *out_interval = interval;
            return HOGFEAT_OK;
        }
        if (kind == HOGFEAT_FEATURE_MAP_INTERSECTION) {
            *out_interval = intersection_default_interval(steps);
            return HOGFEAT_OK;
        }
        /* scikit-learn's defaults (Vedaldi and Zisserman, figure 2c). */
        if (steps > 3)
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                                 "the chi-squared map with %d steps needs an explicit interval (defaults exist "
                                 "for 1 to 3 steps)", (int)steps);
        *out_interval = steps == 1 ? 0.8 : steps == 2 ? 0.5 : 0.4;
        return HOGFEAT_OK;
    case HOGFEAT_FEATURE_MAP_RBF:
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "the RBF map is drawn for one input size: use hogfeat_pipeline_set_rbf_map");
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "feature map %d is not a hogfeat_feature_map", (int)kind);
}

hogfeat_status hogfeat__map_output_length(const hogfeat__map *map, size_t n, size_t *out_length)
{
    size_t len = n;
    switch (map->kind) {
    case HOGFEAT_FEATURE_MAP_CHI2:
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        if (hogfeat__mul_overflow(n, (size_t)(2 * map->param - 1), &len))
            return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu features x %d map values overflow size_t", n,
                                 (int)(2 * map->param - 1));
        break;
    case HOGFEAT_FEATURE_MAP_RBF:
        if (n != map->input_length)
            return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH,
                                 "the descriptors have %zu values; the RBF map was drawn for %zu", n,
                                 map->input_length);
        len = (size_t)map->param;
        break;
    default:
        break;
    }
    *out_length = len;
    return HOGFEAT_OK;
}

/* ---- applying a map ----------------------------------------------------------- */

static void map_hellinger(const float *in, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        out[i] = x < 0.0f ? -sqrtf(-x) : sqrtf(x);
    }
}

/* scikit-learn's _transform_dense, value by value: block k of n outputs
 * holds component k of every input. */
static void map_chi2(const float *in, size_t n, int32_t steps, double interval, float *out)
{
    double cosh_j[HOGFEAT_FEATURE_MAP_MAX_STEPS];
    for (int32_t j = 1; j < steps; j++)
        cosh_j[j] = cosh(M_PI * (double)j * interval);
    const size_t blocks = (size_t)(2 * steps - 1);
    for (size_t i = 0; i < n; i++) {
        const double x = in[i];
        if (!(x > 0.0)) {
            /* scikit-learn leaves zeros at zero (and refuses negative input,
             * which HOG and LBP never produce). */
            for (size_t k = 0; k < blocks; k++)
                out[k * n + i] = 0.0f;
            continue;
        }
        out[i] = (float)sqrt(x * interval);
        const double log_step = interval * log(x);
        const double step = 2.0 * x * interval;
        for (int32_t j = 1; j < steps; j++) {
            const double factor = sqrt(step / cosh_j[j]);
            const double arg = (double)j * log_step;
            out[(size_t)(2 * j - 1) * n + i] = (float)(factor * cos(arg));
            out[(size_t)(2 * j) * n + i] = (float)(factor * sin(arg));
        }
    }
}

/* VLFeat's homogeneous kernel map (uniform window, gamma 1) evaluated in
 * closed form; the 2 steps - 1 values of each input are contiguous. */
static void map_intersection(const float *in, size_t n, int32_t steps, double interval, float *out)
{
    double kappa[HOGFEAT_FEATURE_MAP_MAX_STEPS];
    for (int32_t j = 0; j < steps; j++) {
        const double w = (double)j * interval;
        kappa[j] = (2.0 / M_PI) / (1.0 + 4.0 * w * w);
    }
    const size_t m = (size_t)(2 * steps - 1);
    for (size_t i = 0; i < n; i++) {
        float *dst = out + i * m;
        const double x = in[i];
        if (!(x > 0.0)) {
            for (size_t k = 0; k < m; k++)
                dst[k] = 0.0f;
            continue;
        }
        const double lx = interval * x, llogx = interval * log(x);
        dst[0] = (float)sqrt(lx * kappa[0]);
        for (int32_t j = 1; j < steps; j++) {
            const double factor = sqrt(2.0 * lx * kappa[j]);
            dst[2 * j - 1] = (float)(factor * cos((double)j * llogx));
            dst[2 * j] = (float)(factor * sin((double)j * llogx));
        }
    }
}

/* z = sqrt(2 / D) cos(x W + b), as RBFSampler.transform. The projection
 * is accumulated row by row of W through the kernel table's axpy; zero
 * inputs (frequent in HOG and LBP) are skipped, which changes nothing. */
static void map_rbf(const hogfeat__map *map, const float *in, size_t n, float *out)
{
    const size_t d = (size_t)map->param;
    const hogfeat__kernels *k = hogfeat__kernels_get();
    memset(out, 0, d * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        if (in[i] != 0.0f)
            k->axpy(in[i], map->weights + i * d, out, d);
    }
    const double scale = sqrt(2.0) / sqrt((double)d);
    for (size_t j = 0; j < d; j++)
        out[j] = (float)(scale * cos((double)out[j] + (double)map->offsets[j]));
}

void hogfeat__map_apply(const hogfeat__map *map, const float *in, size_t n, float *out)
{
    switch (map->kind) {
    case HOGFEAT_FEATURE_MAP_HELLINGER:
        map_hellinger(in, n, out);
        return;
    case HOGFEAT_FEATURE_MAP_CHI2:
        map_chi2(in, n, map->param, map->param2, out);
        return;
    case HOGFEAT_FEATURE_MAP_INTERSECTION:
        map_intersection(in, n, map->param, map->param2, out);
        return;
    case HOGFEAT_FEATURE_MAP_RBF:
        map_rbf(map, in, n, out);
        return;
    default:
        if (in != out)
            memcpy(out, in, n * sizeof *out);
        return;
    }
}

/* ---- the RBF map's draws -------------------------------------------------------- */

/* SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): portable, 64-bit integer
 * arithmetic only, so the bit stream is the same everywhere. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1): never 0, so its logarithm is finite. */
static double uniform_open(uint64_t *state)
{
    return ((double)(splitmix64(state) >> 11) + 0.5) * 0x1p-53;
}

hogfeat_status hogfeat__rbf_draw(size_t n, int32_t num_components, double gamma, int32_t seed, float **out_weights,
                                 float **out_offsets)
{
    const size_t d = (size_t)num_components;
    size_t count, bytes;
    if (hogfeat__mul_overflow(n, d, &count) || hogfeat__mul_overflow(count, sizeof(float), &bytes))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "an RBF map of %zu x %zu floats overflows size_t", n, d);
    float *w = hogfeat__malloc(bytes);
    float *b = hogfeat__malloc(d * sizeof *b);
    if (!w || !b) {
        hogfeat__free(w);
        hogfeat__free(b);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an RBF map of %zu x %zu floats", n, d);
    }
    uint64_t state = (uint64_t)(uint32_t)seed;
    for (size_t j = 0; j < d; j++)
        b[j] = (float)(2.0 * M_PI * uniform_open(&state));
    const double sd = sqrt(2.0 * gamma);
    for (size_t i = 0; i < count; i++) {
        const double u1 = uniform_open(&state), u2 = uniform_open(&state);
        w[i] = (float)(sd * (sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2)));
    }
    *out_weights = w;
    *out_offsets = b;
    return HOGFEAT_OK;
}

/* ---- model file sections --------------------------------------------------------- */

#define DESC_HOG_BYTES 56u  /* kind excluded */
#define DESC_LBP_BYTES 24u
#define FMAP_FIXED_BYTES 28u
#define FMAP_MAX_WEIGHT 1e5f
#define FMAP_MAX_OFFSET 6.2832f /* 2 pi rounded up */

size_t hogfeat__desc_payload_bytes(const hogfeat_pipeline *pipeline)
{
    const hogfeat__pipeline_ext *ext = pipeline->ext;
    if (!ext || ext->num_extra == 0)
        return 0;
    size_t bytes = 4;
    for (size_t i = 0; i < ext->num_extra; i++)
        bytes += 4 + (ext->extra[i].kind == HOGFEAT_DESCRIPTOR_HOG ? DESC_HOG_BYTES : DESC_LBP_BYTES);
    return bytes;
}

unsigned char *hogfeat__desc_encode(unsigned char *p, const hogfeat_pipeline *pipeline)
{
    const hogfeat__pipeline_ext *ext = pipeline->ext;
    p = wr_u32(p, (uint32_t)ext->num_extra);
    for (size_t i = 0; i < ext->num_extra; i++) {
        const hogfeat__descriptor *d = &ext->extra[i];
        p = wr_u32(p, (uint32_t)d->kind);
        if (d->kind == HOGFEAT_DESCRIPTOR_HOG) {
            const hogfeat_hog_config *h = &d->hog;
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
            p = wr_u32(p, (uint32_t)h->preset);
            p = wr_u32(p, (uint32_t)h->layout);
            p = wr_f64(p, h->window_sigma);
        } else {
            const hogfeat_lbp_config *l = d->lbp;
            p = wr_u32(p, (uint32_t)hogfeat_lbp_config_get_points(l));
            p = wr_f32(p, hogfeat_lbp_config_get_radius(l));
            p = wr_u32(p, (uint32_t)hogfeat_lbp_config_get_method(l));
            p = wr_u32(p, (uint32_t)hogfeat_lbp_config_get_cell_width(l));
            p = wr_u32(p, (uint32_t)hogfeat_lbp_config_get_cell_height(l));
            p = wr_u32(p, (uint32_t)hogfeat_lbp_config_get_norm(l));
        }
    }
    return p;
}

/* A HOG entry of DESC (after its kind) as a configuration, through the
 * public setters, which check every range; no allocation. */
static hogfeat_status desc_read_hog(const unsigned char *p, size_t index, hogfeat_hog_config *h)
{
    uint32_t v[12];
    for (int i = 0; i < 12; i++)
        v[i] = rd_u32(p + 4 * i);
    const double window_sigma = rd_f64(p + 48);
    if (!isfinite(window_sigma))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "DESC section: descriptor %zu: the window sigma is NaN or "
                                                    "infinite", index);
    /* Values above INT32_MAX would wrap in the casts below. */
    for (int i = 0; i < 12; i++) {
        if (v[i] > (uint32_t)INT32_MAX)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu: HOG field %d is %lu",
                                 index, i, (unsigned long)v[i]);
    }
    memset(h, 0, sizeof *h);
    if (hogfeat_hog_config_set_preset(h, (hogfeat_hog_preset)v[10]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_signed_orientations(h, (int)v[9]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_orientations(h, (int32_t)v[0]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_cell_size(h, (int32_t)v[1], (int32_t)v[2]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_size(h, (int32_t)v[3], (int32_t)v[4]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_stride(h, (int32_t)v[5], (int32_t)v[6]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_block_norm(h, (hogfeat_norm)v[7]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_transform_sqrt(h, (int)v[8]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_layout(h, (hogfeat_hog_layout)v[11]) != HOGFEAT_OK ||
        hogfeat_hog_config_set_window_sigma(h, window_sigma) != HOGFEAT_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", hogfeat_last_error_message());
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu: invalid HOG settings (%s)",
                             index, why);
    }
    /* Accepted by the setters, refused by hogfeat_hog_compute(). */
    if (hogfeat__hog_norm_unsupported(h))
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu: the OpenCV preset with block "
                                                       "norm %d (it normalises with L2-Hys only)", index, (int)h->norm);
    return HOGFEAT_OK;
}

/* The checks of hogfeat_lbp_config_set_* and hogfeat_pipeline_add_lbp, on
 * an LBP entry of DESC; no allocation. */
static hogfeat_status desc_check_lbp(const unsigned char *p, size_t index)
{
    const uint32_t points = rd_u32(p), method = rd_u32(p + 8), cw = rd_u32(p + 12), ch = rd_u32(p + 16),
                   norm = rd_u32(p + 20);
    const float radius = rd_f32(p + 4);
    if (!isfinite(radius))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "DESC section: descriptor %zu: the LBP radius is NaN or infinite",
                             index);
    const char *bad = NULL;
    if (points < 1 || points > HOGFEAT_LBP_MAX_POINTS)
        bad = "points";
    else if (!(radius > 0.0f && radius <= (float)HOGFEAT_LBP_MAX_RADIUS_PX))
        bad = "radius";
    else if (method < HOGFEAT_LBP_DEFAULT || method > HOGFEAT_LBP_NRI_UNIFORM)
        bad = "method";
    else if (cw < 1 || cw > HOGFEAT_LBP_MAX_CELL_PX || ch < 1 || ch > HOGFEAT_LBP_MAX_CELL_PX)
        bad = "cell size";
    else if (norm < HOGFEAT_LBP_NORM_NONE || norm > HOGFEAT_LBP_NORM_L2)
        bad = "norm";
    else if ((method == HOGFEAT_LBP_DEFAULT || method == HOGFEAT_LBP_ROR) && points > 16)
        bad = "points (more histogram bins than HOGFEAT_LBP_MAX_HISTOGRAM_BINS)";
    if (bad)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu: LBP %s out of range", index,
                             bad);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__desc_check(const unsigned char *payload, size_t length, size_t *budget_need)
{
    if (length < 4)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section is %zu bytes; its count alone needs 4", length);
    const uint32_t count = rd_u32(payload);
    if (count < 1 || count > HOGFEAT_PIPELINE_MAX_DESCRIPTORS - 1)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: %lu descriptors; 1 to %d are allowed",
                             (unsigned long)count, HOGFEAT_PIPELINE_MAX_DESCRIPTORS - 1);
    size_t pos = 4, need = sizeof(hogfeat__pipeline_ext);
    for (size_t i = 0; i < count; i++) {
        if (length - pos < 4)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu is cut short", i);
        const uint32_t kind = rd_u32(payload + pos);
        pos += 4;
        const size_t bytes = kind == HOGFEAT_DESCRIPTOR_HOG ? DESC_HOG_BYTES
                             : kind == HOGFEAT_DESCRIPTOR_LBP ? DESC_LBP_BYTES
                                                              : 0;
        if (bytes == 0)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu has unknown kind %lu", i,
                                 (unsigned long)kind);
        if (length - pos < bytes)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section: descriptor %zu is cut short", i);
        hogfeat_status st;
        if (kind == HOGFEAT_DESCRIPTOR_HOG) {
            hogfeat_hog_config h;
            st = desc_read_hog(payload + pos, i, &h);
        } else {
            st = desc_check_lbp(payload + pos, i);
            need += 512; /* an LBP configuration handle, generously */
        }
        if (st != HOGFEAT_OK)
            return st;
        pos += bytes;
    }
    if (pos != length)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "DESC section is %zu bytes; its %lu descriptors need exactly %zu",
                             length, (unsigned long)count, pos);
    *budget_need = need;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__desc_apply(hogfeat_pipeline *pipeline, const unsigned char *payload, size_t length)
{
    (void)length;
    const uint32_t count = rd_u32(payload);
    size_t pos = 4;
    for (size_t i = 0; i < count; i++) {
        const uint32_t kind = rd_u32(payload + pos);
        pos += 4;
        hogfeat_status st;
        if (kind == HOGFEAT_DESCRIPTOR_HOG) {
            hogfeat_hog_config h;
            st = desc_read_hog(payload + pos, i, &h);
            if (st == HOGFEAT_OK)
                st = hogfeat_pipeline_add_hog(pipeline, &h);
            pos += DESC_HOG_BYTES;
        } else {
            const unsigned char *p = payload + pos;
            hogfeat_lbp_config *l = NULL;
            st = hogfeat_lbp_config_create(&l);
            if (st == HOGFEAT_OK)
                st = hogfeat_lbp_config_set_points(l, (int32_t)rd_u32(p));
            if (st == HOGFEAT_OK)
                st = hogfeat_lbp_config_set_radius(l, rd_f32(p + 4));
            if (st == HOGFEAT_OK)
                st = hogfeat_lbp_config_set_method(l, (hogfeat_lbp_method)rd_u32(p + 8));
            if (st == HOGFEAT_OK)
                st = hogfeat_lbp_config_set_cell_size(l, (int32_t)rd_u32(p + 12), (int32_t)rd_u32(p + 16));
            if (st == HOGFEAT_OK)
                st = hogfeat_lbp_config_set_norm(l, (hogfeat_lbp_norm)rd_u32(p + 20));
            if (st == HOGFEAT_OK)
                st = hogfeat_pipeline_add_lbp(pipeline, l);
            hogfeat_lbp_config_destroy(l);
            pos += DESC_LBP_BYTES;
        }
        if (st != HOGFEAT_OK)
            return st;
    }
    return HOGFEAT_OK;
}

size_t hogfeat__fmap_payload_bytes(const hogfeat_pipeline *pipeline)
{
    const hogfeat__pipeline_ext *ext = pipeline->ext;
    if (!ext || ext->map.kind == HOGFEAT_FEATURE_MAP_NONE)
        return 0;
    if (ext->map.kind != HOGFEAT_FEATURE_MAP_RBF)
        return FMAP_FIXED_BYTES;
    size_t floats, bytes;
    const size_t d = (size_t)ext->map.param;
    if (hogfeat__mul_overflow(ext->map.input_length, d, &floats) || hogfeat__add_overflow(floats, d, &floats) ||
        hogfeat__mul_overflow(floats, 4, &bytes) || hogfeat__add_overflow(bytes, FMAP_FIXED_BYTES, &bytes))
        return 0;
    return bytes;
}

unsigned char *hogfeat__fmap_encode(unsigned char *p, const hogfeat_pipeline *pipeline)
{
    const hogfeat__map *m = &pipeline->ext->map;
    p = wr_u32(p, (uint32_t)m->kind);
    p = wr_i32(p, m->param);
    p = wr_f64(p, m->param2);
    p = wr_i32(p, m->seed);
    p = wr_u64(p, (uint64_t)m->input_length);
    if (m->kind == HOGFEAT_FEATURE_MAP_RBF) {
        const size_t d = (size_t)m->param, count = m->input_length * d;
        for (size_t i = 0; i < count; i++)
            p = wr_f32(p, m->weights[i]);
        for (size_t j = 0; j < d; j++)
            p = wr_f32(p, m->offsets[j]);
    }
    return p;
}

hogfeat_status hogfeat__fmap_check(const unsigned char *payload, size_t length, const hogfeat_limits *limits,
                                   size_t *budget_need)
{
    if (length < FMAP_FIXED_BYTES)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FMAP section is %zu bytes; its fixed fields alone need %u",
                             length, FMAP_FIXED_BYTES);
    const uint32_t kind = rd_u32(payload);
    const int32_t param = rd_i32(payload + 4), seed = rd_i32(payload + 16);
    const double param2 = rd_f64(payload + 8);
    const uint64_t n64 = rd_u64(payload + 20);
    if (!isfinite(param2))
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "FMAP section: the real parameter is NaN or infinite");
    size_t need = 0;
    if (kind == HOGFEAT_FEATURE_MAP_HELLINGER || kind == HOGFEAT_FEATURE_MAP_CHI2 ||
        kind == HOGFEAT_FEATURE_MAP_INTERSECTION) {
        double resolved = 0.0;
        /* Saved intervals are the resolved ones, never the 0 default. */
        if ((kind != HOGFEAT_FEATURE_MAP_HELLINGER && !(param2 > 0.0)) || seed != 0 || n64 != 0 ||
            hogfeat__map_check((hogfeat_feature_map)kind, param, param2, &resolved) != HOGFEAT_OK)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "FMAP section: map %lu with parameters %d, %g, seed %d, input length %llu is invalid",
                                 (unsigned long)kind, (int)param, param2, (int)seed, (unsigned long long)n64);
        if (length != FMAP_FIXED_BYTES)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FMAP section is %zu bytes; map %lu needs exactly %u",
                                 length, (unsigned long)kind, FMAP_FIXED_BYTES);
    } else if (kind == HOGFEAT_FEATURE_MAP_RBF) {
        if (param < 1 || param > HOGFEAT_FEATURE_MAP_MAX_COMPONENTS || !(param2 > 0.0) ||
            param2 > HOGFEAT_FEATURE_MAP_MAX_GAMMA || n64 < 1)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "FMAP section: RBF map with %d components, gamma %g, input length %llu is invalid",
                                 (int)param, param2, (unsigned long long)n64);
        const size_t max_features = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_FEATURES);
        if (n64 > (uint64_t)max_features || (size_t)param > max_features)
            return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                                 "FMAP section: an RBF map of %llu x %d values; the feature limit is %zu",
                                 (unsigned long long)n64, (int)param, max_features);
        const size_t n = (size_t)n64, d = (size_t)param;
        size_t floats, bytes;
        if (hogfeat__mul_overflow(n, d, &floats) || hogfeat__add_overflow(floats, d, &floats) ||
            hogfeat__mul_overflow(floats, 4, &bytes) || hogfeat__add_overflow(bytes, FMAP_FIXED_BYTES, &bytes))
            return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "FMAP section: an RBF map of %zu x %zu values overflows",
                                 n, d);
        if (length != bytes)
            return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA,
                                 "FMAP section is %zu bytes; an RBF map of %zu x %zu values needs exactly %zu", length,
                                 n, d, bytes);
        /* Draws never leave these ranges (|N(0, 1)| < 8.7 from 53-bit
         * uniforms, gamma <= 1e6; offsets in [0, 2 pi]); the bounds keep x W + b
         * finite for any descriptor, so extraction never makes NaN. */
        for (size_t i = 0; i < floats; i++) {
            const float v = rd_f32(payload + FMAP_FIXED_BYTES + 4 * i);
            if (!isfinite(v))
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "FMAP section: RBF value %zu is NaN or infinite", i);
            const int offset = i >= floats - d;
            if (offset ? !(v >= 0.0f && v <= FMAP_MAX_OFFSET) : !(fabsf(v) <= FMAP_MAX_WEIGHT))
                return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FMAP section: RBF %s %zu is %g, outside %s",
                                     offset ? "offset" : "weight", offset ? i - (floats - d) : i, (double)v,
                                     offset ? "[0, 2 pi]" : "[-1e5, 1e5]");
        }
        need = bytes - FMAP_FIXED_BYTES;
    } else {
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "FMAP section: map kind %lu is unknown", (unsigned long)kind);
    }
    *budget_need = need;
    return HOGFEAT_OK;
}

size_t hogfeat__fmap_fixed_output(const unsigned char *payload, size_t length)
{
    (void)length;
    return rd_u32(payload) == HOGFEAT_FEATURE_MAP_RBF ? (size_t)rd_i32(payload + 4) : 0;
}

hogfeat_status hogfeat__fmap_apply(hogfeat_pipeline *pipeline, const unsigned char *payload, size_t length)
{
    (void)length;
    const hogfeat_feature_map kind = (hogfeat_feature_map)rd_u32(payload);
    const int32_t param = rd_i32(payload + 4), seed = rd_i32(payload + 16);
    const double param2 = rd_f64(payload + 8);
    if (kind != HOGFEAT_FEATURE_MAP_RBF)
        return hogfeat_pipeline_set_feature_map(pipeline, kind, param, param2);
    hogfeat__pipeline_ext *ext = NULL;
    hogfeat_status st = hogfeat__pipeline_ext_get(pipeline, &ext);
    if (st != HOGFEAT_OK)
        return st;
    const size_t n = (size_t)rd_u64(payload + 20), d = (size_t)param;
    float *w = hogfeat__malloc(n * d * sizeof *w);
    float *b = hogfeat__malloc(d * sizeof *b);
    if (!w || !b) {
        hogfeat__free(w);
        hogfeat__free(b);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate an RBF map of %zu x %zu floats", n, d);
    }
    const unsigned char *p = payload + FMAP_FIXED_BYTES;
    for (size_t i = 0; i < n * d; i++, p += 4)
        w[i] = rd_f32(p);
    for (size_t j = 0; j < d; j++, p += 4)
        b[j] = rd_f32(p);
    hogfeat__map_set_rbf(&ext->map, param, param2, seed, n, w, b);
    return HOGFEAT_OK;
}
