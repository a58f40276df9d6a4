/* Gabor kernels as scikit-image 0.19 skimage/filters/_gabor.py computes
 * them, convolution as scipy.ndimage.convolve, and a pooled filter bank.
 *
 * A plain scalar direct convolution: Gabor filtering is not one of the
 * kernels of lib/kernels/ yet (a separable or FFT path, and SIMD, would go
 * there). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "private.h"

#define GABOR_PI 3.14159265358979323846

struct hogfeat_gabor_config {
    double frequency;
    double theta;
    double bandwidth;
    double sigma_x, sigma_y; /* 0: derived from bandwidth and frequency */
    double n_stds;
    double offset;
    int32_t kernel_w, kernel_h; /* 0: scikit-image's automatic size */
    hogfeat_gabor_border border;
};

struct hogfeat_gabor_bank {
    double frequencies[HOGFEAT_GABOR_MAX_BANK_SIZE];
    size_t num_frequencies;
    int32_t orientations;
    int32_t cell_w, cell_h;
    hogfeat_gabor_config filter; /* template: frequency and theta unused */
};

static void config_defaults(hogfeat_gabor_config *c)
{
    c->frequency = 0.25;
    c->theta = 0.0;
    c->bandwidth = 1.0;
    c->sigma_x = c->sigma_y = 0.0;
    c->n_stds = 3.0;
    c->offset = 0.0;
    c->kernel_w = c->kernel_h = 0;
    c->border = HOGFEAT_GABOR_BORDER_REFLECT;
}

hogfeat_status hogfeat_gabor_config_create(hogfeat_gabor_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_gabor_config_create: out_config is NULL");
    *out_config = NULL;
    hogfeat_gabor_config *config = hogfeat__calloc(1, sizeof *config);
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate Gabor filter parameters");
    config_defaults(config);
    *out_config = config;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_config_copy(const hogfeat_gabor_config *config, hogfeat_gabor_config **out_config)
{
    if (!out_config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_gabor_config_copy: out_config is NULL");
    *out_config = NULL;
    if (!config)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_gabor_config_copy: config is NULL");
    hogfeat_gabor_config *copy = hogfeat__malloc(sizeof *copy);
    if (!copy)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate Gabor filter parameters");
    *copy = *config;
    *out_config = copy;
    return HOGFEAT_OK;
}

void hogfeat_gabor_config_destroy(hogfeat_gabor_config *config)
{
    hogfeat__free(config);
}

#define REQUIRE(ptr, fn, what)                                                                     \
    do {                                                                                           \
        if (!(ptr))                                                                                \
            return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, fn ": " what " is NULL");               \
    } while (0)

static hogfeat_status check_positive(const char *fn, const char *what, double v)
{
    if (!(isfinite(v) && v > 0.0))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: %s %g must be finite and > 0", fn, what, v);
    return HOGFEAT_OK;
}

static hogfeat_status check_finite_param(const char *fn, const char *what, double v)
{
    if (!isfinite(v))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: %s %g must be finite", fn, what, v);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_config_set_frequency(hogfeat_gabor_config *config, double cycles_per_px)
{
    static const char fn[] = "hogfeat_gabor_config_set_frequency";
    REQUIRE(config, "hogfeat_gabor_config_set_frequency", "config");
    hogfeat_status st = check_positive(fn, "frequency", cycles_per_px);
    if (st == HOGFEAT_OK)
        config->frequency = cycles_per_px;
    return st;
}

hogfeat_status hogfeat_gabor_config_set_theta(hogfeat_gabor_config *config, double theta_radians)
{
    static const char fn[] = "hogfeat_gabor_config_set_theta";
    REQUIRE(config, "hogfeat_gabor_config_set_theta", "config");
    hogfeat_status st = check_finite_param(fn, "theta", theta_radians);
    if (st == HOGFEAT_OK)
        config->theta = theta_radians;
    return st;
}

hogfeat_status hogfeat_gabor_config_set_bandwidth(hogfeat_gabor_config *config, double bandwidth_octaves)
{
    static const char fn[] = "hogfeat_gabor_config_set_bandwidth";
    REQUIRE(config, "hogfeat_gabor_config_set_bandwidth", "config");
    hogfeat_status st = check_positive(fn, "bandwidth", bandwidth_octaves);
    if (st == HOGFEAT_OK)
        config->bandwidth = bandwidth_octaves;
    return st;
}

hogfeat_status hogfeat_gabor_config_set_sigma(hogfeat_gabor_config *config, double sigma_x_px, double sigma_y_px)
{
    static const char fn[] = "hogfeat_gabor_config_set_sigma";
    REQUIRE(config, "hogfeat_gabor_config_set_sigma", "config");
    hogfeat_status st = HOGFEAT_OK;
    if (sigma_x_px != 0.0)
        st = check_positive(fn, "sigma_x", sigma_x_px);
    if (st == HOGFEAT_OK && sigma_y_px != 0.0)
        st = check_positive(fn, "sigma_y", sigma_y_px);
    if (st != HOGFEAT_OK)
        return st;
    config->sigma_x = sigma_x_px;
    config->sigma_y = sigma_y_px;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_config_set_n_stds(hogfeat_gabor_config *config, double n_stds)
{
    static const char fn[] = "hogfeat_gabor_config_set_n_stds";
    REQUIRE(config, "hogfeat_gabor_config_set_n_stds", "config");
    hogfeat_status st = check_positive(fn, "n_stds", n_stds);
    if (st == HOGFEAT_OK)
        config->n_stds = n_stds;
    return st;
}

hogfeat_status hogfeat_gabor_config_set_offset(hogfeat_gabor_config *config, double offset_radians)
{
    static const char fn[] = "hogfeat_gabor_config_set_offset";
    REQUIRE(config, "hogfeat_gabor_config_set_offset", "config");
    hogfeat_status st = check_finite_param(fn, "offset", offset_radians);
    if (st == HOGFEAT_OK)
        config->offset = offset_radians;
    return st;
}

hogfeat_status hogfeat_gabor_config_set_kernel_size(hogfeat_gabor_config *config, int32_t kernel_width_px,
                                                    int32_t kernel_height_px)
{
    REQUIRE(config, "hogfeat_gabor_config_set_kernel_size", "config");
    int automatic = kernel_width_px == 0 && kernel_height_px == 0;
    if (!automatic && (kernel_width_px < 1 || kernel_width_px > HOGFEAT_GABOR_MAX_KERNEL_PX ||
                       kernel_height_px < 1 || kernel_height_px > HOGFEAT_GABOR_MAX_KERNEL_PX ||
                       kernel_width_px % 2 == 0 || kernel_height_px % 2 == 0))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "hogfeat_gabor_config_set_kernel_size: %dx%d is not 0x0 or odd sides in [1, %d]",
                             (int)kernel_width_px, (int)kernel_height_px, HOGFEAT_GABOR_MAX_KERNEL_PX);
    config->kernel_w = kernel_width_px;
    config->kernel_h = kernel_height_px;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_config_set_border(hogfeat_gabor_config *config, hogfeat_gabor_border border)
{
    REQUIRE(config, "hogfeat_gabor_config_set_border", "config");
    switch (border) {
    case HOGFEAT_GABOR_BORDER_REFLECT:
    case HOGFEAT_GABOR_BORDER_CONSTANT:
    case HOGFEAT_GABOR_BORDER_NEAREST:
    case HOGFEAT_GABOR_BORDER_MIRROR:
    case HOGFEAT_GABOR_BORDER_WRAP:
        config->border = border;
        return HOGFEAT_OK;
    }
    return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "Gabor border %d is not a hogfeat_gabor_border", (int)border);
}

/* _sigma_prefactor(b) / frequency, in Python's left-to-right order. */
static double derived_sigma(const hogfeat_gabor_config *c)
{
    double p = pow(2.0, c->bandwidth);
    double prefactor = 1.0 / GABOR_PI * sqrt(log(2.0) / 2.0) * (p + 1) / (p - 1);
    return prefactor / c->frequency;
}

static double sigma_x_of(const hogfeat_gabor_config *c)
{
    return c->sigma_x != 0.0 ? c->sigma_x : derived_sigma(c);
}

static double sigma_y_of(const hogfeat_gabor_config *c)
{
    return c->sigma_y != 0.0 ? c->sigma_y : derived_sigma(c);
}

double hogfeat_gabor_config_get_frequency(const hogfeat_gabor_config *config)
{
    return config ? config->frequency : 0.0;
}
double hogfeat_gabor_config_get_theta(const hogfeat_gabor_config *config)
{
    return config ? config->theta : 0.0;
}
double hogfeat_gabor_config_get_bandwidth(const hogfeat_gabor_config *config)
{
    return config ? config->bandwidth : 0.0;
}
double hogfeat_gabor_config_get_sigma_x(const hogfeat_gabor_config *config)
{
    return config ? sigma_x_of(config) : 0.0;
}
double hogfeat_gabor_config_get_sigma_y(const hogfeat_gabor_config *config)
{
    return config ? sigma_y_of(config) : 0.0;
}
double hogfeat_gabor_config_get_n_stds(const hogfeat_gabor_config *config)
{
    return config ? config->n_stds : 0.0;
}
double hogfeat_gabor_config_get_offset(const hogfeat_gabor_config *config)
{
    return config ? config->offset : 0.0;
}
int hogfeat_gabor_config_get_border(const hogfeat_gabor_config *config)
{
    return config ? (int)config->border : 0;
}

/* ---- kernel --------------------------------------------------------------- */

typedef struct gabor_geom {
    double sx, sy, ct, st;
    size_t x0, y0; /* half sizes: the kernel is (2 x0 + 1) x (2 y0 + 1) */
} gabor_geom;

static hogfeat_status kernel_geometry(const char *fn, const hogfeat_gabor_config *c, gabor_geom *g)
{
    g->sx = sigma_x_of(c);
    g->sy = sigma_y_of(c);
    g->ct = cos(c->theta);
    g->st = sin(c->theta);
    if (c->kernel_w != 0) {
        g->x0 = (size_t)(c->kernel_w - 1) / 2;
        g->y0 = (size_t)(c->kernel_h - 1) / 2;
        return HOGFEAT_OK;
    }
    /* x0 = ceil(max(|n_stds * sigma_x * ct|, |n_stds * sigma_y * st|, 1)) */
    const double n = c->n_stds;
    double ax = fmax(fmax(fabs(n * g->sx * g->ct), fabs(n * g->sy * g->st)), 1.0);
    double ay = fmax(fmax(fabs(n * g->sy * g->ct), fabs(n * g->sx * g->st)), 1.0);
    const double limit = (HOGFEAT_GABOR_MAX_KERNEL_PX - 1) / 2;
    if (!(ceil(ax) <= limit && ceil(ay) <= limit))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED,
                             "%s: the automatic kernel (frequency %g, n_stds %g) would be wider than %d px", fn,
                             c->frequency, c->n_stds, HOGFEAT_GABOR_MAX_KERNEL_PX);
    g->x0 = (size_t)ceil(ax);
    g->y0 = (size_t)ceil(ay);
    return HOGFEAT_OK;
}

/* Kernel values at row j (y = j - y0) and column i (x = i - x0), written
 * row-major; exactly gabor_kernel()'s complex128 arithmetic: numpy's complex
 * exp is exp(re) (cos(im) + i sin(im)) and the final scaling multiplies both
 * parts by 1 / (2 pi sigma_x sigma_y). */
static void fill_kernel(const hogfeat_gabor_config *c, const gabor_geom *g, double *re, double *im)
{
    const long kw = 2 * (long)g->x0 + 1, kh = 2 * (long)g->y0 + 1;
    const double scale = 1 / (2 * GABOR_PI * g->sx * g->sy);
    const double sx2 = g->sx * g->sx, sy2 = g->sy * g->sy;
    const double phase_rate = 2 * GABOR_PI * c->frequency;
    for (long j = 0; j < kh; j++) {
        const double y = (double)(j - (long)g->y0);
        for (long i = 0; i < kw; i++) {
            const double x = (double)(i - (long)g->x0);
            double rotx = x * g->ct + y * g->st;
            double roty = -x * g->st + y * g->ct;
            double e = exp(-0.5 * (rotx * rotx / sx2 + roty * roty / sy2));
            double t = phase_rate * rotx + c->offset;
            re[j * kw + i] = e * cos(t) * scale;
            im[j * kw + i] = e * sin(t) * scale;
        }
    }
}

hogfeat_status hogfeat_gabor_kernel_size(const hogfeat_gabor_config *config, size_t *out_width_px,
                                         size_t *out_height_px)
{
    static const char fn[] = "hogfeat_gabor_kernel_size";
    REQUIRE(config, "hogfeat_gabor_kernel_size", "config");
    if (!out_width_px || !out_height_px)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: output pointer is NULL", fn);
    gabor_geom g;
    hogfeat_status st = kernel_geometry(fn, config, &g);
    if (st != HOGFEAT_OK)
        return st;
    *out_width_px = 2 * g.x0 + 1;
    *out_height_px = 2 * g.y0 + 1;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_kernel(const hogfeat_gabor_config *config, double *out_real, double *out_imag,
                                    size_t out_capacity)
{
    static const char fn[] = "hogfeat_gabor_kernel";
    REQUIRE(config, "hogfeat_gabor_kernel", "config");
    if (!out_real || !out_imag)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: output buffer is NULL", fn);
    gabor_geom g;
    hogfeat_status st = kernel_geometry(fn, config, &g);
    if (st != HOGFEAT_OK)
        return st;
    size_t n = (2 * g.x0 + 1) * (2 * g.y0 + 1);
    if (out_capacity < n)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the kernel has %zu values; the buffers hold %zu", fn, n,
                             out_capacity);
    fill_kernel(config, &g, out_real, out_imag);
    return HOGFEAT_OK;
}

/* ---- convolution ------------------------------------------------------------ */

/* Source index of position i (any integer) on a line of n samples, or -1
 * for a constant (zero) sample; scipy.ndimage's extension modes, which
 * repeat periodically however far they reach. */
static long border_index(long i, long n, hogfeat_gabor_border mode)
{
    if (i >= 0 && i < n)
        return i;
    switch (mode) {
    case HOGFEAT_GABOR_BORDER_CONSTANT:
        return -1;
    case HOGFEAT_GABOR_BORDER_NEAREST:
        return i < 0 ? 0 : n - 1;
    case HOGFEAT_GABOR_BORDER_WRAP: {
        long m = i % n;
        return m < 0 ? m + n : m;
    }
    case HOGFEAT_GABOR_BORDER_MIRROR: {
        if (n == 1)
            return 0;
        long period = 2 * n - 2, m = i % period;
        if (m < 0)
            m += period;
        return m >= n ? period - m : m;
    }
    case HOGFEAT_GABOR_BORDER_REFLECT:
        break;
    }
    long period = 2 * n, m = i % period;
    if (m < 0)
        m += period;
    return m >= n ? period - 1 - m : m;
}

/* The image as doubles, padded by pad_x columns and pad_y rows on each side
 * with the border rule. */
typedef struct padded {
    double *data;
    size_t width, height; /* padded size */
    size_t pad_x, pad_y;
} padded;

static double read_sample(const hogfeat_image *image, size_t x, size_t y)
{
    const unsigned char *row = image->pixels + y * image->stride_bytes;
    if (image->sample_bytes == 4) {
        float v;
        memcpy(&v, row + x * sizeof(float), sizeof v);
        return (double)v;
    }
    return (double)row[x];
}

static hogfeat_status make_padded(const char *fn, const hogfeat_image *image, size_t pad_x, size_t pad_y,
                                  hogfeat_gabor_border mode, padded *p)
{
    /* pads <= 512 and images <= 2^28 pixels: the product fits 64-bit size_t. */
    size_t pw = image->width + 2 * pad_x, ph = image->height + 2 * pad_y, n;
    if (hogfeat__mul_overflow(pw, ph, &n) || n > SIZE_MAX / sizeof(double))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the padded image overflows size_t", fn);
    p->data = hogfeat__malloc(n * sizeof(double));
    if (!p->data)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of workspace", fn,
                             n * sizeof(double));
    p->width = pw;
    p->height = ph;
    p->pad_x = pad_x;
    p->pad_y = pad_y;
    const long w = (long)image->width, h = (long)image->height;
    for (size_t py = 0; py < ph; py++) {
        long sy = border_index((long)py - (long)pad_y, h, mode);
        double *dst = p->data + py * pw;
        for (size_t px = 0; px < pw; px++) {
            long sx = border_index((long)px - (long)pad_x, w, mode);
            dst[px] = (sy < 0 || sx < 0) ? 0.0 : read_sample(image, (size_t)sx, (size_t)sy);
        }
    }
    return HOGFEAT_OK;
}

/* Response at image pixel (x, y): sum over the kernel of
 * K[a][b] * I(y + y0 - a, x + x0 - b) (convolution, not correlation). */
static inline void convolve_at(const padded *p, const double *kre, const double *kim, const gabor_geom *g, size_t x,
                               size_t y, double *out_re, double *out_im)
{
    const size_t kw = 2 * g->x0 + 1, kh = 2 * g->y0 + 1;
    double sre = 0.0, sim = 0.0;
    /* Padded coordinates of I(y + y0, x + x0): the kernel's (0, 0) tap. */
    const size_t base_y = y + p->pad_y + g->y0, base_x = x + p->pad_x + g->x0;
    for (size_t a = 0; a < kh; a++) {
        const double *row = p->data + (base_y - a) * p->width + base_x;
        const double *kr = kre + a * kw, *ki = kim + a * kw;
        for (size_t b = 0; b < kw; b++) {
            double v = row[-(ptrdiff_t)b];
            sre += v * kr[b];
            sim += v * ki[b];
        }
    }
    *out_re = sre;
    *out_im = sim;
}

static hogfeat_status check_gray(const char *fn, const hogfeat_image *image)
{
    if (image->format != HOGFEAT_FORMAT_U8_GRAY && image->format != HOGFEAT_FORMAT_F32_GRAY)
        return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "%s: Gabor filtering needs a one-channel image, not format %d",
                             fn, (int)image->format);
    return HOGFEAT_OK;
}

/* Fails on a non-finite pixel; else gives the largest |pixel|. */
static hogfeat_status check_finite(const char *fn, const hogfeat_image *image, double *out_max_abs)
{
    double m = 0.0;
    for (size_t y = 0; y < image->height; y++) {
        for (size_t x = 0; x < image->width; x++) {
            double v = read_sample(image, x, y);
            if (HOGFEAT_UNLIKELY(!isfinite(v)))
                return hogfeat__fail(HOGFEAT_ERR_NONFINITE, "%s: pixel (x %zu, y %zu) is %s", fn, x, y,
                                     isnan(v) ? "NaN" : "infinite");
            if (fabs(v) > m)
                m = fabs(v);
        }
    }
    *out_max_abs = m;
    return HOGFEAT_OK;
}

/* Sum of |K| over the kernel: max|I| times this bounds every response. */
static double kernel_abs_sum(const double *kre, const double *kim, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += hypot(kre[i], kim[i]);
    return s;
}

static hogfeat_status check_overflow(const char *fn, double max_abs, double ksum)
{
    /* Responses are stored as float; refuse up front rather than write inf. */
    if (max_abs * ksum > 0.5 * (double)FLT_MAX)
        return hogfeat__fail(HOGFEAT_ERR_NONFINITE,
                             "%s: pixels up to %g could give responses beyond the float range", fn, max_abs);
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_filter(const hogfeat_gabor_config *config, const hogfeat_image *image, float *out_real,
                                    float *out_imag, float *out_magnitude, size_t out_capacity)
{
    static const char fn[] = "hogfeat_gabor_filter";
    REQUIRE(config, "hogfeat_gabor_filter", "config");
    REQUIRE(image, "hogfeat_gabor_filter", "image");
    if (!out_real && !out_imag && !out_magnitude)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: all three output buffers are NULL", fn);
    hogfeat_status st = check_gray(fn, image);
    if (st != HOGFEAT_OK)
        return st;
    gabor_geom g;
    st = kernel_geometry(fn, config, &g);
    if (st != HOGFEAT_OK)
        return st;
    const size_t npix = image->width * image->height;
    if (out_capacity < npix)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the image has %zu pixels; the outputs hold %zu", fn,
                             npix, out_capacity);
    double max_abs = 0.0;
    st = check_finite(fn, image, &max_abs);
    if (st != HOGFEAT_OK)
        return st;
    const size_t ksize = (2 * g.x0 + 1) * (2 * g.y0 + 1);
    double *kre = hogfeat__malloc(2 * ksize * sizeof(double));
    if (!kre)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate the kernel", fn);
    double *kim = kre + ksize;
    fill_kernel(config, &g, kre, kim);
    st = check_overflow(fn, max_abs, kernel_abs_sum(kre, kim, ksize));
    padded p = {NULL, 0, 0, 0, 0};
    if (st == HOGFEAT_OK)
        st = make_padded(fn, image, g.x0, g.y0, config->border, &p);
    if (st != HOGFEAT_OK) {
        hogfeat__free(kre);
        return st;
    }
    for (size_t y = 0; y < image->height; y++) {
        for (size_t x = 0; x < image->width; x++) {
            double re, im;
            convolve_at(&p, kre, kim, &g, x, y, &re, &im);
            size_t i = y * image->width + x;
            if (out_real)
                out_real[i] = (float)re;
            if (out_imag)
                out_imag[i] = (float)im;
            if (out_magnitude)
                out_magnitude[i] = (float)sqrt(re * re + im * im);
        }
    }
    hogfeat__free(p.data);
    hogfeat__free(kre);
    return HOGFEAT_OK;
}

/* ---- bank --------------------------------------------------------------- */

hogfeat_status hogfeat_gabor_bank_create(hogfeat_gabor_bank **out_bank)
{
    if (!out_bank)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_gabor_bank_create: out_bank is NULL");
    *out_bank = NULL;
    hogfeat_gabor_bank *bank = hogfeat__calloc(1, sizeof *bank);
    if (!bank)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a Gabor bank");
    bank->frequencies[0] = 0.1;
    bank->frequencies[1] = 0.2;
    bank->frequencies[2] = 0.4;
    bank->num_frequencies = 3;
    bank->orientations = 4;
    bank->cell_w = bank->cell_h = 16;
    config_defaults(&bank->filter);
    *out_bank = bank;
    return HOGFEAT_OK;
}

void hogfeat_gabor_bank_destroy(hogfeat_gabor_bank *bank)
{
    hogfeat__free(bank);
}

hogfeat_status hogfeat_gabor_bank_set_frequencies(hogfeat_gabor_bank *bank, const double *frequencies,
                                                  size_t num_frequencies)
{
    static const char fn[] = "hogfeat_gabor_bank_set_frequencies";
    REQUIRE(bank, "hogfeat_gabor_bank_set_frequencies", "bank");
    REQUIRE(frequencies, "hogfeat_gabor_bank_set_frequencies", "frequencies");
    if (num_frequencies < 1 || num_frequencies > HOGFEAT_GABOR_MAX_BANK_SIZE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: %zu frequencies is outside [1, %d]", fn,
                             num_frequencies, HOGFEAT_GABOR_MAX_BANK_SIZE);
    for (size_t i = 0; i < num_frequencies; i++) {
        if (!(isfinite(frequencies[i]) && frequencies[i] > 0.0))
            return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "%s: frequency %zu (%g) must be finite and > 0", fn, i,
                                 frequencies[i]);
    }
    memcpy(bank->frequencies, frequencies, num_frequencies * sizeof *frequencies);
    bank->num_frequencies = num_frequencies;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_bank_set_orientations(hogfeat_gabor_bank *bank, int32_t num_orientations)
{
    REQUIRE(bank, "hogfeat_gabor_bank_set_orientations", "bank");
    if (num_orientations < 1 || num_orientations > HOGFEAT_GABOR_MAX_BANK_SIZE)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "hogfeat_gabor_bank_set_orientations: %d orientations is outside [1, %d]",
                             (int)num_orientations, HOGFEAT_GABOR_MAX_BANK_SIZE);
    bank->orientations = num_orientations;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_bank_set_cell_size(hogfeat_gabor_bank *bank, int32_t cell_width_px,
                                                int32_t cell_height_px)
{
    REQUIRE(bank, "hogfeat_gabor_bank_set_cell_size", "bank");
    if (cell_width_px < 1 || cell_width_px > HOGFEAT_GABOR_MAX_CELL_PX || cell_height_px < 1 ||
        cell_height_px > HOGFEAT_GABOR_MAX_CELL_PX)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "hogfeat_gabor_bank_set_cell_size: %dx%d px is outside [1, %d]", (int)cell_width_px,
                             (int)cell_height_px, HOGFEAT_GABOR_MAX_CELL_PX);
    bank->cell_w = cell_width_px;
    bank->cell_h = cell_height_px;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_bank_set_filter(hogfeat_gabor_bank *bank, const hogfeat_gabor_config *filter)
{
    REQUIRE(bank, "hogfeat_gabor_bank_set_filter", "bank");
    REQUIRE(filter, "hogfeat_gabor_bank_set_filter", "filter");
    bank->filter = *filter;
    return HOGFEAT_OK;
}

size_t hogfeat_gabor_bank_num_frequencies(const hogfeat_gabor_bank *bank)
{
    return bank ? bank->num_frequencies : 0;
}
double hogfeat_gabor_bank_frequency(const hogfeat_gabor_bank *bank, size_t index)
{
    return bank && index < bank->num_frequencies ? bank->frequencies[index] : 0.0;
}
int32_t hogfeat_gabor_bank_num_orientations(const hogfeat_gabor_bank *bank)
{
    return bank ? bank->orientations : 0;
}
int32_t hogfeat_gabor_bank_cell_width(const hogfeat_gabor_bank *bank)
{
    return bank ? bank->cell_w : 0;
}
int32_t hogfeat_gabor_bank_cell_height(const hogfeat_gabor_bank *bank)
{
    return bank ? bank->cell_h : 0;
}

/* Parameters of filter j = i_f * K + k. */
static void bank_filter(const hogfeat_gabor_bank *bank, size_t j, hogfeat_gabor_config *out)
{
    const size_t k = j % (size_t)bank->orientations, f = j / (size_t)bank->orientations;
    *out = bank->filter;
    out->frequency = bank->frequencies[f];
    out->theta = (double)k * GABOR_PI / (double)bank->orientations;
}

typedef struct bank_grid {
    size_t cells_x, cells_y, filters, length;
    size_t pad_x, pad_y; /* largest kernel half sizes */
} bank_grid;

static hogfeat_status bank_geometry(const char *fn, const hogfeat_gabor_bank *bank, size_t width, size_t height,
                                    bank_grid *grid)
{
    if (width == 0 || height == 0)
        return hogfeat__fail(HOGFEAT_ERR_BAD_GEOMETRY, "%s: image size %zux%zu has a zero side", fn, width, height);
    size_t pixels;
    if (hogfeat__mul_overflow(width, height, &pixels) || pixels > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: image size %zux%zu exceeds the limit of %zu pixels", fn,
                             width, height, (size_t)HOGFEAT__MAX_PIXELS);
    grid->filters = bank->num_frequencies * (size_t)bank->orientations;
    grid->pad_x = grid->pad_y = 0;
    for (size_t j = 0; j < grid->filters; j++) {
        hogfeat_gabor_config c;
        gabor_geom g;
        bank_filter(bank, j, &c);
        hogfeat_status st = kernel_geometry(fn, &c, &g);
        if (st != HOGFEAT_OK)
            return st;
        if (g.x0 > grid->pad_x)
            grid->pad_x = g.x0;
        if (g.y0 > grid->pad_y)
            grid->pad_y = g.y0;
    }
    grid->cells_x = width / (size_t)bank->cell_w;
    grid->cells_y = height / (size_t)bank->cell_h;
    if (grid->cells_x == 0 || grid->cells_y == 0)
        return hogfeat__fail(HOGFEAT_ERR_IMAGE_TOO_SMALL, "%s: a cell of %dx%d px does not fit a %zux%zu image", fn,
                             (int)bank->cell_w, (int)bank->cell_h, width, height);
    /* <= 2^28 cells * 4096 filters * 2: fits 64-bit size_t. */
    size_t len;
    if (hogfeat__mul_overflow(grid->cells_x * grid->cells_y, grid->filters * 2, &len) ||
        len > SIZE_MAX / sizeof(float))
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the descriptor of a %zux%zu image overflows size_t", fn,
                             width, height);
    grid->length = len;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_bank_feature_length(const hogfeat_gabor_bank *bank, size_t width, size_t height,
                                                 size_t *out_length)
{
    static const char fn[] = "hogfeat_gabor_bank_feature_length";
    REQUIRE(bank, "hogfeat_gabor_bank_feature_length", "bank");
    REQUIRE(out_length, "hogfeat_gabor_bank_feature_length", "out_length");
    bank_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = bank_geometry(fn, bank, width, height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    *out_length = grid.length;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_gabor_bank_compute(const hogfeat_gabor_bank *bank, const hogfeat_image *image,
                                          float *out_features, size_t out_capacity)
{
    static const char fn[] = "hogfeat_gabor_bank_compute";
    REQUIRE(bank, "hogfeat_gabor_bank_compute", "bank");
    REQUIRE(image, "hogfeat_gabor_bank_compute", "image");
    REQUIRE(out_features, "hogfeat_gabor_bank_compute", "out_features");
    bank_grid grid;
    memset(&grid, 0, sizeof grid);
    hogfeat_status st = bank_geometry(fn, bank, image->width, image->height, &grid);
    if (st != HOGFEAT_OK)
        return st;
    st = check_gray(fn, image);
    if (st != HOGFEAT_OK)
        return st;
    if (out_capacity < grid.length)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the descriptor has %zu floats; the output holds %zu",
                             fn, grid.length, out_capacity);
    double max_abs = 0.0;
    st = check_finite(fn, image, &max_abs);
    if (st != HOGFEAT_OK)
        return st;

    const size_t cw = (size_t)bank->cell_w, ch = (size_t)bank->cell_h;
    const size_t used_w = grid.cells_x * cw, used_h = grid.cells_y * ch;
    const size_t kmax = (2 * grid.pad_x + 1) * (2 * grid.pad_y + 1);
    /* Workspace: the magnitudes of the pooled area and one kernel. Both
     * are bounded (2^28 pixels, 1025^2 taps), so the sum cannot overflow. */
    double *mag = hogfeat__malloc((used_w * used_h + 2 * kmax) * sizeof(double));
    if (!mag)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate the workspace", fn);
    double *kre = mag + used_w * used_h, *kim = kre + kmax;

    /* Check every kernel's bound before writing anything. */
    for (size_t j = 0; j < grid.filters && st == HOGFEAT_OK; j++) {
        hogfeat_gabor_config c;
        gabor_geom g;
        bank_filter(bank, j, &c);
        (void)kernel_geometry(fn, &c, &g); /* succeeded in bank_geometry */
        fill_kernel(&c, &g, kre, kim);
        st = check_overflow(fn, max_abs, kernel_abs_sum(kre, kim, (2 * g.x0 + 1) * (2 * g.y0 + 1)));
    }
    padded p = {NULL, 0, 0, 0, 0};
    if (st == HOGFEAT_OK)
        st = make_padded(fn, image, grid.pad_x, grid.pad_y, bank->filter.border, &p);
    if (st != HOGFEAT_OK) {
        hogfeat__free(mag);
        return st;
    }

    const double area = (double)cw * (double)ch;
    for (size_t j = 0; j < grid.filters; j++) {
        hogfeat_gabor_config c;
        gabor_geom g;
        bank_filter(bank, j, &c);
        (void)kernel_geometry(fn, &c, &g);
        fill_kernel(&c, &g, kre, kim);
        for (size_t y = 0; y < used_h; y++) {
            for (size_t x = 0; x < used_w; x++) {
                double re, im;
                convolve_at(&p, kre, kim, &g, x, y, &re, &im);
                mag[y * used_w + x] = sqrt(re * re + im * im);
            }
        }
        for (size_t cy = 0; cy < grid.cells_y; cy++) {
            for (size_t cx = 0; cx < grid.cells_x; cx++) {
                double sum = 0.0;
                for (size_t y = cy * ch; y < (cy + 1) * ch; y++)
                    for (size_t x = cx * cw; x < (cx + 1) * cw; x++)
                        sum += mag[y * used_w + x];
                const double mean = sum / area;
                double ss = 0.0;
                for (size_t y = cy * ch; y < (cy + 1) * ch; y++) {
                    for (size_t x = cx * cw; x < (cx + 1) * cw; x++) {
                        double d = mag[y * used_w + x] - mean;
                        ss += d * d;
                    }
                }
                float *o = out_features + ((cy * grid.cells_x + cx) * grid.filters + j) * 2;
                o[0] = (float)mean;
                o[1] = (float)sqrt(ss / area);
            }
        }
    }
    hogfeat__free(p.data);
    hogfeat__free(mag);
    return HOGFEAT_OK;
}
